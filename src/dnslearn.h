/* \summary: names learned from DNS answers in the capture: an MX host or an
 * A/AAAA name that resolved to a server address is a name a peer expected
 * that server to present (RFC 7672 §3.2.3 uses the MX host as the reference
 * identifier for SMTP). Bounded; deterministic order (insertion). */
#ifndef SMTPTAP_DNSLEARN_H
#define SMTPTAP_DNSLEARN_H

#include <stdbool.h>
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

/* Addresses an MX answer was sent to, kept per (domain, MX host): the
 * first this many distinct ones. 4: a gateway capture of one MTA host sees
 * one (the MTA doing its own lookups), of a few MTAs sharing a resolver
 * one (the resolver's); 17 bytes each in an MX entry of 520. */
#define DNSLEARN_MX_ASKERS 4

/* dnslearn_mx, the answer sent to client (the DNS response's destination
 * address: the resolver's client, or NULL when not known): which peer
 * looked the domain up (RFC 7672 §3.2.3: the next-hop domain that peer's
 * reference identifier); ttl the record's TTL (RFC 1035 §3.2.1, seconds:
 * how long a resolver may cache it). */
void dnslearn_mx_to(const char *domain, const char *mx_host, const struct ipaddr *client,
                    uint32_t ttl, int64_t ts_us);

/* The largest TTL of the MX answers in the capture that named mx_host, for
 * any domain and any client (0 when none, or every TTL 0): the longest a
 * resolver's cached MX answer for one of its domains is taken to live, so
 * a client's MX lookup made before the capture began is repeated in it by
 * the capture's first packet plus this (dane.c). A TTL with the high-order
 * bit set is read as 2^31 - 1 (RFC 8767 §4 reads it as positive; RFC 2181
 * §8 had it 0, which here would decide too early). One uint32_t per host. */
uint32_t dnslearn_mx_ttl(const char *mx_host);

/* The time of the earliest DNS answer given to dnslearn (0: none): the
 * capture ran from then at least. */
int64_t dnslearn_first_us(void);

/* Whether an MX answer "domain MX mx_host" was sent to client: yes; no
 * (none, or client NULL); maybe (the answer went to more than
 * DNSLEARN_MX_ASKERS addresses, client not among those kept). */
enum dnslearn_asked { DNSLEARN_ASKED_NO = 0, DNSLEARN_ASKED_YES, DNSLEARN_ASKED_MAYBE };
enum dnslearn_asked dnslearn_mx_asked(const char *mx_host, const char *domain,
                                      const struct ipaddr *client);
/* An A/AAAA answer: name resolves to addr. */
void dnslearn_addr(const char *name, const struct ipaddr *addr, int64_t ts_us);

/* Names learned for server, MX hosts first, at most max. The strings stay
 * valid until dnslearn_fini. Returns the count. */
unsigned dnslearn_names(const struct ipaddr *server, struct expected_name *out, unsigned max);

/* For an MX host name, the first domain it is the MX of (NULL if unknown). */
const char *dnslearn_mx_domain(const char *mx_host);

/* Domains of one MX host found back from it (a hosting provider's MX host
 * is the MX of many customer domains, each a next-hop domain, RFC 7672
 * §3.2.2): the first this many; another is kept but not found back, and
 * counted in dnslearn_dropped (and dnslearn_mx_domains_capped says so).
 * 32: the cost is a pointer each on a caller's stack and one
 * SSL_add1_host per next hop in a DANE verification (dane_verify.c). */
#define DNSLEARN_MX_DOMAINS 32

/* The domains whose MX host mx_host is, in arrival order, at most max
 * (DNSLEARN_MX_DOMAINS). The strings stay valid until dnslearn_fini.
 * Returns the count: 0 when mx_host is no known MX host. */
unsigned dnslearn_mx_domains(const char *mx_host, const char **out, unsigned max);

/* Whether a domain whose MX host mx_host is was not linked to it (past
 * DNSLEARN_MX_DOMAINS, or the table full): its domains are not all known,
 * so a name check against them cannot be decided. */
bool dnslearn_mx_domains_capped(const char *mx_host);

/* A CNAME answer (RFC 1035 §3.3.1): alias is an alias of target; ad its
 * header's AD bit (RFC 7672 §2.2.2: an expansion counts as secure when
 * every CNAME of it was DNSSEC-validated). An alias keeps its first
 * target; the same answer again only sets ad when this copy has it. */
void dnslearn_cname(const char *alias, const char *target, bool ad, int64_t ts_us);

/* CNAME chains followed at most this many links (a loop ends there) */
#define DNSLEARN_CNAME_HOPS 8

/* The name the CNAME chain from name ends at (the fully expanded name),
 * NULL when name is no alias known; *secure: every link was validated. */
const char *dnslearn_cname_expand(const char *name, bool *secure);

/* Aliases of one target found back from it (a pool of MX hosts that are
 * CNAMEs of one host): the first this many; another is still expanded
 * (dnslearn_cname_expand) but not found back, and counted in
 * dnslearn_dropped. */
#define DNSLEARN_CNAME_ALIASES 8

/* The names whose CNAME chains lead to name, each followed back to its
 * start (the MX host as the MX answer named it; as far back as
 * DNSLEARN_CNAME_HOPS links go), nearest first, then in arrival order, at
 * most max (DNSLEARN_CNAME_ALIASES per level). The strings stay valid
 * until dnslearn_fini. Returns the count: 0 when name is no known target. */
unsigned dnslearn_cname_origins(const char *name, const char **out, unsigned max);

/* dnslearn_cname_origins, with *capped set when some name whose CNAME
 * chain leads to name may be missing from out: an alias past
 * DNSLEARN_CNAME_ALIASES (or lost to a full table), one not followed back,
 * or out full with names left. */
unsigned dnslearn_cname_origins_capped(const char *name, const char **out, unsigned max,
                                       bool *capped);

/* How many aliases of name (its own, not its aliases') were seen and not
 * found back from it: past DNSLEARN_CNAME_ALIASES each distinct alias
 * once; lost to a full table each answer (so "at least"). 0 when none, or
 * name is no known target. */
uint32_t dnslearn_cname_aliases_more(const char *name);

/* Answers not kept because the table was full. */
uint64_t dnslearn_dropped(void);

#endif /* SMTPTAP_DNSLEARN_H */
