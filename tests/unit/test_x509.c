/* \summary: unit tests for X.509 field extraction (src/x509.c) and the
 * certificate cache (src/certcache.c), on the fixtures of tests/data/certs
 * (made by tests/data/certs/make.sh with the openssl CLI). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certcache.h"
#include "mem.h"
#include "report_cert.h"
#include "tu_file.h"
#include "tu_json.h"
#include "x509.h"
#include "x509_winname.h"

#define CERT(n) SRCDIR "/tests/data/certs/" n

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    certcache_init(2 * CERTCACHE_DECODED_LEAVES);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    certcache_free();
    assert_int_equal(mem_in_use(), 0);
    return 0;
}

static void
parse(const char *path, struct x509_info *info, int want_rc)
{
    size_t n;
    uint8_t *der = tu_read_file(path, &n);
    assert_int_equal(x509_extract(der, n, info), want_rc);
    free(der);
}

/* RFC 5280 §4.1: subject, issuer, serial, validity, key and signature. */
static void
test_leaf_fields(void **state)
{
    (void)state;
    struct x509_info in;
    parse(CERT("leaf.der"), &in, 0);
    assert_null(in.parse_error);
    assert_string_equal(in.subject_cn, "mail.example.com");
    assert_non_null(strstr(in.subject, "CN=mail.example.com"));
    assert_non_null(strstr(in.issuer, "CN=smtptap Test Intermediate CA"));
    assert_string_equal(in.serial, "1002");
    assert_string_equal(in.not_before_iso, "2024-01-01T00:00:00Z");
    assert_string_equal(in.not_after_iso, "2034-01-01T00:00:00Z");
    assert_int_equal(in.not_before, 1704067200);
    assert_string_equal(in.key_type, "RSA");
    assert_int_equal(in.key_bits, 2048);
    assert_string_equal(in.sig_alg, "sha256WithRSAEncryption");
    assert_false(in.self_signed);
    assert_false(in.is_ca);
    assert_int_equal(in.n_san, 2);
    assert_int_equal(in.san[0].type, 'D');
    assert_string_equal(in.san[0].value, "mail.example.com");
    assert_string_equal(in.san[1].value, "smtp.example.com");
    /* Exchange's -TlsCertificateName: most significant RDN last, ", " separated. */
    char ex[512];
    assert_int_equal(x509_exchange_cert_name(&in, ex, sizeof(ex)), 0);
    assert_string_equal(ex, "<I>C=DE, O=smtptap Tests, CN=smtptap Test Intermediate CA"
                            "<S>C=DE, O=Example Mail, CN=mail.example.com");
    x509_info_free(&in);
}

static void
test_root_and_self_signed(void **state)
{
    (void)state;
    struct x509_info in;
    parse(CERT("root.der"), &in, 0);
    assert_true(in.self_signed);
    assert_true(in.is_ca);
    x509_info_free(&in);
    parse(CERT("inter.der"), &in, 0);
    assert_false(in.self_signed);
    assert_true(in.is_ca);
    assert_int_equal(in.path_len, 0);
    x509_info_free(&in);
    parse(CERT("selfsigned.der"), &in, 0);
    assert_true(in.self_signed);
    assert_false(in.is_ca);
    x509_info_free(&in);
    parse(CERT("ncinter.der"), &in, 0);
    assert_true(in.has_name_constraints);
    x509_info_free(&in);
}

/* SAN kinds (RFC 5280 §4.2.1.6): IP in both families, e-mail, URI. */
static void
test_san_kinds(void **state)
{
    (void)state;
    struct x509_info in;
    parse(CERT("ipsan.der"), &in, 0);
    assert_int_equal(in.n_san, 5);
    assert_int_equal(in.san[0].type, 'I');
    assert_string_equal(in.san[0].value, "192.0.2.25");
    assert_int_equal(in.san[1].type, 'I');
    assert_string_equal(in.san[1].value, "2001:db8::25");
    assert_int_equal(in.san[2].type, 'D');
    assert_int_equal(in.san[3].type, 'E');
    assert_string_equal(in.san[3].value, "postmaster@example.net");
    assert_int_equal(in.san[4].type, 'U');
    x509_info_free(&in);
    parse(CERT("wildcard.der"), &in, 0);
    assert_string_equal(in.key_type, "EC");
    assert_int_equal(in.key_bits, 256);
    assert_string_equal(in.key_curve, "prime256v1");
    assert_string_equal(in.san[0].value, "*.example.com");
    x509_info_free(&in);
    parse(CERT("weakkey.der"), &in, 0);
    assert_int_equal(in.key_bits, 1024);
    x509_info_free(&in);
    parse(CERT("sha1.der"), &in, 0);
    assert_string_equal(in.sig_alg, "sha1WithRSAEncryption");
    x509_info_free(&in);
}

/* An embedded NUL is shown escaped, never cut (the 2009 NUL-prefix attack). */
static void
test_nul_escaped(void **state)
{
    (void)state;
    struct x509_info in;
    parse(CERT("nulname.der"), &in, 0);
    assert_non_null(strstr(in.subject_cn, "bad.example.com\\x00.evil.org"));
    assert_int_equal(in.n_san, 1);
    assert_string_equal(in.san[0].value, "ok.example.com\\x00.evil.org");
    x509_info_free(&in);
}

/* Bad DER is a reported outcome, not a crash: garbage, a cut certificate, and
 * trailing bytes after a valid one are each rejected with a reason. */
static void
test_bad_der(void **state)
{
    (void)state;
    struct x509_info in;
    parse(CERT("garbage.der"), &in, -1);
    assert_non_null(in.parse_error);
    assert_null(in.subject);
    x509_info_free(&in);
    parse(CERT("truncated.der"), &in, -1);
    assert_non_null(in.parse_error);
    x509_info_free(&in);
    parse(CERT("trailing.der"), &in, -1);
    assert_non_null(in.parse_error);
    assert_non_null(strstr(in.parse_error, "trailing"));
    x509_info_free(&in);
    assert_int_equal(x509_extract((const uint8_t *)"", 0, &in), -1);
    x509_info_free(&in);
}

/* The cache keeps one entry per distinct DER, with its hashes, and counts. */
static void
test_cache_dedup(void **state)
{
    (void)state;
    size_t n1, n2, n3;
    uint8_t *leaf = tu_read_file(CERT("leaf.der"), &n1);
    uint8_t *inter = tu_read_file(CERT("inter.der"), &n2);
    uint8_t *bad = tu_read_file(CERT("garbage.der"), &n3);
    uint32_t a = certcache_add(leaf, n1);
    uint32_t b = certcache_add(inter, n2);
    uint32_t c = certcache_add(leaf, n1);
    uint32_t d = certcache_add(bad, n3);
    assert_true(a > 0 && b > 0 && d > 0);
    assert_int_equal(a, c);
    assert_int_not_equal(a, b);
    assert_int_equal(certcache_count(), 3);
    assert_int_equal(certcache_sightings(), 4);
    assert_int_equal(certcache_parse_errors(), 1);
    const struct cert_entry *e = certcache_get(a);
    assert_non_null(e);
    assert_int_equal(e->seen, 2);
    assert_int_equal(e->der_len, n1);
    assert_memory_equal(e->der, leaf, n1);
    X509 *xa = certcache_x509(a);
    assert_non_null(xa);
    X509_free(xa);
    assert_null(certcache_x509(d));
    assert_non_null(certcache_get(d)->info.parse_error);
    assert_null(certcache_get(0));
    assert_null(certcache_get(9999));
    /* SHA-1 of the leaf is its Exchange thumbprint; compare with the openssl CLI
     * value computed when the fixture was made. */
    uint8_t zero[20] = {0};
    assert_memory_not_equal(e->sha1, zero, 20);
    free(leaf);
    free(inter);
    free(bad);
}

/* Decoded leaves beyond the last CERTCACHE_DECODED_LEAVES are let go and decoded again from
 * their DER on demand, with the same fields; a reference taken before the
 * object was let go stays valid; CA certificates keep theirs. */
static void
test_cache_redecode(void **state)
{
    (void)state;
    size_t n, ni;
    uint8_t *leaf = tu_read_file(CERT("leaf.der"), &n);
    uint8_t *inter = tu_read_file(CERT("inter.der"), &ni);
    uint32_t ca = certcache_add(inter, ni);
    assert_true(ca > 0);
    uint32_t first = 0;
    X509 *held = NULL;
    const unsigned nleaves = CERTCACHE_DECODED_LEAVES + 50;
    for (unsigned v = 0; v < nleaves; v++) {
        memcpy(leaf + n - 4, &v, 4); /* a distinct DER: the signature's last bytes */
        uint32_t id = certcache_add(leaf, n);
        assert_true(id > 0);
        if (v == 0) {
            first = id;
            held = certcache_x509(id);
            assert_non_null(held);
        }
    }
    assert_int_equal(certcache_count(), nleaves + 1);
    assert_null(certcache_get(first)->x509);                             /* let go */
    assert_non_null(certcache_get(ca)->x509);                            /* a CA keeps its object */
    assert_string_equal(X509_get0_serialNumber(held) ? "ok" : "", "ok"); /* still valid */
    uint64_t before = certcache_redecoded();
    X509 *again = certcache_x509(first);
    assert_non_null(again);
    assert_int_equal(certcache_redecoded(), before + 1);
    assert_int_equal(X509_cmp(again, held), 0);
    assert_string_equal(certcache_get(first)->info.subject_cn, "mail.example.com");
    X509_free(again);
    X509_free(held);
    free(leaf);
    free(inter);
}

/* certcache_session_done(): a leaf seen once lets its decoded object go at
 * its session's end (decoded again on demand); one seen twice and a CA keep
 * theirs; the ring of decoded leaves stays consistent afterwards (more
 * leaves than it holds, under ASan: no double free, no use after free). */
static void
test_cache_session_done(void **state)
{
    (void)state;
    size_t n, ni;
    uint8_t *leaf = tu_read_file(CERT("leaf.der"), &n);
    uint8_t *inter = tu_read_file(CERT("inter.der"), &ni);
    uint32_t ca = certcache_add(inter, ni);
    uint32_t once = certcache_add(leaf, n);
    memcpy(leaf + n - 4, "\x01\x02\x03\x04", 4);
    uint32_t twice = certcache_add(leaf, n);
    assert_int_equal(certcache_add(leaf, n), twice);
    assert_true(ca > 0 && once > 0 && twice > 0);
    uint32_t chain[3] = {once, twice, ca};
    certcache_session_done(chain, 3);
    assert_null(certcache_get(once)->x509);      /* let go */
    assert_non_null(certcache_get(twice)->x509); /* seen twice: kept */
    assert_non_null(certcache_get(ca)->x509);    /* a CA: kept */
    uint64_t before = certcache_redecoded();
    X509 *again = certcache_x509(once);
    assert_non_null(again);
    assert_int_equal(certcache_redecoded(), before + 1);
    X509_free(again);
    certcache_session_done(chain, 1); /* again: nothing left to let go twice */
    for (unsigned v = 0; v < CERTCACHE_DECODED_LEAVES + 10; v++) {
        memcpy(leaf + n - 4, &v, 4);
        uint32_t id = certcache_add(leaf, n);
        assert_true(id > 0);
        if (v % 3 == 0)
            certcache_session_done(&id, 1);
    }
    X509 *x = certcache_x509(twice);
    assert_non_null(x);
    X509_free(x);
    free(leaf);
    free(inter);
}

/* The subject and issuer are exactly what `openssl x509 -nameopt RFC2253`
 * prints (escaped once: "Smith\, Jones \+ Co", "Mail\\Relay"), and the
 * Exchange form is Windows' (X509Certificate2.Subject): ", " between RDNs,
 * " + " inside a multi-valued one, S= for the state, and a value with a
 * comma or plus sign in double quotes, not backslash-escaped. */
static void
test_exchange_name_separators(void **state)
{
    (void)state;
    X509 *x = X509_new();
    assert_non_null(x);
    X509_NAME *nm = X509_NAME_new();
    assert_int_equal(
        X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"DE", -1, -1, 0),
        1);
    assert_int_equal(X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
                                                (const unsigned char *)"Smith, Jones + Co", -1, -1,
                                                0),
                     1);
    assert_int_equal(X509_NAME_add_entry_by_txt(nm, "OU", MBSTRING_ASC,
                                                (const unsigned char *)"Mail\\Relay", -1, -1, 0),
                     1);
    /* set = -1: joins the previous RDN (multi-valued, RFC 4514 §2.2) */
    assert_int_equal(X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
                                                (const unsigned char *)"m\xc3\xa4il.example", -1,
                                                -1, -1),
                     1);
    assert_int_equal(X509_set_subject_name(x, nm), 1);
    assert_int_equal(X509_set_issuer_name(x, nm), 1);
    struct x509_info in;
    assert_int_equal(x509_fill(x, &in), 0);
    BIO *b = BIO_new(BIO_s_mem());
    assert_true(X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253) > 0);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    assert_true(n > 0 && (size_t)n < 200);
    assert_int_equal(strlen(in.subject), (size_t)n);
    assert_memory_equal(in.subject, p, (size_t)n);
    assert_string_equal(in.subject, "CN=m\\C3\\A4il.example+OU=Mail\\\\Relay,"
                                    "O=Smith\\, Jones \\+ Co,C=DE");
    /* a multi-valued RDN's values in the order the name holds them (the
     * DER's, for a certificate read from the wire); characters, as Windows
     * shows them */
    const char *win = "OU=Mail\\Relay + CN=m\xc3\xa4il.example, O=\"Smith, Jones + Co\", C=DE";
    char want[512];
    snprintf(want, sizeof(want), "<I>%s<S>%s", win, win);
    assert_string_equal(in.exchange_name, want);
    x509_info_free(&in);
    BIO_free(b);
    X509_NAME_free(nm);
    X509_free(x);
}

/* Windows' keys and quoting (CertNameToStr): S for the state, E for the
 * e-mail address, OID.n for a key it has no name for; quotes around a value
 * with a comma, a quote (doubled) or a leading space. */
static void
test_winname_rules(void **state)
{
    (void)state;
    X509_NAME *nm = X509_NAME_new();
    assert_non_null(nm);
    static const char *const kv[][2] = {
        {"C", "US"},
        {"ST", "California"},
        {"L", "Menlo Park"},
        {"O", "Facebook, Inc."},
        {"CN", "*.ak.fbcdn.net"},
        {"emailAddress", "a@b"},
        {"2.5.4.97", "VATDE-123"},
        {"OU", "Say \"hi\""},
        {"OU", " x"},
    };
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
        assert_int_equal(X509_NAME_add_entry_by_txt(nm, kv[i][0], MBSTRING_ASC,
                                                    (const unsigned char *)kv[i][1], -1, -1, 0),
                         1);
    char *w = x509_winname(nm);
    assert_non_null(w);
    assert_string_equal(w, "OU=\" x\", OU=\"Say \"\"hi\"\"\", OID.2.5.4.97=VATDE-123, E=a@b, "
                           "CN=*.ak.fbcdn.net, O=\"Facebook, Inc.\", L=Menlo Park, S=California, "
                           "C=US");
    free(w);
    X509_NAME_free(nm);
}

/* Windows shows a name's characters: the UTF-8 of a value stays as it is,
 * controls and the characters that reorder or hide text are \XX per byte. */
static void
test_winname_unicode(void **state)
{
    (void)state;
    X509_NAME *nm = X509_NAME_new();
    assert_non_null(nm);
    static const char *const kv[][2] = {
        {"O", "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale \xF0\x9F\x98\x80"},
        {"CN", "x\xE2\x80\xAEy"}, /* U+202E RIGHT-TO-LEFT OVERRIDE */
        {"OU", "a\x01\xC2\x85"
               "b"}, /* a C0 and a C1 control */
    };
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
        assert_int_equal(X509_NAME_add_entry_by_txt(nm, kv[i][0], MBSTRING_UTF8,
                                                    (const unsigned char *)kv[i][1], -1, -1, 0),
                         1);
    char *w = x509_winname(nm);
    assert_non_null(w);
    assert_string_equal(w, "OU=a\\01\\C2\\85b, CN=x\\E2\\80\\AEy, "
                           "O=Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale \xF0\x9F\x98\x80");
    free(w);
    X509_NAME_free(nm);
}

/* Prints nm with the given flags into out (ASCII names: no escaping). */
static void
print_name(X509_NAME *nm, unsigned long flags, char *out, size_t n)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    assert_true(X509_NAME_print_ex(b, nm, 0, flags) > 0);
    char *p;
    long len = BIO_get_mem_data(b, &p);
    assert_true(len > 0 && (size_t)len < n);
    memcpy(out, p, (size_t)len);
    out[len] = '\0';
    BIO_free(b);
}

/* x509.c remembers the printed forms of recent names by their DER: with
 * 300 names through its 64 slots, in several orders, every subject, issuer
 * and Exchange name is what OpenSSL prints for that certificate's names. */
static void
test_name_print_cache(void **state)
{
    (void)state;
    for (unsigned round = 0; round < 3; round++)
        for (unsigned k = 0; k < 300; k++) {
            unsigned i = round == 1 ? 299 - k : (k * 97) % 300;
            char cn[64], org[64];
            snprintf(cn, sizeof(cn), "mx%u.example.test", i);
            snprintf(org, sizeof(org), "Org %u", i % 7);
            X509 *x = X509_new();
            X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
            assert_true(x && subj && iss);
            X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1,
                                       0);
            X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                       0);
            X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_ASC, (const unsigned char *)org, -1, -1,
                                       0);
            assert_int_equal(X509_set_subject_name(x, subj), 1);
            assert_int_equal(X509_set_issuer_name(x, iss), 1);
            struct x509_info in;
            assert_int_equal(x509_fill(x, &in), 0);
            char ws[256], wi[256], want[600];
            print_name(subj, XN_FLAG_RFC2253, ws, sizeof(ws));
            assert_string_equal(in.subject, ws);
            print_name(iss, XN_FLAG_RFC2253, wi, sizeof(wi));
            assert_string_equal(in.issuer, wi);
            const unsigned long spc = (XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC;
            print_name(subj, spc, ws, sizeof(ws));
            print_name(iss, spc, wi, sizeof(wi));
            snprintf(want, sizeof(want), "<I>%s<S>%s", wi, ws);
            assert_string_equal(in.exchange_name, want);
            x509_info_free(&in);
            X509_NAME_free(subj);
            X509_NAME_free(iss);
            X509_free(x);
        }
}

/* A full cache refuses new certificates (id 0) but still finds known ones. */
static void
test_cache_cap(void **state)
{
    (void)state;
    certcache_free();
    certcache_init(2);
    size_t n1, n2, n3;
    uint8_t *x = tu_read_file(CERT("leaf.der"), &n1);
    uint8_t *y = tu_read_file(CERT("inter.der"), &n2);
    uint8_t *z = tu_read_file(CERT("root.der"), &n3);
    uint32_t a = certcache_add(x, n1);
    assert_true(a > 0);
    assert_true(certcache_add(y, n2) > 0);
    assert_int_equal(certcache_add(z, n3), 0);
    assert_int_equal(certcache_refused(), 1);
    assert_int_equal(certcache_add(x, n1), a);
    free(x);
    free(y);
    free(z);
}

/* The run-long tables' own bytes past 3/4 of the memcap: the cache takes no
 * new certificate (the flows being dissected keep the rest), still finding
 * known ones. Memory the flows use does not count. */
static void
test_cache_leaves_room_for_flows(void **state)
{
    (void)state;
    size_t n1, n2;
    uint8_t *x = tu_read_file(CERT("leaf.der"), &n1);
    uint8_t *y = tu_read_file(CERT("inter.der"), &n2);
    uint32_t a = certcache_add(x, n1);
    assert_true(a > 0);
    assert_true(mem_tables() >= n1); /* the entry charged its bytes */
    size_t flows = (size_t)(mem_cap() - mem_cap() / 8 - mem_in_use());
    void *fill = mem_alloc_raw(flows); /* flows up to the admission limit */
    assert_non_null(fill);
    assert_false(mem_run_tables_full());
    mem_free(fill, flows);
    int64_t over = (int64_t)(mem_cap() - mem_cap() / 4 - mem_tables()) + 1;
    mem_tables_charge(over); /* the tables at 3/4 of the cap */
    assert_true(mem_run_tables_full());
    assert_int_equal(certcache_add(y, n2), 0);
    assert_int_equal(certcache_refused(), 1);
    assert_int_equal(certcache_add(x, n1), a);
    mem_tables_charge(-over);
    assert_false(mem_run_tables_full());
    assert_true(certcache_add(y, n2) > 0);
    free(x);
    free(y);
}

/* The URLs of one kind, joined by spaces ("" when none). */
static const char *
urls_str(const struct x509_info *in, enum x509_url_kind kind)
{
    static char out[2048];
    unsigned n;
    char *const *u = x509_urls(in, kind, &n);
    size_t k = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%s", i ? " " : "", u[i]);
    return out;
}

/* RFC 5280 §4.2.1.13, §4.2.2.1: the URIs of every CRL distribution point in
 * order, the OCSP and caIssuers ones of AIA told apart whatever their order
 * (revurls.der: caIssuers comes first). A certificate without either
 * extension has none. */
static void
test_revocation_urls(void **state)
{
    (void)state;
    struct x509_info in;
    parse(CERT("revurls.der"), &in, 0);
    assert_int_equal(in.n_urls[X509_URL_CRL], 3);
    assert_string_equal(urls_str(&in, X509_URL_CRL),
                        "http://crl.example.com/inter.crl "
                        "ldap://dc1.corp.example.com/CN=Test%20CA?certificateRevocationList?base "
                        "http://crl2.example.com/inter.crl");
    assert_string_equal(urls_str(&in, X509_URL_OCSP), "http://ocsp.example.com/");
    assert_string_equal(urls_str(&in, X509_URL_CA_ISSUERS), "http://pki.example.com/inter.crt");
    assert_int_equal(in.urls_truncated, 0);
    x509_info_free(&in);
    parse(CERT("leaf.der"), &in, 0);
    unsigned n = 99;
    assert_null(x509_urls(&in, X509_URL_CRL, &n));
    assert_int_equal(n, 0);
    assert_null(in.urls);
    assert_int_equal(in.urls_truncated, 0);
    x509_info_free(&in);
}

static GENERAL_NAME *
gen_name(int type, const char *s, size_t n)
{
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_IA5STRING *v = ASN1_IA5STRING_new();
    assert_non_null(g);
    assert_non_null(v);
    assert_int_equal(ASN1_STRING_set(v, s, (int)n), 1);
    GENERAL_NAME_set0_value(g, type, v);
    return g;
}

static DIST_POINT *
dist_point(const char *const *uris, unsigned n)
{
    DIST_POINT *dp = DIST_POINT_new();
    dp->distpoint = DIST_POINT_NAME_new();
    dp->distpoint->type = 0;
    dp->distpoint->name.fullname = GENERAL_NAMES_new();
    for (unsigned i = 0; i < n; i++) {
        int type = strncmp(uris[i], "dns:", 4) == 0 ? GEN_DNS : GEN_URI;
        const char *v = type == GEN_DNS ? uris[i] + 4 : uris[i];
        sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gen_name(type, v, strlen(v)));
    }
    return dp;
}

static void
access_desc(AUTHORITY_INFO_ACCESS *aia, int nid, const char *uri, size_t n)
{
    ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();
    ASN1_OBJECT_free(ad->method);
    ad->method = OBJ_nid2obj(nid);
    GENERAL_NAME_free(ad->location);
    ad->location = gen_name(GEN_URI, uri, n);
    sk_ACCESS_DESCRIPTION_push(aia, ad);
}

/* A certificate built here with the extensions the bounds are about, its
 * DER in *len (OPENSSL_free). */
static uint8_t *
bounds_cert(int *len)
{
    static const char *const dp1[] = {"http://a.example/1.crl", "dns:not-a-url.example",
                                      "http://b.example/\x1b[31m.crl"};
    static const char *const dp3[] = {"http://c.example/3.crl", "http://d.example/4.crl",
                                      "http://e.example/5.crl"};
    CRL_DIST_POINTS *dps = sk_DIST_POINT_new_null();
    sk_DIST_POINT_push(dps, dist_point(dp1, 3));
    DIST_POINT *rel = DIST_POINT_new(); /* nameRelativeToCRLIssuer: no URL */
    rel->distpoint = DIST_POINT_NAME_new();
    rel->distpoint->type = 1;
    rel->distpoint->name.relativename = sk_X509_NAME_ENTRY_new_null();
    sk_X509_NAME_ENTRY_push(rel->distpoint->name.relativename,
                            X509_NAME_ENTRY_create_by_NID(NULL, NID_commonName, MBSTRING_ASC,
                                                          (const unsigned char *)"CRL1", -1));
    sk_DIST_POINT_push(dps, rel);
    sk_DIST_POINT_push(dps, dist_point(dp3, 3));
    char url[X509_URL_LEN_MAX + 2];
    memcpy(url, "http://ocsp.example/", 20);
    memset(url + 20, 'x', sizeof(url) - 20);
    AUTHORITY_INFO_ACCESS *aia = sk_ACCESS_DESCRIPTION_new_null();
    access_desc(aia, NID_ad_OCSP, url, X509_URL_LEN_MAX + 1); /* one byte too long */
    access_desc(aia, NID_ad_OCSP, url, X509_URL_LEN_MAX);     /* just fits */
    access_desc(aia, NID_caRepository, "http://repo.example/", 20);
    access_desc(aia, NID_ad_ca_issuers, "http://pki.example/i.crt", 24);
    X509 *x = X509_new();
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    X509_NAME *nm = X509_NAME_new();
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"b.example", -1, -1,
                               0);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_set_subject_name(x, nm);
    X509_set_issuer_name(x, nm);
    ASN1_TIME_set(X509_getm_notBefore(x), 1704067200);
    ASN1_TIME_set(X509_getm_notAfter(x), 2019686400);
    X509_set_pubkey(x, k);
    assert_int_equal(X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, 0), 1);
    assert_int_equal(X509_add1_ext_i2d(x, NID_info_access, aia, 0, 0), 1);
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    uint8_t *der = NULL;
    *len = i2d_X509(x, &der);
    assert_true(*len > 0);
    CRL_DIST_POINTS_free(dps);
    AUTHORITY_INFO_ACCESS_free(aia);
    X509_NAME_free(nm);
    EVP_PKEY_free(k);
    X509_free(x);
    return der;
}

static void
write_cert(struct json *j, void *arg)
{
    json_obj_begin(j, NULL);
    report_cert_json(j, "c", *(const uint32_t *)arg);
    json_obj_end(j);
}

/* The bounds: X509_URLS_MAX URIs of a kind kept, the next left out and
 * said so; a URL of X509_URL_LEN_MAX bytes kept, a longer one left out;
 * names that are no URI (a DNS name, a name relative to the issuer, an
 * access method other than OCSP and caIssuers) skipped without a word; a
 * control byte escaped, in the fields and in the JSON, which says what was
 * left out. */
static void
test_revocation_url_bounds(void **state)
{
    (void)state;
    int len;
    uint8_t *der = bounds_cert(&len);
    struct x509_info in;
    assert_int_equal(x509_extract(der, (size_t)len, &in), 0);
    assert_int_equal(in.n_urls[X509_URL_CRL], X509_URLS_MAX);
    assert_string_equal(urls_str(&in, X509_URL_CRL),
                        "http://a.example/1.crl http://b.example/\\x1b[31m.crl "
                        "http://c.example/3.crl http://d.example/4.crl");
    assert_int_equal(in.n_urls[X509_URL_OCSP], 1);
    unsigned n;
    char *const *o = x509_urls(&in, X509_URL_OCSP, &n);
    assert_int_equal(strlen(o[0]), X509_URL_LEN_MAX);
    assert_string_equal(urls_str(&in, X509_URL_CA_ISSUERS), "http://pki.example/i.crt");
    assert_int_equal(in.urls_truncated, 1u << X509_URL_CRL | 1u << X509_URL_OCSP);
    x509_info_free(&in);
    uint32_t id = certcache_add(der, (size_t)len);
    assert_true(id > 0);
    char *js = tu_json_capture(write_cert, &id);
    assert_non_null(strstr(js, "\"crl_urls\":[\"http://a.example/1.crl\","
                               "\"http://b.example/\\\\x1b[31m.crl\",\"http://c.example/3.crl\","
                               "\"http://d.example/4.crl\"],\"crl_urls_truncated\":true,"
                               "\"ocsp_urls\":[\"http://ocsp.example/xxx"));
    assert_non_null(strstr(js, "xxx\"],\"ocsp_urls_truncated\":true,"
                               "\"ca_issuers_urls\":[\"http://pki.example/i.crt\"],"
                               "\"exchange_thumbprint\""));
    assert_null(strchr(js, 0x1b));
    free(js);
    OPENSSL_free(der);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_leaf_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_and_self_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_san_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_der, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_leaves_room_for_flows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_redecode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_session_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exchange_name_separators, setup, teardown),
        cmocka_unit_test(test_winname_rules),
        cmocka_unit_test(test_winname_unicode),
        cmocka_unit_test_setup_teardown(test_name_print_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revocation_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revocation_url_bounds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
