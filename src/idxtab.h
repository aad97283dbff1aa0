/* \summary: an open-addressing hash table of small indices (into an array
 * the caller owns), kept at most half full, its memory accounted in mem.c.
 * The caller hashes and compares its own keys. */
#ifndef SMTPTAP_IDXTAB_H
#define SMTPTAP_IDXTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idxtab {
    uint32_t *slots; /* index + 1, 0 = empty */
    uint32_t n_slots;
};

/* FNV-1a of a C string: the key hash for string-keyed tables. */
uint64_t idxtab_hash_str(const char *s);
/* The same over n bytes (the key of the JA3 and printed-name caches). */
uint64_t idxtab_hash_bytes(const void *p, size_t n);

/* The index stored under hash h for which eq(index, key) holds, or
 * UINT32_MAX. */
uint32_t idxtab_find(const struct idxtab *t, uint64_t h, bool (*eq)(uint32_t idx, const void *key),
                     const void *key);

/* Makes room for a (count + 1)-th entry, rehashing the count present ones
 * with hash_of(index, user) when it grows. False when memory is refused. */
bool idxtab_reserve(struct idxtab *t, uint32_t count,
                    uint64_t (*hash_of)(uint32_t idx, const void *user), const void *user);

/* Stores idx under h (after idxtab_reserve). */
void idxtab_insert(struct idxtab *t, uint64_t h, uint32_t idx);

void idxtab_free(struct idxtab *t);

#endif /* SMTPTAP_IDXTAB_H */
