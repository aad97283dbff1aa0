/* \summary: tunnels taken off a frame, so that the packet they carry is the
 * one analysed: VXLAN, Geneve, GRE, ERSPAN II/III, IP in IP, MPLS, PPPoE
 * (remote mirroring: AWS VPC Traffic Mirroring and Azure vTAP send VXLAN,
 * AWS Gateway Load Balancer Geneve, Cisco and Arista remote SPAN ERSPAN in
 * GRE; Zeek and Suricata take them all off by default).
 *
 *   VXLAN (RFC 7348 §5), UDP destination port 4789:
 *     | flags 8 (R R R R I R R R) | reserved 24 | VNI 24 | reserved 8 | Ethernet frame |
 *     I set: a VNI is carried; I clear: no VXLAN header, the datagram stays UDP.
 *   Geneve (RFC 8926 §3.4), UDP destination port 6081:
 *     | Ver 2b | Opt Len 6b | O 1b | C 1b | Rsvd 6b | Protocol Type 16 |
 *     | VNI 24 | Reserved 8 | options (Opt Len * 4 bytes) | payload |
 *     Ver other than 0: no Geneve header, the datagram stays UDP. O set: a
 *     control message between the endpoints, whose payload MUST NOT be
 *     forwarded: not taken off (tun_oam), the datagram stays UDP. Protocol
 *     Type 0x6558: an Ethernet frame; else an Ethertype (0x0800, 0x86dd).
 *   GRE (RFC 2784 §2.1, key and sequence number RFC 2890 §2), IP protocol 47:
 *     | C 1b | R 1b | K 1b | S 1b | Reserved0 9b | Ver 3b | Protocol Type 16 |
 *     | Checksum 16 | Reserved1 16 |   (C)
 *     | Key 32 |                        (K)
 *     | Sequence Number 32 |            (S)
 *     Ver other than 0 (PPTP's enhanced GRE, RFC 2637: PPP) and R (RFC 1701
 *     source routing) are not followed (other_proto). Protocol Type 0x6558:
 *     Transparent Ethernet Bridging, an Ethernet frame; 0x88be, 0x22eb:
 *     ERSPAN; else an Ethertype.
 *   ERSPAN (draft-foschiano-erspan-03) in GRE:
 *     type I, 0x88be without S: the mirrored Ethernet frame right after GRE.
 *     type II (§4.1), 0x88be with S:
 *       | Ver 4b (1) | VLAN 12b | COS 3b | En 2b | T 1b | Session ID 10b |
 *       | Reserved 12b | Index 20b | Ethernet frame |
 *     type III (§4.2), 0x22eb:
 *       | Ver 4b (2) | VLAN 12b | COS 3b | BSO 2b | T 1b | Session ID 10b |
 *       | Timestamp 32 | SGT 16 | P 1b | FT 5b | Hw ID 6b | D 1b | Gra 2b | O 1b |
 *       | platform specific subheader 8 (O) | frame |
 *       FT 0: an Ethernet frame; 2: an IP packet; others not followed.
 *   IP in IP: protocol 4 carries an IPv4 packet (RFC 2003 §3; in IPv6,
 *     RFC 2473), protocol 41 an IPv6 packet (RFC 4213 §3.5; RFC 2473).
 *   MPLS (RFC 3032 §2.1), Ethertype 0x8847 (unicast), 0x8848 (multicast):
 *     | Label 20b | TC 3b | S 1b | TTL 8 |, repeated until S (bottom of stack);
 *     then no field names the payload (RFC 3032 §2.2); its first nibble
 *     and a check of what would follow, as Wireshark's packet-mpls.c guesses
 *     (RFC 4385 §3 gives the control word and the associated channel the
 *     first nibbles 0 and 1, which no IP packet has; RFC 4928):
 *       4, 6: IPv4, IPv6, or an Ethernet frame to an address beginning
 *         so, weighed by tun_mpls_is_eth(): the IP length against the
 *         bytes left (a tail of FCS or a short frame's padding), the IPv4
 *         header checksum of each reading, a known non-IP Ethertype (ARP);
 *       0: the pseudowire control word (RFC 4385 §3: | 0000 | Flags 4b |
 *         FRG 2b | Length 6b | Sequence 16 |) and an Ethernet frame (RFC
 *         4448 §4.4, Ethernet over MPLS), unless only an Ethernet frame
 *         without it fits (a destination address 0x: Wireshark asks its OUI
 *         table, smtptap what the frame would carry);
 *       otherwise: an Ethernet pseudowire
 *         without the control word (RFC 4448 §4.4 allows it), when an
 *         Ethernet frame carrying IP fits: a type 0x0800 followed by
 *         version 4, 0x86dd by 6, or a VLAN tag (0x8100, 0x88a8);
 *       else not IP (1 with no such frame: the PW associated channel).
 *   PPPoE session stage (RFC 2516 §4), Ethertype 0x8864:
 *     | Ver 4b (1) | Type 4b (1) | Code 8 (0) | Session ID 16 | Length 16 |
 *     | PPP Protocol 16 (RFC 1661 §2) | payload |; 0x0021 IPv4, 0x0057 IPv6.
 *
 * Outcomes, as decode.c's: a header field past the enclosing length is
 * DECODE_MALFORMED, one within it but past the captured bytes
 * DECODE_TRUNCATED, each also counted as a tunnel's (tun_malformed,
 * tun_truncated); an inner packet's own outcome is its own, but for one
 * whose tunnel was captured whole, where running out of bytes is MALFORMED
 * (decode_inner_*(): the snaplen cut nothing). At most
 * DECODE_TUNNEL_MAX layers are taken off one frame (pkt.tun_depth); a
 * deeper one is counted (tun_too_deep) and not analysed (other_proto): the
 * recursion through decode_inner_*() is bounded by it. The innermost VNI,
 * GRE key or ERSPAN session is the packet's tun_id, a part of its flow key
 * (two VPCs may both use 10.0.0.0/16).
 */
#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "decode.h"
#include "decode_int.h"
#include "inetsum.h"

#define TUN_ETH_TEB      0x6558 /* Transparent Ethernet Bridging (RFC 1701 §3.3) */
#define TUN_ETH_ERSPAN2  0x88be
#define TUN_ETH_ERSPAN3  0x22eb
#define TUN_ETH_MPLS_UC  0x8847
#define TUN_ETH_MPLS_MC  0x8848
#define TUN_ETH_PPPOE    0x8864
#define TUN_PPP_IPV4     0x0021
#define TUN_PPP_IPV6     0x0057
#define TUN_IPPROTO_IPIP 4
#define TUN_IPPROTO_IPV6 41
#define TUN_IPPROTO_GRE  47
#define TUN_MPLS_MAX                                                                               \
    PKT_MPLS_MAX    /* label stack entries walked before the stack is called malformed */
#define TUN_PW_CW 4 /* the pseudowire control word (RFC 4385 §3) */

/* A tunnel header's outcome, counted as the tunnel's too. */
static enum decode_result
tun_bad(struct decode_stats *st, enum decode_result res)
{
    if (res == DECODE_TRUNCATED)
        st->tun_truncated++;
    else if (res == DECODE_MALFORMED)
        st->tun_malformed++;
    return res;
}

/* One more layer taken off: false (counted) past DECODE_TUNNEL_MAX. */
static bool
tun_enter(struct pkt *pkt, struct decode_stats *st, enum decode_tun kind)
{
    if (pkt->tun_depth >= DECODE_TUNNEL_MAX) {
        st->tun_too_deep++;
        return false;
    }
    if (pkt->tun_depth == 0 && pkt->l3 != NULL) { /* an IP header outside it: its ends */
        pkt->tun_src = pkt->src;
        pkt->tun_dst = pkt->dst;
    }
    pkt->tun_depth++;
    pkt->tun_inner = (uint8_t)kind;
    st->tun[kind]++;
    return true;
}

/* The packet's network within the tunnel: the innermost one named wins. */
static void
tun_name(struct pkt *pkt, enum decode_tun kind, uint32_t id)
{
    pkt->tun_kind = (uint8_t)kind;
    pkt->tun_id = id;
}

/* The rest of layer l, `used` bytes into it, is a frame of this kind: an
 * Ethernet frame, an IP packet, or the payload of an Ethertype. */
static enum decode_result
tun_eth(struct decode_layer *l, uint32_t used, struct pkt *pkt, struct decode_stats *st,
        struct decode_frag *fr)
{
    return decode_inner_eth(&l->r, l->wire - used, pkt, st, fr);
}

static enum decode_result
tun_ethertype(uint16_t type, struct decode_layer *l, uint32_t used, struct pkt *pkt,
              struct decode_stats *st, struct decode_frag *fr)
{
    return decode_inner_ethertype(type, &l->r, l->wire - used, pkt, st, fr);
}

/* ---- UDP: VXLAN, Geneve ------------------------------------------------ */

static enum decode_result
tun_vxlan(struct decode_layer *l, struct pkt *pkt, struct decode_stats *st, struct decode_frag *fr,
          bool *tunnel)
{
    /* the header and an Ethernet header: anything shorter is no VXLAN */
    if (l->wire < 8 + 14)
        return DECODE_OK;
    int flags = rd_peek(&l->r, 0);
    if (flags >= 0 && (flags & 0x08) == 0)
        return DECODE_OK; /* I clear: no VNI, not VXLAN (RFC 7348 §5) */
    *tunnel = true;
    const uint8_t *b = rd_bytes(&l->r, 8, "vxlan.header");
    if (b == NULL)
        return tun_bad(st, DECODE_TRUNCATED);
    if (!tun_enter(pkt, st, DECODE_TUN_VXLAN))
        return DECODE_OTHER_PROTO;
    tun_name(pkt, DECODE_TUN_VXLAN, (uint32_t)b[4] << 16 | (uint32_t)b[5] << 8 | b[6]);
    return tun_eth(l, 8, pkt, st, fr);
}

static enum decode_result
tun_geneve(struct decode_layer *l, struct pkt *pkt, struct decode_stats *st, struct decode_frag *fr,
           bool *tunnel)
{
    if (l->wire < 8)
        return DECODE_OK;
    int v = rd_peek(&l->r, 0);
    if (v >= 0 && (v >> 6) != 0)
        return DECODE_OK; /* Ver 0 only (RFC 8926 §3.4) */
    *tunnel = true;
    const uint8_t *b = rd_bytes(&l->r, 8, "geneve.header");
    if (b == NULL)
        return tun_bad(st, DECODE_TRUNCATED);
    if (b[1] & 0x80) { /* O: a control message between the endpoints (RFC 8926 §3.4) */
        st->tun_oam++;
        *tunnel = false; /* not the data path: the datagram stays UDP, its payload unread */
        return DECODE_OK;
    }
    uint32_t opt = (uint32_t)(b[0] & 0x3f) * 4;
    uint16_t type = rd_blk_be16(b, 2);
    enum decode_result res = decode_need(l, 8, opt);
    if (res != DECODE_OK)
        return tun_bad(st, res);
    rd_skip(&l->r, opt, "geneve.options");
    if (!tun_enter(pkt, st, DECODE_TUN_GENEVE))
        return DECODE_OTHER_PROTO;
    tun_name(pkt, DECODE_TUN_GENEVE, (uint32_t)b[4] << 16 | (uint32_t)b[5] << 8 | b[6]);
    if (type == TUN_ETH_TEB)
        return tun_eth(l, 8 + opt, pkt, st, fr);
    return tun_ethertype(type, l, 8 + opt, pkt, st, fr);
}

enum decode_result
decode_tunnel_udp(uint16_t dport, struct decode_layer *l, struct pkt *pkt, struct decode_stats *st,
                  struct decode_frag *fr, bool *tunnel)
{
    *tunnel = false;
    if (dport == DECODE_PORT_VXLAN)
        return tun_vxlan(l, pkt, st, fr, tunnel);
    return tun_geneve(l, pkt, st, fr, tunnel);
}

/* ---- GRE, ERSPAN ---------------------------------------------------------- */

/* ERSPAN type II or III after GRE (`used` bytes into l). */
static enum decode_result
tun_erspan(uint16_t type, struct decode_layer *l, uint32_t used, struct pkt *pkt,
           struct decode_stats *st, struct decode_frag *fr)
{
    uint32_t hlen = type == TUN_ETH_ERSPAN2 ? 8 : 12;
    enum decode_result res = decode_need(l, used, hlen);
    if (res != DECODE_OK)
        return tun_bad(st, res);
    const uint8_t *b = rd_bytes(&l->r, hlen, "erspan.header");
    if (b == NULL)
        return tun_bad(st, DECODE_TRUNCATED);
    unsigned ver = b[0] >> 4;
    uint32_t session = rd_blk_be16(b, 2) & 0x3ff;
    enum decode_tun kind = type == TUN_ETH_ERSPAN2 ? DECODE_TUN_ERSPAN2 : DECODE_TUN_ERSPAN3;
    if (ver != (type == TUN_ETH_ERSPAN2 ? 1u : 2u))
        return tun_bad(st, DECODE_MALFORMED); /* the version the protocol type says */
    used += hlen;
    unsigned ft = 0;
    if (type == TUN_ETH_ERSPAN3) {
        ft = (b[10] >> 2) & 0x1f;
        if (b[11] & 0x01) { /* O: the platform specific subheader */
            if ((res = decode_need(l, used, 8)) != DECODE_OK)
                return tun_bad(st, res);
            rd_skip(&l->r, 8, "erspan.subheader");
            used += 8;
        }
        if (ft != 0 && ft != 2)
            return DECODE_NOT_IP; /* a frame type not followed */
    }
    if (!tun_enter(pkt, st, kind))
        return DECODE_OTHER_PROTO;
    tun_name(pkt, kind, session);
    if (ft == 2)
        return decode_inner_ip(0, &l->r, l->wire - used, pkt, st, fr);
    return tun_eth(l, used, pkt, st, fr);
}

static enum decode_result
tun_gre(struct decode_layer *l, struct pkt *pkt, struct decode_stats *st, struct decode_frag *fr)
{
    enum decode_result res = decode_need(l, 0, 4);
    if (res != DECODE_OK)
        return tun_bad(st, res);
    decode_outer_note(fr, DECODE_OUTER_GRE, l->r.p);
    uint16_t flags = rd_be16(&l->r, "gre.flags");
    uint16_t type = rd_be16(&l->r, "gre.type");
    if ((flags & 0x0007) != 0 || (flags & 0x4000) != 0)
        return DECODE_OTHER_PROTO; /* version 1 (PPTP) or RFC 1701 routing: not followed */
    uint32_t hlen =
        4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
    if ((res = decode_need(l, 4, hlen - 4)) != DECODE_OK)
        return tun_bad(st, res);
    if (flags & 0x8000)
        rd_skip(&l->r, 4, "gre.checksum");
    uint32_t key = (flags & 0x2000) ? rd_be32(&l->r, "gre.key") : 0;
    if (flags & 0x1000)
        rd_skip(&l->r, 4, "gre.sequence");
    if (!tun_enter(pkt, st, DECODE_TUN_GRE))
        return DECODE_OTHER_PROTO;
    if (flags & 0x2000)
        tun_name(pkt, DECODE_TUN_GRE, key);
    switch (type) {
    case TUN_ETH_TEB:
        return tun_eth(l, hlen, pkt, st, fr);
    case TUN_ETH_ERSPAN2:
        if ((flags & 0x1000) == 0) { /* type I: no ERSPAN header (no session id) */
            if (!tun_enter(pkt, st, DECODE_TUN_ERSPAN2))
                return DECODE_OTHER_PROTO;
            return tun_eth(l, hlen, pkt, st, fr);
        }
        return tun_erspan(type, l, hlen, pkt, st, fr);
    case TUN_ETH_ERSPAN3:
        return tun_erspan(type, l, hlen, pkt, st, fr);
    default:
        return tun_ethertype(type, l, hlen, pkt, st, fr);
    }
}

enum decode_result
decode_tunnel_ip(uint8_t proto, struct decode_layer *l, struct pkt *pkt, struct decode_stats *st,
                 struct decode_frag *fr)
{
    if (proto == TUN_IPPROTO_GRE)
        return tun_gre(l, pkt, st, fr);
    enum decode_tun kind = proto == TUN_IPPROTO_IPIP ? DECODE_TUN_IPIP : DECODE_TUN_IP6;
    if (!tun_enter(pkt, st, kind))
        return DECODE_OTHER_PROTO;
    return decode_inner_ip(proto == TUN_IPPROTO_IPIP ? 4 : 6, &l->r, l->wire, pkt, st, fr);
}

/* ---- Ethertypes: MPLS, PPPoE ---------------------------------------------- */

/* After an MPLS label stack nothing names the payload (RFC 3032 §2.2): it
 * is guessed from what the bytes would be read as (RFC 4928 §2 sees the
 * ambiguity; Wireshark's packet-mpls.c guesses by the first nibble). */

/* The bytes `at` into r read as an IP header of version ver, in `rest` wire
 * bytes from there: does its length fit (IPv4: IHL >= 5, Total Length >= the
 * header); is the tail after it short enough for padding or FCS (<= 4
 * bytes, or any when `padded`: the frame was short); does the IPv4 header
 * checksum verify (1), not (-1), or say nothing (0: IPv6, not captured)? */
struct tun_ipguess {
    bool fits, exact;
    int sum;
};

static struct tun_ipguess
tun_guess_ip(const struct rd *r, size_t at, unsigned ver, uint32_t rest, bool padded)
{
    struct tun_ipguess g = {false, false, 0};
    int b0 = rd_peek(r, at), l0 = rd_peek(r, at + (ver == 4 ? 2 : 4));
    int l1 = rd_peek(r, at + (ver == 4 ? 3 : 5));
    if (b0 < 0 || l0 < 0 || l1 < 0 || (unsigned)b0 >> 4 != ver)
        return g;
    uint32_t len = (uint32_t)l0 << 8 | (uint32_t)l1, hlen = 40;
    if (ver == 4) {
        hlen = ((uint32_t)b0 & 0x0fu) * 4;
        if (hlen < 20 || len < hlen)
            return g;
    } else {
        len += 40;
    }
    g.fits = len <= rest;
    g.exact = g.fits && (len + 4 >= rest || padded);
    struct rd h = *r; /* a copy: r does not move */
    rd_skip(&h, at, "mpls.guess_ip");
    const uint8_t *b = ver == 4 ? rd_bytes(&h, hlen, "mpls.guess_ip") : NULL;
    if (b != NULL)
        g.sum = inetsum_add(0, b, hlen) == 0xffff ? 1 : -1;
    return g;
}

/* An Ethertype a frame carries that is not IP but is seen on links
 * (pseudowires carry whole LANs): ARP, RARP, MPLS, PPPoE, 802.1X, slow
 * protocols (LACP), LLDP, MACsec, PTP, CFM, FCoE. */
static bool
tun_other_ethertype(unsigned type)
{
    static const uint16_t known[] = {0x0806, 0x8035, 0x8847, 0x8848, 0x8863, 0x8864, 0x888e,
                                     0x8809, 0x88cc, 0x88e5, 0x88f7, 0x8902, 0x8906};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (type == known[i])
            return true;
    return false;
}

/* The bytes `at` into r read as an Ethernet frame (without FCS, RFC 4448
 * §4.4; kept, 4 bytes more) of `rest` wire bytes: `looks`, a type of
 * 0x0800 followed by version 4, 0x86dd by version 6, or a VLAN tag (0x8100,
 * 0x88a8); `in`, that IP packet's guess (a tagged frame's: fits and exact,
 * no checksum); `other`, a known Ethertype that is not IP. */
struct tun_ethguess {
    bool looks, other;
    struct tun_ipguess in;
};

static struct tun_ethguess
tun_guess_eth(const struct rd *r, size_t at, uint32_t rest)
{
    struct tun_ethguess g = {false, false, {false, false, 0}};
    int t0 = rd_peek(r, at + 12), t1 = rd_peek(r, at + 13), v = rd_peek(r, at + 14);
    if (t0 < 0 || t1 < 0 || rest < 14)
        return g;
    unsigned type = (unsigned)t0 << 8 | (unsigned)t1;
    if (type == 0x8100 || type == 0x88a8) {
        g.looks = g.in.fits = g.in.exact = true;
        return g;
    }
    g.other = tun_other_ethertype(type);
    unsigned ver = type == DECODE_ETH_IPV4 ? 4 : type == DECODE_ETH_IPV6 ? 6 : 0;
    if (ver == 0 || v < 0 || (unsigned)v >> 4 != ver)
        return g;
    g.looks = true;
    /* a short frame was padded to 60 bytes (64 with its FCS) */
    g.in = tun_guess_ip(r, at + 14, ver, rest - 14, rest <= 64);
    return g;
}

/* The payload of the first nibble 4 or 6 (`used` bytes of labels before
 * it, `rest` after): IP, or an Ethernet pseudowire without the control word
 * whose destination address begins so? Where one reading's length fits and
 * the other's does not, it; where both fit, the one whose IPv4 header
 * checksum verifies, then the one without a tail but padding, then IP; where
 * neither fits, a frame of a known non-IP Ethertype (ARP) unless the IP
 * header's checksum verifies, else IP (its own outcome: malformed). */
static bool
tun_mpls_is_eth(const struct rd *r, unsigned nib, uint32_t used, uint32_t rest)
{
    /* the outer frame padded: its payload (labels on) within 46 bytes + FCS */
    struct tun_ipguess ip = tun_guess_ip(r, 0, nib, rest, used + rest <= 46 + 4);
    struct tun_ethguess eth = tun_guess_eth(r, 0, rest);
    if (eth.looks && eth.in.fits) {
        if (!ip.fits)
            return true;
        if (ip.sum != eth.in.sum)
            return eth.in.sum > ip.sum;
        return eth.in.exact && !ip.exact;
    }
    if (ip.fits)
        return false;
    return eth.other && ip.sum != 1;
}

static enum decode_result
tun_mpls(struct decode_layer *l, struct pkt *pkt, struct decode_stats *st, struct decode_frag *fr)
{
    uint32_t used = 0;
    struct pkt_mpls lab = {0};
    for (unsigned n = 0;; n++) {
        if (n == TUN_MPLS_MAX)
            return tun_bad(st, DECODE_MALFORMED);
        enum decode_result res = decode_need(l, used, 4);
        if (res != DECODE_OK)
            return tun_bad(st, res);
        uint32_t e = rd_be32(&l->r, "mpls.label");
        used += 4;
        lab.label[n] = e >> 12;
        lab.n = (uint8_t)(n + 1);
        if (e & 0x100) /* S: bottom of stack */
            break;
    }
    if (!tun_enter(pkt, st, DECODE_TUN_MPLS))
        return DECODE_OTHER_PROTO;
    if (pkt->mpls.n == 0) /* the first MPLS layer's stack: the link's LSP */
        pkt->mpls = lab;
    uint32_t rest = l->wire - used;
    int v = rd_peek(&l->r, 0);
    if (v < 0)
        return rest > 0 ? DECODE_TRUNCATED : DECODE_NOT_IP;
    unsigned nib = (unsigned)v >> 4;
    if (nib == 4 || nib == 6) {
        if (!tun_mpls_is_eth(&l->r, nib, used, rest))
            return decode_inner_ip((int)nib, &l->r, rest, pkt, st, fr);
        return tun_eth(l, used, pkt, st, fr); /* an Ethernet pseudowire without it */
    }
    struct tun_ethguess nocw = tun_guess_eth(&l->r, 0, rest);
    if (nib == 0 && rest >= TUN_PW_CW + 14 &&
        (tun_guess_eth(&l->r, TUN_PW_CW, rest - TUN_PW_CW).looks || !(nocw.looks || nocw.other))) {
        /* a pseudowire's control word (RFC 4385 §3), then an Ethernet frame
         * (RFC 4448 §4.4: Ethernet over MPLS, as carriers mirror it) */
        if (rd_left(&l->r) < TUN_PW_CW)
            return tun_bad(st, DECODE_TRUNCATED);
        rd_skip(&l->r, TUN_PW_CW, "mpls.pw_control_word");
        return tun_eth(l, used + TUN_PW_CW, pkt, st, fr);
    }
    if (nocw.looks) /* an Ethernet pseudowire without one */
        return tun_eth(l, used, pkt, st, fr);
    return DECODE_NOT_IP; /* the PW associated channel (first nibble 1), or no IP */
}

static enum decode_result
tun_pppoe(struct decode_layer *l, struct pkt *pkt, struct decode_stats *st, struct decode_frag *fr)
{
    enum decode_result res = decode_need(l, 0, 8);
    if (res != DECODE_OK)
        return tun_bad(st, res);
    const uint8_t *b = rd_bytes(&l->r, 8, "pppoe.header");
    if (b == NULL)
        return tun_bad(st, DECODE_TRUNCATED);
    decode_outer_note(fr, DECODE_OUTER_PPPOE, b);
    uint32_t len = rd_blk_be16(b, 4); /* the PPP frame: its protocol and payload */
    uint16_t proto = rd_blk_be16(b, 6);
    if (b[0] != 0x11 || b[1] != 0x00 || len < 2 || len > l->wire - 6)
        return tun_bad(st, DECODE_MALFORMED);
    if (!tun_enter(pkt, st, DECODE_TUN_PPPOE))
        return DECODE_OTHER_PROTO;
    if (proto == TUN_PPP_IPV4)
        return decode_inner_ip(4, &l->r, len - 2, pkt, st, fr);
    if (proto == TUN_PPP_IPV6)
        return decode_inner_ip(6, &l->r, len - 2, pkt, st, fr);
    return DECODE_NOT_IP; /* LCP, IPCP, ... */
}

enum decode_result
decode_tunnel_ethertype(uint16_t type, struct rd *r, uint32_t avail_wire, struct pkt *pkt,
                        struct decode_stats *st, struct decode_frag *fr)
{
    if (type != TUN_ETH_MPLS_UC && type != TUN_ETH_MPLS_MC && type != TUN_ETH_PPPOE)
        return DECODE_NOT_IP;
    size_t have = rd_left(r);
    struct decode_layer l = {rd_init(r->p, have < avail_wire ? have : avail_wire), avail_wire};
    return type == TUN_ETH_PPPOE ? tun_pppoe(&l, pkt, st, fr) : tun_mpls(&l, pkt, st, fr);
}
