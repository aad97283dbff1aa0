/* \summary: unit tests for the engine's clock (src/engine_clock.c):
 * one packet stamped far in the future (wsnotes__smtp-ssl's SYN-ACK of
 * 2063 among packets of 2015) neither ends the flows in progress as idle
 * nor splits or dates its own connection, and is counted; a jump the next
 * packet, the live clock or the end of the capture confirms (a quiet link,
 * captures merged end to end) is taken, and the connection its first
 * packet opened is dated by that packet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tu_engine.h"

static int
setup(void **state)
{
    (void)state;
    tu_engine_setup();
    return 0;
}

#define FUTURE (1500000000ll) /* 48 years of seconds */

static uint64_t
outliers(void)
{
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    return st.ts_outliers;
}

/* The span of packet times (stats first_packet, last_packet), in seconds:
 * an outlier's own stamp is never in it. */
static void
assert_span(long long lo, long long hi)
{
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    assert_int_equal(st.first_us, lo * 1000000ll);
    assert_int_equal(st.last_us, hi * 1000000ll);
}

/* Connection A (port 40000) is open and quiet since t=900; connection B
 * (40001) opens at 1000 and its SYN-ACK is stamped 48 years later. Both
 * go on at 1001 and end with FINs: one record each, ended by their FINs,
 * B dated 1000 .. 1002 and A 900 .. 1002. */
static void
test_outlier(void **state)
{
    (void)state;
    start();
    conversation(850, 39999, 25, "EHLO a\r\n", "220 a\r\n"); /* some earlier traffic */
    pkt_send(900, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(900, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(900, S, 25, C, 40000, TH_ACK | TH_PSH, 5001, 1001, "220 hi\r\n", 0);
    pkt_send(1000, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0);
    pkt_send(1000 + FUTURE, S, 25, C, 40001, TH_SYN | TH_ACK, 9000, 7001, NULL, 0);
    unsigned before = n_got;
    pkt_send(1001, C, 40001, S, 25, TH_ACK, 7001, 9001, NULL, 0);
    pkt_send(1001, S, 25, C, 40001, TH_ACK | TH_PSH, 9001, 7001, "220 b\r\n", 0);
    pkt_send(1001, C, 40000, S, 25, TH_ACK | TH_PSH, 1001, 5009, "QUIT\r\n", 0);
    assert_int_equal(n_got, before); /* neither ended as idle */
    assert_int_equal(outliers(), 1);
    pkt_send(1002, C, 40000, S, 25, TH_FIN | TH_ACK, 1007, 5009, NULL, 0);
    pkt_send(1002, S, 25, C, 40000, TH_FIN | TH_ACK, 5009, 1008, NULL, 0);
    pkt_send(1002, C, 40001, S, 25, TH_FIN | TH_ACK, 7001, 9008, NULL, 0);
    pkt_send(1002, S, 25, C, 40001, TH_FIN | TH_ACK, 9008, 7002, NULL, 0);
    assert_int_equal(n_got, before + 2);
    const struct got *a = &got[before], *b = &got[before + 1];
    assert_int_equal(a->cport, 40000);
    assert_string_equal(a->ended, "fin");
    assert_int_equal(a->ts_us, 900 * 1000000ll);
    assert_int_equal(a->ts_end_us, 1002 * 1000000ll);
    assert_int_equal(b->cport, 40001);
    assert_string_equal(b->ended, "fin");
    assert_true(b->syn_seen[0] && b->syn_seen[1]);
    assert_int_equal(b->pkts[1], 3); /* the SYN-ACK is B's: one flow, not two */
    assert_int_equal(b->ts_us, 1000 * 1000000ll);
    assert_int_equal(b->ts_end_us, 1002 * 1000000ll);
    assert_span(850, 1002);
    stop();
    assert_int_equal(n_got, before + 2);
}

/* Connection A is open at t=100; a day later connection B opens. B's SYN
 * is held at 100 until its SYN-ACK confirms the jump: A then ends as idle
 * (timeout) and B is dated by its SYN, a day later, not by the time held. */
static void
test_confirmed_jump(void **state)
{
    (void)state;
    start();
    pkt_send(100, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(100, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(100, S, 25, C, 40000, TH_ACK | TH_PSH, 5001, 1001, "220 hi\r\n", 0);
    pkt_send(86500, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0);
    assert_int_equal(n_got, 0); /* held: A is not idle yet */
    pkt_send(86500, S, 25, C, 40001, TH_SYN | TH_ACK, 9000, 7001, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_int_equal(got[0].cport, 40000);
    assert_string_equal(got[0].ended, "timeout");
    pkt_send(86501, S, 25, C, 40001, TH_ACK | TH_PSH, 9001, 7001, "220 b\r\n", 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_int_equal(got[1].cport, 40001);
    assert_int_equal(got[1].ts_us, 86500 * 1000000ll);
    assert_int_equal(got[1].ts_end_us, 86501 * 1000000ll);
    assert_int_equal(outliers(), 0);
}

/* Live capture: the wall clock's tick moves the clock on, so a packet
 * after a quiet minute-long stretch is taken at its own time, and a held
 * jump the tick has passed is confirmed. */
static void
test_tick(void **state)
{
    (void)state;
    start();
    pkt_send(100, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    engine_tick(5001 * 1000000ll);
    assert_int_equal(n_got, 1); /* A (its SYN at 100) ended as idle */
    assert_string_equal(got[0].ended, "timeout");
    pkt_send(5002, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_int_equal(got[1].cport, 40001);
    assert_int_equal(got[1].ts_us, 5002 * 1000000ll);

    n_got = 0;
    start();
    pkt_send(100, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(9000, C, 40002, S, 25, TH_SYN, 8000, 0, NULL, 0); /* held */
    engine_tick(9001 * 1000000ll);
    stop();
    assert_int_equal(n_got, 2);
    assert_string_equal(got[0].ended, "timeout");
    assert_int_equal(got[1].cport, 40002);
    assert_int_equal(got[1].ts_us, 9000 * 1000000ll);
    assert_int_equal(outliers(), 0);
}

/* The capture ends after a jump: nothing says it was wrong, so the last
 * packet's connection is dated by it; nothing says either that the flows
 * before it went idle: they end with the capture, as they would without
 * that packet. */
static void
test_end_confirms(void **state)
{
    (void)state;
    start();
    pkt_send(100, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(5000, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_int_equal(got[0].cport, 40000);
    assert_string_equal(got[0].ended, "capture_end");
    assert_int_equal(got[1].cport, 40001);
    assert_string_equal(got[1].ended, "capture_end");
    assert_int_equal(got[1].ts_us, 5000 * 1000000ll);
    assert_int_equal(outliers(), 0);
}

/* An outlier followed by a quiet stretch longer than flow.timeout: the
 * packet after the stretch is far from the held time (48 years), so the
 * held packet was an outlier, and that packet is judged as a jump of its
 * own (confirmed by the next one): the outlier dates nothing, and a later
 * connection is dated by its own packets, not by the outlier's time. */
static void
test_outlier_then_quiet(void **state)
{
    (void)state;
    start();
    pkt_send(1000, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(1000 + FUTURE, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(2000, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0); /* held in its turn */
    assert_int_equal(outliers(), 1);
    pkt_send(2001, S, 25, C, 40001, TH_SYN | TH_ACK, 9000, 7001, NULL, 0);
    assert_int_equal(n_got, 1); /* confirmed: A, idle since 1000, ended */
    assert_string_equal(got[0].ended, "timeout");
    assert_int_equal(got[0].ts_end_us, 1000 * 1000000ll);
    pkt_send(2002, C, 40002, S, 25, TH_SYN, 8000, 0, NULL, 0);
    stop();
    assert_int_equal(n_got, 3);
    assert_int_equal(got[1].cport, 40001);
    assert_int_equal(got[1].ts_us, 2000 * 1000000ll);
    assert_int_equal(got[2].cport, 40002);
    assert_int_equal(got[2].ts_us, 2002 * 1000000ll);
    assert_int_equal(outliers(), 1);
}

/* The same outlier stamped in the past (48 years before the rest): taken
 * at the clock's time, counted, and neither A nor B (whose SYN-ACK it is)
 * ends as idle when the packets go on at their own times. */
static void
test_outlier_past(void **state)
{
    (void)state;
    start();
    const long long T = FUTURE;
    conversation(T + 850, 39999, 25, "EHLO a\r\n", "220 a\r\n");
    pkt_send(T + 900, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(T + 900, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(T + 900, S, 25, C, 40000, TH_ACK | TH_PSH, 5001, 1001, "220 hi\r\n", 0);
    pkt_send(T + 1000, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0);
    pkt_send(1000, S, 25, C, 40001, TH_SYN | TH_ACK, 9000, 7001, NULL, 0);
    unsigned before = n_got;
    pkt_send(T + 1001, C, 40001, S, 25, TH_ACK, 7001, 9001, NULL, 0);
    pkt_send(T + 1001, S, 25, C, 40001, TH_ACK | TH_PSH, 9001, 7001, "220 b\r\n", 0);
    pkt_send(T + 1001, C, 40000, S, 25, TH_ACK | TH_PSH, 1001, 5009, "QUIT\r\n", 0);
    assert_int_equal(n_got, before); /* neither ended as idle */
    assert_int_equal(outliers(), 1);
    pkt_send(T + 1002, C, 40000, S, 25, TH_FIN | TH_ACK, 1007, 5009, NULL, 0);
    pkt_send(T + 1002, S, 25, C, 40000, TH_FIN | TH_ACK, 5009, 1008, NULL, 0);
    pkt_send(T + 1002, C, 40001, S, 25, TH_FIN | TH_ACK, 7001, 9008, NULL, 0);
    pkt_send(T + 1002, S, 25, C, 40001, TH_FIN | TH_ACK, 9008, 7002, NULL, 0);
    assert_int_equal(n_got, before + 2);
    const struct got *a = &got[before], *b = &got[before + 1];
    assert_int_equal(a->cport, 40000);
    assert_string_equal(a->ended, "fin");
    assert_int_equal(a->ts_us, (T + 900) * 1000000ll);
    assert_int_equal(b->cport, 40001);
    assert_string_equal(b->ended, "fin");
    assert_int_equal(b->pkts[1], 3);
    assert_int_equal(b->ts_us, (T + 1000) * 1000000ll);
    assert_int_equal(b->ts_end_us, (T + 1002) * 1000000ll);
    assert_span(T + 850, T + 1002);
    stop();
    assert_int_equal(n_got, before + 2);
}

/* The clock really steps back (captures merged later one first): B's SYN
 * a day before A's packets, confirmed by its SYN-ACK. B is dated by its
 * own packets; A, from the later stretch, is not ended as idle by the
 * step (its idleness counts from the step, engine_expire). */
static void
test_confirmed_step_back(void **state)
{
    (void)state;
    start();
    pkt_send(90000, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(90000, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(3000, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0);
    pkt_send(3000, S, 25, C, 40001, TH_SYN | TH_ACK, 9000, 7001, NULL, 0);
    pkt_send(3001, S, 25, C, 40001, TH_ACK | TH_PSH, 9001, 7001, "220 b\r\n", 0);
    assert_int_equal(n_got, 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_int_equal(got[0].cport, 40000);
    assert_string_equal(got[0].ended, "capture_end");
    assert_int_equal(got[1].cport, 40001);
    assert_int_equal(got[1].ts_us, 3000 * 1000000ll);
    assert_int_equal(got[1].ts_end_us, 3001 * 1000000ll);
    assert_int_equal(outliers(), 0);
    assert_span(3000, 90000);
}

/* The capture's very first packet is the outlier (a SYN stamped 48 years
 * after the rest): the clock steps back at the next packet, which the one
 * after confirms, and the step back right after the first packet makes
 * that first packet the outlier: its connection and the span are dated by
 * the packets after it. */
static void
test_outlier_first(void **state)
{
    (void)state;
    start();
    pkt_send(1000 + FUTURE, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(1000, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(1000, C, 40000, S, 25, TH_ACK, 1001, 5001, NULL, 0);
    pkt_send(1001, S, 25, C, 40000, TH_ACK | TH_PSH, 5001, 1001, "220 hi\r\n", 0);
    assert_int_equal(outliers(), 1);
    pkt_send(1002, C, 40000, S, 25, TH_FIN | TH_ACK, 1001, 5009, NULL, 0);
    pkt_send(1002, S, 25, C, 40000, TH_FIN | TH_ACK, 5009, 1002, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "fin");
    assert_int_equal(got[0].ts_us, 1000 * 1000000ll);
    assert_int_equal(got[0].ts_end_us, 1002 * 1000000ll);
    assert_span(1000, 1002);
    stop();
    assert_int_equal(outliers(), 1);
}

/* The same with the first packet stamped 48 years before the rest: a jump
 * ahead right after the first packet, within its connection, makes that
 * packet the outlier too. */
static void
test_outlier_first_past(void **state)
{
    (void)state;
    start();
    const long long T = FUTURE;
    pkt_send(1000, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(T + 1000, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(T + 1000, C, 40000, S, 25, TH_ACK, 1001, 5001, NULL, 0);
    pkt_send(T + 1001, S, 25, C, 40000, TH_ACK | TH_PSH, 5001, 1001, "220 hi\r\n", 0);
    assert_int_equal(outliers(), 1);
    pkt_send(T + 1002, C, 40000, S, 25, TH_FIN | TH_ACK, 1001, 5009, NULL, 0);
    pkt_send(T + 1002, S, 25, C, 40000, TH_FIN | TH_ACK, 5009, 1002, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_int_equal(got[0].ts_us, (T + 1000) * 1000000ll);
    assert_int_equal(got[0].ts_end_us, (T + 1002) * 1000000ll);
    assert_span(T + 1000, T + 1002);
    stop();
}

/* A first packet, then a day's quiet, then another connection: a quiet
 * link, not an outlier; each connection keeps its own time. */
static void
test_first_then_quiet(void **state)
{
    (void)state;
    start();
    pkt_send(100, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(86500, C, 40001, S, 25, TH_SYN, 7000, 0, NULL, 0);
    pkt_send(86500, S, 25, C, 40001, TH_SYN | TH_ACK, 9000, 7001, NULL, 0);
    stop();
    assert_int_equal(outliers(), 0);
    assert_int_equal(n_got, 2);
    assert_int_equal(got[0].cport, 40000);
    assert_int_equal(got[0].ts_us, 100 * 1000000ll);
    assert_int_equal(got[1].ts_us, 86500 * 1000000ll);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_outlier, setup),
        cmocka_unit_test_setup(test_confirmed_jump, setup),
        cmocka_unit_test_setup(test_tick, setup),
        cmocka_unit_test_setup(test_end_confirms, setup),
        cmocka_unit_test_setup(test_outlier_then_quiet, setup),
        cmocka_unit_test_setup(test_outlier_past, setup),
        cmocka_unit_test_setup(test_confirmed_step_back, setup),
        cmocka_unit_test_setup(test_outlier_first, setup),
        cmocka_unit_test_setup(test_outlier_first_past, setup),
        cmocka_unit_test_setup(test_first_then_quiet, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
