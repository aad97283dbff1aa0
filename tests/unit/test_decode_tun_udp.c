/* \summary: unit tests for tunnels taken off a frame (src/decode_tunnel.c): VXLAN and Geneve (UDP),
 * an inner packet past its tunnel's end, the flow key.
 *
 * Frames are built outer header by outer header around one inner packet
 * (tu_tun.h: IPv4 192.0.2.1:50000 -> 198.51.100.2:25, TCP PSH|ACK, "EHLO"),
 * each decoded from an exact-size copy so that ASan sees a read past the
 * capture. Each kind: decoded to the inner packet, counted, its id in
 * pkt.tun_id; a tunnel header cut by the snaplen (TRUNCATED) and one that
 * contradicts its lengths (MALFORMED), both counted as the tunnel's. A UDP 4789
 * datagram that is no VXLAN stays UDP; the flow key with the tunnel's id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "flow.h"
#include "tu_tun.h"

/* ---- VXLAN ------------------------------------------------------------------ */

static void
test_vxlan(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    tu_vxlan_frame(0x08, 0x123456);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_VXLAN);
    assert_int_equal(p.tun_id, 0x123456);
    assert_int_equal(p.tun_depth, 1);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 1);
    assert_int_equal(p.l3[12], 10); /* the outer source 10.255.0.1 */
    assert_int_equal(p.l3_caplen, tu_n - 14);
    /* the outer IP header's ends, for the session record's tunnel */
    assert_int_equal(p.tun_inner, DECODE_TUN_VXLAN);
    assert_memory_equal(p.tun_src.a, ((uint8_t[]){10, 255, 0, 1}), 4);
    assert_memory_equal(p.tun_dst.a, ((uint8_t[]){10, 255, 0, 2}), 4);
    assert_memory_equal(p.src.a, ((uint8_t[]){192, 0, 2, 1}), 4);

    /* the header cut by the snaplen: truncated, the tunnel's */
    assert_int_equal(tu_dec_cut(14 + 20 + 8 + 4, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    assert_int_equal(st.truncated, 1);
    /* the inner TCP header cut: truncated, the inner packet's */
    assert_int_equal(tu_dec_cut(tu_n - 20, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 0);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 1);
}

static void
test_vxlan_not_vxlan(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    /* I clear: no VXLAN header, a plain UDP datagram to 4789 */
    tu_vxlan_frame(0x00, 7);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.dport, 4789);
    assert_int_equal(p.payload_caplen, 8 + 14 + sizeof(tu_ip4_tcp));
    assert_int_equal(p.tun_depth, 0);
    assert_int_equal(p.tun_kind, 0);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
    /* too short for a VXLAN header and an Ethernet header: UDP */
    tu_eth(0x0800);
    size_t i = tu_ip4(17), u = tu_udp(4789);
    tu_put("\x08\0\0\0\0\0\x07\0", 8);
    tu_fixudp(u);
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.payload_caplen, 8);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
    /* from port 4789 to another: not looked at (the destination port is VXLAN's) */
    tu_vxlan_frame(0x08, 7);
    tu_f[14 + 20] = 0x12, tu_f[14 + 21] = 0xb5, tu_f[14 + 22] = 0xc3, tu_f[14 + 23] = 0x50;
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.dport, 50000);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
}

/* ---- Geneve ----------------------------------------------------------------- */

static void
geneve_frame(uint8_t ver_optlen, uint16_t type)
{
    tu_eth(0x0800);
    size_t i = tu_ip4(17), u = tu_udp(6081);
    uint8_t h[8] = {ver_optlen, 0, (uint8_t)(type >> 8), (uint8_t)type, 0, 0, 0x2a, 0};
    tu_put(h, 8);
    for (unsigned k = 0; k < (ver_optlen & 0x3fu) * 4; k++)
        tu_put("\x01", 1);
    if (type == 0x6558)
        tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fixudp(u);
    tu_fix4(i);
}

static void
test_geneve(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    geneve_frame(2, 0x0800); /* 8 bytes of options, an IPv4 packet */
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_GENEVE);
    assert_int_equal(p.tun_id, 42);
    assert_int_equal(st.tun[DECODE_TUN_GENEVE], 1);
    geneve_frame(0, 0x6558); /* an Ethernet frame */
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    /* options past the datagram: malformed */
    geneve_frame(0x3f, 0x0800);
    tu_n = 14 + 20 + 8 + 8 + 40;
    tu_fixudp(14 + 20);
    tu_fix4(14);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    /* options cut by the snaplen: truncated */
    geneve_frame(4, 0x0800);
    assert_int_equal(tu_dec_cut(14 + 20 + 8 + 8 + 6, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    /* version 1: no Geneve, UDP */
    geneve_frame(0x40, 0x0800);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.dport, 6081);
    assert_int_equal(st.tun[DECODE_TUN_GENEVE], 0);
    /* O set (RFC 8926 §3.4): a control message: counted, not taken off, UDP */
    geneve_frame(2, 0x0800);
    tu_f[14 + 20 + 8 + 1] = 0x80;
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(st.tun_oam, 1);
    assert_int_equal(st.tun[DECODE_TUN_GENEVE], 0);
    assert_int_equal(p.tun_depth, 0);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.dport, 6081);
    assert_int_equal(p.src.a[0], 10); /* the outer datagram's */
    assert_int_equal(st.udp, 1);
    tu_f[14 + 20 + 8] = 0x3f; /* options past the datagram: not read */
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(st.tun_oam, 1);
    assert_int_equal(st.tun_malformed, 0);
}

/* ---- the flow key -------------------------------------------------------------- */

/* An inner packet whose every byte was captured, but whose headers claim
 * more than the tunnel carries, is MALFORMED (decode.c's rule: beyond the
 * wire length), not TRUNCATED, which would send the user to the snaplen;
 * the same frame cut by the snaplen stays TRUNCATED. */
static void
test_inner_past_tunnel_end(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    /* VXLAN whose inner Ethernet ends inside an 802.1Q tag */
    tu_eth(0x0800);
    size_t i = tu_ip4(17), u = tu_udp(4789);
    uint8_t vx[8] = {0x08, 0, 0, 0, 0, 0, 42, 0};
    tu_put(vx, 8);
    tu_eth_in(0x8100);
    tu_put16(0x0064); /* the TCI, no inner type */
    tu_fixudp(u);
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.truncated, 0);
    assert_int_equal(tu_dec_cut(tu_n - 1, &p, &st), DECODE_TRUNCATED); /* the snaplen cut it */
    /* GRE 0x0800 carrying 10 bytes of an IPv4 header */
    tu_eth(0x0800);
    i = tu_ip4(47);
    tu_put16(0x0000);
    tu_put16(0x0800);
    tu_put(tu_ip4_tcp, 10);
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(tu_dec_cut(tu_n - 1, &p, &st), DECODE_TRUNCATED);
    /* IP in IP with no inner byte at all */
    tu_eth(0x0800);
    i = tu_ip4(4);
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.malformed, 1);
}

static void
test_flow_key_vni(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    struct flow_key k1, k2, k3;
    uint8_t side;
    tu_vxlan_frame(0x08, 100);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k1, &side);
    tu_vxlan_frame(0x08, 200); /* the same addresses in another network */
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k2, &side);
    assert_int_not_equal(k1.tun_id, k2.tun_id);
    assert_memory_not_equal(&k1, &k2, sizeof(k1));
    /* --ignore-vlan leaves the tunnel's id out too */
    flow_set_ignore_vlan(true);
    flow_key_from_pkt(&p, &k3, &side);
    tu_vxlan_frame(0x08, 100);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k1, &side);
    assert_memory_equal(&k1, &k3, sizeof(k1));
}
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_vxlan, tu_tun_teardown),
        cmocka_unit_test_teardown(test_vxlan_not_vxlan, tu_tun_teardown),
        cmocka_unit_test_teardown(test_geneve, tu_tun_teardown),
        cmocka_unit_test_teardown(test_inner_past_tunnel_end, tu_tun_teardown),
        cmocka_unit_test_teardown(test_flow_key_vni, tu_tun_teardown),
    };
    return cmocka_run_group_tests_name("decode_tun_udp", tests, NULL, NULL);
}
