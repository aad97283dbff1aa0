/* \summary: a small buffered NDJSON writer (RFC 8259). Keys are written in
 * the order the caller gives them, so output is deterministic. Wire bytes are
 * escaped: control bytes and bytes >= 0x7f become \u00XX, so a NUL or a
 * Latin-1 byte never cuts or corrupts a string. */
#ifndef SMTPTAP_JSON_H
#define SMTPTAP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JSON_DEPTH_MAX 16

struct json {
    FILE *f; /* NULL: writes are discarded */
    char *buf;
    size_t len, cap;
    int depth;
    bool first[JSON_DEPTH_MAX]; /* no member written yet at this depth */
    bool error;                 /* a write failed (reported once by json_close) */
    int err;                    /* errno of the first failed write (EPIPE: the reader is gone) */
};

/* Re-emitting a value rendered earlier: json_pos() before and after writing
 * it delimits its bytes in json_data(); json_raw() writes a member whose
 * value is such bytes (a complete JSON value) as they are. */
size_t json_pos(const struct json *j);
const char *json_data(const struct json *j);
void json_raw_k(struct json *j, const char *key, size_t kn, const char *s, size_t n);

/* f may be NULL (everything is discarded). */
void json_init(struct json *j, FILE *f);
/* Flushes; returns 0, or -1 when a write failed. Does not fclose. */
int json_flush(struct json *j);
/* A write to j's file failed (errno says why): j->error is set, and j->err
 * keeps the first failure's errno. */
void json_failed(struct json *j);
void json_free(struct json *j);

/* key is NULL inside arrays and for the top-level object. */
void json_obj_begin_k(struct json *j, const char *key, size_t kn);
void json_obj_end(struct json *j);
void json_arr_begin_k(struct json *j, const char *key, size_t kn);
void json_arr_end(struct json *j);
/* Ends a top-level record: writes the newline. */
void json_record_end(struct json *j);

void json_str_k(struct json *j, const char *key, size_t kn, const char *s); /* NULL -> null */
/* Text meant as characters (the Windows form of a certificate name): each
 * well-formed UTF-8 sequence becomes \uXXXX (a surrogate pair above U+FFFF);
 * other bytes as json_str writes them. NULL -> null. */
void json_utf8_k(struct json *j, const char *key, size_t kn, const char *s);
void json_strn_k(struct json *j, const char *key, size_t kn, const uint8_t *s,
                 size_t n); /* raw bytes */
void json_int_k(struct json *j, const char *key, size_t kn, int64_t v);
void json_uint_k(struct json *j, const char *key, size_t kn, uint64_t v);
void json_bool_k(struct json *j, const char *key, size_t kn, bool v);
void json_null_k(struct json *j, const char *key, size_t kn);
/* Time in microseconds since the epoch as "2026-11-24T06:26:01.123456Z". */
void json_ts_k(struct json *j, const char *key, size_t kn, int64_t us);
/* Formats us like json_ts into out (at least 32 bytes). */
void json_fmt_ts(char *out, size_t n, int64_t us);

/* The calls everyone uses: the key's length is taken here, where the call
 * is written, so for a literal key the compiler folds it (a strlen per
 * member was ~3 % of a dense run). key NULL: inside arrays, top level.
 * Always inlined: gcc otherwise made out-of-line copies of some, where the
 * key is a parameter again and strlen ran for every member. */
#if defined(__GNUC__)
#define JSON_INLINE static inline __attribute__((always_inline))
#else
#define JSON_INLINE static inline
#endif
JSON_INLINE size_t
json_klen(const char *key)
{
    return key != NULL ? strlen(key) : 0;
}

JSON_INLINE void
json_raw(struct json *j, const char *key, const char *s, size_t n)
{
    json_raw_k(j, key, json_klen(key), s, n);
}

JSON_INLINE void
json_obj_begin(struct json *j, const char *key)
{
    json_obj_begin_k(j, key, json_klen(key));
}

JSON_INLINE void
json_arr_begin(struct json *j, const char *key)
{
    json_arr_begin_k(j, key, json_klen(key));
}

JSON_INLINE void
json_str(struct json *j, const char *key, const char *s)
{
    json_str_k(j, key, json_klen(key), s);
}

JSON_INLINE void
json_utf8(struct json *j, const char *key, const char *s)
{
    json_utf8_k(j, key, json_klen(key), s);
}

JSON_INLINE void
json_strn(struct json *j, const char *key, const uint8_t *s, size_t n)
{
    json_strn_k(j, key, json_klen(key), s, n);
}

JSON_INLINE void
json_int(struct json *j, const char *key, int64_t v)
{
    json_int_k(j, key, json_klen(key), v);
}

JSON_INLINE void
json_uint(struct json *j, const char *key, uint64_t v)
{
    json_uint_k(j, key, json_klen(key), v);
}

JSON_INLINE void
json_bool(struct json *j, const char *key, bool v)
{
    json_bool_k(j, key, json_klen(key), v);
}

JSON_INLINE void
json_null(struct json *j, const char *key)
{
    json_null_k(j, key, json_klen(key));
}

JSON_INLINE void
json_ts(struct json *j, const char *key, int64_t us)
{
    json_ts_k(j, key, json_klen(key), us);
}

#endif /* SMTPTAP_JSON_H */
