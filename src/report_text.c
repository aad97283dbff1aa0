/* \summary: the terminal report: findings worst first, one sentence each,
 * then per server the certificates it presented and to whom, its alerts and
 * STARTTLS outcomes, then a run summary. Plain aligned text; ANSI colour
 * only when asked for (a terminal, or --color always). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "keylog.h"
#include "report_cert.h"
#include "report_session.h"
#include "strcopy.h"
#include "termtext.h"
#include "tls_names.h"
#include "truststore.h"

static const char *
rt_color(bool on, int sev)
{
    if (!on)
        return "";
    return sev >= SEV_HIGH ? "\033[1;31m" : sev == SEV_MEDIUM ? "\033[33m" : "\033[36m";
}

/* A general finding that a more specific one on the same server already
 * tells, for exactly the same sessions: tls_handshake_failed when every
 * failure was a rejection, expired when expired_certificate_served says it.
 * The terminal names them once at the end, with the finding that tells
 * them; --json keeps every finding. Returns the index of that pair in
 * rt_pairs, or -1. */
static const char *const rt_pairs[][2] = {
    {"tls_handshake_failed", "client_rejected_certificate"},
    {"tls_handshake_failed", "server_rejected_client_certificate"},
    {"expired", "expired_certificate_served"},
};
#define RT_PAIRS (sizeof(rt_pairs) / sizeof(rt_pairs[0]))

static int
rt_repeats(const struct agg_finding *x)
{
    for (unsigned p = 0; p < RT_PAIRS; p++) {
        if (strcmp(x->kind, rt_pairs[p][0]) != 0)
            continue;
        for (uint32_t i = 0; i < agg.n_findings; i++) {
            const struct agg_finding *y = &agg.findings[i];
            if (y->server == x->server && !y->name && strcmp(y->kind, rt_pairs[p][1]) == 0 &&
                y->sessions == x->sessions && y->n_ids == x->n_ids &&
                memcmp(y->ids, x->ids, x->n_ids * sizeof(x->ids[0])) == 0)
                return (int)p;
        }
    }
    return -1;
}

/* certificates_not_visible: each reason on a line of its own with its
 * example session, whose flow shows it (of several reasons, the summary
 * quotes no session's evidence). */
static void
rt_nv_reasons(FILE *f, const struct agg_server *s)
{
    for (unsigned k = 0;; k++) {
        char line[640];
        struct strbuf b = str_buf(line, sizeof(line));
        if (!agg_nv_reason_line(&b, s, k, agg.cfg ? agg.cfg->n_keylogs : 0))
            break;
        fputs("      - ", f);
        term_text(f, line);
        fputc('\n', f);
    }
}

/* No SMTP/TLS session at all: not "No findings.", which reads as mail
 * judged and found sound (an HTTPS-only capture, IMAP's STARTTLS); TLS of
 * other protocols left out is named with the option that takes it in. */
static void
rt_no_mail(FILE *f, const struct run_stats *st)
{
    fprintf(f, "No SMTP or mail TLS seen: nothing to judge.\n");
    const struct report_ports *p = &st->tls_other_ports;
    if (st->tls_other && p->n) {
        fprintf(f,
                "%" PRIu64 " TLS connection%s of other protocols (HTTPS and the like) left out, "
                "on port%s ",
                st->tls_other, st->tls_other == 1 ? "" : "s", p->n > 1 || p->more ? "s" : "");
        for (unsigned i = 0; i < p->n; i++)
            fprintf(f, "%s%u", i ? ", " : "", p->port[i]);
        fprintf(f, "%s: --tls-ports ", p->more ? " and others" : "");
        for (unsigned i = 0; i < p->n; i++)
            fprintf(f, "%s%u", i ? "," : "", p->port[i]);
        fprintf(f, "%s includes %s.\n", p->more ? ",..." : "", st->tls_other == 1 ? "it" : "them");
    }
    fprintf(f, "\n");
}

static void
rt_findings(FILE *f, const struct run_stats *st, bool color)
{
    if (agg.n_findings == 0) {
        if (agg_one_direction_client_only()) /* ONE DIRECTION CAPTURED, the client's */
            fprintf(f, "No findings can be made: the server's direction of these sessions was "
                       "not captured (its replies, certificates and alerts)\n\n");
        else if (st->sessions == 0)
            rt_no_mail(f, st);
        else
            fprintf(f, "No findings.\n\n");
        return;
    }
    fprintf(f, "FINDINGS (%u, worst first)\n", agg.n_findings);
    unsigned repeated = 0;
    for (uint32_t i = 0; i < agg.n_findings; i++) {
        const struct agg_finding *x = &agg.findings[i];
        if (rt_repeats(x) >= 0) {
            repeated++;
            continue;
        }
        fprintf(f, "  %s%-8s%s %-34s ", rt_color(color, x->severity), agg_severity_str(x->severity),
                color ? "\033[0m" : "", x->kind);
        if (x->tlsrpt != NULL) /* the word of a TLS-RPT report (RFC 8460 §4.3), to grep */
            fprintf(f, "[TLS-RPT: %s] ", x->tlsrpt);
        term_text(f, x->summary);
        fputc('\n', f);
        if (strcmp(x->kind, "certificates_not_visible") == 0 && !x->name)
            rt_nv_reasons(f, agg.servers[x->server]);
    }
    if (repeated) { /* each pair (kind, the finding that tells it) once, as first met */
        bool shown[RT_PAIRS] = {false};
        unsigned k = 0;
        fprintf(f, "  (also");
        for (uint32_t i = 0; i < agg.n_findings && k < RT_PAIRS; i++) {
            int p = rt_repeats(&agg.findings[i]);
            if (p < 0 || shown[p])
                continue;
            shown[p] = true;
            fprintf(f, "%s %s: the same sessions as %s above", k++ ? ";" : "", rt_pairs[p][0],
                    rt_pairs[p][1]);
        }
        fprintf(f, ")\n");
    }
    fprintf(f, "\n");
}

/* An alert's level as a word: every alert has one (RFC 8446 §6). */
static const char *
rt_level(int level)
{
    return level == 2 ? "fatal" : level == 1 ? "warning" : "level?";
}

/* The handshake step an alert came after, in the RFCs' message names:
 * "after ServerHelloDone", "after server Certificate" (a message both sides
 * send, or one whose name does not tell the sender). */
static void
rt_step(char *out, size_t n, int after, int after_from)
{
    struct strbuf b = str_buf(out, n);
    if (after < 0) {
        str_add(&b, "before any handshake message", NULL);
        return;
    }
    if (after == TLS_AFTER_SERVER_FLIGHT) { /* TLS 1.3 without keys: RFC 8446 §4.4 */
        str_add(&b, "after the server's encrypted flight", NULL);
        return;
    }
    const char *hs = tls_hs_type_str(after);
    str_add(&b, "after ", NULL);
    if (hs == NULL || (strncmp(hs, "client_", 7) != 0 && strncmp(hs, "server_", 7) != 0))
        str_add(&b, after_from == 0 ? "client " : "server ", NULL);
    if (hs == NULL) {
        str_add(&b, "handshake message ", NULL);
        str_add_uint(&b, (unsigned)after);
        return;
    }
    for (bool up = true; *hs != '\0'; hs++) { /* server_hello_done: ServerHelloDone */
        char c = up && *hs >= 'a' && *hs <= 'z' ? (char)(*hs - 'a' + 'A') : *hs;
        if ((up = *hs == '_') == false)
            str_put(&b, &c, 1);
    }
}

/* Some leaf the server sent names an OCSP responder (RFC 5280 section
 * 4.2.2.1): stapling one is then possible, and its absence worth a line; a
 * self-signed or private certificate without one has nothing to staple. */
static bool
rt_ocsp_named(const struct agg_server *s)
{
    for (uint32_t c = 0; c < s->n_chains; c++) {
        const struct agg_chain *ch = &s->chains[c];
        const struct cert_entry *e = ch->n ? certcache_get(ch->ids[0]) : NULL;
        if (e != NULL && !e->info.parse_error && x509_names_url(&e->info, X509_URL_OCSP))
            return true;
    }
    return false;
}

/* The sessions whose certificates could not be seen, beside those seen, so
 * that the server's sessions add up under it too: its finding
 * certificates_not_visible's count, peers and reasons. */
static void
rt_nv_line(FILE *f, uint32_t si)
{
    for (uint32_t i = 0; i < agg.n_findings; i++) {
        const struct agg_finding *x = &agg.findings[i];
        if (x->server != si || x->name || strcmp(x->kind, "certificates_not_visible") != 0)
            continue;
        char who[160], why[400];
        struct strbuf b = str_buf(why, sizeof(why));
        agg_peers_text(agg.servers[si], &x->peers, who, sizeof(who));
        agg_nv_short_list(&b, agg.servers[si]);
        term_msg(f, "  certificates not visible in %llu session%s%s%s%s: %s\n",
                 (unsigned long long)x->sessions, x->sessions == 1 ? "" : "s", who[0] ? " (" : "",
                 who, who[0] ? ")" : "", why);
        return;
    }
}

static void
rt_server(FILE *f, uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], t1[32], t2[32];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    agg_ts_short(s->first, t1, sizeof(t1));
    agg_ts_short(s->last, t2, sizeof(t2));
    fprintf(f, "SERVER %s", ep);
    /* names it showed (greeting, certificate), then those only asked for */
    unsigned shown = 0, asked = 0;
    for (unsigned i = 0; i < s->n_names; i++) {
        if (s->name_src[i] == AGG_NAME_SNI)
            continue;
        fputs(shown++ ? ", " : "  names: ", f);
        term_text(f, s->names[i]);
    }
    for (unsigned i = 0; i < s->n_names; i++) {
        if (s->name_src[i] != AGG_NAME_SNI)
            continue;
        fputs(asked++ ? ", " : shown ? "; only asked for (SNI): " : "  only asked for (SNI): ", f);
        term_text(f, s->names[i]);
    }
    fprintf(f, "\n  %llu session%s (%llu TLS", (unsigned long long)s->sessions,
            s->sessions == 1 ? "" : "s", (unsigned long long)s->tls_sessions);
    /* the versions negotiated, newest first: an old one is a finding of its own */
    for (int v = 4, k = 0; v >= 0; v--)
        if (s->versions[v])
            fprintf(f, "%s%s %u", k++ ? ", " : ": ", tls_version_str((uint16_t)(0x0300 + v)),
                    s->versions[v]);
    uint64_t told = 0;
    for (int v = 0; v <= 4; v++)
        told += s->versions[v];
    if (s->hs_unseen) /* no version, certificate or alert to count of them */
        fprintf(f, "%s%u picked up after the %s", told ? "; " : ": ", s->hs_unseen,
                s->hs_midway ? "server's certificates" : "handshake");
    /* the rest: no ServerHello read (refused at the ClientHello, the
     * capture ended or lost bytes before it, picked up after it), else
     * "2 TLS: TLSv1.2 1" leaves one unaccounted for */
    if (s->tls_sessions > told + s->hs_unseen)
        fprintf(f, "%s%llu with no ServerHello read (version unknown)",
                told || s->hs_unseen ? "; " : ": ",
                (unsigned long long)(s->tls_sessions - told - s->hs_unseen));
    /* every distinct client address, those past report.peers_max too */
    uint32_t un = agg_unlisted_peers(s), un_sessions = s->peer_sessions_dropped;
    const char *least = un_sessions && agg_pcount_at_least(s->unlisted) ? "at least " : "";
    uint64_t n_peers = (uint64_t)s->n_peers + un;
    fprintf(f, ") from %s%llu peer%s, %s .. %s\n", least, (unsigned long long)n_peers,
            n_peers == 1 ? "" : "s", t1, t2);
    if (un_sessions) { /* the rows below and the certificates' peers lack them */
        fprintf(f, "  (%s%u further peer%s, in %u session%s, not itemised: ", least, un,
                un == 1 ? "" : "s", un_sessions, un_sessions == 1 ? "" : "s");
        uint32_t max = agg.cfg ? agg.cfg->report_peers_max : 0;
        if (s->n_peers < max) /* the memcap refused their rows */
            fprintf(f, "the memcap)\n");
        else
            fprintf(f, "report.peers_max %u)\n", max);
    }
    uint64_t split = agg_flagstat(s, AF_VLAN_SPLIT)->sessions;
    if (split) /* what the rows below lack: the finding vlan_split */
        fprintf(f,
                "  (%llu of these sessions %s whose directions came under different VLAN tags or "
                "tunnel ids: --ignore-vlan joins them)\n",
                (unsigned long long)split,
                split == 1 ? "is a one-way half of a connection"
                           : "are one-way halves of connections");
    for (uint32_t c = 0; c < s->n_chains; c++)
        report_cert_text(f, si, c);
    if (s->chains_dropped)
        fprintf(f, "  (%u session%s with further certificates not itemised)\n", s->chains_dropped,
                s->chains_dropped == 1 ? "" : "s");
    rt_nv_line(f, si);
    char rl[640]; /* resumed sessions whose chain is not known: beside the chains */
    struct strbuf rb = str_buf(rl, sizeof(rl));
    if (agg_nv_resumed(&rb, s, agg.cfg ? agg.cfg->n_keylogs : 0))
        term_msg(f, "  certificate not linked: %s\n", rl);
    if (s->ocsp_asked && (s->ocsp_stapled || rt_ocsp_named(s))) /* status_request */
        fprintf(
            f,
            "  OCSP stapled in %u of %u handshake%s whose client asked for it (status_request)\n",
            s->ocsp_stapled, s->ocsp_asked, s->ocsp_asked == 1 ? "" : "s");
    char ol[160]; /* what the staples said (ocsp.c), judged at each session's time */
    agg_ocsp_line(s, ol, sizeof(ol));
    if (ol[0])
        fprintf(f, "  OCSP staples: %s\n", ol);
    for (unsigned i = 0; i < s->n_alerts; i++) {
        const struct agg_alert *a = &s->alerts[i];
        const char *nm = a->code >= 0 ? tls_alert_str(a->code) : NULL;
        char step[64];
        rt_step(step, sizeof(step), a->after, a->after_from);
        fprintf(f, "  alert from %-6s ", a->from == 0 ? "client" : "server");
        if (a->code >= 0)
            fprintf(f, "%s %s (%d)", rt_level(a->level), nm ? nm : "unknown", a->code);
        else
            fprintf(f, "encrypted");
        fprintf(f, " %s x%llu", step, (unsigned long long)a->count);
        char who[160];
        agg_peers_text(s, &a->peers, who, sizeof(who));
        term_msg(f, "%s%s%s%s%s\n", who[0] ? " (" : "", who, who[0] ? ")" : "",
                 a->meaning[0] ? ": " : "", a->meaning);
    }
    if (s->alerts_dropped) /* kinds past the 16 listed */
        fprintf(f, "  (and %u more alert%s of further kinds, not itemised)\n", s->alerts_dropped,
                s->alerts_dropped == 1 ? "" : "s");
    for (unsigned k = 0; k < s->n_ccerts; k++) { /* mutual TLS: one line per chain sent */
        const struct agg_ccert *c = &s->ccerts[k];
        const struct cert_entry *e = certcache_get(c->ids[0]);
        char who[160], sha1[41] = "";
        agg_peers_text(s, &c->peers, who, sizeof(who));
        if (e != NULL)
            report_hex_upper(sha1, e->sha1, 20);
        bool ok = e != NULL && !e->info.parse_error;
        bool why = c->verdict[0] && strcmp(c->verdict, "Valid") != 0 && c->verify_text[0];
        /* the issuer not found, as for a server's chain (missing_intermediate):
         * the client's side to configure, or the verifier's trust store. With
         * the leaf alone sent, that issuer is its intermediate; with more, the
         * client did send one and the issuer of its top may as well be the
         * root, as client_certificate_untrusted says (agg_ccert_findings.c) */
        char miss[400] = "";
        if (why && c->missing_issuer[0])
            snprintf(miss, sizeof(miss),
                     ": its issuer %s is neither sent nor in the trust store: %s",
                     c->missing_issuer,
                     c->n == 1 ? "the client does not send its intermediate (configure its full "
                                 "chain), or the trust store lacks that CA"
                               : "the client must send that CA too if it is an intermediate "
                                 "(configure its full chain), or the trust store lacks it (the "
                                 "root of that chain)");
        term_msg(f,
                 "  client certificate %s (SHA-1 %.8s, until %.10s), %u certificate%s sent: "
                 "%s%s%s%s%s, %llu session%s from %s\n",
                 ok ? e->info.subject : "(not decoded)", sha1, ok ? e->info.not_after_iso : "?",
                 c->n, c->n == 1 ? "" : "s", c->verdict[0] ? c->verdict : "not judged",
                 why ? " (" : "", why ? c->verify_text : "", miss, why ? ")" : "",
                 (unsigned long long)c->sessions, c->sessions == 1 ? "" : "s", who);
    }
    if (s->ccerts_dropped)
        fprintf(f, "  (%u session%s with further client chains not itemised)\n", s->ccerts_dropped,
                s->ccerts_dropped == 1 ? "" : "s");
    char dane[AGG_DANE_TEXT_MAX];
    struct strbuf db = str_buf(dane, sizeof(dane));
    agg_dane_text(&db, s);
    if (dane[0])
        term_msg(f, "  DANE       %s\n", dane);
    agg_starttls_rows(f, s); /* one row per peer, STARTTLS and implicit TLS apart */
}

/* A filter that passed no packet of the -r files, which had some: said, or
 * "0 packets" reads as a capture with no mail in it (tcpdump says nothing
 * either, but prints no report). smtptap's reader counts the records before
 * the filter at no cost; libpcap's does not see them (pcap_stats counts
 * nothing offline), so then only that none matched. */
static void
rt_filter_none(FILE *f, const struct run_stats *st)
{
    const struct config *cfg = agg.cfg;
    if (!report_filter_none(cfg, st))
        return;
    if (st->records_uncounted)
        term_msg(f, "; no packet matched the filter '%s'", cfg->bpf);
    else if (st->records_read)
        term_msg(f, "; the filter '%s' matched none of the %" PRIu64 " packet%s read", cfg->bpf,
                 st->records_read, st->records_read == 1 ? "" : "s");
}

/* What each --keylog file matched: a key log of another capture, or of
 * other hosts, decrypts nothing, and the findings' evidence alone would say
 * so session by session. The handshakes counted are the session records'
 * negotiated TLS 1.3 ones; a client random counts as matched when a
 * handshake of the capture looked it up (keylog_file_stats). */
_Static_assert(KEYLOG_FILES_MAX >= CONFIG_MAX_CA, "keylog.c tells every --keylog apart");

/* Why handshakes a key log had were not decrypted (the session records'
 * tls.keylog_no_server_secret, tls.keylog_mismatch, tls.gap): ": 1 without
 * SERVER_HANDSHAKE_TRAFFIC_SECRET ...; 2 cut by the capture ...". */
static void
rt_keylog_why(FILE *f, const struct run_stats *st)
{
    const uint64_t n[3] = {st->tls13_no_server_secret, st->tls13_mismatch, st->tls13_cut};
    static const char *const why[3] = {
        " without SERVER_HANDSHAKE_TRAFFIC_SECRET in the key log, which the server's "
        "Certificate needs (tls.keylog_no_server_secret)",
        " whose secrets in the key log did not decrypt them (tls.keylog_mismatch)",
        " cut by the capture before the server's certificates (tls.gap: a snapshot length, "
        "or bytes lost; capture whole packets, -s 0)"};
    for (unsigned i = 0, k = 0; i < 3; i++)
        if (n[i] > 0)
            fprintf(f, "%s%" PRIu64 "%s", k++ ? "; " : ": ", n[i], why[i]);
}
static void
rt_keylog(FILE *f, const struct run_stats *st)
{
    const struct config *cfg = agg.cfg;
    if (!cfg)
        return;
    uint64_t k = st->tls13_handshakes;
    for (unsigned i = 0; i < cfg->n_keylogs; i++) {
        uint32_t m, n;
        keylog_file_stats(i, &m, &n);
        term_msg(f, "key log %s: ", cfg->keylogs[i]);
        if (m == 0)
            fprintf(f, "no TLS 1.3 client random in it (TLS 1.2 lines only: nothing to decrypt)");
        else if (k == 0)
            fprintf(f,
                    "%" PRIu32 " TLS 1.3 client random%s, and no TLS 1.3 handshake in the capture",
                    m, (m == 1 ? "" : "s"));
        else if (n == 0)
            fprintf(f,
                    "none of its %" PRIu32 " TLS 1.3 client random%s matched any of the %" PRIu64
                    " TLS 1.3 handshake%s in the capture: wrong file (a key log of another "
                    "capture, or of other hosts)?",
                    m, (m == 1 ? "" : "s"), k, (k == 1 ? "" : "s"));
        else if (k == 1)
            fprintf(f,
                    "%" PRIu32 " of its %" PRIu32
                    " TLS 1.3 client random%s matched the one TLS 1.3 handshake in the capture",
                    n, m, (m == 1 ? "" : "s"));
        else
            fprintf(f,
                    "%" PRIu32 " of its %" PRIu32 " TLS 1.3 client random%s matched %" PRIu64
                    " of the %" PRIu64 " TLS 1.3 handshakes in the capture",
                    n, m, (m == 1 ? "" : "s"), n < k ? (uint64_t)n : k, k);
        if (cfg->n_keylogs == 1 && n > 0 && st->tls13_decrypted < n) {
            fprintf(f, "; %" PRIu64 " decrypted", st->tls13_decrypted);
            rt_keylog_why(f, st);
        }
        fprintf(f, "\n");
    }
    if (cfg->n_keylogs > 1) {
        fprintf(f, "TLS 1.3 handshakes decrypted with the key logs: %" PRIu64 " of %" PRIu64,
                st->tls13_decrypted, k);
        rt_keylog_why(f, st);
        fprintf(f, "\n");
    }
}

/* The flow table or the memcap's dissection limit was reached: the peak
 * next to its limit, and the cap to raise (engine_load.h). Said only then. */
static void
rt_load(FILE *f, const struct run_stats *st)
{
    uint64_t ev = st->evictions, evm = st->evictions_for_memory;
    if (ev == 0 && st->flows_dissection_refused == 0)
        return;
    fprintf(f, "flows:");
    if (ev > 0) {
        fprintf(f, " %" PRIu64 " open at most (flow.max %" PRIu64 "): %" PRIu64 " evicted",
                st->flows_open_peak, st->flow_max, ev);
        if (ev > evm)
            fprintf(f, ", raise --cap flow.max");
        if (evm > 0)
            fprintf(f, "%s%" PRIu64 " for flow memory the memcap refused, raise --cap memcap",
                    ev > evm ? "; " : ", ", evm);
    }
    if (st->flows_dissection_refused > 0)
        fprintf(f,
                "%s %" PRIu64 " dissected at most (memcap / 32 KiB: %" PRIu64 "): %" PRIu64
                " not dissected, raise --cap memcap",
                ev > 0 ? ";" : "", st->flows_dissected_peak, st->flows_dissected_max,
                st->flows_dissection_refused);
    fprintf(f, "\n");
}

/* "tunnels: 31 VXLAN packets decapsulated (the VNI in the connection key;
 * --ignore-vlan leaves it out)": what was taken off (docs/capture.md
 * Tunnels), and the tunnel headers that could not be, when any were. */
static void
rt_tunnels(FILE *f, const struct run_stats *st)
{
    static const char *const kind[DECODE_TUN_KINDS] = {[DECODE_TUN_VXLAN] = "VXLAN",
                                                       [DECODE_TUN_GENEVE] = "Geneve",
                                                       [DECODE_TUN_GRE] = "GRE",
                                                       [DECODE_TUN_ERSPAN2] = "ERSPAN II",
                                                       [DECODE_TUN_ERSPAN3] = "ERSPAN III",
                                                       [DECODE_TUN_IPIP] = "IPv4-in-IP",
                                                       [DECODE_TUN_IP6] = "IPv6-in-IP",
                                                       [DECODE_TUN_MPLS] = "MPLS",
                                                       [DECODE_TUN_PPPOE] = "PPPoE"};
    uint64_t any = st->tun_truncated | st->tun_malformed | st->tun_too_deep | st->tun_oam;
    for (int k = 1; k < DECODE_TUN_KINDS; k++)
        any |= st->tunnels[k];
    if (any == 0)
        return;
    fprintf(f, "tunnels: ");
    const char *sep = "";
    uint64_t taken = 0;
    int kinds = 0;
    for (int k = 1; k < DECODE_TUN_KINDS; k++) {
        if (st->tunnels[k] == 0)
            continue;
        fprintf(f, "%s%" PRIu64 " %s", sep, st->tunnels[k], kind[k]);
        sep = ", ";
        taken += st->tunnels[k];
        kinds++;
    }
    if (taken) {
        if (kinds == 1)
            fprintf(f, " packet%s decapsulated", taken == 1 ? "" : "s");
        else
            fprintf(f, " layers taken off");
        /* the ids that name a network, in the flow key (decode_tunnel.c tun_name) */
        const char *ids[3];
        int n = 0;
        if (st->tunnels[DECODE_TUN_VXLAN] || st->tunnels[DECODE_TUN_GENEVE])
            ids[n++] = "VNI";
        if (st->tunnels[DECODE_TUN_GRE])
            ids[n++] = "GRE key";
        if (st->tunnels[DECODE_TUN_ERSPAN2] || st->tunnels[DECODE_TUN_ERSPAN3])
            ids[n++] = "ERSPAN session";
        if (n > 0) {
            fprintf(f, " (the ");
            for (int i = 0; i < n; i++)
                fprintf(f, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", ids[i]);
            if (agg.cfg != NULL && agg.cfg->ignore_vlan)
                fprintf(f, " left out of the connection key: --ignore-vlan)");
            else
                fprintf(f, " in the connection key; --ignore-vlan leaves %s out)",
                        n == 1 ? "it" : "them");
        }
    }
    sep = taken ? "; " : "";
    if (st->tun_truncated) {
        fprintf(f, "%s%" PRIu64 " tunnel header%s cut by the snaplen", sep, st->tun_truncated,
                st->tun_truncated == 1 ? "" : "s");
        sep = "; ";
    }
    if (st->tun_malformed) {
        fprintf(f, "%s%" PRIu64 " malformed tunnel header%s", sep, st->tun_malformed,
                st->tun_malformed == 1 ? "" : "s");
        sep = "; ";
    }
    if (st->tun_too_deep) {
        fprintf(f, "%s%" PRIu64 " frame%s in more than %d tunnel layers, not analysed", sep,
                st->tun_too_deep, st->tun_too_deep == 1 ? "" : "s", DECODE_TUNNEL_MAX);
        sep = "; ";
    }
    if (st->tun_oam) /* RFC 8926 §3.4: a control message, not the data path */
        fprintf(f, "%s%" PRIu64 " Geneve control packet%s (O bit), not analysed", sep, st->tun_oam,
                st->tun_oam == 1 ? "" : "s");
    fprintf(f, "\n");
}

void
agg_write_text(FILE *f, const struct run_stats *st, bool color)
{
    report_capture_loss(f, st);
    agg_one_direction_text(f);
    rt_findings(f, st, color);
    for (uint32_t i = 0; i < agg.n_servers; i++)
        rt_server(f, i);
    if (agg.servers_dropped)
        fprintf(f, "(%u session%s to further servers not itemised: report.servers_max)\n",
                agg.servers_dropped, agg.servers_dropped == 1 ? "" : "s");
    agn_write_text(f);
#define RT_S(n) ((n) == 1 ? "" : "s") /* "1 flow", "2 flows" */
    char after[48] = "";              /* of the truncated frames, those cut after capture */
    if (st->truncated_after_capture)
        snprintf(after, sizeof(after), " (%" PRIu64 " cut after capture)",
                 st->truncated_after_capture);
    /* the distinct certificates count intermediates and roots sent too; a
     * server's "certificate 1 of 1" counts its leaves: how many are leaves */
    char leaves[40] = "";
    if (st->certificates_distinct)
        snprintf(leaves, sizeof(leaves), " (%" PRIu64 " lea%s)", st->certificates_leaves,
                 st->certificates_leaves == 1 ? "f" : "ves");
    fprintf(f,
            "%" PRIu64 " packet%s, %" PRIu64 " flow%s, %" PRIu64 " SMTP/TLS session%s, %" PRIu64
            " distinct certificate%s%s; %" PRIu64 " truncated frame%s%s, %" PRIu64
            " decode error%s, %" PRIu64 " eviction%s, %" PRIu64 " cap hit%s, %" PRIu64 " drop%s",
            st->packets, RT_S(st->packets), st->flows, RT_S(st->flows), st->sessions,
            RT_S(st->sessions), st->certificates_distinct, RT_S(st->certificates_distinct), leaves,
            st->truncated_frames, RT_S(st->truncated_frames), after, st->decode_errors,
            RT_S(st->decode_errors), st->evictions, RT_S(st->evictions), st->cap_hits,
            RT_S(st->cap_hits), st->drops, RT_S(st->drops));
    if (st->tls_other)
        fprintf(f,
                "; %" PRIu64 " TLS connection%s of other protocols (HTTPS and the like, by port or "
                "ALPN) left out",
                st->tls_other, st->tls_other == 1 ? "" : "s");
    if (st->ts_outliers)
        fprintf(
            f,
            "; %" PRIu64
            " packet%s stamped far from the packets around %s (a wrong time stamp), taken at the "
            "time before",
            st->ts_outliers, st->ts_outliers == 1 ? "" : "s", st->ts_outliers == 1 ? "it" : "them");
    if (st->vlan_split)
        fprintf(f,
                "; %" PRIu64
                " connection%s seen as two one-way halves under different VLAN tags or "
                "tunnel ids "
                "(--ignore-vlan joins them)",
                st->vlan_split, st->vlan_split == 1 ? "" : "s");
    if (st->untracked_packets)
        fprintf(f, "; %" PRIu64 " packet%s of untracked connections (flow.max reached)",
                st->untracked_packets, RT_S(st->untracked_packets));
    if (st->unsupported_link_frames)
        fprintf(f, "; %" PRIu64 " frame%s of a link type smtptap does not decode, not analysed",
                st->unsupported_link_frames, st->unsupported_link_frames == 1 ? "" : "s");
    if (st->files_damaged)
        fprintf(f, "; %u damaged file%s", st->files_damaged, st->files_damaged == 1 ? "" : "s");
    if (st->files_unread)
        fprintf(f, "; %u of the -r file%s not read", st->files_unread,
                st->files_unread + st->files_read == 1 ? "" : "s");
    rt_filter_none(f, st);
    fprintf(f, "\n");
    rt_tunnels(f, st);
    rt_load(f, st);
    if (st->ev_on) {
        fprintf(f,
                "evidence: %" PRIu64 " frame%s of the mail flows written to %s, %" PRIu64
                " with the payload cut (commands from AUTH or MAIL on, message text, data after "
                "the handshake)",
                st->ev_frames, st->ev_frames == 1 ? "" : "s", agg.cfg->write_path, st->ev_cut);
        if (st->ev_reassembled)
            fprintf(f, "; %" PRIu64 " reassembled from IP fragments (one frame each)",
                    st->ev_reassembled);
        if (st->ev_held)
            fprintf(f,
                    "; %" PRIu64 " held back until the bytes they follow came (a reordered capture)"
                    ", %" PRIu64 " of them cut at the queue's bounds",
                    st->ev_held, st->ev_held_cut);
        if (st->ev_retx_differs)
            fprintf(f,
                    "; %" PRIu64 " retransmission%s cut whose bytes differ from those seen before",
                    st->ev_retx_differs, st->ev_retx_differs == 1 ? "" : "s");
        if (st->ev_from_detection)
            fprintf(
                f,
                "; %" PRIu64 " connection%s on a port that is no mail port written from the "
                "packet that showed SMTP or TLS, without the SYN before it (--ports to have it)",
                st->ev_from_detection, st->ev_from_detection == 1 ? "" : "s");
        if (st->ev_other_link)
            fprintf(f, "; %" PRIu64 " frame%s of another link type not written (one per file)",
                    st->ev_other_link, st->ev_other_link == 1 ? "" : "s");
        if (st->ev_reassembled_not_written)
            fprintf(f,
                    "; %" PRIu64 " datagram%s reassembled from IP fragments not written (too long "
                    "for one frame)",
                    st->ev_reassembled_not_written, st->ev_reassembled_not_written == 1 ? "" : "s");
        fprintf(f, "\n");
    }
    rt_keylog(f, st);
    if (truststore_known()) { /* case 4: an empty CA bundle makes every chain untrusted */
        char ts[640];
        truststore_text(ts, sizeof(ts));
        fprintf(f, "trust store: ");
        term_text(f, ts);
        fprintf(f, "\n");
    }
    if (agg.cfg && agg.cfg->at_us) { /* DateInvalid, "certificate has expired": at that time */
        char t[32];
        agg_ts_short(agg.cfg->at_us, t, sizeof(t));
        fprintf(f, "validity judged at %s (--at), not when each session took place\n", t);
    }
}
