/* \summary: open-addressing index table (see idxtab.h). */
#include "idxtab.h"

#include <string.h>
#include <strings.h>

#include "mem.h"

uint32_t
idxtab_find(const struct idxtab *t, uint64_t h, bool (*eq)(uint32_t idx, const void *key),
            const void *key)
{
    if (t->n_slots == 0)
        return UINT32_MAX;
    uint32_t mask = t->n_slots - 1;
    for (uint32_t k = (uint32_t)h & mask; t->slots[k]; k = (k + 1) & mask)
        if (eq(t->slots[k] - 1, key))
            return t->slots[k] - 1;
    return UINT32_MAX;
}

void
idxtab_insert(struct idxtab *t, uint64_t h, uint32_t idx)
{
    uint32_t mask = t->n_slots - 1;
    uint32_t k = (uint32_t)h & mask;
    while (t->slots[k])
        k = (k + 1) & mask;
    t->slots[k] = idx + 1;
}

bool
idxtab_reserve(struct idxtab *t, uint32_t count,
               uint64_t (*hash_of)(uint32_t idx, const void *user), const void *user)
{
    if ((count + 1) * 2 <= t->n_slots)
        return true;
    struct idxtab nt;
    nt.n_slots = t->n_slots ? t->n_slots * 2 : 64;
    nt.slots = mem_alloc((size_t)nt.n_slots * sizeof(*nt.slots));
    if (!nt.slots)
        return false;
    for (uint32_t i = 0; i < count; i++)
        idxtab_insert(&nt, hash_of(i, user), i);
    idxtab_free(t);
    *t = nt;
    return true;
}

void
idxtab_free(struct idxtab *t)
{
    mem_free(t->slots, (size_t)t->n_slots * sizeof(*t->slots));
    t->slots = 0;
    t->n_slots = 0;
}

uint64_t
idxtab_hash_str(const char *s)
{
    return idxtab_hash_bytes(s, strlen(s));
}

uint64_t
idxtab_hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

uint64_t
idxtab_hash_nocase(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        uint8_t c = (uint8_t)*s;
        h = (h ^ (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c)) * 0x100000001b3ull;
    }
    return h;
}

uint64_t
idxtab_str_hash(const struct idxtab_strkeys *k, const char *key)
{
    return k->nocase ? idxtab_hash_nocase(key) : idxtab_hash_str(key);
}

/* What idxtab_find_str hands the comparison: the table's keys and the one
 * looked for. */
struct idxtab_str_find {
    const struct idxtab_strkeys *k;
    const char *key;
};

static bool
idxtab_str_eq(uint32_t idx, const void *p)
{
    const struct idxtab_str_find *f = p;
    const char *s = f->k->key_of(idx);
    return (f->k->nocase ? strcasecmp(s, f->key) : strcmp(s, f->key)) == 0;
}

static uint64_t
idxtab_str_hash_of(uint32_t idx, const void *user)
{
    const struct idxtab_strkeys *k = user;
    return idxtab_str_hash(k, k->key_of(idx));
}

uint32_t
idxtab_find_str(const struct idxtab *t, const struct idxtab_strkeys *k, uint64_t h, const char *key)
{
    struct idxtab_str_find f = {k, key};
    return idxtab_find(t, h, idxtab_str_eq, &f);
}

bool
idxtab_reserve_str(struct idxtab *t, uint32_t count, const struct idxtab_strkeys *k)
{
    return idxtab_reserve(t, count, idxtab_str_hash_of, k);
}
