/* \summary: unit tests for -w's outer headers around a datagram reassembled
 * inside a tunnel (src/evidence_outer.c): each length set to reach the end
 * of the frame, each checksum recomputed so that the one's complement sum
 * over what it covers is 0xffff (RFC 1071), innermost first; an IPv4 UDP
 * checksum of 0 stays 0; a datagram not all captured: the UDP checksum 0
 * over IPv4; a length past 16 bits: false. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evidence_int.h"

static uint8_t b[70000];

static uint32_t
be16(uint32_t at)
{
    return (uint32_t)b[at] << 8 | b[at + 1];
}

/* The one's complement sum of n bytes at `at`, plus sum. */
static uint32_t
sum(uint32_t s, uint32_t at, uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i += 2)
        s += be16(at + i);
    if (n & 1)
        s += (uint32_t)b[at + n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

static void
note(struct defrag_out *dg, enum decode_outer kind, uint32_t off)
{
    dg->outer_kind[dg->n_outer] = (uint8_t)kind;
    dg->outer_off[dg->n_outer++] = off;
}

/* Ethernet / IPv6 / UDP (checksum set) / VXLAN / Ethernet / a 1000-byte
 * datagram: the IPv6 payload length, the UDP length and checksum. */
static void
test_ipv6_udp(void **state)
{
    (void)state;
    memset(b, 0, sizeof(b));
    struct defrag_out dg;
    memset(&dg, 0, sizeof(dg));
    b[14] = 0x60;
    b[14 + 6] = 17;
    b[14 + 8] = 0x20, b[14 + 23] = 1, b[14 + 24] = 0x20, b[14 + 39] = 2;
    note(&dg, DECODE_OUTER_IP6, 14);
    note(&dg, DECODE_OUTER_UDP, 54);
    b[54 + 6] = 0x12; /* a checksum of the fragment's */
    uint32_t link = 14 + 40 + 8 + 8 + 14, end = link + 1000;
    for (uint32_t i = link; i < end; i++)
        b[i] = (uint8_t)(i * 7);
    note(&dg, DECODE_OUTER_IP4, link); /* the datagram's own header: not touched */
    uint32_t own = be16(link + 2);
    assert_true(evidence_outer_fix(b, link, end, true, &dg));
    assert_int_equal(be16(14 + 4), end - 54);
    assert_int_equal(be16(54 + 4), end - 54);
    /* pseudo-header (RFC 8200 §8.1): addresses, length, next header */
    uint32_t s = sum(0, 14 + 8, 32) + (end - 54) + 17;
    assert_int_equal(sum(s, 54, end - 54), 0xffff);
    assert_int_equal(be16(link + 2), own);
    /* not all captured: an IPv6 UDP checksum cannot be left out, left as it was */
    uint32_t before = be16(54 + 6);
    assert_true(evidence_outer_fix(b, link, end + 10, false, &dg));
    assert_int_equal(be16(54 + 6), before);
    assert_int_equal(be16(54 + 4), end + 10 - 54);
}

/* IPv4 / UDP without a checksum, and cut: the IPv4 header checksum, the
 * UDP checksum stays 0; with one, cut: 0. */
static void
test_ipv4_udp(void **state)
{
    (void)state;
    memset(b, 0, sizeof(b));
    struct defrag_out dg;
    memset(&dg, 0, sizeof(dg));
    b[14] = 0x45, b[14 + 9] = 17, b[14 + 12] = 10, b[14 + 19] = 2;
    note(&dg, DECODE_OUTER_IP4, 14);
    note(&dg, DECODE_OUTER_UDP, 34);
    uint32_t link = 14 + 20 + 8 + 8 + 14, end = link + 600;
    assert_true(evidence_outer_fix(b, link, end, true, &dg));
    assert_int_equal(be16(14 + 2), end - 14);
    assert_int_equal(sum(0, 14, 20), 0xffff);
    assert_int_equal(be16(34 + 6), 0);
    b[34 + 6] = 0x55;
    assert_true(evidence_outer_fix(b, link, end, false, &dg));
    assert_int_equal(be16(34 + 6), 0);
    /* past 65535 bytes: false */
    assert_false(evidence_outer_fix(b, link, 14 + 65536, true, &dg));
}

/* IPv4 / GRE with C / PPPoE-less Ethernet; and PPPoE's length. */
static void
test_gre_pppoe(void **state)
{
    (void)state;
    memset(b, 0, sizeof(b));
    struct defrag_out dg;
    memset(&dg, 0, sizeof(dg));
    b[14] = 0x45, b[14 + 9] = 47;
    note(&dg, DECODE_OUTER_IP4, 14);
    b[34] = 0x80, b[35] = 0, b[36] = 0x65, b[37] = 0x58; /* C, TEB */
    note(&dg, DECODE_OUTER_GRE, 34);
    uint32_t link = 14 + 20 + 8 + 14, end = link + 777;
    for (uint32_t i = link; i < end; i++)
        b[i] = (uint8_t)(i * 13);
    assert_true(evidence_outer_fix(b, link, end, true, &dg));
    assert_int_equal(sum(0, 34, end - 34), 0xffff);
    assert_int_equal(sum(0, 14, 20), 0xffff);
    assert_int_equal(be16(14 + 2), end - 14);
    /* Ethernet / PPPoE / PPP IPv4 */
    memset(&dg, 0, sizeof(dg));
    note(&dg, DECODE_OUTER_PPPOE, 14);
    assert_true(evidence_outer_fix(b, 22, 22 + 900, true, &dg));
    assert_int_equal(be16(14 + 4), 900 + 2);
    /* headers not all noted: false */
    dg.n_outer = DECODE_OUTER_MAX + 1;
    assert_false(evidence_outer_fix(b, 22, 22 + 900, true, &dg));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv6_udp),
        cmocka_unit_test(test_ipv4_udp),
        cmocka_unit_test(test_gre_pppoe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
