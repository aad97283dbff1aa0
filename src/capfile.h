/* \summary: smtptap's own reader for capture files (pcap and pcapng): the
 * file is read in large blocks and each frame is handed out in place, without
 * the per-record stdio reads and copies of libpcap's savefile code. Live
 * capture, BPF and formats this reader does not take stay with libpcap
 * (capture.c). */
#ifndef SMTPTAP_CAPFILE_H
#define SMTPTAP_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capfile;

/* One frame; data is borrowed until the next capfile_next() or close. */
struct capfile_frame {
    int dlt;       /* libpcap DLT_* value of the frame's interface */
    uint32_t ifid; /* pcapng: its interface in the section (IDB order); pcap: 0 */
    int64_t ts_us;
    uint32_t caplen, wirelen;
    uint32_t snap; /* its interface's snapshot length (0 in the file: CAPFILE_SNAP_MAX) */
    const uint8_t *data;
};

enum capfile_open_rc {
    CAPFILE_OPEN_OK = 0,
    CAPFILE_OPEN_FOREIGN, /* not pcap 2.x or pcapng 1.x: let libpcap try (nothing consumed
                             except for a pipe, which then cannot be read again) */
    CAPFILE_OPEN_ERROR,   /* unreadable or malformed header: errbuf says why */
    CAPFILE_OPEN_EMPTY,   /* not one byte to read (an empty pipe or standard input) */
    CAPFILE_OPEN_STOPPED  /* the stop flag (fdwait.h) ended the wait for a writer or header */
};

enum capfile_next_rc {
    CAPFILE_FRAME = 1,
    CAPFILE_EOF = 0,
    CAPFILE_TRUNCATED = -1, /* the file ends inside a record or block */
    CAPFILE_MALFORMED = -2, /* a length or field no amount of extra data would fix */
    CAPFILE_IOERR = -3      /* read(2) failed */
};

/* Opens `path` ("-" = standard input, which is not closed by capfile_close)
 * and reads the file header (pcapng: up to the first Interface Description
 * Block). On CAPFILE_OPEN_OK *out is set. */
enum capfile_open_rc capfile_open(const char *path, struct capfile **out, char *errbuf,
                                  unsigned errlen);
/* True when a frame's bytes stay valid while the next CAPFILE_FRAMES_STAY
 * frames are read (a mapped file keeps the windows that hold the last
 * frames): the caller may decode frames ahead of processing them. Otherwise
 * a frame is valid only until the next capfile_next(). */
#define CAPFILE_FRAMES_STAY 4
bool capfile_frames_stay(const struct capfile *cf);
/* Link type of the first interface and its snapshot length. */
int capfile_dlt(const struct capfile *cf);
uint32_t capfile_snaplen(const struct capfile *cf);
/* The next frame; on a negative return capfile_error() says what happened
 * in libpcap's words ("truncated dump file; ..."). */
enum capfile_next_rc capfile_next(struct capfile *cf, struct capfile_frame *f);

/* Reads the first frame as capfile_next would, for a check before the run
 * (capture_check_file): CAPFILE_FRAME, CAPFILE_EOF or what went wrong. */
enum capfile_next_rc capfile_probe(struct capfile *cf);
const char *capfile_error(const struct capfile *cf);
/* The byte offset in the input of the next record to read: after
 * CAPFILE_TRUNCATED or CAPFILE_MALFORMED, where the record or block that is
 * cut or damaged starts. */
uint64_t capfile_offset(const struct capfile *cf);
void capfile_close(struct capfile *cf);

/* The same reader over a buffer already in memory (fuzzing, unit tests). */
enum capfile_open_rc capfile_open_mem(const uint8_t *buf, size_t len, struct capfile **out,
                                      char *errbuf, unsigned errlen);

#endif /* SMTPTAP_CAPFILE_H */
