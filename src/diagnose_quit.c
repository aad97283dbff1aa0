/* \summary: client_quit_after_handshake (diagnose.h): a client that ended
 * the session right after a completed handshake with one short command and
 * nothing else, seen from the records' headers alone (tls.after,
 * dissectors/tls_after.c). A verifying MTA refuses a certificate so,
 * without a TLS alert: Postfix at smtp_tls_security_level secure, verify or
 * dane finishes the handshake, logs "Server certificate not verified" and
 * sends QUIT inside TLS, then close_notify, and closes; Exim with
 * tls_verify_hosts the same ("certificate verification failed"). After
 * STARTTLS a client that goes on sends EHLO first (RFC 3207 §4.2), of 8
 * bytes at least ("EHLO a" CRLF); QUIT is 6 ("QUIT" CRLF, RFC 5321 §4.1.1.10).
 * A client that sent EHLO and then QUIT sent two commands: not this. */
#include <string.h>

#include "diagnose.h"
#include "strcopy.h"
#include "tls_names.h"

bool
diagnose_client_quit(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    const struct tls_after *c = &t->after[0];
    if (!t->seen || !t->after_read || t->handshake != TLS_HS_COMPLETE || !t->cipher_seen)
        return false;
    /* every record of the client's read, and the connection closed */
    if (c->n == 0 || c->more || c->lost || rec->first_close == NULL)
        return false;
    /* a QUIT's size, then alerts alone (tls_after.c stops reading at the
     * first record that does not fit) */
    for (unsigned i = 0; i < c->n && i < TLS_AFTER_MAX; i++)
        if (!tls_after_quit_fits(t->version, t->cipher, i, c->type[i], c->len[i]))
            return false;
    return true;
}

void
diagnose_quit_text(const struct flow_record *rec, const struct diagnosis *d, char *out, size_t n)
{
    const struct tls_facts *t = &rec->facts->tls;
    const struct tls_after *c = &t->after[0];
    uint32_t lo = 0, hi = 0;
    bool cut = false;
    struct strbuf b = str_buf_cut(out, n, &cut);
    (void)tls_plaintext_len(t->version, t->cipher, c->len[0], &lo, &hi);
    str_add(&b, "the client's only command after the handshake was ", NULL);
    str_add_uint(&b, lo);
    if (hi != lo) {
        str_add(&b, "-", NULL);
        str_add_uint(&b, hi);
    }
    str_add(&b, " bytes (a QUIT's size; no EHLO)", c->n > 1 ? ", then close_notify" : "",
            "; it closed with ",
            strcmp(rec->first_close, "client_fin") == 0   ? "a FIN"
            : strcmp(rec->first_close, "client_rst") == 0 ? "a RST"
            : strcmp(rec->first_close, "server_fin") == 0 ? "the server's FIN after it"
                                                          : "the server's RST after it",
            NULL);
    if (d->verified && d->verify_error > 0)
        str_add(&b, "; likely cause: ", d->verify_error_text, NULL);
    else if (d->verified && d->name_mismatch)
        str_add(&b, "; likely cause: the certificate does not cover the name ",
                d->checked_name[0] ? d->checked_name : "checked", " (name_mismatch)", NULL);
    else if (d->verified && d->dane.state == DANE_MISMATCH)
        str_add(&b, "; likely cause: no TLSA record matches the chain (dane_tlsa_mismatch)", NULL);
    else if (d->verified && (d->weak_key || d->weak_signature))
        str_add(&b, "; likely cause: a weak ", d->weak_key ? "key" : "signature", NULL);
    else if (d->verified && !d->certificate_ok)
        str_add(&b, "; likely cause: the chain's verdict (", d->verify_error_text, ")", NULL);
    else if (d->verified)
        str_add(&b,
                "; the chain verifies here: the client's own policy refused it (DANE/TLSA "
                "records, a name it expected, a pinned fingerprint)",
                NULL);
    else
        str_add(&b, "; the chain was not visible (TLS 1.3 or resumed)", NULL);
    str_mark_cut(out, n, cut);
}
