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
 * A client that sent EHLO and then QUIT sent two commands: not this.
 *
 * A person testing a server by hand does the same: `openssl s_client
 * -starttls smtp` fed "QUIT" with -quiet (without it "Q" is s_client's
 * own command letter: close_notify, no QUIT), gnutls-cli
 * --starttls-proto=smtp, swaks --tls --quit-after TLS. Such a probe is no
 * refusal (manual_tls_probe, pcaps/diag/manual-probe.pcap). The tools are
 * told by the EHLO name they send before STARTTLS, never by their
 * ClientHello: s_client's JA3/JA4 is OpenSSL's, as Postfix's and Exim's
 * are, and changes with the library's version and cipher list.
 * - s_client: "EHLO mail.example.com" unless -name is given (apps/s_client.c,
 *   PROTO_SMTP: BIO_printf(fbio, "EHLO %s\r\n", ehlo), ehlo defaulting to
 *   "mail.example.com"; openssl-s_client(1), -name). example.com is
 *   reserved (RFC 2606 §3): no MTA that delivers mail is named so.
 * - gnutls-cli: "EHLO HOST", HOST as given on its command line (src/socket.c,
 *   socket_starttls: "EHLO %s\r\n", socket->hostname), the server's own
 *   address or name, the latter also its SNI. An MTA's EHLO names the MTA
 *   itself (RFC 5321 §4.1.1.1), never the host it connects to.
 * - swaks: the local host's name (get_hostname), its ClientHello Net::SSLeay's
 *   (OpenSSL): nothing on the wire tells it from an MTA.
 *
 * So a refusal is claimed only where the chain gives the client a reason:
 * a lone QUIT after a chain this session shows a problem in (it does not
 * verify, its name does not match, no TLSA record matches, a revoked
 * staple, a weak key or signature: diagnose_quit_explained). A lone QUIT
 * after a chain that verifies here or that was not visible (TLS 1.3), and
 * a close without any command (close_notify alone, or a FIN or RST:
 * `openssl s_client -starttls smtp </dev/null`), are what probes and
 * checks do (`swaks --quit-after TLS`, monitoring plugins):
 * client_closed_after_handshake, no refusal (pcaps/diag/handshake-probes.pcap).
 * A sender whose own policy refused a chain that verifies here (a trust
 * store without its root, an expected name) looks the same, which the
 * finding says. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "diagnose.h"
#include "strcopy.h"
#include "tls_names.h"

/* The client's records after a completed handshake, every one read (no
 * more, no gap) and the connection closed: what both shapes below judge;
 * NULL otherwise. */
static const struct tls_after *
dq_after_closed(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    const struct tls_after *c = &t->after[0];
    if (!t->seen || !t->after_read || t->handshake != TLS_HS_COMPLETE || !t->cipher_seen)
        return NULL;
    if (c->more || c->lost || rec->first_close == NULL)
        return NULL;
    return c;
}

bool
diagnose_client_quit(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    const struct tls_after *c = dq_after_closed(rec);
    if (c == NULL || c->n == 0)
        return false;
    /* a QUIT's size, then alerts alone (tls_after.c stops reading at the
     * first record that does not fit) */
    for (unsigned i = 0; i < c->n && i < TLS_AFTER_MAX; i++)
        if (!tls_after_quit_fits(t->version, t->cipher, i, c->type[i], c->len[i]))
            return false;
    return true;
}

bool
diagnose_client_closed(const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    const struct tls_after *c = dq_after_closed(rec);
    if (c == NULL)
        return false;
    /* nothing at all: the client's own FIN or RST ended it, not the server;
     * not after the server's alert (diagnose_server_alert_first: Exim
     * refusing a client certificate, its client gone without a word) */
    if (c->n == 0)
        return t->reply != TLS_REPLY_SERVER_ALERT_FIRST &&
               strncmp(rec->first_close, "client_", 7) == 0;
    /* alerts alone (close_notify; TLS 1.3 hides the type, 2 bytes of
     * plaintext: RFC 8446 §6.1) */
    for (unsigned i = 0; i < c->n && i < TLS_AFTER_MAX; i++)
        if (!tls_after_alert_fits(t->version, t->cipher, c->type[i], c->len[i]))
            return false;
    return true;
}

bool
diagnose_quit_explained(const struct diagnosis *d)
{
    return d->verified && (d->verify_error > 0 || !d->certificate_ok || d->name_mismatch ||
                           d->dane.state == DANE_MISMATCH || (d->exchange_statuses & XS_REVOKED) ||
                           d->weak_key || d->weak_signature);
}

/* how the connection's end began, from record.first_close */
static const char *
close_str(const char *first_close)
{
    return strcmp(first_close, "client_fin") == 0   ? "a FIN"
           : strcmp(first_close, "client_rst") == 0 ? "a RST"
           : strcmp(first_close, "server_fin") == 0 ? "the server's FIN after it"
                                                    : "the server's RST after it";
}

/* "the client's only command after the handshake was 6 bytes (a QUIT's
 * size; no EHLO), then close_notify; it closed with a FIN" */
static void
quit_shape(struct strbuf *b, const struct flow_record *rec)
{
    const struct tls_facts *t = &rec->facts->tls;
    const struct tls_after *c = &t->after[0];
    uint32_t lo = 0, hi = 0;
    (void)tls_plaintext_len(t->version, t->cipher, c->len[0], &lo, &hi);
    str_add(b, "the client's only command after the handshake was ", NULL);
    str_add_uint(b, lo);
    if (hi != lo) {
        str_add(b, "-", NULL);
        str_add_uint(b, hi);
    }
    str_add(b, " bytes (a QUIT's size; no EHLO)", c->n > 1 ? ", then close_notify" : "",
            "; it closed with ", close_str(rec->first_close), NULL);
}

void
diagnose_quit_text(const struct flow_record *rec, const struct diagnosis *d, char *out, size_t n)
{
    bool cut = false;
    struct strbuf b = str_buf_cut(out, n, &cut);
    quit_shape(&b, rec);
    if (d->verified && d->verify_error > 0)
        str_add(&b, "; likely cause: ", d->verify_error_text, NULL);
    else if (d->verified && d->name_mismatch)
        str_add(&b, "; likely cause: the certificate does not cover the name ",
                d->checked_name[0] ? d->checked_name : "checked", " (name_mismatch)", NULL);
    else if (d->verified && d->dane.state == DANE_MISMATCH)
        str_add(&b, "; likely cause: no TLSA record matches the chain (dane_tlsa_mismatch)", NULL);
    else if (d->verified && (d->exchange_statuses & XS_REVOKED))
        str_add(&b,
                "; likely cause: its stapled OCSP response says the certificate is revoked "
                "(ocsp_staple_revoked)",
                NULL);
    else if (d->verified && (d->weak_key || d->weak_signature))
        str_add(&b, "; likely cause: a weak ", d->weak_key ? "key" : "signature", NULL);
    else if (d->verified && !d->certificate_ok)
        str_add(&b, "; likely cause: the chain's verdict (", d->verify_error_text, ")", NULL);
    /* no other: a chain with no problem seen makes client_closed_after_handshake */
    str_mark_cut(out, n, cut);
}

/* fs equals the n bytes of a (case aside) */
static bool
tc_eqn(const struct fstr *fs, const char *a, size_t n)
{
    return fs->s != NULL && !fs->truncated && fs->len == n &&
           strncasecmp((const char *)fs->s, a, n) == 0;
}

/* fs equals the text a (case aside) */
static bool
tc_eq(const struct fstr *fs, const char *a)
{
    return tc_eqn(fs, a, strlen(a));
}

/* The server's address as text into out: "192.0.2.25", "2001:db8::25" */
static void
tc_server_ip(const struct flow_record *rec, char *out, size_t n)
{
    const struct ipaddr *ip = &rec->server.ip;
    out[0] = '\0';
    if (inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->a, out, (socklen_t)n) == NULL)
        out[0] = '\0';
}

/* The EHLO name is the server's address, bare or as an address literal
 * (RFC 5321 §4.1.3: "[192.0.2.25]", "[IPv6:2001:db8::25]") */
static bool
tc_ehlo_is_server_ip(const struct flow_record *rec, const struct fstr *ehlo)
{
    char ip[64], lit[80];
    /* Only an address's characters, or a literal's "[", can match: a host
     * name is told apart without formatting the address (inet_ntop's
     * sprintf was ~1 800 instructions a session) */
    if (ehlo->s == NULL || ehlo->truncated || ehlo->len == 0 || ehlo->len >= sizeof(lit))
        return false;
    if (ehlo->s[0] != '[') {
        for (size_t i = 0; i < ehlo->len; i++) {
            uint8_t ch = ehlo->s[i];
            if (!isxdigit(ch) && ch != '.' && ch != ':')
                return false;
        }
    }
    tc_server_ip(rec, ip, sizeof(ip));
    if (ip[0] == '\0')
        return false;
    struct strbuf b = str_buf(lit, sizeof(lit));
    str_add(&b, "[", rec->server.ip.family == 6 ? "IPv6:" : "", ip, "]", NULL);
    return tc_eq(ehlo, ip) || tc_eq(ehlo, lit);
}

enum dg_test_client
diagnose_test_client(const struct flow_record *rec)
{
    if (rec->facts == NULL)
        return DG_TC_NONE;
    const struct fstr *ehlo = &rec->facts->smtp.ehlo;
    const struct fstr *sni = &rec->facts->tls.sni;
    if (ehlo->s == NULL || ehlo->len == 0)
        return DG_TC_NONE;
    if (tc_eq(ehlo, "mail.example.com"))
        return DG_TC_S_CLIENT;
    if (tc_ehlo_is_server_ip(rec, ehlo))
        return DG_TC_EHLO_SERVER;
    if (sni->s != NULL && !sni->truncated && sni->len > 0 &&
        tc_eqn(ehlo, (const char *)sni->s, sni->len))
        return DG_TC_EHLO_SERVER;
    return DG_TC_NONE;
}

const char *
diagnose_test_client_str(enum dg_test_client tc)
{
    switch (tc) {
    case DG_TC_S_CLIENT:
        return "openssl_s_client";
    case DG_TC_EHLO_SERVER:
        return "ehlo_names_server";
    case DG_TC_NONE:
        break;
    }
    return NULL;
}

void
diagnose_probe_text(const struct flow_record *rec, const struct diagnosis *d, char *out, size_t n)
{
    bool cut = false;
    struct strbuf b = str_buf_cut(out, n, &cut);
    if (d->test_client == DG_TC_S_CLIENT) {
        str_add(&b, "EHLO mail.example.com (openssl s_client's default -name); ", NULL);
    } else {
        bool by_ip = tc_ehlo_is_server_ip(rec, &rec->facts->smtp.ehlo);
        str_add(&b, "EHLO ", NULL);
        str_addn(&b, (const char *)rec->facts->smtp.ehlo.s, rec->facts->smtp.ehlo.len);
        str_add(&b, by_ip ? " (the server's own address" : " (the name the client asked for in SNI",
                ", as gnutls-cli --starttls-proto=smtp names the host it connects to; an MTA "
                "names itself); ",
                NULL);
    }
    quit_shape(&b, rec);
    str_mark_cut(out, n, cut);
}

void
diagnose_closed_text(const struct flow_record *rec, const struct diagnosis *d, char *out, size_t n)
{
    bool cut = false;
    struct strbuf b = str_buf_cut(out, n, &cut);
    const struct tls_after *c = &rec->facts->tls.after[0];
    if (c->n > 0 && tls_after_alert_fits(rec->facts->tls.version, rec->facts->tls.cipher,
                                         c->type[0], c->len[0])) {
        str_add(&b, "the client sent no command after the handshake: close_notify",
                c->n > 1 ? " and another alert" : "", "; it closed with ",
                close_str(rec->first_close), NULL);
    } else if (c->n == 0) {
        str_add(&b, "the client sent nothing after the handshake and closed with ",
                close_str(rec->first_close), NULL);
    } else {
        quit_shape(&b, rec);
    }
    if (d->verified)
        str_add(&b, "; the chain verifies here", NULL);
    else
        str_add(&b, "; the chain was not visible (TLS 1.3 or resumed)", NULL);
    str_mark_cut(out, n, cut);
}
