/* \summary: the Internet checksum (RFC 1071 §4.1) of bytes smtptap
 * rewrites: a reassembled IPv4 header (defrag.c), the outer headers -w
 * puts around a datagram reassembled inside a tunnel (evidence_outer.c). */
#ifndef SMTPTAP_INETSUM_H
#define SMTPTAP_INETSUM_H

#include <stdint.h>

#include "cursor.h"

/* The one's complement sum of n bytes at p (an odd last byte padded with a
 * zero, RFC 1071 §4.1), added to sum and folded to 16 bits; the checksum
 * field is its complement, (uint16_t)~inetsum_add(...). */
static inline uint32_t
inetsum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
    struct rd r = rd_init(p, n);
    while (rd_left(&r) >= 2)
        sum += rd_be16(&r, "csum");
    if (rd_left(&r) == 1)
        sum += (uint32_t)rd_u8(&r, "csum") << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

#endif
