/* \summary: unit tests for what the aggregation's lists do not keep
 * (src/aggregate.c, src/agg_names.c, src/agg_json.c, src/report_text.c):
 * a server's alerts past the 16 kinds listed are counted (alerts_dropped,
 * "(and N more alerts ...)" in the terminal report); a name's certificate
 * counts the peers past the name's first 32, each once (peers_dropped), and
 * their sessions (peer_sessions_dropped), and its mixed_pool finding counts
 * those peers in peers_not_listed; an alert's
 * peers past 32 are counted (peers_not_listed); a server finding's peers
 * past 32 are counted each once, however many sessions each had. A
 * server's peers past report.peers_max are counted, each address once (the
 * server line, its peers_dropped) with their sessions
 * (peer_sessions_dropped), and their sessions are among a finding's, an
 * alert's and a certificate's peers not listed (a flag finding says them as
 * sessions of peers past report.peers_max); a count the memcap cut short
 * says "at least". The findings built from (peer, certificate) pairs
 * (certificate_changed, peer_dependent_certificate, mixed_pool) count their
 * peers past the list each once and say the sessions no pair holds (peers
 * past report.peers_max, pairs past the table) as a flag's finding does;
 * starttls_inconsistent counts the sessions of peers past report.peers_max
 * offered STARTTLS and not; a server certificate's peers count those past
 * report.peers_max (peers_dropped, peer_sessions_dropped) and the sessions
 * of pairs past the table (pair_sessions_dropped). Nothing is dropped
 * without a count. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "certcache.h"
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "mem.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

#define CERT(name) SRCDIR "/tests/data/certs/" name

/* One session of client 198.51.<client / 256>.<client % 256> to
 * 203.0.113.<server>:25, its facts in f, diagnosed and aggregated as
 * report.c does. */
static void
feed(struct session_facts *f, uint64_t id, unsigned client, uint8_t server)
{
    struct flow_record *rec = tu_agg_record(f, id, (uint8_t)client, server, 25);
    rec->client.ip.a[2] = (uint8_t)(client / 256);
    tu_agg_feed(rec);
}

static uint32_t
add(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    return tu_cert_add(path);
}

/* 20 kinds of alert on one server (each its own code), one of them twice:
 * 16 listed, the 4 further kinds' 5 alerts counted and said. */
static void
test_alerts_dropped(void **state)
{
    (void)state;
    uint32_t ids[2] = {add("leaf"), add("inter")};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    for (unsigned i = 0; i < 21; i++) {
        tu_chain_facts(&f, ids, 2, sni);
        f.smtp.seen = true;
        f.tls.alerts[0] = (struct tls_alert){
            .from = 1, .level = 1, .code = (int16_t)(100 + (i < 20 ? i : 19)), .after = -1};
        f.tls.n_alerts = 1;
        feed(&f, i + 1, 10 + i, 25);
    }
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "  (and 5 more alerts of further kinds, not itemised)\n");
    free(text);
    char *json = tu_agg_json();
    tu_has(json, "\"alerts_dropped\":5,");
    free(json);
}

/* One alert kind from 34 peers: 32 listed, 2 counted. */
static void
test_alert_peers_not_listed(void **state)
{
    (void)state;
    uint32_t ids[2] = {add("leaf"), add("inter")};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    for (unsigned i = 0; i < 34; i++) {
        tu_chain_facts(&f, ids, 2, sni);
        f.smtp.seen = true;
        f.tls.alerts[0] = (struct tls_alert){.from = 1, .level = 1, .code = 0, .after = -1};
        f.tls.n_alerts = 1;
        feed(&f, i + 1, 10 + i, 25);
    }
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json,
           "\"198.51.0.41\"],\"peers_not_listed\":2,\"meaning\":null}],\"alerts_dropped\":0,");
    free(json);
}

/* mail.example.com from two addresses, each with its own chain: 35
 * sessions from 34 peers to .25, one from another to .26. The name's
 * certificates list its first 32 peers and count the others, each once (2
 * and 1; peers_dropped counted their 3 and 1 sessions), with their
 * sessions; the mixed_pool finding lists the 32 and counts the other 3
 * peers (it counted 4 sessions). */
static void
test_name_peers_dropped(void **state)
{
    (void)state;
    uint32_t two[2] = {add("leaf"), add("inter")};
    uint32_t one[1] = {two[0]};
    static struct session_facts f;
    uint8_t sni[] = "mail.example.com";
    for (unsigned i = 0; i < 35; i++) {
        tu_chain_facts(&f, two, 2, sni);
        f.smtp.seen = true;
        feed(&f, i + 1, 300 + (i < 34 ? i : 33), 25);
    }
    tu_chain_facts(&f, one, 1, sni);
    f.smtp.seen = true;
    feed(&f, 36, 400, 26);
    agg_finish();
    char *json = tu_agg_json();
    const char *name = strstr(json, "\"event\":\"name\"");
    assert_non_null(name);
    /* (no ClientHello in the facts: no SNI value known, "sni" empty) */
    /* the first chain: 34 peers, the last two (.1.76, .1.77) past the 32;
     * the second's one peer is the name's 35th */
    tu_has(name, "\"198.51.1.75\"],\"peers_dropped\":2,\"peer_sessions_dropped\":3,\"sni\":[],"
                 "\"sni_dropped\":0}");
    tu_has(name, "\"peers\":[],\"peers_dropped\":1,\"peer_sessions_dropped\":1,\"sni\":[],"
                 "\"sni_dropped\":0}");
    tu_lacks(name, "peers_dropped_at_least");
    const char *pool = strstr(json, "\"kind\":\"mixed_pool\"");
    assert_non_null(pool);
    tu_has(pool, "\"198.51.1.75\"],\"peers_not_listed\":3,");
    tu_has(pool, " and 26 more, and 3 peers not listed)");
    free(json);
}

/* A server's finding (missing_intermediate: the leaf sent alone) from 35
 * peers, the last three with two sessions each: 32 listed, 6 named in the
 * summary; past the 32 each peer is counted once (3, not its 6 sessions),
 * and the summary says them as peers (agg_fpeers_exact). */
static void
test_finding_peers_not_listed(void **state)
{
    (void)state;
    uint32_t leaf[1] = {add("leaf")};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    for (unsigned i = 0; i < 38; i++) {
        tu_chain_facts(&f, leaf, 1, sni);
        f.smtp.seen = true;
        feed(&f, i + 1, 500 + (i < 35 ? i : i - 3), 25);
    }
    agg_finish();
    char *json = tu_agg_json();
    const char *fnd = strstr(json, "\"kind\":\"missing_intermediate\"");
    assert_non_null(fnd);
    tu_has(fnd, "(38 sessions, peers 198.51.1.244, 198.51.1.245, 198.51.1.246, 198.51.1.247, "
                "198.51.1.248, 198.51.1.249 and 26 more, and 3 peers not listed; ");
    tu_has(fnd, "\"peers_not_listed\":3,");
    free(json);
}

/* report.peers_max 4: 10 sessions of 7 peers, the last 3 (.14 thrice, .15
 * twice, .16) past the cap; every session sends the leaf alone
 * (missing_intermediate) and a warning alert. refuse: the run-long tables
 * full from the first peer past the cap (as under a small memcap). */
static void
feed_past_cap(bool refuse)
{
    tu_agg_cfg.report_peers_max = 4;
    agg_init(&tu_agg_cfg);
    uint32_t leaf[1] = {add("leaf")};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    static const unsigned clients[] = {10, 11, 12, 13, 14, 15, 14, 16, 15, 14};
    for (unsigned i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
        if (i == 4 && refuse)
            mem_tables_charge((int64_t)tu_agg_cfg.memcap); /* no table grows from here */
        tu_chain_facts(&f, leaf, 1, sni);
        f.smtp.seen = true;
        f.tls.alerts[0] = (struct tls_alert){.from = 1, .level = 1, .code = 0, .after = -1};
        f.tls.n_alerts = 1;
        feed(&f, i + 1, clients[i], 25);
    }
    agg_finish();
}

/* 7 peers, 3 of them past the cap in 6 sessions: each count says so. */
static void
test_server_peers_past_cap(void **state)
{
    (void)state;
    feed_past_cap(false);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "(version unknown)) from 7 peers, ");
    tu_has(text, "\n  (3 further peers, in 6 sessions, not itemised: report.peers_max 4)\n");
    tu_has(text, "    peers      198.51.0.10 (1) 198.51.0.11 (1) 198.51.0.12 (1) 198.51.0.13 (1), "
                 "and 6 sessions of peers not listed\n");
    /* a flag's finding: its itemised peers each once, those past the cap as
     * sessions (agg_fpeers_exact) */
    tu_has(text, "(10 sessions, peers 198.51.0.10, 198.51.0.11, 198.51.0.12, 198.51.0.13, and 6 "
                 "sessions of peers past report.peers_max; ");
    /* an alert's: as the finding's, those past the cap told apart */
    tu_has(text, "close_notify (0) before any handshake message x10 (198.51.0.10, 198.51.0.11, "
                 "198.51.0.12, 198.51.0.13, and 6 "
                 "sessions of peers past report.peers_max)");
    free(text);
    char *json = tu_agg_json();
    tu_has(json, "\"peers_dropped\":3,\"peer_sessions_dropped\":6,\"certificates\":");
    tu_lacks(json, "peers_dropped_at_least");
    tu_has(json, "\"198.51.0.13\"],\"peers_not_listed\":6,\"meaning\":null}]"); /* the alert */
    const char *fnd = strstr(json, "\"kind\":\"missing_intermediate\"");
    assert_non_null(fnd);
    tu_has(fnd, "\"198.51.0.13\"],\"peers_not_listed\":6,");
    /* the certificate's peers: 4 listed, 1 session each, and the 3 past
     * the cap each once with their 6 sessions: 10, its sessions (it had
     * no count of them) */
    const char *cert = strstr(json, "\"certificates\":[{");
    assert_non_null(cert);
    const char *peers = strstr(cert, "\"peers\":[{\"ip\":\"198.51.0.10\",\"sessions\":1,");
    assert_non_null(peers);
    tu_has(peers, "\"ip\":\"198.51.0.13\",\"sessions\":1,");
    tu_has(peers, "}],\"peers_dropped\":3,\"peer_sessions_dropped\":6,\"sni\":");
    tu_has(cert, "\"sessions\":10,\"resumed_sessions\":0,");
    tu_lacks(cert, "pair_sessions_dropped");
    free(json);
}

/* The count refused (the run-long tables full, as under a small memcap):
 * the peers past the cap are at least 1, and said so. */
static void
test_server_peers_at_least(void **state)
{
    (void)state;
    feed_past_cap(true);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, " from at least 5 peers, ");
    tu_has(text,
           "\n  (at least 1 further peer, in 6 sessions, not itemised: report.peers_max 4)\n");
    free(text);
    char *json = tu_agg_json();
    tu_has(json, "\"peers_dropped\":1,\"peers_dropped_at_least\":true,"
                 "\"peer_sessions_dropped\":6,");
    free(json);
}

/* report.peers_max 4: a certificate renewed (the leaf alone, then with
 * its intermediate: two chains one after the other, certificate_changed)
 * while 6 peers came, .14 and .15 (2 sessions each) past the cap. The finding built from
 * the (peer, certificate) pairs says the sessions it could not pair, as a
 * flag's does; before, they were left out of it. */
static void
test_pairs_past_cap(void **state)
{
    (void)state;
    tu_agg_cfg.report_peers_max = 4;
    agg_init(&tu_agg_cfg);
    uint32_t two[2] = {add("leaf"), add("inter")};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    static const unsigned clients[] = {10, 11, 12, 13, 14, 15, 10, 14, 15};
    for (unsigned i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
        tu_chain_facts(&f, two, i < 5 ? 1 : 2, sni);
        f.smtp.seen = true;
        feed(&f, i + 1, clients[i], 25);
    }
    agg_finish();
    char *json = tu_agg_json();
    const char *fnd = strstr(json, "\"kind\":\"certificate_changed\"");
    assert_non_null(fnd);
    tu_has(fnd, "(9 sessions, peers 198.51.0.10, 198.51.0.11, 198.51.0.12, 198.51.0.13, and 4 "
                "sessions of peers past report.peers_max)");
    tu_has(fnd, "\"198.51.0.13\"],\"peers_not_listed\":4,");
    free(json);
}

/* report.peers_max 1: one peer meets 6 certificates in turn, and the
 * (peer, certificate) table keeps 4 pairs (report.peers_max x 4): the
 * sessions of the 2 further pairs are said, not left out. */
static void
test_pairs_past_table(void **state)
{
    (void)state;
    tu_agg_cfg.report_peers_max = 1;
    agg_init(&tu_agg_cfg);
    static const char *const certs[][2] = {{"leaf", NULL},  {"leaf", "inter"},
                                           {"oleaf", NULL}, {"oleaf", "ointer"},
                                           {"ipsan", NULL}, {"wildcard", NULL}};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    for (unsigned i = 0; i < 6; i++) {
        uint32_t ids[2] = {add(certs[i][0]), certs[i][1] ? add(certs[i][1]) : 0};
        tu_chain_facts(&f, ids, certs[i][1] ? 2 : 1, sni);
        f.smtp.seen = true;
        feed(&f, i + 1, 10, 25);
    }
    agg_finish();
    char *json = tu_agg_json();
    const char *fnd = strstr(json, "\"kind\":\"certificate_changed\"");
    assert_non_null(fnd);
    tu_has(fnd, "6 certificates in turn (6 sessions, peers 198.51.0.10, and 2 sessions of peers "
                "past the (peer, certificate) table)");
    tu_has(fnd, "\"198.51.0.10\"],\"peers_not_listed\":2,");
    /* the two certificates whose pair the table could not keep: no peer
     * listed, their session counted (their peers' sessions add up) */
    tu_has(json, "\"peers\":[],\"peers_dropped\":0,\"pair_sessions_dropped\":1,\"sni\":");
    free(json);
}

/* report.peers_max 4: .10 and .11 always get the leaf alone, .12 and .13
 * leaf and intermediate, in sessions that interleave
 * (peer_dependent_certificate); .14, past the cap, the leaf alone: said
 * with that certificate's peers and the finding's. */
static void
test_pairs_by_peer_past_cap(void **state)
{
    (void)state;
    tu_agg_cfg.report_peers_max = 4;
    agg_init(&tu_agg_cfg);
    uint32_t two[2] = {add("leaf"), add("inter")};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    static const unsigned clients[] = {10, 12, 11, 13, 14, 10, 12};
    for (unsigned i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
        tu_chain_facts(&f, two, clients[i] == 12 || clients[i] == 13 ? 2 : 1, sni);
        f.smtp.seen = true;
        feed(&f, i + 1, clients[i], 25);
    }
    agg_finish();
    char *json = tu_agg_json();
    const char *fnd = strstr(json, "\"kind\":\"peer_dependent_certificate\"");
    assert_non_null(fnd);
    tu_has(fnd, ": 198.51.0.10, 198.51.0.11, and 1 session of peers past report.peers_max "
                "always get ");
    tu_has(fnd, "; 198.51.0.12, 198.51.0.13 always get ");
    tu_has(fnd, "(7 sessions, peers 198.51.0.10, 198.51.0.11, 198.51.0.12, 198.51.0.13, and 1 "
                "session of peers past report.peers_max)");
    free(json);
}

/* 34 peers alternate between two certificates (mixed_pool): past the 32
 * listed each peer is counted once, not once a certificate. */
static void
test_pairs_peers_once(void **state)
{
    (void)state;
    uint32_t two[2] = {add("leaf"), add("inter")};
    static struct session_facts f;
    uint8_t sni[] = "smtp.example.com";
    for (unsigned i = 0; i < 68; i++) {
        tu_chain_facts(&f, two, i % 2 ? 1 : 2, sni);
        f.smtp.seen = true;
        feed(&f, i + 1, 600 + i / 2, 25);
    }
    agg_finish();
    char *json = tu_agg_json();
    const char *fnd = strstr(json, "\"kind\":\"mixed_pool\"");
    assert_non_null(fnd);
    tu_has(fnd, " and 26 more, and 2 peers not listed)");
    tu_has(fnd, "\"peers_not_listed\":2,");
    free(json);
}

/* report.peers_max 2: .10 and .11 offered STARTTLS, and the 3 sessions of
 * .12 .. .14, past the cap, not: starttls_inconsistent counts them (it
 * read only the itemised peers, all offered it: no finding); then the
 * other way round, the cap's peers offered it, an itemised one not. */
static void
feed_offer(uint64_t id, unsigned client, bool offered)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = true;
    f.smtp.ehlo_reply_code = 250;
    f.smtp.starttls_offered = offered ? 1 : 0;
    feed(&f, id, client, 25);
}

static void
test_inconsistent_past_cap(void **state)
{
    (void)state;
    tu_agg_cfg.report_peers_max = 2;
    agg_init(&tu_agg_cfg);
    feed_offer(1, 10, true);
    feed_offer(2, 11, true);
    feed_offer(3, 12, false);
    feed_offer(4, 13, false);
    feed_offer(5, 14, false);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "starttls_inconsistent              203.0.113.25:25 offers STARTTLS to "
                 "198.51.0.10, 198.51.0.11 but not in 3 sessions of peers past report.peers_max: "
                 "a policy by source address, or a middlebox on their path (3 sessions, peers "
                 "not listed)\n");
    free(text);
    char *json = tu_agg_json();
    const char *fnd = strstr(json, "\"kind\":\"starttls_inconsistent\"");
    assert_non_null(fnd);
    tu_has(fnd, "\"session_count\":3,");
    tu_has(fnd, "\"peers\":[],\"peers_not_listed\":3,");
    free(json);
}

static void
test_inconsistent_past_cap_offered(void **state)
{
    (void)state;
    tu_agg_cfg.report_peers_max = 2;
    agg_init(&tu_agg_cfg);
    feed_offer(1, 10, false);
    feed_offer(2, 11, false);
    feed_offer(3, 12, true);
    feed_offer(4, 13, true);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "starttls_inconsistent              203.0.113.25:25 offers STARTTLS in 2 "
                 "sessions of peers past report.peers_max but not to 198.51.0.10, 198.51.0.11: "
                 "a policy by source address, or a middlebox on their path (2 "
                 "sessions, peers 198.51.0.10, 198.51.0.11)\n");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alerts_dropped, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_alert_peers_not_listed, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_name_peers_dropped, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_finding_peers_not_listed, tu_agg_setup,
                                        tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_server_peers_past_cap, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_server_peers_at_least, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_pairs_past_cap, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_pairs_past_table, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_pairs_peers_once, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_pairs_by_peer_past_cap, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_past_cap, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_past_cap_offered, tu_agg_setup,
                                        tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
