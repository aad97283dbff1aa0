/* \summary: unit tests for TCP reassembly (src/reasm.c): step tables run with
 * ISN 0, 1 and 0xFFFFFFF0 (sequence wrap, RFC 9293 §3.4), and one stream
 * delivered whole, byte by byte, in seeded random splits and reordered
 * within a window, which must all give the same bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "reasm.h"

/* ---- recording sink: bytes as they come, a gap as "[G<n>]" ---- */

struct rec {
    char out[16384];
    size_t n;
    unsigned ev_diff, ev_cap, ev_depth, ev_isn, ev_window, ev_after_fin, ev_fin_moved, ev_other;
};

static void
rec_data(void *u, const uint8_t *buf, uint32_t len)
{
    struct rec *r = u;
    assert_true(r->n + len < sizeof(r->out));
    memcpy(r->out + r->n, buf, len);
    r->n += len;
}

static void
rec_gap(void *u, uint64_t missing)
{
    struct rec *r = u;
    r->n += (size_t)snprintf(r->out + r->n, sizeof(r->out) - r->n, "[G%llu]",
                             (unsigned long long)missing);
}

static void
rec_event(void *u, const char *name, const char *detail)
{
    struct rec *r = u;
    (void)detail;
    if (strcmp(name, "tcp.overlap_different_data") == 0)
        r->ev_diff++;
    else if (strcmp(name, "reasm.ooo_cap") == 0)
        r->ev_cap++;
    else if (strcmp(name, "reasm.depth") == 0)
        r->ev_depth++;
    else if (strcmp(name, "tcp.syn_new_isn") == 0)
        r->ev_isn++;
    else if (strcmp(name, "tcp.out_of_window") == 0)
        r->ev_window++;
    else if (strcmp(name, "tcp.data_after_fin") == 0)
        r->ev_after_fin++;
    else if (strcmp(name, "tcp.fin_moved") == 0)
        r->ev_fin_moved++;
    else
        r->ev_other++;
}

/* A direction whose sink records into r (emptied), before any segment:
 * rec_open midstream, rec_start after a SYN at isn. */
static void
rec_open(struct reasm_dir *rd, struct rec *r, struct reasm_sink *s)
{
    memset(r, 0, sizeof(*r));
    *s = (struct reasm_sink){rec_data, rec_gap, rec_event, r};
    reasm_init(rd);
}

static void
rec_start(struct reasm_dir *rd, struct rec *r, struct reasm_sink *s, uint32_t isn)
{
    rec_open(rd, r, s);
    reasm_syn(rd, isn, s);
}

/* Flushes, compares the bytes with want (no unexpected event), frees. */
static void
rec_end(struct reasm_dir *rd, struct rec *r, const struct reasm_sink *s,
        const struct reasm_limits *lim, const char *want)
{
    reasm_flush(rd, lim, s);
    r->out[r->n] = '\0';
    assert_string_equal(r->out, want);
    assert_int_equal(r->ev_other, 0);
    reasm_free(rd);
}

/* ---- step tables ---- */

enum step_kind { S_END = 0, S_DATA, S_FIN, S_ACK, S_SYN };

struct step {
    enum step_kind kind;
    uint32_t rel; /* sequence relative to the first data byte (ISN + 1) */
    const char *data;
    uint32_t wirelen; /* 0 = strlen(data) */
};

struct table {
    const char *name;
    bool no_syn; /* midstream: the first data segment fixes the sequence */
    uint32_t ooo_max, depth;
    struct step steps[12];
    const char *expect;
    unsigned diff, cap, depth_ev, isn;
    bool closed;
};

#define DATA(r, s)                                                                                 \
    {                                                                                              \
        S_DATA, (r), (s), 0                                                                        \
    }
#define CUT(r, s, w)                                                                               \
    {                                                                                              \
        S_DATA, (r), (s), (w)                                                                      \
    }
#define FIN(r)                                                                                     \
    {                                                                                              \
        S_FIN, (r), NULL, 0                                                                        \
    }
#define ACK(r)                                                                                     \
    {                                                                                              \
        S_ACK, (r), NULL, 0                                                                        \
    }
#define SYN(r)                                                                                     \
    {                                                                                              \
        S_SYN, (r), NULL, 0                                                                        \
    }
#define END                                                                                        \
    {                                                                                              \
        S_END, 0, NULL, 0                                                                          \
    }

static const struct table tables[] = {
    {.name = "in_order",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), DATA(3, "def"), END},
     .expect = "abcdef"},
    {.name = "out_of_order",
     .ooo_max = 1024,
     .steps = {DATA(3, "def"), DATA(6, "g"), DATA(0, "abc"), END},
     .expect = "abcdefg"},
    {.name = "duplicates",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), DATA(0, "abc"), DATA(5, "fg"), DATA(5, "fg"), DATA(3, "de"), END},
     .expect = "abcdefg"},
    {.name = "overlap_same",
     .ooo_max = 1024,
     .steps = {DATA(0, "abcd"), DATA(2, "cdef"), END},
     .expect = "abcdef"},
    {.name = "overlap_diff_delivered",
     .ooo_max = 1024,
     .steps = {DATA(0, "abcd"), DATA(2, "XXef"), END},
     .expect = "abcdef",
     .diff = 1},
    {.name = "overlap_diff_buffered",
     .ooo_max = 1024,
     .steps = {DATA(4, "ef"), DATA(0, "abcdXYg"), END},
     .expect = "abcdefg",
     .diff = 1},
    {.name = "overlap_spanning",
     .ooo_max = 1024,
     .steps = {DATA(2, "c"), DATA(5, "f"), DATA(0, "abcdefgh"), END},
     .expect = "abcdefgh"},
    {.name = "gap_at_end",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), DATA(6, "ghi"), END},
     .expect = "abc[G3]ghi"},
    {.name = "gap_before_fin",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), FIN(6), END},
     .expect = "abc[G3]",
     .closed = true},
    {.name = "ack_beyond_hole",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), DATA(6, "ghi"), ACK(9)},
     .expect = "abc[G3]ghi"},
    {.name = "ack_beyond_nothing",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), ACK(7), DATA(7, "h")},
     .expect = "abc[G4]h"},
    {.name = "fin_retransmission",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), FIN(3), FIN(3), DATA(0, "abc"), FIN(3)},
     .expect = "abc",
     .closed = true},
    {.name = "fin_out_of_order",
     .ooo_max = 1024,
     .steps = {FIN(3), DATA(0, "abc")},
     .expect = "abc",
     .closed = true},
    {.name = "snaplen_cut",
     .ooo_max = 1024,
     .steps = {CUT(0, "ab", 5), DATA(5, "fgh"), END},
     .expect = "ab[G3]fgh"},
    /* a copy cut shorter: its bytes replace part of the marker */
    {.name = "snaplen_cut_then_cut_longer",
     .ooo_max = 1024,
     .steps = {CUT(0, "ab", 8), CUT(0, "abcd", 8), DATA(6, "gh"), DATA(4, "ef"), END},
     .expect = "abcdefgh"},
    /* a marker beyond a hole, replaced before the hole fills */
    {.name = "snaplen_cut_ooo_then_copy",
     .ooo_max = 1024,
     .steps = {DATA(0, "a"), CUT(3, "d", 4), DATA(4, "efg"), DATA(1, "bc"), END},
     .expect = "abcdefg"},
    {.name = "snaplen_cut_ooo",
     .ooo_max = 1024,
     .steps = {DATA(5, "fgh"), CUT(0, "ab", 5), END},
     .expect = "ab[G3]fgh"},
    /* the bytes the snaplen cut wait for a full copy (t_trunc_retx) */
    {.name = "snaplen_cut_then_retransmit",
     .ooo_max = 1024,
     .steps = {CUT(0, "ab", 5), DATA(0, "abcde"), DATA(5, "f"), END},
     .expect = "abcdef"},
    {.name = "ooo_cap",
     .ooo_max = 4,
     .steps = {DATA(0, "abc"), DATA(6, "ghij"), DATA(10, "klmn"), END},
     .expect = "abc[G3]ghijklmn",
     .cap = 1},
    {.name = "ooo_cap_single_large",
     .ooo_max = 4,
     .steps = {DATA(0, "a"), DATA(3, "defgh"), END},
     .expect = "a[G2]defgh",
     .cap = 1},
    {.name = "depth",
     .ooo_max = 1024,
     .depth = 4,
     .steps = {DATA(0, "abcdef"), DATA(6, "gh"), END},
     .expect = "abcd",
     .depth_ev = 1},
    {.name = "syn_new_isn",
     .ooo_max = 1024,
     .steps = {SYN(99), DATA(99, "xy"), DATA(0, "ab"), END},
     .expect = "xy",
     .isn = 1},
    {.name = "midstream",
     .no_syn = true,
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), DATA(3, "def"), END},
     .expect = "abcdef"},
    /* a retransmission that fills the hole before a buffered segment: the
     * rest of it is delivered, not buffered past the cap and lost */
    {.name = "fill_hole_at_cap",
     .ooo_max = 4,
     .steps = {DATA(0, "a"), DATA(3, "d"), DATA(1, "bcdefgh"), FIN(8), END},
     .expect = "abcdefgh",
     .closed = true},
    /* ... and its bytes over segments delivered by that flush are compared */
    {.name = "fill_hole_then_differ",
     .ooo_max = 1024,
     .steps = {DATA(0, "a"), DATA(3, "d"), DATA(4, "e"), DATA(1, "bcdXfg"), END},
     .expect = "abcdefg",
     .diff = 1},
    /* a keep-alive probe: one byte below next_seq, any content */
    {.name = "keepalive_probe",
     .ooo_max = 1024,
     .steps = {DATA(0, "abc"), DATA(2, "Z"), DATA(3, "d"), END},
     .expect = "abcd"},
    {.name = "midstream_late_old_segment",
     .no_syn = true,
     .ooo_max = 1024,
     .steps = {DATA(3, "def"), DATA(0, "abc"), END},
     .expect = "def"},
};

static const uint32_t isns[] = {0, 1, 0xFFFFFFF0u};

static void
run_table(const struct table *t, uint32_t isn)
{
    struct reasm_dir rd;
    struct rec r;
    struct reasm_sink s;
    struct reasm_limits lim = {t->ooo_max, t->depth, REASM_HOLE_PKTS};
    uint32_t base = isn + 1;
    if (t->no_syn)
        rec_open(&rd, &r, &s);
    else
        rec_start(&rd, &r, &s, isn);
    for (unsigned i = 0; i < 12 && t->steps[i].kind != S_END; i++) {
        const struct step *st = &t->steps[i];
        uint32_t seq = base + st->rel;
        switch (st->kind) {
        case S_DATA: {
            uint32_t len = (uint32_t)strlen(st->data);
            reasm_data(&rd, &lim, &s, seq, (const uint8_t *)st->data, len,
                       st->wirelen ? st->wirelen : len);
            break;
        }
        case S_FIN:
            reasm_fin(&rd, seq, seq, &s);
            break;
        case S_ACK:
            reasm_ack(&rd, &lim, &s, seq);
            break;
        case S_SYN:
            reasm_syn(&rd, isn + st->rel, &s); /* new ISN: data from rel + 1 on */
            break;
        case S_END:
            break;
        }
        assert_true(reasm_consistent(&rd, &lim));
    }
    bool closed = reasm_closed(&rd);
    reasm_flush(&rd, &lim, &s);
    r.out[r.n] = '\0';
    if (strcmp(r.out, t->expect) != 0)
        fail_msg("%s isn=%u: got \"%s\", want \"%s\"", t->name, isn, r.out, t->expect);
    assert_int_equal(r.ev_diff, t->diff);
    assert_int_equal(r.ev_cap, t->cap);
    assert_int_equal(r.ev_depth, t->depth_ev);
    assert_int_equal(r.ev_isn, t->isn);
    if (t->closed)
        assert_true(closed || reasm_closed(&rd));
    reasm_free(&rd);
    assert_int_equal(reasm_mem(&rd), 0);
}

static void
test_tables(void **state)
{
    (void)state;
    mem_init(0);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        for (size_t j = 0; j < sizeof(isns) / sizeof(isns[0]); j++)
            run_table(&tables[i], isns[j]);
    assert_int_equal(mem_in_use(), 0);
}

/* ---- equivalence: whole, byte by byte, random splits, reordering ---- */

static uint64_t rng_state;

static uint32_t
rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

#define EQ_LEN 3000

struct seg {
    uint32_t off, len;
};

static void
feed(const uint8_t *stream, struct seg *segs, unsigned n, uint32_t isn, struct rec *r)
{
    struct reasm_dir rd;
    struct reasm_sink s;
    struct reasm_limits lim = {1u << 20, 0, REASM_HOLE_PKTS};
    rec_start(&rd, r, &s, isn);
    for (unsigned i = 0; i < n; i++) {
        reasm_data(&rd, &lim, &s, isn + 1 + segs[i].off, stream + segs[i].off, segs[i].len,
                   segs[i].len);
        assert_true(reasm_consistent(&rd, &lim));
    }
    assert_true(reasm_fin(&rd, isn + 1 + EQ_LEN, isn + 1 + EQ_LEN, &s));
    assert_true(reasm_closed(&rd));
    reasm_flush(&rd, &lim, &s);
    reasm_free(&rd);
}

static void
test_equivalence(void **state)
{
    (void)state;
    mem_init(0);
    static uint8_t stream[EQ_LEN];
    static struct seg segs[EQ_LEN * 2];
    struct rec r;
    rng_state = 42;
    for (unsigned i = 0; i < EQ_LEN; i++)
        stream[i] = (uint8_t)rng();
    for (size_t j = 0; j < sizeof(isns) / sizeof(isns[0]); j++) {
        uint32_t isn = isns[j];
        /* whole */
        segs[0].off = 0;
        segs[0].len = EQ_LEN;
        feed(stream, segs, 1, isn, &r);
        assert_int_equal(r.n, EQ_LEN);
        assert_memory_equal(r.out, stream, EQ_LEN);
        /* byte by byte */
        for (unsigned i = 0; i < EQ_LEN; i++) {
            segs[i].off = i;
            segs[i].len = 1;
        }
        feed(stream, segs, EQ_LEN, isn, &r);
        assert_int_equal(r.n, EQ_LEN);
        assert_memory_equal(r.out, stream, EQ_LEN);
        for (unsigned round = 0; round < 20; round++) {
            rng_state = 1000 + round;
            unsigned n = 0;
            for (uint32_t off = 0; off < EQ_LEN;) {
                uint32_t len = 1 + rng() % 200;
                if (len > EQ_LEN - off)
                    len = EQ_LEN - off;
                segs[n].off = off;
                segs[n].len = len;
                n++;
                /* sometimes a retransmission overlapping what came before */
                if (rng() % 5 == 0 && off > 0) {
                    uint32_t b = off - (rng() % (off < 50 ? off : 50));
                    segs[n].off = b;
                    segs[n].len = off + len - b;
                    n++;
                }
                off += len;
            }
            feed(stream, segs, n, isn, &r); /* random splits in order */
            assert_int_equal(r.n, EQ_LEN);
            assert_memory_equal(r.out, stream, EQ_LEN);
            for (unsigned i = 0; i + 1 < n; i++) { /* shuffle within a window of 8 */
                unsigned k = i + rng() % (n - i < 8 ? n - i : 8);
                struct seg tmp = segs[i];
                segs[i] = segs[k];
                segs[k] = tmp;
            }
            feed(stream, segs, n, isn, &r);
            assert_int_equal(r.n, EQ_LEN);
            assert_memory_equal(r.out, stream, EQ_LEN);
            assert_int_equal(r.ev_diff, 0);
        }
    }
    assert_int_equal(mem_in_use(), 0);
}

/* A capture cut to its headers (every payload byte beyond the snaplen)
 * after a lost segment, with no ACK from the peer: the lost markers count
 * against reasm.ooo_max, so memory stays bounded however many segments
 * follow, and every missing byte still comes out as a gap at the end. */
struct sum {
    uint64_t data, gap;
    unsigned caps; /* reasm.ooo_cap events */
};

static void
sum_data(void *u, const uint8_t *buf, uint32_t len)
{
    (void)buf;
    ((struct sum *)u)->data += len;
}

static void
sum_gap(void *u, uint64_t missing)
{
    ((struct sum *)u)->gap += missing;
}

static void
sum_event(void *u, const char *name, const char *detail)
{
    (void)detail;
    if (strcmp(name, "reasm.ooo_cap") == 0)
        ((struct sum *)u)->caps++;
}

/* A direction after a SYN at isn, its sink summing into r (emptied). */
static void
sum_start(struct reasm_dir *rd, struct sum *r, struct reasm_sink *s, uint32_t isn)
{
    *r = (struct sum){0, 0, 0};
    *s = (struct reasm_sink){sum_data, sum_gap, sum_event, r};
    reasm_init(rd);
    reasm_syn(rd, isn, s);
}

static void
test_markers_bounded(void **state)
{
    (void)state;
    mem_init(0);
    struct reasm_dir rd;
    struct sum r;
    struct reasm_sink s;
    struct reasm_limits lim = {1024, 0, REASM_HOLE_PKTS};
    sum_start(&rd, &r, &s, 1000);
    reasm_data(&rd, &lim, &s, 1001, (const uint8_t *)"a", 1, 1);
    size_t peak = 0;
    for (uint32_t i = 0; i < 10000; i++) { /* [1002, 1102) lost, then cut segments */
        reasm_data(&rd, &lim, &s, 1102 + i * 100, NULL, 0, 100);
        if (reasm_mem(&rd) > peak)
            peak = reasm_mem(&rd);
    }
    assert_true(peak <= 1024 + REASM_HIST_BYTES + 64); /* the history ring, then the list */
    assert_true(reasm_fin(&rd, 1102 + 10000 * 100, 1102 + 10000 * 100, &s));
    reasm_flush(&rd, &lim, &s);
    assert_int_equal(r.data, 1);
    assert_int_equal(r.gap, 100 + 10000u * 100);
    reasm_free(&rd);
    assert_int_equal(mem_in_use(), 0);
}

/* One-byte segments at every other byte beyond a hole (t07): reasm.ooo_max
 * counts bytes, so 20 000 of them would all be held, each one's insertion a
 * walk along the others (quadratic time). At most one segment per
 * REASM_OOO_SEG_BYTES of the cap is held (512 at 64 KiB), past it the
 * first hole is given up with "reasm.ooo_cap": memory stays bounded and
 * every byte comes out, as data or a gap. Every ISN, wrap included. */
static void
test_ooo_segments_bounded(void **state)
{
    (void)state;
    mem_init(0);
    for (size_t j = 0; j < sizeof(isns) / sizeof(isns[0]); j++) {
        struct reasm_dir rd;
        struct sum r;
        struct reasm_sink s;
        struct reasm_limits lim = {64u << 10, 0, REASM_HOLE_PKTS};
        uint32_t base = isns[j] + 1;
        sum_start(&rd, &r, &s, isns[j]);
        uint64_t peak = 0;
        for (uint32_t i = 0; i < 20000; i++) {
            reasm_data(&rd, &lim, &s, base + 1 + 2 * i, (const uint8_t *)"x", 1, 1);
            if (reasm_mem(&rd) > peak)
                peak = reasm_mem(&rd);
            if (i % 997 == 0)
                assert_true(reasm_consistent(&rd, &lim));
        }
        assert_true(peak <= 512 * 64); /* 20 000 segments: over 500 KB */
        assert_true(r.caps > 0);
        reasm_flush(&rd, &lim, &s);
        assert_int_equal(r.data, 20000);
        assert_int_equal(r.gap, 20000);
        reasm_free(&rd);
    }
    assert_int_equal(mem_in_use(), 0);
}

/* RFC 9293 §3.10.7.4: a segment far beyond the receiver's window (a stray
 * one of another connection on the same ports) is not buffered, so it makes
 * no hole; one within twice the largest window, or the floor, is. Bytes at
 * or after the FIN's sequence number are not stream data, buffered before
 * it or not; a FIN before the delivered bytes or out of the window is not
 * this stream's. Every ISN, wrap included. */
static void
test_window_and_fin(void **state)
{
    (void)state;
    mem_init(0);
    const uint32_t fl = REASM_WINDOW_FLOOR;
    for (size_t j = 0; j < sizeof(isns) / sizeof(isns[0]); j++) {
        uint32_t base = isns[j] + 1;
        struct reasm_limits lim = {1u << 20, 0, REASM_HOLE_PKTS};
        struct reasm_dir rd;
        struct rec r;
        struct reasm_sink s;
        const uint8_t *x = (const uint8_t *)"abcdefgh";
        char want[64];

        /* A small window: the floor bounds (the largest window counts). */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_window(&rd, 65535);
        reasm_window(&rd, 1000);
        reasm_data(&rd, &lim, &s, base, x, 3, 3);
        reasm_data(&rd, &lim, &s, base + 3 + fl, x, 2, 2);          /* at the bound: out */
        reasm_data(&rd, &lim, &s, base + 0x80000000u - 8, x, 2, 2); /* far out */
        reasm_data(&rd, &lim, &s, base + 3 + fl - 1, x + 5, 1, 1);  /* just in: a hole */
        assert_int_equal(r.ev_window, 2);
        snprintf(want, sizeof(want), "abc[G%u]f", fl - 1);
        rec_end(&rd, &r, &s, &lim, want);

        /* A window of 20 MiB: twice it bounds. */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_window(&rd, 20u << 20);
        reasm_data(&rd, &lim, &s, base + (40u << 20), x, 1, 1);     /* out */
        reasm_data(&rd, &lim, &s, base + (40u << 20) - 1, x, 1, 1); /* in */
        assert_int_equal(r.ev_window, 1);
        snprintf(want, sizeof(want), "[G%u]a", (40u << 20) - 1);
        rec_end(&rd, &r, &s, &lim, want);

        /* No window seen: the ACK bound (REASM_ACK_WINDOW) applies. */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_data(&rd, &lim, &s, base + REASM_ACK_WINDOW, x, 2, 2);
        assert_int_equal(r.ev_window, 1);
        assert_null(rd.ooo);
        rec_end(&rd, &r, &s, &lim, "");

        /* A FIN after "abc": later bytes beyond it are dropped, a segment
         * straddling it keeps its part before the FIN. */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_data(&rd, &lim, &s, base, x, 2, 2);
        assert_true(reasm_fin(&rd, base + 3, base + 3, &s));
        reasm_data(&rd, &lim, &s, base + 3, x + 3, 3, 3); /* after the FIN */
        assert_false(reasm_closed(&rd));
        reasm_data(&rd, &lim, &s, base + 1, x + 1, 4, 4); /* "bcde": "c" is new */
        assert_true(reasm_closed(&rd));
        assert_int_equal(r.ev_after_fin, 2);
        assert_int_equal(r.ev_diff, 0);
        rec_end(&rd, &r, &s, &lim, "abc");

        /* Buffered before the FIN: a segment past it is dropped, one across
         * it cut when the hole before it fills. */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_data(&rd, &lim, &s, base, x, 1, 1);
        reasm_data(&rd, &lim, &s, base + 3, x + 3, 4, 4); /* "defg" */
        reasm_data(&rd, &lim, &s, base + 8, x, 2, 2);     /* past the FIN */
        assert_true(reasm_fin(&rd, base + 5, base + 5, &s));
        assert_int_equal(r.ev_after_fin, 1);
        reasm_data(&rd, &lim, &s, base + 1, x + 1, 2, 2); /* "bc" */
        assert_true(reasm_closed(&rd));
        assert_int_equal(r.ev_after_fin, 2);
        rec_end(&rd, &r, &s, &lim, "abcde");

        /* A FIN before the delivered bytes, or out of the window, is not
         * this stream's; one just before them is (an ACK of the FIN, seen
         * first, gapped its sequence number). */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_data(&rd, &lim, &s, base, x, 4, 4);
        assert_false(reasm_fin(&rd, base + 2, base + 2, &s));
        assert_false(reasm_fin(&rd, base + 4 + fl, base + 4 + fl, &s)); /* no window: floor */
        assert_int_equal(r.ev_window, 2);
        reasm_data(&rd, &lim, &s, base + 4, x + 4, 2, 2);
        reasm_ack(&rd, &lim, &s, base + 7);
        assert_true(reasm_fin(&rd, base + 6, base + 6, &s));
        assert_true(reasm_closed(&rd));
        assert_int_equal(r.ev_after_fin, 0);
        assert_true(reasm_fin(&rd, base + 9, base + 9, &s)); /* another: the first stands */
        assert_int_equal(r.ev_fin_moved, 1);
        rec_end(&rd, &r, &s, &lim, "abcdef[G1]");

        /* A lost marker (snaplen cut) across the FIN: its gap stops there. */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_data(&rd, &lim, &s, base, x, 1, 1);
        reasm_data(&rd, &lim, &s, base + 3, x + 3, 2, 10); /* "de", 8 bytes cut */
        assert_true(reasm_fin(&rd, base + 8, base + 8, &s));
        reasm_data(&rd, &lim, &s, base + 1, x + 1, 2, 2);
        assert_false(reasm_closed(&rd));                /* the cut bytes wait for a full copy */
        for (unsigned i = 0; i <= REASM_HOLE_PKTS; i++) /* the packet that cut them, then more */
            reasm_packet(&rd, &lim, &s);
        assert_true(reasm_closed(&rd));
        rec_end(&rd, &r, &s, &lim, "abcde[G3]");

        /* A FIN's segment is judged by where it starts: data just inside
         * the bound, its FIN past it, are both taken. */
        rec_start(&rd, &r, &s, isns[j]);
        reasm_window(&rd, 1000);
        reasm_data(&rd, &lim, &s, base + fl - 1, x, 2, 2);
        assert_true(reasm_fin(&rd, base + fl - 1, base + fl + 1, &s));
        assert_int_equal(r.ev_window, 0);
        snprintf(want, sizeof(want), "[G%u]ab", fl - 1);
        rec_end(&rd, &r, &s, &lim, want);
    }
    assert_int_equal(mem_in_use(), 0);
}

/* SEQ_* across the wrap. */
static void
test_seq_macros(void **state)
{
    (void)state;
    assert_true(SEQ_LT(0xFFFFFFF0u, 0x10u));
    assert_true(SEQ_GT(0x10u, 0xFFFFFFF0u));
    assert_true(SEQ_LEQ(5u, 5u));
    assert_true(SEQ_GEQ(0u, 0xFFFFFFFFu));
    assert_false(SEQ_LT(1u, 0u));
}

/* Memory failure while buffering: the bytes become a gap, nothing leaks. */
static void
test_alloc_failure(void **state)
{
    (void)state;
    mem_init(0);
    struct reasm_dir rd;
    struct rec r;
    struct reasm_sink s;
    struct reasm_limits lim = {1024, 0, REASM_HOLE_PKTS};
    rec_start(&rd, &r, &s, 100);
    mem_fail_after(1);
    reasm_data(&rd, &lim, &s, 104, (const uint8_t *)"def", 3, 3);
    reasm_data(&rd, &lim, &s, 101, (const uint8_t *)"abc", 3, 3);
    reasm_data(&rd, &lim, &s, 107, (const uint8_t *)"g", 1, 1);
    reasm_flush(&rd, &lim, &s);
    r.out[r.n] = '\0';
    assert_string_equal(r.out, "abc[G3]g"); /* rec_end would refuse the failure's event */
    reasm_free(&rd);
    assert_int_equal(mem_in_use(), 0);
}

/* reasm_seen_differs (-w's retransmissions, engine_evidence.c): a copy's
 * bytes against those delivered (in the ring) and those buffered beyond a
 * hole; -1 when some it repeats are past the ring's reach, or after a gap;
 * 0 for bytes not seen yet. */
static void
test_seen_differs(void **state)
{
    (void)state;
    mem_init(0);
    struct reasm_dir rd;
    struct sum r;
    struct reasm_sink s;
    struct reasm_limits lim = {65536, 0, REASM_HOLE_PKTS};
    sum_start(&rd, &r, &s, 1000);
    reasm_data(&rd, &lim, &s, 1001, (const uint8_t *)"HELLOWORLD", 10, 10); /* [1001, 1011) */
    reasm_data(&rd, &lim, &s, 1021, (const uint8_t *)"ABCDE", 5, 5);        /* beyond a hole */
    const uint8_t *same = (const uint8_t *)"LOWOR", *other = (const uint8_t *)"LOWXR";
    assert_int_equal(reasm_seen_differs(&rd, 1004, same, 5), 0);
    assert_int_equal(reasm_seen_differs(&rd, 1004, other, 5), 1);
    /* across next_seq into the hole: the delivered part compared */
    assert_int_equal(reasm_seen_differs(&rd, 1008, (const uint8_t *)"RLDxyz", 6), 0);
    assert_int_equal(reasm_seen_differs(&rd, 1008, (const uint8_t *)"RLQxyz", 6), 1);
    /* the buffered segment */
    assert_int_equal(reasm_seen_differs(&rd, 1019, (const uint8_t *)"xxABC", 5), 0);
    assert_int_equal(reasm_seen_differs(&rd, 1019, (const uint8_t *)"xxABD", 5), 1);
    assert_int_equal(reasm_seen_differs(&rd, 1040, other, 5), 0); /* not seen yet */
    /* past the ring's reach */
    static uint8_t big[REASM_HIST_BYTES + 100];
    memset(big, 'z', sizeof(big));
    reasm_data(&rd, &lim, &s, 1011, big, 10, 10); /* fills the hole: [1001, 1026) */
    reasm_data(&rd, &lim, &s, 1026, big, sizeof(big), sizeof(big));
    assert_int_equal(reasm_seen_differs(&rd, 1001, (const uint8_t *)"HELLO", 5), -1);
    assert_int_equal(reasm_seen_differs(&rd, 1026 + 200, big, 50), 0);
    reasm_free(&rd);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_macros),           cmocka_unit_test(test_tables),
        cmocka_unit_test(test_equivalence),          cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_markers_bounded),      cmocka_unit_test(test_window_and_fin),
        cmocka_unit_test(test_ooo_segments_bounded), cmocka_unit_test(test_seen_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
