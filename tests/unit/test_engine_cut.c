/* \summary: unit tests for the spans of a flow's cut frames
 * (src/engine_tcp.c engine_tcp_cut, engine_tcp_gap): what hid a server's
 * certificates, frames cut after capture or a hole no frame covers, is
 * told by the frames' own spans, so that two cuts apart do not cover a
 * hole between them; past FLOW_CUT_SPANS spans the closest merge, and a
 * gap a merged span covers counts as both (it may be a hole). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine_tcp.h"
#include "record.h"

/* A flow whose server side (1) lost the bytes [lo, hi): reasm_gap leaves
 * next_seq at hi. */
static uint8_t
gap(struct flow *f, uint32_t lo, uint32_t hi)
{
    f->certs_gap = 0;
    f->client_side = 0;
    f->rd[1].next_seq = hi;
    engine_tcp_gap(f, hi - lo);
    return f->certs_gap;
}

/* A frame cut after capture before a hole (the 220 greeting) and one
 * after it (application data): the hole is the wire's (golden
 * v-cut-split), where one span from the first to the last said "cut after
 * capture". */
static void
test_hole_between_cuts(void **state)
{
    (void)state;
    static struct flow f;
    memset(&f, 0, sizeof(f));
    engine_tcp_cut(&f, 1000, 10, 50, true);  /* lacks [1010, 1050) */
    engine_tcp_cut(&f, 4000, 10, 200, true); /* lacks [4010, 4200) */
    assert_int_equal(f.cut[1].n, 2);
    assert_int_equal(gap(&f, 2000, 2700), FLOW_GAP_OTHER);
    assert_int_equal(gap(&f, 1010, 1050), FLOW_GAP_CUT_AFTER);
    /* partly a cut frame's bytes, partly a hole next to it: both */
    assert_int_equal(gap(&f, 1010, 2700), FLOW_GAP_CUT_AFTER | FLOW_GAP_OTHER);
    /* a snaplen cut meeting it: both kinds */
    engine_tcp_cut(&f, 2800, 96, 1000, false); /* lacks [2896, 3800) */
    assert_int_equal(gap(&f, 2896, 3800), FLOW_GAP_OTHER);
    assert_int_equal(gap(&f, 4010, 4200), FLOW_GAP_CUT_AFTER);
    assert_int_equal(gap(&f, 3000, 4100), FLOW_GAP_CUT_AFTER | FLOW_GAP_OTHER);
}

/* Frames whose cut bytes touch or overlap join one span; the spans of
 * both kinds together cover a gap across them. */
static void
test_touching_spans_join(void **state)
{
    (void)state;
    static struct flow f;
    memset(&f, 0, sizeof(f));
    engine_tcp_cut(&f, 100, 0, 100, true); /* [100, 200) */
    engine_tcp_cut(&f, 300, 0, 100, true); /* [300, 400) */
    engine_tcp_cut(&f, 200, 0, 100, true); /* [200, 300): joins both */
    assert_int_equal(f.cut[1].n, 1);
    assert_int_equal(f.cut[1].lo[0], 100);
    assert_int_equal(f.cut[1].hi[0], 400);
    assert_int_equal(f.cut[1].merged, 0);
    assert_int_equal(gap(&f, 100, 400), FLOW_GAP_CUT_AFTER);
}

/* More spans apart than FLOW_CUT_SPANS: the two closest merge (the new
 * one here, 10 bytes from another), the one across a hole stays apart; a
 * gap the merged span covers may be a hole and counts as both. */
static void
test_merge_closest(void **state)
{
    (void)state;
    static struct flow f;
    memset(&f, 0, sizeof(f));
    engine_tcp_cut(&f, 0, 10, 50, true); /* [10, 50) */
    for (uint32_t s = 1000; s < 1000 + 4 * 60; s += 60)
        engine_tcp_cut(&f, s, 10, 60, true); /* [1010, 1060), [1070, 1120), ... */
    assert_int_equal(f.cut[1].n, FLOW_CUT_SPANS);
    assert_int_not_equal(f.cut[1].merged, 0);
    assert_int_equal(gap(&f, 60, 900), FLOW_GAP_OTHER);
    assert_int_equal(gap(&f, 10, 50), FLOW_GAP_CUT_AFTER);
    /* [1010, 1060) and [1070, 1120) merged first */
    assert_int_equal(gap(&f, 1060, 1070), FLOW_GAP_CUT_AFTER | FLOW_GAP_OTHER);
    assert_int_equal(gap(&f, 1190, 1240), FLOW_GAP_CUT_AFTER);
    /* sequence numbers that wrap */
    memset(&f, 0, sizeof(f));
    engine_tcp_cut(&f, 0xFFFFFF00u, 0x10, 0x40, true); /* [..10, ..40) */
    engine_tcp_cut(&f, 0x100, 0, 0x40, true);
    assert_int_equal(f.cut[1].n, 2);
    assert_int_equal(gap(&f, 0xFFFFFFF0u, 0x80), FLOW_GAP_OTHER);
    assert_int_equal(gap(&f, 0xFFFFFF10u, 0xFFFFFF40u), FLOW_GAP_CUT_AFTER);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hole_between_cuts),
        cmocka_unit_test(test_touching_spans_join),
        cmocka_unit_test(test_merge_closest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
