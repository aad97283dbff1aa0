/* \summary: unit tests for the DNS response parser (dissectors/dns.c):
 * compression, pointer loops, truncation at every length, malformed RDATA
 * and labels, MX and AAAA, escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"

struct got {
    unsigned n;
    struct dns_answer a[8];
};

static void
collect(void *user, const struct dns_answer *a)
{
    struct got *g = user;
    if (g->n < 8)
        g->a[g->n] = *a;
    g->n++;
}

/* A tiny message builder. */
struct mb {
    uint8_t b[512];
    size_t n;
};

static void
put(struct mb *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void
u8(struct mb *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}

static void
u16(struct mb *m, unsigned v)
{
    u8(m, v >> 8);
    u8(m, v & 0xff);
}

static void
u32(struct mb *m, uint32_t v)
{
    u16(m, v >> 16);
    u16(m, v & 0xffff);
}

static void
header(struct mb *m, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    m->n = 0;
    u16(m, 0x1234);
    u16(m, flags);
    u16(m, qd);
    u16(m, an);
    u16(m, ns);
    u16(m, ar);
}

static void
rr_head(struct mb *m, unsigned type, uint32_t ttl, unsigned rdlen)
{
    u16(m, type);
    u16(m, 1);
    u32(m, ttl);
    u16(m, rdlen);
}

/* example.com MX 10 mx1.example.com, MX 20 MX2.example.com; additional:
 * mx1 A 192.0.2.1, mx1 AAAA 2001:db8::1, all names compressed. */
static size_t
build_mx(struct mb *m)
{
    header(m, 0x8180, 1, 2, 0, 2);
    put(m,
        "\x07"
        "example"
        "\x03"
        "com"
        "\x00",
        13); /* offset 12 */
    u16(m, 15);
    u16(m, 1);
    u16(m, 0xC00C);
    rr_head(m, 15, 300, 8);
    u16(m, 10);
    size_t mx1 = m->n;
    put(m,
        "\x03"
        "mx1",
        4);
    u16(m, 0xC00C);
    u16(m, 0xC00C);
    rr_head(m, 15, 300, 8);
    u16(m, 20);
    put(m,
        "\x03"
        "MX2",
        4);
    u16(m, 0xC00C);
    u16(m, 0xC000 | (unsigned)mx1);
    rr_head(m, 1, 60, 4);
    put(m, "\xc0\x00\x02\x01", 4);
    u16(m, 0xC000 | (unsigned)mx1);
    rr_head(m, 28, 60, 16);
    put(m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    return m->n;
}

static void
test_mx_aaaa_compression(void **state)
{
    (void)state;
    struct mb m;
    build_mx(&m);
    struct got g = {0};
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), 0);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.a[0].type, DNS_TYPE_MX);
    assert_int_equal(g.a[0].section, DNS_SEC_ANSWER);
    assert_string_equal(g.a[0].owner, "example.com");
    assert_string_equal(g.a[0].exchange, "mx1.example.com");
    assert_int_equal(g.a[0].mx_pref, 10);
    assert_int_equal(g.a[0].ttl, 300);
    assert_string_equal(g.a[1].exchange, "mx2.example.com"); /* lower-cased */
    assert_int_equal(g.a[1].mx_pref, 20);
    assert_int_equal(g.a[2].type, DNS_TYPE_A);
    assert_int_equal(g.a[2].section, DNS_SEC_ADDITIONAL);
    assert_string_equal(g.a[2].owner, "mx1.example.com");
    assert_int_equal(g.a[2].addr_len, 4);
    assert_memory_equal(g.a[2].addr, "\xc0\x00\x02\x01", 4);
    assert_int_equal(g.a[3].type, DNS_TYPE_AAAA);
    assert_int_equal(g.a[3].addr_len, 16);
    assert_memory_equal(g.a[3].addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}

/* Every proper prefix is truncated (-1), never malformed, never a crash. */
static void
test_truncated_every_length(void **state)
{
    (void)state;
    struct mb m;
    size_t full = build_mx(&m);
    for (size_t cut = 0; cut < full; cut++) {
        struct got g = {0};
        uint8_t *copy = test_malloc(cut ? cut : 1);
        memcpy(copy, m.b, cut);
        assert_int_equal(dns_parse(copy, cut, collect, &g), -1);
        assert_true(g.n <= 4);
        test_free(copy);
    }
}

static void
test_pointer_loops(void **state)
{
    (void)state;
    struct mb m;
    /* QNAME at 12 is a pointer to itself. */
    header(&m, 0x8180, 1, 0, 0, 0);
    u16(&m, 0xC00C);
    u16(&m, 1);
    u16(&m, 1);
    struct got g = {0};
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* A label then a pointer back to it: grows past 255 octets or 64 pointers. */
    header(&m, 0x8180, 1, 0, 0, 0);
    put(&m,
        "\x01"
        "a",
        2);
    u16(&m, 0xC00C);
    u16(&m, 1);
    u16(&m, 1);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* Two pointers pointing at each other. */
    header(&m, 0x8180, 2, 0, 0, 0);
    u16(&m, 0xC012); /* 12 -> 18 */
    u16(&m, 1);
    u16(&m, 1);
    u16(&m, 0xC00C); /* 18 -> 12 */
    u16(&m, 1);
    u16(&m, 1);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* A pointer past the end of the message: more bytes would be needed. */
    header(&m, 0x8180, 1, 0, 0, 0);
    u16(&m, 0xC1FF);
    u16(&m, 1);
    u16(&m, 1);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -1);
    assert_int_equal(g.n, 0);
}

static void
test_malformed(void **state)
{
    (void)state;
    struct mb m;
    struct got g = {0};
    /* A record with a 5-byte RDATA. */
    header(&m, 0x8180, 0, 1, 0, 0);
    u8(&m, 0);
    rr_head(&m, 1, 1, 5);
    put(&m, "\1\2\3\4\5", 5);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* AAAA with 4 bytes. */
    header(&m, 0x8180, 0, 1, 0, 0);
    u8(&m, 0);
    rr_head(&m, 28, 1, 4);
    put(&m, "\1\2\3\4", 4);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* MX whose exchange overruns its RDATA (complete message). */
    header(&m, 0x8180, 0, 1, 0, 0);
    u8(&m, 0);
    rr_head(&m, 15, 1, 4);
    u16(&m, 5);
    put(&m,
        "\x05"
        "ab",
        3);
    put(&m, "cdef\0", 5);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* MX with trailing bytes in its RDATA. */
    header(&m, 0x8180, 0, 1, 0, 0);
    u8(&m, 0);
    rr_head(&m, 15, 1, 4);
    u16(&m, 5);
    u8(&m, 0);
    u8(&m, 0x55);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* Reserved label type 0x80. */
    header(&m, 0x8180, 1, 0, 0, 0);
    u8(&m, 0x81);
    u8(&m, 'a');
    u8(&m, 0);
    u16(&m, 1);
    u16(&m, 1);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    /* A 256-octet name without compression. */
    header(&m, 0x8180, 1, 0, 0, 0);
    for (int i = 0; i < 4; i++) {
        u8(&m, 63);
        for (int k = 0; k < 63; k++)
            u8(&m, 'x');
    }
    u8(&m, 0);
    u16(&m, 1);
    u16(&m, 1);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    assert_int_equal(g.n, 0);
}

static void
test_query_escape_root_class(void **state)
{
    (void)state;
    struct mb m;
    struct got g = {0};
    /* A query reports nothing. */
    header(&m, 0x0100, 1, 0, 0, 0);
    put(&m,
        "\x01"
        "a"
        "\x00",
        3);
    u16(&m, 1);
    u16(&m, 1);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), 0);
    assert_int_equal(g.n, 0);
    /* Odd bytes are escaped; the root owner is "."; class CH is skipped;
     * authority records are skipped; other types are skipped. */
    header(&m, 0x8180, 0, 3, 1, 0);
    put(&m,
        "\x05"
        "A.b\\\x00"
        "\x00",
        7);
    rr_head(&m, 1, 7, 4);
    put(&m, "\x0a\0\0\x01", 4);
    u8(&m, 0);
    rr_head(&m, 1, 7, 4);
    put(&m, "\x0a\0\0\x02", 4);
    u8(&m, 0); /* class CH */
    u16(&m, 1);
    u16(&m, 3);
    u32(&m, 0);
    u16(&m, 4);
    put(&m, "\1\1\1\1", 4);
    u8(&m, 0); /* authority A: not reported */
    rr_head(&m, 1, 7, 4);
    put(&m, "\1\1\1\1", 4);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.a[0].owner, "a\\.b\\\\\\000");
    assert_string_equal(g.a[1].owner, ".");
    /* A header one byte short. */
    assert_int_equal(dns_parse(m.b, 11, collect, &g), -1);
}

/* mail.example.com CNAME host.provider.test (compressed target), then
 * host A 192.0.2.9, with the AD bit; a CNAME RDATA with a byte after its
 * name is malformed */
static void
test_cname(void **state)
{
    (void)state;
    struct mb m;
    struct got g = {0};
    header(&m, 0x81a0, 1, 2, 0, 0);
    put(&m,
        "\x04"
        "mail"
        "\x07"
        "example"
        "\x03"
        "com"
        "\x00",
        18); /* offset 12 */
    u16(&m, 1);
    u16(&m, 1);
    u16(&m, 0xC00C);
    rr_head(&m, 5, 300, 20);
    size_t host = m.n;
    put(&m,
        "\x04"
        "Host"
        "\x08"
        "provider"
        "\x04"
        "test"
        "\x00",
        20);
    u16(&m, 0xC000 | (unsigned)host);
    rr_head(&m, 1, 60, 4);
    put(&m, "\xc0\x00\x02\x09", 4);
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.a[0].type, DNS_TYPE_CNAME);
    assert_string_equal(g.a[0].owner, "mail.example.com");
    assert_string_equal(g.a[0].exchange, "host.provider.test");
    assert_true(g.a[0].ad);
    assert_int_equal(g.a[1].type, DNS_TYPE_A);
    assert_string_equal(g.a[1].owner, "host.provider.test");
    /* a compressed target, then a stray byte inside the RDATA */
    header(&m, 0x8180, 0, 1, 0, 0);
    put(&m,
        "\x01"
        "a"
        "\x00",
        3);
    rr_head(&m, 5, 300, 3);
    u16(&m, 0xC00C);
    u8(&m, 0);
    g.n = 0;
    assert_int_equal(dns_parse(m.b, m.n, collect, &g), -2);
    assert_int_equal(g.n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mx_aaaa_compression),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_pointer_loops),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_query_escape_root_class),
        cmocka_unit_test(test_cname),
    };
    return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
