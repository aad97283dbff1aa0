/* \summary: unit tests for certificates_not_visible's evidence with a key log
 * given (src/agg_notvisible.c): TLS 1.3 sessions whose certificates stayed
 * encrypted are told by how the key log failed each (tls.keylog: not in it,
 * in it without SERVER_HANDSHAKE_TRAFFIC_SECRET, its secrets not theirs),
 * with their session ids; all had been "has no secrets for the client
 * randoms of these N sessions", the key log's last line saying they matched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "aggregate.h"
#include "config.h"
#include "diagnose.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_text.h"

/* A TLS 1.3 session of 198.51.100.<client> to 203.0.113.25:25 whose
 * certificates stayed encrypted, the key log having done `keylog` (enum
 * tls_keylog) with it. */
static void
feed13(uint64_t id, uint8_t client, uint8_t keylog)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.tls.seen = true;
    f.tls.version = 0x0304;
    f.tls.cipher = 0x1301;
    f.tls.cipher_seen = true;
    f.tls.handshake = TLS_HS_COMPLETE;
    f.tls.certificates = TLS_CERTS_ENCRYPTED;
    f.tls.keylog = keylog;
    const struct diagnosis *dg = tu_agg_feed(tu_agg_record(&f, id, client, 25, 25));
    assert_true(dg->certificates_not_visible);
}

static const struct agg_finding *
not_visible(void)
{
    for (uint32_t i = 0; i < agg.n_findings; i++)
        if (strcmp(agg.findings[i].kind, "certificates_not_visible") == 0)
            return &agg.findings[i];
    fail_msg("no certificates_not_visible finding");
    abort();
}

/* One session of each kind, and a fifth of mismatches past the ids kept. */
static void
test_kinds(void **state)
{
    (void)state;
    tu_agg_cfg.n_keylogs = 1;
    feed13(1, 10, TLS_KL_NOT_FOUND);
    feed13(2, 11, TLS_KL_NO_SERVER_SECRET);
    for (unsigned i = 0; i < 5; i++)
        feed13(3 + i, (uint8_t)(12 + i), TLS_KL_MISMATCH);
    agg_finish();
    const struct agg_finding *f = not_visible();
    tu_has(f->evidence,
           "TLS 1.3 encrypts them, and the key log given (--keylog) has no secrets for the client "
           "randoms of 1 session (session 1); has 1 session (session 2) without its "
           "SERVER_HANDSHAKE_TRAFFIC_SECRET, which the server's Certificate needs "
           "(tls.keylog_no_server_secret); has for 5 sessions (sessions 3, 4, 5, 6, ...) secrets "
           "that did not decrypt them: not their keys (tls.keylog_mismatch): log all the keys");
    tu_agg_cfg.n_keylogs = 0;
}

/* Of one kind, not found: the wording it had. */
static void
test_not_found_only(void **state)
{
    (void)state;
    tu_agg_cfg.n_keylogs = 1;
    feed13(1, 10, TLS_KL_NOT_FOUND);
    feed13(2, 11, TLS_KL_NONE);
    agg_finish();
    tu_has(not_visible()->evidence,
           "TLS 1.3 encrypts them, and the key log given (--keylog) has no secrets for the client "
           "randoms of these 2 sessions: log the keys (SSLKEYLOGFILE) on the client or server of "
           "each of these connections");
    tu_agg_cfg.n_keylogs = 0;
}

/* A single session: its own kind. */
static void
test_one_session(void **state)
{
    (void)state;
    tu_agg_cfg.n_keylogs = 1;
    feed13(1, 10, TLS_KL_NO_SERVER_SECRET);
    agg_finish();
    tu_has(not_visible()->evidence,
           "has this session's client random without its SERVER_HANDSHAKE_TRAFFIC_SECRET, which "
           "the server's Certificate needs (tls.keylog_no_server_secret)");
    tu_agg_cfg.n_keylogs = 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kinds, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_not_found_only, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_one_session, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
