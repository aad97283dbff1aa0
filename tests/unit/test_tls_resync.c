/* \summary: unit tests for the TLS dissector read again after a hole in a
 * side's stream (dissectors/tls_resync.c, the rule of tls_frame.h): the
 * record framing is found again only where a header of type 20-22 is
 * followed by another or by the end of the bytes; a record that carries the
 * rest of a message cut by the hole is skipped, not parsed (RFC 5246
 * §6.2.1); garbage is not taken for records. A Certificate read again gives
 * its chain; one cut by the hole gives none ("gap"); the ServerHello lost
 * leaves the version and cipher unknown. Deliveries after the hole are also
 * replayed byte by byte and in seeded random splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "certcache.h"
#include "tls_frame.h"
#include "tls_int.h"
#include "tu_tls.h"

/* One step of a transcript with holes: bytes, or a hole of n bytes. */
struct step {
    enum dir d;
    const uint8_t *p;
    size_t n;
    bool hole;
};

static struct flow_ctx *
run_steps(const struct step *s, unsigned n, enum split_mode mode, uint32_t seed)
{
    struct flow_ctx *ctx = fctx_new(&tu_tls_cfg, 465);
    assert_non_null(ctx);
    fctx_attach(ctx, &tls_dissector);
    int64_t t = 1000;
    for (unsigned k = 0; k < n; k++) {
        if (s[k].hole)
            (void)fctx_gap(ctx, s[k].d, s[k].n, t++);
        else
            tu_deliver(ctx, s[k].d, s[k].p, s[k].n, mode, &seed, 300, &t);
    }
    fctx_eof(ctx, DIR_TO_SERVER, t++);
    fctx_eof(ctx, DIR_TO_CLIENT, t++);
    return ctx;
}

static const char *
cn(const struct tls_facts *t, unsigned i)
{
    return certcache_get(t->server_chain[i])->info.subject_cn;
}

/* The rule itself (pure). */
static void
test_frame_rule(void **state)
{
    (void)state;
    uint32_t end;
    /* a handshake header followed by a ChangeCipherSpec header */
    static const uint8_t two[] = {0x16, 3, 3, 0, 2, 0xaa, 0xbb, 0x14, 3, 3, 0, 1, 1};
    assert_int_equal(tls_frame_at(two, sizeof(two), 0, &end), TLS_FRAME_YES);
    assert_int_equal(end, 7);
    /* the last record, ending with the bytes: a boundary too */
    assert_int_equal(tls_frame_at(two, sizeof(two), 7, &end), TLS_FRAME_YES);
    /* the record runs past the bytes: more would tell */
    assert_int_equal(tls_frame_at(two, 6, 0, &end), TLS_FRAME_MORE);
    /* the header after it cut by the end, plausible so far */
    assert_int_equal(tls_frame_at(two, 9, 0, &end), TLS_FRAME_MORE);
    /* one header alone, followed by no header: none */
    static const uint8_t lone[] = {0x16, 3, 3, 0, 2, 0xaa, 0xbb, 0x30, 0x82, 1, 2, 3};
    assert_int_equal(tls_frame_at(lone, sizeof(lone), 0, &end), TLS_FRAME_NO);
    /* application data never starts the framing; nor a bad version or
     * length */
    static const uint8_t app[] = {0x17, 3, 3, 0, 2, 0xaa, 0xbb, 0x14, 3, 3, 0, 1, 1};
    assert_int_equal(tls_frame_at(app, sizeof(app), 0, &end), TLS_FRAME_NO);
    static const uint8_t ver[] = {0x16, 3, 5, 0, 2, 0xaa, 0xbb, 0x14, 3, 3, 0, 1, 1};
    assert_int_equal(tls_frame_at(ver, sizeof(ver), 0, &end), TLS_FRAME_NO);
    static const uint8_t big[] = {0x16, 3, 3, 0x48, 0x01};
    assert_int_equal(tls_frame_at(big, sizeof(big), 0, &end), TLS_FRAME_NO);
    /* the first bytes of a header: perhaps */
    assert_int_equal(tls_frame_at(two, 3, 0, &end), TLS_FRAME_MORE);
    assert_int_equal(end, 0);
}

/* A record's bytes that begin with a message the side sends; the rest of
 * a message (a certificate's DER bytes) does not. */
static void
test_plausible(void **state)
{
    (void)state;
    static const uint8_t shd[] = {14, 0, 0, 0};
    assert_true(tls_resync_plausible(DIR_TO_CLIENT, shd, sizeof(shd), 1 << 16));
    assert_false(tls_resync_plausible(DIR_TO_SERVER, shd, sizeof(shd), 1 << 16));
    /* a Certificate going on in the next records: its list length agrees */
    static const uint8_t crt[] = {11, 0, 0x10, 0, 0, 0x0f, 0xfd, 0, 0x0f, 0xfa, 0x30, 0x82};
    assert_true(tls_resync_plausible(DIR_TO_CLIENT, crt, sizeof(crt), 1 << 16));
    static const uint8_t crtbad[] = {11, 0, 0x10, 0, 0, 0x0e, 0xfd, 0, 0x0f, 0xfa, 0x30, 0x82};
    assert_false(tls_resync_plausible(DIR_TO_CLIENT, crtbad, sizeof(crtbad), 1 << 16));
    /* lengths that do not add up to the record's */
    static const uint8_t over[] = {14, 0, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd};
    assert_false(tls_resync_plausible(DIR_TO_CLIENT, over, sizeof(over), 1 << 16));
    /* DER bytes: no message */
    static const uint8_t der[] = {0x30, 0x82, 0x03, 0x1e, 0x30, 0x82, 0x02, 0x06};
    assert_false(tls_resync_plausible(DIR_TO_CLIENT, der, sizeof(der), 1 << 16));
}

/* The ServerHello's last 30 bytes lost, the Certificate record after the
 * hole: its chain is read, judged as any; the version and cipher stay
 * unknown, the gap said. */
static void
test_hole_in_server_hello(void **state)
{
    (void)state;
    struct script s;
    size_t cert_at;
    struct buf *sv = tls12_server_flight(&s, "mail.example.com", &cert_at);
    struct buf *cfin = tls12_client_finish(&s);
    assert_true(cert_at > 40);
    for (enum split_mode m = SPLIT_WHOLE; m <= SPLIT_RANDOM; m++) {
        struct step st[] = {
            {DIR_TO_SERVER, s.seg[0].data.b, s.seg[0].data.n, false},
            {DIR_TO_CLIENT, sv->b, 40, false},
            {DIR_TO_CLIENT, NULL, cert_at - 40, true},
            {DIR_TO_CLIENT, sv->b + cert_at, sv->n - cert_at, false},
            {DIR_TO_SERVER, cfin->b, cfin->n, false},
        };
        struct flow_ctx *ctx = run_steps(st, 5, m, 7);
        const struct tls_facts *t = tf(ctx);
        assert_true(t->gap);
        assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
        assert_int_equal(t->n_server_chain, 2);
        assert_string_equal(cn(t, 0), "mail.example.com");
        assert_string_equal(cn(t, 1), "smtptap Test Intermediate CA");
        assert_int_equal(t->version, 0);
        assert_false(t->cipher_seen);
        assert_true(tu_has_event(ctx, "tls.gap"));
        assert_true(tu_has_event(ctx, "tls.resync"));
        tu_fstr_is(&t->hs_history, "C:CH S:(gap) S:CRT S:SHD C:CKE C:CCS C:FIN(encrypted)");
        fctx_destroy(ctx);
    }
}

/* A hole inside the Certificate: its chain is lost ("gap", none judged);
 * the server's later records are read again (its ChangeCipherSpec and
 * Finished: the handshake completes). */
static void
test_hole_in_certificate(void **state)
{
    (void)state;
    struct script s;
    size_t cert_at;
    struct buf *sv = tls12_server_flight(&s, "mail.example.com", &cert_at);
    tls12_finish(&s);
    size_t cut = cert_at + 300;
    struct step st[] = {
        {DIR_TO_SERVER, s.seg[0].data.b, s.seg[0].data.n, false},
        {DIR_TO_CLIENT, sv->b, cut, false},
        {DIR_TO_CLIENT, NULL, 500, true},
        {DIR_TO_CLIENT, sv->b + cut + 500, sv->n - cut - 500, false},
        {DIR_TO_SERVER, s.seg[2].data.b, s.seg[2].data.n, false},
        {DIR_TO_CLIENT, s.seg[3].data.b, s.seg[3].data.n, false},
    };
    assert_int_equal(s.seg[2].d, DIR_TO_SERVER);
    for (enum split_mode m = SPLIT_WHOLE; m <= SPLIT_RANDOM; m++) {
        struct flow_ctx *ctx = run_steps(st, 6, m, 3);
        const struct tls_facts *t = tf(ctx);
        assert_int_equal(t->certificates, TLS_CERTS_GAP);
        assert_int_equal(t->n_server_chain, 0);
        assert_int_equal(t->handshake, TLS_HS_COMPLETE);
        assert_int_equal(t->version, 0x0303); /* its ServerHello was read */
        assert_false(tu_has_event(ctx, "tls.truncated"));
        tu_fstr_is(&t->hs_history, "C:CH S:SH S:(gap) C:CKE C:CCS C:FIN(encrypted) S:CCS "
                                   "S:FIN(encrypted)");
        fctx_destroy(ctx);
    }
}

/* A Certificate in two records, the hole in the first: the second, found
 * as a record (a header followed by the ServerHelloDone's), holds the rest
 * of the message: skipped, not parsed as messages; reading begins again at
 * the ServerHelloDone. */
static void
test_continuation_skipped(void **state)
{
    (void)state;
    static const char *const chain2[] = {"leaf", "inter"};
    static struct buf body, msg, sv, ch, shd, empty;
    body.n = msg.n = sv.n = ch.n = shd.n = empty.n = 0;
    struct hello_opts o = {.sni = "mail.example.com"};
    client_hello(&ch, &o);
    server_hello(&sv, false);
    certificate_list(&body, chain2, 2, false);
    hs(&msg, 11, &body);
    /* the message in two records: 400 bytes, then the rest */
    struct buf a, b;
    a.n = b.n = 0;
    put(&a, msg.b, 400);
    put(&b, msg.b + 400, msg.n - 400);
    size_t rec_a = sv.n;
    record(&sv, 22, &a);
    size_t rec_b = sv.n;
    record(&sv, 22, &b);
    hs(&shd, 14, &empty);
    record(&sv, 22, &shd);
    /* the rest of the message must not look like one itself */
    assert_false(tls_resync_plausible(DIR_TO_CLIENT, b.b, (uint32_t)b.n, 1 << 18));
    size_t cut = rec_a + 100;
    for (enum split_mode m = SPLIT_WHOLE; m <= SPLIT_RANDOM; m++) {
        struct step st[] = {
            {DIR_TO_SERVER, ch.b, ch.n, false},
            {DIR_TO_CLIENT, sv.b, cut, false},
            {DIR_TO_CLIENT, NULL, 200, true},
            {DIR_TO_CLIENT, sv.b + cut + 200, sv.n - cut - 200, false},
        };
        struct flow_ctx *ctx = run_steps(st, 4, m, 11);
        const struct tls_facts *t = tf(ctx);
        assert_int_equal(t->certificates, TLS_CERTS_GAP);
        assert_int_equal(t->n_server_chain, 0);
        assert_false(tu_has_event(ctx, "tls.malformed_message"));
        assert_true(tu_has_event(ctx, "tls.resync"));
        tu_fstr_is(&t->hs_history, "C:CH S:SH S:(gap) S:SHD");
        fctx_destroy(ctx);
    }
    (void)rec_b;
}

/* After the hole, bytes with a lone record header in them (not followed
 * by another), and application data records: no framing found, nothing
 * read as a message. */
static void
test_garbage_not_accepted(void **state)
{
    (void)state;
    static struct buf ch, junk;
    ch.n = junk.n = 0;
    struct hello_opts o = {.sni = "mail.example.com"};
    client_hello(&ch, &o);
    for (unsigned i = 0; i < 300; i++)
        u8(&junk, (i * 37 + 11) & 0xff);
    static const uint8_t lone[] = {0x16, 3, 3, 0, 8, 11, 0, 0, 4, 0, 0, 1, 0x30};
    put(&junk, lone, sizeof(lone));
    for (unsigned i = 0; i < 40; i++)
        u8(&junk, 0xee);
    opaque(&junk, 23, 30);
    opaque(&junk, 23, 30);
    static const uint8_t sh[] = {0x16, 3, 3, 0, 0x46, 2, 0, 0, 0x42, 3, 3};
    struct step st[] = {
        {DIR_TO_SERVER, ch.b, ch.n, false},
        {DIR_TO_CLIENT, sh, sizeof(sh), false},
        {DIR_TO_CLIENT, NULL, 100, true},
        {DIR_TO_CLIENT, junk.b, junk.n, false},
    };
    struct flow_ctx *ctx = run_steps(st, 4, SPLIT_WHOLE, 1);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->certificates, TLS_CERTS_GAP);
    assert_int_equal(t->last_hs[DIR_TO_CLIENT], -1);
    assert_false(tu_has_event(ctx, "tls.resync"));
    assert_false(tu_has_event(ctx, "tls.appdata_in_clear"));
    assert_false(tu_has_event(ctx, "tls.truncated"));
    tu_fstr_is(&t->hs_history, "C:CH S:(gap)");
    fctx_destroy(ctx);
}

/* The client's side: its ClientHello cut by a hole, its ClientKeyExchange
 * read again (same rule). */
static void
test_client_hole(void **state)
{
    (void)state;
    struct script s;
    struct buf *sv = tls12_server_flight(&s, "mail.example.com", NULL);
    struct buf *cfin = tls12_client_finish(&s);
    struct buf *chb = &s.seg[0].data;
    struct step st[] = {
        {DIR_TO_SERVER, chb->b, 60, false},
        {DIR_TO_SERVER, NULL, chb->n - 60, true},
        {DIR_TO_CLIENT, sv->b, sv->n, false},
        {DIR_TO_SERVER, cfin->b, cfin->n, false},
    };
    struct flow_ctx *ctx = run_steps(st, 4, SPLIT_WHOLE, 1);
    const struct tls_facts *t = tf(ctx);
    assert_true(tu_has_event(ctx, "tls.resync"));
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->last_hs[DIR_TO_SERVER], 16); /* its ClientKeyExchange */
    tu_fstr_is(&t->hs_history, "C:(gap) S:SH S:CRT S:SHD C:CKE C:CCS C:FIN(encrypted)");
    fctx_destroy(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_rule),
        cmocka_unit_test(test_plausible),
        cmocka_unit_test_setup_teardown(test_hole_in_server_hello, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_hole_in_certificate, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_continuation_skipped, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_garbage_not_accepted, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_client_hole, tu_tls_setup, tu_tls_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
