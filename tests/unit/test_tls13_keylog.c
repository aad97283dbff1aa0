/* \summary: unit tests for what a key log (SSLKEYLOGFILE) does with a TLS 1.3
 * server's encrypted flight (dissectors/tls.c, tls_dec.c): tls.decrypted only
 * when the server's records were decrypted as far as its certificates, and
 * tls.keylog (enum tls_keylog) saying why not: the connection without its
 * SERVER_HANDSHAKE_TRAFFIC_SECRET, secrets that are not its own, or the
 * flight's bytes lost (certificates "gap", not "encrypted", with or without
 * a key log: none brings lost bytes back). Transcripts are built with tu_tls.c
 * and tu_tls13.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fctx.h"
#include "keylog.h"
#include "tls_dec.h"
#include "tu_file.h"
#include "tu_tls.h"
#include "tu_tls13.h"

static int
teardown(void **state)
{
    keylog_free();
    return tu_tls_teardown(state);
}

/* One key log line for the ClientHello.random 0x20, 0x21 .. 0x3f. */
static void
keylog_line(const char *label, const char *secret)
{
    char rnd[65], line[256];
    for (unsigned i = 0; i < 32; i++)
        snprintf(rnd + 2 * i, 3, "%02x", (0x20 + i) & 0xff);
    snprintf(line, sizeof(line), "%s %s %s", label, rnd, secret);
    assert_int_equal(keylog_add_line(line), 1);
}

/* ClientHello (random 0x20..), ServerHello; then the server's flight sealed
 * under the secret server_hex (EncryptedExtensions + Certificate, then
 * Finished: two records; with `cut`, EncryptedExtensions alone, the rest
 * lost), and the client's Finished sealed under the client's secret. */
static void
flight(struct script *s, const char *server_hex, bool cut)
{
    static const char *const chain[] = {"leaf", "inter"};
    struct hello_opts o = {.sni = "mail.example.com", .tls13 = true, .random = 0x20};
    struct tls_dec ck, sk;
    tls13_keys(&ck, TU_SECRET_C);
    tls13_keys(&sk, server_hex);
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, true);
    static struct buf m, ee;
    m.n = ee.n = 0;
    u16(&ee, 0);
    hs(&m, 8, &ee); /* EncryptedExtensions, none */
    if (cut) {
        tls13_seal(sv, &sk, 22, &m);
        return;
    }
    tls13_certificate(&m, chain, 2, NULL);
    tls13_seal(sv, &sk, 22, &m);
    m.n = 0;
    tls13_finished(&m);
    tls13_seal(sv, &sk, 22, &m);
    tls13_seal(next(s, DIR_TO_SERVER), &ck, 22, &m);
}

/* Both secrets: decrypted, and so said. */
static void
test_keylog_decrypted(void **state)
{
    (void)state;
    keylog_line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_C);
    keylog_line("SERVER_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_S);
    struct script s;
    flight(&s, TU_SECRET_S, false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_true(t->decrypted);
    assert_int_equal(t->keylog, TLS_KL_DECRYPTED);
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A key log with the client's handshake secret alone: the client's
 * Finished decrypts, the server's flight cannot. decrypted had been true
 * (any record decrypted) with the certificates encrypted, and nothing said
 * why; now false, tls.keylog_no_server_secret. */
static void
test_keylog_no_server_secret(void **state)
{
    (void)state;
    keylog_line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_C);
    struct script s;
    flight(&s, TU_SECRET_S, false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_false(t->decrypted);
    assert_int_equal(t->keylog, TLS_KL_NO_SERVER_SECRET);
    assert_true(tu_has_event(ctx, "tls.keylog_no_server_secret"));
    assert_false(tu_has_event(ctx, "tls.keylog_mismatch"));
    assert_int_equal(t->certificates, TLS_CERTS_ENCRYPTED);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The connection's random with another connection's secrets: a mismatch,
 * not "no secrets for its client random". */
static void
test_keylog_mismatch(void **state)
{
    (void)state;
    keylog_line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_S);
    keylog_line("SERVER_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_C);
    struct script s;
    flight(&s, TU_SECRET_S, false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_false(t->decrypted);
    assert_int_equal(t->keylog, TLS_KL_MISMATCH);
    assert_true(tu_has_event(ctx, "tls.keylog_mismatch"));
    assert_int_equal(t->certificates, TLS_CERTS_ENCRYPTED);
    fctx_destroy(ctx);
}

/* Not in the key log at all. */
static void
test_keylog_not_found(void **state)
{
    (void)state;
    char line[256];
    snprintf(line, sizeof(line), "SERVER_HANDSHAKE_TRAFFIC_SECRET %064x %s", 7, TU_SECRET_S);
    assert_int_equal(keylog_add_line(line), 1);
    struct script s;
    flight(&s, TU_SECRET_S, false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_false(t->decrypted);
    assert_int_equal(t->keylog, TLS_KL_NOT_FOUND);
    assert_int_equal(t->certificates, TLS_CERTS_ENCRYPTED);
    fctx_destroy(ctx);
}

/* The server's flight loses bytes after its EncryptedExtensions (a
 * snapshot length, a lost packet): with the right key log its first record
 * decrypts, and decrypted had been true with certificates "encrypted"; now
 * "gap", keylog cut, not decrypted. Without a key log, "gap" too: no key log
 * brings the bytes back. */
static void
test_keylog_gap_in_flight(void **state)
{
    (void)state;
    for (unsigned with = 0; with < 2; with++) {
        if (with) {
            keylog_line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_C);
            keylog_line("SERVER_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_S);
        }
        struct script s;
        flight(&s, TU_SECRET_S, true);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, false);
        fctx_gap(ctx, DIR_TO_CLIENT, 1800, 2000);
        fctx_eof(ctx, DIR_TO_SERVER, 3000);
        fctx_eof(ctx, DIR_TO_CLIENT, 3000);
        const struct tls_facts *t = tf(ctx);
        assert_false(t->decrypted);
        assert_int_equal(t->keylog, with ? TLS_KL_CUT : TLS_KL_NONE);
        assert_int_equal(t->certificates, TLS_CERTS_GAP);
        fctx_destroy(ctx);
        keylog_free();
    }
}

/* The capture ends after the EncryptedExtensions record, the flight not
 * over: decrypting, cut, not decrypted. */
static void
test_keylog_end_in_flight(void **state)
{
    (void)state;
    keylog_line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_C);
    keylog_line("SERVER_HANDSHAKE_TRAFFIC_SECRET", TU_SECRET_S);
    struct script s;
    flight(&s, TU_SECRET_S, true);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_false(t->decrypted);
    assert_int_equal(t->keylog, TLS_KL_CUT);
    fctx_destroy(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keylog_decrypted, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_keylog_no_server_secret, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_keylog_mismatch, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_keylog_not_found, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_keylog_gap_in_flight, tu_tls_setup, teardown),
        cmocka_unit_test_setup_teardown(test_keylog_end_in_flight, tu_tls_setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
