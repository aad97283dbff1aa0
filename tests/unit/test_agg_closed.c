/* \summary: unit tests for client_closed_after_handshake on a server
 * (src/agg_closed.c): its severity and headline by what each peer did over
 * TLS in the capture. A peer whose every TLS session here closed right
 * after the handshake, a lone QUIT among them, never went further: a check
 * (swaks --quit-after TLS) or a mail server refusing the chain, named, the
 * finding low. A peer that also went further (EHLO over TLS) accepted the
 * chain: info, named as such. A close without a command (openssl s_client
 * </dev/null) is no MTA's refusal: info. The captures' cases are pinned by
 * the goldens d-handshake-probes, d-manual-probe and d-tls13-quit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_text.h"

enum { LONE_QUIT, CLOSE_NOTIFY, WENT_ON, END_UNSEEN };

/* One STARTTLS session of 198.51.100.<client> to 203.0.113.<server>:25 over
 * TLS 1.2 (no chain seen), the client's records after the handshake as
 * shape says: a QUIT's 30 bytes, close_notify's 26 (an alert), an EHLO's
 * 61 and more, or none read (the capture ended inside it). */
static void
closed_session(uint64_t id, uint8_t client, uint8_t server, int shape)
{
    static struct session_facts f;
    memset(&f, 0, sizeof(f));
    f.smtp.seen = true;
    f.smtp.starttls_offered = 1;
    f.smtp.starttls_command = true;
    f.smtp.tls_started = true;
    f.tls.seen = true;
    f.tls.version = 0x0303;
    f.tls.cipher = 0xC030; /* ECDHE-RSA-AES256-GCM-SHA384 */
    f.tls.cipher_seen = true;
    f.tls.handshake = TLS_HS_COMPLETE;
    f.tls.after_read = shape != END_UNSEEN;
    struct tls_after *a = &f.tls.after[0];
    a->n = shape == END_UNSEEN ? 0 : 1;
    a->type[0] = shape == CLOSE_NOTIFY ? 21 : 23;
    a->len[0] = shape == LONE_QUIT ? 30 : shape == CLOSE_NOTIFY ? 26 : 61;
    a->more = shape == WENT_ON;
    a->ended = shape != WENT_ON;
    struct flow_record *rec = tu_agg_record(&f, id, client, server, 25);
    rec->first_close = shape == WENT_ON || shape == END_UNSEEN ? NULL : "client_fin";
    const struct diagnosis *dg = tu_agg_feed(rec);
    assert_int_equal(dg->client_closed_after_handshake,
                     shape == LONE_QUIT || shape == CLOSE_NOTIFY);
}

static void
test_closed_by_peer(void **state)
{
    (void)state;
    uint64_t id = 1;
    /* 203.0.113.1: .10 three lone QUITs and nothing else (a refusing MTA
     * or swaks), .11 close_notify alone */
    for (int i = 0; i < 3; i++)
        closed_session(id++, 10, 1, LONE_QUIT);
    closed_session(id++, 11, 1, CLOSE_NOTIFY);
    /* 203.0.113.2: .10 a lone QUIT, and a session that went on (EHLO) */
    closed_session(id++, 10, 2, LONE_QUIT);
    closed_session(id++, 10, 2, WENT_ON);
    /* 203.0.113.3: close_notify alone */
    closed_session(id++, 11, 3, CLOSE_NOTIFY);
    closed_session(id++, 12, 3, CLOSE_NOTIFY);
    /* 203.0.113.4: a lone QUIT, and a TLS session whose end the capture
     * did not show: it may have gone on, so not named as never */
    closed_session(id++, 13, 4, LONE_QUIT);
    closed_session(id++, 13, 4, END_UNSEEN);
    /* 203.0.113.5: .14 a lone QUIT and close_notify, .15 went on only */
    closed_session(id++, 14, 5, LONE_QUIT);
    closed_session(id++, 14, 5, CLOSE_NOTIFY);
    closed_session(id++, 15, 5, WENT_ON);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "  low      client_closed_after_handshake      203.0.113.1:25 had sessions closed "
                 "by the client right after the handshake without mail; 198.51.100.10 (3 "
                 "sessions, each a lone QUIT) never went further over TLS here: a check such as "
                 "swaks --quit-after TLS, or a mail server whose own trust store or policy "
                 "refuses this chain, which TLS 1.3 hid here (Postfix logs \"Server certificate "
                 "not verified\" and defers its mail): if it is a mail server, compare its trust "
                 "store (a root it lacks) and its expected name");
    /* .11's close_notify, in the finding's sessions and peers, is said
     * too: not named among the lone QUITs, but counted as a probe's */
    tu_has(text, "; not counted as failed nor as TLS-RPT failures; 1 other session closed with no "
                 "command over TLS (close_notify, a FIN or RST): probes such as openssl s_client "
                 "</dev/null (4 sessions, peers 198.51.100.10, 198.51.100.11)");
    tu_lacks(text, "198.51.100.11 (");
    tu_has(text, "  info     client_closed_after_handshake      203.0.113.2:25 had sessions closed "
                 "by the client right after the handshake without mail (no command over TLS, or "
                 "a lone QUIT after a chain with no problem seen");
    tu_has(text, "; 198.51.100.10 went further over TLS here in other sessions (a command past "
                 "the handshake): it accepts the chain, its lone QUITs are no refusal (1 session");
    tu_has(text, "  info     client_closed_after_handshake      203.0.113.3:25 had sessions closed "
                 "by the client right after the handshake without any command over TLS "
                 "(close_notify alone, or a FIN or RST)");
    tu_has(text, "  info     client_closed_after_handshake      203.0.113.4:25 had sessions closed "
                 "by the client right after the handshake without mail (no command");
    tu_has(text, "  low      client_closed_after_handshake      203.0.113.5:25 had sessions closed "
                 "by the client right after the handshake without mail; 198.51.100.14 (2 TLS "
                 "sessions, 1 of them a lone QUIT, the others closed right after the handshake "
                 "too or failed) never went further");
    /* its close_notify is .14's own, the peer named: still said, as the
     * finding's sessions count it */
    tu_has(text, "; 1 other session closed with no command over TLS (close_notify, a FIN or "
                 "RST): probes such as openssl s_client </dev/null (2 sessions, peers "
                 "198.51.100.14)");
    tu_lacks(text, "198.51.100.15 went further");
    free(text);
}

/* The finding's evidence: a lone QUIT's shape where the headline speaks of
 * lone QUITs, even when a close without a command came first on that
 * server (d-manual-probe); a close's where there was no lone QUIT. */
static void
test_evidence_of_lone_quit(void **state)
{
    (void)state;
    closed_session(1, 16, 6, CLOSE_NOTIFY);
    closed_session(2, 17, 6, LONE_QUIT);
    closed_session(3, 16, 7, CLOSE_NOTIFY);
    closed_session(4, 17, 7, CLOSE_NOTIFY);
    agg_finish();
    char *text = tu_agg_text(NULL, NULL);
    const char *six = strstr(text, "client_closed_after_handshake      203.0.113.6:25");
    const char *seven = strstr(text, "client_closed_after_handshake      203.0.113.7:25");
    assert_non_null(six);
    assert_non_null(seven);
    const char *six_end = strchr(six, '\n'), *seven_end = strchr(seven, '\n');
    const char *q = strstr(six, "): the client's only command after the handshake was ");
    assert_true(q != NULL && q < six_end);
    q = strstr(six, "): the client sent no command after the handshake: close_notify");
    assert_true(q == NULL || q > six_end);
    q = strstr(seven, "): the client sent no command after the handshake: close_notify");
    assert_true(q != NULL && q < seven_end);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_closed_by_peer, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_evidence_of_lone_quit, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
