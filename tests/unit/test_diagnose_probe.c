/* \summary: unit tests for the test tools told by their EHLO name
 * (src/diagnose_quit.c: diagnose_test_client, diagnose_probe_text): openssl
 * s_client's default "EHLO mail.example.com", gnutls-cli's "EHLO HOST" (the
 * server's own address or the name of its SNI), and the MTAs' own names
 * that are none of these; the probe's evidence. Their effect on the
 * session's flags (client_quit_after_handshake false, manual_tls_probe) is
 * pinned by the golden d-manual-probe (pcaps/diag/manual-probe.pcap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose.h"

static struct session_facts pf;
static struct flow_record pr;

static void
set_fstr(struct fstr *f, const char *s)
{
    f->s = (uint8_t *)(uintptr_t)s;
    f->len = s ? (uint32_t)strlen(s) : 0;
    f->cap = f->len + 1;
    f->truncated = false;
}

/* A session to 192.0.2.25 (or 2001:db8::25) with EHLO ehlo and SNI sni
 * (NULL: none); after the handshake the client's QUIT (30 bytes under
 * AES-256-GCM) and close_notify, the server's FIN after them. */
static void
probe_facts(const char *ehlo, const char *sni, int family)
{
    memset(&pf, 0, sizeof(pf));
    memset(&pr, 0, sizeof(pr));
    set_fstr(&pf.smtp.ehlo, ehlo);
    set_fstr(&pf.tls.sni, sni);
    pf.tls.seen = true;
    pf.tls.version = 0x0303;
    pf.tls.cipher = 0xC030;
    pf.tls.cipher_seen = true;
    pf.tls.handshake = TLS_HS_COMPLETE;
    pf.tls.after_read = true;
    pf.tls.after[0].n = 2;
    pf.tls.after[0].type[0] = 23;
    pf.tls.after[0].len[0] = 30;
    pf.tls.after[0].type[1] = 21;
    pf.tls.after[0].len[1] = 26;
    pr.facts = &pf;
    pr.first_close = "server_fin";
    pr.server.ip.family = (uint8_t)family;
    if (family == 6) {
        static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x25};
        memcpy(pr.server.ip.a, v6, sizeof(v6));
    } else {
        static const uint8_t v4[4] = {192, 0, 2, 25};
        memcpy(pr.server.ip.a, v4, sizeof(v4));
    }
    pr.server.port = 25;
}

static void
test_s_client_name(void **state)
{
    (void)state;
    probe_facts("mail.example.com", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_S_CLIENT);
    /* the shape is the quit rule's; the name is what tells the probe */
    assert_true(diagnose_client_quit(&pr));
    probe_facts("MAIL.Example.COM", "mail.example.test", 4); /* case aside */
    assert_int_equal(diagnose_test_client(&pr), DG_TC_S_CLIENT);
    /* names that only resemble it: an MTA's */
    probe_facts("mail.example.com.au", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    probe_facts("relay.client.example.net", "mail.example.test", 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    probe_facts("mail.example.co", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    /* a name cut at its cap is not that name */
    probe_facts("mail.example.com", NULL, 4);
    pf.smtp.ehlo.truncated = true;
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    /* no EHLO seen (a session picked up after it): nothing told */
    probe_facts(NULL, "mail.example.test", 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
}

static void
test_ehlo_names_server(void **state)
{
    (void)state;
    /* gnutls-cli --starttls-proto=smtp 192.0.2.25: EHLO 192.0.2.25 */
    probe_facts("192.0.2.25", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    /* the server's address as an address literal (RFC 5321 §4.1.3) */
    probe_facts("[192.0.2.25]", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    probe_facts("[IPv6:2001:db8::25]", NULL, 6);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    /* the names are told apart before the address is formatted (only
     * hex digits, dots and colons, or a literal's "[", can match): every
     * form of an address still matches, case aside */
    probe_facts("2001:db8::25", NULL, 6);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    probe_facts("2001:DB8::25", NULL, 6);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    probe_facts("[ipv6:2001:DB8::25]", NULL, 6);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    probe_facts("2001:db8::26", NULL, 6);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    probe_facts("192.0.2.25.", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    probe_facts("cafe.beef", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    /* an MTA's own address literal: another address */
    probe_facts("[192.0.2.26]", NULL, 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    probe_facts("[198.51.100.13]", "mail.example.test", 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    /* gnutls-cli mail.example.test: EHLO and SNI that name */
    probe_facts("mail.example.test", "mail.example.test", 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    probe_facts("Mail.Example.Test", "mail.example.test", 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_EHLO_SERVER);
    /* a name that only begins like the SNI */
    probe_facts("mail.example.test.relay", "mail.example.test", 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
    probe_facts("mail.example", "mail.example.test", 4);
    assert_int_equal(diagnose_test_client(&pr), DG_TC_NONE);
}

static void
test_names(void **state)
{
    (void)state;
    assert_string_equal(diagnose_test_client_str(DG_TC_S_CLIENT), "openssl_s_client");
    assert_string_equal(diagnose_test_client_str(DG_TC_EHLO_SERVER), "ehlo_names_server");
    assert_null(diagnose_test_client_str(DG_TC_NONE));
}

static void
test_probe_text(void **state)
{
    (void)state;
    struct diagnosis d;
    char out[300];
    memset(&d, 0, sizeof(d));
    probe_facts("mail.example.com", NULL, 4);
    d.test_client = diagnose_test_client(&pr);
    diagnose_probe_text(&pr, &d, out, sizeof(out));
    assert_string_equal(out, "EHLO mail.example.com (openssl s_client's default -name); the "
                             "client's only command after the handshake was 6 bytes (a QUIT's "
                             "size; no EHLO), then close_notify; it closed with the server's FIN "
                             "after it");
    probe_facts("192.0.2.25", NULL, 4);
    pr.first_close = "client_fin";
    d.test_client = diagnose_test_client(&pr);
    diagnose_probe_text(&pr, &d, out, sizeof(out));
    assert_non_null(strstr(out, "EHLO 192.0.2.25 (the server's own address, as gnutls-cli "));
    assert_non_null(strstr(out, "; it closed with a FIN"));
    probe_facts("mail.example.test", "mail.example.test", 4);
    d.test_client = diagnose_test_client(&pr);
    diagnose_probe_text(&pr, &d, out, sizeof(out));
    assert_non_null(strstr(out, "EHLO mail.example.test (the name the client asked for in SNI"));
    /* a short buffer: cut, terminated, marked */
    char small[40];
    diagnose_probe_text(&pr, &d, small, sizeof(small));
    size_t len = strlen(small);
    assert_true(len < sizeof(small) && len > 3);
    assert_string_equal(small + len - 3, "...");
    assert_memory_equal(small, "EHLO mail.example.test", 22);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s_client_name),
        cmocka_unit_test(test_ehlo_names_server),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_probe_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
