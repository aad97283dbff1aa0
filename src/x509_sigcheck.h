/* \summary: a certificate's signature checked under its issuer's key
 * (RFC 5280 §6.1.3 (a)(1)) as X509_verify checks it, without OpenSSL 3.0's
 * per-call set-up: the key's verification context is kept (issue 5). */
#ifndef SMTPTAP_X509_SIGCHECK_H
#define SMTPTAP_X509_SIGCHECK_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>

/* The certificates of the chain being verified and the DER each was
 * decoded from (the caller holds references on them until it calls this
 * again with n 0). x509_sigcheck finds a subject's signed bytes there. */
void x509_sigcheck_chain(X509 *const *certs, const uint8_t *const *der, const uint32_t *len,
                         unsigned n);

/* X509_verify(subject, key)'s answer: 1 when the signature verifies, <= 0
 * otherwise. */
int x509_sigcheck(X509 *subject, EVP_PKEY *key);

/* Releases the kept contexts (and the references they hold on keys). */
void x509_sigcheck_fini(void);

/* Signatures checked with a kept context, contexts made (for tests and the
 * benchmark). */
void x509_sigcheck_counters(uint64_t *fast, uint64_t *made);

#endif /* SMTPTAP_X509_SIGCHECK_H */
