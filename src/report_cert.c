/* \summary: one certificate as JSON, shared by every record that names one
 * (RFC 5280 fields; the Exchange thumbprint is the SHA-1 of the DER in
 * upper-case hex, as Get-ExchangeCertificate prints it). */
#include "report_cert.h"
#include "strcopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Hex of n bytes into out (2n + 1 bytes): a digit d is '0' + d, plus adj
 * above 9 (39 makes 'a'-'f', 7 'A'-'F'). SSE2 converts 16 bytes a step
 * (the nibbles split and interleaved, compared with 9, adj added where
 * greater), the bytes left one at a time. Chains' SHA-256 in
 * hex were ~2.6 % of the dense slice in callgrind at ~10 instructions a
 * byte (issue 5). */
static void
report_hex_case(char *out, const uint8_t *b, size_t n, char adj)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i m0f = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
    const __m128i zero = _mm_set1_epi8('0'), letter = _mm_set1_epi8(adj);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), m0f), lo = _mm_and_si128(v, m0f);
        __m128i x[2] = {_mm_unpacklo_epi8(hi, lo), _mm_unpackhi_epi8(hi, lo)};
        for (unsigned k = 0; k < 2; k++) {
            __m128i a = _mm_and_si128(_mm_cmpgt_epi8(x[k], nine), letter);
            _mm_storeu_si128((__m128i *)(void *)(out + 2 * i + 16 * k),
                             _mm_add_epi8(x[k], _mm_add_epi8(zero, a)));
        }
    }
#endif
    for (; i < n; i++) {
        unsigned h = b[i] >> 4, l = b[i] & 15;
        out[2 * i] = (char)('0' + h + (h > 9 ? adj : 0));
        out[2 * i + 1] = (char)('0' + l + (l > 9 ? adj : 0));
    }
    out[2 * n] = '\0';
}

void
report_hex(char *out, const uint8_t *b, size_t n)
{
    report_hex_case(out, b, n, 'a' - '0' - 10);
}

void
report_hex_upper(char *out, const uint8_t *b, size_t n)
{
    report_hex_case(out, b, n, 'A' - '0' - 10);
}

void
report_key_str(char *out, size_t n, const struct x509_info *info)
{
    if (!info->key_type[0])
        snprintf(out, n, "unknown");
    else if (info->key_curve[0])
        snprintf(out, n, "%s %d (%s)", info->key_type, info->key_bits, info->key_curve);
    else if (info->key_bits > 0)
        snprintf(out, n, "%s %d", info->key_type, info->key_bits);
    else
        str_copy(out, n, info->key_type);
}

/* The rendered JSON object of recently written certificates, by id: a
 * certificate sent in many sessions is formatted once. Direct-mapped and
 * bounded (REPORT_CERT_CACHE slots of at most REPORT_CERT_JSON_MAX bytes). */
#define REPORT_CERT_CACHE    1024
#define REPORT_CERT_JSON_MAX 8192
static struct {
    uint32_t id;
    uint32_t len;
    char *s;
} rc_cache[REPORT_CERT_CACHE];

void
report_cert_cache_free(void)
{
    for (unsigned i = 0; i < REPORT_CERT_CACHE; i++) {
        free(rc_cache[i].s);
        rc_cache[i].s = NULL;
        rc_cache[i].id = 0;
    }
}

static void report_cert_render(struct json *j, const char *key, uint32_t cert_id);

void
report_cert_json(struct json *j, const char *key, uint32_t cert_id)
{
    unsigned slot = cert_id % REPORT_CERT_CACHE;
    if (cert_id != 0 && rc_cache[slot].id == cert_id && rc_cache[slot].s) {
        json_raw(j, key, rc_cache[slot].s, rc_cache[slot].len);
        return;
    }
    size_t start = json_pos(j);
    report_cert_render(j, key, cert_id);
    size_t end = json_pos(j);
    const char *d = json_data(j);
    const struct cert_entry *e = certcache_get(cert_id);
    if (cert_id == 0 || !d || end <= start || !e || e->refused)
        return; /* a refused decode is tried again: its render would go stale */
    /* Skip the member's comma and key: the value starts at its '{'. */
    const char *v = memchr(d + start, '{', end - start);
    if (!v || (size_t)(d + end - v) > REPORT_CERT_JSON_MAX)
        return;
    size_t n = (size_t)(d + end - v);
    char *copy = realloc(rc_cache[slot].s, n);
    if (!copy)
        return;
    memcpy(copy, v, n);
    rc_cache[slot].s = copy;
    rc_cache[slot].len = (uint32_t)n;
    rc_cache[slot].id = cert_id;
}

/* One kind of the certificate's URLs as an array (empty when none), and
 * "<key>_truncated": true when some were left out (x509.h bounds). */
static void
report_cert_urls(struct json *j, const struct x509_info *x, enum x509_url_kind kind,
                 const char *key, const char *cut_key)
{
    unsigned n;
    char *const *u = x509_urls(x, kind, &n);
    json_arr_begin(j, key);
    for (unsigned i = 0; i < n; i++)
        json_str(j, NULL, u[i]);
    json_arr_end(j);
    if (x->urls_truncated & (1u << kind))
        json_bool(j, cut_key, true);
}

void
report_cert_sha256_json(struct json *j, const char *key, uint32_t cert_id)
{
    const struct cert_entry *e = certcache_get(cert_id);
    char h[65];
    if (e != NULL)
        report_hex(h, e->sha256, 32);
    json_str(j, key, e != NULL ? h : NULL);
}

void
report_chain_sha256_json(struct json *j, const char *key, const uint32_t *ids, unsigned n)
{
    json_arr_begin(j, key);
    for (unsigned i = 0; i < n; i++)
        report_cert_sha256_json(j, NULL, ids[i]);
    json_arr_end(j);
}

static void
report_cert_render(struct json *j, const char *key, uint32_t cert_id)
{
    const struct cert_entry *e = certcache_get(cert_id);
    json_obj_begin(j, key);
    if (!e) {
        json_null(j, "sha256");
        json_str(j, "parse_error", "not cached (certcache.max reached or out of memory)");
        json_obj_end(j);
        return;
    }
    char h256[65], h1[41], h1u[41];
    report_hex(h256, e->sha256, 32);
    report_hex(h1, e->sha1, 20);
    report_hex_upper(h1u, e->sha1, 20);
    json_str(j, "sha256", h256);
    json_str(j, "sha1", h1);
    const struct x509_info *x = &e->info;
    if (x->parse_error) {
        json_uint(j, "length", e->der_len);
        json_str(j, "parse_error", x->parse_error);
        json_obj_end(j);
        return;
    }
    json_str(j, "subject", x->subject);
    json_str(j, "issuer", x->issuer);
    json_str(j, "subject_cn", x->subject_cn);
    json_str(j, "serial", x->serial);
    json_arr_begin(j, "san");
    for (unsigned i = 0; i < x->n_san; i++) {
        char b[2] = {x->san[i].type, '\0'};
        const char *t = x->san[i].type == 'D'   ? "DNS"
                        : x->san[i].type == 'I' ? "IP"
                        : x->san[i].type == 'E' ? "email"
                        : x->san[i].type == 'U' ? "URI"
                                                : b;
        char v[600]; /* "type:value", as snprintf "%s:%s" would cut it */
        size_t at = str_copy(v, sizeof(v), t);
        at = str_cat(v, sizeof(v), at, ":", 1);
        str_cat(v, sizeof(v), at, x->san[i].value, sizeof(v));
        json_str(j, NULL, v);
    }
    json_arr_end(j);
    if (x->san_truncated)
        json_bool(j, "san_truncated", true);
    json_str(j, "not_before", x->not_before_iso);
    json_str(j, "not_after", x->not_after_iso);
    char k[80];
    report_key_str(k, sizeof(k), x);
    json_str(j, "key", k);
    json_str(j, "sig_alg", x->sig_alg);
    json_bool(j, "self_signed", x->self_signed);
    json_bool(j, "is_ca", x->is_ca);
    report_cert_urls(j, x, X509_URL_CRL, "crl_urls", "crl_urls_truncated");
    report_cert_urls(j, x, X509_URL_OCSP, "ocsp_urls", "ocsp_urls_truncated");
    report_cert_urls(j, x, X509_URL_CA_ISSUERS, "ca_issuers_urls", "ca_issuers_urls_truncated");
    json_str(j, "exchange_thumbprint", h1u);
    char xn[2 * 4100 + 8]; /* <I>issuer<S>subject: each at most x509_winname's 4 099 bytes */
    if (x509_exchange_cert_name(x, xn, sizeof(xn)) == 0)
        json_utf8(j, "exchange_cert_name", xn);
    json_uint(j, "length", e->der_len);
    json_obj_end(j);
}
