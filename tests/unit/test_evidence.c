/* \summary: unit tests for the line checks of -w (src/evidence.c): what of a
 * plaintext SMTP segment may be written. A server segment of whole reply
 * lines, none a 334 (AUTH challenge); a client segment of whole EHLO, HELO,
 * LHLO, STARTTLS, X-ANONYMOUSTLS, RSET, NOOP or QUIT lines. Anything else,
 * a line cut by the segment's end included, is cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evidence.h"

static bool
srv(const char *s)
{
    return evidence_server_lines_ok((const uint8_t *)s, (uint32_t)strlen(s));
}

static bool
cli(const char *s)
{
    return evidence_client_lines_ok((const uint8_t *)s, (uint32_t)strlen(s));
}

static void
test_server_replies(void **state)
{
    (void)state;
    assert_true(srv("220 mx.example.test ESMTP\r\n"));
    assert_true(srv("250-mx.example.test\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n"));
    assert_true(srv("220 2.0.0 Ready to start TLS\r\n"));
    assert_true(srv("454 4.7.0 TLS not available\n"));
    assert_true(srv("250\r\n"));
}

static void
test_server_cut(void **state)
{
    (void)state;
    assert_false(srv(""));
    assert_false(srv("334 VXNlcm5hbWU6\r\n"));              /* an AUTH challenge */
    assert_false(srv("250 OK\r\n334 UGFzc3dvcmQ6\r\n"));    /* ... after another reply */
    assert_false(srv("250-mx.example.test\r\n250-SIZE 1")); /* a line cut by the segment */
    assert_false(srv("24000\r\n"));                         /* ... and its rest */
    assert_false(srv("Subject: hello\r\n"));
    assert_false(srv("2500 x\r\n"));
    assert_false(srv("150 x\r\n")); /* SMTP replies start with 2 to 5 (RFC 5321 §4.2.1) */
}

static void
test_client_commands(void **state)
{
    (void)state;
    assert_true(cli("EHLO client.example.net\r\n"));
    assert_true(cli("ehlo client\r\n"));
    assert_true(cli("STARTTLS\r\n"));
    assert_true(cli("X-ANONYMOUSTLS\r\n"));
    assert_true(cli("RSET\r\nNOOP\r\nQUIT\r\n"));
    assert_true(cli("HELO x\n"));
}

static void
test_client_cut(void **state)
{
    (void)state;
    assert_false(cli(""));
    assert_false(cli("AUTH PLAIN AGFsaWNlAHBhc3M=\r\n"));
    assert_false(cli("EHLO x\r\nAUTH LOGIN\r\n"));
    assert_false(cli("MAIL FROM:<a@example.test>\r\n"));
    assert_false(cli("RCPT TO:<b@example.test>\r\n"));
    assert_false(cli("DATA\r\n"));
    assert_false(cli("BDAT 100 LAST\r\n"));
    assert_false(cli("EHLO x\r\nAU")); /* a line cut by the segment */
    assert_false(cli("EHLOX\r\n"));
    assert_false(cli("\r\n"));
    assert_false(cli("STARTTLSX\r\n"));
    assert_false(cli("dXNlcm5hbWU=\r\n")); /* an AUTH LOGIN response line */
    /* a bare CR ends a line for some servers (SMTP smuggling): the rest
     * would be a command; and no control or 8-bit byte in a command */
    assert_false(cli("EHLO x\rAUTH PLAIN AGFsaWNlAHBhc3M=\r\n"));
    assert_false(cli("NOOP \x16\x03\x01\r\n"));
    assert_false(cli("EHLO caf\xc3\xa9\r\n"));
    assert_true(cli("EHLO x\t\r\n"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_replies),
        cmocka_unit_test(test_server_cut),
        cmocka_unit_test(test_client_commands),
        cmocka_unit_test(test_client_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
