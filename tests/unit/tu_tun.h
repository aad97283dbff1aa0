/* \summary: test helpers: Ethernet frames built outer header by outer header
 * around one inner packet, for the tunnel decoding tests
 * (test_decode_tun_*.c), and their decoding from an exact-size copy so that
 * ASan sees a read past the capture. */
#ifndef SMTPTAP_TU_TUN_H
#define SMTPTAP_TU_TUN_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/* IPv4 (RFC 791) + TCP (RFC 9293) + "EHLO", 192.0.2.1:50000 ->
 * 198.51.100.2:25, PSH|ACK: 44 bytes; the same over IPv6 (RFC 8200,
 * 2001:db8::1 -> 2001:db8::2): 64 bytes */
extern const uint8_t tu_ip4_tcp[44];
extern const uint8_t tu_ip6_tcp[64];

extern uint8_t tu_f[1024]; /* the frame being built */
extern size_t tu_n;        /* its length */

void tu_put(const void *p, size_t len);
void tu_put16(uint16_t v);
void tu_put32(uint32_t v);
/* A new frame: an Ethernet header of the given type. */
void tu_eth(uint16_t type);
/* An inner Ethernet header (no reset of the frame). */
void tu_eth_in(uint16_t type);
/* An outer IPv4 header of protocol proto (10.255.0.1 -> 10.255.0.2); its
 * total length set by tu_fix4(at). */
size_t tu_ip4(uint8_t proto);
void tu_fix4(size_t at);
/* An outer IPv6 header whose Next Header is next (2001:db8::1 ->
 * 2001:db8::2); its payload length set by tu_fix6(at). */
size_t tu_ip6(uint8_t next);
void tu_fix6(size_t at);
/* An outer UDP header from 51000 to dport; its length set by tu_fixudp(at). */
size_t tu_udp(uint16_t dport);
void tu_fixudp(size_t at);
/* A VXLAN frame (IPv4/UDP 4789) with flags and vni, an Ethernet frame
 * carrying tu_ip4_tcp. */
void tu_vxlan_frame(uint8_t flags, uint32_t vni);

/* Decodes the first caplen bytes of tu_f (tu_n on the wire, EN10MB) from a
 * malloc'd copy of exactly caplen bytes; tu_dec: all of it. */
enum decode_result tu_dec_cut(size_t caplen, struct pkt *p, struct decode_stats *st);
enum decode_result tu_dec(struct pkt *p, struct decode_stats *st);
/* The packet is tu_ip4_tcp's (addresses, ports, payload, l3_in). */
void tu_check_inner4(const struct pkt *p);
/* cmocka teardown: frees the copy, clears --ignore-vlan. */
int tu_tun_teardown(void **state);

#endif
