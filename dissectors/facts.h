/* \summary: session facts: what the dissectors learned about one TCP
 * connection. Plain data; the report (src/report_*.c) turns it into NDJSON and
 * the terminal report. Strings are raw wire bytes (never NUL-terminated on
 * purpose: they may contain NULs) and are escaped on output.
 */
#ifndef SMTPTAP_FACTS_H
#define SMTPTAP_FACTS_H

#include <stdbool.h>
#include <stdint.h>

/* A string from the wire, allocated with fctx_setstr() (NULL/0 = not seen). */
struct fstr {
    uint8_t *s; /* len bytes, then a NUL */
    uint32_t len;
    uint32_t cap;   /* bytes allocated at s (fctx_setstr reuses them) */
    bool truncated; /* the wire value was longer than its cap */
};

#define FACTS_DIALOG_MAX 32 /* command/reply pairs kept per session */
#define FACTS_ALERTS_MAX 16 /* TLS alerts kept per session */
#define FACTS_CHAIN_MAX  10 /* certificates kept per chain (x509.chain_max) */
#define FACTS_AUTH_USED  80 /* auth_used: room for 3 names of 20 at least (RFC 4422 §3.1) */

/* One SMTP command and the reply it got: verbs and codes only, never
 * arguments (no addresses, no credentials, no content). */
struct smtp_exchange {
    char
        verb[16]; /* "EHLO", "STARTTLS", "AUTH", "MAIL", "DATA", ... ("" = reply without command) */
    int16_t code; /* reply code, 0 = no reply seen */
    /* its enhanced status code (RFC 3463 §2: "4.7.3" is class 4, subject
     * 7, security or policy, detail 3); class -1 when it had none */
    int8_t esc_class, esc_subject;
    int16_t esc_detail;
    bool plaintext; /* happened before TLS */
};

struct smtp_facts {
    bool seen;               /* an SMTP dialogue was recognised */
    int16_t banner_code;     /* code of the greeting (220, 421, 554), 0 = not seen */
    struct fstr banner;      /* greeting text, lines joined with '\n' */
    struct fstr banner_host; /* first word of the greeting */
    char ehlo_verb[8];       /* "EHLO", "HELO" or "LHLO" of the first greeting command */
    struct fstr ehlo;        /* its argument (the client's name) */
    int16_t ehlo_reply_code; /* 0 = not seen */
    /* the bytes of the last 2xx EHLO reply in clear but its STARTTLS line
     * (lines counted with CRLF, RFC 5321 §2.3.8): about the size of its
     * EHLO reply over TLS (tls_after.c, reply); 0 = none seen */
    uint16_t ehlo_reply_bytes;
    int8_t starttls_offered;         /* -1: EHLO reply not seen; 0 / 1 */
    bool anonymoustls_offered;       /* X-ANONYMOUSTLS in the EHLO reply */
    struct fstr capabilities;        /* EHLO reply keywords, space-separated, in order */
    struct fstr auth_mechanisms;     /* AUTH mechanisms offered, space-separated */
    struct fstr stripped_capability; /* a mangled STARTTLS keyword, e.g. "XXXXXXXA" */
    /* the client's command arrived masked as "XXXXXXXX" (STARTTLS's length)
     * after an EHLO reply that offered STARTTLS: a middlebox between the
     * client and the capture point (Cisco ASA/FTD inspect esmtp) masked it */
    bool starttls_masked;
    int16_t starttls_masked_code;    /* the reply to it, 0 = none seen */
    bool starttls_command;           /* client sent STARTTLS or X-ANONYMOUSTLS */
    char starttls_verb[16];          /* which of the two */
    int16_t starttls_reply_code;     /* -1: no reply seen */
    struct fstr starttls_reply_text; /* text of that reply */
    bool starttls_pipelined;         /* client bytes after STARTTLS before the reply */
    bool tls_started;                /* the flow was handed to TLS (220 to STARTTLS) */
    /* ... followed from the server's side alone: no byte of the client's
     * captured, its STARTTLS inferred from the server's 220 after an EHLO
     * reply offering it (or saying TLS) and a TLS record next
     * (smtp_server_tls_check); tls.c then takes the server's flight first.
     * Also, tls_started false, a STARTTLS refused: a 454 naming TLS right
     * after that EHLO reply (smtp_reply.c smtp_unseen_client_done) */
    bool tls_server_side;
    bool implicit_tls; /* TLS from the first byte (465 or detected) */
    /* plaintext SMTP on an implicit-TLS port (465, --tls-ports): a server
     * greeting or reply, or client commands, in clear (RFC 8314 §3.3) */
    bool plaintext_on_tls_port;
    bool client_tls_to_plaintext; /* ... and the client sent TLS (its ClientHello) to it */
    bool auth_before_tls;         /* AUTH sent in plaintext */
    /* its mechanism: a name in IANA's SASL registry only; "unregistered"
     * for one the server offered outside it (a word from the wire, not
     * written), "?" for a word neither (maybe a credential: never written) */
    char auth_mechanism[32];
    /* every AUTH's, in order, each once, space-separated: the registered
     * name, "+" for one offered outside the registry, "?" for a word
     * neither registered nor offered (maybe a credential: never written),
     * "-" for none after AUTH (the command cut); one that does not
     * fit sets auth_used_more */
    char auth_used[FACTS_AUTH_USED];
    bool auth_used_more;
    bool plaintext_mail;         /* MAIL/RCPT/DATA in plaintext */
    uint32_t plaintext_messages; /* DATA/BDAT transfers completed in plaintext */
    bool plaintext_data;         /* message content sent in plaintext (a body line, a chunk) */
    bool commands_cut; /* client bytes in plaintext command mode not captured (a gap, frames
                        * cut by the snapshot length or by smtptap -w): what it sent is unknown */
    uint8_t n_dialog;
    bool dialog_truncated;
    struct smtp_exchange dialog[FACTS_DIALOG_MAX];
};

enum tls_cert_visibility {
    TLS_CERTS_UNKNOWN = 0, /* no ServerHello seen yet */
    TLS_CERTS_VISIBLE,     /* Certificate message seen in clear */
    TLS_CERTS_ENCRYPTED,   /* TLS 1.3: sent encrypted */
    TLS_CERTS_TRUNCATED,   /* message cut by the end of the capture / snaplen */
    TLS_CERTS_GAP,         /* bytes missing in the stream before the message */
    TLS_CERTS_RESUMED,     /* abbreviated handshake: none sent by design */
    TLS_CERTS_ANONYMOUS,   /* anonymous cipher suite: none by design */
    TLS_CERTS_NONE,        /* handshake went past the point without one */
    TLS_CERTS_MALFORMED    /* the Certificate message's lengths do not add up, or a
                              server's list is empty: no chain taken from it */
};

/* The key log and a TLS 1.3 server's encrypted flight (EncryptedExtensions
 * .. Finished, RFC 8446 §4.4), where its certificates are. */
enum tls_keylog {
    TLS_KL_NONE = 0,         /* no key log tried (none given, not TLS 1.3, no record) */
    TLS_KL_NOT_FOUND,        /* no key log has the connection (its client random) */
    TLS_KL_NO_SERVER_SECRET, /* it has the connection, not its SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TLS_KL_MISMATCH,         /* the server's secret did not decrypt its first record */
    TLS_KL_PARTIAL,          /* decrypting: the certificates (or Finished) not read yet */
    TLS_KL_CUT,              /* decrypting, the capture lost or cut the flight before them */
    TLS_KL_DECRYPTED         /* decrypted as far as the certificates (tls.decrypted) */
};

/* A handshake picked up right after the server's ServerHello (tls_pickup.c):
 * whether it was resumed (no Certificate, RFC 5246 §7.3's abbreviated
 * handshake, RFC 8446 §2.2's PSK) or full could not be told. */
enum tls_pickup_undecided {
    TLS_PICKUP_DECIDED = 0,       /* not picked up so, or told (resumed or full) */
    TLS_PICKUP_UNDECIDED12,       /* the server's ChangeCipherSpec and Finished, the client's
                                     answer not in the capture */
    TLS_PICKUP_UNDECIDED13,       /* the server's ChangeCipherSpec, then its encrypted records:
                                     TLS 1.3 (RFC 8446 §D.4), full or PSK */
    TLS_PICKUP_UNDECIDED13_NOCCS, /* no ChangeCipherSpec: the server's encrypted records, then
                                    the client's of its Finished's length (tls_pickup.c) */
    TLS_PICKUP_SERVER_ONLY12,     /* the server's ChangeCipherSpec, Finished, then its application
                                     data, no record of the client's, its ACKs telling nothing:
                                     full when the capture holds the client's side (diagnose.c),
                                     else not to be told */
    TLS_PICKUP_FULL_BY_ACK        /* told full: the same, the server's application data
                                     acknowledging no client byte past its ChangeCipherSpec's
                                     (tls_pickup.c tls_pickup_by_ack) */
};

enum tls_outcome {
    TLS_HS_NONE = 0,   /* no TLS seen */
    TLS_HS_COMPLETE,   /* both Finished / CCS seen (or 1.3 handshake traffic both ways) */
    TLS_HS_FAILED,     /* a fatal alert ended it */
    TLS_HS_ABORTED,    /* FIN/RST during the handshake */
    TLS_HS_INCOMPLETE, /* capture ended or gap before the end */
    TLS_HS_UNSEEN      /* picked up after it: encrypted records before any
                          handshake message (outcome unknown, no failure) */
};

/* Whether the server stapled an OCSP response for its certificate (RFC
 * 6066 §8: a CertificateStatus message; RFC 8446 §4.4.2.1: status_request
 * in the leaf's CertificateEntry). */
enum tls_ocsp {
    TLS_OCSP_UNSEEN = 0, /* the server's certificate flight was not seen */
    TLS_OCSP_NONE,       /* seen, with no (readable) OCSP response */
    TLS_OCSP_STAPLED     /* a non-empty OCSP response for the leaf */
};

/* The OCSP response a server stapled for its leaf, as sent (fctx_ocsp):
 * made only for a session that has one (most have none). */
struct tls_staple {
    uint32_t len;   /* its length, as sent */
    bool too_large; /* larger than tls.ocsp_max: its bytes not kept */
    uint8_t der[];  /* len bytes, unless too_large */
};

/* tls_alert.after for no message: the server's TLS 1.3 flight
 * (EncryptedExtensions .. Finished, RFC 8446 §4.4) seen only as encrypted
 * records (no key log). Outside the 8-bit handshake types. */
#define TLS_AFTER_SERVER_FLIGHT 256

struct tls_alert {
    uint8_t from;       /* enum dir of the sender: 0 client, 1 server */
    int16_t level;      /* 1 warning, 2 fatal, -1 unknown (encrypted) */
    int16_t code;       /* RFC 8446 §6 AlertDescription, -1 unknown */
    bool encrypted;     /* sent after ChangeCipherSpec / under 1.3 keys */
    int16_t after;      /* last handshake message type seen (either side) before it, -1 none,
                           TLS_AFTER_SERVER_FLIGHT */
    uint8_t after_from; /* direction that sent that message */
    int64_t ts_us;      /* packet time */
};

/* The records of one direction after the handshake completed (tls.c
 * tls_after_data): their headers only, never their contents (nothing is
 * decrypted, kept or written), the first TLS_AFTER_MAX of them, fewer once
 * the client's show it sent no lone QUIT and the server's answer to its
 * first command is told (tls_after.c, reply); then the flow goes to
 * bypass. */
#define TLS_AFTER_MAX 4
/* The plaintext lengths a QUIT has (RFC 5321 §4.1.1.10): "QUIT" LF (5, a
 * bare LF), "QUIT" CRLF (6), "QUIT " CRLF (7); the shortest EHLO is 8. */
#define TLS_QUIT_MIN 5u
#define TLS_QUIT_MAX 7u
/* The server's answer to the client's first command after the handshake
 * (tls_after.c), read by the records' headers only: a session that goes on
 * has the client's next command after the reply; a server that refuses
 * ends the session with its first reply (421, RFC 5321 §3.8) before the
 * client sends anything more. */
enum tls_reply {
    TLS_REPLY_NONE = 0,          /* no command read (none sent, a lone QUIT, or reading stopped) */
    TLS_REPLY_OPEN,              /* the command read; the reading ended (a gap, the capture's end)
                                    before anything told */
    TLS_REPLY_CLIENT_ON,         /* the client sent another record first: the session went on */
    TLS_REPLY_SERVER_ON,         /* the server sent more records than one reply takes */
    TLS_REPLY_SERVER_CLOSE,      /* the server sent an alert (close_notify) before the client sent
                                    anything more */
    TLS_REPLY_ENDED,             /* a side's stream ended (FIN, RST, the capture's end; whose:
                                    record.first_close) before the client sent anything more */
    TLS_REPLY_SERVER_EHLO,       /* the reply is as long as the server's EHLO reply (250): it
                                    answered the EHLO, whatever came next (a pipelined QUIT's 221) */
    TLS_REPLY_SERVER_IDLE,       /* the server's next record or its end came TLS_REPLY_IDLE_US or
                                    more after its reply, the client silent: an idle timeout's 421 */
    TLS_REPLY_SERVER_ALERT_FIRST /* no command: the server's alert came before any record or
                                    end of the client's after the handshake (Exim refusing a
                                    client certificate after its Finished) */
};
/* A refusal's close follows its reply at once (one write, then close);
 * the server's next record this long after its reply, with the client
 * silent, is no part of it (Postfix's smtpd_timeout, 300 s, 10 s under
 * stress: "421 4.4.2 ... Error: timeout exceeded"). */
#define TLS_REPLY_IDLE_US 1000000
/* The least size of an EHLO reply in clear (but its STARTTLS line) taken
 * as telling an EHLO reply over TLS from a 421 (a line of some 40 to 100
 * bytes: Postfix's "421 4.7.1 <host>: Client certificate not trusted" is
 * 61): a shorter one (a bare "250 host") tells nothing. */
#define TLS_REPLY_EHLO_MIN 96u
/* The server's records after the client's first command that one reply
 * takes, TLS 1.3 tickets sent meanwhile included: one more is no reply
 * alone (the reading stops). */
#define TLS_REPLY_RECORDS_MAX 4u
struct tls_after {
    uint8_t n; /* records read, at most TLS_AFTER_MAX */
    /* reading stopped before the direction ended: the cap, or the records
     * told what they could (no lone QUIT nor a close without a command, the
     * server's answer to the first command: reply); more may follow */
    bool more;
    bool lost;                   /* bytes lost (a gap) or no record header: n may be short */
    bool ended;                  /* the direction ended (FIN, RST, the capture's end) while read */
    uint8_t type[TLS_AFTER_MAX]; /* content type as sent (TLS 1.3: 23 for all, RFC 8446 §5.2) */
    uint16_t len[TLS_AFTER_MAX]; /* the record's length (its header's) */
};

struct tls_facts {
    bool seen;               /* a TLS record was parsed, or TLS bytes were lost */
    bool gap;                /* TLS bytes were lost (loss, snaplen): the outcome may be unseen */
    uint16_t client_version; /* ClientHello legacy_version */
    bool sslv2_hello;        /* the ClientHello came in the SSL 2.0 form (RFC 5246 E.2) */
    uint16_t version;        /* negotiated (supported_versions aware), 0 = unknown */
    uint16_t cipher;         /* negotiated suite */
    bool cipher_seen;
    struct fstr sni;      /* server_name host_name */
    bool sni_malformed;   /* a server_name extension whose list did not parse (sni unset) */
    struct fstr alpn;     /* ALPN protocols offered, comma-separated */
    bool status_request;  /* client asked for OCSP stapling */
    uint8_t ocsp_stapled; /* enum tls_ocsp: the server stapled a response */
    bool hello_retry;     /* HelloRetryRequest seen */
    bool resumed;         /* abbreviated handshake / PSK accepted */
    bool client_certificate_requested;
    bool anonymous; /* anonymous cipher suite negotiated */
    /* TLS 1.3 with --keylog: the server's handshake records decrypted as
     * far as its certificates (its Certificate message read; resumed: its
     * Finished); keylog says how the key log fared with the server's flight */
    bool decrypted;
    uint8_t keylog; /* enum tls_keylog */
    /* A resumed session linked to the chain of the full handshake it
     * resumed (resume.c): its certificate cache ids, the session (flow
     * record id) that presented it and its server port (the same address:
     * Postfix's smtpd on 25 and 587 share one session cache), and by what
     * (enum resume_kind: 1 session ID, 2 ticket; 0 not linked). */
    uint8_t resumed_by;
    uint8_t n_resumed_chain;
    uint16_t resumed_port;
    uint8_t pickup_undecided; /* enum tls_pickup_undecided (tls_pickup.c) */
    uint32_t resumed_chain[FACTS_CHAIN_MAX];
    uint64_t resumed_from;
    struct tls_staple *ocsp; /* the leaf's stapled OCSPResponse (fctx_ocsp), NULL none */
    enum tls_cert_visibility certificates;
    enum tls_cert_visibility client_certificates;
    enum tls_outcome handshake;
    uint8_t n_server_chain, n_client_chain;
    bool server_chain_truncated, client_chain_truncated; /* more than FACTS_CHAIN_MAX */
    uint32_t server_chain[FACTS_CHAIN_MAX]; /* certificate cache ids, in the order sent */
    uint32_t client_chain[FACTS_CHAIN_MAX];
    uint8_t n_alerts;
    bool alerts_truncated;
    struct tls_alert alerts[FACTS_ALERTS_MAX];
    int16_t last_hs[2];     /* last handshake type per direction, -1 none */
    bool ccs[2];            /* ChangeCipherSpec seen per direction */
    char ja3[33], ja3s[33]; /* MD5 hex, "" = not computed */
    char ja4[37];           /* JA4 (ja4.h), "" = not computed */
    struct fstr ja3_string, ja3s_string;
    bool after_read;           /* the handshake completed: after[] holds what came next */
    struct tls_after after[2]; /* per direction (0 client), tls_after_data */
    /* How the server answered the client's first command over TLS (enum
     * tls_reply, tls_after.c), its records after that command, alerts
     * aside (reply_records, at most TLS_REPLY_RECORDS_MAX; not kept in
     * after[]), and the first one's length (its header's) */
    uint8_t reply;
    uint8_t reply_records;
    uint16_t reply_len;
    struct fstr hs_history; /* e.g. "C:CH S:SH S:CRT S:SKE S:SHD C:CKE C:CCS S:CCS" (capped) */
};

struct session_facts {
    struct smtp_facts smtp;
    struct tls_facts tls;
    /* Set by the engine before the first byte: the connection was picked
     * up without its SYN or SYN-ACK, so a dissector cannot tell where in the
     * dialogue the bytes start (a reply may be paired with a message body's
     * line); the SMTP dissector then keeps codes and verbs but no text. */
    bool midstream;
    /* Set by the TLS dissector: TLS found by its first bytes on a port that
     * is no mail port, whose ClientHello offered application protocols
     * (ALPN) and no mail one: another protocol's connection (HTTPS...),
     * dissected no further and not reported (engine_dispatch: the same by
     * the port alone). */
    bool other_protocol;
};

#endif /* SMTPTAP_FACTS_H */
