/* \summary: unit tests for expiring_certificate (src/agg_findings.c): the
 * time left at the capture's end (or --at) in whole days, or hours under a
 * day, "less than an hour" under one; high with less than 7 days left
 * (senders refuse it within the week), medium otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "certcache.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

/* The capture ends at TU_AGG_T2025 + 1 (session 1's time). */
#define END ((time_t)TU_AGG_T2025 + 1)

/* One session to 203.0.113.25:25 presenting a certificate valid until
 * END + left seconds. */
static void
serve_until(time_t left)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    X509 *x = tu_make_cert("mail.example.com", "mail.example.com", key, false,
                           "critical,digitalSignature", END - 86400 * 300, END + left, NULL);
    uint32_t ids[1] = {tu_cert_add_x509(x)};
    X509_free(x);
    EVP_PKEY_free(key);
    static struct session_facts f;
    tu_chain_facts(&f, ids, 1, NULL);
    f.smtp.seen = true;
    f.tls.handshake = TLS_HS_COMPLETE;
    tu_agg_feed(tu_agg_record(&f, 1, 10, 25, 25));
    agg_finish();
}

/* The expiring_certificate record (its severity first), or a failure. */
static void
expiring_is(const char *severity, const char *words)
{
    char *json = tu_agg_json();
    const char *at = strstr(json, "\"kind\":\"expiring_certificate\"");
    if (!at)
        fail_msg("no expiring_certificate in\n%s", json);
    char want[64];
    snprintf(want, sizeof(want), "\"severity\":\"%s\",\"kind\":\"expiring_certificate\"", severity);
    tu_has(json, want);
    const char *end = strchr(at, '\n');
    char *rec = strndup(at, end ? (size_t)(end - at) : strlen(at));
    tu_has(rec, words);
    free(rec);
    free(json);
}

static void
test_one_day(void **state)
{
    (void)state;
    serve_until(86400 + 7200);
    expiring_is("high", ": 1 day left at the end of the capture; renew it now (1 session");
}

static void
test_six_days(void **state)
{
    (void)state;
    serve_until(7 * 86400 - 1);
    expiring_is("high", ": 6 days left at the end of the capture; renew it now (");
}

static void
test_seven_days(void **state)
{
    (void)state;
    serve_until(7 * 86400);
    expiring_is("medium", ": 7 days left at the end of the capture; renew it (");
}

static void
test_hours(void **state)
{
    (void)state;
    serve_until(5 * 3600 + 59);
    expiring_is("high", ": 5 hours left at the end of the capture; renew it now");
}

static void
test_minutes(void **state)
{
    (void)state;
    serve_until(1800);
    expiring_is("high", ": less than an hour left at the end of the capture; renew it now");
}

/* --at: the time left then, said so; 20 days: medium. */
static void
test_at(void **state)
{
    (void)state;
    tu_agg_cfg.at_us = (int64_t)(END - 86400 * 10) * 1000000;
    serve_until(86400 * 10);
    expiring_is("medium", ": 20 days left at the --at time 2025-05-22 00:00:01; renew it (");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_day, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_six_days, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_seven_days, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_hours, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_minutes, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_at, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
