/* \summary: unit tests for tunnels taken off a frame (src/decode_tunnel.c): MPLS and PPPoE
 * (link-layer tunnels).
 *
 * Frames are built outer header by outer header around one inner packet
 * (tu_tun.h: IPv4 192.0.2.1:50000 -> 198.51.100.2:25, TCP PSH|ACK, "EHLO"),
 * each decoded from an exact-size copy so that ASan sees a read past the
 * capture. Each kind: decoded to the inner packet, counted, its id in
 * pkt.tun_id; a tunnel header cut by the snaplen (TRUNCATED) and one that
 * contradicts its lengths (MALFORMED), both counted as the tunnel's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "inetsum.h"
#include "tu_tun.h"

/* ---- MPLS, PPPoE -------------------------------------------------------------- */

/* The label stack in pkt.mpls (the session record's tunnel.mpls_labels):
 * the 20-bit labels, outermost first, without TC, S and TTL; the first MPLS
 * layer's when a tunnel carries another; kept for a datagram reassembled from
 * fragments that came over it; none without MPLS. */
static void
test_mpls_labels(void **state)
{
    (void)state;
    struct pkt p, whole;
    struct decode_stats st;
    /* an LSP label, an entropy label indicator (7) and entropy label, the
     * bottom label 0xfffff (the largest), TC and TTL varied */
    tu_eth(0x8847);
    tu_put32(16001u << 12 | 0xa00 | 63);
    tu_put32(7u << 12 | 255);
    tu_put32(0x12345u << 12 | 1);
    tu_put32(0xfffffu << 12 | 0xe00 | 0x100 | 2);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.mpls.n, 4);
    assert_int_equal(p.mpls.label[0], 16001);
    assert_int_equal(p.mpls.label[1], 7);
    assert_int_equal(p.mpls.label[2], 0x12345);
    assert_int_equal(p.mpls.label[3], 0xfffff);
    /* the deepest stack walked (PKT_MPLS_MAX entries): every label kept */
    tu_eth(0x8847);
    for (uint32_t k = 0; k < PKT_MPLS_MAX; k++)
        tu_put32((100 + k) << 12 | (k + 1 == PKT_MPLS_MAX ? 0x100u : 0) | 64);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.mpls.n, PKT_MPLS_MAX);
    assert_int_equal(p.mpls.label[0], 100);
    assert_int_equal(p.mpls.label[PKT_MPLS_MAX - 1], 100 + PKT_MPLS_MAX - 1);
    /* MPLS (label 300) / Ethernet pseudowire with control word / IPv4 / GRE
     * 0x8847 / MPLS (label 400): the first layer's stack */
    tu_eth(0x8847);
    tu_put32(300u << 12 | 0x100 | 64);
    tu_put32(0);
    tu_eth_in(0x0800);
    size_t i = tu_ip4(47);
    tu_put16(0);
    tu_put16(0x8847);
    tu_put32(400u << 12 | 0x100 | 64);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fix4(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(p.tun_depth, 3);
    assert_int_equal(p.mpls.n, 1);
    assert_int_equal(p.mpls.label[0], 300);
    /* an IPv4 fragment over label 500: the reassembled datagram keeps it */
    tu_eth(0x8847);
    tu_put32(500u << 12 | 0x100 | 64);
    size_t in = tu_n;
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_f[in + 6] = 0x20; /* MF */
    struct decode_frag fr;
    memset(&st, 0, sizeof(st));
    assert_int_equal(
        decode_frame_frag(DECODE_DLT_EN10MB, tu_f, (uint32_t)tu_n, (uint32_t)tu_n, 1, &p, &st, &fr),
        DECODE_FRAGMENT);
    assert_int_equal(p.mpls.n, 1);
    assert_int_equal(
        decode_datagram(tu_ip4_tcp, sizeof(tu_ip4_tcp), sizeof(tu_ip4_tcp), &p, &whole, &st),
        DECODE_OK);
    assert_int_equal(whole.mpls.n, 1);
    assert_int_equal(whole.mpls.label[0], 500);
    /* no MPLS: none */
    tu_vxlan_frame(0x08, 1);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.mpls.n, 0);
}

/* An IPv4 header + TCP (tu_ip4_tcp's) of 40 + plen bytes from src to dst,
 * its header checksum computed when sum (else 0). */
static void
put_ip4(const uint8_t src[4], const uint8_t dst[4], size_t plen, bool sum)
{
    uint8_t h[sizeof(tu_ip4_tcp)];
    assert_true(plen <= 4);
    memcpy(h, tu_ip4_tcp, sizeof(h));
    h[3] = (uint8_t)(40 + plen);
    memcpy(h + 12, src, 4);
    memcpy(h + 16, dst, 4);
    if (sum) {
        uint16_t c = (uint16_t)~inetsum_add(0, h, 20);
        h[10] = (uint8_t)(c >> 8), h[11] = (uint8_t)c;
    }
    tu_put(h, 40 + plen);
}

/* An Ethernet pseudowire frame without the control word after one label:
 * destination address dst (first nibble 4 or 6), type, the IPv4 packet
 * (checksum computed when sum); then pad bytes of zeros. */
static void
pw_frame(const uint8_t dst[6], uint16_t type, bool sum, size_t pad)
{
    static const uint8_t a[4] = {192, 0, 2, 1}, b[4] = {198, 51, 100, 2};
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    tu_put(dst, 6);
    tu_put("\x02\0\0\0\0\x01", 6);
    tu_put16(type);
    put_ip4(a, b, 4, sum);
    for (size_t k = 0; k < pad; k++)
        tu_put("", 1);
}

/* MPLS without a control word, first nibble 4 or 6: IP, or an Ethernet
 * pseudowire whose destination address begins so (RFC 4928 §2)? Each case
 * both ways: the IP length against the bytes left (a short frame's
 * padding), the IPv4 header checksum of each reading, a known non-IP
 * Ethertype. */
static void
test_mpls_guess(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    static const uint8_t s8069[4] = {8, 0, 69, 0}, d[4] = {198, 51, 100, 2};
    /* IPv4 without payload in a short frame: 6 bytes of padding after it,
     * and its source 8.0.69.0 reads as Ethernet type 0x0800, version 4, but
     * that packet's length (198.51: 50739) does not fit: IP */
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    put_ip4(s8069, d, 0, false);
    tu_put("\0\0\0\0\0\0", 6);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_memory_equal(p.src.a, s8069, 4);
    assert_int_equal(p.dport, 25);
    assert_int_equal(p.payload_wirelen, 0);
    /* ... the other way: a short Ethernet pseudowire frame (58 bytes,
     * padded to 60) to 45:00:00:3c: the IP reading's length (60) fills it
     * as exactly as the frame's packet does, but its checksum is wrong
     * (addresses are no header) and the frame's packet's right: the frame */
    static const uint8_t m3c[6] = {0x45, 0, 0, 0x3c, 0x40, 0x06};
    pw_frame(m3c, 0x0800, true, 2);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    /* ... with neither checksum right, the reading with no tail beyond
     * padding: the frame (the IP reading's tail is 14 bytes: 45:00:00:30) */
    static const uint8_t m30[6] = {0x45, 0, 0, 0x30, 0x40, 0x06};
    pw_frame(m30, 0x0800, false, 0);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    /* ... the IP reading exact and right: an IPv4 packet from 8.0.69.0 to
     * 0.20.100.2, whose bytes read as a frame carrying IPv4 of 20 bytes
     * (0x0014) that fits but whose checksum is wrong: IP */
    static const uint8_t d0014[4] = {0, 20, 100, 2};
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    put_ip4(s8069, d0014, 4, true);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_memory_equal(p.src.a, s8069, 4);
    assert_int_equal(p.payload_caplen, 4);
    /* ... and an IPv6 packet whose tail (6 bytes, no padding: the frame is
     * long) is not the frame's either: IP, the first nibble's */
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    tu_put(tu_ip6_tcp, sizeof(tu_ip6_tcp));
    tu_put("\0\0\0\0\0\0", 6);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    /* an ARP frame to 45:..: neither IP length fits, ARP is an Ethertype:
     * not IP (the frame's), nothing malformed */
    static const uint8_t m45[6] = {0x45, 0x73, 0x2d, 0x9c, 0x11, 0x38};
    pw_frame(m45, 0x0806, false, 0);
    assert_int_equal(tu_dec(&p, &st), DECODE_NOT_IP);
    assert_int_equal(st.malformed, 0);
    assert_int_equal(st.not_ip, 1);
    /* ... the other way: an IPv4 packet from 8.6.1.1 (0x0806: ARP's type)
     * whose length is past the frame: with its header checksum right, the
     * IP packet's own outcome (malformed); with it wrong, not IP */
    static const uint8_t s806[4] = {8, 6, 1, 1};
    for (int sum = 1; sum >= 0; sum--) {
        tu_eth(0x8847);
        tu_put32(0x100 | 64);
        size_t at = tu_n;
        put_ip4(s806, d, 4, false);
        tu_f[at + 2] = 0x10; /* 4140 bytes */
        if (sum) {
            uint16_t c = (uint16_t)~inetsum_add(0, tu_f + at, 20);
            tu_f[at + 10] = (uint8_t)(c >> 8), tu_f[at + 11] = (uint8_t)c;
        }
        assert_int_equal(tu_dec(&p, &st), sum ? DECODE_MALFORMED : DECODE_NOT_IP);
    }
}

static void
test_mpls(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    tu_eth(0x8847);
    tu_put32(1000u << 12 | 64);
    tu_put32(2000u << 12 | 0x100 | 64); /* S: bottom of stack */
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_MPLS], 1);
    assert_int_equal(p.tun_inner, DECODE_TUN_MPLS);
    assert_int_equal(p.tun_src.family, 0); /* no IP header outside the tunnel */
    /* IPv6 after the stack: the first nibble says */
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    tu_put(tu_ip6_tcp, sizeof(tu_ip6_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    /* a control word, then no Ethernet frame carrying IP: not IP */
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    tu_put32(0);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_NOT_IP);
    /* the pseudowire control word (RFC 4385 §3, sequence 5), then an
     * Ethernet frame (RFC 4448 §4.4): followed */
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    tu_put32(5);
    tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_MPLS], 1);
    assert_int_equal(st.not_ip, 0);
    /* ... the control word cut by the snaplen: truncated, the tunnel's */
    assert_int_equal(tu_dec_cut(14 + 4 + 2, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    /* the associated channel (first nibble 1, RFC 4385 §3): not IP */
    tu_f[14 + 4] = 0x10;
    assert_int_equal(tu_dec(&p, &st), DECODE_NOT_IP);
    /* an Ethernet pseudowire without the control word (RFC 4448 §4.4):
     * destination addresses of first nibble 1 (not the associated
     * channel's version 0), 6 (no IPv6 length fits), 0 (no frame after a
     * control word fits) and 4; the frame carries IPv4 */
    static const uint8_t dst0[] = {0x1e, 0x66, 0x02, 0x45};
    for (unsigned k = 0; k < sizeof(dst0); k++) {
        tu_eth(0x8847);
        tu_put32(0x100 | 64);
        uint8_t macs[12] = {dst0[k], 0x73, 0x2d, 0x9c, 0x11, 0x38,
                            0x66,    0xe5, 0xcf, 0x61, 0x97, 0x9d};
        tu_put(macs, 12);
        tu_put16(0x0800);
        tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
        assert_int_equal(tu_dec(&p, &st), DECODE_OK);
        tu_check_inner4(&p);
        assert_int_equal(st.tun[DECODE_TUN_MPLS], 1);
        /* ... a frame carrying no IP is not followed: not IP, after 4x or
         * 6x too (no IP length fits, ARP is a known Ethertype), not the
         * malformed IP packet it would be */
        tu_f[14 + 4 + 12] = 0x08;
        tu_f[14 + 4 + 13] = 0x06; /* ARP */
        assert_int_equal(tu_dec(&p, &st), DECODE_NOT_IP);
        assert_int_equal(st.malformed, 0);
    }
    /* IPv4 with Ethernet padding after it (a 60-byte frame): still IP */
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp) - 4); /* 40 bytes: no payload */
    tu_f[14 + 4 + 3] = 40;
    tu_put16(0);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.payload_wirelen, 0);
    /* IPv4 whose length does not fit, where no Ethernet frame fits either:
     * IP, its own outcome (malformed: past the frame) */
    tu_eth(0x8847);
    tu_put32(0x100 | 64);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_f[14 + 4 + 2] = 0x10;
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 0);
    /* no bottom of stack in 8 entries: malformed; cut in a label: truncated */
    tu_eth(0x8847);
    for (unsigned k = 0; k < 9; k++)
        tu_put32(64);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    assert_int_equal(tu_dec_cut(14 + 6, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
}

static void
pppoe_frame(uint8_t vt, uint16_t proto, const uint8_t *ip, size_t iplen)
{
    tu_eth(0x8864);
    uint8_t h[6] = {vt, 0, 0x00, 0x42, (uint8_t)((iplen + 2) >> 8), (uint8_t)(iplen + 2)};
    tu_put(h, 6);
    tu_put16(proto);
    tu_put(ip, iplen);
}

static void
test_pppoe(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    pppoe_frame(0x11, 0x0021, tu_ip4_tcp, sizeof(tu_ip4_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    tu_check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_PPPOE], 1);
    pppoe_frame(0x11, 0x0057, tu_ip6_tcp, sizeof(tu_ip6_tcp));
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    pppoe_frame(0x11, 0xc021, tu_ip4_tcp, sizeof(tu_ip4_tcp)); /* LCP */
    assert_int_equal(tu_dec(&p, &st), DECODE_NOT_IP);
    pppoe_frame(0x21, 0x0021, tu_ip4_tcp, sizeof(tu_ip4_tcp)); /* version 2 */
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    pppoe_frame(0x11, 0x0021, tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_f[18] = 0x10; /* a length past the frame */
    assert_int_equal(tu_dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(tu_dec_cut(14 + 5, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_mpls, tu_tun_teardown),
        cmocka_unit_test_teardown(test_mpls_labels, tu_tun_teardown),
        cmocka_unit_test_teardown(test_mpls_guess, tu_tun_teardown),
        cmocka_unit_test_teardown(test_pppoe, tu_tun_teardown),
    };
    return cmocka_run_group_tests_name("decode_tun_mpls", tests, NULL, NULL);
}
