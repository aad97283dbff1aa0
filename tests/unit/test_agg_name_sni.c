/* \summary: unit tests for the SNI values of a name's certificates
 * (src/agg_names.c): each certificate of a `name` record lists the SNI
 * values it was served under (null: none sent; malformed apart), with
 * their sessions, in the order the name first saw them, values compared
 * without regard to case; sessions whose ClientHello was not seen are in
 * none; values past the name's first 16 are counted in sni_dropped. The
 * terminal report's NAME block adds them to a certificate's line when they
 * say more than the name itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "certcache.h"
#include "facts.h"
#include "record.h"
#include "tu_agg.h"
#include "tu_certs.h"
#include "tu_text.h"

static uint32_t
add(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), SRCDIR "/tests/data/certs/%s.der", name);
    return tu_cert_add(path);
}

/* A mail.example.com + intermediate, B self-signed SERVER1 */
static uint32_t A[2], B[1];

static void
chains(void)
{
    A[0] = add("leaf");
    A[1] = add("inter");
    B[0] = add("selfsigned");
    /* every session checked against one name, whatever its SNI */
    tu_agg_cfg.expect[0] = "mail.example.com";
    tu_agg_cfg.n_expect = 1;
}

/* Session id from 198.51.100.<client> to 203.0.113.<server> with chain ids
 * (n) and SNI sni (NULL: none; bad: a server_name that did not parse);
 * hello false: its ClientHello not seen. */
static void
session(uint64_t id, uint8_t server, const uint32_t *ids, unsigned n, const char *sni, bool bad,
        bool hello)
{
    static struct session_facts f;
    static uint8_t name[64];
    tu_chain_facts(&f, ids, n, NULL);
    f.tls.sni_malformed = bad;
    if (sni) {
        snprintf((char *)name, sizeof(name), "%s", sni);
        f.tls.sni.s = name;
        f.tls.sni.len = (uint32_t)strlen(sni);
    }
    f.smtp.seen = true;
    f.tls.client_version = hello ? 0x0303 : 0;
    f.tls.handshake = TLS_HS_COMPLETE;
    tu_agg_feed(tu_agg_record(&f, id, 10, server, 25));
}

/* The name record (one line), malloc'd. */
static char *
name_record(const char *json)
{
    const char *at = strstr(json, "{\"event\":\"name\"");
    assert_non_null(at);
    const char *e = strchr(at, '\n');
    size_t n = e ? (size_t)(e - at) : strlen(at);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, at, n);
    s[n] = '\0';
    return s;
}

/* None sent, a malformed one and a name in two spellings, at two
 * addresses: each certificate with its own values; a session whose
 * ClientHello was not seen counts in the certificate's sessions only. */
static void
test_name_sni_values(void **state)
{
    (void)state;
    chains();
    session(1, 25, B, 1, NULL, false, true);
    session(2, 26, A, 2, "mail.example.com", false, true);
    session(3, 26, B, 1, NULL, true, true); /* a server_name that did not parse */
    session(4, 25, A, 2, "MAIL.Example.com", false, true);
    session(5, 26, B, 1, NULL, false, true);
    session(6, 25, A, 2, NULL, false, false); /* picked up after its ClientHello */
    agg_finish();
    char *json = tu_agg_json();
    char *rec = name_record(json);
    tu_has(rec, "\"sessions\":3,");
    tu_has(rec, "\"sni\":[{\"name\":null,\"sessions\":2},{\"name\":null,\"malformed\":true,"
                "\"sessions\":1}],\"sni_dropped\":0}");
    tu_has(rec, "\"sni\":[{\"name\":\"mail.example.com\",\"sessions\":2}],\"sni_dropped\":0}");
    free(rec);
    free(json);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "NAME mail.example.com (from expect): 2 addresses, 2 certificates, 6 sessions\n");
    tu_has(text, ", at 203.0.113.25:25 203.0.113.26:25; sni none sent (2), malformed (1)\n");
    tu_has(text, ", at 203.0.113.26:25 203.0.113.25:25; sni mail.example.com (2)\n");
    free(text);
}

/* Past the name's first 16 values: counted, not listed. */
static void
test_name_sni_dropped(void **state)
{
    (void)state;
    chains();
    for (unsigned i = 0; i < 18; i++) {
        char v[32];
        snprintf(v, sizeof(v), "mx%u.example.com", i);
        session(1 + i, i % 2 ? 26 : 25, A, 2, v, false, true);
    }
    session(19, 25, A, 2, "MX17.example.com", false, true); /* a value dropped: counted again */
    agg_finish();
    char *json = tu_agg_json();
    char *rec = name_record(json);
    tu_has(rec, "{\"name\":\"mx15.example.com\",\"sessions\":1}],\"sni_dropped\":3}");
    tu_lacks(rec, "mx16.example.com");
    free(rec);
    free(json);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, "mx15.example.com (1), 3 sessions under further values\n");
    free(text);
}

/* Every session asked for the name itself: the NAME block's lines stay
 * as they were (the values say nothing the name does not). */
static void
test_name_sni_same(void **state)
{
    (void)state;
    chains();
    tu_agg_cfg.n_expect = 0; /* the name from SNI */
    session(1, 25, A, 2, "mail.example.com", false, true);
    session(2, 26, A, 2, "Mail.example.com", false, true);
    agg_finish();
    char *json = tu_agg_json();
    tu_has(json, "\"sni\":[{\"name\":\"mail.example.com\",\"sessions\":2}],\"sni_dropped\":0}");
    free(json);
    char *text = tu_agg_text(NULL, NULL);
    tu_has(text, ", at 203.0.113.25:25 203.0.113.26:25\n");
    tu_lacks(text, "; sni ");
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name_sni_values, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_name_sni_dropped, tu_agg_setup, tu_agg_teardown),
        cmocka_unit_test_setup_teardown(test_name_sni_same, tu_agg_setup, tu_agg_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
