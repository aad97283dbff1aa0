/* \summary: unit tests for TLS 1.3 with a HelloRetryRequest (RFC 8446
 * §4.1.4) in the TLS dissector (dissectors/tls.c, tls_hs.c): the
 * middlebox-compatibility ChangeCipherSpec either side may send after it
 * (§D.4) starts no encryption, the second ClientHello and the real
 * ServerHello are read in clear, the client's alert after them is seen, and
 * with a key log (SSLKEYLOGFILE) the handshake after the retry is decrypted.
 * Transcripts are built with tu_tls.c and also replayed byte by byte and in
 * seeded random splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "certcache.h"
#include "keylog.h"
#include "tls_dec.h"
#include "tu_file.h"
#include "tu_tls.h"

static int
teardown(void **state)
{
    keylog_free();
    return tu_tls_teardown(state);
}

/* RFC 8446 §4.1.3: the ServerHello.random that makes it a
 * HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

/* A HelloRetryRequest: TLS 1.3 (supported_versions), TLS_AES_128_GCM_SHA256,
 * and the key_share group it wants (secp256r1). */
static void
hello_retry(struct buf *rec)
{
    static struct buf b, h;
    b.n = h.n = 0;
    u16(&b, 0x0303);
    put(&b, hrr_random, sizeof(hrr_random));
    u8(&b, 0); /* legacy_session_id_echo */
    u16(&b, 0x1301);
    u8(&b, 0);
    size_t ext = open_len(&b, 2);
    u16(&b, 43); /* supported_versions */
    u16(&b, 2);
    u16(&b, 0x0304);
    u16(&b, 51); /* key_share: selected_group */
    u16(&b, 2);
    u16(&b, 23);
    close_len(&b, ext, 2);
    hs(&h, 2, &b);
    record(rec, 22, &h);
}

/* ClientHello, HelloRetryRequest [+ CCS], [CCS +] ClientHello again,
 * ServerHello; returns the server's last buffer (for its encrypted flight).
 * The ClientHello.random is 0x20, 0x21 .. 0x3f. */
static struct buf *
retry_start(struct script *s, bool server_ccs, bool client_ccs)
{
    struct hello_opts o = {.sni = "mail.example.com", .tls13 = true, .random = 0x20};
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    hello_retry(sv);
    if (server_ccs)
        ccs(sv);
    struct buf *cl = next(s, DIR_TO_SERVER);
    if (client_ccs)
        ccs(cl);
    client_hello(cl, &o);
    sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, true);
    return sv;
}

/* RFC 8446 §D.4: after a HelloRetryRequest the server may send its
 * compatibility CCS at once, the client before its second ClientHello;
 * neither starts encryption (they had been read as TLS 1.2's, and the
 * second ClientHello and the ServerHello taken for encrypted Finished
 * messages: no version, no cipher, certificates "none", and the handshake
 * called complete). With either, both or neither: TLS 1.3, certificates
 * encrypted, the client's Finished completing the handshake. */
static void
test_hrr_compat_ccs(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 4; v++) {
        bool sccs = v & 1, cccs = v & 2;
        struct script s;
        opaque(retry_start(&s, sccs, cccs), 23, 2000); /* EncryptedExtensions..Finished */
        opaque(next(&s, DIR_TO_SERVER), 23, 53);       /* client Finished */
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_true(t->hello_retry);
        assert_int_equal(t->version, 0x0304);
        assert_int_equal(t->cipher, 0x1301);
        assert_true(t->ja3s[0] != '\0');
        assert_int_equal(t->certificates, TLS_CERTS_ENCRYPTED);
        assert_int_equal(t->handshake, TLS_HS_COMPLETE);
        assert_int_equal(t->n_alerts, 0);
        assert_false(tu_has_event(ctx, "tls.appdata_in_clear"));
        char want[160];
        snprintf(want, sizeof(want),
                 "C:CH S:SH%s%s C:CH S:SH S:EE..FIN(encrypted) C:FIN(encrypted)",
                 sccs ? " S:CCS" : "", cccs ? " C:CCS" : "");
        tu_fstr_is(&t->hs_history, want);
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

/* A client that rejects the server's (encrypted) certificate after a
 * HelloRetryRequest sends its alert in clear, before it switches its write
 * keys (OpenSSL: unknown_ca, 48): the alert and the failure are seen. It had
 * been taken for an encrypted record after the client's compatibility CCS:
 * code unknown. */
static void
test_hrr_client_alert(void **state)
{
    (void)state;
    struct script s;
    opaque(retry_start(&s, true, true), 23, 2000);
    alert(next(&s, DIR_TO_SERVER), 2, 48);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->version, 0x0304);
    assert_int_equal(t->handshake, TLS_HS_FAILED);
    assert_int_equal(t->n_alerts, 1);
    assert_int_equal(t->alerts[0].from, DIR_TO_SERVER);
    assert_int_equal(t->alerts[0].level, 2);
    assert_int_equal(t->alerts[0].code, 48);
    assert_false(t->alerts[0].encrypted);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* ---- the key log ---- */

#define SECRET_C "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SECRET_S "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static void
hexbytes(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* The record keys of one direction from its handshake traffic secret, as
 * the key log gives it (RFC 8446 §7.3). */
static void
keys(struct tls_dec *k, const char *secret_hex)
{
    uint8_t secret[32];
    hexbytes(secret_hex, secret, sizeof(secret));
    assert_int_equal(tls_dec_init(k, 0x1301, secret, sizeof(secret)), 0);
}

/* One TLSCiphertext record (RFC 8446 §5.2) holding `content` of type
 * `inner`, sealed with AES-128-GCM under k (nonce: IV XOR the sequence
 * number; additional data: the record header). */
static void
seal(struct buf *out, struct tls_dec *k, unsigned inner, const struct buf *content)
{
    static uint8_t pt[4096], ct[4096];
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

/* A TLS 1.3 Certificate message (RFC 8446 §4.4.2: empty context, each
 * entry with its empty extensions) of the named fixtures. */
static void
certificate13(struct buf *out, const char *const *names, unsigned n)
{
    static struct buf b;
    b.n = 0;
    u8(&b, 0); /* certificate_request_context: empty */
    certificate_list(&b, names, n, true);
    hs(out, 11, &b);
}

/* A Finished message (RFC 8446 §4.4.4) with 32 bytes of verify data. */
static void
finished(struct buf *out)
{
    static struct buf b;
    b.n = 0;
    for (unsigned i = 0; i < 32; i++)
        u8(&b, i * 5 + 1);
    hs(out, 20, &b);
}

/* With the key log, the handshake after a HelloRetryRequest and both
 * compatibility CCSs is decrypted: the key log is indexed by the
 * ClientHello.random, which the second ClientHello repeats (RFC 8446
 * §4.1.2), and gives the handshake traffic secrets themselves, so no
 * transcript hash (nor §4.4.1's message_hash) is needed: the server's
 * certificates are seen, and the client's Finished completes it. They had
 * been neither decrypted nor seen. */
static void
test_hrr_keylog(void **state)
{
    (void)state;
    static const char *const chain2[] = {"leaf", "inter"};
    char rnd[65];
    for (unsigned i = 0; i < 32; i++)
        snprintf(rnd + 2 * i, 3, "%02x", 0x20 + i);
    char line[256];
    snprintf(line, sizeof(line), "CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s", rnd, SECRET_C);
    assert_int_equal(keylog_add_line(line), 1);
    snprintf(line, sizeof(line), "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s", rnd, SECRET_S);
    assert_int_equal(keylog_add_line(line), 1);
    struct tls_dec ck, sk;
    keys(&ck, SECRET_C);
    keys(&sk, SECRET_S);
    struct script s;
    struct buf *sv = retry_start(&s, true, true);
    static struct buf m, ee;
    m.n = ee.n = 0;
    u16(&ee, 0);
    hs(&m, 8, &ee); /* EncryptedExtensions, none */
    certificate13(&m, chain2, 2);
    seal(sv, &sk, 22, &m);
    m.n = 0;
    finished(&m);
    seal(sv, &sk, 22, &m);
    seal(next(&s, DIR_TO_SERVER), &ck, 22, &m);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_true(t->hello_retry);
    assert_true(t->decrypted);
    assert_false(tu_has_event(ctx, "tls.keylog_mismatch"));
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->n_server_chain, 2);
    assert_string_equal(certcache_get(t->server_chain[0])->info.subject_cn, "mail.example.com");
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    tu_fstr_is(&t->hs_history, "C:CH S:SH S:CCS C:CCS C:CH S:SH S:EE S:CRT S:FIN C:FIN");
    fctx_destroy(ctx);
    check_splits(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hrr_compat_ccs, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_hrr_client_alert, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_hrr_keylog, tu_tls_setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
