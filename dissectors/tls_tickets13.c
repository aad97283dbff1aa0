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
 * keys; a post-handshake CertificateRequest), a record that does not
 * decrypt, a gap, or more than TLS13_TICKET_CLIENT bytes from the client
 * after the handshake end the reading, and the flow goes to bypass. A
 * ticket split across records (§5.1: handshake messages may span records;
 * a server fragments them under a small record_size_limit, RFC 8449) is
 * reassembled, one message at most, of at most tls.hs_msg_max bytes (over
 * it: tls.hs_msg_cap); a record of another type inside it ends the reading
 * (tls.malformed_message). A decrypted record's bytes are wiped before
 * returning, and a reassembled ticket's once read; application data is
 * never kept, logged or written, and the client's
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

#include "config.h"
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
    /* the server's reassembly buffer is empty: no message spans a key
     * change (RFC 8446 §5.1); tls13_tickets_in keeps a split ticket there */
    if (st->dir[DIR_TO_CLIENT].hs_len > 0)
        return;
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

/* The reading ends: a kept part of a ticket is wiped and let go. */
static void
tls13_tickets_end(struct tls_state *st)
{
    struct tls_dir *td = &st->dir[DIR_TO_CLIENT];
    if (td->hs_len > 0)
        OPENSSL_cleanse(td->hs, td->hs_len);
    td->hs_len = 0;
    st->tk = TLS_TK_OVER;
}

/* One whole handshake message m[0..4 + body length): a NewSessionTicket is
 * read, anything else ends the reading. */
static void
tls13_tickets_msg(struct flow_ctx *ctx, struct tls_state *st, const uint8_t *m, uint32_t mn)
{
    struct rd r = rd_init(m, mn);
    uint8_t type = rd_u8(&r, "hs.type");
    struct rd body = rd_sub(&r, rd_be24(&r, "hs.length"), "hs.body");
    if (!rd_ok(&r) || type != TLS_HS_NEW_SESSION_TICKET) {
        tls13_tickets_end(st);
        return;
    }
    tls13_new_session_ticket(ctx, &body);
}

/* The handshake bytes of one decrypted record (RFC 8446 §4: type, uint24
 * length, body): whole messages are read where they lie; a message cut by
 * the record's end is kept until the records after it complete it, its
 * header first, so that its type and length are checked before its body
 * is kept (a message that is not a ticket, or over tls.hs_msg_max, ends
 * the reading). */
static void
tls13_tickets_in(struct flow_ctx *ctx, struct tls_state *st, const uint8_t *p, uint32_t n,
                 bool cont)
{
    struct tls_dir *td = &st->dir[DIR_TO_CLIENT];
    uint32_t cap = fctx_config(ctx)->tls_hs_msg_max;
    /* each turn consumes bytes or ends the reading */
    while (n > 0 && st->tk == TLS_TK_READ) {
        /* a record that went on with a split ticket and begins another
         * counts as one that begins a message: else a server ending one
         * ticket and starting the next in every record is read forever */
        if (cont && td->hs_len == 0) {
            cont = false;
            if (++st->tk_records > TLS13_TICKET_RECORDS) {
                tls13_tickets_end(st);
                break;
            }
        }
        const uint8_t *h = td->hs_len > 0 ? td->hs : p; /* the message's first bytes */
        uint32_t have = td->hs_len > 0 ? td->hs_len : n;
        if (h[0] != TLS_HS_NEW_SESSION_TICKET) {
            tls13_tickets_end(st);
            break;
        }
        uint32_t mlen = have >= 4 ? (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3] : 0;
        if (mlen > cap) {
            fctx_event(ctx, "tls.hs_msg_cap", "NewSessionTicket (TLS 1.3, decrypted)");
            tls13_tickets_end(st);
            break;
        }
        if (td->hs_len == 0 && have >= 4 && have - 4 >= mlen) {
            tls13_tickets_msg(ctx, st, p, 4 + mlen); /* whole in this record */
            p += 4 + mlen;
            n -= 4 + mlen;
            continue;
        }
        /* the rest of its header, or of its body once the header is kept */
        uint32_t want = td->hs_len < 4 ? 4 - td->hs_len : 4 + mlen - td->hs_len;
        uint32_t k = n < want ? n : want;
        if (!tls_hs_keep(ctx, td, p, k)) { /* tls.c: at most tls.hs_msg_max + 4 */
            tls13_tickets_end(st);
            break;
        }
        p += k;
        n -= k;
        /* whole now (its length read again: the header may have just
         * been completed, and the next turn checks it against the cap) */
        if (td->hs_len >= 4 &&
            td->hs_len - 4 == ((uint32_t)td->hs[1] << 16 | (uint32_t)td->hs[2] << 8 | td->hs[3])) {
            tls13_tickets_msg(ctx, st, td->hs, td->hs_len);
            OPENSSL_cleanse(td->hs, td->hs_len);
            td->hs_len = 0;
        }
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
    /* the records that go on with a split ticket are not counted: its
     * bytes are bounded by tls.hs_msg_max, and each record brings some
     * (one that begins another ticket is: tls13_tickets_in) */
    bool cont = st->dir[DIR_TO_CLIENT].hs_len > 0;
    if (hdr[0] != TLS_CT_APPDATA || (!cont && ++st->tk_records > TLS13_TICKET_RECORDS) ||
        len > TLS_DEC_RECORD_MAX) {
        tls13_tickets_end(st);
        return;
    }
    if (tls_dec_record(&st->dir[DIR_TO_CLIENT].dec, hdr, p, len, out, &n, &inner) != 0) {
        fctx_event(ctx, "tls.keylog_mismatch",
                   "server application record did not decrypt (SERVER_TRAFFIC_SECRET_0)");
        tls13_tickets_end(st);
    } else if (inner == TLS_CT_HANDSHAKE && n > 0) {
        tls13_tickets_in(ctx, st, out, n, cont);
    } else {
        /* application data or an alert: the end; inside a split ticket, or
         * an empty handshake record, against RFC 8446 §5.1 */
        if (cont || inner == TLS_CT_HANDSHAKE)
            fctx_event(ctx, "tls.malformed_message",
                       cont ? "NewSessionTicket (TLS 1.3, decrypted) cut by another record type"
                            : "empty handshake record (TLS 1.3, decrypted)");
        tls13_tickets_end(st);
    }
    OPENSSL_cleanse(out, len);
}

/* RFC 8446 §4.6.1 tickets are the server's last handshake messages: one
 * cut by the capture is lost with the link of every session resuming it.
 * What was cut is said, by what cut it: a ticket begun (its type read,
 * tls13_tickets_in), else a record begun or bytes lost, undecrypted, that
 * may have held one. */
void
tls13_tickets_cut(struct flow_ctx *ctx, struct tls_state *st, enum dir d, bool at_gap,
                  uint32_t unconsumed)
{
    if (st->tk != TLS_TK_READ)
        return;
    if (d == DIR_TO_SERVER) { /* the client's bytes are never read */
        if (at_gap)
            tls13_tickets_end(st);
        return;
    }
    const char *name = at_gap ? "tls.ticket_gap" : "tls.ticket_truncated";
    if (st->dir[DIR_TO_CLIENT].hs_len > 0)
        fctx_event(ctx, name,
                   at_gap ? "NewSessionTicket (TLS 1.3, decrypted) cut by a gap: not taken"
                          : "NewSessionTicket (TLS 1.3, decrypted) cut by the end of the "
                            "capture: not taken");
    else if (at_gap)
        fctx_event(ctx, name,
                   "server bytes lost while its NewSessionTickets were read (TLS 1.3): a "
                   "ticket among them or not");
    else if (unconsumed > 0)
        fctx_event(ctx, name,
                   "server record cut by the end of the capture while its NewSessionTickets "
                   "were read (TLS 1.3): a ticket or not, undecrypted");
    tls13_tickets_end(st);
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
            tls13_tickets_end(st);
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
            tls_after_note(ctx, st, d, hdr[0], rlen); /* tls_after.c: its header counted */
            tls13_tickets_end(st);
            st->dir[d].after_skip = rlen; /* its body let go there */
            break;
        }
        if (rd_left(&r) < rlen)
            return dres_make(D_NEED, at, 5u + rlen);
        tls_after_note(ctx, st, d, hdr[0], rlen); /* whole: counted once */
        const uint8_t *body = rd_bytes(&r, rlen, "tls.fragment");
        tls13_ticket_record(ctx, st, hdr, body, rlen);
    }
    return dres_make(st->tk == TLS_TK_READ ? D_OK : D_DONE, len - (uint32_t)rd_left(&r), 0);
}
