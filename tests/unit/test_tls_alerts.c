/* \summary: unit tests for the TLS dissector's alert records (dissectors/
 * tls.c): an alert is read as level and code only in clear, with a level of
 * 1 or 2 (RFC 5246 §7.2); a connection picked up after its handshake has
 * its encrypted alerts and application data skipped, its handshake
 * "unseen" and not failed; an alert's `after` names the step it followed,
 * encrypted ones included (the TLS 1.3 server flight, a TLS 1.2 Finished). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tu_tls.h"

/* An alert record holding the n bytes of p. */
static void
alert_bytes(struct buf *rec, const uint8_t *p, size_t n)
{
    static struct buf b;
    b.n = 0;
    put(&b, p, n);
    record(rec, 21, &b);
}

/* The end of an established TLS 1.2 session, as a capture that starts
 * late holds it (smtps-465.pcap from its frame 46): application data
 * both ways, then each side's close_notify, encrypted (26 bytes: 2 of
 * alert, a MAC and padding). None of it is an alert read in clear, and
 * no handshake failed: it was not seen. */
static void
test_midstream_encrypted_close(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    for (unsigned first_alert = 0; first_alert < 2; first_alert++) {
        struct script s;
        s.n = 0;
        if (!first_alert) {
            opaque(next(&s, DIR_TO_SERVER), 23, 31);
            opaque(next(&s, DIR_TO_CLIENT), 23, 66);
        }
        opaque(next(&s, DIR_TO_CLIENT), 21, 26);
        opaque(next(&s, DIR_TO_SERVER), 21, 26);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_true(t->seen);
        assert_int_equal(t->handshake, TLS_HS_UNSEEN);
        assert_int_equal(t->n_alerts, 0);
        assert_int_equal(t->certificates, TLS_CERTS_UNKNOWN);
        assert_false(tu_has_event(ctx, "tls.appdata_in_clear"));
        assert_false(tu_has_event(ctx, "tls.malformed_alert"));
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

/* Picked up after the client's Finished (smtps-465.pcap from its frame
 * 40): the server's ChangeCipherSpec and encrypted Finished, then data.
 * The CCS says nothing of a certificate (the ServerHello was not seen),
 * and the handshake is unseen, not failed. Nor does a handshake seen from
 * its ClientKeyExchange on. */
static void
test_midstream_server_ccs(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    struct script s;
    s.n = 0;
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    ccs(sv);
    opaque(sv, 22, 40);
    opaque(next(&s, DIR_TO_SERVER), 23, 55);
    opaque(next(&s, DIR_TO_CLIENT), 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_UNSEEN);
    assert_int_equal(t->n_alerts, 0);
    assert_int_equal(t->certificates, TLS_CERTS_UNKNOWN);
    assert_false(tu_has_event(ctx, "tls.appdata_in_clear"));
    fctx_destroy(ctx);

    /* picked up at the client's ClientKeyExchange: the handshake is seen
     * to complete, but not whether the server sent certificates */
    s.n = 0;
    tls12_finish(&s);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->handshake, TLS_HS_COMPLETE);
    assert_int_equal(tf(ctx)->certificates, TLS_CERTS_UNKNOWN);
    fctx_destroy(ctx);
}

/* A 2-byte alert before any handshake message is one in clear (a server
 * refusing a ClientHello the capture missed): read, and the handshake
 * failed on it. */
static void
test_midstream_clear_alert(void **state)
{
    (void)state;
    tu_tls_midstream = true;
    struct script s;
    s.n = 0;
    alert(next(&s, DIR_TO_CLIENT), 2, 70);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_FAILED);
    assert_int_equal(t->n_alerts, 1);
    assert_int_equal(t->alerts[0].level, 2);
    assert_int_equal(t->alerts[0].code, 70);
    assert_int_equal(t->alerts[0].after, -1);
    fctx_destroy(ctx);
}

/* TLS 1.2, after the client's ChangeCipherSpec its alert is encrypted:
 * level and code unknown, after its own (encrypted) Finished. */
static void
test_tls12_alert_after_ccs(void **state)
{
    (void)state;
    struct script s;
    tls12_server_flight(&s, "mail.example.com", NULL);
    struct buf *cl = tls12_client_finish(&s);
    opaque(cl, 21, 26); /* encrypted alert */
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_FAILED);
    assert_int_equal(t->n_alerts, 1);
    assert_true(t->alerts[0].encrypted);
    assert_int_equal(t->alerts[0].level, -1);
    assert_int_equal(t->alerts[0].code, -1);
    assert_int_equal(t->alerts[0].after, 20); /* the client's Finished */
    assert_int_equal(t->alerts[0].after_from, DIR_TO_SERVER);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* In clear, an alert's level is 1 or 2 (RFC 5246 §7.2) and an alert record
 * is never empty (§6.2.1): a 2-byte record with level 7, an empty one, and
 * a byte after a fatal alert (its second byte never comes: the sender
 * closes, §7.2.2) are malformed, never alerts. */
static void
test_malformed_clear_alerts(void **state)
{
    (void)state;
    static const uint8_t bad_level[] = {7, 46}, fatal_and_one[] = {2, 46, 2};
    static const struct {
        const uint8_t *p;
        size_t n;
        unsigned alerts;
    } c[] = {{bad_level, 2, 0}, {bad_level, 0, 0}, {fatal_and_one, 3, 1}};
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct script s;
        tls12_server_flight(&s, "mail.example.com", NULL);
        alert_bytes(next(&s, DIR_TO_SERVER), c[i].p, c[i].n);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_true(tu_has_event(ctx, "tls.malformed_alert"));
        assert_int_equal(t->n_alerts, c[i].alerts);
        if (c[i].alerts) {
            assert_int_equal(t->alerts[0].level, 2);
            assert_int_equal(t->alerts[0].code, 46);
            assert_int_equal(t->handshake, TLS_HS_FAILED);
        } else {
            assert_int_equal(t->handshake, TLS_HS_INCOMPLETE);
        }
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

/* TLS 1.3 without keys (smtp-client-alert.pcap): a client's alert after
 * the server's encrypted records came after the server's flight
 * (EncryptedExtensions .. Finished, RFC 8446 §4.4), not after the
 * ServerHello; one between the ServerHello and that flight after the
 * ServerHello. */
static void
test_tls13_alert_after_flight(void **state)
{
    (void)state;
    for (unsigned flight = 0; flight < 2; flight++) {
        struct script s;
        struct hello_opts o = {.sni = "mail.example.com", .tls13 = true};
        s.n = 0;
        client_hello(next(&s, DIR_TO_SERVER), &o);
        struct buf *sv = next(&s, DIR_TO_CLIENT);
        server_hello(sv, true);
        ccs(sv);
        if (flight)
            opaque(sv, 23, 2000); /* EncryptedExtensions..Finished */
        alert(next(&s, DIR_TO_SERVER), 2, 48);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_int_equal(t->handshake, TLS_HS_FAILED);
        assert_int_equal(t->n_alerts, 1);
        assert_int_equal(t->alerts[0].code, 48);
        assert_int_equal(t->alerts[0].after, flight ? TLS_AFTER_SERVER_FLIGHT : 2);
        assert_int_equal(t->alerts[0].after_from, DIR_TO_CLIENT);
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_midstream_encrypted_close, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_midstream_server_ccs, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_midstream_clear_alert, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_tls12_alert_after_ccs, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_clear_alerts, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_tls13_alert_after_flight, tu_tls_setup,
                                        tu_tls_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
