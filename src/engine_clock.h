/* \summary: the engine's clock (src/engine_clock.c): the time each TCP
 * packet is taken at, with a guard against one packet whose time stamp is
 * wrong. A capture's clock can be wrong for one packet (wsnotes__smtp-ssl:
 * one SYN-ACK stamped 48 years after the rest); taken at its own time, that
 * packet would end every flow in progress as idle, or leave its own flow
 * idle since a time long past, and date its session by it. So a packet
 * stamped more than the jump (flow.timeout) after or before the clock is
 * taken at the clock's time, and the jump is held until the next packet
 * (or the live clock, or the end of the capture) settles it: confirmed, the
 * flow the packet went to takes the packet's own time; not confirmed, the
 * packet was an outlier (stats timestamp_outliers). The span of times taken
 * is the stats record's first_packet .. last_packet for TCP.
 */
#ifndef SMTPTAP_ENGINE_CLOCK_H
#define SMTPTAP_ENGINE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

struct eclock {
    int64_t jump_us;  /* flow.timeout */
    int64_t clock_us; /* the latest packet time taken (0: none yet) */
    int64_t held_us;  /* a jump not yet settled, when held */
    bool held;
    bool held_flow;   /* held_key names the flow the held packet went to */
    bool held_new;    /* that flow began with the held packet */
    bool after_first; /* the held packet came right after the first one */
    bool first_flow;  /* first_key names the first packet's flow */
    struct flow_key held_key, first_key;
    uint32_t held_hash, first_hash;
    uint64_t packets;  /* TCP packets taken */
    uint64_t outliers; /* held packets that were not confirmed */
    int64_t span_lo, span_hi;
};

void eclock_init(struct eclock *c, uint32_t jump_s);

/* The time a packet stamped ts is taken at, when the caller's once-a-second
 * expiry scan is due (the clock is then less than a second behind the
 * packets). Settles a held jump first. Returns the clock's time and holds
 * ts when ts is a jump: the caller then forces the next packet's scan, so
 * that it settles the jump. */
int64_t eclock_take(struct eclock *c, struct flow_table *t, int64_t ts);

/* Settles a held jump at ts: the next packet's time, or the live clock's. */
void eclock_settle(struct eclock *c, struct flow_table *t, int64_t ts);

/* Confirms a held jump (the end of the capture: nothing says it was
 * wrong). */
void eclock_confirm(struct eclock *c, struct flow_table *t);

static inline void
eclock_widen(struct eclock *c, int64_t t)
{
    if (c->span_lo == 0 || t < c->span_lo)
        c->span_lo = t;
    if (t > c->span_hi)
        c->span_hi = t;
}

/* A TCP packet is taken at now (the time eclock_take gave, or its own). */
static inline void
eclock_span(struct eclock *c, int64_t now)
{
    c->packets++;
    eclock_widen(c, now);
}

/* The packet just taken went to the flow k (hash h; created: the flow began
 * with it). Kept for the first packet and a held one only. */
static inline void
eclock_flow(struct eclock *c, const struct flow_key *k, uint32_t h, bool created)
{
    if (__builtin_expect(c->packets == 1 && !c->first_flow, 0)) {
        c->first_key = *k;
        c->first_hash = h;
        c->first_flow = true;
    }
    if (__builtin_expect(c->held && !c->held_flow, 0)) {
        c->held_key = *k;
        c->held_hash = h;
        c->held_new = created;
        c->held_flow = true;
    }
}

#endif /* SMTPTAP_ENGINE_CLOCK_H */
