/* \summary: unit tests for the bounds-checked reader (src/cursor.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cursor.h"

static void
test_reads_in_bounds(void **state)
{
    (void)state;
    /* u8 0x01 | be16 0x0203 | be24 0x040506 | be32 0x0708090a */
    const uint8_t buf[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    struct rd r = rd_init(buf, sizeof(buf));
    assert_int_equal(rd_u8(&r, "a"), 0x01);
    assert_int_equal(rd_be16(&r, "b"), 0x0203);
    assert_int_equal(rd_be24(&r, "c"), 0x040506);
    assert_int_equal(rd_be32(&r, "d"), 0x0708090a);
    assert_true(rd_ok(&r));
    assert_int_equal(rd_left(&r), 0);
}

static void
test_truncated_is_sticky(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x01, 0x02, 0x03};
    struct rd r = rd_init(buf, sizeof(buf));
    assert_int_equal(rd_be16(&r, "x"), 0x0102);
    assert_int_equal(rd_be16(&r, "y"), 0); /* one byte short */
    assert_int_equal(r.st, RD_TRUNCATED);
    assert_string_equal(r.where, "y");
    /* later reads return 0 and keep the first failure */
    assert_int_equal(rd_u8(&r, "z"), 0);
    assert_string_equal(r.where, "y");
    assert_null(rd_bytes(&r, 1, "w"));
    assert_int_equal(rd_left(&r), 0);
}

static void
test_sub_overrun_is_invalid(void **state)
{
    (void)state;
    /* length 5, but only 3 bytes follow: malformed, not truncated */
    const uint8_t buf[] = {0x05, 0xaa, 0xbb, 0xcc};
    struct rd r = rd_init(buf, sizeof(buf));
    uint8_t n = rd_u8(&r, "len");
    struct rd c = rd_sub(&r, n, "vector");
    assert_int_equal(r.st, RD_INVALID);
    assert_int_equal(c.st, RD_INVALID);
    assert_string_equal(r.where, "vector");
    assert_int_equal(rd_left(&c), 0);
}

static void
test_sub_in_bounds(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x02, 0xaa, 0xbb, 0xcc};
    struct rd r = rd_init(buf, sizeof(buf));
    struct rd c = rd_sub(&r, rd_u8(&r, "len"), "vector");
    assert_true(rd_ok(&c));
    assert_int_equal(rd_be16(&c, "v"), 0xaabb);
    assert_int_equal(rd_left(&c), 0);
    assert_int_equal(rd_u8(&c, "past"), 0);
    assert_int_equal(c.st, RD_TRUNCATED);
    assert_true(rd_ok(&r)); /* the child's failure does not touch the parent */
    assert_int_equal(rd_u8(&r, "tail"), 0xcc);
}

static void
test_little_endian_peek_find(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x34, 0x12, 0x78, 0x56, 0x34, 0x12, '\r', '\n'};
    struct rd r = rd_init(buf, sizeof(buf));
    assert_int_equal(rd_peek(&r, 0), 0x34);
    assert_int_equal(rd_peek(&r, 8), -1);
    assert_int_equal(rd_find(&r, '\n'), 7);
    assert_int_equal(rd_le16(&r, "a"), 0x1234);
    assert_int_equal(rd_le32(&r, "b"), 0x12345678);
    uint8_t crlf[2];
    assert_true(rd_copy(&r, crlf, 2, "c"));
    assert_int_equal(crlf[1], '\n');
    assert_int_equal(rd_find(&r, '\n'), -1);
}

static void
test_empty_and_invalid(void **state)
{
    (void)state;
    struct rd r = rd_init(NULL, 0);
    assert_true(rd_skip(&r, 0, "nothing"));
    assert_false(rd_skip(&r, 1, "one"));
    assert_int_equal(r.st, RD_TRUNCATED);
    struct rd q = rd_init((const uint8_t *)"ab", 2);
    rd_invalid(&q, "bad");
    rd_invalid(&q, "worse"); /* first failure kept */
    assert_string_equal(q.where, "bad");
    assert_int_equal(rd_u8(&q, "x"), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_in_bounds),         cmocka_unit_test(test_truncated_is_sticky),
        cmocka_unit_test(test_sub_overrun_is_invalid),  cmocka_unit_test(test_sub_in_bounds),
        cmocka_unit_test(test_little_endian_peek_find), cmocka_unit_test(test_empty_and_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
