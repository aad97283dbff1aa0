/* \summary: the TLS resumption table (see resume.h). Entries are kept in a
 * ring in the order they were put (the oldest is evicted when the ring is
 * at tls.resume_max), indexed by a chained hash. The ring grows by doubling
 * up to the cap, so a capture without resumable sessions costs nothing; a
 * full handshake puts one key (its session ID) and one per ticket; only an
 * abbreviated handshake looks one up. Nothing is done per packet. */
#include "resume.h"

#include <string.h>

#include "mem.h"
#include "nhash.h"

struct resume_ent {
    struct resume_key key;
    struct resume_link link;
    uint32_t next; /* 1 + index of the next entry of its bucket, 0 = none */
    uint32_t hash; /* resume_hash(&key) */
};

static struct {
    struct resume_ent *ent; /* the ring: cap entries allocated */
    uint32_t *bkt;          /* 1 + index of a bucket's first entry, 0 = empty */
    uint32_t cap, n, head;  /* head: the oldest entry once the ring wrapped */
    uint32_t nbkt;          /* a power of two, 2 * cap */
    uint32_t max;
    uint32_t seed;
    uint64_t evicted, refused;
} rs;

int
resume_init(uint32_t max, uint32_t seed)
{
    resume_free();
    if (max == 0)
        return -1;
    rs.max = max;
    rs.seed = seed;
    return 0;
}

void
resume_free(void)
{
    if (rs.ent != NULL)
        mem_free(rs.ent, (size_t)rs.cap * sizeof(*rs.ent));
    if (rs.bkt != NULL)
        mem_free(rs.bkt, (size_t)rs.nbkt * sizeof(*rs.bkt));
    memset(&rs, 0, sizeof(rs));
}

static uint32_t
resume_hash(const struct resume_key *k)
{
    uint64_t h = nhash_mix((uint64_t)k->kind << 8 | k->len, rs.seed);
    uint64_t w;
    for (unsigned i = 0; i < sizeof(k->ip.a); i += 8) {
        memcpy(&w, k->ip.a + i, 8);
        h = nhash_mix(h, w);
    }
    for (unsigned i = 0; i < k->len; i += 8) {
        w = 0;
        memcpy(&w, k->b + i, k->len - i < 8 ? k->len - i : 8);
        h = nhash_mix(h, w);
    }
    return nhash_fold(h, rs.seed);
}

static bool
resume_same(const struct resume_key *a, const struct resume_key *b)
{
    return a->ip.family == b->ip.family && memcmp(a->ip.a, b->ip.a, sizeof(a->ip.a)) == 0 &&
           a->kind == b->kind && a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static uint32_t
resume_find(const struct resume_key *k, uint32_t h)
{
    if (rs.bkt == NULL)
        return UINT32_MAX;
    for (uint32_t i = rs.bkt[h & (rs.nbkt - 1)]; i != 0; i = rs.ent[i - 1].next)
        if (rs.ent[i - 1].hash == h && resume_same(&rs.ent[i - 1].key, k))
            return i - 1;
    return UINT32_MAX;
}

static void
resume_link_in(uint32_t idx)
{
    uint32_t b = rs.ent[idx].hash & (rs.nbkt - 1);
    rs.ent[idx].next = rs.bkt[b];
    rs.bkt[b] = idx + 1;
}

static void
resume_unlink(uint32_t idx)
{
    uint32_t *p = &rs.bkt[rs.ent[idx].hash & (rs.nbkt - 1)];
    while (*p != 0 && *p != idx + 1)
        p = &rs.ent[*p - 1].next;
    if (*p == idx + 1)
        *p = rs.ent[idx].next;
}

/* Doubles the ring (up to the cap) and rebuilds the buckets. Only before
 * the ring is full for the first time: no entry was evicted, head is 0. */
static bool
resume_grow(void)
{
    uint32_t cap = rs.cap ? rs.cap * 2 : 64;
    if (cap > rs.max)
        cap = rs.max;
    uint32_t nbkt = 1;
    while (nbkt < cap * 2u && nbkt < (1u << 31))
        nbkt <<= 1;
    struct resume_ent *e =
        rs.ent == NULL ? mem_alloc((size_t)cap * sizeof(*e))
                       : mem_realloc(rs.ent, (size_t)rs.cap * sizeof(*e), (size_t)cap * sizeof(*e));
    if (e == NULL)
        return false;
    rs.ent = e;
    rs.cap = cap;
    uint32_t *b = mem_alloc((size_t)nbkt * sizeof(*b));
    if (b == NULL)
        return false; /* the old buckets still index the entries */
    if (rs.bkt != NULL)
        mem_free(rs.bkt, (size_t)rs.nbkt * sizeof(*rs.bkt));
    rs.bkt = b;
    rs.nbkt = nbkt;
    for (uint32_t i = 0; i < rs.n; i++)
        resume_link_in(i);
    return true;
}

void
resume_put(const struct resume_key *key, const struct resume_link *link)
{
    if (rs.max == 0 || key->len == 0 || key->len > RESUME_KEY_MAX || link->n == 0)
        return;
    uint32_t h = resume_hash(key);
    uint32_t i = resume_find(key, h);
    if (i != UINT32_MAX) {
        rs.ent[i].link = *link;
        return;
    }
    if ((rs.n == rs.cap && rs.cap < rs.max && !resume_grow()) || rs.bkt == NULL) {
        rs.refused++;
        return;
    }
    if (rs.n < rs.cap) {
        i = rs.n++;
    } else { /* at the cap: the oldest makes room */
        i = rs.head;
        resume_unlink(i);
        rs.head = (rs.head + 1) % rs.cap;
        rs.evicted++;
    }
    memset(&rs.ent[i], 0, sizeof(rs.ent[i]));
    rs.ent[i].key = *key;
    rs.ent[i].link = *link;
    rs.ent[i].hash = h;
    resume_link_in(i);
}

bool
resume_get(const struct resume_key *key, struct resume_link *out)
{
    uint32_t i = resume_find(key, resume_hash(key));
    if (i == UINT32_MAX)
        return false;
    *out = rs.ent[i].link;
    return true;
}

uint32_t
resume_count(void)
{
    return rs.n;
}

uint64_t
resume_evicted(void)
{
    return rs.evicted;
}

uint64_t
resume_refused(void)
{
    return rs.refused;
}
