/* \summary: SMTP TLS Reporting's vocabulary (RFC 8460 §4.3) for findings
 * and sessions, and --tlsrpt FILE: one RFC 8460 §4.4 report of what
 * smtptap saw on the wire (not a sending MTA's report: docs/tlsrpt.md). */
#include "tlsrpt.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnslearn.h"
#include "fdwait.h"
#include "termtext.h"
#include "json.h"
#include "report_session.h"
#include "strcopy.h"
#include "tlsa.h"

/* RFC 8460 §4.3.1 negotiation failures, §4.3.2.2 the DANE one smtptap
 * can see (dnssec-invalid and dane-required need the sender's resolver and
 * configuration; the sts-* ones its MTA-STS fetch) */
static const char TR_STARTTLS[] = "starttls-not-supported";
static const char TR_HOST[] = "certificate-host-mismatch";
static const char TR_EXPIRED[] = "certificate-expired";
static const char TR_TRUST[] = "certificate-not-trusted";
static const char TR_VALIDATION[] = "validation-failure";
static const char TR_TLSA[] = "tlsa-invalid";

bool
tlsrpt_port(const struct config *cfg, uint16_t port)
{
    if (port == 25)
        return true;
    return cfg != NULL && port != 587 && port != 465 && config_is_mail_port(cfg, port) &&
           !config_is_tls_port(cfg, port);
}

bool
tlsrpt_implicit(const struct flow_record *rec)
{
    const struct smtp_facts *s = rec->facts ? &rec->facts->smtp : NULL;
    return s != NULL && s->implicit_tls && !s->client_tls_to_plaintext;
}

bool
tlsrpt_anontls(const struct flow_record *rec)
{
    const struct smtp_facts *s = rec->facts ? &rec->facts->smtp : NULL;
    return s != NULL && s->starttls_command && strcmp(s->starttls_verb, "X-ANONYMOUSTLS") == 0;
}

bool
tlsrpt_applies(const struct config *cfg, const struct flow_record *rec)
{
    return tlsrpt_port(cfg, rec->server.port) && !tlsrpt_implicit(rec) && !tlsrpt_anontls(rec);
}

/* A client's certificate alert (RFC 8446 §6.2) in RFC 8460's words, as
 * Postfix 3.10 words the verification errors behind it (tls_verify.c
 * tls_log_verify_error, docs/tlsrpt.md): certificate_expired (45) is the
 * expired leaf, certificate-expired; unknown_ca (48), sent for an issuer
 * not found or a self-signed certificate, and any other (42, 46, an
 * encrypted one) validation-failure. */
static const char *
tlsrpt_alert(int code)
{
    return code == 45 ? TR_EXPIRED : TR_VALIDATION;
}

const char *
tlsrpt_kind(const char *kind, int alert_code)
{
    static const struct {
        const char *kind, *type;
    } map[] = {
        {"starttls_stripped", TR_STARTTLS},
        {"starttls_not_offered", TR_STARTTLS},
        {"starttls_rejected", TR_STARTTLS},
        {"expired", TR_EXPIRED},
        {"expired_certificate_served", TR_EXPIRED},
        /* Postfix 3.10 (tls_verify.c): an issuer not found, a self-signed
         * certificate, not yet valid: validation-failure; the errors it
         * leaves to smtp_proto.c (a name constraint, DANE's "not trusted
         * by local or TLSA policy"): certificate-not-trusted */
        {"not_yet_valid", TR_VALIDATION},
        {"self_signed", TR_VALIDATION},
        {"untrusted_root", TR_VALIDATION},
        {"missing_intermediate", TR_VALIDATION},
        {"name_constraint_violation", TR_TRUST},
        {"name_mismatch", TR_HOST},
        {"dane_tlsa_mismatch", TR_TRUST},
        /* all TLSA records unusable: Postfix 3.10 tls_client.c reports
         * tlsa-invalid, then delivers unauthenticated */
        {"dane_tlsa_unusable", TR_TLSA},
        {"tls_handshake_failed", TR_VALIDATION},
        {"server_rejected_client_certificate", TR_VALIDATION},
        /* refused without an alert, its chain verifying here (the
         * finding takes its sessions' types: agg_findings.c) */
        {"client_quit_after_handshake", TR_VALIDATION},
        /* a sender that checks the staple (Exim's hosts_require_ocsp):
         * RFC 8460 §4.3.1's certificate-not-trusted covers certificate
         * failures beyond the CA and name; a staple it cannot use, the
         * general validation-failure */
        {"ocsp_staple_revoked", TR_TRUST},
        {"ocsp_staple_invalid", TR_VALIDATION},
        /* none for server_refused_after_handshake (a 421 right after the
         * handshake, agg_refused.c): the result types are a sender's
         * failures to negotiate TLS or to validate the receiving server's
         * certificate and policy (RFC 8460 §4.3); there both succeeded, and a
         * client certificate is the sender's own, which it does not report
         * on. None for several sessions' pattern (mixed_pool,
         * peer_dependent_certificate, sni_dependent_certificate,
         * certificate_changed): their sessions' own findings carry the type */
    };
    if (kind == NULL)
        return NULL;
    if (strcmp(kind, "client_rejected_certificate") == 0)
        return tlsrpt_alert(alert_code);
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(kind, map[i].kind) == 0)
            return map[i].type;
    return NULL;
}

const char *
tlsrpt_session(const struct config *cfg, const struct flow_record *rec, const struct diagnosis *d,
               const char **why)
{
    const char *w = NULL, *t = NULL;
    if (!tlsrpt_applies(cfg, rec))
        goto out;
    /* what a sender meets first: the EHLO reply and the STARTTLS verb */
    if (d->starttls_stripped) {
        t = TR_STARTTLS, w = "starttls_stripped";
        goto out;
    }
    if (d->starttls_not_offered) {
        t = TR_STARTTLS, w = "starttls_not_offered";
        goto out;
    }
    if (d->starttls_rejected) {
        t = TR_STARTTLS, w = "starttls_rejected";
        goto out;
    }
    /* then the chain, under the policy the capture shows: DANE (RFC 7672)
     * when a TLSA RRset was known, where a matched record waives the PKIX
     * checks and an RRset of no usable record is tlsa-invalid (Postfix
     * 3.10 reports it, then goes on unauthenticated); else a PKIX
     * sender's (MTA-STS, RFC 8461 §4.2) checks. Postfix keeps OpenSSL's
     * first error at the lowest depth (tls_verify.c update_error_state);
     * at the leaf OpenSSL finds the chain's, then the name (check_id),
     * then validity (internal_verify), then name constraints */
    if (d->dane.state == DANE_MISMATCH) {
        t = TR_TRUST, w = "dane_tlsa_mismatch";
        goto out;
    }
    if (d->dane.state == DANE_UNUSABLE) {
        t = TR_TLSA, w = "dane_tlsa_unusable";
        goto out;
    }
    bool dane = d->dane.state == DANE_MATCH || d->dane.state == DANE_UNDECIDED;
    if (!dane && d->verified) {
        static const struct {
            size_t off;
            const char *why, *type;
        } pkix[] = {
            {offsetof(struct diagnosis, self_signed), "self_signed", TR_VALIDATION},
            {offsetof(struct diagnosis, untrusted_root), "untrusted_root", TR_VALIDATION},
            {offsetof(struct diagnosis, missing_intermediate), "missing_intermediate",
             TR_VALIDATION},
            {offsetof(struct diagnosis, name_mismatch), "name_mismatch", TR_HOST},
            {offsetof(struct diagnosis, not_yet_valid), "not_yet_valid", TR_VALIDATION},
            {offsetof(struct diagnosis, expired), "expired", TR_EXPIRED},
            {offsetof(struct diagnosis, name_constraint_violation), "name_constraint_violation",
             TR_TRUST},
        };
        for (size_t i = 0; i < sizeof(pkix) / sizeof(pkix[0]); i++)
            if (*(const bool *)((const char *)d + pkix[i].off)) {
                t = pkix[i].type, w = pkix[i].why;
                goto out;
            }
    }
    /* a client that asked for the staple (status_request) and checks it,
     * once the chain passed: revoked, or a staple it cannot use */
    if (d->ocsp.present && d->ocsp.problem != OCSP_PB_NONE) {
        bool rev = d->ocsp.problem == OCSP_PB_REVOKED;
        t = rev ? TR_TRUST : TR_VALIDATION;
        w = rev ? "ocsp_staple_revoked" : "ocsp_staple_invalid";
        goto out;
    }
    /* the client said why with its alert (its chain not visible, or
     * accepted by smtptap's trust store and not the client's) */
    if (d->client_rejected_certificate) {
        t = tlsrpt_alert(d->client_reject_code), w = "client_rejected_certificate";
        goto out;
    }
    /* refused without an alert, by the client's own policy (its chain
     * verifies here: a problem of the chain's was found above) */
    if (d->client_quit_after_handshake) {
        t = TR_VALIDATION, w = "client_quit_after_handshake";
        goto out;
    }
    /* a TLS handshake that failed (RFC 8460 §4.3.1's general type); not
     * a ClientHello sent to a plaintext greeting: a client set for
     * implicit TLS, which no MTA delivering on 25 is */
    if (d->tls_handshake_failed && !(rec->facts && rec->facts->smtp.client_tls_to_plaintext)) {
        t = TR_VALIDATION, w = "tls_handshake_failed";
        goto out;
    }
out:
    if (why != NULL)
        *why = w;
    return t;
}

/* ---- --tlsrpt ---- */

struct tr_policy {
    bool tlsa;
    uint32_t tlsa_first; /* the RRset's first record (tlsa_get) */
    char domain[TLSA_NAME_MAX];
    char mx[TLSA_NAME_MAX]; /* tlsa: the TLSA base domain, the MX host */
    uint64_t ok, failed;
};

struct tr_detail {
    uint32_t policy;
    const char *type, *why;
    struct ipaddr client, server;
    char mx[TLSA_NAME_MAX];
    char helo[TLSA_NAME_MAX]; /* the greeting's host name, "" unknown */
    char info[192];
    uint64_t count;
};

static struct {
    struct tr_policy p[TLSRPT_POLICIES_MAX];
    uint32_t n_p;
    struct tr_detail d[TLSRPT_DETAILS_MAX];
    uint32_t n_d;
    uint64_t not_itemised; /* sessions past the caps: in no policy or detail */
    /* TLS sessions established whose server chain the capture does not
     * show (counted in neither), those of them TLS 1.3 without a key log */
    uint64_t unseen, unseen13;
    /* SMTP sessions on ports smtptap found by itself (not 25 nor --ports),
     * in no policy: stderr names up to 4 of their ports */
    uint64_t other;
    uint16_t other_port[4];
    uint32_t n_other_port;
    bool other_more; /* more ports than other_port holds */
    /* SMTP or TLS sessions on submission (587), implicit TLS (465, a
     * --tls-ports port) or implicit TLS elsewhere: TLS-RPT is MTA to MTA
     * (RFC 8460 §1), none of them; stderr says so when no policy is left */
    uint64_t not_mta;
    uint64_t mta; /* sessions TLS-RPT speaks of (tlsrpt_applies): with no policy, none tried TLS */
    /* sessions on MTA ports upgraded by Exchange's X-ANONYMOUSTLS, in no
     * policy (RFC 8460 section 3): stderr says so */
    uint64_t anontls;
} tr;

void
tlsrpt_reset(void)
{
    memset(&tr, 0, sizeof(tr));
}

static bool
tr_ip_eq(const struct ipaddr *a, const struct ipaddr *b)
{
    return a->family == b->family && memcmp(a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

/* "_25._tcp.mx.example.test" -> "mx.example.test" */
static const char *
tr_base(const char *owner)
{
    const char *p = owner;
    for (int i = 0; i < 2 && p != NULL; i++) {
        p = strchr(p, '.');
        if (p != NULL)
            p++;
    }
    return p != NULL ? p : owner;
}

static uint32_t
tr_policy(const struct flow_record *rec, const struct diagnosis *d, const struct expected_name *exp,
          unsigned n_exp)
{
    struct tr_policy want;
    memset(&want, 0, sizeof(want));
    want.tlsa_first = TLSA_NONE;
    const struct tlsa_ent *e = NULL;
    if (d->dane.state != DANE_NONE && d->dane.state != DANE_SKIPPED &&
        (e = tlsa_get(d->dane.first)) != NULL) {
        want.tlsa = true;
        want.tlsa_first = d->dane.first;
        str_copy(want.mx, sizeof(want.mx), tr_base(e->owner));
    } else if (d->checked_name[0]) {
        str_copy(want.mx, sizeof(want.mx), d->checked_name);
    } else {
        /* no chain checked (TLS 1.3 without a key log, a resumption, no
         * TLS): the name it would have been checked against, from the same
         * sources in the same order (--expect, the SNI, DNS), so that one
         * server's sessions share one policy whatever the capture showed */
        (void)diagnose_pick_name(rec, exp, n_exp, want.mx, sizeof(want.mx));
    }
    const char *dom = want.mx[0] ? dnslearn_mx_domain(want.mx) : NULL;
    if (dom != NULL)
        str_copy(want.domain, sizeof(want.domain), dom);
    else if (want.mx[0])
        str_copy(want.domain, sizeof(want.domain), want.mx);
    else
        report_ip_str(want.domain, sizeof(want.domain), &rec->server.ip);
    for (uint32_t i = 0; i < tr.n_p; i++)
        if (tr.p[i].tlsa == want.tlsa && tr.p[i].tlsa_first == want.tlsa_first &&
            strcmp(tr.p[i].domain, want.domain) == 0)
            return i;
    if (tr.n_p == TLSRPT_POLICIES_MAX)
        return UINT32_MAX;
    tr.p[tr.n_p] = want;
    return tr.n_p++;
}

/* RFC 8460 §4.4 receiving-mx-helo, "the HELO or EHLO string from the
 * banner announced during the reported session": the greeting's first
 * word (smtp.banner_host), written only when it is a host name or an
 * address literal (letters, digits, '-', '.', '_', ':', '[', ']'), so no
 * other wire bytes reach the report; "" when not seen or not such. */
static void
tr_helo(char *out, size_t n, const struct session_facts *f)
{
    out[0] = '\0';
    if (f == NULL || f->smtp.banner_host.s == NULL || f->smtp.banner_host.len == 0 ||
        f->smtp.banner_host.truncated || f->smtp.banner_host.len >= n)
        return;
    const uint8_t *h = f->smtp.banner_host.s;
    for (uint32_t i = 0; i < f->smtp.banner_host.len; i++) {
        uint8_t c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']'))
            return;
    }
    memcpy(out, h, f->smtp.banner_host.len);
    out[f->smtp.banner_host.len] = '\0';
}

/* A session TLS-RPT does not speak of, on a port smtptap found SMTP on by
 * itself: counted for stderr's hint (--ports PORT puts an MTA's in). */
static void
tr_other(const struct config *cfg, const struct flow_record *rec)
{
    const struct smtp_facts *s = &rec->facts->smtp;
    uint16_t port = rec->server.port;
    if (tlsrpt_implicit(rec) || config_is_mail_port(cfg, port) || config_is_tls_port(cfg, port)) {
        tr.not_mta += s->seen || rec->facts->tls.seen;
        return;
    }
    if (!s->seen)
        return;
    tr.other++;
    for (uint32_t i = 0; i < tr.n_other_port; i++)
        if (tr.other_port[i] == port)
            return;
    if (tr.n_other_port < sizeof(tr.other_port) / sizeof(tr.other_port[0]))
        tr.other_port[tr.n_other_port++] = port;
    else
        tr.other_more = true;
}

void
tlsrpt_note(const struct config *cfg, const struct flow_record *rec, const struct diagnosis *d,
            const struct expected_name *exp, unsigned n_exp)
{
    const struct session_facts *f = rec->facts;
    if (f == NULL)
        return;
    if (!tlsrpt_applies(cfg, rec)) {
        if (tlsrpt_port(cfg, rec->server.port) && !tlsrpt_implicit(rec) && tlsrpt_anontls(rec))
            tr.anontls++;
        else
            tr_other(cfg, rec);
        return;
    }
    tr.mta++;
    const char *why = NULL;
    const char *type = tlsrpt_session(cfg, rec, d, &why);
    /* a success is a TLS session established over a chain the capture
     * shows and that passed the checks (docs/tlsrpt.md). Not one whose
     * certificates it does not show: a TLS 1.3 handshake without its key
     * log, a resumption (no certificate sent), a session picked up after
     * its handshake: that the client went on says what it accepted (an
     * opportunistic sender accepts any chain), not what a validating
     * sender would have met; such a session counts in neither */
    bool established =
        f->tls.seen && (f->tls.handshake == TLS_HS_COMPLETE || f->tls.handshake == TLS_HS_UNSEEN);
    bool ok = type == NULL && established && d->verified;
    if (type == NULL && !ok) {
        if (established) {
            tr.unseen++;
            tr.unseen13 += f->tls.version == 0x0304 && !f->tls.resumed && !f->tls.decrypted;
        }
        return; /* no TLS tried, or its outcome not seen: neither */
    }
    uint32_t pi = tr_policy(rec, d, exp, n_exp);
    if (pi == UINT32_MAX) {
        tr.not_itemised++;
        return;
    }
    struct tr_policy *p = &tr.p[pi];
    if (ok) {
        p->ok++;
        return;
    }
    p->failed++;
    const char *mx = d->checked_name[0] ? d->checked_name : p->mx;
    char helo[TLSA_NAME_MAX];
    tr_helo(helo, sizeof(helo), f);
    for (uint32_t i = 0; i < tr.n_d; i++) {
        struct tr_detail *x = &tr.d[i];
        if (x->policy == pi && x->type == type && x->why == why &&
            tr_ip_eq(&x->client, &rec->client.ip) && tr_ip_eq(&x->server, &rec->server.ip) &&
            strcmp(x->mx, mx) == 0 && strcmp(x->helo, helo) == 0) {
            x->count++;
            return;
        }
    }
    if (tr.n_d == TLSRPT_DETAILS_MAX) {
        tr.not_itemised++;
        return;
    }
    struct tr_detail *x = &tr.d[tr.n_d++];
    memset(x, 0, sizeof(*x));
    x->policy = pi;
    x->type = type;
    x->why = why;
    x->client = rec->client.ip;
    x->server = rec->server.ip;
    str_copy(x->mx, sizeof(x->mx), mx);
    str_copy(x->helo, sizeof(x->helo), helo);
    /* what the wire showed: OpenSSL's text, the alert, the DANE verdict */
    const char *info = NULL;
    if (why != NULL && strcmp(why, "dane_tlsa_mismatch") == 0)
        info = "the chain matched none of the usable TLSA records (smtptap diagnosis.dane)";
    else if (type == TR_TLSA)
        info = "none of the TLSA records is usable (RFC 7672 section 3.1.3)";
    else if (d->alert_meaning[0] && (type == TR_VALIDATION || d->client_rejected_certificate))
        info = d->alert_meaning;
    else if (d->verify_error_text[0] && d->verify_error > 0)
        info = d->verify_error_text;
    else if (d->starttls_stripped)
        info = "the EHLO reply's STARTTLS keyword was mangled by a middlebox";
    else if (d->starttls_not_offered)
        info = "the EHLO reply did not offer STARTTLS";
    else if (d->starttls_rejected)
        info = "the server refused the STARTTLS command";
    str_copy(x->info, sizeof(x->info), info ? info : "");
    x->count = 1;
}

/* RFC 3339 date-time in whole seconds, UTC ("2026-11-24T06:26:01Z") */
static void
tr_time(char *out, size_t n, int64_t us, bool up)
{
    time_t s = (time_t)(us / 1000000 + (up && us % 1000000 ? 1 : 0));
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The policies array, as a JSON value of its own (hashed for the id). */
static void
tr_policies(struct json *j)
{
    char b[64];
    json_arr_begin(j, NULL);
    for (uint32_t pi = 0; pi < tr.n_p; pi++) {
        const struct tr_policy *p = &tr.p[pi];
        json_obj_begin(j, NULL);
        json_obj_begin(j, "policy");
        json_str(j, "policy-type", p->tlsa ? "tlsa" : "no-policy-found");
        if (p->tlsa) {
            json_arr_begin(j, "policy-string");
            for (uint32_t r = p->tlsa_first; r != TLSA_NONE;) {
                const struct tlsa_ent *e = tlsa_get(r);
                if (e == NULL)
                    break;
                /* presentation format, RFC 6698 §2.2 (data kept as its
                 * SHA-256 alone said so) */
                const uint8_t *data = e->full ? e->full : e->rr.data;
                size_t len = e->full ? e->rr.len : e->rr.hashed ? 32 : e->rr.len;
                size_t cap = 32 + 2 * len;
                char *s = malloc(cap);
                if (s == NULL)
                    break;
                int o = snprintf(s, cap, "%u %u %u %s", e->rr.usage, e->rr.selector, e->rr.mtype,
                                 e->rr.hashed && !e->full ? "sha256:" : "");
                for (size_t k = 0; k < len && o > 0 && (size_t)o + 3 <= cap; k++)
                    o += snprintf(s + o, cap - (size_t)o, "%02x", data[k]);
                json_str(j, NULL, s);
                free(s);
                r = e->next;
            }
            json_arr_end(j);
        }
        json_str(j, "policy-domain", p->domain);
        if (p->tlsa) {
            json_arr_begin(j, "mx-host");
            json_str(j, NULL, p->mx);
            json_arr_end(j);
        }
        json_obj_end(j);
        json_obj_begin(j, "summary");
        json_uint(j, "total-successful-session-count", p->ok);
        json_uint(j, "total-failure-session-count", p->failed);
        json_obj_end(j);
        json_arr_begin(j, "failure-details");
        for (uint32_t i = 0; i < tr.n_d; i++) {
            const struct tr_detail *x = &tr.d[i];
            if (x->policy != pi)
                continue;
            json_obj_begin(j, NULL);
            json_str(j, "result-type", x->type);
            report_ip_str(b, sizeof(b), &x->client);
            json_str(j, "sending-mta-ip", b);
            if (x->mx[0])
                json_str(j, "receiving-mx-hostname", x->mx);
            if (x->helo[0])
                json_str(j, "receiving-mx-helo", x->helo);
            report_ip_str(b, sizeof(b), &x->server);
            json_str(j, "receiving-ip", b);
            json_uint(j, "failed-session-count", x->count);
            /* §4.4: failure-reason-code is "a text field to include a
             * TLS-related error code or error message"; additional-information
             * is a URI, which smtptap has none of: not written */
            char why[sizeof(x->info) + 64];
            if (x->info[0])
                snprintf(why, sizeof(why), "%s: %s", x->why, x->info);
            else
                str_copy(why, sizeof(why), x->why);
            json_str(j, "failure-reason-code", why);
            json_obj_end(j);
        }
        json_arr_end(j);
        json_obj_end(j);
    }
    json_arr_end(j);
}

/* A date-time without its separators, for the report id: 20261124T062601Z */
static void
tr_time_compact(char *out, size_t n, const char *t)
{
    size_t k = 0;
    for (const char *c = t; *c && k + 1 < n; c++)
        if (*c != '-' && *c != ':')
            out[k++] = *c;
    out[k] = '\0';
}

int
tlsrpt_write(const char *path, int64_t first_us, int64_t last_us)
{
    char *pol = NULL;
    size_t pol_len = 0;
    FILE *mf = open_memstream(&pol, &pol_len);
    if (mf == NULL) {
        term_msg(stderr, "smtptap: --tlsrpt %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct json pj;
    json_init(&pj, mf);
    tr_policies(&pj);
    int rc = json_flush(&pj);
    json_free(&pj);
    if (tr.not_itemised > 0)
        term_msg(stderr,
                 "smtptap: --tlsrpt %s: %" PRIu64 " session%s past its %d policies or %d failure "
                 "details %s in no policy\n",
                 path, tr.not_itemised, tr.not_itemised == 1 ? "" : "s", TLSRPT_POLICIES_MAX,
                 TLSRPT_DETAILS_MAX, tr.not_itemised == 1 ? "is" : "are");
    if (tr.unseen > 0) {
        char tls13[96] = "";
        if (tr.unseen13 > 0)
            snprintf(tls13, sizeof(tls13),
                     " (%" PRIu64 " TLS 1.3 handshake%s without a key log: --keylog FILE)",
                     tr.unseen13, tr.unseen13 > 1 ? "s" : "");
        term_msg(stderr,
                 "smtptap: --tlsrpt %s: %" PRIu64 " TLS session%s whose server certificates the "
                 "capture does not show count%s in neither success nor failure%s\n",
                 path, tr.unseen, tr.unseen > 1 ? "s" : "", tr.unseen > 1 ? "" : "s", tls13);
    }
    if (tr.other > 0) {
        char ports[40] = "";
        size_t o = 0;
        for (uint32_t i = 0; i < tr.n_other_port && o < sizeof(ports); i++)
            o += (size_t)snprintf(ports + o, sizeof(ports) - o, "%s%u", i ? "," : "",
                                  tr.other_port[i]);
        term_msg(stderr,
                 "smtptap: --tlsrpt %s: %" PRIu64 " session%s on port%s %s%s, found without "
                 "--ports, in no policy: --ports %s if an MTA listens there\n",
                 path, tr.other, tr.other > 1 ? "s" : "", tr.n_other_port > 1 ? "s" : "", ports,
                 tr.other_more ? ",..." : "", ports);
    }
    /* X-ANONYMOUSTLS sessions: said once; when they are all there is,
     * instead of "no policy to report" ("all 4 sessions", "the only
     * session"; else "1 session", "2 sessions") */
    bool all_anon = tr.anontls > 0 && tr.mta == 0 && tr.not_mta == 0 && tr.other == 0;
    if (tr.anontls > 0) {
        char who[48];
        if (all_anon && tr.anontls == 1)
            snprintf(who, sizeof(who), "the only session");
        else
            snprintf(who, sizeof(who), "%s%" PRIu64 " session%s", all_anon ? "all " : "",
                     tr.anontls, tr.anontls == 1 ? "" : "s");
        term_msg(stderr,
                 "smtptap: --tlsrpt %s: %s upgraded by X-ANONYMOUSTLS, Exchange's anonymous TLS "
                 "between its own servers, not STARTTLS to an MX under an MTA-STS or DANE policy "
                 "(RFC 8460 section 3): left out%s\n",
                 path, who, all_anon ? ", nothing to report" : "");
    }
    if (all_anon)
        ; /* said above */
    else if (tr.n_p == 0 && tr.mta > 0)
        term_msg(stderr,
                 "smtptap: --tlsrpt %s: no policy to report: none of the %" PRIu64 " session%s "
                 "on MTA ports tried TLS with an outcome the capture shows\n",
                 path, tr.mta, tr.mta == 1 ? "" : "s");
    else if (tr.n_p == 0 && tr.not_mta > 0)
        term_msg(stderr,
                 "smtptap: --tlsrpt %s: no policy to report: %" PRIu64 " session%s on "
                 "submission or implicit TLS ports, which TLS-RPT (RFC 8460, MTA to MTA) does "
                 "not cover\n",
                 path, tr.not_mta, tr.not_mta == 1 ? "" : "s");
    else if (tr.n_p == 0 && tr.other == 0)
        term_msg(stderr,
                 "smtptap: --tlsrpt %s: no policy to report: no SMTP session on port 25 (an "
                 "MTA on another port: --ports PORT)\n",
                 path);
    if (fclose(mf) != 0 || rc != 0) {
        free(pol);
        term_msg(stderr, "smtptap: --tlsrpt %s: out of memory\n", path);
        return -1;
    }
    /* deterministic: the capture's span and a hash (FNV-1a 64) of what it
     * showed, so the same capture gives the same report */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < pol_len; i++)
        h = (h ^ (uint8_t)pol[i]) * 0x100000001b3ULL;
    char start[32], end[32], id[96], sid[20], eid[20];
    tr_time(start, sizeof(start), first_us, false);
    tr_time(end, sizeof(end), last_us, true);
    tr_time_compact(sid, sizeof(sid), start);
    tr_time_compact(eid, sizeof(eid), end);
    snprintf(id, sizeof(id), "smtptap-%s-%s-%016" PRIx64, sid, eid, h);
    /* a FIFO's reader: waited on as fdwait.h says; "-" (with -q, cli.c):
     * standard output */
    FILE *f = fdwait_open_output(path, false);
    if (f == NULL) {
        free(pol);
        term_msg(stderr, "smtptap: --tlsrpt %s: %s\n", path, fdwait_strerror(errno));
        return -1;
    }
    struct json j;
    json_init(&j, f);
    json_obj_begin(&j, NULL);
    json_str(&j, "organization-name", "smtptap (passive capture)");
    json_obj_begin(&j, "date-range");
    json_str(&j, "start-datetime", start);
    json_str(&j, "end-datetime", end);
    json_obj_end(&j);
    json_str(&j, "contact-info",
             "none: what smtptap observed on the wire, not a sending MTA's report");
    json_str(&j, "report-id", id);
    json_raw(&j, "policies", pol, pol_len);
    json_obj_end(&j);
    json_record_end(&j);
    rc = json_flush(&j);
    int e = j.error ? j.err : 0;
    json_free(&j);
    free(pol);
    if (fclose(f) != 0) {
        e = e != 0 ? e : errno;
        rc = -1;
    }
    if (rc != 0)
        term_msg(stderr, "smtptap: --tlsrpt %s: write error (%s)\n", path, fdwait_strerror(e));
    return rc;
}
