/* \summary: the names of the roots in a PEM bundle (the system CA bundle
 * when the trust store leaves it out, --no-system-ca), read without any
 * accounted allocation, so that what the machine's bundle holds changes no
 * count in the report: evidence that an issuer that was neither sent nor
 * trusted is a root (verify.c). */
#ifndef SMTPTAP_BUNDLEROOTS_H
#define SMTPTAP_BUNDLEROOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Reads the certificates of the PEM file at path ("CERTIFICATE", "X509
 * CERTIFICATE" and "TRUSTED CERTIFICATE" blocks) and keeps the subject of
 * each root (issuer and subject the same name) in place of any kept before.
 * False when the file cannot be opened (then none is kept). */
bool bundleroots_load(const char *path);

/* The same from an open stream (bundleroots_load's reading; fuzz_bundleroots). */
void bundleroots_read(FILE *f);

/* Forgets the names read. */
void bundleroots_reset(void);

/* Whether a root whose subject is the DER Name given (X.501 Name with its
 * tag and length, as X509_NAME_get0_der gives it) was read: the same name
 * as X509_NAME_cmp compares, whatever the string types, case or spacing. */
bool bundleroots_has(const uint8_t *name, size_t len);

/* The 64-bit key of the DER Name given: two Names that X509_NAME_cmp finds
 * equal have the same key (OpenSSL's canonical form, hashed). False when
 * it is malformed or a string cannot be converted (OpenSSL refuses it). */
bool bundleroots_name_key(const uint8_t *name, size_t len, uint64_t *key);

/* How many roots were read. */
unsigned bundleroots_count(void);

#endif /* SMTPTAP_BUNDLEROOTS_H */
