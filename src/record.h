/* \summary: what the engine hands to the report when a flow ends: the flow's
 * transport facts, its anomalies and, when a dissector ran, its session
 * facts. */
#ifndef SMTPTAP_RECORD_H
#define SMTPTAP_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "pkt.h"

/* flow.certs_gap, record.certs_gap: the server's bytes lost while its
 * certificates were not seen and the handshake not over (engine_tcp_gap)
 * were those of frames cut after capture, or others (cut at the snapshot
 * length, or a hole: packets lost). */
#define FLOW_GAP_CUT_AFTER 1u
#define FLOW_GAP_OTHER     2u

#define RECORD_ANOMALIES_MAX 16

struct anomaly {
    const char *name; /* static snake_case name, "tcp.overlap_different_data" */
    uint32_t count;
    char detail[96]; /* first occurrence's detail, "" if none */
    int64_t first_us;
};

struct endpoint {
    struct ipaddr ip;
    uint16_t port;
};

/* The tunnel a connection's first packet came through (pkt.tun_*; the
 * session record's "tunnel", docs/schema.md). depth 0: none. */
struct record_tunnel {
    uint8_t depth;          /* layers taken off */
    uint8_t kind;           /* enum decode_tun: the one that named id, else the innermost layer */
    bool has_id;            /* a VNI, GRE key or ERSPAN session was named */
    uint32_t id;            /* the innermost one (the flow key's, without --ignore-vlan) */
    struct ipaddr src, dst; /* the outermost IP header's; family 0: none outside it */
    struct pkt_mpls mpls;   /* the first MPLS layer's labels, outermost first; n 0: none */
};

struct flow_record {
    uint64_t id;              /* 1, 2, ... in order of first packet */
    int64_t ts_us, ts_end_us; /* first and last packet */
    int64_t chain_us;         /* the packet that completed the server's chain (0: none) */
    struct endpoint client, server;
    uint16_t vlan[2];
    uint8_t n_vlan;
    uint8_t tun_kind; /* the tunnel id in the flow key (enum decode_tun; 0: none), for vlan_split */
    uint32_t tun_id;
    struct record_tunnel tunnel;
    const char *client_by;          /* how the client was chosen: "syn", "port", "first_speaker" */
    bool syn_seen[2];               /* SYN from client, SYN-ACK from server */
    bool midstream;                 /* picked up without a handshake */
    uint64_t pkts[2], bytes[2];     /* per direction (0 = client->server): packets, payload bytes */
    uint64_t gaps[2], gap_bytes[2]; /* holes delivered to the dissector */
    uint64_t truncated_pkts;        /* packets cut by the snaplen */
    uint8_t certs_gap;              /* FLOW_GAP_* (flow.h): what hid the server's certificates */
    const char *ended;              /* "fin", "rst", "timeout", "evicted", "reuse", "capture_end" */
    /* who closed first and how: "client_fin", "client_rst", "server_fin",
     * "server_rst" (the first FIN or RST seen), NULL none */
    const char *first_close;
    const char *status;    /* complete, truncated_capture, gap, malformed, capped,
                              encrypted_tls13, no_tls, evicted, plaintext, not_smtp */
    const char *dissector; /* "smtp", "tls" or NULL */
    const char *app;       /* nDPI protocol name, or NULL */
    const char *owner;     /* nDPI owner label of the server (e.g. "Microsoft"), or NULL */
    bool mail_port;        /* one end used a configured mail port */
    bool vlan_split; /* one direction of a connection whose other came under other VLAN tags */
    uint8_t n_anomalies;
    uint32_t anomalies_dropped;        /* events of names beyond RECORD_ANOMALIES_MAX */
    const struct session_facts *facts; /* NULL when no dissector ran */
    /* Last: only the first n_anomalies are set and read, so a record is
     * zeroed up to here (engine_record_fill), not through its ~2 KiB of
     * slots (issue 5). */
    struct anomaly anomalies[RECORD_ANOMALIES_MAX];
};

/* The direction the capture holds nothing of (a tap or span port that sees
 * one direction, asymmetric routing, a filter on one address as source): 0
 * the client's, 1 the server's, -1 neither. Missing: no payload byte of it
 * while the other carried some, and either no packet of it at all or its
 * peer acknowledged bytes of it that never came (a gap). A client that
 * connects and sends nothing, its ACKs seen, misses nothing. */
static inline int
flow_record_missing_dir(const struct flow_record *r)
{
    for (int d = 0; d < 2; d++)
        if (r->bytes[d] == 0 && r->bytes[!d] > 0 && (r->pkts[d] == 0 || r->gap_bytes[d] > 0))
            return d;
    return -1;
}

/* When the session's certificates are judged (unless --at): when the
 * server's chain was presented, else the session's first packet. */
static inline int64_t
flow_record_judged_us(const struct flow_record *r)
{
    return r->chain_us != 0 ? r->chain_us : r->ts_us;
}

#endif /* SMTPTAP_RECORD_H */
