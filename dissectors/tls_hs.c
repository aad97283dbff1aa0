/* \summary: TLS handshake messages: ClientHello and ServerHello (RFC 8446
 * §4.1.2-4.1.4, RFC 5246 §7.4.1), Certificate (RFC 5246 §7.4.2 list; RFC 8446
 * §4.4.2 form with context and per-entry extensions), CertificateRequest.
 * Extensions: server_name (RFC 6066 §3), status_request (RFC 6066 §8), ALPN
 * (RFC 7301), supported_versions (RFC 8446 §4.2.1), pre_shared_key. OCSP
 * stapling: CertificateStatus (RFC 6066 §8), status_request in the leaf's
 * CertificateEntry (RFC 8446 §4.4.2.1). Resumption: the session ID of a
 * ServerHello, SessionTicket (RFC 5077 §3.2) and NewSessionTicket (RFC 5077
 * §3.3), TLS 1.3's pre_shared_key (RFC 8446 §4.2.11, with tls_tickets13.c),
 * handed to fctx_resume_*. */
#include <string.h>

#include "config.h"
#include "ja3.h"
#include "ja4.h"
#include "nhash.h"
#include "tls_int.h"
#include "tls_names.h"

/* RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest. */
static const uint8_t tls_hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

enum {
    TLS_EXT_SERVER_NAME = 0,
    TLS_EXT_STATUS_REQUEST = 5,
    TLS_EXT_SIGNATURE_ALGORITHMS = 13,
    TLS_EXT_SUPPORTED_GROUPS = 10,
    TLS_EXT_EC_POINT_FORMATS = 11,
    TLS_EXT_ALPN = 16,
    TLS_EXT_SESSION_TICKET = 35,
    TLS_EXT_PRE_SHARED_KEY = 41,
    TLS_EXT_SUPPORTED_VERSIONS = 43
};

#define TLS_NAME_MAX 255 /* RFC 6066 §3 HostName: a DNS name */
#define TLS_ALPN_MAX 128

static void
tls_malformed(struct flow_ctx *ctx, const struct rd *r, const char *msg)
{
    fctx_event(ctx, r->st == RD_TRUNCATED ? "tls.truncated_message" : "tls.malformed_message",
               r->where ? r->where : msg);
}

static void
tls_ext_sni(struct flow_ctx *ctx, struct rd *e)
{
    struct rd list = rd_sub(e, rd_be16(e, "sni.list_len"), "sni.list");
    while (rd_left(&list) > 0) {
        uint8_t type = rd_u8(&list, "sni.type");
        uint16_t n = rd_be16(&list, "sni.len");
        const uint8_t *name = rd_bytes(&list, n, "sni.name");
        if (name && type == 0) {
            fctx_setstr(ctx, &fctx_facts(ctx)->tls.sni, name, n, TLS_NAME_MAX);
            return;
        }
    }
    if (!rd_ok(&list) || !rd_ok(e)) {
        rd_invalid(e, "sni");
        /* sent but not read: not "no SNI" (agg_sni.c keeps it apart) */
        fctx_facts(ctx)->tls.sni_malformed = true;
    }
}

static void
tls_ext_alpn(struct flow_ctx *ctx, struct rd *e)
{
    uint8_t out[TLS_ALPN_MAX];
    size_t k = 0;
    struct rd list = rd_sub(e, rd_be16(e, "alpn.list_len"), "alpn.list");
    while (rd_left(&list) > 0) {
        uint8_t n = rd_u8(&list, "alpn.len");
        const uint8_t *p = rd_bytes(&list, n, "alpn.name");
        if (!p)
            break;
        if (k && k < sizeof(out))
            out[k++] = ',';
        for (unsigned i = 0; i < n && k < sizeof(out); i++)
            out[k++] = p[i];
    }
    if (!rd_ok(&list))
        rd_invalid(e, "alpn");
    fctx_setstr(ctx, &fctx_facts(ctx)->tls.alpn, out, k, TLS_ALPN_MAX);
}

/* TLS found by its first bytes on a port that is no mail port (engine.c
 * engine_dispatch) is taken as implicit TLS mail, unless its ClientHello
 * names the application protocols it wants (ALPN, RFC 7301 §3.1) and SMTP
 * is none of them: then it is another protocol's connection (h2 and
 * http/1.1 of every browser), dissected no further and not reported. MTAs
 * offer no ALPN at all. */
static void
tls_other_protocol(struct flow_ctx *ctx, struct tls_state *st)
{
    struct session_facts *f = fctx_facts(ctx);
    const struct config *cfg = fctx_config(ctx);
    uint16_t port = fctx_server_port(ctx);
    if (!f->smtp.implicit_tls || f->tls.alpn.len == 0 || config_is_mail_port(cfg, port) ||
        config_is_tls_port(cfg, port))
        return;
    const char *s = (const char *)f->tls.alpn.s, *end = s + f->tls.alpn.len;
    while (s < end) {
        const char *c = memchr(s, ',', (size_t)(end - s));
        size_t n = (size_t)((c ? c : end) - s);
        if ((n == 4 && memcmp(s, "smtp", 4) == 0) || (n == 10 && memcmp(s, "submission", 10) == 0))
            return;
        s += n + 1;
    }
    f->other_protocol = true;
    st->done = true;
}

/* A u16 list with an 8- or 16-bit length prefix, into the JA3 string. */
static struct rd
tls_ja3_sublist(struct rd *e, int lenbytes)
{
    size_t n = lenbytes == 1 ? rd_u8(e, "list_len") : rd_be16(e, "list_len");
    return rd_sub(e, n, "list");
}

static void
tls_ja3_list(struct ja3 *j, struct rd *e, int lenbytes, int width)
{
    struct rd l = tls_ja3_sublist(e, lenbytes);
    while (rd_left(&l) >= (size_t)width)
        ja3_value(j, width == 1 ? rd_u8(&l, "v") : rd_be16(&l, "v"));
}

/* JA3 of a ClientHello (salesforce/ja3: SSLVersion,Ciphers,Extensions,
 * EllipticCurves,EllipticCurvePointFormats), read from a copy of the reader
 * at the message's start. Reports nothing: tls_client_hello() does. */
static void
tls_ja3_build(struct rd r, struct ja3 *j)
{
    ja3_init(j);
    ja3_value(j, rd_be16(&r, "ch.version"));
    rd_skip(&r, 32, "ch.random");
    uint8_t sid = rd_u8(&r, "ch.session_id_len");
    rd_skip(&r, sid, "ch.session_id");
    if (sid > 32)
        rd_invalid(&r, "ch.session_id_len");
    ja3_field(j, false);
    struct rd cs = rd_sub(&r, rd_be16(&r, "ch.cipher_suites_len"), "ch.cipher_suites");
    while (rd_left(&cs) >= 2)
        ja3_value(j, rd_be16(&cs, "ch.cipher"));
    rd_skip(&r, rd_u8(&r, "ch.compression_len"), "ch.compression");
    struct ja3 groups, formats;
    ja3_init(&groups);
    ja3_init(&formats);
    ja3_field(j, false);
    if (rd_left(&r) > 0) {
        struct rd exts = rd_sub(&r, rd_be16(&r, "ch.extensions_len"), "ch.extensions");
        while (rd_left(&exts) > 0) {
            uint16_t type = rd_be16(&exts, "ext.type");
            struct rd e = rd_sub(&exts, rd_be16(&exts, "ext.len"), "ext.body");
            ja3_value(j, type);
            if (type == TLS_EXT_SUPPORTED_GROUPS)
                tls_ja3_list(&groups, &e, 2, 2);
            else if (type == TLS_EXT_EC_POINT_FORMATS)
                tls_ja3_list(&formats, &e, 1, 1);
        }
    }
    ja3_field(j, false);
    ja3_append(j, &groups);
    ja3_field(j, false);
    ja3_append(j, &formats);
}

/* What a ClientHello's JA3 is made of, as bytes (ja3_memo_get): its version,
 * cipher suites, extension types in order and the bodies of its
 * supported_groups and ec_point_formats extensions (and, for JA4, of its
 * ALPN, supported_versions and signature_algorithms), each list after its
 * length, so that equal keys mean equal JA3s. Not kept (ok false) when a
 * field was damaged or the key does not fit. */
struct tls_ja3key {
    uint8_t b[JA3_MEMO_KEY_MAX];
    size_t n;
    bool ok;
};

static void
tls_ja3key_put(struct tls_ja3key *k, const uint8_t *p, size_t n)
{
    if (!k->ok || n > sizeof(k->b) - k->n) {
        k->ok = false;
        return;
    }
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

static void
tls_ja3key_u16(struct tls_ja3key *k, uint16_t v)
{
    const uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    tls_ja3key_put(k, b, 2);
}

/* A list's bytes, after their length: read from a copy of its reader. */
static void
tls_ja3key_list(struct tls_ja3key *k, struct rd c)
{
    size_t n = rd_left(&c);
    tls_ja3key_u16(k, (uint16_t)n);
    const uint8_t *p = rd_bytes(&c, n, "ja3.list");
    if (p != NULL && n > 0)
        tls_ja3key_put(k, p, n);
}

/* A session ticket (n > 0 bytes, at most 2^16 - 1) as the resumption
 * table's key: its length, a 64-bit hash of all its bytes and its last 22
 * bytes (zero-filled when shorter): tickets run to hundreds of bytes, and
 * RFC 5077 §4's recommended form ends in an HMAC, which tells tickets apart
 * by itself. No cryptographic hash: tickets cross the wire in clear (TLS
 * 1.2's NewSessionTicket; TLS 1.3's pre_shared_key identity, RFC 8446
 * §4.2.11), so whoever could make one collide could present the ticket itself;
 * SHA-256 through EVP was +9 % per dense session (callgrind; issue 5). */
void
tls_ticket_key(const uint8_t *p, size_t n, uint8_t out[TLS_TICKET_KEY_LEN])
{
    uint64_t h = 0x6a09e667f3bcc908ull ^ n, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { /* a multiply and a rotation a word, mixed once at the end */
        memcpy(&w, p + i, 8);
        h = (h + w) * 0x9e3779b97f4a7c15ull;
        h = h << 31 | h >> 33;
    }
    if (i < n) {
        w = 0;
        memcpy(&w, p + i, n - i);
        h = (h + w) * 0x9e3779b97f4a7c15ull;
    }
    h = nhash_mix(h, n);
    memset(out, 0, TLS_TICKET_KEY_LEN);
    out[0] = (uint8_t)(n >> 8);
    out[1] = (uint8_t)n;
    memcpy(out + 2, &h, 8);
    size_t tail = n < TLS_TICKET_KEY_LEN - 10 ? n : TLS_TICKET_KEY_LEN - 10;
    memcpy(out + 10, p + n - tail, tail);
}

/* The SessionTicket extension of a ClientHello (RFC 5077 §3.2): a
 * non-empty one presents a ticket, kept as tls_ticket_key() has it. An
 * empty one only asks for a ticket. */
static void
tls_ticket_presented(struct tls_state *st, struct rd *e)
{
    size_t n = rd_left(e);
    const uint8_t *p = rd_bytes(e, n, "ch.session_ticket");
    st->ticket_offered = p != NULL && n > 0;
    if (st->ticket_offered)
        tls_ticket_key(p, n, st->ticket_key);
}

/* RFC 5077 §3.3: NewSessionTicket {uint32 ticket_lifetime_hint; opaque
 * ticket<0..2^16-1>}, sent in clear in TLS 1.2 before the server's
 * ChangeCipherSpec, in a full handshake or a resumed one (a renewed
 * ticket). An empty ticket issues none. TLS 1.3's (RFC 8446 §4.6.1) comes
 * after the handshake under the application keys: tls_tickets13.c. */
static void
tls_new_session_ticket(struct flow_ctx *ctx, struct rd *r)
{
    rd_skip(r, 4, "nst.lifetime");
    uint16_t n = rd_be16(r, "nst.ticket_len");
    const uint8_t *p = rd_bytes(r, n, "nst.ticket");
    uint8_t key[TLS_TICKET_KEY_LEN];
    if (p != NULL && n > 0 && rd_left(r) == 0) {
        tls_ticket_key(p, n, key);
        fctx_resume_offer(ctx, 2, key, sizeof(key));
    } else if (rd_ok(r) && rd_left(r) > 0)
        rd_invalid(r, "nst: bytes after the ticket");
}

/* RFC 5246 §7.4.1.2, RFC 8446 §4.1.2. The JA3 is looked up by its key
 * (tls_ja3key): the same client software sends the same fields session
 * after session, and formatting ~100 numbers and hashing the result was
 * ~6 % of a dense capture (issue 5). */
static void
tls_client_hello(struct flow_ctx *ctx, struct tls_state *st, struct rd *r, bool first)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    const struct rd start = *r;
    struct tls_ja3key key;
    key.n = 0;
    key.ok = true;
    t->client_version = rd_be16(r, "ch.version");
    tls_ja3key_u16(&key, t->client_version);
    const uint8_t *random = rd_bytes(r, 32, "ch.random");
    if (random) {
        memcpy(st->client_random, random, 32);
        st->have_random = true;
    }
    uint8_t sid = rd_u8(r, "ch.session_id_len");
    const uint8_t *sidp = rd_bytes(r, sid, "ch.session_id");
    if (sidp && sid <= 32) {
        st->session_id_len = sid;
        memcpy(st->session_id, sidp, sid);
    } else if (sid > 32) {
        rd_invalid(r, "ch.session_id_len");
    }
    struct rd cs = rd_sub(r, rd_be16(r, "ch.cipher_suites_len"), "ch.cipher_suites");
    tls_ja3key_list(&key, cs);
    rd_skip(r, rd_u8(r, "ch.compression_len"), "ch.compression");
    if (rd_left(r) > 0) {
        struct rd exts = rd_sub(r, rd_be16(r, "ch.extensions_len"), "ch.extensions");
        while (rd_left(&exts) > 0) {
            uint16_t type = rd_be16(&exts, "ext.type");
            struct rd e = rd_sub(&exts, rd_be16(&exts, "ext.len"), "ext.body");
            tls_ja3key_u16(&key, type);
            switch (type) {
            case TLS_EXT_SERVER_NAME:
                tls_ext_sni(ctx, &e);
                break;
            case TLS_EXT_STATUS_REQUEST:
                t->status_request = true;
                break;
            case TLS_EXT_ALPN:
                tls_ja3key_list(&key, e); /* JA4 takes its first value */
                tls_ext_alpn(ctx, &e);
                break;
            case TLS_EXT_SUPPORTED_VERSIONS:   /* JA4's version */
            case TLS_EXT_SIGNATURE_ALGORITHMS: /* JA4's last part */
                tls_ja3key_list(&key, e);
                break;
            case TLS_EXT_SESSION_TICKET:
                tls_ticket_presented(st, &e);
                break;
            case TLS_EXT_PRE_SHARED_KEY:
                tls13_psk_offered(st, &e);
                break;
            case TLS_EXT_SUPPORTED_GROUPS:
            case TLS_EXT_EC_POINT_FORMATS: /* the list itself: tls_ja3_build() */
                tls_ja3key_list(&key, e);
                tls_ja3_sublist(&e, type == TLS_EXT_SUPPORTED_GROUPS ? 2 : 1);
                break;
            default:
                break;
            }
            if (!rd_ok(&e))
                tls_malformed(ctx, &e, "ch.extension");
        }
        if (!rd_ok(&exts))
            rd_invalid(r, "ch.extensions");
    }
    const char *js;
    size_t jn;
    /* JA4 is the first ClientHello's, as FoxIO's tool takes it (one a
     * stream): after a HelloRetryRequest the second may add a cookie and
     * drop early_data (RFC 8446 §4.1.2). JA3 is the last one's. */
    char ja4_later[JA4_LEN + 1];
    char *ja4 = first ? t->ja4 : ja4_later;
    if (!rd_ok(r))
        key.ok = false; /* the JA3 of a damaged message is built, not looked up */
    if (key.ok && ja3_memo_get(key.b, key.n, &js, &jn, t->ja3, ja4)) {
        fctx_setstr(ctx, &t->ja3_string, (const uint8_t *)js, jn, JA3_STR_MAX);
        return;
    }
    struct ja3 j;
    tls_ja3_build(start, &j);
    ja3_md5(&j, t->ja3);
    ja4_compute(start.p, rd_left(&start), ja4);
    if (key.ok)
        ja3_memo_put(key.b, key.n, &j, t->ja3, ja4);
    fctx_setstr(ctx, &t->ja3_string, (const uint8_t *)j.s, j.len, JA3_STR_MAX);
}

static void
tls_server_hello(struct flow_ctx *ctx, struct tls_state *st, struct rd *r)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    struct ja3 j;
    ja3_init(&j);
    uint16_t version = rd_be16(r, "sh.version");
    const uint8_t *random = rd_bytes(r, 32, "sh.random");
    uint8_t sid = rd_u8(r, "sh.session_id_len");
    const uint8_t *sidp = rd_bytes(r, sid, "sh.session_id");
    uint16_t cipher = rd_be16(r, "sh.cipher");
    rd_skip(r, 1, "sh.compression");
    if (!rd_ok(r))
        return;
    bool hrr = random && memcmp(random, tls_hrr_random, 32) == 0;
    bool psk = false;
    uint16_t selected = 0, psk_index = UINT16_MAX;
    ja3_value(&j, version);
    ja3_field(&j, false);
    ja3_value(&j, cipher);
    ja3_field(&j, false);
    if (rd_left(r) > 0) {
        struct rd exts = rd_sub(r, rd_be16(r, "sh.extensions_len"), "sh.extensions");
        while (rd_left(&exts) > 0) {
            uint16_t type = rd_be16(&exts, "ext.type");
            struct rd e = rd_sub(&exts, rd_be16(&exts, "ext.len"), "ext.body");
            ja3_value(&j, type);
            if (type == TLS_EXT_SUPPORTED_VERSIONS)
                selected = rd_be16(&e, "sh.supported_version");
            else if (type == TLS_EXT_PRE_SHARED_KEY) /* RFC 8446 §4.2.11 */
                psk = true, psk_index = rd_be16(&e, "sh.psk_selected_identity");
        }
        if (!rd_ok(&exts))
            rd_invalid(r, "sh.extensions");
    }
    if (hrr) {
        /* RFC 8446 §4.1.4: a second ClientHello follows, and the real
         * ServerHello after it. A HelloRetryRequest exists only in TLS 1.3
         * (its supported_versions says 0x0304, §4.2.1), so the rules of
         * 1.3 hold from here: a ChangeCipherSpec either side may send now
         * is the compatibility no-op (§D.4), not the start of encryption,
         * and the second ClientHello and the ServerHello are in clear.
         * No key is in use yet: neither direction is marked encrypted. */
        t->hello_retry = true;
        st->tls13 = true;
        return;
    }
    st->sh_seen = true;
    t->version = selected ? selected : version;
    t->cipher = cipher;
    t->cipher_seen = true;
    t->anonymous = tls_cipher_is_anon(cipher);
    ja3_md5(&j, t->ja3s);
    fctx_setstr(ctx, &t->ja3s_string, (const uint8_t *)j.s, j.len, JA3_STR_MAX);
    if (t->version == 0x0304) {
        /* RFC 8446 §2: everything after the ServerHello is encrypted. */
        st->tls13 = true;
        st->dir[DIR_TO_CLIENT].encrypted = true;
        t->resumed = psk;
        t->certificates = psk ? TLS_CERTS_RESUMED : TLS_CERTS_ENCRYPTED;
        /* the identity the server selected: a ticket whose
         * NewSessionTicket was read (tls_tickets13.c) links the session */
        if (psk && psk_index < st->n_psk && psk_index < TLS_PSK_MAX)
            (void)fctx_resume_find(ctx, 2, st->psk_key[psk_index], TLS_TICKET_KEY_LEN);
        return;
    }
    if (t->anonymous)
        t->certificates = TLS_CERTS_ANONYMOUS;
    if (sidp && sid > 0 && sid <= 32) {
        st->sh_session_id_len = sid;
        memcpy(st->sh_session_id, sidp, sid);
    }
    /* RFC 5246 §7.4.1.3: an echoed non-empty session id resumes the
     * session; with a ticket presented, the server echoes the client's
     * session ID when it accepts the ticket (RFC 5077 §3.4). Linked to the
     * chain the session was given, when its full handshake was seen. */
    if (sidp && sid > 0 && sid == st->session_id_len && memcmp(sidp, st->session_id, sid) == 0) {
        t->resumed = true;
        if (!(st->ticket_offered && fctx_resume_find(ctx, 2, st->ticket_key, TLS_TICKET_KEY_LEN)))
            (void)fctx_resume_find(ctx, 1, sidp, sid);
    }
}

/* A CertificateStatus body (RFC 6066 §8), also the body of a TLS 1.3
 * CertificateEntry's status_request (RFC 8446 §4.4.2.1): true when it
 * holds an OCSP response for the server's certificate. status_type ocsp
 * (1): OCSPResponse<1..2^24-1>; ocsp_multi (2, RFC 6961 §2.2): a list whose
 * first response is the leaf's, empty when there is none for it. The
 * leaf's response is handed up whole (fctx_ocsp), decoded in src/ocsp.c. */
static bool
tls_cert_status(struct flow_ctx *ctx, struct rd *r)
{
    uint8_t type = rd_u8(r, "cs.status_type");
    if (type == 1) {
        uint32_t n = rd_be24(r, "cs.response_len");
        const uint8_t *resp = rd_bytes(r, n, "cs.response");
        if (n == 0)
            rd_invalid(r, "cs.response_len");
        if (resp != NULL && n > 0 && rd_ok(r))
            fctx_ocsp(ctx, resp, n);
        return rd_ok(r);
    }
    if (type == 2) {
        struct rd list = rd_sub(r, rd_be24(r, "cs.list_len"), "cs.list");
        uint32_t first = rd_be24(&list, "cs.response_len");
        const uint8_t *resp = rd_bytes(&list, first, "cs.response");
        while (rd_left(&list) > 0)
            rd_skip(&list, rd_be24(&list, "cs.response_len"), "cs.response");
        if (!rd_ok(&list))
            rd_invalid(r, "cs.list");
        if (resp != NULL && first > 0 && rd_ok(r))
            fctx_ocsp(ctx, resp, first);
        return rd_ok(r) && first > 0;
    }
    rd_skip(r, rd_left(r), "cs.other"); /* another status type: no OCSP response */
    return false;
}

/* The extensions of the server's leaf CertificateEntry (RFC 8446 §4.4.2):
 * its OCSP response, when stapled, is the status_request one. */
static void
tls13_leaf_extensions(struct flow_ctx *ctx, struct tls_facts *t, struct rd *exts)
{
    t->ocsp_stapled = TLS_OCSP_NONE;
    while (rd_left(exts) > 0) {
        uint16_t type = rd_be16(exts, "crt.ext.type");
        struct rd e = rd_sub(exts, rd_be16(exts, "crt.ext.len"), "crt.ext.body");
        if (type == TLS_EXT_STATUS_REQUEST) {
            if (tls_cert_status(ctx, &e))
                t->ocsp_stapled = TLS_OCSP_STAPLED;
            if (!rd_ok(&e))
                rd_invalid(exts, "crt.ext.status_request");
        }
    }
}

/* RFC 5246 §7.4.2 / RFC 8446 §4.4.2. */
static void
tls_certificate(struct flow_ctx *ctx, struct tls_state *st, enum dir d, struct rd *r)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    /* One Certificate per side and handshake (RFC 5246 §7.3, RFC 8446
     * §2): a peer takes the first and answers a second with
     * unexpected_message (RFC 5246 §7.2.2, RFC 8446 §6.2), so the first is
     * the chain it judged. A second is not added to it. */
    if (st->dir[d].crt_taken) {
        fctx_event(ctx, "tls.duplicate_certificate",
                   d == DIR_TO_CLIENT ? "second server Certificate message (not taken)"
                                      : "second client Certificate message (not taken)");
        rd_skip(r, rd_left(r), "crt.duplicate");
        return;
    }
    st->dir[d].crt_taken = true;
    if (st->tls13)
        rd_skip(r, rd_u8(r, "crt.context_len"), "crt.context");
    struct rd list =
        rd_sub(r, rd_be24(r, "crt.list_len"), "crt.list: its length runs past the message");
    unsigned idx = 0;
    bool lost = false, empty = false;
    while (rd_left(&list) > 0 && idx < 64) {
        uint32_t n = rd_be24(&list, "crt.len");
        const uint8_t *der = rd_bytes(&list, n, "crt.der");
        if (!der) {
            rd_invalid(r, "crt.der: a certificate's length runs past the list");
            break;
        }
        empty |= n == 0;
        if (n == 0) /* ASN.1Cert<1..2^24-1>: never empty (RFC 5246 §7.4.2) */
            fctx_event(ctx, "tls.empty_certificate", "zero-length certificate entry");
        else if (fctx_cert(ctx, d, idx, der, n) == FCTX_CERT_LOST)
            lost = true;
        idx++;
        if (st->tls13) {
            struct rd exts = rd_sub(&list, rd_be16(&list, "crt.ext_len"), "crt.extensions");
            if (d == DIR_TO_CLIENT && idx == 1)
                tls13_leaf_extensions(ctx, t, &exts);
            /* the entry's extensions have a length of their own: damage
             * inside them leaves the rest of the chain readable */
            if (!rd_ok(&exts))
                fctx_event(ctx, "tls.malformed_message",
                           "damaged extensions in a certificate entry");
        }
    }
    if (!rd_ok(&list))
        rd_invalid(r, "crt.list: an entry cut by the list's end");
    /* The list is the message's last field: bytes after it are a list
     * length that lies (the rest of the chain left out of it, or later
     * messages swallowed by the message's length). */
    if (rd_left(r) > 0)
        rd_invalid(r, "crt.list: bytes after the certificate list");
    enum tls_cert_visibility v = idx > 0 ? TLS_CERTS_VISIBLE : TLS_CERTS_NONE;
    /* RFC 8446 §4.4.2.4: a client answers a server's empty Certificate
     * with decode_error (TLS 1.2 servers send one only with a
     * certificate, RFC 5246 §7.4.2) */
    if (idx == 0 && d == DIR_TO_CLIENT && rd_ok(r)) {
        fctx_event(ctx, "tls.empty_certificate", "server Certificate with an empty list");
        v = TLS_CERTS_MALFORMED;
    }
    if (lost || empty || !rd_ok(r)) {
        /* a certificate of the chain could not be kept, or one is empty,
         * or the message's lengths do not add up (the message is whole here: reassembled
         * by its own length, so a length past its container is a lie,
         * not a capture cut short; RFC 5246 §7.4.2, RFC 8446 §4.4.2: a
         * peer answers decode_error): with a hole in it the chain would
         * be judged wrongly (the next certificate taken for the leaf, an
         * intermediate missing), so none of it is, and the record says
         * why (the event) and that the certificates were not all seen */
        if (d == DIR_TO_CLIENT)
            t->n_server_chain = 0;
        else
            t->n_client_chain = 0;
        v = rd_ok(r) && !empty ? TLS_CERTS_TRUNCATED : TLS_CERTS_MALFORMED;
    }
    if (d == DIR_TO_CLIENT)
        t->certificates = v;
    else
        t->client_certificates = v;
}

void
tls_hs_note(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type, const char *abbr)
{
    tls_history(ctx, st, d, abbr);
    st->last_hs = type;
    st->last_hs_from = (uint8_t)d;
    fctx_facts(ctx)->tls.last_hs[d] = type;
}

void
tls_hs_message(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
               const uint8_t *body, uint32_t len)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    struct rd r = rd_init(body, len);
    tls_hs_note(ctx, st, d, type, tls_hs_type_abbr(type));
    switch (type) {
    case TLS_HS_CLIENT_HELLO:
        if (d == DIR_TO_SERVER) {
            bool first = !st->ch_seen;
            st->ch_seen = true;
            tls_client_hello(ctx, st, &r, first);
            tls_other_protocol(ctx, st);
        }
        break;
    case TLS_HS_SERVER_HELLO:
        if (d == DIR_TO_CLIENT)
            tls_server_hello(ctx, st, &r);
        break;
    case TLS_HS_CERTIFICATE:
        /* RFC 5246 §7.4.6, RFC 8446 §4.4.2: a client sends one only when
         * asked. After the server's whole flight without a request, it is
         * not a certificate message of this handshake: not taken. */
        if (d == DIR_TO_SERVER && !t->client_certificate_requested &&
            (t->last_hs[DIR_TO_CLIENT] == TLS_HS_SERVER_HELLO_DONE ||
             t->last_hs[DIR_TO_CLIENT] == TLS_HS_FINISHED)) {
            fctx_event(ctx, "tls.unrequested_client_certificate",
                       "client Certificate without a CertificateRequest (not taken)");
            rd_skip(&r, rd_left(&r), "crt.unrequested");
            break;
        }
        tls_certificate(ctx, st, d, &r);
        break;
    case TLS_HS_CERTIFICATE_STATUS:
        /* RFC 6066 §8: right after the server's Certificate (TLS 1.3 has
         * no such message: the CertificateEntry carries it); without a
         * Certificate taken it staples nothing of this chain */
        if (d == DIR_TO_CLIENT && !st->tls13 && st->dir[DIR_TO_CLIENT].crt_taken)
            t->ocsp_stapled = tls_cert_status(ctx, &r) ? TLS_OCSP_STAPLED : TLS_OCSP_NONE;
        break;
    case TLS_HS_CERTIFICATE_REQUEST:
        if (d == DIR_TO_CLIENT) {
            t->client_certificate_requested = true;
            if (t->client_certificates == TLS_CERTS_UNKNOWN)
                t->client_certificates = TLS_CERTS_UNKNOWN;
        }
        break;
    case TLS_HS_SERVER_HELLO_DONE:
        if (d == DIR_TO_CLIENT && t->certificates == TLS_CERTS_UNKNOWN)
            t->certificates = TLS_CERTS_NONE; /* the server's flight ended without one */
        /* a full handshake's session can be resumed by the ID the
         * ServerHello gave (RFC 5246 §7.4.1.2): one key per handshake */
        if (d == DIR_TO_CLIENT && !t->resumed && st->sh_session_id_len > 0)
            fctx_resume_offer(ctx, 1, st->sh_session_id, st->sh_session_id_len);
        break;
    case TLS_HS_NEW_SESSION_TICKET:
        if (d == DIR_TO_CLIENT && !st->tls13)
            tls_new_session_ticket(ctx, &r);
        else
            rd_skip(&r, rd_left(&r), "nst");
        break;
    default:
        break;
    }
    /* The server's flight went past its Certificate without a
     * CertificateStatus (RFC 6066 §8: it would have come next): none
     * stapled. Not known when its Certificate was not taken. */
    if (d == DIR_TO_CLIENT && !st->tls13 && t->ocsp_stapled == TLS_OCSP_UNSEEN &&
        st->dir[DIR_TO_CLIENT].crt_taken &&
        (type == TLS_HS_SERVER_KEY_EXCHANGE || type == TLS_HS_CERTIFICATE_REQUEST ||
         type == TLS_HS_SERVER_HELLO_DONE))
        t->ocsp_stapled = TLS_OCSP_NONE;
    if (!rd_ok(&r))
        tls_malformed(ctx, &r, tls_hs_type_str(type));
}
