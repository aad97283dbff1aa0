/* \summary: X.509 certificate fields, extracted with OpenSSL from the exact
 * DER bytes sent (RFC 5280). Pure function; no chain verification here. */
#ifndef SMTPTAP_X509_H
#define SMTPTAP_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X509_SAN_MAX 64

/* Where a client checks revocation and fetches a missing issuer: the URI
 * names of CRL Distribution Points (RFC 5280 §4.2.1.13) and the id-ad-ocsp
 * and id-ad-caIssuers URIs of Authority Information Access (§4.2.2.1). At
 * most X509_URLS_MAX of each kind are kept, each at most X509_URL_LEN_MAX
 * bytes; the others are left out (x509_info.urls_truncated). */
#define X509_URLS_MAX    4
#define X509_URL_LEN_MAX 256
enum x509_url_kind { X509_URL_CRL, X509_URL_OCSP, X509_URL_CA_ISSUERS, X509_URL_KINDS };

struct x509_san {
    char type;   /* 'D' DNS, 'I' IP, 'E' email, 'U' URI */
    char *value; /* printable, escaped (never cut at a NUL): "\x00" for odd bytes */
};

struct x509_info {
    const char *parse_error; /* NULL = parsed; else a static reason ("bad DER", "trailing bytes") */
    char *subject;           /* RFC 2253 form, escaped */
    char *issuer;
    char *subject_cn;                           /* last CN of the subject, escaped ("" if none) */
    char *serial;                               /* hex, upper-case, no separators */
    int64_t not_before, not_after;              /* seconds since the epoch */
    char not_before_iso[32], not_after_iso[32]; /* "2026-11-24T00:00:00Z" */
    char key_type[16];                          /* "RSA", "EC", "Ed25519", "DSA", ... */
    int key_bits;
    char key_curve[32]; /* EC curve name, "" otherwise */
    char sig_alg[48];   /* "sha256WithRSAEncryption" ... */
    bool self_signed;   /* subject == issuer and the signature verifies with its own key */
    bool self_issued;   /* subject == issuer */
    bool is_ca;         /* basicConstraints CA:TRUE */
    int path_len;       /* -1 none */
    bool has_name_constraints;
    char *exchange_name; /* "<I>issuer<S>subject", Windows name order and separators */
    unsigned n_san;
    bool san_truncated;
    struct x509_san *san; /* n_san entries (malloc), at most X509_SAN_MAX */
    /* The URLs of every kind in one malloc'd block (NULL when none): the
     * pointers to the CRL ones, then OCSP, then caIssuers, in the order of
     * the extensions, then the strings; escaped as SAN values are. Read
     * through x509_urls(). */
    char **urls;
    uint8_t n_urls[X509_URL_KINDS];
    uint8_t urls_truncated; /* bit (1 << kind): a URL of that kind left out */
};

/* Parses der (len bytes). Fills out (always: on failure parse_error is set and
 * the strings are NULL). Returns 0 on success, -1 on a parse error. The caller
 * frees with x509_info_free(). */
int x509_extract(const uint8_t *der, size_t len, struct x509_info *out);
void x509_info_free(struct x509_info *info);

/* The URLs of one kind (x509_url_kind): *n of them (0 when none). */
char *const *x509_urls(const struct x509_info *info, enum x509_url_kind kind, unsigned *n);
/* The certificate names a URL of that kind: one kept, or one past the room
 * kept (urls_truncated). */
bool x509_names_url(const struct x509_info *info, enum x509_url_kind kind);

/* The same from an already decoded certificate (OpenSSL X509 *); the
 * certificate cache decodes once and keeps the object for verification. */
struct x509_st;
int x509_fill(struct x509_st *x, struct x509_info *out);

/* Copies an X509_NAME in the RFC 2253 form used for subject and issuer
 * ("CN=Other Root CA,O=Other Org"), cut to n bytes ending in "..." when
 * it does not fit. */
struct X509_name_st;
void x509_name_copy(const struct X509_name_st *nm, char *out, size_t n);

/* Copies info->exchange_name into out: the string Exchange's
 * Set-ReceiveConnector -TlsCertificateName takes ("<I>CN=R3, O=Let's Encrypt,
 * C=US<S>CN=mail.contoso.com"). Returns 0, or -1 when unknown. */
int x509_exchange_cert_name(const struct x509_info *info, char *out, size_t n);

#endif /* SMTPTAP_X509_H */
