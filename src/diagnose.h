/* \summary: per-session verdicts (issue 4): trust, time, names, STARTTLS and
 * alert findings for one session, from its facts, the trust store and the
 * names the peer is known to have expected. */
#ifndef SMTPTAP_DIAGNOSE_H
#define SMTPTAP_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dane.h"
#include "ocsp.h"
#include "record.h"

/* Where the name that was checked came from. */
enum name_source {
    NAME_SRC_NONE = 0,
    NAME_SRC_SNI,    /* the client's server_name */
    NAME_SRC_EXPECT, /* --expect NAME or ADDRESS=NAME */
    NAME_SRC_DNS_MX, /* an MX host that resolved to this address in the capture */
    NAME_SRC_DNS_A   /* an A/AAAA name that resolved to this address */
};

/* Whether the name was checked against the server's leaf (diagnosis.
 * name_check; session JSON name_checked): a chain verified with no name to
 * check it for is no proof the name matched. */
enum dg_name_check {
    DG_NAME_NO_LEAF = 0,    /* no leaf to check it against (none seen, none linked) */
    DG_NAME_CHECKED,        /* checked_name compared with the leaf: name_mismatch says */
    DG_NAME_NO_NAME,        /* a leaf, and no name known: no --expect, no SNI, no DNS answer */
    DG_NAME_LEAF_UNDECODED, /* a name, and a leaf that could not be decoded */
};

/* A client told by its EHLO name to be a test tool run by a person, not an
 * MTA (diagnose_quit.c; docs/findings.md): diagnosis.test_client. */
/* Why a server refused its client right after the handshake
 * (server_closed_after_first_reply, diagnose_refused.c), as far as the
 * handshake shows: diagnosis.refused_why. */
enum dg_refused_why {
    DG_RF_NONE = 0,        /* nothing in the handshake tells (a 421 of another cause) */
    DG_RF_CCERT_UNTRUSTED, /* the client's certificate does not verify here */
    DG_RF_CCERT_NONE,      /* the server asked for one (CertificateRequest), none was sent */
    DG_RF_HIDDEN           /* TLS 1.3 without the key: whether one was asked for or sent is
                              encrypted (RFC 8446 §4.3.2, §4.4.2) */
};

enum dg_test_client {
    DG_TC_NONE = 0,
    /* "EHLO mail.example.com": openssl s_client -starttls smtp without
     * -name (its default, apps/s_client.c) */
    DG_TC_S_CLIENT,
    /* the EHLO name is the server's own address or the name the client
     * asked for in its SNI: gnutls-cli --starttls-proto=smtp HOST sends
     * "EHLO HOST" (src/socket.c); an MTA names itself (RFC 5321
     * §4.1.1.1) */
    DG_TC_EHLO_SERVER
};

/* Why the server's certificates could not be seen (certificates_not_visible),
 * one reason a session: the finding's headline and evidence say it
 * (agg_notvisible.c; docs/findings.md lists them). */
enum dg_not_visible {
    DG_NV_NONE = 0,
    DG_NV_CAPPED,           /* a cap of smtptap's own cut the handshake (handshake_capped) */
    DG_NV_ENCRYPTED,        /* TLS 1.3 without the session's keys */
    DG_NV_MALFORMED,        /* a Certificate message whose lengths do not add up */
    DG_NV_GAP,              /* the capture lost bytes of the server's flight */
    DG_NV_TRUNCATED,        /* the Certificate message cut short */
    DG_NV_ENDED_ANSWER,     /* the capture ended after the ServerHello, before the Certificate */
    DG_NV_ENDED_NO_ANSWER,  /* the capture ended before any answer to the ClientHello */
    DG_NV_PICKED_UP,        /* the capture began after the server's certificates */
    DG_NV_UNDECIDED,        /* picked up after the ServerHello, the capture ending before the
                               client answered: resumed (none sent) or full? (TLS 1.2) */
    DG_NV_UNDECIDED13,      /* picked up after a TLS 1.3 ServerHello: resumed or full? */
    DG_NV_UNDECIDED_ONEWAY, /* picked up after the ServerHello, the server's side alone
                               captured (not one byte of the client's): resumed or full? */
    DG_NV_COUNT
};

/* DG_NV_GAP: how its bytes went (the stats' truncated_after_capture):
 * cut after capture (frames below their file's snapshot length: smtptap
 * -w, editcap), or lost on the wire or cut by the snaplen. */
enum dg_nv_cut {
    DG_NV_CUT_WIRE = 0, /* packets lost, or frames cut at the snapshot length */
    DG_NV_CUT_AFTER,    /* every frame cut was cut after capture */
    DG_NV_CUT_BOTH      /* some frames cut after capture, some at the snapshot length */
};

struct diagnosis {
    /* contract flags (issue 4), in contract order */
    bool certificate_ok, expired, not_yet_valid, self_signed, name_mismatch;
    bool missing_intermediate, untrusted_root, name_constraint_violation;
    bool weak_key, weak_signature;
    bool starttls_stripped, starttls_not_offered, starttls_rejected;
    bool plaintext_after_failed_starttls, plaintext_delivery, auth_before_tls;
    bool tls_handshake_failed, client_rejected_certificate, server_rejected_client_certificate;
    bool mutual_tls, certificates_not_visible;
    uint8_t not_visible_why; /* enum dg_not_visible: certificates_not_visible's reason */
    uint8_t not_visible_cut; /* DG_NV_GAP: enum dg_nv_cut, how the frames were cut */
    bool expiring_soon;      /* leaf expires within --expiry-warn days of the capture end */
    /* weak_signature: the digests of the weak signatures of the chain sent
     * (VERIFY_WEAK_MD5, VERIFY_WEAK_SHA1 bits; 0: OpenSSL's word alone), and
     * whether every one was accepted at judged_at (SHA-1 before the CA/B
     * Forum's sunset, verify_sha1_accepted_at) */
    uint8_t weak_signature_hashes;
    bool weak_signature_accepted_then;
    /* The cap of smtptap's own (its --cap name: "reasm.depth") that cut the
     * TLS bytes before the handshake's end, NULL: the handshake is then not
     * judged failed (dg_capped), and the finding handshake_capped names it. */
    const char *handshake_capped;
    /* A mail command sent without TLS was refused as a server that requires
     * TLS refuses it (dg_plaintext_refused); plaintext_refused_what is the
     * first such exchange, "MAIL 451". */
    bool plaintext_refused;
    /* plaintext SMTP on an implicit-TLS port (465, --tls-ports): RFC 8314
     * §3.3 has TLS from the first byte there (smtp.plaintext_on_tls_port) */
    bool implicit_tls_not_served;
    /* The client ended the session right after a completed handshake with
     * one short command (a QUIT's size) and no other, then closed, after a
     * chain with a problem a verifying client refuses: a verifying MTA that
     * refused the server's certificate without an alert (diagnose_quit.c) */
    bool client_quit_after_handshake;
    /* The client is a test tool (test_client); manual_tls_probe: it ended
     * the session as client_quit_after_handshake describes, which from a
     * person's probe is no refusal, so that flag stays false */
    enum dg_test_client test_client;
    bool manual_tls_probe;
    /* The client ended the session right after a completed handshake
     * without mail and without refusing: no command over TLS
     * (close_notify, a FIN or RST), or a lone QUIT that is no
     * client_quit_after_handshake (a test tool's, or after a chain with no
     * problem seen: it verifies, or was not visible). Probes and checks:
     * swaks --quit-after TLS, openssl s_client </dev/null (diagnose_quit.c) */
    bool client_closed_after_handshake;
    /* The server ended the session with its first reply over TLS: the
     * client's first command after the handshake (its EHLO) was answered
     * with a few records, then the server's close_notify, FIN or RST
     * before the client sent anything more. In SMTP only a 421 (RFC 5321
     * §3.8) or the reply to QUIT ends a session from the server's side:
     * a refusal inside TLS (diagnose_refused.c), with what the handshake
     * tells of why (refused_why, enum dg_refused_why). */
    bool server_closed_after_first_reply;
    uint8_t refused_why;
    /* server_rejected_client_certificate: the code of the alert that did
     * it (-1: encrypted, its code hidden) */
    int server_reject_code;
    /* client_rejected_certificate: the code of the client's alert that did
     * it (-1: encrypted, its code hidden), for the finding's list of codes */
    int client_reject_code;
    bool verified;    /* a verdict on the chain was possible (certificates visible) */
    int verify_error; /* OpenSSL X509_V_ERR_* (0 = ok, -1 = not verified) */
    /* every Exchange status that applies (XS_*); its first word, the
     * session's exchange_status, is diagnose_exchange_status() */
    uint8_t exchange_statuses;
    enum name_source checked_name_source;
    uint8_t name_check; /* enum dg_name_check */
    /* what showed missing_issuer_subject to be a root (enum verify_issuer:
     * VERIFY_ISSUER_UNKNOWN when nothing did) */
    uint8_t missing_issuer;
    /* The untrusted root, sent or not (missing_issuer retired), is a public
     * root the CA bundles have dropped: what became of it (static), NULL */
    const char *retired_root_note;
    bool retired_root_public_then; /* ... and still a public root when judged (an old capture) */
    int64_t judged_at_us;          /* the time validity was judged at */
    /* The client's chain (mutual TLS), as sent, verified for a TLS client
     * (verify.h VERIFY_CLIENT; no name check) at judged_at: the same kinds
     * of verdict as the server's chain. client_verify_error is -1 when the
     * client sent no chain. */
    int client_verify_error;
    uint8_t client_missing_issuer;
    /* DANE (RFC 7672): the server chain against the TLSA RRset of
     * _PORT._tcp.NAME, NAME the checked name or a name learned from DNS for
     * the server's address (the first that has one); state DANE_NONE when
     * no TLSA record is known for them */
    struct dane_result dane;
    /* The OCSP response the server stapled for its leaf, judged for the
     * chain sent at judged_at (ocsp.c; present false when none was). Its
     * problem OCSP_PB_REVOKED is the finding ocsp_staple_revoked, any other
     * ocsp_staple_invalid (aggregate.c). */
    struct ocsp_verdict ocsp;
    /* The RFC 8460 §4.3 result type a validating sender would report for
     * this session ("certificate-expired"), NULL none (tlsrpt.c; set by
     * report.c after the diagnosis) */
    const char *tlsrpt;
    /* The texts, last: diagnose_session zeroes the members before them
     * and clears only the first byte of each (dg_clear: strings, read up
     * to their terminator), not their 1.7 KiB (issue 5). A text added
     * here is cleared there too. */
    char plaintext_refused_what[24];  /* plaintext_refused's first exchange, "MAIL 451" */
    char verify_error_text[96];       /* X509_verify_cert_error_string() */
    char checked_name[256];           /* the name checked against the certificate, "" none */
    char untrusted_root_subject[256]; /* the root the chain ends in, when untrusted */
    /* The issuer of the top certificate sent, when it was neither sent nor
     * in the trust store ("" none; missing_issuer says what showed it to be
     * a root) */
    char missing_issuer_subject[256];
    char alert_meaning[192]; /* "the client rejected the server certificate with certificate_unknown
                                (46)" */
    char client_verify_error_text[96];
    char client_exchange_status[32]; /* "Valid", "UntrustedRoot", "PartialChain", "DateInvalid",
                                        "Invalid" */
    char client_untrusted_root_subject[256];
    char client_missing_issuer_subject[256]; /* as missing_issuer_subject, the client's */
};

/* Exchange's status words as bits (Windows' X509ChainStatusFlags, which
 * Exchange logs; NotTimeValid, Revoked, UntrustedRoot and PartialChain in
 * that enum's order), in the order diagnose_exchange_status picks them: a
 * session's chain may be both untrusted and for another name (case 3: the
 * NDR says SubjectMismatch where the first word is UntrustedRoot). None,
 * for a verified chain, is Valid. */
enum {
    XS_DATE_INVALID = 1,      /* expired or not yet valid (NotTimeValid) */
    XS_REVOKED = 2,           /* the OCSP response the server stapled in this session,
                                 signed by the issuer or its responder, says the leaf is
                                 revoked (Revoked; RFC 6960 §2.2) */
    XS_UNTRUSTED_ROOT = 4,    /* a self-signed root or leaf not trusted */
    XS_PARTIAL_CHAIN = 8,     /* not built up to a root: an issuer neither sent nor
                                 in the trust store, not known to be a root
                                 (missing_intermediate; CERT_TRUST_IS_PARTIAL_CHAIN) */
    XS_SUBJECT_MISMATCH = 16, /* the name checked is not in the leaf */
    XS_INVALID = 32,          /* another verification error */
    XS_COUNT = 6
};
/* The word of one XS_ bit ("DateInvalid" ...). */
const char *diagnose_status_word(unsigned bit);
/* "UntrustedRoot, SubjectMismatch"; "Valid" for none. */
void diagnose_statuses_text(unsigned statuses, char *out, size_t n);
/* A session's Exchange status: the word of the first of its
 * exchange_statuses ("DateInvalid", "Revoked", "UntrustedRoot", "PartialChain",
 * "SubjectMismatch", "Invalid"), "Valid" for none, "" when its chain was not verified. */
const char *diagnose_exchange_status(const struct diagnosis *d);

/* Loads the trust store named by cfg (system bundle unless --no-system-ca,
 * plus --ca-file / --ca-path). Returns 0, or -1 with a message in err. */
int diagnose_init(const struct config *cfg, char *err, unsigned errlen);
void diagnose_fini(void);

/* Computes the diagnosis of one finished session. expected_names (may be
 * NULL/0) are names the peer was seen to expect for this server address
 * (from DNS answers in the capture) with their sources. */
struct expected_name {
    const char *name;
    enum name_source source;
};
void diagnose_session(const struct flow_record *rec, const struct expected_name *expected,
                      unsigned n_expected, struct diagnosis *out);

/* Judges the server chain of a session in progress as diagnose_session
 * will when the session ends (same verification time; the name check when
 * the name will be the SNI), so that verification runs while the
 * certificates are still in the CPU's caches; its results are remembered
 * (verify.c, namememo.c), and a leaf seen only in this session lets its
 * decoded object go now rather than when the session ends (certcache.c:
 * it is decoded again from its DER should a later check need it). Changes
 * no verdict: both caches give the same answer as a fresh check. */
void diagnose_prewarm(const struct session_facts *facts, int64_t at_us);

/* diagnose_quit.c: whether rec's session is client_quit_after_handshake
 * (its TLS facts' records after the handshake), and the finding's evidence
 * for it (what the client sent, how it closed, the chain's verdict in d). */
bool diagnose_client_quit(const struct flow_record *rec);
void diagnose_quit_text(const struct flow_record *rec, const struct diagnosis *d, char *out,
                        size_t n);
/* The client ended the session right after a completed handshake without
 * any command: alerts alone (close_notify), or its FIN or RST with nothing
 * (client_closed_after_handshake, with a lone QUIT that nothing in d
 * explains as a refusal). diagnose_quit_explained: d's chain has a problem
 * a verifying client refuses (it was visible and does not verify, its name
 * does not match, no TLSA record matches, a revoked staple, a weak key or
 * signature); the evidence of client_closed_after_handshake. */
bool diagnose_client_closed(const struct flow_record *rec);
bool diagnose_quit_explained(const struct diagnosis *d);
void diagnose_closed_text(const struct flow_record *rec, const struct diagnosis *d, char *out,
                          size_t n);
/* diagnose_refused.c: whether rec's session is
 * server_closed_after_first_reply (its TLS facts' reply and the
 * connection's first close); why, from d's client chain (DG_RF_*); and
 * the finding's evidence (the records' sizes, how the session ended,
 * the client's certificate). */
bool diagnose_server_refused(const struct flow_record *rec);
/* The server's alert right after a completed handshake, before anything of
 * the client's (tls.reply TLS_REPLY_SERVER_ALERT_FIRST), the client having
 * answered a CertificateRequest: its certificate (or its lack) refused
 * after the server's Finished (Exim, GnuTLS). Sets d's
 * server_rejected_client_certificate, its code (-1: encrypted) and
 * alert_meaning; false when not so (diagnose_refused.c). */
bool diagnose_server_alert_first(const struct flow_record *rec, struct diagnosis *d);
enum dg_refused_why diagnose_refused_why(const struct flow_record *rec, const struct diagnosis *d);
void diagnose_refused_text(const struct flow_record *rec, const struct diagnosis *d, char *out,
                           size_t n);
/* The test tool rec's client is, by its EHLO name (DG_TC_NONE: none told);
 * its contract name ("openssl_s_client", "ehlo_names_server"; NULL for
 * none); manual_tls_probe's evidence: the EHLO name, what it tells, what
 * the client sent after the handshake. */
enum dg_test_client diagnose_test_client(const struct flow_record *rec);
const char *diagnose_test_client_str(enum dg_test_client tc);
void diagnose_probe_text(const struct flow_record *rec, const struct diagnosis *d, char *out,
                         size_t n);

/* The name a session's server certificate is (or would be) checked
 * against, into out (n bytes, "" none), and its source: --expect
 * ADDRESS=NAME, --expect NAME, the SNI, then the expected names in their
 * order (DNS: MX hosts, A/AAAA names). diagnosis.checked_name is it for a
 * session whose chain was seen; --tlsrpt names the policy of any session
 * by it (tlsrpt.c). */
enum name_source diagnose_pick_name(const struct flow_record *rec, const struct expected_name *exp,
                                    unsigned n_exp, char *out, size_t n);

const char *name_source_str(enum name_source s);

/* What showed a missing issuer to be a root (diagnosis.missing_issuer):
 * "system_bundle", "trust_store_same_name"; NULL when nothing did. */
const char *diagnose_root_evidence(uint8_t missing_issuer);

#endif /* SMTPTAP_DIAGNOSE_H */
