/* \summary: unit tests for findings over several sessions (src/agg_evids.c,
 * src/agg_findings.c): name_mismatch names every distinct name checked, in
 * a fixed order, the first 4 and how many more, with each one's peers
 * sorted by address (it named its first session's name alone); and
 * expired_certificate_served says what to do by the number of server
 * addresses that served the certificate ("replace it on every node" even
 * for a single server); client_rejected_certificate names each certificate
 * with the alerts its clients sent, each with its sessions and peers (the
 * first session's certificate spoke for every alert); a root's subject
 * longer than 199 bytes is quoted whole, and one longer than its 255 bytes
 * ends in "..." (both were cut silently). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "agg_int.h"
#include "certcache.h"
#include "aggregate.h"
#include "config.h"
#include "diagnose.h"
#include "json.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

#define CERT(name) SRCDIR "/tests/data/certs/" name

static const int64_t T2025 = 1748736000; /* 2025-06-01T00:00:00Z */

/* One session of 198.51.100.<client> to 203.0.113.<server>:25 that was sent
 * the chain ids[0..n) with the SNI sni, diagnosed and aggregated. */
static void
feed(uint64_t id, uint8_t client, uint8_t server, const uint32_t *ids, unsigned n, const char *sni)
{
    static struct session_facts f;
    static uint8_t name[64];
    snprintf((char *)name, sizeof(name), "%s", sni);
    tu_chain_facts(&f, ids, n, name);
    tu_agg_feed(tu_agg_record(&f, id, client, server, 25));
}

/* The same, the client answering the server's flight (ServerHelloDone,
 * TLS 1.2) with the fatal alert code: client_rejected_certificate. With no
 * chain (n 0), a TLS 1.3 session whose chain was encrypted (the alert after
 * the ServerHello, its code known). */
static void
feed_alert(uint64_t id, uint8_t client, const uint32_t *ids, unsigned n, int code)
{
    static struct session_facts f;
    tu_chain_facts(&f, ids, n, NULL);
    f.tls.version = 0x0303;
    f.tls.handshake = TLS_HS_FAILED;
    f.tls.alerts[0] = (struct tls_alert){
        .from = 0, .level = 2, .code = (int16_t)code, .after = 14, .after_from = 1};
    f.tls.n_alerts = 1;
    if (n == 0) {
        f.tls.version = 0x0304;
        f.tls.certificates = TLS_CERTS_ENCRYPTED;
        f.tls.alerts[0].after = 2;
    }
    const struct diagnosis *dg = tu_agg_feed(tu_agg_record(&f, id, client, 25, 25));
    assert_true(dg->client_rejected_certificate);
}

static const struct agg_finding *
finding(const char *kind, uint8_t server)
{
    for (uint32_t i = 0; i < agg.n_findings; i++) {
        const struct agg_finding *f = &agg.findings[i];
        if (strcmp(f->kind, kind) == 0 && agg.servers[f->server]->ep.ip.a[3] == server)
            return f;
    }
    fail_msg("no %s finding on 203.0.113.%u", kind, server);
    abort(); /* not reached (fail_msg jumps out); tells the compiler no NULL is returned */
}

/* The names between "the certificate is for " and the end of the list
 * are whole (each ends in ".example.test"), the list ends in ", and N
 * more" when they do not all fit, and the wildcard's rule comes after. */
static void
whole_names(const char *text)
{
    const char *p = strstr(text, "the certificate is for ");
    if (p == NULL)
        fail_msg("no names:\n%s", text);
    p += strlen("the certificate is for ");
    const char *end = strstr(p, ", and ");
    if (end == NULL)
        fail_msg("the list is not told cut (\", and N more\"):\n%s", text);
    for (const char *q = p; q < end;) {
        const char *c = strstr(q, ", ");
        size_t len = (size_t)((c && c < end ? c : end) - q);
        if (len < 13 || memcmp(q + len - 13, ".example.test", 13) != 0)
            fail_msg("a name cut: \"%.*s\"\n%s", (int)len, q, text);
        q += len + 2;
    }
    tu_has(end, " more; *.example.test covers one label only (RFC 6125 section 6.4.3): "
                "x.y.example.test has two there");
}

/* A certificate with more names than a finding's text holds: the list is
 * never cut mid-name (it was, at 200 bytes, silently: "..., *.s-static.ak.
 * facebook.com," and the rest gone), and a wildcard that covers one label
 * where the name has two says so (CASES.md case 4). */
static void
test_many_names_wildcard(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509 *x = tu_make_cert("*.example.test", "*.example.test", key, false,
                           "critical,digitalSignature", T2025 - 86400, T2025 + 86400 * 365, NULL);
    char san[4096] = "DNS:*.example.test";
    for (unsigned i = 0; i < 60; i++) {
        size_t at = strlen(san);
        snprintf(san + at, sizeof(san) - at, ",DNS:host-%02u.department.example.test", i);
    }
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    uint32_t id = tu_cert_add_x509(x);
    X509_free(x);
    EVP_PKEY_free(key);
    feed(1, 10, 25, &id, 1, "x.y.example.test");
    feed(2, 11, 25, &id, 1, "x.y.example.test");
    agg_finish();
    const struct agg_finding *f = finding("name_mismatch", 25);
    tu_has(f->summary, "name checked: x.y.example.test (from sni); the certificate is for "
                       "*.example.test, host-00.department.example.test, ");
    whole_names(f->summary);
    whole_names(f->evidence);
    assert_false(f->summary_cut);
    assert_false(f->evidence_cut);
    assert_true(strlen(f->evidence) < AGG_EVIDENCE_LEN); /* as the schema says */

    /* two names checked against it: each one's rule after the list */
    agg_fini();
    agg_init(&tu_agg_cfg);
    feed(3, 10, 26, &id, 1, "x.y.example.test");
    feed(4, 11, 26, &id, 1, "example.test");
    agg_finish();
    f = finding("name_mismatch", 26);
    tu_has(f->evidence, "names checked: example.test (from sni) in 1 session; x.y.example.test "
                        "(from sni) in 1 session; the certificate is for *.example.test, ");
    tu_has(f->evidence, " more; *.example.test does not cover example.test itself: its * stands "
                        "for one label (RFC 6125 section 6.4.3); *.example.test covers one label "
                        "only (RFC 6125 section 6.4.3): x.y.example.test has two there");
    /* docs/schema-server.md: a finding's evidence is at most 479 bytes
     * (only certificates_not_visible's of several reasons holds more) */
    assert_true(strlen(f->evidence) < AGG_EVIDENCE_LEN);
}

/* Seven names asked of one certificate, in no order: the first four by
 * name, each with its peers by address, then the rest counted. */
static void
test_names_checked(void **state)
{
    (void)state;
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    const char *names[] = {"e.example.test", "d.example.test", "c.example.test", "b.example.test",
                           "a.example.test", "f.example.test", "g.example.test"};
    uint64_t id = 1;
    for (unsigned i = 0; i < 7; i++)
        feed(id++, (uint8_t)(20 - i), 25, chain, 2, names[i]);
    feed(id++, 3, 25, chain, 2, "a.example.test"); /* a second peer: listed first */
    agg_finish();
    const struct agg_finding *f = finding("name_mismatch", 25);
    tu_has(f->summary,
           "): names checked: a.example.test (from sni) in 2 sessions from 198.51.100.3, "
           "198.51.100.16; b.example.test (from sni) in 1 session from 198.51.100.17; "
           "c.example.test (from sni) in 1 session from 198.51.100.18; d.example.test "
           "(from sni) in 1 session from 198.51.100.19; and more (3 sessions); the "
           "certificate is for mail.example.com, smtp.example.com");
    assert_string_equal(f->evidence,
                        "names checked: a.example.test (from sni) in 2 sessions; b.example.test "
                        "(from sni) in 1 session; c.example.test (from sni) in 1 session; "
                        "d.example.test (from sni) in 1 session; and more (3 sessions); the "
                        "certificate is for mail.example.com, smtp.example.com");
    /* the headline speaks of names, not of "the name the peer asked for" */
    tu_has(f->summary,
           "presented a certificate that does not cover the names its peers asked for;");
    /* the finding's peers, in its summary and its record, by address */
    tu_has(f->summary, "(8 sessions, peers 198.51.100.3, 198.51.100.14, 198.51.100.15, "
                       "198.51.100.16, 198.51.100.17, 198.51.100.18 and 2 more;");
}

/* One name alone: the first session's evidence, as before. */
static void
test_one_name(void **state)
{
    (void)state;
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    feed(1, 11, 25, chain, 2, "other.example.test");
    feed(2, 10, 25, chain, 2, "other.example.test");
    agg_finish();
    const struct agg_finding *f = finding("name_mismatch", 25);
    assert_string_equal(f->evidence, "name checked: other.example.test (from sni); the certificate "
                                     "is for mail.example.com, smtp.example.com");
    tu_has(f->summary, "(2 sessions, peers 198.51.100.10, 198.51.100.11;");
    tu_has(f->summary, "does not cover the name the peer asked for;");
}

/* Two certificates, three alerts: each certificate once, with its alerts
 * in a fixed order, each with its sessions and peers by address. */
static void
test_rejects_by_certificate(void **state)
{
    (void)state;
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    uint32_t self = tu_cert_add(CERT("selfsigned.der"));
    feed_alert(1, 12, &self, 1, 46);
    feed_alert(2, 20, chain, 2, 48);
    feed_alert(3, 11, chain, 2, 42);
    feed_alert(4, 10, chain, 2, 42);
    agg_finish();
    const struct agg_finding *f = finding("client_rejected_certificate", 25);
    tu_has(f->summary, "): the client rejected the server certificate CN=SERVER1 (SHA-1 7E2DB46E, "
                       "until 2034-01-01) with certificate_unknown (46) from 198.51.100.12 (1 "
                       "session); the client rejected the server certificate C=DE,O=Example "
                       "Mail,CN=mail.example.com (SHA-1 B9EDF153, until 2034-01-01) with "
                       "bad_certificate (42) from 198.51.100.10, 198.51.100.11 (2 sessions), "
                       "unknown_ca (48) from 198.51.100.20 (1 session)");
    /* the conclusion right after the headline: the chain verifies in the
     * sessions whose chain was seen */
    tu_has(f->summary, "with a fatal alert; in 3 of these 4 sessions the chain verifies against "
                       "smtptap's trust store");
    assert_string_equal(f->evidence,
                        "the client rejected the server certificate CN=SERVER1 (SHA-1 7E2DB46E, "
                        "until 2034-01-01) with certificate_unknown (46) in 1 session; the client "
                        "rejected the server certificate C=DE,O=Example Mail,CN=mail.example.com "
                        "(SHA-1 B9EDF153, until 2034-01-01) with bad_certificate (42) in 2 "
                        "sessions, unknown_ca (48) in 1 session");
}

/* One certificate, several alerts: said once, without its SHA-1; past 4
 * alerts, how many more; past the 6 kept, their sessions. */
static void
test_rejects_more(void **state)
{
    (void)state;
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    const int codes[] = {48, 43, 44, 45, 46, 42, 42};
    for (unsigned i = 0; i < 7; i++)
        feed_alert(i + 1, (uint8_t)(10 + i), chain, 2, codes[i]);
    agg_finish();
    const struct agg_finding *f = finding("client_rejected_certificate", 25);
    assert_string_equal(
        f->evidence, "the client rejected the server certificate C=DE,O=Example "
                     "Mail,CN=mail.example.com with bad_certificate (42) in 2 sessions, "
                     "certificate_expired (45) in "
                     "1 session, certificate_revoked (44) in 1 session, certificate_unknown (46) "
                     "in 1 session; and 2 more alerts (2 sessions): see the JSON "
                     "(rejected_certificates)");
    tu_has(f->summary, "with bad_certificate (42) from 198.51.100.15, 198.51.100.16 (2 sessions), "
                       "certificate_expired (45) from 198.51.100.13 (1 session),");
    /* a seventh code on the same server: not kept, counted */
    agg_fini();
    diagnose_fini();
    certcache_free();
    tu_agg_start(&tu_agg_cfg, CERT("root.pem"));
    chain[0] = tu_cert_add(CERT("leaf.der"));
    chain[1] = tu_cert_add(CERT("inter.der"));
    const int seven[] = {42, 43, 44, 45, 46, 48, -1};
    for (unsigned i = 0; i < 7; i++)
        feed_alert(i + 1, (uint8_t)(10 + i), chain, 2, seven[i]);
    agg_finish();
    tu_has(finding("client_rejected_certificate", 25)->evidence,
           "certificate_revoked (44) in 1 session; and 3 more alerts (3 sessions): see the JSON");
}

/* The finding's JSON record (agg_write_json), as a malloc'd string. */
static char *
finding_json(const char *kind)
{
    char *text = tu_agg_json();
    char want[80];
    snprintf(want, sizeof(want), "\"kind\":\"%s\"", kind);
    char *at = strstr(text, want);
    if (at == NULL)
        fail_msg("no %s record:\n%s", kind, text);
    char *end = strchr(at, '\n');
    size_t len = end ? (size_t)(end - at) : strlen(at);
    char *r = malloc(len + 1);
    assert_non_null(r);
    memcpy(r, at, len);
    r[len] = '\0';
    free(text);
    return r;
}

static unsigned
count(const char *text, const char *what)
{
    unsigned k = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        k++;
    return k;
}

/* A pool of six certificates its clients rejected: the summary lists 4
 * pairs and says how many certificates more (the evidence, in its 480
 * bytes, 2), the JSON has every one with its
 * SHA-256, sessions and alerts (past 4 they were only counted: "and 2 more
 * (2 sessions)"). */
static void
test_rejects_pool(void **state)
{
    (void)state;
    static const char *const files[] = {CERT("leaf.der"),     CERT("selfsigned.der"),
                                        CERT("cnonly.der"),   CERT("ipsan.der"),
                                        CERT("wildcard.der"), CERT("weakkey.der")};
    uint32_t ids[6];
    for (unsigned i = 0; i < 6; i++) {
        ids[i] = tu_cert_add(files[i]);
        feed_alert(i + 1, (uint8_t)(10 + i), &ids[i], 1, 48);
    }
    feed_alert(7, 30, &ids[5], 1, 42);
    agg_finish();
    const struct agg_finding *f = finding("client_rejected_certificate", 25);
    /* the evidence (at most 479 bytes) lists fewer, its tail never cut */
    tu_has(f->evidence,
           "; and 4 more certificates (5 sessions): see the JSON (rejected_certificates)");
    assert_true(strlen(f->evidence) < 480);
    tu_has(f->summary,
           "; and 2 more certificates (3 sessions): see the JSON (rejected_certificates)");
    char *js = finding_json("client_rejected_certificate");
    char *groups = strstr(js, "\"rejected_certificates\":[");
    assert_non_null(groups);
    for (unsigned i = 0; i < 6; i++) {
        char hex[65];
        const struct cert_entry *e = certcache_get(ids[i]);
        for (unsigned k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", e->sha256[k]);
        char want[100];
        snprintf(want, sizeof(want), "{\"sha256\":\"%s\",", hex);
        if (strstr(groups, want) == NULL)
            fail_msg("certificate %u not in rejected_certificates:\n%s", i, js);
    }
    assert_int_equal(count(groups, "{\"sha256\":"), 6);
    tu_has(groups,
           "\"session_count\":2,\"alerts\":[{\"code\":42,\"name\":\"bad_certificate\","
           "\"session_count\":1},{\"code\":48,\"name\":\"unknown_ca\",\"session_count\":1}]}");
    assert_null(strstr(js, "rejected_certificates_not_itemised"));
    assert_null(strstr(js, "inferred_certificates"));
    free(js);
}

/* Past AGG_EVIDS_REJ_MAX (certificate, alert) pairs: the JSON says how many
 * sessions it could not itemise, the text too. */
static void
test_rejects_cap(void **state)
{
    (void)state;
    static const char *const files[] = {CERT("leaf.der"),     CERT("selfsigned.der"),
                                        CERT("cnonly.der"),   CERT("ipsan.der"),
                                        CERT("wildcard.der"), CERT("weakkey.der")};
    static const int codes[] = {42, 43, 44, 45, 46, 48};
    uint64_t id = 1;
    for (unsigned c = 0; c < 6; c++) {
        uint32_t leaf = tu_cert_add(files[c]);
        for (unsigned k = 0; k < 6; k++, id++)
            feed_alert(id, (uint8_t)(10 + id), &leaf, 1, codes[k]);
    }
    agg_finish();
    const struct agg_finding *f = finding("client_rejected_certificate", 25);
    tu_has(f->evidence,
           "; and 2 more alerts (2 sessions), 5 more certificates (26 sessions): see the "
           "JSON (rejected_certificates); 4 sessions more not itemised (past the 32 "
           "certificate and alert pairs kept)");
    char *js = finding_json("client_rejected_certificate");
    tu_has(js, "\"rejected_certificates_not_itemised\":4");
    assert_int_equal(count(js, "\"code\":"), 32);
    free(js);
}

/* One certificate, one alert: the first session's evidence, as before. */
static void
test_rejects_one(void **state)
{
    (void)state;
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    feed_alert(1, 11, chain, 2, 48);
    feed_alert(2, 10, chain, 2, 48);
    agg_finish();
    const struct agg_finding *f = finding("client_rejected_certificate", 25);
    assert_string_equal(f->evidence,
                        "the client rejected the server certificate "
                        "C=DE,O=Example Mail,CN=mail.example.com with unknown_ca (48)");
}

/* A pool its clients rejected, in many sessions from many peers, one of
 * them TLS 1.3 with its chain encrypted: the summary's advice (the chain
 * verifies here: the cause is on the client side) comes right after its
 * headline, never cut (the list of certificates and alerts gives way:
 * pairs left out and counted, the last one cut); the session whose
 * certificate was encrypted is no "more certificate" (it was counted as
 * one). */
static void
test_rejects_summary_fits(void **state)
{
    (void)state;
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    uint32_t self = tu_cert_add(CERT("selfsigned.der"));
    uint32_t cnonly = tu_cert_add(CERT("cnonly.der"));
    uint64_t id = 1;
    for (uint8_t c = 100; c < 106; c++)
        feed_alert(id++, c, chain, 2, 42);
    for (uint8_t c = 110; c < 114; c++)
        feed_alert(id++, c, chain, 2, 48);
    for (uint8_t c = 120; c < 126; c++)
        feed_alert(id++, c, &self, 1, 42);
    for (uint8_t c = 130; c < 134; c++)
        feed_alert(id++, c, &self, 1, 48);
    feed_alert(id++, 140, &cnonly, 1, 46);
    feed_alert(id++, 150, NULL, 0, 48); /* its chain not seen */
    agg_finish();
    const struct agg_finding *f = finding("client_rejected_certificate", 25);
    const char *advice = "203.0.113.25:25 had its certificate rejected by peers with a fatal "
                         "alert; in 10 of these 22 sessions the chain verifies against smtptap's "
                         "trust store up to the root ";
    const char *end = "(or the client expects another name): the cause is on the client side (22 "
                      "sessions, peers ";
    if (strncmp(f->summary, advice, strlen(advice)) != 0 || strstr(f->summary, end) == NULL)
        fail_msg("the summary does not begin with its advice:\n%s", f->summary);
    /* pairs left out to make room, counted; the encrypted one apart */
    tu_has(f->summary,
           "; and 1 more alert (4 sessions), 2 more certificates (11 sessions), and 1 "
           "session whose certificate was encrypted (one of those above, inferred): see "
           "the JSON (rejected_certificates)");
    tu_has(f->evidence, "; and 1 more certificate (1 session), and 1 session whose certificate was "
                        "encrypted: see the JSON (rejected_certificates)");
    assert_true(strlen(f->evidence) < AGG_EVIDENCE_LEN); /* schema-server.md: 479 bytes */
}

/* An expired certificate on one address, then on two. */
static void
test_expired_addresses(void **state)
{
    (void)state;
    uint32_t old = tu_cert_add(CERT("expired.der"));
    feed(1, 10, 25, &old, 1, "old.example.com");
    feed(2, 10, 26, &old, 1, "old.example.com");
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    feed(3, 10, 27, chain, 2, "mail.example.com");
    agg_finish();
    tu_has(finding("expired_certificate_served", 25)->summary,
           "; replace it on every server address that presents it (2 in this capture)");
    tu_has(finding("expired_certificate_served", 26)->summary,
           "; replace it on every server address that presents it (2 in this capture)");
}

static void
test_expired_one_address(void **state)
{
    (void)state;
    uint32_t old = tu_cert_add(CERT("expired.der"));
    feed(1, 10, 25, &old, 1, "old.example.com");
    agg_finish();
    tu_has(finding("expired_certificate_served", 25)->summary,
           "; replace it and reload the server");
}

/* A certificate served while valid to 198.51.100.10 (2025), then past its
 * notAfter (2034-01-01) to 198.51.100.11: expired_certificate_served names
 * the peers that got it expired, and the times they did, not the one that
 * got it in time, in its sentence and its peers alike. */
static void
test_expired_who(void **state)
{
    (void)state;
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    feed(1, 10, 25, chain, 2, "mail.example.com");
    /* session ids are seconds after 2025-06-01 (tu_agg_record): 2034-01-02 */
    uint64_t late = (uint64_t)(2019772800 - T2025);
    feed(late, 11, 25, chain, 2, "mail.example.com");
    feed(late + 1, 12, 25, chain, 2, "mail.example.com");
    agg_finish();
    const struct agg_finding *f = finding("expired_certificate_served", 25);
    tu_has(f->summary, " (2 sessions, peers 198.51.100.11, 198.51.100.12; ");
    assert_null(strstr(f->summary, "198.51.100.10"));
    /* the finding's peers (the JSON's) are the same two */
    assert_int_equal(f->peers.n, 2);
    assert_int_equal(f->sessions, 2);
}

/* Name-level mixed_pool findings (f->name set) of kind mixed_pool. */
static unsigned
named_pools(void)
{
    unsigned k = 0;
    for (uint32_t i = 0; i < agg.n_findings; i++)
        k += agg.findings[i].name != NULL && strcmp(agg.findings[i].kind, "mixed_pool") == 0;
    return k;
}

/* One name at two addresses where an address serves several certificates.
 * Each a pool (peers got both) serving the same two (DNS round robin over
 * two load-balanced addresses with the same nodes): each address's own
 * mixed_pool says it, the certificates do not differ by address: no
 * name-level one. An address that renewed its certificate (certificate_
 * changed, no pool) while the other serves the new one: nothing differs by
 * address either. A pool address serving both and another serving one
 * (d-name-pool-vip): the name-level one. */
static void
test_name_pool_mixed_eps(void **state)
{
    (void)state;
    uint32_t a[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    uint32_t b = tu_cert_add(CERT("selfsigned.der"));
    const char *n = "mail.example.com";
    for (int round = 0; round < 3; round++) {
        if (round > 0) {
            agg_fini();
            agg_init(&tu_agg_cfg);
        }
        if (round == 1) { /* 25 renewed: b, then a; 26 serves a */
            feed(1, 10, 25, &b, 1, n);
            feed(2, 11, 25, a, 2, n);
            feed(3, 12, 26, a, 2, n);
        } else { /* 25 a pool of a and b */
            feed(1, 10, 25, a, 2, n);
            feed(2, 10, 25, &b, 1, n);
            feed(3, 11, 25, a, 2, n);
            feed(4, 11, 25, &b, 1, n);
            feed(5, 12, 26, &b, 1, n);
            feed(6, 13, 26, &b, 1, n);
        }
        if (round == 0) { /* 26 the same pool */
            feed(7, 12, 26, a, 2, n);
            feed(8, 13, 26, a, 2, n);
        }
        agg_finish();
        if (named_pools() != (round == 2 ? 1u : 0u))
            fail_msg("round %d: %u name-level mixed_pool", round, named_pools());
    }
}

/* A name's mixed_pool lists its peers by address, as a server's finding
 * does, in its summary's tail and its JSON peers: first seen .140, then
 * .10 and .11 (a name keeps its peers in the order it met them). */
static void
test_name_pool_peers_sorted(void **state)
{
    (void)state;
    uint32_t a[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    uint32_t b = tu_cert_add(CERT("selfsigned.der"));
    const char *n = "mail.example.com";
    feed(1, 140, 25, a, 2, n);
    feed(2, 10, 25, a, 2, n);
    feed(3, 11, 26, &b, 1, n);
    agg_finish();
    assert_int_equal(named_pools(), 1);
    const struct agg_finding *f = NULL;
    for (uint32_t i = 0; i < agg.n_findings; i++)
        if (agg.findings[i].name != NULL)
            f = &agg.findings[i];
    assert_non_null(f);
    tu_has(f->summary, " (3 sessions, peers 198.51.100.10, 198.51.100.11, 198.51.100.140)");
    char *json = tu_agg_json();
    const char *pool = strstr(json, "\"kind\":\"mixed_pool\"");
    assert_non_null(pool);
    tu_has(pool, "\"name\":\"mail.example.com\",\"peers\":[\"198.51.100.10\",\"198.51.100.11\","
                 "\"198.51.100.140\"],");
    free(json);
}

/* A chain of a leaf and a root outside the trust store whose subject is
 * CN=Long Root CA and n OUs of 49 bytes: their ids in ids, the start of
 * the root's subject as smtptap prints it in subject. */
static void
long_root_chain(unsigned n, uint32_t ids[2], char *subject, size_t len)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509_NAME *root = X509_NAME_new(), *leaf = X509_NAME_new();
    assert_true(root != NULL && leaf != NULL);
    X509_NAME_add_entry_by_txt(root, "CN", MBSTRING_ASC, (const unsigned char *)"Long Root CA", -1,
                               -1, 0);
    for (unsigned i = 0; i < n; i++) {
        char ou[64];
        snprintf(ou, sizeof(ou), "Department %u of the certification authority, long", i);
        X509_NAME_add_entry_by_txt(root, "OU", MBSTRING_ASC, (const unsigned char *)ou, -1, -1, 0);
    }
    X509_NAME_add_entry_by_txt(leaf, "CN", MBSTRING_ASC, (const unsigned char *)"mail.example.test",
                               -1, -1, 0);
    X509 *certs[2] = {tu_make_cert_named(leaf, root, key, false, "critical,digitalSignature",
                                         T2025 - 86400, T2025 + 86400 * 365, NULL),
                      tu_make_cert_named(root, root, key, true, "critical,keyCertSign,cRLSign",
                                         T2025 - 86400, T2025 + 86400 * 365, NULL)};
    for (unsigned i = 0; i < 2; i++) {
        unsigned char *der = NULL;
        int dl = i2d_X509(certs[i], &der);
        assert_true(dl > 0);
        ids[i] = certcache_add(der, (size_t)dl);
        OPENSSL_free(der);
        X509_free(certs[i]);
    }
    /* RFC 2253 order: the last entry first */
    snprintf(subject, len, "OU=Department %u of the certification authority\\, long", n - 1);
    X509_NAME_free(root);
    X509_NAME_free(leaf);
    EVP_PKEY_free(key);
}

/* untrusted_root quotes the root's subject: one of 232 bytes whole (it
 * was cut at 199 bytes without a word), one past the 255 bytes kept
 * ending in "...", in the evidence and in the summary. */
static void
test_long_root_subject(void **state)
{
    (void)state;
    uint32_t ids[2];
    char head[128];
    long_root_chain(4, ids, head, sizeof(head));
    feed(1, 10, 25, ids, 2, "mail.example.test");
    agg_finish();
    const struct agg_finding *f = finding("untrusted_root", 25);
    /* 4 OUs of 54 bytes and ",CN=Long Root CA": 232 bytes */
    const char *tail = "Department 0 of the certification authority\\, long,CN=Long Root CA";
    tu_has(f->evidence, head);
    tu_has(f->evidence, tail);
    tu_has(f->summary, tail);
    assert_false(f->evidence_cut);

    agg_fini();
    agg_init(&tu_agg_cfg);
    long_root_chain(8, ids, head, sizeof(head));
    feed(2, 10, 26, ids, 2, "mail.example.test");
    agg_finish();
    f = finding("untrusted_root", 26);
    tu_has(f->evidence, head);
    size_t len = strlen(f->evidence);
    assert_true(len > 250 && len < 260);
    assert_string_equal(f->evidence + len - 3, "...");
    assert_null(strstr(f->evidence, "CN=Long Root CA"));
    tu_has(f->summary, "...");
}

/* Two certificates rejected, and a TLS 1.3 session whose chain was
 * encrypted: the chains this server presented are both among the
 * finding's certificates, so its list does not name them again; the
 * encrypted one's pair said "the client rejected the server certificate
 * (one of those above, inferred) with ...", and the evidence "the server
 * certificate with unknown_ca (48)", as if seen. Both say it was
 * encrypted (TLS 1.3), the summary that the one named is inferred, not
 * seen; a summary short of room (compact) too. */
static void
test_rejects_inferred_above(void **state)
{
    (void)state;
    uint32_t cnonly = tu_cert_add(CERT("cnonly.der"));
    uint32_t self = tu_cert_add(CERT("selfsigned.der"));
    feed_alert(1, 10, &cnonly, 1, 42);
    feed_alert(2, 11, &self, 1, 48);
    feed_alert(3, 12, NULL, 0, 48);
    agg_finish();
    const struct agg_finding *f = finding("client_rejected_certificate", 25);
    tu_has(f->summary, "(1 session); the client rejected the server certificate (encrypted, TLS "
                       "1.3: one of those above, inferred, not seen) with unknown_ca (48) from "
                       "198.51.100.12 (1 session)");
    assert_null(strstr(f->summary, "this server presented")); /* not named twice */
    tu_has(f->evidence, "; the client rejected the server certificate (encrypted, TLS 1.3) with "
                        "unknown_ca (48) in 1 session");
    char *js = finding_json("client_rejected_certificate");
    tu_has(js, "\"inferred_certificates\":[{");
    free(js);
    /* a verified chain: the advice after the list leaves it compact */
    agg_fini();
    diagnose_fini();
    certcache_free();
    tu_agg_start(&tu_agg_cfg, CERT("root.pem"));
    uint32_t chain[2] = {tu_cert_add(CERT("leaf.der")), tu_cert_add(CERT("inter.der"))};
    self = tu_cert_add(CERT("selfsigned.der"));
    feed_alert(1, 10, chain, 2, 42);
    feed_alert(2, 11, &self, 1, 48);
    feed_alert(3, 12, NULL, 0, 48);
    agg_finish();
    f = finding("client_rejected_certificate", 25);
    tu_has(f->summary, "; encrypted (TLS 1.3: one of those above, inferred) with unknown_ca (48) "
                       "from 198.51.100.12 (1 session)");
    tu_has(f->summary, "with a fatal alert; in 1 of these 3 sessions the chain verifies");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_checked, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_many_names_wildcard, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_one_name, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejects_by_certificate, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejects_more, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejects_one, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejects_pool, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejects_cap, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejects_summary_fits, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejects_inferred_above, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_expired_addresses, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_expired_one_address, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_expired_who, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_name_pool_mixed_eps, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_name_pool_peers_sorted, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_long_root_subject, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
