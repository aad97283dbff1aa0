/* \summary: unit tests for the NDJSON writer (src/json.c): structure,
 * RFC 8259 escaping of wire bytes (NUL, controls, high bytes), timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "tu_json.h"

static void
write_nested(struct json *j, void *arg)
{
    (void)arg;
    json_obj_begin(j, NULL);
    json_str(j, "event", "x");
    json_obj_begin(j, "o");
    json_int(j, "a", -5);
    json_uint(j, "b", 18446744073709551615ull);
    json_obj_end(j);
    json_arr_begin(j, "l");
    json_bool(j, NULL, true);
    json_null(j, NULL);
    json_str(j, NULL, NULL);
    json_arr_end(j);
    json_arr_begin(j, "empty");
    json_arr_end(j);
    json_obj_end(j);
    json_record_end(j);
    json_obj_begin(j, NULL);
    json_bool(j, "second", false);
    json_obj_end(j);
    json_record_end(j);
}

static void
test_structure(void **state)
{
    (void)state;
    char *s = tu_json_capture(write_nested, NULL);
    assert_string_equal(s, "{\"event\":\"x\",\"o\":{\"a\":-5,\"b\":18446744073709551615},"
                           "\"l\":[true,null,null],\"empty\":[]}\n{\"second\":false}\n");
    free(s);
}

static void
write_escapes(struct json *j, void *arg)
{
    (void)arg;
    static const uint8_t raw[] = {'a', 0x00, 'b', '"', '\\', '\n', 0x1f, 0x7f, 0xc3, 0xa9, 'z'};
    json_obj_begin(j, NULL);
    json_strn(j, "k", raw, sizeof(raw));
    json_strn(j, "none", NULL, 0);
    json_obj_end(j);
    json_record_end(j);
}

static void
test_escapes_never_cut_at_nul(void **state)
{
    (void)state;
    char *s = tu_json_capture(write_escapes, NULL);
    assert_string_equal(
        s, "{\"k\":\"a\\u0000b\\\"\\\\\\n\\u001f\\u007f\\u00c3\\u00a9z\",\"none\":null}\n");
    free(s);
}

static void
write_utf8(struct json *j, void *arg)
{
    (void)arg;
    json_obj_begin(j, NULL);
    /* é, U+1F600 (a surrogate pair), a lone continuation byte, an overlong
     * '/', an encoded surrogate, a sequence cut at the end; quote and control */
    json_utf8(j, "k", "S\xC3\xA9 \xF0\x9F\x98\x80|\x80|\xC0\xAF|\xED\xA0\x80|\"\x01|\xE2\x82");
    json_utf8(j, "none", NULL);
    json_obj_end(j);
    json_record_end(j);
}

static void
test_utf8_characters(void **state)
{
    (void)state;
    char *s = tu_json_capture(write_utf8, NULL);
    assert_string_equal(s, "{\"k\":\"S\\u00e9 \\ud83d\\ude00|\\u0080|\\u00c0\\u00af|"
                           "\\u00ed\\u00a0\\u0080|\\\"\\u0001|\\u00e2\\u0082\",\"none\":null}\n");
    free(s);
}

static void
write_ts(struct json *j, void *arg)
{
    (void)arg;
    json_obj_begin(j, NULL);
    json_ts(j, "t", 1795510861123456LL); /* 2026-11-24T09:01:01.123456Z */
    json_ts(j, "neg", -1);               /* one microsecond before the epoch */
    json_obj_end(j);
    json_record_end(j);
}

static void
test_timestamps(void **state)
{
    (void)state;
    char *s = tu_json_capture(write_ts, NULL);
    assert_string_equal(
        s, "{\"t\":\"2026-11-24T09:01:01.123456Z\",\"neg\":\"1969-12-31T23:59:59.999999Z\"}\n");
    free(s);
}

static void
test_null_stream_discards(void **state)
{
    (void)state;
    struct json j;
    json_init(&j, NULL);
    write_nested(&j, NULL);
    assert_int_equal(json_flush(&j), 0);
    assert_int_equal(j.len, 0);
    json_free(&j);
}

static void
write_big(struct json *j, void *arg)
{
    (void)arg;
    /* more than the flush threshold, across many records */
    for (int i = 0; i < 5000; i++) {
        json_obj_begin(j, NULL);
        json_int(j, "i", i);
        json_str(j, "pad", "0123456789012345678901234567890123456789");
        json_obj_end(j);
        json_record_end(j);
    }
}

static void
test_large_output_in_order(void **state)
{
    (void)state;
    char *s = tu_json_capture(write_big, NULL);
    int lines = 0;
    const char *p = s;
    for (; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 5000);
    assert_non_null(strstr(s, "{\"i\":4999,"));
    assert_true(strncmp(s, "{\"i\":0,", 7) == 0);
    free(s);
}

/* Every byte value at every offset of a 43-byte string (each position of
 * the 16-byte SSE2 steps, of the 8-byte word after them and of the bytes
 * left) escapes exactly as one byte at a time would. */
static uint8_t every_buf[43];

static void
write_every(struct json *j, void *arg)
{
    (void)arg;
    json_strn(j, NULL, every_buf, sizeof(every_buf));
}

static void
test_every_byte_every_offset(void **state)
{
    (void)state;
    for (unsigned pos = 0; pos < sizeof(every_buf); pos++)
        for (unsigned c = 0; c < 256; c++) {
            memset(every_buf, 'a', sizeof(every_buf));
            every_buf[pos] = (uint8_t)c;
            char want[96];
            const char *e;
            char u[8];
            if (c == '"')
                e = "\\\"";
            else if (c == '\\')
                e = "\\\\";
            else if (c == '\n')
                e = "\\n";
            else if (c == '\r')
                e = "\\r";
            else if (c == '\t')
                e = "\\t";
            else if (c < 0x20 || c >= 0x7f) {
                snprintf(u, sizeof(u), "\\u%04x", c);
                e = u;
            } else {
                u[0] = (char)c;
                u[1] = '\0';
                e = u;
            }
            static const char as[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)pos, as, e,
                     (int)(sizeof(every_buf) - pos - 1), as);
            char *got = tu_json_capture(write_every, NULL);
            assert_string_equal(got, want);
            free(got);
        }
}

/* Two bytes to escape at every pair of offsets: the scan goes on after
 * the first, inside the same step. */
static void
test_two_escapes_every_pair(void **state)
{
    (void)state;
    for (unsigned a = 0; a < sizeof(every_buf); a++)
        for (unsigned b = a + 1; b < sizeof(every_buf); b++) {
            memset(every_buf, 'x', sizeof(every_buf));
            every_buf[a] = '"';
            every_buf[b] = 0x80;
            char want[128], *o = want;
            *o++ = '"';
            for (unsigned i = 0; i < sizeof(every_buf); i++) {
                if (i == a)
                    o += sprintf(o, "\\\"");
                else if (i == b)
                    o += sprintf(o, "\\u0080");
                else
                    *o++ = 'x';
            }
            *o++ = '"';
            *o = '\0';
            char *got = tu_json_capture(write_every, NULL);
            assert_string_equal(got, want);
            free(got);
        }
}

/* Plain strings (nothing to escape: one copy with their quotes) of every
 * length 0-40, in a record of ~2 MB that outgrows the writer's buffer, so
 * both the one-copy path and the appending one are taken. */
static const char plain_text[] = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384-771,4866";

static void
write_plain(struct json *j, void *arg)
{
    (void)arg;
    char s[48];
    json_obj_begin(j, NULL);
    for (unsigned r = 0; r < 2000; r++)
        for (unsigned n = 0; n <= 40; n++) {
            memcpy(s, plain_text, n);
            s[n] = '\0';
            json_str(j, "k", s);
        }
    json_obj_end(j);
    json_record_end(j);
}

#define BIG_CAP (4u << 20) /* a record of the *_any_room tests */

/* A big record's expected text begun: '{' in a block of BIG_CAP bytes. */
static char *
big_begin(size_t *n)
{
    char *want = malloc(BIG_CAP);
    assert_non_null(want);
    want[0] = '{';
    *n = 1;
    return want;
}

/* The record's end put after want[0..n), then compared with what fn writes. */
static void
big_check(char *want, size_t n, void (*fn)(struct json *j, void *arg))
{
    assert_true(n + 3 < BIG_CAP);
    memcpy(want + n, "}\n", 3);
    n += 2;
    char *got = tu_json_capture(fn, NULL);
    assert_int_equal(strlen(got), n);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void
test_plain_strings_any_room(void **state)
{
    (void)state;
    size_t n;
    char *want = big_begin(&n);
    for (unsigned r = 0; r < 2000; r++)
        for (unsigned k = 0; k <= 40; k++) {
            assert_true(n + 64 < BIG_CAP);
            if (n > 1)
                want[n++] = ',';
            memcpy(want + n, "\"k\":\"", 5);
            n += 5;
            memcpy(want + n, plain_text, k);
            n += k;
            want[n++] = '"';
        }
    big_check(want, n, write_plain);
}

/* What json_strn writes for s[0..n), one byte at a time (the reference). */
static void
ref_escaped(const uint8_t *s, size_t n, char *out)
{
    *out++ = '"';
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            *out++ = '\\';
            *out++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c >= 0x7f) {
            out += sprintf(out, "\\u%04x", c);
        } else {
            *out++ = (char)c;
        }
    }
    *out++ = '"';
    *out = '\0';
}

struct scan_case {
    const uint8_t *s;
    size_t n;
};

static void
write_case(struct json *j, void *arg)
{
    const struct scan_case *c = arg;
    json_strn(j, NULL, c->s, c->n);
}

/* s[0..n) in a block of exactly n bytes (ASan: no read past it), written
 * as json_strn writes it, against the reference. */
static void
check_scan(const uint8_t *s, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    struct scan_case c = {copy, n};
    char want[6 * 64 + 3];
    ref_escaped(copy, n, want);
    char *got = tu_json_capture(write_case, &c);
    assert_string_equal(got, want);
    free(got);
    free(copy);
}

/* The bytes on each side of every test of the scan: controls and the
 * first plain byte, '"' and its neighbours, '\\' and its, DEL and the
 * bytes around it, the last byte. */
static const uint8_t edge[] = {0x00, 0x09, 0x1f, 0x20, '!',  '"',  '#',  '[',
                               '\\', ']',  0x7e, 0x7f, 0x80, 0xa2, 0xdc, 0xff};

/* Strings of every length 0-40 (the 16-byte steps, then two 8-byte words
 * that may overlap, two 4-byte halves, the last 1-3 bytes alone) with each
 * edge byte at each position: the first byte to escape is found exactly
 * whatever the length, and a plain edge byte is never taken for one. */
static void
test_scan_every_length(void **state)
{
    (void)state;
    uint8_t s[40];
    for (size_t n = 0; n <= sizeof(s); n++) {
        check_scan((const uint8_t *)"abcdefghijklmnopqrstuvwxyz0123456789ABCD", n);
        for (size_t pos = 0; pos < n; pos++)
            for (size_t e = 0; e < sizeof(edge); e++) {
                memset(s, 'q', n);
                s[pos] = edge[e];
                check_scan(s, n);
            }
    }
}

/* A byte to escape then an edge byte after it, at every pair of positions
 * of every length: the scan starts again just after the first, where the
 * bytes before its start (the one escaped) are in the words it reads. */
static void
test_scan_after_an_escape(void **state)
{
    (void)state;
    static const uint8_t first[] = {'"', '\\', '\n', 0x01, 0x7f, 0xc3};
    uint8_t s[40];
    for (size_t n = 2; n <= sizeof(s); n++)
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                memset(s, ' ', n);
                s[a] = first[(a + b) % sizeof(first)];
                s[b] = edge[(a * 7 + b) % sizeof(edge)];
                check_scan(s, n);
            }
}

/* Members of every kind, many times over, in one record that outgrows the
 * writer's buffer (each member's room is checked once, for its comma, key
 * and value together): the same bytes as written one at a time. */
static void
write_mixed(struct json *j, void *arg)
{
    (void)arg;
    json_obj_begin(j, NULL);
    for (unsigned r = 0; r < 6000; r++) {
        json_bool(j, "b", r & 1);
        json_uint(j, "u", (uint64_t)r * 1000003u);
        json_int(j, "i", -(int64_t)r);
        json_null(j, "n");
        json_ts(j, "t", 1795510861123456LL + r);
        json_arr_begin(j, "a");
        json_bool(j, NULL, !(r & 1));
        json_obj_begin(j, NULL);
        json_obj_end(j);
        json_arr_end(j);
        json_raw(j, "r", "[1,2]", 5);
    }
    json_obj_end(j);
    json_record_end(j);
}

static void
test_mixed_members_any_room(void **state)
{
    (void)state;
    size_t n;
    char *want = big_begin(&n);
    for (unsigned r = 0; r < 6000; r++)
        n += (size_t)snprintf(
            want + n, BIG_CAP - n,
            "%s\"b\":%s,\"u\":%llu,\"i\":%lld,\"n\":null,"
            "\"t\":\"2026-11-24T09:01:%02u.%06uZ\",\"a\":[%s,{}],\"r\":[1,2]",
            r ? "," : "", r & 1 ? "true" : "false", (unsigned long long)r * 1000003u, -(long long)r,
            1 + (123456 + r) / 1000000, (123456 + r) % 1000000, r & 1 ? "false" : "true");
    big_check(want, n, write_mixed);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_escapes_never_cut_at_nul),
        cmocka_unit_test(test_utf8_characters),
        cmocka_unit_test(test_every_byte_every_offset),
        cmocka_unit_test(test_two_escapes_every_pair),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_null_stream_discards),
        cmocka_unit_test(test_large_output_in_order),
        cmocka_unit_test(test_plain_strings_any_room),
        cmocka_unit_test(test_scan_every_length),
        cmocka_unit_test(test_scan_after_an_escape),
        cmocka_unit_test(test_mixed_members_any_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
