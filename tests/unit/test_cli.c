/* \summary: unit tests for option parsing, caps, --at / --fail-on and the environment switches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "config.h"

static enum cli_action
parse(struct config *c, int argc, const char **argv)
{
    config_defaults(c);
    return cli_parse(argc, (char **)argv, c);
}

static void
test_tcpdump_style(void **state)
{
    (void)state;
    struct config c;
    const char *argv[] = {"smtptap", "-r",     "a.pcap", "-r",  "b.pcapng", "-q", "-s",
                          "96",      "--json", "-",      "tcp", "port",     "25"};
    assert_int_equal(parse(&c, 13, argv), CLI_RUN);
    assert_int_equal(c.n_inputs, 2);
    assert_string_equal(c.inputs[1], "b.pcapng");
    assert_true(c.quiet);
    assert_int_equal(c.snaplen, 96);
    assert_string_equal(c.json_path, "-");
    assert_string_equal(c.bpf, "tcp port 25");
    free((char *)c.bpf);

    /* options after the expression, as tcpdump takes them; "--" ends them */
    const char *after[] = {"smtptap", "-r", "a.pcap", "port", "25",  "-q",
                           "--json",  "-",  "--",     "and",  "not", "-x"};
    assert_int_equal(parse(&c, 12, after), CLI_RUN);
    assert_true(c.quiet);
    assert_string_equal(c.json_path, "-");
    assert_string_equal(c.bpf, "port 25 and not -x");
    free((char *)c.bpf);

    /* -B in KiB, as tcpdump's (-B 4096 is 4 MiB; it was MiB, and 2048 or
     * more overflowed to a buffer libpcap ignored); -n, -nn accepted */
    const char *buf[] = {"smtptap", "-nn", "-i", "eth0", "-B", "4096"};
    assert_int_equal(parse(&c, 6, buf), CLI_RUN);
    assert_int_equal(c.buffer_kib, 4096);
    const char *big[] = {"smtptap", "-i", "eth0", "-B", "2097151"};
    assert_int_equal(parse(&c, 5, big), CLI_RUN);
    assert_int_equal(c.buffer_kib * 1024LL, 2147482624LL);
    const char *over[] = {"smtptap", "-i", "eth0", "-B", "2097152"};
    assert_int_equal(parse(&c, 5, over), CLI_ERROR);
    const char *list[] = {"smtptap", "-D"};
    assert_int_equal(parse(&c, 2, list), CLI_LIST_IFACES);
    const char *list2[] = {"smtptap", "--list-interfaces"};
    assert_int_equal(parse(&c, 2, list2), CLI_LIST_IFACES);
}

static void
test_ports_and_caps(void **state)
{
    (void)state;
    struct config c;
    const char *argv[] = {"smtptap",       "-r",          "x",         "--ports",
                          "2525,25",       "--tls-ports", "10465",     "--cap",
                          "flow.max=1000", "--cap",       "memcap=64M"};
    assert_int_equal(parse(&c, 11, argv), CLI_RUN);
    assert_true(config_is_mail_port(&c, 2525));
    assert_true(config_is_mail_port(&c, 10465));
    assert_true(config_is_tls_port(&c, 10465));
    assert_false(config_is_tls_port(&c, 2525));
    assert_int_equal(c.n_mail_ports, 5); /* 25 not duplicated */
    assert_int_equal(c.flow_max, 1000);
    assert_int_equal(c.memcap, 64ull << 20);
    /* the smallest memcap a run can work in; below it a usage error */
    char err[128];
    assert_int_equal(config_set_cap(&c, "memcap=16M", err, sizeof(err)), 0);
    assert_int_equal(c.memcap, CONFIG_MEMCAP_MIN);
    assert_int_equal(config_set_cap(&c, "memcap=16383K", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "at least 16M"));
    assert_int_equal(c.memcap, CONFIG_MEMCAP_MIN);
    /* the reassembly's wait for a hole: 8 packets unless set */
    struct config d;
    config_defaults(&d);
    assert_int_equal(d.reasm_hole_wait, 8);
    assert_int_equal(config_set_cap(&d, "reasm.hole_wait=32", err, sizeof(err)), 0);
    assert_int_equal(d.reasm_hole_wait, 32);
    assert_int_equal(config_set_cap(&d, "reasm.hole_wait=0", err, sizeof(err)), -1);
}

static void
test_errors(void **state)
{
    (void)state;
    struct config c;
    const char *none[] = {"smtptap"};
    assert_int_equal(parse(&c, 1, none), CLI_ERROR);
    const char *badport[] = {"smtptap", "-r", "x", "--ports", "70000"};
    assert_int_equal(parse(&c, 5, badport), CLI_ERROR);
    static const char *const empty[] = {"25,,26", ",25", "25,", ""};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        const char *argv[] = {"smtptap", "-r", "x", "--ports", empty[i]};
        assert_int_equal(parse(&c, 5, argv), CLI_ERROR);
    }
    const char *badcap[] = {"smtptap", "-r", "x", "--cap", "nope=1"};
    assert_int_equal(parse(&c, 5, badcap), CLI_ERROR);
    const char *zerocap[] = {"smtptap", "-r", "x", "--cap", "flow.max=0"};
    assert_int_equal(parse(&c, 5, zerocap), CLI_ERROR);
    const char *both[] = {"smtptap", "-r", "x", "-i", "eth0"};
    assert_int_equal(parse(&c, 5, both), CLI_ERROR);
    const char *unknown[] = {"smtptap", "--frobnicate"};
    assert_int_equal(parse(&c, 2, unknown), CLI_ERROR);
    const char *sev[] = {"smtptap", "-r", "x", "--fail-on", "severe"};
    assert_int_equal(parse(&c, 5, sev), CLI_ERROR);
    const char *help[] = {"smtptap", "--help"};
    assert_int_equal(parse(&c, 2, help), CLI_HELP);
    /* --expect ADDRESS=NAME: any spelling of an address, kept in the form
     * the records use; anything else that is not an address is refused */
    const char *exp[] = {
        "smtptap",  "-r",          "x",        "--expect",  "[2001:DB8:0::25]=mx.example",
        "--expect", "192.0.2.7=a", "--expect", "mx.example"};
    assert_int_equal(parse(&c, 9, exp), CLI_RUN);
    assert_int_equal(c.n_expect, 3);
    assert_string_equal(c.expect[0], "2001:db8::25=mx.example");
    assert_string_equal(c.expect[1], "192.0.2.7=a");
    assert_string_equal(c.expect[2], "mx.example");
    static const char *const bad[] = {"junk=x", "=x", "192.0.2.7:25=x", "192.0.2.7="};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *argv[] = {"smtptap", "-r", "x", "--expect", bad[i]};
        assert_int_equal(parse(&c, 5, argv), CLI_ERROR);
    }
}

static void
test_time_and_severity(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(cli_parse_time("2026-01-31", 0, &us), 0);
    assert_int_equal(us, 1769817600ll * 1000000);
    assert_int_equal(cli_parse_time("2026-01-31T12:00:00Z", 0, &us), 0);
    assert_int_equal(us, (1769817600ll + 43200) * 1000000);
    assert_int_equal(cli_parse_time("now", 42, &us), 0);
    assert_int_equal(us, 42);
    assert_int_equal(cli_parse_time("yesterday", 0, &us), -1);
    /* a date that does not exist is refused, not moved to the next month */
    assert_int_equal(cli_parse_time("2026-02-31", 0, &us), -1);
    assert_int_equal(cli_parse_time("2026-01-31T23:59:60Z", 0, &us), -1); /* strptime takes 60 */
    assert_int_equal(cli_parse_time("2028-02-29", 0, &us), 0);
    assert_int_equal(cli_parse_severity("critical"), 5);
    assert_int_equal(cli_parse_severity("info"), 1);
    assert_int_equal(cli_parse_severity("bad"), -1);
}

/* The environment switches: only the exact value "off" turns one off. */
static void
test_env_off(void **state)
{
    (void)state;
    const char *name = "SMTPTAP_TEST_SWITCH";
    unsetenv(name);
    assert_false(config_env_off(name));
    setenv(name, "off", 1);
    assert_true(config_env_off(name));
    const char *not_off[] = {"on", "OFF", "", "off ", "0"};
    for (unsigned i = 0; i < sizeof(not_off) / sizeof(not_off[0]); i++) {
        setenv(name, not_off[i], 1);
        assert_false(config_env_off(name));
    }
    unsetenv(name);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcpdump_style), cmocka_unit_test(test_ports_and_caps),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_time_and_severity),
        cmocka_unit_test(test_env_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
