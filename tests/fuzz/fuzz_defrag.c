/* \summary: fuzz target for IP fragment reassembly: raw IPv4 and IPv6
 * fragments built from the input are decoded (decode_frame_frag), filed
 * (defrag_add) and every datagram completed is decoded again
 * (decode_datagram). The data byte at offset j of datagram `id` is always
 * fz_byte(id, j), so until an op sends other bytes (evasion) every datagram
 * handed back must hold exactly those bytes; the caps (defrag.max,
 * defrag.mem_max) must hold after every op, and all memory must be back at
 * the end.
 *
 * Byte 0: defrag.max = 1 + (b & 7), defrag.mem_max = (1 + (b >> 3)) * 4 KiB.
 * Then ops of 8 bytes:
 *   o[0]: bits 0-1 id (low), bit 2 IPv6, bit 3 more fragments (MF / M),
 *         bit 4 other bytes (evasion), bit 5 cut by the snaplen (o[7] bytes),
 *         bit 6 UDP instead of TCP, bit 7 ICMP (not reassembled)
 *   o[1..2]: offset in 8-byte units (13 bits); o[3..4]: data length (13 bits)
 *   o[5]: time step in 1/4 s; o[6]: id (high); o[7]: bytes cut
 * tests/tools/mkcorpus-defrag.py writes the seed corpus.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "defrag.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_DATA_MAX 8191u

static uint8_t
fz_byte(uint32_t id, uint32_t j)
{
    return (uint8_t)(j * 7 + id * 13 + 3);
}

/* A raw IP fragment into f; returns its length. */
static uint32_t
fz_frame(uint8_t *f, const uint8_t *o, uint32_t id, uint32_t off, uint32_t len)
{
    bool v6 = o[0] & 4, more = o[0] & 8, other = o[0] & 16;
    uint8_t proto = (o[0] & 128) ? 1 : (o[0] & 64) ? 17 : 6;
    uint32_t h;
    if (!v6) {
        uint32_t tot = 20 + len;
        uint16_t fo = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
        const uint8_t ip[20] = {0x45,
                                0,
                                (uint8_t)(tot >> 8),
                                (uint8_t)tot,
                                (uint8_t)(id >> 8),
                                (uint8_t)id,
                                (uint8_t)(fo >> 8),
                                (uint8_t)fo,
                                64,
                                proto,
                                0,
                                0,
                                192,
                                0,
                                2,
                                1,
                                198,
                                51,
                                100,
                                2};
        memcpy(f, ip, 20);
        h = 20;
    } else {
        uint32_t plen = 8 + len;
        memset(f, 0, 48);
        f[0] = 0x60;
        f[4] = (uint8_t)(plen >> 8);
        f[5] = (uint8_t)plen;
        f[6] = 44; /* Fragment */
        f[7] = 64;
        f[8] = 0x20;
        f[23] = 1;
        f[24] = 0x20;
        f[39] = 2;
        uint16_t om = (uint16_t)(off | (more ? 1u : 0u));
        f[40] = proto;
        f[42] = (uint8_t)(om >> 8);
        f[43] = (uint8_t)om;
        f[46] = (uint8_t)(id >> 8);
        f[47] = (uint8_t)id;
        h = 48;
    }
    for (uint32_t j = 0; j < len; j++)
        f[h + j] = other ? (uint8_t)~fz_byte(id, off + j) : fz_byte(id, off + j);
    return h + len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t frame[48 + FZ_DATA_MAX];
    if (size < 1)
        return 0;
    mem_init(0);
    struct defrag_caps caps = {1u + (data[0] & 7u), (1u + (data[0] >> 3)) * 4096u, 60, false, 1};
    struct defrag ds_;
    struct defrag *d = &ds_;
    defrag_init(d, &caps);
    struct decode_stats ds;
    memset(&ds, 0, sizeof(ds));
    bool check = true;
    int64_t ts = 1000000;
    for (size_t i = 1; i + 8 <= size && i < 1 + 8 * 4096; i += 8) {
        const uint8_t *o = data + i;
        uint32_t id = (uint32_t)o[6] << 8 | (o[0] & 3u);
        uint32_t off = ((uint32_t)o[1] << 8 | o[2]) & 0x1fff;
        uint32_t len = ((uint32_t)o[3] << 8 | o[4]) & FZ_DATA_MAX;
        off *= 8;
        if (o[0] & 16)
            check = false;
        ts += (int64_t)o[5] * 250000;
        uint32_t n = fz_frame(frame, o, id, off, len);
        uint32_t cut = (o[0] & 32) ? (o[7] < n ? o[7] : n) : 0;
        uint32_t caplen = n - cut;
        uint8_t *copy = malloc(caplen ? caplen : 1); /* exactly what was captured */
        if (copy == NULL)
            abort();
        memcpy(copy, frame, caplen);
        struct pkt p;
        struct decode_frag fr;
        struct defrag_out out;
        enum decode_result r = decode_frame_frag(DECODE_DLT_RAW, copy, caplen, n, ts, &p, &ds, &fr);
        if (r == DECODE_FRAGMENT && defrag_add(d, &p, &fr, &out)) {
            uint32_t hl = out.ip[0] >> 4 == 4 ? 20 : 40;
            if (out.caplen > out.wirelen || out.caplen < hl)
                abort();
            for (uint32_t j = 0; check && hl + j < out.caplen; j++)
                if (out.ip[hl + j] != fz_byte(id, j))
                    abort(); /* bytes no fragment carried */
            struct pkt q;
            if (decode_datagram(out.ip, out.caplen, out.wirelen, &p, &q, &ds) == DECODE_OK &&
                (q.payload_caplen > q.payload_wirelen ||
                 (q.payload_caplen > 0 &&
                  (q.payload < out.ip ||
                   (size_t)(q.payload - out.ip) + q.payload_caplen > out.caplen))))
                abort();
            defrag_release(&out);
        }
        free(copy);
        if (defrag_bytes_held(d) > caps.mem_max || defrag_in_progress(d) > caps.max)
            abort(); /* the caps hold */
    }
    defrag_finish(d);
    defrag_free(d);
    if (mem_in_use() != 0)
        abort();
    return 0;
}
