/* \summary: which dissector a flow's bytes belong to where the port and the
 * bytes disagree: plaintext SMTP on an implicit-TLS port (RFC 8314 §3.3:
 * Postfix's smtps without its wrapper mode serves a 220 greeting on 465),
 * and a connection picked up midstream inside TLS on port 25 (its STARTTLS
 * before the capture). Each transcript is replayed whole, byte by byte and
 * in random splits, with the same facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tu_smtp.h"

/* A ClientHello record's first bytes (the length is the record's own). */
#define CH "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"

/* The flow as the engine makes it: on `port`, first given to `d`, implicit
 * TLS said when the engine would say it, plaintext on a TLS port likewise. */
static struct flow_ctx *
run(uint16_t port, const struct dissector *d, bool implicit, bool plain_tls_port,
    const struct seg *segs, size_t nseg, enum split_mode mode, uint32_t seed)
{
    struct flow_ctx *ctx = fctx_new(&tu_smtp_cfg, port);
    assert_non_null(ctx);
    fctx_facts(ctx)->midstream = tu_smtp_midstream;
    fctx_attach(ctx, d);
    fctx_facts(ctx)->smtp.implicit_tls = implicit;
    fctx_facts(ctx)->smtp.plaintext_on_tls_port = plain_tls_port;
    int64_t t = 1000;
    for (size_t i = 0; i < nseg; i++)
        tu_deliver(ctx, segs[i].d, (const uint8_t *)segs[i].s, segs[i].n, mode, &seed, 7, &t);
    fctx_eof(ctx, DIR_TO_SERVER, t);
    fctx_eof(ctx, DIR_TO_CLIENT, t);
    return ctx;
}

/* The whole transcript vs byte by byte vs random splits: the same facts,
 * TLS's outcome included. */
static void
splits(uint16_t port, const struct dissector *d, bool implicit, bool plain, const struct seg *segs,
       size_t nseg)
{
    struct flow_ctx *whole = run(port, d, implicit, plain, segs, nseg, SPLIT_WHOLE, 0);
    for (uint32_t k = 0; k < 6; k++) {
        struct flow_ctx *x =
            run(port, d, implicit, plain, segs, nseg, k == 0 ? SPLIT_BYTES : SPLIT_RANDOM, k);
        tu_smtp_facts_equal(whole, x);
        assert_int_equal(fctx_facts(whole)->tls.seen, fctx_facts(x)->tls.seen);
        assert_int_equal(fctx_facts(whole)->tls.handshake, fctx_facts(x)->tls.handshake);
        fctx_destroy(x);
    }
    tu_smtp_done(whole);
}

/* ---- plaintext SMTP on 465 ---- */

/* The engine gave the flow to SMTP (the server greeted first, in clear);
 * an implicit-TLS client's ClientHello comes next and gets an error: the
 * cause of its failed handshake, kept. */
static const struct seg t_465_greet_first[] = {
    S("220 mail.example.test ESMTP\r\n"),
    C(CH),
    S("500 5.5.2 Error: command not recognized\r\n"),
};

static void
test_465_clienthello_after_greeting(void **state)
{
    (void)state;
    struct flow_ctx *ctx = run(465, &smtp_dissector, false, true, t_465_greet_first,
                               NSEG(t_465_greet_first), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_int_equal(fctx_status(ctx), FCTX_ACTIVE);
    assert_true(f->plaintext_on_tls_port);
    assert_true(f->client_tls_to_plaintext);
    assert_true(f->implicit_tls); /* the client's attempt */
    assert_int_equal(f->banner_code, 220);
    assert_true(fctx_facts(ctx)->tls.seen);
    assert_int_equal(fctx_facts(ctx)->tls.handshake, TLS_HS_FAILED);
    assert_true(tu_has_event(ctx, "smtp.tls_to_plaintext"));
    assert_false(tu_has_event(ctx, "smtp.not_smtp"));
    static const char *const v[] = {"OTHER"};
    static const int c[] = {500};
    tu_smtp_dialog_is(ctx, v, c, 1);
    tu_smtp_done(ctx);
    splits(465, &smtp_dissector, false, true, t_465_greet_first, NSEG(t_465_greet_first));
}

/* The client's ClientHello came first: the engine gave the flow to TLS,
 * whose first server bytes are the plaintext greeting. It hands the flow
 * to SMTP instead of failing it as malformed TLS. */
static const struct seg t_465_hello_first[] = {
    C(CH),
    S("220 mail.example.test ESMTP\r\n"),
    S("500 5.5.2 Error: command not recognized\r\n"),
};

static void
test_465_clienthello_first(void **state)
{
    (void)state;
    struct flow_ctx *ctx = run(465, &tls_dissector, true, false, t_465_hello_first,
                               NSEG(t_465_hello_first), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_int_equal(fctx_status(ctx), FCTX_ACTIVE);
    assert_true(f->seen);
    assert_true(f->plaintext_on_tls_port);
    assert_true(f->client_tls_to_plaintext);
    assert_true(f->implicit_tls);
    assert_int_equal(f->banner_code, 220);
    tu_fstr_is(&f->banner, "mail.example.test ESMTP");
    assert_int_equal(fctx_facts(ctx)->tls.handshake, TLS_HS_FAILED);
    assert_true(tu_has_event(ctx, "tls.plaintext_smtp"));
    assert_false(tu_has_event(ctx, "tls.malformed_record"));
    assert_false(tu_has_event(ctx, "dissector.error"));
    tu_smtp_done(ctx);
    splits(465, &tls_dissector, true, false, t_465_hello_first, NSEG(t_465_hello_first));
}

/* A client's EHLO first (the greeting lost or later in the capture): SMTP
 * too, plaintext on the port, no TLS tried. STARTTLS then follows as on 25. */
static const struct seg t_465_ehlo_first[] = {
    C("EHLO c.example\r\n"),
    S("220 mail.example.test ESMTP\r\n"),
    S("250-mail.example.test\r\n250 STARTTLS\r\n"),
    C("STARTTLS\r\n"),
    S("220 2.0.0 Ready to start TLS\r\n"),
    C(CH),
};

static void
test_465_ehlo_first(void **state)
{
    (void)state;
    struct flow_ctx *ctx = run(465, &tls_dissector, true, false, t_465_ehlo_first,
                               NSEG(t_465_ehlo_first), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_true(f->plaintext_on_tls_port);
    assert_false(f->client_tls_to_plaintext);
    assert_false(f->implicit_tls);
    assert_true(f->tls_started);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_false(tu_has_event(ctx, "dissector.error"));
    tu_smtp_done(ctx);
    splits(465, &tls_dissector, true, false, t_465_ehlo_first, NSEG(t_465_ehlo_first));
}

/* On port 25 a client that sends TLS first to a plaintext server: SMTP
 * reads on, and no "implicit TLS not served" (25 owes no implicit TLS). */
static void
test_25_clienthello_first(void **state)
{
    (void)state;
    struct flow_ctx *ctx = run(25, &tls_dissector, true, false, t_465_hello_first,
                               NSEG(t_465_hello_first), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_false(f->plaintext_on_tls_port);
    assert_true(f->client_tls_to_plaintext);
    tu_smtp_done(ctx);
}

/* TLS on 465 as it should be: no handing over. */
static const struct seg t_465_tls[] = {
    C(CH),
    S("\x16\x03\x03\x00\x04\x0e\x00\x00\x00"),
};

static void
test_465_tls_stays_tls(void **state)
{
    (void)state;
    struct flow_ctx *ctx =
        run(465, &tls_dissector, true, false, t_465_tls, NSEG(t_465_tls), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_false(f->plaintext_on_tls_port);
    assert_false(f->client_tls_to_plaintext);
    assert_true(f->implicit_tls);
    tu_smtp_done(ctx);
}

/* ---- picked up midstream inside TLS on port 25 ---- */

/* The capture begins with the server's ServerHello record: TLS, not SMTP
 * lines, and not implicit TLS (STARTTLS came before the capture). */
static const struct seg t_mid_server_tls[] = {
    S("\x16\x03\x03\x00\x04\x0e\x00\x00\x00"),
    C("\x16\x03\x03\x00\x04\x10\x00\x00\x00"),
};

static void
test_midstream_server_tls(void **state)
{
    (void)state;
    tu_smtp_midstream = true;
    struct flow_ctx *ctx = run(25, &smtp_dissector, false, false, t_mid_server_tls,
                               NSEG(t_mid_server_tls), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_false(f->implicit_tls);
    assert_true(f->tls_started); /* before the capture */
    assert_true(tu_has_event(ctx, "smtp.midstream_tls"));
    assert_false(tu_has_event(ctx, "smtp.bad_reply_line"));
    assert_false(tu_has_event(ctx, "tls.server_pipelined_data"));
    assert_true(fctx_facts(ctx)->tls.seen);
    tu_smtp_done(ctx);
    splits(25, &smtp_dissector, false, false, t_mid_server_tls, NSEG(t_mid_server_tls));
}

/* The capture begins with the 220 to STARTTLS; the ClientHello follows. */
static const struct seg t_mid_220[] = {
    S("220 2.0.0 Ready to start TLS\r\n"),
    C(CH),
};

static void
test_midstream_220_then_clienthello(void **state)
{
    (void)state;
    tu_smtp_midstream = true;
    struct flow_ctx *ctx =
        run(25, &smtp_dissector, false, false, t_mid_220, NSEG(t_mid_220), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_false(f->implicit_tls);
    assert_true(f->tls_started);
    assert_false(tu_has_event(ctx, "smtp.tls_record_unexpected"));
    tu_smtp_done(ctx);
    splits(25, &smtp_dissector, false, false, t_mid_220, NSEG(t_mid_220));
}

/* Picked up midstream in a message: a record header after the client's
 * first line is not looked for (a body's bytes are never read as TLS). */
static const struct seg t_mid_body[] = {
    C("line of a message\r\n"),
    C(CH),
};

static void
test_midstream_not_first_bytes(void **state)
{
    (void)state;
    tu_smtp_midstream = true;
    struct flow_ctx *ctx =
        run(25, &smtp_dissector, false, false, t_mid_body, NSEG(t_mid_body), SPLIT_WHOLE, 0);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_false(tu_has_event(ctx, "smtp.midstream_tls"));
    tu_smtp_done(ctx);
}

/* Seen from its SYN, a client's TLS first is implicit TLS, as before. */
static void
test_start_seen_client_tls_implicit(void **state)
{
    (void)state;
    static const struct seg t[] = {C(CH)};
    struct flow_ctx *ctx = run(25, &smtp_dissector, false, false, t, NSEG(t), SPLIT_WHOLE, 0);
    assert_string_equal(fctx_dissector_name(ctx), "tls");
    assert_true(tu_smtp_facts(ctx)->implicit_tls);
    assert_false(tu_has_event(ctx, "smtp.midstream_tls"));
    tu_smtp_done(ctx);
}

/* ---- a greeting cut between two segments, an implicit-TLS client ---- */

/* The greeting's first segment, the client's ClientHello, the rest of the
 * greeting (a server that writes its banner in two writes): the
 * ClientHello came after plaintext from the server, which a partial line
 * shows as well as a whole one. It is the client's TLS to plaintext SMTP,
 * as with the greeting whole, not implicit TLS answered in plaintext. */
static const struct seg t_greet_split[] = {
    S("220 mail.exa"),
    C(CH),
    S("mple.test ESMTP\r\n"),
    S("500 5.5.2 Error: command not recognized\r\n"),
};

/* The same facts, events and dialog as with the greeting in one segment
 * (t_465_greet_first), on `port`. */
static void
greet_split_is_whole(uint16_t port, bool plain)
{
    struct flow_ctx *whole = run(port, &smtp_dissector, false, plain, t_465_greet_first,
                                 NSEG(t_465_greet_first), SPLIT_WHOLE, 0);
    struct flow_ctx *ctx = run(port, &smtp_dissector, false, plain, t_greet_split,
                               NSEG(t_greet_split), SPLIT_WHOLE, 0);
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_string_equal(fctx_dissector_name(ctx), "smtp");
    assert_int_equal(fctx_status(ctx), FCTX_ACTIVE);
    assert_true(f->seen);
    assert_int_equal(f->plaintext_on_tls_port, plain);
    assert_true(f->client_tls_to_plaintext);
    assert_true(f->implicit_tls); /* the client's attempt */
    assert_int_equal(f->banner_code, 220);
    tu_fstr_is(&f->banner, "mail.example.test ESMTP");
    assert_int_equal(fctx_facts(ctx)->tls.handshake, TLS_HS_FAILED);
    assert_true(tu_has_event(ctx, "smtp.tls_to_plaintext"));
    /* decided once, in SMTP: no hand-over to TLS and back */
    assert_false(tu_has_event(ctx, "tls.plaintext_smtp"));
    assert_false(tu_has_event(ctx, "smtp.not_smtp"));
    assert_false(tu_has_event(ctx, "flow.switch_loop"));
    static const char *const v[] = {"OTHER"};
    static const int c[] = {500};
    tu_smtp_dialog_is(ctx, v, c, 1);
    tu_smtp_facts_equal(whole, ctx);
    fctx_destroy(ctx);
    tu_smtp_done(whole);
    splits(port, &smtp_dissector, false, plain, t_greet_split, NSEG(t_greet_split));
}

static void
test_465_greeting_split_clienthello(void **state)
{
    (void)state;
    greet_split_is_whole(465, true);
}

/* Port 25 (a client set for implicit TLS pointed at a STARTTLS port): the
 * same, the greeting whole or cut; the session is SMTP's, not "another
 * protocol's upgrade" (smtp.not_smtp: no command came before the TLS). */
static void
test_25_greeting_split_clienthello(void **state)
{
    (void)state;
    greet_split_is_whole(25, false);
}

/* On a port that is no mail port (SMTP recognised by its 220), TLS right
 * after the greeting stays another protocol's (FTP's "220" and implicit
 * FTPS): smtp.not_smtp, as before, the greeting cut or not. */
static void
test_other_port_greeting_then_tls(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        struct flow_ctx *ctx = k == 0 ? run(2121, &smtp_dissector, false, false, t_465_greet_first,
                                            NSEG(t_465_greet_first), SPLIT_WHOLE, 0)
                                      : run(2121, &smtp_dissector, false, false, t_greet_split,
                                            NSEG(t_greet_split), SPLIT_WHOLE, 0);
        assert_true(tu_has_event(ctx, "smtp.not_smtp"));
        assert_false(tu_smtp_facts(ctx)->seen);
        assert_false(tu_smtp_facts(ctx)->client_tls_to_plaintext);
        tu_smtp_done(ctx);
    }
}

/* The ClientHello first, then the greeting cut in two: TLS hands the flow
 * to SMTP at the reply's first bytes, as with the greeting whole. */
static const struct seg t_hello_greet_split[] = {
    C(CH),
    S("220 mail.exa"),
    S("mple.test ESMTP\r\n"),
    S("500 5.5.2 Error: command not recognized\r\n"),
};

static void
test_clienthello_then_greeting_split(void **state)
{
    (void)state;
    static const uint16_t ports[] = {465, 25};
    for (unsigned i = 0; i < 2; i++) {
        struct flow_ctx *whole = run(ports[i], &tls_dissector, true, false, t_465_hello_first,
                                     NSEG(t_465_hello_first), SPLIT_WHOLE, 0);
        struct flow_ctx *ctx = run(ports[i], &tls_dissector, true, false, t_hello_greet_split,
                                   NSEG(t_hello_greet_split), SPLIT_WHOLE, 0);
        assert_string_equal(fctx_dissector_name(ctx), "smtp");
        assert_true(tu_smtp_facts(ctx)->client_tls_to_plaintext);
        assert_int_equal(tu_smtp_facts(ctx)->plaintext_on_tls_port, ports[i] == 465);
        assert_false(tu_has_event(ctx, "flow.switch_loop"));
        tu_smtp_facts_equal(whole, ctx);
        fctx_destroy(ctx);
        tu_smtp_done(whole);
        splits(ports[i], &tls_dissector, true, false, t_hello_greet_split,
               NSEG(t_hello_greet_split));
    }
}

/* A short snapshot length (editcap -s 96) cuts the EHLO reply; the resync
 * after its gap drops the next server line, the 220 to STARTTLS: the
 * ClientHello after it is no injection (smtp.starttls_pipelined_data was
 * claimed), but TLS whose 220 was not seen. Bytes after STARTTLS with no
 * server line lost since are still claimed. */
static void
test_snaplen_starttls_reply_lost(void **state)
{
    (void)state;
    for (int lost = 1; lost >= 0; lost--) {
        struct flow_ctx *ctx = fctx_new(&tu_smtp_cfg, 25);
        fctx_attach(ctx, &smtp_dissector);
        fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"220 mx\r\n", 8, 1);
        fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"EHLO c\r\n", 8, 2);
        fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"250-mx\r\n250-PIP", 15, 3);
        fctx_gap(ctx, DIR_TO_CLIENT, 124, 3);
        if (!lost) /* the resync done before STARTTLS */
            fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"250 SIZE\r\n", 10, 4);
        fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)"STARTTLS\r\n", 10, 5);
        if (lost)
            fctx_deliver(ctx, DIR_TO_CLIENT, (const uint8_t *)"220 2.0 go\r\n", 12, 6);
        fctx_deliver(ctx, DIR_TO_SERVER, (const uint8_t *)CH, sizeof(CH) - 1, 7);
        const struct smtp_facts *f = tu_smtp_facts(ctx);
        assert_int_equal(f->starttls_pipelined, !lost);
        assert_int_equal(tu_has_event(ctx, "smtp.starttls_pipelined_data"), !lost);
        assert_string_equal(fctx_dissector_name(ctx), lost ? "tls" : "smtp");
        assert_int_equal(f->tls_started, lost);
        tu_smtp_done(ctx);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_465_clienthello_after_greeting, tu_smtp_setup),
        cmocka_unit_test_setup(test_465_clienthello_first, tu_smtp_setup),
        cmocka_unit_test_setup(test_465_ehlo_first, tu_smtp_setup),
        cmocka_unit_test_setup(test_25_clienthello_first, tu_smtp_setup),
        cmocka_unit_test_setup(test_465_tls_stays_tls, tu_smtp_setup),
        cmocka_unit_test_setup(test_midstream_server_tls, tu_smtp_setup),
        cmocka_unit_test_setup(test_midstream_220_then_clienthello, tu_smtp_setup),
        cmocka_unit_test_setup(test_midstream_not_first_bytes, tu_smtp_setup),
        cmocka_unit_test_setup(test_start_seen_client_tls_implicit, tu_smtp_setup),
        cmocka_unit_test_setup(test_465_greeting_split_clienthello, tu_smtp_setup),
        cmocka_unit_test_setup(test_25_greeting_split_clienthello, tu_smtp_setup),
        cmocka_unit_test_setup(test_other_port_greeting_then_tls, tu_smtp_setup),
        cmocka_unit_test_setup(test_clienthello_then_greeting_split, tu_smtp_setup),
        cmocka_unit_test_setup(test_snaplen_starttls_reply_lost, tu_smtp_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
