/* \summary: one DER element read with the bounds-checked reader (X.690
 * §8.1.2, §8.1.3): a low tag number and a definite length of at most four
 * bytes; anything else (a high tag number, the indefinite form) is
 * malformed here. */
#ifndef SMTPTAP_DER_H
#define SMTPTAP_DER_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* Reads one element at r: returns its tag (0 when malformed), its contents
 * as a child reader and, when whole is given, the element with its header. */
static inline uint8_t
der_element(struct rd *r, struct rd *contents, struct rd *whole)
{
    struct rd mark = *r;
    uint8_t tag = rd_u8(r, "der.tag");
    uint8_t b = rd_u8(r, "der.length");
    size_t len = b, hdr = 2;
    if (b & 0x80) {
        unsigned n = b & 0x7f;
        if (n == 0 || n > 4) {
            rd_invalid(r, "der.length");
            return 0;
        }
        len = 0;
        for (unsigned i = 0; i < n; i++)
            len = len << 8 | rd_u8(r, "der.length");
        hdr += n;
    }
    if ((tag & 0x1f) == 0x1f) {
        rd_invalid(r, "der.tag");
        return 0;
    }
    *contents = rd_sub(r, len, "der.contents");
    if (whole)
        *whole = rd_sub(&mark, hdr + len, "der.element");
    return rd_ok(r) ? tag : 0;
}

#endif /* SMTPTAP_DER_H */
