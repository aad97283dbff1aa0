/* \summary: the DANE verdict a DANE SMTP client reaches (see dane.h), by
 * OpenSSL's own DANE support, which Postfix uses (SSL_CTX_dane_enable(3)):
 * one SSL per verdict with SSL_dane_enable(base domain), SSL_add1_host(each
 * next hop), SSL_dane_tlsa_add of each usable record, and X509_verify_cert on
 * the chain as sent with X509_STORE_CTX_set0_dane and no trust store.
 *
 * RFC 7672 §3.1.1: a DANE-EE(3) record matching the leaf authenticates it,
 * name and validity period unchecked (DANE_FLAG_NO_DANE_EE_NAMECHECKS, as
 * Postfix sets it; OpenSSL then skips the chain's checks). §3.1.2: a
 * DANE-TA(2) record names a trust anchor the server sends (RFC 7671
 * §5.2.2); the chain from the leaf up to it must verify (signatures,
 * validity at the session's time, the leaf for a TLS server) and the
 * leaf's names must match a reference identifier (§3.2.2: the TLSA base
 * domain, or the next-hop domain whose MX host it is, CNAME-expanded or
 * not; not the MX host's name before its expansion, which Postfix 3.7
 * fails with "hostname mismatch": pcaps/diag/dane-anchor.pcap). The verify callback
 * lets verification go on past each error, so every reason is known. Key
 * and digest strengths as libssl holds a chain to (the auth level: the
 * security level, 0 as Postfix sets it: none).
 *
 * Records of matching type 0 (RFC 6698 §2.1.3: the full certificate or
 * SubjectPublicKeyInfo) are given to OpenSSL as published (tlsa.h's
 * full): a DANE-TA(2) 2 0 0 certificate or 2 1 0 key is then a trust
 * anchor though the server did not send it (RFC 7671 §5.2.2, RFC 7672
 * §3.1.2: a client may use it so; Postfix does, libssl adds the
 * certificate to the chain's candidates, or checks the top certificate's
 * signature with the key), at a depth one past the chain sent; DANE-EE(3)
 * 3 0 0 / 3 1 0 must equal the leaf byte for byte.
 *
 * Verdicts are remembered in a fixed set-associative table (as verify.c's)
 * per (chain, RRset and its record count, next hops), with the span around
 * the time it was made in which no certificate of the chain starts or ends
 * its validity: a session in that span reuses it. */
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "certcache.h"
#include "dane.h"
#include "facts.h"
#include "mem.h"

#define DV_SLOTS 512
#define DV_WAYS  4

struct dv_slot {
    bool used;
    uint8_t n;
    uint32_t ids[FACTS_CHAIN_MAX];
    uint32_t first, records;
    uint8_t n_hops;
    const char *hops[DANE_NEXTHOPS_MAX]; /* dnslearn's strings: valid until its fini */
    int64_t lo, hi;                      /* the verdict holds for lo < at < hi */
    uint64_t stamp;
    struct dane_result res;
};

static struct {
    SSL_CTX *ctx;
    bool ctx_failed;
    struct dv_slot *cache;
    uint64_t clock, computed, cached;
    /* the callback's: the result being filled */
    struct dane_result *cur;
} dv;

void
dane_verify_fini(void)
{
    SSL_CTX_free(dv.ctx);
    mem_free(dv.cache, DV_SLOTS * sizeof(*dv.cache));
    memset(&dv, 0, sizeof(dv));
}

uint64_t
dane_verify_computed(void)
{
    return dv.computed;
}

uint64_t
dane_verify_cached(void)
{
    return dv.cached;
}

static SSL_CTX *
dv_ctx(void)
{
    if (dv.ctx || dv.ctx_failed)
        return dv.ctx;
    dv.ctx = SSL_CTX_new(TLS_client_method());
    if (dv.ctx == NULL || SSL_CTX_dane_enable(dv.ctx) <= 0) {
        SSL_CTX_free(dv.ctx);
        dv.ctx = NULL;
        dv.ctx_failed = true;
        ERR_clear_error();
        return NULL;
    }
    SSL_CTX_dane_set_flags(dv.ctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
    /* the key and digest strengths a chain is held to: Postfix's SMTP
     * client sets security level 0 ("backwards compatible security as a
     * base for opportunistic TLS", tls_client.c), which also keeps any
     * openssl.cnf from changing the verdict */
    SSL_CTX_set_security_level(dv.ctx, 0);
    return dv.ctx;
}

static uint8_t
dv_why(int err)
{
    switch (err) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
        return DANE_WHY_NAME;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        return DANE_WHY_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        return DANE_WHY_NOT_YET_VALID;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        return DANE_WHY_SIGNATURE;
    case X509_V_ERR_INVALID_PURPOSE:
        return DANE_WHY_PURPOSE;
    /* no anchor: what no record matching says (why 0) */
    case X509_V_ERR_DANE_NO_MATCH:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
        return 0;
    default:
        return DANE_WHY_OTHER;
    }
}

/* Every error, not only the first: verification goes on. */
static int
dv_cb(int ok, X509_STORE_CTX *xc)
{
    if (!ok && dv.cur != NULL) {
        int err = X509_STORE_CTX_get_error(xc);
        uint8_t why = dv_why(err);
        if (why != 0 && dv.cur->why == 0) {
            dv.cur->verify_error = (int16_t)err;
            int d = X509_STORE_CTX_get_error_depth(xc);
            dv.cur->error_depth = (uint8_t)(d > 0 && d < 256 ? d : 0);
        }
        dv.cur->why |= why;
    }
    return 1;
}

/* The span around at in which no certificate of the chain starts or ends
 * its validity; false when at is on such an instant (not remembered). */
static bool
dv_span(const uint32_t *ids, unsigned n, int64_t at, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    for (unsigned i = 0; i < n; i++) {
        const struct cert_entry *e = certcache_get(ids[i]);
        if (e == NULL || e->info.parse_error)
            continue;
        const int64_t t[2] = {e->info.not_before, e->info.not_after};
        for (unsigned k = 0; k < 2; k++) {
            if (t[k] == at)
                return false;
            if (t[k] < at && t[k] > *lo)
                *lo = t[k];
            if (t[k] > at && t[k] < *hi)
                *hi = t[k];
        }
    }
    return true;
}

static bool
dv_same_hops(const struct dv_slot *s, const char *const *hops, unsigned n_hops)
{
    if (s->n_hops != n_hops)
        return false;
    for (unsigned k = 0; k < n_hops; k++)
        if (s->hops[k] != hops[k] && strcmp(s->hops[k], hops[k]) != 0)
            return false;
    return true;
}

static struct dv_slot *
dv_slot(const uint32_t *ids, unsigned n, uint32_t first, uint32_t records, const char *const *hops,
        unsigned n_hops, int64_t at, bool *hit)
{
    *hit = false;
    if (dv.cache == NULL && (dv.cache = mem_alloc(DV_SLOTS * sizeof(*dv.cache))) != NULL)
        memset(dv.cache, 0, DV_SLOTS * sizeof(*dv.cache));
    if (dv.cache == NULL)
        return NULL;
    uint64_t h = ((uint64_t)first << 32 | records) * 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ ids[i]) * 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    uint32_t i0 = (uint32_t)(h % DV_SLOTS);
    struct dv_slot *victim = NULL;
    for (unsigned w = 0; w < DV_WAYS; w++) {
        struct dv_slot *s = &dv.cache[(i0 + w) % DV_SLOTS];
        if (s->used && s->n == n && s->first == first && s->records == records &&
            memcmp(s->ids, ids, n * sizeof(ids[0])) == 0 && dv_same_hops(s, hops, n_hops)) {
            if (s->lo < at && at < s->hi) {
                *hit = true;
                s->stamp = ++dv.clock;
            }
            return s; /* another span: made again in its place */
        }
        if (!victim || (victim->used && (!s->used || s->stamp < victim->stamp)))
            victim = s;
    }
    return victim;
}

/* The usable records of the RRset given to s; their count. */
static unsigned
dv_add_records(SSL *s, uint32_t first, uint32_t *records)
{
    unsigned added = 0;
    *records = 0;
    const struct tlsa_ent *t = tlsa_get(first);
    for (uint32_t guard = 0; t != NULL && guard < tlsa_count();
         t = t->next == TLSA_NONE ? NULL : tlsa_get(t->next), guard++) {
        ++*records;
        if (!dane_usable(&t->rr))
            continue; /* PKIX-TA(0), PKIX-EE(1): not for SMTP (RFC 7672 §3.1.3) */
        const struct tlsa_rr *r = &t->rr;
        /* matching type 0 as published: OpenSSL parses a DANE-TA(2)
         * certificate or key and anchors the chain on it, sent or not (as
         * Postfix's ta_cert/ta_pkey did before OpenSSL had DANE); a record
         * that does not parse is refused, as Postfix drops it ("malformed
         * certificate"). tlsa.c keeps every usable one in full (a SHA-256
         * alone, given as matching type 1, would match a certificate sent
         * only); the digest branch is for no usable record */
        int ok = t->full ? SSL_dane_tlsa_add(s, r->usage, r->selector, 0, t->full, r->len)
                 : r->hashed
                     ? SSL_dane_tlsa_add(s, r->usage, r->selector, 1, r->data, 32)
                     : SSL_dane_tlsa_add(s, r->usage, r->selector, r->mtype, r->data, r->len);
        added += ok > 0;
    }
    return added;
}

/* One verification; false when it could not run. */
static bool
dv_run(const uint32_t *ids, unsigned n, uint32_t first, const char *base, const char *const *hops,
       unsigned n_hops, int64_t at_s, struct dane_result *out, uint32_t *records)
{
    SSL_CTX *ctx = dv_ctx();
    X509 *leaf = ctx ? certcache_x509(ids[0]) : NULL; /* a reference, released below */
    if (leaf == NULL)
        return false;
    bool ran = false;
    SSL *s = SSL_new(ctx);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *xc = X509_STORE_CTX_new();
    for (unsigned i = 1; i < n && untrusted; i++) {
        X509 *x = certcache_x509(ids[i]);
        if (x && !sk_X509_push(untrusted, x))
            X509_free(x);
    }
    if (s == NULL || untrusted == NULL || xc == NULL || SSL_dane_enable(s, base) <= 0)
        goto out;
    /* every next hop a reference identifier: a leaf naming any one passes */
    for (unsigned k = 0; k < n_hops; k++)
        if (strcasecmp(hops[k], base) != 0 && SSL_add1_host(s, hops[k]) != 1)
            goto out;
    if (dv_add_records(s, first, records) == 0)
        goto out;
    /* as libssl's ssl_verify_cert_chain for a client: an empty store (no
     * PKIX anchor: the records alone), "ssl_server" (id-kp-serverAuth) */
    if (X509_STORE_CTX_init(xc, SSL_CTX_get_cert_store(ctx), leaf, untrusted) != 1 ||
        X509_STORE_CTX_set_default(xc, "ssl_server") != 1 ||
        X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(xc), SSL_get0_param(s)) != 1)
        goto out;
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(xc), SSL_get_security_level(s));
    X509_STORE_CTX_set0_dane(xc, SSL_get0_dane(s));
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(xc), (time_t)at_s);
    X509_STORE_CTX_set_verify_cb(xc, dv_cb);
    dv.cur = out;
    int ok = X509_verify_cert(xc);
    dv.cur = NULL;
    uint8_t usage = 0, sel, mt;
    const unsigned char *data;
    size_t dlen;
    int depth = SSL_get0_dane_tlsa(s, &usage, &sel, &mt, &data, &dlen);
    if (depth >= 0) {
        out->match_usage = usage;
        out->match_depth = (uint8_t)(depth < 256 ? depth : 255);
        /* the anchor not among the certificates sent: a 2 0 0 certificate
         * past the chain's end, or a 2 1 0 bare key (no certificate) */
        X509 *mcert = NULL;
        EVP_PKEY *mspki = NULL;
        int adepth = SSL_get0_dane_authority(s, &mcert, &mspki);
        out->anchor_from_record =
            usage == 2 && mt == 0 && adepth >= 0 && (mcert == NULL || (unsigned)adepth >= n);
    }
    if (ok == 1 && depth >= 0 && out->why == 0)
        out->state = DANE_MATCH;
    else {
        out->state = DANE_MISMATCH;
        if (depth < 0) { /* no record matched: whatever else failed is moot */
            out->why = 0;
            out->verify_error = 0;
            out->error_depth = 0;
            out->match_usage = 0;
            out->anchor_from_record = false;
        } else if (out->why == 0) {
            out->why = DANE_WHY_OTHER;
            out->verify_error = (int16_t)X509_STORE_CTX_get_error(xc);
        }
    }
    ran = true;
out:
    X509_STORE_CTX_free(xc);
    sk_X509_pop_free(untrusted, X509_free);
    SSL_free(s);
    X509_free(leaf);
    ERR_clear_error();
    return ran;
}

bool
dane_verify(const uint32_t *ids, unsigned n, uint32_t first, const char *base,
            const char *const *hops, unsigned n_hops, int64_t at_s, struct dane_result *out)
{
    if (n_hops > DANE_NEXTHOPS_MAX)
        n_hops = DANE_NEXTHOPS_MAX;
    if (n == 0 || n > FACTS_CHAIN_MAX || base == NULL || base[0] == '\0')
        return false;
    uint32_t records = 0;
    for (const struct tlsa_ent *t = tlsa_get(first); t != NULL && records < tlsa_count();
         t = t->next == TLSA_NONE ? NULL : tlsa_get(t->next))
        records++;
    int64_t lo, hi;
    bool stable = dv_span(ids, n, at_s, &lo, &hi), hit = false;
    struct dv_slot *slot =
        stable ? dv_slot(ids, n, first, records, hops, n_hops, at_s, &hit) : NULL;
    struct dane_result r;
    if (hit) {
        r = slot->res;
        dv.cached++;
    } else {
        memset(&r, 0, sizeof(r));
        uint64_t cap_hits = mem_cap_hits();
        uint32_t given;
        if (!dv_run(ids, n, first, base, hops, n_hops, at_s, &r, &given))
            return false;
        dv.computed++;
        /* a verdict made while memory was refused: used once */
        if (slot && mem_cap_hits() == cap_hits) {
            slot->used = true;
            slot->stamp = ++dv.clock;
            slot->n = (uint8_t)n;
            memcpy(slot->ids, ids, n * sizeof(ids[0]));
            slot->first = first;
            slot->records = records;
            slot->n_hops = (uint8_t)n_hops;
            memcpy(slot->hops, hops, n_hops * sizeof(hops[0]));
            slot->lo = lo;
            slot->hi = hi;
            slot->res = r;
        }
    }
    out->state = r.state;
    out->match_usage = r.match_usage;
    out->why = r.why;
    out->match_depth = r.match_depth;
    out->verify_error = r.verify_error;
    out->error_depth = r.error_depth;
    out->anchor_from_record = r.anchor_from_record;
    return true;
}
