/* \summary: str_copy() and str_cat(), the bounded string copies used instead of
 * snprintf(dst, n, "%s", src): the same result (at most n - 1 bytes, always
 * terminated when n > 0; NULL copies as ""), without printf's format
 * machinery, which cost about a thousand instructions per call on the
 * per-session paths (bench/README.md); the digits and ISO-8601 dates
 * written the same way (str_utoa, str_digits, str_tm_iso); and struct
 * strbuf, a sentence built from pieces in a fixed buffer (the findings'
 * summaries), cut where snprintf would cut it. */
#ifndef SMTPTAP_STRCOPY_H
#define SMTPTAP_STRCOPY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

/* Returns the number of bytes copied (not counting the terminator). */
static inline size_t
str_copy(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return 0;
    size_t len = src != NULL ? strlen(src) : 0;
    if (len > n - 1)
        len = n - 1;
    if (len > 0)
        memcpy(dst, src, len);
    dst[len] = '\0';
    return len;
}

/* Appends the len bytes at src to dst, which holds a terminated string of
 * at bytes, cut at n - 1 bytes in all; terminates it. Returns the new
 * length. */
static inline size_t
str_append(char *dst, size_t n, size_t at, const char *src, size_t len)
{
    if (n == 0 || at >= n)
        return at;
    if (len > n - 1 - at)
        len = n - 1 - at;
    if (len > 0)
        memcpy(dst + at, src, len);
    dst[at + len] = '\0';
    return at + len;
}

/* Appends at most max bytes of src (NULL: nothing) to dst, which holds a
 * terminated string of at bytes: snprintf's "%.*s" after what is there,
 * cut at n - 1 bytes in all. Returns the new length. */
static inline size_t
str_cat(char *dst, size_t n, size_t at, const char *src, size_t max)
{
    return str_append(dst, n, at, src, src != NULL ? strnlen(src, max) : 0);
}

/* Whether s[i] is a backslash that begins an escape: the last of an odd
 * run of backslashes ending at i (an RFC 4514 "\\" is a backslash itself). */
static inline bool
str_escape_at(const char *s, size_t i)
{
    size_t k = i + 1;
    while (k > 0 && s[k - 1] == '\\')
        k--;
    return s[i] == '\\' && (i + 1 - k) % 2 == 1;
}

static inline bool
str_is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

/* Where to cut s (len bytes) to at most max bytes without splitting a UTF-8
 * sequence or an RFC 4514 escape ("\,", "\C3"): max, or a little less. */
static inline size_t
str_cut_at(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) /* s[k] continues a sequence */
        k--;
    if (k >= 1 && str_escape_at(s, k - 1))
        k -= 1;
    else if (k >= 2 && str_escape_at(s, k - 2) && str_is_hex(s[k - 1]) && str_is_hex(s[k]))
        k -= 2;
    return k;
}

/* Marks a string that was cut short to fit its buffer (n bytes), as its
 * writer knows (struct strbuf's cut): its end becomes "...", at a place
 * str_cut_at allows. A string that filled its buffer exactly, cut false,
 * is left whole. */
static inline void
str_mark_cut(char *s, size_t n, bool cut)
{
    if (!cut || n < 8)
        return;
    size_t len = strnlen(s, n - 1);
    if (len + 4 > n) /* room for "..." and the terminator */
        len = str_cut_at(s, len, n - 4);
    memcpy(s + len, "...", 4);
}

/* The decimal digits of v ("%llu"), written backwards ending just before
 * end (at most 20 bytes, no terminator); returns where they start. */
static inline char *
str_utoa(char *end, unsigned long long v)
{
    do
        *--end = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    return end;
}

/* Appends v in decimal ("%d"), as str_cat does. */
static inline size_t
str_cat_int(char *dst, size_t n, size_t at, long v)
{
    char b[24];
    b[sizeof(b) - 1] = '\0';
    char *p =
        str_utoa(b + sizeof(b) - 1, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
    if (v < 0)
        *--p = '-';
    return str_cat(dst, n, at, p, sizeof(b));
}

/* A string built from pieces in out[0..n): at most n - 1 bytes, always
 * terminated when n > 0, pieces beyond the room cut as snprintf cuts its
 * output. len is what the buffer holds; *cut, when given, becomes true
 * once a piece did not fit (the text was cut, not merely filled the
 * buffer: str_mark_cut). */
struct strbuf {
    char *s;
    size_t n, len;
    bool *cut;
};

static inline struct strbuf
str_buf(char *out, size_t n)
{
    if (n > 0)
        out[0] = '\0';
    return (struct strbuf){out, n, 0, NULL};
}

/* The same, recording in *cut whether the text was cut. */
static inline struct strbuf
str_buf_cut(char *out, size_t n, bool *cut)
{
    *cut = false;
    struct strbuf b = str_buf(out, n);
    b.cut = cut;
    return b;
}

/* Appends len bytes of p, or what room is left of them. */
static inline void
str_put(struct strbuf *b, const char *p, size_t len)
{
    size_t at = b->len;
    b->len = str_append(b->s, b->n, at, p, len);
    if (b->len - at < len && b->cut != NULL)
        *b->cut = true;
}

/* Appends at most max bytes of src ("%.*s"); NULL appends nothing, as
 * str_cat. */
static inline void
str_addn(struct strbuf *b, const char *src, size_t max)
{
    str_put(b, src, src != NULL ? strnlen(src, max) : 0);
}

/* Appends each string up to the terminating NULL ("%s%s..."): a NULL
 * piece ends the list, so pieces that may be NULL go through str_addn. */
__attribute__((sentinel)) static inline void
str_add(struct strbuf *b, ...)
{
    va_list ap;
    va_start(ap, b);
    for (const char *p; (p = va_arg(ap, const char *)) != NULL;)
        str_put(b, p, strlen(p));
    va_end(ap);
}

/* Appends v in decimal ("%llu"). */
static inline void
str_add_uint(struct strbuf *b, unsigned long long v)
{
    char d[24];
    char *p = str_utoa(d + sizeof(d), v);
    str_put(b, p, (size_t)(d + sizeof(d) - p));
}

/* Writes v as exactly n decimal digits ("%0*u" for values that fit; higher
 * digits are dropped), without a terminator. */
static inline void
str_digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* Writes "YYYY-MM-DDTHH:MM:SS" (STR_TM_ISO_LEN bytes, no terminator: RFC
 * 3339 §5.6 without fraction or offset) for a broken-down UTC time whose
 * year is 0..9999 and whose fields are in range, as gmtime_r() and
 * ASN1_TIME_to_tm() give them. */
#define STR_TM_ISO_LEN 19
static inline void
str_tm_iso(char *out, const struct tm *tm)
{
    str_digits(out, (unsigned)(tm->tm_year + 1900), 4);
    out[4] = '-';
    str_digits(out + 5, (unsigned)tm->tm_mon + 1, 2);
    out[7] = '-';
    str_digits(out + 8, (unsigned)tm->tm_mday, 2);
    out[10] = 'T';
    str_digits(out + 11, (unsigned)tm->tm_hour, 2);
    out[13] = ':';
    str_digits(out + 14, (unsigned)tm->tm_min, 2);
    out[16] = ':';
    str_digits(out + 17, (unsigned)tm->tm_sec, 2);
}

#endif /* SMTPTAP_STRCOPY_H */
