/* \summary: -w's judge of a mail flow's frames (engine_evidence.c) and
 * its server side (engine_evidence_server.c), between themselves: the
 * server's TLS record framing, followed from its first record, found again
 * after a hole, and in a connection picked up midstream. */
#ifndef SMTPTAP_ENGINE_EVIDENCE_INT_H
#define SMTPTAP_ENGINE_EVIDENCE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "evidence.h"
#include "flow.h"
#include "pkt.h"

/* flow.ev_srs: the server's record framing after a hole in its stream
 * (bytes the reassembler gave up on, RFC 9293 §3.4), where no byte after
 * it is known to start a record. ENGEV_SRS_LOST: lost at ev_stls_seq
 * (ev_stls_on false); found again in a later segment only at a boundary
 * evidence_tls_resync shows (a header followed by another, or by the
 * segment's end). ENGEV_SRS_TRY: a segment with a record running past its
 * end (at ev_srs_seq: a Certificate after the hole, from the segment's
 * first byte or after the rest of a record the hole cut): it
 * and the segments the record goes on in are held until the next shows the
 * header after it (or ends with it): written then; else cut.
 * ENGEV_SRS_FOUND: found again, and followed as before, without
 * application_data (after a hole a TLS 1.3 flight's records are not told
 * from the data after the handshake). */
#define ENGEV_SRS_LOST  1u
#define ENGEV_SRS_TRY   2u
#define ENGEV_SRS_FOUND 3u

/* flow.ev_ow, besides its step (evidence.h EVIDENCE_OW_*): the server's
 * TLS framing started after the replies of a capture of its side alone,
 * in a segment whose acknowledgment number is flow.ev_ow_ack. */
#define ENGEV_OW_FRAMED 16u

/* A sequence number's order against another's (RFC 9293 §3.4). */
static inline bool
engev_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

/* engine_evidence_server.c: each said where it is defined. */
bool engev_server_framing(struct flow *f, const struct pkt *p, bool start, bool appdata_ok);
bool engev_server_judged(const struct flow *f, uint32_t seq, uint32_t len);
bool engev_server_appdata(const struct flow *f);
bool engev_server_tls(struct flow *f, const struct pkt *p);
bool engev_midstream_tls(struct flow *f, unsigned side, const struct pkt *p);
bool engev_server_waits(const struct flow *f, uint32_t seq, bool tls, bool behind);
void engev_server_lost(struct flow *f);
enum evidence_verdict engev_server_resync(struct flow *f, const struct pkt *p, bool can_hold);
enum evidence_verdict engev_server_try(struct flow *f, const struct pkt *p, bool can_hold);
void engev_server_hole(struct flow *f);
bool engev_oneway_server(struct flow *f, const struct pkt *p);
bool engev_oneway_flight(const struct flow *f, const struct pkt *p);

#endif /* SMTPTAP_ENGINE_EVIDENCE_INT_H */
