/* \summary: unit tests for the terminal report of a capture without SMTP or
 * mail TLS (src/report_text.c rt_no_mail): not "No findings.", which reads
 * as mail judged and found sound, but that nothing was seen to judge; with
 * TLS connections of other protocols left out (HTTPS on 443...), their
 * ports and the --tls-ports option that includes them (report_port_note
 * keeps the lowest REPORT_PORTS_MAX ports, whatever order they came in). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "report.h"
#include "tu_agg.h"
#include "tu_text.h"

/* Nothing at all: said, without the advice. */
static void
test_nothing(void **state)
{
    (void)state;
    agg_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.packets = 32;
    st.flows = 1;
    char *text = tu_agg_text(&st, NULL);
    if (strncmp(text, "No SMTP or mail TLS seen: nothing to judge.\n\n32 packets, ", 56) != 0)
        fail_msg("the report begins otherwise:\n%s", text);
    tu_lacks(text, "No findings");
    tu_lacks(text, "--tls-ports");
    free(text);
}

/* HTTPS only: the count, the port, the option. */
static void
test_https_only(void **state)
{
    (void)state;
    agg_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.tls_other = 3;
    report_port_note(&st.tls_other_ports, 443);
    report_port_note(&st.tls_other_ports, 443);
    char *text = tu_agg_text(&st, NULL);
    tu_has(text, "No SMTP or mail TLS seen: nothing to judge.\n3 TLS connections of other "
                 "protocols (HTTPS and the like) left out, on port 443: --tls-ports 443 "
                 "includes them.\n\n");
    free(text);
    st.tls_other = 1;
    text = tu_agg_text(&st, NULL);
    tu_has(text, "\n1 TLS connection of other protocols (HTTPS and the like) left out, on port "
                 "443: --tls-ports 443 includes it.\n");
    free(text);
}

/* Several ports, sorted; past 8, the lowest kept and "others" said. */
static void
test_ports(void **state)
{
    (void)state;
    agg_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.tls_other = 4;
    report_port_note(&st.tls_other_ports, 8443);
    report_port_note(&st.tls_other_ports, 443);
    report_port_note(&st.tls_other_ports, 993);
    report_port_note(&st.tls_other_ports, 8443);
    char *text = tu_agg_text(&st, NULL);
    tu_has(text, " left out, on ports 443, 993, 8443: --tls-ports 443,993,8443 includes them.\n");
    free(text);
    memset(&st, 0, sizeof(st));
    st.tls_other = 10;
    static const uint16_t seen[] = {9010, 9001, 9009, 9002, 9003, 9004, 9005, 9006, 9007, 9000};
    for (unsigned i = 0; i < 10; i++)
        report_port_note(&st.tls_other_ports, seen[i]);
    text = tu_agg_text(&st, NULL);
    tu_has(text, " left out, on ports 9000, 9001, 9002, 9003, 9004, 9005, 9006, 9007 and others: "
                 "--tls-ports 9000,9001,9002,9003,9004,9005,9006,9007,... includes them.\n");
    free(text);
}

/* Sessions seen and none with a finding: "No findings." as before, the
 * TLS left out in the counts line only. */
static void
test_sessions_no_findings(void **state)
{
    (void)state;
    agg_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    st.sessions = 2;
    st.tls_other = 1;
    report_port_note(&st.tls_other_ports, 443);
    char *text = tu_agg_text(&st, NULL);
    if (strncmp(text, "No findings.\n\n", 14) != 0)
        fail_msg("the report begins otherwise:\n%s", text);
    tu_lacks(text, "includes it");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nothing, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_https_only, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_ports, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_sessions_no_findings, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
