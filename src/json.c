/* \summary: buffered NDJSON writer (RFC 8259 §7 string escaping). */
#include "json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSON_FLUSH_AT (64 * 1024)

void
json_init(struct json *j, FILE *f)
{
    memset(j, 0, sizeof(*j));
    j->f = f;
    j->first[0] = true;
}

int
json_flush(struct json *j)
{
    if (j->f && j->len && fwrite(j->buf, 1, j->len, j->f) != j->len)
        j->error = true;
    j->len = 0;
    if (j->f && fflush(j->f) != 0)
        j->error = true;
    return j->error ? -1 : 0;
}

void
json_free(struct json *j)
{
    free(j->buf);
    j->buf = NULL;
    j->len = j->cap = 0;
}

static void
json_put(struct json *j, const char *s, size_t n)
{
    if (!j->f)
        return;
    if (j->len + n > j->cap) {
        size_t cap = j->cap ? j->cap : JSON_FLUSH_AT * 2;
        while (cap < j->len + n)
            cap *= 2;
        char *nb = realloc(j->buf, cap);
        if (!nb) {
            j->error = true;
            return;
        }
        j->buf = nb;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

static void
json_puts(struct json *j, const char *s)
{
    json_put(j, s, strlen(s));
}

static void
json_escaped(struct json *j, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    json_put(j, "\"", 1);
    size_t run = 0; /* start of the pending run of plain bytes */
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            continue;
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
    json_put(j, "\"", 1);
}

/* Comma and key before a member. */
static void
json_member(struct json *j, const char *key)
{
    int d = j->depth < JSON_DEPTH_MAX ? j->depth : JSON_DEPTH_MAX - 1;
    if (!j->first[d])
        json_put(j, ",", 1);
    j->first[d] = false;
    if (key) {
        json_escaped(j, (const uint8_t *)key, strlen(key));
        json_put(j, ":", 1);
    }
}

static void
json_open(struct json *j, const char *key, char c)
{
    if (j->depth > 0)
        json_member(j, key);
    json_put(j, &c, 1);
    j->depth++;
    if (j->depth < JSON_DEPTH_MAX)
        j->first[j->depth] = true;
}

static void
json_close(struct json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    json_put(j, &c, 1);
}

void
json_obj_begin(struct json *j, const char *key)
{
    json_open(j, key, '{');
}
void
json_obj_end(struct json *j)
{
    json_close(j, '}');
}
void
json_arr_begin(struct json *j, const char *key)
{
    json_open(j, key, '[');
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
            j->error = true;
        j->len = 0;
    }
}

void
json_str(struct json *j, const char *key, const char *s)
{
    if (!s) {
        json_null(j, key);
        return;
    }
    json_member(j, key);
    json_escaped(j, (const uint8_t *)s, strlen(s));
}

void
json_strn(struct json *j, const char *key, const uint8_t *s, size_t n)
{
    if (!s) {
        json_null(j, key);
        return;
    }
    json_member(j, key);
    json_escaped(j, s, n);
}

void
json_int(struct json *j, const char *key, int64_t v)
{
    char b[24];
    json_member(j, key);
    snprintf(b, sizeof(b), "%" PRId64, v);
    json_puts(j, b);
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
    char b[24];
    json_member(j, key);
    snprintf(b, sizeof(b), "%" PRIu64, v);
    json_puts(j, b);
}

void
json_bool(struct json *j, const char *key, bool v)
{
    json_member(j, key);
    json_puts(j, v ? "true" : "false");
}

void
json_null(struct json *j, const char *key)
{
    json_member(j, key);
    json_puts(j, "null");
}

void
json_fmt_ts(char *out, size_t n, int64_t us)
{
    int64_t s = us / 1000000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        s--;
    }
    time_t t = (time_t)s;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, n, "invalid");
        return;
    }
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
}

void
json_ts(struct json *j, const char *key, int64_t us)
{
    char b[40];
    json_fmt_ts(b, sizeof(b), us);
    json_str(j, key, b);
}
