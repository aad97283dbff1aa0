/* \summary: test helpers for the SMTP dissector's tests (tu_smtp.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "tu_smtp.h"

struct config tu_smtp_cfg;

int
tu_smtp_setup(void **state)
{
    (void)state;
    config_defaults(&tu_smtp_cfg);
    mem_init(tu_smtp_cfg.memcap);
    tu_smtp_midstream = false;
    return 0;
}

bool tu_smtp_midstream;

/* Replays a transcript; eof of both directions when `end`. */
struct flow_ctx *
tu_smtp_run(const struct seg *segs, size_t nseg, enum split_mode mode, uint32_t seed, bool end)
{
    struct flow_ctx *ctx = fctx_new(&tu_smtp_cfg, 25);
    assert_non_null(ctx);
    fctx_facts(ctx)->midstream = tu_smtp_midstream;
    fctx_attach(ctx, &smtp_dissector);
    int64_t t = 1000;
    for (size_t i = 0; i < nseg; i++)
        tu_deliver(ctx, segs[i].d, (const uint8_t *)segs[i].s, segs[i].n, mode, &seed, 7, &t);
    if (end) {
        fctx_eof(ctx, DIR_TO_SERVER, t);
        fctx_eof(ctx, DIR_TO_CLIENT, t);
    }
    return ctx;
}

void
tu_smtp_done(struct flow_ctx *ctx)
{
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

const struct smtp_facts *
tu_smtp_facts(const struct flow_ctx *ctx)
{
    return &fctx_facts_const(ctx)->smtp;
}

static void
fstr_equal(const struct fstr *a, const struct fstr *b)
{
    assert_int_equal(a->s == NULL, b->s == NULL);
    assert_int_equal(a->len, b->len);
    assert_int_equal(a->truncated, b->truncated);
    if (a->len)
        assert_memory_equal(a->s, b->s, a->len);
}

/* Facts comparison helper: every field of struct smtp_facts, plus the
 * smtp.* events with their counts and the dissector in charge. */
void
tu_smtp_facts_equal(const struct flow_ctx *x, const struct flow_ctx *y)
{
    const struct smtp_facts *a = tu_smtp_facts(x), *b = tu_smtp_facts(y);
    assert_int_equal(a->seen, b->seen);
    assert_int_equal(a->banner_code, b->banner_code);
    fstr_equal(&a->banner, &b->banner);
    fstr_equal(&a->banner_host, &b->banner_host);
    assert_string_equal(a->ehlo_verb, b->ehlo_verb);
    fstr_equal(&a->ehlo, &b->ehlo);
    assert_int_equal(a->ehlo_reply_code, b->ehlo_reply_code);
    assert_int_equal(a->starttls_offered, b->starttls_offered);
    assert_int_equal(a->anonymoustls_offered, b->anonymoustls_offered);
    fstr_equal(&a->capabilities, &b->capabilities);
    fstr_equal(&a->auth_mechanisms, &b->auth_mechanisms);
    fstr_equal(&a->stripped_capability, &b->stripped_capability);
    assert_int_equal(a->starttls_masked, b->starttls_masked);
    assert_int_equal(a->starttls_masked_code, b->starttls_masked_code);
    assert_int_equal(a->starttls_command, b->starttls_command);
    assert_string_equal(a->starttls_verb, b->starttls_verb);
    assert_int_equal(a->starttls_reply_code, b->starttls_reply_code);
    fstr_equal(&a->starttls_reply_text, &b->starttls_reply_text);
    assert_int_equal(a->starttls_pipelined, b->starttls_pipelined);
    assert_int_equal(a->tls_started, b->tls_started);
    assert_int_equal(a->implicit_tls, b->implicit_tls);
    assert_int_equal(a->auth_before_tls, b->auth_before_tls);
    assert_string_equal(a->auth_mechanism, b->auth_mechanism);
    assert_string_equal(a->auth_used, b->auth_used);
    assert_int_equal(a->auth_used_more, b->auth_used_more);
    assert_int_equal(a->plaintext_mail, b->plaintext_mail);
    assert_int_equal(a->plaintext_messages, b->plaintext_messages);
    assert_int_equal(a->plaintext_data, b->plaintext_data);
    assert_int_equal(a->n_dialog, b->n_dialog);
    assert_int_equal(a->dialog_truncated, b->dialog_truncated);
    for (unsigned i = 0; i < a->n_dialog; i++) {
        assert_string_equal(a->dialog[i].verb, b->dialog[i].verb);
        assert_int_equal(a->dialog[i].code, b->dialog[i].code);
        assert_int_equal(a->dialog[i].plaintext, b->dialog[i].plaintext);
    }
    assert_string_equal(fctx_dissector_name(x), fctx_dissector_name(y));
    struct flow_record ra, rb;
    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    fctx_fill_record(x, &ra);
    fctx_fill_record(y, &rb);
    unsigned j = 0;
    for (unsigned i = 0; i < ra.n_anomalies; i++) {
        if (strncmp(ra.anomalies[i].name, "smtp.", 5) != 0)
            continue;
        while (j < rb.n_anomalies && strncmp(rb.anomalies[j].name, "smtp.", 5) != 0)
            j++;
        assert_true(j < rb.n_anomalies);
        assert_string_equal(ra.anomalies[i].name, rb.anomalies[j].name);
        assert_int_equal(ra.anomalies[i].count, rb.anomalies[j].count);
        j++;
    }
    while (j < rb.n_anomalies && strncmp(rb.anomalies[j].name, "smtp.", 5) != 0)
        j++;
    assert_int_equal(j, rb.n_anomalies);
}

/* Whole vs byte by byte vs 8 seeded random splits. */
void
tu_smtp_check_splits(const struct seg *segs, size_t nseg)
{
    struct flow_ctx *whole = tu_smtp_run(segs, nseg, SPLIT_WHOLE, 0, true);
    struct flow_ctx *bytes = tu_smtp_run(segs, nseg, SPLIT_BYTES, 0, true);
    tu_smtp_facts_equal(whole, bytes);
    fctx_destroy(bytes);
    for (uint32_t seed = 1; seed <= 8; seed++) {
        struct flow_ctx *rnd = tu_smtp_run(segs, nseg, SPLIT_RANDOM, seed, true);
        tu_smtp_facts_equal(whole, rnd);
        fctx_destroy(rnd);
    }
    tu_smtp_done(whole);
}

void
tu_smtp_dialog_is(const struct flow_ctx *ctx, const char *const *verbs, const int *codes,
                  unsigned n)
{
    const struct smtp_facts *f = tu_smtp_facts(ctx);
    assert_int_equal(f->n_dialog, n);
    for (unsigned i = 0; i < n; i++) {
        assert_string_equal(f->dialog[i].verb, verbs[i]);
        assert_int_equal(f->dialog[i].code, codes[i]);
        assert_true(f->dialog[i].plaintext);
    }
}
