/* \summary: unit tests for link / network / transport decoding (src/decode.c).
 *
 * Frames are hex arrays commented field by field (Suricata decode-*.c unit
 * tests). Each frame is copied into a malloc'd buffer of exactly caplen bytes
 * before decoding, so ASan reports any read past the capture.
 *
 * Outcome rules under test: a header cut by the snaplen (caplen < wirelen) is
 * DECODE_TRUNCATED; a header the packet's own lengths contradict is
 * DECODE_MALFORMED; a payload cut by the snaplen is DECODE_OK with
 * payload_caplen < payload_wirelen; Ethernet padding is never payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"

/* ---- frames ---------------------------------------------------------- */

/* Ethernet II, IEEE 802.3 §3.1.1: dst, src, Ethertype IPv4 */
static const uint8_t eth_ip4[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* dst MAC */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* src MAC */
    0x08, 0x00,                         /* type: IPv4 */
};
/* Ethernet II, Ethertype IPv6 */
static const uint8_t eth_ip6[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* dst MAC */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* src MAC */
    0x86, 0xdd,                         /* type: IPv6 */
};

/* IPv4 (RFC 791) + TCP (RFC 9293) + 4 bytes "EHLO": 44 bytes */
static const uint8_t ip4_tcp[] = {
    0x45, 0x00, 0x00, 0x2c, /* v4, IHL 5, tos 0, total length 44 */
    0x12, 0x34, 0x40, 0x00, /* id 0x1234, DF, offset 0 */
    0x40, 0x06, 0x00, 0x00, /* ttl 64, proto TCP, csum */
    0xc0, 0x00, 0x02, 0x01, /* src 192.0.2.1 */
    0xc6, 0x33, 0x64, 0x02, /* dst 198.51.100.2 */
    0xc3, 0x50, 0x00, 0x19, /* sport 50000, dport 25 */
    0x00, 0x00, 0x00, 0x01, /* seq 1 */
    0x00, 0x00, 0x00, 0x02, /* ack 2 */
    0x50, 0x18, 0xfa, 0xf0, /* doff 5, flags PSH|ACK, window 64240 */
    0x00, 0x00, 0x00, 0x00, /* csum, urgent */
    0x45, 0x48, 0x4c, 0x4f, /* payload "EHLO" */
};
#define IP4_TCP_PAYLOAD_OFF 40

/* IPv4 with 4 bytes of options (IHL 6) + TCP with 12 bytes of options (doff 8) + "EHLO" */
static const uint8_t ip4opt_tcpopt[] = {
    0x46, 0x00, 0x00, 0x3c, /* v4, IHL 6, total length 60 */
    0x00, 0x01, 0x00, 0x00, /* id 1, no flags */
    0x40, 0x06, 0x00, 0x00, /* ttl 64, TCP */
    0xc0, 0x00, 0x02, 0x01, /* src 192.0.2.1 */
    0xc6, 0x33, 0x64, 0x02, /* dst 198.51.100.2 */
    0x01, 0x01, 0x01, 0x00, /* options: NOP NOP NOP EOL */
    0x00, 0x19, 0xc3, 0x50, /* sport 25, dport 50000 */
    0x00, 0x00, 0x10, 0x00, /* seq 4096 */
    0x00, 0x00, 0x00, 0x00, /* ack 0 */
    0x80, 0x02, 0xff, 0xff, /* doff 8, flags SYN, window 65535 */
    0x00, 0x00, 0x00, 0x00, /* csum, urgent */
    0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
    0x04, 0x02, 0x01, 0x01, /* SACK permitted, NOP, NOP */
    0x03, 0x03, 0x07, 0x00, /* window scale 7, EOL */
    0x45, 0x48, 0x4c, 0x4f, /* payload "EHLO" */
};

/* IPv4 + UDP (RFC 768) + 4 bytes */
static const uint8_t ip4_udp[] = {
    0x45, 0x00, 0x00, 0x20, /* v4, IHL 5, total length 32 */
    0x00, 0x02, 0x00, 0x00, /* id 2 */
    0x40, 0x11, 0x00, 0x00, /* ttl 64, UDP */
    0xc0, 0x00, 0x02, 0x01, /* src */
    0xc0, 0x00, 0x02, 0x35, /* dst */
    0xd4, 0x31, 0x00, 0x35, /* sport 54321, dport 53 */
    0x00, 0x0c, 0x00, 0x00, /* length 12, csum */
    0xde, 0xad, 0xbe, 0xef, /* payload */
};

/* IPv4 + ICMP echo request (not TCP/UDP) */
static const uint8_t ip4_icmp[] = {
    0x45, 0x00, 0x00, 0x1c, 0x00, 0x03, 0x00, 0x00, /* v4, total 28, id 3 */
    0x40, 0x01, 0x00, 0x00,                         /* ttl 64, ICMP */
    0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, /* src, dst */
    0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, /* echo request */
};

/* IPv6 (RFC 8200) + TCP + "EHLO": 64 bytes */
static const uint8_t ip6_tcp[] = {
    0x60, 0x00, 0x00, 0x00,                         /* v6, tc 0, flow 0 */
    0x00, 0x18, 0x06, 0x40,                         /* payload length 24, next TCP, hop limit 64 */
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* src 2001:db8::1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* */
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* dst 2001:db8::2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* */
    0xc3, 0x50, 0x00, 0x19,                         /* sport 50000, dport 25 */
    0x00, 0x00, 0x00, 0x01,                         /* seq 1 */
    0x00, 0x00, 0x00, 0x02,                         /* ack 2 */
    0x50, 0x18, 0xfa, 0xf0,                         /* doff 5, PSH|ACK */
    0x00, 0x00, 0x00, 0x00,                         /* csum, urgent */
    0x45, 0x48, 0x4c, 0x4f,                         /* payload "EHLO" */
};

/* IPv6 + hop-by-hop + routing + destination options + atomic fragment + AH + TCP + "EHLO" */
static const uint8_t ip6_ext_tcp[] = {
    0x60, 0x00, 0x00, 0x00, /* v6 */
    0x00, 0x44, 0x00, 0x40, /* payload length 68, next hop-by-hop (0), hop limit 64 */
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* src 2001:db8::1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* */
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* dst 2001:db8::2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* */
    /* +40 hop-by-hop (RFC 8200 §4.3): next routing (43), len 0 = 8 bytes, PadN 4 */
    0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
    /* +48 routing (§4.4): next dstopts (60), len 0, type 4, segments left 0, reserved */
    0x3c, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* +56 destination options (§4.6): next fragment (44), len 0, PadN 4 */
    0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
    /* +64 fragment (§4.5): next AH (51), rsvd, offset 0 M 0 (atomic, RFC 6946), id */
    0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
    /* +72 AH (RFC 4302 §2): next TCP, len 1 = (1+2)*4 = 12 bytes, rsvd, SPI, seq */
    0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
    /* +84 TCP */
    0xc3, 0x50, 0x00, 0x19, 0x00, 0x00, 0x00, 0x01, /* sport 50000, dport 25, seq 1 */
    0x00, 0x00, 0x00, 0x02, 0x50, 0x18, 0xfa, 0xf0, /* ack 2, doff 5, PSH|ACK */
    0x00, 0x00, 0x00, 0x00,                         /* csum, urgent */
    0x45, 0x48, 0x4c, 0x4f,                         /* payload "EHLO" */
};
#define IP6_EXT_FRAG_OFF 64 /* offset of the fragment header in ip6_ext_tcp */

/* ---- helpers --------------------------------------------------------- */

static uint8_t *tu_buf; /* the last frame decoded; pkt points into it */

static void
tu_release(void)
{
    free(tu_buf);
    tu_buf = NULL;
}

static int
tu_teardown(void **state)
{
    (void)state;
    tu_release();
    return 0;
}

/* Concatenates link header `a` and packet `b` into buf (which holds 512). */
static size_t
tu_cat(uint8_t *buf, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    assert_true(an + bn <= 512);
    if (an > 0)
        memcpy(buf, a, an);
    memcpy(buf + an, b, bn);
    return an + bn;
}

/* Decodes the first caplen bytes of frame (wirelen on the wire) from an
 * exact-size copy. */
static enum decode_result
tu_decode(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen, struct pkt *pkt,
          struct decode_stats *st)
{
    tu_release();
    tu_buf = malloc(caplen > 0 ? caplen : 1);
    assert_non_null(tu_buf);
    memcpy(tu_buf, frame, caplen);
    memset(st, 0, sizeof(*st));
    return decode_frame(dlt, tu_buf, caplen, wirelen, 1234567, pkt, st);
}

/* Whole-frame decode (caplen == wirelen). */
static enum decode_result
tu_whole(int dlt, const uint8_t *frame, size_t len, struct pkt *pkt, struct decode_stats *st)
{
    return tu_decode(dlt, frame, (uint32_t)len, (uint32_t)len, pkt, st);
}

/* The common checks for ip4_tcp decoded at any link layer. */
static void
tu_check_ip4_tcp(const struct pkt *p)
{
    static const uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {198, 51, 100, 2};
    assert_int_equal(p->src.family, 4);
    assert_memory_equal(p->src.a, src, 4);
    assert_memory_equal(p->dst.a, dst, 4);
    assert_int_equal(p->ip_proto, 6);
    assert_int_equal(p->sport, 50000);
    assert_int_equal(p->dport, 25);
    assert_int_equal(p->seq, 1);
    assert_int_equal(p->ack, 2);
    assert_int_equal(p->tcp_flags, TH_PSH | TH_ACK);
    assert_int_equal(p->window, 64240);
    assert_int_equal(p->payload_caplen, 4);
    assert_int_equal(p->payload_wirelen, 4);
    assert_memory_equal(p->payload, "EHLO", 4);
    assert_non_null(p->l3);
    assert_int_equal(p->l3_caplen, sizeof(ip4_tcp));
    assert_int_equal(p->l3[0], 0x45);
}

static void
tu_check_ip6_tcp(const struct pkt *p)
{
    assert_int_equal(p->src.family, 6);
    assert_int_equal(p->src.a[0], 0x20);
    assert_int_equal(p->src.a[15], 1);
    assert_int_equal(p->dst.a[15], 2);
    assert_int_equal(p->ip_proto, 6);
    assert_int_equal(p->sport, 50000);
    assert_int_equal(p->dport, 25);
    assert_int_equal(p->payload_caplen, 4);
    assert_int_equal(p->payload_wirelen, 4);
    assert_memory_equal(p->payload, "EHLO", 4);
}

/* ---- Ethernet, VLAN -------------------------------------------------- */

static void
test_eth_ipv4_tcp(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip4_tcp(&p);
    assert_int_equal(p.ts_us, 1234567);
    assert_int_equal(p.caplen, n);
    assert_int_equal(p.n_vlan, 0);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.ip4, 1);
    assert_int_equal(st.tcp, 1);
    assert_int_equal(st.snaplen_cut, 0);
}

static void
test_eth_ipv6_tcp(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip6, sizeof(eth_ip6), ip6_tcp, sizeof(ip6_tcp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip6_tcp(&p);
    assert_int_equal(p.l3_caplen, sizeof(ip6_tcp));
    assert_int_equal(st.ip6, 1);
}

static void
test_eth_padding_not_payload(void **state)
{
    (void)state;
    /* 14 + 44 = 58 bytes: padded to the 60-byte minimum (IEEE 802.3 §3.2.8)
     * with two bytes that are not part of the IP datagram */
    static const uint8_t pad[] = {0xaa, 0xbb};
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    memcpy(f + n, pad, sizeof(pad));
    n += sizeof(pad);
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip4_tcp(&p); /* payload still "EHLO", 4 bytes; l3_caplen 44 */

    /* UDP whose IP total length is shorter than the frame: same rule */
    n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_udp, sizeof(ip4_udp));
    memset(f + n, 0, 14); /* 46 -> 60 bytes */
    n += 14;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    assert_int_equal(p.payload_caplen, 4);
    assert_int_equal(p.payload_wirelen, 4);
}

static void
test_eth_8023_length_not_ip(void **state)
{
    (void)state;
    /* IEEE 802.3 frame: the type field is a length (0x0026 = 38) + LLC (STP) */
    static const uint8_t f[] = {
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, /* dst: STP multicast */
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* src */
        0x00, 0x26,                         /* length 38 */
        0x42, 0x42, 0x03, 0x00, 0x00, 0x00, /* LLC DSAP/SSAP 0x42, UI; BPDU */
    };
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, sizeof(f), &p, &st), DECODE_NOT_IP);
    assert_int_equal(st.not_ip, 1);
    /* ARP: Ethernet II but not IP */
    static const uint8_t arp[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* addrs */
        0x08, 0x06,                                                             /* ARP */
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, /* htype, ptype, sizes, request */
    };
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, arp, sizeof(arp), &p, &st), DECODE_NOT_IP);
}

static void
test_vlan_8021q(void **state)
{
    (void)state;
    static const uint8_t hdr[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* addrs */
        0x81, 0x00,                                                             /* TPID 802.1Q */
        0x20, 0x64, /* PCP 1, DEI 0, VID 100 */
        0x08, 0x00, /* type IPv4 */
    };
    uint8_t f[512];
    size_t n = tu_cat(f, hdr, sizeof(hdr), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip4_tcp(&p);
    assert_int_equal(p.n_vlan, 1);
    assert_int_equal(p.vlan[0], 100);
    assert_int_equal(st.vlan_tagged, 1);
}

static void
test_vlan_qinq(void **state)
{
    (void)state;
    /* 802.1ad S-tag VID 300 outside, 802.1Q C-tag VID 200 inside, IPv6 */
    static const uint8_t hdr[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* addrs */
        0x88, 0xa8, 0x01, 0x2c,                                                 /* S-tag, VID 300 */
        0x81, 0x00, 0x00, 0xc8,                                                 /* C-tag, VID 200 */
        0x86, 0xdd,                                                             /* IPv6 */
    };
    uint8_t f[512];
    size_t n = tu_cat(f, hdr, sizeof(hdr), ip6_tcp, sizeof(ip6_tcp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip6_tcp(&p);
    assert_int_equal(p.n_vlan, 2);
    assert_int_equal(p.vlan[0], 300);
    assert_int_equal(p.vlan[1], 200);

    /* pre-standard 0x9100 outer tag, then a third tag: 2 kept, too deep counted */
    static const uint8_t hdr3[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* addrs */
        0x91, 0x00, 0x00, 0x0a, /* QinQ 0x9100, VID 10 */
        0x81, 0x00, 0x00, 0x14, /* 802.1Q VID 20 */
        0x81, 0x00, 0x00, 0x1e, /* 802.1Q VID 30 */
        0x08, 0x00,             /* IPv4 */
    };
    n = tu_cat(f, hdr3, sizeof(hdr3), ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip4_tcp(&p);
    assert_int_equal(p.n_vlan, 2);
    assert_int_equal(p.vlan[0], 10);
    assert_int_equal(p.vlan[1], 20);
    assert_int_equal(st.vlan_too_deep, 1);
}

static void
test_vlan_truncated_and_too_many(void **state)
{
    (void)state;
    static const uint8_t hdr[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* addrs */
        0x81, 0x00, 0x00, 0x64, 0x08, 0x00, /* 802.1Q VID 100, IPv4 */
    };
    uint8_t f[512];
    size_t n = tu_cat(f, hdr, sizeof(hdr), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    /* one byte short of the tag's inner type */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 17, (uint32_t)n, &p, &st), DECODE_TRUNCATED);
    assert_int_equal(st.truncated, 1);

    /* nine stacked tags: more than decode walks -> malformed */
    size_t k = 12;
    memcpy(f, hdr, 12);
    for (int i = 0; i < 9; i++) {
        static const uint8_t tag[] = {0x81, 0x00, 0x00, 0x01};
        memcpy(f + k, tag, sizeof(tag));
        k += sizeof(tag);
    }
    f[k++] = 0x08;
    f[k++] = 0x00;
    memcpy(f + k, ip4_tcp, sizeof(ip4_tcp));
    k += sizeof(ip4_tcp);
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, k, &p, &st), DECODE_MALFORMED);
    assert_int_equal(st.malformed, 1);
}

/* ---- other link types ------------------------------------------------ */

static void
test_linux_sll(void **state)
{
    (void)state;
    /* DLT_LINUX_SLL: packet type 0 (to us), ARPHRD_ETHER 1, addr len 6, addr (8), protocol */
    static const uint8_t sll[] = {
        0x00, 0x00, 0x00, 0x01, 0x00, 0x06,             /* pkttype, arphrd, addrlen */
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, /* address, padded to 8 */
        0x08, 0x00,                                     /* protocol IPv4 */
    };
    uint8_t f[512];
    size_t n = tu_cat(f, sll, sizeof(sll), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_LINUX_SLL, f, n, &p, &st), DECODE_OK);
    tu_check_ip4_tcp(&p);
    /* one byte short of the 16-byte header */
    assert_int_equal(tu_decode(DECODE_DLT_LINUX_SLL, f, 15, (uint32_t)n, &p, &st),
                     DECODE_TRUNCATED);
    /* SLL with a VLAN tag left in (protocol 0x8100) */
    static const uint8_t sllv[] = {
        0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x66, 0x77,
        0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0x81, 0x00, /* protocol 802.1Q */
        0x00, 0x07,                                     /* VID 7 */
        0x08, 0x00,                                     /* IPv4 */
    };
    n = tu_cat(f, sllv, sizeof(sllv), ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(tu_whole(DECODE_DLT_LINUX_SLL, f, n, &p, &st), DECODE_OK);
    assert_int_equal(p.n_vlan, 1);
    assert_int_equal(p.vlan[0], 7);
}

static void
test_linux_sll2(void **state)
{
    (void)state;
    /* DLT_LINUX_SLL2: protocol, reserved, ifindex, ARPHRD, pkttype, addrlen, addr (8) */
    static const uint8_t sll2[] = {
        0x86, 0xdd, 0x00, 0x00,                         /* protocol IPv6, reserved */
        0x00, 0x00, 0x00, 0x02,                         /* ifindex 2 */
        0x00, 0x01, 0x04, 0x06,                         /* ARPHRD_ETHER, outgoing, addrlen 6 */
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, /* address */
    };
    uint8_t f[512];
    size_t n = tu_cat(f, sll2, sizeof(sll2), ip6_tcp, sizeof(ip6_tcp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_SLL2, f, n, &p, &st), DECODE_OK);
    tu_check_ip6_tcp(&p);
    assert_int_equal(tu_decode(DECODE_DLT_SLL2, f, 19, (uint32_t)n, &p, &st), DECODE_TRUNCATED);
}

static void
test_raw_ip(void **state)
{
    (void)state;
    static const int raw_dlts[] = {DECODE_DLT_RAW, DECODE_DLT_RAW_12, DECODE_DLT_RAW_14};
    struct pkt p;
    struct decode_stats st;
    for (size_t i = 0; i < sizeof(raw_dlts) / sizeof(raw_dlts[0]); i++) {
        assert_int_equal(tu_whole(raw_dlts[i], ip4_tcp, sizeof(ip4_tcp), &p, &st), DECODE_OK);
        tu_check_ip4_tcp(&p);
        assert_int_equal(tu_whole(raw_dlts[i], ip6_tcp, sizeof(ip6_tcp), &p, &st), DECODE_OK);
        tu_check_ip6_tcp(&p);
    }
    assert_int_equal(tu_whole(DECODE_DLT_IPV4, ip4_tcp, sizeof(ip4_tcp), &p, &st), DECODE_OK);
    assert_int_equal(tu_whole(DECODE_DLT_IPV6, ip6_tcp, sizeof(ip6_tcp), &p, &st), DECODE_OK);
    /* DLT_IPV4 carrying IPv6 and vice versa: the packet contradicts its link type */
    assert_int_equal(tu_whole(DECODE_DLT_IPV4, ip6_tcp, sizeof(ip6_tcp), &p, &st),
                     DECODE_MALFORMED);
    assert_int_equal(tu_whole(DECODE_DLT_IPV6, ip4_tcp, sizeof(ip4_tcp), &p, &st),
                     DECODE_MALFORMED);
    /* IP version 5 */
    uint8_t f[64];
    memcpy(f, ip4_tcp, sizeof(ip4_tcp));
    f[0] = 0x55;
    assert_int_equal(tu_whole(DECODE_DLT_RAW, f, sizeof(ip4_tcp), &p, &st), DECODE_MALFORMED);
    /* empty frame */
    assert_int_equal(tu_decode(DECODE_DLT_RAW, f, 0, 60, &p, &st), DECODE_TRUNCATED);
}

static void
test_bsd_null_loop(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n;
    struct pkt p;
    struct decode_stats st;
    /* DLT_NULL, little-endian writer: AF_INET = 2 */
    static const uint8_t null_le4[] = {0x02, 0x00, 0x00, 0x00};
    n = tu_cat(f, null_le4, 4, ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(tu_whole(DECODE_DLT_NULL, f, n, &p, &st), DECODE_OK);
    tu_check_ip4_tcp(&p);
    /* DLT_NULL, big-endian writer: 00 00 00 02 */
    static const uint8_t null_be4[] = {0x00, 0x00, 0x00, 0x02};
    n = tu_cat(f, null_be4, 4, ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(tu_whole(DECODE_DLT_NULL, f, n, &p, &st), DECODE_OK);
    /* DLT_NULL AF_INET6 values: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin) */
    static const uint8_t afs[] = {24, 28, 30};
    for (size_t i = 0; i < sizeof(afs); i++) {
        const uint8_t hdr[4] = {afs[i], 0x00, 0x00, 0x00};
        n = tu_cat(f, hdr, 4, ip6_tcp, sizeof(ip6_tcp));
        assert_int_equal(tu_whole(DECODE_DLT_NULL, f, n, &p, &st), DECODE_OK);
        tu_check_ip6_tcp(&p);
    }
    /* DLT_LOOP: network byte order, AF_INET6 = 30 */
    static const uint8_t loop6[] = {0x00, 0x00, 0x00, 0x1e};
    n = tu_cat(f, loop6, 4, ip6_tcp, sizeof(ip6_tcp));
    assert_int_equal(tu_whole(DECODE_DLT_LOOP, f, n, &p, &st), DECODE_OK);
    tu_check_ip6_tcp(&p);
    /* DLT_LOOP AF_INET */
    n = tu_cat(f, null_be4, 4, ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(tu_whole(DECODE_DLT_LOOP, f, n, &p, &st), DECODE_OK);
    /* unknown family (AF 7): not IP */
    static const uint8_t af7[] = {0x07, 0x00, 0x00, 0x00};
    n = tu_cat(f, af7, 4, ip4_tcp, sizeof(ip4_tcp));
    assert_int_equal(tu_whole(DECODE_DLT_NULL, f, n, &p, &st), DECODE_NOT_IP);
    /* one byte short of the family */
    assert_int_equal(tu_decode(DECODE_DLT_NULL, f, 3, (uint32_t)n, &p, &st), DECODE_TRUNCATED);
}

static void
test_unsupported_link(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(105 /* DLT_IEEE802_11 */, ip4_tcp, sizeof(ip4_tcp), &p, &st),
                     DECODE_UNSUPPORTED_LINK);
    /* counted (stats unsupported_link_frames: a pcapng interface of such a
     * type), as nothing else */
    assert_int_equal(st.unsupported_link, 1);
    assert_int_equal(st.not_ip + st.malformed + st.truncated + st.other_proto, 0);
    assert_false(decode_link_supported(105));
    assert_true(decode_link_supported(DECODE_DLT_EN10MB));
    assert_true(decode_link_supported(DECODE_DLT_SLL2));
    assert_true(decode_link_supported(DECODE_DLT_NULL));
    assert_string_equal(decode_result_name(DECODE_TRUNCATED), "truncated");
    assert_string_equal(decode_result_name(DECODE_UNSUPPORTED_LINK), "unsupported_link");
}

/* ---- IPv4 ------------------------------------------------------------ */

static void
test_ipv4_options_tcp_options(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4opt_tcpopt, sizeof(ip4opt_tcpopt));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    assert_int_equal(p.sport, 25);
    assert_int_equal(p.dport, 50000);
    assert_int_equal(p.seq, 4096);
    assert_int_equal(p.tcp_flags, TH_SYN);
    assert_int_equal(p.payload_caplen, 4);
    assert_memory_equal(p.payload, "EHLO", 4);
    assert_int_equal(p.wscale, 7); /* RFC 7323 §2.2, after MSS, SACK-permitted, NOPs */
    /* shift over 14 is 14; a length byte of 0 or one past the options: no shift, decoded */
    static const uint8_t opt[][3] = {{3, 3, 20}, {3, 0, 7}, {8, 10, 0}, {3, 2, 7}};
    static const uint8_t want[] = {14, PKT_WSCALE_NONE, PKT_WSCALE_NONE, PKT_WSCALE_NONE};
    for (size_t i = 0; i < sizeof(want); i++) {
        memcpy(f + 14 + 24 + 20 + 8, opt[i], 3);
        assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
        assert_int_equal(p.wscale, want[i]);
        assert_memory_equal(p.payload, "EHLO", 4);
    }
    f[14 + 24 + 13] = TH_ACK; /* only a SYN's options are read */
    memcpy(f + 14 + 24 + 20 + 8, opt[0], 3);
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    assert_int_not_equal(p.wscale, 14); /* pkt.h: wscale is for SYNs */
    /* one byte short of the IP options (IHL 6 = 24 bytes): truncated by the snaplen */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 23, (uint32_t)n, &p, &st),
                     DECODE_TRUNCATED);
    /* one byte short of the TCP options (doff 8 = 32 bytes) */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 24 + 31, (uint32_t)n, &p, &st),
                     DECODE_TRUNCATED);
    /* TCP options run past the IP total length: malformed */
    f[14 + 3] = 24 + 31; /* total length 55: TCP header would need 32 */
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_MALFORMED);
}

static void
test_ipv4_truncated_headers(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    /* Ethernet header one byte short */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 13, (uint32_t)n, &p, &st), DECODE_TRUNCATED);
    /* IPv4 header one byte short */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 19, (uint32_t)n, &p, &st),
                     DECODE_TRUNCATED);
    assert_int_equal(st.truncated, 1);
    /* TCP header one byte short */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 20 + 19, (uint32_t)n, &p, &st),
                     DECODE_TRUNCATED);
    assert_null(p.payload);
    /* UDP header one byte short */
    n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_udp, sizeof(ip4_udp));
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 20 + 7, (uint32_t)n, &p, &st),
                     DECODE_TRUNCATED);
}

static void
test_ipv4_malformed(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    uint8_t g[512];

    /* IHL 4 (< 5) */
    memcpy(g, f, n);
    g[14] = 0x44;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    assert_int_equal(st.malformed, 1);
    /* total length 19 < header length 20 */
    memcpy(g, f, n);
    g[14 + 3] = 19;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* total length 45: one byte more than the frame carried on the wire */
    memcpy(g, f, n);
    g[14 + 3] = 45;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* total length 39: the TCP header does not fit in the datagram */
    memcpy(g, f, n);
    g[14 + 3] = 39;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* TCP data offset 4 (< 5) */
    memcpy(g, f, n);
    g[14 + 20 + 12] = 0x40;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* TCP data offset 7: 28 bytes of header but only 24 in the datagram */
    memcpy(g, f, n);
    g[14 + 20 + 12] = 0x70;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* UDP length 7 (< 8), and 13 (> the 12 bytes the IP datagram holds) */
    n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_udp, sizeof(ip4_udp));
    memcpy(g, f, n);
    g[14 + 20 + 5] = 7;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    g[14 + 20 + 5] = 13;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
}

static void
test_ipv4_fragments(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    /* first fragment: MF set, offset 0 */
    f[14 + 6] = 0x20;
    f[14 + 7] = 0x00;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_FRAGMENT);
    assert_int_equal(st.fragments, 1);
    assert_int_equal(p.src.family, 4); /* addresses are kept for the report */
    assert_null(p.payload);
    /* last fragment: MF clear, offset 185 (1480 bytes) */
    f[14 + 6] = 0x00;
    f[14 + 7] = 0xb9;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_FRAGMENT);
    /* DF only: not a fragment */
    f[14 + 6] = 0x40;
    f[14 + 7] = 0x00;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
}

static void
test_ipv4_other_proto_and_udp(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_icmp, sizeof(ip4_icmp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OTHER_PROTO);
    assert_int_equal(st.other_proto, 1);
    n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_udp, sizeof(ip4_udp));
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.sport, 54321);
    assert_int_equal(p.dport, 53);
    assert_int_equal(p.payload_caplen, 4);
    assert_int_equal(p.payload[0], 0xde);
    assert_int_equal(st.udp, 1);
}

static void
test_ipv4_tso_zero_length(void **state)
{
    (void)state;
    /* total length 0, as captured on a host doing TCP segmentation offload:
     * the datagram runs to the end of the frame */
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    f[14 + 2] = 0;
    f[14 + 3] = 0;
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip4_tcp(&p);
}

/* ---- snaplen --------------------------------------------------------- */

static void
test_snaplen_cut_payload(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    struct pkt p;
    struct decode_stats st;
    /* 2 of the 4 payload bytes captured */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 40 + 2, (uint32_t)n, &p, &st), DECODE_OK);
    assert_int_equal(p.payload_caplen, 2);
    assert_int_equal(p.payload_wirelen, 4);
    assert_memory_equal(p.payload, "EH", 2);
    assert_int_equal(p.l3_caplen, 42);
    assert_int_equal(st.snaplen_cut, 1);
    /* exactly the headers: no payload bytes, 4 on the wire */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 40, (uint32_t)n, &p, &st), DECODE_OK);
    assert_int_equal(p.payload_caplen, 0);
    assert_int_equal(p.payload_wirelen, 4);
    assert_int_equal(st.snaplen_cut, 1);
    /* IPv6: same */
    n = tu_cat(f, eth_ip6, sizeof(eth_ip6), ip6_tcp, sizeof(ip6_tcp));
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 60 + 1, (uint32_t)n, &p, &st), DECODE_OK);
    assert_int_equal(p.payload_caplen, 1);
    assert_int_equal(p.payload_wirelen, 4);
    /* a 1500-byte segment cut to 96 bytes (editcap -s 96) */
    n = tu_cat(f, eth_ip4, sizeof(eth_ip4), ip4_tcp, sizeof(ip4_tcp));
    f[14 + 2] = 0x05;
    f[14 + 3] = 0xdc; /* total length 1500 */
    memset(f + n, 'x', 96 - n);
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 96, 1514, &p, &st), DECODE_OK);
    assert_int_equal(p.payload_caplen, 96 - 54);
    assert_int_equal(p.payload_wirelen, 1460);
}

/* ---- IPv6 ------------------------------------------------------------ */

static void
test_ipv6_ext_headers(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip6, sizeof(eth_ip6), ip6_ext_tcp, sizeof(ip6_ext_tcp));
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
    tu_check_ip6_tcp(&p);
    assert_int_equal(p.l3_caplen, sizeof(ip6_ext_tcp));
    /* one byte short inside each extension header: truncated */
    static const size_t cuts[] = {40, 41, 47, 55, 63, 71, 83};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
        assert_int_equal(
            tu_decode(DECODE_DLT_EN10MB, f, (uint32_t)(14 + cuts[i]), (uint32_t)n, &p, &st),
            DECODE_TRUNCATED);
    /* IPv6 header one byte short */
    assert_int_equal(tu_decode(DECODE_DLT_EN10MB, f, 14 + 39, (uint32_t)n, &p, &st),
                     DECODE_TRUNCATED);
}

static void
test_ipv6_fragments(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip6, sizeof(eth_ip6), ip6_ext_tcp, sizeof(ip6_ext_tcp));
    size_t fo = 14 + IP6_EXT_FRAG_OFF;
    struct pkt p;
    struct decode_stats st;
    /* M = 1, offset 0: first fragment */
    f[fo + 3] = 0x01;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_FRAGMENT);
    assert_int_equal(st.fragments, 1);
    /* M = 0, offset 1 (8 bytes): last fragment */
    f[fo + 3] = 0x08;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_FRAGMENT);
    /* offset 0, M 0: atomic fragment, decoded */
    f[fo + 3] = 0x00;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, f, n, &p, &st), DECODE_OK);
}

static void
test_ipv6_malformed(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip6, sizeof(eth_ip6), ip6_ext_tcp, sizeof(ip6_ext_tcp));
    struct pkt p;
    struct decode_stats st;
    uint8_t g[512];
    /* payload length 69: one more than the frame carries */
    memcpy(g, f, n);
    g[14 + 5] = 69;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* payload length 7: the hop-by-hop header (8 bytes) does not fit */
    memcpy(g, f, n);
    g[14 + 5] = 7;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* hop-by-hop length 20 (168 bytes): runs past the payload length */
    memcpy(g, f, n);
    g[14 + 41] = 20;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* version 4 in an IPv6 Ethertype */
    memcpy(g, f, n);
    g[14] = 0x40;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, n, &p, &st), DECODE_MALFORMED);
    /* a chain of 9 destination options headers: longer than decode walks */
    memcpy(g, f, 14 + 40);
    size_t k = 14 + 40;
    g[14 + 6] = 60;
    for (int i = 0; i < 9; i++) {
        static const uint8_t dst[] = {60, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00};
        memcpy(g + k, dst, sizeof(dst));
        k += sizeof(dst);
    }
    g[k - 8] = 59; /* the last one: no next header */
    g[14 + 4] = 0;
    g[14 + 5] = 72;
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, k, &p, &st), DECODE_MALFORMED);
    /* no next header (59) after the fixed header: not TCP/UDP */
    memcpy(g, f, 14 + 40);
    g[14 + 4] = 0;
    g[14 + 5] = 0;
    g[14 + 6] = 59;
    /* payload length 0 with no jumbo option: runs to the end of the frame (TSO) */
    assert_int_equal(tu_whole(DECODE_DLT_EN10MB, g, 14 + 40, &p, &st), DECODE_OTHER_PROTO);
}

/* A frame of every length 0..N of a valid frame, as wire and as snaplen cut:
 * decoding never reads outside the buffer (ASan) and always classifies. */
static void
test_every_prefix(void **state)
{
    (void)state;
    uint8_t f[512];
    size_t n = tu_cat(f, eth_ip6, sizeof(eth_ip6), ip6_ext_tcp, sizeof(ip6_ext_tcp));
    struct pkt p;
    struct decode_stats st;
    for (size_t i = 0; i <= n; i++) {
        enum decode_result r = tu_decode(DECODE_DLT_EN10MB, f, (uint32_t)i, (uint32_t)n, &p, &st);
        if (i < 14 + 84 + 20)
            assert_int_equal(r, DECODE_TRUNCATED);
        else
            assert_int_equal(r, DECODE_OK);
        r = tu_decode(DECODE_DLT_EN10MB, f, (uint32_t)i, (uint32_t)i, &p, &st);
        if (i == n)
            assert_int_equal(r, DECODE_OK);
        else
            assert_true(r == DECODE_TRUNCATED || r == DECODE_MALFORMED);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_eth_ipv4_tcp, tu_teardown),
        cmocka_unit_test_teardown(test_eth_ipv6_tcp, tu_teardown),
        cmocka_unit_test_teardown(test_eth_padding_not_payload, tu_teardown),
        cmocka_unit_test_teardown(test_eth_8023_length_not_ip, tu_teardown),
        cmocka_unit_test_teardown(test_vlan_8021q, tu_teardown),
        cmocka_unit_test_teardown(test_vlan_qinq, tu_teardown),
        cmocka_unit_test_teardown(test_vlan_truncated_and_too_many, tu_teardown),
        cmocka_unit_test_teardown(test_linux_sll, tu_teardown),
        cmocka_unit_test_teardown(test_linux_sll2, tu_teardown),
        cmocka_unit_test_teardown(test_raw_ip, tu_teardown),
        cmocka_unit_test_teardown(test_bsd_null_loop, tu_teardown),
        cmocka_unit_test_teardown(test_unsupported_link, tu_teardown),
        cmocka_unit_test_teardown(test_ipv4_options_tcp_options, tu_teardown),
        cmocka_unit_test_teardown(test_ipv4_truncated_headers, tu_teardown),
        cmocka_unit_test_teardown(test_ipv4_malformed, tu_teardown),
        cmocka_unit_test_teardown(test_ipv4_fragments, tu_teardown),
        cmocka_unit_test_teardown(test_ipv4_other_proto_and_udp, tu_teardown),
        cmocka_unit_test_teardown(test_ipv4_tso_zero_length, tu_teardown),
        cmocka_unit_test_teardown(test_snaplen_cut_payload, tu_teardown),
        cmocka_unit_test_teardown(test_ipv6_ext_headers, tu_teardown),
        cmocka_unit_test_teardown(test_ipv6_fragments, tu_teardown),
        cmocka_unit_test_teardown(test_ipv6_malformed, tu_teardown),
        cmocka_unit_test_teardown(test_every_prefix, tu_teardown),
    };
    return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
