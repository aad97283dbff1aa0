/* \summary: the terminal report's certificate block of a server (split
 * from report_text.c): per certificate it presented, its verdict, sessions
 * and when, how long it has left when that is within --expiry-warn days
 * (expiring_certificate's window), its leaf's names, validity and
 * thumbprints, the chain sent, its peers, SNI and OCSP lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_expiry.h"
#include "agg_int.h"
#include "certcache.h"
#include "report_cert.h"
#include "strcopy.h"
#include "termtext.h"

/* A certificate's validity, serial and SHA-1 thumbprint (as Exchange
 * prints it), at an indent: the leaf's and every other certificate's of
 * the chain sent (case 1: fingerprints and validity of the whole chain). */
static void
rt_cert_times(FILE *f, const char *indent, const struct cert_entry *e)
{
    char sha1[41];
    report_hex_upper(sha1, e->sha1, 20);
    fprintf(f, "%svalid      %s .. %s   serial %s\n", indent, e->info.not_before_iso,
            e->info.not_after_iso, e->info.serial);
    fprintf(f, "%sthumbprint %s (SHA-1)\n", indent, sha1);
}

/* The URLs of one kind after its label, each after a space, "(more left
 * out)" when some were (x509.h bounds); false, and nothing written, when
 * it has none. Escaped when read (x509.c): printable. */
static bool
rt_urls(FILE *f, const struct x509_info *x, enum x509_url_kind kind, const char *label)
{
    unsigned n;
    char *const *u = x509_urls(x, kind, &n);
    bool cut = (x->urls_truncated & (1u << kind)) != 0;
    if (n == 0 && !cut)
        return false;
    fprintf(f, "%s", label);
    for (unsigned i = 0; i < n; i++) {
        fputc(' ', f);
        term_text(f, u[i]);
    }
    if (cut)
        fprintf(f, " (more left out)");
    return true;
}

/* Whether certificate x names neither a CRL nor an OCSP responder and is
 * not self-signed: its line says "none given". */
static bool
rt_none_given(const struct x509_info *x)
{
    return !x509_names_url(x, X509_URL_CRL) && !x509_names_url(x, X509_URL_OCSP) && !x->self_signed;
}

/* Whether a leaf before chain c of server s (printed above it) names no
 * revocation: the server block has said what that means already. */
static bool
rt_none_said(const struct agg_server *s, uint32_t c)
{
    for (uint32_t i = 0; i < c; i++) {
        const struct agg_chain *ch = &s->chains[i];
        const struct cert_entry *e = ch->n ? certcache_get(ch->ids[0]) : NULL;
        if (e && !e->info.parse_error && rt_none_given(&e->info))
            return true;
    }
    return false;
}

/* Where a client checks the certificate's revocation: its CRL Distribution
 * Points and OCSP responder (Authority Information Access). A client that
 * checks revocation, as SChannel does for Exchange, fails when it cannot
 * reach them ("revocation checks failing offline") or when the leaf names
 * none: said once per server, at its first leaf naming none (explain), a
 * CA certificate's and a later leaf's line just "none given". A
 * self-signed certificate naming none gets no line: a root is not
 * checked. */
static void
rt_revocation(FILE *f, const char *indent, const struct x509_info *x, bool explain)
{
    bool any = x509_names_url(x, X509_URL_CRL) || x509_names_url(x, X509_URL_OCSP);
    if (!any && x->self_signed)
        return;
    fprintf(f, "%srevocation ", indent);
    if (!any) {
        fprintf(f, "none given%s\n", explain ? ": SChannel's revocation check cannot succeed" : "");
        return;
    }
    bool crl = rt_urls(f, x, X509_URL_CRL, "CRL");
    rt_urls(f, x, X509_URL_OCSP, crl ? "; OCSP" : "OCSP");
    fputc('\n', f);
}

/* For a chain whose issuer is missing (missing_intermediate), where the
 * top certificate sent says its issuer's certificate is published
 * (caIssuers, RFC 5280 §4.2.2.1): a client that fetches it (Windows does)
 * completes the chain, OpenSSL-based ones do not. And when the capture
 * holds that issuer all the same (agg_issuer.c: another server's chain,
 * this server's in other sessions, a client's), which certificate it is
 * and who sent it, as the finding's issuer_seen says. */
static void
rt_issuer_url(FILE *f, uint32_t si, uint32_t c)
{
    const struct agg_server *s = agg.servers[si];
    const struct agg_chain *ch = &s->chains[c];
    bool missing = agg_set_has(&agg_flagstat(s, AF_MISSING_INTERMEDIATE)->chains, c);
    const struct cert_entry *top = ch->n ? certcache_get(ch->ids[ch->n - 1]) : NULL;
    if (missing && top && !top->info.parse_error)
        rt_urls(f, &top->info, X509_URL_CA_ISSUERS, "; its issuer's certificate is at");
    const struct agg_iseen *is = missing ? agg_issuer_of(si, c) : NULL;
    const struct cert_entry *e = is ? certcache_get(is->cert) : NULL;
    if (e == NULL || e->info.parse_error)
        return;
    char sha1[41], by[200];
    struct strbuf b = str_buf(by, sizeof(by));
    report_hex_upper(sha1, e->sha1, 20);
    agg_issuer_sender(&b, is, si);
    term_msg(f, "; its issuer was seen in this capture: %s (SHA-1 %s%s), sent by %s",
             e->info.subject, sha1, is->self_signed ? ", self-signed" : "", by);
}

/* The other ports of s's address where the full handshakes of sessions
 * resumed on s presented chain ch ("192.0.2.25:25, 192.0.2.25:465"), and
 * how many of its resumed sessions came from them. */
static uint64_t
rt_elsewhere(const struct agg_server *s, const struct agg_chain *ch, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    uint64_t k = 0;
    for (unsigned i = 0; i < ch->n_else; i++) {
        char ep[80];
        const struct endpoint e = {s->ep.ip, ch->else_port[i]};
        agg_ep_str(&e, ep, sizeof(ep));
        str_add(&b, i ? ", " : "", ep, NULL);
        k += ch->else_sessions[i];
    }
    return k;
}

/* Beside a certificate's verdict, its end when that is near: within
 * expiring_certificate's window (agg_expiry.h: --expiry-warn days of the
 * capture's end or the --at time) " (expires 2026-12-10, 16 days after the
 * capture's end)", said even when no finding names it (another certificate
 * took over); one valid in its sessions that expired after them
 * " (expired 2026-12-10, before the capture's end)". With --at, that time
 * is named as the findings name it (agg_add_at): " after the --at time
 * 2026-11-24 00:00:00)", so the line stands alone. One served expired
 * says so in its verdict (DateInvalid). */
static void
rt_expiry(const struct agg_chain *ch, const struct cert_entry *e, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    char ref[64] = " the capture's end)", t[32];
    if (agg.cfg->at_us) {
        struct strbuf r = str_buf(ref, sizeof(ref));
        agg_ts_short(agg.cfg->at_us, t, sizeof(t));
        str_add(&r, " the --at time ", t, ")", NULL);
    }
    char day[11];
    int64_t left = 0;
    if (e == NULL || e->info.parse_error)
        return;
    str_copy(day, sizeof(day), e->info.not_after_iso); /* the date of its end */
    if (agg_expiring(e, &left)) {
        str_add(&b, " (expires ", day, ", ", NULL);
        agg_time_left(&b, left);
        str_add(&b, " after", ref, NULL);
    } else if (!ch->expired_seen && e->info.not_after < agg_expiry_ref()) {
        str_add(&b, " (expired ", day, ", before", ref, NULL);
    }
}

void
report_cert_text(FILE *f, uint32_t si, uint32_t c)
{
    const struct agg_server *s = agg.servers[si];
    const struct agg_chain *ch = &s->chains[c];
    const struct cert_entry *e = certcache_get(ch->ids[0]);
    char t1[32], t2[32], words[224];
    agg_ts_short(ch->first, t1, sizeof(t1));
    agg_ts_short(ch->last, t2, sizeof(t2));
    diagnose_statuses_text(ch->statuses, words, sizeof(words)); /* every status that applies */
    if (agg_vcount_mixed(&ch->vc)) /* sessions differ: each status with its sessions */
        agg_vcount_text(&ch->vc, words, sizeof(words));
    char resumed[256] = "", where[200], ends[128];
    rt_expiry(ch, e, ends, sizeof(ends));
    uint64_t k = rt_elsewhere(s, ch, where, sizeof(where));
    unsigned long long r = ch->resumed;
    if (ch->sessions == 0 && k > 0) {
        /* presented on another port only (Postfix's smtpd services share
         * one session cache): its verdict there, nothing sent here */
        if (ch->verdict_from) { /* its names those asked here (agg_else_verdict) */
            char vf[80];
            const struct endpoint ve = {s->ep.ip, ch->verdict_from};
            agg_ep_str(&ve, vf, sizeof(vf));
            size_t at = strlen(words);
            at = str_cat(words, sizeof(words), at, " (chain verified on ", 20);
            at = str_cat(words, sizeof(words), at, vf, sizeof(vf));
            const char *nm = ch->rnames & AGG_RN_UNCHECKED
                                 ? "; names asked here not all checked: its leaf not decoded)"
                             : ch->rnames & AGG_RN_NO_NAME
                                 ? "; names asked here not all checked: sessions with no name)"
                                 : ", names asked here)";
            str_cat(words, sizeof(words), at, nm, strlen(nm));
        }
        term_msg(f,
                 "  certificate %u of %u: %s%s, not sent here: %llu session%s resumed from %s, %s "
                 ".. %s\n",
                 c + 1, s->n_chains, ch->verdict[0] ? words : "not verified", ends, r,
                 r == 1 ? "" : "s", where, t1, t2);
    } else {
        if (r > 0 && k == 0) /* sessions that resumed it: no certificate sent */
            snprintf(resumed, sizeof(resumed), " (+%llu resumed)", r);
        else if (r > 0 && k == r)
            snprintf(resumed, sizeof(resumed), " (+%llu resumed from %s)", r, where);
        else if (r > 0)
            snprintf(resumed, sizeof(resumed), " (+%llu resumed, %llu from %s)", r,
                     (unsigned long long)k, where);
        term_msg(f, "  certificate %u of %u: %s%s, %llu session%s%s, %s .. %s\n", c + 1,
                 s->n_chains, ch->verdict[0] ? words : "not verified", ends,
                 (unsigned long long)ch->sessions, ch->sessions == 1 ? "" : "s", resumed, t1, t2);
    }
    char nc[200]; /* under its verdict: a Valid chain whose name nothing checked */
    agg_nc_line(ch, nc, sizeof(nc));
    if (nc[0])
        fprintf(f, "    %s\n", nc);
    if (e && !e->info.parse_error) {
        char sha256[65];
        report_hex(sha256, e->sha256, 32);
        term_msg(f, "    subject    %s\n", e->info.subject);
        term_msg(f, "    issuer     %s\n", e->info.issuer);
        fprintf(f, "    names     ");
        for (unsigned i = 0; i < e->info.n_san; i++)
            term_msg(f, " %s%s", e->info.san[i].type == 'I' ? "IP:" : "", e->info.san[i].value);
        fprintf(f, "%s\n", e->info.n_san ? "" : " (no subjectAltName)");
        rt_cert_times(f, "    ", e);
        fprintf(f, "    sha256     %s\n", sha256);
        if (e->info.exchange_name) /* characters, filtered by utf8_shown() (x509_winname.c) */
            fprintf(f, "    exchange   %s\n", e->info.exchange_name);
        rt_revocation(f, "    ", &e->info, !rt_none_said(s, c));
    } else {
        term_msg(f, "    %s\n", e ? e->info.parse_error : "not cached");
    }
    if (ch->sessions == 0 && k > 0)
        fprintf(f, "    chain      %u certificate%s, sent on %s", ch->n, ch->n == 1 ? "" : "s",
                where);
    else
        fprintf(f, "    chain      %u certificate%s sent", ch->n, ch->n == 1 ? "" : "s");
    /* OpenSSL's "ok" beside a failed verdict is the chain's alone (the
     * name is what failed): said so, not read as "certificate ok" */
    if (ch->verdict[0] && strcmp(ch->verdict, "Valid") != 0)
        term_msg(f, "; %s%s",
                 strcmp(ch->verify_text, "ok") == 0 ? "chain verified (OpenSSL: ok)"
                                                    : ch->verify_text,
                 /* Revoked is the staple's word (ocsp line below), not OpenSSL's */
                 ch->statuses & XS_REVOKED ? "; revoked by its stapled OCSP response" : "");
    rt_issuer_url(f, si, c);
    fprintf(f, "\n");
    for (unsigned i = 1; i < ch->n; i++) {
        const struct cert_entry *x = certcache_get(ch->ids[i]);
        if (x && !x->info.parse_error) {
            term_msg(f, "      [%u] %s\n", i, x->info.subject);
            term_msg(f, "          issuer     %s\n", x->info.issuer);
            rt_cert_times(f, "          ", x);
            rt_revocation(f, "          ", &x->info, false);
        } else {
            term_msg(f, "      [%u] %s\n", i, x ? x->info.parse_error : "not cached");
        }
    }
    fprintf(f, "    peers     ");
    uint32_t *v = s->n_uses ? malloc(s->n_uses * sizeof(*v)) : NULL, n = 0;
    uint64_t listed = 0; /* its sessions from the peers listed */
    for (uint32_t u = 0; u < s->n_uses; u++)
        if (s->uses[u].chain == c) {
            if (v != NULL)
                v[n++] = s->uses[u].peer;
            listed += s->uses[u].sessions;
        }
    agg_peers_sorted(s, v, n); /* by address, as every list of peers */
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t u = 0; u < s->n_uses; u++) {
            if (s->uses[u].chain != c || s->uses[u].peer != v[i])
                continue;
            char ip[64];
            agg_peer_str(s, s->uses[u].peer, ip, sizeof(ip));
            fprintf(f, " %s (%llu)", ip, (unsigned long long)s->uses[u].sessions);
        }
    /* peers past report.peers_max (or pairs past the memcap): their sessions */
    uint64_t all = ch->sessions + ch->resumed;
    if (all > listed)
        fprintf(f, "%s%llu session%s of peers not listed", n ? ", and " : " ",
                (unsigned long long)(all - listed), all - listed == 1 ? "" : "s");
    free(v);
    fprintf(f, "\n");
    char sni[600];
    agg_sni_text(s, c, sni, sizeof(sni)); /* names from the wire: term_msg */
    if (sni[0])
        term_msg(f, "    sni        %s\n", sni);
    char ol[200]; /* what its staples said (agg_ocsp.c) */
    agg_ocsp_chain_line(s, ch, ol, sizeof(ol));
    if (ol[0])
        fprintf(f, "    ocsp       %s\n", ol);
}
