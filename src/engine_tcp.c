/* \summary: the engine's TCP bookkeeping (see engine_tcp.h). */
#include "engine_tcp.h"
#include "facts.h"
#include "fctx.h"

#include "reasm.h"

void
engine_tcp_wscale(struct reasm_dir *rd, struct reasm_dir *peer, uint8_t ws)
{
    rd->syn_wscale = ws != PKT_WSCALE_NONE;
    rd->wscale = rd->syn_wscale ? ws : 0;
    if (!peer->syn_seen)
        return;
    bool both = rd->syn_wscale && peer->syn_wscale;
    rd->wshift = both ? rd->wscale : 0;
    peer->wshift = both ? peer->wscale : 0;
    rd->wshift_known = peer->wshift_known = true;
}

void
engine_tcp_seen(struct flow *f, unsigned side, const struct pkt *p)
{
    uint8_t fl = p->tcp_flags;
    uint32_t wire = p->payload_wirelen > p->payload_caplen ? p->payload_wirelen : p->payload_caplen;
    /* a SYN and a FIN each occupy a sequence number (RFC 9293 §3.4) */
    reasm_seen(&f->rd[side], p->seq + ((fl & TH_SYN) != 0) + wire + ((fl & TH_FIN) != 0));
    if (fl & TH_ACK)
        reasm_seen(&f->rd[!side], p->ack);
}

bool
engine_tcp_reused(const struct flow *f, unsigned side, const struct pkt *p)
{
    /* a SYN with ACK, FIN or RST opens nothing */
    return (p->tcp_flags & (TH_SYN | TH_ACK | TH_FIN | TH_RST)) == TH_SYN &&
           f->bytes[0] + f->bytes[1] > 0 && reasm_syn_is_new(&f->rd[side], p->seq);
}

/* The bytes between two spans apart, a before b or b before a. */
static uint32_t
engine_cut_apart(uint32_t alo, uint32_t ahi, uint32_t blo, uint32_t bhi)
{
    return SEQ_LEQ(ahi, blo) ? blo - ahi : alo - bhi;
}

void
engine_tcp_cut(struct flow *f, uint32_t seq, uint32_t caplen, uint32_t wire, bool cut_after)
{
    if (wire <= caplen)
        return;
    struct flow_cut *c = &f->cut[cut_after ? 1 : 0];
    uint32_t lo = seq + caplen, hi = seq + wire;
    uint8_t merged = 0;
    /* the spans it overlaps or touches become part of it */
    for (unsigned i = 0; i < c->n;) {
        if (SEQ_LT(hi, c->lo[i]) || SEQ_LT(c->hi[i], lo)) {
            i++;
            continue;
        }
        if (SEQ_LT(c->lo[i], lo))
            lo = c->lo[i];
        if (SEQ_GT(c->hi[i], hi))
            hi = c->hi[i];
        merged |= (uint8_t)((c->merged >> i) & 1u);
        c->n--;
        c->lo[i] = c->lo[c->n];
        c->hi[i] = c->hi[c->n];
        c->merged = (uint8_t)((c->merged & ~(1u << i)) | (((c->merged >> c->n) & 1u) << i));
        c->merged &= (uint8_t) ~(1u << c->n);
    }
    if (c->n == FLOW_CUT_SPANS) {
        /* full: the new span joins the closest of the others, or the two
         * closest of those join and make room, whichever covers fewer
         * bytes no frame lacked (a span so merged is marked) */
        unsigned a = 0, b = FLOW_CUT_SPANS; /* b == FLOW_CUT_SPANS: the new one */
        uint32_t best = UINT32_MAX;
        for (unsigned i = 0; i < FLOW_CUT_SPANS; i++) {
            uint32_t d = engine_cut_apart(c->lo[i], c->hi[i], lo, hi);
            if (d < best) {
                best = d;
                a = i;
                b = FLOW_CUT_SPANS;
            }
            for (unsigned j = i + 1; j < FLOW_CUT_SPANS; j++) {
                d = engine_cut_apart(c->lo[i], c->hi[i], c->lo[j], c->hi[j]);
                if (d < best) {
                    best = d;
                    a = i;
                    b = j;
                }
            }
        }
        uint32_t mlo = b == FLOW_CUT_SPANS ? lo : c->lo[b],
                 mhi = b == FLOW_CUT_SPANS ? hi : c->hi[b];
        if (SEQ_LT(mlo, c->lo[a]))
            c->lo[a] = mlo;
        if (SEQ_GT(mhi, c->hi[a]))
            c->hi[a] = mhi;
        c->merged |= (uint8_t)(1u << a);
        if (b == FLOW_CUT_SPANS) {
            c->merged |= (uint8_t)(merged << a);
            return;
        }
        c->lo[b] = lo; /* the new span takes b's place */
        c->hi[b] = hi;
        c->merged = (uint8_t)((c->merged & ~(1u << b)) | (merged << b));
        return;
    }
    c->lo[c->n] = lo;
    c->hi[c->n] = hi;
    c->merged = (uint8_t)((c->merged & ~(1u << c->n)) | (merged << c->n));
    c->n++;
}

/* Whether [lo, hi) meets a span of c; *merged set when that span was
 * merged over bytes no frame lacked. */
static bool
engine_cut_meets(const struct flow_cut *c, uint32_t lo, uint32_t hi, bool *merged)
{
    bool met = false;
    for (unsigned i = 0; i < c->n; i++)
        if (SEQ_LT(lo, c->hi[i]) && SEQ_LT(c->lo[i], hi)) {
            met = true;
            *merged = *merged || ((c->merged >> i) & 1u);
        }
    return met;
}

/* Whether the spans of both kinds cover [lo, hi) whole: no byte of it is
 * a hole no frame covers. */
static bool
engine_cut_covers(const struct flow *f, uint32_t lo, uint32_t hi)
{
    uint32_t at = lo;
    /* each step passes one span at least: 2 * FLOW_CUT_SPANS steps at most */
    for (unsigned step = 0; step <= 2 * FLOW_CUT_SPANS && SEQ_LT(at, hi); step++) {
        bool moved = false;
        for (unsigned k = 0; k < 2; k++)
            for (unsigned i = 0; i < f->cut[k].n; i++)
                if (SEQ_LEQ(f->cut[k].lo[i], at) && SEQ_LT(at, f->cut[k].hi[i])) {
                    at = f->cut[k].hi[i];
                    moved = true;
                }
        if (!moved)
            return false;
    }
    return !SEQ_LT(at, hi);
}

void
engine_tcp_gap(struct flow *f, uint64_t missing)
{
    /* reasm_gap moved next_seq past the bytes first */
    uint32_t hi = f->rd[!f->client_side].next_seq, lo = hi - (uint32_t)missing;
    bool merged = false;
    bool after = engine_cut_meets(&f->cut[1], lo, hi, &merged);
    bool snap = engine_cut_meets(&f->cut[0], lo, hi, &merged);
    if (after)
        f->certs_gap |= FLOW_GAP_CUT_AFTER;
    /* a snaplen cut, a hole no frame covers, or one a merged span may hide */
    if (snap || !after || merged || !engine_cut_covers(f, lo, hi))
        f->certs_gap |= FLOW_GAP_OTHER;
}

bool
engine_tcp_after_cut(struct flow *f, const struct pkt *p)
{
    if (!p->cut_after || f->ctx == NULL)
        return false;
    struct tls_facts *t = &fctx_facts(f->ctx)->tls;
    if (!t->after_read || t->handshake != TLS_HS_COMPLETE)
        return false;
    for (unsigned d = 0; d < 2; d++)
        if (!t->after[d].more && !t->after[d].ended)
            t->after[d].lost = true;
    return true;
}
