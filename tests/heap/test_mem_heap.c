/* \summary: the heap limit of src/mem.c, built without sanitizers (their
 * allocators do not use brk, so the limit only exists in a plain build).
 * A fragmenting pattern like a full flow table's: blocks of one size fill
 * the cap, every other one is freed, then larger blocks are asked for. They
 * do not fit the holes; without the limit the heap grows by half the cap
 * again. With it, the heap stays within the cap + 3 % and the refusals are
 * counted as cap hits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mem.h"

#define CAP    (8u << 20)
#define NSLOT  20000
#define SMALL  600
#define LARGE  1400
#define ROUNDS 4
#define HOLE   296

static void *slot[NSLOT];
static size_t slot_n[NSLOT];

static void
test_heap_within_cap(void **state)
{
    (void)state;
    mem_init(CAP);
    unsigned n = 0;
    while (n < NSLOT && (slot[n] = mem_alloc_raw(SMALL)) != NULL)
        slot_n[n++] = SMALL;
    assert_true(n > 1000);
    assert_true(mem_cap_hits() > 0 || n == NSLOT);
    for (int r = 0; r < ROUNDS; r++) {
        for (unsigned i = (unsigned)r % 2; i < n; i += 2) {
            mem_free(slot[i], slot_n[i]);
            slot[i] = NULL;
        }
        for (unsigned i = 0; i < n; i++)
            if (slot[i] == NULL) {
                slot_n[i] = (i + (unsigned)r) % 3 ? LARGE : SMALL;
                slot[i] = mem_alloc_raw(slot_n[i]);
            }
    }
    uint64_t peak = mem_heap_peak();
    assert_true(peak > 0); /* the limit was active: this build uses brk */
    assert_true(peak <= (uint64_t)CAP + CAP / 32 + LARGE + 4096);
    assert_true(mem_in_use() <= CAP);
    uint64_t hits = mem_cap_hits();
    assert_true(hits > 0);
    for (unsigned i = 0; i < n; i++)
        if (slot[i] != NULL)
            mem_free(slot[i], slot_n[i]);
    assert_int_equal(mem_in_use(), 0);
}

/* A realloc that would grow the heap while it is past its limit is
 * refused, and the old block stays valid. */
static void
test_realloc_refused_keeps_block(void **state)
{
    (void)state;
    mem_init(1u << 20);
    char *p = mem_alloc_raw(64);
    assert_non_null(p);
    p[0] = 'x';
    void *fill[4096];
    unsigned k = 0;
    while (k < 4096 && (fill[k] = mem_alloc_raw(1000)) != NULL)
        k++;
    char *q = mem_realloc(p, 64, 100000);
    if (q == NULL) {
        assert_int_equal(p[0], 'x');
        mem_free(p, 64);
    } else {
        mem_free(q, 100000);
    }
    while (k > 0) {
        k--;
        mem_free(fill[k], 1000);
    }
    assert_int_equal(mem_in_use(), 0);
}

/* A heap past its limit (here pushed there by blocks outside the account
 * at its top) still gives the holes it had while within the limit to new
 * blocks; a block above that, even from room glibc keeps free after a
 * refusal, is refused, so the heap cannot creep past the limit. */
static void
test_holes_reused_past_limit(void **state)
{
    (void)state;
    mem_init(1u << 20);
    enum { N = 1200, M = 640 };
    static void *mine[N], *other[M];
    unsigned n = 0;
    while (n < N && (mine[n] = mem_alloc_raw(HOLE)) != NULL) /* the heap, within its limit */
        n++;
    assert_true(n > 1000);
    for (unsigned i = 0; i < n; i += 2) { /* holes inside it */
        mem_free(mine[i], HOLE);
        mine[i] = NULL;
    }
    for (unsigned i = 0; i < M;
         i++) { /* 1.3 MiB outside the account, at the top (too big for the holes) */
        other[i] = malloc(2048);
        assert_non_null(other[i]);
    }
    uint64_t hits0 = mem_cap_hits();
    for (unsigned i = 0; i < n; i += 2) /* the holes: taken again */
        assert_non_null(mine[i] = mem_alloc_raw(HOLE));
    assert_int_equal(mem_cap_hits(), hits0);
    /* above them: refused, however many tries (each refusal's freed block
     * leaves free room at the top that a later block would fit) */
    unsigned got = 0;
    static void *extra[1500];
    for (unsigned i = 0; i < 1500; i++)
        got += (extra[i] = mem_alloc_raw(600)) != NULL;
    assert_true(got <= 16); /* at most what mem.c's own lists held */
    for (unsigned i = 0; i < 1500; i++)
        if (extra[i] != NULL)
            mem_free(extra[i], 600);
    for (unsigned i = 0; i < n; i++)
        mem_free(mine[i], HOLE);
    for (unsigned i = 0; i < M; i++)
        free(other[i]);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: the others leave free memory in the heap for its blocks */
        cmocka_unit_test(test_holes_reused_past_limit),
        cmocka_unit_test(test_heap_within_cap),
        cmocka_unit_test(test_realloc_refused_keeps_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
