/* \summary: unit tests for the terminal report (src/report_text.c) and the
 * finding summaries it shows: bytes of the wire in a server's names (an SNI,
 * a greeting's host) and in the findings that quote them are written as
 * \xNN, never as themselves, so a peer cannot drive the reader's terminal
 * with escape sequences; alerts with their level and handshake step; a leaf
 * without revocation URLs explained once per server; each
 * client chain (mutual TLS) with its own verdict and peers; connections
 * split in two by VLAN tags (vlan_split), their peers' STARTTLS rows not
 * left empty; a finding's session ids in
 * ascending order; what the capture itself lost, at the top. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/x509v3.h>

#include "aggregate.h"
#include "tu_agg.h"
#include "certcache.h"
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "mem.h"
#include "record.h"
#include "report.h"
#include "tu_certs.h"
#include "verify.h"
#include "tu_text.h"

#define CERT(name) SRCDIR "/tests/data/certs/" name

static uint32_t
add(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    return tu_cert_add(path);
}

static const int64_t T2025 = 1748736000; /* 2025-06-01T00:00:00Z: the test chain is valid */

/* What the next feed() makes its session (then forgotten): one direction
 * of a connection split by VLAN tags (engine_vsplit.h), with its tags and
 * the direction it saw (c2s: client to server). */
static struct {
    bool on, c2s;
    uint8_t n_vlan;
    uint16_t vlan[2];
} half;

/* The record of session id, client 198.51.100.<client> to
 * 203.0.113.25:port, its facts in f, ended id seconds into the test day
 * (then reused). */
static struct flow_record *
record(struct session_facts *f, uint64_t id, uint8_t client, uint16_t port)
{
    struct flow_record *rec = tu_agg_record(f, id, client, 25, port);
    if (half.on) {
        rec->vlan_split = true;
        rec->n_vlan = half.n_vlan;
        rec->vlan[0] = half.vlan[0];
        rec->vlan[1] = half.vlan[1];
        rec->pkts[half.c2s ? 0 : 1] = 5;
        memset(&half, 0, sizeof(half));
    }
    return rec;
}

/* One session as record() makes it, diagnosed and aggregated as report.c
 * does. */
static void
feed(struct session_facts *f, uint64_t id, uint8_t client, uint16_t port)
{
    tu_agg_feed(record(f, id, client, port));
}

/* The test chain (tests/data/certs: leaf, intermediate), added to the
 * certificate cache by chain_setup (tu_agg_setup, then the chain). */
static uint32_t chain[2];

static int
chain_setup(void **state)
{
    tu_agg_setup(state);
    chain[0] = add("leaf");
    chain[1] = add("inter");
    return 0;
}

/* f: a TLS session that sent the test chain for smtp.example.com (SNI). */
static void
sent_chain(struct session_facts *f)
{
    static uint8_t sni[] = "smtp.example.com";
    tu_chain_facts(f, chain, 2, sni);
}

/* The terminal report of what was fed (agg_finish: once per test). */
static char *
report_text(void)
{
    agg_finish();
    return tu_agg_text(NULL, NULL);
}

static void
add_alert(struct tls_facts *t, int from, int level, int code, int after, int after_from)
{
    t->alerts[t->n_alerts++] = (struct tls_alert){.from = (uint8_t)from,
                                                  .level = (int16_t)level,
                                                  .code = (int16_t)code,
                                                  .after = (int16_t)after,
                                                  .after_from = (uint8_t)after_from};
}

static void
test_names_escaped(void **state)
{
    (void)state;
    /* a TLS session whose ClientHello named "\x1b]0;pwned\x07mx\xc3\xa9",
     * aggregated undiagnosed */
    static uint8_t sni[] = "\x1b]0;pwned\x07mx\xc3\xa9";
    static struct session_facts f;
    static struct diagnosis dg;
    memset(&f, 0, sizeof(f));
    memset(&dg, 0, sizeof(dg));
    f.smtp.seen = true;
    f.tls.seen = true;
    f.tls.sni.s = sni;
    f.tls.sni.len = (uint32_t)(sizeof(sni) - 1);
    agg_session(record(&f, 1, 10, 25), &dg);
    agg_finish();

    size_t n = 0;
    char *text = tu_agg_text(NULL, &n);
    assert_non_null(strstr(text, "only asked for (SNI): \\x1b]0;pwned\\x07mx\\xc3\\xa9"));
    for (size_t i = 0; i < n; i++)
        assert_true(text[i] == '\n' || ((unsigned char)text[i] >= 0x20 && text[i] != 0x7f &&
                                        (unsigned char)text[i] < 0x80));
    free(text);
}

/* The NAMES section (agg_names.c: one name served from several addresses)
 * shows the name each session was checked against, the client's SNI: its
 * bytes were written as themselves ("NAME \x1b]0;pwned\x07..." retitled
 * the reader's terminal). */
static void
test_name_section_escaped(void **state)
{
    (void)state;
    static uint8_t sni[] = "\x1b]0;pwned\x07mx\xc3\xa9";
    static struct session_facts f;
    for (uint8_t server = 25; server <= 26; server++) {
        tu_chain_facts(&f, chain, 2, sni);
        f.smtp.seen = true;
        tu_agg_feed(tu_agg_record(&f, server, 10, server, 25));
    }
    size_t n = 0;
    agg_finish();
    char *text = tu_agg_text(NULL, &n);
    tu_has(text, "NAME \\x1b]0;pwned\\x07mx\\xc3\\xa9 (from sni): 2 addresses");
    for (size_t i = 0; i < n; i++)
        assert_true(text[i] == '\n' || ((unsigned char)text[i] >= 0x20 && text[i] != 0x7f &&
                                        (unsigned char)text[i] < 0x80));
    free(text);
}

/* Every alert line says its level (fatal too, not only warning) and the
 * handshake step it came after (case 5: "fatal alert 46" after which
 * message); alerts alike but for the step are told apart. */
static void
test_alert_level_and_step(void **state)
{
    (void)state;
    static struct session_facts f;
    sent_chain(&f);
    f.tls.handshake = TLS_HS_FAILED;
    add_alert(&f.tls, 0, 2, 42, 14, 1); /* after ServerHelloDone */
    feed(&f, 1, 10, 25);
    feed(&f, 2, 11, 25);
    sent_chain(&f);
    f.tls.handshake = TLS_HS_FAILED;
    add_alert(&f.tls, 0, 2, 42, 11, 1); /* after the server's Certificate */
    feed(&f, 3, 12, 25);
    sent_chain(&f);
    add_alert(&f.tls, 1, 1, 0, 20, 0); /* close_notify after the client's Finished */
    add_alert(&f.tls, 0, -1, -1, -1, 0);
    f.tls.alerts[1].encrypted = true;
    feed(&f, 4, 13, 25);
    char *text = report_text();
    tu_has(text, "alert from client fatal bad_certificate (42) after ServerHelloDone x2 "
                 "(198.51.100.10, 198.51.100.11)");
    tu_has(text, "alert from client fatal bad_certificate (42) after server Certificate x1 "
                 "(198.51.100.12)");
    tu_has(text, "alert from server warning close_notify (0) after client Finished x1");
    tu_has(text, "alert from client encrypted before any handshake message x1");
    free(text);
}

/* Each certificate of the chain sent below the leaf has, like the leaf, its
 * validity (not before .. not after) and its SHA-1 thumbprint as Exchange
 * prints it (case 1: fingerprints and validity of the whole chain). */
static void
test_chain_thumbprints(void **state)
{
    (void)state;
    static struct session_facts f;
    sent_chain(&f);
    feed(&f, 1, 10, 25);
    char want[160], sha1[41];
    for (unsigned i = 0; i < 20; i++)
        snprintf(sha1 + 2 * i, 3, "%02X", certcache_get(chain[1])->sha1[i]);
    char *text = report_text();
    tu_has(text,
           "      [1] C=DE,O=smtptap Tests,CN=smtptap Test Intermediate CA\n"
           "          issuer     C=DE,O=smtptap Tests,CN=smtptap Test Root CA\n"
           "          valid      2020-01-01T00:00:00Z .. 2039-01-01T00:00:00Z   serial 1001\n");
    snprintf(want, sizeof(want),
             "          thumbprint %s (SHA-1)\n          revocation none given\n    peers ", sha1);
    tu_has(text, want);
    tu_has(text,
           "    revocation none given: SChannel's revocation check cannot succeed\n    chain ");
    assert_null(strstr(text, "OCSP stapled")); /* no client asked */
    free(text);
}

/* How often text from..to holds want. */
static unsigned
count_in(const char *from, const char *to, const char *want)
{
    unsigned n = 0;
    for (const char *p = from; (p = strstr(p, want)) != NULL && p < to; p += strlen(want))
        n++;
    return n;
}

/* A leaf naming no CRL or OCSP responder: what that means for SChannel is
 * said once per server block, at its first such leaf; a renewed leaf of
 * the same server and the intermediates say "none given" alone. Another
 * server's block says it again (each block stands alone). */
static void
test_revocation_explained_once(void **state)
{
    (void)state;
    static struct session_facts f;
    uint32_t other[2] = {add("cnonly"), chain[1]};
    sent_chain(&f);
    feed(&f, 1, 10, 25);
    feed(&f, 2, 10, 587);
    tu_chain_facts(&f, other, 2, NULL);
    feed(&f, 3, 11, 25); /* a second certificate of :25 */
    char *text = report_text();
    const char *why = "revocation none given: SChannel's revocation check cannot succeed\n";
    const char *s25 = strstr(text, "SERVER 203.0.113.25:25 ");
    const char *s587 = strstr(text, "SERVER 203.0.113.25:587 ");
    assert_true(s25 && s587 && s25 < s587);
    const char *end = text + strlen(text);
    assert_int_equal(count_in(s25, s587, why), 1);
    assert_int_equal(count_in(s587, end, why), 1);
    const char *c2 = strstr(s25, "  certificate 2 of 2: ");
    assert_true(c2 && c2 < s587 && strstr(s25, why) < c2);
    tu_has(c2, "    subject    CN=cnonly.example.com");
    const char *r2 = strstr(c2, "    revocation none given\n    chain ");
    assert_true(r2 && r2 < s587);
    assert_int_equal(count_in(s25, s587, "          revocation none given\n"), 2);
    free(text);
}

/* Where the leaf's revocation is checked (its CRL Distribution Points, in
 * order, and its OCSP responder), whether the server stapled OCSP when the
 * client asked (status_request), and, its issuer being neither sent nor
 * trusted (missing_intermediate), where that issuer's certificate is
 * published (caIssuers). */
static void
test_revocation_lines(void **state)
{
    (void)state;
    uint32_t leaf = add("revurls");
    static struct session_facts f;
    uint8_t sni[] = "rev.example.com";
    tu_chain_facts(&f, &leaf, 1, sni);
    f.tls.status_request = true;
    f.tls.ocsp_stapled = TLS_OCSP_STAPLED;
    feed(&f, 1, 10, 25);
    f.tls.ocsp_stapled = TLS_OCSP_NONE;
    feed(&f, 2, 10, 25);
    feed(&f, 3, 11, 25);
    f.tls.ocsp_stapled = TLS_OCSP_UNSEEN; /* the flight not seen: not counted */
    feed(&f, 4, 11, 25);
    f.tls.status_request = false; /* not asked: not counted */
    f.tls.ocsp_stapled = TLS_OCSP_NONE;
    feed(&f, 5, 11, 25);
    char *text = report_text();
    tu_has(text, "\n    revocation CRL http://crl.example.com/inter.crl "
                 "ldap://dc1.corp.example.com/CN=Test%20CA?certificateRevocationList?base "
                 "http://crl2.example.com/inter.crl; OCSP http://ocsp.example.com/\n");
    tu_has(text, "; its issuer's certificate is at http://pki.example.com/inter.crt\n");
    tu_has(text,
           "\n  OCSP stapled in 1 of 3 handshakes whose client asked for it (status_request)\n");
    free(text);
}

/* A self-signed certificate for another name is both UntrustedRoot and
 * SubjectMismatch (case 3: Exchange Online's NDR says SubjectMismatch): the
 * report shows every status that applies, the first one being the
 * exchange_status, in the certificate line and where a summary quotes it. */
/* A certificate whose CRL distribution points name more URLs than are
 * kept and whose only OCSP URL is too long: both said to be cut, each
 * after its label. */
static void
test_revocation_cut(void **state)
{
    (void)state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    X509 *x = tu_make_cert("cut.example.com", "Cut CA", k, false, "digitalSignature",
                           (time_t)T2025 - 86400, (time_t)T2025 + 86400, NULL);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_crl_distribution_points,
                                            "URI:http://a/1.crl,URI:http://b/2.crl,URI:http://c/"
                                            "3.crl,URI:http://d/4.crl,URI:http://e/5.crl");
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
    char aia[400] = "OCSP;URI:http://ocsp.example/";
    memset(aia + strlen(aia), 'x', 300);
    e = X509V3_EXT_conf_nid(NULL, NULL, NID_info_access, aia);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    uint8_t *der = NULL;
    int len = i2d_X509(x, &der);
    assert_true(len > 0);
    uint32_t leaf = certcache_add(der, (size_t)len);
    assert_true(leaf > 0);
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(k);
    static struct session_facts f;
    uint8_t sni[] = "cut.example.com";
    tu_chain_facts(&f, &leaf, 1, sni);
    feed(&f, 1, 10, 25);
    char *text = report_text();
    tu_has(text, "\n    revocation CRL http://a/1.crl http://b/2.crl http://c/3.crl http://d/4.crl "
                 "(more left out); OCSP (more left out)\n");
    free(text);
}

static void
test_every_status(void **state)
{
    (void)state;
    uint32_t ss = add("selfsigned"), ids[2] = {add("leaf"), add("inter")};
    static struct session_facts f;
    uint8_t hybrid[] = "hybrid.domain.com", smtp[] = "smtp.example.com";
    tu_chain_facts(&f, &ss, 1, hybrid);
    feed(&f, 1, 10, 25);
    tu_chain_facts(&f, ids, 2, smtp);
    feed(&f, 2, 11, 25);
    feed(&f, 3, 11, 25);
    tu_chain_facts(&f, &ss, 1, hybrid);
    feed(&f, 4, 10, 25);
    char *text = report_text();
    tu_has(text, "certificate 1 of 2: UntrustedRoot, SubjectMismatch, 2 sessions");
    tu_has(text, "certificate 2 of 2: Valid, 2 sessions");
    tu_has(text, "198.51.100.10 always get CN=SERVER1 (SHA-1 ");
    tu_has(text, ") - UntrustedRoot, SubjectMismatch; 198.51.100.11 always get ");
    free(text);
}

/* A chain that verifies under a leaf that fails the name check: the chain
 * line says the chain verified, not a bare "ok" that reads as "certificate
 * ok" beside SubjectMismatch. */
static void
test_chain_ok_name_fails(void **state)
{
    (void)state;
    static struct session_facts f;
    uint8_t other[] = "other.example.net";
    tu_chain_facts(&f, chain, 2, other);
    feed(&f, 1, 10, 25);
    char *text = report_text();
    tu_has(text, "certificate 1 of 1: SubjectMismatch, 1 session");
    tu_has(text, "    chain      2 certificates sent; chain verified (OpenSSL: ok)\n");
    if (strstr(text, "sent; ok") != NULL)
        fail_msg("a bare ok:\n%s", text);
    free(text);
}

/* A client rejected a chain that smtptap's own verification accepts: the
 * summary says the cause is the client's (its trust store lacks the root,
 * or it expects another name; case 4), for the sessions where that holds. */
static void
test_rejected_but_valid(void **state)
{
    (void)state;
    static struct session_facts f;
    for (uint64_t id = 1; id <= 2; id++) {
        sent_chain(&f);
        f.tls.handshake = TLS_HS_FAILED;
        add_alert(&f.tls, 0, 2, 48, 14, 1); /* unknown_ca after ServerHelloDone */
        feed(&f, id, 10, 25);
    }
    char *text = report_text();
    /* the root named, with its SHA-1 and end of validity (case 1) */
    tu_has(text, "with a fatal alert; the chain verifies against smtptap's trust store up to the "
                 "root C=DE,O=smtptap Tests,CN=smtptap Test Root CA (SHA-1 3B4D0F8A, until "
                 "2040-01-01), so the client's own trust store lacks that root (or the client "
                 "expects another name): the cause is on the client side (2 sessions, ");
    tu_has(text, "  (also tls_handshake_failed: the same sessions as client_rejected_certificate "
                 "above)\n");
    free(text);
    agg_fini();
    agg_init(&tu_agg_cfg);

    /* one of the two sessions asked for a name the leaf does not cover */
    uint8_t sni[] = "smtp.example.com", other[] = "other.example.net";
    for (uint64_t id = 1; id <= 2; id++) {
        tu_chain_facts(&f, chain, 2, id == 1 ? sni : other);
        f.tls.handshake = TLS_HS_FAILED;
        add_alert(&f.tls, 0, 2, 48, 14, 1);
        feed(&f, id, 10, 25);
    }
    text = report_text();
    tu_has(text, "; in 1 of these 2 sessions the chain verifies against smtptap's trust store");
    tu_lacks(text, "test tool");
    free(text);
    agg_fini();
    agg_init(&tu_agg_cfg);

    /* a person's openssl s_client (its default EHLO mail.example.com)
     * rejected the chain on port 25, in both sessions: said, not as an
     * MTA's; on port 587 in one of two: not said (the MTA's
     * rejection stands, its alerts keep the summary's room) */
    static uint8_t s_client[] = "mail.example.com";
    for (uint64_t id = 1; id <= 4; id++) {
        sent_chain(&f);
        f.tls.handshake = TLS_HS_FAILED;
        add_alert(&f.tls, 0, 2, 48, 14, 1);
        if (id != 4) {
            f.smtp.ehlo.s = s_client;
            f.smtp.ehlo.len = sizeof(s_client) - 1;
        }
        feed(&f, id, 10, id <= 2 ? 25 : 587);
    }
    text = report_text();
    tu_has(text, "203.0.113.25:25 had its certificate rejected");
    tu_has(text, "the cause is on the client side; the rejecting clients were test tools, by the "
                 "EHLO name (openssl s_client's mail.example.com, gnutls-cli's server name): a "
                 "person's check with the tool's trust store, not a sending MTA's (2 sessions, ");
    const char *p587 = strstr(text, "203.0.113.25:587 had its certificate rejected");
    assert_non_null(p587);
    const char *tool = strstr(p587, "test tool");
    const char *eol = strchr(p587, '\n');
    assert_true(tool == NULL || tool > eol);
    free(text);
}

/* missing_intermediate: from the wire, a server that did not send its
 * intermediate and a verifier whose store lacks that CA look the same (case
 * 4); the summary says both and names the issuer. The report's end says
 * which trust store smtptap used and how many certificates it holds, and
 * that an empty one makes every chain untrusted. */
static void
test_missing_issuer_and_store(void **state)
{
    (void)state;
    uint32_t leaf = add("leaf");
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    tu_chain_facts(&f, &leaf, 1, sni);
    feed(&f, 1, 10, 25);
    char *text = report_text();
    tu_has(text, "missing_intermediate               [TLS-RPT: validation-failure] "
                 "203.0.113.25:25 sent a chain whose top "
                 "certificate's issuer, C=DE,O=smtptap Tests,CN=smtptap Test Intermediate CA, is "
                 "neither sent nor in smtptap's trust store: either the server does not send its "
                 "intermediate (configure the full chain: leaf + intermediates), or the verifier's "
                 "trust store lacks that CA (it may be a root: add it there) (1 session");
    tu_has(text, " drops\ntrust store: 1 CA certificate from --ca-file " SRCDIR
                 "/tests/data/certs/root.pem\n");
    free(text);

    agg_fini();
    diagnose_fini();
    tu_agg_cfg.n_ca_files = 0; /* --no-system-ca and nothing else */
    char err[256];
    if (diagnose_init(&tu_agg_cfg, err, sizeof(err)) != 0)
        fail_msg("diagnose_init: %s", err);
    agg_init(&tu_agg_cfg);
    text = report_text();
    tu_has(text,
           "\ntrust store: empty: every chain is untrusted (--no-system-ca without --ca-file or "
           "--ca-path)\n");
    free(text);
}

/* server_rejected_client_certificate says per peer what it sent and the
 * alert it got: a peer that sent no certificate is not said to have been
 * refused for another peer's (pcaps/diag/mutual-tls-rejected.pcap). */
static void
test_rejected_clients_per_peer(void **state)
{
    (void)state;
    uint32_t client = add("oleaf");
    static struct session_facts f;
    sent_chain(&f);
    f.tls.handshake = TLS_HS_FAILED;
    f.tls.client_certificate_requested = true;
    f.tls.client_certificates = TLS_CERTS_VISIBLE;
    f.tls.client_chain[f.tls.n_client_chain++] = client;
    add_alert(&f.tls, 1, 2, 48, 15, 0); /* unknown_ca after the client's CertificateVerify */
    feed(&f, 1, 10, 25);
    sent_chain(&f);
    f.tls.handshake = TLS_HS_FAILED;
    f.tls.client_certificate_requested = true;
    f.tls.client_certificates = TLS_CERTS_NONE; /* an empty Certificate */
    add_alert(&f.tls, 1, 2, 40, 16, 0);         /* handshake_failure after ClientKeyExchange */
    feed(&f, 2, 11, 25);
    char *text = report_text();
    tu_has(text, "server_rejected_client_certificate [TLS-RPT: validation-failure] "
                 "203.0.113.25:25 rejected client certificates, "
                 "or required one and got none, with a fatal alert (2 sessions, peers "
                 "198.51.100.10, 198.51.100.11): 198.51.100.10 sent CN=relay.example.org (SHA-1 ");
    tu_has(text, "), refused with unknown_ca (48); 198.51.100.11 sent no certificate, refused with "
                 "handshake_failure (40)\n");
    free(text);
}

/* One leaf sent alone by one peer and with its intermediate by another:
 * two chains, each with the verdict of its own session's diagnosis and its
 * own peer (they had been counted under the leaf, with the first session's
 * verdict for both). */
static void
test_client_chains_apart(void **state)
{
    (void)state;
    static const struct {
        uint8_t peer, n;
        const char *status, *text;
    } rows[] = {
        {10, 1, "PartialChain", "unable to get local issuer certificate"},
        {30, 2, "Valid", "ok"},
        {10, 1, "PartialChain", "unable to get local issuer certificate"},
    };
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        static struct session_facts f;
        static struct diagnosis dg;
        memset(&f, 0, sizeof(f));
        memset(&dg, 0, sizeof(dg));
        f.tls.seen = true;
        f.tls.client_chain[0] = chain[0];
        f.tls.client_chain[1] = chain[1];
        f.tls.n_client_chain = rows[i].n;
        dg.mutual_tls = true;
        dg.verify_error = dg.client_verify_error = -1;
        strcpy(dg.client_exchange_status, rows[i].status);
        strcpy(dg.client_verify_error_text, rows[i].text);
        if (rows[i].n == 1) { /* the leaf alone: its intermediate not sent */
            dg.client_missing_issuer = VERIFY_ISSUER_UNKNOWN;
            strcpy(dg.client_missing_issuer_subject, "CN=Example Intermediate CA");
        }
        agg_session(record(&f, i + 1, rows[i].peer, 25), &dg);
    }
    char *text = report_text();
    const char *leaf_line = "  client certificate C=DE,O=Example Mail,CN=mail.example.com (SHA-1 "
                            "B9EDF153, until 2034-01-01), ";
    char want[512];
    snprintf(want, sizeof(want), "%s%s", leaf_line,
             "1 certificate sent: PartialChain (unable to get local issuer certificate: its "
             "issuer CN=Example Intermediate CA is neither sent nor in the trust store: the "
             "client does not send its intermediate (configure its full chain), or the trust "
             "store lacks that CA), 2 sessions from 198.51.100.10\n");
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof(want), "%s%s", leaf_line,
             "2 certificates sent: Valid, 1 session from 198.51.100.30\n");
    assert_non_null(strstr(text, want));
    free(text);
}

/* A connection split by VLAN tags (the client's direction under VLAN 100,
 * the server's untagged; then QinQ one way): the finding vlan_split, high,
 * says what happened and to run with --ignore-vlan, its evidence from the
 * first half that ended; the server's table says how many of its sessions
 * are halves; the run's last line counts the connections. The finding's
 * session ids are ascending, whatever order the halves ended in. */
static void
test_vlan_split(void **state)
{
    (void)state;
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = true;
    f.smtp.starttls_offered = -1; /* a half: no EHLO and its reply both (the capture's) */
    half.on = true;               /* the server's half ends first */
    feed(&f, 2, 10, 25);
    half.on = half.c2s = true;
    half.n_vlan = 1;
    half.vlan[0] = 100;
    feed(&f, 1, 10, 25);
    agg_finish();
    assert_int_equal(agg_max_severity(), SEV_HIGH);
    char *json = tu_agg_json();
    tu_has(json,
           "\"kind\":\"vlan_split\",\"server\":{\"ip\":\"203.0.113.25\",\"port\":25},\"peers\":"
           "[\"198.51.100.10\"],\"certificates\":[],\"session_count\":2,\"sessions\":[1,2],");
    tu_has(json, "\"evidence\":\"server to client only, untagged; client to server under other "
                 "tags\"}");
    free(json);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.vlan_split = 1;
    char *text = tu_agg_text(&st, NULL);
    tu_has(text, "  high     vlan_split                         203.0.113.25:25 was seen in "
                 "connections whose two directions came under different VLAN tags or tunnel ids (a "
                 "span port or tap that tags one direction only, or each with its own VLAN or "
                 "mirror session): each became two "
                 "one-way halves, judged apart (the client's commands, SNI and alerts apart from "
                 "the server's replies, certificates and alerts); run smtptap again with "
                 "--ignore-vlan (2 sessions, peers 198.51.100.10): server to "
                 "client only, untagged; client to server under other tags\n");
    tu_has(text, "\n  (2 of these sessions are one-way halves of connections whose directions came "
                 "under different VLAN tags or tunnel ids: --ignore-vlan joins them)\n");
    tu_has(text, " 0 drops; 1 connection seen as two one-way halves under different VLAN tags "
                 "or tunnel ids (--ignore-vlan joins them)\n");
    /* the peer's row: nothing of STARTTLS in the halves, said (it was empty, as if cut) */
    tu_has(text, "\n  STARTTLS   198.51.100.10: nothing judged (2 sessions: no EHLO reply, "
                 "STARTTLS or TLS read in them)\n");
    free(text);
    agg_fini();
    agg_init(&tu_agg_cfg);

    half.on = half.c2s = true; /* QinQ one way: outer id first */
    half.n_vlan = 2;
    half.vlan[0] = 300;
    half.vlan[1] = 200;
    feed(&f, 1, 10, 25);
    text = report_text();
    tu_has(text, "(1 session, peers 198.51.100.10): client to server only, VLAN 300/200 "
                 "(outer/inner); server to client under other tags\n");
    tu_has(text, "\n  (1 of these sessions is a one-way half of a connection whose directions came "
                 "under different VLAN tags or tunnel ids: --ignore-vlan joins them)\n");
    tu_has(text, "198.51.100.10: nothing judged (1 session: no EHLO reply, STARTTLS or TLS read "
                 "in it)\n");
    free(text);
}

/* A finding lists its first sessions by id, ascending (docs/schema-server.md),
 * though the aggregation gathers them in the order the sessions ended. */
static void
test_finding_ids_ascending(void **state)
{
    (void)state;
    uint32_t ss = add("selfsigned");
    static struct session_facts f;
    uint8_t sni[] = "hybrid.domain.com";
    static const uint64_t ended[] = {3, 1, 2};
    for (unsigned i = 0; i < 3; i++) {
        tu_chain_facts(&f, &ss, 1, sni);
        feed(&f, ended[i], 10, 25);
    }
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"kind\":\"self_signed\",\"tlsrpt\":\"validation-failure\",\"server\":{"
                 "\"ip\":\"203.0.113.25\",\"port\":25},\"peers\":"
                 "[\"198.51.100.10\"],\"certificates\":[\"");
    const char *k = strstr(json, "\"kind\":\"self_signed\"");
    assert_non_null(k);
    const char *ids = strstr(k, "\"sessions\":");
    assert_non_null(ids);
    assert_memory_equal(ids, "\"sessions\":[1,2,3],", 19);
    free(json);
}

/* Tunnels: one line under the counts says what was taken off and which ids
 * are in the connection key (docs/report.md), and the tunnel headers that
 * could not be; none without a tunnel. */
static void
test_tunnels_line(void **state)
{
    (void)state;
    agg_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.packets = 31;
    char *text = tu_agg_text(&st, NULL);
    if (strstr(text, "tunnels:") != NULL)
        fail_msg("a tunnels line without tunnels:\n%s", text);
    free(text);
    st.tunnels[DECODE_TUN_VXLAN] = 31;
    text = tu_agg_text(&st, NULL);
    tu_has(text, " 0 drops\ntunnels: 31 VXLAN packets decapsulated (the VNI in the connection "
                 "key; --ignore-vlan leaves it out)\n");
    free(text);
    memset(&st, 0, sizeof(st));
    st.tunnels[DECODE_TUN_GRE] = 84;
    st.tunnels[DECODE_TUN_ERSPAN3] = 84;
    st.tun_truncated = 2;
    st.tun_malformed = 1;
    st.tun_too_deep = 1;
    st.tun_oam = 2;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\ntunnels: 84 GRE, 84 ERSPAN III layers taken off (the GRE key or ERSPAN "
                 "session in the connection key; --ignore-vlan leaves them out); 2 tunnel headers "
                 "cut by the snaplen; 1 malformed tunnel header; 1 frame in more than 4 tunnel "
                 "layers, not analysed; 2 Geneve control packets (O bit), not analysed\n");
    free(text);
    memset(&st, 0, sizeof(st));
    st.tun_oam = 1; /* control packets alone: the line, for them */
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\ntunnels: 1 Geneve control packet (O bit), not analysed\n");
    free(text);
    memset(&st, 0, sizeof(st));
    st.tun_malformed = 3;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\ntunnels: 3 malformed tunnel headers\n");
    free(text);
}

/* What the capture lost heads the report (a live run that dropped 99.9 %
 * of its packets said "No findings." and "60076 drops" at the end of the
 * last line); nothing when it lost nothing. */
static void
test_capture_loss(void **state)
{
    (void)state;
    agg_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.packets = 106;
    st.drops = 60076;
    st.truncated_frames = 1;
    char *text = tu_agg_text(&st, NULL);
    const char *head = "CAPTURE LOST PACKETS: 60076 of 60182 (99.8 %) dropped (60076 by the "
                       "kernel, 0 by the interface): sessions and certificates are missing "
                       "from this report; ";
    if (strncmp(text, head, strlen(head)) != 0)
        fail_msg("the report does not begin with \"%s\"\n%s", head, text);
    tu_has(text, "\n\nCAPTURE CUT PACKETS: 1 frame was cut at the capture's snapshot length: ");
    tu_has(text, "capture whole packets (-s 0)\n\nNo SMTP or mail TLS seen: nothing to judge.\n");
    free(text);
    /* frames cut below the file's snapshot length (smtptap -w, editcap):
     * cut after capture, not at the snaplen; -s 0 is no advice for them */
    memset(&st, 0, sizeof(st));
    st.packets = 10;
    st.truncated_frames = 3;
    st.truncated_after_capture = 2;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "CAPTURE CUT PACKETS: 1 frame was cut at the capture's snapshot length: ");
    tu_has(text, "\n\nFRAMES CUT AFTER CAPTURE: 2 frames were cut after capture, below the file's "
                 "snapshot length (by smtptap -w or editcap): their removed bytes cannot be "
                 "analysed; that is expected for an evidence file");
    tu_has(text, "; 3 truncated frames (2 cut after capture), ");
    free(text);
    st.truncated_frames = 2;
    text = tu_agg_text(&st, NULL);
    assert_null(strstr(text, "CAPTURE CUT PACKETS"));
    assert_null(strstr(text, "-s 0"));
    free(text);
    memset(&st, 0, sizeof(st));
    text = tu_agg_text(&st, NULL);
    assert_null(strstr(text, "CAPTURE"));
    free(text);
}

/* A session picked up after its handshake (tls.handshake unseen) is TLS
 * of which nothing can be told: the server's session line says how many
 * (a late capture's rows read "tls 1" with no version or certificate);
 * the sessions with no version and not picked up late, how many. */
static void
test_handshake_unseen(void **state)
{
    (void)state;
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = f.smtp.implicit_tls = true;
    f.tls.seen = true;
    f.tls.handshake = TLS_HS_UNSEEN;
    feed(&f, 1, 20, 465);
    char *text = report_text();
    tu_has(text, "  1 session (1 TLS: 1 picked up after the handshake) from 1 peer, ");
    free(text);
    /* one refused at its ClientHello (no version), one TLS 1.2: the
     * versions added up to fewer than the TLS sessions ("3 TLS: TLSv1.2 1;
     * 1 picked up ..."), the third unaccounted for */
    f.tls.handshake = TLS_HS_FAILED;
    feed(&f, 2, 21, 465);
    f.tls.handshake = TLS_HS_COMPLETE;
    f.tls.version = 0x0303;
    feed(&f, 3, 22, 465);
    text = report_text();
    tu_has(text, "  3 sessions (3 TLS: TLSv1.2 1; 1 picked up after the handshake; 1 with no "
                 "ServerHello read (version unknown)) from 3 peers, ");
    free(text);
}

/* A resumed session linked to the test chain (resume.c) whose full handshake was
 * on another port of the address (Postfix's smtpd on 25 and 587 share one
 * session cache) as session `id` of client .<client> on `port`. */
static void
feed_resumed(uint64_t id, uint8_t client, uint16_t port, uint16_t from_port)
{
    static struct session_facts r;
    sent_chain(&r);
    tu_resumed_facts(&r, chain, 2, from_port);
    feed(&r, id, client, port);
}

/* A session made on 25 and resumed on 587: under 587, its chain with the
 * verdict it got on 25, said to be from there, and no certificate said to
 * be sent on 587; on 25, its own resumption as before. A chain presented on
 * 587 too: counted there, a part of its resumed sessions from 25. */
static void
test_resumed_elsewhere(void **state)
{
    (void)state;
    static struct session_facts f;
    sent_chain(&f);
    feed(&f, 1, 10, 25);
    feed_resumed(2, 11, 587, 25);
    feed_resumed(3, 12, 587, 25);
    feed_resumed(4, 10, 25, 25);
    feed(&f, 5, 13, 465);
    feed_resumed(6, 13, 465, 465);
    feed_resumed(7, 14, 465, 25);
    char *text = report_text();
    tu_has(text, "SERVER 203.0.113.25:587");
    tu_has(text,
           "  certificate 1 of 1: Valid (chain verified on 203.0.113.25:25, names asked here), "
           "not sent here: 2 sessions resumed from 203.0.113.25:25, ");
    tu_has(text, "    chain      2 certificates, sent on 203.0.113.25:25\n");
    tu_has(text, "  certificate 1 of 1: Valid, 1 session (+1 resumed), ");
    tu_has(text, "  certificate 1 of 1: Valid, 1 session (+2 resumed, 1 from 203.0.113.25:25), ");
    free(text);
}

/* Tests with the aggregation set up (tu_agg_setup), and the test chain
 * added too (chain_setup). */
#define AGG_TEST(t)   cmocka_unit_test_setup_teardown(t, tu_agg_setup, tu_agg_teardown)
#define CHAIN_TEST(t) cmocka_unit_test_setup_teardown(t, chain_setup, tu_agg_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        AGG_TEST(test_names_escaped),
        CHAIN_TEST(test_name_section_escaped),
        CHAIN_TEST(test_alert_level_and_step),
        CHAIN_TEST(test_chain_thumbprints),
        AGG_TEST(test_revocation_lines),
        CHAIN_TEST(test_revocation_explained_once),
        AGG_TEST(test_revocation_cut),
        AGG_TEST(test_every_status),
        CHAIN_TEST(test_chain_ok_name_fails),
        CHAIN_TEST(test_rejected_but_valid),
        AGG_TEST(test_missing_issuer_and_store),
        CHAIN_TEST(test_rejected_clients_per_peer),
        AGG_TEST(test_handshake_unseen),
        CHAIN_TEST(test_client_chains_apart),
        AGG_TEST(test_vlan_split),
        AGG_TEST(test_finding_ids_ascending),
        AGG_TEST(test_capture_loss),
        AGG_TEST(test_tunnels_line),
        CHAIN_TEST(test_resumed_elsewhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
