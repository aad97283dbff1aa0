/* \summary: unit tests for the signature pass (src/verify_sig.c): on every
 * chain that can be made of the fixture certificates (good, expired, not yet
 * valid, wrong issuer, tampered signatures, self-signed, constrained, a
 * second untrusted hierarchy), at several times and with the verification
 * flags that change the pass, the callback must see exactly what it sees
 * with OpenSSL's own pass: the same calls, errors, depths and certificates,
 * in the same order, and X509_verify_cert the same result, with every
 * certificate's DER at hand as verify.c gives it (x509_sigcheck.c's kept
 * contexts check the signatures). The memo must answer for repeated CA
 * signatures and never for a tampered one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "tu_certs.h"
#include "tu_file.h"
#include "verify_sig.h"
#include "x509_sigcheck.h"

static const time_t T2025 = 1748736000; /* 2025-06-01T00:00:00Z */

/* One callback call: ok, error, depth and which certificate. */
struct call {
    int ok, err, depth;
    const X509 *cert;
};

#define CALLS_MAX 64

static struct {
    struct call calls[CALLS_MAX];
    unsigned n;
} rec;

static int
record_cb(int ok, X509_STORE_CTX *ctx)
{
    if (rec.n < CALLS_MAX)
        rec.calls[rec.n++] =
            (struct call){ok, X509_STORE_CTX_get_error(ctx), X509_STORE_CTX_get_error_depth(ctx),
                          X509_STORE_CTX_get_current_cert(ctx)};
    return 1; /* keep going, as verify.c does */
}

/* The fixture certificate, or (tamper) the same with its signature's last
 * byte changed. */
static X509 *
load(const char *name, bool tamper)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    size_t n;
    uint8_t *der = tu_read_file(path, &n);
    if (tamper)
        der[n - 1] ^= 0x01;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)n);
    free(der);
    assert_non_null(x);
    return x;
}

enum {
    LEAF,
    EXPIRED,
    NOTYET,
    WILDCARD,
    WEAKKEY,
    SHA1LEAF,
    CNONLY,
    NCBAD,
    NCGOOD,
    OLEAF,
    SELFSIGNED,
    BADLEAF,
    KULEAF,
    EDGE_NA,
    EDGE_NB,
    GENTIME,
    SHORTTIME,
    BADMONTH,
    INTER,
    NCINTER,
    OINTER,
    BADINTER,
    KUCA,
    GENCA,
    ROOT,
    OROOT,
    NCERTS
};
/* NULL: made in setup. */
static const char *const names[NCERTS] = {
    [LEAF] = "leaf",         [EXPIRED] = "expired",       [NOTYET] = "notyet",
    [WILDCARD] = "wildcard", [WEAKKEY] = "weakkey",       [SHA1LEAF] = "sha1",
    [CNONLY] = "cnonly",     [NCBAD] = "ncbad",           [NCGOOD] = "ncgood",
    [OLEAF] = "oleaf",       [SELFSIGNED] = "selfsigned", [INTER] = "inter",
    [NCINTER] = "ncinter",   [OINTER] = "ointer",         [ROOT] = "root",
    [OROOT] = "oroot"};
static X509 *certs[NCERTS];
static uint8_t *ders[NCERTS]; /* each one's DER (i2d: the bytes it was decoded from) */
static uint32_t der_lens[NCERTS];

static X509_STORE *store;

static int
setup(void **state)
{
    (void)state;
    for (int i = 0; i < NCERTS; i++)
        certs[i] = names[i] ? load(names[i], false) : NULL;
    certs[BADLEAF] = load("leaf", true);
    certs[BADINTER] = load("inter", true);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    const time_t y2020 = 1577836800, y2040 = 2208988800;
    const char *sig = "critical,digitalSignature", *ca = "critical,keyCertSign,cRLSign";
    certs[KUCA] =
        tu_make_cert("No CertSign CA", "No CertSign CA", key, true, sig, y2020, y2040, NULL);
    certs[KULEAF] =
        tu_make_cert("ku.example.com", "No CertSign CA", key, false, sig, y2020, y2040, NULL);
    /* Validity edges under a CA that may sign: ending and starting exactly
     * at a verification time, a GeneralizedTime (2050 and later, RFC 5280
     * §4.1.2.5), a UTCTime without seconds and one with month 13. */
    certs[GENCA] = tu_make_cert("Gen CA", "Gen CA", key, true, ca, y2020, 2556144000, NULL);
    certs[EDGE_NA] = tu_make_cert("na.example.com", "Gen CA", key, false, sig, y2020, T2025, NULL);
    certs[EDGE_NB] = tu_make_cert("nb.example.com", "Gen CA", key, false, sig, T2025, y2040, NULL);
    certs[GENTIME] =
        tu_make_cert("gt.example.com", "Gen CA", key, false, sig, y2020, 2556144000, NULL);
    certs[SHORTTIME] =
        tu_make_cert("st.example.com", "Gen CA", key, false, sig, y2020, y2040, "3001010000Z");
    certs[BADMONTH] =
        tu_make_cert("bm.example.com", "Gen CA", key, false, sig, y2020, y2040, "301301000000Z");
    EVP_PKEY_free(key);
    for (int i = 0; i < NCERTS; i++) {
        unsigned char *d = NULL;
        int n = i2d_X509(certs[i], &d);
        assert_true(n > 0);
        ders[i] = d;
        der_lens[i] = (uint32_t)n;
    }
    store = X509_STORE_new();
    assert_non_null(store);
    assert_int_equal(X509_STORE_add_cert(store, certs[ROOT]), 1);
    assert_int_equal(X509_STORE_add_cert(store, certs[KUCA]), 1);
    assert_int_equal(X509_STORE_add_cert(store, certs[GENCA]), 1);
    verify_sig_init(true);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    verify_sig_fini();
    X509_STORE_free(store);
    for (int i = 0; i < NCERTS; i++) {
        X509_free(certs[i]);
        OPENSSL_free(ders[i]);
    }
    return 0;
}

/* Runs X509_verify_cert on (leaf, sent...) at t with flags, with this
 * pass (mine) or OpenSSL's; the calls are left in rec. */
static int
run(bool mine, int leaf, const int *sent, unsigned nsent, time_t t, unsigned long flags)
{
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    assert_non_null(untrusted);
    for (unsigned i = 0; i < nsent; i++)
        assert_true(sk_X509_push(untrusted, certs[sent[i]]) > 0);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(X509_STORE_CTX_init(ctx, store, certs[leaf], untrusted), 1);
    X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
    if (t) /* else the current time */
        X509_VERIFY_PARAM_set_time(p, t);
    X509_VERIFY_PARAM_set_flags(p, flags);
    X509_STORE_CTX_set_verify_cb(ctx, record_cb);
    if (mine) {
        verify_sig_attach(ctx);
        x509_sigcheck_chain(certs, (const uint8_t *const *)ders, der_lens, NCERTS);
    }
    rec.n = 0;
    int rc = X509_verify_cert(ctx);
    x509_sigcheck_chain(NULL, NULL, NULL, 0);
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    ERR_clear_error();
    return rc;
}

/* Both passes on one chain; the calls must be the same. Returns how many
 * calls reported an error. */
static unsigned
same(int leaf, const int *sent, unsigned nsent, time_t t, unsigned long flags)
{
    int rc_openssl = run(false, leaf, sent, nsent, t, flags);
    struct call want[CALLS_MAX];
    unsigned nwant = rec.n;
    assert_true(nwant < CALLS_MAX); /* none dropped */
    memcpy(want, rec.calls, sizeof(want));
    int rc_mine = run(true, leaf, sent, nsent, t, flags);
    bool differ = rc_mine != rc_openssl || rec.n != nwant;
    for (unsigned i = 0; !differ && i < nwant; i++) /* member by member: not the padding */
        differ = want[i].ok != rec.calls[i].ok || want[i].err != rec.calls[i].err ||
                 want[i].depth != rec.calls[i].depth || want[i].cert != rec.calls[i].cert;
    if (differ)
        fail_msg("certificate %d + %u sent, t=%lld, flags %lx: the calls differ (%u vs %u)", leaf,
                 nsent, (long long)t, flags, rec.n, nwant);
    unsigned errors = 0;
    for (unsigned i = 0; i < nwant; i++)
        errors += !want[i].ok;
    return errors;
}

static const time_t times[] = {
    1546300800,             /* 2019-01-01: before the root */
    1672531200,             /* 2023-01-01: leaves not yet valid */
    T2025,                  /* EDGE_NA's notAfter and EDGE_NB's notBefore */
    T2025 + 1,  2051222400, /* 2035-01-01: leaves expired */
    2240611200,             /* 2041-01-01: everything expired */
    2556144000,             /* 2051-01-01: GENTIME's notAfter */
    0,                      /* now (no time set) */
};
static const unsigned long flag_sets[] = {0, X509_V_FLAG_CHECK_SS_SIGNATURE,
                                          X509_V_FLAG_PARTIAL_CHAIN, X509_V_FLAG_X509_STRICT};

/* Every leaf-like certificate under every intermediate (none, right, wrong,
 * tampered), with and without a root sent. */
static void
test_same_as_openssl(void **state)
{
    (void)state;
    static const int leaves[] = {LEAF,   EXPIRED, NOTYET,  WILDCARD, WEAKKEY,    SHA1LEAF,
                                 CNONLY, NCBAD,   NCGOOD,  OLEAF,    SELFSIGNED, BADLEAF,
                                 KULEAF, EDGE_NA, EDGE_NB, GENTIME,  SHORTTIME,  BADMONTH,
                                 INTER,  ROOT,    KUCA};
    static const int inters[] = {-1, INTER, NCINTER, OINTER, BADINTER, KUCA, GENCA};
    static const int tops[] = {-1, ROOT, OROOT};
    unsigned chains = 0, failing = 0;
    for (unsigned l = 0; l < sizeof(leaves) / sizeof(leaves[0]); l++)
        for (unsigned i = 0; i < sizeof(inters) / sizeof(inters[0]); i++)
            for (unsigned r = 0; r < sizeof(tops) / sizeof(tops[0]); r++)
                for (unsigned t = 0; t < sizeof(times) / sizeof(times[0]); t++)
                    for (unsigned f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
                        int sent[2];
                        unsigned n = 0;
                        if (inters[i] >= 0)
                            sent[n++] = inters[i];
                        if (tops[r] >= 0)
                            sent[n++] = tops[r];
                        failing += same(leaves[l], sent, n, times[t], flag_sets[f]) > 0;
                        chains++;
                    }
    /* The set covers both outcomes, and the memo answered for some. */
    assert_true(failing > 0 && failing < chains);
    uint64_t checked, remembered, fast, made;
    verify_sig_counters(&checked, &remembered);
    assert_true(remembered > 0);
    x509_sigcheck_counters(&fast, &made);
    assert_true(fast > 0 && made > 0 && made < fast);
}

/* Two leaves under one intermediate: the second chain checks its own leaf's
 * signature and takes the intermediate's from the memo; a tampered
 * intermediate (another certificate) is checked, and fails. */
static void
test_memo(void **state)
{
    (void)state;
    const int sent[] = {INTER};
    uint64_t c0, r0, c1, r1;
    verify_sig_counters(&c0, &r0);
    assert_int_equal(run(true, LEAF, sent, 1, times[2], 0), 1);
    verify_sig_counters(&c1, &r1);
    assert_int_equal(c1 - c0, 2); /* leaf by inter, inter by root */
    assert_int_equal(r1 - r0, 0);
    assert_int_equal(run(true, WILDCARD, sent, 1, times[2], 0), 1);
    verify_sig_counters(&c0, &r0);
    assert_int_equal(c0 - c1, 1); /* the new leaf only */
    assert_int_equal(r0 - r1, 1);
    const int bad[] = {BADINTER};
    (void)run(true, LEAF, bad, 1, times[2], 0); /* the callback keeps going */
    bool signature_failure = false;
    for (unsigned i = 0; i < rec.n; i++)
        if (rec.calls[i].err == X509_V_ERR_CERT_SIGNATURE_FAILURE && rec.calls[i].depth == 1)
            signature_failure = true;
    assert_true(signature_failure);
    verify_sig_counters(&c1, &r1);
    assert_int_equal(r1 - r0, 0);
}

/* Switched off, the pass is OpenSSL's: nothing is counted. */
static void
test_off(void **state)
{
    (void)state;
    verify_sig_init(false);
    const int sent[] = {INTER};
    assert_int_equal(run(true, LEAF, sent, 1, times[2], 0), 1);
    uint64_t c, r;
    verify_sig_counters(&c, &r);
    assert_int_equal(c + r, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_as_openssl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_off, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
