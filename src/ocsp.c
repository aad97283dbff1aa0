/* \summary: stapled OCSP responses (RFC 6960 §4.2), read as an OpenSSL
 * client reads them (d2i_OCSP_RESPONSE: bytes after the response are
 * ignored, as Exim's and s_client's callbacks ignore them), judged for the
 * leaf of the chain sent: its single response found by CertID (§4.1.1,
 * with the hash algorithm the response used) with the leaf's issuer, the
 * first certificate sent after the leaf that issued it or else the trust
 * store's; by serial number alone when no issuer is known (matches_leaf
 * then unknown). The signature is the issuer's or a delegated responder's
 * (§4.2.2.2: a certificate the issuer issued directly, with
 * id-kp-OCSPSigning, valid at the session's time); a revoked answer is the CA's
 * word only when its CertID and signature were checked (§3.2); the
 * trust in the issuer itself is the chain's verdict (verify.c), not
 * repeated here. Times are judged at the session's time with OCSP_SKEW_S.
 *
 * The memo (issue 5): ocsp.cache_max entries, least recently used out,
 * each one response decoded for one issuer (its bytes and the issuer's
 * certificate the key: a fast hash, then both compared in full): its
 * status, responder, signature verdict and single responses (serial,
 * whether its CertID's issuer part is this issuer's, status and times), so
 * a session with a new leaf under a known staple costs the leaf's issuer
 * look-up and a serial compare, not a decode and a signature check. Each
 * entry also keeps its last OCSP_MEMOS verdicts by (leaf, every
 * certificate sent after it), so a repeated (staple, chain) costs a hash.
 * Everything is allocated through mem.c (the memcap); an entry the memcap
 * refuses is not kept, and the verdict is the same without it. */
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
#include "dhash.h"
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

/* One SingleResponse as this issuer reads it. */
struct oc_single {
    int64_t revocation_time, this_update, next_update;
    const uint8_t *serial; /* its serial number's magnitude (in the entry's blob) */
    uint32_t serial_len;
    int16_t reason;
    int8_t cert_status;
    bool usable;    /* its CertID was read */
    bool neg;       /* a negative serial number */
    bool by_issuer; /* hash algorithm, issuerNameHash and issuerKeyHash are this issuer's */
};

struct ocsp_entry {
    struct ocsp_entry *hnext, *newer, *older;
    uint64_t hash; /* of the response's bytes */
    uint8_t *der;
    uint32_t len;
    X509 *issuer;   /* a reference; NULL: no issuer known (serial numbers alone) */
    uint8_t *iname; /* the leaf's issuer name (DER) the CertIDs were made with */
    uint32_t iname_len;
    size_t size; /* bytes allocated for it */
    /* the response */
    const char *error;
    int status;
    int64_t produced_at;
    int64_t signer_nb, signer_na; /* a delegated responder's validity, OCSP_NO_TIME unknown */
    uint8_t responses, signature;
    char responder[160];
    uint32_t n_single;
    struct oc_single *single;
    uint8_t n_memo, next;
    struct ocsp_memo memo[OCSP_MEMOS];
};

static struct {
    struct ocsp_entry **slots; /* made at the first staple: a run without one pays nothing */
    uint32_t n_slots;          /* a power of two; 0: no memo */
    uint32_t max, count;
    struct ocsp_entry *newest, *oldest;
    bool slots_refused; /* the memcap refused the table: no memo */
    uint64_t decoded, hits, resp_hits;
} oc;

int
ocsp_init(uint32_t max_entries)
{
    memset(&oc, 0, sizeof(oc));
    uint32_t n = 1;
    while (n < max_entries && n < (1u << 24))
        n <<= 1;
    oc.n_slots = max_entries ? n : 0;
    oc.max = max_entries < (1u << 24) ? max_entries : (1u << 24);
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
    X509_free(e->issuer);
    mem_free(e->single, e->size);
    mem_free(e->iname, e->iname_len);
    mem_free(e->der, e->len);
    mem_free(e, sizeof(*e));
}

void
ocsp_fini(void)
{
    for (struct ocsp_entry *e = oc.newest, *nx; e != NULL; e = nx) {
        nx = e->older;
        oc_entry_free(e);
    }
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

void
ocsp_counters_response(uint64_t *response_hits, uint32_t *entries)
{
    *response_hits = oc.resp_hits;
    *entries = oc.count;
}

/* The certificate cache's hash (dhash.h), 32 bytes a step: responses are
 * a few KiB, looked up once a stapled session; FNV-1a, a byte a step, cost
 * ~4 instructions a byte (~740 per dense session on the bench's slices,
 * issue 5). */
static uint64_t
oc_hash(const uint8_t *p, size_t n)
{
    return dhash(p, n);
}

static int64_t
oc_time(const ASN1_TIME *t)
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
 * the issuer issued directly, that has id-kp-OCSPSigning; its validity
 * (*nb .. *na) is judged per session, at the session's time, as OpenSSL's
 * OCSP_basic_verify chain check, Exim and GnuTLS do (ocsp_judge). */
static uint8_t
oc_signature(OCSP_BASICRESP *bs, X509 *issuer, int64_t *nb, int64_t *na)
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
        *nb = oc_time(X509_get0_notBefore(signer));
        *na = oc_time(X509_get0_notAfter(signer));
        r = !by_issuer ? OCSP_SIG_UNAUTHORIZED
            : !eku     ? OCSP_SIG_RESPONDER_NO_EKU
                       : OCSP_SIG_DELEGATED;
    }
    sk_X509_free(extra); /* the issuer is the caller's */
    ERR_clear_error();
    return r;
}

static void
oc_responder(OCSP_BASICRESP *bs, struct ocsp_entry *o)
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

/* The single responses, as the issuer (iname: the leaf's issuer name) reads
 * their CertIDs (§4.1.1, with the hash algorithm each used): an array and
 * the serial numbers after it in one allocation. False: the memcap. */
static bool
oc_singles(OCSP_BASICRESP *bs, X509 *issuer, const X509_NAME *iname, struct ocsp_entry *e)
{
    int cnt = OCSP_resp_count(bs);
    size_t n = cnt > 0 ? (size_t)cnt : 0, bytes = n * sizeof(struct oc_single);
    for (size_t i = 0; i < n; i++) {
        const OCSP_CERTID *cid = OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, (int)i));
        ASN1_INTEGER *serial = NULL;
        if (cid && OCSP_id_get0_info(NULL, NULL, NULL, &serial, (OCSP_CERTID *)cid) == 1 && serial)
            bytes += (size_t)ASN1_STRING_length(serial);
    }
    if (n == 0)
        return true;
    if (bytes > UINT32_MAX || (e->single = mem_alloc(bytes)) == NULL)
        return false;
    e->size = bytes;
    e->n_single = (uint32_t)n;
    uint8_t *blob = (uint8_t *)(e->single + n);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        struct oc_single *s = &e->single[i];
        OCSP_SINGLERESP *sr = OCSP_resp_get0(bs, (int)i);
        const OCSP_CERTID *cid = sr ? OCSP_SINGLERESP_get0_id(sr) : NULL;
        ASN1_OBJECT *md = NULL;
        ASN1_INTEGER *serial = NULL;
        s->cert_status = -1;
        s->reason = -1;
        s->revocation_time = s->this_update = s->next_update = OCSP_NO_TIME;
        if (cid == NULL || OCSP_id_get0_info(NULL, &md, NULL, &serial, (OCSP_CERTID *)cid) != 1 ||
            serial == NULL)
            continue;
        s->usable = true;
        s->neg = (ASN1_STRING_type(serial) & V_ASN1_NEG) != 0;
        s->serial_len = (uint32_t)ASN1_STRING_length(serial);
        if (s->serial_len)
            memcpy(blob, ASN1_STRING_get0_data(serial), s->serial_len);
        s->serial = blob;
        blob += s->serial_len;
        if (issuer != NULL) {
            const EVP_MD *dg = md ? EVP_get_digestbyobj(md) : NULL;
            OCSP_CERTID *mine =
                dg ? OCSP_cert_id_new(dg, iname, X509_get0_pubkey_bitstr(issuer), NULL) : NULL;
            if (dg && mine == NULL)
                ok = false;
            s->by_issuer = mine != NULL && OCSP_id_issuer_cmp(mine, cid) == 0;
            OCSP_CERTID_free(mine);
        }
        int reason = -1;
        ASN1_GENERALIZEDTIME *rev = NULL, *thisu = NULL, *nextu = NULL;
        s->cert_status = (int8_t)OCSP_single_get0_status(sr, &reason, &rev, &thisu, &nextu);
        s->reason = (int16_t)(s->cert_status == V_OCSP_CERTSTATUS_REVOKED ? reason : -1);
        s->revocation_time = oc_time(rev);
        s->this_update = oc_time(thisu);
        s->next_update = oc_time(nextu);
    }
    return ok;
}

/* Decodes der for the issuer into e (zeroed; its key set by the caller).
 * False when the memcap refused some of it: e says nothing then. */
static bool
oc_decode(const uint8_t *der, size_t len, X509 *issuer, const X509_NAME *iname,
          struct ocsp_entry *e)
{
    uint64_t refused = mem_cap_hits();
    e->status = -1;
    e->produced_at = e->signer_nb = e->signer_na = OCSP_NO_TIME;
    const unsigned char *p = der;
    OCSP_RESPONSE *r = len <= LONG_MAX ? d2i_OCSP_RESPONSE(NULL, &p, (long)len) : NULL;
    if (r == NULL) {
        e->error = "malformed";
        ERR_clear_error();
        return mem_cap_hits() == refused;
    }
    e->status = OCSP_response_status(r);
    OCSP_BASICRESP *bs =
        e->status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? OCSP_response_get1_basic(r) : NULL;
    OCSP_RESPONSE_free(r);
    if (e->status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return true;
    if (bs == NULL) { /* another response type than id-pkix-ocsp-basic, or none */
        e->error = "not_basic";
        ERR_clear_error();
        return mem_cap_hits() == refused;
    }
    e->produced_at = oc_time(OCSP_resp_get0_produced_at(bs));
    oc_responder(bs, e);
    int cnt = OCSP_resp_count(bs);
    e->responses = (uint8_t)(cnt > 255 ? 255 : cnt < 0 ? 0 : cnt);
    bool ok = oc_singles(bs, issuer, iname, e);
    if (ok && issuer)
        e->signature = oc_signature(bs, issuer, &e->signer_nb, &e->signer_na);
    OCSP_BASICRESP_free(bs);
    ERR_clear_error();
    /* a refusal anywhere (the CertIDs, the signature's check) leaves a
     * judgement that says nothing about the server */
    return ok && mem_cap_hits() == refused;
}

/* The verdict for the leaf (NULL: not decoded) from the entry. */
static void
oc_verdict(const struct ocsp_entry *e, X509 *leaf, struct ocsp_verdict *o)
{
    o->status = e->status;
    o->error = e->error;
    o->produced_at = e->produced_at;
    if (e->error != NULL || e->status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return;
    memcpy(o->responder, e->responder, sizeof(o->responder));
    o->responses = e->responses;
    if (leaf == NULL) {
        o->error = "no_leaf"; /* not kept (certcache.max), not decodable */
        return;
    }
    const ASN1_INTEGER *ls = X509_get0_serialNumber(leaf);
    bool neg = (ASN1_STRING_type(ls) & V_ASN1_NEG) != 0;
    size_t sl = (size_t)ASN1_STRING_length(ls);
    const uint8_t *sd = ASN1_STRING_get0_data(ls);
    int idx = -1;
    for (uint32_t i = 0; i < e->n_single && idx < 0; i++) {
        const struct oc_single *s = &e->single[i];
        if (s->usable && (e->issuer == NULL || s->by_issuer) && s->neg == neg &&
            s->serial_len == sl && (sl == 0 || memcmp(s->serial, sd, sl) == 0))
            idx = (int)i;
    }
    o->matches_leaf = (int8_t)(e->issuer ? idx >= 0 : -1);
    if (idx >= 0) {
        const struct oc_single *s = &e->single[idx];
        o->cert_status = s->cert_status;
        o->reason = s->reason;
        o->revocation_time = s->revocation_time;
        o->this_update = s->this_update;
        o->next_update = s->next_update;
    }
    o->signature = e->signature;
    o->signer_not_before = e->signer_nb;
    o->signer_not_after = e->signer_na;
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
        o->signature == OCSP_SIG_NO_SIGNER || o->signature == OCSP_SIG_RESPONDER_NO_EKU ||
        o->signature == OCSP_SIG_RESPONDER_NOT_VALID)
        return OCSP_PB_SIGNATURE;
    if (o->cert_status == V_OCSP_CERTSTATUS_REVOKED)
        /* §3.2: only a response whose CertID is the leaf's and whose
         * signature verified is the CA's word; one matched by serial
         * number alone, unsigned as far as anyone can tell, is not */
        return o->matches_leaf == 1 &&
                       (o->signature == OCSP_SIG_ISSUER || o->signature == OCSP_SIG_DELEGATED)
                   ? OCSP_PB_REVOKED
                   : OCSP_PB_REVOKED_UNVERIFIED;
    if (o->cert_status != V_OCSP_CERTSTATUS_GOOD)
        return OCSP_PB_CERT_UNKNOWN;
    if (o->this_update == OCSP_NO_TIME || o->this_update > at_s + OCSP_SKEW_S)
        return OCSP_PB_NOT_YET_VALID;
    if (o->next_update != OCSP_NO_TIME && o->next_update < at_s - OCSP_SKEW_S)
        return OCSP_PB_STALE;
    return OCSP_PB_NONE;
}

static void
oc_unlink_lru(struct ocsp_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        oc.newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        oc.oldest = e->newer;
    e->newer = e->older = NULL;
}

static void
oc_push_lru(struct ocsp_entry *e)
{
    e->older = oc.newest;
    e->newer = NULL;
    if (oc.newest)
        oc.newest->newer = e;
    oc.newest = e;
    if (oc.oldest == NULL)
        oc.oldest = e;
}

static void
oc_evict_oldest(void)
{
    struct ocsp_entry *e = oc.oldest;
    if (e == NULL)
        return;
    oc_unlink_lru(e);
    for (struct ocsp_entry **pp = &oc.slots[e->hash & (oc.n_slots - 1)]; *pp; pp = &(*pp)->hnext)
        if (*pp == e) {
            *pp = e->hnext;
            break;
        }
    oc.count--;
    oc_entry_free(e);
}

static bool
oc_same_der(const struct ocsp_entry *e, uint64_t h, const uint8_t *der, size_t len)
{
    return e->hash == h && e->len == len && memcmp(e->der, der, len) == 0;
}

/* The entry of (der, issuer, leaf's issuer name), made most recent; NULL. */
static struct ocsp_entry *
oc_find(uint64_t h, const uint8_t *der, size_t len, X509 *issuer, const uint8_t *iname,
        size_t iname_len)
{
    for (struct ocsp_entry *e = oc.slots[h & (oc.n_slots - 1)]; e; e = e->hnext) {
        if (!oc_same_der(e, h, der, len) || (e->issuer == NULL) != (issuer == NULL))
            continue;
        if (issuer && (e->iname_len != iname_len || memcmp(e->iname, iname, iname_len) != 0 ||
                       (e->issuer != issuer && X509_cmp(e->issuer, issuer) != 0)))
            continue;
        oc_unlink_lru(e);
        oc_push_lru(e);
        return e;
    }
    return NULL;
}

/* A verdict remembered for (leaf, rest) under any issuer of der. */
static bool
oc_find_memo(uint64_t h, const uint8_t *der, size_t len, uint32_t leaf, uint64_t rest,
             struct ocsp_verdict *out)
{
    for (struct ocsp_entry *e = oc.slots[h & (oc.n_slots - 1)]; e; e = e->hnext) {
        if (!oc_same_der(e, h, der, len))
            continue;
        for (unsigned i = 0; i < e->n_memo; i++)
            if (e->memo[i].leaf == leaf && e->memo[i].rest == rest) {
                *out = e->memo[i].v;
                oc_unlink_lru(e);
                oc_push_lru(e);
                return true;
            }
    }
    return false;
}

static void
oc_memo_add(struct ocsp_entry *e, uint32_t leaf, uint64_t rest, const struct ocsp_verdict *v)
{
    struct ocsp_memo *m = &e->memo[e->n_memo < OCSP_MEMOS ? e->n_memo++ : e->next];
    if (e->n_memo == OCSP_MEMOS && m == &e->memo[e->next])
        e->next = (uint8_t)((e->next + 1) % OCSP_MEMOS);
    m->leaf = leaf;
    m->rest = rest;
    m->v = *v;
}

/* Keeps e (its key copied in): false when the memcap refused it (e is the
 * caller's to free then). */
static bool
oc_insert(struct ocsp_entry *e, uint64_t h, const uint8_t *der, size_t len, const uint8_t *iname,
          size_t iname_len)
{
    if (mem_near_cap() || len > UINT32_MAX || iname_len > UINT32_MAX)
        return false;
    if ((e->der = mem_alloc_raw(len)) == NULL)
        return false;
    memcpy(e->der, der, len);
    e->len = (uint32_t)len;
    if (iname_len && (e->iname = mem_alloc_raw(iname_len)) == NULL)
        return false;
    if (iname_len)
        memcpy(e->iname, iname, iname_len);
    e->iname_len = (uint32_t)iname_len;
    e->hash = h;
    while (oc.count >= oc.max && oc.oldest)
        oc_evict_oldest();
    struct ocsp_entry **s = &oc.slots[h & (oc.n_slots - 1)];
    e->hnext = *s;
    *s = e;
    oc_push_lru(e);
    oc.count++;
    return true;
}

static void
oc_unknown(struct ocsp_verdict *o)
{
    o->status = o->cert_status = o->reason = -1;
    o->matches_leaf = -1;
    o->produced_at = o->this_update = o->next_update = o->revocation_time = OCSP_NO_TIME;
    o->signer_not_before = o->signer_not_after = OCSP_NO_TIME;
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

/* The verdict without the memo of (leaf, rest): the leaf's issuer looked
 * up, the response's entry found or made. */
static void
oc_judge_new(const uint8_t *der, size_t len, uint64_t h, bool memo, const uint32_t *chain,
             unsigned n, struct ocsp_verdict *out, struct ocsp_entry **kept)
{
    uint64_t refused = mem_cap_hits();
    /* the certificates a response carries (a delegated responder's) decode
     * their keys without OpenSSL 3.0's decoder set-up, as certcache's do */
    x509_decode_begin();
    X509 *leaf = n && chain[0] ? certcache_x509(chain[0]) : NULL;
    X509 *issuer = leaf ? oc_issuer(leaf, chain, n) : NULL;
    const X509_NAME *in = leaf ? X509_get_issuer_name(leaf) : NULL;
    const unsigned char *iname = NULL;
    size_t iname_len = 0;
    if (issuer && X509_NAME_get0_der(in, &iname, &iname_len) != 1)
        iname = NULL, iname_len = 0;
    bool lookup_refused = mem_cap_hits() != refused;
    struct ocsp_entry *e = memo ? oc_find(h, der, len, issuer, iname, iname_len) : NULL;
    struct ocsp_entry *made = NULL;
    if (e != NULL) {
        oc.resp_hits++;
    } else if ((made = mem_alloc(sizeof(*made))) != NULL &&
               (issuer == NULL || X509_up_ref(issuer) == 1)) {
        made->issuer = issuer; /* its own reference */
        bool ok = oc_decode(der, len, issuer, in, made);
        oc.decoded++;
        if (ok)
            e = made;
        else
            out->error = "no_memory";
    } else {
        out->error = "no_memory";
    }
    if (e != NULL) {
        oc_verdict(e, leaf, out);
        /* a refusal while the leaf or its issuer was looked up: the
         * judgement says nothing about the server (the response's own
         * error, or its status, does) */
        if (lookup_refused && out->error == NULL && out->status == OCSP_RESPONSE_STATUS_SUCCESSFUL)
            out->error = "no_memory";
        if (lookup_refused && out->error != NULL && strcmp(out->error, "no_leaf") == 0)
            out->error = "no_memory";
    }
    *kept = e != made ? e : NULL; /* found in the memo, or none */
    if (made != NULL) {
        if (e == made && memo && oc_insert(made, h, der, len, iname, iname_len))
            *kept = made;
        else
            oc_entry_free(made);
    }
    x509_decode_end();
    X509_free(issuer);
    X509_free(leaf);
    ERR_clear_error();
}

void
ocsp_judge(const uint8_t *der, size_t len, const uint32_t *chain, unsigned n, int64_t at_s,
           struct ocsp_verdict *out)
{
    memset(out, 0, sizeof(*out));
    oc_unknown(out);
    uint32_t leaf = n ? chain[0] : 0;
    uint64_t rest = n > 1 ? oc_hash((const uint8_t *)(chain + 1), (n - 1) * sizeof(*chain)) : 0;
    uint64_t h = oc_hash(der, len);
    bool memo = len <= UINT32_MAX && oc_table();
    if (memo && oc_find_memo(h, der, len, leaf, rest, out)) {
        oc.hits++;
    } else {
        struct ocsp_entry *e = NULL;
        oc_judge_new(der, len, h, memo, chain, n, out, &e);
        out->present = true;
        /* a judgement the memcap cut short is made again next time */
        if (e != NULL && ocsp_judged(out))
            oc_memo_add(e, leaf, rest, out);
    }
    out->present = true;
    out->length = (uint32_t)len;
    /* a delegated responder's certificate at the session's time (the memo
     * keeps the time-free verdict) */
    if (out->signature == OCSP_SIG_DELEGATED &&
        (out->signer_not_before == OCSP_NO_TIME || out->signer_not_after == OCSP_NO_TIME ||
         out->signer_not_before > at_s + OCSP_SKEW_S || out->signer_not_after < at_s - OCSP_SKEW_S))
        out->signature = OCSP_SIG_RESPONDER_NOT_VALID;
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
    static const char *const n[] = {NULL,
                                    "issuer",
                                    "delegated",
                                    "bad",
                                    "unauthorized",
                                    "signer_not_found",
                                    "responder_without_ocsp_signing",
                                    "responder_not_valid"};
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
        [OCSP_PB_REVOKED_UNVERIFIED] = "revoked_unverified",
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
        [OCSP_PB_REVOKED_UNVERIFIED] =
            "says the certificate is revoked, unverified (the leaf's issuer not known: "
            "matched by serial number alone, its signature not checked)",
    };
    return pb < OCSP_PB_COUNT ? n[pb] : NULL;
}
