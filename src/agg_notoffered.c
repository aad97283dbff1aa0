/* \summary: starttls_not_offered's headline (split from
 * agg_findings_flags.c): how its sessions' EHLO was answered, and whether the
 * server offered STARTTLS to other peers or in other sessions of the capture
 * ("to these peers", "in these sessions": the starttls_inconsistent
 * finding's case), RFC 3207 section 4, RFC 5321 section 4.1.1.1. */
#include <stdbool.h>
#include <stdint.h>

#include "agg_int.h"
#include "agg_notoffered.h"
#include "strcopy.h"

/* starttls_not_offered on a server that offered STARTTLS to other peers,
 * or to the same peers in other sessions, in this capture (the
 * starttls_inconsistent finding, agg_findings.c, by the same counts): then
 * "did not offer STARTTLS" alone would say the server has none (RFC 3207
 * section 4: the offer is per EHLO reply). Returns 0 when it never offered
 * it; else 1 when none of these peers was ever offered it ("to these
 * peers"), 2 when each of them was in other sessions, 3 when some were. */
static int
agg_not_offered_scope(const struct agg_server *s)
{
    bool offered = s->unkept_offered > 0, some_both = false, some_never = false;
    for (uint32_t p = 0; p < s->n_peers; p++) {
        const struct agg_peer *pe = &s->peers[p];
        offered |= pe->offered > 0;
        if (pe->not_offered) {
            some_both |= pe->offered > 0;
            some_never |= pe->offered == 0;
        }
    }
    /* peers past report.peers_max count by their sessions: whether the
     * same ones got the offer is not known */
    if (s->unkept_no_offer) {
        some_never = true;
        some_both |= s->unkept_offered > 0;
    }
    return !offered ? 0 : !some_both ? 1 : !some_never ? 2 : 3;
}

/* starttls_not_offered by how its sessions' EHLO was answered (agg_ehlo_note):
 * a server that rejects EHLO itself (500 or 502, RFC 5321 §4.1.1.1) speaks
 * RFC 821 SMTP only, with no extension to offer, STARTTLS included; "in its
 * EHLO reply" would say it had one. On a server that offered it elsewhere in
 * the capture (agg_not_offered_scope), "to these peers" or "in these
 * sessions", and the causes starttls_inconsistent gives. */
void
agg_not_offered_text(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    unsigned e = fs->ehlo;
    unsigned unk = e & (AGG_EHLO_UNKNOWN_500 | AGG_EHLO_UNKNOWN_502);
    int scope = agg_not_offered_scope(s);
    const char *sep = ": ";
    if ((e & ~(unsigned)AGG_EHLO_NO_STARTTLS) == 0) {
        str_add(b,
                scope == 0   ? "did not offer STARTTLS in its EHLO reply"
                : scope == 1 ? "did not offer STARTTLS to these peers in its EHLO reply"
                             : "did not offer STARTTLS in these sessions' EHLO replies",
                NULL);
    } else {
        str_add(b, "did not offer STARTTLS",
                scope == 0   ? ""
                : scope == 1 ? " to these peers"
                             : " in these sessions",
                NULL);
        if (e & AGG_EHLO_NO_STARTTLS) {
            str_add(b, sep, "its EHLO reply lacked it", NULL);
            sep = "; in other sessions, ";
        }
        if (e & AGG_EHLO_REFUSED) {
            str_add(b, sep, "it refused EHLO (a reply neither 2xx nor 500/502)", NULL);
            sep = "; in other sessions, ";
        }
        if (unk) {
            str_add(b, sep, "it answered EHLO with ",
                    unk == AGG_EHLO_UNKNOWN_500   ? "500 (command unrecognized)"
                    : unk == AGG_EHLO_UNKNOWN_502 ? "502 (command not implemented)"
                                                  : "500 or 502 (EHLO unknown to it)",
                    ", as an RFC 821-only server does: one with no SMTP extension at all, "
                    "STARTTLS included (RFC 5321 sections 4.1.1.1 and 3.2: a client then falls "
                    "back to HELO); run a mail server that supports EHLO and STARTTLS",
                    NULL);
        }
    }
    if (scope == 0)
        return;
    str_add(b, (e & ~(unsigned)AGG_EHLO_NO_STARTTLS) == 0 ? ", though" : "; but",
            scope == 1 ? " it offered it to other peers" : " it offered it in other sessions",
            " in this capture, as starttls_inconsistent says: ",
            scope == 2 ? "a middlebox on their path, or nodes behind this address set up "
                         "differently"
                       : "a policy by source address, or a middlebox on their path",
            NULL);
}
