/* \summary: fuzz target for the line checks of -w (src/evidence.c): any
 * bytes, as a server's and as a client's segment. Besides the sanitizers'
 * checks, an oracle: a segment said writable ends a line, and no line of it
 * is a 334 challenge (server) or a command outside the greeting, STARTTLS
 * (or its masked form, XXXXXXXX) and housekeeping ones (client), by an
 * independent reading of the lines.
 * And the TLS record framing (evidence_tls_walk) over the same bytes: cut
 * into two segments anywhere, it says what it says of them whole, and ends
 * in the same state; and what it takes is records by a reading of its own;
 * where it may start again after a hole (evidence_tls_resync) is a header
 * followed by another, or by the segment's end, or one that runs past it
 * (opening it, or a handshake record inside it).
 * And the hold-back queue (evidence_hold.c), driven by the bytes as a list
 * of frames (whole, cut, held for one of four flows) and decisions: every
 * frame is written once, in the order given, and its copies are freed;
 * whether a frame held comes before a sequence number in a side's stream
 * (evidence_hold_before) is what a walk of the frames held says. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The length of line i's verb (to a space, CR or the line's end). */
static size_t
fz_verb(const uint8_t *l, size_t len)
{
    size_t w = 0;
    while (w < len && l[w] != ' ' && l[w] != '\r')
        w++;
    return w;
}

static void
fz_oracle(const uint8_t *d, size_t n, bool server)
{
    static const char *const ok[] = {"EHLO",           "HELO", "LHLO", "STARTTLS",
                                     "X-ANONYMOUSTLS", "RSET", "NOOP", "QUIT"};
    if (n == 0 || d[n - 1] != '\n')
        abort(); /* a line cut by the segment's end */
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '\n')
            continue;
        const uint8_t *l = d + start;
        size_t len = i - start;
        if (server) {
            if (len < 3 || memcmp(l, "334", 3) == 0)
                abort();
        } else {
            size_t w = fz_verb(l, len), k;
            for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
                if (strlen(ok[k]) == w && strncasecmp((const char *)l, ok[k], w) == 0)
                    break;
            /* or STARTTLS masked by a middlebox, "XXXXXXXX" alone on its
             * line (src/evidence.c, smtp.c smtp_masked_starttls) */
            bool masked = w == 8 && (len == 8 || (len == 9 && l[8] == '\r')) &&
                          strncasecmp((const char *)l, "XXXXXXXX", 8) == 0;
            if (k == sizeof(ok) / sizeof(ok[0]) && !masked)
                abort();
        }
        start = i + 1;
    }
}

/* Records from d[0]: each header a valid one, the last perhaps going on. */
static bool
fz_records(const uint8_t *d, size_t n, bool appdata)
{
    size_t at = 0;
    while (at < n) {
        for (size_t k = 0; k < 5 && at + k < n; k++) {
            uint8_t c = d[at + k];
            if ((k == 0 && (c < 20 || c > 23 || (c == 23 && !appdata))) || (k == 1 && c != 3) ||
                (k == 2 && c > 4))
                return false;
        }
        if (n - at < 5)
            return true;
        size_t len = (size_t)d[at + 3] << 8 | d[at + 4];
        if (len > EVIDENCE_TLS_MAXREC)
            return false;
        at += 5 + len;
    }
    return true;
}

static void
fz_framing(const uint8_t *d, size_t n)
{
    bool appdata = n > 0 && (d[0] & 1) != 0;
    uint16_t whole = EVIDENCE_TLS_START, split = EVIDENCE_TLS_START;
    bool ok = evidence_tls_walk(&whole, d, (uint32_t)n, 0, appdata);
    if (ok != fz_records(d, n, appdata))
        abort();
    size_t cut = n > 1 ? (size_t)d[n - 1] * 257 % n : 0;
    bool ok2 = evidence_tls_walk(&split, d, (uint32_t)cut, 0, appdata) &&
               evidence_tls_walk(&split, d + cut, (uint32_t)(n - cut), 0, appdata);
    if (ok != ok2 || (ok && whole != split))
        abort();
    /* after a hole: a boundary found is a header of type 20-22 followed by
     * another such header, or by the segment's end; or, open, one whose
     * record runs past the end: at the first byte, or a handshake record */
    uint32_t at = 0;
    bool open = false;
    if (evidence_tls_resync(d, (uint32_t)n, 1u << 16, &at, &open)) {
        if (at + 5 > n || d[at] < 20 || d[at] > 22 || d[at + 1] != 3 || d[at + 2] > 4)
            abort();
        size_t end = at + 5 + ((size_t)d[at + 3] << 8 | d[at + 4]);
        if (open ? (at != 0 && d[at] != 22) || end <= n
                 : end != n && (end + 5 > n || d[end] < 20 || d[end] > 22 || d[end + 1] != 3))
            abort();
    }
}

/* evidence_hold_before, the slow way: through every frame of flow held. */
static bool
fz_hold_before(uint64_t flow, unsigned side, uint32_t seq)
{
    uint64_t it = 0;
    struct evidence_held *h;
    for (unsigned guard = 0; guard < 64 && (h = evidence_held_next(flow, &it)) != NULL; guard++)
        if (h->side == side && (int32_t)(h->seq - seq) < 0)
            return true;
    return false;
}

/* The queue: byte i's low two bits the verb (0 whole, 1 cut, 2 held, 3
 * decide the oldest held of a flow), bits 2-3 the flow, bit 4 the
 * decision (whole or cut), or the side a frame held comes from, bits 5-7
 * the time step (0-7 times 200 ms) and the sequence number. */
static void
fz_queue(const uint8_t *d, size_t n)
{
    static uint8_t fr[14 + 40 + 4];
    mem_init(64u << 20);
    char err[256];
    if (evidence_open("/dev/null", err, sizeof(err)) != 0)
        return;
    memset(fr, 0, sizeof(fr));
    fr[12] = 0x08;
    fr[14] = 0x45;
    fr[17] = sizeof(fr) - 14;
    fr[23] = 6;
    fr[14 + 20 + 12] = 0x50;
    memcpy(fr + 54, "DATA", 4);
    struct pkt p;
    memset(&p, 0, sizeof(p));
    p.ip_proto = 6;
    p.l3 = fr + 14;
    p.l3_caplen = sizeof(fr) - 14;
    p.payload = fr + 54;
    p.payload_caplen = p.payload_wirelen = 4;
    struct capture_frame f = {1, 0, sizeof(fr), sizeof(fr), 0, fr, false};
    uint64_t frames = 0;
    for (size_t i = 0; i < n && i < 4096; i++) {
        unsigned verb = d[i] & 3, flow = d[i] >> 2 & 3;
        f.ts_us += (int64_t)(d[i] >> 5) * 200000;
        if (verb == 3) {
            uint64_t it = 0;
            struct evidence_held *h = evidence_held_next(flow, &it);
            if (h != NULL)
                evidence_held_decide(h, (d[i] & 16) ? EVIDENCE_WHOLE : EVIDENCE_CUT);
            continue;
        }
        /* bits 5-7 also the sequence number, so that evidence_hold_before
         * sees frames before and after one another (and across the wrap) */
        p.seq = (uint32_t)(d[i] >> 5) * 0x30000000u;
        if (verb == 2)
            evidence_hold_tag(flow, d[i] >> 4 & 1, (d[i] & 2) != 0);
        if (fz_hold_before(flow, d[i] >> 4 & 1, p.seq) !=
            evidence_hold_before(flow, d[i] >> 4 & 1, p.seq))
            abort(); /* against every frame held, one by one */
        evidence_frame(&f, &p, NULL,
                       verb == 0   ? EVIDENCE_WHOLE
                       : verb == 1 ? EVIDENCE_CUT
                                   : EVIDENCE_HOLD);
        frames++;
    }
    (void)evidence_close(err, sizeof(err));
    struct evidence_stats st;
    evidence_stats(&st);
    if (st.frames != frames || mem_in_use() != 0)
        abort(); /* a frame lost or written twice; a copy not freed */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > UINT32_MAX)
        return 0;
    /* a copy of exactly size bytes: a read past it is ASan's to see */
    uint8_t *b = malloc(size ? size : 1);
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    if (evidence_server_lines_ok(b, (uint32_t)size))
        fz_oracle(b, size, true);
    if (evidence_client_lines_ok(b, (uint32_t)size))
        fz_oracle(b, size, false);
    if (size <= 65536)
        fz_framing(b, size);
    fz_queue(b, size);
    free(b);
    return 0;
}
