/* \summary: the one bounds-checked reader every parser uses for wire bytes
 *
 * A cursor walks [p, end). Reads past the end set a sticky RD_TRUNCATED status
 * (more bytes would have been needed: the caller asks for them or reports a
 * truncation); a length field that does not fit its enclosing structure is
 * RD_INVALID (malformed: no amount of extra data would make it right). Once the
 * status is not RD_OK every read returns 0 / NULL, so a run of fields can be
 * decoded and the status checked once (Arkime BSB, netdissect GET_*).
 *
 * Pointer arithmetic is done by subtraction only: p + n is never formed before
 * it is known to be <= end (CERT VU#162289).
 */
#ifndef SMTPTAP_CURSOR_H
#define SMTPTAP_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum rd_status {
    RD_OK = 0,    /* all reads so far were in bounds */
    RD_TRUNCATED, /* a read needed bytes beyond the end of the buffer */
    RD_INVALID    /* a length or value is inconsistent with its container */
};

struct rd {
    const uint8_t *p;   /* next byte to read */
    const uint8_t *end; /* one past the last readable byte */
    enum rd_status st;  /* sticky status */
    const char *where;  /* static string naming the field that failed */
};

static inline struct rd
rd_init(const uint8_t *buf, size_t len)
{
    struct rd r;
    r.p = buf;
    r.end = len > 0 ? buf + len : buf; /* rd_init(NULL, 0): no arithmetic on NULL (C11 6.5.6) */
    r.st = RD_OK;
    r.where = NULL;
    return r;
}

static inline size_t
rd_left(const struct rd *r)
{
    return r->st == RD_OK ? (size_t)(r->end - r->p) : 0;
}

static inline bool
rd_ok(const struct rd *r)
{
    return r->st == RD_OK;
}

/* Marks the cursor malformed at field `what` (only the first failure is kept). */
static inline void
rd_invalid(struct rd *r, const char *what)
{
    if (r->st == RD_OK) {
        r->st = RD_INVALID;
        r->where = what;
    }
}

/* Returns true when n more bytes can be read; otherwise sets RD_TRUNCATED. */
static inline bool
rd_need(struct rd *r, size_t n, const char *what)
{
    if (r->st != RD_OK)
        return false;
    if ((size_t)(r->end - r->p) < n) {
        r->st = RD_TRUNCATED;
        r->where = what;
        return false;
    }
    return true;
}

static inline uint8_t
rd_u8(struct rd *r, const char *what)
{
    if (!rd_need(r, 1, what))
        return 0;
    return *r->p++;
}

static inline uint16_t
rd_be16(struct rd *r, const char *what)
{
    if (!rd_need(r, 2, what))
        return 0;
    uint16_t v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
    r->p += 2;
    return v;
}

static inline uint32_t
rd_be24(struct rd *r, const char *what)
{
    if (!rd_need(r, 3, what))
        return 0;
    uint32_t v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
    r->p += 3;
    return v;
}

static inline uint32_t
rd_be32(struct rd *r, const char *what)
{
    if (!rd_need(r, 4, what))
        return 0;
    uint32_t v =
        (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    return v;
}

static inline uint16_t
rd_le16(struct rd *r, const char *what)
{
    if (!rd_need(r, 2, what))
        return 0;
    uint16_t v = (uint16_t)((uint16_t)r->p[1] << 8 | r->p[0]);
    r->p += 2;
    return v;
}

static inline uint32_t
rd_le32(struct rd *r, const char *what)
{
    if (!rd_need(r, 4, what))
        return 0;
    uint32_t v =
        (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[1] << 8 | r->p[0];
    r->p += 4;
    return v;
}

/* Returns a pointer to the next n bytes (borrowed: valid while the buffer is)
 * and advances, or NULL with RD_TRUNCATED. */
static inline const uint8_t *
rd_bytes(struct rd *r, size_t n, const char *what)
{
    if (!rd_need(r, n, what))
        return NULL;
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}

/* Big-endian fields of a fixed-size block that rd_bytes() has already
 * bounds-checked as a whole (a header of known length): b[off..off+1] must
 * lie inside that block. One check per header instead of one per field. */
static inline uint16_t
rd_blk_be16(const uint8_t *b, size_t off)
{
    return (uint16_t)((uint16_t)b[off] << 8 | b[off + 1]);
}

static inline uint32_t
rd_blk_be32(const uint8_t *b, size_t off)
{
    return (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 | (uint32_t)b[off + 2] << 8 |
           b[off + 3];
}

static inline bool
rd_skip(struct rd *r, size_t n, const char *what)
{
    return rd_bytes(r, n, what) != NULL || n == 0;
}

/* Copies n bytes into dst (which holds at least n). */
static inline bool
rd_copy(struct rd *r, void *dst, size_t n, const char *what)
{
    const uint8_t *q = rd_bytes(r, n, what);
    if (q == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)dst)[i] = q[i];
    return true;
}

/* Child cursor over the next n bytes (a length-prefixed vector inside a
 * complete structure). If the vector overruns its container the parent
 * becomes RD_INVALID (malformed, not truncated) and the child is empty and
 * invalid too. */
static inline struct rd
rd_sub(struct rd *r, size_t n, const char *what)
{
    struct rd c;
    if (r->st == RD_OK && (size_t)(r->end - r->p) >= n) {
        c = rd_init(r->p, n);
        r->p += n;
        return c;
    }
    rd_invalid(r, what);
    c = rd_init(r->end, 0);
    c.st = RD_INVALID;
    c.where = what;
    return c;
}

/* Peek at byte i ahead without consuming; returns -1 if not available. */
static inline int
rd_peek(const struct rd *r, size_t i)
{
    if (r->st != RD_OK || (size_t)(r->end - r->p) <= i)
        return -1;
    return r->p[i];
}

/* Offset of the first byte equal to c from the cursor, or -1 (no state change). */
static inline long
rd_find(const struct rd *r, uint8_t c)
{
    if (r->st != RD_OK || r->p >= r->end)
        return -1;
    const uint8_t *q = memchr(r->p, c, (size_t)(r->end - r->p)); /* SMTP lines: vectorised */
    return q ? (long)(q - r->p) : -1;
}

#endif /* SMTPTAP_CURSOR_H */
