/* \summary: the aggregation's NDJSON records (docs/schema-server.md): one
 * `server` record per server address and port, the `name` records
 * (agg_names.c), then one `finding` record per finding, in the order
 * agg_finish sorted them. */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "json.h"
#include "report_cert.h"
#include "report_session.h"
#include "tls_names.h"

/* "peers": the addresses of a set of the server's peers, by address as a
 * finding's (they came in the order of first sighting). */
static void
agg_peers_json(struct json *j, const struct agg_server *s, const struct agg_set *set)
{
    char b[64];
    uint32_t v[AGG_FPEERS_MAX];
    memcpy(v, set->v, set->n * sizeof(v[0]));
    agg_peers_sorted(s, v, set->n);
    json_arr_begin(j, "peers");
    for (unsigned p = 0; p < set->n; p++) {
        agg_peer_str(s, v[p], b, sizeof(b));
        json_str(j, NULL, b);
    }
    json_arr_end(j);
    if (set->dropped) /* past the 32 listed, as a finding's */
        json_uint(j, "peers_not_listed", set->dropped);
}

/* The resumed sessions linked to no chain (agg_nv_resumed's), by version:
 * how many and their peers. */
void
agg_json_resumed_unlinked(struct json *j, const struct agg_server *s)
{
    static const struct agg_set none;
    json_arr_begin(j, "resumed_not_linked");
    for (int v = 0; v < 2; v++) {
        uint32_t n = v == 0 ? s->resumed13_unlinked : s->resumed12_unlinked;
        if (n == 0)
            continue;
        const struct agg_set *p = s->rpeers == NULL ? &none
                                  : v == 0          ? &s->rpeers->p13
                                                    : &s->rpeers->p12;
        json_obj_begin(j, NULL);
        json_str(j, "versions", v == 0 ? "TLSv1.3" : "TLSv1.0-1.2");
        json_uint(j, "sessions", n);
        agg_peers_json(j, s, p);
        json_obj_end(j);
    }
    json_arr_end(j);
}

/* "chain_sha256": the SHA-256 of every certificate of a chain, as sent. */

void
agg_json_chain(struct json *j, const uint32_t *ids, unsigned n)
{
    report_cert_json(j, "leaf", ids[0]);
    report_chain_sha256_json(j, "chain_sha256", ids, n);
}

/* Where the chain was presented to the sessions resumed here whose full
 * handshake was on another port of this address (agg_elsewhere), and the
 * server whose verdict it took when none here presented it. */
static void
agg_json_elsewhere(struct json *j, const struct agg_server *s, const struct agg_chain *ch)
{
    char b[80];
    json_arr_begin(j, "resumed_elsewhere");
    for (unsigned i = 0; i < ch->n_else; i++) {
        json_obj_begin(j, NULL);
        report_ip_str(b, sizeof(b), &s->ep.ip);
        json_str(j, "ip", b);
        json_uint(j, "port", ch->else_port[i]);
        json_uint(j, "sessions", ch->else_sessions[i]);
        json_obj_end(j);
    }
    json_arr_end(j);
    if (ch->verdict_from == 0) {
        json_null(j, "verdict_from");
        json_null(j, "verdict_names");
    } else {
        const struct endpoint ep = {s->ep.ip, ch->verdict_from};
        agg_ep_str(&ep, b, sizeof(b));
        json_str(j, "verdict_from", b);
        /* its SubjectMismatch: the names asked here, checked against its
         * leaf (agg_else_verdict), or not all of them: a leaf not decoded,
         * or a session resumed here with no name known (name_not_checked) */
        json_str(j, "verdict_names",
                 ch->rnames & (AGG_RN_UNCHECKED | AGG_RN_NO_NAME) ? "not_all_checked"
                                                                  : "rechecked");
    }
}

/* The server's peers (chain UINT32_MAX), or the uses of one of its chains
 * (each a peer), by the peer's address: indices into s->peers or s->uses,
 * in k[0..n); NULL (out of memory) leaves the caller the order of first
 * sighting. Free with free(). */
static struct agg_pkey *
agg_json_by_address(const struct agg_server *s, uint32_t chain, unsigned *n)
{
    uint32_t max = chain == UINT32_MAX ? s->n_peers : s->n_uses;
    struct agg_pkey *k = malloc((max ? max : 1) * sizeof(*k));
    *n = 0;
    if (k == NULL)
        return NULL;
    for (uint32_t i = 0; i < max; i++) {
        uint32_t peer = chain == UINT32_MAX ? i : s->uses[i].peer;
        if (chain != UINT32_MAX && s->uses[i].chain != chain)
            continue;
        memset(&k[*n], 0, sizeof(k[*n]));
        if (peer < s->n_peers)
            k[*n].ip = s->peers[peer].ip;
        k[(*n)++].idx = i;
    }
    qsort(k, *n, sizeof(*k), agg_cmp_peer);
    return k;
}

/* "sni": the SNI values a chain was served for (null: none sent), each
 * with its sessions and peers (agg_sni.c); sessions whose ClientHello was
 * not seen are in none. */
static void
agg_json_sni(struct json *j, const struct agg_server *s, uint32_t chain)
{
    const struct agg_snis *x = s->snis;
    json_arr_begin(j, "sni");
    for (unsigned k = 0; x && k < x->n; k++)
        for (uint32_t i = 0; i < x->n_u; i++) {
            const struct agg_snu *u = &x->u[i];
            if (u->sni != k || u->chain != chain)
                continue;
            json_obj_begin(j, NULL);
            if (x->name[k])
                json_strn(j, "name", (const uint8_t *)x->name[k], x->len[k]);
            else
                json_null(j, "name");
            if ((x->malformed >> k) & 1u) /* sent, not parsed: apart from none sent */
                json_bool(j, "malformed", true);
            json_uint(j, "sessions", u->sessions);
            agg_peers_json(j, s, &u->peers);
            json_obj_end(j);
        }
    json_arr_end(j);
}

/* A finding's "sni": the SNI values (null: none sent) of the sessions it
 * is about, when SNI told its certificates from the server's others. */
static void
agg_json_finding_sni(struct json *j, const struct agg_server *s, uint32_t mask)
{
    const struct agg_snis *x = s->snis;
    json_arr_begin(j, "sni");
    for (unsigned k = 0; x && k < x->n; k++) {
        if (!(mask & (1u << k)))
            continue;
        if (x->name[k])
            json_strn(j, NULL, (const uint8_t *)x->name[k], x->len[k]);
        else
            json_null(j, NULL);
    }
    json_arr_end(j);
    if (x && (mask & x->malformed)) /* its null is a malformed SNI, not none sent */
        json_bool(j, "sni_malformed", true);
}

static void
agg_json_server(struct json *j, const struct agg_server *s)
{
    char b[64];
    json_obj_begin(j, NULL);
    json_str(j, "event", "server");
    if (agg.snapshot)
        json_bool(j, "snapshot", true);
    report_endpoint_json(j, "server", &s->ep);
    json_arr_begin(j, "names");
    for (unsigned i = 0; i < s->n_names; i++)
        json_str(j, NULL, s->names[i]);
    json_arr_end(j);
    json_arr_begin(j, "name_sources"); /* where each was seen: SNI alone is a name asked */
    for (unsigned i = 0; i < s->n_names; i++) {
        json_obj_begin(j, NULL);
        json_str(j, "name", s->names[i]);
        json_arr_begin(j, "from");
        if (s->name_src[i] & AGG_NAME_BANNER)
            json_str(j, NULL, "banner");
        if (s->name_src[i] & AGG_NAME_SNI)
            json_str(j, NULL, "sni");
        if (s->name_src[i] & AGG_NAME_CERT)
            json_str(j, NULL, "certificate");
        json_arr_end(j);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "sessions", s->sessions);
    json_uint(j, "tls_sessions", s->tls_sessions);
    json_ts(j, "first_seen", s->first);
    json_ts(j, "last_seen", s->last);
    unsigned n_sorted;
    struct agg_pkey *sorted = agg_json_by_address(s, UINT32_MAX, &n_sorted);
    json_arr_begin(j, "peers"); /* by address, as a finding's */
    for (uint32_t i = 0; i < s->n_peers; i++) {
        const struct agg_peer *p = &s->peers[sorted ? sorted[i].idx : i];
        json_obj_begin(j, NULL);
        report_ip_str(b, sizeof(b), &p->ip);
        json_str(j, "ip", b);
        json_uint(j, "sessions", p->sessions);
        json_uint(j, "starttls_offered", p->offered);
        json_uint(j, "starttls_not_offered", p->not_offered);
        json_uint(j, "starttls_stripped", p->stripped);
        json_uint(j, "tls_used", p->used);
        if (p->implicit) /* of tls_used, TLS from the first byte (RFC 8314 §3.3) */
            json_uint(j, "implicit_tls", p->implicit);
        if (p->anontls)
            json_uint(j, "anonymoustls_command", p->anontls);
        json_uint(j, "starttls_rejected", p->rejected);
        if (p->rejected)
            json_int(j, "starttls_rejected_code", p->rejected_code);
        json_uint(j, "tls_failed", p->tls_failed);
        if (p->implicit_failed) /* of tls_failed, those in TLS from the first byte */
            json_uint(j, "implicit_tls_failed", p->implicit_failed);
        json_uint(j, "tls_closed_after_handshake", p->closed);
        json_uint(j, "tls_refused_after_handshake", p->refused);
        json_uint(j, "plaintext_delivery", p->plaintext);
        json_obj_end(j);
    }
    json_arr_end(j);
    free(sorted);
    /* the distinct client addresses past those listed, and their sessions */
    json_uint(j, "peers_dropped", agg_unlisted_peers(s));
    if (s->peer_sessions_dropped) {
        if (agg_pcount_at_least(s->unlisted)) /* addresses past what the count keeps */
            json_bool(j, "peers_dropped_at_least", true);
        json_uint(j, "peer_sessions_dropped", s->peer_sessions_dropped);
    }
    json_arr_begin(j, "certificates");
    for (uint32_t c = 0; c < s->n_chains; c++) {
        const struct agg_chain *ch = &s->chains[c];
        json_obj_begin(j, NULL);
        agg_json_chain(j, ch->ids, ch->n);
        json_str(j, "verdict", ch->verdict);
        if (ch->verdict[0] || ch->sessions > 0) {
            report_statuses_json(j, "verdicts", ch->statuses);
        } else { /* resumed sessions alone, no verdict found: none judged */
            json_arr_begin(j, "verdicts");
            json_arr_end(j);
        }
        agg_vcount_json(j, &ch->vc);
        json_uint(j, "name_not_checked", ch->name_unchecked); /* no name known: agg_namecheck.c */
        json_str(j, "verify_error_text", ch->verify_text);
        json_uint(j, "sessions", ch->sessions);
        json_uint(j, "resumed_sessions", ch->resumed);
        agg_json_elsewhere(j, s, ch);
        json_ts(j, "first_seen", ch->first);
        json_ts(j, "last_seen", ch->last);
        json_arr_begin(j, "peers"); /* by address */
        sorted = agg_json_by_address(s, c, &n_sorted);
        for (uint32_t u = 0; u < (sorted ? n_sorted : s->n_uses); u++) {
            const struct agg_use *us = &s->uses[sorted ? sorted[u].idx : u];
            if (us->chain != c)
                continue;
            json_obj_begin(j, NULL);
            agg_peer_str(s, us->peer, b, sizeof(b));
            json_str(j, "ip", b);
            json_uint(j, "sessions", us->sessions);
            json_ts(j, "first_seen", us->first);
            json_ts(j, "last_seen", us->last);
            json_obj_end(j);
        }
        json_arr_end(j);
        free(sorted);
        /* its sessions no listed peer holds, so that the peers' sessions,
         * these and pair_sessions_dropped add up to sessions and
         * resumed_sessions: the peers past report.peers_max, each once
         * (as the server's peers_dropped), and their sessions; the
         * sessions of listed peers whose (peer, certificate) pair the
         * server's table could not keep */
        json_uint(j, "peers_dropped",
                  agg_pcount_n(ch->unlisted) == 0 && ch->past_cap ? 1 : agg_pcount_n(ch->unlisted));
        if (ch->past_cap) {
            if (agg_pcount_at_least(ch->unlisted))
                json_bool(j, "peers_dropped_at_least", true);
            json_uint(j, "peer_sessions_dropped", ch->past_cap);
        }
        if (ch->unpaired)
            json_uint(j, "pair_sessions_dropped", ch->unpaired);
        agg_json_sni(j, s, c);
        agg_ocsp_chain_json(j, s, ch);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "certificates_dropped", s->chains_dropped);
    if (s->snis && s->snis->dropped) /* past AGG_SNIS_MAX or AGG_SNUS_MAX */
        json_uint(j, "sni_sessions_not_listed", s->snis->dropped);
    agg_json_resumed_unlinked(j, s);
    json_arr_begin(j, "alerts");
    for (unsigned i = 0; i < s->n_alerts; i++) {
        const struct agg_alert *a = &s->alerts[i];
        json_obj_begin(j, NULL);
        json_str(j, "from", a->from == 0 ? "client" : "server");
        if (a->level > 0)
            json_int(j, "level", a->level);
        else
            json_null(j, "level");
        if (a->code < 0) {
            json_null(j, "code");
            json_null(j, "name");
        } else {
            json_int(j, "code", a->code);
            json_str(j, "name", tls_alert_str(a->code));
        }
        report_alert_after_json(j, a->after, a->after_from);
        json_uint(j, "count", a->count);
        agg_peers_json(j, s, &a->peers);
        json_str(j, "meaning", a->meaning[0] ? a->meaning : NULL);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "alerts_dropped", s->alerts_dropped);
    json_arr_begin(j, "client_certificates");
    for (unsigned k = 0; k < s->n_ccerts; k++) {
        const struct agg_ccert *c = &s->ccerts[k];
        const struct cert_entry *e = certcache_get(c->ids[0]);
        json_obj_begin(j, NULL);
        report_cert_sha256_json(j, "sha256", c->ids[0]);
        bool ok = e != NULL && !e->info.parse_error;
        json_str(j, "subject", ok ? e->info.subject : NULL);
        json_str(j, "issuer", ok ? e->info.issuer : NULL);
        json_str(j, "not_after", ok ? e->info.not_after_iso : NULL);
        report_chain_sha256_json(j, "chain_sha256", c->ids, c->n);
        json_str(j, "verdict", c->verdict[0] ? c->verdict : NULL);
        json_str(j, "verify_error_text", c->verify_text[0] ? c->verify_text : NULL);
        json_uint(j, "sessions", c->sessions);
        json_ts(j, "first_seen", c->first);
        json_ts(j, "last_seen", c->last);
        agg_peers_json(j, s, &c->peers);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "client_certificates_dropped", s->ccerts_dropped);
    json_obj_begin(j, "tls_versions");
    for (int v = 0; v < 5; v++)
        if (s->versions[v])
            json_uint(j, tls_version_str((uint16_t)(0x0300 + v)), s->versions[v]);
    json_obj_end(j);
    json_uint(j, "implicit_tls_sessions", s->implicit);
    json_uint(j, "handshakes_unseen", s->hs_unseen);
    json_uint(j, "name_not_checked", s->name_unchecked);
    if (s->ocsp_judged) { /* what its stapled OCSP responses said (ocsp.c) */
        json_obj_begin(j, "ocsp_staples");
        json_uint(j, "sessions", s->ocsp_judged);
        for (uint8_t pb = 0; pb < OCSP_PB_COUNT; pb++)
            json_uint(j, pb == OCSP_PB_NONE ? "good" : ocsp_problem_str(pb), s->ocsp_problems[pb]);
        json_obj_end(j);
    }
    agg_dane_json(j, s); /* only when a TLSA RRset was known */
    json_obj_end(j);
    json_record_end(j);
}

static void
agg_json_finding(struct json *j, const struct agg_finding *f)
{
    const struct agg_server *s = agg.servers[f->server];
    char b[64];
    json_obj_begin(j, NULL);
    json_str(j, "event", "finding");
    if (agg.snapshot)
        json_bool(j, "snapshot", true);
    json_str(j, "severity", agg_severity_str(f->severity));
    json_str(j, "kind", f->kind);
    if (f->tlsrpt != NULL) /* RFC 8460 §4.3's result type, only when one applies */
        json_str(j, "tlsrpt", f->tlsrpt);
    report_endpoint_json(j, "server", &s->ep);
    if (f->name)
        json_str(j, "name", f->name);
    if (f->selected_by) /* sni_dependent_certificate: "sni" or "sni_or_peer" */
        json_str(j, "selected_by", f->selected_by);
    if (f->sni_mask) /* a pool or a choice by peer among these SNI values' sessions */
        agg_json_finding_sni(j, s, f->sni_mask);
    json_arr_begin(j, "peers");
    uint32_t pv[AGG_FPEERS_MAX];
    memcpy(pv, f->peers.v, f->peers.n * sizeof(pv[0]));
    if (f->peer_ips) /* by address, as its summary lists them: a name's peers */
        agg_ips_sorted(f->peer_ips, pv, f->peers.n);
    else /* or its server's */
        agg_peers_sorted(s, pv, f->peers.n);
    for (unsigned i = 0; i < f->peers.n; i++) {
        if (f->peer_ips)
            report_ip_str(b, sizeof(b), &f->peer_ips[pv[i]]);
        else
            agg_peer_str(s, pv[i], b, sizeof(b));
        json_str(j, NULL, b);
    }
    json_arr_end(j);
    if (f->peers.dropped)
        json_uint(j, "peers_not_listed", f->peers.dropped);
    json_arr_begin(j, "certificates");
    for (unsigned i = 0; i < f->chains.n + f->n_leaves; i++) {
        report_cert_sha256_json(j, NULL,
                                i < f->chains.n ? s->chains[f->chains.v[i]].ids[0]
                                                : f->leaves[i - f->chains.n]);
    }
    json_arr_end(j);
    json_uint(j, "session_count", f->sessions);
    json_arr_begin(j, "sessions");
    for (unsigned i = 0; i < f->n_ids; i++)
        json_uint(j, NULL, f->ids[i]);
    json_arr_end(j);
    json_ts(j, "first_seen", f->first);
    json_ts(j, "last_seen", f->last);
    json_str(j, "summary", f->summary);
    json_str(j, "evidence", f->evidence[0] ? f->evidence : NULL);
    if (f->name == NULL && strcmp(f->kind, "client_rejected_certificate") == 0)
        agg_evids_rejects_json(j, s, agg_flagstat(s, AF_CLIENT_REJECTED));
    if (f->name == NULL && strcmp(f->kind, "certificates_not_visible") == 0)
        agg_nv_json(j, s, agg.cfg ? agg.cfg->n_keylogs : 0);
    if (f->iseen.cert != 0) /* missing_intermediate: its issuer sent in the capture */
        agg_issuer_json(j, &f->iseen);
    if (f->name == NULL && strcmp(f->kind, "missing_intermediate") == 0)
        agg_issuer_json_chains(j, f->server, &f->chains); /* each chain's, when it has several */
    json_obj_end(j);
    json_record_end(j);
}

void
agg_write_json(struct json *j)
{
    for (uint32_t i = 0; i < agg.n_servers; i++)
        agg_json_server(j, agg.servers[i]);
    agn_write_json(j);
    for (uint32_t i = 0; i < agg.n_findings; i++)
        agg_json_finding(j, &agg.findings[i]);
}
