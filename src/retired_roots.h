/* \summary: public roots the CA bundles have dropped (expired or
 * distrusted), by name: evidence that an issuer neither sent nor trusted is
 * a root (case 1: a chain up to AddTrust External CA Root, which the
 * sending server's store lacked), since no current bundle holds them to
 * show it. */
#ifndef SMTPTAP_RETIRED_ROOTS_H
#define SMTPTAP_RETIRED_ROOTS_H

#include <openssl/x509.h>
#include <stdint.h>

/* What became of the retired root named nm ("expired 2020-05-30"), or NULL
 * when nm names none of them. Names compare as X509_NAME_cmp does (RFC 5280
 * §7.1: case and string type aside). */
const char *retired_root_note(const X509_NAME *nm);

/* Until when the root of note (one retired_root_note returned) was a public
 * root, in seconds since the epoch: "expired 2020-05-30" its end, "removed
 * in 2015" that year's first day (before it, surely public); 0 when the
 * note gives no date. */
int64_t retired_root_until(const char *note);

/* Frees the names built at the first call. */
void retired_roots_free(void);

#endif /* SMTPTAP_RETIRED_ROOTS_H */
