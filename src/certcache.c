/* \summary: the certificate cache. Every distinct DER is hashed (SHA-256 and
 * SHA-1, once), decoded with OpenSSL once and kept; sessions refer to it by a
 * small id. Lookup is a fast 64-bit hash of the bytes in an open-addressing
 * table, confirmed by memcmp, so a certificate sent a million times costs
 * one hash pass and one compare per sighting (issue 5). */
#include "certcache.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dhash.h"
#include "mem.h"
#include "x509_decode.h"

/* Entries live in chunks allocated as the cache fills, so an empty cache
 * costs nothing and pointers to entries never move. */
#define CC_CHUNK 256u

/* Decoded objects are about 8 KiB each: CA certificates (a few, in every
 * chain) keep theirs; leaves (one per server, or one per handshake on a
 * capture where every leaf differs) keep theirs only while among the
 * CERTCACHE_DECODED_LEAVES most recently decoded, and are decoded again from the
 * kept DER when needed later (x509_decode: ~25 us). A distinct leaf then
 * costs its DER and its extracted fields, not the decoded object. The ring
 * outnumbers the sessions usually in flight between a leaf's arrival and
 * the session's end, when its chain is verified (32 MB at most). */

static struct {
    struct cert_entry **chunks; /* entry id - 1 in chunks[(id - 1) / CC_CHUNK] */
    uint32_t n_chunks;          /* pointers in chunks[] */
    uint32_t n, max;
    uint32_t *slots; /* open addressing: id, 0 = empty */
    uint32_t n_slots;
    uint32_t parse_errors;
    uint32_t leaves; /* entries marked leaf */
    uint64_t refused;
    uint64_t sightings;
    EVP_MD *sha256, *sha1; /* fetched once: an implicit fetch per digest costs more than the hash */
    uint32_t *ring;        /* ids of the leaves whose decoded object is kept, oldest first */
    uint32_t ring_n, ring_head;
    uint64_t redecoded;
} cc;

static struct cert_entry *
cc_entry(uint32_t idx)
{
    return &cc.chunks[idx / CC_CHUNK][idx % CC_CHUNK];
}

int
certcache_init(uint32_t max_entries)
{
    memset(&cc, 0, sizeof(cc));
    cc.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    cc.sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    if (cc.sha256 == NULL || cc.sha1 == NULL) {
        EVP_MD_free(cc.sha256);
        EVP_MD_free(cc.sha1);
        cc.sha256 = cc.sha1 = NULL;
        return -1;
    }
    cc.max = max_entries ? max_entries : 1;
    uint32_t s = 64;
    while (s < cc.max * 2u && s < (1u << 30))
        s <<= 1;
    cc.n_slots = s;
    return 0;
}

void
certcache_free(void)
{
    for (uint32_t i = 0; i < cc.n; i++) {
        struct cert_entry *e = cc_entry(i);
        x509_info_free(&e->info);
        X509_free(e->x509);
        mem_free(e->der, e->der_len);
    }
    for (uint32_t i = 0; i < cc.n_chunks; i++)
        mem_free(cc.chunks[i], CC_CHUNK * sizeof(**cc.chunks));
    mem_free(cc.chunks, (size_t)((cc.max + CC_CHUNK - 1) / CC_CHUNK) * sizeof(*cc.chunks));
    mem_free(cc.slots, (size_t)cc.n_slots * sizeof(*cc.slots));
    mem_free(cc.ring, CERTCACHE_DECODED_LEAVES * sizeof(*cc.ring));
    EVP_MD_free(cc.sha256);
    EVP_MD_free(cc.sha1);
    memset(&cc, 0, sizeof(cc));
    x509_decode_shutdown();
}

static void
cc_ring_push(struct cert_entry *e)
{
    if (e->info.is_ca)
        return;
    if (!cc.ring && !(cc.ring = mem_alloc(CERTCACHE_DECODED_LEAVES * sizeof(*cc.ring))))
        return; /* no ring: the object stays until certcache_free */
    if (cc.ring_n == CERTCACHE_DECODED_LEAVES) {
        if (cc.ring[cc.ring_head] != 0) { /* 0: let go already (certcache_session_done) */
            struct cert_entry *old = cc_entry(cc.ring[cc.ring_head] - 1);
            X509_free(old->x509); /* holders of a reference keep theirs */
            old->x509 = NULL;
            old->ring_slot = 0;
        }
        cc.ring[cc.ring_head] = e->id;
        e->ring_slot = cc.ring_head + 1;
        cc.ring_head = (cc.ring_head + 1) % CERTCACHE_DECODED_LEAVES;
        return;
    }
    uint32_t pos = (cc.ring_head + cc.ring_n) % CERTCACHE_DECODED_LEAVES;
    cc.ring[pos] = e->id;
    e->ring_slot = pos + 1;
    cc.ring_n++;
}

void
certcache_session_done(const uint32_t *ids, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (ids[i] == 0 || ids[i] > cc.n)
            continue;
        struct cert_entry *e = cc_entry(ids[i] - 1);
        if (e->x509 == NULL || e->info.is_ca || e->seen > 1 || e->ring_slot == 0)
            continue;
        X509_free(e->x509);
        e->x509 = NULL;
        cc.ring[e->ring_slot - 1] = 0;
        e->ring_slot = 0;
    }
}

/* Decodes the entry's DER once (RFC 5280 §4.1) and extracts its fields;
 * the object is kept for verification (leaves: while in the ring,
 * cc_ring_push). A decode the memcap refused is not a verdict on the DER:
 * the entry says so and is decoded again when the certificate is sent
 * again (certcache_add). */
static void
cc_decode(struct cert_entry *e)
{
    uint64_t hits = mem_cap_hits();
    int trailing = 0;
    X509 *x = x509_decode(e->der, e->der_len, &trailing);
    e->refused = false;
    if (trailing) {
        e->info.parse_error = "trailing bytes after the certificate";
    } else if (!x) {
        e->refused = mem_cap_hits() != hits;
        e->info.parse_error = e->refused ? "not decoded: memcap reached" : "bad DER";
    }
    if (x && x509_fill(x, &e->info) != 0) { /* its strings could not be allocated */
        X509_free(x);
        x = NULL;
        e->refused = true;
    }
    if (!x)
        cc.parse_errors++;
    e->x509 = x;
    if (x)
        cc_ring_push(e);
}

/* A certificate whose decode the memcap refused, sent again: decoded now
 * if memory allows. */
static void
cc_retry(struct cert_entry *e)
{
    x509_info_free(&e->info);
    memset(&e->info, 0, sizeof(e->info));
    cc.parse_errors--;
    cc_decode(e);
}

static uint32_t
cc_create(const uint8_t *der, size_t len, uint64_t h)
{
    uint32_t max_chunks = (cc.max + CC_CHUNK - 1) / CC_CHUNK;
    if (!cc.chunks && !(cc.chunks = mem_alloc((size_t)max_chunks * sizeof(*cc.chunks))))
        return 0;
    if (cc.n / CC_CHUNK == cc.n_chunks) {
        if (!(cc.chunks[cc.n_chunks] = mem_alloc(CC_CHUNK * sizeof(**cc.chunks))))
            return 0;
        cc.n_chunks++;
    }
    struct cert_entry *e = cc_entry(cc.n);
    memset(e, 0, sizeof(*e));
    e->der = mem_alloc(len);
    if (!e->der)
        return 0;
    memcpy(e->der, der, len);
    e->der_len = (uint32_t)len;
    e->hash = h;
    e->seen = 1;
    unsigned int dl = 0;
    if (EVP_Digest(der, len, e->sha256, &dl, cc.sha256 ? cc.sha256 : EVP_sha256(), NULL) != 1 ||
        EVP_Digest(der, len, e->sha1, &dl, cc.sha1 ? cc.sha1 : EVP_sha1(), NULL) != 1) {
        /* a digest context could not be allocated (the memcap): not cached
         * this time, which the session's record says, rather than an
         * entry known by a wrong SHA-256 */
        mem_free(e->der, len);
        e->der = NULL;
        return 0;
    }
    e->id = ++cc.n;
    cc_decode(e);
    /* what the entry keeps for the run (its decoded object aside: a leaf's
     * goes after its session, CA certificates are few): the DER, the
     * entry, and its printed fields, about the DER's size again */
    mem_tables_charge((int64_t)(sizeof(*e) + 2 * len));
    return e->id;
}

uint32_t
certcache_add(const uint8_t *der, size_t len)
{
    if (!der || len == 0 || len > 0x7fffffff)
        return 0;
    if (!cc.slots && !(cc.slots = mem_alloc((size_t)cc.n_slots * sizeof(*cc.slots))))
        return 0;
    cc.sightings++;
    uint64_t h = dhash(der, len);
    uint32_t mask = cc.n_slots - 1;
    for (uint32_t i = (uint32_t)h & mask, probes = 0; probes < cc.n_slots;
         i = (i + 1) & mask, probes++) {
        uint32_t id = cc.slots[i];
        if (id == 0) {
            if (cc.n >= cc.max || mem_run_tables_full()) {
                cc.refused++;
                return 0;
            }
            uint32_t nid = cc_create(der, len, h);
            if (nid)
                cc.slots[i] = nid;
            else
                cc.refused++;
            return nid;
        }
        struct cert_entry *e = cc_entry(id - 1);
        if (e->hash == h && e->der_len == len && memcmp(e->der, der, len) == 0) {
            e->seen++;
            if (e->refused)
                cc_retry(e);
            return id;
        }
    }
    cc.refused++;
    return 0;
}

const struct cert_entry *
certcache_get(uint32_t id)
{
    if (id == 0 || id > cc.n)
        return NULL;
    return cc_entry(id - 1);
}

uint32_t
certcache_count(void)
{
    return cc.n;
}

void
certcache_mark_leaf(uint32_t id)
{
    struct cert_entry *e = id > 0 && id <= cc.n ? cc_entry(id - 1) : NULL;
    if (e == NULL || e->leaf)
        return;
    e->leaf = true;
    cc.leaves++;
}

uint32_t
certcache_leaves(void)
{
    return cc.leaves;
}

uint32_t
certcache_parse_errors(void)
{
    return cc.parse_errors;
}

uint64_t
certcache_refused(void)
{
    return cc.refused;
}

uint64_t
certcache_sightings(void)
{
    return cc.sightings;
}

struct x509_st *
certcache_x509(uint32_t id)
{
    if (id == 0 || id > cc.n)
        return NULL;
    struct cert_entry *e = cc_entry(id - 1);
    if (!e->x509 && !e->info.parse_error) {
        int trailing = 0;
        e->x509 = x509_decode(e->der, e->der_len, &trailing);
        if (!e->x509)
            return NULL; /* decoded before, so only memory can fail here */
        cc.redecoded++;
        cc_ring_push(e);
    }
    if (!e->x509 || X509_up_ref(e->x509) != 1)
        return NULL;
    return e->x509;
}

uint64_t
certcache_redecoded(void)
{
    return cc.redecoded;
}

int
certcache_write_pem(const char *dir, uint32_t id, char *err, size_t errlen)
{
    if (id == 0 || id > cc.n) {
        snprintf(err, errlen, "certificate %u not in the cache", id);
        return -1;
    }
    struct cert_entry *e = cc_entry(id - 1);
    if (e->pem_written)
        return 0;
    char path[4096];
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", e->sha256[i]);
    snprintf(path, sizeof(path), "%s/%s.pem", dir, hex);
    e->pem_written = true;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0; /* same bytes, same name: already there */
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* PEM of the exact DER bytes (RFC 7468 §5), even when OpenSSL cannot
     * parse them. */
    int ok = PEM_write(f, "CERTIFICATE", "", e->der, e->der_len) > 0;
    if (fclose(f) != 0 || !ok) {
        snprintf(err, errlen, "%s: write error", path);
        return -1;
    }
    return 0;
}
