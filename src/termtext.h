/* \summary: text that came from outside (file and interface names from the
 * command line, anything read off the wire: SNI, EHLO names, certificate
 * names, DNS names; libpcap's, OpenSSL's and the C library's messages that
 * may quote them) written to the terminal report or to stderr, so that it
 * can never drive the terminal (escape sequences that retitle the window,
 * move the cursor, rewrite lines above; CVE-2003-0063 and its kin).
 *
 * The rule, one for every such write: printable ASCII (0x20-0x7e) as is;
 * every other byte (C0 controls, tab and newline inside the text, DEL,
 * 0x80-0xff, whether or not it begins UTF-8) as \xNN, two lower-case hex
 * digits. Bytes, not characters, the same in every locale (utf8.h: only the
 * Windows form of certificate names shows characters, already filtered).
 * Backslashes stay single: certificate names arrive escaped (RFC 4514) and
 * are shown as OpenSSL prints them. The JSON output escapes on its own
 * (json.c). */
#ifndef SMTPTAP_TERMTEXT_H
#define SMTPTAP_TERMTEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s to f by the rule above. NULL writes nothing. */
void term_text(FILE *f, const char *s);

/* Formats as fprintf does and writes the result by the rule above, but for
 * one newline at its very end, written as is: a message of one line whose
 * arguments (a file name, libpcap's error) may hold anything. */
void term_msg(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The stream of smtptap's messages: term_msg(stderr, ...) writes to it
 * once set (main.c: fdwait_stderr(), standard error waited on as an output,
 * line-buffered), and so does whatever writes to term_err(); stdio's
 * stderr until then, and after term_set_err(NULL). Set, not assigned to
 * stderr: ISO C makes stderr a macro, an expression of type FILE * (C11
 * 7.21.1), which only glibc lets a program assign. */
void term_set_err(FILE *f);
FILE *term_err(void);

#endif
