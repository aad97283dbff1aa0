/* \summary: the chunked-transcript driver shared by the dissector fuzz
 * targets (Zeek FuzzBuffer style).
 *
 * Input: chunks, each introduced by the 4-byte separator "\1PKT" followed by
 * one control byte and the chunk's bytes (up to the next separator). Bytes
 * before the first separator are ignored; at most 64 chunks are used.
 *   control bit 0: direction (0 client -> server, 1 server -> client)
 *   control bit 1: a gap of the chunk's length instead of data
 *   control bit 2: end of that direction after the chunk
 * Each chunk is copied into its own malloc'd buffer of exactly its size so
 * ASan sees over-reads. */
#ifndef SMTPTAP_FZ_CHUNKS_H
#define SMTPTAP_FZ_CHUNKS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fctx.h"

#define FZ_SEP        "\1PKT"
#define FZ_SEP_LEN    4
#define FZ_MAX_CHUNKS 64

static const uint8_t *
fz_find_sep(const uint8_t *p, const uint8_t *end)
{
    if ((size_t)(end - p) < FZ_SEP_LEN)
        return NULL;
    return memmem(p, (size_t)(end - p), FZ_SEP, FZ_SEP_LEN);
}

/* Feeds the chunks of data to ctx, then ends both directions. */
static void
fz_run_chunks(struct flow_ctx *ctx, const uint8_t *data, size_t size)
{
    const uint8_t *end = data + size;
    const uint8_t *p = fz_find_sep(data, end);
    int64_t t = 1;
    for (unsigned n = 0; p != NULL && n < FZ_MAX_CHUNKS; n++) {
        p += FZ_SEP_LEN;
        if (p == end)
            break;
        uint8_t ctl = *p++;
        const uint8_t *next = fz_find_sep(p, end);
        size_t len = (size_t)((next ? next : end) - p);
        enum dir d = (ctl & 1) ? DIR_TO_CLIENT : DIR_TO_SERVER;
        if (ctl & 2) {
            fctx_gap(ctx, d, len, t++);
        } else if (len > 0) {
            uint8_t *chunk = malloc(len);
            if (chunk == NULL)
                break;
            memcpy(chunk, p, len);
            fctx_deliver(ctx, d, chunk, (uint32_t)len, t++);
            free(chunk);
        }
        if (ctl & 4)
            fctx_eof(ctx, d, t++);
        p = next;
    }
    fctx_eof(ctx, DIR_TO_SERVER, t);
    fctx_eof(ctx, DIR_TO_CLIENT, t);
}

#endif /* SMTPTAP_FZ_CHUNKS_H */
