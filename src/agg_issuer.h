/* \summary: missing_intermediate's issuer found elsewhere in the capture
 * (agg_issuer.c): the certificate another chain sent that issued the top
 * certificate of a chain whose issuer was neither sent nor trusted. */
#ifndef SMTPTAP_AGG_ISSUER_H
#define SMTPTAP_AGG_ISSUER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The missing issuer's certificate as the capture showed it: the first
 * chain (by its earliest session, then server address and port) that sent
 * it, a server's or a client's (mutual TLS). cert 0: none found. */
struct agg_iseen {
    uint32_t cert;    /* certcache id of the issuer's certificate */
    uint32_t server;  /* index into agg.servers of the server whose session carried it */
    uint32_t peer;    /* UINT32_MAX: that server sent it; else its peer (a client chain) */
    int64_t first;    /* that chain's earliest session start (us) */
    bool self_signed; /* a root someone sent, not an intermediate */
    bool trusted;     /* with the chain it is missing from, verifies up to a trusted root */
};

struct agg_chain;
struct agg_set;
struct cert_entry;
struct strbuf;
struct json;

/* The top certificate chain c sent: from the leaf up through the
 * certificates sent whose subject is the issuer of the one below; NULL
 * when not decoded. */
const struct cert_entry *agg_top_cert(const struct agg_chain *c);

/* The certificate of the capture whose subject is top's issuer and whose
 * key verifies top's signature (its key identifiers matching where
 * present), an intermediate rather than a self-signed one, then the first
 * sent; whether, with chain c, it verifies up to a root of the trust store
 * (root: that root's label, "" none). False when none was sent. */
bool agg_issuer_find(const struct agg_chain *c, const struct cert_entry *top, struct agg_iseen *out,
                     char *root, size_t rn);
/* "72.167.102.91:443", "this server itself in other sessions", "the client
 * 198.51.100.10 of 192.0.2.25:25" (si: the finding's server, UINT32_MAX
 * none). */
void agg_issuer_sender(struct strbuf *b, const struct agg_iseen *is, uint32_t si);
/* Each chain of chains (a missing_intermediate finding's, chains of
 * server si) looked up on its own, the first's answer given (agg_issuer_find
 * for it, not made again); those found kept for agg_issuer_of. Servers
 * are taken in order (si ascending) in a computation of the findings. */
void agg_issuer_chains(uint32_t si, const struct agg_set *chains, const struct agg_iseen *first);
/* The issuer found of chain chain of server si (agg_issuer_chains), NULL
 * when none was (or the chain lacks none). */
const struct agg_iseen *agg_issuer_of(uint32_t si, uint32_t chain);
/* Lets those found go: before a computation of the findings, after a
 * snapshot's report, at the end. */
void agg_issuer_forget(void);
/* The summary's words for the issuers found of chains other than the
 * first whose certificate is not the first's: "; of the other chains'
 * issuers, this capture holds SUBJECT (SHA-1 1234ABCD, until 2031-05-03),
 * sent by 192.0.2.26:25" (up to 2, then ", and more"); nothing when none. */
void agg_issuer_others(struct strbuf *b, uint32_t si, const struct agg_set *chains);
/* The finding record's "issuer_seen" object. */
void agg_issuer_json(struct json *j, const struct agg_iseen *is);
/* Its "issuers_seen" array: with two chains or more, one object per chain
 * whose issuer was found, in the order of its "certificates" (that
 * chain's leaf as "certificate", then issuer_seen's keys); nothing when
 * one chain or no issuer found. */
void agg_issuer_json_chains(struct json *j, uint32_t si, const struct agg_set *chains);
/* Lets the index of sent certificates go (made at the first lookup of a
 * computation of the findings). */
void agg_issuer_done(void);

#endif /* SMTPTAP_AGG_ISSUER_H */
