/* \summary: -w, the server's side of a mail flow handed to TLS
 * (engine_evidence_int.h): its TLS record framing, followed from its first
 * record (a hello, an alert), found again after a hole in its stream, and
 * in a connection picked up midstream; which of its segments wait for
 * bytes before them. */
#include <string.h>

#include "config.h"
#include "engine.h"
#include "engine_evidence_int.h"
#include "facts.h"
#include "fctx.h"
#include "reasm.h"
#include "tls_frame.h"

/* The server's TLS record framing (as the client's, engev_client_tls):
 * true when p's bytes continue the records followed (seq at ev_stls_seq),
 * or, when `start`, open records (the first of type 20-22) to the segment's
 * end (a hello, an alert: where it starts). The framing moves past them
 * then, and the run of bytes written whole in it (ev_shs) with it; a walk
 * that fails gives it up. application_data records only when appdata_ok (a
 * TLS 1.3 flight after the ServerHello). */
bool
engev_server_framing(struct flow *f, const struct pkt *p, bool start, bool appdata_ok)
{
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    uint32_t missing = p->payload_wirelen > n ? p->payload_wirelen - n : 0;
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    uint16_t st = EVIDENCE_TLS_START;
    if (f->ev_stls_on && seq == f->ev_stls_seq) {
        st = f->ev_stls;
        if (!evidence_tls_walk(&st, b, n, missing, appdata_ok)) {
            f->ev_stls_on = false;
            return false;
        }
    } else if (!start || n < 5 || b[0] < 20 || b[0] > 22 ||
               !evidence_tls_walk(&st, b, n, missing, appdata_ok)) {
        return false;
    }
    uint32_t end = seq + p->payload_wirelen;
    if (f->ev_shs[0] == f->ev_shs[1]) /* the first bytes written in it */
        f->ev_shs[0] = f->ev_shs[1] = seq;
    if (f->ev_shs[1] == seq)
        f->ev_shs[1] = end;
    f->ev_stls_on = true;
    f->ev_stls = st;
    f->ev_stls_seq = end;
    return true;
}

/* The server's bytes [seq, seq + len) were all written whole in its
 * framing (ev_shs): a retransmission of records judged as such. */
bool
engev_server_judged(const struct flow *f, uint32_t seq, uint32_t len)
{
    return f->ev_shs[0] != f->ev_shs[1] && !engev_before(seq, f->ev_shs[0]) &&
           !engev_before(f->ev_shs[1], seq + len) && engev_before(seq, seq + len);
}

/* The server's application_data records are a TLS 1.3 flight (RFC 8446
 * §5.2: EncryptedExtensions to Finished, sent as such) while the version
 * is not known to be below 1.3 (not yet known: the ServerHello's segment);
 * a TLS 1.2 server sends none before its Finished. */
bool
engev_server_appdata(const struct flow *f)
{
    const struct tls_facts *t = &fctx_facts_const(f->ctx)->tls;
    return t->version == 0 || t->version >= 0x0304;
}

/* The server's bytes in a flow handed to TLS that are TLS's: the first, a
 * handshake or alert record (a ServerHello, or an alert refusing the
 * ClientHello), records to the segment's end; then the records that follow
 * in its framing (application_data only as a TLS 1.3 flight), or a
 * retransmission of bytes written whole in it. Not bytes out of the
 * framing (a segment out of order that could not wait for the bytes before
 * it, one after a hole: application data after the handshake may be
 * anywhere there), nor bytes in the framing's place that are no record's
 * (a server that goes on in clear after its hello: judged as reply lines
 * then). (The client's: engev_client_tls.) */
bool
engev_server_tls(struct flow *f, const struct pkt *p)
{
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    bool appdata = engev_server_appdata(f) && f->ev_srs == 0 && engev_oneway_flight(f, p);
    if (f->ev_stls_on && seq == f->ev_stls_seq)
        return engev_server_framing(f, p, false, appdata);
    if (engev_server_judged(f, seq, p->payload_wirelen))
        return true;
    if (f->ev_shs[0] != f->ev_shs[1] || n < 5 || (b[0] != 21 && b[0] != 22))
        return false; /* out of the framing, once it started */
    return engev_server_framing(f, p, true, appdata);
}

/* A connection picked up midstream (its SYN not seen), handed to TLS: who
 * is who from the port, where in the dialogue not known, so the client's
 * bytes are never written (a message's, a BDAT chunk's, may be anything).
 * The server's are when they are its TLS handshake, as smtptap read it: a
 * segment whose records start at its first byte, to its end, the first an
 * alert or a handshake record that begins with a ServerHello or a
 * Certificate, its bytes messages a server sends (tls_resync_plausible: a
 * Certificate's list length its own), then the records that follow in its framing
 * (application_data as a TLS 1.3 flight only, as in any flow), until the
 * handshake is complete. A server sends no message text: its bytes in
 * clear (replies, which may repeat the envelope) stay cut, as do its
 * segments out of order or retransmitted. */
bool
engev_midstream_tls(struct flow *f, unsigned side, const struct pkt *p)
{
    const char *dis = f->ctx != NULL ? fctx_dissector_name(f->ctx) : NULL;
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    if (!f->client_known || side == f->client_side || dis == NULL || strcmp(dis, "tls") != 0 ||
        f->disp == FLOW_BYPASS || f->reported || n < 6 || n < p->payload_wirelen ||
        fctx_facts_const(f->ctx)->tls.handshake == TLS_HS_COMPLETE)
        return false;
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    bool appdata = engev_server_appdata(f);
    if (f->ev_stls_on && seq == f->ev_stls_seq)
        return engev_server_framing(f, p, false, appdata);
    if (f->ev_shs[0] != f->ev_shs[1]) /* out of the framing, once it started */
        return false;
    uint32_t len = (uint32_t)(b[3] << 8 | b[4]);
    if (b[0] != 21 && (b[0] != 22 || (b[5] != 2 && b[5] != 11) ||
                       !tls_resync_plausible(DIR_TO_CLIENT, b + 5, len < n - 5 ? len : n - 5,
                                             fctx_config(f->ctx)->tls_hs_msg_max)))
        return false;
    return engev_server_framing(f, p, true, appdata);
}

/* The server's segment at seq waits for bytes before it not judged yet:
 * ahead of its framing; or, in a flow handed to TLS before the framing
 * started, ahead of its stream (a Certificate's rest before the
 * ServerHello), or `behind` a segment of the server's held. */
bool
engev_server_waits(const struct flow *f, uint32_t seq, bool tls, bool behind)
{
    if (f->ev_srs == ENGEV_SRS_TRY && !engev_before(seq, f->ev_srs_seq) &&
        engev_before(seq, f->ev_stls_seq))
        return true; /* a record's segments after a hole, until its end shows */
    if (f->ev_stls_on)
        return engev_before(f->ev_stls_seq, seq);
    if (!tls || f->ev_shs[0] != f->ev_shs[1])
        return false; /* the framing was given up: nothing to wait for */
    return behind || engev_before(f->rd[1 - f->client_side].next_seq, seq);
}

/* The server's bytes at the framing's place were lost (ev_srs). */
void
engev_server_lost(struct flow *f)
{
    f->ev_stls_on = false;
    f->ev_srs = ENGEV_SRS_LOST;
}

/* After a hole (ENGEV_SRS_LOST), the server's segment p past it, whole:
 * the framing found again from a boundary evidence_tls_resync shows, when
 * the records from it walk to the segment's end (types 20-22 only). WHOLE
 * when that boundary is the segment's first byte; CUT when bytes before it
 * are no record's known (the rest of a record begun in the hole), the
 * framing followed from the segment's end; HOLD (when `can_hold`) when a
 * record runs past the segment's end from its first byte, or from inside
 * it as a server's handshake (a Certificate after the rest of a ServerHello
 * the hole cut): ENGEV_SRS_TRY, the whole segment written once the record
 * shows its end (what precedes it then is the server's handshake before
 * its Certificate, which the Certificate needs to be read). */
enum evidence_verdict
engev_server_resync(struct flow *f, const struct pkt *p, bool can_hold)
{
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    uint32_t at;
    bool open;
    uint16_t st = EVIDENCE_TLS_START;
    uint32_t msg_max = f->ctx != NULL ? fctx_config(f->ctx)->tls_hs_msg_max : 0;
    if (n == 0 || n < p->payload_wirelen || engev_before(seq, f->ev_stls_seq) ||
        !evidence_tls_resync(b, n, msg_max, &at, &open) ||
        !evidence_tls_walk(&st, b + at, n - at, 0, false) || (open && !can_hold))
        return EVIDENCE_CUT;
    f->ev_stls_on = true;
    f->ev_stls = st;
    f->ev_stls_seq = seq + n;
    if (open) {
        f->ev_srs = ENGEV_SRS_TRY;
        f->ev_srs_seq = seq;
        return EVIDENCE_HOLD;
    }
    f->ev_srs = ENGEV_SRS_FOUND;
    if (at > 0)
        return EVIDENCE_CUT;
    f->ev_shs[0] = seq;
    f->ev_shs[1] = seq + n;
    return EVIDENCE_WHOLE;
}

/* ENGEV_SRS_TRY: the server's segment p at the framing's place, in the
 * record that opened a segment after the hole. Held (when `can_hold`)
 * while the record goes on past it; WHOLE when it ends at the record's end
 * or shows a header after it (the record was one: the segments held for it
 * are written whole, as bytes written in the framing, ev_shs); else the
 * record was none, what was held for it is cut (it lies before the place
 * lost now) and the framing is looked for from p on. */
enum evidence_verdict
engev_server_try(struct flow *f, const struct pkt *p, bool can_hold)
{
    uint32_t n = p->payload_caplen;
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    uint16_t left = f->ev_stls; /* the record's body bytes left: its header was whole */
    uint16_t st = left;
    if (n > 0 && n == p->payload_wirelen && evidence_tls_walk(&st, p->payload, n, 0, false)) {
        if (n < left && can_hold) {
            f->ev_stls = st;
            f->ev_stls_seq = seq + n;
            return EVIDENCE_HOLD;
        }
        if (n == left || n >= (uint32_t)left + 5) {
            f->ev_srs = ENGEV_SRS_FOUND;
            f->ev_shs[0] = f->ev_srs_seq;
            f->ev_shs[1] = seq + n;
            f->ev_stls = st;
            f->ev_stls_seq = seq + n;
            return EVIDENCE_WHOLE;
        }
    }
    engev_server_lost(f);
    f->ev_stls_seq = seq;
    return engev_server_resync(f, p, can_hold);
}

/* The server's stream went past its framing's place, by bytes not judged
 * there (the reassembler gave a hole up) while no segment of the server's
 * held is at that place: lost there. */
void
engev_server_hole(struct flow *f)
{
    const struct reasm_dir *sd = &f->rd[1 - f->client_side];
    if (!f->ev_stls_on || !engev_before(f->ev_stls_seq, sd->next_seq))
        return;
    uint64_t it = 0;
    const struct evidence_held *h;
    for (unsigned guard = 0;
         guard < EVIDENCE_HOLD_FLOW && (h = evidence_held_next(f->id, &it)) != NULL; guard++)
        if (h->side != f->client_side && h->seq + ((h->tcp_flags & TH_SYN) != 0) == f->ev_stls_seq)
            return;
    engev_server_lost(f);
}

/* The client's direction not captured so far (no payload byte of it: a
 * tap or span port that sees one direction, a filter on the server's
 * address as source), so that every reply of the server's acknowledges
 * client bytes never seen: its segment p, in order and whole, is written
 * when it holds the next of the replies the one-direction reading uses
 * (evidence_oneway_replies: the greeting, the EHLO reply, the 220 to
 * STARTTLS), or, after that 220, a handshake record that starts its TLS
 * framing (dissectors/smtp.c smtp_server_tls_check hands the flow to TLS
 * on it; the records that follow are then judged as in any flow). A
 * segment out of order, cut, or anything else ends it for good; a
 * retransmission changes nothing. False: judged by the rules of any flow. */
bool
engev_oneway_server(struct flow *f, const struct pkt *p)
{
    const struct reasm_dir *sd = &f->rd[1 - f->client_side];
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    unsigned step = f->ev_ow & EVIDENCE_OW_STEP;
    if (f->bytes[f->client_side] != 0 || step == EVIDENCE_OW_DONE || !sd->have_seq ||
        engev_before(seq, sd->next_seq))
        return false;
    if (seq != sd->next_seq || p->payload_caplen < p->payload_wirelen) {
        f->ev_ow = EVIDENCE_OW_DONE;
        return false;
    }
    if (step != EVIDENCE_OW_TLS)
        return evidence_oneway_replies(&f->ev_ow, p->payload, p->payload_caplen);
    /* RFC 3207 §4: the server's next bytes after its 220, a handshake
     * record (its ServerHello, or an alert refusing the ClientHello) */
    f->ev_ow = EVIDENCE_OW_DONE;
    if (f->ctx == NULL || p->payload_caplen < 5 || (p->payload[0] != 21 && p->payload[0] != 22) ||
        !engev_server_framing(f, p, true, engev_server_appdata(f)))
        return false;
    f->ev_ow |= ENGEV_OW_FRAMED;
    f->ev_ow_ack = p->ack;
    return true;
}

/* The server's application_data records in p may be its TLS 1.3 flight
 * (RFC 8446 §5.2, engev_server_appdata) as far as the client's side alone
 * tells: always when both sides were captured; after the replies of a
 * capture of the server's side alone, only while p acknowledges what the
 * segment that started the framing did (the ClientHello's end). The
 * client's Finished, then its commands, move the acknowledgment on
 * (RFC 9293 §3.4): what the server sends after them is application data
 * (its replies, encrypted), which is not written. */
bool
engev_oneway_flight(const struct flow *f, const struct pkt *p)
{
    return (f->ev_ow & ENGEV_OW_FRAMED) == 0 || p->ack == f->ev_ow_ack;
}
