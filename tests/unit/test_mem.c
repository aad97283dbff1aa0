/* \summary: unit tests for src/mem.c's reuse of blocks up to 16 KiB: accounting
 * unchanged (a kept block is free memory), a reused block always holds what
 * it is given for (checked under ASan by filling it), zeroed when asked,
 * contents kept across mem_realloc, and the memcap still refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"

static void
test_reuse_and_accounting(void **state)
{
    (void)state;
    mem_init(0);
    void *a = mem_alloc_raw(1100); /* rounded up to 1536 */
    assert_non_null(a);
    memset(a, 0xab, 1100);
    uint64_t one = mem_in_use();
    assert_true(one >= 1100);
    mem_free(a, 1100);
    assert_int_equal(mem_in_use(), 0);
    /* the same block comes back for any size of its list, zeroed on request */
    uint8_t *b = mem_alloc(1536);
    assert_ptr_equal(b, a);
    for (unsigned i = 0; i < 1536; i++)
        assert_int_equal(b[i], 0);
    memset(b, 0xcd, 1536); /* ASan: the whole 1536 bytes are the block's */
    mem_free(b, 1536);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_every_size_fits(void **state)
{
    (void)state;
    mem_init(0);
    /* blocks of every size around the lists' edges, freed, then asked for
     * again in other sizes: each is filled to its requested size */
    static const size_t sizes[] = {0,    1,    24,    25,    40,    41,    1000,  1016,
                                   1017, 1023, 1024,  1025,  1535,  1536,  1537,  4096,
                                   4128, 8224, 16383, 16384, 16385, 20000, 300000};
    const unsigned ns = sizeof(sizes) / sizeof(sizes[0]);
    for (unsigned round = 0; round < 4; round++) {
        void *p[sizeof(sizes) / sizeof(sizes[0])];
        for (unsigned i = 0; i < ns; i++) {
            size_t n = sizes[(i + round * 5) % ns];
            p[i] = round % 2 ? mem_alloc(n) : mem_alloc_raw(n);
            assert_non_null(p[i]);
            memset(p[i], (int)i, n);
        }
        for (unsigned i = 0; i < ns; i++)
            mem_free(p[i], sizes[(i + round * 5) % ns]);
        assert_int_equal(mem_in_use(), 0);
    }
    /* nDPI's never-refused blocks go back to the same lists */
    void *q = mem_alloc_nofail(3000);
    memset(q, 1, 3000);
    mem_free(q, 3000);
    void *r = mem_alloc_raw(3072);
    memset(r, 2, 3072);
    mem_free(r, 3072);
    assert_int_equal(mem_in_use(), 0);
}

/* Up to 1 KiB a list holds one glibc chunk size: blocks come back for any
 * request of that chunk, and cost what malloc would have (no rounding up). */
static void
test_small_lists(void **state)
{
    (void)state;
    mem_init(0);
    void *a = mem_alloc_raw(30); /* a 48-byte chunk: 30 + 8 rounded to 16 */
    assert_non_null(a);
    assert_int_equal(mem_in_use(), 48);
    mem_free(a, 30);
    assert_int_equal(mem_in_use(), 0);
    uint8_t *b = mem_alloc(40); /* the same chunk size */
    assert_ptr_equal(b, a);
    for (unsigned i = 0; i < 40; i++)
        assert_int_equal(b[i], 0);
    memset(b, 0xee, 40);         /* ASan: all 40 bytes belong to it */
    void *c = mem_alloc_raw(41); /* the next chunk size: another block */
    assert_ptr_not_equal(c, a);
    memset(c, 0xee, 41);
    mem_free(b, 40);
    mem_free(c, 41);
    /* more blocks than a list keeps: the rest go back to malloc */
    void *many[100];
    for (unsigned i = 0; i < 100; i++) {
        many[i] = mem_alloc_raw(200);
        assert_non_null(many[i]);
        memset(many[i], (int)i, 200);
    }
    for (unsigned i = 0; i < 100; i++)
        mem_free(many[i], 200);
    assert_int_equal(mem_in_use(), 0);
    /* a burst as large as a decoded certificate's (OpenSSL frees its ~150
     * small objects at once) is kept whole: every block comes back, last
     * freed first, none from malloc */
    void *burst[150];
    for (unsigned i = 0; i < 150; i++)
        assert_non_null(burst[i] = mem_alloc_raw(40));
    for (unsigned i = 0; i < 150; i++)
        mem_free(burst[i], 40);
    for (unsigned i = 150; i-- > 0;) {
        void *p = mem_alloc_raw(40);
        assert_ptr_equal(p, burst[i]);
    }
    for (unsigned i = 0; i < 150; i++)
        mem_free(burst[i], 40);
    assert_int_equal(mem_in_use(), 0);
    /* mem_realloc from nothing makes a block of its list's size */
    uint8_t *r = mem_realloc(NULL, 0, 100);
    assert_non_null(r);
    memset(r, 1, 100);
    mem_free(r, 100);
    uint8_t *s = mem_alloc_raw(104); /* same chunk: must hold 104 bytes */
    memset(s, 2, 104);
    mem_free(s, 104);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_realloc_keeps_content(void **state)
{
    (void)state;
    mem_init(0);
    uint8_t *p = mem_alloc_raw(900);
    for (unsigned i = 0; i < 900; i++)
        p[i] = (uint8_t)i;
    static const size_t steps[] = {1500, 5000, 20000, 3000, 500};
    size_t cur = 900;
    for (unsigned s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
        uint8_t *q = mem_realloc(p, cur, steps[s]);
        assert_non_null(q);
        size_t keep = cur < steps[s] ? cur : steps[s];
        for (size_t i = 0; i < keep && i < 500; i++)
            assert_int_equal(q[i], (uint8_t)i);
        if (steps[s] > cur)
            memset(q + cur, 0x5a, steps[s] - cur);
        p = q;
        cur = steps[s];
    }
    mem_free(p, cur);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_cap_still_refuses(void **state)
{
    (void)state;
    mem_init(8192);
    void *a = mem_alloc(4000);
    assert_non_null(a);
    mem_free(a, 4000); /* kept for reuse, but not accounted */
    void *b = mem_alloc(4000);
    void *c = mem_alloc(4000);
    assert_non_null(b);
    assert_null(c); /* 2 x 4096 + headers > 8192 */
    assert_true(mem_cap_hits() >= 1);
    mem_free(b, 4000);
    assert_int_equal(mem_in_use(), 0);
    mem_init(0);
}

/* mem_grow: room for one more, doubling from first, clamped at max, the
 * contents kept; false at max and when the memcap refuses (the array and its
 * capacity then unchanged). */
static void
test_grow(void **state)
{
    (void)state;
    mem_init(0);
    uint32_t *v = NULL, cap = 0, n = 0;
    static const uint32_t caps[] = {4, 4, 4, 4, 8, 8, 8, 8, 10, 10};
    for (; n < 10; n++) {
        assert_true(mem_grow((void **)&v, n, &cap, sizeof(*v), 4, 10));
        assert_int_equal(cap, caps[n]);
        v[n] = n * 7;
    }
    assert_false(mem_grow((void **)&v, n, &cap, sizeof(*v), 4, 10)); /* at max */
    assert_int_equal(cap, 10);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(v[i], i * 7);
    mem_free(v, (size_t)cap * sizeof(*v));
    /* first above max: max */
    v = NULL, cap = 0;
    assert_true(mem_grow((void **)&v, 0, &cap, sizeof(*v), 64, 3));
    assert_int_equal(cap, 3);
    mem_free(v, (size_t)cap * sizeof(*v));
    /* the memcap refuses: unchanged */
    mem_init(8192);
    char *c = NULL;
    uint32_t cc = 0;
    assert_true(mem_grow((void **)&c, 0, &cc, 1000, 4, 100));
    assert_int_equal(cc, 4);
    char *before = c;
    assert_false(mem_grow((void **)&c, 4, &cc, 1000, 4, 100));
    assert_ptr_equal(c, before);
    assert_int_equal(cc, 4);
    mem_free(c, (size_t)cc * 1000);
    assert_int_equal(mem_in_use(), 0);
    mem_init(0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse_and_accounting), cmocka_unit_test(test_every_size_fits),
        cmocka_unit_test(test_small_lists),          cmocka_unit_test(test_realloc_keeps_content),
        cmocka_unit_test(test_cap_still_refuses),    cmocka_unit_test(test_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
