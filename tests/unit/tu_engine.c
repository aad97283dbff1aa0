/* \summary: test helpers for the engine's tests (test_engine.c and the
 * like): see tu_engine.h. */
#include "tu_engine.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "report.h"

struct config cfg;

void
tu_engine_setup(void)
{
    config_defaults(&cfg);
    cfg.hash_seed = 12345;
    cfg.use_ndpi = false;
    mem_init(cfg.memcap);
    n_got = 0;
    engine_set_chain_hook(NULL, NULL);
    memset(&last_state, 0, sizeof(last_state));
    engine_set_sink(sink, NULL);
    engine_set_dissectors(&t_smtp, &t_tls);
}

/* ---- recording dissector ---- */

struct rd_state last_state;

static void *
rd_new(struct flow_ctx *ctx)
{
    return fctx_alloc(ctx, sizeof(struct rd_state));
}

static void
rd_free(struct flow_ctx *ctx, void *st)
{
    last_state = *(struct rd_state *)st;
    fctx_free(ctx, st, sizeof(struct rd_state));
}

static struct dres
rd_data(struct flow_ctx *ctx, void *vst, enum dir d, const uint8_t *buf, uint32_t len)
{
    struct rd_state *st = vst;
    for (uint32_t i = 0; i < len && st->n[d] + 1 < sizeof(st->bytes[d]); i++)
        st->bytes[d][st->n[d]++] = (char)buf[i];
    /* "CERT" from the server stands for a Certificate message seen in clear */
    if (d == DIR_TO_CLIENT && len >= 4 && memcmp(buf, "CERT", 4) == 0) {
        struct tls_facts *t = &fctx_facts(ctx)->tls;
        t->server_chain[t->n_server_chain++] = 42;
        t->certificates = TLS_CERTS_VISIBLE;
    }
    /* "CAP:name" from the server: the dissector hit its cap `name` */
    if (d == DIR_TO_CLIENT && len > 4 && len < 40 && memcmp(buf, "CAP:", 4) == 0) {
        char name[40];
        memcpy(name, buf + 4, len - 4);
        name[len - 4] = '\0';
        fctx_event(ctx,
                   strcmp(name, "tls.records_cap") == 0    ? "tls.records_cap"
                   : strcmp(name, "smtp.pending_cap") == 0 ? "smtp.pending_cap"
                                                           : "tls.hs_msg_cap",
                   NULL);
    }
    return dres_make(D_OK, len, 0);
}

static void
rd_gap(struct flow_ctx *ctx, void *vst, enum dir d, uint64_t missing)
{
    struct rd_state *st = vst;
    (void)ctx;
    st->gaps[d]++;
    st->n[d] += (unsigned)snprintf(st->bytes[d] + st->n[d], sizeof(st->bytes[d]) - st->n[d],
                                   "[G%llu]", (unsigned long long)missing);
}

static void
rd_eof(struct flow_ctx *ctx, void *vst, enum dir d, uint32_t unconsumed)
{
    (void)ctx;
    (void)unconsumed;
    ((struct rd_state *)vst)->eofs[d]++;
}

const struct dissector t_smtp = {"smtp", rd_new, rd_free, rd_data, rd_gap, rd_eof};
const struct dissector t_tls = {"tls", rd_new, rd_free, rd_data, rd_gap, rd_eof};

/* ---- sink ---- */

struct got got[16];
unsigned n_got;

void
sink(void *user, const struct flow_record *rec)
{
    (void)user;
    assert_true(n_got < 16);
    struct got *g = &got[n_got++];
    memset(g, 0, sizeof(*g));
    g->id = rec->id;
    g->cport = rec->client.port;
    g->sport = rec->server.port;
    snprintf(g->client_by, sizeof(g->client_by), "%s", rec->client_by);
    snprintf(g->ended, sizeof(g->ended), "%s", rec->ended);
    snprintf(g->status, sizeof(g->status), "%s", rec->status);
    snprintf(g->dissector, sizeof(g->dissector), "%s", rec->dissector ? rec->dissector : "-");
    g->midstream = rec->midstream;
    g->chain_us = rec->chain_us;
    g->ts_us = rec->ts_us;
    g->ts_end_us = rec->ts_end_us;
    g->facts_midstream = rec->facts != NULL && rec->facts->midstream;
    g->syn_seen[0] = rec->syn_seen[0];
    g->syn_seen[1] = rec->syn_seen[1];
    g->implicit_tls = rec->facts != NULL && rec->facts->smtp.implicit_tls;
    for (int i = 0; i < 2; i++) {
        g->pkts[i] = rec->pkts[i];
        g->gaps[i] = rec->gaps[i];
    }
    g->truncated = rec->truncated_pkts;
    g->vlan_split = rec->vlan_split;
    g->n_vlan = rec->n_vlan;
    g->vlan[0] = rec->vlan[0];
    g->vlan[1] = rec->vlan[1];
    for (unsigned i = 0; i < rec->n_anomalies; i++) {
        size_t l = strlen(g->anomalies);
        snprintf(g->anomalies + l, sizeof(g->anomalies) - l, "%s ", rec->anomalies[i].name);
    }
}

uint16_t tx_window;
uint8_t tx_wscale;
uint16_t tx_vlan[2];
uint8_t tx_n_vlan;

void
start(void)
{
    tx_window = 0;
    tx_wscale = 0;
    tx_vlan[0] = tx_vlan[1] = 0;
    tx_n_vlan = 0;
    assert_int_equal(engine_init(&cfg), 0);
}

void
stop(void)
{
    engine_finish();
    struct run_stats st; /* every way a flow ends counted it closed (engine_load.h) */
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    assert_int_equal(st.flows_open_now, 0);
    assert_int_equal(st.flows_dissected_now, 0);
    engine_fini();
    assert_int_equal(mem_in_use(), 0);
}

/* ---- packets ---- */

void
pkt_send(int64_t t_s, uint8_t h, uint16_t sp, uint8_t d, uint16_t dp, uint8_t flags, uint32_t seq,
         uint32_t ack, const char *data, uint32_t wirelen)
{
    struct pkt p;
    memset(&p, 0, sizeof(p));
    p.ts_us = t_s * 1000000;
    p.ip_proto = 6;
    p.src.family = p.dst.family = 4;
    p.src.a[0] = p.dst.a[0] = 10;
    p.src.a[3] = h;
    p.dst.a[3] = d;
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    p.seq = seq;
    p.ack = ack;
    p.window = tx_window;
    p.wscale = tx_wscale;
    p.n_vlan = tx_n_vlan;
    p.vlan[0] = tx_vlan[0];
    p.vlan[1] = tx_vlan[1];
    p.payload = (const uint8_t *)data;
    p.payload_caplen = data ? (uint32_t)strlen(data) : 0;
    p.payload_wirelen = wirelen ? wirelen : p.payload_caplen;
    engine_packet(&p);
}

void
conversation(int64_t t, uint16_t cp, uint16_t sp, const char *first_c, const char *first_s)
{
    uint32_t ci = 1000, si = 5000;
    pkt_send(t, C, cp, S, sp, TH_SYN, ci, 0, NULL, 0);
    pkt_send(t, S, sp, C, cp, TH_SYN | TH_ACK, si, ci + 1, NULL, 0);
    pkt_send(t, C, cp, S, sp, TH_ACK, ci + 1, si + 1, NULL, 0);
    uint32_t cl = (uint32_t)strlen(first_c), sl = (uint32_t)strlen(first_s);
    pkt_send(t, C, cp, S, sp, TH_ACK | TH_PSH, ci + 1, si + 1, first_c, 0);
    pkt_send(t, S, sp, C, cp, TH_ACK | TH_PSH, si + 1, ci + 1 + cl, first_s, 0);
    pkt_send(t, C, cp, S, sp, TH_ACK | TH_FIN, ci + 1 + cl, si + 1 + sl, NULL, 0);
    pkt_send(t, S, sp, C, cp, TH_ACK | TH_FIN, si + 1 + sl, ci + 2 + cl, NULL, 0);
    pkt_send(t, C, cp, S, sp, TH_ACK, ci + 2 + cl, si + 2 + sl, NULL, 0);
}
