/* \summary: the names of a PEM bundle's roots (bundleroots.h). Each PEM
 * block (RFC 7468 §2: base64 between "-----BEGIN label-----" and
 * "-----END label-----") is decoded into a static buffer, and the
 * certificate's issuer and subject Names are found with the bounded reader
 * (RFC 5280 §4.1: Certificate, TBSCertificate: [0] version, serialNumber,
 * signature, issuer, validity, subject; DER, X.690 §8.1). A root is a
 * certificate whose issuer and subject are the same bytes; its subject is
 * kept as a 64-bit hash. Nothing here allocates through mem.c or OpenSSL. */
#include "bundleroots.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"

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

/* FNV-1a, 64 bits. */
static uint64_t
br_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* One DER element (X.690 §8.1.2, §8.1.3: a low tag number, a definite
 * length of at most four bytes): its tag (0 when malformed), its contents
 * as a child reader and, when whole is given, the element with its header. */
static uint8_t
br_element(struct rd *r, struct rd *contents, struct rd *whole)
{
    struct rd mark = *r;
    uint8_t tag = rd_u8(r, "der.tag");
    uint8_t b = rd_u8(r, "der.length");
    size_t len = b, hdr = 2;
    if (b & 0x80) {
        unsigned n = b & 0x7f;
        if (n == 0 || n > 4) {
            rd_invalid(r, "der.length");
            return 0;
        }
        len = 0;
        for (unsigned i = 0; i < n; i++)
            len = len << 8 | rd_u8(r, "der.length");
        hdr += n;
    }
    if ((tag & 0x1f) == 0x1f) {
        rd_invalid(r, "der.tag");
        return 0;
    }
    *contents = rd_sub(r, len, "der.contents");
    if (whole)
        *whole = rd_sub(&mark, hdr + len, "der.element");
    return rd_ok(r) ? tag : 0;
}

/* The subject of the certificate der[0..n) when it is a root (its issuer
 * the same bytes): a reader over the whole Name. */
static bool
br_root_subject(const uint8_t *der, size_t n, struct rd *subject)
{
    struct rd r = rd_init(der, n), cert, tbs, x, issuer;
    if (br_element(&r, &cert, NULL) != 0x30 || br_element(&cert, &tbs, NULL) != 0x30)
        return false;
    if (rd_peek(&tbs, 0) == 0xa0 && br_element(&tbs, &x, NULL) != 0xa0) /* version */
        return false;
    if (br_element(&tbs, &x, NULL) != 0x02 ||    /* serialNumber */
        br_element(&tbs, &x, NULL) != 0x30 ||    /* signature */
        br_element(&tbs, &x, &issuer) != 0x30 || /* issuer */
        br_element(&tbs, &x, NULL) != 0x30 ||    /* validity */
        br_element(&tbs, &x, subject) != 0x30)   /* subject */
        return false;
    size_t li = rd_left(&issuer), ls = rd_left(subject);
    struct rd s = *subject;
    const uint8_t *a = rd_bytes(&issuer, li, "issuer"), *b = rd_bytes(&s, ls, "subject");
    return a != NULL && b != NULL && li == ls && memcmp(a, b, li) == 0;
}

/* A block's base64 decoded: its root's name kept. */
static void
br_block(size_t b64len)
{
    if (b64len == 0 || b64len % 4 != 0 || br.n == BR_ROOTS_MAX)
        return;
    br.b64[b64len] = '\0';
    int n = EVP_DecodeBlock(br.der, (const unsigned char *)br.b64, (int)b64len);
    struct rd subject;
    if (n > 0 && br_root_subject(br.der, (size_t)n, &subject)) {
        size_t ls = rd_left(&subject);
        br.hash[br.n++] = br_hash(rd_bytes(&subject, ls, "subject"), ls);
    }
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
bundleroots_has(const uint8_t *name, size_t len)
{
    uint64_t h = br_hash(name, len);
    for (unsigned i = 0; i < br.n; i++)
        if (br.hash[i] == h)
            return true;
    return false;
}

unsigned
bundleroots_count(void)
{
    return br.n;
}
