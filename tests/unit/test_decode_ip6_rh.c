/* \summary: unit tests for an IPv6 Routing header's final destination
 * (src/decode.c decode_ip6_final_dst, RFC 8200 §4.4 and §8.1): while
 * Segments Left is not 0, a packet's Destination Address is a waypoint and
 * the connection's server is the final destination, the address the
 * server's replies come from; with Segments Left 0 the header's. Types 0,
 * 2, 3 (RPL, compressed) and 4 (SRv6); an unknown type, a header too short
 * for its address, and the flow key matching the reply's. A Mobile IPv6
 * node's own packets carry its home address in a Home Address option
 * (RFC 6275 §6.3), their source then: one connection both ways. */
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

/* 2001:db8::2 (the header's destination), 2001:db8::99 (a waypoint),
 * 2001:db8::25 (the final destination: the server) */
static const uint8_t hdr_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t way[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x99};
static const uint8_t fin[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x25};

/* Ethernet / IPv6 2001:db8::1 -> 2001:db8::2 / Routing header (type,
 * Segments Left, 4 bytes after them, addresses) / tu_ip6_tcp's TCP
 * segment. The header's length is from its bytes (a multiple of 8). */
static void
rh_frame(uint8_t type, uint8_t left, const uint8_t four[4], const uint8_t *addrs, size_t alen)
{
    tu_eth(0x86dd);
    size_t i = tu_ip6(43);
    uint8_t h[4] = {6, (uint8_t)((4 + 4 + alen) / 8 - 1), type, left};
    assert_int_equal((4 + 4 + alen) % 8, 0);
    tu_put(h, 4);
    tu_put(four, 4);
    tu_put(addrs, alen);
    tu_put(tu_ip6_tcp + 40, sizeof(tu_ip6_tcp) - 40);
    tu_fix6(i);
}

static void
check_dst(const uint8_t want[16])
{
    struct pkt p;
    struct decode_stats st;
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.dport, 25);
    assert_int_equal(p.payload_caplen, 4);
    assert_memory_equal(p.dst.a, want, 16);
}

static void
test_rh_types(void **state)
{
    (void)state;
    static const uint8_t zero[4] = {0};
    uint8_t two[32];
    memcpy(two, way, 16);
    memcpy(two + 16, fin, 16);
    /* type 0 (RFC 5095: deprecated, still seen): the last address */
    rh_frame(0, 2, zero, two, 32);
    check_dst(fin);
    /* ... all segments visited (Segments Left 0): the header's */
    rh_frame(0, 0, zero, two, 32);
    check_dst(hdr_dst);
    /* type 2 (Mobile IPv6, RFC 6275 §6.4): the home address */
    rh_frame(2, 1, zero, fin, 16);
    check_dst(fin);
    rh_frame(2, 0, zero, fin, 16);
    check_dst(hdr_dst);
    /* type 4 (SRv6, RFC 8754 §2): Segment List[0] is the last segment;
     * Last Entry 1, flags, tag */
    static const uint8_t srh[4] = {1, 0, 0, 0};
    uint8_t segs[32];
    memcpy(segs, fin, 16);
    memcpy(segs + 16, way, 16);
    rh_frame(4, 1, srh, segs, 32);
    check_dst(fin);
    rh_frame(4, 0, srh, segs, 32);
    check_dst(hdr_dst);
    /* type 3 (RPL, RFC 6554 §3): CmprI 15, CmprE 15 (one byte each, the
     * other fifteen the header's destination's), Pad 6: addresses ::99 and
     * ::25 as their last bytes */
    static const uint8_t rpl[4] = {0xff, 0x60, 0, 0};
    static const uint8_t rpl_addrs[8] = {0x99, 0x25, 0, 0, 0, 0, 0, 0};
    rh_frame(3, 2, rpl, rpl_addrs, 8);
    uint8_t want[16];
    memcpy(want, hdr_dst, 16);
    want[15] = 0x25;
    check_dst(want);
    /* ... CmprE 8: the last address's 8 bytes, Pad 0 (CmprI 8: one 8-byte
     * address before it) */
    static const uint8_t rpl8[4] = {0x88, 0x00, 0, 0};
    static const uint8_t rpl8_addrs[16] = {0, 0, 0, 0, 0, 0, 0, 0x99, 1, 2, 3, 4, 5, 6, 7, 8};
    rh_frame(3, 1, rpl8, rpl8_addrs, 16);
    memcpy(want, hdr_dst, 8);
    memcpy(want + 8, rpl8_addrs + 8, 8);
    check_dst(want);
    /* an unknown type (253, RFC 4727 experimental): the header's */
    rh_frame(253, 1, zero, fin, 16);
    check_dst(hdr_dst);
    /* type 4 without room for a segment (Segments Left 1): the header's */
    rh_frame(4, 1, srh, zero, 0);
    check_dst(hdr_dst);
    /* type 3 whose Pad leaves no room for the last address: the header's */
    static const uint8_t rplbad[4] = {0xf0, 0xf0, 0, 0};
    rh_frame(3, 1, rplbad, rpl_addrs, 8);
    check_dst(hdr_dst);
}

/* The client's packets carry an SRv6 header with the server as the last
 * segment; the server's replies, none: one connection (the same flow key),
 * as TCP itself sees it (RFC 8200 §8.1). */
static void
test_rh_flow_key(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    struct flow_key k1, k2;
    uint8_t side1, side2;
    static const uint8_t srh[4] = {0, 0, 0, 0};
    rh_frame(4, 1, srh, fin, 16);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k1, &side1);
    /* the reply: 2001:db8::25:25 -> 2001:db8::1:50000, no Routing header */
    tu_eth(0x86dd);
    size_t i = tu_ip6(6);
    memcpy(tu_f + i + 8, fin, 16);
    memcpy(tu_f + i + 24, tu_ip6_tcp + 8, 16);
    tu_put16(25);
    tu_put16(50000);
    tu_put(tu_ip6_tcp + 44, sizeof(tu_ip6_tcp) - 44);
    tu_fix6(i);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    assert_int_equal(p.sport, 25);
    flow_key_from_pkt(&p, &k2, &side2);
    assert_memory_equal(&k1, &k2, sizeof(k1));
    assert_int_not_equal(side1, side2);
}

/* Mobile IPv6 route optimization (RFC 6275 §6.3, §6.4): the correspondent
 * 2001:db8::1 sends to the mobile node's care-of address 2001:db8::2 with a
 * type 2 Routing header naming its home address 2001:db8::25; the mobile
 * node answers from its care-of address with the home address in a
 * Destination Options header's Home Address option (type 201), which the
 * correspondent's TCP sees as the source. The two directions are one
 * connection, keyed by the home address. */
static void
test_rh_mobile_reply(void **state)
{
    (void)state;
    struct pkt p;
    struct decode_stats st;
    struct flow_key k1, k2;
    uint8_t side1, side2;
    static const uint8_t zero[4] = {0};
    rh_frame(2, 1, zero, fin, 16);
    assert_int_equal(tu_dec(&p, &st), DECODE_OK);
    flow_key_from_pkt(&p, &k1, &side1);
    /* the reply: 2001:db8::2 (care-of) -> 2001:db8::1, Destination Options
     * (PadN of 4 bytes, then the Home Address option at 8n+6), TCP 25 -> 50000 */
    for (int form = 0; form < 2; form++) {
        tu_eth(0x86dd);
        size_t i = tu_ip6(60);
        memcpy(tu_f + i + 8, hdr_dst, 16);
        memcpy(tu_f + i + 24, tu_ip6_tcp + 8, 16);
        uint8_t opts[8] = {6, 2, 1, 2, 0, 0, 0xc9, 16};
        if (form == 1) /* Pad1 x4 in PadN's place */
            opts[2] = opts[3] = opts[4] = opts[5] = 0;
        tu_put(opts, 8);
        tu_put(fin, 16);
        tu_put16(25);
        tu_put16(50000);
        tu_put(tu_ip6_tcp + 44, sizeof(tu_ip6_tcp) - 44);
        tu_fix6(i);
        assert_int_equal(tu_dec(&p, &st), DECODE_OK);
        assert_int_equal(p.sport, 25);
        assert_memory_equal(p.src.a, fin, 16);
        flow_key_from_pkt(&p, &k2, &side2);
        assert_memory_equal(&k1, &k2, sizeof(k1));
        assert_int_not_equal(side1, side2);
    }
    /* an option of another type, or a Home Address option of a wrong
     * length (cut short by the header's end): the source stays */
    static const uint8_t other[2][8] = {{6, 2, 1, 2, 0, 0, 0xc8, 16}, {6, 2, 1, 2, 0, 0, 0xc9, 18}};
    for (int k = 0; k < 2; k++) {
        tu_eth(0x86dd);
        size_t i = tu_ip6(60);
        tu_put(other[k], 8);
        tu_put(fin, 16);
        tu_put(tu_ip6_tcp + 40, sizeof(tu_ip6_tcp) - 40);
        tu_fix6(i);
        assert_int_equal(tu_dec(&p, &st), DECODE_OK);
        assert_memory_equal(p.src.a, tu_ip6_tcp + 8, 16);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_rh_types, tu_tun_teardown),
        cmocka_unit_test_teardown(test_rh_flow_key, tu_tun_teardown),
        cmocka_unit_test_teardown(test_rh_mobile_reply, tu_tun_teardown),
    };
    return cmocka_run_group_tests_name("decode_ip6_rh", tests, NULL, NULL);
}
