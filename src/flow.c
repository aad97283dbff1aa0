/* \summary: the flow table (see flow.h): seeded hash, LRU by packet time,
 * creation-order list. */
#include "flow.h"

#include <string.h>

#include "mem.h"
#include "nhash.h"

#define FLOW_SLOTS_MAX (1u << 23)

/* Byte order of an address, as memcmp would give it: IPv4 compares as one
 * big-endian word, without a library call per packet. */
static int
flow_ep_cmp(const struct ipaddr *a, uint16_t pa, const struct ipaddr *b, uint16_t pb)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    if (a->family == 4) {
        uint32_t x =
            (uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 | (uint32_t)a->a[2] << 8 | a->a[3];
        uint32_t y =
            (uint32_t)b->a[0] << 24 | (uint32_t)b->a[1] << 16 | (uint32_t)b->a[2] << 8 | b->a[3];
        if (x != y)
            return x < y ? -1 : 1;
    } else {
        int c = memcmp(a->a, b->a, 16);
        if (c != 0)
            return c;
    }
    if (pa != pb)
        return pa < pb ? -1 : 1;
    return 0;
}

static bool flow_ignore_vlan;

void
flow_set_ignore_vlan(bool on)
{
    flow_ignore_vlan = on;
}

void
flow_key_from_pkt(const struct pkt *p, struct flow_key *k, uint8_t *side)
{
    memset(k, 0, sizeof(*k));
    bool swap = flow_ep_cmp(&p->src, p->sport, &p->dst, p->dport) > 0;
    const struct ipaddr *a = swap ? &p->dst : &p->src, *b = swap ? &p->src : &p->dst;
    k->ip[0].family = a->family;
    k->ip[1].family = b->family;
    /* fixed sizes, so that the copies are inlined moves, not memcpy calls */
    if (a->family == 4)
        memcpy(k->ip[0].a, a->a, 4);
    else
        memcpy(k->ip[0].a, a->a, 16);
    if (b->family == 4)
        memcpy(k->ip[1].a, b->a, 4);
    else
        memcpy(k->ip[1].a, b->a, 16);
    k->port[0] = swap ? p->dport : p->sport;
    k->port[1] = swap ? p->sport : p->dport;
    k->n_vlan = flow_ignore_vlan ? 0 : p->n_vlan > 2 ? 2 : p->n_vlan;
    for (unsigned i = 0; i < k->n_vlan; i++)
        k->vlan[i] = p->vlan[i];
    if (!flow_ignore_vlan) {
        k->tun_kind = p->tun_kind;
        k->tun_id = p->tun_id;
    }
    k->proto = p->ip_proto;
    *side = swap ? 1 : 0;
}

static uint64_t flow_load64(const uint8_t *p);

/* Keys are zeroed before they are filled, so the 16 address bytes compare
 * as two words each. */
static bool
flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
    return a->proto == b->proto && a->port[0] == b->port[0] && a->port[1] == b->port[1] &&
           a->n_vlan == b->n_vlan && a->vlan[0] == b->vlan[0] && a->vlan[1] == b->vlan[1] &&
           a->tun_id == b->tun_id && a->tun_kind == b->tun_kind &&
           a->ip[0].family == b->ip[0].family && a->ip[1].family == b->ip[1].family &&
           flow_load64(a->ip[0].a) == flow_load64(b->ip[0].a) &&
           flow_load64(a->ip[0].a + 8) == flow_load64(b->ip[0].a + 8) &&
           flow_load64(a->ip[1].a) == flow_load64(b->ip[1].a) &&
           flow_load64(a->ip[1].a + 8) == flow_load64(b->ip[1].a + 8);
}

/* Native-order load: the hash only has to be consistent within a run. */
static uint64_t
flow_load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* NH (RFC 4418 §5.2.2, UMAC's inner hash) over the key's twelve 32-bit
 * words with a key derived from the run's seed: six independent
 * multiplications instead of a chain of six mixing rounds (the hash was
 * ~80 instructions a packet), still a universal hash, so that a crafted
 * set of addresses cannot pile flows into one probe run without knowing
 * the seed; then one mixing round so that the low bits, which pick the
 * slot, depend on every bit. */
uint32_t
flow_hash(const struct flow_table *t, const struct flow_key *k)
{
    uint64_t ports = (uint64_t)k->port[0] << 48 | (uint64_t)k->port[1] << 32 |
                     (uint64_t)k->vlan[0] << 16 | k->vlan[1];
    uint64_t misc = (uint64_t)k->tun_id << 32 | (uint64_t)k->tun_kind << 24 |
                    (uint64_t)k->proto << 16 | (uint64_t)k->n_vlan << 8 |
                    (uint64_t)(k->ip[0].family ^ (k->ip[1].family << 4));
    uint64_t h = nhash_term(flow_load64(k->ip[0].a), t->hkey) +
                 nhash_term(flow_load64(k->ip[0].a + 8), t->hkey + 2) +
                 nhash_term(flow_load64(k->ip[1].a), t->hkey + 4) +
                 nhash_term(flow_load64(k->ip[1].a + 8), t->hkey + 6) +
                 nhash_term(ports, t->hkey + 8) + nhash_term(misc, t->hkey + 10);
    return nhash_fold(h, t->seed);
}

int
flow_table_init(struct flow_table *t, uint32_t max, uint32_t seed)
{
    memset(t, 0, sizeof(*t));
    if (max > FLOW_SLOTS_MAX / 2)
        max = FLOW_SLOTS_MAX / 2; /* the slots must never fill */
    uint32_t ns = 16;
    while (ns < 2 * (uint64_t)max && ns < FLOW_SLOTS_MAX)
        ns <<= 1;
    t->slots = mem_alloc((size_t)ns * sizeof(*t->slots));
    if (t->slots == NULL)
        return -1;
    t->nslots = ns;
    t->max = max ? max : 1;
    t->seed = seed ? seed : nhash_random_seed();
    nhash_keys(t->seed, t->hkey, 12);
    return 0;
}

void
flow_table_fini(struct flow_table *t)
{
    for (unsigned guard = 0; t->all_head != NULL && guard < UINT32_MAX; guard++)
        flow_remove(t, t->all_head);
    if (t->slots != NULL)
        mem_free(t->slots, (size_t)t->nslots * sizeof(*t->slots));
    memset(t, 0, sizeof(*t));
}

void
flow_prefetch_bucket(const struct flow_table *t, uint32_t hash)
{
    __builtin_prefetch(&t->slots[hash & (t->nslots - 1)]);
}

void
flow_prefetch_chain(const struct flow_table *t, uint32_t hash)
{
    const uint32_t mask = t->nslots - 1;
    for (uint32_t i = hash & mask, n = 0; n < t->nslots; i = (i + 1) & mask, n++) {
        const struct flow_slot *s = &t->slots[i];
        if (s->f == NULL)
            return;
        if (s->hash != hash)
            continue;
        /* key, context, LRU links, times and counters; the engine's state and
         * the start of the reassembly (flow.h: the per-packet lines first) */
        const char *c = (const char *)s->f;
        __builtin_prefetch(c);
        __builtin_prefetch(c + 64);
        __builtin_prefetch(c + 128);
        __builtin_prefetch(c + 192);
    }
}

struct flow *
flow_lookup(struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
    const uint32_t mask = t->nslots - 1;
    for (uint32_t i = hash & mask, n = 0; n < t->nslots; i = (i + 1) & mask, n++) {
        const struct flow_slot *s = &t->slots[i];
        if (s->f == NULL)
            return NULL;
        if (s->hash == hash && flow_key_eq(&s->f->key, k))
            return s->f;
    }
    return NULL;
}

static void
flow_lru_unlink(struct flow_table *t, struct flow *f)
{
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        t->lru_head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        t->lru_tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void
flow_lru_append(struct flow_table *t, struct flow *f)
{
    f->lru_prev = t->lru_tail;
    f->lru_next = NULL;
    if (t->lru_tail)
        t->lru_tail->lru_next = f;
    else
        t->lru_head = f;
    t->lru_tail = f;
}

struct flow *
flow_insert(struct flow_table *t, const struct flow_key *k, uint32_t hash, int64_t now_us)
{
    const uint32_t mask = t->nslots - 1;
    uint32_t i = hash & mask;
    for (uint32_t n = 0; t->slots[i].f != NULL; i = (i + 1) & mask)
        if (++n == t->nslots)
            return NULL; /* full: cannot happen, count <= max <= nslots / 2 */
    struct flow *f = mem_alloc(sizeof(*f));
    if (f == NULL)
        return NULL;
    f->key = *k;
    f->hash = hash;
    f->id = ++t->next_id;
    f->first_us = f->last_us = f->idle_us = now_us;
    t->slots[i].hash = hash;
    t->slots[i].f = f;
    flow_lru_append(t, f);
    f->all_prev = t->all_tail;
    if (t->all_tail)
        t->all_tail->all_next = f;
    else
        t->all_head = f;
    t->all_tail = f;
    t->count++;
    return f;
}

/* Empties f's slot and moves back the entries after it that probing would
 * otherwise no longer reach (backward-shift deletion: no tombstones). */
static void
flow_slot_clear(struct flow_table *t, const struct flow *f)
{
    const uint32_t mask = t->nslots - 1;
    uint32_t i = f->hash & mask, n = 0;
    while (t->slots[i].f != f) {
        if (t->slots[i].f == NULL || ++n == t->nslots)
            return; /* not in the table */
        i = (i + 1) & mask;
    }
    uint32_t j = i;
    for (n = 0; n < t->nslots; n++) {
        j = (j + 1) & mask;
        if (t->slots[j].f == NULL)
            break;
        uint32_t home = t->slots[j].hash & mask;
        /* the entry at j stays if its home lies cyclically in (i, j] */
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        t->slots[i] = t->slots[j];
        i = j;
    }
    t->slots[i].f = NULL;
    t->slots[i].hash = 0;
}

void
flow_touch(struct flow_table *t, struct flow *f, int64_t now_us)
{
    if (now_us > f->last_us)
        f->last_us = now_us;
    f->idle_us = now_us;
    if (t->lru_tail != f) {
        flow_lru_unlink(t, f);
        flow_lru_append(t, f);
    }
}

void
flow_remove(struct flow_table *t, struct flow *f)
{
    flow_slot_clear(t, f);
    flow_lru_unlink(t, f);
    if (f->all_prev)
        f->all_prev->all_next = f->all_next;
    else
        t->all_head = f->all_next;
    if (f->all_next)
        f->all_next->all_prev = f->all_prev;
    else
        t->all_tail = f->all_prev;
    t->count--;
    if (f->tunnel != NULL)
        mem_free(f->tunnel, sizeof(*f->tunnel));
    mem_free(f, sizeof(*f));
}

void
flow_anomaly(struct flow *f, const char *name, const char *detail, int64_t ts)
{
    for (unsigned i = 0; i < f->n_anomalies; i++) {
        if (f->anomalies[i].name == name || strcmp(f->anomalies[i].name, name) == 0) {
            f->anomalies[i].count++;
            return;
        }
    }
    if (f->n_anomalies >= FLOW_ANOMALIES_MAX) {
        f->anomalies_dropped++;
        return;
    }
    struct flow_anomaly *a = &f->anomalies[f->n_anomalies++];
    a->name = name;
    a->detail = detail;
    a->count = 1;
    a->first_us = ts;
}

struct flow *
flow_oldest(const struct flow_table *t)
{
    return t->lru_head;
}

struct flow *
flow_first(const struct flow_table *t)
{
    return t->all_head;
}
