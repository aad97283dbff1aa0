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

/* A TLS record that opens a ClientHello or a ServerHello (RFC 8446 §5.1,
 * §4): type 22, version 3.x, a length a record may have, message type 1 or
 * 2. Bytes that may be written even in a plaintext SMTP flow (after
 * STARTTLS; a client speaking TLS to a server in clear): nothing else in a
 * dialogue before MAIL starts so. */
static bool
engev_tls_hello(const uint8_t *b, uint32_t n)
{
    return n >= 6 && b[0] == 22 && b[1] == 3 && b[2] <= 4 && (b[3] << 8 | b[4]) <= 16384 + 2048 &&
           (b[5] == 1 || b[5] == 2);
}

/* The verdict on p's payload; see engine_evidence_judge. */
static enum evidence_verdict
engev_judge(const struct flow *f, unsigned side, const struct pkt *p, bool *in_order)
{
    *in_order = false;
    if (f->disp == FLOW_BYPASS || f->reported)
        return EVIDENCE_CUT; /* past the handshake, or not dissected */
    const char *dis = f->ctx != NULL ? fctx_dissector_name(f->ctx) : NULL;
    if (dis != NULL && strcmp(dis, "tls") == 0)
        return EVIDENCE_WHOLE; /* TLS until the handshake ends (then bypass): no clear text */
    const uint8_t *b = p->payload;
    uint32_t n = p->payload_caplen;
    const struct smtp_facts *sm = f->ctx != NULL ? &fctx_facts_const(f->ctx)->smtp : NULL;
    bool mailed = sm != NULL && (sm->auth_before_tls || sm->plaintext_mail || sm->plaintext_data);
    if (!mailed && engev_tls_hello(b, n))
        return EVIDENCE_WHOLE;
    if (f->midstream || !f->client_known)
        return EVIDENCE_CUT;    /* where in the dialogue, and who is who: unknown */
    if (side != f->client_side) /* reply lines say what they are, in any order */
        return evidence_server_lines_ok(b, n) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
    /* A client's line is known for a command only when all that came
     * before it was seen: in order, nothing held, no line left open (RFC
     * 9293 §3.4). A SYN's data starts at seq+1. */
    const struct reasm_dir *rd = &f->rd[side];
    uint32_t seq = p->seq + ((p->tcp_flags & TH_SYN) != 0);
    if (!rd->have_seq || seq != rd->next_seq || rd->ooo != NULL)
        return EVIDENCE_CUT;
    *in_order = true;
    if (mailed || (f->ev_open >> side & 1) != 0)
        return EVIDENCE_CUT;
    return evidence_client_lines_ok(b, n) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
}

enum evidence_verdict
engine_evidence_before(const struct pkt *p)
{
    unsigned side;
    struct flow *f = engine_flow_peek(p, &side);
    engev_undecided = false;
    if (p->ip_proto != 6 || p->payload_wirelen == 0)
        return EVIDENCE_WHOLE; /* SYN, ACK, FIN, RST (UDP: skipped after) */
    engev_undecided = f == NULL || (f->ctx == NULL && f->disp == FLOW_UNDECIDED);
    if (f == NULL) /* its first packet: a hello of implicit TLS, or nothing yet */
        return engev_tls_hello(p->payload, p->payload_caplen) ? EVIDENCE_WHOLE : EVIDENCE_CUT;
    bool in_order;
    enum evidence_verdict v = engev_judge(f, side, p, &in_order);
    /* Whether the client's next bytes start a line: only after bytes seen
     * in order, whole, that end one (a line cut by a segment, a hole or a
     * snaplen cut leaves the rest of it unknown). */
    bool closed = in_order && p->payload_caplen == p->payload_wirelen && p->payload_caplen > 0 &&
                  p->payload[p->payload_caplen - 1] == '\n';
    f->ev_open = (uint8_t)(closed ? f->ev_open & ~(1u << side) : f->ev_open | 1u << side);
    return v;
}

enum evidence_verdict
engine_evidence_after(const struct pkt *p, enum evidence_verdict v)
{
    unsigned side;
    const struct flow *f = engine_flow_peek(p, &side);
    if (f == NULL || (!f->mail_port && f->first_dissector == NULL))
        return EVIDENCE_SKIP;
    /* the first payload made the flow TLS's (465, a ClientHello, a flow
     * picked up inside TLS): its bytes are TLS's */
    if (engev_undecided && f->ctx != NULL && fctx_dissector_name(f->ctx) != NULL &&
        strcmp(fctx_dissector_name(f->ctx), "tls") == 0)
        return EVIDENCE_WHOLE;
    return v;
}
