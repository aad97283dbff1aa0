/* \summary: findings drawn from the per-server aggregation (issue 4): a
 * certificate that depends on the peer, a mixed pool, a changed certificate,
 * expired or expiring certificates served, STARTTLS offered to some peers and
 * not others, plaintext fallback, and one finding per session diagnosis flag.
 *
 * Severities (also in docs/findings.md):
 *   critical  starttls_stripped, expired_certificate_served (high once replaced),
 *             dane_tlsa_mismatch (high when the TLSA answer lacked the AD bit; agg_dane.c),
 *             plaintext_fallback (high when the peer's TLS had worked before)
 *   high      expired, not_yet_valid, self_signed, name_mismatch, missing_intermediate,
 *             untrusted_root, name_constraint_violation, client_rejected_certificate,
 *             tls_handshake_failed, plaintext_after_failed_starttls, auth_before_tls,
 *             implicit_tls_not_served,
 *             peer_dependent_certificate and mixed_pool when one of the certificates is bad,
 *             vlan_split (the capture hides everything about those connections)
 *   medium    peer_dependent_certificate, mixed_pool, starttls_inconsistent, starttls_rejected,
 *             starttls_not_offered, plaintext_delivery, weak_key, weak_signature,
 *             server_rejected_client_certificate, expiring_certificate, anonymous_tls,
 *             starttls_not_used
 *   low       certificate_changed, certificates_not_visible, dane_tlsa_unusable
 *   info      mutual_tls */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "mem.h"
#include "report_cert.h"
#include "report_session.h"
#include "strcopy.h"
#include "truststore.h"
#include "verify.h"
#include "x509.h"

const struct agg_flag_info agg_flags[AF_COUNT] = {
    [AF_EXPIRED] = {"expired", SEV_HIGH},
    [AF_NOT_YET_VALID] = {"not_yet_valid", SEV_HIGH},
    [AF_SELF_SIGNED] = {"self_signed", SEV_HIGH},
    [AF_NAME_MISMATCH] = {"name_mismatch", SEV_HIGH},
    [AF_MISSING_INTERMEDIATE] = {"missing_intermediate", SEV_HIGH},
    [AF_UNTRUSTED_ROOT] = {"untrusted_root", SEV_HIGH},
    [AF_NAME_CONSTRAINT] = {"name_constraint_violation", SEV_HIGH},
    [AF_WEAK_KEY] = {"weak_key", SEV_MEDIUM},
    [AF_WEAK_SIGNATURE] = {"weak_signature", SEV_MEDIUM},
    [AF_STARTTLS_STRIPPED] = {"starttls_stripped", SEV_CRITICAL},
    [AF_STARTTLS_NOT_OFFERED] = {"starttls_not_offered", SEV_MEDIUM},
    [AF_STARTTLS_REJECTED] = {"starttls_rejected", SEV_MEDIUM},
    [AF_PLAINTEXT_AFTER_FAILED] = {"plaintext_after_failed_starttls", SEV_HIGH},
    [AF_PLAINTEXT_DELIVERY] = {"plaintext_delivery", SEV_MEDIUM},
    [AF_AUTH_BEFORE_TLS] = {"auth_before_tls", SEV_HIGH},
    [AF_TLS_FAILED] = {"tls_handshake_failed", SEV_HIGH},
    [AF_CLIENT_REJECTED] = {"client_rejected_certificate", SEV_HIGH},
    [AF_SERVER_REJECTED_CLIENT] = {"server_rejected_client_certificate", SEV_MEDIUM},
    [AF_MUTUAL_TLS] = {"mutual_tls", SEV_INFO},
    [AF_NOT_VISIBLE] = {"certificates_not_visible", SEV_LOW},
    [AF_ANONYMOUS] = {"anonymous_tls", SEV_MEDIUM},
    [AF_OBSOLETE_TLS] = {"obsolete_tls_version", SEV_MEDIUM},
    [AF_PLAINTEXT_REFUSED] = {"plaintext_refused", SEV_MEDIUM},
    [AF_VLAN_SPLIT] = {"vlan_split", SEV_HIGH},
    [AF_HANDSHAKE_CAPPED] = {"handshake_capped", SEV_LOW},
    [AF_STARTTLS_NOT_USED] = {"starttls_not_used", SEV_MEDIUM},
    [AF_IMPLICIT_TLS_NOT_SERVED] = {"implicit_tls_not_served", SEV_HIGH},
    /* AF_FALLBACK_*, AF_PLAIN_NOT_OFFERED: no name, read by agg_plain.c */
};

/* One sentence per flag: what happened, then what to change. */
static const char *const agg_flag_text[AF_COUNT] = {
    [AF_EXPIRED] = "presented an expired certificate; renew it and reload the server",
    [AF_NOT_YET_VALID] = "presented a certificate that was not yet valid; check the server clock "
                         "and the certificate dates",
    [AF_SELF_SIGNED] =
        "presented a self-signed certificate; install a certificate from a CA the peers trust",
    [AF_NAME_MISMATCH] = "presented a certificate that does not cover the name the peer asked for; "
                         "add the name to the subjectAltName or fix DNS/SNI",
    [AF_MISSING_INTERMEDIATE] = NULL, /* agg_missing_issuer: it names the issuer */
    [AF_UNTRUSTED_ROOT] = "presented a chain that ends in a root the trust store does not contain; "
                          "use a certificate from a trusted CA or add the root where it belongs",
    [AF_NAME_CONSTRAINT] = "presented a certificate outside its issuing CA's name constraints; "
                           "reissue it under a CA permitted for that name",
    [AF_WEAK_KEY] =
        "presented a certificate with a weak key; reissue it with RSA 2048+ or ECDSA P-256+",
    [AF_WEAK_SIGNATURE] =
        "presented a certificate signed with MD5 or SHA-1; reissue it with SHA-256",
    [AF_STARTTLS_STRIPPED] =
        "had its STARTTLS capability replaced on the way (e.g. XXXXXXXA): a middlebox strips TLS; "
        "disable SMTP inspection (Cisco ASA/FTD: no inspect esmtp)",
    [AF_STARTTLS_NOT_OFFERED] = "did not offer STARTTLS in its EHLO reply",
    [AF_STARTTLS_REJECTED] =
        "refused STARTTLS: 454 means the server's TLS is broken (check its certificate and key); "
        "500/502 that the command never reached an SMTP server that offers it (a middlebox that "
        "strips STARTTLS answers so)",
    [AF_PLAINTEXT_AFTER_FAILED] =
        "received mail in plaintext after STARTTLS failed in the same connection",
    [AF_PLAINTEXT_DELIVERY] = "received mail in plaintext",
    [AF_AUTH_BEFORE_TLS] = "received AUTH before TLS: credentials crossed the network in plaintext",
    [AF_TLS_FAILED] = "had TLS handshakes fail",
    [AF_CLIENT_REJECTED] = "had its certificate rejected by peers with a fatal alert",
    [AF_SERVER_REJECTED_CLIENT] =
        "rejected client certificates, or required one and got none, with a fatal alert",
    [AF_MUTUAL_TLS] = "used mutual TLS (the client presented a certificate)",
    [AF_NOT_VISIBLE] = NULL, /* agg_nv_headline: one per reason */
    [AF_OBSOLETE_TLS] = "negotiated TLS older than 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1; "
                        "Microsoft 365 and Gmail refuse them, so such mail fails or goes in "
                        "plaintext); enable TLS 1.2 or later on the server and its peers",
    [AF_PLAINTEXT_REFUSED] =
        "refused mail from peers that did not use STARTTLS (it requires TLS: "
        "530 as RFC 3207 section 4 has it, or a refusal after STARTTLS was offered "
        "and not used); configure those peers to use STARTTLS",
    [AF_STARTTLS_NOT_USED] =
        "offered STARTTLS to peers that sent mail in plaintext without trying it and had not "
        "used TLS with it before: TLS is opportunistic (RFC 3207), so these are senders that do "
        "not use it (a legacy MTA, a script, a monitoring probe), not a downgrade; configure them "
        "to use STARTTLS",
    [AF_IMPLICIT_TLS_NOT_SERVED] =
        "served plaintext SMTP on an implicit-TLS port, where RFC 8314 section 3.3 has TLS from "
        "the first byte: clients set for implicit TLS (SSL/TLS) fail against it, the others "
        "send in plaintext or need STARTTLS; serve TLS from the first byte there (Postfix: the "
        "smtps service in master.cf lacks -o smtpd_tls_wrappermode=yes)",
    [AF_ANONYMOUS] = "negotiated an anonymous cipher suite (no certificate: peers cannot tell "
                     "the server from an interceptor); configure a certificate and disable aNULL "
                     "suites",
    [AF_VLAN_SPLIT] =
        "was seen in connections whose two directions came under different VLAN tags (a span "
        "port or tap that tags one direction only, or each with its own VLAN): each became two "
        "one-way halves, so their STARTTLS, certificates and alerts cannot be judged; run "
        "smtptap again with --ignore-vlan",
    [AF_HANDSHAKE_CAPPED] =
        "had TLS handshakes cut short by a cap of smtptap's own, not by the peers, so they are not "
        "judged failed; raise that cap and run again",
};

const char *
agg_severity_str(int sev)
{
    static const char *const n[] = {"none", "info", "low", "medium", "high", "critical"};
    return sev >= 0 && sev <= SEV_CRITICAL ? n[sev] : "none";
}

struct agg_finding *
agg_new_finding(uint32_t server, const char *kind, int sev)
{
    if (agg.n_findings == agg.cap_findings) {
        uint32_t nc = agg.cap_findings ? agg.cap_findings * 2 : 32;
        struct agg_finding *nf = mem_realloc(agg.findings, (size_t)agg.cap_findings * sizeof(*nf),
                                             (size_t)nc * sizeof(*nf));
        if (!nf)
            return NULL;
        agg.findings = nf;
        agg.cap_findings = nc;
    }
    struct agg_finding *f = &agg.findings[agg.n_findings++];
    memset(f, 0, sizeof(*f));
    f->server = server;
    f->kind = kind;
    f->severity = sev;
    if (sev > agg.max_severity)
        agg.max_severity = sev;
    return f;
}

void
agg_peers_text(const struct agg_server *s, const struct agg_set *set, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    for (unsigned i = 0; i < set->n && b.len + 48 < n; i++) {
        char ip[64];
        agg_peer_str(s, set->v[i], ip, sizeof(ip));
        str_add(&b, i ? ", " : "", ip, NULL);
        if (i == 5 && set->n > 7) {
            str_add(&b, " and ", NULL);
            str_add_uint(&b, set->n - 6);
            str_add(&b, " more", NULL);
            break;
        }
    }
    /* past the set's cap only sessions are counted: a peer may have several */
    if (set->dropped && b.len + 48 < n) {
        str_add(&b, set->dropped == 1 ? ", and 1 session" : ", and ", NULL);
        if (set->dropped > 1) {
            str_add_uint(&b, set->dropped);
            str_add(&b, " sessions", NULL);
        }
        str_add(&b, " of peers not listed", NULL);
    }
}

/* Appends "1 session" or "N sessions". */
static void
agg_add_sessions(struct strbuf *b, unsigned long long n)
{
    str_add_uint(b, n);
    str_add(b, n == 1 ? " session" : " sessions", NULL);
}

/* With --at, validity is judged at that time, not when the certificate was
 * served: ", which is expired at the --at time 2026-12-15 00:00:00" and
 * the like say so (the certificate may have been valid then). */
static void
agg_add_at(struct strbuf *b, const char *what)
{
    char t[32];
    agg_ts_short(agg.cfg->at_us, t, sizeof(t));
    str_add(b, what, " at the --at time ", t, NULL);
}

static bool
agg_chain_bad(const struct agg_chain *c)
{
    return c->verdict[0] && strcmp(c->verdict, "Valid") != 0;
}

/* The top certificate sent: from the leaf up through the certificates sent
 * whose subject is the issuer of the one below; NULL when not decoded. */
static const struct cert_entry *
agg_top_cert(const struct agg_chain *c)
{
    const struct cert_entry *cur = certcache_get(c->ids[0]);
    bool used[FACTS_CHAIN_MAX] = {true};
    for (unsigned step = 1; cur && !cur->info.parse_error && step < c->n; step++) {
        const struct cert_entry *up = NULL;
        for (unsigned i = 1; i < c->n && !up; i++) {
            const struct cert_entry *e = certcache_get(c->ids[i]);
            if (!used[i] && e && !e->info.parse_error &&
                strcmp(e->info.subject, cur->info.issuer) == 0) {
                used[i] = true;
                up = e;
            }
        }
        if (!up)
            break;
        cur = up;
    }
    return cur && !cur->info.parse_error ? cur : NULL;
}

/* missing_intermediate: an issuer that is neither sent nor in smtptap's
 * trust store, and not known to be a root. From the wire, a server that did
 * not send its intermediate and a verifier whose store lacks that CA
 * (perhaps a root: RFC 5246 §7.4.2 and RFC 8446 §4.4.2 let a server omit
 * it) look the same (case 4): both are said, the issuer named, and the
 * certificate it issued when that is not the leaf (a 3-tier chain missing
 * its middle CA), with where that certificate says its issuer is published
 * (caIssuers, RFC 5280 §4.2.2.1). */
static void
agg_missing_issuer(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    const struct agg_chain *c = fs->chains.n ? &s->chains[fs->chains.v[0]] : NULL;
    const struct cert_entry *top = c ? agg_top_cert(c) : NULL;
    bool below_leaf = top && top != certcache_get(c->ids[0]);
    if (below_leaf) {
        str_add(b, "sent a chain that ends at ", NULL);
        str_addn(b, top->info.subject, 160);
        str_add(b, ", whose issuer, ", NULL);
    } else {
        str_add(b, "sent a chain whose top certificate's issuer, ", NULL);
    }
    if (top)
        str_addn(b, top->info.issuer, 160);
    else
        str_add(b, "(not decoded)", NULL);
    if (truststore_known() && truststore_count() == 0) {
        /* case 4's setting, here in smtptap's own: nothing to tell a
         * missing intermediate from a root the store lacks */
        str_add(b,
                ", is not sent, and smtptap's trust store is empty (--no-system-ca without "
                "--ca-file or --ca-path), so it cannot tell a missing intermediate from a root: "
                "give the CA bundle the peers use (--ca-file)",
                NULL);
    } else {
        str_add(b,
                ", is neither sent nor in smtptap's trust store: either the server does not send ",
                below_leaf ? "that intermediate" : "its intermediate",
                " (configure the full chain: leaf + intermediates), or the verifier's trust store "
                "lacks that CA (it may be a root: add it there)",
                NULL);
    }
    unsigned n = 0;
    char *const *u = top ? x509_urls(&top->info, X509_URL_CA_ISSUERS, &n) : NULL;
    if (n > 0) {
        str_add(b, "; the issuer's certificate is published at ", NULL);
        str_addn(b, u[0], 120);
    }
}

/* untrusted_root for a root that was not sent: what showed it is a root. */
static void
agg_root_evidence(struct strbuf *b, const struct agg_flagstat *fs)
{
    if (fs->missing_issuer == VERIFY_ISSUER_ROOT_BUNDLE)
        str_add(b,
                ", not sent by the server; the system CA bundle holds it as a root, the trust "
                "store used does not",
                NULL);
    else if (fs->missing_issuer == VERIFY_ISSUER_ROOT_RETIRED && fs->retired_note)
        str_add(b, ", not sent by the server: a public root the CA bundles no longer hold (",
                fs->retired_note,
                "), so a client without it fails; have the server send a chain that leads to a "
                "current root (leave out the cross-signed intermediate that leads to this one)",
                NULL);
    else if (fs->missing_issuer == VERIFY_ISSUER_ROOT_SAME_NAME)
        str_add(b,
                ", not sent by the server; the trust store holds a root of that name, but not "
                "the one that signed this chain (a renewed or re-keyed root)",
                NULL);
}

/* A rejection of a chain that smtptap's own verification accepts: the
 * cause is on the client's side (case 4), which smtptap cannot see. */
static void
agg_client_side(struct strbuf *b, const struct agg_flagstat *fs)
{
    str_add(b, "; ", NULL);
    if (fs->cert_ok < fs->sessions) {
        str_add(b, "in ", NULL);
        str_add_uint(b, fs->cert_ok);
        str_add(b, " of them ", NULL);
    }
    str_add(b,
            "the chain verifies against smtptap's trust store, so the client's own trust store "
            "lacks its root (or the client expects another name): the cause is on the client "
            "side",
            NULL);
}

/* client_rejected_certificate with more than one alert code among its
 * sessions: every code, how often and from whom, after the first
 * session's "the client rejected the server certificate CN=X" (its
 * meaning up to " with <alert>", which no subject cut at 60 bytes ends
 * after). The evidence gets the codes and counts, the summary the peers. */
static void
agg_client_codes(struct strbuf *b, struct agg_finding *f, const struct agg_server *s,
                 const struct agg_flagstat *fs)
{
    size_t head = agg_meaning_head(fs->evidence);
    struct strbuf e = str_buf_cut(f->evidence, sizeof(f->evidence), &f->evidence_cut);
    str_addn(&e, fs->evidence, head);
    agg_creject_text(&e, s, false);
    str_add(b, ": ", NULL);
    str_addn(b, fs->evidence, head);
    agg_creject_text(b, s, true);
}

/* The leaves of a finding's chains, each once (a leaf sent alone and with
 * its intermediate is two chains): "CN=a (SHA-1 .., until ..) and CN=b
 * (..)", the first 3 and how many more. A finding on a renewed pool's
 * sessions named the first certificate alone. Returns how many leaves. */
static unsigned
agg_chains_text(const struct agg_server *s, const struct agg_set *chains, char *out, size_t n)
{
    uint32_t leaves[AGG_FPEERS_MAX];
    unsigned k = 0;
    for (unsigned i = 0; i < chains->n; i++) {
        const struct agg_chain *c = &s->chains[chains->v[i]];
        unsigned j = 0;
        while (j < k && s->chains[leaves[j]].ids[0] != c->ids[0])
            j++;
        if (j == k)
            leaves[k++] = chains->v[i];
    }
    struct strbuf b = str_buf(out, n);
    for (unsigned i = 0; i < k && i < 3; i++) {
        char one[300];
        agg_chain_label(&s->chains[leaves[i]], one, sizeof(one));
        str_add(&b, i == 0 ? "" : i + 1 == k ? " and " : ", ", one, NULL);
    }
    if (k > 3) {
        str_add(&b, " and ", NULL);
        str_add_uint(&b, k - 3);
        str_add(&b, " more", NULL);
    }
    return k;
}

/* Every peer of the set took TLS only by Exchange's X-ANONYMOUSTLS, the
 * upgrade Exchange servers use between themselves: they expect Exchange's
 * self-signed default certificate there and do not judge it by a CA (they
 * authenticate each other inside TLS, X-EXPS), so a self-signed one is no
 * fault of the server's. */
static bool
agg_all_anontls(const struct agg_server *s, const struct agg_set *peers)
{
    if (peers->n == 0 || peers->dropped > 0)
        return false;
    for (unsigned i = 0; i < peers->n; i++) {
        const struct agg_peer *p = &s->peers[peers->v[i]];
        if (p->anontls == 0 || p->anontls < p->used + p->rejected)
            return false;
    }
    return true;
}

/* mutual_tls over several client leaves: each with its sessions (one
 * session's would speak for all), as the server block's "client
 * certificate" lines name them, at most 3; chains that differ only above
 * the leaf count as one. Returns the number of distinct leaves. */
static unsigned
agg_ccerts_text(struct strbuf *b, const struct agg_server *s)
{
    uint32_t leaf[AGG_CCERTS_MAX];
    uint64_t n_sess[AGG_CCERTS_MAX];
    unsigned n = 0;
    for (unsigned k = 0; k < s->n_ccerts && k < AGG_CCERTS_MAX; k++) {
        unsigned j = 0;
        while (j < n && leaf[j] != s->ccerts[k].ids[0])
            j++;
        if (j == n) {
            leaf[n] = s->ccerts[k].ids[0];
            n_sess[n++] = 0;
        }
        n_sess[j] += s->ccerts[k].sessions;
    }
    if (b == NULL)
        return n;
    str_add(b, "client certificates ", NULL);
    for (unsigned j = 0; j < n && j < 3; j++) {
        const struct cert_entry *e = certcache_get(leaf[j]);
        char sha1[41] = "?";
        if (e != NULL) {
            report_hex_upper(sha1, e->sha1, 20);
            sha1[8] = '\0';
        }
        str_add(b, j ? ", " : "", e && !e->info.parse_error ? e->info.subject : "(not decoded)",
                " (SHA-1 ", sha1, ", ", NULL);
        agg_add_sessions(b, n_sess[j]);
        str_add(b, ")", NULL);
    }
    if (n > 3 || s->ccerts_dropped > 0)
        str_add(b, " and more", NULL);
    return n;
}

static void
agg_flag_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], peers[400];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    for (int i = 0; i < AF_COUNT; i++) {
        const struct agg_flagstat *fs = agg_flagstat(s, i);
        if (!fs->sessions || !agg_flags[i].name)
            continue;
        /* on the submission port, plaintext is no sender's opportunistic
         * choice but a mail client set to "no security" (RFC 8314 §3.3) */
        bool submission = i == AF_STARTTLS_NOT_USED && s->ep.port == 587;
        bool xanon = i == AF_SELF_SIGNED && agg_all_anontls(s, &fs->peers);
        struct agg_finding *f = agg_new_finding(si, agg_flags[i].name,
                                                submission ? SEV_HIGH
                                                : xanon    ? SEV_LOW
                                                           : agg_flags[i].severity);
        if (!f)
            return;
        f->peers = fs->peers;
        f->chains = fs->chains;
        f->sessions = fs->sessions;
        agg_ids_merge(f, fs->ids, fs->n_ids); /* gathered as sessions ended: sorted here */
        f->first = fs->first;
        f->last = fs->last;
        str_copy(f->evidence, sizeof(f->evidence), fs->evidence);
        agg_peers_text(s, &fs->peers, peers, sizeof(peers));
        if (!peers[0] && s->peers_dropped) /* all of them past the cap */
            str_copy(peers, sizeof(peers), "beyond report.peers_max, not listed");
        char cert[700];
        unsigned n_certs = agg_chains_text(s, &fs->chains, cert, sizeof(cert));
        struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        if (i != AF_NOT_VISIBLE)
            str_add(&b, ep, " ", NULL);
        if (i == AF_NOT_VISIBLE) { /* the server inside its sentence, true of every reason */
            agg_nv_headline(&b, s, ep);
        } else if (i == AF_MISSING_INTERMEDIATE) {
            agg_missing_issuer(&b, s, fs);
        } else if (i == AF_EXPIRED && agg.cfg->at_us) {
            agg_add_at(&b, "presented a certificate that is expired");
            str_add(&b, "; renew it and reload the server", NULL);
        } else if (submission) {
            str_add(&b,
                    "offered STARTTLS to mail clients that submitted mail in plaintext without "
                    "trying it (their connection security set to none); ",
                    agg_plain_advice(s), NULL);
        } else if (xanon) {
            str_add(&b,
                    "presented a self-signed certificate, over X-ANONYMOUSTLS only: the upgrade "
                    "Exchange servers use between themselves, where Exchange's self-signed "
                    "default certificate is expected and not judged by a CA; keep it (peers that "
                    "use STARTTLS need one from a CA they trust)",
                    NULL);
        } else if (i == AF_NAME_MISMATCH && strstr(fs->evidence, " (from expect)") != NULL) {
            /* the name is the admin's (--expect), not one a peer asked for */
            str_add(&b,
                    "presented a certificate that does not cover the name given with --expect; "
                    "add the name to the subjectAltName, or check that the peers use that name",
                    NULL);
        } else if (i == AF_NOT_YET_VALID && agg.cfg->at_us) {
            agg_add_at(&b, "presented a certificate that is not yet valid");
            str_add(&b, " (its validity begins later); check the certificate dates", NULL);
        } else {
            str_add(&b, agg_flag_text[i], NULL);
        }
        str_add(&b, " (", NULL);
        agg_add_sessions(&b, fs->sessions);
        str_add(&b, ", peers ", peers,
                n_certs == 0   ? ""
                : n_certs == 1 ? "; certificate "
                               : "; certificates ",
                cert, ")", NULL);
        if (i == AF_SERVER_REJECTED_CLIENT && s->n_rejects > 0) {
            str_add(&b, ": ", NULL); /* per peer: one session's meaning would speak for all */
            agg_reject_text(&b, s);
        } else if (i == AF_MUTUAL_TLS && agg_ccerts_text(NULL, s) > 1) {
            struct strbuf e = str_buf_cut(f->evidence, sizeof(f->evidence), &f->evidence_cut);
            agg_ccerts_text(&e, s);
            str_add(&b, ": ", f->evidence, NULL);
        } else if (i == AF_CLIENT_REJECTED && s->n_crejects > 1) {
            agg_client_codes(&b, f, s, fs);
        } else if (i == AF_TLS_FAILED && (s->n_fails > 1 || s->fails_dropped > 0)) {
            /* each reason: the first session's would speak for all */
            struct strbuf e = str_buf_cut(f->evidence, sizeof(f->evidence), &f->evidence_cut);
            agg_fail_text(&e, s, false);
            str_add(&b, ": ", NULL);
            agg_fail_text(&b, s, true);
        } else {
            str_add(&b, fs->evidence[0] ? ": " : "", fs->evidence, NULL);
        }
        if (i == AF_PLAINTEXT_DELIVERY && s->plain_unkept > 0) {
            /* agg_plain.c: neither starttls_not_used nor plaintext_fallback */
            str_add(&b, "; ", NULL);
            agg_add_sessions(&b, s->plain_unkept);
            str_add(&b,
                    " of them from peers beyond report.peers_max, whose earlier sessions are "
                    "not kept: whether they had used TLS before (a fallback) is not known",
                    NULL);
        }
        if (i == AF_CLIENT_REJECTED && fs->cert_ok > 0)
            agg_client_side(&b, fs);
        if (i == AF_UNTRUSTED_ROOT)
            agg_root_evidence(&b, fs);
    }
}

void
agg_vsplit_evidence(const struct flow_record *rec, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    bool c2s = rec->pkts[0] > 0;
    str_add(&b, c2s ? "client to server" : "server to client", " only, ", NULL);
    if (rec->n_vlan == 0)
        str_add(&b, "untagged", NULL);
    for (unsigned i = 0; i < rec->n_vlan && i < 2; i++) {
        str_add(&b, i ? "/" : "VLAN ", NULL);
        str_add_uint(&b, rec->vlan[i]);
    }
    str_add(&b, rec->n_vlan == 2 ? " (outer/inner)" : "", "; ", NULL);
    str_add(&b, c2s ? "server to client" : "client to server", " under other tags", NULL);
}

/* Adds session ids to a finding's list, kept sorted, unique and capped. */
void
agg_ids_merge(struct agg_finding *f, const uint64_t *ids, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned k = 0;
        while (k < f->n_ids && f->ids[k] < ids[i])
            k++;
        if (k < f->n_ids && f->ids[k] == ids[i])
            continue;
        if (f->n_ids == AGG_SESSIONS_MAX) {
            if (k == AGG_SESSIONS_MAX)
                continue;
            f->n_ids--; /* keep the earliest ids */
        }
        memmove(&f->ids[k + 1], &f->ids[k], (f->n_ids - k) * sizeof(f->ids[0]));
        f->ids[k] = ids[i];
        f->n_ids++;
    }
}

/* What sets a pool's odd certificate apart from the others: the statuses
 * it has and no other has, and those every other has and it has not. A
 * status they share is no difference (its own finding tells it): the same
 * chain judged against another trust store, where all are untrusted, is
 * told apart by what differs, expired or not (case 2). */
void
agg_pool_difference(struct strbuf *b, unsigned odd, unsigned any, unsigned all, unsigned others,
                    bool nodes)
{
    unsigned extra = others ? odd & ~any : 0, lack = others ? all & ~odd : 0;
    char e[64], l[64];
    diagnose_statuses_text(extra, e, sizeof(e));
    diagnose_statuses_text(lack, l, sizeof(l));
    const char *them = others == 1 ? "the other certificate" : "the other certificates";
    const char *be = others == 1 ? " is " : " are ";
    if (extra && !lack)
        str_add(b, " - it is ", e, ", ", them, be, "not; fix ", nodes ? "those nodes" : "that node",
                NULL);
    else if (lack && !extra)
        str_add(b, " - ", them, be, l, ", it is not; fix the other nodes", NULL);
    else if (extra && lack)
        str_add(b, " - it is ", e, ", ", them, be, l, "; fix every node", NULL);
    else
        str_add(b, "; fix ", nodes ? "those nodes" : "that node", NULL);
}

/* Which chains each peer got, and whether the chains' periods overlap. */
static void
agg_cert_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    if (s->n_chains < 2)
        return;
    char ep[80];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    /* Order chains by first sighting. */
    uint32_t ord[AGG_CHAINS_MAX];
    for (uint32_t i = 0; i < s->n_chains; i++)
        ord[i] = i;
    for (uint32_t i = 1; i < s->n_chains; i++)
        for (uint32_t k = i; k > 0 && s->chains[ord[k]].first < s->chains[ord[k - 1]].first; k--) {
            uint32_t t = ord[k];
            ord[k] = ord[k - 1];
            ord[k - 1] = t;
        }
    bool disjoint = true; /* every chain's period ends before the next begins */
    for (uint32_t i = 1; i < s->n_chains; i++)
        if (s->chains[ord[i - 1]].last >= s->chains[ord[i]].first)
            disjoint = false;
    bool any_bad = false;
    for (uint32_t i = 0; i < s->n_chains; i++)
        any_bad |= agg_chain_bad(&s->chains[i]);
    /* Per peer: how many distinct chains. */
    bool consistent = true;
    for (uint32_t p = 0; p < s->n_peers; p++) {
        int n = 0;
        for (uint32_t u = 0; u < s->n_uses; u++)
            n += s->uses[u].peer == p;
        if (n > 1)
            consistent = false;
    }
    struct agg_finding *f;
    char a[300], b[300];
    if (disjoint) {
        f = agg_new_finding(si, "certificate_changed", SEV_LOW);
        if (!f)
            return;
        const struct agg_chain *old = &s->chains[ord[0]], *nw = &s->chains[ord[s->n_chains - 1]];
        char t1[32], t2[32];
        agg_ts_short(old->last, t1, sizeof(t1));
        agg_ts_short(nw->first, t2, sizeof(t2));
        agg_chain_label(old, a, sizeof(a));
        agg_chain_label(nw, b, sizeof(b));
        struct strbuf sb = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        str_add(&sb, ep, " changed its certificate: ", a, " until ", t1, ", then ", b, " from ", t2,
                " (", NULL);
        str_add_uint(&sb, s->n_chains);
        str_add(&sb, " certificates in turn)", NULL);
    } else if (consistent) {
        f = agg_new_finding(si, "peer_dependent_certificate", any_bad ? SEV_HIGH : SEV_MEDIUM);
        if (!f)
            return;
        struct strbuf sb = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        str_add(&sb, ep,
                " presents a different certificate depending on the peer (SNAT, a receive "
                "connector chosen by source address, or split DNS):",
                NULL);
        for (uint32_t c = 0; c < s->n_chains && sb.len + 80 < sizeof(f->summary); c++) {
            struct agg_set ps;
            memset(&ps, 0, sizeof(ps));
            for (uint32_t u = 0; u < s->n_uses; u++)
                if (s->uses[u].chain == c)
                    agg_set_add(&ps, s->uses[u].peer);
            char peers[200];
            agg_peers_text(s, &ps, peers, sizeof(peers));
            agg_chain_label(&s->chains[c], a, sizeof(a));
            bool bad = agg_chain_bad(&s->chains[c]);
            char words[64];
            diagnose_statuses_text(s->chains[c].statuses, words, sizeof(words));
            str_add(&sb, c ? "; " : " ", peers, " always get ", a, bad ? " - " : "",
                    bad ? words : "", NULL);
        }
    } else {
        /* The odd one out: the chain served in the fewest sessions. */
        uint32_t odd = 0;
        for (uint32_t c = 1; c < s->n_chains; c++)
            if (s->chains[c].sessions < s->chains[odd].sessions)
                odd = c;
        f = agg_new_finding(si, "mixed_pool", any_bad ? SEV_HIGH : SEV_MEDIUM);
        if (!f)
            return;
        agg_chain_label(&s->chains[odd], a, sizeof(a));
        unsigned any = 0, all = ~0u, others = 0;
        for (uint32_t c = 0; c < s->n_chains; c++)
            if (c != odd && s->chains[c].verdict[0]) {
                any |= s->chains[c].statuses;
                all &= s->chains[c].statuses;
                others++;
            }
        if (!s->chains[odd].verdict[0])
            others = 0; /* not verified: nothing to compare */
        struct strbuf sb = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        str_add(&sb, ep, " alternates between ", NULL);
        str_add_uint(&sb, s->n_chains);
        str_add(&sb,
                " certificates across sessions of the same peers (a load-balanced pool whose "
                "nodes differ): the odd one out is ",
                a, ", served in ", NULL);
        str_add_uint(&sb, s->chains[odd].sessions);
        str_add(&sb, " of ", NULL);
        str_add_uint(&sb, s->tls_sessions);
        str_add(&sb, " sessions", NULL);
        agg_pool_difference(&sb, s->chains[odd].statuses, any, all, others, false);
    }
    for (uint32_t c = 0; c < s->n_chains; c++) {
        agg_set_add(&f->chains, c);
        f->sessions += s->chains[c].sessions;
        agg_ids_merge(f, s->chains[c].sids, s->chains[c].n_sids);
    }
    for (uint32_t u = 0; u < s->n_uses; u++)
        agg_set_add(&f->peers, s->uses[u].peer);
    f->first = s->chains[ord[0]].first;
    f->last = s->last;
}

/* True when another chain took over after this one was last served (a
 * renewal already done: expiring soon no longer matters). */
static bool
agg_chain_replaced(const struct agg_server *s, uint32_t c)
{
    for (uint32_t k = 0; k < s->n_chains; k++)
        if (k != c && s->chains[k].first > s->chains[c].last)
            return true;
    return false;
}

static void
agg_expiry_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], a[300];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    int64_t end = agg.cfg->at_us ? agg.cfg->at_us : agg.last_ts;
    int64_t warn = (int64_t)agg.cfg->expiry_warn_days * 86400;
    for (uint32_t c = 0; c < s->n_chains; c++) {
        const struct agg_chain *ch = &s->chains[c];
        const struct cert_entry *e = certcache_get(ch->ids[0]);
        struct agg_finding *f = NULL;
        if (ch->expired_seen && agg_chain_replaced(s, c)) {
            /* Served expired, then another certificate took over. */
            f = agg_new_finding(si, "expired_certificate_served", SEV_HIGH);
            if (!f)
                return;
            agg_chain_label(ch, a, sizeof(a));
            char t[32];
            agg_ts_short(ch->exp_last, t, sizeof(t));
            struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
            if (agg.cfg->at_us) {
                str_add(&b, ep, " served the certificate ", a, NULL);
                agg_add_at(&b, ", which is expired");
                str_add(&b, ",", NULL);
            } else {
                str_add(&b, ep, " served the expired certificate ", a, NULL);
            }
            str_add(&b, " in ", NULL);
            agg_add_sessions(&b, ch->exp_sessions);
            str_add(&b, " until ", t, ", then switched to another certificate", NULL);
        } else if (ch->expired_seen) {
            f = agg_new_finding(si, "expired_certificate_served", SEV_CRITICAL);
            if (!f)
                return;
            agg_chain_label(ch, a, sizeof(a));
            struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
            if (agg.cfg->at_us) {
                str_add(&b, ep, " still serves the certificate ", a, NULL);
                agg_add_at(&b, ", which is expired");
                str_add(&b, ",", NULL);
            } else {
                str_add(&b, ep, " still serves the expired certificate ", a, NULL);
            }
            str_add(&b, " in ", NULL);
            agg_add_sessions(&b, ch->exp_sessions);
            str_add(&b, "; replace it on every node", NULL);
        } else if (e && !e->info.parse_error && e->info.not_after >= end / 1000000 &&
                   e->info.not_after - end / 1000000 < warn && !agg_chain_replaced(s, c)) {
            f = agg_new_finding(si, "expiring_certificate", SEV_MEDIUM);
            if (!f)
                return;
            agg_chain_label(ch, a, sizeof(a));
            struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
            str_add(&b, ep, " serves ", a, ", which expires on ", e->info.not_after_iso,
                    ", within ", NULL);
            str_add_uint(&b, (unsigned)agg.cfg->expiry_warn_days);
            str_add(&b, " days", NULL);
            if (agg.cfg->at_us) {
                char t[32];
                agg_ts_short(agg.cfg->at_us, t, sizeof(t));
                str_add(&b, " of the --at time ", t, NULL);
            }
            str_add(&b, "; renew it", NULL);
        }
        if (!f)
            continue;
        agg_set_add(&f->chains, c);
        for (uint32_t u = 0; u < s->n_uses; u++)
            if (s->uses[u].chain == c)
                agg_set_add(&f->peers, s->uses[u].peer);
        if (ch->expired_seen) {
            f->sessions = ch->exp_sessions;
            f->first = ch->exp_first;
            f->last = ch->exp_last;
            agg_ids_merge(f, ch->exp_sids, ch->n_exp_sids);
        } else {
            f->sessions = ch->sessions;
            f->first = ch->first;
            f->last = ch->last;
            agg_ids_merge(f, ch->sids, ch->n_sids);
        }
    }
}

static void
agg_starttls_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], p1[300], p2[300];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    struct agg_set yes, no;
    memset(&yes, 0, sizeof(yes));
    memset(&no, 0, sizeof(no));
    for (uint32_t p = 0; p < s->n_peers; p++) {
        const struct agg_peer *pe = &s->peers[p];
        if (pe->offered)
            agg_set_add(&yes, p);
        if (pe->not_offered || pe->stripped)
            agg_set_add(&no, p);
    }
    if (yes.n && no.n) {
        struct agg_finding *f = agg_new_finding(si, "starttls_inconsistent", SEV_MEDIUM);
        if (!f)
            return;
        agg_peers_text(s, &yes, p1, sizeof(p1));
        agg_peers_text(s, &no, p2, sizeof(p2));
        f->peers = no;
        struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        str_add(&b, ep, " offers STARTTLS to ", p1, " but not to ", p2,
                " (policy by source address, or a middlebox on their path)", NULL);
        /* the peers that then sent mail in plaintext, never having used TLS
         * here (those that had are plaintext_fallback's) */
        const struct agg_flagstat *pn = agg_flagstat(s, AF_PLAIN_NOT_OFFERED);
        if (pn->sessions) {
            agg_peers_text(s, &pn->peers, p2, sizeof(p2));
            str_add(&b, "; of these, ", p2, " sent mail in plaintext", NULL);
        }
        f->first = s->first;
        f->last = s->last;
        f->sessions = agg_flagstat(s, AF_STARTTLS_NOT_OFFERED)->sessions +
                      agg_flagstat(s, AF_STARTTLS_STRIPPED)->sessions;
        agg_ids_merge(f, agg_flagstat(s, AF_STARTTLS_NOT_OFFERED)->ids,
                      agg_flagstat(s, AF_STARTTLS_NOT_OFFERED)->n_ids);
        agg_ids_merge(f, agg_flagstat(s, AF_STARTTLS_STRIPPED)->ids,
                      agg_flagstat(s, AF_STARTTLS_STRIPPED)->n_ids);
    }
    agg_plain_findings(si);
}

static int
agg_cmp_finding(const void *a, const void *b)
{
    const struct agg_finding *x = a, *y = b;
    if (x->severity != y->severity)
        return y->severity - x->severity;
    if (x->server != y->server)
        return x->server < y->server ? -1 : 1;
    return strcmp(x->kind, y->kind);
}

void
agg_compute_findings(void)
{
    for (uint32_t i = 0; i < agg.n_servers; i++) {
        agg_plain_resolve(agg.servers[i]);
        uint32_t first = agg.n_findings; /* the server's: the DANE-EE word goes in them */
        agg_cert_findings(i);
        agg_expiry_findings(i);
        agg_starttls_findings(i);
        agg_flag_findings(i);
        agg_dane_findings(i, first);
    }
    agg_plain_resolve(NULL);
    agn_finish();
    for (uint32_t i = 0; i < agg.n_findings; i++) { /* a text cut to fit ends in "..." */
        struct agg_finding *f = &agg.findings[i];
        str_mark_cut(f->summary, sizeof(f->summary), f->summary_cut);
        str_mark_cut(f->evidence, sizeof(f->evidence), f->evidence_cut);
    }
    if (agg.n_findings)
        qsort(agg.findings, agg.n_findings, sizeof(*agg.findings), agg_cmp_finding);
}
