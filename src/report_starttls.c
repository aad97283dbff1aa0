/* \summary: the terminal report's rows of a server's peers, each counting
 * its sessions: `STARTTLS` (offered, tls, failed, PLAINTEXT-MAIL...), and
 * `implicit TLS` for the sessions in TLS from the first byte (port 465,
 * RFC 8314 §3.3, or TLS found on another port), which offered nothing and
 * upgraded nothing: kept apart, so that a server that has both adds up
 * (offered 1 tls 1 under STARTTLS, tls 1 under implicit TLS, not "offered
 * 1 tls 2"). A server whose sessions are all implicit has only that row. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"

enum rs_part { RS_ALL, RS_STARTTLS, RS_IMPLICIT };

/* Peer pe's counts of the sessions part takes. */
static void
rs_counts(FILE *f, const struct agg_peer *pe, enum rs_part part)
{
    /* the implicit sessions in used and tls_failed: under their own row */
    uint32_t used = pe->used, failed = pe->tls_failed, closed = pe->closed, refused = pe->refused;
    uint64_t sessions = pe->sessions;
    if (part == RS_IMPLICIT) {
        used = pe->implicit;
        failed = pe->implicit_failed;
        closed = pe->implicit_closed;
        refused = pe->implicit_refused;
    } else if (part == RS_STARTTLS) {
        used -= pe->implicit;
        failed -= pe->implicit_failed;
        closed -= pe->implicit_closed;
        refused -= pe->implicit_refused;
        sessions -= pe->implicit;
    }
    bool rest = part != RS_IMPLICIT; /* what only a session in plaintext first has */
    if (rest && pe->offered)
        fprintf(f, " offered %u", pe->offered);
    if (rest && pe->not_offered)
        fprintf(f, " not-offered %u", pe->not_offered);
    if (rest && pe->stripped)
        fprintf(f, " STRIPPED %u", pe->stripped);
    if (used)
        fprintf(f, " tls %u", used);
    /* of tls: closed by the client right after the handshake, no mail
     * (probes and checks: client_closed_after_handshake) */
    if (closed)
        fprintf(f, " (closed-after-handshake %u)", closed);
    /* of tls: ended by the server with its first reply, a 421
     * (server_refused_after_handshake) */
    if (refused)
        fprintf(f, " (refused-after-handshake %u)", refused);
    if (rest && pe->rejected)
        fprintf(f, " refused(%d) %u", pe->rejected_code, pe->rejected);
    if (failed)
        fprintf(f, " failed %u", failed);
    if (rest && pe->plaintext)
        fprintf(f, " PLAINTEXT-MAIL %u", pe->plaintext);
    bool judged = used || failed ||
                  (rest && (pe->offered || pe->not_offered || pe->stripped || pe->rejected ||
                            pe->plaintext || pe->plain_undelivered));
    /* the sessions that neither went into TLS nor delivered mail, so
     * that the row accounts for every session (a MAIL refused in
     * plaintext, 451 5.7.3, was in none of the counts above) */
    if (rest && pe->plain_undelivered)
        fprintf(f, " plaintext-undelivered %u", pe->plain_undelivered);
    if (rest && pe->no_mail && judged)
        fprintf(f, " no-mail %u", pe->no_mail);
    if (rest && pe->commands_cut && judged) /* mail or not: its commands were not captured */
        fprintf(f, " commands-cut %u", pe->commands_cut);
    if (rest && pe->mail_unknown && judged) /* mail or not: its client's side not captured */
        fprintf(f, " mail-unknown %u", pe->mail_unknown);
    if (rest && pe->anontls) /* Exchange's own verb, in place of STARTTLS */
        fprintf(f, " (%u by X-ANONYMOUSTLS)", pe->anontls);
    /* one direction captured: said once, on the peer's STARTTLS row when
     * it has one (the counts are the peer's, not a part's) */
    bool unseen = part != RS_IMPLICIT || pe->sessions == pe->implicit;
    if (!judged && pe->server_unseen) /* the client's side alone: nothing to judge */
        fprintf(f, " server direction missing (%" PRIu32 " session%s): capture both directions",
                pe->server_unseen, pe->server_unseen == 1 ? "" : "s");
    else if (!judged) /* else an empty row, as if cut */
        fprintf(f, " nothing judged (%llu session%s: no EHLO reply, STARTTLS or TLS read in %s)",
                (unsigned long long)sessions, sessions == 1 ? "" : "s",
                sessions == 1 ? "it" : "them");
    else if (unseen && pe->server_unseen)
        fprintf(f, " (server direction missing in %" PRIu32 ": capture both directions)",
                pe->server_unseen);
    if (unseen && pe->client_unseen) /* the server's side alone: what the client sent is unknown */
        fprintf(f, " (client direction not captured in %" PRIu32 ")", pe->client_unseen);
}

/* The rows of part under label, the peers in ord (by address) that have
 * sessions of it. */
static void
rs_rows(FILE *f, const struct agg_server *s, const uint32_t *ord, const char *label,
        enum rs_part part)
{
    char ip[64];
    fprintf(f, "%s  %s", part == RS_IMPLICIT ? "\n" : "", label);
    unsigned k = 0;
    for (uint32_t i = 0; i < s->n_peers; i++) {
        uint32_t p = ord ? ord[i] : i;
        const struct agg_peer *pe = &s->peers[p];
        if ((part == RS_STARTTLS && pe->sessions == pe->implicit) ||
            (part == RS_IMPLICIT && pe->implicit == 0))
            continue;
        agg_peer_str(s, p, ip, sizeof(ip));
        int pad = k++ ? (int)strlen(label) : 0;
        fprintf(f, "%s%*s%s:", pad ? "\n  " : "", pad, "", ip);
        rs_counts(f, pe, part);
    }
}

void
agg_starttls_rows(FILE *f, const struct agg_server *s)
{
    uint32_t *ord = s->n_peers ? malloc(s->n_peers * sizeof(*ord)) : NULL;
    for (uint32_t p = 0; ord && p < s->n_peers; p++)
        ord[p] = p;
    if (ord)
        agg_peers_sorted(s, ord, s->n_peers); /* by address, as every list of peers */
    if (s->implicit > 0 && s->implicit == s->sessions) {
        rs_rows(f, s, ord, "implicit TLS ", RS_ALL);
    } else {
        rs_rows(f, s, ord, "STARTTLS   ", s->implicit ? RS_STARTTLS : RS_ALL);
        if (s->implicit)
            rs_rows(f, s, ord, "implicit TLS ", RS_IMPLICIT);
    }
    free(ord);
    fprintf(f, "\n\n");
}
