/* \summary: unit tests for TLS 1.2 session resumption in the TLS dissector
 * (dissectors/tls_hs.c) and its link to the chain of the full handshake
 * (src/resume.c): the ServerHello's session ID of a full handshake, the
 * ticket of a NewSessionTicket (RFC 5077 §3.3) presented again in a
 * ClientHello's SessionTicket extension (§3.2), a ticket renewed in a
 * resumed handshake, an unknown ticket or ID (not linked), and a damaged
 * NewSessionTicket (no ticket taken). Transcripts built with tu_tls.c,
 * replayed whole, byte by byte and in seeded random splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "resume.h"
#include "tu_tls.h"

static const char *const chain2[] = {"leaf", "inter"};

static int
setup(void **state)
{
    tu_tls_setup(state);
    return resume_init(64, 1);
}

static int
teardown(void **state)
{
    resume_free();
    return tu_tls_teardown(state);
}

/* A TLS 1.2 ClientHello: session ID sid (n bytes), one suite, and a
 * SessionTicket extension holding ticket (tn bytes; empty: asks for one). */
static void
ch(struct buf *rec, const uint8_t *sid, unsigned n, const uint8_t *ticket, unsigned tn)
{
    static struct buf b, h;
    b.n = h.n = 0;
    u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(&b, 0x11);
    u8(&b, n);
    if (n > 0)
        put(&b, sid, n);
    u16(&b, 2);
    u16(&b, 0xC02F);
    u8(&b, 1);
    u8(&b, 0);
    u16(&b, 4 + tn); /* extensions */
    u16(&b, 35);
    u16(&b, tn);
    if (tn > 0)
        put(&b, ticket, tn);
    hs(&h, 1, &b);
    record(rec, 22, &h);
}

/* A TLS 1.2 ServerHello with session ID sid (n bytes), no extensions, into
 * the handshake buffer h. */
static void
sh(struct buf *h, const uint8_t *sid, unsigned n)
{
    static struct buf b;
    b.n = 0;
    u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(&b, 0x22);
    u8(&b, n);
    put(&b, sid, n);
    u16(&b, 0xC02F);
    u8(&b, 0);
    hs(h, 2, &b);
}

/* A NewSessionTicket handshake message with ticket t (tn bytes) and extra
 * bytes after it, into h. */
static void
nst(struct buf *h, const uint8_t *t, unsigned tn, unsigned extra)
{
    static struct buf b;
    b.n = 0;
    u16(&b, 0);
    u16(&b, 7200); /* lifetime hint */
    u16(&b, tn);
    put(&b, t, tn);
    for (unsigned i = 0; i < extra; i++)
        u8(&b, 0);
    hs(h, 4, &b);
}

static const uint8_t sid_full[32] = {0xA1, 0xA2, 0xA3};
static const uint8_t sid_client[32] = {0xC1, 0xC2};
static const uint8_t ticket1[80] = {0x71, 0x72};
static const uint8_t ticket2[96] = {0x81, 0x82};

/* The full handshake: ServerHello (session ID sid_full), Certificate,
 * ServerHelloDone; the client's finish; NewSessionTicket (ticket1, extra
 * bytes after it when damaged), CCS, Finished. */
static void
full(struct script *s, unsigned damaged)
{
    s->n = 0;
    ch(next(s, DIR_TO_SERVER), NULL, 0, NULL, 0);
    static struct buf h, c, e;
    h.n = c.n = e.n = 0;
    sh(&h, sid_full, 32);
    certificate_list(&c, chain2, 2, false);
    hs(&h, 11, &c);
    hs(&h, 14, &e);
    record(next(s, DIR_TO_CLIENT), 22, &h);
    (void)tls12_client_finish(s);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    h.n = 0;
    nst(&h, ticket1, sizeof(ticket1), damaged);
    record(sv, 22, &h);
    ccs(sv);
    opaque(sv, 22, 40);
}

/* An abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1): the ClientHello
 * with session ID sid and ticket t (tn bytes, 0: none); the ServerHello
 * echoing sid, a renewed ticket when renew, CCS, Finished; the client's
 * CCS and Finished. */
static void
resumed(struct script *s, const uint8_t *sid, const uint8_t *t, unsigned tn, bool renew)
{
    s->n = 0;
    ch(next(s, DIR_TO_SERVER), sid, 32, t, tn);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    static struct buf h;
    h.n = 0;
    sh(&h, sid, 32);
    if (renew)
        nst(&h, ticket2, sizeof(ticket2), 0);
    record(sv, 22, &h);
    ccs(sv);
    opaque(sv, 22, 40);
    struct buf *cl = next(s, DIR_TO_SERVER);
    ccs(cl);
    opaque(cl, 22, 40);
}

static void
same_chain(const struct tls_facts *full_t, const struct tls_facts *t)
{
    assert_int_equal(t->n_resumed_chain, 2);
    assert_int_equal(t->resumed_chain[0], full_t->server_chain[0]);
    assert_int_equal(t->resumed_chain[1], full_t->server_chain[1]);
}

static void
test_ticket_and_session_id(void **state)
{
    (void)state;
    struct script s;
    full(&s, 0);
    struct flow_ctx *f = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(f)->certificates, TLS_CERTS_VISIBLE);
    assert_false(tf(f)->resumed);
    assert_int_equal(tf(f)->n_resumed_chain, 0);
    assert_int_equal(resume_count(), 2); /* its session ID and its ticket */
    check_splits(&s);

    /* by the ticket (the client's own session ID echoed, RFC 5077 §3.4),
     * with a renewed ticket, which links too */
    resumed(&s, sid_client, ticket1, sizeof(ticket1), true);
    struct flow_ctx *r = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(r)->resumed);
    assert_int_equal(tf(r)->certificates, TLS_CERTS_RESUMED);
    assert_int_equal(tf(r)->handshake, TLS_HS_COMPLETE);
    assert_int_equal(tf(r)->resumed_by, RESUME_TICKET);
    same_chain(tf(f), tf(r));
    assert_false(tu_has_event(r, "tls.malformed_message"));
    fctx_destroy(r);
    check_splits(&s);

    resumed(&s, sid_client, ticket2, sizeof(ticket2), false);
    r = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(r)->resumed_by, RESUME_TICKET);
    same_chain(tf(f), tf(r));
    fctx_destroy(r);

    /* by the full handshake's session ID, no ticket */
    resumed(&s, sid_full, NULL, 0, false);
    r = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(r)->resumed);
    assert_int_equal(tf(r)->resumed_by, RESUME_SESSION_ID);
    same_chain(tf(f), tf(r));
    fctx_destroy(r);

    /* neither known: resumed, not linked */
    static const uint8_t other[64] = {0x99};
    resumed(&s, sid_client, other, sizeof(other), false);
    r = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(r)->resumed);
    assert_int_equal(tf(r)->n_resumed_chain, 0);
    assert_int_equal(tf(r)->resumed_by, 0);
    fctx_destroy(r);
    fctx_destroy(f);
}

/* Bytes after the ticket: the message is damaged, no ticket is taken from
 * it (the session ID still is). */
static void
test_damaged_ticket(void **state)
{
    (void)state;
    struct script s;
    full(&s, 3);
    struct flow_ctx *f = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(f, "tls.malformed_message"));
    assert_int_equal(resume_count(), 1);
    fctx_destroy(f);
    resumed(&s, sid_client, ticket1, sizeof(ticket1), false);
    struct flow_ctx *r = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(r)->resumed);
    assert_int_equal(tf(r)->n_resumed_chain, 0);
    fctx_destroy(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ticket_and_session_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_ticket, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
