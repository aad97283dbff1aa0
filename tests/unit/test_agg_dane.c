/* \summary: unit tests for a server's "dane" object (src/agg_dane.c): which
 * session's verdict it shows. A mismatch first; else a decided session
 * (match null only when no session decided); a session DANE was checked for
 * over one it was not (RFC 7672 §2.2.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "dane.h"
#include "diagnose.h"
#include "json.h"
#include "mem.h"
#include "tlsa.h"
#include "tu_json.h"

static void
note(struct agg_server *s, uint8_t state, uint8_t why)
{
    struct diagnosis d;
    struct tls_facts t;
    memset(&d, 0, sizeof(d));
    memset(&t, 0, sizeof(t));
    d.dane.state = state;
    d.dane.why = why;
    d.dane.match_usage = 2;
    d.dane.records = d.dane.usable = 1;
    d.dane.dnssec = true;
    d.dane.sources = TLSA_SRC_DNS;
    d.dane.first = TLSA_NONE;
    d.dane.cname_skipped = TLSA_NONE;
    agg_dane_note(s, &t, &d);
}

static void
dane_json(struct json *j, void *arg)
{
    json_obj_begin(j, NULL);
    agg_dane_json(j, arg);
    json_obj_end(j);
    json_record_end(j);
}

/* The dane object's "match" and "failure" keys, as written */
static void
expect(struct agg_server *s, const char *match_failure)
{
    char *buf = tu_json_capture(dane_json, s);
    assert_non_null(strstr(buf, match_failure));
    free(buf);
}

static void
test_shown_decided(void **state)
{
    (void)state;
    mem_init(0);
    struct agg_server s;
    memset(&s, 0, sizeof(s));
    /* the first session's name check not decided, the second matched: the
     * match is shown (was match null, failure name_undecided) */
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"match\":null,\"matched_usage\":null,\"failure\":\"name_undecided\"");
    note(&s, DANE_MATCH, 0);
    expect(&s, "\"match\":true,\"matched_usage\":\"DANE-TA\",\"anchor_from_record\":false,"
               "\"failure\":null,\"sessions_matched\":1,\"sessions_mismatched\":0,"
               "\"sessions_unusable\":0,\"sessions_undecided\":1");
    /* a later undecided one does not take its place; a mismatch does */
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"match\":true");
    note(&s, DANE_MISMATCH, DANE_WHY_EXPIRED);
    expect(&s, "\"match\":false,\"matched_usage\":null,\"failure\":\"expired\"");
    note(&s, DANE_MATCH, 0);
    expect(&s, "\"failure\":\"expired\",\"sessions_matched\":2,\"sessions_mismatched\":1");
    agg_dane_free(&s);

    /* the other order: the match stays */
    memset(&s, 0, sizeof(s));
    note(&s, DANE_MATCH, 0);
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"match\":true");
    agg_dane_free(&s);

    /* undecided over not checked (skipped) */
    memset(&s, 0, sizeof(s));
    note(&s, DANE_SKIPPED, 0);
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"failure\":\"name_undecided\"");
    agg_dane_free(&s);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shown_decided),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
