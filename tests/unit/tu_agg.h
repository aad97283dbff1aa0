/* \summary: test helpers: the aggregation set up, sessions fed to it, its
 * terminal report read back. */
#ifndef SMTPTAP_TU_AGG_H
#define SMTPTAP_TU_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "record.h"
#include "report.h"

/* 2025-06-01T00:00:00Z, when the test chain (tests/data/certs) is valid. */
#define TU_AGG_T2025 1748736000

/* The record of session id from 198.51.100.<client>:(40000 + id) to
 * 203.0.113.<server>:port (IPv4), its facts f, begun and ended id seconds
 * after TU_AGG_T2025. The record is static: the next call overwrites it. */
struct flow_record *tu_agg_record(struct session_facts *f, uint64_t id, uint8_t client,
                                  uint8_t server, uint16_t port);

/* rec diagnosed (no expected names) and aggregated, as report.c does; the
 * diagnosis returned is static: the next call overwrites it. */
const struct diagnosis *tu_agg_feed(const struct flow_record *rec);

/* What agg_write_text writes (no colour) for the run statistics st (NULL:
 * all zero), as a malloc'd string (free() it); its length in *len when len
 * is given. Fails the test when the stream cannot be made. Call agg_finish
 * first. */
char *tu_agg_text(const struct run_stats *st, size_t *len);

/* What agg_write_json writes, as a malloc'd string (free() it). Fails the
 * test when the stream cannot be made or the writer reports an error. Call
 * agg_finish first. */
char *tu_agg_json(void);

/* Sets up what aggregation tests need, as main.c does: cfg from its
 * defaults without the system CA bundle (ca_file, when given, the only
 * trust anchor; it must outlive the test), the memory accounting, an empty
 * certificate cache of 100, the diagnosis and the aggregation. Fails the
 * test when the diagnosis cannot be set up. tu_agg_stop undoes it. */
void tu_agg_start(struct config *cfg, const char *ca_file);
void tu_agg_stop(void);

/* cmocka setup and teardown for the aggregation tests: tu_agg_start on
 * tu_agg_cfg with the test root (tests/data/certs/root.pem) as the only
 * trust anchor, an empty certificate cache; tu_agg_stop. A test may change
 * tu_agg_cfg and init again (agg_init(&tu_agg_cfg)). */
extern struct config tu_agg_cfg;
int tu_agg_setup(void **state);
int tu_agg_teardown(void **state);

#endif
