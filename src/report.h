/* \summary: the report: NDJSON records (--json) and the terminal report.
 *
 * Call order: report_open, then report_flow / report_dns as flows end and DNS
 * answers pass, then report_finish with the run's statistics. */
#ifndef SMTPTAP_REPORT_H
#define SMTPTAP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "config.h"
#include "decode.h"
#include "record.h"

/* The first REPORT_PORTS_MAX distinct ports of a kind of connection, in
 * ascending order, and whether further ones were left out. */
#define REPORT_PORTS_MAX 8
struct report_ports {
    uint16_t port[REPORT_PORTS_MAX];
    uint8_t n;
    bool more;
};
void report_port_note(struct report_ports *p, uint16_t port);

struct run_stats {
    uint64_t packets, bytes; /* frames read and their captured bytes */
    uint64_t flows, mail_flows, sessions;
    uint64_t evictions, timeouts;
    uint64_t untracked_packets; /* mid-connection packets not tracked: flow table full */
    /* the load (engine_load.h): connections open at once at most (tombstones
     * left out) and when first; flows dissected at once at most; flows not
     * dissected for the memcap; the limits: flow.max, memcap / 32 KiB (0: no
     * memcap). Of the evictions, those for flow memory refused; the counts
     * open and dissected now (0 after the capture).
     * From flow_max on in no JSON key. */
    uint64_t flows_open_peak, flows_dissected_peak, flows_dissection_refused;
    int64_t flows_open_peak_us;
    uint64_t flow_max, flows_dissected_max, evictions_for_memory;
    uint64_t flows_open_now, flows_dissected_now;
    uint64_t tls_other; /* TLS connections of another protocol (HTTPS...): skipped */
    struct report_ports tls_other_ports; /* their server ports (the text report's
                                            --tls-ports advice; in no JSON key) */
    uint64_t ts_outliers;      /* TCP packets stamped far from the rest: taken at the clock */
    uint64_t vlan_split;       /* connections seen as two one-way flows (engine_vsplit.h) */
    uint64_t drops, ifdrops;   /* pcap_stats (live) */
    uint64_t truncated_frames; /* caplen < len */
    uint64_t truncated_after_capture; /* of them, caplen below the file's snaplen too */
    uint64_t decode_errors;           /* malformed + truncated headers */
    uint64_t fragments, not_ip, other_proto;
    uint64_t unsupported_link_frames; /* of a link type decode.c does not know (pcapng) */
    /* tunnels (decode_tunnel.c): layers taken off per kind; tunnel headers
     * truncated, malformed; frames with too many layers; Geneve control
     * packets not taken off */
    uint64_t tunnels[DECODE_TUN_KINDS];
    uint64_t tun_truncated, tun_malformed, tun_too_deep, tun_oam;
    /* IP fragment reassembly (defrag.h): datagrams reassembled, abandoned
     * incomplete, dropped at a cap; fragments duplicated, overlapping, malformed */
    uint64_t frag_datagrams, frag_incomplete, frag_dropped;
    uint64_t frag_duplicates, frag_overlaps, frag_malformed;
    /* of frag_dropped, those at defrag.max and at defrag.mem_max (the rest at
     * the memcap): the report names the cap to raise; in no JSON key */
    uint64_t frag_cap_max, frag_cap_mem;
    uint64_t certificates, certificates_distinct, certificate_parse_errors;
    uint64_t certificates_leaves; /* of certificates_distinct, those sent first in a chain
                                     (the text report's "(M leaves)"; in no JSON key) */
    /* what the aggregation could not keep (aggregate.h agg_dropped):
     * sessions of servers not aggregated, names not aggregated, (peer,
     * certificate) pairs past a server's list; counted in cap_hits too */
    uint64_t server_sessions_dropped, names_dropped, peer_certificates_dropped;
    uint64_t peer_sessions_dropped; /* sessions of peers past a server's report.peers_max */
    uint64_t memory_peak;           /* accounted bytes, high-water mark */
    uint64_t cap_hits;              /* times any cap was hit */
    unsigned files_read, files_damaged, files_unread; /* capture.h */
    /* the first damaged files (capture.h: files_damaged of them, at most
     * CAPTURE_DAMAGED_MAX); NULL when none */
    const struct capture_damage *damaged;
    /* records read from -r files before the filter (capture.h): none passed
     * it of records_read, or of a number not known (records_uncounted) */
    uint64_t records_read;
    bool records_uncounted;
    /* -w (evidence.h): frames written, of them cut after the TCP header,
     * of them datagrams reassembled from IP fragments; frames of another
     * link type, not written */
    bool ev_on;
    uint64_t ev_frames, ev_cut, ev_reassembled, ev_other_link, ev_reassembled_not_written;
    uint64_t ev_held, ev_held_cut; /* -w: the hold-back queue (evidence.h) */
    uint64_t ev_retx_differs;      /* -w: retransmissions cut, their bytes not those seen */
    uint64_t ev_from_detection;    /* -w: connections written from the packet that showed them */
    int64_t first_us, last_us;     /* packet time span */
    /* why reading stopped before its end, after packets were taken (the
     * interface went away mid-capture, a later input unreadable): stderr's
     * message, in the report and the stats record; NULL when it ended well */
    const char *capture_error;
    /* the TLS 1.3 handshakes of the session records (negotiated 1.3), and of
     * them those decrypted with --keylog (report.c): the key log's summary */
    uint64_t tls13_handshakes, tls13_decrypted;
    /* of them, those a key log had and did not decrypt (enum tls_keylog):
     * without SERVER_HANDSHAKE_TRAFFIC_SECRET, its secret not the
     * connection's (tls.keylog_mismatch), the flight cut by the capture */
    uint64_t tls13_no_server_secret, tls13_mismatch, tls13_cut;
};

/* Opens the outputs named in cfg. Returns 0, or -1 with a message on stderr. */
int report_open(const struct config *cfg);

/* Whether the BPF filter of cfg passed no packet of the -r files, which
 * had some (st->records_read, or a number not known: records_uncounted):
 * the report's last count line and the stats record's filter_matched_none
 * say so, or "0 packets" reads as a capture with no mail in it. */
bool report_filter_none(const struct config *cfg, const struct run_stats *st);
/* The terminal report's lines on what the capture lost (report_loss.c),
 * each followed by an empty line; none when it lost nothing. */
void report_capture_loss(FILE *f, const struct run_stats *st);

/* A flow ended. Writes its "session" record (when it carried SMTP or TLS)
 * and its "flow" record (when on a mail port), and feeds the aggregation. The
 * record and its facts are borrowed for the call. */
void report_flow(const struct flow_record *rec);

/* A DNS answer seen in the capture: name -> address (A/AAAA) or name -> MX
 * host. Used to learn which name a peer expected at an address. */
void report_dns_addr(const char *name, const struct ipaddr *addr,
                     const struct ipaddr *resolver_client, int64_t ts_us);
/* resolver_client: the MX answer's destination address, the client that
 * looked the domain up; ttl the record's (dnslearn_mx_to) */
void report_dns_mx(const char *domain, const char *mx_host, const struct ipaddr *resolver_client,
                   uint32_t ttl, int64_t ts_us);
/* A CNAME answer, ad its header's AD bit: the TLSA base domain of a CNAMEd
 * MX host (RFC 7672 §2.2.2, dnslearn.h). */
void report_dns_cname(const char *alias, const char *target, bool ad, int64_t ts_us);
/* A TLSA record (RFC 6698 §2.1) seen in a DNS answer, ad its header's AD
 * bit (DANE, RFC 7672 §2.2: only validated records count): learned by
 * owner name (tlsa.h). */
void report_dns_tlsa(const char *owner, uint8_t usage, uint8_t selector, uint8_t mtype,
                     const uint8_t *data, size_t len, bool ad);

/* Live capture, about once a second: writes out the records made since the
 * last call (NDJSON is otherwise written 64 KiB at a time), so a reader of
 * the --json file or pipe sees each session within a second or so. */
void report_tick(void);

/* SIGHUP in a live capture (log rotation): writes out what is buffered,
 * closes the --json file and opens its path again, appending. */
void report_reopen(void);

/* True once writing --json failed with EPIPE (its reader exited): a live
 * capture then stops, as tcpdump -w - does. */
bool report_output_gone(void);

/* The report so far, the run going on (SIGUSR1; --report-interval live):
 * the server, name, finding and stats records of the sessions ended so far,
 * each with "snapshot": true, and the terminal report under a heading.
 * The final report is not changed by it. */
void report_snapshot(const struct run_stats *stats);

/* Writes server and finding records, the stats record and the terminal
 * report; closes outputs. Returns the highest finding severity (0 none,
 * 1 info, 2 low, 3 medium, 4 high, 5 critical) for --fail-on. */
int report_finish(const struct run_stats *stats);

/* After report_finish: true when an output (--json, the report on stdout,
 * a --certs file) could not be written in full. */
bool report_write_failed(void);

#endif /* SMTPTAP_REPORT_H */
