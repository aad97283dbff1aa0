/* \summary: unit tests for the names of a PEM bundle's roots
 * (src/bundleroots.c): roots in each PEM label kept, an intermediate not,
 * line endings and blank lines ignored, damaged blocks (bad base64, a
 * certificate cut short, DER lengths that overrun, a long-form length of
 * five bytes, a block larger than the buffer) skipped without harm to the
 * blocks after them; a file that cannot be opened keeps none. Names
 * compare as X509_NAME_cmp does (string types, case, spacing): a root
 * whose subject is a PrintableString is found by an issuer written as a
 * UTF8String in other case and spacing, and a root whose issuer is encoded
 * otherwise than its subject is a root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bundleroots.h"
#include "tu_certs.h"

#define DIAG(n) SRCDIR "/pcaps/diag/certs/" n

/* Whether the subject of x is a root read. */
static bool
has(X509 *x)
{
    const unsigned char *der = NULL;
    size_t len = 0;
    assert_int_equal(X509_NAME_get0_der(X509_get_subject_name(x), &der, &len), 1);
    return bundleroots_has(der, len);
}

/* Writes der as a PEM block with the label, lines of width characters
 * ending in eol. */
static void
block(FILE *f, const char *label, const uint8_t *der, size_t n, unsigned width, const char *eol)
{
    char *b64 = malloc(n / 3 * 4 + 8);
    assert_non_null(b64);
    int len = EVP_EncodeBlock((unsigned char *)b64, der, (int)n);
    fprintf(f, "-----BEGIN %s-----%s", label, eol);
    for (int i = 0; i < len; i += (int)width)
        fprintf(f, "%.*s%s", (int)width, b64 + i, eol);
    fprintf(f, "-----END %s-----%s", label, eol);
    free(b64);
}

static size_t
der_of(X509 *x, uint8_t **out)
{
    *out = NULL;
    int n = i2d_X509(x, out);
    assert_true(n > 0);
    return (size_t)n;
}

static void
test_roots(void **state)
{
    (void)state;
    X509 *root = tu_cert_load_pem(DIAG("three-tier-root.pem")),
         *old = tu_cert_load_pem(DIAG("three-tier-old-root.pem")),
         *policy = tu_cert_load_pem(DIAG("three-tier-policy-ca.pem"));
    X509 *other = tu_cert_load_pem(SRCDIR "/tests/data/certs/oroot.pem");
    uint8_t *d_root, *d_old, *d_policy, *d_other;
    size_t n_root = der_of(root, &d_root), n_old = der_of(old, &d_old),
           n_policy = der_of(policy, &d_policy), n_other = der_of(other, &d_other);

    char path[] = "/tmp/smtptap-test-bundle-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "# a comment line, as some bundles have\n\n");
    block(f, "CERTIFICATE", d_policy, n_policy, 64, "\n"); /* an intermediate: not a root */
    fprintf(f, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"); /* bad base64 */
    block(f, "CERTIFICATE", d_root, n_root / 2 / 3 * 3, 64, "\n");                /* cut short */
    static const uint8_t overrun[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x00};
    block(f, "CERTIFICATE", overrun, sizeof(overrun), 64, "\n");
    static const uint8_t five[] = {0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x04, 0x30, 0x02, 0x05};
    block(f, "CERTIFICATE", five, sizeof(five), 64, "\n");
    block(f, "PRIVATE KEY", d_other, n_other, 64, "\n"); /* not a certificate block */
    fprintf(f, "-----BEGIN CERTIFICATE-----\n");         /* larger than any certificate */
    for (int i = 0; i < 1100; i++)
        fprintf(f, "%s\n", "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB");
    fprintf(f, "-----END CERTIFICATE-----\n");
    block(f, "TRUSTED CERTIFICATE", d_old, n_old, 76, "\r\n");
    block(f, "CERTIFICATE", d_root, n_root, 64, "\r\n");
    assert_int_equal(fclose(f), 0);

    assert_true(bundleroots_load(path));
    unlink(path);
    assert_int_equal(bundleroots_count(), 2); /* the root and the old root, one name */
    assert_true(has(root));
    assert_true(has(old));
    assert_false(has(policy));
    assert_false(has(other)); /* in the file only as a key block */

    /* a file that cannot be opened: none kept, not the earlier ones */
    assert_false(bundleroots_load("/nonexistent/smtptap-bundle.pem"));
    assert_int_equal(bundleroots_count(), 0);
    assert_false(has(root));
    bundleroots_reset();

    OPENSSL_free(d_root);
    OPENSSL_free(d_old);
    OPENSSL_free(d_policy);
    OPENSSL_free(d_other);
    X509_free(root);
    X509_free(old);
    X509_free(policy);
    X509_free(other);
}

/* An attribute value: its string type and bytes. */
struct val {
    int type;
    const char *s;
    size_t n;
};
#define V(t, lit)                                                                                  \
    {                                                                                              \
        V_ASN1_##t, lit, sizeof(lit) - 1                                                           \
    }

/* The name O=o, CN=cn with the values' types and bytes as given. */
static X509_NAME *
name2(struct val o, struct val cn)
{
    X509_NAME *nm = X509_NAME_new();
    assert_non_null(nm);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(nm, "O", o.type, (const unsigned char *)o.s, (int)o.n, -1, 0),
        1);
    assert_int_equal(X509_NAME_add_entry_by_txt(nm, "CN", cn.type, (const unsigned char *)cn.s,
                                                (int)cn.n, -1, 0),
                     1);
    return nm;
}

static uint64_t
key_of(const X509_NAME *nm)
{
    const unsigned char *der = NULL;
    size_t len = 0;
    uint64_t key = 0;
    assert_int_equal(X509_NAME_get0_der(nm, &der, &len), 1);
    assert_true(bundleroots_name_key(der, len, &key));
    return key;
}

/* The keys agree with X509_NAME_cmp on every pair of a set of encodings of
 * one name and of names near it. */
static void
test_name_keys(void **state)
{
    (void)state;
    static const struct val os[] = {
        V(PRINTABLESTRING, "Lab Trust AB"), /* 0..7: the same name for OpenSSL */
        V(UTF8STRING, "lab trust ab"),
        V(UTF8STRING, "  LAB   Trust\tAB \n"),
        V(BMPSTRING, "\0L\0a\0b\0 \0T\0r\0u\0s\0t\0 \0A\0B"),
        V(UNIVERSALSTRING, "\0\0\0L\0\0\0A\0\0\0B\0\0\0 \0\0\0t\0\0\0r\0\0\0u\0\0\0s\0\0\0t\0\0\0 "
                           "\0\0\0a\0\0\0b"),
        V(IA5STRING, "LAB TRUST AB"),
        V(T61STRING, "Lab Trust AB"),
        V(UTF8STRING, "\rlab\v\ftrust\r\nab\t"),
        V(UTF8STRING, "Lab Trust AC"), /* another name */
        V(UTF8STRING, "LabTrust AB"),
        V(T61STRING, "Lab Tr\xfcst AB"), /* 10, 11: Latin-1 and UTF-8 u-umlaut */
        V(UTF8STRING, "lab tr\xc3\xbcst ab"),
        V(UTF8STRING, "Lab Tr\xc3\x9cst AB"), /* U-umlaut: not lowered */
        V(NUMERICSTRING, "1234"),             /* not a type made canonical */
        V(PRINTABLESTRING, "1234"),
    };
    enum { N = sizeof(os) / sizeof(os[0]) };
    X509_NAME *nm[N];
    uint64_t key[N];
    for (unsigned i = 0; i < N; i++) {
        nm[i] = name2(os[i], (struct val)V(PRINTABLESTRING, "Lab Root"));
        key[i] = key_of(nm[i]);
    }
    for (unsigned i = 0; i < N; i++)
        for (unsigned j = 0; j < N; j++) {
            bool same = X509_NAME_cmp(nm[i], nm[j]) == 0;
            if (same != (key[i] == key[j]))
                fail_msg("names %u and %u: X509_NAME_cmp %s, keys %s", i, j,
                         same ? "equal" : "differ", same ? "differ" : "equal");
        }
    for (unsigned i = 1; i < 8; i++)
        assert_true(key[i] == key[0]); /* not a vacuous check */
    assert_true(key[10] == key[11]);
    assert_true(key[8] != key[0] && key[9] != key[0] && key[12] != key[11] && key[13] != key[14]);
    for (unsigned i = 0; i < N; i++)
        X509_NAME_free(nm[i]);

    /* a multi-valued RDN (O=a + CN=b) in either order (DER sorts a SET
     * OF, X.690 §11.6; a certificate may not): one name; not the name of
     * two RDNs O=a, CN=b */
    static const uint8_t m1[] = {0x30, 0x16, 0x31, 0x14, 0x30, 0x08, 0x06, 0x03,
                                 0x55, 0x04, 0x0a, 0x13, 0x01, 'a',  0x30, 0x08,
                                 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, 'b'};
    static const uint8_t m2[] = {0x30, 0x16, 0x31, 0x14, 0x30, 0x08, 0x06, 0x03,
                                 0x55, 0x04, 0x03, 0x13, 0x01, 'B',  0x30, 0x08,
                                 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x01, 'a'};
    static const uint8_t two[] = {0x30, 0x18, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55,
                                  0x04, 0x0a, 0x13, 0x01, 'a',  0x31, 0x0a, 0x30, 0x08,
                                  0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, 'b'};
    const uint8_t *ders[] = {m1, m2, two};
    const size_t lens[] = {sizeof(m1), sizeof(m2), sizeof(two)};
    X509_NAME *d[3];
    uint64_t k[3];
    for (unsigned i = 0; i < 3; i++) {
        const unsigned char *p = ders[i];
        d[i] = d2i_X509_NAME(NULL, &p, (long)lens[i]);
        assert_non_null(d[i]);
        assert_true(bundleroots_name_key(ders[i], lens[i], &k[i]));
    }
    assert_int_equal(X509_NAME_cmp(d[0], d[1]), 0);
    assert_true(k[0] == k[1]);
    assert_int_not_equal(X509_NAME_cmp(d[0], d[2]), 0);
    assert_true(k[0] != k[2]);
    for (unsigned i = 0; i < 3; i++)
        X509_NAME_free(d[i]);

    /* malformed: no key (OpenSSL refuses them too) */
    uint64_t x;
    static const uint8_t oddbmp[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06,
                                     0x03, 0x55, 0x04, 0x03, 0x1e, 0x01, 'a'};
    assert_false(bundleroots_name_key(oddbmp, sizeof(oddbmp), &x)); /* half a character */
    static const uint8_t badutf8[] = {0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03,
                                      0x55, 0x04, 0x03, 0x0c, 0x03, 0xc0, 0x80, 'a'};
    assert_false(bundleroots_name_key(badutf8, sizeof(badutf8), &x)); /* overlong NUL */
    assert_false(bundleroots_name_key(two, sizeof(two) - 1, &x));     /* cut short */
}

/* A bundle whose root's subject is O=Lab Trust AB, CN=Lab Root as
 * PrintableStrings: an intermediate naming its issuer o=lab  trust ab,
 * cn=LAB ROOT as UTF8Strings is issued by a root of the bundle. A root
 * whose issuer is its subject in other case and type is a root too. */
static void
test_roots_other_encoding(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509_NAME *rs = name2((struct val)V(PRINTABLESTRING, "Lab Trust AB"),
                          (struct val)V(PRINTABLESTRING, "Lab Root")),
              *ci = name2((struct val)V(UTF8STRING, "lab  trust ab"),
                          (struct val)V(UTF8STRING, "LAB ROOT ")),
              *cs = name2((struct val)V(UTF8STRING, "Lab Trust AB"),
                          (struct val)V(UTF8STRING, "Lab Issuing CA")),
              *r2s = name2((struct val)V(PRINTABLESTRING, "Other Trust"),
                           (struct val)V(PRINTABLESTRING, "Other Root")),
              *r2i = name2((struct val)V(UTF8STRING, "other trust"),
                           (struct val)V(BMPSTRING, "\0o\0t\0h\0e\0r\0 \0r\0o\0o\0t"));
    const char *ca = "critical,keyCertSign,cRLSign";
    X509 *root = tu_make_cert_named(rs, rs, key, true, ca, 1700000000, 2000000000, NULL),
         *inter = tu_make_cert_named(cs, ci, key, true, ca, 1700000000, 2000000000, NULL),
         *root2 = tu_make_cert_named(r2s, r2i, key, true, ca, 1700000000, 2000000000, NULL);
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(inter), X509_get_subject_name(root)), 0);
    assert_int_equal(X509_check_issued(root, inter), X509_V_OK); /* as the store finds it */
    assert_int_equal(X509_self_signed(root2, 0), 1);             /* a root for OpenSSL */

    char path[] = "/tmp/smtptap-test-bundle-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    X509 *all[] = {root, inter, root2};
    for (unsigned i = 0; i < 3; i++) {
        uint8_t *der;
        size_t n = der_of(all[i], &der);
        block(f, "CERTIFICATE", der, n, 64, "\n");
        OPENSSL_free(der);
    }
    assert_int_equal(fclose(f), 0);
    assert_true(bundleroots_load(path));
    unlink(path);
    assert_int_equal(bundleroots_count(), 2); /* root and root2, not the intermediate */

    const unsigned char *der = NULL;
    size_t len = 0;
    assert_int_equal(X509_NAME_get0_der(X509_get_issuer_name(inter), &der, &len), 1);
    assert_true(bundleroots_has(der, len));
    assert_false(has(inter));
    assert_true(has(root2));
    bundleroots_reset();

    X509_free(root);
    X509_free(inter);
    X509_free(root2);
    X509_NAME_free(rs);
    X509_NAME_free(ci);
    X509_NAME_free(cs);
    X509_NAME_free(r2s);
    X509_NAME_free(r2i);
    EVP_PKEY_free(key);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_name_keys),
        cmocka_unit_test(test_roots_other_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
