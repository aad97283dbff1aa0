/* \summary: link, network and transport decoding of one frame into struct pkt
 *
 * Link layers (pcap-linktype(7), tcpdump print-ether.c / print-sll.c / print-null.c):
 *
 *   DLT_EN10MB (1), IEEE 802.3 clause 3.1.1 / Ethernet II:
 *     +--------+--------+------+----------
 *     | dst 6  | src 6  | type | payload      type <= 1500: 802.3 length (LLC) -> NOT_IP
 *     +--------+--------+------+----------
 *   IEEE 802.1Q-2018 §9.6 tag, inserted before the type (TPID 0x8100 C-tag,
 *   0x88a8 S-tag per 802.1ad, 0x9100 pre-standard QinQ):
 *     | TPID 2 | PCP 3b DEI 1b VID 12b | type 2 |
 *   DLT_LINUX_SLL (113), 16 bytes:
 *     | pkttype 2 | arphrd 2 | addrlen 2 | addr 8 | protocol 2 |
 *   DLT_LINUX_SLL2 (276), 20 bytes:
 *     | protocol 2 | reserved 2 | ifindex 4 | arphrd 2 | pkttype 1 | addrlen 1 | addr 8 |
 *   DLT_NULL (0): 4-byte address family in the *writer's* host byte order;
 *   DLT_LOOP (108): the same in network byte order. AF_INET is 2 everywhere,
 *   AF_INET6 is 24 (NetBSD/OpenBSD/BSD/OS), 28 (FreeBSD/DragonFly), 30 (Darwin).
 *   DLT_RAW (101; 12 and 14 on some BSDs): the IP header, version in the first nibble.
 *   DLT_IPV4 (228) / DLT_IPV6 (229): raw IPv4 / IPv6 only.
 *
 * Network layer:
 *   IPv4 (RFC 791 §3.1): | ver 4b IHL 4b | tos | total length 2 | id 2 | flags 3b frag off 13b |
 *                        | ttl | proto | csum 2 | src 4 | dst 4 | options (IHL*4 - 20) |
 *   IPv6 (RFC 8200 §3): | ver 4b tc 8b flow 20b | payload length 2 | next hdr | hop limit |
 *                       | src 16 | dst 16 | extension headers ... |
 *     hop-by-hop (0), routing (43), destination options (60): | next | len (8-octet units - 1) |
 *     fragment (44, RFC 8200 §4.5): | next | rsvd | offset 13b rsvd 2b M 1b | id 4 |
 *     AH (51, RFC 4302 §2): | next | len (4-octet units - 2) | ...
 * Transport layer:
 *   TCP (RFC 9293 §3.1): | sport | dport | seq 4 | ack 4 | doff 4b rsvd 4b | flags | window |
 *                        | csum | urgent | options (doff*4 - 20) |
 *   UDP (RFC 768): | sport | dport | length | csum |
 *
 * Outcomes. Every wire byte is read through struct rd. Two lengths are tracked
 * for each layer: the bytes present in the capture ("cap") and the bytes the
 * layer claims on the wire ("wire", from the IP/UDP lengths). A field that lies
 * beyond "wire" is MALFORMED (the packet contradicts itself); a field within
 * "wire" but beyond "cap" is TRUNCATED (the snaplen cut a header). A payload
 * cut by the snaplen is DECODE_OK with payload_caplen < payload_wirelen and is
 * counted in snaplen_cut. Bytes after the IP total length (Ethernet minimum
 * frame padding, IEEE 802.3 §3.2.8) are never payload. An IP fragment (IPv4
 * MF or offset, RFC 791 §3.2; an IPv6 Fragment header that is no atomic
 * fragment, RFC 8200 §4.5, RFC 6946) is DECODE_FRAGMENT, described in struct
 * decode_frag for defrag.c; decode_datagram() decodes what it reassembles.
 *
 * Tunnels (decode_tunnel.c): a UDP datagram to port 4789 or 6081, IP protocol
 * 47, 4 or 41, Ethertype 0x8847/0x8848 or 0x8864 go there, and its inner
 * packet comes back through decode_inner_*(); one compare on the protocol or
 * port for every other packet.
 */
#include <stddef.h>
#include <string.h>

#include "cursor.h"
#include "decode.h"
#include "decode_int.h"

#define DECODE_ETH_8021Q   0x8100 /* IEEE 802.1Q C-tag */
#define DECODE_ETH_8021AD  0x88a8 /* IEEE 802.1ad S-tag */
#define DECODE_ETH_QINQ    0x9100 /* pre-standard QinQ */
#define DECODE_ETH_MAX_LEN 1500   /* 802.3 length field upper bound */
#define DECODE_VLAN_MAX    8      /* tags walked before the frame is called malformed */

#define DECODE_BSD_AF_INET          2
#define DECODE_BSD_AF_INET6_BSD     24
#define DECODE_BSD_AF_INET6_FREEBSD 28
#define DECODE_BSD_AF_INET6_DARWIN  30

#define DECODE_IPPROTO_HOPOPTS  0
#define DECODE_IPPROTO_IPIP     4
#define DECODE_IPPROTO_TCP      6
#define DECODE_IPPROTO_UDP      17
#define DECODE_IPPROTO_IPV6     41
#define DECODE_IPPROTO_ROUTING  43
#define DECODE_IPPROTO_GRE      47
#define DECODE_IPPROTO_FRAGMENT 44
#define DECODE_IPPROTO_AH       51
#define DECODE_IPPROTO_DSTOPTS  60
#define DECODE_IPV6_EXT_MAX     8 /* extension headers walked before giving up (malformed) */

static enum decode_result
decode_count(struct decode_stats *st, enum decode_result res)
{
    switch (res) {
    case DECODE_OK:
        break;
    case DECODE_NOT_IP:
        st->not_ip++;
        break;
    case DECODE_OTHER_PROTO:
        st->other_proto++;
        break;
    case DECODE_FRAGMENT:
        st->fragments++;
        break;
    case DECODE_TRUNCATED:
        st->truncated++;
        break;
    case DECODE_MALFORMED:
        st->malformed++;
        break;
    case DECODE_UNSUPPORTED_LINK:
        st->unsupported_link++;
        break;
    }
    return res;
}

/* Transport layer: TCP or UDP in l (cap/wire bounded by the IP lengths). */
/* A SYN's window scale option (RFC 7323 §2.2: kind 3, length 3, the shift
 * count, at most 14) in the n option bytes at o (a block the cursor
 * bounded). Options (RFC 9293 §3.1): kind 0 ends the list, kind 1 is one
 * byte of padding, any other carries its length (>= 2) next. A malformed
 * list leaves the shift unknown; the packet is still decoded. */
static void
decode_tcp_wscale(const uint8_t *o, size_t n, struct pkt *pkt)
{
    size_t i = 0;
    while (i < n) {
        uint8_t kind = o[i];
        if (kind == 0)
            return;
        if (kind == 1) {
            i++;
            continue;
        }
        if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i)
            return;
        if (kind == 3 && o[i + 1] == 3) {
            pkt->wscale = o[i + 2] > 14 ? 14 : o[i + 2];
            return;
        }
        i += o[i + 1];
    }
}

static enum decode_result
decode_l4(uint8_t proto, struct decode_layer *l, struct pkt *pkt, struct decode_stats *st,
          struct decode_frag *fr)
{
    enum decode_result res;
    uint32_t hlen, plen_wire;

    pkt->ip_proto = proto;
    if (proto == DECODE_IPPROTO_TCP) {
        if ((res = decode_need(l, 0, 20)) != DECODE_OK)
            return res;
        /* The fixed header (RFC 9293 §3.1), checked as one block: ports,
         * sequence and acknowledgment numbers, data offset, flags, window,
         * checksum, urgent pointer. */
        const uint8_t *b = rd_bytes(&l->r, 20, "tcp.header");
        if (b == NULL)
            return DECODE_TRUNCATED;
        pkt->sport = rd_blk_be16(b, 0);
        pkt->dport = rd_blk_be16(b, 2);
        pkt->seq = rd_blk_be32(b, 4);
        pkt->ack = rd_blk_be32(b, 8);
        uint8_t off = b[12];
        pkt->tcp_flags = b[13];
        pkt->window = rd_blk_be16(b, 14);
        hlen = (uint32_t)(off >> 4) * 4;
        if (hlen < 20)
            return DECODE_MALFORMED; /* data offset below the fixed header */
        /* options: bounded by the data offset; only a SYN's are read */
        if ((res = decode_need(l, 20, hlen - 20)) != DECODE_OK)
            return res;
        if (pkt->tcp_flags & TH_SYN) {
            pkt->wscale = PKT_WSCALE_NONE;
            const uint8_t *opt = rd_bytes(&l->r, hlen - 20, "tcp.options");
            if (opt != NULL)
                decode_tcp_wscale(opt, hlen - 20, pkt);
        } else {
            rd_skip(&l->r, hlen - 20, "tcp.options");
        }
        st->tcp++;
    } else if (proto == DECODE_IPPROTO_UDP) {
        if ((res = decode_need(l, 0, 8)) != DECODE_OK)
            return res;
        const uint8_t *uh = l->r.p;
        pkt->sport = rd_be16(&l->r, "udp.sport");
        pkt->dport = rd_be16(&l->r, "udp.dport");
        uint16_t ulen = rd_be16(&l->r, "udp.len");
        (void)rd_be16(&l->r, "udp.csum");
        if (ulen < 8 || ulen > l->wire)
            return DECODE_MALFORMED;
        hlen = 8;
        l->wire = ulen; /* the UDP length bounds the datagram's payload */
        st->udp++;
        if (pkt->dport == DECODE_PORT_VXLAN || pkt->dport == DECODE_PORT_GENEVE) {
            /* a tunnel's packet, or plain UDP if its header says otherwise */
            size_t have = rd_left(&l->r);
            struct decode_layer t = {rd_init(l->r.p, have < ulen - 8u ? have : ulen - 8u),
                                     ulen - 8u};
            bool tunnel;
            uint8_t n_outer = fr != NULL ? fr->n_outer : 0;
            decode_outer_note(fr, pkt->src.family == 4 ? DECODE_OUTER_IP4 : DECODE_OUTER_IP6,
                              pkt->l3_in);
            decode_outer_note(fr, DECODE_OUTER_UDP, uh);
            res = decode_tunnel_udp(pkt->dport, &t, pkt, st, fr, &tunnel);
            if (tunnel)
                return res;
            if (fr != NULL)
                fr->n_outer = n_outer; /* plain UDP: nothing around anything */
        }
    } else if (proto == DECODE_IPPROTO_GRE || proto == DECODE_IPPROTO_IPIP ||
               proto == DECODE_IPPROTO_IPV6) {
        decode_outer_note(fr, pkt->src.family == 4 ? DECODE_OUTER_IP4 : DECODE_OUTER_IP6,
                          pkt->l3_in);
        return decode_tunnel_ip(proto, l, pkt, st, fr);
    } else {
        return DECODE_OTHER_PROTO;
    }

    plen_wire = l->wire - hlen;
    size_t have = rd_left(&l->r);
    uint32_t plen_cap = have < plen_wire ? (uint32_t)have : plen_wire;
    pkt->payload = plen_cap > 0 ? rd_bytes(&l->r, plen_cap, "payload") : NULL;
    pkt->payload_caplen = plen_cap;
    pkt->payload_wirelen = plen_wire;
    if (plen_cap < plen_wire)
        st->snaplen_cut++;
    return DECODE_OK;
}

/* Builds the layer for an IP datagram of `claimed` bytes (its total length,
 * already checked against the frame's wire length) whose captured bytes start
 * at r. Ethernet padding past `claimed` is left out of the layer. */
static struct decode_layer
decode_ip_layer(struct rd *r, uint32_t claimed)
{
    struct decode_layer l;
    size_t have = rd_left(r);
    size_t n = have < claimed ? have : claimed;
    l.r = rd_init(r->p, n);
    l.wire = claimed;
    return l;
}

/* The IP header at l3 (n bytes captured from it): the frame's first is l3,
 * the last (the tunnel's innermost) l3_in. */
static inline void
decode_set_l3(struct pkt *pkt, const uint8_t *l3, uint32_t n)
{
    if (pkt->l3 == NULL) {
        pkt->l3 = l3;
        pkt->l3_caplen = n;
    }
    pkt->l3_in = l3;
    pkt->l3_in_caplen = n;
}

/* A fragment's data: the rest of the layer at r (bounded by the IP lengths),
 * `wire` bytes on the wire. */
static void
decode_frag_data(struct decode_frag *fr, struct rd *r, uint32_t wire)
{
    size_t n = rd_left(r);
    fr->data = n > 0 ? rd_bytes(r, n, "ip.fragment") : NULL;
    fr->data_caplen = (uint32_t)n;
    fr->data_wirelen = wire;
}

/* IPv4 (RFC 791 §3.1). r is at the version byte; avail_wire is the wire
 * length from here to the end of the frame. A fragment is described in *fr
 * (when not NULL) for reassembly (RFC 791 §3.2: id, MF, offset in 8-byte
 * units). */
static enum decode_result
decode_ipv4(struct rd *r, uint32_t avail_wire, struct pkt *pkt, struct decode_stats *st,
            struct decode_frag *fr)
{
    const uint8_t *l3 = r->p;
    int vihl = rd_peek(r, 0);
    if (vihl < 0)
        return DECODE_TRUNCATED;
    if ((vihl >> 4) != 4)
        return DECODE_MALFORMED;
    uint32_t hlen = (uint32_t)(vihl & 0x0f) * 4;
    if (hlen < 20)
        return DECODE_MALFORMED; /* IHL < 5 */
    if (!rd_need(r, 20, "ip.header"))
        return DECODE_TRUNCATED;

    /* The fixed header (RFC 791 §3.1), checked as one block just above:
     * version/IHL, TOS, total length, id, flags/fragment offset, TTL,
     * protocol, checksum, source, destination. */
    struct rd h = rd_init(r->p, rd_left(r));
    const uint8_t *b = rd_bytes(&h, 20, "ip.header");
    if (b == NULL)
        return DECODE_TRUNCATED;
    uint32_t tot = rd_blk_be16(b, 2);
    uint16_t frag = rd_blk_be16(b, 6);
    uint8_t proto = b[9];
    st->ip4++;
    pkt->src.family = 4;
    pkt->dst.family = 4;
    memcpy(pkt->src.a, b + 12, 4);
    memcpy(pkt->dst.a, b + 16, 4);

    if (tot == 0)
        tot = avail_wire; /* TCP segmentation offload on the capturing host */
    if (tot < hlen || tot > avail_wire)
        return DECODE_MALFORMED;
    struct decode_layer ip = decode_ip_layer(r, tot);
    decode_set_l3(pkt, l3, (uint32_t)rd_left(&ip.r));
    enum decode_result res = decode_need(&ip, 0, hlen);
    if (res != DECODE_OK)
        return res;
    rd_skip(&ip.r, hlen, "ip.header_options");
    if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0) {
        /* MF set or offset != 0: a fragment (RFC 791 §3.2) */
        if (fr != NULL) {
            fr->family = 4;
            fr->proto = proto;
            fr->more = (frag & 0x2000) != 0;
            fr->id = rd_blk_be16(b, 4);
            fr->offset = (uint32_t)(frag & 0x1fff) * 8;
            fr->hdr = l3;
            fr->hdr_len = hlen;
            fr->unfrag_len = 0;
            decode_frag_data(fr, &ip.r, tot - hlen);
        }
        return DECODE_FRAGMENT;
    }
    ip.wire = tot - hlen;
    return decode_l4(proto, &ip, pkt, st, fr);
}

/* A Routing header (RFC 8200 §4.4) e of len bytes, its first two read (hl:
 * its length field): while Segments Left is not 0, the Destination Address
 * is a waypoint, and the connection's end is the final destination, the
 * address TCP's checksum covers (RFC 8200 §8.1) and the other direction's
 * packets come from: dst becomes it. Type 0 (RFC 5095, deprecated): the last
 * address; 2 (Mobile IPv6, RFC 6275 §6.4): the home address; 3 (RPL, RFC
 * 6554 §3): the last address, its first CmprE bytes the Destination
 * Address's; 4 (SRv6, RFC 8754 §2): Segment List[0]. Others, Segments Left
 * 0, or a header too short for the address: dst stays. */
static void
decode_ip6_final_dst(struct rd *e, uint32_t len, struct ipaddr *dst)
{
    rd_skip(e, 1, "ip6.rh.next");
    uint32_t hl = rd_u8(e, "ip6.rh.len");
    uint8_t type = rd_u8(e, "ip6.rh.type"), left = rd_u8(e, "ip6.rh.segleft");
    uint8_t c = rd_u8(e, "ip6.rh.cmpr"), p = rd_u8(e, "ip6.rh.pad"); /* type 3's */
    /* the final address: n bytes at `at` from the header's start, after keep */
    uint32_t at = 8, n = 16, keep = 0;
    if (left == 0 || e->st != RD_OK)
        return;
    if (type == 0 && hl >= 2)
        at = 8 + (hl / 2 - 1) * 16; /* hl / 2 addresses */
    else if (type == 3) {
        keep = c & 0x0fu; /* CmprE */
        n = 16 - keep;
        if (len < 8 + (uint32_t)(p >> 4) + n)
            return;
        at = len - (uint32_t)(p >> 4) - n; /* the last address, before Pad */
    } else if (type != 2 && type != 4)
        return;
    if (at + n > len || !rd_skip(e, at - 6, "ip6.rh.addresses"))
        return;
    uint8_t a[16];
    memcpy(a, dst->a, 16);
    if (rd_copy(e, a + keep, n, "ip6.rh.final"))
        memcpy(dst->a, a, 16);
}

/* A Destination Options header e (RFC 8200 §4.6) with a Home Address
 * option (RFC 6275 §6.3: type 201, 16 bytes): a Mobile IPv6 node sends from
 * its care-of address with its home address there, the source its peer's
 * TCP sees and its checksum covers (§9.3.1: the peer swaps them), and the
 * final destination of the other direction's type 2 Routing header: src
 * becomes it, so the two directions are one connection. Others: src stays. */
static void
decode_ip6_home_addr(struct rd *e, struct ipaddr *src)
{
    rd_skip(e, 2, "ip6.dstopts.next_len");
    while (rd_left(e) > 0) {
        uint8_t type = rd_u8(e, "ip6.opt.type");
        if (type == 0) /* Pad1 */
            continue;
        uint8_t olen = rd_u8(e, "ip6.opt.len");
        if (type == 0xc9 && olen == 16) {
            uint8_t a[16];
            if (rd_copy(e, a, 16, "ip6.opt.home_address"))
                memcpy(src->a, a, 16);
            return;
        }
        if (!rd_skip(e, olen, "ip6.opt.data"))
            return;
    }
}

/* IPv6 (RFC 8200 §3, §4) with its extension header chain. A fragment is
 * described in *fr (when not NULL) for reassembly (RFC 8200 §4.5). */
static enum decode_result
decode_ipv6(struct rd *r, uint32_t avail_wire, struct pkt *pkt, struct decode_stats *st,
            struct decode_frag *fr)
{
    const uint8_t *l3 = r->p;
    int v = rd_peek(r, 0);
    if (v < 0)
        return DECODE_TRUNCATED;
    if ((v >> 4) != 6)
        return DECODE_MALFORMED;
    if (avail_wire < 40)
        return DECODE_MALFORMED;
    if (!rd_need(r, 40, "ip6.header"))
        return DECODE_TRUNCATED;

    struct rd h = rd_init(r->p, rd_left(r));
    (void)rd_be32(&h, "ip6.vtcfl");
    uint32_t plen = rd_be16(&h, "ip6.plen");
    uint8_t next = rd_u8(&h, "ip6.next");
    (void)rd_u8(&h, "ip6.hlim");
    st->ip6++;
    pkt->src.family = 6;
    pkt->dst.family = 6;
    rd_copy(&h, pkt->src.a, 16, "ip6.src");
    rd_copy(&h, pkt->dst.a, 16, "ip6.dst");

    if (plen == 0)
        plen = avail_wire - 40; /* jumbogram (RFC 2675) or segmentation offload */
    if (plen > avail_wire - 40)
        return DECODE_MALFORMED;
    struct decode_layer ip = decode_ip_layer(r, 40 + plen);
    decode_set_l3(pkt, l3, (uint32_t)rd_left(&ip.r));
    rd_skip(&ip.r, 40, "ip6.header");
    ip.wire = plen;

    uint32_t used = 0;
    bool routed = false;
    enum decode_result res;
    for (unsigned n_ext = 0;; n_ext++) {
        uint32_t len;
        switch (next) {
        case DECODE_IPPROTO_HOPOPTS:
        case DECODE_IPPROTO_ROUTING:
        case DECODE_IPPROTO_DSTOPTS:
        case DECODE_IPPROTO_AH:
        case DECODE_IPPROTO_FRAGMENT:
            break;
        default:
            /* upper layer: the chain ends here */
            ip.wire -= used;
            return decode_l4(next, &ip, pkt, st, fr);
        }
        if (n_ext >= DECODE_IPV6_EXT_MAX)
            return DECODE_MALFORMED;
        if ((res = decode_need(&ip, used, 2)) != DECODE_OK)
            return res;
        int nx = rd_peek(&ip.r, 0);
        int hl = rd_peek(&ip.r, 1);
        if (next == DECODE_IPPROTO_FRAGMENT)
            len = 8;
        else if (next == DECODE_IPPROTO_AH)
            len = ((uint32_t)hl + 2) * 4; /* RFC 4302 §2.2 */
        else
            len = ((uint32_t)hl + 1) * 8; /* RFC 8200 §4.3 */
        if ((res = decode_need(&ip, used, len)) != DECODE_OK)
            return res;
        struct rd e = rd_sub(&ip.r, len, "ip6.ext");
        if (next == DECODE_IPPROTO_ROUTING && !routed) {
            struct rd rh = e;
            decode_ip6_final_dst(&rh, len, &pkt->dst);
            routed = true; /* one Routing header (RFC 8200 §4.1) */
        }
        if (next == DECODE_IPPROTO_DSTOPTS) {
            struct rd dh = e;
            decode_ip6_home_addr(&dh, &pkt->src);
        }
        if (next == DECODE_IPPROTO_FRAGMENT) {
            rd_skip(&e, 2, "ip6.frag.next_rsvd");
            uint16_t offm = rd_be16(&e, "ip6.frag.offset");
            uint32_t id = rd_be32(&e, "ip6.frag.id");
            /* offset != 0 or M set: a real fragment; else an atomic fragment (RFC 6946) */
            if ((offm & 0xfff8) != 0 || (offm & 0x0001) != 0) {
                if (fr != NULL) {
                    fr->family = 6;
                    fr->proto = (uint8_t)nx;
                    fr->more = (offm & 0x0001) != 0;
                    fr->id = id;
                    fr->offset = offm & 0xfff8u; /* 8-byte units in the top 13 bits */
                    fr->hdr = l3;
                    fr->hdr_len = 40;
                    fr->unfrag_len = used;
                    decode_frag_data(fr, &ip.r, ip.wire - used - len);
                }
                return DECODE_FRAGMENT;
            }
        }
        used += len;
        next = (uint8_t)nx;
    }
}

/* Link layer header done: dispatch on an Ethertype. Inlined into the outer
 * link layers' decoding: a tunnel's inner frame comes back through
 * decode_inner_ethertype()'s copy, so a packet without one pays no call. */
static inline __attribute__((always_inline)) enum decode_result
decode_ethertype(uint16_t type, struct rd *r, uint32_t avail_wire, struct pkt *pkt,
                 struct decode_stats *st, struct decode_frag *fr)
{
    switch (type) {
    case DECODE_ETH_IPV4:
        return decode_ipv4(r, avail_wire, pkt, st, fr);
    case DECODE_ETH_IPV6:
        return decode_ipv6(r, avail_wire, pkt, st, fr);
    default:
        return decode_tunnel_ethertype(type, r, avail_wire, pkt, st, fr);
    }
}

/* Walks 802.1Q / 802.1ad tags after a link header whose type field was `type`.
 * Returns the inner Ethertype via *out. */
static inline __attribute__((always_inline)) enum decode_result
decode_vlans(uint16_t type, struct rd *r, struct pkt *pkt, struct decode_stats *st, uint16_t *out)
{
    unsigned depth = 0;
    while (type == DECODE_ETH_8021Q || type == DECODE_ETH_8021AD || type == DECODE_ETH_QINQ) {
        if (depth == DECODE_VLAN_MAX)
            return DECODE_MALFORMED;
        uint16_t tci = rd_be16(r, "vlan.tci");
        type = rd_be16(r, "vlan.type");
        if (!rd_ok(r))
            return DECODE_TRUNCATED;
        if (depth == 0)
            st->vlan_tagged++;
        if (pkt->n_vlan < 2)
            pkt->vlan[pkt->n_vlan++] = tci & 0x0fff;
        else if (depth == 2)
            st->vlan_too_deep++;
        depth++;
    }
    *out = type;
    return DECODE_OK;
}

/* Wire bytes from the cursor to the end of the frame. */
static uint32_t
decode_avail_wire(const struct rd *r, uint32_t caplen, uint32_t wirelen)
{
    uint32_t consumed = (uint32_t)(caplen - rd_left(r));
    uint32_t total = wirelen > caplen ? wirelen : caplen;
    return total - consumed;
}

static enum decode_result
decode_raw_ip(struct rd *r, uint32_t avail, int only, struct pkt *pkt, struct decode_stats *st,
              struct decode_frag *fr)
{
    int v = rd_peek(r, 0);
    if (v < 0)
        return DECODE_TRUNCATED;
    v >>= 4;
    if (v == 4 && only != 6)
        return decode_ipv4(r, avail, pkt, st, fr);
    if (v == 6 && only != 4)
        return decode_ipv6(r, avail, pkt, st, fr);
    return DECODE_MALFORMED;
}

/* A tunnel's inner packet whose every wire byte was captured (have >=
 * avail_wire: the cursor ends where the tunnel's own length ends) cannot
 * have been cut by the snaplen: running out of bytes there is a header
 * claiming more than the tunnel carries, MALFORMED (the rule at the top
 * of this file), not TRUNCATED. */
static enum decode_result
decode_inner_outcome(enum decode_result res, size_t have, uint32_t avail_wire)
{
    return res == DECODE_TRUNCATED && have >= avail_wire ? DECODE_MALFORMED : res;
}

enum decode_result
decode_inner_ip(int only, struct rd *r, uint32_t avail_wire, struct pkt *pkt,
                struct decode_stats *st, struct decode_frag *fr)
{
    size_t have = rd_left(r);
    return decode_inner_outcome(decode_raw_ip(r, avail_wire, only, pkt, st, fr), have, avail_wire);
}

enum decode_result
decode_inner_ethertype(uint16_t type, struct rd *r, uint32_t avail_wire, struct pkt *pkt,
                       struct decode_stats *st, struct decode_frag *fr)
{
    size_t have = rd_left(r);
    return decode_inner_outcome(decode_ethertype(type, r, avail_wire, pkt, st, fr), have,
                                avail_wire);
}

/* An Ethernet frame inside a tunnel (VXLAN, Geneve, GRE 0x6558, ERSPAN):
 * Ethernet II with its 802.1Q tags (added to the frame's, two at most);
 * an IEEE 802.3 length field is no IP. */
enum decode_result
decode_inner_eth(struct rd *r, uint32_t avail_wire, struct pkt *pkt, struct decode_stats *st,
                 struct decode_frag *fr)
{
    if (avail_wire < 14)
        return DECODE_MALFORMED;
    size_t before = rd_left(r);
    rd_skip(r, 12, "eth.addrs");
    uint16_t type = rd_be16(r, "eth.type");
    if (!rd_ok(r))
        return decode_inner_outcome(DECODE_TRUNCATED, before, avail_wire);
    if (type <= DECODE_ETH_MAX_LEN)
        return DECODE_NOT_IP;
    enum decode_result res = decode_vlans(type, r, pkt, st, &type);
    if (res != DECODE_OK)
        return decode_inner_outcome(res, before, avail_wire); /* a tag past the tunnel's end */
    uint32_t used = (uint32_t)(before - rd_left(r));
    if (used > avail_wire)
        return DECODE_MALFORMED; /* tags past the tunnel's length */
    return decode_inner_outcome(decode_ethertype(type, r, avail_wire - used, pkt, st, fr), before,
                                avail_wire);
}

static enum decode_result
decode_link(int dlt, struct rd *r, uint32_t caplen, uint32_t wirelen, struct pkt *pkt,
            struct decode_stats *st, struct decode_frag *fr)
{
    uint16_t type;
    uint32_t af;
    enum decode_result res;

    switch (dlt) {
    case DECODE_DLT_EN10MB:
        rd_skip(r, 12, "eth.addrs");
        type = rd_be16(r, "eth.type");
        if (!rd_ok(r))
            return DECODE_TRUNCATED;
        if (type <= DECODE_ETH_MAX_LEN)
            return DECODE_NOT_IP; /* IEEE 802.3 length field: LLC/SNAP frame */
        break;
    case DECODE_DLT_LINUX_SLL:
        rd_skip(r, 14, "sll.header");
        type = rd_be16(r, "sll.protocol");
        if (!rd_ok(r))
            return DECODE_TRUNCATED;
        break;
    case DECODE_DLT_SLL2:
        type = rd_be16(r, "sll2.protocol");
        rd_skip(r, 18, "sll2.header");
        if (!rd_ok(r))
            return DECODE_TRUNCATED;
        break;
    case DECODE_DLT_RAW:
    case DECODE_DLT_RAW_12:
    case DECODE_DLT_RAW_14:
        return decode_raw_ip(r, decode_avail_wire(r, caplen, wirelen), 0, pkt, st, fr);
    case DECODE_DLT_IPV4:
        return decode_raw_ip(r, decode_avail_wire(r, caplen, wirelen), 4, pkt, st, fr);
    case DECODE_DLT_IPV6:
        return decode_raw_ip(r, decode_avail_wire(r, caplen, wirelen), 6, pkt, st, fr);
    case DECODE_DLT_NULL:
    case DECODE_DLT_LOOP:
        af = dlt == DECODE_DLT_LOOP ? rd_be32(r, "null.family") : rd_le32(r, "null.family");
        if (!rd_ok(r))
            return DECODE_TRUNCATED;
        /* DLT_NULL is in the writer's byte order: a big-endian writer's small
         * value shows up in the high half (tcpdump print-null.c). */
        if (dlt == DECODE_DLT_NULL && (af & 0xffff0000u) != 0)
            af = (af >> 24) | ((af >> 8) & 0xff00u) | ((af << 8) & 0xff0000u) | (af << 24);
        if (af == DECODE_BSD_AF_INET)
            return decode_raw_ip(r, decode_avail_wire(r, caplen, wirelen), 4, pkt, st, fr);
        if (af == DECODE_BSD_AF_INET6_BSD || af == DECODE_BSD_AF_INET6_FREEBSD ||
            af == DECODE_BSD_AF_INET6_DARWIN)
            return decode_raw_ip(r, decode_avail_wire(r, caplen, wirelen), 6, pkt, st, fr);
        return DECODE_NOT_IP;
    default:
        return DECODE_UNSUPPORTED_LINK;
    }
    if ((res = decode_vlans(type, r, pkt, st, &type)) != DECODE_OK)
        return res;
    return decode_ethertype(type, r, decode_avail_wire(r, caplen, wirelen), pkt, st, fr);
}

int
decode_link_supported(int dlt)
{
    switch (dlt) {
    case DECODE_DLT_NULL:
    case DECODE_DLT_EN10MB:
    case DECODE_DLT_RAW:
    case DECODE_DLT_RAW_12:
    case DECODE_DLT_RAW_14:
    case DECODE_DLT_LOOP:
    case DECODE_DLT_LINUX_SLL:
    case DECODE_DLT_IPV4:
    case DECODE_DLT_IPV6:
    case DECODE_DLT_SLL2:
        return 1;
    default:
        return 0;
    }
}

enum decode_result
decode_frame(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, int64_t ts_us,
             struct pkt *pkt, struct decode_stats *st)
{
    return decode_frame_frag(dlt, data, caplen, wirelen, ts_us, pkt, st, NULL);
}

enum decode_result
decode_frame_frag(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, int64_t ts_us,
                  struct pkt *pkt, struct decode_stats *st, struct decode_frag *frag)
{
    memset(pkt, 0, sizeof(*pkt));
    pkt->ts_us = ts_us;
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    st->frames++;
    if (frag != NULL)
        frag->n_outer = 0;
    static const uint8_t decode_empty[1];
    if (data == NULL) {
        data = decode_empty;
        caplen = 0;
    }
    struct rd r = rd_init(data, caplen);
    enum decode_result res = decode_link(dlt, &r, caplen, wirelen, pkt, st, frag);
    if (res != DECODE_OK) {
        /* nothing borrowed survives a failed decode except the addresses */
        pkt->payload = NULL;
        pkt->payload_caplen = 0;
        pkt->payload_wirelen = 0;
    }
    return decode_count(st, res);
}

enum decode_result
decode_datagram(const uint8_t *ip, uint32_t caplen, uint32_t wirelen, const struct pkt *frag_pkt,
                struct pkt *pkt, struct decode_stats *st)
{
    return decode_datagram_frag(ip, caplen, wirelen, frag_pkt, pkt, st, NULL);
}

enum decode_result
decode_datagram_frag(const uint8_t *ip, uint32_t caplen, uint32_t wirelen,
                     const struct pkt *frag_pkt, struct pkt *pkt, struct decode_stats *st,
                     struct decode_frag *frag)
{
    int64_t ts_us = frag_pkt->ts_us;
    uint16_t vlan[2] = {frag_pkt->vlan[0], frag_pkt->vlan[1]};
    uint8_t n_vlan = frag_pkt->n_vlan;
    uint8_t tun_depth = frag_pkt->tun_depth, tun_kind = frag_pkt->tun_kind;
    uint8_t tun_inner = frag_pkt->tun_inner;
    uint32_t tun_id = frag_pkt->tun_id;
    struct ipaddr tun_src = frag_pkt->tun_src, tun_dst = frag_pkt->tun_dst;
    struct pkt_mpls mpls = frag_pkt->mpls;
    memset(pkt, 0, sizeof(*pkt));
    pkt->mpls = mpls;
    pkt->tun_depth = tun_depth;
    pkt->tun_kind = tun_kind;
    pkt->tun_inner = tun_inner;
    pkt->tun_id = tun_id;
    pkt->tun_src = tun_src;
    pkt->tun_dst = tun_dst;
    pkt->ts_us = ts_us;
    pkt->vlan[0] = vlan[0];
    pkt->vlan[1] = vlan[1];
    pkt->n_vlan = n_vlan;
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    if (frag != NULL)
        frag->n_outer = 0;
    static const uint8_t decode_empty[1];
    if (ip == NULL) {
        ip = decode_empty;
        caplen = 0;
    }
    struct rd r = rd_init(ip, caplen);
    uint32_t avail = wirelen > caplen ? wirelen : caplen;
    enum decode_result res = decode_raw_ip(&r, avail, 0, pkt, st, frag);
    if (res != DECODE_OK) {
        pkt->payload = NULL;
        pkt->payload_caplen = 0;
        pkt->payload_wirelen = 0;
    }
    return decode_count(st, res);
}

const char *
decode_result_name(enum decode_result r)
{
    switch (r) {
    case DECODE_OK:
        return "ok";
    case DECODE_NOT_IP:
        return "not_ip";
    case DECODE_OTHER_PROTO:
        return "other_proto";
    case DECODE_FRAGMENT:
        return "fragment";
    case DECODE_TRUNCATED:
        return "truncated";
    case DECODE_MALFORMED:
        return "malformed";
    case DECODE_UNSUPPORTED_LINK:
        return "unsupported_link";
    }
    return "unknown";
}

const char *
decode_tun_name(unsigned kind)
{
    static const char *const name[DECODE_TUN_KINDS] = {[DECODE_TUN_VXLAN] = "vxlan",
                                                       [DECODE_TUN_GENEVE] = "geneve",
                                                       [DECODE_TUN_GRE] = "gre",
                                                       [DECODE_TUN_ERSPAN2] = "erspan_ii",
                                                       [DECODE_TUN_ERSPAN3] = "erspan_iii",
                                                       [DECODE_TUN_IPIP] = "ipip",
                                                       [DECODE_TUN_IP6] = "ipv6_in_ip",
                                                       [DECODE_TUN_MPLS] = "mpls",
                                                       [DECODE_TUN_PPPOE] = "pppoe"};
    return kind < DECODE_TUN_KINDS ? name[kind] : NULL;
}
