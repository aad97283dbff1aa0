/* \summary: the ClientHello in the SSL 2.0 form (RFC 5246 Appendix E.2,
 * RFC 6101 Appendix E.1), which clients of the SSL 3.0 and early TLS era
 * (Java 6, Windows XP's SChannel and the like) sent to reach servers of
 * either version. The server answers it with an ordinary TLS ServerHello;
 * TLS 1.3 is never negotiated with it (RFC 8446 Appendix D.5). */
#include "tls_int.h"

/* RFC 5246 E.2: a 2-byte record header whose first bit is set, the
 * message type CLIENT-HELLO (1), then the body. */
#define TLS_SSLV2_CLIENT_HELLO 1
#define TLS_SSLV2_MIN_BODY     9 /* type, version and three lengths */

int
tls_sslv2_len(const struct rd *r)
{
    int b0 = rd_peek(r, 0);
    if (b0 < 0 || !(b0 & 0x80))
        return 0;
    if (rd_left(r) < 3)
        return -3;
    uint32_t len = ((uint32_t)(b0 & 0x7f) << 8) | (uint32_t)rd_peek(r, 1);
    if (rd_peek(r, 2) != TLS_SSLV2_CLIENT_HELLO || len < TLS_SSLV2_MIN_BODY)
        return 0;
    return (int)(2 + len);
}

void
tls_sslv2_hello(struct flow_ctx *ctx, struct tls_state *st, const uint8_t *body, uint32_t len)
{
    struct tls_facts *t = &fctx_facts(ctx)->tls;
    struct rd r = rd_init(body, len);
    t->seen = true;
    st->ch_seen = true;
    tls_hs_note(ctx, st, DIR_TO_SERVER, TLS_HS_CLIENT_HELLO, "CH(SSLv2)");
    fctx_event(ctx, "tls.sslv2_client_hello",
               "ClientHello in the SSL 2.0 form (RFC 5246 Appendix E.2): an old client");
    rd_u8(&r, "v2.msg_type");
    uint16_t v = rd_be16(&r, "v2.version");
    t->client_version = v == 0x0002 ? 0x0200 : v; /* SSL 2.0 itself */
    t->sslv2_hello = true;
    uint16_t specs = rd_be16(&r, "v2.cipher_spec_length");
    uint16_t sid = rd_be16(&r, "v2.session_id_length");
    uint16_t challenge = rd_be16(&r, "v2.challenge_length");
    /* three bytes per cipher spec; the session id 0 or 16 bytes; the
     * challenge 16 to 32 (its random: only a TLS 1.3 key log would need
     * it, and this form never leads to TLS 1.3) */
    if (specs % 3 != 0 || (sid != 0 && sid != 16) || challenge < 16 || challenge > 32)
        rd_invalid(&r, "v2.lengths");
    rd_skip(&r, specs, "v2.cipher_specs");
    rd_skip(&r, sid, "v2.session_id");
    rd_skip(&r, challenge, "v2.challenge");
    if (!rd_ok(&r) || rd_left(&r) > 0)
        fctx_event(ctx, "tls.malformed_message", "SSL 2.0 ClientHello with inconsistent lengths");
}
