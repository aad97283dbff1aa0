/* \summary: the only libpcap user: offline files (pcap, pcapng, stdin) and
 * live interfaces, delivered frame by frame to a callback. */
#ifndef SMTPTAP_CAPTURE_H
#define SMTPTAP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define CAPTURE_FRAMES_STAY 4 /* = CAPFILE_FRAMES_STAY */

/* Packet times are kept within +-CAPTURE_TS_MAX_S seconds of the epoch (the
 * end of year 9999): a time stamp beyond is taken as that bound, so that the
 * engine can add its periods and timeouts to any packet's time. */
#define CAPTURE_TS_MAX_S 253402300799ll

struct capture_frame {
    int dlt;       /* link type of the source */
    int64_t ts_us; /* within +-CAPTURE_TS_MAX_S seconds */
    uint32_t caplen, wirelen;
    /* the snapshot length its file gives it (pcapng: its interface's), 0
     * live: a frame of a file cut below it and below its wirelen was cut
     * after capture (smtptap -w, editcap), not by the snapshot length */
    uint32_t snaplen;
    const uint8_t *data; /* borrowed for the callback only, unless `stays` */
    bool stays; /* data stays valid while the next CAPTURE_FRAMES_STAY frames are delivered */
};

/* Return non-zero from the callback to stop the capture. After the frames
 * of an input that had `stays` frames, the callback is called once with
 * f == NULL: their data is about to go (return value ignored). */
typedef int (*capture_cb)(void *user, const struct capture_frame *f);

/* Live capture only: called about once a second of wall-clock time, between
 * frames or when none arrive, with the time in microseconds since the epoch
 * (the clock of the frames' time stamps). Set before capture_run; NULL: none. */
typedef void (*capture_tick_cb)(void *user, int64_t now_us);
void capture_set_tick(capture_tick_cb fn, void *user);

/* Called once a run, before the first frame is delivered, or once a live
 * capture runs (before its first tick): the first input has been opened and
 * can be read. Returns 0, or non-zero to end the run (capture_run then
 * returns -1 with errbuf empty: the callback says why). A run that fails
 * before it never calls it: an unreadable first input, no permission. Set
 * before capture_run; NULL: none. */
typedef int (*capture_start_cb)(void *user);
void capture_set_start(capture_start_cb fn, void *user);

/* A -r input damaged after its first packet (capture_run reads up to
 * there): what the report's CAPTURE FILE CUT / DAMAGED heading and the
 * stats record's damaged_files say. */
#define CAPTURE_DAMAGED_MAX 4
struct capture_damage {
    char file[256];     /* the input as given ("-": standard input) */
    uint64_t packets;   /* packets read from it before the damage (as stderr says) */
    int64_t last_ts_us; /* the time stamp of the last of them; 0: none */
    int64_t offset;     /* byte offset of the damaged or cut record; -1: not known (libpcap) */
    bool truncated;     /* the file ends inside that record; else malformed there */
    char error[200];    /* the reader's message, as on stderr */
};

struct capture_stats;
/* A -r input damaged after `packets` packets (the last at st->last_ts_us): says
 * so on stderr ("smtptap: NAME: truncated capture file after N packets:
 * MSG HINT"; "damaged" when not truncated) and notes it in st->damaged
 * (the first CAPTURE_DAMAGED_MAX; st->files_damaged is counted after).
 * offset: of the cut or damaged record, -1 when not known.
 * capture_damage.c. */
void capture_damage_note(struct capture_stats *st, const char *name, uint64_t packets,
                         int64_t offset, bool truncated, const char *msg, const char *hint);

struct capture_stats {
    uint64_t frames;
    uint64_t bytes;                       /* captured bytes */
    int64_t last_ts_us;                   /* the last frame's time stamp */
    uint64_t ps_recv, ps_drop, ps_ifdrop; /* pcap_stats (live only) */
    /* records read from files, the filter's too (smtptap's reader only:
     * libpcap's passes over those its filter drops unseen, and sets
     * records_uncounted) */
    uint64_t records;
    bool records_uncounted;
    unsigned files_read;    /* -r inputs read from their first packet on */
    unsigned files_damaged; /* of them, those that ended mid-record or in error */
    struct capture_damage damaged[CAPTURE_DAMAGED_MAX]; /* the first of them */
    /* -r inputs not read: one that could not be opened or gave not one
     * packet (the run's capture error) and those after it, or those after
     * -c or a signal stopped reading */
    unsigned files_unread;
};

/* The live capture's periodic counts line (every CAPTURE_STATS_INTERVAL_S):
 * said when a count moved since the last line said, so that an idle link
 * does not repeat one line every interval for hours (tcpdump prints none);
 * under -q only when drops grew. Updates `said` when it says true. */
struct capture_said {
    uint64_t frames, recv, drops;
    bool any; /* a line said yet */
};

static inline bool
capture_stats_due(struct capture_said *said, const struct capture_stats *st, bool quiet)
{
    uint64_t drops = st->ps_drop + st->ps_ifdrop;
    bool grew = drops > said->drops;
    bool moved = !said->any || st->frames != said->frames || st->ps_recv != said->recv || grew;
    if (quiet ? !grew : !moved)
        return false;
    said->frames = st->frames;
    said->recv = st->ps_recv;
    said->drops = drops;
    said->any = true;
    return true;
}

/* Reads every -r input in order as one timeline, or captures from -i, with
 * the BPF filter applied. Returns 0 on success; on a fatal error (unreadable
 * file, a file of which not one packet can be read, unknown link type, bad
 * filter, no permission) writes one line to errbuf and returns -1. A file
 * damaged after its first packet is reported in stats and on stderr and
 * reading goes on with the next file. `stop` is polled (SIGINT/SIGTERM). */
int capture_run(const struct config *cfg, capture_cb cb, void *user, struct capture_stats *stats,
                volatile int *stop, char *errbuf, unsigned errlen);

/* What capture_run would find fatal in the regular file `path`, found
 * before the run: opened with the reader the run uses (cfg->libpcap_reader),
 * its header, its first link type, its first record (a file with none is
 * fine: an empty capture) and the filter for that link type. Returns 0, or
 * -1 with the run's message in errbuf. */
int capture_check_file(const struct config *cfg, const char *path, char *errbuf, unsigned errlen);

/* 0 when libpcap lists the interface (pcap_findalldevs: up or down), else
 * -1 with a message: checked before any output is opened. */
int capture_check_iface(const char *name, char *errbuf, unsigned errlen);

/* -i N as tcpdump takes it (tcpdump(1), -i): a number that names no
 * interface is the Nth that -D lists; returns that interface's name (in a
 * buffer of its own), else arg itself. */
const char *capture_iface_by_number(const char *arg);

/* -D: the interfaces smtptap can capture on, numbered as tcpdump -D numbers
 * them (with their description and flags); returns 0, or -1 with errbuf. */
int capture_list_ifaces(FILE *out, char *errbuf, unsigned errlen);

/* libpcap's version string, for -V. */
const char *capture_lib_version(void);

/* Validates a BPF expression against a link type without opening anything. */
int capture_check_filter(const char *expr, int dlt, char *errbuf, unsigned errlen);

#endif /* SMTPTAP_CAPTURE_H */
