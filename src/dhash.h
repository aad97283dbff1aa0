/* \summary: the fast hash of DER bytes that the certificate cache and the
 * OCSP memo look entries up by (certcache.c, ocsp.c): not keyed, not
 * cryptographic; every match is confirmed byte for byte. */
#ifndef SMTPTAP_DHASH_H
#define SMTPTAP_DHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
dhash_lane(uint64_t h, const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    h ^= v * 0xc4ceb9fe1a85ec53ull;
    return (h << 31 | h >> 33) * 0x9e3779b97f4a7c15ull;
}

/* 64-bit hash of n bytes (a multiply-xorshift mix), 32 bytes a step in
 * four independent lanes: one lane's chain of multiplies made the hash of
 * every certificate sighting cost ~1 us (issue 5). Not cryptographic: a
 * match is always confirmed with memcmp. */
static inline uint64_t
dhash(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    uint64_t l1 = h ^ 1, l2 = h ^ 2, l3 = h ^ 3;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        h = dhash_lane(h, p + i);
        l1 = dhash_lane(l1, p + i + 8);
        l2 = dhash_lane(l2, p + i + 16);
        l3 = dhash_lane(l3, p + i + 24);
    }
    h ^= (l1 << 17 | l1 >> 47) ^ (l2 << 34 | l2 >> 30) ^ (l3 << 51 | l3 >> 13);
    for (; i + 8 <= n; i += 8)
        h = dhash_lane(h, p + i);
    uint64_t t = 0;
    for (size_t k = 0; i < n; i++, k++)
        t |= (uint64_t)p[i] << (8 * k);
    h ^= t * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

#endif /* SMTPTAP_DHASH_H */
