/* \summary: per-server aggregation: for each server address and port, which
 * certificate chain went to which peer, how often and when; STARTTLS outcomes
 * per peer; alerts by sender and code; per diagnosis flag, who was affected.
 * Memory is bounded by report.servers_max and report.peers_max; what does not
 * fit is counted and shown. Output order is sorted, never hash order. */
#include "agg_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "agg_auth.h"
#include "certcache.h"
#include "diagnose.h"
#include "json.h"
#include "mem.h"
#include "report_cert.h"
#include "report_session.h"
#include "tls_names.h"
#include "tlsrpt.h"
#include "verify.h"
#include "strcopy.h"

struct agg_state agg;

void
agg_init(const struct config *cfg)
{
    memset(&agg, 0, sizeof(agg));
    agg.cfg = cfg;
}

static void
agg_server_free(struct agg_server *s)
{
    for (unsigned i = 0; i < s->n_names; i++)
        free(s->names[i]);
    mem_free(s->peers, (size_t)s->cap_peers * sizeof(*s->peers));
    mem_free(s->pflags, (size_t)s->cap_pflags * sizeof(*s->pflags));
    idxtab_free(&s->peer_index);
    agg_pcount_free(s->unlisted);
    mem_free(s->uses, (size_t)s->cap_uses * sizeof(*s->uses));
    agg_ocsp_free(s);
    for (uint32_t c = 0; c < s->n_chains; c++)
        agg_pcount_free(s->chains[c].unlisted);
    mem_free(s->chains, (size_t)s->cap_chains * sizeof(*s->chains));
    for (unsigned i = 0; i < AF_COUNT; i++) {
        if (s->flags[i] != NULL)
            agg_evids_free(s->flags[i]);
        mem_free(s->flags[i], sizeof(*s->flags[i]));
    }
    mem_free(s->alerts, AGG_ALERTS_MAX * sizeof(*s->alerts));
    mem_free(s->ccerts, AGG_CCERTS_MAX * sizeof(*s->ccerts));
    mem_free(s->rejects, AGG_REJECTS_MAX * sizeof(*s->rejects));
    mem_free(s->fails, AGG_FAILS_MAX * sizeof(*s->fails));
    agg_nv_free(s);
    mem_free(s->plainq, (size_t)s->cap_plainq * sizeof(*s->plainq));
    agg_dane_free(s);
    agg_sni_free(s);
    mem_free(s->rpeers, sizeof(*s->rpeers));
    mem_free(s, sizeof(*s));
}

const struct agg_flagstat *
agg_flagstat(const struct agg_server *s, int flag)
{
    static const struct agg_flagstat none;
    const struct agg_flagstat *r = agg_plain_resolved(s, flag);
    if (r)
        return r;
    return s->flags[flag] ? s->flags[flag] : &none;
}

void
agg_fini(void)
{
    for (uint32_t i = 0; i < agg.n_servers; i++)
        agg_server_free(agg.servers[i]);
    mem_free(agg.servers, (size_t)agg.cap_servers * sizeof(*agg.servers));
    idxtab_free(&agg.index);
    mem_free(agg.findings, (size_t)agg.cap_findings * sizeof(*agg.findings));
    agg_issuer_forget(); /* missing_intermediate's issuers found */
    agn_fini();
    memset(&agg, 0, sizeof(agg));
}

void
agg_set_add(struct agg_set *s, uint32_t v)
{
    if (agg_set_has(s, v))
        return;
    if (s->n < AGG_FPEERS_MAX)
        s->v[s->n++] = v;
    else
        s->dropped++;
}

void
agg_set_add_peer(struct agg_set *s, uint32_t peer)
{
    if (peer == UINT32_MAX) {
        s->dropped++;
        s->past_cap++;
    } else
        agg_set_add(s, peer);
}

static bool
agg_same_ep(const struct endpoint *a, const struct endpoint *b)
{
    return a->port == b->port && a->ip.family == b->ip.family && memcmp(a->ip.a, b->ip.a, 16) == 0;
}

static uint64_t
agg_ep_hash(const struct endpoint *e)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ e->port;
    for (int i = 0; i < 16; i++)
        h = (h ^ e->ip.a[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static uint64_t
agg_server_hash(uint32_t idx, const void *user)
{
    (void)user;
    return agg_ep_hash(&agg.servers[idx]->ep);
}

static bool
agg_server_is(uint32_t idx, const void *ep)
{
    return agg_same_ep(&agg.servers[idx]->ep, ep);
}

void
agg_prefetch(const struct endpoint *server)
{
    if (agg.index.n_slots == 0)
        return;
    uint32_t slot = agg.index.slots[(uint32_t)agg_ep_hash(server) & (agg.index.n_slots - 1)];
    if (slot == 0)
        return; /* a new server, or further along the probe: not worth a wait */
    const char *s = (const char *)agg.servers[slot - 1];
    __builtin_prefetch(s);                                         /* endpoint, counters */
    __builtin_prefetch(s + offsetof(struct agg_server, peers));    /* peers, chains, uses */
    __builtin_prefetch(s + offsetof(struct agg_server, versions)); /* versions, flags */
    __builtin_prefetch(s + offsetof(struct agg_server, flags) + sizeof(void *) * (AF_COUNT - 1));
}

static struct agg_server *
agg_server_get(const struct endpoint *ep)
{
    uint32_t found = idxtab_find(&agg.index, agg_ep_hash(ep), agg_server_is, ep);
    if (found != UINT32_MAX)
        return agg.servers[found];
    if (agg.n_servers >= agg.cfg->report_servers_max || mem_run_tables_full()) {
        agg.servers_dropped++;
        return NULL;
    }
    if (agg.n_servers == agg.cap_servers) {
        uint32_t nc = agg.cap_servers ? agg.cap_servers * 2 : 16;
        struct agg_server **ns = mem_realloc(agg.servers, (size_t)agg.cap_servers * sizeof(*ns),
                                             (size_t)nc * sizeof(*ns));
        if (!ns)
            return NULL;
        agg.servers = ns;
        agg.cap_servers = nc;
    }
    if (!idxtab_reserve(&agg.index, agg.n_servers, agg_server_hash, NULL))
        return NULL;
    struct agg_server *s = mem_alloc(sizeof(*s));
    if (!s) {
        agg.servers_dropped++; /* memcap: counted, like the cap above */
        return NULL;
    }
    s->ep = *ep;
    idxtab_insert(&agg.index, agg_ep_hash(ep), agg.n_servers);
    agg.servers[agg.n_servers++] = s;
    return s;
}

static uint64_t
agg_ip_hash(const struct ipaddr *ip)
{
    return idxtab_hash_bytes(ip->a, sizeof(ip->a)) ^ ip->family;
}

struct agg_peer_key {
    const struct agg_server *s;
    const struct ipaddr *ip;
};

static bool
agg_peer_is(uint32_t idx, const void *key)
{
    const struct agg_peer_key *k = key;
    const struct ipaddr *a = &k->s->peers[idx].ip;
    return a->family == k->ip->family && memcmp(a->a, k->ip->a, sizeof(a->a)) == 0;
}

static uint64_t
agg_peer_hash_of(uint32_t idx, const void *user)
{
    const struct agg_server *s = user;
    return agg_ip_hash(&s->peers[idx].ip);
}

/* Index of the peer, or UINT32_MAX when the peer table is full (or its
 * index cannot grow: memcap). Found through the per-server index, not by a
 * scan of up to report.peers_max entries for every session. */
static uint32_t
agg_peer(struct agg_server *s, const struct ipaddr *ip)
{
    const struct agg_peer_key key = {s, ip};
    uint64_t h = agg_ip_hash(ip);
    uint32_t found = idxtab_find(&s->peer_index, h, agg_peer_is, &key);
    if (found != UINT32_MAX)
        return found;
    bool room = s->n_peers < agg.cfg->report_peers_max &&
                mem_grow((void **)&s->peers, s->n_peers, &s->cap_peers, sizeof(*s->peers), 4,
                         agg.cfg->report_peers_max) &&
                mem_grow((void **)&s->pflags, s->n_peers, &s->cap_pflags, sizeof(*s->pflags), 4,
                         agg.cfg->report_peers_max) &&
                idxtab_reserve(&s->peer_index, s->n_peers, agg_peer_hash_of, s);
    if (!room) {
        s->peer_sessions_dropped++;
        if (s->unlisted == NULL)
            s->unlisted = mem_alloc(sizeof(*s->unlisted)); /* zeroed: none counted */
        if (s->unlisted != NULL)
            agg_pcount_add(s->unlisted, ip);
        return UINT32_MAX;
    }
    memset(&s->peers[s->n_peers], 0, sizeof(s->peers[0]));
    s->pflags[s->n_peers] = 0;
    s->peers[s->n_peers].ip = *ip;
    idxtab_insert(&s->peer_index, h, s->n_peers);
    return s->n_peers++;
}

static uint32_t
agg_chain(struct agg_server *s, const uint32_t *ids, uint8_t n)
{
    for (uint32_t i = 0; i < s->n_chains; i++)
        if (s->chains[i].n == n && memcmp(s->chains[i].ids, ids, n * sizeof(uint32_t)) == 0)
            return i;
    bool room =
        s->n_chains < AGG_CHAINS_MAX && mem_grow((void **)&s->chains, s->n_chains, &s->cap_chains,
                                                 sizeof(*s->chains), 1, AGG_CHAINS_MAX);
    if (!room) {
        s->chains_dropped++;
        return UINT32_MAX;
    }
    struct agg_chain *c = &s->chains[s->n_chains];
    memset(c, 0, sizeof(*c));
    c->n = n;
    memcpy(c->ids, ids, c->n * sizeof(uint32_t));
    return s->n_chains++;
}

/* The verdict of a chain presented on another port only (verdict_from):
 * the chain's statuses there, but SubjectMismatch, which is for the names
 * its sessions there asked: here, for the names the sessions resumed here
 * asked (rnames), each checked against its leaf. */
static void
agg_else_verdict(struct agg_chain *c, uint8_t there)
{
    c->statuses = (uint8_t)((there & ~XS_SUBJECT_MISMATCH) |
                            (c->rnames & AGG_RN_MISMATCH ? XS_SUBJECT_MISMATCH : 0));
    const char *w = "Valid";
    for (unsigned i = 0; i < XS_COUNT; i++)
        if (c->statuses & (1u << i)) {
            w = diagnose_status_word(1u << i);
            break;
        }
    str_copy(c->verdict, sizeof(c->verdict), w);
}

/* A session resumed on s whose full handshake presented chain c on another
 * port of the same address (resume.c: the table is by address): counted by
 * that port. While no session here presented the chain, it takes the
 * verdict it got there, when that server's sessions are aggregated already,
 * its name check redone (agg_else_verdict): SNI may differ on 587 from
 * 25's MX name. */
static void
agg_elsewhere(struct agg_server *s, struct agg_chain *c, uint16_t port)
{
    unsigned i = 0;
    while (i < c->n_else && c->else_port[i] != port)
        i++;
    if (i == c->n_else && c->n_else < AGG_ELSEWHERE_MAX)
        c->else_port[c->n_else++] = port;
    if (i < c->n_else)
        c->else_sessions[i]++;
    if (c->sessions > 0)
        return;
    if (c->verdict_from) { /* taken already: this session's name in it */
        agg_else_verdict(c, c->statuses);
        return;
    }
    const struct endpoint ep = {s->ep.ip, port};
    uint32_t at = idxtab_find(&agg.index, agg_ep_hash(&ep), agg_server_is, &ep);
    if (at == UINT32_MAX)
        return;
    const struct agg_server *o = agg.servers[at];
    for (uint32_t k = 0; k < o->n_chains; k++) {
        const struct agg_chain *oc = &o->chains[k];
        if (oc->n == c->n && memcmp(oc->ids, c->ids, c->n * sizeof(uint32_t)) == 0 &&
            oc->sessions > 0 && oc->verdict[0]) {
            agg_else_verdict(c, oc->statuses);
            str_copy(c->verify_text, sizeof(c->verify_text), oc->verify_text);
            c->verdict_from = port;
            return;
        }
    }
}

/* A session of chain c from peer (UINT32_MAX: past report.peers_max),
 * expired or not, under the (peer, chain) pair of uses; a session no pair
 * can take (a peer not itemised, or the table full) counted in the chain,
 * where the findings made from the pairs find it (agg_fpeers_uses). */
static void
agg_use(struct agg_server *s, uint32_t peer, uint32_t chain, bool expired, int64_t ts,
        const struct ipaddr *ip)
{
    struct agg_chain *c = &s->chains[chain];
    if (peer == UINT32_MAX) {
        c->past_cap++;
        c->exp_past_cap += expired;
        /* their addresses, each once: the certificate's peers_dropped */
        if (c->unlisted == NULL)
            c->unlisted = mem_alloc(sizeof(*c->unlisted)); /* zeroed: none counted */
        if (c->unlisted != NULL)
            agg_pcount_add(c->unlisted, ip);
        return;
    }
    for (uint32_t i = 0; i < s->n_uses; i++) {
        struct agg_use *u = &s->uses[i];
        if (u->peer == peer && u->chain == chain) {
            agg_seen(&u->first, &u->last, false, ts);
            u->sessions++;
            return;
        }
    }
    if (!mem_grow((void **)&s->uses, s->n_uses, &s->cap_uses, sizeof(*s->uses), 8,
                  agg.cfg->report_peers_max * 4u)) {
        s->uses_dropped++;
        c->unpaired++;
        c->exp_unpaired += expired;
        return;
    }
    s->uses[s->n_uses++] = (struct agg_use){peer, chain, 1, ts, ts};
}

void
agg_fs_add(struct agg_flagstat *fs, int64_t ts, uint64_t id, uint32_t peer, uint32_t chain)
{
    agg_seen(&fs->first, &fs->last, fs->sessions == 0, ts);
    fs->sessions++;
    agg_set_add_peer(&fs->peers, peer);
    if (chain != UINT32_MAX)
        agg_set_add(&fs->chains, chain);
    if (fs->n_ids < AGG_SESSIONS_MAX)
        fs->ids[fs->n_ids++] = id;
}

struct agg_flagstat *
agg_flag_count(struct agg_server *s, int flag, int64_t ts, uint64_t id, uint32_t peer)
{
    if (s->flags[flag] == NULL && (s->flags[flag] = mem_alloc(sizeof(*s->flags[flag]))) == NULL)
        return NULL; /* memcap: counted there */
    agg_fs_add(s->flags[flag], ts, id, peer, UINT32_MAX);
    agg_fpeers_note(s, flag, peer);
    return s->flags[flag];
}

static void
agg_flag(struct agg_server *s, enum agg_flag f, const struct flow_record *rec, uint32_t peer,
         uint32_t chain, const char *evidence, const struct diagnosis *dg)
{
    if (s->flags[f] == NULL && (s->flags[f] = mem_alloc(sizeof(*s->flags[f]))) == NULL)
        return; /* memcap: counted there */
    struct agg_flagstat *fs = s->flags[f];
    bool cert_ok = dg->certificate_ok && !dg->weak_key && !dg->weak_signature;
    if (fs->sessions == 0) {
        if (evidence)
            agg_evid_copy(fs->evidence, sizeof(fs->evidence), evidence);
        fs->missing_issuer = dg->missing_issuer;
        fs->retired_note = dg->retired_root_note;
        fs->retired_then = dg->retired_root_public_then;
    }
    agg_fs_add(fs, rec->ts_us, rec->id, peer, chain);
    agg_fpeers_note(s, f, peer);
    fs->implicit += tlsrpt_implicit(rec);
    fs->cert_ok += cert_ok;
    if (f == AF_CLIENT_CLOSED) /* a lone QUIT, not a close alone (agg_closed.c) */
        fs->quits += diagnose_client_quit(rec);
    fs->tools += f == AF_CLIENT_REJECTED && dg->test_client != DG_TC_NONE;
    fs->refused_untrusted += f == AF_SERVER_REFUSED && dg->refused_why == DG_RF_CCERT_UNTRUSTED;
    fs->refused_none += f == AF_SERVER_REFUSED && dg->refused_why == DG_RF_CCERT_NONE;
    fs->refused_hidden += f == AF_SERVER_REFUSED && dg->refused_why == DG_RF_HIDDEN;
    fs->anontls += tlsrpt_anontls(rec);
    fs->sig_hashes |= dg->weak_signature_hashes;
    fs->sig_then += dg->weak_signature_accepted_then;
}

static void
agg_alerts(struct agg_server *s, const struct tls_facts *t, const struct diagnosis *dg,
           uint32_t peer)
{
    if (t->n_alerts > 0 && s->alerts == NULL &&
        (s->alerts = mem_alloc(AGG_ALERTS_MAX * sizeof(*s->alerts))) == NULL)
        return; /* memcap: counted there; most servers never need the table */
    for (unsigned i = 0; i < t->n_alerts && i < FACTS_ALERTS_MAX; i++) {
        const struct tls_alert *a = &t->alerts[i];
        unsigned k = 0;
        for (; k < s->n_alerts; k++)
            if (s->alerts[k].from == a->from && s->alerts[k].code == a->code &&
                s->alerts[k].level == a->level && s->alerts[k].after == a->after &&
                (a->after < 0 || s->alerts[k].after_from == a->after_from))
                break;
        if (k == s->n_alerts) {
            if (s->n_alerts >= AGG_ALERTS_MAX) {
                s->alerts_dropped++; /* counted, not listed */
                continue;
            }
            s->alerts[k].from = a->from;
            s->alerts[k].level = a->level;
            s->alerts[k].code = a->code;
            s->alerts[k].after = a->after;
            s->alerts[k].after_from = a->after < 0 ? 0 : a->after_from;
            /* the session's meaning is its first fatal alert's: not a warning's */
            str_copy(s->alerts[k].meaning, sizeof(s->alerts[k].meaning),
                     a->level == 1 ? "" : dg->alert_meaning);
            s->n_alerts++;
        }
        s->alerts[k].count++;
        agg_set_add_peer(&s->alerts[k].peers, peer);
    }
}

/* A client chain (mutual TLS): counted under the chain as sent (the
 * SHA-256s of its certificates: one certificate cache id each), with the
 * verdict of its first session's diagnosis (verified for a TLS client). */
static void
agg_client_cert(struct agg_server *s, const struct flow_record *rec, const struct diagnosis *dg,
                uint32_t peer)
{
    const struct tls_facts *t = &rec->facts->tls;
    if (t->n_client_chain == 0)
        return;
    if (s->ccerts == NULL && (s->ccerts = mem_alloc(AGG_CCERTS_MAX * sizeof(*s->ccerts))) == NULL)
        return; /* memcap: counted there */
    unsigned n = t->n_client_chain < FACTS_CHAIN_MAX ? t->n_client_chain : FACTS_CHAIN_MAX;
    unsigned k = 0;
    while (k < s->n_ccerts &&
           (s->ccerts[k].n != n || memcmp(s->ccerts[k].ids, t->client_chain, n * sizeof(uint32_t))))
        k++;
    if (k == s->n_ccerts) {
        if (k >= AGG_CCERTS_MAX) {
            s->ccerts_dropped++;
            return;
        }
        struct agg_ccert *c = &s->ccerts[k];
        memset(c, 0, sizeof(*c));
        c->n = (uint8_t)n;
        memcpy(c->ids, t->client_chain, n * sizeof(uint32_t));
        str_copy(c->verdict, sizeof(c->verdict), dg->client_exchange_status);
        str_copy(c->verify_text, sizeof(c->verify_text), dg->client_verify_error_text);
        if (dg->client_missing_issuer == VERIFY_ISSUER_UNKNOWN)
            str_copy(c->missing_issuer, sizeof(c->missing_issuer),
                     dg->client_missing_issuer_subject);
        s->n_ccerts++;
    }
    struct agg_ccert *c = &s->ccerts[k];
    agg_seen(&c->first, &c->last, c->sessions++ == 0, rec->ts_us);
    agg_set_add_peer(&c->peers, peer);
    if (c->n_sids < AGG_SESSIONS_MAX)
        c->sids[c->n_sids++] = rec->id;
    if (dg->server_rejected_client_certificate)
        c->rejected++;
    c->refused += dg->server_closed_after_first_reply;
}

/* The flags whose findings list every distinct evidence of their sessions
 * (agg_evids.c), not the first session's alone; the others have texts of
 * their own over all sessions (agg_rejects.c, agg_plain.c, agg_dane.c) or
 * none; vlan_split's two halves of one connection say the same from each
 * side: the first to end speaks for it. */
static bool
agg_evid_kept(int flag)
{
    return flag <= AF_WEAK_SIGNATURE || flag == AF_STARTTLS_REJECTED ||
           flag == AF_CLIENT_REJECTED || flag == AF_OBSOLETE_TLS || flag == AF_PLAINTEXT_REFUSED ||
           flag == AF_HANDSHAKE_CAPPED || flag == AF_OCSP_REVOKED || flag == AF_OCSP_INVALID;
}

/* client_quit_after_handshake: the TLS-RPT type of its sessions (their
 * chains' problems, tlsrpt_session), the general one when they differ. */
static void
agg_quit_note(struct agg_flagstat *fs, const struct diagnosis *dg)
{
    if (fs->sessions <= 1)
        fs->tlsrpt = dg->tlsrpt;
    else if (fs->tlsrpt != dg->tlsrpt &&
             (fs->tlsrpt == NULL || dg->tlsrpt == NULL || strcmp(fs->tlsrpt, dg->tlsrpt) != 0))
        fs->tlsrpt = tlsrpt_kind("tls_handshake_failed", -2); /* validation-failure */
}

void
agg_session(const struct flow_record *rec, const struct diagnosis *dg)
{
    const struct session_facts *f = rec->facts;
    if (!f)
        return;
    agn_session(rec, dg);
    struct agg_server *s = agg_server_get(&rec->server);
    if (!s)
        return;
    const struct smtp_facts *sm = &f->smtp;
    const struct tls_facts *t = &f->tls;
    agg_seen(&s->first, &s->last, s->sessions++ == 0, rec->ts_us);
    /* the capture's end as the sessions' judgement times go (record.h
     * chain_us): a first packet with a wrong time stamp does not move it */
    int64_t judged = flow_record_judged_us(rec);
    if (judged > agg.last_ts)
        agg.last_ts = judged;
    agg_add_name(s, sm->banner_host.s, sm->banner_host.len, AGG_NAME_BANNER);
    agg_add_name(s, t->sni.s, t->sni.len, AGG_NAME_SNI);
    uint32_t peer = agg_peer(s, &rec->client.ip);
    /* the peer's STARTTLS counts; a plaintext session's class (agg_plain.c) */
    agg_peer_note(s, peer, rec, dg);
    if (peer != UINT32_MAX && !rec->vlan_split) { /* one direction captured: said on its row
                                                     (a VLAN split's halves: vlan_split's) */
        int miss = flow_record_missing_dir(rec);
        struct agg_peer *pe = &s->peers[peer];
        if (miss == 0)
            pe->client_unseen++;
        if (miss == 1)
            pe->server_unseen++;
    }
    if (!rec->vlan_split && flow_record_missing_dir(rec) >= 0)
        agg.one_way[flow_record_missing_dir(rec)]++;
    s->implicit += sm->implicit_tls;
    uint32_t chain = UINT32_MAX;
    uint32_t nm_chain = UINT32_MAX; /* a resumed session's, for its name_mismatch */
    if (t->seen) {
        s->tls_sessions++;
        /* picked up after the whole handshake, or inside it past the
         * server's certificates: neither has a certificate to count */
        bool midway = t->handshake != TLS_HS_UNSEEN && dg->not_visible_why == DG_NV_PICKED_UP;
        /* a TLS 1.3 handshake picked up after its ServerHello may have
         * its certificates in the capture, encrypted (DG_NV_UNDECIDED13);
         * one seen from the server's side alone may have sent none
         * (DG_NV_UNDECIDED_ONEWAY) */
        bool unseen = t->handshake == TLS_HS_UNSEEN && dg->not_visible_why != DG_NV_UNDECIDED13 &&
                      dg->not_visible_why != DG_NV_UNDECIDED_ONEWAY;
        s->hs_unseen += unseen || midway;
        s->hs_midway += midway;
        agg_nv_note(s, dg, rec->id, t);
        if (t->version >= 0x0300 && t->version <= 0x0304)
            s->versions[t->version - 0x0300]++;
        agg_ocsp_note(s, t, dg);
        if (t->n_server_chain > 0) {
            chain = agg_chain(s, t->server_chain, t->n_server_chain);
            if (chain != UINT32_MAX) {
                struct agg_chain *c = &s->chains[chain];
                agg_seen(&c->first, &c->last, c->sessions + c->resumed == 0, rec->ts_us);
                if (c->sessions == 0) { /* its own verdict, not another port's */
                    agg_cert_names(s, c);
                    str_copy(c->verdict, sizeof(c->verdict), diagnose_exchange_status(dg));
                    c->statuses = dg->exchange_statuses;
                    str_copy(c->verify_text, sizeof(c->verify_text), dg->verify_error_text);
                    c->verdict_from = 0;
                }
                c->sessions++;
                agg_vcount_note(&c->vc, dg);
                if (c->n_sids < AGG_SESSIONS_MAX)
                    c->sids[c->n_sids++] = rec->id;
                c->anontls += tlsrpt_anontls(rec);
                if (dg->expired) {
                    agg_seen(&c->exp_first, &c->exp_last, c->exp_sessions++ == 0, rec->ts_us);
                    c->exp_implicit += tlsrpt_implicit(rec);
                    c->exp_anontls += tlsrpt_anontls(rec);
                    if (c->n_exp_sids < AGG_SESSIONS_MAX)
                        c->exp_sids[c->n_exp_sids++] = rec->id;
                }
                c->expired_seen |= dg->expired;
                agg_use(s, peer, chain, dg->expired, rec->ts_us, &rec->client.ip);
                agg_sni_note(s, t, chain, peer, dg);
                agg_ocsp_chain_note(c, t, dg);
            }
        } else if (t->n_resumed_chain > 0) {
            /* a resumed session, linked to the chain its full handshake
             * presented (resume.c): counted under it, and its peer among
             * those the chain was presented to; its verdict is the full
             * handshake's (a session that sent no certificate has none) */
            uint32_t rc = agg_chain(s, t->resumed_chain, t->n_resumed_chain);
            if (rc != UINT32_MAX) {
                struct agg_chain *c = &s->chains[rc];
                agg_seen(&c->first, &c->last, c->sessions + c->resumed == 0, rec->ts_us);
                c->resumed++;
                const struct cert_entry *leaf = certcache_get(c->ids[0]);
                if (dg->name_mismatch)
                    c->rnames |= AGG_RN_MISMATCH;
                else if (dg->checked_name[0] && (!leaf || leaf->info.parse_error))
                    c->rnames |= AGG_RN_UNCHECKED;
                else if (dg->name_check == DG_NAME_NO_NAME) /* nothing to check: not "rechecked" */
                    c->rnames |= AGG_RN_NO_NAME;
                nm_chain = rc;
                if (t->resumed_port != rec->server.port)
                    agg_elsewhere(s, c, t->resumed_port);
                /* served expired before: expired still (agg_exp_fill) */
                agg_use(s, peer, rc, c->expired_seen, rec->ts_us, &rec->client.ip);
                agg_sni_note(s, t, rc, peer, dg);
            }
        } else if (t->resumed) {
            /* resumed, linked to no full handshake: its chain unknown,
             * said beside the chains (agg_nv_resumed) */
            if (t->version == 0x0304)
                s->resumed13_unlinked++;
            else
                s->resumed12_unlinked++;
            if (s->rpeers == NULL && (s->rpeers = mem_alloc(sizeof(*s->rpeers))) != NULL)
                memset(s->rpeers, 0, sizeof(*s->rpeers));
            struct agg_set *rp = s->rpeers == NULL      ? NULL
                                 : t->version == 0x0304 ? &s->rpeers->p13
                                                        : &s->rpeers->p12;
            if (rp)
                agg_set_add_peer(rp, peer);
        }
        agg_alerts(s, t, dg, peer);
        agg_client_cert(s, rec, dg, peer);
        if (dg->server_rejected_client_certificate)
            agg_reject_note(s, t, dg->server_reject_code, peer);
        if (dg->tls_handshake_failed)
            agg_fail_note(s, dg->alert_meaning, peer);
        agg_dane_note(s, &rec->client.ip, t, dg);
        agg_nc_note(s, chain != UINT32_MAX ? chain : nm_chain, dg);
    }
    char ev[AGG_EVIDENCE_LEN]; /* the evidence of a flag's first session: made only then */
    const bool flags[AF_COUNT] = {dg->expired,
                                  dg->not_yet_valid,
                                  dg->self_signed,
                                  dg->name_mismatch,
                                  dg->missing_intermediate,
                                  dg->untrusted_root,
                                  dg->name_constraint_violation,
                                  dg->weak_key,
                                  dg->weak_signature,
                                  dg->starttls_stripped,
                                  dg->starttls_not_offered,
                                  dg->starttls_rejected,
                                  dg->plaintext_after_failed_starttls,
                                  dg->plaintext_delivery,
                                  dg->auth_before_tls,
                                  dg->tls_handshake_failed,
                                  dg->client_rejected_certificate,
                                  dg->server_rejected_client_certificate,
                                  dg->mutual_tls,
                                  dg->certificates_not_visible,
                                  t->seen && t->anonymous,
                                  t->seen && t->version != 0 && t->version < 0x0303,
                                  dg->plaintext_refused,
                                  rec->vlan_split,
                                  dg->implicit_tls_not_served,
                                  dg->handshake_capped != NULL,
                                  dg->ocsp.present && dg->ocsp.problem == OCSP_PB_REVOKED,
                                  dg->ocsp.present && dg->ocsp.problem != OCSP_PB_NONE &&
                                      dg->ocsp.problem != OCSP_PB_REVOKED,
                                  dg->client_quit_after_handshake,
                                  dg->dane.state == DANE_MISMATCH,
                                  dg->dane.state == DANE_UNUSABLE,
                                  dg->manual_tls_probe,
                                  dg->client_closed_after_handshake && !dg->manual_tls_probe,
                                  dg->server_closed_after_first_reply};
    /* this session is the server's first closed-after-handshake one that
     * was a lone QUIT */
    bool quit1 = flags[AF_CLIENT_CLOSED] && agg_flagstat(s, AF_CLIENT_CLOSED)->quits == 0 &&
                 diagnose_client_quit(rec);
    for (int i = 0; i < AF_COUNT; i++) {
        if (!flags[i])
            continue;
        const char *e = ev;
        if (i == AF_CLIENT_REJECTED || i == AF_SERVER_REJECTED_CLIENT)
            e = dg->alert_meaning;
        else if (i == AF_TLS_FAILED)
            e = dg->alert_meaning[0] ? dg->alert_meaning : agg_fail_no_alert;
        else if (i == AF_UNTRUSTED_ROOT && dg->untrusted_root_subject[0])
            e = dg->untrusted_root_subject;
        else if (i == AF_DANE_MISMATCH || i == AF_DANE_UNUSABLE)
            e = NULL; /* agg_dane.c writes their evidence */
        else if (i == AF_PLAINTEXT_REFUSED)
            e = dg->plaintext_refused_what;
        else if (i == AF_VLAN_SPLIT)
            agg_vsplit_evidence(rec, ev, sizeof(ev));
        else if (i == AF_CLIENT_QUIT && agg_flagstat(s, i)->sessions == 0)
            diagnose_quit_text(rec, dg, ev, sizeof(ev));
        else if (i == AF_MANUAL_PROBE && agg_flagstat(s, i)->sessions == 0)
            diagnose_probe_text(rec, dg, ev, sizeof(ev));
        else if (i == AF_CLIENT_CLOSED && (agg_flagstat(s, i)->sessions == 0 || quit1))
            diagnose_closed_text(rec, dg, ev, sizeof(ev));
        else if (i == AF_SERVER_REFUSED && agg_flagstat(s, i)->sessions == 0)
            diagnose_refused_text(rec, dg, ev, sizeof(ev));
        else if (i == AF_STARTTLS_REJECTED) /* the verb (X-ANONYMOUSTLS too) and the reply */
            agg_reply_evidence(sm, ev, sizeof(ev));
        else if (i == AF_STARTTLS_STRIPPED)
            agg_strip_evidence(sm, ev, sizeof(ev));
        else if (i == AF_AUTH_BEFORE_TLS) /* every session's, by agg_auth_note below */
            e = "";
        else if ((i >= AF_STARTTLS_STRIPPED && i <= AF_AUTH_BEFORE_TLS) || i == AF_ANONYMOUS ||
                 i == AF_IMPLICIT_TLS_NOT_SERVED)
            e = NULL;
        else if (agg_flagstat(s, i)->sessions == 0 || agg_evid_kept(i))
            agg_evidence((enum agg_flag)i, dg, t, ev, sizeof(ev));
        /* the client (its certificate) is the subject of these, not the
         * server's certificate; of plaintext on 465, none */
        bool no_chain = i == AF_SERVER_REJECTED_CLIENT || i == AF_MUTUAL_TLS ||
                        i == AF_IMPLICIT_TLS_NOT_SERVED || i == AF_SERVER_REFUSED;
        uint32_t fc = i == AF_NAME_MISMATCH && chain == UINT32_MAX ? nm_chain : chain;
        agg_flag(s, (enum agg_flag)i, rec, peer, no_chain ? UINT32_MAX : fc, e, dg);
        if (agg_evid_kept(i) && s->flags[i] != NULL) { /* every session's, not the first's */
            /* name_mismatch's and client_rejected_certificate's by the
             * leaf too: the certificate a name or an alert met */
            bool nm = i == AF_NAME_MISMATCH && dg->checked_name[0];
            bool by_leaf =
                nm ? agg_leaf_id(t) != UINT32_MAX : i == AF_CLIENT_REJECTED && t->n_server_chain;
            uint32_t leaf = by_leaf ? agg_leaf_id(t) : UINT32_MAX;
            if (i == AF_CLIENT_REJECTED)
                agg_evid_note_alert(s->flags[i], e, dg->client_reject_code, leaf, peer);
            else
                agg_evid_note(s->flags[i], e, nm ? dg->checked_name : NULL,
                              nm ? (int)dg->checked_name_source : 0, leaf, peer,
                              nm && !t->n_server_chain && t->n_resumed_chain ? t->resumed_port : 0);
        }
        if (i == AF_IMPLICIT_TLS_NOT_SERVED && s->flags[i] != NULL)
            agg_implicit_note(s->flags[i], sm, dg);
        if (i == AF_AUTH_BEFORE_TLS && s->flags[i] != NULL)
            agg_auth_note(s->flags[i], sm);
        if (i == AF_CLIENT_QUIT && s->flags[i] != NULL)
            agg_quit_note(s->flags[i], dg);
        /* the first lone QUIT's shape, not a close's, where the headline
         * speaks of lone QUITs (agg_closed.c) */
        if (i == AF_CLIENT_CLOSED && quit1 && s->flags[i] != NULL && s->flags[i]->sessions > 1)
            agg_evid_copy(s->flags[i]->evidence, sizeof(s->flags[i]->evidence), ev);
        if (i == AF_STARTTLS_NOT_OFFERED && s->flags[i] != NULL)
            agg_ehlo_note(s->flags[i], sm);
        if (i == AF_STARTTLS_STRIPPED && s->flags[i] != NULL)
            agg_strip_note(s->flags[i], sm);
    }
}

int
agg_cmp_server(const void *a, const void *b)
{
    const struct agg_server *x = *(struct agg_server *const *)a,
                            *y = *(struct agg_server *const *)b;
    if (x->ep.ip.family != y->ep.ip.family)
        return x->ep.ip.family - y->ep.ip.family;
    int c = memcmp(x->ep.ip.a, y->ep.ip.a, 16);
    if (c)
        return c;
    return (int)x->ep.port - (int)y->ep.port;
}

uint32_t
agg_server_index(const struct endpoint *ep)
{
    for (uint32_t i = 0; i < agg.n_servers; i++)
        if (agg_same_ep(&agg.servers[i]->ep, ep))
            return i;
    return UINT32_MAX;
}

bool
agg_server_seen(const struct ipaddr *ip)
{
    if (agg.servers_dropped)
        return true; /* it may be one of the servers left out */
    for (uint32_t i = 0; i < agg.n_servers; i++)
        if (agg.servers[i]->ep.ip.family == ip->family &&
            memcmp(agg.servers[i]->ep.ip.a, ip->a, ip->family == 6 ? 16 : 4) == 0)
            return true;
    return false;
}

void
agg_finish(void)
{
    if (agg.n_servers)
        qsort(agg.servers, agg.n_servers, sizeof(*agg.servers), agg_cmp_server);
    agg_compute_findings();
}

void
agg_peer_str(const struct agg_server *s, uint32_t peer, char *out, size_t n)
{
    if (peer >= s->n_peers) {
        str_copy(out, n, "?");
        return;
    }
    report_ip_str(out, n, &s->peers[peer].ip);
}

void
agg_ep_str(const struct endpoint *ep, char *out, size_t n)
{
    char ip[64];
    report_ip_str(ip, sizeof(ip), &ep->ip);
    struct strbuf b = str_buf(out, n);
    str_add(&b, ep->ip.family == 6 ? "[" : "", ip, ep->ip.family == 6 ? "]:" : ":", NULL);
    str_add_uint(&b, ep->port);
}

void
agg_chain_label(const struct agg_chain *c, char *out, size_t n)
{
    agg_leaf_label(c->ids[0], out, n);
}

void
agg_leaf_label(uint32_t leaf_id, char *out, size_t n)
{
    const struct cert_entry *e = certcache_get(leaf_id);
    if (!e) {
        str_copy(out, n, "(certificate not cached)");
        return;
    }
    char h[9]; /* the SHA-1's first 4 bytes: the 8 digits shown */
    report_hex_upper(h, e->sha1, 4);
    struct strbuf b = str_buf(out, n);
    if (e->info.parse_error) {
        str_add(&b, "unparsable certificate (SHA-1 ", NULL);
        str_addn(&b, h, 8);
        str_add(&b, ")", NULL);
    } else {
        str_add(&b, e->info.subject, " (SHA-1 ", NULL);
        str_addn(&b, h, 8);
        str_add(&b, ", until ", NULL);
        str_addn(&b, e->info.not_after_iso, 10);
        str_add(&b, ")", NULL);
    }
}

void
agg_ts_short(int64_t us, char *out, size_t n)
{
    char b[40];
    json_fmt_ts(b, sizeof(b), us);
    if (strlen(b) < 19) { /* "invalid" */
        str_copy(out, n, b);
        return;
    }
    struct strbuf sb = str_buf(out, n);
    str_addn(&sb, b, 10);
    str_add(&sb, " ", NULL);
    str_addn(&sb, b + 11, 8);
}

int
agg_max_severity(void)
{
    return agg.max_severity;
}

void
agg_dropped(struct agg_drops *out)
{
    out->servers = agg.servers_dropped;
    out->names = agn_dropped();
    out->uses = 0;
    out->peers = 0;
    for (uint32_t i = 0; i < agg.n_servers; i++) {
        out->uses += agg.servers[i]->uses_dropped;
        out->peers += agg.servers[i]->peer_sessions_dropped;
    }
}
