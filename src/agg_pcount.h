/* \summary: the count of a server's distinct peers past report.peers_max
 * (aggregate.c itemises the first report.peers_max, each with its row): the
 * addresses alone, in an open-addressing table kept at most 3/4 full and
 * grown up to AGG_PCOUNT_SLOTS_MAX slots, its memory accounted (mem.c) and
 * not grown once the run-long tables are full (mem_run_tables_full). The
 * count is exact until then; past it an address not found cannot be told
 * from one that was not stored, and the count is a lower bound (at_least):
 * "at least N peers", never a guess. */
#ifndef SMTPTAP_AGG_PCOUNT_H
#define SMTPTAP_AGG_PCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

/* 2^18 slots of 17 bytes (4.5 MB): 196608 distinct addresses a server,
 * past its report.peers_max, counted exactly */
#define AGG_PCOUNT_SLOTS_MAX (1u << 18)

struct agg_pcount {
    struct ipaddr *slot; /* n_slots (a power of 2, or 0); family 0: empty */
    uint32_t n_slots;
    uint32_t n;    /* distinct addresses counted */
    bool at_least; /* n is a lower bound: an address was not stored */
};

/* A session of the peer ip (family 4 or 6), which is not itemised: its
 * address counted when new (true then). */
bool agg_pcount_add(struct agg_pcount *c, const struct ipaddr *ip);

/* The addresses counted in c, and whether that is only a lower bound
 * (also when c is NULL: the memcap refused the count itself). */
static inline uint32_t
agg_pcount_n(const struct agg_pcount *c)
{
    return c ? c->n : 0;
}

static inline bool
agg_pcount_at_least(const struct agg_pcount *c)
{
    return c == NULL || c->at_least;
}

/* Frees c and what it holds (NULL: nothing). */
void agg_pcount_free(struct agg_pcount *c);

#endif /* SMTPTAP_AGG_PCOUNT_H */
