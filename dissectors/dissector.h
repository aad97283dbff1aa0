/* \summary: the dissector contract: one direction of one flow as bytes in,
 * done / need N more / error out (Suricata's app-layer contract), plus gap
 * and end-of-stream callbacks (Zeek's Undelivered / EndOfData).
 *
 * Dissectors never see libpcap, sockets, stdio or the output format. They
 * read bytes only through src/cursor.h, allocate only through fctx_alloc(),
 * and write what they learn into the session facts (facts.h) through the
 * flow context functions below, which the engine (src/engine.c) implements.
 */
#ifndef SMTPTAP_DISSECTOR_H
#define SMTPTAP_DISSECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts.h"

enum dir {
    DIR_TO_SERVER = 0, /* bytes the client sent */
    DIR_TO_CLIENT = 1  /* bytes the server sent */
};

enum dres_status {
    D_OK,   /* consumed `consumed` bytes; call again with more data */
    D_NEED, /* consumed `consumed` bytes; call again once `needed` more bytes follow them */
    D_DONE, /* the dissector needs no more bytes of this flow (both directions): bypass */
    D_ERROR /* unrecoverable for this flow: the engine records it and stops dissecting */
};

struct dres {
    enum dres_status st;
    uint32_t consumed; /* bytes of buf the dissector is finished with (<= len) */
    uint32_t needed;   /* D_NEED: how many bytes beyond `consumed` it wants, > 0 */
};

static inline struct dres
dres_make(enum dres_status st, uint32_t consumed, uint32_t needed)
{
    struct dres r;
    r.st = st;
    r.consumed = consumed;
    r.needed = needed;
    return r;
}

struct flow_ctx; /* opaque: owned by the engine */

struct dissector {
    const char *name;
    /* Allocates per-flow state through fctx_alloc(); NULL = out of memory (the
     * engine records a cap event and stops dissecting the flow). */
    void *(*state_new)(struct flow_ctx *ctx);
    void (*state_free)(struct flow_ctx *ctx, void *st);
    /* Bytes of direction d, in order, starting where the last call's
     * `consumed` ended. buf is borrowed for the call only. */
    struct dres (*data)(struct flow_ctx *ctx, void *st, enum dir d, const uint8_t *buf,
                        uint32_t len);
    /* `missing` bytes of direction d were never seen (loss, snaplen cut, cap).
     * Any unconsumed bytes are dropped before this call. */
    void (*gap)(struct flow_ctx *ctx, void *st, enum dir d, uint64_t missing);
    /* Direction d ended (FIN, RST, timeout, eviction or end of capture);
     * `unconsumed` bytes were still buffered and are lost. */
    void (*eof)(struct flow_ctx *ctx, void *st, enum dir d, uint32_t unconsumed);
};

/* ---- flow context: implemented by the engine ---- */

/* Records a protocol anomaly on the flow. `name` is a static snake_case
 * string ("tls.malformed_record"); `detail` may be NULL, is copied (capped). */
void fctx_event(struct flow_ctx *ctx, const char *name, const char *detail);

/* Accounted allocation (zeroed), freed with the flow at the latest. NULL when
 * the per-flow or global memory cap would be exceeded (the engine has then
 * already recorded a cap event). Up to 512 bytes it is carved from the flow's
 * chunks and fctx_free() gives it back only with the flow. */
void *fctx_alloc(struct flow_ctx *ctx, size_t n);
/* The same, not zeroed: for buffers the caller fills before reading. */
void *fctx_alloc_raw(struct flow_ctx *ctx, size_t n);
void fctx_free(struct flow_ctx *ctx, void *p, size_t n);

/* Copies len bytes (capped at max; the cut is marked in s->truncated) into a
 * facts string, replacing what it held (in its room when the new value fits;
 * the room doubles when it grows), followed by a NUL. Returns false when out
 * of memory. */
bool fctx_setstr(struct flow_ctx *ctx, struct fstr *s, const uint8_t *bytes, size_t len,
                 size_t max);

/* The session facts of this flow (never NULL while a dissector runs). */
struct session_facts *fctx_facts(struct flow_ctx *ctx);

/* Server port of the flow (the mail port in the normal case). */
uint16_t fctx_server_port(const struct flow_ctx *ctx);

/* Packet time (microseconds since the epoch) of the bytes being delivered. */
int64_t fctx_now_us(const struct flow_ctx *ctx);

/* The TCP header of the packet the engine is taking (fctx_packet): its
 * direction, sequence number and acknowledgment number; false when none
 * was noted or it carried no ACK. The bytes being delivered are that
 * packet's, or earlier ones it let go. */
bool fctx_packet_tcp(const struct flow_ctx *ctx, enum dir *d, uint32_t *seq, uint32_t *ack);

/* Caps from the configuration (src/config.h) that dissectors need. */
const struct config *fctx_config(const struct flow_ctx *ctx);

/* Hands the flow to another dissector (SMTP -> TLS on the 220 reply to
 * STARTTLS). Takes effect when the current data() call returns: bytes not
 * consumed by that call, and all later bytes of both directions, go to
 * `next`. The current dissector's state is freed; the facts stay. */
void fctx_upgrade(struct flow_ctx *ctx, const struct dissector *next);

/* Records certificate `idx` (0 = first sent) of the chain sent in direction
 * d. The engine hashes the exact DER bytes, parses each distinct DER once
 * (certificate cache) and appends a reference to facts.tls.server_chain
 * (d == DIR_TO_CLIENT) or client_chain. Returns FCTX_CERT_KEPT, or
 * FCTX_CERT_PAST_CAP past x509.chain_max (the chain as kept is its start),
 * or FCTX_CERT_LOST when this certificate could not be kept (larger than
 * x509.cert_max, the cache full or out of memory): the chain then has a
 * hole and must not be judged. Each is recorded as an event. */
enum fctx_cert_rc { FCTX_CERT_KEPT = 0, FCTX_CERT_PAST_CAP, FCTX_CERT_LOST };
enum fctx_cert_rc fctx_cert(struct flow_ctx *ctx, enum dir d, unsigned idx, const uint8_t *der,
                            size_t len);

/* The OCSP response the server stapled for its leaf (RFC 6066 §8, RFC
 * 6961 §2.2, RFC 8446 §4.4.2.1): len bytes, copied into facts.tls.ocsp
 * for src/ocsp.c to judge when the session ends. One larger than
 * tls.ocsp_max is not kept (its length and too_large only, the event
 * tls.ocsp_cap); a second in the same handshake is not taken. */
void fctx_ocsp(struct flow_ctx *ctx, const uint8_t *der, size_t len);

/* TLS session resumption (src/resume.c). kind: 1 the ServerHello's session
 * ID (RFC 5246 §7.4.1.2), 2 a ticket (RFC 5077 §3.3, RFC 8446 §4.6.1) as
 * tls_ticket_key() has it; key: len bytes, 1..32. fctx_resume_offer: this
 * session can be resumed by key at its server: the chain it was given (its
 * server chain when seen, else the chain its own resumption was linked to)
 * is remembered for it. fctx_resume_find: this session resumed by key:
 * when the full handshake was seen at the same server address (any port:
 * resume.h), facts.tls.resumed_chain, resumed_from and
 * resumed_by are set and true returned. */
void fctx_resume_offer(struct flow_ctx *ctx, int kind, const uint8_t *key, size_t len);
bool fctx_resume_find(struct flow_ctx *ctx, int kind, const uint8_t *key, size_t len);

/* The registered dissectors. */
extern const struct dissector smtp_dissector;
extern const struct dissector tls_dissector;

#endif /* SMTPTAP_DISSECTOR_H */
