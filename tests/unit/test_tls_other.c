/* \summary: unit tests for the TLS dissector's rule for TLS found by its
 * first bytes on a port that is no mail port (dissectors/tls_hs.c
 * tls_other_protocol): a ClientHello that offers application protocols
 * (ALPN, RFC 7301 §3.1) and no mail one is another protocol's connection,
 * dissected no further; without ALPN, or offering "smtp", or on a mail or
 * implicit-TLS port, it stays implicit TLS mail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "fctx.h"
#include "mem.h"
#include "tu_replay.h"

static struct config cfg;

static int
setup(void **state)
{
    (void)state;
    config_defaults(&cfg);
    mem_init(cfg.memcap);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    assert_int_equal(mem_in_use(), 0);
    return 0;
}

/* A TLS 1.2 ClientHello record (RFC 5246 §7.4.1.2) offering the ALPN
 * protocols in `alpn` (comma-separated; NULL: no ALPN extension). */
static size_t
client_hello(uint8_t *b, size_t cap, const char *alpn)
{
    uint8_t ext[128];
    size_t e = 0;
    if (alpn != NULL) {
        uint8_t list[96];
        size_t l = 0;
        for (const char *s = alpn; *s;) {
            size_t n = strcspn(s, ",");
            list[l++] = (uint8_t)n;
            memcpy(list + l, s, n);
            l += n;
            s += n + (s[n] == ',');
        }
        const uint8_t head[] = {
            0x00, 0x10, (uint8_t)((l + 2) >> 8), (uint8_t)(l + 2), (uint8_t)(l >> 8), (uint8_t)l};
        memcpy(ext, head, sizeof(head));
        memcpy(ext + sizeof(head), list, l);
        e = sizeof(head) + l;
    }
    uint8_t body[256];
    size_t n = 0;
    body[n++] = 3; /* client_version TLS 1.2 */
    body[n++] = 3;
    memset(body + n, 0x5a, 32); /* random */
    n += 32;
    body[n++] = 0; /* session_id */
    const uint8_t suites[] = {0x00, 0x02, 0xc0, 0x2f, 0x01, 0x00};
    memcpy(body + n, suites, sizeof(suites));
    n += sizeof(suites);
    body[n++] = (uint8_t)(e >> 8);
    body[n++] = (uint8_t)e;
    memcpy(body + n, ext, e);
    n += e;
    size_t hs = n + 4;
    assert_true(5 + hs <= cap);
    const uint8_t rec[] = {
        0x16, 3, 1, (uint8_t)(hs >> 8), (uint8_t)hs, 0x01, 0, (uint8_t)(n >> 8), (uint8_t)n};
    memcpy(b, rec, sizeof(rec));
    memcpy(b + sizeof(rec), body, n);
    return sizeof(rec) + n;
}

/* Delivers the ClientHello of a flow to `port` that the engine took for
 * implicit TLS; returns whether it was found to be another protocol, and
 * checks the dissector stopped exactly then. */
static bool
other(uint16_t port, const char *alpn)
{
    struct flow_ctx *ctx = fctx_new(&cfg, port);
    assert_non_null(ctx);
    fctx_attach(ctx, &tls_dissector);
    fctx_facts(ctx)->smtp.implicit_tls = true;
    uint8_t b[512];
    size_t n = client_hello(b, sizeof(b), alpn);
    uint32_t seed = 7;
    int64_t t = 1000;
    tu_deliver(ctx, DIR_TO_SERVER, b, n, SPLIT_WHOLE, &seed, 600, &t);
    bool o = fctx_facts(ctx)->other_protocol;
    assert_int_equal(fctx_status(ctx), o ? FCTX_DONE : FCTX_ACTIVE);
    assert_true(fctx_facts(ctx)->tls.seen);
    fctx_destroy(ctx);
    return o;
}

static void
test_alpn_other_protocol(void **state)
{
    (void)state;
    assert_true(other(4433, "h2,http/1.1")); /* a browser */
    assert_true(other(4433, "imap"));
    assert_false(other(4433, NULL));      /* MTAs send no ALPN: implicit TLS mail */
    assert_false(other(4433, "h2,smtp")); /* offers SMTP */
    assert_false(other(4433, "submission"));
    assert_false(other(465, "h2,http/1.1")); /* an implicit-TLS port: mail whatever it asks */
    assert_false(other(25, "h2"));           /* a mail port */
    cfg.tls_ports[cfg.n_tls_ports++] = 4433; /* --tls-ports 4433 */
    assert_false(other(4433, "h2,http/1.1"));
}

/* Not taken for implicit TLS (STARTTLS on a mail port): ALPN says nothing. */
static void
test_alpn_after_starttls(void **state)
{
    (void)state;
    struct flow_ctx *ctx = fctx_new(&cfg, 2525);
    assert_non_null(ctx);
    fctx_attach(ctx, &tls_dissector);
    uint8_t b[512];
    size_t n = client_hello(b, sizeof(b), "h2");
    uint32_t seed = 7;
    int64_t t = 1000;
    tu_deliver(ctx, DIR_TO_SERVER, b, n, SPLIT_WHOLE, &seed, 600, &t);
    assert_false(fctx_facts(ctx)->other_protocol);
    assert_int_equal(fctx_status(ctx), FCTX_ACTIVE);
    fctx_destroy(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alpn_other_protocol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alpn_after_starttls, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
