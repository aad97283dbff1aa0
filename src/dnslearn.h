/* \summary: names learned from DNS answers in the capture: an MX host or an
 * A/AAAA name that resolved to a server address is a name a peer expected
 * that server to present (RFC 7672 §3.2.3 uses the MX host as the reference
 * identifier for SMTP). Bounded; deterministic order (insertion). */
#ifndef SMTPTAP_DNSLEARN_H
#define SMTPTAP_DNSLEARN_H

#include <stdint.h>

#include "diagnose.h"
#include "pkt.h"

/* Names are strings of any length, kept to their first
 * DNSLEARN_NAME_MAX - 1 bytes. */
#define DNSLEARN_NAME_MAX 256

void dnslearn_init(uint32_t max_entries);
void dnslearn_fini(void);

/* An MX answer: domain's mail exchanger is mx_host. */
void dnslearn_mx(const char *domain, const char *mx_host, int64_t ts_us);
/* An A/AAAA answer: name resolves to addr. */
void dnslearn_addr(const char *name, const struct ipaddr *addr, int64_t ts_us);

/* Names learned for server, MX hosts first, at most max. The strings stay
 * valid until dnslearn_fini. Returns the count. */
unsigned dnslearn_names(const struct ipaddr *server, struct expected_name *out, unsigned max);

/* For an MX host name, the domain it is the MX of (NULL if unknown). */
const char *dnslearn_mx_domain(const char *mx_host);

/* Answers not kept because the table was full. */
uint64_t dnslearn_dropped(void);

#endif /* SMTPTAP_DNSLEARN_H */
