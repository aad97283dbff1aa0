/* \summary: who a finding concerns (agg_who.c): its peers sorted by
 * address, and the "(N sessions, peers A, B)" every finding's sentence
 * ends with. Included by agg_int.h, after the types it needs. */
#ifndef SMTPTAP_AGG_WHO_H
#define SMTPTAP_AGG_WHO_H

/* "198.51.100.10, 198.51.100.11 and 2 more", sorted by address (agg_who.c). */
void agg_peers_text(const struct agg_server *s, const struct agg_set *set, char *out, size_t n);
/* Sorts peer indices of s by address, the order of every text's peers. */
void agg_peers_sorted(const struct agg_server *s, uint32_t *v, unsigned n);
/* The same for indices into the addresses ips (a name's peers, agg_names.c). */
void agg_ips_sorted(const struct ipaddr *ips, uint32_t *v, unsigned n);
/* A finding's peers as agg_peers_text writes them: its server's, or its
 * name's (peer_ips). */
void agg_finding_peers_text(const struct agg_finding *f, char *out, size_t n);
/* "N sessions, peers A, B" of a finding (its sessions and peers), and
 * " (N sessions, peers A, B)": the tail every finding's sentence gives
 * them, after what happened and what to change. */
void agg_who_text(struct strbuf *b, const struct agg_finding *f);
void agg_add_who(struct strbuf *b, const struct agg_finding *f);
/* A peer's address and an index that breaks ties (its order of first
 * sighting), compared by address: qsort's order of every list of peers. */
struct agg_pkey {
    struct ipaddr ip;
    uint32_t idx;
};
int agg_cmp_peer(const void *a, const void *b);

#endif /* SMTPTAP_AGG_WHO_H */
