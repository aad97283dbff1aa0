/* \summary: unit tests for a certificate chosen by SNI (src/agg_sni.c,
 * src/agg_findings.c agg_cert_findings): which of SNI, the peer or a
 * pool's node decides the certificate a server presents. The SNI values
 * (no SNI is one) that split the chains into groups make
 * sni_dependent_certificate ("sni" when a peer sent the values of two
 * groups, "sni_or_peer" when none did); a group of several chains gets
 * mixed_pool or peer_dependent_certificate among its sessions, naming its
 * SNI values; the same SNI for all, or values that share a chain, leave
 * mixed_pool and peer_dependent_certificate as they were; sessions whose
 * ClientHello was not seen decide nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "certcache.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

static uint32_t
add(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    return tu_cert_add(path);
}

/* The chains: A mail.example.com + intermediate (valid), B self-signed
 * SERVER1, C mail.example.com sent alone (its intermediate missing), D A
 * with the root too (valid). */
static uint32_t A[2], B[1], C[1], D[3];

static void
chains(void)
{
    A[0] = add("leaf");
    A[1] = add("inter");
    B[0] = add("selfsigned");
    C[0] = A[0];
    D[0] = A[0];
    D[1] = A[1];
    D[2] = add("root");
}

/* Session id from 198.51.100.<client> with chain ids (n) and SNI sni (NULL:
 * none); hello false: its ClientHello not seen (picked up after it). */
static bool sni_bad; /* the next session's server_name extension did not parse */

static void
session(uint64_t id, uint8_t client, const uint32_t *ids, unsigned n, const char *sni, bool hello)
{
    static struct session_facts f;
    static uint8_t name[64];
    tu_chain_facts(&f, ids, n, NULL);
    f.tls.sni_malformed = sni_bad;
    sni_bad = false;
    if (sni) {
        snprintf((char *)name, sizeof(name), "%s", sni);
        f.tls.sni.s = name;
        f.tls.sni.len = (uint32_t)strlen(sni);
    }
    f.smtp.seen = true;
    f.tls.client_version = hello ? 0x0303 : 0;
    f.tls.handshake = TLS_HS_COMPLETE;
    tu_agg_feed(tu_agg_record(&f, id, client, 25, 25));
}

/* The finding of kind in json (from its "kind"), or NULL. */
static const char *
finding(const char *json, const char *kind)
{
    char k[80];
    snprintf(k, sizeof(k), "\"kind\":\"%s\"", kind);
    return strstr(json, k);
}

/* The first record of a finding, as one line (cut at its newline) */
static char *
line(const char *at)
{
    assert_non_null(at);
    const char *e = strchr(at, '\n');
    size_t n = e ? (size_t)(e - at) : strlen(at);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, at, n);
    s[n] = '\0';
    return s;
}

/* Postfix senders without SNI get the self-signed default, SNI clients the
 * right one; 198.51.100.10 runs both (as an MTA and openssl s_client):
 * chosen by SNI, proven (a peer got each by its SNI), high (the default is
 * bad), the advice about the default certificate; no mixed_pool. */
static void
test_sni_default_bad(void **state)
{
    (void)state;
    chains();
    session(1, 10, B, 1, NULL, true);
    session(2, 11, A, 2, "mail.example.com", true);
    session(3, 10, A, 2, "mail.example.com", true);
    session(4, 12, B, 1, NULL, true);
    session(5, 10, B, 1, NULL, true);
    session(6, 11, A, 2, "MAIL.example.com", true); /* DNS names: case does not count */
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "mixed_pool"));
    assert_null(finding(json, "peer_dependent_certificate"));
    tu_has(json, "\"severity\":\"high\",\"kind\":\"sni_dependent_certificate\"");
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "\"selected_by\":\"sni\"");
    tu_has(f, "\"peers\":[\"198.51.100.10\",\"198.51.100.11\",\"198.51.100.12\"]");
    tu_has(f, "chooses its certificate by the name the client asks for (SNI): sessions with no "
              "SNI get CN=SERVER1 (SHA-1 ");
    tu_has(f,
           " - UntrustedRoot (3 sessions, peers 198.51.100.10, 198.51.100.12); sessions with SNI "
           "mail.example.com get C=DE,O=Example Mail,CN=mail.example.com (SHA-1 ");
    tu_has(f, "(3 sessions, peers 198.51.100.10, 198.51.100.11); clients that send no SNI");
    /* the finding's sessions and peers at its end, as every finding's */
    tu_has(f, "set smtp_tls_servername = hostname on Postfix senders (6 sessions, peers "
              "198.51.100.10, 198.51.100.11, 198.51.100.12)\"");
    assert_null(strstr(f, "may decide instead"));
    assert_null(strstr(f, "\"tlsrpt\"")); /* a pattern: its sessions' findings carry the type */
    free(f);
    /* each certificate with the SNI it was served for */
    tu_has(json, "\"sni\":[{\"name\":null,\"sessions\":3,\"peers\":[\"198.51.100.10\","
                 "\"198.51.100.12\"]}]");
    tu_has(json, "\"sni\":[{\"name\":\"mail.example.com\",\"sessions\":3,\"peers\":["
                 "\"198.51.100.10\",\"198.51.100.11\"]}]");
    free(json);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "    sni        none sent (3 sessions: 198.51.100.10, 198.51.100.12)\n");
    tu_has(text, "    sni        mail.example.com (3 sessions: 198.51.100.10, 198.51.100.11)\n");
    free(text);
}

/* Each peer always sent the same SNI: SNI or the source address, which
 * the capture cannot tell apart: said, and the test that tells. */
static void
test_sni_or_peer(void **state)
{
    (void)state;
    chains();
    session(1, 10, B, 1, NULL, true);
    session(2, 11, A, 2, "mail.example.com", true);
    session(3, 10, B, 1, NULL, true);
    session(4, 11, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "peer_dependent_certificate"));
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "\"selected_by\":\"sni_or_peer\"");
    /* the doubt first: the advice that follows may be about the address */
    tu_has(f,
           "chooses its certificate by the name the client asks for (SNI), or by the "
           "client's address (each peer kept to one group): sessions with no SNI get CN=SERVER1");
    tu_has(f, "; no peer sent the SNI of two of these, so its source address may decide instead: "
              "openssl s_client -starttls smtp -servername NAME, then -noservername, from one "
              "address tells (4 sessions, peers 198.51.100.10, 198.51.100.11)\"");
    free(f);
    free(json);
}

/* The same SNI for all (SNAT, a receive connector by source): the peer
 * decides, as before; no "sni" member. */
static void
test_same_sni_peer(void **state)
{
    (void)state;
    chains();
    session(1, 10, A, 2, "mail.example.com", true);
    session(2, 11, B, 1, "mail.example.com", true);
    session(3, 10, A, 2, "mail.example.com", true);
    session(4, 11, B, 1, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "sni_dependent_certificate"));
    char *f = line(finding(json, "peer_dependent_certificate"));
    tu_has(f, "(SNAT, a receive connector chosen by source address, or split DNS): "
              "198.51.100.10 always get");
    assert_null(strstr(f, "\"sni\""));
    assert_null(strstr(f, "selected_by"));
    free(f);
    free(json);
}

/* The same SNI for all and one peer got both: a pool, as before. */
static void
test_same_sni_pool(void **state)
{
    (void)state;
    chains();
    session(1, 10, A, 2, "mail.example.com", true);
    session(2, 10, B, 1, "mail.example.com", true);
    session(3, 11, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "sni_dependent_certificate"));
    char *f = line(finding(json, "mixed_pool"));
    tu_has(f, "alternates between 2 certificates across sessions of the same peers (a "
              "load-balanced pool whose nodes differ): the odd one out is CN=SERVER1");
    tu_has(f, "served in 1 of 3 sessions");
    free(f);
    free(json);
}

/* SNI explains part of it: no SNI always B; with SNI, A or C to the same
 * peer: SNI, and a pool among the SNI sessions, whose finding names the
 * SNI and counts its own sessions. */
static void
test_sni_and_pool(void **state)
{
    (void)state;
    chains();
    session(1, 12, B, 1, NULL, true);
    session(2, 10, A, 2, "mail.example.com", true);
    session(3, 10, C, 1, "mail.example.com", true);
    session(4, 11, A, 2, "mail.example.com", true);
    session(5, 12, B, 1, NULL, true);
    agg_finish();
    char *json = tu_agg_json();
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "\"selected_by\":\"sni_or_peer\"");
    /* the doubt first: the advice that follows may be about the address */
    tu_has(f,
           "chooses its certificate by the name the client asks for (SNI), or by the "
           "client's address (each peer kept to one group): sessions with no SNI get CN=SERVER1");
    /* its advice and conclusions whole, the SNI group of two chains gives way */
    tu_has(f, "; and 1 more group; clients that send no SNI");
    tu_has(f, "from one address tells (5 sessions, peers 198.51.100.10, 198.51.100.11, "
              "198.51.100.12)\"");
    free(f);
    f = line(finding(json, "mixed_pool"));
    tu_has(f, "\"sni\":[\"mail.example.com\"]");
    tu_has(f, "alternates between 2 certificates across sessions of the same peers with SNI "
              "mail.example.com (a load-balanced pool");
    tu_has(f, "served in 1 of 3 sessions");
    tu_has(f, "\"peers\":[\"198.51.100.10\",\"198.51.100.11\"]");
    assert_null(strstr(f, "CN=SERVER1"));
    free(f);
    free(json);
}

/* SNI, and within the SNI sessions each peer always gets its own chain. */
static void
test_sni_and_peer(void **state)
{
    (void)state;
    chains();
    session(1, 12, B, 1, NULL, true);
    session(2, 10, A, 2, "mail.example.com", true);
    session(3, 11, C, 1, "mail.example.com", true);
    session(4, 12, B, 1, NULL, true);
    session(5, 10, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    assert_non_null(finding(json, "sni_dependent_certificate"));
    assert_null(finding(json, "mixed_pool"));
    char *f = line(finding(json, "peer_dependent_certificate"));
    tu_has(f, "\"sni\":[\"mail.example.com\"]");
    tu_has(f, "or split DNS) among the sessions with SNI mail.example.com: 198.51.100.10 always "
              "get");
    free(f);
    free(json);
}

/* selected_by "sni" needs AGG_SNI_MIN_SESSIONS (2) sessions in each group:
 * a peer that got each chain by its SNI once is thin evidence (a pool's
 * node could have matched it by chance): "sni_or_peer", saying so; one
 * more session of the thin group makes it "sni". */
static void
test_sni_min_sessions(void **state)
{
    (void)state;
    chains();
    session(1, 10, B, 1, NULL, true);
    session(2, 10, A, 2, "mail.example.com", true);
    session(3, 11, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "\"selected_by\":\"sni_or_peer\"");
    tu_has(f, "chooses its certificate by the name the client asks for (SNI), or by chance (a "
              "pool's node; a group has fewer than 2 sessions): sessions with no SNI get");
    assert_null(strstr(f, "no peer sent the SNI of two"));
    free(f);
    free(json);
    tu_agg_teardown(NULL);
    tu_agg_setup(NULL);
    chains();
    session(1, 10, B, 1, NULL, true);
    session(2, 10, A, 2, "mail.example.com", true);
    session(3, 11, A, 2, "mail.example.com", true);
    session(4, 12, B, 1, NULL, true);
    agg_finish();
    json = tu_agg_json();
    f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "\"selected_by\":\"sni\"");
    tu_has(f, "chooses its certificate by the name the client asks for (SNI): sessions with no");
    free(f);
    free(json);
}

/* One session without SNI got B, then one with SNI got A, from another
 * peer: too little to tell SNI from a renewal that coincided with the
 * change of clients, so certificate_changed (and B counts as replaced). */
static void
test_sni_thin_renewal(void **state)
{
    (void)state;
    chains();
    session(1, 10, B, 1, NULL, true);
    session(2, 11, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "sni_dependent_certificate"));
    assert_non_null(finding(json, "certificate_changed"));
    free(json);
}

/* A server_name extension that did not parse is a value of its own, not
 * "no SNI": the clients without SNI get B, the one whose SNI was malformed
 * A (as a server that reads it otherwise may), so SNI splits them; the
 * certificate's "sni" entry says malformed, the summary "a malformed SNI". */
static void
test_sni_malformed_value(void **state)
{
    (void)state;
    chains();
    session(1, 10, B, 1, NULL, true);
    sni_bad = true;
    session(2, 10, A, 2, NULL, true);
    session(3, 11, B, 1, NULL, true);
    sni_bad = true;
    session(4, 11, A, 2, NULL, true);
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "mixed_pool"));
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "\"selected_by\":\"sni\"");
    tu_has(f, "sessions with no SNI get CN=SERVER1");
    tu_has(f, "sessions with a malformed SNI get C=DE,O=Example Mail,CN=mail.example.com");
    free(f);
    tu_has(json, "\"sni\":[{\"name\":null,\"sessions\":2,");
    tu_has(json, "\"sni\":[{\"name\":null,\"malformed\":true,\"sessions\":2,");
    free(json);
}

/* A malformed SNI whose certificate is bad: the server fell back to its
 * default (SNI maps never see a name it cannot parse), so the advice is
 * the default certificate's, not "the certificate chosen for a malformed
 * SNI". */
static void
test_sni_malformed_bad(void **state)
{
    (void)state;
    chains();
    session(1, 10, A, 2, "mail.example.com", true);
    sni_bad = true;
    session(2, 10, B, 1, NULL, true);
    session(3, 11, A, 2, "mail.example.com", true);
    sni_bad = true;
    session(4, 11, B, 1, NULL, true);
    agg_finish();
    char *json = tu_agg_json();
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "sessions with a malformed SNI get CN=SERVER1");
    tu_has(f, "or one the server cannot parse, get the default certificate");
    assert_null(strstr(f, "fix the certificate chosen for a malformed SNI"));
    free(f);
    free(json);
}

/* Chains chosen by SNI served one after the other (no SNI first, then
 * SNI): the later one did not replace the earlier, whose expiry within
 * --expiry-warn days still counts (expiring_certificate for each). */
static void
test_sni_not_replaced(void **state)
{
    (void)state;
    chains();
    session(1, 10, B, 1, NULL, true);
    session(2, 11, B, 1, NULL, true);
    session(3, 10, A, 2, "mail.example.com", true);
    session(4, 11, A, 2, "mail.example.com", true);
    tu_agg_cfg.at_us = (int64_t)2019600000 * 1000000; /* 2033-12-31, both expire the next day */
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "certificate_changed"));
    const char *e = finding(json, "expiring_certificate");
    assert_non_null(e);
    assert_non_null(finding(e + 1, "expiring_certificate"));
    free(json);
}

/* Values that share a chain: no SNI got A and B, SNI only A. A pool that
 * happened to send A to the SNI sessions fits as well: not SNI's. */
static void
test_sni_shared_chain(void **state)
{
    (void)state;
    chains();
    session(1, 10, A, 2, NULL, true);
    session(2, 10, B, 1, NULL, true);
    session(3, 11, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "sni_dependent_certificate"));
    assert_non_null(finding(json, "mixed_pool"));
    free(json);
}

/* A chain served only in sessions whose ClientHello was not seen: its SNI
 * unknown, nothing decided by SNI; nor listed under any value. */
static void
test_sni_unseen(void **state)
{
    (void)state;
    chains();
    session(1, 10, A, 2, "mail.example.com", true);
    session(2, 10, B, 1, NULL, false);
    session(3, 10, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    assert_null(finding(json, "sni_dependent_certificate"));
    assert_non_null(finding(json, "mixed_pool"));
    tu_has(json, "\"sni\":[]");
    free(json);
}

/* Virtual hosting: two good certificates, one per name: informational,
 * nothing to fix. */
static void
test_sni_hosting(void **state)
{
    (void)state;
    chains();
    session(1, 10, A, 2, "mail.example.com", true);
    session(2, 10, D, 3, "smtp.example.com", true);
    session(3, 11, A, 2, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"severity\":\"info\",\"kind\":\"sni_dependent_certificate\"");
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "; virtual hosting by SNI, nothing to fix (3 sessions, peers 198.51.100.10, "
              "198.51.100.11)\"");
    free(f);
    free(json);
}

/* A hosting server's many names on one certificate: the terminal's sni
 * line holds whole values and says how many it left out, never a name cut
 * in the middle. */
static void
test_sni_text_cut(void **state)
{
    (void)state;
    chains();
    char nm[80];
    for (unsigned i = 0; i < 16; i++) {
        snprintf(nm, sizeof(nm), "mx%02u.some-long-hosted-domain-name.example.com", i);
        session(i + 1, (uint8_t)(10 + i % 3), A, 2, nm, true);
    }
    agg_finish();
    char *t = tu_agg_text(NULL, NULL);
    const char *l = strstr(t, "    sni        mx00.");
    assert_non_null(l);
    char *one = line(l);
    tu_has(one, "mx00.some-long-hosted-domain-name.example.com (1 session: 198.51.100.10); ");
    tu_has(one, " more (the server record lists all)");
    /* what is shown ends with a whole value and its peers */
    const char *cut = strstr(one, "; and ");
    assert_non_null(cut);
    assert_true(cut[-1] == ')');
    free(one);
    free(t);
    char *json = tu_agg_json();
    tu_has(json, "\"name\":\"mx15.some-long-hosted-domain-name.example.com\"");
    free(json);
}

/* Past 16 certificates a server's further chains are not kept, nor their
 * sessions' SNI: one of them served both to clients without SNI and to
 * those with SNI joins the groups, so nothing is decided by SNI. */
static void
test_sni_chains_dropped(void **state)
{
    (void)state;
    static const char *const names[] = {"leaf",  "cnonly", "expired", "idna",   "inter",   "ipsan",
                                        "ncbad", "ncgood", "ncinter", "notyet", "nulname", "ointer",
                                        "oleaf", "oroot",  "revurls", "root",   "sha1"};
    uint32_t ss[1] = {add("selfsigned")}, one[1];
    uint64_t id = 1;
    session(id++, 10, ss, 1, NULL, true);
    for (unsigned i = 0; i < 15; i++) { /* 16 chains kept with SERVER1's */
        one[0] = add(names[i]);
        session(id++, 11, one, 1, "mail.example.com", true);
    }
    session(id++, 10, ss, 1, NULL, true);
    one[0] = add(names[16]); /* the 17th: not kept */
    session(id++, 10, one, 1, NULL, true);
    session(id++, 11, one, 1, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"certificates_dropped\":2");
    assert_null(finding(json, "sni_dependent_certificate"));
    free(json);
}

/* Chains served one after the other, each for its own SNI values, in a
 * summary too long for its room: the groups listed give way ("and 6 more
 * groups"), never the conclusion that this is no renewal, nor the advice. */
static void
test_sni_sequence_long(void **state)
{
    (void)state;
    static const char *const names[] = {"leaf",  "cnonly", "expired", "idna",
                                        "ipsan", "ncgood", "notyet",  "sha1"};
    char nm[96];
    uint64_t id = 1;
    for (unsigned c = 0; c < 8; c++) {
        uint32_t one[1] = {add(names[c])};
        for (unsigned k = 0; k < 2; k++) { /* two values, two sessions each: proven */
            snprintf(nm, sizeof(nm), "mx%u-%u.a-rather-long-hosted-domain-name.example.com", c, k);
            session(id++, (uint8_t)(10 + k), one, 1, nm, true);
            session(id++, (uint8_t)(11 - k), one, 1, nm, true);
        }
    }
    agg_finish();
    char *json = tu_agg_json();
    char *one = line(finding(json, "sni_dependent_certificate"));
    tu_has(one, " more groups; fix the certificate chosen for SNI mx0-0.");
    tu_has(one, "(Postfix tls_server_sni_maps, Exim tls_certificate by ${tls_in_sni}); served one "
                "after the other, but each for its own SNI values: not a renewal (unless one "
                "coincided with the change of clients at 2025-06-01 00:00:29) (32 sessions, "
                "peers 198.51.100.10, 198.51.100.11)\",");
    free(one);
    free(json);
}

/* Every conclusion at once (the default certificate and a named one bad,
 * served one after the other, no peer crossing groups): ~700 bytes of
 * tail, which a 640-byte buffer cut to "openss..." */
static void
test_sni_all_conclusions(void **state)
{
    (void)state;
    chains();
    uint32_t E[1] = {add("expired")};
    session(1, 10, B, 1, NULL, true);
    session(2, 10, B, 1, NULL, true);
    session(3, 11, E, 1, "mail.example.com", true);
    session(4, 11, E, 1, "mail.example.com", true);
    agg_finish();
    char *json = tu_agg_json();
    char *f = line(finding(json, "sni_dependent_certificate"));
    tu_has(f, "set smtp_tls_servername = hostname on Postfix senders; and fix the certificate "
              "chosen for SNI mail.example.com (Postfix tls_server_sni_maps, Exim "
              "tls_certificate by ${tls_in_sni})");
    tu_has(f, "; served one after the other, but each for its own SNI values: not a renewal");
    tu_has(f, "openssl s_client -starttls smtp -servername NAME, then -noservername, from one "
              "address tells (4 sessions, peers 198.51.100.10, 198.51.100.11)\",");
    assert_null(strstr(f, "openss...")); /* the last conclusion whole */
    free(f);
    free(json);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sni_default_bad, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_sequence_long, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_all_conclusions, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_or_peer, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_min_sessions, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_thin_renewal, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_malformed_value, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_malformed_bad, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_not_replaced, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_same_sni_peer, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_same_sni_pool, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_and_pool, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_and_peer, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_shared_chain, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_unseen, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_hosting, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_text_cut, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_chains_dropped, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
