/* \summary: unit tests for src/ocsp.c under the memcap: a stapled OCSP
 * response judged while an allocation was refused (the decoding, the
 * leaf's CertID, the issuer's lookup, the signature's check) is not
 * judged (error "no_memory", problem none: no ocsp_staple_invalid about a
 * good staple) and not remembered, so the next session with it is judged
 * again and gets its real verdict. A binary of its own because OpenSSL's
 * allocations are charged to the memcap here (mem_openssl_hook, as
 * main.c does), as in test_verify_oom. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "mem.h"
#include "mem_openssl.h"
#include "ocsp.h"
#include "tu_certs.h"

static const int64_t T0 = 1795478400; /* 2026-11-24T00:00:00Z */

/* For k = 1, 2, ...: the k-th allocation of a judgement is refused. A
 * judgement that met a refusal says "no_memory" and no problem; the next
 * one is decoded again (not from the memo) and is good. */
static void
test_refused_allocation(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    time_t nb = (time_t)(T0 - 86400 * 300), na = (time_t)(T0 + 86400 * 300);
    X509 *ca = tu_make_cert("OCSP Test CA", "OCSP Test CA", key, true,
                            "critical,keyCertSign,cRLSign", nb, na, NULL);
    X509 *leaf = tu_make_cert("mail.example.test", "OCSP Test CA", key, false,
                              "critical,digitalSignature", nb, na, NULL);
    uint32_t chain[2] = {tu_cert_add_x509(leaf), tu_cert_add_x509(ca)};
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), leaf, ca);
    ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)(T0 - 3600));
    ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)(T0 + 86400));
    assert_non_null(OCSP_basic_add1_status(bs, id, V_OCSP_CERTSTATUS_GOOD, -1, NULL, tu, nu));
    assert_int_equal(OCSP_basic_sign(bs, ca, key, EVP_sha256(), NULL, OCSP_NOCERTS), 1);
    OCSP_RESPONSE *r = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    unsigned char *der = NULL;
    int n = i2d_OCSP_RESPONSE(r, &der);
    assert_true(n > 0);
    struct ocsp_verdict v;
    /* OpenSSL's lazily built state (digests, the store), outside the loop */
    ocsp_judge(der, (size_t)n, chain, 2, T0, &v);
    assert_int_equal(v.problem, OCSP_PB_NONE);
    assert_true(ocsp_judged(&v));
    unsigned refused = 0, clean = 0;
    for (uint64_t k = 1; k <= 2000 && clean < 3; k++) {
        ocsp_fini(); /* a judgement of its own each time, never from the memo */
        ocsp_init(8);
        uint64_t hits = mem_cap_hits(), d0, h0, d1, h1;
        mem_fail_after(k);
        ocsp_judge(der, (size_t)n, chain, 2, T0, &v);
        mem_fail_after(0);
        bool hit_cap = mem_cap_hits() != hits;
        assert_true(v.present);
        assert_int_equal(v.problem, OCSP_PB_NONE); /* never a finding made by the memcap */
        ocsp_counters(&d0, &h0);
        struct ocsp_verdict w;
        ocsp_judge(der, (size_t)n, chain, 2, T0, &w);
        ocsp_counters(&d1, &h1);
        assert_int_equal(w.problem, OCSP_PB_NONE);
        assert_true(ocsp_judged(&w));
        assert_int_equal(w.matches_leaf, 1);
        assert_int_equal(w.signature, OCSP_SIG_ISSUER);
        if (v.error != NULL) {
            assert_string_equal(v.error, "no_memory");
            assert_false(ocsp_judged(&v));
        } else { /* no refusal, or only the memo's own slot refused */
            assert_int_equal(v.matches_leaf, 1);
            assert_int_equal(v.signature, OCSP_SIG_ISSUER);
        }
        if (hit_cap) {
            refused++;
            assert_int_equal(d1 - d0, 1); /* judged again, not the refused one's verdict */
        } else {
            clean++;
            assert_null(v.error);
            assert_int_equal(h1 - h0, 1);
        }
    }
    assert_true(refused >= 10); /* the refusals reached into the judgement */
    assert_int_equal(clean, 3);
    OPENSSL_free(der);
    OCSP_RESPONSE_free(r);
    OCSP_BASICRESP_free(bs);
    OCSP_CERTID_free(id);
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(key);
}

int
main(void)
{
    mem_init(256u << 20);
    if (mem_openssl_hook() != 0)
        return 1;
    certcache_init(100);
    ocsp_init(8);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_allocation),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ocsp_fini();
    certcache_free();
    return rc;
}
