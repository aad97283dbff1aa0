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

#include "certcache.h"
#include "ja4.h"
#include "keylog.h"
#include "tls_dec.h"
#include "tu_file.h"
#include "tu_tls.h"
#include "tu_tls13.h"

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
    tls13_keylog(0x20);
    struct tls_dec ck, sk;
    tls13_keys(&ck, TU_SECRET_C);
    tls13_keys(&sk, TU_SECRET_S);
    struct script s;
    struct buf *sv = retry_start(&s, true, true);
    static struct buf m, ee;
    m.n = ee.n = 0;
    u16(&ee, 0);
    hs(&m, 8, &ee); /* EncryptedExtensions, none */
    tls13_certificate(&m, chain2, 2, NULL);
    tls13_seal(sv, &sk, 22, &m);
    m.n = 0;
    tls13_finished(&m);
    tls13_seal(sv, &sk, 22, &m);
    tls13_seal(next(&s, DIR_TO_SERVER), &ck, 22, &m);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_true(t->hello_retry);
    assert_true(t->decrypted);
    assert_false(tu_has_event(ctx, "tls.keylog_mismatch"));
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->n_server_chain, 2);
    assert_string_equal(certcache_get(t->server_chain[0])->info.subject_cn, "mail.example.com");
    assert_int_equal(t->ocsp_stapled, TLS_OCSP_NONE); /* seen: no status_request in the entry */
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    tu_fstr_is(&t->hs_history, "C:CH S:SH S:CCS C:CCS C:CH S:SH S:EE S:CRT S:FIN C:FIN");
    fctx_destroy(ctx);
    check_splits(&s);
}

/* JA4 is the first ClientHello's, as FoxIO's tool keeps it (one a stream):
 * after a HelloRetryRequest the second may differ (a cookie added,
 * early_data dropped; here its ALPN, which JA4 shows and JA3 does not).
 * The second had been fingerprinted; JA3 stays the last one's. Twice: the
 * second run reads both from the memo. */
static void
test_hrr_ja4_first_hello(void **state)
{
    (void)state;
    for (unsigned pass = 0; pass < 2; pass++) {
        struct hello_opts o1 = {.sni = "mail.example.com", .tls13 = true, .random = 0x20};
        struct hello_opts o2 = o1;
        o2.alpn = "h2";
        struct script s;
        s.n = 0;
        client_hello(next(&s, DIR_TO_SERVER), &o1);
        hello_retry(next(&s, DIR_TO_CLIENT));
        client_hello(next(&s, DIR_TO_SERVER), &o2);
        struct buf *sv = next(&s, DIR_TO_CLIENT);
        server_hello(sv, true);
        opaque(sv, 23, 2000);
        char first[JA4_LEN + 1], second[JA4_LEN + 1];
        assert_true(ja4_compute(s.seg[0].data.b + 9, s.seg[0].data.n - 9, first));
        assert_true(ja4_compute(s.seg[2].data.b + 9, s.seg[2].data.n - 9, second));
        assert_string_not_equal(first, second);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_true(t->hello_retry);
        assert_string_equal(t->ja4, first);
        fctx_destroy(ctx);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hrr_compat_ccs, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_hrr_client_alert, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_hrr_keylog, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_hrr_ja4_first_hello, tu_tls_setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
