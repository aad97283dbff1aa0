/* \summary: the engine's load: connections open at once and flows
 * dissected at once, with their peaks, against the two limits a user sizes
 * (flow.max; memcap / ENGINE_DISSECT_BUDGET dissected at once, docs/options.md
 * memcap). Counted where a flow starts, is dispatched and ends: nothing per
 * packet.
 *
 * Open: tracked and not yet reported. A closed connection's tombstone
 * (flow.h `reported`: kept for its late packets) is not open, nor is a flow
 * whose first packet was a RST (ended by it, a tombstone at once); both still
 * take a slot of flow.max. A flow whose first packet was a FIN (a connection
 * picked up at its end) is open until it ends as any other. */
#ifndef SMTPTAP_ENGINE_LOAD_H
#define SMTPTAP_ENGINE_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "report.h"

/* Memory a flow may still need while it is dissected (reassembly, dissector
 * state, a certificate chain being collected): about twice what one takes at
 * its peak in the bench's captures. */
#define ENGINE_DISSECT_BUDGET (32u << 10)

struct eload {
    uint64_t open, open_peak;    /* connections open now, at most */
    int64_t open_peak_us;        /* packet time the peak was first reached */
    uint64_t dissecting;         /* flows in FLOW_DISSECT now */
    uint64_t dissecting_peak;    /* at most */
    uint64_t refused;            /* flows not dissected: memory (the memcap anomaly) */
    uint64_t evicted_for_memory; /* evictions made because flow memory was refused */
};

/* f, just created by a packet with TCP flags `flags` at ts_us, is open
 * unless that packet carries RST. */
void eload_open(struct eload *l, struct flow *f, uint8_t flags, int64_t ts_us);

/* f is reported (its record emitted) or removed: no longer open. Idempotent. */
void eload_close(struct eload *l, struct flow *f);

/* Moves f to disposition d, counting the flows being dissected. */
void eload_disp(struct eload *l, struct flow *f, enum flow_disp d);

/* True when a new flow should not be dissected: the flows in progress
 * already have the memcap spoken for (ENGINE_DISSECT_BUDGET each), or
 * accounted memory is within an eighth of it. */
bool eload_reserved(const struct eload *l);

/* The load's fields of the stats record; flow_max is the table's. */
void eload_stats(const struct eload *l, uint32_t flow_max, struct run_stats *out);

#endif /* SMTPTAP_ENGINE_LOAD_H */
