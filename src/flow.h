/* \summary: the flow table: flows keyed by the canonical 5-tuple plus VLAN
 * ids and a tunnel's id, in a hash table with a per-run random seed (Suricata CVE-2024-47187:
 * hash flooding), an LRU list ordered by last packet time (cheap,
 * deterministic expiry from its head) and a list in creation order (flows
 * end in a fixed order, never in hash order).
 *
 * The table only allocates, finds, orders and frees flows, and keeps each
 * flow's list of anomalies; what a flow means (reassembly, dissection,
 * records) is the engine's (src/engine.c).
 */
#ifndef SMTPTAP_FLOW_H
#define SMTPTAP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"
#include "reasm.h"
#include "record.h"

struct flow_ctx;
struct classify_flow;

/* Canonical key: endpoint 0 sorts before endpoint 1 (address, then port). */
struct flow_key {
    struct ipaddr ip[2];
    uint16_t port[2];
    uint16_t vlan[2];
    uint32_t tun_id; /* the tunnel's VNI, GRE key or ERSPAN session (pkt.tun_id) */
    uint8_t n_vlan;
    uint8_t proto;
    uint8_t tun_kind; /* enum decode_tun of tun_id; 0: none */
};

/* Flow-local anomalies (TCP level), merged into the record at the end. */
#define FLOW_ANOMALIES_MAX 8

struct flow_anomaly {
    const char *name;
    const char *detail; /* static */
    uint32_t count;
    int64_t first_us;
};

enum flow_disp {
    FLOW_UNDECIDED = 0, /* no payload yet: dispatcher has not run */
    FLOW_DISSECT,       /* a dissector gets the reassembled bytes */
    FLOW_BYPASS         /* counters only (no dissector, or it is done) */
};

/* The spans of one kind of a flow's cut frames (engine_tcp_cut): apart,
 * sorted by nothing; past FLOW_CUT_SPANS the two closest are merged into
 * one, marked so (its bytes between them may be a hole no frame covers). */
#define FLOW_CUT_SPANS 4
struct flow_cut {
    uint32_t lo[FLOW_CUT_SPANS], hi[FLOW_CUT_SPANS];
    uint8_t n;
    uint8_t merged; /* bit i: span i was merged over bytes no frame of its kind lacked */
};

#define FLOW_CLOSE_RST 4u

struct flow {
    /* ---- What every packet of the flow reads or writes comes first, in
     * lines 0-2, and the two reassembly directions right after them (lines
     * 2-6): with a thousand flows open each packet finds its flow out of the
     * L1 cache, and the lines it touches are the misses it costs (10 of the
     * 14 lines before this order, 7 now). Set-once and -w fields after. */
    struct flow_key key;
    uint32_t hash;
    struct flow_ctx *ctx;
    struct flow *lru_prev, *lru_next; /* by last packet time, oldest first */
    int64_t last_us;                  /* latest packet time seen (the record's ts_end) */
    int64_t idle_us;                  /* time idleness counts from: the last touch's (timeouts) */
    uint64_t pkts[2], bytes[2];

    /* ---- engine state. Indexes [s] are key sides: s = 0 is endpoint 0 ->
     * endpoint 1. client_side is the side the client sends on. ---- */
    uint8_t client_side;
    bool client_known;
    bool reported;  /* record emitted (FIN/RST): a tombstone now */
    bool load_open; /* counted as open (engine_load.h) */
    bool mail_port;
    bool midstream;
    bool syn_seen[2]; /* per side: SYN (client) / SYN-ACK (server) */
    bool fin_flag[2]; /* per side: FIN seen (bypass bookkeeping) */
    bool payload_seen[2];
    bool eof_sent[2];
    bool vlan_split; /* one direction of a connection whose other came under other VLAN tags */
    uint8_t disp;    /* enum flow_disp */
    bool cf_done;
    bool chain_seen; /* the server's chain went to the chain hook (engine.h) */
    /* The first FIN or RST of the connection: its key side + 1 in bits 0-1
     * (0 none), FLOW_CLOSE_RST when a RST (record.first_close) */
    uint8_t first_close;
    uint8_t certs_gap; /* FLOW_GAP_* of the gaps that hid the server's certificates */
    uint8_t n_anomalies;
    uint8_t ev_open; /* -w: bit per side, its last bytes may end inside a line; bit 2, a client byte
                        was not written; more bits (engine_evidence.c) */
    struct classify_flow *cf;
    struct reasm_dir rd[2];
    uint64_t truncated_pkts;

    struct flow *all_prev, *all_next; /* by creation (= id) order */
    uint64_t id;                      /* 1, 2, ... in order of first packet */
    int64_t first_us;                 /* first packet time seen (the record's ts) */
    int64_t chain_us; /* packet time that completed the server's chain in clear (0: none) */
    const char *client_by;
    const char *first_dissector;
    /* the tunnel of its first packet (engine_record_tunnel); NULL: none. A
     * block of its own, for tunnelled flows only: the others pay nothing */
    struct record_tunnel *tunnel;
    /* The server's frames cut short, [0] at the snapshot length, [1] after
     * capture (pkt.cut_after): up to FLOW_CUT_SPANS spans [lo, hi) of
     * sequence numbers each, covering the bytes they lack (engine_tcp_cut),
     * to tell what a gap was. */
    struct flow_cut cut[2];
    uint16_t ev_tls;     /* -w: the client's TLS record framing at ev_tls_seq (evidence_tls_walk) */
    uint32_t ev_tls_seq; /* -w: the client's next byte that framing reaches (engine_evidence.c) */
    /* -w, the client's direction not captured: the server's replies written
     * so far (evidence.h evidence_oneway_replies), and ENGEV_OW_FRAMED when
     * its TLS framing started after them; ev_ow_ack, the acknowledgment
     * number of the segment it started in (engine_evidence_server.c) */
    uint8_t ev_ow;
    uint32_t ev_ow_ack;
    uint32_t anomalies_dropped;
    uint32_t ev_seq[2];   /* -w: the client's first byte not written; or bytes held ahead */
    uint32_t ev_judged;   /* -w: the client's bytes before it were judged in order */
    uint32_t ev_stls_seq; /* -w: the server's next byte its TLS record framing reaches */
    uint16_t ev_stls;     /* -w: that framing's state there (evidence_tls_walk) */
    bool ev_stls_on;      /* -w: ev_stls is followed (from a record written whole) */
    uint8_t ev_srs;       /* -w: that framing after a hole in the server's stream (ENGEV_SRS_*) */
    uint32_t ev_shs[2];   /* -w: the server's bytes [0], [1) written whole in that framing, from its
                             first record on (empty: none yet) */
    uint32_t ev_srs_seq;  /* -w: where a record that may start the framing again opens (ev_srs) */
    struct flow_anomaly anomalies[FLOW_ANOMALIES_MAX];
};

/* One slot of the open-addressed table: the flow and its hash, so that a
 * probe compares hashes in the slot array and reads only the flow that
 * matches (one cache miss per lookup, not one per chained flow). */
struct flow_slot {
    uint32_t hash;
    struct flow *f; /* NULL: empty */
};

struct flow_table {
    struct flow_slot *slots; /* linear probing, backward-shift deletion */
    uint32_t nslots;         /* power of two, at least twice max */
    uint32_t seed;
    uint32_t hkey[12]; /* flow_hash's key, derived from seed */
    uint32_t count, max;
    uint64_t next_id;
    struct flow *lru_head, *lru_tail;
    struct flow *all_head, *all_tail;
};

/* Builds the canonical key of a packet. *side is 0 when the packet goes from
 * key endpoint 0 to endpoint 1, else 1. */
void flow_key_from_pkt(const struct pkt *p, struct flow_key *k, uint8_t *side);

/* --ignore-vlan: keys leave VLAN tags out (as Suricata's vlan.use-for-tracking
 * false), so both directions of a connection tagged differently (a span port
 * that tags one of them) are one flow; and tunnel ids (VNI, GRE key, ERSPAN
 * session: two mirror sessions, one per direction). Set before the first key
 * is built. */
void flow_set_ignore_vlan(bool on);

/* Sets up an empty table for max flows. seed 0 = random. Returns 0 or -1
 * (out of memory). */
int flow_table_init(struct flow_table *t, uint32_t max, uint32_t seed);

/* Frees every flow still in the table (no callbacks) and the buckets. The
 * caller has released each flow's own resources first. */
void flow_table_fini(struct flow_table *t);

/* Seeded hash of a key (equal for both directions of a flow). */
uint32_t flow_hash(const struct flow_table *t, const struct flow_key *k);

/* Ask the CPU for the slots `hash` probes first, and later for the flows
 * whose hash matches there (their key and the engine's per-packet fields):
 * see engine_ahead(). Hints only; nothing changes. */
void flow_prefetch_bucket(const struct flow_table *t, uint32_t hash);
void flow_prefetch_chain(const struct flow_table *t, uint32_t hash);

/* Finds the flow with key k (hash from flow_hash), or NULL. */
struct flow *flow_lookup(struct flow_table *t, const struct flow_key *k, uint32_t hash);

/* Allocates (accounted, zeroed) and links a new flow; the caller has made
 * room (count < max). Returns NULL when out of memory. */
struct flow *flow_insert(struct flow_table *t, const struct flow_key *k, uint32_t hash,
                         int64_t now_us);

/* A packet of f at now_us: f becomes the most recent in the LRU list. */
void flow_touch(struct flow_table *t, struct flow *f, int64_t now_us);

/* Unlinks and frees f (its own resources were released by the caller). */
void flow_remove(struct flow_table *t, struct flow *f);

/* Counts anomaly `name` (static) on f: its first time ts and detail
 * (static, may be NULL) are kept; names beyond FLOW_ANOMALIES_MAX are
 * counted in anomalies_dropped. */
void flow_anomaly(struct flow *f, const char *name, const char *detail, int64_t ts);

/* The least recently used flow (LRU head), or NULL. */
struct flow *flow_oldest(const struct flow_table *t);

/* The first flow created that is still in the table, or NULL; then
 * f->all_next. */
struct flow *flow_first(const struct flow_table *t);

#endif /* SMTPTAP_FLOW_H */
