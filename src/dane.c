/* \summary: the DANE matcher (see dane.h). RFC 6698 §2.1: a record's
 * selector picks what is matched (0: the certificate's DER, 1: its
 * SubjectPublicKeyInfo, i2d_X509_PUBKEY), its matching type how (0: the
 * bytes, 1: SHA-256, 2: SHA-512). RFC 7672 §3.1: an SMTP client uses
 * DANE-EE(3) records against the leaf (§3.1.1: name and validity period
 * not checked) and DANE-TA(2) against the chain's issuers (§3.1.2), which
 * RFC 7671 §5.2.2 has the server send; PKIX-TA(0) and PKIX-EE(1) are
 * unusable (§3.1.3). A record that matched nothing is no match, whatever
 * the others: only one has to match (RFC 7671 §5).
 *
 * Each distinct certificate's digests are made once, when a TLSA RRset is
 * first matched against it, and kept by certcache id (an idxtab over an
 * array grown as needed, accounted in mem.c): a run without TLSA records
 * makes none. */
#include "dane.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "dnslearn.h"
#include "idxtab.h"
#include "json.h"
#include "mem.h"
#include "strcopy.h"

struct dane_dig {
    uint32_t id;
    bool der_ok, spki_ok;
    uint32_t spki_len;
    uint8_t der512[64], spki256[32], spki512[64];
};

static struct {
    struct dane_dig *v;
    uint32_t n, cap;
    struct idxtab index;
} dn;

void
dane_fini(void)
{
    dane_verify_fini();
    mem_free(dn.v, (size_t)dn.cap * sizeof(*dn.v));
    idxtab_free(&dn.index);
    memset(&dn, 0, sizeof(dn));
}

static bool
dane_eq(uint32_t i, const void *key)
{
    return dn.v[i].id == *(const uint32_t *)key;
}

static uint64_t
dane_hash(uint32_t id)
{
    return idxtab_hash_bytes(&id, sizeof(id));
}

static uint64_t
dane_rehash(uint32_t i, const void *user)
{
    (void)user;
    return dane_hash(dn.v[i].id);
}

static void
dane_make(struct dane_dig *d, const struct cert_entry *e)
{
    unsigned dl = 0;
    d->der_ok = EVP_Digest(e->der, e->der_len, d->der512, &dl, EVP_sha512(), NULL) == 1;
    X509 *x = certcache_x509(e->id);
    if (x == NULL)
        return;
    unsigned char *spki = NULL;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
    if (len > 0 && spki != NULL) {
        d->spki_len = (uint32_t)len;
        d->spki_ok = EVP_Digest(spki, (size_t)len, d->spki256, &dl, EVP_sha256(), NULL) == 1 &&
                     EVP_Digest(spki, (size_t)len, d->spki512, &dl, EVP_sha512(), NULL) == 1;
    }
    OPENSSL_free(spki);
    X509_free(x);
}

/* The digests of certificate id, made at its first call; NULL when memory
 * is refused (the certificate then matches nothing: it says so below). */
static const struct dane_dig *
dane_dig(uint32_t id)
{
    uint64_t h = dane_hash(id);
    uint32_t i = idxtab_find(&dn.index, h, dane_eq, &id);
    if (i != UINT32_MAX)
        return &dn.v[i];
    const struct cert_entry *e = certcache_get(id);
    if (e == NULL)
        return NULL;
    if (!mem_grow((void **)&dn.v, dn.n, &dn.cap, sizeof(*dn.v), 16, UINT32_MAX))
        return NULL;
    if (!idxtab_reserve(&dn.index, dn.n, dane_rehash, NULL))
        return NULL;
    struct dane_dig *d = &dn.v[dn.n];
    memset(d, 0, sizeof(*d));
    d->id = id;
    dane_make(d, e);
    idxtab_insert(&dn.index, h, dn.n);
    return &dn.v[dn.n++];
}

const char *
dane_usage_name(uint8_t usage)
{
    static const char *const names[4] = {"PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE"};
    return usage < 4 ? names[usage] : NULL;
}

bool
dane_usable(const struct tlsa_rr *rr)
{
    if ((rr->usage != 2 && rr->usage != 3) || rr->selector > 1)
        return false;
    switch (rr->mtype) {
    case 0:
        return rr->len > 0;
    case 1:
        return !rr->hashed && rr->len == 32;
    case 2:
        return !rr->hashed && rr->len == 64;
    default:
        return false;
    }
}

/* The digest of the record's kind for the certificate: SHA-256 (of the
 * content, for a hashed record), SHA-512; its length. NULL: not known. */
static const uint8_t *
dane_value(const struct tlsa_rr *rr, const struct cert_entry *e, const struct dane_dig *d,
           size_t *len, uint32_t *content_len)
{
    bool sha512 = rr->mtype == 2 && !rr->hashed;
    *len = sha512 ? 64 : 32;
    if (rr->selector == 0) {
        *content_len = e->der_len;
        return sha512 ? (d->der_ok ? d->der512 : NULL) : e->sha256;
    }
    if (!d->spki_ok)
        return NULL;
    *content_len = d->spki_len;
    return sha512 ? d->spki512 : d->spki256;
}

bool
dane_match_cert(const struct tlsa_rr *rr, uint32_t id)
{
    if (!dane_usable(rr))
        return false;
    const struct cert_entry *e = certcache_get(id);
    const struct dane_dig *d = e ? dane_dig(id) : NULL;
    if (d == NULL)
        return false;
    size_t len;
    uint32_t content_len;
    const uint8_t *v = dane_value(rr, e, d, &len, &content_len);
    if (v == NULL)
        return false;
    if (rr->hashed) /* matching type 0: the same bytes, by length and SHA-256 */
        return rr->len == content_len && memcmp(v, rr->data, 32) == 0;
    return rr->len == len && memcmp(v, rr->data, len) == 0;
}

static uint32_t
dane_find(uint16_t port, const char *host)
{
    char owner[TLSA_NAME_MAX + 16];
    snprintf(owner, sizeof(owner), "_%u._tcp.%s", (unsigned)port, host);
    return tlsa_find(owner);
}

uint32_t
dane_lookup_skip(uint16_t port, const char *name, uint32_t *skip, const char **alias,
                 const char **target)
{
    *skip = TLSA_NONE;
    *alias = *target = NULL;
    /* the MX host as the MX answer named it: name itself, or each alias
     * whose CNAME chain ends at name (the A answer's owner; a pool of MX
     * hosts may be CNAMEs of one host) */
    const char *qs[DNSLEARN_CNAME_ALIASES];
    unsigned n =
        dnslearn_mx_domain(name) ? 0 : dnslearn_cname_origins(name, qs, DNSLEARN_CNAME_ALIASES);
    if (n == 0)
        qs[n++] = name;
    /* RFC 7672 §2.2.2: the expanded name's RRset when the expansion is
     * secure (Postfix asks there first, then the original name); an
     * insecure expansion leaves the original name the base domain. Of
     * several aliases, a secure expansion's RRset first, then the first
     * alias's own that has one */
    uint32_t own = TLSA_NONE;
    for (unsigned k = 0; k < n; k++) {
        bool secure;
        const char *r = dnslearn_cname_expand(qs[k], &secure);
        uint32_t first = r ? dane_find(port, r) : TLSA_NONE;
        if (first != TLSA_NONE && secure) {
            *skip = TLSA_NONE;
            return first;
        }
        if (first != TLSA_NONE && *skip == TLSA_NONE) { /* not validated: not used */
            *skip = first;
            *alias = qs[k];
            *target = r;
        }
        if (own == TLSA_NONE)
            own = dane_find(port, qs[k]);
    }
    return own;
}

uint32_t
dane_lookup(uint16_t port, const char *name)
{
    uint32_t skip;
    const char *alias, *target;
    return dane_lookup_skip(port, name, &skip, &alias, &target);
}

/* Which peer's domains dane_add_domains takes: all (client NULL), else
 * those whose MX answer went to client; *sure set when one surely did. */
struct dane_peer {
    const struct ipaddr *client;
    bool sure;
    uint32_t ttl; /* the largest dnslearn_mx_ttl of the MX hosts looked at */
};

/* Adds mx_host's domains to out[0..*n), each once, up to max; *capped
 * when one is left out (past max, or not kept by dnslearn). */
static void
dane_add_domains(const char *mx_host, struct dane_peer *peer, const char **out, unsigned *n,
                 unsigned max, bool *capped)
{
    const char *doms[DNSLEARN_MX_DOMAINS];
    unsigned n_d = dnslearn_mx_domains(mx_host, doms, DNSLEARN_MX_DOMAINS);
    *capped |= dnslearn_mx_domains_capped(mx_host);
    uint32_t ttl = dnslearn_mx_ttl(mx_host);
    if (ttl > peer->ttl)
        peer->ttl = ttl;
    for (unsigned k = 0; k < n_d; k++) {
        if (peer->client != NULL) {
            enum dnslearn_asked a = dnslearn_mx_asked(mx_host, doms[k], peer->client);
            peer->sure |= a == DNSLEARN_ASKED_YES;
            if (a == DNSLEARN_ASKED_NO)
                continue;
        }
        bool dup = false;
        for (unsigned j = 0; j < *n && !dup; j++)
            dup = strcasecmp(out[j], doms[k]) == 0;
        if (!dup && *n < max)
            out[(*n)++] = doms[k];
        else if (!dup)
            *capped = true;
    }
}

static unsigned
dane_hops(const char *base, struct dane_peer *peer, const char **out, unsigned max, bool *capped)
{
    unsigned n = 0;
    bool cap = false;
    /* base an MX host: every domain it is the MX of (a hosting provider's) */
    if (dnslearn_mx_domain(base) != NULL) {
        dane_add_domains(base, peer, out, &n, max, &cap);
    } else {
        /* base: the validated expansion of each MX host CNAMEd to it */
        const char *origins[DNSLEARN_CNAME_ALIASES];
        unsigned n_o = dnslearn_cname_origins_capped(base, origins, DNSLEARN_CNAME_ALIASES, &cap);
        for (unsigned k = 0; k < n_o; k++) {
            bool secure = false;
            const char *exp = dnslearn_cname_expand(origins[k], &secure);
            if (exp != NULL && secure && strcasecmp(exp, base) == 0)
                dane_add_domains(origins[k], peer, out, &n, max, &cap);
        }
    }
    if (capped)
        *capped = cap;
    return n;
}

unsigned
dane_nexthops(const char *base, const char **out, unsigned max, bool *capped)
{
    struct dane_peer all = {NULL, false, 0};
    return dane_hops(base, &all, out, max, capped);
}

unsigned
dane_nexthops_for(const char *base, const struct ipaddr *client, const char **out, unsigned max,
                  bool *capped, uint8_t *scope, uint32_t *mx_ttl)
{
    struct dane_peer peer = {client, false, 0};
    unsigned n = client ? dane_hops(base, &peer, out, max, capped) : 0;
    if (peer.sure && n > 0) { /* RFC 7672 §3.2.3: the domains this client looked up */
        *scope = DANE_SCOPE_PEER;
    } else {
        struct dane_peer all = {NULL, false, 0};
        n = dane_hops(base, &all, out, max, capped);
        *scope = n > 0 ? DANE_SCOPE_ALL : DANE_SCOPE_NONE;
        peer.ttl = all.ttl;
    }
    if (mx_ttl)
        *mx_ttl = peer.ttl;
    return n;
}

/* Whether a session's scope peer is decided (RFC 7672 §3.2.3): a resolver
 * keeps an MX answer at most its TTL (RFC 1035 §3.2.1), so a session that
 * began ttl seconds or more after the capture's first packet took its MX
 * answers from lookups made in the capture. Not when the capture's start
 * is not known. */
static bool
dane_peer_proven(const struct dane_session *s, uint32_t ttl)
{
    return s->capture_us > 0 && s->session_us >= s->capture_us + (int64_t)ttl * 1000000;
}

/* A chain failing on the name alone under the client's own next-hop
 * domains (scope peer), in a session the capture cannot show was preceded
 * by all its client's lookups: checked again against every domain of the
 * capture; when the leaf passes there (or may: those domains capped), the
 * client may have delivered for a domain it looked up before the capture,
 * and the name check is not decided (DANE_UNDECIDED_EARLIER). */
static void
dane_peer_recheck(const struct dane_session *s, uint32_t ttl, const uint32_t *ids, unsigned n,
                  uint32_t first, const char *base, unsigned n_peer, int64_t at_s,
                  struct dane_result *out)
{
    if (out->state != DANE_MISMATCH || out->why != DANE_WHY_NAME ||
        out->nexthop_scope != DANE_SCOPE_PEER || dane_peer_proven(s, ttl))
        return;
    const char *all[DANE_NEXTHOPS_MAX];
    bool capped = false;
    unsigned n_all = dane_nexthops(base, all, DANE_NEXTHOPS_MAX, &capped);
    if (n_all <= n_peer && !capped) /* no other client's domain: the same check */
        return;
    struct dane_result alt = *out;
    if (!dane_verify(ids, n, first, base, all, n_all, at_s, &alt))
        return;
    if (alt.state == DANE_MATCH ||
        (capped && alt.state == DANE_MISMATCH && alt.why == DANE_WHY_NAME)) {
        out->state = DANE_UNDECIDED;
        out->undecided = DANE_UNDECIDED_EARLIER;
        out->mx_ttl = ttl;
        out->decided_from_us = s->capture_us > 0 ? s->capture_us + (int64_t)ttl * 1000000 : 0;
    }
}

void
dane_check(uint16_t port, const char *const *names, unsigned n_names, const uint32_t *ids,
           unsigned n, int64_t at_s, struct dane_result *out)
{
    dane_check_peer(port, names, n_names, NULL, ids, n, at_s, out);
}

void
dane_check_peer(uint16_t port, const char *const *names, unsigned n_names,
                const struct dane_session *s, const uint32_t *ids, unsigned n, int64_t at_s,
                struct dane_result *out)
{
    const struct ipaddr *client = s ? s->client : NULL;
    memset(out, 0, sizeof(*out));
    out->first = TLSA_NONE;
    out->cname_skipped = TLSA_NONE;
    if (tlsa_count() == 0 || n == 0)
        return;
    uint32_t first = TLSA_NONE;
    /* an RRset not used (an unvalidated CNAME's expansion): the name's
     * whose RRset is used, else the first name's that has one */
    for (unsigned k = 0; k < n_names && first == TLSA_NONE; k++) {
        if (names[k] == NULL || names[k][0] == '\0')
            continue;
        uint32_t skip;
        const char *alias, *target;
        first = dane_lookup_skip(port, names[k], &skip, &alias, &target);
        if (skip != TLSA_NONE && (first != TLSA_NONE || out->cname_skipped == TLSA_NONE)) {
            out->cname_skipped = skip;
            out->cname_alias = alias;
            out->cname_target = target;
        } else if (first != TLSA_NONE) {
            out->cname_skipped = TLSA_NONE;
            out->cname_alias = out->cname_target = NULL;
        }
    }
    if (first == TLSA_NONE) {
        if (out->cname_skipped != TLSA_NONE) /* DANE not checked: say why */
            out->state = DANE_SKIPPED;
        return;
    }
    out->first = first;
    out->dnssec = true;
    const struct tlsa_ent *t = tlsa_get(first);
    for (uint32_t guard = 0; t != NULL && guard < tlsa_count();
         t = t->next == TLSA_NONE ? NULL : tlsa_get(t->next), guard++) {
        out->records++;
        out->sources |= t->source;
        out->dnssec &= t->ad || t->source == TLSA_SRC_FILE;
        out->usable += dane_usable(&t->rr);
    }
    if (out->usable == 0) {
        out->state = DANE_UNUSABLE;
        return;
    }
    /* the TLSA base domain: the owner after "_PORT._tcp." (RFC 7672
     * §2.2.2); the next-hop domain: the one whose MX host it is (or whose
     * MX host's validated CNAME expansion it is), when DNS answers in the
     * capture said so (§3.2.2) */
    const char *base = tlsa_get(first)->owner;
    for (unsigned k = 0; k < 2 && base; k++)
        if ((base = strchr(base, '.')) != NULL)
            base++;
    const char *hops[DANE_NEXTHOPS_MAX];
    bool capped = false;
    uint8_t scope = DANE_SCOPE_NONE;
    uint32_t ttl = 0;
    unsigned n_hops =
        base ? dane_nexthops_for(base, client, hops, DANE_NEXTHOPS_MAX, &capped, &scope, &ttl) : 0;
    out->nexthop_scope = scope;
    out->n_nexthops = (uint8_t)n_hops;
    for (unsigned k = 0; k < n_hops && k < DANE_NEXTHOPS_KEPT; k++)
        out->nexthops[k] = hops[k];
    if (base && dane_verify(ids, n, first, base, hops, n_hops, at_s, out)) {
        /* a DANE-TA chain failing on the name only, checked against next
         * hops not all passed: the one left out may be the leaf's name
         * (RFC 7672 §3.2.2), so no failure is claimed */
        if (capped && out->state == DANE_MISMATCH && out->why == DANE_WHY_NAME) {
            out->state = DANE_UNDECIDED;
            out->undecided = DANE_UNDECIDED_CAPPED;
        } else if (s != NULL) {
            dane_peer_recheck(s, ttl, ids, n, first, base, n_hops, at_s, out);
        }
        return;
    }
    out->nexthop_scope = DANE_SCOPE_NONE; /* no name checked */
    out->n_nexthops = 0;
    /* OpenSSL could not run (a leaf not decoded, memory refused): the
     * records' digests against the chain as sent */
    bool matched = false;
    t = tlsa_get(first);
    for (uint32_t guard = 0; t != NULL && guard < tlsa_count();
         t = t->next == TLSA_NONE ? NULL : tlsa_get(t->next), guard++) {
        if (!dane_usable(&t->rr))
            continue;
        /* DANE-EE: the leaf; DANE-TA: an issuer sent in the chain */
        for (unsigned i = t->rr.usage == 3 ? 0 : 1; !matched && i < (t->rr.usage == 3 ? 1 : n); i++)
            if (ids[i] != 0 && dane_match_cert(&t->rr, ids[i])) {
                matched = true;
                out->match_usage = t->rr.usage;
            }
    }
    out->state = matched ? DANE_MATCH : DANE_MISMATCH;
}

const char *
dane_failure_word(const struct dane_result *r)
{
    static const char *const words[] = {"name",      "expired", "not_yet_valid",
                                        "signature", "purpose", "other"};
    if (r->state == DANE_UNDECIDED)
        return "name_undecided";
    if (r->state != DANE_MISMATCH)
        return NULL;
    for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (r->why & (1u << i))
            return words[i];
    return "no_match";
}

const char *
dane_undecided_word(const struct dane_result *r)
{
    if (r->state != DANE_UNDECIDED)
        return NULL;
    return r->undecided == DANE_UNDECIDED_EARLIER ? "lookups_before_capture" : "nexthops_capped";
}

static void
dane_hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char hx[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        out[o++] = hx[p[i] >> 4];
        out[o++] = hx[p[i] & 15];
    }
    out[o] = '\0';
}

bool
dane_cert_hex(uint32_t id, uint8_t selector, uint8_t mtype, char *out, size_t n)
{
    struct tlsa_rr rr;
    memset(&rr, 0, sizeof(rr));
    rr.selector = selector;
    rr.mtype = mtype;
    rr.hashed = mtype == 0;
    const struct cert_entry *e = certcache_get(id);
    const struct dane_dig *d = e ? dane_dig(id) : NULL;
    size_t len;
    uint32_t content_len;
    const uint8_t *v = d ? dane_value(&rr, e, d, &len, &content_len) : NULL;
    if (v == NULL)
        return false;
    char hex[130];
    dane_hex(v, len, hex, sizeof(hex));
    if (mtype == 0)
        snprintf(out, n, "(%u octets, SHA-256 %s)", (unsigned)content_len, hex);
    else
        str_copy(out, n, hex);
    return true;
}

void
dane_rr_text(const struct tlsa_rr *rr, char *out, size_t n)
{
    char hex[130];
    dane_hex(rr->data, rr->hashed ? 32 : rr->len, hex, sizeof(hex));
    if (rr->hashed)
        snprintf(out, n, "%u %u %u (%u octets, SHA-256 %s)", rr->usage, rr->selector, rr->mtype,
                 rr->len, hex);
    else
        snprintf(out, n, "%u %u %u %s", rr->usage, rr->selector, rr->mtype, hex);
}

/* "cname_not_validated": the RRset a DANE sender did not use, and why */
static void
dane_json_cname(struct json *j, const struct dane_result *r)
{
    const struct tlsa_ent *t = tlsa_get(r->cname_skipped);
    if (r->cname_skipped == TLSA_NONE || t == NULL)
        return;
    json_obj_begin(j, "cname_not_validated");
    json_str(j, "alias", r->cname_alias);
    json_str(j, "target", r->cname_target);
    json_str(j, "tlsa_name", t->owner);
    json_obj_end(j);
}

void
dane_json_scope(struct json *j, uint8_t scope, const char *const *hops, unsigned n)
{
    if (scope == DANE_SCOPE_NONE)
        return;
    json_str(j, "nexthop_scope", scope == DANE_SCOPE_PEER ? "peer" : "all");
    json_arr_begin(j, "nexthops");
    for (unsigned k = 0; k < n && k < DANE_NEXTHOPS_KEPT; k++)
        json_str(j, NULL, hops[k]);
    json_arr_end(j);
    if (n > DANE_NEXTHOPS_KEPT)
        json_uint(j, "nexthops_more", n - DANE_NEXTHOPS_KEPT);
}

void
dane_json_fields(struct json *j, const struct dane_result *r)
{
    if (r->state == DANE_SKIPPED) { /* no RRset used: the keys, null */
        json_null(j, "tlsa_name");
        json_uint(j, "records", 0);
        json_uint(j, "usable", 0);
        json_bool(j, "dnssec", false);
        json_null(j, "source");
        json_null(j, "match");
        json_null(j, "matched_usage");
        json_null(j, "failure");
        json_str(j, "skipped", "cname_not_validated");
        dane_json_cname(j, r);
        return;
    }
    const struct tlsa_ent *t = tlsa_get(r->first);
    json_str(j, "tlsa_name", t ? t->owner : NULL);
    json_uint(j, "records", r->records);
    json_uint(j, "usable", r->usable);
    json_bool(j, "dnssec", r->dnssec);
    json_str(j, "source",
             r->sources == (TLSA_SRC_DNS | TLSA_SRC_FILE) ? "dns+file"
             : r->sources == TLSA_SRC_FILE                ? "file"
                                                          : "dns");
    if (r->state == DANE_UNUSABLE || r->state == DANE_UNDECIDED)
        json_null(j, "match");
    else
        json_bool(j, "match", r->state == DANE_MATCH);
    json_str(j, "matched_usage", r->state == DANE_MATCH ? dane_usage_name(r->match_usage) : NULL);
    /* a DANE-TA(2) match: whether its anchor was the record's own 2 0 0
     * certificate or 2 1 0 key, not sent by the server (RFC 7671 §5.2.2) */
    if (r->state == DANE_MATCH && r->match_usage == 2)
        json_bool(j, "anchor_from_record", r->anchor_from_record);
    json_str(j, "failure", dane_failure_word(r));
    /* a name check not decided: why; a client's lookups maybe from before
     * the capture: the MX TTL and from when on the capture decides */
    if (r->state == DANE_UNDECIDED) {
        json_str(j, "undecided", dane_undecided_word(r));
        if (r->undecided == DANE_UNDECIDED_EARLIER) {
            json_uint(j, "mx_ttl", r->mx_ttl);
            if (r->decided_from_us > 0)
                json_ts(j, "decided_from", r->decided_from_us);
            else
                json_null(j, "decided_from");
        }
    }
    dane_json_scope(j, r->nexthop_scope, r->nexthops, r->n_nexthops);
    dane_json_cname(j, r);
}
