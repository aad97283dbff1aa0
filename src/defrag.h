/* \summary: IP fragment reassembly (IPv4 RFC 791 §3.2 and RFC 815; IPv6
 * RFC 8200 §4.5 with RFC 5722 on overlaps), bounded by caps.
 *
 * decode_frame_frag() describes a fragment (struct decode_frag); defrag_add()
 * files it under its datagram, keyed by (source, destination, protocol,
 * identification, VLAN ids) as Suricata's defrag does (RFC 791 §3.2 names the
 * first four; RFC 8200 §4.5 source, destination and identification, and only
 * TCP and UDP fragments, and those of the tunnels decode_tunnel.c takes off
 * (GRE, IP in IP, IPv6 in IP), are reassembled, so keying IPv6 on its Next Header
 * changes nothing but keeps one key for both). Once every byte of a datagram
 * is there, defrag_add() hands it back as one IP datagram in a buffer of its
 * own, which decode_datagram() decodes like any other packet.
 *
 * Policy (Linux since 4.19, RFC 5722 §4 with errata 3089, for IPv4 and IPv6
 * alike): a fragment wholly within bytes already held is a duplicate and is
 * dropped (the first copy stays; with different bytes it is also counted as
 * an overlap); a fragment that overlaps held bytes only in part discards the
 * whole datagram and the fragments of it that come later, until its timeout.
 * A datagram is abandoned defrag.timeout seconds of packet time after its
 * first fragment (RFC 8200 §4.5: 60 s). All memory comes from mem.h; at most
 * defrag.max datagrams and defrag.mem_max bytes are held, the oldest
 * datagram giving way first.
 */
#ifndef SMTPTAP_DEFRAG_H
#define SMTPTAP_DEFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "pkt.h"

struct defrag_dgram;

struct defrag_caps {
    uint32_t max;       /* defrag.max: datagrams in reassembly at once */
    uint32_t mem_max;   /* defrag.mem_max: bytes held by them */
    uint32_t timeout_s; /* defrag.timeout: seconds of packet time from the first fragment */
    bool ignore_vlan;   /* --ignore-vlan: VLAN and tunnel ids are no part of the key */
    uint32_t seed;      /* hash seed (0 = random) */
};

struct defrag_stats {
    uint64_t datagrams;    /* datagrams reassembled and handed back */
    uint64_t incomplete;   /* abandoned incomplete: timed out, or in progress at the end */
    uint64_t dropped;      /* abandoned for defrag.max, defrag.mem_max or the memcap */
    uint64_t cap_hits;     /* of those, for defrag.max and defrag.mem_max */
    uint64_t mem_max_hits; /* of cap_hits, for defrag.mem_max (the others defrag.max's) */
    uint64_t duplicates;   /* fragments wholly within held bytes, same bytes: dropped */
    uint64_t overlaps;     /* fragments overlapping held bytes otherwise (policy above) */
    uint64_t malformed;    /* fragments no datagram can have (see defrag_add) */
};

/* A reassembled datagram, owned by the caller until defrag_release():
 * `ip` points at its IP header, caplen bytes of wirelen are present
 * (fewer when the capture cut a fragment: the bytes from the first one cut on
 * are missing, as with a snaplen cut). */
struct defrag_out {
    const uint8_t *ip;
    uint32_t caplen, wirelen;
    void *block; /* the allocation behind ip (NULL: nothing to release) */
    uint32_t blocklen;
    uint32_t link_len; /* main.c: bytes before the IP header in the frame of the
                        * fragment that completed it (the -w writer's link header) */
    /* main.c: in a tunnel, the headers of that frame's link header with a
     * length or a checksum (struct decode_frag.outer, as offsets into the
     * frame; n_outer > DECODE_OUTER_MAX: not all are known) */
    uint8_t n_outer;
    uint8_t outer_kind[DECODE_OUTER_MAX];
    uint32_t outer_off[DECODE_OUTER_MAX];
    /* defrag_add_inner(): bytes at ip before the inner datagram (the
     * tunnel's headers from the outer datagram); 0 otherwise */
    uint32_t inner_at;
};

/* A reassembler. Its fields are defrag.c's; the caller only provides the
 * storage (main.c's run, a test's stack), so that a capture without
 * fragments costs no memory: the table is allocated at the first fragment. */
struct defrag {
    struct defrag_caps caps;
    struct defrag_dgram **bucket; /* NULL until the first fragment */
    uint32_t nbucket;             /* a power of two */
    struct defrag_dgram *oldest, *newest;
    uint32_t n;          /* datagrams in the table, dead ones included */
    uint64_t held_bytes; /* their structs and buffers (defrag.mem_max) */
    uint32_t seed;       /* nhash.h: the run's seed and the key derived from it */
    uint32_t hkey[12];
    struct defrag_stats st;
};

/* Sets up d with caps (copied); allocates nothing. */
void defrag_init(struct defrag *d, const struct defrag_caps *caps);

/* End of the run: abandons every datagram still in progress (counted as
 * incomplete). The reassembler can still be used. NULL is a no-op. */
void defrag_finish(struct defrag *d);

/* Frees every datagram d holds and its table (uncounted: call
 * defrag_finish first for the counts); d can be set up again. NULL is a
 * no-op. */
void defrag_free(struct defrag *d);

/* One fragment f, decoded with p (its addresses, VLAN ids and time; both
 * borrowed for the call). Datagrams older than the timeout at p->ts_us are
 * abandoned first. Malformed (counted, dropped): no data, data that is not
 * a multiple of 8 bytes while more fragments follow (RFC 791 §3.2, RFC 8200
 * §4.5), a datagram that would pass 65535 bytes (RFC 8200 §4.5), a last
 * fragment that ends elsewhere than an earlier last fragment or before bytes
 * already held, or bytes past the last fragment's end (the last two discard
 * the datagram, as Linux does). Returns true and fills *out when f completed
 * its datagram. */
bool defrag_add(struct defrag *d, const struct pkt *p, const struct decode_frag *f,
                struct defrag_out *out);

/* A fragment f in a tunnel inside the datagram *out that defrag_add()
 * handed back (f's pointers are into out->ip, decode_datagram_frag), filed
 * as defrag_add() files any. When it completes its datagram, *out becomes
 * one buffer, out's bytes before f->hdr (the tunnel's headers) followed by
 * that datagram, at *inner_at; main.c's fields of out (link_len, the outer
 * headers) are kept. Otherwise, or when memory is refused (counted in
 * dropped), out is released. Returns true when completed. One level: a
 * fragment in the datagram so made is counted, not reassembled (main.c). */
bool defrag_add_inner(struct defrag *d, const struct pkt *p, const struct decode_frag *f,
                      struct defrag_out *out, uint32_t *inner_at);

/* Frees a datagram defrag_add() handed back; out is cleared. */
void defrag_release(struct defrag_out *out);

/* Abandons the datagrams whose first fragment is more than the timeout
 * before now_us (live capture: the wall clock, once a second). */
void defrag_expire(struct defrag *d, int64_t now_us);

/* The counters so far (zeros for NULL). */
void defrag_stats(const struct defrag *d, struct defrag_stats *out);

/* Datagrams and bytes held now (tests). */
uint32_t defrag_in_progress(const struct defrag *d);
uint64_t defrag_bytes_held(const struct defrag *d);

#endif /* SMTPTAP_DEFRAG_H */
