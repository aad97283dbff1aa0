/* \summary: client_closed_after_handshake on a server (agg_closed.c): its
 * severity, and its headline by what each peer did over TLS in the
 * capture. Included after agg_int.h. */
#ifndef SMTPTAP_AGG_CLOSED_H
#define SMTPTAP_AGG_CLOSED_H

/* Notes a session in its peer's counts (agg_peer_note): a TLS session that
 * went further than a lone QUIT or a close, and a lone QUIT closed after
 * the handshake (not a test tool's). */
void agg_closed_note(struct agg_peer *p, const struct flow_record *rec, const struct diagnosis *dg);

/* The finding's severity: SEV_LOW when one of its peers sent a lone QUIT
 * after the handshake and never went further over TLS with this server in
 * the capture (as a sender that refuses the chain does), else SEV_INFO. */
int agg_closed_severity(const struct agg_server *s, const struct agg_flagstat *fs);

/* Its headline (after the server's address): with no lone QUIT, a probe's
 * close; with peers that never went further, those named and what to check
 * if one is a mail server; peers whose lone QUITs came with sessions that
 * went further named as having accepted the chain. */
void agg_closed_headline(struct strbuf *b, const struct agg_server *s,
                         const struct agg_flagstat *fs);

#endif /* SMTPTAP_AGG_CLOSED_H */
