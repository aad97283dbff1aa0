/* \summary: unit tests for the records after a TLS handshake
 * (dissectors/tls_after.c: their headers, at most TLS_AFTER_MAX each way)
 * and the rule of client_quit_after_handshake (src/diagnose_quit.c): one
 * short command (a QUIT's size, computed from the suite's overhead: TLS
 * 1.2 AEAD, ChaCha20-Poly1305, CBC roughly, TLS 1.3's tag and inner type),
 * perhaps close_notify, nothing else, and the connection closed. EHLO then
 * QUIT is two commands: not flagged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose.h"
#include "tls_names.h"
#include "tu_tls.h"

/* A TLS 1.2 handshake (ECDHE-RSA-AES256-GCM-SHA384) to its end, then the
 * client's QUIT (6 bytes: 30 with the 8-byte nonce and 16-byte tag) and
 * close_notify (26), the server's 221 (39): the shape of Postfix at level
 * secure refusing a certificate (pcaps/smtp-self-signed.pcap session 3). */
static void
test_after_tls12_quit(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    struct buf *c = next(&s, DIR_TO_SERVER);
    opaque(c, 23, 30);
    opaque(c, 21, 26);
    opaque(next(&s, DIR_TO_CLIENT), 23, 39);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    assert_true(t->after_read);
    assert_int_equal(t->after[0].n, 2);
    assert_int_equal(t->after[0].type[0], 23);
    assert_int_equal(t->after[0].len[0], 30);
    assert_int_equal(t->after[0].type[1], 21);
    assert_int_equal(t->after[0].len[1], 26);
    assert_false(t->after[0].more);
    assert_int_equal(t->after[1].n, 1);
    assert_int_equal(t->after[1].len[0], 39);
    assert_int_equal(t->n_alerts, 0); /* nothing of them read as an alert */
    fctx_destroy(ctx);
    check_splits(&s);
}

/* More records than TLS_AFTER_MAX, each fitting a lone QUIT (a QUIT, then
 * alerts): the first 4 kept, `more` said, the rest let go; a record longer
 * than a delivery is skipped across them. */
static void
test_after_cap(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    struct buf *c = next(&s, DIR_TO_SERVER);
    opaque(c, 23, 30);
    for (unsigned i = 0; i < 5; i++)
        opaque(c, 21, 26 + i * 1000);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->after[0].n, TLS_AFTER_MAX);
    assert_true(t->after[0].more);
    assert_int_equal(t->after[0].len[3], 2026);
    assert_int_equal(t->after[1].n, 0);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A client that goes on (EHLO, 26 bytes of plaintext: 50 under AES-GCM):
 * no lone QUIT; the server's answer is read (its 250: counted, its length
 * kept, not kept in after[]), and the client's next command (QUIT) stops
 * the reading for both sides: the session went on (a session that goes on
 * costs two records of the client's and one of the server's past its
 * handshake); neither rule says yes. */
static void
test_after_stops(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 23, 50);
    opaque(next(&s, DIR_TO_CLIENT), 23, 164); /* its 250 reply */
    struct buf *c = next(&s, DIR_TO_SERVER);
    opaque(c, 23, 30);                       /* QUIT */
    opaque(c, 21, 26);                       /* not read */
    opaque(next(&s, DIR_TO_CLIENT), 23, 39); /* the 221, not read */
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->after[0].n, 1);
    assert_int_equal(t->after[0].len[0], 50);
    assert_true(t->after[0].more);
    assert_int_equal(t->after[1].n, 0);
    assert_true(t->after[1].more);
    assert_int_equal(t->reply, TLS_REPLY_CLIENT_ON);
    assert_int_equal(t->reply_records, 1);
    assert_int_equal(t->reply_len, 164);
    assert_false(tls_after_quit_fits(t->version, t->cipher, 0, 23, 50));
    assert_true(tls_after_quit_fits(t->version, t->cipher, 0, 23, 30));
    fctx_destroy(ctx);
    check_splits(&s);
}

/* openssl s_client -starttls smtp </dev/null: close_notify alone (26), no
 * command; read to the direction's end, the server's records too
 * (client_closed_after_handshake, pcaps/diag/handshake-probes.pcap). A
 * record after the alert that is no alert stops the reading: no such shape. */
static void
test_after_close_notify(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    opaque(next(&s, DIR_TO_SERVER), 21, 26);
    opaque(next(&s, DIR_TO_CLIENT), 21, 26);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->after[0].n, 1);
    assert_int_equal(t->after[0].type[0], 21);
    assert_false(t->after[0].more);
    assert_int_equal(t->after[1].n, 1);
    assert_false(t->after[1].more);
    fctx_destroy(ctx);
    check_splits(&s);
}

static void
test_after_alert_then_data(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    struct buf *c = next(&s, DIR_TO_SERVER);
    opaque(c, 21, 26);
    opaque(c, 23, 50); /* data after the alert */
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->after[0].n, 2);
    assert_true(t->after[0].more);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A failed handshake (a fatal alert): nothing after it is read. */
static void
test_after_failed(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    struct buf *c = next(&s, DIR_TO_SERVER);
    alert(c, 2, 48);
    opaque(c, 23, 30);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->handshake, TLS_HS_FAILED);
    assert_false(tf(ctx)->after_read);
    assert_int_equal(tf(ctx)->after[0].n, 0);
    fctx_destroy(ctx);
}

/* A client's bytes after the handshake that are no record header: the
 * counts stop there, said lost. */
static void
test_after_not_tls(void **state)
{
    (void)state;
    struct script s;
    (void)tls12_server_flight(&s, "mail.example.test", NULL);
    tls12_finish(&s);
    struct buf *c = next(&s, DIR_TO_SERVER);
    opaque(c, 23, 30);
    put(c, "QUIT\r\n", 6);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->after[0].n, 1);
    assert_true(tf(ctx)->after[0].lost);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* ---- the rule, on facts made here ---- */

static struct session_facts qf;
static struct flow_record qr;

static void
quit_facts(uint16_t version, uint16_t cipher, const uint8_t *types, const uint16_t *lens,
           unsigned n, const char *first_close)
{
    memset(&qf, 0, sizeof(qf));
    memset(&qr, 0, sizeof(qr));
    qf.tls.seen = true;
    qf.tls.version = version;
    qf.tls.cipher = cipher;
    qf.tls.cipher_seen = true;
    qf.tls.handshake = TLS_HS_COMPLETE;
    qf.tls.after_read = true;
    for (unsigned i = 0; i < n && i < TLS_AFTER_MAX; i++) {
        qf.tls.after[0].type[i] = types[i];
        qf.tls.after[0].len[i] = lens[i];
    }
    qf.tls.after[0].n = (uint8_t)(n < TLS_AFTER_MAX ? n : TLS_AFTER_MAX);
    qf.tls.after[0].more = n > TLS_AFTER_MAX;
    qr.facts = &qf;
    qr.first_close = first_close;
}

static void
test_rule_tls12_aead(void **state)
{
    (void)state;
    /* AES-256-GCM: 8-byte explicit nonce, 16-byte tag */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23, 21}, (const uint16_t[]){30, 26}, 2,
               "client_fin");
    assert_true(diagnose_client_quit(&qr));
    /* the same, the connection not closed (the capture ended): not told */
    qr.first_close = NULL;
    assert_false(diagnose_client_quit(&qr));
    /* a longer first command (EHLO mail.example.test: 25 bytes) and no other */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23, 21}, (const uint16_t[]){49, 26}, 2,
               "client_fin");
    assert_false(diagnose_client_quit(&qr));
    /* a handshake that failed, the records unread */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23, 21}, (const uint16_t[]){30, 26}, 2,
               "client_fin");
    qf.tls.handshake = TLS_HS_FAILED;
    assert_false(diagnose_client_quit(&qr));
    /* bytes lost after the handshake */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23}, (const uint16_t[]){30}, 1, "client_fin");
    qf.tls.after[0].lost = true;
    assert_false(diagnose_client_quit(&qr));
}

static void
test_rule_chacha(void **state)
{
    (void)state;
    /* ChaCha20-Poly1305 (RFC 7905): no explicit nonce, a 16-byte tag */
    quit_facts(0x0303, 0xCCA8, (const uint8_t[]){23, 21}, (const uint16_t[]){22, 18}, 2,
               "client_fin");
    assert_true(diagnose_client_quit(&qr));
    /* 30 bytes there are 14 of plaintext: no QUIT */
    quit_facts(0x0303, 0xCCA8, (const uint8_t[]){23, 21}, (const uint16_t[]){30, 18}, 2,
               "client_fin");
    assert_false(diagnose_client_quit(&qr));
}

static void
test_rule_cbc(void **state)
{
    (void)state;
    uint32_t lo, hi;
    /* AES-256-CBC-SHA, TLS 1.2: 16-byte IV, 20-byte MAC, 1..16 of padding:
     * QUIT (6 + 20 = 26, padded to 32) is a 48-byte record */
    assert_true(tls_plaintext_len(0x0303, 0xC014, 48, &lo, &hi));
    assert_int_equal(hi, 11);
    assert_int_equal(lo, 0);
    quit_facts(0x0303, 0xC014, (const uint8_t[]){23, 21}, (const uint16_t[]){48, 48}, 2,
               "client_fin");
    assert_true(diagnose_client_quit(&qr));
    /* EHLO mail.example.test (25 + 20 = 45, padded to 48): 64 bytes */
    quit_facts(0x0303, 0xC014, (const uint8_t[]){23, 21}, (const uint16_t[]){64, 48}, 2,
               "client_fin");
    assert_false(diagnose_client_quit(&qr));
    /* TLS 1.0: no explicit IV */
    assert_true(tls_plaintext_len(0x0301, 0xC014, 32, &lo, &hi));
    assert_int_equal(hi, 11);
}

static void
test_rule_tls13(void **state)
{
    (void)state;
    uint32_t lo, hi;
    /* TLS_AES_256_GCM_SHA384: 16-byte tag and the inner content type;
     * close_notify is an application_data record of 19 bytes */
    assert_true(tls_plaintext_len(0x0304, 0x1302, 19, &lo, &hi));
    assert_int_equal(lo, 2);
    assert_int_equal(hi, 2);
    quit_facts(0x0304, 0x1302, (const uint8_t[]){23, 23}, (const uint16_t[]){23, 19}, 2,
               "client_fin");
    assert_true(diagnose_client_quit(&qr));
    /* a second record longer than an alert: a second command */
    quit_facts(0x0304, 0x1302, (const uint8_t[]){23, 23}, (const uint16_t[]){23, 40}, 2,
               "client_fin");
    assert_false(diagnose_client_quit(&qr));
    /* CCM_8: an 8-byte tag */
    assert_true(tls_plaintext_len(0x0304, 0x1305, 15, &lo, &hi));
    assert_int_equal(hi, 6);
}

static void
test_rule_ehlo_then_quit(void **state)
{
    (void)state;
    /* openssl s_client (pcaps/smtp-self-signed.pcap session 2): EHLO, QUIT,
     * close_notify: two commands */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23, 23, 21}, (const uint16_t[]){50, 31, 26}, 3,
               "server_fin");
    assert_false(diagnose_client_quit(&qr));
    /* a QUIT-sized command followed by another one: two commands */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23, 23}, (const uint16_t[]){30, 30}, 2,
               "client_fin");
    assert_false(diagnose_client_quit(&qr));
}

static void
test_rule_one_record_rst(void **state)
{
    (void)state;
    /* the QUIT alone, then a RST (no close_notify) */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23}, (const uint16_t[]){30}, 1, "client_rst");
    assert_true(diagnose_client_quit(&qr));
    /* the server closed after its 221 */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23}, (const uint16_t[]){30}, 1, "server_fin");
    assert_true(diagnose_client_quit(&qr));
}

static void
test_rule_cap(void **state)
{
    (void)state;
    /* more records than were read: not one command */
    quit_facts(0x0303, 0xC030, (const uint8_t[]){23, 21, 21, 21, 21},
               (const uint16_t[]){30, 26, 26, 26, 26}, 5, "client_fin");
    assert_true(qf.tls.after[0].more);
    assert_false(diagnose_client_quit(&qr));
    /* an unknown suite: the size cannot be told */
    quit_facts(0x0303, 0xFEFE, (const uint8_t[]){23, 21}, (const uint16_t[]){30, 26}, 2,
               "client_fin");
    assert_false(diagnose_client_quit(&qr));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_after_tls12_quit, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_after_cap, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_after_stops, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_after_close_notify, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_after_alert_then_data, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_after_failed, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_after_not_tls, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test(test_rule_tls12_aead),
        cmocka_unit_test(test_rule_chacha),
        cmocka_unit_test(test_rule_cbc),
        cmocka_unit_test(test_rule_tls13),
        cmocka_unit_test(test_rule_ehlo_then_quit),
        cmocka_unit_test(test_rule_one_record_rst),
        cmocka_unit_test(test_rule_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
