/* \summary: JA4 TLS client fingerprint (FoxIO, "JA4: TLS Client
 * Fingerprinting", technical_details/JA4.md of FoxIO-LLC/ja4; the JA4 method
 * itself is BSD-3-Clause, unlike the rest of JA4+, which smtptap does not
 * compute): "t" + TLS version + SNI or not + cipher and extension counts +
 * the first ALPN value's ends, then 12 hex digits of SHA-256 of the sorted
 * cipher suites, then of the sorted extensions and the signature
 * algorithms in order; GREASE values (RFC 8701) left out everywhere. */
#ifndef SMTPTAP_JA4_H
#define SMTPTAP_JA4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JA4_LEN 36 /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */
/* Longer lists than these (no real client sends them) leave JA4 out. */
#define JA4_CIPHERS_MAX 256
#define JA4_EXTS_MAX    128
#define JA4_SIGALGS_MAX 128

/* The JA4 of a ClientHello body (RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2: from
 * legacy_version to the end of its extensions) over TCP, into out (JA4_LEN
 * characters and a NUL). False, out "", when the message is cut or
 * malformed, a list is longer than the limits above, or SHA-256 is not
 * available: a fingerprint of part of a message would name no client. */
bool ja4_compute(const uint8_t *msg, size_t n, char out[JA4_LEN + 1]);

#endif /* SMTPTAP_JA4_H */
