/* \summary: unit tests for the server block of the terminal report
 * (src/report_text.c, src/report_certline.c): sessions whose certificates could not be seen have a
 * line of their own beside the certificates that were (the block had none:
 * "3 TLS" sessions above a certificate of 2, the third nowhere); a client
 * chain sent with its intermediate whose top's issuer is missing is not
 * told "the client does not send its intermediate" (it did: that issuer may
 * be the root), as client_certificate_untrusted says it. A certificate
 * within expiring_certificate's window (--expiry-warn days of the capture's
 * end or --at) says how long it has left beside its verdict, even when a
 * renewed one took over and no finding names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "aggregate.h"
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"
#include "verify.h"

static uint32_t chain[2]; /* tests/data/certs: leaf, intermediate */

static int
chain_setup(void **state)
{
    tu_agg_setup(state);
    chain[0] = tu_cert_add(SRCDIR "/tests/data/certs/leaf.der");
    chain[1] = tu_cert_add(SRCDIR "/tests/data/certs/inter.der");
    return 0;
}

static char *
report_text(void)
{
    agg_finish();
    return tu_agg_text(NULL, NULL);
}

/* A TLS session of 198.51.100.<client> to 203.0.113.25:25, its
 * certificates `certs` (enum tls_certs: the test chain when visible). */
static void
feed_tls(uint64_t id, uint8_t client, uint8_t certs)
{
    static struct session_facts f;
    static uint8_t sni[] = "smtp.example.com";
    tu_chain_facts(&f, chain, certs == TLS_CERTS_VISIBLE ? 2 : 0, sni);
    f.tls.certificates = certs;
    f.tls.version = certs == TLS_CERTS_ENCRYPTED ? 0x0304 : 0x0303;
    f.tls.cipher = certs == TLS_CERTS_ENCRYPTED ? 0x1301 : 0xc030;
    f.tls.cipher_seen = true;
    f.tls.handshake = TLS_HS_COMPLETE;
    const struct diagnosis *dg = tu_agg_feed(tu_agg_record(&f, id, client, 25, 25));
    assert_int_equal(dg->certificates_not_visible, certs != TLS_CERTS_VISIBLE);
}

/* Two sessions saw the chain, one TLS 1.3 session did not: its line under
 * the certificate, with its peer and reason. */
static void
test_not_visible_line(void **state)
{
    (void)state;
    feed_tls(1, 10, TLS_CERTS_VISIBLE);
    feed_tls(2, 20, TLS_CERTS_ENCRYPTED);
    feed_tls(3, 10, TLS_CERTS_VISIBLE);
    char *text = report_text();
    tu_has(text, "    peers      198.51.100.10 (2)\n");
    tu_has(text, "\n  certificates not visible in 1 session (198.51.100.20): TLS 1.3 encrypted "
                 "them\n");
    free(text);
}

/* Two reasons: each with its count; no certificate seen at all. */
static void
test_not_visible_reasons(void **state)
{
    (void)state;
    feed_tls(1, 20, TLS_CERTS_ENCRYPTED);
    feed_tls(2, 30, TLS_CERTS_TRUNCATED);
    feed_tls(3, 20, TLS_CERTS_ENCRYPTED);
    char *text = report_text();
    tu_has(text, "  certificates not visible in 3 sessions (198.51.100.20, 198.51.100.30): TLS 1.3 "
                 "encrypted them (2 sessions); they were cut short (1 session)\n");
    free(text);
}

/* All seen: no such line. */
static void
test_all_visible(void **state)
{
    (void)state;
    feed_tls(1, 10, TLS_CERTS_VISIBLE);
    char *text = report_text();
    tu_lacks(text, "not visible");
    free(text);
}

/* A client chain of one certificate and one of two (the intermediate
 * sent), each whose top's issuer is neither sent nor trusted: the first
 * line blames the intermediate not sent, the second not (it was sent). */
static void
test_client_chain_issuer(void **state)
{
    (void)state;
    for (unsigned n = 1; n <= 2; n++) {
        static struct session_facts f;
        static struct diagnosis dg;
        memset(&f, 0, sizeof(f));
        memset(&dg, 0, sizeof(dg));
        f.tls.seen = true;
        f.tls.client_chain[0] = chain[0];
        f.tls.client_chain[1] = chain[1];
        f.tls.n_client_chain = (uint8_t)n;
        dg.mutual_tls = true;
        dg.verify_error = dg.client_verify_error = -1;
        strcpy(dg.client_exchange_status, "PartialChain");
        strcpy(dg.client_verify_error_text, "unable to get local issuer certificate");
        dg.client_missing_issuer = VERIFY_ISSUER_UNKNOWN;
        strcpy(dg.client_missing_issuer_subject, n == 1 ? "CN=Inter" : "CN=Other Root");
        agg_session(tu_agg_record(&f, n, (uint8_t)(10 * n), 25, 25), &dg);
    }
    char *text = report_text();
    tu_has(text, "1 certificate sent: PartialChain (unable to get local issuer certificate: its "
                 "issuer CN=Inter is neither sent nor in the trust store: the client does not "
                 "send its intermediate (configure its full chain), or the trust store lacks that "
                 "CA), 1 session from 198.51.100.10\n");
    tu_has(text, "2 certificates sent: PartialChain (unable to get local issuer certificate: its "
                 "issuer CN=Other Root is neither sent nor in the trust store: the client must "
                 "send that CA too if it is an intermediate (configure its full chain), or the "
                 "trust store lacks it (the root of that chain)), 1 session from 198.51.100.20\n");
    /* and the finding says what was not seen: no alert, no refusal with its
     * first reply (a 421 right after the handshake), not acceptance */
    tu_has(text, "this server ended none of them with a TLS alert nor with its first reply over "
                 "TLS (server_refused_after_handshake)");
    tu_lacks(text, "this server accepted them");
    free(text);
}

/* Session id to 203.0.113.25:25 presenting a self-made certificate valid
 * until na (its time: TU_AGG_T2025 + id). */
static void
serve_until(uint64_t id, time_t na)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    X509 *x = tu_make_cert("mail.example.com", "mail.example.com", key, false,
                           "critical,digitalSignature", TU_AGG_T2025 - 86400 * 300, na, NULL);
    uint32_t ids[1] = {tu_cert_add_x509(x)};
    X509_free(x);
    EVP_PKEY_free(key);
    static struct session_facts f;
    tu_chain_facts(&f, ids, 1, NULL);
    f.smtp.seen = true;
    f.tls.handshake = TLS_HS_COMPLETE;
    tu_agg_feed(tu_agg_record(&f, id, 10, 25, 25));
}

/* The capture ends at TU_AGG_T2025 + 2 (2025-06-01). Certificate 1 ends
 * 16 days and 1 hour later, then a renewed one takes over: no
 * expiring_certificate (judged on the current certificate), but its line
 * says so; the renewed one, a year away, says nothing. */
static void
test_expires_soon(void **state)
{
    (void)state;
    serve_until(1, TU_AGG_T2025 + 2 + 16 * 86400 + 3600);
    serve_until(2, TU_AGG_T2025 + 365 * 86400);
    char *text = report_text();
    tu_has(text, "  certificate 1 of 2: UntrustedRoot (expires 2025-06-17, 16 days after the "
                 "capture's end), 1 session, ");
    tu_has(text, "  certificate 2 of 2: UntrustedRoot, 1 session, ");
    tu_lacks(text, "expiring_certificate");
    free(text);
}

/* The same window as expiring_certificate: --expiry-warn 16 leaves 16 days
 * out; --at is the time reference, named, hours under a day. */
static void
test_expires_window_at(void **state)
{
    (void)state;
    tu_agg_cfg.expiry_warn_days = 16;
    tu_agg_cfg.at_us = (int64_t)(TU_AGG_T2025 + 16 * 86400 - 5 * 3600) * 1000000;
    serve_until(1, TU_AGG_T2025 + 16 * 86400 + 3600);
    serve_until(2, TU_AGG_T2025 + 2 + 16 * 86400 + 3600);
    char *text = report_text();
    /* the --at time named, so the line stands alone */
    tu_has(text, "  certificate 1 of 2: UntrustedRoot (expires 2025-06-17, 6 hours after the --at "
                 "time 2025-06-16 19:00:00), 1 session, ");
    tu_has(text, "  certificate 2 of 2: UntrustedRoot (expires 2025-06-17, 6 hours after the --at "
                 "time 2025-06-16 19:00:00), 1 session, ");
    tu_has(text, ": 6 hours left at the --at time 2025-06-16 19:00:00; renew it now");
    free(text);
    tu_agg_stop();
    tu_agg_start(&tu_agg_cfg, SRCDIR "/tests/data/certs/root.pem"); /* --at unset */
    tu_agg_cfg.expiry_warn_days = 16;
    serve_until(1, TU_AGG_T2025 + 2 + 16 * 86400 + 3600); /* 16 days: past --expiry-warn 16 */
    text = report_text();
    tu_has(text, "  certificate 1 of 1: UntrustedRoot, 1 session, ");
    free(text);
}

/* Valid when served, expired before the capture's end: said, not left as
 * a bare verdict. */
static void
test_expired_after_sessions(void **state)
{
    (void)state;
    serve_until(1, TU_AGG_T2025 + 2);
    serve_until(3, TU_AGG_T2025 + 365 * 86400);
    char *text = report_text();
    tu_has(text, "  certificate 1 of 2: UntrustedRoot (expired 2025-06-01, before the capture's "
                 "end), 1 session, ");
    free(text);
}

/* The OCSP stapling line: a server whose leaf names no OCSP responder (the
 * test leaf) has nothing to staple, no line though its client asked
 * (status_request); one whose leaf names one (revurls) gets the line. */
static void
test_ocsp_line_where_possible(void **state)
{
    (void)state;
    uint32_t revurls[1] = {tu_cert_add(SRCDIR "/tests/data/certs/revurls.der")};
    static struct session_facts f;
    static uint8_t sni[] = "smtp.example.com";
    for (int k = 0; k < 2; k++) {
        tu_chain_facts(&f, k == 0 ? chain : revurls, k == 0 ? 2 : 1, sni);
        f.tls.version = 0x0303;
        f.tls.cipher = 0xc030;
        f.tls.cipher_seen = true;
        f.tls.handshake = TLS_HS_COMPLETE;
        f.tls.status_request = true;
        f.tls.ocsp_stapled = TLS_OCSP_NONE;
        tu_agg_feed(tu_agg_record(&f, (uint64_t)k + 1, 10, 25, k == 0 ? 25 : 587));
    }
    char *text = report_text();
    const char *s25 = strstr(text, "SERVER 203.0.113.25:25");
    const char *s587 = strstr(text, "SERVER 203.0.113.25:587");
    assert_non_null(s25);
    assert_non_null(s587);
    const char *line = "  OCSP stapled in 0 of 1 handshake whose client asked for it";
    const char *at = strstr(text, line);
    assert_non_null(at); /* once, in :587's block */
    assert_null(strstr(at + 1, line));
    assert_true(s587 < s25 ? at > s587 && at < s25 : at > s587);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_not_visible_line, chain_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_not_visible_reasons, chain_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_all_visible, chain_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_client_chain_issuer, chain_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_expires_soon, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_expires_window_at, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_expired_after_sessions, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_ocsp_line_where_possible, chain_setup,
                                        tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
