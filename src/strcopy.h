/* \summary: str_copy(), the bounded string copy used instead of
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

#endif /* SMTPTAP_STRCOPY_H */
