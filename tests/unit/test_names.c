/* \summary: unit tests for RFC 6125 server identity checks (src/names.c):
 * wildcards (§6.4.3), IDNA A-labels (§6.4.2), IP SANs, the CN fallback
 * (§6.4.4) and embedded NULs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/x509.h>

#include "names.h"
#include "tu_file.h"

#define CERT(n) SRCDIR "/tests/data/certs/" n

static bool
m(const char *pattern, const char *ref)
{
    return names_dns_match(pattern, strlen(pattern), ref);
}

static void
test_exact_and_case(void **state)
{
    (void)state;
    assert_true(m("mail.example.com", "mail.example.com"));
    assert_true(m("MAIL.Example.COM", "mail.example.com"));
    assert_true(m("mail.example.com.", "mail.example.com"));
    assert_true(m("mail.example.com", "mail.example.com."));
    assert_false(m("mail.example.com", "mail.example.co"));
    assert_false(m("mail.example.com", "xmail.example.com"));
    assert_false(m("", "mail.example.com"));
    assert_false(m("mail.example.com", ""));
}

/* §6.4.3: "*" is a whole left-most label and covers exactly one label. */
static void
test_wildcards(void **state)
{
    (void)state;
    assert_true(m("*.example.com", "mail.example.com"));
    assert_false(m("*.example.com", "example.com"));
    assert_false(m("*.example.com", "a.b.example.com"));
    assert_false(m("*.example.com", ".example.com"));
    assert_false(m("mail.*.com", "mail.example.com"));     /* not left-most */
    assert_false(m("f*o.example.com", "foo.example.com")); /* partial label */
    assert_false(m("*oo.example.com", "foo.example.com"));
    assert_false(m("*.com", "example.com")); /* needs two labels after */
    assert_false(m("*", "localhost"));
    assert_false(m("**.example.com", "a.example.com"));
    assert_true(m("*.EXAMPLE.com", "Mail.example.COM"));
}

static void
why_is(const char *pattern, const char *ref, const char *want)
{
    char why[256] = "";
    bool got = names_wildcard_why(pattern, strlen(pattern), ref, why, sizeof(why));
    if (want == NULL) {
        if (got)
            fail_msg("%s / %s: unexpected \"%s\"", pattern, ref, why);
        return;
    }
    if (!got || strcmp(why, want) != 0)
        fail_msg("%s / %s: \"%s\", want \"%s\"", pattern, ref, why, want);
}

/* Why a wildcard does not cover a name that it seems to (the finding's
 * evidence says so: CASES.md case 4). */
static void
test_wildcard_why(void **state)
{
    (void)state;
    why_is(
        "*.ak.fbcdn.net", "x.y.ak.fbcdn.net",
        "*.ak.fbcdn.net covers one label only (RFC 6125 section 6.4.3): x.y.ak.fbcdn.net has two "
        "there");
    why_is(
        "*.example.com", "a.b.c.example.com.",
        "*.example.com covers one label only (RFC 6125 section 6.4.3): a.b.c.example.com has three "
        "there");
    why_is("*.example.com", "example.com",
           "*.example.com does not cover example.com itself: its * stands for one label (RFC "
           "6125 section 6.4.3)");
    why_is("mx*.example.com", "mx1.example.com",
           "mx*.example.com is not honoured: a wildcard counts only as the whole left-most "
           "label (RFC 6125 section 6.4.3)");
    why_is("mail.*.com", "mail.example.com",
           "mail.*.com is not honoured: a wildcard counts only as the whole left-most label "
           "(RFC 6125 section 6.4.3)");
    why_is("*.com", "example.com",
           "*.com is not honoured: a wildcard needs at least two labels after it");
    why_is("*.example.com", "mail.example.com", NULL); /* covered */
    why_is("*.example.com", "a.b.example.org", NULL);  /* another domain */
    why_is("mx*.example.com", "smtp.example.com", NULL);
    why_is("mail.example.com", "a.mail.example.com", NULL); /* no wildcard */
    why_is("*.example.com", ".example.com", NULL);
}

/* A presented name of many "*" (a server's certificate says what it
 * likes): its labels are matched in time that grows with their lengths,
 * not exponentially with the count of "*" (40 of them against a label of
 * 21 characters tried some 10^14 ways; 60000 of them recursed as deep):
 * the run is bounded by an alarm, whose default action fails the test. */
static void
test_wildcard_why_stars(void **state)
{
    (void)state;
    static char p[60100];
    alarm(20);
    memset(p, '*', 40);
    strcpy(p + 40, "z.example.com");
    why_is(p, "smtp-relay-outbound01.example.com", NULL);
    strcpy(p + 40, "1.example.com");
    char want[200];
    snprintf(want, sizeof(want),
             "%s is not honoured: a wildcard counts only as the whole left-most label (RFC 6125 "
             "section 6.4.3)",
             p);
    why_is(p, "smtp-relay-outbound01.example.com", want);
    memset(p, '*', 60000);
    strcpy(p + 60000, "z.example.com");
    char why[64];
    assert_false(
        names_wildcard_why(p, strlen(p), "smtp-relay-outbound01.example.com", why, sizeof(why)));
    why_is("a*b*c.example.com", "axxbyyc.example.com",
           "a*b*c.example.com is not honoured: a wildcard counts only as the whole left-most "
           "label (RFC 6125 section 6.4.3)");
    why_is("a*b*c.example.com", "axxbyyd.example.com", NULL);
    alarm(0);
}

/* §6.4.2: IDNs compare as A-labels; a wildcard does not reach into "xn--". */
static void
test_idna(void **state)
{
    (void)state;
    assert_true(m("xn--bcher-kva.example.com", "xn--bcher-kva.example.com"));
    assert_true(m("xn--bcher-kva.example.com", "XN--BCHER-KVA.example.com"));
    assert_false(m("xn--bcher-kva.example.com", "bücher.example.com"));
    assert_true(m("*.xn--caf-dma.example.com", "mail.xn--caf-dma.example.com"));
    assert_false(m("*.xn--caf-dma.example.com", "xn--caf-dma.example.com"));
}

/* A NUL inside the presented name never matches anything (CVE-2009-2408). */
static void
test_nul_in_pattern(void **state)
{
    (void)state;
    static const char p[] = "ok.example.com\0.evil.org";
    assert_false(names_dns_match(p, sizeof(p) - 1, "ok.example.com"));
    assert_false(names_dns_match(p, sizeof(p) - 1, "ok.example.com.evil.org"));
    assert_true(names_dns_match(p, strlen(p), "ok.example.com"));
}

static X509 *
load(const char *path)
{
    size_t n;
    uint8_t *der = tu_read_file(path, &n);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)n);
    free(der);
    assert_non_null(x);
    return x;
}

static void
test_cert_san(void **state)
{
    (void)state;
    char why[200];
    X509 *x = load(CERT("leaf.der"));
    assert_true(names_check(x, "mail.example.com", why, sizeof(why)));
    assert_true(names_check(x, "smtp.example.com", why, sizeof(why)));
    why[0] = 0;
    assert_false(names_check(x, "mx.example.com", why, sizeof(why)));
    assert_true(why[0] != 0);
    /* The subject CN is ignored when dNSName SANs exist. */
    X509_free(x);
    x = load(CERT("wildcard.der"));
    assert_true(names_check(x, "mx1.example.com", NULL, 0));
    assert_false(names_check(x, "example.com", NULL, 0));
    X509_free(x);
    x = load(CERT("idna.der"));
    assert_true(names_check(x, "xn--bcher-kva.example.com", NULL, 0));
    assert_true(names_check(x, "smtp.xn--caf-dma.example.com", NULL, 0));
    X509_free(x);
    x = load(CERT("selfsigned.der"));
    assert_true(names_check(x, "SERVER1", NULL, 0));
    assert_false(names_check(x, "mail.contoso.com", NULL, 0));
    X509_free(x);
}

/* IP references match iPAddress SANs only, never a DNS SAN or the CN. */
static void
test_cert_ip(void **state)
{
    (void)state;
    X509 *x = load(CERT("ipsan.der"));
    assert_true(names_check(x, "192.0.2.25", NULL, 0));
    assert_true(names_check(x, "2001:db8::25", NULL, 0));
    assert_true(names_check(x, "2001:DB8:0:0:0:0:0:25", NULL, 0));
    assert_false(names_check(x, "192.0.2.26", NULL, 0));
    assert_true(names_check(x, "mx.example.net", NULL, 0));
    /* The CN is "192.0.2.25" but a DNS reference never falls back to it
     * when SANs exist. */
    assert_false(names_check(x, "postmaster@example.net", NULL, 0));
    X509_free(x);
    x = load(CERT("leaf.der"));
    assert_false(names_check(x, "192.0.2.25", NULL, 0));
    X509_free(x);
}

/* §6.4.4: CN only when there is no SAN of a supported type. */
static void
test_cn_fallback(void **state)
{
    (void)state;
    X509 *x = load(CERT("cnonly.der"));
    assert_true(names_check(x, "cnonly.example.com", NULL, 0));
    assert_false(names_check(x, "other.example.com", NULL, 0));
    X509_free(x);
    /* A CN holding "bad.example.com\0.evil.org" matches neither part. */
    x = load(CERT("nulname.der"));
    assert_false(names_check(x, "bad.example.com", NULL, 0));
    assert_false(names_check(x, "ok.example.com", NULL, 0));
    X509_free(x);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_and_case),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_wildcard_why),
        cmocka_unit_test(test_idna),
        cmocka_unit_test(test_nul_in_pattern),
        cmocka_unit_test(test_cert_san),
        cmocka_unit_test(test_cert_ip),
        cmocka_unit_test(test_cn_fallback),
        cmocka_unit_test(test_wildcard_why_stars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
