/* \summary: test helpers: fixture certificates into the certificate cache, certificates made on the spot,
 * and the session facts of a server chain sent in clear. */
#ifndef SMTPTAP_TU_CERTS_H
#define SMTPTAP_TU_CERTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "facts.h"

/* Adds the DER file at path to the certificate cache; fails the test when it
 * cannot. Returns the certificate's id. */
uint32_t tu_cert_add(const char *path);

/* The first certificate of the PEM file at path (X509_free() it); fails the
 * test when there is none. */
X509 *tu_cert_load_pem(const char *path);

/* Adds the certificate x (its DER) to the certificate cache; fails the test
 * when it cannot. Returns the certificate's id; x stays the caller's. */
uint32_t tu_cert_add_x509(X509 *x);

/* Adds the first certificate of the PEM file at path to the certificate
 * cache; fails the test when it cannot. Returns the certificate's id. */
uint32_t tu_cert_add_pem(const char *path);

/* Facts of a TLS session whose server sent the chain ids[0..n) in clear
 * with the SNI sni (NUL-terminated, borrowed, may be NULL). */
void tu_chain_facts(struct session_facts *facts, const uint32_t *ids, unsigned n, uint8_t *sni);

/* Turns facts into those of a session resumed by ticket (resume.c's link):
 * no chain sent, complete, linked to the chain ids[0..n) that session 1
 * presented on the same address's port from_port. */
void tu_resumed_facts(struct session_facts *facts, const uint32_t *ids, unsigned n,
                      uint16_t from_port);

/* A certificate signed with key (one key for issuer and subject: the
 * signatures verify, the names make the chain), valid from nb to na; ku its
 * key usage ("critical,keyCertSign,cRLSign" for a CA that signs). raw_na,
 * when given, replaces notAfter by that UTCTime text as is (malformed
 * times). Fails the test when it cannot be made. */
X509 *tu_make_cert(const char *cn, const char *issuer_cn, EVP_PKEY *key, bool ca, const char *ku,
                   time_t nb, time_t na, const char *raw_na);

/* The same with the subject and issuer Names given (their encoding as it
 * is: string types, case, spacing). */
X509 *tu_make_cert_named(const X509_NAME *subject, const X509_NAME *issuer, EVP_PKEY *key, bool ca,
                         const char *ku, time_t nb, time_t na, const char *raw_na);

#endif
