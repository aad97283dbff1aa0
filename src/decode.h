/* \summary: link, network and transport decoding of one frame into struct pkt
 * (Ethernet, 802.1Q/802.1ad, Linux SLL/SLL2, raw IP, BSD NULL/loopback;
 * IPv4 with options, IPv6 with extension headers; TCP with options, UDP;
 * tunnels, decode_tunnel.c: VXLAN, Geneve, GRE, ERSPAN II/III, IP in IP,
 * MPLS, PPPoE: the innermost packet is what pkt describes). */
#ifndef SMTPTAP_DECODE_H
#define SMTPTAP_DECODE_H

#include <stdint.h>

#include "pkt.h"

/* DLT values we decode (pcap-linktype(7)); decode.c does not include libpcap. */
#define DECODE_DLT_NULL      0
#define DECODE_DLT_EN10MB    1
#define DECODE_DLT_RAW       101 /* LINKTYPE_RAW */
#define DECODE_DLT_RAW_12    12  /* DLT_RAW on some BSDs */
#define DECODE_DLT_RAW_14    14  /* DLT_RAW on OpenBSD */
#define DECODE_DLT_LOOP      108
#define DECODE_DLT_LINUX_SLL 113
#define DECODE_DLT_IPV4      228
#define DECODE_DLT_IPV6      229
#define DECODE_DLT_SLL2      276

enum decode_result {
    DECODE_OK = 0,      /* TCP or UDP packet decoded into pkt */
    DECODE_NOT_IP,      /* ARP, LLDP, ...: ignored, counted */
    DECODE_OTHER_PROTO, /* IP but neither TCP nor UDP: ignored, counted */
    DECODE_FRAGMENT,    /* IP fragment: counted; decode_frame_frag describes it (defrag.c) */
    DECODE_TRUNCATED,   /* headers cut by the snaplen: counted */
    DECODE_MALFORMED,   /* inconsistent headers: counted */
    DECODE_UNSUPPORTED_LINK
};

/* Tunnel kinds (decode_tunnel.c): counted per layer taken off, and the kind of
 * pkt.tun_id. */
enum decode_tun {
    DECODE_TUN_NONE = 0,
    DECODE_TUN_VXLAN,   /* UDP 4789, RFC 7348; tun_id: the VNI */
    DECODE_TUN_GENEVE,  /* UDP 6081, RFC 8926; tun_id: the VNI */
    DECODE_TUN_GRE,     /* IP protocol 47, RFC 2784 / 2890; tun_id: the key */
    DECODE_TUN_ERSPAN2, /* GRE 0x88be (type I without a sequence number); tun_id: session */
    DECODE_TUN_ERSPAN3, /* GRE 0x22eb; tun_id: session */
    DECODE_TUN_IPIP,    /* IP protocol 4: IPv4 in IPv4 or IPv6, RFC 2003 / 2473 */
    DECODE_TUN_IP6,     /* IP protocol 41: IPv6 in IPv4 or IPv6, RFC 4213 / 2473 */
    DECODE_TUN_MPLS,    /* Ethertype 0x8847 / 0x8848, RFC 3032 */
    DECODE_TUN_PPPOE,   /* Ethertype 0x8864, RFC 2516 */
    DECODE_TUN_KINDS
};
#define DECODE_TUNNEL_MAX 4 /* tunnel layers taken off one frame; beyond: tun_too_deep */

/* A header around a tunnel's inner packet with a length or a checksum
 * (struct decode_frag.outer): at most an IP header and one more per layer. */
enum decode_outer {
    DECODE_OUTER_IP4 = 1, /* RFC 791 §3.1: Total Length, Header Checksum */
    DECODE_OUTER_IP6,     /* RFC 8200 §3: Payload Length */
    DECODE_OUTER_UDP,     /* RFC 768: Length, Checksum */
    DECODE_OUTER_GRE,     /* RFC 2784 §2.5: Checksum when C is set */
    DECODE_OUTER_PPPOE    /* RFC 2516 §4: LENGTH */
};
#define DECODE_OUTER_MAX (2 * DECODE_TUNNEL_MAX + 1)

struct decode_stats {
    uint64_t frames, ip4, ip6, tcp, udp;
    uint64_t not_ip, other_proto, fragments, truncated, malformed;
    uint64_t unsupported_link; /* frames of a link type decode.c does not know */
    uint64_t snaplen_cut;      /* TCP segments whose payload was cut by the snaplen */
    uint64_t vlan_tagged, vlan_too_deep;
    uint64_t tun[DECODE_TUN_KINDS]; /* tunnel layers taken off, per kind */
    uint64_t tun_truncated;         /* a tunnel header cut by the snaplen (also in truncated) */
    uint64_t tun_malformed; /* a tunnel header that contradicts itself (also in malformed) */
    uint64_t tun_too_deep;  /* frames with more than DECODE_TUNNEL_MAX layers (also other_proto) */
    uint64_t tun_oam; /* Geneve control packets (O bit, RFC 8926 §3.4): not taken off (UDP) */
};

/* Returns true if decode_frame() knows the link type. */
int decode_link_supported(int dlt);

/* Decodes one frame. On DECODE_OK, pkt points into data (borrowed). Counts
 * into st. ts_us is copied to pkt->ts_us. Never reads past data + caplen. */
enum decode_result decode_frame(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                                int64_t ts_us, struct pkt *pkt, struct decode_stats *st);

/* An IP fragment (DECODE_FRAGMENT), as defrag.c needs it: RFC 791 §3.2 for
 * IPv4, RFC 8200 §4.5 for IPv6 (the innermost IP header's, in a tunnel: its
 * outer headers are before hdr). The addresses, VLAN and tunnel ids are in the pkt
 * decoded with it. Pointers borrow the frame. */
struct decode_frag {
    uint8_t family;        /* 4 or 6 */
    uint8_t proto;         /* IPv4 Protocol; IPv6 the Fragment header's Next Header */
    uint8_t more;          /* MF (IPv4) / M (IPv6): more fragments follow */
    uint32_t id;           /* Identification: 16 bits (IPv4), 32 bits (IPv6) */
    uint32_t offset;       /* Fragment Offset in bytes (the field times 8) */
    const uint8_t *hdr;    /* IPv4: the header with its options; IPv6: the fixed header */
    uint32_t hdr_len;      /* 20..60 (IPv4), 40 (IPv6); all of it captured */
    uint32_t unfrag_len;   /* IPv6: extension header bytes before the Fragment header */
    const uint8_t *data;   /* the fragment's data (Fragmentable Part); NULL when none captured */
    uint32_t data_caplen;  /* data bytes captured */
    uint32_t data_wirelen; /* data bytes on the wire (from the IP lengths) */
    /* In a tunnel: the headers before hdr whose length or checksum counts
     * the fragment's bytes, outermost first (an outer IP header, the UDP
     * header of VXLAN or Geneve, GRE, PPPoE): -w sets them for the datagram
     * reassembled (evidence_outer.c). n_outer > DECODE_OUTER_MAX: more than
     * were noted. */
    uint8_t n_outer;
    uint8_t outer_kind[DECODE_OUTER_MAX]; /* enum decode_outer */
    const uint8_t *outer[DECODE_OUTER_MAX];
};

/* decode_frame(), and on DECODE_FRAGMENT fills *frag (frag may be NULL). */
enum decode_result decode_frame_frag(int dlt, const uint8_t *data, uint32_t caplen,
                                     uint32_t wirelen, int64_t ts_us, struct pkt *pkt,
                                     struct decode_stats *st, struct decode_frag *frag);

/* Decodes a reassembled IP datagram (defrag.c): ip points at its IPv4 or
 * IPv6 header, caplen bytes are present of wirelen. The time, VLAN and
 * tunnel ids (and the tunnel layers taken off before it, MPLS labels) are taken from frag_pkt (the
 * fragment that completed it; may be pkt itself). Counts into st like decode_frame() but for
 * frames. On DECODE_OK pkt borrows ip. */
enum decode_result decode_datagram(const uint8_t *ip, uint32_t caplen, uint32_t wirelen,
                                   const struct pkt *frag_pkt, struct pkt *pkt,
                                   struct decode_stats *st);

/* decode_datagram(), and on DECODE_FRAGMENT (a fragment in a tunnel inside
 * the datagram) fills *frag, its pointers into ip (frag may be NULL). */
enum decode_result decode_datagram_frag(const uint8_t *ip, uint32_t caplen, uint32_t wirelen,
                                        const struct pkt *frag_pkt, struct pkt *pkt,
                                        struct decode_stats *st, struct decode_frag *frag);

const char *decode_result_name(enum decode_result r);
/* A tunnel kind's name in the NDJSON ("vxlan", "erspan_ii", ...: the stats
 * record's `tunnels` keys); NULL for none or an unknown value. */
const char *decode_tun_name(unsigned kind);

#endif /* SMTPTAP_DECODE_H */
