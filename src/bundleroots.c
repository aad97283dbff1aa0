/* \summary: the names of a PEM bundle's roots (bundleroots.h). Each PEM
 * block (RFC 7468 §2: base64 between "-----BEGIN label-----" and
 * "-----END label-----") is decoded into a static buffer, and the
 * certificate's issuer and subject Names are found with the bounded reader
 * (RFC 5280 §4.1: Certificate, TBSCertificate: [0] version, serialNumber,
 * signature, issuer, validity, subject; DER, X.690 §8.1). Names compare as
 * OpenSSL's X509_NAME_cmp does, on its canonical form (br_name_key): the
 * store finds an issuer that way, so a chain whose issuer is encoded
 * otherwise than the root's subject (PrintableString against UTF8String,
 * case, spacing) still names that root. A root is a certificate whose
 * issuer and subject are the same name; its subject's canonical form is
 * kept as a 64-bit hash. Nothing here allocates through mem.c or OpenSSL:
 * what the machine's bundle holds changes no count nor memory_peak. */
#include "bundleroots.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "der.h"

#define BR_ROOTS_MAX  1024      /* root names kept */
#define BR_BLOCKS_MAX 8192      /* PEM blocks read */
#define BR_LINES_MAX  (1 << 22) /* lines read */
#define BR_B64_MAX    (64 * 1024)
#define BR_DER_MAX    (BR_B64_MAX / 4 * 3)

static struct {
    unsigned n;
    uint64_t hash[BR_ROOTS_MAX];
    char b64[BR_B64_MAX + 1]; /* one block's base64, newlines removed */
    uint8_t der[BR_DER_MAX + 3];
} br;

/* FNV-1a, 64 bits, fed a byte at a time. */
#define BR_FNV_BASIS 0xcbf29ce484222325ull

static uint64_t
br_mix(uint64_t h, uint8_t b)
{
    return (h ^ b) * 0x100000001b3ull;
}

static uint64_t
br_mix32(uint64_t h, uint32_t v)
{
    for (int i = 24; i >= 0; i -= 8)
        h = br_mix(h, (uint8_t)(v >> i));
    return h;
}

/* The canonical form of one attribute value, hashed as it is made: OpenSSL's
 * asn1_string_canon (crypto/x509/x_name.c). The string types UTF8String,
 * BMPString, UniversalString, PrintableString, T61String (read as Latin-1,
 * as ASN1_STRING_to_UTF8 does), IA5String and VisibleString become
 * UTF-8; white space (ASCII space, \t \n \v \f \r) at either end is
 * dropped and each run of it inside becomes one space; ASCII letters are
 * lower case. */
struct br_canon {
    uint64_t h;
    uint32_t n; /* bytes hashed */
    bool space; /* white space seen after the first character */
};

static void
br_canon_put(struct br_canon *c, uint8_t b)
{
    if (c->space) {
        c->h = br_mix(c->h, ' ');
        c->n++;
        c->space = false;
    }
    c->h = br_mix(c->h, b);
    c->n++;
}

/* One character (a code point). False for one UTF-8 cannot carry (a
 * surrogate, beyond U+10FFFF), which OpenSSL refuses too. */
static bool
br_canon_cp(struct br_canon *c, uint32_t cp)
{
    if (cp == ' ' || (cp >= '\t' && cp <= '\r')) {
        c->space = c->n > 0; /* leading white space is dropped */
        return true;
    }
    if (cp < 0x80) {
        br_canon_put(c, (uint8_t)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp));
    } else if (cp < 0x800) {
        br_canon_put(c, (uint8_t)(0xc0 | cp >> 6));
        br_canon_put(c, (uint8_t)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            return false;
        br_canon_put(c, (uint8_t)(0xe0 | cp >> 12));
        br_canon_put(c, (uint8_t)(0x80 | (cp >> 6 & 0x3f)));
        br_canon_put(c, (uint8_t)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x110000) {
        br_canon_put(c, (uint8_t)(0xf0 | cp >> 18));
        br_canon_put(c, (uint8_t)(0x80 | (cp >> 12 & 0x3f)));
        br_canon_put(c, (uint8_t)(0x80 | (cp >> 6 & 0x3f)));
        br_canon_put(c, (uint8_t)(0x80 | (cp & 0x3f)));
    } else {
        return false;
    }
    return true;
}

/* The next character of a UTF8String (RFC 3629 §3: no overlong form, no
 * surrogate, at most U+10FFFF; OpenSSL's UTF8_getc); UINT32_MAX when
 * malformed. */
static uint32_t
br_utf8(struct rd *v)
{
    uint8_t b = rd_u8(v, "name.utf8");
    unsigned more = b < 0x80             ? 0
                    : (b & 0xe0) == 0xc0 ? 1
                    : (b & 0xf0) == 0xe0 ? 2
                    : (b & 0xf8) == 0xf0 ? 3
                                         : 4;
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (more == 4)
        return UINT32_MAX;
    uint32_t cp = more == 0 ? b : (uint32_t)(b & (0x3f >> more));
    for (unsigned i = 0; i < more; i++) {
        uint8_t k = rd_u8(v, "name.utf8");
        if ((k & 0xc0) != 0x80)
            return UINT32_MAX;
        cp = cp << 6 | (k & 0x3f);
    }
    return rd_ok(v) && cp >= least[more] ? cp : UINT32_MAX;
}

/* The key of one attribute (type and value) of a Name: its OID's bytes,
 * then the value's tag and bytes, canonical for the string types (tagged
 * UTF8String then), as they are for any other (asn1_string_canon copies
 * those). False when a string cannot be converted, as OpenSSL fails. */
static bool
br_attr_key(struct rd oid, uint8_t tag, struct rd val, uint64_t *key)
{
    size_t lo = rd_left(&oid), lv = rd_left(&val);
    const uint8_t *o = rd_bytes(&oid, lo, "name.oid");
    uint64_t h = br_mix32(BR_FNV_BASIS, (uint32_t)lo);
    for (size_t i = 0; i < lo; i++)
        h = br_mix(h, o[i]);
    unsigned width; /* bytes of a character: 0 UTF-8, 1 Latin-1, 2 UCS-2, 4 UCS-4 */
    switch (tag) {
    case 0x0c: /* UTF8String */
        width = 0;
        break;
    case 0x13: /* PrintableString */
    case 0x14: /* T61String */
    case 0x16: /* IA5String */
    case 0x1a: /* VisibleString */
        width = 1;
        break;
    case 0x1e: /* BMPString */
        width = 2;
        break;
    case 0x1c: /* UniversalString */
        width = 4;
        break;
    default: { /* another type: its bytes as they are */
        const uint8_t *v = rd_bytes(&val, lv, "name.value");
        h = br_mix(h, tag);
        for (size_t i = 0; i < lv; i++)
            h = br_mix(h, v[i]);
        *key = br_mix32(h, (uint32_t)lv);
        return v != NULL || lv == 0;
    }
    }
    if (width > 1 && lv % width != 0)
        return false;
    struct br_canon c = {br_mix(h, 0x0c), 0, false};
    while (rd_left(&val) > 0) {
        uint32_t cp;
        if (width == 0)
            cp = br_utf8(&val);
        else if (width == 1)
            cp = rd_u8(&val, "name.char");
        else if (width == 2)
            cp = rd_be16(&val, "name.char");
        else
            cp = rd_be32(&val, "name.char");
        if (cp == UINT32_MAX || !br_canon_cp(&c, cp))
            return false;
    }
    *key = br_mix32(c.h, c.n);
    return true;
}

#define BR_RDN_MAX 16 /* attributes of one RDN */

/* The key of a Name (the contents of its SEQUENCE): X509_NAME_cmp finds two
 * Names equal when their canonical forms are the same bytes (x509_name_canon:
 * each RDN's attributes made canonical, an empty RDN left out, a
 * multi-valued RDN's attributes sorted as DER sorts a SET OF, X.690
 * §11.6), so this key hashes each RDN's attribute keys in sorted order. */
static bool
br_name_key(struct rd name, uint64_t *key)
{
    uint64_t h = BR_FNV_BASIS;
    while (rd_left(&name) > 0) {
        struct rd set, atv, oid, val;
        uint64_t k[BR_RDN_MAX];
        unsigned n = 0;
        if (der_element(&name, &set, NULL) != 0x31)
            return false;
        while (rd_left(&set) > 0) {
            if (n == BR_RDN_MAX || der_element(&set, &atv, NULL) != 0x30 ||
                der_element(&atv, &oid, NULL) != 0x06)
                return false;
            uint8_t tag = der_element(&atv, &val, NULL);
            if (tag == 0 || rd_left(&atv) != 0 || !br_attr_key(oid, tag, val, &k[n]))
                return false;
            for (unsigned i = n++; i > 0 && k[i - 1] > k[i]; i--) { /* insertion sort */
                uint64_t t = k[i];
                k[i] = k[i - 1];
                k[i - 1] = t;
            }
        }
        if (!rd_ok(&set))
            return false;
        if (n == 0)
            continue;
        h = br_mix32(h, n);
        for (unsigned i = 0; i < n; i++)
            for (int s = 56; s >= 0; s -= 8)
                h = br_mix(h, (uint8_t)(k[i] >> s));
    }
    *key = h;
    return rd_ok(&name);
}

/* The key of the certificate der[0..n)'s subject when it is a root (its
 * issuer the same name: the same bytes, or the same canonical form). */
static bool
br_root_key(const uint8_t *der, size_t n, uint64_t *key)
{
    struct rd r = rd_init(der, n), cert, tbs, x, issuer, subject, wi, ws;
    if (der_element(&r, &cert, NULL) != 0x30 || der_element(&cert, &tbs, NULL) != 0x30)
        return false;
    if (rd_peek(&tbs, 0) == 0xa0 && der_element(&tbs, &x, NULL) != 0xa0) /* version */
        return false;
    if (der_element(&tbs, &x, NULL) != 0x02 ||     /* serialNumber */
        der_element(&tbs, &x, NULL) != 0x30 ||     /* signature */
        der_element(&tbs, &issuer, &wi) != 0x30 || /* issuer */
        der_element(&tbs, &x, NULL) != 0x30 ||     /* validity */
        der_element(&tbs, &subject, &ws) != 0x30)  /* subject */
        return false;
    uint64_t ki;
    if (!br_name_key(subject, key))
        return false;
    size_t li = rd_left(&wi), ls = rd_left(&ws);
    const uint8_t *a = rd_bytes(&wi, li, "issuer"), *b = rd_bytes(&ws, ls, "subject");
    if (a != NULL && b != NULL && li == ls && memcmp(a, b, li) == 0)
        return true;
    return br_name_key(issuer, &ki) && ki == *key;
}

/* A block's base64 decoded: its root's name kept. */
static void
br_block(size_t b64len)
{
    if (b64len == 0 || b64len % 4 != 0 || br.n == BR_ROOTS_MAX)
        return;
    br.b64[b64len] = '\0';
    int n = EVP_DecodeBlock(br.der, (const unsigned char *)br.b64, (int)b64len);
    uint64_t key;
    if (n > 0 && br_root_key(br.der, (size_t)n, &key))
        br.hash[br.n++] = key;
}

static bool
br_begins(const char *line)
{
    return strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0 ||
           strncmp(line, "-----BEGIN X509 CERTIFICATE-----", 32) == 0 ||
           strncmp(line, "-----BEGIN TRUSTED CERTIFICATE-----", 35) == 0;
}

bool
bundleroots_load(const char *path)
{
    br.n = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bundleroots_read(f);
    fclose(f);
    return true;
}

void
bundleroots_read(FILE *f)
{
    br.n = 0;
    char line[512];
    bool in = false, over = false;
    size_t len = 0;
    unsigned blocks = 0;
    for (unsigned i = 0; i < BR_LINES_MAX && blocks < BR_BLOCKS_MAX && fgets(line, sizeof(line), f);
         i++) {
        if (!in) {
            in = br_begins(line);
            len = 0;
            over = false;
            continue;
        }
        if (strncmp(line, "-----END ", 9) == 0) {
            if (!over)
                br_block(len);
            in = false;
            blocks++;
            continue;
        }
        for (const char *p = line; *p != '\0'; p++) {
            if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
                continue;
            if (len == BR_B64_MAX)
                over = true; /* a block too large for a certificate of a bundle: skipped */
            else
                br.b64[len++] = *p;
        }
    }
}

void
bundleroots_reset(void)
{
    br.n = 0;
}

bool
bundleroots_name_key(const uint8_t *name, size_t len, uint64_t *key)
{
    struct rd r = rd_init(name, len), contents;
    return der_element(&r, &contents, NULL) == 0x30 && rd_left(&r) == 0 &&
           br_name_key(contents, key);
}

bool
bundleroots_has(const uint8_t *name, size_t len)
{
    uint64_t key;
    if (!bundleroots_name_key(name, len, &key))
        return false;
    for (unsigned i = 0; i < br.n; i++)
        if (br.hash[i] == key)
            return true;
    return false;
}

unsigned
bundleroots_count(void)
{
    return br.n;
}
