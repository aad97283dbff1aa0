/* \summary: fuzz target for TCP reassembly: the input is a list of segment
 * operations on one direction; delivered bytes must equal the bytes of the
 * stream that was sent (every byte offset has one value: b = f(offset)), so
 * first-wins never delivers garbage, and gaps account for the rest.
 *
 * Op (8 bytes): kind(1) rel_seq(be32) len(be16) caplen_cut(1)
 *   kind % 4: 0 data, 1 ack, 2 fin, 3 data with different bytes (evasion)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    uint64_t offset; /* stream offset of the next delivered byte */
    int check;       /* no evasion op yet: every delivered byte must be fz_byte(offset) */
};

static uint8_t
fz_byte(uint64_t off)
{
    return (uint8_t)(off * 7 + 3);
}

static void
fz_data(void *u, const uint8_t *buf, uint32_t len)
{
    struct fz *z = u;
    for (uint32_t k = 0; z->check && k < len; k++)
        if (buf[k] != fz_byte(z->offset + k))
            abort(); /* garbage delivered */
    z->offset += len;
}

static void
fz_gap(void *u, uint64_t missing)
{
    struct fz *z = u;
    z->offset += missing;
}

static void
fz_event(void *u, const char *name, const char *detail)
{
    (void)u;
    (void)name;
    (void)detail;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t seg[65536];
    mem_init(1u << 20);
    struct fz z = {0, 1};
    struct reasm_sink s = {fz_data, fz_gap, fz_event, &z};
    struct reasm_limits lim = {size > 0 ? (uint32_t)(data[0] % 16) * 512 + 1 : 4096,
                               size > 1 ? (uint32_t)data[1] * 256 : 0, REASM_HOLE_PKTS};
    struct reasm_dir rd;
    reasm_init(&rd);
    uint32_t isn = size > 2 ? (uint32_t)0xFFFFFF00u + data[2] : 0;
    reasm_syn(&rd, isn, &s);
    /* the peer: bytes this direction's segments acknowledge (reasm_answer),
     * never seen, given up after REASM_HOLE_PKTS of its packets */
    struct fz pz = {0, 0};
    struct reasm_sink ps = {fz_data, fz_gap, fz_event, &pz};
    struct reasm_dir pd;
    reasm_init(&pd);
    reasm_pickup(&pd, 7);
    reasm_packet(&pd, &lim, &ps);
    for (size_t i = 3; i + 8 <= size && i < 3 + 8 * 4096; i += 8) {
        const uint8_t *o = data + i;
        uint32_t rel = (uint32_t)o[1] << 24 | (uint32_t)o[2] << 16 | (uint32_t)o[3] << 8 | o[4];
        rel &= 0xFFFFF; /* within 1 MiB so segments meet */
        uint32_t len = (uint32_t)o[5] << 8 | o[6];
        uint32_t cut = o[7] < len ? o[7] : 0;
        uint32_t seq = isn + 1 + rel;
        if (o[0] % 4 == 3)
            z.check = 0;
        switch (o[0] % 4) {
        case 0:
        case 3:
            for (uint32_t k = 0; k < len; k++)
                seg[k] = o[0] % 4 == 3 ? (uint8_t)~fz_byte(rel + k) : fz_byte(rel + k);
            /* the tail beyond len - cut was not captured */
            reasm_data(&rd, &lim, &s, seq, seg, len - cut, len);
            break;
        case 1:
            if (o[0] & 16) { /* the next segments answer peer bytes not seen */
                reasm_ack(&pd, &lim, &ps, pd.next_seq + 1 + o[5]);
                reasm_answer(&rd, &pd, pd.next_seq + 1 + o[5]);
            } else if (o[0] & 4) {
                reasm_window(&rd, rel); /* the receiver's window bounds later segments */
            } else {
                reasm_ack(&rd, &lim, &s, seq);
            }
            break;
        case 2:
            (void)reasm_fin(&rd, seq - (o[5] & 7), seq, &s); /* its segment began a little before */
            break;
        }
        if (o[0] & 8) /* a packet of this direction ends */
            reasm_packet(&rd, &lim, &s);
        if (o[0] & 32) { /* one of the peer's: what waited for it may go */
            reasm_packet(&pd, &lim, &ps);
            reasm_unhold(&rd, &lim, &s, &pd);
        }
        if (reasm_mem(&rd) > (uint64_t)lim.ooo_max + 64 * 1024 + REASM_HIST_BYTES)
            abort(); /* the ooo cap must hold (segment headers are small) */
        if (!reasm_consistent(&rd, &lim))
            abort(); /* the list's order, bookkeeping and caps (reasm.c) */
    }
    reasm_giveup(&rd, &lim, &s);
    reasm_giveup(&pd, &lim, &ps);
    reasm_unhold(&rd, &lim, &s, &pd);
    reasm_flush(&rd, &lim, &s);
    reasm_flush(&pd, &lim, &ps);
    reasm_free(&rd);
    reasm_free(&pd);
    if (mem_in_use() != 0)
        abort();
    (void)z;
    return 0;
}
