/* \summary: the engine's side of -w (evidence.h): which frames of a flow are
 * written, and how much of each, from what the flow has shown before the
 * frame's bytes reach its dissectors. It looks at the packet's flow before
 * and after engine_packet(), by lookups of its own (engine_flow_peek), so
 * that a run without -w does no work for it. */
#ifndef SMTPTAP_ENGINE_EVIDENCE_H
#define SMTPTAP_ENGINE_EVIDENCE_H

#include "evidence.h"
#include "pkt.h"

/* Before p goes to the engine: what of its payload may be written
 * (EVIDENCE_WHOLE or EVIDENCE_CUT). Keeps the flow's ev_open, whether its
 * side's next bytes may continue a line. */
enum evidence_verdict engine_evidence_before(const struct pkt *p);

/* After it: v, or EVIDENCE_SKIP when p's flow is not a mail flow followed
 * (neither on a mail port nor given a dissector), or EVIDENCE_WHOLE when p
 * was its first payload and made it TLS's. */
enum evidence_verdict engine_evidence_after(const struct pkt *p, enum evidence_verdict v);

#endif /* SMTPTAP_ENGINE_EVIDENCE_H */
