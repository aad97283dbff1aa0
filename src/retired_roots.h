/* \summary: public roots the CA bundles have dropped (expired or
 * distrusted), by name: evidence that an issuer neither sent nor trusted is
 * a root (case 1: a chain up to AddTrust External CA Root, which the
 * sending server's store lacked), since no current bundle holds them to
 * show it. */
#ifndef SMTPTAP_RETIRED_ROOTS_H
#define SMTPTAP_RETIRED_ROOTS_H

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

/* What became of the retired root named nm ("AddTrust External CA Root,
 * expired 2020-05-30"; static, made once from its entry's fields), or NULL
 * when nm names none of them. Names compare as X509_NAME_cmp does (RFC 5280
 * §7.1: case and string type aside). */
const char *retired_root_note(const X509_NAME *nm);

/* Until when the root of note (a pointer retired_root_note returned, not
 * a copy of its text) was a public root, in seconds since the epoch, from
 * its entry's date: "expired 2020-05-30" its end, "removed from the CA
 * bundles 2021-03-18" that day's start, "... in 2015" that year's first
 * day (before it, surely public), "... (held there until at least
 * 2015-10-28)" that day's end; 0 for any other pointer. */
int64_t retired_root_until(const char *note);

/* The note of the i-th retired root (retired_roots.c's order), NULL past
 * the last: for tests that every entry has its date. */
const char *retired_root_entry(size_t i);

/* Frees the names built at the first call. */
void retired_roots_free(void);

#endif /* SMTPTAP_RETIRED_ROOTS_H */
