/* \summary: capture_stats_due (capture.h): the live capture's periodic
 * counts line is said when a count moved, and under -q only when drops
 * grew; an idle link says one line, not one every interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture.h"

static void
test_idle_link_says_once(void **state)
{
    (void)state;
    struct capture_said said = {0};
    struct capture_stats st = {0};
    assert_true(capture_stats_due(&said, &st, false)); /* the first line */
    for (int i = 0; i < 360; i++)                      /* an hour of 10 s ticks */
        assert_false(capture_stats_due(&said, &st, false));
    st.frames = 5;
    assert_true(capture_stats_due(&said, &st, false));
    assert_false(capture_stats_due(&said, &st, false));
    st.ps_recv = 9; /* the filter's count moved, not the frames */
    assert_true(capture_stats_due(&said, &st, false));
    st.ps_ifdrop = 1;
    assert_true(capture_stats_due(&said, &st, false));
    assert_false(capture_stats_due(&said, &st, false));
}

static void
test_quiet_says_drops_only(void **state)
{
    (void)state;
    struct capture_said said = {0};
    struct capture_stats st = {0};
    assert_false(capture_stats_due(&said, &st, true));
    st.frames = 1000;
    st.ps_recv = 1000;
    assert_false(capture_stats_due(&said, &st, true));
    st.ps_drop = 3;
    assert_true(capture_stats_due(&said, &st, true));
    assert_false(capture_stats_due(&said, &st, true)); /* the same 3: said */
    st.frames = 2000;
    assert_false(capture_stats_due(&said, &st, true));
    st.ps_ifdrop = 1;
    assert_true(capture_stats_due(&said, &st, true));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_link_says_once),
        cmocka_unit_test(test_quiet_says_drops_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
