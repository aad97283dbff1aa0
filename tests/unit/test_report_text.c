/* \summary: unit tests for the terminal report (src/report_text.c): bytes
 * of the wire in a server's names (an SNI, a greeting's host) and in the
 * findings that quote them are written as \xNN, never as themselves, so a
 * peer cannot drive the reader's terminal with escape sequences; each
 * client chain (mutual TLS) is listed with its own verdict and peers. */
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
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "mem.h"
#include "record.h"
#include "report.h"
#include "tu_certs.h"

static void
test_names_escaped(void **state)
{
    (void)state;
    static struct config cfg;
    config_defaults(&cfg);
    mem_init(cfg.memcap);
    agg_init(&cfg);

    /* a TLS session whose ClientHello named "\x1b]0;pwned\x07mx\xc3\xa9" */
    static uint8_t sni[] = "\x1b]0;pwned\x07mx\xc3\xa9";
    static struct session_facts f;
    static struct flow_record rec;
    static struct diagnosis dg;
    memset(&f, 0, sizeof(f));
    memset(&rec, 0, sizeof(rec));
    memset(&dg, 0, sizeof(dg));
    f.smtp.seen = true;
    f.tls.seen = true;
    f.tls.sni.s = sni;
    f.tls.sni.len = (uint32_t)(sizeof(sni) - 1);
    rec.id = 1;
    rec.ts_us = rec.ts_end_us = 1795510861000000LL;
    rec.client.ip.family = rec.server.ip.family = 4;
    rec.client.ip.a[0] = 198;
    rec.server.ip.a[0] = 203;
    rec.server.port = 25;
    rec.facts = &f;
    agg_session(&rec, &dg);
    agg_finish();

    char *text = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    assert_non_null(out);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    agg_write_text(out, &st, false);
    assert_int_equal(fclose(out), 0);
    assert_non_null(strstr(text, "names: \\x1b]0;pwned\\x07mx\\xc3\\xa9"));
    for (size_t i = 0; i < n; i++)
        assert_true(text[i] == '\n' || ((unsigned char)text[i] >= 0x20 && text[i] != 0x7f &&
                                        (unsigned char)text[i] < 0x80));
    free(text);
    agg_fini();
}

/* The terminal report of what was aggregated so far. */
static char *
report_text(void)
{
    char *text = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    assert_non_null(out);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    agg_write_text(out, &st, false);
    assert_int_equal(fclose(out), 0);
    return text;
}

/* One leaf sent alone by one peer and with its intermediate by another:
 * two chains, each with the verdict of its own session's diagnosis and its
 * own peer (they had been counted under the leaf, with the first session's
 * verdict for both). */
static void
test_client_chains_apart(void **state)
{
    (void)state;
    static struct config cfg;
    config_defaults(&cfg);
    mem_init(cfg.memcap);
    certcache_init(16);
    agg_init(&cfg);
    uint32_t leaf = tu_cert_add(SRCDIR "/tests/data/certs/leaf.der");
    uint32_t inter = tu_cert_add(SRCDIR "/tests/data/certs/inter.der");
    static const struct {
        uint8_t peer, n;
        const char *status, *text;
    } rows[] = {
        {10, 1, "UntrustedRoot", "unable to get local issuer certificate"},
        {30, 2, "Valid", "ok"},
        {10, 1, "UntrustedRoot", "unable to get local issuer certificate"},
    };
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        static struct session_facts f;
        static struct flow_record rec;
        static struct diagnosis dg;
        memset(&f, 0, sizeof(f));
        memset(&rec, 0, sizeof(rec));
        memset(&dg, 0, sizeof(dg));
        f.tls.seen = true;
        f.tls.client_chain[0] = leaf;
        f.tls.client_chain[1] = inter;
        f.tls.n_client_chain = rows[i].n;
        dg.mutual_tls = true;
        dg.verify_error = dg.client_verify_error = -1;
        strcpy(dg.client_exchange_status, rows[i].status);
        strcpy(dg.client_verify_error_text, rows[i].text);
        rec.id = i + 1;
        rec.ts_us = rec.ts_end_us = 1795510861000000LL + i;
        rec.client.ip.family = rec.server.ip.family = 4;
        memcpy(rec.client.ip.a, (uint8_t[]){198, 51, 100, rows[i].peer}, 4);
        memcpy(rec.server.ip.a, (uint8_t[]){203, 0, 113, 25}, 4);
        rec.server.port = 25;
        rec.facts = &f;
        agg_session(&rec, &dg);
    }
    agg_finish();
    char *text = report_text();
    const char *leaf_line = "  client certificate C=DE,O=Example Mail,CN=mail.example.com (SHA-1 "
                            "B9EDF153, until 2034-01-01), ";
    char want[512];
    snprintf(want, sizeof(want), "%s%s", leaf_line,
             "1 certificate sent: UntrustedRoot (unable to get local issuer certificate), 2 "
             "sessions from 198.51.100.10\n");
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof(want), "%s%s", leaf_line,
             "2 certificates sent: Valid, 1 session from 198.51.100.30\n");
    assert_non_null(strstr(text, want));
    free(text);
    agg_fini();
    certcache_free();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_escaped),
        cmocka_unit_test(test_client_chains_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
