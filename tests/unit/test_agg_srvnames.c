/* \summary: unit tests for a server's names (src/agg_srvnames.c): a
 * certificate's names are its subjectAltName dNSNames, its CN only without
 * dNSName and iPAddress SANs (RFC 6125 §6.4.4); a name asked for (SNI)
 * that one of them names or covers (a wildcard) is the certificate's too,
 * whichever came first, so that "only asked for (SNI)" lists only names no
 * certificate of the server showed; a certificate with many names leaves
 * room for the names asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/x509v3.h>

#include "aggregate.h"
#include "certcache.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

static uint32_t
add(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    return tu_cert_add(path);
}

/* Session id from 198.51.100.10 to 203.0.113.25:25 with the one-certificate
 * chain {leaf} and the SNI sni (NULL: none). */
static void
session(uint64_t id, uint32_t leaf, const char *sni)
{
    static struct session_facts f;
    static uint8_t name[128];
    uint32_t ids[1] = {leaf};
    tu_chain_facts(&f, ids, 1, NULL);
    if (sni) {
        snprintf((char *)name, sizeof(name), "%s", sni);
        f.tls.sni.s = name;
        f.tls.sni.len = (uint32_t)strlen(sni);
    }
    f.smtp.seen = true;
    f.tls.client_version = 0x0303;
    f.tls.handshake = TLS_HS_COMPLETE;
    tu_agg_feed(tu_agg_record(&f, id, 10, 25, 25));
}

/* The server record's name_sources, then the report's SERVER line. */
static void
names_are(const char *sources, const char *server_line)
{
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, sources);
    free(json);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, server_line);
    free(text);
}

/* SNI smtp.example.com, the leaf's second dNSName: not "only asked for";
 * both SAN names are the certificate's. */
static void
test_sni_in_san(void **state)
{
    (void)state;
    session(1, add("leaf"), "smtp.example.com");
    names_are(
        "\"name_sources\":[{\"name\":\"smtp.example.com\",\"from\":[\"sni\",\"certificate\"]},"
        "{\"name\":\"mail.example.com\",\"from\":[\"certificate\"]}]",
        "SERVER 203.0.113.25:25  names: smtp.example.com, mail.example.com\n");
}

/* A name the certificate does not hold stays apart. */
static void
test_sni_not_in_san(void **state)
{
    (void)state;
    session(1, add("leaf"), "other.example.org");
    names_are("{\"name\":\"other.example.org\",\"from\":[\"sni\"]}",
              "SERVER 203.0.113.25:25  names: mail.example.com, smtp.example.com; only asked for "
              "(SNI): other.example.org\n");
}

/* *.example.com covers mx1.example.com, also asked for in a later session
 * that got another certificate (the wildcard seen first), not
 * a.b.example.com (one label only, RFC 6125 §6.4.3). */
static void
test_sni_wildcard(void **state)
{
    (void)state;
    uint32_t w = add("wildcard"), self = add("selfsigned");
    session(1, w, NULL);
    session(2, self, "mx1.example.com");
    session(3, self, "a.b.example.com");
    names_are("{\"name\":\"mx1.example.com\",\"from\":[\"sni\",\"certificate\"]}",
              "; only asked for (SNI): a.b.example.com\n");
}

/* The SNI first, the certificate that covers it later. */
static void
test_sni_before_wildcard(void **state)
{
    (void)state;
    uint32_t w = add("wildcard"), self = add("selfsigned");
    session(1, self, "mx1.example.com");
    session(2, w, "mx1.example.com");
    names_are("{\"name\":\"mx1.example.com\",\"from\":[\"sni\",\"certificate\"]}",
              "SERVER 203.0.113.25:25  names: mx1.example.com, SERVER1, SERVER1.domain.com, "
              "*.example.com\n");
}

/* CN=192.0.2.25 with iPAddress and dNSName SANs: the dNSName, not the CN;
 * a certificate without SANs: its CN. */
static void
test_cn_only_without_san(void **state)
{
    (void)state;
    session(1, add("ipsan"), NULL);
    session(2, add("cnonly"), NULL);
    names_are("\"name_sources\":[{\"name\":\"mx.example.net\",\"from\":[\"certificate\"]},"
              "{\"name\":\"cnonly.example.com\",\"from\":[\"certificate\"]}]",
              "SERVER 203.0.113.25:25  names: mx.example.net, cnonly.example.com\n");
}

/* A certificate of 12 dNSNames fills its 8 and no more; a name asked for
 * after it is kept, and listed apart. */
static void
test_many_san(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    X509 *x =
        tu_make_cert("n0.example.net", "n0.example.net", key, false, "critical,digitalSignature",
                     TU_AGG_T2025 - 86400, TU_AGG_T2025 + 86400 * 365, NULL);
    char san[512] = "";
    for (unsigned i = 0; i < 12; i++)
        snprintf(san + strlen(san), sizeof(san) - strlen(san), "%sDNS:n%u.example.net",
                 i ? "," : "", i);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    uint32_t id = tu_cert_add_x509(x);
    X509_free(x);
    EVP_PKEY_free(key);
    session(1, id, NULL);
    session(2, id, "asked.example.org");
    session(3, id, "n10.example.net"); /* past the 8 kept: asked for, and the certificate's */
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "{\"name\":\"n7.example.net\",\"from\":[\"certificate\"]},"
                 "{\"name\":\"asked.example.org\",\"from\":[\"sni\"]},"
                 "{\"name\":\"n10.example.net\",\"from\":[\"sni\",\"certificate\"]}]");
    tu_lacks(json, "\"n8.example.net\"");
    free(json);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, ", n7.example.net, n10.example.net; only asked for (SNI): asked.example.org\n");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sni_in_san, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_not_in_san, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_wildcard, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sni_before_wildcard, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_cn_only_without_san, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_many_san, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
