/* \summary: test helpers for the TLS dissector's tests (test_tls*.c):
 * TLS records and handshake messages built byte by byte (RFC 5246 §7.4,
 * RFC 8446 §4) around the certificate fixtures of tests/data/certs, and
 * transcripts of both directions replayed through a flow context whole, one
 * byte at a time and in seeded random splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certcache.h"
#include "mem.h"
#include "tu_file.h"
#include "tu_tls.h"

struct config tu_tls_cfg;
bool tu_tls_midstream;
bool tu_tls_starttls;
uint16_t tu_tls_ehlo_reply_bytes;
const char *tu_tls_ehlo;
uint16_t tu_tls_port;

int
tu_tls_setup(void **state)
{
    (void)state;
    config_defaults(&tu_tls_cfg);
    mem_init(tu_tls_cfg.memcap);
    certcache_init(100);
    tu_tls_midstream = false;
    tu_tls_starttls = false;
    tu_tls_ehlo_reply_bytes = 0;
    tu_tls_ehlo = NULL;
    tu_tls_port = 465;
    return 0;
}

int
tu_tls_teardown(void **state)
{
    (void)state;
    certcache_free();
    assert_int_equal(mem_in_use(), 0);
    return 0;
}

void
put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->b));
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

void
u8(struct buf *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

void
u16(struct buf *b, unsigned v)
{
    u8(b, v >> 8);
    u8(b, v);
}

void
u24(struct buf *b, unsigned v)
{
    u8(b, v >> 16);
    u16(b, v & 0xffff);
}

/* Opens a length field of `w` bytes; close() fills it in. */
size_t
open_len(struct buf *b, int w)
{
    size_t at = b->n;
    for (int i = 0; i < w; i++)
        u8(b, 0);
    return at;
}

void
close_len(struct buf *b, size_t at, int w)
{
    size_t v = b->n - at - (size_t)w;
    for (int i = w - 1; i >= 0; i--, v >>= 8)
        b->b[at + (size_t)i] = (uint8_t)v;
}

/* One TLSPlaintext record (RFC 8446 §5.1) holding `body`. */
void
record(struct buf *out, unsigned type, const struct buf *body)
{
    u8(out, type);
    u16(out, 0x0303);
    u16(out, (unsigned)body->n);
    put(out, body->b, body->n);
}

/* Wraps a handshake body in its 4-byte header. */
void
hs(struct buf *out, unsigned type, const struct buf *body)
{
    u8(out, type);
    u24(out, (unsigned)body->n);
    put(out, body->b, body->n);
}

static void
alpn_ext(struct buf *b, const char *value)
{
    if (!value)
        value = "smtp";
    u16(b, 16); /* ALPN, RFC 7301 */
    size_t e = open_len(b, 2), l = open_len(b, 2);
    u8(b, (unsigned)strlen(value));
    put(b, value, strlen(value));
    close_len(b, l, 2);
    close_len(b, e, 2);
}

void
client_hello(struct buf *rec, const struct hello_opts *o)
{
    static struct buf b, h;
    b.n = h.n = 0;
    u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(&b, (unsigned)i + o->random);
    u8(&b, o->sid_len); /* session id */
    for (unsigned i = 0; i < o->sid_len; i++)
        u8(&b, i * 7 + o->random);
    size_t cs = open_len(&b, 2);
    if (o->grease)
        u16(&b, 0x0a0a);
    if (o->tls13)
        u16(&b, 0x1301);
    u16(&b, o->swap_ciphers ? 0xc030 : 0xc02f);
    u16(&b, o->swap_ciphers ? 0xc02f : 0xc030);
    close_len(&b, cs, 2);
    u8(&b, 1);
    u8(&b, 0); /* compression: null */
    size_t ext = open_len(&b, 2);
    if (o->grease) {
        u16(&b, 0x1a1a);
        u16(&b, 0);
    }
    if (o->sni) { /* RFC 6066 §3 */
        u16(&b, 0);
        size_t e = open_len(&b, 2), l = open_len(&b, 2);
        u8(&b, 0);
        u16(&b, (unsigned)strlen(o->sni));
        put(&b, o->sni, strlen(o->sni));
        close_len(&b, l, 2);
        close_len(&b, e, 2);
    }
    if (o->sni_bad) { /* list of 5 bytes: type 0, a name of 10 bytes, 2 of them there */
        u16(&b, 0);
        u16(&b, 7);
        u16(&b, 5);
        u8(&b, 0);
        u16(&b, 10);
        put(&b, "ab", 2);
    }
    if (o->alpn_first)
        alpn_ext(&b, o->alpn);
    u16(&b, 5); /* status_request */
    u16(&b, 5);
    u8(&b, 1);
    u16(&b, 0);
    u16(&b, 0);
    u16(&b, 10); /* supported_groups */
    size_t e = open_len(&b, 2), l = open_len(&b, 2);
    if (o->grease)
        u16(&b, 0x2a2a);
    u16(&b, 29);
    u16(&b, 23);
    if (o->extra_group)
        u16(&b, 24);
    close_len(&b, l, 2);
    close_len(&b, e, 2);
    u16(&b, 11); /* ec_point_formats */
    e = open_len(&b, 2);
    l = open_len(&b, 1);
    u8(&b, 0);
    if (o->extra_format)
        u8(&b, 1);
    close_len(&b, l, 1);
    close_len(&b, e, 2);
    if (!o->alpn_first)
        alpn_ext(&b, o->alpn);
    if (o->sigalgs) { /* signature_algorithms, RFC 8446 §4.2.3 */
        u16(&b, 13);
        u16(&b, 6);
        u16(&b, 4);
        u16(&b, o->sigalgs == 1 ? 0x0804 : 0x0403);
        u16(&b, o->sigalgs == 1 ? 0x0403 : 0x0804);
    }
    if (o->tls13) { /* supported_versions, RFC 8446 §4.2.1 */
        u16(&b, 43);
        u16(&b, 5);
        u8(&b, 4);
        u16(&b, o->versions_12 ? 0x0302 : 0x0304);
        u16(&b, 0x0303);
    }
    close_len(&b, ext, 2);
    hs(&h, 1, &b);
    record(rec, 22, &h);
}

void
server_hello(struct buf *rec, bool tls13)
{
    static struct buf b, h;
    b.n = h.n = 0;
    u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(&b, 0x40 + i);
    u8(&b, 0);
    u16(&b, tls13 ? 0x1301 : 0xc030);
    u8(&b, 0);
    size_t ext = open_len(&b, 2);
    if (tls13) {
        u16(&b, 43);
        u16(&b, 2);
        u16(&b, 0x0304);
    } else {
        u16(&b, 0xff01); /* renegotiation_info */
        u16(&b, 1);
        u8(&b, 0);
    }
    close_len(&b, ext, 2);
    hs(&h, 2, &b);
    record(rec, 22, &h);
}

void
certificate_list(struct buf *b, const char *const *names, unsigned n, bool tls13)
{
    size_t list = open_len(b, 3);
    for (unsigned i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", names[i]);
        size_t len;
        uint8_t *der = tu_read_file(path, &len);
        u24(b, (unsigned)len);
        put(b, der, len);
        free(der);
        if (tls13)
            u16(b, 0); /* the entry's extensions: none */
    }
    close_len(b, list, 3);
}

/* Certificate (RFC 5246 §7.4.2) with the named fixtures; ServerHelloDone
 * in the same record when `done`. */
void
certificate(struct buf *rec, const char *const *names, unsigned n, bool done)
{
    static struct buf b, h;
    b.n = h.n = 0;
    certificate_list(&b, names, n, false);
    hs(&h, 11, &b);
    if (done) {
        static struct buf empty;
        empty.n = 0;
        hs(&h, 14, &empty);
    }
    record(rec, 22, &h);
}

void
alert(struct buf *rec, unsigned level, unsigned code)
{
    static struct buf b;
    b.n = 0;
    u8(&b, level);
    u8(&b, code);
    record(rec, 21, &b);
}

/* An opaque record of n bytes (encrypted Finished, application data). */
void
opaque(struct buf *rec, unsigned type, size_t n)
{
    static struct buf b;
    b.n = 0;
    for (size_t i = 0; i < n; i++)
        u8(&b, (unsigned)(i * 7 + 3));
    record(rec, type, &b);
}

void
ccs(struct buf *rec)
{
    static struct buf b;
    b.n = 0;
    u8(&b, 1);
    record(rec, 20, &b);
}

struct buf *
tls12_client_finish(struct script *s)
{
    struct buf *cl = next(s, DIR_TO_SERVER);
    opaque(cl, 22, 70);
    cl->b[5] = 16; /* ClientKeyExchange, 66 bytes */
    cl->b[6] = 0;
    cl->b[7] = 0;
    cl->b[8] = 66;
    ccs(cl);
    opaque(cl, 22, 40); /* encrypted Finished */
    return cl;
}

void
tls12_finish(struct script *s)
{
    (void)tls12_client_finish(s);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    ccs(sv);
    opaque(sv, 22, 40);
}

struct buf *
next(struct script *s, enum dir d)
{
    assert_true(s->n < 12);
    s->seg[s->n].d = d;
    s->seg[s->n].data.n = 0;
    s->seg[s->n].pause_us = 0;
    return &s->seg[s->n++].data;
}

struct flow_ctx *
run(const struct script *s, enum split_mode mode, uint32_t seed, bool eof)
{
    struct flow_ctx *ctx = fctx_new(&tu_tls_cfg, tu_tls_port);
    assert_non_null(ctx);
    fctx_facts(ctx)->midstream = tu_tls_midstream;
    fctx_facts(ctx)->smtp.tls_started = tu_tls_starttls;
    fctx_facts(ctx)->smtp.ehlo_reply_bytes = tu_tls_ehlo_reply_bytes;
    if (tu_tls_ehlo != NULL)
        assert_true(fctx_setstr(ctx, &fctx_facts(ctx)->smtp.ehlo, (const uint8_t *)tu_tls_ehlo,
                                strlen(tu_tls_ehlo), 255));
    fctx_attach(ctx, &tls_dissector);
    int64_t t = 1000;
    for (unsigned i = 0; i < s->n; i++) {
        t += s->seg[i].pause_us;
        tu_deliver(ctx, s->seg[i].d, s->seg[i].data.b, s->seg[i].data.n, mode, &seed, 600, &t);
    }
    if (eof) {
        fctx_eof(ctx, DIR_TO_SERVER, t);
        fctx_eof(ctx, DIR_TO_CLIENT, t);
    }
    return ctx;
}

const struct tls_facts *
tf(const struct flow_ctx *ctx)
{
    return &fctx_facts_const(ctx)->tls;
}

void
facts_equal(const struct tls_facts *a, const struct tls_facts *b)
{
    assert_int_equal(a->seen, b->seen);
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->cipher, b->cipher);
    assert_int_equal(a->handshake, b->handshake);
    assert_int_equal(a->certificates, b->certificates);
    assert_int_equal(a->ocsp_stapled, b->ocsp_stapled);
    assert_int_equal(a->n_server_chain, b->n_server_chain);
    assert_memory_equal(a->server_chain, b->server_chain, sizeof(a->server_chain));
    assert_int_equal(a->n_alerts, b->n_alerts);
    for (unsigned i = 0; i < a->n_alerts; i++) {
        assert_int_equal(a->alerts[i].code, b->alerts[i].code);
        assert_int_equal(a->alerts[i].from, b->alerts[i].from);
        assert_int_equal(a->alerts[i].after, b->alerts[i].after);
    }
    assert_string_equal(a->ja3, b->ja3);
    assert_string_equal(a->ja3s, b->ja3s);
    assert_int_equal(a->sni.len, b->sni.len);
    assert_int_equal(a->hs_history.len, b->hs_history.len);
    if (a->hs_history.len)
        assert_memory_equal(a->hs_history.s, b->hs_history.s, a->hs_history.len);
    assert_int_equal(a->after_read, b->after_read);
    for (unsigned d = 0; d < 2; d++) { /* the records after the handshake (tls_after.c) */
        assert_int_equal(a->after[d].n, b->after[d].n);
        assert_int_equal(a->after[d].more, b->after[d].more);
        assert_int_equal(a->after[d].lost, b->after[d].lost);
        assert_memory_equal(a->after[d].type, b->after[d].type, sizeof(a->after[d].type));
        assert_memory_equal(a->after[d].len, b->after[d].len, sizeof(a->after[d].len));
    }
    assert_int_equal(a->reply, b->reply); /* the server's answer to the first command */
    assert_int_equal(a->reply_records, b->reply_records);
    assert_int_equal(a->reply_len, b->reply_len);
}

/* Whole, byte by byte and 8 random splits give the same facts. */
void
check_splits(const struct script *s)
{
    struct flow_ctx *w = run(s, SPLIT_WHOLE, 0, true);
    struct flow_ctx *b = run(s, SPLIT_BYTES, 0, true);
    facts_equal(tf(w), tf(b));
    fctx_destroy(b);
    for (uint32_t seed = 1; seed <= 8; seed++) {
        struct flow_ctx *r = run(s, SPLIT_RANDOM, seed, true);
        facts_equal(tf(w), tf(r));
        fctx_destroy(r);
    }
    fctx_destroy(w);
}
struct buf *
tls12_server_flight(struct script *s, const char *sni, size_t *cert_at)
{
    static const char *const chain[] = {"leaf", "inter"};
    struct hello_opts o = {.sni = sni};
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, false);
    if (cert_at != NULL)
        *cert_at = sv->n;
    certificate(sv, chain, 2, true);
    return sv;
}
