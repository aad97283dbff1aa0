/* \summary: DANE per server (RFC 7672): sessions whose chain matched the
 * TLSA RRset of their server's name or did not (dane.c, diagnose.c), the
 * server record's "dane" object, and the findings dane_tlsa_mismatch (a
 * DANE sender defers the mail: critical when the records came DNSSEC-
 * validated) and dane_tlsa_unusable; and, where a DANE-EE record matched
 * the leaf, a word in the name and expiry findings that DANE senders check
 * neither (RFC 7672 §3.1.1). */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "agg_int.h"
#include "certcache.h"
#include "dane.h"
#include "dnslearn.h"
#include "mem.h"
#include "report_session.h"
#include "strcopy.h"

/* Peers whose sessions failed a DANE-TA(2) name check (RFC 7672 §3.2.2,
 * §3.2.3), each with the next-hop domains its first such session was
 * checked against: the first this many peers; the further ones' sessions
 * counted (name_dropped). */
#define AGG_DANE_NAME_PEERS 4

struct agg_dane_np {
    struct ipaddr ip;
    uint8_t scope, n_hops; /* dane_result nexthop_scope, n_nexthops */
    uint64_t sessions;
    const char *hops[DANE_NEXTHOPS_KEPT]; /* dnslearn's strings */
};

/* What a server's sessions gave against its TLSA RRset. */
struct agg_dane {
    struct dane_result shown;      /* the first session of the highest agg_dane_rank */
    uint32_t ids[FACTS_CHAIN_MAX]; /* that session's chain, as sent */
    uint8_t n;
    bool ee_match; /* a session's leaf matched a DANE-EE record */
    uint64_t matched, mismatched, unusable;
    /* sessions with an RRset at an unvalidated CNAME's expansion not used
     * (RFC 7672 §2.2.2): all, those with no other (DANE not checked), and
     * the first one's (dane_result cname_*) */
    uint64_t cname_skips, skipped;
    struct dane_result cname;
    /* sessions whose name check was not decided (DANE_UNDECIDED: next-hop
     * domains capped), and the first one's TLSA owner */
    uint64_t undecided;
    uint32_t undecided_first;
    /* of those, sessions not decided because their clients' lookups may
     * predate the capture (DANE_UNDECIDED_EARLIER), and the first one's
     * client, next-hop domains, TLSA RRset and times */
    uint64_t early;
    struct agg_dane_np early_np;
    uint32_t early_ttl;
    int64_t early_from_us;
    struct agg_dane_np np[AGG_DANE_NAME_PEERS];
    uint8_t n_np;
    uint64_t name_dropped;
};

/* A session failed the name check (a mismatch for its leaf's names):
 * counted for its client, with the next-hop domains it was checked
 * against (its own lookups' or, its resolver elsewhere, all) */
static void
agg_dane_name_note(struct agg_dane *d, const struct ipaddr *client, const struct dane_result *r)
{
    if (client == NULL)
        return;
    for (unsigned k = 0; k < d->n_np; k++)
        if (d->np[k].ip.family == client->family &&
            memcmp(d->np[k].ip.a, client->a, sizeof(client->a)) == 0) {
            d->np[k].sessions++;
            return;
        }
    if (d->n_np == AGG_DANE_NAME_PEERS) {
        d->name_dropped++;
        return;
    }
    struct agg_dane_np *p = &d->np[d->n_np++];
    p->ip = *client;
    p->scope = r->nexthop_scope;
    p->n_hops = r->n_nexthops;
    p->sessions = 1;
    memcpy(p->hops, r->nexthops, sizeof(p->hops));
}

/* Which session's verdict the dane object shows: the first of the
 * highest rank. A mismatch (what a DANE sender defers the mail for) first;
 * then a decided verdict (a match, or records no SMTP client can use);
 * then a name check not decided (DANE_UNDECIDED: match null although a
 * later session's may be known); last a session DANE was not checked for
 * (DANE_SKIPPED). */
static unsigned
agg_dane_rank(uint8_t state)
{
    switch (state) {
    case DANE_MISMATCH:
        return 3;
    case DANE_MATCH:
    case DANE_UNUSABLE:
        return 2;
    case DANE_UNDECIDED:
        return 1;
    default:
        return 0;
    }
}

void
agg_dane_note(struct agg_server *s, const struct ipaddr *client, const struct tls_facts *t,
              const struct diagnosis *dg)
{
    const struct dane_result *r = &dg->dane;
    if (r->state == DANE_NONE)
        return;
    if (s->dane == NULL && (s->dane = mem_alloc(sizeof(*s->dane))) == NULL)
        return; /* memcap: counted there */
    struct agg_dane *d = s->dane;
    bool first = d->matched + d->mismatched + d->unusable + d->skipped + d->undecided == 0;
    if (r->state == DANE_UNDECIDED && r->undecided == DANE_UNDECIDED_EARLIER) {
        if (d->early++ == 0 && client != NULL) {
            d->early_np.ip = *client;
            d->early_np.n_hops = r->n_nexthops;
            memcpy(d->early_np.hops, r->nexthops, sizeof(d->early_np.hops));
            d->early_ttl = r->mx_ttl;
            d->early_from_us = r->decided_from_us;
        }
    } else if (r->state == DANE_UNDECIDED && d->undecided - d->early == 0) {
        d->undecided_first = r->first;
    }
    d->undecided += r->state == DANE_UNDECIDED;
    d->matched += r->state == DANE_MATCH;
    d->mismatched += r->state == DANE_MISMATCH;
    d->unusable += r->state == DANE_UNUSABLE;
    d->skipped += r->state == DANE_SKIPPED;
    d->ee_match |= r->state == DANE_MATCH && r->match_usage == 3;
    if (r->cname_skipped != TLSA_NONE && d->cname_skips++ == 0)
        d->cname = *r;
    if (r->state == DANE_MISMATCH && (r->why & DANE_WHY_NAME))
        agg_dane_name_note(d, client, r);
    /* shown: a mismatch over anything, a decided session over an undecided
     * one, a session DANE was checked for over one it was not */
    if (first || agg_dane_rank(r->state) > agg_dane_rank(d->shown.state)) {
        d->shown = *r;
        d->n = (uint8_t)(t->n_server_chain < FACTS_CHAIN_MAX ? t->n_server_chain : FACTS_CHAIN_MAX);
        memcpy(d->ids, t->server_chain, d->n * sizeof(d->ids[0]));
    }
}

void
agg_dane_free(struct agg_server *s)
{
    mem_free(s->dane, sizeof(*s->dane));
    s->dane = NULL;
}

void
agg_dane_json(struct json *j, const struct agg_server *s)
{
    const struct agg_dane *d = s->dane;
    if (d == NULL) /* no TLSA record known for the server's names */
        return;
    json_obj_begin(j, "dane");
    struct dane_result shown = d->shown;
    if (shown.cname_skipped == TLSA_NONE && d->cname_skips > 0) {
        shown.cname_skipped = d->cname.cname_skipped;
        shown.cname_alias = d->cname.cname_alias;
        shown.cname_target = d->cname.cname_target;
    }
    dane_json_fields(j, &shown);
    json_uint(j, "sessions_matched", d->matched);
    json_uint(j, "sessions_mismatched", d->mismatched);
    json_uint(j, "sessions_unusable", d->unusable);
    if (d->cname_skips > 0) /* RFC 7672 §2.2.2 */
        json_uint(j, "sessions_cname_not_validated", d->cname_skips);
    if (d->undecided > 0) /* next-hop domains capped: the name check not decided */
        json_uint(j, "sessions_undecided", d->undecided);
    if (d->n_np > 0) { /* RFC 7672 §3.2.3: whose next-hop domains the leaf did not name */
        json_arr_begin(j, "name_failures");
        for (unsigned k = 0; k < d->n_np; k++) {
            const struct agg_dane_np *p = &d->np[k];
            char ip[64];
            report_ip_str(ip, sizeof(ip), &p->ip);
            json_obj_begin(j, NULL);
            json_str(j, "peer", ip);
            json_uint(j, "sessions", p->sessions);
            dane_json_scope(j, p->scope, p->hops, p->n_hops); /* as the session's */
            json_obj_end(j);
        }
        json_arr_end(j);
        if (d->name_dropped > 0)
            json_uint(j, "name_failures_dropped", d->name_dropped);
    }
    json_obj_end(j);
}

/* "3 1 1 0C72..., 2 0 1 ...": the RRset's records, at most 3 in full. */
static void
agg_dane_records(struct strbuf *b, uint32_t first)
{
    unsigned k = 0;
    for (const struct tlsa_ent *t = tlsa_get(first); t != NULL;
         t = t->next == TLSA_NONE ? NULL : tlsa_get(t->next), k++) {
        if (k == 3) {
            str_add(b, " and more", NULL);
            break;
        }
        char rr[200];
        dane_rr_text(&t->rr, rr, sizeof(rr));
        str_add(b, k ? ", " : "", rr, NULL);
    }
}

/* What the chain's certificates are for the usable records' kinds, "the
 * leaf CN=mx.example.com is 3 1 1 9A2B...": the record that would match
 * now. Each (usage, selector, matching type) once; DANE-TA: the chain's
 * top certificate sent (the issuer a record would name). With zone set,
 * as records to publish instead, "_25._tcp.mx.example.com. IN TLSA 3 1 1
 * 9a2b..." (matching type 0 as 1: RFC 7671 §10.1.2 has SHA-256 digests
 * published), joined by " and ". */
static void
agg_dane_now(struct strbuf *b, const struct agg_dane *d, const char *zone)
{
    uint32_t seen[8];
    unsigned n_seen = 0;
    for (const struct tlsa_ent *t = tlsa_get(d->shown.first); t != NULL && n_seen < 8;
         t = t->next == TLSA_NONE ? NULL : tlsa_get(t->next)) {
        if (!dane_usable(&t->rr) || (t->rr.usage == 2 && d->n < 2))
            continue;
        uint32_t kind = (uint32_t)t->rr.usage << 16 | (uint32_t)t->rr.selector << 8 | t->rr.mtype;
        bool dup = false;
        for (unsigned i = 0; i < n_seen; i++)
            dup |= seen[i] == kind;
        if (dup)
            continue;
        seen[n_seen++] = kind;
        uint32_t id = t->rr.usage == 3 ? d->ids[0] : d->ids[d->n - 1];
        const struct cert_entry *e = certcache_get(id);
        uint8_t mtype = zone != NULL && t->rr.mtype == 0 ? 1 : t->rr.mtype;
        char hex[200];
        if (e == NULL || !dane_cert_hex(id, t->rr.selector, mtype, hex, sizeof(hex)))
            continue;
        if (zone != NULL) {
            for (char *c = hex; *c; c++) /* zone files show digests in lower case */
                *c = (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
            str_add(b, n_seen > 1 ? " and " : "", zone, ". IN TLSA ", NULL);
        } else {
            str_add(b, n_seen > 1 ? "; " : "", t->rr.usage == 3 ? "the leaf " : "the issuer ",
                    NULL);
            str_addn(b, e->info.parse_error ? "(not decoded)" : e->info.subject, 80);
            str_add(b, " is ", NULL);
        }
        str_add_uint(b, t->rr.usage);
        str_add(b, " ", NULL);
        str_add_uint(b, t->rr.selector);
        str_add(b, " ", NULL);
        str_add_uint(b, mtype);
        str_add(b, " ", hex, NULL);
    }
}

/* The reasons of a match that did not authenticate (DANE-TA(2); DANE-EE(3):
 * only OpenSSL's key strength checks), short. */
static const char *
agg_dane_why(const struct dane_result *r)
{
    switch (r->why & -r->why) { /* the first */
    case DANE_WHY_NAME:
        return "the leaf does not name the server";
    case DANE_WHY_EXPIRED:
        return "a certificate expired";
    case DANE_WHY_NOT_YET_VALID:
        return "a certificate is not valid yet";
    case DANE_WHY_SIGNATURE:
        return "a signature does not verify";
    case DANE_WHY_PURPOSE:
        return "the leaf is not for a TLS server";
    default:
        return "the chain does not verify";
    }
}

static void
agg_dane_count(struct strbuf *b, uint64_t n, const char *what)
{
    str_add_uint(b, n);
    str_add(b, n == 1 ? " session " : " sessions ", what, NULL);
}

/* RFC 7672 §2.2.2: the RRset at an unvalidated CNAME's expansion, not
 * used: "not checked: ..." when no session had another, else "; ... not
 * used: ..." after the verdict */
static void
agg_dane_cname_text(struct strbuf *b, const struct agg_dane *d)
{
    const struct dane_result *c = &d->cname;
    const struct tlsa_ent *t = tlsa_get(c->cname_skipped);
    const char *alias = c->cname_alias ? c->cname_alias : "?";
    const char *target = c->cname_target ? c->cname_target : "?";
    if (d->cname_skips == 0 || t == NULL)
        return;
    if (d->shown.state == DANE_SKIPPED) {
        str_add(b, "not checked: TLSA records are at ", t->owner, ", but the CNAME ", alias, " -> ",
                target,
                " was not DNSSEC-validated (no AD bit), so a DANE sender looks for them at the "
                "MX host's own name, ",
                alias,
                ", where the capture's DNS answers have none (RFC 7672 section 2.2.2): ", NULL);
        agg_dane_count(b, d->skipped, "not authenticated by DANE");
        return;
    }
    str_add(b, "; ", t->owner, " not used for ", NULL);
    str_add_uint(b, d->cname_skips);
    str_add(b, d->cname_skips == 1 ? " session: the CNAME " : " sessions: the CNAME ", alias,
            " -> ", target,
            " was not DNSSEC-validated (no AD bit), so the TLSA base domain is the MX host's own "
            "name (RFC 7672 section 2.2.2)",
            NULL);
}

/* A list of names, at most AGG_DANE_LIST_MAX of them, then "and N more" */
#define AGG_DANE_LIST_MAX 4
static void
agg_dane_list(struct strbuf *b, const char *const *v, unsigned n)
{
    for (unsigned k = 0; k < n && k < AGG_DANE_LIST_MAX; k++)
        str_add(b, k ? ", " : "", v[k], NULL);
    if (n > AGG_DANE_LIST_MAX) {
        str_add(b, " and ", NULL);
        str_add_uint(b, n - AGG_DANE_LIST_MAX);
        str_add(b, " more", NULL);
    }
}

/* A pool of MX hosts CNAMEd to base past DNSLEARN_CNAME_ALIASES (RFC 7672
 * §2.2.2, §3.2.2): "MX hosts CNAMEd to base: 8 kept (a, b, c, d and 4
 * more), 3 more seen in this capture and not kept (8 per host); the
 * next-hop domains of those kept checked: x, y" */
static void
agg_dane_pool_text(struct strbuf *b, const char *base, const char *const *origins, unsigned n_o)
{
    uint32_t more = dnslearn_cname_aliases_more(base);
    char cap[16];
    snprintf(cap, sizeof(cap), "%u", (unsigned)DNSLEARN_CNAME_ALIASES);
    str_add(b, "MX hosts CNAMEd to ", base, ": ", NULL);
    str_add_uint(b, n_o);
    str_add(b, " kept (", NULL);
    agg_dane_list(b, origins, n_o);
    str_add(b, "), ", NULL);
    if (more > 0) {
        str_add_uint(b, more);
        str_add(b, " more", NULL);
    } else { /* further back in a chain, or lost to a full table */
        str_add(b, "more", NULL);
    }
    str_add(b, " seen in this capture and not kept (", cap, " per host)", NULL);
    const char *hops[DANE_NEXTHOPS_MAX];
    unsigned n_hops = dane_nexthops(base, hops, DANE_NEXTHOPS_MAX, NULL);
    if (n_hops > 0) {
        str_add(b,
                n_hops == 1 ? "; the next-hop domain of those kept checked: "
                            : "; the next-hop domains of those kept checked: ",
                NULL);
        agg_dane_list(b, hops, n_hops);
    }
}

/* Why a name check was not decided (DANE_UNDECIDED): the next-hop
 * domains of the TLSA base domain were more than kept (RFC 7672 §3.2.2) */
static void
agg_dane_undecided_text(struct strbuf *b, const struct agg_dane *d)
{
    const struct tlsa_ent *t = tlsa_get(d->undecided_first);
    const char *base = t ? t->owner : NULL;
    for (unsigned k = 0; k < 2 && base; k++)
        if ((base = strchr(base, '.')) != NULL)
            base++;
    if (base == NULL)
        base = "?";
    char cap[16];
    snprintf(cap, sizeof(cap), "%u", (unsigned)DANE_NEXTHOPS_MAX);
    const char *origins[DNSLEARN_CNAME_ALIASES];
    bool o_capped = false;
    unsigned n_o =
        dnslearn_mx_domain(base) != NULL
            ? 0
            : dnslearn_cname_origins_capped(base, origins, DNSLEARN_CNAME_ALIASES, &o_capped);
    if (dnslearn_mx_domain(base) != NULL)
        str_add(b, "more than ", cap, " next-hop domains for ", base, " in this capture", NULL);
    else if (n_o > 0 && o_capped)
        agg_dane_pool_text(b, base, origins, n_o);
    else
        str_add(b, "more next-hop domains or MX hosts CNAMEd to ", base,
                " in this capture than kept", NULL);
    str_add(b,
            ": the name check was not decided (the leaf names none of those kept, and may name "
            "one left out; RFC 7672 section 3.2.2)",
            NULL);
}

/* Why a name check was not decided (DANE_UNDECIDED_EARLIER), short (the
 * terminal report's DANE line): the client was seen looking up only
 * domains the leaf does not name, but may have delivered for one it looked
 * up before the capture (RFC 7672 §3.2.3), whose MX answer a resolver
 * keeps at most its TTL (RFC 1035 §3.2.1): "198.51.100.11 looked up only
 * peer-b.example.test (not in the leaf) and may have delivered for a
 * domain looked up before the capture (MX TTL 300 s; RFC 7672 section
 * 3.2.3): decided from 2026-11-30T19:27:50Z" (the time rounded up) */
static void
agg_dane_early_text(struct strbuf *b, const struct agg_dane *d)
{
    const struct agg_dane_np *p = &d->early_np;
    char ip[64], from[40];
    report_ip_str(ip, sizeof(ip), &p->ip);
    str_add(b, ip, " looked up only ", NULL);
    agg_dane_list(b, p->hops, p->n_hops < DANE_NEXTHOPS_KEPT ? p->n_hops : DANE_NEXTHOPS_KEPT);
    str_add(b,
            " (not in the leaf) and may have delivered for a domain looked up before the "
            "capture (MX TTL ",
            NULL);
    str_add_uint(b, d->early_ttl);
    str_add(b, " s; RFC 7672 section 3.2.3): decided from ", NULL);
    if (d->early_from_us > 0) {
        int64_t s = (d->early_from_us + 999999) / 1000000; /* rounded up */
        json_fmt_ts(from, sizeof(from), s * 1000000);
        char *frac = strchr(from, '.');
        if (frac != NULL) /* whole seconds: "...:50Z" */
            memmove(frac, "Z", 2);
        str_add(b, from, NULL);
    } else {
        str_add(b, "a later session", NULL);
    }
}

void
agg_dane_text(struct strbuf *b, const struct agg_server *s)
{
    const struct agg_dane *d = s->dane;
    if (d == NULL)
        return;
    if (d->shown.state == DANE_SKIPPED) {
        agg_dane_cname_text(b, d);
        return;
    }
    const struct dane_result *r = &d->shown;
    const struct tlsa_ent *t = tlsa_get(r->first);
    str_add(b, t ? t->owner : "?", ": ", NULL);
    str_add_uint(b, r->records);
    str_add(b, r->records == 1 ? " record" : " records", NULL);
    if (r->usable < r->records) {
        str_add(b, " (", NULL);
        str_add_uint(b, r->usable);
        str_add(b, " usable)", NULL);
    }
    if (r->sources == TLSA_SRC_FILE) /* taken as validated (tlsa.h) */
        str_add(b, ", from --tlsa", NULL);
    else
        str_add(b, r->sources & TLSA_SRC_FILE ? ", from DNS and --tlsa" : ", from DNS",
                r->dnssec ? ", DNSSEC-validated (AD bit)"
                          : ", not known to be validated (no AD bit)",
                NULL);
    str_add(b, ": ", NULL);
    const char *sep = "";
    if (d->matched > 0) {
        agg_dane_count(b, d->matched, "matched");
        if (d->ee_match && d->mismatched == 0)
            str_add(b, " (DANE-EE)", NULL);
        else if (r->state == DANE_MATCH && r->match_usage == 2)
            str_add(b,
                    r->anchor_from_record ? " (DANE-TA, the anchor the record's own, not sent)"
                                          : " (DANE-TA)",
                    NULL);
        sep = ", ";
    }
    if (d->mismatched > 0) {
        str_add(b, sep, NULL);
        agg_dane_count(b, d->mismatched, "matched none");
        if (r->state == DANE_MISMATCH && r->why != 0)
            str_add(b, " (", agg_dane_why(r), ")", NULL);
        str_add(b, ": DANE senders defer their mail", NULL);
        sep = ", ";
    }
    if (d->unusable > 0) {
        str_add(b, sep, NULL);
        agg_dane_count(b, d->unusable, "with no record an SMTP client can use");
        sep = ", ";
    }
    if (d->undecided > d->early) {
        str_add(b, sep, NULL);
        str_add_uint(b, d->undecided - d->early);
        str_add(b, d->undecided - d->early == 1 ? " session: " : " sessions: ", NULL);
        agg_dane_undecided_text(b, d);
        sep = ", ";
    }
    if (d->early > 0) {
        str_add(b, sep, NULL);
        str_add_uint(b, d->early);
        str_add(b, d->early == 1 ? " session not decided: " : " sessions not decided: ", NULL);
        agg_dane_early_text(b, d);
    }
    agg_dane_cname_text(b, d);
}

static void agg_dane_add_sessions(struct strbuf *b, uint64_t n);

/* A name failure attributed to its peers when one looked its next-hop
 * domains up itself (RFC 7672 §3.2.3): " nor the next-hop domain its
 * client looked up: 198.51.100.10 (2 sessions): a.example; 198.51.100.11
 * (1 session, no MX answer sent to it in the capture: every domain): a,
 * b (RFC 7672 sections 3.2.2, 3.2.3)". False (nothing written) when no
 * peer's scope was its own lookups. */
static bool
agg_dane_name_peers(struct strbuf *b, const struct agg_dane *d)
{
    bool own = false;
    for (unsigned k = 0; k < d->n_np; k++)
        own |= d->np[k].scope == DANE_SCOPE_PEER;
    if (!own)
        return false;
    str_add(b, " nor a next-hop domain its client looked up: ", NULL);
    for (unsigned k = 0; k < d->n_np; k++) {
        const struct agg_dane_np *p = &d->np[k];
        char ip[64];
        report_ip_str(ip, sizeof(ip), &p->ip);
        str_add(b, k ? "; " : "", ip, " (", NULL);
        agg_dane_add_sessions(b, p->sessions);
        str_add(b,
                p->scope == DANE_SCOPE_PEER  ? "): "
                : p->scope == DANE_SCOPE_ALL ? ", no MX answer sent to it in the capture: every "
                                               "domain): "
                                             : ", no next-hop domain known)",
                NULL);
        agg_dane_list(b, p->hops, p->n_hops < DANE_NEXTHOPS_KEPT ? p->n_hops : DANE_NEXTHOPS_KEPT);
        if (p->n_hops > DANE_NEXTHOPS_KEPT) {
            str_add(b, " and ", NULL);
            str_add_uint(b, p->n_hops - DANE_NEXTHOPS_KEPT);
            str_add(b, " more", NULL);
        }
    }
    if (d->name_dropped > 0) {
        str_add(b, "; ", NULL);
        agg_dane_add_sessions(b, d->name_dropped);
        str_add(b, " of further peers", NULL);
    }
    str_add(b, " (RFC 7672 sections 3.2.2, 3.2.3)", NULL);
    return true;
}

/* "; the DANE-TA(2) record matches the issuer CN=... sent, but: ..." with
 * each reason and the RFC that has DANE senders check it. */
static void
agg_dane_ta_why(struct strbuf *b, const struct agg_dane *d, const char *owner)
{
    const struct dane_result *r = &d->shown;
    const struct cert_entry *ta =
        r->match_depth < d->n ? certcache_get(d->ids[r->match_depth]) : NULL;
    const struct cert_entry *bad =
        r->error_depth < d->n ? certcache_get(d->ids[r->error_depth]) : NULL;
    str_add(b, r->match_usage == 3 ? "; a DANE-EE(3)" : "; a DANE-TA(2)", " record matches ", NULL);
    if (r->anchor_from_record) /* RFC 7671 §5.2.2: a full anchor, not sent */
        str_add(b, "its own trust anchor (a full certificate or key, not sent by the server)",
                NULL);
    else
        str_addn(b, ta && !ta->info.parse_error ? ta->info.subject : "a certificate sent", 80);
    str_add(b, r->match_usage == 3 ? ", but it fails:" : ", but the chain up to it fails:", NULL);
    if (r->why & DANE_WHY_NAME) {
        const char *base = owner;
        for (unsigned k = 0; k < 2 && base; k++)
            if ((base = strchr(base, '.')) != NULL)
                base++;
        str_add(b, " the leaf names neither the TLSA base domain ", base ? base : "?", NULL);
        if (!agg_dane_name_peers(b, d)) {
            const char *hops[DANE_NEXTHOPS_MAX];
            unsigned n_hops = base ? dane_nexthops(base, hops, DANE_NEXTHOPS_MAX, NULL) : 0;
            str_add(b,
                    n_hops > 1 ? " nor any of the next-hop domains "
                    : n_hops   ? " nor the next-hop domain "
                               : "",
                    NULL);
            for (unsigned k = 0; k < n_hops; k++)
                str_add(b, k ? ", " : "", hops[k], NULL);
            str_add(b, " (RFC 7672 section 3.2.2)", NULL);
        }
    }
    if (r->why & (DANE_WHY_EXPIRED | DANE_WHY_NOT_YET_VALID)) {
        bool exp = r->why & DANE_WHY_EXPIRED;
        str_add(b, r->why & DANE_WHY_NAME ? "; " : " ", NULL);
        str_addn(b, bad && !bad->info.parse_error ? bad->info.subject : "a certificate", 80);
        str_add(b, exp ? " expired at " : " is valid only from ",
                bad ? (exp ? bad->info.not_after_iso : bad->info.not_before_iso) : "?",
                " (DANE-TA does not waive the validity period)", NULL);
    }
    unsigned before = r->why & (DANE_WHY_NAME | DANE_WHY_EXPIRED | DANE_WHY_NOT_YET_VALID);
    if (r->why & DANE_WHY_SIGNATURE)
        str_add(b, before ? "; " : " ", "a signature between the leaf and it does not verify",
                NULL);
    before |= r->why & DANE_WHY_SIGNATURE;
    if (r->why & DANE_WHY_PURPOSE)
        str_add(b, before ? "; " : " ", "the leaf's extendedKeyUsage lacks id-kp-serverAuth", NULL);
    before |= r->why & DANE_WHY_PURPOSE;
    if (r->why & DANE_WHY_OTHER)
        str_add(b, before ? "; " : " ", X509_verify_cert_error_string(r->verify_error), NULL);
}

static void
agg_dane_add_sessions(struct strbuf *b, uint64_t n)
{
    str_add_uint(b, n);
    str_add(b, n == 1 ? " session" : " sessions", NULL);
}

/* A finding's sessions, peers, chains and span: the flag's (its peers past
 * the list counted each once). */
static struct agg_finding *
agg_dane_fill(struct agg_finding *f, const struct agg_server *s, int flag)
{
    if (f == NULL)
        return NULL;
    const struct agg_flagstat *fs = agg_flagstat(s, flag);
    f->peers = fs->peers;
    agg_fpeers_exact(s, 1ull << flag, &f->peers);
    f->chains = fs->chains;
    f->sessions = fs->sessions;
    f->implicit_only = fs->implicit == fs->sessions;
    f->anontls_only = fs->anontls == fs->sessions; /* Exchange's X-ANONYMOUSTLS: no TLS-RPT */
    agg_ids_merge(f, fs->ids, fs->n_ids);
    f->first = fs->first;
    f->last = fs->last;
    return f;
}

/* ", peers 198.51.100.10; certificate CN=... (SHA-1 ...)" */
static void
agg_dane_who(struct strbuf *b, const struct agg_server *s, const struct agg_finding *f)
{
    char peers[400], cert[300];
    agg_peers_text(s, &f->peers, peers, sizeof(peers));
    str_add(b, " (", NULL);
    agg_dane_add_sessions(b, f->sessions);
    str_add(b, peers[0] ? ", peers " : "", peers, NULL);
    if (f->chains.n > 0) {
        agg_chain_label(&s->chains[f->chains.v[0]], cert, sizeof(cert));
        str_add(b, "; certificate ", cert, NULL);
    }
    str_add(b, ")", NULL);
}

/* The DANE-EE word in a name or expiry finding's summary. */
static void
agg_dane_ee_word(struct agg_finding *f, const struct agg_server *s)
{
    static const char *const kinds[] = {"name_mismatch", "expired", "not_yet_valid",
                                        "expired_certificate_served", "expiring_certificate"};
    bool hit = false;
    for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        hit |= strcmp(f->kind, kinds[i]) == 0;
    if (!hit)
        return;
    const struct tlsa_ent *t = tlsa_get(s->dane->shown.first);
    struct strbuf b = {f->summary, sizeof(f->summary), strlen(f->summary), &f->summary_cut};
    str_add(&b, "; a DANE-EE(3) record of ", t ? t->owner : "?",
            " matches the leaf, and DANE senders check neither the name nor the validity "
            "period of such a certificate (RFC 7672 section 3.1.1): their mail is not deferred "
            "for this",
            NULL);
}

void
agg_dane_findings(uint32_t si, uint32_t first_finding)
{
    const struct agg_server *s = agg.servers[si];
    const struct agg_dane *d = s->dane;
    if (d == NULL)
        return;
    if (d->ee_match)
        for (uint32_t i = first_finding; i < agg.n_findings; i++)
            agg_dane_ee_word(&agg.findings[i], s);
    char ep[80];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    const struct tlsa_ent *t = tlsa_get(d->shown.first);
    const char *owner = t ? t->owner : "?";
    const struct agg_flagstat *fs = agg_flagstat(s, AF_DANE_MISMATCH);
    struct agg_finding *f = NULL;
    if (fs->sessions > 0) /* critical: validated records; high: not known to be */
        f = agg_dane_fill(
            agg_new_finding(si, "dane_tlsa_mismatch", d->shown.dnssec ? SEV_CRITICAL : SEV_HIGH), s,
            AF_DANE_MISMATCH);
    if (f != NULL) {
        struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        if (d->shown.why != 0)
            str_add(&b, ep, " presented a chain that matches a ",
                    d->shown.match_usage == 3 ? "DANE-EE(3)" : "DANE-TA(2)", " record of ", owner,
                    " but which a DANE sender does not accept (", agg_dane_why(&d->shown), ")",
                    NULL);
        else
            str_add(&b, ep, " presented a certificate that matches none of the TLSA records of ",
                    owner, NULL);
        agg_dane_who(&b, s, f);
        if (d->shown.why != 0) {
            str_add(&b,
                    ": DANE senders (Postfix smtp_tls_security_level = dane, Exim) defer mail to "
                    "it (Postfix: \"Server certificate not verified\"); a DANE-TA(2) match does "
                    "not waive "
                    "the name, validity and signature checks (RFC 7672 section 3.1.2), nor any "
                    "match OpenSSL's key strength checks: fix the certificate (for the reason "
                    "given in parentheses above), or for a name or validity reason publish a "
                    "DANE-EE(3) record for its key",
                    NULL);
        } else {
            str_add(&b,
                    ": DANE senders (Postfix smtp_tls_security_level = dane, Exim) defer mail to "
                    "it (Postfix: \"no matching DANE TLSA records\", \"Server certificate not "
                    "verified\") while other senders, browsers and openssl s_client accept it; "
                    "publish ",
                    NULL);
            agg_dane_now(&b, d, owner);
            str_add(&b,
                    " next to the old record, and change a key only once the new record is older "
                    "than its TTL (RFC 7671 section 8.1)",
                    NULL);
        }
        if (!d->shown.dnssec)
            str_add(&b,
                    "; the DNS answer with the records had no AD bit: not known to be DNSSEC-"
                    "validated (RFC 7672 section 2.2), so only senders whose resolver validates "
                    "them use them",
                    NULL);
        struct strbuf e = str_buf_cut(f->evidence, AGG_EVIDENCE_LEN, &f->evidence_cut);
        str_add(&e, "TLSA ", owner, ": ", NULL);
        agg_dane_records(&e, d->shown.first);
        if (d->shown.why != 0) {
            agg_dane_ta_why(&e, d, owner);
        } else {
            str_add(&e, "; now ", NULL);
            agg_dane_now(&e, d, NULL);
        }
    }
    fs = agg_flagstat(s, AF_DANE_UNUSABLE);
    f = NULL;
    if (fs->sessions > 0)
        f = agg_dane_fill(agg_new_finding(si, "dane_tlsa_unusable", SEV_LOW), s, AF_DANE_UNUSABLE);
    if (f != NULL) {
        struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        str_add(&b, ep, " has TLSA records at ", owner,
                " that no SMTP client can use: PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP "
                "(RFC 7672 section 3.1.3), as are unknown usages, selectors and matching types",
                NULL);
        agg_dane_who(&b, s, f);
        str_add(&b,
                ": DANE senders use TLS without authenticating the server; publish a DANE-EE(3) "
                "or DANE-TA(2) record",
                NULL);
        struct strbuf e = str_buf_cut(f->evidence, AGG_EVIDENCE_LEN, &f->evidence_cut);
        str_add(&e, "TLSA ", owner, ": ", NULL);
        agg_dane_records(&e, d->shown.first);
    }
}
