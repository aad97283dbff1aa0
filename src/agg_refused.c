/* \summary: server_refused_after_handshake: a server that ended TLS
 * sessions with its first reply right after the handshake, before any mail
 * (diagnosis.server_closed_after_first_reply, diagnose_refused.c). In SMTP
 * a server closes a session on its own only with a 421 (RFC 5321 §3.8),
 * so each was a refusal, whose text stays encrypted. High when the
 * handshake shows the cause in the client's certificate: one that does not
 * verify here (client_certificate_untrusted) or none sent though the
 * server asked (CertificateRequest): Postfix with smtpd_tls_req_ccert = yes
 * completes the handshake and answers the EHLO with "421 4.7.1 ... Client
 * certificate not trusted" ("... not provided") and closes, with no TLS
 * alert (pcaps/diag/ccert-refused.pcap, mutual-tls-rejected.pcap); medium
 * otherwise (a server shutting down, a client refused by its address or
 * rate at the first command: its log says which).
 *
 * No TLS-RPT type (tlsrpt.c): RFC 8460 §4.3's result types are a sender's
 * failures to negotiate TLS with the receiving server or to validate that
 * server's certificate and policy; here the handshake completed and the
 * sender's checks passed, so a sender counts the session successful, and
 * the refusal that follows is SMTP's (a 421 the sender retries). */
#include "agg_int.h"
#include "agg_refused.h"
#include "strcopy.h"

int
agg_refused_severity(const struct agg_flagstat *fs)
{
    return fs->refused_untrusted + fs->refused_none > 0 ? SEV_HIGH : SEV_MEDIUM;
}

/* ", 3 sessions whose handshake was encrypted (...)" and the rest's */
static void
agg_refused_others(struct strbuf *b, const struct agg_flagstat *fs, uint64_t ccert)
{
    uint64_t other = fs->sessions - ccert - fs->refused_hidden;
    if (fs->refused_hidden) {
        str_add(b, ccert ? ", " : "", NULL);
        agg_add_sessions(b, fs->refused_hidden);
        str_add(b,
                " over TLS 1.3 not decrypted, which hides whether a client certificate was asked "
                "for or sent",
                NULL);
    }
    if (other && (ccert || fs->refused_hidden)) {
        str_add(b, ", ", NULL);
        agg_add_sessions(b, other);
        str_add(b, " with no such cause shown", NULL);
    }
}

void
agg_refused_headline(struct strbuf *b, const struct agg_flagstat *fs)
{
    uint64_t ccert = (uint64_t)fs->refused_untrusted + fs->refused_none;
    str_add(b, "ended TLS sessions with its first reply right after the handshake, before any mail",
            NULL);
    if (ccert == 0) {
        str_add(b,
                ": a 421 (RFC 5321 section 3.8: the one reply with which a server closes a "
                "session on its own; its text is encrypted): it refused these clients (a client "
                "certificate it requires, their address, rate or policy), or was shutting down "
                "or overloaded; its log says which",
                NULL);
        if (fs->refused_hidden) {
            str_add(b, " (", NULL);
            agg_refused_others(b, fs, 0);
            str_add(b, ")", NULL);
        }
        return;
    }
    str_add(b,
            ": the client-certificate refusal (Postfix with smtpd_tls_req_ccert = yes: \"421 "
            "4.7.1 ... Client certificate not trusted\" or \"not provided\" to the EHLO, no "
            "TLS alert): ",
            NULL);
    if (fs->refused_untrusted) {
        agg_add_sessions(b, fs->refused_untrusted);
        str_add(b,
                " with a client certificate that does not verify here "
                "(client_certificate_untrusted)",
                NULL);
    }
    if (fs->refused_none) {
        str_add(b, fs->refused_untrusted ? ", " : "", NULL);
        agg_add_sessions(b, fs->refused_none);
        str_add(b, " without one, though the server asked (CertificateRequest)", NULL);
    }
    agg_refused_others(b, fs, ccert);
    str_add(b,
            "; give those clients a certificate from a CA the server trusts (Postfix: "
            "smtpd_tls_CAfile), or add their CA there",
            NULL);
}
