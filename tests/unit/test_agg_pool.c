/* \summary: unit tests for what sets a mixed pool's odd certificate apart
 * (src/agg_findings.c agg_pool_difference): the Exchange statuses it has and
 * no other has, those every other has and it has not; a status they share is
 * no difference, so a pool judged against a trust store that lacks every
 * chain's root still names the expiry, as the lab store's run does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "diagnose.h"
#include "strcopy.h"

static void
diff(char *out, size_t n, unsigned odd, unsigned any, unsigned all, unsigned others, bool nodes)
{
    struct strbuf b = str_buf(out, n);
    agg_pool_difference(&b, odd, any, all, others, nodes);
}

static void
test_pool_difference(void **state)
{
    (void)state;
    char a[200], b[200];
    /* case 2 against the lab's store: expired against valid */
    diff(a, sizeof(a), XS_DATE_INVALID, 0, 0, 1, false);
    assert_string_equal(a, " - it is DateInvalid, the other certificate is not; fix that node");
    /* the same pool against a store that lacks their root: the same words */
    diff(b, sizeof(b), XS_DATE_INVALID | XS_UNTRUSTED_ROOT, XS_UNTRUSTED_ROOT, XS_UNTRUSTED_ROOT, 1,
         false);
    assert_string_equal(a, b);
    /* the odd one is the node already renewed */
    diff(a, sizeof(a), 0, XS_DATE_INVALID, XS_DATE_INVALID, 3, false);
    assert_string_equal(
        a, " - the other certificates are DateInvalid, it is not; fix the other nodes");
    /* each has its own fault */
    diff(a, sizeof(a), XS_SUBJECT_MISMATCH, XS_DATE_INVALID, XS_DATE_INVALID, 1, true);
    assert_string_equal(
        a, " - it is SubjectMismatch, the other certificate is DateInvalid; fix every node");
    /* a status some others share with it is no difference; nor is one only
     * some others have that it has not */
    diff(a, sizeof(a), XS_UNTRUSTED_ROOT, XS_UNTRUSTED_ROOT | XS_DATE_INVALID, 0, 2, true);
    assert_string_equal(a, "; fix those nodes");
    /* not verified (no other to compare): nothing said of statuses */
    diff(a, sizeof(a), XS_DATE_INVALID, 0, ~0u, 0, false);
    assert_string_equal(a, "; fix that node");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_difference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
