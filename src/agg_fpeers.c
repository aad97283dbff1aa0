/* \summary: a finding's peers past its list (AGG_FPEERS_MAX), counted each
 * once.
 *
 * A flag's set of peers lists the first AGG_FPEERS_MAX and counts only the
 * sessions of the others (agg_set_add): a peer with several sessions counts
 * each, and a finding that joins the sets of two or three classes
 * (starttls_not_used with and without AUTH on a submission port,
 * plaintext_fallback's classes) would count a peer in two of them twice.
 * The server keeps, per peer, a bit per flag it had a session counted in
 * (agg_server.pflags); a finding's peers_not_listed are the peers with one
 * of its flags' bits that its list leaves out, the queued plaintext
 * sessions (agg_plain.c) classed as the findings class them.
 *
 * The findings built from the server's (peer, chain) pairs (agg_use:
 * certificate_changed, mixed_pool, peer_dependent_certificate,
 * sni_dependent_certificate, expired_certificate_served,
 * expiring_certificate) count their peers the same way: each once, and the
 * sessions no pair holds (a peer past report.peers_max, a pair past the
 * table) as sessions, said as the flags' are (agg_who.c). */
#include <string.h>

#include "agg_int.h"
#include "mem.h"

void
agg_fpeers_note(struct agg_server *s, int flag, uint32_t peer)
{
    if (peer != UINT32_MAX && peer < s->n_peers)
        s->pflags[peer] |= 1ull << flag;
}

void
agg_fpeers_exact(const struct agg_server *s, uint64_t mask, struct agg_set *set)
{
    uint8_t small[512]; /* 4 096 peers: report.peers_max's default is 64 */
    size_t nb = ((size_t)s->n_peers + 7) / 8;
    uint8_t *bits = nb <= sizeof(small) ? small : mem_alloc(nb);
    if (bits == NULL) /* memcap: the sessions past the list, as counted */
        return;
    memset(bits, 0, nb);
    agg_plain_queued_peers(s, mask, bits);
    uint32_t n = 0;
    for (uint32_t p = 0; p < s->n_peers; p++) {
        bool in = (s->pflags[p] & mask) != 0 || (bits[p / 8] >> (p % 8)) & 1u;
        n += in && !agg_set_has(set, p);
    }
    if (bits != small)
        mem_free(bits, nb);
    set->dropped = n + set->past_cap; /* those past report.peers_max: sessions */
    set->peers_exact = true;
}

void
agg_fpeers_uses(const struct agg_server *s, const bool *in, bool expired, struct agg_set *set)
{
    uint8_t small[512]; /* as agg_fpeers_exact's */
    size_t nb = ((size_t)s->n_peers + 7) / 8;
    uint8_t *bits = nb <= sizeof(small) ? small : mem_alloc(nb);
    if (bits != NULL)
        memset(bits, 0, nb);
    uint32_t more = 0; /* peers past the list (out of memory: their sessions) */
    for (uint32_t u = 0; u < s->n_uses; u++) {
        const struct agg_use *us = &s->uses[u];
        const struct agg_chain *c = &s->chains[us->chain];
        if ((in && !in[us->chain]) || (expired && c->expired_seen && us->last < c->exp_first))
            continue;
        uint32_t p = us->peer;
        if (bits != NULL) {
            if ((bits[p / 8] >> (p % 8)) & 1u)
                continue; /* counted: a peer of two of the chains */
            bits[p / 8] |= (uint8_t)(1u << (p % 8));
        } else if (agg_set_has(set, p)) {
            continue;
        }
        if (set->n < AGG_FPEERS_MAX)
            set->v[set->n++] = p;
        else
            more += bits != NULL ? 1u : (uint32_t)us->sessions;
    }
    if (bits != NULL && bits != small)
        mem_free(bits, nb);
    for (uint32_t c = 0; c < s->n_chains; c++) {
        const struct agg_chain *ch = &s->chains[c];
        if (in && !in[c])
            continue;
        bool exp = expired && ch->expired_seen;
        set->past_cap += exp ? ch->exp_past_cap : ch->past_cap;
        set->unpaired += exp ? ch->exp_unpaired : ch->unpaired;
    }
    set->dropped = more + set->past_cap + set->unpaired;
    set->peers_exact = bits != NULL;
}
