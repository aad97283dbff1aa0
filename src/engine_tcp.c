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
