/* \summary: fuzz target for certificate handling: x509_extract on raw DER,
 * the certificate cache (hash, parse once), the Exchange name, the RFC 6125
 * name check and chain verification on an empty trust store, the
 * revocation and issuer URLs (bounded, printable), and the JSON writer's
 * UTF-8 strings. The input is
 * also split in two at its first byte's value to make a two-certificate
 * chain. */
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certcache.h"
#include "config.h"
#include "json.h"
#include "mem.h"
#include "names.h"
#include "verify.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The Exchange name and the input itself as characters (json_utf8_k). */
static void
fuzz_x509_json(const char *ex, const uint8_t *data, size_t size)
{
    static FILE *null_out;
    if (null_out == NULL && (null_out = fopen("/dev/null", "w")) == NULL)
        abort();
    char *raw = malloc(size + 1);
    if (raw == NULL)
        return;
    memcpy(raw, data, size);
    raw[size] = '\0';
    struct json j;
    json_init(&j, null_out);
    json_obj_begin(&j, NULL);
    json_utf8(&j, "exchange_cert_name", ex);
    json_utf8(&j, "raw", raw);
    json_obj_end(&j);
    json_record_end(&j);
    if (json_flush(&j) != 0)
        abort();
    json_free(&j);
    free(raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x509_info info;
    x509_extract(data, size, &info);
    char ex[512];
    x509_exchange_cert_name(&info, ex, sizeof(ex));
    /* the revocation and issuer URLs: bounded, and printable (escaped) */
    for (int k = 0; k < X509_URL_KINDS; k++) {
        unsigned nu;
        char *const *u = x509_urls(&info, (enum x509_url_kind)k, &nu);
        if (nu > X509_URLS_MAX)
            abort();
        for (unsigned i = 0; i < nu; i++)
            for (const char *c = u[i]; *c != '\0'; c++)
                if (*c < 0x20 || *c == 0x7f || c - u[i] >= 4 * X509_URL_LEN_MAX)
                    abort();
    }
    x509_info_free(&info);
    fuzz_x509_json(ex, data, size);

    static struct config cfg;
    static bool verify_ready;
    config_defaults(&cfg);
    cfg.no_system_ca = true;
    if (!verify_ready) {
        char err[128];
        if (verify_init(&cfg, err, sizeof(err)) != 0)
            abort();
        verify_ready = true;
    }
    mem_init(cfg.memcap);
    certcache_init(8);
    size_t cut = size ? (size_t)data[0] % (size + 1) : 0;
    uint32_t ids[2];
    unsigned n = 0;
    if (size && (ids[n] = certcache_add(data, size)) != 0)
        n++;
    if (cut > 1 && (ids[n] = certcache_add(data + 1, cut - 1)) != 0)
        n++;
    if (n) {
        X509 *x = certcache_x509(ids[0]);
        if (x) {
            names_check(x, "mail.example.com", NULL, 0);
            names_check(x, "192.0.2.25", NULL, 0);
            X509_free(x);
        }
        struct verify_result r;
        verify_chain(ids, n, 1750000000, VERIFY_SERVER, &r);
        verify_chain(ids, n, 1750000000, VERIFY_CLIENT, &r); /* mutual TLS's */
    }
    certcache_free();
    if (mem_in_use() != 0)
        abort();
    return 0;
}
