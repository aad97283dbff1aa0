/* \summary: unit tests for -w on a capture of the server's side alone
 * (src/evidence_oneway.c evidence_oneway_replies): the greeting, the EHLO
 * reply (a multi-line 250) and the 220 to STARTTLS are taken, in that
 * order, over segments; any other reply (one to MAIL may repeat an
 * address), a line cut by the segment, an AUTH challenge, or a reply out
 * of order ends it for good. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evidence.h"

static bool
ow(uint8_t *st, const char *s)
{
    return evidence_oneway_replies(st, (const uint8_t *)s, (uint32_t)strlen(s));
}

static void
test_oneway_starttls(void **state)
{
    (void)state;
    uint8_t st = EVIDENCE_OW_GREETING;
    assert_true(ow(&st, "220 mail.example.test ESMTP Postfix\r\n"));
    assert_int_equal(st, EVIDENCE_OW_EHLO);
    assert_true(ow(&st, "250-mail.example.test\r\n250-PIPELINING\r\n"));
    assert_int_equal(st & EVIDENCE_OW_MORE, EVIDENCE_OW_MORE); /* the reply goes on */
    assert_true(ow(&st, "250-SIZE 10240000\r\n250 STARTTLS\r\n"));
    assert_int_equal(st, EVIDENCE_OW_220);
    assert_true(ow(&st, "220 2.0.0 Ready to start TLS\r\n"));
    assert_int_equal(st, EVIDENCE_OW_TLS);
    /* then no line more: TLS was due */
    assert_false(ow(&st, "250 2.1.0 Ok\r\n"));
    assert_int_equal(st, EVIDENCE_OW_DONE);
    assert_false(ow(&st, "220 again\r\n"));

    /* a multi-line greeting; a 220 straight after it (STARTTLS without EHLO) */
    st = EVIDENCE_OW_GREETING;
    assert_true(ow(&st, "220-mx.example.test\r\n220 ESMTP\n"));
    assert_true(ow(&st, "220 TLS go ahead\r\n"));
    assert_int_equal(st, EVIDENCE_OW_TLS);
}

static void
test_oneway_ends(void **state)
{
    (void)state;
    uint8_t st = EVIDENCE_OW_GREETING;
    assert_false(ow(&st, "554 5.7.1 go away\r\n")); /* no greeting */
    assert_int_equal(st, EVIDENCE_OW_DONE);

    /* a one-line 250 is no EHLO reply: HELO's, or MAIL's, which may repeat
     * the sender ("250 2.1.0 <alice@example.org>... Sender ok", sendmail) */
    st = EVIDENCE_OW_EHLO;
    assert_false(ow(&st, "250 2.1.0 <alice@example.org>... Sender ok\r\n"));
    assert_int_equal(st, EVIDENCE_OW_DONE);

    /* after the EHLO reply, anything but a 220 (AUTH, MAIL) */
    st = EVIDENCE_OW_220;
    assert_false(ow(&st, "334 VXNlcm5hbWU6\r\n"));
    st = EVIDENCE_OW_220;
    assert_false(ow(&st, "250 2.1.0 Ok\r\n"));
    assert_int_equal(st, EVIDENCE_OW_DONE);

    /* a reply whose code changes mid-way; a line cut by the segment */
    st = EVIDENCE_OW_EHLO;
    assert_false(ow(&st, "250-mx.example.test\r\n220 x\r\n"));
    st = EVIDENCE_OW_EHLO;
    assert_false(ow(&st, "250-mx.example.test\r\n250-SIZE 1"));
    assert_int_equal(st, EVIDENCE_OW_DONE);

    /* two replies in one segment: the greeting and the EHLO reply's start */
    st = EVIDENCE_OW_GREETING;
    assert_true(ow(&st, "220 mx\r\n250-mx\r\n"));
    assert_int_equal(st, EVIDENCE_OW_EHLO | EVIDENCE_OW_MORE);
    assert_false(ow(&st, "")); /* no line */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oneway_starttls),
        cmocka_unit_test(test_oneway_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
