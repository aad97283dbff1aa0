/* \summary: test helpers: the aggregation's terminal report, read back. */
#ifndef SMTPTAP_TU_AGG_H
#define SMTPTAP_TU_AGG_H

#include <stddef.h>

#include "report.h"

/* What agg_write_text writes (no colour) for the run statistics st (NULL:
 * all zero), as a malloc'd string (free() it); its length in *len when len
 * is given. Fails the test when the stream cannot be made. Call agg_finish
 * first. */
char *tu_agg_text(const struct run_stats *st, size_t *len);

#endif
