/* \summary: TLS 1.3 handshake decryption with a key log (RFC 8446 §5.2,
 * §7.1, §7.3): from a handshake traffic secret, HKDF-Expand-Label gives the
 * record key and IV; each record's nonce is the IV XOR its sequence number;
 * the AEAD's additional data is the record header. The handshake epoch is
 * decrypted (EncryptedExtensions .. Finished, and alerts sent under those
 * keys): that is where TLS 1.3 hides the certificates; and the server's
 * first records after it, only for its NewSessionTickets
 * (tls_tickets13.c). */
#include "tls_dec.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#include "keylog.h"

/* HKDF-Expand-Label(secret, label, "", len) (RFC 8446 §7.1). */
static int
tls_dec_expand(const EVP_MD *md, const uint8_t *secret, size_t slen, const char *label,
               uint8_t *out, size_t len)
{
    uint8_t info[2 + 1 + 32 + 1];
    size_t ll = 6 + strlen(label);
    if (ll > 32)
        return -1;
    info[0] = (uint8_t)(len >> 8);
    info[1] = (uint8_t)len;
    info[2] = (uint8_t)ll;
    memcpy(info + 3, "tls13 ", 6);
    memcpy(info + 9, label, ll - 6);
    info[3 + ll] = 0; /* empty context */
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    if (!kc)
        return -1;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[5];
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, slen);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, 4 + ll);
    params[3] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[4] = OSSL_PARAM_construct_end();
    int rc = EVP_KDF_derive(kc, out, len, params) == 1 ? 0 : -1;
    EVP_KDF_CTX_free(kc);
    return rc;
}

int
tls_dec_init(struct tls_dec *d, uint16_t suite, const uint8_t *secret, size_t slen)
{
    memset(d, 0, sizeof(*d));
    const EVP_MD *md;
    switch (suite) { /* RFC 8446 §B.4 */
    case 0x1301:
        d->cipher = EVP_aes_128_gcm(), md = EVP_sha256(), d->key_len = 16;
        break;
    case 0x1302:
        d->cipher = EVP_aes_256_gcm(), md = EVP_sha384(), d->key_len = 32;
        break;
    case 0x1303:
        d->cipher = EVP_chacha20_poly1305(), md = EVP_sha256(), d->key_len = 32;
        break;
    default:
        return -1; /* CCM suites: not supported */
    }
    if ((size_t)EVP_MD_get_size(md) != slen ||
        tls_dec_expand(md, secret, slen, "key", d->key, d->key_len) != 0 ||
        tls_dec_expand(md, secret, slen, "iv", d->iv, sizeof(d->iv)) != 0)
        return -1;
    d->ready = true;
    return 0;
}

int
tls_dec_search(struct tls_dec *d, uint16_t suite, const uint8_t hdr[5], const uint8_t *body,
               uint32_t len, uint8_t *out, uint32_t *out_len, uint8_t *inner_type,
               uint8_t random[32])
{
    uint32_t n = keylog_count();
    for (uint32_t i = 0; i < n && i < TLS_DEC_SEARCH_MAX; i++) {
        const uint8_t *r, *secret;
        size_t slen;
        if (!keylog_entry(i, 1, &r, &secret, &slen) || tls_dec_init(d, suite, secret, slen) != 0)
            continue;
        if (tls_dec_record(d, hdr, body, len, out, out_len, inner_type) == 0) {
            memcpy(random, r, 32);
            keylog_matched(r);
            return 0;
        }
    }
    memset(d, 0, sizeof(*d));
    return n > TLS_DEC_SEARCH_MAX ? 2 : 1;
}

int
tls_dec_record(struct tls_dec *d, const uint8_t hdr[5], const uint8_t *body, uint32_t len,
               uint8_t *out, uint32_t *out_len, uint8_t *inner_type)
{
    if (!d->ready || len < 17 || len > TLS_DEC_RECORD_MAX)
        return -1;
    uint8_t nonce[12];
    memcpy(nonce, d->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(d->seq >> (8 * i));
    d->seq++;
    uint32_t clen = len - 16;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, n2 = 0, ok = c != NULL;
    ok = ok && EVP_DecryptInit_ex(c, d->cipher, NULL, NULL, NULL) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1;
    ok = ok && EVP_DecryptInit_ex(c, NULL, NULL, d->key, nonce) == 1;
    ok = ok && EVP_DecryptUpdate(c, NULL, &n, hdr, 5) == 1;
    ok = ok && EVP_DecryptUpdate(c, out, &n, body, (int)clen) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(body + clen)) == 1;
    ok = ok && EVP_DecryptFinal_ex(c, out + n, &n2) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        return -1;
    /* TLSInnerPlaintext: content, then the real type, then zero padding. */
    uint32_t m = (uint32_t)(n + n2);
    while (m > 0 && out[m - 1] == 0)
        m--;
    if (m == 0)
        return -1;
    *inner_type = out[m - 1];
    *out_len = m - 1;
    return 0;
}
