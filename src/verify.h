/* \summary: chain verification against the trust store, with only the
 * certificates the peer sent (no intermediates cached across sessions),
 * at a given time, as a server's or a client's chain; every error is
 * collected and classified. */
#ifndef SMTPTAP_VERIFY_H
#define SMTPTAP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "facts.h"

/* An issuer that was neither sent nor found in the trust store: a root
 * missing from the store, or an intermediate the server did not send
 * (RFC 5246 §7.4.2 and RFC 8446 §4.4.2 let a server omit the root, so the
 * wire alone does not tell). What shows it is a root, if anything. */
enum verify_issuer {
    VERIFY_ISSUER_FOUND = 0,      /* no issuer missing */
    VERIFY_ISSUER_UNKNOWN,        /* nothing shows what it is */
    VERIFY_ISSUER_ROOT_BUNDLE,    /* a root of that name is in the system CA bundle,
                                     which the trust store leaves out (--no-system-ca) */
    VERIFY_ISSUER_ROOT_SAME_NAME, /* the trust store holds a root of that name that
                                     did not sign the chain (renewed, re-keyed) */
    VERIFY_ISSUER_ROOT_RETIRED    /* a public root the CA bundles have dropped
                                     (retired_roots.c: AddTrust External CA Root ...) */
};

struct verify_result {
    int first_error; /* X509_V_ERR_* of the first error, 0 none */
    char first_error_text[96];
    bool expired, not_yet_valid; /* any certificate of the chain at the time */
    bool self_signed;            /* the leaf is self-signed and not trusted */
    bool untrusted_root;         /* the chain ends in a root not in the store */
    bool missing_intermediate;   /* the top certificate's issuer was not sent, is not
                                    trusted, and nothing shows it is a root */
    bool name_constraint_violation;
    bool weak_key, weak_signature;
    bool other_error; /* an error of none of the kinds above */
    /* The issuer of the top certificate sent, neither sent nor in the
     * trust store (OpenSSL's "unable to get local issuer certificate"),
     * and what shows whether it is a root (verify_issuer_evidence). */
    enum verify_issuer issuer_missing;
    /* The untrusted root is a public root the CA bundles have dropped
     * (retired_roots.c), sent (untrusted_root, issuer_missing FOUND) or not
     * (VERIFY_ISSUER_ROOT_RETIRED): what became of it (static), else NULL */
    const char *retired_note;
    /* The untrusted root (untrusted_root); else the issuer not found
     * (issuer_missing) */
    char root_subject[256];
};

/* Builds the store: system bundle unless cfg->no_system_ca, plus --ca-file
 * and --ca-path. Returns 0, or -1 with a message in err. */
int verify_init(const struct config *cfg, char *err, size_t errlen);

/* The trust store, for truststore.c to count right after verify_init
 * (the bundle's and --ca-file's certificates are its objects then; a
 * --ca-path directory is read only when a chain needs it). */
struct x509_store_st;
struct x509_store_st *verify_store(bool *bundle_unreadable);
void verify_fini(void);

/* Whose chain it is. Each is verified as its peer's TLS library does: a
 * server chain with the TLS server purpose (X509_PURPOSE_SSL_SERVER, which
 * an OpenSSL client such as Postfix's or Exim's sets: the leaf's
 * extendedKeyUsage, when present, must allow id-kp-serverAuth, RFC 5280
 * §4.2.1.12, and the CAs' must not exclude it), a client chain (mutual
 * TLS) with the TLS client purpose (X509_PURPOSE_SSL_CLIENT,
 * id-kp-clientAuth). Neither checks a name: that is
 * diagnose.c's, for the server's leaf only. */
enum verify_purpose { VERIFY_SERVER = 0, VERIFY_CLIENT = 1 };

/* Verifies the chain of certificate cache ids (leaf first, as sent) at
 * at_s (seconds since the epoch), for the purpose given. */
void verify_chain(const uint32_t *ids, unsigned n, int64_t at_s, enum verify_purpose purpose,
                  struct verify_result *out);

/* The trust anchor a server chain (ids, leaf first, as sent) verifies up
 * to at at_s, as "subject (SHA-1 1234ABCD, until 2040-01-01)" in label:
 * the root a client that rejected the chain lacks (case 1). False, label
 * empty, when the chain does not verify. Not cached: for a finding's text. */
bool verify_anchor(const uint32_t *ids, unsigned n, int64_t at_s, char *label, size_t ln);

/* Results computed / served from the cache (for the benchmark notes). */
void verify_counters(uint64_t *computed, uint64_t *cached);

/* Below what current guidance accepts (NIST SP 800-57, CA/B Forum): an
 * RSA or DSA key under 2048 bits, EC under 224; an MD5 or SHA-1 signature on
 * a certificate that is not self-signed. */
struct x509_info;
bool verify_key_weak(const struct x509_info *x);
bool verify_sig_weak(const struct x509_info *x);

/* The digest of a weak signature (verify_sig_weak): VERIFY_WEAK_MD5 or
 * VERIFY_WEAK_SHA1, 0 for a signature that is not weak. */
enum { VERIFY_WEAK_MD5 = 1, VERIFY_WEAK_SHA1 = 2 };
unsigned verify_sig_weak_hash(const struct x509_info *x);
/* "MD5", "SHA-1", "MD5 and SHA-1" for a set of VERIFY_WEAK_ bits; NULL for
 * none (a digest OpenSSL found too weak that neither names). */
const char *verify_weak_hash_name(unsigned hashes);

/* Whether a certificate signed with SHA-1 was accepted at at_s (seconds
 * since the epoch), as the CA/Browser Forum's Baseline Requirements and the
 * browsers had it then: issued before 2016-01-01 (BR 7.1.3: no SHA-1
 * subscriber certificate after 2015), and judged before 2017-01-01 (Chrome
 * 56 and Firefox 51 distrusted SHA-1 certificates in January 2017). MD5 was
 * never accepted so late: false for it, and for a signature not weak. */
bool verify_sha1_accepted_at(const struct x509_info *x, int64_t at_s);
#define VERIFY_SHA1_ISSUED_UNTIL  1451606400 /* 2016-01-01T00:00:00Z */
#define VERIFY_SHA1_TRUSTED_UNTIL 1483228800 /* 2017-01-01T00:00:00Z */

#endif /* SMTPTAP_VERIFY_H */
