/* \summary: unit tests for tls_handshake_failed by reason (src/agg_rejects.c
 * agg_fail_note, agg_fail_text): every reason with its sessions, not the
 * first session's alone (a pool whose clients send bad_certificate and
 * unknown_ca read as all bad_certificate); reasons that share what happened
 * are written once with each alert; a failure without an alert is named;
 * reasons past the kept ones are counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "mem.h"
#include "strcopy.h"

static const char *const rej42 = "the client rejected the server certificate CN=X with "
                                 "bad_certificate (42)";
static const char *const rej48 = "the client rejected the server certificate CN=X with "
                                 "unknown_ca (48)";
static const char *const srv40 = "the server ended the handshake with handshake_failure (40)";

static void
fail_text(const struct agg_server *s, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    agg_fail_text(&b, s, false);
}

static void
test_fail_reasons(void **state)
{
    (void)state;
    mem_init(0);
    struct agg_server s;
    memset(&s, 0, sizeof(s));
    char out[600];

    agg_fail_note(&s, rej42, UINT32_MAX);
    fail_text(&s, out, sizeof(out));
    assert_string_equal(out, "the client rejected the server certificate CN=X with "
                             "bad_certificate (42) in 1 session");

    /* the same reason again, then another alert for the same rejection,
     * then another kind of failure and one without an alert */
    agg_fail_note(&s, rej42, UINT32_MAX);
    agg_fail_note(&s, rej48, UINT32_MAX);
    agg_fail_note(&s, srv40, UINT32_MAX);
    agg_fail_note(&s, "", UINT32_MAX);
    assert_int_equal(s.n_fails, 4);
    fail_text(&s, out, sizeof(out));
    assert_string_equal(out, "the client rejected the server certificate CN=X with "
                             "bad_certificate (42) in 2 sessions, unknown_ca (48) in 1 session; "
                             "the server ended the handshake with handshake_failure (40) in 1 "
                             "session; the connection ended during the handshake, with no alert "
                             "in 1 session");

    /* a fifth reason is not kept, but its sessions are counted */
    agg_fail_note(&s, "the server ended the handshake with protocol_version (70)", UINT32_MAX);
    agg_fail_note(&s, "the server ended the handshake with internal_error (80)", UINT32_MAX);
    agg_fail_note(&s, rej48, UINT32_MAX);
    assert_int_equal(s.n_fails, 4);
    assert_int_equal(s.fails_dropped, 2);
    assert_int_equal(s.fails[1].sessions, 2);
    fail_text(&s, out, sizeof(out));
    assert_non_null(strstr(out, "unknown_ca (48) in 2 sessions;"));
    assert_non_null(strstr(out, "; and 2 sessions for other reasons"));
    mem_free(s.fails, AGG_FAILS_MAX * sizeof(*s.fails));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
