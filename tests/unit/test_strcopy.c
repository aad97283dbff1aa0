/* \summary: unit tests for str_copy() and str_cat() (src/strcopy.h): the
 * same bytes as snprintf for every destination size, NULL as "". */
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

/* str_cat and str_cat_int build what snprintf("%s %.5s(%d)") does, for every
 * destination size, without writing past it. */
static void
test_cat_same_as_snprintf(void **state)
{
    (void)state;
    static const char *srcs[] = {"", "a", "client", "server_hello_done"};
    static const long ints[] = {0, 7, 42, -3, 65535, -2147483647L};
    for (unsigned s = 0; s < sizeof(srcs) / sizeof(srcs[0]); s++)
        for (unsigned i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
            for (size_t n = 1; n <= 40; n++) {
                char a[48], b[48];
                memset(a, 'x', sizeof(a));
                memset(b, 'x', sizeof(b));
                snprintf(a, n, "%s %.5s(%ld)", srcs[s], srcs[3 - s], ints[i]);
                size_t at = str_copy(b, n, srcs[s]);
                at = str_cat(b, n, at, " ", 1);
                at = str_cat(b, n, at, srcs[3 - s], 5);
                at = str_cat(b, n, at, "(", 1);
                at = str_cat_int(b, n, at, ints[i]);
                at = str_cat(b, n, at, ")", 1);
                assert_memory_equal(a, b, sizeof(a));
                assert_int_equal(at, strlen(b));
            }
    char b[4] = "zzz";
    assert_int_equal(str_cat(b, 0, 0, "abc", 3), 0);
    assert_string_equal(b, "zzz");
    assert_int_equal(str_cat(b, sizeof(b), 0, NULL, 3), 0);
    assert_string_equal(b, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_snprintf),
        cmocka_unit_test(test_null_and_zero),
        cmocka_unit_test(test_cat_same_as_snprintf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
