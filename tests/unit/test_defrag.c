/* \summary: unit tests for IP fragment reassembly (src/defrag.c) and the
 * decoder's side of it (decode_frame_frag, decode_datagram in src/decode.c).
 *
 * Fragments are built as raw IP frames (DLT_RAW) of one TCP segment whose
 * payload byte i is tf_byte(i), decoded into struct decode_frag from a
 * malloc'd copy of exactly the captured bytes (ASan sees any over-read),
 * filed with defrag_add(), and a completed datagram decoded again with
 * decode_datagram(): the payload must be the segment's, byte for byte.
 *
 * IPv4 (RFC 791 §3.2): in order, out of order, duplicates, overlaps (RFC 5722
 * with errata 3089, as Linux), a missing fragment then the timeout, the caps
 * (defrag.max, defrag.mem_max, the memcap), malformed fragments, a snaplen
 * cut, VLAN ids in the key. IPv6 (RFC 8200 §4.5): out of order behind a
 * Hop-by-Hop header, the key, overlaps. Fragments in a tunnel inside an
 * outer datagram itself in fragments (defrag_add_inner).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "defrag.h"
#include "mem.h"

#define TF_SEC 1000000ll

static uint8_t tf_seg[8192]; /* the TCP segment: 20-byte header, then the payload */
static uint32_t tf_seg_len;

static uint8_t
tf_byte(uint32_t i)
{
    return (uint8_t)(i * 7 + 3);
}

/* A TCP segment 203.0.113.25:25 -> :40000 (RFC 9293 §3.1) with n payload bytes. */
static void
tf_make_seg(uint32_t n)
{
    static const uint8_t th[20] = {
        0x00, 0x19, 0x9c, 0x40, /* sport 25, dport 40000 */
        0x00, 0x00, 0x03, 0xe8, /* seq 1000 */
        0x00, 0x00, 0x00, 0x01, /* ack 1 */
        0x50, 0x18, 0x01, 0x00, /* doff 5, PSH|ACK, window 256 */
        0x00, 0x00, 0x00, 0x00, /* csum, urgent */
    };
    memcpy(tf_seg, th, sizeof(th));
    for (uint32_t i = 0; i < n; i++)
        tf_seg[20 + i] = tf_byte(i);
    tf_seg_len = 20 + n;
}

/* An IPv4 fragment (RFC 791 §3.1) of tf_seg: data [off, off + len). */
static uint32_t
tf_frag4(uint8_t *f, uint16_t id, uint8_t proto, uint32_t off, bool more, uint32_t len)
{
    uint32_t tot = 20 + len;
    uint16_t fo = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
    const uint8_t h[20] = {
        0x45,
        0x00,
        (uint8_t)(tot >> 8),
        (uint8_t)tot, /* v4, IHL 5, total length */
        (uint8_t)(id >> 8),
        (uint8_t)id,
        (uint8_t)(fo >> 8),
        (uint8_t)fo, /* id, MF, offset */
        0x40,
        proto,
        0x00,
        0x00, /* ttl, protocol, csum */
        203,
        0,
        113,
        25, /* src */
        198,
        51,
        100,
        10, /* dst */
    };
    memcpy(f, h, 20);
    memcpy(f + 20, tf_seg + off, len);
    return tot;
}

/* An IPv6 fragment (RFC 8200 §4.5) of tf_seg behind a Hop-by-Hop header
 * (an unfragmentable part of 8 bytes, which the reassembled datagram drops). */
static uint32_t
tf_frag6(uint8_t *f, uint32_t id, uint8_t next, uint32_t off, bool more, uint32_t len)
{
    uint32_t plen = 8 + 8 + len;
    memset(f, 0, 40);
    f[0] = 0x60;
    f[4] = (uint8_t)(plen >> 8);
    f[5] = (uint8_t)plen;
    f[6] = 0;  /* Hop-by-Hop Options */
    f[7] = 64; /* hop limit */
    static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x02, 0x03, [15] = 0x25};
    static const uint8_t d6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 0x10};
    memcpy(f + 8, s6, 16);
    memcpy(f + 24, d6, 16);
    const uint8_t hbh[8] = {44, 0, 0x01, 0x04, 0, 0, 0, 0}; /* next: Fragment; PadN */
    memcpy(f + 40, hbh, 8);
    uint16_t om = (uint16_t)(off | (more ? 1u : 0u));
    const uint8_t fh[8] = {next,
                           0,
                           (uint8_t)(om >> 8),
                           (uint8_t)om,
                           (uint8_t)(id >> 24),
                           (uint8_t)(id >> 16),
                           (uint8_t)(id >> 8),
                           (uint8_t)id};
    memcpy(f + 48, fh, 8);
    memcpy(f + 56, tf_seg + off, len);
    return 56 + len;
}

/* tf_frag6 with an SRv6 Routing header (RFC 8754: type 4, Segments Left 1,
 * Segment List[0] 2001:db8:1::99, the final destination) in the
 * unfragmentable part instead of the Hop-by-Hop header: the header's
 * Destination Address is a waypoint. */
static const uint8_t tf_final6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 0x99};

static uint32_t
tf_frag6_srh(uint8_t *f, uint32_t id, uint32_t off, bool more, uint32_t len)
{
    uint8_t h[2048];
    uint32_t n = tf_frag6(h, id, 6, off, more, len); /* 40 + 8 (HbH) + 8 + len */
    memcpy(f, h, 40);
    f[4] = (uint8_t)((n - 40 + 16) >> 8);
    f[5] = (uint8_t)(n - 40 + 16);
    f[6] = 43;                                       /* Routing */
    const uint8_t rh[8] = {44, 2, 4, 1, 0, 0, 0, 0}; /* next: Fragment; 24 bytes; type 4 */
    memcpy(f + 40, rh, 8);
    memcpy(f + 48, tf_final6, 16);
    memcpy(f + 64, h + 48, n - 48);
    return n + 16;
}

struct tf {
    struct defrag store;
    struct defrag *d;
    struct decode_stats ds;
    struct pkt p; /* the reassembled packet, after tf_feed returned 1 */
    struct defrag_out out;
    int last; /* decode_datagram's result */
};

static void
tf_init(struct tf *t, uint32_t max, uint32_t mem_max, bool ignore_vlan)
{
    memset(t, 0, sizeof(*t));
    struct defrag_caps c = {max, mem_max, 60, ignore_vlan, 7};
    t->d = &t->store;
    defrag_init(t->d, &c);
}

static void
tf_done(struct tf *t)
{
    defrag_release(&t->out);
    defrag_free(t->d);
    t->d = NULL;
    assert_int_equal(mem_in_use(), 0);
}

/* Decodes frame f (caplen bytes of wirelen, optionally VLAN-tagged through
 * the pkt) at time ts and files it; returns 1 when it completed a datagram
 * (t->p, t->last), 0 otherwise. */
static int
tf_feed_vlan(struct tf *t, const uint8_t *f, uint32_t caplen, uint32_t wirelen, int64_t ts,
             uint16_t vlan)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    assert_non_null(copy);
    memcpy(copy, f, caplen);
    struct pkt p;
    struct decode_frag fr;
    assert_int_equal(decode_frame_frag(DECODE_DLT_RAW, copy, caplen, wirelen, ts, &p, &t->ds, &fr),
                     DECODE_FRAGMENT);
    if (vlan) {
        p.vlan[0] = vlan;
        p.n_vlan = 1;
    }
    defrag_release(&t->out);
    bool done = defrag_add(t->d, &p, &fr, &t->out);
    free(copy); /* the reassembler kept its own copy */
    if (!done)
        return 0;
    t->last = decode_datagram(t->out.ip, t->out.caplen, t->out.wirelen, &p, &t->p, &t->ds);
    return 1;
}

static int
tf_feed(struct tf *t, const uint8_t *f, uint32_t len, int64_t ts)
{
    return tf_feed_vlan(t, f, len, len, ts, 0);
}

static int
tf4(struct tf *t, uint16_t id, uint32_t off, bool more, uint32_t len, int64_t ts)
{
    uint8_t f[8192];
    uint32_t n = tf_frag4(f, id, 6, off, more, len);
    return tf_feed(t, f, n, ts);
}

/* The reassembled packet is the whole segment. */
static void
tf_check_segment(const struct tf *t, uint8_t family)
{
    assert_int_equal(t->last, DECODE_OK);
    assert_int_equal(t->p.src.family, family);
    assert_int_equal(t->p.ip_proto, 6);
    assert_int_equal(t->p.sport, 25);
    assert_int_equal(t->p.dport, 40000);
    assert_int_equal(t->p.seq, 1000);
    assert_int_equal(t->p.payload_wirelen, tf_seg_len - 20);
    assert_int_equal(t->p.payload_caplen, tf_seg_len - 20);
    for (uint32_t i = 0; i < t->p.payload_caplen; i++)
        assert_int_equal(t->p.payload[i], tf_byte(i));
}

static void
test_decode_describes_fragments(void **state)
{
    (void)state;
    mem_init(0);
    tf_make_seg(1000);
    uint8_t f[2048];
    struct pkt p;
    struct decode_stats ds;
    struct decode_frag fr;
    memset(&ds, 0, sizeof(ds));
    uint32_t n = tf_frag4(f, 0xbeef, 6, 512, true, 256);
    assert_int_equal(decode_frame_frag(DECODE_DLT_RAW, f, n, n, 5, &p, &ds, &fr), DECODE_FRAGMENT);
    assert_int_equal(fr.family, 4);
    assert_int_equal(fr.proto, 6);
    assert_int_equal(fr.id, 0xbeef);
    assert_int_equal(fr.offset, 512);
    assert_true(fr.more);
    assert_int_equal(fr.hdr_len, 20);
    assert_int_equal(fr.data_caplen, 256);
    assert_int_equal(fr.data_wirelen, 256);
    assert_memory_equal(fr.data, tf_seg + 512, 256);
    assert_int_equal(ds.fragments, 1);
    /* the snaplen cut the fragment: 100 of its 256 bytes */
    assert_int_equal(decode_frame_frag(DECODE_DLT_RAW, f, 120, n, 5, &p, &ds, &fr),
                     DECODE_FRAGMENT);
    assert_int_equal(fr.data_caplen, 100);
    assert_int_equal(fr.data_wirelen, 256);

    n = tf_frag6(f, 0x01020304, 6, 264, false, 200);
    assert_int_equal(decode_frame_frag(DECODE_DLT_RAW, f, n, n, 5, &p, &ds, &fr), DECODE_FRAGMENT);
    assert_int_equal(fr.family, 6);
    assert_int_equal(fr.proto, 6);
    assert_int_equal(fr.id, 0x01020304);
    assert_int_equal(fr.offset, 264);
    assert_false(fr.more);
    assert_int_equal(fr.hdr_len, 40);
    assert_int_equal(fr.unfrag_len, 8);
    assert_int_equal(fr.data_wirelen, 200);
    assert_memory_equal(fr.data, tf_seg + 264, 200);
}

static void
test_ipv4_in_order(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(1400); /* 1420 bytes of data: 552 + 552 + 316 */
    assert_int_equal(tf4(&t, 1, 0, true, 552, TF_SEC), 0);
    assert_int_equal(tf4(&t, 1, 552, true, 552, TF_SEC), 0);
    assert_int_equal(defrag_in_progress(t.d), 1);
    assert_int_equal(tf4(&t, 1, 1104, false, 316, TF_SEC + 5), 1);
    tf_check_segment(&t, 4);
    assert_int_equal(t.p.ts_us, TF_SEC + 5); /* the completing fragment's time */
    assert_int_equal(t.out.wirelen, 20 + 1420);
    assert_int_equal(t.out.ip[6] & 0x3f, 0); /* MF and offset cleared */
    assert_int_equal((t.out.ip[2] << 8) | t.out.ip[3], 20 + 1420);
    uint32_t sum = 0; /* RFC 1071: the header sums to 0xffff with its checksum */
    for (unsigned i = 0; i < 20; i += 2)
        sum += (uint32_t)(t.out.ip[i] << 8 | t.out.ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sum, 0xffff);
    assert_int_equal(defrag_in_progress(t.d), 0);
    assert_int_equal(defrag_bytes_held(t.d), 0);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.datagrams, 1);
    assert_int_equal(st.incomplete + st.dropped + st.overlaps + st.malformed, 0);
    tf_done(&t);
}

static void
test_ipv4_out_of_order(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(3000); /* 3020 bytes: 5 fragments of 512 and one of 460 */
    static const unsigned order[] = {4, 0, 5, 2, 1, 3};
    for (unsigned i = 0; i < 6; i++) {
        uint32_t off = order[i] * 512;
        bool last = order[i] == 5;
        int r = tf4(&t, 9, off, !last, last ? 3020 - off : 512, TF_SEC);
        assert_int_equal(r, i == 5 ? 1 : 0);
    }
    tf_check_segment(&t, 4);
    /* two datagrams interleaved, told apart by their id */
    tf_make_seg(1004);
    assert_int_equal(tf4(&t, 10, 0, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 11, 512, false, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 10, 512, false, 512, TF_SEC), 1);
    tf_check_segment(&t, 4);
    assert_int_equal(tf4(&t, 11, 0, true, 512, TF_SEC), 1);
    tf_check_segment(&t, 4);
    tf_done(&t);
}

static void
test_ipv4_duplicates(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(1004);
    assert_int_equal(tf4(&t, 2, 0, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 2, 0, true, 512, TF_SEC), 0);   /* the same again */
    assert_int_equal(tf4(&t, 2, 256, true, 256, TF_SEC), 0); /* within it, the same bytes */
    assert_int_equal(tf4(&t, 2, 512, false, 512, TF_SEC), 1);
    tf_check_segment(&t, 4);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.duplicates, 2);
    assert_int_equal(st.overlaps, 0);
    assert_int_equal(st.datagrams, 1);
    tf_done(&t);
}

static void
test_ipv4_overlaps(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(1004);
    uint8_t f[2048];
    /* within held bytes but with other bytes: dropped, the first copy stays */
    assert_int_equal(tf4(&t, 3, 0, true, 512, TF_SEC), 0);
    uint32_t n = tf_frag4(f, 3, 6, 256, true, 128);
    f[20 + 5] ^= 0xff;
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    assert_int_equal(tf4(&t, 3, 512, false, 512, TF_SEC), 1);
    tf_check_segment(&t, 4);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.overlaps, 1);
    assert_int_equal(st.duplicates, 0);

    /* in part over held bytes: the datagram is discarded (RFC 5722 §4), and
     * the fragments that come later too, until the timeout */
    assert_int_equal(tf4(&t, 4, 0, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 4, 256, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 4, 512, false, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 4, 0, true, 512, TF_SEC), 0);
    defrag_stats(t.d, &st);
    assert_int_equal(st.overlaps, 2);
    assert_int_equal(st.datagrams, 1);
    assert_int_equal(defrag_in_progress(t.d), 1);
    defrag_expire(t.d, 62 * TF_SEC);
    assert_int_equal(defrag_in_progress(t.d), 0);
    defrag_stats(t.d, &st);
    assert_int_equal(st.incomplete, 0); /* counted as the overlap already */
    /* after the timeout the key starts afresh */
    assert_int_equal(tf4(&t, 4, 0, true, 512, 63 * TF_SEC), 0);
    assert_int_equal(tf4(&t, 4, 512, false, 512, 63 * TF_SEC), 1);
    tf_check_segment(&t, 4);
    tf_done(&t);
}

static void
test_ipv4_missing_then_timeout(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(1516);
    assert_int_equal(tf4(&t, 5, 0, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 5, 1024, false, 512, 2 * TF_SEC), 0);
    assert_true(defrag_bytes_held(t.d) > 1024);
    /* 60 s after the first fragment it is still there (RFC 8200 §4.5) */
    defrag_expire(t.d, 61 * TF_SEC);
    assert_int_equal(defrag_in_progress(t.d), 1);
    /* a fragment of another datagram later than that abandons it */
    assert_int_equal(tf4(&t, 6, 0, true, 512, 61 * TF_SEC + 1), 0);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.incomplete, 1);
    assert_int_equal(defrag_in_progress(t.d), 1);
    /* the missing piece now starts a datagram of its own */
    assert_int_equal(tf4(&t, 5, 512, true, 512, 62 * TF_SEC), 0);
    /* the live tick (wall clock) abandons both */
    defrag_expire(t.d, 200 * TF_SEC);
    defrag_stats(t.d, &st);
    assert_int_equal(st.incomplete, 3);
    assert_int_equal(defrag_in_progress(t.d), 0);
    assert_int_equal(defrag_bytes_held(t.d), 0);
    /* time that jumps back more than the timeout (a later -r file that
     * starts earlier) ages a datagram too */
    assert_int_equal(tf4(&t, 7, 0, true, 512, 300 * TF_SEC), 0);
    assert_int_equal(tf4(&t, 8, 0, true, 512, 100 * TF_SEC), 0);
    defrag_stats(t.d, &st);
    assert_int_equal(st.incomplete, 4);
    assert_int_equal(defrag_in_progress(t.d), 1);
    /* at the end of the run, those in progress count as incomplete */
    defrag_finish(t.d);
    defrag_stats(t.d, &st);
    assert_int_equal(st.incomplete, 5);
    assert_int_equal(st.datagrams, 0);
    tf_done(&t);
}

static void
test_cap_datagrams(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 2, 1 << 20, false);
    tf_make_seg(1004);
    assert_int_equal(tf4(&t, 1, 0, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 2, 0, true, 512, TF_SEC + 1), 0);
    /* a third: the oldest gives way */
    assert_int_equal(tf4(&t, 3, 0, true, 512, TF_SEC + 2), 0);
    assert_int_equal(defrag_in_progress(t.d), 2);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.cap_hits, 1);
    assert_int_equal(st.mem_max_hits, 0); /* defrag.max's: the report names that cap */
    assert_int_equal(tf4(&t, 2, 512, false, 512, TF_SEC + 3), 1);
    tf_check_segment(&t, 4);
    assert_int_equal(tf4(&t, 3, 512, false, 512, TF_SEC + 3), 1);
    tf_check_segment(&t, 4);
    /* datagram 1 lost its first half */
    assert_int_equal(tf4(&t, 1, 512, false, 512, TF_SEC + 3), 0);
    tf_done(&t);
}

static void
test_cap_bytes(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    /* what one datagram with 512 bytes of data holds */
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(1004);
    assert_int_equal(tf4(&t, 1, 0, true, 512, TF_SEC), 0);
    uint64_t one = defrag_bytes_held(t.d);
    tf_done(&t);

    mem_init(0);
    tf_init(&t, 16, (uint32_t)(one + one / 2), false);
    assert_int_equal(tf4(&t, 1, 0, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 2, 0, true, 512, TF_SEC + 1), 0); /* datagram 1 gives way */
    assert_true(defrag_bytes_held(t.d) <= one + one / 2);
    assert_int_equal(defrag_in_progress(t.d), 1);
    assert_int_equal(tf4(&t, 2, 512, false, 512, TF_SEC + 2), 1);
    tf_check_segment(&t, 4);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.cap_hits, 1);
    assert_int_equal(st.mem_max_hits, 1); /* defrag.mem_max's, not defrag.max's */
    /* a datagram larger than the cap alone: dropped at the cap, never held */
    tf_make_seg(8000);
    assert_int_equal(tf4(&t, 3, 0, true, 4096, TF_SEC + 3), 0);
    assert_int_equal(tf4(&t, 3, 4096, false, 8020 - 4096, TF_SEC + 3), 0);
    assert_true(defrag_bytes_held(t.d) <= one + one / 2);
    defrag_stats(t.d, &st);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.cap_hits, 2);
    assert_int_equal(st.mem_max_hits, 2);
    assert_int_equal(st.datagrams, 1);
    tf_done(&t);
}

static void
test_memcap_refused(void **state)
{
    (void)state;
    tf_make_seg(2000);
    for (uint64_t k = 1; k <= 5; k++) {
        mem_init(0);
        struct tf t;
        tf_init(&t, 16, 1 << 20, false);
        mem_fail_after(k); /* the table, a datagram, its buffer, its growth; none */
        tf4(&t, 1, 0, true, 256, TF_SEC);
        tf4(&t, 1, 256, true, 256, TF_SEC);
        tf4(&t, 1, 512, false, 2020 - 512, TF_SEC);
        mem_fail_after(0);
        struct defrag_stats st;
        defrag_stats(t.d, &st);
        assert_int_equal(st.dropped + st.datagrams, 1);
        defrag_finish(t.d);
        tf_done(&t);
    }
}

static void
test_malformed(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(2000);
    struct defrag_stats st;
    uint8_t f[2048];
    /* no data */
    uint32_t n = tf_frag4(f, 1, 6, 512, true, 0);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    /* more to come but not a multiple of 8 bytes (RFC 791 §3.2) */
    assert_int_equal(tf4(&t, 1, 0, true, 500, TF_SEC), 0);
    /* past 65535 bytes: offset 65528 + 16 ("ping of death") */
    n = tf_frag4(f, 1, 6, 0, false, 16);
    f[6] = 0x1f;
    f[7] = 0xff;
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    defrag_stats(t.d, &st);
    assert_int_equal(st.malformed, 3);
    assert_int_equal(defrag_in_progress(t.d), 0);
    /* two last fragments that end apart: the datagram is discarded */
    assert_int_equal(tf4(&t, 2, 512, false, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 2, 1024, false, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 2, 0, true, 512, TF_SEC), 0);
    /* bytes past the last fragment's end */
    assert_int_equal(tf4(&t, 3, 512, false, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 3, 1024, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 3, 0, true, 512, TF_SEC), 0);
    /* a last fragment ending before bytes held */
    assert_int_equal(tf4(&t, 4, 1024, true, 512, TF_SEC), 0);
    assert_int_equal(tf4(&t, 4, 512, false, 256, TF_SEC), 0);
    defrag_stats(t.d, &st);
    assert_int_equal(st.malformed, 6);
    assert_int_equal(st.datagrams, 0);
    /* fragments of other protocols are not reassembled (nor counted here) */
    n = tf_frag4(f, 5, 1, 0, true, 512);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    n = tf_frag4(f, 5, 1, 512, false, 512);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    defrag_stats(t.d, &st);
    assert_int_equal(st.malformed, 6);
    assert_int_equal(defrag_in_progress(t.d), 3); /* 2, 3, 4: dead until the timeout */
    tf_done(&t);
}

static void
test_snaplen_cut(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(1004);
    uint8_t f[2048];
    uint32_t n = tf_frag4(f, 8, 6, 0, true, 512);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    n = tf_frag4(f, 8, 6, 512, false, 512);
    assert_int_equal(tf_feed_vlan(&t, f, 20 + 100, n, TF_SEC, 0), 1);
    assert_int_equal(t.last, DECODE_OK);
    assert_int_equal(t.out.wirelen, 20 + 1024);
    assert_int_equal(t.out.caplen, 20 + 612);
    assert_int_equal(t.p.payload_wirelen, 1004);
    assert_int_equal(t.p.payload_caplen, 592); /* a cut, as a snaplen's: a gap downstream */
    for (uint32_t i = 0; i < t.p.payload_caplen; i++)
        assert_int_equal(t.p.payload[i], tf_byte(i));
    tf_done(&t);
}

static void
test_vlan_in_key(void **state)
{
    (void)state;
    mem_init(0);
    tf_make_seg(1004);
    uint8_t a[1024], b[1024];
    uint32_t na = tf_frag4(a, 1, 6, 0, true, 512);
    uint32_t nb = tf_frag4(b, 1, 6, 512, false, 512);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    assert_int_equal(tf_feed_vlan(&t, a, na, na, TF_SEC, 100), 0);
    assert_int_equal(tf_feed_vlan(&t, b, nb, nb, TF_SEC, 200), 0); /* another VLAN */
    assert_int_equal(tf_feed_vlan(&t, b, nb, nb, TF_SEC, 100), 1);
    tf_check_segment(&t, 4);
    assert_int_equal(t.p.n_vlan, 1);
    assert_int_equal(t.p.vlan[0], 100);
    defrag_finish(t.d);
    tf_done(&t);
    /* --ignore-vlan: one datagram */
    mem_init(0);
    tf_init(&t, 16, 1 << 20, true);
    assert_int_equal(tf_feed_vlan(&t, a, na, na, TF_SEC, 100), 0);
    assert_int_equal(tf_feed_vlan(&t, b, nb, nb, TF_SEC, 200), 1);
    tf_check_segment(&t, 4);
    tf_done(&t);
}

static void
test_ipv6(void **state)
{
    (void)state;
    mem_init(0);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    tf_make_seg(1280); /* 1300 bytes of data: 3 x 432 + 4 */
    uint8_t f[2048];
    static const unsigned order[] = {3, 1, 2, 0};
    for (unsigned i = 0; i < 4; i++) {
        uint32_t off = order[i] * 432;
        bool last = order[i] == 3;
        uint32_t n = tf_frag6(f, 0x80000001u, 6, off, !last, last ? 4 : 432);
        assert_int_equal(tf_feed(&t, f, n, TF_SEC), i == 3 ? 1 : 0);
    }
    tf_check_segment(&t, 6);
    /* the fixed header with the Fragment header's Next Header, no extension headers */
    assert_int_equal(t.out.wirelen, 40 + 1300);
    assert_int_equal(t.out.ip[6], 6);
    assert_int_equal((t.out.ip[4] << 8) | t.out.ip[5], 1300);
    assert_int_equal(t.p.src.a[15], 0x25);

    /* another id is another datagram; a partial overlap discards it */
    uint32_t n = tf_frag6(f, 2, 6, 0, true, 432);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    n = tf_frag6(f, 3, 6, 432, false, 4);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    n = tf_frag6(f, 2, 6, 424, false, 12);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    n = tf_frag6(f, 2, 6, 432, false, 4);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.overlaps, 1);
    n = tf_frag6(f, 3, 6, 0, true, 432);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 1); /* id 3 was untouched */
    assert_int_equal(t.last, DECODE_OK);
    assert_int_equal(t.p.payload_wirelen, 416);
    /* a non-last fragment whose length is no multiple of 8 (RFC 8200 §4.5) */
    n = tf_frag6(f, 4, 6, 0, true, 430);
    assert_int_equal(tf_feed(&t, f, n, TF_SEC), 0);
    defrag_stats(t.d, &st);
    assert_int_equal(st.malformed, 1);
    tf_done(&t);
}

/* An outer IPv4 header (IP in IP, protocol 4, RFC 2003) 10.255.0.1 ->
 * 10.255.0.2 carrying bytes [off, off + len) of inner (a datagram of
 * inner_len bytes), as a fragment of identification id unless whole. */
static uint32_t
tf_outer4(uint8_t *f, uint16_t id, const uint8_t *inner, uint32_t inner_len, uint32_t off,
          uint32_t len)
{
    bool more = off + len < inner_len;
    uint32_t tot = 20 + len;
    uint16_t fo = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
    const uint8_t h[20] = {0x45,
                           0,
                           (uint8_t)(tot >> 8),
                           (uint8_t)tot,
                           (uint8_t)(id >> 8),
                           (uint8_t)id,
                           (uint8_t)(fo >> 8),
                           (uint8_t)fo,
                           64,
                           4,
                           0,
                           0,
                           10,
                           255,
                           0,
                           1,
                           10,
                           255,
                           0,
                           2};
    memcpy(f, h, 20);
    memcpy(f + 20, inner + off, len);
    return tot;
}

/* Fragments inside an outer datagram that was itself in fragments
 * (defrag_add_inner): the inner datagram is reassembled too, behind the
 * outer datagram's headers; a fragment of it in a whole outer datagram
 * joins it; nothing is left held. */
static void
test_inner_fragments(void **state)
{
    (void)state;
    mem_init(0);
    tf_make_seg(600);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    uint8_t a[2048], b[2048], f[2048];
    uint32_t na = tf_frag4(a, 9, 6, 0, true, 320);                 /* inner [0, 320) */
    uint32_t nb = tf_frag4(b, 9, 6, 320, false, tf_seg_len - 320); /* inner [320, end) */
    /* a in a whole outer datagram: an inner fragment, filed as any */
    uint32_t n = tf_outer4(f, 1, a, na, 0, na);
    uint8_t *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, f, n);
    struct pkt p;
    struct decode_frag fr;
    assert_int_equal(decode_frame_frag(DECODE_DLT_RAW, copy, n, n, TF_SEC, &p, &t.ds, &fr),
                     DECODE_FRAGMENT);
    assert_int_equal(p.tun_depth, 1);
    assert_false(defrag_add(t.d, &p, &fr, &t.out));
    free(copy);
    /* b in an outer datagram in two fragments: the outer one completes,
     * and in it the inner fragment completes the inner datagram */
    assert_int_equal(tf_feed(&t, f, tf_outer4(f, 2, b, nb, 0, 200), TF_SEC), 0);
    assert_int_equal(tf_feed(&t, f, tf_outer4(f, 2, b, nb, 200, nb - 200), TF_SEC), 1);
    assert_int_equal(t.last, DECODE_FRAGMENT); /* decode_datagram: counted, not reassembled */
    struct pkt z, fp; /* the outer fragment's packet (main.c: decoded from the frame) */
    memset(&z, 0, sizeof(z));
    z.ts_us = TF_SEC;
    assert_int_equal(
        decode_datagram_frag(t.out.ip, t.out.caplen, t.out.wirelen, &z, &fp, &t.ds, &fr),
        DECODE_FRAGMENT);
    assert_ptr_equal(fr.hdr, t.out.ip + 20);
    assert_int_equal(fr.n_outer, 1); /* the outer IPv4 header */
    assert_ptr_equal(fr.outer[0], t.out.ip);
    t.out.link_len = 14; /* main.c's fields are kept */
    uint32_t at = 0;
    assert_true(defrag_add_inner(t.d, &fp, &fr, &t.out, &at));
    assert_int_equal(at, 20);
    assert_int_equal(t.out.inner_at, 20);
    assert_int_equal(t.out.link_len, 14);
    assert_int_equal(t.out.caplen, 20 + 20 + tf_seg_len);
    assert_int_equal(t.out.ip[9], 4); /* the outer header, then the inner datagram */
    assert_int_equal(t.out.ip[20] >> 4, 4);
    t.last =
        decode_datagram(t.out.ip + at, t.out.caplen - at, t.out.wirelen - at, &fp, &t.p, &t.ds);
    tf_check_segment(&t, 4);
    assert_int_equal(t.p.tun_depth, 1);
    assert_int_equal(defrag_in_progress(t.d), 0);
    struct defrag_stats st;
    defrag_stats(t.d, &st);
    assert_int_equal(st.datagrams, 2);
    /* a fragment that completes nothing: the outer datagram is released */
    tf_make_seg(600);
    nb = tf_frag4(b, 10, 6, 320, false, tf_seg_len - 320);
    assert_int_equal(tf_feed(&t, f, tf_outer4(f, 3, b, nb, 0, 200), TF_SEC), 0);
    assert_int_equal(tf_feed(&t, f, tf_outer4(f, 3, b, nb, 200, nb - 200), TF_SEC), 1);
    assert_int_equal(
        decode_datagram_frag(t.out.ip, t.out.caplen, t.out.wirelen, &z, &fp, &t.ds, &fr),
        DECODE_FRAGMENT);
    assert_false(defrag_add_inner(t.d, &fp, &fr, &t.out, &at));
    assert_null(t.out.block);
    assert_int_equal(defrag_in_progress(t.d), 1); /* the inner datagram waits */
    tf_done(&t);
}

/* An IPv6 datagram fragmented behind an SRv6 Routing header with a segment
 * left: its fragments are keyed by the final destination (decode.c), and so
 * is the reassembled datagram, which drops the unfragmentable part with the
 * Routing header (RFC 8200 §4.5 keeps it; decode_datagram would see the
 * waypoint): one connection with its unfragmented packets. */
static void
test_srh_final_dst(void **state)
{
    (void)state;
    mem_init(0);
    tf_make_seg(600);
    struct tf t;
    tf_init(&t, 16, 1 << 20, false);
    uint8_t f[2048];
    assert_int_equal(tf_feed(&t, f, tf_frag6_srh(f, 5, 0, true, 304), TF_SEC), 0);
    assert_int_equal(tf_feed(&t, f, tf_frag6_srh(f, 5, 304, false, tf_seg_len - 304), TF_SEC), 1);
    tf_check_segment(&t, 6);
    assert_memory_equal(t.p.dst.a, tf_final6, 16);
    assert_int_equal(t.p.src.a[15], 0x25);
    tf_done(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_describes_fragments),
        cmocka_unit_test(test_ipv4_in_order),
        cmocka_unit_test(test_ipv4_out_of_order),
        cmocka_unit_test(test_ipv4_duplicates),
        cmocka_unit_test(test_ipv4_overlaps),
        cmocka_unit_test(test_ipv4_missing_then_timeout),
        cmocka_unit_test(test_cap_datagrams),
        cmocka_unit_test(test_cap_bytes),
        cmocka_unit_test(test_memcap_refused),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_snaplen_cut),
        cmocka_unit_test(test_vlan_in_key),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_inner_fragments),
        cmocka_unit_test(test_srh_final_dst),
    };
    return cmocka_run_group_tests_name("defrag", tests, NULL, NULL);
}
