/* \summary: per-server aggregation and findings (issue 4 "Per server and per
 * peer"): which certificate each server presented to which peer, and the
 * findings drawn from it (peer-dependent certificate, mixed pool, certificate
 * changed, expired certificate served, STARTTLS inconsistent, plaintext
 * fallback, and one finding kind per session diagnosis flag).
 *
 * Call order: agg_init, agg_session for every finished session (in the order
 * flows end), agg_finish, then the writers, then agg_fini; snapshots (below)
 * between sessions. */
#ifndef SMTPTAP_AGGREGATE_H
#define SMTPTAP_AGGREGATE_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "diagnose.h"
#include "json.h"
#include "record.h"
#include "report.h"

/* Severities, as --fail-on takes them. */
enum agg_severity { SEV_NONE = 0, SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };
const char *agg_severity_str(int sev);

void agg_init(const struct config *cfg);
void agg_fini(void);

/* One finished flow that carried SMTP or TLS, with its diagnosis. Both are
 * borrowed for the call: copy what is kept. Memory stays bounded by
 * report.servers_max and report.peers_max (overflow is counted and shown). */
void agg_session(const struct flow_record *rec, const struct diagnosis *dg);
/* Starts fetching the server's aggregation record into the CPU's caches, so
 * that agg_session() of the same session, after its diagnosis, finds it
 * there: with many servers it is not (issue 5). Changes nothing. */
void agg_prefetch(const struct endpoint *server);

/* The IP datagrams the run's defragmenter dropped so far, at defrag.max,
 * defrag.mem_max and the memcap: certificates_not_visible then names the
 * cap for bytes lost (agg_notvisible.c). Before agg_finish or a snapshot. */
void agg_frag_drops(uint64_t at_max, uint64_t at_mem_max, uint64_t at_memcap);
/* The IP datagrams that stayed incomplete, fragments after the first
 * never seen (a capture filter on ports): certificates_not_visible names
 * that cause for bytes lost. */
void agg_frag_incomplete(uint64_t n);

/* How many input files were damaged (cut short mid-record, or a read
 * error): a handshake the capture ended in may have been cut there
 * (agg_notvisible.c). Before the flows still open end (engine_finish). */
void agg_files_damaged(unsigned n);

/* Computes the findings. */
void agg_finish(void);

/* A report while the run goes on (agg_snapshot.c): agg_snapshot_begin
 * computes the findings of the sessions ended so far without disturbing
 * the tables (false, with nothing changed, when memory is short); the
 * writers then write it, their records marked "snapshot": true;
 * agg_snapshot_end puts everything back. No agg_session in between. */
bool agg_snapshot_begin(void);
void agg_snapshot_end(void);

/* Writes one "event":"server" record per server, then one "event":"finding"
 * record per finding (worst first, then by server, then kind). */
void agg_write_json(struct json *j);

/* The terminal report: findings worst first, one sentence each, then the
 * per-server tables, then a short run summary from st. */
void agg_write_text(FILE *f, const struct run_stats *st, bool color);

/* Whether a server at this address (any port) had an SMTP or TLS session
 * (--expect ADDRESS=NAME names one); true too when servers were left out
 * (report.servers_max, memory), as it may be one of them. */
bool agg_server_seen(const struct ipaddr *ip);

/* Highest finding severity (enum agg_severity). */
int agg_max_severity(void);

/* What the aggregation could not keep (caps or memory), for the stats
 * record: sessions of servers not aggregated, names not aggregated, and
 * (peer, certificate) pairs past a server's list. */
struct agg_drops {
    uint64_t servers, names, uses;
    uint64_t peers; /* sessions from peers past a server's report.peers_max */
};
void agg_dropped(struct agg_drops *out);

#endif /* SMTPTAP_AGGREGATE_H */
