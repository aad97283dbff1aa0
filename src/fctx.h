/* \summary: the flow context: one flow's dissector, its state, the bytes it
 * has not consumed yet, its facts and its anomalies. The engine feeds it
 * reassembled bytes (fctx_deliver), gaps and ends; unit tests drive
 * dissectors through the very same functions. */
#ifndef SMTPTAP_FCTX_H
#define SMTPTAP_FCTX_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dissector.h"
#include "pkt.h"
#include "record.h"

enum fctx_status {
    FCTX_ACTIVE = 0, /* a dissector wants more bytes */
    FCTX_DONE,       /* the dissector needs nothing more: bypass the flow */
    FCTX_STOPPED     /* no dissector, an error, or a cap stopped dissection */
};

/* Creates a context (accounted). NULL when out of memory. */
struct flow_ctx *fctx_new(const struct config *cfg, uint16_t server_port);
void fctx_destroy(struct flow_ctx *ctx);

/* The flow's server address and record id (1, 2, ...): the key of its
 * resumable sessions (fctx_resume_offer). 0.0.0.0 and 0 until set. */
void fctx_set_origin(struct flow_ctx *ctx, const struct ipaddr *server, uint64_t flow_id);

/* Attaches the first dissector. */
void fctx_attach(struct flow_ctx *ctx, const struct dissector *d);

/* Delivers in-order bytes of direction d at packet time ts_us. Bytes the
 * dissector does not consume are buffered (reasm.buf_max) and handed again,
 * with the next bytes, once it has what it asked for. */
enum fctx_status fctx_deliver(struct flow_ctx *ctx, enum dir d, const uint8_t *buf, uint32_t len,
                              int64_t ts_us);
/* The packet of direction d the engine takes next: its TCP sequence
 * number and, has_ack, acknowledgment number (fctx_packet_tcp). */
void fctx_packet(struct flow_ctx *ctx, enum dir d, uint32_t seq, uint32_t ack, bool has_ack);
/* `missing` bytes of direction d are lost: buffered bytes are dropped. */
enum fctx_status fctx_gap(struct flow_ctx *ctx, enum dir d, uint64_t missing, int64_t ts_us);
/* Direction d ended. */
void fctx_eof(struct flow_ctx *ctx, enum dir d, int64_t ts_us);

enum fctx_status fctx_status(const struct flow_ctx *ctx);
const char *fctx_dissector_name(const struct flow_ctx *ctx);
const struct session_facts *fctx_facts_const(const struct flow_ctx *ctx);

/* Copies the anomalies recorded so far into rec (anomalies, counts). */
void fctx_fill_record(const struct flow_ctx *ctx, struct flow_record *rec);

/* Bytes this flow's dissection currently holds (state + buffers). */
uint64_t fctx_mem(const struct flow_ctx *ctx);

#endif /* SMTPTAP_FCTX_H */
