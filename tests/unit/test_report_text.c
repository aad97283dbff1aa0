/* \summary: unit tests for the terminal report (src/report_text.c): bytes
 * of the wire in a server's names (an SNI, a greeting's host) and in the
 * findings that quote them are written as \xNN, never as themselves, so a
 * peer cannot drive the reader's terminal with escape sequences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "mem.h"
#include "record.h"
#include "report.h"

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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
