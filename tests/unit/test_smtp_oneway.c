/* \summary: unit tests for the SMTP dissector (dissectors/smtp.c,
 * smtp_reply.c) on a capture that holds one direction only (a tap or span
 * port that sees one direction, asymmetric routing): with the server's side
 * alone, its EHLO reply's keywords are read and TLS is followed from its
 * 220 when that 220 answers a STARTTLS (after an EHLO reply offering it, or
 * saying TLS) and a TLS handshake record comes next; nothing else starts
 * TLS. With the client's side alone, its bytes after STARTTLS are neither
 * injection nor TLS. Every transcript also byte by byte and in random
 * splits. */
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

/* A TLS 1.2 handshake record header and the start of a ServerHello. */
#define SH_RECORD "\x16\x03\x03\x00\x06\x02\x00\x00\x02\x03\x03"

/* Postfix's side of pcaps/smtp-starttls-tls12-chain.pcap, the client's not
 * captured. */
static const struct seg t_server_only[] = {
    S("220 mail.example.test ESMTP Postfix\r\n"),
    S("250-mail.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 CHUNKING\r\n"),
    S("220 2.0.0 Ready to start TLS\r\n"),
    S(SH_RECORD),
};

static void
test_server_only_starttls(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_server_only, NSEG(t_server_only), SPLIT_WHOLE, 0, false);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_true(f->tls_started);
    assert_true(f->tls_server_side);
    assert_false(f->starttls_command); /* the client's command was not seen */
    assert_int_equal(f->starttls_offered, 1);
    assert_int_equal(f->ehlo_reply_code, 250);
    tu_fstr_is(&f->capabilities, "PIPELINING STARTTLS CHUNKING");
    assert_int_equal(f->starttls_reply_code, 220);
    tu_fstr_is(&f->starttls_reply_text, "2.0.0 Ready to start TLS");
    assert_true(tu_has_event(ctx, "smtp.starttls_server_side"));
    assert_false(tu_has_event(ctx, "smtp.bad_reply_line"));
    static const char *const v[] = {"", ""}; /* replies to commands not captured */
    static const int c[] = {250, 220};
    tu_smtp_dialog_is(ctx, v, c, 2);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_server_only, NSEG(t_server_only));
}

/* Exim's words, and no EHLO reply captured: the 220's text says TLS. */
static const struct seg t_server_only_text[] = {
    S("220 mx ESMTP Exim\r\n"),
    S("220 TLS go ahead\r\n"),
    S(SH_RECORD),
};

static void
test_server_only_text_says_tls(void **state)
{
    (void)state;
    struct flow_ctx *ctx =
        tu_smtp_run(t_server_only_text, NSEG(t_server_only_text), SPLIT_WHOLE, 0, false);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_true(f->tls_server_side);
    assert_int_equal(f->starttls_offered, -1); /* no EHLO reply read */
    tu_fstr_is(&f->starttls_reply_text, "TLS go ahead");
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_server_only_text, NSEG(t_server_only_text));
}

/* What does not start TLS: a 220 neither after a STARTTLS offer nor saying
 * TLS ("STLS" or "XTLS" is no word TLS); a 220 followed by a reply line, or
 * by a record that is no handshake (application data); a multi-line 250
 * that is not the first reply after the greeting (EXPN's list after HELO's
 * reply) read for keywords; the client's side seen (its commands, not the
 * server's 220, decide). */
static const struct seg t_no_offer[] = {
    S("220 mx\r\n"),
    S("250-mx\r\n250 SIZE 1000\r\n"),
    S("220 XTLS ready\r\n"),
    S(SH_RECORD),
};
static const struct seg t_then_line[] = {
    S("220 mx\r\n"),
    S("250-mx\r\n250 STARTTLS\r\n"),
    S("220 Ready to start TLS\r\n"),
    S("250 ok\r\n"),
    S(SH_RECORD),
};
static const struct seg t_then_appdata[] = {
    S("220 mx\r\n"),
    S("250-mx\r\n250 STARTTLS\r\n"),
    S("220 Ready to start TLS\r\n"),
    S("\x17\x03\x03\x00\x02\x00\x00"),
};
static const struct seg t_expn_list[] = {
    S("220 mx\r\n"),    S("250 mx\r\n"), S("250-a@b\r\n250 STARTTLS\r\n"),
    S("220 Ready\r\n"), S(SH_RECORD),
};
static const struct seg t_client_seen[] = {
    S("220 mx\r\n"),
    C("EHLO c.example\r\n"),
    S("250-mx\r\n250 STARTTLS\r\n"),
    S("220 Ready to start TLS\r\n"),
    S(SH_RECORD),
};

static void
test_server_only_no_tls(void **state)
{
    (void)state;
    const struct {
        const struct seg *t;
        size_t n;
    } cases[] = {
        {t_no_offer, NSEG(t_no_offer)},         {t_then_line, NSEG(t_then_line)},
        {t_then_appdata, NSEG(t_then_appdata)}, {t_expn_list, NSEG(t_expn_list)},
        {t_client_seen, NSEG(t_client_seen)},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct flow_ctx *ctx = tu_smtp_run(cases[i].t, cases[i].n, SPLIT_WHOLE, 0, false);
        const struct smtp_facts *f = tu_smtp_facts(ctx);
        assert_string_equal(fctx_dissector_name(ctx), "smtp");
        assert_false(f->tls_started);
        assert_false(f->tls_server_side);
        assert_false(tu_has_event(ctx, "smtp.starttls_server_side"));
        tu_smtp_done(ctx);
        tu_smtp_check_splits(cases[i].t, cases[i].n);
    }
}

/* The client's side alone: EHLO, STARTTLS, then its ClientHello. No reply
 * of the server's is in the capture, so the bytes after STARTTLS prove no
 * injection, and TLS is not followed from the client's side alone. */
static const struct seg t_client_only[] = {
    C("EHLO c.example\r\n"),
    C("STARTTLS\r\n"),
    C("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x03"),
    C("\x17\x03\x03\x00\x02\x00\x00"),
};

static void
test_client_only(void **state)
{
    (void)state;
    struct flow_ctx *ctx = tu_smtp_run(t_client_only, NSEG(t_client_only), SPLIT_WHOLE, 0, true);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_true(f->starttls_command);
    assert_false(f->starttls_pipelined);
    assert_false(f->tls_started);
    assert_false(tu_has_event(ctx, "smtp.starttls_pipelined_data"));
    static const char *const v[] = {"EHLO", "STARTTLS"};
    static const int c[] = {0, 0};
    tu_smtp_dialog_is(ctx, v, c, 2);
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_client_only, NSEG(t_client_only));
}

/* pcaps/diag/submission-454.pcap's server side: STARTTLS refused with 454
 * (RFC 3207 section 4) right after the EHLO reply, then the message in
 * plaintext; the client's command not captured. The 454 names TLS: the
 * STARTTLS refusal (it read as commands cut, no refusal). */
static const struct seg t_server_only_454[] = {
    S("220 mail.example.test ESMTP\r\n"),
    S("250-mail.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 CHUNKING\r\n"),
    S("454 4.7.0 TLS not available due to local problem\r\n"),
    S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"),
    S("250 2.0.0 Ok: queued as 1\r\n221 2.0.0 Bye\r\n"),
};

static void
test_server_only_454(void **state)
{
    (void)state;
    struct flow_ctx *ctx =
        tu_smtp_run(t_server_only_454, NSEG(t_server_only_454), SPLIT_WHOLE, 0, false);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_false(f->tls_started);
    assert_true(f->tls_server_side);
    assert_false(f->starttls_command); /* the client's command was not seen */
    assert_int_equal(f->starttls_reply_code, 454);
    tu_fstr_is(&f->starttls_reply_text, "4.7.0 TLS not available due to local problem");
    assert_true(tu_has_event(ctx, "smtp.starttls_rejected"));
    tu_smtp_done(ctx);
    tu_smtp_check_splits(t_server_only_454, NSEG(t_server_only_454));
}

/* AUTH's 454 (RFC 4954 section 6) right after the EHLO reply, and a 454
 * naming TLS later in the dialogue (not right after the EHLO reply), and
 * one that names TLS and AUTH: none is taken for a STARTTLS refusal. */
static const struct seg t_server_only_auth454[] = {
    S("220 mail.example.test ESMTP\r\n"),
    S("250-mail.example.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"),
    S("454 4.7.0 Temporary authentication failure\r\n"),
    S("454 4.7.0 TLS not available due to local problem\r\n"),
};
static const struct seg t_server_only_tlsauth454[] = {
    S("220 mail.example.test ESMTP\r\n"),
    S("250-mail.example.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"),
    S("454 4.7.0 AUTH needs TLS, which is not available\r\n"),
};

static void
test_server_only_auth_454(void **state)
{
    (void)state;
    struct flow_ctx *ctx =
        tu_smtp_run(t_server_only_auth454, NSEG(t_server_only_auth454), SPLIT_WHOLE, 0, false);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_false(f->tls_server_side);
    assert_int_equal(f->starttls_reply_code, -1);
    assert_false(tu_has_event(ctx, "smtp.starttls_rejected"));
    tu_smtp_done(ctx);
    ctx = tu_smtp_run(t_server_only_tlsauth454, NSEG(t_server_only_tlsauth454), SPLIT_WHOLE, 0,
                      false);
    f = tu_smtp_facts(ctx);
    assert_false(f->tls_server_side);
    assert_false(tu_has_event(ctx, "smtp.starttls_rejected"));
    tu_smtp_done(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_server_only_starttls, tu_smtp_setup),
        cmocka_unit_test_setup(test_server_only_text_says_tls, tu_smtp_setup),
        cmocka_unit_test_setup(test_server_only_no_tls, tu_smtp_setup),
        cmocka_unit_test_setup(test_server_only_454, tu_smtp_setup),
        cmocka_unit_test_setup(test_server_only_auth_454, tu_smtp_setup),
        cmocka_unit_test_setup(test_client_only, tu_smtp_setup),
    };
    return cmocka_run_group_tests_name("smtp_oneway", tests, NULL, NULL);
}
