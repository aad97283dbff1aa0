/* \summary: client_closed_after_handshake on a server, by what each peer did
 * over TLS in the capture (agg_closed.h). A lone QUIT right after a
 * handshake whose chain verifies here (or that TLS 1.3 hid) is either a
 * check (swaks --quit-after TLS) or a sending MTA whose own trust store or
 * policy refused the chain: Postfix at smtp_tls_security_level verify or
 * secure logs "Server certificate not verified", sends QUIT inside TLS
 * (RFC 5321 section 4.1.1.10) and defers its mail (CASES.md case 1, a root
 * its store lacks; pcaps/diag/tls13-quit.pcap). Nothing in one session tells
 * them apart; the peer's other sessions do in part: one that went further
 * over TLS with this server (EHLO after the handshake, RFC 3207 section
 * 4.2) accepted the chain, so its lone QUITs refuse nothing; one whose
 * every TLS session here closed right after the handshake, a lone QUIT
 * among them, never did, as a refusing MTA would not. Such peers make the
 * finding low and are named; close_notify, a FIN or a RST alone (openssl
 * s_client </dev/null) is no MTA's refusal, which sends QUIT first. */
#include <stdint.h>

#include "agg_int.h"
#include "agg_closed.h"
#include "strcopy.h"

void
agg_closed_note(struct agg_peer *p, const struct flow_record *rec, const struct diagnosis *dg)
{
    const struct tls_facts *t = &rec->facts->tls;
    /* tls_after.c: the client's records past the handshake fit no lone
     * QUIT nor a close (an EHLO: the server's answer to it read, reply),
     * or were more than those */
    if (t->after_read && t->cipher_seen && (t->after[0].more || t->reply != TLS_REPLY_NONE))
        p->further = 1;
    if (dg->client_closed_after_handshake && !dg->manual_tls_probe && diagnose_client_quit(rec) &&
        p->closed_quit < UINT16_MAX)
        p->closed_quit++;
}

/* A peer that sent a lone QUIT and never went further over TLS here: no
 * session of its seen going past the handshake, and each of its TLS
 * sessions closed right after the handshake or failed (one whose end the
 * capture did not show, cut or picked up mid-stream, may have gone on). */
static bool
agg_closed_never(const struct agg_peer *p)
{
    return p->closed_quit > 0 && !p->further && (uint64_t)p->closed + p->tls_failed >= p->used;
}

int
agg_closed_severity(const struct agg_server *s, const struct agg_flagstat *fs)
{
    if (fs->quits == 0)
        return SEV_INFO;
    for (uint32_t i = 0; i < s->n_peers; i++)
        if (agg_closed_never(&s->peers[i]))
            return SEV_LOW;
    return SEV_INFO;
}

/* "198.51.100.13 (3 sessions, each a lone QUIT)" */
static void
agg_closed_peer(struct strbuf *b, const struct agg_server *s, uint32_t i)
{
    const struct agg_peer *p = &s->peers[i];
    char ip[64];
    agg_peer_str(s, i, ip, sizeof(ip));
    str_add(b, ip, " (", NULL);
    bool sat = p->closed_quit == UINT16_MAX;
    if (!sat && p->closed_quit == p->used) {
        agg_add_sessions(b, p->used);
        str_add(b, p->used == 1 ? ", a lone QUIT)" : ", each a lone QUIT)", NULL);
        return;
    }
    str_add_uint(b, p->used);
    str_add(b, " TLS sessions, ", NULL);
    str_add_uint(b, p->closed_quit);
    str_add(b, sat ? " or more" : "",
            " of them a lone QUIT, the others closed right after the handshake too or "
            "failed)",
            NULL);
}

/* The peers (by address) that pass want (never, or went further), at most
 * 3 written and how many more: "A (..), B (..) and 2 more"; how many. */
static unsigned
agg_closed_list(struct strbuf *b, const struct agg_server *s, bool never)
{
    uint32_t v[AGG_FPEERS_MAX];
    unsigned n = 0, more = 0;
    for (uint32_t i = 0; i < s->n_peers; i++) {
        const struct agg_peer *p = &s->peers[i];
        bool pass = never ? agg_closed_never(p) : p->closed_quit > 0 && p->further;
        if (!pass)
            continue;
        if (n < AGG_FPEERS_MAX)
            v[n++] = i;
        else
            more++;
    }
    if (b == NULL)
        return n + more;
    agg_peers_sorted(s, v, n);
    unsigned shown = n < 3 ? n : 3;
    for (unsigned k = 0; k < shown; k++) {
        str_add(b, k == 0 ? "" : k + 1 == shown && n + more == shown ? " and " : ", ", NULL);
        if (never) {
            agg_closed_peer(b, s, v[k]);
        } else {
            char ip[64];
            agg_peer_str(s, v[k], ip, sizeof(ip));
            str_add(b, ip, NULL);
        }
    }
    if (n + more > shown) {
        str_add(b, " and ", NULL);
        str_add_uint(b, n + more - shown);
        str_add(b, " more", NULL);
    }
    return n + more;
}

void
agg_closed_headline(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    if (fs->quits == 0) {
        str_add(b,
                "had sessions closed by the client right after the handshake without any "
                "command over TLS (close_notify alone, or a FIN or RST): probes and checks such "
                "as openssl s_client </dev/null and monitoring plugins, no refusal (a mail server "
                "that refuses a chain without an alert sends a QUIT first); not counted as "
                "failed nor as TLS-RPT failures",
                NULL);
        return;
    }
    unsigned further = agg_closed_list(NULL, s, false);
    if (agg_closed_list(NULL, s, true) == 0) {
        str_add(b,
                "had sessions closed by the client right after the handshake without mail (no "
                "command over TLS, or a lone QUIT after a chain with no problem seen: it "
                "verifies, or TLS 1.3 hid it): probes and checks such as swaks --quit-after TLS, "
                "openssl s_client </dev/null, monitoring plugins; no refusal, not counted as "
                "failed nor as TLS-RPT failures",
                NULL);
    } else {
        str_add(b, "had sessions closed by the client right after the handshake without mail; ",
                NULL);
        bool one = agg_closed_list(b, s, true) == 1;
        str_add(b, " never went further over TLS here: ",
                one ? "a check such as swaks --quit-after TLS, or a mail server"
                    : "checks such as swaks --quit-after TLS, or mail servers",
                " whose own trust store or policy refuses this chain", NULL);
        /* the chain as the finding's sessions showed it here */
        bool hidden = fs->cert_ok == 0;
        str_add(b,
                hidden                        ? ", which TLS 1.3 hid here"
                : fs->cert_ok == fs->sessions ? " although it verifies here"
                                              : " although it verifies here where it was visible",
                " (Postfix logs \"Server certificate not verified\" and defers its mail): ",
                one ? "if it is a mail server" : "if one is a mail server",
                ", compare its trust store (a root it lacks) and its expected name",
                hidden ? ", and give smtptap a key log (--keylog) to see the chain" : "",
                "; not counted as failed nor as TLS-RPT failures", NULL);
        /* the finding's other sessions, which the peers named do not
         * account for: closes without a command, no MTA's refusal */
        if (fs->sessions > fs->quits) {
            uint64_t other = fs->sessions - fs->quits;
            str_add(b, "; ", NULL);
            str_add_uint(b, other);
            str_add(b, other == 1 ? " other session" : " other sessions",
                    " closed with no command over TLS (close_notify, a FIN or RST): probes "
                    "such as openssl s_client </dev/null",
                    NULL);
        }
    }
    if (further > 0) {
        str_add(b, "; ", NULL);
        agg_closed_list(b, s, false);
        str_add(b,
                further == 1 ? " went further over TLS here in other sessions (a command past the "
                               "handshake): it accepts the chain, its lone QUITs are no refusal"
                             : " went further over TLS here in other sessions (a command past the "
                               "handshake): they accept the chain, their lone QUITs are no refusal",
                NULL);
    }
}
