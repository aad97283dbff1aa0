/* \summary: unit tests for the flow context: the dissector buffering
 * contract (consumed / needed), upgrades, caps and contract violations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "fctx.h"
#include "mem.h"

/* A length-prefixed message dissector: 1 length byte, then that many bytes.
 * It records the messages it saw, per direction. */
struct lp_state {
    char seen[2][256];
    unsigned n_seen[2];
    unsigned gaps, eofs;
    unsigned upgrade_on; /* message value that triggers an upgrade */
};

static const struct dissector lp_dissector;
static const struct dissector lp2_dissector;
static struct lp_state *lp_last; /* the state of the latest instance, for asserts */

static void *
lp_new(struct flow_ctx *ctx)
{
    lp_last = fctx_alloc(ctx, sizeof(struct lp_state));
    return lp_last;
}

static void
lp_free(struct flow_ctx *ctx, void *st)
{
    fctx_free(ctx, st, sizeof(struct lp_state));
}

static struct dres
lp_data(struct flow_ctx *ctx, void *vst, enum dir d, const uint8_t *buf, uint32_t len)
{
    struct lp_state *st = vst;
    if (len < 1)
        return dres_make(D_NEED, 0, 1);
    uint32_t n = buf[0];
    if (len < 1 + n)
        return dres_make(D_NEED, 0, 1 + n);
    if (n > 0 && st->n_seen[d] + n < sizeof(st->seen[d])) {
        memcpy(st->seen[d] + st->n_seen[d], buf + 1, n);
        st->n_seen[d] += n;
    }
    if (n == 1 && buf[1] == 'U')
        fctx_upgrade(ctx, &lp2_dissector);
    if (n == 1 && buf[1] == 'D')
        return dres_make(D_DONE, 2, 0);
    if (n == 1 && buf[1] == 'B') /* contract violation: consumed > len */
        return dres_make(D_OK, len + 1, 0);
    return dres_make(D_OK, 1 + n, 0);
}

static void
lp_gap(struct flow_ctx *ctx, void *vst, enum dir d, uint64_t missing)
{
    (void)ctx;
    (void)d;
    (void)missing;
    ((struct lp_state *)vst)->gaps++;
}

static void
lp_eof(struct flow_ctx *ctx, void *vst, enum dir d, uint32_t unconsumed)
{
    (void)ctx;
    (void)d;
    (void)unconsumed;
    ((struct lp_state *)vst)->eofs++;
}

static const struct dissector lp_dissector = {"lp", lp_new, lp_free, lp_data, lp_gap, lp_eof};
static const struct dissector lp2_dissector = {"lp2", lp_new, lp_free, lp_data, lp_gap, lp_eof};

/* Two dissectors that hand the flow to each other: "ping" reads a 'U' from
 * the client, "pong" one from the server, each upgrading to the other; any
 * other byte (or a 'U' of the other side) waits for more. */
static const struct dissector ping_dissector;
static const struct dissector pong_dissector;

static struct dres
pp_data(struct flow_ctx *ctx, enum dir mine, const struct dissector *other, enum dir d,
        const uint8_t *buf, uint32_t len)
{
    if (d != mine || buf[0] != 'U')
        return dres_make(D_NEED, 0, len + 1);
    fctx_upgrade(ctx, other);
    return dres_make(D_OK, 1, 0);
}

static struct dres
ping_data(struct flow_ctx *ctx, void *st, enum dir d, const uint8_t *buf, uint32_t len)
{
    (void)st;
    return pp_data(ctx, DIR_TO_SERVER, &pong_dissector, d, buf, len);
}

static struct dres
pong_data(struct flow_ctx *ctx, void *st, enum dir d, const uint8_t *buf, uint32_t len)
{
    (void)st;
    return pp_data(ctx, DIR_TO_CLIENT, &ping_dissector, d, buf, len);
}

static const struct dissector ping_dissector = {"ping", NULL, NULL, ping_data, NULL, NULL};
static const struct dissector pong_dissector = {"pong", NULL, NULL, pong_data, NULL, NULL};

/* "there" hands the flow to "back" on a server 'U', "back" hands it to
 * "there" again on a server 'V'; both count the client bytes they are
 * offered and wait for more. */
static const struct dissector there_dissector;
static const struct dissector back_dissector;
static unsigned client_offers;

static struct dres
tb_data(struct flow_ctx *ctx, char key, const struct dissector *other, enum dir d,
        const uint8_t *buf, uint32_t len)
{
    if (d == DIR_TO_SERVER) {
        client_offers++;
        return dres_make(D_NEED, 0, len + 1);
    }
    if (buf[0] == key)
        fctx_upgrade(ctx, other);
    return dres_make(D_OK, 1, 0);
}

static struct dres
there_data(struct flow_ctx *ctx, void *st, enum dir d, const uint8_t *buf, uint32_t len)
{
    (void)st;
    return tb_data(ctx, 'U', &back_dissector, d, buf, len);
}

static struct dres
back_data(struct flow_ctx *ctx, void *st, enum dir d, const uint8_t *buf, uint32_t len)
{
    (void)st;
    return tb_data(ctx, 'V', &there_dissector, d, buf, len);
}

static const struct dissector there_dissector = {"there", NULL, NULL, there_data, NULL, NULL};
static const struct dissector back_dissector = {"back", NULL, NULL, back_data, NULL, NULL};

static struct config cfg;

static int
setup(void **state)
{
    (void)state;
    config_defaults(&cfg);
    mem_init(cfg.memcap);
    return 0;
}

static struct flow_ctx *
new_ctx(void)
{
    struct flow_ctx *ctx = fctx_new(&cfg, 25);
    assert_non_null(ctx);
    fctx_attach(ctx, &lp_dissector);
    return ctx;
}

/* "\x03abc\x02de\x01f" delivered whole, byte by byte and in odd splits. */
static const uint8_t stream[] = {3, 'a', 'b', 'c', 2, 'd', 'e', 1, 'f'};

static void
check_splits(unsigned step)
{
    struct flow_ctx *ctx = new_ctx();
    for (unsigned off = 0; off < sizeof(stream); off += step) {
        unsigned n = sizeof(stream) - off < step ? sizeof(stream) - off : step;
        assert_int_equal(fctx_deliver(ctx, DIR_TO_SERVER, stream + off, n, 1), FCTX_ACTIVE);
    }
    assert_int_equal(lp_last->n_seen[DIR_TO_SERVER], 6);
    assert_memory_equal(lp_last->seen[DIR_TO_SERVER], "abcdef", 6);
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_split_invariance(void **state)
{
    (void)state;
    for (unsigned step = 1; step <= sizeof(stream); step++)
        check_splits(step);
}

static void
test_directions_are_separate(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    const uint8_t a[] = {2, 'x'};
    const uint8_t b[] = {1, 'y'};
    fctx_deliver(ctx, DIR_TO_SERVER, a, sizeof(a), 1); /* incomplete */
    fctx_deliver(ctx, DIR_TO_CLIENT, b, sizeof(b), 2);
    assert_int_equal(lp_last->n_seen[DIR_TO_CLIENT], 1);
    assert_int_equal(lp_last->n_seen[DIR_TO_SERVER], 0);
    const uint8_t c[] = {'z'};
    fctx_deliver(ctx, DIR_TO_SERVER, c, 1, 3);
    assert_memory_equal(lp_last->seen[DIR_TO_SERVER], "xz", 2);
    fctx_destroy(ctx);
}

static void
test_upgrade_hands_rest_to_next(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    /* 'U' upgrades; the bytes after it in the same call go to lp2 */
    const uint8_t s[] = {1, 'U', 2, 'h', 'i'};
    fctx_deliver(ctx, DIR_TO_CLIENT, s, sizeof(s), 1);
    assert_string_equal(fctx_dissector_name(ctx), "lp2");
    assert_int_equal(lp_last->n_seen[DIR_TO_CLIENT], 2);
    assert_memory_equal(lp_last->seen[DIR_TO_CLIENT], "hi", 2);
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_upgrade_flushes_other_direction(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    const uint8_t partial[] = {2, 'o'}; /* waits in the client direction */
    fctx_deliver(ctx, DIR_TO_SERVER, partial, sizeof(partial), 1);
    const uint8_t up[] = {1, 'U'};
    fctx_deliver(ctx, DIR_TO_CLIENT, up, sizeof(up), 2);
    const uint8_t rest[] = {'k'};
    fctx_deliver(ctx, DIR_TO_SERVER, rest, 1, 3);
    assert_string_equal(fctx_dissector_name(ctx), "lp2");
    assert_memory_equal(lp_last->seen[DIR_TO_SERVER], "ok", 2);
    fctx_destroy(ctx);
}

static void
test_done_and_contract(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    const uint8_t d[] = {1, 'D', 5, 5, 5};
    assert_int_equal(fctx_deliver(ctx, DIR_TO_SERVER, d, sizeof(d), 1), FCTX_DONE);
    assert_int_equal(fctx_deliver(ctx, DIR_TO_SERVER, d, sizeof(d), 1), FCTX_DONE);
    fctx_destroy(ctx);

    ctx = new_ctx();
    const uint8_t b[] = {1, 'B'};
    assert_int_equal(fctx_deliver(ctx, DIR_TO_SERVER, b, sizeof(b), 1), FCTX_STOPPED);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    fctx_fill_record(ctx, &rec);
    assert_int_equal(rec.n_anomalies, 1);
    assert_string_equal(rec.anomalies[0].name, "dissector.contract");
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_gap_drops_pending_and_buffer_cap(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    const uint8_t p[] = {200, 'a', 'b'};
    fctx_deliver(ctx, DIR_TO_SERVER, p, sizeof(p), 1);
    fctx_gap(ctx, DIR_TO_SERVER, 100, 2);
    assert_int_equal(lp_last->gaps, 1);
    const uint8_t q[] = {1, 'q'};
    fctx_deliver(ctx, DIR_TO_SERVER, q, sizeof(q), 3);
    assert_memory_equal(lp_last->seen[DIR_TO_SERVER], "q", 1);
    fctx_eof(ctx, DIR_TO_SERVER, 4);
    assert_int_equal(lp_last->eofs, 1);
    fctx_destroy(ctx);

    /* buffer cap: a dissector that never completes cannot hold more than reasm.buf_max */
    struct config small = cfg;
    small.reasm_buf_max = 64;
    ctx = fctx_new(&small, 25);
    fctx_attach(ctx, &lp_dissector);
    uint8_t big[40];
    memset(big, 0xff, sizeof(big)); /* wants 256 bytes */
    for (int i = 0; i < 4; i++)
        fctx_deliver(ctx, DIR_TO_SERVER, big, sizeof(big), 5);
    assert_true(fctx_mem(ctx) < 64 + 1024);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    fctx_fill_record(ctx, &rec);
    bool capped = false;
    for (unsigned i = 0; i < rec.n_anomalies; i++)
        capped |= strcmp(rec.anomalies[i].name, "stream.buffer_cap") == 0;
    assert_true(capped);
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_setstr_caps_and_alloc_failure(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    struct fstr s = {0};
    assert_true(fctx_setstr(ctx, &s, (const uint8_t *)"a\0bcdef", 7, 4));
    assert_int_equal(s.len, 4);
    assert_true(s.truncated);
    assert_memory_equal(s.s, "a\0bc", 4);
    assert_true(fctx_setstr(ctx, &s, (const uint8_t *)"xy", 2, 4));
    assert_false(s.truncated);
    assert_int_equal(s.len, 2);
    assert_string_equal((const char *)s.s, "xy"); /* NUL-terminated */
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
    /* a flow whose first allocation is refused */
    ctx = new_ctx();
    struct fstr z = {0};
    mem_fail_after(1);
    assert_false(fctx_setstr(ctx, &z, (const uint8_t *)"zz", 2, 4));
    assert_null(z.s);
    assert_int_equal(z.len, 0);
    assert_true(fctx_setstr(ctx, &z, (const uint8_t *)"", 0, 4)); /* seen, empty */
    assert_non_null(z.s);
    assert_int_equal(z.len, 0);
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

/* Small allocations are carved from per-flow chunks: a string is rewritten
 * in place when the new value fits, grows by doubling, and a flow that
 * sets its strings again and again does not grow; large blocks are still
 * given back one by one. ASan checks every byte written is the string's. */
static void
test_setstr_in_place_and_bounded(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    struct fstr a = {0}, b = {0};
    uint8_t text[300];
    memset(text, 'h', sizeof(text));
    assert_true(fctx_setstr(ctx, &a, text, 10, 255));
    uint8_t *first = a.s;
    assert_true(fctx_setstr(ctx, &a, text, 5, 255)); /* fits: same room */
    assert_ptr_equal(a.s, first);
    assert_true(fctx_setstr(ctx, &b, text, 3, 255));
    uint64_t settled = 0;
    for (unsigned i = 0; i < 10000; i++) {
        size_t n = (i * 37) % 256;
        assert_true(fctx_setstr(ctx, &a, text, n, 255));
        assert_int_equal(a.len, n);
        assert_int_equal(a.s[n], 0);
        assert_true(fctx_setstr(ctx, &b, text, 255 - n, 255));
        assert_true(a.cap <= 256 && b.cap <= 256); /* never past max + 1 */
        if (i == 100)
            settled = fctx_mem(ctx);
    }
    assert_int_equal(fctx_mem(ctx), settled); /* nothing more after the first rounds */
    assert_true(settled <= 4096);
    /* a block larger than the chunks' share comes and goes by itself */
    uint64_t before = fctx_mem(ctx);
    void *big = fctx_alloc(ctx, 3000);
    assert_non_null(big);
    memset(big, 1, 3000);
    assert_true(fctx_mem(ctx) >= before + 3000);
    fctx_free(ctx, big, 3000);
    assert_int_equal(fctx_mem(ctx), before);
    /* small ones stay until the flow ends, and are usable until then */
    uint8_t *sm = fctx_alloc(ctx, 100);
    assert_non_null(sm);
    memset(sm, 2, 100);
    fctx_free(ctx, sm, 100);
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_event_dedup_and_overflow(void **state)
{
    (void)state;
    struct flow_ctx *ctx = new_ctx();
    static const char *names[] = {"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8",
                                  "e9", "ea", "eb", "ec", "ed", "ee", "ef", "eg", "eh"};
    for (unsigned i = 0; i < 18; i++)
        fctx_event(ctx, names[i], "detail");
    fctx_event(ctx, "e0", NULL);
    struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    fctx_fill_record(ctx, &rec);
    assert_int_equal(rec.n_anomalies, RECORD_ANOMALIES_MAX);
    assert_int_equal(rec.anomalies_dropped, 2);
    assert_int_equal(rec.anomalies[0].count, 2);
    assert_string_equal(rec.anomalies[0].detail, "detail");
    fctx_destroy(ctx);
}

/* n 'U's waiting from the server, then n from the client: every 'U' hands
 * the flow over, and the bytes the other side left waiting go to the new
 * dissector at once (fctx_deliver_dir). Returns the flow's status. */
static enum fctx_status
ping_pong(unsigned n, struct flow_record *rec)
{
    struct flow_ctx *ctx = fctx_new(&cfg, 25);
    assert_non_null(ctx);
    fctx_attach(ctx, &ping_dissector);
    uint8_t *u = malloc(n);
    assert_non_null(u);
    memset(u, 'U', n);
    assert_int_equal(fctx_deliver(ctx, DIR_TO_CLIENT, u, n, 1), FCTX_ACTIVE);
    enum fctx_status st = fctx_deliver(ctx, DIR_TO_SERVER, u, n, 2);
    free(u);
    memset(rec, 0, sizeof(*rec));
    fctx_fill_record(ctx, rec);
    if (st == FCTX_ACTIVE)
        assert_string_equal(fctx_dissector_name(ctx), "ping");
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
    return st;
}

static void
test_switch_loop_bounded(void **state)
{
    (void)state;
    struct flow_record rec;
    /* four hand-overs (a 465 flow's TLS, plaintext SMTP, STARTTLS has two) */
    assert_int_equal(ping_pong(2, &rec), FCTX_ACTIVE);
    assert_int_equal(rec.n_anomalies, 0);
    /* 200 000 each way: the hand-over had recursed once per 'U' (a stack
     * overflow), and re-read the waiting bytes each time; now the flow is
     * read no further after 8 */
    assert_int_equal(ping_pong(200000, &rec), FCTX_STOPPED);
    assert_int_equal(rec.n_anomalies, 1);
    assert_string_equal(rec.anomalies[0].name, "flow.switch_loop");
    /* the ninth hand-over is the one refused */
    assert_int_equal(ping_pong(4, &rec), FCTX_ACTIVE);
    assert_int_equal(ping_pong(5, &rec), FCTX_STOPPED);
}

/* One delivery that hands the flow over and back (there, back, there): the
 * client's waiting byte is offered to the new "there" at once, as after any
 * hand-over (it had waited for the client's next packet: the dissector
 * was the same kind as before). */
static void
test_switch_there_and_back(void **state)
{
    (void)state;
    struct flow_ctx *ctx = fctx_new(&cfg, 25);
    assert_non_null(ctx);
    fctx_attach(ctx, &there_dissector);
    client_offers = 0;
    const uint8_t c[] = {'c'};
    assert_int_equal(fctx_deliver(ctx, DIR_TO_SERVER, c, sizeof(c), 1), FCTX_ACTIVE);
    assert_int_equal(client_offers, 1);
    const uint8_t s[] = {'U', 'V'};
    assert_int_equal(fctx_deliver(ctx, DIR_TO_CLIENT, s, sizeof(s), 2), FCTX_ACTIVE);
    assert_string_equal(fctx_dissector_name(ctx), "there");
    assert_int_equal(client_offers, 2);
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

/* A context made in a block a finished flow left behind (mem.c keeps freed
 * blocks for the next allocation of their size) starts as a new one: every
 * fact empty or at its "not seen" value, its counts 0, whatever the block
 * held. fctx_new zeroes all but the dialogue's and the alerts' entries,
 * which are read only up to those counts. */
static void
test_new_on_reused_block(void **state)
{
    (void)state;
    struct flow_ctx *old = fctx_new(&cfg, 25);
    assert_non_null(old);
    struct session_facts *of = fctx_facts(old);
    memset(of, 0xA5, sizeof(*of));
    fctx_destroy(old);
    struct flow_ctx *ctx = fctx_new(&cfg, 587);
    assert_ptr_equal(ctx, old); /* the same block, handed out again */
    struct session_facts f;
    memcpy(&f, fctx_facts(ctx), sizeof(f)); /* padding too */
    assert_int_equal(f.smtp.n_dialog, 0);
    assert_int_equal(f.tls.n_alerts, 0);
    assert_int_equal(f.smtp.starttls_offered, -1);
    assert_int_equal(f.smtp.starttls_reply_code, -1);
    assert_int_equal(f.tls.last_hs[0], -1);
    assert_int_equal(f.tls.last_hs[1], -1);
    /* the rest is zero: what a zeroed struct with those four set holds */
    memset(f.smtp.dialog, 0, sizeof(f.smtp.dialog));
    memset(f.tls.alerts, 0, sizeof(f.tls.alerts));
    struct session_facts want;
    memset(&want, 0, sizeof(want));
    want.smtp.starttls_offered = -1;
    want.smtp.starttls_reply_code = -1;
    want.tls.last_hs[0] = want.tls.last_hs[1] = -1;
    assert_memory_equal(&f, &want, sizeof(f));
    assert_int_equal(fctx_status(ctx), FCTX_STOPPED);
    assert_null(fctx_dissector_name(ctx));
    assert_int_equal(fctx_mem(ctx), 0);
    struct flow_record rec;
    memset(&rec, 0xA5, sizeof(rec));
    fctx_fill_record(ctx, &rec);
    assert_int_equal(rec.n_anomalies, 0);
    fctx_destroy(ctx);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_split_invariance, setup),
        cmocka_unit_test_setup(test_directions_are_separate, setup),
        cmocka_unit_test_setup(test_upgrade_hands_rest_to_next, setup),
        cmocka_unit_test_setup(test_upgrade_flushes_other_direction, setup),
        cmocka_unit_test_setup(test_done_and_contract, setup),
        cmocka_unit_test_setup(test_gap_drops_pending_and_buffer_cap, setup),
        cmocka_unit_test_setup(test_setstr_caps_and_alloc_failure, setup),
        cmocka_unit_test_setup(test_setstr_in_place_and_bounded, setup),
        cmocka_unit_test_setup(test_event_dedup_and_overflow, setup),
        cmocka_unit_test_setup(test_switch_loop_bounded, setup),
        cmocka_unit_test_setup(test_switch_there_and_back, setup),
        cmocka_unit_test_setup(test_new_on_reused_block, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
