/* \summary: JA4 TLS client fingerprint (see ja4.h). */
#include "ja4.h"
#include "cursor.h"
#include "ja3.h" /* ja3_is_grease: RFC 8701's values */

#include <openssl/evp.h>
#include <stdlib.h> /* qsort */
#include <string.h>

enum {
    JA4_EXT_SERVER_NAME = 0x0000,
    JA4_EXT_SIGNATURE_ALGORITHMS = 0x000d,
    JA4_EXT_ALPN = 0x0010,
    JA4_EXT_SUPPORTED_VERSIONS = 0x002b
};

struct ja4_hello {
    uint16_t legacy_version, max_supported;
    bool sni;
    unsigned n_ciphers, n_exts, n_hashed_exts, n_sigalgs;
    const uint8_t *alpn; /* the first ALPN value, NULL when none */
    size_t alpn_len;
    uint16_t ciphers[JA4_CIPHERS_MAX];
    uint16_t exts[JA4_EXTS_MAX]; /* without SNI and ALPN */
    uint16_t sigalgs[JA4_SIGALGS_MAX];
};

static int
ja4_cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* JA4's version field: the highest supported_versions value, else
 * legacy_version (the record layer's is ignored). */
static const char *
ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0x0002:
        return "s2";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    default:
        return "00";
    }
}

static bool
ja4_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The first ALPN value's first and last characters; "00" for none or an
 * empty one; when either end is not alphanumeric, the first and last
 * characters of the value's hex form. */
static void
ja4_alpn(const struct ja4_hello *h, char out[2])
{
    static const char hex[] = "0123456789abcdef";
    if (!h->alpn || h->alpn_len == 0) {
        out[0] = out[1] = '0';
        return;
    }
    uint8_t first = h->alpn[0], last = h->alpn[h->alpn_len - 1];
    if (ja4_alnum(first) && ja4_alnum(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hex[first >> 4];
        out[1] = hex[last & 15];
    }
}

/* Appends "%04x" values joined by ','. */
static size_t
ja4_join(char *o, const uint16_t *v, unsigned n)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i > 0)
            o[k++] = ',';
        o[k++] = hex[v[i] >> 12];
        o[k++] = hex[v[i] >> 8 & 15];
        o[k++] = hex[v[i] >> 4 & 15];
        o[k++] = hex[v[i] & 15];
    }
    return k;
}

/* The first 12 hex digits of SHA-256 of s[0..n); "000000000000" for an
 * empty list (the spec's mark of a field without values). */
static bool
ja4_sha12(const char *s, size_t n, char out[12])
{
    static const char hex[] = "0123456789abcdef";
    static EVP_MD *sha256; /* fetched once: an implicit fetch costs more than the digest */
    if (n == 0) {
        memset(out, '0', 12);
        return true;
    }
    if (!sha256)
        sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!sha256 || EVP_Digest(s, n, md, &len, sha256, NULL) != 1 || len < 6)
        return false;
    for (unsigned i = 0; i < 6; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    return true;
}

/* One extension of the ClientHello: counted, and read when JA4 uses its
 * contents. False when a list is over its limit. */
static bool
ja4_extension(struct ja4_hello *h, uint16_t type, struct rd e)
{
    if (ja3_is_grease(type))
        return true;
    h->n_exts++;
    switch (type) {
    case JA4_EXT_SERVER_NAME:
        h->sni = true;
        return true;
    case JA4_EXT_ALPN: { /* RFC 7301 §3.1: ProtocolNameList, each <1..2^8-1> */
        struct rd l = rd_sub(&e, rd_be16(&e, "alpn.list_len"), "alpn.list");
        uint8_t n = rd_u8(&l, "alpn.name_len");
        const uint8_t *p = rd_bytes(&l, n, "alpn.name");
        if (p && n > 0 && !h->alpn) {
            h->alpn = p;
            h->alpn_len = n;
        }
        return true;
    }
    case JA4_EXT_SUPPORTED_VERSIONS: { /* RFC 8446 §4.2.1: versions<2..254> */
        struct rd l = rd_sub(&e, rd_u8(&e, "sv.len"), "sv.list");
        while (rd_left(&l) >= 2) {
            uint16_t v = rd_be16(&l, "sv.version");
            if (!ja3_is_grease(v) && v > h->max_supported)
                h->max_supported = v;
        }
        break;
    }
    case JA4_EXT_SIGNATURE_ALGORITHMS: { /* RFC 8446 §4.2.3 */
        struct rd l = rd_sub(&e, rd_be16(&e, "sigalgs.len"), "sigalgs.list");
        while (rd_left(&l) >= 2) {
            uint16_t v = rd_be16(&l, "sigalgs.value");
            if (ja3_is_grease(v))
                continue;
            if (h->n_sigalgs == JA4_SIGALGS_MAX)
                return false;
            h->sigalgs[h->n_sigalgs++] = v;
        }
        break;
    }
    default:
        break;
    }
    if (h->n_hashed_exts == JA4_EXTS_MAX)
        return false;
    h->exts[h->n_hashed_exts++] = type;
    return true;
}

static bool
ja4_parse(struct ja4_hello *h, const uint8_t *msg, size_t n)
{
    struct rd r = rd_init(msg, n);
    h->legacy_version = rd_be16(&r, "ch.version");
    rd_skip(&r, 32, "ch.random");
    uint8_t sid = rd_u8(&r, "ch.session_id_len");
    if (sid > 32)
        return false;
    rd_skip(&r, sid, "ch.session_id");
    struct rd cs = rd_sub(&r, rd_be16(&r, "ch.cipher_suites_len"), "ch.cipher_suites");
    while (rd_left(&cs) >= 2) {
        uint16_t c = rd_be16(&cs, "ch.cipher");
        if (ja3_is_grease(c))
            continue;
        if (h->n_ciphers == JA4_CIPHERS_MAX)
            return false;
        h->ciphers[h->n_ciphers++] = c;
    }
    if (rd_left(&cs) != 0)
        return false; /* an odd length */
    rd_skip(&r, rd_u8(&r, "ch.compression_len"), "ch.compression");
    if (rd_left(&r) > 0) { /* extensions may be absent (RFC 5246 §7.4.1.2) */
        struct rd exts = rd_sub(&r, rd_be16(&r, "ch.extensions_len"), "ch.extensions");
        while (rd_ok(&exts) && rd_left(&exts) > 0) {
            uint16_t type = rd_be16(&exts, "ext.type");
            struct rd e = rd_sub(&exts, rd_be16(&exts, "ext.len"), "ext.body");
            if (!rd_ok(&exts) || !ja4_extension(h, type, e))
                return false;
        }
        if (!rd_ok(&exts))
            return false;
    }
    return rd_ok(&r);
}

bool
ja4_compute(const uint8_t *msg, size_t n, char out[JA4_LEN + 1])
{
    out[0] = '\0';
    struct ja4_hello hello = {0}; /* ~1 KiB: once per distinct ClientHello (tls_hs.c) */
    struct ja4_hello *h = &hello;
    bool ok = ja4_parse(h, msg, n);
    /* the longest list joined: 5 characters a value, and a '_' */
    char buf[(JA4_EXTS_MAX + JA4_SIGALGS_MAX > JA4_CIPHERS_MAX ? JA4_EXTS_MAX + JA4_SIGALGS_MAX
                                                               : JA4_CIPHERS_MAX) *
                 5 +
             1];
    char a[10];
    if (ok) {
        const char *v = ja4_version(h->max_supported ? h->max_supported : h->legacy_version);
        unsigned nc = h->n_ciphers > 99 ? 99 : h->n_ciphers;
        unsigned ne = h->n_exts > 99 ? 99 : h->n_exts;
        a[0] = 't'; /* TLS over TCP: smtptap reads no QUIC or DTLS */
        a[1] = v[0];
        a[2] = v[1];
        a[3] = h->sni ? 'd' : 'i';
        a[4] = (char)('0' + nc / 10);
        a[5] = (char)('0' + nc % 10);
        a[6] = (char)('0' + ne / 10);
        a[7] = (char)('0' + ne % 10);
        ja4_alpn(h, a + 8);
        memcpy(out, a, 10);
        out[10] = '_';
        qsort(h->ciphers, h->n_ciphers, sizeof(h->ciphers[0]), ja4_cmp_u16);
        ok = ja4_sha12(buf, ja4_join(buf, h->ciphers, h->n_ciphers), out + 11);
        out[23] = '_';
        qsort(h->exts, h->n_hashed_exts, sizeof(h->exts[0]), ja4_cmp_u16);
        size_t k = ja4_join(buf, h->exts, h->n_hashed_exts);
        if (k > 0 && h->n_sigalgs > 0) {
            buf[k++] = '_';
            k += ja4_join(buf + k, h->sigalgs, h->n_sigalgs);
        }
        ok = ok && ja4_sha12(buf, k, out + 24);
        out[JA4_LEN] = '\0';
    }
    if (!ok)
        out[0] = '\0';
    return ok;
}
