/* \summary: client certificates a server rejected (mutual TLS), per peer:
 * what each peer sent (a certificate, an empty Certificate, nothing that
 * could be seen) and the alert it got, for server_rejected_client_certificate's
 * summary. One session's alert meaning would speak for every peer: a peer
 * that sent no certificate would read as rejected for another's. Likewise
 * the failed handshakes by reason, for tls_handshake_failed's (the server
 * certificates clients rejected, by certificate and alert, are
 * client_rejected_certificate's evidences: agg_evids.c). */
#include <string.h>

#include "agg_int.h"
#include "mem.h"
#include "strcopy.h"
#include "tls_names.h"

void
agg_reject_note(struct agg_server *s, const struct tls_facts *t, int code, uint32_t peer)
{
    if (s->rejects == NULL &&
        (s->rejects = mem_alloc(AGG_REJECTS_MAX * sizeof(*s->rejects))) == NULL)
        return; /* memcap: counted there */
    uint32_t sent = t->n_client_chain > 0                      ? t->client_chain[0]
                    : t->client_certificates == TLS_CERTS_NONE ? AGG_SENT_NONE
                                                               : AGG_SENT_UNSEEN;
    unsigned k = 0;
    while (k < s->n_rejects && (s->rejects[k].sent != sent || s->rejects[k].code != code))
        k++;
    if (k == s->n_rejects) {
        if (k >= AGG_REJECTS_MAX) {
            s->rejects_dropped++;
            return;
        }
        memset(&s->rejects[k], 0, sizeof(s->rejects[k]));
        s->rejects[k].sent = sent;
        s->rejects[k].code = (int16_t)code;
        s->n_rejects++;
    }
    agg_set_add_peer(&s->rejects[k].peers, peer);
}

/* "198.51.100.10 sent CN=client.other (SHA-1 6867BCB0, until 2028-01-01),
 * refused with unknown_ca (48); 198.51.100.11 sent none, refused with
 * handshake_failure (40)" */
void
agg_reject_text(struct strbuf *b, const struct agg_server *s)
{
    for (unsigned k = 0; k < s->n_rejects; k++) {
        const struct agg_reject *r = &s->rejects[k];
        char peers[200], label[300];
        agg_peers_text(s, &r->peers, peers, sizeof(peers));
        if (r->sent == AGG_SENT_NONE)
            str_copy(label, sizeof(label), "no certificate");
        else if (r->sent == AGG_SENT_UNSEEN)
            str_copy(label, sizeof(label), "no certificate that could be seen");
        else
            agg_leaf_label(r->sent, label, sizeof(label));
        const char *nm = r->code >= 0 ? tls_alert_str(r->code) : NULL;
        str_add(b, k ? "; " : "", peers[0] ? peers : "peers not listed", " sent ", label,
                ", refused with ", NULL);
        if (r->code < 0) {
            str_add(b, "an encrypted alert", NULL);
        } else {
            str_add(b, nm ? nm : "an unknown alert", " (", NULL);
            str_add_uint(b, (unsigned)r->code);
            str_add(b, ")", NULL);
        }
    }
    if (s->rejects_dropped) {
        str_add(b, "; and ", NULL);
        str_add_uint(b, s->rejects_dropped);
        str_add(b, " sessions more", NULL);
    }
}

/* " from 198.51.100.10 (2 sessions)" (with_peers), or " in 2 sessions". */
void
agg_from_sessions(struct strbuf *b, const struct agg_server *s, const struct agg_set *peers,
                  uint64_t sessions, bool with_peers)
{
    if (with_peers) {
        char p[200];
        agg_peers_text(s, peers, p, sizeof(p));
        str_add(b, p[0] ? " from " : "", p, " (", NULL);
    } else {
        str_add(b, " in ", NULL);
    }
    str_add_uint(b, sessions);
    str_add(b, sessions == 1 ? " session" : " sessions", with_peers ? ")" : "", NULL);
}

/* A failed handshake without an alert: the connection ended in it (FIN or
 * RST while the handshake was unfinished and no TLS bytes were lost). */
const char agg_fail_no_alert[] = "the connection ended during the handshake, with no alert";

void
agg_fail_note(struct agg_server *s, const char *meaning, uint32_t peer)
{
    if (s->fails == NULL && (s->fails = mem_alloc(AGG_FAILS_MAX * sizeof(*s->fails))) == NULL)
        return; /* memcap: counted there */
    if (meaning[0] == '\0')
        meaning = agg_fail_no_alert;
    unsigned k = 0;
    while (k < s->n_fails && strcmp(s->fails[k].meaning, meaning) != 0)
        k++;
    if (k == s->n_fails) {
        if (k >= AGG_FAILS_MAX) {
            s->fails_dropped++;
            return;
        }
        memset(&s->fails[k], 0, sizeof(s->fails[k]));
        str_copy(s->fails[k].meaning, sizeof(s->fails[k].meaning), meaning);
        s->n_fails++;
    }
    s->fails[k].sessions++;
    if (peer != UINT32_MAX)
        agg_set_add(&s->fails[k].peers, peer);
}

size_t
agg_meaning_head(const char *m)
{
    const char *w = NULL;
    for (const char *p = strstr(m, " with "); p; p = strstr(p + 1, " with "))
        w = p;
    return w ? (size_t)(w - m) : strlen(m);
}

/* "the client rejected the server certificate CN=X with bad_certificate
 * (42) from 198.51.100.10 (2 sessions), unknown_ca (48) from 198.51.100.11
 * (1 session); the server ended the handshake with ..." (peers), or "... in
 * 2 sessions, ..." (without): reasons sharing what happened are written
 * once, with each alert. */
void
agg_fail_text(struct strbuf *b, const struct agg_server *s, bool peers)
{
    for (unsigned k = 0; k < s->n_fails; k++) {
        const struct agg_fail *f = &s->fails[k];
        size_t head = agg_meaning_head(f->meaning);
        const struct agg_fail *prev = k ? &s->fails[k - 1] : NULL;
        if (prev && f->meaning[head] && agg_meaning_head(prev->meaning) == head &&
            memcmp(prev->meaning, f->meaning, head) == 0)
            str_add(b, ", ", f->meaning + head + 6, NULL); /* after " with " */
        else
            str_add(b, k ? "; " : "", f->meaning, NULL);
        agg_from_sessions(b, s, &f->peers, f->sessions, peers);
    }
    if (s->fails_dropped) {
        str_add(b, "; and ", NULL);
        str_add_uint(b, s->fails_dropped);
        str_add(b, s->fails_dropped == 1 ? " session" : " sessions", " for other reasons", NULL);
    }
}
