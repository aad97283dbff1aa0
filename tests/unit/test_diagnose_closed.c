/* \summary: unit tests for client_closed_after_handshake (src/diagnose_quit.c:
 * diagnose_client_closed, diagnose_quit_explained, diagnose_closed_text;
 * dissectors/tls_names.c: tls_after_alert_fits): a client that closes right
 * after a completed handshake without any command (close_notify alone, or
 * its FIN or RST), as openssl s_client </dev/null does, is no refusal; a
 * lone QUIT is client_quit_after_handshake only when the chain has a problem
 * a verifying client refuses (else swaks --quit-after TLS's probe). The
 * sessions' flags on real captures are pinned by the goldens
 * d-handshake-probes and d-manual-probe; the negative cases (a fatal alert
 * before the client's Finished) by client-alert and d-alert-46. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose.h"
#include "tls_names.h"

static struct session_facts cf;
static struct flow_record cr;

/* A completed handshake under version/cipher; the client's records after
 * it: n of them, each (type, len); the connection's end began with
 * first_close. */
static void
closed_facts(uint16_t version, uint16_t cipher, const char *first_close, unsigned n,
             const uint8_t *type, const uint16_t *len)
{
    memset(&cf, 0, sizeof(cf));
    memset(&cr, 0, sizeof(cr));
    cf.tls.seen = true;
    cf.tls.version = version;
    cf.tls.cipher = cipher;
    cf.tls.cipher_seen = true;
    cf.tls.handshake = TLS_HS_COMPLETE;
    cf.tls.after_read = true;
    cf.tls.after[0].n = (uint8_t)n;
    cf.tls.after[0].ended = true;
    for (unsigned i = 0; i < n; i++) {
        cf.tls.after[0].type[i] = type[i];
        cf.tls.after[0].len[i] = len[i];
    }
    cr.facts = &cf;
    cr.first_close = first_close;
}

static void
test_alert_fits(void **state)
{
    (void)state;
    /* TLS 1.2 shows the alert's type */
    assert_true(tls_after_alert_fits(0x0303, 0xC030, 21, 26));
    assert_false(tls_after_alert_fits(0x0303, 0xC030, 23, 26));
    /* TLS 1.3 (TLS_AES_256_GCM_SHA384): 2 bytes + type + 16-byte tag = 19 */
    assert_true(tls_after_alert_fits(0x0304, 0x1302, 23, 19));
    assert_false(tls_after_alert_fits(0x0304, 0x1302, 23, 23)); /* QUIT: 6 bytes */
    assert_false(tls_after_alert_fits(0x0304, 0x1302, 21, 19)); /* no such record in 1.3 */
    /* the QUIT rule takes alerts after its first record, not as it */
    assert_true(tls_after_quit_fits(0x0304, 0x1302, 1, 23, 19));
    assert_false(tls_after_quit_fits(0x0304, 0x1302, 0, 23, 19));
}

static void
test_closed_shapes(void **state)
{
    (void)state;
    static const uint8_t t21[] = {21}, t23[] = {23}, t23x2[] = {23, 23};
    static const uint16_t l26[] = {26}, l19[] = {19}, l30[] = {30}, l19x2[] = {19, 19};
    /* openssl s_client -tls1_2 </dev/null: close_notify (26), its FIN */
    closed_facts(0x0303, 0xC030, "client_fin", 1, t21, l26);
    assert_true(diagnose_client_closed(&cr));
    assert_false(diagnose_client_quit(&cr));
    /* the same over TLS 1.3: one 19-byte record */
    closed_facts(0x0304, 0x1302, "client_fin", 1, t23, l19);
    assert_true(diagnose_client_closed(&cr));
    closed_facts(0x0304, 0x1302, "server_fin", 2, t23x2, l19x2);
    assert_true(diagnose_client_closed(&cr));
    /* nothing at all, the client's own FIN or RST */
    closed_facts(0x0303, 0xC030, "client_rst", 0, NULL, NULL);
    assert_true(diagnose_client_closed(&cr));
    /* nothing, but the server closed first: not the client's choice */
    closed_facts(0x0303, 0xC030, "server_fin", 0, NULL, NULL);
    assert_false(diagnose_client_closed(&cr));
    /* a QUIT (30 bytes under AES-256-GCM): the QUIT rule's, not this */
    closed_facts(0x0303, 0xC030, "server_fin", 1, t23, l30);
    assert_false(diagnose_client_closed(&cr));
    assert_true(diagnose_client_quit(&cr));
    /* records not all read (more, a gap), the end not seen, a handshake
     * that did not complete (a fatal alert before the Finished) */
    closed_facts(0x0303, 0xC030, "client_fin", 1, t21, l26);
    cf.tls.after[0].more = true;
    assert_false(diagnose_client_closed(&cr));
    closed_facts(0x0303, 0xC030, "client_fin", 1, t21, l26);
    cf.tls.after[0].lost = true;
    assert_false(diagnose_client_closed(&cr));
    closed_facts(0x0303, 0xC030, NULL, 1, t21, l26);
    assert_false(diagnose_client_closed(&cr));
    closed_facts(0x0303, 0xC030, "client_fin", 1, t21, l26);
    cf.tls.handshake = TLS_HS_FAILED;
    assert_false(diagnose_client_closed(&cr));
    closed_facts(0x0303, 0xC030, "client_fin", 0, NULL, NULL);
    cf.tls.after_read = false;
    assert_false(diagnose_client_closed(&cr));
}

static void
test_quit_explained(void **state)
{
    (void)state;
    struct diagnosis d;
    memset(&d, 0, sizeof(d));
    /* chain not visible: nothing explains a refusal */
    assert_false(diagnose_quit_explained(&d));
    /* visible, verifies, name fine: swaks --quit-after TLS's probe */
    d.verified = true;
    d.certificate_ok = true;
    assert_false(diagnose_quit_explained(&d));
    /* each problem a verifying client refuses */
    d.verify_error = 20;
    d.certificate_ok = false;
    assert_true(diagnose_quit_explained(&d));
    memset(&d, 0, sizeof(d));
    d.verified = true;
    d.certificate_ok = true;
    d.name_mismatch = true;
    assert_true(diagnose_quit_explained(&d));
    d.name_mismatch = false;
    d.dane.state = DANE_MISMATCH;
    assert_true(diagnose_quit_explained(&d));
    d.dane.state = DANE_NONE;
    d.weak_key = true;
    assert_true(diagnose_quit_explained(&d));
    d.weak_key = false;
    d.certificate_ok = false; /* any other verdict short of ok */
    assert_true(diagnose_quit_explained(&d));
}

static void
test_closed_text(void **state)
{
    (void)state;
    static const uint8_t t21[] = {21}, t23[] = {23};
    static const uint16_t l26[] = {26}, l30[] = {30};
    struct diagnosis d;
    char out[300];
    memset(&d, 0, sizeof(d));
    d.verified = true;
    d.certificate_ok = true;
    closed_facts(0x0303, 0xC030, "client_fin", 1, t21, l26);
    diagnose_closed_text(&cr, &d, out, sizeof(out));
    assert_string_equal(out, "the client sent no command after the handshake: close_notify; it "
                             "closed with a FIN; the chain verifies here");
    closed_facts(0x0303, 0xC030, "client_rst", 0, NULL, NULL);
    d.verified = false;
    diagnose_closed_text(&cr, &d, out, sizeof(out));
    assert_string_equal(out, "the client sent nothing after the handshake and closed with a RST; "
                             "the chain was not visible (TLS 1.3 or resumed)");
    closed_facts(0x0303, 0xC030, "server_fin", 1, t23, l30);
    diagnose_closed_text(&cr, &d, out, sizeof(out));
    assert_string_equal(out, "the client's only command after the handshake was 6 bytes (a QUIT's "
                             "size; no EHLO); it closed with the server's FIN after it; the chain "
                             "was not visible (TLS 1.3 or resumed)");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_fits),
        cmocka_unit_test(test_closed_shapes),
        cmocka_unit_test(test_quit_explained),
        cmocka_unit_test(test_closed_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
