/* \summary: unit tests for the name-check memo (src/namememo.c): answers
 * only what was put, for the same certificate (id and SHA-256) and the same
 * name; keeps the most recent NAMEMEMO_WAYS pairs of a set; never answers
 * for a name too long to keep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "namememo.h"

static const uint8_t sha_a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t sha_b[8] = {1, 2, 3, 4, 5, 6, 7, 9};

static int
setup(void **state)
{
    (void)state;
    return namememo_init() ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    namememo_fini();
    return 0;
}

static void
test_exact_pair(void **state)
{
    (void)state;
    assert_int_equal(namememo_get(7, sha_a, "mx.example.test"), -1);
    namememo_put(7, sha_a, "mx.example.test", false);
    assert_int_equal(namememo_get(7, sha_a, "mx.example.test"), 0);
    namememo_put(7, sha_a, "mx.example.test", true); /* replaced, not added */
    assert_int_equal(namememo_get(7, sha_a, "mx.example.test"), 1);
    assert_int_equal(namememo_get(7, sha_b, "mx.example.test"), -1); /* other DER */
    assert_int_equal(namememo_get(8, sha_a, "mx.example.test"), -1); /* other id */
    assert_int_equal(namememo_get(7, sha_a, "mx.example.tes"), -1);  /* prefix */
    assert_int_equal(namememo_get(7, sha_a, "mx.example.test."), -1);
    assert_int_equal(namememo_get(7, sha_a, "MX.example.test"), -1); /* as given */
    assert_int_equal(namememo_get(0, sha_a, "mx.example.test"), -1); /* no id */
}

static void
test_long_names_not_kept(void **state)
{
    (void)state;
    char name[NAMEMEMO_NAME_MAX + 2];
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0'; /* NAMEMEMO_NAME_MAX + 1 bytes */
    namememo_put(3, sha_a, name, true);
    assert_int_equal(namememo_get(3, sha_a, name), -1);
    name[NAMEMEMO_NAME_MAX] = '\0'; /* exactly the maximum: kept */
    namememo_put(3, sha_a, name, true);
    assert_int_equal(namememo_get(3, sha_a, name), 1);
}

/* A reference model of one set would need the hash; instead: many more
 * pairs than the table holds, put and read back in patterns. Every answer
 * given must be the one put; the most recent pairs must all be there. */
static void
test_many_pairs(void **state)
{
    (void)state;
    enum { N = NAMEMEMO_SETS * NAMEMEMO_WAYS * 3 };
    char name[32];
    for (uint32_t i = 1; i <= N; i++) {
        snprintf(name, sizeof(name), "mx%u.example.test", i % 997);
        namememo_put(i, sha_a, name, i % 3 == 0);
    }
    unsigned hits = 0;
    for (uint32_t i = 1; i <= N; i++) {
        snprintf(name, sizeof(name), "mx%u.example.test", i % 997);
        int r = namememo_get(i, sha_a, name);
        if (r >= 0) {
            assert_int_equal(r, i % 3 == 0);
            hits++;
        }
        assert_int_equal(namememo_get(i, sha_b, name), -1);
    }
    assert_true(hits > 0);
    assert_true(hits <= NAMEMEMO_SETS * NAMEMEMO_WAYS);
    /* The last 1000 pairs put are all still there (1000 among 2048 sets of
     * 4: a set receiving more than 4 of them is practically impossible,
     * and the test would show it). */
    for (uint32_t i = 1; i <= N; i++) {
        snprintf(name, sizeof(name), "mx%u.example.test", i % 997);
        namememo_put(i, sha_a, name, i % 2 == 0);
    }
    for (uint32_t i = N - 999; i <= N; i++) {
        snprintf(name, sizeof(name), "mx%u.example.test", i % 997);
        assert_int_equal(namememo_get(i, sha_a, name), i % 2 == 0);
    }
}

/* Least recently used goes first: a pair read after every new put stays
 * while 60 000 pairs pass through the table (~29 of them into its set); a
 * pair not read is pushed out by them. */
static void
test_recently_used_kept(void **state)
{
    (void)state;
    char name[32];
    namememo_put(1, sha_a, "kept.example.test", true);
    namememo_put(2, sha_a, "left.example.test", false);
    for (uint32_t id = 3; id < 60000; id++) {
        snprintf(name, sizeof(name), "n%u", id);
        namememo_put(id, sha_a, name, true);
        assert_int_equal(namememo_get(1, sha_a, "kept.example.test"), 1);
    }
    assert_int_equal(namememo_get(2, sha_a, "left.example.test"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exact_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_names_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recently_used_kept, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
