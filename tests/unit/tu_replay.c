/* \summary: test helpers: split-invariant delivery (see tu_replay.h). */
#include "tu_replay.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"

static uint32_t
tu_lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

void
tu_deliver(struct flow_ctx *ctx, enum dir d, const uint8_t *p, size_t n, enum split_mode mode,
           uint32_t *seed, unsigned max_chunk, int64_t *t)
{
    size_t off = 0;
    while (off < n) {
        size_t k = n - off;
        if (mode == SPLIT_BYTES) {
            k = 1;
        } else if (mode == SPLIT_RANDOM) {
            size_t r = 1 + tu_lcg(seed) % (max_chunk ? max_chunk : 1);
            k = k < r ? k : r;
        }
        fctx_deliver(ctx, d, p + off, (uint32_t)k, (*t)++);
        off += k;
    }
}

bool
tu_has_event(const struct flow_ctx *ctx, const char *name)
{
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    fctx_fill_record(ctx, &rec);
    for (unsigned i = 0; i < rec.n_anomalies; i++)
        if (strcmp(rec.anomalies[i].name, name) == 0)
            return true;
    return false;
}

void
tu_fstr_is(const struct fstr *s, const char *want)
{
    if (want == NULL) {
        assert_null(s->s);
        return;
    }
    assert_non_null(s->s);
    if (s->len != strlen(want) || memcmp(s->s, want, s->len) != 0)
        fail_msg("fstr \"%.*s\" != \"%s\"", (int)s->len, (const char *)s->s, want);
}
