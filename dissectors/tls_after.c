/* \summary: the records after a completed TLS handshake, by their headers
 * alone (RFC 8446 §5.1, RFC 5246 §6.2.1: type, version, length): the first
 * TLS_AFTER_MAX of each direction (facts tls.after), then the flow goes to
 * bypass. What a passive observer can say of a session's end: how many
 * records each side sent and how long they were, their content types where
 * the version shows them (TLS 1.2: alert 21 apart from application data
 * 23; TLS 1.3 sends every one as 23, RFC 8446 §5.2). A verifying MTA that
 * refuses the server's certificate without an alert (Postfix at
 * smtp_tls_security_level secure, verify or dane) sends one short record,
 * its QUIT, then close_notify, and closes (diagnose.c); a probe that
 * checks the certificate and leaves (openssl s_client </dev/null) sends
 * close_notify alone, or nothing. At the client's first record that fits
 * neither (its first command: an EHLO, RFC 3207 §4.2) the reading goes on
 * only until the server's answer is told (facts tls.reply): a server that
 * refuses the client ends the session with its first reply (a 421, RFC
 * 5321 §3.8: Postfix with smtpd_tls_req_ccert refusing a client
 * certificate, "421 4.7.1 ... Client certificate not trusted") by its
 * close_notify, FIN or RST before the client sends anything more; a
 * session that goes on has the client's next command after the reply. The
 * reading stops at the client's second record, at the server's alert, at
 * a side's end, or past the records one reply takes (TLS_REPLY_RECORDS_MAX),
 * so a session that goes on costs two records of the client's and one of
 * the server's past the handshake (issue 5: bypass after the handshake);
 * those read after the command are counted (tls.reply_records, the first
 * one's length), not kept in tls.after. Not a refusal's close: a first reply as long
 * as the server's EHLO reply in clear (a 250; a QUIT pipelined after the
 * EHLO gets its 221 and the close: SERVER_EHLO, TLS 1.2 reads no further),
 * or the server's next record or end a second or more after its reply (an
 * idle timeout: SERVER_IDLE). The server's alert before anything of the
 * client's (SERVER_ALERT_FIRST) is Exim's refusal of a client certificate
 * after its Finished, no close of the client's.
 * Nothing of a record's body is read, decrypted, kept or written (the -w
 * evidence cuts them too: engine_evidence.c, the handshake complete). */
#include "tls_int.h"
#include "tls_names.h"

/* Reading stops on both sides (those still read: more may follow). */
static void
tls_after_stop(struct flow_ctx *ctx, struct tls_state *st)
{
    for (unsigned k = 0; k < 2; k++)
        if (!st->dir[k].after_done) {
            fctx_facts(ctx)->tls.after[k].more = true;
            st->dir[k].after_done = true;
        }
}

/* The packet time in 1/16 s, modulo 2^16 (tls_state.reply_t16). */
static uint16_t
tls_after_t16(const struct flow_ctx *ctx)
{
    return (uint16_t)((uint64_t)fctx_now_us(ctx) / 62500u);
}

/* TLS_REPLY_IDLE_US or more since the server's reply began (a gap of
 * 4096 s or more may be taken for its remainder: an idle timeout then
 * still, or a refusal's close 68 minutes after its reply). */
static bool
tls_after_idle(const struct flow_ctx *ctx, const struct tls_state *st)
{
    return (uint16_t)(tls_after_t16(ctx) - st->reply_t16) >= TLS_REPLY_IDLE_US / 62500u;
}

/* The server's first record after the command (len) is as long as its
 * EHLO reply in clear less the STARTTLS line (smtp.ehlo_reply_bytes) and
 * the client's name there (Exim's first line repeats it; the name over TLS
 * may differ): a 250 EHLO reply, no 421 (a line of some 40 to 100 bytes).
 * Implicit TLS, or a reply in clear too short to tell: never. */
static bool
tls_after_ehlo_fits(struct flow_ctx *ctx, const struct tls_facts *t, uint16_t len)
{
    const struct smtp_facts *sm = &fctx_facts(ctx)->smtp;
    uint32_t lo, hi;
    if (sm->ehlo_reply_bytes < sm->ehlo.len + TLS_REPLY_EHLO_MIN ||
        !tls_plaintext_len(t->version, t->cipher, len, &lo, &hi))
        return false;
    return lo >= sm->ehlo_reply_bytes - sm->ehlo.len;
}

/* What ends the reading of the reply (close: SERVER_CLOSE, or ENDED by
 * a FIN or RST of the server's when server_end), told better: a close
 * TLS_REPLY_IDLE_US or more after the reply began is an idle timeout's
 * (SERVER_IDLE); TLS 1.3's lone record as long as an EHLO reply was one
 * (SERVER_EHLO; with more, the first may be a ticket: tls13_tickets.c). */
static uint8_t
tls_after_reply_end(struct flow_ctx *ctx, const struct tls_state *st, uint8_t close,
                    bool server_end)
{
    const struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (t->reply_records > 0 && server_end && tls_after_idle(ctx, st))
        return TLS_REPLY_SERVER_IDLE;
    if (t->reply_records == 1 && t->version == 0x0304 && tls_after_ehlo_fits(ctx, t, t->reply_len))
        return TLS_REPLY_SERVER_EHLO;
    return close;
}

/* A record of d while the server's answer to the client's first command
 * is read (reply TLS_REPLY_OPEN): the client's next record (its next
 * command, or its own close) says the session went on; the server's alert
 * (close_notify; TLS 1.3: 2 bytes of plaintext in an application_data
 * record, RFC 8446 §6.1) says it ended the session first; its records
 * past what one reply takes say it went on. Each stops the reading: one
 * reply and one record of the client's past a session that goes on. Not a
 * refusal's: a first record as long as an EHLO reply (TLS 1.2, no tickets
 * after the handshake: it is the reply; SERVER_EHLO, the reading stops
 * there), and a record TLS_REPLY_IDLE_US or more after the reply began
 * (SERVER_IDLE: the client went silent, the server timed out). */
static void
tls_after_reply(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type, uint16_t len)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (d == DIR_TO_SERVER) {
        t->reply = TLS_REPLY_CLIENT_ON;
    } else if (t->reply_records > 0 && tls_after_idle(ctx, st)) {
        t->reply = TLS_REPLY_SERVER_IDLE;
    } else if (t->reply_records == 0 && type == TLS_CT_APPDATA &&
               !tls_after_alert_fits(t->version, t->cipher, type, len)) {
        t->reply_records = 1; /* the reply's first record, its length kept */
        t->reply_len = len;
        st->reply_t16 = tls_after_t16(ctx);
        if (t->version > 0x0303 || !tls_after_ehlo_fits(ctx, t, len))
            return;
        t->reply = TLS_REPLY_SERVER_EHLO;
    } else if (tls_after_alert_fits(t->version, t->cipher, type, len)) {
        t->reply = tls_after_reply_end(ctx, st, TLS_REPLY_SERVER_CLOSE, true);
    } else if (type != TLS_CT_APPDATA || t->reply_records >= TLS_REPLY_RECORDS_MAX) {
        t->reply = TLS_REPLY_SERVER_ON; /* a handshake (renegotiation), or more than a reply */
    } else {
        t->reply_records++; /* the reply, or a TLS 1.3 ticket sent meanwhile */
        return;
    }
    tls_after_stop(ctx, st);
}

void
tls_after_note(struct flow_ctx *ctx, struct tls_state *st, enum dir d, uint8_t type, uint16_t len)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    struct tls_after *a = &t->after[d];
    if (st->dir[d].after_done)
        return;
    if (t->reply == TLS_REPLY_OPEN) { /* counted there, not kept in after[] */
        tls_after_reply(ctx, st, d, type, len);
        return;
    }
    /* the server's alert (close_notify or a refusal: TLS 1.3 and TLS 1.2
     * after its Finished hide which) before the client sent or ended
     * anything after the handshake: the server ended the session first */
    if (d == DIR_TO_CLIENT && t->reply == TLS_REPLY_NONE && t->cipher_seen && t->after[0].n == 0 &&
        !t->after[0].ended && !t->after[0].lost &&
        tls_after_alert_fits(t->version, t->cipher, type, len))
        t->reply = TLS_REPLY_SERVER_ALERT_FIRST;
    if (a->n >= TLS_AFTER_MAX) { /* one past the cap: there were more */
        a->more = true;
        st->dir[d].after_done = true;
        return;
    }
    a->type[a->n] = type;
    a->len[a->n] = len;
    a->n++;
    if (d != DIR_TO_SERVER)
        return;
    /* a lone QUIT then alerts, or alerts alone (close_notify: no command,
     * tls_after_quit_fits takes only alerts after the first record); no
     * suite seen, no size told: nothing to learn */
    if (t->cipher_seen && (tls_after_quit_fits(t->version, t->cipher, a->n - 1u, type, len) ||
                           (a->n == 1 && tls_after_alert_fits(t->version, t->cipher, type, len))))
        return;
    if (t->cipher_seen && a->n == 1 && type == TLS_CT_APPDATA && t->reply == TLS_REPLY_NONE) {
        /* its first command (EHLO, RFC 3207 §4.2): the server's answer is
         * read (tls_after_reply) */
        t->reply = TLS_REPLY_OPEN;
        return;
    }
    tls_after_stop(ctx, st); /* no shape of these: nothing more to learn */
}

void
tls_after_end(struct flow_ctx *ctx, struct tls_state *st, enum dir d, bool at_gap)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (!t->after_read || st->dir[d].after_done)
        return;
    if (at_gap)
        t->after[d].lost = true;
    else
        t->after[d].ended = true;
    st->dir[d].after_done = true;
    if (t->reply == TLS_REPLY_OPEN) {
        /* a side's end while the answer was read, before the client sent
         * anything more (whose: record.first_close); a gap tells nothing */
        if (!at_gap)
            t->reply = tls_after_reply_end(ctx, st, TLS_REPLY_ENDED, d == DIR_TO_CLIENT);
        tls_after_stop(ctx, st);
    }
}

/* Both directions read as far as wanted, and no TLS 1.3 ticket awaited. */
static bool
tls_after_over(const struct tls_state *st)
{
    return st->dir[0].after_done && st->dir[1].after_done && st->tk != TLS_TK_READ;
}

/* The record headers of d in buf[0..len): each noted, its body let go
 * (across deliveries: after_skip). Returns the bytes used; *need 5 when
 * a header is cut by the end (kept for the next delivery). */
static uint32_t
tls_after_walk(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *buf,
               uint32_t len, uint32_t *need)
{
    struct tls_dir *td = &st->dir[d];
    struct rd r = rd_init(buf, len);
    *need = 0;
    while (rd_left(&r) > 0 && !td->after_done) {
        if (td->after_skip > 0) {
            size_t n = rd_left(&r) < td->after_skip ? rd_left(&r) : td->after_skip;
            rd_skip(&r, n, "tls.after_body");
            td->after_skip = (uint16_t)(td->after_skip - n);
            continue;
        }
        if (rd_left(&r) < 5) {
            *need = 5;
            break;
        }
        uint8_t type = rd_u8(&r, "tls.type");
        uint8_t major = rd_u8(&r, "tls.major");
        rd_skip(&r, 1, "tls.minor");
        uint16_t rlen = rd_be16(&r, "tls.length");
        if (type < TLS_CT_CCS || type > TLS_CT_HEARTBEAT || major != 3 || rlen > TLS_RECORD_MAX) {
            /* no record header: the framing is lost (not an error of
             * the handshake's; the counts stop here) */
            fctx_facts(ctx)->tls.after[d].lost = true;
            td->after_done = true;
            break;
        }
        tls_after_note(ctx, st, d, type, rlen);
        td->after_skip = rlen;
    }
    if (td->after_done)
        return len; /* the rest let go */
    return len - (uint32_t)rd_left(&r);
}

struct dres
tls_after_data(struct flow_ctx *ctx, struct tls_state *st, enum dir d, const uint8_t *buf,
               uint32_t len)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    if (t->handshake != TLS_HS_COMPLETE || !t->after_read) /* failed, unseen: nothing read */
        return tls13_tickets_data(ctx, st, d, buf, len);
    uint32_t used = 0;
    if (d == DIR_TO_CLIENT && st->tk == TLS_TK_READ) {
        /* the server's tickets: tls13_tickets_data notes each header */
        struct dres tk = tls13_tickets_data(ctx, st, d, buf, len);
        if (st->tk == TLS_TK_READ || tk.st != D_DONE)
            return tk.st == D_DONE ? dres_make(D_OK, tk.consumed, 0) : tk;
        used = tk.consumed; /* the reading ended: the rest by headers */
    }
    uint32_t need;
    used += tls_after_walk(ctx, st, d, buf + used, len - used, &need);
    if (d == DIR_TO_SERVER && st->tk == TLS_TK_READ) /* counted there, let go */
        (void)tls13_tickets_data(ctx, st, d, buf, used);
    if (need > 0)
        return dres_make(D_NEED, used, need);
    return dres_make(tls_after_over(st) ? D_DONE : D_OK, used, 0);
}
