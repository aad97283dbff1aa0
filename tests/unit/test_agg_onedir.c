/* \summary: unit tests for the per-peer counts of sessions of which the
 * capture holds one direction only (src/aggregate.c, src/report_text.c,
 * struct agg_peer client_unseen / server_unseen): exact past 255, as the
 * run's totals (the "ONE DIRECTION CAPTURED" heading) are, on the peer's
 * STARTTLS row: "(client direction not captured in N)" and "server
 * direction missing (N sessions)". They saturated at 255 ("255+") when
 * they were 8-bit. A session with no TLS and no mail read whose client
 * direction was not captured is "mail-unknown", not "no-mail": nothing
 * of what the client sent could be read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_text.h"

/* 300 sessions of peer 198.51.100.10 of which the capture holds the
 * server's side alone (STARTTLS offered, read from the server's replies),
 * and 260 of peer 198.51.100.20 of which it holds the client's alone
 * (nothing of the server's: nothing judged). */
static void
test_onedir_counts_exact(void **state)
{
    (void)state;
    static struct session_facts f;
    uint64_t id = 1;
    for (unsigned i = 0; i < 300; i++, id++) {
        memset(&f, 0, sizeof(f));
        f.smtp.seen = true;
        f.smtp.starttls_offered = 1;
        struct flow_record *rec = tu_agg_record(&f, id, 10, 25, 25);
        rec->bytes[1] = 154; /* the server's EHLO reply; no packet of the client's */
        rec->pkts[1] = 3;
        tu_agg_feed(rec);
    }
    for (unsigned i = 0; i < 260; i++, id++) {
        memset(&f, 0, sizeof(f));
        f.smtp.seen = true;
        struct flow_record *rec = tu_agg_record(&f, id, 20, 25, 25);
        f.smtp.starttls_offered = -1; /* its EHLO reply not seen */
        rec->bytes[0] = 27;           /* the client's EHLO; no packet of the server's */
        rec->pkts[0] = 2;
        tu_agg_feed(rec);
    }
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "ONE DIRECTION CAPTURED: 300 sessions hold the server's direction only");
    tu_has(text, "ONE DIRECTION CAPTURED: 260 sessions hold the client's direction only");
    /* no mail read, the client's side not captured: unknown (it read
     * "no-mail 300") */
    tu_has(text,
           "198.51.100.10: offered 300 mail-unknown 300 (client direction not captured in 300)\n");
    tu_lacks(text, "no-mail");
    tu_has(text, "198.51.100.20: server direction missing (260 sessions): capture both directions");
    assert_null(strstr(text, "255"));
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_onedir_counts_exact, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
