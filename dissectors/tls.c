/* \summary: the TLS dissector's record layer (RFC 5246 §6.2, RFC 8446 §5):
 * records from SSLv3 to TLS 1.3 in both directions, handshake messages
 * reassembled across records and TCP segments (tls.hs_msg_max), alerts
 * (RFC 8446 §6) with their sender, level, code and the handshake message
 * before them, ChangeCipherSpec, and the outcome of the handshake. Once the
 * handshake is over the flow goes to bypass (D_DONE).
 *
 * Encrypted alerts. In TLS 1.2 an alert after ChangeCipherSpec keeps its
 * record type but its body is encrypted: it is reported with level and code
 * null. In TLS 1.3 (RFC 8446 §5.2) every record after the ServerHello looks
 * like application data; the client's first such record must be its Finished
 * (at least 32 bytes of verify data plus the 16-byte AEAD tag), so a first
 * client record of exactly 19 bytes (2-byte alert + content type + 16-byte
 * tag; 11 with the 8-byte CCM_8 tag) can only be an alert: it is reported as
 * an encrypted alert from the client, and the handshake as failed. A
 * connection picked up after its handshake (application data, or an alert
 * record longer than 2 bytes, before any handshake message) has its
 * handshake "unseen": nothing of it is read as an alert (tls_unseen).
 *
 * With --keylog (SSLKEYLOGFILE lines for this ClientHello.random), TLS 1.3
 * handshake records are decrypted (tls_dec.c) and parsed like clear ones:
 * certificates, CertificateRequest, Finished and the alerts' real codes;
 * then the server's NewSessionTickets, before the flow goes to bypass
 * (tls_tickets13.c). */
#include <string.h>
#include <openssl/crypto.h>

#include "config.h"
#include "keylog.h"
#include "smtp_words.h"
#include "tls_int.h"
#include "tls_names.h"

void
tls_history(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const char *what)
{
    size_t n = strlen(what);
    if (st->hist_full)
        return;
    /* a handshake picked up after its start: the history is its tail */
    if (st->hist_len == 0 && tls_pickup(ctx, st) &&
        !(d == DIR_TO_SERVER && strncmp(what, "CH", 2) == 0)) {
        memcpy(st->hist, "...", 3);
        st->hist_len = 3;
    }
    if (st->hist_len + n + 4 > sizeof(st->hist) - 4) {
        memcpy(st->hist + st->hist_len, " ...", 4);
        st->hist_len += 4;
        st->hist_full = true;
    } else {
        if (st->hist_len)
            st->hist[st->hist_len++] = ' ';
        st->hist[st->hist_len++] = d == DIR_TO_SERVER ? 'C' : 'S';
        st->hist[st->hist_len++] = ':';
        memcpy(st->hist + st->hist_len, what, n);
        st->hist_len += (uint16_t)n;
    }
    fctx_setstr(ctx, &fctx_facts(ctx)->tls.hs_history, (const uint8_t *)st->hist, st->hist_len,
                sizeof(st->hist));
}

static void *
tls_state_new(struct flow_ctx *ctx)
{
    struct tls_state *st = fctx_alloc(ctx, sizeof(*st));
    if (st)
        st->last_hs = -1;
    return st;
}

static void
tls_state_free(struct flow_ctx *ctx, void *vst)
{
    struct tls_state *st = vst;
    if (!st)
        return;
    /* a part of a decrypted NewSessionTicket may be kept (a flow let go
     * while its tickets were read): wiped, as tls13_tickets_end does */
    if (st->tk == TLS_TK_READ && st->dir[DIR_TO_CLIENT].hs_len > 0)
        OPENSSL_cleanse(st->dir[DIR_TO_CLIENT].hs, st->dir[DIR_TO_CLIENT].hs_len);
    for (int d = 0; d < 2; d++)
        fctx_free(ctx, st->dir[d].hs, st->dir[d].hs_cap);
    fctx_free(ctx, st, sizeof(*st));
}

/* TLS 1.3: the server's encrypted flight (EncryptedExtensions .. Finished,
 * RFC 8446 §4.4, where its certificates are) not known to be over: neither
 * its Finished decrypted nor any byte of the client's (its Finished or
 * alert, which answer it) seen or lost since its first encrypted record.
 * Bytes of the server's lost or cut now were the flight's. */
static bool
tls13_flight_open(const struct tls_state *st, const struct tls_facts *t)
{
    return st->tls13 && st->sh_seen && t->last_hs[DIR_TO_CLIENT] != TLS_HS_FINISHED &&
           t->handshake != TLS_HS_COMPLETE && t->handshake != TLS_HS_FAILED &&
           t->handshake != TLS_HS_UNSEEN && st->tk == TLS_TK_OFF && !st->client_after13 &&
           st->dir[DIR_TO_SERVER].enc_records == 0;
}

static void
tls_complete(struct flow_ctx *ctx, struct tls_state *st)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (t->handshake != TLS_HS_FAILED) {
        t->handshake = TLS_HS_COMPLETE;
        t->after_read = true; /* the records after it: tls_after.c */
    }
    /* none sent, when the ServerHello was seen (a capture that began
     * after it may have missed them) */
    if (!st->tls13 && st->sh_seen && t->certificates == TLS_CERTS_UNKNOWN)
        t->certificates = t->resumed ? TLS_CERTS_RESUMED : TLS_CERTS_NONE;
    st->done = true;
}

static void
tls_alert(struct flow_ctx *ctx, struct tls_state *st, enum dir d, int level, int code,
          bool encrypted)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (t->n_alerts >= FACTS_ALERTS_MAX) {
        t->alerts_truncated = true;
    } else {
        struct tls_alert *a = &t->alerts[t->n_alerts++];
        a->from = (uint8_t)d;
        a->level = (int16_t)level;
        a->code = (int16_t)code;
        a->encrypted = encrypted;
        a->after = st->last_hs;
        a->after_from = st->last_hs_from;
        a->ts_us = fctx_now_us(ctx);
    }
    const char *nm = code >= 0 ? tls_alert_str(code) : NULL;
    tls_history(ctx, st, d, code < 0 ? "ALERT(encrypted)" : nm ? nm : "ALERT");
    /* A fatal alert, or an unreadable one before the handshake finished,
     * ends the handshake (RFC 8446 §6.2). close_notify is not a failure.
     * After TLS bytes were lost, or in a handshake picked up after its
     * start, an unreadable one may be the close_notify of a handshake that
     * finished unseen: not a failure either. */
    if (!st->done && (level == 2 || (code < 0 && level < 0 && !t->gap && !tls_pickup(ctx, st)))) {
        t->handshake = TLS_HS_FAILED;
        st->done = true;
    }
}

/* tls.hs_msg_max, at most what a 24-bit length can say (RFC 8446 §4), so
 * that the kept bytes (cap + 4) cannot overflow. */
static uint32_t
tls_hs_cap(const struct flow_ctx *ctx)
{
    uint32_t cap = fctx_config(ctx)->tls_hs_msg_max;
    return cap < 0xffffffu ? cap : 0xffffffu;
}

/* The body length of the handshake message whose 4-byte header is at h
 * (RFC 8446 §4: msg_type, then uint24 length). */
static uint32_t
tls_hs_len(const uint8_t *h)
{
    return (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* Parses the complete handshake messages at the start of buf[0..len)
 * (RFC 5246 §7.4, RFC 8446 §4: type, 24-bit length, body); returns the bytes
 * used: complete messages, and an over-cap message's bytes (the rest of it,
 * not yet here, is skipped later through td->skip). */
static uint32_t
tls_hs_parse(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *buf,
             uint32_t len)
{
    struct tls_dir *td = &st->dir[d];
    uint32_t cap = tls_hs_cap(ctx);
    uint32_t off = 0;
    while (len - off >= 4) {
        uint8_t type = buf[off];
        uint32_t mlen = tls_hs_len(buf + off);
        if (mlen > cap) {
            fctx_event(ctx, "tls.hs_msg_cap", tls_hs_type_str(type));
            if (type == TLS_HS_CERTIFICATE && d == DIR_TO_CLIENT)
                fctx_facts(ctx)->tls.certificates = TLS_CERTS_TRUNCATED;
            uint32_t have = len - off - 4;
            td->skip = mlen > have ? mlen - have : 0;
            off = len - (have > mlen ? have - mlen : 0);
            continue;
        }
        if (len - off - 4 < mlen) {
            td->partial = true;
            td->partial_type = type;
            break;
        }
        td->partial = false;
        tls_hs_message(ctx, st, d, type, buf + off + 4, mlen);
        off += 4 + mlen;
    }
    if (len - off > 0 && len - off < 4) { /* a message cut inside its header */
        td->partial = true;
        td->partial_type = buf[off];
    }
    return off;
}

/* Appends n bytes to the direction's buffer of handshake bytes awaiting the
 * rest of their message (also a TLS 1.3 NewSessionTicket split across
 * records: tls_tickets13.c); false when they cannot be kept. Bytes moved
 * to a larger buffer are wiped from the old one (a decrypted ticket's). */
bool
tls_hs_keep(struct flow_ctx *ctx, struct tls_dir *td, const uint8_t *p, uint32_t n)
{
    uint32_t cap = tls_hs_cap(ctx);
    if (td->hs_len + n > td->hs_cap) {
        uint32_t want = td->hs_cap ? td->hs_cap : 4096;
        while (want < td->hs_len + n && want < cap + 4)
            want *= 2;
        if (want > cap + 4)
            want = cap + 4;
        if (td->hs_len + n > want) {
            /* Not reached: only one message's bytes are kept, and a message
             * over the cap is skipped, not kept (tls_handshake_bytes). */
            fctx_event(ctx, "tls.hs_msg_cap", "handshake bytes beyond tls.hs_msg_max");
            td->lost = true;
            return false;
        }
        uint8_t *nb = fctx_alloc_raw(ctx, want);
        if (!nb) {
            td->lost = true;
            return false;
        }
        if (td->hs_len) {
            memcpy(nb, td->hs, td->hs_len);
            OPENSSL_cleanse(td->hs, td->hs_len);
        }
        fctx_free(ctx, td->hs, td->hs_cap);
        td->hs = nb;
        td->hs_cap = want;
    }
    memcpy(td->hs + td->hs_len, p, n);
    td->hs_len += n;
    return true;
}

/* Bytes still missing from the kept message: the rest of its header, or
 * of its body once the header is there. */
static uint32_t
tls_hs_missing(const struct tls_dir *td)
{
    if (td->hs_len < 4)
        return 4 - td->hs_len;
    uint32_t mlen = tls_hs_len(td->hs);
    return 4 + mlen > td->hs_len ? 4 + mlen - td->hs_len : 0;
}

/* Handshake record bytes: every complete message is parsed. With nothing
 * kept from earlier records (the common case: a flight's messages end
 * where its records do), they are parsed where they lie and only an
 * incomplete last message is copied aside. Otherwise only the bytes that
 * complete the kept message join it (its header first: a message over the
 * cap is skipped, never kept), so a message within tls.hs_msg_max always
 * fits, whatever follows it in its last record (RFC 5246 §6.2.1: messages
 * may span records and share them); the rest is parsed where it lies. */
static void
tls_handshake_bytes(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *p,
                    uint32_t n)
{
    struct tls_dir *td = &st->dir[d];
    /* each turn consumes bytes or returns: a skip, the kept header, the
     * kept body, then the rest in place */
    for (unsigned turn = 0; turn < 8 && n > 0; turn++) {
        if (td->skip) {
            uint32_t k = n < td->skip ? n : td->skip;
            td->skip -= k;
            p += k;
            n -= k;
            continue;
        }
        if (td->hs_len == 0) {
            uint32_t used = tls_hs_parse(ctx, st, d, p, n);
            if (used < n)
                (void)tls_hs_keep(ctx, td, p + used, n - used);
            return;
        }
        uint32_t k = tls_hs_missing(td);
        if (k > n)
            k = n;
        if (!tls_hs_keep(ctx, td, p, k))
            return;
        p += k;
        n -= k;
        if (td->hs_len >= 4) {
            uint32_t off = tls_hs_parse(ctx, st, d, td->hs, td->hs_len);
            if (off) {
                memmove(td->hs, td->hs + off, td->hs_len - off);
                td->hs_len -= off;
            }
        }
    }
}

/* RFC 8446 §5.2: a record sent under keys. */
static void tls_handshake_bytes(struct flow_ctx *ctx, struct tls_state *st, enum dir d,
                                const uint8_t *p, uint32_t n);

static bool tls_decrypted13(struct flow_ctx *ctx, struct tls_state *st, enum dir d,
                            const uint8_t *out, uint32_t n, uint8_t inner);

/* The key log gave no key for the server's handshake records (found: its
 * secret is unusable with the suite: a length of another hash's, AES-CCM,
 * which is not decrypted); else the connection is in it without
 * SERVER_HANDSHAKE_TRAFFIC_SECRET (a key log written in part: the server's
 * Certificate cannot be read), or in no key log. */
static void
tls_keylog_failed(struct flow_ctx *ctx, const struct tls_state *st, bool found)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (found) {
        fctx_event(ctx, "tls.keylog_mismatch",
                   t->cipher == 0x1304 || t->cipher == 0x1305
                       ? "server handshake secret unused: AES-CCM is not decrypted"
                       : "server handshake secret of another length than the suite's hash");
        t->keylog = TLS_KL_MISMATCH;
    } else if (keylog_has(st->client_random)) {
        fctx_event(ctx, "tls.keylog_no_server_secret",
                   "no SERVER_HANDSHAKE_TRAFFIC_SECRET: the server's Certificate not read");
        t->keylog = TLS_KL_NO_SERVER_SECRET;
    } else if (keylog_count() > 0) { /* none given (or TLS 1.2 lines alone): none tried */
        t->keylog = TLS_KL_NOT_FOUND;
    }
}

/* TLS 1.3 handshake epoch with the key log: true when the record was
 * decrypted and handled. */
static bool
tls_decrypt13(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *hdr,
              const uint8_t *p, uint32_t len)
{
    struct tls_dir *td = &st->dir[d];
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    uint8_t out[TLS_DEC_RECORD_MAX];
    uint32_t n = 0;
    uint8_t inner = 0;
    if (td->dec_done || td->dec_failed)
        return false;
    if (!st->have_random) {
        /* picked up after the ClientHello: the server's first record
         * finds its connection in the key log (tls_dec_search) */
        int rc = d == DIR_TO_CLIENT && td->dec.seq == 0 && keylog_count() > 0
                     ? tls_dec_search(&td->dec, t->cipher, hdr, p, len, out, &n, &inner,
                                      st->client_random)
                     : 1;
        if (rc == 2)
            fctx_event(ctx, "tls.keylog_not_searched",
                       "picked up after the ClientHello: the key log holds more connections than "
                       "are tried to find this one's");
        td->dec_failed = rc != 0;
        if (rc != 0) {
            if (d == DIR_TO_CLIENT && keylog_count() > 0 && t->keylog == TLS_KL_NONE)
                t->keylog = TLS_KL_NOT_FOUND;
            return false;
        }
        st->have_random = true;
        return tls_decrypted13(ctx, st, d, out, n, inner);
    }
    if (!td->dec.ready) {
        const uint8_t *secret;
        size_t slen;
        bool found = keylog_find(st->client_random, d == DIR_TO_CLIENT, &secret, &slen);
        if (!found || tls_dec_init(&td->dec, t->cipher, secret, slen) != 0) {
            td->dec_failed = true;
            if (d == DIR_TO_CLIENT)
                tls_keylog_failed(ctx, st, found);
            return false;
        }
    }
    if (tls_dec_record(&td->dec, hdr, p, len, out, &n, &inner) != 0) {
        /* Past this direction's handshake epoch, or a wrong key. */
        if (td->dec.seq == 1) {
            fctx_event(ctx, "tls.keylog_mismatch",
                       d == DIR_TO_SERVER ? "client handshake record did not decrypt"
                                          : "server handshake record did not decrypt");
            if (d == DIR_TO_CLIENT)
                t->keylog = TLS_KL_MISMATCH;
        }
        td->dec_done = true;
        return false;
    }
    return tls_decrypted13(ctx, st, d, out, n, inner);
}

/* A record of direction d decrypted: its content out[0..n) of type inner. */
static bool
tls_decrypted13(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *out,
                uint32_t n, uint8_t inner)
{
    struct tls_dir *td = &st->dir[d];
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (d == DIR_TO_CLIENT && t->keylog != TLS_KL_DECRYPTED)
        t->keylog = TLS_KL_PARTIAL;
    if (inner == TLS_CT_HANDSHAKE) {
        tls_handshake_bytes(ctx, st, d, out, n);
        /* decrypted as far as the server's certificates: its Certificate
         * read (whatever it held), or, resumed, its Finished */
        if (d == DIR_TO_CLIENT && t->keylog == TLS_KL_PARTIAL &&
            (t->last_hs[d] == TLS_HS_FINISHED ||
             (t->certificates != TLS_CERTS_ENCRYPTED && t->certificates != TLS_CERTS_RESUMED))) {
            t->keylog = TLS_KL_DECRYPTED;
            t->decrypted = true;
        }
        if (t->last_hs[d] == TLS_HS_FINISHED) {
            td->dec_done = true; /* application keys from here */
            if (d == DIR_TO_SERVER)
                tls_complete(ctx, st);
            else if (st->tk == TLS_TK_OFF)
                tls13_tickets_begin(ctx, st); /* its NewSessionTickets next */
        }
    } else if (inner == TLS_CT_ALERT) {
        struct rd r = rd_init(out, n);
        while (rd_left(&r) >= 2) {
            uint8_t level = rd_u8(&r, "alert.level");
            uint8_t code = rd_u8(&r, "alert.description");
            tls_alert(ctx, st, d, level, code, true);
        }
    }
    return true;
}

/* TLS 1.3, no key: whether the client's encrypted record of len bytes
 * before its Finished is one of the messages that answer a
 * CertificateRequest (RFC 8446 §4.4.2-4.4.3), which the server's encrypted
 * flight hid: not a Finished by its length (4 + the suite's hash length,
 * §4.4.4, + the inner type and the tag, §5.2), and first a Certificate,
 * empty (8 bytes: no context, no entry) or holding a certificate (200
 * bytes or more), then, after a certificate, its CertificateVerify.
 * OpenSSL's and Postfix's clients send each message in a record of its
 * own; a client that joins them in one record has its Finished read one
 * or two records late. Counts them in st->dir[0].auth13; returns the
 * message's name for the handshake history, NULL for none of them. */
static const char *
tls13_client_auth(struct tls_state *st, uint16_t cipher, uint32_t len)
{
    struct tls_dir *td = &st->dir[DIR_TO_SERVER];
    uint32_t tag = cipher == 0x1305 ? 8u : 16u, hash = cipher == 0x1302 ? 48u : 32u;
    if (len == 4u + hash + 1u + tag || len <= 1u + tag || td->auth13 >= 2)
        return NULL;
    uint32_t plain = len - 1u - tag;
    if (td->auth13 == 1) {
        td->auth13 = 2;
        return "CV(encrypted)";
    }
    if (plain != 8u && plain < 200u)
        return NULL; /* no Certificate's size: a Finished padded (§5.4), or data */
    td->auth13 = plain == 8u ? 2u : 1u; /* empty: no CertificateVerify follows */
    return "CRT(encrypted)";
}

static void
tls_encrypted_record(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type,
                     const uint8_t *hdr, const uint8_t *p, uint32_t len)
{
    struct tls_dir *td = &st->dir[d];
    td->enc_records++;
    if (st->tls13 && d == DIR_TO_CLIENT && st->tk != TLS_TK_OFF) {
        tls13_ticket_record(ctx, st, hdr, p, len); /* after the server's Finished */
        return;
    }
    if (st->tls13 && tls_decrypt13(ctx, st, d, hdr, p, len))
        return;
    if (type == TLS_CT_ALERT) {
        tls_alert(ctx, st, d, -1, -1, true);
        return;
    }
    if (st->tls13) {
        if (d == DIR_TO_SERVER) { /* before its Finished: st->done after it */
            uint16_t cipher = fctx_facts(ctx)->tls.cipher;
            uint32_t alert_len = cipher == 0x1305 ? 11 : 19;
            if (td->enc_records == 1 && len == alert_len) {
                tls_alert(ctx, st, d, -1, -1, true);
                return;
            }
            const char *auth = tls13_client_auth(st, cipher, len);
            if (auth != NULL) {
                tls_history(ctx, st, d, auth);
                return;
            }
            tls_history(ctx, st, d, "FIN(encrypted)");
            tls_complete(ctx, st);
        } else if (d == DIR_TO_CLIENT && td->enc_records == 1) {
            /* an alert after it came after that flight, not after the
             * ServerHello (tls_alert.after) */
            tls_history(ctx, st, d, "EE..FIN(encrypted)");
            st->last_hs = TLS_AFTER_SERVER_FLIGHT;
            st->last_hs_from = (uint8_t)d;
        }
        return;
    }
    if (type == TLS_CT_HANDSHAKE) {
        /* RFC 5246 §7.4.9: the message right after ChangeCipherSpec */
        tls_history(ctx, st, d, "FIN(encrypted)");
        st->last_hs = TLS_HS_FINISHED;
        st->last_hs_from = (uint8_t)d;
        if (d == DIR_TO_SERVER)
            st->client_fin_enc = true;
        else
            st->server_fin_enc = true;
        if (st->client_fin_enc && st->server_fin_enc)
            tls_complete(ctx, st);
    } else if (type == TLS_CT_APPDATA) {
        /* application data comes only after both Finished (RFC 5246
         * §7.4.9): with TLS bytes lost, the one not seen was sent; picked
         * up after the start, the sender's was (tls_pickup.c) */
        if (tls_pickup(ctx, st))
            td->fin_implied = true;
        bool cfin = st->client_fin_enc || st->dir[DIR_TO_SERVER].fin_implied;
        bool sfin = st->server_fin_enc || st->dir[DIR_TO_CLIENT].fin_implied;
        if ((cfin && sfin) || (fctx_facts(ctx)->tls.gap && (cfin || sfin)))
            tls_complete(ctx, st);
    }
}

/* Alerts in clear (RFC 5246 §7.2: level, description; level 1 warning or 2
 * fatal, nothing else). Before TLS 1.3 a record may carry part of a message
 * (§6.2.1), so an alert may come in two records of one byte each: the level
 * byte waits for the next alert record. TLS 1.3 forbids it (RFC 8446 §5.1):
 * a record that splits one there is malformed, and so is an alert whose
 * second byte never comes. Malformed too (tls.malformed_alert), and no
 * alert: an empty record (RFC 5246 §6.2.1: never sent for alerts), a level
 * that is neither, a lone byte after a fatal alert (whose sender closes,
 * §7.2.2: its second byte never comes). */
static void
tls_alert_record(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *p,
                 uint32_t len)
{
    struct tls_dir *td = &st->dir[d];
    struct rd r = rd_init(p, len);
    bool fatal = false;
    if (len == 0) {
        fctx_event(ctx, "tls.malformed_alert", "empty alert record");
        return;
    }
    for (unsigned i = 0; rd_left(&r) >= 2 || (td->alert_half && rd_left(&r) >= 1); i++) {
        uint8_t level = td->alert_half ? td->alert_level : rd_u8(&r, "alert.level");
        uint8_t code = rd_u8(&r, "alert.description");
        td->alert_half = false;
        if (level != 1 && level != 2) {
            fctx_event(ctx, "tls.malformed_alert", "alert level neither warning (1) nor fatal (2)");
            return;
        }
        fatal |= level == 2;
        tls_alert(ctx, st, d, level, code, false);
    }
    if (rd_left(&r) == 0)
        return;
    if (st->tls13 || fatal) {
        fctx_event(ctx, "tls.malformed_alert",
                   st->tls13 ? "alert record with an odd length"
                             : "alert record with a lone byte after a fatal alert");
        return;
    }
    td->alert_half = true;
    td->alert_level = rd_u8(&r, "alert.level");
}

/* A record that only an established session sends, before any handshake
 * message of this connection: application data, or an alert longer than
 * the 2 bytes of one in clear (an encrypted alert carries a MAC or an AEAD
 * tag, RFC 5246 §6.2.3, RFC 8446 §5.2; Wireshark's "Encrypted Alert"). The
 * connection was picked up after its handshake (a capture started late):
 * its bytes are not read as alerts, and the handshake is "unseen", not
 * failed; nothing more is read (what follows is encrypted too). */
static bool
tls_unseen(struct flow_ctx *ctx, struct tls_state *st, uint8_t type, uint32_t len)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (t->last_hs[0] >= 0 || t->last_hs[1] >= 0 ||
        !(type == TLS_CT_APPDATA || (type == TLS_CT_ALERT && len > 2)))
        return false;
    t->handshake = TLS_HS_UNSEEN;
    /* read on while a TLS 1.3 handshake's shape may show (tls_pickup.c) */
    st->done = !tls_pickup_watching(st);
    return true;
}

static void
tls_record(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *hdr,
           const uint8_t *p, uint32_t len)
{
    uint8_t type = hdr[0];
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    struct tls_dir *td = &st->dir[d];
    t->seen = true;
    tls_pickup_order(ctx, st, d, type, len);
    if (type == TLS_CT_CCS) {
        /* RFC 5246 §7.1; in 1.3 a compatibility no-op (RFC 8446 §D.4). */
        t->ccs[d] = true;
        tls_history(ctx, st, d, "CCS");
        if (!st->tls13) {
            td->encrypted = true;
            /* past the point of a Certificate: none was sent, when the
             * ServerHello was seen (else the capture began later) */
            if (d == DIR_TO_CLIENT && st->sh_seen && t->certificates == TLS_CERTS_UNKNOWN)
                t->certificates = t->resumed ? TLS_CERTS_RESUMED : TLS_CERTS_NONE;
        }
        return;
    }
    if (tls_unseen(ctx, st, type, len))
        return;
    if (td->encrypted || (st->tls13 && type == TLS_CT_APPDATA) ||
        tls_pickup_encrypted(ctx, st, d, type, p, len)) {
        tls_encrypted_record(ctx, st, d, type, hdr, p, len);
        return;
    }
    switch (type) {
    case TLS_CT_ALERT:
        tls_alert_record(ctx, st, d, p, len);
        break;
    case TLS_CT_HANDSHAKE:
        /* after a hole: from a record that begins with a message */
        if (tls_resync_record(ctx, st, d, p, len))
            tls_handshake_bytes(ctx, st, d, p, len);
        break;
    case TLS_CT_APPDATA:
        fctx_event(ctx, "tls.appdata_in_clear", "application data before the handshake ended");
        break;
    default:
        break;
    }
}

/* RFC 8446 §4.1.1, RFC 5246 §7.3: the client speaks first, and a server
 * sends its first record in answer to the ClientHello. Server bytes that
 * come after the 220 to STARTTLS but before any client byte (in its segment
 * or later: response injection, the "NO STARTTLS" class) are no answer:
 * their records are dropped unread, so a forged ServerHello and Certificate
 * never become the server's. Only after STARTTLS, where the injection
 * lives: implicit TLS has no plaintext phase to inject into, and a capture
 * of the server's side alone (a span port that sees one direction) or one
 * picked up after the ClientHello shows its flight first (as one picked up
 * midstream in TLS does: smtp_midstream_tls). */
static bool
tls_server_first(struct flow_ctx *ctx, const struct tls_state *st, enum dir d)
{
    const struct session_facts *sf = fctx_facts(ctx);
    return d == DIR_TO_CLIENT && !st->client_spoke && sf->smtp.tls_started && !sf->midstream &&
           !sf->smtp.tls_server_side; /* the client's side not captured: its flight first */
}

/* Plaintext SMTP where implicit TLS's first record was expected (at least
 * 5 bytes in r): a reply line ("220 ", RFC 5321 §4.2) as the server's first
 * bytes, or a greeting or command word as the client's. A server of plain
 * SMTP on port 465 (Postfix's smtps without smtpd_tls_wrappermode) greets
 * so, and a client that expects implicit TLS (RFC 8314 §3.3) has sent its
 * ClientHello before: the flow is handed to SMTP, which reads the dialogue
 * (STARTTLS perhaps), and the failed handshake's cause is kept. */
static bool
tls_plain_smtp(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const struct rd *r)
{
    struct session_facts *sf = fctx_facts(ctx);
    if (!sf->smtp.implicit_tls || sf->smtp.tls_started || st->dir[d].records != 0 || st->sh_seen)
        return false;
    if (!smtp_opens(r->p, rd_left(r), d == DIR_TO_SERVER))
        return false;
    /* the client's TLS from the first byte stays said: it tried implicit TLS */
    sf->smtp.implicit_tls = d == DIR_TO_CLIENT && st->client_spoke;
    sf->smtp.plaintext_on_tls_port = config_is_tls_port(fctx_config(ctx), fctx_server_port(ctx));
    if (d == DIR_TO_CLIENT && st->client_spoke) {
        sf->smtp.client_tls_to_plaintext = true;
        sf->tls.handshake = TLS_HS_FAILED;
    }
    fctx_event(ctx, "tls.plaintext_smtp",
               d == DIR_TO_CLIENT ? "the server's first bytes are an SMTP reply in plaintext"
                                  : "the client's first bytes are an SMTP command in plaintext");
    fctx_upgrade(ctx, &smtp_dissector);
    return true;
}

static struct dres
tls_data(struct flow_ctx *ctx, void *vst, enum dir d, const uint8_t *buf, uint32_t len)
{
    struct tls_state *st = vst;
    struct tls_dir *td = &st->dir[d];
    uint32_t records_max = fctx_config(ctx)->tls_records_max;
    struct rd r = rd_init(buf, len);
    if (d == DIR_TO_SERVER && len > 0)
        st->client_spoke = true;
    if (d == DIR_TO_SERVER && len > 0 && st->tls13 && st->dir[DIR_TO_CLIENT].enc_records > 0)
        st->client_after13 = true;
    /* a record is early when its first byte came before the client's: this
     * call's, or the one left incomplete at the end of an early call
     * (td->early, at offset 0 now) */
    bool early = tls_server_first(ctx, st, d);
    if (st->done) /* the records after the handshake (TLS 1.3 tickets), or nothing */
        return tls_after_data(ctx, st, d, buf, len);
    while (rd_left(&r) > 0 && !st->done) {
        if (td->lost) {
            rd_skip(&r, rd_left(&r), "tls.lost");
            break;
        }
        if (td->sync == TLS_SYNC_FRAME) { /* after a hole: tls_resync.c */
            uint32_t need;
            enum tls_resync_res rs = tls_resync_frame(st, d, &r, &need);
            if (rs == TLS_RESYNC_NEED)
                return dres_make(D_NEED, len - (uint32_t)rd_left(&r), need);
            if (rs == TLS_RESYNC_NONE)
                break;
        }
        uint32_t at = len - (uint32_t)rd_left(&r);
        bool early_rec = early || (at == 0 && td->early);
        if (d == DIR_TO_SERVER && td->records == 0 && !st->sh_seen) {
            int v2 = tls_sslv2_len(&r);
            if (v2 < 0)
                return dres_make(D_NEED, at, (uint32_t)-v2);
            if (v2 > 0 && rd_left(&r) < (size_t)v2)
                return dres_make(D_NEED, at, (uint32_t)v2);
            if (v2 > 0) {
                rd_skip(&r, 2, "v2.header");
                const uint8_t *body = rd_bytes(&r, (size_t)v2 - 2, "v2.body");
                td->records++;
                tls_sslv2_hello(ctx, st, body, (uint32_t)v2 - 2);
                continue;
            }
        }
        if (rd_left(&r) < 5) {
            td->early = early_rec;
            return dres_make(D_NEED, at, 5);
        }
        if (at == 0 && tls_plain_smtp(ctx, st, d, &r))
            return dres_make(D_OK, 0, 0);
        if (tls_pickup_resync(ctx, st, d, &r))
            break;
        /* RFC 8446 §5.1 TLSPlaintext header. */
        uint8_t type = rd_u8(&r, "tls.type");
        uint8_t major = rd_u8(&r, "tls.major");
        uint8_t minor = rd_u8(&r, "tls.minor");
        uint16_t rlen = rd_be16(&r, "tls.length");
        if (type < TLS_CT_CCS || type > TLS_CT_HEARTBEAT || major != 3 || minor > 4 ||
            rlen > TLS_RECORD_MAX) {
            fctx_event(ctx, "tls.malformed_record",
                       "record header is not TLS (type, version or length)");
            td->lost = true;
            if (!st->sh_seen && d == DIR_TO_SERVER && td->records == 0)
                return dres_make(D_ERROR, at, 0);
            rd_skip(&r, rd_left(&r), "tls.lost");
            break;
        }
        if (rd_left(&r) < rlen) {
            td->early = early_rec;
            return dres_make(D_NEED, at, 5u + rlen);
        }
        const uint8_t *body = rd_bytes(&r, rlen, "tls.fragment");
        td->early = false;
        if (++td->records > records_max) {
            fctx_event(ctx, "tls.records_cap", "more records than tls.records_max before the end");
            return dres_make(D_DONE, len - (uint32_t)rd_left(&r), 0);
        }
        if (early_rec) {
            fctx_event(ctx, "tls.server_pipelined_data",
                       "server TLS record before any client byte (dropped)");
            continue;
        }
        tls_record(ctx, st, d, buf + at, body, rlen);
    }
    uint32_t used = len - (uint32_t)rd_left(&r);
    if (st->done) {
        struct dres rest = tls_after_data(ctx, st, d, buf + used, len - used);
        rest.consumed += used;
        return rest;
    }
    return dres_make(D_OK, used, 0);
}

static void
tls_gap(struct flow_ctx *ctx, void *vst, enum dir d, uint64_t missing)
{
    struct tls_state *st = vst;
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    (void)missing;
    if (tls_pickup_watch_end(st)) /* picked up after the handshake: as tls_unseen */
        st->done = true;
    if (st->done) { /* past the handshake, reading tickets: no more */
        tls_after_end(ctx, st, d, true);
        tls13_tickets_cut(ctx, st, d, true, 0);
        st->tk = TLS_TK_OVER;
        return;
    }
    fctx_event(ctx, "tls.gap", d == DIR_TO_SERVER ? "client" : "server");
    /* This dissector runs only where TLS began (an implicit-TLS port, a
     * STARTTLS, a TLS record): bytes lost here were TLS the capture did not
     * keep (loss, a snaplen cut), even before any record header was read;
     * the session had TLS, whose certificates were not visible. */
    t->seen = true;
    t->gap = true;
    /* the client sent bytes the capture lost (its ClientHello, say): the
     * server's answer that follows is no injection (tls_server_first) */
    if (d == DIR_TO_SERVER)
        st->client_spoke = true;
    if (d == DIR_TO_SERVER && st->tls13 && st->dir[DIR_TO_CLIENT].enc_records > 0)
        st->client_after13 = true; /* its Finished may have been lost there */
    /* Record boundaries are lost: this direction is read again from a
     * record boundary and a message that begins a record (tls_resync.c),
     * unless it is under keys already. */
    if (st->dir[d].sync != TLS_SYNC_FRAME && !st->dir[d].lost)
        tls_history(ctx, st, d, "(gap)"); /* once until read again */
    if (!tls_resync_begin(ctx, st, d))
        st->dir[d].lost = true;
    st->dir[d].early = false;
    if (d == DIR_TO_CLIENT && t->certificates == TLS_CERTS_UNKNOWN)
        t->certificates = TLS_CERTS_GAP;
    if (d == DIR_TO_CLIENT && tls13_flight_open(st, t)) {
        /* lost with the bytes, whatever key log: not "encrypted" */
        if (t->certificates == TLS_CERTS_ENCRYPTED)
            t->certificates = TLS_CERTS_GAP;
        if (t->keylog == TLS_KL_PARTIAL)
            t->keylog = TLS_KL_CUT;
    }
    if (d == DIR_TO_SERVER && t->client_certificate_requested &&
        t->client_certificates == TLS_CERTS_UNKNOWN)
        t->client_certificates = TLS_CERTS_GAP;
}

static void
tls_eof(struct flow_ctx *ctx, void *vst, enum dir d, uint32_t unconsumed)
{
    struct tls_state *st = vst;
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    struct tls_dir *td = &st->dir[d];
    if (td->alert_half)
        fctx_event(ctx, "tls.truncated",
                   d == DIR_TO_SERVER ? "client stream ended inside an alert"
                                      : "server stream ended inside an alert");
    /* picked up after the handshake, the server's records alone so far
     * (tls_pickup.c's watch): as tls_unseen, a record cut here is no
     * certificate's */
    if (tls_pickup_watch_end(st))
        st->done = true;
    if (st->done) { /* a ticket cut by the capture's end is said */
        tls_after_end(ctx, st, d, false);
        tls13_tickets_cut(ctx, st, d, false, unconsumed);
        return;
    }
    /* bytes after a hole held while a record boundary was looked for are
     * no record begun (tls_resync.c) */
    bool cut = (unconsumed > 0 && td->sync != TLS_SYNC_FRAME) || td->partial;
    if (cut)
        fctx_event(ctx, "tls.truncated",
                   d == DIR_TO_SERVER ? "client stream ended inside a record"
                                      : "server stream ended inside a record");
    if (d == DIR_TO_CLIENT && t->certificates == TLS_CERTS_UNKNOWN && cut &&
        (td->partial_type == TLS_HS_CERTIFICATE || !td->partial))
        t->certificates = TLS_CERTS_TRUNCATED;
    if (d == DIR_TO_CLIENT && tls13_flight_open(st, t)) {
        if (cut && t->certificates == TLS_CERTS_ENCRYPTED)
            t->certificates = TLS_CERTS_TRUNCATED; /* a record of the flight cut */
        if (t->keylog == TLS_KL_PARTIAL)
            t->keylog = TLS_KL_CUT; /* the capture ended before its certificates */
    }
    if (t->seen && t->handshake == TLS_HS_NONE)
        t->handshake = TLS_HS_INCOMPLETE;
}

const struct dissector tls_dissector = {"tls",    tls_state_new, tls_state_free,
                                        tls_data, tls_gap,       tls_eof};
