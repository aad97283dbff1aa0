/* \summary: the seeded hash of the run's lookup tables (the flow table,
 * IP fragment reassembly): NH (RFC 4418 §5.2.2, UMAC's inner hash) over
 * 64-bit words with a key derived from a per-run seed, then one mixing
 * round. Still a universal hash: without the seed, crafted addresses cannot
 * pile entries into one chain or probe run (Suricata CVE-2024-47187). */
#ifndef SMTPTAP_NHASH_H
#define SMTPTAP_NHASH_H

#include <stdint.h>

/* One NH term: the two 32-bit halves of a 64-bit word, each plus its key
 * word, multiplied. */
static inline uint64_t
nhash_term(uint64_t w, const uint32_t *key)
{
    return (uint64_t)((uint32_t)w + key[0]) * (uint32_t)((uint32_t)(w >> 32) + key[1]);
}

/* One mixing round (splitmix64's finaliser) of h with w. */
static inline uint64_t
nhash_mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 29;
    return h;
}

/* The table's 32-bit result: h after its mixing round, folded. */
static inline uint32_t
nhash_fold(uint64_t h, uint32_t seed)
{
    h = nhash_mix(h, seed);
    return (uint32_t)(h ^ (h >> 32));
}

/* n key words from the seed, by splitmix64 steps (two per NH term). */
static inline void
nhash_keys(uint32_t seed, uint32_t *key, unsigned n)
{
    uint64_t x = seed;
    for (unsigned i = 0; i < n; i++)
        key[i] = (uint32_t)(nhash_mix(x += 0x9e3779b97f4a7c15ull, 0) >> 16);
}

/* A random nonzero seed (getentropy, else the time and pid). */
uint32_t nhash_random_seed(void);

#endif /* SMTPTAP_NHASH_H */
