/* JA4 (dissectors/ja4.c) against the worked example of FoxIO's
 * specification (technical_details/JA4.md: t13d1516h2_8daaf6152771_e5627efa2ab1),
 * its ALPN rules, and cut, malformed and over-long ClientHellos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ja4.h"

/* A ClientHello body builder: legacy_version, random, session id, cipher
 * suites, null compression, then the extensions added. */
struct hello {
    uint8_t b[4096];
    size_t n, ext_len_at;
};

static void
put16(struct hello *h, unsigned v)
{
    h->b[h->n++] = (uint8_t)(v >> 8);
    h->b[h->n++] = (uint8_t)v;
}

static void
hello_begin(struct hello *h, unsigned version, const uint16_t *ciphers, size_t nc)
{
    h->n = 0;
    put16(h, version);
    memset(h->b + h->n, 0x42, 32); /* random */
    h->n += 32;
    h->b[h->n++] = 32; /* session id */
    memset(h->b + h->n, 0x17, 32);
    h->n += 32;
    put16(h, (unsigned)(2 * nc));
    for (size_t i = 0; i < nc; i++)
        put16(h, ciphers[i]);
    h->b[h->n++] = 1; /* compression methods: null */
    h->b[h->n++] = 0;
    h->ext_len_at = h->n;
    put16(h, 0);
}

static void
hello_ext(struct hello *h, unsigned type, const uint8_t *body, size_t len)
{
    put16(h, type);
    put16(h, (unsigned)len);
    if (len > 0)
        memcpy(h->b + h->n, body, len);
    h->n += len;
    size_t total = h->n - h->ext_len_at - 2;
    h->b[h->ext_len_at] = (uint8_t)(total >> 8);
    h->b[h->ext_len_at + 1] = (uint8_t)total;
}

static void
hello_ext_u16s(struct hello *h, unsigned type, int lenbytes, const uint16_t *v, size_t nv)
{
    uint8_t body[512];
    size_t k = 0;
    if (lenbytes == 1)
        body[k++] = (uint8_t)(2 * nv);
    else {
        body[k++] = (uint8_t)((2 * nv) >> 8);
        body[k++] = (uint8_t)(2 * nv);
    }
    for (size_t i = 0; i < nv; i++) {
        body[k++] = (uint8_t)(v[i] >> 8);
        body[k++] = (uint8_t)v[i];
    }
    hello_ext(h, type, body, k);
}

static void
hello_alpn(struct hello *h, const uint8_t *first, size_t n)
{
    uint8_t body[300];
    size_t k = 2;
    body[k++] = (uint8_t)n;
    memcpy(body + k, first, n);
    k += n;
    body[k++] = 8;
    memcpy(body + k, "http/1.1", 8);
    k += 8;
    body[0] = (uint8_t)((k - 2) >> 8);
    body[1] = (uint8_t)(k - 2);
    hello_ext(h, 0x0010, body, k);
}

/* The specification's example: its 15 cipher suites and 16 extensions in
 * their order, a GREASE cipher, extension, version and group added (left
 * out), the signature algorithms as listed, ALPN h2. With sigalgs false, the
 * signature_algorithms extension is sent empty: the spec's "no signature
 * algorithms" hash (6d807ffa2a79). */
static void
spec_hello(struct hello *h, bool sigalgs, bool sni)
{
    static const uint16_t ciphers[] = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                       0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                       0x009c, 0x009d, 0x002f, 0x0035};
    static const uint16_t exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                    0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
    static const uint16_t sig[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    static const uint16_t versions[] = {0x7a7a, 0x0304, 0x0303};
    static const uint16_t groups[] = {0x2a2a, 0x001d, 0x0017};
    hello_begin(h, 0x0303, ciphers, sizeof(ciphers) / sizeof(ciphers[0]));
    hello_ext(h, 0x3a3a, NULL, 0); /* GREASE: not counted */
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        switch (exts[i]) {
        case 0x0000: {
            static const uint8_t sn[] = {0,   14,  0,   0,   11,  'e', 'x', 'a',
                                         'm', 'p', 'l', 'e', '.', 'o', 'r', 'g'};
            if (sni)
                hello_ext(h, 0x0000, sn, sizeof(sn));
            break;
        }
        case 0x0010:
            hello_alpn(h, (const uint8_t *)"h2", 2);
            break;
        case 0x000d:
            hello_ext_u16s(h, 0x000d, 2, sig, sigalgs ? sizeof(sig) / sizeof(sig[0]) : 0);
            break;
        case 0x002b:
            hello_ext_u16s(h, 0x002b, 1, versions, 3);
            break;
        case 0x000a:
            hello_ext_u16s(h, 0x000a, 2, groups, 3);
            break;
        default:
            hello_ext(h, exts[i], NULL, 0);
        }
    }
}

static void
test_ja4_spec_example(void **state)
{
    (void)state;
    struct hello h;
    char out[JA4_LEN + 1];
    spec_hello(&h, true, true);
    assert_true(ja4_compute(h.b, h.n, out));
    assert_string_equal(out, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    spec_hello(&h, false, true); /* no signature algorithms: no '_' in the last part */
    assert_true(ja4_compute(h.b, h.n, out));
    assert_string_equal(out, "t13d1516h2_8daaf6152771_6d807ffa2a79");
    spec_hello(&h, true, false); /* no SNI: "i", one extension fewer, same hashes */
    assert_true(ja4_compute(h.b, h.n, out));
    assert_string_equal(out, "t13i1515h2_8daaf6152771_e5627efa2ab1");
}

/* No supported_versions: legacy_version; no extensions at all; no ciphers. */
static void
test_ja4_versions_and_empty_lists(void **state)
{
    (void)state;
    struct hello h;
    char out[JA4_LEN + 1];
    static const uint16_t one[] = {0x002f};
    hello_begin(&h, 0x0301, one, 1);
    h.n -= 2; /* no extensions block (RFC 5246 §7.4.1.2) */
    assert_true(ja4_compute(h.b, h.n, out));
    assert_string_equal(out, "t10i010000_ba72b8082249_000000000000");
    hello_begin(&h, 0x0300, NULL, 0);
    assert_true(ja4_compute(h.b, h.n, out));
    assert_string_equal(out, "ts3i000000_000000000000_000000000000");
    hello_begin(&h, 0x0305, one, 1); /* a version JA4 has no name for */
    assert_true(ja4_compute(h.b, h.n, out));
    assert_memory_equal(out, "t00i", 4);
}

/* The first ALPN value's ends, or the ends of its hex form when either is
 * not alphanumeric (the specification's examples); "00" for an empty one. */
static void
test_ja4_alpn(void **state)
{
    (void)state;
    static const struct {
        uint8_t v[4];
        size_t n;
        const char *want;
    } cases[] = {
        {{'h', '2'}, 2, "h2"},
        {{'h', 't', 't', 'p'}, 4, "hp"},
        {{'s'}, 1, "ss"},
        {{0xab}, 1, "ab"},
        {{0xab, 0xcd}, 2, "ad"},
        {{0x30, 0xab}, 2, "3b"},
        {{0x30, 0x31, 0xab, 0xcd}, 4, "3d"},
        {{0x30, 0xab, 0xcd, 0x31}, 4, "01"},
        {{0}, 0, "00"},
    };
    static const uint16_t one[] = {0x1301};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hello h;
        char out[JA4_LEN + 1];
        hello_begin(&h, 0x0303, one, 1);
        hello_alpn(&h, cases[i].v, cases[i].n);
        assert_true(ja4_compute(h.b, h.n, out));
        assert_memory_equal(out + 8, cases[i].want, 2);
    }
}

/* Every cut of the example is refused ("", false), never read past; a
 * length that does not fit, and lists past the limits, likewise. */
static void
test_ja4_cut_and_malformed(void **state)
{
    (void)state;
    struct hello h;
    char out[JA4_LEN + 1];
    spec_hello(&h, true, true);
    for (size_t n = 0; n < h.n; n++) {
        uint8_t copy[4096];
        memcpy(copy, h.b, n); /* exactly n bytes: ASan sees a read past them */
        memset(out, 'x', sizeof(out));
        bool ok = ja4_compute(copy, n, out);
        /* cutting the whole extensions block off leaves a valid older hello */
        if (n == h.ext_len_at) {
            assert_true(ok);
            continue;
        }
        assert_false(ok);
        assert_string_equal(out, "");
    }
    h.b[h.ext_len_at + 1] ^= 1; /* the extensions' length off by one */
    assert_false(ja4_compute(h.b, h.n, out));
    static uint16_t many[JA4_CIPHERS_MAX + 1];
    for (size_t i = 0; i < JA4_CIPHERS_MAX + 1; i++)
        many[i] = (uint16_t)(0x1000 + i);
    hello_begin(&h, 0x0303, many, JA4_CIPHERS_MAX);
    assert_true(ja4_compute(h.b, h.n, out));
    assert_memory_equal(out, "t12i9900", 8); /* counts stop at 99 */
    hello_begin(&h, 0x0303, many, JA4_CIPHERS_MAX + 1);
    assert_false(ja4_compute(h.b, h.n, out));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ja4_spec_example),
        cmocka_unit_test(test_ja4_versions_and_empty_lists),
        cmocka_unit_test(test_ja4_alpn),
        cmocka_unit_test(test_ja4_cut_and_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
