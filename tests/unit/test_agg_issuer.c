/* \summary: unit tests for missing_intermediate's issuer found elsewhere in
 * the capture (src/agg_issuer.c, agg_missing_issuer in
 * src/agg_findings_flags.c, the finding's issuer_seen in src/agg_json.c).
 * A server that sends its leaf alone, while another chain of the capture
 * (another server's, the same server's in other sessions, a client's) sent
 * the intermediate that issued it: the finding names that certificate and
 * its first sender, and, as it leads to the trusted root, says the server
 * must send it (no "either ... or"). An intermediate that leads to no
 * trusted root keeps the either/or and adds "it is an intermediate"; a
 * self-signed issuer is a root the store lacks. A certificate of the same
 * name whose key did not sign the chain is no issuer; nothing sent: the
 * finding as before. Of several issuers of the same name and key, one not
 * self-signed is named before a root, then the first sent. Each chain of
 * a finding is looked up: with several, issuers_seen lists each chain's
 * issuer found and the summary names those the first's is not; the
 * terminal report's chain line of each says which certificate the capture
 * holds and who sent it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "aggregate.h"
#include "certcache.h"
#include "facts.h"
#include "report_cert.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

#define CERTS SRCDIR "/tests/data/certs/"

/* Session id from 198.51.100.10 to 203.0.113.<server>:25 that sent the
 * chain ids[0..n) (and, when cn, the client chain cids[0..cn)), diagnosed
 * and aggregated; it begins id seconds after TU_AGG_T2025. */
static void
feed(uint64_t id, uint8_t server, const uint32_t *ids, unsigned n, const uint32_t *cids,
     unsigned cn)
{
    static struct session_facts f;
    tu_chain_facts(&f, ids, n, NULL);
    for (unsigned i = 0; i < cn; i++)
        f.tls.client_chain[f.tls.n_client_chain++] = cids[i];
    tu_agg_feed(tu_agg_record(&f, id, 10, server, 25));
}

/* "(SHA-1 1234ABCD, until 2039-01-01)" of certificate id, as the summary
 * names it; its SHA-1 and SHA-256 in lower-case hex. */
static void
cert_refs(uint32_t id, char *label, size_t n, char *sha1, char *sha256)
{
    const struct cert_entry *e = certcache_get(id);
    assert_non_null(e);
    char h[41];
    report_hex_upper(h, e->sha1, 4);
    snprintf(label, n, "(SHA-1 %s, until %.10s)", h, e->info.not_after_iso);
    report_hex(sha1, e->sha1, 20);
    report_hex(sha256, e->sha256, 32);
}

/* The missing_intermediate finding record of 203.0.113.25:25 in json (its
 * line, a malloc'd copy), failing the test when there is none. */
static char *
finding_of_25(const char *json)
{
    const char *p = json;
    while ((p = strstr(p, "{\"event\":\"finding\"")) != NULL) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *line = strndup(p, len);
        if (strstr(line, "\"kind\":\"missing_intermediate\"") &&
            strstr(line, "\"server\":{\"ip\":\"203.0.113.25\",\"port\":25}"))
            return line;
        free(line);
        p += len;
    }
    fail_msg("no missing_intermediate finding on 203.0.113.25:25");
    return NULL;
}

/* 203.0.113.25 sends its leaf alone; 203.0.113.27 (session 2) and
 * 203.0.113.26 (session 3) send leaves with the intermediate that issued
 * it: the first to send it is .27, though .26 sorts first by address. */
static void
test_sent_elsewhere_trusted(void **state)
{
    (void)state;
    uint32_t leaf = tu_cert_add(CERTS "leaf.der"), inter = tu_cert_add(CERTS "inter.der");
    uint32_t wild = tu_cert_add(CERTS "wildcard.der"), ipsan = tu_cert_add(CERTS "ipsan.der");
    feed(1, 25, (uint32_t[]){leaf}, 1, NULL, 0);
    feed(2, 27, (uint32_t[]){ipsan, inter}, 2, NULL, 0);
    feed(3, 26, (uint32_t[]){wild, inter}, 2, NULL, 0);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL), *json = tu_agg_json();
    char ref[64], sha1[41], sha256[65], want[512];
    cert_refs(inter, ref, sizeof(ref), sha1, sha256);
    snprintf(want, sizeof(want),
             "203.0.113.25:25 sent a chain whose top certificate's issuer, C=DE,O=smtptap "
             "Tests,CN=smtptap Test Intermediate CA, is not sent: the server does not send its "
             "intermediate, whose certificate was sent by 203.0.113.27:25 in this capture %s and "
             "leads to the trusted root C=DE,O=smtptap Tests,CN=smtptap Test Root CA (SHA-1 ",
             ref);
    tu_has(text, want);
    tu_has(text, "; add it to the chain this server sends (configure the full chain: leaf + "
                 "intermediates) (1 session, peers 198.51.100.10;");
    tu_lacks(text, "either the server does not send");
    char *f = finding_of_25(json);
    tu_has(f, want); /* the JSON's summary is the report's */
    snprintf(want, sizeof(want),
             "\"issuer_seen\":{\"sha256\":\"%s\",\"sha1\":\"%s\",\"subject\":\"C=DE,O=smtptap "
             "Tests,CN=smtptap Test Intermediate CA\",",
             sha256, sha1);
    tu_has(f, want);
    tu_has(f,
           "\"sent_by\":\"203.0.113.27:25\",\"sent_as\":\"server\",\"first_seen\":\"2025-06-01T00:"
           "00:02.000000Z\",\"self_signed\":false,\"trusted_root\":true}");
    tu_lacks(f, "issuers_seen"); /* one chain: issuer_seen alone */
    tu_lacks(f, "of the other chains' issuers");
    /* the server block's chain line: the certificate and its sender */
    char full[41];
    report_hex_upper(full, certcache_get(inter)->sha1, 20);
    snprintf(
        want, sizeof(want),
        "    chain      1 certificate sent; unable to get local issuer certificate; its issuer "
        "was seen in this capture: C=DE,O=smtptap Tests,CN=smtptap Test Intermediate CA "
        "(SHA-1 %s), sent by 203.0.113.27:25\n",
        full);
    tu_has(text, want);
    free(f);
    free(text);
    free(json);
}

/* Nothing of the capture issued the leaf: a certificate of the
 * intermediate's name under another key (203.0.113.26 sends it) is no
 * issuer, and the finding keeps its either/or, without issuer_seen. */
static void
test_same_name_other_key(void **state)
{
    (void)state;
    uint32_t leaf = tu_cert_add(CERTS "leaf.der"), wild = tu_cert_add(CERTS "wildcard.der");
    X509 *inter = tu_cert_load_pem(CERTS "inter.pem");
    /* RSA as the real one: OpenSSL's issuer check compares the key type
     * with the leaf's signature algorithm; no key identifier to tell them
     * apart (tu_make_cert_named writes none): the signature alone does */
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    assert_non_null(key);
    X509 *fake = tu_make_cert_named(X509_get_subject_name(inter), X509_get_subject_name(inter), key,
                                    true, "critical,keyCertSign,cRLSign", TU_AGG_T2025 - 86400,
                                    TU_AGG_T2025 + 86400 * 365, NULL);
    uint32_t fid = tu_cert_add_x509(fake);
    X509_free(fake);
    X509_free(inter);
    EVP_PKEY_free(key);
    feed(1, 25, (uint32_t[]){leaf}, 1, NULL, 0);
    feed(2, 26, (uint32_t[]){wild, fid}, 2, NULL, 0);
    agg_finish();
    char *json = tu_agg_json();
    char *f = finding_of_25(json);
    tu_has(f, "is neither sent nor in smtptap's trust store: either the server does not send its "
              "intermediate (configure the full chain: leaf + intermediates), or the verifier's "
              "trust store lacks that CA (it may be a root: add it there) (1 session,");
    tu_lacks(f, "was sent by");
    tu_lacks(f, "issuer_seen");
    free(f);
    free(json);
}

/* Other Intermediate sent by 203.0.113.26 (with its leaf), whose root the
 * trust store lacks: still the intermediate to send, the either/or kept;
 * 203.0.113.25's client sent it too, later (a client chain, mutual TLS). */
static void
test_intermediate_untrusted(void **state)
{
    (void)state;
    uint32_t oleaf = tu_cert_add(CERTS "oleaf.der"), ointer = tu_cert_add(CERTS "ointer.der");
    feed(1, 25, (uint32_t[]){oleaf}, 1, NULL, 0);
    feed(2, 26, (uint32_t[]){oleaf, ointer}, 2, NULL, 0);
    feed(3, 25, (uint32_t[]){oleaf}, 1, (uint32_t[]){oleaf, ointer}, 2);
    agg_finish();
    char *json = tu_agg_json();
    char ref[64], sha1[41], sha256[65], want[512];
    cert_refs(ointer, ref, sizeof(ref), sha1, sha256);
    char *f = finding_of_25(json);
    snprintf(want, sizeof(want),
             "or the verifier's trust store lacks that CA (it may be a root: add it there); its "
             "certificate was sent by 203.0.113.26:25 in this capture %s: it is an intermediate, "
             "add it to the chain this server sends (2 sessions,",
             ref);
    tu_has(f, want);
    tu_has(f, "\"sent_by\":\"203.0.113.26:25\",\"sent_as\":\"server\"");
    tu_has(f, "\"self_signed\":false,\"trusted_root\":false}");
    tu_lacks(f, "leads to the trusted root");
    free(f);
    free(json);
}

/* Only a client of 203.0.113.25 sent the intermediate (mutual TLS): named
 * as such, by its address. */
static void
test_sent_by_client(void **state)
{
    (void)state;
    uint32_t leaf = tu_cert_add(CERTS "leaf.der"), inter = tu_cert_add(CERTS "inter.der");
    uint32_t wild = tu_cert_add(CERTS "wildcard.der");
    feed(1, 25, (uint32_t[]){leaf}, 1, (uint32_t[]){wild, inter}, 2);
    agg_finish();
    char *json = tu_agg_json();
    char *f = finding_of_25(json);
    tu_has(f, "the server does not send its intermediate, whose certificate was sent by the client "
              "198.51.100.10 of this server in this capture (SHA-1 ");
    tu_has(f, "\"sent_by\":\"198.51.100.10\",\"sent_as\":\"client\"");
    tu_has(f, "\"trusted_root\":true}");
    free(f);
    free(json);
}

/* 203.0.113.25 sends Other Intermediate as its whole chain; its issuer,
 * Other Root, self-signed, came from 203.0.113.26: a root the store
 * lacks, not an intermediate to add. */
static void
test_root_sent(void **state)
{
    (void)state;
    uint32_t oleaf = tu_cert_add(CERTS "oleaf.der"), ointer = tu_cert_add(CERTS "ointer.der");
    uint32_t oroot = tu_cert_add(CERTS "oroot.der");
    feed(1, 25, (uint32_t[]){ointer}, 1, NULL, 0);
    feed(2, 26, (uint32_t[]){oleaf, ointer, oroot}, 3, NULL, 0);
    agg_finish();
    char *json = tu_agg_json();
    char ref[64], sha1[41], sha256[65], want[512];
    cert_refs(oroot, ref, sizeof(ref), sha1, sha256);
    char *f = finding_of_25(json);
    snprintf(want, sizeof(want),
             "is neither sent nor in smtptap's trust store: it is a root (self-signed), whose "
             "certificate was sent by 203.0.113.26:25 in this capture %s, that the trust store "
             "lacks: add it to the trust store of the verifiers that are to trust this server",
             ref);
    tu_has(f, want);
    tu_lacks(f, "it is an intermediate");
    tu_lacks(f, "either the server");
    snprintf(want, sizeof(want), "\"issuer_seen\":{\"sha256\":\"%s\"", sha256);
    tu_has(f, want);
    tu_has(f, "\"self_signed\":true,\"trusted_root\":false}");
    free(f);
    free(json);
}

/* A certificate cn issued by issuer_cn holding pub's key, signed by
 * signer: a CA (keyCertSign) or a leaf; its serial serial. */
static X509 *
make_cert(const char *cn, const char *issuer_cn, EVP_PKEY *pub, EVP_PKEY *signer, bool ca,
          long serial)
{
    X509 *x = X509_new();
    X509_NAME *sn = X509_NAME_new(), *in = X509_NAME_new();
    assert_true(x != NULL && sn != NULL && in != NULL);
    X509_NAME_add_entry_by_txt(sn, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1, 0);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    assert_int_equal(X509_set_subject_name(x, sn), 1);
    assert_int_equal(X509_set_issuer_name(x, in), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), TU_AGG_T2025 - 86400));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), TU_AGG_T2025 + 86400 * 365));
    assert_int_equal(X509_set_pubkey(x, pub), 1);
    const char *ext[2][2] = {{"critical,CA:TRUE", "critical,keyCertSign,cRLSign"},
                             {"CA:FALSE", "critical,digitalSignature"}};
    const int nid[2] = {NID_basic_constraints, NID_key_usage};
    for (int k = 0; k < 2; k++) {
        X509V3_CTX v3;
        X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid[k], ext[ca ? 0 : 1][k]);
        assert_non_null(e);
        assert_int_equal(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
    }
    assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
    X509_NAME_free(sn);
    X509_NAME_free(in);
    return x;
}

static uint32_t
cached(X509 *x)
{
    uint32_t id = tu_cert_add_x509(x);
    X509_free(x);
    return id;
}

/* Three certificates of the issuer's name and key: a self-signed one sent
 * first (.26, session 2), two cross-signed by other CAs (.27 in session 4,
 * .28 in session 3). The cross-signed one sent first is the issuer named:
 * an intermediate before a root, then by time. */
static void
test_choice(void **state)
{
    (void)state;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_true(k != NULL && a != NULL);
    uint32_t leaf = cached(make_cert("twin.example.test", "Twin CA", a, k, false, 10));
    uint32_t root = cached(make_cert("Twin CA", "Twin CA", k, k, true, 11));
    uint32_t x1 = cached(make_cert("Twin CA", "Bridge One", k, a, true, 12));
    uint32_t x2 = cached(make_cert("Twin CA", "Bridge Two", k, a, true, 13));
    EVP_PKEY_free(k);
    EVP_PKEY_free(a);
    feed(1, 25, (uint32_t[]){leaf}, 1, NULL, 0);
    feed(2, 26, (uint32_t[]){root}, 1, NULL, 0);
    feed(3, 28, (uint32_t[]){x2}, 1, NULL, 0);
    feed(4, 27, (uint32_t[]){x1}, 1, NULL, 0);
    agg_finish();
    char *json = tu_agg_json();
    char ref[64], sha1[41], sha256[65], want[256];
    cert_refs(x2, ref, sizeof(ref), sha1, sha256);
    char *f = finding_of_25(json);
    snprintf(want, sizeof(want), "\"issuer_seen\":{\"sha256\":\"%s\"", sha256);
    tu_has(f, want);
    tu_has(f, "\"sent_by\":\"203.0.113.28:25\",\"sent_as\":\"server\"");
    tu_has(f, "\"self_signed\":false");
    snprintf(want, sizeof(want), "its certificate was sent by 203.0.113.28:25 in this capture %s",
             ref);
    tu_has(f, want);
    free(f);
    free(json);
}

/* The chain line of the terminal report under the certificate whose leaf
 * has SHA-256 sha256 (the first "    chain" line after its "sha256"
 * line), a malloc'd copy with its newline. */
static char *
chain_block(const char *text, const char *sha256)
{
    char key[96];
    snprintf(key, sizeof(key), "    sha256     %s\n", sha256);
    const char *p = strstr(text, key);
    assert_non_null(p);
    p = strstr(p, "\n    chain      ");
    assert_non_null(p);
    const char *end = strchr(p + 1, '\n');
    assert_non_null(end);
    return strndup(p + 1, (size_t)(end - p));
}

/* 203.0.113.25 sends two leaves alone, each of another CA: leaf (session
 * 1, Intermediate CA, sent by .26 in session 3) and oleaf (session 2,
 * Other Intermediate, sent by .27 in session 4). One finding of both
 * chains: issuer_seen is the first chain's; issuers_seen has each chain's,
 * with its leaf; the summary names the second issuer too, and each chain
 * line of the terminal report its own. */
static void
test_each_chain(void **state)
{
    (void)state;
    uint32_t leaf = tu_cert_add(CERTS "leaf.der"), inter = tu_cert_add(CERTS "inter.der");
    uint32_t oleaf = tu_cert_add(CERTS "oleaf.der"), ointer = tu_cert_add(CERTS "ointer.der");
    uint32_t wild = tu_cert_add(CERTS "wildcard.der");
    feed(1, 25, (uint32_t[]){leaf}, 1, NULL, 0);
    feed(2, 25, (uint32_t[]){oleaf}, 1, NULL, 0);
    feed(3, 26, (uint32_t[]){wild, inter}, 2, NULL, 0);
    feed(4, 27, (uint32_t[]){oleaf, ointer}, 2, NULL, 0);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL), *json = tu_agg_json();
    char iref[64], isha1[41], isha256[65], oref[64], osha1[41], osha256[65];
    char lref[64], lsha1[41], lsha256[65], olref[64], olsha1[41], olsha256[65], want[768];
    cert_refs(inter, iref, sizeof(iref), isha1, isha256);
    cert_refs(ointer, oref, sizeof(oref), osha1, osha256);
    cert_refs(leaf, lref, sizeof(lref), lsha1, lsha256);
    cert_refs(oleaf, olref, sizeof(olref), olsha1, olsha256);
    char *f = finding_of_25(json);
    /* the first chain's, as with one */
    snprintf(want, sizeof(want), "\"issuer_seen\":{\"sha256\":\"%s\"", isha256);
    tu_has(f, want);
    snprintf(want, sizeof(want),
             "\"issuers_seen\":[{\"certificate\":\"%s\",\"sha256\":\"%s\",\"sha1\":\"%s\","
             "\"subject\":\"C=DE,O=smtptap Tests,CN=smtptap Test Intermediate CA\",",
             lsha256, isha256, isha1);
    tu_has(f, want);
    tu_has(f,
           "\"sent_by\":\"203.0.113.26:25\",\"sent_as\":\"server\",\"first_seen\":\"2025-06-"
           "01T00:00:03.000000Z\",\"self_signed\":false,\"trusted_root\":true},{\"certificate\":");
    snprintf(want, sizeof(want), "{\"certificate\":\"%s\",\"sha256\":\"%s\",\"sha1\":\"%s\",",
             olsha256, osha256, osha1);
    tu_has(f, want);
    tu_has(f, "\"sent_by\":\"203.0.113.27:25\",\"sent_as\":\"server\",\"first_seen\":\"2025-06-"
              "01T00:00:04.000000Z\",\"self_signed\":false,\"trusted_root\":false}]");
    /* the summary: the first chain's issuer settled, then the other's */
    const struct cert_entry *oi = certcache_get(ointer);
    snprintf(want, sizeof(want),
             "; of the other chains' issuers, this capture holds %s %s, sent by 203.0.113.27:25 (2 "
             "sessions,",
             oi->info.subject, oref);
    tu_has(f, want);
    tu_has(text, want);
    /* each chain line its own issuer */
    char full[41];
    char *b1 = chain_block(text, lsha256), *b2 = chain_block(text, olsha256);
    report_hex_upper(full, certcache_get(inter)->sha1, 20);
    snprintf(want, sizeof(want),
             "; its issuer was seen in this capture: C=DE,O=smtptap Tests,CN=smtptap Test "
             "Intermediate CA (SHA-1 %s), sent by 203.0.113.26:25\n",
             full);
    tu_has(b1, want);
    report_hex_upper(full, oi->sha1, 20);
    snprintf(want, sizeof(want),
             "; its issuer was seen in this capture: %s (SHA-1 %s), sent by "
             "203.0.113.27:25\n",
             oi->info.subject, full);
    tu_has(b2, want);
    tu_lacks(b2, "203.0.113.26:25");
    free(b1);
    free(b2);
    free(f);
    free(text);
    free(json);
}

/* The first chain's issuer (leaf's, session 1) was sent by none; the
 * second's (oleaf's, session 2) by 203.0.113.27: no issuer_seen (the first
 * chain's), issuers_seen with that one alone; the summary keeps its
 * either/or and names the second's issuer. */
static void
test_first_chain_none(void **state)
{
    (void)state;
    uint32_t leaf = tu_cert_add(CERTS "leaf.der"), oleaf = tu_cert_add(CERTS "oleaf.der");
    uint32_t ointer = tu_cert_add(CERTS "ointer.der");
    feed(1, 25, (uint32_t[]){leaf}, 1, NULL, 0);
    feed(2, 25, (uint32_t[]){oleaf}, 1, NULL, 0);
    feed(3, 27, (uint32_t[]){oleaf, ointer}, 2, NULL, 0);
    agg_finish();
    char *json = tu_agg_json();
    char oref[64], osha1[41], osha256[65], lref[64], lsha1[41], lsha256[65], want[512];
    cert_refs(ointer, oref, sizeof(oref), osha1, osha256);
    cert_refs(oleaf, lref, sizeof(lref), lsha1, lsha256);
    char *f = finding_of_25(json);
    tu_lacks(f, "\"issuer_seen\"");
    snprintf(want, sizeof(want), "\"issuers_seen\":[{\"certificate\":\"%s\",\"sha256\":\"%s\",",
             lsha256, osha256);
    tu_has(f, want);
    tu_has(f, "\"trusted_root\":false}]}"); /* that one alone */
    tu_has(f, "either the server does not send its intermediate");
    snprintf(want, sizeof(want),
             "; of the other chains' issuers, this capture holds %s %s, sent by "
             "203.0.113.27:25 (2 sessions,",
             certcache_get(ointer)->info.subject, oref);
    tu_has(f, want);
    free(f);
    free(json);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sent_elsewhere_trusted, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_same_name_other_key, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_intermediate_untrusted, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sent_by_client, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_root_sent, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_choice, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_each_chain, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_first_chain_none, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
