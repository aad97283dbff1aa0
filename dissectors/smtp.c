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
 * Privacy: only verbs and reply codes are kept for the dialog. SASL
 * exchanges (RFC 4954 §4: 334 challenges and client responses), message
 * bodies (DATA up to ".", §4.5.2 dot-stuffing) and BDAT chunks are skipped
 * without being stored anywhere, events included.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "cursor.h"
#include "dissector.h"
#include "smtp_words.h"

#define SMTP_TEXT_MAX  1024 /* banner / STARTTLS reply text kept */
#define SMTP_CAPS_MAX  1024 /* capability keywords kept */
#define SMTP_AUTHS_MAX 256  /* AUTH mechanisms kept */
#define SMTP_EHLO_MAX  255  /* EHLO argument (a domain name) */
#define SMTP_WORD_MAX  64   /* bytes of one keyword examined */
#define SMTP_MECH_MAX  31   /* SASL mechanism name: 20 in RFC 4422 §3.1, IANA has longer */
#define SMTP_BDAT_MAX  ((uint64_t)1 << 40) /* larger BDAT sizes are clamped */
#define SMTP_LMTP_REPLIES_MAX                                                                      \
    1000 /* replies to one LMTP dot awaited (the pending cap bounds it too) */

/* What the client's bytes are, decided by the commands and their replies. */
enum smtp_cmode {
    SMTP_C_COMMAND = 0, /* lines are commands */
    SMTP_C_SASL,        /* AUTH pending: lines are SASL responses, skipped unseen */
    SMTP_C_BODY,        /* after DATA: message lines skipped up to "." */
    SMTP_C_BDAT,        /* after BDAT n: n raw bytes skipped */
    SMTP_C_STARTTLS     /* STARTTLS sent, no reply yet: bytes are injected, dropped */
};

/* Where the server's reply framing is. */
enum smtp_smode {
    SMTP_S_START = 0, /* the next line starts a reply */
    SMTP_S_CONT       /* inside a multi-line reply (after "ddd-") */
};

/* What the reply being read answers, decided on its first line. */
enum smtp_rctx {
    SMTP_R_GREETING = 0, /* the server's greeting (banner) */
    SMTP_R_PAIRED,       /* the command at the head of the FIFO */
    SMTP_R_UNSOLICITED   /* no command pending (e.g. a 421 shutdown) */
};

enum smtp_verb {
    SMTP_V_OTHER = 0, /* not a known verb: never stored as read */
    SMTP_V_HELO,
    SMTP_V_EHLO,
    SMTP_V_LHLO,
    SMTP_V_MAIL,
    SMTP_V_RCPT,
    SMTP_V_DATA,
    SMTP_V_BDAT,
    SMTP_V_RSET,
    SMTP_V_VRFY,
    SMTP_V_EXPN,
    SMTP_V_HELP,
    SMTP_V_NOOP,
    SMTP_V_QUIT,
    SMTP_V_STARTTLS,
    SMTP_V_ANONTLS,
    SMTP_V_AUTH,
    SMTP_V_ETRN,
    SMTP_V_ATRN,
    SMTP_V_TURN,
    SMTP_V_BURL,
    SMTP_V_XCLIENT,
    SMTP_V_XFORWARD,
    SMTP_V_EOM, /* pseudo command: the "." ending a DATA body */
    SMTP_V_COUNT
};

static const char *const smtp_verb_names[SMTP_V_COUNT] = {
    "OTHER", "HELO", "EHLO", "LHLO", "MAIL", "RCPT",    "DATA",     "BDAT",
    "RSET",  "VRFY", "EXPN", "HELP", "NOOP", "QUIT",    "STARTTLS", "X-ANONYMOUSTLS",
    "AUTH",  "ETRN", "ATRN", "TURN", "BURL", "XCLIENT", "XFORWARD", "EOM"};

struct smtp_cmd {
    uint8_t verb; /* enum smtp_verb */
    bool last;    /* BDAT ... LAST */
};

/* Line framing of one direction. */
struct smtp_line {
    uint32_t scanned; /* bytes of the buffered partial line already searched for LF */
    bool discard;     /* dropping an over-long or post-gap line up to its LF */
    bool fresh;       /* at a line start not yet examined (TLS heuristic) */
};

struct smtp_state {
    struct smtp_line ln[2];
    enum smtp_cmode cmode;
    bool body_started;    /* SMTP_C_BODY: a body line was seen */
    bool body_crlf;       /* SMTP_C_BODY: the last line ended in CRLF (the DATA line does) */
    bool inject_noted;    /* SMTP_C_STARTTLS: injected data already reported */
    bool lmtp;            /* the client said LHLO (RFC 2033) */
    uint32_t rcpt_ok;     /* RCPTs of this transaction answered 2xx */
    bool eom_counted;     /* the message of the EOM replies being read was counted */
    uint64_t bdat_left;   /* SMTP_C_BDAT: bytes still to skip */
    uint32_t client_cmds; /* complete client lines read as commands */
    /* server reply being read */
    enum smtp_smode smode;
    enum smtp_rctx rctx;
    uint8_t rverb; /* SMTP_R_PAIRED: the command it answers */
    int16_t rcode;
    uint32_t rlines;
    bool r_starttls, r_anontls; /* EHLO reply: keywords seen in this reply */
    bool greeting_seen;
    bool caps_done;     /* capabilities recorded from a 2xx EHLO reply */
    bool greet_replied; /* ehlo_reply_code recorded */
    /* pending commands: ring buffer of fifo_cap entries */
    struct smtp_cmd *fifo;
    uint32_t fifo_cap, fifo_head, fifo_n;
    /* accumulators (copied into the facts when the reply ends): lengths
     * here, bytes last (text on), which smtp_state_new() does not zero */
    uint32_t text_len;
    bool text_cut;
    uint32_t caps_len;
    bool caps_cut;
    uint32_t auths_len;
    bool auths_cut;
    uint64_t caps_seen, auths_seen; /* smtp_list_add's filters */
    uint8_t text[SMTP_TEXT_MAX];
    uint8_t caps[SMTP_CAPS_MAX];
    uint8_t auths[SMTP_AUTHS_MAX];
};

static enum smtp_verb
smtp_verb_lookup(const uint8_t *w, size_t n)
{
    for (unsigned v = SMTP_V_HELO; v < SMTP_V_EOM; v++)
        if (smtp_ieq(w, n, smtp_verb_names[v]))
            return (enum smtp_verb)v;
    return SMTP_V_OTHER;
}

/* ---- facts ---- */

static void
smtp_dialog_add(struct flow_ctx *ctx, const char *verb, int16_t code)
{
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    if (f->n_dialog >= FACTS_DIALOG_MAX) {
        f->dialog_truncated = true;
        return;
    }
    struct smtp_exchange *e = &f->dialog[f->n_dialog++];
    size_t l = strlen(verb);
    if (l >= sizeof(e->verb))
        l = sizeof(e->verb) - 1;
    memcpy(e->verb, verb, l);
    e->verb[l] = '\0';
    e->code = code;
    e->plaintext = true; /* everything this dissector sees precedes TLS */
}

/* Copies an accumulator into a facts string, keeping the cut mark. */
static void
smtp_commit(struct flow_ctx *ctx, struct fstr *s, const uint8_t *buf, uint32_t len, bool cut,
            size_t max)
{
    if (fctx_setstr(ctx, s, buf, len, max) && cut)
        s->truncated = true;
}

/* ---- pending commands ---- */

static bool
smtp_push(struct flow_ctx *ctx, struct smtp_state *st, enum smtp_verb v, bool last)
{
    if (st->fifo_n >= st->fifo_cap) {
        fctx_event(ctx, "smtp.pending_cap", "more pipelined commands than smtp.pending_cmds");
        return false;
    }
    struct smtp_cmd *c = &st->fifo[(st->fifo_head + st->fifo_n) % st->fifo_cap];
    c->verb = (uint8_t)v;
    c->last = last;
    st->fifo_n++;
    return true;
}

/* A reply awaited before every pending command (LMTP's per recipient). */
static bool
smtp_push_front(struct flow_ctx *ctx, struct smtp_state *st, enum smtp_verb v)
{
    if (st->fifo_n >= st->fifo_cap) {
        fctx_event(ctx, "smtp.pending_cap", "more pipelined commands than smtp.pending_cmds");
        return false;
    }
    st->fifo_head = (st->fifo_head + st->fifo_cap - 1) % st->fifo_cap;
    st->fifo[st->fifo_head].verb = (uint8_t)v;
    st->fifo[st->fifo_head].last = false;
    st->fifo_n++;
    return true;
}

static struct smtp_cmd
smtp_pop(struct smtp_state *st)
{
    struct smtp_cmd c = st->fifo[st->fifo_head];
    st->fifo_head = (st->fifo_head + 1) % st->fifo_cap;
    st->fifo_n--;
    return c;
}

/* Commands that will never see their reply go to the dialog with code 0. */
static void
smtp_flush_pending(struct flow_ctx *ctx, struct smtp_state *st)
{
    while (st->fifo_n > 0) {
        struct smtp_cmd c = smtp_pop(st);
        smtp_dialog_add(ctx, smtp_verb_names[c.verb], 0);
    }
}

/* ---- client side ---- */

/* The client's message body begins (after DATA, or a 354 whose DATA was
 * lost): its lines are skipped up to CRLF "." CRLF, never read as commands. */
static void
smtp_body_begin(struct smtp_state *st)
{
    st->cmode = SMTP_C_BODY;
    st->body_started = false;
    st->body_crlf = true; /* the DATA line ended in CRLF */
}

/* Handles one complete client command line (CR LF removed). */
static void
smtp_client_command(struct flow_ctx *ctx, struct smtp_state *st, struct rd *lr)
{
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    uint8_t w[SMTP_WORD_MAX];
    size_t n = smtp_word(lr, w, sizeof(w));
    enum smtp_verb v = n <= 15 ? smtp_verb_lookup(w, n) : SMTP_V_OTHER;
    st->client_cmds++;
    if (v != SMTP_V_OTHER)
        f->seen = true;
    switch (v) {
    case SMTP_V_HELO:
    case SMTP_V_EHLO:
    case SMTP_V_LHLO:
        st->lmtp = v == SMTP_V_LHLO;
        if (f->ehlo_verb[0] == '\0') {
            memcpy(f->ehlo_verb, smtp_verb_names[v], 5);
            smtp_skip_sp(lr);
            size_t al = rd_left(lr);
            while (al > 0 && (rd_peek(lr, al - 1) == ' ' || rd_peek(lr, al - 1) == '\t'))
                al--;
            const uint8_t *arg = rd_bytes(lr, al, "smtp.ehlo");
            if (arg != NULL)
                fctx_setstr(ctx, &f->ehlo, arg, al, SMTP_EHLO_MAX);
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
            st->cmode = SMTP_C_BDAT;
            st->bdat_left = size;
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
        if (f->auth_mechanism[0] == '\0' || f->auth_mechanism[0] == '?') {
            /* The mechanism name only (RFC 4422 §3.1 charset), and only one
             * the server offered or a registered one: "AUTH <token>" with
             * the mechanism left out puts a credential here, and base64
             * passes the charset (a client's own word is never written). */
            bool ok = n > 0 && n <= SMTP_MECH_MAX;
            for (size_t i = 0; ok && i < n; i++) {
                uint8_t c = smtp_upper(w[i]);
                ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            }
            ok = ok && (smtp_sasl_known(w, n) || smtp_list_has(st->auths, st->auths_len, w, n) ||
                        smtp_list_has(f->auth_mechanisms.s, f->auth_mechanisms.len, w, n));
            if (ok) {
                for (size_t i = 0; i < n; i++)
                    f->auth_mechanism[i] = (char)smtp_upper(w[i]);
                f->auth_mechanism[n] = '\0';
            } else {
                memcpy(f->auth_mechanism, "?", 2);
            }
        }
        bool pushed = smtp_push(ctx, st, v, false);
        if (!ir || !pushed) /* even uncounted: responses are never read as commands */
            st->cmode = SMTP_C_SASL;
        break;
    }
    case SMTP_V_STARTTLS:
    case SMTP_V_ANONTLS:
        f->starttls_command = true;
        memcpy(f->starttls_verb, smtp_verb_names[v], strlen(smtp_verb_names[v]) + 1);
        if (smtp_push(ctx, st, v, false)) {
            st->cmode = SMTP_C_STARTTLS;
            st->inject_noted = false;
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
    case SMTP_C_BDAT:
    case SMTP_C_STARTTLS:
        break; /* not line based: handled in smtp_data() */
    }
}

/* ---- server side ---- */

/* An EHLO reply line after the first: "keyword [params]" (RFC 5321 §4.1.1.1). */
static void
smtp_ehlo_line(struct flow_ctx *ctx, struct smtp_state *st, struct rd *lr)
{
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    uint8_t w[SMTP_WORD_MAX];
    size_t n = smtp_word(lr, w, sizeof(w));
    size_t k = n < sizeof(w) ? n : sizeof(w);
    size_t kw = k; /* keyword length, "AUTH=PLAIN" counts as "AUTH" */
    bool auth_eq = k > 5 && smtp_upper(w[0]) == 'A' && smtp_ieq(w, 5, "AUTH=");
    if (auth_eq)
        kw = 4;
    smtp_list_add(st->caps, &st->caps_len, &st->caps_cut, &st->caps_seen, SMTP_CAPS_MAX, w, kw);
    if (smtp_ieq(w, kw, "STARTTLS"))
        st->r_starttls = true;
    else if (smtp_ieq(w, kw, "X-ANONYMOUSTLS"))
        st->r_anontls = true;
    else if (smtp_ieq(w, kw, "AUTH")) {
        if (auth_eq)
            smtp_list_add(st->auths, &st->auths_len, &st->auths_cut, &st->auths_seen,
                          SMTP_AUTHS_MAX, w + 5, k - 5);
        uint8_t m[SMTP_WORD_MAX];
        size_t mn;
        while ((mn = smtp_word(lr, m, sizeof(m))) > 0)
            smtp_list_add(st->auths, &st->auths_len, &st->auths_cut, &st->auths_seen,
                          SMTP_AUTHS_MAX, m, mn < sizeof(m) ? mn : sizeof(m));
    } else {
        /* A keyword blanked by a middlebox: all X ("XXXXXXXX"), or the
         * length of STARTTLS and mostly X (Cisco ASA "XXXXXXXA"). */
        size_t xs = 0;
        if (k == 8 || (k >= 4 && smtp_upper(w[0]) == 'X')) /* else neither can hold */
            for (size_t i = 0; i < k; i++)
                xs += smtp_upper(w[i]) == 'X';
        if ((k >= 4 && xs == k) || (k == 8 && xs >= 6)) {
            if (f->stripped_capability.s == NULL)
                fctx_setstr(ctx, &f->stripped_capability, w, k, SMTP_WORD_MAX);
        }
    }
}

/* Appends a reply line's text to the text accumulator (lines joined by LF). */
static void
smtp_text_add(struct smtp_state *st, struct rd *lr)
{
    if (st->rlines > 0) {
        if (st->text_len < SMTP_TEXT_MAX)
            st->text[st->text_len++] = '\n';
        else
            st->text_cut = true;
    }
    size_t n = rd_left(lr);
    size_t room = SMTP_TEXT_MAX - st->text_len;
    if (n > room) {
        st->text_cut = true;
        n = room;
    }
    if (rd_copy(lr, st->text + st->text_len, n, "smtp.reply_text"))
        st->text_len += (uint32_t)n;
}

static void
smtp_greeting_done(struct flow_ctx *ctx, struct smtp_state *st)
{
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    f->seen = true;
    f->banner_code = st->rcode;
    smtp_commit(ctx, &f->banner, st->text, st->text_len, st->text_cut, SMTP_TEXT_MAX);
    uint32_t a = 0;
    while (a < st->text_len && st->text[a] == ' ')
        a++;
    uint32_t b = a;
    while (b < st->text_len && st->text[b] != ' ' && st->text[b] != '\n' && st->text[b] != '\t')
        b++;
    if (b > a)
        fctx_setstr(ctx, &f->banner_host, st->text + a, b - a, SMTP_EHLO_MAX);
}

/* The final line of a reply to the command at the FIFO head. Returns true
 * when the flow was handed to TLS. */
static bool
smtp_paired_done(struct flow_ctx *ctx, struct smtp_state *st)
{
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    int16_t code = st->rcode;
    if (st->fifo_n == 0) /* cannot happen: the context was chosen with a head */
        return false;
    if (st->fifo[st->fifo_head].verb == SMTP_V_AUTH && code == 334) {
        if (st->cmode == SMTP_C_COMMAND) /* after an initial response: a response is due */
            st->cmode = SMTP_C_SASL;
        return false; /* SASL challenge: AUTH stays pending, its text is never kept */
    }
    struct smtp_cmd c = smtp_pop(st);
    smtp_dialog_add(ctx, smtp_verb_names[c.verb], code);
    switch (c.verb) {
    case SMTP_V_HELO:
    case SMTP_V_EHLO:
    case SMTP_V_LHLO:
        if (!st->greet_replied) {
            st->greet_replied = true;
            f->ehlo_reply_code = code;
        }
        if (c.verb == SMTP_V_HELO)
            break;
        if (st->r_starttls)
            f->starttls_offered = 1;
        else if (f->starttls_offered < 0)
            f->starttls_offered = 0;
        if (st->r_anontls)
            f->anonymoustls_offered = true;
        if (!st->caps_done && code >= 200 && code < 300) {
            st->caps_done = true;
            smtp_commit(ctx, &f->capabilities, st->caps, st->caps_len, st->caps_cut, SMTP_CAPS_MAX);
            if (st->auths_len > 0)
                smtp_commit(ctx, &f->auth_mechanisms, st->auths, st->auths_len, st->auths_cut,
                            SMTP_AUTHS_MAX);
        }
        break;
    case SMTP_V_STARTTLS:
    case SMTP_V_ANONTLS:
        f->starttls_reply_code = code;
        smtp_commit(ctx, &f->starttls_reply_text, st->text, st->text_len, st->text_cut,
                    SMTP_TEXT_MAX);
        if (code == 220) {
            f->tls_started = true;
            fctx_upgrade(ctx, &tls_dissector);
            return true;
        }
        fctx_event(ctx, "smtp.starttls_rejected", NULL);
        if (st->cmode == SMTP_C_STARTTLS)
            st->cmode = SMTP_C_COMMAND;
        break;
    case SMTP_V_AUTH:
        if (st->cmode == SMTP_C_SASL)
            st->cmode = SMTP_C_COMMAND;
        break;
    case SMTP_V_DATA:
        if (code != 354 && st->cmode == SMTP_C_BODY && !st->body_started)
            st->cmode = SMTP_C_COMMAND;
        break;
    case SMTP_V_EOM:
        if (c.last)
            st->eom_counted = false;
        if (code == 250 && !st->eom_counted) { /* one message, whatever the recipients */
            f->plaintext_messages++;
            st->eom_counted = true;
        }
        break;
    case SMTP_V_RCPT:
        if (code >= 200 && code < 300)
            st->rcpt_ok++;
        break;
    case SMTP_V_BDAT:
        if (!c.last)
            break;
        st->eom_counted = code == 250;
        if (code == 250)
            f->plaintext_messages++;
        /* LMTP answers BDAT LAST once per accepted recipient, as it does
         * the dot (RFC 2033 §4.3): the others come before any command
         * pipelined after it. The RCPT replies are all in by now. */
        for (uint32_t i = 1; st->lmtp && i < st->rcpt_ok && i < SMTP_LMTP_REPLIES_MAX; i++)
            if (!smtp_push_front(ctx, st, SMTP_V_EOM))
                break;
        break;
    default:
        break;
    }
    return false;
}

/* One complete server line. Returns true when the flow was handed to TLS. */
static bool
smtp_server_line(struct flow_ctx *ctx, struct smtp_state *st, struct rd *lr)
{
    int d0 = rd_peek(lr, 0), d1 = rd_peek(lr, 1), d2 = rd_peek(lr, 2), sep = rd_peek(lr, 3);
    if (d0 < '0' || d0 > '9' || d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9' ||
        (sep != -1 && sep != ' ' && sep != '-')) {
        fctx_event(ctx, "smtp.bad_reply_line", "server line is not \"ddd[ -]text\"");
        return false;
    }
    int16_t code = (int16_t)((d0 - '0') * 100 + (d1 - '0') * 10 + (d2 - '0'));
    rd_skip(lr, sep == -1 ? 3 : 4, "smtp.reply_code");
    if (st->smode == SMTP_S_START) {
        struct smtp_cmd *head = st->fifo_n ? &st->fifo[st->fifo_head] : NULL;
        bool tls_head =
            head != NULL && (head->verb == SMTP_V_STARTTLS || head->verb == SMTP_V_ANONTLS);
        bool greet_code = code == 220 || code == 421 || code == 554;
        if (!st->greeting_seen && (head == NULL || (greet_code && !tls_head)))
            st->rctx = SMTP_R_GREETING;
        else if (head != NULL)
            st->rctx = SMTP_R_PAIRED;
        else
            st->rctx = SMTP_R_UNSOLICITED;
        st->greeting_seen = true;
        st->rverb = head != NULL ? head->verb : SMTP_V_OTHER;
        st->rcode = code;
        st->rlines = 0;
        st->text_len = 0;
        st->text_cut = false;
        st->caps_len = st->auths_len = 0;
        st->caps_cut = st->auths_cut = false;
        st->caps_seen = st->auths_seen = 0;
        st->r_starttls = st->r_anontls = false;
    } else if (code != st->rcode) {
        fctx_event(ctx, "smtp.reply_code_mismatch", "multi-line reply changed its code");
    }
    bool ehlo = st->rctx == SMTP_R_PAIRED &&
                (st->rverb == SMTP_V_EHLO || st->rverb == SMTP_V_LHLO) && code != 334;
    bool keep_text = st->rctx == SMTP_R_GREETING ||
                     (st->rctx == SMTP_R_PAIRED &&
                      (st->rverb == SMTP_V_STARTTLS || st->rverb == SMTP_V_ANONTLS));
    if (keep_text)
        smtp_text_add(st, lr);
    else if (ehlo && st->rlines > 0)
        smtp_ehlo_line(ctx, st, lr);
    st->rlines++;
    if (sep == '-') {
        st->smode = SMTP_S_CONT;
        return false;
    }
    st->smode = SMTP_S_START;
    switch (st->rctx) {
    case SMTP_R_GREETING:
        smtp_greeting_done(ctx, st);
        return false;
    case SMTP_R_UNSOLICITED:
        smtp_dialog_add(ctx, "", code);
        if (st->cmode == SMTP_C_SASL && code != 334)
            st->cmode = SMTP_C_COMMAND; /* AUTH lost (gap or cap): its answer came */
        if (code == 354 && st->cmode == SMTP_C_COMMAND)
            smtp_body_begin(st); /* DATA lost (a gap): the message comes next all the same */
        return false;
    case SMTP_R_PAIRED:
        return smtp_paired_done(ctx, st);
    }
    return false;
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

/* Client bytes at a line start in command mode that open a TLS record
 * (RFC 8446 §5.1: 0x16 0x03 0x0[0-4]): TLS without a 220 to STARTTLS.
 * Returns 1 = TLS (upgrade requested), 2 = not SMTP (stop), 0 = not TLS,
 * -1 = need 3 bytes. */
static int
smtp_tls_check(struct flow_ctx *ctx, struct smtp_state *st, const struct rd *r)
{
    if (rd_peek(r, 0) != 0x16 || (rd_left(r) >= 2 && rd_peek(r, 1) != 0x03))
        return 0;
    if (rd_left(r) < 3)
        return -1;
    if (rd_peek(r, 1) != 0x03 || rd_peek(r, 2) > 0x04)
        return 0;
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    if (st->client_cmds == 0 && !st->greeting_seen) {
        f->implicit_tls = true;
    } else if (f->ehlo_verb[0] == '\0' && !f->starttls_command) {
        /* RFC 5321 §4.1.4: an SMTP client greets with EHLO/HELO first. A
         * "220" greeting, other commands and then TLS is another protocol's
         * upgrade (FTP AUTH TLS, RFC 4217): not SMTP, stop here. */
        fctx_event(ctx, "smtp.not_smtp",
                   "TLS after a dialogue without EHLO/HELO (another protocol)");
        f->seen = false;
        return 2;
    } else {
        fctx_event(ctx, "smtp.tls_without_starttls_reply",
                   "client TLS record without a 220 reply to STARTTLS");
    }
    fctx_upgrade(ctx, &tls_dissector);
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
    while (rd_left(&r) > 0) {
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
        if (d == DIR_TO_SERVER && st->cmode == SMTP_C_BDAT) {
            size_t n = rd_left(&r);
            if ((uint64_t)n > st->bdat_left)
                n = (size_t)st->bdat_left;
            rd_skip(&r, n, "smtp.bdat_chunk");
            st->bdat_left -= n;
            fctx_facts(ctx)->smtp.plaintext_data = true;
            if (st->bdat_left == 0) {
                st->cmode = SMTP_C_COMMAND;
                ln->fresh = true;
            }
            continue;
        }
        if (d == DIR_TO_SERVER && st->cmode == SMTP_C_COMMAND && ln->fresh) {
            int t = smtp_tls_check(ctx, st, &r);
            if (t < 0)
                return dres_make(D_NEED, len - (uint32_t)rd_left(&r), 3);
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
            return dres_make(D_NEED, len - (uint32_t)have, (uint32_t)have + 1);
        }
        size_t n = ln->scanned + (size_t)lf;
        ln->scanned = 0;
        ln->fresh = true;
        const uint8_t *line = rd_bytes(&r, n, "smtp.line");
        rd_skip(&r, 1, "smtp.lf");
        bool crlf = n > 0 && line[n - 1] == '\r';
        if (ln->discard || n > line_max) {
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
        if (st->cmode == SMTP_C_BDAT) {
            if (missing <= st->bdat_left) {
                st->bdat_left -= missing;
                if (st->bdat_left == 0)
                    st->cmode = SMTP_C_COMMAND;
                return;
            }
            st->bdat_left = 0;
            st->cmode = SMTP_C_COMMAND;
        }
        ln->discard = true; /* the partial line is gone: resynchronise at LF */
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
