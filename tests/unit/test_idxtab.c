/* \summary: unit tests for the index table's string keys (src/idxtab.c):
 * one struct idxtab_strkeys serves as both the comparison and the rehash,
 * with or without regard to ASCII case, through growth (rehashing every
 * present key); idxtab_hash_nocase is the hash of the lower-cased string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "idxtab.h"
#include "mem.h"

#define N_NAMES 300 /* the table grows from 64 slots to 1024: four rehashes */

static char names[N_NAMES][32];

static const char *
name_of(uint32_t idx)
{
    return names[idx];
}

static const struct idxtab_strkeys nocase = {name_of, true}, exact = {name_of, false};

/* A table of N_NAMES names "Mx<i>.Example.TEST", keyed as k says. */
static void
fill(struct idxtab *t, const struct idxtab_strkeys *k)
{
    memset(t, 0, sizeof(*t));
    for (uint32_t i = 0; i < N_NAMES; i++) {
        snprintf(names[i], sizeof(names[i]), "Mx%u.Example.TEST", i);
        assert_true(idxtab_reserve_str(t, i, k));
        idxtab_insert(t, idxtab_str_hash(k, names[i]), i);
    }
}

static void
test_hash_nocase(void **state)
{
    (void)state;
    assert_true(idxtab_hash_nocase("Mail.EXAMPLE.test") == idxtab_hash_str("mail.example.test"));
    assert_true(idxtab_hash_nocase("a-Z_09@[") == idxtab_hash_str("a-z_09@["));
    assert_true(idxtab_hash_nocase("") == idxtab_hash_str(""));
    /* only ASCII letters fold: bytes above 0x7f are themselves */
    assert_true(idxtab_hash_nocase("\xc3\x89") == idxtab_hash_str("\xc3\x89"));
    assert_true(idxtab_str_hash(&nocase, "ABC") == idxtab_hash_str("abc"));
    assert_true(idxtab_str_hash(&exact, "ABC") == idxtab_hash_str("ABC"));
}

static void
test_find_nocase(void **state)
{
    (void)state;
    mem_init(0);
    struct idxtab t;
    fill(&t, &nocase);
    assert_true(t.n_slots >= 2 * N_NAMES);
    char key[32];
    for (uint32_t i = 0; i < N_NAMES; i++) {
        snprintf(key, sizeof(key), "MX%u.EXAMPLE.test", i);
        assert_int_equal(idxtab_find_str(&t, &nocase, idxtab_str_hash(&nocase, key), key), i);
    }
    strcpy(key, "mx300.example.test");
    assert_int_equal(idxtab_find_str(&t, &nocase, idxtab_str_hash(&nocase, key), key), UINT32_MAX);
    idxtab_free(&t);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_find_exact(void **state)
{
    (void)state;
    mem_init(0);
    struct idxtab t;
    fill(&t, &exact);
    char key[32];
    for (uint32_t i = 0; i < N_NAMES; i++) {
        snprintf(key, sizeof(key), "Mx%u.Example.TEST", i);
        assert_int_equal(idxtab_find_str(&t, &exact, idxtab_str_hash(&exact, key), key), i);
        /* another case is another key, under its hash or under the stored one's */
        snprintf(key, sizeof(key), "mx%u.example.test", i);
        assert_int_equal(idxtab_find_str(&t, &exact, idxtab_str_hash(&exact, key), key),
                         UINT32_MAX);
        assert_int_equal(idxtab_find_str(&t, &exact, idxtab_hash_str(names[i]), key), UINT32_MAX);
    }
    idxtab_free(&t);
    assert_int_equal(mem_in_use(), 0);
}

/* An empty table finds nothing; growth refused (memory cap) is said. */
static void
test_empty_and_refused(void **state)
{
    (void)state;
    mem_init(0);
    struct idxtab t;
    memset(&t, 0, sizeof(t));
    assert_int_equal(idxtab_find_str(&t, &nocase, idxtab_hash_nocase("x"), "x"), UINT32_MAX);
    mem_fail_after(1); /* the next allocation fails */
    assert_false(idxtab_reserve_str(&t, 0, &nocase));
    mem_fail_after(0);
    assert_int_equal(t.n_slots, 0);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_nocase),
        cmocka_unit_test(test_find_nocase),
        cmocka_unit_test(test_find_exact),
        cmocka_unit_test(test_empty_and_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
