/* \summary: unit tests for a server's "dane" object (src/agg_dane.c): which
 * session's verdict it shows. A mismatch first; else a decided session
 * (match null only when no session decided); a session DANE was checked for
 * over one it was not (RFC 7672 §2.2.2). And the report's text of a name
 * check not decided for a pool of MX hosts CNAMEd to one host past
 * DNSLEARN_CNAME_ALIASES: what was kept, and how many more were seen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg_int.h"
#include "dane.h"
#include "diagnose.h"
#include "dnslearn.h"
#include "json.h"
#include "mem.h"
#include "strcopy.h"
#include "tlsa.h"
#include "tu_json.h"

static void
note_first(struct agg_server *s, uint8_t state, uint8_t why, uint32_t first)
{
    struct diagnosis d;
    struct tls_facts t;
    memset(&d, 0, sizeof(d));
    memset(&t, 0, sizeof(t));
    d.dane.state = state;
    d.dane.why = why;
    d.dane.match_usage = 2;
    d.dane.records = d.dane.usable = 1;
    d.dane.dnssec = true;
    d.dane.sources = TLSA_SRC_DNS;
    d.dane.first = first;
    d.dane.cname_skipped = TLSA_NONE;
    agg_dane_note(s, NULL, &t, &d);
}

static void
note(struct agg_server *s, uint8_t state, uint8_t why)
{
    note_first(s, state, why, TLSA_NONE);
}

static void
dane_json(struct json *j, void *arg)
{
    json_obj_begin(j, NULL);
    agg_dane_json(j, arg);
    json_obj_end(j);
    json_record_end(j);
}

/* The dane object's "match" and "failure" keys, as written */
static void
expect(struct agg_server *s, const char *match_failure)
{
    char *buf = tu_json_capture(dane_json, s);
    assert_non_null(strstr(buf, match_failure));
    free(buf);
}

static void
test_shown_decided(void **state)
{
    (void)state;
    mem_init(0);
    struct agg_server s;
    memset(&s, 0, sizeof(s));
    /* the first session's name check not decided, the second matched: the
     * match is shown (was match null, failure name_undecided) */
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"match\":null,\"matched_usage\":null,\"failure\":\"name_undecided\"");
    note(&s, DANE_MATCH, 0);
    expect(&s, "\"match\":true,\"matched_usage\":\"DANE-TA\",\"anchor_from_record\":false,"
               "\"failure\":null,\"sessions_matched\":1,\"sessions_mismatched\":0,"
               "\"sessions_unusable\":0,\"sessions_undecided\":1");
    /* a later undecided one does not take its place; a mismatch does */
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"match\":true");
    note(&s, DANE_MISMATCH, DANE_WHY_EXPIRED);
    expect(&s, "\"match\":false,\"matched_usage\":null,\"failure\":\"expired\"");
    note(&s, DANE_MATCH, 0);
    expect(&s, "\"failure\":\"expired\",\"sessions_matched\":2,\"sessions_mismatched\":1");
    agg_dane_free(&s);

    /* the other order: the match stays */
    memset(&s, 0, sizeof(s));
    note(&s, DANE_MATCH, 0);
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"match\":true");
    agg_dane_free(&s);

    /* undecided over not checked (skipped) */
    memset(&s, 0, sizeof(s));
    note(&s, DANE_SKIPPED, 0);
    note(&s, DANE_UNDECIDED, 0);
    expect(&s, "\"failure\":\"name_undecided\"");
    agg_dane_free(&s);
    assert_int_equal(mem_in_use(), 0);
}

/* Name failures per peer: the first AGG_DANE_NAME_PEERS (4) peers listed
 * with their sessions and next-hop domains, the further ones' sessions
 * counted (RFC 7672 §3.2.3) */
/* A session of client 198.51.100.last whose DANE-TA chain failed on the
 * leaf's name, its next-hop domains hop0 and "c.test"s, n in all. */
static void
note_name_failure(struct agg_server *s, uint8_t scope, unsigned n, const char *hop0, uint8_t last)
{
    struct diagnosis d;
    struct tls_facts t;
    memset(&d, 0, sizeof(d));
    memset(&t, 0, sizeof(t));
    d.dane.state = DANE_MISMATCH;
    d.dane.why = DANE_WHY_NAME;
    d.dane.first = d.dane.cname_skipped = TLSA_NONE;
    d.dane.nexthop_scope = scope;
    d.dane.n_nexthops = (uint8_t)n;
    d.dane.nexthops[0] = hop0;
    for (unsigned h = 1; h < DANE_NEXTHOPS_KEPT; h++)
        d.dane.nexthops[h] = "c.test";
    struct ipaddr c = {4, {198, 51, 100, last}};
    agg_dane_note(s, &c, &t, &d);
}

static void
test_name_failures(void **state)
{
    (void)state;
    mem_init(0);
    struct agg_server s;
    memset(&s, 0, sizeof(s));
    for (unsigned k = 0; k < 7; k++)
        note_name_failure(&s, k == 1 ? DANE_SCOPE_ALL : DANE_SCOPE_PEER, k == 1 ? 6 : 1,
                          k == 1 ? "a.test" : "b.test", (uint8_t)(k == 2 ? 1 : 10 + k));
    char *buf = tu_json_capture(dane_json, &s);
    assert_non_null(strstr(
        buf, "\"name_failures\":[{\"peer\":\"198.51.100.10\",\"sessions\":1,\"nexthop_scope\":"
             "\"peer\",\"nexthops\":[\"b.test\"]},{\"peer\":\"198.51.100.11\",\"sessions\":1,"
             "\"nexthop_scope\":\"all\",\"nexthops\":[\"a.test\",\"c.test\",\"c.test\","
             "\"c.test\"],\"nexthops_more\":2},{\"peer\":\"198.51.100.1\",\"sessions\":1,"
             "\"nexthop_scope\":\"peer\",\"nexthops\":[\"b.test\"]},{\"peer\":\"198.51.100.13\","
             "\"sessions\":1,\"nexthop_scope\":\"peer\",\"nexthops\":[\"b.test\"]}],"
             "\"name_failures_dropped\":3}"));
    free(buf);
    agg_dane_free(&s);

    /* no next-hop domain learned at all (a TLSA RRset for the MX host, no MX
     * answer in the capture): the keys are left out, as in the session's
     * diagnosis.dane (they were "nexthop_scope":null,"nexthops":[]) */
    memset(&s, 0, sizeof(s));
    note_name_failure(&s, DANE_SCOPE_NONE, 0, NULL, 20);
    buf = tu_json_capture(dane_json, &s);
    assert_non_null(strstr(buf, "\"name_failures\":[{\"peer\":\"198.51.100.20\",\"sessions\":1}]"));
    free(buf);
    agg_dane_free(&s);
    assert_int_equal(mem_in_use(), 0);
}

/* 11 MX hosts pNN.example.test (MX of cNN.customers.example.test), each a
 * validated CNAME of mx6.hosting.example.net, whose TLSA RRset a session
 * met, its leaf naming none of the first 8 aliases' domains: the text
 * names the aliases and next-hop domains kept, and the 3 more seen */
static void
test_pool_text(void **state)
{
    (void)state;
    mem_init(0);
    dnslearn_init(1024);
    tlsa_init(64);
    for (unsigned k = 0; k < 11; k++) {
        char dom[64], mx[64];
        snprintf(dom, sizeof(dom), "c%02u.customers.example.test", k);
        snprintf(mx, sizeof(mx), "p%02u.example.test", k);
        dnslearn_mx(dom, mx, 0);
        dnslearn_cname(mx, "mx6.hosting.example.net", true, 0);
        dnslearn_cname(mx, "mx6.hosting.example.net", true, 0); /* again: not counted again */
    }
    assert_int_equal(dnslearn_cname_aliases_more("mx6.hosting.example.net"), 3);
    assert_int_equal(dnslearn_cname_aliases_more("MX6.hosting.example.net."), 3);
    assert_int_equal(dnslearn_cname_aliases_more("p00.example.test"), 0);
    uint8_t digest[32] = {1};
    assert_int_equal(
        tlsa_add("_25._tcp.mx6.hosting.example.net", 2, 1, 1, digest, 32, true, TLSA_SRC_DNS), 0);
    uint32_t first = tlsa_find("_25._tcp.mx6.hosting.example.net");
    assert_int_not_equal(first, TLSA_NONE);
    struct agg_server s;
    memset(&s, 0, sizeof(s));
    note_first(&s, DANE_UNDECIDED, 0, first);
    char text[2048];
    struct strbuf b = str_buf(text, sizeof(text));
    agg_dane_text(&b, &s);
    assert_string_equal(
        text, "_25._tcp.mx6.hosting.example.net: 1 record, from DNS, DNSSEC-validated (AD bit): 1 "
              "session: MX hosts CNAMEd to mx6.hosting.example.net: 8 kept (p00.example.test, "
              "p01.example.test, p02.example.test, p03.example.test and 4 more), 3 more seen in "
              "this capture and not kept (8 per host); the next-hop domains of those kept "
              "checked: c00.customers.example.test, c01.customers.example.test, "
              "c02.customers.example.test, c03.customers.example.test and 4 more: the name check "
              "was not decided (the leaf names none of those kept, and may name one left out; "
              "RFC 7672 section 3.2.2)");
    /* the text report's line has room for it whole (it had 400 bytes) */
    assert_true(strlen(text) < AGG_DANE_TEXT_MAX);
    agg_dane_free(&s);
    tlsa_fini();
    dnslearn_fini();
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shown_decided),
        cmocka_unit_test(test_pool_text),
        cmocka_unit_test(test_name_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
