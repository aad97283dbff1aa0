/* \summary: TLS 1.3 session tickets read with a key log, and the PSK
 * identities that present them again, so that a TLS 1.3 resumption is
 * linked to the chain of its full handshake as TLS 1.2's are (src/resume.c).
 *
 * RFC 8446 §4.6.1: the server sends NewSessionTicket after its Finished,
 * under its application traffic keys, which come from the key log's
 * SERVER_TRAFFIC_SECRET_0 (§7.1) as the handshake keys come from the
 * handshake secret (§7.3, tls_dec.c). From the server's Finished on, its
 * records are decrypted one by one, at most TLS13_TICKET_RECORDS of them,
 * and only as far as their handshake messages go: the first record whose
 * inner content type (TLSInnerPlaintext, §5.2) is not handshake
 * (application data: the SMTP reply after the handshake; an alert), a
 * message that is not a NewSessionTicket (a KeyUpdate, §4.6.3, changes the
 * keys; a post-handshake CertificateRequest) or one split across records,
 * a record that does not decrypt, a gap, or more than TLS13_TICKET_CLIENT
 * bytes from the client after the handshake end the reading, and the flow
 * goes to bypass. A decrypted record's bytes are wiped before returning;
 * application data is never kept, logged or written, and the client's
 * records after the handshake are never decrypted (the key log's
 * CLIENT_TRAFFIC_SECRET_0 is not even kept, src/keylog.c).
 *
 * Each ticket is offered to the resumption table with the session's chain
 * (fctx_resume_offer, kind 2, as tls_ticket_key has it); a later
 * ClientHello's pre_shared_key identities (§4.2.11) are kept the same way,
 * and the one the server selected in its ServerHello is looked up
 * (tls_hs.c). */
#include <openssl/crypto.h>
#include <string.h>

#include "keylog.h"
#include "tls_int.h"

/* A ticket arrives in the server's first records after its Finished (one
 * record each, two by default from OpenSSL, so from Postfix); after these
 * many, or that many client bytes (its first command and more), no more
 * are looked for. */
#define TLS13_TICKET_RECORDS 8
#define TLS13_TICKET_CLIENT  (64u * 1024)

void
tls13_psk_offered(struct tls_state *st, struct rd *e)
{
    /* OfferedPsks: PskIdentity identities<7..2^16-1> (opaque
     * identity<1..2^16-1>, uint32 obfuscated_ticket_age), then the binders */
    struct rd ids = rd_sub(e, rd_be16(e, "ch.psk_identities_len"), "ch.psk_identities");
    st->n_psk = 0;
    while (rd_left(&ids) > 0 && st->n_psk < UINT8_MAX) {
        uint16_t n = rd_be16(&ids, "psk.identity_len");
        const uint8_t *p = rd_bytes(&ids, n, "psk.identity");
        rd_skip(&ids, 4, "psk.obfuscated_ticket_age");
        if (!rd_ok(&ids) || n == 0)
            break;
        if (st->n_psk < TLS_PSK_MAX)
            tls_ticket_key(p, n, st->psk_key[st->n_psk]);
        st->n_psk++;
    }
    if (!rd_ok(&ids) || rd_left(&ids) > 0) {
        st->n_psk = 0;
        rd_invalid(e, "ch.psk_identities");
    }
    rd_skip(e, rd_left(e), "ch.psk_binders");
}

void
tls13_tickets_begin(struct flow_ctx *ctx, struct tls_state *st)
{
    const struct tls_facts *t = &fctx_facts(ctx)->tls;
    const uint8_t *secret;
    size_t slen;
    st->tk = TLS_TK_OVER;
    /* a ticket links only to a chain: the one this session was given, or
     * the one its own resumption was linked to (a renewed ticket) */
    bool chain =
        (t->certificates == TLS_CERTS_VISIBLE && t->n_server_chain > 0) || t->n_resumed_chain > 0;
    if (chain && st->have_random &&
        keylog_find(st->client_random, KEYLOG_SERVER_APP, &secret, &slen) &&
        tls_dec_init(&st->dir[DIR_TO_CLIENT].dec, t->cipher, secret, slen) == 0)
        st->tk = TLS_TK_READ;
}

/* RFC 8446 §4.6.1: NewSessionTicket {uint32 ticket_lifetime; uint32
 * ticket_age_add; opaque ticket_nonce<0..255>; opaque
 * ticket<1..2^16-1>; Extension extensions<0..2^16-2>}. A lifetime of 0
 * says to discard the ticket at once: not offered. */
static void
tls13_new_session_ticket(struct flow_ctx *ctx, struct rd *r)
{
    uint32_t lifetime = rd_be32(r, "nst13.lifetime");
    rd_skip(r, 4, "nst13.age_add");
    rd_skip(r, rd_u8(r, "nst13.nonce_len"), "nst13.nonce");
    uint16_t n = rd_be16(r, "nst13.ticket_len");
    const uint8_t *p = rd_bytes(r, n, "nst13.ticket");
    rd_skip(r, rd_be16(r, "nst13.extensions_len"), "nst13.extensions");
    if (!rd_ok(r) || n == 0 || rd_left(r) > 0) {
        fctx_event(ctx, "tls.malformed_message", "NewSessionTicket (TLS 1.3, decrypted)");
        return;
    }
    uint8_t key[TLS_TICKET_KEY_LEN];
    if (lifetime > 0) {
        tls_ticket_key(p, n, key);
        fctx_resume_offer(ctx, 2, key, sizeof(key));
    }
}

/* The handshake messages of one decrypted record: NewSessionTickets, each
 * whole in it; anything else ends the reading. */
static void
tls13_tickets_in(struct flow_ctx *ctx, struct tls_state *st, const uint8_t *p, uint32_t n)
{
    struct rd r = rd_init(p, n);
    while (rd_left(&r) > 0 && st->tk == TLS_TK_READ) {
        uint8_t type = rd_u8(&r, "hs.type");
        struct rd m = rd_sub(&r, rd_be24(&r, "hs.length"), "hs.body");
        if (!rd_ok(&r) || type != TLS_HS_NEW_SESSION_TICKET) {
            st->tk = TLS_TK_OVER;
            break;
        }
        tls13_new_session_ticket(ctx, &m);
    }
}

void
tls13_ticket_record(struct flow_ctx *ctx, struct tls_state *st, const uint8_t *hdr,
                    const uint8_t *p, uint32_t len)
{
    uint8_t out[TLS_DEC_RECORD_MAX]; /* wiped before returning */
    uint32_t n = 0;
    uint8_t inner = 0;
    if (st->tk != TLS_TK_READ)
        return;
    if (hdr[0] != TLS_CT_APPDATA || ++st->tk_records > TLS13_TICKET_RECORDS ||
        len > TLS_DEC_RECORD_MAX) {
        st->tk = TLS_TK_OVER;
        return;
    }
    if (tls_dec_record(&st->dir[DIR_TO_CLIENT].dec, hdr, p, len, out, &n, &inner) != 0) {
        fctx_event(ctx, "tls.keylog_mismatch",
                   "server application record did not decrypt (SERVER_TRAFFIC_SECRET_0)");
        st->tk = TLS_TK_OVER;
    } else if (inner == TLS_CT_HANDSHAKE) {
        tls13_tickets_in(ctx, st, out, n);
    } else {
        st->tk = TLS_TK_OVER; /* application data or an alert: the end */
    }
    OPENSSL_cleanse(out, len);
}

struct dres
tls13_tickets_data(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *buf,
                   uint32_t len)
{
    if (st->tk != TLS_TK_READ || fctx_facts(ctx)->tls.handshake != TLS_HS_COMPLETE)
        return dres_make(D_DONE, 0, 0);
    if (d == DIR_TO_SERVER) { /* never read: counted, let go */
        st->tk_client += len < TLS13_TICKET_CLIENT ? len : TLS13_TICKET_CLIENT;
        if (st->tk_client >= TLS13_TICKET_CLIENT)
            st->tk = TLS_TK_OVER;
        return dres_make(st->tk == TLS_TK_READ ? D_OK : D_DONE, len, 0);
    }
    struct rd r = rd_init(buf, len);
    while (rd_left(&r) > 0 && st->tk == TLS_TK_READ) {
        uint32_t at = len - (uint32_t)rd_left(&r);
        if (rd_left(&r) < 5)
            return dres_make(D_NEED, at, 5);
        /* RFC 8446 §5.1 header: type, legacy version, length */
        const uint8_t *hdr = rd_bytes(&r, 5, "tls.header");
        struct rd h = rd_init(hdr, 5);
        rd_skip(&h, 3, "tls.type_version");
        uint16_t rlen = rd_be16(&h, "tls.length");
        if (rlen > TLS_DEC_RECORD_MAX) {
            st->tk = TLS_TK_OVER;
            break;
        }
        if (rd_left(&r) < rlen)
            return dres_make(D_NEED, at, 5u + rlen);
        const uint8_t *body = rd_bytes(&r, rlen, "tls.fragment");
        tls13_ticket_record(ctx, st, hdr, body, rlen);
    }
    return dres_make(st->tk == TLS_TK_READ ? D_OK : D_DONE, len - (uint32_t)rd_left(&r), 0);
}
