/* \summary: unit tests for the TLS dissector (dissectors/tls.c, tls_hs.c,
 * ja3.c), driven through the real flow context with handshakes built here
 * byte by byte (RFC 5246 §7.4, RFC 8446 §4) around the certificate fixtures
 * of tests/data/certs. Every transcript is also delivered one byte at a time
 * and in seeded random splits and must give identical facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "certcache.h"
#include "config.h"
#include "fctx.h"
#include "ja3.h"
#include "mem.h"
#include "tu_file.h"
#include "tu_replay.h"

#define CERT(n) SRCDIR "/tests/data/certs/" n

static struct config cfg;

static int
setup(void **state)
{
    (void)state;
    config_defaults(&cfg);
    mem_init(cfg.memcap);
    certcache_init(100);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    certcache_free();
    assert_int_equal(mem_in_use(), 0);
    return 0;
}

/* A growable byte buffer with big-endian writers and length back-patching. */
struct buf {
    uint8_t b[16384];
    size_t n;
};

static void
put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->b));
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void
u8(struct buf *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

static void
u16(struct buf *b, unsigned v)
{
    u8(b, v >> 8);
    u8(b, v);
}

static void
u24(struct buf *b, unsigned v)
{
    u8(b, v >> 16);
    u16(b, v & 0xffff);
}

/* Opens a length field of `w` bytes; close() fills it in. */
static size_t
open_len(struct buf *b, int w)
{
    size_t at = b->n;
    for (int i = 0; i < w; i++)
        u8(b, 0);
    return at;
}

static void
close_len(struct buf *b, size_t at, int w)
{
    size_t v = b->n - at - (size_t)w;
    for (int i = w - 1; i >= 0; i--, v >>= 8)
        b->b[at + (size_t)i] = (uint8_t)v;
}

/* One TLSPlaintext record (RFC 8446 §5.1) holding `body`. */
static void
record(struct buf *out, unsigned type, const struct buf *body)
{
    u8(out, type);
    u16(out, 0x0303);
    u16(out, (unsigned)body->n);
    put(out, body->b, body->n);
}

/* Wraps a handshake body in its 4-byte header. */
static void
hs(struct buf *out, unsigned type, const struct buf *body)
{
    u8(out, type);
    u24(out, (unsigned)body->n);
    put(out, body->b, body->n);
}

struct hello_opts {
    const char *sni;
    bool tls13;
    bool grease;
    /* variations for the JA3 memo test */
    bool swap_ciphers, extra_group, extra_format, alpn_first;
    uint8_t sid_len, random;
};

static void
alpn_ext(struct buf *b)
{
    u16(b, 16); /* ALPN, RFC 7301 */
    size_t e = open_len(b, 2), l = open_len(b, 2);
    u8(b, 4);
    put(b, "smtp", 4);
    close_len(b, l, 2);
    close_len(b, e, 2);
}

static void
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
    if (o->alpn_first)
        alpn_ext(&b);
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
        alpn_ext(&b);
    if (o->tls13) { /* supported_versions, RFC 8446 §4.2.1 */
        u16(&b, 43);
        u16(&b, 5);
        u8(&b, 4);
        u16(&b, 0x0304);
        u16(&b, 0x0303);
    }
    close_len(&b, ext, 2);
    hs(&h, 1, &b);
    record(rec, 22, &h);
}

static void
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

/* Certificate (RFC 5246 §7.4.2) with the named fixtures; ServerHelloDone
 * in the same record when `done`. */
static void
certificate(struct buf *rec, const char *const *names, unsigned n, bool done)
{
    static struct buf b, h;
    b.n = h.n = 0;
    size_t list = open_len(&b, 3);
    for (unsigned i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", names[i]);
        size_t len;
        uint8_t *der = tu_read_file(path, &len);
        u24(&b, (unsigned)len);
        put(&b, der, len);
        free(der);
    }
    close_len(&b, list, 3);
    hs(&h, 11, &b);
    if (done) {
        static struct buf empty;
        empty.n = 0;
        hs(&h, 14, &empty);
    }
    record(rec, 22, &h);
}

static void
alert(struct buf *rec, unsigned level, unsigned code)
{
    static struct buf b;
    b.n = 0;
    u8(&b, level);
    u8(&b, code);
    record(rec, 21, &b);
}

/* An opaque record of n bytes (encrypted Finished, application data). */
static void
opaque(struct buf *rec, unsigned type, size_t n)
{
    static struct buf b;
    b.n = 0;
    for (size_t i = 0; i < n; i++)
        u8(&b, (unsigned)(i * 7 + 3));
    record(rec, type, &b);
}

static void
ccs(struct buf *rec)
{
    static struct buf b;
    b.n = 0;
    u8(&b, 1);
    record(rec, 20, &b);
}

/* A transcript: alternating deliveries. */
struct seg {
    enum dir d;
    struct buf data;
};

struct script {
    struct seg seg[12];
    unsigned n;
};

static struct buf *
next(struct script *s, enum dir d)
{
    assert_true(s->n < 12);
    s->seg[s->n].d = d;
    s->seg[s->n].data.n = 0;
    return &s->seg[s->n++].data;
}

static struct flow_ctx *
run(const struct script *s, enum split_mode mode, uint32_t seed, bool eof)
{
    struct flow_ctx *ctx = fctx_new(&cfg, 465);
    assert_non_null(ctx);
    fctx_attach(ctx, &tls_dissector);
    int64_t t = 1000;
    for (unsigned i = 0; i < s->n; i++)
        tu_deliver(ctx, s->seg[i].d, s->seg[i].data.b, s->seg[i].data.n, mode, &seed, 600, &t);
    if (eof) {
        fctx_eof(ctx, DIR_TO_SERVER, t);
        fctx_eof(ctx, DIR_TO_CLIENT, t);
    }
    return ctx;
}

static const struct tls_facts *
tf(const struct flow_ctx *ctx)
{
    return &fctx_facts_const(ctx)->tls;
}

static void
facts_equal(const struct tls_facts *a, const struct tls_facts *b)
{
    assert_int_equal(a->seen, b->seen);
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->cipher, b->cipher);
    assert_int_equal(a->handshake, b->handshake);
    assert_int_equal(a->certificates, b->certificates);
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
}

/* Whole, byte by byte and 8 random splits give the same facts. */
static void
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

static const char *const chain2[] = {"leaf", "inter"};

static void
tls12_full(struct script *s)
{
    struct hello_opts o = {.sni = "mail.example.com", .grease = true};
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, false);
    certificate(sv, chain2, 2, true);
    struct buf *cl = next(s, DIR_TO_SERVER);
    opaque(cl, 22, 70); /* ClientKeyExchange stand-in: type 16 below */
    cl->b[5] = 16;
    cl->b[6] = 0;
    cl->b[7] = 0;
    cl->b[8] = 66;
    ccs(cl);
    opaque(cl, 22, 40); /* encrypted Finished */
    struct buf *sv2 = next(s, DIR_TO_CLIENT);
    ccs(sv2);
    opaque(sv2, 22, 40);
}

/* A TLS 1.2 exchange up to the server's first flight: ClientHello with SNI,
 * then ServerHello + Certificate (leaf, intermediate) + ServerHelloDone.
 * Returns the server's buffer; *cert_at is where its Certificate record
 * starts. */
static struct buf *
tls12_server_flight(struct script *s, const char *sni, size_t *cert_at)
{
    struct hello_opts o = {.sni = sni};
    s->n = 0;
    client_hello(next(s, DIR_TO_SERVER), &o);
    struct buf *sv = next(s, DIR_TO_CLIENT);
    server_hello(sv, false);
    *cert_at = sv->n;
    certificate(sv, chain2, 2, true);
    return sv;
}

static void
md5hex(const char *s, char out[33])
{
    uint8_t d[16];
    unsigned dl = 0;
    EVP_Digest(s, strlen(s), d, &dl, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ja3_md5() remembers the MD5s of recent strings: whatever the order and
 * however the strings collide in its 32 slots, every answer is the MD5 of
 * the string asked about (built with ja3_value, as the dissector does). */
static void
test_ja3_md5_cache(void **state)
{
    (void)state;
    for (unsigned round = 0; round < 3; round++)
        for (unsigned i = 0; i < 200; i++) {
            unsigned v = round == 1 ? 199 - i : (i * 37) % 200;
            struct ja3 j;
            ja3_init(&j);
            ja3_value(&j, 771);
            ja3_field(&j, false);
            ja3_value(&j, (uint16_t)(4865 + v));
            ja3_value(&j, (uint16_t)(v % 7));
            char got[33], want[33];
            ja3_md5(&j, got);
            md5hex(j.s, want);
            assert_string_equal(got, want);
        }
}

/* ja3_value writes decimal values joined by '-' exactly as "%u" would, skips
 * GREASE, and stops whole values at the cap (truncated set, the string
 * always terminated and within JA3_STR_MAX). */
static void
test_ja3_values(void **state)
{
    (void)state;
    static const uint16_t vs[] = {0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535, 0x0a0a, 771};
    struct ja3 j;
    ja3_init(&j);
    char want[256] = "";
    size_t wl = 0;
    for (unsigned i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
        ja3_value(&j, vs[i]);
        if (vs[i] != 0x0a0a) /* GREASE */
            wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%s%u", wl ? "-" : "", vs[i]);
    }
    assert_string_equal(j.s, want);
    assert_int_equal(j.len, strlen(want));
    assert_false(j.truncated);
    ja3_init(&j);
    for (unsigned i = 0; i < 1000; i++)
        ja3_value(&j, 65535);
    assert_true(j.truncated);
    assert_true(j.len < JA3_STR_MAX);
    assert_int_equal(strlen(j.s), j.len);
    assert_int_equal(j.len % 6, 5); /* whole values only: "65535" then "-65535"s */
}

/* A complete TLS 1.2 handshake: version, cipher, SNI, ALPN, the chain as
 * sent, JA3/JA3S without GREASE values, and the message history. */
static void
test_tls12_complete(void **state)
{
    (void)state;
    struct script s;
    tls12_full(&s);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_true(t->seen);
    assert_int_equal(t->version, 0x0303);
    assert_int_equal(t->cipher, 0xc030);
    assert_int_equal(t->handshake, TLS_HS_COMPLETE);
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    tu_fstr_is(&t->sni, "mail.example.com");
    tu_fstr_is(&t->alpn, "smtp");
    assert_true(t->status_request);
    assert_int_equal(t->n_server_chain, 2);
    const struct cert_entry *leaf = certcache_get(t->server_chain[0]);
    assert_non_null(leaf);
    assert_string_equal(leaf->info.subject_cn, "mail.example.com");
    assert_string_equal(certcache_get(t->server_chain[1])->info.subject_cn,
                        "smtptap Test Intermediate CA");
    assert_int_equal(t->n_alerts, 0);
    /* JA3 (Salesforce): version, ciphers, extensions, groups, point formats;
     * GREASE (RFC 8701) left out. */
    tu_fstr_is(&t->ja3_string, "771,49199-49200,0-5-10-11-16,29-23,0");
    char want[33];
    md5hex("771,49199-49200,0-5-10-11-16,29-23,0", want);
    assert_string_equal(t->ja3, want);
    tu_fstr_is(&t->ja3s_string, "771,49200,65281");
    tu_fstr_is(&t->hs_history, "C:CH S:SH S:CRT S:SHD C:CKE C:CCS C:FIN(encrypted) S:CCS "
                               "S:FIN(encrypted)");
    assert_false(tu_has_event(ctx, "tls.malformed_message"));
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A ClientHello's JA3 is remembered by its version, cipher suites,
 * extension types and group and point-format lists: the same fields with
 * another SNI, random and session id give the remembered JA3; a change in
 * any of those fields gives its own, also when it comes after a remembered
 * one (each variation is run between runs of the base). */
static void
test_ja3_memo_follows_fields(void **state)
{
    (void)state;
    static const struct {
        struct hello_opts o;
        const char *ja3;
    } cases[] = {
        {{.sni = "mail.example.com", .grease = true}, "771,49199-49200,0-5-10-11-16,29-23,0"},
        {{.sni = "other.example.net", .grease = true, .sid_len = 32, .random = 99},
         "771,49199-49200,0-5-10-11-16,29-23,0"},
        {{.sni = "mail.example.com", .grease = true, .swap_ciphers = true},
         "771,49200-49199,0-5-10-11-16,29-23,0"},
        {{.sni = "mail.example.com", .grease = true, .extra_group = true},
         "771,49199-49200,0-5-10-11-16,29-23-24,0"},
        {{.sni = "mail.example.com", .grease = true, .extra_format = true},
         "771,49199-49200,0-5-10-11-16,29-23,0-1"},
        {{.sni = "mail.example.com", .grease = true, .alpn_first = true},
         "771,49199-49200,0-16-5-10-11,29-23,0"},
        {{.sni = NULL, .grease = true}, "771,49199-49200,5-10-11-16,29-23,0"},
        {{.sni = "mail.example.com", .tls13 = true},
         "771,4865-49199-49200,0-5-10-11-16-43,29-23,0"},
    };
    for (unsigned round = 0; round < 2; round++)
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            for (unsigned k = 0; k < 2; k++) { /* the case, then the base again */
                unsigned c = k == 0 ? i : 0;
                struct script s;
                s.n = 0;
                client_hello(next(&s, DIR_TO_SERVER), &cases[c].o);
                struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
                const struct tls_facts *t = tf(ctx);
                tu_fstr_is(&t->ja3_string, cases[c].ja3);
                char want[33];
                md5hex(cases[c].ja3, want);
                assert_string_equal(t->ja3, want);
                if (cases[c].o.sni)
                    tu_fstr_is(&t->sni, cases[c].o.sni);
                assert_false(tu_has_event(ctx, "tls.malformed_message"));
                fctx_destroy(ctx);
            }
}

/* RFC 8446 §6.2: a fatal alert from the client after the server's
 * Certificate is a rejection of that certificate. */
static void
test_client_alert(void **state)
{
    (void)state;
    struct script s;
    size_t at;
    tls12_server_flight(&s, "mx.example.org", &at);
    alert(next(&s, DIR_TO_SERVER), 2, 46);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->handshake, TLS_HS_FAILED);
    assert_int_equal(t->n_alerts, 1);
    assert_int_equal(t->alerts[0].from, DIR_TO_SERVER);
    assert_int_equal(t->alerts[0].level, 2);
    assert_int_equal(t->alerts[0].code, 46);
    assert_false(t->alerts[0].encrypted);
    assert_int_equal(t->alerts[0].after, 14); /* after ServerHelloDone */
    assert_int_equal(t->alerts[0].after_from, DIR_TO_CLIENT);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A client Certificate after the server's whole flight without a
 * CertificateRequest (RFC 5246 §7.4.6) is not taken as the client's chain. */
static void
test_unrequested_client_certificate(void **state)
{
    (void)state;
    struct script s;
    size_t at;
    tls12_server_flight(&s, "mx.example.org", &at);
    certificate(next(&s, DIR_TO_SERVER), chain2, 1, false);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->n_server_chain, 2);
    assert_int_equal(tf(ctx)->n_client_chain, 0);
    assert_int_equal(tf(ctx)->client_certificates, TLS_CERTS_UNKNOWN);
    assert_true(tu_has_event(ctx, "tls.unrequested_client_certificate"));
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A certificate that cannot be kept (over x509.cert_max here; a full cache
 * alike) leaves a hole: no part of the chain is taken (the intermediate
 * would be judged as the leaf), and the certificates are "truncated". */
static void
test_chain_with_a_hole_not_taken(void **state)
{
    (void)state;
    cfg.x509_cert_max = 900; /* leaf.der 945 bytes, inter.der 886 */
    struct script s;
    size_t at;
    tls12_server_flight(&s, "mx.example.org", &at);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->n_server_chain, 0);
    assert_int_equal(tf(ctx)->certificates, TLS_CERTS_TRUNCATED);
    assert_true(tu_has_event(ctx, "x509.cert_cap"));
    fctx_destroy(ctx);
    config_defaults(&cfg);
}

/* The server stream ends inside the Certificate record (snaplen, end of the
 * capture): truncated, reported as such, never a crash or a made-up chain. */
static void
test_truncated_certificate(void **state)
{
    (void)state;
    struct script s;
    size_t at;
    struct buf *sv = tls12_server_flight(&s, "mail.example.com", &at);
    sv->n--; /* one byte short */
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->certificates, TLS_CERTS_TRUNCATED);
    assert_int_equal(t->n_server_chain, 0);
    assert_int_equal(t->handshake, TLS_HS_INCOMPLETE);
    assert_true(tu_has_event(ctx, "tls.truncated"));
    fctx_destroy(ctx);
    check_splits(&s);
}

/* A certificate_list length that disagrees with the message: malformed, not
 * truncated, and the certificates are not trusted to be what was sent. */
static void
test_inconsistent_lengths(void **state)
{
    (void)state;
    struct script s;
    size_t at;
    struct buf *sv = tls12_server_flight(&s, "mail.example.com", &at);
    /* record(5) + handshake header(4): the 3-byte certificate_list length. */
    sv->b[at + 9 + 2] ^= 0x10;
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "tls.malformed_message"));
    assert_false(tu_has_event(ctx, "tls.truncated_message"));
    assert_true(tf(ctx)->n_server_chain < 2);
    fctx_destroy(ctx);
    check_splits(&s);
}

/* The handshake bytes of the type-22 records in `in` (a flight as built
 * above), into `out`. */
static void
hs_bytes(struct buf *out, const struct buf *in)
{
    out->n = 0;
    for (size_t at = 0; at + 5 <= in->n;) {
        size_t len = (size_t)in->b[at + 3] << 8 | in->b[at + 4];
        assert_true(at + 5 + len <= in->n);
        if (in->b[at] == 22)
            put(out, in->b + at + 5, len);
        at += 5 + len;
    }
}

/* Handshake bytes as records of `size` bytes each (the last shorter). */
static void
records_of(struct buf *out, const struct buf *hsb, size_t size)
{
    static struct buf part;
    out->n = 0;
    for (size_t at = 0; at < hsb->n; at += size) {
        part.n = 0;
        put(&part, hsb->b + at, hsb->n - at < size ? hsb->n - at : size);
        record(out, 22, &part);
    }
}

/* RFC 5246 §6.2.1: a handshake message may span records, and a record may
 * hold the end of one message and the start of the next. The server's
 * flight (ServerHello, Certificate with two certificates, ServerHelloDone)
 * re-cut into records of 1 to 1000 bytes, cutting headers and bodies
 * everywhere, gives the facts of the flight in one record, however TCP
 * then cuts the stream. */
static void
test_messages_across_records(void **state)
{
    (void)state;
    struct script s;
    tls12_full(&s);
    struct flow_ctx *w = run(&s, SPLIT_WHOLE, 0, true);
    static struct buf hsb;
    hs_bytes(&hsb, &s.seg[1].data);
    static const size_t sizes[] = {1, 2, 3, 4, 5, 7, 50, 300, 1000};
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct script c = s;
        records_of(&c.seg[1].data, &hsb, sizes[i]);
        struct flow_ctx *r = run(&c, SPLIT_WHOLE, 0, true);
        facts_equal(tf(w), tf(r));
        assert_int_equal(tf(r)->certificates, TLS_CERTS_VISIBLE);
        assert_int_equal(tf(r)->n_server_chain, 2);
        assert_false(tu_has_event(r, "tls.hs_msg_cap"));
        assert_false(tu_has_event(r, "tls.truncated"));
        fctx_destroy(r);
        check_splits(&c);
    }
    fctx_destroy(w);
}

/* A Certificate exactly tls.hs_msg_max long whose last record also carries
 * ServerHelloDone: the message is within the cap and is read; only its own
 * bytes are kept while it is incomplete, not the next message's too. */
static void
test_message_at_cap_shares_record(void **state)
{
    (void)state;
    struct script s;
    size_t at;
    struct buf *sv = tls12_server_flight(&s, "mail.example.com", &at);
    static struct buf hsb, rec, tail;
    hs_bytes(&hsb, sv);
    /* ServerHello's 4 + n bytes, then the Certificate's header */
    size_t sh = 4 + ((size_t)hsb.b[1] << 16 | (size_t)hsb.b[2] << 8 | hsb.b[3]);
    uint32_t mlen = (uint32_t)hsb.b[sh + 1] << 16 | (uint32_t)hsb.b[sh + 2] << 8 | hsb.b[sh + 3];
    size_t crt_end = sh + 4 + mlen;
    assert_int_equal(hsb.b[sh], 11);
    assert_int_equal(hsb.n, crt_end + 4); /* then ServerHelloDone, empty */
    rec.n = tail.n = 0;
    put(&rec, hsb.b, crt_end - 10);
    put(&tail, hsb.b + crt_end - 10, hsb.n - (crt_end - 10));
    sv->n = 0;
    record(sv, 22, &rec);
    record(sv, 22, &tail);
    for (uint32_t cap = mlen; cap <= mlen + 3; cap++) {
        cfg.tls_hs_msg_max = cap;
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        assert_false(tu_has_event(ctx, "tls.hs_msg_cap"));
        assert_int_equal(tf(ctx)->certificates, TLS_CERTS_VISIBLE);
        assert_int_equal(tf(ctx)->n_server_chain, 2);
        tu_fstr_is(&tf(ctx)->hs_history, "C:CH S:SH S:CRT S:SHD");
        fctx_destroy(ctx);
        check_splits(&s);
    }
    /* one byte under: over the cap, said so */
    cfg.tls_hs_msg_max = mlen - 1;
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "tls.hs_msg_cap"));
    assert_int_equal(tf(ctx)->certificates, TLS_CERTS_TRUNCATED);
    fctx_destroy(ctx);
}

/* The stream ends inside a handshake message's 4-byte header (the record
 * itself complete): the Certificate was cut, which is said, not "no
 * certificate". */
static void
test_cut_inside_message_header(void **state)
{
    (void)state;
    for (size_t keep = 1; keep <= 3; keep++) {
        struct script s;
        size_t at;
        struct buf *sv = tls12_server_flight(&s, "mail.example.com", &at);
        static struct buf hsb, rec;
        hs_bytes(&hsb, sv);
        size_t sh = 4 + ((size_t)hsb.b[1] << 16 | (size_t)hsb.b[2] << 8 | hsb.b[3]);
        rec.n = 0;
        put(&rec, hsb.b, sh + keep);
        sv->n = 0;
        record(sv, 22, &rec);
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        assert_true(tu_has_event(ctx, "tls.truncated"));
        assert_int_equal(tf(ctx)->certificates, TLS_CERTS_TRUNCATED);
        assert_int_equal(tf(ctx)->n_server_chain, 0);
        fctx_destroy(ctx);
        check_splits(&s);
    }
}

/* Not TLS at all on a TLS port: one clear event, the dissector gives up. */
static void
test_not_tls(void **state)
{
    (void)state;
    struct script s;
    s.n = 0;
    struct buf *b = next(&s, DIR_TO_SERVER);
    put(b, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "tls.malformed_record"));
    assert_int_equal(tf(ctx)->n_server_chain, 0);
    fctx_destroy(ctx);
}

/* TLS 1.3 (RFC 8446 §4.1.3): the version comes from supported_versions,
 * certificates are encrypted, and a client's first encrypted record of 19
 * bytes (alert 2 bytes + type 1 + AEAD tag 16) is its alert. */
static void
test_tls13_encrypted_alert(void **state)
{
    (void)state;
    struct script s;
    struct hello_opts o = {.sni = "mail.example.com", .tls13 = true};
    s.n = 0;
    client_hello(next(&s, DIR_TO_SERVER), &o);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    server_hello(sv, true);
    ccs(sv);
    opaque(sv, 23, 2000); /* EncryptedExtensions..Finished */
    struct buf *cl = next(&s, DIR_TO_SERVER);
    ccs(cl);
    opaque(cl, 23, 19);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->version, 0x0304);
    assert_int_equal(t->client_version, 0x0303);
    assert_int_equal(t->certificates, TLS_CERTS_ENCRYPTED);
    assert_int_equal(t->handshake, TLS_HS_FAILED);
    assert_true(t->n_alerts >= 1);
    assert_true(t->alerts[0].encrypted);
    assert_int_equal(t->alerts[0].from, DIR_TO_SERVER);
    fctx_destroy(ctx);
    check_splits(&s);

    /* The same with a client Finished (53 bytes for AES-128-GCM): complete. */
    s.seg[s.n - 1].data.n = 0;
    ccs(&s.seg[s.n - 1].data);
    opaque(&s.seg[s.n - 1].data, 23, 53);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->handshake, TLS_HS_COMPLETE);
    assert_int_equal(tf(ctx)->n_alerts, 0);
    fctx_destroy(ctx);
}

/* A warning alert does not end the handshake; close_notify is recorded. */
static void
test_odd_alert_record(void **state)
{
    (void)state;
    struct script s;
    struct hello_opts o = {.sni = "mail.example.com"};
    s.n = 0;
    client_hello(next(&s, DIR_TO_SERVER), &o);
    struct buf *b = next(&s, DIR_TO_CLIENT);
    static struct buf one;
    one.n = 0;
    u8(&one, 2);
    record(b, 21, &one);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "tls.malformed_alert"));
    assert_int_equal(tf(ctx)->n_alerts, 0);
    fctx_destroy(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tls12_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unrequested_client_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_with_a_hole_not_taken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages_across_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_at_cap_shares_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_inside_message_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls13_encrypted_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_alert_record, setup, teardown),
        cmocka_unit_test(test_ja3_md5_cache),
        cmocka_unit_test(test_ja3_values),
        cmocka_unit_test_setup_teardown(test_ja3_memo_follows_fields, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
