/* \summary: test helpers: what a report says, looked for in its text. */
#ifndef SMTPTAP_TU_TEXT_H
#define SMTPTAP_TU_TEXT_H

/* Fails the test, saying what was looked for and in what text, when want
 * is not in text (tu_has) or unwanted is (tu_lacks). */
void tu_has(const char *text, const char *want);
void tu_lacks(const char *text, const char *unwanted);

#endif
