/* \summary: unit tests for the engine's judgments of RSTs and SYNs
 * (src/engine.c, src/engine_tcp.c): a RST outside the window is ignored
 * (RFC 5961 §3.2), one within it ends the connection even after packets
 * were lost; a SYN opening a new connection on the tuple of one whose end
 * was not seen ends that one ("reuse"), bypassed or dissected; a stray SYN
 * after the SYN-ACK leaves the connection as it was (RFC 5961 §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "tu_engine.h"

static int
setup(void **state)
{
    (void)state;
    tu_engine_setup();
    return 0;
}

/* Client port cp to port 25: handshake (ISNs 1000 and 5000), "220 hi" and
 * "EHLO": the client's next byte is 1007, the server's 5009. */
static void
opened(int64_t t, uint16_t cp)
{
    pkt_send(t, C, cp, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(t, S, 25, C, cp, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(t, C, cp, S, 25, TH_ACK, 1001, 5001, NULL, 0);
    pkt_send(t, S, 25, C, cp, TH_ACK | TH_PSH, 5001, 1001, "220 hi\r\n", 0);
    pkt_send(t, C, cp, S, 25, TH_ACK | TH_PSH, 1001, 5009, "EHLO\r\n", 0);
}

/* RFC 5961 §3.2 for a passive observer. A RST 2^30 beyond the sender's
 * next byte (t02f: a blind one in the middle of a handshake) or half the
 * sequence space away is not the connection's: a dissected one goes on and
 * ends with the RST at the next byte. A bypassed flow keeps no sequence
 * space (its packets cost one lookup, issue 5) and ends at any RST: its
 * facts are complete. A capture that lost
 * packets still ends with its connection: a RST within the window (16 MiB
 * at least) before or after the next byte, or near what the peer
 * acknowledged (the sender's own segments lost), or from a side whose
 * numbers were never seen (a refused SYN), across the wrap too. */
static void
test_rst_window(void **state)
{
    (void)state;
    start();
    tx_window = 65535;
    opened(1, 40000);
    pkt_send(2, C, 40000, S, 25, TH_RST, 1007 + (1u << 30), 0, NULL, 0);
    pkt_send(2, S, 25, C, 40000, TH_RST | TH_ACK, 5009 + (1u << 31), 1007, NULL, 0);
    assert_int_equal(n_got, 0);
    pkt_send(3, S, 25, C, 40000, TH_ACK | TH_PSH, 5009, 1007, "250 ok\r\n", 0);
    pkt_send(4, C, 40000, S, 25, TH_RST | TH_ACK, 1007, 5017, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "rst");
    assert_non_null(strstr(got[0].anomalies, "tcp.out_of_window"));
    assert_int_equal(got[0].pkts[0], 5);
    assert_int_equal(got[0].pkts[1], 4);
    assert_string_equal(last_state.bytes[DIR_TO_CLIENT], "220 hi\r\n250 ok\r\n");
    /* a bypassed flow (no dissector) ends at any RST */
    engine_set_dissectors(NULL, NULL);
    opened(5, 40001);
    pkt_send(6, C, 40001, S, 25, TH_RST, 1007 + (1u << 30), 0, NULL, 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_string_equal(got[1].ended, "rst");
    assert_null(strstr(got[1].anomalies, "tcp.out_of_window"));

    n_got = 0;
    engine_set_dissectors(&t_smtp, &t_tls);
    start();
    tx_window = 65535;
    opened(1, 40010);
    pkt_send(1, C, 40010, S, 25, TH_RST, 1007 + 100000, 0, NULL, 0); /* 100 kB lost */
    opened(2, 40011);
    pkt_send(2, C, 40011, S, 25, TH_RST, 1003, 0, NULL, 0); /* behind the next byte */
    opened(3, 40012);
    /* the server acknowledged 12 and then 24 MiB the capture did not see */
    pkt_send(3, S, 25, C, 40012, TH_ACK, 5009, 1007 + (12u << 20), NULL, 0);
    pkt_send(3, S, 25, C, 40012, TH_ACK, 5009, 1007 + (24u << 20), NULL, 0);
    pkt_send(3, C, 40012, S, 25, TH_RST, 1007 + (36u << 20), 0, NULL, 0);
    pkt_send(4, C, 40013, S, 25, TH_SYN, 7, 0, NULL, 0);
    pkt_send(4, S, 25, C, 40013, TH_RST | TH_ACK, 0, 8, NULL, 0); /* refused */
    pkt_send(5, C, 40014, S, 25, TH_SYN, 0xFFFFFFF0u, 0, NULL, 0);
    pkt_send(5, C, 40014, S, 25, TH_ACK | TH_PSH, 0xFFFFFFF1u, 1, "EHLO there\r\n", 0);
    pkt_send(5, C, 40014, S, 25, TH_RST, 0xFFFFFFF1u + 12 + 5000, 0, NULL, 0);
    assert_int_equal(n_got, 5);
    for (unsigned i = 0; i < n_got; i++) {
        assert_string_equal(got[i].ended, "rst");
        assert_null(strstr(got[i].anomalies, "tcp.out_of_window"));
    }
    stop();
}

/* The old connection went idle with one FIN seen (t03d) and its flow was
 * bypassed (no dissector): a new SYN on the same ports 1 s later, whose
 * ISN is past the old numbers, starts a new flow; its packets are not
 * counted into the old one. */
static void
test_reuse_bypassed(void **state)
{
    (void)state;
    engine_set_dissectors(NULL, NULL);
    start();
    opened(1, 40020);
    pkt_send(1, C, 40020, S, 25, TH_ACK | TH_FIN, 1007, 5009, NULL, 0);
    pkt_send(1, S, 25, C, 40020, TH_ACK, 5009, 1008, NULL, 0);
    uint32_t ci = 1008 + 100000, si = 900000;
    pkt_send(2, C, 40020, S, 25, TH_SYN, ci, 0, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "reuse");
    assert_int_equal(got[0].pkts[0], 4);
    assert_int_equal(got[0].pkts[1], 3);
    pkt_send(2, S, 25, C, 40020, TH_SYN | TH_ACK, si, ci + 1, NULL, 0);
    pkt_send(2, C, 40020, S, 25, TH_ACK | TH_PSH, ci + 1, si + 1, "EHLO\r\n", 0);
    pkt_send(2, C, 40020, S, 25, TH_ACK | TH_FIN, ci + 7, si + 1, NULL, 0);
    pkt_send(2, S, 25, C, 40020, TH_ACK | TH_FIN, si + 1, ci + 8, NULL, 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_string_equal(got[1].ended, "fin");
    assert_string_equal(got[1].client_by, "syn");
    assert_true(got[1].syn_seen[0] && got[1].syn_seen[1]);
    assert_int_equal(got[1].pkts[0], 3);
    assert_int_equal(got[1].pkts[1], 2);
    assert_true(got[1].id > got[0].id);
}

/* The old connection lost its end while still dissected (t03h): the SYN
 * that reopens the ports 30 s later ends it and its data goes to the new
 * flow, with no anomaly. Before that, the old SYN again and a SYN inside
 * the numbers the client already used are the old connection's. */
static void
test_reuse_dissected(void **state)
{
    (void)state;
    start();
    opened(1, 40030);
    pkt_send(1, C, 40030, S, 25, TH_SYN, 1000, 0, NULL, 0); /* the old SYN again */
    pkt_send(1, C, 40030, S, 25, TH_SYN, 1003, 0, NULL, 0); /* inside: not taken */
    assert_int_equal(n_got, 0);
    uint32_t ci = 2000000000u, si = 900000;
    pkt_send(31, C, 40030, S, 25, TH_SYN, ci, 0, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "reuse");
    assert_non_null(strstr(got[0].anomalies, "tcp.syn_new_isn"));
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO\r\n");
    pkt_send(31, S, 25, C, 40030, TH_SYN | TH_ACK, si, ci + 1, NULL, 0);
    pkt_send(31, S, 25, C, 40030, TH_ACK | TH_PSH, si + 1, ci + 1, "220 two\r\n", 0);
    pkt_send(31, C, 40030, S, 25, TH_ACK | TH_PSH, ci + 1, si + 10, "EHLO two\r\n", 0);
    pkt_send(31, C, 40030, S, 25, TH_ACK | TH_FIN, ci + 11, si + 10, NULL, 0);
    pkt_send(31, S, 25, C, 40030, TH_ACK | TH_FIN, si + 10, ci + 12, NULL, 0);
    assert_int_equal(n_got, 2);
    assert_string_equal(got[1].ended, "fin");
    assert_string_equal(got[1].anomalies, "");
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO two\r\n");
    assert_string_equal(last_state.bytes[DIR_TO_CLIENT], "220 two\r\n");
    stop();
}

/* A SYN with another ISN after the SYN-ACK acknowledged the first (t03b),
 * or after a SYN-ACK seen without the SYN: the connection stays as it was
 * (RFC 5961 §4) and its data is read at the acknowledged numbers; the SYN
 * the SYN-ACK acknowledged, seen late, is taken quietly. */
static void
test_stray_syn_after_synack(void **state)
{
    (void)state;
    start();
    pkt_send(1, C, 40040, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(1, S, 25, C, 40040, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(1, C, 40040, S, 25, TH_ACK, 1001, 5001, NULL, 0);
    pkt_send(1, C, 40040, S, 25, TH_SYN, 99999, 0, NULL, 0);
    pkt_send(1, S, 25, C, 40040, TH_ACK | TH_PSH, 5001, 1001, "220 hi\r\n", 0);
    pkt_send(1, C, 40040, S, 25, TH_ACK | TH_PSH, 1001, 5009, "EHLO\r\n", 0);
    pkt_send(1, C, 40040, S, 25, TH_ACK | TH_FIN, 1007, 5009, NULL, 0);
    pkt_send(1, S, 25, C, 40040, TH_ACK | TH_FIN, 5009, 1008, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "fin");
    assert_string_equal(got[0].anomalies, "tcp.syn_new_isn ");
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO\r\n");
    assert_string_equal(last_state.bytes[DIR_TO_CLIENT], "220 hi\r\n");

    pkt_send(2, S, 25, C, 40041, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(2, C, 40041, S, 25, TH_SYN, 99999, 0, NULL, 0);
    pkt_send(2, C, 40041, S, 25, TH_SYN, 1000, 0, NULL, 0); /* late copy of the first */
    pkt_send(2, C, 40041, S, 25, TH_ACK | TH_PSH, 1001, 5001, "EHLO\r\n", 0);
    pkt_send(2, C, 40041, S, 25, TH_ACK | TH_FIN, 1007, 5001, NULL, 0);
    pkt_send(2, S, 25, C, 40041, TH_ACK | TH_FIN, 5001, 1008, NULL, 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_string_equal(got[1].ended, "fin");
    assert_string_equal(got[1].anomalies, "tcp.syn_new_isn ");
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO\r\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_rst_window, setup),
        cmocka_unit_test_setup(test_reuse_bypassed, setup),
        cmocka_unit_test_setup(test_reuse_dissected, setup),
        cmocka_unit_test_setup(test_stray_syn_after_synack, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
