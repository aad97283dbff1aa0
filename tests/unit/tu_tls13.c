/* \summary: test helpers for TLS 1.3 handshakes decrypted with a key log:
 * keys, sealed records and the server's encrypted messages (tu_tls13.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "keylog.h"
#include "tu_file.h"
#include "tu_tls13.h"

void
tls13_keylog(unsigned random)
{
    char rnd[65], line[256];
    for (unsigned i = 0; i < 32; i++)
        snprintf(rnd + 2 * i, 3, "%02x", (random + i) & 0xff);
    snprintf(line, sizeof(line), "CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s", rnd, TU_SECRET_C);
    assert_int_equal(keylog_add_line(line), 1);
    snprintf(line, sizeof(line), "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s", rnd, TU_SECRET_S);
    assert_int_equal(keylog_add_line(line), 1);
}

static void
hexbytes(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

void
tls13_keys(struct tls_dec *k, const char *secret_hex)
{
    uint8_t secret[32];
    hexbytes(secret_hex, secret, sizeof(secret));
    assert_int_equal(tls_dec_init(k, 0x1301, secret, sizeof(secret)), 0);
}

/* Nonce: IV XOR the sequence number; additional data: the record header. */
void
tls13_seal(struct buf *out, struct tls_dec *k, unsigned inner, const struct buf *content)
{
    static uint8_t pt[8192], ct[8192];
    assert_true(content->n + 1 <= sizeof(pt));
    memcpy(pt, content->b, content->n);
    pt[content->n] = (uint8_t)inner;
    int n = (int)content->n + 1, l = 0, l2 = 0;
    const uint8_t hdr[5] = {23, 3, 3, (uint8_t)((n + 16) >> 8), (uint8_t)(n + 16)};
    uint8_t nonce[12], tag[16];
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
    k->seq++;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    assert_non_null(c);
    assert_int_equal(EVP_EncryptInit_ex(c, k->cipher, NULL, NULL, NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL), 1);
    assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, k->key, nonce), 1);
    assert_int_equal(EVP_EncryptUpdate(c, NULL, &l, hdr, 5), 1);
    assert_int_equal(EVP_EncryptUpdate(c, ct, &l, pt, n), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, ct + l, &l2), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
    EVP_CIPHER_CTX_free(c);
    put(out, hdr, 5);
    put(out, ct, (size_t)n);
    put(out, tag, 16);
}

void
tls13_certificate(struct buf *out, const char *const *names, unsigned n,
                  const struct buf *leaf_exts)
{
    static struct buf b;
    b.n = 0;
    u8(&b, 0); /* certificate_request_context: empty */
    size_t list = open_len(&b, 3);
    for (unsigned i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", names[i]);
        size_t len;
        uint8_t *der = tu_read_file(path, &len);
        u24(&b, (unsigned)len);
        put(&b, der, len);
        free(der);
        size_t e = open_len(&b, 2);
        if (i == 0 && leaf_exts != NULL)
            put(&b, leaf_exts->b, leaf_exts->n);
        close_len(&b, e, 2);
    }
    close_len(&b, list, 3);
    hs(out, 11, &b);
}

void
tls13_finished(struct buf *out)
{
    static struct buf b;
    b.n = 0;
    for (unsigned i = 0; i < 32; i++)
        u8(&b, i * 5 + 1);
    hs(out, 20, &b);
}
