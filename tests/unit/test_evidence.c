/* \summary: unit tests for the line checks of -w (src/evidence.c): what of a
 * plaintext SMTP segment may be written; and its TLS record framing
 * (evidence_tls_walk): which client bytes lie inside well-framed records. A server segment of whole
 * reply lines, none a 334 (AUTH challenge); a client segment of whole EHLO, HELO, LHLO, STARTTLS,
 * X-ANONYMOUSTLS, RSET, NOOP or QUIT lines, or a STARTTLS masked to XXXXXXXX. Anything else, a line
 * cut by the segment's end included, is cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evidence.h"

static bool
srv(const char *s)
{
    return evidence_server_lines_ok((const uint8_t *)s, (uint32_t)strlen(s));
}

static bool
cli(const char *s)
{
    return evidence_client_lines_ok((const uint8_t *)s, (uint32_t)strlen(s));
}

static void
test_server_replies(void **state)
{
    (void)state;
    assert_true(srv("220 mx.example.test ESMTP\r\n"));
    assert_true(srv("250-mx.example.test\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n"));
    assert_true(srv("220 2.0.0 Ready to start TLS\r\n"));
    assert_true(srv("454 4.7.0 TLS not available\n"));
    assert_true(srv("250\r\n"));
}

static void
test_server_cut(void **state)
{
    (void)state;
    assert_false(srv(""));
    assert_false(srv("334 VXNlcm5hbWU6\r\n"));              /* an AUTH challenge */
    assert_false(srv("250 OK\r\n334 UGFzc3dvcmQ6\r\n"));    /* ... after another reply */
    assert_false(srv("250-mx.example.test\r\n250-SIZE 1")); /* a line cut by the segment */
    assert_false(srv("24000\r\n"));                         /* ... and its rest */
    assert_false(srv("Subject: hello\r\n"));
    assert_false(srv("2500 x\r\n"));
    assert_false(srv("150 x\r\n")); /* SMTP replies start with 2 to 5 (RFC 5321 §4.2.1) */
}

static void
test_client_commands(void **state)
{
    (void)state;
    assert_true(cli("EHLO client.example.net\r\n"));
    assert_true(cli("ehlo client\r\n"));
    assert_true(cli("STARTTLS\r\n"));
    assert_true(cli("X-ANONYMOUSTLS\r\n"));
    assert_true(cli("RSET\r\nNOOP\r\nQUIT\r\n"));
    assert_true(cli("HELO x\n"));
    assert_true(cli("XXXXXXXX\r\n")); /* STARTTLS masked by a middlebox (smtp.c) */
}

static void
test_client_cut(void **state)
{
    (void)state;
    assert_false(cli(""));
    assert_false(cli("AUTH PLAIN AGFsaWNlAHBhc3M=\r\n"));
    assert_false(cli("EHLO x\r\nAUTH LOGIN\r\n"));
    assert_false(cli("MAIL FROM:<a@example.test>\r\n"));
    assert_false(cli("RCPT TO:<b@example.test>\r\n"));
    assert_false(cli("DATA\r\n"));
    assert_false(cli("BDAT 100 LAST\r\n"));
    assert_false(cli("EHLO x\r\nAU")); /* a line cut by the segment */
    assert_false(cli("EHLOX\r\n"));
    assert_false(cli("\r\n"));
    assert_false(cli("STARTTLSX\r\n"));
    assert_false(cli("XXXXXXXX x\r\n")); /* masked STARTTLS has nothing after it */
    assert_false(cli("XXXXXXX\r\n"));
    assert_false(cli("dXNlcm5hbWU=\r\n")); /* an AUTH LOGIN response line */
    /* a bare CR ends a line for some servers (SMTP smuggling): the rest
     * would be a command; and no control or 8-bit byte in a command */
    assert_false(cli("EHLO x\rAUTH PLAIN AGFsaWNlAHBhc3M=\r\n"));
    assert_false(cli("NOOP \x16\x03\x01\r\n"));
    assert_false(cli("EHLO caf\xc3\xa9\r\n"));
    assert_true(cli("EHLO x\t\r\n"));
}

/* Walks the segments s[0..n) one after another from a record's start (the
 * last one with `missing` bytes not captured); true when all are records. */
static bool
walk(const char *const *s, const uint32_t *len, unsigned n, uint32_t missing, bool appdata)
{
    uint16_t st = EVIDENCE_TLS_START;
    for (unsigned i = 0; i < n; i++)
        if (!evidence_tls_walk(&st, (const uint8_t *)s[i], len[i], i + 1 == n ? missing : 0,
                               appdata))
            return false;
    return true;
}

#define HS  "\x16\x03\x01\x00\x06\x01\x00\x00\x02\x03\x03" /* a 6-byte handshake record */
#define CCS "\x14\x03\x03\x00\x01\x01"
#define APP "\x17\x03\x03\x00\x02\xaa\xbb"

static void
test_tls_framing(void **state)
{
    (void)state;
    const char *one[] = {HS CCS};
    assert_true(walk(one, (uint32_t[]){17}, 1, 0, false));
    /* a record, and a header, cut by segments anywhere */
    const char *split[] = {HS "\x14\x03", "\x03\x00", "\x01\x01" HS};
    assert_true(walk(split, (uint32_t[]){13, 2, 13}, 3, 0, false));
    const char *body[] = {"\x16\x03\x03\x00\x06\x01\x00", "\x00\x02\x03\x03" CCS};
    assert_true(walk(body, (uint32_t[]){7, 10}, 2, 0, false));
    /* after the ClientHello, a command in clear: in its segment or the next */
    const char *clear[] = {HS "AUTH PLAIN AGFsaWNlAHBhc3M=\r\n"};
    assert_false(walk(clear, (uint32_t[]){11 + 29}, 1, 0, true));
    const char *next[] = {HS, "AUTH PLAIN AGFsaWNlAHBhc3M=\r\n"};
    assert_false(walk(next, (uint32_t[]){11, 29}, 2, 0, true));
    const char *ccs[] = {HS, CCS "AUTH PLAIN x\r\n"};
    assert_false(walk(ccs, (uint32_t[]){11, 6 + 14}, 2, 0, true));
    /* application_data: a TLS 1.3 flight, not a TLS 1.2 client's data */
    const char *app[] = {HS, APP};
    assert_true(walk(app, (uint32_t[]){11, 7}, 2, 0, true));
    assert_false(walk(app, (uint32_t[]){11, 7}, 2, 0, false));
    /* a header no record has: type 24 (heartbeat), version 2.x or 3.5, a
     * length past 2^14 + 2048 (RFC 5246 §6.2.3) */
    const char *bad[] = {"\x18\x03\x03\x00\x01\x01", "\x16\x02\x00\x00\x01\x01",
                         "\x16\x03\x05\x00\x01\x01", "\x17\x03\x03\x48\x01"};
    for (unsigned i = 0; i < 4; i++)
        assert_false(walk(&bad[i], (uint32_t[]){i == 3 ? 5 : 6}, 1, 0, true));
    const char *max[] = {"\x17\x03\x03\x48\x00"};
    assert_true(walk(max, (uint32_t[]){5}, 1, 0, true));
    /* bytes a snapshot length cut: inside the record's body only */
    const char *snap[] = {"\x16\x03\x03\x00\x10\x01"};
    assert_true(walk(snap, (uint32_t[]){6}, 1, 15, false));
    assert_false(walk(snap, (uint32_t[]){6}, 1, 16, false));
    const char *hdr[] = {"\x16\x03"};
    assert_false(walk(hdr, (uint32_t[]){2}, 1, 1, false));
}

/* After a hole: a record boundary only where a header (types 20-22) is
 * followed by another, or by the segment's end exactly; a record that
 * opens the segment and runs past it is an open candidate. */
static void
test_tls_resync(void **state)
{
    (void)state;
    uint32_t at = 99;
    bool open = true;
    /* the rest of a record (no header in it), then ServerKeyExchange (4
     * bytes of body) and ServerHelloDone (0): found at the first */
    static const uint8_t mid[] = {0x8a, 0x01, 0x17, 0x03, 0x03, 0x00, 0x10, 0x42, 0x16,
                                  0x03, 0x03, 0x00, 0x04, 0x0c, 0x00, 0x00, 0x00, 0x16,
                                  0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
    assert_true(evidence_tls_resync(mid, sizeof(mid), 1 << 16, &at, &open));
    assert_int_equal(at, 8);
    assert_false(open);
    /* the same header alone, followed by bytes that are no header: none */
    static const uint8_t lone[] = {0x16, 0x03, 0x03, 0x00, 0x01, 0x0c,
                                   0x41, 0x41, 0x41, 0x41, 0x41};
    assert_false(evidence_tls_resync(lone + 2, sizeof(lone) - 2, 1 << 16, &at, &open));
    assert_false(evidence_tls_resync(lone, sizeof(lone), 1 << 16, &at, &open));
    /* an application_data header is never a boundary, nor one after a
     * handshake record (the TLS 1.3 flight's, or data after the handshake) */
    static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x02, 0x00, 0x00};
    assert_false(evidence_tls_resync(app, sizeof(app), 1 << 16, &at, &open));
    static const uint8_t hs_app[] = {0x16, 0x03, 0x03, 0x00, 0x01, 0x00,
                                     0x17, 0x03, 0x03, 0x00, 0x01, 0x00};
    assert_false(evidence_tls_resync(hs_app, sizeof(hs_app), 1 << 16, &at, &open));
    /* ending exactly at the segment's end */
    assert_true(evidence_tls_resync(hs_app, 6, 1 << 16, &at, &open));
    assert_int_equal(at, 0);
    assert_false(open);
    /* a Certificate record that opens the segment and runs past it: open */
    static const uint8_t crt[] = {0x16, 0x03, 0x03, 0x07, 0x0e, 0x0b, 0x00, 0x07, 0x0a};
    assert_true(evidence_tls_resync(crt, sizeof(crt), 1 << 16, &at, &open));
    assert_int_equal(at, 0);
    assert_true(open);
    /* the rest of a ServerHello the hole cut (3 bytes), then a Certificate
     * record that starts there and runs past the segment: open at 3, when
     * its bytes are a Certificate a server sends (its list length its
     * own), and when plausibility may be tried (msg_max not 0) */
    static const uint8_t midcrt[] = {0x00, 0x17, 0x00, 0x16, 0x03, 0x03, 0x07, 0x0e, 0x0b, 0x00,
                                     0x07, 0x0a, 0x00, 0x07, 0x07, 0x00, 0x07, 0x04, 0x30, 0x82};
    at = 99;
    open = false;
    assert_true(evidence_tls_resync(midcrt, sizeof(midcrt), 1 << 16, &at, &open));
    assert_int_equal(at, 3);
    assert_true(open);
    assert_false(evidence_tls_resync(midcrt, sizeof(midcrt), 0, &at, &open));
    /* the same, its list length not its own, or a record of type 21: no */
    uint8_t bad[sizeof(midcrt)];
    memcpy(bad, midcrt, sizeof(bad));
    bad[11] = 0x0b;
    assert_false(evidence_tls_resync(bad, sizeof(bad), 1 << 16, &at, &open));
    memcpy(bad, midcrt, sizeof(bad));
    bad[3] = 0x15;
    assert_false(evidence_tls_resync(bad, sizeof(bad), 1 << 16, &at, &open));
    /* a length past 2^14 + 2048, a version 3.5: no header */
    static const uint8_t big[] = {0x16, 0x03, 0x03, 0x48, 0x01, 0x00};
    assert_false(evidence_tls_resync(big, sizeof(big), 1 << 16, &at, &open));
    static const uint8_t v35[] = {0x16, 0x03, 0x05, 0x00, 0x01, 0x00};
    assert_false(evidence_tls_resync(v35, sizeof(v35), 1 << 16, &at, &open));
    assert_false(evidence_tls_resync(v35, 4, 1 << 16, &at, &open));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_replies),  cmocka_unit_test(test_server_cut),
        cmocka_unit_test(test_client_commands), cmocka_unit_test(test_client_cut),
        cmocka_unit_test(test_tls_framing),     cmocka_unit_test(test_tls_resync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
