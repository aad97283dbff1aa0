/* \summary: the SMTP dissector's own types and the functions its two
 * files share: smtp.c (the client's side, line framing, the hand-off to
 * TLS) and smtp_reply.c (the server's replies, paired with the pending
 * commands). Not for other modules. */
#ifndef SMTPTAP_SMTP_INT_H
#define SMTPTAP_SMTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "dissector.h"

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
    SMTP_C_SKIP,        /* skip_left raw bytes skipped: a BDAT chunk (skip_data), or a
                           TLS record sent after a refused STARTTLS */
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
    SMTP_V_EOM,    /* pseudo command: the "." ending a DATA body */
    SMTP_V_MASKED, /* pseudo command: a masked STARTTLS, "XXXXXXXX" (smtp_masked_starttls) */
    SMTP_V_COUNT
};

extern const char *const smtp_verb_names[SMTP_V_COUNT];

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
    bool body_started; /* SMTP_C_BODY: a body line was seen */
    bool body_crlf;    /* SMTP_C_BODY: the last line ended in CRLF (the DATA line does) */
    bool inject_noted; /* SMTP_C_STARTTLS: injected data already reported */
    bool reply_lost;   /* SMTP_C_STARTTLS: server bytes were lost or dropped since (a gap,
                          a short snapshot length): its reply may have been among them */
    bool lmtp;         /* the client said LHLO (RFC 2033) */
    /* The client's direction not captured (smtp_client_unseen): the
     * server's replies alone are read. srv_starttls: an unsolicited
     * multi-line 250 (its EHLO reply) offered STARTTLS; srv_tls_next: a
     * 220 then came that answers a STARTTLS (after that offer, or saying
     * TLS): the server's next bytes start TLS if they are a TLS record */
    bool srv_starttls, srv_tls_next;
    bool r_ehlo_inferred; /* the reply being read is taken as the EHLO reply */
    uint32_t rcpt_ok;     /* RCPTs of this transaction answered 2xx */
    bool eom_counted;     /* the message of the EOM replies being read was counted */
    uint64_t skip_left;   /* SMTP_C_SKIP: bytes still to skip */
    bool skip_data;       /* ... message content (a BDAT chunk) */
    uint32_t client_cmds; /* complete client lines read as commands */
    bool no_text;         /* picked up midstream: codes and verbs only, no wire text */
    bool began[2];        /* bytes of that direction were seen (smtp_midstream_tls) */
    bool binary[2];       /* picked up midstream inside binary bytes (TLS, most
                             likely): skipped unread (smtp_midstream_binary) */
    bool tls_may_start;   /* a TLS record may open here: STARTTLS sent, or a client gap */
    bool tls_refused;     /* the last STARTTLS was refused, and no command came since */
    /* server reply being read */
    enum smtp_smode smode;
    enum smtp_rctx rctx;
    uint8_t rverb; /* SMTP_R_PAIRED: the command it answers */
    int16_t rcode;
    int8_t resc[2];      /* the reply's enhanced status code (RFC 3463): class (-1 */
    int16_t resc_detail; /* none) and subject, then detail */
    uint32_t rlines;
    bool r_starttls, r_anontls; /* EHLO reply: keywords seen in this reply */
    uint32_t r_bytes;           /* its lines' bytes (CRLF counted), the STARTTLS line aside */
    bool greeting_seen;
    bool reply_begun;   /* the server's first line, not yet complete, opens a reply
                           ("220 mail.exa"): it greets in plaintext (smtp_tls_check) */
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

/* ---- smtp_reply.c ---- */

/* Appends a command/reply pair to the session's dialog (verbs and codes). */
/* A command and its reply code (0: none seen) with the reply's enhanced
 * status code (esc: class and subject, class -1 when none, and detail;
 * smtp_state.resc, or NULL for none). */
void smtp_dialog_add(struct flow_ctx *ctx, const char *verb, int16_t code, const int8_t *esc,
                     int16_t esc_detail);

/* Copies an accumulator into a facts string, keeping the cut mark. */
void smtp_commit(struct flow_ctx *ctx, struct fstr *s, const uint8_t *buf, uint32_t len, bool cut,
                 size_t max);

/* The FIFO of commands awaiting a reply (RFC 2920): push at the back (false
 * when smtp.pending_cmds is reached, reported), push a reply awaited before
 * the others, pop the oldest, and flush those that will never see theirs
 * into the dialog with code 0. */
bool smtp_push(struct flow_ctx *ctx, struct smtp_state *st, enum smtp_verb v, bool last);
bool smtp_push_front(struct flow_ctx *ctx, struct smtp_state *st, enum smtp_verb v);
struct smtp_cmd smtp_pop(struct smtp_state *st);
void smtp_flush_pending(struct flow_ctx *ctx, struct smtp_state *st);

/* One complete server line (CR LF removed). Returns true when the flow was
 * handed to TLS. */
bool smtp_server_line(struct flow_ctx *ctx, struct smtp_state *st, struct rd *lr);

/* No byte of the client's direction delivered, no command read: the
 * capture holds the server's side alone (a tap or span port that sees one
 * direction, a filter on the server's address as source). */
static inline bool
smtp_client_unseen(const struct smtp_state *st)
{
    return !st->began[DIR_TO_SERVER] && st->client_cmds == 0;
}

/* ---- smtp.c ---- */

/* The client's message body begins (after DATA, or a 354 whose DATA was
 * lost): its lines are skipped up to CRLF "." CRLF. */
void smtp_body_begin(struct smtp_state *st);

#endif /* SMTPTAP_SMTP_INT_H */
