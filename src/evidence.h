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
 *    its segment or a later one, is cut); the server's once its hello was
 *    parsed, before only bytes that open a handshake or alert record and
 *    are records to the segment's end;
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
 *    the handshake, retransmissions, segments out of order or after a hole
 *    (what they continue is not known yet: a client's that hold commands
 *    that may be written, or a hello, taint nothing when the stream reaches
 *    them after a whole line), and connections picked up without their
 *    SYN, in TLS too.
 * Bytes after a frame's IP datagram (Ethernet padding, a trailer) are
 * written as zeros.
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
};

struct evidence_stats {
    uint64_t frames;      /* frames written */
    uint64_t cut;         /* ... of them with their payload cut */
    uint64_t reassembled; /* ... of them datagrams reassembled from IP fragments */
    uint64_t other_link;  /* frames of another link type: not written */
    uint64_t write_error; /* 1 when the file could not be written in full */
};

/* Opens (creates or truncates) path for writing; the pcap header is written
 * with the first frame's link type. Returns 0, or -1 with err filled. */
int evidence_open(const char *path, char *err, size_t errlen);

/* True when -w was given and the file is open. */
bool evidence_on(void);

/* The frame f, decoded into p, gets verdict v. When p is a datagram rebuilt
 * from IP fragments (p->l3 outside f->data), f is its last fragment and dg
 * the datagram (its link_len: f's link header bytes). */
void evidence_frame(const struct capture_frame *f, const struct pkt *p, const struct defrag_out *dg,
                    enum evidence_verdict v);

/* Flushes and closes. Returns 0, or -1 with err filled when a write failed. */
int evidence_close(char *err, size_t errlen);

/* Live capture, once a second: what was written so far reaches the file,
 * so that it can be opened while the capture runs. */
void evidence_flush(void);

void evidence_stats(struct evidence_stats *out);

/* The line checks (pure; unit-tested). Each is true when b[0..n) is one or
 * more whole lines (the last ends in "\n") that may be written: reply lines
 * other than 334 (server), or the greeting, STARTTLS and housekeeping
 * commands above (client). */
bool evidence_server_lines_ok(const uint8_t *b, uint32_t n);
bool evidence_client_lines_ok(const uint8_t *b, uint32_t n);

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

#endif /* SMTPTAP_EVIDENCE_H */
