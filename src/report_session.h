/* \summary: the "session" and "flow" NDJSON records of one connection (the
 * issue 3 contract; schema in docs/schema.md). */
#ifndef SMTPTAP_REPORT_SESSION_H
#define SMTPTAP_REPORT_SESSION_H

#include "diagnose.h"
#include "json.h"
#include "record.h"

/* Writes {"event":"session",...} for a flow that carried SMTP or TLS. dg may
 * be NULL (no diagnosis). */
void report_session_json(struct json *j, const struct flow_record *rec, const struct diagnosis *dg);

/* Writes {"event":"flow",...} for a mail-port flow with no SMTP or TLS. */
void report_flow_json(struct json *j, const struct flow_record *rec);

/* Shared pieces. */
void report_ip_str(char *out, size_t n, const struct ipaddr *ip);
void report_endpoint_json(struct json *j, const char *key, const struct endpoint *e);
/* key: the Exchange status words of a chain ("exchange_statuses",
 * "verdicts"): ["UntrustedRoot","SubjectMismatch"], ["Valid"] for none. */
void report_statuses_json(struct json *j, const char *key, unsigned statuses);
/* An alert's "after": "server server_hello_done", or null when no
 * handshake message came before it. */
void report_alert_after_json(struct json *j, int after, int after_from);

#endif /* SMTPTAP_REPORT_SESSION_H */
