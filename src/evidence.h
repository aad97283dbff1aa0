/* \summary: -w FILE: the frames of the mail flows smtptap followed, written
 * as a pcap to open in Wireshark or hand to a vendor, with every byte that
 * could be message content or a credential cut off.
 *
 * What a frame keeps is decided before its bytes reach the dissectors, from
 * what the flow has shown until then (src/engine_evidence.c):
 *  - frames without payload (SYN, ACK, FIN, RST): whole;
 *  - TLS records while the handshake is followed (ClientHello to Finished,
 *    certificates, alerts; a TLS 1.3 flight stays encrypted): whole. The
 *    client's from its hello on, only bytes inside well-framed records
 *    (evidence_tls_walk, per flow: a command in clear after the hello, in
 *    its segment or a later one, is cut); the server's from its first
 *    record (a hello or an alert that is records to the segment's end)
 *    only the records that follow in its stream (the server's framing;
 *    application_data only as a TLS 1.3 flight: a TLS 1.2 server sends
 *    none in its handshake), or a retransmission of bytes written whole in
 *    that framing (ev_shs) whose every byte is the one seen first
 *    (reasm_seen_differs; a copy that differs is cut, retx_differs); a segment out of it (its bytes
 * before it not seen) is held until they come, and cut when it cannot be; bytes in clear in the
 * framing's place are judged as reply lines; after a hole (bytes lost for good) the framing is
 * found again only at a record boundary evidence_tls_resync shows, without application_data;
 *  - while every byte the client sent before them was seen in order and
 *    written whole (the first client segment cut ends it, for good: what
 *    the client sends next may be a message's line), the client's commands
 *    in clear, when every line of the segment is a whole EHLO, HELO, LHLO,
 *    STARTTLS, X-ANONYMOUSTLS, RSET, NOOP or QUIT in printable text;
 *  - the server's SMTP replies, when every line of the segment is a whole
 *    reply line, none is a 334 (an AUTH challenge, RFC 4954 §4), and it
 *    acknowledges no client byte not seen or not written (the server may
 *    repeat what it got, but only that);
 *  - everything else is cut after the TCP header: the frame keeps its
 *    headers and its length on the wire, as a snaplen cut would (Wireshark:
 *    "Packet size limited during capture"). That is every command from AUTH
 *    or MAIL on and the replies to it, message text, application data after
 *    the handshake, retransmissions, segments after a hole, and in
 *    connections picked up without their SYN every client byte and every
 *    server byte in clear: their server's TLS handshake is written, from a
 *    segment that starts with a ServerHello, a Certificate or an alert,
 *    then its framing (engev_midstream_tls).
 * A frame whose verdict depends on bytes not seen yet is held back
 * (EVIDENCE_HOLD, below): a client segment ahead of its stream, a server's
 * that acknowledges client bytes not judged yet, a server TLS segment
 * ahead of its framing or, before the framing started, of its stream (a
 * Certificate's rest before its ServerHello: reordered segments, or two
 * directions merged out of order); decided when those bytes come, cut
 * when they do not; a server's TLS records as they would have been in
 * order (application_data as a TLS 1.3 flight when, as it came, the
 * handshake was not complete: evidence_held.flight).
 * Bytes after a frame's IP datagram (Ethernet padding, a trailer) are
 * written as zeros.
 * A connection on a port that is no mail port is written from the packet
 * that showed SMTP or TLS in it (a 220, a ClientHello): its packets before
 * (the SYN, the TCP handshake) went by when it was no mail flow, and no
 * copy is kept (every connection's would be, and the file keeps capture
 * order); its record has the anomaly evidence.starts_at_detection, and
 * evidence_stats.from_detection counts it.
 * A datagram of a mail flow that came in IP fragments is judged once whole,
 * after its last fragment came: it is written then as one frame, the link
 * header of its last fragment and the datagram as reassembled (IP header
 * without fragment fields), cut after the TCP header as any other; its
 * fragments are not written. Frames of a link type other than the first
 * written's cannot share the file: counted, and said.
 */
#ifndef SMTPTAP_EVIDENCE_H
#define SMTPTAP_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "defrag.h"
#include "pkt.h"

enum evidence_verdict {
    EVIDENCE_SKIP = 0, /* not a mail flow followed: not written */
    EVIDENCE_WHOLE,    /* written as captured */
    EVIDENCE_CUT,      /* written up to the end of the TCP header */
    EVIDENCE_HOLD,     /* not known yet: held back (evidence_hold_*), then WHOLE or CUT */
};

struct evidence_stats {
    uint64_t frames;                  /* frames written */
    uint64_t cut;                     /* ... of them with their payload cut */
    uint64_t reassembled;             /* ... of them datagrams reassembled from IP fragments */
    uint64_t other_link;              /* frames of another link type: not written */
    uint64_t reassembled_not_written; /* datagrams rebuilt from fragments that one frame cannot
                                         carry (past 65 535 bytes with a tunnel's outer headers,
                                         or past the file's snaplen): not written */
    uint64_t write_error;             /* 1 when the file could not be written in full */
    uint64_t held;         /* frames whose verdict waited for bytes not seen yet (EVIDENCE_HOLD) */
    uint64_t held_cut;     /* ... and frames that would have: cut, given up on at a bound */
    uint64_t retx_differs; /* frames cut as retransmissions whose bytes differ from those seen */
    uint64_t from_detection; /* connections on a port that is no mail port, written from the packet
                                that showed SMTP or TLS: their packets before it (SYN, handshake)
                                were not kept (engine_evidence.c) */
};

/* Opens (creates or truncates) path for writing; the pcap header is written
 * with the first frame's link type. Returns 0, or -1 with err filled; 1
 * with err filled when a SIGINT/SIGTERM ended the wait for a FIFO's reader
 * (fdwait.h): the run goes on without -w. */
int evidence_open(const char *path, char *err, size_t errlen);

/* True when -w was given and the file is open. */
bool evidence_on(void);

/* The frame f, decoded into p, gets verdict v. When p is a datagram rebuilt
 * from IP fragments (p->l3 outside f->data), f is its last fragment and dg
 * the datagram (its link_len: f's link header bytes). */
void evidence_frame(const struct capture_frame *f, const struct pkt *p, const struct defrag_out *dg,
                    enum evidence_verdict v);

/* A frame is cut because it repeats bytes seen before with other bytes
 * (engine_evidence.c): counted (evidence_stats.retx_differs). */
void evidence_count_retx_differs(void);

/* A connection is written from the packet that showed it a mail flow,
 * not from its start (engine_evidence.c): counted (from_detection). */
void evidence_count_from_detection(void);

/* Flushes and closes. Returns 0, or -1 with err filled when a write failed. */
int evidence_close(char *err, size_t errlen);

/* Live capture, once a second: what was written so far reaches the file,
 * so that it can be opened while the capture runs. */
void evidence_flush(void);

void evidence_stats(struct evidence_stats *out);

/* ---- the hold-back queue (evidence_hold.c) ----
 * A frame whose verdict depends on bytes not seen yet (a server's reply
 * that acknowledges client bytes still to come, client bytes ahead of the
 * stream: a capture whose two directions were merged out of order) is
 * held, a copy, with verdict EVIDENCE_HOLD, and decided when those bytes
 * come (engine_evidence.c). The file keeps capture order: every frame
 * after a held one waits behind it, decided, until it is decided. Bounded:
 * at most EVIDENCE_HOLD_FLOW frames held per flow (more are cut at once),
 * EVIDENCE_HOLD_FRAMES frames and EVIDENCE_HOLD_BYTES bytes queued (the
 * oldest held is then cut, and what it kept waiting written), a frame held
 * EVIDENCE_HOLD_US of capture time (the same), and the memory cap (its
 * copies are accounted); at the end of the input, what is still held is
 * cut. Cut, never written whole, when in doubt. */
#define EVIDENCE_HOLD_FLOW   32
#define EVIDENCE_HOLD_FRAMES 1024
#define EVIDENCE_HOLD_BYTES  (2u << 20)
#define EVIDENCE_HOLD_US     1000000

/* A frame held, as its verdict needs it. */
struct evidence_held {
    uint64_t flow_id; /* flow.id */
    uint8_t side;     /* its flow's key side */
    uint8_t tcp_flags;
    uint32_t seq, ack;
    const uint8_t *payload; /* the copy's */
    uint32_t payload_caplen, payload_wirelen;
    bool flight; /* when it came, the server's application_data records would have been taken
                    for a TLS 1.3 flight (handshake not complete, version not below 1.3) */
};

/* The next frame evidence_frame() gets with EVIDENCE_HOLD is flow_id's, from
 * side; `flight`: evidence_held.flight. */
void evidence_hold_tag(uint64_t flow_id, unsigned side, bool flight);

/* True when flow_id may have one more frame held. */
bool evidence_hold_room(uint64_t flow_id);

/* True when any frame is held. */
bool evidence_hold_any(void);

/* True when a frame of flow_id from side is held whose sequence number is
 * before seq (RFC 9293 §3.4): a segment of the server's after it in its
 * stream waits behind it. */
bool evidence_hold_before(uint64_t flow_id, unsigned side, uint32_t seq);

/* The frames of flow_id held, oldest first: *it starts at 0. NULL at the end. */
struct evidence_held *evidence_held_next(uint64_t flow_id, uint64_t *it);

/* h's verdict (EVIDENCE_WHOLE or EVIDENCE_CUT): written when no frame
 * before it waits. h is no longer valid after. */
void evidence_held_decide(struct evidence_held *h, enum evidence_verdict v);

/* Live capture, at the tick: frames held longer than EVIDENCE_HOLD_US are cut. */
void evidence_hold_expire(int64_t now_us);

/* The line checks (pure; unit-tested). Each is true when b[0..n) is one or
 * more whole lines (the last ends in "\n") that may be written: reply lines
 * other than 334 (server), or the greeting, STARTTLS and housekeeping
 * commands above (client). */
bool evidence_server_lines_ok(const uint8_t *b, uint32_t n);
bool evidence_client_lines_ok(const uint8_t *b, uint32_t n);

/* A capture of the server's side alone (the client's direction not
 * captured: a tap or span port that sees one direction, record.h
 * flow_record_missing_dir): its replies acknowledge client bytes never
 * seen, so the rule above cuts them all. Those the one-direction reading
 * uses (dissectors/smtp_reply.c smtp_unseen_client_done) are written
 * instead, in this order only: the greeting (220), the EHLO reply (a
 * multi-line 250: its keywords, STARTTLS among them), the 220 to STARTTLS
 * (straight after the greeting too), then TLS records (the engine's:
 * engine_evidence_server.c). None of them repeats a command's argument but
 * the EHLO's host name; any other reply (one to MAIL or RCPT may repeat an
 * address) ends it. *state (0 at the connection's start) is the step
 * (EVIDENCE_OW_STEP) and whether a multi-line reply goes on
 * (EVIDENCE_OW_MORE). True when every line of b[0..n) is a whole reply
 * line of the step's reply; else *state becomes EVIDENCE_OW_DONE (for
 * good). Pure; unit-tested. */
#define EVIDENCE_OW_GREETING 0u
#define EVIDENCE_OW_EHLO     1u
#define EVIDENCE_OW_220      2u
#define EVIDENCE_OW_TLS      3u /* a TLS handshake record expected next */
#define EVIDENCE_OW_DONE     4u /* past the replies, or given up */
#define EVIDENCE_OW_STEP     7u
#define EVIDENCE_OW_MORE     8u
bool evidence_oneway_replies(uint8_t *state, const uint8_t *b, uint32_t n);

/* TLS record framing (RFC 8446 §5.1, RFC 5246 §6.2.1), followed over a
 * side's bytes segment by segment: every record header has a content type
 * 20 (change_cipher_spec), 21 (alert), 22 (handshake), or 23
 * (application_data, when appdata_ok: a TLS 1.3 flight is sent as such),
 * version 3.x with x <= 4, and a length of at most 2^14 + 2048 (RFC 5246
 * §6.2.3). *state is where the last bytes left off: 0 at a record's start
 * (EVIDENCE_TLS_START); the body bytes left of a record; or inside a header
 * cut by a segment's end (bit 15 set). Walks b[0..n), then `missing` bytes
 * not captured (a snapshot length cut), which may only lie inside a record's
 * body. True when every byte is a well-framed record's; false (*state
 * unspecified) at the first that is not. Pure; unit-tested and fuzzed. */
#define EVIDENCE_TLS_START  0
#define EVIDENCE_TLS_MAXREC (16384 + 2048)
bool evidence_tls_walk(uint16_t *state, const uint8_t *b, uint32_t n, uint32_t missing,
                       bool appdata_ok);

/* After a hole in the server's stream (bytes lost), where its TLS record
 * framing may start again in a segment b[0..n): the first offset *at where
 * a record header of type 20-22 (handshake, change_cipher_spec, alert;
 * never application_data), version 3.x (x <= 4) and a length of at most
 * 2^14 + 2048 is followed by another such header or by the segment's end
 * exactly (one header alone is too easily found in a certificate's or a
 * ciphertext's bytes). Or, *open set, such a header whose record runs past
 * the segment's end: a boundary only once the next segment shows the
 * header after it (or ends with it). At the segment's first byte, any
 * such; inside it (after the rest of a record begun in the hole), only a
 * handshake record whose bytes begin with messages a server sends
 * (tls_resync_plausible, lengths within msg_max; 0: none tried), a few
 * offsets at most. False when none. The bytes from *at on are then walked
 * (evidence_tls_walk, without application_data). The rule is
 * dissectors/tls_frame.h's, which the TLS dissector follows after a hole
 * too. Pure; unit-tested and fuzzed. */
bool evidence_tls_resync(const uint8_t *b, uint32_t n, uint32_t msg_max, uint32_t *at, bool *open);

#endif /* SMTPTAP_EVIDENCE_H */
