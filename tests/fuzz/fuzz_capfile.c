/* \summary: fuzz target for smtptap's capture file reader (src/capfile.c).
 *
 * Input: a whole capture file (pcap or pcapng), read through
 * capfile_open_mem(), which hands the reader the bytes 4093 at a time, so
 * records and blocks straddle the reader's refills. Every frame is checked:
 * its bytes lie inside the reader's buffer (ASan sees an over-read) and
 * caplen never exceeds libpcap's 262144. The loop ends on EOF or the first
 * damage; each frame consumes at least 16 bytes, so it is bounded by the
 * input size.
 */
#include <stdint.h>
#include <stdlib.h>

#include "capfile.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        mem_init(0);
        inited = 1;
    }
    struct capfile *cf;
    char err[256];
    if (capfile_open_mem(data, size, &cf, err, sizeof(err)) != CAPFILE_OPEN_OK)
        return 0;
    struct capfile_frame f;
    volatile uint8_t sink = 0;
    size_t frames = 0;
    while (capfile_next(cf, &f) == CAPFILE_FRAME) {
        if (f.caplen > 262144u || frames++ > size)
            abort();
        if (f.caplen > 0)
            sink ^= f.data[0] ^ f.data[f.caplen - 1];
    }
    (void)sink;
    capfile_close(cf);
    return 0;
}
