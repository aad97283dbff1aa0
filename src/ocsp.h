/* \summary: a stapled OCSP response (RFC 6960) read with OpenSSL: its
 * status, the single response for the server's leaf (found by CertID with
 * the leaf's issuer from the chain sent, or the trust store), whether its
 * signature is the issuer's or a delegated responder's, and whether it was
 * current when the session's certificates were judged. A response is
 * decoded and its signature checked once per issuer (ocsp.cache_max
 * remembered, least recently used out), so a response stapled in every
 * session, for one leaf or many, is decoded once. */
#ifndef SMTPTAP_OCSP_H
#define SMTPTAP_OCSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Clock skew allowed on thisUpdate and nextUpdate, seconds: as Exim's
 * (EXIM_OCSP_SKEW_SECONDS) and `openssl ocsp -validity_period`'s default. */
#define OCSP_SKEW_S 300

#define OCSP_NO_TIME INT64_MIN

/* What is wrong with a staple, the first that applies (a client that
 * checks it rejects the certificate: Exim's hosts_require_ocsp, Schannel). */
enum ocsp_problem {
    OCSP_PB_NONE = 0,
    OCSP_PB_REVOKED,       /* the leaf's response says revoked */
    OCSP_PB_MALFORMED,     /* not an OCSPResponse (DER), or not a basic response */
    OCSP_PB_STATUS,        /* responseStatus not successful (tryLater, internalError ...) */
    OCSP_PB_OTHER_CERT,    /* no single response for the leaf: another certificate's */
    OCSP_PB_SIGNATURE,     /* the signature does not verify, or its signer is not authorised */
    OCSP_PB_STALE,         /* nextUpdate before the session's time (less the skew) */
    OCSP_PB_NOT_YET_VALID, /* thisUpdate after the session's time (plus the skew) */
    OCSP_PB_CERT_UNKNOWN,  /* certStatus unknown: the responder does not know the leaf */
    /* says revoked, but neither its CertID (matched by serial number alone)
     * nor its signature could be checked: the leaf's issuer is not known
     * (RFC 6960 §3.2: no client takes it as the CA's word). In the order
     * of the problems it is where OCSP_PB_REVOKED is */
    OCSP_PB_REVOKED_UNVERIFIED,
    OCSP_PB_COUNT
};

/* How the signature was judged (ocsp_verdict.signature). */
enum ocsp_sig {
    OCSP_SIG_UNCHECKED = 0, /* not a successful basic response, or the leaf's issuer unknown */
    OCSP_SIG_ISSUER,        /* by the leaf's issuer (RFC 6960 §4.2.2.2) */
    OCSP_SIG_DELEGATED,     /* by a responder certificate the issuer issued, id-kp-OCSPSigning */
    OCSP_SIG_BAD,           /* the signature does not verify with its signer's key */
    OCSP_SIG_UNAUTHORIZED,  /* a signer neither the issuer nor a responder it authorised */
    OCSP_SIG_NO_SIGNER,     /* the responder's certificate is neither in the response nor the
                               leaf's issuer */
    /* a responder certificate the issuer issued, but (§4.2.2.2) without
     * id-kp-OCSPSigning in its extended key usage, or not valid (notBefore,
     * notAfter) at the session's time, with OCSP_SKEW_S (as the clients
     * that check it: OpenSSL, Exim, GnuTLS) */
    OCSP_SIG_RESPONDER_NO_EKU,
    OCSP_SIG_RESPONDER_NOT_VALID
};

struct ocsp_verdict {
    bool present;        /* a staple was judged */
    bool too_large;      /* larger than tls.ocsp_max: not kept, not judged */
    uint32_t length;     /* its bytes */
    const char *error;   /* "malformed", "not_basic"; not judged: "no_memory" (the memcap
                            refused some of it), "no_leaf" (the leaf not decoded); NULL none */
    int status;          /* responseStatus (0 successful, 1 malformedRequest, 2 internalError,
                            3 tryLater, 5 sigRequired, 6 unauthorized); -1 not decoded */
    int cert_status;     /* the leaf's: 0 good, 1 revoked, 2 unknown; -1 no response for it */
    int reason;          /* CRLReason (RFC 5280 §5.3.1) of a revoked leaf, -1 none given */
    int8_t matches_leaf; /* 1 a single response is the leaf's, 0 none, -1 not known */
    uint8_t responses;   /* single responses in it (at most 255 counted) */
    uint8_t signature;   /* enum ocsp_sig */
    uint8_t problem;     /* enum ocsp_problem */
    int64_t produced_at, this_update, next_update, revocation_time; /* s, OCSP_NO_TIME */
    int64_t signer_not_before, signer_not_after; /* a delegated responder's, OCSP_NO_TIME */
    char responder[160]; /* ResponderID: byName (RFC 2253) or "key:" and its SHA-1 in hex */
};

/* The memo of judgements (ocsp.cache_max responses decoded for an issuer,
 * least recently used out). */
int ocsp_init(uint32_t max_entries);
void ocsp_fini(void);

/* Judges the response der (len bytes) for the chain sent (certificate
 * cache ids, the leaf first) at at_s (epoch seconds). Never fails: bytes
 * that are no response give error "malformed". */
void ocsp_judge(const uint8_t *der, size_t len, const uint32_t *chain, unsigned n, int64_t at_s,
                struct ocsp_verdict *out);

/* True when the verdict says something about the staple: not one larger
 * than tls.ocsp_max, nor one whose judgement the memcap cut short, nor one
 * whose leaf was not decoded (its problem is then none: no finding). */
bool ocsp_judged(const struct ocsp_verdict *o);

/* A staple that was not judged (larger than tls.ocsp_max): present,
 * too_large, its length; every field unknown, no problem. */
void ocsp_unjudged(uint32_t len, struct ocsp_verdict *out);

/* Names for the JSON and the report. */
const char *ocsp_status_str(int status);     /* "successful" ...; NULL for -1 */
const char *ocsp_cert_status_str(int cs);    /* "good", "revoked", "unknown"; NULL for -1 */
const char *ocsp_reason_str(int reason);     /* "keyCompromise" ...; NULL for -1 */
const char *ocsp_signature_str(uint8_t sig); /* NULL for OCSP_SIG_UNCHECKED */
const char *ocsp_problem_str(uint8_t pb);    /* "revoked", "stale" ...; NULL for none */
const char *ocsp_problem_text(uint8_t pb);   /* a sentence's words for the findings */

/* Judgements made (decoded) and answered from the memo, for tests. */
void ocsp_counters(uint64_t *decoded, uint64_t *memo_hits);
/* Judgements of a new (leaf, chain) answered from a response decoded
 * before for the same issuer, and the responses kept, for tests. */
void ocsp_counters_response(uint64_t *response_hits, uint32_t *entries);

#endif /* SMTPTAP_OCSP_H */
