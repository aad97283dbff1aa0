/* \summary: which bytes of a mail flow's frame -w may write (evidence.h). */
#include "engine_evidence.h"
#include "engine_evidence_int.h"

#include <string.h>

#include "engine.h"
#include "facts.h"
#include "fctx.h"
#include "reasm.h"

/* The packet being judged came before its flow had a dissector (its first
 * payload): the dispatcher's choice, made on it, may make it TLS. */
static bool engev_undecided;

/* The packet being judged is its flow's first (no SYN before it): the
 * flow picked up midstream, judged once the engine had it. */
static bool engev_first;

/* The packet being judged is of a flow on a port that is no mail port, not
 * (yet) a mail flow: the engine may find SMTP or TLS in it (a 220, a
 * ClientHello). Its flow's packets before it went by unwritten (not a mail
 * flow's then), and no copy of them is kept: every connection's SYN would
 * have to be, and the file keeps capture order. */
static bool engev_detecting;

/* A frame held is being judged (engev_settle): the flow's facts lag behind
 * its bytes then (the engine has not had the packet that let it go), so
 * the client's application_data records are not taken for a TLS 1.3
 * flight unless the ServerHello said TLS 1.3. */
static bool engev_releasing;

/* The packet judged is held (EVIDENCE_HOLD) while its application_data
 * records, were it the server's next bytes in its framing, would be taken
 * for a TLS 1.3 flight (engev_server_appdata, the handshake not complete):
 * evidence_held.flight, so that a frame held is judged as it would have
 * been in order (engev_server_held_tls). */
static bool engev_flight;

/* flow.ev_open: bits 0 and 1, a side's last bytes may end inside a line;
 * ENGEV_TAINT, a byte the client sent was not written, or not seen (cut,
 * out of order, a retransmission, lost, or sent before the flow was
 * followed), the first such at ev_seq[0]: what the client sends next may be
 * anything (a message's line after a DATA not seen), so it is not written
 * from then on, nor a reply that acknowledges that byte: a server's reply
 * may repeat what it got (sendmail's "250 2.1.0 <alice@example.org>...
 * Sender ok", Postfix's "554 5.7.1 <bob@example.org>: Relay access
 * denied"), but no byte it was not yet sent, and the ACK it sends with the
 * reply covers every byte it had then (RFC 9293 §3.4). */
#define ENGEV_TAINT 4u
/* ENGEV_TLS: the client's TLS record framing is followed, from a hello:
 * ev_tls_seq is the next client byte it reaches, ev_tls its state there
 * (evidence_tls_walk). ENGEV_TLS_PENDING: that hello came ahead of the
 * client's stream (below), so its place is not known yet. */
#define ENGEV_TLS         8u
#define ENGEV_TLS_PENDING 16u
/* ENGEV_AHEAD: client bytes [ev_seq[0], ev_seq[1]) came ahead of the
 * stream (a reordered capture), were cut for that, and were whole commands
 * that may be written, or TLS records from a hello; when the stream reaches
 * them in order after a whole line, they taint nothing (and the hello's
 * framing holds). ENGEV_AHEAD_OPEN: the last of them ends inside a line. */
#define ENGEV_AHEAD      32u
#define ENGEV_AHEAD_OPEN 64u
/* ENGEV_JUDGED: ev_judged is set: the client's bytes before it were all
 * judged here, in order (the engine may hold some a while longer, waiting
 * for the server's bytes they acknowledge). Where "in order" is reckoned
 * from. */
#define ENGEV_JUDGED 128u

/* A TLS record header (RFC 8446 §5.1, RFC 5246 §6.2.1): a content type
 * 20-24, version 3.x, a length a record may have. */
static bool
engev_tls_record(const uint8_t *b, uint32_t n)
{
    return n >= 5 && b[0] >= 20 && b[0] <= 24 && b[1] == 3 && b[2] <= 4 &&
           (b[3] << 8 | b[4]) <= 16384 + 2048;
}

/* b[0..n) is TLS records from a record's start: every header in it (RFC
 * 8446 §5.1) one a record may have, the last record perhaps going on in
 * the next segment (or its header cut by this one's end). So no byte
 * follows a hello that is not TLS's (a command in clear after it). */
static bool
engev_tls_records(const uint8_t *b, uint32_t n)
{
    uint32_t at = 0;
    for (unsigned guard = 0; n - at >= 5 && guard < n; guard++) {
        if (!engev_tls_record(b + at, n - at))
            return false;
        at += 5 + (uint32_t)(b[at + 3] << 8 | b[at + 4]);
        if (at >= n)
            return true;
    }
    return at < n ? (b[at] >= 20 && b[at] <= 24) : true;
}

/* TLS records that open with a ClientHello or a ServerHello (RFC 8446
 * §4): type 22, message type 1 or 2. Bytes that may be written even in a
 * plaintext SMTP flow (after STARTTLS; a client speaking TLS to a server in
 * clear): nothing else in a dialogue before MAIL starts so. */
static bool
engev_tls_hello(const uint8_t *b, uint32_t n)
{
    return n >= 6 && b[0] == 22 && (b[5] == 1 || b[5] == 2) && engev_tls_records(b, n);
}

/* An SSL 2.0 form ClientHello (RFC 5246 E.2, RFC 6101 E.1): a two-byte
 * header with the high bit set, message type 1, version 3.x or 2.0; the
 * segment holds nothing after it. */
static bool
engev_sslv2_hello(const uint8_t *b, uint32_t n)
{
    return n >= 5 && (b[0] & 0x80) != 0 && b[2] == 1 && (b[3] == 3 || (b[3] == 0 && b[4] == 2)) &&
           n <= 2 + ((uint32_t)(b[0] & 0x7f) << 8 | b[1]);
}

/* The client's first byte not written is at seq (or before). */
static void
engev_taint(struct flow *f, uint32_t seq)
{
    if ((f->ev_open & ENGEV_TAINT) == 0 || engev_before(seq, f->ev_seq[0]))
        f->ev_seq[0] = seq;
    f->ev_open = (uint8_t)((f->ev_open | ENGEV_TAINT) & ~ENGEV_AHEAD);
    if ((f->ev_open & ENGEV_TLS_PENDING) != 0) /* its hello's place is not known */
        f->ev_open &= (uint8_t) ~(ENGEV_TLS | ENGEV_TLS_PENDING);
}

/* The client's segment p (seq: its first byte) against the client's TLS
 * record framing. True when its bytes continue the records followed from a
 * hello (then ev_tls_seq moves past them), or, when `start`, open a hello
 * (a ClientHello record, or an SSL 2.0 one) that is records to its end, and
 * the framing starts at it. False, the framing given up, when bytes at
 * ev_tls_seq are no record's: after a client's hello, a command in clear
 * (AUTH PLAIN and its credential) is not written, in the hello's segment
 * or the next. */
static bool
engev_client_tls(struct flow *f, const struct pkt *p, uint32_t seq, bool start)
{
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    uint32_t missing = p->payload_wirelen > n ? p->payload_wirelen - n : 0;
    const struct tls_facts *t = f->ctx != NULL ? &fctx_facts_const(f->ctx)->tls : NULL;
    /* application_data records are a TLS 1.3 flight (RFC 8446 §5.2), or
     * early data: encrypted either way; after a TLS 1.2 ServerHello, the
     * client's are its data (False Start, RFC 7918) */
    bool appdata = engev_releasing ? t != NULL && t->version >= 0x0304
                                   : t == NULL || t->version == 0 || t->version >= 0x0304;
    uint16_t st = EVIDENCE_TLS_START;
    if ((f->ev_open & ENGEV_TLS) != 0 && seq == f->ev_tls_seq) {
        st = f->ev_tls;
        if (!evidence_tls_walk(&st, b, n, missing, appdata)) {
            f->ev_open &= (uint8_t) ~(ENGEV_TLS | ENGEV_TLS_PENDING);
            return false;
        }
    } else if (!start) {
        return false;
    } else if (n >= 6 && b[0] == 22 && b[5] == 1) {
        if (!evidence_tls_walk(&st, b, n, missing, appdata))
            return false;
    } else if (engev_sslv2_hello(b, n)) {
        /* the 2-byte header's record, then TLS records (RFC 5246 E.2) */
        uint32_t left = 2 + ((uint32_t)(b[0] & 0x7f) << 8 | b[1]) - n;
        if (missing > left)
            return false;
        st = (uint16_t)(left - missing);
    } else {
        return false;
    }
    if ((f->ev_open & ENGEV_TLS) == 0 || seq != f->ev_tls_seq)
        f->ev_open &= (uint8_t)~ENGEV_TLS_PENDING; /* a new start */
    f->ev_open |= ENGEV_TLS;
    f->ev_tls = st;
    f->ev_tls_seq = seq + p->payload_wirelen;
    return true;
}

/* Client bytes ahead of the stream (seq past the next expected): cut, the
 * line they continue not known. When they are whole commands that may be
 * written, or TLS records from a hello, they join the run of such bytes
 * held ahead (ENGEV_AHEAD), which taints nothing once the stream reaches it
 * after a whole line; anything else taints. */
static void
engev_ahead(struct flow *f, const struct pkt *p, uint32_t seq)
{
    bool run = (f->ev_open & ENGEV_AHEAD) != 0;
    if ((f->ev_open & ENGEV_TAINT) != 0 || (run && seq != f->ev_seq[1])) {
        engev_taint(f, seq);
        return;
    }
    bool lines = p->payload_caplen == p->payload_wirelen &&
                 evidence_client_lines_ok(p->payload, p->payload_caplen);
    bool hello = false;
    if (!lines) {
        /* a hello opening the run, or the records after the run's hello */
        bool at = (f->ev_open & ENGEV_TLS_PENDING) != 0 && seq == f->ev_tls_seq;
        hello = (!run || at) && engev_client_tls(f, p, seq, !run);
        if (!hello) {
            engev_taint(f, seq);
            return;
        }
        f->ev_open |= ENGEV_TLS_PENDING;
    }
    if (!run)
        f->ev_seq[0] = seq;
    f->ev_seq[1] = seq + p->payload_wirelen;
    f->ev_open = (uint8_t)((f->ev_open | ENGEV_AHEAD) & ~ENGEV_AHEAD_OPEN);
    if (hello)
        f->ev_open |= ENGEV_AHEAD_OPEN;
}

/* The verdict on p's payload (see engine_evidence_before); *in_order when
 * it is the client's next bytes. */
static enum evidence_verdict
engev_judge(struct flow *f, unsigned side, const struct pkt *p, bool *in_order, bool may_hold)
{
    *in_order = false;
    if (f->disp == FLOW_BYPASS || f->reported)
        return EVIDENCE_CUT;              /* past the handshake, or not dissected */
    if (f->midstream || !f->client_known) /* where in the dialogue, or who is who: unknown */
        return engev_midstream_tls(f, side, p) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    const struct reasm_dir *rd = &f->rd[side];
    bool client = side == f->client_side;
    /* A SYN's data starts at seq+1. Client bytes before the next expected
     * one are a retransmission, perhaps with other bytes than the copy
     * taken (RFC 9293 §3.10.7.4 leaves overlaps to the receiver): the first
     * was judged, this one may be anything. (A server's holds the server's
     * bytes: a whole copy of a segment the snapshot length cut.) */
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    if (!rd->have_seq)
        return EVIDENCE_CUT;
    /* Bytes seen before, again (a retransmission, a copy): what the first
     * copy said is what the peer took (first wins, as the reassembler
     * does); a copy whose bytes differ is no evidence of it: cut, counted.
     * A server's copy is written (a retransmission in its framing, reply
     * lines) only when every byte it repeats was compared (the
     * reassembler's ring, its out-of-order segments). */
    int differs = reasm_seen_differs(rd, seq, b, n);
    if (differs > 0) {
        evidence_count_retx_differs();
        return EVIDENCE_CUT;
    }
    if ((client && engev_before(seq, f->ev_judged)) || (!client && differs < 0))
        return EVIDENCE_CUT;
    const char *dis = f->ctx != NULL ? fctx_dissector_name(f->ctx) : NULL;
    bool tls = dis != NULL && strcmp(dis, "tls") == 0;
    /* past the handshake, while a TLS 1.3 server's tickets are still read
     * (dissectors/tls_tickets13.c): as after bypass, nothing is written */
    if (tls && fctx_facts_const(f->ctx)->tls.handshake == TLS_HS_COMPLETE)
        return EVIDENCE_CUT;
    const struct smtp_facts *sm = f->ctx != NULL ? &fctx_facts_const(f->ctx)->smtp : NULL;
    bool mailed = sm != NULL && (sm->auth_before_tls || sm->plaintext_mail || sm->plaintext_data);
    bool next = client ? seq == f->ev_judged : seq == rd->next_seq;
    if (client) {
        /* TLS records while the handshake is followed: from a hello (the
         * first bytes after a 220 to STARTTLS, or on 465), every byte
         * inside well-framed records; bytes in clear where TLS was
         * expected are judged as lines below (a server of plaintext SMTP
         * on 465 answers a ClientHello with its 220) */
        const struct tls_facts *t = tls ? &fctx_facts_const(f->ctx)->tls : NULL;
        bool hello_due = t != NULL && t->client_version == 0 && !t->sslv2_hello;
        if ((f->ev_open & ENGEV_TLS_PENDING) == 0 && (next || (f->ev_open & ENGEV_TLS) != 0) &&
            engev_client_tls(f, p, seq, next && hello_due))
            return EVIDENCE_WHOLE;
        if (!next) {
            /* ahead of the stream (a reordered capture): held until the
             * stream reaches it, then judged as in order (engev_settle) */
            if (may_hold && (f->ev_open & (ENGEV_JUDGED | ENGEV_TAINT)) == ENGEV_JUDGED &&
                engev_before(f->ev_judged, seq) && p->payload_caplen == p->payload_wirelen &&
                evidence_hold_room(f->id))
                return EVIDENCE_HOLD;
            engev_ahead(f, p, seq);
            return EVIDENCE_CUT;
        }
        *in_order = true;
        /* A client's line is known for a command only when all that came
         * before it was seen: in order, no line left open (RFC 9293 §3.4). */
        if (mailed || (f->ev_open & ENGEV_TAINT) != 0 || (f->ev_open >> side & 1) != 0)
            return EVIDENCE_CUT;
        if (evidence_client_lines_ok(b, n))
            return EVIDENCE_WHOLE;
        /* a ClientHello in a flow in clear (after STARTTLS, before its 220
         * came; a client speaking TLS to a server in clear): its records
         * are followed from it */
        return engev_client_tls(f, p, seq, true) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
    }
    /* the server's bytes ahead of its record framing, or before it
     * started ahead of its stream (its segments out of order): held until
     * the framing reaches them (engev_settle), cut when they cannot wait;
     * unless the stream went past the framing by bytes not judged in their
     * place and none waits: it is given up then */
    bool behind = evidence_hold_before(f->id, side, seq);
    bool can_hold =
        may_hold && p->payload_caplen == p->payload_wirelen && evidence_hold_room(f->id);
    if (f->ev_stls_on && may_hold && engev_before(f->ev_stls_seq, rd->next_seq) && !behind)
        engev_server_lost(f);
    if (engev_server_waits(f, seq, tls, behind))
        return can_hold ? EVIDENCE_HOLD : EVIDENCE_CUT;
    if (tls && f->ev_srs == ENGEV_SRS_TRY && f->ev_stls_on && seq == f->ev_stls_seq)
        return engev_server_try(f, p, can_hold);
    if (tls && f->ev_srs == ENGEV_SRS_LOST) {
        enum evidence_verdict v = engev_server_resync(f, p, can_hold);
        if (v != EVIDENCE_CUT)
            return v;
    }
    if (tls && engev_server_tls(f, p))
        return EVIDENCE_WHOLE;
    if (mailed)
        return EVIDENCE_CUT;
    if (engev_oneway_server(f, p)) /* the client's direction not captured */
        return EVIDENCE_WHOLE;
    /* Reply lines say what they are, in any order; but a reply may repeat
     * the client bytes it acknowledges: none of them may be one not seen,
     * or not written. */
    const struct reasm_dir *cd = &f->rd[f->client_side];
    if ((p->tcp_flags & TH_ACK) != 0) {
        uint32_t upto = (f->ev_open & ENGEV_JUDGED) != 0 ? f->ev_judged : cd->next_seq;
        upto += cd->fin_seen && upto == cd->fin_seq; /* the FIN takes one (RFC 9293 §3.4) */
        bool tainted = (f->ev_open & ENGEV_TAINT) != 0 && engev_before(f->ev_seq[0], p->ack);
        if ((f->ev_open & ENGEV_TAINT) != 0 && engev_before(f->ev_seq[0], upto))
            upto = f->ev_seq[0];
        if (!cd->have_seq || engev_before(upto, p->ack))
            /* client bytes it acknowledges not judged yet (a capture whose
             * directions were merged out of order: the reply came first):
             * held until they are (engev_settle) */
            return may_hold && !tainted && cd->have_seq && (f->ev_open & ENGEV_JUDGED) != 0 &&
                           evidence_hold_room(f->id)
                       ? EVIDENCE_HOLD
                       : EVIDENCE_CUT;
    } else if ((f->ev_open & ENGEV_TAINT) != 0) {
        return EVIDENCE_CUT;
    }
    return engev_tls_hello(b, n) || evidence_server_lines_ok(b, n) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
}

/* The client's bytes judged reach seq: a run held ahead that starts there
 * joins them when they end a line (it taints nothing then, and a hello in
 * it is where TLS starts). */
static void
engev_judged(struct flow *f, uint32_t seq)
{
    f->ev_judged = seq;
    uint8_t o = f->ev_open;
    if ((o & ENGEV_AHEAD) == 0 || seq != f->ev_seq[0])
        return;
    if ((o >> f->client_side & 1) != 0) { /* the run may continue a line */
        engev_taint(f, seq);
        return;
    }
    f->ev_judged = f->ev_seq[1];
    o = (uint8_t)(o & ~(ENGEV_AHEAD | ENGEV_TLS_PENDING));
    if ((o & ENGEV_AHEAD_OPEN) != 0)
        o |= (uint8_t)(1u << f->client_side);
    f->ev_open = o;
}

/* ev_judged starts at the client's first byte: after its SYN (a SYN's
 * data is judged as no other: the flow did not exist), or where the
 * stream was picked up. */
static void
engev_start(struct flow *f)
{
    const struct reasm_dir *cd = &f->rd[f->client_side];
    if (!f->client_known || (f->ev_open & ENGEV_JUDGED) != 0 || !cd->have_seq)
        return;
    f->ev_judged = cd->syn_seen ? cd->isn + 1 : cd->next_seq;
    f->ev_open |= ENGEV_JUDGED;
}

/* The verdict on p, a packet of f from side, and what it changes in f's
 * state (engine_evidence_before; for a frame held, when it is decided). */
static enum evidence_verdict
engev_verdict(struct flow *f, unsigned side, const struct pkt *p, bool may_hold)
{
    bool in_order;
    enum evidence_verdict v = engev_judge(f, side, p, &in_order, may_hold);
    if (v == EVIDENCE_HOLD)
        return v; /* nothing changes until it is decided */
    /* Whether the client's next bytes start a line: only after bytes seen
     * in order, whole, that end one (a line cut by a segment, a hole or a
     * snaplen cut leaves the rest of it unknown; bytes ahead of the stream
     * or a retransmission change nothing: they taint, or wait in a run). */
    bool closed = in_order && p->payload_caplen == p->payload_wirelen && p->payload_caplen > 0 &&
                  p->payload[p->payload_caplen - 1] == '\n';
    if (in_order || side != f->client_side)
        f->ev_open = (uint8_t)(closed ? f->ev_open & ~(1u << side) : f->ev_open | 1u << side);
    if (side == f->client_side) {
        uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
        bool judged = (f->ev_open & ENGEV_JUDGED) != 0;
        /* a client segment cut in order or as a retransmission, or one cut
         * by the snapshot length (what it held past the cut is not known);
         * one ahead of the stream was judged by engev_ahead */
        bool ahead = judged && engev_before(f->ev_judged, seq);
        if ((v == EVIDENCE_CUT && !ahead) || p->payload_caplen < p->payload_wirelen)
            engev_taint(f, v == EVIDENCE_CUT ? seq : seq + p->payload_caplen);
        if (judged && seq == f->ev_judged)
            engev_judged(f, seq + p->payload_wirelen);
    }
    return v;
}

/* A server's frame held in a flow handed to TLS, the server's bytes
 * before it judged: TLS's, whole, when it continues the server's framing
 * with handshake, alert or change_cipher_spec records, or retransmits
 * bytes written whole in it, or, before the framing started, is such
 * records from its first byte (where it starts). No application_data: the
 * facts the engine has now may be from bytes past it (after the
 * handshake). As in order (engev_server_tls), whatever client bytes it
 * acknowledges: TLS records repeat none. */
static bool
engev_server_held_tls(struct flow *f, const struct pkt *p, bool flight)
{
    const char *dis = f->ctx != NULL ? fctx_dissector_name(f->ctx) : NULL;
    uint32_t n = p->payload_caplen;
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    if (dis == NULL || strcmp(dis, "tls") != 0 || n == 0 || n < p->payload_wirelen)
        return false;
    /* application_data as a TLS 1.3 flight, as in order: when it came the
     * handshake was not complete, and the version is not below 1.3 */
    bool appdata = flight && engev_server_appdata(f) && f->ev_srs == 0 && engev_oneway_flight(f, p);
    if (f->ev_stls_on && seq == f->ev_stls_seq)
        return engev_server_framing(f, p, false, appdata);
    if (engev_server_judged(f, seq, p->payload_wirelen))
        return true;
    /* records from its first byte, the first of types 20-22: the framing's
     * walk checks every header */
    return f->ev_shs[0] == f->ev_shs[1] && engev_server_framing(f, p, true, appdata);
}

/* A server's frame held, the client bytes it acknowledges all judged and
 * written, the server's before it too: whole when it is TLS's
 * (engev_server_held_tls), or says what it is by itself: reply lines (not
 * a 334), or, before the server's framing started, a hello (which starts
 * it). */
static enum evidence_verdict
engev_server_held(struct flow *f, const struct pkt *p, bool flight)
{
    const struct smtp_facts *sm = f->ctx != NULL ? &fctx_facts_const(f->ctx)->smtp : NULL;
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    if (n == 0 || n < p->payload_wirelen)
        return EVIDENCE_CUT;
    if (engev_server_held_tls(f, p, flight))
        return EVIDENCE_WHOLE;
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    if (f->ev_stls_on && seq == f->ev_stls_seq) /* a plaintext flow's, after a hello */
        return engev_server_framing(f, p, false, false) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
    bool done = f->disp == FLOW_BYPASS || f->reported;
    if (f->ev_shs[0] == f->ev_shs[1] && !done && engev_tls_hello(b, n)) {
        (void)engev_server_framing(f, p, true, flight && f->ctx != NULL && engev_server_appdata(f));
        return EVIDENCE_WHOLE;
    }
    if (done || (sm != NULL && (sm->auth_before_tls || sm->plaintext_mail || sm->plaintext_data)))
        return EVIDENCE_CUT;
    return evidence_server_lines_ok(b, n) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
}

/* The frames of f held (evidence.h) that can be decided now: a client's
 * once the stream reaches it (judged then as in order, which may reach the
 * next), or passed it; a server's once the client bytes it acknowledges
 * were all judged (judged again then), or one of them was not written.
 * `after`: the engine had the packet, so the flow's TLS facts are as far as
 * the bytes go; a server's frame still cut then is cut for good. */
static void
engev_settle(struct flow *f, bool after)
{
    if (!evidence_hold_any() || !f->client_known)
        return;
    const char *dis = f->ctx != NULL ? fctx_dissector_name(f->ctx) : NULL;
    bool tls = dis != NULL && strcmp(dis, "tls") == 0;
    for (unsigned round = 0; round < EVIDENCE_HOLD_FLOW + 1; round++) {
        bool moved = false;
        if (tls)
            engev_server_hole(f);
        uint64_t it = 0;
        struct evidence_held *h;
        for (unsigned guard = 0;
             guard < EVIDENCE_HOLD_FLOW && (h = evidence_held_next(f->id, &it)) != NULL; guard++) {
            struct pkt p;
            memset(&p, 0, sizeof(p));
            p.ip_proto = 6;
            p.seq = h->seq;
            p.ack = h->ack;
            p.tcp_flags = h->tcp_flags;
            p.payload = h->payload;
            p.payload_caplen = h->payload_caplen;
            p.payload_wirelen = h->payload_wirelen;
            bool done = f->disp == FLOW_BYPASS || f->reported; /* engev_server_held */
            if ((f->ev_open & ENGEV_JUDGED) == 0 || (done && h->side == f->client_side)) {
                evidence_held_decide(h, EVIDENCE_CUT);
                moved = true;
                continue;
            }
            if (h->side == f->client_side) {
                uint32_t seq = p.seq + ((p.tcp_flags & TH_SYN) != 0);
                if (seq == f->ev_judged) {
                    engev_releasing = true;
                    enum evidence_verdict v = engev_verdict(f, h->side, &p, false);
                    engev_releasing = false;
                    evidence_held_decide(h, v);
                    moved = true;
                } else if (engev_before(seq, f->ev_judged)) {
                    evidence_held_decide(h, EVIDENCE_CUT); /* passed: taken as lost */
                    moved = true;
                }
                continue;
            }
            /* ahead of the server's framing, or its stream, or behind a
             * segment of its still held: waits */
            uint32_t sseq = p.seq + ((p.tcp_flags & TH_SYN) != 0);
            if (engev_server_waits(f, sseq, tls, evidence_hold_before(f->id, h->side, sseq)))
                continue;
            /* after a hole in the server's stream: its framing found again */
            if (tls && f->ev_srs == ENGEV_SRS_TRY && f->ev_stls_on && sseq == f->ev_stls_seq) {
                enum evidence_verdict v = engev_server_try(f, &p, true);
                if (v != EVIDENCE_HOLD)
                    evidence_held_decide(h, v);
                moved = true;
                continue;
            }
            if (tls && f->ev_srs == ENGEV_SRS_LOST) {
                enum evidence_verdict v = engev_server_resync(f, &p, true);
                if (v != EVIDENCE_HOLD)
                    evidence_held_decide(h, v);
                moved = true;
                continue;
            }
            if (engev_server_held_tls(f, &p, h->flight)) {
                evidence_held_decide(h, EVIDENCE_WHOLE);
                moved = true;
                continue;
            }
            const struct reasm_dir *cd = &f->rd[f->client_side];
            uint32_t upto = f->ev_judged;
            upto += cd->fin_seen && upto == cd->fin_seq;
            if ((f->ev_open & ENGEV_TAINT) != 0 && engev_before(f->ev_seq[0], p.ack)) {
                evidence_held_decide(h, EVIDENCE_CUT);
                moved = true;
            } else if (!engev_before(upto, p.ack)) {
                enum evidence_verdict v = engev_server_held(f, &p, h->flight);
                if (v == EVIDENCE_WHOLE || after) {
                    evidence_held_decide(h, v);
                    moved = true;
                }
            }
        }
        if (!moved)
            return;
    }
}

enum evidence_verdict
engine_evidence_before(const struct pkt *p)
{
    unsigned side;
    struct flow *f = engine_flow_peek(p, &side);
    engev_undecided = false;
    engev_first = f == NULL;
    engev_detecting = f != NULL && !f->mail_port && f->first_dissector == NULL;
    if (f != NULL)
        engev_start(f);
    if (p->ip_proto != 6 || p->payload_wirelen == 0)
        return EVIDENCE_WHOLE; /* SYN, ACK, FIN, RST (UDP: skipped after) */
    engev_undecided = f == NULL || (f->ctx == NULL && f->disp == FLOW_UNDECIDED);
    if (f == NULL) /* its first packet (no SYN before it): picked up midstream */
        return EVIDENCE_CUT;
    const struct tls_facts *t = f->ctx != NULL ? &fctx_facts_const(f->ctx)->tls : NULL;
    engev_flight = side != f->client_side &&
                   (t == NULL || (t->handshake != TLS_HS_COMPLETE && engev_server_appdata(f)));
    enum evidence_verdict v = engev_verdict(f, side, p, true);
    engev_settle(f, false);
    return v;
}

/* f, on a port that is no mail port, became a mail flow at p, a packet
 * after its first: -w writes it from p on. */
static void
engev_from_detection(struct flow *f, const struct pkt *p)
{
    /* a record's detail keeps 95 bytes (record.h). What came before p:
     * the SYN (the TCP handshake, RFC 9293 §3.5), the SYN-ACK alone (the
     * SYN not in the capture), or neither (picked up midstream: --ports
     * would bring no SYN back). */
    const char *d;
    if (f->syn_seen[f->client_side])
        d = "-w: written from the packet that showed SMTP or TLS; its SYN, TCP handshake "
            "not kept (--ports)";
    else if (f->syn_seen[!f->client_side])
        d = "-w: written from the packet that showed SMTP or TLS; SYN-ACK not kept (--ports), "
            "no SYN seen";
    else
        d = "-w: written from the packet that showed SMTP or TLS; no SYN captured (picked up "
            "midstream)";
    flow_anomaly(f, "evidence.starts_at_detection", d, p->ts_us);
    evidence_count_from_detection();
}

/* After the engine had p: when the reassembler went on past client bytes
 * not judged here (lost bytes given up on, or held ones: reasm.hole_wait),
 * they taint. */
static void
engev_caught_up(struct flow *f)
{
    uint32_t next = f->rd[f->client_side].next_seq;
    if (!f->client_known || (f->ev_open & ENGEV_JUDGED) == 0 || !engev_before(f->ev_judged, next))
        return;
    engev_taint(f, f->ev_judged);
    f->ev_judged = next;
}

enum evidence_verdict
engine_evidence_after(const struct pkt *p, enum evidence_verdict v)
{
    unsigned side;
    struct flow *f = engine_flow_peek(p, &side);
    if (f == NULL)
        return EVIDENCE_SKIP;
    engev_start(f);
    engev_caught_up(f);
    engev_settle(f, true);
    if (!f->mail_port && f->first_dissector == NULL)
        return EVIDENCE_SKIP;
    if (engev_detecting) /* written from here: said on its record, and counted */
        engev_from_detection(f, p);
    if (v == EVIDENCE_HOLD)
        evidence_hold_tag(f->id, side, engev_flight);
    /* a connection picked up at its server's TLS handshake (a ServerHello
     * the capture begins with) */
    if (engev_first && v == EVIDENCE_CUT && f->midstream && engev_midstream_tls(f, side, p))
        return EVIDENCE_WHOLE;
    /* the first payload of a connection whose start was seen made the flow
     * TLS's (465, a ClientHello on another port): its bytes are TLS's when
     * they open a record (a client's command in clear on 465 is read as
     * SMTP, and stays cut) */
    if (engev_undecided && v == EVIDENCE_CUT && !f->midstream && f->client_known &&
        f->ctx != NULL && fctx_dissector_name(f->ctx) != NULL &&
        strcmp(fctx_dissector_name(f->ctx), "tls") == 0) {
        if (side == f->client_side)
            return engev_client_tls(f, p, p->seq + ((p->tcp_flags & TH_SYN) != 0), true)
                       ? EVIDENCE_WHOLE
                       : v;
        if (p->payload_caplen >= 5 && (p->payload[0] == 21 || p->payload[0] == 22) &&
            engev_server_framing(f, p, true, true))
            return EVIDENCE_WHOLE;
    }
    return v;
}
