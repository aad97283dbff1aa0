/* \summary: unit tests for chain classification (src/verify.c): each failure
 * kind on its own fixture chain from tests/data/certs, at fixed times, with
 * only the certificates "sent" plus the trust store (no intermediate
 * caching across chains); the result cache; diagnose_prewarm, the early
 * verification of a session's server chain (src/diagnose.c); and client
 * chains (mutual TLS), verified for a TLS client, with pcaps/certs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include "certcache.h"
#include "config.h"
#include "diagnose.h"
#include "mem.h"
#include "namememo.h"
#include "tu_certs.h"
#include "tu_file.h"
#include "verify.h"

#define CERT(n) SRCDIR "/tests/data/certs/" n

static const int64_t T2025 = 1748736000; /* 2025-06-01T00:00:00Z */
static const int64_t T2026 = 1795478400; /* 2026-11-24T00:00:00Z (pcaps/certs valid) */

static struct config cfg;

/* The test root as the only trust anchor, an empty certificate cache. */
static void
setup_config(void)
{
    config_defaults(&cfg);
    cfg.no_system_ca = true;
    cfg.ca_files[0] = CERT("root.pem");
    cfg.n_ca_files = 1;
    mem_init(64u << 20);
    certcache_init(100);
}

/* Tests given &with_diagnose as their state (cmocka prestate) run with the
 * whole diagnosis set up (diagnose_init: verification and the name memo),
 * the others with verification alone; &with_mtls is the diagnosis with the
 * root of the bundled captures' certificates (pcaps/certs) as the anchor. */
static int with_diagnose, with_mtls;

static int
setup(void **state)
{
    setup_config();
    char err[256];
    bool dg = *state == &with_diagnose || *state == &with_mtls;
    if (*state == &with_mtls)
        cfg.ca_files[0] = SRCDIR "/pcaps/certs/root.pem";
    if ((dg ? diagnose_init(&cfg, err, sizeof(err)) : verify_init(&cfg, err, sizeof(err))) != 0)
        fail_msg("%s: %s", dg ? "diagnose_init" : "verify_init", err);
    return 0;
}

static int
teardown(void **state)
{
    if (*state == &with_diagnose || *state == &with_mtls)
        diagnose_fini();
    else
        verify_fini();
    certcache_free();
    assert_int_equal(mem_in_use(), 0);
    return 0;
}

static uint32_t
add(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    return tu_cert_add(path);
}

/* Adds pcaps/certs/NAME.pem (one certificate) to the certificate cache. */
static uint32_t
add_pem(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/pcaps/certs/%s.pem", name);
    return tu_cert_add_pem(path);
}

/* Verifies the named chain (leaf first, as a server would send it). */
static void
chain(struct verify_result *r, int64_t at, const char *a, const char *b, const char *c)
{
    uint32_t ids[3];
    unsigned n = 0;
    ids[n++] = add(a);
    if (b)
        ids[n++] = add(b);
    if (c)
        ids[n++] = add(c);
    memset(r, 0xff, sizeof(*r)); /* verify_chain must set every field */
    verify_chain(ids, n, at, VERIFY_SERVER, r);
}

static void
assert_only(const struct verify_result *r, const char *kind)
{
    assert_int_equal(r->expired, strcmp(kind, "expired") == 0);
    assert_int_equal(r->not_yet_valid, strcmp(kind, "not_yet_valid") == 0);
    assert_int_equal(r->self_signed, strcmp(kind, "self_signed") == 0);
    assert_int_equal(r->untrusted_root, strcmp(kind, "untrusted_root") == 0);
    assert_int_equal(r->missing_intermediate, strcmp(kind, "missing_intermediate") == 0);
    assert_int_equal(r->name_constraint_violation, strcmp(kind, "name_constraint") == 0);
    assert_int_equal(r->weak_key, strcmp(kind, "weak_key") == 0);
    assert_int_equal(r->weak_signature, strcmp(kind, "weak_signature") == 0);
    if (strcmp(kind, "ok") == 0)
        assert_int_equal(r->first_error, 0);
    else
        assert_int_not_equal(r->first_error, 0);
}

static void
test_good_chain(void **state)
{
    (void)state;
    struct verify_result r;
    chain(&r, T2025, "leaf", "inter", NULL);
    assert_only(&r, "ok");
    /* Sending the root too is harmless. */
    chain(&r, T2025, "leaf", "inter", "root");
    assert_only(&r, "ok");
    chain(&r, T2025, "ncgood", "ncinter", NULL);
    assert_only(&r, "ok");
}

/* Validity is judged at the time given: the same chain is fine in 2025,
 * expired in 2035 and not yet valid in 2023. */
static void
test_time(void **state)
{
    (void)state;
    struct verify_result r;
    chain(&r, 2051222400 /* 2035-01-01 */, "leaf", "inter", NULL);
    assert_only(&r, "expired");
    assert_string_equal(r.first_error_text, "certificate has expired");
    chain(&r, 1672531200 /* 2023-01-01 */, "leaf", "inter", NULL);
    assert_only(&r, "not_yet_valid");
    chain(&r, T2025, "expired", "inter", NULL);
    assert_only(&r, "expired");
    chain(&r, T2025, "notyet", "inter", NULL);
    assert_only(&r, "not_yet_valid");
}

/* The intermediate was not sent: the text admins search for. Never filled in
 * from an earlier chain that did send it. */
static void
test_missing_intermediate(void **state)
{
    (void)state;
    struct verify_result r;
    chain(&r, T2025, "leaf", "inter", NULL);
    assert_only(&r, "ok");
    chain(&r, T2025, "leaf", NULL, NULL);
    assert_only(&r, "missing_intermediate");
    assert_string_equal(r.first_error_text, "unable to get local issuer certificate");
}

static void
test_self_signed(void **state)
{
    (void)state;
    struct verify_result r;
    chain(&r, T2025, "selfsigned", NULL, NULL);
    assert_only(&r, "self_signed");
    assert_string_equal(r.first_error_text, "self-signed certificate");
}

/* A complete chain to a root outside the store names that root. */
static void
test_untrusted_root(void **state)
{
    (void)state;
    struct verify_result r;
    chain(&r, T2025, "oleaf", "ointer", "oroot");
    assert_only(&r, "untrusted_root");
    assert_non_null(strstr(r.root_subject, "Other Root"));
    /* Root not sent: its name comes from the last issuer. */
    chain(&r, T2025, "oleaf", "ointer", NULL);
    assert_true(r.untrusted_root || r.missing_intermediate);
    assert_false(r.expired);
}

static void
test_name_constraint(void **state)
{
    (void)state;
    struct verify_result r;
    chain(&r, T2025, "ncbad", "ncinter", NULL);
    assert_only(&r, "name_constraint");
}

/* Our own policy: RSA < 2048 bits is weak, SHA-1 signatures are weak, even
 * where OpenSSL's default security level would accept the chain. */
static void
test_weak(void **state)
{
    (void)state;
    struct verify_result r;
    chain(&r, T2025, "weakkey", "inter", NULL);
    assert_true(r.weak_key);
    assert_false(r.weak_signature);
    assert_false(r.expired || r.untrusted_root || r.missing_intermediate);
    chain(&r, T2025, "sha1", "inter", NULL);
    assert_true(r.weak_signature);
    assert_false(r.weak_key);
}

/* The result cache gives the same answer for the same chain and hour. */
static void
test_cache(void **state)
{
    (void)state;
    struct verify_result a, b;
    uint64_t c0, h0, c1, h1;
    verify_counters(&c0, &h0);
    chain(&a, T2025, "leaf", NULL, NULL);
    chain(&b, T2025 + 60, "leaf", NULL, NULL);
    verify_counters(&c1, &h1);
    assert_int_equal(c1 - c0, 1);
    assert_int_equal(h1 - h0, 1);
    assert_memory_equal(&a, &b, sizeof(a));
}

/* Many chains in use at once, round robin (the bench's dense capture):
 * each is verified once, then served from the cache every time, never
 * evicted by another chain that hashes near it. 1 000 chains, each a
 * distinct leaf (its signature's last bytes changed) with the intermediate. */
static void
test_cache_many_chains(void **state)
{
    (void)state;
    certcache_free();
    certcache_init(2000);
    enum { N = 1000 };
    size_t n, ni;
    uint8_t *leaf = tu_read_file(CERT("leaf.der"), &n);
    uint8_t *inter = tu_read_file(CERT("inter.der"), &ni);
    uint32_t ia = certcache_add(inter, ni);
    assert_true(ia > 0);
    static uint32_t ids[N][2];
    for (unsigned v = 0; v < N; v++) {
        memcpy(leaf + n - 4, &v, 4);
        ids[v][0] = certcache_add(leaf, n);
        ids[v][1] = ia;
        assert_true(ids[v][0] > 0);
    }
    uint64_t c0, h0, c1, h1;
    verify_counters(&c0, &h0);
    struct verify_result r;
    for (unsigned round = 0; round < 3; round++)
        for (unsigned v = 0; v < N; v++) {
            verify_chain(ids[v], 2, T2025, VERIFY_SERVER, &r);
            assert_true(r.first_error != 0); /* the changed signature does not verify */
        }
    verify_counters(&c1, &h1);
    assert_int_equal(c1 - c0, N);
    assert_int_equal(h1 - h0, 2 * N);
    free(leaf);
    free(inter);
}

/* A trusted root that expires in the middle of an hour: a chain verified
 * before its end is not remembered for that hour, so the same chain after
 * it is verified again and found expired (the hour's cache looked only at
 * the certificates sent). The root and the leaf are made here (EC P-256),
 * the root written to a file the configuration trusts. */
static void
test_cache_root_expiring_in_the_hour(void **state)
{
    (void)state;
    verify_fini();
    const time_t hour = (time_t)(T2025 - T2025 % 3600), mid = hour + 1800;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    const char *ca = "critical,keyCertSign,cRLSign", *sig = "critical,digitalSignature";
    X509 *root =
        tu_make_cert("Half Hour Root", "Half Hour Root", key, true, ca, hour - 86400, mid, NULL);
    X509 *leaf = tu_make_cert("hh.example.com", "Half Hour Root", key, false, sig, hour - 86400,
                              hour + 86400, NULL);
    EVP_PKEY_free(key);
    char root_path[] = "/tmp/smtptap-test-root-XXXXXX";
    int fd = mkstemp(root_path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, root), 1);
    assert_int_equal(fclose(f), 0);
    cfg.ca_files[0] = root_path;
    char err[256];
    if (verify_init(&cfg, err, sizeof(err)) != 0)
        fail_msg("verify_init: %s", err);
    unsigned char *der = NULL;
    int dn = i2d_X509(leaf, &der);
    assert_true(dn > 0);
    uint32_t id = certcache_add(der, (size_t)dn);
    assert_true(id > 0);
    OPENSSL_free(der);
    X509_free(leaf);
    X509_free(root);

    struct verify_result a, b;
    uint64_t c0, h0, c1, h1;
    verify_counters(&c0, &h0);
    verify_chain(&id, 1, (int64_t)hour + 600, VERIFY_SERVER, &a); /* the root still valid */
    /* the same hour, the root expired */
    verify_chain(&id, 1, (int64_t)mid + 600, VERIFY_SERVER, &b);
    verify_counters(&c1, &h1);
    unlink(root_path);
    assert_int_equal(a.first_error, 0);
    assert_int_not_equal(b.first_error, 0);
    assert_true(b.expired);
    assert_int_equal(c1 - c0, 2);
    assert_int_equal(h1 - h0, 0);
}

/* The session diagnosis of facts, judged at `at` (a flow whose first
 * packet came then). */
static void
diag_at(const struct session_facts *facts, int64_t at, struct diagnosis *dg)
{
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.ts_us = at * 1000000;
    rec.facts = facts;
    diagnose_session(&rec, NULL, 0, dg);
}

static void
diag_at_t2025(const struct session_facts *facts, struct diagnosis *dg)
{
    diag_at(facts, T2025, dg);
}

/* diagnose_prewarm judges a new server chain as the session's diagnosis
 * will: the same verification (the diagnosis at the session's end is then
 * a cache hit and the same verdict), the SNI's name check remembered, and
 * the new leaf's decoded object let go at once; a leaf seen before is left
 * to the diagnosis. */
static void
test_prewarm(void **state)
{
    (void)state;
    uint32_t ids[2] = {add("leaf"), add("inter")};
    struct session_facts facts;
    uint8_t sni[] = "smtp.example.com";
    tu_chain_facts(&facts, ids, 2, sni);
    const struct cert_entry *leaf = certcache_get(ids[0]);
    assert_non_null(leaf->x509);
    uint64_t c0, h0, c1, h1;
    verify_counters(&c0, &h0);
    diagnose_prewarm(&facts, T2025 * 1000000);
    verify_counters(&c1, &h1);
    assert_int_equal(c1 - c0, 1);
    assert_null(leaf->x509); /* seen once: let go while still in the caches */
    assert_int_equal(namememo_get(ids[0], leaf->sha256, "smtp.example.com"), 1);

    struct diagnosis dg;
    diag_at_t2025(&facts, &dg); /* the time diagnose_prewarm was given */
    verify_counters(&c0, &h0);
    assert_int_equal(c0 - c1, 0); /* not verified again */
    assert_int_equal(h0 - h1, 1);
    assert_string_equal(dg.checked_name, "smtp.example.com");
    assert_false(dg.name_mismatch);
    assert_true(dg.certificate_ok);
    assert_string_equal(diagnose_exchange_status(&dg), "Valid");

    /* A leaf sent again: nothing done before the session ends. */
    assert_int_equal(add("leaf"), ids[0]);
    diagnose_prewarm(&facts, (T2025 + 86400) * 1000000);
    verify_counters(&c1, &h1);
    assert_int_equal(c1 - c0, 0);
    assert_int_equal(h1 - h0, 0);
}

/* A client's fatal alert after the server's certificate flight (TLS 1.2)
 * is a rejection of the certificate only when it is a certificate alert
 * (RFC 5246 §7.2.2: 42-46, 48): insufficient_security (71) is not. */
static void
test_client_alert_kinds(void **state)
{
    (void)state;
    uint32_t ids[2] = {add("leaf"), add("inter")};
    struct session_facts facts;
    uint8_t sni[] = "smtp.example.com";
    static const struct {
        int16_t code;
        bool rejected;
        const char *meaning;
    } rows[] = {
        {48, true, "the client rejected the server certificate"},
        {46, true, "the client rejected the server certificate"},
        {71, false, "the client ended the handshake with insufficient_security (71)"},
        {40, false, "the client ended the handshake with handshake_failure (40)"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        tu_chain_facts(&facts, ids, 2, sni);
        facts.tls.version = 0x0303;
        facts.tls.n_alerts = 1;
        facts.tls.alerts[0] = (struct tls_alert){
            .from = 0, .level = 2, .code = rows[i].code, .after = 14, .after_from = 1};
        struct diagnosis dg;
        diag_at_t2025(&facts, &dg);
        assert_int_equal(dg.client_rejected_certificate, rows[i].rejected);
        assert_non_null(strstr(dg.alert_meaning, rows[i].meaning));
    }
    /* The server's side: after a CertificateRequest and the client's empty
     * Certificate, handshake_failure (40) is a rejection ("sent none");
     * bad_record_mac (20) after the client's Finished is not; decode_error
     * (50) after the client's Finished is GnuTLS's for the empty Certificate
     * (Exim with tls_verify_hosts: "No certificate was found"). */
    static const struct {
        int16_t code, after;
        bool rejected;
    } srv[] = {{40, 11, true}, {116, 11, true}, {20, 20, false}, {50, 20, true}};
    for (size_t i = 0; i < sizeof(srv) / sizeof(srv[0]); i++) {
        tu_chain_facts(&facts, ids, 2, sni);
        facts.tls.version = 0x0303;
        facts.tls.client_certificate_requested = true;
        facts.tls.client_certificates = TLS_CERTS_NONE;
        facts.tls.n_alerts = 1;
        facts.tls.alerts[0] = (struct tls_alert){
            .from = 1, .level = 2, .code = srv[i].code, .after = srv[i].after, .after_from = 0};
        struct diagnosis dg;
        diag_at_t2025(&facts, &dg);
        assert_int_equal(dg.server_rejected_client_certificate, srv[i].rejected);
        if (srv[i].rejected)
            assert_non_null(strstr(dg.alert_meaning, "the client sent none"));
    }
    /* decode_error (50) after a client certificate sent: not this (a
     * malformed message of the client's) */
    tu_chain_facts(&facts, ids, 2, sni);
    facts.tls.version = 0x0303;
    facts.tls.client_certificate_requested = true;
    facts.tls.client_certificates = TLS_CERTS_VISIBLE;
    facts.tls.n_alerts = 1;
    facts.tls.alerts[0] =
        (struct tls_alert){.from = 1, .level = 2, .code = 50, .after = 20, .after_from = 0};
    struct diagnosis dg50;
    diag_at_t2025(&facts, &dg50);
    assert_false(dg50.server_rejected_client_certificate);
}

/* A session's Exchange status is the word of the first of its
 * exchange_statuses: each kind of chain, alone and with a name mismatch
 * (case 3: UntrustedRoot first, SubjectMismatch too), and "" when no
 * chain was verified. */
static void
test_exchange_status(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b, *c, *sni;
        int64_t at;
        unsigned statuses;
        const char *status;
    } rows[] = {
        {"leaf", "inter", NULL, "smtp.example.com", 0, 0, "Valid"},
        {"leaf", "inter", NULL, "other.example.net", 0, XS_SUBJECT_MISMATCH, "SubjectMismatch"},
        {"leaf", "inter", NULL, "smtp.example.com", 2051222400, XS_DATE_INVALID, "DateInvalid"},
        {"expired", "inter", NULL, "smtp.example.com", 0, XS_DATE_INVALID | XS_SUBJECT_MISMATCH,
         "DateInvalid"},
        /* the intermediate not sent: not built up to a root (Windows' PartialChain) */
        {"leaf", NULL, NULL, "smtp.example.com", 0, XS_PARTIAL_CHAIN, "PartialChain"},
        {"selfsigned", NULL, NULL, "SERVER1", 0, XS_UNTRUSTED_ROOT, "UntrustedRoot"},
        {"oleaf", "ointer", "oroot", "smtp.example.com", 0, XS_UNTRUSTED_ROOT | XS_SUBJECT_MISMATCH,
         "UntrustedRoot"},
        {"ncbad", "ncinter", NULL, "www.evil.org", 0, XS_INVALID, "Invalid"},
        {NULL, NULL, NULL, "smtp.example.com", 0, 0, ""}, /* no chain: not verified */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        uint32_t ids[3];
        unsigned n = 0;
        const char *names[3] = {rows[i].a, rows[i].b, rows[i].c};
        for (unsigned k = 0; k < 3 && names[k]; k++)
            ids[n++] = add(names[k]);
        uint8_t sni[32];
        snprintf((char *)sni, sizeof(sni), "%s", rows[i].sni);
        struct session_facts facts;
        tu_chain_facts(&facts, ids, n, sni);
        struct diagnosis dg;
        diag_at(&facts, rows[i].at ? rows[i].at : T2025, &dg);
        assert_int_equal(dg.verified, n > 0);
        assert_int_equal(dg.exchange_statuses, rows[i].statuses);
        assert_string_equal(diagnose_exchange_status(&dg), rows[i].status);
    }
}

/* A client's chain is verified for a TLS client (RFC 5280 §4.2.1.12
 * id-kp-clientAuth, X509_PURPOSE_SSL_CLIENT): the relay's certificate
 * (extendedKeyUsage clientAuth only) with its intermediate is valid, alone
 * its issuer is missing; a server's certificate (serverAuth only) sent by
 * a client is of the wrong purpose, although the same chain verifies as the
 * server's in the same hour (the result cache keeps the purpose apart). */
static void
test_client_purpose(void **state)
{
    (void)state;
    uint32_t inter = add_pem("intermediate");
    uint32_t cc[2] = {add_pem("client"), inter}, sc[2] = {add_pem("server"), inter};
    struct verify_result r;
    uint64_t c0, h0, c1, h1;
    verify_counters(&c0, &h0);
    verify_chain(cc, 2, T2026, VERIFY_CLIENT, &r);
    assert_only(&r, "ok");
    verify_chain(cc, 1, T2026, VERIFY_CLIENT, &r);
    assert_only(&r, "missing_intermediate");
    assert_int_equal(r.first_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    verify_chain(sc, 2, T2026, VERIFY_SERVER, &r);
    assert_only(&r, "ok");
    verify_chain(sc, 2, T2026 + 60, VERIFY_CLIENT, &r);
    assert_only(&r, "other");
    assert_true(r.other_error);
    assert_int_equal(r.first_error, X509_V_ERR_INVALID_PURPOSE);
    assert_string_equal(r.first_error_text, "unsuitable certificate purpose");
    verify_chain(sc, 2, T2026 + 120, VERIFY_SERVER, &r); /* from the cache, unchanged */
    assert_only(&r, "ok");
    verify_chain(cc, 2, T2026 + 180, VERIFY_CLIENT, &r);
    assert_only(&r, "ok");
    /* and the client's leaf (clientAuth only) presented by a server: an
     * OpenSSL client (Postfix, Exim) refuses it for its purpose */
    verify_chain(cc, 2, T2026 + 240, VERIFY_SERVER, &r);
    assert_only(&r, "other");
    assert_int_equal(r.first_error, X509_V_ERR_INVALID_PURPOSE);
    verify_counters(&c1, &h1);
    assert_int_equal(c1 - c0, 5);
    assert_int_equal(h1 - h0, 2);
}

/* The session record's verdict on the client's chain, beside the server's:
 * each chain as sent has its own (the leaf alone fails, with its
 * intermediate it is valid), none without a client chain, and the client's
 * leaf is never checked against the SNI (relay.client.test is not
 * mail.example.test). */
static void
test_client_chain_diagnosis(void **state)
{
    (void)state;
    uint32_t inter = add_pem("intermediate");
    uint32_t sc[2] = {add_pem("server"), inter}, client = add_pem("client");
    static const struct {
        uint8_t n; /* certificates sent: the client's leaf, then the intermediate */
        int error;
        const char *status, *text;
    } rows[] = {
        {1, 20, "PartialChain", "unable to get local issuer certificate"}, /* not built to a root */
        {2, 0, "Valid", "ok"},
        {0, -1, "", ""},
        {2, 26, "Invalid", "unsuitable certificate purpose"}, /* the server's leaf instead */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct session_facts facts;
        uint8_t sni[] = "mail.example.test";
        tu_chain_facts(&facts, sc, 2, sni);
        facts.tls.version = 0x0303;
        facts.tls.client_certificate_requested = true;
        facts.tls.client_certificates = rows[i].n ? TLS_CERTS_VISIBLE : TLS_CERTS_NONE;
        facts.tls.client_chain[0] = i == 3 ? sc[0] : client; /* last: the server's leaf */
        facts.tls.client_chain[1] = inter;
        facts.tls.n_client_chain = rows[i].n;
        struct diagnosis dg;
        diag_at(&facts, T2026, &dg);
        assert_true(dg.certificate_ok); /* the server's chain, judged as before */
        assert_string_equal(diagnose_exchange_status(&dg), "Valid");
        assert_string_equal(dg.checked_name, "mail.example.test");
        assert_int_equal(dg.mutual_tls, rows[i].n > 0);
        assert_int_equal(dg.client_verify_error, rows[i].error);
        assert_string_equal(dg.client_exchange_status, rows[i].status);
        assert_string_equal(dg.client_verify_error_text, rows[i].text);
        assert_string_equal(dg.client_untrusted_root_subject, "");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_intermediate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_untrusted_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_constraint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_many_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_root_expiring_in_the_hour, setup, teardown),
        cmocka_unit_test_prestate_setup_teardown(test_prewarm, setup, teardown, &with_diagnose),
        cmocka_unit_test_prestate_setup_teardown(test_client_alert_kinds, setup, teardown,
                                                 &with_diagnose),
        cmocka_unit_test_prestate_setup_teardown(test_exchange_status, setup, teardown,
                                                 &with_diagnose),
        cmocka_unit_test_prestate_setup_teardown(test_client_purpose, setup, teardown, &with_mtls),
        cmocka_unit_test_prestate_setup_teardown(test_client_chain_diagnosis, setup, teardown,
                                                 &with_mtls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
