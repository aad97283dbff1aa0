/* \summary: unit tests for src/x509_decode.c: certificates decoded the fast
 * way (OpenSSL's legacy key decoder) carry the same key, verify and fail to
 * verify exactly as with plain d2i_X509, and nothing stays registered. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tu_file.h"
#include "x509_decode.h"
#if XD_HAVE_ENGINE
#include <openssl/engine.h>
#endif

#define CERT(n) SRCDIR "/tests/data/certs/" n

static X509 *
plain(const uint8_t *der, size_t n)
{
    const unsigned char *p = der;
    return d2i_X509(NULL, &p, (long)n);
}

/* The public key, re-encoded as SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
static int
spki(X509 *x, unsigned char **out)
{
    *out = NULL;
    return i2d_PUBKEY(X509_get0_pubkey(x), out);
}

/* RSA (leaf, weakkey) and EC P-256 (wildcard): same type, size, curve and
 * key bytes both ways; the fast one did not go through the providers. */
static void
test_same_key(void **state)
{
    (void)state;
    const char *files[] = {CERT("leaf.der"), CERT("wildcard.der"), CERT("weakkey.der"),
                           CERT("root.der")};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t n;
        uint8_t *der = tu_read_file(files[i], &n);
        int trailing = -1;
        X509 *a = x509_decode(der, n, &trailing);
        X509 *b = plain(der, n);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(trailing, 0);
        EVP_PKEY *ka = X509_get0_pubkey(a), *kb = X509_get0_pubkey(b);
        assert_non_null(ka);
        assert_int_equal(EVP_PKEY_get_base_id(ka), EVP_PKEY_get_base_id(kb));
        assert_int_equal(EVP_PKEY_get_bits(ka), EVP_PKEY_get_bits(kb));
#if XD_HAVE_ENGINE
        assert_null(EVP_PKEY_get0_provider(ka)); /* legacy: the decoders were skipped */
#endif
        if (EVP_PKEY_get_base_id(ka) == EVP_PKEY_EC) {
            char ga[32] = "", gb[32] = "";
            size_t l;
            assert_int_equal(
                EVP_PKEY_get_utf8_string_param(ka, OSSL_PKEY_PARAM_GROUP_NAME, ga, sizeof(ga), &l),
                1);
            assert_int_equal(
                EVP_PKEY_get_utf8_string_param(kb, OSSL_PKEY_PARAM_GROUP_NAME, gb, sizeof(gb), &l),
                1);
            assert_string_equal(ga, gb);
        }
        unsigned char *sa, *sb;
        int la = spki(a, &sa), lb = spki(b, &sb);
        assert_true(la > 0);
        assert_int_equal(la, lb);
        assert_memory_equal(sa, sb, (size_t)la);
        OPENSSL_free(sa);
        OPENSSL_free(sb);
        X509_free(a);
        X509_free(b);
        free(der);
    }
}

/* RFC 5280 §6.1.3 (a)(1): a signature checked with a fast-decoded issuer key
 * verifies, and one byte changed in the signed certificate does not. */
static void
test_verify_with_fast_key(void **state)
{
    (void)state;
    size_t nl, ni;
    uint8_t *leaf = tu_read_file(CERT("leaf.der"), &nl);
    uint8_t *inter = tu_read_file(CERT("inter.der"), &ni);
    int t;
    X509 *issuer = x509_decode(inter, ni, &t);
    X509 *good = x509_decode(leaf, nl, &t);
    assert_non_null(issuer);
    assert_non_null(good);
    assert_int_equal(X509_verify(good, X509_get0_pubkey(issuer)), 1);
    leaf[nl - 5] ^= 0x01; /* inside the signature value */
    X509 *bad = x509_decode(leaf, nl, &t);
    assert_non_null(bad);
    assert_true(X509_verify(bad, X509_get0_pubkey(issuer)) <= 0);
    X509_free(bad);
    X509_free(good);
    X509_free(issuer);
    free(leaf);
    free(inter);
}

/* Outside a decode nothing is registered: other operations use providers. */
static void
test_scoped(void **state)
{
    (void)state;
#if XD_HAVE_ENGINE
    size_t n;
    uint8_t *der = tu_read_file(CERT("leaf.der"), &n);
    int t;
    X509_free(x509_decode(der, n, &t));
    assert_null(ENGINE_get_pkey_meth_engine(NID_rsaEncryption));
    x509_decode_begin();
    x509_decode_begin();
    x509_decode_end();
    ENGINE *e = ENGINE_get_pkey_meth_engine(NID_rsaEncryption);
    assert_non_null(e); /* still inside the outer bracket */
    ENGINE_finish(e);
    x509_decode_end();
    assert_null(ENGINE_get_pkey_meth_engine(NID_X9_62_id_ecPublicKey));
    free(der);
#endif
}

/* Bad input: garbage, an empty buffer, bytes after the certificate. */
static void
test_bad_input(void **state)
{
    (void)state;
    size_t n;
    int t = -1;
    uint8_t *g = tu_read_file(CERT("garbage.der"), &n);
    assert_null(x509_decode(g, n, &t));
    assert_int_equal(t, 0);
    assert_null(x509_decode(g, 0, &t));
    free(g);
    uint8_t *tr = tu_read_file(CERT("trailing.der"), &n);
    assert_null(x509_decode(tr, n, &t));
    assert_int_equal(t, 1);
    free(tr);
}

static int
teardown(void **state)
{
    (void)state;
    x509_decode_shutdown();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_key),
        cmocka_unit_test(test_verify_with_fast_key),
        cmocka_unit_test(test_scoped),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
