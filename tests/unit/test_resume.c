/* \summary: unit tests for the TLS resumption table (src/resume.c) and its
 * use by the flow context (fctx_resume_offer / fctx_resume_find): a
 * resumed session is linked to the chain of the full handshake it resumed
 * only at the same server; the table is bounded (tls.resume_max) and
 * evicts its oldest entry; a key put again is replaced, not duplicated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "dissector.h"
#include "fctx.h"
#include "mem.h"
#include "resume.h"

static int
setup(void **state)
{
    (void)state;
    mem_init(64u << 20);
    return resume_init(8, 1);
}

static int
teardown(void **state)
{
    (void)state;
    resume_free();
    assert_int_equal(mem_in_use(), 0);
    return 0;
}

/* port: where the session is, not part of the key (resume.h) */
static struct resume_key
key(uint8_t server, uint16_t port, uint8_t kind, uint32_t id)
{
    (void)port;
    struct resume_key k;
    memset(&k, 0, sizeof(k));
    k.ip.family = 4;
    k.ip.a[0] = 192;
    k.ip.a[3] = server;
    k.kind = kind;
    k.len = 32;
    memcpy(k.b, &id, sizeof(id));
    return k;
}

static struct resume_link
link_of(uint32_t cert, uint64_t from)
{
    struct resume_link l;
    memset(&l, 0, sizeof(l));
    l.ids[0] = cert;
    l.ids[1] = cert + 1;
    l.n = 2;
    l.from = from;
    return l;
}

static void
test_found_only_at_its_server(void **state)
{
    (void)state;
    struct resume_key a = key(25, 25, RESUME_SESSION_ID, 7);
    struct resume_link l = link_of(100, 1), out;
    resume_put(&a, &l);
    assert_true(resume_get(&a, &out));
    assert_int_equal(out.n, 2);
    assert_int_equal(out.ids[0], 100);
    assert_int_equal(out.from, 1);
    /* the same session ID at another server, as a ticket: not found; at
     * another port of the same server (Postfix's smtpd on 25, 587 and 465
     * share one session cache, tlsmgr(8)): found */
    struct resume_key b = key(26, 25, RESUME_SESSION_ID, 7);
    struct resume_key c = key(25, 587, RESUME_SESSION_ID, 7);
    struct resume_key d = key(25, 25, RESUME_TICKET, 7);
    assert_false(resume_get(&b, &out));
    assert_true(resume_get(&c, &out));
    assert_int_equal(out.from, 1);
    assert_false(resume_get(&d, &out));
    /* a shorter ID that is a prefix of it */
    struct resume_key e = a;
    e.len = 16;
    assert_false(resume_get(&e, &out));
}

static void
test_cap_evicts_oldest(void **state)
{
    (void)state;
    struct resume_link out;
    for (uint32_t i = 0; i < 8; i++) {
        struct resume_key k = key(25, 25, RESUME_TICKET, i);
        struct resume_link l = link_of(10 + i, i + 1);
        resume_put(&k, &l);
    }
    assert_int_equal(resume_count(), 8);
    assert_int_equal(resume_evicted(), 0);
    for (uint32_t i = 8; i < 11; i++) { /* three more: 0, 1 and 2 go */
        struct resume_key k = key(25, 25, RESUME_TICKET, i);
        struct resume_link l = link_of(10 + i, i + 1);
        resume_put(&k, &l);
    }
    assert_int_equal(resume_count(), 8);
    assert_int_equal(resume_evicted(), 3);
    for (uint32_t i = 0; i < 11; i++) {
        struct resume_key k = key(25, 25, RESUME_TICKET, i);
        assert_int_equal(resume_get(&k, &out), i >= 3);
        if (i >= 3)
            assert_int_equal(out.ids[0], 10 + i);
    }
}

static void
test_put_again_replaces(void **state)
{
    (void)state;
    struct resume_key k = key(25, 25, RESUME_SESSION_ID, 1);
    struct resume_link l1 = link_of(1, 1), l2 = link_of(5, 9), out;
    resume_put(&k, &l1);
    resume_put(&k, &l2);
    assert_int_equal(resume_count(), 1);
    assert_true(resume_get(&k, &out));
    assert_int_equal(out.ids[0], 5);
    assert_int_equal(out.from, 9);
}

/* Growth from 64 entries up to the cap keeps every entry findable. */
static void
test_grows_to_cap(void **state)
{
    (void)state;
    assert_int_equal(resume_init(1000, 7), 0);
    struct resume_link out;
    for (uint32_t i = 0; i < 1500; i++) {
        struct resume_key k = key((uint8_t)(i % 3), 25, RESUME_TICKET, i);
        struct resume_link l = link_of(i + 1, i);
        resume_put(&k, &l);
    }
    assert_int_equal(resume_count(), 1000);
    assert_int_equal(resume_evicted(), 500);
    for (uint32_t i = 0; i < 1500; i++) {
        struct resume_key k = key((uint8_t)(i % 3), 25, RESUME_TICKET, i);
        assert_int_equal(resume_get(&k, &out), i >= 500);
    }
}

/* Through the flow context: a session ID of server A offered by a full
 * handshake links a resumption at A, not one at B with the same ID. */
static void
test_fctx_no_cross_server(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    struct ipaddr a = {4, {192, 0, 2, 25}}, b = {4, {192, 0, 2, 26}};
    const uint8_t sid[32] = {1, 2, 3, 4};
    struct flow_ctx *full = fctx_new(&cfg, 25);
    assert_non_null(full);
    fctx_set_origin(full, &a, 1);
    struct tls_facts *t = &fctx_facts(full)->tls;
    /* no chain seen: nothing to remember */
    fctx_resume_offer(full, RESUME_SESSION_ID, sid, sizeof(sid));
    assert_int_equal(resume_count(), 0);
    t->certificates = TLS_CERTS_VISIBLE;
    t->n_server_chain = 2;
    t->server_chain[0] = 41;
    t->server_chain[1] = 42;
    fctx_resume_offer(full, RESUME_SESSION_ID, sid, sizeof(sid));
    assert_int_equal(resume_count(), 1);

    struct flow_ctx *at_b = fctx_new(&cfg, 25);
    fctx_set_origin(at_b, &b, 2);
    assert_false(fctx_resume_find(at_b, RESUME_SESSION_ID, sid, sizeof(sid)));
    assert_int_equal(fctx_facts(at_b)->tls.n_resumed_chain, 0);

    struct flow_ctx *at_a = fctx_new(&cfg, 25);
    fctx_set_origin(at_a, &a, 3);
    assert_true(fctx_resume_find(at_a, RESUME_SESSION_ID, sid, sizeof(sid)));
    const struct tls_facts *r = &fctx_facts(at_a)->tls;
    assert_int_equal(r->n_resumed_chain, 2);
    assert_int_equal(r->resumed_chain[0], 41);
    assert_int_equal(r->resumed_chain[1], 42);
    assert_int_equal(r->resumed_from, 1);
    assert_int_equal(r->resumed_by, RESUME_SESSION_ID);
    /* a ticket renewed in that abbreviated handshake links to the same chain */
    const uint8_t ticket[32] = {9, 9, 9};
    fctx_resume_offer(at_a, RESUME_TICKET, ticket, sizeof(ticket));
    struct flow_ctx *again = fctx_new(&cfg, 25);
    fctx_set_origin(again, &a, 4);
    assert_true(fctx_resume_find(again, RESUME_TICKET, ticket, sizeof(ticket)));
    assert_int_equal(fctx_facts(again)->tls.resumed_from, 1);
    assert_int_equal(fctx_facts(again)->tls.resumed_chain[0], 41);
    fctx_destroy(full);
    fctx_destroy(at_b);
    fctx_destroy(at_a);
    fctx_destroy(again);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_found_only_at_its_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_evicts_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_again_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grows_to_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fctx_no_cross_server, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
