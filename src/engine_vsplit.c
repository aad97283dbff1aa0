/* \summary: connections split in two by their VLAN tags (see
 * engine_vsplit.h). */
#include "engine_vsplit.h"

#include <string.h>

/* A stack of VLAN ids as a flow key holds it: outer first, unused ids 0;
 * and its tunnel id (a VNI, GRE key, ERSPAN session; kind 0: none). */
struct vsplit_stack {
    uint16_t vlan[2];
    uint8_t n_vlan;
    uint8_t tun_kind;
    uint32_t tun_id;
};

static struct {
    bool off;
    uint8_t n;
    struct vsplit_stack stacks[ENGINE_VSPLIT_STACKS]; /* most recent first */
    uint64_t pairs;
} vs;

void
engine_vsplit_init(bool ignore_vlan)
{
    memset(&vs, 0, sizeof(vs));
    vs.off = ignore_vlan;
}

uint64_t
engine_vsplit_pairs(void)
{
    return vs.pairs;
}

static bool
vsplit_same(const struct vsplit_stack *s, const struct flow_key *k)
{
    return s->n_vlan == k->n_vlan && s->vlan[0] == k->vlan[0] && s->vlan[1] == k->vlan[1] &&
           s->tun_kind == k->tun_kind && s->tun_id == k->tun_id;
}

/* Tagged: a VLAN id or a tunnel id in the key. */
static bool
vsplit_tagged(const struct flow_key *k)
{
    return k->n_vlan > 0 || k->tun_kind != 0;
}

/* The flow keyed like f but for the tags of s, when it is f's other half:
 * no packet of f's side (so packets of the other side only: a flow has at
 * least one), and not paired yet. */
static struct flow *
vsplit_probe(struct flow_table *t, const struct flow *f, const struct vsplit_stack *s,
             unsigned side)
{
    struct flow_key k = f->key; /* zeroed where unused (flow_key_from_pkt) */
    k.n_vlan = s->n_vlan;
    k.vlan[0] = s->vlan[0];
    k.vlan[1] = s->vlan[1];
    k.tun_kind = s->tun_kind;
    k.tun_id = s->tun_id;
    struct flow *g = flow_lookup(t, &k, flow_hash(t, &k));
    if (g == NULL || g == f || g->vlan_split || g->pkts[side] != 0)
        return NULL;
    return g;
}

/* f's tags go first in the list of stacks (the oldest falls off). */
static void
vsplit_remember(const struct flow_key *k)
{
    unsigned i = 0;
    while (i < vs.n && !vsplit_same(&vs.stacks[i], k))
        i++;
    if (i == vs.n && vs.n < ENGINE_VSPLIT_STACKS)
        vs.n++;
    if (i == ENGINE_VSPLIT_STACKS)
        i--;
    memmove(&vs.stacks[1], &vs.stacks[0], i * sizeof(vs.stacks[0]));
    vs.stacks[0] =
        (struct vsplit_stack){{k->vlan[0], k->vlan[1]}, k->n_vlan, k->tun_kind, k->tun_id};
}

struct flow *
engine_vsplit_check(struct flow_table *t, struct flow *f, unsigned side, int64_t ts)
{
    if (vs.off || f->vlan_split || f->pkts[!side] != 0 || (!f->mail_port && f->ctx == NULL))
        return NULL;
    static const struct vsplit_stack untagged;
    struct flow *g = vsplit_tagged(&f->key) ? vsplit_probe(t, f, &untagged, side) : NULL;
    for (unsigned i = 0; g == NULL && i < vs.n; i++)
        if (!vsplit_same(&vs.stacks[i], &f->key))
            g = vsplit_probe(t, f, &vs.stacks[i], side);
    if (vsplit_tagged(&f->key))
        vsplit_remember(&f->key);
    if (g == NULL)
        return NULL;
    static const char vlan[] = "the connection's other direction came under other VLAN tags: "
                               "run with --ignore-vlan";
    static const char tun[] = "the connection's other direction came under another tunnel id: "
                              "run with --ignore-vlan";
    bool by_tun = f->key.tun_kind != g->key.tun_kind || f->key.tun_id != g->key.tun_id;
    const char *detail = by_tun ? tun : vlan;
    f->vlan_split = g->vlan_split = true;
    flow_anomaly(f, ENGINE_VSPLIT_ANOMALY, detail, ts);
    if (!g->reported)
        flow_anomaly(g, ENGINE_VSPLIT_ANOMALY, detail, ts);
    vs.pairs++;
    return g;
}
