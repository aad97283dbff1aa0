/* \summary: TLS 1.3 handshake-epoch record decryption (see tls_dec.c). */
#ifndef SMTPTAP_TLS_DEC_H
#define SMTPTAP_TLS_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_DEC_RECORD_MAX (16384 + 256) /* RFC 8446 §5.2 TLSCiphertext */

struct evp_cipher_st;

struct tls_dec {
    bool ready;
    const struct evp_cipher_st *cipher;
    uint8_t key[32];
    uint8_t iv[12];
    size_t key_len;
    uint64_t seq;
};

/* Derives the record key and IV of one direction from its handshake traffic
 * secret for cipher suite `suite`. Returns 0, or -1 (unsupported suite, bad
 * secret length). */
int tls_dec_init(struct tls_dec *d, uint16_t suite, const uint8_t *secret, size_t slen);

/* Decrypts the next record of the direction (hdr: its 5-byte header, body:
 * len bytes) into out (at least len bytes): the content without padding in
 * out[0..*out_len), its real type in *inner_type. Returns 0, or -1 when the
 * record does not authenticate (wrong key, or not the handshake epoch). */
int tls_dec_record(struct tls_dec *d, const uint8_t hdr[5], const uint8_t *body, uint32_t len,
                   uint8_t *out, uint32_t *out_len, uint8_t *inner_type);

#endif /* SMTPTAP_TLS_DEC_H */
