/* \summary: unit tests for forged or repeated server handshake messages in
 * the TLS dissector (dissectors/tls.c, tls_hs.c): server records sent
 * before the client's first byte (after the 220 to STARTTLS: response
 * injection, the "NO STARTTLS" class) are dropped, not taken for the
 * server's flight (RFC 8446 §4.1.1, RFC 5246 §7.3); a second Certificate
 * message of one side is not added to the first's chain. Transcripts are
 * built with tu_tls.c and also replayed byte by byte and in seeded random
 * splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "certcache.h"
#include "tu_tls.h"

static const char *const chain2[] = {"leaf", "inter"};
static const char *const self1[] = {"selfsigned"};

/* A forged TLS 1.2 server flight: ServerHello, a self-signed Certificate,
 * ServerHelloDone, in one record. */
static void
forged_flight(struct buf *out)
{
    static struct buf recs, msgs;
    recs.n = msgs.n = 0;
    server_hello(&recs, false);
    certificate(&recs, self1, 1, true);
    for (size_t at = 0; at + 5 <= recs.n;) { /* the messages, without their records */
        size_t len = (size_t)recs.b[at + 3] << 8 | recs.b[at + 4];
        put(&msgs, recs.b + at + 5, len);
        at += 5 + len;
    }
    record(out, 22, &msgs);
}

/* The rest of a TLS 1.2 handshake from the ClientHello: the server's real
 * flight (leaf + intermediate), the client's key exchange, CCS and
 * Finished, the server's CCS and Finished. `pre`: server bytes that come
 * first in the real flight's delivery. */
static void
tls12_from_hello(struct script *s, const struct buf *pre)
{
    struct hello_opts o = {.sni = "mail.example.com"};
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    if (pre != NULL)
        put(sv, pre->b, pre->n);
    server_hello(sv, false);
    certificate(sv, chain2, 2, true);
    tls12_finish(s);
}

/* s delivered with its first segment (the ClientHello) lost: a gap. */
static struct flow_ctx *
run_hello_lost(const struct script *s)
{
    struct flow_ctx *ctx = fctx_new(&tu_tls_cfg, 465);
    assert_non_null(ctx);
    fctx_attach(ctx, &tls_dissector);
    fctx_facts(ctx)->smtp.tls_started = true;
    (void)fctx_gap(ctx, DIR_TO_SERVER, s->seg[0].data.n, 1000);
    int64_t t = 1001;
    uint32_t seed = 1;
    for (unsigned k = 1; k < s->n; k++)
        tu_deliver(ctx, s->seg[k].d, s->seg[k].data.b, s->seg[k].data.n, SPLIT_WHOLE, &seed, 600,
                   &t);
    return ctx;
}

/* The facts of a handshake whose only chain is the real one. */
static void
real_chain_only(const struct flow_ctx *ctx)
{
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->n_server_chain, 2);
    assert_string_equal(certcache_get(t->server_chain[0])->info.subject_cn, "mail.example.com");
    assert_string_equal(certcache_get(t->server_chain[1])->info.subject_cn,
                        "smtptap Test Intermediate CA");
    assert_false(tu_has_event(ctx, "tls.duplicate_certificate"));
    tu_fstr_is(&t->hs_history, "C:CH S:SH S:CRT S:SHD C:CKE C:CCS C:FIN(encrypted) S:CCS "
                               "S:FIN(encrypted)");
}

/* A forged server flight before the ClientHello is dropped and said; the
 * real flight after it is the server's. It had been read as the server's
 * (its self-signed certificate first in a chain of three). Whole, and cut
 * by the ClientHello anywhere (in its header, its body): a record that
 * began before the client's first byte is dropped however it ends. In a
 * connection picked up midstream the server's first records are read: its
 * ClientHello may precede the capture. */
static void
test_server_records_before_client_hello(void **state)
{
    (void)state;
    static struct buf forged;
    forged.n = 0;
    forged_flight(&forged);
    tu_tls_starttls = true; /* after a 220 to STARTTLS */
    static const size_t cuts[] = {0, 1, 4, 5, 100};
    for (unsigned i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        struct script s;
        s.n = 0;
        static struct buf rest;
        rest.n = 0;
        size_t cut = cuts[i] ? cuts[i] : forged.n; /* 0: all of it first */
        put(next(&s, DIR_TO_CLIENT), forged.b, cut);
        put(&rest, forged.b + cut, forged.n - cut);
        tls12_from_hello(&s, &rest);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        real_chain_only(ctx);
        assert_true(tu_has_event(ctx, "tls.server_pipelined_data"));
        fctx_destroy(ctx);
        check_splits(&s);
    }

    /* the ClientHello lost by the capture (a gap where it was): the
     * server's flight answers it, and is read */
    {
        struct script s;
        s.n = 0;
        tls12_from_hello(&s, NULL);
        struct flow_ctx *ctx = run_hello_lost(&s);
        assert_int_equal(tf(ctx)->n_server_chain, 2);
        assert_int_equal(tf(ctx)->certificates, TLS_CERTS_VISIBLE);
        assert_false(tu_has_event(ctx, "tls.server_pipelined_data"));
        fctx_destroy(ctx);
    }

    /* implicit TLS (port 465) seen from the server's side only (a span
     * port with one direction), or picked up after the ClientHello: no
     * plaintext phase to inject into, and its flight is read */
    tu_tls_starttls = false;
    for (int midstream = 0; midstream <= 1; midstream++) {
        struct script s;
        s.n = 0;
        tls12_from_hello(&s, NULL);
        for (unsigned k = 0; k < s.n; k++)
            if (s.seg[k].d == DIR_TO_SERVER)
                s.seg[k].data.n = 0; /* the client's bytes not captured */
        tu_tls_midstream = midstream;
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        assert_int_equal(tf(ctx)->n_server_chain, 2);
        assert_int_equal(tf(ctx)->certificates, TLS_CERTS_VISIBLE);
        assert_false(tu_has_event(ctx, "tls.server_pipelined_data"));
        fctx_destroy(ctx);
    }
}

/* The same through SMTP: "220 Ready" and a forged flight in one segment,
 * before the ClientHello (t09 of the review): the forged records never
 * reach the facts. */
static void
test_injection_after_starttls_220(void **state)
{
    (void)state;
    struct script s;
    s.n = 0;
    struct buf *b = next(&s, DIR_TO_CLIENT);
    put(b, "220 mx ESMTP\r\n", 14);
    b = next(&s, DIR_TO_SERVER);
    put(b, "EHLO c\r\n", 8);
    b = next(&s, DIR_TO_CLIENT);
    put(b, "250-mx\r\n250 STARTTLS\r\n", 22);
    b = next(&s, DIR_TO_SERVER);
    put(b, "STARTTLS\r\n", 10);
    b = next(&s, DIR_TO_CLIENT);
    put(b, "220 2.0.0 Ready\r\n", 17);
    forged_flight(b);
    tls12_from_hello(&s, NULL);
    for (int mode = SPLIT_WHOLE; mode <= SPLIT_RANDOM; mode++) {
        struct flow_ctx *ctx = fctx_new(&tu_tls_cfg, 25);
        assert_non_null(ctx);
        fctx_attach(ctx, &smtp_dissector);
        int64_t t = 1000;
        uint32_t seed = 7;
        for (unsigned i = 0; i < s.n; i++)
            tu_deliver(ctx, s.seg[i].d, s.seg[i].data.b, s.seg[i].data.n, (enum split_mode)mode,
                       &seed, 300, &t);
        fctx_eof(ctx, DIR_TO_SERVER, t);
        fctx_eof(ctx, DIR_TO_CLIENT, t);
        assert_true(fctx_facts_const(ctx)->smtp.tls_started);
        real_chain_only(ctx);
        assert_true(tu_has_event(ctx, "tls.server_pipelined_data"));
        fctx_destroy(ctx);
    }
}

/* A second server Certificate message in one handshake (here right after
 * the first) is not added to the chain: a client takes the first and
 * answers a second with unexpected_message, so the first is what it
 * judged. The chain had grown to three, the forged certificate judged as
 * the server's intermediate. */
static void
test_duplicate_certificate(void **state)
{
    (void)state;
    struct script s;
    struct hello_opts o = {.sni = "mail.example.com"};
    s.n = 0;
    client_hello(next(&s, DIR_TO_SERVER), &o);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    server_hello(sv, false);
    certificate(sv, chain2, 2, false);
    certificate(sv, self1, 1, true);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->n_server_chain, 2);
    assert_string_equal(certcache_get(t->server_chain[0])->info.subject_cn, "mail.example.com");
    assert_string_equal(certcache_get(t->server_chain[1])->info.subject_cn,
                        "smtptap Test Intermediate CA");
    assert_true(tu_has_event(ctx, "tls.duplicate_certificate"));
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The ClientHello lost by the capture: the client's side is not read after
 * the gap, so its Finished is not seen; the server's application data
 * after its own Finished shows the handshake completed, and a closing
 * encrypted alert is no failure (a session that carried its mail over TLS
 * read "the server ended the handshake with an encrypted alert"). */
static void
test_hello_lost_then_close(void **state)
{
    (void)state;
    struct script s;
    s.n = 0;
    tls12_from_hello(&s, NULL);
    opaque(next(&s, DIR_TO_CLIENT), 23, 39); /* the server's data */
    opaque(next(&s, DIR_TO_CLIENT), 21, 26); /* its close_notify */
    struct flow_ctx *ctx = run_hello_lost(&s);
    assert_true(tf(ctx)->gap);
    assert_int_equal(tf(ctx)->handshake, TLS_HS_COMPLETE);
    fctx_destroy(ctx);

    /* the server's flight and then only an encrypted alert: it may be the
     * close_notify of a handshake that finished unseen, not a failure */
    tls12_server_flight(&s, "mail.example.com", NULL);
    opaque(next(&s, DIR_TO_CLIENT), 21, 26);
    ctx = run_hello_lost(&s);
    assert_int_not_equal(tf(ctx)->handshake, TLS_HS_FAILED);
    fctx_destroy(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_server_records_before_client_hello, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_injection_after_starttls_220, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_certificate, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_hello_lost_then_close, tu_tls_setup, tu_tls_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
