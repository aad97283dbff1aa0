/* \summary: unit tests for untrusted_root to a retired public root (src/
 * agg_retired.c): the trust store's kind from the options (the system
 * bundle, empty, the user's own); a chain of an old capture up to a root
 * that was public at the sessions' time (Equifax Secure Certificate
 * Authority, expired 2018) is low and "likely trusted by clients then" when
 * judged against the system bundle or an empty store, high and "a verifier
 * with that store fails" against a store of the user's own (--no-system-ca
 * with --ca-file); a capture after the root's end is high whatever the
 * store, with the advice to send a chain to a current root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "aggregate.h"
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "tu_agg.h"
#include "tu_text.h"
#include "verify.h"

static struct config cfg;

static void
test_store_kind(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    assert_int_equal(agg_store_kind(&c), AGG_STORE_SYSTEM);
    c.ca_files[0] = "root.pem"; /* added to the bundle: still the bundle */
    c.n_ca_files = 1;
    assert_int_equal(agg_store_kind(&c), AGG_STORE_SYSTEM);
    c.no_system_ca = true;
    assert_int_equal(agg_store_kind(&c), AGG_STORE_OWN);
    c.n_ca_files = 0;
    assert_int_equal(agg_store_kind(&c), AGG_STORE_EMPTY);
    c.ca_paths[0] = "/etc/ssl/certs";
    c.n_ca_paths = 1;
    assert_int_equal(agg_store_kind(&c), AGG_STORE_OWN);
}

/* One TLS session whose chain ends in the retired Equifax root, not sent;
 * public_then: judged before the root's end (an old capture). Aggregated,
 * the findings made; the terminal report returned (free() it). */
static char *report_sent(bool public_then, bool sent);

static char *
report_of(bool public_then)
{
    return report_sent(public_then, false);
}

/* The same, the root sent by the server (sent) or not. */
static char *
report_sent(bool public_then, bool sent)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = true;
    f.tls.seen = true;
    f.tls.version = 0x0303;
    struct diagnosis dg;
    memset(&dg, 0, sizeof(dg));
    dg.verified = true;
    dg.untrusted_root = true;
    dg.missing_issuer = sent ? VERIFY_ISSUER_FOUND : VERIFY_ISSUER_ROOT_RETIRED;
    dg.retired_root_note = "Equifax Secure Certificate Authority, expired 2018-08-22";
    dg.retired_root_public_then = public_then;
    strcpy(dg.untrusted_root_subject, "OU=Equifax Secure Certificate Authority,O=Equifax,C=US");
    agg_session(tu_agg_record(&f, 1, 9, 25, 25), &dg);
    agg_finish();
    return tu_agg_text(NULL, NULL);
}

static void
test_own_store_high(void **state)
{
    (void)state;
    tu_agg_start(&cfg, SRCDIR "/tests/data/certs/root.pem"); /* --no-system-ca --ca-file */
    char *text = report_of(true);
    tu_has(text, "high     untrusted_root");
    tu_has(text, "a public root at the sessions' time, which the CA bundles have dropped since "
                 "(Equifax Secure Certificate Authority, expired 2018-08-22); the trust store "
                 "given (--no-system-ca with --ca-file or --ca-path) does not hold it, so a "
                 "verifier with that store fails on this chain");
    tu_lacks(text, "likely trusted");
    tu_lacks(text, "low      untrusted_root");
    assert_int_equal(agg_max_severity(), SEV_HIGH);
    free(text);
    tu_agg_stop();
}

static void
test_system_store_low(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    cfg.no_system_ca = false; /* the default: the system bundle */
    char *text = report_of(true);
    tu_has(text, "low      untrusted_root");
    tu_has(text, "presented a chain that ends in a root today's trust store does not contain, "
                 "but a public root at the sessions' time");
    tu_has(text, "the CA bundles have dropped it since (Equifax Secure Certificate Authority, "
                 "expired 2018-08-22), so the chain was likely trusted by clients then; to judge "
                 "it as they did, give the root with --ca-file");
    tu_lacks(text, "a verifier with that store fails");
    tu_lacks(text, "use a certificate from a trusted CA");
    assert_int_equal(agg_max_severity(), SEV_LOW);
    free(text);
    tu_agg_stop();
}

static void
test_empty_store_low(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL); /* --no-system-ca alone: every chain is untrusted */
    char *text = report_of(true);
    tu_has(text, "low      untrusted_root");
    tu_has(text, "likely trusted by clients then");
    free(text);
    tu_agg_stop();
}

static void
test_after_end_high(void **state)
{
    (void)state;
    for (int own = 0; own < 2; own++) {
        tu_agg_start(&cfg, own ? SRCDIR "/tests/data/certs/root.pem" : NULL);
        cfg.no_system_ca = own;
        char *text = report_of(false);
        tu_has(text, "high     untrusted_root");
        tu_has(text, "a public root the CA bundles no longer hold (Equifax Secure Certificate "
                     "Authority, expired 2018-08-22), so a client without it fails; have the "
                     "server send a chain that leads to a current root");
        tu_lacks(text, "likely trusted");
        free(text);
        tu_agg_stop();
    }
}

/* The root sent by the server: the same judgement, by when it was public
 * (a 2013 chain with AddTrust's root in it was trusted then), its words
 * "sent by the server"; after its end, high with the advice. */
static void
test_sent_root(void **state)
{
    (void)state;
    tu_agg_start(&cfg, NULL);
    cfg.no_system_ca = false;
    char *text = report_sent(true, true);
    tu_has(text, "low      untrusted_root");
    tu_has(text, ", sent by the server: the CA bundles have dropped it since (Equifax Secure "
                 "Certificate Authority, expired 2018-08-22), so the chain was likely trusted by "
                 "clients then");
    tu_lacks(text, "not sent by the server");
    assert_int_equal(agg_max_severity(), SEV_LOW);
    free(text);
    tu_agg_stop();
    tu_agg_start(&cfg, NULL);
    cfg.no_system_ca = false;
    text = report_sent(false, true);
    tu_has(text, "high     untrusted_root");
    tu_has(text, ", sent by the server: a public root the CA bundles no longer hold");
    tu_lacks(text, "cross-signed intermediate");
    free(text);
    tu_agg_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_kind),       cmocka_unit_test(test_own_store_high),
        cmocka_unit_test(test_system_store_low), cmocka_unit_test(test_empty_store_low),
        cmocka_unit_test(test_after_end_high),   cmocka_unit_test(test_sent_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
