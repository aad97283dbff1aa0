/* \summary: unit tests for whether a session's server name was checked
 * (src/diagnose.c dg_check_name, diagnosis.name_check), its session field
 * name_checked (src/report_session.c), and the sessions whose name was not
 * checked counted per server and per certificate (src/agg_namecheck.c: the
 * server record's name_not_checked, the terminal report's line under the
 * certificate's verdict). The name comes from --expect ADDRESS=NAME,
 * --expect NAME, the SNI, then a DNS answer (MX host, then A/AAAA name);
 * with none of them a chain that verifies says nothing of the name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "diagnose.h"
#include "facts.h"
#include "json.h"
#include "record.h"
#include "report.h"
#include "report_session.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_json.h"
#include "tu_text.h"

/* The chain sent: the test leaf (mail.example.com, smtp.example.com) and
 * its intermediate under the test root (tu_agg_setup's trust anchor), or
 * garbage.der as the leaf. */
static uint32_t chain[2];

static void
chain_add(const char *leaf)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", leaf);
    chain[0] = tu_cert_add(path);
    chain[1] = tu_cert_add(SRCDIR "/tests/data/certs/inter.der");
}

static struct diagnosis dg;
static struct flow_record *last;

static void
write_session(struct json *j, void *arg)
{
    report_session_json(j, arg, &dg);
}

/* Session id of 198.51.100.10 to 203.0.113.25:25 that got the chain, with
 * sni (NULL: none sent; resumed: a session resumed from an earlier one on
 * 25, no certificate sent) and the names DNS gave the address (exp[0..n));
 * diagnosed and aggregated as report.c does. Returns its session record
 * (free() it); its diagnosis is dg. */
static char *
feed(uint64_t id, const char *sni, bool resumed, const struct expected_name *exp, unsigned n)
{
    static struct session_facts f;
    static uint8_t name[64];
    snprintf((char *)name, sizeof(name), "%s", sni ? sni : "");
    tu_chain_facts(&f, chain, 2, sni ? name : NULL);
    if (resumed)
        tu_resumed_facts(&f, chain, 2, 25);
    last = tu_agg_record(&f, id, 10, 25, 25);
    diagnose_session(last, exp, n, &dg);
    agg_session(last, &dg);
    return tu_json_capture(write_session, last);
}

/* The session's name fields, and that the chain verified (Valid). */
static void
want_checked(char *rec, const char *name, const char *source, bool mismatch)
{
    char want[256];
    snprintf(want, sizeof(want),
             "\"checked_name\":\"%s\",\"checked_name_source\":\"%s\",\"name_checked\":true", name,
             source);
    tu_has(rec, want);
    assert_int_equal(dg.name_check, DG_NAME_CHECKED);
    assert_int_equal(dg.name_mismatch, mismatch);
    assert_int_equal(dg.certificate_ok, !mismatch);
    assert_int_equal(dg.verify_error, 0);
    free(rec);
}

/* The server record and the certificate in it: how many sessions' name was
 * not checked. */
static void
want_unchecked_json(unsigned server, unsigned cert)
{
    agg_finish();
    char *json = tu_agg_json();
    char want[96];
    snprintf(want, sizeof(want), "},\"name_not_checked\":%u,\"verify_error_text\":", cert);
    tu_has(json, want);
    snprintf(want, sizeof(want), "\"handshakes_unseen\":0,\"name_not_checked\":%u", server);
    tu_has(json, want);
    free(json);
}

static void
test_source_sni(void **state)
{
    (void)state;
    chain_add("leaf");
    want_checked(feed(1, "smtp.example.com", false, NULL, 0), "smtp.example.com", "sni", false);
    want_checked(feed(2, "other.example.com", false, NULL, 0), "other.example.com", "sni", true);
    want_unchecked_json(0, 0);
    char *text = tu_agg_text(NULL, NULL);
    tu_lacks(text, "name not checked");
    free(text);
}

/* --expect NAME before the SNI; --expect ADDRESS=NAME for this address
 * before --expect NAME */
static void
test_source_expect(void **state)
{
    (void)state;
    chain_add("leaf");
    tu_agg_cfg.expect[0] = "mail.example.com";
    tu_agg_cfg.n_expect = 1;
    want_checked(feed(1, "other.example.com", false, NULL, 0), "mail.example.com", "expect", false);
    want_checked(feed(2, NULL, false, NULL, 0), "mail.example.com", "expect", false);
    tu_agg_cfg.expect[1] = "203.0.113.25=wrong.example.com";
    tu_agg_cfg.n_expect = 2;
    want_checked(feed(3, NULL, false, NULL, 0), "wrong.example.com", "expect", true);
    want_unchecked_json(0, 0);
}

/* With no SNI and no --expect, a name DNS answers in the capture gave the
 * server's address: an MX host before an A/AAAA name */
static void
test_source_dns(void **state)
{
    (void)state;
    chain_add("leaf");
    const struct expected_name mx_a[] = {{"smtp.example.com", NAME_SRC_DNS_MX},
                                         {"a.example.com", NAME_SRC_DNS_A}};
    want_checked(feed(1, NULL, false, mx_a, 2), "smtp.example.com", "dns_mx", false);
    want_checked(feed(2, NULL, false, &mx_a[1], 1), "a.example.com", "dns_a", true);
    /* the SNI before DNS */
    want_checked(feed(3, "mail.example.com", false, mx_a, 2), "mail.example.com", "sni", false);
    want_unchecked_json(0, 0);
}

/* name_mismatch's headline says where the name came from: no peer asked
 * for a name the capture's DNS answers gave (an MX host, an A name) */
static void
test_mismatch_dns_headline(void **state)
{
    (void)state;
    chain_add("leaf");
    const struct expected_name mx[] = {{"mx.other.example", NAME_SRC_DNS_MX}};
    want_checked(feed(1, NULL, false, mx, 1), "mx.other.example", "dns_mx", true);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "does not cover its MX host name (from the capture's DNS answers");
    tu_lacks(text, "the name the peer asked for");
    free(text);
}

static void
test_mismatch_dns_a_and_sni(void **state)
{
    (void)state;
    chain_add("leaf");
    const struct expected_name a[] = {{"a.other.example", NAME_SRC_DNS_A}};
    want_checked(feed(1, NULL, false, a, 1), "a.other.example", "dns_a", true);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "does not cover the name the capture's DNS answers give for its address");
    free(text);
    /* with a peer's SNI among them, peers asked for names too */
    tu_agg_teardown(NULL);
    tu_agg_setup(NULL);
    chain_add("leaf");
    want_checked(feed(1, NULL, false, a, 1), "a.other.example", "dns_a", true);
    want_checked(feed(2, "sni.other.example", false, NULL, 0), "sni.other.example", "sni", true);
    agg_finish();
    text = tu_agg_text(NULL, NULL);
    tu_has(text, "the names its peers asked for or the capture's DNS answers give");
    free(text);
}

/* No SNI, no --expect, no DNS answer: the chain verifies (Valid,
 * certificate_ok) and the name was not checked: the session says so, the
 * server and the certificate count it, the report says it under the
 * verdict; a session with the SNI beside it is checked. */
static void
test_none(void **state)
{
    (void)state;
    chain_add("leaf");
    char *rec = feed(1, NULL, false, NULL, 0);
    tu_has(rec, "\"exchange_status\":\"Valid\"");
    tu_has(rec, "\"checked_name\":null,\"checked_name_source\":null,\"name_checked\":false");
    assert_int_equal(dg.name_check, DG_NAME_NO_NAME);
    assert_true(dg.certificate_ok);
    assert_false(dg.name_mismatch);
    free(rec);
    want_checked(feed(2, "mail.example.com", false, NULL, 0), "mail.example.com", "sni", false);
    rec = feed(3, NULL, false, NULL, 0);
    free(rec);
    want_unchecked_json(2, 2);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "  certificate 1 of 1: Valid, 3 sessions, ");
    tu_has(text,
           "\n    name not checked in 2 of 3 sessions: no SNI seen, no --expect, no DNS answer "
           "for this address in the capture; give --expect NAME (or ADDRESS=NAME)\n"
           "    subject ");
    free(text);
}

/* A session resumed with no SNI: checked against nothing either, counted
 * under the chain it resumed; one that resumed with the SNI is checked. */
static void
test_resumed(void **state)
{
    (void)state;
    chain_add("leaf");
    free(feed(1, "mail.example.com", false, NULL, 0));
    char *rec = feed(2, NULL, true, NULL, 0);
    tu_has(rec, "\"checked_name_source\":null,\"name_checked\":false");
    free(rec);
    rec = feed(3, "smtp.example.com", true, NULL, 0);
    tu_has(rec, "\"checked_name_source\":\"sni\",\"name_checked\":true");
    free(rec);
    want_unchecked_json(1, 1);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "    name not checked in 1 of 3 sessions: ");
    free(text);
}

/* No leaf to check against (no certificate seen, TLS without a chain):
 * name_checked null, not counted; a leaf not decoded leaves the name it
 * was to be checked for unchecked (false), not counted either: --expect
 * would not help. */
static void
test_no_leaf_or_undecoded(void **state)
{
    (void)state;
    static struct session_facts f;
    tu_chain_facts(&f, chain, 0, NULL);
    diagnose_session(tu_agg_record(&f, 1, 10, 25, 25), NULL, 0, &dg);
    agg_session(tu_agg_record(&f, 1, 10, 25, 25), &dg);
    assert_int_equal(dg.name_check, DG_NAME_NO_LEAF);
    char *rec = tu_json_capture(write_session, tu_agg_record(&f, 1, 10, 25, 25));
    tu_has(rec, "\"checked_name_source\":null,\"name_checked\":null");
    free(rec);
    chain_add("garbage");
    rec = feed(2, "mail.example.com", false, NULL, 0);
    tu_has(rec, "\"checked_name\":\"mail.example.com\",\"checked_name_source\":\"sni\","
                "\"name_checked\":false");
    assert_int_equal(dg.name_check, DG_NAME_LEAF_UNDECODED);
    assert_false(dg.name_mismatch);
    free(rec);
    want_unchecked_json(0, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_source_sni, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_source_expect, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_source_dns, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_mismatch_dns_headline, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_mismatch_dns_a_and_sni, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_none, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_resumed, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_no_leaf_or_undecoded, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
