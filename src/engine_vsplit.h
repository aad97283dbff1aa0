/* \summary: connections split in two by their VLAN tags (src/engine_vsplit.c).
 *
 * VLAN ids are part of a flow's key (flow.h), as in Suricata by default
 * (vlan.use-for-tracking): the same addresses and ports in two VLANs may be
 * two networks. A span port or tap that tags one direction of a link and
 * not the other (or each with its own VLAN) then makes every connection two
 * flows, one with the client's packets only and one with the server's only,
 * and neither dissector sees a dialogue: no certificate, no alert, no
 * STARTTLS outcome. The engine asks here, when a flow that will be reported
 * gets its first payload while its other direction has sent nothing,
 * whether a flow of the same addresses and ports under other tags (VLAN
 * ids and the tunnel id, a VNI, GRE key or ERSPAN session: a mirror may send
 * each direction in its own session, as AWS Traffic Mirroring) has had
 * packets of that other direction only: the two are one connection. Both
 * are marked (flow.vlan_split, anomaly "flow.vlan_split" on their records)
 * and the pair is counted (stats vlan_split_connections); the aggregation
 * makes the finding `vlan_split`, which says to run with --ignore-vlan.
 *
 * They are not joined: by then each half's first bytes have gone to its
 * own dissector (bytes are not kept), and where VLANs separate networks
 * with the same addresses, joining would merge strangers. --ignore-vlan
 * joins them from the first packet on (docs/findings.md).
 *
 * Cost: one call per flow, at its first payload, which returns at once for
 * a flow that has packets of both directions by then (a two-way connection
 * has had its SYN-ACK or an ACK); a one-way flow on a mail port (or
 * dissected) makes at most ENGINE_VSPLIT_STACKS + 1 lookups, once. No work
 * per packet.
 */
#ifndef SMTPTAP_ENGINE_VSPLIT_H
#define SMTPTAP_ENGINE_VSPLIT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

/* The tag stacks of the last one-way tagged flows remembered: another
 * flow's mirror is looked for under each of them and untagged. */
#define ENGINE_VSPLIT_STACKS 8

/* The anomaly both halves of a split connection get. */
#define ENGINE_VSPLIT_ANOMALY "flow.vlan_split"

/* Forgets every stack and the count; ignore_vlan (--ignore-vlan: keys
 * carry no tags, so nothing is split) turns the check off. */
void engine_vsplit_init(bool ignore_vlan);

/* f got its first payload, from key side `side` (the dispatcher ran). When
 * no packet of the other side has come yet, f will be reported (a mail
 * port, or dissected) and a flow g of the same addresses and ports under
 * other VLAN tags (or none) has had packets of the other side only, f and g
 * are the two halves of one connection: both get vlan_split and the anomaly
 * (g not once its record is out), the pair is counted, and g is returned;
 * else NULL. */
struct flow *engine_vsplit_check(struct flow_table *t, struct flow *f, unsigned side, int64_t ts);

/* Connections found split so far. */
uint64_t engine_vsplit_pairs(void);

#endif /* SMTPTAP_ENGINE_VSPLIT_H */
