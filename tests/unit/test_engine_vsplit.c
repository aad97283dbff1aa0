/* \summary: unit tests for connections split in two by their VLAN tags
 * (src/engine_vsplit.c): a span port that tags one direction of a
 * connection and not the other (or each with its own VLAN) makes two
 * one-way flows of it; both halves are marked (vlan_split, anomaly
 * flow.vlan_split) and the pair counted once. Not split: a connection seen
 * in both directions, two connections on the same tuple in two VLANs (two
 * networks), one direction seen twice under two tags, a one-way capture,
 * a flow that is not reported, and any flow under --ignore-vlan. */
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

/* The VLAN ids a direction's packets carry, outer first (n 0: none). */
struct tags {
    uint8_t n;
    uint16_t v[2];
};

static const struct tags untagged = {0, {0, 0}};

static void
tx(const struct tags *tg)
{
    tx_n_vlan = tg->n;
    tx_vlan[0] = tg->v[0];
    tx_vlan[1] = tg->v[1];
}

static uint64_t
pairs(void)
{
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    return st.vlan_split;
}

/* An SMTP connection from client port cp to server port sp, its client's
 * packets under ct and its server's under st (NULL: not captured): the
 * handshake, the greeting, EHLO and its reply, FINs. Client ISN 1000,
 * server ISN 5000. */
static void
smtp_conn(int64_t t, uint16_t cp, uint16_t sp, const struct tags *ct, const struct tags *st)
{
#define CL(fl, seq, ack, data)                                                                     \
    do {                                                                                           \
        if (ct != NULL) {                                                                          \
            tx(ct);                                                                                \
            pkt_send(t, C, cp, S, sp, fl, seq, ack, data, 0);                                      \
        }                                                                                          \
    } while (0)
#define SV(fl, seq, ack, data)                                                                     \
    do {                                                                                           \
        if (st != NULL) {                                                                          \
            tx(st);                                                                                \
            pkt_send(t, S, sp, C, cp, fl, seq, ack, data, 0);                                      \
        }                                                                                          \
    } while (0)
    CL(TH_SYN, 1000, 0, NULL);
    SV(TH_SYN | TH_ACK, 5000, 1001, NULL);
    CL(TH_ACK, 1001, 5001, NULL);
    SV(TH_ACK | TH_PSH, 5001, 1001, "220 mail\r\n");    /* 10 bytes */
    CL(TH_ACK | TH_PSH, 1001, 5011, "EHLO client\r\n"); /* 13 bytes */
    SV(TH_ACK | TH_PSH, 5011, 1014, "250 mail\r\n");
    CL(TH_ACK | TH_FIN, 1014, 5021, NULL);
    SV(TH_ACK | TH_FIN, 5021, 1015, NULL);
    CL(TH_ACK, 1015, 5022, NULL);
#undef CL
#undef SV
}

static bool
has_split_anomaly(const struct got *g)
{
    return strstr(g->anomalies, "flow.vlan_split ") != NULL;
}

/* The two records of a split connection: one with the client's packets
 * only under ct, one with the server's only under st, both marked. */
static void
assert_halves(const struct tags *ct, const struct tags *st)
{
    assert_int_equal(n_got, 2);
    unsigned c = got[0].pkts[0] > 0 ? 0 : 1, s = !c;
    assert_true(got[c].pkts[0] > 0 && got[c].pkts[1] == 0);
    assert_true(got[s].pkts[0] == 0 && got[s].pkts[1] > 0);
    assert_int_equal(got[c].n_vlan, ct->n);
    assert_int_equal(got[s].n_vlan, st->n);
    for (unsigned i = 0; i < ct->n; i++)
        assert_int_equal(got[c].vlan[i], ct->v[i]);
    for (unsigned i = 0; i < st->n; i++)
        assert_int_equal(got[s].vlan[i], st->v[i]);
    for (unsigned i = 0; i < 2; i++) {
        assert_true(got[i].vlan_split);
        assert_true(has_split_anomaly(&got[i]));
        assert_int_equal(got[i].cport, 40000); /* the client is known in both halves */
        assert_string_equal(got[i].client_by, "syn");
    }
}

static void
split_case(const struct tags *ct, const struct tags *st)
{
    start();
    smtp_conn(100, 40000, 25, ct, st);
    assert_int_equal(pairs(), 1);
    stop();
    assert_halves(ct, st);
}

/* The client's direction tagged (VLAN 100), the server's not: the
 * client's half finds the other at its first payload (EHLO). */
static void
test_client_tagged(void **state)
{
    (void)state;
    const struct tags v100 = {1, {100, 0}};
    split_case(&v100, &untagged);
}

/* The server's direction tagged: its half finds the untagged client's
 * half at its first payload, the greeting. */
static void
test_server_tagged(void **state)
{
    (void)state;
    const struct tags v7 = {1, {7, 0}};
    split_case(&untagged, &v7);
}

/* Each direction under its own VLAN: the second half to carry payload
 * finds the first under the tags remembered from it. */
static void
test_two_vlans(void **state)
{
    (void)state;
    const struct tags v10 = {1, {10, 0}}, v20 = {1, {20, 0}};
    split_case(&v10, &v20);
}

/* QinQ one way (S-tag 300 outside C-tag 200), the C-tag alone the other. */
static void
test_qinq_one_way(void **state)
{
    (void)state;
    const struct tags qinq = {2, {300, 200}}, v200 = {1, {200, 0}};
    split_case(&qinq, &v200);
}

/* Three connections split alike, one after the other and two at once:
 * three pairs, each counted once, six halves marked. */
static void
test_count(void **state)
{
    (void)state;
    const struct tags v100 = {1, {100, 0}};
    start();
    smtp_conn(100, 40000, 25, &v100, &untagged);
    smtp_conn(101, 40001, 25, &untagged, &v100);
    smtp_conn(102, 40002, 25, &v100, &untagged);
    assert_int_equal(pairs(), 3);
    stop();
    assert_int_equal(n_got, 6);
    for (unsigned i = 0; i < n_got; i++)
        assert_true(got[i].vlan_split && has_split_anomaly(&got[i]));
}

/* Not split: a connection tagged alike both ways; then the same tuple in
 * two VLANs at once, each seen whole (two networks with the same
 * addresses): two records each time, none marked. */
static void
test_two_way_not_split(void **state)
{
    (void)state;
    const struct tags v10 = {1, {10, 0}}, v20 = {1, {20, 0}};
    start();
    smtp_conn(100, 40000, 25, &v10, &v10);
    tx(&v10); /* two networks: the same tuple, interleaved */
    pkt_send(200, C, 40001, S, 25, TH_SYN, 1000, 0, NULL, 0);
    tx(&v20);
    pkt_send(200, C, 40001, S, 25, TH_SYN, 3000, 0, NULL, 0);
    tx(&v10);
    pkt_send(200, S, 25, C, 40001, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    tx(&v20);
    pkt_send(200, S, 25, C, 40001, TH_SYN | TH_ACK, 7000, 3001, NULL, 0);
    tx(&v10);
    pkt_send(200, S, 25, C, 40001, TH_ACK | TH_PSH, 5001, 1001, "220 a\r\n", 0);
    tx(&v20);
    pkt_send(200, S, 25, C, 40001, TH_ACK | TH_PSH, 7001, 3001, "220 b\r\n", 0);
    assert_int_equal(pairs(), 0);
    stop();
    assert_int_equal(n_got, 3);
    for (unsigned i = 0; i < n_got; i++)
        assert_false(got[i].vlan_split || has_split_anomaly(&got[i]));
}

/* Not split: the client's direction seen twice, under VLAN 10 and VLAN 20
 * (a span of two ports it crosses), the server's never: both flows carry
 * the same direction. Nor a one-way capture without any mirror. */
static void
test_same_direction_not_split(void **state)
{
    (void)state;
    const struct tags v10 = {1, {10, 0}}, v20 = {1, {20, 0}};
    start();
    smtp_conn(100, 40000, 25, &v10, NULL);
    smtp_conn(100, 40000, 25, &v20, NULL);
    smtp_conn(200, 40001, 25, NULL, &v10); /* the server's side only */
    assert_int_equal(pairs(), 0);
    stop();
    assert_int_equal(n_got, 3);
    for (unsigned i = 0; i < n_got; i++)
        assert_false(got[i].vlan_split || has_split_anomaly(&got[i]));
}

/* Not split: a flow whose other direction was seen is no half. A
 * connection seen both ways untagged, then a server packet of the same
 * tuple under VLAN 10 (one way so far): the untagged flow is its mirror but
 * has the server's packets too. */
static void
test_mirror_two_way(void **state)
{
    (void)state;
    const struct tags v10 = {1, {10, 0}};
    start();
    pkt_send(100, C, 40000, S, 25, TH_SYN, 1000, 0, NULL, 0);
    pkt_send(100, S, 25, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    pkt_send(100, C, 40000, S, 25, TH_ACK, 1001, 5001, NULL, 0);
    tx(&v10);
    pkt_send(100, S, 25, C, 40000, TH_ACK | TH_PSH, 5001, 1001, "220 mail\r\n", 0);
    assert_int_equal(pairs(), 0);
    stop();
    assert_int_equal(n_got, 2);
    assert_false(got[0].vlan_split || got[1].vlan_split);
}

/* Not looked for: halves of a connection smtptap does not report (port
 * 8080, not SMTP nor TLS: no record either way). */
static void
test_not_reported(void **state)
{
    (void)state;
    const struct tags v100 = {1, {100, 0}};
    start();
    tx(&v100);
    pkt_send(100, C, 40000, S, 8080, TH_SYN, 1000, 0, NULL, 0);
    tx(&untagged);
    pkt_send(100, S, 8080, C, 40000, TH_SYN | TH_ACK, 5000, 1001, NULL, 0);
    tx(&v100);
    pkt_send(100, C, 40000, S, 8080, TH_ACK | TH_PSH, 1001, 5001, "GET / HTTP/1.1\r\n", 0);
    tx(&untagged);
    pkt_send(100, S, 8080, C, 40000, TH_ACK | TH_PSH, 5001, 1017, "HTTP/1.1 200\r\n", 0);
    assert_int_equal(pairs(), 0);
    stop();
    assert_int_equal(n_got, 0);
}

/* --ignore-vlan: the tags are no part of the key, so the connection is one
 * flow, seen both ways, and nothing is split. */
static void
test_ignore_vlan(void **state)
{
    (void)state;
    const struct tags v100 = {1, {100, 0}};
    cfg.ignore_vlan = true;
    start();
    smtp_conn(100, 40000, 25, &v100, &untagged);
    assert_int_equal(pairs(), 0);
    stop();
    assert_int_equal(n_got, 1);
    assert_true(got[0].pkts[0] > 0 && got[0].pkts[1] > 0);
    assert_int_equal(got[0].n_vlan, 0);
    assert_false(got[0].vlan_split || has_split_anomaly(&got[0]));
    assert_string_equal(got[0].ended, "fin");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_client_tagged, setup),
        cmocka_unit_test_setup(test_server_tagged, setup),
        cmocka_unit_test_setup(test_two_vlans, setup),
        cmocka_unit_test_setup(test_qinq_one_way, setup),
        cmocka_unit_test_setup(test_count, setup),
        cmocka_unit_test_setup(test_two_way_not_split, setup),
        cmocka_unit_test_setup(test_same_direction_not_split, setup),
        cmocka_unit_test_setup(test_mirror_two_way, setup),
        cmocka_unit_test_setup(test_not_reported, setup),
        cmocka_unit_test_setup(test_ignore_vlan, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
