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

/* Derives the record key and IV of one direction from a traffic secret (a
 * handshake one, or the server's application one for its tickets,
 * tls_tickets13.c: RFC 8446 §7.3 is the same for both) for cipher suite
 * `suite`. Returns 0, or -1 (unsupported suite, bad
 * secret length). */
int tls_dec_init(struct tls_dec *d, uint16_t suite, const uint8_t *secret, size_t slen);

/* Decrypts the next record of the direction (hdr: its 5-byte header, body:
 * len bytes) into out (at least len bytes): the content without padding in
 * out[0..*out_len), its real type in *inner_type. Returns 0, or -1 when the
 * record does not authenticate (wrong key, or not the handshake epoch). */
int tls_dec_record(struct tls_dec *d, const uint8_t hdr[5], const uint8_t *body, uint32_t len,
                   uint8_t *out, uint32_t *out_len, uint8_t *inner_type);

/* A connection picked up after its ClientHello: the key log cannot be
 * looked up by its random. The server's first handshake record (hdr, body,
 * len) is tried with each server handshake secret of the key log, at most
 * TLS_DEC_SEARCH_MAX of them, for suite `suite`: the one it authenticates
 * under (RFC 8446 §5.2: AEAD) is the connection's. Returns 0 with d ready
 * for the server's next record, the record decrypted as tls_dec_record
 * does and the connection's ClientHello.random in random; 1 when none
 * authenticated it; 2 when the key log holds more connections than were
 * tried. */
#define TLS_DEC_SEARCH_MAX 16384
int tls_dec_search(struct tls_dec *d, uint16_t suite, const uint8_t hdr[5], const uint8_t *body,
                   uint32_t len, uint8_t *out, uint32_t *out_len, uint8_t *inner_type,
                   uint8_t random[32]);

#endif /* SMTPTAP_TLS_DEC_H */
