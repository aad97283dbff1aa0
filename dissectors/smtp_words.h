/* \summary: words of SMTP lines (smtp_words.c), for the SMTP dissector. */
#ifndef SMTPTAP_SMTP_WORDS_H
#define SMTPTAP_SMTP_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* ASCII upper case of c. */
uint8_t smtp_upper(uint8_t c);

/* Case-insensitive comparison of w[0..n) with the C string s. */
bool smtp_ieq(const uint8_t *w, size_t n, const char *s);

/* True when word w[0..n) is in the space-separated list (case-insensitive). */
bool smtp_list_has(const uint8_t *list, uint32_t len, const uint8_t *w, size_t n);

/* True when w[0..n) is a SASL mechanism name in IANA's registry (or a
 * vendor one mail clients use), compared case-insensitively. */
bool smtp_sasl_known(const uint8_t *w, size_t n);

/* Appends word w[0..n) to a space-separated list unless already there
 * (case-insensitive); a list that would pass max is marked cut. seen is a
 * bit per (length, first and last letter) of the words in the list. */
void smtp_list_add(uint8_t *list, uint32_t *len, bool *cut, uint64_t *seen, uint32_t max,
                   const uint8_t *w, size_t n);

/* True when w[0..n) can be a host's name as EHLO and a greeting give it
 * (RFC 5321 §4.1.2: Domain or address-literal): letters, digits, '-', '.'
 * and the '_' of many Windows names, or "[...]" of hex digits, '.', ':' and
 * "IPv6:". Anything else (blanks, punctuation, controls) may be text that is
 * not a name: a message body line read as a command. */
bool smtp_hostname_like(const uint8_t *w, size_t n);

/* True when the first bytes of a direction, p[0..n), open SMTP: a reply
 * line from the server ("220 ", "250-", RFC 5321 §4.2), or one of the
 * commands a client opens with or sends early (EHLO, HELO, LHLO, STARTTLS,
 * QUIT, MAIL FROM:, NOOP, RSET), compared case-insensitively. Where TLS was
 * expected from the first byte (465, RFC 8314 §3.3), such bytes are SMTP. */
bool smtp_opens(const uint8_t *p, size_t n, bool from_client);

/* Skips blanks (space, tab). */
void smtp_skip_sp(struct rd *lr);

/* Skips blanks, then copies the next word (up to a blank) into out, keeping
 * at most max bytes; returns the word's full length. */
size_t smtp_word(struct rd *lr, uint8_t *out, size_t max);

#endif
