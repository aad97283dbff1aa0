/* \summary: TLSA records (DANE, RFC 6698 §2.1; SMTP: RFC 7672) learned
 * from DNS answers in the capture or read from --tlsa FILE, by owner name
 * (_PORT._tcp.HOST). Bounded (report.servers_max records, as the names
 * learned from DNS: dnslearn.h); deterministic order (insertion). */
#ifndef SMTPTAP_TLSA_H
#define SMTPTAP_TLSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSA_NAME_MAX 256 /* an owner name is kept to its first 255 bytes (as dnslearn.h) */

#define TLSA_NONE     UINT32_MAX
#define TLSA_DATA_MAX 64 /* a SHA-512 digest (RFC 6698 §2.1.3 matching type 2) */
/* The certificate association data a --tlsa line may hold (a full
 * certificate, matching type 0) */
#define TLSA_FILE_DATA_MAX 4096

enum tlsa_source { TLSA_SRC_DNS = 1, TLSA_SRC_FILE = 2 };

/* One record. Data of matching type 1 or 2 (a digest, up to 64 octets) is
 * kept as published; other data (matching type 0: a full certificate or
 * SubjectPublicKeyInfo, or longer data) as its SHA-256 (hashed set), which
 * the matcher compares with the SHA-256 of what it would equal. */
struct tlsa_rr {
    uint8_t usage, selector, mtype;
    bool hashed;
    uint16_t len; /* the data's length as published */
    uint8_t data[TLSA_DATA_MAX];
};

struct tlsa_ent {
    char owner[TLSA_NAME_MAX]; /* as dnslearn keeps names: no trailing dot */
    struct tlsa_rr rr;
    uint8_t source; /* enum tlsa_source (the first seen) */
    bool ad;        /* a DNS answer carrying it had the AD bit set (RFC 7672 §2.2) */
    uint32_t next;  /* the next record of the same owner, TLSA_NONE at the end */
    /* matching type 0, usage 2 or 3, selector 0 or 1 (RFC 6698 §2.1.3):
     * the data as published, of any length (rr.len bytes, accounted in
     * mem.c), which OpenSSL's DANE is given as is (a DANE-TA(2) 2 0 0
     * certificate or 2 1 0 key then anchors a chain that does not include
     * it, RFC 7671 §5.2.2); such a record whose memory is refused is not
     * kept (tlsa_dropped), never judged by its SHA-256 alone. NULL for
     * other records */
    uint8_t *full;
};

/* max_entries records at most (0: 1). */
void tlsa_init(uint32_t max_entries);
void tlsa_fini(void);

/* Adds a record of owner (any case, a trailing dot or not). The same
 * record again only sets ad when this copy has it. Returns 0, or -1 when
 * it was not kept (the table is full or memory refused: counted in
 * tlsa_dropped). */
int tlsa_add(const char *owner, uint8_t usage, uint8_t selector, uint8_t mtype, const uint8_t *data,
             size_t len, bool ad, enum tlsa_source source);

/* Records kept (0: no session pays for a lookup). */
uint32_t tlsa_count(void);
/* The first record of the RRset of owner (any case; "_25._tcp.HOST"), or
 * TLSA_NONE. */
uint32_t tlsa_find(const char *owner);
const struct tlsa_ent *tlsa_get(uint32_t i);
uint64_t tlsa_dropped(void);

/* One line of a --tlsa file: zone-file style (RFC 1035 §5.1, presentation
 * format RFC 6698 §2.2) "_25._tcp.mx.example.com. [TTL] [IN] TLSA 3 1 1 HEX"
 * (TTL and class in either order; the hex may be split by blanks; a ';'
 * starts a comment, so does a '#' at the line's start). Returns 1 with the
 * record in the outputs (owner TLSA_NAME_MAX bytes, data
 * TLSA_FILE_DATA_MAX bytes), 0 for a blank or comment line, -1 with the
 * reason in *why (static text). */
int tlsa_parse_line(const char *line, char *owner, uint8_t *usage, uint8_t *selector,
                    uint8_t *mtype, uint8_t *data, size_t *len, const char **why);

/* --tlsa PATH: every line added (source TLSA_SRC_FILE). Returns 0, or -1
 * with "--tlsa PATH:LINE: reason" (or the file's error, or "no TLSA record
 * in it") in err. */
int tlsa_load(const char *path, char *err, size_t errlen);

#endif /* SMTPTAP_TLSA_H */
