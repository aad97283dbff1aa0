/* \summary: unit tests for the SMTP dissector (dissectors/smtp.c): where
 * a message body ends and commands start again: CRLF "." CRLF only (SMTP
 * smuggling), over-long body lines, AUTH with an initial response followed
 * by pipelined commands, LMTP's reply per recipient, over-long AUTH lines,
 * the rest of a line cut by STARTTLS injection, flows picked up midstream
 * and text that is no host name. Nothing of a body may be read as a
 * command, and no wire text but names and the greeting is kept. Every transcript also in
 * byte-by-byte and random splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissector.h"
#include "tu_smtp.h"

/* SMTP smuggling: a "." between bare LFs is body text, not the end of the
 * data (RFC 5321 §4.1.1.4 ends it with CRLF "." CRLF, as current Postfix,
 * Exim and Sendmail do), so commands after it are never taken from the
 * body; nor are they after an over-long body line followed by a refusal. */
static const struct seg t_smuggle[] = {
    S("220 mx\r\n"),
    C("HELO c.example\r\n"),
    S("250 mx\r\n"),
    C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
    S("250 ok\r\n250 ok\r\n354 go\r\n"),
    C("hello\n.\nAUTH SECRETWORD\r\nSTARTTLS\r\nbye\r\n.\n\r\n.\r\n"),
    S("250 queued\r\n"),
    C("QUIT\r\n"),
    S("221 bye\r\n"),
};

static void
test_bare_lf_dot_is_body(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_smuggle, NSEG(t_smuggle), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_false(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "");
    assert_false(f->starttls_command);
    assert_int_equal(f->plaintext_messages, 1);
    static const char *const v[] = {"HELO", "MAIL", "RCPT", "DATA", "EOM", "QUIT"};
    static const int c[] = {250, 250, 250, 354, 250, 221};
    tu_smtp_dialog_is(ctx, v, c, 6);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_smuggle, NSEG(t_smuggle));
}

static void
test_long_body_line_is_body(void **state)
{
    (void)state;
    static char big[6100];
    memset(big, 'x', 6000);
    memcpy(big + 6000, "\r\n", 3);
    const struct seg t[] = {
        S("220 mx\r\n"),
        C("HELO c.example\r\nDATA\r\n"),
        {DIR_TO_SERVER, big, 6002},
        S("250 mx\r\n554 no valid recipients\r\n"),
        C("AUTH BODYWORD\r\n.\r\n"),
        S("250 ok\r\n"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_false(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t, NSEG(t));
}

/* AUTH with an initial response (RFC 4954 §4): commands pipelined after it
 * are commands, and the message after DATA is a body; after an initial
 * response a 334 still asks for a SASL response, which is skipped. */
static const struct seg t_auth_ir[] = {
    S("220 mx\r\n"),
    C("EHLO c.example\r\n"),
    S("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
    C("AUTH PLAIN AGEAYg==\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
    S("235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
    C("Subject: x\r\n\r\nSTARTTLS\r\nbody\r\n.\r\n"),
    S("250 queued\r\n"),
    C("AUTH LOGIN dXNlcg==\r\n"),
    S("334 UGFzc3dvcmQ6\r\n"),
    C("RUNUTA==\r\n"),
    S("235 ok\r\n"),
    C("QUIT\r\n"),
    S("221 bye\r\n"),
};

static void
test_auth_initial_response_pipelined(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_auth_ir, NSEG(t_auth_ir), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "PLAIN");
    assert_true(f->plaintext_mail);
    assert_int_equal(f->plaintext_messages, 1);
    assert_false(f->starttls_command);
    static const char *const v[] = {"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "EOM", "AUTH", "QUIT"};
    static const int c[] = {250, 235, 250, 250, 354, 250, 235, 221};
    tu_smtp_dialog_is(ctx, v, c, 8);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_auth_ir, NSEG(t_auth_ir));
}

/* LMTP (RFC 2033 §4.2): the dot is answered once per accepted recipient;
 * those replies are the message's, not the next commands', so the next
 * transaction's DATA still gets its 354 and its body stays a body. One
 * message each, whatever the recipients. */
static const struct seg t_lmtp[] = {
    S("220 lmtp\r\n"),
    C("LHLO c.example\r\n"),
    S("250-lmtp\r\n250 PIPELINING\r\n"),
    C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\n"),
    S("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
    C("body\r\n.\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
    S("250 c ok\r\n452 e full\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
    C("AUTH BODYSECRET\r\n.\r\n"),
    S("250 ok\r\n"),
    C("QUIT\r\n"),
    S("221 bye\r\n"),
};

static void
test_lmtp_reply_per_recipient(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_lmtp, NSEG(t_lmtp), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_false(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "");
    assert_string_equal(f->ehlo_verb, "LHLO");
    assert_int_equal(f->plaintext_messages, 2);
    static const char *const v[] = {"LHLO", "MAIL", "RCPT", "RCPT", "DATA", "EOM",
                                    "EOM",  "MAIL", "RCPT", "DATA", "EOM",  "QUIT"};
    static const int c[] = {250, 250, 250, 250, 354, 250, 452, 250, 250, 354, 250, 221};
    tu_smtp_dialog_is(ctx, v, c, 12);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_lmtp, NSEG(t_lmtp));
}

/* LMTP answers BDAT LAST once per accepted recipient too (RFC 2033 §4.3),
 * the RCPT replies arriving after the whole pipelined transaction was sent:
 * the second reply is not QUIT's. */
static const struct seg t_lmtp_bdat[] = {
    S("220 lmtp\r\n"),
    C("LHLO c.example\r\n"),
    S("250-lmtp\r\n250-CHUNKING\r\n250 PIPELINING\r\n"),
    C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nBDAT 6 LAST\r\nbody\r\nQUIT\r\n"),
    S("250 ok\r\n250 ok\r\n250 ok\r\n250 c ok\r\n452 e full\r\n221 bye\r\n"),
};

static void
test_lmtp_bdat_reply_per_recipient(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_lmtp_bdat, NSEG(t_lmtp_bdat), SPLIT_WHOLE, 0, true);
    assert_int_equal(tu_smtp_facts(ctx)->plaintext_messages, 1);
    static const char *const v[] = {"LHLO", "MAIL", "RCPT", "RCPT", "BDAT", "EOM", "QUIT"};
    static const int c[] = {250, 250, 250, 250, 250, 452, 221};
    tu_smtp_dialog_is(ctx, v, c, 7);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_lmtp_bdat, NSEG(t_lmtp_bdat));
}

/* plaintext_data: message content crossed in plaintext. Not for a MAIL
 * refused with 451 nor a DATA refused with 554 (no body follows); yes for a
 * body line, and for a BDAT chunk's bytes. plaintext_mail is set by MAIL. */
static void
test_plaintext_data(void **state)
{
    (void)state;
    static const struct seg refused[] = {
        S("220 mx\r\n"),          C("EHLO c\r\n"),
        S("250 mx\r\n"),          C("MAIL FROM:<a@b>\r\n"),
        S("451 4.3.0 later\r\n"), C("MAIL FROM:<a@b>\r\n"),
        S("250 ok\r\n"),          C("RCPT TO:<c@d>\r\n"),
        S("250 ok\r\n"),          C("DATA\r\n"),
        S("554 5.5.1 no\r\n"),    C("QUIT\r\n"),
        S("221 bye\r\n"),
    };
    static const struct seg body[] = {
        S("220 mx\r\n"), C("EHLO c\r\n"),        S("250 mx\r\n"),  C("MAIL FROM:<a@b>\r\n"),
        S("250 ok\r\n"), C("RCPT TO:<c@d>\r\n"), S("250 ok\r\n"),  C("DATA\r\n"),
        S("354 go\r\n"), C("Subject: x\r\n"),    S("421 bye\r\n"),
    };
    static const struct seg chunk[] = {
        S("220 mx\r\n"),          C("EHLO c\r\n"),         S("250 CHUNKING\r\n"),
        C("MAIL FROM:<a@b>\r\n"), S("250 ok\r\n"),         C("RCPT TO:<c@d>\r\n"),
        S("250 ok\r\n"),          C("BDAT 3 LAST\r\nabc"), S("552 too big\r\n"),
    };
    struct flow_ctx *ctx = tu_smtp_run(refused, NSEG(refused), SPLIT_WHOLE, 0, true);
    assert_true(tu_smtp_facts(ctx)->plaintext_mail);
    assert_false(tu_smtp_facts(ctx)->plaintext_data);
    tu_smtp_done(ctx);
    ctx = tu_smtp_run(body, NSEG(body), SPLIT_WHOLE, 0, true);
    assert_true(tu_smtp_facts(ctx)->plaintext_data);
    assert_int_equal(tu_smtp_facts(ctx)->plaintext_messages, 0);
    tu_smtp_done(ctx);
    ctx = tu_smtp_run(chunk, NSEG(chunk), SPLIT_WHOLE, 0, true);
    assert_true(tu_smtp_facts(ctx)->plaintext_data);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(refused, NSEG(refused));
    tu_smtp_check_splits(body, NSEG(body));
    tu_smtp_check_splits(chunk, NSEG(chunk));
}

/* An AUTH line longer than smtp.line_max (a GSSAPI initial response; RFC
 * 4954 §4 allows 12 288 octets) still counts as AUTH before TLS, from its
 * first bytes, and the SASL response after the 334 is skipped. */
static void
test_long_auth_line(void **state)
{
    (void)state;
    static char big[5200];
    memcpy(big, "AUTH GSSAPI ", 12);
    memset(big + 12, 'Q', 5000);
    memcpy(big + 5012, "\r\n", 3);
    const struct seg t[] = {
        S("220 mx\r\n"),
        C("EHLO c.example\r\n"),
        S("250-mx\r\n250 AUTH GSSAPI\r\n"),
        {DIR_TO_SERVER, big, 5014},
        S("334 \r\n"),
        C("dGVzdA==\r\n"),
        S("235 ok\r\n"),
        C("QUIT\r\n"),
        S("221 bye\r\n"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t, NSEG(t), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "GSSAPI");
    assert_true(tu_has_event(ctx, "smtp.line_too_long"));
    static const char *const v[] = {"EHLO", "AUTH", "QUIT"};
    static const int c[] = {250, 235, 221};
    tu_smtp_dialog_is(ctx, v, c, 3);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t, NSEG(t));
}

/* Bytes pipelined after STARTTLS are dropped up to the end of their line:
 * after a 454 the tail of a cut line is not read as a command. */
static const struct seg t_inject_cut[] = {
    S("220 mx\r\n"),
    C("EHLO c.example\r\n"),
    S("250-mx\r\n250 STARTTLS\r\n"),
    C("STARTTLS\r\nNOOP xx EH"),
    S("454 not now\r\n"),
    C("LO inj\r\nQUIT\r\n"),
    S("221 bye\r\n"),
};

static void
test_injected_line_dropped_whole(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_inject_cut, NSEG(t_inject_cut), SPLIT_WHOLE, 0, true);
    assert_true(tu_smtp_facts(ctx)->starttls_pipelined);
    static const char *const v[] = {"EHLO", "STARTTLS", "QUIT"};
    static const int c[] = {250, 454, 221};
    tu_smtp_dialog_is(ctx, v, c, 3);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_inject_cut, NSEG(t_inject_cut));
}

/* DATA lost in a client gap: the server's 354 alone says a message comes
 * next, which is read as a body, not as commands. */
static void
test_data_lost_354_starts_body(void **state)
{
    (void)state;
    struct flow_ctx *ctx = fctx_new(&tu_smtp_cfg, 25);
    fctx_attach(ctx, &smtp_dissector);
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"220 mx\r\n", 8, 1);
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"HELO c\r\n", 8, 2);
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"250 mx\r\n", 8, 3);
    fctx_gap(ctx, DIR_TO_SERVER, 6, 4); /* "DATA\r\n" */
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"354 go\r\n", 8, 5);
    const char *body = "AUTH BODYSECRET\r\nSTARTTLS\r\n.\r\n";
    fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)body, (uint32_t)strlen(body), 6);
    fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"250 queued\r\n", 12, 7);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_false(f->auth_before_tls);
    assert_string_equal(f->auth_mechanism, "");
    assert_false(f->starttls_command);
    tu_smtp_done(ctx);
}

/* Picked up midstream, a reply may be paired with a message body's line:
 * codes and verbs are kept, no wire text (no banner from the first reply
 * seen, which may echo an address; no EHLO argument; no reply text). */
static const struct seg t_midstream[] = {
    S("250 2.1.5 <bob@example.com>... Recipient ok\r\n"),
    C("helo John, the vault code is SECRET-4711\r\n.\r\n"),
    S("250 2.6.0 <msgid@client> Queued mail for delivery\r\n"),
    C("STARTTLS\r\n"),
    S("454 4.7.0 <carol@example.com> not now\r\n"),
};

static void
test_midstream_keeps_no_text(void **state)
{
    (void)state;
    tu_smtp_midstream = true;
    struct flow_ctx *ctx = tu_smtp_run(t_midstream, NSEG(t_midstream), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->seen);
    assert_int_equal(f->banner_code, 0);
    tu_fstr_is(&f->banner, NULL);
    tu_fstr_is(&f->banner_host, NULL);
    assert_string_equal(f->ehlo_verb, "");
    tu_fstr_is(&f->ehlo, NULL);
    assert_true(f->starttls_command); /* its reply is paired with "." (the body's end) */
    tu_fstr_is(&f->starttls_reply_text, NULL);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_midstream, NSEG(t_midstream));

    /* the same from the connection's start: a first reply that is no
     * greeting (a 250, RFC 5321 §4.2) is no banner either; a 220 is, with
     * its text */
    tu_smtp_midstream = false;
    ctx = tu_smtp_run(t_midstream, NSEG(t_midstream), SPLIT_WHOLE, 0, true);
    assert_int_equal(tu_smtp_facts(ctx)->banner_code, 0);
    tu_smtp_done(ctx);
    static const struct seg t_start[] = {S("220 mx.example.org ESMTP\r\n")};
    ctx = tu_smtp_run(t_start, NSEG(t_start), SPLIT_WHOLE, 0, true);
    assert_int_equal(tu_smtp_facts(ctx)->banner_code, 220);
    tu_fstr_is(&tu_smtp_facts(ctx)->banner_host, "mx.example.org");
    tu_smtp_done(ctx);
}

/* The EHLO/HELO argument and the greeting's host are kept only when they
 * can be a host's name (RFC 5321 §4.1.2); other text is "?" (EHLO) or not
 * kept (the greeting's first word). */
static void
test_names_only(void **state)
{
    (void)state;
    static const struct seg t1[] = {
        S("220 \x1b[2Jmx ESMTP\r\n"),
        C("HELO John, the vault code is SECRET-4711\r\n"),
        S("250 hi\r\n"),
    };
    struct flow_ctx *ctx = tu_smtp_run(t1, NSEG(t1), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(f->ehlo_verb, "HELO");
    tu_fstr_is(&f->ehlo, "?");
    tu_fstr_is(&f->banner_host, NULL);
    assert_int_equal(f->banner_code, 220);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t1, NSEG(t1));

    static const char *const names[] = {"[IPv6:2001:db8::1]", "[192.0.2.7]", "DESKTOP_01.corp",
                                        "mx-1.example.net"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char greet[96], ehlo[96];
        snprintf(greet, sizeof(greet), "220 %s ESMTP\r\n", names[i]);
        snprintf(ehlo, sizeof(ehlo), "EHLO %s\r\n", names[i]);
        const struct seg t2[] = {{DIR_TO_CLIENT, greet, strlen(greet)},
                                 {DIR_TO_SERVER, ehlo, strlen(ehlo)}};
        ctx = tu_smtp_run(t2, NSEG(t2), SPLIT_WHOLE, 0, true);
        tu_fstr_is(&tu_smtp_facts(ctx)->ehlo, names[i]);
        tu_fstr_is(&tu_smtp_facts(ctx)->banner_host, names[i]);
        tu_smtp_done(ctx);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_data_lost_354_starts_body, tu_smtp_setup),
        cmocka_unit_test_setup(test_long_auth_line, tu_smtp_setup),
        cmocka_unit_test_setup(test_injected_line_dropped_whole, tu_smtp_setup),
        cmocka_unit_test_setup(test_bare_lf_dot_is_body, tu_smtp_setup),
        cmocka_unit_test_setup(test_lmtp_reply_per_recipient, tu_smtp_setup),
        cmocka_unit_test_setup(test_lmtp_bdat_reply_per_recipient, tu_smtp_setup),
        cmocka_unit_test_setup(test_plaintext_data, tu_smtp_setup),
        cmocka_unit_test_setup(test_auth_initial_response_pipelined, tu_smtp_setup),
        cmocka_unit_test_setup(test_long_body_line_is_body, tu_smtp_setup),
        cmocka_unit_test_setup(test_midstream_keeps_no_text, tu_smtp_setup),
        cmocka_unit_test_setup(test_names_only, tu_smtp_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
