/* \summary: unit tests for the count of a server's peers past
 * report.peers_max (src/agg_pcount.c): every distinct address counted once
 * however many sessions it has, through the table's growth (rehashing those
 * present); an IPv4 address and an IPv6 one of the same bytes are two
 * peers; past AGG_PCOUNT_SLOTS_MAX, or when memory is refused, the count
 * stops short and says it is a lower bound, never counting an address
 * twice; nothing is left allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agg_pcount.h"
#include "mem.h"

/* 198.18.0.0 + i (IPv4), or 2001:db8::i (IPv6) */
static struct ipaddr
addr(uint32_t i, int family)
{
    struct ipaddr a;
    memset(&a, 0, sizeof(a));
    a.family = (uint8_t)family;
    uint32_t v = family == 4 ? (198u << 24 | 18u << 16) + i : i;
    uint8_t *p = family == 4 ? a.a : a.a + 12;
    if (family == 6) {
        a.a[0] = 0x20, a.a[1] = 0x01, a.a[2] = 0x0d, a.a[3] = 0xb8;
    }
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return a;
}

/* 2000 addresses, each in 3 sessions (the second and third rounds after
 * all of the first: found again after the table grew from 64 slots to
 * 4096), then the same 2000 numbers as IPv6: 4000 peers, exact. */
static void
test_distinct(void **state)
{
    (void)state;
    mem_init(0);
    struct agg_pcount *c = mem_alloc(sizeof(*c));
    assert_non_null(c);
    unsigned added = 0;
    for (int round = 0; round < 3; round++)
        for (uint32_t i = 0; i < 2000; i++) {
            struct ipaddr a = addr(i, 4);
            added += agg_pcount_add(c, &a);
        }
    assert_int_equal(added, 2000);
    assert_int_equal(agg_pcount_n(c), 2000);
    assert_false(agg_pcount_at_least(c));
    assert_int_equal(c->n_slots, 4096);
    for (uint32_t i = 0; i < 2000; i++) {
        struct ipaddr a = addr(i, 6);
        assert_true(agg_pcount_add(c, &a));
    }
    assert_int_equal(agg_pcount_n(c), 4000);
    assert_false(agg_pcount_at_least(c));
    agg_pcount_free(c);
    agg_pcount_free(NULL);
    assert_int_equal(mem_in_use(), 0);
}

/* None kept (the memcap refused the count itself): a lower bound of 0. */
static void
test_null(void **state)
{
    (void)state;
    assert_int_equal(agg_pcount_n(NULL), 0);
    assert_true(agg_pcount_at_least(NULL));
}

/* The table's growth refused (memcap) at 48 addresses (64 slots, 3/4
 * full): 48 counted, the 49th not, and the count says "at least"; an
 * address counted before is still found, not counted again. */
static void
test_refused(void **state)
{
    (void)state;
    mem_init(0);
    struct agg_pcount *c = mem_alloc(sizeof(*c));
    assert_non_null(c);
    for (uint32_t i = 0; i < 48; i++) {
        struct ipaddr a = addr(i, 4);
        assert_true(agg_pcount_add(c, &a));
    }
    assert_int_equal(c->n_slots, 64);
    mem_fail_after(1); /* the next allocation (the grown table) fails */
    struct ipaddr a = addr(48, 4);
    assert_false(agg_pcount_add(c, &a));
    mem_fail_after(0);
    assert_int_equal(agg_pcount_n(c), 48);
    assert_true(agg_pcount_at_least(c));
    a = addr(7, 4);
    assert_false(agg_pcount_add(c, &a));
    assert_int_equal(agg_pcount_n(c), 48);
    agg_pcount_free(c);
    assert_int_equal(mem_in_use(), 0);
}

/* The table's bound: 3/4 of AGG_PCOUNT_SLOTS_MAX addresses counted
 * exactly, the next one makes it a lower bound. */
static void
test_bound(void **state)
{
    (void)state;
    mem_init(0);
    struct agg_pcount *c = mem_alloc(sizeof(*c));
    assert_non_null(c);
    uint32_t exact = AGG_PCOUNT_SLOTS_MAX / 4 * 3;
    for (uint32_t i = 0; i < exact; i++) {
        struct ipaddr a = addr(i, 4);
        agg_pcount_add(c, &a);
    }
    assert_int_equal(agg_pcount_n(c), exact);
    assert_false(agg_pcount_at_least(c));
    assert_int_equal(c->n_slots, AGG_PCOUNT_SLOTS_MAX);
    struct ipaddr a = addr(exact, 4);
    assert_false(agg_pcount_add(c, &a));
    assert_int_equal(agg_pcount_n(c), exact);
    assert_true(agg_pcount_at_least(c));
    agg_pcount_free(c);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distinct),
        cmocka_unit_test(test_null),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
