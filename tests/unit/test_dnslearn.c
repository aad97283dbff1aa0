/* \summary: unit tests for names learned from DNS answers (src/dnslearn.c):
 * MX hosts first, case and trailing-dot insensitive, per address, capped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mx_first_then_a, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_and_cap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
