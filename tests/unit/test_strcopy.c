/* \summary: unit tests for str_copy() (src/strcopy.h): the same bytes as
 * snprintf(dst, n, "%s", src) for every destination size, NULL as "". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strcopy.h"

static void
test_same_as_snprintf(void **state)
{
    (void)state;
    static const char *srcs[] = {"", "a", "mail.example.test", "exactly-16-bytes"};
    for (unsigned s = 0; s < sizeof(srcs) / sizeof(srcs[0]); s++)
        for (size_t n = 1; n <= 20; n++) {
            char a[24], b[24];
            memset(a, 'x', sizeof(a));
            memset(b, 'x', sizeof(b));
            snprintf(a, n, "%s", srcs[s]);
            size_t len = str_copy(b, n, srcs[s]);
            assert_memory_equal(a, b, sizeof(a)); /* nothing written past n */
            assert_int_equal(len, strlen(b));
        }
}

static void
test_null_and_zero(void **state)
{
    (void)state;
    char b[4] = "zzz";
    assert_int_equal(str_copy(b, sizeof(b), NULL), 0);
    assert_string_equal(b, "");
    memcpy(b, "zzz", 4);
    assert_int_equal(str_copy(b, 0, "abc"), 0);
    assert_string_equal(b, "zzz"); /* n == 0: untouched */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_snprintf),
        cmocka_unit_test(test_null_and_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
