/* \summary: unit tests for when TCP reassembly (src/reasm.c) waits for
 * bytes it has not seen: an ACK passing a hole is no proof the capture lost
 * them (on a span port the segment often follows the ACK that
 * acknowledges it), a snaplen cut waits for a full copy, and a segment that
 * acknowledges peer bytes not seen yet waits for them, so a dissector reads
 * a reply after the command it answers. Every ISN, wrap included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "reasm.h"

/* ---- one log for both directions: "a:bytes" / "b:[G<n>]" pieces ---- */

struct wlog {
    char out[1024];
    size_t n;
};

struct wside {
    struct wlog *log;
    char tag; /* 'a' or 'b' */
};

static void
w_data(void *u, const uint8_t *buf, uint32_t len)
{
    struct wside *w = u;
    struct wlog *l = w->log;
    assert_true(l->n + len + 3 < sizeof(l->out));
    l->out[l->n++] = w->tag;
    l->out[l->n++] = ':';
    memcpy(l->out + l->n, buf, len);
    l->n += len;
    l->out[l->n++] = '|';
    l->out[l->n] = '\0';
}

static void
w_gap(void *u, uint64_t missing)
{
    struct wside *w = u;
    struct wlog *l = w->log;
    l->n += (size_t)snprintf(l->out + l->n, sizeof(l->out) - l->n, "%c:[G%llu]|", w->tag,
                             (unsigned long long)missing);
}

static void
w_event(void *u, const char *name, const char *detail)
{
    (void)u;
    (void)name;
    (void)detail;
}

static const uint32_t w_isns[] = {0, 1, 0xFFFFFFF0u};
static struct reasm_limits w_lim = {1u << 16, 0,
                                    REASM_HOLE_PKTS}; /* hole_pkts: see test_hole_wait_cap */

struct wdir {
    struct reasm_dir rd;
    struct wside side;
    struct reasm_sink s;
    uint32_t base; /* the first data byte's sequence number */
};

static void
w_start(struct wdir *d, struct wlog *log, char tag, uint32_t isn)
{
    d->side = (struct wside){log, tag};
    d->s = (struct reasm_sink){w_data, w_gap, w_event, &d->side};
    d->base = isn + 1;
    reasm_init(&d->rd);
    reasm_syn(&d->rd, isn, &d->s);
    reasm_packet(&d->rd, &w_lim, &d->s); /* the SYN's packet */
}

/* A connection's two directions: the client's from cisn, the server's from
 * sisn, writing to one log. */
static void
w_pair(struct wdir *c, struct wdir *sv, struct wlog *log, uint32_t cisn, uint32_t sisn)
{
    w_start(c, log, 'c', cisn);
    w_start(sv, log, 's', sisn);
}

/* What waited for the other direction, as src/engine.c delivers it after a
 * packet of d: a cycle is broken at d. */
static void
w_unhold(struct wdir *d, struct wdir *p)
{
    for (unsigned guard = 0; guard < 64; guard++) {
        if (reasm_unhold(&p->rd, &w_lim, &p->s, &d->rd) ||
            reasm_unhold(&d->rd, &w_lim, &d->s, &p->rd))
            continue;
        if (!reasm_waiting(&d->rd) || !reasm_waiting(&p->rd))
            break;
        reasm_release(&d->rd, &w_lim, &d->s);
    }
}

/* A packet of d with data at rel, acknowledging ack (absolute; 0: none) of
 * the peer p, as src/engine.c hands it over. */
static void
w_seg(struct wdir *d, struct wdir *p, uint32_t ack, uint32_t rel, const char *data, uint32_t wire)
{
    uint32_t len = data != NULL ? (uint32_t)strlen(data) : 0;
    if (ack != 0) {
        reasm_ack(&p->rd, &w_lim, &p->s, ack);
        reasm_answer(&d->rd, &p->rd, ack);
    }
    if (wire > 0)
        reasm_data(&d->rd, &w_lim, &d->s, d->base + rel, (const uint8_t *)data, len, wire);
    reasm_packet(&d->rd, &w_lim, &d->s);
    w_unhold(d, p);
    assert_true(reasm_consistent(&d->rd, &w_lim));
    assert_true(reasm_consistent(&p->rd, &w_lim));
}

static void
w_data_seg(struct wdir *d, struct wdir *p, uint32_t ack, uint32_t rel, const char *data)
{
    w_seg(d, p, ack, rel, data, (uint32_t)strlen(data));
}

/* The flow ends as src/engine.c ends it; the log must be want. */
static void
w_end(struct wdir *a, struct wdir *b, struct wlog *log, const char *want)
{
    reasm_giveup(&a->rd, &w_lim, &a->s);
    reasm_giveup(&b->rd, &w_lim, &b->s);
    w_unhold(a, b);
    reasm_flush(&a->rd, &w_lim, &a->s);
    reasm_flush(&b->rd, &w_lim, &b->s);
    assert_string_equal(log->out, want);
    reasm_free(&a->rd);
    reasm_free(&b->rd);
}

/* The client's ACK comes before the server segment it acknowledges (the
 * swap of frames 13 and 14 of smtp-starttls-tls12-chain.pcap): the bytes
 * are delivered when they come, not declared lost at the ACK. */
static void
test_ack_before_segment(void **state)
{
    (void)state;
    mem_init(0);
    for (size_t j = 0; j < sizeof(w_isns) / sizeof(w_isns[0]); j++) {
        struct wlog log = {{0}, 0};
        struct wdir c, sv;
        w_pair(&c, &sv, &log, w_isns[j] + 1000, w_isns[j]);
        w_data_seg(&sv, &c, 0, 0, "abc");
        w_seg(&c, &sv, sv.base + 9, 0, NULL, 0); /* ACK of [0, 9): [3, 9) not seen yet */
        assert_string_equal(log.out, "s:abc|");
        w_data_seg(&sv, &c, 0, 3, "def");
        w_data_seg(&sv, &c, 0, 6, "ghi");
        assert_string_equal(log.out, "s:abc|s:def|s:ghi|");
        assert_int_equal(sv.rd.gaps, 0);
        w_end(&c, &sv, &log, "s:abc|s:def|s:ghi|");
    }
    assert_int_equal(mem_in_use(), 0);
}

/* A hole the peer acknowledged that does not come is a gap once
 * REASM_HOLE_PKTS packets of its sender came after the ACK, not before. */
static void
test_ack_hole_given_up(void **state)
{
    (void)state;
    mem_init(0);
    for (size_t j = 0; j < sizeof(w_isns) / sizeof(w_isns[0]); j++) {
        struct wlog log = {{0}, 0};
        struct wdir c, sv;
        w_pair(&c, &sv, &log, w_isns[j] + 7, w_isns[j]);
        w_data_seg(&sv, &c, 0, 0, "abc");
        w_seg(&c, &sv, sv.base + 9, 0, NULL, 0);
        w_data_seg(&sv, &c, 0, 6, "ghi"); /* [3, 6) still missing: 1 packet */
        for (unsigned i = 2; i < REASM_HOLE_PKTS; i++)
            w_seg(&sv, &c, 0, 0, NULL, 0); /* pure ACKs of the server */
        assert_string_equal(log.out, "s:abc|");
        w_seg(&sv, &c, 0, 0, NULL, 0);
        assert_string_equal(log.out, "s:abc|s:[G3]|s:ghi|");
        w_end(&c, &sv, &log, "s:abc|s:[G3]|s:ghi|");
    }
    assert_int_equal(mem_in_use(), 0);
}

/* The wait is the cap reasm.hole_wait (struct reasm_limits.hole_pkts), 8
 * by default: with 3 an acknowledged hole is given up after 3 packets of
 * its sender, and a snaplen cut after 3; with 20 neither is given up after
 * 8, only after 20. */
static void
test_hole_wait_cap(void **state)
{
    (void)state;
    mem_init(0);
    static const uint32_t waits[] = {3, 20};
    for (size_t k = 0; k < sizeof(waits) / sizeof(waits[0]); k++) {
        w_lim.hole_pkts = waits[k];
        struct wlog log = {{0}, 0};
        struct wdir c, sv;
        w_pair(&c, &sv, &log, 7, 0);
        w_data_seg(&sv, &c, 0, 0, "abc");
        w_seg(&c, &sv, sv.base + 9, 0, NULL, 0);
        w_data_seg(&sv, &c, 0, 6, "ghi"); /* [3, 6) missing: 1 packet after the ACK */
        for (unsigned i = 2; i < waits[k]; i++) {
            w_seg(&sv, &c, 0, 0, NULL, 0);
            if (i == REASM_HOLE_PKTS) /* the default's wait has passed */
                assert_string_equal(log.out, "s:abc|");
        }
        assert_string_equal(log.out, "s:abc|");
        w_seg(&sv, &c, 0, 0, NULL, 0); /* the waits[k]-th */
        assert_string_equal(log.out, "s:abc|s:[G3]|s:ghi|");
        w_end(&c, &sv, &log, "s:abc|s:[G3]|s:ghi|");

        memset(&log, 0, sizeof(log));
        w_pair(&c, &sv, &log, 3, 0);
        w_seg(&sv, &c, 0, 0, "ab", 5); /* 3 bytes cut by the snaplen */
        for (unsigned i = 1; i < waits[k]; i++)
            w_seg(&sv, &c, 0, 0, NULL, 0);
        assert_string_equal(log.out, "s:ab|");
        w_seg(&sv, &c, 0, 0, NULL, 0);
        assert_string_equal(log.out, "s:ab|s:[G3]|");
        w_end(&c, &sv, &log, "s:ab|s:[G3]|");
    }
    w_lim.hole_pkts = 0; /* 0: REASM_HOLE_PKTS */
    struct wlog log = {{0}, 0};
    struct wdir c, sv;
    w_pair(&c, &sv, &log, 3, 0);
    w_seg(&sv, &c, 0, 0, "ab", 5);
    for (unsigned i = 1; i < REASM_HOLE_PKTS; i++)
        w_seg(&sv, &c, 0, 0, NULL, 0);
    assert_string_equal(log.out, "s:ab|");
    w_seg(&sv, &c, 0, 0, NULL, 0);
    assert_string_equal(log.out, "s:ab|s:[G3]|");
    w_end(&c, &sv, &log, "s:ab|s:[G3]|");
    w_lim.hole_pkts = REASM_HOLE_PKTS;
    assert_int_equal(mem_in_use(), 0);
}

/* A direction that sent no packet (a one-way capture: the other direction
 * under other VLAN tags) has nothing to wait for: the ACK gaps at once. */
static void
test_ack_silent_direction(void **state)
{
    (void)state;
    mem_init(0);
    struct wlog log = {{0}, 0};
    struct wdir c, sv;
    w_start(&sv, &log, 's', 500);
    c.side = (struct wside){&log, 'c'};
    c.s = (struct reasm_sink){w_data, w_gap, w_event, &c.side};
    c.base = 101;
    reasm_init(&c.rd);
    reasm_syn_acked(&c.rd, 101); /* the server's SYN-ACK: the client's SYN not here */
    w_data_seg(&sv, &c, 101 + 5, 0, "220");
    assert_string_equal(log.out, "c:[G5]|s:220|");
    w_end(&c, &sv, &log, "c:[G5]|s:220|");
    assert_int_equal(mem_in_use(), 0);
}

/* A snaplen cut waits for a full copy: until the peer acknowledged its
 * bytes, or REASM_HOLE_PKTS more packets of its sender came. */
static void
test_cut_waits(void **state)
{
    (void)state;
    mem_init(0);
    for (size_t j = 0; j < sizeof(w_isns) / sizeof(w_isns[0]); j++) {
        struct wlog log = {{0}, 0};
        struct wdir c, sv;
        w_pair(&c, &sv, &log, w_isns[j] + 3, w_isns[j]);
        w_seg(&sv, &c, 0, 0, "ab", 5); /* 3 bytes cut */
        assert_string_equal(log.out, "s:ab|");
        w_seg(&c, &sv, sv.base + 5, 0, NULL, 0); /* the receiver has them */
        assert_string_equal(log.out, "s:ab|s:[G3]|");
        w_end(&c, &sv, &log, "s:ab|s:[G3]|");

        memset(&log, 0, sizeof(log));
        w_pair(&c, &sv, &log, w_isns[j] + 3, w_isns[j]);
        w_seg(&sv, &c, 0, 0, "ab", 5);
        for (unsigned i = 1; i < REASM_HOLE_PKTS; i++)
            w_seg(&sv, &c, 0, 0, NULL, 0);
        assert_string_equal(log.out, "s:ab|");
        w_seg(&sv, &c, 0, 0, NULL, 0);
        assert_string_equal(log.out, "s:ab|s:[G3]|");
        w_end(&c, &sv, &log, "s:ab|s:[G3]|");

        /* t_trunc_retx: cut, then the whole segment again */
        memset(&log, 0, sizeof(log));
        w_pair(&c, &sv, &log, w_isns[j] + 3, w_isns[j]);
        w_seg(&sv, &c, 0, 0, "ab", 5);
        w_data_seg(&sv, &c, 0, 0, "abcde");
        w_seg(&c, &sv, sv.base + 5, 0, NULL, 0);
        w_end(&c, &sv, &log, "s:ab|s:cde|");
    }
    assert_int_equal(mem_in_use(), 0);
}

/* STARTTLS reordered after its 220, and the ClientHello before both (the
 * variant tls12-chain-reorder-dup): each segment waits for the peer bytes
 * it acknowledges, so the dissector reads EHLO, 250, STARTTLS, 220, then
 * the ClientHello, as the peers did. */
static void
test_answer_order(void **state)
{
    (void)state;
    mem_init(0);
    for (size_t j = 0; j < sizeof(w_isns) / sizeof(w_isns[0]); j++) {
        struct wlog log = {{0}, 0};
        struct wdir c, sv;
        w_pair(&c, &sv, &log, w_isns[j] + 100, w_isns[j]);
        w_data_seg(&c, &sv, sv.base, 0, "EHLO\n");
        w_data_seg(&sv, &c, c.base + 5, 0, "250\n");
        w_data_seg(&c, &sv, sv.base + 8, 8, "CH");   /* answers the 220, not seen */
        w_data_seg(&sv, &c, c.base + 8, 4, "220\n"); /* answers STARTTLS, not seen */
        assert_string_equal(log.out, "c:EHLO\n|s:250\n|");
        w_data_seg(&c, &sv, sv.base + 4, 5, "ST\n");
        assert_string_equal(log.out, "c:EHLO\n|s:250\n|c:ST\n|s:220\n|c:CH|");
        w_end(&c, &sv, &log, "c:EHLO\n|s:250\n|c:ST\n|s:220\n|c:CH|");
    }
    assert_int_equal(mem_in_use(), 0);
}

/* At the flow's end the hole is given up first, then what waited for it is
 * delivered: the client's alert after the server's lost bytes (frag-lost). */
static void
test_end_order(void **state)
{
    (void)state;
    mem_init(0);
    struct wlog log = {{0}, 0};
    struct wdir c, sv;
    w_pair(&c, &sv, &log, 900, 40);
    w_data_seg(&sv, &c, 0, 0, "x");
    w_data_seg(&sv, &c, 0, 4, "y");               /* [1, 4) lost */
    w_data_seg(&c, &sv, sv.base + 5, 0, "alert"); /* waits for them */
    assert_string_equal(log.out, "s:x|");
    w_end(&c, &sv, &log, "s:x|s:[G3]|s:y|c:alert|");
    assert_int_equal(mem_in_use(), 0);
}

/* The acknowledged bytes never came and nothing followed them: the flow's
 * end gives them up before what waited for them (the old rule gapped them
 * at the ACK; a flush must not forget them). */
static void
test_end_acked_tail(void **state)
{
    (void)state;
    mem_init(0);
    struct wlog log = {{0}, 0};
    struct wdir c, sv;
    w_pair(&c, &sv, &log, 900, 40);
    w_data_seg(&sv, &c, 0, 0, "x");
    w_data_seg(&c, &sv, sv.base + 4, 0, "bye"); /* [1, 4) of the server: never seen */
    assert_string_equal(log.out, "s:x|");
    w_end(&c, &sv, &log, "s:x|s:[G3]|c:bye|");
    assert_int_equal(mem_in_use(), 0);
}

/* A retransmission acknowledges the peer's reply to its first copy, which
 * the capture lost, and the reply waits for that copy: each waits for the
 * other, and the packet's sender goes first (no stall until the end). */
static void
test_answer_cycle(void **state)
{
    (void)state;
    mem_init(0);
    struct wlog log = {{0}, 0};
    struct wdir c, sv;
    w_pair(&c, &sv, &log, 900, 40);
    w_data_seg(&c, &sv, sv.base, 0, "HI\n");
    w_data_seg(&sv, &c, c.base + 3, 0, "OK\n");
    w_seg(&c, &sv, sv.base + 3, 0, NULL, 0);
    w_data_seg(&sv, &c, c.base + 8, 3, "250\n"); /* answers "QUIT\n", lost */
    assert_string_equal(log.out, "c:HI\n|s:OK\n|");
    w_data_seg(&c, &sv, sv.base + 7, 3, "QUIT\n"); /* its copy, after the 250 */
    assert_string_equal(log.out, "c:HI\n|s:OK\n|c:QUIT\n|s:250\n|");
    w_end(&c, &sv, &log, "c:HI\n|s:OK\n|c:QUIT\n|s:250\n|");
    assert_int_equal(mem_in_use(), 0);
}

/* Waiting cannot pass reasm.ooo_max: a segment that finds no room delivers
 * what waits, then itself. */
static void
test_answer_at_cap(void **state)
{
    (void)state;
    mem_init(0);
    struct reasm_limits small = {8, 0, REASM_HOLE_PKTS};
    struct wlog log = {{0}, 0};
    struct wdir c, sv;
    w_pair(&c, &sv, &log, 900, 40);
    reasm_packet(&sv.rd, &small, &sv.s);
    reasm_ack(&sv.rd, &small, &sv.s, sv.base + 4); /* the server's [0, 4) not seen */
    reasm_answer(&c.rd, &sv.rd, sv.base + 4);
    reasm_data(&c.rd, &small, &c.s, c.base, (const uint8_t *)"abcdef", 6, 6);
    assert_string_equal(log.out, "");
    reasm_data(&c.rd, &small, &c.s, c.base + 6, (const uint8_t *)"ghijk", 5, 5);
    assert_string_equal(log.out, "c:abcdef|c:ghijk|");
    assert_true(reasm_consistent(&c.rd, &small));
    reasm_flush(&c.rd, &small, &c.s);
    reasm_flush(&sv.rd, &small, &sv.s);
    reasm_free(&c.rd);
    reasm_free(&sv.rd);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ack_before_segment),   cmocka_unit_test(test_ack_hole_given_up),
        cmocka_unit_test(test_ack_silent_direction), cmocka_unit_test(test_cut_waits),
        cmocka_unit_test(test_answer_order),         cmocka_unit_test(test_end_order),
        cmocka_unit_test(test_answer_at_cap),        cmocka_unit_test(test_end_acked_tail),
        cmocka_unit_test(test_answer_cycle),         cmocka_unit_test(test_hole_wait_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
