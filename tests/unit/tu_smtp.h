/* \summary: test helpers for the SMTP dissector's tests: transcripts of
 * both directions replayed through a flow context (whole, byte by byte, in
 * seeded random splits) and the facts and smtp.* events compared. */
#ifndef SMTPTAP_TU_SMTP_H
#define SMTPTAP_TU_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "facts.h"
#include "fctx.h"
#include "tu_replay.h"

struct seg {
    enum dir d;
    const char *s;
    size_t n;
};

#define C(x)                                                                                       \
    {                                                                                              \
        DIR_TO_SERVER, x, sizeof(x) - 1                                                            \
    }
#define S(x)                                                                                       \
    {                                                                                              \
        DIR_TO_CLIENT, x, sizeof(x) - 1                                                            \
    }
#define NSEG(a) (sizeof(a) / sizeof((a)[0]))

/* The configuration of the flows tu_smtp_run makes (defaults after
 * tu_smtp_setup; a test may change caps before running). */
extern struct config tu_smtp_cfg;

/* cmocka setup: default configuration, a fresh memory account. */
int tu_smtp_setup(void **state);

/* Set: tu_smtp_run's flows were picked up midstream (the setup clears it). */
extern bool tu_smtp_midstream;

/* Replays a transcript on port 25; eof of both directions when `end`. */
struct flow_ctx *tu_smtp_run(const struct seg *segs, size_t nseg, enum split_mode mode,
                             uint32_t seed, bool end);

/* Destroys the flow and checks every byte was given back. */
void tu_smtp_done(struct flow_ctx *ctx);

const struct smtp_facts *tu_smtp_facts(const struct flow_ctx *ctx);

/* Every field of struct smtp_facts, the smtp.* events and their counts,
 * and the dissector in charge, equal in both flows. */
void tu_smtp_facts_equal(const struct flow_ctx *x, const struct flow_ctx *y);

/* Whole vs byte by byte vs 8 seeded random splits: identical facts. */
void tu_smtp_check_splits(const struct seg *segs, size_t nseg);

/* The dialog is exactly verbs[i] answered codes[i], all in plaintext. */
void tu_smtp_dialog_is(const struct flow_ctx *ctx, const char *const *verbs, const int *codes,
                       unsigned n);

#endif
