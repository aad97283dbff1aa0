/* \summary: unit tests for the order of the findings (src/agg_order.c):
 * worst first, then by server, then within one severity the cause before
 * its symptom (untrusted_root and missing_intermediate before the
 * client_rejected_certificate their clients answered with, starttls_stripped
 * before plaintext_fallback, a chain's problem before
 * client_quit_after_handshake), then kind, name and the order made in:
 * deterministic whatever qsort does with ties. Every finding kind smtptap
 * makes has a rank. agg_sort_findings sorts as qsort of whole findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"

static struct agg_finding fs[8];

static void
mk(unsigned i, int sev, uint32_t server, const char *kind, const char *name)
{
    memset(&fs[i], 0, sizeof(fs[i]));
    fs[i].severity = sev;
    fs[i].server = server;
    fs[i].kind = kind;
    fs[i].name = name;
    fs[i].seq = i;
    fs[i].rank = agg_kind_rank(kind); /* as agg_new_finding sets it */
}

static void
sort_expect(unsigned n, const char *const *want)
{
    qsort(fs, n, sizeof(fs[0]), agg_cmp_finding);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(fs[i].kind, want[i]);
}

/* pcaps/diag/untrusted-root.pcap, missing-intermediate.pcap: the cause on
 * the first line, made after the symptom or not */
static void
test_cause_first(void **state)
{
    (void)state;
    mk(0, SEV_HIGH, 0, "client_rejected_certificate", NULL);
    mk(1, SEV_HIGH, 0, "tls_handshake_failed", NULL);
    mk(2, SEV_HIGH, 0, "untrusted_root", NULL);
    const char *const w1[] = {"untrusted_root", "client_rejected_certificate",
                              "tls_handshake_failed"};
    sort_expect(3, w1);
    mk(0, SEV_HIGH, 0, "tls_handshake_failed", NULL);
    mk(1, SEV_HIGH, 0, "missing_intermediate", NULL);
    mk(2, SEV_HIGH, 0, "client_rejected_certificate", NULL);
    mk(3, SEV_HIGH, 0, "client_quit_after_handshake", NULL);
    mk(4, SEV_HIGH, 0, "name_mismatch", NULL);
    const char *const w2[] = {"missing_intermediate", "name_mismatch",
                              "client_rejected_certificate", "client_quit_after_handshake",
                              "tls_handshake_failed"};
    sort_expect(5, w2);
    /* stripping before the plaintext it caused */
    mk(0, SEV_CRITICAL, 0, "plaintext_fallback", NULL);
    mk(1, SEV_CRITICAL, 0, "starttls_stripped", NULL);
    const char *const w3[] = {"starttls_stripped", "plaintext_fallback"};
    sort_expect(2, w3);
    /* STARTTLS not offered before the plaintext mail and the policy */
    mk(0, SEV_MEDIUM, 0, "plaintext_delivery", NULL);
    mk(1, SEV_MEDIUM, 0, "starttls_inconsistent", NULL);
    mk(2, SEV_MEDIUM, 0, "starttls_not_offered", NULL);
    const char *const w4[] = {"starttls_not_offered", "starttls_inconsistent",
                              "plaintext_delivery"};
    sort_expect(3, w4);
    /* mutual TLS: the client's chain before the server's rejection of it */
    mk(0, SEV_HIGH, 0, "server_rejected_client_certificate", NULL);
    mk(1, SEV_HIGH, 0, "client_certificate_untrusted", NULL);
    const char *const w5[] = {"client_certificate_untrusted", "server_rejected_client_certificate"};
    sort_expect(2, w5);
}

/* severity first, then the server: a symptom of a worse severity or of an
 * earlier server stays ahead */
static void
test_severity_server(void **state)
{
    (void)state;
    mk(0, SEV_HIGH, 1, "untrusted_root", NULL);
    mk(1, SEV_HIGH, 0, "client_rejected_certificate", NULL);
    mk(2, SEV_CRITICAL, 1, "plaintext_fallback", NULL);
    mk(3, SEV_MEDIUM, 0, "starttls_rejected", NULL);
    mk(4, SEV_HIGH, 0, "self_signed", NULL);
    const char *const w[] = {"plaintext_fallback", "self_signed", "client_rejected_certificate",
                             "untrusted_root", "starttls_rejected"};
    sort_expect(5, w);
    assert_int_equal(fs[0].server, 1);
    assert_int_equal(fs[3].server, 1);
}

/* the same kind twice: a server finding before a name finding, names in
 * order, then the order made in */
static void
test_ties(void **state)
{
    (void)state;
    mk(0, SEV_MEDIUM, 0, "mixed_pool", "mx2.example.test");
    mk(1, SEV_MEDIUM, 0, "mixed_pool", NULL);
    mk(2, SEV_MEDIUM, 0, "mixed_pool", "mx1.example.test");
    mk(3, SEV_MEDIUM, 0, "mixed_pool", NULL);
    qsort(fs, 4, sizeof(fs[0]), agg_cmp_finding);
    assert_null(fs[0].name);
    assert_int_equal(fs[0].seq, 1);
    assert_null(fs[1].name);
    assert_int_equal(fs[1].seq, 3);
    assert_string_equal(fs[2].name, "mx1.example.test");
    assert_string_equal(fs[3].name, "mx2.example.test");
    /* a kind not ranked comes after every ranked one, by name */
    mk(0, SEV_LOW, 0, "zz_unranked", NULL);
    mk(1, SEV_LOW, 0, "aa_unranked", NULL);
    mk(2, SEV_LOW, 0, "certificates_not_visible", NULL);
    const char *const w[] = {"certificates_not_visible", "aa_unranked", "zz_unranked"};
    sort_expect(3, w);
}

/* every kind smtptap makes is ranked: a new kind must take its place */
static void
test_every_kind_ranked(void **state)
{
    (void)state;
    unsigned none = agg_kind_rank("no_such_kind");
    for (unsigned i = 0; i < AF_COUNT; i++)
        if (agg_flags[i].name)
            assert_true(agg_kind_rank(agg_flags[i].name) < none);
    static const char *const others[] = {
        "certificate_changed",        "dane_tlsa_mismatch",           "dane_tlsa_unusable",
        "expired_certificate_served", "expiring_certificate",         "mixed_pool",
        "peer_dependent_certificate", "plaintext_fallback",           "sni_dependent_certificate",
        "starttls_inconsistent",      "client_certificate_untrusted",
    };
    for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        assert_true(agg_kind_rank(others[i]) < none);
}

/* agg_sort_findings (what agg_compute_findings sorts with) leaves the
 * findings in agg_cmp_finding's order, each with its own members and texts
 * (moved along the permutation's cycles, texts up to their terminator):
 * the same as qsort of the whole elements */
static void
test_sort_moves_whole_findings(void **state)
{
    (void)state;
    enum { N = 300 };
    static const char *const kinds[] = {"mixed_pool", "untrusted_root", "expiring_certificate",
                                        "client_rejected_certificate", "zz_unranked"};
    static const char *const names[] = {NULL, "mx1.example.test", "mx2.example.test"};
    struct agg_finding *a = calloc(N, sizeof(*a)), *want = calloc(N, sizeof(*want));
    assert_non_null(a);
    assert_non_null(want);
    uint32_t x = 12345;
    for (unsigned i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        struct agg_finding *f = &a[i];
        f->severity = (int)(x >> 16) % 4;
        f->server = (x >> 20) % 7;
        f->kind = kinds[(x >> 8) % 5];
        f->name = names[(x >> 4) % 3];
        f->rank = agg_kind_rank(f->kind);
        f->seq = i;
        f->sessions = 1000 + i;
        f->n_ids = (uint8_t)(i % AGG_SESSIONS_MAX);
        f->ids[AGG_SESSIONS_MAX - 1] = i;
        f->summary_cut = i % 2;
        snprintf(f->summary, sizeof(f->summary), "summary of finding %u", i);
        /* texts of every length up to the whole room */
        memset(f->evidence, 'a' + (char)(i % 26), (i * 7) % sizeof(f->evidence));
        f->evidence[(i * 7) % sizeof(f->evidence)] = '\0';
    }
    memcpy(want, a, N * sizeof(*a));
    qsort(want, N, sizeof(*want), agg_cmp_finding);
    struct agg_finding *saved = agg.findings;
    uint32_t saved_n = agg.n_findings;
    agg.findings = a;
    agg.n_findings = N;
    agg_sort_findings();
    agg.findings = saved;
    agg.n_findings = saved_n;
    unsigned moved = 0;
    for (unsigned i = 0; i < N; i++) {
        assert_int_equal(a[i].seq, want[i].seq);
        assert_int_equal(a[i].severity, want[i].severity);
        assert_int_equal(a[i].server, want[i].server);
        assert_ptr_equal(a[i].kind, want[i].kind);
        assert_ptr_equal(a[i].name, want[i].name);
        assert_int_equal(a[i].sessions, 1000 + a[i].seq);
        assert_int_equal(a[i].n_ids, want[i].n_ids);
        assert_int_equal(a[i].ids[AGG_SESSIONS_MAX - 1], a[i].seq);
        assert_int_equal(a[i].summary_cut, want[i].summary_cut);
        assert_string_equal(a[i].summary, want[i].summary);
        assert_string_equal(a[i].evidence, want[i].evidence);
        if (i > 0)
            assert_true(agg_cmp_finding(&a[i - 1], &a[i]) < 0);
        moved += a[i].seq != i;
    }
    assert_true(moved > N / 2); /* the order was not the sorted one already */
    free(a);
    free(want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cause_first),
        cmocka_unit_test(test_severity_server),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_every_kind_ranked),
        cmocka_unit_test(test_sort_moves_whole_findings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
