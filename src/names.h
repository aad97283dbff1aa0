/* \summary: RFC 6125 server identity checks of a certificate against a
 * reference name (DNS name or IP address). */
#ifndef SMTPTAP_NAMES_H
#define SMTPTAP_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct x509_st;

/* RFC 6125 §6.4.3: does presented DNS-ID `pattern` (len bytes, may hold a
 * NUL, which never matches) cover reference name `ref`? A wildcard is only a
 * whole left-most label "*" and covers exactly one label; "*" must be
 * followed by at least two labels; partial wildcards ("f*o") never match.
 * ASCII case-insensitive; one trailing dot ignored on either side; IDNs are
 * compared as A-labels ("xn--"), U-labels are not converted. */
bool names_dns_match(const char *pattern, size_t len, const char *ref);

/* Checks ref against the certificate: an IP address against iPAddress SANs
 * only; a DNS name against dNSName SANs, falling back to the subject CN only
 * when the certificate has no dNSName and no iPAddress SAN (RFC 6125
 * §6.4.4). Returns true on a match; why (may be NULL) explains a mismatch. */
bool names_check(struct x509_st *cert, const char *ref, char *why, size_t whylen);

#endif /* SMTPTAP_NAMES_H */
