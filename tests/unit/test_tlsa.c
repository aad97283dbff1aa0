/* \summary: unit tests for DANE (RFC 7672): TLSA answers in the DNS parser
 * (dissectors/dns.c: RDATA, AD bit, truncation at every length, RDATA too
 * short), the --tlsa zone-line parser and file (src/tlsa_zone.c), the
 * table (src/tlsa.c: case, trailing dot, duplicates, the cap) and the
 * matcher (src/dane.c): every usage, selector and matching type against
 * fixture certificates, digests from the openssl command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "dane.h"
#include "dns.h"
#include "mem.h"
#include "tlsa.h"
#include "tu_certs.h"

#define DIAG(n) SRCDIR "/pcaps/diag/certs/" n

/* openssl x509 -outform DER | openssl dgst -sha256 (and -pubkey | pkey -pubin -outform DER) */
#define MX2_0_1 "acf4d8cd591c8aa97b3e6914f7a8aeb46acfbf87f606e1fd9e1acbc71440d7fe"
#define MX2_0_2                                                                                    \
    "c6885be6361168d231d1bb940d402ae3e5566d724ae0431d72541f0263c9001703401e12fea7b6a72f95c68f5b52" \
    "01"                                                                                           \
    "f0b6464c3d2276a88c104c6218ad4cbb52"
#define MX2_1_1 "4af3edc14aca1a98b1eb9a60f6b56983043af84713bda41c07a4f94fd78bb13d"
#define MX2_1_2                                                                                    \
    "3273c1964995df1c438c34f91c6e955bb57c8e8ec97a52cd36b84c18bb86f7d6318025f900cdcf220f458ac64487" \
    "ac"                                                                                           \
    "4a77a70644d68eb4e486281eb471f4a94c"
#define INT_1_1 "27e2675198621958cb3f79567c870aed775c1ad65bdf8b857795cd972a80993f"
#define INT_0_1 "c72b130f5eb3ba88836d57ad80f22a62cf2d7ffb2d0d5a4354e61a9f96c4ec94"

/* 2027-01-01T00:00:00Z: the leaves below are valid then */
#define AT_2027 INT64_C(1798761600)

static size_t
unhex(const char *h, uint8_t *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

/* ---- DNS ---- */

struct got {
    unsigned n;
    struct dns_answer a;
    uint8_t data[80];
};

static void
collect(void *user, const struct dns_answer *a)
{
    struct got *g = user;
    if (a->type != DNS_TYPE_TLSA)
        return;
    g->a = *a;
    memcpy(g->data, a->tlsa_data, a->tlsa_len < 80 ? a->tlsa_len : 80);
    g->n++;
}

/* _25._tcp.mx.example.test TLSA 3 1 1 <32 bytes> (flags given) */
static size_t
build_tlsa(uint8_t *b, unsigned flags, unsigned rdlen)
{
    static const uint8_t q[] = "\x03_25\x04_tcp\x02mx\x07"
                               "example\x04test";
    size_t n = 0;
    uint8_t h[12] = {0x12, 0x34, (uint8_t)(flags >> 8), (uint8_t)flags, 0, 1, 0, 1, 0, 0, 0, 0};
    memcpy(b, h, 12);
    n = 12;
    memcpy(b + n, q, sizeof(q)); /* with its terminating zero: the root label */
    n += sizeof(q);
    memcpy(b + n, "\x00\x34\x00\x01", 4);
    n += 4;
    memcpy(b + n, "\xc0\x0c\x00\x34\x00\x01\x00\x00\x01\x2c", 10);
    n += 10;
    b[n++] = (uint8_t)(rdlen >> 8);
    b[n++] = (uint8_t)rdlen;
    b[n++] = 3;
    b[n++] = 1;
    b[n++] = 1;
    for (unsigned i = 0; i + 3 < rdlen; i++)
        b[n++] = (uint8_t)(0xA0 + i);
    return n;
}

static void
test_dns_tlsa(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = build_tlsa(b, 0x81A0, 35); /* QR RD RA AD */
    struct got g = {0};
    assert_int_equal(dns_parse(b, n, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.a.owner, "_25._tcp.mx.example.test");
    assert_int_equal(g.a.tlsa_usage, 3);
    assert_int_equal(g.a.tlsa_selector, 1);
    assert_int_equal(g.a.tlsa_mtype, 1);
    assert_int_equal(g.a.tlsa_len, 32);
    assert_int_equal(g.data[0], 0xA0);
    assert_int_equal(g.data[31], 0xBF);
    assert_true(g.a.ad);
    /* without the AD bit */
    n = build_tlsa(b, 0x8180, 35);
    memset(&g, 0, sizeof(g));
    assert_int_equal(dns_parse(b, n, collect, &g), 0);
    assert_false(g.a.ad);
    /* only the three octets: reported, no data */
    n = build_tlsa(b, 0x8180, 3);
    memset(&g, 0, sizeof(g));
    assert_int_equal(dns_parse(b, n, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.a.tlsa_len, 0);
}

static void
test_dns_tlsa_truncated(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = build_tlsa(b, 0x81A0, 35);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* ASan sees a read past the cut */
        memcpy(copy, b, cut);
        struct got g = {0};
        assert_int_equal(dns_parse(copy, cut, collect, &g), -1);
        assert_int_equal(g.n, 0);
        free(copy);
    }
}

static void
test_dns_tlsa_malformed(void **state)
{
    (void)state;
    uint8_t b[256];
    for (unsigned rdlen = 0; rdlen < 3; rdlen++) { /* RDATA shorter than its three octets */
        size_t n = build_tlsa(b, 0x81A0, rdlen);
        n -= 3; /* the three octets build_tlsa wrote */
        for (unsigned i = 0; i < rdlen; i++)
            b[n++] = 3;
        struct got g = {0};
        assert_int_equal(dns_parse(b, n, collect, &g), -2);
        assert_int_equal(g.n, 0);
    }
}

/* ---- zone lines ---- */

static int
line(const char *l, char *owner, uint8_t f[3], uint8_t *data, size_t *len, const char **why)
{
    return tlsa_parse_line(l, owner, &f[0], &f[1], &f[2], data, len, why);
}

static void
test_zone_lines(void **state)
{
    (void)state;
    char owner[TLSA_NAME_MAX];
    uint8_t f[3], data[TLSA_FILE_DATA_MAX];
    size_t len;
    const char *why = NULL;
    assert_int_equal(line("", owner, f, data, &len, &why), 0);
    assert_int_equal(line("   \n", owner, f, data, &len, &why), 0);
    assert_int_equal(line("; a comment\n", owner, f, data, &len, &why), 0);
    assert_int_equal(line("# a comment\n", owner, f, data, &len, &why), 0);
    assert_int_equal(line("_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 " MX2_1_1 " ; c\n", owner, f,
                          data, &len, &why),
                     1);
    assert_string_equal(owner, "_25._tcp.mx.example.com.");
    assert_int_equal(f[0], 3);
    assert_int_equal(f[1], 1);
    assert_int_equal(f[2], 1);
    assert_int_equal(len, 32);
    assert_int_equal(data[0], 0x4a);
    /* class before TTL, no TTL, no class, hex split, parentheses on the line */
    assert_int_equal(
        line("_25._tcp.mx IN 60 TLSA 2 0 1 ( " INT_0_1 " )", owner, f, data, &len, &why), 1);
    assert_int_equal(
        line("_587._TCP.mx.example.com tlsa 3 0 0 30 82 01 0a", owner, f, data, &len, &why), 1);
    assert_int_equal(len, 4);
    assert_int_equal(line("_25._tcp.mx TLSA 1 1 2 " MX2_1_2, owner, f, data, &len, &why), 1);
    assert_int_equal(len, 64);
    /* refused */
    static const char *const bad[] = {
        "mx.example.com. IN TLSA 3 1 1 " MX2_1_1,          /* not _PORT._tcp */
        "_25._udp.mx.example.com. IN TLSA 3 1 1 " MX2_1_1, /* udp */
        "_25._tcp. IN TLSA 3 1 1 " MX2_1_1,                /* no host */
        "_x._tcp.mx IN TLSA 3 1 1 " MX2_1_1,               /* port not a number */
        "_25._tcp.mx IN A 192.0.2.1",                      /* another type */
        "_25._tcp.mx IN CH TLSA 3 1 1 " MX2_1_1,           /* another class */
        "_25._tcp.mx TLSA 3 1",                            /* fields missing */
        "_25._tcp.mx TLSA 3 1 256 00",                     /* over 255 */
        "_25._tcp.mx TLSA 3 1 1",                          /* no data */
        "_25._tcp.mx TLSA 3 1 1 abc",                      /* odd digits */
        "_25._tcp.mx TLSA 3 1 1 zz",                       /* not hex */
        "_25._tcp.mx TLSA 3 1 1 0011",                     /* SHA-256 of 2 octets */
        "_25._tcp.mx TLSA 3 1 2 " MX2_1_1,                 /* SHA-512 of 32 octets */
        "_25._tcp.mx TLSA 3 1 1 ( " MX2_1_1,               /* on several lines */
        "$ORIGIN example.com.",
        "@ IN TLSA 3 1 1 " MX2_1_1,
        "  IN TLSA 3 1 1 " MX2_1_1, /* owner left blank: the previous line's */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_int_equal(line(bad[i], owner, f, data, &len, &why), -1);
        assert_non_null(why);
    }
}

static void
test_zone_file(void **state)
{
    (void)state;
    char path[] = "/tmp/smtptap-test-tlsa-XXXXXX", err[512];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("; records\n\n_25._tcp.MX.example.com. TLSA 3 1 1 " MX2_1_1 "\n", f);
    fputs("_25._tcp.mx.example.com TLSA 3 1 1 " MX2_1_1 "\n", f); /* the same record */
    fputs("_25._tcp.mx.example.com TLSA 3 1 x\n", f);
    fclose(f);
    tlsa_init(10);
    assert_int_equal(tlsa_load(path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":5: "));
    tlsa_init(10);
    f = fopen(path, "w");
    fputs("; nothing\n", f);
    fclose(f);
    assert_int_equal(tlsa_load(path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no TLSA record"));
    f = fopen(path, "w");
    fputs("_25._tcp.MX.example.com. TLSA 3 1 1 " MX2_1_1 "\n", f);
    fputs("_25._tcp.mx.example.com TLSA 3 1 1 " MX2_1_1 "\n", f);
    fclose(f);
    assert_int_equal(tlsa_load(path, err, sizeof(err)), 0);
    assert_int_equal(tlsa_count(), 1); /* case and the trailing dot do not matter */
    assert_int_not_equal(tlsa_find("_25._tcp.mx.EXAMPLE.com."), TLSA_NONE);
    assert_int_equal(tlsa_find("_25._tcp.other.example.com"), TLSA_NONE);
    assert_int_equal(tlsa_load("/nonexistent/tlsa", err, sizeof(err)), -1);
    unlink(path);
    tlsa_fini();
}

static void
test_table(void **state)
{
    (void)state;
    uint8_t d[32];
    unhex(MX2_1_1, d);
    tlsa_init(2);
    assert_int_equal(tlsa_add("_25._tcp.a", 3, 1, 1, d, 32, false, TLSA_SRC_DNS), 0);
    assert_false(tlsa_get(tlsa_find("_25._tcp.a"))->ad);
    assert_int_equal(tlsa_add("_25._tcp.A.", 3, 1, 1, d, 32, true, TLSA_SRC_DNS), 0);
    assert_int_equal(tlsa_count(), 1);
    assert_true(tlsa_get(tlsa_find("_25._tcp.a"))->ad); /* a validated copy */
    assert_int_equal(tlsa_add("_25._tcp.a", 2, 1, 1, d, 32, true, TLSA_SRC_DNS), 0);
    uint32_t first = tlsa_find("_25._tcp.a");
    assert_int_equal(tlsa_get(tlsa_get(first)->next)->rr.usage, 2);
    assert_int_equal(tlsa_add("_25._tcp.b", 3, 1, 1, d, 32, true, TLSA_SRC_DNS), -1); /* cap */
    assert_int_equal(tlsa_dropped(), 1);
    tlsa_fini();
    assert_int_equal(tlsa_count(), 0);
}

/* ---- matcher ---- */

static uint32_t leaf, inter;

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    certcache_init(100);
    leaf = tu_cert_add_pem(DIAG("leaf-mx2.pem"));
    inter = tu_cert_add_pem(DIAG("intermediate.pem"));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    dane_fini();
    tlsa_fini();
    certcache_free();
    return 0;
}

static struct tlsa_rr
rr_of(uint8_t u, uint8_t s, uint8_t m, const uint8_t *data, size_t len)
{
    /* as the table keeps it */
    tlsa_init(4);
    tlsa_add("_25._tcp.x", u, s, m, data, len, true, TLSA_SRC_DNS);
    struct tlsa_rr r = tlsa_get(0)->rr;
    tlsa_fini();
    return r;
}

static void
test_match_each_kind(void **state)
{
    (void)state;
    uint8_t d[64];
    struct {
        uint8_t s, m;
        const char *hex;
    } k[] = {{0, 1, MX2_0_1}, {0, 2, MX2_0_2}, {1, 1, MX2_1_1}, {1, 2, MX2_1_2}};
    for (unsigned i = 0; i < 4; i++) {
        size_t n = unhex(k[i].hex, d);
        for (uint8_t u = 0; u < 4; u++) {
            struct tlsa_rr r = rr_of(u, k[i].s, k[i].m, d, n);
            /* the matcher compares any usable record; PKIX usages are never usable */
            assert_int_equal(dane_match_cert(&r, leaf), u >= 2);
            assert_false(dane_match_cert(&r, inter));
        }
        d[0] ^= 1;
        struct tlsa_rr r = rr_of(3, k[i].s, k[i].m, d, n);
        assert_false(dane_match_cert(&r, leaf));
    }
    /* matching type 0: the full DER and SubjectPublicKeyInfo */
    X509 *x = tu_cert_load_pem(DIAG("leaf-mx2.pem"));
    unsigned char *der = NULL, *spki = NULL;
    int dl = i2d_X509(x, &der), sl = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
    struct tlsa_rr r = rr_of(3, 0, 0, der, (size_t)dl);
    assert_true(dane_match_cert(&r, leaf));
    r = rr_of(3, 1, 0, spki, (size_t)sl);
    assert_true(dane_match_cert(&r, leaf));
    r = rr_of(3, 1, 0, spki, (size_t)sl - 1); /* a prefix is no match */
    assert_false(dane_match_cert(&r, leaf));
    OPENSSL_free(der);
    OPENSSL_free(spki);
    X509_free(x);
    /* unknown selector and matching type, wrong digest lengths */
    unhex(MX2_1_1, d);
    r = rr_of(3, 2, 1, d, 32);
    assert_false(dane_usable(&r));
    r = rr_of(3, 1, 3, d, 32);
    assert_false(dane_usable(&r));
    r = rr_of(3, 1, 1, d, 31);
    assert_false(dane_usable(&r));
    r = rr_of(3, 1, 2, d, 32);
    assert_false(dane_usable(&r));
}

static void
test_check_rrset(void **state)
{
    (void)state;
    uint8_t d[32];
    const uint32_t chain[2] = {leaf, inter};
    const char *names[2] = {"", "MX2.example.test."};
    struct dane_result r;
    tlsa_init(16);
    dane_check(25, names, 2, chain, 2, AT_2027, &r); /* nothing known: nothing done */
    assert_int_equal(r.state, DANE_NONE);
    /* DANE-TA of the intermediate sent: a match; on another port none */
    unhex(INT_1_1, d);
    tlsa_add("_25._tcp.mx2.example.test", 2, 1, 1, d, 32, true, TLSA_SRC_DNS);
    dane_check(25, names, 2, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    assert_true(r.dnssec);
    dane_check(587, names, 2, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_NONE);
    /* the intermediate not sent: DANE-TA cannot match (RFC 7671 §5.2.2) */
    dane_check(25, names, 2, chain, 1, AT_2027, &r);
    assert_int_equal(r.state, DANE_MISMATCH);
    /* DANE-TA never matches the leaf itself */
    unhex(MX2_1_1, d);
    tlsa_add("_25._tcp.leaf.example.test", 2, 1, 1, d, 32, true, TLSA_SRC_DNS);
    names[1] = "leaf.example.test";
    dane_check(25, names, 2, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MISMATCH);
    /* a stale DANE-EE next to a right one: one match is enough; AD not set */
    uint8_t stale[32] = {1};
    tlsa_add("_25._tcp.ee.example.test", 3, 1, 1, stale, 32, false, TLSA_SRC_DNS);
    names[1] = "ee.example.test";
    dane_check(25, names, 2, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_false(r.dnssec);
    tlsa_add("_25._tcp.ee.example.test", 3, 1, 1, d, 32, true, TLSA_SRC_FILE);
    dane_check(25, names, 2, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 3);
    assert_int_equal(r.records, 2);
    assert_false(r.dnssec);
    assert_int_equal(r.sources, TLSA_SRC_DNS | TLSA_SRC_FILE);
    /* PKIX only: unusable (RFC 7672 §3.1.3) */
    tlsa_add("_25._tcp.pkix.example.test", 1, 1, 1, d, 32, true, TLSA_SRC_DNS);
    tlsa_add("_25._tcp.pkix.example.test", 0, 1, 1, d, 32, true, TLSA_SRC_DNS);
    names[0] = "pkix.example.test"; /* the checked name comes first */
    dane_check(25, names, 2, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_UNUSABLE);
    assert_int_equal(r.usable, 0);
    /* the certificate's values, as the finding's evidence prints them */
    char hex[200];
    assert_true(dane_cert_hex(leaf, 1, 1, hex, sizeof(hex)));
    assert_string_equal(hex, "4AF3EDC14ACA1A98B1EB9A60F6B56983043AF84713BDA41C07A4F94FD78BB13D");
    tlsa_fini();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_tlsa),           cmocka_unit_test(test_dns_tlsa_truncated),
        cmocka_unit_test(test_dns_tlsa_malformed), cmocka_unit_test(test_zone_lines),
        cmocka_unit_test(test_zone_file),          cmocka_unit_test(test_table),
        cmocka_unit_test(test_match_each_kind),    cmocka_unit_test(test_check_rrset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
