/* \summary: unit tests for name_mismatch on resumed sessions (src/agg_evids.c,
 * agg_nm_resumed_headline in src/agg_findings_flags.c; the name check in
 * src/diagnose.c, the verdict taken from another port in src/aggregate.c and
 * its verdict_names in src/agg_json.c). A resumed session sends no
 * certificate (RFC 8446 §2.2, RFC 5246 §7.3): its name is checked against
 * the leaf of the session it resumed (RFC 8446 §4.6.1), which was sent on
 * another port of the address (a session cache shared by 25 and 587) or
 * earlier on the same one. The finding says so, not "presented a
 * certificate"; with full handshakes too, both; a leaf that could not be
 * decoded leaves the name unchecked (verdict_names "not_all_checked"), and
 * so does a session resumed with no name known. */
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
#include "record.h"
#include "report.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

/* The chain sent: the test leaf (mail.example.com, smtp.example.com) and
 * its intermediate, or garbage.der as the leaf. */
static uint32_t chain[2];

static void
chain_add(const char *leaf)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", leaf);
    chain[0] = tu_cert_add(path);
    chain[1] = tu_cert_add(SRCDIR "/tests/data/certs/inter.der");
}

/* Session id of 198.51.100.<client> to 203.0.113.25:port asking for sni:
 * a full handshake that sent the chain (from_port 0), or one resumed from
 * a full handshake on from_port (resume.c's link); diagnosed and
 * aggregated as report.c does. */
static void
feed(uint64_t id, uint8_t client, uint16_t port, const char *sni, uint16_t from_port)
{
    static struct session_facts f;
    static uint8_t name[64];
    snprintf((char *)name, sizeof(name), "%s", sni);
    tu_chain_facts(&f, chain, 2, name);
    if (from_port)
        tu_resumed_facts(&f, chain, 2, from_port);
    tu_agg_feed(tu_agg_record(&f, id, client, 25, port));
}

static char *
json_of_run(void)
{
    agg_finish();
    return tu_agg_json();
}

/* A session on 25 for smtp.example.com (covered), resumed twice on 587 for
 * subm.example.com (not covered): 587 presented no certificate; its
 * finding says its sessions resumed the one sent on 25. */
static void
test_resumed_only(void **state)
{
    (void)state;
    chain_add("leaf");
    feed(1, 10, 25, "smtp.example.com", 0);
    feed(2, 10, 587, "subm.example.com", 25);
    feed(3, 11, 587, "subm.example.com", 25);
    char *json = json_of_run();
    tu_has(json, "\"summary\":\"203.0.113.25:587 resumed sessions whose peers asked for "
                 "subm.example.com, which the certificate they resumed (sent on 203.0.113.25:25) "
                 "does not cover; add the name to the subjectAltName or fix DNS/SNI (2 sessions, ");
    tu_has(json, "\"evidence\":\"name checked: subm.example.com (from sni); the certificate they "
                 "resumed (sent on 203.0.113.25:25) is for mail.example.com, smtp.example.com\"");
    tu_lacks(json, "203.0.113.25:587 presented");
    tu_has(json, "\"verdict_names\":\"rechecked\"");
    free(json);
}

/* On 587, a full handshake for subm.example.com, a session resumed from it
 * and one resumed from 25: both said, each port where the certificate was
 * sent. */
static void
test_resumed_mixed(void **state)
{
    (void)state;
    chain_add("leaf");
    feed(1, 10, 25, "smtp.example.com", 0);
    feed(2, 12, 587, "subm.example.com", 0);
    feed(3, 12, 587, "subm.example.com", 587);
    feed(4, 10, 587, "subm.example.com", 25);
    char *json = json_of_run();
    tu_has(json,
           "\"summary\":\"203.0.113.25:587 presented a certificate that does not cover "
           "subm.example.com in 1 session, and resumed 2 sessions of a certificate that does "
           "not cover it either (sent on 203.0.113.25:25, and in an earlier session on "
           "203.0.113.25:587); add the name to the subjectAltName or fix DNS/SNI (3 sessions");
    tu_has(json,
           "\"evidence\":\"name checked: subm.example.com (from sni); the certificate (sent in "
           "1 of them, resumed in 2: sent on 203.0.113.25:25, and in an earlier session on "
           "203.0.113.25:587) is for mail.example.com, smtp.example.com\"");
    free(json);
}

/* Full handshakes only: the usual headline, no word of resumption. */
static void
test_full_only(void **state)
{
    (void)state;
    chain_add("leaf");
    feed(1, 12, 587, "subm.example.com", 0);
    char *json = json_of_run();
    tu_has(json, "\"summary\":\"203.0.113.25:587 presented a certificate that does not cover the "
                 "name the peer asked for; add the name");
    tu_has(json, "; the certificate is for mail.example.com, smtp.example.com\"");
    tu_lacks(json, "they resumed");
    tu_lacks(json, "resumed in ");
    free(json);
}

/* The chain's leaf not decoded (garbage.der): the name asked on 587 cannot
 * be checked against it, so no name_mismatch is claimed there, and the
 * verdict 587 takes from 25 says its names were not all checked. */
static void
test_leaf_not_decoded(void **state)
{
    (void)state;
    chain_add("garbage");
    feed(1, 10, 25, "smtp.example.com", 0);
    feed(2, 10, 587, "subm.example.com", 25);
    char *json = json_of_run();
    tu_has(json, "\"verdict_from\":\"203.0.113.25:25\",\"verdict_names\":\"not_all_checked\"");
    tu_lacks(json, "\"verdict_names\":\"rechecked\"");
    tu_lacks(json, "\"kind\":\"name_mismatch\",\"server\":{\"ip\":\"203.0.113.25\",\"port\":587}");
    free(json);
}

/* Sessions resumed on 587 that asked for no name (no SNI, no --expect, no
 * DNS answer): nothing was checked against the leaf, so its verdict's
 * names are not "rechecked" (it said so, with no name checked at all);
 * the certificate's name_not_checked counts them, and the terminal report
 * says why. One that asked for a covered name beside them: still not all. */
static void
test_resumed_no_name(void **state)
{
    (void)state;
    chain_add("leaf");
    feed(1, 10, 25, "smtp.example.com", 0);
    feed(2, 10, 587, "", 25);
    feed(3, 11, 587, "smtp.example.com", 25);
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"verdict_from\":\"203.0.113.25:25\",\"verdict_names\":\"not_all_checked\"");
    tu_lacks(json, "\"verdict_names\":\"rechecked\"");
    free(json);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "(chain verified on 203.0.113.25:25; names asked here not all checked: sessions "
                 "with no name)");
    tu_has(text, "name not checked in 1 of 2 sessions");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resumed_only, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_resumed_mixed, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_full_only, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_leaf_not_decoded, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_resumed_no_name, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
