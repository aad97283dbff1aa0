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

/* evidence_outer.c: b holds a tunnel's last fragment's link header (link
 * bytes, its headers in dg->outer) and the datagram reassembled after it,
 * the frame ending at `end` on the wire (whole: all of it in b). Sets the
 * headers' lengths and checksums to carry the datagram. False when they
 * cannot (a length past 16 bits, headers not noted). With fragments inside
 * an outer datagram that was itself in fragments (defrag_add_inner), link
 * counts the tunnel's headers taken from it too (dg->inner_at). */
bool evidence_outer_fix(uint8_t *b, uint32_t link, uint32_t end, bool whole,
                        const struct defrag_out *dg);

#endif /* SMTPTAP_EVIDENCE_INT_H */
