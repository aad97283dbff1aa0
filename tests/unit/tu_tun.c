/* \summary: test helpers: tunnel frames built header by header (tu_tun.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow.h"
#include "tu_tun.h"

const uint8_t tu_ip4_tcp[44] = {
    0x45, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, /* v4, len 44, TCP */
    192,  0,    2,    1,    198,  51,   100,  2,                            /* src, dst */
    0xc3, 0x50, 0x00, 0x19,                                                 /* 50000 -> 25 */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,                         /* seq 1, ack 2 */
    0x50, 0x18, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,                         /* doff 5, PSH|ACK */
    'E',  'H',  'L',  'O',
};
const uint8_t tu_ip6_tcp[64] = {
    0x60, 0,    0,    0,    0x00, 0x18, 0x06, 0x40, /* plen 24, TCP */
    0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0,   0,   0,   0,
    0,    0,    0,    0x01, /* 2001:db8::1 */
    0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0,   0,   0,   0,
    0,    0,    0,    0x02,                                           /* 2001:db8::2 */
    0xc3, 0x50, 0x00, 0x19, 0,    0,    0,    1,    0,   0,   0,   2, /* 50000 -> 25 */
    0x50, 0x18, 0xfa, 0xf0, 0,    0,    0,    0,    'E', 'H', 'L', 'O',
};

uint8_t tu_f[1024];
size_t tu_n;
static uint8_t *tu_buf;

void
tu_put(const void *p, size_t len)
{
    assert_true(tu_n + len <= sizeof(tu_f));
    memcpy(tu_f + tu_n, p, len);
    tu_n += len;
}

void
tu_put16(uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    tu_put(b, 2);
}

void
tu_put32(uint32_t v)
{
    tu_put16((uint16_t)(v >> 16));
    tu_put16((uint16_t)v);
}

void
tu_eth(uint16_t type)
{
    static const uint8_t macs[12] = {0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa};
    tu_n = 0;
    tu_put(macs, 12);
    tu_put16(type);
}

void
tu_eth_in(uint16_t type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    tu_put(macs, 12);
    tu_put16(type);
}

size_t
tu_ip4(uint8_t proto)
{
    size_t at = tu_n;
    uint8_t h[20] = {0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0, 10, 255, 0, 1, 10, 255, 0, 2};
    tu_put(h, 20);
    return at;
}

void
tu_fix4(size_t at)
{
    tu_f[at + 2] = (uint8_t)((tu_n - at) >> 8);
    tu_f[at + 3] = (uint8_t)(tu_n - at);
}

size_t
tu_ip6(uint8_t next)
{
    size_t at = tu_n;
    uint8_t h[40] = {0x60, 0, 0, 0, 0, 0, next, 64, 0x20, 0x01, 0x0d, 0xb8};
    h[23] = 1;
    h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 2;
    tu_put(h, 40);
    return at;
}

void
tu_fix6(size_t at)
{
    tu_f[at + 4] = (uint8_t)((tu_n - at - 40) >> 8);
    tu_f[at + 5] = (uint8_t)(tu_n - at - 40);
}

size_t
tu_udp(uint16_t dport)
{
    size_t at = tu_n;
    tu_put16(51000);
    tu_put16(dport);
    tu_put32(0);
    return at;
}

void
tu_fixudp(size_t at)
{
    tu_f[at + 4] = (uint8_t)((tu_n - at) >> 8);
    tu_f[at + 5] = (uint8_t)(tu_n - at);
}

void
tu_vxlan_frame(uint8_t flags, uint32_t vni)
{
    tu_eth(0x0800);
    size_t i = tu_ip4(17), u = tu_udp(4789);
    uint8_t h[8] = {flags, 0, 0, 0, (uint8_t)(vni >> 16), (uint8_t)(vni >> 8), (uint8_t)vni, 0};
    tu_put(h, 8);
    tu_eth_in(0x0800);
    tu_put(tu_ip4_tcp, sizeof(tu_ip4_tcp));
    tu_fixudp(u);
    tu_fix4(i);
}

static void
tu_free_buf(void)
{
    free(tu_buf);
    tu_buf = NULL;
}

int
tu_tun_teardown(void **state)
{
    (void)state;
    tu_free_buf();
    flow_set_ignore_vlan(false);
    return 0;
}

enum decode_result
tu_dec_cut(size_t caplen, struct pkt *p, struct decode_stats *st)
{
    tu_free_buf();
    tu_buf = malloc(caplen > 0 ? caplen : 1);
    assert_non_null(tu_buf);
    memcpy(tu_buf, tu_f, caplen);
    memset(st, 0, sizeof(*st));
    return decode_frame(DECODE_DLT_EN10MB, tu_buf, (uint32_t)caplen, (uint32_t)tu_n, 1, p, st);
}

enum decode_result
tu_dec(struct pkt *p, struct decode_stats *st)
{
    return tu_dec_cut(tu_n, p, st);
}

void
tu_check_inner4(const struct pkt *p)
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
    assert_int_equal(p->l3_in_caplen, sizeof(tu_ip4_tcp));
}
