/* \summary: the engine's clock (see engine_clock.h): packet times taken,
 * one wrong time stamp held and settled by the packets after it. */
#include "engine_clock.h"

#include <string.h>

void
eclock_init(struct eclock *c, uint32_t jump_s)
{
    memset(c, 0, sizeof(*c));
    c->jump_us = (int64_t)jump_s * 1000000;
}

/* The flow k went to takes time ts as its own: first and last when it
 * began with the packet whose time it takes, idle from ts. */
static void
eclock_redate(struct flow_table *t, const struct flow_key *k, uint32_t h, bool began, int64_t ts)
{
    struct flow *f = flow_lookup(t, k, h);
    if (f == NULL)
        return;
    if (began)
        f->first_us = f->last_us = ts;
    flow_touch(t, f, ts);
}

/* The held packet went to the flow of the capture's first packet. */
static bool
eclock_same_flow(const struct eclock *c, struct flow_table *t)
{
    if (!c->first_flow || !c->held_flow || c->first_hash != c->held_hash)
        return false;
    const struct flow *f = flow_lookup(t, &c->first_key, c->first_hash);
    return f != NULL && f == flow_lookup(t, &c->held_key, c->held_hash);
}

void
eclock_confirm(struct eclock *c, struct flow_table *t)
{
    bool back = c->held_us < c->clock_us;
    c->held = false;
    c->clock_us = c->held_us;
    if (c->after_first && (back || eclock_same_flow(c, t))) {
        /* The clock stepped back right after the capture's first packet,
         * and stays there, or jumped ahead right after it within one
         * connection (no connection waits flow.timeout in its handshake):
         * that first packet, the only one on the other side of the jump,
         * was the outlier. Its flow, and the span, take the time of the
         * packets after it. A first packet then a quiet stretch on another
         * connection is a jump like any other. */
        c->outliers++;
        c->span_lo = c->span_hi = c->held_us;
        if (c->first_flow)
            eclock_redate(t, &c->first_key, c->first_hash, true, c->held_us);
    }
    if (c->held_flow)
        eclock_redate(t, &c->held_key, c->held_hash, c->held_new, c->held_us);
    eclock_widen(c, c->held_us);
}

/* Near the held time or beyond it in the jump's direction, the jump was
 * real (eclock_confirm: a quiet link, captures merged end to end, a clock
 * stepped back); back on the clock's side of it, the held packet was an
 * outlier. */
void
eclock_settle(struct eclock *c, struct flow_table *t, int64_t ts)
{
    bool ahead = c->held_us > c->clock_us;
    if (ahead ? ts >= c->held_us - c->jump_us : ts <= c->held_us + c->jump_us) {
        eclock_confirm(c, t);
    } else {
        c->held = false;
        c->outliers++;
    }
}

/* Packet times are bounded (capture.h CAPTURE_TS_MAX_S), so these sums
 * cannot overflow. A step back of less than the jump is taken as it comes
 * (the engine's expiry scan counts the idleness of flows touched in the
 * future from its own time). */
int64_t
eclock_take(struct eclock *c, struct flow_table *t, int64_t ts)
{
    if (c->held)
        eclock_settle(c, t, ts);
    if (c->clock_us != 0 && (ts > c->clock_us + c->jump_us || ts < c->clock_us - c->jump_us)) {
        c->held = true;
        c->held_us = ts;
        c->held_flow = false; /* until the packet's flow is known (eclock_flow) */
        c->after_first = c->packets == 1;
        return c->clock_us;
    }
    if (ts > c->clock_us)
        c->clock_us = ts;
    return ts;
}
