/* \summary: test helpers for TLS 1.3 handshakes decrypted with a key log
 * (test_tls_hrr.c, test_tls_ocsp.c): record keys from a traffic secret,
 * records sealed with them (RFC 8446 §5.2), and the encrypted messages of
 * a server's flight (Certificate with per-entry extensions, Finished). */
#ifndef SMTPTAP_TU_TLS13_H
#define SMTPTAP_TU_TLS13_H

#include <stddef.h>
#include <stdint.h>

#include "tls_dec.h"
#include "tu_tls.h"

/* Handshake traffic secrets of the client and the server, in hex. */
#define TU_SECRET_C "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define TU_SECRET_S "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

/* Adds both secrets to the key log for the ClientHello.random random,
 * random + 1 .. random + 31 (tu_tls.c client_hello). */
void tls13_keylog(unsigned random);

/* The record keys of one direction from its handshake traffic secret, as
 * the key log gives it (RFC 8446 §7.3). */
void tls13_keys(struct tls_dec *k, const char *secret_hex);

/* One TLSCiphertext record (RFC 8446 §5.2) holding `content` of type
 * `inner`, sealed with AES-128-GCM under k. */
void tls13_seal(struct buf *out, struct tls_dec *k, unsigned inner, const struct buf *content);

/* A TLS 1.3 Certificate message (RFC 8446 §4.4.2: empty context) of the
 * named fixtures; the first entry's extensions are leaf_exts (the bytes
 * after their length; NULL: none), the others' empty. */
void tls13_certificate(struct buf *out, const char *const *names, unsigned n,
                       const struct buf *leaf_exts);

/* A Finished message (RFC 8446 §4.4.4) with 32 bytes of verify data. */
void tls13_finished(struct buf *out);

#endif
