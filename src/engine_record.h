/* \summary: filling a flow's record when it ends (src/engine_record.c). */
#ifndef SMTPTAP_ENGINE_RECORD_H
#define SMTPTAP_ENGINE_RECORD_H

#include <stdbool.h>

#include "flow.h"
#include "record.h"

/* Fills rec for flow f, which ends for reason `ended` ("fin", "rst",
 * "timeout", "evicted", "reuse", "capture_end"): the addresses with the
 * client first, counters, the dissector's facts, the flow's anomalies (past
 * RECORD_ANOMALIES_MAX counted in anomalies_dropped by event, as the
 * dissector's are: an entry not kept adds its count) and the status
 * (evicted, capped, truncated_capture, gap, malformed, not_smtp or
 * complete). nDPI's application and owner labels when classify_on. The
 * record borrows f's strings and facts. Returns true when a cap was hit:
 * the status is "capped", or a stapled OCSP response was larger than
 * tls.ocsp_max (tls.ocsp_cap: the handshake itself was read whole). */
bool engine_record_fill(const struct flow *f, const char *ended, bool classify_on,
                        struct flow_record *rec);

/* Notes in f the tunnel of its first packet p (p->tun_depth > 0): the
 * record's `tunnel`, once per flow, nothing per packet. The kind is the one
 * that named p's tunnel id (a VNI, GRE key or ERSPAN session: the innermost,
 * the flow key's), else the innermost layer's; the addresses, the outermost
 * IP header's. */
void engine_record_tunnel(struct flow *f, const struct pkt *p);

#endif /* SMTPTAP_ENGINE_RECORD_H */
