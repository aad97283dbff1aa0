/* \summary: a certificate name in Windows' form (x509_winname.h): what
 * CertNameToStr(CERT_X500_NAME_STR | CERT_NAME_STR_REVERSE_FLAG) prints and
 * X509Certificate2.Issuer / .Subject show, for Exchange's
 * -TlsCertificateName. */
#include "x509_winname.h"
#include "utf8.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WN_MAX 4096 /* longest name written; longer ones end in "..." */

/* Windows' X.500 keys (wincrypt.h szOID_* names as CertNameToStr writes
 * them); NULL: "OID." and the dotted number. */
static const char *
wn_key(int nid)
{
    switch (nid) {
    case NID_commonName:
        return "CN";
    case NID_organizationName:
        return "O";
    case NID_organizationalUnitName:
        return "OU";
    case NID_localityName:
        return "L";
    case NID_stateOrProvinceName:
        return "S";
    case NID_countryName:
        return "C";
    case NID_pkcs9_emailAddress:
        return "E";
    case NID_streetAddress:
        return "STREET";
    case NID_domainComponent:
        return "DC";
    case NID_title:
        return "T";
    case NID_givenName:
        return "G";
    case NID_initials:
        return "I";
    case NID_surname:
        return "SN";
    case NID_serialNumber:
        return "SERIALNUMBER";
    case NID_postalCode:
        return "PostalCode";
    case NID_description:
        return "Description";
    case NID_userId:
        return "UID";
    default:
        return NULL;
    }
}

struct wn_buf {
    char *p;
    size_t n, cap;
    bool cut;
};

static void
wn_put(struct wn_buf *b, const char *s, size_t n)
{
    if (b->cut || n > b->cap - b->n) {
        b->cut = true;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* True when Windows quotes the value (CertNameToStr's rules). */
static bool
wn_needs_quotes(const unsigned char *v, size_t n)
{
    if (n == 0 || v[0] == ' ' || v[n - 1] == ' ')
        return true;
    for (size_t i = 0; i < n; i++)
        if (v[i] != '\0' && strchr(",+=\"<>#;\r\n", v[i]) != NULL)
            return true;
    return false;
}

/* The value as Windows shows it: characters, not bytes (the value was made
 * UTF-8 by ASN1_STRING_to_UTF8). Controls, the characters that reorder or
 * hide text (utf8_shown) and bytes that are not UTF-8 are written as \XX,
 * each byte, as in the RFC 2253 form. */
static void
wn_value(struct wn_buf *b, const unsigned char *v, size_t n)
{
    bool q = wn_needs_quotes(v, n);
    if (q)
        wn_put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = v[i];
        uint32_t cp = 0;
        size_t len = utf8_decode(v + i, n - i, &cp);
        if (c == '"' && q) {
            wn_put(b, "\"\"", 2);
        } else if (len > 0 && utf8_shown(cp)) {
            wn_put(b, (const char *)&v[i], len);
        } else {
            for (size_t k = 0; k < (len > 0 ? len : 1); k++) {
                char e[4];
                snprintf(e, sizeof(e), "\\%02X", v[i + k]);
                wn_put(b, e, 3);
            }
        }
        i += len > 0 ? len : 1;
    }
    if (q)
        wn_put(b, "\"", 1);
}

/* KEY=value of one attribute. */
static void
wn_entry(struct wn_buf *b, const X509_NAME_ENTRY *e)
{
    const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
    const char *key = wn_key(OBJ_obj2nid(obj));
    char oid[96];
    if (key == NULL) {
        memcpy(oid, "OID.", 4);
        if (OBJ_obj2txt(oid + 4, (int)sizeof(oid) - 4, obj, 1) <= 0)
            memcpy(oid + 4, "?", 2);
        key = oid;
    }
    wn_put(b, key, strlen(key));
    wn_put(b, "=", 1);
    const ASN1_STRING *d = X509_NAME_ENTRY_get_data(e);
    unsigned char *utf8 = NULL;
    int len = ASN1_STRING_to_UTF8(&utf8, d);
    if (len >= 0) /* else not a string type, or no memory: its bytes */
        wn_value(b, utf8, (size_t)len);
    else
        wn_value(b, ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d));
    OPENSSL_free(utf8);
}

char *
x509_winname(const X509_NAME *nm)
{
    struct wn_buf b = {malloc(WN_MAX + 4), 0, WN_MAX, false};
    if (b.p == NULL)
        return NULL;
    /* RDNs last to first (the reverse flag); the values of a multi-valued
     * RDN in their order. Entries are sorted by their RDN's index. */
    int count = X509_NAME_entry_count(nm);
    int end = count; /* one past the current RDN's last entry */
    while (end > 0) {
        int set = X509_NAME_ENTRY_set(X509_NAME_get_entry(nm, end - 1));
        int start = end - 1;
        while (start > 0 && X509_NAME_ENTRY_set(X509_NAME_get_entry(nm, start - 1)) == set)
            start--;
        if (end != count)
            wn_put(&b, ", ", 2);
        for (int i = start; i < end; i++) {
            if (i != start)
                wn_put(&b, " + ", 3);
            wn_entry(&b, X509_NAME_get_entry(nm, i));
        }
        end = start;
    }
    if (b.cut) { /* b.n <= WN_MAX: the buffer has room for "..." and the NUL */
        memcpy(b.p + b.n, "...", 3);
        b.n += 3;
    }
    b.p[b.n] = '\0';
    return b.p;
}
