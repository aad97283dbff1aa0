/* \summary: unit tests for TLS picked up in the middle of a handshake
 * (dissectors/tls_pickup.c): a connection seen without its start nor its
 * ClientHello. A direction under keys before the capture (its encrypted
 * Finished first, RFC 5246 §7.4.9), one that begins inside a record, and
 * application data or an encrypted alert of a side whose ChangeCipherSpec
 * was not seen: read as what they are, never as clear messages, damage or
 * a failure. Picked up right after the server's ServerHello, the order of
 * the ChangeCipherSpecs tells a resumed handshake from a full one, or
 * nothing (tls_pickup_order). Transcripts are built with tu_tls.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tu_replay.h"
#include "tu_tls.h"

static const char *
history(const struct flow_ctx *ctx)
{
    const struct fstr *h = &tf(ctx)->hs_history;
    return h->s ? (const char *)h->s : "";
}

/* Picked up between the client's ChangeCipherSpec and its Finished (a
 * Windows client sends them in segments of their own): the client's first
 * record is a handshake record under keys. It is its encrypted Finished,
 * not a clear message (whose length would run past the record: a message
 * over tls.hs_msg_max, a handshake never complete); then the server's CCS
 * and Finished complete the handshake. */
static void
test_pickup_encrypted_finished(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    struct script s;
    s.n = 0;
    opaque(next(&s, DIR_TO_SERVER), 22, 40); /* encrypted Finished */
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    ccs(sv);
    opaque(sv, 22, 40);
    opaque(next(&s, DIR_TO_SERVER), 23, 60);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    assert_int_equal(t->n_alerts, 0);
    assert_int_equal(t->certificates, TLS_CERTS_UNKNOWN);
    assert_false(tu_has_event(ctx, "tls.hs_msg_cap"));
    assert_false(tu_has_event(ctx, "tls.malformed_message"));
    assert_string_equal(history(ctx), "... C:FIN(encrypted) S:CCS S:FIN(encrypted)");
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The server picked up inside its Certificate record (the rest of it
 * spans the segment): no record header there. Not damage: read again
 * from its next delivery that begins with one (NewSessionTicket, CCS,
 * encrypted Finished); the client's application data says its Finished
 * was sent: complete. */
static void
test_pickup_inside_record(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    struct script s;
    s.n = 0;
    struct buf *tail = next(&s, DIR_TO_CLIENT);
    for (unsigned i = 0; i < 300; i++) /* DER-like bytes, no record header */
        u8(tail, i % 3 ? 0x30 : 0x82);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    static struct buf nst;
    nst.n = 0;
    u8(&nst, 4); /* NewSessionTicket, 8 bytes */
    u24(&nst, 8);
    for (unsigned i = 0; i < 8; i++)
        u8(&nst, i);
    record(sv, 22, &nst);
    ccs(sv);
    opaque(sv, 22, 40);
    opaque(next(&s, DIR_TO_SERVER), 23, 60);
    opaque(next(&s, DIR_TO_CLIENT), 21, 26); /* close_notify, after it */
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_true(tu_has_event(ctx, "tls.midstream_record"));
    assert_false(tu_has_event(ctx, "tls.malformed_record"));
    assert_false(tu_has_event(ctx, "tls.appdata_in_clear"));
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    assert_int_equal(t->n_alerts, 0);
    assert_int_equal(t->certificates, TLS_CERTS_UNKNOWN);
    assert_int_equal(t->n_server_chain, 0);
    assert_string_equal(history(ctx), "... S:NST S:CCS S:FIN(encrypted)");
    fctx_destroy(ctx);

    /* seen from its start, the same bytes are damage */
    tu_tls_midstream = false;
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "tls.malformed_record"));
    fctx_destroy(ctx);
}

/* Picked up after the server's clear messages, before either side's
 * ChangeCipherSpec was seen: the server's encrypted alert (26 bytes) is
 * no clear alert (tls.malformed_alert) and fails nothing (a close_notify,
 * as likely as not), nor is the client's application data in clear. */
static void
test_pickup_unreadable_alert(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    struct script s;
    s.n = 0;
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    static struct buf shd;
    shd.n = 0;
    u8(&shd, 14); /* ServerHelloDone */
    u24(&shd, 0);
    record(sv, 22, &shd);
    opaque(next(&s, DIR_TO_CLIENT), 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_not_equal(t->handshake, TLS_HS_FAILED);
    assert_int_equal(t->n_alerts, 1);
    assert_int_equal(t->alerts[0].level, -1);
    assert_false(tu_has_event(ctx, "tls.malformed_alert"));
    assert_string_equal(history(ctx), "... S:SHD S:ALERT(encrypted)");
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The server's flight after a ServerHello not in the capture: perhaps a
 * NewSessionTicket, then its ChangeCipherSpec and encrypted Finished. */
static void
server_ccs_fin(struct script *s, bool nst)
{
    struct buf *sv = next(s, DIR_TO_CLIENT);
    if (nst) {
        static struct buf m;
        m.n = 0;
        u8(&m, 4); /* NewSessionTicket, 8 bytes */
        u24(&m, 8);
        for (unsigned i = 0; i < 8; i++)
            u8(&m, i);
        record(sv, 22, &m);
    }
    ccs(sv);
    opaque(sv, 22, 40);
}

/* RFC 5246 §7.3's abbreviated handshake (RFC 5077 §3.1 with a ticket):
 * the server's ChangeCipherSpec and Finished, then the client's: resumed,
 * none sent (it was read as picked up past the certificates). */
static void
test_pickup_order_resumed(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    for (int nst = 0; nst <= 1; nst++) {
        struct script s;
        s.n = 0;
        server_ccs_fin(&s, nst);
        struct buf *cl = next(&s, DIR_TO_SERVER);
        ccs(cl);
        opaque(cl, 22, 40);
        opaque(next(&s, DIR_TO_SERVER), 23, 60);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_true(t->resumed);
        assert_int_equal(t->certificates, TLS_CERTS_RESUMED);
        assert_int_equal(t->pickup_undecided, TLS_PICKUP_DECIDED);
        assert_int_equal(t->handshake, TLS_HS_COMPLETE);
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

/* A full handshake picked up at the server's ChangeCipherSpec: the
 * client's came before the capture, so its next record is under keys
 * (application data): not resumed, and told. The server's application data
 * right after its Finished (on 465 it greets first) follows the client's
 * Finished in a resumed handshake too (RFC 5246 §7.3): full only if the
 * capture holds the client's side, which diagnose.c tells by its packets
 * (TLS_PICKUP_SERVER_ONLY12). */
static void
test_pickup_order_full(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    for (int who = 0; who <= 1; who++) {
        struct script s;
        s.n = 0;
        server_ccs_fin(&s, true);
        opaque(next(&s, who ? DIR_TO_CLIENT : DIR_TO_SERVER), 23, 60);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_false(t->resumed);
        assert_int_equal(t->certificates, TLS_CERTS_UNKNOWN);
        assert_int_equal(t->pickup_undecided, who ? TLS_PICKUP_SERVER_ONLY12 : TLS_PICKUP_DECIDED);
        fctx_destroy(ctx);
        check_splits(&s);
    }
    /* the client's ChangeCipherSpec first: the full handshake's order */
    struct script s;
    s.n = 0;
    struct buf *cl = next(&s, DIR_TO_SERVER);
    ccs(cl);
    opaque(cl, 22, 40);
    server_ccs_fin(&s, false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_false(tf(ctx)->resumed);
    assert_int_equal(tf(ctx)->pickup_undecided, TLS_PICKUP_DECIDED);
    fctx_destroy(ctx);
}

/* Nothing of the client after the server's ChangeCipherSpec and Finished
 * (the capture ended): resumed or full cannot be told. TLS 1.3's
 * compatibility ChangeCipherSpec (RFC 8446 §D.4) followed by the
 * server's encrypted records: its flight holds the certificates or, with a
 * PSK, none; neither can be told. */
static void
test_pickup_order_undecided(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    struct script s;
    s.n = 0;
    server_ccs_fin(&s, false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_false(tf(ctx)->resumed);
    assert_int_equal(tf(ctx)->pickup_undecided, TLS_PICKUP_UNDECIDED12);
    fctx_destroy(ctx);

    s.n = 0;
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    ccs(sv);
    opaque(sv, 23, 30);  /* EncryptedExtensions */
    opaque(sv, 23, 800); /* Certificate, or not */
    struct buf *cl = next(&s, DIR_TO_SERVER);
    ccs(cl);
    opaque(cl, 23, 53);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_false(tf(ctx)->resumed);
    assert_int_equal(tf(ctx)->pickup_undecided, TLS_PICKUP_UNDECIDED13);
    fctx_destroy(ctx);
}

/* The TCP header of each delivery of run_acked's: a gap of `gap` bytes in
 * the client's direction before it when gap > 0. */
struct acked {
    uint32_t seq, ack;
    bool has_ack;
    uint32_t gap;
};

/* s replayed whole on port `port`, each delivery i with a[i]'s TCP header
 * (fctx_packet, as the engine notes it). */
static struct flow_ctx *
run_acked(const struct script *s, const struct acked *a, uint16_t port, bool starttls)
{
    struct flow_ctx *ctx = fctx_new(&tu_tls_cfg, port);
    assert_non_null(ctx);
    fctx_facts(ctx)->midstream = true;
    fctx_facts(ctx)->smtp.starttls_command = starttls;
    fctx_attach(ctx, &tls_dissector);
    int64_t t = 1000;
    uint32_t seed = 0;
    for (unsigned i = 0; i < s->n; i++) {
        if (a[i].gap > 0)
            (void)fctx_gap(ctx, DIR_TO_SERVER, a[i].gap, t);
        fctx_packet(ctx, s->seg[i].d, a[i].seq, a[i].ack, a[i].has_ack);
        tu_deliver(ctx, s->seg[i].d, s->seg[i].data.b, s->seg[i].data.n, SPLIT_WHOLE, &seed, 600,
                   &t);
    }
    fctx_eof(ctx, DIR_TO_SERVER, t);
    fctx_eof(ctx, DIR_TO_CLIENT, t);
    return ctx;
}

/* The server's side alone: its ChangeCipherSpec and Finished (a 45-byte
 * record) in one packet, its greeting in the next, no record of the
 * client's. The server's ACKs tell the handshake (tls_pickup_by_ack): the
 * same on both, the client sent nothing between: full (any port); moved on
 * by a ChangeCipherSpec and a Finished of the server's length (6 + 45) on
 * an implicit-TLS port without STARTTLS: resumed. Anything else, or ACKs
 * not to be trusted, tells nothing (TLS_PICKUP_SERVER_ONLY12). */
static void
test_pickup_order_by_ack(void **state)
{
    (void)state;
    struct script s;
    s.n = 0;
    server_ccs_fin(&s, false);
    opaque(next(&s, DIR_TO_CLIENT), 23, 60);             /* the 220 greeting */
    const uint32_t seq = 4000000000u, ack = 4294967290u; /* the ACK wraps past 2^32 */
    static const struct {
        uint16_t port;
        bool starttls;
        struct acked a[2];
        uint8_t want; /* enum tls_pickup_undecided; TLS_PICKUP_DECIDED: resumed */
    } cases[] = {
        {465, false, {{seq, ack, true, 0}, {seq + 51, ack, true, 0}}, TLS_PICKUP_FULL_BY_ACK},
        {25, false, {{seq, ack, true, 0}, {seq + 51, ack, true, 0}}, TLS_PICKUP_FULL_BY_ACK},
        {465, false, {{seq, ack, true, 0}, {seq + 51, ack + 51, true, 0}}, TLS_PICKUP_DECIDED},
        /* STARTTLS: a full handshake's EHLO may be 51 bytes */
        {25, false, {{seq, ack, true, 0}, {seq + 51, ack + 51, true, 0}}, TLS_PICKUP_SERVER_ONLY12},
        {465, true, {{seq, ack, true, 0}, {seq + 51, ack + 51, true, 0}}, TLS_PICKUP_SERVER_ONLY12},
        /* another length: a client that talked before the greeting */
        {465,
         false,
         {{seq, ack, true, 0}, {seq + 51, ack + 52, true, 0}},
         TLS_PICKUP_SERVER_ONLY12},
        {465,
         false,
         {{seq, ack, true, 0}, {seq + 51, ack + 50, true, 0}},
         TLS_PICKUP_SERVER_ONLY12},
        /* no ACK flag on either packet */
        {465, false, {{seq, ack, false, 0}, {seq + 51, ack, true, 0}}, TLS_PICKUP_SERVER_ONLY12},
        {465, false, {{seq, ack, true, 0}, {seq + 51, ack, false, 0}}, TLS_PICKUP_SERVER_ONLY12},
        /* the ACK went back; the data's packet sent before the CCS's */
        {465, false, {{seq, ack, true, 0}, {seq + 51, ack - 1, true, 0}}, TLS_PICKUP_SERVER_ONLY12},
        {465, false, {{seq, ack, true, 0}, {seq - 1, ack, true, 0}}, TLS_PICKUP_SERVER_ONLY12},
        /* bytes of the client's lost between */
        {465, false, {{seq, ack, true, 0}, {seq + 51, ack, true, 51}}, TLS_PICKUP_SERVER_ONLY12},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct flow_ctx *ctx = run_acked(&s, cases[i].a, cases[i].port, cases[i].starttls);
        const struct tls_facts *t = tf(ctx);
        bool resumed = cases[i].want == TLS_PICKUP_DECIDED;
        assert_int_equal(t->pickup_undecided, cases[i].want);
        assert_int_equal(t->resumed, resumed);
        assert_int_equal(t->certificates, resumed ? TLS_CERTS_RESUMED : TLS_CERTS_UNKNOWN);
        fctx_destroy(ctx);
    }
}

/* Picked up after the handshake at the server's records (a TLS 1.3
 * server's NewSessionTicket, a reply), the capture ending inside its next
 * record before the client sent any: no handshake's shape showed
 * (tls_pickup_noccs still watching), and the cut record is application
 * data, not certificates cut short (it was read so: "cut short"). */
static void
test_pickup_watch_eof(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    struct script s;
    s.n = 0;
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    opaque(sv, 23, 60);
    opaque(sv, 23, 200);
    sv->n -= 150; /* the capture ends inside the second record */
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_UNSEEN);
    assert_int_equal(t->certificates, TLS_CERTS_UNKNOWN);
    assert_int_equal(t->pickup_undecided, TLS_PICKUP_DECIDED);
    assert_false(tu_has_event(ctx, "tls.truncated"));
    fctx_destroy(ctx);
}

/* TLS 1.3 without the compatibility ChangeCipherSpec (RFC 8446 D.4),
 * picked up after its ServerHello: the server's encrypted flight, then the
 * client's Finished. A Finished padded (RFC 8446 §5.4, to a multiple of 16
 * bytes of TLSInnerPlaintext) at least as long as the server's last is the
 * handshake's shape too; a client's record shorter than the server's
 * padded Finished, one not padded to a block, more padding than a block
 * policy adds, or after a server's record of no Finished's shape is not. */
static void
test_pickup_noccs13_padded(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    static const struct {
        unsigned slen, clen, told;
    } cases[] = {
        {53, 53, 1},   /* neither padded (SHA-256, GCM) */
        {53, 80, 1},   /* the client's padded to 64 bytes of inner plaintext */
        {80, 80, 1},   /* both padded */
        {69, 96, 1},   /* SHA-384, the client's padded to 80 */
        {80, 53, 0},   /* the client pads less: not told */
        {53, 75, 0},   /* 59 bytes inside: no block (or SMTPS picked up after its
                          handshake: a 220 greeting of 36 characters, 53 bytes under
                          keys, then a longer EHLO: tls_pickup_fin13_padded) */
        {210, 224, 0}, /* the server's last no Finished (a ticket?) */
        {53, 400, 0},  /* 331 zeros: more than a block policy adds */
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct script s;
        s.n = 0;
        struct buf *sv = next(&s, DIR_TO_CLIENT);
        opaque(sv, 23, 30);  /* EncryptedExtensions */
        opaque(sv, 23, 800); /* Certificate, CertificateVerify */
        opaque(sv, 23, cases[i].slen);
        opaque(next(&s, DIR_TO_SERVER), 23, cases[i].clen);
        opaque(next(&s, DIR_TO_SERVER), 23, 40); /* EHLO */
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        assert_int_equal(tf(ctx)->pickup_undecided,
                         cases[i].told ? TLS_PICKUP_UNDECIDED13_NOCCS : TLS_PICKUP_DECIDED);
        fctx_destroy(ctx);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pickup_encrypted_finished, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_inside_record, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_unreadable_alert, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_order_resumed, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_order_full, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_order_undecided, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_order_by_ack, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_watch_eof, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_noccs13_padded, tu_tls_setup, tu_tls_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
