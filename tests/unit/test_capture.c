/* \summary: unit tests for the libpcap front end (src/capture.c): pcap and
 * pcapng files written byte by byte into temporary files, nanosecond
 * timestamps, several files as one timeline, a file cut mid-record, stdin,
 * unreadable inputs, files with not one packet to read, the start callback,
 * capture_check_file(), unknown link types (a pcapng interface of one) and
 * BPF filters.
 *
 * File layouts written here:
 *   pcap (tcpdump.org "pcap(5)", draft-ietf-opsawg-pcap §4-5):
 *     magic a1b2c3d4 (us) / a1b23c4d (ns) | major 2 | minor 4 | thiszone 4 | sigfigs 4 |
 *     snaplen 4 | linktype 4, then per record: ts_sec 4 | ts_frac 4 | caplen 4 | len 4 | data
 *   pcapng (draft-ietf-opsawg-pcapng §4.1 SHB, §4.2 IDB, §4.3 EPB), little-endian.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"

/* Ethernet II + IPv4 + TCP (no payload), 54 bytes; byte 34..35 is the source port */
static const uint8_t frame_tcp[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00, /* eth */
    0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, /* IPv4, len 40, TCP */
    0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02,                         /* src, dst */
    0xc3, 0x50, 0x00, 0x19, 0x00, 0x00, 0x00, 0x01, /* sport 50000, dport 25, seq */
    0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xff, 0xff, /* ack, doff 5, SYN, window */
    0x00, 0x00, 0x00, 0x00,                         /* csum, urgent */
};
#define FRAME_SPORT_OFF 34

/* ---- little-endian writers ------------------------------------------- */

struct tbuf {
    uint8_t b[4096];
    size_t n;
};

static void
tb_bytes(struct tbuf *t, const void *p, size_t n)
{
    assert_true(t->n + n <= sizeof(t->b));
    memcpy(t->b + t->n, p, n);
    t->n += n;
}

static void
tb_le32(struct tbuf *t, uint32_t v)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    tb_bytes(t, b, 4);
}

static void
tb_le16(struct tbuf *t, uint16_t v)
{
    const uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    tb_bytes(t, b, 2);
}

/* pcap global header */
static void
tb_pcap_header(struct tbuf *t, uint32_t magic, uint32_t linktype)
{
    tb_le32(t, magic);
    tb_le16(t, 2);     /* major */
    tb_le16(t, 4);     /* minor */
    tb_le32(t, 0);     /* thiszone */
    tb_le32(t, 0);     /* sigfigs */
    tb_le32(t, 65535); /* snaplen */
    tb_le32(t, linktype);
}

/* One pcap record carrying frame_tcp with source port `sport`. */
static void
tb_pcap_record(struct tbuf *t, uint32_t sec, uint32_t frac, uint16_t sport)
{
    uint8_t f[sizeof(frame_tcp)];
    memcpy(f, frame_tcp, sizeof(f));
    f[FRAME_SPORT_OFF] = (uint8_t)(sport >> 8);
    f[FRAME_SPORT_OFF + 1] = (uint8_t)sport;
    tb_le32(t, sec);
    tb_le32(t, frac);
    tb_le32(t, sizeof(f)); /* caplen */
    tb_le32(t, sizeof(f)); /* len */
    tb_bytes(t, f, sizeof(f));
}

/* pcapng: SHB + IDB (Ethernet, default microsecond resolution) */
static void
tb_pcapng_header(struct tbuf *t)
{
    tb_le32(t, 0x0a0d0d0a); /* SHB */
    tb_le32(t, 28);
    tb_le32(t, 0x1a2b3c4d); /* byte-order magic */
    tb_le16(t, 1);
    tb_le16(t, 0);
    tb_le32(t, 0xffffffff); /* section length: unknown */
    tb_le32(t, 0xffffffff);
    tb_le32(t, 28);
    tb_le32(t, 1); /* IDB */
    tb_le32(t, 20);
    tb_le16(t, 1); /* LINKTYPE_ETHERNET */
    tb_le16(t, 0);
    tb_le32(t, 65535); /* snaplen */
    tb_le32(t, 20);
}

/* pcapng IDB of another interface (its number: the IDBs before it) */
static void
tb_pcapng_idb(struct tbuf *t, uint16_t linktype)
{
    tb_le32(t, 1);
    tb_le32(t, 20);
    tb_le16(t, linktype);
    tb_le16(t, 0);
    tb_le32(t, 0); /* snaplen: none */
    tb_le32(t, 20);
}

/* pcapng EPB on interface `ifid` carrying len bytes (padded to 4) */
static void
tb_pcapng_epb_if(struct tbuf *t, uint32_t ifid, uint64_t ts_us, const uint8_t *data, uint32_t len)
{
    const uint32_t pad = (4 - len % 4) % 4;
    const uint32_t blen = 32 + len + pad;
    tb_le32(t, 6); /* EPB */
    tb_le32(t, blen);
    tb_le32(t, ifid);
    tb_le32(t, (uint32_t)(ts_us >> 32));
    tb_le32(t, (uint32_t)ts_us);
    tb_le32(t, len);
    tb_le32(t, len);
    tb_bytes(t, data, len);
    static const uint8_t zero[4];
    tb_bytes(t, zero, pad);
    tb_le32(t, blen);
}

/* pcapng EPB with frame_tcp (54 bytes, padded to 56) */
static void
tb_pcapng_epb(struct tbuf *t, uint64_t ts_us, uint16_t sport)
{
    uint8_t f[sizeof(frame_tcp)];
    memcpy(f, frame_tcp, sizeof(f));
    f[FRAME_SPORT_OFF] = (uint8_t)(sport >> 8);
    f[FRAME_SPORT_OFF + 1] = (uint8_t)sport;
    const uint32_t pad = (4 - sizeof(f) % 4) % 4;
    const uint32_t blen = 32 + (uint32_t)sizeof(f) + pad;
    tb_le32(t, 6); /* EPB */
    tb_le32(t, blen);
    tb_le32(t, 0); /* interface 0 */
    tb_le32(t, (uint32_t)(ts_us >> 32));
    tb_le32(t, (uint32_t)ts_us);
    tb_le32(t, sizeof(f));
    tb_le32(t, sizeof(f));
    tb_bytes(t, f, sizeof(f));
    static const uint8_t zero[4];
    tb_bytes(t, zero, pad);
    tb_le32(t, blen);
}

/* ---- temp files and the callback -------------------------------------- */

#define MAX_TMP 12
static char tmp_paths[MAX_TMP][64];
static unsigned n_tmp;

static const char *
tb_write(const struct tbuf *t, size_t n)
{
    assert_true(n_tmp < MAX_TMP);
    char *path = tmp_paths[n_tmp++];
    snprintf(path, 64, "/tmp/smtptap_test_capture_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, t->b, n), (ssize_t)n);
    close(fd);
    return path;
}

static int
tmp_teardown(void **state)
{
    (void)state;
    capture_set_start(NULL, NULL);
    for (unsigned i = 0; i < n_tmp; i++)
        unlink(tmp_paths[i]);
    n_tmp = 0;
    return 0;
}

struct seen {
    unsigned n;
    int64_t ts[16];
    uint16_t sport[16];
    int dlt;
    unsigned stop_after; /* callback asks to stop after this many (0 = never) */
    unsigned flushes;    /* calls with f == NULL */
};

static int
seen_cb(void *user, const struct capture_frame *f)
{
    struct seen *s = user;
    if (f == NULL) { /* end of an input whose frames stayed valid */
        s->flushes++;
        return 0;
    }
    assert_true(f->caplen <= f->wirelen);
    assert_true(f->caplen >= FRAME_SPORT_OFF + 2);
    if (s->n < 16) {
        s->ts[s->n] = f->ts_us;
        s->sport[s->n] = (uint16_t)(f->data[FRAME_SPORT_OFF] << 8 | f->data[FRAME_SPORT_OFF + 1]);
    }
    s->dlt = f->dlt;
    s->n++;
    return s->stop_after != 0 && s->n >= s->stop_after;
}

/* Every test runs twice: with smtptap's reader (capfile.c), then libpcap's. */
static bool g_libpcap;

/* As seen_cb, for frames of any link type (no port read). */
static int
seen_cb_any(void *user, const struct capture_frame *f)
{
    struct seen *s = user;
    if (f == NULL)
        return 0;
    s->dlt = f->dlt;
    s->n++;
    return 0;
}

static void
cfg_for(struct config *c, const char *a, const char *b)
{
    config_defaults(c);
    c->libpcap_reader = g_libpcap;
    c->inputs[0] = a;
    c->n_inputs = 1;
    if (b != NULL) {
        c->inputs[1] = b;
        c->n_inputs = 2;
    }
}

/* ---- tests ------------------------------------------------------------ */

static void
test_read_pcap(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 1);
    tb_pcap_record(&t, 1700000000, 1, 1001);
    tb_pcap_record(&t, 1700000001, 999999, 1002);
    struct config c;
    cfg_for(&c, tb_write(&t, t.n), NULL);
    struct seen s = {0};
    struct capture_stats st;
    char err[256];
    volatile int stop = 0;
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, &stop, err, sizeof(err)), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.dlt, 1);
    assert_int_equal(s.ts[0], 1700000000LL * 1000000 + 1);
    assert_int_equal(s.ts[1], 1700000001LL * 1000000 + 999999);
    assert_int_equal(s.sport[1], 1002);
    assert_int_equal(st.frames, 2);
    assert_int_equal(st.bytes, 2 * sizeof(frame_tcp));
    assert_int_equal(st.files_read, 1);
    assert_int_equal(st.files_damaged, 0);
}

static void
test_read_pcap_nanosecond(void **state)
{
    (void)state;
    /* nanosecond magic: libpcap scales the fractions down to microseconds */
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b23c4d, 1);
    tb_pcap_record(&t, 1700000000, 123456789, 1);
    struct config c;
    cfg_for(&c, tb_write(&t, t.n), NULL);
    struct seen s = {0};
    struct capture_stats st;
    char err[256];
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ts[0], 1700000000LL * 1000000 + 123456);
}

/* Reads a pcapng file of three EPBs stamped ts[0..2] (source ports 2001,
 * 2002, 2003) into s. */
static void
read_pcapng3(const uint64_t ts[3], struct seen *s)
{
    struct tbuf t = {.n = 0};
    tb_pcapng_header(&t);
    for (unsigned i = 0; i < 3; i++)
        tb_pcapng_epb(&t, ts[i], (uint16_t)(2001 + i));
    struct config c;
    cfg_for(&c, tb_write(&t, t.n), NULL);
    struct capture_stats st;
    char err[256];
    assert_int_equal(capture_run(&c, seen_cb, s, &st, NULL, err, sizeof(err)), 0);
}

static void
test_read_pcapng(void **state)
{
    (void)state;
    struct seen s = {0};
    read_pcapng3((const uint64_t[]){1700000000123456ULL, 1700000000223456ULL, 1700000000323456ULL},
                 &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ts[0], 1700000000123456LL);
    assert_int_equal(s.ts[2], 1700000000323456LL);
    assert_int_equal(s.sport[2], 2003);
}

/* A time stamp past the end of year 9999 (a pcapng EPB may say up to 2^64
 * microseconds) is taken as that bound by both readers, so that the engine
 * can add its periods to any packet's time (capture.h CAPTURE_TS_MAX_S). */
static void
test_pcapng_time_bound(void **state)
{
    (void)state;
    struct seen s = {0};
    read_pcapng3(
        (const uint64_t[]){1700000000123456ULL, 9223372036853000000ULL, 18446744073709551615ULL},
        &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ts[0], 1700000000123456LL);
    assert_int_equal(s.ts[1], CAPTURE_TS_MAX_S * 1000000);
    assert_int_equal(s.ts[2], CAPTURE_TS_MAX_S * 1000000);
}

static void
test_truncated_mid_record(void **state)
{
    (void)state;
    /* three records, the file cut 10 bytes into the third record's data */
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 1);
    tb_pcap_record(&t, 1, 0, 1);
    tb_pcap_record(&t, 2, 0, 2);
    tb_pcap_record(&t, 3, 0, 3);
    struct config c;
    cfg_for(&c, tb_write(&t, t.n - sizeof(frame_tcp) + 10), NULL);
    struct seen s = {0};
    struct capture_stats st;
    char err[256] = "";
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(st.files_damaged, 1);
    assert_int_equal(st.files_read, 1);

    /* pcapng cut inside the second block */
    struct tbuf u = {.n = 0};
    tb_pcapng_header(&u);
    tb_pcapng_epb(&u, 1, 1);
    tb_pcapng_epb(&u, 2, 2);
    cfg_for(&c, tb_write(&u, u.n - 20), NULL);
    memset(&s, 0, sizeof(s));
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(st.files_damaged, 1);
}

static void
test_two_files_one_timeline(void **state)
{
    (void)state;
    struct tbuf a = {.n = 0}, b = {.n = 0};
    tb_pcap_header(&a, 0xa1b2c3d4, 1);
    tb_pcap_record(&a, 10, 0, 1);
    tb_pcap_record(&a, 11, 0, 2);
    tb_pcapng_header(&b);
    tb_pcapng_epb(&b, 12000000, 3);
    tb_pcapng_epb(&b, 13000000, 4);
    const char *pa = tb_write(&a, a.n);
    const char *pb = tb_write(&b, b.n);
    struct config c;
    cfg_for(&c, pa, pb);
    struct seen s = {0};
    struct capture_stats st;
    char err[256];
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(s.sport[i], i + 1);
        assert_int_equal(s.ts[i], (int64_t)(10 + i) * 1000000);
    }
    assert_int_equal(st.files_read, 2);
    /* mapped files: one "data goes" call after each file's frames */
    assert_int_equal(s.flushes, g_libpcap ? 0 : 2);

    /* a damaged first file does not stop the second */
    cfg_for(&c, tb_write(&a, a.n - 5), pb);
    memset(&s, 0, sizeof(s));
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(st.files_damaged, 1);
    assert_int_equal(st.files_read, 2);
}

static void
test_count_stop_and_callback(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 1);
    for (uint16_t i = 1; i <= 5; i++)
        tb_pcap_record(&t, i, 0, i);
    const char *p = tb_write(&t, t.n);
    struct config c;
    struct seen s = {0};
    struct capture_stats st;
    char err[256];
    /* -c 3, over two copies of the file: the count spans the inputs */
    cfg_for(&c, p, p);
    c.max_packets = 7;
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 7);
    /* callback asks to stop */
    cfg_for(&c, p, p);
    memset(&s, 0, sizeof(s));
    s.stop_after = 2;
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 2);
    /* the stop flag (SIGINT) already set: nothing delivered */
    volatile int stop = 1;
    memset(&s, 0, sizeof(s));
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, &stop, err, sizeof(err)), 0);
    assert_int_equal(s.n, 0);
}

static void
test_stdin(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 1);
    tb_pcap_record(&t, 5, 0, 77);
    const char *p = tb_write(&t, t.n);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(f), STDIN_FILENO) >= 0);
    fclose(f);
    struct config c;
    cfg_for(&c, "-", NULL);
    struct seen s = {0};
    struct capture_stats st;
    char err[256];
    int rc = capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err));
    dup2(saved, STDIN_FILENO);
    close(saved);
    assert_int_equal(rc, 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.sport[0], 77);

    /* not a capture on stdin: one line saying so */
    struct tbuf j = {.n = 0};
    tb_bytes(&j, "EHLO example.org\r\n", 18);
    f = fopen(tb_write(&j, j.n), "rb");
    assert_non_null(f);
    saved = dup(STDIN_FILENO);
    assert_true(dup2(fileno(f), STDIN_FILENO) >= 0);
    fclose(f);
    cfg_for(&c, "-", NULL);
    memset(&s, 0, sizeof(s));
    err[0] = '\0';
    rc = capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err));
    dup2(saved, STDIN_FILENO);
    close(saved);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "-: cannot read capture: "));
    assert_null(strchr(err, '\n'));
    assert_int_equal(s.n, 0);
}

static void
test_unreadable(void **state)
{
    (void)state;
    struct config c;
    struct seen s = {0};
    struct capture_stats st;
    char err[256] = "";
    cfg_for(&c, "/nonexistent/smtptap/none.pcap", NULL);
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/smtptap/none.pcap: cannot read capture: "));
    assert_non_null(strstr(err, "No such file"));
    assert_null(strchr(err, '\n'));
    /* not a capture file at all */
    struct tbuf t = {.n = 0};
    tb_bytes(&t, "HELO example.org\r\n", 18);
    cfg_for(&c, tb_write(&t, t.n), NULL);
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot read capture"));
    assert_int_equal(s.n, 0);
}

static void
test_unsupported_link_type(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 105); /* LINKTYPE_IEEE802_11 */
    tb_pcap_record(&t, 1, 0, 1);
    struct config c;
    cfg_for(&c, tb_write(&t, t.n), NULL);
    struct seen s = {0};
    struct capture_stats st;
    char err[256] = "";
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unsupported link type DLT_IEEE802_11 (105"));
    assert_int_equal(s.n, 0);
}

static void
test_bpf_filter(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 1);
    tb_pcap_record(&t, 1, 0, 1001);
    tb_pcap_record(&t, 2, 0, 1002);
    tb_pcap_record(&t, 3, 0, 1001);
    const char *p = tb_write(&t, t.n);
    struct config c;
    struct seen s = {0};
    struct capture_stats st;
    char err[256] = "";
    cfg_for(&c, p, NULL);
    c.bpf = "tcp src port 1001";
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.sport[1], 1001);
    /* a filter that does not compile: fatal, one line naming it */
    cfg_for(&c, p, NULL);
    c.bpf = "tcp port smtp and and";
    memset(&s, 0, sizeof(s));
    assert_int_equal(capture_run(&c, seen_cb, &s, &st, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad filter 'tcp port smtp and and'"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(s.n, 0);
    /* capture_check_filter: no capture needed */
    assert_int_equal(capture_check_filter("tcp port 25 or tcp port 587", 1, err, sizeof(err)), 0);
    assert_int_equal(capture_check_filter(NULL, 1, err, sizeof(err)), 0);
    assert_int_equal(capture_check_filter("port 99999", 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad filter 'port 99999'"));
}

/* pcapng with an Ethernet and a raw-IP interface (as dumpcap writes for two
 * interfaces): each frame keeps its link type, the filter is compiled for
 * each; a filter that cannot apply to one type skips that type's frames. */
static void
test_several_link_types(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcapng_header(&t);
    tb_le32(&t, 1); /* IDB 1: LINKTYPE_RAW */
    tb_le32(&t, 20);
    tb_le16(&t, 101);
    tb_le16(&t, 0);
    tb_le32(&t, 0);
    tb_le32(&t, 20);
    tb_pcapng_epb(&t, 1000000, 25);
    const uint32_t raw_len = sizeof(frame_tcp) - 14; /* 40: IPv4 + TCP */
    tb_le32(&t, 6);
    tb_le32(&t, 32 + raw_len);
    tb_le32(&t, 1); /* interface 1 */
    tb_le32(&t, 0);
    tb_le32(&t, 2000000);
    tb_le32(&t, raw_len);
    tb_le32(&t, raw_len);
    tb_bytes(&t, frame_tcp + 14, raw_len);
    tb_le32(&t, 32 + raw_len);
    const char *p = tb_write(&t, t.n);

    struct config c;
    struct seen s = {0};
    struct capture_stats st;
    char err[256] = "";
    cfg_for(&c, p, NULL);
    c.bpf = "tcp dst port 25";
    if (g_libpcap) {
        /* libpcap 1.10 refuses the second interface: the check before the
         * run (unfiltered) finds nothing can be read; the run itself, whose
         * filter hides the records libpcap passes over, counts it damaged */
        assert_int_equal(capture_check_file(&c, p, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "cannot read a single packet"));
        assert_non_null(strstr(err, "leave out --libpcap-reader"));
        assert_int_equal(capture_run(&c, seen_cb_any, &s, &st, NULL, err, sizeof(err)), 0);
        assert_int_equal(st.files_damaged, 1);
        assert_int_equal(s.n, 0);
        return;
    }
    assert_int_equal(capture_run(&c, seen_cb_any, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(st.files_damaged, 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.dlt, DLT_RAW);
    /* "ether src" means nothing on raw IP: the Ethernet frame only */
    memset(&s, 0, sizeof(s));
    cfg_for(&c, p, NULL);
    c.bpf = "ether src 66:77:88:99:aa:bb";
    assert_int_equal(capture_run(&c, seen_cb_any, &s, &st, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.dlt, DLT_EN10MB);
}

/* The start callback (capture_set_start): counts its calls; refuses when
 * `refuse`. seen_start_cb checks it came before the first frame. */
static unsigned g_starts;
static bool g_refuse;

static int
start_cb(void *user)
{
    (void)user;
    g_starts++;
    return g_refuse ? -1 : 0;
}

static int
seen_start_cb(void *user, const struct capture_frame *f)
{
    assert_int_equal(g_starts, 1);
    return seen_cb(user, f);
}

/* capture_run on one file with the start callback set: its return. */
static int
run_started(const char *path, struct seen *s, struct capture_stats *st, char *err, size_t errlen)
{
    struct config c;
    cfg_for(&c, path, NULL);
    g_starts = 0;
    capture_set_start(start_cb, NULL);
    memset(s, 0, sizeof(*s));
    err[0] = '\0';
    return capture_run(&c, seen_start_cb, s, st, NULL, err, (unsigned)errlen);
}

/* The start callback comes once, before the first frame; a file with no
 * record (a header alone: an empty capture) reads without it (main then
 * opens the outputs itself); a callback that refuses ends the run with no
 * frame delivered and errbuf empty (it said why). */
static void
test_start_callback(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 1);
    const char *empty = tb_write(&t, t.n);
    tb_pcap_record(&t, 1, 0, 1);
    tb_pcap_record(&t, 2, 0, 2);
    const char *good = tb_write(&t, t.n);
    struct seen s;
    struct capture_stats st;
    char err[256];
    assert_int_equal(run_started(good, &s, &st, err, sizeof(err)), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(g_starts, 1);
    assert_int_equal(run_started(empty, &s, &st, err, sizeof(err)), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(g_starts, 0);
    assert_int_equal(st.files_read, 1);
    g_refuse = true;
    int rc = run_started(good, &s, &st, err, sizeof(err));
    g_refuse = false;
    assert_int_equal(rc, -1);
    assert_int_equal(g_starts, 1);
    assert_int_equal(s.n, 0);
    assert_string_equal(err, "");
}

/* Files of which not one packet can be read: a header cut short (1, 10, 23
 * bytes), a pcapng section with no interface, a first record cut (6 bytes of
 * its header) or damaged (caplen 0x7FFFFFFF, as tcpdump: "invalid packet
 * capture length"). capture_check_file() refuses each before the run, and
 * capture_run() fails before the start callback: nothing is written. A
 * header alone is an empty capture, read. */
static void
test_nothing_to_read(void **state)
{
    (void)state;
    struct tbuf h = {.n = 0};
    tb_pcap_header(&h, 0xa1b2c3d4, 1);
    struct tbuf cut = h, big = h, shb = {.n = 0};
    tb_le32(&cut, 1);
    tb_le16(&cut, 0);
    tb_le32(&big, 1);
    tb_le32(&big, 0);
    tb_le32(&big, 0x7fffffff); /* caplen */
    tb_le32(&big, 0x7fffffff); /* len */
    tb_pcapng_header(&shb);
    shb.n = 28; /* the SHB alone */
    const struct {
        const char *path, *why;
    } bad[] = {
        {tb_write(&h, 1), "cannot read capture: truncated dump file"},
        {tb_write(&h, 10), "cannot read capture: truncated dump file"},
        {tb_write(&h, 23), "cannot read capture: truncated dump file"},
        {tb_write(&shb, shb.n), "cannot read capture"},
        {tb_write(&cut, cut.n), "cannot read a single packet: truncated dump file; tried to read "
                                "16 header bytes, only got 6"},
        {tb_write(&big, big.n), "cannot read a single packet: invalid packet capture length "
                                "2147483647, bigger than"},
    };
    struct config c;
    struct seen s;
    struct capture_stats st;
    char err[256];
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cfg_for(&c, bad[i].path, NULL);
        err[0] = '\0';
        assert_int_equal(capture_check_file(&c, bad[i].path, err, sizeof(err)), -1);
        assert_non_null(strstr(err, bad[i].why));
        assert_non_null(strstr(err, bad[i].path));
        char check[256];
        memcpy(check, err, sizeof(check));
        assert_int_equal(run_started(bad[i].path, &s, &st, err, sizeof(err)), -1);
        assert_string_equal(err, check); /* the same words before and during the run */
        assert_int_equal(g_starts, 0);
        assert_int_equal(s.n, 0);
    }
    /* a header alone: an empty capture, fine */
    const char *empty = tb_write(&h, h.n);
    cfg_for(&c, empty, NULL);
    assert_int_equal(capture_check_file(&c, empty, err, sizeof(err)), 0);
    /* after a good file: the run has started, it still fails (exit 3 after
     * the report of what was read) rather than counting a damaged file */
    struct tbuf g = h;
    tb_pcap_record(&g, 1, 0, 1);
    cfg_for(&c, tb_write(&g, g.n), bad[5].path);
    g_starts = 0;
    capture_set_start(start_cb, NULL);
    memset(&s, 0, sizeof(s));
    assert_int_equal(capture_run(&c, seen_start_cb, &s, &st, NULL, err, sizeof(err)), -1);
    assert_int_equal(s.n, 1);
    assert_non_null(strstr(err, "cannot read a single packet"));
}

/* capture_check_file() checks the link type and the filter for the file's
 * own link type (capture_check_filter's Ethernet is not enough: "ether src"
 * means nothing on raw IP). */
static void
test_check_file(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0}, raw = {.n = 0};
    tb_pcap_header(&t, 0xa1b2c3d4, 105); /* LINKTYPE_IEEE802_11 */
    tb_pcap_record(&t, 1, 0, 1);
    tb_pcap_header(&raw, 0xa1b2c3d4, 101); /* LINKTYPE_RAW */
    const char *wifi = tb_write(&t, t.n), *rawp = tb_write(&raw, raw.n);
    struct config c;
    char err[256] = "";
    cfg_for(&c, wifi, NULL);
    assert_int_equal(capture_check_file(&c, wifi, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unsupported link type DLT_IEEE802_11 (105"));
    cfg_for(&c, rawp, NULL);
    c.bpf = "tcp port 25";
    assert_int_equal(capture_check_file(&c, rawp, err, sizeof(err)), 0);
    c.bpf = "ether src 66:77:88:99:aa:bb";
    assert_int_equal(capture_check_filter(c.bpf, DLT_EN10MB, err, sizeof(err)), 0);
    assert_int_equal(capture_check_file(&c, rawp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad filter 'ether src 66:77:88:99:aa:bb'"));
}

/* A pcapng interface of a link type smtptap does not decode (147, USER0)
 * after an Ethernet one: its frames are delivered with their link type (for
 * decode.c to count: unsupported_link_frames), and said once on stderr for
 * the interface, not once a frame. libpcap refuses the second interface
 * before any packet: nothing to read, with the way out in the message. */
static void
test_unsupported_interface(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    tb_pcapng_header(&t);
    tb_pcapng_idb(&t, 147);
    static const uint8_t user0[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    tb_pcapng_epb(&t, 1000000, 25);
    tb_pcapng_epb_if(&t, 1, 2000000, user0, sizeof(user0));
    tb_pcapng_epb_if(&t, 1, 3000000, user0, sizeof(user0));
    const char *p = tb_write(&t, t.n);
    struct tbuf e = {.n = 0};
    const char *errpath = tb_write(&e, 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *ef = fopen(errpath, "w");
    assert_non_null(ef);
    assert_true(dup2(fileno(ef), STDERR_FILENO) >= 0);
    struct config c;
    cfg_for(&c, p, NULL);
    struct seen s = {0};
    struct capture_stats st;
    char err[256] = "";
    int rc = capture_run(&c, seen_cb_any, &s, &st, NULL, err, sizeof(err));
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(ef);
    char said[1024] = "";
    FILE *rf = fopen(errpath, "r");
    assert_non_null(rf);
    size_t n = fread(said, 1, sizeof(said) - 1, rf);
    said[n] = '\0';
    fclose(rf);
    if (g_libpcap) {
        assert_int_equal(rc, -1);
        assert_non_null(strstr(err, "cannot read a single packet: an interface has a type 147"));
        assert_non_null(strstr(err, "leave out --libpcap-reader"));
        assert_int_equal(s.n, 0);
        return;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.dlt, 147);
    assert_int_equal(st.files_damaged, 0);
    const char *m = strstr(said, "interface 1 has link type DLT_");
    assert_non_null(m);
    assert_non_null(strstr(m, "(147"));
    assert_null(strstr(m + 1, "interface 1 has link type")); /* once */
}

static void
test_no_input(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    struct capture_stats st;
    char err[256] = "";
    assert_int_equal(capture_run(&c, seen_cb, NULL, &st, NULL, err, sizeof(err)), -1);
    assert_true(err[0] != '\0');
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_read_pcap, tmp_teardown),
        cmocka_unit_test_teardown(test_read_pcap_nanosecond, tmp_teardown),
        cmocka_unit_test_teardown(test_read_pcapng, tmp_teardown),
        cmocka_unit_test_teardown(test_pcapng_time_bound, tmp_teardown),
        cmocka_unit_test_teardown(test_truncated_mid_record, tmp_teardown),
        cmocka_unit_test_teardown(test_two_files_one_timeline, tmp_teardown),
        cmocka_unit_test_teardown(test_count_stop_and_callback, tmp_teardown),
        cmocka_unit_test_teardown(test_stdin, tmp_teardown),
        cmocka_unit_test_teardown(test_unreadable, tmp_teardown),
        cmocka_unit_test_teardown(test_unsupported_link_type, tmp_teardown),
        cmocka_unit_test_teardown(test_bpf_filter, tmp_teardown),
        cmocka_unit_test_teardown(test_several_link_types, tmp_teardown),
        cmocka_unit_test_teardown(test_start_callback, tmp_teardown),
        cmocka_unit_test_teardown(test_nothing_to_read, tmp_teardown),
        cmocka_unit_test_teardown(test_check_file, tmp_teardown),
        cmocka_unit_test_teardown(test_unsupported_interface, tmp_teardown),
        cmocka_unit_test_teardown(test_no_input, tmp_teardown),
    };
    int failed = cmocka_run_group_tests_name("capture, smtptap's reader", tests, NULL, NULL);
    g_libpcap = true;
    failed += cmocka_run_group_tests_name("capture, --libpcap-reader", tests, NULL, NULL);
    return failed;
}
