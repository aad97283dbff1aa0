/* \summary: -w's hold-back queue (evidence.h): frames whose verdict waits
 * for bytes not seen yet, and the frames after them, kept in capture order
 * until the first is decided. Why capture order, not a held frame written
 * late with its own time stamp: the evidence file then lists the frames as
 * the original does (the same order, numbers in step, time stamps
 * nondecreasing when the original's were), so that Wireshark's TCP analysis
 * flags what the original shows and nothing more, and a tool that wants
 * sorted input (mergecap, editcap -S) takes it. The price: while a frame is
 * held, the frames after it wait in memory too (bounded). */
#include <stddef.h>
#include <string.h>

#include "evidence_int.h"
#include "mem.h"

struct evhold_entry {
    uint8_t *data; /* a copy: whole when held or WHOLE, else cut */
    uint32_t size; /* bytes of data */
    struct evidence_out o;
    enum evidence_verdict v; /* EVIDENCE_HOLD: waiting */
    struct evidence_held h;  /* when held */
};

static struct {
    struct evhold_entry *ring; /* EVIDENCE_HOLD_FRAMES, allocated at the first hold */
    uint64_t head, tail;       /* entries [head, tail) queued, ring[i % EVIDENCE_HOLD_FRAMES] */
    uint64_t bytes;            /* of their copies */
    uint32_t held;             /* of them waiting */
    uint64_t tag_flow;         /* evidence_hold_tag's */
    unsigned tag_side;
    bool tag_flight;
    bool tagged;
} hq;

static inline struct evhold_entry *
evhold_at(uint64_t i)
{
    return &hq.ring[i % EVIDENCE_HOLD_FRAMES];
}

/* Writes the decided entries at the queue's head. */
static void
evhold_flush(void)
{
    for (unsigned guard = 0; hq.head < hq.tail && guard < EVIDENCE_HOLD_FRAMES; guard++) {
        struct evhold_entry *e = evhold_at(hq.head);
        if (e->v == EVIDENCE_HOLD)
            return;
        e->o.data = e->data;
        evidence_emit(&e->o, e->v);
        mem_free(e->data, e->size);
        hq.bytes -= e->size;
        e->data = NULL;
        hq.head++;
    }
}

static void
evhold_set(struct evhold_entry *e, enum evidence_verdict v)
{
    if (e->v != EVIDENCE_HOLD)
        return;
    e->v = v;
    hq.held--;
}

/* The oldest frame held is given up on: cut (a bound reached). */
static void
evhold_give_up_head(void)
{
    if (hq.head < hq.tail) {
        evhold_set(evhold_at(hq.head), EVIDENCE_CUT);
        evidence_st()->held_cut++;
    }
    evhold_flush();
}

void
evidence_hold_tag(uint64_t flow_id, unsigned side, bool flight)
{
    hq.tag_flow = flow_id;
    hq.tag_side = side;
    hq.tag_flight = flight;
    hq.tagged = true;
}

void
evidence_hold_untag(void)
{
    hq.tagged = false;
}

bool
evidence_hold_any(void)
{
    return hq.held > 0;
}

bool
evidence_hold_before(uint64_t flow_id, unsigned side, uint32_t seq)
{
    for (uint64_t i = hq.head; i < hq.tail && hq.held > 0; i++) {
        const struct evhold_entry *e = evhold_at(i);
        if (e->v == EVIDENCE_HOLD && e->h.flow_id == flow_id && e->h.side == side &&
            (int32_t)(e->h.seq - seq) < 0)
            return true;
    }
    return false;
}

bool
evidence_hold_room(uint64_t flow_id)
{
    uint32_t n = 0;
    for (uint64_t i = hq.head; i < hq.tail && hq.held > 0; i++) {
        const struct evhold_entry *e = evhold_at(i);
        n += e->v == EVIDENCE_HOLD && e->h.flow_id == flow_id;
    }
    return n < EVIDENCE_HOLD_FLOW;
}

struct evidence_held *
evidence_held_next(uint64_t flow_id, uint64_t *it)
{
    uint64_t i = *it < hq.head ? hq.head : *it;
    for (; i < hq.tail && hq.held > 0; i++) {
        struct evhold_entry *e = evhold_at(i);
        if (e->v == EVIDENCE_HOLD && e->h.flow_id == flow_id) {
            *it = i + 1;
            return &e->h;
        }
    }
    *it = i;
    return NULL;
}

void
evidence_held_decide(struct evidence_held *h, enum evidence_verdict v)
{
    struct evhold_entry *e =
        (struct evhold_entry *)((uint8_t *)h - offsetof(struct evhold_entry, h));
    evhold_set(e, v == EVIDENCE_WHOLE ? EVIDENCE_WHOLE : EVIDENCE_CUT);
    evhold_flush();
}

void
evidence_hold_expire(int64_t now_us)
{
    for (unsigned guard = 0; hq.head < hq.tail && guard < EVIDENCE_HOLD_FRAMES; guard++) {
        const struct evhold_entry *e = evhold_at(hq.head);
        if (e->v != EVIDENCE_HOLD || now_us - e->o.ts_us <= EVIDENCE_HOLD_US)
            return;
        evhold_give_up_head();
    }
}

void
evidence_hold_drain(void)
{
    for (unsigned guard = 0; hq.head < hq.tail && guard <= EVIDENCE_HOLD_FRAMES; guard++)
        evhold_give_up_head();
    hq.tagged = false;
    if (hq.ring != NULL) /* kept from the first hold to the end */
        mem_free(hq.ring, sizeof(*hq.ring) * EVIDENCE_HOLD_FRAMES);
    hq.ring = NULL;
    hq.head = hq.tail = 0;
}

void
evidence_hold_put(const struct evidence_out *o, enum evidence_verdict v, const struct pkt *p)
{
    bool tagged = hq.tagged;
    hq.tagged = false;
    if (v == EVIDENCE_HOLD && (!tagged || !evidence_hold_room(hq.tag_flow))) {
        v = EVIDENCE_CUT; /* in doubt: cut */
        evidence_st()->held_cut++;
    }
    evidence_hold_expire(o->ts_us);
    uint32_t size = v == EVIDENCE_CUT ? o->cut : o->whole;
    for (unsigned guard = 0;
         hq.head < hq.tail && guard <= EVIDENCE_HOLD_FRAMES &&
         (hq.tail - hq.head >= EVIDENCE_HOLD_FRAMES || hq.bytes + size > EVIDENCE_HOLD_BYTES);
         guard++)
        evhold_give_up_head();
    if (hq.head == hq.tail && v != EVIDENCE_HOLD) {
        evidence_emit(o, v); /* nothing waits: written now */
        return;
    }
    if (hq.ring == NULL)
        hq.ring = mem_alloc(sizeof(*hq.ring) * EVIDENCE_HOLD_FRAMES);
    uint8_t *copy = hq.ring != NULL ? mem_alloc_raw(size ? size : 1) : NULL;
    if (copy == NULL) { /* the memory cap: nothing more is held */
        for (unsigned guard = 0; hq.head < hq.tail && guard <= EVIDENCE_HOLD_FRAMES; guard++)
            evhold_give_up_head();
        if (v == EVIDENCE_HOLD) {
            v = EVIDENCE_CUT;
            evidence_st()->held_cut++;
        }
        evidence_emit(o, v);
        return;
    }
    memcpy(copy, o->data, size);
    struct evhold_entry *e = evhold_at(hq.tail++);
    e->data = copy;
    e->size = size;
    e->o = *o;
    e->o.data = copy;
    e->v = v;
    hq.bytes += size;
    if (v != EVIDENCE_HOLD)
        return;
    hq.held++;
    evidence_st()->held++;
    memset(&e->h, 0, sizeof(e->h));
    e->h.flow_id = hq.tag_flow;
    e->h.side = (uint8_t)hq.tag_side;
    e->h.flight = hq.tag_flight;
    e->h.tcp_flags = p->tcp_flags;
    e->h.seq = p->seq;
    e->h.ack = p->ack;
    e->h.payload = copy + o->cut;
    e->h.payload_caplen = p->payload_caplen <= size - o->cut ? p->payload_caplen : size - o->cut;
    e->h.payload_wirelen = p->payload_wirelen;
}
