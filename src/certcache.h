/* \summary: the certificate cache: every distinct DER is hashed, parsed and
 * kept once, and referred to by a small id. */
#ifndef SMTPTAP_CERTCACHE_H
#define SMTPTAP_CERTCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x509.h"

struct cert_entry {
    uint32_t id; /* > 0 */
    uint8_t sha256[32];
    uint8_t sha1[20];
    uint8_t *der; /* the exact bytes sent */
    uint32_t der_len;
    struct x509_info info; /* parsed fields (info.parse_error set when the DER is bad) */
    uint64_t seen;         /* how many times it was sent */
    struct x509_st *x509;  /* decoded object: kept for CA certificates, for the last
                            * CERTCACHE_DECODED_LEAVES leaves (NULL otherwise, and on parse error) */
    uint64_t hash;         /* fast hash of the DER (table key) */
    uint32_t ring_slot;    /* 1 + its position in the ring of decoded leaves, 0 = none */
    bool pem_written;      /* --certs wrote it */
    bool refused;          /* not decoded because the memcap refused memory: decoded again
                            * when sent again (info.parse_error says so meanwhile) */
    bool leaf;             /* sent first in a Certificate message (certcache_mark_leaf) */
};

/* Decoded objects kept for leaf certificates: the most recent ones. */
#define CERTCACHE_DECODED_LEAVES 4096

/* A session that sent these certificates has been diagnosed: the decoded
 * objects of leaves seen only once so far are let go now, while still in
 * the CPU's caches (a capture where every leaf differs), rather than when
 * CERTCACHE_DECODED_LEAVES newer leaves push them out. A leaf seen again is
 * decoded again if a check needs it (most are answered from caches). */
void certcache_session_done(const uint32_t *ids, unsigned n);

/* Caps the number of distinct certificates kept (certcache.max). */
int certcache_init(uint32_t max_entries);
void certcache_free(void);

/* Looks the DER up (fast hash, then memcmp) and adds it if new (hashing and
 * parsing it once). Returns its id, or 0 when the cache is full or memory is
 * exhausted. */
uint32_t certcache_add(const uint8_t *der, size_t len);

/* Returns the entry for id, or NULL. The pointer stays valid until
 * certcache_free(). */
const struct cert_entry *certcache_get(uint32_t id);

uint32_t certcache_count(void);

/* id was sent first in a Certificate message (RFC 8446 §4.4.2, RFC 5246
 * §7.4.2: the sender's own certificate, the rest certify it): a leaf. The
 * count of distinct leaves tells the report's "N distinct certificates (M
 * leaves)" from intermediates and roots sent. */
void certcache_mark_leaf(uint32_t id);
uint32_t certcache_leaves(void);

/* Certificates whose DER OpenSSL could not parse. */
uint32_t certcache_parse_errors(void);
/* Certificates offered to the cache (every one sent in every session). */
uint64_t certcache_sightings(void);
/* certcache_add calls refused because the cache was full. */
uint64_t certcache_refused(void);

/* The decoded certificate for verification (NULL when unknown or
 * unparsable), decoded again from its DER if the cache let the object go:
 * a new reference, which the caller releases with X509_free(). */
struct x509_st;
struct x509_st *certcache_x509(uint32_t id);
/* How many times an object was decoded again (for tests and the benchmark). */
uint64_t certcache_redecoded(void);

/* --certs DIR: writes DIR/<sha256 hex>.pem once per certificate (later calls
 * for the same id do nothing). Returns 0, or -1 with a reason in err. */
int certcache_write_pem(const char *dir, uint32_t id, char *err, size_t errlen);

#endif /* SMTPTAP_CERTCACHE_H */
