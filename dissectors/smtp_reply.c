/* \summary: SMTP replies (RFC 5321 §4.2): multi-line framing, the greeting,
 * the EHLO reply's keywords (§4.1.1.1; STARTTLS RFC 3207, AUTH RFC 4954
 * §3), and each reply paired with the oldest pending command (PIPELINING,
 * RFC 2920), which decides what the client's next bytes are. Part of the
 * SMTP dissector (smtp.c, smtp_int.h). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smtp_int.h"
#include "smtp_words.h"

const char *const smtp_verb_names[SMTP_V_COUNT] = {
    "OTHER", "HELO", "EHLO", "LHLO",    "MAIL",     "RCPT",     "DATA",           "BDAT", "RSET",
    "VRFY",  "EXPN", "HELP", "NOOP",    "QUIT",     "STARTTLS", "X-ANONYMOUSTLS", "AUTH", "ETRN",
    "ATRN",  "TURN", "BURL", "XCLIENT", "XFORWARD", "EOM",      "XXXXXXXX"};

/* ---- facts ---- */

void
smtp_dialog_add(struct flow_ctx *ctx, const char *verb, int16_t code, const int8_t *esc,
                int16_t esc_detail)
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
    e->esc_class = esc ? esc[0] : -1;
    e->esc_subject = esc ? esc[1] : -1;
    e->esc_detail = esc ? esc_detail : -1;
    e->plaintext = true; /* everything this dissector sees precedes TLS */
}

/* Copies an accumulator into a facts string, keeping the cut mark. */
void
smtp_commit(struct flow_ctx *ctx, struct fstr *s, const uint8_t *buf, uint32_t len, bool cut,
            size_t max)
{
    if (fctx_setstr(ctx, s, buf, len, max) && cut)
        s->truncated = true;
}

/* ---- pending commands ---- */

bool
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
bool
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

struct smtp_cmd
smtp_pop(struct smtp_state *st)
{
    struct smtp_cmd c = st->fifo[st->fifo_head];
    st->fifo_head = (st->fifo_head + 1) % st->fifo_cap;
    st->fifo_n--;
    return c;
}

/* Commands that will never see their reply go to the dialog with code 0. */
void
smtp_flush_pending(struct flow_ctx *ctx, struct smtp_state *st)
{
    while (st->fifo_n > 0) {
        struct smtp_cmd c = smtp_pop(st);
        smtp_dialog_add(ctx, smtp_verb_names[c.verb], 0, NULL, -1);
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
    if (b > a && smtp_hostname_like(st->text + a, b - a))
        fctx_setstr(ctx, &f->banner_host, st->text + a, b - a, SMTP_EHLO_MAX);
}

/* The last line of the reply to EHLO, LHLO or HELO (helo: no keywords). */
static void
smtp_ehlo_done(struct flow_ctx *ctx, struct smtp_state *st, int16_t code, bool helo)
{
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    if (!st->greet_replied) {
        st->greet_replied = true;
        f->ehlo_reply_code = code;
    }
    if (helo)
        return;
    if (st->r_starttls)
        f->starttls_offered = 1;
    else if (f->starttls_offered < 0)
        f->starttls_offered = 0;
    if (st->r_anontls)
        f->anonymoustls_offered = true;
    if (code >= 200 && code < 300 && !st->no_text) /* the last one in clear */
        f->ehlo_reply_bytes = (uint16_t)(st->r_bytes < UINT16_MAX ? st->r_bytes : UINT16_MAX);
    if (!st->caps_done && code >= 200 && code < 300 && !st->no_text) {
        st->caps_done = true;
        smtp_commit(ctx, &f->capabilities, st->caps, st->caps_len, st->caps_cut, SMTP_CAPS_MAX);
        if (st->auths_len > 0)
            smtp_commit(ctx, &f->auth_mechanisms, st->auths, st->auths_len, st->auths_cut,
                        SMTP_AUTHS_MAX);
    }
}

/* The reply text read (a 220's, a 454's) holds the word TLS, as replies to STARTTLS
 * do ("2.0.0 Ready to start TLS" Postfix, "TLS go ahead" Exim). */
static bool
smtp_text_says_tls(const struct smtp_state *st)
{
    struct rd t = rd_init(st->text, st->text_len);
    for (size_t i = 0; i + 3 <= rd_left(&t); i++) {
        if (smtp_upper((uint8_t)rd_peek(&t, i)) != 'T' ||
            smtp_upper((uint8_t)rd_peek(&t, i + 1)) != 'L' ||
            smtp_upper((uint8_t)rd_peek(&t, i + 2)) != 'S')
            continue;
        int b = i > 0 ? smtp_upper((uint8_t)rd_peek(&t, i - 1)) : ' ';
        int a = rd_peek(&t, i + 3) >= 0 ? smtp_upper((uint8_t)rd_peek(&t, i + 3)) : ' ';
        bool word_b = (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
        bool word_a = (a >= 'A' && a <= 'Z') || (a >= '0' && a <= '9');
        if (!word_b && !word_a)
            return true;
    }
    return false;
}

/* The reply text read holds "AUTH" anywhere ("authentication" too). */
static bool
smtp_text_says_auth(const struct smtp_state *st)
{
    struct rd t = rd_init(st->text, st->text_len);
    for (size_t i = 0; i + 4 <= rd_left(&t); i++)
        if (smtp_upper((uint8_t)rd_peek(&t, i)) == 'A' &&
            smtp_upper((uint8_t)rd_peek(&t, i + 1)) == 'U' &&
            smtp_upper((uint8_t)rd_peek(&t, i + 2)) == 'T' &&
            smtp_upper((uint8_t)rd_peek(&t, i + 3)) == 'H')
            return true;
    return false;
}

/* A reply no command of which was seen, while the client's direction is
 * not captured at all (smtp_client_unseen): the server's side alone. A
 * multi-line 250 right after the greeting is its EHLO reply (RFC 5321 §4.1.1.1:
 * the only command answered so, its keywords read), and a 220 after an
 * EHLO reply offering STARTTLS, or saying TLS, answers a STARTTLS (RFC
 * 3207 §4): its next bytes, if a TLS record, start TLS (smtp.c). A 454
 * right after an EHLO reply offering STARTTLS whose text names TLS ("454
 * 4.7.0 TLS not available due to local problem") is RFC 3207 §4's refusal
 * of it: no other command is answered 454 there but AUTH (RFC 4954 §6,
 * "454 4.7.0 Temporary authentication failure"), whose text names no TLS,
 * and a text that says AUTH is left alone; RCPT's 454 (Postfix's "Relay
 * access denied") comes after MAIL's reply, never right after EHLO's. */
static void
smtp_unseen_client_done(struct flow_ctx *ctx, struct smtp_state *st, int16_t code)
{
    if (st->r_ehlo_inferred) {
        smtp_ehlo_done(ctx, st, code, false);
        st->srv_starttls = st->r_starttls || st->r_anontls;
    }
    if (code == 220 && smtp_client_unseen(st) && (st->srv_starttls || smtp_text_says_tls(st)))
        st->srv_tls_next = true;
    struct smtp_facts *f = &fctx_facts(ctx)->smtp;
    /* the EHLO reply the first of the dialogue (r_ehlo_inferred), this
     * one the second */
    if (code == 454 && smtp_client_unseen(st) && st->srv_starttls && f->n_dialog == 2 &&
        !st->no_text && smtp_text_says_tls(st) && !smtp_text_says_auth(st)) {
        f->tls_server_side = true;
        f->starttls_reply_code = 454;
        smtp_commit(ctx, &f->starttls_reply_text, st->text, st->text_len, st->text_cut,
                    SMTP_TEXT_MAX);
        fctx_event(ctx, "smtp.starttls_rejected",
                   "client direction not captured: STARTTLS taken from the server's 454 after "
                   "its EHLO reply");
    }
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
    smtp_dialog_add(ctx, smtp_verb_names[c.verb], code, st->resc, st->resc_detail);
    switch (c.verb) {
    case SMTP_V_HELO:
    case SMTP_V_EHLO:
    case SMTP_V_LHLO:
        smtp_ehlo_done(ctx, st, code, c.verb == SMTP_V_HELO);
        break;
    case SMTP_V_STARTTLS:
    case SMTP_V_ANONTLS:
        f->starttls_reply_code = code;
        if (!st->no_text)
            smtp_commit(ctx, &f->starttls_reply_text, st->text, st->text_len, st->text_cut,
                        SMTP_TEXT_MAX);
        if (code == 220) {
            f->tls_started = true;
            fctx_upgrade(ctx, &tls_dissector);
            return true;
        }
        fctx_event(ctx, "smtp.starttls_rejected", NULL);
        /* RFC 3207 §4: TLS starts only after a 220. The server reads on in
         * SMTP, so a ClientHello the client sends all the same (openssl
         * s_client does) is no TLS (smtp_tls_check). */
        st->tls_may_start = false;
        st->tls_refused = true;
        if (st->cmode == SMTP_C_STARTTLS)
            st->cmode = SMTP_C_COMMAND;
        break;
    case SMTP_V_MASKED:
        /* the server never saw STARTTLS: it answers an unknown command
         * (500 5.5.2), and a ClientHello the client sends all the same
         * (openssl s_client does) is answered as one more (smtp_tls_check) */
        if (f->starttls_masked_code == 0)
            f->starttls_masked_code = code;
        st->tls_may_start = false;
        st->tls_refused = true;
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

/* RFC 3463 §2: a reply's text may begin with an enhanced status code
 * "class.subject.detail", class 2, 4 or 5, subject and detail of one to
 * three digits. Its class should be the reply's first digit (RFC 2034 §4),
 * but servers do not all keep to it (the Exim of the bundled captures
 * answers "451 5.7.3"): any class is taken. Reads the subject and detail
 * at lr's start, if any (-1 when none); lr is not moved. */
static void
smtp_esc(const struct rd *lr, int8_t *cls, int8_t *subject, int16_t *detail)
{
    *cls = *subject = -1;
    *detail = -1;
    int c0 = rd_peek(lr, 0);
    if ((c0 != '2' && c0 != '4' && c0 != '5') || rd_peek(lr, 1) != '.')
        return;
    int v[2] = {0, 0};
    size_t at = 2;
    for (int k = 0; k < 2; k++) {
        size_t n = 0;
        for (int c; n < 3 && (c = rd_peek(lr, at)) >= '0' && c <= '9'; n++, at++)
            v[k] = v[k] * 10 + (c - '0');
        if (n == 0 || (k == 0 && rd_peek(lr, at++) != '.'))
            return;
    }
    int end = rd_peek(lr, at);
    if (end != -1 && end != ' ' && end != '\t')
        return;
    *cls = (int8_t)(c0 - '0');
    *subject = (int8_t)v[0];
    *detail = (int16_t)v[1];
}

/* One complete server line. Returns true when the flow was handed to TLS. */
bool
smtp_server_line(struct flow_ctx *ctx, struct smtp_state *st, struct rd *lr)
{
    int d0 = rd_peek(lr, 0), d1 = rd_peek(lr, 1), d2 = rd_peek(lr, 2), sep = rd_peek(lr, 3);
    if (d0 < '0' || d0 > '9' || d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9' ||
        (sep != -1 && sep != ' ' && sep != '-')) {
        fctx_event(ctx, "smtp.bad_reply_line", "server line is not \"ddd[ -]text\"");
        return false;
    }
    int16_t code = (int16_t)((d0 - '0') * 100 + (d1 - '0') * 10 + (d2 - '0'));
    uint32_t line_bytes = (uint32_t)rd_left(lr) + 2u; /* with its CRLF */
    rd_skip(lr, sep == -1 ? 3 : 4, "smtp.reply_code");
    st->srv_tls_next = false; /* a line came, not a TLS record */
    if (st->smode == SMTP_S_START) {
        bool greeted = st->greeting_seen;
        struct smtp_cmd *head = st->fifo_n ? &st->fifo[st->fifo_head] : NULL;
        bool tls_head =
            head != NULL && (head->verb == SMTP_V_STARTTLS || head->verb == SMTP_V_ANONTLS);
        /* RFC 5321 §4.2, §3.1: the greeting is a 220, or a 554 or 421
         * refusing service; any other first reply (a 250 whose first lines
         * a gap took, delivered before its EHLO) answers a command */
        bool greet_code = code == 220 || code == 421 || code == 554;
        if (!st->greeting_seen && !st->no_text && greet_code && (head == NULL || !tls_head))
            st->rctx = SMTP_R_GREETING;
        else if (head != NULL)
            st->rctx = SMTP_R_PAIRED;
        else
            st->rctx = SMTP_R_UNSOLICITED;
        st->greeting_seen = true;
        st->rverb = head != NULL ? head->verb : SMTP_V_OTHER;
        st->rcode = code;
        smtp_esc(lr, &st->resc[0], &st->resc[1], &st->resc_detail);
        st->rlines = 0;
        st->text_len = 0;
        st->text_cut = false;
        st->caps_len = st->auths_len = 0;
        st->caps_cut = st->auths_cut = false;
        st->caps_seen = st->auths_seen = 0;
        st->r_starttls = st->r_anontls = false;
        st->r_bytes = 0;
        /* the first reply after the greeting (RFC 5321 §4.1.4: EHLO comes
         * first), not a later multi-line 250 (EXPN's list) */
        st->r_ehlo_inferred = st->rctx == SMTP_R_UNSOLICITED && greeted && code == 250 &&
                              sep == '-' && !st->caps_done && smtp_client_unseen(st) &&
                              fctx_facts(ctx)->smtp.n_dialog == 0;
    } else if (code != st->rcode) {
        fctx_event(ctx, "smtp.reply_code_mismatch", "multi-line reply changed its code");
    }
    bool ehlo = (st->rctx == SMTP_R_PAIRED &&
                 (st->rverb == SMTP_V_EHLO || st->rverb == SMTP_V_LHLO) && code != 334) ||
                st->r_ehlo_inferred;
    bool keep_text =
        st->rctx == SMTP_R_GREETING ||
        (st->rctx == SMTP_R_PAIRED && !st->no_text &&
         (st->rverb == SMTP_V_STARTTLS || st->rverb == SMTP_V_ANONTLS)) ||
        (st->rctx == SMTP_R_UNSOLICITED && (code == 220 || code == 454) && smtp_client_unseen(st));
    if (keep_text)
        smtp_text_add(st, lr);
    bool had_tls = st->r_starttls;
    if (!keep_text && ehlo && st->rlines > 0)
        smtp_ehlo_line(ctx, st, lr);
    if (ehlo && st->r_starttls == had_tls) /* the STARTTLS line left out */
        st->r_bytes += line_bytes;
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
        fctx_facts(ctx)->smtp.seen = true; /* midstream: replies say it is SMTP */
        smtp_dialog_add(ctx, "", code, st->resc, st->resc_detail);
        if (st->cmode == SMTP_C_SASL && code != 334)
            st->cmode = SMTP_C_COMMAND; /* AUTH lost (gap or cap): its answer came */
        if (code == 354 && st->cmode == SMTP_C_COMMAND)
            smtp_body_begin(st); /* DATA lost (a gap): the message comes next all the same */
        smtp_unseen_client_done(ctx, st, code);
        return false;
    case SMTP_R_PAIRED:
        return smtp_paired_done(ctx, st);
    }
    return false;
}
