/* \summary: unit tests for TLS 1.3 resumption linking (dissectors/
 * tls_tickets13.c): a full handshake decrypted with a key log whose
 * SERVER_TRAFFIC_SECRET_0 opens the NewSessionTickets after the server's
 * Finished (RFC 8446 §4.6.1), then a ClientHello presenting the ticket as
 * a PSK identity (§4.2.11) that the server selects, linked to the full
 * handshake's chain; the selected index decides; a wrong application
 * secret (no link, an anomaly, no crash); application data ends the
 * reading (a ticket after it is not taken, its bytes are nowhere in the
 * facts); tickets before the client's Finished; the ports of one server
 * address share the table (Postfix's tlsmgr); tickets split across records
 * (§5.1), over tls.hs_msg_max, or cut by application data. Transcripts
 * whole, byte by byte and in seeded random splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "keylog.h"
#include "record.h"
#include "resume.h"
#include "tu_tls13.h"

static const char *const chain2[] = {"leaf", "inter"};

/* The server's application traffic secret, and another one. */
#define SECRET_A  "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define SECRET_A2 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

static int
setup(void **state)
{
    tu_tls_setup(state);
    return resume_init(64, 1);
}

static int
teardown(void **state)
{
    keylog_free();
    resume_free();
    return tu_tls_teardown(state);
}

/* SERVER_TRAFFIC_SECRET_0 for the ClientHello.random random, random+1 ... */
static void
app_keylog(unsigned random, const char *secret)
{
    char rnd[65], line[256];
    for (unsigned i = 0; i < 32; i++)
        snprintf(rnd + 2 * i, 3, "%02x", (random + i) & 0xff);
    snprintf(line, sizeof(line), "SERVER_TRAFFIC_SECRET_0 %s %s", rnd, secret);
    assert_int_equal(keylog_add_line(line), 2);
}

/* A TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1) with ticket t (tn bytes),
 * lifetime, a 1-byte nonce, no extensions, into h. */
static void
nst13(struct buf *h, const uint8_t *t, unsigned tn, unsigned lifetime)
{
    static struct buf b;
    b.n = 0;
    u16(&b, lifetime >> 16);
    u16(&b, lifetime & 0xffff);
    u16(&b, 0x1234); /* ticket_age_add */
    u16(&b, 0x5678);
    u8(&b, 1); /* nonce */
    u8(&b, 0);
    u16(&b, tn);
    put(&b, t, tn);
    u16(&b, 0); /* extensions */
    hs(h, 4, &b);
}

static const uint8_t ticket1[120] = {0x31, 0x32, 0x33};
static const uint8_t ticket2[120] = {0x41, 0x42, 0x43};
static const uint8_t ticket3[120] = {0x51, 0x52, 0x53};
static const char marker[] = "MAIL FROM:<secret@example.org>";

enum nst_when {
    NST_AFTER_CLIENT_FIN, /* tickets, then application data */
    NST_BEFORE_CLIENT_FIN,
    NST_AFTER_APPDATA /* application data first, then a ticket */
};

/* When set, full() sends its three NewSessionTickets as one stream of
 * handshake bytes cut into records of nst_cuts[0], nst_cuts[1] .. bytes
 * (the last size repeated): a ticket split across records, RFC 8446 §5.1,
 * as a server under a small record_size_limit (RFC 8449) sends them. */
static const unsigned *nst_cuts;
static unsigned n_nst_cuts;

/* The handshake bytes m sealed under k in records of the nst_cuts sizes. */
static void
seal_cut(struct buf *out, struct tls_dec *k, const struct buf *m)
{
    static struct buf piece;
    size_t at = 0;
    for (unsigned i = 0; at < m->n; i++) {
        size_t c = nst_cuts[i < n_nst_cuts ? i : n_nst_cuts - 1];
        if (c > m->n - at)
            c = m->n - at;
        piece.n = 0;
        put(&piece, m->b + at, c);
        tls13_seal(out, k, 22, &piece);
        at += c;
    }
}

/* The full handshake (ClientHello.random 0x20): ServerHello, the server's
 * encrypted flight (EE, Certificate of chain2, Finished), the client's
 * Finished, then under the server's application keys (app_secret):
 * NewSessionTickets ticket1 and ticket2, each in its record, and a record
 * of application data, in the order `when` says. */
static void
full(struct script *s, const char *app_secret, enum nst_when when)
{
    struct hello_opts o = {.sni = "mail.example.com", .tls13 = true, .random = 0x20};
    struct tls_dec ck, sk, ak;
    tls13_keys(&ck, TU_SECRET_C);
    tls13_keys(&sk, TU_SECRET_S);
    tls13_keys(&ak, app_secret);
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, true);
    static struct buf m, ee, fin, app;
    m.n = ee.n = fin.n = app.n = 0;
    u16(&ee, 0);
    hs(&m, 8, &ee);
    tls13_certificate(&m, chain2, 2, NULL);
    tls13_seal(sv, &sk, 22, &m);
    tls13_finished(&fin);
    tls13_seal(sv, &sk, 22, &fin);
    put(&app, marker, sizeof(marker) - 1);
    struct buf *post = sv;
    if (when != NST_BEFORE_CLIENT_FIN) {
        tls13_seal(next(s, DIR_TO_SERVER), &ck, 22, &fin);
        post = next(s, DIR_TO_CLIENT);
    }
    if (when == NST_AFTER_APPDATA)
        tls13_seal(post, &ak, 23, &app);
    m.n = 0;
    nst13(&m, ticket1, sizeof(ticket1), 7200);
    if (nst_cuts == NULL) {
        tls13_seal(post, &ak, 22, &m);
        m.n = 0;
    }
    nst13(&m, ticket2, sizeof(ticket2), 7200);
    nst13(&m, ticket3, sizeof(ticket3), 0); /* lifetime 0: discarded, RFC 8446 §4.6.1 */
    if (nst_cuts == NULL)
        tls13_seal(post, &ak, 22, &m);
    else
        seal_cut(post, &ak, &m);
    if (when == NST_BEFORE_CLIENT_FIN)
        tls13_seal(next(s, DIR_TO_SERVER), &ck, 22, &fin);
    else if (when == NST_AFTER_CLIENT_FIN)
        tls13_seal(post, &ak, 23, &app);
    tls13_seal(next(s, DIR_TO_SERVER), &ck, 23, &app); /* the client's command */
}

/* A TLS 1.3 ClientHello (random 0x60) offering the PSK identities ids[0..n)
 * (each 120 bytes), and a ServerHello selecting identity `selected` (none
 * when negative), then an opaque flight. */
static void
resumed(struct script *s, const uint8_t *const *ids, unsigned n, int selected)
{
    static struct buf b, h;
    s->n = 0;
    b.n = h.n = 0;
    u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(&b, 0x60 + (unsigned)i);
    u8(&b, 0);
    u16(&b, 2);
    u16(&b, 0x1301);
    u8(&b, 1);
    u8(&b, 0);
    size_t exts = open_len(&b, 2);
    u16(&b, 43); /* supported_versions */
    u16(&b, 3);
    u8(&b, 2);
    u16(&b, 0x0304);
    u16(&b, 41); /* pre_shared_key, last (RFC 8446 §4.2.11) */
    size_t ext = open_len(&b, 2);
    size_t list = open_len(&b, 2);
    for (unsigned i = 0; i < n; i++) {
        u16(&b, 120);
        put(&b, ids[i], 120);
        u16(&b, 0); /* obfuscated_ticket_age */
        u16(&b, 1000);
    }
    close_len(&b, list, 2);
    size_t binders = open_len(&b, 2);
    for (unsigned i = 0; i < n; i++) {
        u8(&b, 32);
        for (unsigned k = 0; k < 32; k++)
            u8(&b, k);
    }
    close_len(&b, binders, 2);
    close_len(&b, ext, 2);
    close_len(&b, exts, 2);
    hs(&h, 1, &b);
    record(next(s, DIR_TO_SERVER), 22, &h);
    b.n = h.n = 0;
    u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(&b, 0x90 + (unsigned)i);
    u8(&b, 0);
    u16(&b, 0x1301);
    u8(&b, 0);
    exts = open_len(&b, 2);
    u16(&b, 43);
    u16(&b, 2);
    u16(&b, 0x0304);
    if (selected >= 0) {
        u16(&b, 41);
        u16(&b, 2);
        u16(&b, (unsigned)selected);
    }
    close_len(&b, exts, 2);
    hs(&h, 2, &b);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    record(sv, 22, &h);
    opaque(sv, 23, 60);
    opaque(next(s, DIR_TO_SERVER), 23, 53);
}

static void
same_chain(const struct tls_facts *full_t, const struct tls_facts *t)
{
    assert_int_equal(t->n_resumed_chain, 2);
    assert_int_equal(t->resumed_chain[0], full_t->server_chain[0]);
    assert_int_equal(t->resumed_chain[1], full_t->server_chain[1]);
}

/* The full handshake's flow: decrypted, its chain seen, n tickets taken. */
static struct flow_ctx *
full_run(const struct script *s, uint32_t tickets)
{
    struct flow_ctx *f = run(s, SPLIT_WHOLE, 0, true);
    assert_true(tf(f)->decrypted);
    assert_int_equal(tf(f)->handshake, TLS_HS_COMPLETE);
    assert_int_equal(tf(f)->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(resume_count(), tickets);
    return f;
}

static void
test_ticket_links(void **state)
{
    (void)state;
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A);
    struct script s;
    full(&s, SECRET_A, NST_AFTER_CLIENT_FIN);
    struct flow_ctx *f = full_run(&s, 2); /* ticket1, ticket2; not ticket3 */
    assert_false(tu_has_event(f, "tls.keylog_mismatch"));
    assert_false(tu_has_event(f, "tls.malformed_message"));
    check_splits(&s);

    const uint8_t *ids[] = {ticket3, ticket2, ticket1};
    resumed(&s, ids, 3, 2); /* the third identity, ticket1 */
    struct flow_ctx *r = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(r)->resumed);
    assert_int_equal(tf(r)->certificates, TLS_CERTS_RESUMED);
    assert_int_equal(tf(r)->resumed_by, RESUME_TICKET);
    same_chain(tf(f), tf(r));
    check_splits(&s);
    fctx_destroy(r);

    resumed(&s, ids, 3, 1); /* ticket2 */
    r = run(&s, SPLIT_WHOLE, 0, true);
    same_chain(tf(f), tf(r));
    fctx_destroy(r);

    /* the discarded ticket3 selected, no identity selected, an index past
     * the list: resumed or not, not linked */
    resumed(&s, ids, 3, 0);
    r = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(r)->resumed);
    assert_int_equal(tf(r)->n_resumed_chain, 0);
    fctx_destroy(r);
    resumed(&s, ids, 3, -1);
    r = run(&s, SPLIT_WHOLE, 0, true);
    assert_false(tf(r)->resumed);
    assert_int_equal(tf(r)->n_resumed_chain, 0);
    fctx_destroy(r);
    resumed(&s, ids, 3, 7);
    r = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(r)->n_resumed_chain, 0);
    fctx_destroy(r);

    /* at another port of the same address: one session cache (tlsmgr) */
    tu_tls_port = 587;
    resumed(&s, ids, 3, 2);
    r = run(&s, SPLIT_WHOLE, 0, true);
    same_chain(tf(f), tf(r));
    fctx_destroy(r);
    fctx_destroy(f);
}

/* The server's tickets before the client's Finished (its records right
 * after its own Finished): taken too. */
static void
test_tickets_before_client_finished(void **state)
{
    (void)state;
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A);
    struct script s;
    full(&s, SECRET_A, NST_BEFORE_CLIENT_FIN);
    struct flow_ctx *f = full_run(&s, 2);
    check_splits(&s);
    fctx_destroy(f);
}

/* A wrong SERVER_TRAFFIC_SECRET_0, or none: no ticket, no link; the wrong
 * one is an anomaly. The handshake itself is read as before. */
static void
test_wrong_key(void **state)
{
    (void)state;
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A2);
    struct script s;
    full(&s, SECRET_A, NST_AFTER_CLIENT_FIN);
    struct flow_ctx *f = full_run(&s, 0);
    assert_true(tu_has_event(f, "tls.keylog_mismatch"));
    check_splits(&s);
    fctx_destroy(f);
    const uint8_t *ids[] = {ticket1};
    resumed(&s, ids, 1, 0);
    struct flow_ctx *r = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(r)->resumed);
    assert_int_equal(tf(r)->n_resumed_chain, 0);
    fctx_destroy(r);

    keylog_free();
    tls13_keylog(0x20); /* the handshake secrets alone */
    full(&s, SECRET_A, NST_AFTER_CLIENT_FIN);
    f = full_run(&s, 0);
    assert_false(tu_has_event(f, "tls.keylog_mismatch"));
    fctx_destroy(f);
}

/* Does the marker appear in the flow's facts (their inline bytes, the
 * strings a TLS session sets) or its anomalies? */
static bool
has_marker(const struct flow_ctx *f)
{
    const struct session_facts *sf = fctx_facts_const(f);
    if (memmem(sf, sizeof(*sf), "secret@", 7) != NULL)
        return true;
    const struct fstr *strs[] = {&sf->tls.hs_history, &sf->tls.sni, &sf->tls.alpn,
                                 &sf->tls.ja3_string, &sf->tls.ja3s_string};
    for (unsigned i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        if (strs[i]->len > 0 && memmem(strs[i]->s, strs[i]->len, "secret@", 7) != NULL)
            return true;
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    fctx_fill_record(f, &rec);
    for (unsigned i = 0; i < rec.n_anomalies; i++)
        if (strstr(rec.anomalies[i].detail, "secret@") != NULL)
            return true;
    return false;
}

/* Application data from the server ends the reading: the tickets after it
 * are not taken, and what it held is nowhere. */
static void
test_appdata_ends(void **state)
{
    (void)state;
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A);
    struct script s;
    full(&s, SECRET_A, NST_AFTER_APPDATA);
    struct flow_ctx *f = full_run(&s, 0);
    assert_false(has_marker(f));
    assert_false(tu_has_event(f, "tls.keylog_mismatch"));
    check_splits(&s);
    fctx_destroy(f);
}

/* Tickets split across records (RFC 8446 §5.1): a header cut after 2
 * bytes, a record holding the end of one ticket and the start of the next;
 * then records of 40 bytes (more records than TLS13_TICKET_RECORDS, the
 * limit counting only the records that begin a message). Both tickets
 * taken and linked, whole, byte by byte and in random splits. */
static void
test_split_ticket(void **state)
{
    (void)state;
    static const unsigned cuts_a[] = {2, 100, 150, 500};
    static const unsigned cuts_b[] = {40};
    const unsigned *cuts[] = {cuts_a, cuts_b};
    const unsigned ns[] = {4, 1};
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A);
    for (unsigned c = 0; c < 2; c++) {
        resume_free();
        assert_int_equal(resume_init(64, 1), 0);
        nst_cuts = cuts[c];
        n_nst_cuts = ns[c];
        struct script s;
        full(&s, SECRET_A, c == 0 ? NST_AFTER_CLIENT_FIN : NST_BEFORE_CLIENT_FIN);
        struct flow_ctx *f = full_run(&s, 2);
        assert_false(tu_has_event(f, "tls.malformed_message"));
        assert_false(tu_has_event(f, "tls.hs_msg_cap"));
        assert_false(has_marker(f));
        check_splits(&s);
        const uint8_t *ids[] = {ticket1, ticket2};
        for (int sel = 0; sel < 2; sel++) {
            resumed(&s, ids, 2, sel);
            struct flow_ctx *r = run(&s, SPLIT_WHOLE, 0, true);
            assert_int_equal(tf(r)->resumed_by, RESUME_TICKET);
            same_chain(tf(f), tf(r));
            fctx_destroy(r);
        }
        fctx_destroy(f);
    }
    nst_cuts = NULL;
}

/* full()'s transcript with the server's records after the client's
 * Finished replaced: ticket message m sealed in records of `cut` bytes
 * (its first `cut` bytes alone when only_first), then application data
 * (none when post_app is false). */
static bool post_app = true;

static void
full_post(struct script *s, const struct buf *m, unsigned cut, bool only_first)
{
    static struct buf piece, app;
    struct tls_dec ak;
    tls13_keys(&ak, SECRET_A);
    full(s, SECRET_A, NST_AFTER_CLIENT_FIN);
    assert_int_equal(s->seg[3].d, DIR_TO_CLIENT);
    struct buf *post = &s->seg[3].data;
    post->n = 0;
    for (size_t at = 0; at < m->n; at += cut) {
        piece.n = 0;
        put(&piece, m->b + at, m->n - at < cut ? m->n - at : cut);
        tls13_seal(post, &ak, 22, &piece);
        if (only_first)
            break;
    }
    if (!post_app)
        return;
    app.n = 0;
    put(&app, marker, sizeof(marker) - 1);
    tls13_seal(post, &ak, 23, &app);
}

/* A split ticket over tls.hs_msg_max: not kept, reported (tls.hs_msg_cap),
 * the reading ends; at the cap, taken. A split ticket cut by application
 * data: reported (tls.malformed_message), not taken, the data nowhere. */
static void
test_split_ticket_ends(void **state)
{
    (void)state;
    static uint8_t big[7000] = {0x61};
    static struct buf m;
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A);
    m.n = 0;
    nst13(&m, big, sizeof(big), 7200); /* a body of 7014 bytes */
    struct script s;
    full_post(&s, &m, 4000, false);
    tu_tls_cfg.tls_hs_msg_max = 7013; /* the certificates' message fits */
    struct flow_ctx *f = full_run(&s, 0);
    assert_true(tu_has_event(f, "tls.hs_msg_cap"));
    assert_false(has_marker(f));
    check_splits(&s);
    fctx_destroy(f);
    tu_tls_cfg.tls_hs_msg_max = 7014;
    f = full_run(&s, 1);
    assert_false(tu_has_event(f, "tls.hs_msg_cap"));
    check_splits(&s);
    fctx_destroy(f);
    tu_tls_cfg.tls_hs_msg_max = 256u << 10;
    resume_free();
    assert_int_equal(resume_init(64, 1), 0);

    m.n = 0;
    nst13(&m, ticket1, sizeof(ticket1), 7200);
    full_post(&s, &m, 60, true); /* its first 60 bytes, then data */
    f = full_run(&s, 0);
    assert_true(tu_has_event(f, "tls.malformed_message"));
    assert_false(tu_has_event(f, "tls.keylog_mismatch"));
    assert_false(has_marker(f));
    check_splits(&s);
    fctx_destroy(f);
}

/* Tickets chained across records (each record the end of one ticket and
 * the start of the next: records of 137 bytes, tickets of 138): the
 * records that go on with a split ticket are not counted, but one that
 * begins another ticket is, so the reading still ends after
 * TLS13_TICKET_RECORDS (8) records that begin a message, not after
 * every ticket the server sends. */
static void
test_chained_tickets_bounded(void **state)
{
    (void)state;
    static uint8_t t[30][120];
    static struct buf m;
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A);
    m.n = 0;
    for (unsigned i = 0; i < 30; i++) {
        t[i][0] = (uint8_t)(0x80 + i);
        nst13(&m, t[i], sizeof(t[i]), 7200);
    }
    assert_int_equal(m.n, 30 * 138);
    struct script s;
    full_post(&s, &m, 137, false);
    struct flow_ctx *f = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(f)->handshake, TLS_HS_COMPLETE);
    assert_true(resume_count() > 0);
    assert_true(resume_count() <= 9);
    assert_false(has_marker(f));
    fctx_destroy(f);
}

/* s's flow, whole, with 100 bytes of the server's lost before the ends
 * when gap: no ticket taken. */
static struct flow_ctx *
cut_run(const struct script *s, bool gap)
{
    struct flow_ctx *f = run(s, SPLIT_WHOLE, 0, false);
    if (gap)
        (void)fctx_gap(f, DIR_TO_CLIENT, 100, 5000);
    fctx_eof(f, DIR_TO_SERVER, 5001);
    fctx_eof(f, DIR_TO_CLIENT, 5001);
    assert_int_equal(resume_count(), 0);
    return f;
}

/* A ticket the capture cut is said, by what cut it (RFC 8446 §4.6.1: the
 * link of every session resuming it is lost): its first 60 bytes, then
 * the end of the capture (tls.ticket_truncated) or a gap
 * (tls.ticket_gap); a record holding a whole ticket cut 10 bytes short
 * (tls.ticket_truncated); bytes lost before any ticket (tls.ticket_gap).
 * Tickets read whole, then application data, then the end: neither. */
static void
test_ticket_cut(void **state)
{
    (void)state;
    static struct buf m;
    tls13_keylog(0x20);
    app_keylog(0x20, SECRET_A);
    m.n = 0;
    nst13(&m, ticket1, sizeof(ticket1), 7200);
    struct script s;
    post_app = false;
    full_post(&s, &m, 60, true); /* its first 60 bytes, no more */
    for (int gap = 0; gap < 2; gap++) {
        struct flow_ctx *f = cut_run(&s, gap);
        assert_int_equal(tu_has_event(f, "tls.ticket_truncated"), !gap);
        assert_int_equal(tu_has_event(f, "tls.ticket_gap"), gap);
        assert_false(tu_has_event(f, "tls.truncated"));
        fctx_destroy(f);
    }
    full_post(&s, &m, 4000, false); /* the whole ticket in one record, cut */
    s.seg[3].data.n -= 10;
    struct flow_ctx *f = cut_run(&s, false);
    assert_true(tu_has_event(f, "tls.ticket_truncated"));
    assert_false(tu_has_event(f, "tls.ticket_gap"));
    fctx_destroy(f);
    s.n = 3; /* nothing after the client's Finished, then bytes lost */
    f = cut_run(&s, true);
    assert_true(tu_has_event(f, "tls.ticket_gap"));
    assert_false(tu_has_event(f, "tls.ticket_truncated"));
    fctx_destroy(f);
    post_app = true;

    full(&s, SECRET_A, NST_AFTER_CLIENT_FIN);
    f = full_run(&s, 2);
    assert_false(tu_has_event(f, "tls.ticket_truncated"));
    assert_false(tu_has_event(f, "tls.ticket_gap"));
    fctx_destroy(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ticket_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tickets_before_client_finished, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appdata_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_ticket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_ticket_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chained_tickets_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ticket_cut, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
