/* TLS-RPT's scope and counts (src/tlsrpt.c, docs/tlsrpt.md): which
 * sessions it speaks of (25 and --ports, never implicit TLS), the policy a
 * session without a checked chain is filed under (its SNI), and which
 * sessions count as a success (a chain the capture shows) or in neither
 * (TLS 1.3 without its key log, a resumption). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "diagnose.h"
#include "record.h"
#include "tlsrpt.h"

static struct config cfg;
static struct session_facts facts;
static struct flow_record rec;
static struct diagnosis dg;
static char sni[] = "mail.example.test";

static void
reset(uint16_t port)
{
    config_defaults(&cfg);
    memset(&facts, 0, sizeof(facts));
    memset(&rec, 0, sizeof(rec));
    memset(&dg, 0, sizeof(dg));
    rec.facts = &facts;
    rec.server.port = port;
    rec.server.ip.family = 4;
    memcpy(rec.server.ip.a, "\xcb\x00\x71\x19", 4); /* 203.0.113.25 */
    rec.client.ip.family = 4;
    memcpy(rec.client.ip.a, "\xc6\x33\x64\x0a", 4); /* 198.51.100.10 */
    facts.smtp.seen = true;
    facts.tls.seen = true;
    facts.tls.handshake = TLS_HS_COMPLETE;
    facts.tls.sni.s = (uint8_t *)sni;
    facts.tls.sni.len = (uint32_t)strlen(sni);
}

/* 25 and --ports; never 587, 465 nor a --tls-ports port, even named with
 * --ports; not another port smtptap found SMTP on by itself */
static void
test_ports(void **state)
{
    (void)state;
    reset(25);
    assert_true(tlsrpt_port(&cfg, 25));
    assert_false(tlsrpt_port(&cfg, 2525));
    assert_false(tlsrpt_port(&cfg, 587));
    assert_false(tlsrpt_port(&cfg, 465));
    assert_false(tlsrpt_port(NULL, 2525));
    cfg.mail_ports[cfg.n_mail_ports++] = 2525;
    cfg.tls_ports[cfg.n_tls_ports++] = 4650;
    cfg.mail_ports[cfg.n_mail_ports++] = 4650;
    assert_true(tlsrpt_port(&cfg, 2525));
    assert_false(tlsrpt_port(&cfg, 4650));
}

/* implicit TLS is a mail client's on any port: no type; a client's
 * ClientHello sent to a plaintext greeting on 25 keeps its failure */
static void
test_implicit(void **state)
{
    (void)state;
    reset(25);
    dg.tls_handshake_failed = true;
    assert_string_equal(tlsrpt_session(&cfg, &rec, &dg, NULL), "validation-failure");
    assert_true(tlsrpt_applies(&cfg, &rec));
    facts.smtp.implicit_tls = true;
    assert_false(tlsrpt_applies(&cfg, &rec));
    assert_null(tlsrpt_session(&cfg, &rec, &dg, NULL));
    dg.tls_handshake_failed = false;
    dg.verified = true;
    dg.missing_intermediate = true;
    assert_null(tlsrpt_session(&cfg, &rec, &dg, NULL));
    facts.smtp.client_tls_to_plaintext = true;
    assert_true(tlsrpt_applies(&cfg, &rec));
    rec.server.port = 2525;
    dg.verified = true;
    facts.smtp.implicit_tls = false;
    facts.smtp.client_tls_to_plaintext = false;
    assert_null(tlsrpt_session(&cfg, &rec, &dg, NULL));
}

/* the report's text, written by tlsrpt_write to a temporary file */
static char *
report(void)
{
    char path[] = "/tmp/test_tlsrpt.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tlsrpt_write(path, 1000000, 2000000), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(path);
    return buf;
}

/* a TLS 1.3 session without its key log (no chain seen, completed): in
 * neither count, and in no policy; a resumption the same; its chain
 * decrypted and passing: a success, under its SNI's policy */
static void
test_counts(void **state)
{
    (void)state;
    reset(25);
    tlsrpt_reset();
    facts.tls.version = 0x0304;
    tlsrpt_note(&cfg, &rec, &dg, NULL, 0);
    facts.tls.version = 0x0303;
    facts.tls.resumed = true;
    tlsrpt_note(&cfg, &rec, &dg, NULL, 0);
    char *r = report();
    assert_non_null(strstr(r, "\"policies\":[]"));
    facts.tls.resumed = false;
    facts.tls.version = 0x0304;
    facts.tls.decrypted = true;
    dg.verified = true;
    strcpy(dg.checked_name, sni);
    tlsrpt_note(&cfg, &rec, &dg, NULL, 0);
    r = report();
    assert_non_null(strstr(r, "\"policy-domain\":\"mail.example.test\""));
    assert_non_null(strstr(r, "\"total-successful-session-count\":1"));
    assert_non_null(strstr(r, "\"total-failure-session-count\":0"));
    tlsrpt_reset();
}

/* a failure without a checked chain (a TLS 1.3 client's certificate
 * alert) is filed under its SNI, with the TLS 1.2 session whose chain was
 * checked: one policy */
static void
test_policy_sni(void **state)
{
    (void)state;
    reset(25);
    tlsrpt_reset();
    dg.verified = true;
    dg.missing_intermediate = true;
    strcpy(dg.checked_name, sni);
    tlsrpt_note(&cfg, &rec, &dg, NULL, 0);
    memset(&dg, 0, sizeof(dg));
    facts.tls.version = 0x0304;
    facts.tls.handshake = TLS_HS_FAILED;
    dg.client_rejected_certificate = true;
    dg.client_reject_code = 48;
    tlsrpt_note(&cfg, &rec, &dg, NULL, 0);
    char *r = report();
    assert_non_null(strstr(r, "\"policy-domain\":\"mail.example.test\""));
    assert_null(strstr(r, "\"policy-domain\":\"203.0.113.25\""));
    assert_non_null(strstr(r, "\"total-failure-session-count\":2"));
    tlsrpt_reset();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_implicit),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_policy_sni),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
