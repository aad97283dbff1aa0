/* \summary: chain verification (RFC 5280 §6) with OpenSSL's X509_STORE_CTX,
 * using only the certificates the peer sent plus the trust store, at the
 * session's time; a client's chain (mutual TLS) with the TLS client purpose
 * (RFC 5280 §4.2.1.12 id-kp-clientAuth). A callback keeps going after each
 * error so one pass finds them all. Results are cached per (chain, purpose,
 * hour) when no certificate of the
 * chain changes validity inside that hour, so each distinct chain is
 * verified about once, and a new chain under a known intermediate checks
 * the intermediate's signature from verify_sig.c's memo (issue 5). An
 * issuer neither sent nor in the store is a root only where something shows
 * it (verify_issuer_evidence): a server may omit the root (RFC 5246 §7.4.2,
 * RFC 8446 §4.4.2) as much as forget an intermediate. */
#include "verify.h"
#include "retired_roots.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundleroots.h"
#include "certcache.h"
#include "mem.h"
#include "verify_sig.h"
#include "x509.h"
#include "x509_decode.h"
#include "x509_sigcheck.h"

#define VERIFY_CACHE_SLOTS 4096
#define VERIFY_CACHE_WAYS  8
#define VERIFY_BUCKET_S    3600
#define VERIFY_TIMES       16 /* trust store certificates whose times are kept */

struct verify_slot {
    bool used;
    uint64_t stamp; /* last use, for replacement */
    uint32_t ids[FACTS_CHAIN_MAX];
    unsigned n;
    enum verify_purpose purpose; /* one chain's results differ by purpose */
    int64_t bucket;
    struct verify_result res;
};

static struct {
    X509_STORE *store;
    bool bundle_unreadable; /* the system bundle could not be loaded */
    struct verify_slot *cache;
    uint64_t computed, cached, clock;
    struct verify_result *cur; /* the result the callback fills */
    struct {                   /* validity of the trust store's certificates, by object */
        const X509 *x;         /* (they live as long as the store) */
        int64_t nb, na;
        bool ok;
    } times[VERIFY_TIMES];
    X509 *top;         /* the certificate whose issuer was not found (callback to pass end) */
    bool bundle_apart; /* the system bundle is not in the store (--no-system-ca) */
    bool roots_read;   /* then the names of its roots were read (bundleroots.c) */
} vf;

static int verify_load(const struct config *cfg, char *err, size_t errlen);

int
verify_init(const struct config *cfg, char *err, size_t errlen)
{
    memset(&vf, 0, sizeof(vf));
    bundleroots_reset();
    vf.bundle_apart = cfg->no_system_ca;
    vf.store = X509_STORE_new();
    if (!vf.store) {
        snprintf(err, errlen,
                 "cannot create the trust store (out of memory: is the memcap too small?)");
        return -1;
    }
    x509_decode_begin(); /* the PEM files' certificates decode the fast way too */
    int rc = verify_load(cfg, err, errlen);
    x509_decode_end();
    if (rc != 0) {
        verify_fini();
        return -1;
    }
    ERR_clear_error();
    vf.cache = calloc(VERIFY_CACHE_SLOTS, sizeof(*vf.cache));
    verify_sig_init(!config_env_off("SMTPTAP_SIGNATURE_MEMO"));
    return 0;
}

/* One --ca-file (PEM: X509_STORE_load_file reads no other form). What the
 * admin can act on when it fails: the system's words for a path that is
 * not there or not readable, a directory (that is --ca-path), and a DER
 * file, the default form of a certificate exported from Windows (.cer). */
static int
verify_load_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (f == NULL || fstat(fileno(f), &sb) != 0) {
        snprintf(err, errlen, "--ca-file %s: %s", path, strerror(errno));
        if (f != NULL)
            fclose(f);
        return -1;
    }
    int first = S_ISDIR(sb.st_mode) ? EOF : fgetc(f);
    fclose(f);
    if (S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "--ca-file %s: is a directory (a hashed CA directory is --ca-path)",
                 path);
        return -1;
    }
    if (X509_STORE_load_file(vf.store, path) == 1)
        return 0;
    ERR_clear_error();
    if (first == 0x30) /* an ASN.1 SEQUENCE: DER, not PEM */
        snprintf(err, errlen,
                 "--ca-file %s: no PEM certificate in it; it looks like DER (a Windows .cer "
                 "export): convert it with openssl x509 -inform DER -in %s -out ca.pem",
                 path, path);
    else
        snprintf(err, errlen, "--ca-file %s: no PEM certificate could be loaded from it", path);
    return -1;
}

/* The trust store: the system bundle, then --ca-file and --ca-path. */
static int
verify_load(const struct config *cfg, char *err, size_t errlen)
{
    if (!cfg->no_system_ca) {
        /* The system bundle, loaded once into memory (SSL_CERT_FILE or
         * OpenSSL's default file). Not the hashed directory: its lookups
         * stat() files on every chain that does not verify. */
        const char *bundle = getenv(X509_get_default_cert_file_env());
        if (!bundle || !*bundle)
            bundle = X509_get_default_cert_file();
        vf.bundle_unreadable = X509_STORE_load_file(vf.store, bundle) != 1;
        if (vf.bundle_unreadable)
            ERR_clear_error(); /* no system bundle: only the given files count */
    }
    for (unsigned i = 0; i < cfg->n_ca_files; i++)
        if (verify_load_file(cfg->ca_files[i], err, errlen) != 0)
            return -1;
    for (unsigned i = 0; i < cfg->n_ca_paths; i++) {
        /* OpenSSL only looks in the directory when a chain needs an issuer:
         * a missing or unreadable one would fail silently, run after run */
        struct stat sb;
        const char *p = cfg->ca_paths[i];
        if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(p, R_OK | X_OK) != 0 ||
            X509_STORE_load_path(vf.store, p) != 1) {
            snprintf(err, errlen, "--ca-path %s: not a readable directory", p);
            return -1;
        }
    }
    return 0;
}

X509_STORE *
verify_store(bool *bundle_unreadable)
{
    *bundle_unreadable = vf.bundle_unreadable;
    return vf.store;
}

void
verify_fini(void)
{
    verify_sig_fini(); /* before the store: it holds references to its roots */
    X509_STORE_free(vf.store);
    retired_roots_free();
    free(vf.cache);
    memset(&vf, 0, sizeof(vf));
}

void
verify_counters(uint64_t *computed, uint64_t *cached)
{
    *computed = vf.computed;
    *cached = vf.cached;
}

static void
verify_subject(X509 *x, char *out, size_t n)
{
    x509_name_copy(X509_get_subject_name(x), out, n);
}

static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct verify_result *r = vf.cur;
    if (ok || !r)
        return 1;
    int e = X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
    if (!r->first_error) {
        r->first_error = e;
        snprintf(r->first_error_text, sizeof(r->first_error_text), "%s",
                 X509_verify_cert_error_string(e));
    }
    switch (e) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        r->expired = true;
        break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        r->not_yet_valid = true;
        break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        r->self_signed = true;
        break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        r->untrusted_root = true;
        if (cur) {
            verify_subject(cur, r->root_subject, sizeof(r->root_subject));
            /* a retired public root the server sent: judged as one it
             * left out (verify_issuer_evidence), by when it was public */
            r->retired_note = retired_root_note(X509_get_subject_name(cur));
        }
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        /* The top certificate sent (the leaf, or the last intermediate
         * that chains to it) names an issuer that was neither sent nor is
         * in the store: a root the store lacks, or an intermediate the
         * server did not send. Judged when the pass ends
         * (verify_issuer_evidence). */
        r->issuer_missing = VERIFY_ISSUER_UNKNOWN;
        if (cur) {
            x509_name_copy(X509_get_issuer_name(cur), r->root_subject, sizeof(r->root_subject));
            if (!vf.top && X509_up_ref(cur) == 1)
                vf.top = cur;
        }
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        /* The chain reached a certificate of the store that is not
         * self-signed, whose issuer the store lacks: the store's gap. */
        if (depth == 0) {
            r->missing_intermediate = true;
        } else {
            r->untrusted_root = true;
            if (cur)
                x509_name_copy(X509_get_issuer_name(cur), r->root_subject, sizeof(r->root_subject));
        }
        break;
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
        r->name_constraint_violation = true;
        break;
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
        r->weak_key = true;
        break;
    case X509_V_ERR_CA_MD_TOO_WEAK:
        r->weak_signature = true;
        break;
    default:
        r->other_error = true;
        break;
    }
    return 1; /* keep going: collect every error */
}

/* Whether the system bundle holds a root named nm. Its roots' names are
 * read the first time one is asked for (bundleroots.c: no allocation the
 * memcap or memory_peak would see, whatever the machine's bundle holds). */
static bool
verify_bundle_has_root(const X509_NAME *nm)
{
    if (!vf.roots_read) {
        const char *bundle = getenv(X509_get_default_cert_file_env());
        if (!bundle || !*bundle)
            bundle = X509_get_default_cert_file();
        (void)bundleroots_load(bundle); /* unreadable: no root known */
        vf.roots_read = true;
    }
    const unsigned char *der = NULL;
    size_t len = 0;
    return X509_NAME_get0_der(nm, &der, &len) == 1 && bundleroots_has(der, len);
}

/* Whether the store holds a root named nm: one that did not sign the
 * chain, or it would have been found (a renewed or re-keyed root). */
static bool
verify_store_has_root(X509_STORE_CTX *ctx, const X509_NAME *nm)
{
    STACK_OF(X509) *sk = X509_STORE_CTX_get1_certs(ctx, nm);
    bool found = false;
    for (int i = 0; sk != NULL && i < sk_X509_num(sk) && !found; i++)
        found = X509_self_signed(sk_X509_value(sk, i), 0) == 1;
    sk_X509_pop_free(sk, X509_free);
    ERR_clear_error();
    return found;
}

/* The top certificate's issuer was neither sent nor found in the store
 * (OpenSSL's error 20 at any depth). A server may omit the root (RFC 5246
 * §7.4.2, RFC 8446 §4.4.2) or forget an intermediate, and the wire does not
 * tell which: the issuer is called a root only when a root of that name is
 * known (the store holds one with another key, or the system bundle that
 * the store leaves out holds it); else it is a missing issuer, which may be
 * either (missing_intermediate, worded so). */
static void
verify_issuer_evidence(X509_STORE_CTX *ctx, X509 *top, struct verify_result *r)
{
    if (top) {
        const X509_NAME *nm = X509_get_issuer_name(top);
        if (verify_store_has_root(ctx, nm))
            r->issuer_missing = VERIFY_ISSUER_ROOT_SAME_NAME;
        else if (vf.bundle_apart && verify_bundle_has_root(nm))
            r->issuer_missing = VERIFY_ISSUER_ROOT_BUNDLE;
        else if ((r->retired_note = retired_root_note(nm)) != NULL)
            r->issuer_missing = VERIFY_ISSUER_ROOT_RETIRED; /* no bundle holds it now */
    }
    if (r->issuer_missing == VERIFY_ISSUER_UNKNOWN)
        r->missing_intermediate = true;
    else
        r->untrusted_root = true;
}

/* Key sizes and digests below what current guidance accepts (NIST SP
 * 800-57 / CA/B Forum: RSA and DSA >= 2048, EC >= 224; no MD5 or SHA-1
 * signatures on certificates other than trust anchors). */
bool
verify_key_weak(const struct x509_info *x)
{
    return ((!strcmp(x->key_type, "RSA") || !strcmp(x->key_type, "RSA-PSS") ||
             !strcmp(x->key_type, "DSA")) &&
            x->key_bits < 2048) ||
           (!strcmp(x->key_type, "EC") && x->key_bits < 224);
}

unsigned
verify_sig_weak_hash(const struct x509_info *x)
{
    if (x->self_signed)
        return 0;
    if (strstr(x->sig_alg, "md5") || strstr(x->sig_alg, "MD5"))
        return VERIFY_WEAK_MD5;
    if (strstr(x->sig_alg, "sha1With") || !strcmp(x->sig_alg, "dsaWithSHA1") ||
        !strcmp(x->sig_alg, "ecdsa-with-SHA1"))
        return VERIFY_WEAK_SHA1;
    return 0;
}

bool
verify_sig_weak(const struct x509_info *x)
{
    return verify_sig_weak_hash(x) != 0;
}

const char *
verify_weak_hash_name(unsigned hashes)
{
    switch (hashes & (VERIFY_WEAK_MD5 | VERIFY_WEAK_SHA1)) {
    case VERIFY_WEAK_MD5:
        return "MD5";
    case VERIFY_WEAK_SHA1:
        return "SHA-1";
    case VERIFY_WEAK_MD5 | VERIFY_WEAK_SHA1:
        return "MD5 and SHA-1";
    default:
        return NULL;
    }
}

bool
verify_sha1_accepted_at(const struct x509_info *x, int64_t at_s)
{
    return verify_sig_weak_hash(x) == VERIFY_WEAK_SHA1 &&
           x->not_before < VERIFY_SHA1_ISSUED_UNTIL && at_s < VERIFY_SHA1_TRUSTED_UNTIL;
}

static void
verify_strength(const uint32_t *ids, unsigned n, struct verify_result *r)
{
    for (unsigned i = 0; i < n; i++) {
        const struct cert_entry *e = certcache_get(ids[i]);
        if (!e || e->info.parse_error)
            continue;
        r->weak_key |= verify_key_weak(&e->info);
        r->weak_signature |= verify_sig_weak(&e->info);
    }
}

/* True when no certificate's validity starts or ends inside the bucket. */
static bool
verify_times_stable(int64_t nb, int64_t na, int64_t b)
{
    return !((nb > b && nb <= b + VERIFY_BUCKET_S) || (na >= b && na < b + VERIFY_BUCKET_S));
}

static bool
verify_bucket_stable(const uint32_t *ids, unsigned n, int64_t b)
{
    for (unsigned i = 0; i < n; i++) {
        const struct cert_entry *e = certcache_get(ids[i]);
        if (!e || e->info.parse_error)
            return false;
        if (!verify_times_stable(e->info.not_before, e->info.not_after, b))
            return false;
    }
    return true;
}

/* A trust store certificate's validity as seconds (parsed once per object:
 * ASN1 times cost thousands of instructions each to read, and the same
 * root ends every chain); false when a time cannot be read. */
static bool
verify_store_times(const X509 *x, int64_t *nb, int64_t *na)
{
    unsigned i = (unsigned)(((uintptr_t)x >> 4) % VERIFY_TIMES);
    if (vf.times[i].x != x) {
        struct tm a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        vf.times[i].ok = ASN1_TIME_to_tm(X509_get0_notBefore(x), &a) == 1 &&
                         ASN1_TIME_to_tm(X509_get0_notAfter(x), &b) == 1;
        vf.times[i].nb = vf.times[i].ok ? (int64_t)timegm(&a) : 0;
        vf.times[i].na = vf.times[i].ok ? (int64_t)timegm(&b) : 0;
        vf.times[i].x = x;
    }
    *nb = vf.times[i].nb;
    *na = vf.times[i].na;
    return vf.times[i].ok;
}

/* Whether the certificates of the trust store in the chain OpenSSL built
 * (the root, a stored intermediate) keep their validity through the hour
 * b, as verify_bucket_stable asks of the sent ones (leaf and untrusted,
 * skipped here): a trusted root that expires within the hour changes the
 * verdict there. */
static bool
verify_built_stable(X509_STORE_CTX *ctx, const X509 *leaf, STACK_OF(X509) * sent, int64_t b)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
        const X509 *x = sk_X509_value(chain, i);
        bool was_sent = x == leaf;
        for (int k = 0; !was_sent && sent != NULL && k < sk_X509_num(sent); k++)
            was_sent = x == sk_X509_value(sent, k);
        if (was_sent)
            continue;
        int64_t nb, na;
        if (!verify_store_times(x, &nb, &na) || !verify_times_stable(nb, na, b))
            return false;
    }
    return true;
}

/* The slot holding (ids, purpose, b), or the one to fill: VERIFY_CACHE_WAYS
 * consecutive slots are probed, and a miss takes an empty one or the least
 * recently used. (Direct-mapped, two chains in use that shared a slot
 * evicted each other on every session: 6 500 verifications instead of about
 * 1 000 on the bench's dense capture.) */
static struct verify_slot *
verify_slot(const uint32_t *ids, unsigned n, enum verify_purpose purpose, int64_t b, bool *hit)
{
    *hit = false;
    if (!vf.cache)
        return NULL;
    uint64_t h = ((uint64_t)b ^ ((uint64_t)purpose << 62)) * 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ ids[i]) * 0xff51afd7ed558ccdull;
    h ^= h >> 33; /* final avalanche: ids are small consecutive numbers */
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    uint32_t i0 = (uint32_t)(h % VERIFY_CACHE_SLOTS);
    struct verify_slot *victim = NULL;
    for (unsigned w = 0; w < VERIFY_CACHE_WAYS; w++) {
        struct verify_slot *s = &vf.cache[(i0 + w) % VERIFY_CACHE_SLOTS];
        if (s->used && s->n == n && s->purpose == purpose && s->bucket == b &&
            memcmp(s->ids, ids, n * sizeof(ids[0])) == 0) {
            *hit = true;
            s->stamp = ++vf.clock;
            return s;
        }
        if (!victim || (victim->used && (!s->used || s->stamp < victim->stamp)))
            victim = s;
    }
    return victim;
}

void
verify_chain(const uint32_t *ids, unsigned n, int64_t at_s, enum verify_purpose purpose,
             struct verify_result *out)
{
    memset(out, 0, sizeof(*out));
    if (n > FACTS_CHAIN_MAX)
        n = FACTS_CHAIN_MAX;
    const struct cert_entry *le = n ? certcache_get(ids[0]) : NULL;
    if (!le || le->info.parse_error || !vf.store) {
        out->first_error = X509_V_ERR_UNSPECIFIED;
        snprintf(out->first_error_text, sizeof(out->first_error_text),
                 "the certificate could not be parsed");
        out->other_error = true;
        return;
    }
    int64_t bucket = at_s - (at_s % VERIFY_BUCKET_S + VERIFY_BUCKET_S) % VERIFY_BUCKET_S;
    bool cacheable = verify_bucket_stable(ids, n, bucket);
    bool hit = false;
    struct verify_slot *slot = cacheable ? verify_slot(ids, n, purpose, bucket, &hit) : NULL;
    if (hit) {
        *out = slot->res;
        vf.cached++;
        return;
    }
    vf.computed++;
    uint64_t cap_hits = mem_cap_hits();
    X509 *leaf = certcache_x509(ids[0]); /* a reference, released below */
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    /* the DER of each, for the signature checks (x509_sigcheck.c) */
    X509 *held[FACTS_CHAIN_MAX];
    const uint8_t *der[FACTS_CHAIN_MAX];
    uint32_t der_len[FACTS_CHAIN_MAX];
    unsigned n_held = 0;
    for (unsigned i = 0; i < n && untrusted; i++) {
        X509 *x = i == 0 ? leaf : certcache_x509(ids[i]);
        if (i > 0 && x && !sk_X509_push(untrusted, x)) {
            X509_free(x);
            x = NULL;
        }
        if (x) {
            const struct cert_entry *e = certcache_get(ids[i]);
            held[n_held] = x;
            der[n_held] = e->der;
            der_len[n_held++] = e->der_len;
        }
    }
    x509_sigcheck_chain(held, der, der_len, n_held);
    X509_STORE_CTX *ctx = leaf ? X509_STORE_CTX_new() : NULL;
    /* each chain as its peer verifies it: libssl's "ssl_server" purpose for
     * a server's (id-kp-serverAuth), "ssl_client" for a client's
     * (id-kp-clientAuth), RFC 5280 §4.2.1.12 */
    if (ctx && X509_STORE_CTX_init(ctx, vf.store, leaf, untrusted) == 1 &&
        X509_STORE_CTX_set_purpose(ctx, purpose == VERIFY_CLIENT ? X509_PURPOSE_SSL_CLIENT
                                                                 : X509_PURPOSE_SSL_SERVER) == 1) {
        X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_time(p, (time_t)at_s);
        X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
        verify_sig_attach(ctx);
        vf.cur = out;
        (void)X509_verify_cert(ctx);
        vf.cur = NULL;
        if (out->issuer_missing != VERIFY_ISSUER_FOUND)
            verify_issuer_evidence(ctx, vf.top, out);
        if (slot && !verify_built_stable(ctx, leaf, untrusted, bucket))
            slot = NULL;
    } else {
        out->first_error = X509_V_ERR_UNSPECIFIED;
        snprintf(out->first_error_text, sizeof(out->first_error_text),
                 "verification could not run");
        out->other_error = true;
    }
    x509_sigcheck_chain(NULL, NULL, NULL, 0);
    X509_free(vf.top);
    vf.top = NULL;
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(leaf);
    ERR_clear_error();
    verify_strength(ids, n, out);
    /* A result made while an allocation was refused (the memcap) may say
     * more about memory than about the chain: used once, not remembered. */
    if (slot && mem_cap_hits() == cap_hits) {
        slot->used = true;
        slot->stamp = ++vf.clock;
        slot->n = n;
        slot->purpose = purpose;
        slot->bucket = bucket;
        memcpy(slot->ids, ids, n * sizeof(ids[0]));
        slot->res = *out;
    }
}

bool
verify_anchor(const uint32_t *ids, unsigned n, int64_t at_s, char *label, size_t ln)
{
    if (ln > 0)
        label[0] = '\0';
    if (n == 0 || n > FACTS_CHAIN_MAX || !vf.store)
        return false;
    X509 *leaf = certcache_x509(ids[0]);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (unsigned i = 1; i < n && untrusted; i++) {
        X509 *x = certcache_x509(ids[i]);
        if (x && !sk_X509_push(untrusted, x))
            X509_free(x);
    }
    X509_STORE_CTX *ctx = leaf && untrusted ? X509_STORE_CTX_new() : NULL;
    bool ok = false;
    if (ctx && X509_STORE_CTX_init(ctx, vf.store, leaf, untrusted) == 1 &&
        X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) == 1) {
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at_s);
        STACK_OF(X509) *chain = X509_verify_cert(ctx) == 1 ? X509_STORE_CTX_get0_chain(ctx) : NULL;
        X509 *top =
            chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, sk_X509_num(chain) - 1) : NULL;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;
        struct tm na;
        memset(&na, 0, sizeof(na));
        if (top && X509_digest(top, EVP_sha1(), md, &mdlen) == 1 && mdlen >= 4 &&
            ASN1_TIME_to_tm(X509_get0_notAfter(top), &na) == 1) {
            char subject[256];
            verify_subject(top, subject, sizeof(subject));
            snprintf(label, ln, "%s (SHA-1 %02X%02X%02X%02X, until %04d-%02d-%02d)", subject, md[0],
                     md[1], md[2], md[3], na.tm_year + 1900, na.tm_mon + 1, na.tm_mday);
            ok = true;
        }
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(leaf);
    ERR_clear_error();
    return ok;
}
