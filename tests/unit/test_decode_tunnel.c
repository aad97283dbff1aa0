/* \summary: unit tests for tunnels taken off a frame (src/decode_tunnel.c).
 *
 * Frames are built outer header by outer header around one inner packet
 * (IPv4 192.0.2.1:50000 -> 198.51.100.2:25, TCP PSH|ACK, "EHLO"), each
 * decoded from an exact-size copy so that ASan sees a read past the
 * capture. Each kind: decoded to the inner packet, counted, its id in
 * pkt.tun_id; a tunnel header cut by the snaplen (TRUNCATED) and one that
 * contradicts its lengths (MALFORMED), both counted as the tunnel's; more
 * than DECODE_TUNNEL_MAX layers; a UDP 4789 datagram that is no VXLAN
 * stays UDP; and the flow key with the tunnel's id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "flow.h"

/* IPv4 (RFC 791) + TCP (RFC 9293) + "EHLO": 44 bytes */
static const uint8_t ip4_tcp[] = {
    0x45, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, /* v4, len 44, TCP */
    192,  0,    2,    1,    198,  51,   100,  2,                            /* src, dst */
    0xc3, 0x50, 0x00, 0x19,                                                 /* 50000 -> 25 */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,                         /* seq 1, ack 2 */
    0x50, 0x18, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,                         /* doff 5, PSH|ACK */
    'E',  'H',  'L',  'O',
};
/* IPv6 (RFC 8200) + TCP + "EHLO": 64 bytes */
static const uint8_t
    ip6_tcp
        [] =
            {
                0x60, 0,    0,    0,    0x00, 0x18, 0x06, 0x40, /* plen 24, TCP */
                0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0,   0,   0,   0,
                0,    0,    0,    0x01, /* 2001:db8::1
                                         */
                0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0,   0,   0,   0,
                0,    0,    0,    0x02, /* 2001:db8::2
                                         */
                0xc3, 0x50, 0x00, 0x19, 0,    0,    0,    1,    0,   0,   0,   2,
                0x50, 0x18, 0xfa, 0xf0, 0,    0,    0,    0,    'E', 'H', 'L', 'O',
};

static uint8_t f[1024]; /* the frame being built */
static size_t n;
static uint8_t *tu_buf;

static void
put(const void *p, size_t len)
{
    assert_true(n + len <= sizeof(f));
    memcpy(f + n, p, len);
    n += len;
}

static void
put16(uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(b, 2);
}

static void
put32(uint32_t v)
{
    put16((uint16_t)(v >> 16));
    put16((uint16_t)v);
}

static void
eth(uint16_t type)
{
    static const uint8_t macs[12] = {0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa};
    n = 0;
    put(macs, 12);
    put16(type);
}

/* An inner Ethernet header (no reset of the frame). */
static void
eth_in(uint16_t type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    put(macs, 12);
    put16(type);
}

/* An outer IPv4 header of protocol proto; its total length is set by fix4(). */
static size_t
ip4(uint8_t proto)
{
    size_t at = n;
    uint8_t h[20] = {0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0, 10, 255, 0, 1, 10, 255, 0, 2};
    put(h, 20);
    return at;
}

static void
fix4(size_t at)
{
    f[at + 2] = (uint8_t)((n - at) >> 8);
    f[at + 3] = (uint8_t)(n - at);
}

/* An outer UDP header to dport; its length set by fixudp(). */
static size_t
udp(uint16_t dport)
{
    size_t at = n;
    put16(51000);
    put16(dport);
    put32(0);
    return at;
}

static void
fixudp(size_t at)
{
    f[at + 4] = (uint8_t)((n - at) >> 8);
    f[at + 5] = (uint8_t)(n - at);
}

static void
tu_teardown_buf(void)
{
    free(tu_buf);
    tu_buf = NULL;
}

static int
tu_teardown(void **state)
{
    (void)state;
    tu_teardown_buf();
    flow_set_ignore_vlan(false);
    return 0;
}

/* Decodes the first caplen bytes of f (n on the wire). */
static enum decode_result
dec_cut(size_t caplen, struct pkt *p, struct decode_stats *st)
{
    tu_teardown_buf();
    tu_buf = malloc(caplen > 0 ? caplen : 1);
    assert_non_null(tu_buf);
    memcpy(tu_buf, f, caplen);
    memset(st, 0, sizeof(*st));
    return decode_frame(DECODE_DLT_EN10MB, tu_buf, (uint32_t)caplen, (uint32_t)n, 1, p, st);
}

static enum decode_result
dec(struct pkt *p, struct decode_stats *st)
{
    return dec_cut(n, p, st);
}

static void
check_inner4(const struct pkt *p)
{
    static const uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {198, 51, 100, 2};
    assert_int_equal(p->src.family, 4);
    assert_memory_equal(p->src.a, src, 4);
    assert_memory_equal(p->dst.a, dst, 4);
    assert_int_equal(p->ip_proto, 6);
    assert_int_equal(p->sport, 50000);
    assert_int_equal(p->dport, 25);
    assert_int_equal(p->payload_caplen, 4);
    assert_memory_equal(p->payload, "EHLO", 4);
    /* l3: the frame's outer IP header (-w); l3_in: the inner one (nDPI) */
    assert_non_null(p->l3_in);
    assert_int_equal(p->l3_in[12], 192);
    assert_int_equal(p->l3_in_caplen, sizeof(ip4_tcp));
}

static void
vxlan_frame(uint8_t flags, uint32_t vni)
{
    eth(0x0800);
    size_t i = ip4(17), u = udp(4789);
    uint8_t h[8] = {flags, 0, 0, 0, (uint8_t)(vni >> 16), (uint8_t)(vni >> 8), (uint8_t)vni, 0};
    put(h, 8);
    eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    fixudp(u);
    fix4(i);
}

/* ---- VXLAN ------------------------------------------------------------------ */

static void
test_vxlan(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    vxlan_frame(0x08, 0x123456);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_VXLAN);
    assert_int_equal(p.tun_id, 0x123456);
    assert_int_equal(p.tun_depth, 1);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 1);
    assert_int_equal(p.l3[12], 10); /* the outer source 10.255.0.1 */
    assert_int_equal(p.l3_caplen, n - 14);
    /* the outer IP header's ends, for the session record's tunnel */
    assert_int_equal(p.tun_inner, DECODE_TUN_VXLAN);
    assert_memory_equal(p.tun_src.a, ((uint8_t[]){10, 255, 0, 1}), 4);
    assert_memory_equal(p.tun_dst.a, ((uint8_t[]){10, 255, 0, 2}), 4);
    assert_memory_equal(p.src.a, ((uint8_t[]){192, 0, 2, 1}), 4);

    /* the header cut by the snaplen: truncated, the tunnel's */
    assert_int_equal(dec_cut(14 + 20 + 8 + 4, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    assert_int_equal(st.truncated, 1);
    /* the inner TCP header cut: truncated, the inner packet's */
    assert_int_equal(dec_cut(n - 20, &p, &st), DECODE_TRUNCATED);
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
    vxlan_frame(0x00, 7);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.dport, 4789);
    assert_int_equal(p.payload_caplen, 8 + 14 + sizeof(ip4_tcp));
    assert_int_equal(p.tun_depth, 0);
    assert_int_equal(p.tun_kind, 0);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
    /* too short for a VXLAN header and an Ethernet header: UDP */
    eth(0x0800);
    size_t i = ip4(17), u = udp(4789);
    put("\x08\0\0\0\0\0\x07\0", 8);
    fixudp(u);
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.payload_caplen, 8);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
    /* from port 4789 to another: not looked at (the destination port is VXLAN's) */
    vxlan_frame(0x08, 7);
    f[14 + 20] = 0x12, f[14 + 21] = 0xb5, f[14 + 22] = 0xc3, f[14 + 23] = 0x50;
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.dport, 50000);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
}

/* ---- Geneve ----------------------------------------------------------------- */

static void
geneve_frame(uint8_t ver_optlen, uint16_t type)
{
    eth(0x0800);
    size_t i = ip4(17), u = udp(6081);
    uint8_t h[8] = {ver_optlen, 0, (uint8_t)(type >> 8), (uint8_t)type, 0, 0, 0x2a, 0};
    put(h, 8);
    for (unsigned k = 0; k < (ver_optlen & 0x3fu) * 4; k++)
        put("\x01", 1);
    if (type == 0x6558)
        eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    fixudp(u);
    fix4(i);
}

static void
test_geneve(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    geneve_frame(2, 0x0800); /* 8 bytes of options, an IPv4 packet */
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_GENEVE);
    assert_int_equal(p.tun_id, 42);
    assert_int_equal(st.tun[DECODE_TUN_GENEVE], 1);
    geneve_frame(0, 0x6558); /* an Ethernet frame */
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    /* options past the datagram: malformed */
    geneve_frame(0x3f, 0x0800);
    n = 14 + 20 + 8 + 8 + 40;
    fixudp(14 + 20);
    fix4(14);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    /* options cut by the snaplen: truncated */
    geneve_frame(4, 0x0800);
    assert_int_equal(dec_cut(14 + 20 + 8 + 8 + 6, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    /* version 1: no Geneve, UDP */
    geneve_frame(0x40, 0x0800);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.dport, 6081);
    assert_int_equal(st.tun[DECODE_TUN_GENEVE], 0);
    /* O set (RFC 8926 §3.4): a control message: counted, not taken off, UDP */
    geneve_frame(2, 0x0800);
    f[14 + 20 + 8 + 1] = 0x80;
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(st.tun_oam, 1);
    assert_int_equal(st.tun[DECODE_TUN_GENEVE], 0);
    assert_int_equal(p.tun_depth, 0);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.dport, 6081);
    assert_int_equal(p.src.a[0], 10); /* the outer datagram's */
    assert_int_equal(st.udp, 1);
    f[14 + 20 + 8] = 0x3f; /* options past the datagram: not read */
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(st.tun_oam, 1);
    assert_int_equal(st.tun_malformed, 0);
}

/* ---- GRE, ERSPAN ------------------------------------------------------------ */

static void
test_gre(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    /* checksum, key 77, sequence; IPv4 */
    eth(0x0800);
    size_t i = ip4(47);
    put16(0xb000);
    put16(0x0800);
    put32(0);
    put32(77);
    put32(1);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_GRE);
    assert_int_equal(p.tun_id, 77);
    assert_int_equal(st.tun[DECODE_TUN_GRE], 1);
    /* the key field cut by the snaplen, and past the IP length */
    assert_int_equal(dec_cut(14 + 20 + 6, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    n = 14 + 20 + 6;
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    /* Transparent Ethernet Bridging, no key: no tunnel id */
    eth(0x0800);
    i = ip4(47);
    put16(0);
    put16(0x6558);
    eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, 0);
    /* version 1 (PPTP) is not followed */
    f[14 + 20 + 1] = 1;
    assert_int_equal(dec(&p, &st), DECODE_OTHER_PROTO);
    assert_int_equal(st.tun[DECODE_TUN_GRE], 0);
}

static void
erspan_frame(uint16_t type, const uint8_t *hdr, size_t hlen, bool ip)
{
    eth(0x0800);
    size_t i = ip4(47);
    put16(0x1000); /* S */
    put16(type);
    put32(9);
    put(hdr, hlen);
    if (!ip)
        eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix4(i);
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
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_ERSPAN2);
    assert_int_equal(p.tun_id, 0x155);
    assert_int_equal(p.tun_depth, 2);
    assert_int_equal(st.tun[DECODE_TUN_GRE], 1);
    assert_int_equal(st.tun[DECODE_TUN_ERSPAN2], 1);
    /* a version that is not type II's: malformed */
    static const uint8_t e2bad[8] = {0x20, 0, 0x01, 0x55, 0, 0, 0, 0};
    erspan_frame(0x88be, e2bad, sizeof(e2bad), false);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    /* cut inside the ERSPAN header */
    erspan_frame(0x88be, e2, sizeof(e2), false);
    assert_int_equal(dec_cut(14 + 20 + 8 + 5, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    /* type III, session 7, FT 2 (an IP packet), O: an 8-byte subheader */
    static const uint8_t e3[20] = {0x20, 0, 0, 7, 1, 2, 3, 4, 0, 0, 2 << 2, 0x01};
    erspan_frame(0x22eb, e3, sizeof(e3), true);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_ERSPAN3);
    assert_int_equal(p.tun_id, 7);
    assert_int_equal(st.tun[DECODE_TUN_ERSPAN3], 1);
    /* type III, FT 0: an Ethernet frame */
    erspan_frame(0x22eb, e3, 12, false);
    f[14 + 20 + 8 + 10] = 0;
    f[14 + 20 + 8 + 11] = 0;
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    /* type I: 0x88be without S, the Ethernet frame right after GRE */
    eth(0x0800);
    size_t i = ip4(47);
    put16(0);
    put16(0x88be);
    eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_ERSPAN2], 1);
}

/* ---- IP in IP ---------------------------------------------------------------- */

static void
test_ipip(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    eth(0x0800);
    size_t i = ip4(4);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_IPIP], 1);
    assert_int_equal(p.tun_kind, 0);
    assert_int_equal(p.tun_inner, DECODE_TUN_IPIP); /* no id; the layer's kind */
    assert_memory_equal(p.tun_dst.a, ((uint8_t[]){10, 255, 0, 2}), 4);
    /* protocol 41: IPv6 in IPv4 */
    eth(0x0800);
    i = ip4(41);
    put(ip6_tcp, sizeof(ip6_tcp));
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    assert_int_equal(p.dport, 25);
    assert_int_equal(st.tun[DECODE_TUN_IP6], 1);
    /* protocol 41 carrying IPv4: malformed */
    eth(0x0800);
    i = ip4(41);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
}

/* ---- outer IPv6 (RFC 8200): VXLAN, Geneve, GRE over IPv6, 4in6, 6in6 ---------- */

/* An outer IPv6 header whose Next Header is next; its payload length set by fix6(). */
static size_t
ip6(uint8_t next)
{
    size_t at = n;
    uint8_t h[40] = {0x60, 0, 0, 0, 0, 0, next, 64, 0x20, 0x01, 0x0d, 0xb8};
    h[23] = 1;
    h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 2;
    put(h, 40);
    return at;
}

static void
fix6(size_t at)
{
    f[at + 4] = (uint8_t)((n - at - 40) >> 8);
    f[at + 5] = (uint8_t)(n - at - 40);
}

static void
test_outer_ipv6(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    /* VXLAN over IPv6 (RFC 7348 §5 allows either) */
    eth(0x86dd);
    size_t i = ip6(17), u = udp(4789);
    put("\x08\0\0\0\0\x01\x02\0", 8);
    eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    fixudp(u);
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_VXLAN);
    assert_int_equal(p.tun_id, 0x102);
    assert_int_equal(st.ip6, 1);
    assert_int_equal(p.l3[0] >> 4, 6); /* the outer header, for -w */
    assert_int_equal(p.l3_caplen, n - 14);
    /* the outer payload length ending inside the VXLAN header: malformed */
    f[i + 5] = 8 + 4;
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun[DECODE_TUN_VXLAN], 0);
    /* a hop-by-hop options header before UDP: still followed */
    eth(0x86dd);
    i = ip6(0);
    put("\x11\0\x01\x04\0\0\0\0", 8); /* next UDP, PadN */
    u = udp(4789);
    put("\x08\0\0\0\0\0\x07\0", 8);
    eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    fixudp(u);
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_id, 7);

    /* Geneve over IPv6, an IPv6 packet in it */
    eth(0x86dd);
    i = ip6(17);
    u = udp(6081);
    put("\0\0\x86\xdd\0\0\x2a\0", 8);
    put(ip6_tcp, sizeof(ip6_tcp));
    fixudp(u);
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    assert_int_equal(p.dport, 25);
    assert_int_equal(p.payload_caplen, 4);
    assert_int_equal(p.tun_kind, DECODE_TUN_GENEVE);
    assert_int_equal(p.tun_id, 42);
    assert_int_equal(st.ip6, 2);

    /* GRE over IPv6 with key 9, IPv4 in it */
    eth(0x86dd);
    i = ip6(47);
    put16(0x2000);
    put16(0x0800);
    put32(9);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(p.tun_kind, DECODE_TUN_GRE);
    assert_int_equal(p.tun_id, 9);
    /* the key past the payload length: malformed, the tunnel's */
    n = 14 + 40 + 6;
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);

    /* 4in6 (RFC 2473: Next Header 4) and 6in6 (41) */
    eth(0x86dd);
    i = ip6(4);
    put(ip4_tcp, sizeof(ip4_tcp));
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_IPIP], 1);
    assert_int_equal(p.tun_kind, 0);
    eth(0x86dd);
    i = ip6(41);
    put(ip6_tcp, sizeof(ip6_tcp));
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    assert_int_equal(p.src.a[15], 1);
    assert_int_equal(st.tun[DECODE_TUN_IP6], 1);
    assert_int_equal(st.ip6, 2);
    /* 4in6 whose inner packet is IPv6: malformed */
    eth(0x86dd);
    i = ip6(4);
    put(ip6_tcp, sizeof(ip6_tcp));
    fix6(i);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
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
    eth(0x86dd);
    size_t i = ip6(17), u = udp(4789);
    put("\x08\0\0\0\0\0\x07\0", 8);
    eth_in(0x0800);
    size_t in = n;
    put(ip4_tcp, sizeof(ip4_tcp));
    f[in + 6] = 0x20; /* MF */
    fixudp(u);
    fix6(i);
    memset(&st, 0, sizeof(st));
    memset(&fr, 0xff, sizeof(fr));
    assert_int_equal(
        decode_frame_frag(DECODE_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1, &p, &st, &fr),
        DECODE_FRAGMENT);
    assert_true(fr.hdr == f + in);
    assert_int_equal(fr.n_outer, 2);
    assert_int_equal(fr.outer_kind[0], DECODE_OUTER_IP6);
    assert_true(fr.outer[0] == f + i);
    assert_int_equal(fr.outer_kind[1], DECODE_OUTER_UDP);
    assert_true(fr.outer[1] == f + u);
    /* IPv4 / GRE / IPv4 fragment */
    eth(0x0800);
    i = ip4(47);
    size_t g = n;
    put16(0x8000); /* C */
    put16(0x0800);
    put32(0);
    in = n;
    put(ip4_tcp, sizeof(ip4_tcp));
    f[in + 6] = 0x20;
    fix4(i);
    assert_int_equal(
        decode_frame_frag(DECODE_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1, &p, &st, &fr),
        DECODE_FRAGMENT);
    assert_int_equal(fr.n_outer, 2);
    assert_int_equal(fr.outer_kind[0], DECODE_OUTER_IP4);
    assert_true(fr.outer[0] == f + i);
    assert_int_equal(fr.outer_kind[1], DECODE_OUTER_GRE);
    assert_true(fr.outer[1] == f + g);
    /* a fragment with no tunnel: nothing noted */
    eth(0x0800);
    in = n;
    put(ip4_tcp, sizeof(ip4_tcp));
    f[in + 6] = 0x20;
    assert_int_equal(
        decode_frame_frag(DECODE_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1, &p, &st, &fr),
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
    eth(0x0800);
    for (unsigned k = 0; k < DECODE_TUNNEL_MAX; k++)
        at[k] = ip4(4);
    put(ip4_tcp, sizeof(ip4_tcp));
    for (unsigned k = DECODE_TUNNEL_MAX; k-- > 0;)
        fix4(at[k]);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.tun_depth, DECODE_TUNNEL_MAX);
    assert_int_equal(st.tun_too_deep, 0);
    /* one more: counted, not analysed */
    eth(0x0800);
    for (unsigned k = 0; k <= DECODE_TUNNEL_MAX; k++)
        at[k] = ip4(4);
    put(ip4_tcp, sizeof(ip4_tcp));
    for (unsigned k = DECODE_TUNNEL_MAX + 1; k-- > 0;)
        fix4(at[k]);
    assert_int_equal(dec(&p, &st), DECODE_OTHER_PROTO);
    assert_int_equal(st.tun_too_deep, 1);
    assert_int_equal(st.other_proto, 1);
}

/* ---- MPLS, PPPoE -------------------------------------------------------------- */

static void
test_mpls(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    eth(0x8847);
    put32(1000u << 12 | 64);
    put32(2000u << 12 | 0x100 | 64); /* S: bottom of stack */
    put(ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_MPLS], 1);
    assert_int_equal(p.tun_inner, DECODE_TUN_MPLS);
    assert_int_equal(p.tun_src.family, 0); /* no IP header outside the tunnel */
    /* IPv6 after the stack: the first nibble says */
    eth(0x8847);
    put32(0x100 | 64);
    put(ip6_tcp, sizeof(ip6_tcp));
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    /* a control word, then no Ethernet frame carrying IP: not IP */
    eth(0x8847);
    put32(0x100 | 64);
    put32(0);
    put(ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(dec(&p, &st), DECODE_NOT_IP);
    /* the pseudowire control word (RFC 4385 §3, sequence 5), then an
     * Ethernet frame (RFC 4448 §4.4): followed */
    eth(0x8847);
    put32(0x100 | 64);
    put32(5);
    eth_in(0x0800);
    put(ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_MPLS], 1);
    assert_int_equal(st.not_ip, 0);
    /* ... the control word cut by the snaplen: truncated, the tunnel's */
    assert_int_equal(dec_cut(14 + 4 + 2, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
    /* the associated channel (first nibble 1, RFC 4385 §3): not IP */
    f[14 + 4] = 0x10;
    assert_int_equal(dec(&p, &st), DECODE_NOT_IP);
    /* an Ethernet pseudowire without the control word (RFC 4448 §4.4):
     * destination addresses of first nibble 1 (not the associated
     * channel's version 0), 6 (no IPv6 length fits), 0 (no frame after a
     * control word fits) and 4; the frame carries IPv4 */
    static const uint8_t dst0[] = {0x1e, 0x66, 0x02, 0x45};
    for (unsigned k = 0; k < sizeof(dst0); k++) {
        eth(0x8847);
        put32(0x100 | 64);
        uint8_t macs[12] = {dst0[k], 0x73, 0x2d, 0x9c, 0x11, 0x38,
                            0x66,    0xe5, 0xcf, 0x61, 0x97, 0x9d};
        put(macs, 12);
        put16(0x0800);
        put(ip4_tcp, sizeof(ip4_tcp));
        assert_int_equal(dec(&p, &st), DECODE_OK);
        check_inner4(&p);
        assert_int_equal(st.tun[DECODE_TUN_MPLS], 1);
        /* ... a frame carrying no IP is not followed: not IP; but after 4x
         * or 6x, where neither reading fits, the IP packet's own outcome */
        f[14 + 4 + 12] = 0x08;
        f[14 + 4 + 13] = 0x06; /* ARP */
        assert_int_equal(dec(&p, &st), (dst0[k] >> 4) == 4 || (dst0[k] >> 4) == 6 ? DECODE_MALFORMED
                                                                                  : DECODE_NOT_IP);
    }
    /* IPv4 with Ethernet padding after it (a 60-byte frame): still IP */
    eth(0x8847);
    put32(0x100 | 64);
    put(ip4_tcp, sizeof(ip4_tcp) - 4); /* 40 bytes: no payload */
    f[14 + 4 + 3] = 40;
    put16(0);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.payload_wirelen, 0);
    /* IPv4 whose length does not fit, where no Ethernet frame fits either:
     * IP, its own outcome (malformed: past the frame) */
    eth(0x8847);
    put32(0x100 | 64);
    put(ip4_tcp, sizeof(ip4_tcp));
    f[14 + 4 + 2] = 0x10;
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 0);
    /* no bottom of stack in 8 entries: malformed; cut in a label: truncated */
    eth(0x8847);
    for (unsigned k = 0; k < 9; k++)
        put32(64);
    put(ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    assert_int_equal(dec_cut(14 + 6, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
}

static void
pppoe_frame(uint8_t vt, uint16_t proto, const uint8_t *ip, size_t iplen)
{
    eth(0x8864);
    uint8_t h[6] = {vt, 0, 0x00, 0x42, (uint8_t)((iplen + 2) >> 8), (uint8_t)(iplen + 2)};
    put(h, 6);
    put16(proto);
    put(ip, iplen);
}

static void
test_pppoe(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    pppoe_frame(0x11, 0x0021, ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(dec(&p, &st), DECODE_OK);
    check_inner4(&p);
    assert_int_equal(st.tun[DECODE_TUN_PPPOE], 1);
    pppoe_frame(0x11, 0x0057, ip6_tcp, sizeof(ip6_tcp));
    assert_int_equal(dec(&p, &st), DECODE_OK);
    assert_int_equal(p.src.family, 6);
    pppoe_frame(0x11, 0xc021, ip4_tcp, sizeof(ip4_tcp)); /* LCP */
    assert_int_equal(dec(&p, &st), DECODE_NOT_IP);
    pppoe_frame(0x21, 0x0021, ip4_tcp, sizeof(ip4_tcp)); /* version 2 */
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.tun_malformed, 1);
    pppoe_frame(0x11, 0x0021, ip4_tcp, sizeof(ip4_tcp));
    f[18] = 0x10; /* a length past the frame */
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(dec_cut(14 + 5, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.tun_truncated, 1);
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
    eth(0x0800);
    size_t i = ip4(17), u = udp(4789);
    uint8_t vx[8] = {0x08, 0, 0, 0, 0, 0, 42, 0};
    put(vx, 8);
    eth_in(0x8100);
    put16(0x0064); /* the TCI, no inner type */
    fixudp(u);
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(st.truncated, 0);
    assert_int_equal(dec_cut(n - 1, &p, &st), DECODE_TRUNCATED); /* the snaplen cut it */
    /* GRE 0x0800 carrying 10 bytes of an IPv4 header */
    eth(0x0800);
    i = ip4(47);
    put16(0x0000);
    put16(0x0800);
    put(ip4_tcp, 10);
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
    assert_int_equal(dec_cut(n - 1, &p, &st), DECODE_TRUNCATED);
    /* IP in IP with no inner byte at all */
    eth(0x0800);
    i = ip4(4);
    fix4(i);
    assert_int_equal(dec(&p, &st), DECODE_MALFORMED);
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
    vxlan_frame(0x08, 100);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k1, &side);
    vxlan_frame(0x08, 200); /* the same addresses in another network */
    assert_int_equal(dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k2, &side);
    assert_int_not_equal(k1.tun_id, k2.tun_id);
    assert_memory_not_equal(&k1, &k2, sizeof(k1));
    /* --ignore-vlan leaves the tunnel's id out too */
    flow_set_ignore_vlan(true);
    flow_key_from_pkt(&p, &k3, &side);
    vxlan_frame(0x08, 100);
    assert_int_equal(dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k1, &side);
    assert_memory_equal(&k1, &k3, sizeof(k1));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_vxlan, tu_teardown),
        cmocka_unit_test_teardown(test_vxlan_not_vxlan, tu_teardown),
        cmocka_unit_test_teardown(test_geneve, tu_teardown),
        cmocka_unit_test_teardown(test_gre, tu_teardown),
        cmocka_unit_test_teardown(test_erspan, tu_teardown),
        cmocka_unit_test_teardown(test_ipip, tu_teardown),
        cmocka_unit_test_teardown(test_outer_ipv6, tu_teardown),
        cmocka_unit_test_teardown(test_frag_outer, tu_teardown),
        cmocka_unit_test_teardown(test_too_deep, tu_teardown),
        cmocka_unit_test_teardown(test_mpls, tu_teardown),
        cmocka_unit_test_teardown(test_pppoe, tu_teardown),
        cmocka_unit_test_teardown(test_inner_past_tunnel_end, tu_teardown),
        cmocka_unit_test_teardown(test_flow_key_vni, tu_teardown),
    };
    return cmocka_run_group_tests_name("decode_tunnel", tests, NULL, NULL);
}
