/* \summary: the certificate a server chooses by the client's SNI (RFC 6066
 * §3): Postfix's tls_server_sni_maps, Exim's tls_certificate on
 * ${tls_in_sni}, Exchange, hosting. Postfix as a sender sends no SNI unless
 * smtp_tls_servername is set, Microsoft 365, Gmail and openssl s_client do:
 * the peers without SNI get the server's default certificate, the others
 * the one for the name they asked. Every session with a chain and a
 * ClientHello seen is counted under (SNI value, chain); when the values
 * split the chains into groups that share no value and no chain, the
 * certificate is chosen by SNI (sni_dependent_certificate), not by the
 * peer's address or by a pool's node, whose findings are then made within
 * a group of several chains only (agg_findings.c), as is certificate_changed
 * (chains one after the other, each for its own values, are not a renewal).
 * A server_name extension sent but not parsed is a value of its own. It is
 * "sni" (proven) when a peer got each group's chain by its SNI and every
 * group has AGG_SNI_MIN_SESSIONS sessions. */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "mem.h"
#include "strcopy.h"

/* DNS names compare without regard to ASCII case (RFC 4343): servers look
 * the SNI up so (Postfix lower-cases it). */
static bool
agg_sni_same(const char *a, size_t an, const uint8_t *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        unsigned x = (uint8_t)a[i], y = b[i];
        if (x - 'A' < 26)
            x += 32;
        if (y - 'A' < 26)
            y += 32;
        if (x != y)
            return false;
    }
    return true;
}

void
agg_sni_note(struct agg_server *s, const struct tls_facts *t, uint32_t chain, uint32_t peer,
             const struct diagnosis *dg)
{
    /* a ClientHello not seen (picked up after it): its SNI is unknown;
     * one in the SSL 2.0 form carries none (RFC 5246 E.2) */
    if (chain >= AGG_CHAINS_MAX || (t->client_version == 0 && !t->sslv2_hello))
        return;
    if (s->snis == NULL) {
        if ((s->snis = mem_alloc(sizeof(*s->snis))) == NULL)
            return; /* memcap: counted there */
        memset(s->snis, 0, sizeof(*s->snis));
    }
    struct agg_snis *x = s->snis;
    const uint8_t *p = t->sni.s;
    size_t n = p ? t->sni.len : 0;
    /* an extension sent but not parsed is a value apart from none sent */
    bool bad = p == NULL && t->sni_malformed;
    unsigned k = 0;
    while (k < x->n && !(p ? x->name[k] && agg_sni_same(x->name[k], x->len[k], p, n)
                           : x->name[k] == NULL && ((x->malformed >> k) & 1u) == bad))
        k++;
    if (k == x->n) {
        char *c = NULL;
        if (k >= AGG_SNIS_MAX || n > 255 || (p && (c = mem_alloc(n + 1)) == NULL)) {
            x->dropped++;
            return;
        }
        if (c) {
            memcpy(c, p, n);
            c[n] = '\0';
        }
        x->name[k] = c;
        x->len[k] = (uint8_t)n;
        x->malformed |= (uint32_t)bad << k;
        x->n++;
    }
    uint32_t i = 0;
    while (i < x->n_u && (x->u[i].sni != k || x->u[i].chain != chain))
        i++;
    if (i == x->n_u) {
        if (!mem_grow((void **)&x->u, x->n_u, &x->cap_u, sizeof(*x->u), 1, AGG_SNUS_MAX)) {
            x->dropped++;
            return;
        }
        memset(&x->u[i], 0, sizeof(x->u[i]));
        x->u[i].sni = (uint8_t)k;
        x->u[i].chain = (uint8_t)chain;
        x->n_u++;
    }
    struct agg_snu *u = &x->u[i];
    u->sessions++;
    agg_set_add_peer(&u->peers, peer);
    if (t->n_server_chain > 0 && dg->verified) { /* its own chain, judged in it */
        u->judged = true;
        u->statuses |= dg->exchange_statuses;
    }
}

void
agg_sni_free(struct agg_server *s)
{
    struct agg_snis *x = s->snis;
    if (x == NULL)
        return;
    for (unsigned k = 0; k < x->n; k++)
        if (x->name[k])
            mem_free(x->name[k], (size_t)x->len[k] + 1);
    mem_free(x->u, (size_t)x->cap_u * sizeof(*x->u));
    mem_free(x, sizeof(*x));
    s->snis = NULL;
}

static unsigned
agg_uf_find(uint8_t *up, unsigned i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

bool
agg_sni_split(const struct agg_server *s, const uint32_t *ord, struct agg_sni_split *o)
{
    memset(o, 0, sizeof(*o));
    const struct agg_snis *x = s->snis;
    /* a chain past the cap (certificates_dropped) was served for values
     * not counted: it may have joined the groups */
    if (x == NULL || x->dropped || s->chains_dropped || s->n_chains < 2)
        return false;
    /* nodes: the chains, then the SNI values */
    uint8_t up[AGG_CHAINS_MAX + AGG_SNIS_MAX];
    for (unsigned i = 0; i < sizeof(up); i++)
        up[i] = (uint8_t)i;
    bool seen[AGG_CHAINS_MAX] = {false};
    for (uint32_t i = 0; i < x->n_u; i++) {
        const struct agg_snu *u = &x->u[i];
        if (u->chain >= s->n_chains)
            continue;
        seen[u->chain] = true;
        unsigned a = agg_uf_find(up, u->chain), b = agg_uf_find(up, AGG_CHAINS_MAX + u->sni);
        up[a] = (uint8_t)b;
    }
    for (uint32_t c = 0; c < s->n_chains; c++)
        if (!seen[c]) /* served only where the SNI was not seen: cannot tell */
            return false;
    uint8_t id[AGG_CHAINS_MAX + AGG_SNIS_MAX];
    memset(id, 0xff, sizeof(id));
    for (uint32_t i = 0; i < s->n_chains; i++) {
        unsigned r = agg_uf_find(up, ord[i]);
        if (id[r] == 0xff)
            id[r] = o->n_comp++;
        o->comp[ord[i]] = id[r];
    }
    if (o->n_comp < 2)
        return false;
    uint64_t n[AGG_CHAINS_MAX] = {0}; /* each group's sessions */
    for (uint32_t i = 0; i < x->n_u; i++) {
        o->mask[o->comp[x->u[i].chain]] |= 1u << x->u[i].sni;
        n[o->comp[x->u[i].chain]] += x->u[i].sessions;
    }
    for (unsigned g = 0; g < o->n_comp; g++)
        o->thin |= n[g] < AGG_SNI_MIN_SESSIONS;
    /* a peer that sent the values of two groups got the chains of each:
     * its address did not decide */
    for (uint32_t i = 0; i < x->n_u && !o->crossed; i++)
        for (uint32_t k = i + 1; k < x->n_u && !o->crossed; k++) {
            const struct agg_snu *a = &x->u[i], *b = &x->u[k];
            if (o->comp[a->chain] == o->comp[b->chain])
                continue;
            for (unsigned p = 0; p < a->peers.n && !o->crossed; p++)
                o->crossed = agg_set_has(&b->peers, a->peers.v[p]);
        }
    return true;
}

void
agg_sni_values_text(struct strbuf *b, const struct agg_server *s, uint32_t mask)
{
    const struct agg_snis *x = s->snis;
    unsigned shown = 0, total = 0;
    bool none = false, bad = false;
    for (unsigned k = 0; x && k < x->n; k++)
        if (mask & (1u << k)) {
            if (x->name[k] == NULL && ((x->malformed >> k) & 1u))
                bad = true;
            else if (x->name[k] == NULL)
                none = true;
            else
                total++;
        }
    if (none)
        str_add(b, "no SNI", bad || total ? ", " : "", NULL);
    if (bad)
        str_add(b, "a malformed SNI", total ? ", " : "", NULL);
    if (total)
        str_add(b, "SNI ", NULL);
    for (unsigned k = 0; x && k < x->n; k++) {
        if (!(mask & (1u << k)) || x->name[k] == NULL)
            continue;
        if (shown == 4 && total > 5) {
            str_add(b, " and ", NULL);
            str_add_uint(b, total - 4);
            str_add(b, " more", NULL);
            break;
        }
        str_add(b, shown ? ", " : "", NULL);
        str_addn(b, x->name[k], x->len[k]);
        shown++;
    }
}

void
agg_sni_text(const struct agg_server *s, uint32_t chain, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    const struct agg_snis *x = s->snis;
    unsigned total = 0, shown = 0;
    for (uint32_t i = 0; x && i < x->n_u; i++)
        total += x->u[i].chain == chain;
    for (unsigned k = 0; x && k < x->n; k++)
        for (uint32_t i = 0; i < x->n_u; i++) {
            const struct agg_snu *u = &x->u[i];
            if (u->sni != k || u->chain != chain)
                continue;
            /* whole values only: room kept for the count of those left out
             * (a hosting server's 16 names and their peers do not fit) */
            char piece[600], peers[200];
            struct strbuf pb = str_buf(piece, sizeof(piece));
            agg_peers_text(s, &u->peers, peers, sizeof(peers));
            if (x->name[k])
                str_addn(&pb, x->name[k], x->len[k]);
            else
                str_add(&pb, (x->malformed >> k) & 1u ? "malformed" : "none sent", NULL);
            str_add(&pb, " (", NULL);
            agg_add_sessions(&pb, u->sessions);
            str_add(&pb, peers[0] ? ": " : "", peers, ")", NULL);
            if (shown > 0 && b.len + 2 + pb.len + (shown + 1 < total ? 48 : 0) >= n) {
                str_add(&b, "; and ", NULL);
                str_add_uint(&b, total - shown);
                str_add(&b, " more (the server record lists all)", NULL);
                return;
            }
            str_add(&b, shown ? "; " : "", piece, NULL);
            shown++;
        }
}

/* A group's sessions, peers and the XS_ bits of its sessions (a pair none
 * of whose sessions was verified: its chain's). */
static void
agg_sni_group(const struct agg_server *s, const struct agg_sni_split *sp, unsigned g,
              uint64_t *sessions, struct agg_set *peers, unsigned *statuses, bool *judged)
{
    const struct agg_snis *x = s->snis;
    *sessions = 0;
    *statuses = 0;
    *judged = false;
    memset(peers, 0, sizeof(*peers));
    for (uint32_t i = 0; i < x->n_u; i++) {
        const struct agg_snu *u = &x->u[i];
        if (sp->comp[u->chain] != g)
            continue;
        *sessions += u->sessions;
        for (unsigned p = 0; p < u->peers.n; p++)
            agg_set_add(peers, u->peers.v[p]);
        peers->dropped += u->peers.dropped;
        const struct agg_chain *c = &s->chains[u->chain];
        *statuses |= u->judged ? u->statuses : c->statuses;
        *judged |= u->judged || c->verdict[0];
    }
}

/* sni_dependent_certificate's end: what to fix, or nothing; chains served
 * one after the other, each for its own values, are no renewal; no peer
 * that crossed groups: its address may decide instead. */
static void
agg_sni_tail(struct strbuf *b, const struct agg_server *s, const struct agg_sni_split *sp,
             const uint32_t *ord, bool none_bad, bool malformed_bad, int named_bad, bool any_bad)
{
    if (none_bad)
        str_add(b,
                malformed_bad ? "; clients that send no SNI (Postfix unless smtp_tls_servername "
                                "is set), or one the server cannot parse, get the default "
                                "certificate:"
                              : "; clients that send no SNI (Postfix unless smtp_tls_servername "
                                "is set) get the default certificate:",
                " make it one for the MX host name (Postfix "
                "smtpd_tls_chain_files, Exim tls_certificate, Exchange TlsCertificateName), or "
                "set smtp_tls_servername = hostname on Postfix senders",
                NULL);
    if (named_bad >= 0) {
        str_add(b,
                none_bad ? "; and fix the certificate chosen for "
                         : "; fix the certificate "
                           "chosen for ",
                NULL);
        agg_sni_values_text(b, s, sp->mask[named_bad]);
        str_add(b, " (Postfix tls_server_sni_maps, Exim tls_certificate by ${tls_in_sni})", NULL);
    }
    if (!any_bad)
        str_add(b, "; virtual hosting by SNI, nothing to fix", NULL);
    /* one chain a group, served one after the other: no renewal */
    bool disjoint = sp->n_comp == s->n_chains;
    for (uint32_t i = 1; i < s->n_chains; i++)
        disjoint &= s->chains[ord[i - 1]].last < s->chains[ord[i]].first;
    if (disjoint) {
        char t[32];
        agg_ts_short(s->chains[ord[s->n_chains - 1]].first, t, sizeof(t));
        str_add(b,
                "; served one after the other, but each for its own SNI values: not a renewal "
                "(unless one coincided with the change of clients at ",
                t, ")", NULL);
    }
    if (!sp->crossed)
        str_add(b,
                "; no peer sent the SNI of two of these, so its source address may decide "
                "instead: openssl s_client -starttls smtp -servername NAME, then -noservername, "
                "from one address tells",
                NULL);
}

void
agg_sni_finding(uint32_t si, const struct agg_sni_split *sp, const uint32_t *ord)
{
    const struct agg_server *s = agg.servers[si];
    const struct agg_snis *x = s->snis;
    int none = -1; /* the value "no SNI" */
    for (unsigned k = 0; k < x->n; k++)
        if (x->name[k] == NULL && !((x->malformed >> k) & 1u))
            none = (int)k;
    /* the values a server answers with its default certificate: no SNI,
     * and a server_name it cannot parse (SNI maps never see one) */
    uint32_t dflt = (none >= 0 ? 1u << none : 0u) | x->malformed;
    bool any_bad = false, none_bad = false, malformed_bad = false;
    int named_bad = -1; /* the first group of SNI values alone that is bad */
    for (unsigned g = 0; g < sp->n_comp; g++) {
        uint64_t n;
        struct agg_set ps;
        unsigned st;
        bool judged;
        agg_sni_group(s, sp, g, &n, &ps, &st, &judged);
        if (!judged || st == 0)
            continue;
        any_bad = true;
        if (sp->mask[g] & dflt) {
            none_bad = true;
            malformed_bad |= (sp->mask[g] & x->malformed) != 0;
        } else if (named_bad < 0)
            named_bad = (int)g;
    }
    struct agg_finding *f =
        agg_new_finding(si, "sni_dependent_certificate", any_bad ? SEV_HIGH : SEV_INFO);
    if (!f)
        return;
    /* a peer got each group's chain by its SNI, in enough sessions of
     * each group that a pool's node matching the SNI by chance is unlikely */
    bool proven = sp->crossed && !sp->thin;
    f->selected_by = proven ? "sni" : "sni_or_peer";
    char ep[80], a[300], peers[200], words[96];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    /* the advice and the conclusions, made first: the groups listed
     * before them give way ("..."), never these (the renewal that is
     * none, what to fix, what may decide instead of SNI) */
    char tail[sizeof(f->summary) - 240]; /* the headline and a group keep 240 bytes */
    bool tail_cut = false;
    struct strbuf t = str_buf_cut(tail, sizeof(tail), &tail_cut);
    agg_sni_tail(&t, s, sp, ord, none_bad, malformed_bad, named_bad, any_bad);
    agg_finding_all_chains(f, s, ord);
    agg_add_who(&t, f);
    size_t room = sizeof(f->summary) - t.len;
    bool head_cut = false;
    struct strbuf b = str_buf_cut(f->summary, room, &head_cut);
    /* no peer sent the values of two groups: its address explains the
     * split as well, said before anything follows from SNI */
    str_add(&b, ep, " chooses its certificate by the name the client asks for (SNI)",
            proven        ? ":"
            : sp->crossed ? ", or by chance (a pool's node; a group has fewer than 2 sessions):"
                          : ", or by the client's address (each peer kept to one group):",
            NULL);
    unsigned g = 0;
    for (; g < sp->n_comp; g++) {
        uint64_t n;
        struct agg_set ps;
        unsigned st;
        bool judged;
        agg_sni_group(s, sp, g, &n, &ps, &st, &judged);
        /* a group whole, with room left for "; and N more groups"; the
         * first one cut ("...") if it must be */
        char piece[sizeof(f->summary)];
        struct strbuf pb = str_buf(piece, sizeof(piece));
        str_add(&pb, g ? "; sessions with " : " sessions with ", NULL);
        agg_sni_values_text(&pb, s, sp->mask[g]);
        str_add(&pb, " get ", NULL);
        unsigned listed = 0;
        for (uint32_t i = 0; i < s->n_chains; i++) {
            if (sp->comp[ord[i]] != g)
                continue;
            agg_chain_label(&s->chains[ord[i]], a, sizeof(a));
            str_add(&pb, listed++ ? " or " : "", a, NULL);
        }
        if (judged && st) {
            diagnose_statuses_text(st, words, sizeof(words));
            str_add(&pb, " - ", words, NULL);
        }
        agg_peers_text(s, &ps, peers, sizeof(peers));
        str_add(&pb, " (", NULL); /* as the finding's own, at its end */
        agg_add_sessions(&pb, n);
        str_add(&pb, ", peers ", ps.n ? peers : "not listed", ")", NULL);
        if (g > 0 && b.len + pb.len + (g + 1 < sp->n_comp ? 24 : 0) >= room)
            break;
        str_add(&b, piece, NULL);
    }
    if (g < sp->n_comp) { /* the groups left out: said, in the room there is */
        str_add(&b, "; and ", NULL);
        str_add_uint(&b, sp->n_comp - g);
        str_add(&b, sp->n_comp - g == 1 ? " more group" : " more groups", NULL);
    }
    str_mark_cut(f->summary, room, head_cut);
    struct strbuf all = {f->summary, sizeof(f->summary), strlen(f->summary), &f->summary_cut};
    f->summary_cut = tail_cut;
    str_add(&all, tail, NULL);
}
