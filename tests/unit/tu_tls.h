/* \summary: test helpers for the TLS dissector's tests (test_tls*.c):
 * records and handshake messages built byte by byte (RFC 5246 §7.4, RFC
 * 8446 §4) around the certificate fixtures of tests/data/certs, and
 * transcripts replayed through a flow context (see tu_replay.h). */
#ifndef SMTPTAP_TU_TLS_H
#define SMTPTAP_TU_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "facts.h"
#include "fctx.h"
#include "tu_replay.h"

/* The configuration of the flows run() makes (defaults after
 * tu_tls_setup; a test may change caps before running). */
extern struct config tu_tls_cfg;

/* Set: run()'s flows were picked up midstream (tu_tls_setup clears it). */
extern bool tu_tls_midstream;
/* Set: run()'s flows came to TLS by STARTTLS (smtp.tls_started); else
 * implicit TLS. The setup clears it. */
extern bool tu_tls_starttls;

/* The SMTP facts of what came before TLS, for run()'s flows: the size of
 * the EHLO reply in clear less its STARTTLS line (smtp.ehlo_reply_bytes)
 * and the client's EHLO name (smtp.ehlo); 0 and NULL: none (the setup
 * clears them). */
extern uint16_t tu_tls_ehlo_reply_bytes;
extern const char *tu_tls_ehlo;

/* The server port of run()'s flows (tu_tls_setup sets 465). */
extern uint16_t tu_tls_port;

/* cmocka setup: default configuration, a fresh memory account, an empty
 * certificate cache; teardown: every byte given back. */
int tu_tls_setup(void **state);
int tu_tls_teardown(void **state);

/* A growable byte buffer with big-endian writers and length back-patching. */
struct buf {
    uint8_t b[16384];
    size_t n;
};

void put(struct buf *b, const void *p, size_t n);
void u8(struct buf *b, unsigned v);
void u16(struct buf *b, unsigned v);
void u24(struct buf *b, unsigned v);

/* Opens a length field of `w` bytes; close_len() fills it in. */
size_t open_len(struct buf *b, int w);
void close_len(struct buf *b, size_t at, int w);

/* One TLSPlaintext record (RFC 8446 §5.1) holding `body`. */
void record(struct buf *out, unsigned type, const struct buf *body);

/* Wraps a handshake body in its 4-byte header. */
void hs(struct buf *out, unsigned type, const struct buf *body);

struct hello_opts {
    const char *sni;
    bool tls13;
    bool grease;
    /* variations for the JA3 memo test */
    bool swap_ciphers, extra_group, extra_format, alpn_first;
    uint8_t sid_len, random; /* random: ClientHello.random is random + 0, 1 .. 31 */
    /* variations JA4 sees and JA3 does not: the ALPN value (NULL: "smtp"),
     * signature_algorithms (0 none, 1 or 2: two orders of the same list),
     * supported_versions (when tls13) without 1.3 */
    const char *alpn;
    uint8_t sigalgs;
    bool versions_12;
    /* a server_name extension whose host name overruns its list (instead of sni) */
    bool sni_bad;
};

/* A ClientHello record: SNI, status_request, groups, point formats, ALPN
 * "smtp", supported_versions when tls13. */
void client_hello(struct buf *rec, const struct hello_opts *o);

/* A ServerHello record: TLS 1.3 (TLS_AES_128_GCM_SHA256, supported_versions)
 * or 1.2 (ECDHE-RSA-AES256-GCM-SHA384). */
void server_hello(struct buf *rec, bool tls13);

/* Certificate (RFC 5246 §7.4.2) with the named fixtures; ServerHelloDone
 * in the same record when `done`. */
void certificate(struct buf *rec, const char *const *names, unsigned n, bool done);
/* The certificate_list of a Certificate message (RFC 5246 §7.4.2; with
 * `tls13` each entry followed by its empty extensions, RFC 8446 §4.4.2). */
void certificate_list(struct buf *b, const char *const *names, unsigned n, bool tls13);

void alert(struct buf *rec, unsigned level, unsigned code);

/* An opaque record of n bytes (encrypted Finished, application data). */
void opaque(struct buf *rec, unsigned type, size_t n);

void ccs(struct buf *rec);

/* A transcript: alternating deliveries. */
struct seg {
    enum dir d;
    struct buf data;
    int64_t pause_us; /* time passed before it is delivered (0: 1 µs per delivery) */
};

struct script {
    struct seg seg[12];
    unsigned n;
};

/* Appends an empty delivery in direction d; returns its buffer. */
struct buf *next(struct script *s, enum dir d);

/* The end of a TLS 1.2 handshake after the server's flight: the client's
 * ClientKeyExchange (66 opaque bytes), CCS and encrypted Finished, then the
 * server's CCS and encrypted Finished, as two deliveries of s. */
void tls12_finish(struct script *s);
/* The client's part of it alone (ClientKeyExchange, ChangeCipherSpec, an
 * encrypted Finished), in the buffer returned. */
struct buf *tls12_client_finish(struct script *s);

/* A TLS 1.2 exchange up to the server's first flight, s emptied first:
 * ClientHello with SNI sni, then ServerHello + Certificate (leaf,
 * intermediate) + ServerHelloDone. Returns the server's buffer; *cert_at
 * (when given) is where its Certificate record starts. */
struct buf *tls12_server_flight(struct script *s, const char *sni, size_t *cert_at);

/* Replays the transcript into a new flow on port tu_tls_port with the TLS dissector
 * attached; eof of both directions when `eof`. */
struct flow_ctx *run(const struct script *s, enum split_mode mode, uint32_t seed, bool eof);

const struct tls_facts *tf(const struct flow_ctx *ctx);

/* The facts the splits must not change, equal in both. */
void facts_equal(const struct tls_facts *a, const struct tls_facts *b);

/* Whole, byte by byte and 8 random splits give the same facts. */
void check_splits(const struct script *s);

#endif
