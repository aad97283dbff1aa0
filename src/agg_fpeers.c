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
 * sessions (agg_plain.c) classed as the findings class them. */
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
