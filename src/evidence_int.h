/* \summary: -w's writer (evidence.c) and its hold-back queue
 * (evidence_hold.c), between themselves: a frame put together, ready to be
 * written whole or cut. */
#ifndef SMTPTAP_EVIDENCE_INT_H
#define SMTPTAP_EVIDENCE_INT_H

#include "evidence.h"

struct evidence_out {
    const uint8_t *data; /* the frame as written whole (padding zeroed) */
    uint32_t whole;      /* its bytes */
    uint32_t cut;        /* where a cut ends it: the end of the TCP header (<= whole) */
    uint32_t wirelen;    /* its length on the wire */
    int64_t ts_us;
    bool reassembled; /* a datagram rebuilt from IP fragments */
};

/* Writes o now, whole or cut by v, and counts it. */
void evidence_emit(const struct evidence_out *o, enum evidence_verdict v);

/* The writer's counters, which the queue adds to. */
struct evidence_stats *evidence_st(void);

/* o with verdict v (EVIDENCE_HOLD too: p is its packet): written now, or
 * queued behind frames held, in capture order. */
void evidence_hold_put(const struct evidence_out *o, enum evidence_verdict v, const struct pkt *p);

/* The tag of evidence_hold_tag() was not used (the frame is not written). */
void evidence_hold_untag(void);

/* Every frame held is cut, and every frame queued written. */
void evidence_hold_drain(void);

#endif /* SMTPTAP_EVIDENCE_INT_H */
