/* \summary: per-direction TCP stream reassembly (see reasm.h).
 *
 * Sequence space (RFC 9293 §3.4): a SYN occupies one sequence number, data
 * starts at ISN + 1, a FIN occupies the number after the last data byte. All
 * comparisons go through the wrap-safe SEQ_* macros.
 *
 *   delivered / gapped     | hole |  ooo seg  | hole |  ooo seg  |
 *   ---------------------- next_seq ----------------------------------->
 *
 * Invariant after every public call: the ooo list is sorted, its segments do
 * not overlap, and every one starts strictly beyond next_seq, except a lost
 * marker (bytes the snaplen cut) at the head, which may start at next_seq
 * while it waits reasm.hole_wait packets for a full copy.
 *
 * Policy (documented, as Suricata's "first" policy): the first copy of a byte
 * wins. A segment overlapping delivered or buffered bytes only contributes
 * the bytes nobody sent before; overlapping bytes that differ from the first
 * copy raise "tcp.overlap_different_data" (RFC 9293 §3.10.7.4 trims segments
 * to the window the same way; differing data is the evasion case).
 */
#include "reasm.h"

#include <stddef.h>
#include <string.h>

#include "mem.h"

/* reasm_unmark finds the node before another from the link to it */
_Static_assert(offsetof(struct reasm_seg, next) == 0, "next first");

static size_t
reasm_seg_size(const struct reasm_seg *g)
{
    return sizeof(*g) + (g->lost ? 0 : g->len);
}

/* True when caplen more bytes may be buffered under reasm.ooo_max. */
static bool
reasm_fits(const struct reasm_dir *r, const struct reasm_limits *lim, uint32_t caplen)
{
    return caplen <= lim->ooo_max && r->ooo_bytes <= lim->ooo_max - caplen;
}

/* True when one more segment may be held (REASM_OOO_SEG_BYTES). */
static bool
reasm_seg_room(const struct reasm_dir *r, const struct reasm_limits *lim)
{
    uint32_t max = lim->ooo_max / REASM_OOO_SEG_BYTES;
    return r->ooo_segs < (max > REASM_OOO_SEGS_MIN ? max : REASM_OOO_SEGS_MIN);
}

/* True when a segment of caplen captured bytes may be held: its bytes, and
 * a node when it has any (a marker refused leaves a hole, reasm_insert). */
static bool
reasm_data_fits(const struct reasm_dir *r, const struct reasm_limits *lim, uint32_t caplen)
{
    return reasm_fits(r, lim, caplen) && (caplen == 0 || reasm_seg_room(r, lim));
}

void
reasm_init(struct reasm_dir *r)
{
    memset(r, 0, sizeof(*r));
}

static void
reasm_free_ooo(struct reasm_dir *r)
{
    unsigned guard = 0;
    while (r->ooo != NULL && guard++ < UINT32_MAX) {
        struct reasm_seg *g = r->ooo;
        r->ooo = g->next;
        r->mem -= reasm_seg_size(g);
        mem_free(g, reasm_seg_size(g));
    }
    r->ooo_tail = NULL;
    r->ooo_bytes = 0;
    r->ooo_segs = 0;
}

void
reasm_free(struct reasm_dir *r)
{
    reasm_free_ooo(r);
    if (r->hist != NULL) {
        mem_free(r->hist, REASM_HIST_BYTES);
        r->mem -= REASM_HIST_BYTES;
        r->hist = NULL;
    }
    r->hist_len = r->hist_pos = 0;
}

bool
reasm_consistent(const struct reasm_dir *r, const struct reasm_limits *lim)
{
    const struct reasm_seg *last = NULL;
    uint32_t n = 0, bytes = 0, max = lim->ooo_max / REASM_OOO_SEG_BYTES;
    for (const struct reasm_seg *g = r->ooo; g != NULL && n < UINT32_MAX; g = g->next) {
        bool head_marker = g == r->ooo && (g->lost || g->waits) && g->seq == r->next_seq;
        if ((!SEQ_GT(g->seq, r->next_seq) && !head_marker) || g->len == 0 ||
            (last != NULL && SEQ_LT(g->seq, last->seq + last->len)))
            return false;
        bytes += g->lost ? (uint32_t)sizeof(*g) : g->len;
        last = g;
        n++;
    }
    return last == r->ooo_tail && n == r->ooo_segs && bytes == r->ooo_bytes &&
           bytes <= lim->ooo_max && n <= (max > REASM_OOO_SEGS_MIN ? max : REASM_OOO_SEGS_MIN);
}

uint64_t
reasm_mem(const struct reasm_dir *r)
{
    return r->mem;
}

static void
reasm_event(const struct reasm_sink *s, const char *name, const char *detail)
{
    if (s->event != NULL)
        s->event(s->user, name, detail);
}

static void
reasm_stop(struct reasm_dir *r, const struct reasm_sink *s)
{
    r->stopped = true;
    reasm_free(r);
    reasm_event(s, "reasm.depth", "reasm.depth reached: direction no longer reassembled");
}

static void
reasm_hist_add(struct reasm_dir *r, const uint8_t *buf, uint32_t len)
{
    if (r->hist == NULL) {
        r->hist = mem_alloc_raw(REASM_HIST_BYTES); /* only hist_len bytes are read */
        if (r->hist == NULL)
            return; /* no comparison of retransmissions: not an error */
        r->mem += REASM_HIST_BYTES;
    }
    if (len >= REASM_HIST_BYTES) {
        memcpy(r->hist, buf + (len - REASM_HIST_BYTES), REASM_HIST_BYTES);
        r->hist_pos = 0;
        r->hist_len = REASM_HIST_BYTES;
        return;
    }
    uint32_t first = REASM_HIST_BYTES - r->hist_pos;
    if (first > len)
        first = len;
    memcpy(r->hist + r->hist_pos, buf, first);
    memcpy(r->hist, buf + first, len - first);
    r->hist_pos = (r->hist_pos + len) % REASM_HIST_BYTES;
    r->hist_len = r->hist_len + len > REASM_HIST_BYTES ? REASM_HIST_BYTES : r->hist_len + len;
}

/* Compares bytes [seq, seq + len), all before next_seq, with the delivered
 * bytes still in the ring. Returns true when a byte differs. */
static bool
reasm_hist_differs(const struct reasm_dir *r, uint32_t seq, const uint8_t *data, uint32_t len)
{
    if (r->hist == NULL || r->hist_len == 0 || len == 0)
        return false;
    uint32_t back = r->next_seq - seq; /* distance of data[0] from next_seq, >= len */
    uint32_t i0 = back > r->hist_len ? back - r->hist_len : 0;
    for (uint32_t i = i0; i < len; i++) {
        uint32_t dist = back - i; /* 1..hist_len */
        uint32_t idx = (r->hist_pos + REASM_HIST_BYTES - dist) % REASM_HIST_BYTES;
        if (r->hist[idx] != data[i])
            return true;
    }
    return false;
}

int
reasm_seen_differs(const struct reasm_dir *r, uint32_t seq, const uint8_t *data, uint32_t len)
{
    bool unknown = len > 0 && SEQ_LT(seq, r->next_seq) && r->next_seq - seq > r->hist_len;
    if (len > 0 && SEQ_LT(seq, r->next_seq) && /* delivered, [.., next_seq): the ring's */
        reasm_hist_differs(r, seq, data, SEQ_LT(seq + len, r->next_seq) ? len : r->next_seq - seq))
        return 1;
    for (const struct reasm_seg *g = r->ooo; g != NULL; g = g->next) { /* buffered */
        uint32_t lo = SEQ_LT(seq, g->seq) ? g->seq : seq;
        uint32_t hi = SEQ_LT(seq + len, g->seq + g->len) ? seq + len : g->seq + g->len;
        if (!g->lost && SEQ_LT(lo, hi) &&
            memcmp(data + (lo - seq), g->data + (lo - g->seq), hi - lo))
            return 1;
    }
    return unknown ? -1 : 0;
}

/* nwire bytes from seq on arrived again after they were delivered (or
 * gapped); the ncap captured ones at p are compared with the delivered
 * bytes (first wins, RFC 9293 gives no rule; a difference is an evasion
 * attempt or a broken stack). */
static void
reasm_overlap_delivered(struct reasm_dir *r, const struct reasm_sink *s, uint32_t seq,
                        const uint8_t *p, uint32_t ncap, uint32_t nwire)
{
    r->overlaps += nwire;
    if (ncap > 0 && reasm_hist_differs(r, seq, p, ncap))
        reasm_event(s, "tcp.overlap_different_data",
                    "retransmitted bytes differ from the delivered ones (first wins)");
}

/* Delivers len in-order bytes at next_seq, honouring reasm.depth. */
static void
reasm_deliver(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
              const uint8_t *buf, uint32_t len)
{
    if (r->stopped || len == 0)
        return;
    if (r->fin_seen && SEQ_GT(r->next_seq + len, r->fin_seq)) {
        /* a buffered segment across the FIN: its bytes past it are not data */
        reasm_event(s, "tcp.data_after_fin", "bytes beyond the FIN's sequence number: ignored");
        len = SEQ_GT(r->fin_seq, r->next_seq) ? r->fin_seq - r->next_seq : 0;
        if (len == 0)
            return;
    }
    bool cut = false;
    if (lim->depth != 0 && r->offset + len > lim->depth) {
        len = r->offset >= lim->depth ? 0 : (uint32_t)(lim->depth - r->offset);
        cut = true;
    }
    if (len > 0) {
        reasm_hist_add(r, buf, len);
        r->next_seq += len;
        r->offset += len;
        r->delivered += len;
        s->data(s->user, buf, len);
    }
    if (cut)
        reasm_stop(r, s);
}

/* Declares the next n bytes lost. */
static void
reasm_gap(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
          uint32_t n)
{
    if (r->fin_seen && SEQ_GT(r->next_seq + n, r->fin_seq)) /* a lost marker across the FIN */
        n = SEQ_GT(r->fin_seq, r->next_seq) ? r->fin_seq - r->next_seq : 0;
    if (r->stopped || n == 0)
        return;
    r->next_seq += n;
    r->offset += n;
    r->gaps++;
    r->gap_bytes += n;
    r->hist_len = 0; /* the ring must stay contiguous with next_seq */
    s->gap(s->user, n);
    if (lim->depth != 0 && r->offset >= lim->depth)
        reasm_stop(r, s);
}

/* True when reasm.hole_wait packets of this direction came since the one
 * counted as `since` (signed: a stamp of the packet in progress is ahead). */
static bool
reasm_waited(const struct reasm_dir *r, const struct reasm_limits *lim, uint32_t since)
{
    uint32_t wait = lim->hole_pkts != 0 ? lim->hole_pkts : REASM_HOLE_PKTS;
    return (int64_t)(int32_t)(r->pkts - since) >= (int64_t)wait;
}

/* True when the peer acknowledged every byte of g: the receiver has them,
 * so no full copy of a snaplen cut is coming (but as a spurious
 * retransmission). */
static bool
reasm_acked(const struct reasm_dir *r, const struct reasm_seg *g)
{
    return r->ack_wait && SEQ_LEQ(g->seq + g->len, r->ack_max);
}

/* How far reasm_flush_ooo goes: to a segment that waits for the peer's
 * bytes or a lost marker that waits for a full copy; past the marker (a hole
 * is given up); past both (a cap, the end of the flow). */
enum reasm_flush_mode { REASM_FLUSH_READY, REASM_FLUSH_HOLE, REASM_FLUSH_ALL };

/* Delivers buffered segments that are now in order. */
static void
reasm_flush_ooo(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
                enum reasm_flush_mode mode)
{
    while (!r->stopped && r->ooo != NULL && SEQ_LEQ(r->ooo->seq, r->next_seq)) {
        struct reasm_seg *g = r->ooo;
        if (g->waits && mode != REASM_FLUSH_ALL)
            break;
        if (g->lost && g->seq == r->next_seq && mode == REASM_FLUSH_READY &&
            !reasm_waited(r, lim, g->pkt) && !reasm_acked(r, g))
            break;
        r->ooo = g->next;
        if (r->ooo == NULL)
            r->ooo_tail = NULL;
        r->ooo_bytes -= g->lost ? (uint32_t)sizeof(*g) : g->len;
        r->ooo_segs--;
        r->mem -= reasm_seg_size(g);
        uint32_t skip = r->next_seq - g->seq;
        if (skip < g->len) {
            if (g->lost)
                reasm_gap(r, lim, s, g->len - skip);
            else
                reasm_deliver(r, lim, s, g->data + skip, g->len - skip);
        }
        mem_free(g, sizeof(*g) + (g->lost ? 0 : g->len));
    }
}

/* Gives up the first hole: everything up to the first buffered byte (or up to
 * `upto` if that comes first) is lost, then buffered bytes flow again. */
static void
reasm_skip_hole(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
                uint32_t upto, enum reasm_flush_mode mode)
{
    uint32_t target = upto;
    if (r->ooo != NULL && SEQ_LT(r->ooo->seq, target))
        target = r->ooo->seq;
    if (SEQ_GT(target, r->next_seq))
        reasm_gap(r, lim, s, target - r->next_seq);
    reasm_flush_ooo(r, lim, s, mode);
}

/* Buffers [seq, seq + len) (data, or a lost marker when data is NULL) in
 * front of *pp. Returns the link after the new segment, or pp when it could
 * not be buffered (the bytes then become part of a hole). */
static struct reasm_seg **
reasm_insert(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
             struct reasm_seg **pp, uint32_t seq, const uint8_t *data, uint32_t len)
{
    if (len == 0)
        return pp;
    /* A lost marker holds no bytes but costs its node: counted against the
     * cap too, so that a capture cut to its headers cannot grow the list
     * (and the walk along it) without bound. A marker refused leaves a hole,
     * which is what it stood for. */
    uint32_t cost = data != NULL ? len : (uint32_t)sizeof(struct reasm_seg);
    if (!reasm_fits(r, lim, cost) || !reasm_seg_room(r, lim)) {
        if (data == NULL)
            return pp;
        r->ooo_capped = true;
        reasm_event(s, "reasm.ooo_cap", "out-of-order bytes or segments passed reasm.ooo_max");
        return pp;
    }
    size_t sz = sizeof(struct reasm_seg) + (data != NULL ? len : 0);
    struct reasm_seg *g = mem_alloc(sz);
    if (g == NULL) {
        reasm_event(s, "memcap", "global memory cap (memcap) reached");
        return pp;
    }
    g->seq = seq;
    g->len = len;
    g->pkt = r->pkts + 1; /* reasm_packet counts the packet in progress after it */
    g->need = r->need;
    g->waits = r->answers;
    g->lost = data == NULL;
    if (data != NULL)
        memcpy(g->data, data, len);
    r->ooo_bytes += cost;
    r->ooo_segs++;
    r->mem += sz;
    g->next = *pp;
    *pp = g;
    if (g->next == NULL)
        r->ooo_tail = g;
    return &g->next;
}

/* Handles the part [cur, pend) of the segment that no earlier copy covers:
 * delivered at once when it is in order, else buffered in front of *pp. The
 * captured bytes end at cap_end; beyond it they were cut by the snaplen. */
static struct reasm_seg **
reasm_piece(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
            struct reasm_seg **pp, uint32_t seq, const uint8_t *data, uint32_t cap_end,
            uint32_t cur, uint32_t pend)
{
    uint32_t mid = SEQ_LT(cap_end, pend) ? (SEQ_GT(cap_end, cur) ? cap_end : cur) : pend;
    if (SEQ_LT(cur, mid)) { /* captured bytes [cur, mid) */
        const uint8_t *p = data + (cur - seq);
        if (cur == r->next_seq && !r->answers)
            reasm_deliver(r, lim, s, p, mid - cur);
        else
            pp = reasm_insert(r, lim, s, pp, cur, p, mid - cur);
        if (r->stopped)
            return NULL;
    }
    if (SEQ_LT(mid, pend)) { /* bytes cut by the snaplen [mid, pend): a full copy may come */
        struct reasm_seg **np = reasm_insert(r, lim, s, pp, mid, NULL, pend - mid);
        if (np == pp && mid == r->next_seq)
            reasm_gap(r, lim, s, pend - mid); /* no room to wait for it */
        pp = np;
        if (r->stopped)
            return NULL;
    }
    return pp;
}

static void
reasm_seg_keep(struct reasm_seg *g, const struct reasm_seg *was)
{
    g->pkt = was->pkt;
    g->need = was->need;
    g->waits = was->waits;
}

/* *pp is a lost marker covering cur, and a segment brings captured bytes
 * from cur to cap_end: the marker is taken out, and what of it lies before
 * cur or from cap_end on is marked again (its age kept). Returns the link
 * at which the loop of reasm_data goes on (the bytes from cur are no longer
 * covered there). */
static struct reasm_seg **
reasm_unmark(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
             struct reasm_seg **pp, uint32_t cur, uint32_t cap_end)
{
    struct reasm_seg *g = *pp;
    struct reasm_seg was = *g; /* the pieces keep its age and what it waits for */
    uint32_t a = g->seq, b = g->seq + g->len;
    *pp = g->next;
    if (r->ooo_tail == g) /* next is the first member: pp is the previous node's */
        r->ooo_tail = pp == &r->ooo ? NULL : (struct reasm_seg *)(void *)pp;
    r->ooo_bytes -= (uint32_t)sizeof(*g);
    r->ooo_segs--;
    r->mem -= reasm_seg_size(g);
    mem_free(g, reasm_seg_size(g));
    if (SEQ_LT(a, cur)) {
        struct reasm_seg **np = reasm_insert(r, lim, s, pp, a, NULL, cur - a);
        if (np != pp)
            reasm_seg_keep(*pp, &was);
        pp = np;
    }
    if (SEQ_LT(cap_end, b) && reasm_insert(r, lim, s, pp, cap_end, NULL, b - cap_end) != pp)
        reasm_seg_keep(*pp, &was); /* *pp stays the new marker: the loop reaches it after cur */
    return pp;
}

static uint32_t
reasm_wnd_limit(const struct reasm_dir *r)
{
    if (r->rwnd_max == 0)
        return REASM_ACK_WINDOW;
    uint64_t w = 2 * (uint64_t)r->rwnd_max;
    if (w < REASM_WINDOW_FLOOR)
        return REASM_WINDOW_FLOOR;
    return w < REASM_ACK_WINDOW ? (uint32_t)w : REASM_ACK_WINDOW;
}

/* True when a segment or FIN at seq starts bound or more beyond next_seq. */
static bool
reasm_beyond_window(const struct reasm_dir *r, uint32_t seq, uint32_t bound)
{
    return SEQ_GT(seq, r->next_seq) && seq - r->next_seq >= bound;
}

/* The bound for a FIN, a RST or seq_max: the window as for data, or only
 * the floor when no window was seen (one taken wrongly would end the
 * stream early). */
static uint32_t
reasm_ctl_bound(const struct reasm_dir *r)
{
    return r->rwnd_max == 0 ? REASM_WINDOW_FLOOR : reasm_wnd_limit(r);
}

/* True when a and b are less than bound apart, either way round. */
static bool
reasm_near(uint32_t a, uint32_t b, uint32_t bound)
{
    return a - b < bound || b - a < bound;
}

void
reasm_seen(struct reasm_dir *r, uint32_t seq_end)
{
    if (!r->seq_known) {
        r->seq_known = true;
        r->seq_max = seq_end;
    } else if (SEQ_GT(seq_end, r->seq_max) && seq_end - r->seq_max < reasm_ctl_bound(r)) {
        r->seq_max = seq_end;
    }
}

bool
reasm_rst_ok(const struct reasm_dir *r, uint32_t seq)
{
    if (!r->seq_known && !r->have_seq)
        return true;
    uint32_t bound = reasm_ctl_bound(r);
    return (r->seq_known && reasm_near(seq, r->seq_max, bound)) ||
           (r->have_seq && reasm_near(seq, r->next_seq, bound));
}

bool
reasm_syn_is_new(const struct reasm_dir *r, uint32_t isn)
{
    bool have_isn = r->syn_seen || r->isn_acked;
    if (have_isn && isn == r->isn)
        return false;
    if (!r->seq_known)
        return true;
    uint32_t lo = have_isn ? r->isn : r->seq_max - REASM_WINDOW_FLOOR;
    return isn - lo >= r->seq_max - lo; /* outside [lo, seq_max), modulo 2^32 */
}

void
reasm_window(struct reasm_dir *r, uint32_t wnd)
{
    if (wnd > r->rwnd_max)
        r->rwnd_max = wnd;
}

void
reasm_pickup(struct reasm_dir *r, uint32_t seq)
{
    if (r->have_seq)
        return;
    r->have_seq = true;
    r->next_seq = seq;
}

void
reasm_syn_acked(struct reasm_dir *r, uint32_t ack)
{
    if (!r->have_seq) { /* the SYN not seen (yet) */
        reasm_pickup(r, ack);
        r->isn = ack - 1;
        r->isn_acked = true;
    } else if (r->syn_seen && ack == r->isn + 1) {
        r->isn_acked = true;
    }
}

bool
reasm_syn(struct reasm_dir *r, uint32_t isn, const struct reasm_sink *s)
{
    if ((r->syn_seen || r->isn_acked) && isn == r->isn) {
        /* a retransmission, or the SYN the peer's SYN-ACK acknowledged
         * (seen after it) */
        r->syn_seen = true;
        return true;
    }
    bool pristine = r->offset == 0 && r->ooo == NULL;
    if (!r->syn_seen && r->have_seq && pristine && isn + 1 == r->next_seq) {
        /* picked up at the first data byte, which this SYN precedes */
        r->syn_seen = true;
        r->isn = isn;
        return true;
    }
    if (r->isn_acked) {
        /* RFC 5961 §4: the connection stays as it was (a stray or blind SYN) */
        reasm_event(s, "tcp.syn_new_isn",
                    "ignored: the peer's SYN-ACK acknowledged another ISN (RFC 5961 §4)");
        return false;
    }
    if (r->syn_seen || r->have_seq) {
        /* A second SYN with another ISN (CVE-2025-59147 class), or a SYN after
         * a midstream pick-up. Before any data the new ISN is taken. */
        reasm_event(s, r->syn_seen ? "tcp.syn_new_isn" : "tcp.syn_after_data",
                    pristine ? "new ISN taken" : "ignored: data already seen");
        if (!pristine)
            return false;
    }
    r->syn_seen = true;
    r->isn = isn;
    r->have_seq = true;
    r->next_seq = isn + 1;
    r->fin_seen = false;
    r->seq_known = true; /* a replaced ISN: the old one's numbers no longer count */
    r->seq_max = isn + 1;
    return true;
}

void
reasm_data(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
           uint32_t seq, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    if (r->stopped)
        return;
    if (wirelen < caplen)
        wirelen = caplen;
    if (wirelen == 0)
        return;
    if (data == NULL)
        caplen = 0;
    reasm_pickup(r, seq);
    if (reasm_beyond_window(r, seq, reasm_wnd_limit(r))) {
        reasm_event(s, "tcp.out_of_window",
                    "segment far beyond the receiver's window: ignored (RFC 9293 §3.10.7.4)");
        return;
    }
    if (r->fin_seen && SEQ_GT(seq + wirelen, r->fin_seq)) {
        /* Bytes past the FIN's sequence number: not stream data. */
        reasm_event(s, "tcp.data_after_fin", "bytes beyond the FIN's sequence number: ignored");
        if (!SEQ_GT(r->fin_seq, seq))
            return;
        wirelen = r->fin_seq - seq;
        if (caplen > wirelen)
            caplen = wirelen;
    }
    if (r->answers && !reasm_data_fits(r, lim, caplen)) {
        /* no room to keep it waiting: what waits goes now, out of step with
         * the peer, and this segment after it */
        r->answers = false;
        reasm_flush_ooo(r, lim, s, REASM_FLUSH_ALL);
        if (r->stopped)
            return;
    }
    /* Two passes at most: the second only after the ooo cap skipped a hole,
     * which leaves the segment at or before next_seq. */
    for (unsigned pass = 0; pass < 2; pass++) {
        /* A keep-alive probe: one byte just below next_seq, sent again with
         * whatever the stack put there (RFC 9293 §3.8.4 allows garbage),
         * not a retransmission to compare. */
        if (wirelen == 1 && seq + 1 == r->next_seq) {
            r->overlaps++;
            return;
        }
        /* Bytes before next_seq were delivered (or gapped) already: compare. */
        if (SEQ_LT(seq, r->next_seq)) {
            uint32_t k = r->next_seq - seq;
            uint32_t kc = k < caplen ? k : caplen;
            reasm_overlap_delivered(r, s, seq, data, kc, k < wirelen ? k : wirelen);
            if (k >= wirelen)
                return;
            data = kc < caplen ? data + kc : NULL;
            caplen -= kc;
            wirelen -= k;
            seq = r->next_seq;
        }
        if (pass == 1 || !SEQ_GT(seq, r->next_seq) || reasm_data_fits(r, lim, caplen))
            break;
        /* Buffering it would pass reasm.ooo_max: the holes before it can no
         * longer be waited for (RFC 9293 gives no bound; we must). */
        r->ooo_capped = true;
        reasm_event(s, "reasm.ooo_cap", "out-of-order bytes or segments passed reasm.ooo_max");
        for (unsigned guard = 0; guard < UINT32_MAX; guard++) {
            if (r->stopped)
                return;
            if (!SEQ_GT(seq, r->next_seq))
                break;
            if (reasm_data_fits(r, lim, caplen))
                break;
            reasm_skip_hole(r, lim, s, seq, REASM_FLUSH_ALL);
        }
    }

    uint32_t cur = seq, end = seq + wirelen, cap_end = seq + caplen;
    struct reasm_seg **pp = &r->ooo;
    if (r->ooo_tail != NULL && SEQ_LEQ(r->ooo_tail->seq + r->ooo_tail->len, cur))
        pp = &r->ooo_tail->next; /* after every segment held: no walk (the usual case) */
    for (unsigned guard = 0; SEQ_LT(cur, end) && guard < UINT32_MAX; guard++) {
        struct reasm_seg *g = *pp;
        if (g != NULL && SEQ_LEQ(g->seq + g->len, cur)) {
            pp = &g->next;
            continue;
        }
        if (g == NULL || SEQ_GT(g->seq, cur)) {
            uint32_t pend = (g == NULL || SEQ_GT(g->seq, end)) ? end : g->seq;
            pp = reasm_piece(r, lim, s, pp, seq, data, cap_end, cur, pend);
            if (pp == NULL)
                return;
            cur = pend;
            continue;
        }
        if (g->lost && SEQ_LT(cur, cap_end)) {
            /* captured bytes where the snaplen cut an earlier copy: they
             * take the marker's place (the loop then handles them) */
            pp = reasm_unmark(r, lim, s, pp, cur, cap_end);
            continue;
        }
        /* g covers cur: the earlier copy wins. */
        uint32_t ov_end = SEQ_LT(g->seq + g->len, end) ? g->seq + g->len : end;
        r->overlaps += ov_end - cur;
        if (!g->lost && SEQ_LT(cur, cap_end)) {
            uint32_t n = (SEQ_LT(cap_end, ov_end) ? cap_end : ov_end) - cur;
            if (memcmp(g->data + (cur - g->seq), data + (cur - seq), n) != 0)
                reasm_event(s, "tcp.overlap_different_data",
                            "overlapping segment differs from the buffered one (first wins)");
        }
        cur = ov_end;
        pp = &g->next;
        if (SEQ_LEQ(g->seq, r->next_seq)) {
            /* This segment filled the hole before g: g and what follows it
             * in order go now, so the rest of this segment is delivered
             * rather than buffered, where the out-of-order cap could refuse
             * bytes the capture has. */
            reasm_flush_ooo(r, lim, s, REASM_FLUSH_READY);
            if (r->stopped)
                return;
            pp = &r->ooo;
            if (SEQ_LT(cur, r->next_seq)) { /* delivered from buffered copies: compare */
                uint32_t upto = SEQ_LT(r->next_seq, end) ? r->next_seq : end;
                uint32_t nc =
                    SEQ_LT(cur, cap_end) ? (SEQ_LT(cap_end, upto) ? cap_end : upto) - cur : 0;
                reasm_overlap_delivered(r, s, cur, nc > 0 ? data + (cur - seq) : NULL, nc,
                                        upto - cur);
                cur = upto;
            }
        }
    }
    reasm_flush_ooo(r, lim, s, REASM_FLUSH_READY);
}

void
reasm_ack(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
          uint32_t ack)
{
    if (!r->have_seq || r->stopped)
        return;
    if (r->ack_wait && !SEQ_LT(r->next_seq, r->ack_max))
        r->ack_wait = false; /* the bytes an earlier ACK passed came */
    uint32_t limit = ack;
    if (r->fin_seen && SEQ_GT(limit, r->fin_seq))
        limit = r->fin_seq; /* the FIN's own sequence number is not data */
    if (!SEQ_GT(limit, r->next_seq) || limit - r->next_seq >= REASM_ACK_WINDOW)
        return;
    if (r->pkts == 0) {
        /* This direction sent no packet here: its bytes come another way
         * (a one-way capture, the other direction under other VLAN tags),
         * nothing to wait for. Each round delivers a gap and at least one
         * buffered segment, or ends. */
        for (unsigned guard = 0; guard < UINT32_MAX && !r->stopped; guard++) {
            if (!SEQ_LT(r->next_seq, limit))
                break;
            reasm_skip_hole(r, lim, s, limit, REASM_FLUSH_ALL);
        }
        return;
    }
    /* The receiver got bytes the capture has not shown (yet): reasm_packet
     * gives the hole up if they do not come. */
    if (!r->ack_wait) {
        r->ack_wait = true;
        r->ack_pkt = r->pkts;
        r->ack_max = limit;
    } else if (SEQ_GT(limit, r->ack_max)) {
        r->ack_max = limit;
    }
    if (r->ooo != NULL && r->ooo->lost && r->ooo->seq == r->next_seq)
        reasm_flush_ooo(r, lim, s, REASM_FLUSH_READY); /* a snaplen cut it acknowledged */
}

void
reasm_answer(struct reasm_dir *r, const struct reasm_dir *peer, uint32_t ack)
{
    uint32_t need = ack;
    if (peer->fin_seen && SEQ_GT(need, peer->fin_seq))
        need = peer->fin_seq;
    r->answers = peer->ack_wait && !peer->stopped && SEQ_LT(peer->next_seq, need) &&
                 need - peer->next_seq < REASM_ACK_WINDOW;
    r->need = need;
}

bool
reasm_unhold(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
             const struct reasm_dir *peer)
{
    bool moved = false;
    for (unsigned guard = 0; guard < UINT32_MAX && !r->stopped; guard++) {
        struct reasm_seg *g = r->ooo;
        if (g == NULL || !g->waits || SEQ_GT(g->seq, r->next_seq))
            break;
        uint32_t need = g->need;
        if (peer->fin_seen && SEQ_GT(need, peer->fin_seq))
            need = peer->fin_seq;
        if (!peer->stopped && peer->have_seq && SEQ_LT(peer->next_seq, need))
            break;
        g->waits = false;
        reasm_flush_ooo(r, lim, s, REASM_FLUSH_READY);
        moved = true;
    }
    return moved;
}

bool
reasm_waiting(const struct reasm_dir *r)
{
    return !r->stopped && r->ooo != NULL && r->ooo->waits && r->ooo->seq == r->next_seq;
}

void
reasm_release(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s)
{
    if (!reasm_waiting(r))
        return;
    r->ooo->waits = false;
    reasm_flush_ooo(r, lim, s, REASM_FLUSH_READY);
}

/* Gives up the holes below what the peer acknowledged (ack_wait): each round
 * delivers a gap and at least one buffered segment, or ends (at a segment
 * that waits for the peer's bytes, unless mode is REASM_FLUSH_ALL). */
static void
reasm_giveup_acked(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s,
                   enum reasm_flush_mode mode)
{
    if (!r->ack_wait)
        return;
    r->ack_wait = false;
    uint32_t limit = r->ack_max;
    if (r->fin_seen && SEQ_GT(limit, r->fin_seq))
        limit = r->fin_seq;
    for (unsigned guard = 0; guard < UINT32_MAX && !r->stopped; guard++) {
        uint32_t was = r->next_seq;
        if (!SEQ_LT(was, limit))
            break;
        reasm_skip_hole(r, lim, s, limit, mode);
        if (r->next_seq == was)
            break;
    }
}

void
reasm_packet(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s)
{
    r->pkts++;
    r->answers = false;
    if (r->stopped)
        return;
    if (r->ack_wait && !SEQ_LT(r->next_seq, r->ack_max))
        r->ack_wait = false; /* the bytes came */
    else if (r->ack_wait && reasm_waited(r, lim, r->ack_pkt))
        reasm_giveup_acked(r, lim, s, REASM_FLUSH_HOLE); /* they did not: lost to the capture */
    if (r->ooo != NULL && r->ooo->seq == r->next_seq)    /* a snaplen cut waiting for a copy */
        reasm_flush_ooo(r, lim, s, REASM_FLUSH_READY);
}

bool
reasm_fin(struct reasm_dir *r, uint32_t seq, uint32_t fin_seq, const struct reasm_sink *s)
{
    reasm_pickup(r, fin_seq);
    if (r->fin_seen) {
        if (fin_seq != r->fin_seq)
            reasm_event(s, "tcp.fin_moved", "a FIN at another sequence number: the first stands");
        return true; /* a retransmitted FIN: the first one stands */
    }
    /* Before the delivered bytes (one before them is the FIN an ACK seen
     * first already gapped), or its segment far beyond them: not this
     * stream's FIN. */
    if (SEQ_LT(fin_seq + 1, r->next_seq) || reasm_beyond_window(r, seq, reasm_ctl_bound(r))) {
        reasm_event(s, "tcp.out_of_window", "FIN outside the receiver's window: ignored");
        return false;
    }
    r->fin_seen = true;
    r->fin_seq = fin_seq;
    /* Buffered bytes past it are dropped; a segment across it is cut when
     * delivered (reasm_deliver). The list is sorted. */
    struct reasm_seg **pp = &r->ooo, *last = NULL;
    for (unsigned guard = 0; *pp != NULL && guard < UINT32_MAX; guard++) {
        if (SEQ_GEQ((*pp)->seq, fin_seq))
            break;
        last = *pp;
        pp = &(*pp)->next;
    }
    if (*pp != NULL)
        reasm_event(s, "tcp.data_after_fin", "bytes beyond the FIN's sequence number: ignored");
    for (unsigned guard = 0; *pp != NULL && guard < UINT32_MAX; guard++) {
        struct reasm_seg *g = *pp;
        *pp = g->next;
        r->ooo_bytes -= g->lost ? (uint32_t)sizeof(*g) : g->len;
        r->ooo_segs--;
        r->mem -= reasm_seg_size(g);
        mem_free(g, reasm_seg_size(g));
    }
    r->ooo_tail = last;
    return true;
}

bool
reasm_closed(const struct reasm_dir *r)
{
    return r->fin_seen && (r->stopped || SEQ_GEQ(r->next_seq, r->fin_seq));
}

void
reasm_giveup(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s)
{
    if (!r->have_seq)
        return;
    r->answers = false;
    reasm_giveup_acked(r, lim, s, REASM_FLUSH_HOLE);
    for (unsigned guard = 0; guard < UINT32_MAX && !r->stopped && r->ooo != NULL; guard++) {
        uint32_t was = r->next_seq;
        reasm_skip_hole(r, lim, s, r->ooo->seq, REASM_FLUSH_HOLE);
        if (r->next_seq == was)
            break; /* a segment waiting for the peer's bytes */
    }
}

void
reasm_flush(struct reasm_dir *r, const struct reasm_limits *lim, const struct reasm_sink *s)
{
    if (!r->have_seq)
        return;
    r->answers = false;
    reasm_giveup_acked(r, lim, s, REASM_FLUSH_ALL);
    for (unsigned guard = 0; guard < UINT32_MAX && !r->stopped && r->ooo != NULL; guard++)
        reasm_skip_hole(r, lim, s, r->ooo->seq, REASM_FLUSH_ALL);
    if (!r->stopped && r->fin_seen && SEQ_LT(r->next_seq, r->fin_seq) &&
        r->fin_seq - r->next_seq < REASM_ACK_WINDOW)
        reasm_gap(r, lim, s, r->fin_seq - r->next_seq);
}
