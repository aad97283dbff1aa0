/* \summary: which bytes of a mail flow's frame -w may write (evidence.h). */
#include "engine_evidence.h"

#include <string.h>

#include "engine.h"
#include "facts.h"
#include "fctx.h"
#include "reasm.h"

/* The packet being judged came before its flow had a dissector (its first
 * payload): the dispatcher's choice, made on it, may make it TLS. */
static bool engev_undecided;

/* Before the packet: its flow's id (0: none), and where the client's bytes
 * were to go on from after it (its own in-order bytes counted), to see in
 * engine_evidence_after whether the reassembler went past client bytes not
 * seen (a hole given up on: reasm.hole_wait). */
static uint64_t engev_flow;
static uint32_t engev_cnext;

/* flow.ev_open: bits 0 and 1, a side's last bytes may end inside a line;
 * ENGEV_TAINT, a byte the client sent was not written, or not seen (cut,
 * out of order, a retransmission, lost, or sent before the flow was
 * followed): what the client sends next may be anything (a message's line
 * after a DATA not seen), and a server's reply may repeat it (sendmail's
 * "250 2.1.0 <alice@example.org>... Sender ok", Postfix's "554 5.7.1
 * <bob@example.org>: Relay access denied"), so neither is written from
 * then on. */
#define ENGEV_TAINT 4u

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

/* Bytes of a side in a flow handed to TLS that are TLS's: any once that
 * side's hello was parsed (the client's in order: what a hole holds is not
 * known); before, only a hello (the client's) or a
 * handshake or alert record (the server's: a ServerHello, or an alert
 * refusing the ClientHello). After a 220 to STARTTLS a client that does
 * not start TLS sends its next command in clear (AUTH PLAIN and its
 * credential), and the TLS dissector, which gets those bytes, finds them
 * no record only once it has them. */
static bool
engev_tls_opens(const struct flow *f, unsigned side, const uint8_t *b, uint32_t n)
{
    const struct tls_facts *t = &fctx_facts_const(f->ctx)->tls;
    if (side == f->client_side) {
        if (t->client_version != 0 || t->sslv2_hello)
            return true;
        return engev_tls_hello(b, n) || engev_sslv2_hello(b, n);
    }
    if (t->last_hs[DIR_TO_CLIENT] >= 0 || t->n_alerts > 0)
        return true;
    return n >= 5 && (b[0] == 21 || b[0] == 22) && engev_tls_records(b, n);
}

/* The verdict on p's payload; see engine_evidence_judge. */
static enum evidence_verdict
engev_judge(const struct flow *f, unsigned side, const struct pkt *p, bool *in_order)
{
    *in_order = false;
    if (f->disp == FLOW_BYPASS || f->reported)
        return EVIDENCE_CUT; /* past the handshake, or not dissected */
    if (f->midstream || !f->client_known)
        return EVIDENCE_CUT; /* where in the dialogue, and who is who: unknown */
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    const struct reasm_dir *rd = &f->rd[side];
    /* A SYN's data starts at seq+1. Client bytes before the next expected
     * one are a retransmission, perhaps with other bytes than the copy
     * taken (RFC 9293 §3.10.7.4 leaves overlaps to the receiver): the first
     * was judged, this one may be anything. (A server's holds the server's
     * bytes: a whole copy of a segment the snapshot length cut.) */
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    if (!rd->have_seq || (side == f->client_side && (int32_t)(seq - rd->next_seq) < 0))
        return EVIDENCE_CUT;
    const char *dis = f->ctx != NULL ? fctx_dissector_name(f->ctx) : NULL;
    /* TLS until the handshake ends (then bypass); bytes in clear where TLS
     * was expected are judged as lines (a server of plaintext SMTP on 465
     * answers a ClientHello with its 220) */
    bool next = seq == rd->next_seq && rd->ooo == NULL;
    if (dis != NULL && strcmp(dis, "tls") == 0 && (next || side != f->client_side) &&
        engev_tls_opens(f, side, b, n))
        return EVIDENCE_WHOLE;
    const struct smtp_facts *sm = f->ctx != NULL ? &fctx_facts_const(f->ctx)->smtp : NULL;
    bool mailed = sm != NULL && (sm->auth_before_tls || sm->plaintext_mail || sm->plaintext_data);
    if (mailed || (f->ev_open & ENGEV_TAINT) != 0)
        return EVIDENCE_CUT;
    if (side != f->client_side) {
        /* Reply lines say what they are, in any order; but a reply to
         * client bytes not seen may repeat them: the server acknowledges
         * no more than the client bytes seen. */
        const struct reasm_dir *cd = &f->rd[f->client_side];
        if ((p->tcp_flags & TH_ACK) != 0 &&
            (!cd->have_seq || (int32_t)(p->ack - cd->next_seq) > (cd->fin_seen ? 1 : 0)))
            return EVIDENCE_CUT;
        return engev_tls_hello(b, n) || evidence_server_lines_ok(b, n) ? EVIDENCE_WHOLE
                                                                       : EVIDENCE_CUT;
    }
    /* A client's line is known for a command only when all that came
     * before it was seen: in order, nothing held, no line left open (RFC
     * 9293 §3.4). */
    if (!next)
        return EVIDENCE_CUT;
    *in_order = true;
    if ((f->ev_open >> side & 1) != 0)
        return EVIDENCE_CUT;
    return engev_tls_hello(b, n) || evidence_client_lines_ok(b, n) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
}

enum evidence_verdict
engine_evidence_before(const struct pkt *p)
{
    unsigned side;
    struct flow *f = engine_flow_peek(p, &side);
    engev_undecided = false;
    engev_flow = 0;
    if (f != NULL && f->client_known && f->rd[f->client_side].have_seq) {
        engev_flow = f->id;
        engev_cnext = f->rd[f->client_side].next_seq;
    }
    if (p->ip_proto != 6 || p->payload_wirelen == 0)
        return EVIDENCE_WHOLE; /* SYN, ACK, FIN, RST (UDP: skipped after) */
    engev_undecided = f == NULL || (f->ctx == NULL && f->disp == FLOW_UNDECIDED);
    if (f == NULL) /* its first packet (no SYN before it): picked up midstream */
        return EVIDENCE_CUT;
    bool in_order;
    enum evidence_verdict v = engev_judge(f, side, p, &in_order);
    /* Whether the client's next bytes start a line: only after bytes seen
     * in order, whole, that end one (a line cut by a segment, a hole or a
     * snaplen cut leaves the rest of it unknown). */
    bool closed = in_order && p->payload_caplen == p->payload_wirelen && p->payload_caplen > 0 &&
                  p->payload[p->payload_caplen - 1] == '\n';
    uint8_t open = (uint8_t)(closed ? f->ev_open & ~(1u << side) : f->ev_open | 1u << side);
    if (side == f->client_side) {
        /* a client segment cut, or one cut by the snapshot length (what
         * it held past the cut is not known) */
        if (v == EVIDENCE_CUT || p->payload_caplen < p->payload_wirelen)
            open |= ENGEV_TAINT;
        uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
        if (engev_flow == f->id && seq == engev_cnext)
            engev_cnext = seq + p->payload_wirelen;
    }
    f->ev_open = open;
    return v;
}

enum evidence_verdict
engine_evidence_after(const struct pkt *p, enum evidence_verdict v)
{
    unsigned side;
    struct flow *f = engine_flow_peek(p, &side);
    if (f == NULL)
        return EVIDENCE_SKIP;
    /* the reassembler went on past client bytes that no packet judged here
     * brought in order: lost bytes given up on (or held ones, cut) */
    if (f->id == engev_flow && f->client_known &&
        (int32_t)(f->rd[f->client_side].next_seq - engev_cnext) > 0)
        f->ev_open |= ENGEV_TAINT;
    if (!f->mail_port && f->first_dissector == NULL)
        return EVIDENCE_SKIP;
    /* the first payload of a connection whose start was seen made the flow
     * TLS's (465, a ClientHello on another port): its bytes are TLS's when
     * they open a record (a client's command in clear on 465 is read as
     * SMTP, and stays cut) */
    if (engev_undecided && v == EVIDENCE_CUT && !f->midstream && f->client_known &&
        f->ctx != NULL && fctx_dissector_name(f->ctx) != NULL &&
        strcmp(fctx_dissector_name(f->ctx), "tls") == 0 &&
        (side == f->client_side
             ? engev_tls_hello(p->payload, p->payload_caplen) ||
                   engev_sslv2_hello(p->payload, p->payload_caplen)
             : p->payload_caplen >= 5 && (p->payload[0] == 21 || p->payload[0] == 22) &&
                   engev_tls_records(p->payload, p->payload_caplen)))
        return EVIDENCE_WHOLE;
    return v;
}
