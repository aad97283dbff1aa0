/* \summary: unit tests for the TLS dissector (dissectors/tls.c, tls_hs.c,
 * ja3.c), driven through the real flow context with handshakes built byte
 * by byte (tu_tls.c, RFC 5246 §7.4, RFC 8446 §4) around the certificate
 * fixtures of tests/data/certs. Every transcript is also delivered one byte at a time
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
#include "ja4.h"
#include "tu_tls.h"

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
    tls12_finish(s);
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

/* A server_name extension whose host name overruns its list: no SNI read,
 * but sni_malformed (agg_sni.c keeps it apart from none sent), the event,
 * and the rest of the handshake as usual. */
static void
test_sni_malformed(void **state)
{
    (void)state;
    struct script s = {0};
    struct hello_opts o = {.sni_bad = true};
    client_hello(next(&s, DIR_TO_SERVER), &o);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    server_hello(sv, false);
    certificate(sv, chain2, 2, true);
    tls12_finish(&s);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_null(t->sni.s);
    assert_true(t->sni_malformed);
    assert_int_equal(t->client_version, 0x0303);
    assert_int_equal(t->n_server_chain, 2);
    assert_true(tu_has_event(ctx, "tls.malformed_message"));
    fctx_destroy(ctx);
    /* a well-formed one is not */
    tls12_full(&s);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_false(tf(ctx)->sni_malformed);
    fctx_destroy(ctx);
}

/* A ClientHello's JA3 is remembered by its version, cipher suites,
 * extension types and group and point-format lists: the same fields with
 * another SNI, random and session id give the remembered JA3; a change in
 * any of those fields gives its own, also when it comes after a remembered
 * one (each variation is run between runs of the base). Its JA4 is
 * remembered with it: the JA4 given is always the one computed afresh from
 * the message, also for the variations JA4 sees and JA3 does not (the ALPN
 * value, the signature algorithms' order, the highest supported version),
 * which must not get the base's remembered JA4. */
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
        {{.sni = "mail.example.com", .grease = true, .alpn = "h2"},
         "771,49199-49200,0-5-10-11-16,29-23,0"},
        {{.sni = "mail.example.com", .tls13 = true, .versions_12 = true},
         "771,4865-49199-49200,0-5-10-11-16-43,29-23,0"},
        {{.sni = "mail.example.com", .grease = true, .sigalgs = 1},
         "771,49199-49200,0-5-10-11-16-13,29-23,0"},
        {{.sni = "mail.example.com", .grease = true, .sigalgs = 2},
         "771,49199-49200,0-5-10-11-16-13,29-23,0"},
    };
    char ja4_of[sizeof(cases) / sizeof(cases[0])][JA4_LEN + 1];
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
                /* the record's ClientHello body: after the record's 5-byte
                 * header and the handshake's 4 */
                char fresh[JA4_LEN + 1];
                assert_true(ja4_compute(s.seg[0].data.b + 9, s.seg[0].data.n - 9, fresh));
                assert_string_equal(t->ja4, fresh);
                if (round == 0 && k == 0)
                    memcpy(ja4_of[c], fresh, sizeof(fresh));
                if (cases[c].o.sni)
                    tu_fstr_is(&t->sni, cases[c].o.sni);
                assert_false(tu_has_event(ctx, "tls.malformed_message"));
                fctx_destroy(ctx);
            }
    /* the JA4-only variations differ from the base and from each other */
    assert_string_equal(ja4_of[0], ja4_of[1]); /* another SNI name, random, session id */
    assert_memory_equal(ja4_of[0], "t12d0205sp_", 11);
    assert_memory_equal(ja4_of[8], "t12d0205h2_", 11);
    assert_string_not_equal(ja4_of[7], ja4_of[9]); /* 1.3 offered or not */
    assert_memory_equal(ja4_of[9], "t12d0306sp_", 11);
    assert_memory_equal(ja4_of[7], "t13d0306sp_", 11);
    assert_string_not_equal(ja4_of[10], ja4_of[11]); /* signature algorithms in another order */
    assert_memory_equal(ja4_of[10], ja4_of[11], 23); /* the same counts and cipher hash */
}

/* The memo keeps several client forms whose keys go to one set: five keys
 * of one set, four put and each found again whatever the order of use;
 * the fifth replaces the one least recently used, and the other three stay
 * (direct-mapped, two forms of one slot evicted each other at every
 * session: issue 5). */
static void
test_ja3_memo_keeps_a_set(void **state)
{
    (void)state;
    uint8_t keys[5][8];
    unsigned found = 0, set = 0;
    for (uint32_t i = 0; found < 5 && i < 100000; i++) {
        uint8_t k[8] = {'k', 'e', 'y', (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 0, 1};
        unsigned s_of = ja3_memo_set_of(k, sizeof(k));
        if (found == 0)
            set = s_of;
        if (s_of == set)
            memcpy(keys[found++], k, sizeof(k));
    }
    assert_int_equal(found, 5);
    struct ja3 j;
    ja3_init(&j);
    ja3_value(&j, 771);
    char md5[33] = "0123456789abcdef0123456789abcdef",
         ja4[37] = "t12i000000_000000000000_000000000000";
    for (unsigned i = 0; i < 4; i++) {
        ja4[0] = (char)('a' + i); /* tells the entries apart */
        ja3_memo_put(keys[i], 8, &j, md5, ja4);
    }
    const char *s;
    size_t len;
    char got_md5[33], got_ja4[37];
    for (unsigned round = 0; round < 2; round++)
        for (unsigned i = 0; i < 4; i++) {
            unsigned k = round == 0 ? i : 3 - i; /* key 0 is the last used */
            assert_true(ja3_memo_get(keys[k], 8, &s, &len, got_md5, got_ja4));
            assert_int_equal(got_ja4[0], 'a' + k);
            assert_int_equal(len, j.len);
        }
    ja4[0] = 'e';
    ja3_memo_put(keys[4], 8, &j, md5, ja4); /* key 3 is the least recently used */
    assert_false(ja3_memo_get(keys[3], 8, &s, &len, got_md5, got_ja4));
    for (unsigned k = 0; k < 5; k++)
        if (k != 3) {
            assert_true(ja3_memo_get(keys[k], 8, &s, &len, got_md5, got_ja4));
            assert_int_equal(got_ja4[0], 'a' + k);
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
    tu_tls_cfg.x509_cert_max = 900; /* leaf.der 945 bytes, inter.der 886 */
    struct script s;
    size_t at;
    tls12_server_flight(&s, "mx.example.org", &at);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_int_equal(tf(ctx)->n_server_chain, 0);
    assert_int_equal(tf(ctx)->certificates, TLS_CERTS_TRUNCATED);
    assert_true(tu_has_event(ctx, "x509.cert_cap"));
    fctx_destroy(ctx);
    config_defaults(&tu_tls_cfg);
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
        tu_tls_cfg.tls_hs_msg_max = cap;
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        assert_false(tu_has_event(ctx, "tls.hs_msg_cap"));
        assert_int_equal(tf(ctx)->certificates, TLS_CERTS_VISIBLE);
        assert_int_equal(tf(ctx)->n_server_chain, 2);
        tu_fstr_is(&tf(ctx)->hs_history, "C:CH S:SH S:CRT S:SHD");
        fctx_destroy(ctx);
        check_splits(&s);
    }
    /* one byte under: over the cap, said so */
    tu_tls_cfg.tls_hs_msg_max = mlen - 1;
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

/* Before TLS 1.3 an alert may be split across records (RFC 5246 §6.2.1):
 * a record with the level byte and one with the description make one
 * alert; three bytes and one make an alert and the next. A level byte
 * whose description never comes is a stream cut inside an alert. */
static void
test_split_alert_record(void **state)
{
    (void)state;
    struct script s;
    struct hello_opts o = {.sni = "mail.example.com"};
    static struct buf one;
    for (unsigned c = 0; c < 3; c++) {
        s.n = 0;
        client_hello(next(&s, DIR_TO_SERVER), &o);
        struct buf *b = next(&s, DIR_TO_CLIENT);
        one.n = 0;
        u8(&one, c == 2 ? 1 : 2); /* warning or fatal */
        if (c == 2) {
            u8(&one, 0); /* close_notify, then the next one's level */
            u8(&one, 2);
        }
        record(b, 21, &one);
        if (c > 0) {
            one.n = 0;
            u8(&one, 40); /* handshake_failure */
            record(b, 21, &one);
        }
        struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
        const struct tls_facts *t = tf(ctx);
        assert_false(tu_has_event(ctx, "tls.malformed_alert"));
        if (c == 0) {
            assert_true(tu_has_event(ctx, "tls.truncated"));
            assert_int_equal(t->n_alerts, 0);
        } else {
            assert_false(tu_has_event(ctx, "tls.truncated"));
            assert_int_equal(t->n_alerts, c);
            assert_int_equal(t->alerts[c - 1].from, DIR_TO_CLIENT);
            assert_int_equal(t->alerts[c - 1].level, 2);
            assert_int_equal(t->alerts[c - 1].code, 40);
            assert_int_equal(t->handshake, TLS_HS_FAILED);
        }
        if (c == 2) {
            assert_int_equal(t->alerts[0].level, 1);
            assert_int_equal(t->alerts[0].code, 0);
        }
        fctx_destroy(ctx);
    }
    /* TLS 1.3 forbids it (RFC 8446 §5.1): after a 1.3 ServerHello an odd
     * alert record (the client's, still in clear) is malformed */
    s.n = 0;
    o.tls13 = true;
    client_hello(next(&s, DIR_TO_SERVER), &o);
    server_hello(next(&s, DIR_TO_CLIENT), true);
    one.n = 0;
    u8(&one, 2);
    record(next(&s, DIR_TO_SERVER), 21, &one);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "tls.malformed_alert"));
    assert_int_equal(tf(ctx)->n_alerts, 0);
    fctx_destroy(ctx);
}

/* A ClientHello in the SSL 2.0 form (RFC 5246 Appendix E.2), as Java 6
 * and Windows XP sent it, answered with a TLS flight: the client's version
 * and the server's chain are read, the form is said; with a challenge
 * shorter than 16 bytes it is malformed. */
static void
sslv2_hello(struct buf *b, unsigned challenge)
{
    size_t at = b->n;
    u16(b, 0x8000);    /* header, length below */
    u8(b, 1);          /* CLIENT-HELLO */
    u16(b, 0x0303);    /* version */
    u16(b, 9);         /* cipher_spec_length: three specs */
    u16(b, 0);         /* session_id_length */
    u16(b, challenge); /* challenge_length */
    u8(b, 0);          /* TLS_RSA_WITH_AES_128_CBC_SHA as a V2CipherSpec */
    u16(b, 0x002f);
    u8(b, 0);
    u16(b, 0x0035);
    u8(b, 1); /* SSL_CK_RC4_128_WITH_MD5 */
    u16(b, 0x0080);
    for (unsigned i = 0; i < challenge; i++)
        u8(b, 0xa0 + i);
    size_t len = b->n - at - 2;
    b->b[at] = (uint8_t)(0x80 | (len >> 8));
    b->b[at + 1] = (uint8_t)len;
}

static void
test_sslv2_client_hello(void **state)
{
    (void)state;
    struct script s;
    s.n = 0;
    sslv2_hello(next(&s, DIR_TO_SERVER), 16);
    struct buf *sv = next(&s, DIR_TO_CLIENT);
    server_hello(sv, false);
    certificate(sv, chain2, 2, true);
    struct flow_ctx *ctx = run(&s, SPLIT_WHOLE, 0, true);
    const struct tls_facts *t = tf(ctx);
    assert_int_equal(t->client_version, 0x0303);
    assert_int_equal(t->certificates, TLS_CERTS_VISIBLE);
    assert_int_equal(t->n_server_chain, 2);
    assert_true(tu_has_event(ctx, "tls.sslv2_client_hello"));
    assert_false(tu_has_event(ctx, "tls.malformed_record"));
    assert_false(tu_has_event(ctx, "tls.malformed_message"));
    assert_non_null(strstr((const char *)t->hs_history.s, "C:CH(SSLv2) S:SH"));
    fctx_destroy(ctx);
    check_splits(&s);

    /* refused by closing the connection (SChannel's way): still TLS, its
     * version read, the handshake not finished */
    s.n = 0;
    sslv2_hello(next(&s, DIR_TO_SERVER), 16);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tf(ctx)->seen);
    assert_true(tf(ctx)->sslv2_hello);
    assert_int_equal(tf(ctx)->client_version, 0x0303);
    assert_int_equal(tf(ctx)->handshake, TLS_HS_INCOMPLETE);
    fctx_destroy(ctx);

    s.n = 0;
    sslv2_hello(next(&s, DIR_TO_SERVER), 8);
    ctx = run(&s, SPLIT_WHOLE, 0, true);
    assert_true(tu_has_event(ctx, "tls.sslv2_client_hello"));
    assert_true(tu_has_event(ctx, "tls.malformed_message"));
    fctx_destroy(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tls12_complete, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_sni_malformed, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_unrequested_client_certificate, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_chain_with_a_hole_not_taken, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_client_alert, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_truncated_certificate, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_lengths, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_messages_across_records, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_message_at_cap_shares_record, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_cut_inside_message_header, tu_tls_setup,
                                        tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_not_tls, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_tls13_encrypted_alert, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_split_alert_record, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test_setup_teardown(test_sslv2_client_hello, tu_tls_setup, tu_tls_teardown),
        cmocka_unit_test(test_ja3_md5_cache),
        cmocka_unit_test(test_ja3_values),
        cmocka_unit_test(test_ja3_memo_keeps_a_set),
        cmocka_unit_test_setup_teardown(test_ja3_memo_follows_fields, tu_tls_setup,
                                        tu_tls_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
