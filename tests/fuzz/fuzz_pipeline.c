/* \summary: fuzz target for the whole packet path: raw pcap file bytes ->
 * libpcap (fmemopen + pcap_fopen_offline, no temp file) -> decode -> engine
 * (flows, reassembly, dispatcher, flow context) -> flow records.
 *
 * A small recording dissector stands in for SMTP and TLS so the flow
 * context and its buffering contract are exercised; records go to a sink
 * that reads every field.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "engine.h"
#include "fctx.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_PACKETS 20000

/* Asks for line-sized chunks, like a line-based dissector would. */
static struct dres
fz_dis_data(struct flow_ctx *ctx, void *st, enum dir d, const uint8_t *buf, uint32_t len)
{
    (void)ctx;
    (void)st;
    (void)d;
    for (uint32_t i = 0; i < len; i++)
        if (buf[i] == '\n')
            return dres_make(D_OK, i + 1, 0);
    if (len > 600)
        return dres_make(D_DONE, len, 0);
    return dres_make(D_NEED, 0, len + 1);
}

static const struct dissector fz_dis = {"fz", NULL, NULL, fz_dis_data, NULL, NULL};

static uint64_t fz_sum;

static void
fz_sink(void *user, const struct flow_record *rec)
{
    (void)user;
    fz_sum += rec->id + rec->pkts[0] + rec->pkts[1] + rec->bytes[0] + rec->bytes[1] + rec->gaps[0] +
              rec->gap_bytes[1] + strlen(rec->status) + strlen(rec->ended) +
              strlen(rec->client_by) + rec->n_anomalies;
    for (unsigned i = 0; i < rec->n_anomalies; i++)
        fz_sum += strlen(rec->anomalies[i].name) + strlen(rec->anomalies[i].detail);
}

static void
fz_udp(void *user, const struct pkt *p)
{
    (void)user;
    fz_sum += p->payload_caplen;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return 0;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_fopen_offline(f, err); /* owns f from here */
    if (pc == NULL) {
        fclose(f);
        return 0;
    }
    static struct config cfg;
    config_defaults(&cfg);
    cfg.hash_seed = 1;
    cfg.use_ndpi = false;
    cfg.flow_max = 64;
    cfg.flow_timeout = 30;
    cfg.flow_timeout_emerg = 5;
    cfg.reasm_ooo_max = 4096;
    cfg.reasm_buf_max = 2048;
    cfg.reasm_depth = 64 * 1024;
    mem_init(8u << 20);
    engine_set_sink(fz_sink, NULL);
    engine_set_udp_hook(fz_udp, NULL);
    engine_set_dissectors(&fz_dis, &fz_dis);
    if (engine_init(&cfg) != 0) {
        pcap_close(pc);
        return 0;
    }
    int dlt = pcap_datalink(pc);
    struct decode_stats ds;
    memset(&ds, 0, sizeof(ds));
    struct pcap_pkthdr *h;
    const u_char *bytes;
    int64_t last = 0;
    for (unsigned n = 0; n < FZ_MAX_PACKETS && pcap_next_ex(pc, &h, &bytes) == 1; n++) {
        struct pkt p;
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        if (decode_frame(dlt, bytes, h->caplen, h->len, ts, &p, &ds) == DECODE_OK) {
            engine_packet(&p);
            last = ts;
        }
    }
    engine_finish(last);
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    engine_fini();
    pcap_close(pc);
    if (mem_in_use() != 0)
        abort(); /* every flow, segment and context was freed */
    return 0;
}
