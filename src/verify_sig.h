/* \summary: the signature and validity pass of X509_verify_cert, OpenSSL's
 * steps in OpenSSL's order, remembering which CA certificates' signatures
 * by their issuers already verified (issue 5). */
#ifndef SMTPTAP_VERIFY_SIG_H
#define SMTPTAP_VERIFY_SIG_H

#include <openssl/x509_vfy.h>
#include <stdbool.h>
#include <stdint.h>

/* memo false: verify_sig_attach leaves OpenSSL's own pass in place (the
 * environment's SMTPTAP_SIGNATURE_MEMO=off, for differential tests). */
void verify_sig_init(bool memo);
/* Releases the remembered certificates. */
void verify_sig_fini(void);

/* After X509_STORE_CTX_init: makes ctx use this pass. */
void verify_sig_attach(X509_STORE_CTX *ctx);

/* Signatures checked with a public-key operation / known from the memo. */
void verify_sig_counters(uint64_t *checked, uint64_t *remembered);

#endif /* SMTPTAP_VERIFY_SIG_H */
