/* \summary: DNS response parser (RFC 1035 §4; name compression §4.1.4;
 * AAAA RFC 3596; TLSA RFC 6698 §2.1). Pure function over one message: no allocation, no state.
 * The engine's UDP/53 hook calls it to map names to addresses and MX hosts,
 * and to learn TLSA records (DANE, RFC 7672). */
#ifndef SMTPTAP_DNS_H
#define SMTPTAP_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX      255                    /* wire octets of a name (RFC 1035 §2.3.4) */
#define DNS_NAME_TEXT_MAX (DNS_NAME_MAX * 4 + 1) /* escaped text + NUL */
#define DNS_PTR_MAX       64                     /* compression pointers followed per name */

enum dns_type {
    DNS_TYPE_A = 1,     /* RFC 1035 §3.4.1 */
    DNS_TYPE_CNAME = 5, /* RFC 1035 §3.3.1 */
    DNS_TYPE_MX = 15,   /* RFC 1035 §3.3.9 */
    DNS_TYPE_AAAA = 28, /* RFC 3596 §2.1 */
    DNS_TYPE_TLSA = 52  /* RFC 6698 §2.1 */
};

enum dns_section {
    DNS_SEC_ANSWER = 1,    /* answer section */
    DNS_SEC_ADDITIONAL = 3 /* additional section (glue for MX hosts) */
};

/* One A, AAAA, CNAME, MX or TLSA record of class IN. Names are lower-cased, without the
 * trailing dot ("." for the root), printable: '.' and '\\' inside a label
 * are escaped as "\." and "\\", other bytes outside 0x21..0x7e as "\DDD"
 * (decimal, as dig prints them). */
struct dns_answer {
    uint16_t type;   /* enum dns_type */
    uint8_t section; /* enum dns_section */
    uint32_t ttl;
    char owner[DNS_NAME_TEXT_MAX];
    uint8_t addr[16]; /* A: 4 bytes, AAAA: 16 bytes (network order) */
    uint8_t addr_len; /* 4, 16, or 0 for MX */
    uint16_t mx_pref; /* MX: preference */
    /* MX: the exchange host; CNAME: the canonical name the owner is an
     * alias of (RFC 1035 §3.3.1, RFC 7672 §2.2.2 expands MX hosts by it);
     * "" otherwise */
    char exchange[DNS_NAME_TEXT_MAX];
    /* TLSA (RFC 6698 §2.1): certificate usage, selector, matching type and
     * the certificate association data (borrowed from the message, valid
     * during the callback; tlsa_len 0 when the RDATA holds only the three
     * octets) */
    uint8_t tlsa_usage, tlsa_selector, tlsa_mtype;
    const uint8_t *tlsa_data;
    uint16_t tlsa_len;
    /* the header's AD bit (RFC 4035 §3.2.3, RFC 6840 §5.8): the resolver
     * that answered validated the answer with DNSSEC */
    bool ad;
};

/* Parses the DNS message msg[0..len) (a UDP payload, borrowed for the call).
 * For a response (QR = 1) calls on_answer(user, a) for each A, AAAA, CNAME,
 * MX and TLSA record of class IN in the answer and additional sections, in wire order;
 * `a` is valid during the callback only. Queries report nothing.
 * Returns 0 when the message parsed completely, -1 when it is truncated (a
 * field runs past len: snaplen cut; records before the cut were reported),
 * -2 when it is malformed (a compression loop or too many pointers, a name
 * over 255 octets, a reserved label type, an RDATA length inconsistent with
 * its type (a TLSA RDATA under 3 octets), or a field overrunning its RDATA). */
int dns_parse(const uint8_t *msg, size_t len,
              void (*on_answer)(void *user, const struct dns_answer *a), void *user);

#endif /* SMTPTAP_DNS_H */
