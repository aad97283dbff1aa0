/* \summary: who a finding concerns, in the words of every finding's line:
 * its peers by address ("198.51.100.10, 198.51.100.11 and 2 more"), a
 * server's or a name's alike, and the tail " (N sessions, peers A, B)"
 * that ends the what-happened part of each sentence (README "Reading the
 * report"), from the same sessions and peers as the finding's JSON record
 * (session_count, peers). */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "report_session.h"
#include "strcopy.h"

/* Peers in texts are listed by address (IPv4 before IPv6), everywhere:
 * findings, alert and client certificate lines, the report's peer lines. */
int
agg_cmp_peer(const void *a, const void *b)
{
    const struct agg_pkey *x = a, *y = b;
    if (x->ip.family != y->ip.family)
        return x->ip.family - y->ip.family;
    int c = memcmp(x->ip.a, y->ip.a, sizeof(x->ip.a));
    return c ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts indices v into a list of peers by address: a server's (s), or the
 * addresses ips (a name's, agg_names.c) when given. */
static void
agg_sort_peers(const struct agg_server *s, const struct ipaddr *ips, uint32_t *v, unsigned n)
{
    struct agg_pkey small[64], *k = n <= 64 ? small : malloc(n * sizeof(*k));
    if (k == NULL)
        return; /* out of memory: left in first-session order */
    for (unsigned i = 0; i < n; i++) {
        memset(&k[i], 0, sizeof(k[i]));
        if (ips)
            k[i].ip = ips[v[i]];
        else if (v[i] < s->n_peers)
            k[i].ip = s->peers[v[i]].ip;
        k[i].idx = v[i];
    }
    qsort(k, n, sizeof(*k), agg_cmp_peer);
    for (unsigned i = 0; i < n; i++)
        v[i] = k[i].idx;
    if (k != small)
        free(k);
}

void
agg_peers_sorted(const struct agg_server *s, uint32_t *v, unsigned n)
{
    agg_sort_peers(s, NULL, v, n);
}

void
agg_ips_sorted(const struct ipaddr *ips, uint32_t *v, unsigned n)
{
    agg_sort_peers(NULL, ips, v, n);
}

/* The peers of set, by address: a server's (s) or the addresses ips. */
static void
agg_set_text(const struct agg_server *s, const struct ipaddr *ips, const struct agg_set *set,
             char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    uint32_t v[AGG_FPEERS_MAX];
    memcpy(v, set->v, set->n * sizeof(v[0]));
    agg_sort_peers(s, ips, v, set->n);
    for (unsigned i = 0; i < set->n && b.len + 48 < n; i++) {
        char ip[64];
        if (ips)
            report_ip_str(ip, sizeof(ip), &ips[v[i]]);
        else
            agg_peer_str(s, v[i], ip, sizeof(ip));
        str_add(&b, i ? ", " : "", ip, NULL);
        if (i == 5 && set->n > 7) {
            str_add(&b, " and ", NULL);
            str_add_uint(&b, set->n - 6);
            str_add(&b, " more", NULL);
            break;
        }
    }
    /* agg_fpeers_exact, agg_fpeers_uses: the peers past the list each
     * once; else past the set's cap only sessions are counted (a peer may
     * have several). Either way the sessions of peers past
     * report.peers_max (never itemised, so not told apart) and those no
     * (peer, certificate) pair holds, as sessions. None listed: nothing
     * (each caller says "not listed" its own way) */
    if (set->n == 0 || set->dropped == 0 || b.len + (set->peers_exact ? 64 : 48) >= n)
        return;
    uint32_t apart = set->past_cap + set->unpaired;
    uint32_t rest = set->dropped > apart ? set->dropped - apart : 0;
    if (rest) {
        str_add(&b, b.len ? ", and " : "", NULL);
        if (set->peers_exact) {
            str_add_uint(&b, rest);
            str_add(&b, rest == 1 ? " peer not listed" : " peers not listed", NULL);
        } else {
            agg_add_sessions(&b, rest);
            str_add(&b, " of peers not listed", NULL);
        }
    }
    if (set->past_cap && b.len + 64 < n) {
        str_add(&b, b.len ? ", and " : "", NULL);
        agg_add_sessions(&b, set->past_cap);
        str_add(&b, " of peers past report.peers_max", NULL);
    }
    if (set->unpaired && b.len + 64 < n) {
        str_add(&b, b.len ? ", and " : "", NULL);
        agg_add_sessions(&b, set->unpaired);
        str_add(&b, " of peers past the (peer, certificate) table", NULL);
    }
}

void
agg_peers_text(const struct agg_server *s, const struct agg_set *set, char *out, size_t n)
{
    agg_set_text(s, NULL, set, out, n);
}

void
agg_finding_peers_text(const struct agg_finding *f, char *out, size_t n)
{
    agg_set_text(agg.servers[f->server], f->peer_ips, &f->peers, out, n);
}

/* "N sessions, peers A, B": the finding's session_count and peers; with
 * none listed (all past the caps), "peers not listed". */
void
agg_who_text(struct strbuf *b, const struct agg_finding *f)
{
    char peers[300];
    agg_finding_peers_text(f, peers, sizeof(peers));
    agg_add_sessions(b, f->sessions);
    str_add(b, ", peers ", f->peers.n ? peers : "not listed", NULL);
}

void
agg_add_who(struct strbuf *b, const struct agg_finding *f)
{
    str_add(b, " (", NULL);
    agg_who_text(b, f);
    str_add(b, ")", NULL);
}
