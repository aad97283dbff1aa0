/* \summary: TLS dissector internals shared by the record layer (tls.c) and
 * the handshake message parsers (tls_hs.c). */
#ifndef SMTPTAP_TLS_INT_H
#define SMTPTAP_TLS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "dissector.h"
#include "tls_dec.h"

/* Record content types (RFC 8446 §5.1). */
enum {
    TLS_CT_CCS = 20,
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
    TLS_CT_APPDATA = 23,
    TLS_CT_HEARTBEAT = 24
};

/* Handshake types (RFC 8446 §4, RFC 5246 §7.4). */
enum {
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_NEW_SESSION_TICKET = 4,
    TLS_HS_CERTIFICATE = 11,
    TLS_HS_SERVER_KEY_EXCHANGE = 12,
    TLS_HS_CERTIFICATE_REQUEST = 13,
    TLS_HS_SERVER_HELLO_DONE = 14,
    TLS_HS_FINISHED = 20,
    TLS_HS_CERTIFICATE_STATUS = 22 /* RFC 6066 §8 (TLS 1.2 and older) */
};

#define TLS_RECORD_MAX (16384 + 2048) /* RFC 5246 §6.2.3 TLSCiphertext limit */

struct tls_dir {
    uint8_t *hs; /* handshake bytes not yet parsed (reassembly across records) */
    uint32_t hs_len, hs_cap;
    uint32_t skip; /* bytes of an over-cap message still to discard */
    uint32_t records;
    uint32_t enc_records; /* records sent under keys */
    bool encrypted;       /* keys in use for this direction */
    bool lost;            /* a gap or an error: this direction is no longer parsed */
    uint8_t partial_type; /* type of a message cut by the end, 0 none */
    bool partial;
    struct tls_dec dec; /* TLS 1.3 handshake keys from --keylog */
    bool dec_failed;    /* no key for this direction, or unsupported suite */
    bool dec_done;      /* past the handshake epoch (its Finished seen) */
    bool early;         /* the record cut at the end of the last delivery began
                           before the client's first bytes (tls_data) */
    bool crt_taken;     /* a Certificate message of this side was taken */
    bool alert_half;    /* an alert's level byte ended the last alert record */
    uint8_t alert_level;
    bool resync;         /* picked up inside a record: waiting for a delivery that
                            begins with a record header (tls_pickup.c) */
    bool fin_implied;    /* picked up: its application data came, so its
                            Finished was sent before (tls_pickup.c) */
    uint8_t sync;        /* after a hole: enum tls_sync (tls_resync.c) */
    bool after_done;     /* past the handshake: its records after it read (tls_after_data) */
    uint16_t after_skip; /* bytes of the record whose header was read, still to let go */
    uint8_t auth13;      /* TLS 1.3, no key: the client's Certificate (1; empty: 2) and
                            CertificateVerify (2) read before its Finished (tls.c) */
};

/* tls_dir.sync: a direction read again after a hole (tls_resync.c). */
enum tls_sync {
    TLS_SYNC_NONE = 0, /* read as usual */
    TLS_SYNC_FRAME,    /* looking for a record boundary */
    TLS_SYNC_MSG       /* records read; handshake records skipped until one
                          begins with a message */
};

/* A session ticket's key in the resumption table (tls_hs.c tls_ticket_key). */
#define TLS_TICKET_KEY_LEN 32
/* The PSK identities of a ClientHello kept (RFC 8446 §4.2.11): the server
 * selects one by its index; an index past these is not linked. */
#define TLS_PSK_MAX 4

/* TLS 1.3 tickets after the server's Finished (tls_tickets13.c). */
enum tls_tk {
    TLS_TK_OFF = 0, /* the server's Finished not decrypted (yet) */
    TLS_TK_READ,    /* its application keys ready: tickets are read */
    TLS_TK_OVER     /* no more (none wanted, no key, or the reading ended) */
};

struct tls_state {
    struct tls_dir dir[2];
    bool tls13; /* ServerHello selected TLS 1.3, or a HelloRetryRequest came */
    bool sh_seen;
    bool done;           /* handshake finished (or failed): stop dissecting */
    bool client_spoke;   /* client bytes reached this dissector */
    bool server_fin_enc; /* 1.2: server sent an encrypted handshake record (Finished) */
    bool client_fin_enc;
    uint8_t pickup_order; /* picked up: how far the server's ChangeCipherSpec came first
                             (tls_pickup.c tls_pickup_order) */
    uint8_t pickup_srecs; /* picked up at the server's encrypted records: how many */
    uint16_t pickup_slen; /* and the last one's length (its Finished's?) */
    bool pickup_sack_ok;  /* pickup_sack holds the ACK of the server's CCS packet */
    bool client_after13;  /* TLS 1.3: client bytes (or a gap) after the server's first
                             encrypted record: an answer to its flight (tls13_flight_open) */
    uint32_t pickup_sack;
    uint32_t pickup_sseq; /* and that packet's sequence number */
    int16_t last_hs;      /* last handshake type of either side */
    uint8_t last_hs_from;
    uint8_t client_random[32]; /* ClientHello.random: the key log's index */
    bool have_random;
    bool ch_seen; /* a ClientHello (either form) was read */
    uint8_t session_id_len;
    uint8_t session_id[32];
    /* resumption (fctx_resume_*): the ticket the ClientHello presented
     * (its SessionTicket extension, RFC 5077 §3.2), as its SHA-256, and the
     * session ID the ServerHello gave */
    bool ticket_offered;
    uint8_t ticket_key[TLS_TICKET_KEY_LEN]; /* tls_ticket_key() */
    uint8_t sh_session_id_len;
    uint8_t sh_session_id[32];
    /* TLS 1.3: the ClientHello's PSK identities (n_psk offered, the first
     * TLS_PSK_MAX kept as tls_ticket_key() has them), and the reading of
     * the server's tickets (enum tls_tk; records read, client bytes seen
     * since the handshake ended) */
    uint8_t n_psk;
    uint8_t tk;
    uint8_t tk_records;
    bool hist_full; /* hist: the history was cut (here: in tk_records' padding) */
    uint32_t tk_client;
    uint8_t psk_key[TLS_PSK_MAX][TLS_TICKET_KEY_LEN];
    char hist[192]; /* handshake history being built */
    uint16_t hist_len;
    /* when the server's reply to the first command over TLS began, in
     * 1/16 s modulo 2^16 (a gap told to 68 minutes: tls_after_idle), in
     * the padding after hist_len */
    uint16_t reply_t16;
};

/* A handshake message of type `type` from d: its abbreviation in the
 * history, and the last message of either side and of d. */
void tls_hs_note(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
                 const char *abbr);

/* Parses one complete handshake message of direction d (type, body). */
void tls_hs_message(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
                    const uint8_t *body, uint32_t len);

/* The length of the ClientHello in the SSL 2.0 form (tls_sslv2.c) that
 * the bytes left in r begin, header included; 0 when they begin none; -k
 * when k bytes are needed to tell. Consumes nothing. */
int tls_sslv2_len(const struct rd *r);

/* Parses the body (after the 2-byte header) of a ClientHello in the SSL
 * 2.0 form: the client's version and random; tls.sslv2_client_hello. */
void tls_sslv2_hello(struct flow_ctx *ctx, struct tls_state *st, const uint8_t *body, uint32_t len);

/* tls.c: appends n bytes to td's buffer of one handshake message awaiting
 * its rest (at most tls.hs_msg_max + 4 bytes; wiped when moved); false
 * when they cannot be kept. */
bool tls_hs_keep(struct flow_ctx *ctx, struct tls_dir *td, const uint8_t *p, uint32_t n);

/* tls_pickup.c: a handshake picked up after its start (facts.midstream,
 * no ClientHello seen). */
bool tls_pickup(struct flow_ctx *ctx, const struct tls_state *st);

/* A direction of a connection picked up midstream whose first bytes (or,
 * once so, a delivery's) are no record header: picked up inside a record.
 * Skips the bytes left in r and returns true; false when r begins with a
 * record header or the direction is read already. */
bool tls_pickup_resync(struct flow_ctx *ctx, struct tls_state *st, enum dir d, struct rd *r);

/* A record of a picked-up direction not known to be under keys that can
 * only be (application data, an alert longer than 2 bytes, a handshake
 * record that holds no handshake messages): the direction is marked
 * encrypted and true returned. */
bool tls_pickup_encrypted(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
                          const uint8_t *p, uint32_t len);

/* Every record of a handshake picked up after its start, before it is
 * read (len: its fragment's): the server's ChangeCipherSpec and encrypted
 * Finished before the client's ChangeCipherSpec make it resumed
 * (t->resumed); a capture that cannot tell sets t->pickup_undecided. */
void tls_pickup_order(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
                      uint32_t len);

/* A connection picked up at encrypted records that may be a TLS 1.3
 * handshake without the compatibility ChangeCipherSpec (tls_pickup_order
 * watching for the client's Finished): tls_unseen does not stop reading
 * yet. tls_pickup_watch_end ends the watch (a hole, or a side's end:
 * nothing more is told), returning whether there was one. */
bool tls_pickup_watching(const struct tls_state *st);
bool tls_pickup_watch_end(struct tls_state *st);

/* tls_resync.c: a direction read again after a hole in its stream. */

/* Bytes of d lost (tls_gap): true when the direction will be read again
 * (what was kept of a message dropped, tls_dir.sync TLS_SYNC_FRAME);
 * false when it is under keys (after its ChangeCipherSpec, TLS 1.3) or
 * lost already. */
bool tls_resync_begin(struct flow_ctx *ctx, struct tls_state *st, enum dir d);

enum tls_resync_res {
    TLS_RESYNC_FOUND, /* r at a record boundary: read records from it */
    TLS_RESYNC_NEED,  /* r at a possible one: *need bytes from it tell */
    TLS_RESYNC_NONE   /* none: every byte of r skipped */
};

/* TLS_SYNC_FRAME: the bytes left in r looked through for a record
 * boundary (tls_frame_at); those before it skipped. */
enum tls_resync_res tls_resync_frame(struct tls_state *st, enum dir d, struct rd *r,
                                     uint32_t *need);

/* tls_resync_plausible: tls_frame.h. */

/* A handshake record in clear of d: false while d waits for a record that
 * begins with a message (TLS_SYNC_MSG) and this one does not (the rest of
 * a message the hole cut: skipped); true to read it (tls.resync said when
 * it ends the wait). */
bool tls_resync_record(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *p,
                       uint32_t len);

/* A session ticket (n > 0 bytes) as the resumption table's key (tls_hs.c). */
void tls_ticket_key(const uint8_t *p, size_t n, uint8_t out[TLS_TICKET_KEY_LEN]);

/* tls_tickets13.c. A ClientHello's pre_shared_key extension body (RFC 8446
 * §4.2.11): its identities kept in st. */
void tls13_psk_offered(struct tls_state *st, struct rd *e);

/* The server's Finished was decrypted: its application keys from the key
 * log, when the session has a chain a ticket could link to (st->tk). */
void tls13_tickets_begin(struct flow_ctx *ctx, struct tls_state *st);

/* One server record after its Finished (hdr: its 5-byte header, p: len
 * bytes): its NewSessionTickets offered to the resumption table. */
void tls13_ticket_record(struct flow_ctx *ctx, struct tls_state *st, const uint8_t *hdr,
                         const uint8_t *p, uint32_t len);

/* Bytes of direction d after the handshake ended, while tickets are read:
 * the server's records through tls13_ticket_record, the client's let go;
 * D_DONE once no more tickets are read. */
struct dres tls13_tickets_data(struct flow_ctx *ctx, struct tls_state *st, enum dir d,
                               const uint8_t *buf, uint32_t len);

/* The server's bytes ended (at_gap false: the end of the capture, with
 * `unconsumed` bytes of a record begun) or were lost (at_gap true) while
 * its NewSessionTickets were read: a ticket begun and kept is wiped and
 * reported (tls.ticket_truncated, tls.ticket_gap), as is a record begun
 * or bytes lost, which may have held one; the reading ends. Direction d's
 * gap ends it too, unreported for the client. */
void tls13_tickets_cut(struct flow_ctx *ctx, struct tls_state *st, enum dir d, bool at_gap,
                       uint32_t unconsumed);

/* tls_after.c: bytes of direction d after the handshake ended (st->done):
 * once it completed, the headers of the records of each direction, the
 * first TLS_AFTER_MAX (fctx facts tls.after), their contents let go
 * unread, as far as the client's first command's answer (facts tls.reply);
 * the TLS 1.3 tickets of tls13_tickets_data read meanwhile. D_DONE once
 * neither needs more. */
struct dres tls_after_data(struct flow_ctx *ctx, struct tls_state *st, enum dir d,
                           const uint8_t *buf, uint32_t len);

/* One record header of d after the handshake (type, its length). */
void tls_after_note(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
                    uint16_t len);

/* Direction d ended (at_gap false) or lost bytes (at_gap true) after the
 * handshake: its records after it are read no more. */
void tls_after_end(struct flow_ctx *ctx, struct tls_state *st, enum dir d, bool at_gap);

/* Appends "C:XX" / "S:XX" to the handshake history (capped). */
void tls_history(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const char *what);

#endif /* SMTPTAP_TLS_INT_H */
