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

/* ---- tables keyed by a string the caller keeps for each index ---- */

/* How such a table reads its keys: key_of(idx) is index idx's string;
 * nocase: compared (strcasecmp) and hashed (idxtab_hash_nocase) without
 * regard to ASCII case. One of these serves as both the comparison and the
 * rehash of idxtab_find and idxtab_reserve. */
struct idxtab_strkeys {
    const char *(*key_of)(uint32_t idx);
    bool nocase;
};

/* FNV-1a of s with ASCII upper case read as lower case: idxtab_hash_str of
 * the lower-cased string. */
uint64_t idxtab_hash_nocase(const char *s);
/* The hash of the string key as the table k hashes its keys. */
uint64_t idxtab_str_hash(const struct idxtab_strkeys *k, const char *key);
/* idxtab_find for a table of string keys: the index stored under hash h
 * whose key equals key, or UINT32_MAX. */
uint32_t idxtab_find_str(const struct idxtab *t, const struct idxtab_strkeys *k, uint64_t h,
                         const char *key);
/* idxtab_reserve for a table of string keys (the present ones rehashed
 * through k). */
bool idxtab_reserve_str(struct idxtab *t, uint32_t count, const struct idxtab_strkeys *k);

#endif /* SMTPTAP_IDXTAB_H */
