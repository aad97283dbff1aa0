/* \summary: stapled OCSP responses (RFC 6960 §4.2), read as an OpenSSL
 * client reads them (d2i_OCSP_RESPONSE: bytes after the response are
 * ignored, as Exim's and s_client's callbacks ignore them), judged for the
 * leaf of the chain sent: its single response found by CertID (§4.1.1,
 * with the hash algorithm the response used) with the leaf's issuer, the
 * first certificate sent after the leaf that issued it or else the trust
 * store's; by serial number alone when no issuer is known (matches_leaf
 * then unknown). The signature is the issuer's or a delegated responder's
 * (§4.2.2.2: a certificate the issuer issued with id-kp-OCSPSigning); the
 * trust in the issuer itself is the chain's verdict (verify.c), not
 * repeated here. Times are judged at the session's time with OCSP_SKEW_S.
 *
 * The memo: ocsp.cache_max slots, each one response's bytes and its last
 * OCSP_MEMOS judgements by (leaf, every certificate sent after it: the
 * issuer is looked for among all of them, not only the second); a response
 * whose hash falls on a taken slot replaces it (direct-mapped: bounded,
 * no eviction walk). Everything is allocated through mem.c (the memcap). */
#include "ocsp.h"
#include "x509_decode.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <time.h>

#include "certcache.h"
#include "mem.h"
#include "strcopy.h"
#include "verify.h"
#include "x509.h"

#define OCSP_MEMOS 2

struct ocsp_memo {
    uint32_t leaf; /* the leaf's certificate id */
    uint64_t rest; /* the ids of the certificates sent after it (oc_chain_key) */
    struct ocsp_verdict v;
};

struct ocsp_entry {
    uint64_t hash;
    uint32_t len;
    uint8_t n_memo, next;
    uint8_t *der;
    struct ocsp_memo memo[OCSP_MEMOS];
};

static struct {
    struct ocsp_entry **slots; /* made at the first staple: a run without one pays nothing */
    uint32_t n_slots;          /* a power of two; 0: no memo */
    bool slots_refused;        /* the memcap refused the table: no memo */
    uint64_t decoded, hits;
} oc;

int
ocsp_init(uint32_t max_entries)
{
    memset(&oc, 0, sizeof(oc));
    uint32_t n = 1;
    while (n < max_entries && n < (1u << 24))
        n <<= 1;
    oc.n_slots = n;
    return 0;
}

/* The slot table, made on first use; false when there is none. */
static bool
oc_table(void)
{
    if (oc.slots == NULL && oc.n_slots != 0 && !oc.slots_refused &&
        (oc.slots = mem_alloc((size_t)oc.n_slots * sizeof(*oc.slots))) == NULL)
        oc.slots_refused = true;
    return oc.slots != NULL;
}

static void
oc_entry_free(struct ocsp_entry *e)
{
    if (e == NULL)
        return;
    mem_free(e->der, e->len);
    mem_free(e, sizeof(*e));
}

void
ocsp_fini(void)
{
    for (uint32_t i = 0; oc.slots != NULL && i < oc.n_slots; i++)
        oc_entry_free(oc.slots[i]);
    if (oc.slots != NULL)
        mem_free(oc.slots, (size_t)oc.n_slots * sizeof(*oc.slots));
    memset(&oc, 0, sizeof(oc));
}

void
ocsp_counters(uint64_t *decoded, uint64_t *memo_hits)
{
    *decoded = oc.decoded;
    *memo_hits = oc.hits;
}

/* FNV-1a, 64 bits: responses are a few KiB, looked up once a session. */
static uint64_t
oc_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int64_t
oc_time(const ASN1_GENERALIZEDTIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return OCSP_NO_TIME;
    return (int64_t)timegm(&tm);
}

/* The leaf's issuer: a certificate sent after it that issued it, else the
 * trust store's. A new reference, or NULL. */
static X509 *
oc_issuer(X509 *leaf, const uint32_t *chain, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        X509 *x = certcache_x509(chain[i]);
        if (x != NULL && X509_check_issued(x, leaf) == X509_V_OK)
            return x;
        X509_free(x);
    }
    bool unreadable;
    X509_STORE *st = verify_store(&unreadable);
    X509_STORE_CTX *ctx = st ? X509_STORE_CTX_new() : NULL;
    X509 *iss = NULL;
    if (ctx && X509_STORE_CTX_init(ctx, st, leaf, NULL) == 1 &&
        X509_STORE_CTX_get1_issuer(&iss, ctx, leaf) != 1)
        iss = NULL;
    X509_STORE_CTX_free(ctx);
    return iss;
}

/* RFC 6960 §4.2.2.2: signed by the issuer, or by a responder certificate
 * the issuer issued that has id-kp-OCSPSigning. */
static uint8_t
oc_signature(OCSP_BASICRESP *bs, X509 *issuer)
{
    STACK_OF(X509) *extra = sk_X509_new_null();
    X509 *signer = NULL;
    uint8_t r;
    if (extra == NULL || !sk_X509_push(extra, issuer)) {
        r = OCSP_SIG_UNCHECKED;
    } else if (OCSP_resp_get0_signer(bs, &signer, extra) != 1 || signer == NULL) {
        r = OCSP_SIG_NO_SIGNER;
    } else if (OCSP_basic_verify(bs, extra, NULL, OCSP_NOVERIFY) != 1) {
        r = OCSP_SIG_BAD; /* the signer was found above: its key refused the signature */
    } else if (X509_cmp(signer, issuer) == 0) {
        r = OCSP_SIG_ISSUER;
    } else {
        EVP_PKEY *ik = X509_get0_pubkey(issuer);
        bool by_issuer = X509_check_issued(issuer, signer) == X509_V_OK && ik != NULL &&
                         X509_verify(signer, ik) == 1;
        bool eku = (X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) &&
                   (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN);
        r = by_issuer && eku ? OCSP_SIG_DELEGATED : OCSP_SIG_UNAUTHORIZED;
    }
    sk_X509_free(extra); /* the issuer is the caller's */
    ERR_clear_error();
    return r;
}

/* The single response for the leaf: by CertID with the issuer, else by
 * serial number. Its index, or -1. */
static int
oc_find(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer)
{
    int cnt = OCSP_resp_count(bs);
    for (int i = 0; i < cnt; i++) {
        OCSP_SINGLERESP *s = OCSP_resp_get0(bs, i);
        const OCSP_CERTID *cid = s ? OCSP_SINGLERESP_get0_id(s) : NULL;
        ASN1_OBJECT *md = NULL;
        ASN1_INTEGER *serial = NULL;
        if (cid == NULL || OCSP_id_get0_info(NULL, &md, NULL, &serial, (OCSP_CERTID *)cid) != 1)
            continue;
        if (issuer == NULL) {
            if (serial && ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(leaf)) == 0)
                return i;
            continue;
        }
        const EVP_MD *dg = md ? EVP_get_digestbyobj(md) : NULL;
        OCSP_CERTID *mine = dg ? OCSP_cert_to_id(dg, leaf, issuer) : NULL;
        bool same = mine != NULL && OCSP_id_cmp(mine, cid) == 0;
        OCSP_CERTID_free(mine);
        if (same)
            return i;
    }
    return -1;
}

static void
oc_responder(OCSP_BASICRESP *bs, struct ocsp_verdict *o)
{
    const ASN1_OCTET_STRING *key = NULL;
    const X509_NAME *name = NULL;
    if (OCSP_resp_get0_id(bs, &key, &name) != 1)
        return;
    if (name != NULL) {
        x509_name_copy(name, o->responder, sizeof(o->responder));
        return;
    }
    static const char hx[] = "0123456789ABCDEF";
    size_t k = 0;
    memcpy(o->responder, "key:", 4);
    k = 4;
    int n = key ? ASN1_STRING_length(key) : 0;
    const unsigned char *d = key ? ASN1_STRING_get0_data(key) : NULL;
    for (int i = 0; d && i < n && k + 3 < sizeof(o->responder); i++) {
        o->responder[k++] = hx[d[i] >> 4];
        o->responder[k++] = hx[d[i] & 15];
    }
    o->responder[k] = '\0';
}

/* Everything but the time's verdict, from the bytes. */
static void
oc_decode(const uint8_t *der, size_t len, const uint32_t *chain, unsigned n, struct ocsp_verdict *o)
{
    uint64_t refused = mem_cap_hits();
    const unsigned char *p = der;
    OCSP_RESPONSE *r = len <= LONG_MAX ? d2i_OCSP_RESPONSE(NULL, &p, (long)len) : NULL;
    if (r == NULL) {
        o->error = mem_cap_hits() != refused ? "no_memory" : "malformed";
        ERR_clear_error();
        return;
    }
    o->status = OCSP_response_status(r);
    OCSP_BASICRESP *bs =
        o->status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? OCSP_response_get1_basic(r) : NULL;
    OCSP_RESPONSE_free(r);
    if (o->status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return;
    if (bs == NULL) { /* another response type than id-pkix-ocsp-basic, or none */
        o->error = mem_cap_hits() != refused ? "no_memory" : "not_basic";
        ERR_clear_error();
        return;
    }
    o->produced_at = oc_time(OCSP_resp_get0_produced_at(bs));
    oc_responder(bs, o);
    int cnt = OCSP_resp_count(bs);
    o->responses = (uint8_t)(cnt > 255 ? 255 : cnt < 0 ? 0 : cnt);
    X509 *leaf = n && chain[0] ? certcache_x509(chain[0]) : NULL;
    if (leaf == NULL) /* not kept (certcache.max), not decodable, or the memcap */
        o->error = mem_cap_hits() != refused ? "no_memory" : "no_leaf";
    X509 *issuer = leaf ? oc_issuer(leaf, chain, n) : NULL;
    int idx = leaf ? oc_find(bs, leaf, issuer) : -1;
    o->matches_leaf = (int8_t)(issuer ? idx >= 0 : -1);
    if (idx >= 0) {
        int reason = -1;
        ASN1_GENERALIZEDTIME *rev = NULL, *thisu = NULL, *nextu = NULL;
        o->cert_status =
            OCSP_single_get0_status(OCSP_resp_get0(bs, idx), &reason, &rev, &thisu, &nextu);
        o->reason = o->cert_status == V_OCSP_CERTSTATUS_REVOKED ? reason : -1;
        o->revocation_time = oc_time(rev);
        o->this_update = oc_time(thisu);
        o->next_update = oc_time(nextu);
    }
    if (issuer)
        o->signature = oc_signature(bs, issuer);
    X509_free(issuer);
    X509_free(leaf);
    OCSP_BASICRESP_free(bs);
    ERR_clear_error();
    /* a refusal anywhere (the CertID, the issuer's lookup, the signature's
     * check) leaves a judgement that says nothing about the server: no
     * response for the leaf, no signer */
    if (mem_cap_hits() != refused)
        o->error = "no_memory";
}

/* The first problem that applies: what a client that checks the staple
 * rejects it for (docs/findings.md). */
static uint8_t
oc_problem(const struct ocsp_verdict *o, int64_t at_s)
{
    if (!ocsp_judged(o))
        return OCSP_PB_NONE; /* nothing said about the staple: no finding */
    if (o->error != NULL)
        return OCSP_PB_MALFORMED;
    if (o->status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return OCSP_PB_STATUS;
    if (o->cert_status < 0)
        return OCSP_PB_OTHER_CERT;
    if (o->signature == OCSP_SIG_BAD || o->signature == OCSP_SIG_UNAUTHORIZED ||
        o->signature == OCSP_SIG_NO_SIGNER)
        return OCSP_PB_SIGNATURE;
    if (o->cert_status == V_OCSP_CERTSTATUS_REVOKED)
        return OCSP_PB_REVOKED;
    if (o->cert_status != V_OCSP_CERTSTATUS_GOOD)
        return OCSP_PB_CERT_UNKNOWN;
    if (o->this_update == OCSP_NO_TIME || o->this_update > at_s + OCSP_SKEW_S)
        return OCSP_PB_NOT_YET_VALID;
    if (o->next_update != OCSP_NO_TIME && o->next_update < at_s - OCSP_SKEW_S)
        return OCSP_PB_STALE;
    return OCSP_PB_NONE;
}

static struct ocsp_entry *
oc_slot(uint64_t h, const uint8_t *der, size_t len, bool *same)
{
    struct ocsp_entry **s = &oc.slots[h & (oc.n_slots - 1)];
    *same = *s != NULL && (*s)->hash == h && (*s)->len == len && memcmp((*s)->der, der, len) == 0;
    return *s;
}

static void
oc_remember(uint64_t h, const uint8_t *der, size_t len, uint32_t leaf, uint64_t rest,
            const struct ocsp_verdict *v)
{
    struct ocsp_entry **s = &oc.slots[h & (oc.n_slots - 1)];
    bool same;
    struct ocsp_entry *e = oc_slot(h, der, len, &same);
    if (!same) {
        oc_entry_free(e);
        *s = NULL;
        if ((e = mem_alloc(sizeof(*e))) == NULL)
            return;
        if ((e->der = mem_alloc_raw(len)) == NULL) {
            mem_free(e, sizeof(*e));
            return;
        }
        memcpy(e->der, der, len);
        e->len = (uint32_t)len;
        e->hash = h;
        *s = e;
    }
    struct ocsp_memo *m = &e->memo[e->n_memo < OCSP_MEMOS ? e->n_memo++ : e->next];
    if (e->n_memo == OCSP_MEMOS && m == &e->memo[e->next])
        e->next = (uint8_t)((e->next + 1) % OCSP_MEMOS);
    m->leaf = leaf;
    m->rest = rest;
    m->v = *v;
}

static void
oc_unknown(struct ocsp_verdict *o)
{
    o->status = o->cert_status = o->reason = -1;
    o->matches_leaf = -1;
    o->produced_at = o->this_update = o->next_update = o->revocation_time = OCSP_NO_TIME;
}

bool
ocsp_judged(const struct ocsp_verdict *o)
{
    return o->present && !o->too_large &&
           (o->error == NULL ||
            (strcmp(o->error, "no_memory") != 0 && strcmp(o->error, "no_leaf") != 0));
}

void
ocsp_unjudged(uint32_t len, struct ocsp_verdict *out)
{
    memset(out, 0, sizeof(*out));
    oc_unknown(out);
    out->present = true;
    out->too_large = true;
    out->length = len;
}

void
ocsp_judge(const uint8_t *der, size_t len, const uint32_t *chain, unsigned n, int64_t at_s,
           struct ocsp_verdict *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t leaf = n ? chain[0] : 0;
    uint64_t rest = n > 1 ? oc_hash((const uint8_t *)(chain + 1), (n - 1) * sizeof(*chain)) : 0;
    uint64_t h = oc_hash(der, len);
    bool same = false;
    bool memo = len <= UINT32_MAX && oc_table();
    struct ocsp_entry *e = memo ? oc_slot(h, der, len, &same) : NULL;
    bool found = false;
    for (unsigned i = 0; same && i < e->n_memo && !found; i++)
        if (e->memo[i].leaf == leaf && e->memo[i].rest == rest) {
            *out = e->memo[i].v;
            found = true;
            oc.hits++;
        }
    if (!found) {
        oc_unknown(out);
        /* the certificates a response carries (a delegated responder's)
         * decode their keys without OpenSSL 3.0's decoder set-up, as
         * certcache's do: 0.3 ms a response otherwise, and a distinct leaf
         * under one staple is a judgement each (issue 5) */
        x509_decode_begin();
        oc_decode(der, len, chain, n, out);
        x509_decode_end();
        oc.decoded++;
        out->present = true;
        /* a judgement the memcap cut short is made again next time */
        if (memo && ocsp_judged(out))
            oc_remember(h, der, len, leaf, rest, out);
    }
    out->present = true;
    out->length = (uint32_t)len;
    out->problem = oc_problem(out, at_s);
}

const char *
ocsp_status_str(int status)
{
    /* RFC 6960 §4.2.1 OCSPResponseStatus (4 is not used) */
    static const char *const n[] = {"successful", "malformedRequest", "internalError", "tryLater",
                                    NULL,         "sigRequired",      "unauthorized"};
    if (status < 0)
        return NULL;
    if ((size_t)status < sizeof(n) / sizeof(n[0]) && n[status])
        return n[status];
    return "unassigned";
}

const char *
ocsp_cert_status_str(int cs)
{
    static const char *const n[] = {"good", "revoked", "unknown"};
    return cs >= 0 && cs <= 2 ? n[cs] : NULL;
}

const char *
ocsp_reason_str(int reason)
{
    /* RFC 5280 §5.3.1 CRLReason (7 is not used) */
    static const char *const n[] = {
        "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
        "superseded",    "cessationOfOperation", "certificateHold", NULL,
        "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};
    if (reason < 0)
        return NULL;
    if ((size_t)reason < sizeof(n) / sizeof(n[0]) && n[reason])
        return n[reason];
    return "unassigned";
}

const char *
ocsp_signature_str(uint8_t sig)
{
    static const char *const n[] = {NULL,  "issuer",       "delegated",
                                    "bad", "unauthorized", "signer_not_found"};
    return sig < sizeof(n) / sizeof(n[0]) ? n[sig] : NULL;
}

const char *
ocsp_problem_str(uint8_t pb)
{
    static const char *const n[OCSP_PB_COUNT] = {
        [OCSP_PB_REVOKED] = "revoked",
        [OCSP_PB_MALFORMED] = "malformed",
        [OCSP_PB_STATUS] = "error_status",
        [OCSP_PB_OTHER_CERT] = "other_certificate",
        [OCSP_PB_SIGNATURE] = "signature",
        [OCSP_PB_STALE] = "stale",
        [OCSP_PB_NOT_YET_VALID] = "not_yet_valid",
        [OCSP_PB_CERT_UNKNOWN] = "cert_unknown",
    };
    return pb < OCSP_PB_COUNT ? n[pb] : NULL;
}

const char *
ocsp_problem_text(uint8_t pb)
{
    static const char *const n[OCSP_PB_COUNT] = {
        [OCSP_PB_REVOKED] = "says the certificate is revoked",
        [OCSP_PB_MALFORMED] = "is no OCSP response that can be read",
        [OCSP_PB_STATUS] = "is an OCSP error (not successful)",
        [OCSP_PB_OTHER_CERT] = "answers for another certificate (none of its responses is "
                               "the leaf's: a staple left from before a renewal?)",
        [OCSP_PB_SIGNATURE] = "is not signed by the issuer or a responder it authorised",
        [OCSP_PB_STALE] = "is stale (its nextUpdate had passed)",
        [OCSP_PB_NOT_YET_VALID] = "is not yet valid (its thisUpdate is later)",
        [OCSP_PB_CERT_UNKNOWN] = "says the responder does not know the certificate (unknown)",
    };
    return pb < OCSP_PB_COUNT ? n[pb] : NULL;
}
