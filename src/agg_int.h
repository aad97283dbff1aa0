/* \summary: aggregation internals shared by aggregate.c (collection, server
 * records), agg_findings*.c (findings) and report_text.c (terminal report). */
#ifndef SMTPTAP_AGG_INT_H
#define SMTPTAP_AGG_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "aggregate.h"
#include "diagnose.h"
#include "json.h"
#include "record.h"
#include "facts.h"
#include "agg_pcount.h"
#include "agg_srvnames.h"
#include "agg_issuer.h"
#include "idxtab.h"
#include "pkt.h"

#define AGG_CHAINS_MAX    16 /* distinct chains kept per server */
#define AGG_ALERTS_MAX    16 /* distinct (sender, level, code, step) kept per server */
#define AGG_SESSIONS_MAX  16 /* session ids listed per finding */
#define AGG_ELSEWHERE_MAX 4  /* other ports a chain's resumed sessions were presented on */
#define AGG_FPEERS_MAX    32 /* peers listed per finding */
#define AGG_FCHAINS_MAX   8  /* certificates listed per finding */
#define AGG_SNIS_MAX      16 /* distinct SNI values kept per server (sending none is one) */
#define AGG_SNUS_MAX      32 /* (SNI value, chain) pairs kept per server (agg_sni.c) */
/* sessions each group of SNI values needs for selected_by "sni" (agg_sni.c) */
#define AGG_SNI_MIN_SESSIONS 2
#define AGG_EVIDS_MAX        6 /* distinct evidences kept per flag and server (agg_evids.c) */
/* client_rejected_certificate's (certificate, alert) pairs kept per server:
 * every certificate of a pool its clients rejected, in the finding's
 * rejected_certificates (docs/schema-server.md) */
#define AGG_EVIDS_REJ_MAX 32
/* A finding's evidence (docs/schema-server.md: at most 479 bytes), and so
 * every evidence it is made from: a root's subject (255 bytes), an alert's
 * meaning and a name checked fit whole; longer ones end in "..." */
#define AGG_EVIDENCE_LEN 480

/* Session diagnosis flags, in contract order (diagnose.h). */
enum agg_flag {
    AF_EXPIRED,
    AF_NOT_YET_VALID,
    AF_SELF_SIGNED,
    AF_NAME_MISMATCH,
    AF_MISSING_INTERMEDIATE,
    AF_UNTRUSTED_ROOT,
    AF_NAME_CONSTRAINT,
    AF_WEAK_KEY,
    AF_WEAK_SIGNATURE,
    AF_STARTTLS_STRIPPED,
    AF_STARTTLS_NOT_OFFERED,
    AF_STARTTLS_REJECTED,
    AF_PLAINTEXT_AFTER_FAILED,
    AF_PLAINTEXT_DELIVERY,
    AF_AUTH_BEFORE_TLS,
    AF_TLS_FAILED,
    AF_CLIENT_REJECTED,
    AF_SERVER_REJECTED_CLIENT,
    AF_MUTUAL_TLS,
    AF_NOT_VISIBLE,
    AF_ANONYMOUS,    /* from the TLS facts, not a diagnosis flag */
    AF_OBSOLETE_TLS, /* likewise: TLS 1.1 or older negotiated */
    AF_PLAINTEXT_REFUSED,
    AF_VLAN_SPLIT, /* from the record: one direction of a connection split by VLAN tags */
    AF_IMPLICIT_TLS_NOT_SERVED, /* plaintext SMTP on 465 (--tls-ports) */
    AF_HANDSHAKE_CAPPED, /* a cap of smtptap's cut the TLS handshake (diagnosis.handshake_capped) */
    /* the stapled OCSP response (diagnosis.ocsp): revoked, or any other
     * problem a client that checks it rejects it for */
    AF_OCSP_REVOKED,
    AF_OCSP_INVALID,
    AF_CLIENT_QUIT, /* client_quit_after_handshake: refused without an alert (diagnose_quit.c) */
    /* DANE (diagnosis.dane): the chain matched none of the TLSA records,
     * or none of them is usable; findings of their own in agg_dane.c */
    AF_DANE_MISMATCH,
    AF_DANE_UNUSABLE,
    AF_MANUAL_PROBE, /* manual_tls_probe: a test tool's QUIT, by its EHLO (diagnose_quit.c) */
    /* client_closed_after_handshake: a probe or check that closed right
     * after the handshake without mail, no test tool's QUIT (those are
     * AF_MANUAL_PROBE): no refusal (diagnose_quit.c) */
    AF_CLIENT_CLOSED,
    AF_SERVER_REFUSED, /* server_refused_after_handshake: a 421 after it (agg_refused.c) */
    /* A plaintext_delivery session by what its peer did with this server's
     * TLS in its other sessions (agg_plain.c: by start, not end): the first
     * and AF_NOT_USED_AUTH are starttls_not_used; the others have no name,
     * plaintext_fallback and starttls_inconsistent read them. */
    AF_STARTTLS_NOT_USED,   /* STARTTLS offered, not tried, no TLS in the capture */
    AF_FALLBACK_BROKEN,     /* STARTTLS stripped, refused or failed, then or before */
    AF_FALLBACK_TLS_BEFORE, /* the peer had used TLS with this server before */
    AF_PLAIN_NOT_OFFERED,   /* STARTTLS not offered to the peer, no TLS before */
    /* as AF_STARTTLS_NOT_USED, and the session itself sent AUTH in
     * plaintext: a mail client's (or a script's), whatever the other
     * sessions of its address did (an MTA behind the same NAT) */
    AF_NOT_USED_AUTH,
    /* as AF_STARTTLS_NOT_USED or AF_NOT_USED_AUTH, from a peer whose
     * STARTTLS arrived masked (XXXXXXXX) in a later session: a middlebox
     * between it and the capture point strips STARTTLS, which this one,
     * offered in clear, probably had hidden too (plaintext_fallback) */
    AF_FALLBACK_MASKED_LATER,
    /* as AF_STARTTLS_NOT_USED or AF_NOT_USED_AUTH, from a peer that used TLS
     * here in a later session: no non-TLS sender (plaintext_fallback) */
    AF_FALLBACK_TLS_LATER,
    AF_COUNT
};

struct agg_flag_info {
    const char *name; /* contract name (= finding kind); NULL: no finding of its own */
    int severity;
};
extern const struct agg_flag_info agg_flags[AF_COUNT];

/* A set of small indices (peers, chains) with a cap and an overflow count:
 * the sessions past the cap, or (peers_exact) the distinct peers past it
 * (agg_fpeers_exact). */
struct agg_set {
    uint32_t v[AGG_FPEERS_MAX];
    uint8_t n;
    bool peers_exact;
    uint32_t dropped;
    /* of dropped, the sessions of peers past report.peers_max (peer
     * UINT32_MAX): never itemised, so agg_fpeers_exact keeps them as
     * sessions */
    uint32_t past_cap;
    /* of dropped, the sessions of itemised peers whose (peer, certificate)
     * pair the server's table could not keep (agg_use: report.peers_max x
     * 4 pairs, or the memcap): their peers unknown, kept as sessions */
    uint32_t unpaired;
};

/* What one flag gathered on one server. */
struct agg_flagstat {
    uint64_t sessions;
    /* of them, implicit TLS (tlsrpt_implicit: a mail client's, of which
     * TLS-RPT does not speak); per session, not per port */
    uint64_t implicit;
    int64_t first, last;
    struct agg_set peers, chains;
    uint64_t ids[AGG_SESSIONS_MAX];
    uint8_t n_ids;
    char evidence[AGG_EVIDENCE_LEN]; /* first session's verify text, checked name, alert
                                        meaning; cut to fit ends in "..." (agg_evid_copy) */
    uint8_t missing_issuer;          /* first session's diagnosis.missing_issuer (untrusted_root:
                                        how a root that was not sent was known) */
    /* starttls_not_offered: the EHLO replies of its sessions, AGG_EHLO_*
     * bits (agg_ehlo_note): one without STARTTLS, or EHLO refused */
    uint8_t ehlo;
    uint8_t auth_kinds;    /* auth_before_tls: what its sessions' mechanisms sent (agg_auth.h) */
    uint32_t quits, tools; /* client_closed_after_handshake: lone QUITs; rejected: test_client */
    uint32_t refused_untrusted, refused_none, refused_hidden; /* by diagnosis.refused_why */
    uint32_t cert_ok;   /* sessions whose chain smtptap accepts (certificate_ok, not weak) */
    uint32_t anontls;   /* sessions upgraded by X-ANONYMOUSTLS (tlsrpt_anontls): all, no TLS-RPT */
    uint8_t sig_hashes; /* weak_signature: its sessions' digests (VERIFY_WEAK_ bits) */
    uint32_t sig_then;  /* ... its sessions weak_signature_accepted_then */
    const char *retired_note; /* first session's diagnosis.retired_root_note (static) */
    bool retired_then;        /* ... and its retired_root_public_then */
    const char *tlsrpt;       /* client_quit_after_handshake: its sessions' TLS-RPT type
                                 (diagnosis.tlsrpt; validation-failure when they differ) */
    struct agg_evids *evids;  /* the distinct evidences of its sessions (agg_evids.c) */
};

/* Sessions by Exchange status (agg_verdicts.c): those judged, those with
 * none (Valid), and those with each XS_ bit. */
struct agg_vcount {
    uint32_t judged, valid, bit[XS_COUNT];
};

enum { AGG_RN_MISMATCH = 1, AGG_RN_UNCHECKED = 2, AGG_RN_NO_NAME = 4 };

struct agg_chain {
    uint32_t ids[FACTS_CHAIN_MAX];
    uint8_t n;
    uint8_t statuses; /* exchange_statuses of its first session */
    /* its resumed sessions' names, checked against its leaf (diagnose.c,
     * RFC 8446 §4.6.1): AGG_RN_MISMATCH, one is not the leaf's;
     * AGG_RN_UNCHECKED, one's could not be (its leaf not decoded);
     * AGG_RN_NO_NAME, one had no name to check (name_unchecked). With
     * verdict_from, they make the SubjectMismatch of its verdict (padding) */
    uint8_t rnames;
    uint64_t sessions; /* full handshakes that presented it */
    uint64_t resumed;  /* sessions that resumed one of them (sent no certificate: resume.c) */
    int64_t first, last;
    char verdict[32]; /* exchange_status of its first session */
    char verify_text[96];
    bool expired_seen;               /* served while expired */
    uint64_t sids[AGG_SESSIONS_MAX]; /* first sessions that got it */
    uint8_t n_sids;
    uint64_t exp_sessions; /* sessions in which it was expired */
    uint64_t exp_implicit; /* of them, implicit TLS (tlsrpt_implicit) */
    /* of its sessions, and of exp_sessions, those upgraded by Exchange's
     * X-ANONYMOUSTLS (tlsrpt_anontls): all of them, no TLS-RPT type */
    uint32_t anontls, exp_anontls;
    int64_t exp_first, exp_last;
    uint64_t exp_sids[AGG_SESSIONS_MAX];
    uint8_t n_exp_sids;
    /* its sessions (full or resumed) linked to no peer in uses: of peers
     * past report.peers_max (their addresses in unlisted), and of pairs
     * past the uses table; and of each, those after it was first served
     * expired (exp_: the expired findings' part, agg_fpeers_uses) */
    uint32_t past_cap, unpaired, exp_past_cap, exp_unpaired;
    struct agg_vcount vc; /* every session's statuses */
    /* resumed sessions here whose full handshake was on another port of this
     * address (Postfix's smtpd services share one session cache, tlsmgr(8)):
     * those ports, how many each; with no session here, the verdict is the
     * one the chain got on the first of them (verdict_from) */
    uint16_t else_port[AGG_ELSEWHERE_MAX];
    uint64_t else_sessions[AGG_ELSEWHERE_MAX];
    uint8_t n_else;
    uint16_t verdict_from; /* that port, 0: the verdict is this server's own; its
                              SubjectMismatch is this server's (rnames) */
    /* its sessions (full and resumed) whose name was not checked, none known
     * (diagnosis.name_check DG_NAME_NO_NAME; agg_namecheck.c; in padding) */
    uint32_t name_unchecked;
    struct agg_cocsp *ocsp;      /* made at its first session whose client asked for a staple or
                                    that got one (agg_ocsp.c): its line in the terminal report */
    struct agg_pcount *unlisted; /* made at the first of past_cap's sessions */
};

/* The stapled OCSP responses of one chain's sessions (agg_ocsp.c). */
struct agg_cocsp {
    uint32_t problems[OCSP_PB_COUNT]; /* judged staples by problem (OCSP_PB_NONE: good) */
    uint32_t unstapled;               /* its client asked (status_request), none stapled */
    uint32_t unjudged;                /* stapled, not judged (too large, no memory, no leaf) */
    const char *unjudged_why;         /* the last such staple's: "too_large", "no_memory" ... */
    int reason;                       /* the last revoked staple's CRLReason, -1 none */
    /* the last judged staple: its times and the time it was judged at (s) */
    uint8_t problem;
    int64_t produced_at, next_update, judged_s;
};

/* Sessions of one peer that received one chain. */
struct agg_use {
    uint32_t peer, chain;
    uint64_t sessions;
    int64_t first, last;
};

struct agg_peer {
    struct ipaddr ip;
    /* client_closed_after_handshake by peer (agg_closed.c), in the 3 bytes
     * of padding after ip so a peer stays AGG_PEER_SIZE (report.peers_max
     * of them a server): a TLS session went further (the client sent more
     * than a lone QUIT or alerts after the handshake: EHLO), and of closed,
     * the lone QUITs (not a test tool's; saturates: exact below 65535) */
    uint8_t further;
    uint16_t closed_quit;
    uint32_t anontls; /* sessions whose upgrade command was Exchange's X-ANONYMOUSTLS (in
                         the padding after ip) */
    uint64_t sessions;
    uint32_t offered, not_offered, stripped, used, rejected, plaintext, tls_failed;
    int16_t rejected_code;
    /* of stripped, the sessions whose STARTTLS command arrived masked
     * (XXXXXXXX) after an EHLO reply that offered it (saturates; in the
     * padding after rejected_code) */
    uint16_t masked;
    /* sessions with none of used, rejected, tls_failed, plaintext: MAIL
     * sent in plaintext and no message delivered (refused, as a server
     * that requires TLS does, or given up), or no MAIL at all; with them
     * the terminal report's row accounts for every session */
    uint32_t plain_undelivered, no_mail, commands_cut; /* no_mail: none, and none cut */
    /* sessions of which the capture holds one direction only (record.h
     * flow_record_missing_dir): the client's missing, the server's; exact
     * (totals: agg.one_way) */
    uint32_t client_unseen, server_unseen;
    /* sessions with none of used, rejected, tls_failed, plaintext, no MAIL
     * read and none cut, whose client direction was not captured at all:
     * whether they sent mail is unknown, not none (not in no_mail; in the
     * padding after server_unseen) */
    uint32_t mail_unknown;
    /* of sessions, used and tls_failed, those in TLS from the first byte:
     * their own terminal report row (report_starttls.c) */
    uint32_t implicit, implicit_failed;
    /* of used, those closed right after the handshake without mail
     * (diagnosis.client_closed_after_handshake), those the server refused with
     * its first reply (server_closed_after_first_reply), and of each the implicit */
    uint32_t closed, implicit_closed, refused, implicit_refused;
    /* The earliest session by start (record id) that used or tried TLS (TLS,
     * STARTTLS stripped, refused or failed), and that had it stripped,
     * refused or failed; 0 none. A plaintext session's class compares its
     * start with these (agg_plain.c): records come as sessions end. */
    uint64_t tls_id, broken_id;
};

/* A server keeps at most report.peers_max peers (64 by default): their
 * size is the aggregation's per server, kept in sight. */
#define AGG_PEER_SIZE 128
_Static_assert(sizeof(struct agg_peer) == AGG_PEER_SIZE, "struct agg_peer grew: on purpose?");

/* A plaintext_delivery session whose class (agg_plain.c) a record still to
 * come could change: one of the same peer that began before it and ends
 * after it. Held in a ring per server (report.peers_max * 4 entries),
 * classed at the findings; the oldest is classed for good when it is full. */
struct agg_plainq {
    uint64_t id;
    int64_t ts;
    uint32_t peer;
    int8_t kind; /* its class with no TLS before it: AF_STARTTLS_NOT_USED,
                    AF_NOT_USED_AUTH, AF_PLAIN_NOT_OFFERED, or -1 */
};

struct agg_alert {
    uint8_t from;
    uint8_t after_from; /* the sender of the handshake message it came after */
    int16_t level;      /* 1 warning, 2 fatal, -1 unknown (encrypted) */
    int16_t code;
    int16_t after; /* that message's type, -1 none seen (tls_alert.after) */
    uint64_t count;
    struct agg_set peers; /* the clients of the sessions it came in */
    char meaning[192];
};

#define AGG_CCERTS_MAX 8 /* distinct client chains kept per server */

#define AGG_REJECTS_MAX 4          /* (what was sent, alert) kept per server */
#define AGG_SENT_NONE   0u         /* an empty Certificate, or none (ids start at 1) */
#define AGG_SENT_UNSEEN UINT32_MAX /* none that could be seen (encrypted, cut) */

/* Peers whose client certificate the server rejected (or required and got
 * none), by what they sent and the alert they got (agg_rejects.c). */
struct agg_reject {
    uint32_t sent; /* the client leaf's certcache id, or AGG_SENT_* */
    int16_t code;  /* the server's alert, -1 encrypted */
    struct agg_set peers;
};

#define AGG_FAILS_MAX 4 /* distinct reasons kept per server for tls_handshake_failed */

/* Handshakes that failed on a server (tls_handshake_failed), by the
 * session's alert meaning ("" when no alert was seen): one session's
 * meaning would speak for every failure (agg_rejects.c). */
struct agg_fail {
    char meaning[192];
    uint64_t sessions;
    struct agg_set peers;
};

/* A client chain (mutual TLS) the server's peers presented: one per
 * distinct chain as sent (a leaf sent alone and with its intermediate are
 * two, with their own verdicts), judged in its first session. */
struct agg_ccert {
    uint32_t ids[FACTS_CHAIN_MAX]; /* certcache ids, leaf first, in the order sent */
    uint8_t n;
    uint64_t sessions;
    int64_t first, last;
    struct agg_set peers;
    char verdict[32];                /* client_exchange_status of its first session */
    char verify_text[96];            /* client_verify_error_text of that session */
    char missing_issuer[160];        /* its client_missing_issuer_subject when nothing showed that
                                        issuer to be a root (an intermediate the client did not send) */
    uint64_t sids[AGG_SESSIONS_MAX]; /* its first sessions (client_certificate_untrusted) */
    uint8_t n_sids;
    uint64_t rejected; /* of its sessions, those the server ended with a fatal alert
                          (server_rejected_client_certificate) */
    uint64_t refused;  /* ... and with its first reply (server_closed_after_first_reply) */
};

/* Sessions that sent one SNI value (or none) in their ClientHello and got
 * one chain (agg_sni.c): what tells a certificate chosen by SNI from one
 * chosen by the peer or by a pool's node. */
struct agg_snu {
    uint8_t sni, chain; /* indices into agg_snis.name and the server's chains */
    uint8_t statuses;   /* XS_ bits of its verified sessions, OR'ed */
    bool judged;        /* one of its sessions was verified */
    uint64_t sessions;  /* full handshakes and resumed sessions */
    struct agg_set peers;
};

struct agg_snis {
    char *name[AGG_SNIS_MAX]; /* NULL: no SNI sent; else a copy of the first spelling */
    uint8_t len[AGG_SNIS_MAX];
    uint32_t malformed; /* bits of the NULL names that are a server_name extension sent but
                           not parsed (tls_facts.sni_malformed), a value of its own */
    uint8_t n;
    struct agg_snu *u; /* cap_u, grown up to AGG_SNUS_MAX */
    uint32_t n_u, cap_u;
    uint32_t dropped; /* sessions of values or pairs past the caps (or the memcap) */
};

struct agg_server {
    struct endpoint ep;
    uint64_t sessions, tls_sessions, implicit;
    int64_t first, last;
    char *names[AGG_NAMES_MAX + AGG_CNAMES_MAX];
    uint8_t name_len[AGG_NAMES_MAX + AGG_CNAMES_MAX]; /* strlen(names[i]), at most 255 */
    uint8_t name_src[AGG_NAMES_MAX + AGG_CNAMES_MAX]; /* AGG_NAME_* where each was seen */
    uint8_t n_names, n_cnames; /* of n_names, those first seen in a certificate */
    struct agg_peer *peers;    /* cap_peers, grown up to report.peers_max */
    /* the sessions of peers past those (or refused by the memcap): not
     * itemised, counted; their addresses in unlisted (agg_pcount.c), made
     * at the first */
    uint32_t n_peers, cap_peers, peer_sessions_dropped;
    /* per peer (cap_pflags, grown with peers), a bit (1 << enum agg_flag)
     * per flag it had a session counted in: a finding's peers past its
     * list counted each once (agg_fpeers.c) */
    uint64_t *pflags;
    uint32_t cap_pflags;
    struct idxtab peer_index; /* peers by address: a server sees many (an MX, the world) */
    struct agg_chain *chains; /* cap_chains, grown up to AGG_CHAINS_MAX */
    uint8_t n_chains;
    uint32_t cap_chains;
    uint32_t chains_dropped;
    /* sessions with a leaf (sent, or linked when resumed) and no name to
     * check it for (agg_namecheck.c; in the padding after chains_dropped) */
    uint32_t name_unchecked;
    struct agg_use *uses;
    uint32_t n_uses, cap_uses, uses_dropped;
    struct agg_alert *alerts; /* AGG_ALERTS_MAX, made at the server's first alert */
    uint8_t n_alerts;
    uint8_t n_rejects;
    uint8_t n_fails;
    uint32_t alerts_dropped;  /* alerts of kinds past AGG_ALERTS_MAX (each, as count is) */
    struct agg_ccert *ccerts; /* AGG_CCERTS_MAX, made at the first client certificate */
    uint8_t n_ccerts;
    uint32_t ccerts_dropped;
    struct agg_reject *rejects;            /* AGG_REJECTS_MAX, made at the first rejected client */
    struct agg_pcount *unlisted;           /* see peer_sessions_dropped */
    struct agg_fail *fails;                /* AGG_FAILS_MAX, made at the first failed handshake */
    uint32_t fails_dropped;                /* sessions of further reasons */
    uint32_t versions[5];                  /* SSLv3, TLS 1.0 .. 1.3 */
    uint32_t rejects_dropped;              /* sessions of further (sent, alert) pairs */
    uint32_t ocsp_asked;                   /* sessions with status_request and the flight seen */
    uint32_t ocsp_stapled;                 /* of them, those the server stapled OCSP in */
    uint32_t ocsp_judged;                  /* sessions whose staple was judged (diagnosis.ocsp) */
    uint32_t ocsp_problems[OCSP_PB_COUNT]; /* of them, by problem (OCSP_PB_NONE: good) */
    uint32_t hs_unseen; /* TLS sessions picked up after their handshake's certificates */
    uint32_t hs_midway; /* of them, those picked up inside the handshake, past them */
    /* Resumed sessions linked to no chain (aggregate.c; in paddings, the
     * struct's size unchanged): TLS 1.3 ones (a ticket sent encrypted,
     * RFC 8446 §4.6.1), and TLS 1.0-1.2 ones (resumed12_unlinked, below) */
    uint32_t resumed13_unlinked;
    struct agg_plainq *plainq; /* ring: cap_plainq entries, n_plainq from head_plainq */
    uint32_t n_plainq, cap_plainq, head_plainq;
    /* certificates_not_visible's sessions by reason (enum dg_not_visible) */
    uint32_t nv_why[DG_NV_COUNT];
    struct agg_nv_example *nv_ex; /* DG_NV_COUNT, made at the first such session */
    uint32_t nv_cut[3];           /* DG_NV_GAP's sessions by enum dg_nv_cut */
    struct agg_nv_kl *nv_kl;      /* made at the first DG_NV_ENCRYPTED session */
    /* Plaintext sessions of peers beyond report.peers_max, whose earlier
     * sessions are not kept: those no class can be given (whether the peer
     * had used TLS before is unknown), those broken in their own connection
     * (plaintext_fallback), and how (1 stripped, 2 refused, 4 failed). */
    uint32_t plain_unkept, broken_unkept;
    uint8_t unkept_how;
    /* sessions of peers beyond report.peers_max offered STARTTLS, and not
     * (agg_peer_no_offer): starttls_inconsistent counts them as sessions */
    uint32_t unkept_offered, unkept_no_offer;
    uint32_t resumed12_unlinked; /* TLS 1.0-1.2: not linked by a session ID or ticket seen */
    /* the peers of those (resumed13_unlinked, resumed12_unlinked): made at
     * the first; a session whose peer is past report.peers_max is counted
     * in the set's dropped */
    struct agg_rpeers {
        struct agg_set p13, p12;
    } * rpeers;
    /* Made when the flag is first raised on the server (most servers
     * raise a few): read through agg_flagstat(). With chains and peers
     * grown as they come, a server costs ~4 KB plus what it uses (0.5 KB a
     * chain, 0.6 KB a raised flag, 64 bytes a peer), not the 28 KB of
     * fixed arrays it had: a gateway's tens of thousands of destination
     * servers fit the memcap. */
    struct agg_flagstat *flags[AF_COUNT];
    struct agg_dane *dane; /* made at the first session with a TLSA RRset (agg_dane.c) */
    struct agg_snis *snis; /* made at the first session with a chain and a ClientHello seen */
};

/* The distinct peers of s past those itemised (report.peers_max): at least
 * 1 when it had sessions of them, though none could be counted (memcap). */
static inline uint32_t
agg_unlisted_peers(const struct agg_server *s)
{
    uint32_t n = agg_pcount_n(s->unlisted);
    return n == 0 && s->peer_sessions_dropped ? 1 : n;
}

/* OCSP stapling on a server (the terminal report): a session whose client
 * asked for it (status_request, RFC 6066 §8) and whose server certificate
 * flight was seen, and whether the server stapled a response. */
static inline void
agg_ocsp_note(struct agg_server *s, const struct tls_facts *t, const struct diagnosis *dg)
{
    if (t->status_request && t->ocsp_stapled != TLS_OCSP_UNSEEN) {
        s->ocsp_asked++;
        s->ocsp_stapled += t->ocsp_stapled == TLS_OCSP_STAPLED;
    }
    if (ocsp_judged(&dg->ocsp) && dg->ocsp.problem < OCSP_PB_COUNT) {
        s->ocsp_judged++;
        s->ocsp_problems[dg->ocsp.problem]++;
    }
}

/* The evidence of ocsp_staple_revoked and ocsp_staple_invalid (agg_ocsp.c):
 * the leaf, what the staple says and its dates. */
struct strbuf;
void agg_ocsp_evidence(struct strbuf *b, const struct diagnosis *dg, const struct tls_facts *t);
/* The terminal report's line of a server's judged staples ("" none). */
void agg_ocsp_line(const struct agg_server *s, char *out, size_t n);
/* A chain's staples (its sessions'), and a chain's line in the terminal
 * report: what its staples said, "" when nothing to say (agg_ocsp.c). */
void agg_ocsp_chain_note(struct agg_chain *c, const struct tls_facts *t,
                         const struct diagnosis *dg);
void agg_ocsp_chain_line(const struct agg_server *s, const struct agg_chain *c, char *out,
                         size_t n);
void agg_ocsp_free(struct agg_server *s);
/* "ocsp_staples" of a chain in the server record (agg_ocsp.c). */
void agg_ocsp_chain_json(struct json *j, const struct agg_server *s, const struct agg_chain *c);

/* A session whose leaf was seen (or linked) and no name known to check it
 * for: counted on s and on its chain c (UINT32_MAX: none kept); the line
 * of chain ch in the terminal report, "" none (agg_namecheck.c). */
void agg_nc_note(struct agg_server *s, uint32_t c, const struct diagnosis *dg);
void agg_nc_line(const struct agg_chain *ch, char *out, size_t n);

void agg_vcount_note(struct agg_vcount *v, const struct diagnosis *dg);
/* Whether the sessions differ in some status. */
bool agg_vcount_mixed(const struct agg_vcount *v);
void agg_vcount_text(const struct agg_vcount *v, char *out, size_t n);
void agg_vcount_json(struct json *j, const struct agg_vcount *v);

/* Widens [*first, *last] to a session that began at ts (none_yet: the
 * first one counted). Records come as sessions end, not as they begin: a
 * short session inside a long one ends first, so the first record is not
 * the earliest (first_seen and last_seen are the earliest and latest start). */
static inline void
agg_seen(int64_t *first, int64_t *last, bool none_yet, int64_t ts)
{
    if (none_yet || ts < *first)
        *first = ts;
    if (none_yet || ts > *last)
        *last = ts;
}

/* The flag's statistics on the server: all zero when it was never raised. */
const struct agg_flagstat *agg_flagstat(const struct agg_server *s, int flag);

struct agg_finding {
    int severity;
    const char *kind;
    uint32_t server; /* index into the sorted servers */
    struct agg_set peers, chains;
    uint64_t sessions;
    uint64_t ids[AGG_SESSIONS_MAX];
    uint8_t n_ids;
    int64_t first, last;
    bool summary_cut, evidence_cut; /* text cut to fit (str_buf_cut): ends in "..." */
    /* Findings on a server name (agg_names.c): the name, the leaves by
     * certificate id, and peers as indices into peer_ips. */
    const char *name;
    uint32_t leaves[AGG_FCHAINS_MAX];
    uint8_t n_leaves;
    const struct ipaddr *peer_ips;
    /* The RFC 8460 §4.3 result type of the finding ("certificate-expired",
     * tlsrpt.c), NULL when none applies */
    const char *tlsrpt;
    /* its sessions were all upgraded by Exchange's X-ANONYMOUSTLS, which
     * TLS-RPT does not speak of (tlsrpt_anontls): no tlsrpt */
    bool anontls_only;
    /* every session of it was implicit TLS (tlsrpt_implicit): no TLS-RPT
     * type, whatever the port's other sessions were */
    bool implicit_only;
    /* Certificates chosen by SNI (agg_sni.c): sni_dependent_certificate's
     * "sni" or "sni_or_peer"; a peer_dependent_certificate or mixed_pool
     * among the sessions of some SNI values only: those values (bits of
     * agg_snis.name), written as the finding's "sni" */
    const char *selected_by;
    uint32_t sni_mask;
    struct agg_iseen iseen; /* missing_intermediate: its issuer sent elsewhere (agg_issuer.c) */
    uint32_t seq;           /* made as the agg.findings[seq]: agg_cmp_finding's last tie-break */
    unsigned rank;          /* agg_kind_rank(kind), looked up once: the sort compares it */
    /* The texts come last: agg_new_finding zeroes the members before them
     * and only the first byte of each text (strings, read up to their
     * terminator), not their 2 KiB (issue 5). */
    char summary[1024];
    /* AGG_EVIDENCE_LEN doubled: certificates_not_visible's of several
     * reasons holds each reason's (agg_nv_evidence_all); every other
     * finding's is written in its first AGG_EVIDENCE_LEN bytes */
    char evidence[2 * AGG_EVIDENCE_LEN];
};

/* The state, owned by aggregate.c. */
struct agg_state {
    const struct config *cfg;
    struct agg_server **servers; /* sorted by address and port after agg_finish */
    uint32_t n_servers, cap_servers, servers_dropped;
    /* sessions whose client's direction, server's, was not captured
     * (report_onedir.c; a vlan_split's halves not counted) */
    uint64_t one_way[2];
    struct idxtab index; /* ip:port -> server index (until agg_finish sorts) */
    struct agg_finding *findings;
    uint32_t n_findings, cap_findings;
    int64_t last_ts;
    int max_severity;
    bool snapshot; /* the records written are a snapshot's (agg_snapshot.c) */
    /* IP datagrams the defragmenter dropped in the run, at defrag.max, at
     * defrag.mem_max and at the memcap (agg_frag_drops): bytes a session
     * lacks may be theirs, not the capture's loss */
    uint64_t frag_at_max, frag_at_mem, frag_at_memcap;
    uint64_t frag_incomplete; /* datagrams that lacked fragments (agg_frag_incomplete) */
    unsigned files_damaged;   /* input files cut short or in error (agg_files_damaged) */
};
extern struct agg_state agg;

void agg_set_add(struct agg_set *s, uint32_t v);
/* A session's peer added to a set of peers: UINT32_MAX (a peer past the
 * server's report.peers_max, not itemised) is a session of a peer not
 * listed, counted in dropped as those past the set's cap are. */
void agg_set_add_peer(struct agg_set *s, uint32_t peer);

/* True when v is in s. */
static inline bool
agg_set_has(const struct agg_set *s, uint32_t v)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->v[i] == v)
            return true;
    return false;
}
struct agg_finding *agg_new_finding(uint32_t server, const char *kind, int sev);
/* The order of the findings (agg_order.c): severity, server, then cause
 * before symptom by the kind's rank (agg_kind_rank: its place in that
 * order, the number of kinds listed for one not listed), kind, name. */
unsigned agg_kind_rank(const char *kind);
int agg_cmp_finding(const void *a, const void *b);
/* Sorts agg.findings by agg_cmp_finding (agg_order.c). */
void agg_sort_findings(void);
/* client_certificate_untrusted: the server's client chains (mutual TLS)
 * that do not verify, with why and what to fix (agg_ccert_findings.c). */
void agg_ccert_findings(uint32_t si);
void agg_ids_merge(struct agg_finding *f, const uint64_t *ids, unsigned n);
void agg_finding_all_chains(struct agg_finding *f, const struct agg_server *s, const uint32_t *ord);
/* Index of the server endpoint in the sorted agg.servers, or UINT32_MAX. */
uint32_t agg_server_index(const struct endpoint *ep);

/* Grouping by server name (agg_names.c). */
void agn_session(const struct flow_record *rec, const struct diagnosis *dg);
void agn_finish(void); /* sorts; adds name findings (before they are sorted) */
void agn_write_json(struct json *j);
/* A snapshot (agg_snapshot.c): agn_finish is to sort a copy of the names'
 * table, which agn_snapshot_end puts back. */
bool agn_snapshot_begin(void);
void agn_snapshot_end(void);
/* qsort order of agg.servers: address family, address, port. */
int agg_cmp_server(const void *a, const void *b);
void agn_write_text(FILE *f);
void agn_fini(void);
uint32_t agn_dropped(void); /* names not aggregated (report.servers_max, memory) */
void agg_compute_findings(void);
/* vlan_split's evidence from a half's record (agg_findings.c) */
void agg_vsplit_evidence(const struct flow_record *rec, char *out, size_t n);
void agg_peer_str(const struct agg_server *s, uint32_t peer, char *out, size_t n);

/* server_rejected_client_certificate per peer (agg_rejects.c): notes a
 * session's (code: the alert diagnose.c found, diagnosis.server_reject_code),
 * and writes "PEERS sent CERTIFICATE, refused with ALERT; ..." */
void agg_reject_note(struct agg_server *s, const struct tls_facts *t, int code, uint32_t peer);
struct strbuf;
void agg_reject_text(struct strbuf *b, const struct agg_server *s);
/* " from PEERS (2 sessions)" (with_peers), or " in 2 sessions" (agg_rejects.c). */
void agg_from_sessions(struct strbuf *b, const struct agg_server *s, const struct agg_set *peers,
                       uint64_t sessions, bool with_peers);
/* tls_handshake_failed by reason (agg_rejects.c): notes a session's alert
 * meaning; writes every reason with its sessions (and peers when asked). */
/* The part of an alert meaning before its last " with " (dg_meaning's
 * form: "<what happened>[ <subject>] with <alert>"), or all of it. */
size_t agg_meaning_head(const char *m);
extern const char agg_fail_no_alert[];
void agg_fail_note(struct agg_server *s, const char *meaning, uint32_t peer);
void agg_fail_text(struct strbuf *b, const struct agg_server *s, bool peers);

/* Plaintext per peer (agg_plain.c): counts a session in its peer's
 * STARTTLS counts (peer UINT32_MAX: not kept), and a plaintext_delivery
 * session in its class (AF_STARTTLS_NOT_USED .. AF_FALLBACK_MASKED_LATER) by
 * what the peer did in the sessions that began before it: at once when no
 * later record can change it, else through the server's plainq;
 * plaintext_fallback from those. */
struct smtp_facts;
/* starttls_stripped's evidence (agg_plain.c): the EHLO keyword masked
 * ("XXXXXXXA", the middlebox between the server and the capture point) or
 * the client's command ("XXXXXXXX", between the client and it). */
void agg_strip_evidence(const struct smtp_facts *sm, char *ev, size_t n);
/* The STARTTLS a client sent anyway after such an EHLO reply, answered
 * 500 or 502 by the middlebox (diagnose: no starttls_rejected), added to
 * starttls_stripped's evidence once each code. */
void agg_strip_note(struct agg_flagstat *fs, const struct smtp_facts *sm);
void agg_peer_note(struct agg_server *s, uint32_t peer, const struct flow_record *rec,
                   const struct diagnosis *dg);
/* The findings of server s read its plaintext classes with the queued
 * sessions classed (agg_flagstat), the run's state left as it was (a
 * snapshot goes on); NULL after the last server. */
void agg_plain_resolve(const struct agg_server *s);
const struct agg_flagstat *agg_plain_resolved(const struct agg_server *s, int flag);
/* Counts a session in fs (its span, peer, chain, id); the flag's own
 * statistics through agg_flag_count (NULL: memcap). */
void agg_fs_add(struct agg_flagstat *fs, int64_t ts, uint64_t id, uint32_t peer, uint32_t chain);
struct agg_flagstat *agg_flag_count(struct agg_server *s, int flag, int64_t ts, uint64_t id,
                                    uint32_t peer);
void agg_plain_findings(uint32_t si);
/* Marks in bits (a bit per peer of s) the peers of s's queued plaintext
 * sessions whose class, as agg_plain_resolve classes them, is in mask
 * (1 << enum agg_flag). */
void agg_plain_queued_peers(const struct agg_server *s, uint64_t mask, uint8_t *bits);
/* Sets the peers past a finding's list exact (agg_fpeers.c): set->dropped
 * becomes the number of distinct peers of s, not in set, with a session
 * in one of the flags of mask (1 << enum agg_flag), however many sessions
 * each had and in however many of those flags (a finding joining two or
 * three classes counts a peer once); set->peers_exact says so. */
void agg_fpeers_exact(const struct agg_server *s, uint64_t mask, struct agg_set *set);
/* The peers of a finding built from s's (peer, chain) pairs (its uses):
 * those of the chains in in (NULL: all; expired: the part of each chain
 * served expired, agg_exp_fill's), into set (empty): the first
 * AGG_FPEERS_MAX listed, the further ones counted each once, and the
 * sessions linked to no peer (agg_chain.past_cap, .unpaired) counted as
 * sessions in set->past_cap and set->unpaired; peers_exact set. Out of
 * memory, the sessions of the further peers are counted instead. */
void agg_fpeers_uses(const struct agg_server *s, const bool *in, bool expired, struct agg_set *set);
/* Notes that peer (an index of s, or UINT32_MAX: none kept) had a session
 * counted in flag. */
void agg_fpeers_note(struct agg_server *s, int flag, uint32_t peer);
const char *agg_plain_advice(const struct agg_server *s);
/* implicit_tls_not_served: what this session's client did on the port (a
 * ClientHello answered in plaintext, STARTTLS, mail in plaintext), added to
 * the finding's evidence once each. */
void agg_implicit_note(struct agg_flagstat *fs, const struct smtp_facts *sm,
                       const struct diagnosis *dg);
/* starttls_not_offered: how this session's EHLO was answered. RFC 5321
 * §4.1.1.1: a server that does not support EHLO answers it 500 or 502 (an
 * RFC 821-only server, no extension at all); §3.2: the client then falls
 * back to HELO. */
enum {
    AGG_EHLO_NO_STARTTLS = 1, /* a 2xx EHLO reply without STARTTLS */
    AGG_EHLO_UNKNOWN_500 = 2, /* EHLO answered 500: command unrecognized */
    AGG_EHLO_UNKNOWN_502 = 4, /* EHLO answered 502: command not implemented */
    AGG_EHLO_REFUSED = 8      /* EHLO answered with another code (421, 554, ...) */
};
void agg_ehlo_note(struct agg_flagstat *fs, const struct smtp_facts *sm);

/* DANE per server (agg_dane.c): a session's diagnosis.dane noted; the
 * server record's "dane" object (nothing when no TLSA RRset was known);
 * dane_tlsa_mismatch and dane_tlsa_unusable, and the DANE-EE word in the
 * server's findings made from first_finding on; freed with the server. */
struct agg_dane;
void agg_dane_note(struct agg_server *s, const struct ipaddr *client, const struct tls_facts *t,
                   const struct diagnosis *dg);
void agg_dane_json(struct json *j, const struct agg_server *s);
void agg_dane_findings(uint32_t si, uint32_t first_finding);
void agg_dane_free(struct agg_server *s);

/* The certificate by the SNI of each session (agg_sni.c). A session with a
 * chain (its own, or a resumed one's) whose ClientHello was seen is
 * counted under its SNI value (none sent is a value) and its chain. */
void agg_sni_note(struct agg_server *s, const struct tls_facts *t, uint32_t chain, uint32_t peer,
                  const struct diagnosis *dg);
void agg_sni_free(struct agg_server *s);
/* The groups of a server's chains that SNI tells apart: the graph whose
 * edges join an SNI value and a chain served for it, cut in its connected
 * parts. True when there are two groups or more: then each group's SNI
 * values got that group's chains only. False when one group holds them
 * all, when a chain was served in no session whose SNI was seen, or when
 * values, pairs or the server's chains were past the caps. */
struct agg_sni_split {
    uint8_t comp[AGG_CHAINS_MAX];  /* each chain's group, 0.. in order of first sighting */
    uint32_t mask[AGG_CHAINS_MAX]; /* each group's SNI values (bits of agg_snis.name) */
    uint8_t n_comp;
    bool crossed; /* a peer sent the values of two groups and got the chains of each */
    bool thin;    /* a group counts fewer than AGG_SNI_MIN_SESSIONS sessions */
};
bool agg_sni_split(const struct agg_server *s, const uint32_t *ord, struct agg_sni_split *o);
/* sni_dependent_certificate for server si (ord: its chains by first sighting). */
void agg_sni_finding(uint32_t si, const struct agg_sni_split *sp, const uint32_t *ord);
/* "mail.example.test (3 sessions: 198.51.100.10, 198.51.100.11); no SNI (2
 * sessions: 198.51.100.10)": the SNI values a chain was served for; "" none seen. */
void agg_sni_text(const struct agg_server *s, uint32_t chain, char *out, size_t n);
/* "no SNI", "a malformed SNI", "SNI mail.example.test", "SNI a.example, b.example"
 * for the values of mask. */
void agg_sni_values_text(struct strbuf *b, const struct agg_server *s, uint32_t mask);
/* The terminal report's DANE line of a server: its TLSA RRset's name,
 * records, DNSSEC and source, and how many sessions matched it or not;
 * nothing when no TLSA record was known for it. */
/* The report's room for that text: a CNAME pool's or a per-peer undecided
 * name check's says what was kept and seen (~650 bytes with long names). */
#define AGG_DANE_TEXT_MAX 1024
void agg_dane_text(struct strbuf *b, const struct agg_server *s);

/* certificates_not_visible's first session of a reason (agg_notvisible.c):
 * its id, and what its evidence is made from. */
struct agg_nv_example {
    uint64_t id;        /* 0: none yet */
    const char *capped; /* diagnosis.handshake_capped (a static name) */
    uint8_t handshake;  /* enum tls_outcome */
    uint8_t pickup;     /* enum tls_pickup_undecided */
    uint8_t cut;        /* enum dg_nv_cut */
    uint8_t keylog;     /* enum tls_keylog (DG_NV_ENCRYPTED with --keylog) */
};

/* DG_NV_ENCRYPTED's sessions with --keylog by how the key log failed them:
 * not in it, in it without SERVER_HANDSHAKE_TRAFFIC_SECRET, its secret not
 * decrypting (enum tls_keylog); the first AGG_NV_KL_IDS ids of each. */
enum agg_nv_kl_kind {
    AGG_NV_KL_NOT_FOUND = 0,
    AGG_NV_KL_NO_SHS,
    AGG_NV_KL_MISMATCH,
    AGG_NV_KL_COUNT
};
#define AGG_NV_KL_IDS 4
struct agg_nv_kl {
    uint32_t n[AGG_NV_KL_COUNT];
    uint64_t ids[AGG_NV_KL_COUNT][AGG_NV_KL_IDS];
};

/* certificates_not_visible (agg_notvisible.c): a session's reason counted on
 * its server (and, for the first of each reason, its example); the first
 * session's evidence; the finding's headline, true of every reason counted,
 * the server's name (ep) inside it; the record's "reasons", one a reason. */
void agg_nv_note(struct agg_server *s, const struct diagnosis *dg, uint64_t id,
                 const struct tls_facts *t);
void agg_nv_free(struct agg_server *s);
void agg_nv_json(struct json *j, const struct agg_server *s, unsigned n_keylogs);
void agg_nv_evidence(struct strbuf *b, const struct diagnosis *dg, const struct tls_facts *t,
                     unsigned n_keylogs);
void agg_nv_headline(struct strbuf *b, const struct agg_server *s, const char *ep);
/* The reasons' few words, each with its count when several (server block) */
void agg_nv_short_list(struct strbuf *b, const struct agg_server *s);
/* How many reasons s has; of several, the finding's evidence: each reason's
 * with its example session (agg_nv_evidence_all). agg_nv_mixed: a reason
 * whose sessions differ in what their evidence says (bytes cut after capture
 * in some, lost or cut by the snaplen in others): agg_nv_evidence_all too. */
unsigned agg_nv_reasons(const struct agg_server *s);
bool agg_nv_mixed(const struct agg_server *s);
/* s has sessions whose handshake bytes were lost (not cut after capture)
 * in a run whose defragmenter dropped datagrams at a cap (agg_frag_drops):
 * the reason's words name the cap; the evidence is made at the findings
 * (agg_nv_evidence_all), the first session's having come before the count. */
bool agg_nv_frag(const struct agg_server *s);
/* The finding's evidence made at the findings from all of s's sessions
 * (agg_nv_evidence_all), not the first session's: several reasons, a mixed
 * one, agg_nv_frag, or TLS 1.3 sessions a key log given had no secrets for,
 * more than one ("this session's client random" would speak for all). */
bool agg_nv_rebuilt(const struct agg_server *s, unsigned n_keylogs);
void agg_nv_evidence_all(struct strbuf *b, const struct agg_server *s, unsigned n_keylogs);
bool agg_nv_reason_line(struct strbuf *b, const struct agg_server *s, unsigned k,
                        unsigned n_keylogs);
/* Resumed sessions on s linked to no chain: "+1 resumed TLS 1.3 session:
 * its chain is the one of the handshake it resumed, not linkable without a
 * key log (...)"; "; " between TLS 1.3 and TLS 1.0-1.2; false (nothing
 * written) when there are none. */
bool agg_nv_resumed(struct strbuf *b, const struct agg_server *s, unsigned n_keylogs);
/* The server record's "resumed_not_linked": those sessions and their peers
 * by TLS version (agg_json.c). */
void agg_json_resumed_unlinked(struct json *j, const struct agg_server *s);

/* One finding per session diagnosis flag raised on server si
 * (agg_findings_flags.c). */
void agg_flag_findings(uint32_t si);
/* The trust store's kind (agg_retired.c): the system bundle (with any
 * --ca-file or --ca-path added), empty (--no-system-ca alone), or the
 * user's own (--no-system-ca with --ca-file or --ca-path). */
enum agg_store_kind { AGG_STORE_SYSTEM, AGG_STORE_EMPTY, AGG_STORE_OWN };
enum agg_store_kind agg_store_kind(const struct config *cfg);
/* untrusted_root's sessions end in a root that was public at their time
 * (retired_roots.c) and the store is not the user's own: likely trusted
 * then, low. */
bool agg_retired_then(const struct agg_flagstat *fs, const struct config *cfg);
/* untrusted_root's headline when agg_retired_then. */
void agg_retired_headline(struct strbuf *b);
/* weak_signature's headline: the digests named; then (low): clients took them then. */
void agg_weak_sig_headline(struct strbuf *b, const struct agg_flagstat *fs, bool then);
/* untrusted_root for a root that was not sent: what showed it is a root. */
void agg_root_evidence(struct strbuf *b, const struct agg_flagstat *fs, const struct config *cfg);
/* "1 session" / "N sessions"; what with " at the --at time T" (agg_findings.c). */
void agg_add_sessions(struct strbuf *b, unsigned long long n);
void agg_add_at(struct strbuf *b, const char *what);

#include "agg_evids.h" /* needs the types above */

/* The terminal report's STARTTLS and implicit TLS rows of s, one per peer
 * (report_starttls.c). */
void agg_starttls_rows(FILE *f, const struct agg_server *s);
#include "agg_who.h" /* who a finding concerns (agg_who.c) */
/* "192.0.2.1:25", "[2001:db8::1]:25" */
void agg_ep_str(const struct endpoint *ep, char *out, size_t n);
/* "CN=mail.example.test (SHA-1 3A4F…)" for a chain's leaf. */
void agg_chain_label(const struct agg_chain *c, char *out, size_t n);
void agg_leaf_label(uint32_t leaf_id, char *out, size_t n);
/* "leaf" (the certificate object) and "chain_sha256" of a chain. */
void agg_json_chain(struct json *j, const uint32_t *ids, unsigned n);
void agg_ts_short(int64_t us, char *out, size_t n);

/* A mixed pool's odd certificate against the others' (agg_findings.c), by
 * their exchange_statuses: any, the union of the others', all, what every
 * other has, others, how many. Writes what differs (" - it is DateInvalid,
 * the other certificate is not") and the node to fix; nodes when the odd one is served
 * by several (addresses of a name). */
void agg_pool_difference(struct strbuf *b, unsigned odd, unsigned any, unsigned all,
                         unsigned others, bool nodes);

/* report_onedir.c: the terminal report's ONE DIRECTION CAPTURED lines. */
void agg_one_direction_text(FILE *f);
/* report_onedir.c: every session of the run held the client's direction
 * only (none of the server's captured): no finding can be made. */
bool agg_one_direction_client_only(void);

#endif /* SMTPTAP_AGG_INT_H */
