/* \summary: JA3 / JA3S strings and their MD5 (see ja3.h). */
#include "ja3.h"
#include "idxtab.h"
#include "ja4.h"

#include <openssl/evp.h>
#include <string.h>

bool
ja3_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

void
ja3_init(struct ja3 *j)
{
    j->s[0] = '\0'; /* not the whole 1.5 KiB: three builders per ClientHello */
    j->len = 0;
    j->truncated = false;
    j->list_started = false;
}

static void
ja3_put(struct ja3 *j, const char *s, size_t n)
{
    if (j->len + n >= JA3_STR_MAX) {
        j->truncated = true;
        return;
    }
    memcpy(j->s + j->len, s, n);
    j->len += n;
    j->s[j->len] = '\0';
}

void
ja3_field(struct ja3 *j, bool first)
{
    if (!first)
        ja3_put(j, ",", 1);
    j->list_started = false;
}

void
ja3_value(struct ja3 *j, uint16_t v)
{
    if (ja3_is_grease(v))
        return;
    /* written in place, no copy: a ClientHello has dozens of values */
    size_t digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : 5;
    size_t n = digits + (j->list_started ? 1 : 0);
    if (j->len + n >= JA3_STR_MAX) {
        j->truncated = true;
        return;
    }
    char *o = j->s + j->len;
    if (j->list_started)
        *o++ = '-';
    /* two digits per step: a ClientHello has ~100 values (issue 5) */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    size_t i = digits;
    for (; i >= 2; i -= 2, v /= 100) {
        o[i - 1] = pairs[2 * (v % 100) + 1];
        o[i - 2] = pairs[2 * (v % 100)];
    }
    if (i == 1)
        o[0] = (char)('0' + v);
    j->len += n;
    j->s[j->len] = '\0';
    j->list_started = true;
}

/* The MD5s of the last distinct strings: the same client software sends the
 * same ClientHello fields again and again, and an EVP digest call costs
 * several times the string's hashing and comparison. Direct-mapped by an
 * FNV-1a hash of the string (idxtab_hash_bytes); a hit is confirmed byte
 * for byte. */
#define JA3_CACHE_SLOTS 32
#define JA3_CACHE_STR   512 /* longer strings are not cached */
static struct {
    uint32_t hash;
    uint16_t len; /* 0: empty slot */
    char s[JA3_CACHE_STR];
    char md5[33];
} ja3_cache[JA3_CACHE_SLOTS];

static void ja3_md5_compute(const struct ja3 *j, char out[33]);

void
ja3_md5(const struct ja3 *j, char out[33])
{
    if (j->len == 0 || j->len >= JA3_CACHE_STR) {
        ja3_md5_compute(j, out);
        return;
    }
    uint32_t h = (uint32_t)idxtab_hash_bytes(j->s, j->len);
    unsigned slot = h % JA3_CACHE_SLOTS;
    if (ja3_cache[slot].len == j->len && ja3_cache[slot].hash == h &&
        memcmp(ja3_cache[slot].s, j->s, j->len) == 0) {
        memcpy(out, ja3_cache[slot].md5, 33);
        return;
    }
    ja3_md5_compute(j, out);
    if (out[0] == '\0')
        return; /* no MD5 available: nothing to remember */
    ja3_cache[slot].hash = h;
    ja3_cache[slot].len = (uint16_t)j->len;
    memcpy(ja3_cache[slot].s, j->s, j->len);
    memcpy(ja3_cache[slot].md5, out, 33);
}

static void
ja3_md5_compute(const struct ja3 *j, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    /* Fetched once: an implicit fetch per call costs more than the digest. */
    static EVP_MD *md5;
    if (!md5)
        md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    if (!md5 || EVP_Digest(j->s, j->len, md, &n, md5, NULL) != 1 || n != 16) {
        out[0] = '\0';
        return;
    }
    for (unsigned i = 0; i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
}

void
ja3_append(struct ja3 *j, const struct ja3 *list)
{
    ja3_put(j, list->s, list->len);
    j->truncated |= list->truncated;
}

/* The JA3s and JA4s of the last distinct ClientHellos, by their key: sets of
 * JA3_MEMO_WAYS entries, the least recently used replaced, confirmed byte for
 * byte. Direct-mapped, two client forms whose keys met in one slot evicted
 * each other at every session (8 % of the bench's dense sessions missed with
 * 15 forms in 64 slots: issue 5). */
_Static_assert(JA4_LEN + 1 == 37, "ja3.h and facts.h keep a JA4 in char[37]");
#define JA3_MEMO_SLOTS 64
#define JA3_MEMO_WAYS  4
#define JA3_MEMO_STR   JA3_STR_MAX
static struct ja3_memo_entry {
    uint64_t hash;
    uint32_t used; /* ja3_memo_tick when last looked up or put */
    uint16_t klen; /* 0: empty slot */
    uint16_t slen;
    uint8_t key[JA3_MEMO_KEY_MAX];
    char s[JA3_MEMO_STR];
    char md5[33];
    char ja4[37];
} ja3_memo[JA3_MEMO_SLOTS];
static uint32_t ja3_memo_tick;

/* The first entry of h's set. */
static struct ja3_memo_entry *
ja3_memo_set(uint64_t h)
{
    return &ja3_memo[(h % (JA3_MEMO_SLOTS / JA3_MEMO_WAYS)) * JA3_MEMO_WAYS];
}

/* 8 bytes per step: keys are ~100 bytes and looked up once per ClientHello. */
static uint64_t
ja3_memo_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, p + i, n - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

unsigned
ja3_memo_set_of(const uint8_t *key, size_t n)
{
    return (unsigned)(ja3_memo_hash(key, n) % (JA3_MEMO_SLOTS / JA3_MEMO_WAYS));
}

bool
ja3_memo_get(const uint8_t *key, size_t n, const char **s, size_t *len, char md5[33], char ja4[37])
{
    if (n == 0 || n > JA3_MEMO_KEY_MAX)
        return false;
    uint64_t h = ja3_memo_hash(key, n);
    struct ja3_memo_entry *set = ja3_memo_set(h);
    for (unsigned w = 0; w < JA3_MEMO_WAYS; w++) {
        struct ja3_memo_entry *e = &set[w];
        if (e->klen != n || e->hash != h || memcmp(e->key, key, n) != 0)
            continue;
        e->used = ++ja3_memo_tick;
        *s = e->s;
        *len = e->slen;
        memcpy(md5, e->md5, 33);
        memcpy(ja4, e->ja4, 37);
        return true;
    }
    return false;
}

void
ja3_memo_put(const uint8_t *key, size_t n, const struct ja3 *j, const char md5[33],
             const char ja4[37])
{
    if (n == 0 || n > JA3_MEMO_KEY_MAX || j->truncated || j->len >= JA3_MEMO_STR || md5[0] == '\0')
        return;
    uint64_t h = ja3_memo_hash(key, n);
    struct ja3_memo_entry *set = ja3_memo_set(h), *e = set;
    for (unsigned w = 1; w < JA3_MEMO_WAYS; w++) /* an empty way (used 0) or the oldest */
        if (set[w].used < e->used)
            e = &set[w];
    e->used = ++ja3_memo_tick;
    e->hash = h;
    e->klen = (uint16_t)n;
    e->slen = (uint16_t)j->len;
    memcpy(e->key, key, n);
    memcpy(e->s, j->s, j->len);
    e->s[j->len] = '\0';
    memcpy(e->md5, md5, 33);
    memcpy(e->ja4, ja4, 37);
}
