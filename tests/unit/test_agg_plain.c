/* \summary: unit tests for mail sent in plaintext, per peer (src/agg_plain.c):
 * opportunistic TLS left unused (RFC 3207) is starttls_not_used, medium, and
 * no fallback; a plaintext message after STARTTLS was refused (or stripped,
 * or failed) is a critical plaintext_fallback; one from a peer that had used
 * TLS with the server before is a high one; the capture's order decides (a
 * peer that starts using TLS later did not fall back); and a peer never
 * offered STARTTLS is starttls_inconsistent's, not a fallback. Also the
 * server's time span when records come in another order than sessions began,
 * and the classes then: by the order sessions began, not ended (a snapshot
 * says the same and changes nothing). And starttls_not_offered by how EHLO
 * was answered: a server that rejects EHLO (500, 502) speaks RFC 821 only. */
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
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "mem.h"
#include "record.h"
#include "report.h"
#include "tu_agg.h"
#include "tu_text.h"

static struct config cfg;
static uint16_t feed_port = 25; /* the server's port of the sessions fed */

static int
setup(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    feed_port = 25;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tu_agg_stop();
    return 0;
}

enum how {
    PLAIN_OFFERED,      /* STARTTLS offered, not tried, a message in plaintext */
    PLAIN_NOT_OFFERED,  /* no STARTTLS in the EHLO reply, a message in plaintext */
    PLAIN_REFUSED,      /* STARTTLS answered 454, then a message in plaintext */
    PLAIN_ANON_ONLY,    /* X-ANONYMOUSTLS alone offered, not tried, a message in plaintext */
    PLAIN_ANON_REFUSED, /* X-ANONYMOUSTLS answered 454, then a message in plaintext */
    TLS_USED,           /* STARTTLS 220, TLS */
    PLAIN_MAIL_REFUSED, /* STARTTLS offered, not tried, MAIL in plaintext refused (451 5.7.3) */
    NO_MAIL,            /* STARTTLS offered, not tried, no MAIL (EHLO, QUIT) */
    PLAIN_OFFERED_AUTH, /* as PLAIN_OFFERED, with AUTH sent in plaintext first */
    MASKED_PLAIN,       /* STARTTLS offered, the command arrived masked (XXXXXXXX) and got
                           500, then a message in plaintext */
    MASKED_NO_MAIL,     /* the same, then no mail (openssl s_client gives up) */
    KEYWORD_PLAIN,      /* the EHLO reply's keyword masked (XXXXXXXA), a message in plaintext */
    KEYWORD_500,        /* the same, STARTTLS sent anyway and answered 500 (the middlebox), no
                           mail */
    REFUSED_500,        /* STARTTLS offered in clear, answered 500, no mail: the server's */
    FAILED_PLAIN        /* STARTTLS 220, the handshake ended by a fatal alert, then a message
                           in plaintext */
};

/* One session of 198.51.100.<client> to 203.0.113.25:25, diagnosed and
 * aggregated as report.c does. */
static void
feed_ehlo(uint64_t id, uint8_t client, enum how how, int16_t ehlo_code)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = true;
    f.smtp.ehlo_reply_code = ehlo_code;
    f.smtp.starttls_offered = how == PLAIN_NOT_OFFERED || how == PLAIN_ANON_ONLY ? 0 : 1;
    f.smtp.anonymoustls_offered = how == PLAIN_ANON_ONLY || how == PLAIN_ANON_REFUSED;
    bool refused = how == PLAIN_REFUSED || how == PLAIN_ANON_REFUSED;
    f.smtp.starttls_command = refused || how == TLS_USED;
    strcpy(f.smtp.starttls_verb, how == PLAIN_ANON_REFUSED ? "X-ANONYMOUSTLS" : "STARTTLS");
    f.smtp.starttls_reply_code = refused ? 454 : how == TLS_USED ? 220 : 0;
    f.smtp.tls_started = how == TLS_USED;
    bool sent = how != TLS_USED && how != PLAIN_MAIL_REFUSED && how != NO_MAIL;
    f.smtp.plaintext_messages = sent ? 1 : 0;
    f.smtp.plaintext_data = sent;
    f.smtp.plaintext_mail = sent || how == PLAIN_MAIL_REFUSED;
    f.smtp.auth_before_tls = how == PLAIN_OFFERED_AUTH;
    f.smtp.starttls_masked = how == MASKED_PLAIN || how == MASKED_NO_MAIL;
    f.smtp.starttls_masked_code = f.smtp.starttls_masked ? 500 : 0;
    static uint8_t keyword[] = "XXXXXXXA";
    if (how == KEYWORD_PLAIN || how == KEYWORD_500) {
        f.smtp.starttls_offered = 0;
        f.smtp.stripped_capability.s = keyword;
        f.smtp.stripped_capability.len = 8;
    }
    if (how == KEYWORD_500 || how == REFUSED_500) {
        f.smtp.starttls_command = true;
        f.smtp.starttls_reply_code = 500;
    }
    if (how == MASKED_NO_MAIL || how == KEYWORD_500 || how == REFUSED_500) {
        f.smtp.plaintext_messages = 0;
        f.smtp.plaintext_data = f.smtp.plaintext_mail = false;
    }
    if (how == FAILED_PLAIN) {
        f.smtp.starttls_command = f.smtp.tls_started = true;
        f.smtp.starttls_reply_code = 220;
        f.tls.seen = true;
        f.tls.handshake = TLS_HS_FAILED;
    }
    f.smtp.plaintext_on_tls_port = feed_port == 465; /* as engine.c says it */
    tu_agg_feed(tu_agg_record(&f, id, client, 25, feed_port));
}

static void
feed(uint64_t id, uint8_t client, enum how how)
{
    feed_ehlo(id, client, how, 0);
}

/* The findings of what was fed: the terminal report's lines up to the
 * first blank one. */
static char *
findings(void)
{
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    char *end = strstr(text, "\n\n");
    if (end)
        end[1] = '\0';
    return text;
}

/* zeek__smtp.pcap, chrissanders__mail_receiver_server_3: STARTTLS offered,
 * never sent. A sender's choice, not a downgrade. */
static void
test_offered_not_used(void **state)
{
    (void)state;
    feed(1, 10, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "  medium   starttls_not_used                  203.0.113.25:25 offered STARTTLS "
                 "to peers that sent mail in plaintext without trying it and did not use TLS "
                 "with it in this capture: ");
    tu_has(text, " (1 session, peers 198.51.100.10)\n");
    tu_lacks(text, "plaintext_fallback");
    assert_int_equal(agg_max_severity(), SEV_MEDIUM);
    free(text);
}

/* TLS first, then plaintext with STARTTLS offered: a high fallback. */
static void
test_tls_then_plaintext(void **state)
{
    (void)state;
    feed(1, 10, TLS_USED);
    feed(2, 10, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "  high     plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.10, which had used TLS with it before (");
    tu_lacks(text, "starttls_not_used");
    assert_int_equal(agg_max_severity(), SEV_HIGH);
    free(text);
}

/* Plaintext with STARTTLS offered first, TLS later (pcaps/diag/
 * starttls-unused.pcap's 198.51.100.11): a capture window is arbitrary, so
 * a peer that uses TLS with the server is no sender that does not use it
 * (starttls_not_used said "a legacy MTA, a script"): as a peer that had
 * used TLS before, a high plaintext_fallback, said as it happened. */
static void
test_plaintext_then_tls(void **state)
{
    (void)state;
    feed(1, 10, PLAIN_OFFERED);
    feed(2, 10, TLS_USED);
    char *text = findings();
    tu_lacks(text, "starttls_not_used");
    tu_has(text, "  high     plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.10 without trying the STARTTLS offered, though they "
                 "used TLS with it in a later session (STARTTLS hidden from them on their path, "
                 "or another sender behind the same address); require TLS for these peers by "
                 "MTA-STS, DANE or a TLS policy (1 session, peers 198.51.100.10)\n");
    assert_int_equal(agg_max_severity(), SEV_HIGH);
    free(text);
}

/* STARTTLS tried later and refused is no TLS used: the earlier plaintext
 * session stays starttls_not_used; and a later plaintext session with no
 * STARTTLS offered is not made a fallback by a TLS session after it. */
static void
test_later_refused_not_used(void **state)
{
    (void)state;
    feed(1, 10, PLAIN_OFFERED);
    feed(2, 10, PLAIN_REFUSED);
    feed(3, 11, PLAIN_NOT_OFFERED);
    feed(4, 11, TLS_USED);
    char *text = findings();
    tu_has(text, "starttls_not_used                  203.0.113.25:25 offered STARTTLS");
    tu_has(text, "configure them to use STARTTLS (1 session, peers 198.51.100.10)");
    tu_lacks(text, "in a later session");
    free(text);
}

/* STARTTLS refused (454), the message sent anyway: critical, above
 * plaintext_after_failed_starttls (high), which says it of one connection;
 * a peer with no TLS trouble in the same capture is not named in it. */
static void
test_refused_then_plaintext(void **state)
{
    (void)state;
    feed(1, 10, PLAIN_REFUSED);
    feed(2, 11, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "  critical plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.10 after STARTTLS was refused for them; first fix what "
                 "refused their STARTTLS (starttls_rejected): requiring TLS while it fails would "
                 "make these peers defer all their mail; then require TLS for these peers");
    /* the cause itself, which the fallback sends the reader to */
    tu_has(text, "starttls_rejected                  [TLS-RPT: starttls-not-supported] "
                 "203.0.113.25:25 refused STARTTLS: 454 means the server's TLS is broken");
    tu_has(text, "  high     plaintext_after_failed_starttls    ");
    tu_has(text, "starttls_not_used                  203.0.113.25:25 offered STARTTLS");
    tu_has(text, "(1 session, peers 198.51.100.11)");
    assert_int_equal(agg_max_severity(), SEV_CRITICAL);
    free(text);
}

/* A peer that was never offered STARTTLS fell back from nothing: said by
 * starttls_inconsistent (pcaps/diag/starttls-inconsistent.pcap). */
static void
test_not_offered(void **state)
{
    (void)state;
    feed(1, 10, TLS_USED);
    feed(2, 140, PLAIN_NOT_OFFERED);
    char *text = findings();
    tu_lacks(text, "plaintext_fallback");
    tu_lacks(text, "starttls_not_used");
    tu_has(text, "starttls_inconsistent              203.0.113.25:25 offers STARTTLS to "
                 "198.51.100.10 but not to 198.51.100.140: a policy by source address, or a "
                 "middlebox on their path; of these, 198.51.100.140 sent mail in plaintext (1 "
                 "session, peers 198.51.100.140)\n");
    /* starttls_not_offered: to that peer, not "in its EHLO reply" alone as
     * if the server had no STARTTLS (RFC 3207 section 4: per EHLO reply) */
    tu_has(text, "203.0.113.25:25 did not offer STARTTLS to these peers in its EHLO reply, "
                 "though it offered it to other peers in this capture, as starttls_inconsistent "
                 "says: a policy by source address, or a middlebox on their path (1 session, "
                 "peers 198.51.100.140)\n");
    free(text);
    /* a server that never offered it: as before */
    agg_fini();
    agg_init(&cfg);
    feed(1, 10, PLAIN_NOT_OFFERED);
    feed(2, 140, PLAIN_NOT_OFFERED);
    text = findings();
    tu_has(text, "203.0.113.25:25 did not offer STARTTLS in its EHLO reply (2 sessions, ");
    tu_lacks(text, "starttls_inconsistent");
    free(text);
}

/* One peer offered STARTTLS in some sessions and not in others
 * (pcaps/variants/evidence-leaks.pcap): said by its sessions, not as a
 * peer offered it and not offered it ("to 192.0.2.10 but not to
 * 192.0.2.10"); nor a policy by source address (one address). */
static void
test_inconsistent_same_peer(void **state)
{
    (void)state;
    feed(1, 10, TLS_USED);
    feed(2, 10, TLS_USED);
    feed(3, 10, PLAIN_NOT_OFFERED);
    char *text = findings();
    tu_has(text, "starttls_inconsistent              203.0.113.25:25 offers STARTTLS to "
                 "198.51.100.10 in 2 sessions but not in 1, the first at 2025-06-01 00:00:03: a "
                 "middlebox on their path, or nodes behind this address set up differently (1 "
                 "session, peers 198.51.100.10)\n");
    tu_lacks(text, "but not to 198.51.100.10");
    tu_has(text, "203.0.113.25:25 did not offer STARTTLS in these sessions' EHLO replies, though "
                 "it offered it in other sessions in this capture, as starttls_inconsistent says: "
                 "a middlebox on their path, or nodes behind this address set up differently (1 "
                 "session, peers 198.51.100.10)\n");
    free(text);
}

/* Peers offered it always (11), sometimes (10) and never (12). */
static void
test_inconsistent_mixed(void **state)
{
    (void)state;
    feed(1, 10, TLS_USED);
    feed(2, 10, PLAIN_NOT_OFFERED);
    feed(3, 11, TLS_USED);
    feed(4, 12, PLAIN_NOT_OFFERED);
    feed(5, 12, PLAIN_NOT_OFFERED);
    char *text = findings();
    tu_has(text, "starttls_inconsistent              203.0.113.25:25 offers STARTTLS to "
                 "198.51.100.11, and to 198.51.100.10 in 1 session but not in 1, and not at all "
                 "to 198.51.100.12: a policy by source address, or a middlebox on their path;");
    tu_has(text, "(3 sessions, peers 198.51.100.10, 198.51.100.12)\n");
    /* 198.51.100.10 got it in another session: not "to these peers" */
    tu_has(text, "203.0.113.25:25 did not offer STARTTLS in these sessions' EHLO replies, though "
                 "it offered it in other sessions in this capture, as starttls_inconsistent says: "
                 "a policy by source address, or a middlebox on their path (3 sessions, ");
    free(text);
}

/* A handshake fails; STARTTLS is not "failed" (it read "after STARTTLS was
 * failed for them"); with a refusal too, both said. */
static void
test_failed_wording(void **state)
{
    (void)state;
    feed(1, 10, FAILED_PLAIN);
    feed(2, 11, FAILED_PLAIN);
    feed(3, 11, PLAIN_REFUSED);
    char *text = findings();
    tu_has(text, "received mail in plaintext from 198.51.100.10, 198.51.100.11 after STARTTLS was "
                 "refused for them, or their TLS handshakes failed; first fix what refused or "
                 "broke their TLS");
    tu_lacks(text, "was failed");
    free(text);
}

/* A server that offered Exchange's X-ANONYMOUSTLS alone offered TLS all the
 * same (as the session's diagnosis has it): a peer that did not take it up
 * left TLS unused, and was not one "not offered" STARTTLS. */
static void
test_anonymoustls_only(void **state)
{
    (void)state;
    feed(1, 10, PLAIN_ANON_ONLY);
    char *text = findings();
    tu_has(text, "starttls_not_used                  203.0.113.25:25 offered STARTTLS ");
    tu_lacks(text, "starttls_inconsistent");
    tu_lacks(text, "starttls_not_offered");
    free(text);
}

/* Exchange's verb refused, then mail in plaintext: the fallback names it. */
static void
test_anonymoustls_refused(void **state)
{
    (void)state;
    feed(1, 10, PLAIN_ANON_REFUSED);
    char *text = findings();
    tu_has(text, "received mail in plaintext from 198.51.100.10 after STARTTLS (or X-ANONYMOUSTLS) "
                 "was refused for them;");
    /* the refusal names the verb its peer sent */
    tu_has(text, "203.0.113.25:25 refused X-ANONYMOUSTLS: 454 means");
    free(text);
}

/* Records come as sessions end: a long session (1, from :01) ending after
 * a short one inside it (5, from :05) and one before it (3). The server's
 * span is the earliest and latest start, not the first and last record
 * (it read "00:00:05 .. 00:00:01"). */
static void
test_span_by_start(void **state)
{
    (void)state;
    feed(5, 10, TLS_USED);
    feed(1, 10, TLS_USED);
    feed(3, 11, TLS_USED);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "3 sessions (0 TLS) from 2 peers, 2025-06-01 00:00:01 .. 2025-06-01 00:00:05\n");
    free(text);
}

/* A long TLS session (1) still open while a short plaintext one (2) of the
 * same peer begins and ends: its record comes second. The plaintext one
 * came after TLS use (it read starttls_not_used, "never used TLS"). */
static void
test_tls_began_before_ended_after(void **state)
{
    (void)state;
    feed(2, 10, PLAIN_OFFERED);
    feed(1, 10, TLS_USED);
    char *text = findings();
    tu_has(text, "  high     plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.10, which had used TLS with it before (");
    tu_lacks(text, "starttls_not_used");
    free(text);
}

/* The other way round: plaintext (1) began first and ended last, TLS (2)
 * began inside it: TLS came later (by start), not before (it read "had
 * used TLS with it before"). */
static void
test_plaintext_began_before_ended_after(void **state)
{
    (void)state;
    feed(2, 10, TLS_USED);
    feed(1, 10, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "from 198.51.100.10 without trying the STARTTLS offered, though they used TLS "
                 "with it in a later session");
    tu_lacks(text, "before");
    tu_lacks(text, "starttls_not_used");
    free(text);
}

/* STARTTLS refused in a connection (1) still open while two plaintext
 * ones (2, 3) of the peer came and went, one before it (0 is none: ids
 * start at 1, so 4 plaintext, 5 refused, 6 and 7 plaintext): the ones that
 * began after the refusal are critical fallbacks, the one before is not. */
static void
test_refused_began_before_ended_after(void **state)
{
    (void)state;
    feed(6, 10, PLAIN_OFFERED);
    feed(4, 10, PLAIN_OFFERED);
    feed(7, 10, PLAIN_OFFERED);
    feed(5, 10, PLAIN_REFUSED);
    char *text = findings();
    tu_has(text, "  critical plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.10 after STARTTLS was refused for them; ");
    tu_has(text, "plaintext_delivery                 203.0.113.25:25 received mail in plaintext "
                 "(4 sessions, ");
    tu_has(text, "starttls_not_used                  203.0.113.25:25 offered STARTTLS to peers "
                 "that sent mail in plaintext without trying it and did not use TLS with it in "
                 "this capture: ");
    tu_has(text, "(1 session, peers 198.51.100.10)\n"); /* 4 alone: 5, 6 and 7 fell back */
    free(text);
}

/* A live run's report (agg_snapshot_begin) classes the sessions as the
 * final one would with the same records, and leaves the run as it was: a
 * record after it still moves a queued session's class. */
static void
test_snapshot_consistent(void **state)
{
    (void)state;
    feed(2, 10, PLAIN_OFFERED);
    assert_true(agg_snapshot_begin());
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "starttls_not_used");
    tu_lacks(text, "plaintext_fallback");
    free(text);
    agg_snapshot_end();
    feed(1, 10, TLS_USED); /* began first, ended after the snapshot */
    assert_true(agg_snapshot_begin());
    text = tu_agg_text(NULL, NULL);
    tu_has(text, "plaintext_fallback");
    tu_lacks(text, "starttls_not_used");
    free(text);
    agg_snapshot_end();
    text = findings();
    tu_has(text, "  high     plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.10, which had used TLS with it before (");
    tu_lacks(text, "starttls_not_used");
    free(text);
}

/* The queue is bounded (report.peers_max * 4 sessions a server): past it,
 * the first to have ended is classed for good by what was known then, and
 * the run goes on. Two peers, 2 * 4 queued: 12 plaintext sessions of peer
 * 10 (ids 2..13), then its TLS session 1 that began before all of them:
 * the last 8 to end are fallbacks, the 4 classed earlier stay unused TLS
 * (all 12 read so before: the bound is the window of records out of order
 * that is put right). */
static void
test_queue_bounded(void **state)
{
    (void)state;
    cfg.report_peers_max = 2;
    for (uint64_t id = 2; id <= 13; id++)
        feed(id, 10, PLAIN_OFFERED);
    feed(1, 10, TLS_USED);
    char *text = findings();
    tu_has(text, "plaintext_fallback                 203.0.113.25:25 received mail in plaintext "
                 "from 198.51.100.10, which had used TLS with it before (");
    tu_has(text, "configure them to use STARTTLS (4 sessions, peers 198.51.100.10)\n");
    free(text);
}

/* Peers beyond report.peers_max (1 here): .11's earlier sessions are not
 * kept, so its plaintext one is not said to come from a peer that "had not
 * used TLS with it before" (it had); the plaintext_delivery finding counts
 * it as not known. A refusal in the session itself is still a fallback,
 * said of peers beyond the cap (it read "peers not listed"). */
static void
test_peer_not_kept(void **state)
{
    (void)state;
    cfg.report_peers_max = 1;
    feed(1, 10, TLS_USED);
    feed(2, 11, TLS_USED);
    feed(3, 11, PLAIN_OFFERED);
    char *text = findings();
    tu_lacks(text, "starttls_not_used");
    tu_lacks(text, "plaintext_fallback");
    tu_has(text,
           "received mail in plaintext (1 session, peers beyond report.peers_max, not listed); "
           "1 session of them from peers "
           "beyond report.peers_max, whose earlier sessions are not kept: whether they had "
           "used TLS before (a fallback) is not known\n");
    free(text);
    agg_fini();
    agg_init(&cfg);
    feed(1, 10, TLS_USED);
    feed(2, 12, PLAIN_REFUSED);
    text = findings();
    tu_has(text, "  critical plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from peers beyond report.peers_max after STARTTLS was refused for "
                 "them; ");
    free(text);
}

/* ndpi__smtp.pcap: Sendmail 8.8.7 answered EHLO "500 Command unrecognized"
 * and the client went on with HELO: an RFC 821-only server, which has no
 * extension to offer (RFC 5321 §4.1.1.1, §3.2), not one whose EHLO reply
 * left STARTTLS out. */
static void
test_ehlo_unrecognized(void **state)
{
    (void)state;
    feed_ehlo(1, 10, PLAIN_NOT_OFFERED, 500);
    char *text = findings();
    tu_has(text, "  medium   starttls_not_offered               "
                 "[TLS-RPT: starttls-not-supported] 203.0.113.25:25 did not offer "
                 "STARTTLS: it answered EHLO with 500 (command unrecognized), as an RFC "
                 "821-only server does: one with no SMTP extension at all, STARTTLS included "
                 "(RFC 5321 sections 4.1.1.1 and 3.2: a client then falls back to HELO); run a "
                 "mail server that supports EHLO and STARTTLS (1 session, peers "
                 "198.51.100.10)\n");
    tu_lacks(text, "in its EHLO reply");
    free(text);
    /* the same, on a server that offered STARTTLS to another peer */
    agg_fini();
    agg_init(&cfg);
    feed(1, 11, TLS_USED);
    feed_ehlo(2, 10, PLAIN_NOT_OFFERED, 500);
    text = findings();
    tu_has(text, "203.0.113.25:25 did not offer STARTTLS to these peers: it answered EHLO with 500 "
                 "(command unrecognized), as an RFC 821-only server does: ");
    tu_has(text, "run a mail server that supports EHLO and STARTTLS; but it offered it to other "
                 "peers in this capture, as starttls_inconsistent says: a policy by source "
                 "address, or a middlebox on their path (1 session, peers 198.51.100.10)\n");
    free(text);
    /* a 250 reply without STARTTLS: as before */
    agg_fini();
    agg_init(&cfg);
    feed_ehlo(1, 10, PLAIN_NOT_OFFERED, 250);
    text = findings();
    tu_has(text, "203.0.113.25:25 did not offer STARTTLS in its EHLO reply (1 session, ");
    free(text);
    /* both, and another refusal: each said, the advice last */
    agg_fini();
    agg_init(&cfg);
    feed_ehlo(1, 10, PLAIN_NOT_OFFERED, 250);
    feed_ehlo(2, 11, PLAIN_NOT_OFFERED, 502);
    feed_ehlo(3, 12, PLAIN_NOT_OFFERED, 554);
    feed_ehlo(4, 13, PLAIN_NOT_OFFERED, 500);
    text = findings();
    tu_has(text, "203.0.113.25:25 did not offer STARTTLS: its EHLO reply lacked it; in other "
                 "sessions, it refused EHLO (a reply neither 2xx nor 500/502); in other "
                 "sessions, it answered EHLO with 500 or 502 (EHLO unknown to it), as an RFC "
                 "821-only server does: ");
    free(text);
}

/* smtp-submission-587.pcap: 198.51.100.30's second session was offered
 * STARTTLS, sent MAIL in plaintext and got 451 5.7.3; its row read
 * "offered 2 tls 1", that session in no count. Every session is now in
 * one: TLS, a refusal or failure, mail delivered, MAIL sent and no message
 * delivered, or no MAIL at all. */
static void
test_peer_row_every_session(void **state)
{
    (void)state;
    feed(1, 30, TLS_USED);
    feed(2, 30, PLAIN_MAIL_REFUSED);
    feed(3, 31, NO_MAIL);
    feed(4, 31, PLAIN_OFFERED);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "  STARTTLS   198.51.100.30: offered 2 tls 1 plaintext-undelivered 1\n"
                 "             198.51.100.31: offered 2 PLAINTEXT-MAIL 1 no-mail 1\n");
    free(text);
}

/* A mail client (AUTH in plaintext) and an MTA (none) behind one NAT
 * address on port 25: each session keeps its own advice, the client's
 * high "mail clients or scripts", the MTA's the medium opportunistic one,
 * which says the address sent AUTH in other sessions. */
static void
test_auth_by_session(void **state)
{
    (void)state;
    feed(1, 40, PLAIN_OFFERED_AUTH);
    feed(2, 40, PLAIN_OFFERED);
    feed(3, 40, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "  high     starttls_not_used                  203.0.113.25:25 offered STARTTLS "
                 "to peers that sent AUTH and mail in plaintext without trying it: mail clients "
                 "or scripts submitting on an MTA port");
    tu_has(text, "(Postfix: smtpd_tls_auth_only = yes) (1 session, peers 198.51.100.40)\n");
    tu_has(text, "  medium   starttls_not_used                  203.0.113.25:25 offered STARTTLS "
                 "to peers that sent mail in plaintext without trying it and did not use TLS ");
    tu_has(text, "configure them to use STARTTLS (2 sessions, peers 198.51.100.40); 198.51.100.40 "
                 "sent AUTH in plaintext in other sessions (the high starttls_not_used): a mail "
                 "client and an MTA behind the same address, each with its own advice\n");
    free(text);
}

/* Another address's AUTH makes no MTA a mail client: the MTA's finding
 * stays medium, with no word of AUTH. */
static void
test_auth_other_peer(void **state)
{
    (void)state;
    feed(1, 41, PLAIN_OFFERED_AUTH);
    feed(2, 42, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "(Postfix: smtpd_tls_auth_only = yes) (1 session, peers 198.51.100.41)\n");
    tu_has(text, "configure them to use STARTTLS (1 session, peers 198.51.100.42)\n");
    free(text);
}

/* On 587 every plaintext session is a mail client's: one finding, AUTH or
 * not, with the submission advice. */
static void
test_auth_submission_one(void **state)
{
    (void)state;
    feed_port = 587;
    feed(1, 43, PLAIN_OFFERED_AUTH);
    feed(2, 44, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "  high     starttls_not_used                  203.0.113.25:587 offered STARTTLS "
                 "to mail clients that submitted mail in plaintext without trying it");
    tu_has(text, "as RFC 8314 recommends (2 sessions, peers 198.51.100.43, 198.51.100.44)\n");
    const char *first = strstr(text, "starttls_not_used");
    assert_non_null(first);
    assert_null(strstr(first + 1, "starttls_not_used"));
    free(text);
}

/* On 587 and on 465 (plaintext served on an implicit-TLS port) the
 * sessions with AUTH and without make one starttls_not_used: 40 peers sent
 * AUTH, 40 did not, 20 of them both (60 peers), four sessions each kind, so
 * that the oldest leave the queue (report.peers_max * 4) and are counted.
 * 32 peers listed; the 28 others counted once each, whatever the join of
 * the two classes and the sessions (not 36: each class's sessions past its
 * own list plus the other's listed peers that did not fit). */
static void
test_joined_peers_not_listed(void **state)
{
    (void)state;
    static const uint16_t ports[2] = {587, 465};
    uint64_t id = 1;
    for (unsigned k = 0; k < 2; k++) {
        feed_port = ports[k];
        for (unsigned r = 0; r < 4; r++) {
            for (uint8_t c = 1; c <= 40; c++)
                feed(id++, c, PLAIN_OFFERED_AUTH);
            for (uint8_t c = 21; c <= 60; c++)
                feed(id++, c, PLAIN_OFFERED);
        }
    }
    agg_finish();
    char *json = tu_agg_json();
    for (unsigned k = 0; k < 2; k++) {
        char server[80];
        snprintf(server, sizeof(server),
                 "\"kind\":\"starttls_not_used\",\"server\":{\"ip\":\"203.0.113.25\","
                 "\"port\":%u}",
                 (unsigned)ports[k]);
        const char *f = strstr(json, server);
        assert_non_null(f);
        const char *end = strchr(f, '\n');
        assert_non_null(end);
        char *one = strndup(f, (size_t)(end - f));
        tu_has(one, "\"peers_not_listed\":28,");
        tu_has(one, "\"session_count\":320,");
        tu_has(one, " and 26 more, and 28 peers not listed)");
        free(one);
        /* one finding of both kinds on each port */
        assert_null(strstr(end, server));
    }
    free(json);
}

/* On the submission port the peers are mail clients: requiring TLS while
 * the server refuses it leaves them unable to send (no queue to defer to),
 * pcaps/diag/submission-454.pcap; an MTA port keeps the deferral. */
static void
test_refused_submission(void **state)
{
    (void)state;
    feed_port = 587;
    feed(1, 45, PLAIN_REFUSED);
    char *text = findings();
    tu_has(text, "first fix what refused their STARTTLS (starttls_rejected): requiring TLS while "
                 "it fails would leave these mail clients unable to send at all (their users "
                 "would see errors); then require TLS on this submission port");
    tu_lacks(text, "defer");
    free(text);
}

/* On an implicit-TLS port that served plaintext (465, a --tls-ports port)
 * the peers are mail clients too (RFC 8314 section 3.3): the 587 wording,
 * no deferral, and the advice to serve TLS there. */
static void
test_refused_tls_port(void **state)
{
    (void)state;
    cfg.tls_ports[cfg.n_tls_ports++] = 4650;
    for (unsigned k = 0; k < 2; k++) {
        feed_port = k == 0 ? 465 : 4650;
        feed(1 + k, 46, PLAIN_REFUSED);
    }
    char *text = findings();
    for (unsigned k = 0; k < 2; k++) {
        char want[400];
        snprintf(want, sizeof(want),
                 "203.0.113.25:%u received mail in plaintext from 198.51.100.46 after STARTTLS "
                 "was refused for them; first fix what refused their STARTTLS "
                 "(starttls_rejected): requiring TLS while it fails would leave these mail "
                 "clients unable to send at all (their users would see errors); then serve TLS "
                 "on this implicit-TLS port (implicit_tls_not_served), or refuse AUTH and MAIL "
                 "before STARTTLS here",
                 k == 0 ? 465u : 4650u);
        tu_has(text, want);
    }
    tu_lacks(text, "defer");
    tu_lacks(text, "MTA-STS");
    free(text);
}

/* A peer's STARTTLS masked (XXXXXXXX: stripping seen from the server's
 * side) reclasses its earlier plaintext sessions with this server, where
 * STARTTLS was offered and not tried: probably stripped too, under
 * plaintext_fallback, not starttls_not_used; another peer's stay. */
static void
test_masked_later(void **state)
{
    (void)state;
    feed(1, 50, PLAIN_OFFERED);
    feed(2, 51, PLAIN_OFFERED);
    feed(3, 50, MASKED_NO_MAIL);
    char *text = findings();
    tu_has(text, "  critical plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.50 in sessions before one of theirs had its STARTTLS "
                 "command masked (XXXXXXXX): STARTTLS offered to them and not tried, probably "
                 "stripped too (the same peer, the same server); first disable the SMTP "
                 "inspection that strips their STARTTLS (starttls_stripped; Cisco ASA/FTD: no "
                 "inspect esmtp): requiring TLS while it strips would make these peers defer all "
                 "their mail; then require TLS for these peers");
    tu_has(text, "configure them to use STARTTLS (1 session, peers 198.51.100.51)\n");
    free(text);
}

/* Before and after the masked one: both under the stripping, each said
 * as the capture shows it. */
static void
test_masked_between(void **state)
{
    (void)state;
    feed(1, 52, PLAIN_OFFERED_AUTH);
    feed(2, 52, MASKED_PLAIN);
    feed(3, 52, PLAIN_OFFERED);
    char *text = findings();
    tu_has(text, "203.0.113.25:25 received mail in plaintext from 198.51.100.52 after STARTTLS "
                 "was stripped for them, and from 198.51.100.52 in sessions before one of theirs "
                 "had its STARTTLS command masked (XXXXXXXX): ");
    tu_lacks(text, "starttls_not_used");
    free(text);
}

/* pcaps/smtp-stripped-starttls.pcap: after an EHLO reply whose STARTTLS
 * was masked (XXXXXXXA), a client sent STARTTLS anyway and got 500 from the
 * middlebox: part of the stripping (its evidence says so), no
 * starttls_rejected, and the fallback's advice points at the middlebox,
 * not at "what refused their STARTTLS". A 500 without masking stays the
 * server's refusal. */
static void
test_keyword_500_stripped(void **state)
{
    (void)state;
    feed(1, 60, KEYWORD_PLAIN);
    feed(2, 61, KEYWORD_PLAIN);
    feed(3, 60, KEYWORD_500);
    feed(4, 62, REFUSED_500);
    char *text = findings();
    tu_has(text, "  critical plaintext_fallback                 203.0.113.25:25 received mail in "
                 "plaintext from 198.51.100.60, 198.51.100.61 after STARTTLS was stripped for "
                 "them; first disable the SMTP inspection that strips their STARTTLS "
                 "(starttls_stripped; Cisco ASA/FTD: no inspect esmtp): requiring TLS while it "
                 "strips would make these peers defer all their mail; then require TLS");
    tu_has(text, "(3 sessions, peers 198.51.100.60, 198.51.100.61): the EHLO reply offered "
                 "XXXXXXXA in place of STARTTLS: a middlebox between the server and this capture "
                 "point masked it; a client sent STARTTLS anyway and got 500, the middlebox's "
                 "answer");
    tu_lacks(text, "first fix what refused");
    /* the unmasked 500 alone is refused, its peer's alone */
    tu_has(text, "(1 session, peers 198.51.100.62): STARTTLS answered 500\n");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_offered_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_then_plaintext, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plaintext_then_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_refused_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_then_plaintext, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_offered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_same_peer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_mixed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_wording, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_by_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anonymoustls_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anonymoustls_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_began_before_ended_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plaintext_began_before_ended_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_began_before_ended_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_consistent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ehlo_unrecognized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_row_every_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_by_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_other_peer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_submission_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_joined_peers_not_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_submission, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_tls_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_masked_later, setup, teardown),
        cmocka_unit_test_setup_teardown(test_masked_between, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyword_500_stripped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
