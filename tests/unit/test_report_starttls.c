/* \summary: unit tests for the terminal report's STARTTLS rows
 * (src/report_starttls.c) and the per-peer counts of the server record:
 * implicit TLS sessions (RFC 8314 section 3.3) on rows of their own, with
 * tls_used and implicit_tls in the JSON; Exchange's X-ANONYMOUSTLS counted
 * per row; starttls_rejected explaining the reply codes its sessions got
 * (RFC 3207 section 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

/* The test chain (tests/data/certs: leaf, intermediate), added to the
 * certificate cache by chain_setup (tu_agg_setup, then the chain). */
static uint32_t chain[2];

static int
chain_setup(void **state)
{
    tu_agg_setup(state);
    chain[0] = tu_cert_add(SRCDIR "/tests/data/certs/leaf.der");
    chain[1] = tu_cert_add(SRCDIR "/tests/data/certs/inter.der");
    return 0;
}

/* f: a TLS session that sent the test chain for smtp.example.com (SNI). */
static void
sent_chain(struct session_facts *f)
{
    static uint8_t sni[] = "smtp.example.com";
    tu_chain_facts(f, chain, 2, sni);
}

/* Session id, client 198.51.100.<client> to 203.0.113.25:port, diagnosed
 * and aggregated as report.c does. */
static void
feed(struct session_facts *f, uint64_t id, uint8_t client, uint16_t port)
{
    tu_agg_feed(tu_agg_record(f, id, client, 25, port));
}

/* The terminal report of what was fed (agg_finish: once per test). */
static char *
report_text(void)
{
    agg_finish();
    return tu_agg_text(NULL, NULL);
}

/* A server whose sessions are all implicit TLS (port 465, RFC 8314) has its per-peer
 * rows labelled so; one with both, both rows, each of its own sessions; in
 * the JSON, a peer's tls_used counts both and implicit_tls the latter. */
static void
test_implicit_tls_rows(void **state)
{
    (void)state;
    static struct session_facts f;
    for (uint64_t id = 1; id <= 2; id++) {
        sent_chain(&f);
        f.smtp.seen = true;
        f.smtp.implicit_tls = true;
        f.smtp.starttls_offered = -1;
        feed(&f, id, (uint8_t)(9 + id), 465);
    }
    sent_chain(&f); /* port 25: STARTTLS, and one implicit */
    f.smtp.seen = f.smtp.tls_started = f.smtp.starttls_command = true;
    f.smtp.starttls_offered = 1;
    f.smtp.starttls_reply_code = 220;
    feed(&f, 3, 10, 25);
    for (uint64_t id = 4; id <= 5; id++) {
        sent_chain(&f);
        f.smtp.seen = f.smtp.implicit_tls = true;
        f.smtp.starttls_offered = -1;
        feed(&f, id, (uint8_t)(6 + id), 25);
    }
    char *text = report_text();
    tu_has(text, "\n  STARTTLS   198.51.100.10: offered 1 tls 1\n  implicit TLS 198.51.100.10: "
                 "tls 1\n               198.51.100.11: tls 1\n\n");
    tu_has(text, "\n  implicit TLS 198.51.100.10: tls 1\n"
                 "               198.51.100.11: tls 1\n\n");
    free(text);
    /* the JSON's peers: tls_used counts both kinds, implicit_tls the
     * implicit ones (absent when 0: .11 on 465 and 25, .10 on 465) */
    char *json = tu_agg_json();
    const char *p25 = strstr(json, "\"server\":{\"ip\":\"203.0.113.25\",\"port\":25}");
    assert_non_null(p25);
    tu_has(p25, "{\"ip\":\"198.51.100.10\",\"sessions\":2,\"starttls_offered\":1,"
                "\"starttls_not_offered\":0,\"starttls_stripped\":0,\"tls_used\":2,"
                "\"implicit_tls\":1,\"starttls_rejected\":0,");
    tu_has(p25, "{\"ip\":\"198.51.100.11\",\"sessions\":1,\"starttls_offered\":0,"
                "\"starttls_not_offered\":0,\"starttls_stripped\":0,\"tls_used\":1,"
                "\"implicit_tls\":1,");
    free(json);
}

/* A server that ended a session with its first reply over TLS (a 421
 * right after the handshake: server_closed_after_first_reply): the peer's
 * row says so after tls, not as failed; the JSON's peer counts it; a
 * session that went on (the client's next command) is not counted, nor a
 * session whose client closed first (FIN) while the answer was read. */
static void
test_refused_rows(void **state)
{
    (void)state;
    static struct session_facts f;
    static const struct {
        uint8_t client, reply;
        const char *first_close;
    } s[] = {{10, TLS_REPLY_SERVER_CLOSE, "server_fin"},
             {10, TLS_REPLY_CLIENT_ON, "client_fin"},
             {11, TLS_REPLY_ENDED, "client_fin"},
             {11, TLS_REPLY_ENDED, "server_rst"}};
    for (unsigned i = 0; i < 4; i++) {
        sent_chain(&f);
        f.smtp.seen = f.smtp.tls_started = f.smtp.starttls_command = true;
        f.smtp.starttls_offered = 1;
        f.smtp.starttls_reply_code = 220;
        f.tls.version = 0x0303;
        f.tls.cipher = 0xC030;
        f.tls.cipher_seen = f.tls.after_read = true;
        f.tls.handshake = TLS_HS_COMPLETE;
        f.tls.after[0].n = 1; /* its EHLO (26 bytes) */
        f.tls.after[0].type[0] = 23;
        f.tls.after[0].len[0] = 50;
        f.tls.reply = s[i].reply;
        f.tls.reply_records = 1; /* the reply */
        f.tls.reply_len = 91;
        struct flow_record *rec = tu_agg_record(&f, i + 1, s[i].client, 25, 25);
        rec->first_close = s[i].first_close;
        const struct diagnosis *dg = tu_agg_feed(rec);
        assert_int_equal(dg->server_closed_after_first_reply, i == 0 || i == 3);
    }
    char *text = report_text();
    tu_has(text, "\n  STARTTLS   198.51.100.10: offered 2 tls 2 (refused-after-handshake 1)\n"
                 "             198.51.100.11: offered 2 tls 2 (refused-after-handshake 1)\n");
    /* a 421 of no cause the handshake shows (a certificate chain that verifies here, none
     * asked for): medium */
    tu_has(text, "  medium   server_refused_after_handshake     203.0.113.25:25 ended TLS sessions "
                 "with its first reply right after the handshake, before any mail");
    free(text);
    char *json = tu_agg_json();
    tu_has(json, "\"tls_closed_after_handshake\":0,\"tls_refused_after_handshake\":1,");
    free(json);
}

/* Exchange's X-ANONYMOUSTLS in place of STARTTLS (x-anonymoustls.pcap):
 * each peer's row and its server record say by how many sessions, the
 * refused one too; a STARTTLS session is not counted. */
static void
test_anonymoustls_rows(void **state)
{
    (void)state;
    static struct session_facts f;
    static const struct {
        uint8_t client;
        const char *verb;
        int16_t code;
    } s[] = {{10, "X-ANONYMOUSTLS", 220}, {10, "STARTTLS", 220}, {11, "X-ANONYMOUSTLS", 454}};
    for (unsigned i = 0; i < 3; i++) {
        sent_chain(&f);
        f.smtp.seen = f.smtp.starttls_command = f.smtp.anonymoustls_offered = true;
        /* .11's server offered X-ANONYMOUSTLS alone: TLS offered all the same */
        f.smtp.starttls_offered = s[i].client == 10;
        strcpy(f.smtp.starttls_verb, s[i].verb);
        f.smtp.starttls_reply_code = s[i].code;
        f.smtp.tls_started = s[i].code == 220;
        if (!f.smtp.tls_started)
            memset(&f.tls, 0, sizeof(f.tls));
        feed(&f, i + 1, s[i].client, 25);
    }
    char *text = report_text();
    tu_has(text, "\n  STARTTLS   198.51.100.10: offered 2 tls 2 (1 by X-ANONYMOUSTLS)\n"
                 "             198.51.100.11: offered 1 refused(454) 1 (1 by X-ANONYMOUSTLS)\n");
    free(text);
    char *json = tu_agg_json();
    tu_has(json, "\"ip\":\"198.51.100.10\",\"sessions\":2,\"starttls_offered\":2,"
                 "\"starttls_not_offered\":0,\"starttls_stripped\":0,\"tls_used\":2,"
                 "\"anonymoustls_command\":1,\"starttls_rejected\":0,");
    tu_has(json, "\"ip\":\"198.51.100.11\",\"sessions\":1,\"starttls_offered\":1,"
                 "\"starttls_not_offered\":0,");
    tu_has(json, "\"tls_used\":0,\"anonymoustls_command\":1,\"starttls_rejected\":1,"
                 "\"starttls_rejected_code\":454,");
    free(json);
}

/* starttls_rejected explains the reply codes its sessions got, those
 * alone: 454 and 502 from two peers say both, 503 alone neither. */
static void
test_rejected_codes_seen(void **state)
{
    (void)state;
    static struct session_facts f;
    static const int16_t codes[] = {454, 502, 503};
    for (unsigned i = 0; i < 3; i++) {
        memset(&f, 0, sizeof(f));
        f.smtp.seen = f.smtp.starttls_command = true;
        f.smtp.starttls_offered = 1;
        strcpy(f.smtp.starttls_verb, "STARTTLS");
        f.smtp.starttls_reply_code = codes[i];
        /* 503 to another server: its finding alone */
        feed(&f, i + 1, (uint8_t)(10 + i), i == 2 ? 587 : 25);
    }
    char *text = report_text();
    tu_has(text,
           "203.0.113.25:25 refused STARTTLS: 454 means the server's TLS is broken (check its "
           "certificate and key); 502 means that the command never reached an SMTP server "
           "that offers it (a middlebox that strips STARTTLS answers so) (2 sessions");
    tu_has(text, "203.0.113.25:587 refused STARTTLS (the server's reply says why) (1 session");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_implicit_tls_rows, chain_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_refused_rows, chain_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_anonymoustls_rows, chain_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_rejected_codes_seen, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
