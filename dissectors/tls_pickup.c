/* \summary: TLS picked up in the middle of a handshake: a capture started
 * late (a span port switched on, a ring buffer's first file, tcpdump started
 * while a session was under way), so that neither the connection's start
 * (facts.midstream) nor the ClientHello was seen. What the capture begins
 * with is then not what a connection begins with, and three things follow.
 *
 * A direction may begin inside a record (the rest of a Certificate that
 * spans segments, of an encrypted flight): its first bytes are no record
 * header, and where its records begin is not known. That is no damage of
 * the peers' (no tls.malformed_record): the direction is read again from
 * the first delivery that begins with a record header, as a sender's
 * segments usually begin with one (anomaly tls.midstream_record).
 *
 * A direction may be under keys already, its ChangeCipherSpec (RFC 5246
 * §7.1) before the capture: application data, an alert longer than the 2
 * bytes of one in clear (RFC 5246 §6.2.3: a MAC or an AEAD tag), and a
 * handshake record whose bytes are no handshake messages (RFC 5246 §7.4:
 * type, 24-bit length; an encrypted Finished, §7.4.9) are then read as
 * encrypted, not as clear messages, alerts or application data in clear.
 * Application data of a side (RFC 5246 §7.4.9: sent only after its
 * Finished) tells that side's Finished was sent.
 *
 * The handshake seen is a tail of it: its history says so ("... " first),
 * and an unreadable alert does not fail it (a close_notify after a
 * handshake whose end was not seen). A connection picked up after its
 * handshake altogether is tls_unseen's (tls.c). */
#include "config.h"
#include "tls_int.h"

bool
tls_pickup(struct flow_ctx *ctx, const struct tls_state *st)
{
    return fctx_facts(ctx)->midstream && !st->ch_seen;
}

/* A record header (RFC 8446 §5.1): content type 20-24, version 3.x, a
 * length TLS allows (RFC 5246 §6.2.3). Bytes not here yet (fewer than 5)
 * are not held against it. */
static bool
tls_pickup_header_ok(const struct rd *r)
{
    int type = rd_peek(r, 0), major = rd_peek(r, 1), minor = rd_peek(r, 2);
    int hi = rd_peek(r, 3), lo = rd_peek(r, 4);
    if (type >= 0 && (type < TLS_CT_CCS || type > TLS_CT_HEARTBEAT))
        return false;
    if ((major >= 0 && major != 3) || minor > 4)
        return false;
    return hi < 0 || lo < 0 || ((uint32_t)hi << 8 | (uint32_t)lo) <= TLS_RECORD_MAX;
}

bool
tls_pickup_resync(struct flow_ctx *ctx, struct tls_state *st, enum dir d, struct rd *r)
{
    struct tls_dir *td = &st->dir[d];
    if (!td->resync && (td->records > 0 || !fctx_facts(ctx)->midstream))
        return false;
    if (tls_pickup_header_ok(r)) {
        td->resync = false;
        return false;
    }
    if (!td->resync)
        fctx_event(ctx, "tls.midstream_record",
                   d == DIR_TO_SERVER
                       ? "client picked up inside a TLS record: read from a later record"
                       : "server picked up inside a TLS record: read from a later record");
    td->resync = true;
    rd_skip(r, rd_left(r), "tls.midstream_record");
    return true;
}

/* Handshake types of TLS 1.2 and 1.3 (RFC 5246 §7.4, RFC 8446 §4). */
static bool
tls_pickup_hs_type(uint8_t type)
{
    switch (type) {
    case 0:
    case 1:
    case 2:
    case 4:
    case 5:
    case 8:
    case 11:
    case 12:
    case 13:
    case 14:
    case 15:
    case 16:
    case 20:
    case 22:
    case 24:
    case 254:
        return true;
    default:
        return false;
    }
}

/* Whether the bytes of a handshake record can be clear handshake messages:
 * known types whose lengths add up, the last one perhaps going on in the
 * next record (within tls.hs_msg_max). An encrypted Finished (random bytes)
 * passes with a chance of about 1 in 5 000. */
static bool
tls_pickup_hs_plausible(struct flow_ctx *ctx, const uint8_t *p, uint32_t len)
{
    struct rd r = rd_init(p, len);
    uint32_t cap = fctx_config(ctx)->tls_hs_msg_max;
    if (len < 4)
        return false;
    while (rd_left(&r) >= 4) {
        uint8_t type = rd_u8(&r, "hs.type");
        uint32_t mlen = rd_be24(&r, "hs.length");
        if (!tls_pickup_hs_type(type) || mlen > cap)
            return false;
        if (mlen > rd_left(&r))
            return true; /* goes on in the next record */
        rd_skip(&r, mlen, "hs.body");
    }
    return rd_left(&r) == 0;
}

bool
tls_pickup_encrypted(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
                     const uint8_t *p, uint32_t len)
{
    struct tls_dir *td = &st->dir[d];
    if (td->encrypted || st->tls13 || !tls_pickup(ctx, st) || td->hs_len > 0 || td->skip > 0)
        return false;
    bool keyed = type == TLS_CT_APPDATA || (type == TLS_CT_ALERT && len > 2) ||
                 (type == TLS_CT_HANDSHAKE && fctx_facts(ctx)->tls.last_hs[d] < 0 &&
                  !tls_pickup_hs_plausible(ctx, p, len));
    if (keyed)
        td->encrypted = true;
    return keyed;
}
