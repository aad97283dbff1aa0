/* \summary: auth_before_tls on a server (agg_auth.c): its evidence, the
 * mechanisms its sessions used before TLS, and its headline, what the
 * worst of them sent. Included after agg_int.h. */
#ifndef SMTPTAP_AGG_AUTH_H
#define SMTPTAP_AGG_AUTH_H

/* What a mechanism sends (agg_flagstat.auth_kinds), a bit each, the worst
 * first: the password itself (PLAIN, LOGIN); a mechanism smtptap does not
 * judge (unknown, unregistered, not seen, or past the room kept); a bearer
 * token (XOAUTH2, OAUTHBEARER); a challenge-response crackable offline
 * (CRAM-MD5, DIGEST-MD5, NTLM); SCRAM's salted, iterated one; Kerberos
 * tickets (GSSAPI); no secret (EXTERNAL, ANONYMOUS). */
enum {
    AGG_AUTH_PASSWORD = 1,
    AGG_AUTH_UNKNOWN = 2,
    AGG_AUTH_TOKEN = 4,
    AGG_AUTH_CRACKABLE = 8,
    AGG_AUTH_SCRAM = 16,
    AGG_AUTH_KERBEROS = 32,
    AGG_AUTH_NO_SECRET = 64,
};

/* The session's AUTH mechanisms (smtp_facts.auth_used) added to the flag's
 * evidence, each once ("AUTH PLAIN, AUTH LOGIN"), and what they send to
 * its auth_kinds; never what followed the mechanism. */
void agg_auth_note(struct agg_flagstat *fs, const struct smtp_facts *sm);

/* The finding's headline (after the server's address): "received AUTH
 * before TLS: " and what the worst of its mechanisms sent ("the password
 * crossed the network in plaintext with AUTH PLAIN and LOGIN, ..."). */
void agg_auth_headline(struct strbuf *b, const struct agg_flagstat *fs);

#endif /* SMTPTAP_AGG_AUTH_H */
