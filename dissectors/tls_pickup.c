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
 * handshake altogether is tls_unseen's (tls.c).
 *
 * Picked up right after the server's ServerHello, a resumed handshake
 * (no Certificate) looks like a full one whose certificates came before the
 * capture; the order of the ChangeCipherSpecs tells them apart
 * (tls_pickup_order). */
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

/* How far a picked-up handshake's server ChangeCipherSpec came first
 * (tls_state.pickup_order). */
enum {
    PICKUP_NONE = 0, /* nothing told yet */
    PICKUP_SCCS,     /* the server's CCS, nothing of the client's after any of its own */
    PICKUP_SFIN,     /* then the server's encrypted handshake record (its Finished) */
    PICKUP_TOLD,     /* decided, or no longer to be */
    PICKUP_SAPP      /* no CCS: the server's encrypted records first (TLS 1.3?) */
};

/* At most this many records of the server's before the client's Finished:
 * EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify,
 * Finished (RFC 8446 §2), each a record or several. */
#define PICKUP_SFLIGHT_MAX 16

/* A TLS 1.3 Finished under keys (RFC 8446 §5.2): its message (§4: a
 * 4-byte header; §4.4.4: verify_data of the hash's length, 32 for SHA-256,
 * 48 for SHA-384), the inner content type's byte, the AEAD's 16-byte tag
 * (8 for AES-CCM-8, a SHA-256 suite); no padding (tls_pickup_fin13_padded). */
static bool
tls_pickup_fin13_len(uint32_t len)
{
    return len == 4 + 32 + 1 + 16 || len == 4 + 48 + 1 + 16 || len == 4 + 32 + 1 + 8;
}

/* At most this many zeros pad a Finished's TLSInnerPlaintext (RFC 8446
 * §5.4: padding of any length a sender likes; a policy that pads to a block
 * adds less than the block, and blocks of 16 to 256 bytes are what stacks
 * offer: OpenSSL's SSL_CTX_set_block_padding). */
#define PICKUP_FIN13_PAD_MAX 255

/* A padded TLS 1.3 Finished's record (RFC 8446 §5.4): some suite's
 * Finished (tls_pickup_fin13_len) with 1 to PICKUP_FIN13_PAD_MAX zeros
 * after its content type, its TLSInnerPlaintext (the record less the tag)
 * padded to a multiple of 16 bytes, as block padding leaves it. The block's
 * shape is what keeps application data of any length from passing: §5.4
 * lets a sender pad by any length (OpenSSL's block may be any size, its
 * SSL_CTX_set_record_padding_callback any amount), but taking any length
 * would take an SMTPS connection picked up after its handshake (the
 * server's NewSessionTickets, then a 220 greeting whose record is a
 * Finished's length: 36 characters, 53 bytes under keys) and the client's
 * longer EHLO for this handshake's shape, every time, where a block of 16
 * lets one in 16 through. A client padding to another block is not told
 * (the connection stays picked up after its handshake). The suites' tags
 * (RFC 8446 §B.4; RFC 8998's SM4 suites alike): 16 bytes, 8 with
 * AES-CCM-8; RFC 9150's integrity-only suites (tag = HMAC, 32 or 48 bytes)
 * are not taken. */
static bool
tls_pickup_fin13_padded(uint32_t len)
{
    static const struct {
        uint8_t inner, tag;
    } fin[] = {{4 + 32 + 1, 16}, {4 + 48 + 1, 16}, {4 + 32 + 1, 8}};
    for (unsigned i = 0; i < sizeof(fin) / sizeof(fin[0]); i++) {
        uint32_t inner = len - fin[i].tag;
        if (len > fin[i].tag && inner > fin[i].inner &&
            inner - fin[i].inner <= PICKUP_FIN13_PAD_MAX && inner % 16 == 0)
            return true;
    }
    return false;
}

/* The client's first record after the server's flight, whose last record
 * was slen bytes long, is the client's Finished: of a Finished's length and
 * the server's last of the same (both hash with the one suite, §4.4.4),
 * or, padded (§5.4), at least as long as the server's last, itself a
 * Finished's length, padded or not (the server may pad less or not at all;
 * a client that pads less than the server is not told). */
static bool
tls_pickup_fin13_pair(uint32_t slen, uint32_t clen)
{
    if (clen == slen && tls_pickup_fin13_len(clen))
        return true;
    return clen >= slen && tls_pickup_fin13_padded(clen) &&
           (tls_pickup_fin13_len(slen) || tls_pickup_fin13_padded(slen));
}

bool
tls_pickup_watching(const struct tls_state *st)
{
    return st->pickup_order == PICKUP_SAPP;
}

bool
tls_pickup_watch_end(struct tls_state *st)
{
    if (st->pickup_order != PICKUP_SAPP)
        return false;
    st->pickup_order = PICKUP_TOLD;
    return true;
}

/* RFC 8446 Appendix D.4: the compatibility ChangeCipherSpec is optional.
 * Without it, a TLS 1.3 handshake picked up right after its ServerHello
 * shows records of type 23 alone (§5.2: application_data outside): the
 * server's encrypted flight, then the client's Finished, before any
 * application data. Told from a connection picked up after its handshake
 * (the server's NewSessionTickets, §4.6.1, then the client's data) by the
 * shape: the server's records the first of the connection, at least two
 * (EncryptedExtensions and Finished), then the client's first record, of
 * a Finished's length and of the same length as the server's last (both
 * Finished messages hash with the one suite), or padded (tls_pickup_fin13_pair).
 * Anything else: nothing is told, the connection stays picked up after its
 * handshake. */
static void
tls_pickup_noccs(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type, uint32_t len)
{
    if (d == DIR_TO_CLIENT && type == TLS_CT_APPDATA && st->pickup_srecs < PICKUP_SFLIGHT_MAX) {
        st->pickup_srecs++;
        st->pickup_slen = (uint16_t)len;
        return;
    }
    if (d == DIR_TO_SERVER && type == TLS_CT_APPDATA && st->pickup_srecs >= 2 &&
        tls_pickup_fin13_pair(st->pickup_slen, len))
        fctx_facts(ctx)->tls.pickup_undecided = TLS_PICKUP_UNDECIDED13_NOCCS;
    st->pickup_order = PICKUP_TOLD;
}

/* The server's ChangeCipherSpec came after the client's, by TCP: the
 * packet that carried the server's acknowledged bytes of the one that
 * carries the client's (RFC 9293 §3.4: an ACK covers bytes received), so
 * the server had the client's ChangeCipherSpec (and what came with it)
 * before sending its own. Capture order says otherwise when two taps' clocks
 * disagree (each direction stamped by its own): their order by time stamp
 * is not the peers'. In a resumed handshake the server's acknowledges the
 * ClientHello's end alone, where the client's ChangeCipherSpec begins. */
static bool
tls_pickup_acked(const struct flow_ctx *ctx, const struct tls_state *st)
{
    enum dir pd;
    uint32_t seq, ack;
    (void)fctx_packet_tcp(ctx, &pd, &seq, &ack);
    return st->pickup_sack_ok && pd == DIR_TO_SERVER && (int32_t)(st->pickup_sack - seq) > 0;
}

/* A ChangeCipherSpec record: its header and one byte (RFC 5246 §6.2.1,
 * §7.1). */
#define PICKUP_CCS_RECORD (PICKUP_RECORD_HDR + 1)

/* A record's header: type, version, length (RFC 5246 §6.2.1). */
#define PICKUP_RECORD_HDR 5

/* The server's ChangeCipherSpec and Finished, then its application data,
 * and no record of the client's between (none captured: a tap on the
 * server's direction alone, or the client's packets lost): what the
 * server's own ACKs say of the client's bytes it had (RFC 9293 §3.4: a
 * segment's ACK is the next byte its sender expects, every byte before it
 * received), from the packet of its ChangeCipherSpec (pickup_sack) to the
 * one of its first application data (this packet).
 *
 * In a full handshake (RFC 5246 §7.3) the server sends its ChangeCipherSpec
 * and Finished once it has the client's Finished; in the abbreviated one
 * (resumed) it sends them after its ServerHello, with the ClientHello
 * alone received, and sends application data only once the client's
 * ChangeCipherSpec and Finished came (§7.4.9: after it "received and
 * validated the Finished message from its peer"). So:
 *
 * - the same ACK on both: the server had no client byte past its
 *   ChangeCipherSpec's when it sent data, so it had not the client's
 *   ChangeCipherSpec and Finished that a resumed handshake needs first:
 *   full (certificates sent before the capture), on any port. It speaks
 *   first so after the handshake on implicit TLS (RFC 8314 §3.3, 465: its
 *   220 greeting, RFC 5321 §3.1).
 * - moved by exactly a ChangeCipherSpec record and a record of the
 *   server's Finished's length (both Finished messages of a suite are as
 *   long, §7.4.9's verify_data, and protected alike): resumed, on an
 *   implicit-TLS port (config_is_tls_port) with no STARTTLS seen, where
 *   the client sends nothing of its own before the server's greeting.
 *   With STARTTLS (RFC 3207 §4) the client speaks first (EHLO) and the
 *   server's first data, its reply, acknowledges it too: a full
 *   handshake's ACK moves by the EHLO's record, a resumed one's by a
 *   ChangeCipherSpec, a Finished and the EHLO's record, whose length the
 *   capture does not hold; an EHLO's record as long as a ChangeCipherSpec
 *   and a Finished would pass for a resumed handshake, so the rule is not
 *   used there. On 465 a client that talks before the greeting (a
 *   spam-bot's pregreet) moves the ACK by its bytes: only that exact
 *   length is taken, any other move tells nothing.
 * - anything else, or ACKs that cannot be trusted, tells nothing
 *   (TLS_PICKUP_SERVER_ONLY12): a packet without the ACK flag (or a RST),
 *   an ACK that went back (segments reordered), bytes lost in either
 *   direction (t->gap: the first application data seen may not be the
 *   first sent), or this packet sent before the ChangeCipherSpec's by its
 *   sequence number (an earlier segment, retransmitted, that let the
 *   record go from the reassembly's queue: its ACK is not the record's).
 *   A retransmission whose first copy was captured is no matter: the
 *   record is read from the first copy, with that packet's ACK. */
static uint8_t
tls_pickup_by_ack(struct flow_ctx *ctx, const struct tls_state *st)
{
    const struct session_facts *f = fctx_facts(ctx);
    enum dir pd;
    uint32_t seq, ack;
    if (!fctx_packet_tcp(ctx, &pd, &seq, &ack) || pd != DIR_TO_CLIENT || !st->pickup_sack_ok ||
        f->tls.gap || (int32_t)(seq - st->pickup_sseq) < 0)
        return TLS_PICKUP_SERVER_ONLY12;
    int32_t moved = (int32_t)(ack - st->pickup_sack);
    if (moved == 0)
        return TLS_PICKUP_FULL_BY_ACK;
    bool implicit = config_is_tls_port(fctx_config(ctx), fctx_server_port(ctx)) &&
                    !f->smtp.starttls_command && !f->smtp.plaintext_on_tls_port;
    if (implicit && moved == PICKUP_CCS_RECORD + PICKUP_RECORD_HDR + (int32_t)st->pickup_slen) {
        struct tls_facts *t = &fctx_facts(ctx)->tls;
        t->resumed = true;
        t->certificates = TLS_CERTS_RESUMED;
        return TLS_PICKUP_DECIDED;
    }
    return TLS_PICKUP_SERVER_ONLY12;
}

/* RFC 5246 §7.3: in a full handshake the client sends its ChangeCipherSpec
 * and Finished first, the server answers with its own; in the abbreviated
 * one (a session resumed, no Certificate) the server sends them right after
 * its ServerHello (and a NewSessionTicket, RFC 5077 §3.1) and the client
 * answers. So the server's ChangeCipherSpec and Finished, then the client's
 * ChangeCipherSpec, is a resumed handshake; any other record of the client
 * after them (under keys: its ChangeCipherSpec came before the capture), or
 * the server's application data (sent only once the client's Finished came,
 * §7.4.9), is a full one. The server's CCS followed by application data is
 * TLS 1.3's compatibility CCS (RFC 8446 §D.4): its flight, encrypted,
 * holds its certificates or (a PSK) none, which cannot be told; so is a
 * capture that ends before the client answers. Without that CCS, the
 * handshake's shape tells TLS 1.3 (tls_pickup_noccs). */
void
tls_pickup_order(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type, uint32_t len)
{
    if (st->pickup_order == PICKUP_TOLD || !tls_pickup(ctx, st))
        return;
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    /* picked up at the ServerHello (the ClientHello, whose session ID it
     * would echo, not seen): its ChangeCipherSpec right after it (or its
     * NewSessionTicket), no Certificate, is the abbreviated handshake; the
     * session ID links it to the full handshake that made it (RFC 5246
     * §7.4.1.2), when that is in the capture. tls.c then says
     * certificates resumed, not none. */
    if (st->pickup_order == PICKUP_NONE && st->sh_seen && !st->tls13) {
        if (d == DIR_TO_CLIENT && type == TLS_CT_CCS && !t->ccs[DIR_TO_SERVER] &&
            (t->last_hs[DIR_TO_CLIENT] == TLS_HS_SERVER_HELLO ||
             t->last_hs[DIR_TO_CLIENT] == TLS_HS_NEW_SESSION_TICKET)) {
            t->resumed = true;
            if (st->sh_session_id_len > 0)
                (void)fctx_resume_find(ctx, 1, st->sh_session_id, st->sh_session_id_len);
        }
        if (type == TLS_CT_CCS || st->dir[d].encrypted)
            st->pickup_order = PICKUP_TOLD;
        return;
    }
    if (st->pickup_order == PICKUP_SAPP) {
        tls_pickup_noccs(ctx, st, d, type, len);
        return;
    }
    if (st->pickup_order == PICKUP_NONE && !st->sh_seen && d == DIR_TO_CLIENT &&
        type == TLS_CT_APPDATA && !t->ccs[0] && !t->ccs[1] && t->last_hs[0] < 0 &&
        t->last_hs[1] < 0 && st->dir[DIR_TO_SERVER].records == 0 &&
        st->dir[DIR_TO_CLIENT].records == 1) { /* the connection's first record seen */
        st->pickup_order = PICKUP_SAPP;
        tls_pickup_noccs(ctx, st, d, type, len);
        return;
    }
    if (st->pickup_order == PICKUP_NONE) {
        /* the server's first CCS, before any of the client's records under
         * keys and after no message of a full handshake's server flight */
        bool first = d == DIR_TO_CLIENT && type == TLS_CT_CCS && !t->ccs[DIR_TO_SERVER] &&
                     !st->dir[DIR_TO_SERVER].encrypted &&
                     (t->last_hs[DIR_TO_CLIENT] < 0 ||
                      t->last_hs[DIR_TO_CLIENT] == TLS_HS_NEW_SESSION_TICKET) &&
                     t->last_hs[DIR_TO_SERVER] < 0;
        if (first) {
            st->pickup_order = PICKUP_SCCS;
            enum dir pd;
            st->pickup_sack_ok = fctx_packet_tcp(ctx, &pd, &st->pickup_sseq, &st->pickup_sack) &&
                                 pd == DIR_TO_CLIENT;
        } else if (type == TLS_CT_CCS || st->dir[d].encrypted || t->last_hs[d] >= 0)
            st->pickup_order = PICKUP_TOLD;
        return;
    }
    if (st->pickup_order == PICKUP_SCCS && d == DIR_TO_CLIENT) {
        if (type == TLS_CT_HANDSHAKE) { /* its Finished (RFC 5246 §7.4.9) */
            st->pickup_order = PICKUP_SFIN;
            st->pickup_slen = (uint16_t)len; /* tls_pickup_by_ack */
            t->pickup_undecided = TLS_PICKUP_UNDECIDED12;
        } else {
            if (type == TLS_CT_APPDATA)
                t->pickup_undecided = TLS_PICKUP_UNDECIDED13;
            st->pickup_order = PICKUP_TOLD;
        }
        return;
    }
    /* the client's first record after the server's CCS, or the server's
     * next record after its Finished. The server's application data there
     * follows the client's Finished in a full handshake and in a resumed
     * one alike (RFC 5246 §7.3, §7.4.9); only the client's CCS and
     * Finished, which a resumed handshake puts before it, tell them apart:
     * when no record of the client's came, whether the capture holds the
     * client's side at all (bytes of its, not a bare ACK) is the flow record's
     * to say (diagnose.c dg_pickup_undecided). */
    t->pickup_undecided = TLS_PICKUP_DECIDED;
    if (st->pickup_order == PICKUP_SFIN && d == DIR_TO_CLIENT && type == TLS_CT_APPDATA &&
        st->dir[DIR_TO_SERVER].records == 0)
        t->pickup_undecided = tls_pickup_by_ack(ctx, st);
    if (st->pickup_order == PICKUP_SFIN && d == DIR_TO_SERVER && type == TLS_CT_CCS &&
        !tls_pickup_acked(ctx, st)) {
        t->resumed = true;
        t->certificates = TLS_CERTS_RESUMED;
    }
    st->pickup_order = PICKUP_TOLD;
}
