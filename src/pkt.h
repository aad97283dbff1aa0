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

struct pkt {
    int64_t ts_us;    /* packet time, microseconds since the epoch */
    uint32_t caplen;  /* bytes captured of the frame */
    uint32_t wirelen; /* bytes of the frame on the wire */
    uint16_t vlan[2]; /* outer, inner VLAN ids (802.1Q / 802.1ad) */
    uint8_t n_vlan;   /* 0..2 (more tags are counted in decode stats) */
    uint8_t ip_proto; /* 6 TCP, 17 UDP */
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
    /* the IP header onwards, for the optional classifier (nDPI wants layer 3) */
    const uint8_t *l3;  /* borrowed; NULL if not set */
    uint32_t l3_caplen; /* bytes present from l3 */
};

#define PKT_WSCALE_NONE 0xff

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#endif /* SMTPTAP_PKT_H */
