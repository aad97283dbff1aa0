/* \summary: buffered NDJSON writer (RFC 8259 §7 string escaping). */
#include "json.h"
#include "strcopy.h"
#include "utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define JSON_FLUSH_AT (64 * 1024)

/* The slow paths (growing the buffer) out of line: inline, their calls made
 * every writer save and restore registers on its fast path too, ~13
 * instructions per member (issue 5). */
#if defined(__GNUC__)
#define JSON_COLD __attribute__((noinline, cold))
#else
#define JSON_COLD
#endif

void
json_init(struct json *j, FILE *f)
{
    memset(j, 0, sizeof(*j));
    j->f = f;
    j->first[0] = true;
}

/* A write failed: remembered with its errno (the first one), which glibc's
 * stdio may not report again once it has dropped its buffer. */
void
json_failed(struct json *j)
{
    if (!j->error)
        j->err = errno;
    j->error = true;
}

int
json_flush(struct json *j)
{
    if (j->f && j->len && fwrite(j->buf, 1, j->len, j->f) != j->len)
        json_failed(j);
    j->len = 0;
    if (j->f && fflush(j->f) != 0)
        json_failed(j);
    return j->error ? -1 : 0;
}

void
json_free(struct json *j)
{
    free(j->buf);
    j->buf = NULL;
    j->len = j->cap = 0;
}

/* Grows the buffer for n more bytes; false when writes are discarded (no
 * file) or out of memory. */
static JSON_COLD bool
json_grow(struct json *j, size_t n)
{
    if (!j->f)
        return false;
    size_t cap = j->cap ? j->cap : JSON_FLUSH_AT * 2;
    while (cap < j->len + n)
        cap *= 2;
    char *nb = realloc(j->buf, cap);
    if (!nb) {
        errno = ENOMEM;
        json_failed(j);
        return false;
    }
    j->buf = nb;
    j->cap = cap;
    return true;
}

/* Copies n bytes: up to 32 inline, with overlapping fixed-size moves (no
 * byte read or written outside the n), longer ones with memcpy. Most of a
 * record is keys and values of a few bytes, and a call to memcpy for each
 * was 3 % of the dense capture (issue 5); keys of 17 to 32 bytes
 * ("client_certificate_requested") were a memcpy call each still. */
static inline void
json_copy(char *d, const void *src, size_t n)
{
    const char *s = src;
    if (n > 16 && n <= 32) {
        uint64_t a, b, c, e;
        memcpy(&a, s, 8);
        memcpy(&b, s + 8, 8);
        memcpy(&c, s + n - 16, 8);
        memcpy(&e, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + 8, &b, 8);
        memcpy(d + n - 16, &c, 8);
        memcpy(d + n - 8, &e, 8);
    } else if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n > 16) {
        memcpy(d, s, n);
    } else if (n > 0) {
        /* 1 to 3 bytes: the first, middle and last (the same for n 1):
         * a loop here became a memcpy call again (gcc's loop idioms), for
         * every short number */
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

static inline void
json_put(struct json *j, const char *s, size_t n)
{
    if (j->len + n > j->cap && !json_grow(j, n))
        return;
    json_copy(j->buf + j->len, s, n);
    j->len += n;
}

/* Bytes that need escaping (RFC 8259 §7): controls, '"', '\\', and, by our
 * rule, DEL and every byte >= 0x80 (shown, not interpreted). */
static bool
json_needs_escape(uint8_t c)
{
    return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

/* The bytes of the 8 in w that need escaping, each as its top bit (0x80)
 * set, exactly: no carry or borrow crosses a byte (the low 7 bits are
 * added to at most 0x7f + 0x7f), so unlike the classic zero-byte test a hit
 * marks no byte above it, and any of the marks may be trusted. */
static inline uint64_t
json_swar(uint64_t w)
{
    const uint64_t low = 0x7f7f7f7f7f7f7f7full, ones = 0x0101010101010101ull;
    uint64_t l = w & low;
    uint64_t ctl = ~(l + ones * (0x80 - 0x20)); /* low 7 bits below 0x20 */
    uint64_t q = l ^ (ones * '"'), b = l ^ (ones * '\\'), d = l ^ (ones * 0x7f);
    /* a byte of q, b or d is 0 exactly when (x + 0x7f) leaves its top bit clear */
    uint64_t eq = ~((q + low) & (b + low) & (d + low));
    return (ctl | eq | w) & ~low; /* w: bytes >= 0x80 */
}

/* The index in its word of the first byte json_swar marked (h != 0): the
 * lowest-addressed, the least significant on a little-endian CPU. */
static inline size_t
json_first(uint64_t h)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (size_t)__builtin_clzll(h) / 8;
#else
    return (size_t)__builtin_ctzll(h) / 8;
#endif
}

/* The index of the first byte at or after i that needs escaping, or n.
 * Plain text is skipped 16 bytes per step with SSE2 (every x86-64 CPU has
 * it): a byte below 0x20 or at or above 0x80 (signed, both are "less than
 * 0x20"), DEL, '"' or '\\'. What is left (under 16 bytes), and short strings,
 * are checked at most 8 bytes at a time with json_swar, two words that may
 * overlap covering 8-16 bytes, two 4-byte halves 4-7, so no byte is tested
 * alone but the last 1-3 of a string under 4 bytes. Record strings are
 * mostly plain and short: scanning them was 7 % of the dense slice in
 * callgrind, over half of it the bytes after the last 16-byte step, one at
 * a time (issue 5). */
static size_t
json_scan(const uint8_t *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i ctl = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
    const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, ctl), _mm_cmpeq_epi8(v, del)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl)));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i + 16 <= n) { /* without SSE2 */
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t h = json_swar(w);
        if (h != 0)
            return i + json_first(h);
        i += 8;
    }
    size_t left = n - i;
    if (left >= 8) { /* s[i, i+8) and s[n-8, n): n-8 >= i, so no byte before i */
        uint64_t a, b;
        memcpy(&a, s + i, 8);
        memcpy(&b, s + n - 8, 8);
        uint64_t h = json_swar(a);
        if (h != 0)
            return i + json_first(h);
        h = json_swar(b);
        return h != 0 ? n - 8 + json_first(h) : n;
    }
    if (left >= 4) { /* s[i, i+4) as the low half, s[n-4, n) as the high */
        uint32_t a, b;
        memcpy(&a, s + i, 4);
        memcpy(&b, s + n - 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        uint64_t h = json_swar((uint64_t)a << 32 | b);
#else
        uint64_t h = json_swar((uint64_t)a | (uint64_t)b << 32);
#endif
        if (h == 0)
            return n;
        size_t k = json_first(h);
        return k < 4 ? i + k : n - 8 + k;
    }
    while (i < n && !json_needs_escape(s[i]))
        i++;
    return i;
}

/* Writes s[0..n) escaped, without quotes; i is json_scan's first hit. */
static void
json_escape_run(struct json *j, const uint8_t *s, size_t n, size_t i)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* start of the pending run of plain bytes */
    for (; i < n; i = json_scan(s, i + 1, n)) {
        uint8_t c = s[i];
        json_put(j, (const char *)s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            json_put(j, "\\\"", 2);
            break;
        case '\\':
            json_put(j, "\\\\", 2);
            break;
        case '\n':
            json_put(j, "\\n", 2);
            break;
        case '\r':
            json_put(j, "\\r", 2);
            break;
        case '\t':
            json_put(j, "\\t", 2);
            break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            json_put(j, e, 6);
        }
        }
    }
    json_put(j, (const char *)s + run, n - run);
}

static inline char *json_member_room(struct json *j, const char *key, size_t n, size_t vmax);
static inline void json_end(struct json *j, char *o);

/* A member whose value is s[0..n) as a JSON string. */
static void
json_member_escaped(struct json *j, const char *key, size_t kn, const uint8_t *s, size_t n)
{
    size_t i = json_scan(s, 0, n);
    char *o = json_member_room(j, key, kn, i == n ? n + 2 : 1);
    if (!o)
        return;
    *o++ = '"';
    if (i == n) { /* nothing to escape (most strings): text and quotes in one go */
        json_copy(o, s, n);
        o[n] = '"';
        json_end(j, o + n + 1);
        return;
    }
    json_end(j, o);
    json_escape_run(j, s, n, i);
    json_put(j, "\"", 1);
}

/* json_escape_run over s[0..n) from its start. */
static void
json_escape_plain(struct json *j, const uint8_t *s, size_t n)
{
    json_escape_run(j, s, n, json_scan(s, 0, n));
}

/* \uXXXX of one UTF-16 code unit. */
static void
json_u16(struct json *j, uint32_t u)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', hex[u >> 12 & 15], hex[u >> 8 & 15], hex[u >> 4 & 15], hex[u & 15]};
    json_put(j, e, 6);
}

/* Whether a comma goes before the next member at j's depth (there is one
 * before it), which it then has. */
static inline bool
json_comma(struct json *j)
{
    int d = j->depth < JSON_DEPTH_MAX ? j->depth : JSON_DEPTH_MAX - 1;
    bool comma = !j->first[d];
    j->first[d] = false;
    return comma;
}

/* Comma and key before a member (key NULL: the comma only) with room for
 * vmax more bytes of its value, checked once for all of them: where to
 * write the value (then json_end), or NULL when nothing is written (no
 * file, or out of memory). Keys are our own ASCII identifiers, written as
 * they are; their length comes from the caller (json.h: folded for
 * literals). */
static inline char *
json_member_room(struct json *j, const char *key, size_t n, size_t vmax)
{
    bool comma = json_comma(j);
    size_t need = n + 4 + vmax;
    if (j->len + need > j->cap && !json_grow(j, need))
        return NULL;
    char *o = j->buf + j->len;
    *o = ',';
    o += comma;
    if (key) {
        *o++ = '"';
        json_copy(o, key, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
    }
    return o;
}

/* The bytes written up to o (from json_member_room) are j's. */
static inline void
json_end(struct json *j, char *o)
{
    j->len = (size_t)(o - j->buf);
}

/* Comma and key before a member whose value the caller writes. */
static void
json_member(struct json *j, const char *key, size_t n)
{
    char *o = json_member_room(j, key, n, 0);
    if (o)
        json_end(j, o);
}

static void
json_open(struct json *j, const char *key, size_t kn, char c)
{
    if (j->depth > 0) {
        char *o = json_member_room(j, key, kn, 1);
        if (o) {
            *o++ = c;
            json_end(j, o);
        }
    } else {
        json_put(j, &c, 1);
    }
    j->depth++;
    if (j->depth < JSON_DEPTH_MAX)
        j->first[j->depth] = true;
}

static void
json_close(struct json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    if (j->len < j->cap || json_grow(j, 1))
        j->buf[j->len++] = c;
}

void
json_obj_begin_k(struct json *j, const char *key, size_t kn)
{
    json_open(j, key, kn, '{');
}
size_t
json_pos(const struct json *j)
{
    return j->len;
}

const char *
json_data(const struct json *j)
{
    return j->buf;
}

void
json_raw_k(struct json *j, const char *key, size_t kn, const char *s, size_t n)
{
    char *o = json_member_room(j, key, kn, n);
    if (o) {
        json_copy(o, s, n);
        json_end(j, o + n);
    }
}

void
json_obj_end(struct json *j)
{
    json_close(j, '}');
}
void
json_arr_begin_k(struct json *j, const char *key, size_t kn)
{
    json_open(j, key, kn, '[');
}
void
json_arr_end(struct json *j)
{
    json_close(j, ']');
}

void
json_record_end(struct json *j)
{
    json_put(j, "\n", 1);
    j->depth = 0;
    j->first[0] = true;
    if (j->len >= JSON_FLUSH_AT && j->f) {
        if (fwrite(j->buf, 1, j->len, j->f) != j->len)
            json_failed(j);
        j->len = 0;
    }
}

void
json_str_k(struct json *j, const char *key, size_t kn, const char *s)
{
    if (!s) {
        json_null_k(j, key, kn);
        return;
    }
    json_member_escaped(j, key, kn, (const uint8_t *)s, strlen(s));
}

void
json_utf8_k(struct json *j, const char *key, size_t kn, const char *str)
{
    if (!str) {
        json_null_k(j, key, kn);
        return;
    }
    json_member(j, key, kn);
    const uint8_t *s = (const uint8_t *)str;
    size_t n = strlen(str), run = 0;
    json_put(j, "\"", 1);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t len = s[i] >= 0x80 ? utf8_decode(s + i, n - i, &cp) : 0;
        if (len == 0) { /* ASCII, or a byte that is not UTF-8: the usual rules */
            i++;
            continue;
        }
        json_escape_plain(j, s + run, i - run);
        if (cp >= 0x10000) { /* RFC 8259 §7: a surrogate pair */
            json_u16(j, 0xD800 + ((cp - 0x10000) >> 10));
            json_u16(j, 0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            json_u16(j, cp);
        }
        i += len;
        run = i;
    }
    json_escape_plain(j, s + run, n - run);
    json_put(j, "\"", 1);
}

void
json_strn_k(struct json *j, const char *key, size_t kn, const uint8_t *s, size_t n)
{
    if (!s) {
        json_null_k(j, key, kn);
        return;
    }
    json_member_escaped(j, key, kn, s, n);
}

/* A member whose value is the n (at most 24) bytes at p. */
static inline void
json_member_short(struct json *j, const char *key, size_t kn, const char *p, size_t n)
{
    char *o = json_member_room(j, key, kn, 24);
    if (o) {
        json_copy(o, p, n);
        json_end(j, o + n);
    }
}

void
json_int_k(struct json *j, const char *key, size_t kn, int64_t v)
{
    char b[24];
    char *p = str_utoa(b + sizeof(b), v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    json_member_short(j, key, kn, p, (size_t)(b + sizeof(b) - p));
}

void
json_uint_k(struct json *j, const char *key, size_t kn, uint64_t v)
{
    char b[24];
    char *p = str_utoa(b + sizeof(b), v);
    json_member_short(j, key, kn, p, (size_t)(b + sizeof(b) - p));
}

void
json_bool_k(struct json *j, const char *key, size_t kn, bool v)
{
    /* 8 bytes stored at once (room made for them), 4 or 5 of them kept */
    static const char t[2][8] = {"false", "true"};
    char *o = json_member_room(j, key, kn, 8);
    if (o) {
        memcpy(o, t[v], 8);
        json_end(j, o + (v ? 4 : 5));
    }
}

void
json_null_k(struct json *j, const char *key, size_t kn)
{
    char *o = json_member_room(j, key, kn, 4);
    if (o) {
        memcpy(o, "null", 4);
        json_end(j, o + 4);
    }
}

void
json_fmt_ts(char *out, size_t n, int64_t us)
{
    /* The date and time of the last second formatted, reused: records of
     * one capture mostly fall in the same second as the previous one. */
    static int64_t cached_s = INT64_MIN;
    static char cached[STR_TM_ISO_LEN + 1]; /* "2026-11-24T06:26:01" */
    int64_t s = us / 1000000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        s--;
    }
    if (s != cached_s) {
        time_t t = (time_t)s;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
            snprintf(out, n, "invalid");
            return;
        }
        str_tm_iso(cached, &tm);
        cached_s = s;
    }
    if (n < 28) {
        if (n)
            out[0] = '\0';
        return;
    }
    memcpy(out, cached, 19);
    out[19] = '.';
    str_digits(out + 20, (unsigned)frac, 6);
    out[26] = 'Z';
    out[27] = '\0';
}

void
json_ts_k(struct json *j, const char *key, size_t kn, int64_t us)
{
    /* Digits, '-', ':', 'T', '.', 'Z' or "invalid": nothing to escape;
     * formatted in place (at most 27 bytes and the terminator) */
    char *o = json_member_room(j, key, kn, 32);
    if (o) {
        *o++ = '"';
        json_fmt_ts(o, 30, us);
        o += strlen(o);
        *o++ = '"';
        json_end(j, o);
    }
}
