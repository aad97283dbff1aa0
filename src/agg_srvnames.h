/* \summary: a server's names (agg_srvnames.c): where each was seen, and
 * how many are kept. */
#ifndef SMTPTAP_AGG_SRVNAMES_H
#define SMTPTAP_AGG_SRVNAMES_H

#include <stddef.h>
#include <stdint.h>

#define AGG_NAMES_MAX  8 /* names kept per server from greetings and SNI */
#define AGG_CNAMES_MAX 8 /* and from its certificates */

/* Where a server's name was seen: its greeting, a peer's SNI (a name asked
 * for, which the server need not hold), a certificate it presented (its
 * leaf's names as a client checks them, or covered by one). */
enum { AGG_NAME_BANNER = 1, AGG_NAME_SNI = 2, AGG_NAME_CERT = 4 };

struct agg_server;
struct agg_chain;

/* p (n bytes) seen where src says; a name first seen in a greeting or SNI
 * counts as a certificate's too when a leaf the server presented in full
 * covers it. */
void agg_add_name(struct agg_server *s, const uint8_t *p, size_t n, uint8_t src);

/* The names of chain c's leaf, presented in full for the first time: its
 * subjectAltName dNSNames (its CN only without dNSName and iPAddress SANs,
 * RFC 6125 §6.4.4) added, and the server's names they cover marked. */
void agg_cert_names(struct agg_server *s, const struct agg_chain *c);

#endif /* SMTPTAP_AGG_SRVNAMES_H */
