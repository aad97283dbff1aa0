/* \summary: what decode.c and decode_tunnel.c share: a layer's captured and
 * wire bytes, and the entry points a tunnel's inner packet is decoded by. */
#ifndef SMTPTAP_DECODE_INT_H
#define SMTPTAP_DECODE_INT_H

#include <stdint.h>

#include "cursor.h"
#include "decode.h"

#define DECODE_ETH_IPV4 0x0800
#define DECODE_ETH_IPV6 0x86dd

/* A layer's bytes: a cursor over what was captured and the length the
 * enclosing header claims the layer has on the wire. */
struct decode_layer {
    struct rd r;   /* captured bytes of this layer (never beyond `wire`) */
    uint32_t wire; /* bytes the layer has on the wire, from the enclosing length */
};

/* Returns DECODE_OK if n more bytes are present, DECODE_MALFORMED if the
 * layer's own length says they do not exist, DECODE_TRUNCATED if they exist
 * on the wire but were not captured. `used` is how far into the layer we are. */
static inline enum decode_result
decode_need(const struct decode_layer *l, uint32_t used, uint32_t n)
{
    if ((uint64_t)used + n > l->wire)
        return DECODE_MALFORMED;
    if (rd_left(&l->r) < n)
        return DECODE_TRUNCATED;
    return DECODE_OK;
}

/* A header around a tunnel's inner packet (enum decode_outer), noted in fr
 * (when not NULL) for -w: see struct decode_frag. */
static inline void
decode_outer_note(struct decode_frag *fr, enum decode_outer kind, const uint8_t *hdr)
{
    if (fr == NULL)
        return;
    if (fr->n_outer < DECODE_OUTER_MAX) {
        fr->outer_kind[fr->n_outer] = (uint8_t)kind;
        fr->outer[fr->n_outer] = hdr;
    }
    if (fr->n_outer <= DECODE_OUTER_MAX)
        fr->n_outer++;
}

/* decode.c, for a tunnel's inner packet. r is at the inner header, avail_wire
 * the wire bytes from there to the end of the enclosing layer. */
/* An IP header, version `only` (4 or 6; 0: the first nibble says). */
enum decode_result decode_inner_ip(int only, struct rd *r, uint32_t avail_wire, struct pkt *pkt,
                                   struct decode_stats *st, struct decode_frag *fr);
/* An Ethernet frame (without FCS): addresses, type, 802.1Q tags, payload. */
enum decode_result decode_inner_eth(struct rd *r, uint32_t avail_wire, struct pkt *pkt,
                                    struct decode_stats *st, struct decode_frag *fr);
/* The payload of a header whose protocol field is an Ethertype. */
enum decode_result decode_inner_ethertype(uint16_t type, struct rd *r, uint32_t avail_wire,
                                          struct pkt *pkt, struct decode_stats *st,
                                          struct decode_frag *fr);

/* decode_tunnel.c. Each returns the inner packet's outcome. */
/* A UDP datagram to port 4789 (VXLAN) or 6081 (Geneve) whose payload is l:
 * *tunnel is false when the payload is no such header (the datagram stays
 * plain UDP, DECODE_OK, nothing consumed). */
enum decode_result decode_tunnel_udp(uint16_t dport, struct decode_layer *l, struct pkt *pkt,
                                     struct decode_stats *st, struct decode_frag *fr, bool *tunnel);
/* IP protocol 47 (GRE), 4 (IPv4) or 41 (IPv6) whose payload is l. */
enum decode_result decode_tunnel_ip(uint8_t proto, struct decode_layer *l, struct pkt *pkt,
                                    struct decode_stats *st, struct decode_frag *fr);
/* An Ethertype decode.c does not dispatch itself: MPLS (0x8847, 0x8848),
 * PPPoE session (0x8864); any other is DECODE_NOT_IP. */
enum decode_result decode_tunnel_ethertype(uint16_t type, struct rd *r, uint32_t avail_wire,
                                           struct pkt *pkt, struct decode_stats *st,
                                           struct decode_frag *fr);

#define DECODE_PORT_VXLAN  4789 /* RFC 7348 §5 */
#define DECODE_PORT_GENEVE 6081 /* RFC 8926 §3.3 */

#endif /* SMTPTAP_DECODE_INT_H */
