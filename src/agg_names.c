/* \summary: aggregation by server name across addresses (issue 4: "group
 * sessions by server address:port and by server name"). The name is the one
 * the session was checked against: what the client asked for (SNI), what the
 * admin said (--expect) or what DNS in the capture pointed at (MX, A).
 * One name served from several addresses (DNS round robin, several MX or A
 * records, a pool without a load balancer) can present different
 * certificates although every address is consistent on its own: only this
 * view shows it, as a mixed_pool finding carrying the name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "json.h"
#include "mem.h"
#include "report_session.h"
#include "strcopy.h"
#include "termtext.h"

#define AGN_EPS_MAX    16 /* addresses kept per name */
#define AGN_CHAINS_MAX 16 /* distinct chains kept per name */
#define AGN_PEERS_MAX  32 /* peers kept per name */
#define AGN_SNIS_MAX   16 /* SNI values kept per name (none sent and malformed are values) */

struct agn_chain {
    uint32_t ids[FACTS_CHAIN_MAX];
    uint8_t n;
    uint8_t statuses; /* exchange_statuses of its first session */
    uint64_t sessions;
    int64_t first, last;
    char verdict[32];
    struct agg_set eps, peers; /* indices into the name's eps[] and peers[] */
    uint64_t sids[AGG_SESSIONS_MAX];
    uint8_t n_sids;
    struct agg_vcount vc;       /* every session's statuses */
    uint32_t sni[AGN_SNIS_MAX]; /* its sessions under each of the name's SNI values */
    uint32_t sni_dropped;       /* its sessions under values past the name's first 16 */
    /* its sessions of peers past the name's first AGN_PEERS_MAX, and
     * their addresses, each once (made at the first; agn_unlisted) */
    uint32_t peer_sessions_dropped;
    struct agg_pcount *unlisted;
};

struct agn_name {
    char *name; /* lower case */
    const char *source;
    uint64_t sessions;
    int64_t first, last;
    struct endpoint eps[AGN_EPS_MAX];
    uint64_t ep_sessions[AGN_EPS_MAX];
    uint8_t n_eps;
    uint32_t eps_dropped;
    struct ipaddr peers[AGN_PEERS_MAX];
    uint8_t n_peers;
    /* the sessions of peers past those, and their addresses (as a chain's) */
    uint32_t peer_sessions_dropped;
    struct agg_pcount *unlisted;
    struct agn_chain chains[AGN_CHAINS_MAX];
    uint8_t n_chains;
    uint32_t chains_dropped;
    /* the SNI values its sessions sent, in the order first seen: NULL for
     * none sent, or (malformed's bit) for an extension that did not parse */
    char *sni[AGN_SNIS_MAX];
    uint8_t sni_len[AGN_SNIS_MAX];
    uint16_t sni_malformed;
    uint8_t n_sni;
};

static struct {
    struct agn_name **v; /* sorted by name after agn_finish */
    uint32_t n, cap, dropped;
    struct idxtab index; /* name -> index into v (until agn_finish sorts) */
} agn;

/* index's keys: the names (lower case) */
static const char *
agn_name_of(uint32_t idx)
{
    return agn.v[idx]->name;
}

static const struct idxtab_strkeys agn_names = {agn_name_of, false};

static struct agn_name *
agn_get(const char *name, const char *source)
{
    char low[256];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof(low))
        return NULL;
    for (size_t i = 0; i <= n; i++)
        low[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    uint32_t found = idxtab_find_str(&agn.index, &agn_names, idxtab_hash_str(low), low);
    if (found != UINT32_MAX)
        return agn.v[found];
    if (agn.n >= agg.cfg->report_servers_max || mem_run_tables_full()) {
        agn.dropped++;
        return NULL;
    }
    if (!mem_grow((void **)&agn.v, agn.n, &agn.cap, sizeof(*agn.v), 16, UINT32_MAX))
        return NULL;
    if (!idxtab_reserve_str(&agn.index, agn.n, &agn_names))
        return NULL;
    struct agn_name *x = mem_alloc(sizeof(*x));
    if (!x)
        return NULL;
    x->name = mem_alloc(n + 1);
    if (!x->name) {
        mem_free(x, sizeof(*x));
        return NULL;
    }
    memcpy(x->name, low, n + 1);
    x->source = source;
    idxtab_insert(&agn.index, idxtab_hash_str(low), agn.n);
    agn.v[agn.n++] = x;
    return x;
}

static uint32_t
agn_ep(struct agn_name *x, const struct endpoint *ep)
{
    for (uint32_t i = 0; i < x->n_eps; i++)
        if (x->eps[i].port == ep->port && x->eps[i].ip.family == ep->ip.family &&
            memcmp(x->eps[i].ip.a, ep->ip.a, 16) == 0)
            return i;
    if (x->n_eps == AGN_EPS_MAX) {
        x->eps_dropped++;
        return UINT32_MAX;
    }
    x->eps[x->n_eps] = *ep;
    return x->n_eps++;
}

static uint32_t
agn_peer(struct agn_name *x, const struct ipaddr *ip)
{
    for (uint32_t i = 0; i < x->n_peers; i++)
        if (x->peers[i].family == ip->family && memcmp(x->peers[i].a, ip->a, 16) == 0)
            return i;
    if (x->n_peers == AGN_PEERS_MAX)
        return UINT32_MAX;
    x->peers[x->n_peers] = *ip;
    return x->n_peers++;
}

/* A session of a peer (ip) past a name's first AGN_PEERS_MAX, of the name
 * or of one of its chains: the session counted, and the address, each
 * once, in *pc (made at the first; the memcap refusing it, the count is
 * "at least", as a server's peers past report.peers_max, agg_pcount.h). */
static void
agn_unlisted(struct agg_pcount **pc, uint32_t *sessions, const struct ipaddr *ip)
{
    (*sessions)++;
    if (*pc == NULL)
        *pc = mem_alloc(sizeof(**pc)); /* zeroed: none counted */
    if (*pc != NULL)
        agg_pcount_add(*pc, ip);
}

/* The addresses counted past the name's first peers: at least 1 when
 * there were sessions of them, though none could be counted (memcap). */
static uint32_t
agn_unlisted_n(const struct agg_pcount *pc, uint32_t sessions)
{
    uint32_t n = agg_pcount_n(pc);
    return n == 0 && sessions ? 1 : n;
}

static struct agn_chain *
agn_chain(struct agn_name *x, const struct tls_facts *t)
{
    for (uint32_t i = 0; i < x->n_chains; i++)
        if (x->chains[i].n == t->n_server_chain &&
            memcmp(x->chains[i].ids, t->server_chain, t->n_server_chain * sizeof(uint32_t)) == 0)
            return &x->chains[i];
    if (x->n_chains == AGN_CHAINS_MAX) {
        x->chains_dropped++;
        return NULL;
    }
    struct agn_chain *c = &x->chains[x->n_chains++];
    memset(c, 0, sizeof(*c));
    c->n = t->n_server_chain;
    memcpy(c->ids, t->server_chain, c->n * sizeof(uint32_t));
    return c;
}

static unsigned
agn_lower(unsigned c)
{
    return c - 'A' < 26u ? c + 32u : c;
}

/* The index of the session's SNI value among the name's (compared without
 * regard to ASCII case, RFC 4343, as agg_sni.c does), added when new;
 * UINT32_MAX past AGN_SNIS_MAX or for a ClientHello not seen. */
static uint32_t
agn_sni(struct agn_name *x, const struct tls_facts *t)
{
    if (t->client_version == 0 && !t->sslv2_hello) /* picked up after it: not known */
        return UINT32_MAX;
    const uint8_t *p = t->sni.s;
    size_t n = p ? t->sni.len : 0;
    bool bad = p == NULL && t->sni_malformed;
    for (uint32_t k = 0; k < x->n_sni; k++) {
        if (p == NULL) {
            if (x->sni[k] == NULL && ((x->sni_malformed >> k) & 1u) == bad)
                return k;
            continue;
        }
        if (x->sni[k] == NULL || x->sni_len[k] != n)
            continue;
        size_t i = 0;
        while (i < n && agn_lower((uint8_t)x->sni[k][i]) == agn_lower(p[i]))
            i++;
        if (i == n)
            return k;
    }
    char *c = NULL;
    if (x->n_sni >= AGN_SNIS_MAX || n > 255 || (p && (c = mem_alloc(n + 1)) == NULL))
        return UINT32_MAX;
    if (c) {
        memcpy(c, p, n);
        c[n] = '\0';
    }
    x->sni[x->n_sni] = c;
    x->sni_len[x->n_sni] = (uint8_t)n;
    x->sni_malformed |= (uint16_t)((unsigned)bad << x->n_sni);
    return x->n_sni++;
}

void
agn_session(const struct flow_record *rec, const struct diagnosis *dg)
{
    const struct tls_facts *t = &rec->facts->tls;
    if (!dg->checked_name[0] || t->n_server_chain == 0)
        return;
    struct agn_name *x = agn_get(dg->checked_name, name_source_str(dg->checked_name_source));
    if (!x)
        return;
    agg_seen(&x->first, &x->last, x->sessions++ == 0, rec->ts_us);
    uint32_t e = agn_ep(x, &rec->server);
    if (e != UINT32_MAX)
        x->ep_sessions[e]++;
    uint32_t p = agn_peer(x, &rec->client.ip);
    if (p == UINT32_MAX)
        agn_unlisted(&x->unlisted, &x->peer_sessions_dropped, &rec->client.ip);
    struct agn_chain *c = agn_chain(x, t);
    if (!c)
        return;
    agg_seen(&c->first, &c->last, c->sessions == 0, rec->ts_us);
    if (c->sessions++ == 0) {
        str_copy(c->verdict, sizeof(c->verdict), diagnose_exchange_status(dg));
        c->statuses = dg->exchange_statuses;
    }
    agg_vcount_note(&c->vc, dg);
    if (e != UINT32_MAX)
        agg_set_add(&c->eps, e);
    if (p != UINT32_MAX)
        agg_set_add(&c->peers, p);
    else /* a peer past the name's first AGN_PEERS_MAX: counted */
        agn_unlisted(&c->unlisted, &c->peer_sessions_dropped, &rec->client.ip);
    if (c->n_sids < AGG_SESSIONS_MAX)
        c->sids[c->n_sids++] = rec->id;
    uint32_t k = agn_sni(x, t);
    if (k != UINT32_MAX)
        c->sni[k]++;
    else if (t->client_version != 0 || t->sslv2_hello) /* a value past the first 16 */
        c->sni_dropped++;
}

static int
agn_cmp(const void *a, const void *b)
{
    return strcmp((*(struct agn_name *const *)a)->name, (*(struct agn_name *const *)b)->name);
}

/* The addresses of a set, "A, B" (as many as fit in n). */
static void
agn_eps_text(const struct agn_name *x, const struct agg_set *eps, char *out, size_t n)
{
    struct strbuf eb = str_buf(out, n);
    for (unsigned i = 0; i < eps->n && eb.len + 60 < n; i++) {
        char b[80];
        agg_ep_str(&x->eps[eps->v[i]], b, sizeof(b));
        str_add(&eb, i ? ", " : "", b, NULL);
    }
}

/* Address e of a name has its own mixed_pool (agg_findings.c, made before
 * the names' findings): a pool of nodes behind it. */
static bool
agn_ep_pool(const struct agn_name *x, uint32_t e)
{
    uint32_t si = agg_server_index(&x->eps[e]);
    for (uint32_t i = 0; si != UINT32_MAX && i < agg.n_findings; i++)
        if (agg.findings[i].server == si && agg.findings[i].name == NULL &&
            strcmp(agg.findings[i].kind, "mixed_pool") == 0)
            return true;
    return false;
}

/* One name, several addresses, and the certificates differ by address.
 * When an address mixes them itself (a pool behind it: its own
 * mixed_pool), the name's view is kept (case 2: a pool of servers, one a
 * load-balanced address): each certificate with the addresses serving it.
 * Not when an address's several certificates are no pool's (renewed, by
 * peer or SNI: its own finding says so), nor when every address serves
 * every certificate (they do not differ by address). */
static void
agn_finding(const struct agn_name *x)
{
    if (x->n_chains < 2 || x->n_eps < 2)
        return;
    bool mixed_ep = false, same = true;
    for (uint32_t e = 0; e < x->n_eps; e++) {
        unsigned k = 0;
        for (uint32_t c = 0; c < x->n_chains; c++)
            for (unsigned i = 0; i < x->chains[c].eps.n; i++)
                k += x->chains[c].eps.v[i] == e;
        if (k > 1 && !agn_ep_pool(x, e))
            return;
        mixed_ep |= k > 1;
    }
    for (uint32_t c = 0; c < x->n_chains; c++)
        same &= x->chains[c].eps.n == x->n_eps && x->chains[c].eps.dropped == 0;
    if (same)
        return;
    uint32_t odd = 0;
    bool bad = false;
    for (uint32_t c = 0; c < x->n_chains; c++) {
        if (x->chains[c].sessions < x->chains[odd].sessions)
            odd = c;
        bad |= x->chains[c].verdict[0] && strcmp(x->chains[c].verdict, "Valid") != 0;
    }
    const struct agn_chain *oc = &x->chains[odd];
    if (oc->eps.n == 0)
        return;
    uint32_t si = agg_server_index(&x->eps[oc->eps.v[0]]);
    if (si == UINT32_MAX)
        return;
    struct agg_finding *f = agg_new_finding(si, "mixed_pool", bad ? SEV_HIGH : SEV_MEDIUM);
    if (!f)
        return;
    f->name = x->name;
    char label[300], eps[200];
    agg_leaf_label(oc->ids[0], label, sizeof(label));
    agn_eps_text(x, &oc->eps, eps, sizeof(eps));
    unsigned any = 0, all = ~0u, others = 0;
    for (uint32_t c = 0; c < x->n_chains; c++)
        if (c != odd && x->chains[c].verdict[0]) {
            any |= x->chains[c].statuses;
            all &= x->chains[c].statuses;
            others++;
        }
    if (!oc->verdict[0])
        others = 0; /* not verified: nothing to compare */
    struct strbuf sb = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
    str_add(&sb, x->name, " is served by ", NULL);
    str_add_uint(&sb, x->n_eps);
    str_add(&sb, " addresses with ", NULL);
    str_add_uint(&sb, x->n_chains);
    if (mixed_ep) {
        str_add(&sb,
                " different certificates (DNS round robin or a pool of nodes, and a pool behind "
                "an address that serves several: its own mixed_pool):",
                NULL);
        for (uint32_t c = 0; c < x->n_chains && sb.len + 120 < sizeof(f->summary); c++) {
            char l[300], e[200];
            agg_leaf_label(x->chains[c].ids[0], l, sizeof(l));
            agn_eps_text(x, &x->chains[c].eps, e, sizeof(e));
            str_add(&sb, c ? "; " : " ", l, " at ", e, NULL);
        }
        str_add(&sb, "; the odd one out is ", label, NULL);
    } else {
        str_add(&sb, " different certificates (DNS round robin or a pool of nodes): ", eps,
                oc->eps.n == 1 ? " serves " : " serve ", label, " while the others serve another",
                NULL);
    }
    agg_pool_difference(&sb, oc->statuses, any, all, others, oc->eps.n > 1);
    f->first = x->first;
    f->last = x->last;
    f->sessions = x->sessions;
    for (uint32_t c = 0; c < x->n_chains; c++) {
        /* Certificates are listed by the server's chain index when it has
         * one; findings on names list the leaves through f->leaves. */
        if (f->n_leaves < AGG_FCHAINS_MAX)
            f->leaves[f->n_leaves++] = x->chains[c].ids[0];
        for (unsigned i = 0; i < x->chains[c].n_sids; i++)
            agg_ids_merge(f, &x->chains[c].sids[i], 1);
    }
    for (uint32_t p = 0; p < x->n_peers; p++)
        agg_set_add(&f->peers, p);
    /* the peers past the name's first 32, each once (agg_who.c: "and N
     * peers not listed"); their sessions when the count is only a lower
     * bound (memcap) */
    if (x->peer_sessions_dropped && !agg_pcount_at_least(x->unlisted)) {
        f->peers.dropped = agn_unlisted_n(x->unlisted, x->peer_sessions_dropped);
        f->peers.peers_exact = true;
    } else {
        f->peers.dropped = x->peer_sessions_dropped;
    }
    f->peer_ips = x->peers;
    agg_add_who(&sb, f);
}

void
agn_finish(void)
{
    if (agn.n)
        qsort(agn.v, agn.n, sizeof(*agn.v), agn_cmp);
    for (uint32_t i = 0; i < agn.n; i++)
        agn_finding(agn.v[i]);
}

static void
agn_json(struct json *j, const struct agn_name *x)
{
    char b[80];
    json_obj_begin(j, NULL);
    json_str(j, "event", "name");
    if (agg.snapshot)
        json_bool(j, "snapshot", true);
    json_str(j, "name", x->name);
    json_str(j, "source", x->source);
    json_uint(j, "sessions", x->sessions);
    json_ts(j, "first_seen", x->first);
    json_ts(j, "last_seen", x->last);
    json_arr_begin(j, "servers");
    for (uint32_t i = 0; i < x->n_eps; i++) {
        json_obj_begin(j, NULL);
        report_ip_str(b, sizeof(b), &x->eps[i].ip);
        json_str(j, "ip", b);
        json_uint(j, "port", x->eps[i].port);
        json_uint(j, "sessions", x->ep_sessions[i]);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "servers_dropped", x->eps_dropped);
    json_arr_begin(j, "certificates");
    for (uint32_t c = 0; c < x->n_chains; c++) {
        const struct agn_chain *ch = &x->chains[c];
        json_obj_begin(j, NULL);
        agg_json_chain(j, ch->ids, ch->n);
        json_str(j, "verdict", ch->verdict);
        report_statuses_json(j, "verdicts", ch->statuses);
        agg_vcount_json(j, &ch->vc);
        json_uint(j, "sessions", ch->sessions);
        json_ts(j, "first_seen", ch->first);
        json_ts(j, "last_seen", ch->last);
        json_arr_begin(j, "servers");
        for (unsigned i = 0; i < ch->eps.n; i++) {
            agg_ep_str(&x->eps[ch->eps.v[i]], b, sizeof(b));
            json_str(j, NULL, b);
        }
        json_arr_end(j);
        /* by address, as the server record's and a finding's peers */
        struct agg_pkey k[AGG_FPEERS_MAX];
        for (unsigned i = 0; i < ch->peers.n; i++) {
            k[i].ip = x->peers[ch->peers.v[i]];
            k[i].idx = ch->peers.v[i];
        }
        qsort(k, ch->peers.n, sizeof(k[0]), agg_cmp_peer);
        json_arr_begin(j, "peers");
        for (unsigned i = 0; i < ch->peers.n; i++) {
            report_ip_str(b, sizeof(b), &x->peers[k[i].idx]);
            json_str(j, NULL, b);
        }
        json_arr_end(j);
        /* the peers past the name's first 32, each once, and their
         * sessions (as the server record's peers_dropped and
         * peer_sessions_dropped) */
        json_uint(j, "peers_dropped", agn_unlisted_n(ch->unlisted, ch->peer_sessions_dropped));
        if (ch->peer_sessions_dropped) {
            if (agg_pcount_at_least(ch->unlisted))
                json_bool(j, "peers_dropped_at_least", true);
            json_uint(j, "peer_sessions_dropped", ch->peer_sessions_dropped);
        }
        /* the SNI values it was served under, in the order the name saw them */
        json_arr_begin(j, "sni");
        for (uint32_t v = 0; v < x->n_sni; v++) {
            if (ch->sni[v] == 0)
                continue;
            json_obj_begin(j, NULL);
            if (x->sni[v])
                json_strn(j, "name", (const uint8_t *)x->sni[v], x->sni_len[v]);
            else
                json_null(j, "name");
            if ((x->sni_malformed >> v) & 1u) /* sent, not parsed: apart from none sent */
                json_bool(j, "malformed", true);
            json_uint(j, "sessions", ch->sni[v]);
            json_obj_end(j);
        }
        json_arr_end(j);
        json_uint(j, "sni_dropped", ch->sni_dropped);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "certificates_dropped", x->chains_dropped);
    json_obj_end(j);
    json_record_end(j);
}

void
agn_write_json(struct json *j)
{
    for (uint32_t i = 0; i < agn.n; i++)
        agn_json(j, agn.v[i]);
}

/* Whether the SNI values say more than the name: other values than the
 * name itself (a name from --expect or DNS), none sent or malformed. */
static bool
agn_sni_told(const struct agn_name *x)
{
    if (x->n_sni == 0)
        return false;
    if (x->n_sni > 1 || x->sni[0] == NULL || x->sni_len[0] != strlen(x->name))
        return true;
    for (size_t i = 0; i < x->sni_len[0]; i++)
        if (agn_lower((uint8_t)x->sni[0][i]) != (uint8_t)x->name[i])
            return true;
    return false;
}

/* "; sni a (2), none sent (1)": the SNI values a certificate of the name
 * was served under, as the JSON's certificates[].sni */
static void
agn_sni_text(FILE *f, const struct agn_name *x, const struct agn_chain *ch)
{
    unsigned shown = 0;
    for (uint32_t k = 0; k < x->n_sni; k++) {
        if (ch->sni[k] == 0)
            continue;
        fputs(shown++ ? ", " : "; sni ", f);
        if (x->sni[k])
            term_text(f, x->sni[k]); /* a client's SNI: its bytes (termtext.h) */
        else
            fputs((x->sni_malformed >> k) & 1u ? "malformed" : "none sent", f);
        fprintf(f, " (%lu)", (unsigned long)ch->sni[k]);
    }
    if (ch->sni_dropped)
        fprintf(f, "%s%lu session%s under further values",
                shown ? ", " : "; sni: ", (unsigned long)ch->sni_dropped,
                ch->sni_dropped == 1 ? "" : "s");
}

/* The terminal report: names served by several addresses. */
void
agn_write_text(FILE *f)
{
    for (uint32_t i = 0; i < agn.n; i++) {
        const struct agn_name *x = agn.v[i];
        if (x->n_eps < 2)
            continue;
        fputs("NAME ", f);
        term_text(f, x->name); /* a client's SNI: its bytes (termtext.h) */
        fprintf(f, " (from %s): %u addresses, %u certificate%s, %llu session%s\n", x->source,
                x->n_eps, x->n_chains, x->n_chains == 1 ? "" : "s", (unsigned long long)x->sessions,
                x->sessions == 1 ? "" : "s");
        for (uint32_t c = 0; c < x->n_chains; c++) {
            const struct agn_chain *ch = &x->chains[c];
            char label[300];
            agg_leaf_label(ch->ids[0], label, sizeof(label));
            char words[128];
            diagnose_statuses_text(ch->statuses, words, sizeof(words));
            if (agg_vcount_mixed(&ch->vc)) /* not the first session's alone */
                agg_vcount_text(&ch->vc, words, sizeof(words));
            fputs("  ", f);
            term_text(f, label); /* a certificate's subject */
            fprintf(f, ", %s, %llu session%s, at", ch->verdict[0] ? words : "not verified",
                    (unsigned long long)ch->sessions, ch->sessions == 1 ? "" : "s");
            for (unsigned k = 0; k < ch->eps.n; k++) {
                char b[80];
                agg_ep_str(&x->eps[ch->eps.v[k]], b, sizeof(b));
                fprintf(f, " %s", b);
            }
            if (agn_sni_told(x))
                agn_sni_text(f, x, ch);
            fprintf(f, "\n");
        }
        fprintf(f, "\n");
    }
}

static struct agn_name **agn_saved; /* the table a snapshot works on a copy of */

bool
agn_snapshot_begin(void)
{
    struct agn_name **copy = NULL;
    if (agn.n) {
        copy = mem_alloc((size_t)agn.n * sizeof(*copy));
        if (copy == NULL)
            return false;
        memcpy(copy, agn.v, (size_t)agn.n * sizeof(*copy));
    }
    agn_saved = agn.v;
    agn.v = copy;
    return true;
}

void
agn_snapshot_end(void)
{
    mem_free(agn.v, (size_t)agn.n * sizeof(*agn.v));
    agn.v = agn_saved;
    agn_saved = NULL;
}

void
agn_fini(void)
{
    for (uint32_t i = 0; i < agn.n; i++) {
        for (uint32_t c = 0; c < agn.v[i]->n_chains; c++)
            agg_pcount_free(agn.v[i]->chains[c].unlisted);
        agg_pcount_free(agn.v[i]->unlisted);
        for (uint32_t k = 0; k < agn.v[i]->n_sni; k++)
            if (agn.v[i]->sni[k])
                mem_free(agn.v[i]->sni[k], (size_t)agn.v[i]->sni_len[k] + 1);
        mem_free(agn.v[i]->name, strlen(agn.v[i]->name) + 1);
        mem_free(agn.v[i], sizeof(*agn.v[i]));
    }
    mem_free(agn.v, (size_t)agn.cap * sizeof(*agn.v));
    idxtab_free(&agn.index);
    memset(&agn, 0, sizeof(agn));
}

uint32_t
agn_dropped(void)
{
    return agn.dropped;
}
