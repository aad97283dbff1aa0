/* \summary: SMTP dissector (RFC 5321; STARTTLS RFC 3207; PIPELINING RFC 2920;
 * AUTH RFC 4954; CHUNKING/BDAT RFC 3030)
 *
 * Line framing (RFC 5321 §2.3.8, §4.5.3.1.4-5): CRLF, bare LF accepted; a line
 * longer than smtp.line_max raises smtp.line_too_long and is dropped up to
 * its LF.
 *
 *   command (§4.1.1)  verb [SP argument] CRLF
 *   reply   (§4.2.1)  *( 3DIGIT "-" text CRLF ) 3DIGIT [SP text] CRLF
 *
 *   S: 220 mx.example.org ESMTP              greeting (§4.3.1): banner
 *   C: EHLO client.example.net               (§4.1.1.1)
 *   S: 250-mx.example.org                    first line: the server's name
 *   S: 250-STARTTLS                          one extension keyword per line
 *   S: 250 AUTH PLAIN LOGIN                  (RFC 4954 §3; also "AUTH=PLAIN")
 *   C: STARTTLS                              (RFC 3207 §4)
 *   S: 220 Ready to start TLS                => the flow goes to dissectors/tls.c
 *
 * Commands and replies are paired through a bounded FIFO of pending commands
 * (smtp.pending_cmds), so pipelined commands (RFC 2920) pair in order; what
 * the dissector does follows from <command, reply> pairs (Zeek SMTP.cc). The
 * hand-off to TLS happens on the server's 220 reply to STARTTLS (Zeek,
 * Suricata); client bytes after STARTTLS and before that reply are injected
 * data (CVE-2011-0411 class): reported and dropped, they never reach TLS.
 *
 * This file reads the client's side, frames lines and hands off to TLS;
 * smtp_reply.c reads the replies and pairs them with the commands.
 *
 * Privacy: only verbs and reply codes are kept for the dialog. SASL
 * exchanges (RFC 4954 §4: 334 challenges and client responses), message
 * bodies (DATA up to ".", §4.5.2 dot-stuffing) and BDAT chunks are skipped
 * without being stored anywhere, events included. A flow picked up midstream
 * keeps no wire text at all (its first replies may pair with a body's
 * lines); the EHLO argument and the greeting's host are kept only when they
 * can be a host's name; TLS starts only where STARTTLS (or a gap that may
 * have held it) allows, so a refused message's body is never read as TLS.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "cursor.h"
#include "dissector.h"
#include "smtp_int.h"
#include "smtp_words.h"

/* ---- client side ---- */

static enum smtp_verb
smtp_verb_lookup(const uint8_t *w, size_t n)
{
    for (unsigned v = SMTP_V_HELO; v < SMTP_V_EOM; v++)
        if (smtp_ieq(w, n, smtp_verb_names[v]))
            return (enum smtp_verb)v;
    return SMTP_V_OTHER;
}

/* The client's message body begins (after DATA, or a 354 whose DATA was
 * lost): its lines are skipped up to CRLF "." CRLF, never read as commands. */
void
smtp_body_begin(struct smtp_state *st)
{
    st->cmode = SMTP_C_BODY;
    st->body_started = false;
    st->body_crlf = true; /* the DATA line ended in CRLF */
}

/* A client command that is STARTTLS masked by a middlebox on its way to
 * the server: "XXXXXXXX", STARTTLS's length in X's and nothing after it, as
 * Cisco ASA/FTD ESMTP inspection ("no allow-tls", its default) rewrites it,
 * sent after an EHLO reply that offered STARTTLS. Seen between that
 * middlebox and the server (where the capability came in clear: the client
 * saw "250-XXXXXXXA"); the server answers an unknown command (500 5.5.2).
 * Masking of X-ANONYMOUSTLS is documented nowhere: not taken. */
static bool
smtp_masked_starttls(const struct smtp_facts *f, const uint8_t *w, size_t n, const struct rd *lr)
{
    if (n != 8 || f->starttls_offered != 1 || f->starttls_command)
        return false;
    for (size_t i = 0; i < n; i++)
        if (smtp_upper(w[i]) != 'X')
            return false;
    for (size_t i = 0; i < rd_left(lr); i++)
        if (rd_peek(lr, i) != ' ' && rd_peek(lr, i) != '\t')
            return false;
    return true;
}

/* What w[0..n), the word after AUTH, is: a mechanism in IANA's SASL
 * registry, written by its name; one the server offered outside it, a
 * mechanism, but a word from the wire, so not written ("unregistered");
 * else none ("?"): "AUTH <token>" with the mechanism left out puts a
 * credential here, and base64 passes the RFC 4422 §3.1 charset. A client's
 * own word is never written. */
enum smtp_auth_word { SMTP_AUTH_NONE, SMTP_AUTH_UNREGISTERED, SMTP_AUTH_REGISTERED };

static enum smtp_auth_word
smtp_auth_word(const struct smtp_state *st, const struct smtp_facts *f, const uint8_t *w, size_t n)
{
    bool ok = n > 0 && n <= SMTP_MECH_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        uint8_t c = smtp_upper(w[i]);
        ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }
    if (ok && smtp_sasl_known(w, n))
        return SMTP_AUTH_REGISTERED;
    if (ok && (smtp_list_has(st->auths, st->auths_len, w, n) ||
               smtp_list_has(f->auth_mechanisms.s, f->auth_mechanisms.len, w, n)))
        return SMTP_AUTH_UNREGISTERED;
    return SMTP_AUTH_NONE;
}

/* Adds an AUTH's mechanism (upper-cased), "+", "?" or "-" to f->auth_used
 * unless already there; one that does not fit sets auth_used_more. */
static void
smtp_auth_used(struct smtp_facts *f, const uint8_t *w, size_t n)
{
    char tok[SMTP_MECH_MAX + 1];
    for (size_t i = 0; i < n; i++)
        tok[i] = (char)smtp_upper(w[i]);
    tok[n] = '\0';
    size_t len = strlen(f->auth_used);
    for (const char *p = f->auth_used; *p != '\0';) {
        size_t k = strcspn(p, " ");
        if (k == n && memcmp(p, tok, n) == 0)
            return;
        p += k + (p[k] == ' ');
    }
    if (len + (len > 0) + n + 1 > sizeof(f->auth_used)) {
        f->auth_used_more = true;
        return;
    }
    if (len > 0)
        f->auth_used[len++] = ' ';
    memcpy(f->auth_used + len, tok, n + 1);
}

/* Handles one complete client command line (CR LF removed). */
static void
smtp_client_command(struct flow_ctx *ctx, struct smtp_state *st, struct rd *lr)
{
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    uint8_t w[SMTP_WORD_MAX];
    size_t n = smtp_word(lr, w, sizeof(w));
    enum smtp_verb v = n <= 15 ? smtp_verb_lookup(w, n) : SMTP_V_OTHER;
    if (v == SMTP_V_OTHER && smtp_masked_starttls(f, w, n, lr)) {
        v = SMTP_V_MASKED;
        f->starttls_masked = true;
    }
    st->client_cmds++;
    st->tls_may_start = false; /* a command, not a ClientHello, came next */
    st->tls_refused = false;
    if (v != SMTP_V_OTHER)
        f->seen = true;
    switch (v) {
    case SMTP_V_HELO:
    case SMTP_V_EHLO:
    case SMTP_V_LHLO:
        st->lmtp = v == SMTP_V_LHLO;
        if (f->ehlo_verb[0] == '\0' && !st->no_text) {
            memcpy(f->ehlo_verb, smtp_verb_names[v], 5);
            smtp_skip_sp(lr);
            size_t al = rd_left(lr);
            while (al > 0 && (rd_peek(lr, al - 1) == ' ' || rd_peek(lr, al - 1) == '\t'))
                al--;
            const uint8_t *arg = rd_bytes(lr, al, "smtp.ehlo");
            /* a name, or "?": text that is no name is not written (it
             * may be a message's line read as a command) */
            if (arg != NULL && smtp_hostname_like(arg, al))
                fctx_setstr(ctx, &f->ehlo, arg, al, SMTP_EHLO_MAX);
            else if (arg != NULL && al > 0)
                fctx_setstr(ctx, &f->ehlo, (const uint8_t *)"?", 1, SMTP_EHLO_MAX);
        }
        smtp_push(ctx, st, v, false);
        break;
    case SMTP_V_MAIL:
        st->rcpt_ok = 0; /* a new transaction */
        /* fall through */
    case SMTP_V_RCPT:
        f->plaintext_mail = true;
        smtp_push(ctx, st, v, false);
        break;
    case SMTP_V_DATA:
        f->plaintext_mail = true;
        smtp_push(ctx, st, v, false);
        smtp_body_begin(st); /* even uncounted: a body must never be read as commands */
        break;
    case SMTP_V_BDAT: {
        uint64_t size = 0;
        size_t digits = 0;
        int c;
        f->plaintext_mail = true;
        smtp_skip_sp(lr);
        while ((c = rd_peek(lr, 0)) >= '0' && c <= '9') {
            if (size < SMTP_BDAT_MAX)
                size = size * 10 + (uint64_t)(c - '0');
            digits++;
            rd_skip(lr, 1, "smtp.bdat");
        }
        if (digits == 0 || (c != -1 && c != ' ' && c != '\t')) {
            fctx_event(ctx, "smtp.bdat_bad_size", "BDAT without a valid chunk size");
            size = 0;
        }
        if (size > SMTP_BDAT_MAX)
            size = SMTP_BDAT_MAX;
        n = smtp_word(lr, w, sizeof(w));
        smtp_push(ctx, st, v, smtp_ieq(w, n, "LAST"));
        if (size > 0) {
            st->cmode = SMTP_C_SKIP;
            st->skip_left = size;
            st->skip_data = true;
        }
        break;
    }
    case SMTP_V_AUTH: {
        f->auth_before_tls = true;
        n = smtp_word(lr, w, sizeof(w));
        /* An initial response follows the mechanism (RFC 4954 §4): the
         * exchange may end with the server's reply and the client may have
         * pipelined commands after it, so command mode stays until a 334
         * asks for a response (smtp_paired_done). Its bytes are only
         * skipped over, never looked at. */
        smtp_skip_sp(lr);
        bool ir = rd_left(lr) > 0;
        /* The mechanism name only, and only a registered one
         * (smtp_auth_word); "?" gives way to a later AUTH's mechanism */
        enum smtp_auth_word kind = smtp_auth_word(st, f, w, n);
        if (f->auth_mechanism[0] == '\0' || f->auth_mechanism[0] == '?') {
            if (kind == SMTP_AUTH_REGISTERED) {
                for (size_t i = 0; i < n; i++)
                    f->auth_mechanism[i] = (char)smtp_upper(w[i]);
                f->auth_mechanism[n] = '\0';
            } else {
                const char *m = kind == SMTP_AUTH_UNREGISTERED ? "unregistered" : "?";
                memcpy(f->auth_mechanism, m, strlen(m) + 1); /* < sizeof(auth_mechanism) */
            }
        }
        if (kind == SMTP_AUTH_REGISTERED)
            smtp_auth_used(f, w, n);
        else
            smtp_auth_used(f,
                           (const uint8_t *)(kind == SMTP_AUTH_UNREGISTERED ? "+"
                                             : n > 0                        ? "?"
                                                                            : "-"),
                           1);
        bool pushed = smtp_push(ctx, st, v, false);
        if (!ir || !pushed) /* even uncounted: responses are never read as commands */
            st->cmode = SMTP_C_SASL;
        break;
    }
    case SMTP_V_STARTTLS:
    case SMTP_V_ANONTLS:
        f->starttls_command = true;
        st->tls_may_start = true;
        memcpy(f->starttls_verb, smtp_verb_names[v], strlen(smtp_verb_names[v]) + 1);
        if (smtp_push(ctx, st, v, false)) {
            st->cmode = SMTP_C_STARTTLS;
            st->inject_noted = false;
            /* no byte of the server's captured, not even its greeting (a
             * capture of the client's side alone): its reply is not in
             * the capture, and the client's next bytes prove no injection
             * (dropped unclaimed in smtp_data, a TLS record too) */
            st->reply_lost = !st->began[DIR_TO_CLIENT] && !st->no_text;
        }
        break;
    default:
        smtp_push(ctx, st, v, false);
        break;
    }
}

/* One complete client line in its current mode; crlf: it ended in CRLF,
 * not a bare LF. */
static void
smtp_client_line(struct flow_ctx *ctx, struct smtp_state *st, struct rd *lr, bool crlf)
{
    switch (st->cmode) {
    case SMTP_C_SASL: /* a SASL response: skipped, never stored */
        break;
    case SMTP_C_BODY:
        /* The end of the data is CRLF "." CRLF (RFC 5321 §4.1.1.4), with
         * both line ends CRLF: a dot between bare LFs is body text, as
         * current Postfix, Exim and Sendmail read it, so that smuggled
         * commands after it are never taken from the body. ".." is a
         * stuffed dot. */
        if (crlf && st->body_crlf && rd_left(lr) == 1 && rd_peek(lr, 0) == '.') {
            /* LMTP answers the dot once per accepted recipient (RFC 2033
             * §4.2); "last" marks the first reply of the message */
            uint32_t replies = st->lmtp && st->rcpt_ok > 1 ? st->rcpt_ok : 1;
            for (uint32_t i = 0; i < replies && i < SMTP_LMTP_REPLIES_MAX; i++)
                if (!smtp_push(ctx, st, SMTP_V_EOM, i == 0))
                    break;
            st->cmode = SMTP_C_COMMAND;
        } else {
            st->body_started = true;
            fctx_facts(ctx)->smtp.plaintext_data = true;
        }
        st->body_crlf = crlf;
        break;
    case SMTP_C_COMMAND:
        smtp_client_command(ctx, st, lr);
        break;
    case SMTP_C_SKIP:
    case SMTP_C_STARTTLS:
        break; /* not line based: handled in smtp_data() */
    }
}

/* ---- the dissector ---- */

static void *
smtp_state_new(struct flow_ctx *ctx)
{
    const struct config *cfg = fctx_config(ctx);
    /* Only the fields before the accumulators' bytes are zeroed: 2.3 KiB
     * less to write per session, and only lengths say what they hold. */
    struct smtp_state *st = fctx_alloc_raw(ctx, sizeof(*st));
    if (st == NULL)
        return NULL;
    memset(st, 0, offsetof(struct smtp_state, text));
    st->fifo_cap = cfg->smtp_pending_max > 0 ? cfg->smtp_pending_max : 1;
    st->fifo = fctx_alloc(ctx, (size_t)st->fifo_cap * sizeof(struct smtp_cmd));
    if (st->fifo == NULL) {
        fctx_free(ctx, st, sizeof(*st));
        return NULL;
    }
    st->ln[0].fresh = st->ln[1].fresh = true;
    st->no_text = fctx_facts(ctx)->midstream;
    return st;
}

static void
smtp_state_free(struct flow_ctx *ctx, void *vst)
{
    struct smtp_state *st = vst;
    if (st == NULL)
        return;
    fctx_free(ctx, st->fifo, (size_t)st->fifo_cap * sizeof(struct smtp_cmd));
    fctx_free(ctx, st, sizeof(*st));
}

/* A TLS record right after a refused STARTTLS (RFC 3207 §4: no TLS without
 * a 220): a ClientHello sent all the same (openssl s_client sends it
 * whatever the reply). The server reads on in SMTP and answers it as one
 * unknown command (Postfix: 221 "I can break rules, too"), so the record
 * (RFC 8446 §5.1: 5-byte header, then its length) is skipped whole as one
 * command, the answer pairs with it and the dialogue goes on after it.
 * Returns 3 = skipped, 0 = no record (read as a line), -5 = need 5 bytes. */
static int
smtp_tls_refused_record(struct flow_ctx *ctx, struct smtp_state *st, const struct rd *r,
                        const char *name, const char *detail)
{
    if (rd_left(r) < 5)
        return -5;
    uint32_t rlen = (uint32_t)rd_peek(r, 3) << 8 | (uint32_t)rd_peek(r, 4);
    if (rlen > 16384 + 2048) /* RFC 5246 §6.2.3: no record this long */
        return 0;
    fctx_event(ctx, name, detail);
    st->tls_refused = false;
    st->client_cmds++;
    smtp_push(ctx, st, SMTP_V_OTHER, false);
    st->cmode = SMTP_C_SKIP;
    st->skip_left = 5 + rlen;
    st->skip_data = false;
    return 3;
}

/* The server's bytes at a line start, a line not yet complete, open a
 * reply (RFC 5321 §4.2: 3DIGIT then SP, "-" or the line's end; the first
 * digit 2-5), as far as they go: "22" does, "\x16\x03" does not. */
static bool
smtp_reply_begins(const struct rd *r)
{
    int c[4];
    for (size_t i = 0; i < 4; i++)
        c[i] = rd_peek(r, i);
    if (c[0] < '2' || c[0] > '5')
        return false;
    for (size_t i = 1; i < 3; i++)
        if (c[i] != -1 && (c[i] < '0' || c[i] > '9'))
            return false;
    return c[3] == -1 || c[3] == ' ' || c[3] == '-' || c[3] == '\r';
}

/* Client bytes at a line start in command mode that open a TLS record
 * (RFC 8446 §5.1: 0x16 0x03 0x0[0-4]): TLS without a 220 to STARTTLS.
 * Returns 1 = TLS (upgrade requested), 2 = not SMTP (stop), 3 = a record
 * skipped, 0 = not TLS, -n = need n bytes. */
static int
smtp_tls_check(struct flow_ctx *ctx, struct smtp_state *st, const struct rd *r)
{
    if (rd_peek(r, 0) != 0x16 || (rd_left(r) >= 2 && rd_peek(r, 1) != 0x03))
        return 0;
    if (rd_left(r) < 3)
        return -3;
    if (rd_peek(r, 1) != 0x03 || rd_peek(r, 2) > 0x04)
        return 0;
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    /* the server greeted in plaintext, its greeting whole or still in
     * flight (a 220 line cut between segments: the decision waits for no
     * LF, the reply's first bytes say who spoke plaintext) */
    bool greeted = st->greeting_seen || st->reply_begun;
    /* RFC 8314 §3.3: a client set for implicit TLS (465) pointed at a
     * mail port that greets in plaintext (25, 587) sends its ClientHello
     * as its first bytes, as on 465 without the wrapper mode */
    bool first_tls = st->client_cmds == 0 && greeted && !st->no_text &&
                     config_is_mail_port(fctx_config(ctx), fctx_server_port(ctx));
    if (st->client_cmds == 0 && st->tls_may_start && !st->no_text && !f->plaintext_on_tls_port) {
        /* the client's first bytes were lost (packets, or a short snapshot
         * length cut its lines): they may have held EHLO and STARTTLS, so
         * TLS here is no proof of implicit TLS (RFC 8314) on this port */
        fctx_event(ctx, "smtp.tls_without_starttls_reply",
                   "client TLS record after lost client bytes (STARTTLS not seen)");
        f->tls_started = true;
        fctx_upgrade(ctx, &tls_dissector);
        return 1;
    }
    if (st->client_cmds == 0 && !greeted) {
        f->implicit_tls = !st->no_text; /* midstream: smtp_midstream_tls */
    } else if ((f->plaintext_on_tls_port || f->client_tls_to_plaintext || first_tls) &&
               !st->tls_may_start) {
        /* RFC 8314 §3.3: a client that expects implicit TLS sends its
         * ClientHello at once; a server of plaintext SMTP on that port
         * reads it as a line and answers it (Postfix: 421 "I can break
         * rules, too", or 500): the client's handshake fails there. The
         * record is skipped as one command, the answer pairs with it. */
        int k = smtp_tls_refused_record(
            ctx, st, r, "smtp.tls_to_plaintext",
            "TLS record sent to plaintext SMTP (implicit TLS expected; skipped as one command)");
        if (k != 0) {
            struct tls_facts *t = &fctx_facts(ctx)->tls;
            f->client_tls_to_plaintext = true;
            f->implicit_tls = true; /* the client's attempt */
            t->seen = true;
            t->handshake = TLS_HS_FAILED;
        }
        return k;
    } else if (f->ehlo_verb[0] == '\0' && !f->starttls_command && !st->no_text) {
        /* RFC 5321 §4.1.4: an SMTP client greets with EHLO/HELO first. A
         * "220" greeting, other commands and then TLS is another protocol's
         * upgrade (FTP AUTH TLS, RFC 4217): not SMTP, stop here. */
        fctx_event(ctx, "smtp.not_smtp",
                   "TLS after a dialogue without EHLO/HELO (another protocol)");
        f->seen = false;
        return 2;
    } else if (!st->tls_may_start) {
        int k =
            st->tls_refused
                ? smtp_tls_refused_record(ctx, st, r, "smtp.tls_record_unexpected",
                                          "TLS record after STARTTLS was refused (skipped as one "
                                          "command)")
                : 0;
        if (k != 0)
            return k;
        /* RFC 3207 §4: TLS starts after the 220 to STARTTLS. Here a command
         * came after the last STARTTLS (or none was sent, and no client
         * bytes were lost): these bytes are a line (a refused message's
         * body sent all the same), not a ClientHello. */
        fctx_event(ctx, "smtp.tls_record_unexpected",
                   "TLS record bytes in the command stream with no STARTTLS outstanding");
        return 0;
    } else {
        /* STARTTLS sent and its 220 lost, or the lost client bytes held
         * STARTTLS: TLS started all the same (the peer's STARTTLS row) */
        fctx_event(ctx, "smtp.tls_without_starttls_reply",
                   "client TLS record without a 220 reply to STARTTLS");
        f->tls_started = true;
    }
    fctx_upgrade(ctx, &tls_dissector);
    return 1;
}

/* A connection picked up midstream (no SYN seen) whose direction d begins,
 * in the capture, with a TLS record header (RFC 8446 §5.1: content type
 * 20-23, version 3.x, a length TLS allows, RFC 5246 §6.2.3): the session is
 * in TLS already, STARTTLS (RFC 3207) having happened before the capture,
 * and only its first bytes are looked at, before any of its lines, so that
 * a message's bytes are never read as TLS (a 220 to STARTTLS and then the
 * client's ClientHello is that too). TLS started, then; not implicit TLS,
 * which is known only from a port or a connection's start.
 * Returns 1 = handed to TLS, 0 = not TLS, -n = need n bytes. */
static int
smtp_midstream_tls(struct flow_ctx *ctx, struct smtp_state *st, enum dir d, const struct rd *r)
{
    int c0 = rd_peek(r, 0);
    if (c0 < 20 || c0 > 23 || (rd_left(r) >= 2 && rd_peek(r, 1) != 0x03))
        return 0;
    if (rd_left(r) < 5)
        return -5;
    uint32_t rlen = (uint32_t)rd_peek(r, 3) << 8 | (uint32_t)rd_peek(r, 4);
    if (rd_peek(r, 2) > 0x04 || rlen > 16384 + 2048 || (d == DIR_TO_CLIENT && st->client_cmds > 0))
        return 0;
    fctx_facts(ctx)->smtp.tls_started = true;
    fctx_event(ctx, "smtp.midstream_tls",
               d == DIR_TO_SERVER
                   ? "picked up in TLS: the client's first bytes are a TLS record (STARTTLS "
                     "before the capture)"
                   : "picked up in TLS: the server's first bytes are a TLS record (STARTTLS "
                     "before the capture)");
    fctx_upgrade(ctx, &tls_dissector);
    return 1;
}

/* The server's bytes after a 220 that answers a STARTTLS the capture did
 * not hold (srv_tls_next: the client's direction not captured, the 220
 * after an EHLO reply offering STARTTLS or saying TLS): a TLS handshake
 * record header (RFC 8446 §5.1: content type 22, version 3.x, a length
 * TLS allows, RFC 5246 §6.2.3) starts TLS on the server's side, which is
 * read as usual (its ServerHello, certificates, alerts); anything else is
 * read on as lines. Returns 1 = handed to TLS, 0 = not TLS, -n = need n
 * bytes. */
static int
smtp_server_tls_check(struct flow_ctx *ctx, struct smtp_state *st, const struct rd *r)
{
    if (rd_peek(r, 0) != 22 || (rd_left(r) >= 2 && rd_peek(r, 1) != 0x03))
        goto no;
    if (rd_left(r) < 5)
        return -5;
    uint32_t rlen = (uint32_t)rd_peek(r, 3) << 8 | (uint32_t)rd_peek(r, 4);
    if (rd_peek(r, 2) > 0x04 || rlen == 0 || rlen > 16384 + 2048)
        goto no;
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    f->tls_started = true;
    f->tls_server_side = true;
    f->starttls_reply_code = 220;
    if (!st->no_text)
        smtp_commit(ctx, &f->starttls_reply_text, st->text, st->text_len, st->text_cut,
                    SMTP_TEXT_MAX);
    fctx_event(ctx, "smtp.starttls_server_side",
               "client direction not captured: TLS taken from the server's 220 and record");
    st->srv_tls_next = false;
    fctx_upgrade(ctx, &tls_dissector);
    return 1;
no:
    st->srv_tls_next = false;
    return 0;
}

/* Bytes no SMTP line holds: a control character other than TAB, CR and LF
 * (RFC 5321 §4.1.1, §4.5.2: replies and commands are text; a message's
 * lines are text too but for BINARYMIME, RFC 3030 §3) among the first 64. */
static bool
smtp_binary(const struct rd *r)
{
    for (size_t i = 0; i < 64; i++) {
        int c = rd_peek(r, i);
        if (c < 0)
            return false;
        if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
            return true;
        if (c == 0x7f)
            return true;
    }
    return false;
}

/* A connection picked up midstream whose direction d begins inside binary
 * bytes: the middle of a TLS record (the rest of a Certificate, of an
 * encrypted flight: its STARTTLS before the capture). Its bytes are not
 * lines (no smtp.bad_reply_line for a record's middle), and each of its
 * deliveries that begins with a TLS record header hands the flow to TLS
 * (smtp_midstream_tls), as long as the other direction is no SMTP
 * dialogue (a BINARYMIME chunk's bytes are a message's). Returns 1 = the
 * bytes were skipped or handed to TLS, 0 = read them as lines, -n = need
 * n bytes. */
static int
smtp_midstream_binary(struct flow_ctx *ctx, struct smtp_state *st, enum dir d, struct rd *r)
{
    bool other_text = st->began[!d] && !st->binary[!d];
    if (st->began[d] && (!st->binary[d] || other_text)) {
        st->binary[d] = false;
        return 0;
    }
    int t = smtp_midstream_tls(ctx, st, d, r);
    if (t != 0)
        return t;
    if (!st->binary[d] && (other_text || !smtp_binary(r)))
        return 0;
    if (!st->binary[d])
        fctx_event(ctx, "smtp.midstream_binary",
                   d == DIR_TO_SERVER
                       ? "picked up inside the client's binary bytes (a TLS record): skipped"
                       : "picked up inside the server's binary bytes (a TLS record): skipped");
    st->began[d] = true;
    st->binary[d] = true;
    rd_skip(r, rd_left(r), "smtp.midstream_binary");
    return 1;
}

/* Consumes complete lines (and skipped raw bytes) of direction d; a partial
 * line is left unconsumed with D_NEED for one more byte. Returns D_OK with the
 * bytes up to the 220 line when the flow is handed to TLS. */
/* A line found longer than smtp.line_max, head its first line_max bytes:
 * said (a message body's lines may be of any length), and a client command
 * line is still read if it is AUTH (RFC 4954 §4 lets an AUTH line with its
 * initial response run to 12 288 octets; GSSAPI's do), so that AUTH before
 * TLS is not missed and the server's reply pairs with it. The rest of the
 * line is dropped by the caller. */
static void
smtp_line_too_long(struct flow_ctx *ctx, struct smtp_state *st, enum dir d, const uint8_t *head,
                   size_t n)
{
    if (d == DIR_TO_SERVER && st->cmode == SMTP_C_BODY)
        return;
    fctx_event(ctx, "smtp.line_too_long", "line longer than smtp.line_max");
    if (d != DIR_TO_SERVER || st->cmode != SMTP_C_COMMAND || head == NULL)
        return;
    struct rd lr = rd_init(head, n);
    uint8_t w[SMTP_WORD_MAX];
    if (smtp_ieq(w, smtp_word(&lr, w, sizeof(w)), "AUTH")) {
        lr = rd_init(head, n);
        smtp_client_command(ctx, st, &lr);
    }
}

static struct dres
smtp_data(struct flow_ctx *ctx, void *vst, enum dir d, const uint8_t *buf, uint32_t len)
{
    struct smtp_state *st = vst;
    struct smtp_line *ln = &st->ln[d];
    uint32_t line_max = fctx_config(ctx)->smtp_line_max;
    struct rd r = rd_init(buf, len);
    if (st->no_text && len > 0) {
        int t = smtp_midstream_binary(ctx, st, d, &r);
        if (t < 0)
            return dres_make(D_NEED, 0, (uint32_t)-t);
        if (t > 0)
            return dres_make(D_OK, len - (uint32_t)rd_left(&r), 0);
    }
    st->began[d] = true;
    while (rd_left(&r) > 0) {
        if (d == DIR_TO_SERVER && st->cmode == SMTP_C_STARTTLS && st->reply_lost && ln->fresh &&
            st->began[DIR_TO_CLIENT]) {
            /* The server's reply may be in bytes lost or dropped since
             * STARTTLS (a short snapshot length cuts the EHLO reply, and
             * the resync drops the 220 line after it): the client's bytes
             * prove no injection. A TLS record starts TLS (its 220 not
             * seen, smtp_tls_check); anything else is dropped unclaimed. */
            /* (none of the server's bytes captured at all: TLS is not
             * followed from the client's side alone, whose handshake
             * could not be judged, only dropped unclaimed below) */
            int t = smtp_tls_check(ctx, st, &r);
            if (t < 0)
                return dres_make(D_NEED, len - (uint32_t)rd_left(&r), (uint32_t)-t);
            if (t == 1)
                return dres_make(D_OK, len - (uint32_t)rd_left(&r), 0);
        }
        if (d == DIR_TO_SERVER && st->cmode == SMTP_C_STARTTLS && st->reply_lost) {
            size_t inj = rd_left(&r);
            bool whole = inj > 0 && rd_peek(&r, inj - 1) == '\n';
            rd_skip(&r, inj, "smtp.after_lost_reply");
            ln->scanned = 0;
            ln->discard = !whole;
            ln->fresh = whole;
            break;
        }
        if (d == DIR_TO_SERVER && st->cmode == SMTP_C_STARTTLS) {
            /* RFC 3207 §4: the client must wait for the reply. */
            struct smtp_facts *f = &fctx_facts(ctx)->smtp;
            if (!st->inject_noted)
                fctx_event(ctx, "smtp.starttls_pipelined_data",
                           "client data after STARTTLS before its reply (dropped)");
            st->inject_noted = true;
            f->starttls_pipelined = true;
            size_t inj = rd_left(&r);
            bool whole = inj > 0 && rd_peek(&r, inj - 1) == '\n';
            rd_skip(&r, inj, "smtp.injected");
            ln->scanned = 0;
            ln->discard = !whole; /* the rest of a cut line is dropped too (a 454 resumes SMTP) */
            ln->fresh = whole;
            break;
        }
        if (d == DIR_TO_CLIENT && st->srv_tls_next && ln->fresh && !ln->discard) {
            int t = smtp_server_tls_check(ctx, st, &r);
            if (t < 0)
                return dres_make(D_NEED, len - (uint32_t)rd_left(&r), (uint32_t)-t);
            if (t > 0)
                return dres_make(D_OK, len - (uint32_t)rd_left(&r), 0);
        }
        if (d == DIR_TO_SERVER && st->cmode == SMTP_C_SKIP) {
            size_t n = rd_left(&r);
            if ((uint64_t)n > st->skip_left)
                n = (size_t)st->skip_left;
            rd_skip(&r, n, st->skip_data ? "smtp.bdat_chunk" : "smtp.tls_record");
            st->skip_left -= n;
            if (st->skip_data)
                fctx_facts(ctx)->smtp.plaintext_data = true;
            if (st->skip_left == 0) {
                st->cmode = SMTP_C_COMMAND;
                ln->fresh = true;
            }
            continue;
        }
        if (d == DIR_TO_SERVER && st->cmode == SMTP_C_COMMAND && ln->fresh) {
            int t = smtp_tls_check(ctx, st, &r);
            if (t < 0)
                return dres_make(D_NEED, len - (uint32_t)rd_left(&r), (uint32_t)-t);
            if (t == 3)
                continue;
            if (t > 1)
                return dres_make(D_DONE, len - (uint32_t)rd_left(&r), 0);
            if (t > 0)
                return dres_make(D_OK, len - (uint32_t)rd_left(&r), 0);
        }
        ln->fresh = false;
        /* Line framing: search for LF past what was already searched. */
        struct rd probe = r;
        rd_skip(&probe, ln->scanned, "smtp.scanned");
        long lf = rd_find(&probe, '\n');
        if (lf < 0) {
            size_t have = rd_left(&r);
            if (ln->discard || have > line_max) {
                if (d == DIR_TO_CLIENT && st->cmode == SMTP_C_STARTTLS)
                    st->reply_lost = true; /* a reply may be in what is dropped */
                if (!ln->discard) {
                    struct rd h = r;
                    smtp_line_too_long(ctx, st, d, rd_bytes(&h, line_max, "smtp.head"), line_max);
                }
                ln->discard = true;
                ln->scanned = 0;
                rd_skip(&r, have, "smtp.discard");
                break;
            }
            ln->scanned = (uint32_t)have;
            if (d == DIR_TO_CLIENT && !st->greeting_seen && !st->no_text && smtp_reply_begins(&r))
                st->reply_begun = true;
            return dres_make(D_NEED, len - (uint32_t)have, (uint32_t)have + 1);
        }
        size_t n = ln->scanned + (size_t)lf;
        ln->scanned = 0;
        ln->fresh = true;
        const uint8_t *line = rd_bytes(&r, n, "smtp.line");
        rd_skip(&r, 1, "smtp.lf");
        bool crlf = n > 0 && line[n - 1] == '\r';
        if (ln->discard || n > line_max) {
            if (d == DIR_TO_CLIENT && st->cmode == SMTP_C_STARTTLS)
                st->reply_lost = true; /* the reply may be the line dropped */
            if (!ln->discard)
                smtp_line_too_long(ctx, st, d, line, line_max);
            ln->discard = false;
            if (d == DIR_TO_SERVER && st->cmode == SMTP_C_BODY) {
                st->body_started = true; /* a body line, however long */
                fctx_facts(ctx)->smtp.plaintext_data = true;
                st->body_crlf = crlf;
            }
            continue;
        }
        struct rd lr = rd_init(line, crlf ? n - 1 : n);
        if (d == DIR_TO_SERVER) {
            smtp_client_line(ctx, st, &lr, crlf);
        } else if (smtp_server_line(ctx, st, &lr)) {
            return dres_make(D_OK, len - (uint32_t)rd_left(&r), 0);
        }
    }
    return dres_make(D_OK, len - (uint32_t)rd_left(&r), 0);
}

static void
smtp_gap(struct flow_ctx *ctx, void *vst, enum dir d, uint64_t missing)
{
    struct smtp_state *st = vst;
    struct smtp_line *ln = &st->ln[d];
    fctx_event(ctx, "smtp.gap", d == DIR_TO_SERVER ? "client" : "server");
    ln->scanned = 0;
    ln->fresh = true;
    if (d == DIR_TO_SERVER) {
        if (st->cmode == SMTP_C_STARTTLS)
            return;
        if (st->cmode == SMTP_C_SKIP) {
            if (missing <= st->skip_left) {
                st->skip_left -= missing;
                if (st->skip_left == 0)
                    st->cmode = SMTP_C_COMMAND;
                return;
            }
            st->skip_left = 0;
            st->cmode = SMTP_C_COMMAND;
        }
        ln->discard = true; /* the partial line is gone: resynchronise at LF */
        if (st->cmode == SMTP_C_COMMAND) {
            st->tls_may_start = true; /* the lost bytes may have held STARTTLS */
            fctx_facts(ctx)->smtp.commands_cut = true;
        }
        return;
    }
    /* Lost replies: pairing cannot be trusted, start over. */
    ln->discard = true;
    st->smode = SMTP_S_START;
    smtp_flush_pending(ctx, st);
    if (st->cmode == SMTP_C_STARTTLS)
        st->cmode = SMTP_C_COMMAND; /* a ClientHello may still follow: heuristic */
}

static void
smtp_eof(struct flow_ctx *ctx, void *vst, enum dir d, uint32_t unconsumed)
{
    struct smtp_state *st = vst;
    if (unconsumed > 0 && !st->ln[d].discard)
        fctx_event(ctx, "smtp.unterminated_line",
                   d == DIR_TO_SERVER ? "client line without LF at end of stream"
                                      : "server line without LF at end of stream");
    st->ln[d].scanned = 0;
    if (d == DIR_TO_CLIENT) {
        if (st->smode == SMTP_S_CONT)
            fctx_event(ctx, "smtp.unterminated_reply", "multi-line reply without its last line");
        st->smode = SMTP_S_START;
        smtp_flush_pending(ctx, st);
    }
}

const struct dissector smtp_dissector = {"smtp",    smtp_state_new, smtp_state_free,
                                         smtp_data, smtp_gap,       smtp_eof};
