/* \summary: names learned from DNS answers in the capture (see dnslearn.h).
 * Names are kept as first seen without a trailing dot (RFC 1034 §3.1) and
 * compared and hashed without regard to case (RFC 4343 §2), in arrays that grow as answers come (to
 * the cap), with hash indexes: a duplicate answer, a server's names and an MX host's domain are
 * each found in constant time, however many answers a gateway sees. */
#include "dnslearn.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "idxtab.h"
#include "mem.h"

#define DL_NONE UINT32_MAX

struct dl_addr {
    char name[DNSLEARN_NAME_MAX];
    struct ipaddr addr;
    uint32_t next; /* the next entry for the same address, in arrival order */
};

struct dl_mx {
    char domain[DNSLEARN_NAME_MAX];
    char host[DNSLEARN_NAME_MAX];
    uint32_t next_domain; /* the next domain of the same host, in arrival order */
    uint8_t n_domains;    /* the host's first entry: the host's domains linked */
    bool more_domains;    /* the host's first entry: a domain not linked (a cap) */
    /* the addresses this answer was sent to (the DNS response's
     * destination: the resolver's client), in arrival order */
    uint8_t n_askers;
    bool more_askers; /* another address, past DNSLEARN_MX_ASKERS */
    struct ipaddr askers[DNSLEARN_MX_ASKERS];
    /* the host's first entry: the largest TTL of the MX answers naming the
     * host (dnslearn_mx_ttl), those of domains not kept too */
    uint32_t host_ttl;
};

struct dl_cname {
    char alias[DNSLEARN_NAME_MAX];
    char target[DNSLEARN_NAME_MAX];
    bool ad;
    uint32_t next_alias; /* the next alias of the same target, in arrival order */
    uint8_t n_aliases;   /* the first alias of a target: the target's aliases linked */
    bool more_aliases;   /* the first alias of a target: an alias not linked (a cap) */
    /* the first alias of a target: aliases not linked (past the cap:
     * distinct; lost to a full table: each answer, the same one again too) */
    uint32_t n_more_aliases;
};

/* A table's entries, in pages of DL_PAGE that never move: the strings
 * handed out (dnslearn.h) stay valid until dnslearn_fini, however many
 * answers come after (a session's dane result keeps next-hop domains and
 * CNAMEs to the run's end, agg_dane.c). */
#define DL_PAGE 16
struct dl_pages {
    void **p;
    uint32_t n, cap; /* pages made, room in p */
};
#define DL_AT(pg, type, i) (&((type *)(pg).p[(i) / DL_PAGE])[(i) % DL_PAGE])
#define DL_ADDR(i)         DL_AT(dl.addrs, struct dl_addr, i)
#define DL_MX(i)           DL_AT(dl.mxs, struct dl_mx, i)
#define DL_CNAME(i)        DL_AT(dl.cnames, struct dl_cname, i)

static struct {
    struct dl_pages addrs, mxs, cnames;
    uint32_t n_addrs, n_mxs, max;
    uint32_t n_cnames;
    struct idxtab by_pair;   /* address + name: one entry each */
    struct idxtab by_ip;     /* address: its first entry */
    struct idxtab mx_pair;   /* host + domain */
    struct idxtab mx_host;   /* host: its first MX entry (the others linked from it) */
    struct idxtab cn_alias;  /* alias: its entry */
    struct idxtab cn_target; /* target: its first alias (the others linked from it) */
    uint64_t dropped;
    int64_t first_us; /* the earliest answer's time (0: none yet) */
} dl;

void
dnslearn_init(uint32_t max_entries)
{
    memset(&dl, 0, sizeof(dl));
    dl.max = max_entries ? max_entries : 1;
}

static void
dl_pages_free(struct dl_pages *pg, size_t sz)
{
    for (uint32_t k = 0; k < pg->n; k++)
        mem_free(pg->p[k], DL_PAGE * sz);
    mem_free(pg->p, (size_t)pg->cap * sizeof(*pg->p));
    memset(pg, 0, sizeof(*pg));
}

void
dnslearn_fini(void)
{
    dl_pages_free(&dl.addrs, sizeof(struct dl_addr));
    dl_pages_free(&dl.mxs, sizeof(struct dl_mx));
    dl_pages_free(&dl.cnames, sizeof(struct dl_cname));
    idxtab_free(&dl.cn_alias);
    idxtab_free(&dl.cn_target);
    idxtab_free(&dl.by_pair);
    idxtab_free(&dl.by_ip);
    idxtab_free(&dl.mx_pair);
    idxtab_free(&dl.mx_host);
    memset(&dl, 0, sizeof(dl));
}

/* The kept form of a name (a string of any length: DNS text may run to
 * 1021 bytes): its first DNSLEARN_NAME_MAX - 1 bytes, without a trailing
 * dot. dst has DNSLEARN_NAME_MAX bytes. */
static void
dl_norm(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n > DNSLEARN_NAME_MAX - 1)
        n = DNSLEARN_NAME_MAX - 1;
    memcpy(dst, src, n);
    if (n > 0 && dst[n - 1] == '.')
        n--;
    dst[n] = '\0';
}

static uint64_t
dl_hash_ip(const struct ipaddr *a)
{
    return idxtab_hash_bytes(a->a, a->family == 4 ? 4 : 16) ^ (uint64_t)a->family;
}

static bool
dl_same_ip(const struct ipaddr *a, const struct ipaddr *b)
{
    return a->family == b->family && memcmp(a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

/* ---- index callbacks: keys are a struct of the normalised strings ---- */

struct dl_key {
    const char *a, *b;       /* name (address entries) or host and domain (MX) */
    const struct ipaddr *ip; /* address entries */
};

static uint64_t
dl_pair_hash(const struct ipaddr *ip, const char *name)
{
    return dl_hash_ip(ip) * 0x9E3779B97F4A7C15ull ^ idxtab_hash_nocase(name);
}

/* An MX entry's hash, from its host's (idxtab_hash_nocase, also the mx_host
 * index's) and its domain. */
static uint64_t
dl_mx_hash(uint64_t host_hash, const char *domain)
{
    return host_hash * 0x9E3779B97F4A7C15ull ^ idxtab_hash_nocase(domain);
}

static bool
dl_eq_pair(uint32_t i, const void *k)
{
    const struct dl_key *key = k;
    return dl_same_ip(&DL_ADDR(i)->addr, key->ip) && strcasecmp(DL_ADDR(i)->name, key->a) == 0;
}

static bool
dl_eq_ip(uint32_t i, const void *k)
{
    return dl_same_ip(&DL_ADDR(i)->addr, ((const struct dl_key *)k)->ip);
}

static bool
dl_eq_mx_pair(uint32_t i, const void *k)
{
    const struct dl_key *key = k;
    return strcasecmp(DL_MX(i)->host, key->a) == 0 && strcasecmp(DL_MX(i)->domain, key->b) == 0;
}

/* The indices keyed by one name of an entry, without regard to case: an
 * MX entry's host, a CNAME's alias and its target. */
static const char *
dl_mx_host_of(uint32_t i)
{
    return DL_MX(i)->host;
}

static const char *
dl_cn_alias_of(uint32_t i)
{
    return DL_CNAME(i)->alias;
}

static const char *
dl_cn_target_of(uint32_t i)
{
    return DL_CNAME(i)->target;
}

static const struct idxtab_strkeys dl_mx_hosts = {dl_mx_host_of, true},
                                   dl_cn_aliases = {dl_cn_alias_of, true},
                                   dl_cn_targets = {dl_cn_target_of, true};

static uint64_t
dl_rehash_pair(uint32_t i, const void *user)
{
    (void)user;
    return dl_pair_hash(&DL_ADDR(i)->addr, DL_ADDR(i)->name);
}

static uint64_t
dl_rehash_ip(uint32_t i, const void *user)
{
    (void)user;
    return dl_hash_ip(&DL_ADDR(i)->addr);
}

static uint64_t
dl_rehash_mx_pair(uint32_t i, const void *user)
{
    (void)user;
    return dl_mx_hash(idxtab_hash_nocase(DL_MX(i)->host), DL_MX(i)->domain);
}

/* Room for entry n (n used) in pg, of entries of sz bytes: a new page
 * when the last is full, up to dl.max entries. False when full or
 * refused. */
static bool
dl_room(struct dl_pages *pg, uint32_t n, size_t sz)
{
    if (n >= dl.max)
        return false;
    if (n < pg->n * DL_PAGE)
        return true;
    if (mem_run_tables_full() ||
        !mem_grow((void **)&pg->p, pg->n, &pg->cap, sizeof(*pg->p), 4, UINT32_MAX / DL_PAGE))
        return false;
    void *page = mem_alloc_raw(DL_PAGE * sz);
    if (page == NULL)
        return false;
    pg->p[pg->n++] = page;
    return true;
}

/* client (when known) among the addresses entry i's answer went to: added
 * once, DNSLEARN_MX_ASKERS at most (past that more_askers) */
static void
dl_mx_asker(uint32_t i, const struct ipaddr *client)
{
    struct dl_mx *m = DL_MX(i);
    if (client == NULL || (client->family != 4 && client->family != 6))
        return;
    for (unsigned k = 0; k < m->n_askers; k++)
        if (dl_same_ip(&m->askers[k], client))
            return;
    if (m->n_askers < DNSLEARN_MX_ASKERS)
        m->askers[m->n_askers++] = *client;
    else
        m->more_askers = true;
}

/* an answer at ts_us: the capture ran from then at least */
static void
dl_seen(int64_t ts_us)
{
    if (ts_us > 0 && (dl.first_us == 0 || ts_us < dl.first_us))
        dl.first_us = ts_us;
}

int64_t
dnslearn_first_us(void)
{
    return dl.first_us;
}

/* A TTL as a cache keeps it: the high-order bit set read as 2^31 - 1
 * (RFC 8767 §4: positive; the larger, the later dane.c decides) */
static uint32_t
dl_ttl(uint32_t ttl)
{
    return ttl > INT32_MAX ? (uint32_t)INT32_MAX : ttl;
}

/* the host's first entry (when the host is known) takes the TTL */
static void
dl_host_ttl(uint64_t hh, const char *h, uint32_t ttl)
{
    uint32_t first = idxtab_find_str(&dl.mx_host, &dl_mx_hosts, hh, h);
    if (first != DL_NONE && DL_MX(first)->host_ttl < ttl)
        DL_MX(first)->host_ttl = ttl;
}

void
dnslearn_mx(const char *domain, const char *mx_host, int64_t ts_us)
{
    dnslearn_mx_to(domain, mx_host, NULL, 0, ts_us);
}

void
dnslearn_mx_to(const char *domain, const char *mx_host, const struct ipaddr *client, uint32_t ttl,
               int64_t ts_us)
{
    dl_seen(ts_us);
    ttl = dl_ttl(ttl);
    char d[DNSLEARN_NAME_MAX], h[DNSLEARN_NAME_MAX];
    dl_norm(d, domain);
    dl_norm(h, mx_host);
    struct dl_key key = {h, d, NULL};
    uint64_t hh = idxtab_hash_nocase(h), hp = dl_mx_hash(hh, d);
    uint32_t seen = idxtab_find(&dl.mx_pair, hp, dl_eq_mx_pair, &key);
    if (seen != DL_NONE) { /* the same answer again, maybe to another client */
        dl_mx_asker(seen, client);
        dl_host_ttl(hh, h, ttl);
        return;
    }
    if (!dl_room(&dl.mxs, dl.n_mxs, sizeof(struct dl_mx)) ||
        !idxtab_reserve(&dl.mx_pair, dl.n_mxs, dl_rehash_mx_pair, NULL) ||
        !idxtab_reserve_str(&dl.mx_host, dl.n_mxs, &dl_mx_hosts)) {
        dl.dropped++;
        /* a domain of a known host lost: its domains are no longer all known */
        uint32_t known = idxtab_find_str(&dl.mx_host, &dl_mx_hosts, hh, h);
        if (known != DL_NONE)
            DL_MX(known)->more_domains = true;
        dl_host_ttl(hh, h, ttl);
        return;
    }
    uint32_t i = dl.n_mxs++;
    memcpy(DL_MX(i)->domain, d, sizeof(d));
    memcpy(DL_MX(i)->host, h, sizeof(h));
    DL_MX(i)->next_domain = DL_NONE;
    DL_MX(i)->n_domains = 1;
    DL_MX(i)->more_domains = false;
    DL_MX(i)->n_askers = 0;
    DL_MX(i)->more_askers = false;
    DL_MX(i)->host_ttl = ttl;
    dl_mx_asker(i, client);
    idxtab_insert(&dl.mx_pair, hp, i);
    uint32_t first = idxtab_find_str(&dl.mx_host, &dl_mx_hosts, hh, h);
    if (first == DL_NONE) {
        idxtab_insert(&dl.mx_host, hh, i); /* the first domain a host serves */
        return;
    }
    if (DL_MX(first)->host_ttl < ttl)
        DL_MX(first)->host_ttl = ttl;
    /* another domain of the same host (a hosting provider's MX host serves
     * many customer domains): linked after the others, DNSLEARN_MX_DOMAINS
     * at most; past that it is kept (the same answer again is no new drop)
     * but not found back from the host */
    if (DL_MX(first)->n_domains >= DNSLEARN_MX_DOMAINS) {
        dl.dropped++;
        DL_MX(first)->more_domains = true;
        return;
    }
    uint32_t last = first;
    for (unsigned guard = 0; DL_MX(last)->next_domain != DL_NONE && guard < DNSLEARN_MX_DOMAINS;
         guard++)
        last = DL_MX(last)->next_domain;
    DL_MX(last)->next_domain = i;
    DL_MX(first)->n_domains++;
}

void
dnslearn_addr(const char *name, const struct ipaddr *addr, int64_t ts_us)
{
    dl_seen(ts_us);
    char n[DNSLEARN_NAME_MAX];
    dl_norm(n, name);
    struct dl_key key = {n, NULL, addr};
    uint64_t hp = dl_pair_hash(addr, n), hi = dl_hash_ip(addr);
    if (idxtab_find(&dl.by_pair, hp, dl_eq_pair, &key) != DL_NONE)
        return;
    if (!dl_room(&dl.addrs, dl.n_addrs, sizeof(struct dl_addr)) ||
        !idxtab_reserve(&dl.by_pair, dl.n_addrs, dl_rehash_pair, NULL) ||
        !idxtab_reserve(&dl.by_ip, dl.n_addrs, dl_rehash_ip, NULL)) {
        dl.dropped++;
        return;
    }
    uint32_t i = dl.n_addrs++;
    memcpy(DL_ADDR(i)->name, n, sizeof(n));
    DL_ADDR(i)->addr = *addr;
    DL_ADDR(i)->next = DL_NONE;
    idxtab_insert(&dl.by_pair, hp, i);
    uint32_t first = idxtab_find(&dl.by_ip, hi, dl_eq_ip, &key);
    if (first == DL_NONE) {
        idxtab_insert(&dl.by_ip, hi, i);
        return;
    }
    uint32_t last = first; /* a handful of names per address */
    for (uint32_t guard = 0; DL_ADDR(last)->next != DL_NONE && guard < dl.n_addrs; guard++)
        last = DL_ADDR(last)->next;
    DL_ADDR(last)->next = i;
}

const char *
dnslearn_mx_domain(const char *mx_host)
{
    char h[DNSLEARN_NAME_MAX];
    dl_norm(h, mx_host);
    uint32_t i = idxtab_find_str(&dl.mx_host, &dl_mx_hosts, idxtab_hash_nocase(h), h);
    return i != DL_NONE ? DL_MX(i)->domain : NULL;
}

unsigned
dnslearn_mx_domains(const char *mx_host, const char **out, unsigned max)
{
    char h[DNSLEARN_NAME_MAX];
    dl_norm(h, mx_host);
    uint32_t i = idxtab_find_str(&dl.mx_host, &dl_mx_hosts, idxtab_hash_nocase(h), h);
    unsigned n = 0;
    for (unsigned guard = 0; i != DL_NONE && n < max && guard < DNSLEARN_MX_DOMAINS;
         i = DL_MX(i)->next_domain, guard++)
        out[n++] = DL_MX(i)->domain;
    return n;
}

enum dnslearn_asked
dnslearn_mx_asked(const char *mx_host, const char *domain, const struct ipaddr *client)
{
    char d[DNSLEARN_NAME_MAX], h[DNSLEARN_NAME_MAX];
    dl_norm(d, domain);
    dl_norm(h, mx_host);
    struct dl_key key = {h, d, NULL};
    uint32_t i =
        client ? idxtab_find(&dl.mx_pair, dl_mx_hash(idxtab_hash_nocase(h), d), dl_eq_mx_pair, &key)
               : DL_NONE;
    if (i == DL_NONE)
        return DNSLEARN_ASKED_NO;
    for (unsigned k = 0; k < DL_MX(i)->n_askers; k++)
        if (dl_same_ip(&DL_MX(i)->askers[k], client))
            return DNSLEARN_ASKED_YES;
    return DL_MX(i)->more_askers ? DNSLEARN_ASKED_MAYBE : DNSLEARN_ASKED_NO;
}

uint32_t
dnslearn_mx_ttl(const char *mx_host)
{
    char h[DNSLEARN_NAME_MAX];
    dl_norm(h, mx_host);
    uint32_t i = idxtab_find_str(&dl.mx_host, &dl_mx_hosts, idxtab_hash_nocase(h), h);
    return i != DL_NONE ? DL_MX(i)->host_ttl : 0;
}

bool
dnslearn_mx_domains_capped(const char *mx_host)
{
    char h[DNSLEARN_NAME_MAX];
    dl_norm(h, mx_host);
    uint32_t i = idxtab_find_str(&dl.mx_host, &dl_mx_hosts, idxtab_hash_nocase(h), h);
    return i != DL_NONE && DL_MX(i)->more_domains;
}

/* ---- CNAMEs (RFC 1035 §3.3.1; RFC 7672 §2.2.2, RFC 7671 §7) ---- */

static uint32_t
dl_cn_find(struct idxtab *t, const struct idxtab_strkeys *keys, const char *name)
{
    char n[DNSLEARN_NAME_MAX];
    dl_norm(n, name);
    return idxtab_find_str(t, keys, idxtab_hash_nocase(n), n);
}

void
dnslearn_cname(const char *alias, const char *target, bool ad, int64_t ts_us)
{
    dl_seen(ts_us);
    char a[DNSLEARN_NAME_MAX], t[DNSLEARN_NAME_MAX];
    dl_norm(a, alias);
    dl_norm(t, target);
    uint64_t ha = idxtab_hash_nocase(a), ht = idxtab_hash_nocase(t);
    uint32_t i = idxtab_find_str(&dl.cn_alias, &dl_cn_aliases, ha, a);
    if (i != DL_NONE) { /* an alias has one target (RFC 1034 §3.6.2): the first kept */
        if (strcasecmp(DL_CNAME(i)->target, t) == 0)
            DL_CNAME(i)->ad |= ad;
        return;
    }
    if (!dl_room(&dl.cnames, dl.n_cnames, sizeof(struct dl_cname)) ||
        !idxtab_reserve_str(&dl.cn_alias, dl.n_cnames, &dl_cn_aliases) ||
        !idxtab_reserve_str(&dl.cn_target, dl.n_cnames, &dl_cn_targets)) {
        dl.dropped++;
        /* an alias of a known target lost: its aliases are no longer all known */
        uint32_t known = idxtab_find_str(&dl.cn_target, &dl_cn_targets, ht, t);
        if (known != DL_NONE) {
            DL_CNAME(known)->more_aliases = true;
            DL_CNAME(known)->n_more_aliases += DL_CNAME(known)->n_more_aliases < UINT32_MAX;
        }
        return;
    }
    i = dl.n_cnames++;
    memcpy(DL_CNAME(i)->alias, a, sizeof(a));
    memcpy(DL_CNAME(i)->target, t, sizeof(t));
    DL_CNAME(i)->ad = ad;
    DL_CNAME(i)->next_alias = DL_NONE;
    DL_CNAME(i)->n_aliases = 1;
    DL_CNAME(i)->more_aliases = false;
    DL_CNAME(i)->n_more_aliases = 0;
    idxtab_insert(&dl.cn_alias, ha, i);
    uint32_t first = idxtab_find_str(&dl.cn_target, &dl_cn_targets, ht, t);
    if (first == DL_NONE) {
        idxtab_insert(&dl.cn_target, ht, i);
        return;
    }
    /* another alias of the same target (a pool of MX hosts CNAMEd to one
     * host): linked after the others, DNSLEARN_CNAME_ALIASES at most; past
     * that it still expands, but is not found back from the target */
    if (DL_CNAME(first)->n_aliases >= DNSLEARN_CNAME_ALIASES) {
        dl.dropped++;
        DL_CNAME(first)->more_aliases = true;
        DL_CNAME(first)->n_more_aliases += DL_CNAME(first)->n_more_aliases < UINT32_MAX;
        return;
    }
    uint32_t last = first;
    for (unsigned guard = 0;
         DL_CNAME(last)->next_alias != DL_NONE && guard < DNSLEARN_CNAME_ALIASES; guard++)
        last = DL_CNAME(last)->next_alias;
    DL_CNAME(last)->next_alias = i;
    DL_CNAME(first)->n_aliases++;
}

const char *
dnslearn_cname_expand(const char *name, bool *secure)
{
    *secure = true;
    const char *at = NULL;
    uint32_t i = dl.n_cnames ? dl_cn_find(&dl.cn_alias, &dl_cn_aliases, name) : DL_NONE;
    for (unsigned hop = 0; i != DL_NONE && hop < DNSLEARN_CNAME_HOPS; hop++) {
        at = DL_CNAME(i)->target;
        *secure &= DL_CNAME(i)->ad;
        i = dl_cn_find(&dl.cn_alias, &dl_cn_aliases, at);
    }
    if (i != DL_NONE) /* longer than DNSLEARN_CNAME_HOPS, or a loop: not resolved */
        *secure = false;
    return at;
}

/* out holds name (case aside) among its first n */
static bool
dl_listed(const char *const *out, unsigned n, const char *name)
{
    for (unsigned k = 0; k < n; k++)
        if (strcasecmp(out[k], name) == 0)
            return true;
    return false;
}

unsigned
dnslearn_cname_origins(const char *name, const char **out, unsigned max)
{
    bool capped;
    return dnslearn_cname_origins_capped(name, out, max, &capped);
}

unsigned
dnslearn_cname_origins_capped(const char *name, const char **out, unsigned max, bool *capped)
{
    /* breadth first over the aliases of name, of their aliases, ...:
     * DNSLEARN_CNAME_HOPS levels, each name's aliases in arrival order */
    const char *level[DNSLEARN_CNAME_ALIASES], *next[DNSLEARN_CNAME_ALIASES];
    unsigned n_level = 0, n = 0;
    *capped = false;
    uint32_t i = dl.n_cnames ? dl_cn_find(&dl.cn_target, &dl_cn_targets, name) : DL_NONE;
    if (i == DL_NONE)
        return 0;
    level[n_level++] = name;
    for (unsigned hop = 0; n_level > 0 && n < max && hop < DNSLEARN_CNAME_HOPS; hop++) {
        unsigned n_next = 0, k = 0;
        for (; k < n_level && n < max; k++) {
            i = dl_cn_find(&dl.cn_target, &dl_cn_targets, level[k]);
            *capped |= i != DL_NONE && DL_CNAME(i)->more_aliases; /* aliases not kept */
            for (unsigned guard = 0; i != DL_NONE && n < max && guard < DNSLEARN_CNAME_ALIASES;
                 i = DL_CNAME(i)->next_alias, guard++) {
                const char *alias = DL_CNAME(i)->alias;
                bool aliased = dl_cn_find(&dl.cn_target, &dl_cn_targets, alias) != DL_NONE;
                if (aliased && hop + 1 < DNSLEARN_CNAME_HOPS && n_next >= DNSLEARN_CNAME_ALIASES &&
                    !dl_listed(next, n_next, alias))
                    *capped = true; /* not followed back */
                else if (aliased && hop + 1 < DNSLEARN_CNAME_HOPS &&
                         !dl_listed(next, n_next, alias))
                    next[n_next++] = alias; /* followed further back */
                else if (!aliased || hop + 1 == DNSLEARN_CNAME_HOPS)
                    if (!dl_listed(out, n, alias))
                        out[n++] = alias; /* a start (or as far back as followed) */
            }
        }
        /* out full with names left: an alias, a name of this level or the next */
        if (n == max && (i != DL_NONE || k < n_level || n_next > 0))
            *capped = true;
        memcpy(level, next, n_next * sizeof(next[0]));
        n_level = n_next;
    }
    return n;
}

uint32_t
dnslearn_cname_aliases_more(const char *name)
{
    uint32_t i = dl.n_cnames ? dl_cn_find(&dl.cn_target, &dl_cn_targets, name) : DL_NONE;
    return i != DL_NONE ? DL_CNAME(i)->n_more_aliases : 0;
}

unsigned
dnslearn_names(const struct ipaddr *server, struct expected_name *out, unsigned max)
{
    struct dl_key key = {NULL, NULL, server};
    uint32_t first = idxtab_find(&dl.by_ip, dl_hash_ip(server), dl_eq_ip, &key);
    unsigned n = 0;
    /* Two passes: names that are MX hosts first, then plain A/AAAA names. */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = first, guard = 0; i != DL_NONE && n < max && guard < dl.n_addrs;
             i = DL_ADDR(i)->next, guard++) {
            bool is_mx = dnslearn_mx_domain(DL_ADDR(i)->name) != NULL;
            if (is_mx != (pass == 0))
                continue;
            out[n].name = DL_ADDR(i)->name;
            out[n].source = is_mx ? NAME_SRC_DNS_MX : NAME_SRC_DNS_A;
            n++;
        }
    return n;
}

uint64_t
dnslearn_dropped(void)
{
    return dl.dropped;
}
