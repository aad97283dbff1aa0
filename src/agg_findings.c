/* \summary: findings drawn from the per-server aggregation (issue 4): a
 * certificate that depends on the peer, a mixed pool, a changed certificate,
 * expired or expiring certificates served, STARTTLS offered to some peers and
 * not others, plaintext fallback; one finding per session diagnosis flag
 * (agg_findings_flags.c, with the flags' texts).
 *
 * Severities (also in docs/findings.md):
 *   critical  starttls_stripped, expired_certificate_served (high once replaced),
 *             ocsp_staple_revoked (the stapled OCSP response says revoked),
 *             dane_tlsa_mismatch (high when the TLSA answer lacked the AD bit; agg_dane.c),
 *             plaintext_fallback (high when the peer's TLS had worked before)
 *   high      expired, not_yet_valid, self_signed, name_mismatch, missing_intermediate,
 *             untrusted_root, name_constraint_violation, client_rejected_certificate,
 *             tls_handshake_failed, plaintext_after_failed_starttls, auth_before_tls,
 *             implicit_tls_not_served, client_quit_after_handshake (medium when
 *             every chain it met verifies: a TLSA mismatch alone),
 *             peer_dependent_certificate, mixed_pool and sni_dependent_certificate (agg_sni.c)
 *             when one of the certificates is bad,
 *             vlan_split (the capture hides everything about those connections),
 *             client_certificate_untrusted when the server rejected those sessions
 *             (agg_ccert_findings.c; else medium), server_refused_after_handshake
 *             when the client's certificate explains it (agg_refused.c; else medium)
 *   medium    peer_dependent_certificate, mixed_pool, starttls_inconsistent, starttls_rejected,
 *             ocsp_staple_invalid (few senders check a staple; most fall back to asking),
 *             starttls_not_offered, plaintext_delivery, weak_key, weak_signature,
 *             server_rejected_client_certificate, expiring_certificate (high with
 *             less than 7 days left), anonymous_tls, starttls_not_used
 *   low       certificate_changed, certificates_not_visible, dane_tlsa_unusable,
 *             untrusted_root to a root public at the sessions' time, judged against
 *             the system bundle (agg_retired.c; high against the user's own store)
 *   info      mutual_tls, sni_dependent_certificate (virtual hosting: none bad),
 *             manual_tls_probe (a person's test ended as a refusal would: no refusal),
 *             client_closed_after_handshake (probes and checks: no refusal; low when a
 *             peer sent a lone QUIT and never went further over TLS here, agg_closed.c) */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "agg_expiry.h"
#include "agg_int.h"
#include "certcache.h"
#include "decode.h"
#include "mem.h"
#include "strcopy.h"
#include "tlsrpt.h"

const struct agg_flag_info agg_flags[AF_COUNT] = {
    [AF_EXPIRED] = {"expired", SEV_HIGH},
    [AF_NOT_YET_VALID] = {"not_yet_valid", SEV_HIGH},
    [AF_SELF_SIGNED] = {"self_signed", SEV_HIGH},
    [AF_NAME_MISMATCH] = {"name_mismatch", SEV_HIGH},
    [AF_MISSING_INTERMEDIATE] = {"missing_intermediate", SEV_HIGH},
    [AF_UNTRUSTED_ROOT] = {"untrusted_root", SEV_HIGH},
    [AF_NAME_CONSTRAINT] = {"name_constraint_violation", SEV_HIGH},
    [AF_WEAK_KEY] = {"weak_key", SEV_MEDIUM},
    [AF_WEAK_SIGNATURE] = {"weak_signature", SEV_MEDIUM},
    [AF_STARTTLS_STRIPPED] = {"starttls_stripped", SEV_CRITICAL},
    [AF_STARTTLS_NOT_OFFERED] = {"starttls_not_offered", SEV_MEDIUM},
    [AF_STARTTLS_REJECTED] = {"starttls_rejected", SEV_MEDIUM},
    [AF_PLAINTEXT_AFTER_FAILED] = {"plaintext_after_failed_starttls", SEV_HIGH},
    [AF_PLAINTEXT_DELIVERY] = {"plaintext_delivery", SEV_MEDIUM},
    [AF_AUTH_BEFORE_TLS] = {"auth_before_tls", SEV_HIGH},
    [AF_TLS_FAILED] = {"tls_handshake_failed", SEV_HIGH},
    [AF_CLIENT_REJECTED] = {"client_rejected_certificate", SEV_HIGH},
    [AF_SERVER_REJECTED_CLIENT] = {"server_rejected_client_certificate", SEV_MEDIUM},
    [AF_MUTUAL_TLS] = {"mutual_tls", SEV_INFO},
    [AF_NOT_VISIBLE] = {"certificates_not_visible", SEV_LOW},
    [AF_ANONYMOUS] = {"anonymous_tls", SEV_MEDIUM},
    [AF_OBSOLETE_TLS] = {"obsolete_tls_version", SEV_MEDIUM},
    [AF_PLAINTEXT_REFUSED] = {"plaintext_refused", SEV_MEDIUM},
    [AF_VLAN_SPLIT] = {"vlan_split", SEV_HIGH},
    [AF_HANDSHAKE_CAPPED] = {"handshake_capped", SEV_LOW},
    [AF_STARTTLS_NOT_USED] = {"starttls_not_used", SEV_MEDIUM},
    [AF_NOT_USED_AUTH] = {"starttls_not_used", SEV_HIGH}, /* its sessions sent AUTH */
    [AF_IMPLICIT_TLS_NOT_SERVED] = {"implicit_tls_not_served", SEV_HIGH},
    [AF_OCSP_REVOKED] = {"ocsp_staple_revoked", SEV_CRITICAL},
    [AF_OCSP_INVALID] = {"ocsp_staple_invalid", SEV_MEDIUM},
    [AF_CLIENT_QUIT] = {"client_quit_after_handshake", SEV_HIGH},
    [AF_MANUAL_PROBE] = {"manual_tls_probe", SEV_INFO},
    [AF_CLIENT_CLOSED] = {"client_closed_after_handshake", SEV_INFO},
    [AF_SERVER_REFUSED] = {"server_refused_after_handshake", SEV_MEDIUM},
    /* AF_FALLBACK_*, AF_PLAIN_NOT_OFFERED: no name, read by agg_plain.c */
};

const char *
agg_severity_str(int sev)
{
    static const char *const n[] = {"none", "info", "low", "medium", "high", "critical"};
    return sev >= 0 && sev <= SEV_CRITICAL ? n[sev] : "none";
}

struct agg_finding *
agg_new_finding(uint32_t server, const char *kind, int sev)
{
    if (agg.n_findings == agg.cap_findings) {
        uint32_t nc = agg.cap_findings ? agg.cap_findings * 2 : 32;
        struct agg_finding *nf = mem_realloc(agg.findings, (size_t)agg.cap_findings * sizeof(*nf),
                                             (size_t)nc * sizeof(*nf));
        if (!nf)
            return NULL;
        agg.findings = nf;
        agg.cap_findings = nc;
    }
    struct agg_finding *f = &agg.findings[agg.n_findings++];
    /* the members before the texts; of the texts, their first byte */
    memset(f, 0, offsetof(struct agg_finding, summary));
    f->summary[0] = '\0';
    f->evidence[0] = '\0';
    f->server = server;
    f->kind = kind;
    f->severity = sev;
    f->seq = agg.n_findings - 1; /* the last tie-break of agg_cmp_finding */
    f->rank = agg_kind_rank(kind);
    if (sev > agg.max_severity)
        agg.max_severity = sev;
    return f;
}

/* Appends "1 session" or "N sessions". */
void
agg_add_sessions(struct strbuf *b, unsigned long long n)
{
    str_add_uint(b, n);
    str_add(b, n == 1 ? " session" : " sessions", NULL);
}

/* With --at, validity is judged at that time, not when the certificate was
 * served: ", which is expired at the --at time 2026-12-15 00:00:00" and
 * the like say so (the certificate may have been valid then). */
void
agg_add_at(struct strbuf *b, const char *what)
{
    char t[32];
    agg_ts_short(agg.cfg->at_us, t, sizeof(t));
    str_add(b, what, " at the --at time ", t, NULL);
}

static bool
agg_chain_bad(const struct agg_chain *c)
{
    return c->verdict[0] && strcmp(c->verdict, "Valid") != 0;
}

void
agg_vsplit_evidence(const struct flow_record *rec, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    bool c2s = rec->pkts[0] > 0;
    str_add(&b, c2s ? "client to server" : "server to client", " only, ", NULL);
    /* the tunnel's id (decode_tunnel.c tun_name): what names it */
    static const char *const tun[DECODE_TUN_KINDS] = {[DECODE_TUN_VXLAN] = "VXLAN VNI ",
                                                      [DECODE_TUN_GENEVE] = "Geneve VNI ",
                                                      [DECODE_TUN_GRE] = "GRE key ",
                                                      [DECODE_TUN_ERSPAN2] = "ERSPAN II session ",
                                                      [DECODE_TUN_ERSPAN3] = "ERSPAN III session "};
    if (rec->n_vlan == 0 && rec->tun_kind == 0)
        str_add(&b, "untagged", NULL);
    for (unsigned i = 0; i < rec->n_vlan && i < 2; i++) {
        str_add(&b, i ? "/" : "VLAN ", NULL);
        str_add_uint(&b, rec->vlan[i]);
    }
    str_add(&b, rec->n_vlan == 2 ? " (outer/inner)" : "", NULL);
    if (rec->tun_kind != 0 && rec->tun_kind < DECODE_TUN_KINDS && tun[rec->tun_kind] != NULL) {
        str_add(&b, rec->n_vlan ? ", " : "", tun[rec->tun_kind], NULL);
        str_add_uint(&b, rec->tun_id);
    }
    str_add(&b, "; ", c2s ? "server to client" : "client to server", " under other tags", NULL);
}

/* A finding about every chain of a server (certificate_changed,
 * sni_dependent_certificate): its chains, sessions and peers, from the
 * first chain's first session (ord: the chains by first use) to the
 * server's last. */
void
agg_finding_all_chains(struct agg_finding *f, const struct agg_server *s, const uint32_t *ord)
{
    for (uint32_t c = 0; c < s->n_chains; c++) {
        agg_set_add(&f->chains, c);
        f->sessions += s->chains[c].sessions;
        agg_ids_merge(f, s->chains[c].sids, s->chains[c].n_sids);
    }
    agg_fpeers_uses(s, NULL, false, &f->peers);
    f->first = s->chains[ord[0]].first;
    f->last = s->last;
}

/* Adds session ids to a finding's list, kept sorted, unique and capped. */
void
agg_ids_merge(struct agg_finding *f, const uint64_t *ids, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned k = 0;
        while (k < f->n_ids && f->ids[k] < ids[i])
            k++;
        if (k < f->n_ids && f->ids[k] == ids[i])
            continue;
        if (f->n_ids == AGG_SESSIONS_MAX) {
            if (k == AGG_SESSIONS_MAX)
                continue;
            f->n_ids--; /* keep the earliest ids */
        }
        memmove(&f->ids[k + 1], &f->ids[k], (f->n_ids - k) * sizeof(f->ids[0]));
        f->ids[k] = ids[i];
        f->n_ids++;
    }
}

/* What sets a pool's odd certificate apart from the others: the statuses
 * it has and no other has, and those every other has and it has not. A
 * status they share is no difference (its own finding tells it): the same
 * chain judged against another trust store, where all are untrusted, is
 * told apart by what differs, expired or not (case 2). */
void
agg_pool_difference(struct strbuf *b, unsigned odd, unsigned any, unsigned all, unsigned others,
                    bool nodes)
{
    unsigned extra = others ? odd & ~any : 0, lack = others ? all & ~odd : 0;
    char e[96], l[96];
    diagnose_statuses_text(extra, e, sizeof(e));
    diagnose_statuses_text(lack, l, sizeof(l));
    const char *them = others == 1 ? "the other certificate" : "the other certificates";
    const char *be = others == 1 ? " is " : " are ";
    if (extra && !lack)
        str_add(b, " - it is ", e, ", ", them, be, "not; fix ", nodes ? "those nodes" : "that node",
                NULL);
    else if (lack && !extra)
        str_add(b, " - ", them, be, l, ", it is not; fix the other nodes", NULL);
    else if (extra && lack)
        str_add(b, " - it is ", e, ", ", them, be, l, "; fix every node", NULL);
    else if (others && (odd & all & XS_DATE_INVALID)) /* no node kept a valid one */
        str_add(b, " - every one of them is DateInvalid; renew the certificate on every node",
                NULL);
    else
        str_add(b, "; fix ", nodes ? "those nodes" : "that node", NULL);
}

/* A finding about the chains of a server in in (NULL: all), first its
 * first by sighting: their sessions and peers, from its first session to
 * the server's last; mask: the SNI values of the group they are (0: all). */
static void
agg_finding_chains_in(struct agg_finding *f, const struct agg_server *s, const bool *in,
                      uint32_t mask, uint32_t first)
{
    f->sni_mask = in ? mask : 0;
    for (uint32_t c = 0; c < s->n_chains; c++) {
        if (in && !in[c])
            continue;
        agg_set_add(&f->chains, c);
        f->sessions += s->chains[c].sessions;
        agg_ids_merge(f, s->chains[c].sids, s->chains[c].n_sids);
    }
    agg_fpeers_uses(s, in, false, &f->peers);
    f->first = s->chains[first].first;
    f->last = s->last;
}

/* The chains of a server that overlap in time: which each peer got. With
 * in NULL all of them; else those of one group that SNI told apart
 * (agg_sni.c), whose SNI values (mask) the finding names: a pool, or a
 * choice by the peer, among the sessions that asked for them. */
static void
agg_peer_pool_finding(uint32_t si, const uint32_t *ord, const bool *in, uint32_t mask)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], a[300];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    bool any_bad = false;
    uint32_t first = UINT32_MAX; /* its first chain by sighting */
    uint64_t sessions = 0;
    for (uint32_t i = 0; i < s->n_chains; i++) {
        uint32_t c = ord[i];
        if (in && !in[c])
            continue;
        any_bad |= agg_chain_bad(&s->chains[c]);
        sessions += s->chains[c].sessions;
        if (first == UINT32_MAX)
            first = c;
    }
    /* Per peer: how many distinct chains. */
    bool consistent = true;
    for (uint32_t p = 0; p < s->n_peers; p++) {
        int n = 0;
        for (uint32_t u = 0; u < s->n_uses; u++)
            n += s->uses[u].peer == p && (!in || in[s->uses[u].chain]);
        if (n > 1)
            consistent = false;
    }
    struct agg_finding *f;
    struct strbuf sb;
    if (consistent) {
        f = agg_new_finding(si, "peer_dependent_certificate", any_bad ? SEV_HIGH : SEV_MEDIUM);
        if (!f)
            return;
        sb = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        str_add(&sb, ep,
                " presents a different certificate depending on the peer (SNAT, a receive "
                "connector chosen by source address, or split DNS)",
                NULL);
        if (in) {
            str_add(&sb, " among the sessions with ", NULL);
            agg_sni_values_text(&sb, s, mask);
        }
        str_add(&sb, ":", NULL);
        for (uint32_t c = 0, k = 0; c < s->n_chains && sb.len + 80 < sizeof(f->summary); c++) {
            if (in && !in[c])
                continue;
            struct agg_set ps;
            memset(&ps, 0, sizeof(ps));
            bool one[AGG_CHAINS_MAX] = {false};
            one[c] = true;
            agg_fpeers_uses(s, one, false, &ps);
            char peers[200];
            agg_peers_text(s, &ps, peers, sizeof(peers));
            agg_chain_label(&s->chains[c], a, sizeof(a));
            bool bad = agg_chain_bad(&s->chains[c]);
            char words[96];
            diagnose_statuses_text(s->chains[c].statuses, words, sizeof(words));
            str_add(&sb, k++ ? "; " : " ", peers, " always get ", a, bad ? " - " : "",
                    bad ? words : "", NULL);
        }
    } else {
        /* The odd one out: the chain served in the fewest sessions. */
        uint32_t odd = UINT32_MAX; /* the lowest index of the fewest sessions */
        for (uint32_t c = 0; c < s->n_chains; c++)
            if ((!in || in[c]) &&
                (odd == UINT32_MAX || s->chains[c].sessions < s->chains[odd].sessions))
                odd = c;
        f = agg_new_finding(si, "mixed_pool", any_bad ? SEV_HIGH : SEV_MEDIUM);
        if (!f)
            return;
        agg_chain_label(&s->chains[odd], a, sizeof(a));
        unsigned any = 0, all = ~0u, others = 0, n = 0;
        for (uint32_t c = 0; c < s->n_chains; c++) {
            if (in && !in[c])
                continue;
            n++;
            if (c != odd && s->chains[c].verdict[0]) {
                any |= s->chains[c].statuses;
                all &= s->chains[c].statuses;
                others++;
            }
        }
        if (!s->chains[odd].verdict[0])
            others = 0; /* not verified: nothing to compare */
        sb = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        str_add(&sb, ep, " alternates between ", NULL);
        str_add_uint(&sb, n);
        str_add(&sb, " certificates across sessions of the same peers", NULL);
        if (in) {
            str_add(&sb, " with ", NULL);
            agg_sni_values_text(&sb, s, mask);
        }
        str_add(&sb, " (a load-balanced pool whose nodes differ): the odd one out is ", a,
                ", served in ", NULL);
        str_add_uint(&sb, s->chains[odd].sessions);
        str_add(&sb, " of ", NULL);
        str_add_uint(&sb, in ? sessions : s->tls_sessions);
        str_add(&sb, " sessions", NULL);
        agg_pool_difference(&sb, s->chains[odd].statuses, any, all, others, false);
    }
    agg_finding_chains_in(f, s, in, mask, first);
    agg_add_who(&sb, f);
}

/* True when the chains in in (NULL: all) followed each other: each one's
 * period ends before the next begins (ord: by first sighting). */
static bool
agg_chains_disjoint(const struct agg_server *s, const uint32_t *ord, const bool *in)
{
    uint32_t prev = UINT32_MAX;
    for (uint32_t i = 0; i < s->n_chains; i++) {
        uint32_t c = ord[i];
        if (in && !in[c])
            continue;
        if (prev != UINT32_MAX && s->chains[prev].last >= s->chains[c].first)
            return false;
        prev = c;
    }
    return true;
}

/* certificate_changed: the chains in in (NULL: all; else a group of SNI
 * values, mask) served one after the other, a renewal. */
static void
agg_changed_finding(uint32_t si, const uint32_t *ord, const bool *in, uint32_t mask)
{
    const struct agg_server *s = agg.servers[si];
    uint32_t first = UINT32_MAX, last = 0, n = 0;
    for (uint32_t i = 0; i < s->n_chains; i++)
        if (!in || in[ord[i]]) {
            if (first == UINT32_MAX)
                first = ord[i];
            last = ord[i];
            n++;
        }
    struct agg_finding *f = agg_new_finding(si, "certificate_changed", SEV_LOW);
    if (!f)
        return;
    const struct agg_chain *old = &s->chains[first], *nw = &s->chains[last];
    char ep[80], a[300], b[300], t1[32], t2[32];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    agg_ts_short(old->last, t1, sizeof(t1));
    agg_ts_short(nw->first, t2, sizeof(t2));
    agg_chain_label(old, a, sizeof(a));
    agg_chain_label(nw, b, sizeof(b));
    struct strbuf sb = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
    str_add(&sb, ep, " changed its certificate", NULL);
    if (in) {
        str_add(&sb, " for sessions with ", NULL);
        agg_sni_values_text(&sb, s, mask);
    }
    str_add(&sb, ": ", a, " until ", t1, ", then ", b, " from ", t2, ", ", NULL);
    str_add_uint(&sb, n);
    str_add(&sb, " certificates in turn", NULL);
    agg_finding_chains_in(f, s, in, mask, first);
    agg_add_who(&sb, f);
}

/* Why a server presented several chains: chosen by SNI (agg_sni.c), and
 * within each group of SNI values that got several chains, as without SNI:
 * one after the other (certificate_changed, a renewal), else by the peer
 * or a pool's node (which chains each peer got). */
/* The server's chains by first sighting, into ord. */
static void
agg_chains_order(const struct agg_server *s, uint32_t *ord)
{
    for (uint32_t i = 0; i < s->n_chains; i++)
        ord[i] = i;
    for (uint32_t i = 1; i < s->n_chains; i++)
        for (uint32_t k = i; k > 0 && s->chains[ord[k]].first < s->chains[ord[k - 1]].first; k--) {
            uint32_t t = ord[k];
            ord[k] = ord[k - 1];
            ord[k - 1] = t;
        }
}

/* SNI tells the server's chains apart (agg_sni_split into sp), and the
 * evidence for it beats a renewal's: chains that followed each other in
 * time, with a group of fewer than AGG_SNI_MIN_SESSIONS sessions and no
 * peer that sent the values of two groups, are as likely a renewal that
 * coincided with the change of clients: certificate_changed then. */
static bool
agg_sni_decides(const struct agg_server *s, const uint32_t *ord, struct agg_sni_split *sp)
{
    if (!agg_sni_split(s, ord, sp))
        return false;
    return !(sp->thin && !sp->crossed && agg_chains_disjoint(s, ord, NULL));
}

static void
agg_cert_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    if (s->n_chains < 2)
        return;
    uint32_t ord[AGG_CHAINS_MAX];
    agg_chains_order(s, ord);
    struct agg_sni_split sp;
    if (!agg_sni_decides(s, ord, &sp)) {
        if (agg_chains_disjoint(s, ord, NULL))
            agg_changed_finding(si, ord, NULL, 0);
        else
            agg_peer_pool_finding(si, ord, NULL, 0);
        return;
    }
    /* SNI first: chains served one after the other, each for its own SNI
     * values (clients without SNI all before those with), are chosen by
     * SNI, not a renewal; a renewal is one within a group */
    agg_sni_finding(si, &sp, ord);
    for (unsigned g = 0; g < sp.n_comp; g++) {
        bool in[AGG_CHAINS_MAX] = {false};
        unsigned n = 0;
        for (uint32_t c = 0; c < s->n_chains; c++)
            if (sp.comp[c] == g) {
                in[c] = true;
                n++;
            }
        if (n < 2) /* SNI explains it all */
            continue;
        if (agg_chains_disjoint(s, ord, in))
            agg_changed_finding(si, ord, in, sp.mask[g]);
        else
            agg_peer_pool_finding(si, ord, in, sp.mask[g]);
    }
}

/* True when another chain took over after this one was last served (a
 * renewal already done: expiring soon no longer matters). */
static bool
agg_chain_replaced(const struct agg_server *s, uint32_t c)
{
    /* a chain chosen for other SNI values (agg_sni.c) replaced nothing;
     * the split made only when a later chain could have (its cost is a
     * server's, per chain) */
    uint32_t k = 0;
    while (k < s->n_chains && !(k != c && s->chains[k].first > s->chains[c].last))
        k++;
    if (k == s->n_chains)
        return false;
    uint32_t ord[AGG_CHAINS_MAX];
    agg_chains_order(s, ord);
    struct agg_sni_split sp;
    bool split = agg_sni_decides(s, ord, &sp);
    for (k = 0; k < s->n_chains; k++)
        if (k != c && s->chains[k].first > s->chains[c].last &&
            (!split || sp.comp[k] == sp.comp[c]))
            return true;
    return false;
}

/* How many server addresses (servers by address and port) served a
 * chain with this leaf. */
static unsigned
agg_leaf_servers(uint32_t leaf)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < agg.n_servers; i++) {
        const struct agg_server *s = agg.servers[i];
        uint32_t c = 0;
        while (c < s->n_chains && s->chains[c].ids[0] != leaf)
            c++;
        n += c < s->n_chains;
    }
    return n;
}

/* expired_certificate_served's and expiring_certificate's chain c, its
 * sessions and peers: those it was served to from its first session served
 * expired on (an expired certificate stays so; with --at every session's
 * is), not those that got it while valid; expiring, all of them. */
static void
agg_exp_fill(struct agg_finding *f, const struct agg_server *s, uint32_t c)
{
    const struct agg_chain *ch = &s->chains[c];
    agg_set_add(&f->chains, c);
    bool one[AGG_CHAINS_MAX] = {false};
    one[c] = true;
    agg_fpeers_uses(s, one, true, &f->peers);
    if (ch->expired_seen) {
        f->sessions = ch->exp_sessions;
        f->implicit_only = ch->exp_implicit == ch->exp_sessions;
        f->anontls_only = ch->exp_anontls == ch->exp_sessions;
        f->first = ch->exp_first;
        f->last = ch->exp_last;
        agg_ids_merge(f, ch->exp_sids, ch->n_exp_sids);
    } else {
        f->sessions = ch->sessions;
        f->anontls_only = ch->sessions > 0 && ch->anontls == ch->sessions;
        f->first = ch->first;
        f->last = ch->last;
        agg_ids_merge(f, ch->sids, ch->n_sids);
    }
}

/* expired_certificate_served: who got the expired chain and when, as
 * " (N sessions, peers A, B; FIRST .. LAST)" (case 2: which peers met the
 * node that was not renewed). */
static void
agg_exp_who(struct strbuf *b, const struct agg_finding *f)
{
    char t1[32], t2[32];
    agg_ts_short(f->first, t1, sizeof(t1));
    agg_ts_short(f->last, t2, sizeof(t2));
    str_add(b, " (", NULL);
    agg_who_text(b, f);
    str_add(b, "; ", t1, NULL);
    if (strcmp(t1, t2) != 0)
        str_add(b, " .. ", t2, NULL);
    str_add(b, ")", NULL);
}

/* Every chain the server presented was served while expired: no node
 * kept a good one (an --at time past them all, or a pool never renewed). */
static bool
agg_all_expired(const struct agg_server *s)
{
    for (uint32_t c = 0; c < s->n_chains; c++)
        if (!s->chains[c].expired_seen)
            return false;
    return true;
}

/* "served the expired certificate A", with --at "served the certificate
 * A, which is expired at the --at time T": verb is "served" or "still
 * serves". */
static void
agg_exp_served(struct strbuf *b, const char *ep, const char *verb, const char *a)
{
    if (agg.cfg->at_us) {
        str_add(b, ep, " ", verb, " the certificate ", a, NULL);
        agg_add_at(b, ", which is expired");
    } else {
        str_add(b, ep, " ", verb, " the expired certificate ", a, NULL);
    }
}

/* An expiring certificate is high when it has less than a week left. */
#define AGG_EXPIRY_HIGH_DAYS 7

void
agg_time_left(struct strbuf *b, int64_t left)
{
    int64_t n = left >= 86400 ? left / 86400 : left / 3600;
    if (n == 0) {
        str_add(b, "less than an hour", NULL);
        return;
    }
    str_add_uint(b, (uint64_t)n);
    if (left >= 86400)
        str_add(b, n == 1 ? " day" : " days", NULL);
    else
        str_add(b, n == 1 ? " hour" : " hours", NULL);
}

int64_t
agg_expiry_ref(void)
{
    return (agg.cfg->at_us ? agg.cfg->at_us : agg.last_ts) / 1000000;
}

bool
agg_expiring(const struct cert_entry *e, int64_t *left)
{
    int64_t end = agg_expiry_ref();
    int64_t warn = (int64_t)agg.cfg->expiry_warn_days * 86400;
    if (e == NULL || e->info.parse_error || e->info.not_after < end ||
        e->info.not_after - end >= warn)
        return false;
    *left = e->info.not_after - end;
    return true;
}

static void
agg_expiry_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], a[300];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    int64_t left = 0;
    for (uint32_t c = 0; c < s->n_chains; c++) {
        const struct agg_chain *ch = &s->chains[c];
        const struct cert_entry *e = certcache_get(ch->ids[0]);
        struct agg_finding *f;
        if (ch->expired_seen && agg_chain_replaced(s, c)) {
            /* Served expired, then another certificate took over. */
            f = agg_new_finding(si, "expired_certificate_served", SEV_HIGH);
            if (!f)
                return;
            agg_exp_fill(f, s, c);
            agg_chain_label(ch, a, sizeof(a));
            char t[32];
            agg_ts_short(ch->exp_last, t, sizeof(t));
            struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
            agg_exp_served(&b, ep, "served", a);
            agg_exp_who(&b, f);
            str_add(&b, " until ", t, ", then switched to another certificate", NULL);
        } else if (ch->expired_seen) {
            f = agg_new_finding(si, "expired_certificate_served", SEV_CRITICAL);
            if (!f)
                return;
            agg_exp_fill(f, s, c);
            agg_chain_label(ch, a, sizeof(a));
            struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
            agg_exp_served(&b, ep, "still serves", a);
            agg_exp_who(&b, f);
            /* by the server addresses seen serving it: one, or each of
             * them (a pool of addresses; a pool behind one address is
             * mixed_pool's, which names the node) */
            unsigned n_addr = agg_leaf_servers(ch->ids[0]);
            if (n_addr > 1) {
                str_add(&b, "; replace it on every server address that presents it (", NULL);
                str_add_uint(&b, n_addr);
                str_add(&b, " in this capture)", NULL);
            } else if (s->n_chains > 1 && agg_all_expired(s)) {
                str_add(&b,
                        "; replace it on every node behind this address (every certificate "
                        "the address presents is expired)",
                        NULL);
            } else if (s->n_chains > 1) {
                str_add(&b,
                        "; replace it on the node behind this address that serves it (the "
                        "address presents other certificates too)",
                        NULL);
            } else {
                str_add(&b, "; replace it and reload the server", NULL);
            }
        } else if (agg_expiring(e, &left) && !agg_chain_replaced(s, c)) {
            /* the time left at the capture's end (or --at): under a week,
             * senders refuse it within days (high), else medium */
            bool soon = left < AGG_EXPIRY_HIGH_DAYS * 86400;
            f = agg_new_finding(si, "expiring_certificate", soon ? SEV_HIGH : SEV_MEDIUM);
            if (!f)
                return;
            agg_exp_fill(f, s, c);
            agg_chain_label(ch, a, sizeof(a));
            struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
            str_add(&b, ep, " serves ", a, ", which expires on ", e->info.not_after_iso, ": ",
                    NULL);
            agg_time_left(&b, left);
            if (agg.cfg->at_us) {
                char t[32];
                agg_ts_short(agg.cfg->at_us, t, sizeof(t));
                str_add(&b, " left at the --at time ", t, NULL);
            } else {
                str_add(&b, " left at the end of the capture", NULL);
            }
            str_add(&b, f->severity == SEV_HIGH ? "; renew it now" : "; renew it", NULL);
            agg_add_who(&b, f);
        }
    }
}

/* The sessions of a peer that were not offered STARTTLS at the capture
 * point: no STARTTLS in the EHLO reply, or its keyword masked (a masked
 * command came after STARTTLS was offered in clear: the server offered
 * it; the middlebox hid it from the client). */
static uint32_t
agg_peer_no_offer(const struct agg_peer *pe)
{
    return pe->not_offered + (pe->stripped > pe->masked ? pe->stripped - pe->masked : 0);
}

/* starttls_inconsistent: STARTTLS offered to some peers (or sessions) and
 * not to others. A peer in both sets is said by its sessions ("to P in N
 * sessions but not in M"); peers past report.peers_max (not itemised)
 * count by their sessions (agg_server.unkept_offered, unkept_no_offer). */
static void
agg_starttls_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], p1[300], p2[300], when[32] = "";
    agg_ep_str(&s->ep, ep, sizeof(ep));
    struct agg_set yes, no, both, no_only;
    memset(&yes, 0, sizeof(yes));
    memset(&no, 0, sizeof(no));
    memset(&both, 0, sizeof(both));
    memset(&no_only, 0, sizeof(no_only));
    uint64_t n_yes = 0, n_no = 0; /* the sessions of the peers in both */
    for (uint32_t p = 0; p < s->n_peers; p++) {
        const struct agg_peer *pe = &s->peers[p];
        uint32_t nn = agg_peer_no_offer(pe);
        if (pe->offered && !nn)
            agg_set_add(&yes, p);
        if (nn)
            agg_set_add(&no, p);
        if (pe->offered && nn) {
            agg_set_add(&both, p);
            n_yes += pe->offered;
            n_no += nn;
        } else if (nn) {
            agg_set_add(&no_only, p);
        }
    }
    /* each peer added once: dropped counts peers; those past
     * report.peers_max by their sessions */
    yes.peers_exact = no.peers_exact = both.peers_exact = no_only.peers_exact = true;
    yes.past_cap = s->unkept_offered;
    yes.dropped += yes.past_cap;
    no.past_cap = no_only.past_cap = s->unkept_no_offer;
    no.dropped += no.past_cap;
    no_only.dropped += no_only.past_cap;
    bool offered = yes.n || both.n || yes.dropped;
    bool not_offered = no.n || no.dropped;
    if (!offered || !not_offered) {
        agg_plain_findings(si);
        return;
    }
    struct agg_finding *f = agg_new_finding(si, "starttls_inconsistent", SEV_MEDIUM);
    if (!f)
        return;
    f->peers = no;
    struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
    str_add(&b, ep, " offers STARTTLS", NULL);
    bool some_yes = yes.n || yes.dropped;
    if (some_yes) {
        agg_peers_text(s, &yes, p1, sizeof(p1));
        if (yes.n) {
            str_add(&b, " to ", p1, NULL);
        } else { /* only sessions of peers past the cap */
            str_add(&b, " in ", NULL);
            agg_add_sessions(&b, yes.past_cap);
            str_add(&b, " of peers past report.peers_max", NULL);
        }
    }
    if (both.n) {
        const struct agg_flagstat *fno = agg_flagstat(s, AF_STARTTLS_NOT_OFFERED);
        const struct agg_flagstat *fst = agg_flagstat(s, AF_STARTTLS_STRIPPED);
        agg_peers_text(s, &both, p1, sizeof(p1));
        str_add(&b, some_yes ? ", and to " : " to ", p1, " in ", NULL);
        agg_add_sessions(&b, n_yes);
        str_add(&b, " but not in ", NULL);
        str_add_uint(&b, n_no);
        /* the first of those sessions, when they are all these peers' */
        if (!no_only.n && !no_only.dropped && !fno->peers.dropped && !fst->peers.dropped &&
            (fno->sessions || fst->sessions)) {
            int64_t first = !fno->sessions                              ? fst->first
                            : !fst->sessions || fno->first < fst->first ? fno->first
                                                                        : fst->first;
            agg_ts_short(first, when, sizeof(when));
        }
    }
    if (no_only.n || no_only.dropped) {
        agg_peers_text(s, &no_only, p2, sizeof(p2));
        str_add(&b, both.n ? ", and not at all" : " but not", NULL);
        if (no_only.n) {
            str_add(&b, " to ", p2, NULL);
        } else {
            str_add(&b, " in ", NULL);
            agg_add_sessions(&b, no_only.past_cap);
            str_add(&b, " of peers past report.peers_max", NULL);
        }
    }
    /* the likely causes after a colon, so that the sentence has one
     * parenthesis, the "(N sessions, peers ...)" that ends it: one
     * address offered it in some sessions and not in others, no policy by
     * source address but the path or the node */
    if (both.n && !no_only.n && !no_only.dropped)
        str_add(&b, when[0] ? ", the first at " : "", when,
                ": a middlebox on their path, or nodes behind this address set up differently",
                NULL);
    else
        str_add(&b, ": a policy by source address, or a middlebox on their path", NULL);
    /* the peers that then sent mail in plaintext, never having used TLS
     * here (those that had are plaintext_fallback's) */
    const struct agg_flagstat *pn = agg_flagstat(s, AF_PLAIN_NOT_OFFERED);
    if (pn->sessions && pn->peers.n) {
        agg_peers_text(s, &pn->peers, p2, sizeof(p2));
        str_add(&b, "; of these, ", p2, " sent mail in plaintext", NULL);
    }
    f->first = s->first;
    f->last = s->last;
    f->sessions = agg_flagstat(s, AF_STARTTLS_NOT_OFFERED)->sessions +
                  agg_flagstat(s, AF_STARTTLS_STRIPPED)->sessions;
    agg_ids_merge(f, agg_flagstat(s, AF_STARTTLS_NOT_OFFERED)->ids,
                  agg_flagstat(s, AF_STARTTLS_NOT_OFFERED)->n_ids);
    agg_ids_merge(f, agg_flagstat(s, AF_STARTTLS_STRIPPED)->ids,
                  agg_flagstat(s, AF_STARTTLS_STRIPPED)->n_ids);
    agg_add_who(&b, f);
    agg_plain_findings(si);
}

void
agg_compute_findings(void)
{
    agg_issuer_forget(); /* the last computation's issuers found: made anew */
    for (uint32_t i = 0; i < agg.n_servers; i++) {
        agg_plain_resolve(agg.servers[i]);
        uint32_t first = agg.n_findings; /* the server's: the DANE-EE word goes in them */
        agg_cert_findings(i);
        agg_expiry_findings(i);
        agg_starttls_findings(i);
        agg_flag_findings(i);
        agg_ccert_findings(i);
        agg_dane_findings(i, first);
    }
    agg_plain_resolve(NULL);
    agg_issuer_done(); /* the index of sent certificates, made for missing_intermediate */
    agn_finish();
    for (uint32_t i = 0; i < agg.n_findings; i++) { /* a text cut to fit ends in "..." */
        struct agg_finding *f = &agg.findings[i];
        str_mark_cut(f->summary, sizeof(f->summary), f->summary_cut);
        /* at most AGG_EVIDENCE_LEN - 1 bytes, as docs/schema-server.md
         * says, but certificates_not_visible's of several reasons */
        str_mark_cut(f->evidence,
                     strcmp(f->kind, "certificates_not_visible") == 0 ? sizeof(f->evidence)
                                                                      : AGG_EVIDENCE_LEN,
                     f->evidence_cut);
        /* RFC 8460 §4.3's word for it: MTA to MTA only (25 and --ports),
         * of a session that was not implicit TLS (a mail client's): by
         * session, so a port that served both keeps its STARTTLS ones';
         * sessions not all Exchange's X-ANONYMOUSTLS (RFC 8460 section 3) */
        const struct agg_server *s = agg.servers[f->server];
        if (f->name == NULL && tlsrpt_port(agg.cfg, s->ep.port) && !f->implicit_only &&
            !f->anontls_only)
            f->tlsrpt =
                strcmp(f->kind, "client_quit_after_handshake") == 0
                    ? agg_flagstat(s, AF_CLIENT_QUIT)->tlsrpt /* its chain's problem's */
                    : tlsrpt_kind(f->kind,
                                  strcmp(f->kind, "client_rejected_certificate") == 0
                                      ? agg_evids_alert_code(agg_flagstat(s, AF_CLIENT_REJECTED))
                                      : -2);
    }
    agg_sort_findings();
}
