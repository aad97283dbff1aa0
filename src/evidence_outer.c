/* \summary: -w, a datagram reassembled from fragments inside a tunnel: the
 * headers around it (the last fragment's outer IP, UDP, GRE, PPPoE headers)
 * made to carry it, as if the tunnel had sent it whole.
 *
 * The frame written is the last fragment's link header, tunnel headers
 * included, followed by the datagram (evidence.c evidence_datagram). The
 * lengths in those headers still counted the fragment: the outer datagram
 * would end inside the inner one, a frame Wireshark and tcpdump call
 * malformed. Each length is set to reach the end of the frame:
 *   IPv4 Total Length (RFC 791 §3.1), its Header Checksum recomputed;
 *   IPv6 Payload Length (RFC 8200 §3);
 *   UDP Length (RFC 768), its Checksum recomputed over the pseudo-header and
 *     the datagram when it is all captured, else 0 over IPv4 ("no checksum");
 *   PPPoE LENGTH (RFC 2516 §4);
 *   GRE has no length: its Checksum (RFC 2784 §2.5, when C is set) recomputed.
 * Checksums go innermost first, as each covers the headers within it. */
#include <stdint.h>

#include "cursor.h"
#include "decode.h"
#include "evidence_int.h"
#include "inetsum.h"

#define OUTER_LEN_MAX 0xffff /* 16-bit length fields */

static void
outer_put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The UDP checksum at b + off (the header), len bytes to the frame's end;
 * ip: the enclosing IP header's offset and kind. */
static void
outer_udp_csum(uint8_t *b, uint32_t off, uint32_t len, uint32_t ip, uint8_t ip_kind, bool whole)
{
    bool v4 = ip_kind == DECODE_OUTER_IP4;
    if (v4 && b[off + 6] == 0 && b[off + 7] == 0)
        return; /* sent without a checksum: stays so */
    if (!whole) {
        if (v4)
            outer_put16(b + off + 6, 0); /* not computable: none (RFC 768) */
        return;
    }
    outer_put16(b + off + 6, 0);
    /* pseudo-header: RFC 768 (IPv4), RFC 8200 §8.1 (IPv6) */
    uint32_t sum = v4 ? inetsum_add(0, b + ip + 12, 8) : inetsum_add(0, b + ip + 8, 32);
    sum = inetsum_add(sum, (const uint8_t[]){0, 17, (uint8_t)(len >> 8), (uint8_t)len}, 4);
    sum = inetsum_add(sum, b + off, len);
    uint16_t c = (uint16_t)~sum;
    outer_put16(b + off + 6, c == 0 ? 0xffff : c);
}

bool
evidence_outer_fix(uint8_t *b, uint32_t link, uint32_t end, bool whole, const struct defrag_out *dg)
{
    if (dg->n_outer > DECODE_OUTER_MAX)
        return false; /* headers not noted: the frame cannot be made right */
    unsigned n = 0;
    while (n < dg->n_outer && dg->outer_off[n] < link)
        n++;
    /* lengths, outermost first */
    for (unsigned i = 0; i < n; i++) {
        uint32_t off = dg->outer_off[i];
        uint32_t len = end - off;
        switch (dg->outer_kind[i]) {
        case DECODE_OUTER_IP4:
            if (len > OUTER_LEN_MAX)
                return false;
            outer_put16(b + off + 2, len);
            break;
        case DECODE_OUTER_IP6:
            if (len - 40 > OUTER_LEN_MAX)
                return false;
            outer_put16(b + off + 4, len - 40);
            break;
        case DECODE_OUTER_UDP:
            if (len > OUTER_LEN_MAX)
                return false;
            outer_put16(b + off + 4, len);
            break;
        case DECODE_OUTER_PPPOE:
            if (len - 6 > OUTER_LEN_MAX)
                return false;
            outer_put16(b + off + 4, len - 6);
            break;
        default:
            break;
        }
    }
    /* checksums, innermost first */
    for (unsigned i = n; i-- > 0;) {
        uint32_t off = dg->outer_off[i];
        uint32_t len = end - off;
        switch (dg->outer_kind[i]) {
        case DECODE_OUTER_IP4: {
            uint32_t ihl = (uint32_t)(b[off] & 0x0f) * 4;
            outer_put16(b + off + 10, 0);
            outer_put16(b + off + 10, (uint16_t)~inetsum_add(0, b + off, ihl));
            break;
        }
        case DECODE_OUTER_UDP:
            /* the IP header just before it carries it */
            if (i > 0)
                outer_udp_csum(b, off, len, dg->outer_off[i - 1], dg->outer_kind[i - 1], whole);
            break;
        case DECODE_OUTER_GRE:
            if ((b[off] & 0x80) && whole) { /* C: Checksum and Reserved1 follow */
                outer_put16(b + off + 4, 0);
                outer_put16(b + off + 4, (uint16_t)~inetsum_add(0, b + off, len));
            }
            break;
        default:
            break;
        }
    }
    return true;
}
