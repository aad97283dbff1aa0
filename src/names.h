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

/* Why presented DNS-ID `pattern` (len bytes), a wildcard that does not
 * cover `ref` (names_dns_match false), would seem to: true, with the rule
 * in why, when its "*" covers one label where ref has several there
 * ("*.ak.fbcdn.net covers one label only (RFC 6125 §6.4.3):
 * x.y.ak.fbcdn.net has two there") or none (ref is its base), stands
 * before fewer than two labels ("*.com"), or is not the whole left-most
 * label ("mx*.example.com", "a.*.example.com") where a label-wise match
 * would cover ref. False for any other pattern. */
bool names_wildcard_why(const char *pattern, size_t len, const char *ref, char *why, size_t n);

/* Checks ref against the certificate: an IP address against iPAddress SANs
 * only; a DNS name against dNSName SANs, falling back to the subject CN only
 * when the certificate has no dNSName and no iPAddress SAN (RFC 6125
 * §6.4.4). Returns true on a match; why (may be NULL) explains a mismatch. */
bool names_check(struct x509_st *cert, const char *ref, char *why, size_t whylen);

#endif /* SMTPTAP_NAMES_H */
