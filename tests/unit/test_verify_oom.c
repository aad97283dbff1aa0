/* \summary: unit tests for chain verification and the name check under the
 * memcap (src/verify.c, src/diagnose.c): a result made while an allocation
 * was refused is used once and not remembered, so a later session with the
 * same chain is verified again and gets the chain's real verdict, and a
 * name check that could not decode the SAN list claims no mismatch; OpenSSL
 * survives a refused allocation at every point. A binary of its own
 * because OpenSSL's allocations are charged to the memcap here
 * (mem_openssl_hook, as main.c does), which the other verification tests
 * leave out so that they can require every byte back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "certcache.h"
#include "config.h"
#include "diagnose.h"
#include "mem.h"
#include "mem_openssl.h"
#include "namememo.h"
#include "tu_certs.h"
#include "tu_file.h"
#include "verify.h"

#define CERT(n) SRCDIR "/tests/data/certs/" n

static const int64_t T2025 = 1748736000; /* 2025-06-01T00:00:00Z */

/* For k = 1, 2, ...: the k-th allocation from the start of a verification
 * is refused (each time in a new hour, so never a cache hit). When a
 * refusal happened, the next verification of that chain and hour runs
 * again and is right; when none did (k past the verification's last
 * allocation), it is served from the cache. */
static void
test_refused_allocation_not_remembered(void **state)
{
    (void)state;
    uint32_t ids[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    struct verify_result r;
    /* OpenSSL's lazily built state, outside the loop */
    verify_chain(ids, 2, T2025, VERIFY_SERVER, &r);
    assert_int_equal(r.first_error, 0);
    unsigned refused = 0, clean = 0;
    for (uint64_t k = 1; k <= 400 && clean < 3; k++) {
        int64_t at = T2025 + (int64_t)k * 7200;
        uint64_t c0, h0, c1, h1, hits = mem_cap_hits();
        mem_fail_after(k);
        verify_chain(ids, 2, at, VERIFY_SERVER, &r);
        mem_fail_after(0);
        bool hit_cap = mem_cap_hits() != hits;
        verify_counters(&c0, &h0);
        verify_chain(ids, 2, at, VERIFY_SERVER, &r);
        verify_counters(&c1, &h1);
        assert_int_equal(r.first_error, 0);
        if (hit_cap) {
            refused++;
            assert_int_equal(c1 - c0, 1); /* verified again, not the refused run's result */
            assert_int_equal(h1 - h0, 0);
        } else {
            clean++;
            assert_int_equal(c1 - c0, 0);
            assert_int_equal(h1 - h0, 1);
        }
    }
    assert_true(refused >= 10); /* the refusals reached into the verification */
    assert_int_equal(clean, 3);
}

/* The same for the name check: the k-th allocation of a session's
 * diagnosis refused (the chain's verification is a cache hit by then, so
 * the refusals land in the SAN list's decoding); no mismatch is claimed
 * for the certificate's own name, and a check that met a refusal is not
 * remembered. */
static void
test_refused_allocation_no_mismatch(void **state)
{
    (void)state;
    uint32_t ids[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    const struct cert_entry *leaf = certcache_get(ids[0]);
    struct session_facts facts;
    uint8_t sni[] = "mail.example.com";
    tu_chain_facts(&facts, ids, 2, sni);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.ts_us = T2025 * 1000000;
    rec.facts = &facts;
    struct diagnosis dg;
    diagnose_session(&rec, NULL, 0, &dg); /* the chain's result cached */
    assert_true(dg.certificate_ok);
    unsigned refused = 0, clean = 0;
    for (uint64_t k = 1; k <= 200 && clean < 3; k++) {
        namememo_fini(); /* the name unchecked again */
        namememo_init();
        uint64_t hits = mem_cap_hits();
        mem_fail_after(k);
        diagnose_session(&rec, NULL, 0, &dg);
        mem_fail_after(0);
        assert_false(dg.name_mismatch);
        int memo = namememo_get(ids[0], leaf->sha256, "mail.example.com");
        if (mem_cap_hits() != hits) {
            refused++;
            assert_int_equal(memo, -1);
        } else {
            clean++;
            assert_int_equal(memo, 1);
        }
    }
    assert_true(refused >= 3);
    assert_int_equal(clean, 3);
}

/* A certificate whose decode or fields met a refused allocation says so
 * ("not decoded: memcap reached", counted as a parse error) and is decoded
 * when it is sent again (one whose entry or digests could not be made is
 * not kept at all): for k = 1, 2, ... the k-th allocation of
 * a new certificate's entry is refused, then the same DER is added again.
 * Without a refusal, the entry is right the first time. */
static void
test_refused_decode_retried(void **state)
{
    (void)state;
    certcache_free();
    certcache_init(1000);
    size_t n;
    uint8_t *leaf = tu_read_file(CERT("leaf.der"), &n);
    unsigned refused = 0, clean = 0;
    for (uint32_t k = 1; k <= 800 && clean < 3; k++) {
        memcpy(leaf + n - 4, &k, 4); /* a new DER each time: the signature's last bytes */
        uint8_t want[32], want1[20];
        unsigned int dl = 0;
        assert_int_equal(EVP_Digest(leaf, n, want, &dl, EVP_sha256(), NULL), 1);
        assert_int_equal(EVP_Digest(leaf, n, want1, &dl, EVP_sha1(), NULL), 1);
        uint32_t errs = certcache_parse_errors(), count = certcache_count();
        mem_fail_after(k);
        uint32_t id = certcache_add(leaf, n);
        mem_fail_after(0);
        if (id == 0) { /* the entry or its digests could not be made: nothing kept */
            assert_int_equal(certcache_count(), count);
            refused++;
            continue;
        }
        const struct cert_entry *e = certcache_get(id);
        if (e->refused) {
            refused++;
            assert_string_equal(e->info.parse_error, "not decoded: memcap reached");
            assert_int_equal(certcache_parse_errors(), errs + 1);
            assert_int_equal(certcache_add(leaf, n), id); /* sent again */
        } else {
            clean++;
        }
        assert_false(e->refused);
        assert_null(e->info.parse_error);
        assert_string_equal(e->info.subject_cn, "mail.example.com");
        assert_memory_equal(e->sha256, want, 32);
        assert_memory_equal(e->sha1, want1, 20);
        assert_int_equal(certcache_parse_errors(), errs);
    }
    assert_true(refused >= 3);
    assert_int_equal(clean, 3);
    free(leaf);
}

int
main(void)
{
    mem_init(256u << 20);
    if (mem_openssl_hook() != 0)
        return 1;
    struct config cfg;
    config_defaults(&cfg);
    cfg.no_system_ca = true;
    cfg.ca_files[0] = CERT("root.pem");
    cfg.n_ca_files = 1;
    certcache_init(100);
    char err[256];
    if (diagnose_init(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "diagnose_init: %s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_allocation_not_remembered),
        cmocka_unit_test(test_refused_allocation_no_mismatch),
        cmocka_unit_test(test_refused_decode_retried),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    diagnose_fini();
    certcache_free();
    return rc;
}
