/* \summary: str_copy() and str_cat(), the bounded string copies used instead of
 * snprintf(dst, n, "%s", src): the same result (at most n - 1 bytes, always
 * terminated when n > 0; NULL copies as ""), without printf's format
 * machinery, which cost about a thousand instructions per call on the
 * per-session paths (bench/README.md). */
#ifndef SMTPTAP_STRCOPY_H
#define SMTPTAP_STRCOPY_H

#include <stddef.h>
#include <string.h>

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

/* Appends at most max bytes of src (NULL: nothing) to dst, which holds a
 * terminated string of at bytes: snprintf's "%.*s" after what is there,
 * cut at n - 1 bytes in all. Returns the new length. */
static inline size_t
str_cat(char *dst, size_t n, size_t at, const char *src, size_t max)
{
    if (n == 0 || at >= n)
        return at;
    size_t len = src != NULL ? strnlen(src, max) : 0;
    if (len > n - 1 - at)
        len = n - 1 - at;
    if (len > 0)
        memcpy(dst + at, src, len);
    dst[at + len] = '\0';
    return at + len;
}

/* Appends v in decimal ("%d"), as str_cat does. */
static inline size_t
str_cat_int(char *dst, size_t n, size_t at, long v)
{
    char b[24], *p = b + sizeof(b);
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
    *--p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    return str_cat(dst, n, at, p, sizeof(b));
}

#endif /* SMTPTAP_STRCOPY_H */
