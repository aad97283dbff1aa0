/* \summary: unit tests for the session verdict of a chain whose stapled
 * OCSP response (RFC 6960) says revoked (diagnose.c dg_revoked): Windows'
 * chain status Revoked among exchange_statuses, after DateInvalid and
 * before the others, and certificate_ok false; judged per session at its
 * time, so a good staple for the same leaf in another session, a renewed
 * leaf's good staple, a revoked answer not verified, and no staple at all
 * leave the chain Valid; a client's quit after it is put down to the
 * staple. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "config.h"
#include "diagnose.h"
#include "mem.h"
#include "ocsp.h"
#include "record.h"
#include "tu_certs.h"

static const int64_t T0 = 1795478400; /* 2026-11-24T00:00:00Z */

static struct config cfg;
static EVP_PKEY *key;
static X509 *ca, *leaf, *renewed;
static uint32_t chain[2], chain_renewed[2];
static char root_path[] = "/tmp/smtptap-revoked-XXXXXX";

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    certcache_init(100);
    assert_int_equal(ocsp_init(8), 0);
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    time_t nb = (time_t)(T0 - 86400 * 300), na = (time_t)(T0 + 86400 * 300);
    ca = tu_make_cert("Revoked Test CA", "Revoked Test CA", key, true,
                      "critical,keyCertSign,cRLSign", nb, na, NULL);
    const char *ku = "critical,digitalSignature";
    leaf = tu_make_cert("mail.example.test", "Revoked Test CA", key, false, ku, nb, na, NULL);
    renewed = tu_make_cert("mail.example.test", "Revoked Test CA", key, false, ku, nb, na, NULL);
    ASN1_INTEGER_set(X509_get_serialNumber(renewed), 7); /* a serial of its own */
    assert_true(X509_sign(renewed, key, EVP_sha256()) > 0);
    chain[0] = tu_cert_add_x509(leaf);
    chain_renewed[0] = tu_cert_add_x509(renewed);
    chain[1] = chain_renewed[1] = tu_cert_add_x509(ca);
    int fd = mkstemp(root_path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, ca), 1);
    assert_int_equal(fclose(f), 0);
    config_defaults(&cfg);
    cfg.no_system_ca = true;
    cfg.ca_files[0] = root_path;
    cfg.n_ca_files = 1;
    char err[256];
    if (diagnose_init(&cfg, err, sizeof(err)) != 0)
        fail_msg("diagnose_init: %s", err);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    unlink(root_path);
    diagnose_fini();
    ocsp_fini();
    X509_free(ca);
    X509_free(leaf);
    X509_free(renewed);
    EVP_PKEY_free(key);
    certcache_free();
    return 0;
}

/* A successful basic response for subject, status cs (V_OCSP_CERTSTATUS_*),
 * signed by the CA (signed_ok) or by a stranger. */
static struct tls_staple *
staple(X509 *subject, int cs, bool signed_ok)
{
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), subject, ca);
    ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)(T0 - 3600));
    ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)(T0 + 86400));
    ASN1_TIME *rt =
        cs == V_OCSP_CERTSTATUS_REVOKED ? ASN1_TIME_set(NULL, (time_t)(T0 - 7200)) : NULL;
    assert_non_null(
        OCSP_basic_add1_status(bs, id, cs, cs == V_OCSP_CERTSTATUS_REVOKED ? 1 : -1, rt, tu, nu));
    /* not the CA's: a stranger's self-signed certificate and key, sent along */
    EVP_PKEY *k = signed_ok ? key : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(k);
    time_t nb = (time_t)(T0 - 86400), na = (time_t)(T0 + 86400);
    X509 *signer = signed_ok ? ca
                             : tu_make_cert("Stranger", "Stranger", k, false,
                                            "critical,digitalSignature", nb, na, NULL);
    assert_int_equal(
        OCSP_basic_sign(bs, signer, k, EVP_sha256(), NULL, signed_ok ? OCSP_NOCERTS : 0), 1);
    if (!signed_ok) {
        X509_free(signer);
        EVP_PKEY_free(k);
    }
    OCSP_RESPONSE *r = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    unsigned char *der = NULL;
    int n = i2d_OCSP_RESPONSE(r, &der);
    assert_true(n > 0);
    struct tls_staple *s = malloc(sizeof(*s) + (size_t)n);
    assert_non_null(s);
    s->len = (uint32_t)n;
    s->too_large = false;
    memcpy(s->der, der, (size_t)n);
    OPENSSL_free(der);
    OCSP_RESPONSE_free(r);
    OCSP_BASICRESP_free(bs);
    OCSP_CERTID_free(id);
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
    ASN1_TIME_free(rt);
    return s;
}

/* The diagnosis of a session at T0 that sent ids (2) with staple s (NULL:
 * none stapled). */
static void
diag(const uint32_t *ids, struct tls_staple *s, struct diagnosis *dg)
{
    struct session_facts facts;
    uint8_t sni[] = "mail.example.test";
    tu_chain_facts(&facts, ids, 2, sni);
    facts.tls.version = 0x0303;
    facts.tls.handshake = TLS_HS_COMPLETE;
    facts.tls.ocsp_stapled = s ? TLS_OCSP_STAPLED : TLS_OCSP_NONE;
    facts.tls.ocsp = s;
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.ts_us = T0 * 1000000;
    rec.facts = &facts;
    diagnose_session(&rec, NULL, 0, dg);
    free(s);
}

static void
test_revoked_staple(void **state)
{
    (void)state;
    struct diagnosis dg;
    diag(chain, staple(leaf, V_OCSP_CERTSTATUS_REVOKED, true), &dg);
    assert_true(dg.verified);
    assert_int_equal(dg.ocsp.problem, OCSP_PB_REVOKED);
    assert_int_equal(dg.exchange_statuses, XS_REVOKED);
    assert_string_equal(diagnose_exchange_status(&dg), "Revoked");
    assert_false(dg.certificate_ok);
    assert_int_equal(dg.verify_error, 0); /* OpenSSL checked no revocation: its word stays ok */
    char words[96];
    diagnose_statuses_text(dg.exchange_statuses, words, sizeof(words));
    assert_string_equal(words, "Revoked");
}

/* A client that quit after the handshake with the revoked chain: the
 * likely cause is the staple's word, not "the chain's verdict (ok)". */
static void
test_quit_cause(void **state)
{
    (void)state;
    struct session_facts facts;
    uint8_t sni[] = "mail.example.test";
    tu_chain_facts(&facts, chain, 2, sni);
    facts.tls.version = 0x0303;
    facts.tls.handshake = TLS_HS_COMPLETE;
    facts.tls.ocsp_stapled = TLS_OCSP_STAPLED;
    facts.tls.ocsp = staple(leaf, V_OCSP_CERTSTATUS_REVOKED, true);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.ts_us = T0 * 1000000;
    rec.facts = &facts;
    rec.first_close = "client_fin";
    struct diagnosis dg;
    diagnose_session(&rec, NULL, 0, &dg);
    char text[512];
    diagnose_quit_text(&rec, &dg, text, sizeof(text));
    free(facts.tls.ocsp);
    assert_non_null(strstr(text, "; likely cause: its stapled OCSP response says the certificate "
                                 "is revoked (ocsp_staple_revoked)"));
    assert_null(strstr(text, "the chain's verdict"));
}

/* Each session's own staple: the same leaf with a good staple (another
 * session), the renewed leaf with its good staple, the revoked leaf with
 * no staple, and a "revoked" the CA did not sign (revoked_unverified: no
 * CA's word) are Valid. */
static void
test_other_sessions_valid(void **state)
{
    (void)state;
    struct diagnosis dg;
    diag(chain, staple(leaf, V_OCSP_CERTSTATUS_GOOD, true), &dg);
    assert_int_equal(dg.exchange_statuses, 0);
    assert_true(dg.certificate_ok);
    diag(chain_renewed, staple(renewed, V_OCSP_CERTSTATUS_GOOD, true), &dg);
    assert_int_equal(dg.exchange_statuses, 0);
    assert_string_equal(diagnose_exchange_status(&dg), "Valid");
    assert_true(dg.certificate_ok);
    diag(chain, NULL, &dg);
    assert_int_equal(dg.exchange_statuses, 0);
    assert_true(dg.certificate_ok);
    diag(chain, staple(leaf, V_OCSP_CERTSTATUS_REVOKED, false), &dg);
    assert_int_not_equal(dg.ocsp.problem, OCSP_PB_REVOKED);
    assert_int_equal(dg.exchange_statuses & XS_REVOKED, 0);
}

/* Revoked is listed after DateInvalid and before UntrustedRoot, Windows'
 * X509ChainStatusFlags order (NotTimeValid 1, Revoked 4, UntrustedRoot 32). */
static void
test_order(void **state)
{
    (void)state;
    char words[96];
    diagnose_statuses_text(XS_DATE_INVALID | XS_REVOKED | XS_UNTRUSTED_ROOT, words, sizeof(words));
    assert_string_equal(words, "DateInvalid, Revoked, UntrustedRoot");
    struct diagnosis d;
    memset(&d, 0, sizeof(d));
    d.verified = true;
    d.exchange_statuses = XS_REVOKED | XS_SUBJECT_MISMATCH;
    assert_string_equal(diagnose_exchange_status(&d), "Revoked");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revoked_staple),
        cmocka_unit_test(test_other_sessions_valid),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_quit_cause),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
