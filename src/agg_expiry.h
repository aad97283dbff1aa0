/* \summary: when a certificate is said to expire soon (agg_findings.c):
 * expiring_certificate's time reference and window, shared with the
 * terminal report's certificate lines (report_certline.c) so that both
 * judge a certificate alike. */
#ifndef SMTPTAP_AGG_EXPIRY_H
#define SMTPTAP_AGG_EXPIRY_H

#include <stdbool.h>
#include <stdint.h>

#include "certcache.h"
#include "strcopy.h"

/* The time certificates' expiry is judged at, in seconds since the epoch:
 * the --at time, else the capture's last packet. */
int64_t agg_expiry_ref(void);

/* Whether certificate e (decoded) is not expired at agg_expiry_ref() and
 * expires within --expiry-warn days (config.h, default 30) of it:
 * expiring_certificate's window. *left: its seconds left at that time. */
bool agg_expiring(const struct cert_entry *e, int64_t *left);

/* "12 days", "1 day", "5 hours" (under a day), "less than an hour": the
 * whole days or hours of left seconds, never rounded up. */
void agg_time_left(struct strbuf *b, int64_t left);

#endif /* SMTPTAP_AGG_EXPIRY_H */
