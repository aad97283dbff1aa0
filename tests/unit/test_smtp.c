/* \summary: unit tests for the SMTP dissector (dissectors/smtp.c), driven
 * through the real flow context with transcripts of both directions. Every
 * transcript is also replayed byte by byte and in seeded random splits and
 * must give identical facts and smtp.* events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smtp_words.h"

#include "config.h"
#include "fctx.h"
#include "mem.h"
#include "tu_replay.h"
#include "tu_smtp.h"

/* ---- transcripts ---- */

static const struct seg t_plain[] = {
    S("220-mx.example.org ESMTP Postfix\r\n220-no UCE\r\n220 third line\r\n"),
    C("EHLO client.example.net\r\n"),
    S("250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n"
      "250-AUTH=PLAIN LOGIN\r\n250-8BITMIME\r\n250 DSN\r\n"),
    C("QUIT\r\n"),
    S("221 2.0.0 Bye\r\n"),
};

static void
test_plain_session(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_plain, NSEG(t_plain), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->seen);
    assert_int_equal(f->banner_code, 220);
    tu_fstr_is(&f->banner, "mx.example.org ESMTP Postfix\nno UCE\nthird line");
    tu_fstr_is(&f->banner_host, "mx.example.org");
    assert_string_equal(f->ehlo_verb, "EHLO");
    tu_fstr_is(&f->ehlo, "client.example.net");
    assert_int_equal(f->ehlo_reply_code, 250);
    assert_int_equal(f->starttls_offered, 0);
    assert_false(f->anonymoustls_offered);
    tu_fstr_is(&f->capabilities, "PIPELINING SIZE AUTH 8BITMIME DSN");
    assert_int_equal(f->ehlo_reply_bytes, 122); /* every line, CRLF counted */
    tu_fstr_is(&f->auth_mechanisms, "PLAIN LOGIN");
    tu_fstr_is(&f->stripped_capability, NULL);
    assert_false(f->starttls_command);
    assert_int_equal(f->starttls_reply_code, -1);
    assert_false(f->tls_started);
    assert_false(f->plaintext_mail);
    static const char *const v[] = {"EHLO", "QUIT"};
    static const int c[] = {250, 221};
    tu_smtp_dialog_is(ctx, v, c, 2);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_plain, NSEG(t_plain));
}

static const struct seg t_starttls[] = {
    S("220 mx.example.org ESMTP\r\n"),
    C("EHLO c.example\r\n"),
    S("250-mx.example.org Hello\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"),
    C("STARTTLS\r\n"),
    S("220 2.0.0 Ready to start TLS\r\n"),
    C("\x16\x03\x01\x00\x05hello"),
};

static void
test_starttls_accepted(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_starttls, NSEG(t_starttls), SPLIT_WHOLE, 0, false);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_int_equal(f->starttls_offered, 1);
    tu_fstr_is(&f->capabilities, "STARTTLS SIZE");
    /* 26 + 15: the STARTTLS line (14) left out, as over TLS */
    assert_int_equal(f->ehlo_reply_bytes, 41);
    tu_fstr_is(&f->auth_mechanisms, NULL);
    assert_true(f->starttls_command);
    assert_string_equal(f->starttls_verb, "STARTTLS");
    assert_int_equal(f->starttls_reply_code, 220);
    tu_fstr_is(&f->starttls_reply_text, "2.0.0 Ready to start TLS");
    assert_true(f->tls_started);
    assert_false(f->starttls_pipelined);
    assert_false(f->implicit_tls);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_false(tu_has_event(ctx, "smtp.starttls_pipelined_data"));
    static const char *const v[] = {"EHLO", "STARTTLS"};
    static const int c[] = {250, 220};
    tu_smtp_dialog_is(ctx, v, c, 2);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_starttls, NSEG(t_starttls));
}

/* The 220 and the first TLS bytes of the server in one segment: the rest
 * after the 220 line belongs to TLS. */
static void
test_starttls_220_line_consumed(void **state)
{
    (void)state;
    static const struct seg t[] = {
        S("220 mx\r\n"),
        C("STARTTLS\r\n"),
        S("220 go\r\n\x16\x03\x03\x00\x02zz"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, false);
    assert_true(tu_smtp_facts(ctx)->tls_started);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_false(tu_has_event(ctx, "smtp.bad_reply_line"));
    tu_smtp_done(ctx);
}

static const struct seg t_refused[] = {
    S("220 mx.example.org ESMTP\r\n"),
    C("EHLO c.example\r\n"),
    S("250-mx.example.org\r\n250 STARTTLS\r\n"),
    C("STARTTLS\r\n"),
    S("454 4.7.0 TLS not available due to local problem\r\n"),
    C("EHLO c.example\r\n"),
    S("250-mx.example.org\r\n250 STARTTLS\r\n"),
    C("MAIL FROM:<alice@example.net>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"),
    S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"),
    C("Subject: hi\r\n\r\nSTARTTLS\r\n250 STARTTLS\r\n..\r\n.\r\n"),
    S("250 2.0.0 Ok: queued\r\n"),
    C("QUIT\r\n"),
    S("221 Bye\r\n"),
};

static void
test_starttls_refused_then_plaintext(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_refused, NSEG(t_refused), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->starttls_command);
    assert_int_equal(f->starttls_reply_code, 454);
    tu_fstr_is(&f->starttls_reply_text, "4.7.0 TLS not available due to local problem");
    assert_false(f->tls_started);
    assert_false(f->starttls_pipelined);
    assert_true(f->plaintext_mail);
    assert_int_equal(f->plaintext_messages, 1);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_true(tu_has_event(ctx, "smtp.starttls_rejected"));
    static const char *const v[] = {"EHLO", "STARTTLS", "EHLO", "MAIL",
                                    "RCPT", "DATA",     "EOM",  "QUIT"};
    static const int c[] = {250, 454, 250, 250, 250, 354, 250, 221};
    tu_smtp_dialog_is(ctx, v, c, 8);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_refused, NSEG(t_refused));
}

static const struct seg t_anon[] = {
    S("220 exch.example.org Microsoft ESMTP MAIL Service ready\r\n"),
    C("EHLO peer.example\r\n"),
    S("250-exch.example.org Hello\r\n250-X-ANONYMOUSTLS\r\n250-STARTTLS\r\n250 OK\r\n"),
    C("X-ANONYMOUSTLS\r\n"),
    S("220 2.0.0 SMTP server ready\r\n"),
    C("\x16\x03\x01\x00\x01x"),
};

static void
test_anonymoustls(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_anon, NSEG(t_anon), SPLIT_WHOLE, 0, false);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->anonymoustls_offered);
    assert_int_equal(f->starttls_offered, 1);
    assert_string_equal(f->starttls_verb, "X-ANONYMOUSTLS");
    assert_int_equal(f->starttls_reply_code, 220);
    assert_true(f->tls_started);
    tu_fstr_is(&f->banner_host, "exch.example.org");
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_anon, NSEG(t_anon));
}

static const struct seg t_stripped[] = {
    S("220 ****************\r\n"),
    C("EHLO c\r\n"),
    S("250-mx.example.org\r\n250-PIPELINING\r\n250-XXXXXXXA\r\n250 8BITMIME\r\n"),
    C("MAIL FROM:<a@b>\r\n"),
    S("250 ok\r\n"),
};

static void
test_stripped_starttls(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_stripped, NSEG(t_stripped), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_int_equal(f->starttls_offered, 0);
    tu_fstr_is(&f->stripped_capability, "XXXXXXXA");
    tu_fstr_is(&f->capabilities, "PIPELINING XXXXXXXA 8BITMIME");
    assert_true(f->plaintext_mail);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_stripped, NSEG(t_stripped));

    static const struct seg t2[] = {
        S("220 mx\r\n"),
        C("EHLO c\r\n"),
        S("250-mx\r\n250-XXXXXXXX\r\n250 SIZE\r\n"),
    };
    ctx = tu_smtp_run(t2, NSEG(t2), SPLIT_WHOLE, 0, true);
    tu_fstr_is(&tu_smtp_facts(ctx)->stripped_capability, "XXXXXXXX");
    tu_smtp_done(ctx);
}

/* Seen on the server's side of a Cisco ASA-like middlebox: STARTTLS offered
 * in clear, the client's command masked to "XXXXXXXX" (answered 500), a
 * ClientHello sent all the same skipped as one command, then plaintext
 * mail. Not masked: another length, another letter, an argument, or no
 * EHLO reply offering STARTTLS before it. */
static const struct seg t_masked[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\n"),
    S("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
    C("XXXXXXXX\r\n"),
    S("500 5.5.2 Error: command not recognized\r\n"),
    C("\x16\x03\x01\x00\x02"
      "ab"),
    S("221 2.7.0 Error: I can break rules, too. Goodbye.\r\n"),
    C("MAIL FROM:<a@b>\r\n"),
    S("250 ok\r\n"),
};

static void
test_masked_starttls(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_masked, NSEG(t_masked), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_int_equal(f->starttls_offered, 1);
    assert_true(f->starttls_masked);
    assert_int_equal(f->starttls_masked_code, 500);
    assert_false(f->starttls_command);
    assert_null(f->stripped_capability.s);
    const char *const v[] = {"EHLO", "XXXXXXXX", "OTHER", "MAIL"};
    const int c[] = {250, 500, 221, 250};
    tu_smtp_dialog_is(ctx, v, c, 4);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_masked, NSEG(t_masked));

    static const char *const not_masked[] = {"XXXXXXX\r\n", "XXXXXXXXX\r\n", "XXXXXXXA\r\n",
                                             "XXXXXXXX y\r\n", "XXXXXXXXXXXXXX\r\n"};
    for (size_t i = 0; i < sizeof(not_masked) / sizeof(not_masked[0]); i++) {
        struct seg t[] = {t_masked[0],
                          t_masked[1],
                          t_masked[2],
                          {DIR_TO_SERVER, not_masked[i], strlen(not_masked[i])},
                          t_masked[4]};
        ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, true);
        assert_false(tu_smtp_facts(ctx)->starttls_masked);
        tu_smtp_done(ctx);
    }
    /* STARTTLS not offered (or no EHLO reply yet): no middlebox shown */
    static const struct seg t_off[] = {S("220 mx\r\n"), C("EHLO c\r\n"),
                                       S("250-mx\r\n250 SIZE\r\n"), C("XXXXXXXX\r\n"),
                                       S("500 5.5.2 unknown\r\n")};
    ctx = tu_smtp_run(t_off, NSEG(t_off), SPLIT_WHOLE, 0, true);
    assert_int_equal(tu_smtp_facts(ctx)->starttls_offered, 0);
    assert_false(tu_smtp_facts(ctx)->starttls_masked);
    tu_smtp_done(ctx);
    static const struct seg t_noehlo[] = {S("220 mx\r\n"), C("XXXXXXXX\r\n"), S("500 unknown\r\n")};
    ctx = tu_smtp_run(t_noehlo, NSEG(t_noehlo), SPLIT_WHOLE, 0, true);
    assert_false(tu_smtp_facts(ctx)->starttls_masked);
    tu_smtp_done(ctx);
}

/* Capabilities and AUTH mechanisms are kept once each, compared without
 * case, in the order first seen; those of the first EHLO reply are kept.
 * Words of one length and first and last letter (SIZE, SAFE; PLAIN, PLAYN)
 * share smtp_list_add's filter bit and must still both be kept; blanked
 * keywords of other lengths than 8 are all X. */
static const struct seg t_dups[] = {
    S("220 mx\r\n"),
    C("EHLO c\r\n"),
    S("250-mx\r\n250-SIZE 100\r\n250-size\r\n250-SAFE\r\n250-AUTH PLAIN LOGIN plain\r\n"
      "250-AUTH=login PLAYN\r\n250-8BITMIME\r\n250-Size\r\n250-XXXX\r\n250-XAXX\r\n"
      "250 XXXXXXXA\r\n"),
    C("EHLO c2\r\n"),
    S("250-mx\r\n250-CHUNKING\r\n250-chunking\r\n250 SIZE\r\n"),
};

static void
test_capabilities_once_each(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_dups, 3, SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    tu_fstr_is(&f->capabilities, "SIZE SAFE AUTH 8BITMIME XXXX XAXX XXXXXXXA");
    tu_fstr_is(&f->auth_mechanisms, "PLAIN LOGIN PLAYN");
    tu_fstr_is(&f->stripped_capability, "XXXX");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_dups, 3);
    ctx = tu_smtp_run(t_dups, NSEG(t_dups), SPLIT_WHOLE, 0, true);
    tu_fstr_is(&tu_smtp_facts(ctx)->capabilities, "SIZE SAFE AUTH 8BITMIME XXXX XAXX XXXXXXXA");
    tu_smtp_done(ctx);
}

/* AUTH PLAIN with an initial response (rejected), then AUTH LOGIN with 334
 * challenges; a SASL response that reads like a command must not count. */
#define CRED_B64_1 "dXNlcgB1c2VyAHNlY3JldHBhc3M="
#define CRED_B64_2 "c2VjcmV0cGFzcw=="
static const struct seg t_auth[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\n"),
    S("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
    C("AUTH PLAIN " CRED_B64_1 "\r\n"),
    S("535 5.7.8 Authentication failed\r\n"),
    C("AUTH LOGIN\r\n"),
    S("334 VXNlcm5hbWU6\r\n"),
    C("STARTTLS\r\n"),
    S("334 UGFzc3dvcmQ6\r\n"),
    C(CRED_B64_2 "\r\n"),
    S("235 2.7.0 Authentication successful\r\n"),
    C("MAIL FROM:<a@b>\r\n"),
    S("250 ok\r\n"),
};

static bool
mem_has(const void *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    return hay != NULL && n >= k && memmem(hay, n, needle, k) != NULL;
}

static bool
fstr_has(const struct fstr *s, const char *needle)
{
    return mem_has(s->s, s->len, needle);
}

/* Scans every string and array of the facts and the events for needle. */
static void
assert_nowhere(const struct flow_ctx *ctx, const char *needle)
{
    const struct session_facts *sfa = fctx_facts_const(ctx);
    const struct smtp_facts *f = &sfa->smtp;
    const struct fstr *strs[] = {&f->banner,
                                 &f->banner_host,
                                 &f->ehlo,
                                 &f->capabilities,
                                 &f->auth_mechanisms,
                                 &f->stripped_capability,
                                 &f->starttls_reply_text,
                                 &sfa->tls.sni,
                                 &sfa->tls.alpn,
                                 &sfa->tls.ja3_string,
                                 &sfa->tls.ja3s_string,
                                 &sfa->tls.hs_history};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        assert_false(fstr_has(strs[i], needle));
    assert_false(mem_has(f->ehlo_verb, sizeof(f->ehlo_verb), needle));
    assert_false(mem_has(f->starttls_verb, sizeof(f->starttls_verb), needle));
    assert_false(mem_has(f->auth_mechanism, sizeof(f->auth_mechanism), needle));
    assert_false(mem_has(f->dialog, sizeof(f->dialog), needle));
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    fctx_fill_record(ctx, &rec);
    for (unsigned i = 0; i < rec.n_anomalies; i++) {
        assert_false(mem_has(rec.anomalies[i].detail, sizeof(rec.anomalies[i].detail), needle));
        assert_false(mem_has(rec.anomalies[i].name, strlen(rec.anomalies[i].name), needle));
    }
}

static void
test_auth_before_tls(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_auth, NSEG(t_auth), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "PLAIN");
    assert_false(f->starttls_command); /* the SASL response "STARTTLS" */
    assert_true(f->plaintext_mail);
    static const char *const v[] = {"EHLO", "AUTH", "AUTH", "MAIL"};
    static const int c[] = {250, 535, 235, 250};
    tu_smtp_dialog_is(ctx, v, c, 4);
    const char *secrets[] = {CRED_B64_1,     CRED_B64_2,     "dXNlcgB1",  "c2VjcmV0",
                             "VXNlcm5hbWU6", "UGFzc3dvcmQ6", "secretpass"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
        assert_nowhere(ctx, secrets[i]);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_auth, NSEG(t_auth));
}

/* "AUTH <token>" with the mechanism left out (a broken client or script):
 * the token is a credential in base64 that passes the mechanism charset.
 * Only a mechanism the server offered or a registered one is kept. */
#define CRED_B64_3 "AHVzZXIAcGFzcw" /* "\0user\0pass" without padding */
static const struct seg t_auth_token[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\n"),
    S("250-mx\r\n250 AUTH PLAIN X-CORP-SSO\r\n"),
    C("AUTH " CRED_B64_3 "\r\n"),
    S("504 5.5.4 Unrecognized authentication type\r\n"),
    C("AUTH ecdh-x25519-challenge\r\n"), /* 21 characters, in IANA's registry */
    S("334 \r\n"),
    C("dG9rZW4=\r\n"),
    S("535 5.7.8 no\r\n"),
    C("QUIT\r\n"),
    S("221 bye\r\n"),
};

static const struct seg t_auth_offered[] = {
    S("220 mx ESMTP\r\n"),    C("EHLO c\r\n"), S("250-mx\r\n250 AUTH PLAIN x-corp-sso\r\n"),
    C("AUTH X-Corp-SSO\r\n"), S("334 \r\n"),   C("dG9rZW4=\r\n"),
    S("235 ok\r\n"),
};

static void
test_auth_token_not_kept(void **state)
{
    (void)state;
    /* up to the 504: the token is no mechanism */
    struct flow_ctx *ctx = tu_smtp_run(t_auth_token, 5, SPLIT_WHOLE, 0, true);
    assert_string_equal(tu_smtp_facts(ctx)->auth_mechanism, "?");
    assert_nowhere(ctx, CRED_B64_3);
    tu_smtp_done(ctx);
    ctx = tu_smtp_run(t_auth_token, NSEG(t_auth_token), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "ECDH-X25519-CHALLENGE"); /* "?" gave way */
    /* every AUTH's, each once: the token as "?", never itself */
    assert_string_equal(f->auth_used, "? ECDH-X25519-CHALLENGE");
    assert_nowhere(ctx, CRED_B64_3);
    assert_nowhere(ctx, "AHVZZXIACGFZCW"); /* upper-cased, as names are kept */
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_auth_token, NSEG(t_auth_token));

    /* A mechanism outside the registry that the server offered is one,
     * but a word from the wire: "unregistered", never its name (it was
     * kept as X-CORP-SSO) */
    ctx = tu_smtp_run(t_auth_offered, NSEG(t_auth_offered), SPLIT_WHOLE, 0, true);
    assert_string_equal(tu_smtp_facts(ctx)->auth_mechanism, "unregistered");
    assert_string_equal(tu_smtp_facts(ctx)->auth_used, "+");
    assert_nowhere(ctx, "dG9rZW4");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_auth_offered, NSEG(t_auth_offered));
}

static const struct seg t_pipelined[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\n"),
    S("250-mx\r\n250 STARTTLS\r\n"),
    C("STARTTLS\r\nMAIL FROM:<evil@example.net>\r\nRCPT TO:<x@y>\r\n"),
    S("220 Ready\r\n"),
    C("\x16\x03\x01\x00\x05hello"),
};

static void
test_starttls_pipelined_data(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_pipelined, NSEG(t_pipelined), SPLIT_WHOLE, 0, false);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->starttls_pipelined);
    assert_true(tu_has_event(ctx, "smtp.starttls_pipelined_data"));
    assert_false(f->plaintext_mail); /* injected commands are dropped */
    assert_true(f->tls_started);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    static const char *const v[] = {"EHLO", "STARTTLS"};
    static const int c[] = {250, 220};
    tu_smtp_dialog_is(ctx, v, c, 2);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_pipelined, NSEG(t_pipelined));
}

static void
test_line_too_long(void **state)
{
    (void)state;
    static char longline[5002];
    memset(longline, 'A', 5000);
    longline[5000] = '\r';
    longline[5001] = '\n';
    static const char exact_pfx[] = "NOOP ";
    static char exact[4096 + 2]; /* exactly smtp.line_max bytes before LF: accepted */
    memset(exact, 'B', sizeof(exact));
    memcpy(exact, exact_pfx, 5);
    exact[4095] = '\r';
    exact[4096] = '\n';
    const struct seg t[] = {
        S("220 mx\r\n"),
        {DIR_TO_SERVER, longline, sizeof(longline)},
        C("NOOP\r\n"),
        {DIR_TO_SERVER, exact, 4097},
        S("250 ok\r\n250 ok\r\n"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "smtp.line_too_long"));
    static const char *const v[] = {"NOOP", "NOOP"};
    static const int c[] = {250, 250};
    tu_smtp_dialog_is(ctx, v, c, 2);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    fctx_fill_record(ctx, &rec);
    for (unsigned i = 0; i < rec.n_anomalies; i++)
        if (strcmp(rec.anomalies[i].name, "smtp.line_too_long") == 0)
            assert_int_equal(rec.anomalies[i].count, 1);
    assert_true(fctx_mem(ctx) < 64 * 1024);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t, NSEG(t));
}

static void
test_pending_cap(void **state)
{
    (void)state;
    tu_smtp_cfg.smtp_pending_max = 4;
    static const struct seg t[] = {
        S("220 mx\r\n"),
        C("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"),
        S("250 a\r\n250 b\r\n250 c\r\n250 d\r\n250 e\r\n250 f\r\n"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "smtp.pending_cap"));
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    static const char *const v[] = {"NOOP", "NOOP", "NOOP", "NOOP", "", ""};
    static const int c[] = {250, 250, 250, 250, 250, 250};
    tu_smtp_dialog_is(ctx, v, c, 6);
    assert_false(f->dialog_truncated);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t, NSEG(t));
}

static const struct seg t_body[] = {
    S("220 mx\r\n"),
    C("HELO c.example\r\n"),
    S("250 mx\r\n"),
    C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
    S("250 ok\r\n250 ok\r\n354 go\r\n"),
    C("STARTTLS\r\n250 STARTTLS\r\nAUTH PLAIN AAAA\r\n..\r\n.STARTTLS\r\n"
      "\x16\x03\x01\x00\x01z\r\n. \r\nMAIL FROM:<x@y>\r\n.\r\n"),
    S("250 queued\r\n"),
    C("BDAT 12 LAST\r\nSTARTTLS\r\n\r\n"),
    S("250 queued\r\n"),
    C("DATA\r\n"),
    S("554 no valid recipients\r\n"),
    C("RSET\r\n"),
    S("250 ok\r\n"),
};

static void
test_data_body_skipped(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_body, NSEG(t_body), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_false(f->starttls_command);
    assert_false(f->auth_before_tls);
    assert_int_equal(f->starttls_offered, -1); /* HELO: no EHLO reply */
    assert_string_equal(f->ehlo_verb, "HELO");
    assert_int_equal(f->ehlo_reply_code, 250);
    assert_true(f->plaintext_mail);
    assert_int_equal(f->plaintext_messages, 2);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_false(tu_has_event(ctx, "smtp.tls_without_starttls_reply"));
    static const char *const v[] = {"HELO", "MAIL", "RCPT", "DATA", "EOM", "BDAT", "DATA", "RSET"};
    static const int c[] = {250, 250, 250, 354, 250, 250, 554, 250};
    tu_smtp_dialog_is(ctx, v, c, 8);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_body, NSEG(t_body));
}

/* One byte short: the last LF missing leaves the reply unseen. */
static void
test_one_byte_short(void **state)
{
    (void)state;
    static const struct seg t[] = {
        S("220 mx\r\n"),
        C("STARTTLS\r\n"),
        S("220 go\r"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, false);
    assert_false(tu_smtp_facts(ctx)->tls_started);
    assert_int_equal(tu_smtp_facts(ctx)->starttls_reply_code, -1);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"\n", 1, 5);
    assert_true(tu_smtp_facts(ctx)->tls_started);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    tu_smtp_done(ctx);

    static const struct seg t2[] = {S("220 mx\r")};
    ctx = tu_smtp_run(t2, NSEG(t2), SPLIT_WHOLE, 0, true);
    assert_int_equal(tu_smtp_facts(ctx)->banner_code, 0);
    assert_true(tu_has_event(ctx, "smtp.unterminated_line"));
    tu_smtp_done(ctx);

    static const struct seg t3[] = {S("220-mx\r\n220-more\r\n")};
    ctx = tu_smtp_run(t3, NSEG(t3), SPLIT_WHOLE, 0, true);
    assert_int_equal(tu_smtp_facts(ctx)->banner_code, 0);
    assert_true(tu_has_event(ctx, "smtp.unterminated_reply"));
    tu_smtp_done(ctx);
    /* the greeting lost to a gap, and the EHLO reply's first line with it,
     * delivered before its EHLO: a 250 is never the greeting (RFC 5321
     * §4.2), so its continuation lines ("PIPELINING") are no server name */
    static const struct seg t4[] = {S("250-PIPELINING\r\n250 STARTTLS\r\n"), C("EHLO c\r\n")};
    ctx = tu_smtp_run(t4, NSEG(t4), SPLIT_WHOLE, 0, true);
    assert_int_equal(tu_smtp_facts(ctx)->banner_code, 0);
    tu_fstr_is(&tu_smtp_facts(ctx)->banner, NULL);
    tu_fstr_is(&tu_smtp_facts(ctx)->banner_host, NULL);
    tu_smtp_done(ctx);
}

/* RFC 3463: the enhanced status code at a reply's start is kept with its
 * code (class, subject, detail; 1-3 digits each, any class of 2, 4, 5);
 * anything else, or none, is -1. */
static void
test_enhanced_status(void **state)
{
    (void)state;
    static const struct seg t[] = {
        S("220 mx ESMTP\r\n"),
        C("EHLO c\r\n"),
        S("250 mx\r\n"),
        C("MAIL FROM:<a@b>\r\n"),
        S("451 5.7.3 STARTTLS is required\r\n"),
        C("RCPT TO:<c@d>\r\n"),
        S("550-5.1.10 x\r\n550 5.1.10 y\r\n"),
        C("RCPT TO:<e@f>\r\n"),
        S("550 5.7 short\r\n"),
        C("RCPT TO:<g@h>\r\n"),
        S("550 5.7.3x\r\n"),
        C("QUIT\r\n"),
        S("221 3.0.0 bye\r\n"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    static const int want[][3] = {{-1, -1, -1}, {5, 7, 3},    {5, 1, 10},
                                  {-1, -1, -1}, {-1, -1, -1}, {-1, -1, -1}};
    assert_int_equal(f->n_dialog, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(f->dialog[i].esc_class, want[i][0]);
        assert_int_equal(f->dialog[i].esc_subject, want[i][1]);
        assert_int_equal(f->dialog[i].esc_detail, want[i][2]);
    }
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t, NSEG(t));
}

static void
test_implicit_and_heuristic_tls(void **state)
{
    (void)state;
    static const struct seg t1[] = {C("\x16\x03\x01\x00\x10")};
    struct flow_ctx *ctx = tu_smtp_run(t1, NSEG(t1), SPLIT_WHOLE, 0, false);
    assert_true(tu_smtp_facts(ctx)->implicit_tls);
    assert_false(tu_smtp_facts(ctx)->tls_started);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t1, NSEG(t1));

    static const struct seg t2[] = {
        S("220 mx\r\n"),
        C("EHLO c\r\n"),
        S("250 mx\r\n"),
        C("\x16\x03\x01\x02\x00"),
    };
    /* no STARTTLS sent: TLS bytes are a line, not a ClientHello (RFC 3207 §4) */
    ctx = tu_smtp_run(t2, NSEG(t2), SPLIT_WHOLE, 0, false);
    assert_false(tu_smtp_facts(ctx)->implicit_tls);
    assert_true(tu_has_event(ctx, "smtp.tls_record_unexpected"));
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t2, NSEG(t2));

    /* STARTTLS refused (by the server, or a middlebox that strips it), a
     * ClientHello all the same (openssl s_client sends one whatever the
     * reply): no TLS (RFC 3207 §4), the server reads on in SMTP. The
     * record is one unknown command to it, skipped whole (its LFs are no
     * line ends), its answer paired, and the dialogue goes on. */
    static const struct seg t2b[] = {
        S("220 mx\r\n"),   C("EHLO c\r\n"), S("250 mx\r\n"),
        C("STARTTLS\r\n"), S("454 no\r\n"), C("\x16\x03\x01\x00\x06\x01\x0a\x00\x02\x03\x0a"),
        S("500 what\r\n"), C("QUIT\r\n"),   S("221 bye\r\n"),
    };
    ctx = tu_smtp_run(t2b, NSEG(t2b), SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "smtp.tls_record_unexpected"));
    assert_false(tu_has_event(ctx, "smtp.tls_without_starttls_reply"));
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_false(tu_smtp_facts(ctx)->tls_started);
    static const char *const v2b[] = {"EHLO", "STARTTLS", "OTHER", "QUIT"};
    static const int c2b[] = {250, 454, 500, 221};
    tu_smtp_dialog_is(ctx, v2b, c2b, 4);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t2b, NSEG(t2b));

    /* After STARTTLS was refused, a message: a body sent after DATA was
     * refused is read as commands, as the server reads it, and never as
     * TLS, whatever its bytes (its text would become SNI, certificates) */
    static const struct seg t2c[] = {
        S("220 mx\r\n"),           C("EHLO c\r\nSTARTTLS\r\n"),
        S("250 mx\r\n454 no\r\n"), C("MAIL FROM:<a@b>\r\nDATA\r\n"),
        S("250 ok\r\n554 no\r\n"), C("\x16\x03\x01\x00\x05body\r\n"),
    };
    ctx = tu_smtp_run(t2c, NSEG(t2c), SPLIT_WHOLE, 0, false);
    assert_true(tu_has_event(ctx, "smtp.tls_record_unexpected"));
    assert_false(tu_has_event(ctx, "smtp.tls_without_starttls_reply"));
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t2c, NSEG(t2c));

    /* 0x16 not followed by 03 0x is a (weird) line, not TLS. */
    static const struct seg t3[] = {S("220 mx\r\n"), C("\x16\x41\x42\r\nNOOP\r\n"), S("500 ?\r\n")};
    ctx = tu_smtp_run(t3, NSEG(t3), SPLIT_WHOLE, 0, true);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_string_equal(tu_smtp_facts(ctx)->dialog[0].verb, "OTHER");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t3, NSEG(t3));
}

/* A greeting and EHLO, a client gap of 10 bytes, then the n bytes of after. */
static struct flow_ctx *
gap_after_ehlo(const char *after, uint32_t n)
{
    struct flow_ctx *ctx = fctx_new(&tu_smtp_cfg, 25);
    fctx_attach(ctx, &smtp_dissector);
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"220 mx\r\n", 8, 1);
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"EHLO c\r\n", 8, 2);
    fctx_gap(ctx, DIR_TO_SERVER, 10, 3);
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)after, n, 4);
    return ctx;
}

static void
test_gap_resync(void **state)
{
    (void)state;
    struct flow_ctx *ctx = fctx_new(&tu_smtp_cfg, 25);
    fctx_attach(ctx, &smtp_dissector);
    const char *a = "220 mx\r\n";
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)a, (uint32_t)strlen(a), 1);
    const char *b = "EHLO c\r\nSTARTTLS\r\n";
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)b, (uint32_t)strlen(b), 2);
    const char *c = "250-mx\r\n250-STA";
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)c, (uint32_t)strlen(c), 3);
    fctx_gap(ctx, DIR_TO_CLIENT, 100, 4);
    assert_true(tu_has_event(ctx, "smtp.gap"));
    /* The 220 to STARTTLS was lost: the ClientHello is recognised anyway. */
    const char *e = "\x16\x03\x01\x00\x05hello";
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)e, (uint32_t)strlen(e), 5);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_true(tu_has_event(ctx, "smtp.tls_without_starttls_reply"));
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_int_equal(f->n_dialog, 2); /* EHLO and STARTTLS without replies */
    assert_int_equal(f->dialog[1].code, 0);
    tu_smtp_done(ctx);

    /* A client gap mid-line: the rest of that line is dropped. */
    ctx = fctx_new(&tu_smtp_cfg, 25);
    fctx_attach(ctx, &smtp_dissector);
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"MAIL FR", 7, 1);
    fctx_gap(ctx, DIR_TO_SERVER, 10, 2);
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"TLS\r\nNOOP\r\n", 11, 3);
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"250 ok\r\n", 8, 4);
    assert_false(tu_smtp_facts(ctx)->starttls_command);
    assert_int_equal(tu_smtp_facts(ctx)->n_dialog, 1);
    tu_smtp_done(ctx);

    /* A client gap may have held STARTTLS (and its reply be lost too): a
     * ClientHello right after it is TLS; after a later command it is not. */
    ctx = gap_after_ehlo("\r\n\x16\x03\x01\x00\x05hello", 12);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    tu_smtp_done(ctx);
    ctx = gap_after_ehlo("\r\nNOOP\r\n\x16\x03\x01\x00\x05hello", 18);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_true(tu_has_event(ctx, "smtp.tls_record_unexpected"));
    tu_smtp_done(ctx);

    /* A short snapshot length (tcpdump -s 68) cut every line: the greeting,
     * EHLO and STARTTLS are gaps, then the ClientHello's first bytes. That
     * is TLS after lost client bytes that may have held STARTTLS, not
     * implicit TLS on port 25 (it said "implicit TLS"). */
    ctx = fctx_new(&tu_smtp_cfg, 25);
    fctx_attach(ctx, &smtp_dissector);
    fctx_gap(ctx, DIR_TO_CLIENT, 30, 1);
    fctx_gap(ctx, DIR_TO_SERVER, 10, 2);
    fctx_gap(ctx, DIR_TO_CLIENT, 120, 3);
    fctx_gap(ctx, DIR_TO_SERVER, 10, 4);
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"\x16\x03\x01\x00\x05hello", 10, 5);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_false(tu_smtp_facts(ctx)->implicit_tls);
    assert_true(tu_smtp_facts(ctx)->tls_started);
    tu_smtp_done(ctx);
}

static void
test_dialog_truncated(void **state)
{
    (void)state;
    struct flow_ctx *ctx = fctx_new(&tu_smtp_cfg, 25);
    fctx_attach(ctx, &smtp_dissector);
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"220 mx\r\n", 8, 1);
    for (int i = 0; i < FACTS_DIALOG_MAX + 5; i++) {
        fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"RSET\r\n", 6, 2);
        fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"250 ok\r\n", 8, 3);
    }
    assert_int_equal(tu_smtp_facts(ctx)->n_dialog, FACTS_DIALOG_MAX);
    assert_true(tu_smtp_facts(ctx)->dialog_truncated);
    tu_smtp_done(ctx);
}

/* Writes the transcripts as fuzz seeds when SMTPTAP_WRITE_CORPUS is set
 * (format: tests/fuzz/fuzz_smtp.c). */
static void
write_seed(const char *name, const struct seg *segs, size_t nseg)
{
    const char *dir = getenv("SMTPTAP_WRITE_CORPUS");
    if (dir == NULL)
        return;
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < nseg; i++) {
        fwrite("\1PKT", 1, 4, fp);
        fputc(segs[i].d == DIR_TO_SERVER ? 0 : 1, fp);
        fwrite(segs[i].s, 1, segs[i].n, fp);
    }
    fclose(fp);
}

static void
test_write_corpus(void **state)
{
    (void)state;
    write_seed("plain", t_plain, NSEG(t_plain));
    write_seed("starttls", t_starttls, NSEG(t_starttls));
    write_seed("refused", t_refused, NSEG(t_refused));
    write_seed("anon", t_anon, NSEG(t_anon));
    write_seed("stripped", t_stripped, NSEG(t_stripped));
    write_seed("auth", t_auth, NSEG(t_auth));
    write_seed("pipelined", t_pipelined, NSEG(t_pipelined));
    write_seed("body", t_body, NSEG(t_body));
}

/* What opens SMTP where TLS was expected from the first byte (one list for
 * the engine's choice on 465 and the TLS dissector's hand-over: the TLS
 * dissector's own had no MAIL, NOOP or RSET). */
static void
test_smtp_opens(void **state)
{
    (void)state;
    static const char *const client[] = {
        "EHLO c\r\n", "helo c\r\n", "STARTTLS\r\n", "MAIL FROM:<a@b>\r\n",
        "noop\r\n",   "RSET\r\n",   "QUIT\r\n"};
    for (size_t i = 0; i < sizeof(client) / sizeof(client[0]); i++)
        assert_true(smtp_opens((const uint8_t *)client[i], strlen(client[i]), true));
    static const char *const not_client[] = {"EHL", "\x16\x03\x01\x00\x05", "GET / HTTP/1.1",
                                             "MAIL TO:"};
    for (size_t i = 0; i < sizeof(not_client) / sizeof(not_client[0]); i++)
        assert_false(smtp_opens((const uint8_t *)not_client[i], strlen(not_client[i]), true));
    assert_true(smtp_opens((const uint8_t *)"220 mx ESMTP\r\n", 14, false));
    assert_true(smtp_opens((const uint8_t *)"421-busy\r\n", 10, false));
    assert_false(smtp_opens((const uint8_t *)"220", 3, false));
    assert_false(smtp_opens((const uint8_t *)"\x16\x03\x03\x00", 4, false));
    assert_false(smtp_opens((const uint8_t *)"EHLO c", 6, false)); /* not a reply */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_plain_session, tu_smtp_setup),
        cmocka_unit_test_setup(test_starttls_accepted, tu_smtp_setup),
        cmocka_unit_test_setup(test_starttls_220_line_consumed, tu_smtp_setup),
        cmocka_unit_test_setup(test_starttls_refused_then_plaintext, tu_smtp_setup),
        cmocka_unit_test_setup(test_anonymoustls, tu_smtp_setup),
        cmocka_unit_test_setup(test_stripped_starttls, tu_smtp_setup),
        cmocka_unit_test_setup(test_masked_starttls, tu_smtp_setup),
        cmocka_unit_test_setup(test_auth_before_tls, tu_smtp_setup),
        cmocka_unit_test_setup(test_auth_token_not_kept, tu_smtp_setup),
        cmocka_unit_test_setup(test_starttls_pipelined_data, tu_smtp_setup),
        cmocka_unit_test_setup(test_line_too_long, tu_smtp_setup),
        cmocka_unit_test_setup(test_pending_cap, tu_smtp_setup),
        cmocka_unit_test_setup(test_enhanced_status, tu_smtp_setup),
        cmocka_unit_test_setup(test_data_body_skipped, tu_smtp_setup),
        cmocka_unit_test_setup(test_one_byte_short, tu_smtp_setup),
        cmocka_unit_test_setup(test_implicit_and_heuristic_tls, tu_smtp_setup),
        cmocka_unit_test_setup(test_gap_resync, tu_smtp_setup),
        cmocka_unit_test_setup(test_dialog_truncated, tu_smtp_setup),
        cmocka_unit_test_setup(test_capabilities_once_each, tu_smtp_setup),
        cmocka_unit_test(test_smtp_opens),
        cmocka_unit_test_setup(test_write_corpus, tu_smtp_setup),
    };
    return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
