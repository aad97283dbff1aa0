/* \summary: smtptap's own reader for capture files, pcap and pcapng.
 *
 * Why: libpcap's savefile reader does two stdio reads per record (header,
 * then data) through a 4 KiB stdio buffer and copies every frame twice; on a
 * gateway capture that is about as much CPU as everything smtptap does with
 * the frame. Here the file is read with read(2) in blocks of CAPFILE_BUF_INIT
 * bytes and frames are handed out in place; only the tail of a record cut by
 * the end of a block is moved. Everything read from the file goes through the
 * bounds-checked cursor (cursor.h).
 *
 * Formats (what capfile_open accepts; a compressed file or one of no form
 * libpcap reads is refused, capmagic.c; anything else is CAPFILE_OPEN_FOREIGN
 * and capture.c lets libpcap open it):
 *   pcap, draft-ietf-opsawg-pcap §4 (file header) and §5 (record header):
 *     magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), in either
 *     byte order; version 2.4; link type without the FCS bits (§4, LinkType).
 *   pcapng, draft-ietf-opsawg-pcapng: §4.1 Section Header Block (version 1.0,
 *     or 1.2 as libpcap), §4.2 Interface Description Block with if_tsresol
 *     (option 9) and if_tsoffset (option 14), §4.3 Enhanced Packet Block,
 *     §4.4 Simple Packet Block, Appendix A obsolete Packet Block; every other
 *     block is skipped. A later section resets the interfaces and may change
 *     byte order. Each interface keeps its own link type (libpcap refuses a
 *     file whose interfaces differ; a dumpcap capture of several interfaces
 *     is read here), so frames carry their DLT.
 *
 * Outcomes follow libpcap's, in its words, so that a file reads the same
 * whichever reader is used (tests/unit/test_capfile.c compares the two):
 *   - end of file between records: CAPFILE_EOF;
 *   - end of file inside a record or block: CAPFILE_TRUNCATED, "truncated
 *     dump file; tried to read N captured bytes, only got M" (pcap) or
 *     "truncated pcapng dump file; ..." (pcapng);
 *   - a record longer than 262 144 bytes (libpcap's MAXIMUM_SNAPLEN), a block
 *     length under 12, not a multiple of 4 or over 16 MiB, a packet on an
 *     interface no IDB described, a packet longer than its block:
 *     CAPFILE_MALFORMED.
 * Timestamps are microseconds, truncated like libpcap's
 * PCAP_TSTAMP_PRECISION_MICRO. Two things libpcap 1.10 refuses are read:
 * interfaces of different link types or snapshot lengths in one pcapng
 * section, and a packet longer than its interface's snapshot length (it is
 * in the block; Wireshark reads it too).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <pcap/dlt.h>

#include "capfile.h"
#include "capmagic.h"
#include "cursor.h"
#include "fdwait.h"
#include "mem.h"
#include "strcopy.h"

#define CAPFILE_BUF_INIT    (256u * 1024u)        /* first buffer; grows for a larger record */
#define CAPFILE_BUF_SMALL   (16u * 1024u)         /* when the memcap refuses the first one */
#define CAPFILE_SNAP_MAX    262144u               /* libpcap MAXIMUM_SNAPLEN */
#define CAPFILE_BLOCK_MAX   (16u * 1024u * 1024u) /* pcapng block (libpcap's limit too) */
#define CAPFILE_IFACES_MAX  4096u                 /* interfaces per section */
#define CAPFILE_MEM_CHUNK   4093u                 /* in-memory source: bytes per "read" */
#define CAPFILE_MAP_WIN     (4u * 1024u * 1024u)  /* regular files: bytes mapped at a time */
#define CAPFILE_OLD_WINDOWS 4 /* earlier windows kept while they hold the last frames */

#define CAPFILE_PCAP_HDR    24u
#define CAPFILE_PCAP_REC    16u
#define CAPFILE_NG_SHB      0x0A0D0D0Au
#define CAPFILE_NG_IDB      1u
#define CAPFILE_NG_OPB      2u /* obsolete Packet Block, Appendix A */
#define CAPFILE_NG_SPB      3u
#define CAPFILE_NG_EPB      6u
#define CAPFILE_NG_BOM      0x1A2B3C4Du
#define CAPFILE_OPT_TSRESOL 9u
#define CAPFILE_OPT_TSOFF   14u

/* One pcapng interface (pcap files have one). */
struct capfile_if {
    int dlt;
    uint32_t snap; /* snapshot length, 0 or too large -> CAPFILE_SNAP_MAX (for BPF) */
    uint64_t ups;  /* timestamp units per second */
    int64_t off_s; /* if_tsoffset */
};

/* A mapped window of the file, and the last frame handed out from it. */
struct capfile_win {
    uint8_t *m;
    size_t len;
    uint64_t last;
};

struct capfile {
    int fd;        /* -1: in-memory source */
    bool close_fd; /* ours: a FIFO, or standard input's own (fdwait_own) */
    bool wait;     /* not a regular file: each read(2) waits in fdwait_readable() */
    bool stopped;  /* the stop flag ended a wait: the input ends there */
    const uint8_t *mem;
    size_t mem_len, mem_off;
    const uint8_t *view; /* buf or map: unread bytes are view[head, tail) */
    size_t head, tail;
    uint8_t *buf; /* read(2) and in-memory sources */
    size_t cap;
    uint8_t *map; /* regular files: a window of the file, mapped */
    size_t map_len;
    uint64_t map_last; /* number of the last frame handed out from the window */
    uint64_t frames;   /* frames handed out */
    struct capfile_win old[CAPFILE_OLD_WINDOWS]; /* earlier windows, still mapped */
    uint64_t map_off, file_size;
    uint64_t buf_base; /* read(2) and in-memory sources: input offset of buf[0] */
    bool eof;
    bool map_mode;
    bool ng;          /* pcapng */
    bool be;          /* current section / file is big-endian */
    bool nsec;        /* pcap nanosecond magic */
    bool bad_version; /* the last SHB had a version this reader does not take */
    int dlt;          /* first interface */
    struct capfile_if *ifs;
    unsigned n_if, cap_if;
    char err[256];
};

static uint32_t
capfile_u32(const struct capfile *cf, struct rd *r, const char *what)
{
    return cf->be ? rd_be32(r, what) : rd_le32(r, what);
}

static uint16_t
capfile_u16(const struct capfile *cf, struct rd *r, const char *what)
{
    return cf->be ? rd_be16(r, what) : rd_le16(r, what);
}

/* libpcap's LINKTYPE_ -> DLT_ mapping for the values that differ (pcap-common.c):
 * only LINKTYPE_RAW among the ones decode.c knows. */
static int
capfile_linktype_to_dlt(uint32_t lt)
{
    if (lt == 101u)
        return DLT_RAW;
    return (int)lt;
}

static uint32_t
capfile_snap(uint32_t snap)
{
    return snap == 0 || snap > CAPFILE_SNAP_MAX ? CAPFILE_SNAP_MAX : snap;
}

/* ---- regular files: mapped a window at a time ------------------------
 *
 * The window (CAPFILE_MAP_WIN, or a record's length when larger) starts at
 * the page holding the next unread byte, so a record cut by the end of one
 * window is whole in the next without a copy. Earlier windows stay mapped
 * only while they hold one of the last CAPFILE_FRAMES_STAY frames handed out
 * (capfile.h): the file's pages count in the resident set for that long.
 * A file that grows while it is read (a capture still being written) is
 * followed, as read(2) would. One that shrinks under the mapping would
 * raise SIGBUS on the lost pages: capfile_on_sigbus() maps zeros there and
 * the next capfile_next() reports the file damaged. */

static struct capfile *volatile capfile_active; /* the mapped file, for the handler */
static volatile sig_atomic_t capfile_bus_hit;
static struct sigaction capfile_old_bus;
static unsigned capfile_n_mapped; /* open mapped files: the handler is ours while > 0 */
static uintptr_t capfile_page;    /* page size, read before any mapping */

static void
capfile_on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    struct capfile *cf = capfile_active;
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int w = -1; cf != NULL && w < CAPFILE_OLD_WINDOWS; w++) {
        uint8_t *m = w < 0 ? cf->map : cf->old[w].m;
        size_t len = w < 0 ? cf->map_len : cf->old[w].len;
        if (m == NULL || a < (uintptr_t)m || a - (uintptr_t)m >= len)
            continue;
        uintptr_t from = a & ~(capfile_page - 1);
        size_t rest = len - (from - (uintptr_t)m);
        if (mmap((void *)from, rest, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) !=
            MAP_FAILED) {
            capfile_bus_hit = 1;
            return; /* the access is retried and reads zeros */
        }
        break;
    }
    /* not ours: the previous disposition, then the fault again */
    sigaction(sig, &capfile_old_bus, NULL);
}

/* Moves the current window to the old ones, and unmaps the old windows
 * that hold none of the last CAPFILE_FRAMES_STAY frames handed out. */
static void
capfile_retire(struct capfile *cf)
{
    int free_slot = -1;
    for (int w = 0; w < CAPFILE_OLD_WINDOWS; w++) {
        struct capfile_win *o = &cf->old[w];
        if (o->m != NULL && o->last + CAPFILE_FRAMES_STAY <= cf->frames) {
            munmap(o->m, o->len);
            o->m = NULL;
        }
        if (o->m == NULL && free_slot < 0)
            free_slot = w;
    }
    if (cf->map == NULL)
        return;
    if (cf->map_last == 0 || cf->map_last + CAPFILE_FRAMES_STAY <= cf->frames) {
        munmap(cf->map, cf->map_len);
        return;
    }
    if (free_slot < 0) { /* cannot happen: N frames lie in N windows at most */
        free_slot = 0;
        munmap(cf->old[0].m, cf->old[0].len);
    }
    cf->old[free_slot] = (struct capfile_win){cf->map, cf->map_len, cf->map_last};
}

static int
capfile_fill_map(struct capfile *cf, size_t need)
{
    uint64_t pos = cf->map_off + cf->head; /* file offset of the next unread byte */
    if (pos + need > cf->file_size) {
        struct stat st;
        if (fstat(cf->fd, &st) == 0 && (uint64_t)st.st_size > cf->file_size)
            cf->file_size = (uint64_t)st.st_size;
    }
    uint64_t start = pos & ~((uint64_t)capfile_page - 1);
    uint64_t len = (pos - start) + (need > CAPFILE_MAP_WIN ? need : CAPFILE_MAP_WIN);
    if (start + len > cf->file_size)
        len = cf->file_size > start ? cf->file_size - start : 0;
    if (cf->map != NULL && start == cf->map_off && len <= cf->map_len)
        return 1; /* nothing more in the file */
    capfile_retire(cf);
    cf->map = NULL;
    cf->map_len = 0;
    cf->map_off = start;
    cf->head = pos - start;
    cf->tail = cf->head;
    if (len <= pos - start)
        return 1;
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, cf->fd, (off_t)start);
    if (m == MAP_FAILED) {
        snprintf(cf->err, sizeof(cf->err), "cannot map the file: %s", strerror(errno));
        return -1;
    }
    cf->map = m;
    cf->map_len = len;
    cf->map_last = 0;
    cf->view = m;
    cf->tail = len;
    capfile_active = cf;
    (void)posix_fadvise(cf->fd, (off_t)(start + len), CAPFILE_MAP_WIN, POSIX_FADV_WILLNEED);
    return cf->tail - cf->head >= need ? 0 : 1;
}

/* Maps regular files; returns false (read(2) is used) for anything else. */
static bool
capfile_try_map(struct capfile *cf)
{
    struct stat st;
    if (fstat(cf->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        return false;
    if (capfile_page == 0) {
        long pg = sysconf(_SC_PAGESIZE);
        capfile_page = pg > 0 ? (uintptr_t)pg : 4096;
    }
    if (capfile_n_mapped == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = capfile_on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &capfile_old_bus) != 0)
            return false;
    }
    capfile_n_mapped++;
    cf->map_mode = true;
    cf->file_size = (uint64_t)st.st_size;
    return true;
}

/* Makes at least `need` unread bytes available. Returns 0, 1 when the input
 * ends first (what there is stays available), -1 on a read error or when the
 * buffer cannot grow (cf->err says which). */
static int
capfile_fill(struct capfile *cf, size_t need)
{
    size_t have = cf->tail - cf->head;
    if (have >= need)
        return 0;
    if (cf->map_mode)
        return capfile_fill_map(cf, need);
    if (cf->eof)
        return 1;
    if (need > cf->cap) {
        size_t ncap = cf->cap * 2 > need ? cf->cap * 2 : need;
        uint8_t *nb = mem_realloc(cf->buf, cf->cap, ncap);
        if (nb == NULL) {
            snprintf(cf->err, sizeof(cf->err),
                     "cannot hold a record of %zu bytes (out of memory: is the memcap too small?)",
                     need);
            return -1;
        }
        cf->buf = nb;
        cf->view = nb;
        cf->cap = ncap;
    }
    if (cf->head > 0) {
        memmove(cf->buf, cf->buf + cf->head, have);
        cf->buf_base += cf->head;
        cf->head = 0;
        cf->tail = have;
    }
    while (cf->tail < need && !cf->eof) {
        size_t room = cf->cap - cf->tail;
        if (cf->fd < 0) {
            size_t n = cf->mem_len - cf->mem_off;
            if (n > room)
                n = room;
            if (n > CAPFILE_MEM_CHUNK)
                n = CAPFILE_MEM_CHUNK;
            memcpy(cf->buf + cf->tail, cf->mem + cf->mem_off, n);
            cf->mem_off += n;
            cf->tail += n;
            cf->eof = n == 0;
            continue;
        }
        /* a stream waits in poll(2) (EAGAIN after it said readable:
         * another reader of the pipe took the bytes first, the descriptor
         * being non-blocking, fdwait_own: waited on again, with naps) */
        ssize_t n = cf->wait ? fdwait_read(cf->fd, cf->buf + cf->tail, room)
                             : read(cf->fd, cf->buf + cf->tail, room);
        if (n < 0 && cf->wait && errno == EINTR) {
            cf->stopped = cf->eof = true; /* SIGINT/SIGTERM while the writer sends nothing */
            break;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n < 0) {
            snprintf(cf->err, sizeof(cf->err), "read error: %s", strerror(errno));
            return -1;
        }
        cf->tail += (size_t)n;
        cf->eof = n == 0;
    }
    return cf->tail - cf->head >= need ? 0 : 1;
}

/* Asks for the next record's first two cache lines (its header and the
 * frame's link, IP and TCP headers) while this one is processed: frames in
 * a mapped file are not in the CPU's caches, and a record is too far from
 * the last for the hardware prefetcher to guess. Only those lines: asking
 * for every line ahead (the payload of bypassed flows too) was 16 % slower
 * on the gateway mix, memory bandwidth spent on bytes nobody reads. */
static inline void
capfile_prefetch(const struct capfile *cf)
{
    if (cf->tail - cf->head >= 128) {
        __builtin_prefetch(cf->view + cf->head);
        __builtin_prefetch(cf->view + cf->head + 64);
    }
}

/* Adds an interface from an IDB body (§4.2). */
static enum capfile_next_rc
capfile_idb(struct capfile *cf, struct rd *b)
{
    struct capfile_if in = {0, 0, 1000000u, 0};
    uint16_t lt = capfile_u16(cf, b, "idb.linktype");
    rd_skip(b, 2, "idb.reserved");
    in.snap = capfile_snap(capfile_u32(cf, b, "idb.snaplen"));
    if (!rd_ok(b)) {
        snprintf(cf->err, sizeof(cf->err), "Interface Description Block too short");
        return CAPFILE_MALFORMED;
    }
    in.dlt = capfile_linktype_to_dlt(lt);
    /* options (§3.5): code, length, value padded to 32 bits; opt_endofopt ends
     * them. A damaged option list ends it too: only two options matter here. */
    while (rd_left(b) >= 4) {
        uint16_t code = capfile_u16(cf, b, "opt.code");
        uint16_t len = capfile_u16(cf, b, "opt.len");
        const uint8_t *v = rd_bytes(b, len, "opt.value");
        if (code == 0 || v == NULL)
            break;
        rd_skip(b, (4u - (len & 3u)) & 3u, "opt.pad");
        if (code == CAPFILE_OPT_TSRESOL && len == 1) {
            unsigned e = v[0] & 0x7fu;
            bool pow2 = (v[0] & 0x80u) != 0;
            if ((pow2 && e > 63) || (!pow2 && e > 19)) {
                snprintf(cf->err, sizeof(cf->err), "unsupported if_tsresol 0x%02x", v[0]);
                return CAPFILE_MALFORMED;
            }
            in.ups = 1;
            for (unsigned i = 0; i < e; i++)
                in.ups *= pow2 ? 2u : 10u;
        } else if (code == CAPFILE_OPT_TSOFF && len == 8) {
            struct rd o = rd_init(v, 8);
            uint32_t a = capfile_u32(cf, &o, "tsoffset"), c = capfile_u32(cf, &o, "tsoffset");
            uint64_t u = cf->be ? (uint64_t)a << 32 | c : (uint64_t)c << 32 | a;
            in.off_s = (int64_t)u;
        }
    }
    if (cf->n_if == CAPFILE_IFACES_MAX) {
        snprintf(cf->err, sizeof(cf->err), "more than %u interfaces in one section",
                 CAPFILE_IFACES_MAX);
        return CAPFILE_MALFORMED;
    }
    if (cf->n_if == cf->cap_if) {
        unsigned ncap = cf->cap_if ? cf->cap_if * 2 : 4;
        struct capfile_if *n =
            mem_realloc(cf->ifs, cf->cap_if * sizeof(*n), (size_t)ncap * sizeof(*n));
        if (n == NULL) {
            snprintf(cf->err, sizeof(cf->err), "out of memory for interfaces");
            return CAPFILE_IOERR;
        }
        cf->ifs = n;
        cf->cap_if = ncap;
    }
    cf->ifs[cf->n_if++] = in;
    return CAPFILE_FRAME;
}

/* Microseconds from an interface's timestamp units, truncated (libpcap
 * scales the fraction the same way), saturated far outside any real time. */
static int64_t
capfile_ng_ts(const struct capfile_if *in, uint64_t t)
{
    const int64_t lim = INT64_MAX / 1000000 - 1;
    uint64_t sec = t / in->ups, frac = t % in->ups, us;
    if (in->ups == 1000000u)
        us = frac;
    else if (in->ups > 1000000u && in->ups % 1000000u == 0)
        us = frac / (in->ups / 1000000u);
    else
        us = (uint64_t)(((unsigned __int128)frac * 1000000u) / in->ups);
    int64_t s = sec > (uint64_t)lim ? lim : (int64_t)sec;
    if (in->off_s > 0)
        s = s > lim - in->off_s ? lim : s + in->off_s;
    else if (in->off_s < 0)
        s = in->off_s < -lim ? -lim : s + in->off_s; /* s >= 0: the sum stays >= -lim */
    return s * 1000000 + (int64_t)us;
}

/* The input ended `skip` bytes into a part of `want` more bytes: libpcap's
 * words, counting as it does (pcapng: the block after its 8-byte header). */
static enum capfile_next_rc
capfile_truncated(struct capfile *cf, const char *kind, size_t skip, size_t want)
{
    size_t got = cf->tail - cf->head;
    got = got > skip ? got - skip : 0;
    snprintf(cf->err, sizeof(cf->err), "truncated %sdump file; tried to read %zu %s, only got %zu",
             cf->ng ? "pcapng " : "", want, kind, got);
    return CAPFILE_TRUNCATED;
}

/* Reads an SHB whose type word is at buf[head] (§4.1): byte order, version.
 * Consumes the block. `first`: the file's first block (libpcap reads 12
 * bytes of it before the rest, 8 of a later one: a cut one is counted so). */
static enum capfile_next_rc
capfile_shb(struct capfile *cf, bool first)
{
    int f = capfile_fill(cf, 12);
    if (f < 0)
        return CAPFILE_IOERR;
    if (f > 0) {
        /* cut before the byte-order magic: libpcap counts the block in the
         * previous section's byte order */
        struct rd l = rd_init(cf->view + cf->head + 4, cf->tail - cf->head - 4);
        uint32_t len = capfile_u32(cf, &l, "shb.len");
        return rd_ok(&l) && len >= 8 ? capfile_truncated(cf, "bytes", 8, len - 8)
                                     : capfile_truncated(cf, "bytes", 0, 12);
    }
    struct rd r = rd_init(cf->view + cf->head + 8, 4);
    uint32_t bom = rd_be32(&r, "shb.bom");
    if (bom == CAPFILE_NG_BOM)
        cf->be = true;
    else if (bom == 0x4D3C2B1Au)
        cf->be = false;
    else {
        snprintf(cf->err, sizeof(cf->err), "Section Header Block with a bad byte-order magic");
        return CAPFILE_MALFORMED;
    }
    r = rd_init(cf->view + cf->head + 4, 4);
    uint32_t len = capfile_u32(cf, &r, "shb.len");
    if (len < 28 || len % 4 != 0 || len > CAPFILE_BLOCK_MAX) {
        snprintf(cf->err, sizeof(cf->err), "Section Header Block length %u is not valid", len);
        return CAPFILE_MALFORMED;
    }
    if ((f = capfile_fill(cf, len)) != 0)
        return f < 0 ? CAPFILE_IOERR
                     : capfile_truncated(cf, "bytes", first ? 12 : 8, len - (first ? 12 : 8));
    r = rd_init(cf->view + cf->head + 12, 4);
    uint16_t major = capfile_u16(cf, &r, "shb.major"), minor = capfile_u16(cf, &r, "shb.minor");
    cf->head += len;
    cf->bad_version = major != 1 || (minor != 0 && minor != 2);
    if (cf->bad_version) {
        snprintf(cf->err, sizeof(cf->err), "unsupported pcapng savefile version %u.%u", major,
                 minor);
        return CAPFILE_MALFORMED;
    }
    cf->n_if = 0;
    return CAPFILE_FRAME;
}

/* The next pcapng packet: EPB, SPB or obsolete PB (§4.3, §4.4, Appendix A).
 * With `to_idb`, returns CAPFILE_FRAME with fr untouched right after an IDB
 * (opening: the first interface's link type is needed before any frame). */
static enum capfile_next_rc
capfile_ng_next(struct capfile *cf, struct capfile_frame *fr, bool to_idb)
{
    for (;;) {
        int f = capfile_fill(cf, 8);
        if (f < 0)
            return CAPFILE_IOERR;
        if (f > 0)
            return cf->tail == cf->head ? CAPFILE_EOF : capfile_truncated(cf, "bytes", 0, 8);
        struct rd r = rd_init(cf->view + cf->head, 8);
        uint32_t type = capfile_u32(cf, &r, "block.type");
        if (type == CAPFILE_NG_SHB) {
            enum capfile_next_rc rc = capfile_shb(cf, false);
            if (rc != CAPFILE_FRAME)
                return rc;
            continue;
        }
        uint32_t len = capfile_u32(cf, &r, "block.len");
        if (len < 12 || len % 4 != 0 || len > CAPFILE_BLOCK_MAX) {
            snprintf(cf->err, sizeof(cf->err),
                     "block in pcapng dump file has a length of %u (at least 12, a multiple of 4, "
                     "at most %u)",
                     len, CAPFILE_BLOCK_MAX);
            return CAPFILE_MALFORMED;
        }
        if ((f = capfile_fill(cf, len)) != 0)
            return f < 0 ? CAPFILE_IOERR : capfile_truncated(cf, "bytes", 8, len - 8);
        struct rd b = rd_init(cf->view + cf->head + 8, len - 12);
        cf->head += len;
        capfile_prefetch(cf);
        uint32_t ifid, caplen, wirelen, hi = 0, lo = 0;
        switch (type) {
        case CAPFILE_NG_IDB: {
            enum capfile_next_rc rc = capfile_idb(cf, &b);
            if (rc != CAPFILE_FRAME || to_idb)
                return rc;
            continue;
        }
        case CAPFILE_NG_EPB:
            ifid = capfile_u32(cf, &b, "epb.interface");
            hi = capfile_u32(cf, &b, "epb.ts_high");
            lo = capfile_u32(cf, &b, "epb.ts_low");
            caplen = capfile_u32(cf, &b, "epb.caplen");
            wirelen = capfile_u32(cf, &b, "epb.len");
            break;
        case CAPFILE_NG_OPB:
            ifid = capfile_u16(cf, &b, "pb.interface");
            rd_skip(&b, 2, "pb.drops");
            hi = capfile_u32(cf, &b, "pb.ts_high");
            lo = capfile_u32(cf, &b, "pb.ts_low");
            caplen = capfile_u32(cf, &b, "pb.caplen");
            wirelen = capfile_u32(cf, &b, "pb.len");
            break;
        case CAPFILE_NG_SPB:
            ifid = 0;
            wirelen = capfile_u32(cf, &b, "spb.len");
            caplen = (uint32_t)rd_left(&b);
            if (caplen > wirelen)
                caplen = wirelen;
            break;
        default:
            continue; /* NRB, ISB, DSB, custom...: not needed here */
        }
        if (to_idb) {
            snprintf(cf->err, sizeof(cf->err),
                     "a packet block before any Interface Description "
                     "Block");
            return CAPFILE_MALFORMED;
        }
        if (!rd_ok(&b)) {
            snprintf(cf->err, sizeof(cf->err), "packet block too short for its fixed fields");
            return CAPFILE_MALFORMED;
        }
        if (ifid >= cf->n_if) {
            snprintf(cf->err, sizeof(cf->err),
                     "a packet arrived on interface %u, but there's no Interface Description "
                     "Block for that interface",
                     ifid);
            return CAPFILE_MALFORMED;
        }
        const struct capfile_if *in = &cf->ifs[ifid];
        fr->data = rd_bytes(&b, caplen, "packet.data");
        if (fr->data == NULL) {
            snprintf(cf->err, sizeof(cf->err),
                     "packet block has a captured length of %u, more than the block holds", caplen);
            return CAPFILE_MALFORMED;
        }
        fr->caplen = caplen;
        fr->wirelen = wirelen;
        fr->dlt = in->dlt;
        fr->snap = in->snap;
        fr->ifid = ifid;
        fr->ts_us = capfile_ng_ts(in, (uint64_t)hi << 32 | lo);
        return CAPFILE_FRAME;
    }
}

/* The next pcap record (draft-ietf-opsawg-pcap §5). Always inlined: the
 * read loop's per-packet path (capfile_next, capfile_probe). */
static inline __attribute__((always_inline)) enum capfile_next_rc
capfile_pcap_next(struct capfile *cf, struct capfile_frame *fr)
{
    int f = capfile_fill(cf, CAPFILE_PCAP_REC);
    if (f < 0)
        return CAPFILE_IOERR;
    if (f > 0)
        return cf->tail == cf->head ? CAPFILE_EOF
                                    : capfile_truncated(cf, "header bytes", 0, CAPFILE_PCAP_REC);
    struct rd r = rd_init(cf->view + cf->head, CAPFILE_PCAP_REC);
    uint32_t sec = capfile_u32(cf, &r, "rec.ts_sec");
    uint32_t frac = capfile_u32(cf, &r, "rec.ts_frac");
    uint32_t caplen = capfile_u32(cf, &r, "rec.caplen");
    uint32_t wirelen = capfile_u32(cf, &r, "rec.len");
    if (caplen > CAPFILE_SNAP_MAX) {
        snprintf(cf->err, sizeof(cf->err),
                 "invalid packet capture length %u, bigger than maximum of %u", caplen,
                 CAPFILE_SNAP_MAX);
        return CAPFILE_MALFORMED;
    }
    if ((f = capfile_fill(cf, CAPFILE_PCAP_REC + (size_t)caplen)) != 0) {
        if (f < 0)
            return CAPFILE_IOERR;
        return capfile_truncated(cf, "captured bytes", CAPFILE_PCAP_REC, caplen);
    }
    r = rd_init(cf->view + cf->head + CAPFILE_PCAP_REC, caplen);
    fr->data = rd_bytes(&r, caplen, "rec.data");
    cf->head += CAPFILE_PCAP_REC + (size_t)caplen;
    capfile_prefetch(cf);
    fr->dlt = cf->dlt;
    fr->ifid = 0;
    fr->snap = cf->ifs[0].snap;
    fr->caplen = caplen;
    fr->wirelen = wirelen;
    fr->ts_us = (int64_t)sec * 1000000 + (int64_t)(cf->nsec ? frac / 1000u : frac);
    return CAPFILE_FRAME;
}

enum capfile_next_rc
capfile_next(struct capfile *cf, struct capfile_frame *f)
{
    enum capfile_next_rc rc = cf->ng ? capfile_ng_next(cf, f, false) : capfile_pcap_next(cf, f);
    if (rc == CAPFILE_FRAME)
        cf->map_last = ++cf->frames;
    else if (cf->stopped)
        return CAPFILE_EOF; /* a record cut by the stop is not damage */
    if (capfile_bus_hit && cf->map_mode) {
        snprintf(cf->err, sizeof(cf->err),
                 "the file shrank while it was read (truncated by another program?)");
        return CAPFILE_IOERR;
    }
    return rc;
}

enum capfile_next_rc
capfile_probe(struct capfile *cf)
{
    /* capfile_next's work, not a call to it: with a second caller the
     * compiler no longer inlines capfile_next into the read loop, and with
     * capfile_pcap_next out of line it is a call a packet either way
     * (issue 5: ~20 instructions a packet); capfile_pcap_next is inlined
     * into both */
    struct capfile_frame f;
    enum capfile_next_rc rc = cf->ng ? capfile_ng_next(cf, &f, false) : capfile_pcap_next(cf, &f);
    if (rc == CAPFILE_FRAME)
        cf->map_last = ++cf->frames;
    return rc;
}

/* Reads the file header: pcap's, or pcapng's SHB and blocks up to the
 * first IDB. */
static enum capfile_open_rc
capfile_header(struct capfile *cf, char *errbuf, unsigned errlen)
{
    int f = capfile_fill(cf, 4);
    if (f < 0) {
        str_copy(errbuf, errlen, cf->err);
        return CAPFILE_OPEN_ERROR;
    }
    if (f > 0 && cf->tail == cf->head) { /* nothing at all: no file, cut or not */
        str_copy(errbuf, errlen, "empty: not one byte");
        return CAPFILE_OPEN_EMPTY;
    }
    if (f > 0) { /* libpcap's words for a file shorter than any magic */
        snprintf(errbuf, errlen,
                 "truncated dump file; tried to read 4 file header bytes, only got %zu",
                 cf->tail - cf->head);
        return CAPFILE_OPEN_ERROR;
    }
    struct rd r = rd_init(cf->view + cf->head, 4);
    uint32_t magic = rd_be32(&r, "magic");
    if (magic == CAPFILE_NG_SHB) {
        cf->ng = true;
        enum capfile_next_rc rc = capfile_shb(cf, true);
        if (rc == CAPFILE_MALFORMED && cf->bad_version)
            return CAPFILE_OPEN_FOREIGN;
        struct capfile_frame fr;
        while (rc == CAPFILE_FRAME && cf->n_if == 0) {
            /* blocks before the first IDB; a packet there is an error */
            rc = capfile_ng_next(cf, &fr, true);
            if (rc == CAPFILE_EOF) {
                snprintf(cf->err, sizeof(cf->err), "no Interface Description Block in the file");
                rc = CAPFILE_MALFORMED;
            }
        }
        if (rc != CAPFILE_FRAME) {
            str_copy(errbuf, errlen, cf->err);
            return CAPFILE_OPEN_ERROR;
        }
        cf->dlt = cf->ifs[0].dlt;
        return CAPFILE_OPEN_OK;
    }
    if (magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du)
        cf->be = true;
    else if (magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u)
        cf->be = false;
    else { /* a compressed file, or no capture libpcap reads: said now (a pipe is read once) */
        (void)capfile_fill(cf, 8); /* xz's magic is 6 bytes; a shorter input keeps its own */
        const char *why = capmagic_why(cf->view + cf->head, cf->tail - cf->head);
        if (why != NULL)
            str_copy(errbuf, errlen, why);
        return why != NULL ? CAPFILE_OPEN_ERROR : CAPFILE_OPEN_FOREIGN;
    }
    cf->nsec = magic == 0xA1B23C4Du || magic == 0x4D3CB2A1u;
    if ((f = capfile_fill(cf, CAPFILE_PCAP_HDR)) != 0) {
        if (f < 0)
            str_copy(errbuf, errlen, cf->err);
        else
            snprintf(errbuf, errlen,
                     "truncated dump file; tried to read %u file header bytes, only got %zu",
                     CAPFILE_PCAP_HDR, cf->tail - cf->head);
        return CAPFILE_OPEN_ERROR;
    }
    r = rd_init(cf->view + cf->head + 4, CAPFILE_PCAP_HDR - 4);
    uint16_t major = capfile_u16(cf, &r, "pcap.major"), minor = capfile_u16(cf, &r, "pcap.minor");
    rd_skip(&r, 8, "pcap.thiszone_sigfigs");
    uint32_t snap = capfile_u32(cf, &r, "pcap.snaplen");
    uint32_t lt = capfile_u32(cf, &r, "pcap.linktype");
    if (major != 2 || minor != 4 || (lt & 0xFC000000u) != 0 || lt > 0xFFFFu)
        return CAPFILE_OPEN_FOREIGN; /* old versions, FCS bits: libpcap's fix-ups apply */
    cf->head += CAPFILE_PCAP_HDR;
    cf->dlt = capfile_linktype_to_dlt(lt);
    struct capfile_if in = {cf->dlt, capfile_snap(snap), 1000000u, 0};
    cf->ifs = mem_alloc(sizeof(in));
    if (cf->ifs == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return CAPFILE_OPEN_ERROR;
    }
    cf->ifs[0] = in;
    cf->n_if = cf->cap_if = 1;
    return CAPFILE_OPEN_OK;
}

static enum capfile_open_rc
capfile_start(struct capfile *cf, struct capfile **out, char *errbuf, unsigned errlen)
{
    if (cf->fd < 0 || !capfile_try_map(cf)) {
        cf->cap = CAPFILE_BUF_INIT;
        cf->buf = mem_alloc_raw(cf->cap);
        if (cf->buf == NULL) {
            cf->cap = CAPFILE_BUF_SMALL;
            cf->buf = mem_alloc_raw(cf->cap);
        }
        cf->view = cf->buf;
    }
    enum capfile_open_rc rc = CAPFILE_OPEN_ERROR;
    if (!cf->map_mode && cf->buf == NULL)
        snprintf(errbuf, errlen, "out of memory (is the memcap too small?)");
    else
        rc = capfile_header(cf, errbuf, errlen);
    if (cf->stopped)
        rc = CAPFILE_OPEN_STOPPED; /* before its header came */
    if (rc != CAPFILE_OPEN_OK) {
        capfile_close(cf);
        return rc;
    }
    *out = cf;
    return CAPFILE_OPEN_OK;
}

enum capfile_open_rc
capfile_open(const char *path, struct capfile **out, char *errbuf, unsigned errlen)
{
    *out = NULL;
    struct capfile *cf = mem_alloc(sizeof(*cf));
    if (cf == NULL) {
        snprintf(errbuf, errlen, "out of memory (is the memcap too small?)");
        return CAPFILE_OPEN_ERROR;
    }
    if (strcmp(path, "-") == 0) {
        cf->fd = fdwait_own(STDIN_FILENO, O_RDONLY); /* a pipe's: non-blocking, ours */
        if (cf->fd < 0) {
            str_copy(errbuf, errlen, strerror(errno));
            mem_free(cf, sizeof(*cf));
            return CAPFILE_OPEN_ERROR;
        }
        cf->close_fd = true;
    } else {
        cf->fd = fdwait_open_read(path); /* a FIFO with no writer: SIGINT ends the wait */
        if (cf->fd < 0) {
            bool stopped = errno == EINTR && fdwait_stopped();
            str_copy(errbuf, errlen, strerror(errno));
            mem_free(cf, sizeof(*cf));
            return stopped ? CAPFILE_OPEN_STOPPED : CAPFILE_OPEN_ERROR;
        }
        cf->close_fd = true;
        (void)posix_fadvise(cf->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    struct stat st;
    cf->wait = fstat(cf->fd, &st) != 0 || !S_ISREG(st.st_mode);
    return capfile_start(cf, out, errbuf, errlen);
}

enum capfile_open_rc
capfile_open_mem(const uint8_t *buf, size_t len, struct capfile **out, char *errbuf,
                 unsigned errlen)
{
    *out = NULL;
    struct capfile *cf = mem_alloc(sizeof(*cf));
    if (cf == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return CAPFILE_OPEN_ERROR;
    }
    cf->fd = -1;
    cf->mem = buf;
    cf->mem_len = len;
    return capfile_start(cf, out, errbuf, errlen);
}

bool
capfile_frames_stay(const struct capfile *cf)
{
    return cf->map_mode;
}

int
capfile_dlt(const struct capfile *cf)
{
    return cf->dlt;
}

uint32_t
capfile_snaplen(const struct capfile *cf)
{
    return cf->n_if > 0 ? cf->ifs[0].snap : CAPFILE_SNAP_MAX;
}

const char *
capfile_error(const struct capfile *cf)
{
    return cf->err;
}

uint64_t
capfile_offset(const struct capfile *cf)
{
    return (cf->map_mode ? cf->map_off : cf->buf_base) + cf->head;
}

void
capfile_close(struct capfile *cf)
{
    if (cf == NULL)
        return;
    if (cf->map != NULL)
        munmap(cf->map, cf->map_len);
    for (int w = 0; w < CAPFILE_OLD_WINDOWS; w++)
        if (cf->old[w].m != NULL)
            munmap(cf->old[w].m, cf->old[w].len);
    if (cf->map_mode && --capfile_n_mapped == 0)
        sigaction(SIGBUS, &capfile_old_bus, NULL);
    if (capfile_active == cf) {
        capfile_active = NULL;
        capfile_bus_hit = 0;
    }
    if (cf->close_fd)
        close(cf->fd);
    mem_free(cf->buf, cf->cap);
    mem_free(cf->ifs, cf->cap_if * sizeof(*cf->ifs));
    mem_free(cf, sizeof(*cf));
}
