/* \summary: starttls_not_offered's headline (agg_notoffered.c). Included
 * after agg_int.h. */
#ifndef SMTPTAP_AGG_NOTOFFERED_H
#define SMTPTAP_AGG_NOTOFFERED_H

/* After the server's address: "did not offer STARTTLS in its EHLO reply",
 * or how EHLO was answered when it was refused; on a server that offered
 * STARTTLS elsewhere in the capture, "to these peers" (none of them was
 * ever offered it) or "in these sessions", with starttls_inconsistent's
 * causes. */
void agg_not_offered_text(struct strbuf *b, const struct agg_server *s,
                          const struct agg_flagstat *fs);

#endif /* SMTPTAP_AGG_NOTOFFERED_H */
