/* \summary: one certificate as JSON and as text, shared by the session,
 * server and finding records so a certificate reads the same everywhere. */
#ifndef SMTPTAP_REPORT_CERT_H
#define SMTPTAP_REPORT_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "certcache.h"
#include "json.h"

/* Writes the certificate object (key may be NULL inside arrays):
 * {sha256, sha1, subject, issuer, serial, san[], not_before, not_after,
 *  key, sig_alg, self_signed, is_ca, exchange_thumbprint, exchange_cert_name,
 *  parse_error}. An unknown id (cache full) writes {"sha256":null,
 *  "parse_error":"not cached"}. */
void report_cert_json(struct json *j, const char *key, uint32_t cert_id);

/* The SHA-256 of certificate cert_id as a lower-case hex string member
 * (null when the id is not cached), and an array of them for a chain. */
void report_cert_sha256_json(struct json *j, const char *key, uint32_t cert_id);
void report_chain_sha256_json(struct json *j, const char *key, const uint32_t *ids, unsigned n);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void report_hex(char *out, const uint8_t *b, size_t n);
/* Upper-case hex (the Exchange thumbprint form). */
void report_hex_upper(char *out, const uint8_t *b, size_t n);

/* "RSA 2048", "EC 256 (prime256v1)", "Ed25519" into out. */
void report_key_str(char *out, size_t n, const struct x509_info *info);

/* The terminal report's block of certificate c of server si (the
 * aggregation's agg.servers[si]->chains[c]): its "certificate N of M"
 * line, leaf, chain sent, peers, SNI and OCSP lines (report_certline.c). */
void report_cert_text(FILE *f, uint32_t si, uint32_t c);

/* Frees the cache of rendered certificate objects. */
void report_cert_cache_free(void);

#endif /* SMTPTAP_REPORT_CERT_H */
