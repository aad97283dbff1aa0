/* \summary: link, network and transport decoding of one frame into struct pkt
 * (Ethernet, 802.1Q/802.1ad, Linux SLL/SLL2, raw IP, BSD NULL/loopback;
 * IPv4 with options, IPv6 with extension headers; TCP with options, UDP). */
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
    DECODE_FRAGMENT,    /* IP fragment: counted and reported (not reassembled) */
    DECODE_TRUNCATED,   /* headers cut by the snaplen: counted */
    DECODE_MALFORMED,   /* inconsistent headers: counted */
    DECODE_UNSUPPORTED_LINK
};

struct decode_stats {
    uint64_t frames, ip4, ip6, tcp, udp;
    uint64_t not_ip, other_proto, fragments, truncated, malformed;
    uint64_t snaplen_cut; /* TCP segments whose payload was cut by the snaplen */
    uint64_t vlan_tagged, vlan_too_deep;
};

/* Returns true if decode_frame() knows the link type. */
int decode_link_supported(int dlt);

/* Decodes one frame. On DECODE_OK, pkt points into data (borrowed). Counts
 * into st. ts_us is copied to pkt->ts_us. Never reads past data + caplen. */
enum decode_result decode_frame(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                                int64_t ts_us, struct pkt *pkt, struct decode_stats *st);

const char *decode_result_name(enum decode_result r);

#endif /* SMTPTAP_DECODE_H */
