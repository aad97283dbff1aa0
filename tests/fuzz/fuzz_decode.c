/* \summary: fuzz target for decode_frame_frag() (src/decode.c).
 *
 * Input: byte 0 selects the link type, decode_fuzz_dlts[byte0 % N], and a
 * snaplen cut: wirelen = caplen + (byte0 / N) * 64 (so the fuzzer reaches
 * "payload cut by the snaplen" paths). Bytes 1.. are the captured frame,
 * copied into a buffer of exactly that size so ASan sees any over-read.
 * Checks the decoder's invariants: the payload lies inside the frame and
 * payload_caplen <= payload_wirelen; so do a fragment's header and data, and
 * a tunnel's inner IP header; at most DECODE_TUNNEL_MAX tunnel layers
 * (corpus tun-*: a frame of each capture in pcaps/tunnel/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int decode_fuzz_dlts[] = {
    DECODE_DLT_EN10MB, DECODE_DLT_LINUX_SLL, DECODE_DLT_SLL2, DECODE_DLT_RAW,  DECODE_DLT_RAW_12,
    DECODE_DLT_RAW_14, DECODE_DLT_IPV4,      DECODE_DLT_IPV6, DECODE_DLT_NULL, DECODE_DLT_LOOP,
};
#define DECODE_FUZZ_N (sizeof(decode_fuzz_dlts) / sizeof(decode_fuzz_dlts[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 262145)
        return 0;
    int dlt = decode_fuzz_dlts[data[0] % DECODE_FUZZ_N];
    uint32_t caplen = (uint32_t)(size - 1);
    uint32_t wirelen = caplen + (uint32_t)(data[0] / DECODE_FUZZ_N) * 64;
    uint8_t *frame = malloc(caplen > 0 ? caplen : 1);
    if (frame == NULL)
        return 0;
    if (caplen > 0)
        memcpy(frame, data + 1, caplen);
    struct pkt p;
    struct decode_stats st;
    memset(&st, 0, sizeof(st));
    struct decode_frag fr;
    enum decode_result r = decode_frame_frag(dlt, frame, caplen, wirelen, 0, &p, &st, &fr);
    if (r == DECODE_FRAGMENT) {
        /* the fragment's header and captured data lie inside the frame */
        if (fr.data_caplen > fr.data_wirelen || fr.hdr < frame ||
            (size_t)(fr.hdr - frame) + fr.hdr_len > caplen)
            abort();
        if (fr.data_caplen > 0 &&
            (fr.data < frame || (size_t)(fr.data - frame) + fr.data_caplen > caplen))
            abort();
    }
    if (r == DECODE_OK) {
        if (p.payload_caplen > p.payload_wirelen)
            abort();
        if (p.payload_caplen > 0 &&
            (p.payload < frame || (size_t)(p.payload - frame) + p.payload_caplen > caplen))
            abort();
        if (p.l3 != NULL && (size_t)(p.l3 - frame) + p.l3_caplen > caplen)
            abort();
        /* a tunnel's inner IP header too, and the layers taken off bounded */
        if (p.l3_in != NULL &&
            (p.l3_in < frame || (size_t)(p.l3_in - frame) + p.l3_in_caplen > caplen))
            abort();
    }
    if (p.tun_depth > DECODE_TUNNEL_MAX) {
        abort();
    }
    if (st.frames != 1)
        abort();
    (void)decode_result_name(r);
    free(frame);
    return 0;
}
