/* \summary: missing_intermediate's issuer found elsewhere in the capture:
 * when the certificate a chain lacks was sent by another server, by the
 * same server in other sessions, or by a client (mutual TLS), it settles
 * what the wire alone cannot (case 4): a certificate that is not
 * self-signed is an intermediate the server must send (RFC 8446 §4.4.2,
 * RFC 5246 §7.4.2: only the root may be left out), and the finding names
 * the exact certificate to add and who sent it.
 *
 * A candidate is a certificate sent in a chain the aggregation kept (a
 * server's chains, its peers' client chains) whose subject equals the top
 * certificate's issuer and which really issued it: OpenSSL's issuer check
 * (names, authority and subject key identifiers where present, keyUsage,
 * RFC 5280 §4.2.1.1 and §4.2.1.2) and the top certificate's signature
 * under its key (§6.1.3 (a)(1), x509_sigcheck). The certificates are the
 * cache's decoded objects (certcache_x509), never decoded here. The index
 * of sent certificates is made once per computation of the findings, at
 * the first lookup, and let go with agg_issuer_done.
 *
 * A finding covers every chain of its server that lacks an issuer, and
 * each is looked up (agg_issuer_chains): the first's answer is the
 * finding's issuer_seen; every chain's found is kept here until the next
 * computation (agg_issuer_of: its chain line in the terminal report) and,
 * with several chains, listed in issuers_seen. */
#include "agg_issuer.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "mem.h"
#include "report_cert.h"
#include "strcopy.h"
#include "verify.h"
#include "x509_sigcheck.h"

#define ISS_CLIENT 0x80000000u /* in ise.chain: an index into the server's ccerts */

/* A certificate's first sighting: the chain that sent it first. */
struct ise {
    uint32_t cert, server, peer, chain;
    int64_t first;
};

static struct {
    struct ise *v; /* by subject after the build, one entry per certificate */
    uint32_t n;
    size_t bytes;
    bool built;
} ix;

void
agg_issuer_done(void)
{
    mem_free(ix.v, ix.bytes);
    memset(&ix, 0, sizeof(ix));
}

/* First sent: by time, then server address and port (agg.servers is
 * sorted so), the server's own chains before its clients'. */
static int
ise_cmp_first(const struct ise *x, const struct ise *y)
{
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->server != y->server)
        return x->server < y->server ? -1 : 1;
    if (x->chain != y->chain)
        return x->chain < y->chain ? -1 : 1;
    return 0;
}

/* Sightings by certificate, then first sent. */
static int
ise_cmp_sent(const void *a, const void *b)
{
    const struct ise *x = a, *y = b;
    if (x->cert != y->cert)
        return x->cert < y->cert ? -1 : 1;
    return ise_cmp_first(x, y);
}

static const char *
ise_subject(const struct ise *e)
{
    const struct cert_entry *c = certcache_get(e->cert);
    return c && !c->info.parse_error ? c->info.subject : NULL;
}

static int
ise_cmp_subject(const void *a, const void *b)
{
    const struct ise *x = a, *y = b;
    int r = strcmp(ise_subject(x), ise_subject(y));
    return r ? r : x->cert < y->cert ? -1 : x->cert > y->cert;
}

static void
ise_put(uint32_t *n, const uint32_t *ids, unsigned k, uint32_t server, uint32_t peer,
        uint32_t chain, int64_t first)
{
    for (unsigned i = 0; i < k; i++) {
        const struct cert_entry *e = certcache_get(ids[i]);
        if (e == NULL || e->info.parse_error)
            continue;
        ix.v[(*n)++] = (struct ise){ids[i], server, peer, chain, first};
    }
}

/* Every certificate of the kept chains, once, at its first sighting, by
 * subject. False when the memcap refused the index. */
static bool
ise_build(void)
{
    if (ix.built)
        return ix.v != NULL || ix.n == 0;
    ix.built = true;
    size_t total = 0;
    for (uint32_t si = 0; si < agg.n_servers; si++) {
        const struct agg_server *s = agg.servers[si];
        for (unsigned c = 0; c < s->n_chains; c++)
            total += s->chains[c].n;
        for (unsigned c = 0; c < s->n_ccerts && c < AGG_CCERTS_MAX; c++)
            total += s->ccerts[c].n;
    }
    if (total == 0)
        return true;
    ix.bytes = total * sizeof(*ix.v);
    ix.v = mem_alloc(ix.bytes);
    if (ix.v == NULL)
        return false;
    uint32_t n = 0;
    for (uint32_t si = 0; si < agg.n_servers; si++) {
        const struct agg_server *s = agg.servers[si];
        for (unsigned c = 0; c < s->n_chains; c++)
            ise_put(&n, s->chains[c].ids, s->chains[c].n, si, UINT32_MAX, c, s->chains[c].first);
        for (unsigned c = 0; c < s->n_ccerts && c < AGG_CCERTS_MAX; c++) {
            const struct agg_ccert *cc = &s->ccerts[c];
            if (cc->peers.n > 0) /* its client known */
                ise_put(&n, cc->ids, cc->n, si, cc->peers.v[0], ISS_CLIENT | c, cc->first);
        }
    }
    qsort(ix.v, n, sizeof(*ix.v), ise_cmp_sent);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (k == 0 || ix.v[k - 1].cert != ix.v[i].cert)
            ix.v[k++] = ix.v[i];
    qsort(ix.v, k, sizeof(*ix.v), ise_cmp_subject);
    ix.n = k;
    return true;
}

/* cand issued top: OpenSSL's issuer check (X509_check_issued: names, key
 * identifiers, keyUsage) and top's signature under cand's key. */
static bool
iss_issued(uint32_t cand, uint32_t top)
{
    const struct cert_entry *te = certcache_get(top);
    X509 *i = certcache_x509(cand), *x = certcache_x509(top);
    bool ok = false;
    if (te && i && x && X509_check_issued(i, x) == X509_V_OK) {
        EVP_PKEY *key = X509_get0_pubkey(i);
        const uint8_t *der = te->der;
        uint32_t len = te->der_len;
        x509_sigcheck_chain(&x, &der, &len, 1); /* its signed bytes as sent */
        ok = key != NULL && x509_sigcheck(x, key) == 1;
        x509_sigcheck_chain(NULL, NULL, NULL, 0);
    }
    X509_free(i);
    X509_free(x);
    ERR_clear_error();
    return ok;
}

/* The sender's chain of e: its certificate ids, leaf first. */
static const uint32_t *
ise_chain(const struct ise *e, unsigned *n)
{
    const struct agg_server *s = agg.servers[e->server];
    if (e->chain & ISS_CLIENT) {
        const struct agg_ccert *cc = &s->ccerts[e->chain & ~ISS_CLIENT];
        *n = cc->n;
        return cc->ids;
    }
    *n = s->chains[e->chain].n;
    return s->chains[e->chain].ids;
}

/* c with the issuer found and what its sender sent above it: the chain a
 * server that sent its intermediate would send. Verified up to a root of
 * the trust store at c's last session (verify_anchor)? */
static bool
iss_trusted(const struct agg_chain *c, const struct ise *e, char *root, size_t rn)
{
    uint32_t ids[FACTS_CHAIN_MAX];
    unsigned n = 0;
    for (unsigned i = 0; i < c->n && n < FACTS_CHAIN_MAX; i++)
        ids[n++] = c->ids[i];
    unsigned sn = 0;
    const uint32_t *sent = ise_chain(e, &sn);
    unsigned from = 0;
    while (from < sn && sent[from] != e->cert)
        from++;
    for (unsigned i = from; i < sn && n < FACTS_CHAIN_MAX; i++) {
        unsigned k = 0;
        while (k < n && ids[k] != sent[i])
            k++;
        if (k == n)
            ids[n++] = sent[i];
    }
    return verify_anchor(ids, n, c->last / 1000000, root, rn);
}

const struct cert_entry *
agg_top_cert(const struct agg_chain *c)
{
    const struct cert_entry *cur = certcache_get(c->ids[0]);
    bool used[FACTS_CHAIN_MAX] = {true};
    for (unsigned step = 1; cur && !cur->info.parse_error && step < c->n; step++) {
        const struct cert_entry *up = NULL;
        for (unsigned i = 1; i < c->n && !up; i++) {
            const struct cert_entry *e = certcache_get(c->ids[i]);
            if (!used[i] && e && !e->info.parse_error &&
                strcmp(e->info.subject, cur->info.issuer) == 0) {
                used[i] = true;
                up = e;
            }
        }
        if (!up)
            break;
        cur = up;
    }
    return cur && !cur->info.parse_error ? cur : NULL;
}

bool
agg_issuer_find(const struct agg_chain *c, const struct cert_entry *top, struct agg_iseen *out,
                char *root, size_t rn)
{
    memset(out, 0, sizeof(*out));
    if (rn > 0)
        root[0] = '\0';
    if (c == NULL || top == NULL || top->info.parse_error || !ise_build() || ix.n == 0)
        return false;
    /* the first entry of that subject (binary search) */
    uint32_t lo = 0, hi = ix.n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(ise_subject(&ix.v[mid]), top->info.issuer) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct ise *best = NULL;
    bool best_ss = false;
    for (uint32_t i = lo; i < ix.n && strcmp(ise_subject(&ix.v[i]), top->info.issuer) == 0; i++) {
        const struct ise *e = &ix.v[i];
        const struct cert_entry *ce = certcache_get(e->cert);
        if (e->cert == top->id || !iss_issued(e->cert, top->id))
            continue;
        bool ss = ce->info.self_signed;
        /* an intermediate before a root of the same name and key (a
         * cross-signed CA and its self-signed form), then the first sent */
        if (best == NULL || (best_ss && !ss) || (best_ss == ss && ise_cmp_first(e, best) < 0)) {
            best = e;
            best_ss = ss;
        }
    }
    if (best == NULL)
        return false;
    out->cert = best->cert;
    out->server = best->server;
    out->peer = (best->chain & ISS_CLIENT) ? best->peer : UINT32_MAX;
    out->first = best->first;
    out->self_signed = best_ss;
    out->trusted = !best_ss && iss_trusted(c, best, root, rn);
    return true;
}

void
agg_issuer_sender(struct strbuf *b, const struct agg_iseen *is, uint32_t si)
{
    const struct agg_server *s = agg.servers[is->server];
    char ep[80];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    if (is->peer != UINT32_MAX) {
        char ip[64];
        agg_peer_str(s, is->peer, ip, sizeof(ip));
        str_add(b, "the client ", ip, " of ", is->server == si ? "this server" : ep, NULL);
    } else if (is->server == si) {
        str_add(b, "this server itself in other sessions", NULL);
    } else {
        str_add(b, ep, NULL);
    }
}

/* Each chain's issuer found (cert not 0) in this computation of the
 * findings, in the order looked up: by server, as agg_compute_findings
 * takes them, so that agg_issuer_of finds a server's by binary search. */
struct iss_hit {
    uint32_t server, chain;
    struct agg_iseen is;
};

static struct {
    struct iss_hit *v;
    uint32_t n, cap;
} hits;

void
agg_issuer_forget(void)
{
    mem_free(hits.v, (size_t)hits.cap * sizeof(*hits.v));
    memset(&hits, 0, sizeof(hits));
}

/* Kept for the report; a hit the memcap refused room for is left out. */
static void
iss_keep(uint32_t si, uint32_t chain, const struct agg_iseen *is)
{
    if (hits.n == hits.cap) {
        uint32_t nc = hits.cap ? hits.cap * 2 : 16;
        struct iss_hit *v =
            mem_realloc(hits.v, (size_t)hits.cap * sizeof(*v), (size_t)nc * sizeof(*v));
        if (v == NULL)
            return;
        hits.v = v;
        hits.cap = nc;
    }
    hits.v[hits.n++] = (struct iss_hit){si, chain, *is};
}

void
agg_issuer_chains(uint32_t si, const struct agg_set *chains, const struct agg_iseen *first)
{
    const struct agg_server *s = agg.servers[si];
    char root[8];
    for (unsigned i = 0; i < chains->n; i++) {
        const struct agg_chain *c = &s->chains[chains->v[i]];
        struct agg_iseen is = *first;
        if (i > 0)
            agg_issuer_find(c, agg_top_cert(c), &is, root, sizeof(root));
        if (is.cert != 0)
            iss_keep(si, chains->v[i], &is);
    }
}

const struct agg_iseen *
agg_issuer_of(uint32_t si, uint32_t chain)
{
    uint32_t lo = 0, hi = hits.n;
    while (lo < hi) { /* the server's first hit */
        uint32_t mid = lo + (hi - lo) / 2;
        if (hits.v[mid].server < si)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i < hits.n && hits.v[i].server == si; i++)
        if (hits.v[i].chain == chain)
            return &hits.v[i].is;
    return NULL;
}

/* Chain i of server si's chains has an issuer found that no chain before
 * it, the first included, had: that issuer, else NULL. */
static const struct agg_iseen *
iss_new(uint32_t si, const struct agg_set *chains, unsigned i)
{
    const struct agg_iseen *is = agg_issuer_of(si, chains->v[i]);
    for (unsigned k = 0; is != NULL && k < i; k++) {
        const struct agg_iseen *o = agg_issuer_of(si, chains->v[k]);
        if (o != NULL && o->cert == is->cert)
            return NULL;
    }
    return is;
}

void
agg_issuer_others(struct strbuf *b, uint32_t si, const struct agg_set *chains)
{
    unsigned said = 0;
    bool more = false;
    for (unsigned i = 1; i < chains->n; i++) {
        const struct agg_iseen *is = iss_new(si, chains, i);
        if (is == NULL)
            continue;
        if (said == 2) {
            more = true;
            break;
        }
        const struct cert_entry *e = certcache_get(is->cert);
        char label[300];
        agg_leaf_label(is->cert, label, sizeof(label));
        const char *sha = strstr(label, " (SHA-1 "); /* " (SHA-1 .., until ..)" */
        str_add(b, said ? ", and " : "; of the other chains' issuers, this capture holds ", NULL);
        str_addn(b, e && !e->info.parse_error ? e->info.subject : "(not decoded)", 160);
        str_add(b, sha ? sha : "", ", sent by ", NULL);
        agg_issuer_sender(b, is, si);
        said++;
    }
    if (more)
        str_add(b, ", and more", NULL);
}

/* issuer_seen's keys, in the object begun. */
static void
iss_json_keys(struct json *j, const struct agg_iseen *is)
{
    const struct cert_entry *e = certcache_get(is->cert);
    const struct agg_server *s = agg.servers[is->server];
    char h[41], by[80];
    report_cert_sha256_json(j, "sha256", is->cert);
    if (e != NULL)
        report_hex(h, e->sha1, 20);
    json_str(j, "sha1", e ? h : NULL);
    json_str(j, "subject", e && !e->info.parse_error ? e->info.subject : NULL);
    json_str(j, "not_after", e && !e->info.parse_error ? e->info.not_after_iso : NULL);
    if (is->peer != UINT32_MAX)
        agg_peer_str(s, is->peer, by, sizeof(by));
    else
        agg_ep_str(&s->ep, by, sizeof(by));
    json_str(j, "sent_by", by);
    json_str(j, "sent_as", is->peer != UINT32_MAX ? "client" : "server");
    json_ts(j, "first_seen", is->first);
    json_bool(j, "self_signed", is->self_signed);
    json_bool(j, "trusted_root", is->trusted);
}

void
agg_issuer_json(struct json *j, const struct agg_iseen *is)
{
    json_obj_begin(j, "issuer_seen");
    iss_json_keys(j, is);
    json_obj_end(j);
}

void
agg_issuer_json_chains(struct json *j, uint32_t si, const struct agg_set *chains)
{
    unsigned found = 0;
    for (unsigned i = 0; i < chains->n; i++)
        found += agg_issuer_of(si, chains->v[i]) != NULL;
    if (chains->n < 2 || found == 0)
        return;
    json_arr_begin(j, "issuers_seen");
    for (unsigned i = 0; i < chains->n; i++) {
        const struct agg_iseen *is = agg_issuer_of(si, chains->v[i]);
        if (is == NULL)
            continue;
        json_obj_begin(j, NULL);
        report_cert_sha256_json(j, "certificate", agg.servers[si]->chains[chains->v[i]].ids[0]);
        iss_json_keys(j, is);
        json_obj_end(j);
    }
    json_arr_end(j);
}
