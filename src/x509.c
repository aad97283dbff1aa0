/* \summary: X.509 certificate fields (RFC 5280) extracted with OpenSSL from
 * the exact DER bytes sent. Non-printable bytes are escaped (RFC 4514 §2.4
 * style \XX), never cut at a NUL. */
#include "x509.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "x509_decode.h"
#include "idxtab.h"
#include "strcopy.h"
#include "x509_winname.h"

#define X509_STR_MAX 4096 /* longest name kept; longer ones end in "..." */

/* Escapes raw bytes: printable ASCII as is (backslash doubled), others \xNN. */
static char *
x509_escape(const unsigned char *b, size_t n)
{
    if (n > X509_STR_MAX)
        n = X509_STR_MAX;
    char *o = malloc(n * 4 + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = b[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            o[k++] = (char)c;
        } else if (c == '\\') {
            o[k++] = '\\';
            o[k++] = '\\';
        } else {
            k += (size_t)snprintf(o + k, 5, "\\x%02x", c);
        }
    }
    o[k] = '\0';
    return o;
}

/* A string already escaped by OpenSSL (RFC 2253 form, printable ASCII):
 * copied, cut at X509_STR_MAX; a byte outside printable ASCII, which the
 * flags should have escaped, is written as \XX all the same. */
static char *
x509_bounded(const char *p, size_t n)
{
    if (n > X509_STR_MAX)
        n = X509_STR_MAX;
    char *o = malloc(n * 3 + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f)
            o[k++] = (char)c;
        else
            k += (size_t)snprintf(o + k, 4, "\\%02X", c);
    }
    o[k] = '\0';
    return o;
}

/* The printed forms of recent names, by their DER: a CA's name is the
 * issuer of every certificate it signs, and printing a name
 * (x509_name_print, below) costs more than half of the fields' extraction.
 * Direct-mapped by an FNV-1a hash of the DER (idxtab_hash_bytes); a hit is
 * confirmed byte for byte (the printed form depends only on the DER). */
#define X509_NC_SLOTS 64
#define X509_NC_DER   256
#define X509_NC_STR   384
static struct {
    uint16_t der_len; /* 0: empty */
    uint8_t der[X509_NC_DER];
    char out[X509_NC_STR], spaced[X509_NC_STR + 64];
} x509_nc[X509_NC_SLOTS];

static char *x509_name_print(const X509_NAME *nm, char **spaced);

static char *
x509_name_str(const X509_NAME *nm, char **spaced)
{
    const unsigned char *der = NULL;
    size_t dn = 0;
    if (X509_NAME_get0_der((X509_NAME *)nm, &der, &dn) != 1 || dn == 0 || dn > X509_NC_DER)
        return x509_name_print(nm, spaced);
    unsigned slot = (unsigned)(idxtab_hash_bytes(der, dn) % X509_NC_SLOTS);
    if (x509_nc[slot].der_len == dn && memcmp(x509_nc[slot].der, der, dn) == 0) {
        if (spaced)
            *spaced = strdup(x509_nc[slot].spaced);
        return strdup(x509_nc[slot].out);
    }
    char *sp = NULL;
    char *out = x509_name_print(nm, &sp);
    if (out && sp && strlen(out) < X509_NC_STR && strlen(sp) < sizeof(x509_nc[slot].spaced)) {
        x509_nc[slot].der_len = (uint16_t)dn;
        memcpy(x509_nc[slot].der, der, dn);
        str_copy(x509_nc[slot].out, sizeof(x509_nc[slot].out), out);
        str_copy(x509_nc[slot].spaced, sizeof(x509_nc[slot].spaced), sp);
    }
    if (spaced)
        *spaced = sp;
    else
        free(sp);
    return out;
}

/* A name printed with OpenSSL's RFC 2253 rules (control and high bytes as
 * \XX, RFC 4514 §2.4; RDNs separated by ",", multi-valued ones by "+"),
 * as `openssl x509 -nameopt RFC2253` prints it: already escaped, so it is
 * only bounded here. With spaced set, also the form Windows prints
 * (x509_winname.c), for Exchange's <I>issuer<S>subject. */
static char *
x509_name_print(const X509_NAME *nm, char **spaced)
{
    if (spaced)
        *spaced = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return NULL;
    char *out = NULL;
    if (X509_NAME_print_ex(bio, nm, 0, XN_FLAG_RFC2253) >= 0) {
        char *p;
        long n = BIO_get_mem_data(bio, &p);
        if (n >= 0) {
            out = x509_bounded(p, (size_t)n);
            if (spaced)
                *spaced = x509_winname(nm);
        }
    }
    BIO_free(bio);
    return out;
}

void
x509_name_copy(const struct X509_name_st *nm, char *out, size_t n)
{
    char *s = n ? x509_name_str(nm, NULL) : NULL;
    if (n) { /* a cut name ends in "...": a cut one read as another root's */
        str_copy(out, n, s ? s : "");
        str_mark_cut(out, n, s != NULL && strlen(s) > n - 1);
    }
    free(s);
}

static void
x509_time(const ASN1_TIME *t, int64_t *epoch, char *iso, size_t n)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        *epoch = 0;
        snprintf(iso, n, "invalid");
        return;
    }
    *epoch = (int64_t)timegm(&tm);
    /* "%04d-%02d-%02dT%02d:%02d:%02dZ" without printf (once per distinct
     * certificate and date); ASN.1 times have years 0..9999 (RFC 5280
     * §4.1.2.5) and ASN1_TIME_to_tm gives fields in range */
    char b[STR_TM_ISO_LEN + 2];
    str_tm_iso(b, &tm);
    b[STR_TM_ISO_LEN] = 'Z';
    b[STR_TM_ISO_LEN + 1] = '\0';
    str_copy(iso, n, b);
}

static void
x509_key(X509 *x, struct x509_info *o)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (!pk) {
        snprintf(o->key_type, sizeof(o->key_type), "unknown");
        return;
    }
    const char *t;
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA:
        t = "RSA";
        break;
    case EVP_PKEY_RSA_PSS:
        t = "RSA-PSS";
        break;
    case EVP_PKEY_EC:
        t = "EC";
        break;
    case EVP_PKEY_DSA:
        t = "DSA";
        break;
    case EVP_PKEY_ED25519:
        t = "Ed25519";
        break;
    case EVP_PKEY_ED448:
        t = "Ed448";
        break;
    default:
        t = "other";
        break;
    }
    str_copy(o->key_type, sizeof(o->key_type), t);
    o->key_bits = EVP_PKEY_get_bits(pk);
    size_t len = 0;
    if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
        EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, o->key_curve,
                                       sizeof(o->key_curve), &len) != 1)
        o->key_curve[0] = '\0';
}

static void
x509_sans(X509 *x, struct x509_info *o)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (!gens)
        return;
    int n = sk_GENERAL_NAME_num(gens);
    /* sized to the names present: a fixed array of X509_SAN_MAX cost 1 KiB
     * per distinct certificate kept */
    size_t slots = n < 0 ? 0 : n > X509_SAN_MAX ? X509_SAN_MAX : (size_t)n;
    o->san = slots ? malloc(slots * sizeof(*o->san)) : NULL;
    if (o->san == NULL) {
        o->san_truncated = n > 0;
        GENERAL_NAMES_free(gens);
        return;
    }
    for (int i = 0; i < n; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char type = 0;
        char *v = NULL;
        if (g->type == GEN_DNS || g->type == GEN_EMAIL || g->type == GEN_URI) {
            const ASN1_IA5STRING *s = g->d.ia5;
            type = g->type == GEN_DNS ? 'D' : g->type == GEN_EMAIL ? 'E' : 'U';
            v = x509_escape(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
        } else if (g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *s = g->d.ip;
            char buf[64];
            int l = ASN1_STRING_length(s);
            type = 'I';
            if (l == 4 || l == 16)
                v = inet_ntop(l == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), buf,
                              sizeof(buf))
                        ? strdup(buf)
                        : NULL;
            else
                v = x509_escape(ASN1_STRING_get0_data(s), (size_t)l);
        } else {
            continue;
        }
        if (!v)
            continue;
        if (o->n_san >= slots) {
            o->san_truncated = true;
            free(v);
            continue;
        }
        o->san[o->n_san].type = type;
        o->san[o->n_san].value = v;
        o->n_san++;
    }
    GENERAL_NAMES_free(gens);
}

/* One general name of an extension that points somewhere: kept when it is a
 * URI (other forms, a directoryName for one, are not URLs), unless its kind
 * has X509_URLS_MAX already or it is longer than X509_URL_LEN_MAX. */
static void
x509_url_add(struct x509_info *o, char *found[][X509_URLS_MAX], enum x509_url_kind k,
             const GENERAL_NAME *g)
{
    if (g == NULL || g->type != GEN_URI)
        return;
    int len = ASN1_STRING_length(g->d.uniformResourceIdentifier);
    if (len <= 0)
        return;
    char *v = NULL;
    if (o->n_urls[k] < X509_URLS_MAX && len <= X509_URL_LEN_MAX)
        v = x509_escape(ASN1_STRING_get0_data(g->d.uniformResourceIdentifier), (size_t)len);
    if (v == NULL) {
        o->urls_truncated |= (uint8_t)(1u << k);
        return;
    }
    found[k][o->n_urls[k]++] = v;
}

/* CRL Distribution Points (RFC 5280 §4.2.1.13: the fullName URIs of each
 * point, in order) and Authority Information Access (§4.2.2.1: id-ad-ocsp
 * and id-ad-caIssuers). Only these two extensions are decoded. */
static void
x509_urls_fill(X509 *x, struct x509_info *o)
{
    char *found[X509_URL_KINDS][X509_URLS_MAX];
    CRL_DIST_POINTS *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
    for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (dp == NULL || dp->distpoint == NULL || dp->distpoint->type != 0)
            continue; /* a name relative to the issuer's is no URL */
        const GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int k = 0; k < sk_GENERAL_NAME_num(names); k++)
            x509_url_add(o, found, X509_URL_CRL, sk_GENERAL_NAME_value(names, k));
    }
    CRL_DIST_POINTS_free(dps);
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        int nid = ad ? OBJ_obj2nid(ad->method) : NID_undef;
        if (nid == NID_ad_OCSP || nid == NID_ad_ca_issuers)
            x509_url_add(o, found, nid == NID_ad_OCSP ? X509_URL_OCSP : X509_URL_CA_ISSUERS,
                         ad->location);
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    /* one block kept per certificate: the pointers, then the strings */
    size_t total = 0, bytes = 0;
    for (int k = 0; k < X509_URL_KINDS; k++)
        for (unsigned i = 0; i < o->n_urls[k]; i++, total++)
            bytes += strlen(found[k][i]) + 1;
    if (total == 0)
        return;
    o->urls = malloc(total * sizeof(*o->urls) + bytes);
    char *at = o->urls ? (char *)(o->urls + total) : NULL;
    for (unsigned k = 0, j = 0; k < X509_URL_KINDS; k++)
        for (unsigned i = 0; i < o->n_urls[k]; i++, j++) {
            if (at) {
                size_t n = strlen(found[k][i]) + 1;
                memcpy(at, found[k][i], n);
                o->urls[j] = at;
                at += n;
            }
            free(found[k][i]);
        }
    if (o->urls == NULL) { /* out of memory: none kept, each kind said to be cut */
        for (int k = 0; k < X509_URL_KINDS; k++)
            if (o->n_urls[k])
                o->urls_truncated |= (uint8_t)(1u << k);
        memset(o->n_urls, 0, sizeof(o->n_urls));
    }
}

char *const *
x509_urls(const struct x509_info *info, enum x509_url_kind kind, unsigned *n)
{
    *n = 0;
    if (info->urls == NULL || (unsigned)kind >= X509_URL_KINDS)
        return NULL;
    unsigned at = 0;
    for (unsigned k = 0; k < (unsigned)kind; k++)
        at += info->n_urls[k];
    *n = info->n_urls[kind];
    return info->urls + at;
}

bool
x509_names_url(const struct x509_info *info, enum x509_url_kind kind)
{
    unsigned n;
    (void)x509_urls(info, kind, &n);
    return n > 0 || (info->urls_truncated & (1u << kind)) != 0;
}

static char *
x509_cn(X509 *x)
{
    const X509_NAME *nm = X509_get_subject_name(x);
    int last = -1;
    for (int i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(nm, NID_commonName, i))
        last = i;
    if (last < 0)
        return strdup("");
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last));
    return x509_escape(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
}

static char *
x509_serial(X509 *x)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    char *out = hex ? strdup(hex) : NULL;
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

int
x509_fill(struct x509_st *xp, struct x509_info *o)
{
    X509 *x = xp;
    memset(o, 0, sizeof(*o));
    o->path_len = -1;
    char *wi, *ws;
    o->subject = x509_name_str(X509_get_subject_name(x), &ws);
    o->issuer = x509_name_str(X509_get_issuer_name(x), &wi);
    o->subject_cn = x509_cn(x);
    o->serial = x509_serial(x);
    if (wi && ws) {
        size_t n = strlen(wi) + strlen(ws) + 8;
        o->exchange_name = malloc(n);
        if (o->exchange_name)
            snprintf(o->exchange_name, n, "<I>%s<S>%s", wi, ws);
    }
    free(wi);
    free(ws);
    if (!o->subject || !o->issuer || !o->subject_cn || !o->serial) {
        x509_info_free(o);
        o->parse_error = "out of memory";
        return -1;
    }
    x509_time(X509_get0_notBefore(x), &o->not_before, o->not_before_iso, sizeof(o->not_before_iso));
    x509_time(X509_get0_notAfter(x), &o->not_after, o->not_after_iso, sizeof(o->not_after_iso));
    x509_key(x, o);
    int nid = X509_get_signature_nid(x);
    const char *sn = nid != NID_undef ? OBJ_nid2ln(nid) : NULL;
    str_copy(o->sig_alg, sizeof(o->sig_alg), sn ? sn : "unknown");
    o->self_issued = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
    EVP_PKEY *pk = X509_get0_pubkey(x);
    o->self_signed = o->self_issued && pk && X509_verify(x, pk) == 1;
    uint32_t fl = X509_get_extension_flags(x);
    o->is_ca = (fl & EXFLAG_CA) != 0;
    long pl = X509_get_pathlen(x);
    o->path_len = pl < 0 ? -1 : (int)pl;
    o->has_name_constraints = X509_get_ext_by_NID(x, NID_name_constraints, -1) >= 0;
    x509_sans(x, o);
    x509_urls_fill(x, o);
    return 0;
}

int
x509_extract(const uint8_t *der, size_t len, struct x509_info *out)
{
    memset(out, 0, sizeof(*out));
    if (len == 0 || len > 0x7fffffff) {
        out->parse_error = "empty or oversized DER";
        return -1;
    }
    int trailing = 0;
    X509 *x = x509_decode(der, len, &trailing);
    if (!x) {
        out->parse_error = trailing ? "trailing bytes after the certificate" : "bad DER";
        return -1;
    }
    int rc = x509_fill(x, out);
    X509_free(x);
    return rc;
}

void
x509_info_free(struct x509_info *info)
{
    free(info->subject);
    free(info->issuer);
    free(info->subject_cn);
    free(info->serial);
    free(info->exchange_name);
    for (unsigned i = 0; info->san != NULL && i < info->n_san && i < X509_SAN_MAX; i++)
        free(info->san[i].value);
    free(info->san);
    free(info->urls); /* the strings are in the same block */
    const char *err = info->parse_error;
    memset(info, 0, sizeof(*info));
    info->parse_error = err;
}

int
x509_exchange_cert_name(const struct x509_info *info, char *out, size_t n)
{
    if (!info->exchange_name || n == 0)
        return -1;
    str_copy(out, n, info->exchange_name);
    return 0;
}
