/* \summary: per-session verdicts (issue 4): chain trust and time (verify.c),
 * the name check (names.c, RFC 6125), STARTTLS (RFC 3207) and alert
 * findings, in the words mail admins search for. */
#include "diagnose.h"
#include "retired_roots.h"

#include <arpa/inet.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certcache.h"
#include "dnslearn.h"
#include "engine.h"
#include "mem.h"
#include "names.h"
#include "namememo.h"
#include "tls_names.h"
#include "truststore.h"
#include "verify.h"
#include "strcopy.h"
#include "tlsa.h"

#define DG_DANE_NAMES 8 /* names learned from DNS tried for a TLSA RRset */

static const struct config *dg_cfg;

static bool
dg_name_matches(const struct cert_entry *cert, const char *name)
{
    int known = namememo_get(cert->id, cert->sha256, name);
    if (known >= 0)
        return known;
    uint64_t cap_hits = mem_cap_hits();
    X509 *lx = certcache_x509(cert->id);
    if (!lx)
        return true; /* undecodable now: no mismatch claimed, nothing remembered */
    bool match = names_check(lx, name, NULL, 0);
    X509_free(lx);
    if (mem_cap_hits() != cap_hits)
        return true; /* the SAN list may not have been decoded: the same */
    namememo_put(cert->id, cert->sha256, name, match);
    return match;
}

int
diagnose_init(const struct config *cfg, char *err, unsigned errlen)
{
    dg_cfg = cfg;
    if (verify_init(cfg, err, errlen) != 0)
        return -1;
    truststore_describe(cfg); /* for the report: its sources and size */
    (void)namememo_init();    /* without it, every name is checked every time */
    return 0;
}

void
diagnose_fini(void)
{
    verify_fini();
    truststore_reset();
    namememo_fini();
    dg_cfg = NULL;
}

const char *
name_source_str(enum name_source s)
{
    switch (s) {
    case NAME_SRC_SNI:
        return "sni";
    case NAME_SRC_EXPECT:
        return "expect";
    case NAME_SRC_DNS_MX:
        return "dns_mx";
    case NAME_SRC_DNS_A:
        return "dns_a";
    case NAME_SRC_NONE:
        break;
    }
    return "none";
}

/* When a session is judged: --at, or at_us (the packet that completed the
 * server's chain, else the session's first packet). The early verification
 * and the diagnosis must agree on it. */
static int64_t
dg_judged_at(int64_t first_us)
{
    return dg_cfg && dg_cfg->at_us ? dg_cfg->at_us : first_us;
}

/* The SNI as the name to check (cut to the buffer), if it is one. */
static bool
dg_sni_name(const struct fstr *sni, char *out, size_t n)
{
    if (!sni->s || sni->len == 0 || memchr(sni->s, '\0', sni->len))
        return false;
    size_t k = sni->len < n - 1 ? sni->len : n - 1;
    memcpy(out, sni->s, k);
    out[k] = '\0';
    return true;
}

/* The name to check, by priority: --expect ADDRESS=NAME, --expect NAME, SNI,
 * an MX host resolved to this address, an A/AAAA name (diagnose.h). */
enum name_source
diagnose_pick_name(const struct flow_record *rec, const struct expected_name *exp, unsigned n_exp,
                   char *out, size_t n)
{
    char ip[64] = ""; /* printed for the first --expect IP=NAME only */
    const char *bare = NULL;
    out[0] = '\0';
    for (unsigned i = 0; dg_cfg && i < dg_cfg->n_expect; i++) {
        const char *e = dg_cfg->expect[i], *eq = strchr(e, '=');
        if (!eq) {
            if (!bare)
                bare = e;
            continue;
        }
        if (ip[0] == '\0')
            inet_ntop(rec->server.ip.family == 6 ? AF_INET6 : AF_INET, rec->server.ip.a, ip,
                      sizeof(ip));
        if ((size_t)(eq - e) == strlen(ip) && strncmp(e, ip, strlen(ip)) == 0) {
            str_copy(out, n, eq + 1);
            return NAME_SRC_EXPECT;
        }
    }
    if (bare) {
        str_copy(out, n, bare);
        return NAME_SRC_EXPECT;
    }
    if (rec->facts && dg_sni_name(&rec->facts->tls.sni, out, n))
        return NAME_SRC_SNI;
    for (unsigned i = 0; i < n_exp; i++)
        if (exp[i].name && exp[i].name[0]) {
            str_copy(out, n, exp[i].name);
            return exp[i].source;
        }
    return NAME_SRC_NONE;
}

static void
dg_pick_name(const struct flow_record *rec, const struct expected_name *exp, unsigned n_exp,
             struct diagnosis *out)
{
    out->checked_name_source =
        diagnose_pick_name(rec, exp, n_exp, out->checked_name, sizeof(out->checked_name));
}

/* Checks the name against the leaf (RFC 6125), when there is a name and a
 * decoded leaf; name_check says whether it was, and if not why. A leaf
 * not decoded claims no mismatch, nor does a leaf with no name to check:
 * certificate_ok then says nothing of the name (name_checked false). */
static void
dg_check_name(const struct cert_entry *leaf, struct diagnosis *out)
{
    if (!leaf || leaf->info.parse_error) {
        out->name_check = DG_NAME_LEAF_UNDECODED;
    } else if (out->checked_name[0] == '\0') {
        out->name_check = DG_NAME_NO_NAME;
    } else {
        out->name_check = DG_NAME_CHECKED;
        out->name_mismatch = !dg_name_matches(leaf, out->checked_name);
    }
}

/* The handshake ended by FIN/RST before it finished. */
static bool
dg_aborted(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    /* after a gap in the TLS bytes, an unfinished handshake may have
     * finished unseen: the capture lost it, the peers need not have */
    return t->handshake == TLS_HS_INCOMPLETE && !t->gap && rec->ended &&
           (!strcmp(rec->ended, "fin") || !strcmp(rec->ended, "rst"));
}

/* The cap of smtptap's own that cut the TLS bytes before the handshake's
 * end: the --cap name to raise for the anomaly of the first such cap the
 * flow hit, or NULL. The handshake may then have gone on unseen, as after a
 * gap (dg_aborted), and an alert whose code was encrypted after it is no
 * failure either; a fatal alert sent in clear is one all the same. */
static const char *
dg_capped(const struct flow_record *rec)
{
    static const char *const caps[][2] = {
        {"reasm.depth", "reasm.depth"},         {"reasm.ooo_cap", "reasm.ooo_max"},
        {"stream.buffer_cap", "reasm.buf_max"}, {"flow.mem_cap", "flow.mem_max"},
        {"flow.no_memory", "memcap"},           {"memcap", "memcap"},
        {"tls.hs_msg_cap", "tls.hs_msg_max"},   {"tls.records_cap", "tls.records_max"}};
    const struct tls_facts *t = &rec->facts->tls;
    if (!t->seen || t->handshake == TLS_HS_NONE || t->handshake == TLS_HS_COMPLETE)
        return NULL;
    for (unsigned i = 0; i < t->n_alerts && i < FACTS_ALERTS_MAX; i++)
        if (!t->alerts[i].encrypted && t->alerts[i].level == 2)
            return NULL;
    for (unsigned i = 0; i < rec->n_anomalies; i++)
        for (unsigned k = 0; k < sizeof(caps) / sizeof(caps[0]); k++)
            if (strcmp(rec->anomalies[i].name, caps[k][0]) == 0)
                return caps[k][1];
    return NULL;
}

/* RFC 3207 §4: a server that requires TLS answers other commands before
 * STARTTLS with "530 5.7.0 Must issue a STARTTLS command first"; Exchange
 * answers MAIL with "451 5.7.3 STARTTLS is required to send mail" (case 5),
 * "530 5.7.1 Client was not authenticated" when it wants AUTH (which needs
 * TLS first). So a session without TLS whose MAIL, RCPT, DATA, BDAT or AUTH
 * got a 530, or, while STARTTLS was offered and not used, a 4xx/5xx whose
 * enhanced status code (RFC 3463) says security or policy other than a
 * refusal of the sender: X.7.0 (other), X.7.3, X.7.10 (encryption needed,
 * RFC 5248) or X.7.11 (encryption required for the mechanism, RFC 4954),
 * had its mail refused for want of TLS. Not greylisting (4.7.1 or none), a
 * relay denied (5.7.1), an unknown user (5.1.1), nor a 501: the reply to an
 * AUTH exchange the client cancelled with "*" (RFC 4954 §4; Postfix: "501
 * 5.7.0 Authentication aborted"), or a syntax error (RFC 5321 §4.2.3). */
static bool
dg_tls_wanted(const struct smtp_exchange *x)
{
    if (x->code == 530)
        return true;
    return x->code >= 400 && x->code != 501 && x->esc_class >= 0 && x->esc_subject == 7 &&
           (x->esc_detail == 0 || x->esc_detail == 3 || x->esc_detail == 10 || x->esc_detail == 11);
}

static void
dg_plaintext_refused(const struct smtp_facts *s, struct diagnosis *out)
{
    if (!s->seen || s->tls_started || s->implicit_tls)
        return;
    bool offered_unused = s->starttls_offered == 1 && !s->starttls_command;
    static const char *const verbs[] = {"MAIL", "RCPT", "DATA", "BDAT", "AUTH"};
    for (unsigned i = 0; i < s->n_dialog; i++) {
        const struct smtp_exchange *x = &s->dialog[i];
        if (!x->plaintext || !(x->code == 530 || (offered_unused && dg_tls_wanted(x))))
            continue;
        for (unsigned v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
            if (strcmp(x->verb, verbs[v]) != 0)
                continue;
            out->plaintext_refused = true;
            struct strbuf b =
                str_buf(out->plaintext_refused_what, sizeof(out->plaintext_refused_what));
            str_add(&b, x->verb, " ", NULL);
            str_add_uint(&b, (unsigned)x->code);
            if (x->esc_class >= 0) { /* "MAIL 451 5.7.3" */
                str_add(&b, " ", NULL);
                str_add_uint(&b, (unsigned)x->esc_class);
                str_add(&b, ".", NULL);
                str_add_uint(&b, (unsigned)x->esc_subject);
                str_add(&b, ".", NULL);
                str_add_uint(&b, (unsigned)x->esc_detail);
            }
            return;
        }
    }
}

/* out->alert_meaning = "<head>[ <subject, at most 60 bytes>] with <what>",
 * without printf (once per alert); a subject cut short ends in "...". */
static void
dg_meaning(struct diagnosis *out, const char *head, const char *subject, const char *what)
{
    char *m = out->alert_meaning;
    size_t n = sizeof(out->alert_meaning);
    size_t at = str_copy(m, n, head);
    if (subject != NULL) { /* at most 60 bytes, not cut inside an escape ("\C3") */
        size_t len = strlen(subject), cut = str_cut_at(subject, len, 60);
        at = str_cat(m, n, at, " ", 1);
        at = str_cat(m, n, at, subject, cut);
        if (cut < len)
            at = str_cat(m, n, at, "...", 3);
    }
    at = str_cat(m, n, at, " with ", 6);
    str_cat(m, n, at, what, strlen(what));
}

/* The capture (end of file, -c COUNT, a live capture stopped) ended while
 * the handshake was in progress, before the server's Certificate (RFC 5246
 * §7.4.2) was seen: nothing was judged, which "No findings." must not
 * hide. A resumed or anonymous handshake sends none. */
static bool
dg_ended_before_certs(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    return t->seen && t->certificates == TLS_CERTS_UNKNOWN && t->handshake == TLS_HS_INCOMPLETE &&
           !t->resumed && !t->anonymous && rec->ended != NULL &&
           strcmp(rec->ended, "capture_end") == 0;
}

/* The capture began inside the connection (facts.midstream) past the
 * server's certificates: neither its ClientHello nor the ServerHello seen
 * (certificates unknown), but records that come after them (RFC 5246
 * §7.3: the server's Certificate follows its ServerHello; RFC 8446 §2:
 * inside the flight the ServerHello begins; a client's alert answers that
 * flight): the handshake picked up after
 * its start (history "... " first, tls_pickup.c) or after its end
 * altogether (handshake unseen, tls.c tls_unseen). The server's record
 * counts it among handshakes_unseen. */
static bool
dg_picked_up_after_certs(const struct flow_record *rec)
{
    const struct session_facts *f = rec->facts;
    if (!f || !f->midstream)
        return false;
    const struct tls_facts *t = &f->tls;
    if (!t->seen || t->certificates != TLS_CERTS_UNKNOWN || t->resumed || t->anonymous)
        return false;
    if (t->handshake == TLS_HS_UNSEEN)
        return true;
    bool tail = t->hs_history.len >= 3 && memcmp(t->hs_history.s, "...", 3) == 0;
    if (!tail)
        return false;
    if (t->last_hs[0] >= 0 || t->last_hs[1] >= 0 || t->ccs[0] || t->ccs[1])
        return true;
    /* a client's alert answers the server's flight (the server's alone may
     * refuse the ClientHello, before any certificate: RFC 5246 §7.2) */
    for (unsigned i = 0; i < t->n_alerts && i < FACTS_ALERTS_MAX; i++)
        if (t->alerts[i].from == 0)
            return true;
    return false;
}

/* A handshake picked up right after the ServerHello whose kind (resumed or
 * full) the capture cannot tell (tls_pickup.c tls_pickup_order): its
 * DG_NV_ reason, DG_NV_NONE when it was told. The server's ChangeCipherSpec,
 * Finished and application data with no record of the client's
 * (TLS_PICKUP_SERVER_ONLY12) is a full handshake when the capture holds
 * the client's side: in a resumed one the client's ChangeCipherSpec and
 * Finished come between the server's Finished and its data (RFC 5246
 * §7.3), so a capture that has the client's side would show them. That side
 * is captured when bytes of the client's are (its TLS records, its SMTP
 * commands: the record's bytes.client): a bare ACK or a lone FIN of its, which a tap on
 * one direction (or a filter on the server's address as source) may let
 * through astray, shows no byte the client sent. With no byte of the
 * client's, either handshake shows just this, unless the server's own ACKs
 * told it (tls_pickup.c tls_pickup_by_ack: TLS_PICKUP_FULL_BY_ACK, full, is
 * DG_NV_PICKED_UP's; resumed sets t->resumed). */
static uint8_t
dg_pickup_undecided(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    if (!rec->facts->midstream || t->resumed)
        return DG_NV_NONE;
    switch (t->pickup_undecided) {
    case TLS_PICKUP_UNDECIDED12:
        return DG_NV_UNDECIDED;
    case TLS_PICKUP_UNDECIDED13:
    case TLS_PICKUP_UNDECIDED13_NOCCS:
        return DG_NV_UNDECIDED13;
    case TLS_PICKUP_SERVER_ONLY12:
        return rec->bytes[0] == 0 ? DG_NV_UNDECIDED_ONEWAY : DG_NV_NONE; /* 0: the client's */
    default:
        return DG_NV_NONE;
    }
}

/* Why certificates_not_visible holds, DG_NV_NONE when it does not; a cap of
 * smtptap's own that cut the handshake is the reason before the others. */
static uint8_t
dg_not_visible_why(const struct flow_record *rec, const struct diagnosis *out)
{
    const struct tls_facts *t = &rec->facts->tls;
    uint8_t why = DG_NV_NONE;
    if (!t->seen)
        return why;
    if (t->certificates == TLS_CERTS_ENCRYPTED)
        why = DG_NV_ENCRYPTED;
    else if (t->certificates == TLS_CERTS_MALFORMED)
        why = DG_NV_MALFORMED;
    else if (t->certificates == TLS_CERTS_GAP)
        why = DG_NV_GAP;
    else if (t->certificates == TLS_CERTS_TRUNCATED)
        why = DG_NV_TRUNCATED;
    else if (dg_pickup_undecided(rec) != DG_NV_NONE)
        return dg_pickup_undecided(rec);
    else if (dg_picked_up_after_certs(rec))
        return DG_NV_PICKED_UP;
    else if (dg_ended_before_certs(rec)) /* a ServerHello gives these (RFC 5246 §7.4.1.3) */
        why = t->version != 0 || t->cipher_seen ? DG_NV_ENDED_ANSWER : DG_NV_ENDED_NO_ANSWER;
    return why != DG_NV_NONE && out->handshake_capped != NULL ? DG_NV_CAPPED : why;
}

static void
dg_alerts(const struct flow_record *rec, struct diagnosis *out)
{
    const struct tls_facts *t = &rec->facts->tls;
    for (unsigned i = 0; i < t->n_alerts && i < FACTS_ALERTS_MAX; i++) {
        const struct tls_alert *a = &t->alerts[i];
        bool fatal = a->level == 2 || (a->encrypted && a->code < 0 &&
                                       t->handshake == TLS_HS_FAILED && !out->handshake_capped);
        if (!fatal)
            continue;
        /* after the server's certificate flight (RFC 5246 §7.4.2-7.4.5; in
         * TLS 1.3, RFC 8446 §4.4: EncryptedExtensions .. Finished, which
         * follow the ServerHello in one flight) */
        bool tls13 = t->version == 0x0304;
        bool cert_alert = a->code < 0 || (a->code >= 42 && a->code <= 46) || a->code == 48;
        bool after_server_cert =
            (t->n_server_chain > 0 || t->certificates == TLS_CERTS_ENCRYPTED) &&
            ((a->after_from == 1 && (a->after == 11 || a->after == 12 || a->after == 13 ||
                                     a->after == 14 || a->after == 22)) ||
             (tls13 && a->after_from == 1 &&
              (a->after == 8 || a->after == 15 || a->after == 20 ||
               a->after == TLS_AFTER_SERVER_FLIGHT)) ||
             (tls13 && a->after_from == 1 && a->after == 2 &&
              t->certificates == TLS_CERTS_ENCRYPTED && cert_alert) ||
             (a->encrypted && tls13));
        bool after_client_cert = a->after_from == 0 &&
                                 (a->after == 11 || a->after == 15 || a->after == 16 ||
                                  a->after == 20 || a->after == -1) &&
                                 (t->client_certificate_requested || t->n_client_chain > 0);
        const char *nm = a->code >= 0 ? tls_alert_str(a->code) : NULL;
        char what[80]; /* "%s (%d)", without printf: once per alert */
        if (a->code >= 0) {
            size_t at = str_copy(what, sizeof(what), nm ? nm : "an unknown alert");
            at = str_cat(what, sizeof(what), at, " (", 2);
            at = str_cat_int(what, sizeof(what), at, a->code);
            str_cat(what, sizeof(what), at, ")", 1);
        } else {
            str_copy(what, sizeof(what),
                     tls13 ? "an encrypted alert (TLS 1.3: code not visible)"
                           : "an encrypted alert (after ChangeCipherSpec: code not visible)");
        }
        /* a certificate alert (RFC 5246 §7.2.2: 42-46, 48; or one whose code
         * TLS 1.3 hides): other codes after the server's flight (71
         * insufficient_security, 70 protocol_version, 80 internal_error)
         * end the handshake for another reason */
        if (a->from == 0 && after_server_cert && cert_alert) {
            if (!out->client_rejected_certificate)
                out->client_reject_code = a->code;
            out->client_rejected_certificate = true;
            if (!out->alert_meaning[0]) {
                const struct cert_entry *e =
                    t->n_server_chain ? certcache_get(t->server_chain[0]) : NULL;
                dg_meaning(out, "the client rejected the server certificate",
                           e && !e->info.parse_error ? e->info.subject : NULL, what);
            }
        } else if (a->from == 1 && after_client_cert &&
                   (cert_alert || a->code == 116 || (a->code == 40 && t->n_client_chain == 0) ||
                    (a->code == 50 && t->client_certificates == TLS_CERTS_NONE))) {
            /* a certificate alert, certificate_required (116, RFC 8446 §4.4.2.4),
             * or handshake_failure for a Certificate sent empty; decode_error
             * (50) for one sent empty is GnuTLS's (Exim's tls_verify_hosts:
             * "No certificate was found", pcaps/diag/exim-ccert.pcap) */
            if (!out->server_rejected_client_certificate)
                out->server_reject_code = a->code;
            out->server_rejected_client_certificate = true;
            if (!out->alert_meaning[0] && t->client_certificates == TLS_CERTS_NONE) {
                /* an empty Certificate (RFC 5246 §7.4.6): nothing to reject */
                dg_meaning(out,
                           "the server required a client certificate and the client sent none;",
                           "ended", what);
            } else if (!out->alert_meaning[0]) {
                const struct cert_entry *e = certcache_get(t->client_chain[0]);
                dg_meaning(out, "the server rejected the client certificate",
                           e && !e->info.parse_error ? e->info.subject : NULL, what);
            }
        } else if (!out->alert_meaning[0] && a->from == 1 && t->sslv2_hello && a->after_from == 0 &&
                   a->after == 1 && (a->code == 40 || a->code == 71)) {
            /* RFC 5246 Appendix E.2: that form has no extensions (no
             * signature algorithms, no groups), so a server whose ciphers
             * all need them finds none in common: handshake_failure (40)
             * or insufficient_security (71); a protocol_version (70) is
             * the version's doing, and said as any alert is */
            dg_meaning(out,
                       "the server refused a ClientHello in the SSL 2.0 form (an old client: "
                       "that form has no extensions, which a modern server's ciphers need)",
                       NULL, what);
        } else if (!out->alert_meaning[0] && a->from == 1 && a->after_from == 0 && a->after == 1 &&
                   (a->code == 40 || a->code == 70 || a->code == 71)) {
            /* the server's answer to the ClientHello itself, before any
             * ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.1): nothing in
             * common. In the words OpenSSL logs on the server ("no shared
             * cipher", "unsupported protocol"), which admins search for */
            dg_meaning(out, "the server refused the ClientHello", NULL, what);
            const char *why = a->code == 70
                                  ? ": none of the TLS versions the client offered is enabled on "
                                    "the server (OpenSSL: \"unsupported protocol\")"
                                  : ": no cipher suite in common (OpenSSL on the server: \"no "
                                    "shared cipher\", as when it has no certificate and key)";
            size_t at = strlen(out->alert_meaning);
            str_cat(out->alert_meaning, sizeof(out->alert_meaning), at, why, strlen(why));
        } else if (!out->alert_meaning[0]) {
            dg_meaning(out,
                       a->from == 0 ? "the client ended the handshake"
                                    : "the server ended the handshake",
                       NULL, what);
        }
    }
}

/* The client chain's verdict in the words Exchange's certificate status
 * uses (no name is checked; the server's is diagnose_exchange_status). */
static const char *
dg_client_status(bool date, bool trust, bool partial, bool other)
{
    if (date)
        return "DateInvalid";
    if (trust)
        return "UntrustedRoot";
    if (partial)
        return "PartialChain";
    return other ? "Invalid" : "Valid";
}

const char *
diagnose_status_word(unsigned bit)
{
    switch (bit) {
    case XS_DATE_INVALID:
        return "DateInvalid";
    case XS_REVOKED:
        return "Revoked";
    case XS_UNTRUSTED_ROOT:
        return "UntrustedRoot";
    case XS_PARTIAL_CHAIN:
        return "PartialChain";
    case XS_SUBJECT_MISMATCH:
        return "SubjectMismatch";
    case XS_INVALID:
        return "Invalid";
    default:
        return "?";
    }
}

const char *
diagnose_root_evidence(uint8_t missing_issuer)
{
    switch (missing_issuer) {
    case VERIFY_ISSUER_ROOT_BUNDLE:
        return "system_bundle";
    case VERIFY_ISSUER_ROOT_SAME_NAME:
        return "trust_store_same_name";
    case VERIFY_ISSUER_ROOT_RETIRED:
        return "retired_public_root";
    default:
        return NULL;
    }
}

const char *
diagnose_exchange_status(const struct diagnosis *d)
{
    if (!d->verified)
        return "";
    for (unsigned i = 0; i < XS_COUNT; i++)
        if (d->exchange_statuses & (1u << i))
            return diagnose_status_word(1u << i);
    return "Valid";
}

void
diagnose_statuses_text(unsigned statuses, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    if (statuses == 0)
        str_add(&b, "Valid", NULL);
    for (unsigned i = 0; i < XS_COUNT; i++)
        if (statuses & (1u << i))
            str_add(&b, b.len ? ", " : "", diagnose_status_word(1u << i), NULL);
}

/* The weak signatures of the chain sent: their digests, and whether the
 * session's time accepted every one (a SHA-1 chain of 2014 was the norm
 * then; judged by today's rules it is a finding it was not). */
static void
dg_weak_signature(const struct tls_facts *t, int64_t at_s, struct diagnosis *out)
{
    unsigned hashes = 0;
    bool then = true;
    for (unsigned i = 0; i < t->n_server_chain; i++) {
        const struct cert_entry *e = certcache_get(t->server_chain[i]);
        if (!e || e->info.parse_error)
            continue;
        unsigned h = verify_sig_weak_hash(&e->info);
        hashes |= h;
        then &= h == 0 || verify_sha1_accepted_at(&e->info, at_s);
    }
    out->weak_signature_hashes = (uint8_t)hashes;
    out->weak_signature_accepted_then = hashes != 0 && then;
}

static void
dg_chain(const struct flow_record *rec, int64_t at_us, struct diagnosis *out)
{
    const struct tls_facts *t = &rec->facts->tls;
    struct verify_result v;
    out->verified = true;
    verify_chain(t->server_chain, t->n_server_chain, at_us / 1000000, VERIFY_SERVER, &v);
    out->expired = v.expired;
    out->not_yet_valid = v.not_yet_valid;
    out->self_signed = v.self_signed;
    out->untrusted_root = v.untrusted_root;
    out->missing_intermediate = v.missing_intermediate && !v.self_signed;
    out->name_constraint_violation = v.name_constraint_violation;
    out->weak_key = v.weak_key;
    out->weak_signature = v.weak_signature;
    out->verify_error = v.first_error;
    str_copy(out->verify_error_text, sizeof(out->verify_error_text),
             v.first_error ? v.first_error_text : "ok");
    if (v.untrusted_root)
        str_copy(out->untrusted_root_subject, sizeof(out->untrusted_root_subject), v.root_subject);
    out->missing_issuer = (uint8_t)v.issuer_missing;
    out->retired_root_note = v.retired_note;
    int64_t until = retired_root_until(v.retired_note);
    out->retired_root_public_then = until > 0 && at_us / 1000000 < until;
    if (v.issuer_missing != VERIFY_ISSUER_FOUND)
        str_copy(out->missing_issuer_subject, sizeof(out->missing_issuer_subject), v.root_subject);
    const struct cert_entry *leaf = certcache_get(t->server_chain[0]);
    if (leaf && !leaf->info.parse_error) {
        /* self-signed and not trusted (findings.md): a self-signed leaf the
         * trust store holds verifies, and is then no finding */
        if (leaf->info.self_signed && (v.self_signed || v.untrusted_root))
            out->self_signed = true;
        int64_t warn = (int64_t)(dg_cfg ? dg_cfg->expiry_warn_days : 30) * 86400;
        int64_t at = at_us / 1000000;
        out->expiring_soon = leaf->info.not_after >= at && leaf->info.not_after - at < warn;
    }
    dg_check_name(leaf, out);
    if (v.weak_signature)
        dg_weak_signature(t, at_us / 1000000, out);
    out->certificate_ok = v.first_error == 0 && !out->name_mismatch && !out->self_signed;
    bool date = out->expired || out->not_yet_valid;
    /* Windows (X509ChainStatusFlags, the words Exchange logs): a chain that
     * reaches a self-signed root it does not trust is UntrustedRoot; one
     * it cannot build up to a root, an issuer neither sent nor in its
     * store, PartialChain (CERT_TRUST_IS_PARTIAL_CHAIN) */
    bool trust = out->untrusted_root || out->self_signed;
    bool partial = out->missing_intermediate;
    /* every word that applies; the first is the session's exchange
     * status (diagnose_exchange_status): DateInvalid, (Revoked: a staple's,
     * dg_revoked), UntrustedRoot, PartialChain, SubjectMismatch, then
     * Invalid for an error of no kind above */
    bool invalid = v.other_error || v.name_constraint_violation ||
                   (v.first_error != 0 && !date && !trust && !partial);
    out->exchange_statuses =
        (uint8_t)((date ? XS_DATE_INVALID : 0) | (trust ? XS_UNTRUSTED_ROOT : 0) |
                  (partial ? XS_PARTIAL_CHAIN : 0) |
                  (out->name_mismatch ? XS_SUBJECT_MISMATCH : 0) | (invalid ? XS_INVALID : 0));
}

/* The client's chain (mutual TLS), verified as the server verifying it
 * would: for a TLS client (RFC 5280 §4.2.1.12 id-kp-clientAuth), with no
 * name check (the SNI names the server, not the client). */
static void
dg_client_chain(const struct tls_facts *t, int64_t at_us, struct diagnosis *out)
{
    struct verify_result v;
    verify_chain(t->client_chain, t->n_client_chain, at_us / 1000000, VERIFY_CLIENT, &v);
    out->client_verify_error = v.first_error;
    str_copy(out->client_verify_error_text, sizeof(out->client_verify_error_text),
             v.first_error ? v.first_error_text : "ok");
    str_copy(out->client_exchange_status, sizeof(out->client_exchange_status),
             dg_client_status(v.expired || v.not_yet_valid, v.untrusted_root || v.self_signed,
                              v.missing_intermediate && !v.self_signed, v.first_error != 0));
    if (v.untrusted_root)
        str_copy(out->client_untrusted_root_subject, sizeof(out->client_untrusted_root_subject),
                 v.root_subject);
    out->client_missing_issuer = (uint8_t)v.issuer_missing;
    if (v.issuer_missing != VERIFY_ISSUER_FOUND)
        str_copy(out->client_missing_issuer_subject, sizeof(out->client_missing_issuer_subject),
                 v.root_subject);
}

/* DANE (RFC 7672 §2.2.2: the TLSA base domain is the MX host, which a
 * DANE sender also sends as SNI): the checked name first, then the names
 * DNS answers in the capture gave the server's address, MX hosts first. */
static void
dg_dane(const struct flow_record *rec, const struct expected_name *exp, unsigned n_exp,
        int64_t at_us, struct diagnosis *out)
{
    const char *names[1 + DG_DANE_NAMES];
    unsigned n = 0;
    names[n++] = out->checked_name;
    for (unsigned i = 0; i < n_exp && n < 1 + DG_DANE_NAMES; i++)
        names[n++] = exp[i].name;
    const struct tls_facts *t = &rec->facts->tls;
    /* the capture's first packet: its first TCP packet or DNS answer, the
     * earlier (a client's lookups are all in view some time after it) */
    int64_t cap_us = engine_first_us(), dns_us = dnslearn_first_us();
    if (dns_us > 0 && (cap_us == 0 || dns_us < cap_us))
        cap_us = dns_us;
    struct dane_session ds = {&rec->client.ip, rec->ts_us, cap_us};
    dane_check_peer(rec->server.port, names, n, &ds, t->server_chain, t->n_server_chain,
                    at_us / 1000000, &out->dane);
}

/* A resumed session linked to the chain of the full handshake it resumed
 * (resume.c) sent no certificate, and its chain is not verified again; its
 * name is checked against that chain's leaf: it may differ from the one
 * the full handshake's client asked (another SNI, or a session made on 25
 * resumed on 587), and RFC 8446 §4.6.1 has a client resume only when the
 * new SNI is valid for the certificate of the original session. A leaf
 * not decoded leaves the name unchecked (no mismatch claimed). */
static void
dg_resumed_name(const struct flow_record *rec, const struct expected_name *exp, unsigned n_exp,
                struct diagnosis *out)
{
    const struct tls_facts *t = &rec->facts->tls;
    dg_pick_name(rec, exp, n_exp, out);
    dg_check_name(certcache_get(t->resumed_chain[0]), out);
}

/* The leaf's stapled OCSP response (ocsp.c), at the time the chain is
 * judged: a response larger than tls.ocsp_max was not kept. */
static void
dg_ocsp(const struct tls_facts *t, int64_t at_us, struct diagnosis *out)
{
    if (t->ocsp == NULL)
        return;
    if (t->ocsp->too_large)
        ocsp_unjudged(t->ocsp->len, &out->ocsp);
    else
        ocsp_judge(t->ocsp->der, t->ocsp->len, t->server_chain, t->n_server_chain, at_us / 1000000,
                   &out->ocsp);
}

/* A staple of this session that the issuer (or the responder it
 * authorised) signed for this leaf says revoked (OCSP_PB_REVOKED, judged
 * at the session's time): a client that checks revocation refuses the
 * chain, as Windows does with CERT_TRUST_IS_REVOKED, which Exchange logs
 * as Revoked. The chain is then not ok, whatever OpenSSL (which checks no
 * revocation here) said of it. Only this session's staple counts: another
 * session's good staple, or one after a renewal, leaves its own Valid. */
static void
dg_revoked(struct diagnosis *out)
{
    if (!out->ocsp.present || out->ocsp.problem != OCSP_PB_REVOKED)
        return;
    out->exchange_statuses |= XS_REVOKED;
    out->certificate_ok = false;
}

void
diagnose_prewarm(const struct session_facts *facts, int64_t chain_us)
{
    const struct tls_facts *t = &facts->tls;
    const struct cert_entry *leaf = t->n_server_chain ? certcache_get(t->server_chain[0]) : NULL;
    if (leaf == NULL || leaf->seen > 1)
        return; /* a leaf seen before: its checks are likely remembered already */
    int64_t at_us = dg_judged_at(chain_us);
    struct verify_result v;
    verify_chain(t->server_chain, t->n_server_chain, at_us / 1000000, VERIFY_SERVER, &v);
    char name[sizeof(((struct diagnosis *)NULL)->checked_name)];
    if (!leaf->info.parse_error && (!dg_cfg || dg_cfg->n_expect == 0) &&
        dg_sni_name(&t->sni, name, sizeof(name)))
        (void)dg_name_matches(leaf, name);
    certcache_session_done(t->server_chain, t->n_server_chain);
}

/* A diagnosis as zeroed, for what is read of it: the members before the
 * texts zeroed, each text emptied (its first byte). A memset of the whole
 * (2.2 KiB) was 1.7 % of the dense slice in callgrind, most of it for
 * texts that stay empty (issue 5). */
static void
dg_clear(struct diagnosis *d)
{
    memset(d, 0, offsetof(struct diagnosis, plaintext_refused_what));
    d->plaintext_refused_what[0] = '\0';
    d->verify_error_text[0] = '\0';
    d->checked_name[0] = '\0';
    d->untrusted_root_subject[0] = '\0';
    d->missing_issuer_subject[0] = '\0';
    d->alert_meaning[0] = '\0';
    d->client_verify_error_text[0] = '\0';
    d->client_exchange_status[0] = '\0';
    d->client_untrusted_root_subject[0] = '\0';
    d->client_missing_issuer_subject[0] = '\0';
}

void
diagnose_session(const struct flow_record *rec, const struct expected_name *expected,
                 unsigned n_expected, struct diagnosis *out)
{
    dg_clear(out);
    out->verify_error = -1;
    out->client_verify_error = -1;
    if (!rec->facts)
        return;
    const struct smtp_facts *s = &rec->facts->smtp;
    const struct tls_facts *t = &rec->facts->tls;
    int64_t at_us = dg_judged_at(flow_record_judged_us(rec));
    out->judged_at_us = at_us;

    /* STARTTLS (RFC 3207) */
    /* the capability mangled in the EHLO reply (seen on the client's side
     * of the middlebox), or the client's command masked (on the server's) */
    out->starttls_stripped = s->stripped_capability.s != NULL || s->starttls_masked;
    out->starttls_not_offered = s->seen && s->starttls_offered == 0 && !s->implicit_tls &&
                                !s->anonymoustls_offered && !out->starttls_stripped;
    /* A STARTTLS answered 500/502 after an EHLO reply whose keyword was
     * masked is the middlebox's own answer (no SMTP server that offers
     * STARTTLS says it does not know it): part of the stripping, whose
     * evidence says so (agg_strip_note), not the server's refusal */
    bool strip_answer =
        out->starttls_stripped && (s->starttls_reply_code == 500 || s->starttls_reply_code == 502);
    /* a server-only capture's STARTTLS refusal: from the 454 (tls_server_side) */
    out->starttls_rejected = (s->starttls_command || s->tls_server_side) &&
                             s->starttls_reply_code > 0 && s->starttls_reply_code != 220 &&
                             !strip_answer;
    out->auth_before_tls = s->auth_before_tls;
    dg_plaintext_refused(s, out);
    /* Message content crossed in plaintext: a body line or chunk, or a
     * message accepted (an empty one has no line). A MAIL or RCPT refused
     * before any content (451, 550) is not a delivery. */
    out->plaintext_delivery = s->plaintext_data || s->plaintext_messages > 0;
    out->handshake_capped = dg_capped(rec);
    bool tls_failed =
        t->seen && !out->handshake_capped && (t->handshake == TLS_HS_FAILED || dg_aborted(rec));
    out->plaintext_after_failed_starttls =
        out->plaintext_delivery && s->starttls_command &&
        (out->starttls_rejected || !s->tls_started || tls_failed);

    out->implicit_tls_not_served = s->plaintext_on_tls_port;

    /* TLS */
    out->tls_handshake_failed = tls_failed;
    if (tls_failed && s->client_tls_to_plaintext) /* the cause, before any alert's */
        str_copy(out->alert_meaning, sizeof(out->alert_meaning),
                 "the client sent a TLS ClientHello and the server answered in plaintext SMTP: "
                 "it serves no implicit TLS on this port");
    out->mutual_tls = t->n_client_chain > 0;
    out->not_visible_why = dg_not_visible_why(rec, out);
    /* what hid them (engine_tcp_gap): a -w file cuts frames after the
     * handshake, which do not explain a hole in it */
    if (out->not_visible_why == DG_NV_GAP && (rec->certs_gap & FLOW_GAP_CUT_AFTER))
        out->not_visible_cut = (rec->certs_gap & FLOW_GAP_OTHER) ? DG_NV_CUT_BOTH : DG_NV_CUT_AFTER;
    out->certificates_not_visible = out->not_visible_why != DG_NV_NONE;
    dg_alerts(rec, out);
    if (!out->server_rejected_client_certificate)
        (void)diagnose_server_alert_first(rec, out);
    if (t->seen && t->n_server_chain > 0) {
        dg_pick_name(rec, expected, n_expected, out);
        dg_chain(rec, at_us, out);
        if (t->ocsp_stapled == TLS_OCSP_STAPLED)
            dg_ocsp(t, at_us, out);
        dg_revoked(out);
        if (tlsa_count() > 0)
            dg_dane(rec, expected, n_expected, at_us, out);
    } else if (t->seen && t->n_resumed_chain > 0) {
        dg_resumed_name(rec, expected, n_expected, out);
    }
    if (t->seen && t->n_client_chain > 0)
        dg_client_chain(t, at_us, out);
    /* a person's probe that ends as a refusal does is not one (diagnose_quit.c) */
    out->test_client = diagnose_test_client(rec);
    bool quit = t->seen && diagnose_client_quit(rec);
    out->client_quit_after_handshake =
        quit && out->test_client == DG_TC_NONE && diagnose_quit_explained(out);
    out->manual_tls_probe = quit && out->test_client != DG_TC_NONE;
    out->client_closed_after_handshake =
        (quit && !out->client_quit_after_handshake) || (t->seen && diagnose_client_closed(rec));
    out->server_closed_after_first_reply = t->seen && diagnose_server_refused(rec);
    if (out->server_closed_after_first_reply)
        out->refused_why = (uint8_t)diagnose_refused_why(rec, out);
}
