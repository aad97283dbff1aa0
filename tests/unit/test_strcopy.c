/* \summary: unit tests for src/strcopy.h: str_copy() and str_cat() give the
 * same bytes as snprintf for every destination size, NULL as ""; struct
 * strbuf the same as snprintf with %s, %.*s and %llu, cut at every size; the
 * digits and ISO-8601 dates the same as printf's %0*u and %04d-%02d-... */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
    /* str_addn takes NULL as str_cat does: nothing appended */
    char c[8];
    struct strbuf sb = str_buf(c, sizeof(c));
    str_add(&sb, "ab", NULL);
    str_addn(&sb, NULL, 4);
    str_addn(&sb, "cdef", 2);
    assert_string_equal(c, "abcd");
    assert_int_equal(sb.len, 4);
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

/* A summary built with struct strbuf is what snprintf("%s (SHA-1 %.8s, until
 * %.10s) in %llu sessions") writes, for every buffer size from 0 (nothing
 * written) to more than enough, and nothing is written past the size. */
static void
test_strbuf_same_as_snprintf(void **state)
{
    (void)state;
    static const char *subj[] = {"", "CN=mail.example.test", "CN=a,O=\\,\"x\""};
    static const char *hex[] = {"", "3A4F", "3A4F12CD9E"};
    static const unsigned long long counts[] = {0, 1, 42, 18446744073709551615ull};
    for (unsigned s = 0; s < sizeof(subj) / sizeof(subj[0]); s++)
        for (unsigned h = 0; h < sizeof(hex) / sizeof(hex[0]); h++)
            for (unsigned c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
                for (size_t n = 0; n <= 96; n++) {
                    char a[100], b[100];
                    memset(a, 'x', sizeof(a));
                    memset(b, 'x', sizeof(b));
                    snprintf(a, n, "%s (SHA-1 %.8s, until %.10s) in %llu sessions", subj[s], hex[h],
                             "2026-06-01T00:00:00Z", counts[c]);
                    struct strbuf sb = str_buf(b, n);
                    str_add(&sb, subj[s], " (SHA-1 ", NULL);
                    str_addn(&sb, hex[h], 8);
                    str_add(&sb, ", until ", NULL);
                    str_addn(&sb, "2026-06-01T00:00:00Z", 10);
                    str_add(&sb, ") in ", NULL);
                    str_add_uint(&sb, counts[c]);
                    str_add(&sb, " sessions", NULL);
                    assert_memory_equal(a, b, sizeof(a));
                    if (n > 0)
                        assert_int_equal(sb.len, strlen(b));
                    else
                        assert_int_equal(sb.len, 0);
                }
}

/* Zero-padded digits and dates: the same as printf, over the whole range of
 * each field (years 0 to 9999, as ASN.1 times have them) and times from
 * gmtime_r() for instants across the epoch, leap days and the far future. */
static void
test_digits_and_dates(void **state)
{
    (void)state;
    const unsigned vals[] = {0, 1, 9, 10, 99, 100, 999, 1000, 9999, 123456, 999999};
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        for (int n = 1; n <= 6; n++) {
            char a[16], b[16];
            unsigned mod = 1;
            for (int k = 0; k < n; k++)
                mod *= 10;
            snprintf(a, sizeof(a), "%0*u", n, vals[i] % mod);
            memset(b, 0, sizeof(b));
            str_digits(b, vals[i], n);
            assert_string_equal(b, a);
        }
    const unsigned long long big[] = {
        0, 7, 10, 4294967295ull, 4294967296ull, 18446744073709551615ull};
    for (unsigned i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        char a[32], b[32];
        snprintf(a, sizeof(a), "%llu", big[i]);
        b[sizeof(b) - 1] = '\0';
        assert_string_equal(str_utoa(b + sizeof(b) - 1, big[i]), a);
    }
    const int years[] = {0, 1, 999, 1000, 1950, 1970, 2026, 2049, 2050, 9999};
    for (unsigned y = 0; y < sizeof(years) / sizeof(years[0]); y++) {
        struct tm tm = {.tm_year = years[y] - 1900,
                        .tm_mon = 11,
                        .tm_mday = 31,
                        .tm_hour = 23,
                        .tm_min = 59,
                        .tm_sec = 60};
        char a[32], b[STR_TM_ISO_LEN + 1];
        snprintf(a, sizeof(a), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        str_tm_iso(b, &tm);
        b[STR_TM_ISO_LEN] = '\0';
        assert_string_equal(b, a);
    }
    const time_t instants[] = {0, 1, 68169600, 951782400, 1795000000, 4102444799, 253402300799};
    for (unsigned i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
        struct tm tm;
        assert_non_null(gmtime_r(&instants[i], &tm));
        char a[32], b[STR_TM_ISO_LEN + 1];
        strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%S", &tm);
        str_tm_iso(b, &tm);
        b[STR_TM_ISO_LEN] = '\0';
        assert_string_equal(b, a);
    }
}

/* Cutting a printed name or a sentence short: never inside a UTF-8
 * sequence or an RFC 4514 escape (a subject cut at 60 bytes ended "\C"),
 * and marked "..." when a buffer filled. */
static void
test_cut_at(void **state)
{
    (void)state;
    const char *s = "OU=Mail\\+Relay,L=M\\C3\\BCnchen";
    size_t len = strlen(s);
    assert_int_equal(str_cut_at(s, len, len), len);
    assert_int_equal(str_cut_at(s, len, 7), 7);   /* "OU=Mail" */
    assert_int_equal(str_cut_at(s, len, 8), 7);   /* not after the backslash of "\+" */
    assert_int_equal(str_cut_at(s, len, 9), 9);   /* "OU=Mail\+" whole */
    assert_int_equal(str_cut_at(s, len, 19), 18); /* the backslash of "\C3" */
    assert_int_equal(str_cut_at(s, len, 20), 18); /* "\C" */
    assert_int_equal(str_cut_at(s, len, 21), 21); /* "\C3" whole */
    assert_int_equal(str_cut_at(s, len, 22), 21); /* the backslash of "\BC" */
    /* an escaped backslash ("\\") ends where it ends */
    const char *b = "CN=a\\\\bc";
    assert_int_equal(str_cut_at(b, strlen(b), 6), 6);
    assert_int_equal(str_cut_at(b, strlen(b), 5), 4);
    /* UTF-8: "M\xc3\xbc": not between its two bytes */
    const char *u = "L=M\xc3\xbcnchen";
    assert_int_equal(str_cut_at(u, strlen(u), 4), 3);
    assert_int_equal(str_cut_at(u, strlen(u), 5), 5);

    /* str_mark_cut marks a text its writer cut, never one that only
     * filled its buffer */
    char full[16];
    bool cut;
    struct strbuf fb = str_buf_cut(full, sizeof(full), &cut);
    str_add(&fb, "0123456789", "abcdefghij", NULL); /* cut to 15 bytes */
    assert_true(cut);
    str_mark_cut(full, sizeof(full), cut);
    assert_string_equal(full, "0123456789ab...");
    char exact[16];
    struct strbuf xb = str_buf_cut(exact, sizeof(exact), &cut);
    str_add(&xb, "0123456789", "abcde", NULL); /* 15 bytes: fills it, not cut */
    assert_false(cut);
    assert_int_equal(xb.len, 15);
    str_add(&xb, "", NULL); /* nothing more to fit: still not cut */
    assert_false(cut);
    str_mark_cut(exact, sizeof(exact), cut);
    assert_string_equal(exact, "0123456789abcde");
    str_addn(&xb, "f", 1); /* one byte more: cut now */
    assert_true(cut);
    str_mark_cut(exact, sizeof(exact), cut);
    assert_string_equal(exact, "0123456789ab...");
    char esc[16];
    struct strbuf eb = str_buf_cut(esc, sizeof(esc), &cut);
    str_add(&eb, "CN=abcdefgh\\C3\\BC", NULL);
    str_mark_cut(esc, sizeof(esc), cut);
    assert_string_equal(esc, "CN=abcdefgh...");
    char room[16] = "short";
    str_mark_cut(room, sizeof(room), false);
    assert_string_equal(room, "short");
    struct strbuf plain = str_buf(room, sizeof(room)); /* no flag: cuts as before */
    str_add(&plain, "0123456789abcdefghij", NULL);
    assert_string_equal(room, "0123456789abcde");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_at),
        cmocka_unit_test(test_same_as_snprintf),
        cmocka_unit_test(test_null_and_zero),
        cmocka_unit_test(test_cat_same_as_snprintf),
        cmocka_unit_test(test_strbuf_same_as_snprintf),
        cmocka_unit_test(test_digits_and_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
