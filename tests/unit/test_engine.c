/* \summary: unit tests for the engine (src/engine.c): client choice (SYN,
 * port, first speaker), the dispatcher, FIN/RST/timeout/eviction ends,
 * deterministic order at the end of the capture, snaplen gaps, the UDP hook.
 * Recording dissectors (tu_engine.c) stand in for SMTP and TLS; the TCP
 * judgments of RSTs and SYNs are tested in test_engine_tcp.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "tu_engine.h"

static unsigned udp_calls;

static unsigned chain_calls;
static int64_t chain_first_us;
static uint32_t chain_leaf;

static void
chain_hook(void *user, const struct session_facts *facts, int64_t first_us)
{
    (void)user;
    chain_calls++;
    chain_first_us = first_us;
    chain_leaf = facts->tls.n_server_chain ? facts->tls.server_chain[0] : 0;
}

static void
udp_hook(void *user, const struct pkt *p)
{
    (void)user;
    (void)p;
    udp_calls++;
}

static int
setup(void **state)
{
    (void)state;
    tu_engine_setup();
    udp_calls = 0;
    chain_calls = 0;
    engine_set_udp_hook(udp_hook, NULL);
    return 0;
}

/* A dissector's own caps make the session "capped", as the engine's do. */
static void
test_dissector_caps(void **state)
{
    (void)state;
    start();
    static const char *const caps[] = {"CAP:smtp.pending_cap", "CAP:tls.hs_msg_cap",
                                       "CAP:tls.records_cap"};
    for (unsigned i = 0; i < 3; i++) {
        conversation(1 + i, (uint16_t)(40001 + i), 2525, "EHLO me\r\n", caps[i]);
        assert_int_equal(n_got, 1 + i);
        assert_string_equal(got[i].status, "capped");
    }
    stop();
}

static void
test_client_by_syn(void **state)
{
    (void)state;
    start();
    conversation(1, 40000, 2525, "EHLO me\r\n", "250 ok\r\n");
    assert_int_equal(n_got, 1); /* FIN/FIN: reported, the last ACK is absorbed */
    assert_string_equal(got[0].client_by, "syn");
    assert_string_equal(got[0].ended, "fin");
    assert_string_equal(got[0].dissector, "smtp");
    assert_string_equal(got[0].status, "complete");
    assert_int_equal(got[0].cport, 40000);
    assert_false(got[0].midstream);
    assert_true(got[0].syn_seen[0] && got[0].syn_seen[1]);
    assert_int_equal(got[0].pkts[0], 4);
    assert_int_equal(got[0].pkts[1], 3);
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO me\r\n");
    assert_string_equal(last_state.bytes[DIR_TO_CLIENT], "250 ok\r\n");
    assert_int_equal(last_state.eofs[0], 1);
    assert_int_equal(last_state.eofs[1], 1);
    stop();
    assert_int_equal(n_got, 1);
}

/* A second SYN with another ISN after data is ignored, and so are its
 * payload and FIN: no invented gap, no injected bytes. */
static void
test_ignored_syn_data(void **state)
{
    (void)state;
    start();
    uint32_t ci = 1000, si = 5000;
    pkt_send(1, C, 40001, S, 2525, TH_SYN, ci, 0, NULL, 0);
    pkt_send(1, S, 2525, C, 40001, TH_SYN | TH_ACK, si, ci + 1, NULL, 0);
    pkt_send(1, C, 40001, S, 2525, TH_ACK | TH_PSH, ci + 1, si + 1, "EHLO\r\n", 0);
    pkt_send(1, C, 40001, S, 2525, TH_SYN | TH_FIN, 9000, 0, "XX", 0);
    pkt_send(1, S, 2525, C, 40001, TH_ACK | TH_PSH, si + 1, ci + 7, "250 ok\r\n", 0);
    pkt_send(1, C, 40001, S, 2525, TH_ACK | TH_FIN, ci + 7, si + 9, NULL, 0);
    pkt_send(1, S, 2525, C, 40001, TH_ACK | TH_FIN, si + 9, ci + 8, NULL, 0);
    stop();
    assert_int_equal(n_got, 1);
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO\r\n");
    assert_int_equal(last_state.gaps[DIR_TO_SERVER], 0);
    assert_string_equal(last_state.bytes[DIR_TO_CLIENT], "250 ok\r\n");
}

/* One connection on port 25: SYNs with window scale options cws and sws
 * (PKT_WSCALE_NONE: none; no SYNs at all when syn is false), the server
 * advertising window 65535, then client segments "in" and "far" at 20 MiB
 * and 40 MiB past the next byte. Returns the client's bytes. */
static const char *
window_case(bool syn, uint8_t cws, uint8_t sws)
{
    cfg.reasm_depth = 0; /* the holes pass the default 1 MiB */
    n_got = 0;
    start();
    uint32_t ci = 1000, si = 5000;
    tx_window = 65535;
    if (syn) {
        tx_wscale = cws;
        pkt_send(1, C, 40001, S, 25, TH_SYN, ci, 0, NULL, 0);
        tx_wscale = sws;
        pkt_send(1, S, 25, C, 40001, TH_SYN | TH_ACK, si, ci + 1, NULL, 0);
    }
    pkt_send(1, S, 25, C, 40001, TH_ACK | TH_PSH, si + 1, ci + 1, "220 hi\r\n", 0);
    pkt_send(1, C, 40001, S, 25, TH_ACK | TH_PSH, ci + 1, si + 9, "EHLO\r\n", 0);
    pkt_send(1, C, 40001, S, 25, TH_ACK | TH_PSH, ci + 7 + (40u << 20), si + 9, "far", 0);
    pkt_send(1, C, 40001, S, 25, TH_ACK | TH_PSH, ci + 7 + (20u << 20), si + 9, "in", 0);
    stop();
    assert_int_equal(n_got, 1);
    return last_state.bytes[DIR_TO_SERVER];
}

/* Window scaling (RFC 7323 §2.2) bounds what the client may send: the
 * server's 65535 shifted by 8 reaches 16 MiB, so twice it takes the segment
 * at 20 MiB (a hole), not the one at 40 MiB; unshifted, the 16 MiB floor
 * takes neither; with no SYNs seen the shift is taken as 14 (both in). The
 * shift counts only when both SYNs carried the option. */
static void
test_window_scale(void **state)
{
    (void)state;
    char g20[32], g40[48];
    snprintf(g20, sizeof(g20), "EHLO\r\n[G%u]in", 20u << 20);
    snprintf(g40, sizeof(g40), "EHLO\r\n[G%u]in[G%u]far", 20u << 20, (20u << 20) - 2);
    assert_string_equal(window_case(true, 7, 8), g20);
    assert_non_null(strstr(got[0].anomalies, "tcp.out_of_window"));
    assert_string_equal(window_case(true, PKT_WSCALE_NONE, 8), "EHLO\r\n");
    assert_string_equal(window_case(true, 7, PKT_WSCALE_NONE), "EHLO\r\n");
    assert_string_equal(window_case(false, 0, 0), g40);
    assert_null(strstr(got[0].anomalies, "tcp.out_of_window"));
}

/* A RST's payload is not stream data; a FIN far behind the delivered bytes
 * (a late one of an earlier connection) or beyond the window with data is
 * not this stream's, and the bytes after it still count. */
static void
test_rst_data_and_stray_fin(void **state)
{
    (void)state;
    start();
    uint32_t ci = 1000, si = 5000;
    tx_window = 65535;
    tx_wscale = PKT_WSCALE_NONE;
    pkt_send(1, C, 40001, S, 25, TH_SYN, ci, 0, NULL, 0);
    pkt_send(1, S, 25, C, 40001, TH_SYN | TH_ACK, si, ci + 1, NULL, 0);
    pkt_send(1, S, 25, C, 40001, TH_ACK | TH_PSH, si + 1, ci + 1, "220 hi\r\n", 0);
    pkt_send(1, C, 40001, S, 25, TH_ACK | TH_PSH, ci + 1, si + 9, "EHLO\r\n", 0);
    pkt_send(1, C, 40001, S, 25, TH_ACK | TH_FIN, ci - 50000, si + 9, NULL, 0);
    pkt_send(1, C, 40001, S, 25, TH_ACK | TH_FIN, ci + 7 + (30u << 20), si + 9, "XX", 0);
    pkt_send(1, C, 40001, S, 25, TH_ACK | TH_PSH, ci + 7, si + 9, "QUIT\r\n", 0);
    pkt_send(1, S, 25, C, 40001, TH_RST | TH_ACK, si + 9, ci + 13, "RSTTEXT", 0);
    stop();
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "rst");
    assert_non_null(strstr(got[0].anomalies, "tcp.out_of_window"));
    assert_non_null(strstr(got[0].anomalies, "tcp.data_on_rst"));
    assert_null(strstr(got[0].anomalies, "tcp.data_after_fin"));
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO\r\nQUIT\r\n");
    assert_string_equal(last_state.bytes[DIR_TO_CLIENT], "220 hi\r\n");
}

static void
test_client_by_port_midstream(void **state)
{
    (void)state;
    start();
    /* the server (port 25) speaks first, no handshake */
    pkt_send(1, S, 25, C, 41000, TH_ACK | TH_PSH, 7000, 300, "220 hi\r\n", 0);
    pkt_send(1, C, 41000, S, 25, TH_ACK | TH_PSH, 300, 7008, "EHLO x\r\n", 0);
    stop();
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].client_by, "port");
    assert_int_equal(got[0].cport, 41000);
    assert_true(got[0].midstream);
    assert_non_null(strstr(got[0].anomalies, "tcp.midstream"));
    assert_string_equal(got[0].ended, "capture_end");
    assert_string_equal(last_state.bytes[DIR_TO_CLIENT], "220 hi\r\n");
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO x\r\n");
}

static void
test_other_port_needs_handshake(void **state)
{
    (void)state;
    start();
    /* non-mail ports, no SYN: an empty ACK from A first, then B speaks EHLO;
     * a server greeting first on a non-mail port. Neither is taken for SMTP
     * (nor reported): picked up midstream, "220" or "ehlo" may be a message
     * body's words ("220 volts, account ..."), and who spoke first says
     * nothing about roles. */
    pkt_send(1, S, 3000, C, 4000, TH_ACK, 10, 20, NULL, 0);
    pkt_send(1, C, 4000, S, 3000, TH_ACK | TH_PSH, 20, 10, "ehlo x\r\n", 0);
    pkt_send(2, S, 3001, C, 4001, TH_ACK | TH_PSH, 10, 20, "220 mx ESMTP\r\n", 0);
    /* the client's ACK first (the SYN lost, the SYN-ACK shown after it):
     * picked up midstream, but the SYN-ACK gives both starts before any
     * data, so the greeting is one */
    pkt_send(2, C, 4003, S, 3003, TH_ACK, 61, 51, NULL, 0);
    pkt_send(2, S, 3003, C, 4003, TH_SYN | TH_ACK, 50, 61, NULL, 0);
    pkt_send(2, S, 3003, C, 4003, TH_ACK | TH_PSH, 51, 61, "220 mx ESMTP\r\n", 0);
    /* with its handshake seen, a greeting on a non-mail port is SMTP */
    pkt_send(3, C, 4002, S, 3002, TH_SYN, 30, 0, NULL, 0);
    pkt_send(3, S, 3002, C, 4002, TH_SYN | TH_ACK, 40, 31, NULL, 0);
    pkt_send(3, C, 4002, S, 3002, TH_ACK, 31, 41, NULL, 0);
    pkt_send(3, S, 3002, C, 4002, TH_ACK | TH_PSH, 41, 31, "220 mx ESMTP\r\n", 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_int_equal(got[0].cport, 4003);
    assert_string_equal(got[0].dissector, "smtp");
    assert_true(got[0].midstream);        /* the record says it was picked up late */
    assert_false(got[0].facts_midstream); /* but the dialogue's start is known */
    assert_string_equal(got[1].client_by, "syn");
    assert_int_equal(got[1].cport, 4002);
    assert_string_equal(got[1].dissector, "smtp");
    assert_false(got[1].facts_midstream);
}

static void
test_dispatch(void **state)
{
    (void)state;
    start();
    conversation(1, 40001, 465, "\x16\x03\x01hello", "\x16\x03\x03srv"); /* TLS port */
    conversation(2, 40002, 2526, "\x16\x03\x01hello", "x");              /* TLS detected */
    conversation(3, 40003, 2527, "GET / HTTP/1.0\r\n", "HTTP/1.0 200");  /* nothing: no record */
    conversation(4, 40004, 2528, "HELO x\r\n", "250 ok\r\n");            /* SMTP detected */
    /* TLS on 443 is HTTPS: not mail, not dissected, no record; counted */
    conversation(5, 40006, 443, "\x16\x03\x01hello", "\x16\x03\x03srv");
    struct run_stats st;
    engine_stats(&st);
    assert_int_equal(st.tls_other, 1);
    engine_set_dissectors(NULL, NULL);
    conversation(5, 40005, 587, "hello", "world"); /* mail port, nothing parses */
    stop();
    assert_int_equal(n_got, 4);
    assert_string_equal(got[0].dissector, "tls");
    assert_true(got[0].implicit_tls);
    assert_string_equal(got[1].dissector, "tls");
    assert_true(got[1].implicit_tls);
    assert_int_equal(got[2].sport, 2528);
    assert_string_equal(got[2].dissector, "smtp");
    assert_int_equal(got[3].sport, 587);
    assert_string_equal(got[3].dissector, "-");
    assert_string_equal(got[3].status, "not_smtp");
    assert_true(got[0].id < got[1].id && got[1].id < got[2].id && got[2].id < got[3].id);
}

/* --tls-ports 443 takes HTTPS's port back: dissected as implicit TLS. */
static void
test_dispatch_tls_port_443(void **state)
{
    (void)state;
    cfg.tls_ports[cfg.n_tls_ports++] = 443;
    start();
    conversation(1, 40001, 443, "\x16\x03\x01hello", "\x16\x03\x03srv");
    struct run_stats st;
    engine_stats(&st);
    stop();
    cfg.n_tls_ports--;
    assert_int_equal(st.tls_other, 0);
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].dissector, "tls");
    assert_true(got[0].implicit_tls);
}

/* The chain hook runs once per flow, as soon as the server's chain is seen
 * (not for the client's bytes, not again for later server data), with the
 * time of the packet that completed it (when it is judged: the flow's first
 * packet may carry a wrong time stamp), which the record keeps too; not for
 * a flow without a chain. */
static void
test_chain_hook(void **state)
{
    (void)state;
    engine_set_chain_hook(chain_hook, NULL);
    start();
    uint32_t ci = 1000, si = 5000;
    pkt_send(7, C, 40010, S, 465, TH_SYN, ci, 0, NULL, 0);
    pkt_send(8, S, 465, C, 40010, TH_SYN | TH_ACK, si, ci + 1, NULL, 0);
    pkt_send(8, C, 40010, S, 465, TH_ACK | TH_PSH, ci + 1, si + 1, "CERT", 0);
    assert_int_equal(chain_calls, 0); /* the client's bytes are not the server's chain */
    pkt_send(9, S, 465, C, 40010, TH_ACK | TH_PSH, si + 1, ci + 5, "hello", 0);
    assert_int_equal(chain_calls, 0);
    pkt_send(9, S, 465, C, 40010, TH_ACK | TH_PSH, si + 6, ci + 5, "CERT", 0);
    assert_int_equal(chain_calls, 1);
    assert_int_equal(chain_first_us, 9 * 1000000);
    assert_int_equal(chain_leaf, 42);
    pkt_send(9, S, 465, C, 40010, TH_ACK | TH_PSH, si + 10, ci + 5, "CERT", 0);
    assert_int_equal(chain_calls, 1); /* once per flow */
    conversation(10, 40011, 465, "\x16\x03\x01hello", "\x16\x03\x03srv");
    assert_int_equal(chain_calls, 1);
    stop();
    assert_int_equal(chain_calls, 1);
    assert_int_equal(n_got, 2);
    assert_int_equal(got[0].chain_us + got[1].chain_us, 9 * 1000000); /* one has no chain */
    assert_true(got[0].chain_us == 0 || got[1].chain_us == 0);
}

static void
test_rst_and_tombstone(void **state)
{
    (void)state;
    start();
    pkt_send(1, C, 40000, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(1, S, 25, C, 40000, TH_RST | TH_ACK, 0, 101, NULL, 0);
    pkt_send(2, S, 25, C, 40000, TH_RST | TH_ACK, 0, 101, NULL, 0); /* repeated */
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "rst");
    /* the same tuple again with a new SYN is a new flow */
    pkt_send(3, C, 40000, S, 25, TH_SYN, 900, 0, NULL, 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_string_equal(got[1].ended, "capture_end");
    assert_true(got[1].id > got[0].id);
}

/* Memory refused for a new connection's flow: a closed connection's
 * tombstone, or the least recently used flow, makes room (reported as
 * evicted), as when the table is full; packets of a connection that still
 * gets no flow are counted as untracked, never lost without a trace. */
static void
test_memory_refused_new_flow(void **state)
{
    (void)state;
    start();
    pkt_send(0, C, 42000, S, 25, TH_SYN, 100, 0, NULL, 0); /* open, in progress */
    mem_fail_after(1);                                     /* the next flow's block */
    pkt_send(1, C, 42001, S, 25, TH_SYN, 100, 0, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_int_equal(got[0].cport, 42000);
    assert_string_equal(got[0].ended, "evicted");
    mem_fail_after(1); /* a packet from the middle: no eviction, counted */
    pkt_send(2, C, 42002, S, 25, TH_ACK, 100, 1, NULL, 0);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    assert_int_equal(st.evictions, 1);
    assert_int_equal(st.untracked_packets, 1);
    stop();
    assert_int_equal(n_got, 2);
    assert_int_equal(got[1].cport, 42001);
}

/* A flow touched far in the future (the clock stepped back: confirmed by
 * a second packet, engine_clock.h) holds up neither the expiry scan nor the
 * flows behind it: its idleness counts from the scan after the step; and
 * engine_tick (live, the wall clock) ends idle flows with no packet at
 * all. The first packet, at time 0, does not set the clock. */
static void
test_timeout_future_stamp_and_tick(void **state)
{
    (void)state;
    cfg.flow_timeout = 10;
    start();
    pkt_send(0, C, 41000, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(315360000, C, 41001, S, 25, TH_SYN, 100, 0, NULL, 0); /* ten years ahead */
    assert_int_equal(n_got, 1);                                    /* at that time, 41000 is idle */
    pkt_send(1, C, 41002, S, 25, TH_SYN, 100, 0, NULL, 0);         /* held: a step back? */
    pkt_send(5, C, 41003, S, 25, TH_SYN, 100, 0, NULL, 0);         /* yes: confirmed */
    assert_int_equal(n_got, 1);
    pkt_send(14, C, 41004, S, 25, TH_SYN, 100, 0, NULL, 0);
    /* 41001 counted as touched at 5 s (the scan then); 41002 is idle */
    assert_int_equal(n_got, 2);
    assert_int_equal(got[1].cport, 41002);
    assert_string_equal(got[1].ended, "timeout");
    assert_int_equal(got[1].ts_us, 1000000LL);
    engine_tick(17 * 1000000LL); /* no packet: the tick ends 41001 and 41003 */
    assert_int_equal(n_got, 4);
    assert_int_equal(got[2].cport, 41001);
    assert_int_equal(got[3].cport, 41003);
    assert_string_equal(got[3].ended, "timeout");
    engine_tick(40 * 1000000LL);
    assert_int_equal(n_got, 5);
    assert_int_equal(got[4].cport, 41004);
    for (unsigned i = 0; i < n_got; i++) /* ts_end is the latest time seen, never before ts */
        assert_true(got[i].ts_end_us >= got[i].ts_us);
    stop();
    assert_int_equal(n_got, 5);
}

static void
test_timeout_packet_time(void **state)
{
    (void)state;
    cfg.flow_timeout = 10;
    start();
    pkt_send(0, C, 40000, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(5, C, 40001, S, 25, TH_SYN, 100, 0, NULL, 0);
    assert_int_equal(n_got, 0);
    pkt_send(12, C, 40002, S, 25, TH_SYN, 100, 0, NULL, 0);
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "timeout");
    assert_int_equal(got[0].cport, 40000);
    /* an idle flow hit by a new packet after the timeout ends first (the
     * jump to 40 s is taken at the second packet that confirms it,
     * src/engine_clock.c) */
    pkt_send(40, C, 40003, S, 25, TH_SYN, 100, 0, NULL, 0);
    assert_int_equal(n_got, 1);
    pkt_send(40, C, 40002, S, 25, TH_ACK, 101, 1, NULL, 0);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    assert_int_equal(st.timeouts, 3);
    stop();
    assert_int_equal(n_got, 5);
    assert_int_equal(got[3].cport, 40003);
    assert_int_equal(got[3].ts_us, 40 * 1000000LL);
    assert_string_equal(got[4].ended, "capture_end");
    assert_true(got[4].midstream);
}

static void
test_eviction(void **state)
{
    (void)state;
    cfg.flow_max = 2;
    cfg.flow_timeout = 100;
    cfg.flow_timeout_emerg = 5;
    start();
    pkt_send(0, C, 40000, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(1, C, 40001, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(2, C, 40000, S, 25, TH_SYN, 100, 0, NULL, 0); /* 40000 is now the newest */
    pkt_send(3, C, 40002, S, 25, TH_SYN, 100, 0, NULL, 0); /* full: LRU is 40001 */
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "evicted");
    assert_string_equal(got[0].status, "evicted");
    assert_int_equal(got[0].cport, 40001);
    /* timeout first: 40000 idle 5 s >= emergency 5 s is expired, not evicted */
    pkt_send(7, C, 40003, S, 25, TH_SYN, 100, 0, NULL, 0);
    assert_int_equal(n_got, 2);
    assert_string_equal(got[1].ended, "timeout");
    assert_int_equal(got[1].cport, 40000);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    assert_int_equal(st.evictions, 1);
    assert_int_equal(st.timeouts, 1);
    stop();
    assert_int_equal(n_got, 4);
}

/* Admission control: with more connections starting at once than the memcap
 * can carry through their handshakes (ENGINE_DISSECT_BUDGET, 32 KiB, each),
 * the first ones are dissected to the end and the later ones are not
 * dissected at all (a memcap anomaly on their record), instead of every one
 * losing data. memcap 256 KiB: 8 flows at a time. */
static void
test_admission_under_memcap(void **state)
{
    (void)state;
    cfg.memcap = 256u << 10;
    cfg.flow_max = 64;
    mem_init(cfg.memcap);
    start();
    enum { N = 10 };
    for (uint16_t i = 0; i < N; i++) { /* all open, each sends its first line */
        uint16_t cp = (uint16_t)(41000 + i);
        pkt_send(0, C, cp, S, 25, TH_SYN, 1000, 0, NULL, 0);
        pkt_send(0, S, 25, C, cp, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
        pkt_send(0, C, cp, S, 25, TH_ACK, 1001, 5001, NULL, 0);
        pkt_send(0, S, 25, C, cp, TH_ACK | TH_PSH, 5001, 1001, "220 x\r\n", 0);
    }
    for (uint16_t i = 0; i < N; i++) {
        uint16_t cp = (uint16_t)(41000 + i);
        pkt_send(1, C, cp, S, 25, TH_ACK | TH_FIN, 1001, 5008, NULL, 0);
        pkt_send(1, S, 25, C, cp, TH_ACK | TH_FIN, 5008, 1002, NULL, 0);
    }
    assert_int_equal(n_got, N);
    unsigned dissected = 0, shed = 0;
    for (unsigned i = 0; i < n_got; i++) {
        if (strcmp(got[i].dissector, "smtp") == 0) {
            dissected++;
            assert_true(got[i].cport < 41000 + 8); /* the first ones */
        } else {
            shed++;
            assert_non_null(strstr(got[i].anomalies, "memcap"));
        }
    }
    assert_int_equal(dissected, 8);
    assert_int_equal(shed, 2);
    /* Once they are done, new flows are dissected again. */
    conversation(2, 42000, 25, "EHLO a\r\n", "220 x\r\n");
    assert_int_equal(n_got, N + 1);
    assert_string_equal(got[N].dissector, "smtp");
    stop();
}

/* A full table: a packet from the middle of an untracked connection does not
 * evict (that would thrash: each packet evicting the flow the next needs);
 * it is counted as untracked. A SYN still evicts the least recently used. */
static void
test_full_table_midstream_does_not_evict(void **state)
{
    (void)state;
    cfg.flow_max = 2;
    cfg.flow_timeout = 100;
    cfg.flow_timeout_emerg = 50;
    start();
    pkt_send(0, C, 40000, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(1, C, 40001, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(2, C, 40002, S, 25, TH_ACK, 100, 1, NULL, 0); /* midstream, table full */
    pkt_send(3, S, 25, C, 40002, TH_ACK, 1, 100, NULL, 0);
    assert_int_equal(n_got, 0);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    assert_int_equal(st.untracked_packets, 2);
    assert_int_equal(st.evictions, 0);
    pkt_send(4, C, 40003, S, 25, TH_SYN, 100, 0, NULL, 0); /* a new connection evicts */
    assert_int_equal(n_got, 1);
    assert_int_equal(got[0].cport, 40000);
    assert_string_equal(got[0].ended, "evicted");
    stop();
    assert_int_equal(n_got, 3);
}

/* A full table holding a closed flow (a tombstone for its last packets) and
 * an idle flow in progress: a new connection takes the tombstone's place,
 * even though the flow in progress is older, and nothing is evicted. */
static void
test_eviction_prefers_tombstones(void **state)
{
    (void)state;
    cfg.flow_max = 2;
    cfg.flow_timeout = 100;
    cfg.flow_timeout_emerg = 50;
    start();
    pkt_send(0, C, 40000, S, 25, TH_SYN, 100, 0, NULL, 0); /* in progress, idle */
    pkt_send(1, C, 40001, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(2, C, 40001, S, 25, TH_RST, 101, 0, NULL, 0); /* closed: a tombstone */
    assert_int_equal(n_got, 1);
    assert_string_equal(got[0].ended, "rst");
    pkt_send(3, C, 40002, S, 25, TH_SYN, 100, 0, NULL, 0); /* full: the tombstone goes */
    assert_int_equal(n_got, 1);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    assert_int_equal(st.evictions, 0);
    stop();
    assert_int_equal(n_got, 3);
    assert_string_equal(got[1].ended, "capture_end");
    assert_int_equal(got[1].cport, 40000);
    assert_string_equal(got[2].ended, "capture_end");
    assert_int_equal(got[2].cport, 40002);
}

/* Same packets, two hash seeds: identical records in first-packet order. */
static void
run_many(uint32_t seed, struct got *out, unsigned *n)
{
    cfg.hash_seed = seed;
    n_got = 0;
    start();
    for (unsigned i = 0; i < 6; i++)
        pkt_send(1, C, (uint16_t)(40000 + i), S, 25, TH_SYN, 100, 0, NULL, 0);
    for (unsigned i = 6; i-- > 0;)
        pkt_send(2, C, (uint16_t)(40000 + i), S, 25, TH_ACK, 101, 1, NULL, 0);
    stop();
    memcpy(out, got, sizeof(got));
    *n = n_got;
}

static void
test_finish_order(void **state)
{
    (void)state;
    static struct got a[16], b[16];
    unsigned na, nb;
    run_many(1, a, &na);
    run_many(0xdeadbeef, b, &nb);
    assert_int_equal(na, 6);
    assert_int_equal(nb, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(a[i].id, i + 1);
        assert_int_equal(a[i].cport, 40000 + i);
        assert_int_equal(b[i].id, a[i].id);
        assert_int_equal(b[i].cport, a[i].cport);
    }
}

static void
test_snaplen_gap(void **state)
{
    (void)state;
    start();
    pkt_send(1, C, 40000, S, 25, TH_SYN, 100, 0, NULL, 0);
    pkt_send(1, C, 40000, S, 25, TH_ACK, 101, 1, "EHLO", 10); /* 6 bytes cut */
    pkt_send(1, C, 40000, S, 25, TH_ACK, 111, 1, "QUIT", 0);
    stop();
    assert_int_equal(n_got, 1);
    assert_int_equal(got[0].truncated, 1);
    assert_int_equal(got[0].gaps[0], 1);
    assert_string_equal(got[0].status, "truncated_capture");
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "EHLO[G6]QUIT");
}

static void
test_ooo_and_overlap(void **state)
{
    (void)state;
    start();
    pkt_send(1, C, 40000, S, 25, TH_SYN, 0xFFFFFFF0u, 0, NULL, 0);
    pkt_send(1, C, 40000, S, 25, TH_ACK, 0xFFFFFFF5u, 1, "fghij", 0);
    pkt_send(1, C, 40000, S, 25, TH_ACK, 0xFFFFFFF1u, 1, "abcdXY", 0);
    pkt_send(1, C, 40000, S, 25, TH_ACK | TH_FIN, 0xFFFFFFFAu, 1, "k", 0);
    pkt_send(1, C, 40000, S, 25, TH_ACK | TH_FIN, 0xFFFFFFFAu, 1, "k", 0); /* FIN again */
    stop();
    assert_int_equal(n_got, 1);
    assert_string_equal(last_state.bytes[DIR_TO_SERVER], "abcdfghijk");
    assert_non_null(strstr(got[0].anomalies, "tcp.overlap_different_data"));
    assert_int_equal(last_state.eofs[DIR_TO_SERVER], 1);
}

static void
test_udp_hook(void **state)
{
    (void)state;
    start();
    struct pkt p;
    memset(&p, 0, sizeof(p));
    p.ip_proto = 17;
    p.sport = 5353;
    p.dport = 53;
    engine_packet(&p);
    p.dport = 54;
    engine_packet(&p);
    assert_int_equal(udp_calls, 1);
    stop();
    assert_int_equal(n_got, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_admission_under_memcap, setup),
        cmocka_unit_test_setup(test_client_by_syn, setup),
        cmocka_unit_test_setup(test_ignored_syn_data, setup),
        cmocka_unit_test_setup(test_window_scale, setup),
        cmocka_unit_test_setup(test_rst_data_and_stray_fin, setup),
        cmocka_unit_test_setup(test_client_by_port_midstream, setup),
        cmocka_unit_test_setup(test_other_port_needs_handshake, setup),
        cmocka_unit_test_setup(test_dispatch, setup),
        cmocka_unit_test_setup(test_dissector_caps, setup),
        cmocka_unit_test_setup(test_dispatch_tls_port_443, setup),
        cmocka_unit_test_setup(test_rst_and_tombstone, setup),
        cmocka_unit_test_setup(test_timeout_packet_time, setup),
        cmocka_unit_test_setup(test_timeout_future_stamp_and_tick, setup),
        cmocka_unit_test_setup(test_memory_refused_new_flow, setup),
        cmocka_unit_test_setup(test_eviction, setup),
        cmocka_unit_test_setup(test_full_table_midstream_does_not_evict, setup),
        cmocka_unit_test_setup(test_eviction_prefers_tombstones, setup),
        cmocka_unit_test_setup(test_finish_order, setup),
        cmocka_unit_test_setup(test_snaplen_gap, setup),
        cmocka_unit_test_setup(test_ooo_and_overlap, setup),
        cmocka_unit_test_setup(test_udp_hook, setup),
        cmocka_unit_test_setup(test_chain_hook, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
