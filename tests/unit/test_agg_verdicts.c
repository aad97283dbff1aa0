/* \summary: unit tests for a certificate's statuses counted per session
 * (src/agg_verdicts.c): a leaf that expired between two sessions is Valid in
 * one and DateInvalid in the other, whatever order they come in; sessions
 * that agree are not "mixed"; a session not verified is not counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "diagnose.h"
#include "json.h"
#include "tu_json.h"

static void
note(struct agg_vcount *v, bool verified, unsigned statuses)
{
    struct diagnosis d;
    memset(&d, 0, sizeof(d));
    d.verified = verified;
    d.exchange_statuses = (uint8_t)statuses;
    agg_vcount_note(v, &d);
}

static void
vcount_json(struct json *j, void *arg)
{
    json_obj_begin(j, NULL);
    agg_vcount_json(j, arg);
    json_obj_end(j);
    json_record_end(j);
}

static void
test_vcount(void **state)
{
    (void)state;
    char out[128];
    struct agg_vcount a = {0}, b = {0};
    /* the same two sessions in either order: the same counts */
    note(&a, true, 0);
    note(&a, true, XS_DATE_INVALID);
    note(&b, true, XS_DATE_INVALID);
    note(&b, true, 0);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_true(agg_vcount_mixed(&a));
    agg_vcount_text(&a, out, sizeof(out));
    assert_string_equal(out, "Valid in 1, DateInvalid in 1");

    /* a self-signed certificate for another name, every time: not mixed */
    struct agg_vcount c = {0};
    note(&c, true, XS_UNTRUSTED_ROOT | XS_SUBJECT_MISMATCH);
    note(&c, true, XS_UNTRUSTED_ROOT | XS_SUBJECT_MISMATCH);
    note(&c, false, 0); /* not verified (unparsable leaf): not counted */
    assert_int_equal(c.judged, 2);
    assert_false(agg_vcount_mixed(&c));
    /* a wildcard matched against names it covers and one it does not */
    note(&c, true, XS_UNTRUSTED_ROOT);
    assert_true(agg_vcount_mixed(&c));
    agg_vcount_text(&c, out, sizeof(out));
    assert_string_equal(out, "UntrustedRoot in 3, SubjectMismatch in 2");

    /* JSON: every status seen with its sessions */
    char *buf = tu_json_capture(vcount_json, &a);
    assert_string_equal(buf, "{\"verdict_sessions\":{\"Valid\":1,\"DateInvalid\":1}}\n");
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vcount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
