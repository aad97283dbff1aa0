/* \summary: a certificate's signature under its issuer's key, as X509_verify
 * checks it (RFC 5280 §4.1.1.3: the signature over the DER of the
 * tbsCertificate; §6.1.3 (a)(1)), without OpenSSL 3.0's set-up per call.
 *
 * X509_verify (crypto/x509/x_all.c, ASN1_item_verify_ex) builds for every
 * call a key context (EVP_PKEY_CTX_new_from_pkey: its key manager fetched
 * and every name of it looked up among the legacy methods) and a digest
 * verification (EVP_DigestVerifyInit: the signature algorithm and digest
 * fetched, the context duplicated for the final step): about a tenth of a
 * check under callgrind, more than the digest of the signed bytes. A chain
 * under a known intermediate checks one signature, its leaf's, with the
 * intermediate's key: the context made for that key (and digest) the first
 * time is kept here and used again (EVP_PKEY_verify on the digest, the
 * same provider function EVP_DigestVerify ends in), in a table of 64,
 * least recently used out. A kept context holds a reference on its key, so
 * a key's pointer cannot be reused by another key while it is in the table.
 *
 * Only the common case takes this path, and its answer is X509_verify's:
 * the outer and inner signature algorithms equal (X509_verify's first
 * test), no unused bits in the signature, a digest with RSA PKCS #1 v1.5 or
 * ECDSA (OBJ_find_sigid_algs) under a key of that type, no SM2
 * distinguishing identifier, and the subject's DER at hand (the chain
 * being verified, x509_sigcheck_chain) with its tbsCertificate in definite
 * lengths: the bytes OpenSSL kept from the decode and would digest.
 * Anything else, and any failure to set up, goes to X509_verify. */
#include "x509_sigcheck.h"

#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <string.h>

#include "der.h"

#define SC_SLOTS 64 /* contexts kept */
#define SC_MDS   8  /* digests fetched once */

struct sc_ctx {
    EVP_PKEY *key; /* NULL when free; referenced by pc */
    int mdnid;
    EVP_PKEY_CTX *pc;
    uint64_t stamp;
};

static struct {
    X509 *const *certs;
    const uint8_t *const *der;
    const uint32_t *len;
    unsigned n;
    struct sc_ctx ctx[SC_SLOTS];
    struct {
        int nid;
        EVP_MD *md;
    } mds[SC_MDS];
    unsigned n_mds;
    uint64_t clock, fast, made;
} sc;

void
x509_sigcheck_chain(X509 *const *certs, const uint8_t *const *der, const uint32_t *len, unsigned n)
{
    sc.certs = n ? certs : NULL;
    sc.der = n ? der : NULL;
    sc.len = n ? len : NULL;
    sc.n = n;
}

void
x509_sigcheck_fini(void)
{
    for (unsigned i = 0; i < SC_SLOTS; i++)
        EVP_PKEY_CTX_free(sc.ctx[i].pc); /* releases its key */
    for (unsigned i = 0; i < sc.n_mds; i++)
        EVP_MD_free(sc.mds[i].md);
    memset(&sc, 0, sizeof(sc));
}

void
x509_sigcheck_counters(uint64_t *fast, uint64_t *made)
{
    *fast = sc.fast;
    *made = sc.made;
}

/* The subject's tbsCertificate (RFC 5280 §4.1: the first element of the
 * Certificate SEQUENCE), from the DER it was decoded from. */
static bool
sc_tbs(X509 *x, const uint8_t **tbs, size_t *tbs_len)
{
    for (unsigned i = 0; i < sc.n; i++) {
        if (sc.certs[i] != x)
            continue;
        struct rd r = rd_init(sc.der[i], sc.len[i]), cert, body, whole;
        if (der_element(&r, &cert, NULL) != 0x30 || rd_left(&r) != 0 ||
            der_element(&cert, &body, &whole) != 0x30)
            return false;
        *tbs_len = rd_left(&whole);
        *tbs = rd_bytes(&whole, *tbs_len, "tbsCertificate");
        return *tbs != NULL;
    }
    return false;
}

/* The digest of that nid, fetched once (as X509_verify names it:
 * EVP_get_digestbynid's name). */
static const EVP_MD *
sc_md(int nid)
{
    for (unsigned i = 0; i < sc.n_mds; i++)
        if (sc.mds[i].nid == nid)
            return sc.mds[i].md;
    const EVP_MD *t = EVP_get_digestbynid(nid);
    if (t == NULL || sc.n_mds == SC_MDS)
        return NULL;
    EVP_MD *md = EVP_MD_fetch(NULL, EVP_MD_get0_name(t), NULL);
    if (md == NULL)
        return NULL;
    sc.mds[sc.n_mds].nid = nid;
    sc.mds[sc.n_mds++].md = md;
    return md;
}

/* The kept verification context of (key, digest), made on first use. The
 * table is searched whole and its least recently used entry replaced: no
 * slot depends on where a key lies in memory, so which contexts are kept,
 * and the memory they hold (the stats' memory_peak), is the same in every
 * run of the same capture. */
static EVP_PKEY_CTX *
sc_ctx(EVP_PKEY *key, int mdnid, const EVP_MD *md)
{
    struct sc_ctx *v = &sc.ctx[0];
    for (unsigned i = 0; i < SC_SLOTS; i++) {
        struct sc_ctx *c = &sc.ctx[i];
        if (c->key == key && c->mdnid == mdnid) {
            c->stamp = ++sc.clock;
            return c->pc;
        }
        if (v->key != NULL && (c->key == NULL || c->stamp < v->stamp))
            v = c;
    }
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (pc == NULL || EVP_PKEY_verify_init(pc) != 1 || EVP_PKEY_CTX_set_signature_md(pc, md) != 1) {
        EVP_PKEY_CTX_free(pc);
        return NULL;
    }
    sc.made++;
    EVP_PKEY_CTX_free(v->pc);
    v->key = key;
    v->mdnid = mdnid;
    v->pc = pc;
    v->stamp = ++sc.clock;
    return pc;
}

int
x509_sigcheck(X509 *x, EVP_PKEY *key)
{
    const ASN1_BIT_STRING *sig = NULL;
    const X509_ALGOR *alg = NULL;
    X509_get0_signature(&sig, &alg, x);
    const uint8_t *tbs = NULL;
    size_t tbs_len = 0;
    int mdnid = NID_undef, pknid = NID_undef;
    const EVP_MD *md = NULL;
    EVP_PKEY_CTX *pc = NULL;
    if (sig == NULL || alg == NULL || X509_ALGOR_cmp(alg, X509_get0_tbs_sigalg(x)) != 0 ||
        (sig->flags & 0x7) != 0 || X509_get0_distinguishing_id(x) != NULL ||
        !OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), &mdnid, &pknid) || mdnid == NID_undef ||
        (pknid != EVP_PKEY_RSA && pknid != EVP_PKEY_EC) || EVP_PKEY_get_base_id(key) != pknid ||
        EVP_PKEY_get_id(key) != pknid || !sc_tbs(x, &tbs, &tbs_len) ||
        (md = sc_md(mdnid)) == NULL || (pc = sc_ctx(key, mdnid, md)) == NULL)
        return X509_verify(x, key);
    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (EVP_Digest(tbs, tbs_len, dg, &dl, md, NULL) != 1)
        return X509_verify(x, key); /* a digest context refused (the memcap) */
    sc.fast++;
    return EVP_PKEY_verify(pc, sig->data, (size_t)sig->length, dg, dl);
}
