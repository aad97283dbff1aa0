/* \summary: unit tests for an issuer that was neither sent nor found in the
 * trust store (src/verify.c verify_issuer_evidence, OpenSSL's "unable to get
 * local issuer certificate" at any depth): a root the store lacks or an
 * intermediate the server did not send, which the wire alone does not tell
 * apart (RFC 5246 §7.4.2, RFC 8446 §4.4.2 let a server omit the root). It is
 * an untrusted root only where a root of that name is known: in the store
 * with another key (a re-keyed root), or in the system bundle that the store
 * leaves out (--no-system-ca); else a missing issuer, named, that may be
 * either (missing_intermediate). The three-tier PKI of
 * pcaps/diag/three-tier.pcap (pcaps/diag/certs/three-tier-*.pem): Lab Root
 * CA -> Lab Policy CA -> Lab Issuing CA -> leaves. A root of the bundle is
 * known by its name as OpenSSL compares names, whatever its encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "config.h"
#include "diagnose.h"
#include "mem.h"
#include "tu_certs.h"
#include "verify.h"

#define DIAG(n) SRCDIR "/pcaps/diag/certs/" n
#define CERT(n) SRCDIR "/tests/data/certs/" n

static const int64_t T2026 = 1795478400; /* 2026-11-24T00:00:00Z: the leaves are valid */

static struct config cfg;

/* Verification with the trust store --ca-file ca (NULL: none), the system
 * bundle (SSL_CERT_FILE) bundle, in the store or apart from it. */
static void
start(const char *ca, const char *bundle, bool no_system_ca)
{
    config_defaults(&cfg);
    cfg.no_system_ca = no_system_ca;
    cfg.n_ca_files = 0;
    if (ca)
        cfg.ca_files[cfg.n_ca_files++] = ca;
    assert_int_equal(setenv("SSL_CERT_FILE", bundle, 1), 0);
    char err[256];
    if (diagnose_init(&cfg, err, sizeof(err)) != 0)
        fail_msg("diagnose_init: %s", err);
}

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    certcache_init(100);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    certcache_free();
    unsetenv("SSL_CERT_FILE");
    assert_int_equal(mem_in_use(), 0);
    return 0;
}

enum { MAIL_2 = 2, RELAY_3 = 3 }; /* the two chains of three-tier.pcap, by length */

/* mail.example.test with the issuing CA (the policy CA omitted), or
 * relay.example.test with the issuing and the policy CA (the root
 * omitted), verified at T2026. */
static void
tier3(unsigned which, struct verify_result *r)
{
    uint32_t ids[3] = {tu_cert_add_pem(which == MAIL_2 ? DIAG("leaf-three-tier-mail.pem")
                                                       : DIAG("leaf-three-tier-relay.pem")),
                       tu_cert_add_pem(DIAG("three-tier-issuing-ca.pem")),
                       tu_cert_add_pem(DIAG("three-tier-policy-ca.pem"))};
    memset(r, 0xff, sizeof(*r)); /* verify_chain must set every field */
    verify_chain(ids, which, T2026, VERIFY_SERVER, r);
}

static void
assert_missing(const struct verify_result *r, enum verify_issuer how, const char *issuer)
{
    assert_int_equal(r->first_error, 20); /* unable to get local issuer certificate */
    assert_int_equal(r->issuer_missing, how);
    assert_int_equal(r->untrusted_root, how != VERIFY_ISSUER_UNKNOWN);
    assert_int_equal(r->missing_intermediate, how == VERIFY_ISSUER_UNKNOWN);
    assert_string_equal(r->root_subject, issuer);
}

#define POLICY "CN=smtptap Lab Policy CA,O=smtptap test"
#define ROOT   "CN=smtptap Lab Root CA,O=smtptap test"

/* The review's case: the root is trusted, the server omits the policy CA in
 * the middle. Not an untrusted root naming the policy CA: a missing issuer,
 * whatever the bundle apart from the store holds (not that name). The same
 * server sending the policy CA too verifies. */
static void
test_middle_intermediate_missing(void **state)
{
    (void)state;
    start(DIAG("three-tier-root.pem"), DIAG("three-tier-root.pem"), true);
    struct verify_result r;
    tier3(MAIL_2, &r);
    assert_missing(&r, VERIFY_ISSUER_UNKNOWN, POLICY);
    tier3(RELAY_3, &r);
    assert_int_equal(r.first_error, 0);
    assert_int_equal(r.issuer_missing, VERIFY_ISSUER_FOUND);
    assert_false(r.untrusted_root || r.missing_intermediate);
    assert_string_equal(r.root_subject, "");

    /* the session's diagnosis: no untrusted root claimed, the issuer named */
    uint32_t ids[2] = {tu_cert_add_pem(DIAG("leaf-three-tier-mail.pem")),
                       tu_cert_add_pem(DIAG("three-tier-issuing-ca.pem"))};
    struct session_facts facts;
    uint8_t sni[] = "mail.example.test";
    tu_chain_facts(&facts, ids, 2, sni);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.ts_us = T2026 * 1000000;
    rec.facts = &facts;
    struct diagnosis dg;
    diagnose_session(&rec, NULL, 0, &dg);
    assert_true(dg.missing_intermediate);
    assert_false(dg.untrusted_root);
    assert_string_equal(dg.untrusted_root_subject, "");
    assert_string_equal(dg.missing_issuer_subject, POLICY);
    assert_null(diagnose_root_evidence(dg.missing_issuer));
    /* a chain not built up to a root: Windows' PartialChain, not UntrustedRoot */
    assert_string_equal(diagnose_exchange_status(&dg), "PartialChain");
    diagnose_fini();
}

/* The root not sent and not in the store, with nothing to show it is a root
 * (an empty bundle apart from the store): said as a missing issuer that may
 * be a root, never as the root. */
static void
test_root_missing_no_evidence(void **state)
{
    (void)state;
    start(CERT("oroot.pem"), "/nonexistent/smtptap-bundle.pem", true);
    struct verify_result r;
    tier3(RELAY_3, &r);
    assert_missing(&r, VERIFY_ISSUER_UNKNOWN, ROOT);
    diagnose_fini();
}

/* The system bundle, apart from the store (--no-system-ca), holds the root:
 * it is a root, and the store lacks it (case 1); the policy CA is still a
 * missing issuer of unknown kind. With the bundle in the store the chain
 * verifies. */
static void
test_root_in_bundle_apart(void **state)
{
    (void)state;
    start(CERT("oroot.pem"), DIAG("three-tier-root.pem"), true);
    struct verify_result r;
    tier3(RELAY_3, &r);
    assert_missing(&r, VERIFY_ISSUER_ROOT_BUNDLE, ROOT);
    tier3(MAIL_2, &r);
    assert_missing(&r, VERIFY_ISSUER_UNKNOWN, POLICY);
    diagnose_fini();

    start(CERT("oroot.pem"), DIAG("three-tier-root.pem"), false);
    tier3(RELAY_3, &r);
    assert_int_equal(r.first_error, 0);
    diagnose_fini();
}

/* The store holds a root of that name with another key (the root before a
 * re-key): the missing issuer is a root, and the store has not that one. */
static void
test_root_same_name_other_key(void **state)
{
    (void)state;
    start(DIAG("three-tier-old-root.pem"), "/nonexistent/smtptap-bundle.pem", true);
    struct verify_result r;
    tier3(RELAY_3, &r);
    assert_missing(&r, VERIFY_ISSUER_ROOT_SAME_NAME, ROOT);
    tier3(MAIL_2, &r);
    assert_missing(&r, VERIFY_ISSUER_UNKNOWN, POLICY);
    diagnose_fini();
}

/* The leaf's own issuer, a root of the bundle apart from the store: an
 * untrusted root at depth 0 too (here a CA certificate sent alone, which
 * is also of the wrong purpose for a server). Its issuer unknown anywhere:
 * a missing issuer, as for any leaf sent without its intermediate. */
static void
test_depth_zero(void **state)
{
    (void)state;
    start(DIAG("three-tier-root.pem"), CERT("oroot.pem"), true);
    struct verify_result r;
    uint32_t ointer = tu_cert_add(CERT("ointer.der")), oleaf = tu_cert_add(CERT("oleaf.der"));
    verify_chain(&ointer, 1, 1748736000 /* 2025-06-01 */, VERIFY_SERVER, &r);
    assert_int_equal(r.issuer_missing, VERIFY_ISSUER_ROOT_BUNDLE);
    assert_true(r.untrusted_root);
    assert_false(r.missing_intermediate);
    assert_non_null(strstr(r.root_subject, "CN=Other Root"));
    verify_chain(&oleaf, 1, 1748736000, VERIFY_SERVER, &r);
    assert_int_equal(r.issuer_missing, VERIFY_ISSUER_UNKNOWN);
    assert_true(r.missing_intermediate);
    assert_false(r.untrusted_root);
    diagnose_fini();
}

/* The name O=o, CN=cn, both values of the string type given. */
static X509_NAME *
name2(int type, const char *o, const char *cn)
{
    X509_NAME *nm = X509_NAME_new();
    assert_non_null(nm);
    assert_int_equal(X509_NAME_add_entry_by_txt(nm, "O", type, (const unsigned char *)o, -1, -1, 0),
                     1);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(nm, "CN", type, (const unsigned char *)cn, -1, -1, 0), 1);
    return nm;
}

/* The bundle apart from the store holds a root whose subject is written as
 * PrintableStrings; the CA certificate sent names its issuer as
 * UTF8Strings in other case and spacing, the same name for OpenSSL
 * (X509_NAME_cmp, as the store finds issuers): that root is known, an
 * untrusted root (before: a missing issuer of unknown kind). */
static void
test_root_in_bundle_other_encoding(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509_NAME *rs = name2(V_ASN1_PRINTABLESTRING, "Lab Trust AB", "Lab Enc Root"),
              *ci = name2(V_ASN1_UTF8STRING, "lab trust  ab", " LAB ENC ROOT"),
              *cs = name2(V_ASN1_UTF8STRING, "Lab Trust AB", "Lab Enc CA");
    const char *ca = "critical,keyCertSign,cRLSign";
    X509 *root = tu_make_cert_named(rs, rs, key, true, ca, 1700000000, 2000000000, NULL),
         *inter = tu_make_cert_named(cs, ci, key, true, ca, 1700000000, 2000000000, NULL);
    char path[] = "/tmp/smtptap-test-bundle-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, root), 1);
    assert_int_equal(fclose(f), 0);

    start(CERT("oroot.pem"), path, true);
    uint32_t id = tu_cert_add_x509(inter);
    struct verify_result r;
    verify_chain(&id, 1, T2026, VERIFY_SERVER, &r);
    assert_int_equal(r.first_error, 20);
    assert_int_equal(r.issuer_missing, VERIFY_ISSUER_ROOT_BUNDLE);
    assert_true(r.untrusted_root);
    assert_false(r.missing_intermediate);
    diagnose_fini();
    unlink(path);

    X509_free(root);
    X509_free(inter);
    X509_NAME_free(rs);
    X509_NAME_free(ci);
    X509_NAME_free(cs);
    EVP_PKEY_free(key);
}

/* A root sent but not trusted stays what it was: no issuer missing. */
static void
test_root_sent(void **state)
{
    (void)state;
    start(DIAG("three-tier-root.pem"), "/nonexistent/smtptap-bundle.pem", true);
    struct verify_result r;
    uint32_t ids[3] = {tu_cert_add(CERT("oleaf.der")), tu_cert_add(CERT("ointer.der")),
                       tu_cert_add(CERT("oroot.der"))};
    verify_chain(ids, 3, 1748736000, VERIFY_SERVER, &r);
    assert_int_equal(r.first_error, 19); /* self-signed certificate in certificate chain */
    assert_int_equal(r.issuer_missing, VERIFY_ISSUER_FOUND);
    assert_true(r.untrusted_root);
    assert_false(r.missing_intermediate);
    assert_non_null(strstr(r.root_subject, "CN=Other Root"));
    diagnose_fini();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_middle_intermediate_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_missing_no_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_in_bundle_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_same_name_other_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_in_bundle_other_encoding, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
