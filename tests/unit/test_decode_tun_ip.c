/* \summary: unit tests for tunnels taken off a frame (src/decode_tunnel.c): GRE, ERSPAN, IP in IP,
 * outer IPv6, fragments in tunnels, depth.
 *
 * Frames are built outer header by outer header around one inner packet
 * (tu_tun.h: IPv4 192.0.2.1:50000 -> 198.51.100.2:25, TCP PSH|ACK, "EHLO"),
 * each decoded from an exact-size copy so that ASan sees a read past the
 * capture. Each kind: decoded to the inner packet, counted, its id in
 * pkt.tun_id; a tunnel header cut by the snaplen (TRUNCATED) and one that
 * contradicts its lengths (MALFORMED), both counted as the tunnel's. More than
 * DECODE_TUNNEL_MAX layers: counted, not analysed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "tu_tun.h"

/* ---- GRE, ERSPAN ------------------------------------------------------------ */

static void
test_gre(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    /* checksum, key 77, sequence; IPv4 */
    tu_eth(0x0800);
    size_t i = tu_ip4(47);
    tu_put16(0xb000);
    tu_put16(0x0800);
    tu_put32(0);
    tu_put32(77);
    tu_put32(1);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_GRE);
    assert_int_equal(p.tun_id, 77);
    assert_int_equal(st.tun[DECODE_TUN_GRE], 1);
    /* the key field cut by the snaplen, and past the IP length */
    assert_int_equal(tu_dec_cut(14 + 20 + 6, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    tu_n = 14 + 20 + 6;
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    /* Transparent Ethernet Bridging, no key: no tunnel id */
    tu_eth(0x0800);
    i = tu_ip4(47);
    tu_put16(0);
    tu_put16(0x6558);
    tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, 0);
    /* version 1 (PPTP) is not followed */
    tu_f[14 + 20 + 1] = 1;
    assert_int_equal(tu_dec(&p, &st), DECODE_OTHER_PROTO);
    assert_int_equal(st.tun[DECODE_TUN_GRE], 0);
}

static void
erspan_frame(uint16_t type, const uint8_t *hdr, size_t hlen, bool ip)
{
    tu_eth(0x0800);
    size_t i = tu_ip4(47);
    tu_put16(0x1000); /* S */
    tu_put16(type);
    tu_put32(9);
    tu_put(hdr, hlen);
    if (!ip)
        tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix4(i);
}

static void
test_erspan(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    /* type II: version 1, session 0x155 */
    static const uint8_t e2[8] = {0x10, 0, 0x01, 0x55, 0, 0, 0, 0};
    erspan_frame(0x88be, e2, sizeof(e2), false);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_ERSPAN2);
    assert_int_equal(p.tun_id, 0x155);
    assert_int_equal(p.tun_depth, 2);
    assert_int_equal(st.tun[DECODE_TUN_GRE], 1);
    assert_int_equal(st.tun[DECODE_TUN_ERSPAN2], 1);
    /* a version that is not type II's: malformed */
    static const uint8_t e2bad[8] = {0x20, 0, 0x01, 0x55, 0, 0, 0, 0};
    erspan_frame(0x88be, e2bad, sizeof(e2bad), false);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    /* cut inside the ERSPAN header */
    erspan_frame(0x88be, e2, sizeof(e2), false);
    assert_int_equal(tu_dec_cut(14 + 20 + 8 + 5, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    /* type III, session 7, FT 2 (an IP packet), O: an 8-byte subheader */
    static const uint8_t e3[20] = {0x20, 0, 0, 7, 1, 2, 3, 4, 0, 0, 2 << 2, 0x01};
    erspan_frame(0x22eb, e3, sizeof(e3), true);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_ERSPAN3);
    assert_int_equal(p.tun_id, 7);
    assert_int_equal(st.tun[DECODE_TUN_ERSPAN3], 1);
    /* type III, FT 0: an Ethernet frame */
    erspan_frame(0x22eb, e3, 12, false);
    tu_f[14 + 20 + 8 + 10] = 0;
    tu_f[14 + 20 + 8 + 11] = 0;
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    /* type I: 0x88be without S, the Ethernet frame right after GRE */
    tu_eth(0x0800);
    size_t i = tu_ip4(47);
    tu_put16(0);
    tu_put16(0x88be);
    tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_ERSPAN2], 1);
}

/* ---- IP in IP ---------------------------------------------------------------- */

static void
test_ipip(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    tu_eth(0x0800);
    size_t i = tu_ip4(4);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_IPIP], 1);
    assert_int_equal(p.tun_kind, 0);
    assert_int_equal(p.tun_inner, DECODE_TUN_IPIP); /* no id; the layer's kind */
    assert_memory_equal(p.tun_dst.a, ((uint8_t[]){10, 255, 0, 2}), 4);
    /* protocol 41: IPv6 in IPv4 */
    tu_eth(0x0800);
    i = tu_ip4(41);
    tu_put(tu_ip6_tcp, sizeof(tu_ip6_tcp));
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    assert_int_equal(p.dport, 25);
    assert_int_equal(st.tun[DECODE_TUN_IP6], 1);
    /* protocol 41 carrying IPv4: malformed */
    tu_eth(0x0800);
    i = tu_ip4(41);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
}

/* ---- outer IPv6 (RFC 8200): VXLAN, Geneve, GRE over IPv6, 4in6, 6in6 ---------- */

static void
test_outer_ipv6(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    /* VXLAN over IPv6 (RFC 7348 §5 allows either) */
    tu_eth(0x86dd);
    size_t i = tu_ip6(17), u = tu_udp(4789);
    tu_put("\x08\0\0\0\0\x01\x02\0", 8);
    tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fixudp(u);
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_VXLAN);
    assert_int_equal(p.tun_id, 0x102);
    assert_int_equal(st.ip6, 1);
    assert_int_equal(p.l3[0] >> 4, 6); /* the outer header, for -w */
    assert_int_equal(p.l3_caplen, tu_n - 14);
    /* the outer payload length ending inside the VXLAN header: malformed */
    tu_f[i + 5] = 8 + 4;
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
    /* a hop-by-hop options header before UDP: still followed */
    tu_eth(0x86dd);
    i = tu_ip6(0);
    tu_put("\x11\0\x01\x04\0\0\0\0", 8); /* next UDP, PadN */
    u = tu_udp(4789);
    tu_put("\x08\0\0\0\0\0\x07\0", 8);
    tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fixudp(u);
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_id, 7);

    /* Geneve over IPv6, an IPv6 packet in it */
    tu_eth(0x86dd);
    i = tu_ip6(17);
    u = tu_udp(6081);
    tu_put("\0\0\x86\xdd\0\0\x2a\0", 8);
    tu_put(tu_ip6_tcp, sizeof(tu_ip6_tcp));
    tu_fixudp(u);
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    assert_int_equal(p.dport, 25);
    assert_int_equal(p.payload_caplen, 4);
    assert_int_equal(p.tun_kind, DECODE_TUN_GENEVE);
    assert_int_equal(p.tun_id, 42);
    assert_int_equal(st.ip6, 2);

    /* GRE over IPv6 with key 9, IPv4 in it */
    tu_eth(0x86dd);
    i = tu_ip6(47);
    tu_put16(0x2000);
    tu_put16(0x0800);
    tu_put32(9);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_GRE);
    assert_int_equal(p.tun_id, 9);
    /* the key past the payload length: malformed, the tunnel's */
    tu_n = 14 + 40 + 6;
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);

    /* 4in6 (RFC 2473: Next Header 4) and 6in6 (41) */
    tu_eth(0x86dd);
    i = tu_ip6(4);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_IPIP], 1);
    assert_int_equal(p.tun_kind, 0);
    tu_eth(0x86dd);
    i = tu_ip6(41);
    tu_put(tu_ip6_tcp, sizeof(tu_ip6_tcp));
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    assert_int_equal(p.src.a[15], 1);
    assert_int_equal(st.tun[DECODE_TUN_IP6], 1);
    assert_int_equal(st.ip6, 2);
    /* 4in6 whose inner packet is IPv6: malformed */
    tu_eth(0x86dd);
    i = tu_ip6(4);
    tu_put(tu_ip6_tcp, sizeof(tu_ip6_tcp));
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
}

/* A fragment inside a tunnel: the headers around it with a length or a
 * checksum are noted (decode_frag.outer, for -w), outermost first; none for a
 * fragment without a tunnel or a UDP 4789 datagram that is no VXLAN. */
static void
test_frag_outer(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    struct decode_frag fr;
    /* IPv6 / UDP / VXLAN / Ethernet / IPv4 fragment (MF) */
    tu_eth(0x86dd);
    size_t i = tu_ip6(17), u = tu_udp(4789);
    tu_put("\x08\0\0\0\0\0\x07\0", 8);
    tu_eth_in(0x0800);
    size_t in = tu_n;
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_f[in + 6] = 0x20; /* MF */
    tu_fixudp(u);
    tu_fix6(i);
    memset(&st, 0, sizeof(st));
    memset(&fr, 0xff, sizeof(fr));
    assert_int_equal(
        decode_frame_frag(DECODE_DLT_EN10MB, tu_f, (uint32_t)tu_n, (uint32_t)tu_n, 1, &p, &st, &fr),
        DECODE_FRAGMENT);
    assert_true(fr.hdr == tu_f + in);
    assert_int_equal(fr.n_outer, 2);
    assert_int_equal(fr.outer_kind[0], DECODE_OUTER_IP6);
    assert_true(fr.outer[0] == tu_f + i);
    assert_int_equal(fr.outer_kind[1], DECODE_OUTER_UDP);
    assert_true(fr.outer[1] == tu_f + u);
    /* IPv4 / GRE / IPv4 fragment */
    tu_eth(0x0800);
    i = tu_ip4(47);
    size_t g = tu_n;
    tu_put16(0x8000); /* C */
    tu_put16(0x0800);
    tu_put32(0);
    in = tu_n;
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_f[in + 6] = 0x20;
    tu_fix4(i);
    assert_int_equal(
        decode_frame_frag(DECODE_DLT_EN10MB, tu_f, (uint32_t)tu_n, (uint32_t)tu_n, 1, &p, &st, &fr),
        DECODE_FRAGMENT);
    assert_int_equal(fr.n_outer, 2);
    assert_int_equal(fr.outer_kind[0], DECODE_OUTER_IP4);
    assert_true(fr.outer[0] == tu_f + i);
    assert_int_equal(fr.outer_kind[1], DECODE_OUTER_GRE);
    assert_true(fr.outer[1] == tu_f + g);
    /* a fragment with no tunnel: nothing noted */
    tu_eth(0x0800);
    in = tu_n;
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_f[in + 6] = 0x20;
    assert_int_equal(
        decode_frame_frag(DECODE_DLT_EN10MB, tu_f, (uint32_t)tu_n, (uint32_t)tu_n, 1, &p, &st, &fr),
        DECODE_FRAGMENT);
    assert_int_equal(fr.n_outer, 0);
}

static void
test_too_deep(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    size_t at[DECODE_TUNNEL_MAX + 1];
    /* DECODE_TUNNEL_MAX layers: decoded */
    tu_eth(0x0800);
    for (unsigned k = 0; k < DECODE_TUNNEL_MAX; k++)
        at[k] = tu_ip4(4);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    for (unsigned k = DECODE_TUNNEL_MAX; k-- > 0;)
        tu_fix4(at[k]);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.tun_depth, DECODE_TUNNEL_MAX);
    assert_int_equal(st.tun_too_deep, 0);
    /* one more: counted, not analysed */
    tu_eth(0x0800);
    for (unsigned k = 0; k <= DECODE_TUNNEL_MAX; k++)
        at[k] = tu_ip4(4);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    for (unsigned k = DECODE_TUNNEL_MAX + 1; k-- > 0;)
        tu_fix4(at[k]);
    assert_int_equal(tu_dec(&p, &st), DECODE_OTHER_PROTO);
    assert_int_equal(st.tun_too_deep, 1);
    assert_int_equal(st.other_proto, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_gre, tu_tun_teardown),
        cmocka_unit_test_teardown(test_erspan, tu_tun_teardown),
        cmocka_unit_test_teardown(test_ipip, tu_tun_teardown),
        cmocka_unit_test_teardown(test_outer_ipv6, tu_tun_teardown),
        cmocka_unit_test_teardown(test_frag_outer, tu_tun_teardown),
        cmocka_unit_test_teardown(test_too_deep, tu_tun_teardown),
    };
    return cmocka_run_group_tests_name("decode_tun_ip", tests, NULL, NULL);
}
