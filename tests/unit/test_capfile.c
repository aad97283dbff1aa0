/* \summary: unit tests for smtptap's capture file reader (src/capfile.c),
 * by comparison with libpcap: every file below is read by both, frame by
 * frame (length, original length, timestamp, bytes, link type), and so is
 * every prefix of it (a file cut at each byte offset must end the same way:
 * clean end, or damage with libpcap's words). Also: several link types in
 * one pcapng file (libpcap refuses those; capfile.c gives each frame its
 * interface's type), the in-memory source and damaged lengths.
 *
 * Layouts written here (the writer below does either byte order):
 *   pcap, draft-ietf-opsawg-pcap §4-5: magic | 2 | 4 | thiszone | sigfigs |
 *     snaplen | linktype, then ts_sec | ts_frac | caplen | len | data.
 *   pcapng, draft-ietf-opsawg-pcapng: type | length | body | length, with
 *     §4.1 SHB, §4.2 IDB (+ if_tsresol 9, if_tsoffset 14), §4.3 EPB, §4.4 SPB,
 *     Appendix A PB, §4.5 NRB and §4.6 ISB (skipped).
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
#include <pcap/pcap.h>

#include "capfile.h"
#include "mem.h"

/* ---- a growing byte writer in either byte order ------------------------ */

struct wb {
    uint8_t *b;
    size_t n, cap;
    bool be;
    size_t blk; /* offset of the open pcapng block */
};

static void
wb_bytes(struct wb *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2;
        w->b = realloc(w->b, w->cap);
        assert_non_null(w->b);
    }
    if (n > 0)
        memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void
wb_u16(struct wb *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    if (w->be) {
        b[0] = (uint8_t)(v >> 8);
        b[1] = (uint8_t)v;
    }
    wb_bytes(w, b, 2);
}

static void
wb_u32(struct wb *w, uint32_t v)
{
    if (w->be) {
        wb_u16(w, (uint16_t)(v >> 16));
        wb_u16(w, (uint16_t)v);
    } else {
        wb_u16(w, (uint16_t)v);
        wb_u16(w, (uint16_t)(v >> 16));
    }
}

static void
wb_pad4(struct wb *w)
{
    static const uint8_t z[4];
    wb_bytes(w, z, (4 - w->n % 4) % 4);
}

/* A frame of n bytes: Ethernet II / IPv4 header start, then a counter. */
static void
wb_frame(struct wb *w, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)(i * 7u + seed);
        if (i == 12)
            c = 0x08;
        else if (i == 13)
            c = 0x00;
        wb_bytes(w, &c, 1);
    }
}

static void
pcap_hdr(struct wb *w, bool nsec, uint32_t snap, uint32_t linktype)
{
    wb_u32(w, nsec ? 0xa1b23c4du : 0xa1b2c3d4u);
    wb_u16(w, 2);
    wb_u16(w, 4);
    wb_u32(w, 0);
    wb_u32(w, 0);
    wb_u32(w, snap);
    wb_u32(w, linktype);
}

static void
pcap_rec(struct wb *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, unsigned seed)
{
    wb_u32(w, sec);
    wb_u32(w, frac);
    wb_u32(w, caplen);
    wb_u32(w, len);
    wb_frame(w, caplen, seed);
}

static void
ng_begin(struct wb *w, uint32_t type)
{
    w->blk = w->n;
    wb_u32(w, type);
    wb_u32(w, 0); /* patched by ng_end */
}

static void
ng_end(struct wb *w)
{
    wb_pad4(w);
    uint32_t len = (uint32_t)(w->n - w->blk + 4);
    wb_u32(w, len);
    size_t end = w->n;
    w->n = w->blk + 4; /* the leading copy of the length, in place */
    wb_u32(w, len);
    w->n = end;
}

static void
ng_shb(struct wb *w, uint16_t minor)
{
    ng_begin(w, 0x0a0d0d0a);
    wb_u32(w, 0x1a2b3c4d);
    wb_u16(w, 1);
    wb_u16(w, minor);
    wb_u32(w, 0xffffffff);
    wb_u32(w, 0xffffffff);
    wb_u16(w, 4); /* shb_userappl */
    wb_u16(w, 4);
    wb_bytes(w, "test", 4);
    wb_u16(w, 0);
    wb_u16(w, 0);
    ng_end(w);
}

/* IDB; tsresol < 0: no option; tsoff != 0: if_tsoffset. */
static void
ng_idb(struct wb *w, uint16_t linktype, uint32_t snap, int tsresol, int64_t tsoff)
{
    ng_begin(w, 1);
    wb_u16(w, linktype);
    wb_u16(w, 0);
    wb_u32(w, snap);
    wb_u16(w, 2); /* if_name */
    wb_u16(w, 3);
    wb_bytes(w, "et0", 3);
    wb_pad4(w);
    if (tsresol >= 0) {
        uint8_t v = (uint8_t)tsresol;
        wb_u16(w, 9);
        wb_u16(w, 1);
        wb_bytes(w, &v, 1);
        wb_pad4(w);
    }
    if (tsoff != 0) {
        uint64_t u = (uint64_t)tsoff;
        wb_u16(w, 14);
        wb_u16(w, 8);
        if (w->be) {
            wb_u32(w, (uint32_t)(u >> 32));
            wb_u32(w, (uint32_t)u);
        } else {
            wb_u32(w, (uint32_t)u);
            wb_u32(w, (uint32_t)(u >> 32));
        }
    }
    wb_u16(w, 0);
    wb_u16(w, 0);
    ng_end(w);
}

static void
ng_epb(struct wb *w, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t len, unsigned seed)
{
    ng_begin(w, 6);
    wb_u32(w, ifid);
    wb_u32(w, (uint32_t)(ts >> 32));
    wb_u32(w, (uint32_t)ts);
    wb_u32(w, caplen);
    wb_u32(w, len);
    wb_frame(w, caplen, seed);
    wb_pad4(w);
    wb_u16(w, 1); /* opt_comment */
    wb_u16(w, 2);
    wb_bytes(w, "hi", 2);
    wb_pad4(w);
    wb_u16(w, 0);
    wb_u16(w, 0);
    ng_end(w);
}

static void
ng_spb(struct wb *w, uint32_t len, uint32_t data, unsigned seed)
{
    ng_begin(w, 3);
    wb_u32(w, len);
    wb_frame(w, data, seed);
    ng_end(w);
}

static void
ng_pb(struct wb *w, uint16_t ifid, uint64_t ts, uint32_t caplen, unsigned seed)
{
    ng_begin(w, 2);
    wb_u16(w, ifid);
    wb_u16(w, 0);
    wb_u32(w, (uint32_t)(ts >> 32));
    wb_u32(w, (uint32_t)ts);
    wb_u32(w, caplen);
    wb_u32(w, caplen + 10);
    wb_frame(w, caplen, seed);
    ng_end(w);
}

/* Blocks libpcap and capfile.c skip: NRB and ISB. */
static void
ng_skipped(struct wb *w)
{
    ng_begin(w, 4);
    wb_u16(w, 1); /* nrb_record_ipv4 */
    wb_u16(w, 13);
    wb_bytes(w, "\xc0\x00\x02\x01mx.test\0\0", 13);
    wb_pad4(w);
    wb_u16(w, 0);
    wb_u16(w, 0);
    ng_end(w);
    ng_begin(w, 5);
    wb_u32(w, 0);
    wb_u32(w, 0);
    wb_u32(w, 1);
    ng_end(w);
}

/* ---- the comparison ---------------------------------------------------- */

enum outcome { OUT_FOREIGN, OUT_OPEN_FAILED, OUT_EOF, OUT_DAMAGED };

struct result {
    enum outcome out;
    unsigned frames;
};

/* Reads buf[0, n) with libpcap and with capfile.c (file, then memory) and
 * asserts the two agree on every frame and on how the input ends. */
static struct result
compare(const uint8_t *buf, size_t n)
{
    struct result res = {OUT_EOF, 0};
    char path[] = "/tmp/smtptap_test_capfile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);

    for (int pass = 0; pass < 2; pass++) {
        struct capfile *cf = NULL;
        char e1[256] = "", pe[PCAP_ERRBUF_SIZE] = "";
        enum capfile_open_rc orc = pass == 0 ? capfile_open(path, &cf, e1, sizeof(e1))
                                             : capfile_open_mem(buf, n, &cf, e1, sizeof(e1));
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, pe);
        if (orc == CAPFILE_OPEN_FOREIGN) { /* capture.c hands these to libpcap */
            res.out = OUT_FOREIGN;
        } else if (orc == CAPFILE_OPEN_ERROR || orc == CAPFILE_OPEN_EMPTY) {
            /* empty: only a file of no byte (libpcap: "truncated dump file") */
            if (orc == CAPFILE_OPEN_EMPTY && n != 0)
                fail_msg("capfile called a file of %zu bytes empty", n);
            if (p != NULL)
                fail_msg("capfile refused a file libpcap opens (%zu bytes): %s", n, e1);
            res.out = OUT_OPEN_FAILED;
        } else {
            if (p == NULL)
                fail_msg("capfile opened a file libpcap refuses (%zu bytes): %s", n, pe);
            assert_int_equal(capfile_dlt(cf), pcap_datalink(p));
            res.frames = 0;
            for (unsigned guard = 0; guard < 100000; guard++) {
                struct capfile_frame f;
                struct pcap_pkthdr *h;
                const u_char *d;
                enum capfile_next_rc a = capfile_next(cf, &f);
                int b = pcap_next_ex(p, &h, &d);
                if (a == CAPFILE_FRAME) {
                    if (b != 1)
                        fail_msg("frame %u: capfile has one, libpcap %d (%s), %zu bytes",
                                 res.frames, b, pcap_geterr(p), n);
                    assert_int_equal(f.caplen, h->caplen);
                    assert_int_equal(f.wirelen, h->len);
                    assert_int_equal(f.ts_us,
                                     (int64_t)h->ts.tv_sec * 1000000 + (int64_t)h->ts.tv_usec);
                    assert_memory_equal(f.data, d, f.caplen);
                    res.frames++;
                    continue;
                }
                if (a == CAPFILE_EOF) {
                    if (b != PCAP_ERROR_BREAK)
                        fail_msg("capfile ends cleanly, libpcap %d (%s), %zu bytes", b,
                                 pcap_geterr(p), n);
                    res.out = OUT_EOF;
                } else {
                    if (b != PCAP_ERROR)
                        fail_msg("capfile: %s; libpcap %d, %zu bytes", capfile_error(cf), b, n);
                    if (strstr(pcap_geterr(p), "truncated") != NULL)
                        assert_string_equal(capfile_error(cf), pcap_geterr(p));
                    res.out = OUT_DAMAGED;
                }
                break;
            }
        }
        capfile_close(cf);
        if (p != NULL)
            pcap_close(p);
    }
    unlink(path);
    return res;
}

/* compare() on the whole file and on every prefix of it. */
static void
compare_all_cuts(const struct wb *w, unsigned want_frames)
{
    struct result r = compare(w->b, w->n);
    assert_int_equal(r.out, OUT_EOF);
    assert_int_equal(r.frames, want_frames);
    for (size_t cut = 0; cut < w->n; cut++) {
        r = compare(w->b, cut);
        assert_true(r.frames <= want_frames);
    }
}

/* ---- tests ------------------------------------------------------------- */

static void
test_pcap_both_orders(void **state)
{
    (void)state;
    for (int be = 0; be < 2; be++)
        for (int nsec = 0; nsec < 2; nsec++) {
            struct wb w = {NULL, 0, 0, be != 0, 0};
            pcap_hdr(&w, nsec != 0, 65535, 1);
            pcap_rec(&w, 1795501573, nsec ? 11772999 : 11772, 60, 60, 1);
            pcap_rec(&w, 1795501574, 999, 0, 60, 2);  /* nothing captured */
            pcap_rec(&w, 1795501575, 5, 40, 1500, 3); /* cut by the snaplen */
            compare_all_cuts(&w, 3);
            free(w.b);
        }
}

static void
test_pcap_large_records(void **state)
{
    (void)state;
    /* records straddling the in-memory source's 4093-byte refills and the
     * file reader's 256 KiB buffer; one at libpcap's 262144 maximum */
    struct wb w = {NULL, 0, 0, false, 0};
    pcap_hdr(&w, false, 262144, 1);
    for (unsigned i = 0; i < 40; i++)
        pcap_rec(&w, 1000 + i, i, 9000 + i * 13, 9000 + i * 13, i);
    pcap_rec(&w, 2000, 0, 262144, 262144, 7);
    pcap_rec(&w, 2001, 0, 100, 100, 8);
    struct result r = compare(w.b, w.n);
    assert_int_equal(r.out, OUT_EOF);
    assert_int_equal(r.frames, 42);
    /* a record longer than 262144 is damage for both readers */
    pcap_rec(&w, 2002, 0, 262145, 262145, 9);
    r = compare(w.b, w.n);
    assert_int_equal(r.out, OUT_DAMAGED);
    assert_int_equal(r.frames, 42);
    free(w.b);
}

static void
test_pcapng_blocks(void **state)
{
    (void)state;
    for (int be = 0; be < 2; be++) {
        struct wb w = {NULL, 0, 0, be != 0, 0};
        ng_shb(&w, 0);
        ng_skipped(&w);
        /* one snapshot length: libpcap refuses interfaces that differ */
        ng_idb(&w, 1, 128, 9, 0);    /* nanoseconds */
        ng_idb(&w, 1, 128, 0x94, 0); /* 2^-20 s */
        ng_idb(&w, 1, 128, 3, 0);    /* milliseconds */
        ng_idb(&w, 1, 128, -1, 0);   /* default: microseconds */
        ng_epb(&w, 0, 1795501573011772123ull, 74, 74, 1);
        ng_epb(&w, 1, (1795501573ull << 20) | 0x81234, 128, 1514, 2);
        ng_epb(&w, 2, 1795501573011ull, 61, 61, 3);
        ng_epb(&w, 3, 1795501573011772ull, 0, 60, 4);
        ng_spb(&w, 70, 72, 5); /* data padded past the length */
        ng_pb(&w, 3, 1795501573999999ull, 66, 6);
        ng_skipped(&w);
        compare_all_cuts(&w, 6);
        free(w.b);
    }
}

static void
test_pcapng_sections(void **state)
{
    (void)state;
    /* a second section: interfaces start again (same byte order: libpcap
     * 1.10 does not take a change of byte order between sections) */
    struct wb w = {NULL, 0, 0, false, 0};
    ng_shb(&w, 0);
    ng_idb(&w, 1, 0, -1, 0);
    ng_idb(&w, 1, 0, 9, 0);
    ng_epb(&w, 1, 5000000000ull, 60, 60, 1);
    ng_shb(&w, 0);
    ng_idb(&w, 1, 0, -1, 0);
    ng_epb(&w, 0, 7000000ull, 60, 60, 2);
    compare_all_cuts(&w, 2);
    /* a packet on interface 1 of the new section: no such interface */
    ng_epb(&w, 1, 8000000ull, 60, 60, 3);
    struct result r = compare(w.b, w.n);
    assert_int_equal(r.out, OUT_DAMAGED);
    assert_int_equal(r.frames, 2);
    free(w.b);
}

static void
test_pcapng_tsoffset(void **state)
{
    (void)state;
    struct wb w = {NULL, 0, 0, false, 0};
    ng_shb(&w, 0);
    ng_idb(&w, 1, 0, -1, 1795500000);
    ng_epb(&w, 0, 1573011772ull, 60, 60, 1);
    struct capfile *cf;
    char e[256];
    assert_int_equal(capfile_open_mem(w.b, w.n, &cf, e, sizeof(e)), CAPFILE_OPEN_OK);
    struct capfile_frame f;
    assert_int_equal(capfile_next(cf, &f), CAPFILE_FRAME);
    assert_int_equal(f.ts_us, 1795501573011772ll);
    assert_int_equal(capfile_next(cf, &f), CAPFILE_EOF);
    capfile_close(cf);
    free(w.b);
}

static void
test_pcapng_several_link_types(void **state)
{
    (void)state;
    /* dumpcap writes one IDB per interface: Ethernet and raw IP here.
     * libpcap refuses the file; capfile.c gives each frame its own type. */
    struct wb w = {NULL, 0, 0, false, 0};
    ng_shb(&w, 0);
    ng_idb(&w, 1, 128, -1, 0);
    ng_idb(&w, 101, 0, -1, 0);
    ng_epb(&w, 0, 1, 60, 60, 1);
    ng_epb(&w, 1, 2, 40, 40, 2);
    struct capfile *cf;
    char e[256];
    assert_int_equal(capfile_open_mem(w.b, w.n, &cf, e, sizeof(e)), CAPFILE_OPEN_OK);
    assert_int_equal(capfile_dlt(cf), DLT_EN10MB);
    struct capfile_frame f;
    assert_int_equal(capfile_next(cf, &f), CAPFILE_FRAME);
    assert_int_equal(f.dlt, DLT_EN10MB);
    assert_int_equal(capfile_next(cf, &f), CAPFILE_FRAME);
    assert_int_equal(f.dlt, DLT_RAW); /* LINKTYPE_RAW 101 is libpcap's DLT_RAW */
    assert_int_equal(f.caplen, 40);
    /* longer than the interface's snapshot length (libpcap: an error): read */
    ng_epb(&w, 0, 3, 200, 200, 3);
    assert_int_equal(capfile_next(cf, &f), CAPFILE_EOF);
    capfile_close(cf);
    assert_int_equal(capfile_open_mem(w.b, w.n, &cf, e, sizeof(e)), CAPFILE_OPEN_OK);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(capfile_next(cf, &f), CAPFILE_FRAME);
    assert_int_equal(f.caplen, 200);
    assert_int_equal(capfile_next(cf, &f), CAPFILE_EOF);
    capfile_close(cf);
    free(w.b);
}

static void
test_malformed_lengths(void **state)
{
    (void)state;
    static const uint32_t bad[] = {8, 14, 0x7ffffff0u};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct wb w = {NULL, 0, 0, false, 0};
        ng_shb(&w, 0);
        ng_idb(&w, 1, 0, -1, 0);
        ng_epb(&w, 0, 1, 60, 60, 1);
        wb_u32(&w, 6);
        wb_u32(&w, bad[i]); /* under 12, not a multiple of 4, over 16 MiB */
        wb_frame(&w, 64, 0);
        struct capfile *cf;
        char e[256];
        assert_int_equal(capfile_open_mem(w.b, w.n, &cf, e, sizeof(e)), CAPFILE_OPEN_OK);
        struct capfile_frame f;
        assert_int_equal(capfile_next(cf, &f), CAPFILE_FRAME);
        assert_int_equal(capfile_next(cf, &f), CAPFILE_MALFORMED);
        assert_non_null(strstr(capfile_error(cf), "length"));
        capfile_close(cf);
        free(w.b);
    }
    /* an EPB whose captured length runs past its block */
    struct wb w = {NULL, 0, 0, false, 0};
    ng_shb(&w, 0);
    ng_idb(&w, 1, 0, -1, 0);
    ng_begin(&w, 6);
    wb_u32(&w, 0);
    wb_u32(&w, 0);
    wb_u32(&w, 1);
    wb_u32(&w, 500); /* caplen */
    wb_u32(&w, 500);
    wb_frame(&w, 20, 0);
    ng_end(&w);
    struct result r = compare(w.b, w.n);
    assert_int_equal(r.out, OUT_DAMAGED);
    assert_int_equal(r.frames, 0);
    free(w.b);
}

static void
test_foreign_and_unreadable(void **state)
{
    (void)state;
    struct capfile *cf;
    char e[256] = "";
    /* pcap 2.3 (libpcap's fix-ups for old versions apply) and unknown magic */
    struct wb w = {NULL, 0, 0, false, 0};
    pcap_hdr(&w, false, 65535, 1);
    w.b[6] = 3;
    assert_int_equal(capfile_open_mem(w.b, w.n, &cf, e, sizeof(e)), CAPFILE_OPEN_FOREIGN);
    static const uint8_t junk[] = "GET / HTTP/1.1\r\n\r\n";
    /* a magic libpcap reads neither: refused here, said (a pipe cannot be read again) */
    assert_int_equal(capfile_open_mem(junk, sizeof(junk), &cf, e, sizeof(e)), CAPFILE_OPEN_ERROR);
    assert_string_equal(e, "not a pcap or pcapng capture (unknown file format)");
    assert_null(cf);
    static const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3};
    assert_int_equal(capfile_open_mem(gz, sizeof(gz), &cf, e, sizeof(e)), CAPFILE_OPEN_ERROR);
    assert_string_equal(e, "gzip-compressed: decompress it first (zcat FILE | smtptap -r -)");
    /* shorter than any magic: libpcap's words, from either source */
    assert_int_equal(capfile_open_mem(junk, 3, &cf, e, sizeof(e)), CAPFILE_OPEN_ERROR);
    assert_string_equal(e, "truncated dump file; tried to read 4 file header bytes, only got 3");
    /* not one byte (an empty pipe): said so, not as a file cut short */
    assert_int_equal(capfile_open_mem(junk, 0, &cf, e, sizeof(e)), CAPFILE_OPEN_EMPTY);
    assert_null(cf);
    assert_int_equal(capfile_open("/nonexistent/x.pcap", &cf, e, sizeof(e)), CAPFILE_OPEN_ERROR);
    assert_string_equal(e, "No such file or directory");
    assert_null(cf);
    free(w.b);
}

/* A file cut by another program while it is mapped: the lost pages read as
 * zeros (no death by SIGBUS) and the reader reports the damage. */
static void
test_file_shrinks_while_read(void **state)
{
    (void)state;
    struct wb w = {NULL, 0, 0, false, 0};
    pcap_hdr(&w, false, 65535, 1);
    for (unsigned i = 0; i < 100; i++)
        pcap_rec(&w, 1000 + i, 0, 10000, 10000, i);
    char path[] = "/tmp/smtptap_test_capfile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, w.b, w.n), (ssize_t)w.n);
    struct capfile *cf;
    char e[256];
    assert_int_equal(capfile_open(path, &cf, e, sizeof(e)), CAPFILE_OPEN_OK);
    struct capfile_frame f;
    assert_int_equal(capfile_next(cf, &f), CAPFILE_FRAME);
    assert_int_equal(ftruncate(fd, 100000), 0);
    enum capfile_next_rc rc = CAPFILE_FRAME;
    unsigned n = 1;
    while (n < 200 && (rc = capfile_next(cf, &f)) == CAPFILE_FRAME)
        n++;
    assert_int_equal(rc, CAPFILE_IOERR);
    assert_non_null(strstr(capfile_error(cf), "shrank"));
    /* 10 frames before the cut, then at most one page of the kernel's zero
     * fill after the new end (16-byte empty records) before the lost pages */
    assert_true(n >= 10 && n <= 10 + 4096 / 16);
    capfile_close(cf);
    close(fd);
    unlink(path);
    free(w.b);
}

/* Checks frame `f` still holds what wb_frame(seed) wrote. */
static void
frame_intact(const uint8_t *data, uint32_t len, unsigned seed)
{
    for (uint32_t i = 0; i < len; i += 4099) {
        uint8_t want = i == 12 ? 0x08 : i == 13 ? 0x00 : (uint8_t)(i * 7u + seed);
        assert_int_equal(data[i], want);
    }
    uint32_t l = len - 1;
    assert_int_equal(data[l], l == 12 ? 0x08 : l == 13 ? 0x00 : (uint8_t)(l * 7u + seed));
}

/* capfile_frames_stay(): in a mapped file the last two frames handed out
 * stay readable while the next is read, across many windows, also when
 * blocks are larger than a window (pcapng blocks up to 16 MiB). */
static void
test_frames_stay_across_windows(void **state)
{
    (void)state;
    for (int ng = 0; ng < 2; ng++) {
        struct wb w = {NULL, 0, 0, false, 0};
        unsigned n = ng ? 12 : 120;
        if (ng) {
            ng_shb(&w, 0);
            ng_idb(&w, 1, 0, -1, 0);
            for (unsigned i = 0; i < n; i++)
                ng_epb(&w, 0, i, (i % 3 == 0 ? 6u << 20 : 1500u + i * 999u), 9000000, i);
        } else {
            pcap_hdr(&w, false, 262144, 1);
            for (unsigned i = 0; i < n; i++)
                pcap_rec(&w, i, 0, 100000 + i * 1001, 262144, i);
        }
        char path[] = "/tmp/smtptap_test_capfile_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, w.b, w.n), (ssize_t)w.n);
        close(fd);
        struct capfile *cf;
        char e[256];
        assert_int_equal(capfile_open(path, &cf, e, sizeof(e)), CAPFILE_OPEN_OK);
        assert_true(capfile_frames_stay(cf));
        struct capfile_frame f, prev[2];
        unsigned got = 0;
        while (capfile_next(cf, &f) == CAPFILE_FRAME) {
            frame_intact(f.data, f.caplen, got);
            if (got >= 1)
                frame_intact(prev[(got - 1) % 2].data, prev[(got - 1) % 2].caplen, got - 1);
            if (got >= 2)
                frame_intact(prev[got % 2].data, prev[got % 2].caplen, got - 2);
            prev[got % 2] = f;
            got++;
        }
        assert_int_equal(got, n);
        capfile_close(cf);
        unlink(path);
        free(w.b);
    }
}

int
main(void)
{
    mem_init(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_both_orders),
        cmocka_unit_test(test_pcap_large_records),
        cmocka_unit_test(test_pcapng_blocks),
        cmocka_unit_test(test_pcapng_sections),
        cmocka_unit_test(test_pcapng_tsoffset),
        cmocka_unit_test(test_pcapng_several_link_types),
        cmocka_unit_test(test_malformed_lengths),
        cmocka_unit_test(test_foreign_and_unreadable),
        cmocka_unit_test(test_file_shrinks_while_read),
        cmocka_unit_test(test_frames_stay_across_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
