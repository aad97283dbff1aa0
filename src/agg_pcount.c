/* \summary: the count of a server's distinct peers past report.peers_max
 * (see agg_pcount.h). */
#include "agg_pcount.h"

#include <string.h>

#include "idxtab.h"
#include "mem.h"
#include "nhash.h"

static uint32_t
agg_pcount_hash(const struct ipaddr *ip)
{
    /* FNV-1a spread by a mixing round: consecutive addresses (a NAT pool,
     * a /24 of senders) must not fill neighbouring slots */
    return (uint32_t)nhash_mix(idxtab_hash_bytes(ip->a, sizeof(ip->a)), ip->family);
}

static bool
agg_pcount_same(const struct ipaddr *a, const struct ipaddr *b)
{
    return a->family == b->family && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

/* The slot of ip, or of the empty slot where it would go. */
static struct ipaddr *
agg_pcount_slot(const struct agg_pcount *c, const struct ipaddr *ip)
{
    uint32_t mask = c->n_slots - 1;
    uint32_t k = agg_pcount_hash(ip) & mask;
    while (c->slot[k].family != 0 && !agg_pcount_same(&c->slot[k], ip))
        k = (k + 1) & mask;
    return &c->slot[k];
}

/* Room for one more address: the table doubled (from 64) when it would be
 * more than 3/4 full. False at AGG_PCOUNT_SLOTS_MAX, once the run-long
 * tables are full, or when memory is refused. */
static bool
agg_pcount_room(struct agg_pcount *c)
{
    if (c->n_slots != 0 && (uint64_t)(c->n + 1) * 4 <= (uint64_t)c->n_slots * 3)
        return true;
    uint32_t ns = c->n_slots ? c->n_slots * 2 : 64;
    if (ns > AGG_PCOUNT_SLOTS_MAX || mem_run_tables_full())
        return false;
    struct ipaddr *v = mem_alloc((size_t)ns * sizeof(*v)); /* zeroed: all empty */
    if (v == NULL)
        return false;
    struct agg_pcount grown = {v, ns, 0, false};
    for (uint32_t i = 0; i < c->n_slots; i++)
        if (c->slot[i].family != 0)
            *agg_pcount_slot(&grown, &c->slot[i]) = c->slot[i];
    mem_free(c->slot, (size_t)c->n_slots * sizeof(*c->slot));
    c->slot = v;
    c->n_slots = ns;
    return true;
}

bool
agg_pcount_add(struct agg_pcount *c, const struct ipaddr *ip)
{
    if (c->n_slots != 0 && agg_pcount_slot(c, ip)->family != 0)
        return false; /* counted before */
    if (!agg_pcount_room(c)) {
        c->at_least = true; /* new, or among those not stored: not known */
        return false;
    }
    *agg_pcount_slot(c, ip) = *ip;
    c->n++;
    return true;
}

void
agg_pcount_free(struct agg_pcount *c)
{
    if (c == NULL)
        return;
    mem_free(c->slot, (size_t)c->n_slots * sizeof(*c->slot));
    mem_free(c, sizeof(*c));
}
