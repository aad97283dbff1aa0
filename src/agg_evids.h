/* \summary: the distinct evidences of a flag's sessions and the texts made
 * of them (agg_evids.c, agg_rejects.c), split from agg_int.h, which
 * includes it after the types these use: include agg_int.h, not this. */
#ifndef SMTPTAP_AGG_EVIDS_H
#define SMTPTAP_AGG_EVIDS_H

/* The distinct evidences of a flag's sessions (agg_evids.c): a session's
 * noted (text: its evidence; name_mismatch: name, its enum name_source and
 * the leaf's certificate id, else NULL, 0, UINT32_MAX); whether there are
 * several; every one (the first 4 sorted, and how many more) with its
 * sessions, and its peers when asked: "names checked: a (from sni):
 * PEERS (2 sessions); b (from sni): PEER (1 session); the certificate is
 * for ..."; the DNS names a leaf covers ("a, b"). */
void agg_evid_note(struct agg_flagstat *fs, const char *text, const char *name, int source,
                   uint32_t leaf, uint32_t peer, uint16_t rport);
/* name_mismatch: of its sessions, those resumed (rport given to
 * agg_evid_note: the port of this address the leaf they resumed was sent
 * on, resume.c), and where that was: "on 192.0.2.25:25", "in an earlier
 * session on 192.0.2.25:587", "on 192.0.2.25:25 and 192.0.2.25:465, and in
 * earlier sessions on 192.0.2.25:587". */
uint64_t agg_evids_resumed(const struct agg_flagstat *fs);
/* The name of its first kept evidence, NULL none (name_mismatch). */
const char *agg_evids_name(const struct agg_flagstat *fs);
void agg_evids_rsent(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs);
/* client_rejected_certificate's: the same, with the alert's code (-1
 * encrypted), up to AGG_EVIDS_REJ_MAX pairs. */
void agg_evid_note_alert(struct agg_flagstat *fs, const char *text, int code, uint32_t leaf,
                         uint32_t peer);
/* client_rejected_certificate's JSON: "rejected_certificates", one object
 * per certificate (sha256 null: not seen) with its sessions and alerts,
 * "rejected_certificates_not_itemised" past the cap; and, when some of
 * them could not see the chain (TLS 1.3), "inferred_certificates": the
 * chains this server presented in other sessions (agg_evids.c). */
void agg_evids_rejects_json(struct json *j, const struct agg_server *s,
                            const struct agg_flagstat *fs);
/* The same inference in words, after the summary: "; in 1 session the
 * chain was encrypted (TLS 1.3); inferred, not seen: this server presented
 * CN=X (SHA-1 .., until ..) in 3 other sessions"; nothing when every
 * session showed its chain or the server showed none. */
void agg_evids_inferred_text(struct strbuf *b, const struct agg_server *s,
                             const struct agg_flagstat *fs);
/* Whether some sessions could not see their chain and the chains this
 * server presented are 2 or 3, each among the finding's certificates
 * (named in its summary): the summary's list says "one of those above,
 * inferred" of them (inferred_certificates in the JSON names them). */
bool agg_evids_inferred_above(const struct agg_server *s, const struct agg_flagstat *fs);
/* Copies an evidence into dst[n]: whole, or cut to fit ending in "..."
 * (never cut silently: a cut subject or list read as a whole one). */
void agg_evid_copy(char *dst, size_t n, const char *src);
bool agg_evids_many(const struct agg_flagstat *fs);
void agg_evids_text(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs,
                    int flag, bool peers);
/* client_rejected_certificate's: each certificate with its alerts, each
 * alert with its sessions (and peers when asked), the first 4 and how many
 * more: "the client rejected the server certificate CN=A with
 * bad_certificate (42) from PEERS (2 sessions), unknown_ca (48) from PEER
 * (1 session); ... CN=B ..." (agg_evids.c). With peers (the summary, whose
 * headline says the certificate was rejected and whose certificates give
 * each one's SHA-1 and validity): "CN=A with ..." (the SHA-1 only when
 * two certificates share a subject); above (agg_evids_inferred_above): the
 * sessions whose chain was encrypted said to have had "one of those
 * above, inferred". The list is cut ("...") to leave reserve bytes of b to
 * what follows it. */
void agg_evids_alerts_text(struct strbuf *b, const struct agg_server *s,
                           const struct agg_flagstat *fs, bool peers, size_t reserve, bool above);
void agg_evids_free(struct agg_flagstat *fs);
/* name_mismatch: how many distinct names its sessions checked, and where
 * they came from: a bit (1u << enum name_source) per source seen (0 when
 * no name is known). */
void agg_evids_names(const struct agg_flagstat *fs, unsigned *names, unsigned *sources);
void agg_leaf_names(struct strbuf *b, uint32_t leaf_id, size_t max);
/* name_mismatch's evidence of one name on one leaf: "name checked: NAME
 * (from SOURCE); the certificate is for a, b, and 3 more" and, when a
 * wildcard of it seems to cover the name, why it does not ("; *.b.example
 * covers one label only (RFC 6125 §6.4.3): x.y.b.example has two there").
 * Whether a flag's kept evidences carry a name checked. */
void agg_nm_text(struct strbuf *b, const char *name, int source, uint32_t leaf);

/* agg_evids.c, for agg_session: the leaf a session's name was checked
 * against (its chain's, or the resumed handshake's; UINT32_MAX); what a
 * certificate flag's finding quotes from its first session; the server's
 * reply to STARTTLS ("STARTTLS answered 454 ..."). */
uint32_t agg_leaf_id(const struct tls_facts *t);
void agg_evidence(enum agg_flag flag, const struct diagnosis *dg, const struct tls_facts *t,
                  char *ev, size_t n);
void agg_reply_evidence(const struct smtp_facts *sm, char *ev, size_t n);
bool agg_evids_named(const struct agg_flagstat *fs);
/* starttls_rejected: whether the reply codes its sessions got ("STARTTLS
 * answered 454 ...", agg_reply_evidence) are all known, and which: bit 0 a
 * 454, bit 1 a 500, bit 2 a 502, bit 3 any other code. */
bool agg_evids_codes(const struct agg_flagstat *fs, unsigned *seen);
/* client_rejected_certificate: the alert code every one of its sessions
 * got (-1 encrypted), -2 when they differ or some were not kept. */
int agg_evids_alert_code(const struct agg_flagstat *fs);

#endif /* SMTPTAP_AGG_EVIDS_H */
