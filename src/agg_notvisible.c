/* \summary: the finding certificates_not_visible: why a server's certificates
 * could not be seen in the capture (diagnose.c dg_not_visible_why, one
 * reason a session), told in its headline so that it is true of every
 * session it counts: a Certificate message sent and hidden (TLS 1.3 without
 * the keys), sent and unreadable, a capture that lost its bytes, ended
 * before it, or began after it. docs/findings.md lists the reasons. */
#include "agg_int.h"
#include "strcopy.h"

void
agg_nv_note(struct agg_server *s, const struct diagnosis *dg)
{
    if (dg->certificates_not_visible && dg->not_visible_why < DG_NV_COUNT)
        s->nv_why[dg->not_visible_why]++;
}

void
agg_nv_evidence(struct strbuf *b, const struct diagnosis *dg, const struct tls_facts *t,
                unsigned n_keylogs)
{
    switch (dg->not_visible_why) {
    case DG_NV_CAPPED:
        str_add(b, "cut short by smtptap's cap ", dg->handshake_capped, ": raise it (--cap ",
                dg->handshake_capped, "=VALUE)", NULL);
        break;
    case DG_NV_ENCRYPTED: /* RFC 8446 §2: all after the ServerHello is encrypted */
        str_add(b,
                n_keylogs > 0
                    ? "TLS 1.3 encrypts them, and the key log given (--keylog) has no secrets for "
                      "this session's client random: log the keys (SSLKEYLOGFILE) on the client "
                      "or server of this connection"
                    : "TLS 1.3 encrypts them: a key log (--keylog) shows them",
                NULL);
        break;
    case DG_NV_MALFORMED:
        str_add(b,
                "the server's Certificate message is malformed (its lengths do not add up, or "
                "its list is empty): no chain was judged from it",
                NULL);
        break;
    case DG_NV_GAP:
        str_add(b,
                "the capture lacks their bytes (cut by its snapshot length, or packets lost): "
                "capture whole packets (-s 0) without drops",
                NULL);
        break;
    case DG_NV_ENDED_ANSWER:
    case DG_NV_ENDED_NO_ANSWER:
        str_add(b,
                "the capture ended during the handshake, before the server's Certificate (the "
                "end of the file, -c COUNT, or the capture stopped): capture for longer",
                NULL);
        break;
    case DG_NV_PICKED_UP:
        str_add(b,
                t->handshake == TLS_HS_UNSEEN
                    ? "picked up after the handshake's certificates (after the whole handshake, "
                      "its records encrypted): capture from the connection's start"
                    : "picked up after the handshake's certificates (neither the ClientHello nor "
                      "the ServerHello is in the capture): capture from the connection's start",
                NULL);
        break;
    default:
        str_add(b, "cut short (the connection ended, or a cap was reached)", NULL);
        break;
    }
}

/* One reason's headline, the server's name inside it: what the capture
 * shows of the certificates, never more (a server that sent none, or
 * never answered, is not said to have sent any). */
static void
agg_nv_one(struct strbuf *b, unsigned why, const char *ep, uint32_t sessions)
{
    switch (why) {
    case DG_NV_CAPPED:
        str_add(b, "the certificates of ", ep,
                " cannot be seen: a cap of smtptap's own cut its handshakes short before they "
                "could be read whole",
                NULL);
        break;
    case DG_NV_ENCRYPTED:
        str_add(b, "the certificates ", ep, " presented cannot be seen in this capture", NULL);
        break;
    case DG_NV_MALFORMED:
        str_add(b, ep,
                " sent a malformed Certificate message, from which no certificate can be "
                "judged",
                NULL);
        break;
    case DG_NV_GAP:
        str_add(b, "the capture lost bytes of ", ep,
                "'s handshakes where its certificates come, so they cannot be seen", NULL);
        break;
    case DG_NV_ENDED_ANSWER:
        str_add(b, "the capture ended before ", ep,
                " sent its certificates (after its ServerHello), so they cannot be seen", NULL);
        break;
    case DG_NV_ENDED_NO_ANSWER:
        str_add(b, "the capture ended before ", ep,
                " answered the TLS ClientHello (if it answered at all), so its certificates "
                "cannot be seen",
                NULL);
        break;
    case DG_NV_PICKED_UP:
        str_add(b, "the capture began after ", ep, " sent its certificates (",
                sessions == 1 ? "the connection was" : "the connections were",
                " picked up midway), so they cannot be seen", NULL);
        break;
    default: /* DG_NV_TRUNCATED */
        str_add(b, "the certificates ", ep,
                " sent were cut short in this capture, so they cannot be seen whole", NULL);
        break;
    }
}

/* Several reasons, each in a few words. */
static const char *const agg_nv_short[DG_NV_COUNT] = {
    [DG_NV_CAPPED] = "a cap of smtptap's own cut the handshake short",
    [DG_NV_ENCRYPTED] = "TLS 1.3 encrypted them",
    [DG_NV_MALFORMED] = "the Certificate message was malformed",
    [DG_NV_GAP] = "the capture lost their bytes",
    [DG_NV_TRUNCATED] = "they were cut short",
    [DG_NV_ENDED_ANSWER] = "the capture ended after the ServerHello",
    [DG_NV_ENDED_NO_ANSWER] = "the capture ended before the server answered",
    [DG_NV_PICKED_UP] = "the capture began after them",
};

void
agg_nv_headline(struct strbuf *b, const struct agg_server *s, const char *ep)
{
    unsigned reasons = 0, one = DG_NV_TRUNCATED;
    for (unsigned w = DG_NV_NONE + 1; w < DG_NV_COUNT; w++)
        if (s->nv_why[w] > 0) {
            reasons++;
            one = w;
        }
    if (reasons <= 1) {
        agg_nv_one(b, one, ep, s->nv_why[one]);
        return;
    }
    str_add(b, "the certificates of ", ep, " cannot be seen in this capture, for ", NULL);
    str_add_uint(b, reasons);
    str_add(b, " reasons: ", NULL);
    for (unsigned w = DG_NV_NONE + 1, k = 0; w < DG_NV_COUNT; w++) {
        if (s->nv_why[w] == 0)
            continue;
        str_add(b, k++ ? "; " : "", agg_nv_short[w], " in ", NULL);
        str_add_uint(b, s->nv_why[w]);
        str_add(b, s->nv_why[w] == 1 ? " session" : " sessions", NULL);
    }
}
