/* \summary: unit tests for the framing of the Certificate message (RFC 5246
 * §7.4.2, RFC 8446 §4.4.2; dissectors/tls_hs.c tls_certificate): lengths
 * that do not add up (the certificate_list or an entry running past its
 * container, bytes left after the list, later messages swallowed by the
 * message's length), an empty server list and an empty entry are
 * malformed: the certificates are "malformed", no chain is taken from
 * them (a part would be judged as a chain missing its intermediate), and
 * the anomaly says what. A message cut by the capture stays "truncated"
 * (test_tls.c test_truncated_certificate). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tu_tls.h"

static const char *const chain2[] = {"leaf", "inter"};

enum damage {
    D_NONE,
    D_LIST_SHORT, /* certificate_list length covers the leaf only */
    D_LIST_LONG,  /* ... 500 bytes past the message */
    D_ENTRY_LONG, /* the intermediate's length 100 past the list */
    D_SWALLOW,    /* the message's length covers the ServerHelloDone */
    D_EMPTY_LIST, /* no certificate */
    D_EMPTY_ENTRY /* a zero-length entry before the two */
};

static unsigned
be24(const uint8_t *p)
{
    return (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
}

static void
set24(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

/* ClientHello; ServerHello, Certificate (damaged as asked) and
 * ServerHelloDone in one record; the rest of a TLS 1.2 handshake. */
static void
flight(struct script *s, enum damage dmg)
{
    struct hello_opts o = {.sni = "mail.example.com"};
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, false);
    static struct buf body, h, empty;
    body.n = h.n = empty.n = 0;
    if (dmg == D_EMPTY_LIST) {
        certificate_list(&body, chain2, 0, false);
    } else if (dmg == D_EMPTY_ENTRY) {
        size_t at = open_len(&body, 3);
        u24(&body, 0);
        static struct buf l;
        l.n = 0;
        certificate_list(&l, chain2, 2, false);
        put(&body, l.b + 3, l.n - 3);
        close_len(&body, at, 3);
    } else {
        certificate_list(&body, chain2, 2, false);
    }
    unsigned leaf = be24(body.b + 3);
    if (dmg == D_LIST_SHORT)
        set24(body.b, 3 + leaf);
    else if (dmg == D_LIST_LONG)
        set24(body.b, be24(body.b) + 500);
    else if (dmg == D_ENTRY_LONG)
        set24(body.b + 6 + leaf, be24(body.b + 6 + leaf) + 100);
    hs(&h, 11, &body);
    if (dmg == D_SWALLOW) /* its 4 bytes inside the Certificate's length */
        set24(h.b + 1, be24(h.b + 1) + 4);
    hs(&h, 14, &empty);
    record(sv, 22, &h);
    tls12_finish(s);
}

static void
test_certificate_framing(void **state)
{
    (void)state;
    static const struct {
        enum damage dmg;
        const char *event;
    } c[] = {
        {D_LIST_SHORT, "tls.malformed_message"}, {D_LIST_LONG, "tls.malformed_message"},
        {D_ENTRY_LONG, "tls.malformed_message"}, {D_SWALLOW, "tls.malformed_message"},
        {D_EMPTY_LIST, "tls.empty_certificate"}, {D_EMPTY_ENTRY, "tls.empty_certificate"},
    };
    struct script s;
    flight(&s, D_NONE); /* the same flight undamaged: two certificates */
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(tf(ctx)->n_server_chain, 2);
    assert_int_equal(tf(ctx)->handshake, TLS_HS_COMPLETE);
    assert_false(tu_has_event(ctx, "tls.malformed_message"));
    fctx_destroy(ctx);
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        flight(&s, c[i].dmg);
        ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_int_equal(t->certificates, TLS_CERTS_MALFORMED);
        assert_int_equal(t->n_server_chain, 0);
        assert_true(tu_has_event(ctx, c[i].event));
        assert_false(tu_has_event(ctx, "tls.truncated_message"));
        assert_int_equal(t->handshake, TLS_HS_COMPLETE);
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_certificate_framing, tu_tls_setup, tu_tls_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
