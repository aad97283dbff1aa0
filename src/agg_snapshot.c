/* \summary: the aggregation's report while the run goes on (SIGUSR1,
 * --report-interval in a live capture): the servers, names and findings of
 * the sessions ended so far.
 *
 * agg_finish sorts the server and name tables in place, once, at the end;
 * their hash indexes hold positions, so a run that goes on after a report
 * needs them unsorted. A snapshot sorts copies of the two pointer tables
 * instead, computes the findings on them, and afterwards puts the tables
 * back and drops the findings: the run continues as if nothing happened. */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "aggregate.h"
#include "mem.h"

static struct {
    struct agg_server **servers; /* the live table, while a copy is sorted */
    int max_severity;
    bool on;
} snap;

bool
agg_snapshot_begin(void)
{
    if (snap.on)
        return false;
    struct agg_server **copy = NULL;
    if (agg.n_servers) {
        copy = mem_alloc((size_t)agg.n_servers * sizeof(*copy));
        if (copy == NULL)
            return false;
        memcpy(copy, agg.servers, (size_t)agg.n_servers * sizeof(*copy));
    }
    if (!agn_snapshot_begin()) {
        mem_free(copy, (size_t)agg.n_servers * sizeof(*copy));
        return false;
    }
    snap.servers = agg.servers;
    snap.max_severity = agg.max_severity;
    snap.on = true;
    agg.servers = copy;
    agg.snapshot = true;
    agg_finish();
    return true;
}

void
agg_snapshot_end(void)
{
    if (!snap.on)
        return;
    mem_free(agg.findings, (size_t)agg.cap_findings * sizeof(*agg.findings));
    agg.findings = NULL;
    agg.n_findings = agg.cap_findings = 0;
    agg_issuer_forget(); /* found on the sorted copy: its server indices */
    agn_snapshot_end();
    mem_free(agg.servers, (size_t)agg.n_servers * sizeof(*agg.servers));
    agg.servers = snap.servers;
    agg.max_severity = snap.max_severity; /* --fail-on judges the final report */
    agg.snapshot = false;
    snap.on = false;
}
