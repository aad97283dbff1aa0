/* \summary: mail sent in plaintext, per peer: a downgrade (plaintext_fallback)
 * or opportunistic TLS left unused (starttls_not_used).
 *
 * STARTTLS is opportunistic (RFC 3207 §4: a publicly-referenced server must
 * not require it), so a sender that never uses it sends in plaintext by its
 * own configuration: a legacy MTA, a script, a monitoring probe. What an
 * attacker (or a broken middlebox) makes happen looks different from the
 * wire: STARTTLS was stripped, refused or its handshake failed, and the mail
 * went anyway; or a peer that had used TLS with this server did not this
 * time. Each plaintext_delivery session is put in one class by what its
 * peer had done with this server until then, so the classes follow the
 * capture's order: plaintext first and TLS later is no downgrade. */
#include <string.h>

#include "agg_int.h"
#include "strcopy.h"

int
agg_peer_note(struct agg_peer *p, const struct smtp_facts *sm, const struct diagnosis *dg)
{
    int cls = -1;
    bool offered = sm->starttls_offered == 1 || sm->anonymoustls_offered; /* as diagnose */
    if (dg->plaintext_delivery) {
        bool tls_before = p && (p->used || p->stripped || p->rejected || p->tls_failed);
        bool broken_before = p && (p->stripped || p->rejected || p->tls_failed);
        if (dg->starttls_stripped || dg->plaintext_after_failed_starttls || broken_before)
            cls = AF_FALLBACK_BROKEN;
        else if (tls_before)
            cls = AF_FALLBACK_TLS_BEFORE;
        else if (offered && !sm->starttls_command)
            cls = AF_STARTTLS_NOT_USED;
        else if (sm->starttls_offered == 0 && !offered)
            cls = AF_PLAIN_NOT_OFFERED;
    }
    if (p) {
        p->sessions++;
        p->offered += offered;
        p->not_offered += sm->starttls_offered == 0 && !offered && !sm->stripped_capability.s;
        p->stripped += sm->stripped_capability.s != NULL;
        p->used += sm->tls_started || sm->implicit_tls;
        p->anontls += sm->starttls_command && strcmp(sm->starttls_verb, "X-ANONYMOUSTLS") == 0;
        if (dg->starttls_rejected) {
            p->rejected++;
            p->rejected_code = sm->starttls_reply_code;
        }
        p->plaintext += dg->plaintext_delivery;
        p->tls_failed += dg->tls_handshake_failed;
    }
    return cls;
}

/* What to change. On the submission port (587, RFC 6409) the peers are
 * mail clients, which follow no MTA-STS (RFC 8461) or DANE (RFC 7672)
 * policy: the server itself must refuse AUTH and MAIL before TLS, or the
 * clients move to implicit TLS on 465 (RFC 8314 §3.3). */
const char *
agg_plain_advice(const struct agg_server *s)
{
    return s->ep.port == 587 ? "require TLS on this submission port before AUTH and MAIL, or "
                               "have the clients use implicit TLS on port 465 (RFC 8314)"
                             : "require TLS for these peers (MTA-STS, DANE or a TLS policy)";
}

/* "STARTTLS was stripped", "... refused or failed": what happened to the
 * STARTTLS (or X-ANONYMOUSTLS) of a set of peers (their counts over the
 * capture). */
static void
agg_plain_how(struct strbuf *b, const struct agg_server *s, const struct agg_set *peers)
{
    bool how[3] = {false, false, false}, anon = false;
    for (unsigned i = 0; i < peers->n; i++) {
        const struct agg_peer *p = &s->peers[peers->v[i]];
        how[0] |= p->stripped > 0;
        how[1] |= p->rejected > 0;
        how[2] |= p->tls_failed > 0;
        anon |= p->anontls > 0; /* Exchange's verb in STARTTLS's place */
    }
    str_add(b, anon ? "STARTTLS (or X-ANONYMOUSTLS) was " : "STARTTLS was ", NULL);
    static const char *const word[3] = {"stripped", "refused", "failed"};
    unsigned n = how[0] + how[1] + how[2], k = 0;
    if (n == 0) { /* the peers not kept (report.peers_max) */
        str_add(b, "stripped, refused or failed", NULL);
        return;
    }
    for (unsigned i = 0; i < 3; i++)
        if (how[i]) {
            k++;
            str_add(b, k == 1 ? "" : k == n ? " or " : ", ", word[i], NULL);
        }
}

/* plaintext_fallback: critical when TLS was stripped, refused or failed
 * for the peer (in that connection or an earlier one) and the mail went
 * anyway; high when the only sign is that the peer had used TLS with this
 * server before (STARTTLS hidden from it past the capture point, not
 * offered that time, or another sender behind the same address). */
void
agg_plain_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    const struct agg_flagstat *broken = agg_flagstat(s, AF_FALLBACK_BROKEN);
    const struct agg_flagstat *before = agg_flagstat(s, AF_FALLBACK_TLS_BEFORE);
    if (!broken->sessions && !before->sessions)
        return;
    struct agg_finding *f =
        agg_new_finding(si, "plaintext_fallback", broken->sessions ? SEV_CRITICAL : SEV_HIGH);
    if (!f)
        return;
    char ep[80], p1[300], p2[300];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    agg_peers_text(s, &broken->peers, p1, sizeof(p1));
    agg_peers_text(s, &before->peers, p2, sizeof(p2));
    if (!p1[0]) /* peers beyond report.peers_max */
        str_copy(p1, sizeof(p1), "peers not listed");
    if (!p2[0])
        str_copy(p2, sizeof(p2), "peers not listed");
    struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
    str_add(&b, ep, " received mail in plaintext from ", NULL);
    if (broken->sessions) {
        str_add(&b, p1, " after ", NULL);
        agg_plain_how(&b, s, &broken->peers);
        str_add(&b, " for them", before->sessions ? ", and from " : "", NULL);
    }
    if (before->sessions)
        str_add(&b, p2,
                ", which had used TLS with it before (STARTTLS hidden from them on their path, "
                "not offered to them that time, or another sender behind the same address)",
                NULL);
    str_add(&b, "; ", agg_plain_advice(s), NULL);
    for (unsigned k = 0; k < 2; k++) {
        const struct agg_flagstat *fs = k ? before : broken;
        if (!fs->sessions)
            continue;
        for (unsigned i = 0; i < fs->peers.n; i++)
            agg_set_add(&f->peers, fs->peers.v[i]);
        f->peers.dropped += fs->peers.dropped;
        if (f->sessions == 0 || fs->first < f->first)
            f->first = fs->first;
        if (f->sessions == 0 || fs->last > f->last)
            f->last = fs->last;
        f->sessions += fs->sessions;
        agg_ids_merge(f, fs->ids, fs->n_ids);
    }
}

void
agg_implicit_note(struct agg_flagstat *fs, const struct smtp_facts *sm, const struct diagnosis *dg)
{
    char what[96];
    struct strbuf w = str_buf(what, sizeof(what));
    if (sm->client_tls_to_plaintext) {
        /* the cause of that client's failed handshake (RFC 8314 §3.3) */
        str_add(&w, "a client's TLS ClientHello got plaintext SMTP back", NULL);
        if (sm->banner_code > 0) {
            str_add(&w, " (greeting ", NULL);
            str_add_uint(&w, (unsigned)sm->banner_code);
            str_add(&w, ")", NULL);
        }
        str_add(&w, ": its handshake failed", NULL);
    } else if (sm->tls_started) {
        str_add(&w, "a client used STARTTLS", NULL);
    } else if (dg->plaintext_delivery) {
        str_add(&w, "a client sent mail in plaintext", NULL);
    } else if (dg->auth_before_tls) {
        str_add(&w, "a client sent AUTH in plaintext", NULL);
    } else if (sm->n_dialog == 0 && sm->ehlo_verb[0] == '\0') {
        str_add(&w, "a client got the plaintext greeting and sent nothing", NULL);
    } else {
        str_add(&w, "a client spoke SMTP in plaintext", NULL);
    }
    if (strstr(fs->evidence, what) != NULL)
        return;
    struct strbuf b = {fs->evidence, sizeof(fs->evidence), strlen(fs->evidence), NULL};
    str_add(&b, b.len ? "; " : "", what, NULL);
}
