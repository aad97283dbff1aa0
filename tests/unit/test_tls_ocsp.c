/* \summary: unit tests for OCSP stapling in the TLS dissector
 * (dissectors/tls_hs.c): the server's CertificateStatus (RFC 6066 §8; the
 * ocsp_multi form of RFC 6961 §2.2) in TLS 1.2, the status_request
 * extension of the leaf's CertificateEntry in TLS 1.3 decrypted with a key
 * log (RFC 8446 §4.4.2.1), and damaged or cut ones, which must neither
 * crash nor count as stapled. Transcripts are built with tu_tls.c and
 * replayed whole, byte by byte and in seeded random splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certcache.h"
#include "keylog.h"
#include "tu_file.h"
#include "tu_tls.h"
#include "tu_tls13.h"

static const char *const chain2[] = {"leaf", "inter"};

static int
teardown(void **state)
{
    keylog_free();
    return tu_tls_teardown(state);
}

/* A CertificateStatus body of status_type ocsp (1): a stand-in
 * OCSPResponse of n bytes (never decoded), its length said as len. */
static void
status_ocsp(struct buf *b, unsigned len, unsigned n)
{
    u8(b, 1);
    u24(b, len);
    for (unsigned i = 0; i < n; i++)
        u8(b, 0x30 + i % 7);
}

/* ClientHello (with status_request), then the server's flight in one
 * record: ServerHello, Certificate (leaf, intermediate), a message of type
 * 22 with body cs when cs is not NULL, ServerHelloDone; then the client's
 * key exchange, CCS and Finished and the server's CCS and Finished. */
static void
tls12_flight(struct script *s, const struct buf *cs)
{
    struct hello_opts o = {.sni = "mail.example.com"};
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, false);
    static struct buf b, h, empty;
    b.n = h.n = empty.n = 0;
    certificate_list(&b, chain2, 2, false);
    hs(&h, 11, &b);
    if (cs != NULL)
        hs(&h, 22, cs);
    hs(&h, 14, &empty);
    record(sv, 22, &h);
    tls12_finish(s);
}

/* RFC 6066 §8: a CertificateStatus after the server's Certificate is a
 * stapled OCSP response; without one the flight went on to
 * ServerHelloDone, and none was stapled although the client asked. */
static void
test_tls12_stapled(void **state)
{
    (void)state;
    static struct buf cs;
    cs.n = 0;
    status_ocsp(&cs, 300, 300);
    struct script s;
    tls12_flight(&s, &cs);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_true(t->status_request);
    assert_int_equal(t->ocsp_stapled, TLS_OCSP_STAPLED);
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->n_server_chain, 2);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    /* the response's bytes handed up whole for src/ocsp.c (fctx_ocsp) */
    assert_non_null(t->ocsp);
    assert_int_equal(t->ocsp->len, 300);
    assert_false(t->ocsp->too_large);
    for (unsigned i = 0; i < 300; i++)
        assert_int_equal(t->ocsp->der[i], 0x30 + i % 7);
    assert_false(tu_has_event(ctx, "tls.malformed_message"));
    assert_false(tu_has_event(ctx, "tls.truncated_message"));
    tu_fstr_is(&t->hs_history, "C:CH S:SH S:CRT S:CST S:SHD C:CKE C:CCS C:FIN(encrypted) S:CCS "
                               "S:FIN(encrypted)");
    fctx_destroy(ctx);
    check_splits(&s);

    tls12_flight(&s, NULL);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(ctx)->status_request);
    assert_int_equal(tf(ctx)->ocsp_stapled, TLS_OCSP_NONE);
    assert_null(tf(ctx)->ocsp);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A response larger than tls.ocsp_max is still a staple, but not kept:
 * its length and the event tls.ocsp_cap say so (the session is judged
 * without it); one of exactly the cap is kept. */
static void
test_tls12_ocsp_cap(void **state)
{
    (void)state;
    for (unsigned n = 299; n <= 300; n++) {
        tu_tls_cfg.tls_ocsp_max = 299;
        static struct buf cs;
        cs.n = 0;
        status_ocsp(&cs, n, n);
        struct script s;
        tls12_flight(&s, &cs);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_int_equal(t->ocsp_stapled, TLS_OCSP_STAPLED);
        assert_non_null(t->ocsp);
        assert_int_equal(t->ocsp->len, n);
        assert_int_equal(t->ocsp->too_large, n > 299);
        assert_int_equal(tu_has_event(ctx, "tls.ocsp_cap"), n > 299);
        fctx_destroy(ctx);
    }
}

/* Only the server's flight tells: none seen (the capture ends after the
 * ServerHello, or inside the Certificate) leaves it unknown, and a type-22
 * message from the client is not the server's staple. */
static void
test_tls12_flight_not_seen(void **state)
{
    (void)state;
    struct script s;
    struct hello_opts o = {.sni = "mail.example.com"};
    s.n = 0;
    client_hello(next(&s, DIR_TO_SERVER), &o);
    server_hello(next(&s, DIR_TO_CLIENT), false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->ocsp_stapled, TLS_OCSP_UNSEEN);
    fctx_destroy(ctx);

    static struct buf cs;
    cs.n = 0;
    status_ocsp(&cs, 300, 300);
    tls12_flight(&s, &cs);
    s.seg[1].data.n = 5 + 60; /* the server's record cut inside the ServerHello's successor */
    s.n = 2;
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->ocsp_stapled, TLS_OCSP_UNSEEN);
    assert_int_equal(tf(ctx)->certificates, TLS_CERTS_TRUNCATED);
    fctx_destroy(ctx);
    check_splits(&s);

    tls12_flight(&s, NULL);
    static struct buf h;
    h.n = 0;
    hs(&h, 22, &cs);
    record(&s.seg[0].data, 22, &h); /* the client sends one after its ClientHello */
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    tu_fstr_is(&tf(ctx)->hs_history, "C:CH C:CST S:SH S:CRT S:SHD C:CKE C:CCS C:FIN(encrypted) "
                                     "S:CCS S:FIN(encrypted)");
    assert_int_equal(tf(ctx)->ocsp_stapled, TLS_OCSP_NONE);
    fctx_destroy(ctx);
}

/* RFC 6961 §2.2 ocsp_multi: a list of responses, the first for the
 * server's own certificate (empty when the server has none for it). */
static void
test_tls12_ocsp_multi(void **state)
{
    (void)state;
    for (unsigned first = 0; first < 2; first++) {
        static struct buf cs;
        cs.n = 0;
        u8(&cs, 2);
        size_t list = open_len(&cs, 3);
        u24(&cs, first ? 40 : 0);
        for (unsigned i = 0; i < (first ? 40u : 0u); i++)
            u8(&cs, i);
        u24(&cs, 20); /* the intermediate's */
        for (unsigned i = 0; i < 20; i++)
            u8(&cs, i);
        close_len(&cs, list, 3);
        struct script s;
        tls12_flight(&s, &cs);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        assert_int_equal(tf(ctx)->ocsp_stapled, first ? TLS_OCSP_STAPLED : TLS_OCSP_NONE);
        /* the first response, the leaf's, handed up; never the intermediate's */
        if (first)
            assert_int_equal(tf(ctx)->ocsp->der[39], 39);
        else
            assert_null(tf(ctx)->ocsp);
        assert_false(tu_has_event(ctx, "tls.malformed_message"));
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

/* Damaged CertificateStatus messages: an empty body, an empty response
 * (OCSPResponse<1..2^24-1>), a response longer than the message, an
 * ocsp_multi list longer than the message, one that ends inside a
 * response, another status type. Each is reported (but the last, which is
 * no OCSP response), none is a staple, the rest of the handshake is read. */
static void
test_tls12_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *event; /* NULL: none */
        unsigned kind;
    } cases[] = {
        {"tls.truncated_message", 0}, {"tls.malformed_message", 1}, {"tls.truncated_message", 2},
        {"tls.malformed_message", 3}, {"tls.malformed_message", 4}, {NULL, 5},
    };
    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        static struct buf cs;
        cs.n = 0;
        switch (cases[c].kind) {
        case 0:
            break;
        case 1:
            status_ocsp(&cs, 0, 0);
            break;
        case 2:
            status_ocsp(&cs, 301, 300);
            break;
        case 3:
            u8(&cs, 2);
            u24(&cs, 50);
            u24(&cs, 10);
            for (unsigned i = 0; i < 10; i++)
                u8(&cs, i);
            break;
        case 4:
            u8(&cs, 2);
            u24(&cs, 13);
            u24(&cs, 10);
            for (unsigned i = 0; i < 10; i++)
                u8(&cs, i);
            /* a correct list length, then the first response's length says 11 */
            cs.b[6] = 11;
            break;
        default:
            u8(&cs, 7);
            u16(&cs, 0x1234);
            break;
        }
        struct script s;
        tls12_flight(&s, &cs);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_int_equal(t->ocsp_stapled, TLS_OCSP_NONE);
        assert_null(t->ocsp); /* nothing of a damaged one handed up */
        if (cases[c].event)
            assert_true(tu_has_event(ctx, cases[c].event));
        else
            assert_false(tu_has_event(ctx, "tls.malformed_message") ||
                         tu_has_event(ctx, "tls.truncated_message"));
        assert_int_equal(t->n_server_chain, 2);
        assert_int_equal(t->handshake, TLS_HS_COMPLETE);
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

/* ClientHello and ServerHello of TLS 1.3, then the server's flight sealed
 * under its handshake keys (EncryptedExtensions, Certificate whose leaf
 * entry has the extensions leaf_exts, Finished) and the client's Finished.
 * With keylog set, the key log has the secrets. */
static void
tls13_flight(struct script *s, const struct buf *leaf_exts, bool keylog)
{
    struct hello_opts o = {.sni = "mail.example.com", .tls13 = true, .random = 0x20};
    if (keylog)
        tls13_keylog(0x20);
    struct tls_dec ck, sk;
    tls13_keys(&ck, TU_SECRET_C);
    tls13_keys(&sk, TU_SECRET_S);
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, true);
    static struct buf m, ee;
    m.n = ee.n = 0;
    u16(&ee, 0);
    hs(&m, 8, &ee); /* EncryptedExtensions, none */
    tls13_certificate(&m, chain2, 2, leaf_exts);
    tls13_seal(sv, &sk, 22, &m);
    m.n = 0;
    tls13_finished(&m);
    tls13_seal(sv, &sk, 22, &m);
    tls13_seal(next(s, DIR_TO_SERVER), &ck, 22, &m);
}

/* RFC 8446 §4.4.2.1: the server's OCSP response is the status_request
 * extension of its leaf's CertificateEntry, seen once the handshake is
 * decrypted; without keys, unknown. An entry without it, or a
 * status_request on another certificate only, is no staple of the leaf. */
static void
test_tls13_stapled(void **state)
{
    (void)state;
    static struct buf ext, body;
    body.n = 0;
    status_ocsp(&body, 200, 200);
    ext.n = 0;
    u16(&ext, 5); /* status_request */
    u16(&ext, (unsigned)body.n);
    put(&ext, body.b, body.n);
    struct script s;
    tls13_flight(&s, &ext, true);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_true(t->decrypted);
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->n_server_chain, 2);
    assert_int_equal(t->ocsp_stapled, TLS_OCSP_STAPLED);
    assert_int_equal(t->ocsp->len, 200); /* the leaf entry's, handed up */
    assert_false(tu_has_event(ctx, "tls.malformed_message"));
    fctx_destroy(ctx);
    check_splits(&s);
    keylog_free();

    tls13_flight(&s, &ext, false); /* no key log: encrypted */
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->certificates, TLS_CERTS_ENCRYPTED);
    assert_int_equal(tf(ctx)->ocsp_stapled, TLS_OCSP_UNSEEN);
    fctx_destroy(ctx);

    static struct buf other;
    other.n = 0;
    u16(&other, 18); /* signed_certificate_timestamp, a stand-in list */
    u16(&other, 4);
    u16(&other, 2);
    u16(&other, 0);
    tls13_flight(&s, &other, true);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->ocsp_stapled, TLS_OCSP_NONE);
    fctx_destroy(ctx);
    keylog_free();
}

/* A leaf entry's status_request whose response runs past the extension,
 * or whose extension runs past the entry's extensions: reported, no
 * staple, the leaf kept. */
static void
test_tls13_malformed(void **state)
{
    (void)state;
    for (unsigned kind = 0; kind < 2; kind++) {
        static struct buf ext;
        ext.n = 0;
        u16(&ext, 5);
        u16(&ext, kind == 0 ? 24 : 40); /* kind 1: longer than what follows */
        status_ocsp(&ext, kind == 0 ? 30 : 20, 20);
        struct script s;
        tls13_flight(&s, &ext, true);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_true(t->decrypted);
        assert_int_equal(t->ocsp_stapled, TLS_OCSP_NONE);
        assert_true(tu_has_event(ctx, "tls.malformed_message"));
        assert_int_equal(t->n_server_chain, 2); /* the damage stays in its entry */
        assert_string_equal(certcache_get(t->server_chain[0])->info.subject_cn, "mail.example.com");
        fctx_destroy(ctx);
        check_splits(&s);
        keylog_free();
    }
}

/* A CertificateStatus in a flight without a Certificate (anonymous, or
 * out of order) staples nothing of a chain: ocsp_stapled stays unknown. */
static void
test_tls12_status_without_certificate(void **state)
{
    (void)state;
    struct hello_opts o = {.sni = "mail.example.com"};
    struct script s;
    s.n = 0;
    client_hello(next(&s, DIR_TO_SERVER), &o);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    server_hello(sv, false);
    static struct buf cs, h, empty;
    cs.n = h.n = empty.n = 0;
    status_ocsp(&cs, 300, 300);
    hs(&h, 22, &cs);
    hs(&h, 14, &empty);
    record(sv, 22, &h);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->ocsp_stapled, TLS_OCSP_UNSEEN);
    assert_int_equal(tf(ctx)->n_server_chain, 0);
    fctx_destroy(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tls12_stapled, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls12_ocsp_cap, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls12_flight_not_seen, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls12_ocsp_multi, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls12_malformed, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls13_stapled, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls13_malformed, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls12_status_without_certificate, tu_tls_setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
