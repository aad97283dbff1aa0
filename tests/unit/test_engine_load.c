/* \summary: unit tests for the engine's load (src/engine_load.c): the
 * connections open at once and the flows dissected at once, their peaks,
 * counted back to 0 by every way a flow ends (FIN, RST, timeout, eviction,
 * memory refused, reuse of a tuple, end of the capture: tu_engine's stop()
 * checks the last), and the terminal report's line naming the cap to raise
 * when evictions or refused dissections happened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "mem.h"
#include "report.h"
#include "tu_agg.h"
#include "tu_engine.h"
#include "tu_text.h"

static int
setup(void **state)
{
    (void)state;
    tu_engine_setup();
    return 0;
}

static struct run_stats
load(void)
{
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    return st;
}

/* Connection cp on port 25 at t seconds: handshake and the server's
 * greeting (dissected: client ISN 1000, server ISN 5000). */
static void
open_conn(int64_t t, uint16_t cp)
{
    pkt_send(t, C, cp, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(t, S, 25, C, cp, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(t, C, cp, S, 25, TH_ACK, 1001, 5001, NULL, 0);
    pkt_send(t, S, 25, C, cp, TH_ACK | TH_PSH, 5001, 1001, "220 x\r\n", 0);
}

static void
close_conn(int64_t t, uint16_t cp)
{
    pkt_send(t, C, cp, S, 25, TH_ACK | TH_FIN, 1001, 5008, NULL, 0);
    pkt_send(t, S, 25, C, cp, TH_ACK | TH_FIN, 5008, 1002, NULL, 0);
}

/* N connections open one a second, then all closed: the peak is N, reached
 * at the last one's SYN; once closed none is open, though their tombstones
 * stay in the table (late ACKs absorbed without opening them again). */
static void
test_overlapping_peak(void **state)
{
    (void)state;
    start();
    enum { N = 6 };
    for (uint16_t i = 0; i < N; i++)
        open_conn(1 + i, (uint16_t)(41000 + i));
    struct run_stats st = load();
    assert_int_equal(st.flows_open_now, N);
    assert_int_equal(st.flows_open_peak, N);
    assert_int_equal(st.flows_open_peak_us, (int64_t)N * 1000000);
    assert_int_equal(st.flows_dissected_now, N);
    assert_int_equal(st.flows_dissected_peak, N);
    for (uint16_t i = 0; i < N; i++)
        close_conn(10, (uint16_t)(41000 + i));
    assert_int_equal(n_got, N);
    for (uint16_t i = 0; i < N; i++) /* the last ACKs reach the tombstones */
        pkt_send(11, C, (uint16_t)(41000 + i), S, 25, TH_ACK, 1002, 5009, NULL, 0);
    st = load();
    assert_int_equal(st.flows_open_now, 0);
    assert_int_equal(st.flows_dissected_now, 0);
    assert_int_equal(st.flows_open_peak, N);
    assert_int_equal(st.flows_open_peak_us, (int64_t)N * 1000000);
    assert_int_equal(st.flows_dissection_refused, 0);
    open_conn(12, 42000); /* one more at a time: the peak stays */
    st = load();
    assert_int_equal(st.flows_open_now, 1);
    assert_int_equal(st.flows_open_peak, N);
    stop();
    assert_int_equal(n_got, N + 1);
}

/* A connection seen only by its RST is never open: that packet ends the
 * flow it created (a tombstone at once). One picked up at its end, its first
 * packet a FIN, is open until it ends (the peer's FIN here): its flow is
 * tracked and unreported meanwhile, the peer's data may still come. A SYN
 * on a tombstone's tuple opens a new connection. */
static void
test_end_only_open(void **state)
{
    (void)state;
    start();
    pkt_send(1, C, 43000, S, 25, TH_RST, 1000, 0, NULL, 0);
    struct run_stats st = load();
    assert_int_equal(st.flows, 1);
    assert_int_equal(st.flows_open_now, 0);
    assert_int_equal(st.flows_open_peak, 0);
    pkt_send(1, C, 43001, S, 25, TH_ACK | TH_FIN, 1000, 5000, NULL, 0);
    st = load();
    assert_int_equal(st.flows, 1);
    assert_int_equal(st.flows_open_now, 1);
    assert_int_equal(st.flows_open_peak, 1);
    pkt_send(1, S, 25, C, 43001, TH_ACK | TH_FIN, 5000, 1001, NULL, 0);
    st = load();
    assert_int_equal(st.flows, 2);
    assert_int_equal(st.flows_open_now, 0);
    assert_int_equal(st.flows_open_peak, 1);
    pkt_send(2, C, 43000, S, 25, TH_SYN, 7000, 0, NULL, 0);
    st = load();
    assert_int_equal(st.flows_open_now, 1);
    assert_int_equal(st.flows_open_peak, 1);
    assert_int_equal(st.flows_open_peak_us, 1000000); /* first reached at the FIN */
    stop();
}

/* Eviction (table full), timeout, memory refused, a tuple reused by a new
 * connection: each ends a flow and counts it closed. */
static void
test_every_end_counted(void **state)
{
    (void)state;
    cfg.flow_max = 2;
    cfg.flow_timeout = 100;
    start();
    open_conn(0, 40000);
    open_conn(1, 40001);
    pkt_send(2, C, 40002, S, 25, TH_SYN, 100, 0, NULL, 0); /* full: 40000 evicted */
    struct run_stats st = load();
    assert_int_equal(st.evictions, 1);
    assert_int_equal(st.evictions_for_memory, 0);
    assert_int_equal(st.flows_open_now, 2);
    assert_int_equal(st.flows_dissected_now, 1); /* 40001; 40002 has no payload yet */
    assert_int_equal(st.flows_open_peak, 2);
    assert_int_equal(st.flow_max, 2);
    /* 40001's tuple reused: a SYN with another ISN after its data */
    pkt_send(3, C, 40001, S, 25, TH_SYN, 90000, 0, NULL, 0);
    st = load();
    assert_int_equal(n_got, 2);
    assert_string_equal(got[1].ended, "reuse");
    assert_int_equal(st.flows_open_now, 2);
    assert_int_equal(st.flows_dissected_now, 0);
    engine_tick(200 * 1000000LL); /* both idle past flow.timeout (live: the wall clock) */
    pkt_send(200, C, 40003, S, 25, TH_SYN, 100, 0, NULL, 0);
    st = load();
    assert_int_equal(st.timeouts, 2);
    assert_int_equal(st.flows_open_now, 1);
    mem_fail_after(1); /* the next flow's block: 40003 makes room */
    pkt_send(201, C, 40004, S, 25, TH_SYN, 100, 0, NULL, 0);
    st = load();
    assert_int_equal(st.evictions, 2);
    assert_int_equal(st.evictions_for_memory, 1);
    assert_int_equal(st.flows_open_now, 1);
    assert_int_equal(st.flows_open_peak, 2);
    assert_int_equal(st.flows_open_peak_us, 1000000); /* first reached with 40001 */
    stop();
    assert_int_equal(n_got, 6);
}

/* memcap 256 KiB: 8 flows dissected at once (32 KiB each); of 10 opening
 * together the last 2 are refused, and counted. */
static void
test_dissected_peak_and_refused(void **state)
{
    (void)state;
    cfg.memcap = 256u << 10;
    cfg.flow_max = 64;
    mem_init(cfg.memcap);
    start();
    enum { N = 10 };
    for (uint16_t i = 0; i < N; i++)
        open_conn(0, (uint16_t)(41000 + i));
    struct run_stats st = load();
    assert_int_equal(st.flows_dissected_max, 8);
    assert_int_equal(st.flows_dissected_now, 8);
    assert_int_equal(st.flows_dissected_peak, 8);
    assert_int_equal(st.flows_dissection_refused, 2);
    assert_int_equal(st.flows_open_peak, N);
    for (uint16_t i = 0; i < N; i++)
        close_conn(1, (uint16_t)(41000 + i));
    st = load();
    assert_int_equal(st.flows_dissected_now, 0);
    assert_int_equal(st.flows_open_now, 0);
    stop();
}

/* The report's line: absent without evictions or refusals; else the peak
 * next to its limit and the cap to raise, for the table full, for flow
 * memory refused, for dissections refused. */
static void
test_text_line(void **state)
{
    (void)state;
    agg_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.flows_open_peak = 70;
    st.flow_max = 65536;
    char *text = tu_agg_text(&st, NULL);
    tu_lacks(text, "flows:");
    free(text);
    st.flows_open_peak = 65536;
    st.evictions = 4576;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\nflows: 65536 open at most (flow.max 65536): 4576 evicted, raise --cap "
                 "flow.max\n");
    free(text);
    st.evictions = 3;
    st.evictions_for_memory = 3;
    st.flows_open_peak = 900;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\nflows: 900 open at most (flow.max 65536): 3 evicted, 3 for flow memory the "
                 "memcap refused, raise --cap memcap\n");
    free(text);
    st.evictions = 5;
    st.flows_dissected_peak = 8192;
    st.flows_dissected_max = 8192;
    st.flows_dissection_refused = 12;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\nflows: 900 open at most (flow.max 65536): 5 evicted, raise --cap flow.max; 3 "
                 "for flow memory the memcap refused, raise --cap memcap; 8192 dissected at most "
                 "(memcap / 32 KiB: 8192): 12 not dissected, raise --cap memcap\n");
    free(text);
    st.evictions = st.evictions_for_memory = 0;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\nflows: 8192 dissected at most (memcap / 32 KiB: 8192): 12 not dissected, "
                 "raise --cap memcap\n");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_overlapping_peak, setup),
        cmocka_unit_test_setup(test_end_only_open, setup),
        cmocka_unit_test_setup(test_every_end_counted, setup),
        cmocka_unit_test_setup(test_dissected_peak_and_refused, setup),
        cmocka_unit_test_setup_teardown(test_text_line, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
