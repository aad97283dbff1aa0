/* \summary: test helpers: fixture certificates into the certificate cache, certificates made on the
 * spot, and the session facts of a server chain sent in clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certcache.h"
#include "tu_certs.h"
#include "tu_file.h"

uint32_t
tu_cert_add(const char *path)
{
    size_t n;
    uint8_t *der = tu_read_file(path, &n);
    uint32_t id = certcache_add(der, n);
    free(der);
    assert_true(id > 0);
    return id;
}

X509 *
tu_cert_load_pem(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    return x;
}

uint32_t
tu_cert_add_x509(X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    uint32_t id = certcache_add(der, (size_t)n);
    assert_true(id > 0);
    OPENSSL_free(der);
    return id;
}

uint32_t
tu_cert_add_pem(const char *path)
{
    X509 *x = tu_cert_load_pem(path);
    uint32_t id = tu_cert_add_x509(x);
    X509_free(x);
    return id;
}

void
tu_chain_facts(struct session_facts *facts, const uint32_t *ids, unsigned n, uint8_t *sni)
{
    memset(facts, 0, sizeof(*facts));
    facts->tls.seen = true;
    facts->tls.certificates = TLS_CERTS_VISIBLE;
    for (unsigned i = 0; i < n && i < FACTS_CHAIN_MAX; i++)
        facts->tls.server_chain[facts->tls.n_server_chain++] = ids[i];
    if (sni != NULL) {
        facts->tls.sni.s = sni;
        facts->tls.sni.len = (uint32_t)strlen((const char *)sni);
    }
}

void
tu_resumed_facts(struct session_facts *facts, const uint32_t *ids, unsigned n, uint16_t from_port)
{
    facts->tls.n_server_chain = 0;
    facts->tls.certificates = TLS_CERTS_RESUMED;
    facts->tls.resumed = true;
    facts->tls.handshake = TLS_HS_COMPLETE;
    facts->tls.n_resumed_chain = 0;
    for (unsigned i = 0; i < n && i < FACTS_CHAIN_MAX; i++)
        facts->tls.resumed_chain[facts->tls.n_resumed_chain++] = ids[i];
    facts->tls.resumed_from = 1;
    facts->tls.resumed_port = from_port;
    facts->tls.resumed_by = 2;
}

static void
tu_make_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/* A certificate signed with key (one key for issuer and subject: the
 * signatures verify, the names make the chain), valid from nb to na; ku its
 * key usage ("digitalSignature" on a CA must not sign certificates, RFC 5280
 * §4.2.1.3: OpenSSL reports KEYUSAGE_NO_CERTSIGN on its leaves). raw_na, when
 * given, replaces notAfter by that UTCTime text as is (malformed times). */
X509 *
tu_make_cert_named(const X509_NAME *subject, const X509_NAME *issuer, EVP_PKEY *key, bool ca,
                   const char *ku, time_t nb, time_t na, const char *raw_na)
{
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    assert_int_equal(X509_set_subject_name(x, subject), 1);
    assert_int_equal(X509_set_issuer_name(x, issuer), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), nb));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), na));
    if (raw_na) {
        ASN1_TIME *t = X509_getm_notAfter(x);
        assert_int_equal(ASN1_STRING_set(t, raw_na, (int)strlen(raw_na)), 1);
        t->type = V_ASN1_UTCTIME;
    }
    assert_int_equal(X509_set_pubkey(x, key), 1);
    tu_make_ext(x, x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    tu_make_ext(x, x, NID_key_usage, ku);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return x;
}

X509 *
tu_make_cert(const char *cn, const char *issuer_cn, EVP_PKEY *key, bool ca, const char *ku,
             time_t nb, time_t na, const char *raw_na)
{
    X509_NAME *s = X509_NAME_new(), *i = X509_NAME_new();
    assert_true(s != NULL && i != NULL);
    X509_NAME_add_entry_by_txt(s, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(i, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1, 0);
    X509 *x = tu_make_cert_named(s, i, key, ca, ku, nb, na, raw_na);
    X509_NAME_free(s);
    X509_NAME_free(i);
    return x;
}
