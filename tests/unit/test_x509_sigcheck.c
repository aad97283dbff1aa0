/* \summary: unit tests for src/x509_sigcheck.c: its answer is X509_verify's
 * for every pair of a fixture certificate (RSA and ECDSA, SHA-1 and SHA-256,
 * good, tampered in its signature or in its signed bytes, outer and inner
 * algorithms that differ) and a fixture key, with and without the DER at
 * hand; the kept contexts are used again, and stay right past the table's
 * size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tu_certs.h"
#include "tu_file.h"
#include "x509_sigcheck.h"

#define N_MAX 96

static struct {
    X509 *x[N_MAX];
    uint8_t *der[N_MAX];
    uint32_t len[N_MAX];
    unsigned n;
} fx;

/* Adds the certificate decoded from der[0..n) (taking der). */
static void
add_der(uint8_t *der, size_t n)
{
    assert_true(fx.n < N_MAX);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)n);
    assert_non_null(x);
    fx.x[fx.n] = x;
    fx.der[fx.n] = der;
    fx.len[fx.n++] = (uint32_t)n;
}

static void
add_x509(X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    uint8_t *copy = malloc((size_t)n);
    assert_non_null(copy);
    memcpy(copy, der, (size_t)n);
    OPENSSL_free(der);
    X509_free(x);
    add_der(copy, (size_t)n);
}

/* The fixture's DER: as is, its signature's last byte changed, a byte of
 * its subject's name changed (signed bytes), or its outer algorithm's OID
 * ending 0x0b (sha256WithRSAEncryption) made 0x0c (sha384...) so that it
 * differs from the inner one. */
enum change { AS_IS, SIG_BYTE, TBS_BYTE, OUTER_ALG };
static void
add_file(const char *name, enum change c)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    size_t n;
    uint8_t *der = tu_read_file(path, &n);
    assert_non_null(der);
    if (c == SIG_BYTE) {
        der[n - 1] ^= 0x01;
    } else if (c == TBS_BYTE) {
        der[n / 3] ^= 0x01; /* inside the tbsCertificate of these fixtures */
    } else if (c == OUTER_ALG) {
        static const uint8_t oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
        size_t last = 0;
        for (size_t i = 0; i + sizeof(oid) <= n; i++)
            if (memcmp(der + i, oid, sizeof(oid)) == 0)
                last = i;
        assert_true(last > 0);
        der[last + sizeof(oid) - 1] = 0x0c;
    }
    add_der(der, n);
}

static int
setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof(fx));
    static const char *const files[] = {
        "leaf",   "expired", "notyet",     "wildcard", "weakkey", "sha1",   "cnonly", "ncbad",
        "ncgood", "oleaf",   "selfsigned", "inter",    "ncinter", "ointer", "root",   "oroot"};
    for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        add_file(files[i], AS_IS);
    add_file("leaf", SIG_BYTE);
    add_file("inter", SIG_BYTE);
    add_file("leaf", TBS_BYTE);
    add_file("leaf", OUTER_ALG);
    /* ECDSA: a CA and a leaf signed with its P-256 key */
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    const time_t y2020 = 1577836800, y2040 = 2208988800;
    add_x509(tu_make_cert("EC CA", "EC CA", key, true, "critical,keyCertSign", y2020, y2040, NULL));
    add_x509(tu_make_cert("ec.example.com", "EC CA", key, false, "critical,digitalSignature", y2020,
                          y2040, NULL));
    EVP_PKEY_free(key);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    x509_sigcheck_chain(NULL, NULL, NULL, 0);
    x509_sigcheck_fini();
    for (unsigned i = 0; i < fx.n; i++) {
        X509_free(fx.x[i]);
        free(fx.der[i]);
    }
    memset(&fx, 0, sizeof(fx));
    return 0;
}

/* Every certificate under every fixture key: the same answer as
 * X509_verify. Returns how many pairs verified. */
static unsigned
all_pairs(void)
{
    unsigned good = 0;
    for (unsigned s = 0; s < fx.n; s++)
        for (unsigned k = 0; k < fx.n; k++) {
            EVP_PKEY *key = X509_get0_pubkey(fx.x[k]);
            assert_non_null(key);
            int want = X509_verify(fx.x[s], key) > 0;
            int got = x509_sigcheck(fx.x[s], key) > 0;
            if (want != got)
                fail_msg("certificate %u under key %u: %d, X509_verify %d", s, k, got, want);
            good += got;
            ERR_clear_error();
        }
    return good;
}

static void
test_same_as_x509_verify(void **state)
{
    (void)state;
    x509_sigcheck_chain(fx.x, (const uint8_t *const *)fx.der, fx.len, fx.n);
    unsigned good = all_pairs();
    uint64_t fast, made;
    x509_sigcheck_counters(&fast, &made);
    /* both outcomes; the kept contexts answered; one per (key, digest) */
    assert_true(good > 0 && good < fx.n * fx.n);
    assert_true(fast > 0 && made > 0 && made < fast);
    /* without the DER, X509_verify answers */
    x509_sigcheck_chain(NULL, NULL, NULL, 0);
    assert_int_equal(all_pairs(), good);
    uint64_t fast2, made2;
    x509_sigcheck_counters(&fast2, &made2);
    assert_int_equal(fast2, fast);
}

/* One key's context is made once and used for every later check. */
static void
test_kept(void **state)
{
    (void)state;
    x509_sigcheck_chain(fx.x, (const uint8_t *const *)fx.der, fx.len, fx.n);
    EVP_PKEY *inter = X509_get0_pubkey(fx.x[11]); /* "inter" */
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(x509_sigcheck(fx.x[0], inter), 1); /* "leaf" */
        assert_true(x509_sigcheck(fx.x[16], inter) <= 0);   /* its signature changed */
        ERR_clear_error();
    }
    uint64_t fast, made;
    x509_sigcheck_counters(&fast, &made);
    assert_int_equal(fast, 6);
    assert_int_equal(made, 1);
}

/* More keys than the table holds (64): contexts are replaced, answers stay
 * right, and each certificate verifies under its own key only. */
static void
test_past_the_table(void **state)
{
    (void)state;
    teardown(NULL);
    const time_t y2020 = 1577836800, y2040 = 2208988800;
    for (unsigned i = 0; i < 80; i++) {
        EVP_PKEY *key = EVP_EC_gen("P-256");
        assert_non_null(key);
        char cn[32];
        snprintf(cn, sizeof(cn), "ca%u.example", i);
        add_x509(tu_make_cert(cn, cn, key, true, "critical,keyCertSign", y2020, y2040, NULL));
        EVP_PKEY_free(key);
    }
    x509_sigcheck_chain(fx.x, (const uint8_t *const *)fx.der, fx.len, fx.n);
    for (int round = 0; round < 2; round++)
        assert_int_equal(all_pairs(), fx.n);
    uint64_t fast, made;
    x509_sigcheck_counters(&fast, &made);
    assert_int_equal(fast, 2u * fx.n * fx.n);
    assert_true(made > 64);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_as_x509_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_past_the_table, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
