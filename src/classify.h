/* \summary: optional flow classification (nDPI 4.2 behind one adapter file,
 * src/classify_ndpi.c; src/classify_none.c when built without it). It only
 * labels flows (application protocol, owner of the server address); it never
 * parses certificates or decides TLS facts. */
#ifndef SMTPTAP_CLASSIFY_H
#define SMTPTAP_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

struct classify_flow; /* per-flow classifier state (opaque) */

/* Global set-up; returns 0 or -1 (then classification is off). */
int classify_init(void);
void classify_fini(void);
bool classify_available(void);

/* Feeds one packet of a flow (the IP packet starts at ip, ip_len bytes).
 * *cf is created on first use (accounted) and may stay NULL when out of
 * memory. Returns true once the classifier has decided (no more packets
 * needed). */
bool classify_packet(struct classify_flow **cf, const uint8_t *ip, uint32_t ip_len,
                     const struct pkt *p);

/* smtptap's own SMTP dissector recognised the flow (a greeting or a
 * command; with implicit_tls, TLS records on an implicit-TLS port): unless
 * nDPI has already decided, its name for SMTP (SMTPS) becomes the label and
 * nDPI stops, its state freed. nDPI's line parser would otherwise run on the
 * EHLO reply and the next packets only to say the same (issue 5). */
void classify_confirm_smtp(struct classify_flow **cf, bool implicit_tls);

/* At the session's end, a label classify_confirm_smtp gave follows what
 * the session was, not which side spoke first: SMTPS for TLS from the
 * first byte that the server answered in TLS (RFC 8314 §3.3), SMTP when
 * the server spoke SMTP in clear, a client's ClientHello answered in
 * plaintext included (docs/schema.md, app). nDPI's own verdicts stay. */
void classify_settle_smtp(struct classify_flow *cf, bool implicit_tls);

/* Result so far: application name ("SMTP", "SMTPS", "TLS", ...) or NULL. */
const char *classify_app(const struct classify_flow *cf);

/* Owner label of an address ("Microsoft", "Google", ...) or NULL. Static string. */
const char *classify_owner(const struct ipaddr *a);

void classify_flow_free(struct classify_flow *cf);

/* The classifier's name and version ("nDPI 4.2.0"), or what stands in for
 * it, for -V. */
const char *classify_version(void);

#endif /* SMTPTAP_CLASSIFY_H */
