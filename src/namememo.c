/* \summary: name-check results per (certificate, name) (see namememo.h).
 * A set-associative table: the pair's hash picks a set of NAMEMEMO_WAYS
 * entries, kept in most-recently-used order; a hit moves to the front, a
 * new pair goes in front and pushes the last out. */
#include "namememo.h"

#include <stdlib.h>
#include <string.h>

#include "idxtab.h"

struct namememo_slot {
    uint32_t cert_id; /* 0 = empty */
    uint8_t len;
    bool match;
    uint8_t sha256[8];
    char name[NAMEMEMO_NAME_MAX + 1];
};

static struct namememo_slot *nm_table; /* NAMEMEMO_SETS * NAMEMEMO_WAYS */

bool
namememo_init(void)
{
    free(nm_table);
    nm_table = calloc((size_t)NAMEMEMO_SETS * NAMEMEMO_WAYS, sizeof(*nm_table));
    return nm_table != NULL;
}

void
namememo_fini(void)
{
    free(nm_table);
    nm_table = NULL;
}

static struct namememo_slot *
nm_set(uint32_t cert_id, const char *name, size_t len)
{
    uint64_t h = idxtab_hash_bytes(name, len) ^ (uint64_t)cert_id * 0x9e3779b97f4a7c15ull;
    return &nm_table[(size_t)((h >> 17) % NAMEMEMO_SETS) * NAMEMEMO_WAYS];
}

static bool
nm_is(const struct namememo_slot *s, uint32_t cert_id, const uint8_t sha256_8[8], const char *name,
      size_t len)
{
    return s->cert_id == cert_id && s->len == len && memcmp(s->sha256, sha256_8, 8) == 0 &&
           memcmp(s->name, name, len) == 0;
}

/* Moves set[k] to the front, the ones before it one place back. */
static void
nm_to_front(struct namememo_slot *set, unsigned k)
{
    if (k == 0)
        return;
    struct namememo_slot s = set[k];
    memmove(&set[1], &set[0], k * sizeof(*set));
    set[0] = s;
}

int
namememo_get(uint32_t cert_id, const uint8_t sha256_8[8], const char *name)
{
    size_t len = strlen(name);
    if (nm_table == NULL || cert_id == 0 || len > NAMEMEMO_NAME_MAX)
        return -1;
    struct namememo_slot *set = nm_set(cert_id, name, len);
    for (unsigned k = 0; k < NAMEMEMO_WAYS; k++)
        if (nm_is(&set[k], cert_id, sha256_8, name, len)) {
            bool match = set[k].match;
            nm_to_front(set, k);
            return match;
        }
    return -1;
}

void
namememo_put(uint32_t cert_id, const uint8_t sha256_8[8], const char *name, bool match)
{
    size_t len = strlen(name);
    if (nm_table == NULL || cert_id == 0 || len > NAMEMEMO_NAME_MAX)
        return;
    struct namememo_slot *set = nm_set(cert_id, name, len);
    unsigned k = 0;
    while (k < NAMEMEMO_WAYS - 1 && !nm_is(&set[k], cert_id, sha256_8, name, len))
        k++; /* the pair itself if present, else the last (least recent) */
    struct namememo_slot *s = &set[k];
    s->cert_id = cert_id;
    s->len = (uint8_t)len;
    s->match = match;
    memcpy(s->sha256, sha256_8, 8);
    memcpy(s->name, name, len);
    s->name[len] = '\0';
    nm_to_front(set, k);
}
