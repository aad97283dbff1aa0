/* \summary: the engine's TCP bookkeeping (see engine_tcp.h). */
#include "engine_tcp.h"

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

void
engine_tcp_cut(struct flow *f, uint32_t seq, uint32_t caplen, uint32_t wire, bool cut_after)
{
    if (wire <= caplen)
        return;
    uint32_t lo = seq + caplen, hi = seq + wire;
    unsigned k = cut_after ? 1 : 0;
    if (!f->cut_any[k]) {
        f->cut_lo[k] = lo;
        f->cut_hi[k] = hi;
        f->cut_any[k] = true;
        return;
    }
    if (SEQ_LT(lo, f->cut_lo[k]))
        f->cut_lo[k] = lo;
    if (SEQ_GT(hi, f->cut_hi[k]))
        f->cut_hi[k] = hi;
}

void
engine_tcp_gap(struct flow *f, uint64_t missing)
{
    /* reasm_gap moved next_seq past the bytes first */
    uint32_t hi = f->rd[!f->client_side].next_seq, lo = hi - (uint32_t)missing;
    bool cut[2];
    for (unsigned k = 0; k < 2; k++)
        cut[k] = f->cut_any[k] && SEQ_LT(lo, f->cut_hi[k]) && SEQ_LT(f->cut_lo[k], hi);
    if (cut[1])
        f->certs_gap |= FLOW_GAP_CUT_AFTER;
    if (cut[0] || !cut[1]) /* a snaplen cut, or a hole no frame covers */
        f->certs_gap |= FLOW_GAP_OTHER;
}
