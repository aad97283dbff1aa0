/* \summary: what the trust store holds, for the report: where its
 * certificates came from (the system bundle, --ca-file, --ca-path) and how
 * many there are. An empty store makes every chain untrusted (case 4: a CA
 * bundle setting commented out), which no finding can tell by itself. */
#ifndef SMTPTAP_TRUSTSTORE_H
#define SMTPTAP_TRUSTSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Counts the certificates of the sources cfg names, as verify.c loads them
 * (the hashed files of a --ca-path directory too, which OpenSSL reads only
 * when a chain needs them); identical certificates count once. */
void truststore_describe(const struct config *cfg);
void truststore_reset(void);

/* Whether truststore_describe ran, and the number it counted. */
bool truststore_known(void);
uint64_t truststore_count(void);

/* "1 CA certificate from --ca-file root.pem", "146 CA certificates from
 * the system bundle /etc/ssl/certs/ca-certificates.crt", "empty: every
 * chain is untrusted (--no-system-ca without --ca-file or --ca-path)". */
void truststore_text(char *out, size_t n);

#endif /* SMTPTAP_TRUSTSTORE_H */
