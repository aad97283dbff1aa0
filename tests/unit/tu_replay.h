/* \summary: test helpers: deliver a transcript's bytes to a flow context
 * whole, one byte at a time, or in seeded random chunks (split invariance:
 * a dissector must give the same facts however TCP cut the stream). */
#ifndef SMTPTAP_TU_REPLAY_H
#define SMTPTAP_TU_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fctx.h"

enum split_mode {
    SPLIT_WHOLE = 0, /* each segment in one delivery */
    SPLIT_BYTES,     /* one byte per delivery */
    SPLIT_RANDOM     /* seeded random chunk sizes, 1..max_chunk */
};

/* Delivers n bytes in direction d, cut as mode says; *seed drives the random
 * cuts and *t is the packet time, incremented per delivery. */
void tu_deliver(struct flow_ctx *ctx, enum dir d, const uint8_t *p, size_t n, enum split_mode mode,
                uint32_t *seed, unsigned max_chunk, int64_t *t);

/* Whether the flow recorded anomaly `name`. */
bool tu_has_event(const struct flow_ctx *ctx, const char *name);

/* Asserts a facts string equals want (NULL: not set). */
struct fstr;
void tu_fstr_is(const struct fstr *s, const char *want);

#endif
