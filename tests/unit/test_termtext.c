/* \summary: unit tests for src/termtext.c: term_text() writes printable
 * ASCII as is and every other byte (C0, DEL, C1, UTF-8 lead and
 * continuation bytes) as \xNN, for each of the 256 byte values; term_msg()
 * escapes its arguments' bytes, newlines inside included, keeps one newline
 * at the end, and formats a message longer than its stack buffer whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "termtext.h"

/* What f wrote, NUL-terminated (open_memstream). */
struct cap {
    char *buf;
    size_t len;
    FILE *f;
};

static void
cap_open(struct cap *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
}

static char *
cap_close(struct cap *c)
{
    fclose(c->f);
    return c->buf;
}

static void
test_every_byte(void **state)
{
    (void)state;
    for (unsigned b = 1; b < 256; b++) {
        char in[4] = {'a', (char)b, 'z', 0}, want[16];
        if (b >= 0x20 && b < 0x7f)
            snprintf(want, sizeof(want), "a%cz", (char)b);
        else
            snprintf(want, sizeof(want), "a\\x%02xz", b);
        struct cap c;
        cap_open(&c);
        term_text(c.f, in);
        char *got = cap_close(&c);
        assert_string_equal(got, want);
        free(got);
    }
}

static void
test_terminal_sequences(void **state)
{
    (void)state;
    struct cap c;
    cap_open(&c);
    term_text(c.f, "a\033]0;pwned\007.pcap \033[31mred\233m \\x1b \xc3\xa9\x7f");
    term_text(c.f, NULL); /* nothing */
    char *got = cap_close(&c);
    assert_string_equal(got, "a\\x1b]0;pwned\\x07.pcap \\x1b[31mred\\x9bm \\x1b \\xc3\\xa9\\x7f");
    free(got);
}

static void
test_msg(void **state)
{
    (void)state;
    struct cap c;
    cap_open(&c);
    term_msg(c.f, "smtptap: %s: %s\n", "x\ny\r\t.pcap", "No such file");
    term_msg(c.f, "no newline %d", 7);
    term_msg(c.f, "%s", "");
    char *got = cap_close(&c);
    assert_string_equal(got, "smtptap: x\\x0ay\\x0d\\x09.pcap: No such file\nno newline 7");
    free(got);
    /* longer than the 1 KiB on the stack: whole, escaped */
    char *big = malloc(5001);
    assert_non_null(big);
    memset(big, 'b', 5000);
    big[0] = '\033';
    big[5000] = '\0';
    cap_open(&c);
    term_msg(c.f, "[%s]\n", big);
    got = cap_close(&c);
    assert_int_equal(strlen(got), 1 + 4 + 4999 + 1 + 1);
    assert_memory_equal(got, "[\\x1bbbb", 8);
    assert_string_equal(got + strlen(got) - 3, "b]\n");
    free(got);
    free(big);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_terminal_sequences),
        cmocka_unit_test(test_msg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
