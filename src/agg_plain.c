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
 * peer had done with this server in the sessions that began before it, so
 * the classes follow the order sessions start in; but a peer that was
 * offered STARTTLS and did not try it, and used TLS here later, is no
 * sender that does not use TLS either (a capture window is arbitrary):
 * plaintext_fallback, as if it had used TLS before. Records come as sessions end: a long TLS
 * session that began before a short plaintext one ends after it, and its record comes later. So a
 * session whose class such a record could still change waits in the server's plainq, and the
 * findings class it (agg_plain_resolve): the order of ends, the teardown's timing, decide nothing.
 */
#include <string.h>

#include "agg_int.h"
#include "agg_closed.h"
#include "config.h"
#include "mem.h"
#include "strcopy.h"

/* A plaintext session's class: broken (its own STARTTLS stripped or
 * failed, or a session of its peer that began before it had it stripped,
 * refused or failed); masked later (STARTTLS offered to it and not tried,
 * and a later session of its peer had its STARTTLS command masked: the
 * middlebox that masks the command hides the offer from the client too,
 * so this one was probably stripped as well); TLS before (one that began
 * before it used TLS); TLS later (STARTTLS offered to it and not tried,
 * and a later session used TLS); else kind (what it is alone). Record ids number
 * sessions by their first packet (record.h): a lower id began earlier. */
static int
agg_plain_class(const struct agg_peer *p, uint64_t id, int kind)
{
    if (p && p->broken_id != 0 && p->broken_id < id)
        return AF_FALLBACK_BROKEN;
    if (p && p->masked > 0 && (kind == AF_STARTTLS_NOT_USED || kind == AF_NOT_USED_AUTH))
        return AF_FALLBACK_MASKED_LATER;
    if (p && p->tls_id != 0 && p->tls_id < id)
        return AF_FALLBACK_TLS_BEFORE;
    /* STARTTLS offered and not tried, by a peer that used TLS with this
     * server later (none before: tls_id; tried and refused is no use): a capture window is
     * arbitrary, so that peer is no sender that does not use TLS (starttls_not_used), whatever the
     * order */
    if (p && p->used > 0 && (kind == AF_STARTTLS_NOT_USED || kind == AF_NOT_USED_AUTH))
        return AF_FALLBACK_TLS_LATER;
    return kind;
}

static void
agg_plain_count(struct agg_server *s, int cls, int64_t ts, uint64_t id, uint32_t peer)
{
    if (cls >= 0)
        agg_flag_count(s, cls, ts, id, peer);
}

/* The oldest queued session (the first to have ended) classed for good:
 * the ring is full. */
static void
agg_plainq_settle(struct agg_server *s)
{
    const struct agg_plainq *e = &s->plainq[s->head_plainq];
    agg_plain_count(s, agg_plain_class(&s->peers[e->peer], e->id, e->kind), e->ts, e->id, e->peer);
    s->head_plainq = (s->head_plainq + 1) % s->cap_plainq;
    s->n_plainq--;
}

/* Queues a session of a kept peer whose class may still change; false
 * when the queue cannot grow (memcap): classed now. */
static bool
agg_plainq_push(struct agg_server *s, const struct agg_plainq *e)
{
    uint32_t max = agg.cfg->report_peers_max * 4u;
    if (max == 0)
        return false;
    uint32_t cap = s->cap_plainq;
    if (s->n_plainq == cap && cap < max &&
        mem_grow((void **)&s->plainq, s->n_plainq, &s->cap_plainq, sizeof(*s->plainq), 8, max) &&
        s->head_plainq > 0) {
        /* the ring's end part, from head, moves to the grown array's end */
        uint32_t tail = cap - s->head_plainq;
        memmove(&s->plainq[s->cap_plainq - tail], &s->plainq[s->head_plainq],
                (size_t)tail * sizeof(*s->plainq));
        s->head_plainq = s->cap_plainq - tail;
    }
    if (s->cap_plainq == 0)
        return false;
    if (s->n_plainq == s->cap_plainq)
        agg_plainq_settle(s);
    s->plainq[(s->head_plainq + s->n_plainq) % s->cap_plainq] = *e;
    s->n_plainq++;
    return true;
}

void
agg_peer_note(struct agg_server *s, uint32_t peer, const struct flow_record *rec,
              const struct diagnosis *dg)
{
    const struct smtp_facts *sm = &rec->facts->smtp;
    struct agg_peer *p = peer != UINT32_MAX ? &s->peers[peer] : NULL;
    bool offered = sm->starttls_offered == 1 || sm->anonymoustls_offered; /* as diagnose */
    bool stripped = dg->starttls_stripped; /* its keyword or the client's command masked */
    if (p == NULL) {
        s->unkept_offered += offered;
        /* as agg_peer_no_offer (agg_findings.c) reads a peer's counts */
        s->unkept_no_offer += (sm->starttls_offered == 0 && !offered && !stripped) ||
                              (stripped && !sm->starttls_masked);
    }
    if (p) {
        p->sessions++;
        p->offered += offered;
        p->not_offered += sm->starttls_offered == 0 && !offered && !stripped;
        p->stripped += stripped;
        if (sm->starttls_masked && p->masked < UINT16_MAX)
            p->masked++;
        p->used += sm->tls_started || sm->implicit_tls;
        p->anontls += sm->starttls_command && strcmp(sm->starttls_verb, "X-ANONYMOUSTLS") == 0;
        if (dg->starttls_rejected) {
            p->rejected++;
            p->rejected_code = sm->starttls_reply_code;
        }
        p->plaintext += dg->plaintext_delivery;
        /* refused after the handshake without an alert: failed too */
        p->tls_failed += dg->tls_handshake_failed || dg->client_quit_after_handshake;
        p->implicit += sm->implicit_tls;
        p->closed += dg->client_closed_after_handshake;
        p->implicit_closed += sm->implicit_tls && dg->client_closed_after_handshake;
        p->refused += dg->server_closed_after_first_reply;
        p->implicit_refused += sm->implicit_tls && dg->server_closed_after_first_reply;
        agg_closed_note(p, rec, dg);
        p->implicit_failed +=
            sm->implicit_tls && (dg->tls_handshake_failed || dg->client_quit_after_handshake);
        if (!(sm->tls_started || sm->implicit_tls || dg->starttls_rejected ||
              dg->tls_handshake_failed || dg->plaintext_delivery)) {
            p->plain_undelivered += sm->plaintext_mail;
            /* commands not captured may have been mail: unknown, not none;
             * so with the client's direction not captured at all (a
             * server-only capture, flow_record_missing_dir), where no
             * command could be read nor found cut */
            bool unknown =
                !sm->plaintext_mail && !sm->commands_cut && flow_record_missing_dir(rec) == 0;
            p->no_mail += !sm->plaintext_mail && !sm->commands_cut && !unknown;
            p->commands_cut += !sm->plaintext_mail && sm->commands_cut;
            p->mail_unknown += unknown;
        }
        bool broken = stripped || dg->starttls_rejected || dg->tls_handshake_failed;
        bool tls = broken || sm->tls_started || sm->implicit_tls;
        if (tls && (p->tls_id == 0 || rec->id < p->tls_id))
            p->tls_id = rec->id;
        if (broken && (p->broken_id == 0 || rec->id < p->broken_id))
            p->broken_id = rec->id;
    }
    if (!dg->plaintext_delivery)
        return;
    int kind = -1;
    if (dg->starttls_stripped || dg->plaintext_after_failed_starttls)
        kind = AF_FALLBACK_BROKEN; /* in this very connection: final */
    else if (offered && !sm->starttls_command)
        /* by the session's own AUTH, not its address's: a mail client and
         * an MTA behind one NAT address keep their own classes */
        kind = dg->auth_before_tls ? AF_NOT_USED_AUTH : AF_STARTTLS_NOT_USED;
    else if (sm->starttls_offered == 0 && !offered)
        kind = AF_PLAIN_NOT_OFFERED;
    if (p == NULL && kind != AF_FALLBACK_BROKEN) {
        /* beyond report.peers_max: its earlier sessions are not kept, so
         * "never used TLS" would be a guess, and so would a fallback */
        s->plain_unkept++;
        return;
    }
    if (p == NULL) {
        s->broken_unkept++;
        s->unkept_how |= (uint8_t)((stripped ? 1 : 0) | (dg->starttls_rejected ? 2 : 0) |
                                   (dg->tls_handshake_failed ? 4 : 0));
    }
    int cls = kind == AF_FALLBACK_BROKEN ? kind : agg_plain_class(p, rec->id, kind);
    /* broken is final */
    if (cls != AF_FALLBACK_BROKEN) {
        const struct agg_plainq e = {rec->id, rec->ts_us, peer, (int8_t)kind};
        if (agg_plainq_push(s, &e))
            return;
    }
    agg_plain_count(s, cls, rec->ts_us, rec->id, peer);
}

/* The classes of the server whose findings are being made: its counted
 * ones and its queued sessions, classed by what its peers did before them
 * as far as the records so far tell. */
static struct {
    const struct agg_server *s;
    struct agg_flagstat fs[AF_COUNT - AF_STARTTLS_NOT_USED];
} resolved;

void
agg_plain_resolve(const struct agg_server *s)
{
    resolved.s = s;
    if (s == NULL)
        return;
    for (int k = AF_STARTTLS_NOT_USED; k < AF_COUNT; k++) {
        struct agg_flagstat *fs = &resolved.fs[k - AF_STARTTLS_NOT_USED];
        if (s->flags[k])
            *fs = *s->flags[k];
        else
            memset(fs, 0, sizeof(*fs));
    }
    for (uint32_t i = 0; i < s->n_plainq; i++) {
        const struct agg_plainq *e = &s->plainq[(s->head_plainq + i) % s->cap_plainq];
        int cls = agg_plain_class(&s->peers[e->peer], e->id, e->kind);
        if (cls >= 0)
            agg_fs_add(&resolved.fs[cls - AF_STARTTLS_NOT_USED], e->ts, e->id, e->peer, UINT32_MAX);
    }
}

void
agg_plain_queued_peers(const struct agg_server *s, uint64_t mask, uint8_t *bits)
{
    for (uint32_t i = 0; i < s->n_plainq; i++) {
        const struct agg_plainq *e = &s->plainq[(s->head_plainq + i) % s->cap_plainq];
        int cls = agg_plain_class(&s->peers[e->peer], e->id, e->kind);
        if (cls >= 0 && (mask & (1ull << cls)))
            bits[e->peer / 8] |= (uint8_t)(1u << (e->peer % 8));
    }
}

const struct agg_flagstat *
agg_plain_resolved(const struct agg_server *s, int flag)
{
    if (s != resolved.s || flag < AF_STARTTLS_NOT_USED || flag >= AF_COUNT)
        return NULL;
    return &resolved.fs[flag - AF_STARTTLS_NOT_USED];
}

/* Whether the peers of s are mail clients, not MTAs: on the submission
 * port (587, RFC 6409), and on an implicit-TLS port (465, --tls-ports),
 * message submission too (RFC 8314 §3.3), where a plaintext session is a
 * client's that expected TLS or got none. */
static bool
agg_plain_clients(const struct agg_server *s)
{
    return s->ep.port == 587 || config_is_tls_port(agg.cfg, s->ep.port);
}

/* What to change. Mail clients follow no MTA-STS (RFC 8461) or DANE (RFC
 * 7672) policy: on 587 the server itself must refuse AUTH and MAIL before
 * TLS, or the clients move to implicit TLS on 465 (RFC 8314 §3.3); on an
 * implicit-TLS port the server must serve TLS from the first byte
 * (implicit_tls_not_served), or at least refuse them before STARTTLS. */
const char *
agg_plain_advice(const struct agg_server *s)
{
    /* no parentheses at its end: the finding's " (N sessions, peers ...)"
     * follows it (agg_add_who), one group, not two side by side */
    if (s->ep.port == 587)
        return "require TLS on this submission port before AUTH and MAIL, or have the clients "
               "use implicit TLS on port 465 as RFC 8314 recommends";
    if (agg_plain_clients(s))
        return "serve TLS on this implicit-TLS port (implicit_tls_not_served), or refuse AUTH and "
               "MAIL before STARTTLS here";
    return "require TLS for these peers by MTA-STS, DANE or a TLS policy";
}

/* How the STARTTLS (or X-ANONYMOUSTLS) of a set of peers went wrong over
 * the capture: AGG_HOW_STRIPPED, _REFUSED, _FAILED; *anon when one of
 * them used Exchange's verb in STARTTLS's place. */
enum { AGG_HOW_STRIPPED = 1, AGG_HOW_REFUSED = 2, AGG_HOW_FAILED = 4 };

static unsigned
agg_plain_causes(const struct agg_server *s, const struct agg_set *peers, bool *anon)
{
    unsigned how = s->unkept_how & 7u;
    *anon = false;
    for (unsigned i = 0; i < peers->n; i++) {
        const struct agg_peer *p = &s->peers[peers->v[i]];
        how |= (p->stripped > 0 ? AGG_HOW_STRIPPED : 0) | (p->rejected > 0 ? AGG_HOW_REFUSED : 0) |
               (p->tls_failed > 0 ? AGG_HOW_FAILED : 0);
        *anon |= p->anontls > 0;
    }
    return how;
}

/* "STARTTLS was stripped for them", "STARTTLS was refused for them, or
 * their TLS handshakes failed": what happened to the STARTTLS (or
 * X-ANONYMOUSTLS) of a set of peers (their counts over the capture). A
 * handshake fails; STARTTLS is not "failed". */
static void
agg_plain_how(struct strbuf *b, unsigned how, bool anon)
{
    if ((how & 7u) == 0) /* plaintext_after_failed_starttls with no alert nor refusal */
        how = AGG_HOW_STRIPPED | AGG_HOW_REFUSED | AGG_HOW_FAILED;
    unsigned sr = how & (AGG_HOW_STRIPPED | AGG_HOW_REFUSED);
    if (sr) {
        str_add(b, anon ? "STARTTLS (or X-ANONYMOUSTLS) was " : "STARTTLS was ",
                sr == AGG_HOW_STRIPPED  ? "stripped"
                : sr == AGG_HOW_REFUSED ? "refused"
                                        : "stripped or refused",
                " for them", NULL);
    }
    if (how & AGG_HOW_FAILED)
        str_add(b, sr ? ", or " : "",
                anon ? "their TLS handshakes (after STARTTLS or X-ANONYMOUSTLS) failed"
                     : "their TLS handshakes failed",
                NULL);
}

/* When a middlebox strips STARTTLS (starttls_stripped), the server
 * refused it (454: its TLS is broken) or the handshakes failed, requiring
 * TLS first would turn the fallback into deferred mail for these peers
 * (MTAs: RFC 3207 §4, RFC 8461 §5), or, on the submission port, into mail
 * clients that cannot send at all (no queue behind them to defer to: their
 * users see the errors): the cause is fixed first, its finding named. A
 * middlebox's 500 to a STARTTLS sent anyway is the stripping's (diagnose),
 * so it points at the middlebox, not at the server. False: nothing to fix
 * first. */
static bool
agg_plain_fix_first(struct strbuf *b, const struct agg_server *s, unsigned how)
{
    if (!(how & (AGG_HOW_STRIPPED | AGG_HOW_REFUSED | AGG_HOW_FAILED)))
        return false;
    bool both = (how & AGG_HOW_REFUSED) && (how & AGG_HOW_FAILED);
    str_add(b, "; first ", NULL);
    if (how & AGG_HOW_STRIPPED)
        str_add(b,
                "disable the SMTP inspection that strips their STARTTLS (starttls_stripped; "
                "Cisco ASA/FTD: no inspect esmtp)",
                how & (AGG_HOW_REFUSED | AGG_HOW_FAILED) ? " and " : "", NULL);
    if (how & (AGG_HOW_REFUSED | AGG_HOW_FAILED))
        str_add(b, "fix what ",
                both                      ? "refused or broke their TLS (starttls_rejected, "
                                            "tls_handshake_failed)"
                : (how & AGG_HOW_REFUSED) ? "refused their STARTTLS (starttls_rejected)"
                                          : "broke their TLS handshakes (tls_handshake_failed)",
                NULL);
    str_add(b,
            how == AGG_HOW_STRIPPED ? ": requiring TLS while it strips"
                                    : ": requiring TLS while it fails",
            agg_plain_clients(s) ? " would leave these mail clients unable to send at all (their "
                                   "users would see errors); then"
                                 : " would make these peers defer all their mail; then",
            NULL);
    return true;
}

/* plaintext_fallback: critical when TLS was stripped, refused or failed
 * for the peer (in that connection or an earlier one) and the mail went
 * anyway, or when a later session of the peer had its STARTTLS masked
 * (the earlier ones probably stripped too); high when the only sign is that the peer used TLS
 * with this server in another session: before (STARTTLS hidden from it past the capture point, not
 * offered that time, or another sender behind the same address), or, STARTTLS offered and not
 * tried, later (a capture window is arbitrary: no sender that does not use TLS). */
void
agg_plain_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    const struct agg_flagstat *broken = agg_flagstat(s, AF_FALLBACK_BROKEN);
    const struct agg_flagstat *masked = agg_flagstat(s, AF_FALLBACK_MASKED_LATER);
    const struct agg_flagstat *before = agg_flagstat(s, AF_FALLBACK_TLS_BEFORE);
    const struct agg_flagstat *later = agg_flagstat(s, AF_FALLBACK_TLS_LATER);
    if (!broken->sessions && !masked->sessions && !before->sessions && !later->sessions)
        return;
    bool critical = broken->sessions || masked->sessions;
    struct agg_finding *f =
        agg_new_finding(si, "plaintext_fallback", critical ? SEV_CRITICAL : SEV_HIGH);
    if (!f)
        return;
    char ep[80], p1[300], p2[300], p3[300], p4[300];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    agg_peers_text(s, &broken->peers, p1, sizeof(p1));
    agg_peers_text(s, &before->peers, p2, sizeof(p2));
    agg_peers_text(s, &masked->peers, p3, sizeof(p3));
    agg_peers_text(s, &later->peers, p4, sizeof(p4));
    if (s->broken_unkept) /* classed by their own connection alone */
        str_copy(p1 + strlen(p1), sizeof(p1) - strlen(p1),
                 p1[0] ? " and peers beyond report.peers_max" : "peers beyond report.peers_max");
    if (!p1[0])
        str_copy(p1, sizeof(p1), "peers not listed");
    if (!p2[0])
        str_copy(p2, sizeof(p2), "peers not listed");
    if (!p3[0])
        str_copy(p3, sizeof(p3), "peers not listed");
    if (!p4[0])
        str_copy(p4, sizeof(p4), "peers not listed");
    bool anon = false;
    unsigned how = agg_plain_causes(s, &broken->peers, &anon);
    struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
    str_add(&b, ep, " received mail in plaintext from ", NULL);
    if (broken->sessions) {
        str_add(&b, p1, " after ", NULL);
        agg_plain_how(&b, how, anon);
        str_add(&b, masked->sessions || before->sessions || later->sessions ? ", and from " : "",
                NULL);
    }
    if (masked->sessions) /* what the capture shows, no more: STARTTLS offered in clear */
        str_add(&b, p3,
                " in sessions before one of theirs had its STARTTLS command masked (XXXXXXXX): "
                "STARTTLS offered to them and not tried, probably stripped too (the same peer, "
                "the same server)",
                before->sessions || later->sessions ? ", and from " : "", NULL);
    if (before->sessions)
        str_add(&b, p2,
                ", which had used TLS with it before (STARTTLS hidden from them on their path, "
                "not offered to them that time, or another sender behind the same address)",
                later->sessions ? ", and from " : "", NULL);
    /* the order in a capture window is chance: a peer that uses TLS with
     * this server is no sender that does not use it */
    if (later->sessions)
        str_add(&b, p4,
                " without trying the STARTTLS offered, though they used TLS with it in a later "
                "session (STARTTLS hidden from them on their path, or another sender behind the "
                "same address)",
                NULL);
    /* the masked-later peers' STARTTLS was stripped too (the same
     * middlebox): it is fixed first for them as well */
    unsigned first = (broken->sessions ? how : 0) | (masked->sessions ? AGG_HOW_STRIPPED : 0);
    bool fixed_first = agg_plain_fix_first(&b, s, first);
    str_add(&b, fixed_first ? " " : "; ", agg_plain_advice(s), NULL);
    for (unsigned k = 0; k < 4; k++) {
        const struct agg_flagstat *fs = k == 0 ? broken : k == 1 ? masked : k == 2 ? before : later;
        if (!fs->sessions)
            continue;
        for (unsigned i = 0; i < fs->peers.n; i++)
            agg_set_add(&f->peers, fs->peers.v[i]);
        f->peers.dropped += fs->peers.dropped;
        f->peers.past_cap += fs->peers.past_cap;
        if (f->sessions == 0 || fs->first < f->first)
            f->first = fs->first;
        if (f->sessions == 0 || fs->last > f->last)
            f->last = fs->last;
        f->sessions += fs->sessions;
        agg_ids_merge(f, fs->ids, fs->n_ids);
    }
    /* a peer in two of the classes, past the list: counted once */
    agg_fpeers_exact(s,
                     (1ull << AF_FALLBACK_BROKEN) | (1ull << AF_FALLBACK_MASKED_LATER) |
                         (1ull << AF_FALLBACK_TLS_BEFORE) | (1ull << AF_FALLBACK_TLS_LATER),
                     &f->peers);
    agg_add_who(&b, f);
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

void
agg_ehlo_note(struct agg_flagstat *fs, const struct smtp_facts *sm)
{
    int code = sm->ehlo_reply_code;
    if (code == 0) /* the reply not seen: nothing to say of it */
        return;
    fs->ehlo |= code >= 200 && code < 300 ? AGG_EHLO_NO_STARTTLS
                : code == 500             ? AGG_EHLO_UNKNOWN_500
                : code == 502             ? AGG_EHLO_UNKNOWN_502
                                          : AGG_EHLO_REFUSED;
}

/* starttls_stripped's evidence: what the wire showed at the capture point.
 * The capability mangled in the EHLO reply ("XXXXXXXA"): the middlebox is
 * between the server and the capture point; the client's command masked
 * ("XXXXXXXX", smtp.c smtp_masked_starttls): between the client and it. */
void
agg_strip_evidence(const struct smtp_facts *sm, char *ev, size_t n)
{
    bool cut = false;
    struct strbuf b = str_buf_cut(ev, n, &cut);
    if (sm->starttls_masked) {
        str_add(&b, "the client's command arrived as XXXXXXXX and ", NULL);
        if (sm->starttls_masked_code > 0) {
            str_add(&b, "was answered ", NULL);
            str_add_uint(&b, (unsigned)sm->starttls_masked_code);
        } else {
            str_add(&b, "got no reply", NULL);
        }
        str_add(&b, ": a middlebox between the client and this capture point masked STARTTLS",
                NULL);
    } else {
        char w[65]; /* smtp_int.h SMTP_WORD_MAX + 1: the keyword as kept */
        uint32_t l = sm->stripped_capability.len < 64 ? sm->stripped_capability.len : 64;
        for (uint32_t i = 0; i < l; i++) { /* wire bytes: printable ASCII only */
            uint8_t c = sm->stripped_capability.s[i];
            w[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
        }
        w[l] = '\0';
        str_add(&b, "the EHLO reply offered ", w,
                " in place of STARTTLS: a middlebox between the server and this capture point "
                "masked it",
                NULL);
    }
    str_mark_cut(ev, n, cut);
}

void
agg_strip_note(struct agg_flagstat *fs, const struct smtp_facts *sm)
{
    int code = sm->starttls_reply_code;
    if (sm->stripped_capability.s == NULL || !sm->starttls_command || (code != 500 && code != 502))
        return;
    char what[200];
    struct strbuf w = str_buf(what, sizeof(what));
    str_add(&w, "a client sent STARTTLS anyway and got ", NULL);
    str_add_uint(&w, (unsigned)code);
    str_add(&w,
            ", the middlebox's answer (no SMTP server that offers STARTTLS says it does not know "
            "it), not the server's refusal",
            NULL);
    if (strstr(fs->evidence, what) != NULL)
        return;
    struct strbuf b = {fs->evidence, sizeof(fs->evidence), strlen(fs->evidence), NULL};
    str_add(&b, b.len ? "; " : "", what, NULL);
}
