/* \summary: TLSA records by owner name (see tlsa.h): an array grown to the
 * cap as records come, with a hash index of each owner's first record;
 * names compared and hashed without regard to case (RFC 4343 §2), as
 * dnslearn.c does. The --tlsa file's lines are read in tlsa_zone.c. */
#include "tlsa.h"

#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "idxtab.h"
#include "mem.h"

#define TLSA_FIRST_CAP 16

static struct {
    struct tlsa_ent *v;
    uint32_t n, cap, max;
    struct idxtab by_owner; /* an owner's first record */
    uint64_t dropped;
} tl;

void
tlsa_init(uint32_t max_entries)
{
    tlsa_fini();
    tl.max = max_entries ? max_entries : 1;
}

void
tlsa_fini(void)
{
    for (uint32_t i = 0; i < tl.n; i++)
        mem_free(tl.v[i].full, tl.v[i].rr.len);
    mem_free(tl.v, (size_t)tl.cap * sizeof(*tl.v));
    idxtab_free(&tl.by_owner);
    memset(&tl, 0, sizeof(tl));
}

/* The kept form of an owner name: its first TLSA_NAME_MAX - 1 bytes,
 * without a trailing dot, lower-cased (ASCII). */
static void
tlsa_norm(char *dst, const char *src)
{
    size_t n = strnlen(src, TLSA_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] >= 'A' && src[i] <= 'Z' ? (char)(src[i] - 'A' + 'a') : src[i];
    if (n > 0 && dst[n - 1] == '.')
        n--;
    dst[n] = '\0';
}

/* by_owner's keys: the records' owner names (kept lower case) */
static const char *
tlsa_owner_of(uint32_t i)
{
    return tl.v[i].owner;
}

static const struct idxtab_strkeys tlsa_owners = {tlsa_owner_of, false};

static bool
tlsa_same(const struct tlsa_rr *a, const struct tlsa_rr *b)
{
    return a->usage == b->usage && a->selector == b->selector && a->mtype == b->mtype &&
           a->hashed == b->hashed && a->len == b->len &&
           memcmp(a->data, b->data, TLSA_DATA_MAX) == 0;
}

/* Room for one more record: grown by doubling up to tl.max. */
static bool
tlsa_room(void)
{
    if (tl.n < tl.cap)
        return true;
    return !mem_run_tables_full() &&
           mem_grow((void **)&tl.v, tl.n, &tl.cap, sizeof(*tl.v), TLSA_FIRST_CAP, tl.max);
}

int
tlsa_add(const char *owner, uint8_t usage, uint8_t selector, uint8_t mtype, const uint8_t *data,
         size_t len, bool ad, enum tlsa_source source)
{
    struct tlsa_rr rr;
    memset(&rr, 0, sizeof(rr));
    rr.usage = usage;
    rr.selector = selector;
    rr.mtype = mtype;
    rr.len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
    rr.hashed = !((mtype == 1 || mtype == 2) && len <= TLSA_DATA_MAX);
    if (!rr.hashed) {
        if (len > 0)
            memcpy(rr.data, data, len);
    } else {
        unsigned dl = 0;
        if (EVP_Digest(len ? data : (const uint8_t *)"", len, rr.data, &dl, EVP_sha256(), NULL) !=
            1) {
            tl.dropped++;
            return -1;
        }
    }
    char key[TLSA_NAME_MAX];
    tlsa_norm(key, owner);
    uint64_t h = idxtab_hash_str(key);
    uint32_t first = idxtab_find_str(&tl.by_owner, &tlsa_owners, h, key), last = TLSA_NONE;
    for (uint32_t i = first, guard = 0; i != TLSA_NONE && guard < tl.n; i = tl.v[i].next, guard++) {
        if (tlsa_same(&tl.v[i].rr, &rr)) {
            tl.v[i].ad |= ad;
            return 0;
        }
        last = i;
    }
    /* the full data of a record an SMTP client uses as published (RFC 7671
     * §5.2.2: a DANE-TA(2) anchor the server may omit; DANE-EE(3) byte for
     * byte), of any length (a DNS RDATA's at most: 65535 bytes; memory
     * bounded by the table's cap and the memcap). Its SHA-256 alone would
     * match only a certificate sent, a wrong no_match for an anchor not
     * sent: memory refused, the record is not kept (counted as dropped) */
    uint8_t *full = NULL;
    if (rr.hashed && mtype == 0 && (usage == 2 || usage == 3) && selector <= 1 && len > 0 &&
        (len > UINT16_MAX || (full = mem_alloc(len)) == NULL)) {
        tl.dropped++;
        return -1;
    }
    if (!tlsa_room() || !idxtab_reserve_str(&tl.by_owner, tl.n, &tlsa_owners)) {
        mem_free(full, len);
        tl.dropped++;
        return -1;
    }
    uint32_t i = tl.n++;
    struct tlsa_ent *e = &tl.v[i];
    memcpy(e->owner, key, sizeof(key));
    e->rr = rr;
    e->source = (uint8_t)source;
    e->ad = ad;
    e->next = TLSA_NONE;
    e->full = full;
    if (full)
        memcpy(full, data, len);
    if (last == TLSA_NONE)
        idxtab_insert(&tl.by_owner, h, i);
    else
        tl.v[last].next = i;
    return 0;
}

uint32_t
tlsa_count(void)
{
    return tl.n;
}

uint32_t
tlsa_find(const char *owner)
{
    if (tl.n == 0)
        return TLSA_NONE;
    char key[TLSA_NAME_MAX];
    tlsa_norm(key, owner);
    return idxtab_find_str(&tl.by_owner, &tlsa_owners, idxtab_hash_str(key), key);
}

const struct tlsa_ent *
tlsa_get(uint32_t i)
{
    return i < tl.n ? &tl.v[i] : NULL;
}

uint64_t
tlsa_dropped(void)
{
    return tl.dropped;
}
