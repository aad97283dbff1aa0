/* \summary: the signature and validity pass of chain verification (RFC 5280
 * §6.1.3 (a)(1)-(2), §6.1.4 (n)), run by X509_verify_cert in place of
 * OpenSSL's own pass, with one difference: a CA certificate's signature by
 * its issuer, once it verified, is not checked again while both
 * certificates stay in memory. Every chain with a new leaf under the same
 * intermediate and trusted root then costs one public-key operation instead
 * of two (issue 5: about half of a new leaf's cost).
 *
 * The pass follows OpenSSL 3.0's (crypto/x509/x509_vfy.c, internal_verify)
 * step by step, so the verification callback sees the same errors, depths
 * and certificates in the same order: from the top of the built chain down,
 * for each certificate, the issuer's key usage, the signature, then the
 * validity period at the verification time, then a success call. The top
 * certificate's own signature is not checked unless it is self-signed and
 * X509_V_FLAG_CHECK_SS_SIGNATURE is set. DANE (bare trust-anchor keys) is
 * never used by smtptap, so its branch is absent; a chain with a certificate
 * whose extensions OpenSSL found invalid goes to OpenSSL's own pass. Dates
 * are compared as X509_cmp_time compares them, without its round trip
 * through text (vsig_cmp_time).
 *
 * Memo entries hold a reference on both certificates: a pointer cannot be
 * reused for another certificate while its entry exists. Only successes are
 * remembered (a failure may be an allocation failure, and costs nothing to
 * repeat on the rare chains that fail), and only for CA subjects (a leaf
 * repeats through the chain cache of verify.c, not here). */
#include "verify_sig.h"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <time.h>

#include "x509_sigcheck.h"

#define VSIG_SETS 64
#define VSIG_WAYS 4

struct vsig_pair {
    X509 *subject, *issuer; /* held references; NULL when free */
    uint64_t stamp;         /* last use, for replacement */
};

static struct {
    bool memo;
    X509_STORE_CTX_verify_fn openssl; /* OpenSSL's own pass, for fallbacks */
    struct vsig_pair pairs[VSIG_SETS * VSIG_WAYS];
    uint64_t clock, checked, remembered;
} vs;

void
verify_sig_init(bool memo)
{
    verify_sig_fini();
    vs.memo = memo;
}

void
verify_sig_fini(void)
{
    x509_sigcheck_fini();
    for (unsigned i = 0; i < VSIG_SETS * VSIG_WAYS; i++) {
        X509_free(vs.pairs[i].subject);
        X509_free(vs.pairs[i].issuer);
    }
    memset(&vs, 0, sizeof(vs));
}

void
verify_sig_counters(uint64_t *checked, uint64_t *remembered)
{
    *checked = vs.checked;
    *remembered = vs.remembered;
}

static struct vsig_pair *
vsig_set(const X509 *subject, const X509 *issuer)
{
    uint64_t h = ((uintptr_t)subject >> 4) * 0x9e3779b97f4a7c15ull;
    h ^= ((uintptr_t)issuer >> 4) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 31;
    return &vs.pairs[(h % VSIG_SETS) * VSIG_WAYS];
}

static bool
vsig_known(const X509 *subject, const X509 *issuer)
{
    struct vsig_pair *set = vsig_set(subject, issuer);
    for (unsigned w = 0; w < VSIG_WAYS; w++)
        if (set[w].subject == subject && set[w].issuer == issuer) {
            set[w].stamp = ++vs.clock;
            return true;
        }
    return false;
}

/* Remembers a verified pair in a free way of its set, or in place of the
 * least recently used one. */
static void
vsig_remember(X509 *subject, X509 *issuer)
{
    struct vsig_pair *set = vsig_set(subject, issuer);
    struct vsig_pair *v = &set[0];
    for (unsigned w = 0; w < VSIG_WAYS; w++) {
        if (!set[w].subject) {
            v = &set[w];
            break;
        }
        if (set[w].stamp < v->stamp)
            v = &set[w];
    }
    if (!X509_up_ref(subject))
        return;
    if (!X509_up_ref(issuer)) {
        X509_free(subject);
        return;
    }
    X509_free(v->subject);
    X509_free(v->issuer);
    v->subject = subject;
    v->issuer = issuer;
    v->stamp = ++vs.clock;
}

/* X509_verify(subject, issuer's key) > 0, from the memo when known. */
static bool
vsig_signature_ok(X509 *subject, X509 *issuer, EVP_PKEY *key, int depth)
{
    bool ca = depth > 0;
    if (ca && vsig_known(subject, issuer)) {
        vs.remembered++;
        return true;
    }
    vs.checked++;
    if (x509_sigcheck(subject, key) <= 0) /* X509_verify's answer */
        return false;
    if (ca)
        vsig_remember(subject, issuer);
    return true;
}

/* Reports err at depth on cert to the callback, as OpenSSL does; returns
 * the callback's verdict (0 stops verification). */
static int
vsig_fail(X509_STORE_CTX *ctx, X509 *cert, int depth, int err)
{
    X509_STORE_CTX_set_error_depth(ctx, depth);
    X509_STORE_CTX_set_current_cert(ctx, cert);
    X509_STORE_CTX_set_error(ctx, err);
    return X509_STORE_CTX_get_verify_cb(ctx)(0, ctx);
}

/* The issuer's key usage must allow signing the subject (RFC 5280 §6.1.4
 * (n); a proxy certificate needs digitalSignature, RFC 3820 §3.8). */
static int
vsig_usage(X509 *issuer, X509 *subject)
{
    if (X509_get_extension_flags(subject) & EXFLAG_PROXY)
        return (X509_get_key_usage(issuer) & X509v3_KU_DIGITAL_SIGNATURE)
                   ? X509_V_OK
                   : X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
    return (X509_get_key_usage(issuer) & X509v3_KU_KEY_CERT_SIGN) ? X509_V_OK
                                                                  : X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
}

/* X509_cmp_time(t, &at): -1 when t <= at, 1 when later, 0 when t is not an
 * RFC 5280 §4.1.2.5 time (YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ, digits checked
 * as OpenSSL does, ranges by ASN1_TIME_to_tm). OpenSSL writes `at` out as an
 * ASN1_TIME with BIO_snprintf and parses it back for every comparison (a
 * sixth of a verification); this compares the broken-down times directly.
 * Outside the years 0-9999, where OpenSSL cannot write `at`, its own. */
static int
vsig_cmp_time(const ASN1_TIME *t, time_t at)
{
    if (at < -62167219200 || at > 253402300799)
        return X509_cmp_time(t, &at);
    int type = ASN1_STRING_type(t), len = ASN1_STRING_length(t);
    const unsigned char *d = ASN1_STRING_get0_data(t);
    if (!(type == V_ASN1_UTCTIME && len == 13) && !(type == V_ASN1_GENERALIZEDTIME && len == 15))
        return 0;
    for (int i = 0; i < len - 1; i++)
        if (d[i] < '0' || d[i] > '9')
            return 0;
    if (d[len - 1] != 'Z')
        return 0;
    int c = ASN1_TIME_cmp_time_t(t, at);
    return c == -2 ? 0 : c <= 0 ? -1 : 1;
}

/* notBefore <= time <= notAfter (RFC 5280 §6.1.3 (a)(2)), at the
 * parameters' time. Returns 0 when the callback stops verification. */
static int
vsig_time(X509_STORE_CTX *ctx, X509 *x, int depth)
{
    const X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(p);
    time_t at;
    if (flags & X509_V_FLAG_USE_CHECK_TIME)
        at = X509_VERIFY_PARAM_get_time(p);
    else if (flags & X509_V_FLAG_NO_CHECK_TIME)
        return 1;
    else
        at = time(NULL);
    int c = vsig_cmp_time(X509_get0_notBefore(x), at);
    if (c == 0 && !vsig_fail(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD))
        return 0;
    if (c > 0 && !vsig_fail(ctx, x, depth, X509_V_ERR_CERT_NOT_YET_VALID))
        return 0;
    c = vsig_cmp_time(X509_get0_notAfter(x), at);
    if (c == 0 && !vsig_fail(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD))
        return 0;
    if (c < 0 && !vsig_fail(ctx, x, depth, X509_V_ERR_CERT_HAS_EXPIRED))
        return 0;
    return 1;
}

/* True when x names itself as its issuer in the way X509_check_issued
 * means it (names, key identifiers, key and signature algorithms), leaving
 * aside the key usage, which is judged in the loop. */
static bool
vsig_self_issued(X509 *x)
{
    int r = X509_check_issued(x, x);
    return r == X509_V_OK || r == X509_V_ERR_KEYUSAGE_NO_CERTSIGN ||
           r == X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
}

/* True when every certificate of the chain has its extensions decoded and
 * valid: then the flags and key usage read through the public API are the
 * ones OpenSSL's pass reads from inside the certificate. Otherwise (and for
 * an empty chain) OpenSSL's own pass runs. */
static bool
vsig_plain(STACK_OF(X509) * chain)
{
    int n = sk_X509_num(chain);
    for (int i = 0; i < n; i++) {
        uint32_t f = X509_get_extension_flags(sk_X509_value(chain, i));
        if (!(f & EXFLAG_SET) || (f & EXFLAG_INVALID))
            return false;
    }
    return n > 0;
}

/* The pass itself (X509_STORE_CTX_verify_fn). */
static int
vsig_verify(X509_STORE_CTX *ctx)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(ctx));
    int n = sk_X509_num(chain) - 1;
    if (!vsig_plain(chain))
        return vs.openssl(ctx);
    X509 *xi = sk_X509_value(chain, n); /* the issuer */
    X509 *xs = xi;                      /* the subject, at depth n */
    X509_STORE_CTX_set_error_depth(ctx, n);
    if (!vsig_self_issued(xi) && !(flags & X509_V_FLAG_PARTIAL_CHAIN)) {
        /* The top was not issued by itself: its issuer is not at hand. */
        if (n > 0) {
            xs = sk_X509_value(chain, --n);
            X509_STORE_CTX_set_error_depth(ctx, n);
        } else if (!vsig_fail(ctx, xi, 0, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)) {
            return 0;
        }
    }
    for (; n >= 0; n--) {
        bool self = xs == xi;
        if (!self || ((flags & X509_V_FLAG_CHECK_SS_SIGNATURE) &&
                      (X509_get_extension_flags(xi) & EXFLAG_SS))) {
            int at = self ? n : n + 1; /* the issuer's depth, for its errors */
            int u = self && !(X509_get_extension_flags(xi) & EXFLAG_CA) ? X509_V_OK
                                                                        : vsig_usage(xi, xs);
            if (u != X509_V_OK && !vsig_fail(ctx, xi, at, u))
                return 0;
            EVP_PKEY *key = X509_get0_pubkey(xi);
            if (!key) {
                if (!vsig_fail(ctx, xi, at, X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY))
                    return 0;
            } else if (!vsig_signature_ok(xs, xi, key, n) &&
                       !vsig_fail(ctx, xs, n, X509_V_ERR_CERT_SIGNATURE_FAILURE)) {
                return 0;
            }
        }
        if (!vsig_time(ctx, xs, n))
            return 0;
        X509_STORE_CTX_set_current_cert(ctx, xs);
        X509_STORE_CTX_set_error_depth(ctx, n);
        if (!X509_STORE_CTX_get_verify_cb(ctx)(1, ctx))
            return 0;
        if (n > 0) {
            xi = xs;
            xs = sk_X509_value(chain, n - 1);
        }
    }
    return 1;
}

void
verify_sig_attach(X509_STORE_CTX *ctx)
{
    X509_STORE_CTX_verify_fn own = X509_STORE_CTX_get_verify(ctx);
    if (!vs.memo || !own)
        return;
    vs.openssl = own;
    X509_STORE_CTX_set_verify(ctx, vsig_verify);
}
