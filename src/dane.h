/* \summary: DANE for SMTP (RFC 7672; TLSA RFC 6698, operations RFC 7671):
 * does a server chain, as sent, match the TLSA RRset of _PORT._tcp.NAME
 * that a DANE sender (Postfix smtp_tls_security_level = dane, Exim) would
 * check it against? Digests of each distinct certificate are made once
 * (OpenSSL), when a TLSA RRset is first matched against it. */
#ifndef SMTPTAP_DANE_H
#define SMTPTAP_DANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "tlsa.h"

enum dane_state {
    DANE_NONE = 0, /* no TLSA RRset for the names (or no chain) */
    DANE_MATCH,    /* a usable record matched */
    DANE_MISMATCH, /* usable records, none matched: DANE senders defer the mail */
    DANE_UNUSABLE, /* records, none usable (RFC 7672 §3.1.3, unknown values) */
    /* no RRset for the names, one at the expansion of an MX host's CNAME
     * that was not DNSSEC-validated: a DANE sender does not look there
     * (RFC 7672 §2.2.2), so DANE is not checked (cname_* say which) */
    DANE_SKIPPED,
    /* a DANE-TA(2) record matched and the chain verified but for the
     * leaf's names, while the next-hop domains checked were not all the
     * capture's (dane_nexthops *capped: a cap of DNSLEARN_MX_DOMAINS,
     * DNSLEARN_CNAME_ALIASES or DANE_NEXTHOPS_MAX): a domain not passed
     * may be the one the leaf names, so the name check is not decided
     * (why DANE_WHY_NAME; no mismatch claimed) */
    DANE_UNDECIDED
};

/* Why a DANE_UNDECIDED name check was not decided (dane_result undecided) */
enum dane_undecided {
    /* next-hop domains past a cap (dane_nexthops *capped) */
    DANE_UNDECIDED_CAPPED = 1,
    /* the leaf names none of the next-hop domains the client was seen
     * looking up (scope DANE_SCOPE_PEER) but one another client looked up,
     * and the session began before the capture's first packet plus the
     * MX answers' largest TTL (dnslearn_mx_ttl): the client may have
     * delivered for a domain whose MX answer it had cached from before the
     * capture (RFC 7672 §3.2.3; RFC 1035 §3.2.1), which the capture cannot
     * show */
    DANE_UNDECIDED_EARLIER = 2
};

/* Why a chain a DANE sender checked was not authenticated, though a
 * record's digest is in it (RFC 7672 §3.1.2, DANE-TA: the chain up to the
 * trust anchor verified, the leaf's names and validity checked). */
enum dane_why {
    DANE_WHY_NAME = 1,          /* the leaf names neither the base domain nor the next hop */
    DANE_WHY_EXPIRED = 2,       /* a certificate up to the anchor expired */
    DANE_WHY_NOT_YET_VALID = 4, /* ... or is not valid yet */
    DANE_WHY_SIGNATURE = 8,     /* a signature up to the anchor does not verify */
    DANE_WHY_PURPOSE = 16,      /* the leaf is not for a TLS server (extendedKeyUsage) */
    DANE_WHY_OTHER = 32         /* another verification error (verify_error) */
};

/* Whose next-hop domains a session's name check took (RFC 7672 §3.2.2,
 * §3.2.3): those of the MX answers in the capture sent to the session's
 * client (an MTA doing its own lookups), else (none of them went to it:
 * its resolver elsewhere, or answers from before the capture) every one
 * learned; NONE when no DNS answer gave a next-hop domain. */
enum dane_scope { DANE_SCOPE_NONE = 0, DANE_SCOPE_PEER, DANE_SCOPE_ALL };

/* Next-hop domains a dane_result keeps, for the JSON (the others counted) */
#define DANE_NEXTHOPS_KEPT 4

struct dane_result {
    uint8_t state;       /* enum dane_state */
    uint8_t match_usage; /* the usage of the record that matched: 2 or 3 */
    /* DANE_MISMATCH: 0 when no usable record matched a certificate of the
     * chain; else enum dane_why bits (a DANE-TA record matched the
     * certificate at match_depth, and a DANE sender still fails the chain) */
    uint8_t why;
    uint8_t match_depth;  /* the chain position of the matched record's certificate */
    int16_t verify_error; /* OpenSSL's first X509_V_ERR_* for why, else 0 */
    uint8_t error_depth;  /* the certificate it was for (0: the leaf) */
    bool dnssec;          /* every record came with the AD bit set, or from --tlsa */
    uint8_t sources;      /* TLSA_SRC_DNS | TLSA_SRC_FILE of its records */
    /* a DANE-TA(2) record matched (the verdict DANE_MATCH, or DANE_MISMATCH
     * with why): its anchor is the record's own 2 0 0 certificate or 2 1 0
     * key, which the server did not send (RFC 7671 §5.2.2) */
    bool anchor_from_record;
    uint16_t records, usable;
    uint32_t first; /* the RRset's first record (tlsa_get), TLSA_NONE */
    /* an RRset at the CNAME expansion cname_target of the MX host
     * cname_alias not used, a CNAME of it not validated (RFC 7672 §2.2.2):
     * its first record, else TLSA_NONE; the names dnslearn's strings */
    uint32_t cname_skipped;
    const char *cname_alias, *cname_target;
    /* the next-hop domains the name check took (dane_nexthops_for): whose
     * (enum dane_scope), how many, the first DANE_NEXTHOPS_KEPT
     * (dnslearn's strings) */
    uint8_t nexthop_scope;
    uint8_t n_nexthops;
    const char *nexthops[DANE_NEXTHOPS_KEPT];
    /* DANE_UNDECIDED: why (enum dane_undecided); DANE_UNDECIDED_EARLIER:
     * the MX answers' largest TTL (seconds) and the time from which a
     * session's scope peer is decided (the capture's first packet plus
     * that TTL; 0 when the capture's start is not known) */
    uint8_t undecided;
    uint32_t mx_ttl;
    int64_t decided_from_us;
};

/* Whether the record can be used by an SMTP client (RFC 7672 §3.1:
 * DANE-TA(2) or DANE-EE(3), selector 0 or 1, matching type 0, 1 or 2 with
 * a digest of its length); PKIX-TA(0) and PKIX-EE(1) cannot (§3.1.3). */
bool dane_usable(const struct tlsa_rr *rr);

/* Matches the chain ids[0..n) (certcache ids, leaf first, as sent) against
 * the TLSA RRset of _PORT._tcp.NAME for the first of names[0..n_names)
 * that has one, as a DANE sender would at at_s (seconds): dane_verify.
 * Costs nothing when no TLSA record is known. */
void dane_check(uint16_t port, const char *const *names, unsigned n_names, const uint32_t *ids,
                unsigned n, int64_t at_s, struct dane_result *out);

/* A session's client and times, for dane_check_peer: client NULL when not
 * known; session_us the session's first packet; capture_us the capture's
 * first packet (0: not known). */
struct dane_session {
    const struct ipaddr *client;
    int64_t session_us, capture_us;
};

/* dane_check for a session (s NULL: client not known): the next-hop
 * domains its name check takes are dane_nexthops_for's. A DANE-TA chain
 * that fails on the name alone under the client's own lookups (scope
 * peer) but passes under every domain of the capture is decided only when
 * the session began at least the MX answers' largest TTL after the
 * capture's first packet (the client's lookups are then all in the
 * capture: a cached answer lives at most its TTL, RFC 1035 §3.2.1); else
 * DANE_UNDECIDED (DANE_UNDECIDED_EARLIER). */
void dane_check_peer(uint16_t port, const char *const *names, unsigned n_names,
                     const struct dane_session *s, const uint32_t *ids, unsigned n, int64_t at_s,
                     struct dane_result *out);

/* The TLSA RRset a DANE sender looks up for the host name (RFC 7672
 * §2.2.2, RFC 7671 §7): when name is, or is the CNAME target of, an MX
 * host whose CNAME expansion DNS answers in the capture gave, the expanded
 * name's RRset if every CNAME was validated (AD), else (or when it has
 * none) the original name's; otherwise name's own. When several MX hosts
 * are CNAMEs of name (dnslearn_cname_origins), a validated expansion's
 * RRset first, else the first of their own that has one. TLSA_NONE if
 * none. */
uint32_t dane_lookup(uint16_t port, const char *name);

/* dane_lookup, also giving the RRset a DANE sender does not use for name:
 * the first at the expansion of an alias whose CNAME chain was not
 * validated (*skip its first record, *alias and *target the names; *skip
 * TLSA_NONE and the names NULL when there is none, or the RRset returned
 * is a validated expansion's). */
uint32_t dane_lookup_skip(uint16_t port, const char *name, uint32_t *skip, const char **alias,
                          const char **target);

/* The next-hop domains, reference identifiers besides the TLSA base
 * domain base (RFC 7672 §3.2.2): each domain whose MX host base is (a
 * hosting provider's MX host serves many: DNSLEARN_MX_DOMAINS each), or,
 * for base the validated CNAME expansion of MX hosts (§2.2.2), each
 * domain whose MX host is such an alias (a pool of MX hosts CNAMEd to one
 * host: a leaf naming any one passes, as OpenSSL does with several
 * SSL_add1_host names). At most max (DANE_NEXTHOPS_MAX: a documented cap,
 * the further ones are no reference identifiers); 0 when no DNS answer in
 * the capture said. Not the MX host's name before the expansion: Postfix
 * 3.7 does not accept it (pcaps/diag/dane-anchor.pcap). *capped (when not
 * NULL): a next-hop domain of the capture may be missing from out (past
 * max, DNSLEARN_MX_DOMAINS or DNSLEARN_CNAME_ALIASES). 32: a pointer each
 * in dane_verify.c's remembered verdicts (DV_SLOTS of them), one
 * SSL_add1_host each per verification. */
#define DANE_NEXTHOPS_MAX 32
unsigned dane_nexthops(const char *base, const char **out, unsigned max, bool *capped);

/* dane_nexthops for one peer (RFC 7672 §3.2.3: the reference identifiers
 * are the next-hop domain the client itself looked up): the domains whose
 * MX answer went to client (dnslearn_mx_asked yes, or maybe: the answer
 * went to more addresses than kept), *scope DANE_SCOPE_PEER, when at least
 * one surely did; else every one (dane_nexthops), *scope DANE_SCOPE_ALL
 * (DANE_SCOPE_NONE when there are none). client NULL: every one.
 * *mx_ttl (when not NULL): the largest dnslearn_mx_ttl of the MX hosts
 * whose domains were looked at. */
unsigned dane_nexthops_for(const char *base, const struct ipaddr *client, const char **out,
                           unsigned max, bool *capped, uint8_t *scope, uint32_t *mx_ttl);

/* dane_verify.c: OpenSSL's own DANE verification (SSL_dane_enable, as
 * Postfix): the chain as sent, the usable records of the RRset at first,
 * the reference identifiers base (the TLSA base domain) and nexthops
 * (dane_nexthops, n_hops of them; RFC 7672 §3.2.2), at at_s.
 * Sets out's state, match_usage, why, match_depth, verify_error and
 * error_depth. Remembered per (chain, RRset, next hop) while no
 * certificate's validity starts or ends. False when it could not run (a
 * leaf not decoded, memory refused): the caller matches digests only. */
bool dane_verify(const uint32_t *ids, unsigned n, uint32_t first, const char *base,
                 const char *const *nexthops, unsigned n_hops, int64_t at_s,
                 struct dane_result *out);
void dane_verify_fini(void);
/* Verdicts computed and found remembered (for tests). */
uint64_t dane_verify_computed(void);
uint64_t dane_verify_cached(void);

/* "name", "expired", "not_yet_valid", "signature", "purpose", "other" for
 * the first bit of why; "no_match" for a mismatch with none;
 * "name_undecided" for DANE_UNDECIDED; NULL otherwise (the dane object's
 * "failure"). */
const char *dane_failure_word(const struct dane_result *r);

/* "nexthops_capped", "lookups_before_capture" for a DANE_UNDECIDED's
 * undecided (the dane object's "undecided"), else NULL. */
const char *dane_undecided_word(const struct dane_result *r);

/* Whether record rr matches certificate id: its selector's content's
 * digest (its matching type's) equals the record's data. */
bool dane_match_cert(const struct tlsa_rr *rr, uint32_t id);

/* The certificate's value for a record of (selector, mtype) in hex
 * ("0C72AC..."; matching type 0: the SHA-256 of the content, as
 * "sha256:..."), written to out (at least 160 bytes). False when the
 * certificate cannot be decoded. */
bool dane_cert_hex(uint32_t id, uint8_t selector, uint8_t mtype, char *out, size_t n);

/* A record's presentation ("3 1 1 0C72AC...", data cut after 64 hex
 * digits with "..."), in out (at least 96 bytes). */
void dane_rr_text(const struct tlsa_rr *rr, char *out, size_t n);

/* "DANE-EE", "DANE-TA", "PKIX-EE", "PKIX-TA", or NULL. */
const char *dane_usage_name(uint8_t usage);

/* The fields of a "dane" object (the caller opens and closes it):
 * tlsa_name, records, usable, dnssec, source ("dns", "file", "dns+file"),
 * match (null when no record is usable), matched_usage, failure. */
struct json;
void dane_json_fields(struct json *j, const struct dane_result *r);
/* "nexthop_scope", "nexthops" (the first DANE_NEXTHOPS_KEPT of hops[0..n)),
 * "nexthops_more": the next-hop domains a name check took (RFC 7672
 * §3.2.2); nothing when scope is DANE_SCOPE_NONE (no DNS answer gave any). */
void dane_json_scope(struct json *j, uint8_t scope, const char *const *hops, unsigned n);

void dane_fini(void);

#endif /* SMTPTAP_DANE_H */
