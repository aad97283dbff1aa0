/* \summary: server_closed_after_first_reply (diagnose.h): a server that
 * refused its client inside TLS right after the handshake, seen from the
 * records' headers alone (tls.reply, dissectors/tls_after.c). The client's
 * first command over TLS (its EHLO: RFC 3207 §4.2 has the client start
 * again) was answered with the few records one reply takes, then the
 * server ended the session, by its close_notify (RFC 8446 §6.1, RFC 5246
 * §7.2.1) or its FIN or RST, before the client sent anything more. In SMTP
 * a server ends a session on its own only with a 421 (RFC 5321 §3.8:
 * "service not available, closing transmission channel"); the reply to
 * QUIT (221) ends one too, but follows the client's QUIT, which a client
 * whose first command is QUIT sends (client_quit_after_handshake's shape,
 * never this one: tls_after.c reads no answer after a lone QUIT). So this
 * shape is a refusal, whatever its text, which stays encrypted.
 *
 * Postfix with smtpd_tls_req_ccert = yes completes the handshake with a
 * client whose certificate it does not trust (or that sent none, having
 * been asked: CertificateRequest) and answers its EHLO with "421 4.7.1
 * <host>: Client certificate not trusted" (or "... not provided"), then
 * closes (pcaps/diag/mutual-tls-rejected.pcap, ccert-refused.pcap): no
 * TLS alert is sent, so server_rejected_client_certificate does not see
 * it. refused_why says when the handshake shows such a cause; any other
 * 421 (a server shutting down, too many connections from the client,
 * smtpd_client_restrictions answered at the first command) has none. */
#include <string.h>

#include "diagnose.h"
#include "strcopy.h"
#include "tls_names.h"

bool
diagnose_server_refused(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    if (!t->seen || !t->after_read || t->handshake != TLS_HS_COMPLETE || !t->cipher_seen ||
        t->reply_records == 0)
        return false;
    if (t->reply == TLS_REPLY_SERVER_CLOSE)
        return true;
    /* a side's stream ended first: the server's FIN or RST began the close */
    return t->reply == TLS_REPLY_ENDED && rec->first_close != NULL &&
           strncmp(rec->first_close, "server_", 7) == 0;
}

enum dg_refused_why
diagnose_refused_why(const struct flow_record *rec, const struct diagnosis *d)
{
    const struct tls_facts *t = &rec->facts->tls;
    if (t->n_client_chain > 0 && d->client_exchange_status[0] &&
        strcmp(d->client_exchange_status, "Valid") != 0)
        return DG_RF_CCERT_UNTRUSTED;
    if (t->client_certificate_requested && t->n_client_chain == 0 &&
        t->client_certificates == TLS_CERTS_NONE)
        return DG_RF_CCERT_NONE;
    /* TLS 1.3: the CertificateRequest and the client's Certificate are in
     * the encrypted flights, read only with a key log (tls_dec.c) */
    if (t->version == 0x0304 && !t->client_certificate_requested && t->n_client_chain == 0)
        return DG_RF_HIDDEN;
    return DG_RF_NONE;
}

/* " of 67 bytes" (a range for CBC): the plaintext of a record of len */
static void
rf_size(struct strbuf *b, const struct tls_facts *t, uint32_t len)
{
    uint32_t lo, hi;
    if (!tls_plaintext_len(t->version, t->cipher, len, &lo, &hi))
        return;
    str_add(b, " of ", NULL);
    str_add_uint(b, lo);
    if (hi != lo) {
        str_add(b, "-", NULL);
        str_add_uint(b, hi);
    }
    str_add(b, " bytes", NULL);
}

/* "the client's first command over TLS (26 bytes) was answered with one
 * record of 67 bytes, then the server's close_notify, before the client
 * sent anything more; its client certificate does not verify here
 * (UntrustedRoot: unable to get local issuer certificate)" */
void
diagnose_refused_text(const struct flow_record *rec, const struct diagnosis *d, char *out, size_t n)
{
    bool cut = false;
    struct strbuf b = str_buf_cut(out, n, &cut);
    const struct tls_facts *t = &rec->facts->tls;
    bool alert = t->reply == TLS_REPLY_SERVER_CLOSE;
    str_add(&b, "the client's first command over TLS (", NULL);
    uint32_t lo, hi;
    if (t->after[0].n > 0 &&
        tls_plaintext_len(t->version, t->cipher, t->after[0].len[0], &lo, &hi)) {
        str_add_uint(&b, lo);
        if (hi != lo) {
            str_add(&b, "-", NULL);
            str_add_uint(&b, hi);
        }
        str_add(&b, " bytes, its EHLO's place) was answered with ", NULL);
    } else {
        str_add(&b, "its EHLO's place) was answered with ", NULL);
    }
    if (t->reply_records == 1) {
        str_add(&b, "one record", NULL);
        rf_size(&b, t, t->reply_len);
    } else {
        str_add_uint(&b, t->reply_records);
        str_add(&b, t->version == 0x0304 ? " records (a TLS 1.3 ticket may be one)" : " records",
                NULL);
    }
    const char *fc = rec->first_close ? rec->first_close : "";
    str_add(&b, ", then the server's ",
            alert                           ? "close_notify"
            : strcmp(fc, "server_rst") == 0 ? "RST"
                                            : "FIN",
            ", before the client sent anything more", NULL);
    if (d->refused_why == DG_RF_CCERT_UNTRUSTED)
        str_add(&b, "; the client's certificate does not verify here (", d->client_exchange_status,
                ": ", d->client_verify_error_text, ")", NULL);
    else if (d->refused_why == DG_RF_CCERT_NONE)
        str_add(&b,
                "; the server asked for a client certificate (CertificateRequest) and the "
                "client sent none",
                NULL);
    str_mark_cut(out, n, cut);
}

/* Whether the handshake history (tls.hs_history, NUL-terminated: struct
 * fstr) holds s: "C:CRT" is the client's Certificate (TLS 1.2, or TLS 1.3
 * decrypted) or "C:CRT(encrypted)" (TLS 1.3 told by lengths, tls.c
 * tls13_client_auth), an answer to a CertificateRequest (RFC 8446 §4.4.2:
 * only then does a client send one). */
static bool
rf_history_has(const struct tls_facts *t, const char *s)
{
    return t->hs_history.s != NULL && strstr((const char *)t->hs_history.s, s) != NULL;
}

/* Exim with tls_verify_hosts (GnuTLS) completes the handshake, then checks
 * the client's certificate and ends the session with an alert before
 * reading anything: bad_certificate (42) for one it does not trust ("TLS
 * error ... (certificate verification failed): certificate invalid"),
 * certificate_required (116) for none in TLS 1.3 ("Certificate is
 * required"), encrypted after its Finished so their codes are not seen
 * (pcaps/diag/exim-ccert.pcap). */
bool
diagnose_server_alert_first(const struct flow_record *rec, struct diagnosis *d)
{
    const struct tls_facts *t = &rec->facts->tls;
    /* or its alert answered the client's first command (sent before the
     * alert came: a client that speaks at once after its Finished) */
    bool first = t->reply == TLS_REPLY_SERVER_ALERT_FIRST ||
                 (t->reply == TLS_REPLY_SERVER_CLOSE && t->reply_records == 0);
    if (!t->seen || !t->after_read || t->handshake != TLS_HS_COMPLETE || !first ||
        !(t->client_certificate_requested || t->n_client_chain > 0 || rf_history_has(t, "C:CRT")))
        return false;
    d->server_rejected_client_certificate = true;
    d->server_reject_code = -1;
    if (d->alert_meaning[0])
        return true;
    /* an empty Certificate: TLS 1.2's, or TLS 1.3's 8 bytes ("C:CRT(encrypted)
     * C:FIN": no CertificateVerify after it) */
    bool none = t->client_certificates == TLS_CERTS_NONE ||
                (t->n_client_chain == 0 && t->version == 0x0304 &&
                 rf_history_has(t, "C:CRT(encrypted) C:FIN"));
    str_copy(d->alert_meaning, sizeof(d->alert_meaning),
             none ? "the server required a client certificate and the client sent none; it "
                    "ended the session right after the handshake with an encrypted alert"
                  : "the server rejected the client certificate right after the handshake, "
                    "before answering any command, with an encrypted alert");
    return true;
}
