/* \summary: a side's TLS handshake read again after a hole in its stream
 * (bytes lost for good: a span port's loss, a snapshot length cut). Where
 * its records begin is then not known; two steps find it again.
 *
 * The record framing: the first offset after the hole where a record
 * header is followed by another or by the end of the bytes that came
 * (tls_frame.h, the rule the -w evidence writer follows). The bytes before
 * it (the rest of a record begun in the hole) are skipped.
 *
 * The handshake messages: a message may span records (RFC 5246 §6.2.1,
 * RFC 8446 §5.1), so a record after the hole may hold the rest of a
 * message cut by it. Messages are read again only from a handshake record
 * whose bytes begin with a message this side sends (a known type, RFC
 * 5246 §7.4, RFC 8446 §4), whose lengths add up to the record's or whose
 * last one goes on in the next records (within tls.hs_msg_max; a
 * Certificate's certificate_list length then agrees with its own, RFC 5246
 * §7.4.2); a handshake record before it is skipped. A Certificate read so
 * gives the chain, judged as any; one cut by the hole is lost
 * (certificates "gap").
 *
 * The gap stays said (tls.gap, the history's "(gap)", the session's status
 * "gap"); tls.resync says where reading began again, and when the
 * ServerHello was lost that the version and cipher are unknown (they stay
 * null: nothing is guessed). A direction under keys (after its
 * ChangeCipherSpec, or past a TLS 1.3 ServerHello, whose records are
 * encrypted and with --keylog numbered, RFC 8446 §5.3) is not read again. */
#include "config.h"
#include "tls_frame.h"
#include "tls_int.h"

bool
tls_resync_begin(struct flow_ctx *ctx, struct tls_state *st, enum dir d)
{
    struct tls_dir *td = &st->dir[d];
    if (td->encrypted || st->tls13 || td->lost)
        return false;
    /* what was kept of a message, or of an alert, is cut by the hole */
    fctx_free(ctx, td->hs, td->hs_cap);
    td->hs = NULL;
    td->hs_len = td->hs_cap = 0;
    td->skip = 0;
    td->partial = false;
    td->partial_type = 0;
    td->alert_half = false;
    td->sync = TLS_SYNC_FRAME;
    return true;
}

enum tls_resync_res
tls_resync_frame(struct tls_state *st, enum dir d, struct rd *r, uint32_t *need)
{
    const uint8_t *b = r->p;
    uint32_t n = (uint32_t)rd_left(r);
    *need = 0;
    for (uint32_t o = 0; o < n; o++) {
        uint32_t end;
        enum tls_frame c = tls_frame_at(b, n, o, &end);
        if (c == TLS_FRAME_NO)
            continue;
        rd_skip(r, o, "tls.resync");
        if (c == TLS_FRAME_YES) {
            st->dir[d].sync = TLS_SYNC_MSG;
            return TLS_RESYNC_FOUND;
        }
        /* the header, its record, or the header after it still to come:
         * a segment that ends with the record ends where it does */
        *need = end == 0 ? 5 : end > n ? end - o : end + 5 - o;
        return TLS_RESYNC_NEED;
    }
    rd_skip(r, n, "tls.resync");
    return TLS_RESYNC_NONE;
}

/* Handshake types each side sends before its keys (RFC 5246 §7.4, RFC 8446
 * §4: HelloRequest, ServerHello, NewSessionTicket, Certificate,
 * ServerKeyExchange, CertificateRequest, ServerHelloDone,
 * CertificateStatus; ClientHello, Certificate, CertificateVerify,
 * ClientKeyExchange). */
static bool
tls_resync_type(enum dir d, uint8_t type)
{
    if (d == DIR_TO_CLIENT)
        return type == 0 || type == 2 || type == 4 || (type >= 11 && type <= 14) || type == 22;
    return type == 1 || type == 11 || type == 15 || type == 16;
}

/* A Certificate's body, perhaps cut (have of mlen bytes here): its
 * certificate_list fills it (RFC 5246 §7.4.2), its first entry fits in the
 * list and is a DER SEQUENCE. */
static bool
tls_resync_crt(const uint8_t *body, uint32_t have, uint32_t mlen)
{
    struct rd r = rd_init(body, have);
    if (have >= 3 && rd_be24(&r, "crt.list_len") + 3 != mlen)
        return false;
    if (have >= 6 && rd_be24(&r, "crt.len") + 3 > mlen - 3)
        return false;
    return have < 7 || rd_peek(&r, 0) == 0x30;
}

bool
tls_resync_plausible(enum dir d, const uint8_t *p, uint32_t len, uint32_t cap)
{
    struct rd r = rd_init(p, len);
    if (len == 0)
        return false;
    while (rd_left(&r) >= 4) {
        uint8_t type = rd_u8(&r, "hs.type");
        uint32_t mlen = rd_be24(&r, "hs.length");
        uint32_t have = (uint32_t)rd_left(&r);
        if (!tls_resync_type(d, type) || mlen > cap)
            return false;
        if (type == TLS_HS_CERTIFICATE && !tls_resync_crt(r.p, have < mlen ? have : mlen, mlen))
            return false;
        if (mlen > have)
            return true; /* goes on in the next records */
        rd_skip(&r, mlen, "hs.body");
    }
    /* a header cut by the record's end */
    return rd_left(&r) == 0 || tls_resync_type(d, (uint8_t)rd_peek(&r, 0));
}

bool
tls_resync_record(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *p,
                  uint32_t len)
{
    struct tls_dir *td = &st->dir[d];
    if (td->sync != TLS_SYNC_MSG)
        return true;
    if (!tls_resync_plausible(d, p, len, fctx_config(ctx)->tls_hs_msg_max))
        return false; /* the rest of a message the hole cut */
    td->sync = TLS_SYNC_NONE;
    /* read again before its ServerHello: lost in the hole, with what it
     * alone says (RFC 5246 §7.4.1.3: the version and cipher suite) */
    bool sh_lost = d == DIR_TO_CLIENT && !st->sh_seen && p[0] != TLS_HS_SERVER_HELLO;
    fctx_event(ctx, "tls.resync",
               d == DIR_TO_SERVER ? "client's handshake read again after the gap, from a record's "
                                    "first message"
               : sh_lost ? "server's handshake read again after the gap; its ServerHello lost: "
                           "version, cipher unknown"
                         : "server's handshake read again after the gap, from a record's first "
                           "message");
    return true;
}
