/* \summary: unit tests for src/capmagic.c: a capture input told by its first
 * bytes. pcap and pcapng in either byte order pass; compressed files get
 * the command that decompresses them; anything else is "not a pcap or
 * pcapng capture"; too few bytes to tell are left to the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capmagic.h"

static const char *
why(const char *bytes, size_t n)
{
    return capmagic_why((const unsigned char *)bytes, n);
}

static void
test_captures(void **state)
{
    (void)state;
    /* draft-ietf-opsawg-pcap §4: micro, nano, modified; either byte order */
    assert_null(why("\xa1\xb2\xc3\xd4\x00\x02\x00\x04", 8));
    assert_null(why("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8));
    assert_null(why("\xa1\xb2\x3c\x4d", 4));
    assert_null(why("\x4d\x3c\xb2\xa1", 4));
    assert_null(why("\x34\xcd\xb2\xa1", 4));
    /* draft-ietf-opsawg-pcapng §4.1: the SHB's type */
    assert_null(why("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00", 8));
    /* too short to tell: the reader says the file is cut */
    assert_null(why("\xa1\xb2", 2));
    assert_null(why("", 0));
}

static void
test_compressed(void **state)
{
    (void)state;
    const char *w = why("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
    assert_non_null(w);
    assert_non_null(strstr(w, "gzip-compressed"));
    assert_non_null(strstr(w, "zcat FILE | smtptap -r -"));
    w = why("\x1f\x8b", 2); /* gzip told from two bytes */
    assert_non_null(w);
    assert_non_null(strstr(w, "gzip"));
    w = why("\xfd"
            "7zXZ\0\0\x04",
            8);
    assert_non_null(w);
    assert_non_null(strstr(w, "xz-compressed"));
    assert_non_null(strstr(w, "xzcat FILE"));
    w = why("\xfd"
            "7zX",
            4); /* xz's magic cut: not xz */
    assert_non_null(w);
    assert_non_null(strstr(w, "unknown file format"));
    w = why("\x28\xb5\x2f\xfd\x24\x00", 6);
    assert_non_null(w);
    assert_non_null(strstr(w, "zstd-compressed"));
    assert_non_null(strstr(w, "zstdcat FILE"));
    w = why("BZh91AY&SY", 10);
    assert_non_null(w);
    assert_non_null(strstr(w, "bzip2-compressed"));
    assert_non_null(strstr(w, "bzcat FILE"));
    w = why("\x04\x22\x4d\x18\x64\x40", 6);
    assert_non_null(w);
    assert_non_null(strstr(w, "lz4-compressed"));
    assert_non_null(strstr(w, "lz4cat FILE"));
}

static void
test_other(void **state)
{
    (void)state;
    const char *w = why("hello\n", 6);
    assert_non_null(w);
    assert_string_equal(w, "not a pcap or pcapng capture (unknown file format)");
    w = why("\xa1\xb2\xc3\xd5", 4); /* one bit off pcap's magic */
    assert_non_null(w);
    assert_non_null(strstr(w, "unknown file format"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captures),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
