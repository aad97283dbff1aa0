/* \summary: one finding per session diagnosis flag on a server (split from
 * agg_findings.c): the flag's sentence (what happened, then what to change),
 * its sessions, peers and certificates, and the evidence that names what the
 * flag's sessions saw. Severities: agg_findings.c. */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "agg_auth.h"
#include "agg_closed.h"
#include "agg_notoffered.h"
#include "agg_refused.h"
#include "certcache.h"
#include "report_cert.h"
#include "strcopy.h"
#include "truststore.h"
#include "verify.h"
#include "x509.h"

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
    [AF_WEAK_SIGNATURE] = NULL, /* agg_weak_sig_headline: it names the digest */
    [AF_STARTTLS_STRIPPED] =
        "had STARTTLS masked on the way (its EHLO keyword, e.g. XXXXXXXA, or the client's "
        "command, XXXXXXXX): a middlebox strips TLS; disable SMTP inspection (Cisco ASA/FTD: "
        "no inspect esmtp)",
    [AF_STARTTLS_NOT_OFFERED] = NULL, /* agg_not_offered_text: how EHLO was answered, to whom */
    [AF_STARTTLS_REJECTED] = NULL,    /* agg_rejected_codes: the codes seen */
    [AF_PLAINTEXT_AFTER_FAILED] =
        "received mail in plaintext after STARTTLS failed in the same connection",
    [AF_PLAINTEXT_DELIVERY] = "received mail in plaintext",
    [AF_AUTH_BEFORE_TLS] = NULL, /* agg_auth_headline: what its mechanisms sent */
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
        "offered STARTTLS to peers that sent mail in plaintext without trying it and did not "
        "use TLS with it in this capture: TLS is opportunistic (RFC 3207), so these are senders "
        "that do "
        "not use it (a legacy MTA, a script, a monitoring probe), not a downgrade seen here (a "
        "middlebox between them and this capture point could hide STARTTLS); configure them to "
        "use STARTTLS",
    [AF_IMPLICIT_TLS_NOT_SERVED] =
        "served plaintext SMTP on an implicit-TLS port, where RFC 8314 section 3.3 has TLS from "
        "the first byte: clients set for implicit TLS (SSL/TLS) fail against it, the others "
        "send in plaintext or need STARTTLS; serve TLS from the first byte there (Postfix: the "
        "smtps service in master.cf lacks -o smtpd_tls_wrappermode=yes)",
    [AF_ANONYMOUS] = "negotiated an anonymous cipher suite (no certificate: peers cannot tell "
                     "the server from an interceptor); configure a certificate and disable aNULL "
                     "suites",
    [AF_VLAN_SPLIT] =
        "was seen in connections whose two directions came under different VLAN tags or tunnel "
        "ids (a span port or tap that tags one direction only, or each with its own VLAN or "
        "mirror session): each became two "
        "one-way halves, judged apart (the client's commands, SNI and alerts apart from the "
        "server's replies, certificates and alerts); run smtptap again with --ignore-vlan",
    [AF_OCSP_REVOKED] =
        "stapled an OCSP response that says its certificate is revoked: clients that check "
        "revocation (Outlook and other Windows Schannel clients, Exim with hosts_require_ocsp) "
        "refuse it; replace the certificate (with a new key) and reload the server",
    [AF_OCSP_INVALID] =
        "stapled OCSP responses that a client checking them rejects (Exim with "
        "hosts_require_ocsp defers its mail): stale, not yet valid, for another certificate, "
        "badly signed, unknown or an OCSP error; have the server fetch a current response for "
        "the certificate it serves (Exim: tls_ocsp_file, refreshed before nextUpdate; Exchange, "
        "IIS and nginx fetch their own: let the server reach the OCSP URL of its certificate) "
        "or stop stapling",
    [AF_CLIENT_QUIT] =
        "had peers end TLS sessions right after the handshake with one short command (a QUIT's "
        "size) and no alert: verifying MTAs (Postfix at smtp_tls_security_level secure, verify or "
        "dane: \"Server certificate not verified\"; Exim with tls_verify_hosts: \"certificate "
        "verification failed\") that refused the certificate and deferred their mail; fix the "
        "chain's problem",
    [AF_MANUAL_PROBE] =
        "was tested by hand: sessions that ended right after the handshake with a QUIT came "
        "from test tools, told by their EHLO name (openssl s_client's default mail.example.com; "
        "gnutls-cli's, the server's own name or address), not from MTAs refusing the "
        "certificate (client_quit_after_handshake): not counted as failed nor as TLS-RPT failures",
    [AF_CLIENT_CLOSED] = NULL,  /* agg_closed_headline: by what its peers did over TLS */
    [AF_SERVER_REFUSED] = NULL, /* agg_refused_headline: the client certificate's part */
    [AF_HANDSHAKE_CAPPED] =
        "had TLS handshakes cut short by a cap of smtptap's own, not by the peers, so they are not "
        "judged failed; raise that cap and run again",
};

/* client_quit_after_handshake: the findings of the chain's problems its
 * sessions' chains have on this server, by kind ("its finding:
 * dane_tlsa_mismatch, missing_intermediate"), whatever order the report
 * lists them in; else where the likely cause is said. */
static void
agg_quit_causes(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    static const struct {
        int flag;
        const char *kind;
    } causes[] = {
        {AF_EXPIRED, "expired"},
        {AF_NOT_YET_VALID, "not_yet_valid"},
        {AF_UNTRUSTED_ROOT, "untrusted_root"},
        {AF_MISSING_INTERMEDIATE, "missing_intermediate"},
        {AF_SELF_SIGNED, "self_signed"},
        {AF_NAME_CONSTRAINT, "name_constraint_violation"},
        {AF_NAME_MISMATCH, "name_mismatch"},
        {AF_DANE_MISMATCH, "dane_tlsa_mismatch"},
        {AF_WEAK_KEY, "weak_key"},
        {AF_WEAK_SIGNATURE, "weak_signature"},
    };
    const char *kinds[sizeof(causes) / sizeof(causes[0])];
    unsigned n = 0;
    for (unsigned k = 0; k < sizeof(causes) / sizeof(causes[0]); k++) {
        const struct agg_flagstat *c = agg_flagstat(s, causes[k].flag);
        bool shared = false;
        for (unsigned j = 0; c->sessions && j < fs->chains.n && !shared; j++)
            shared = agg_set_has(&c->chains, fs->chains.v[j]);
        if (shared)
            kinds[n++] = causes[k].kind;
    }
    if (n == 0) {
        str_add(b, " (its likely cause is given after the colon)", NULL);
        return;
    }
    str_add(b, n == 1 ? " (its finding: " : " (their findings: ", NULL);
    for (unsigned k = 0; k < n; k++)
        str_add(b, k ? ", " : "", kinds[k], NULL);
    str_add(b, ")", NULL);
}

/* missing_intermediate: an issuer that is neither sent nor in smtptap's
 * trust store, and not known to be a root. From the wire, a server that did
 * not send its intermediate and a verifier whose store lacks that CA
 * (perhaps a root: RFC 5246 §7.4.2 and RFC 8446 §4.4.2 let a server omit
 * it) look the same (case 4): both are said, the issuer named, and the
 * certificate it issued when that is not the leaf (a 3-tier chain missing
 * its middle CA), with where that certificate says its issuer is published
 * (caIssuers, RFC 5280 §4.2.2.1). When another chain of the capture sent
 * the issuer's certificate (agg_issuer.c), that settles it: an
 * intermediate that, with this chain, leads to a trusted root is the
 * server's to send (the hedge dropped); one that leads to none is still
 * named as the intermediate to add; a self-signed one is a root the trust
 * store lacks. Each of the finding's chains is looked up (its top
 * certificate may have another issuer): the first's issuer is the
 * summary's subject, the others' found are named after it. */
static void
agg_missing_issuer(struct strbuf *b, uint32_t si, const struct agg_flagstat *fs,
                   struct agg_finding *f)
{
    const struct agg_server *s = agg.servers[si];
    const struct agg_chain *c = fs->chains.n ? &s->chains[fs->chains.v[0]] : NULL;
    const struct cert_entry *top = c ? agg_top_cert(c) : NULL;
    bool below_leaf = top && top != certcache_get(c->ids[0]);
    char root[300];
    bool seen = agg_issuer_find(c, top, &f->iseen, root, sizeof(root));
    agg_issuer_chains(si, &fs->chains, &f->iseen); /* each chain's own, for all to say */
    bool settled = seen && f->iseen.trusted;       /* an intermediate up to a trusted root */
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
    /* the finding's other chains may lack another issuer: each named once
     * (the first chain's alone spoke for all) */
    const char *seen_iss[3] = {top ? top->info.issuer : ""};
    unsigned n_seen = 1;
    bool more = false;
    for (unsigned i = 1; i < fs->chains.n; i++) {
        const struct cert_entry *t = agg_top_cert(&s->chains[fs->chains.v[i]]);
        unsigned k = 0;
        while (t && k < n_seen && strcmp(seen_iss[k], t->info.issuer) != 0)
            k++;
        if (t == NULL || k < n_seen)
            continue;
        if (n_seen == 3) {
            more = true;
            continue;
        }
        str_add(b, n_seen == 1 ? " (in other chains also " : ", ", NULL);
        str_addn(b, t->info.issuer, 160);
        seen_iss[n_seen++] = t->info.issuer;
    }
    if (more)
        str_add(b, " and more", NULL);
    if (n_seen > 1)
        str_add(b, ")", NULL);
    char label[300];
    if (seen)
        agg_leaf_label(f->iseen.cert, label, sizeof(label));
    const char *sha = seen ? strstr(label, " (SHA-1 ") : NULL; /* "(SHA-1 .., until ..)" */
    if (settled) {
        str_add(b, ", is not sent: the server does not send ",
                below_leaf ? "that intermediate" : "its intermediate",
                ", whose certificate was sent by ", NULL);
        agg_issuer_sender(b, &f->iseen, si);
        str_add(b, " in this capture", sha ? sha : "", " and leads to the trusted root ", root,
                "; add it to the chain this server sends (configure the full chain: leaf + "
                "intermediates)",
                NULL);
    } else if (seen && f->iseen.self_signed) {
        str_add(b,
                ", is neither sent nor in smtptap's trust store: it is a root (self-signed), "
                "whose certificate was sent by ",
                NULL);
        agg_issuer_sender(b, &f->iseen, si);
        str_add(b, " in this capture", sha ? sha : "",
                ", that the trust store lacks: add it to the trust store of the verifiers that "
                "are to trust this server, or use a certificate from a CA they trust",
                NULL);
    } else if (truststore_known() && truststore_count() == 0) {
        /* case 4's setting, here in smtptap's own: nothing to tell a
         * missing intermediate from a root */
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
    if (seen && !settled && !f->iseen.self_signed) {
        /* an intermediate, though not one that leads to a root trusted here */
        str_add(b, "; its certificate was sent by ", NULL);
        agg_issuer_sender(b, &f->iseen, si);
        str_add(b, " in this capture", sha ? sha : "",
                ": it is an intermediate, add it to the chain this server sends", NULL);
    }
    unsigned n = 0;
    char *const *u = top ? x509_urls(&top->info, X509_URL_CA_ISSUERS, &n) : NULL;
    if (n > 0) {
        str_add(b, "; the issuer's certificate is published at ", NULL);
        str_addn(b, u[0], 120);
    }
    agg_issuer_others(b, si, &fs->chains); /* the issuers other chains lack, found */
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

/* The sessions of src counted in dst too (their span, number, peers):
 * starttls_not_used's two classes made one finding where both have the
 * same advice. The ids go to the finding (agg_ids_merge). */
static void
agg_fs_join(struct agg_flagstat *dst, const struct agg_flagstat *src)
{
    if (src->sessions == 0)
        return;
    if (dst->sessions == 0 || src->first < dst->first)
        dst->first = src->first;
    if (dst->sessions == 0 || src->last > dst->last)
        dst->last = src->last;
    dst->sessions += src->sessions;
    dst->anontls += src->anontls;
    dst->implicit += src->implicit;
    for (unsigned k = 0; k < src->peers.n; k++)
        agg_set_add(&dst->peers, src->peers.v[k]);
    dst->peers.dropped += src->peers.dropped;
    dst->peers.past_cap += src->peers.past_cap;
}

/* starttls_not_used of sessions without AUTH whose peers sent AUTH in
 * plaintext in other sessions (the high starttls_not_used): "; 198.51.100.140
 * sent AUTH in plaintext in its other sessions (...)". */
static void
agg_auth_elsewhere(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    const struct agg_flagstat *auth = agg_flagstat(s, AF_NOT_USED_AUTH);
    struct agg_set both;
    memset(&both, 0, sizeof(both));
    for (unsigned k = 0; k < fs->peers.n; k++)
        if (agg_set_has(&auth->peers, fs->peers.v[k]))
            agg_set_add(&both, fs->peers.v[k]);
    if (both.n == 0)
        return;
    char p[300];
    agg_peers_text(s, &both, p, sizeof(p));
    str_add(b, "; ", p,
            " sent AUTH in plaintext in other sessions (the high starttls_not_used): a mail "
            "client and an MTA behind the same address, each with its own advice",
            NULL);
}

/* starttls_rejected: what the reply codes its sessions got mean, those
 * alone (all of them when some sessions' codes were not kept). RFC 3207
 * §4: 454 "TLS not available due to temporary reason"; 500/502 come from
 * a server (or a middlebox in its place) that does not know the command. */
static void
agg_rejected_codes(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    unsigned seen = 0;
    if (!agg_evids_codes(fs, &seen))
        seen |= 1u | 2u | 4u; /* not all known: every meaning */
    /* the verb the peers sent: Exchange's X-ANONYMOUSTLS in STARTTLS's
     * place (a peer's count is over all its sessions: "or" when mixed) */
    bool some_anon = false;
    for (unsigned i = 0; i < fs->peers.n; i++)
        some_anon |= s->peers[fs->peers.v[i]].anontls > 0;
    str_add(b,
            agg_all_anontls(s, &fs->peers) ? "refused X-ANONYMOUSTLS"
            : some_anon                    ? "refused STARTTLS (or X-ANONYMOUSTLS)"
                                           : "refused STARTTLS",
            NULL);
    const char *sep = ": ";
    if (seen & 1u) {
        str_add(b, sep, "454 means the server's TLS is broken (check its certificate and key)",
                NULL);
        sep = "; ";
    }
    if (seen & (2u | 4u)) {
        bool both = (seen & 6u) == 6u;
        str_add(b, sep,
                both        ? "500/502 mean"
                : seen & 2u ? "500 means"
                            : "502 means",
                " that the command never reached an SMTP server that offers it (a middlebox "
                "that strips STARTTLS answers so)",
                NULL);
        sep = "; ";
    }
    if (seen == 8u)
        str_add(b, " (the server's reply says why)", NULL);
}

/* Rejections that all came from test tools (diagnosis.test_client, by the
 * EHLO name: openssl s_client's default, gnutls-cli's server name): a
 * person's check with the tool's trust store, not a sending MTA's. Said
 * only then: among MTAs' rejections it would push their alerts out of the
 * summary, and the sessions' JSON has test_client. */
static void
agg_client_tools(struct strbuf *b, const struct agg_flagstat *fs)
{
    if (fs->tools == 0 || fs->tools != fs->sessions)
        return;
    str_add(b,
            fs->sessions == 1 ? "; the rejecting client was a test tool"
                              : "; the rejecting clients were test tools",
            ", by the EHLO name (openssl s_client's mail.example.com, gnutls-cli's server "
            "name): a person's check with the tool's trust store, not a sending MTA's",
            NULL);
}

/* A rejection of a chain that smtptap's own verification accepts: the
 * cause is on the client's side (case 4), which smtptap cannot see. */
static void
agg_client_side(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    if (fs->cert_ok < fs->sessions) {
        str_add(b, "in ", NULL);
        str_add_uint(b, fs->cert_ok);
        str_add(b, " of these ", NULL);
        str_add_uint(b, fs->sessions);
        str_add(b, " sessions ", NULL);
    }
    /* the root it verifies up to, named (case 1: "naming the root"): the
     * finding's chains' distinct anchors, at most 2 */
    char roots[2][300];
    unsigned n_roots = 0;
    bool more = false;
    for (unsigned i = 0; i < fs->chains.n; i++) {
        const struct agg_chain *c = &s->chains[fs->chains.v[i]];
        char label[300];
        if (!verify_anchor(c->ids, c->n, c->last / 1000000, label, sizeof(label)))
            continue;
        unsigned k = 0;
        while (k < n_roots && strcmp(roots[k], label) != 0)
            k++;
        if (k < n_roots)
            continue;
        if (n_roots == 2)
            more = true;
        else
            str_copy(roots[n_roots++], sizeof(roots[0]), label);
    }
    if (n_roots == 0) {
        str_add(b,
                "the chain verifies against smtptap's trust store, so the client's own trust "
                "store lacks its root (or the client expects another name): the cause is on the "
                "client side",
                NULL);
        agg_client_tools(b, fs);
        return;
    }
    str_add(b, "the chain verifies against smtptap's trust store up to the root ", roots[0], NULL);
    if (n_roots == 2)
        str_add(b, more ? ", " : " or ", roots[1], more ? " and more" : "", NULL);
    str_add(b, ", so the client's own trust store lacks ",
            n_roots > 1 ? "those roots" : "that root",
            " (or the client expects another name): the cause is on the client side", NULL);
    agg_client_tools(b, fs);
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

/* name_mismatch whose names all came from the capture's DNS answers (an MX
 * host, or an A/AAAA name, resolving to the server: diagnose_pick_name): no
 * peer asked for them; the first session's evidence says so when no
 * evidence was kept per session. */
static bool
agg_nm_from_dns(const struct agg_flagstat *fs, unsigned src)
{
    const unsigned dns = 1u << NAME_SRC_DNS_MX | 1u << NAME_SRC_DNS_A;
    if (src != 0)
        return (src & ~dns) == 0;
    return fs->evids == NULL &&
           (strstr(fs->evidence, " (from dns_mx)") || strstr(fs->evidence, " (from dns_a)"));
}

/* name_mismatch's headline when the names came from DNS: the MX host name
 * is what a sender that verifies the name checks (RFC 7672 section 3.2.2
 * for DANE, RFC 8461 section 4.1 for MTA-STS); an A/AAAA name is the one
 * the capture's DNS answers give for the address. */
static void
agg_nm_dns_headline(struct strbuf *b, unsigned src, unsigned names, unsigned n_certs)
{
    str_add(b,
            n_certs > 1 ? "presented certificates that do not cover "
                        : "presented a certificate that does not cover ",
            NULL);
    if (src == 1u << NAME_SRC_DNS_MX)
        str_add(b, names > 1 ? "its MX host names" : "its MX host name",
                " (from the capture's DNS answers: the name senders that verify check, by DANE, "
                "MTA-STS or Postfix's smtp_tls_security_level verify); add ",
                names > 1 ? "the names" : "the name",
                " to the subjectAltName, or point the MX record at a name the certificate has",
                NULL);
    else
        str_add(b, names > 1 ? "the names" : "the name",
                " the capture's DNS answers give for its address; add ", names > 1 ? "them" : "it",
                " to the subjectAltName or fix DNS", NULL);
}

/* name_mismatch with resumed sessions: no certificate was presented in
 * them, the one of the session they resumed (sent on another port of the
 * address, or earlier on this one: a session cache shared by the ports,
 * Postfix's tlsmgr(8)) was checked against their names (diagnose.c, RFC
 * 8446 §4.6.1). "resumed sessions whose peers asked for NAME, which the
 * certificate they resumed (sent on 192.0.2.25:25) does not cover"; with
 * full handshakes too, both. */
static void
agg_nm_resumed_headline(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs,
                        unsigned names, bool expect)
{
    uint64_t resumed = agg_evids_resumed(fs);
    uint64_t full = fs->sessions > resumed ? fs->sessions - resumed : 0;
    char where[300];
    struct strbuf w = str_buf(where, sizeof(where));
    agg_evids_rsent(&w, s, fs);
    const char *name = names == 1 ? agg_evids_name(fs) : NULL;
    if (full > 0) {
        str_add(b, "presented a certificate that does not cover ",
                expect ? "the name given with --expect"
                : name ? name
                       : "the names its peers asked for",
                " in ", NULL);
        agg_add_sessions(b, full);
        str_add(b, ", and resumed ", NULL);
        agg_add_sessions(b, resumed);
        str_add(b, " of a certificate that does not cover it either (sent ", where, ")", NULL);
    } else if (expect) {
        str_add(b, "resumed sessions of a certificate (sent ", where,
                ") that does not cover the name given with --expect", NULL);
    } else if (name) {
        str_add(b, "resumed sessions whose peers asked for ", name,
                ", which the certificate they resumed (sent ", where, ") does not cover", NULL);
    } else {
        str_add(b,
                "resumed sessions whose peers asked for names the certificate they resumed (sent ",
                where, ") does not cover", NULL);
    }
    str_add(b,
            expect      ? "; add the name to the subjectAltName, or check that the peers use "
                          "that name"
            : names > 1 ? "; add the names to the subjectAltName or fix DNS/SNI"
                        : "; add the name to the subjectAltName or fix DNS/SNI",
            NULL);
}

void
agg_flag_findings(uint32_t si)
{
    const struct agg_server *s = agg.servers[si];
    char ep[80], peers[400];
    agg_ep_str(&s->ep, ep, sizeof(ep));
    for (int i = 0; i < AF_COUNT; i++) {
        const struct agg_flagstat *fs = agg_flagstat(s, i);
        bool unused = i == AF_STARTTLS_NOT_USED || i == AF_NOT_USED_AUTH;
        /* on the submission port, plaintext is no sender's opportunistic
         * choice but a mail client set to "no security" (RFC 8314 §3.3) */
        bool submission = unused && s->ep.port == 587;
        /* on an implicit-TLS port (465) that served plaintext SMTP, the
         * senders are clients that expected TLS from the first byte (RFC
         * 8314 section 3.3), not MTAs using opportunistic STARTTLS: 465 is
         * message submission too, its plaintext credentials and mail in
         * clear, as severe as 587's */
        bool tls_port = unused && !submission && s->flags[AF_IMPLICIT_TLS_NOT_SERVED] != NULL &&
                        s->flags[AF_IMPLICIT_TLS_NOT_SERVED]->sessions > 0;
        /* there, sessions with AUTH and without have the same advice: one
         * finding of both */
        struct agg_flagstat joined;
        const struct agg_flagstat *also = NULL;
        if (unused && (submission || tls_port)) {
            if (i == AF_NOT_USED_AUTH)
                continue;
            also = agg_flagstat(s, AF_NOT_USED_AUTH);
            joined = *fs;
            agg_fs_join(&joined, also);
            fs = &joined;
        }
        if (!fs->sessions || !agg_flags[i].name)
            continue;
        /* on an MTA port, sessions that sent AUTH in plaintext are mail
         * clients' (or scripts') submitting there, no MTA's opportunistic
         * choice: as severe as on 587 (RFC 8314 section 3.3). By session,
         * not by peer: behind one NAT address an MTA's sessions keep the
         * MTA advice */
        bool auth_clients = i == AF_NOT_USED_AUTH;
        bool xanon = i == AF_SELF_SIGNED && agg_all_anontls(s, &fs->peers);
        /* refused though every chain it met verifies: the clients' own policy */
        bool quit_ok = i == AF_CLIENT_QUIT && fs->cert_ok == fs->sessions;
        /* a root public then, judged against today's bundle (agg_retired.c) */
        bool retired_then = i == AF_UNTRUSTED_ROOT && agg_retired_then(fs, agg.cfg);
        /* SHA-1 signatures every client accepted at the sessions' time */
        bool sig_then = i == AF_WEAK_SIGNATURE && fs->sig_then == fs->sessions;
        struct agg_finding *f = agg_new_finding(si, agg_flags[i].name,
                                                submission || tls_port || auth_clients ? SEV_HIGH
                                                : xanon || retired_then || sig_then    ? SEV_LOW
                                                : quit_ok                              ? SEV_MEDIUM
                                                : i == AF_CLIENT_CLOSED ? agg_closed_severity(s, fs)
                                                : i == AF_SERVER_REFUSED ? agg_refused_severity(fs)
                                                                         : agg_flags[i].severity);
        if (!f)
            return;
        f->peers = fs->peers;
        /* its peers past the list, each once: with a join's two classes too */
        agg_fpeers_exact(s, (1ull << i) | (also ? 1ull << AF_NOT_USED_AUTH : 0), &f->peers);
        f->chains = fs->chains;
        f->sessions = fs->sessions;
        f->anontls_only = fs->anontls == fs->sessions;
        f->implicit_only = fs->implicit == fs->sessions;
        agg_ids_merge(f, fs->ids, fs->n_ids); /* gathered as sessions ended: sorted here */
        if (also)
            agg_ids_merge(f, also->ids, also->n_ids);
        f->first = fs->first;
        f->last = fs->last;
        str_copy(f->evidence, sizeof(f->evidence), fs->evidence);
        agg_peers_text(s, &f->peers, peers, sizeof(peers));
        if (f->peers.n == 0 && f->peers.dropped) /* all of them past report.peers_max */
            str_copy(peers, sizeof(peers), "beyond report.peers_max, not listed");
        char cert[700];
        unsigned n_certs = agg_chains_text(s, &fs->chains, cert, sizeof(cert));
        struct strbuf b = str_buf_cut(f->summary, sizeof(f->summary), &f->summary_cut);
        /* client_rejected_certificate's end, made first: the list before
         * it gives way (cut, "..."), never its advice */
        char post[1024];
        struct strbuf pb = str_buf(post, sizeof(post));
        bool above =
            i == AF_CLIENT_REJECTED && agg_evids_many(fs) && agg_evids_inferred_above(s, fs);
        if (i == AF_CLIENT_REJECTED) {
            /* TLS 1.3: the chain known from elsewhere (when the list says
             * "one of those above", inferred_certificates has them) */
            if (!above)
                agg_evids_inferred_text(&pb, s, fs);
        }
        /* the conclusion first (case 4: whose side the cause is on) */
        char side[700];
        struct strbuf sdb = str_buf(side, sizeof(side));
        if (i == AF_CLIENT_REJECTED && fs->cert_ok > 0)
            agg_client_side(&sdb, s, fs);
        unsigned nm_names = 0, nm_src = 0;
        if (i == AF_NAME_MISMATCH)
            agg_evids_names(fs, &nm_names, &nm_src);
        bool nm_expect = nm_src == 1u << NAME_SRC_EXPECT;
        /* every name from the capture's DNS answers: no peer asked for it */
        bool nm_dns = agg_nm_from_dns(fs, nm_src);
        if (i != AF_NOT_VISIBLE)
            str_add(&b, ep, " ", NULL);
        if (i == AF_NOT_VISIBLE) { /* the server inside its sentence, true of every reason */
            agg_nv_headline(&b, s, ep);
        } else if (i == AF_MISSING_INTERMEDIATE) {
            agg_missing_issuer(&b, si, fs, f);
        } else if (i == AF_EXPIRED && agg.cfg->at_us) {
            agg_add_at(&b, "presented a certificate that is expired");
            str_add(&b, "; renew it and reload the server", NULL);
        } else if (submission) {
            str_add(&b,
                    "offered STARTTLS to mail clients that submitted mail in plaintext without "
                    "trying it (their connection security set to none); ",
                    agg_plain_advice(s), NULL);
        } else if (auth_clients) {
            str_add(&b,
                    "offered STARTTLS to peers that sent AUTH and mail in plaintext without "
                    "trying it: mail clients or scripts submitting on an MTA port with their "
                    "connection security set to none, not MTAs; have them submit on 587 with "
                    "STARTTLS or on 465 (RFC 8314), and refuse AUTH before STARTTLS here "
                    "(Postfix: smtpd_tls_auth_only = yes)",
                    NULL);
        } else if (tls_port) {
            str_add(&b,
                    "offered STARTTLS on an implicit-TLS port to clients that sent mail in "
                    "plaintext without trying it: not opportunistic TLS between MTAs (RFC 3207) "
                    "but a port where RFC 8314 section 3.3 has TLS from the first byte; serve TLS "
                    "there (implicit_tls_not_served), or refuse AUTH and MAIL before STARTTLS",
                    NULL);
        } else if (xanon) {
            str_add(&b,
                    "presented a self-signed certificate, over X-ANONYMOUSTLS only: the upgrade "
                    "Exchange servers use between themselves, where Exchange's self-signed "
                    "default certificate is expected and not judged by a CA; keep it (peers that "
                    "use STARTTLS need one from a CA they trust)",
                    NULL);
        } else if (i == AF_NAME_MISMATCH && agg_evids_resumed(fs) > 0) {
            agg_nm_resumed_headline(&b, s, fs, nm_names, nm_expect);
        } else if (i == AF_NAME_MISMATCH &&
                   (nm_expect || (fs->evids == NULL && strstr(fs->evidence, " (from expect)")))) {
            /* the name is the admin's (--expect), not one a peer asked for */
            str_add(&b,
                    "presented a certificate that does not cover the name given with --expect; "
                    "add the name to the subjectAltName, or check that the peers use that name",
                    NULL);
        } else if (i == AF_NAME_MISMATCH && nm_dns) {
            agg_nm_dns_headline(&b, nm_src, nm_names, n_certs);
        } else if (i == AF_NAME_MISMATCH && nm_names > 1) {
            /* its sessions checked several names (peers asking for
             * different ones): the first session's words would speak of one */
            str_add(&b,
                    n_certs > 1 ? "presented certificates that do not cover the names its peers "
                                  "asked for (which name met which certificate: below)"
                                : "presented a certificate that does not cover the names its "
                                  "peers asked for",
                    nm_src & ~(1u << NAME_SRC_SNI) ? " or the capture's DNS answers give" : "",
                    "; add the names to the subjectAltName or fix DNS/SNI", NULL);
        } else if (quit_ok) {
            str_add(&b,
                    "had peers end TLS sessions right after the handshake with one short command "
                    "(a QUIT's size) and no alert, though the chain verifies here: verifying MTAs "
                    "whose own policy refused the certificate (DANE/TLSA records, a name they "
                    "expected, a pinned fingerprint); check that policy against the certificate",
                    NULL);
        } else if (i == AF_CLIENT_CLOSED) {
            agg_closed_headline(&b, s, fs);
        } else if (i == AF_SERVER_REFUSED) {
            agg_refused_headline(&b, fs);
        } else if (i == AF_STARTTLS_REJECTED) {
            agg_rejected_codes(&b, s, fs);
        } else if (i == AF_STARTTLS_NOT_OFFERED) {
            agg_not_offered_text(&b, s, fs);
        } else if (i == AF_AUTH_BEFORE_TLS) {
            agg_auth_headline(&b, fs);
        } else if (retired_then) {
            agg_retired_headline(&b);
        } else if (i == AF_WEAK_SIGNATURE) {
            agg_weak_sig_headline(&b, fs, sig_then);
        } else if (i == AF_NOT_YET_VALID && agg.cfg->at_us) {
            agg_add_at(&b, "presented a certificate that is not yet valid");
            str_add(&b, " (its validity begins later); check the certificate dates", NULL);
        } else {
            str_add(&b, agg_flag_text[i], NULL);
            if (i == AF_CLIENT_QUIT)
                agg_quit_causes(&b, s, fs);
        }
        if (side[0])
            str_add(&b, "; ", side, NULL);
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
            struct strbuf e = str_buf_cut(f->evidence, AGG_EVIDENCE_LEN, &f->evidence_cut);
            agg_ccerts_text(&e, s);
            str_add(&b, ": ", f->evidence, NULL);
        } else if (i == AF_CLIENT_REJECTED && agg_evids_many(fs)) {
            /* each certificate with its alerts: the first session's
             * certificate would speak for every alert */
            struct strbuf e = str_buf_cut(f->evidence, AGG_EVIDENCE_LEN, &f->evidence_cut);
            agg_evids_alerts_text(&e, s, fs, false, 0, false);
            str_add(&b, ": ", NULL);
            agg_evids_alerts_text(&b, s, fs, true, pb.len, above);
        } else if (i == AF_TLS_FAILED && (s->n_fails > 1 || s->fails_dropped > 0)) {
            /* each reason: the first session's would speak for all */
            struct strbuf e = str_buf_cut(f->evidence, AGG_EVIDENCE_LEN, &f->evidence_cut);
            agg_fail_text(&e, s, false);
            str_add(&b, ": ", NULL);
            agg_fail_text(&b, s, true);
        } else if (i == AF_NOT_VISIBLE && agg_nv_rebuilt(s, agg.cfg ? agg.cfg->n_keylogs : 0)) {
            /* each reason's evidence with its own session (the headline
             * lists the reasons), or one reason's of all its sessions: the
             * first session's would speak for all */
            struct strbuf e = str_buf_cut(f->evidence, sizeof(f->evidence), &f->evidence_cut);
            agg_nv_evidence_all(&e, s, agg.cfg ? agg.cfg->n_keylogs : 0);
            if (agg_nv_reasons(s) == 1)
                str_add(&b, ": ", f->evidence, NULL);
        } else if (agg_evids_many(fs) || (i == AF_NAME_MISMATCH && agg_evids_named(fs))) {
            /* name_mismatch's made here too: the certificate's names
             * whole, in the room the finding has (the first session's,
             * 200 bytes, had cut them mid-list) */
            /* every distinct evidence, the summary with its peers: the
             * first session's would speak for all */
            struct strbuf e = str_buf_cut(f->evidence, AGG_EVIDENCE_LEN, &f->evidence_cut);
            agg_evids_text(&e, s, fs, i, false);
            str_add(&b, ": ", NULL);
            agg_evids_text(&b, s, fs, i, true);
        } else {
            str_add(&b, fs->evidence[0] ? ": " : "", fs->evidence, NULL);
        }
        if (i == AF_STARTTLS_NOT_USED && !also)
            agg_auth_elsewhere(&b, s, fs);
        if (i == AF_PLAINTEXT_DELIVERY && s->plain_unkept > 0) {
            /* agg_plain.c: neither starttls_not_used nor plaintext_fallback */
            str_add(&b, "; ", NULL);
            agg_add_sessions(&b, s->plain_unkept);
            str_add(&b,
                    " of them from peers beyond report.peers_max, whose earlier sessions are "
                    "not kept: whether they had used TLS before (a fallback) is not known",
                    NULL);
        }
        if (i == AF_NOT_VISIBLE) { /* the resumed sessions whose chain is unknown too */
            char r[640];
            struct strbuf rb = str_buf(r, sizeof(r));
            if (agg_nv_resumed(&rb, s, agg.cfg ? agg.cfg->n_keylogs : 0))
                str_add(&b, " (", r, ")", NULL);
        }
        str_add(&b, post, NULL); /* client_rejected_certificate's */
        if (i == AF_UNTRUSTED_ROOT)
            agg_root_evidence(&b, fs, agg.cfg);
    }
}
