/* \summary: unit tests for the SMTP side of the diagnosis (src/diagnose.c):
 * plaintext_refused, a mail command sent without TLS refused as a server
 * that requires TLS refuses it (RFC 3207 §4: 530; Exchange: 451 5.7.3
 * after an unused STARTTLS offer), told from other refusals (greylisting,
 * a relay denied) and from refusals inside TLS; and the Exchange status
 * word derived from a diagnosis's status bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "diagnose.h"
#include "mem.h"
#include "record.h"

static struct config cfg;

static int
setup(void **state)
{
    (void)state;
    config_defaults(&cfg);
    cfg.no_system_ca = true;
    mem_init(cfg.memcap);
    char err[256];
    if (diagnose_init(&cfg, err, sizeof(err)) != 0)
        fail_msg("diagnose_init: %s", err);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    diagnose_fini();
    return 0;
}

/* One session: STARTTLS offered or not, used or not, and the dialogue
 * after EHLO 250: verbs, reply codes, enhanced status codes (class,
 * subject, detail; class -1: none). */
struct esc {
    int8_t c, s;
    int16_t d;
};
static const struct esc NONE = {-1, -1, -1};

static const struct diagnosis *
diagnose(int offered, bool starttls, bool tls, const char *const *verbs, const int *codes,
         const struct esc *escs, unsigned n)
{
    static struct session_facts f;
    static struct flow_record rec;
    static struct diagnosis dg;
    memset(&f, 0, sizeof(f));
    memset(&rec, 0, sizeof(rec));
    f.smtp.seen = true;
    f.smtp.starttls_offered = (int8_t)offered;
    f.smtp.starttls_command = starttls;
    f.smtp.tls_started = tls;
    strcpy(f.smtp.dialog[f.smtp.n_dialog].verb, "EHLO");
    f.smtp.dialog[f.smtp.n_dialog].esc_class = -1;
    f.smtp.dialog[f.smtp.n_dialog].plaintext = true;
    f.smtp.dialog[f.smtp.n_dialog++].code = 250;
    for (unsigned i = 0; i < n; i++) {
        struct smtp_exchange *x = &f.smtp.dialog[f.smtp.n_dialog++];
        strcpy(x->verb, verbs[i]);
        x->code = (int16_t)codes[i];
        x->esc_class = escs[i].c;
        x->esc_subject = escs[i].s;
        x->esc_detail = escs[i].d;
        x->plaintext = !tls;
    }
    rec.ts_us = rec.ts_end_us = 1795510861000000LL;
    rec.client.ip.family = rec.server.ip.family = 4;
    rec.server.port = 25;
    rec.facts = &f;
    diagnose_session(&rec, NULL, 0, &dg);
    return &dg;
}

static void
test_plaintext_refused(void **state)
{
    (void)state;
    static const char *const mail[] = {"MAIL", "QUIT"}, *const rcpt[] = {"MAIL", "RCPT"},
                             *const auth[] = {"AUTH"}, *const noop[] = {"NOOP", "QUIT"};
    const struct diagnosis *d;
    const struct esc tls_req = {5, 7, 3}, none2[] = {NONE, NONE};
    /* Exchange (and the bundled Exim): STARTTLS offered, not used, MAIL
     * refused "451 5.7.3 STARTTLS is required to send mail" */
    d = diagnose(1, false, false, mail, (const int[]){451, 221},
                 (const struct esc[]){tls_req, NONE}, 2);
    assert_true(d->plaintext_refused);
    assert_string_equal(d->plaintext_refused_what, "MAIL 451 5.7.3");
    /* RFC 3207 §4: 530 whatever was offered (the EHLO reply may be unseen) */
    d = diagnose(-1, false, false, auth, (const int[]){530}, none2, 1);
    assert_true(d->plaintext_refused);
    assert_string_equal(d->plaintext_refused_what, "AUTH 530");
    d = diagnose(1, false, false, rcpt, (const int[]){250, 550},
                 (const struct esc[]){NONE, {5, 7, 10}}, 2); /* encryption needed */
    assert_true(d->plaintext_refused);
    /* other refusals of a client that ignored STARTTLS: greylisting, an
     * unknown user, a relay denied, a refusal without a status code */
    static const struct esc other[] = {{4, 7, 1}, {5, 1, 1}, {5, 7, 1}, {-1, -1, -1}};
    for (unsigned i = 0; i < 4; i++) {
        d = diagnose(1, false, false, rcpt, (const int[]){250, 550},
                     (const struct esc[]){NONE, other[i]}, 2);
        assert_false(d->plaintext_refused);
    }
    /* not offered: only a 530 says TLS */
    d = diagnose(0, false, false, mail, (const int[]){451, 221},
                 (const struct esc[]){tls_req, NONE}, 2);
    assert_false(d->plaintext_refused);
    /* STARTTLS tried (refused or failed): other findings say so */
    d = diagnose(1, true, false, mail, (const int[]){451, 221}, (const struct esc[]){tls_req, NONE},
                 2);
    assert_false(d->plaintext_refused);
    /* inside TLS: not a plaintext refusal */
    d = diagnose(1, true, true, mail, (const int[]){530, 221}, none2, 2);
    assert_false(d->plaintext_refused);
    /* a refused command that is no mail command */
    d = diagnose(1, false, false, noop, (const int[]){530, 221}, none2, 2);
    assert_false(d->plaintext_refused);
    /* accepted */
    d = diagnose(1, false, false, mail, (const int[]){250, 221}, none2, 2);
    assert_false(d->plaintext_refused);
}

/* diagnose_exchange_status: the word of the first status bit (in the
 * order DateInvalid, Revoked, UntrustedRoot, PartialChain, SubjectMismatch,
 * Invalid: Windows' X509ChainStatusFlags names), the first word
 * diagnose_statuses_text lists; "Valid" for none; "" unverified. */
static void
test_exchange_status_word(void **state)
{
    (void)state;
    static const char *const order[] = {"DateInvalid",  "Revoked",         "UntrustedRoot",
                                        "PartialChain", "SubjectMismatch", "Invalid"};
    static const unsigned bit[] = {XS_DATE_INVALID,  XS_REVOKED,          XS_UNTRUSTED_ROOT,
                                   XS_PARTIAL_CHAIN, XS_SUBJECT_MISMATCH, XS_INVALID};
    assert_int_equal(XS_COUNT, 6);
    char all[96];
    diagnose_statuses_text(63, all, sizeof(all));
    assert_string_equal(
        all, "DateInvalid, Revoked, UntrustedRoot, PartialChain, SubjectMismatch, Invalid");
    const char *first[64];
    for (unsigned bits = 0; bits < 64; bits++) {
        first[bits] = "Valid";
        for (unsigned i = 6; i-- > 0;)
            if (bits & bit[i])
                first[bits] = order[i];
    }
    struct diagnosis d;
    memset(&d, 0, sizeof(d));
    for (unsigned bits = 0; bits < 64; bits++) {
        d.exchange_statuses = (uint8_t)bits;
        d.verified = false;
        assert_string_equal(diagnose_exchange_status(&d), "");
        d.verified = true;
        assert_string_equal(diagnose_exchange_status(&d), first[bits]);
        char words[96];
        diagnose_statuses_text(bits, words, sizeof(words));
        size_t len = strlen(first[bits]);
        assert_memory_equal(words, first[bits], len);
        assert_true(words[len] == '\0' || words[len] == ',');
    }
    /* a session without TLS is not verified */
    static const char *const quit[] = {"QUIT"};
    const struct diagnosis *s =
        diagnose(1, false, false, quit, (const int[]){221}, (const struct esc[]){NONE}, 1);
    assert_false(s->verified);
    assert_string_equal(diagnose_exchange_status(s), "");
}

/* A server's fatal alert right after a ClientHello in the SSL 2.0 form:
 * handshake_failure (40) is explained by that form (no extensions, no
 * cipher in common with a modern server); protocol_version (70) is the
 * version's doing, said as for any ClientHello (below). */
static void
test_sslv2_hello_refused(void **state)
{
    (void)state;
    static const int codes[] = {40, 70};
    for (unsigned i = 0; i < 2; i++) {
        static struct session_facts f;
        static struct flow_record rec;
        static struct diagnosis dg;
        memset(&f, 0, sizeof(f));
        memset(&rec, 0, sizeof(rec));
        f.smtp.seen = f.smtp.starttls_command = f.smtp.tls_started = true;
        f.tls.seen = f.tls.sslv2_hello = true;
        f.tls.client_version = 0x0303;
        f.tls.handshake = TLS_HS_FAILED;
        f.tls.n_alerts = 1;
        f.tls.alerts[0] = (struct tls_alert){
            .from = 1, .level = 2, .code = (int16_t)codes[i], .after = 1, .after_from = 0};
        rec.ts_us = rec.ts_end_us = 1795510861000000LL;
        rec.client.ip.family = rec.server.ip.family = 4;
        rec.server.port = 25;
        rec.facts = &f;
        diagnose_session(&rec, NULL, 0, &dg);
        if (i == 0)
            assert_non_null(strstr(dg.alert_meaning, "in the SSL 2.0 form"));
        else
            assert_string_equal(dg.alert_meaning,
                                "the server refused the ClientHello with protocol_version (70): "
                                "none of the TLS versions the client offered is enabled on the "
                                "server (OpenSSL: \"unsupported protocol\")");
    }
}

/* A server's fatal alert right after an ordinary ClientHello (no
 * ServerHello): said in the words OpenSSL logs on the server, which admins
 * search for ("no shared cipher": Postfix without its certificate and key;
 * "unsupported protocol"); after the ServerHello the same code only ends
 * the handshake. */
static void
test_clienthello_refused(void **state)
{
    (void)state;
    static const struct {
        int code, after;
        const char *meaning;
    } rows[] = {
        {40, 1,
         "the server refused the ClientHello with handshake_failure (40): no cipher suite in "
         "common (OpenSSL on the server: \"no shared cipher\", as when it has no certificate "
         "and key)"},
        {71, 1, "insufficient_security (71): no cipher suite in common"},
        {70, 1, "protocol_version (70): none of the TLS versions the client offered"},
        {40, 2, "the server ended the handshake with handshake_failure (40)"},
    };
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        static struct session_facts f;
        static struct flow_record rec;
        static struct diagnosis dg;
        memset(&f, 0, sizeof(f));
        memset(&rec, 0, sizeof(rec));
        f.smtp.seen = f.smtp.starttls_command = f.smtp.tls_started = true;
        f.tls.seen = true;
        f.tls.client_version = 0x0303;
        f.tls.handshake = TLS_HS_FAILED;
        f.tls.n_alerts = 1;
        f.tls.alerts[0] = (struct tls_alert){.from = 1,
                                             .level = 2,
                                             .code = (int16_t)rows[i].code,
                                             .after = (int16_t)rows[i].after,
                                             .after_from = (uint8_t)(rows[i].after == 1 ? 0 : 1)};
        rec.ts_us = rec.ts_end_us = 1795510861000000LL;
        rec.client.ip.family = rec.server.ip.family = 4;
        rec.server.port = 25;
        rec.facts = &f;
        diagnose_session(&rec, NULL, 0, &dg);
        assert_true(dg.tls_handshake_failed);
        assert_non_null(strstr(dg.alert_meaning, rows[i].meaning));
    }
}

/* A TLS 1.2 handshake whose server bytes smtptap's own cap cut
 * (reasm.depth): the client's encrypted alert after it (its close_notify,
 * most likely) is no failure, and the diagnosis names the cap to raise; a
 * fatal alert in clear still fails it, and without the cap the encrypted
 * alert does. */
static void
test_handshake_capped(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        static struct session_facts f;
        static struct flow_record rec;
        static struct diagnosis dg;
        memset(&f, 0, sizeof(f));
        memset(&rec, 0, sizeof(rec));
        f.smtp.seen = f.smtp.starttls_command = f.smtp.tls_started = true;
        f.tls.seen = true;
        f.tls.version = f.tls.client_version = 0x0303;
        f.tls.handshake = TLS_HS_FAILED;
        f.tls.n_alerts = 1;
        f.tls.alerts[0] =
            i == 1 ? (struct tls_alert){.from = 0, .level = 2, .code = 48, .after = 16}
                   : (struct tls_alert){
                         .from = 0, .level = -1, .code = -1, .encrypted = true, .after = 16};
        if (i < 2) {
            rec.n_anomalies = 1;
            rec.anomalies[0].name = "reasm.depth";
        }
        rec.ts_us = rec.ts_end_us = 1795510861000000LL;
        rec.client.ip.family = rec.server.ip.family = 4;
        rec.server.port = 25;
        rec.facts = &f;
        diagnose_session(&rec, NULL, 0, &dg);
        if (i == 0) {
            assert_false(dg.tls_handshake_failed);
            assert_string_equal(dg.handshake_capped, "reasm.depth");
            assert_string_equal(dg.alert_meaning, "");
        } else {
            assert_true(dg.tls_handshake_failed);
            assert_null(dg.handshake_capped);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plaintext_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exchange_status_word, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sslv2_hello_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clienthello_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handshake_capped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
