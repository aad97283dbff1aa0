/* \summary: unit tests for report_hex and report_hex_upper (report_cert.c):
 * every length 0-40 (the 16-byte SSE2 steps and the bytes left), every byte
 * value, the same text as printf's "%02x" and "%02X". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report_cert.h"

/* b[0..n) in hex both ways, written into blocks of exactly 2n + 1 bytes
 * (ASan: nothing written past them), against snprintf. */
static void
check_hex(const uint8_t *b, size_t n)
{
    char *lo = malloc(2 * n + 1), *up = malloc(2 * n + 1), want[96];
    assert_non_null(lo);
    assert_non_null(up);
    report_hex(lo, b, n);
    report_hex_upper(up, b, n);
    for (size_t i = 0; i < n; i++)
        snprintf(want + 2 * i, 3, "%02x", b[i]);
    want[2 * n] = '\0';
    assert_string_equal(lo, want);
    for (size_t i = 0; i < n; i++)
        snprintf(want + 2 * i, 3, "%02X", b[i]);
    assert_string_equal(up, want);
    free(lo);
    free(up);
}

static void
test_hex_every_length_every_byte(void **state)
{
    (void)state;
    uint8_t b[40];
    for (unsigned v = 0; v < 256; v++)
        for (size_t n = 0; n <= sizeof(b); n++) {
            for (size_t i = 0; i < n; i++)
                b[i] = (uint8_t)(v + 37 * i); /* every value at every position */
            check_hex(b, n);
        }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_every_length_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
