/* \summary: unit tests for -w's hold-back queue (src/evidence_hold.c,
 * evidence.h): frames held keep the frames after them waiting, so that the
 * file stays in capture order; a frame held is written as decided; past
 * its bounds (per flow, in time) and at the end, a frame held is cut; its
 * copies are accounted and freed; a segment finds whether one before it in
 * its stream is held (evidence_hold_before); a reassembled datagram one
 * frame cannot carry is counted, not written. */
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "defrag.h"
#include "evidence.h"
#include "mem.h"

/* An Ethernet/IPv4/TCP frame whose payload is "PAYLOAD<i>", at time i ms. */
static uint8_t fr_buf[128];

static void
fr_make(unsigned i, struct capture_frame *f, struct pkt *p)
{
    memset(fr_buf, 0, sizeof(fr_buf));
    fr_buf[12] = 0x08;
    uint8_t *ip = fr_buf + 14, *tcp = ip + 20, *pay = tcp + 20;
    int n = snprintf((char *)pay, 32, "PAYLOAD%04u", i);
    ip[0] = 0x45;
    ip[2] = 0;
    ip[3] = (uint8_t)(40 + n);
    ip[9] = 6;
    tcp[12] = 0x50;
    memset(p, 0, sizeof(*p));
    p->ip_proto = 6;
    p->seq = 1000 + i;
    p->ack = 1;
    p->tcp_flags = 0x18;
    p->l3 = ip;
    p->l3_caplen = 40 + (uint32_t)n;
    p->payload = pay;
    p->payload_caplen = p->payload_wirelen = (uint32_t)n;
    f->dlt = 1;
    f->ts_us = (int64_t)(i + 1) * 1000; /* 1 ms apart */
    f->caplen = f->wirelen = 14 + 40 + (uint32_t)n;
    f->data = fr_buf;
    f->stays = false;
}

/* Frame i with verdict v; HOLD ones tagged flow `flow`. */
static void
put(unsigned i, enum evidence_verdict v, uint64_t flow)
{
    struct capture_frame f;
    struct pkt p;
    fr_make(i, &f, &p);
    if (v == EVIDENCE_HOLD)
        evidence_hold_tag(flow, 0, false);
    evidence_frame(&f, &p, NULL, v);
}

/* The frames written: their payload number, -1 when cut; in file order. */
static int
written(const char *path, int *out, int max)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    assert_non_null(pc);
    struct pcap_pkthdr *h;
    const u_char *b;
    int n = 0;
    int64_t last = 0;
    while (n < max && pcap_next_ex(pc, &h, &b) == 1) {
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        assert_true(ts >= last); /* capture order: time stamps as captured */
        last = ts;
        out[n++] = h->caplen > 54 ? atoi((const char *)b + 54 + 7) : -1;
    }
    pcap_close(pc);
    return n;
}

static char path[64];

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    snprintf(path, sizeof(path), "/tmp/test_evidence_hold.%ld.pcap", (long)getpid());
    char err[256];
    assert_int_equal(evidence_open(path, err, sizeof(err)), 0);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

/* A frame held keeps the frames after it waiting; decided whole, the file
 * holds them all in capture order. */
static void
test_order(void **state)
{
    (void)state;
    put(0, EVIDENCE_WHOLE, 0);
    put(1, EVIDENCE_HOLD, 7);
    put(2, EVIDENCE_CUT, 0);
    put(3, EVIDENCE_HOLD, 8);
    put(4, EVIDENCE_WHOLE, 0);
    assert_true(evidence_hold_any());
    assert_true(mem_in_use() > 0);
    uint64_t it = 0;
    struct evidence_held *h = evidence_held_next(7, &it);
    assert_non_null(h);
    assert_int_equal(h->seq, 1001);
    assert_memory_equal(h->payload, "PAYLOAD0001", 11);
    assert_null(evidence_held_next(7, &it));
    evidence_held_decide(h, EVIDENCE_WHOLE);
    it = 0;
    h = evidence_held_next(8, &it);
    assert_non_null(h);
    evidence_held_decide(h, EVIDENCE_CUT);
    assert_false(evidence_hold_any());
    char err[256];
    assert_int_equal(evidence_close(err, sizeof(err)), 0);
    assert_int_equal(mem_in_use(), 0);
    int w[16];
    assert_int_equal(written(path, w, 16), 5);
    int want[] = {0, 1, -1, -1, 4};
    assert_memory_equal(w, want, sizeof(want));
    struct evidence_stats st;
    evidence_stats(&st);
    assert_int_equal(st.held, 2);
    assert_int_equal(st.held_cut, 0);
}

/* At most EVIDENCE_HOLD_FLOW frames of a flow held: more are cut at once;
 * what is still held at the end is cut; the copies freed. */
static void
test_flow_bound_and_end(void **state)
{
    (void)state;
    for (unsigned i = 0; i < EVIDENCE_HOLD_FLOW + 3; i++)
        put(i, EVIDENCE_HOLD, 9);
    assert_false(evidence_hold_room(9));
    assert_true(evidence_hold_room(10));
    char err[256];
    assert_int_equal(evidence_close(err, sizeof(err)), 0);
    assert_int_equal(mem_in_use(), 0);
    struct evidence_stats st;
    evidence_stats(&st);
    assert_int_equal(st.held, EVIDENCE_HOLD_FLOW);
    assert_int_equal(st.held_cut, EVIDENCE_HOLD_FLOW + 3);
    int w[64];
    assert_int_equal(written(path, w, 64), EVIDENCE_HOLD_FLOW + 3);
    for (unsigned i = 0; i < EVIDENCE_HOLD_FLOW + 3; i++)
        assert_int_equal(w[i], -1);
}

/* A frame held EVIDENCE_HOLD_US of capture time is cut, and what waited
 * behind it written. */
static void
test_time_bound(void **state)
{
    (void)state;
    put(0, EVIDENCE_HOLD, 5);
    put(1, EVIDENCE_WHOLE, 0);
    put(2, EVIDENCE_WHOLE, 0);
    assert_true(evidence_hold_any());
    put(1500, EVIDENCE_WHOLE, 0); /* 1.5 s after the first */
    assert_false(evidence_hold_any());
    struct evidence_stats st;
    evidence_stats(&st);
    assert_int_equal(st.held_cut, 1);
    assert_int_equal(st.frames, 4); /* written, not only queued */
    char err[256];
    assert_int_equal(evidence_close(err, sizeof(err)), 0);
    int w[8];
    assert_int_equal(written(path, w, 8), 4);
    int want[] = {-1, 1, 2, 1500};
    assert_memory_equal(w, want, sizeof(want));
}

/* A frame held without its tag (no flow to decide it) is cut. */
static void
test_untagged(void **state)
{
    (void)state;
    struct capture_frame f;
    struct pkt p;
    fr_make(3, &f, &p);
    evidence_frame(&f, &p, NULL, EVIDENCE_HOLD);
    assert_false(evidence_hold_any());
    char err[256];
    assert_int_equal(evidence_close(err, sizeof(err)), 0);
    int w[4];
    assert_int_equal(written(path, w, 4), 1);
    assert_int_equal(w[0], -1);
}

/* Put with a side and a sequence number of its own. */
static void
put_at(unsigned i, uint64_t flow, unsigned side, uint32_t seq)
{
    struct capture_frame f;
    struct pkt p;
    fr_make(i, &f, &p);
    p.seq = seq;
    evidence_hold_tag(flow, side, false);
    evidence_frame(&f, &p, NULL, EVIDENCE_HOLD);
}

/* A frame held keeps what its tag said of it (evidence_held.flight: its
 * application_data records would have been a TLS 1.3 flight when it came),
 * so that it is judged when decided as it would have been in order; the
 * tag is for the next frame only. */
static void
test_hold_flight(void **state)
{
    (void)state;
    struct capture_frame f;
    struct pkt p;
    fr_make(0, &f, &p);
    evidence_hold_tag(9, 1, true);
    evidence_frame(&f, &p, NULL, EVIDENCE_HOLD);
    fr_make(1, &f, &p);
    evidence_hold_tag(9, 1, false);
    evidence_frame(&f, &p, NULL, EVIDENCE_HOLD);
    uint64_t it = 0;
    struct evidence_held *h = evidence_held_next(9, &it);
    assert_non_null(h);
    assert_true(h->flight);
    assert_int_equal(h->seq, 1000);
    struct evidence_held *h2 = evidence_held_next(9, &it);
    assert_non_null(h2);
    assert_false(h2->flight);
    evidence_held_decide(h, EVIDENCE_WHOLE);
    evidence_held_decide(h2, EVIDENCE_CUT);
    char err[256];
    assert_int_equal(evidence_close(err, sizeof(err)), 0);
    assert_int_equal(mem_in_use(), 0);
    int w[4];
    assert_int_equal(written(path, w, 4), 2);
    assert_int_equal(w[0], 0);
    assert_int_equal(w[1], -1);
}

/* evidence_hold_before: a held frame of the flow, from that side, before
 * seq in sequence space (across the wrap too); not one decided since, not
 * another flow's or side's, not one at seq itself or after it. */
static void
test_hold_before(void **state)
{
    (void)state;
    put_at(0, 4, 1, 5000);        /* the server's, ahead of its stream */
    put_at(1, 4, 0, 100);         /* the client's */
    put_at(2, 6, 1, 10);          /* another flow's */
    put_at(3, 7, 1, 0xfffffff0u); /* just before the wrap */
    assert_false(evidence_hold_before(4, 1, 5000));
    assert_false(evidence_hold_before(4, 1, 4000));
    assert_true(evidence_hold_before(4, 1, 5001));
    assert_false(evidence_hold_before(4, 0, 100));
    assert_true(evidence_hold_before(4, 0, 101));
    assert_false(evidence_hold_before(5, 1, 9000));
    assert_true(evidence_hold_before(7, 1, 0x10)); /* past the wrap */
    assert_false(evidence_hold_before(7, 1, 0xffffff00u));
    uint64_t it = 0;
    struct evidence_held *h = evidence_held_next(4, &it);
    assert_non_null(h);
    assert_int_equal(h->side, 1);
    evidence_held_decide(h, EVIDENCE_WHOLE);
    assert_false(evidence_hold_before(4, 1, 9000)); /* decided: no longer held */
    assert_true(evidence_hold_before(4, 0, 101));
    char err[256];
    assert_int_equal(evidence_close(err, sizeof(err)), 0);
    assert_int_equal(mem_in_use(), 0);
    int w[8];
    assert_int_equal(written(path, w, 8), 4);
    int want[] = {0, -1, -1, -1};
    assert_memory_equal(w, want, sizeof(want));
}

/* A datagram rebuilt from fragments that one frame cannot carry (here: a
 * tunnel's outer headers not all known, evidence_outer_fix refuses) is not
 * written, and counted: reassembled_not_written. */
static void
test_datagram_not_written(void **state)
{
    (void)state;
    struct capture_frame f;
    struct pkt p;
    fr_make(1, &f, &p);
    static uint8_t dgram[64];
    memcpy(dgram, p.l3, p.l3_caplen);
    p.l3 = dgram; /* outside the frame: a reassembled datagram */
    p.payload = dgram + 40;
    struct defrag_out dg;
    memset(&dg, 0, sizeof(dg));
    dg.ip = dgram;
    dg.caplen = dg.wirelen = p.l3_caplen;
    dg.block = dgram;
    dg.link_len = 14;
    dg.n_outer = DECODE_OUTER_MAX + 1;
    evidence_frame(&f, &p, &dg, EVIDENCE_WHOLE);
    dg.n_outer = 0; /* the same datagram outside a tunnel is written */
    evidence_frame(&f, &p, &dg, EVIDENCE_WHOLE);
    char err[256];
    assert_int_equal(evidence_close(err, sizeof(err)), 0);
    struct evidence_stats st;
    evidence_stats(&st);
    assert_int_equal(st.reassembled_not_written, 1);
    assert_int_equal(st.reassembled, 1);
    assert_int_equal(st.frames, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_bound_and_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_untagged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_before, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datagram_not_written, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
