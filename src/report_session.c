/* \summary: the per-connection NDJSON records: "session" (SMTP dialogue
 * around STARTTLS per RFC 5321 / RFC 3207, the TLS handshake per RFC 5246 /
 * RFC 8446, the certificates sent, the alerts, and the diagnosis) and "flow"
 * (a mail-port connection that carried neither). */
#include "report_session.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "certcache.h"
#include "decode.h"
#include "report_cert.h"
#include "strcopy.h"
#include "tls_names.h"

void
report_ip_str(char *out, size_t n, const struct ipaddr *ip)
{
    if (ip->family == 4 && n >= 16) { /* dotted quad by hand: inet_ntop is slow */
        char *p = out;
        for (int i = 0; i < 4; i++) {
            unsigned v = ip->a[i];
            if (v >= 100)
                *p++ = (char)('0' + v / 100);
            if (v >= 10)
                *p++ = (char)('0' + v / 10 % 10);
            *p++ = (char)('0' + v % 10);
            *p++ = i < 3 ? '.' : '\0';
        }
        return;
    }
    if (!inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->a, out, (socklen_t)n))
        snprintf(out, n, "?");
}

void
report_endpoint_json(struct json *j, const char *key, const struct endpoint *e)
{
    char ip[64];
    report_ip_str(ip, sizeof(ip), &e->ip);
    json_obj_begin(j, key);
    json_str(j, "ip", ip);
    json_uint(j, "port", e->port);
    json_obj_end(j);
}

void
report_statuses_json(struct json *j, const char *key, unsigned statuses)
{
    json_arr_begin(j, key);
    if (statuses == 0)
        json_str(j, NULL, "Valid");
    for (unsigned i = 0; i < XS_COUNT; i++)
        if (statuses & (1u << i))
            json_str(j, NULL, diagnose_status_word(1u << i));
    json_arr_end(j);
}

void
report_alert_after_json(struct json *j, int after, int after_from)
{
    if (after < 0) {
        json_null(j, "after");
        return;
    }
    if (after == TLS_AFTER_SERVER_FLIGHT) { /* TLS 1.3, EncryptedExtensions .. Finished */
        json_str(j, "after", "server encrypted_flight");
        return;
    }
    const char *hs = tls_hs_type_str(after);
    char b[96];
    size_t at = str_copy(b, sizeof(b), after_from == 0 ? "client " : "server ");
    if (!hs)
        hs = "unknown";
    str_cat(b, sizeof(b), at, hs, strlen(hs));
    json_str(j, "after", b);
}

static void
rs_fstr(struct json *j, const char *key, const struct fstr *s)
{
    if (!s->s)
        json_null(j, key);
    else
        json_strn(j, key, s->s, s->len);
}

/* A space-separated wire list as a JSON array. */
static void
rs_words(struct json *j, const char *key, const struct fstr *s)
{
    json_arr_begin(j, key);
    for (uint32_t i = 0; s->s && i < s->len;) {
        const uint8_t *sp = memchr(s->s + i, ' ', s->len - i);
        uint32_t k = sp ? (uint32_t)(sp - s->s) : s->len;
        if (k > i)
            json_strn(j, NULL, s->s + i, k - i);
        i = k + 1;
    }
    json_arr_end(j);
}

/* "tunnel": which one the connection's first packet came through
 * (engine_record_tunnel); absent when none, as `vlan` is. */
static void
rs_tunnel(struct json *j, const struct record_tunnel *t)
{
    if (t->depth == 0)
        return;
    const char *kind = decode_tun_name(t->kind);
    char ip[64];
    json_obj_begin(j, "tunnel");
    json_str(j, "kind", kind != NULL ? kind : "unknown");
    if (t->has_id)
        json_uint(j, "id", t->id);
    else
        json_null(j, "id");
    json_uint(j, "layers", t->depth);
    if (t->src.family != 0) {
        report_ip_str(ip, sizeof(ip), &t->src);
        json_str(j, "outer_src", ip);
        report_ip_str(ip, sizeof(ip), &t->dst);
        json_str(j, "outer_dst", ip);
    } else {
        json_null(j, "outer_src");
        json_null(j, "outer_dst");
    }
    if (t->mpls.n > 0) { /* absent when no MPLS layer was taken off */
        json_arr_begin(j, "mpls_labels");
        for (unsigned i = 0; i < t->mpls.n && i < PKT_MPLS_MAX; i++)
            json_uint(j, NULL, t->mpls.label[i]);
        json_arr_end(j);
    }
    json_obj_end(j);
}

/* The transport part common to "session" and "flow". */
static void
rs_transport(struct json *j, const struct flow_record *r)
{
    json_uint(j, "id", r->id);
    json_ts(j, "ts", r->ts_us);
    json_ts(j, "ts_end", r->ts_end_us);
    report_endpoint_json(j, "client", &r->client);
    report_endpoint_json(j, "server", &r->server);
    if (r->n_vlan) {
        json_arr_begin(j, "vlan");
        for (unsigned i = 0; i < r->n_vlan && i < 2; i++)
            json_uint(j, NULL, r->vlan[i]);
        json_arr_end(j);
    }
    rs_tunnel(j, &r->tunnel);
    json_str(j, "client_by", r->client_by);
    json_bool(j, "midstream", r->midstream);
    int miss = flow_record_missing_dir(r); /* absent when both were captured */
    if (miss >= 0)
        json_str(j, "direction_missing", miss == 0 ? "client" : "server");
    json_obj_begin(j, "packets");
    json_uint(j, "client", r->pkts[0]);
    json_uint(j, "server", r->pkts[1]);
    json_obj_end(j);
    json_obj_begin(j, "bytes");
    json_uint(j, "client", r->bytes[0]);
    json_uint(j, "server", r->bytes[1]);
    json_obj_end(j);
    json_str(j, "ended", r->ended);
    json_str(j, "first_close", r->first_close);
    json_str(j, "app", r->app);
    json_str(j, "owner", r->owner);
}

static void
rs_status(struct json *j, const struct flow_record *r)
{
    json_str(j, "status", r->status);
    json_arr_begin(j, "anomalies");
    for (unsigned i = 0; i < r->n_anomalies; i++) {
        const struct anomaly *a = &r->anomalies[i];
        json_obj_begin(j, NULL);
        json_str(j, "name", a->name);
        json_uint(j, "count", a->count);
        if (a->detail[0])
            json_str(j, "detail", a->detail);
        json_ts(j, "first", a->first_us);
        json_obj_end(j);
    }
    json_arr_end(j);
    if (r->anomalies_dropped)
        json_uint(j, "anomalies_dropped", r->anomalies_dropped);
}

static void
rs_smtp(struct json *j, const struct smtp_facts *s)
{
    json_obj_begin(j, "smtp");
    json_bool(j, "seen", s->seen);
    if (s->banner_code)
        json_int(j, "banner_code", s->banner_code);
    else
        json_null(j, "banner_code");
    rs_fstr(j, "banner", &s->banner);
    rs_fstr(j, "banner_host", &s->banner_host);
    json_str(j, "ehlo_verb", s->ehlo_verb[0] ? s->ehlo_verb : NULL);
    rs_fstr(j, "ehlo", &s->ehlo);
    if (s->ehlo_reply_code)
        json_int(j, "ehlo_reply_code", s->ehlo_reply_code);
    else
        json_null(j, "ehlo_reply_code");
    if (s->starttls_offered < 0)
        json_null(j, "starttls_offered");
    else
        json_bool(j, "starttls_offered", s->starttls_offered > 0);
    json_bool(j, "anonymoustls_offered", s->anonymoustls_offered);
    rs_words(j, "capabilities", &s->capabilities);
    rs_words(j, "auth_mechanisms", &s->auth_mechanisms);
    rs_fstr(j, "stripped_capability", &s->stripped_capability);
    json_bool(j, "starttls_masked", s->starttls_masked);
    json_bool(j, "starttls_command", s->starttls_command);
    json_str(j, "starttls_verb", s->starttls_verb[0] ? s->starttls_verb : NULL);
    if (s->starttls_reply_code < 0 || !(s->starttls_command || s->tls_server_side))
        json_null(j, "starttls_reply_code");
    else
        json_int(j, "starttls_reply_code", s->starttls_reply_code);
    rs_fstr(j, "starttls_reply_text", &s->starttls_reply_text);
    json_bool(j, "starttls_pipelined", s->starttls_pipelined);
    json_bool(j, "tls_started", s->tls_started);
    json_bool(j, "implicit_tls", s->implicit_tls);
    json_bool(j, "plaintext_on_tls_port", s->plaintext_on_tls_port);
    json_bool(j, "client_tls_to_plaintext", s->client_tls_to_plaintext);
    json_bool(j, "auth_before_tls", s->auth_before_tls);
    json_str(j, "auth_mechanism", s->auth_mechanism[0] ? s->auth_mechanism : NULL);
    json_bool(j, "plaintext_mail", s->plaintext_mail);
    json_uint(j, "plaintext_messages", s->plaintext_messages);
    json_bool(j, "plaintext_data", s->plaintext_data);
    json_bool(j, "commands_cut", s->commands_cut);
    json_arr_begin(j, "dialog");
    for (unsigned i = 0; i < s->n_dialog && i < FACTS_DIALOG_MAX; i++) {
        const struct smtp_exchange *x = &s->dialog[i];
        json_obj_begin(j, NULL);
        json_str(j, "command", x->verb[0] ? x->verb : NULL);
        if (x->code)
            json_int(j, "reply", x->code);
        else
            json_null(j, "reply");
        json_bool(j, "plaintext", x->plaintext);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_bool(j, "dialog_truncated", s->dialog_truncated);
    json_obj_end(j);
}

static const char *
rs_visibility(enum tls_cert_visibility v)
{
    switch (v) {
    case TLS_CERTS_VISIBLE:
        return "visible";
    case TLS_CERTS_ENCRYPTED:
        return "encrypted";
    case TLS_CERTS_TRUNCATED:
        return "truncated";
    case TLS_CERTS_GAP:
        return "gap";
    case TLS_CERTS_RESUMED:
        return "resumed";
    case TLS_CERTS_ANONYMOUS:
        return "anonymous";
    case TLS_CERTS_NONE:
        return "none";
    case TLS_CERTS_MALFORMED:
        return "malformed";
    case TLS_CERTS_UNKNOWN:
        break;
    }
    return NULL;
}

static const char *
rs_outcome(enum tls_outcome o)
{
    switch (o) {
    case TLS_HS_COMPLETE:
        return "complete";
    case TLS_HS_FAILED:
        return "failed";
    case TLS_HS_ABORTED:
        return "aborted";
    case TLS_HS_INCOMPLETE:
        return "incomplete";
    case TLS_HS_UNSEEN:
        return "unseen";
    case TLS_HS_NONE:
        break;
    }
    return "none";
}

static void
rs_chain(struct json *j, const char *key, const uint32_t *ids, unsigned n)
{
    json_arr_begin(j, key);
    for (unsigned i = 0; i < n && i < FACTS_CHAIN_MAX; i++)
        report_cert_json(j, NULL, ids[i]);
    json_arr_end(j);
}

/* A resumed session linked to the chain of the full handshake it resumed
 * (resume.c): that chain's SHA-256s, leaf first, the session that
 * presented it and what linked them; null when not resumed or not linked
 * (TLS 1.3, the full handshake not in the capture, tls.resume_max). */
static void
rs_resumed_chain(struct json *j, const struct tls_facts *t)
{
    if (t->n_resumed_chain == 0) {
        json_null(j, "resumed_chain_sha256");
        json_null(j, "resumed_from");
        json_null(j, "resumed_by");
        return;
    }
    report_chain_sha256_json(j, "resumed_chain_sha256", t->resumed_chain,
                             t->n_resumed_chain < FACTS_CHAIN_MAX ? t->n_resumed_chain
                                                                  : FACTS_CHAIN_MAX);
    json_uint(j, "resumed_from", t->resumed_from);
    json_str(j, "resumed_by", t->resumed_by == 2 ? "ticket" : "session_id");
}

static void
rs_alerts(struct json *j, const struct tls_facts *t)
{
    json_arr_begin(j, "alerts");
    for (unsigned i = 0; i < t->n_alerts && i < FACTS_ALERTS_MAX; i++) {
        const struct tls_alert *a = &t->alerts[i];
        json_obj_begin(j, NULL);
        json_str(j, "from", a->from == 0 ? "client" : "server");
        if (a->level < 0)
            json_null(j, "level");
        else
            json_int(j, "level", a->level);
        if (a->code < 0) {
            json_null(j, "code");
            json_null(j, "name");
        } else {
            json_int(j, "code", a->code);
            const char *nm = tls_alert_str(a->code);
            json_str(j, "name", nm ? nm : "unknown");
        }
        json_bool(j, "encrypted", a->encrypted);
        report_alert_after_json(j, a->after, a->after_from);
        json_ts(j, "ts", a->ts_us);
        json_obj_end(j);
    }
    json_arr_end(j);
    if (t->alerts_truncated)
        json_bool(j, "alerts_truncated", true);
}

static void
rs_ocsp_time(struct json *j, const char *key, int64_t s)
{
    if (s == OCSP_NO_TIME)
        json_null(j, key);
    else
        json_ts(j, key, s * 1000000);
}

/* The stapled OCSP response as judged (diagnosis.ocsp, ocsp.c). */
static void
rs_ocsp(struct json *j, const struct ocsp_verdict *o)
{
    json_obj_begin(j, "ocsp");
    json_uint(j, "length", o->length);
    json_str(j, "error", o->too_large ? "too_large" : o->error);
    json_str(j, "status", ocsp_status_str(o->status));
    json_str(j, "cert_status", ocsp_cert_status_str(o->cert_status));
    if (o->matches_leaf < 0)
        json_null(j, "matches_leaf");
    else
        json_bool(j, "matches_leaf", o->matches_leaf == 1);
    json_uint(j, "responses", o->responses);
    rs_ocsp_time(j, "produced_at", o->produced_at);
    rs_ocsp_time(j, "this_update", o->this_update);
    rs_ocsp_time(j, "next_update", o->next_update);
    rs_ocsp_time(j, "revocation_time", o->revocation_time);
    json_str(j, "revocation_reason", ocsp_reason_str(o->reason));
    json_str(j, "responder", o->responder[0] ? o->responder : NULL);
    json_str(j, "signature", ocsp_signature_str(o->signature));
    json_str(j, "problem", ocsp_problem_str(o->problem));
    json_obj_end(j);
}

/* The records of one side after the handshake (tls_after.c): headers
 * only, each with its plaintext length where the suite tells it. */
static void
rs_after_side(struct json *j, const char *key, const struct tls_facts *t, const struct tls_after *a)
{
    uint64_t bytes = 0;
    json_obj_begin(j, key);
    json_uint(j, "count", a->n);
    json_bool(j, "more", a->more);
    json_bool(j, "lost", a->lost);
    json_arr_begin(j, "records");
    for (unsigned i = 0; i < a->n && i < TLS_AFTER_MAX; i++) {
        uint32_t lo, hi;
        bytes += 5u + a->len[i];
        json_obj_begin(j, NULL);
        json_str(j, "type",
                 a->type[i] == 21   ? "alert"
                 : a->type[i] == 23 ? "application_data"
                 : a->type[i] == 22 ? "handshake"
                 : a->type[i] == 20 ? "change_cipher_spec"
                                    : "heartbeat");
        json_uint(j, "length", a->len[i]);
        if (t->cipher_seen && tls_plaintext_len(t->version, t->cipher, a->len[i], &lo, &hi)) {
            json_uint(j, "plaintext_min", lo);
            json_uint(j, "plaintext_max", hi);
        } else {
            json_null(j, "plaintext_min");
            json_null(j, "plaintext_max");
        }
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "bytes", bytes);
    json_obj_end(j);
}

static void
rs_after(struct json *j, const struct tls_facts *t)
{
    if (!t->after_read) {
        json_null(j, "after_handshake");
        return;
    }
    /* the server's answer to the client's first command (enum tls_reply) */
    static const char *const reply[] = {NULL,
                                        "open",
                                        "client_went_on",
                                        "server_went_on",
                                        "server_alert",
                                        "ended",
                                        "server_ehlo_reply",
                                        "server_after_idle",
                                        "server_alert_first"};
    json_obj_begin(j, "after_handshake");
    rs_after_side(j, "client", t, &t->after[0]);
    rs_after_side(j, "server", t, &t->after[1]);
    json_str(j, "first_reply",
             t->reply < sizeof(reply) / sizeof(reply[0]) ? reply[t->reply] : NULL);
    /* (the first one's length: in server_refused_after_handshake's evidence) */
    json_uint(j, "first_reply_records", t->reply_records);
    json_obj_end(j);
}

static void
rs_tls(struct json *j, const struct tls_facts *t, const struct diagnosis *dg)
{
    if (!t->seen) {
        json_null(j, "tls");
        return;
    }
    char hex[8];
    json_obj_begin(j, "tls");
    json_str(j, "version", t->version ? tls_version_str(t->version) : NULL);
    json_str(j, "client_version", t->client_version ? tls_version_str(t->client_version) : NULL);
    if (t->cipher_seen) {
        const char *c = tls_cipher_str(t->cipher);
        if (c == NULL) { /* "0x%04X" of an unnamed suite (printf was 1 % of a dense run) */
            const uint8_t code[2] = {(uint8_t)(t->cipher >> 8), (uint8_t)t->cipher};
            hex[0] = '0';
            hex[1] = 'x';
            report_hex_upper(hex + 2, code, sizeof(code));
            c = hex;
        }
        json_str(j, "cipher", c);
        json_uint(j, "cipher_code", t->cipher);
    } else {
        json_null(j, "cipher");
        json_null(j, "cipher_code");
    }
    rs_fstr(j, "sni", &t->sni);
    rs_fstr(j, "alpn", &t->alpn);
    json_bool(j, "status_request", t->status_request);
    if (t->ocsp_stapled == TLS_OCSP_UNSEEN)
        json_null(j, "ocsp_stapled");
    else
        json_bool(j, "ocsp_stapled", t->ocsp_stapled == TLS_OCSP_STAPLED);
    if (dg != NULL && dg->ocsp.present)
        rs_ocsp(j, &dg->ocsp);
    json_bool(j, "hello_retry", t->hello_retry);
    json_str(j, "handshake", rs_outcome(t->handshake));
    json_bool(j, "resumed", t->resumed);
    json_bool(j, "anonymous", t->anonymous);
    json_bool(j, "decrypted", t->decrypted);
    json_bool(j, "client_certificate_requested", t->client_certificate_requested);
    json_str(j, "certificates", rs_visibility(t->certificates));
    json_str(j, "client_certificates", rs_visibility(t->client_certificates));
    rs_chain(j, "server_chain", t->server_chain, t->n_server_chain);
    json_bool(j, "server_chain_truncated", t->server_chain_truncated);
    rs_chain(j, "client_chain", t->client_chain, t->n_client_chain);
    json_bool(j, "client_chain_truncated", t->client_chain_truncated);
    rs_resumed_chain(j, t);
    rs_alerts(j, t);
    json_str(j, "ja3", t->ja3[0] ? t->ja3 : NULL);
    json_str(j, "ja3s", t->ja3s[0] ? t->ja3s : NULL);
    json_str(j, "ja4", t->ja4[0] ? t->ja4 : NULL);
    rs_fstr(j, "ja3_string", &t->ja3_string);
    rs_fstr(j, "ja3s_string", &t->ja3s_string);
    rs_fstr(j, "handshake_messages", &t->hs_history);
    rs_after(j, t);
    json_obj_end(j);
}

/* An issuer neither sent nor in the trust store, only when there is one:
 * its name, and what showed it to be a root (null: nothing did, and it
 * may be an intermediate the peer did not send as much as a root). */
static void
rs_missing_issuer(struct json *j, const char *subject, uint8_t how)
{
    if (subject[0] == '\0')
        return;
    json_obj_begin(j, "missing_issuer");
    json_str(j, "subject", subject);
    json_str(j, "root_evidence", diagnose_root_evidence(how));
    json_obj_end(j);
}

static void
rs_diagnosis(struct json *j, const struct diagnosis *d)
{
    json_obj_begin(j, "diagnosis");
    json_bool(j, "certificate_ok", d->certificate_ok);
    json_bool(j, "expired", d->expired);
    json_bool(j, "not_yet_valid", d->not_yet_valid);
    json_bool(j, "self_signed", d->self_signed);
    json_bool(j, "name_mismatch", d->name_mismatch);
    json_bool(j, "missing_intermediate", d->missing_intermediate);
    json_bool(j, "untrusted_root", d->untrusted_root);
    json_bool(j, "name_constraint_violation", d->name_constraint_violation);
    json_bool(j, "weak_key", d->weak_key);
    json_bool(j, "weak_signature", d->weak_signature);
    json_bool(j, "starttls_stripped", d->starttls_stripped);
    json_bool(j, "starttls_not_offered", d->starttls_not_offered);
    json_bool(j, "starttls_rejected", d->starttls_rejected);
    json_bool(j, "plaintext_after_failed_starttls", d->plaintext_after_failed_starttls);
    json_bool(j, "plaintext_delivery", d->plaintext_delivery);
    json_bool(j, "auth_before_tls", d->auth_before_tls);
    json_bool(j, "tls_handshake_failed", d->tls_handshake_failed);
    json_str(j, "handshake_capped", d->handshake_capped);
    json_bool(j, "client_rejected_certificate", d->client_rejected_certificate);
    json_bool(j, "server_rejected_client_certificate", d->server_rejected_client_certificate);
    json_bool(j, "mutual_tls", d->mutual_tls);
    json_bool(j, "certificates_not_visible", d->certificates_not_visible);
    json_bool(j, "expiring_soon", d->expiring_soon);
    json_bool(j, "plaintext_refused", d->plaintext_refused);
    json_bool(j, "implicit_tls_not_served", d->implicit_tls_not_served);
    json_bool(j, "client_quit_after_handshake", d->client_quit_after_handshake);
    json_str(j, "test_client", diagnose_test_client_str(d->test_client));
    json_bool(j, "manual_tls_probe", d->manual_tls_probe);
    json_bool(j, "client_closed_after_handshake", d->client_closed_after_handshake);
    json_bool(j, "server_closed_after_first_reply", d->server_closed_after_first_reply);
    /* what the handshake tells of why (enum dg_refused_why), null: not refused */
    json_str(j, "server_refused_why",
             !d->server_closed_after_first_reply       ? NULL
             : d->refused_why == DG_RF_CCERT_UNTRUSTED ? "client_certificate_untrusted"
             : d->refused_why == DG_RF_CCERT_NONE      ? "client_certificate_not_sent"
             : d->refused_why == DG_RF_HIDDEN          ? "encrypted_tls13"
                                                       : "not_shown");
    json_bool(j, "verified", d->verified);
    if (d->verify_error < 0) {
        json_null(j, "verify_error");
        json_null(j, "verify_error_text");
    } else {
        json_int(j, "verify_error", d->verify_error);
        json_str(j, "verify_error_text", d->verify_error_text);
    }
    const char *status = diagnose_exchange_status(d);
    json_str(j, "exchange_status", status[0] ? status : NULL);
    if (status[0])
        report_statuses_json(j, "exchange_statuses", d->exchange_statuses);
    else
        json_null(j, "exchange_statuses");
    json_str(j, "checked_name", d->checked_name[0] ? d->checked_name : NULL);
    json_str(j, "checked_name_source",
             d->checked_name_source == NAME_SRC_NONE ? NULL
                                                     : name_source_str(d->checked_name_source));
    /* whether it was checked: null with no leaf to check it against; false
     * with one (the chain may be Valid: no word on the name), checked_name
     * null when no name was known, else its leaf not decoded */
    if (d->name_check == DG_NAME_NO_LEAF)
        json_null(j, "name_checked");
    else
        json_bool(j, "name_checked", d->name_check == DG_NAME_CHECKED);
    json_str(j, "untrusted_root_subject",
             d->untrusted_root_subject[0] ? d->untrusted_root_subject : NULL);
    rs_missing_issuer(j, d->missing_issuer_subject, d->missing_issuer);
    if (d->judged_at_us)
        json_ts(j, "judged_at", d->judged_at_us);
    else
        json_null(j, "judged_at");
    json_str(j, "alert_meaning", d->alert_meaning[0] ? d->alert_meaning : NULL);
    if (d->client_verify_error >= 0) { /* only when the client sent a chain */
        json_obj_begin(j, "client_chain_verdict");
        json_int(j, "verify_error", d->client_verify_error);
        json_str(j, "verify_error_text", d->client_verify_error_text);
        json_str(j, "exchange_status", d->client_exchange_status);
        json_str(j, "untrusted_root_subject",
                 d->client_untrusted_root_subject[0] ? d->client_untrusted_root_subject : NULL);
        rs_missing_issuer(j, d->client_missing_issuer_subject, d->client_missing_issuer);
        json_obj_end(j);
    }
    if (d->tlsrpt != NULL) /* only when RFC 8460 has a word for it (tlsrpt.c) */
        json_str(j, "tlsrpt", d->tlsrpt);
    if (d->dane.state != DANE_NONE) { /* only when a TLSA RRset was known for the server */
        json_obj_begin(j, "dane");
        dane_json_fields(j, &d->dane);
        json_obj_end(j);
    }
    json_obj_end(j);
}

void
report_session_json(struct json *j, const struct flow_record *rec, const struct diagnosis *dg)
{
    json_obj_begin(j, NULL);
    json_str(j, "event", "session");
    rs_transport(j, rec);
    rs_smtp(j, &rec->facts->smtp);
    rs_tls(j, &rec->facts->tls, dg);
    if (dg)
        rs_diagnosis(j, dg);
    rs_status(j, rec);
    json_obj_end(j);
    json_record_end(j);
}

void
report_flow_json(struct json *j, const struct flow_record *rec)
{
    json_obj_begin(j, NULL);
    json_str(j, "event", "flow");
    rs_transport(j, rec);
    json_bool(j, "syn", rec->syn_seen[0]);
    json_bool(j, "syn_ack", rec->syn_seen[1]);
    rs_status(j, rec);
    json_obj_end(j);
    json_record_end(j);
}
