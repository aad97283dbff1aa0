/* \summary: unit tests for weak_signature judged at the session's time
 * (verify.c verify_sig_weak_hash, verify_sha1_accepted_at; agg_retired.c
 * agg_weak_sig_headline): the digest named (MD5, SHA-1); a SHA-1
 * certificate issued before 2016-01-01 (the CA/Browser Forum's sunset) and
 * judged before 2017-01-01 (the browsers' distrust) was accepted then, its
 * finding low and worded so; issued later, judged later, or MD5, it is not:
 * medium, "reissue it with SHA-256". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "aggregate.h"
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "tu_agg.h"
#include "tu_text.h"
#include "verify.h"
#include "x509.h"

static struct config cfg;

static const int64_t T2014 = 1394740800;   /* 2014-03-13T20:00:00Z */
static const int64_t T2015_6 = 1433116800; /* 2015-06-01T00:00:00Z */

static struct x509_info
cert(const char *alg, int64_t not_before, bool self_signed)
{
    struct x509_info x;
    memset(&x, 0, sizeof(x));
    strcpy(x.sig_alg, alg);
    x.not_before = not_before;
    x.self_signed = self_signed;
    return x;
}

static void
test_hash_and_time(void **state)
{
    (void)state;
    struct x509_info sha1 = cert("sha1WithRSAEncryption", T2015_6, false);
    struct x509_info md5 = cert("md5WithRSAEncryption", T2015_6, false);
    struct x509_info ec1 = cert("ecdsa-with-SHA1", T2015_6, false);
    struct x509_info sha256 = cert("sha256WithRSAEncryption", T2015_6, false);
    struct x509_info root = cert("sha1WithRSAEncryption", T2015_6, true);
    assert_int_equal(verify_sig_weak_hash(&sha1), VERIFY_WEAK_SHA1);
    assert_int_equal(verify_sig_weak_hash(&ec1), VERIFY_WEAK_SHA1);
    assert_int_equal(verify_sig_weak_hash(&md5), VERIFY_WEAK_MD5);
    assert_int_equal(verify_sig_weak_hash(&sha256), 0);
    assert_int_equal(verify_sig_weak_hash(&root), 0); /* a root's own signature: not trust */
    assert_string_equal(verify_weak_hash_name(VERIFY_WEAK_SHA1), "SHA-1");
    assert_string_equal(verify_weak_hash_name(VERIFY_WEAK_MD5), "MD5");
    assert_string_equal(verify_weak_hash_name(VERIFY_WEAK_MD5 | VERIFY_WEAK_SHA1), "MD5 and SHA-1");
    assert_null(verify_weak_hash_name(0));
    /* accepted through 2016, not from 2017-01-01T00:00:00Z */
    assert_true(verify_sha1_accepted_at(&sha1, T2014));
    assert_true(verify_sha1_accepted_at(&sha1, VERIFY_SHA1_TRUSTED_UNTIL - 1));
    assert_false(verify_sha1_accepted_at(&sha1, VERIFY_SHA1_TRUSTED_UNTIL));
    /* issued from 2016-01-01 on: the Baseline Requirements forbade it */
    struct x509_info late = cert("sha1WithRSAEncryption", VERIFY_SHA1_ISSUED_UNTIL, false);
    assert_false(verify_sha1_accepted_at(&late, VERIFY_SHA1_ISSUED_UNTIL + 86400));
    late.not_before = VERIFY_SHA1_ISSUED_UNTIL - 1;
    assert_true(verify_sha1_accepted_at(&late, VERIFY_SHA1_ISSUED_UNTIL + 86400));
    /* MD5 never; nor a signature that is not weak */
    assert_false(verify_sha1_accepted_at(&md5, T2014));
    assert_false(verify_sha1_accepted_at(&sha256, T2014));
}

/* One session whose chain has weak signatures of hashes, accepted then or
 * not: the terminal report of its findings (free() it). */
static char *
report_of(unsigned hashes, bool then)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = true;
    f.tls.seen = true;
    f.tls.version = 0x0303;
    struct diagnosis dg;
    memset(&dg, 0, sizeof(dg));
    dg.verified = true;
    dg.certificate_ok = true;
    dg.weak_signature = true;
    dg.weak_signature_hashes = (uint8_t)hashes;
    dg.weak_signature_accepted_then = then;
    agg_session(tu_agg_record(&f, 1, 9, 25, 25), &dg);
    agg_finish();
    return tu_agg_text(NULL, NULL);
}

static void
test_finding(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    char *text = report_of(VERIFY_WEAK_SHA1, true);
    tu_has(text, "low      weak_signature");
    tu_has(text, "presented a certificate signed with SHA-1, which clients accepted at the "
                 "sessions' time (CAs issued SHA-1 TLS certificates until 2016-01-01, browsers "
                 "distrusted them in January 2017)");
    tu_lacks(text, "MD5");
    assert_int_equal(agg_max_severity(), SEV_LOW);
    free(text);
    tu_agg_stop();

    tu_agg_start(&cfg, NULL);
    text = report_of(VERIFY_WEAK_SHA1, false);
    tu_has(text, "medium   weak_signature");
    tu_has(text, "presented a certificate signed with SHA-1; reissue it with SHA-256");
    tu_lacks(text, "accepted at the sessions' time");
    free(text);
    tu_agg_stop();

    tu_agg_start(&cfg, NULL);
    text = report_of(VERIFY_WEAK_MD5, false);
    tu_has(text, "medium   weak_signature");
    tu_has(text, "presented a certificate signed with MD5; reissue it with SHA-256");
    tu_lacks(text, "SHA-1");
    free(text);
    tu_agg_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_time),
        cmocka_unit_test(test_finding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
