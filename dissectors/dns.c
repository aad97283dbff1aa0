/* \summary: DNS response parser (RFC 1035 §4.1; name compression §4.1.4;
 * AAAA RFC 3596 §2.2), see dns.h.
 *
 *   header (§4.1.1, 12 bytes): ID | QR Opcode AA TC RD RA Z RCODE |
 *                              QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT
 *   question (§4.1.2):         QNAME QTYPE(2) QCLASS(2)
 *   resource record (§4.1.3):  NAME TYPE(2) CLASS(2) TTL(4) RDLENGTH(2) RDATA
 *   name (§3.1, §4.1.4):       { len(1, 1..63) label } 0      or ending in
 *                              11 offset(14 bits): a pointer into the message
 *   A RDATA: 4 bytes; AAAA RDATA: 16 bytes; MX RDATA: PREFERENCE(2) EXCHANGE
 *   CNAME RDATA (§3.3.1): CNAME (a name, compressed or not)
 *   TLSA RDATA (RFC 6698 §2.1): usage(1) selector(1) matching type(1) data(rest)
 *
 * Framing decides truncation (a field past the end of the message: -1);
 * content decides malformation (inside a complete RDATA, or a name that
 * loops, is too long or uses a reserved label type: -2). Every byte is read
 * through src/cursor.h; compression pointers are followed at most
 * DNS_PTR_MAX times per name and a name never exceeds 255 octets, so every
 * loop ends.
 */
#include "dns.h"

#include <stdbool.h>
#include <string.h>

#include "cursor.h"

#define DNS_HEADER_LEN 12
#define DNS_CLASS_IN   1
#define DNS_QR         0x8000
#define DNS_AD         0x0020 /* RFC 4035 §3.2.3: authentic data */

/* Appends byte c of a label to out (at *o), lower-cased and escaped. */
static void
dns_put(char *out, size_t *o, uint8_t c)
{
    static const char digits[] = "0123456789";
    if (c >= 'A' && c <= 'Z')
        c = (uint8_t)(c - 'A' + 'a');
    if (c == '.' || c == '\\') {
        out[(*o)++] = '\\';
        out[(*o)++] = (char)c;
    } else if (c < 0x21 || c > 0x7e) {
        out[(*o)++] = '\\';
        out[(*o)++] = digits[c / 100];
        out[(*o)++] = digits[c / 10 % 10];
        out[(*o)++] = digits[c % 10];
    } else {
        out[(*o)++] = (char)c;
    }
}

/* Reads a name at *r into out (DNS_NAME_TEXT_MAX bytes). r advances past the
 * name's inline part (up to and including the first pointer); labels after a
 * pointer are read from the whole message. Returns RD_OK, RD_TRUNCATED or
 * RD_INVALID. */
static enum rd_status
dns_name(const uint8_t *msg, size_t len, struct rd *r, char *out)
{
    struct rd jump;
    struct rd *c = r;
    unsigned ptrs = 0;
    size_t wire = 1; /* the root label */
    size_t o = 0;
    for (;;) {
        uint8_t l = rd_u8(c, "dns.label_len");
        if (!rd_ok(c))
            return c->st;
        if ((l & 0xC0) == 0xC0) {
            uint8_t lo = rd_u8(c, "dns.pointer");
            if (!rd_ok(c))
                return c->st;
            if (++ptrs > DNS_PTR_MAX)
                return RD_INVALID; /* a loop, or absurd chaining */
            size_t off = (size_t)(l & 0x3F) << 8 | lo;
            if (off >= len)
                return RD_TRUNCATED; /* points past what we have */
            jump = rd_init(msg, len);
            rd_skip(&jump, off, "dns.pointer_target");
            c = &jump;
            continue;
        }
        if (l & 0xC0)
            return RD_INVALID; /* 0x40 extended / 0x80 reserved (RFC 6891 §5) */
        if (l == 0)
            break;
        wire += (size_t)l + 1;
        if (wire > DNS_NAME_MAX)
            return RD_INVALID;
        const uint8_t *lab = rd_bytes(c, l, "dns.label");
        if (lab == NULL)
            return c->st;
        struct rd lr = rd_init(lab, l);
        if (o > 0)
            out[o++] = '.';
        while (rd_left(&lr) > 0)
            dns_put(out, &o, rd_u8(&lr, "dns.label_byte"));
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    return RD_OK;
}

static int
dns_status(enum rd_status st)
{
    return st == RD_TRUNCATED ? -1 : st == RD_INVALID ? -2 : 0;
}

/* Reads one resource record; reports it when it is an IN A/AAAA/CNAME/MX/TLSA
 * and `report` is set (ad: the header's AD bit). Returns 0, -1 or -2
 * (dns_parse). */
static int
dns_rr(const uint8_t *msg, size_t len, struct rd *r, uint8_t section, bool report, bool ad,
       void (*on_answer)(void *user, const struct dns_answer *a), void *user)
{
    struct dns_answer a;
    memset(&a, 0, sizeof(a));
    enum rd_status st = dns_name(msg, len, r, a.owner);
    if (st != RD_OK)
        return dns_status(st);
    uint16_t type = rd_be16(r, "dns.rr_type");
    uint16_t cls = rd_be16(r, "dns.rr_class");
    uint32_t ttl = rd_be32(r, "dns.rr_ttl");
    uint16_t rdlen = rd_be16(r, "dns.rr_rdlength");
    if (!rd_need(r, rdlen, "dns.rdata"))
        return dns_status(r->st);
    struct rd rd = rd_sub(r, rdlen, "dns.rdata");
    if (!report || cls != DNS_CLASS_IN)
        return 0;
    a.type = type;
    a.section = section;
    a.ttl = ttl;
    a.ad = ad;
    switch (type) {
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA:
        a.addr_len = type == DNS_TYPE_A ? 4 : 16;
        if (rdlen != a.addr_len)
            return -2;
        rd_copy(&rd, a.addr, a.addr_len, "dns.address");
        break;
    case DNS_TYPE_MX:
        a.mx_pref = rd_be16(&rd, "dns.mx_preference");
        st = dns_name(msg, len, &rd, a.exchange);
        if (st != RD_OK || !rd_ok(&rd))
            return -2; /* inside a complete RDATA: malformed, not truncated */
        if (rd_left(&rd) != 0)
            return -2; /* trailing bytes after the exchange */
        break;
    case DNS_TYPE_CNAME: /* RFC 1035 §3.3.1: one name, nothing after it */
        st = dns_name(msg, len, &rd, a.exchange);
        if (st != RD_OK || !rd_ok(&rd) || rd_left(&rd) != 0)
            return -2;
        break;
    case DNS_TYPE_TLSA: /* RFC 6698 §2.1: three octets, then the data */
        a.tlsa_usage = rd_u8(&rd, "dns.tlsa_usage");
        a.tlsa_selector = rd_u8(&rd, "dns.tlsa_selector");
        a.tlsa_mtype = rd_u8(&rd, "dns.tlsa_matching_type");
        if (!rd_ok(&rd))
            return -2; /* inside a complete RDATA: malformed, not truncated */
        a.tlsa_len = (uint16_t)rd_left(&rd);
        a.tlsa_data = rd_bytes(&rd, a.tlsa_len, "dns.tlsa_data");
        break;
    default:
        return 0;
    }
    on_answer(user, &a);
    return 0;
}

int
dns_parse(const uint8_t *msg, size_t len, void (*on_answer)(void *user, const struct dns_answer *a),
          void *user)
{
    struct rd r = rd_init(msg, len);
    rd_skip(&r, 2, "dns.id");
    uint16_t flags = rd_be16(&r, "dns.flags");
    uint16_t qd = rd_be16(&r, "dns.qdcount");
    uint16_t an = rd_be16(&r, "dns.ancount");
    uint16_t ns = rd_be16(&r, "dns.nscount");
    uint16_t ar = rd_be16(&r, "dns.arcount");
    if (!rd_ok(&r))
        return -1;
    if (!(flags & DNS_QR))
        return 0; /* a query: nothing to learn */
    char qname[DNS_NAME_TEXT_MAX];
    for (unsigned i = 0; i < qd; i++) {
        enum rd_status st = dns_name(msg, len, &r, qname);
        if (st != RD_OK)
            return dns_status(st);
        rd_skip(&r, 4, "dns.question_type_class");
        if (!rd_ok(&r))
            return -1;
    }
    static const uint8_t secs[3] = {DNS_SEC_ANSWER, 2, DNS_SEC_ADDITIONAL};
    const uint16_t counts[3] = {an, ns, ar};
    for (unsigned s = 0; s < 3; s++) {
        for (unsigned i = 0; i < counts[s]; i++) {
            int rc =
                dns_rr(msg, len, &r, secs[s], secs[s] != 2, (flags & DNS_AD) != 0, on_answer, user);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}
