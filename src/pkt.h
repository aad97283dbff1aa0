/* \summary: a decoded packet: what decode.c hands to the engine. */
#ifndef SMTPTAP_PKT_H
#define SMTPTAP_PKT_H

#include <stdbool.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; IPv4 is stored in the first 4 bytes. */
struct ipaddr {
    uint8_t family; /* 4 or 6 */
    uint8_t a[16];
};

/* An MPLS label stack (RFC 3032 §2.1): the 20-bit labels, outermost first;
 * the stack walked is at most PKT_MPLS_MAX entries (decode_tunnel.c: a
 * deeper one is malformed), so none is left out. */
#define PKT_MPLS_MAX 8
struct pkt_mpls {
    uint8_t n; /* 0: no MPLS layer taken off */
    uint32_t label[PKT_MPLS_MAX];
};

struct pkt {
    int64_t ts_us;    /* packet time, microseconds since the epoch */
    uint32_t caplen;  /* bytes captured of the frame */
    uint32_t wirelen; /* bytes of the frame on the wire */
    uint16_t vlan[2]; /* outer, inner VLAN ids (802.1Q / 802.1ad) */
    uint8_t n_vlan;   /* 0..2 (more tags are counted in decode stats) */
    uint8_t ip_proto; /* 6 TCP, 17 UDP */
    /* tunnels (decode_tunnel.c): layers taken off, and the innermost one
     * that names a network (a VXLAN or Geneve VNI, a GRE key, an ERSPAN
     * session): a part of the flow key as VLAN ids are */
    uint8_t tun_depth;
    uint8_t tun_kind;  /* enum decode_tun; 0: none */
    uint8_t tun_inner; /* enum decode_tun of the innermost layer taken off */
    uint32_t tun_id;
    /* the outermost IP header's addresses when a tunnel was taken off
     * behind it (the mirror's sender and receiver); family 0: the first
     * layer came before any IP header (MPLS, PPPoE on the link) */
    struct ipaddr tun_src, tun_dst;
    /* the first (outermost) MPLS layer's label stack, to tell the LSP or
     * pseudowire the packet came over */
    struct pkt_mpls mpls;
    struct ipaddr src, dst;
    uint16_t sport, dport;
    /* TCP */
    uint32_t seq, ack;
    uint8_t tcp_flags; /* TH_FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 */
    uint16_t window;
    uint8_t wscale; /* SYNs only: the window scale shift (RFC 7323 §2.2) or PKT_WSCALE_NONE */
    /* payload: the captured bytes, and how many the wire carried */
    const uint8_t *payload;  /* borrowed from the capture buffer */
    uint32_t payload_caplen; /* bytes present */
    uint32_t
        payload_wirelen; /* bytes the segment carried (from IP lengths); > caplen = snaplen cut */
    /* the frame cut below its file's snapshot length: after capture (smtptap
     * -w, editcap), not by the snaplen (main.c main_decode) */
    bool cut_after;
    /* the frame's (outermost) IP header onwards: -w writes the frame up to
     * its end, or a reassembled datagram from it */
    const uint8_t *l3;  /* borrowed; NULL if not set */
    uint32_t l3_caplen; /* bytes present from l3 */
    /* the innermost IP header onwards (l3 without a tunnel), for the
     * optional classifier (nDPI wants layer 3) */
    const uint8_t *l3_in;
    uint32_t l3_in_caplen;
};

#define PKT_WSCALE_NONE 0xff

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#endif /* SMTPTAP_PKT_H */
