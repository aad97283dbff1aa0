/* \summary: the engine: decoded packets in, flow records out. It tracks TCP
 * flows (flow.c), decides which side is the client, reassembles each
 * direction (reasm.c), picks a dissector for the flow (the dispatcher) and
 * feeds it through the flow context (fctx.c); when a flow ends (FIN, RST,
 * timeout, eviction, a new connection on its ports, end of capture) it
 * fills a struct flow_record and hands it to the sink. UDP/53 packets go to
 * an optional hook.
 *
 * All decisions use packet time only; flows end in a fixed order (timeouts
 * and evictions oldest-activity first, the end of the capture in order of
 * first packet), never in hash order.
 */
#ifndef SMTPTAP_ENGINE_H
#define SMTPTAP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dissector.h"
#include "flow.h"
#include "pkt.h"
#include "record.h"
#include "report.h"

/* Where finished flows go (main.c wires report_flow). The record and its
 * facts are borrowed for the call. Without a sink records are dropped. */
void engine_set_sink(void (*on_flow)(void *user, const struct flow_record *rec), void *user);

/* Called once per flow as soon as the server's certificate chain has been
 * seen in clear (facts.tls.certificates became "visible"), with that
 * packet's time, which is when the session is judged (record.h chain_us):
 * main.c wires
 * diagnose_prewarm, which verifies the chain while its certificates are
 * still in the CPU's caches (issue 5). The facts are borrowed. NULL = off. */
void engine_set_chain_hook(void (*fn)(void *user, const struct session_facts *facts, int64_t at_us),
                           void *user);

/* Called for every UDP packet with source or destination port 53 (main.c
 * wires the DNS dissector). NULL = off. The packet is borrowed. */
void engine_set_udp_hook(void (*fn)(void *user, const struct pkt *p), void *user);

/* The dissectors the dispatcher attaches (main.c: &smtp_dissector,
 * &tls_dissector; tests: their own). NULL = that protocol is not dissected. */
void engine_set_dissectors(const struct dissector *smtp, const struct dissector *tls);

/* Sets up the flow table from cfg (borrowed; must outlive the engine).
 * Returns 0, or -1 when the table cannot be allocated. Sink, hook and
 * dissectors set before or after init are kept. */
int engine_init(const struct config *cfg);

/* One decoded TCP or UDP packet, in capture order (borrowed for the call).
 * Also expires idle flows once per second of packet time. */
void engine_packet(const struct pkt *p);

/* Flow lookup of a packet worked out ahead of engine_packet_ahead(). With
 * many flows open the flow table and the flows are not in the CPU's caches;
 * a caller holding a few decoded packets (main.c, frames of a mapped file)
 * runs engine_ahead() on packet i+2 (key, hash; the bucket is fetched),
 * engine_ahead_flow() on packet i+1 (the flow it points to is fetched) and
 * engine_packet_ahead() on packet i, so the memory waits overlap. Packets
 * still go through engine_packet_ahead() in capture order: the result is
 * the same as engine_packet()'s. */
struct engine_ahead {
    struct flow_key k;
    uint32_t hash;
    uint8_t side;
    bool valid;
};
void engine_ahead(const struct pkt *p, struct engine_ahead *a);
void engine_ahead_flow(const struct engine_ahead *a);
void engine_packet_ahead(const struct pkt *p, const struct engine_ahead *a);

/* The flow p belongs to as things stand (NULL: none yet, or not TCP) and
 * its key side; nothing changes. For -w (engine_evidence.h), which looks
 * at it before and after the packet. */
struct flow *engine_flow_peek(const struct pkt *p, unsigned *side);

/* Live capture, about once a second of wall-clock time (the clock packet
 * time stamps come from): ends the flows idle for flow.timeout, as a packet
 * arriving at now_us would, so that a quiet link still gets their records. */
void engine_tick(int64_t now_us);

/* Ends every flow still open, in order of first packet, with
 * ended = "capture_end". */
void engine_finish(void);

/* Fills the engine's fields of out: flows, mail_flows, sessions, evictions,
 * timeouts, memory_peak, cap_hits, vlan_split, and first_us / last_us: the span of the
 * TCP packets' times as taken (no timestamp outlier's own stamp; other
 * fields are left alone). */
void engine_stats(struct run_stats *out);

/* The earliest TCP packet time taken (engine_stats first_us; 0: none yet):
 * the capture ran from then at least (dane.c's next-hop scope). */
int64_t engine_first_us(void);

/* Frees everything (flows still open are dropped without a record: call
 * engine_finish first). */
void engine_fini(void);

#endif /* SMTPTAP_ENGINE_H */
