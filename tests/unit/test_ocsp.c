/* \summary: unit tests for src/ocsp.c: stapled OCSP responses made here
 * with OpenSSL (RFC 6960) for a leaf and its issuer in the certificate
 * cache, judged as a client that checks them would: good, revoked (with
 * its reason and time), stale and not yet valid around the skew, for
 * another certificate, badly signed, signed by a stranger, an error
 * status, no issuer known; every prefix of a response and garbage give
 * "malformed", never a crash; the memo answers a response seen again, and
 * a new leaf under a response decoded for its issuer; a revoked answer not
 * verified is revoked_unverified; a delegated responder's certificate is
 * checked (issued by the issuer, id-kp-OCSPSigning, valid at producedAt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certcache.h"
#include "mem.h"
#include "ocsp.h"
#include "tlsrpt.h"
#include "tu_certs.h"

static const int64_t T0 = 1795478400; /* 2026-11-24T00:00:00Z */

static EVP_PKEY *key, *other_key;
static X509 *ca, *leaf, *leaf2, *stranger;
static uint32_t chain[2], chain2[2];

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    certcache_init(100);
    assert_int_equal(ocsp_init(8), 0);
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_true(key != NULL && other_key != NULL);
    time_t nb = (time_t)(T0 - 86400 * 300), na = (time_t)(T0 + 86400 * 300);
    ca = tu_make_cert("OCSP Test CA", "OCSP Test CA", key, true, "critical,keyCertSign,cRLSign", nb,
                      na, NULL);
    const char *ku = "critical,digitalSignature";
    leaf = tu_make_cert("mail.example.test", "OCSP Test CA", key, false, ku, nb, na, NULL);
    leaf2 = tu_make_cert("renewed.example.test", "OCSP Test CA", key, false, ku, nb, na, NULL);
    /* the renewed certificate: a serial of its own (tu_make_cert gives 2) */
    ASN1_INTEGER_set(X509_get_serialNumber(leaf2), 3);
    assert_true(X509_sign(leaf2, key, EVP_sha256()) > 0);
    stranger = tu_make_cert("Stranger", "Stranger", other_key, false, ku, nb, na, NULL);
    chain[0] = tu_cert_add_x509(leaf);
    chain2[0] = tu_cert_add_x509(leaf2);
    chain[1] = chain2[1] = tu_cert_add_x509(ca);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    X509_free(ca);
    X509_free(leaf);
    X509_free(leaf2);
    X509_free(stranger);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other_key);
    ocsp_fini();
    certcache_free();
    return 0;
}

struct spec {
    X509 *subject;          /* the certificate the response is for */
    int status;             /* V_OCSP_CERTSTATUS_* */
    int reason;             /* -1 none */
    int64_t this_u, next_u; /* next_u 0: none */
    X509 *signer;           /* NULL: the issuer */
    EVP_PKEY *signer_key;   /* with signer */
};

/* A successful basic response, DER in *out (OPENSSL_free it). */
static int
make(const struct spec *s, unsigned char **out)
{
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), s->subject, ca);
    ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)s->this_u);
    ASN1_TIME *nu = s->next_u ? ASN1_TIME_set(NULL, (time_t)s->next_u) : NULL;
    ASN1_TIME *rt =
        s->status == V_OCSP_CERTSTATUS_REVOKED ? ASN1_TIME_set(NULL, (time_t)(T0 - 3600)) : NULL;
    assert_non_null(OCSP_basic_add1_status(bs, id, s->status, s->reason, rt, tu, nu));
    X509 *signer = s->signer ? s->signer : ca;
    EVP_PKEY *k = s->signer ? s->signer_key : key;
    /* the issuer's signature with no certificate in it: the chain has it */
    assert_int_equal(
        OCSP_basic_sign(bs, signer, k, EVP_sha256(), NULL, s->signer ? 0 : OCSP_NOCERTS), 1);
    OCSP_RESPONSE *r = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    *out = NULL;
    int n = i2d_OCSP_RESPONSE(r, out);
    assert_true(n > 0);
    OCSP_RESPONSE_free(r);
    OCSP_BASICRESP_free(bs);
    OCSP_CERTID_free(id);
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
    ASN1_TIME_free(rt);
    return n;
}

static void
judge(const struct spec *s, const uint32_t *ch, unsigned n, int64_t at, struct ocsp_verdict *v)
{
    unsigned char *der;
    int len = make(s, &der);
    ocsp_judge(der, (size_t)len, ch, n, at, v);
    OPENSSL_free(der);
}

static void
test_good_revoked(void **state)
{
    (void)state;
    struct ocsp_verdict v;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 3600, T0 + 86400, NULL, NULL};
    judge(&s, chain, 2, T0, &v);
    assert_true(v.present);
    assert_null(v.error);
    assert_int_equal(v.status, 0);
    assert_int_equal(v.cert_status, V_OCSP_CERTSTATUS_GOOD);
    assert_int_equal(v.matches_leaf, 1);
    assert_int_equal(v.responses, 1);
    assert_int_equal(v.signature, OCSP_SIG_ISSUER);
    assert_int_equal(v.problem, OCSP_PB_NONE);
    assert_int_equal(v.this_update, T0 - 3600);
    assert_int_equal(v.next_update, T0 + 86400);
    assert_string_equal(v.responder, "CN=OCSP Test CA");
    assert_int_equal(v.revocation_time, OCSP_NO_TIME);

    s.status = V_OCSP_CERTSTATUS_REVOKED;
    s.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
    judge(&s, chain, 2, T0, &v);
    assert_int_equal(v.cert_status, V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(v.reason, 1);
    assert_string_equal(ocsp_reason_str(v.reason), "keyCompromise");
    assert_int_equal(v.revocation_time, T0 - 3600);
    assert_int_equal(v.problem, OCSP_PB_REVOKED);
    assert_string_equal(ocsp_problem_str(v.problem), "revoked");

    s.status = V_OCSP_CERTSTATUS_UNKNOWN;
    s.reason = -1;
    judge(&s, chain, 2, T0, &v);
    assert_int_equal(v.problem, OCSP_PB_CERT_UNKNOWN);
}

/* thisUpdate and nextUpdate judged at the session's time, OCSP_SKEW_S
 * allowed either way; no nextUpdate: never stale (RFC 6960 §4.2.2.1). */
static void
test_times(void **state)
{
    (void)state;
    struct ocsp_verdict v;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 86400, T0, NULL, NULL};
    judge(&s, chain, 2, T0 + OCSP_SKEW_S, &v);
    assert_int_equal(v.problem, OCSP_PB_NONE);
    judge(&s, chain, 2, T0 + OCSP_SKEW_S + 1, &v);
    assert_int_equal(v.problem, OCSP_PB_STALE);
    s.this_u = T0 + 1000;
    s.next_u = 0;
    judge(&s, chain, 2, T0 + 1000 - OCSP_SKEW_S, &v);
    assert_int_equal(v.problem, OCSP_PB_NONE);
    assert_int_equal(v.next_update, OCSP_NO_TIME);
    judge(&s, chain, 2, T0 + 1000 - OCSP_SKEW_S - 1, &v);
    assert_int_equal(v.problem, OCSP_PB_NOT_YET_VALID);
    judge(&s, chain, 2, T0 + 86400 * 3650, &v);
    assert_int_equal(v.problem, OCSP_PB_NONE);
}

/* A staple of the old certificate served with the renewed one; the same
 * with no issuer known (the leaf alone, no trust store): matched by
 * serial number, the signature not judged. */
static void
test_other_certificate(void **state)
{
    (void)state;
    struct ocsp_verdict v;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 3600, T0 + 86400, NULL, NULL};
    judge(&s, chain2, 2, T0, &v);
    assert_int_equal(v.matches_leaf, 0);
    assert_int_equal(v.cert_status, -1);
    assert_int_equal(v.problem, OCSP_PB_OTHER_CERT);
    assert_int_equal(v.signature, OCSP_SIG_ISSUER); /* a good signature, for another */
    judge(&s, chain, 1, T0, &v);
    assert_int_equal(v.matches_leaf, -1);
    assert_int_equal(v.signature, OCSP_SIG_UNCHECKED);
    /* found by the leaf's serial number alone */
    assert_int_equal(v.cert_status, V_OCSP_CERTSTATUS_GOOD);
    assert_int_equal(v.problem, OCSP_PB_NONE);
}

static void
test_signatures(void **state)
{
    (void)state;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 3600, T0 + 86400, NULL, NULL};
    unsigned char *der;
    int n = make(&s, &der);
    der[n - 1] ^= 0x55; /* the signature's last byte */
    struct ocsp_verdict v;
    ocsp_judge(der, (size_t)n, chain, 2, T0, &v);
    OPENSSL_free(der);
    assert_int_equal(v.signature, OCSP_SIG_BAD);
    assert_int_equal(v.problem, OCSP_PB_SIGNATURE);
    /* signed by a certificate the issuer did not issue */
    s.signer = stranger;
    s.signer_key = other_key;
    judge(&s, chain, 2, T0, &v);
    assert_int_equal(v.signature, OCSP_SIG_UNAUTHORIZED);
    assert_int_equal(v.problem, OCSP_PB_SIGNATURE);
    assert_string_equal(v.responder, "CN=Stranger");
    /* signed by the issuer's key, the response carrying another certificate
     * of the issuer (same name and key, another serial: re-issued or
     * cross-signed): the issuer's signature, as OpenSSL's client takes it
     * (the signer is looked for among the chain's certificates first) */
    time_t nb = (time_t)(T0 - 86400 * 300), na = (time_t)(T0 + 86400 * 400);
    X509 *ca2 = tu_make_cert("OCSP Test CA", "OCSP Test CA", key, true,
                             "critical,keyCertSign,cRLSign", nb, na, NULL);
    ASN1_INTEGER_set(X509_get_serialNumber(ca2), 77);
    assert_true(X509_sign(ca2, key, EVP_sha256()) > 0);
    assert_int_not_equal(X509_cmp(ca2, ca), 0);
    s.signer = ca2;
    s.signer_key = key;
    judge(&s, chain, 2, T0, &v);
    assert_int_equal(v.signature, OCSP_SIG_ISSUER);
    assert_int_equal(v.problem, OCSP_PB_NONE);
    X509_free(ca2);
}

/* responseStatus other than successful: no body (RFC 6960 §4.2.1). */
static void
test_error_status(void **state)
{
    (void)state;
    static const int st[] = {1, 2, 3, 5, 6};
    for (unsigned i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
        OCSP_RESPONSE *r = OCSP_response_create(st[i], NULL);
        unsigned char *der = NULL;
        int n = i2d_OCSP_RESPONSE(r, &der);
        struct ocsp_verdict v;
        ocsp_judge(der, (size_t)n, chain, 2, T0, &v);
        assert_int_equal(v.status, st[i]);
        assert_null(v.error);
        assert_int_equal(v.problem, OCSP_PB_STATUS);
        assert_int_equal(v.cert_status, -1);
        assert_int_equal(v.signature, OCSP_SIG_UNCHECKED);
        OPENSSL_free(der);
        OCSP_RESPONSE_free(r);
    }
    assert_string_equal(ocsp_status_str(3), "tryLater");
    assert_string_equal(ocsp_status_str(4), "unassigned");
}

/* Every prefix of a good response, and bytes that are no DER: "malformed",
 * a defined outcome; a response of another type than basic: "not_basic". */
static void
test_truncated_garbage(void **state)
{
    (void)state;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 3600, T0 + 86400, NULL, NULL};
    unsigned char *der;
    int n = make(&s, &der);
    struct ocsp_verdict v;
    for (int k = 0; k < n; k++) {
        ocsp_judge(der, (size_t)k, chain, 2, T0, &v);
        assert_true(v.present);
        assert_int_equal(v.length, k);
        assert_string_equal(v.error, "malformed");
        assert_int_equal(v.problem, OCSP_PB_MALFORMED);
        assert_int_equal(v.status, -1);
    }
    /* trailing bytes are ignored, as OpenSSL's clients ignore them */
    unsigned char *more = OPENSSL_malloc((size_t)n + 3);
    memcpy(more, der, (size_t)n);
    memset(more + n, 0xff, 3);
    ocsp_judge(more, (size_t)n + 3, chain, 2, T0, &v);
    assert_int_equal(v.problem, OCSP_PB_NONE);
    OPENSSL_free(more);
    OPENSSL_free(der);
    static const unsigned char junk[] = "\x30\x03\x0a\x01\x00garbage\xff\x00";
    ocsp_judge(junk + 5, sizeof(junk) - 6, chain, 2, T0, &v);
    assert_string_equal(v.error, "malformed");
    /* responseStatus successful, responseBytes of an unknown type */
    static const unsigned char other[] = {0x30, 0x12, 0x0a, 0x01, 0x00, 0xa0, 0x0d,
                                          0x30, 0x0b, 0x06, 0x03, 0x2a, 0x03, 0x04,
                                          0x04, 0x04, 0x01, 0x02, 0x03, 0x04};
    ocsp_judge(other, sizeof(other), chain, 2, T0, &v);
    assert_int_equal(v.status, 0);
    assert_string_equal(v.error, "not_basic");
    assert_int_equal(v.problem, OCSP_PB_MALFORMED);
    ocsp_unjudged(20000, &v);
    assert_true(v.too_large);
    assert_int_equal(v.problem, OCSP_PB_NONE);
}

/* A response seen again for the same chain is answered from the memo, its
 * time judged anew; another leaf under the same issuer (the bench's leaf
 * variants, issue 5) is answered from the response decoded for that issuer:
 * not decoded again, its CertID matched by serial number; back to the
 * first chain, the memo again. */
static void
test_memo(void **state)
{
    (void)state;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 3600, T0 + 86400, NULL, NULL};
    unsigned char *der;
    int n = make(&s, &der);
    uint64_t d0, h0, d1, h1, r0, r1;
    uint32_t entries;
    struct ocsp_verdict a, b;
    ocsp_counters(&d0, &h0);
    ocsp_counters_response(&r0, &entries);
    ocsp_judge(der, (size_t)n, chain, 2, T0, &a);
    ocsp_judge(der, (size_t)n, chain, 2, T0 + 86400 * 2, &b);
    ocsp_counters(&d1, &h1);
    assert_int_equal(d1 - d0, 1);
    assert_int_equal(h1 - h0, 1);
    assert_int_equal(a.problem, OCSP_PB_NONE);
    assert_int_equal(b.problem, OCSP_PB_STALE);
    ocsp_judge(der, (size_t)n, chain2, 2, T0, &b);
    assert_int_equal(b.problem, OCSP_PB_OTHER_CERT);
    assert_int_equal(b.matches_leaf, 0);
    assert_int_equal(b.signature, OCSP_SIG_ISSUER);
    ocsp_counters(&d1, &h1);
    ocsp_counters_response(&r1, &entries);
    assert_int_equal(d1 - d0, 1); /* the response for this issuer: decoded once */
    assert_int_equal(r1 - r0, 1);
    ocsp_judge(der, (size_t)n, chain, 2, T0, &b);
    ocsp_counters(&d1, &h1);
    assert_int_equal(d1 - d0, 1);
    assert_int_equal(h1 - h0, 2);
    assert_int_equal(b.problem, OCSP_PB_NONE);
    assert_int_equal(b.matches_leaf, 1);
    /* the same response with no issuer known (the leaf alone): another key */
    ocsp_judge(der, (size_t)n, chain, 1, T0, &b);
    ocsp_counters(&d1, &h1);
    assert_int_equal(d1 - d0, 2);
    assert_int_equal(b.matches_leaf, -1);
    assert_int_equal(b.signature, OCSP_SIG_UNCHECKED);
    OPENSSL_free(der);
}

/* Many leaves (distinct serial numbers) under one issuer, one response
 * listing them all, and more responses than the memo holds: each verdict
 * the same as a judgement without the memo (ocsp.cache_max 8, least
 * recently used out; the count of kept responses never above it). */
static void
test_memo_lru(void **state)
{
    (void)state;
    struct ocsp_verdict v;
    uint32_t entries;
    uint64_t r;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 12; i++) {
            struct spec s = {leaf,
                             i % 3 ? V_OCSP_CERTSTATUS_GOOD : V_OCSP_CERTSTATUS_REVOKED,
                             i % 3 ? -1 : 1,
                             T0 - 3600 - i,
                             T0 + 86400,
                             NULL,
                             NULL};
            judge(&s, i % 2 ? chain : chain2, 2, T0, &v);
            if (i % 2 == 0) {
                assert_int_equal(v.problem, OCSP_PB_OTHER_CERT);
                assert_int_equal(v.matches_leaf, 0);
            } else {
                assert_int_equal(v.matches_leaf, 1);
                assert_int_equal(v.this_update, T0 - 3600 - i);
                assert_int_equal(v.problem, i % 3 ? OCSP_PB_NONE : OCSP_PB_REVOKED);
            }
            ocsp_counters_response(&r, &entries);
            assert_true(entries <= 8);
        }
}

/* RFC 6960 §3.2: a revoked answer matched by serial number alone, its
 * signature unchecked (the leaf's issuer neither sent nor in the store),
 * is not the CA's word: revoked_unverified (ocsp_staple_invalid), its
 * cert_status still revoked; with the issuer sent, revoked. */
static void
test_revoked_unverified(void **state)
{
    (void)state;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_REVOKED, 1, T0 - 3600, T0 + 86400, NULL, NULL};
    struct ocsp_verdict v;
    judge(&s, chain, 1, T0, &v);
    assert_int_equal(v.cert_status, V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(v.matches_leaf, -1);
    assert_int_equal(v.signature, OCSP_SIG_UNCHECKED);
    assert_int_equal(v.problem, OCSP_PB_REVOKED_UNVERIFIED);
    assert_string_equal(ocsp_problem_str(v.problem), "revoked_unverified");
    assert_non_null(strstr(ocsp_problem_text(v.problem), "unverified"));
    judge(&s, chain, 2, T0, &v);
    assert_int_equal(v.problem, OCSP_PB_REVOKED);
    /* a bad signature still says signature first */
    unsigned char *der;
    int n = make(&s, &der);
    der[n - 1] ^= 0x55;
    ocsp_judge(der, (size_t)n, chain, 2, T0, &v);
    assert_int_equal(v.problem, OCSP_PB_SIGNATURE);
    OPENSSL_free(der);
}

/* A responder certificate (subject, issuer's name, signed with ikey), EKU
 * id-kp-OCSPSigning when eku, valid from nb to na. */
static X509 *
responder(const char *issuer_cn, EVP_PKEY *rkey, EVP_PKEY *ikey, bool eku, time_t nb, time_t na)
{
    X509 *x = tu_make_cert("OCSP Responder", issuer_cn, rkey, false, "critical,digitalSignature",
                           nb, na, NULL);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, NULL, x, NULL, NULL, 0);
    X509_EXTENSION *ext =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, eku ? "OCSPSigning" : "serverAuth");
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 99);
    assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
    return x;
}

/* RFC 6960 §4.2.2.2: a delegated responder is issued directly by the
 * leaf's issuer, has id-kp-OCSPSigning, and is valid at the session's time
 * (T0; OCSP_basic_sign makes producedAt now, which does not count); each
 * otherwise its own signature reason, problem signature. */
static void
test_delegated(void **state)
{
    (void)state;
    EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(rk);
    time_t now = time(NULL), day = 86400;
    struct {
        const char *issuer_cn;
        EVP_PKEY *ikey;
        bool eku;
        time_t nb, na;
        uint8_t sig;
    } c[] = {
        {"OCSP Test CA", key, true, T0 - day, T0 + day, OCSP_SIG_DELEGATED},
        {"OCSP Test CA", key, false, T0 - day, T0 + day, OCSP_SIG_RESPONDER_NO_EKU},
        {"OCSP Test CA", key, true, T0 - 2 * day, T0 - day, OCSP_SIG_RESPONDER_NOT_VALID},
        {"OCSP Test CA", key, true, T0 + day, T0 + 2 * day, OCSP_SIG_RESPONDER_NOT_VALID},
        /* valid when the response was produced (now), not at the session's
         * time (T0, a week or more before): clients check it at theirs */
        {"OCSP Test CA", key, true, now - day, now + day, OCSP_SIG_RESPONDER_NOT_VALID},
        /* the issuer's name, another key: not issued by the issuer */
        {"OCSP Test CA", other_key, true, T0 - day, T0 + day, OCSP_SIG_UNAUTHORIZED},
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        X509 *r = responder(c[i].issuer_cn, rk, c[i].ikey, c[i].eku, c[i].nb, c[i].na);
        struct spec s = {leaf, V_OCSP_CERTSTATUS_REVOKED, 1, T0 - 3600, T0 + 86400, r, rk};
        struct ocsp_verdict v;
        judge(&s, chain, 2, T0, &v);
        assert_int_equal(v.signature, c[i].sig);
        assert_int_equal(v.problem,
                         c[i].sig == OCSP_SIG_DELEGATED ? OCSP_PB_REVOKED : OCSP_PB_SIGNATURE);
        assert_non_null(ocsp_signature_str(v.signature));
        X509_free(r);
    }
    assert_string_equal(ocsp_signature_str(OCSP_SIG_RESPONDER_NO_EKU),
                        "responder_without_ocsp_signing");
    assert_string_equal(ocsp_signature_str(OCSP_SIG_RESPONDER_NOT_VALID), "responder_not_valid");
    EVP_PKEY_free(rk);
}

/* The memo keys on every certificate sent after the leaf: the issuer is
 * looked for among them all, so [leaf, stranger, CA] and [leaf, stranger]
 * are judged apart (before: keyed on the second one only, the second
 * chain got the first's "issuer" signature and matching CertID). */
static void
test_memo_whole_chain(void **state)
{
    (void)state;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 3600, T0 + 86400, NULL, NULL};
    unsigned char *der;
    int n = make(&s, &der);
    uint32_t st = tu_cert_add_x509(stranger);
    uint32_t with_ca[3] = {chain[0], st, chain[1]}, without[2] = {chain[0], st};
    struct ocsp_verdict a, b;
    ocsp_judge(der, (size_t)n, with_ca, 3, T0, &a);
    assert_int_equal(a.matches_leaf, 1);
    assert_int_equal(a.signature, OCSP_SIG_ISSUER);
    ocsp_judge(der, (size_t)n, without, 2, T0, &b);
    assert_int_equal(b.matches_leaf, -1); /* no issuer sent, none in the store */
    assert_int_equal(b.signature, OCSP_SIG_UNCHECKED);
    OPENSSL_free(der);
}

/* A leaf that is not decoded (not kept: id 0 at certcache.max) says
 * nothing about the staple: not judged, no problem, never "another
 * certificate's" (before: other_certificate, ocsp_staple_invalid). */
static void
test_no_leaf(void **state)
{
    (void)state;
    struct spec s = {leaf, V_OCSP_CERTSTATUS_GOOD, -1, T0 - 3600, T0 + 86400, NULL, NULL};
    uint32_t none[2] = {0, chain[1]};
    struct ocsp_verdict v;
    judge(&s, none, 2, T0, &v);
    assert_true(v.present);
    assert_string_equal(v.error, "no_leaf");
    assert_int_equal(v.problem, OCSP_PB_NONE);
    assert_false(ocsp_judged(&v));
    judge(&s, chain, 2, T0, &v);
    assert_true(ocsp_judged(&v));
}

/* TLS-RPT (RFC 8460 §4.3): a revoked staple is certificate-not-trusted,
 * another problem validation-failure, for the findings and for a session
 * on an MTA port whose chain passed; none on 465, none for a good one. */
static void
test_tlsrpt(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.server.port = 25;
    struct diagnosis *d = calloc(1, sizeof(*d));
    assert_non_null(d);
    d->ocsp.present = true;
    d->ocsp.problem = OCSP_PB_REVOKED;
    const char *why = NULL;
    assert_string_equal(tlsrpt_session(&cfg, &rec, d, &why), "certificate-not-trusted");
    assert_string_equal(why, "ocsp_staple_revoked");
    d->ocsp.problem = OCSP_PB_STALE;
    assert_string_equal(tlsrpt_session(&cfg, &rec, d, &why), "validation-failure");
    assert_string_equal(why, "ocsp_staple_invalid");
    d->ocsp.problem = OCSP_PB_NONE;
    assert_null(tlsrpt_session(&cfg, &rec, d, &why));
    d->ocsp.problem = OCSP_PB_REVOKED;
    rec.server.port = 465;
    assert_null(tlsrpt_session(&cfg, &rec, d, &why));
    free(d);
    assert_string_equal(tlsrpt_kind("ocsp_staple_revoked", -2), "certificate-not-trusted");
    assert_string_equal(tlsrpt_kind("ocsp_staple_invalid", -2), "validation-failure");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_revoked),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_other_certificate),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_error_status),
        cmocka_unit_test(test_truncated_garbage),
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_memo_whole_chain),
        cmocka_unit_test(test_memo_lru),
        cmocka_unit_test(test_revoked_unverified),
        cmocka_unit_test(test_delegated),
        cmocka_unit_test(test_no_leaf),
        cmocka_unit_test(test_tlsrpt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
