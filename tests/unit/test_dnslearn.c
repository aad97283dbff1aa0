/* \summary: unit tests for names learned from DNS answers (src/dnslearn.c):
 * MX hosts first, case and trailing-dot insensitive, per address, capped;
 * MX pairs kept once; names longer than kept cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dnslearn.h"
#include "mem.h"

static struct ipaddr
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct ipaddr ip;
    memset(&ip, 0, sizeof(ip));
    ip.family = 4;
    ip.a[0] = a;
    ip.a[1] = b;
    ip.a[2] = c;
    ip.a[3] = d;
    return ip;
}

static int
setup(void **state)
{
    (void)state;
    mem_init(1 << 24);
    dnslearn_init(4);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    dnslearn_fini();
    return 0;
}

static void
test_mx_first_then_a(void **state)
{
    (void)state;
    struct ipaddr s = ip4(192, 0, 2, 31), other = ip4(192, 0, 2, 32);
    dnslearn_addr("www.example.test", &s, 1);  /* plain A name */
    dnslearn_addr("mx1.example.test.", &s, 2); /* A of the MX host, absolute form */
    dnslearn_addr("mx2.example.test", &other, 3);
    dnslearn_mx("Example.TEST", "MX1.example.test", 4); /* the MX answer may come after */
    struct expected_name n[8];
    unsigned k = dnslearn_names(&s, n, 8);
    assert_int_equal(k, 2);
    assert_string_equal(n[0].name, "mx1.example.test");
    assert_int_equal(n[0].source, NAME_SRC_DNS_MX);
    assert_string_equal(n[1].name, "www.example.test");
    assert_int_equal(n[1].source, NAME_SRC_DNS_A);
    assert_string_equal(dnslearn_mx_domain("mx1.example.test."), "Example.TEST");
    assert_null(dnslearn_mx_domain("www.example.test"));
    k = dnslearn_names(&other, n, 8);
    assert_int_equal(k, 1);
    assert_int_equal(n[0].source, NAME_SRC_DNS_A);
}

static void
test_duplicates_and_cap(void **state)
{
    (void)state;
    struct ipaddr s = ip4(10, 0, 0, 1);
    for (int i = 0; i < 3; i++)
        dnslearn_addr("a.test", &s, i); /* same answer thrice: kept once */
    dnslearn_addr("b.test", &s, 4);
    dnslearn_addr("c.test", &s, 5);
    dnslearn_addr("d.test", &s, 6);
    assert_int_equal(dnslearn_dropped(), 0);
    dnslearn_addr("e.test", &s, 7); /* fifth distinct: over the cap of 4 */
    assert_int_equal(dnslearn_dropped(), 1);
    struct expected_name n[2];
    assert_int_equal(dnslearn_names(&s, n, 2), 2); /* out array bounds respected */
    struct ipaddr v6;
    memset(&v6, 0, sizeof(v6));
    v6.family = 6;
    memcpy(v6.a, s.a, 4); /* same leading bytes, other family: no match */
    assert_int_equal(dnslearn_names(&v6, n, 2), 0);
}

/* MX answers: one entry per (host, domain) pair whatever the case and the
 * trailing dot, a repeat found again (not dropped) when the table is
 * full, and a host's domain the first one it was seen to serve. */
static void
test_mx_pairs(void **state)
{
    (void)state;
    dnslearn_mx("a.test", "mx.test", 1);
    dnslearn_mx("A.TEST.", "MX.Test.", 2); /* the same pair */
    dnslearn_mx("b.test", "mx.test", 3);   /* the same host for another domain */
    dnslearn_mx("a.test", "mx2.test", 4);
    dnslearn_mx("c.test", "mx3.test", 5);
    assert_int_equal(dnslearn_dropped(), 0);
    assert_string_equal(dnslearn_mx_domain("mx.test"), "a.test");
    assert_string_equal(dnslearn_mx_domain("MX2.TEST."), "a.test");
    assert_string_equal(dnslearn_mx_domain("mx3.test"), "c.test");
    dnslearn_mx("d.test", "mx4.test", 6); /* fifth distinct: over the cap of 4 */
    assert_int_equal(dnslearn_dropped(), 1);
    assert_null(dnslearn_mx_domain("mx4.test"));
    dnslearn_mx("B.test", "Mx.Test", 7); /* known: no drop */
    assert_int_equal(dnslearn_dropped(), 1);
    struct ipaddr s = ip4(192, 0, 2, 40);
    dnslearn_addr("mx3.test", &s, 8);
    struct expected_name n[2];
    assert_int_equal(dnslearn_names(&s, n, 2), 1);
    assert_int_equal(n[0].source, NAME_SRC_DNS_MX);
}

/* A name longer than is kept (DNS text runs to 1021 bytes) is kept cut to
 * DNSLEARN_NAME_MAX - 1 bytes, and found again by the same long name. */
static void
test_long_names(void **state)
{
    (void)state;
    char host[1022], domain[300];
    memset(host, 'h', sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    memset(domain, 'd', sizeof(domain) - 1);
    domain[sizeof(domain) - 1] = '\0';
    dnslearn_mx(domain, host, 1);
    const char *d = dnslearn_mx_domain(host);
    assert_non_null(d);
    assert_int_equal(strlen(d), DNSLEARN_NAME_MAX - 1);
    assert_memory_equal(d, domain, DNSLEARN_NAME_MAX - 1);
    struct ipaddr s = ip4(192, 0, 2, 41);
    dnslearn_addr(host, &s, 2);
    host[DNSLEARN_NAME_MAX - 2] = '.'; /* cut, it ends in a dot: kept without it */
    dnslearn_addr(host, &s, 3);
    struct expected_name n[4];
    assert_int_equal(dnslearn_names(&s, n, 4), 2);
    assert_int_equal(n[0].source, NAME_SRC_DNS_MX);
    assert_int_equal(strlen(n[0].name), DNSLEARN_NAME_MAX - 1);
    assert_int_equal(strlen(n[1].name), DNSLEARN_NAME_MAX - 2);
    assert_int_equal(dnslearn_dropped(), 0);
}

/* Many answers (a gateway's DNS): the tables grow and rehash as they fill,
 * memory follows what is kept (none reserved up front), and every name is
 * still found for its address, in arrival order, however the case. */
static void
test_many_answers(void **state)
{
    (void)state;
    dnslearn_fini();
    uint64_t before = mem_in_use();
    dnslearn_init(20000);
    assert_int_equal(mem_in_use(), before);
    char name[64];
    for (unsigned i = 0; i < 6000; i++) {
        struct ipaddr a = ip4(10, 1, (uint8_t)(i / 3 / 256), (uint8_t)(i / 3 % 256));
        snprintf(name, sizeof(name), "h%u.example.test", i);
        dnslearn_addr(name, &a, i);
        if (i % 3 == 2) {
            snprintf(name, sizeof(name), "D%u.TEST", i);
            dnslearn_mx(name, "H0.EXAMPLE.TEST", i);
        }
    }
    dnslearn_addr("H5999.Example.Test.", &(struct ipaddr){0}, 1); /* another family 0 */
    /* 2000 domains of one MX host: the first DNSLEARN_MX_DOMAINS found back */
    assert_int_equal(dnslearn_dropped(), 2000 - DNSLEARN_MX_DOMAINS);
    for (unsigned k = 0; k < 2000; k += 97) {
        struct ipaddr a = ip4(10, 1, (uint8_t)(k / 256), (uint8_t)(k % 256));
        struct expected_name n[4];
        assert_int_equal(dnslearn_names(&a, n, 4), 3);
        snprintf(name, sizeof(name), "h%u.example.test", 3 * k);
        assert_string_equal(n[k == 0 ? 1 : 0].name, k == 0 ? "h1.example.test" : name);
    }
    assert_string_equal(dnslearn_mx_domain("h0.example.test"), "D2.TEST");
    assert_true(mem_in_use() - before < 20000u * 300u);
}

/* The first of the names whose CNAME chains lead to name, NULL if none */
static const char *
origin1(const char *name)
{
    const char *o[DNSLEARN_CNAME_ALIASES];
    return dnslearn_cname_origins(name, o, DNSLEARN_CNAME_ALIASES) ? o[0] : NULL;
}

/* CNAME chains (RFC 7672 §2.2.2): expanded to their end, secure only when
 * every link had the AD bit, followed back to the alias that starts them;
 * a loop ends unresolved */
static void
test_cnames(void **state)
{
    (void)state;
    bool secure;
    assert_null(dnslearn_cname_expand("mx.a.test", &secure));
    dnslearn_cname("MX.a.test.", "mid.b.test", true, 1);
    dnslearn_cname("mid.b.test", "host.c.test", false, 2);
    assert_string_equal(dnslearn_cname_expand("mx.a.test", &secure), "host.c.test");
    assert_false(secure);
    dnslearn_cname("mid.b.test", "host.c.test", true, 3); /* validated this time */
    assert_string_equal(dnslearn_cname_expand("mx.a.test", &secure), "host.c.test");
    assert_true(secure);
    dnslearn_cname("mid.b.test", "other.c.test", true, 4); /* an alias keeps its first target */
    assert_string_equal(dnslearn_cname_expand("mid.b.test", &secure), "host.c.test");
    assert_string_equal(origin1("HOST.c.test"), "MX.a.test");
    assert_null(origin1("mx.a.test"));
    dnslearn_cname("x.test", "y.test", true, 5);
    dnslearn_cname("y.test", "x.test", true, 6);
    assert_non_null(dnslearn_cname_expand("x.test", &secure));
    assert_false(secure); /* a loop: not a secure expansion */
    assert_non_null(origin1("x.test"));
}

/* A pool of MX hosts CNAMEd to one host: every alias is found back from
 * it (it had been the first only), through a chain too; the aliases past
 * DNSLEARN_CNAME_ALIASES of one target still expand but are not found
 * back, and are counted as dropped */
static void
test_cname_pool(void **state)
{
    (void)state;
    const char *o[DNSLEARN_CNAME_ALIASES + 2];
    dnslearn_fini();
    dnslearn_init(64); /* room for every alias: only the per-target cap drops */
    dnslearn_cname("mx1.a.test", "host.p.test", true, 1);
    dnslearn_cname("mx2.b.test", "HOST.p.test.", true, 2);
    dnslearn_cname("mx1.a.test", "host.p.test", true, 3); /* the same again */
    assert_int_equal(dnslearn_cname_origins("host.p.test", o, 8), 2);
    assert_string_equal(o[0], "mx1.a.test");
    assert_string_equal(o[1], "mx2.b.test");
    assert_int_equal(dnslearn_cname_origins("host.p.test", o, 1), 1); /* max respected */
    assert_int_equal(dnslearn_cname_origins("mx1.a.test", o, 8), 0);  /* no target */
    /* a chain into the pool: its start, after the nearer alias */
    dnslearn_cname("mx3.c.test", "mid.p.test", true, 4);
    dnslearn_cname("mid.p.test", "host.p.test", true, 5);
    assert_int_equal(dnslearn_cname_origins("host.p.test", o, 8), 3);
    assert_string_equal(o[2], "mx3.c.test");
    /* the cap: 8 aliases of one target found back */
    uint64_t dropped = dnslearn_dropped();
    char alias[32];
    for (int k = 0; k < DNSLEARN_CNAME_ALIASES + 1; k++) {
        snprintf(alias, sizeof(alias), "m%d.q.test", k);
        dnslearn_cname(alias, "big.q.test", true, 6);
    }
    assert_int_equal(dnslearn_cname_origins("big.q.test", o, DNSLEARN_CNAME_ALIASES + 2),
                     DNSLEARN_CNAME_ALIASES);
    assert_int_equal(dnslearn_dropped(), dropped + 1);
    bool secure;
    assert_string_equal(dnslearn_cname_expand("m8.q.test", &secure), "big.q.test");
}

/* A hosting provider's MX host serving several domains: every domain is
 * found back from it, in arrival order (it had been the first only); past
 * DNSLEARN_MX_DOMAINS of one host, a domain is kept but not found back and
 * counted as dropped, once */
static void
test_mx_domains(void **state)
{
    (void)state;
    const char *o[DNSLEARN_MX_DOMAINS + 2];
    dnslearn_fini();
    dnslearn_init(64);
    assert_int_equal(dnslearn_mx_domains("mx.hoster.test", o, 8), 0);
    dnslearn_mx("one.test", "mx.hoster.test", 1);
    dnslearn_mx("two.test", "MX.Hoster.test.", 2);
    dnslearn_mx("one.test", "mx.hoster.test", 3); /* the same again */
    dnslearn_mx("three.test", "mx.other.test", 4);
    assert_int_equal(dnslearn_mx_domains("mx.hoster.test", o, 8), 2);
    assert_string_equal(o[0], "one.test");
    assert_string_equal(o[1], "two.test");
    assert_int_equal(dnslearn_mx_domains("mx.hoster.test", o, 1), 1); /* max respected */
    assert_string_equal(dnslearn_mx_domain("mx.hoster.test"), "one.test");
    assert_int_equal(dnslearn_mx_domains("mx.other.test", o, 8), 1);
    assert_int_equal(dnslearn_dropped(), 0);
    char dom[32];
    for (int k = 0; k < DNSLEARN_MX_DOMAINS + 1; k++) {
        snprintf(dom, sizeof(dom), "c%d.test", k);
        dnslearn_mx(dom, "mx.big.test", 5);
    }
    snprintf(dom, sizeof(dom), "c%d.test", DNSLEARN_MX_DOMAINS);
    dnslearn_mx(dom, "mx.big.test", 6); /* the dropped one again: no new drop */
    assert_int_equal(dnslearn_mx_domains("mx.big.test", o, DNSLEARN_MX_DOMAINS + 2),
                     DNSLEARN_MX_DOMAINS);
    snprintf(dom, sizeof(dom), "c%d.test", DNSLEARN_MX_DOMAINS - 1);
    assert_string_equal(o[DNSLEARN_MX_DOMAINS - 1], dom);
    assert_int_equal(dnslearn_dropped(), 1);
    /* the host's domains not all known: a name check against them undecided */
    assert_true(dnslearn_mx_domains_capped("MX.big.test."));
    assert_false(dnslearn_mx_domains_capped("mx.hoster.test"));
    assert_false(dnslearn_mx_domains_capped("unknown.test"));
}

/* The strings handed out stay valid until dnslearn_fini (dnslearn.h): a
 * session's dane result keeps its next-hop domains and CNAME names to the
 * run's end (agg_dane.c), while later answers fill the tables. Each
 * string is where it was after 500 more answers of each kind (the tables
 * had been arrays moved as they grew: the pointers kept into freed
 * memory, which later allocations took) */
static void
test_strings_stay(void **state)
{
    (void)state;
    dnslearn_fini();
    dnslearn_init(1000);
    struct ipaddr a = ip4(192, 0, 2, 1);
    dnslearn_mx("first.test", "mx.first.test", 1);
    dnslearn_addr("mx.first.test", &a, 1);
    dnslearn_cname("alias.first.test", "target.first.test", true, 1);
    const char *dom = dnslearn_mx_domain("mx.first.test");
    struct expected_name n[2];
    assert_int_equal(dnslearn_names(&a, n, 2), 1);
    const char *name = n[0].name;
    const char *alias[1];
    assert_int_equal(dnslearn_cname_origins("target.first.test", alias, 1), 1);
    bool secure = false;
    const char *target = dnslearn_cname_expand("alias.first.test", &secure);
    char s[64];
    for (unsigned i = 0; i < 500; i++) {
        struct ipaddr b = ip4(10, 2, (uint8_t)(i / 256), (uint8_t)(i % 256));
        snprintf(s, sizeof(s), "d%u.test", i);
        dnslearn_mx(s, "mx.more.test", 2);
        snprintf(s, sizeof(s), "h%u.test", i);
        dnslearn_addr(s, &b, 2);
        snprintf(s, sizeof(s), "a%u.test", i);
        dnslearn_cname(s, "t.test", false, 2);
    }
    assert_ptr_equal(dnslearn_mx_domain("mx.first.test"), dom);
    assert_int_equal(dnslearn_names(&a, n, 2), 1);
    assert_ptr_equal(n[0].name, name);
    const char *alias2[1];
    assert_int_equal(dnslearn_cname_origins("target.first.test", alias2, 1), 1);
    assert_ptr_equal(alias2[0], alias[0]);
    assert_ptr_equal(dnslearn_cname_expand("alias.first.test", &secure), target);
    assert_string_equal(dom, "first.test");
    assert_string_equal(name, "mx.first.test");
    assert_string_equal(alias[0], "alias.first.test");
    assert_string_equal(target, "target.first.test");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mx_first_then_a, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_and_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mx_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cnames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cname_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mx_domains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings_stay, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
