/* \summary: server_refused_after_handshake on a server (agg_refused.c): its
 * severity and its headline. Included after agg_int.h. */
#ifndef SMTPTAP_AGG_REFUSED_H
#define SMTPTAP_AGG_REFUSED_H

/* SEV_HIGH when some of its sessions' clients sent a certificate that does
 * not verify here or none when asked (the client-certificate refusal),
 * else SEV_MEDIUM. */
int agg_refused_severity(const struct agg_flagstat *fs);

/* Its headline (after the server's address): what the server did, what it
 * is (the client-certificate refusal, or a 421 of a cause the handshake
 * does not show), and what to change. */
void agg_refused_headline(struct strbuf *b, const struct agg_flagstat *fs);

#endif /* SMTPTAP_AGG_REFUSED_H */
