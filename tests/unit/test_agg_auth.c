/* \summary: unit tests for auth_before_tls naming every AUTH mechanism its
 * sessions used before TLS (dissectors/smtp.c auth_used, src/agg_auth.c):
 * a session that tried PLAIN, then LOGIN, then AUTH with no word, then PLAIN
 * again is "AUTH PLAIN, AUTH LOGIN, AUTH (mechanism not seen)", each once, in
 * order; a word neither registered nor offered (a credential where the
 * mechanism belongs) is "AUTH (an unknown mechanism)", never the word; one
 * the server offered outside IANA's registry, "AUTH (an unregistered
 * mechanism)", never its name (a word from the wire); two
 * sessions' mechanisms are joined in one finding; a session's mechanisms
 * past the room smtp_facts keeps are counted, not kept, and the list ends in
 * "...". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "config.h"
#include "facts.h"
#include "fctx.h"
#include "tu_agg.h"
#include "tu_replay.h"
#include "tu_smtp.h"
#include "tu_text.h"

#define CRED_B64 "AHVzZXIAcGFzc3dvcmQxMjM0NQ==" /* "\0user\0password12345" */

/* PLAIN, LOGIN, AUTH alone, PLAIN again, each refused */
static const struct seg t_several[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\n"),
    S("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
    C("AUTH PLAIN\r\n"),
    S("334 \r\n"),
    C("*\r\n"),
    S("501 cancelled\r\n"),
    C("AUTH login\r\n"),
    S("334 VXNlcm5hbWU6\r\n"),
    C("*\r\n"),
    S("501 cancelled\r\n"),
    C("AUTH\r\n"),
    S("501 syntax\r\n"),
    C("AUTH PLAIN\r\n"),
    S("334 \r\n"),
    C("*\r\n"),
    S("501 cancelled\r\n"),
};

/* a credential where the mechanism belongs, then CRAM-MD5 */
static const struct seg t_token[] = {
    S("220 mx ESMTP\r\n"),      C("EHLO c\r\n"),       S("250-mx\r\n250 AUTH PLAIN\r\n"),
    C("AUTH " CRED_B64 "\r\n"), S("504 5.5.4 no\r\n"), C("AUTH CRAM-MD5\r\n"),
    S("504 5.5.4 no\r\n"),
};

/* a mechanism the server offered outside IANA's registry, then LOGIN */
static const struct seg t_unregistered[] = {
    S("220 mx ESMTP\r\n"),    C("EHLO c\r\n"),       S("250-mx\r\n250 AUTH X-CORP-SSO LOGIN\r\n"),
    C("AUTH x-corp-sso\r\n"), S("504 5.5.4 no\r\n"), C("AUTH LOGIN\r\n"),
    S("504 5.5.4 no\r\n"),
};

/* six registered names: the sixth past auth_used's room */
static const struct seg t_many[] = {
    S("220 mx ESMTP\r\n"), C("EHLO c\r\n"),
    S("250 mx\r\n"),       C("AUTH SCRAM-SHA-256-PLUS\r\n"),
    S("504 no\r\n"),       C("AUTH SCRAM-SHA-512-PLUS\r\n"),
    S("504 no\r\n"),       C("AUTH DIGEST-MD5\r\n"),
    S("504 no\r\n"),       C("AUTH CRAM-MD5\r\n"),
    S("504 no\r\n"),       C("AUTH ECDH-X25519-CHALLENGE\r\n"),
    S("504 no\r\n"),       C("AUTH GSSAPI\r\n"),
    S("504 no\r\n"),
};

static void
test_dissected(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_several, NSEG(t_several), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "PLAIN"); /* the session's field: the first */
    assert_string_equal(f->auth_used, "PLAIN LOGIN -");
    assert_false(f->auth_used_more);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_several, NSEG(t_several));

    ctx = tu_smtp_run(t_token, NSEG(t_token), SPLIT_WHOLE, 0, true);
    assert_string_equal(tu_smtp_facts(ctx)->auth_used, "? CRAM-MD5");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_token, NSEG(t_token));

    ctx = tu_smtp_run(t_unregistered, NSEG(t_unregistered), SPLIT_WHOLE, 0, true);
    assert_string_equal(tu_smtp_facts(ctx)->auth_mechanism, "unregistered");
    assert_string_equal(tu_smtp_facts(ctx)->auth_used, "+ LOGIN");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_unregistered, NSEG(t_unregistered));

    ctx = tu_smtp_run(t_many, NSEG(t_many), SPLIT_WHOLE, 0, true);
    f = tu_smtp_facts(ctx);
    assert_string_equal(f->auth_used, "SCRAM-SHA-256-PLUS SCRAM-SHA-512-PLUS DIGEST-MD5 CRAM-MD5 "
                                      "ECDH-X25519-CHALLENGE");
    assert_true(f->auth_used_more); /* GSSAPI did not fit */
    tu_smtp_done(ctx);
}

static struct config cfg;

/* The transcript dissected, its session (id, from 198.51.100.<client>)
 * diagnosed and aggregated to 203.0.113.25:25. */
static void
feed(const struct seg *segs, size_t nseg, uint64_t id, uint8_t client)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    struct flow_ctx *ctx = tu_smtp_run(segs, nseg, SPLIT_WHOLE, 0, true);
    f.smtp = *tu_smtp_facts(ctx);
    tu_agg_feed(tu_agg_record(&f, id, client, 25, 25));
    fctx_destroy(ctx); /* the aggregation's memory stays in use: not tu_smtp_done */
}

static void
test_finding_one_session(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    config_defaults(&tu_smtp_cfg);
    feed(t_several, NSEG(t_several), 1, 10);
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"evidence\":\"AUTH PLAIN, AUTH LOGIN, AUTH (mechanism not seen)\"");
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text,
           "received AUTH before TLS: the password crossed the network in plaintext with AUTH "
           "PLAIN and LOGIN, whose base64 is no encryption (1 session, peers 198.51.100.10): "
           "AUTH PLAIN, AUTH LOGIN, AUTH (mechanism not seen)");
    tu_lacks(text, "credentials crossed");
    free(text);
    free(json);
    tu_agg_stop();
}

static void
test_finding_sessions_joined(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    config_defaults(&tu_smtp_cfg);
    feed(t_token, NSEG(t_token), 1, 10);
    feed(t_several, NSEG(t_several), 2, 20);
    feed(t_many, NSEG(t_many), 3, 30);
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"evidence\":\"AUTH (an unknown mechanism), AUTH CRAM-MD5, AUTH PLAIN, AUTH "
                 "LOGIN, AUTH (mechanism not seen), AUTH SCRAM-SHA-256-PLUS, AUTH "
                 "SCRAM-SHA-512-PLUS, AUTH DIGEST-MD5, AUTH ECDH-X25519-CHALLENGE...\"");
    tu_lacks(json, CRED_B64);
    tu_lacks(json, "AHVZZXIACGFZC"); /* upper-cased, as names are kept */
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "(3 sessions, peers 198.51.100.10, 198.51.100.20, 198.51.100.30): AUTH (an "
                 "unknown mechanism), AUTH CRAM-MD5, AUTH PLAIN");
    tu_lacks(text, CRED_B64);
    /* the worst said: PLAIN and LOGIN send the password */
    tu_has(text,
           "received AUTH before TLS: the password crossed the network in plaintext with AUTH "
           "PLAIN and LOGIN, whose base64 is no encryption (3 sessions,");
    free(text);
    free(json);
    tu_agg_stop();
}

/* One session's "AUTH <mech>" refused, aggregated alone (client) or with
 * the sessions before it on the same server. */
static void
feed_mech(const char *line, size_t len, uint64_t id, uint8_t client)
{
    const struct seg segs[] = {
        S("220 mx ESMTP\r\n"),      C("EHLO c\r\n"),       S("250-mx\r\n250 AUTH PLAIN\r\n"),
        {DIR_TO_SERVER, line, len}, S("504 5.5.4 no\r\n"),
    };
    feed(segs, NSEG(segs), id, client);
}

#define MECH(l) l "\r\n", sizeof(l "\r\n") - 1

/* The headline by what the mechanism sends (RFC 4954, and each one's RFC),
 * not "credentials crossed the network in plaintext" for all. */
static void
test_headline_by_mechanism(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        size_t len;
        const char *says;
    } cases[] = {
        {MECH("AUTH CRAM-MD5"),
         "received AUTH before TLS: a challenge-response crossed the network in plaintext with "
         "AUTH CRAM-MD5: not the password but a hash keyed with it over the server's challenge, "
         "which an eavesdropper can crack offline (a dictionary attack on the password) (1 "
         "session, peers 198.51.100.10): AUTH CRAM-MD5\n"},
        {MECH("AUTH digest-md5"), "a challenge-response crossed the network in plaintext with "
                                  "AUTH DIGEST-MD5: not the password"},
        {MECH("AUTH NTLM TlRMTVNTUAABAAAA"), "a challenge-response crossed the network in "
                                             "plaintext with AUTH NTLM: not the password"},
        {MECH("AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9"),
         "received AUTH before TLS: a salted, iterated challenge-response crossed the network "
         "in plaintext with AUTH SCRAM-SHA-256: offline cracking is harder but possible; mail "
         "sent in these sessions is readable anyway (1 session,"},
        {MECH("AUTH XOAUTH2 dXNlcj11c2VyAWF1dGg9QmVhcmVy"),
         "received AUTH before TLS: a bearer token crossed the network in plaintext with AUTH "
         "XOAUTH2: as good as a password to whoever captured it, until it expires (1 session,"},
        {MECH("AUTH OAUTHBEARER"), "a bearer token crossed the network in plaintext with AUTH "
                                   "OAUTHBEARER: "},
        {MECH("AUTH GSSAPI"), "received AUTH before TLS: Kerberos tickets crossed the network "
                              "outside TLS with AUTH GSSAPI, not the password; mail sent in "
                              "these sessions is readable anyway (1 session,"},
        {MECH("AUTH EXTERNAL ="), "received AUTH before TLS: no secret crossed the network with "
                                  "AUTH EXTERNAL; mail sent in these sessions is readable "
                                  "anyway (1 session,"},
        {MECH("AUTH LOGIN"), "received AUTH before TLS: the password crossed the network in "
                             "plaintext with AUTH LOGIN, whose base64 is no encryption (1 "
                             "session,"},
        /* not judged: a word that may be a credential, one not in the table */
        {MECH("AUTH " CRED_B64), "received AUTH before TLS: credentials crossed the network in "
                                 "plaintext (1 session,"},
        {MECH("AUTH ECDH-X25519-CHALLENGE"), "received AUTH before TLS: credentials crossed the "
                                             "network in plaintext (1 session,"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tu_agg_start(&cfg, NULL);
        config_defaults(&tu_smtp_cfg);
        feed_mech(cases[i].line, cases[i].len, 1, 10);
        agg_finish();
        char *text = tu_agg_text(NULL, NULL);
        tu_has(text, cases[i].says);
        tu_lacks(text, CRED_B64);
        tu_lacks(text, "dXNlcj11");
        free(text);
        tu_agg_stop();
    }
}

/* Several mechanisms on one server: the worst said, with its mechanisms
 * alone; a mechanism not judged (a credential's place, or one past the
 * room kept) is worse than all but PLAIN and LOGIN. */
static void
test_headline_worst(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    config_defaults(&tu_smtp_cfg);
    feed_mech(MECH("AUTH SCRAM-SHA-1"), 1, 10);
    feed_mech(MECH("AUTH CRAM-MD5"), 2, 20);
    feed_mech(MECH("AUTH EXTERNAL"), 3, 20);
    feed_mech(MECH("AUTH NTLM"), 4, 20);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "received AUTH before TLS: a challenge-response crossed the network in plaintext "
                 "with AUTH CRAM-MD5 and NTLM: not the password");
    free(text);
    tu_agg_stop();

    tu_agg_start(&cfg, NULL);
    config_defaults(&tu_smtp_cfg);
    feed_mech(MECH("AUTH XOAUTH2"), 1, 10);
    feed(t_token, NSEG(t_token), 2, 20); /* "?" then CRAM-MD5 */
    agg_finish();
    text = tu_agg_text(NULL, NULL);
    tu_has(text, "received AUTH before TLS: credentials crossed the network in plaintext (2 "
                 "sessions,");
    free(text);
    tu_agg_stop();

    tu_agg_start(&cfg, NULL);
    config_defaults(&tu_smtp_cfg);
    feed(t_many, NSEG(t_many), 1, 10); /* GSSAPI past the room: not known */
    agg_finish();
    text = tu_agg_text(NULL, NULL);
    tu_has(text, "received AUTH before TLS: credentials crossed the network in plaintext (1 "
                 "session,");
    free(text);
    tu_agg_stop();

    tu_agg_start(&cfg, NULL);
    config_defaults(&tu_smtp_cfg);
    feed_mech(MECH("AUTH XOAUTH2"), 1, 10);
    feed_mech(MECH("AUTH PLAIN"), 2, 10);
    agg_finish();
    text = tu_agg_text(NULL, NULL);
    tu_has(text,
           "received AUTH before TLS: the password crossed the network in plaintext with AUTH "
           "PLAIN, whose base64 is no encryption (2 sessions,");
    free(text);
    tu_agg_stop();
}

/* A mechanism the server offered outside the registry: said as one, its
 * name written nowhere (the finding, the session's auth_mechanism). */
static void
test_finding_unregistered(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    config_defaults(&tu_smtp_cfg);
    feed(t_unregistered, NSEG(t_unregistered), 1, 10);
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"evidence\":\"AUTH (an unregistered mechanism), AUTH LOGIN\"");
    tu_lacks(json, "X-CORP-SSO");
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "(1 session, peers 198.51.100.10): AUTH (an unregistered mechanism), AUTH LOGIN");
    tu_lacks(text, "X-CORP-SSO");
    free(text);
    free(json);
    tu_agg_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_dissected, tu_smtp_setup),
        cmocka_unit_test(test_finding_one_session),
        cmocka_unit_test(test_finding_sessions_joined),
        cmocka_unit_test(test_finding_unregistered),
        cmocka_unit_test(test_headline_by_mechanism),
        cmocka_unit_test(test_headline_worst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
