/* \summary: unit tests for resumed sessions linked to no chain on a server
 * (src/aggregate.c, agg_nv_resumed in src/agg_notvisible.c, the server
 * record's resumed_not_linked in src/agg_json.c): an abbreviated handshake
 * sends no certificate (RFC 5246 §7.3, RFC 8446 §2.2), and one whose full
 * handshake is not linked (a TLS 1.3 ticket without a key log, RFC 8446
 * §4.6.1) is counted beside the chains with its peers, by address as the
 * server block lists peers elsewhere, "and N more" beyond six of more than
 * seven, in the terminal report and in the JSON. */
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
#include "tu_text.h"

/* One resumed session of 198.51.100.<client> to 203.0.113.25:25, linked to
 * no chain (TLS 1.3, or TLS 1.2 when !tls13), diagnosed and aggregated as
 * report.c does. */
static void
feed(uint64_t id, uint8_t client, bool tls13)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = true;
    f.smtp.starttls_offered = 1;
    f.smtp.starttls_command = true;
    strcpy(f.smtp.starttls_verb, "STARTTLS");
    f.smtp.starttls_reply_code = 220;
    f.smtp.tls_started = true;
    f.tls.seen = true;
    f.tls.version = tls13 ? 0x0304 : 0x0303;
    f.tls.handshake = TLS_HS_COMPLETE;
    f.tls.resumed = true;
    f.tls.certificates = TLS_CERTS_RESUMED;
    tu_agg_feed(tu_agg_record(&f, id, client, 25, 25));
}

/* One TLS 1.3 session from 198.51.100.12, two TLS 1.2 from .13 and .11:
 * each version's peers named, sorted. */
static void
test_peers_named(void **state)
{
    (void)state;
    feed(1, 12, true);
    feed(2, 13, false);
    feed(3, 11, false);
    feed(4, 13, false); /* a peer twice: listed once */
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "  certificate not linked: +1 resumed TLS 1.3 session (peer 198.51.100.12): its "
                 "chain is the one of the handshake it resumed, not linkable without a key log");
    tu_has(text, "; +3 resumed TLS 1.0-1.2 sessions (peers 198.51.100.11, 198.51.100.13): their "
                 "chains are those");
    free(text);
    char *json = tu_agg_json();
    tu_has(json, "\"resumed_not_linked\":[{\"versions\":\"TLSv1.3\",\"sessions\":1,\"peers\":["
                 "\"198.51.100.12\"]},{\"versions\":\"TLSv1.0-1.2\",\"sessions\":3,\"peers\":["
                 "\"198.51.100.11\",\"198.51.100.13\"]}]");
    free(json);
}

/* Nine peers, in no order: six by address, "and 3 more"; the JSON lists
 * all nine, sorted. */
static void
test_peers_many(void **state)
{
    (void)state;
    static const uint8_t c[] = {90, 4, 70, 30, 9, 50, 20, 80, 60};
    for (unsigned i = 0; i < sizeof(c); i++)
        feed(i + 1, c[i], true);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "+9 resumed TLS 1.3 sessions (peers 198.51.100.4, 198.51.100.9, 198.51.100.20, "
                 "198.51.100.30, 198.51.100.50, 198.51.100.60 and 3 more): their chains are");
    free(text);
    char *json = tu_agg_json();
    tu_has(json, "\"sessions\":9,\"peers\":[\"198.51.100.4\",\"198.51.100.9\",\"198.51.100.20\","
                 "\"198.51.100.30\",\"198.51.100.50\",\"198.51.100.60\",\"198.51.100.70\","
                 "\"198.51.100.80\",\"198.51.100.90\"]}]");
    free(json);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_peers_named, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_peers_many, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
