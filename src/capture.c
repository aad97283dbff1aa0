/* \summary: capture inputs: offline files (pcap, pcapng, stdin) and live
 * interfaces, delivered frame by frame to a callback.
 *
 * Offline: every -r input is read in order by smtptap's own reader
 * (capfile.c: pcap 2.4 and pcapng, read in large blocks, frames handed out in
 * place); a file in another form (older pcap versions, pcap with FCS bits,
 * anything libpcap knows that capfile.c does not), and every file under
 * --libpcap-reader, is opened with
 * pcap_open_offline_with_tstamp_precision(PCAP_TSTAMP_PRECISION_MICRO).
 * "-" is standard input (libpcap gets a dup of fd 0, so that pcap_close()
 * does not close stdin itself). The inputs are one timeline: the callback
 * sees the frames of file 1, then file 2, ...
 *
 * With capfile.c a BPF filter is compiled with pcap_open_dead() for each link
 * type met (a pcapng file may hold interfaces of several types) and run with
 * pcap_offline_filter(); a filter that cannot apply to a later interface's
 * link type is reported once and that interface's frames are skipped.
 *
 * A file that ends inside a record ("truncated dump file; tried to read N captured bytes, only got
 * M", the same words from either reader) or is malformed further on: the frames before the damage
 * have been delivered, one line goes to stderr, the file is counted in files_damaged and reading
 * goes on with the next input. Not being able to open an input at all, a file whose first record
 * is already cut or damaged (not one packet to read: as tcpdump, which stops there with exit 1), a
 * first link type decode.c does not know, or a filter that does not compile are fatal: one line in
 * errbuf, -1. A later pcapng interface of a link type decode.c does not know (only smtptap's
 * reader takes one) is said once on stderr; its frames are delivered, for decode.c to count.
 * capture_check_file() finds the fatal cases of a regular file before the run; the start callback
 * (capture_set_start) is called only once the first input can be read, so that a run that reads
 * nothing writes nothing.
 *
 * Live: pcap_create + pcap_activate, 1000 ms read timeout, immediate mode.
 * libpcap's own wait may keep polling past the timeout when no frame arrives
 * (Linux, TPACKET_V2), so the handle is non-blocking and capture.c polls
 * pcap_get_selectable_fd() itself for at most 1000 ms: the `stop` flag
 * (SIGINT/SIGTERM) is seen within a second, no pcap_breakloop() from signal
 * context. A FIFO or stdin waits in poll(2) too (fdwait.h), 100 ms at most,
 * libpcap's fread(3) of one too (each refill: fdwait_fdopen_peek).
 * pcap_stats() goes to stderr every CAPTURE_STATS_INTERVAL_S seconds and
 * into struct capture_stats at the end. Messages in errbuf carry no
 * "smtptap: " prefix (the caller adds it); lines printed here do. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capfile.h"
#include "capmagic.h"
#include "capture.h"
#include "decode.h"
#include "fdwait.h"
#include "strcopy.h"
#include "termtext.h"

_Static_assert(CAPTURE_FRAMES_STAY == CAPFILE_FRAMES_STAY, "capture.h and capfile.h agree");

#define CAPTURE_SNAPLEN_DEFAULT  262144
#define CAPTURE_TIMEOUT_MS       1000 /* live read timeout: how often `stop` is polled */
#define CAPTURE_STATS_INTERVAL_S 10   /* live: pcap_stats line on stderr this often */
#define CAPTURE_TICK_S           1    /* live: capture_tick_cb this often */
#define CAPTURE_DLT_PROGS        12   /* capfile.c inputs: filters compiled per link type */
#define CAPTURE_SAID_MAX         16   /* unknown link types' interfaces said per input */

/* How one input ended. */
enum capture_end {
    CAPTURE_END_EOF = 0, /* all frames read */
    CAPTURE_END_STOP,    /* stop flag, callback or -c count */
    CAPTURE_END_DAMAGED, /* offline read error after some frames (reported) */
    CAPTURE_END_FATAL    /* live read error (errbuf filled) */
};

/* A filter compiled for one link type (capfile.c inputs). */
struct capture_prog {
    int dlt;
    bool ok; /* false: the filter does not apply to this link type */
    struct bpf_program prog;
};

/* One opened input. */
struct capture_src {
    pcap_t *p;          /* libpcap input (NULL when cf reads the file) */
    struct capfile *cf; /* smtptap's reader, or NULL */
    const char *name;   /* file name ("-" for stdin) or interface */
    int dlt;
    int live;
    const char *bpf; /* capfile.c inputs: filter expression, or NULL */
    struct capture_prog progs[CAPTURE_DLT_PROGS];
    unsigned n_progs;
    struct pcap_stat last; /* live: pcap_stats' last 32-bit counters (they wrap) */
    /* pcapng interfaces of a link type decode.c does not know, said once each */
    struct {
        uint32_t ifid;
        int dlt;
    } said[CAPTURE_SAID_MAX];
    unsigned n_said;
};

/* Copies a libpcap message into errbuf as one line "NAME: WHAT: MSG", dropping
 * a leading "NAME: " libpcap may already have put into MSG and any newline. */
static void
capture_err(char *errbuf, unsigned errlen, const char *name, const char *what, const char *msg)
{
    size_t nl = strlen(name);
    if (errbuf == NULL || errlen == 0)
        return;
    if (msg == NULL)
        msg = "";
    if (strncmp(msg, name, nl) == 0 && msg[nl] == ':' && msg[nl + 1] == ' ')
        msg += nl + 2;
    if (msg[0] != '\0')
        snprintf(errbuf, errlen, "%s: %s: %s", name, what, msg);
    else
        snprintf(errbuf, errlen, "%s: %s", name, what);
    for (char *q = errbuf; *q != '\0'; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
}

/* "DLT_NAME (N, description)" of a link type, into buf. */
static void
capture_dlt_text(int dlt, char *buf, size_t len)
{
    const char *n = pcap_datalink_val_to_name(dlt);
    const char *d = pcap_datalink_val_to_description(dlt);
    snprintf(buf, len, "DLT_%s (%d%s%s)", n != NULL ? n : "UNKNOWN", dlt, d != NULL ? ", " : "",
             d != NULL ? d : "");
}

/* What to add to a libpcap read error: libpcap 1.10 stops at a pcapng
 * interface whose link type differs from the first one's, which smtptap's
 * own reader takes. */
static const char *
capture_pcap_hint(const char *pe)
{
    return strstr(pe, "different from the type of the first interface") != NULL
               ? " (smtptap's own reader reads such a file: leave out --libpcap-reader)"
               : "";
}

/* An input whose first record is already cut or damaged: not one packet
 * can be read from it. One line in errbuf. */
static void
capture_none_read(const struct capture_src *s, const char *msg, char *errbuf, unsigned errlen)
{
    char m[PCAP_ERRBUF_SIZE + 96];
    snprintf(m, sizeof(m), "%s%s", msg, s->p != NULL ? capture_pcap_hint(msg) : "");
    capture_err(errbuf, errlen, s->name, "cannot read a single packet", m);
}

/* An input that gave not one byte: said plainly, not as a file cut short
 * (libpcap's "truncated dump file ... only got 0"). */
static const char *
capture_empty_what(const char *name)
{
    return strcmp(name, "-") == 0
               ? "standard input was empty: no capture came (pipe a pcap or pcapng file into it)"
               : "empty: no capture came";
}

/* Opens one -r input ("-" = stdin) with libpcap; a stream empty or compressed is said so as
 * capfile.c says it (capmagic.c), not by libpcap ("truncated", "unknown file format"). Returns
 * NULL with errbuf filled, or untouched when the stop flag ended the wait for its first bytes. */
static pcap_t *
capture_open_pcap(const char *path, char *errbuf, unsigned errlen)
{
    char pe[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p;
    int fd = fdwait_input(path); /* stdin and FIFOs: not libpcap's fopen(3), which waits */
    if (fd < 0 && errno == EINTR && fdwait_stopped())
        return NULL;
    if (fd != FDWAIT_NOT_STREAM) {
        unsigned char m[8]; /* its first bytes, read again by libpcap: empty, compressed? */
        size_t got = 0;
        FILE *f = fd >= 0 ? fdwait_fdopen_peek(fd, m, sizeof(m), &got) : NULL;
        if (f == NULL) {
            if (!fdwait_stopped()) /* stopped: nothing to say */
                capture_err(errbuf, errlen, path,
                            path[0] == '-' && path[1] == '\0' ? "cannot read standard input"
                                                              : "cannot read capture",
                            strerror(errno));
            return NULL;
        }
        const char *why = got == 0 ? capture_empty_what(path) : capmagic_why(m, got);
        if (why != NULL) {
            fclose(f);
            capture_err(errbuf, errlen, path, got ? "cannot read capture" : why, got ? why : NULL);
            return NULL;
        }
        p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, pe);
        if (p == NULL)
            fclose(f);
    } else {
        p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, pe);
    }
    if (p == NULL && !fdwait_stopped()) /* stopped: in the header's wait */
        capture_err(errbuf, errlen, path, "cannot read capture", pe);
    return p;
}

/* Opens one -r input: capfile.c first, libpcap for the forms it leaves. Returns 0, -1
 * with errbuf filled, or 1: SIGINT/SIGTERM ended the wait for its first bytes. */
static int
capture_open_file(const struct config *cfg, struct capture_src *s, char *errbuf, unsigned errlen)
{
    if (!cfg->libpcap_reader) {
        char e[256] = "";
        enum capfile_open_rc rc = capfile_open(s->name, &s->cf, e, sizeof(e));
        if (rc == CAPFILE_OPEN_OK)
            return 0;
        if (rc == CAPFILE_OPEN_STOPPED)
            return 1;
        if (rc == CAPFILE_OPEN_EMPTY) {
            capture_err(errbuf, errlen, s->name, capture_empty_what(s->name), NULL);
            return -1;
        }
        if (rc == CAPFILE_OPEN_ERROR || fdwait_stream(s->name)) { /* its header read: gone */
            capture_err(errbuf, errlen, s->name, "cannot read capture",
                        rc == CAPFILE_OPEN_ERROR
                            ? e
                            : "unknown file format (not pcap 2.4 or pcapng: write it to a file, "
                              "or use --libpcap-reader)");
            return -1;
        }
    }
    s->p = capture_open_pcap(s->name, errbuf, errlen);
    return s->p != NULL ? 0 : fdwait_stopped() ? 1 : -1;
}

/* Closes whichever reader the input has, and its compiled filters. */
static void
capture_close(struct capture_src *s)
{
    for (unsigned i = 0; i < s->n_progs; i++)
        if (s->progs[i].ok)
            pcap_freecode(&s->progs[i].prog);
    s->n_progs = 0;
    if (s->p != NULL)
        pcap_close(s->p);
    s->p = NULL;
    capfile_close(s->cf);
    s->cf = NULL;
}

/* Compiles the filter for link type `dlt` (capfile.c inputs). Returns the
 * slot, or NULL when no slot is left. */
static struct capture_prog *
capture_compile(struct capture_src *s, int dlt, char *pe, size_t pelen)
{
    if (s->n_progs == CAPTURE_DLT_PROGS)
        return NULL;
    struct capture_prog *cp = &s->progs[s->n_progs++];
    cp->dlt = dlt;
    cp->ok = false;
    pcap_t *dead = pcap_open_dead(dlt, (int)capfile_snaplen(s->cf));
    if (dead == NULL) {
        snprintf(pe, pelen, "out of memory");
        return cp;
    }
    cp->ok = pcap_compile(dead, &cp->prog, s->bpf, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!cp->ok)
        str_copy(pe, pelen, pcap_geterr(dead));
    pcap_close(dead);
    return cp;
}

/* True when a capfile.c frame passes the filter. A link type the filter
 * cannot apply to is reported once; its frames are skipped. */
static bool
capture_filter(struct capture_src *s, const struct capfile_frame *f)
{
    struct capture_prog *cp = NULL;
    for (unsigned i = 0; i < s->n_progs; i++)
        if (s->progs[i].dlt == f->dlt) {
            cp = &s->progs[i];
            break;
        }
    if (cp == NULL) {
        char pe[PCAP_ERRBUF_SIZE] = "";
        cp = capture_compile(s, f->dlt, pe, sizeof(pe));
        if (cp == NULL || !cp->ok) {
            const char *n = pcap_datalink_val_to_name(f->dlt);
            term_msg(stderr,
                     "smtptap: %s: the filter does not apply to link type %s (%d)%s%s; frames of "
                     "that link type are skipped\n",
                     s->name, n != NULL ? n : "UNKNOWN", f->dlt, pe[0] != '\0' ? ": " : "", pe);
        }
        if (cp == NULL)
            return false;
    }
    if (!cp->ok)
        return false;
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(f->ts_us / 1000000);
    h.ts.tv_usec = (suseconds_t)(f->ts_us % 1000000);
    h.caplen = f->caplen;
    h.len = f->wirelen;
    return pcap_offline_filter(&cp->prog, &h, f->data) != 0;
}

/* Explains a pcap_activate() failure in one line. */
static void
capture_activate_err(pcap_t *p, int rc, const char *iface, char *errbuf, unsigned errlen)
{
    const char *why;
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
        why = "permission denied (run as root, or grant the binary cap_net_raw,cap_net_admin "
              "with setcap)";
        break;
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        why = "permission denied for promiscuous mode (try -p)";
        break;
    case PCAP_ERROR_NO_SUCH_DEVICE:
        why = "no such interface (smtptap -D lists them)";
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        why = "interface is not up";
        break;
    case PCAP_ERROR_RFMON_NOTSUP:
        why = "monitor mode not supported";
        break;
    case PCAP_ERROR_ACTIVATED:
        why = "capture already activated";
        break;
    default:
        why = pcap_statustostr(rc);
        break;
    }
    const char *detail = pcap_geterr(p);
    capture_err(
        errbuf, errlen, iface, why,
        (rc == PCAP_ERROR || rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_PERM_DENIED)
            ? detail
            : NULL);
}

/* Opens -i IFACE with the configured snaplen, buffer and promiscuity. */
static pcap_t *
capture_open_live(const struct config *cfg, char *errbuf, unsigned errlen)
{
    char pe[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(cfg->iface, pe);
    if (p == NULL) {
        capture_err(errbuf, errlen, cfg->iface, "cannot open interface", pe);
        return NULL;
    }
    int snaplen = cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_SNAPLEN_DEFAULT;
    if (pcap_set_snaplen(p, snaplen) != 0 || pcap_set_promisc(p, cfg->promisc ? 1 : 0) != 0 ||
        pcap_set_timeout(p, CAPTURE_TIMEOUT_MS) != 0 || pcap_set_immediate_mode(p, 1) != 0 ||
        (cfg->buffer_kib > 0 && pcap_set_buffer_size(p, cfg->buffer_kib * 1024) != 0)) {
        capture_err(errbuf, errlen, cfg->iface, "cannot configure capture", pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    (void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(p);
    if (rc < 0) {
        capture_activate_err(p, rc, cfg->iface, errbuf, errlen);
        pcap_close(p);
        return NULL;
    }
    if (rc > 0) /* PCAP_WARNING*: the capture runs, but say why it may differ */
        term_msg(stderr, "smtptap: %s: warning: %s%s%s\n", cfg->iface, pcap_statustostr(rc),
                 rc == PCAP_WARNING ? ": " : "", rc == PCAP_WARNING ? pcap_geterr(p) : "");
    if (pcap_get_selectable_fd(p) < 0 || pcap_setnonblock(p, 1, pe) != 0) {
        capture_err(errbuf, errlen, cfg->iface, "cannot poll interface", pe);
        pcap_close(p);
        return NULL;
    }
    return p;
}

/* Checks the link type and installs the filter. Returns 0 or -1 (errbuf). */
static int
capture_prepare(struct capture_src *s, const char *bpf, char *errbuf, unsigned errlen)
{
    s->dlt = s->cf != NULL ? capfile_dlt(s->cf) : pcap_datalink(s->p);
    if (!decode_link_supported(s->dlt)) {
        char lt[200], what[256];
        capture_dlt_text(s->dlt, lt, sizeof(lt));
        snprintf(what, sizeof(what), "unsupported link type %s", lt);
        capture_err(errbuf, errlen, s->name, what,
                    "supported: EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP");
        return -1;
    }
    if (bpf == NULL || bpf[0] == '\0')
        return 0;
    if (s->cf != NULL) {
        char pe[PCAP_ERRBUF_SIZE] = "";
        s->bpf = bpf;
        if (!capture_compile(s, s->dlt, pe, sizeof(pe))->ok) {
            char what[256];
            snprintf(what, sizeof(what), "bad filter '%.200s'", bpf);
            capture_err(errbuf, errlen, s->name, what, pe);
            return -1;
        }
        return 0;
    }

    bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
    if (s->live) {
        char pe[PCAP_ERRBUF_SIZE];
        if (pcap_lookupnet(s->name, &net, &mask, pe) != 0)
            mask = PCAP_NETMASK_UNKNOWN;
    }
    struct bpf_program prog;
    if (pcap_compile(s->p, &prog, bpf, 1, mask) != 0) {
        char what[256];
        snprintf(what, sizeof(what), "bad filter '%.200s'", bpf);
        capture_err(errbuf, errlen, s->name, what, pcap_geterr(s->p));
        return -1;
    }
    int rc = pcap_setfilter(s->p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        capture_err(errbuf, errlen, s->name, "cannot install filter", pcap_geterr(s->p));
        return -1;
    }
    return 0;
}

static capture_tick_cb capture_tick_fn;
static void *capture_tick_user;
static capture_start_cb capture_start_fn;
static void *capture_start_user;
static bool capture_begun; /* the start callback has been called in this run */

void
capture_set_start(capture_start_cb fn, void *user)
{
    capture_start_fn = fn;
    capture_start_user = user;
}

/* Calls the start callback, once a run: before its first frame, or once a
 * live capture runs. Returns 0, or -1 (errbuf emptied: the callback said
 * why) when it refused. */
static int
capture_begin(char *errbuf, unsigned errlen)
{
    if (capture_begun)
        return 0;
    capture_begun = true;
    if (capture_start_fn == NULL || capture_start_fn(capture_start_user) == 0)
        return 0;
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    return -1;
}

void
capture_set_tick(capture_tick_cb fn, void *user)
{
    capture_tick_fn = fn;
    capture_tick_user = user;
}

/* Calls the tick with the wall-clock time. */
static void
capture_tick(void)
{
    if (capture_tick_fn == NULL)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    capture_tick_fn(capture_tick_user, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

static double
capture_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copies pcap_stats() into st; prints a line on stderr when `print`. */
static void
capture_live_stats(struct capture_src *s, struct capture_stats *st, int print)
{
    struct pcap_stat ps;
    if (pcap_stats(s->p, &ps) != 0)
        return;
    /* libpcap's counters are 32-bit and wrap on a busy link within days:
     * the totals add up the differences (unsigned arithmetic takes a wrap) */
    st->ps_recv += (u_int)(ps.ps_recv - s->last.ps_recv);
    st->ps_drop += (u_int)(ps.ps_drop - s->last.ps_drop);
    st->ps_ifdrop += (u_int)(ps.ps_ifdrop - s->last.ps_ifdrop);
    s->last = ps;
    if (print)
        term_msg(stderr,
                 "smtptap: %s: %llu frames captured, %llu received by filter, %llu dropped by "
                 "kernel, %llu dropped by interface\n",
                 s->name, (unsigned long long)st->frames, (unsigned long long)st->ps_recv,
                 (unsigned long long)st->ps_drop, (unsigned long long)st->ps_ifdrop);
}

/* True when reading must stop before the next frame: the stop flag
 * (SIGINT/SIGTERM) or the -c count. */
static bool
capture_done(const struct config *cfg, const struct capture_stats *st, volatile int *stop)
{
    return (stop != NULL && *stop) || (cfg->max_packets != 0 && st->frames >= cfg->max_packets);
}

/* A time of sec seconds and us microseconds, in microseconds, within
 * +-CAPTURE_TS_MAX_S seconds (capture.h). */
static int64_t
capture_ts_us(int64_t sec, int64_t us)
{
    if (sec > CAPTURE_TS_MAX_S)
        return CAPTURE_TS_MAX_S * 1000000;
    if (sec < -CAPTURE_TS_MAX_S)
        return -CAPTURE_TS_MAX_S * 1000000;
    return sec * 1000000 + us;
}

/* Counts a frame and hands it to the callback (the run's first frame: after
 * the start callback). Returns CAPTURE_END_EOF to go on, CAPTURE_END_STOP when
 * the callback asks to stop, CAPTURE_END_FATAL when the start callback
 * refused. */
static enum capture_end
capture_deliver(capture_cb cb, void *user, struct capture_stats *st, const struct capture_frame *f,
                uint64_t *n_here)
{
    if (__builtin_expect(!capture_begun, 0) && capture_begin(NULL, 0) != 0)
        return CAPTURE_END_FATAL;
    (*n_here)++;
    st->frames++;
    st->bytes += f->caplen;
    st->last_ts_us = f->ts_us;
    return cb(user, f) != 0 ? CAPTURE_END_STOP : CAPTURE_END_EOF;
}

/* A frame of a pcapng interface whose link type decode.c does not know:
 * said once per interface of the input (the frames are counted as they are
 * decoded: unsupported_link_frames). */
static void
capture_unsupported(struct capture_src *s, const struct capfile_frame *f)
{
    for (unsigned i = 0; i < s->n_said; i++)
        if (s->said[i].ifid == f->ifid && s->said[i].dlt == f->dlt)
            return;
    if (s->n_said == CAPTURE_SAID_MAX)
        return;
    s->said[s->n_said].ifid = f->ifid;
    s->said[s->n_said++].dlt = f->dlt;
    char lt[200];
    capture_dlt_text(f->dlt, lt, sizeof(lt));
    term_msg(stderr,
             "smtptap: %s: interface %u has link type %s, which smtptap does not decode: its "
             "frames are counted (unsupported_link_frames), not analysed\n",
             s->name, (unsigned)f->ifid, lt);
}

static enum capture_end capture_loop_frames(struct capture_src *s, const struct config *cfg,
                                            capture_cb cb, void *user, struct capture_stats *st,
                                            volatile int *stop, char *errbuf, unsigned errlen);

/* Reads a capfile.c input until EOF, damage, stop or the -c count; then
 * tells the callback its frames' data goes. */
static enum capture_end
capture_loop_file(struct capture_src *s, const struct config *cfg, capture_cb cb, void *user,
                  struct capture_stats *st, volatile int *stop, char *errbuf, unsigned errlen)
{
    enum capture_end end = capture_loop_frames(s, cfg, cb, user, st, stop, errbuf, errlen);
    if (capfile_frames_stay(s->cf) && capture_begun)
        (void)cb(user, NULL);
    return end;
}

static enum capture_end
capture_loop_frames(struct capture_src *s, const struct config *cfg, capture_cb cb, void *user,
                    struct capture_stats *st, volatile int *stop, char *errbuf, unsigned errlen)
{
    const bool stays = capfile_frames_stay(s->cf);
    uint64_t n_here = 0, n_read = 0; /* frames delivered; records read (the filter's too) */
    for (;;) {
        if (capture_done(cfg, st, stop))
            return CAPTURE_END_STOP;
        struct capfile_frame cfr;
        enum capfile_next_rc rc = capfile_next(s->cf, &cfr);
        if (rc == CAPFILE_EOF) /* or stopped in a wait for more (fdwait.h) */
            return capture_done(cfg, st, stop) ? CAPTURE_END_STOP : CAPTURE_END_EOF;
        if (rc != CAPFILE_FRAME && n_read == 0) {
            capture_none_read(s, capfile_error(s->cf), errbuf, errlen);
            return CAPTURE_END_FATAL;
        }
        if (rc != CAPFILE_FRAME) {
            capture_damage_note(st, s->name, n_here, (int64_t)capfile_offset(s->cf),
                                rc == CAPFILE_TRUNCATED, capfile_error(s->cf), "");
            return CAPTURE_END_DAMAGED;
        }
        n_read++;
        st->records++;
        if (s->bpf != NULL && !capture_filter(s, &cfr))
            continue;
        if (__builtin_expect(cfr.dlt != s->dlt, 0) && !decode_link_supported(cfr.dlt))
            capture_unsupported(s, &cfr);
        struct capture_frame f;
        f.dlt = cfr.dlt;
        f.ts_us = capture_ts_us(cfr.ts_us / 1000000, cfr.ts_us % 1000000);
        f.caplen = cfr.caplen;
        f.wirelen = cfr.wirelen;
        f.snaplen = cfr.snap;
        f.data = cfr.data;
        f.stays = stays;
        enum capture_end end = capture_deliver(cb, user, st, &f, &n_here);
        if (end != CAPTURE_END_EOF)
            return end;
    }
}

/* Reads one opened input until EOF, damage, stop or the -c count. */
static enum capture_end
capture_loop(struct capture_src *s, const struct config *cfg, capture_cb cb, void *user,
             struct capture_stats *st, volatile int *stop, char *errbuf, unsigned errlen)
{
    if (s->cf != NULL)
        return capture_loop_file(s, cfg, cb, user, st, stop, errbuf, errlen);
    uint64_t n_here = 0;
    double now = capture_now();
    double next_stats = now + CAPTURE_STATS_INTERVAL_S, next_tick = now + CAPTURE_TICK_S;
    struct capture_said said = {0};
    if (!s->live)
        st->records_uncounted = true; /* libpcap's filter drops records unseen */

    for (;;) {
        if (capture_done(cfg, st, stop))
            return CAPTURE_END_STOP;
        if (s->live && (now = capture_now()) >= next_tick) {
            capture_tick();
            next_tick = now + CAPTURE_TICK_S;
        }
        if (s->live && now >= next_stats) {
            /* the counts line when they moved (an idle link: one line, not
             * one every interval), under -q when drops grew */
            capture_live_stats(s, st, 0);
            if (capture_stats_due(&said, st, cfg->quiet))
                capture_live_stats(s, st, 1);
            next_stats = capture_now() + CAPTURE_STATS_INTERVAL_S;
        }

        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(s->p, &h, &data);
        if (rc == 0) {
            /* live, nothing ready: wait up to the timeout, then poll `stop` again */
            struct pollfd pfd = {pcap_get_selectable_fd(s->p), POLLIN, 0};
            (void)poll(&pfd, 1, CAPTURE_TIMEOUT_MS);
            continue;
        }
        if (rc == PCAP_ERROR_BREAK)
            return s->live ? CAPTURE_END_STOP : CAPTURE_END_EOF;
        if (rc < 0 && !s->live && fdwait_stopped())
            return CAPTURE_END_STOP; /* the stop ended a wait in fread (fdwait_fdopen_read) */
        if (rc < 0) {
            const char *pe = pcap_geterr(s->p);
            if (s->live) {
                char what[96];
                snprintf(what, sizeof(what), "capture failed after %llu packet%s",
                         (unsigned long long)n_here, n_here == 1 ? "" : "s");
                capture_err(errbuf, errlen, s->name, what, pe);
                return CAPTURE_END_FATAL;
            }
            /* not one record read: known only without a filter, whose
             * records libpcap passes over unseen (a regular file's first
             * record is checked unfiltered before the run: capture_check_file) */
            if (n_here == 0 && cfg->bpf == NULL) {
                capture_none_read(s, pe, errbuf, errlen);
                return CAPTURE_END_FATAL;
            }
            capture_damage_note(st, s->name, n_here, -1, strstr(pe, "truncated") != NULL, pe,
                                capture_pcap_hint(pe)); /* -1: libpcap reads through stdio */
            return CAPTURE_END_DAMAGED;
        }

        struct capture_frame f;
        f.dlt = s->dlt;
        f.ts_us = capture_ts_us((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec);
        f.caplen = h->caplen;
        f.wirelen = h->len;
        f.snaplen = s->live ? 0 : (uint32_t)pcap_snapshot(s->p);
        f.data = data;
        f.stays = false;
        enum capture_end end = capture_deliver(cb, user, st, &f, &n_here);
        if (end != CAPTURE_END_EOF)
            return end;
    }
}

int
capture_run(const struct config *cfg, capture_cb cb, void *user, struct capture_stats *stats,
            volatile int *stop, char *errbuf, unsigned errlen)
{
    struct capture_stats dummy;
    if (stats == NULL)
        stats = &dummy;
    memset(stats, 0, sizeof(*stats));
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    capture_begun = false;
    fdwait_set_stop(stop);

    if (cfg->iface != NULL && cfg->n_inputs == 0) {
        struct capture_src s;
        memset(&s, 0, sizeof(s));
        s.name = cfg->iface;
        s.live = 1;
        s.p = capture_open_live(cfg, errbuf, errlen);
        if (s.p == NULL)
            return -1;
        if (capture_prepare(&s, cfg->bpf, errbuf, errlen) != 0 ||
            capture_begin(errbuf, errlen) != 0) {
            pcap_close(s.p);
            return -1;
        }
        /* tcpdump's line: the capture runs from here on */
        const char *dn = pcap_datalink_val_to_name(s.dlt),
                   *dd = pcap_datalink_val_to_description(s.dlt);
        term_msg(stderr, "smtptap: listening on %s, link-type %s (%s), snapshot length %d bytes\n",
                 s.name, dn != NULL ? dn : "?", dd != NULL ? dd : "?", pcap_snapshot(s.p));
        enum capture_end end = capture_loop(&s, cfg, cb, user, stats, stop, errbuf, errlen);
        capture_live_stats(&s, stats, !cfg->quiet || stats->ps_drop + stats->ps_ifdrop > 0);
        pcap_close(s.p);
        return end == CAPTURE_END_FATAL ? -1 : 0;
    }

    if (cfg->n_inputs == 0) {
        capture_err(errbuf, errlen, "capture", "nothing to read (give -r FILE or -i IFACE)", NULL);
        return -1;
    }
    unsigned n = cfg->n_inputs < CONFIG_MAX_INPUTS ? cfg->n_inputs : CONFIG_MAX_INPUTS;
    for (unsigned i = 0; i < n; i++) {
        if (capture_done(cfg, stats, stop)) {
            stats->files_unread = n - i;
            break;
        }
        struct capture_src s;
        memset(&s, 0, sizeof(s));
        s.name = cfg->inputs[i];
        /* an input that fails before its first packet is not read, nor
         * those after it: counted alike whether it failed when opened
         * (not a capture) or at its first record (cut there) */
        int orc = capture_open_file(cfg, &s, errbuf, errlen);
        if (orc != 0) /* > 0: stopped while its writer sent nothing: as a stop before it */
            stats->files_unread = n - i;
        if (orc > 0)
            break;
        if (orc < 0)
            return -1;
        if (capture_prepare(&s, cfg->bpf, errbuf, errlen) != 0) {
            capture_close(&s);
            stats->files_unread = n - i;
            return -1;
        }
        enum capture_end end = capture_loop(&s, cfg, cb, user, stats, stop, errbuf, errlen);
        capture_close(&s);
        if (end == CAPTURE_END_FATAL) {
            stats->files_unread = n - i;
            return -1;
        }
        stats->files_read++;
        if (end == CAPTURE_END_DAMAGED) {
            stats->files_damaged++;
        } else if (end == CAPTURE_END_STOP) {
            stats->files_unread = n - i - 1;
            break;
        }
    }
    return 0;
}

int
capture_check_file(const struct config *cfg, const char *path, char *errbuf, unsigned errlen)
{
    struct capture_src s;
    memset(&s, 0, sizeof(s));
    s.name = path;
    if (capture_open_file(cfg, &s, errbuf, errlen) != 0)
        return -1;
    int rc = capture_prepare(&s, NULL, errbuf, errlen); /* the link type */
    if (rc == 0 && s.cf != NULL) {
        enum capfile_next_rc n = capfile_probe(s.cf);
        if (n != CAPFILE_FRAME && n != CAPFILE_EOF) {
            capture_none_read(&s, capfile_error(s.cf), errbuf, errlen);
            rc = -1;
        }
    } else if (rc == 0) {
        struct pcap_pkthdr *h;
        const u_char *data;
        if (pcap_next_ex(s.p, &h, &data) == PCAP_ERROR) {
            capture_none_read(&s, pcap_geterr(s.p), errbuf, errlen);
            rc = -1;
        }
    }
    if (rc == 0)
        rc = capture_prepare(&s, cfg->bpf, errbuf, errlen); /* the filter, for that link type */
    capture_close(&s);
    return rc;
}

int
capture_check_iface(const char *name, char *errbuf, unsigned errlen)
{
    char pe[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, pe) != 0)
        return 0; /* cannot tell: opening it will say */
    bool found = false;
    for (const pcap_if_t *d = all; d != NULL && !found; d = d->next)
        found = strcmp(d->name, name) == 0;
    pcap_freealldevs(all);
    if (!found)
        capture_err(errbuf, errlen, name, "cannot open interface",
                    "no such device (smtptap -D lists the interfaces)");
    return found ? 0 : -1;
}

const char *
capture_iface_by_number(const char *arg)
{
    static char name[256];
    size_t len = arg != NULL ? strlen(arg) : 0;
    if (len == 0 || len > 9 || strspn(arg, "0123456789") != len)
        return arg;
    char pe[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, pe) != 0)
        return arg; /* opening it will say */
    unsigned long n = strtoul(arg, NULL, 10), i = 0;
    name[0] = '\0';
    for (const pcap_if_t *d = all; d != NULL; d = d->next) {
        if (strcmp(d->name, arg) == 0) { /* an interface of that name: that one */
            name[0] = '\0';
            break;
        }
        if (++i == n && strlen(d->name) < sizeof(name))
            str_copy(name, sizeof(name), d->name);
    }
    pcap_freealldevs(all);
    return name[0] != '\0' ? name : arg;
}

int
capture_list_ifaces(FILE *out, char *errbuf, unsigned errlen)
{
    char pe[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, pe) != 0) {
        capture_err(errbuf, errlen, "-D", "cannot list interfaces", pe);
        return -1;
    }
    unsigned i = 0;
    for (const pcap_if_t *d = all; d != NULL; d = d->next) {
        term_msg(out, "%u.%s", ++i, d->name);
        if (d->description != NULL)
            term_msg(out, " (%s)", d->description);
        bool up = d->flags & PCAP_IF_UP, running = d->flags & PCAP_IF_RUNNING;
        fprintf(out, " [%s%s%s]\n", d->flags & PCAP_IF_LOOPBACK ? "Loopback, " : "",
                up ? "Up" : "Down", running ? ", Running" : "");
    }
    pcap_freealldevs(all);
    if (i == 0)
        fprintf(out, "(no interfaces: capturing needs root or CAP_NET_RAW)\n");
    return 0;
}

const char *
capture_lib_version(void)
{
    return pcap_lib_version();
}

int
capture_check_filter(const char *expr, int dlt, char *errbuf, unsigned errlen)
{
    if (expr == NULL || expr[0] == '\0')
        return 0;
    pcap_t *p = pcap_open_dead(dlt, CAPTURE_SNAPLEN_DEFAULT);
    if (p == NULL) {
        capture_err(errbuf, errlen, "filter", "cannot check filter", "out of memory");
        return -1;
    }
    struct bpf_program prog;
    int rc = 0;
    if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "bad filter '%.200s': %s", expr, pcap_geterr(p));
        rc = -1;
    } else {
        pcap_freecode(&prog);
    }
    pcap_close(p);
    return rc;
}
