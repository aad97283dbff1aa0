/* \summary: the certificate cache: every distinct DER is hashed, parsed and
 * kept once, and referred to by a small id. */
#ifndef SMTPTAP_CERTCACHE_H
#define SMTPTAP_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "x509.h"

struct cert_entry {
    uint32_t id;             /* > 0 */
    uint8_t sha256[32];
    uint8_t sha1[20];
    uint8_t *der;            /* the exact bytes sent */
    uint32_t der_len;
    struct x509_info info;   /* parsed fields (info.parse_error set when the DER is bad) */
    uint64_t seen;           /* how many times it was sent */
};

/* Caps the number of distinct certificates kept (certcache.max). */
void certcache_init(uint32_t max_entries);
void certcache_free(void);

/* Looks the DER up (fast hash, then memcmp) and adds it if new (hashing and
 * parsing it once). Returns its id, or 0 when the cache is full or memory is
 * exhausted. */
uint32_t certcache_add(const uint8_t *der, size_t len);

/* Returns the entry for id, or NULL. The pointer stays valid until
 * certcache_free(). */
const struct cert_entry *certcache_get(uint32_t id);

uint32_t certcache_count(void);

#endif /* SMTPTAP_CERTCACHE_H */
