/* \summary: SMTP TLS Reporting's vocabulary (RFC 8460 §4.3): the result
 * type a sending MTA that validates (DANE, MTA-STS) would report for what
 * smtptap saw, per finding and per session; and --tlsrpt FILE, one RFC
 * 8460 §4.4 report of the capture's sessions (docs/tlsrpt.md). */
#ifndef SMTPTAP_TLSRPT_H
#define SMTPTAP_TLSRPT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "diagnose.h"
#include "record.h"

/* Policies and failure-details rows --tlsrpt itemises (the summary
 * counts are complete past them: docs/tlsrpt.md) */
#define TLSRPT_POLICIES_MAX 64
#define TLSRPT_DETAILS_MAX  512

/* Whether TLS-RPT speaks of a server on this port: MTA to MTA, 25 and the
 * --ports; not submission (587) nor implicit TLS (465, --tls-ports), whose
 * clients send no TLS-RPT report (RFC 8460 §1), nor SMTP smtptap found on
 * another port by itself (2525 is as often submission: --ports names an
 * MTA's port). */
bool tlsrpt_port(const struct config *cfg, uint16_t port);

/* Whether TLS-RPT speaks of this session: on a tlsrpt_port, and not TLS
 * from the first byte (implicit TLS, RFC 8314: a mail client's, whatever
 * the port); a client's ClientHello sent to a plaintext greeting is its
 * own failure and stays in (smtp.client_tls_to_plaintext). Nor Exchange's
 * X-ANONYMOUSTLS (tlsrpt_anontls). */
bool tlsrpt_applies(const struct config *cfg, const struct flow_record *rec);

/* The session's upgrade command was Exchange's X-ANONYMOUSTLS: anonymous
 * TLS between Exchange servers, not STARTTLS to an MX under an MTA-STS or
 * DANE policy, which a TLS-RPT report is about (RFC 8460 section 3). */
bool tlsrpt_anontls(const struct flow_record *rec);

/* The session was implicit TLS the server served (TLS from the first
 * byte, not a ClientHello sent to a plaintext greeting): a mail client's.
 * A server with any such session has no tlsrpt on its findings. */
bool tlsrpt_implicit(const struct flow_record *rec);

/* The RFC 8460 §4.3 result type of a finding kind ("certificate-expired"),
 * NULL when none applies. client_rejected_certificate goes by its alert:
 * alert_code the one code all its sessions' alerts had, -2 when they
 * differ or are not known, -1 encrypted. */
const char *tlsrpt_kind(const char *kind, int alert_code);

/* The result type a validating sender would report for one session (the
 * first check it fails, in the order docs/findings.md gives), NULL none;
 * *why the diagnosis flag that decided it (static), when not NULL. */
const char *tlsrpt_session(const struct config *cfg, const struct flow_record *rec,
                           const struct diagnosis *dg, const char **why);

/* --tlsrpt: each session counted (report.c, after its diagnosis; expected
 * the names DNS gave its server, as diagnose_session got them, for its
 * policy's domain), and the report written at the end. tlsrpt_write
 * returns 0, or -1 (said on stderr) when the file could not be written. */
void tlsrpt_note(const struct config *cfg, const struct flow_record *rec,
                 const struct diagnosis *dg, const struct expected_name *expected,
                 unsigned n_expected);
int tlsrpt_write(const char *path, int64_t first_us, int64_t last_us);
void tlsrpt_reset(void);

#endif /* SMTPTAP_TLSRPT_H */
