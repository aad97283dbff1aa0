/* \summary: unit tests for the DANE verdict (src/dane_verify.c, through
 * dane_check): what a DANE SMTP client using OpenSSL's DANE support
 * (Postfix) concludes, RFC 7672 §3.1. DANE-EE(3) matches the leaf, name and
 * validity unchecked (§3.1.1); DANE-TA(2) needs the anchor sent, the chain
 * up to it verified at the session's time and the leaf naming the TLSA base
 * domain or the next-hop domain (§3.1.2, §3.2.2). Fixture certificates of
 * pcaps/diag/certs; digests from the openssl command line (below). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certcache.h"
#include "dane.h"
#include "dnslearn.h"
#include "mem.h"
#include "tlsa.h"
#include "tu_certs.h"

#define DIAG(n) SRCDIR "/pcaps/diag/certs/" n

/* openssl x509 -in intermediate.pem -noout -pubkey | openssl pkey -pubin -outform DER |
 *   openssl dgst -sha256 (selector 1); -outform DER | openssl dgst -sha256 (selector 0) */
#define INT_1_1 "27e2675198621958cb3f79567c870aed775c1ad65bdf8b857795cd972a80993f"
#define INT_0_1 "c72b130f5eb3ba88836d57ad80f22a62cf2d7ffb2d0d5a4354e61a9f96c4ec94"
/* other-intermediate.pem, selector 0 */
#define OINT_0_1 "8bd0f80f2d14ae9aa25f387d5996cdad3b5992b6631df960a229d70b9395001b"
/* leaf-expired.pem (mail-expired.example.test, not after 2025-01-01), selector 1 */
#define EXP_1_1 "fd0f2366c0e80e3f044cb497584455d2cc47784f331a572b5317a94aab94f2cc"

/* leaf-weak.pem (RSA 1024, SHA-1 signature), selector 1 */
#define WEAK_1_1 "05d736c0d268583489133a27faf72beba3ad8b762a8d0b68c8a36a2650e767f1"

#define AT_2027 INT64_C(1798761600) /* 2027-01-01T00:00:00Z */
#define AT_2029 INT64_C(1861920000) /* 2029-01-01T00:00:00Z: the 2026 leaves expired */

static uint32_t mx2, expired, inter, other_int, mx2_badsig, weak;

static void
unhex(const char *h, uint8_t *out)
{
    for (size_t i = 0; i < strlen(h) / 2; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static void
add(const char *owner, uint8_t u, uint8_t s, const char *hex)
{
    uint8_t d[32];
    unhex(hex, d);
    assert_int_equal(tlsa_add(owner, u, s, 1, d, 32, true, TLSA_SRC_FILE), 0);
}

static struct dane_result
check(const char *name, const uint32_t *chain, unsigned n, int64_t at)
{
    struct dane_result r;
    const char *names[1] = {name};
    dane_check(25, names, 1, chain, n, at, &r);
    return r;
}

/* The first next-hop domain of base, NULL when none */
static const char *
hop1(const char *base)
{
    const char *hops[DANE_NEXTHOPS_MAX];
    return dane_nexthops(base, hops, DANE_NEXTHOPS_MAX, NULL) ? hops[0] : NULL;
}

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    certcache_init(100);
    dnslearn_init(100);
    tlsa_init(100);
    mx2 = tu_cert_add_pem(DIAG("leaf-mx2.pem"));
    expired = tu_cert_add_pem(DIAG("leaf-expired.pem"));
    inter = tu_cert_add_pem(DIAG("intermediate.pem"));
    other_int = tu_cert_add_pem(DIAG("other-intermediate.pem"));
    weak = tu_cert_add_pem(DIAG("leaf-weak.pem"));
    /* leaf-mx2 with its signature's last byte changed */
    X509 *x = tu_cert_load_pem(DIAG("leaf-mx2.pem"));
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    der[n - 1] ^= 1;
    mx2_badsig = certcache_add(der, (size_t)n);
    assert_true(mx2_badsig > 0);
    OPENSSL_free(der);
    X509_free(x);
    /* DANE-TA(2) of the intermediate for mx2's name, for another name, for
     * an expired leaf's; DANE-EE(3) of the expired leaf */
    add("_25._tcp.mx2.example.test", 2, 1, INT_1_1);
    add("_25._tcp.mx-a.example.test", 2, 1, INT_1_1);
    add("_25._tcp.mail-expired.example.test", 2, 1, INT_1_1);
    add("_25._tcp.ee-expired.example.test", 3, 1, EXP_1_1);
    add("_25._tcp.full.example.test", 2, 0, INT_0_1);
    add("_25._tcp.other.example.test", 2, 0, OINT_0_1);
    add("_25._tcp.weak.example.test", 2, 1, INT_1_1);
    add("_25._tcp.weak-ee.example.test", 3, 1, WEAK_1_1);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    dane_fini();
    tlsa_fini();
    dnslearn_fini();
    certcache_free();
    return 0;
}

/* DANE-TA on the intermediate sent, the leaf naming the base domain */
static void
test_ta_match(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    struct dane_result r = check("mx2.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    assert_int_equal(r.match_depth, 1);
    assert_int_equal(r.why, 0);
    assert_null(dane_failure_word(&r));
}

/* the anchor's digest is sent, but the leaf names neither the base domain
 * nor (until a DNS answer says so) the next hop: Postfix fails it */
static void
test_ta_wrong_name(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    struct dane_result r = check("mx-a.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_NAME);
    assert_int_equal(r.match_usage, 2);
    assert_int_equal(r.verify_error, X509_V_ERR_HOSTNAME_MISMATCH);
    assert_string_equal(dane_failure_word(&r), "name");
    /* mx-a.example.test is the MX of mx2.example.test: the next-hop
     * domain is a reference identifier too (RFC 7672 §3.2.2) */
    dnslearn_mx("mx2.example.test", "mx-a.example.test", 0);
    r = check("mx-a.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
}

/* the anchor not sent: nothing to match (RFC 7671 §5.2.2) */
static void
test_ta_not_sent(void **state)
{
    (void)state;
    const uint32_t chain[1] = {mx2};
    struct dane_result r = check("mx2.example.test", chain, 1, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, 0);
    assert_string_equal(dane_failure_word(&r), "no_match");
}

/* expiry is checked under DANE-TA (§3.1.2), not under DANE-EE (§3.1.1) */
static void
test_expired_ta_ee(void **state)
{
    (void)state;
    const uint32_t chain[2] = {expired, inter};
    struct dane_result r = check("mail-expired.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_EXPIRED);
    assert_int_equal(r.verify_error, X509_V_ERR_CERT_HAS_EXPIRED);
    assert_int_equal(r.error_depth, 0);
    assert_string_equal(dane_failure_word(&r), "expired");
    /* under DANE-EE, names nothing of the leaf's either */
    r = check("ee-expired.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 3);
    assert_int_equal(r.match_depth, 0);
}

/* 2 0 1 (the certificate) as 2 1 1 (its key); another CA's: no match */
static void
test_selectors(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    struct dane_result r = check("full.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH); /* the name: full.example.test */
    assert_int_equal(r.why, DANE_WHY_NAME);
    dnslearn_mx("mx2.example.test", "full.example.test", 0);
    r = check("full.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_depth, 1);
    dnslearn_mx("mx2.example.test", "other.example.test", 0);
    r = check("other.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, 0);
}

/* the anchor sent, the leaf's signature by it broken */
static void
test_ta_signature(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2_badsig, inter};
    struct dane_result r = check("mx2.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_true(r.why & DANE_WHY_SIGNATURE);
    assert_string_equal(dane_failure_word(&r), "signature");
}

/* a 1024-bit RSA leaf signed with SHA-1: Postfix's security level 0
 * holds no key or digest to a strength, under DANE-TA or DANE-EE (at
 * OpenSSL 3.2's default level 2 it would be "EE certificate key too weak") */
static void
test_weak_leaf(void **state)
{
    (void)state;
    const uint32_t chain[2] = {weak, inter};
    struct dane_result r = check("weak.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    r = check("weak-ee.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 3);
}

/* one verdict per (chain, RRset, next hop) while no validity starts or
 * ends; a session after the leaf expired is judged again */
static void
test_cache(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    struct dane_result r = check("mx2.example.test", chain, 2, AT_2027);
    uint64_t computed = dane_verify_computed(), cached = dane_verify_cached();
    r = check("mx2.example.test", chain, 2, AT_2027 + 86400);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(dane_verify_computed(), computed);
    assert_int_equal(dane_verify_cached(), cached + 1);
    r = check("mx2.example.test", chain, 2, AT_2029);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_EXPIRED);
    assert_int_equal(dane_verify_computed(), computed + 1);
    /* a record added to the RRset: judged again */
    add("_25._tcp.mx2.example.test", 3, 1, EXP_1_1);
    r = check("mx2.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(dane_verify_computed(), computed + 2);
}

/* A record of matching type 0 (RFC 6698 §2.1.3) with the DER of the
 * certificate at path (selector 0) or of its key (1); flip: its last byte
 * changed. */
static void
add_full(const char *owner, uint8_t u, uint8_t sel, const char *path, bool flip)
{
    X509 *x = tu_cert_load_pem(path);
    unsigned char *der = NULL;
    int n = sel == 0 ? i2d_X509(x, &der) : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
    assert_true(n > 0);
    if (flip)
        der[n - 1] ^= 1;
    assert_int_equal(tlsa_add(owner, u, sel, 0, der, (size_t)n, true, TLSA_SRC_FILE), 0);
    OPENSSL_free(der);
    X509_free(x);
}

/* DANE-TA(2) 2 0 0 and 2 1 0: the intermediate's certificate or key in
 * the record anchors a chain that does not include it (RFC 7671 §5.2.2,
 * RFC 7672 §3.1.2; Postfix, OpenSSL's DANE); sent, it is an anchor sent */
static void
test_ta_full_not_sent(void **state)
{
    (void)state;
    const uint32_t leaf[1] = {mx2}, chain[2] = {mx2, inter};
    add_full("_25._tcp.ta-cert.example.test", 2, 0, DIAG("intermediate.pem"), false);
    add_full("_25._tcp.ta-key.example.test", 2, 1, DIAG("intermediate.pem"), false);
    add_full("_25._tcp.ta-other.example.test", 2, 0, DIAG("other-intermediate.pem"), false);
    dnslearn_mx("mx2.example.test", "ta-cert.example.test", 0); /* the leaf names mx2 */
    dnslearn_mx("mx2.example.test", "ta-key.example.test", 0);
    dnslearn_mx("mx2.example.test", "ta-other.example.test", 0);
    struct dane_result r = check("ta-cert.example.test", leaf, 1, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    assert_true(r.anchor_from_record);
    r = check("ta-key.example.test", leaf, 1, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_true(r.anchor_from_record);
    r = check("ta-cert.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_depth, 1);
    assert_false(r.anchor_from_record);
    /* an anchor that did not issue the leaf; the anchor's leaf expired */
    r = check("ta-other.example.test", leaf, 1, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_string_equal(dane_failure_word(&r), "no_match");
    r = check("ta-cert.example.test", leaf, 1, AT_2029);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_EXPIRED);
}

/* DANE-EE(3) 3 0 0 and 3 1 0: the leaf, byte for byte */
static void
test_ee_full(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    add_full("_25._tcp.ee-cert.example.test", 3, 0, DIAG("leaf-mx2.pem"), false);
    add_full("_25._tcp.ee-key.example.test", 3, 1, DIAG("leaf-mx2.pem"), false);
    add_full("_25._tcp.ee-bad.example.test", 3, 0, DIAG("leaf-mx2.pem"), true);
    add_full("_25._tcp.ee-int.example.test", 3, 0, DIAG("intermediate.pem"), false);
    struct dane_result r = check("ee-cert.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 3);
    assert_false(r.anchor_from_record);
    r = check("ee-key.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    r = check("ee-bad.example.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    r = check("ee-int.example.test", chain, 2, AT_2027); /* not the leaf */
    assert_int_equal(r.state, DANE_MISMATCH);
}

/* RFC 7672 §2.2.2: the MX host cnmx.example.test of the domain
 * mx2.example.test is a CNAME of host.provider.test, whose RRset
 * (DANE-TA of the intermediate) is the one a DANE sender uses when the
 * expansion is validated; the leaf names mx2.example.test, the next-hop
 * domain (§3.2.2), known through the CNAME. The MX host's own name before
 * the expansion is no reference identifier: Postfix 3.7 fails it
 * ("hostname mismatch", pcaps/diag/dane-anchor.pcap). Not validated: the
 * MX host's own RRset. */
static void
test_cname(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    add("_25._tcp.host.provider.test", 2, 1, INT_1_1);
    add("_25._tcp.host2.provider.test", 2, 1, INT_1_1);
    add("_25._tcp.ins.example.test", 2, 1, INT_1_1);
    dnslearn_mx("mx2.example.test", "cnmx.example.test", 0);
    /* the session's name: the SNI, the A answer's owner: the expanded name */
    struct dane_result r = check("host.provider.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH); /* no CNAME known: no next hop */
    assert_int_equal(r.why, DANE_WHY_NAME);
    dnslearn_cname("cnmx.example.test", "host.provider.test", true, 0);
    r = check("host.provider.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    assert_string_equal(hop1("host.provider.test"), "mx2.example.test");
    /* the leaf naming the MX host before its expansion: not accepted */
    dnslearn_mx("cn.example.test", "mx2.example.test", 0);
    dnslearn_cname("mx2.example.test", "host3.provider.test", true, 0);
    add("_25._tcp.host3.provider.test", 2, 1, INT_1_1);
    r = check("host3.provider.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_NAME);
    assert_string_equal(hop1("host3.provider.test"), "cn.example.test");
    /* an expansion not validated: the original name's RRset */
    dnslearn_mx("mx2.example.test", "ins.example.test", 0);
    dnslearn_cname("ins.example.test", "host2.provider.test", false, 0);
    uint32_t first = dane_lookup(25, "host2.provider.test");
    assert_int_equal(first, tlsa_find("_25._tcp.ins.example.test"));
    r = check("host2.provider.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);    /* next hop mx2.example.test */
    assert_null(hop1("host2.provider.test")); /* not validated */
    /* validated, the expanded name without an RRset: the original's */
    dnslearn_mx("cn3.example.test", "q3.example.test", 0);
    dnslearn_cname("q3.example.test", "r3.provider.test", true, 0);
    add("_25._tcp.q3.example.test", 2, 1, INT_1_1);
    assert_int_equal(dane_lookup(25, "r3.provider.test"), tlsa_find("_25._tcp.q3.example.test"));
    assert_int_equal(dane_lookup(25, "q3.example.test"), tlsa_find("_25._tcp.q3.example.test"));
}

/* x with the extension nid of value v, signed again with key */
static void
add_ext(X509 *x, int nid, const char *v, EVP_PKEY *key)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, nid, v);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
}

static uint32_t
add_x509(X509 *x, unsigned char **der, int *n)
{
    *n = i2d_X509(x, der);
    assert_true(*n > 0);
    uint32_t id = certcache_add(*der, (size_t)*n);
    assert_true(id > 0);
    return id;
}

/* DANE-TA(2) 2 0 0 of a CA certificate longer than 8192 bytes (a long
 * comment in it), not sent: it anchors the leaf it issued as a shorter
 * one does (RFC 7671 §5.2.2). Its data had been kept only as a SHA-256
 * past 8192 bytes, given to OpenSSL as a 2 0 1 record, which matches a
 * certificate sent only: a wrong no_match. */
static void
test_ta_full_long(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    time_t nb = (time_t)(AT_2027 - 86400 * 365), na = (time_t)(AT_2027 + 86400 * 365);
    X509 *ca = tu_make_cert("Long Anchor CA", "Long Anchor CA", key, true,
                            "critical,keyCertSign,cRLSign", nb, na, NULL);
    static char comment[9001];
    memset(comment, 'A', sizeof(comment) - 1);
    add_ext(ca, NID_netscape_comment, comment, key);
    X509 *leaf = tu_make_cert("long.example.test", "Long Anchor CA", key, false,
                              "critical,digitalSignature", nb, na, NULL);
    add_ext(leaf, NID_subject_alt_name, "DNS:long.example.test", key);
    unsigned char *ca_der = NULL, *leaf_der = NULL;
    int ca_len, leaf_len;
    (void)add_x509(ca, &ca_der, &ca_len);
    assert_true(ca_len > 8192);
    const uint32_t chain[1] = {add_x509(leaf, &leaf_der, &leaf_len)};
    assert_int_equal(
        tlsa_add("_25._tcp.long.example.test", 2, 0, 0, ca_der, (size_t)ca_len, true, TLSA_SRC_DNS),
        0);
    const struct tlsa_ent *t = tlsa_get(tlsa_find("_25._tcp.long.example.test"));
    assert_non_null(t->full); /* kept as published */
    struct dane_result r = check("long.example.test", chain, 1, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    assert_true(r.anchor_from_record);
    OPENSSL_free(ca_der);
    OPENSSL_free(leaf_der);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(key);
}

/* A pool: MX hosts of two domains, pa.first.test (of first.test) and
 * pb.second.test (of mx2.example.test), both CNAMEs of host.pool.test.
 * Every alias counts: the leaf names mx2.example.test, the next-hop domain
 * of the second alias (it had been checked against first.test's only:
 * failure name); not validated, the RRset of whichever alias has one (it
 * had been the first alias's only: none, no DANE result). */
static void
test_cname_pool(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    add("_25._tcp.host.pool.test", 2, 1, INT_1_1);
    dnslearn_mx("first.test", "pa.first.test", 0);
    dnslearn_mx("mx2.example.test", "pb.second.test", 0);
    dnslearn_cname("pa.first.test", "host.pool.test", true, 0);
    dnslearn_cname("pb.second.test", "host.pool.test", true, 0);
    const char *hops[DANE_NEXTHOPS_MAX];
    assert_int_equal(dane_nexthops("host.pool.test", hops, DANE_NEXTHOPS_MAX, NULL), 2);
    assert_string_equal(hops[0], "first.test");
    assert_string_equal(hops[1], "mx2.example.test");
    assert_int_equal(dane_nexthops("host.pool.test", hops, 1, NULL), 1); /* bounded by max */
    struct dane_result r = check("host.pool.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    /* not validated: the RRset of the alias that has one */
    add("_25._tcp.qb.second.test", 2, 1, INT_1_1);
    dnslearn_mx("first.test", "qa.first.test", 0);
    dnslearn_mx("mx2.example.test", "qb.second.test", 0);
    dnslearn_cname("qa.first.test", "host2.pool.test", false, 0);
    dnslearn_cname("qb.second.test", "host2.pool.test", false, 0);
    assert_int_equal(dane_lookup(25, "host2.pool.test"), tlsa_find("_25._tcp.qb.second.test"));
    assert_int_equal(dane_nexthops("host2.pool.test", hops, DANE_NEXTHOPS_MAX, NULL), 0);
    r = check("host2.pool.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH); /* base qb.second.test, next hop mx2.example.test */
}

/* A hosting provider's MX host mx.hoster.test, the MX of cust1.test and
 * then of mx2.example.test: every domain is a next-hop domain (RFC 7672
 * §3.2.2), and the leaf naming the second passes the DANE-TA(2) record
 * (it had been checked against cust1.test's only: failure name); through
 * a validated CNAME to the hoster's host too. */
static void
test_mx_hoster(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    add("_25._tcp.mx.hoster.test", 2, 1, INT_1_1);
    dnslearn_mx("cust1.test", "mx.hoster.test", 0);
    struct dane_result r = check("mx.hoster.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH); /* only cust1.test known */
    assert_int_equal(r.why, DANE_WHY_NAME);
    dnslearn_mx("mx2.example.test", "mx.hoster.test", 0);
    const char *hops[DANE_NEXTHOPS_MAX];
    assert_int_equal(dane_nexthops("mx.hoster.test", hops, DANE_NEXTHOPS_MAX, NULL), 2);
    assert_string_equal(hops[0], "cust1.test");
    assert_string_equal(hops[1], "mx2.example.test");
    assert_int_equal(dane_nexthops("mx.hoster.test", hops, 1, NULL), 1); /* bounded by max */
    r = check("mx.hoster.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.match_usage, 2);
    /* mx.alias.test, the MX host of both, a validated CNAME of host.hoster.test */
    add("_25._tcp.host.hoster.test", 2, 1, INT_1_1);
    dnslearn_mx("cust1.test", "mx.alias.test", 0);
    dnslearn_mx("mx2.example.test", "mx.alias.test", 0);
    dnslearn_cname("mx.alias.test", "host.hoster.test", true, 0);
    assert_int_equal(dane_nexthops("host.hoster.test", hops, DANE_NEXTHOPS_MAX, NULL), 2);
    r = check("host.hoster.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
}

/* A hosting provider's MX host with more domains in the capture than
 * were kept as next hops: its 9th domain is checked (DNSLEARN_MX_DOMAINS
 * and DANE_NEXTHOPS_MAX were 8: the leaf naming it failed on the name);
 * past the cap (32), a leaf naming none of the domains kept is not a
 * failure claimed (DANE_UNDECIDED, "name_undecided", RFC 7672 §3.2.2),
 * nor is one naming none through a CNAME pool past DNSLEARN_CNAME_ALIASES;
 * a failure besides the name is still claimed. */
static void
test_nexthops_capped(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    char dom[64];
    const char *hops[DANE_NEXTHOPS_MAX];
    bool capped = true;
    add("_25._tcp.mx.big.test", 2, 1, INT_1_1);
    for (unsigned i = 0; i < 8; i++) {
        snprintf(dom, sizeof(dom), "c%u.big.test", i);
        dnslearn_mx(dom, "mx.big.test", 0);
    }
    dnslearn_mx("mx2.example.test", "mx.big.test", 0); /* the 9th */
    assert_int_equal(dane_nexthops("mx.big.test", hops, DANE_NEXTHOPS_MAX, &capped), 9);
    assert_false(capped);
    struct dane_result r = check("mx.big.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    /* 32 domains, then the leaf's as the 33rd: not kept */
    add("_25._tcp.mx.huge.test", 2, 1, INT_1_1);
    for (unsigned i = 0; i < DNSLEARN_MX_DOMAINS; i++) {
        snprintf(dom, sizeof(dom), "c%u.huge.test", i);
        dnslearn_mx(dom, "mx.huge.test", 0);
    }
    assert_int_equal(dane_nexthops("mx.huge.test", hops, DANE_NEXTHOPS_MAX, &capped),
                     DNSLEARN_MX_DOMAINS);
    assert_false(capped);
    r = check("mx.huge.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MISMATCH); /* all known: a failure */
    assert_string_equal(dane_failure_word(&r), "name");
    dnslearn_mx("mx2.example.test", "mx.huge.test", 0);
    dane_nexthops("mx.huge.test", hops, DANE_NEXTHOPS_MAX, &capped);
    assert_true(capped);
    r = check("mx.huge.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_UNDECIDED);
    assert_int_equal(r.why, DANE_WHY_NAME);
    assert_string_equal(dane_failure_word(&r), "name_undecided");
    assert_true(dane_nexthops("mx.huge.test", hops, 4, &capped) == 4 && capped); /* max */
    /* expired as well (2029): a failure, whatever the name */
    r = check("mx.huge.test", chain, 2, AT_2029);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_true(r.why & DANE_WHY_EXPIRED);
    /* nine validated CNAMEs of host.cpool.test, the leaf's domain the 9th's */
    add("_25._tcp.host.cpool.test", 2, 1, INT_1_1);
    for (unsigned i = 0; i <= DNSLEARN_CNAME_ALIASES; i++) {
        char mx[64];
        snprintf(mx, sizeof(mx), "mx%u.cpool.test", i);
        snprintf(dom, sizeof(dom), "c%u.cpool.test", i);
        dnslearn_mx(i < DNSLEARN_CNAME_ALIASES ? dom : "mx2.example.test", mx, 0);
        dnslearn_cname(mx, "host.cpool.test", true, 0);
    }
    assert_int_equal(dane_nexthops("host.cpool.test", hops, DANE_NEXTHOPS_MAX, &capped),
                     DNSLEARN_CNAME_ALIASES);
    assert_true(capped);
    r = check("host.cpool.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_UNDECIDED);
}

/* RFC 7672 §2.2.2: the MX host mx7.example.test of mx2.example.test is a
 * CNAME of host7.provider.test not validated, and the only RRset is at the
 * expansion: a DANE sender does not use it, DANE is not checked, and the
 * result says so (it had been DANE_NONE, nothing shown); with an RRset at
 * the MX host's own name, that one is checked and the one not used still
 * named; validated, the expansion's, nothing skipped. */
static void
test_cname_not_validated(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    add("_25._tcp.host7.provider.test", 2, 1, INT_1_1);
    dnslearn_mx("mx2.example.test", "mx7.example.test", 0);
    dnslearn_cname("mx7.example.test", "host7.provider.test", false, 0);
    struct dane_result r = check("host7.provider.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_SKIPPED);
    assert_int_equal(r.first, TLSA_NONE);
    assert_int_equal(r.cname_skipped, tlsa_find("_25._tcp.host7.provider.test"));
    assert_string_equal(r.cname_alias, "mx7.example.test");
    assert_string_equal(r.cname_target, "host7.provider.test");
    assert_null(dane_failure_word(&r));
    r = check("mx7.example.test", chain, 2, AT_2027); /* the SNI the MX host */
    assert_int_equal(r.state, DANE_SKIPPED);
    add("_25._tcp.mx7.example.test", 2, 1, INT_1_1);
    r = check("host7.provider.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH); /* base mx7.example.test, next hop mx2.example.test */
    assert_int_equal(r.first, tlsa_find("_25._tcp.mx7.example.test"));
    assert_int_equal(r.cname_skipped, tlsa_find("_25._tcp.host7.provider.test"));
    dnslearn_cname("mx7.example.test", "host7.provider.test", true, 1); /* validated now */
    r = check("host7.provider.test", chain, 2, AT_2027);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.first, tlsa_find("_25._tcp.host7.provider.test"));
    assert_int_equal(r.cname_skipped, TLSA_NONE);
    assert_null(r.cname_alias);
}

static struct dane_result
check_peer(const char *name, const struct ipaddr *client, const uint32_t *chain, unsigned n)
{
    const char *names[1] = {name};
    struct dane_result r;
    /* decided: no TTL given, a session after the capture's start */
    struct dane_session s = {client, 2000000, 1000000};
    dane_check_peer(25, names, 1, &s, chain, n, AT_2027, &r);
    return r;
}

static struct ipaddr
peer(uint8_t last)
{
    struct ipaddr a;
    memset(&a, 0, sizeof(a));
    a.family = 4;
    memcpy(a.a, (uint8_t[]){198, 51, 100, last}, 4);
    return a;
}

/* Next-hop domains per peer (RFC 7672 §3.2.3): mx.peers.test the MX host
 * of mx2.example.test (the leaf's name), looked up by .1, and of
 * cust.peers.test, looked up by .2. .1's session matches, .2's fails on
 * the name (each its own lookups: scope peer); a peer whose lookups the
 * capture did not see (.9: its resolver elsewhere) and one not known
 * (NULL) are checked against every domain (scope all), as before. An
 * answer sent to more addresses than kept counts for those left out,
 * but alone does not make a peer's scope its own. */
static void
test_nexthops_peer(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    struct ipaddr c1 = peer(1), c2 = peer(2), c9 = peer(9);
    add("_25._tcp.mx.peers.test", 2, 1, INT_1_1);
    dnslearn_mx_to("mx2.example.test", "mx.peers.test", &c1, 0, 0);
    dnslearn_mx_to("cust.peers.test", "MX.peers.test.", &c2, 0, 0);
    assert_int_equal(dnslearn_mx_asked("mx.peers.test", "mx2.example.test", &c1),
                     DNSLEARN_ASKED_YES);
    assert_int_equal(dnslearn_mx_asked("mx.peers.test", "mx2.example.test", &c2),
                     DNSLEARN_ASKED_NO);
    assert_int_equal(dnslearn_mx_asked("mx.peers.test", "mx2.example.test", NULL),
                     DNSLEARN_ASKED_NO);
    struct dane_result r = check_peer("mx.peers.test", &c1, chain, 2);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_PEER);
    assert_int_equal(r.n_nexthops, 1);
    assert_string_equal(r.nexthops[0], "mx2.example.test");
    r = check_peer("mx.peers.test", &c2, chain, 2);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_NAME);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_PEER);
    assert_int_equal(r.n_nexthops, 1);
    assert_string_equal(r.nexthops[0], "cust.peers.test");
    r = check_peer("mx.peers.test", &c9, chain, 2);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_ALL);
    assert_int_equal(r.n_nexthops, 2);
    r = check_peer("mx.peers.test", NULL, chain, 2);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_ALL);
    /* the same answer again, to .2: now .2 looked up both */
    dnslearn_mx_to("mx2.example.test", "mx.peers.test", &c2, 0, 0);
    r = check_peer("mx.peers.test", &c2, chain, 2);
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_PEER);
    assert_int_equal(r.n_nexthops, 2);
    /* over.peers.test's answer sent to 5 addresses, .3 to .7: the 5th not kept */
    for (uint8_t k = 3; k <= 7; k++) {
        struct ipaddr c = peer(k);
        dnslearn_mx_to("over.peers.test", "mx.peers.test", &c, 0, 0);
    }
    struct ipaddr c3 = peer(3), c7 = peer(7);
    assert_int_equal(dnslearn_mx_asked("mx.peers.test", "over.peers.test", &c3),
                     DNSLEARN_ASKED_YES);
    assert_int_equal(dnslearn_mx_asked("mx.peers.test", "over.peers.test", &c7),
                     DNSLEARN_ASKED_MAYBE);
    assert_int_equal(dnslearn_mx_asked("mx.peers.test", "over.peers.test", &c9),
                     DNSLEARN_ASKED_MAYBE);
    r = check_peer("mx.peers.test", &c3, chain, 2); /* over.peers.test only */
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_PEER);
    assert_int_equal(r.n_nexthops, 1);
    r = check_peer("mx.peers.test", &c7, chain, 2); /* maybe alone: every domain */
    assert_int_equal(r.state, DANE_MATCH);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_ALL);
    assert_int_equal(r.n_nexthops, 3);
    /* .1 looked up mx2.example.test, and may have looked up over.peers.test */
    r = check_peer("mx.peers.test", &c1, chain, 2);
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_PEER);
    assert_int_equal(r.n_nexthops, 2);
}

/* A peer's lookups maybe from before the capture (RFC 7672 §3.2.3, RFC
 * 1035 §3.2.1): mx.early.test the MX host of mx2.example.test (the leaf's
 * name), looked up by .1, and of other.early.test, looked up by .2, the
 * largest TTL 60 s (30 s for one answer, the same answer again with 60).
 * .2's session failing on its own domain but passing on .1's: undecided
 * when it began less than 60 s after the capture's first packet (.2 may
 * have delivered for mx2.example.test, its MX answer cached), decided (a
 * mismatch) from then on, and from the start when no other domain saves
 * it; a capture whose start is not known decides nothing of the kind. */
static void
test_nexthops_early(void **state)
{
    (void)state;
    const uint32_t chain[2] = {mx2, inter};
    struct ipaddr c1 = peer(1), c2 = peer(2);
    const char *names[1] = {"mx.early.test"};
    const int64_t cap = INT64_C(1000000000000000); /* the capture's first packet */
    add("_25._tcp.mx.early.test", 2, 1, INT_1_1);
    dnslearn_mx_to("mx2.example.test", "mx.early.test", &c1, 30, cap + 100000);
    dnslearn_mx_to("other.early.test", "mx.early.test", &c2, 20, cap + 200000);
    dnslearn_mx_to("mx2.example.test", "mx.early.test", &c1, 60, cap + 300000);
    assert_int_equal(dnslearn_mx_ttl("MX.early.test."), 60);
    assert_int_equal(dnslearn_mx_ttl("none.early.test"), 0);
    assert_true(dnslearn_first_us() > 0 && dnslearn_first_us() <= cap + 100000);
    struct dane_result r;
    struct dane_session s = {&c2, cap + 1000000, cap};
    dane_check_peer(25, names, 1, &s, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_UNDECIDED);
    assert_int_equal(r.undecided, DANE_UNDECIDED_EARLIER);
    assert_string_equal(dane_failure_word(&r), "name_undecided");
    assert_string_equal(dane_undecided_word(&r), "lookups_before_capture");
    assert_int_equal(r.mx_ttl, 60);
    assert_true(r.decided_from_us == cap + 60 * INT64_C(1000000));
    assert_int_equal(r.nexthop_scope, DANE_SCOPE_PEER);
    assert_string_equal(r.nexthops[0], "other.early.test");
    s.session_us = cap + 60 * INT64_C(1000000); /* the TTL after: decided */
    dane_check_peer(25, names, 1, &s, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_NAME);
    assert_null(dane_undecided_word(&r));
    s.session_us = cap + 1000000;
    s.capture_us = 0; /* not known: not decided */
    dane_check_peer(25, names, 1, &s, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_UNDECIDED);
    assert_true(r.decided_from_us == 0);
    /* .1 early: its own domain passes */
    s.client = &c1;
    dane_check_peer(25, names, 1, &s, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MATCH);
    /* a failure under every domain stays one, however early */
    const uint32_t other_chain[2] = {mx2, other_int};
    add("_25._tcp.mx.late.test", 2, 1, INT_1_1);
    dnslearn_mx_to("a.late.test", "mx.late.test", &c1, 600, cap);
    dnslearn_mx_to("b.late.test", "mx.late.test", &c2, 600, cap);
    names[0] = "mx.late.test";
    s.client = &c2;
    s.capture_us = cap;
    dane_check_peer(25, names, 1, &s, chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MISMATCH);
    assert_int_equal(r.why, DANE_WHY_NAME);
    dane_check_peer(25, names, 1, &s, other_chain, 2, AT_2027, &r);
    assert_int_equal(r.state, DANE_MISMATCH);
    /* a TTL with the high-order bit set: read as 2^31 - 1, not 0 */
    dnslearn_mx_to("c.late.test", "mx.late.test", &c1, UINT32_C(0x80000000), cap);
    assert_int_equal(dnslearn_mx_ttl("mx.late.test"), INT32_MAX);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ta_match),
        cmocka_unit_test(test_ta_wrong_name),
        cmocka_unit_test(test_ta_not_sent),
        cmocka_unit_test(test_expired_ta_ee),
        cmocka_unit_test(test_selectors),
        cmocka_unit_test(test_ta_signature),
        cmocka_unit_test(test_weak_leaf),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_ta_full_not_sent),
        cmocka_unit_test(test_ee_full),
        cmocka_unit_test(test_cname),
        cmocka_unit_test(test_cname_pool),
        cmocka_unit_test(test_ta_full_long),
        cmocka_unit_test(test_mx_hoster),
        cmocka_unit_test(test_cname_not_validated),
        cmocka_unit_test(test_nexthops_capped),
        cmocka_unit_test(test_nexthops_peer),
        cmocka_unit_test(test_nexthops_early),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
