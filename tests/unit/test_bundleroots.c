/* \summary: unit tests for the names of a PEM bundle's roots
 * (src/bundleroots.c): roots in each PEM label kept, an intermediate not,
 * line endings and blank lines ignored, damaged blocks (bad base64, a
 * certificate cut short, DER lengths that overrun, a long-form length of
 * five bytes, a block larger than the buffer) skipped without harm to the
 * blocks after them; a file that cannot be opened keeps none. */
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
