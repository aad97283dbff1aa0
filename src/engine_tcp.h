/* \summary: the engine's TCP bookkeeping that does not depend on a flow's
 * disposition (src/engine_tcp.c): window scale agreement, the sequence
 * numbers each side used, what a SYN on a tracked tuple means, and what
 * the server's lost bytes were (frames cut after capture or not). The
 * reassembly itself is src/reasm.c; the engine (src/engine.c) calls these
 * per packet.
 */
#ifndef SMTPTAP_ENGINE_TCP_H
#define SMTPTAP_ENGINE_TCP_H

#include <stdbool.h>

#include "flow.h"
#include "pkt.h"

/* A SYN of rd's side was taken, with window scale option ws (or
 * PKT_WSCALE_NONE). Once both sides' are in, the windows each advertises
 * are shifted by its own count if both SYNs carried the option, else not at
 * all (RFC 7323 §2.2). */
void engine_tcp_wscale(struct reasm_dir *rd, struct reasm_dir *peer, uint8_t ws);

/* Packet p of side `side` (not a RST): the sequence numbers it used and
 * the peer's it acknowledged go to reasm_seen, so that a later RST or SYN
 * can be judged. Called while the flow is dissected only: a bypassed
 * flow's packets cost one lookup (issue 5), and a RST ends it whatever its
 * number, its facts being complete. */
void engine_tcp_seen(struct flow *f, unsigned side, const struct pkt *p);

/* True when p, a SYN without ACK (nor FIN or RST) from side `side`, opens
 * a new connection on the tuple of f, which is still open (its end was not
 * seen: a FIN or both lost, or the connection idle for less than
 * flow.timeout). A SYN in a synchronized state is never the connection's
 * own (RFC 9293 §3.10.7.4, RFC 5961 §4); one whose ISN is no sequence
 * number the old connection used (reasm_syn_is_new: not its SYN again),
 * after it carried data, is a new connection, as a host in TIME-WAIT takes
 * one (RFC 1122 §4.2.2.13). Before any data it is the old connection's
 * business (reasm_syn: a stray SYN, or a new ISN before the SYN-ACK). An
 * off-path sender who guesses the tuple can thus end a record early (the
 * rest of the connection then lands in the new flow, mostly out of its
 * window); RFC 5961's challenge ACK has no passive equivalent. */
bool engine_tcp_reused(const struct flow *f, unsigned side, const struct pkt *p);

/* A frame of the server's at seq, caplen of its wire bytes captured:
 * the bytes it lacks (none when caplen == wire) join f's spans of those cut
 * after capture (cut_after) or at the snapshot length: a span it overlaps
 * or touches, else a new one; past FLOW_CUT_SPANS apart, the two closest
 * are merged (flow.h struct flow_cut, the span marked so). */
void engine_tcp_cut(struct flow *f, uint32_t seq, uint32_t caplen, uint32_t wire, bool cut_after);

/* The server's stream lost its `missing` bytes before next_seq while its
 * certificates were not seen (tls.certificates TLS_CERTS_GAP) and the
 * handshake not over: f->certs_gap notes whether they were bytes of frames
 * cut after capture (FLOW_GAP_CUT_AFTER), or of frames cut at the snapshot
 * length or a hole no frame covers (FLOW_GAP_OTHER). The spans are those
 * of the frames themselves, so that a hole between two cut frames is a
 * hole; one a merged span covers may be one, and counts as both. */
void engine_tcp_gap(struct flow *f, uint64_t missing);

/* A frame cut after capture (pkt.cut_after: a -w evidence file cuts every
 * frame after the TLS handshake, whose bytes are never written) of a flow
 * whose TLS handshake completed, while its records after it are read
 * (facts tls.after, dissectors/tls_after.c): that reading ends, said lost
 * for the directions still read, and true is returned: the flow goes to
 * bypass without the frame, as it would have before the reading, so that
 * the file read back has no hole (status complete) where bytes were not
 * written on purpose. */
bool engine_tcp_after_cut(struct flow *f, const struct pkt *p);

#endif /* SMTPTAP_ENGINE_TCP_H */
