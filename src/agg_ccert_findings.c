/* \summary: client_certificate_untrusted: a server's peers presented client
 * certificates (mutual TLS) whose chains do not verify, for a TLS client,
 * against smtptap's trust store (diagnosis.client_chain_verdict). In the
 * Exchange Online hybrid case the on-premises server's certificate is the
 * client's, and a chain the receiving side cannot build is the cause of the
 * rejection; the server block's "client certificate" lines say it too, but
 * under the server, not among the findings. Each chain with its peers, its
 * Exchange word, OpenSSL's text and what to fix: the client sends its
 * intermediate, or the server's trust store lacks that CA (PartialChain);
 * the server's trust store lacks the root (UntrustedRoot); renew it
 * (DateInvalid); reissue it (Invalid: purpose, signature ...). High when the
 * server then ended sessions with a fatal alert
 * (server_rejected_client_certificate) or with its first reply over TLS
 * (server_refused_after_handshake: a 421 right after the handshake), else
 * medium: neither seen here, refused by a server that checks client
 * certificates. */
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "report_cert.h"
#include "strcopy.h"

#define CCF_LISTED 3 /* chains named in the summary; "and N more" after */

/* One chain: the leaf (SHA-1, end of validity), what was sent, its peers
 * and sessions, its word and OpenSSL's text, then what to fix. */
static void
ccf_chain(struct strbuf *b, const struct agg_server *s, const struct agg_ccert *c)
{
    const struct cert_entry *e = certcache_get(c->ids[0]);
    bool ok = e != NULL && !e->info.parse_error;
    char sha1[41] = "?", until[11] = "?", peers[300];
    if (e != NULL) {
        report_hex_upper(sha1, e->sha1, 20);
        sha1[8] = '\0';
    }
    if (ok)
        str_copy(until, sizeof(until), e->info.not_after_iso);
    agg_peers_text(s, &c->peers, peers, sizeof(peers));
    str_add(b, ok ? e->info.subject : "(not decoded)", " (SHA-1 ", sha1, ", until ", until, "), ",
            NULL);
    str_add_uint(b, c->n);
    str_add(b, c->n == 1 ? " certificate sent, from " : " certificates sent, from ",
            peers[0] ? peers : "peers not listed", " (", NULL);
    agg_add_sessions(b, c->sessions);
    str_add(b, "): ", c->verdict, " (", c->verify_text, ")", NULL);
    if (strcmp(c->verdict, "PartialChain") == 0) {
        if (c->missing_issuer[0])
            str_add(b, ": its issuer ", c->missing_issuer,
                    " is neither sent nor in the trust store", NULL);
        str_add(b,
                c->n == 1 ? ": the client must send its intermediate (configure its full chain), "
                            "or the server's trust store lacks that CA"
                          : ": the client must send that CA too if it is an intermediate "
                            "(configure its full chain), or the server's trust store lacks it "
                            "(the root of that chain)",
                NULL);
    } else if (strcmp(c->verdict, "UntrustedRoot") == 0) {
        str_add(b,
                ": the server's trust store lacks its root (or the certificate is self-signed): "
                "add that root there, or give the client a certificate from a CA the server "
                "trusts",
                NULL);
    } else if (strcmp(c->verdict, "DateInvalid") == 0) {
        str_add(b, ": renew the client's certificate", NULL);
    } else {
        str_add(b,
                ": reissue the client's certificate (for a TLS client: extendedKeyUsage "
                "clientAuth, RFC 5280 section 4.2.1.12) from a CA the server trusts",
                NULL);
    }
}

void
agg_ccert_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    unsigned bad[AGG_CCERTS_MAX], n = 0;
    uint64_t rejected = 0, refused = 0;
    for (unsigned k = 0; k < s->n_ccerts && k < AGG_CCERTS_MAX; k++) {
        const struct agg_ccert *c = &s->ccerts[k];
        if (c->verdict[0] && strcmp(c->verdict, "Valid") != 0) {
            bad[n++] = k;
            rejected += c->rejected;
            refused += c->refused;
        }
    }
    if (n == 0)
        return;
    bool why = rejected || refused; /* the server refused them: the cause is known */
    struct agg_finding *f =
        agg_new_finding(si, "client_certificate_untrusted", why ? SEV_HIGH : SEV_MEDIUM);
    if (f == NULL)
        return;
    for (unsigned i = 0; i < n; i++) {
        const struct agg_ccert *c = &s->ccerts[bad[i]];
        for (unsigned p = 0; p < c->peers.n; p++)
            agg_set_add(&f->peers, c->peers.v[p]);
        /* the sessions of its peers past its list, past report.peers_max
         * among them: counted, as the chain's own line has them */
        f->peers.dropped += c->peers.dropped;
        f->peers.past_cap += c->peers.past_cap;
        f->sessions += c->sessions;
        agg_ids_merge(f, c->sids, c->n_sids);
        if (i == 0 || c->first < f->first)
            f->first = c->first;
        if (c->last > f->last)
            f->last = c->last;
    }
    char ep[80], peers[300];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    agg_peers_text(s, &f->peers, peers, sizeof(peers));
    struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
    str_add(&b, ep,
            " was presented client certificates (mutual TLS) whose chains do not verify for a "
            "TLS client against smtptap's trust store",
            NULL);
    if (rejected) {
        str_add(&b, ", and ended ", NULL);
        agg_add_sessions(&b, rejected);
        str_add(&b, " of them with a fatal alert (server_rejected_client_certificate)", NULL);
    }
    if (refused) {
        /* no alert is no acceptance: Postfix with smtpd_tls_req_ccert
         * completes the handshake and refuses inside TLS (421 4.7.1, then
         * its close_notify and FIN), read from the records' sizes and
         * order (diagnose_refused.c; pcaps/diag mutual-tls-rejected.pcap,
         * 192.0.2.25; ccert-refused.pcap) */
        str_add(&b, rejected ? " and " : ", and ", "refused ", NULL);
        agg_add_sessions(&b, refused);
        str_add(&b,
                " of them inside TLS right after the handshake, with its first reply "
                "(server_refused_after_handshake: the 421)",
                NULL);
    }
    if (why) {
        str_add(&b, ": this is why", NULL);
    } else {
        str_add(&b,
                "; this server ended none of them with a TLS alert nor with its first reply "
                "over TLS (server_refused_after_handshake); a server that checks client "
                "certificates (Exchange Online's inbound connector from on-premises, a "
                "domain-secured receive connector) refuses them",
                NULL);
    }
    str_add(&b, " (", NULL);
    agg_add_sessions(&b, f->sessions);
    str_add(&b, ", peers ", peers[0] ? peers : "not listed", "): ", NULL);
    struct strbuf e = str_buf_cut(f->evidence, AGG_EVIDENCE_LEN, &f->evidence_cut);
    for (unsigned i = 0; i < n && i < CCF_LISTED; i++) {
        str_add(&b, i ? "; " : "", NULL);
        ccf_chain(&b, s, &s->ccerts[bad[i]]);
    }
    ccf_chain(&e, s, &s->ccerts[bad[0]]); /* the first chain's, as a flag's first session */
    if (n > CCF_LISTED) {
        str_add(&b, "; and ", NULL);
        str_add_uint(&b, n - CCF_LISTED);
        str_add(&b, " more chains (the server record's client_certificates)", NULL);
    }
}
