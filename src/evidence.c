/* \summary: -w FILE: the evidence pcap (see evidence.h for what a frame
 * keeps). Written with libpcap's dump functions, so the link type and the
 * file format are tcpdump's (pcap, microsecond time stamps). */
#include "evidence.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "fdwait.h"
#include "evidence_int.h"
#include "tls_frame.h"

#define EVIDENCE_SNAPLEN 262144 /* the file's snapshot length: libpcap's largest */

static struct {
    FILE *fp;     /* opened at start, the header follows the first frame */
    pcap_t *dead; /* the link type of the file */
    pcap_dumper_t *dumper;
    int dlt;
    bool said_link;
    int err; /* errno of the first failed write, 0 */
    struct evidence_stats st;
} ev;

int
evidence_open(const char *path, char *err, size_t errlen)
{
    memset(&ev, 0, sizeof(ev));
    /* a FIFO's reader is waited on as fdwait.h says */
    ev.fp = strcmp(path, "-") == 0 ? NULL : fdwait_fopen_write(path, false);
    if (ev.fp == NULL) {
        int e = errno;
        snprintf(err, errlen, "-w %s: %s", path,
                 strcmp(path, "-") == 0 ? "standard output is not supported (give a file)"
                                        : fdwait_strerror(e));
        return strcmp(path, "-") != 0 && e == FDWAIT_GAVE_UP ? 1 : -1;
    }
    return 0;
}

bool
evidence_on(void)
{
    return ev.fp != NULL;
}

/* The first frame fixes the file's link type and writes its header. */
static bool
evidence_start(int dlt)
{
    ev.dead = pcap_open_dead(dlt, EVIDENCE_SNAPLEN);
    if (ev.dead == NULL)
        return false;
    ev.dumper = pcap_dump_fopen(ev.dead, ev.fp);
    if (ev.dumper == NULL) {
        ev.err = errno != 0 ? errno : EIO;
        pcap_close(ev.dead);
        ev.dead = NULL;
        return false;
    }
    ev.dlt = dlt;
    return true;
}

/* Writes one frame: caplen bytes of data, len on the wire, at time ts_us. */
static void
evidence_write(const uint8_t *data, uint32_t caplen, uint32_t len, int64_t ts_us)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(ts_us / 1000000);
    h.ts.tv_usec = (suseconds_t)(ts_us % 1000000);
    if (h.ts.tv_usec < 0) { /* before 1970: C division rounds toward zero */
        h.ts.tv_sec--;
        h.ts.tv_usec += 1000000;
    }
    h.caplen = caplen;
    h.len = len;
    errno = 0;
    pcap_dump((u_char *)ev.dumper, &h, data);
    if (ferror(ev.fp)) /* the first failed write's cause (ENOSPC, EPIPE): written no more */
        ev.err = errno != 0 ? errno : EIO;
    ev.st.frames++;
}

void
evidence_emit(const struct evidence_out *o, enum evidence_verdict v)
{
    if (ev.dumper == NULL || ev.err != 0)
        return;
    bool cut = v == EVIDENCE_CUT && o->cut < o->whole;
    evidence_write(o->data, cut ? o->cut : o->whole, o->wirelen, o->ts_us);
    ev.st.cut += cut;
    ev.st.reassembled += o->reassembled;
}

struct evidence_stats *
evidence_st(void)
{
    return &ev.st;
}

static uint8_t evidence_buf[EVIDENCE_SNAPLEN]; /* a frame put together */

/* p is a datagram rebuilt from IP fragments (defrag.c), f the fragment that
 * completed it: written as one frame, f's link header (dg->link_len bytes,
 * which main.c took from f's decode) followed by the datagram, its IP header without fragment
 * fields (as a capture after reassembly would show it: Wireshark reads it as any other frame); cut
 * after its TCP header when v says so; in a tunnel, the outer headers' lengths and checksums set to
 * carry the datagram (evidence_outer.c). The fragments were not written: they came before the
 * verdict on their bytes. False when it cannot be put together. */
static bool
evidence_datagram(const struct capture_frame *f, const struct pkt *p, const struct defrag_out *dg,
                  struct evidence_out *o)
{
    if (dg == NULL || dg->block == NULL || dg->link_len > f->caplen)
        return false;
    uint32_t link = dg->link_len;
    uint32_t keep = p->l3_caplen;
    if ((uint64_t)link + keep > sizeof(evidence_buf))
        return false;
    memcpy(evidence_buf, f->data, link);
    memcpy(evidence_buf + link, p->l3, keep);
    uint32_t wire = p->wirelen > p->l3_caplen ? p->wirelen : p->l3_caplen;
    o->data = evidence_buf;
    o->whole = link + keep;
    o->cut = o->whole;
    if (p->payload != NULL && p->payload >= p->l3 && p->payload <= p->l3 + p->l3_caplen)
        o->cut = link + (uint32_t)(p->payload - p->l3);
    o->wirelen = link + wire;
    o->reassembled = true;
    /* in a tunnel, the outer headers made to carry the datagram */
    return dg->n_outer == 0 ||
           evidence_outer_fix(evidence_buf, link + dg->inner_at, o->wirelen, keep >= wire, dg);
}

/* f as written whole, and where its cut would end (o->cut). */
static bool
evidence_plain(const struct capture_frame *f, const struct pkt *p, struct evidence_out *o)
{
    uint32_t keep = f->caplen;
    o->data = f->data;
    o->cut = keep;
    if (p->payload != NULL && p->payload_caplen > 0 && p->payload >= f->data &&
        p->payload <= f->data + f->caplen)
        o->cut = (uint32_t)(p->payload - f->data);
    /* Bytes after the IP datagram (an Ethernet frame's padding to 60
     * bytes, a capture device's trailer) are no part of the connection: a
     * driver may pad with memory that held other packets (CVE-2003-0001,
     * "Etherleak"). They are written as zeros, the frame keeping its
     * length. */
    if (p->l3 != NULL) {
        uint32_t end = (uint32_t)(p->l3 - f->data) + p->l3_caplen;
        if (end < keep) {
            if (keep > sizeof(evidence_buf))
                keep = sizeof(evidence_buf);
            if (end > keep)
                end = keep;
            memcpy(evidence_buf, f->data, end);
            memset(evidence_buf + end, 0, keep - end);
            o->data = evidence_buf;
        }
    }
    o->whole = keep;
    if (o->cut > keep)
        o->cut = keep;
    o->wirelen = f->wirelen;
    o->reassembled = false;
    return true;
}

void
evidence_frame(const struct capture_frame *f, const struct pkt *p, const struct defrag_out *dg,
               enum evidence_verdict v)
{
    if (ev.fp == NULL || v == EVIDENCE_SKIP || ev.err != 0) {
        evidence_hold_untag();
        return;
    }
    if (ev.dumper == NULL) {
        if (!evidence_start(f->dlt))
            return;
    } else if (f->dlt != ev.dlt) {
        ev.st.other_link++;
        evidence_hold_untag();
        return;
    }
    struct evidence_out o;
    o.ts_us = f->ts_us;
    bool ok = p->l3 != NULL && (p->l3 < f->data || p->l3 > f->data + f->caplen)
                  ? evidence_datagram(f, p, dg, &o) /* a datagram rebuilt from fragments */
                  : evidence_plain(f, p, &o);
    if (!ok) { /* only a datagram: a plain frame is always written */
        ev.st.reassembled_not_written++;
        evidence_hold_untag();
        return;
    }
    evidence_hold_put(&o, v, p);
}

int
evidence_close(char *err, size_t errlen)
{
    if (ev.fp == NULL)
        return 0;
    evidence_hold_drain(); /* what still waits: cut, written */
    int rc = 0;
    if (ev.dumper != NULL) {
        errno = 0;
        if (pcap_dump_flush(ev.dumper) != 0 || ferror(ev.fp))
            ev.err = ev.err != 0 ? ev.err : errno != 0 ? errno : EIO;
        pcap_dump_close(ev.dumper); /* closes fp too */
        pcap_close(ev.dead);
    } else if (ev.err == 0) {
        /* nothing was written: an empty capture of the first frame's kind is
         * not known; a pcap header of Ethernet keeps the file readable */
        pcap_t *d = pcap_open_dead(1, EVIDENCE_SNAPLEN);
        pcap_dumper_t *w = d != NULL ? pcap_dump_fopen(d, ev.fp) : NULL;
        if (w != NULL)
            pcap_dump_close(w);
        else
            fclose(ev.fp);
        if (d != NULL)
            pcap_close(d);
    } else {
        fclose(ev.fp);
    }
    if (ev.err != 0) {
        snprintf(err, errlen, "-w: the evidence file was not written in full: %s",
                 fdwait_strerror(ev.err));
        ev.st.write_error = 1;
        rc = -1;
    }
    ev.fp = NULL;
    ev.dumper = NULL;
    return rc;
}

void
evidence_flush(void)
{
    if (ev.dumper != NULL && ev.err == 0 && pcap_dump_flush(ev.dumper) != 0)
        ev.err = errno != 0 ? errno : EIO;
}

void
evidence_count_retx_differs(void)
{
    evidence_st()->retx_differs++;
}

void
evidence_count_from_detection(void)
{
    evidence_st()->from_detection++;
}

void
evidence_stats(struct evidence_stats *out)
{
    *out = ev.st;
}

/* ---- what may be written (RFC 5321 §4.1, §4.2) ---- */

/* A line's verdict: l[0..len) is the line without its "\n". */
typedef bool (*evidence_line_fn)(const uint8_t *l, size_t len);

/* True when b[0..n) is one or more whole lines (the last ends in "\n"),
 * each of which line_ok takes. */
static bool
evidence_lines(const uint8_t *b, uint32_t n, evidence_line_fn line_ok)
{
    struct rd r = rd_init(b, n);
    if (n == 0)
        return false;
    for (unsigned guard = 0; rd_left(&r) > 0 && guard < n; guard++) {
        long nl = rd_find(&r, '\n');
        if (nl < 0)
            return false; /* a line cut by the segment */
        const uint8_t *l = rd_bytes(&r, (size_t)nl + 1, "evidence.line");
        if (l == NULL || !line_ok(l, (size_t)nl))
            return false;
    }
    return rd_left(&r) == 0;
}

/* A reply line: three digits, then " ", "-" or the line's end (RFC 5321
 * §4.2); not 334, whose text is an AUTH challenge. */
static bool
evidence_reply_line(const uint8_t *l, size_t len)
{
    if (len < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '9' || l[2] < '0' ||
        l[2] > '9' || memcmp(l, "334", 3) == 0)
        return false;
    return len == 3 || l[3] == ' ' || l[3] == '-' || l[3] == '\r';
}

/* The greeting, STARTTLS (or its masked form) and housekeeping commands
 * (RFC 5321 §4.1.1, RFC 3207 §4), text only, a CR only at its end: a server that ends a line at
 * a bare CR (RFC 5321 §2.3.8 forbids it; SMTP smuggling showed some do)
 * reads "EHLO x<CR>AUTH PLAIN ..." as two commands. */
static bool
evidence_command_line(const uint8_t *l, size_t len)
{
    static const char *const ok[] = {"EHLO",           "HELO", "LHLO", "STARTTLS",
                                     "X-ANONYMOUSTLS", "RSET", "NOOP", "QUIT"};
    for (size_t i = 0; i < len; i++)
        if ((l[i] < 0x20 && l[i] != '\t' && !(l[i] == '\r' && i + 1 == len)) || l[i] > 0x7e)
            return false;
    size_t w = 0;
    while (w < len && l[w] != ' ' && l[w] != '\r')
        w++;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strlen(ok[i]) == w && strncasecmp((const char *)l, ok[i], w) == 0)
            return true;
    /* STARTTLS masked by a middlebox on its way to the server ("XXXXXXXX",
     * smtp.c smtp_masked_starttls): the line alone, nothing after it */
    return w == 8 && (len == 8 || (len == 9 && l[8] == '\r')) &&
           strncasecmp((const char *)l, "XXXXXXXX", 8) == 0;
}

bool
evidence_server_lines_ok(const uint8_t *b, uint32_t n)
{
    return evidence_lines(b, n, evidence_reply_line);
}

bool
evidence_client_lines_ok(const uint8_t *b, uint32_t n)
{
    return evidence_lines(b, n, evidence_command_line);
}

/* ---- TLS record framing (evidence.h) ---- */

#define EVTLS_IN_HDR 0x8000u /* inside a header: bits 12-14 bytes seen, 0-7 the length's first */

bool
evidence_tls_walk(uint16_t *state, const uint8_t *b, uint32_t n, uint32_t missing, bool appdata_ok)
{
    uint32_t st = *state, at = 0;
    for (unsigned guard = 0; at < n && guard <= n; guard++) {
        if ((st & EVTLS_IN_HDR) == 0 && st > 0) { /* a record's body */
            uint32_t take = n - at < st ? n - at : st;
            at += take;
            st -= take;
            continue;
        }
        /* a header, byte by byte: it may be cut by the segment's end */
        uint32_t seen = (st & EVTLS_IN_HDR) != 0 ? (st >> 12 & 7) : 0;
        for (; seen < 5 && at < n; seen++, at++) {
            uint8_t c = b[at];
            if ((seen == 0 && (c < 20 || c > 23 || (c == 23 && !appdata_ok))) ||
                (seen == 1 && c != 3) || (seen == 2 && c > 4))
                return false;
            if (seen == 3)
                st = (st & ~0xffu) | c;
            if (seen == 4) {
                uint32_t len = (st & 0xffu) << 8 | c;
                if (len > EVIDENCE_TLS_MAXREC)
                    return false;
                st = len;
            }
        }
        if (seen < 5)
            st = EVTLS_IN_HDR | seen << 12 | (st & 0xffu);
    }
    if (missing > 0) { /* bytes not captured: within this record's body, or unknown */
        if ((st & EVTLS_IN_HDR) != 0 || missing > st)
            return false;
        st -= missing;
    }
    *state = (uint16_t)st;
    return true;
}

/* The rule is tls_frame_at's (dissectors/tls_frame.h), the TLS
 * dissector's after a hole too. A record that starts inside the segment
 * and runs past its end (after the tail of one begun in the hole: a
 * Certificate after a ServerHello's rest) is one header alone, too easily
 * found: taken only as a server's handshake record whose bytes pass the
 * dissector's second test (tls_resync_plausible: a message the server
 * sends, its lengths agreeing; a Certificate's list length its own), at
 * most EVIDENCE_RESYNC_TRIES offsets tried per segment. */
#define EVIDENCE_RESYNC_TRIES 4

bool
evidence_tls_resync(const uint8_t *b, uint32_t n, uint32_t msg_max, uint32_t *at, bool *open)
{
    unsigned tries = 0;
    *open = false;
    for (uint32_t o = 0; n >= 5 && o <= n - 5; o++) {
        uint32_t end;
        enum tls_frame c = tls_frame_at(b, n, o, &end);
        if (c == TLS_FRAME_YES) {
            *at = o;
            return true;
        }
        if (c != TLS_FRAME_MORE || end <= n)
            continue;
        /* a record that opens the segment and runs past it; or one that
         * starts inside it, a handshake the server would send */
        if (o > 0 && (b[o] != 22 || msg_max == 0 || tries++ >= EVIDENCE_RESYNC_TRIES ||
                      !tls_resync_plausible(DIR_TO_CLIENT, b + o + 5, n - o - 5, msg_max)))
            continue;
        *at = o;
        *open = true;
        return true;
    }
    return false;
}
