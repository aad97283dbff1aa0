/* \summary: the engine's side of -w (evidence.h): which frames of a flow are
 * written, and how much of each, from what the flow has shown before the
 * frame's bytes reach its dissectors. */
#ifndef SMTPTAP_ENGINE_EVIDENCE_H
#define SMTPTAP_ENGINE_EVIDENCE_H

#include "evidence.h"
#include "flow.h"
#include "pkt.h"

/* Before the packet p of f (from key side `side`) goes to reassembly: what
 * of its payload may be written (EVIDENCE_WHOLE or EVIDENCE_CUT). Keeps
 * f->ev_open, whether the side's next bytes may continue a line. */
enum evidence_verdict engine_evidence_judge(struct flow *f, unsigned side, const struct pkt *p);

/* After it: the verdict, or EVIDENCE_SKIP when f is not a mail flow
 * followed (neither on a mail port nor given a dissector). */
enum evidence_verdict engine_evidence_followed(const struct flow *f, enum evidence_verdict v);

#endif /* SMTPTAP_ENGINE_EVIDENCE_H */
