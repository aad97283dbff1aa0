/* \summary: findings judged at the sessions' time (split from
 * agg_findings_flags.c): weak_signature's headline, and untrusted_root's
 * evidence:
 * for a root that was not sent, what showed it is a root; for a public root
 * the CA bundles have dropped since (src/retired_roots.c), sent or not (one
 * judgement: was it a public root at the session's time), what the trust
 * store the user chose makes of it. Judged against the system bundle, a
 * chain of an old capture up to a root public at the sessions' time was
 * likely trusted by clients then: low, a fact of today's bundle, not of
 * the server. Judged against a store of the user's own (--no-system-ca with
 * --ca-file or --ca-path), a verifier with exactly that store fails on the
 * chain: high, as any root the store lacks. */
#include "agg_int.h"
#include "strcopy.h"
#include "verify.h"

enum agg_store_kind
agg_store_kind(const struct config *cfg)
{
    if (cfg == NULL || !cfg->no_system_ca)
        return AGG_STORE_SYSTEM; /* the bundle, and any --ca-file added to it */
    return cfg->n_ca_files + cfg->n_ca_paths > 0 ? AGG_STORE_OWN : AGG_STORE_EMPTY;
}

bool
agg_retired_then(const struct agg_flagstat *fs, const struct config *cfg)
{
    return fs->retired_note && fs->retired_then && agg_store_kind(cfg) != AGG_STORE_OWN;
}

void
agg_retired_headline(struct strbuf *b)
{
    str_add(b,
            "presented a chain that ends in a root today's trust store does not contain, but "
            "a public root at the sessions' time",
            NULL);
}

void
agg_root_evidence(struct strbuf *b, const struct agg_flagstat *fs, const struct config *cfg)
{
    /* a retired root the server sent is judged as one it left out: by
     * whether it was public at the sessions' time */
    bool sent = fs->missing_issuer == VERIFY_ISSUER_FOUND;
    bool retired = fs->retired_note && (sent || fs->missing_issuer == VERIFY_ISSUER_ROOT_RETIRED);
    const char *how = sent ? ", sent by the server" : ", not sent by the server";
    if (fs->missing_issuer == VERIFY_ISSUER_ROOT_BUNDLE)
        str_add(b,
                ", not sent by the server; the system CA bundle holds it as a root, the trust "
                "store used does not",
                NULL);
    else if (retired && agg_retired_then(fs, cfg)) /* an old capture: the root was current then */
        str_add(b, how, ": the CA bundles have dropped it since (", fs->retired_note,
                "), so the chain was likely trusted by clients then; to judge it as they did, "
                "give the root with --ca-file",
                NULL);
    else if (retired && fs->retired_then) /* the user's own store lacks it */
        str_add(b, how,
                ": a public root at the sessions' time, which the CA bundles have dropped since (",
                fs->retired_note,
                "); the trust store given (--no-system-ca with --ca-file or --ca-path) does not "
                "hold it, so a verifier with that store fails on this chain",
                NULL);
    else if (retired)
        str_add(b, how, ": a public root the CA bundles no longer hold (", fs->retired_note,
                sent ? "), so a client without it fails; have the server send a chain that leads "
                       "to a current root"
                     : "), so a client without it fails; have the server send a chain that leads "
                       "to a current root (leave out the cross-signed intermediate that leads to "
                       "this one)",
                NULL);
    else if (fs->missing_issuer == VERIFY_ISSUER_ROOT_SAME_NAME)
        str_add(b,
                ", not sent by the server; the trust store holds a root of that name, but not "
                "the one that signed this chain (a renewed or re-keyed root)",
                NULL);
}

void
agg_weak_sig_headline(struct strbuf *b, const struct agg_flagstat *fs, bool then)
{
    const char *h = verify_weak_hash_name(fs->sig_hashes);
    str_add(b, "presented a certificate signed with ", h ? h : "a digest OpenSSL finds too weak",
            NULL);
    if (then) /* every one SHA-1, issued before 2016 and judged before 2017 */
        str_add(b,
                ", which clients accepted at the sessions' time (CAs issued SHA-1 TLS "
                "certificates until 2016-01-01, browsers distrusted them in January 2017); "
                "today's clients refuse it: a certificate served now needs SHA-256",
                NULL);
    else
        str_add(b, "; reissue it with SHA-256", NULL);
}
