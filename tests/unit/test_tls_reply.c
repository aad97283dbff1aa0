/* \summary: unit tests for the server's answer to the client's first
 * command after a TLS handshake (dissectors/tls_after.c: tls.reply, read by
 * the records' headers) and the rule of server_closed_after_first_reply
 * (src/diagnose_refused.c): a server that ends the session with its first
 * reply (close_notify, FIN or RST) before the client sends anything more;
 * a session that goes on (the client's next command), a client that QUITs
 * or closes first, and a server that sends more than a reply are not it.
 * TLS 1.3 without a key: the client's Certificate and CertificateVerify
 * before its Finished (tls.c tls13_client_auth), told by their lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "agg_refused.h"
#include "diagnose.h"
#include "strcopy.h"
#include "tls_names.h"
#include "tu_tls.h"

/* TLS 1.2 (ECDHE-RSA-AES256-GCM-SHA384) to its end, then the client's
 * EHLO (26 bytes: 50 with the nonce and tag): Postfix's 421 4.7.1 (67:
 * 91), close_notify (26) and its FIN (pcaps/diag/mutual-tls-rejected.pcap
 * session 1). The client's close_notify after it is not read. */
static void
test_reply_refused_alert(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 23, 50);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    opaque(sv, 23, 91);
    opaque(sv, 21, 26);
    opaque(next(&s, DIR_TO_SERVER), 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_CLOSE);
    assert_int_equal(t->reply_records, 1);
    assert_int_equal(t->reply_len, 91);
    assert_int_equal(t->after[0].n, 1);
    assert_true(t->after[0].more);
    assert_int_equal(t->after[1].n, 0); /* counted, not kept */
    assert_int_equal(t->n_alerts, 0);   /* nothing read as an alert: bodies unread */
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The 421, then the connection's end without close_notify: the reading
 * ends with it (ENDED; whose FIN: record.first_close, judged by the rule) */
static void
test_reply_refused_fin(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 23, 50);
    opaque(next(&s, DIR_TO_CLIENT), 23, 91);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_ENDED);
    assert_int_equal(t->reply_records, 1);
    assert_true(t->after[0].ended);
    fctx_destroy(ctx);
    /* without the end (the capture goes on): nothing told yet */
    ctx = run(&s, SPLIT_WHOLE, 0, false);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_OPEN);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The client closes first after the reply (its close_notify, then the
 * server's): the session went on as far as the server is concerned */
static void
test_reply_client_closes_first(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 23, 50);
    opaque(next(&s, DIR_TO_CLIENT), 23, 164);
    opaque(next(&s, DIR_TO_SERVER), 21, 26);
    opaque(next(&s, DIR_TO_CLIENT), 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_CLIENT_ON);
    assert_int_equal(t->reply_records, 1); /* the server's close_notify not read */
    assert_int_equal(t->reply_len, 164);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* More server records than one reply takes: the reading stops at the one
 * past TLS_REPLY_RECORDS_MAX; the client's records after it are not read */
static void
test_reply_server_more(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 23, 50);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    for (unsigned i = 0; i <= TLS_REPLY_RECORDS_MAX; i++)
        opaque(sv, 23, 100);
    opaque(sv, 21, 26);
    opaque(next(&s, DIR_TO_SERVER), 23, 40);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_ON);
    assert_int_equal(t->reply_records, TLS_REPLY_RECORDS_MAX);
    assert_true(t->after[1].more);
    assert_int_equal(t->after[0].n, 1);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A lone QUIT first (Postfix refusing the server's certificate): no
 * command's answer is read; the server's 221 and close_notify are no
 * refusal */
static void
test_reply_quit_first(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    struct buf *c = next(&s, DIR_TO_SERVER);
    opaque(c, 23, 30);
    opaque(c, 21, 26);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    opaque(sv, 23, 39);
    opaque(sv, 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_NONE);
    assert_int_equal(t->reply_records, 0);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The handshake history holds want */
static bool
hist_has(const struct tls_facts *t, const char *want)
{
    char h[512];
    size_t n = t->hs_history.len < sizeof(h) - 1 ? t->hs_history.len : sizeof(h) - 1;
    memcpy(h, t->hs_history.s, n);
    h[n] = '\0';
    return strstr(h, want) != NULL;
}

/* TLS 1.3 (TLS_AES_128_GCM_SHA256) without a key: the server's encrypted
 * flight, then the client's records (each its own, as OpenSSL sends them):
 * cl[] before its EHLO (43); the server's 421 (84) and close_notify (19). */
static struct flow_ctx *
tls13_run(struct script *s, const size_t *cl, unsigned n)
{
    struct hello_opts o = {.sni = "mail.example.test", .tls13 = true};
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, true);
    opaque(sv, 23, 1500);
    struct buf *c = next(s, DIR_TO_SERVER);
    for (unsigned i = 0; i < n; i++)
        opaque(c, 23, cl[i]);
    opaque(c, 23, 43);
    sv = next(s, DIR_TO_CLIENT);
    opaque(sv, 23, 84);
    opaque(sv, 23, 19);
    return run(s, SPLIT_WHOLE, 0, true);
}

static void
test_reply_tls13_client_auth(void **state)
{
    (void)state;
    struct script s;
    /* Certificate (a chain), CertificateVerify, Finished (4 + 32 + 17) */
    struct flow_ctx *ctx = tls13_run(&s, (const size_t[]){1200, 281, 53}, 3);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    assert_true(hist_has(t, "C:CRT(encrypted) C:CV(encrypted) C:FIN(encrypted)"));
    assert_int_equal(t->after[0].n, 1);
    assert_int_equal(t->after[0].len[0], 43);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_CLOSE); /* 19: 2 bytes of plaintext */
    fctx_destroy(ctx);
    check_splits(&s);
    /* an empty Certificate (8 bytes: 25), then the Finished */
    ctx = tls13_run(&s, (const size_t[]){25, 53}, 2);
    t = tf(ctx);
    assert_true(hist_has(t, "C:CRT(encrypted) C:FIN(encrypted)"));
    assert_int_equal(t->after[0].n, 1);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_CLOSE);
    fctx_destroy(ctx);
    /* no certificate asked for: the Finished first, as before */
    ctx = tls13_run(&s, (const size_t[]){53}, 1);
    t = tf(ctx);
    assert_false(hist_has(t, "CRT(encrypted)"));
    assert_int_equal(t->after[0].n, 1);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_CLOSE);
    fctx_destroy(ctx);
    /* a first record of no Certificate's size and no Finished's (a padded
     * Finished, RFC 8446 §5.4): taken for the Finished, as before */
    ctx = tls13_run(&s, (const size_t[]){60}, 1);
    t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    assert_false(hist_has(t, "CRT(encrypted)"));
    assert_int_equal(t->after[0].n, 1);
    assert_int_equal(t->after[0].len[0], 43);
    fctx_destroy(ctx);
    /* a Certificate's size, then two records of no Finished's size: the
     * third taken for the Finished (two messages at most before it) */
    ctx = tls13_run(&s, (const size_t[]){1200, 281, 90}, 3);
    t = tf(ctx);
    assert_true(hist_has(t, "C:CRT(encrypted) C:CV(encrypted) C:FIN(encrypted)"));
    assert_int_equal(t->after[0].n, 1);
    assert_int_equal(t->after[0].len[0], 43);
    fctx_destroy(ctx);
}

/* TLS 1.2 after Postfix's EHLO reply in clear (168 bytes, its STARTTLS
 * line 14 of them: 154; the client's name client.example.test): a first
 * reply as long as that EHLO reply less the name (135) is a 250, whatever
 * comes next. Pipelined EHLO + QUIT (32 bytes: 56) answered 250 + 221 in
 * one record (169: 193) and close_notify, as `printf 'EHLO x\nQUIT\n' |
 * openssl s_client -starttls smtp` does: no refusal, the reading stops at
 * the reply. Postfix's 421 4.7.1 (67: 91) stays one. */
static void
test_reply_ehlo_sized(void **state)
{
    (void)state;
    tu_tls_ehlo_reply_bytes = 154;
    tu_tls_ehlo = "client.example.test";
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 23, 56);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    opaque(sv, 23, 193);
    opaque(sv, 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_EHLO);
    assert_int_equal(t->reply_records, 1);
    assert_int_equal(t->reply_len, 193);
    assert_true(t->after[1].more); /* the close_notify not read */
    assert_false(t->after[1].ended);
    fctx_destroy(ctx);
    check_splits(&s);
    /* the least that is taken: 135 bytes (159), one less is not */
    s.seg[s.n - 1].data.n = 0;
    opaque(&s.seg[s.n - 1].data, 23, 159);
    opaque(&s.seg[s.n - 1].data, 21, 26);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_EHLO);
    fctx_destroy(ctx);
    s.seg[s.n - 1].data.n = 0;
    opaque(&s.seg[s.n - 1].data, 23, 158);
    opaque(&s.seg[s.n - 1].data, 21, 26);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE);
    fctx_destroy(ctx);
    /* the 421 after the same EHLO reply in clear: a refusal */
    s.seg[s.n - 1].data.n = 0;
    opaque(&s.seg[s.n - 1].data, 23, 91);
    opaque(&s.seg[s.n - 1].data, 21, 26);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE);
    assert_int_equal(tf(ctx)->reply_len, 91);
    fctx_destroy(ctx);
    /* an EHLO reply in clear too short to tell (the name + 95 bytes):
     * the long record is taken for a reply that ends the session */
    tu_tls_ehlo_reply_bytes = 19 + TLS_REPLY_EHLO_MIN - 1;
    s.seg[s.n - 1].data.n = 0;
    opaque(&s.seg[s.n - 1].data, 23, 193);
    opaque(&s.seg[s.n - 1].data, 21, 26);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE);
    fctx_destroy(ctx);
    /* implicit TLS: no EHLO in clear */
    tu_tls_ehlo_reply_bytes = 0;
    tu_tls_ehlo = NULL;
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE);
    fctx_destroy(ctx);
}

/* TLS 1.3 (tls13_run: the client's EHLO 43, the server's records 84 and
 * close_notify 19): a lone record as long as the EHLO reply in clear is
 * a 250 (SERVER_EHLO); with two records the first may be a ticket sent
 * after the command (OpenSSL's are 233 bytes and more): a refusal all the
 * same. */
static void
test_reply_ehlo_sized_tls13(void **state)
{
    (void)state;
    tu_tls_ehlo_reply_bytes = 154;
    tu_tls_ehlo = "client.example.test";
    struct script s;
    struct flow_ctx *ctx = tls13_run(&s, (const size_t[]){53}, 1);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE); /* 84: 67 bytes, a 421 */
    fctx_destroy(ctx);
    struct buf *sv = &s.seg[s.n - 1].data;
    sv->n = 0;
    opaque(sv, 23, 171); /* 154 bytes */
    opaque(sv, 23, 19);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_EHLO);
    assert_int_equal(tf(ctx)->reply_records, 1);
    fctx_destroy(ctx);
    check_splits(&s);
    /* its FIN instead of close_notify: the same */
    sv->n = 0;
    opaque(sv, 23, 171);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_EHLO);
    fctx_destroy(ctx);
    /* a ticket (250: 233 bytes), then the 421 */
    sv->n = 0;
    opaque(sv, 23, 250);
    opaque(sv, 23, 84);
    opaque(sv, 23, 19);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE);
    assert_int_equal(tf(ctx)->reply_records, 2);
    fctx_destroy(ctx);
}

/* The client's EHLO answered (TLS 1.2, a reply of no EHLO reply's size:
 * none known here), then the client silent past the server's timeout
 * (Postfix smtpd_timeout = 5s: "421 4.4.2 ... Error: timeout exceeded",
 * close_notify, FIN): the server's record 5 s after its reply is no part
 * of it (SERVER_IDLE), no refusal; the reading stops there. */
static void
test_reply_idle_timeout(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 23, 50);
    opaque(next(&s, DIR_TO_CLIENT), 23, 178);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    s.seg[s.n - 1].pause_us = 5000000;
    opaque(sv, 23, 77);
    opaque(sv, 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_IDLE);
    assert_int_equal(t->reply_records, 1);
    assert_int_equal(t->reply_len, 178);
    fctx_destroy(ctx);
    check_splits(&s);
    /* the same without the pause: the 421 part of the reply, a refusal */
    s.seg[s.n - 1].pause_us = 0;
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE);
    assert_int_equal(tf(ctx)->reply_records, 2);
    fctx_destroy(ctx);
    /* just under the bound (0.9 s): still one reply */
    s.seg[s.n - 1].pause_us = 900000;
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_CLOSE);
    fctx_destroy(ctx);
    /* the server's FIN alone 5 s after its reply: idle too */
    s.n--;
    ctx = run(&s, SPLIT_WHOLE, 0, false);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_OPEN);
    fctx_eof(ctx, DIR_TO_CLIENT, 6000000);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_IDLE);
    fctx_destroy(ctx);
    /* and at once after it: ENDED, the rule's (by whose FIN) */
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_ENDED);
    fctx_destroy(ctx);
}

/* Exim (GnuTLS) with tls_verify_hosts = * refusing the client's
 * certificate after its own Finished (pcaps/diag/exim-ccert.pcap session
 * 3): TLS 1.2 done, the server's encrypted alert (26), then the client's
 * FIN without a word: SERVER_ALERT_FIRST. The client's close_notify
 * first, then the server's: the client closed, as before (NONE). */
static void
test_reply_server_alert_first(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_CLIENT), 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->reply, TLS_REPLY_SERVER_ALERT_FIRST);
    assert_int_equal(t->after[0].n, 0);
    assert_int_equal(t->after[1].n, 1);
    fctx_destroy(ctx);
    check_splits(&s);
    s.seg[s.n - 1].d = DIR_TO_SERVER; /* the client's close_notify */
    opaque(next(&s, DIR_TO_CLIENT), 21, 26);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_NONE);
    assert_int_equal(tf(ctx)->after[0].n, 1);
    fctx_destroy(ctx);
    /* a record of the server's before its alert (a 421 unasked, a TLS 1.3
     * ticket), the client silent: the alert still came first */
    s.seg[s.n - 2].d = DIR_TO_CLIENT;
    s.seg[s.n - 2].data.n = 0;
    opaque(&s.seg[s.n - 2].data, 23, 91);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_SERVER_ALERT_FIRST);
    fctx_destroy(ctx);
    /* the client's FIN before the server's alert: the client ended first */
    s.n--;
    ctx = run(&s, SPLIT_WHOLE, 0, false);
    fctx_eof(ctx, DIR_TO_SERVER, 900000);
    struct buf a;
    a.n = 0;
    opaque(&a, 21, 26);
    fctx_deliver(ctx, DIR_TO_CLIENT, a.b, (uint32_t)a.n, 900001);
    assert_int_equal(tf(ctx)->reply, TLS_REPLY_NONE);
    fctx_destroy(ctx);
}

/* ---- the rule, on facts made here ---- */

static struct session_facts rf;
static struct flow_record rr;
static struct diagnosis rd;

static void
refused_facts(enum tls_reply reply, uint8_t records, const char *first_close)
{
    memset(&rf, 0, sizeof(rf));
    memset(&rr, 0, sizeof(rr));
    memset(&rd, 0, sizeof(rd));
    rf.tls.seen = true;
    rf.tls.version = 0x0303;
    rf.tls.cipher = 0xC030;
    rf.tls.cipher_seen = true;
    rf.tls.handshake = TLS_HS_COMPLETE;
    rf.tls.after_read = true;
    rf.tls.after[0].n = 1;
    rf.tls.after[0].type[0] = 23;
    rf.tls.after[0].len[0] = 50;
    rf.tls.reply = (uint8_t)reply;
    rf.tls.reply_records = records;
    rf.tls.reply_len = 91;
    rr.facts = &rf;
    rr.first_close = first_close;
}

static void
test_rule_refused(void **state)
{
    (void)state;
    refused_facts(TLS_REPLY_SERVER_CLOSE, 1, "server_fin");
    assert_true(diagnose_server_refused(&rr));
    /* close_notify is the server's end whoever's FIN came first */
    rr.first_close = "client_fin";
    assert_true(diagnose_server_refused(&rr));
    /* no reply record before the alert: no answer to the command */
    refused_facts(TLS_REPLY_SERVER_CLOSE, 0, "server_fin");
    assert_false(diagnose_server_refused(&rr));
    /* the streams' end: the server's FIN or RST first, not the client's,
     * not the capture's end */
    refused_facts(TLS_REPLY_ENDED, 1, "server_fin");
    assert_true(diagnose_server_refused(&rr));
    rr.first_close = "server_rst";
    assert_true(diagnose_server_refused(&rr));
    rr.first_close = "client_fin";
    assert_false(diagnose_server_refused(&rr));
    rr.first_close = NULL;
    assert_false(diagnose_server_refused(&rr));
    /* a session that went on, a server that sent more, nothing told */
    refused_facts(TLS_REPLY_CLIENT_ON, 1, "server_fin");
    assert_false(diagnose_server_refused(&rr));
    refused_facts(TLS_REPLY_SERVER_ON, 4, "server_fin");
    assert_false(diagnose_server_refused(&rr));
    refused_facts(TLS_REPLY_OPEN, 1, "server_fin");
    assert_false(diagnose_server_refused(&rr));
    refused_facts(TLS_REPLY_NONE, 0, "server_fin"); /* a lone QUIT's 221 */
    assert_false(diagnose_server_refused(&rr));
    /* an EHLO reply (a pipelined QUIT's 221 after it), an idle timeout */
    refused_facts(TLS_REPLY_SERVER_EHLO, 1, "server_fin");
    assert_false(diagnose_server_refused(&rr));
    refused_facts(TLS_REPLY_SERVER_IDLE, 1, "server_fin");
    assert_false(diagnose_server_refused(&rr));
    /* a handshake that failed */
    refused_facts(TLS_REPLY_SERVER_CLOSE, 1, "server_fin");
    rf.tls.handshake = TLS_HS_FAILED;
    assert_false(diagnose_server_refused(&rr));
}

/* diagnose_server_alert_first: the server's alert before anything of the
 * client's, after a CertificateRequest (TLS 1.2), a client chain, or TLS
 * 1.3's client Certificate told by its length: a rejection of the client
 * certificate (its code encrypted: -1); without any of them, none. The
 * client that went without a word is no client close. */
static void
test_rule_alert_first(void **state)
{
    (void)state;
    refused_facts(TLS_REPLY_SERVER_ALERT_FIRST, 0, "client_fin");
    rf.tls.after[0].n = 0;
    rf.tls.after[1].n = 1;
    rf.tls.after[1].type[0] = 21;
    rf.tls.after[1].len[0] = 26;
    assert_false(diagnose_server_alert_first(&rr, &rd));
    assert_false(rd.server_rejected_client_certificate);
    assert_false(diagnose_client_closed(&rr));
    rf.tls.client_certificate_requested = true;
    rf.tls.client_certificates = TLS_CERTS_NONE;
    assert_true(diagnose_server_alert_first(&rr, &rd));
    assert_true(rd.server_rejected_client_certificate);
    assert_int_equal(rd.server_reject_code, -1);
    assert_non_null(strstr(rd.alert_meaning, "the client sent none"));
    /* TLS 1.3, no key: the client's Certificate and CertificateVerify */
    refused_facts(TLS_REPLY_SERVER_ALERT_FIRST, 0, "client_fin");
    rf.tls.version = 0x0304;
    rf.tls.cipher = 0x1302;
    static uint8_t hist[] = "C:CH S:SH S:CCS S:EE..FIN(encrypted) C:CCS C:CRT(encrypted) "
                            "C:CV(encrypted) C:FIN(encrypted)";
    rf.tls.hs_history.s = hist;
    rf.tls.hs_history.len = (uint32_t)strlen((const char *)hist);
    assert_true(diagnose_server_alert_first(&rr, &rd));
    assert_non_null(strstr(rd.alert_meaning, "rejected the client certificate"));
    /* the client's EHLO sent before the alert came, unanswered: the same */
    refused_facts(TLS_REPLY_SERVER_CLOSE, 0, "client_fin");
    rf.tls.client_certificate_requested = true;
    assert_true(diagnose_server_alert_first(&rr, &rd));
    assert_false(diagnose_server_refused(&rr));
    /* answered first (a 421, then close_notify): server_refused_after_handshake's */
    refused_facts(TLS_REPLY_SERVER_CLOSE, 1, "client_fin");
    rf.tls.client_certificate_requested = true;
    assert_false(diagnose_server_alert_first(&rr, &rd));
    /* the server's alert no first: nothing */
    refused_facts(TLS_REPLY_NONE, 0, "client_fin");
    rf.tls.client_certificate_requested = true;
    assert_false(diagnose_server_alert_first(&rr, &rd));
}

static void
test_rule_why_and_text(void **state)
{
    (void)state;
    char out[400];
    refused_facts(TLS_REPLY_SERVER_CLOSE, 1, "server_fin");
    rf.tls.n_client_chain = 2;
    str_copy(rd.client_exchange_status, sizeof(rd.client_exchange_status), "PartialChain");
    str_copy(rd.client_verify_error_text, sizeof(rd.client_verify_error_text),
             "unable to get local issuer certificate");
    assert_int_equal(diagnose_refused_why(&rr, &rd), DG_RF_CCERT_UNTRUSTED);
    rd.refused_why = DG_RF_CCERT_UNTRUSTED;
    diagnose_refused_text(&rr, &rd, out, sizeof(out));
    assert_string_equal(out, "the client's first command over TLS (26 bytes, its EHLO's place) "
                             "was answered with one record of 67 bytes, then the server's "
                             "close_notify, before the client sent anything more; the client's "
                             "certificate does not verify here (PartialChain: unable to get "
                             "local issuer certificate)");
    /* a client certificate that verifies: nothing in the handshake tells */
    str_copy(rd.client_exchange_status, sizeof(rd.client_exchange_status), "Valid");
    assert_int_equal(diagnose_refused_why(&rr, &rd), DG_RF_NONE);
    /* asked for and none sent */
    rf.tls.n_client_chain = 0;
    rf.tls.client_certificate_requested = true;
    rf.tls.client_certificates = TLS_CERTS_NONE;
    assert_int_equal(diagnose_refused_why(&rr, &rd), DG_RF_CCERT_NONE);
    /* TLS 1.3 without the key: hidden; its FIN, no alert seen */
    refused_facts(TLS_REPLY_ENDED, 1, "server_rst");
    rf.tls.version = 0x0304;
    rf.tls.cipher = 0x1302;
    rf.tls.after[0].len[0] = 43;
    rf.tls.reply_len = 84;
    assert_int_equal(diagnose_refused_why(&rr, &rd), DG_RF_HIDDEN);
    rd.refused_why = DG_RF_HIDDEN;
    diagnose_refused_text(&rr, &rd, out, sizeof(out));
    assert_string_equal(out, "the client's first command over TLS (26 bytes, its EHLO's place) "
                             "was answered with one record of 67 bytes, then the server's RST, "
                             "before the client sent anything more");
}

/* The finding's severity and headline by its sessions' causes */
static void
test_finding_headline(void **state)
{
    (void)state;
    struct agg_flagstat fs;
    char out[1200];
    memset(&fs, 0, sizeof(fs));
    fs.sessions = 2;
    assert_int_equal(agg_refused_severity(&fs), SEV_MEDIUM);
    struct strbuf b = str_buf(out, sizeof(out));
    agg_refused_headline(&b, &fs);
    assert_non_null(strstr(out, ": a 421 (RFC 5321 section 3.8"));
    assert_null(strstr(out, "client-certificate refusal"));
    fs.refused_untrusted = 1;
    assert_int_equal(agg_refused_severity(&fs), SEV_HIGH);
    b = str_buf(out, sizeof(out));
    agg_refused_headline(&b, &fs);
    assert_non_null(strstr(out, "the client-certificate refusal (Postfix with "
                                "smtpd_tls_req_ccert = yes"));
    assert_non_null(strstr(out, "1 session with a client certificate that does not verify here "
                                "(client_certificate_untrusted), 1 session with no such cause "
                                "shown; give those clients"));
    fs.refused_untrusted = 0;
    fs.refused_hidden = 2;
    assert_int_equal(agg_refused_severity(&fs), SEV_MEDIUM);
    b = str_buf(out, sizeof(out));
    agg_refused_headline(&b, &fs);
    assert_non_null(strstr(out, "(2 sessions over TLS 1.3 not decrypted"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reply_refused_alert, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_refused_fin, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_client_closes_first, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_server_more, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_quit_first, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_tls13_client_auth, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_ehlo_sized, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_ehlo_sized_tls13, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_idle_timeout, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_reply_server_alert_first, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test(test_rule_refused),
        cmocka_unit_test(test_rule_alert_first),
        cmocka_unit_test(test_rule_why_and_text),
        cmocka_unit_test(test_finding_headline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
