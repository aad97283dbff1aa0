/* \summary: the engine's TCP bookkeeping that does not depend on a flow's
 * disposition (src/engine_tcp.c): window scale agreement and the sequence
 * numbers each side used. The reassembly itself is src/reasm.c; the engine
 * (src/engine.c) calls these per packet.
 */
#ifndef SMTPTAP_ENGINE_TCP_H
#define SMTPTAP_ENGINE_TCP_H

#include "flow.h"
#include "pkt.h"

/* A SYN of rd's side was taken, with window scale option ws (or
 * PKT_WSCALE_NONE). Once both sides' are in, the windows each advertises
 * are shifted by its own count if both SYNs carried the option, else not at
 * all (RFC 7323 §2.2). */
void engine_tcp_wscale(struct reasm_dir *rd, struct reasm_dir *peer, uint8_t ws);

/* Packet p of side `side` (not a RST): the sequence numbers it used and
 * the peer's it acknowledged go to reasm_seen, in every disposition, so
 * that a later RST or SYN can be judged (bypassed flows too). */
void engine_tcp_seen(struct flow *f, unsigned side, const struct pkt *p);

#endif /* SMTPTAP_ENGINE_TCP_H */
