/* \summary: unit tests for the session record's TLS member (src/report_session.c):
 * a named cipher suite by its IANA name, an unnamed one as "0x%04X", with
 * its code either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose.h"
#include "facts.h"
#include "json.h"
#include "record.h"
#include "report_session.h"
#include "tls_names.h"
#include "tu_json.h"

static void
write_session(struct json *j, void *arg)
{
    static struct diagnosis dg; /* nothing diagnosed */
    report_session_json(j, arg, &dg);
}

/* The session record of a TLS session whose ServerHello chose `cipher`. */
static char *
record_with_cipher(uint16_t cipher)
{
    static struct session_facts f;
    static struct flow_record rec;
    memset(&f, 0, sizeof(f));
    memset(&rec, 0, sizeof(rec));
    f.tls.seen = true;
    f.tls.cipher_seen = true;
    f.tls.cipher = cipher;
    f.tls.version = 0x0303;
    rec.id = 1;
    rec.client.ip.family = rec.server.ip.family = 4;
    rec.facts = &f;
    return tu_json_capture(write_session, &rec);
}

static void
test_cipher_named_or_hex(void **state)
{
    (void)state;
    static const struct {
        uint16_t code;
        const char *want;
    } cases[] = {
        {0xc030, "\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\",\"cipher_code\":49200"},
        {0x1301, "\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"cipher_code\":4865"},
        {0x0a0b, "\"cipher\":\"0x0A0B\",\"cipher_code\":2571"},
        {0xfedc, "\"cipher\":\"0xFEDC\",\"cipher_code\":65244"},
        {0x0000, "\"cipher\":\"TLS_NULL_WITH_NULL_NULL\",\"cipher_code\":0"},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* the table decides which are named: check the case is what it claims */
        assert_true((tls_cipher_str(cases[i].code) == NULL) ==
                    (strstr(cases[i].want, "\"0x") != NULL));
        char *out = record_with_cipher(cases[i].code);
        if (strstr(out, cases[i].want) == NULL)
            fail_msg("cipher 0x%04x: %s not in %s", cases[i].code, cases[i].want, out);
        free(out);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cipher_named_or_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
