/* \summary: per-direction TCP stream reassembly (RFC 9293 §3.4 sequence
 * numbers, §3.10.7.4 segment processing).
 *
 * One struct reasm_dir per direction of a flow. In-order bytes are delivered
 * at once (zero-copy from the packet); segments beyond a hole are copied into
 * a sorted out-of-order list capped at reasm.ooo_max bytes, and at one
 * segment per REASM_OOO_SEG_BYTES of them. Overlaps are resolved
 * first-wins: bytes already delivered or buffered stay, and a later copy that
 * differs raises "tcp.overlap_different_data" (compared against the buffered
 * segments, and against a small ring of the latest delivered bytes). A hole
 * that can no longer be filled (ooo cap, an ACK from the peer beyond it, or
 * the end of the flow) is delivered as a gap, never as garbage. Bytes cut by
 * the snaplen are a gap too. All memory goes through mem.c.
 */
#ifndef SMTPTAP_REASM_H
#define SMTPTAP_REASM_H

#include <stdbool.h>
#include <stdint.h>

/* Wrap-safe sequence comparisons (RFC 9293 §3.4: arithmetic modulo 2^32). */
#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* Bytes of recently delivered data kept per direction to compare
 * retransmissions with (allocated on the first delivery). */
#define REASM_HIST_BYTES 2048u

/* An ACK further than this beyond the next expected byte is not believed
 * (garbage or a different connection) and does not declare loss. */
#define REASM_ACK_WINDOW (1u << 30)

/* Data is accepted up to twice the receiver's largest window beyond the next
 * expected byte, and never less than this far: a capture that lost a few
 * megabytes of both directions (ACKs included) keeps what it has, while a
 * stray segment, whose sequence number is random, lands farther with odds
 * of 255 to 1. */
#define REASM_WINDOW_FLOOR (1u << 24)

/* The out-of-order list holds at most one segment (or lost marker) per this
 * many bytes of reasm.ooo_max, and at least REASM_OOO_SEGS_MIN: 512 at the
 * default 64 KiB. reasm.ooo_max alone counts data bytes, so one-byte
 * segments could fill it with 65 536 nodes, each insertion a walk along
 * them (quadratic time: 65 000 such segments took 13 s; Snort's stream5
 * caps max_queued_segs beside max_queued_bytes, about one per 400 bytes).
 * Past the cap the first hole is given up, as past reasm.ooo_max
 * ("reasm.ooo_cap"). A segment after the last one held, the usual order, is
 * appended without a walk; any other walks at most the cap. */
#define REASM_OOO_SEG_BYTES 128u
/* An ACK passing a hole proves the receiver got bytes the capture has not
 * shown yet, not that it lost them: on a SPAN port the two directions come
 * through different paths, and the segment often follows the ACK that
 * acknowledges it (tshark's tcp.reassemble_out_of_order, too, keeps such a
 * segment). The hole becomes a gap once this many
 * packets of its sender came after the ACK passed it without filling it
 * (each sender's packets keep their order, so a reordered one is due within
 * a few), or at the caps or the end of the flow. Bytes cut by the snaplen
 * wait as many packets of their sender for a full copy. The default of the
 * cap reasm.hole_wait (struct reasm_limits.hole_pkts). */
#define REASM_HOLE_PKTS    8u
#define REASM_OOO_SEGS_MIN 64u

/* Where a direction's bytes go. Callbacks are borrowed; buf is valid for the
 * call only. `event` names are static snake_case strings. */
struct reasm_sink {
    void (*data)(void *user, const uint8_t *buf, uint32_t len);
    void (*gap)(void *user, uint64_t missing);
    void (*event)(void *user, const char *name, const char *detail);
    void *user;
};

/* An out-of-order segment (reasm.c). */
struct reasm_seg {
    struct reasm_seg *next;
    uint32_t seq;
    uint32_t len;
    uint32_t pkt;  /* the direction's packet count (reasm_dir.pkts) when it came */
    uint32_t need; /* with waits: the peer's bytes up to here come first (reasm_answer) */
    bool waits;    /* its segment acknowledged peer bytes not delivered yet */
    bool lost;     /* bytes the capture did not keep (snaplen cut): delivered as a gap */
    uint8_t data[];
};

struct reasm_dir {
    bool have_seq;              /* next_seq is valid (SYN seen or picked up midstream) */
    bool syn_seen;              /* a SYN fixed the ISN */
    bool fin_seen;              /* fin_seq is valid */
    bool stopped;               /* reasm.depth reached: nothing more is delivered */
    bool ooo_capped;            /* reasm.ooo_max was hit at least once */
    bool syn_wscale;            /* this side's SYN carried a window scale option */
    bool wshift_known;          /* both SYNs were taken: wshift is what they agreed */
    uint8_t wscale;             /* the shift count of that option (RFC 7323 §2.2), 0-14 */
    uint8_t wshift;             /* shift of the windows this side advertises (if known) */
    bool isn_acked;             /* the peer's SYN-ACK acknowledged isn (RFC 5961 §4) */
    bool seq_known;             /* seq_max is valid */
    uint32_t isn;               /* initial sequence number (its SYN, or a SYN-ACK's ack - 1) */
    uint32_t next_seq;          /* next byte to deliver */
    uint32_t fin_seq;           /* sequence number of the FIN (one past the last data byte) */
    struct reasm_seg *ooo;      /* sorted by seq, non-overlapping, beyond next_seq (a lost
                                   marker may start at it: a snaplen cut waiting for a copy) */
    struct reasm_seg *ooo_tail; /* the last segment of ooo (NULL when empty) */
    uint32_t ooo_bytes; /* bytes held in ooo, a lost marker's node counted (reasm.ooo_max) */
    uint32_t ooo_segs;  /* segments and lost markers held in ooo */
    uint32_t rwnd_max;  /* largest window the receiver of these bytes advertised (0: none) */
    uint32_t seq_max;   /* one past the highest sequence number seen (reasm_seen) */
    bool ack_wait;      /* the peer acknowledged beyond a hole: ack_max, ack_pkt valid */
    uint32_t ack_max;   /* highest such ACK (a hole below it waits reasm.hole_wait packets) */
    uint32_t ack_pkt;   /* pkts when an ACK first passed next_seq */
    uint32_t pkts;      /* packets of this direction so far (reasm_packet) */
    bool answers;       /* the packet in progress acknowledged peer bytes not delivered */
    uint32_t need;      /* its acknowledgment number (reasm_answer) */
    uint64_t mem;       /* accounted bytes held (segments + ring) */
    uint8_t *hist;      /* ring of the last hist_len delivered bytes (or NULL) */
    uint32_t hist_len, hist_pos;
    uint64_t offset;    /* stream offset of next_seq: bytes delivered + gap bytes */
    uint64_t delivered; /* data bytes delivered */
    uint64_t gaps, gap_bytes;
    uint64_t overlaps; /* overlapping bytes seen (retransmissions included) */
};

/* Per-call limits (from struct config). */
struct reasm_limits {
    uint32_t ooo_max;   /* reasm.ooo_max */
    uint32_t depth;     /* reasm.depth (0 = unlimited) */
    uint32_t hole_pkts; /* reasm.hole_wait (0 = REASM_HOLE_PKTS) */
};

void reasm_init(struct reasm_dir *r);

/* Whether the captured bytes data[0..len) of a segment at seq differ from
 * the bytes of this direction seen before (first wins, RFC 9293
 * §3.10.7.4): the delivered ones still in the history ring, and those
 * buffered out of order. 1 when a byte differs; -1 when none does but
 * some of them overlap delivered bytes the ring no longer holds (or never
 * held: after a gap); 0 when every overlapping byte was compared, or none
 * overlaps. Read only. */
int reasm_seen_differs(const struct reasm_dir *r, uint32_t seq, const uint8_t *data, uint32_t len);

/* Frees the out-of-order list and the history ring; the counters stay. */
void reasm_free(struct reasm_dir *r);

/* A SYN with sequence number isn: fixes the ISN (data starts at isn + 1).
 * A SYN with a different ISN before any data, and before the peer's SYN-ACK
 * acknowledged the first one (reasm_syn_acked), replaces it (event
 * "tcp.syn_new_isn"); otherwise it is ignored with that event, and false
 * is returned: the caller drops the segment's data and FIN too. The SYN a
 * SYN-ACK already acknowledged (seen after it) is taken quietly. */
bool reasm_syn(struct reasm_dir *r, uint32_t isn, const struct reasm_sink *s);

/* Starts a direction picked up without a SYN at sequence number seq. */
void reasm_pickup(struct reasm_dir *r, uint32_t seq);

/* The peer's SYN-ACK acknowledged ack (RFC 9293 §3.5): this side's ISN is
 * ack - 1. A direction not started starts there. Once acknowledged, a SYN
 * with another ISN is not taken, data seen or not (RFC 5961 §4: a SYN in a
 * synchronized state only earns a challenge ACK); a late copy of the
 * acknowledged SYN is taken quietly. */
void reasm_syn_acked(struct reasm_dir *r, uint32_t ack);

/* This side sent sequence numbers up to seq_end (its SYN, data or FIN,
 * retransmissions included), or the peer acknowledged them: seq_max
 * follows, in every disposition of the flow (the engine calls it for
 * bypassed flows too), except for a jump beyond the window (as
 * reasm_window bounds data: a stray segment). */
void reasm_seen(struct reasm_dir *r, uint32_t seq_end);

/* A RST sent by this side at seq ends the connection (RFC 9293
 * §3.10.7.4, RFC 5961 §3.2): true when this side's sequence numbers are
 * unknown, or seq lies within the window (as reasm_fin bounds a FIN) of the
 * next expected byte or of seq_max, either way: a capture that lost packets
 * still ends with the connection. A RST far from both (a blind injection,
 * a stray one of another connection) is not this connection's. */
bool reasm_rst_ok(const struct reasm_dir *r, uint32_t seq);

/* True when a SYN at isn from this side cannot be this connection's: not
 * its SYN again (the ISN taken), nor a sequence number it already used
 * ([ISN, seq_max), or the 16 MiB below seq_max when no SYN was seen). On a
 * connection that carried data, such a SYN opens a new connection on the
 * same ports (the engine ends the old one). */
bool reasm_syn_is_new(const struct reasm_dir *r, uint32_t isn);

/* A segment: caplen bytes at seq are present, wirelen (>= caplen) were on the
 * wire; the missing tail is held as a lost marker, which a later full copy
 * replaces, and is delivered as a gap once it is in order and
 * reasm.hole_wait packets of this direction came after it. */
void reasm_data(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
                uint32_t seq, const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* The peer acknowledged everything before ack: the receiver got bytes below
 * it. A hole there is not given up yet (the segment may come after the ACK
 * that acknowledges it); it becomes a gap once reasm.hole_wait packets of
 * this direction came after without filling it (reasm_packet). */
void reasm_ack(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
               uint32_t ack);

/* The packet of this direction in progress acknowledges ack (called after
 * reasm_ack of the peer, before reasm_data and reasm_fin): when the capture
 * has not shown the peer's bytes below it yet, its bytes are buffered as
 * waiting for them, delivered once the peer's bytes up to ack (its FIN
 * excluded) were delivered or given up (reasm_unhold). A dissector so reads
 * a reply after the command it answers, as the receiver did (a STARTTLS
 * reordered after its 220 made the ClientHello look injected; Suricata's
 * IDS mode likewise hands a direction's bytes to its parser once the other
 * direction acknowledged them). Waiting
 * cannot pass reasm.ooo_max: a segment that does not fit delivers what
 * waits; reasm_flush and the caps deliver it too. */
void reasm_answer(struct reasm_dir *r, const struct reasm_dir *peer, uint32_t ack);

/* Delivers the segments of r that waited for peer bytes which peer has now
 * delivered or given up. True when something moved (the caller then tries
 * the other direction again). */
bool reasm_unhold(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
                  const struct reasm_dir *peer);

/* True when the segment at next_seq waits for the peer's bytes. */
bool reasm_waiting(const struct reasm_dir *r);

/* Delivers the segment at next_seq without waiting any longer: for two
 * directions that each wait for the other (a retransmission acknowledged
 * bytes whose first copy the capture lost, and the peer's reply to them
 * waits for it), the caller releases one. */
void reasm_release(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s);

/* A packet of this direction was handled (its data and FIN given to
 * reasm_data and reasm_fin first, pure ACKs included): counts it, and gives
 * up a hole the peer acknowledged, or a snaplen cut at next_seq, that
 * reasm.hole_wait packets of this direction have passed since. */
void reasm_packet(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s);

/* The receiver of this direction's bytes advertised a window of wnd bytes
 * (scaled). A segment starting more than twice the largest such window (at
 * least REASM_WINDOW_FLOOR) beyond next_seq is not acceptable (RFC 9293
 * §3.10.7.4) and is ignored with "tcp.out_of_window": a stray segment of an
 * earlier connection on the same ports would otherwise become a hole. With
 * no window seen, the bound is REASM_ACK_WINDOW. */
void reasm_window(struct reasm_dir *r, uint32_t wnd);

/* A FIN at fin_seq (seq + payload length, seq where its segment starts).
 * The first acceptable FIN stands (a retransmitted one is harmless; one at
 * another sequence number raises "tcp.fin_moved"); one before the
 * delivered bytes, or whose segment starts out of the window as above (with
 * no window seen: REASM_WINDOW_FLOOR), is ignored with "tcp.out_of_window"
 * and false is returned. Bytes at or beyond the FIN's sequence number are not stream
 * data (RFC 9293 §3.10.7.4, eighth step): buffered ones are dropped here,
 * later ones by reasm_data, with "tcp.data_after_fin". */
bool reasm_fin(struct reasm_dir *r, uint32_t seq, uint32_t fin_seq, const struct reasm_sink *s);

/* True when a FIN was seen and every byte before it was delivered or gapped. */
bool reasm_closed(const struct reasm_dir *r);

/* The flow ends, first step: every hole before the buffered segments, or
 * below what the peer acknowledged, becomes a gap, and what does not wait for the peer's bytes
 * (reasm_answer) is delivered. The caller then lets each direction deliver what waited for the
 * other (reasm_unhold), and calls reasm_flush. */
void reasm_giveup(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s);

/* The flow ends: every remaining hole becomes a gap, buffered segments are
 * delivered in order, and bytes missing before a FIN are a final gap. */
void reasm_flush(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s);

/* True when the out-of-order list keeps its invariant (reasm.c: sorted,
 * not overlapping, beyond next_seq) and its bookkeeping (ooo_tail,
 * ooo_segs, ooo_bytes) within the caps: for tests and fuzzing, a walk of
 * the whole list. */
bool reasm_consistent(const struct reasm_dir *r, const struct reasm_limits *lim);

/* Accounted bytes this direction holds. */
uint64_t reasm_mem(const struct reasm_dir *r);

#endif /* SMTPTAP_REASM_H */
