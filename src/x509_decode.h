/* \summary: decoding DER certificates into OpenSSL objects (RFC 5280 §4.1)
 * without OpenSSL 3.0's per-certificate key decoder set-up (issue 5). */
#ifndef SMTPTAP_X509_DECODE_H
#define SMTPTAP_X509_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct x509_st;

/* The fast path needs OpenSSL's ENGINE API, absent from builds configured
 * with no-engine or without the APIs deprecated in 3.0. */
#include <openssl/opensslconf.h>
#if !defined(OPENSSL_NO_ENGINE) && !defined(OPENSSL_NO_DEPRECATED_3_0)
#define XD_HAVE_ENGINE 1
#else
#define XD_HAVE_ENGINE 0
#endif

/* Decodes exactly len bytes of DER. Returns NULL when the bytes are not one
 * certificate; *trailing is set when a certificate decoded but bytes were
 * left after it (then NULL is returned too). */
struct x509_st *x509_decode(const uint8_t *der, size_t len, int *trailing);

/* Brackets a bulk load that decodes certificates inside OpenSSL (the trust
 * store's PEM files): between the two calls keys decode the fast way too.
 * Calls nest. */
void x509_decode_begin(void);
void x509_decode_end(void);

/* Releases what the module set up (certcache_free calls it at exit). */
void x509_decode_shutdown(void);

#endif /* SMTPTAP_X509_DECODE_H */
