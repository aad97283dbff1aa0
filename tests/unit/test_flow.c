/* \summary: unit tests for the flow table (src/flow.c): canonical keys,
 * seeded hash, LRU order by packet time, creation order, accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flow.h"
#include "mem.h"

static struct pkt
mk(uint8_t src, uint16_t sp, uint8_t dst, uint16_t dp, uint16_t vlan)
{
    struct pkt p;
    memset(&p, 0, sizeof(p));
    p.ip_proto = 6;
    p.src.family = p.dst.family = 4;
    p.src.a[3] = src;
    p.dst.a[3] = dst;
    p.sport = sp;
    p.dport = dp;
    if (vlan) {
        p.n_vlan = 1;
        p.vlan[0] = vlan;
    }
    return p;
}

static void
test_canonical_key(void **state)
{
    (void)state;
    mem_init(0);
    struct flow_table t;
    assert_int_equal(flow_table_init(&t, 8, 77), 0);
    struct pkt a = mk(1, 40000, 2, 25, 0), b = mk(2, 25, 1, 40000, 0);
    struct flow_key ka, kb;
    uint8_t sa, sb;
    flow_key_from_pkt(&a, &ka, &sa);
    flow_key_from_pkt(&b, &kb, &sb);
    assert_int_not_equal(sa, sb);
    assert_int_equal(flow_hash(&t, &ka), flow_hash(&t, &kb));
    struct flow *f = flow_insert(&t, &ka, flow_hash(&t, &ka), 1);
    assert_non_null(f);
    assert_ptr_equal(flow_lookup(&t, &kb, flow_hash(&t, &kb)), f);
    /* another VLAN is another flow */
    struct pkt v = mk(1, 40000, 2, 25, 100);
    struct flow_key kv;
    uint8_t sv;
    flow_key_from_pkt(&v, &kv, &sv);
    assert_null(flow_lookup(&t, &kv, flow_hash(&t, &kv)));
    flow_table_fini(&t);
    assert_int_equal(mem_in_use(), 0);
}

static void
test_seed_changes_hash(void **state)
{
    (void)state;
    mem_init(0);
    struct flow_table t1, t2;
    assert_int_equal(flow_table_init(&t1, 8, 1), 0);
    assert_int_equal(flow_table_init(&t2, 8, 2), 0);
    unsigned same = 0;
    for (uint16_t port = 1; port <= 64; port++) {
        struct pkt p = mk(1, port, 2, 25, 0);
        struct flow_key k;
        uint8_t s;
        flow_key_from_pkt(&p, &k, &s);
        same += flow_hash(&t1, &k) == flow_hash(&t2, &k);
    }
    assert_true(same < 4);
    flow_table_fini(&t1);
    flow_table_fini(&t2);
}

/* Every bit of the key reaches the hash, and the slot bits (the low ones)
 * of a gateway's worth of flows spread like random numbers: the hash is
 * a sum of products (NH) finished by one mixing round. */
static void
test_hash_uses_every_bit_and_spreads(void **state)
{
    (void)state;
    mem_init(0);
    struct flow_table t;
    assert_int_equal(flow_table_init(&t, 8, 7), 0);
    struct pkt p = mk(1, 40000, 2, 25, 0);
    p.src.family = p.dst.family = 6;
    struct flow_key k0;
    uint8_t s;
    flow_key_from_pkt(&p, &k0, &s);
    uint32_t h0 = flow_hash(&t, &k0);
    unsigned flips = 0;
    for (unsigned byte = 0; byte < 16; byte++)
        for (unsigned bit = 0; bit < 8; bit++)
            for (unsigned e = 0; e < 2; e++) {
                struct flow_key k = k0;
                k.ip[e].a[byte] ^= (uint8_t)(1u << bit);
                assert_int_not_equal(flow_hash(&t, &k), h0);
                flips++;
            }
    for (unsigned bit = 0; bit < 16; bit++) {
        struct flow_key k = k0;
        k.port[bit & 1] ^= (uint16_t)(1u << bit);
        assert_int_not_equal(flow_hash(&t, &k), h0);
        k = k0;
        k.vlan[bit & 1] ^= (uint16_t)(1u << bit);
        assert_int_not_equal(flow_hash(&t, &k), h0);
    }
    struct flow_key k = k0;
    k.proto = 17;
    assert_int_not_equal(flow_hash(&t, &k), h0);
    k = k0;
    k.ip[1].family = 4;
    assert_int_not_equal(flow_hash(&t, &k), h0);
    assert_int_equal(flips, 256);

    /* 65 536 IPv4 flows (256 clients x 256 ports to one server) into 2^17
     * buckets: random keys would fill ~51 600 (n (1 - e^-0.5) / 0.5). */
    enum { BITS = 17 };
    static uint8_t used[1u << BITS];
    memset(used, 0, sizeof(used));
    unsigned filled = 0;
    for (unsigned c = 0; c < 256; c++)
        for (unsigned port = 0; port < 256; port++) {
            struct pkt q = mk((uint8_t)c, (uint16_t)(1024 + port), 2, 25, 0);
            q.src.a[0] = 10;
            flow_key_from_pkt(&q, &k, &s);
            uint32_t slot = flow_hash(&t, &k) & ((1u << BITS) - 1);
            filled += used[slot] == 0;
            used[slot] = 1;
        }
    assert_true(filled > 50000);
    flow_table_fini(&t);
}

static void
test_lru_and_creation_order(void **state)
{
    (void)state;
    mem_init(0);
    struct flow_table t;
    assert_int_equal(flow_table_init(&t, 8, 5), 0);
    struct flow *f[4];
    for (unsigned i = 0; i < 4; i++) {
        struct pkt p = mk(1, (uint16_t)(1000 + i), 2, 25, 0);
        struct flow_key k;
        uint8_t s;
        flow_key_from_pkt(&p, &k, &s);
        f[i] = flow_insert(&t, &k, flow_hash(&t, &k), i);
        assert_int_equal(f[i]->id, i + 1);
    }
    flow_touch(&t, f[0], 10); /* 0 becomes the most recent */
    assert_ptr_equal(flow_oldest(&t), f[1]);
    flow_remove(&t, f[1]);
    assert_ptr_equal(flow_oldest(&t), f[2]);
    assert_ptr_equal(flow_first(&t), f[0]); /* creation order is not LRU order */
    assert_ptr_equal(flow_first(&t)->all_next, f[2]);
    assert_int_equal(t.count, 3);
    flow_table_fini(&t);
    assert_int_equal(mem_in_use(), 0);
}

/* The open-addressed table under churn: hashes chosen so that flows share
 * home slots and probe runs wrap around the end of the array; after every
 * insert and removal each live flow is found and no removed one is. A
 * removal that broke a probe run (no backward shift) fails here. */
static void
test_probe_runs_survive_removals(void **state)
{
    (void)state;
    mem_init(0);
    struct flow_table t;
    assert_int_equal(flow_table_init(&t, 8, 5), 0); /* 16 slots */
    static const uint32_t hashes[] = {15, 31, 47, 14, 30, 0, 16, 1, 13};
    struct {
        struct flow *f;
        struct flow_key k;
        uint32_t h;
    } live[8], gone;
    unsigned n_live = 0, next_port = 1;
    uint32_t rnd = 12345;
    memset(&gone, 0, sizeof(gone));
    for (unsigned op = 0; op < 20000; op++) {
        rnd = rnd * 1103515245u + 12345u;
        bool insert = n_live == 0 || (n_live < 8 && (rnd >> 16) % 3 != 0);
        if (insert) {
            struct pkt p = mk(1, (uint16_t)next_port++, 2, 25, 0);
            uint8_t side;
            flow_key_from_pkt(&p, &live[n_live].k, &side);
            live[n_live].h = hashes[(rnd >> 8) % (sizeof(hashes) / sizeof(hashes[0]))];
            live[n_live].f = flow_insert(&t, &live[n_live].k, live[n_live].h, op);
            assert_non_null(live[n_live].f);
            n_live++;
        } else {
            unsigned v = (rnd >> 20) % n_live;
            gone.k = live[v].k;
            gone.h = live[v].h;
            flow_remove(&t, live[v].f);
            live[v] = live[--n_live];
            assert_null(flow_lookup(&t, &gone.k, gone.h));
        }
        assert_int_equal(t.count, n_live);
        for (unsigned i = 0; i < n_live; i++)
            assert_ptr_equal(flow_lookup(&t, &live[i].k, live[i].h), live[i].f);
    }
    flow_table_fini(&t);
    assert_int_equal(mem_in_use(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_key),
        cmocka_unit_test(test_seed_changes_hash),
        cmocka_unit_test(test_hash_uses_every_bit_and_spreads),
        cmocka_unit_test(test_lru_and_creation_order),
        cmocka_unit_test(test_probe_runs_survive_removals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
