/* \summary: fuzz target for the whole packet path: raw pcap file bytes ->
 * libpcap (fmemopen + pcap_fopen_offline, no temp file) -> decode (IP
 * fragments through defrag, as main.c) -> engine
 * (flows, reassembly, dispatcher, flow context) -> the SMTP and TLS
 * dissectors -> certificate cache -> diagnosis -> session JSON and the
 * per-server aggregation and findings (written to /dev/null); and -w's
 * verdict on each packet (engine_evidence.c) and its writer, to /dev/null.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "defrag.h"
#include "engine.h"
#include "engine_evidence.h"
#include "evidence.h"
#include "fctx.h"
#include "certcache.h"
#include "diagnose.h"
#include "mem.h"
#include "report.h"
#include "resume.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_PACKETS 20000

static uint64_t fz_sum;

static void
fz_sink(void *user, const struct flow_record *rec)
{
    (void)user;
    fz_sum += rec->id + rec->pkts[0] + rec->pkts[1] + strlen(rec->status) + rec->n_anomalies;
    report_flow(rec); /* diagnosis, session JSON, aggregation */
}

/* As main.c: a server chain is judged as soon as it is seen. */
static void
fz_chain(void *user, const struct session_facts *facts, int64_t first_us)
{
    (void)user;
    diagnose_prewarm(facts, first_us);
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
    engine_set_chain_hook(fz_chain, NULL);
    cfg.no_system_ca = true; /* an empty trust store: every chain is untrusted */
    cfg.json_path = "/dev/null";
    cfg.quiet = true;
    certcache_init(64);
    resume_init(4, 1); /* small: eviction reachable */
    char derr[256];
    if (diagnose_init(&cfg, derr, sizeof(derr)) != 0 || report_open(&cfg) != 0) {
        diagnose_fini();
        certcache_free();
        pcap_close(pc);
        return 0;
    }
    engine_set_dissectors(&smtp_dissector, &tls_dissector);
    if (engine_init(&cfg) != 0) {
        struct run_stats none;
        memset(&none, 0, sizeof(none));
        report_finish(&none);
        diagnose_fini();
        certcache_free();
        pcap_close(pc);
        return 0;
    }
    struct defrag_caps dcaps = {8, 256u << 10, 60, false, 1};
    struct defrag dfr_s;
    struct defrag *dfr = &dfr_s;
    defrag_init(dfr, &dcaps);
    int dlt = pcap_datalink(pc);
    char everr[256];
    (void)evidence_open("/dev/null", everr, sizeof(everr));
    struct decode_stats ds;
    memset(&ds, 0, sizeof(ds));
    struct pcap_pkthdr *h;
    const u_char *bytes;
    for (unsigned n = 0; n < FZ_MAX_PACKETS && pcap_next_ex(pc, &h, &bytes) == 1; n++) {
        struct pkt p;
        struct decode_frag fr;
        struct defrag_out dg;
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        enum decode_result r = decode_frame_frag(dlt, bytes, h->caplen, h->len, ts, &p, &ds, &fr);
        struct capture_frame cf = {dlt, ts, h->caplen, h->len, 0, bytes, false};
        if (r == DECODE_FRAGMENT && defrag_add(dfr, &p, &fr, &dg)) {
            dg.link_len = (uint32_t)(fr.hdr - bytes); /* as main.c's main_decode */
            r = decode_datagram(dg.ip, dg.caplen, dg.wirelen, &p, &p, &ds);
            if (r == DECODE_OK) { /* p borrows dg until here */
                enum evidence_verdict v = engine_evidence_before(&p);
                engine_packet(&p);
                evidence_frame(&cf, &p, &dg, engine_evidence_after(&p, v));
            }
            defrag_release(&dg);
            r = DECODE_FRAGMENT;
        }
        if (r == DECODE_OK) {
            enum evidence_verdict v = engine_evidence_before(&p);
            engine_packet(&p);
            evidence_frame(&cf, &p, NULL, engine_evidence_after(&p, v));
        }
    }
    defrag_finish(dfr);
    defrag_free(dfr);
    (void)evidence_close(everr, sizeof(everr));
    engine_finish();
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    report_finish(&st);
    engine_fini();
    diagnose_fini();
    certcache_free();
    resume_free();
    pcap_close(pc);
    if (mem_in_use() != 0)
        abort(); /* every flow, segment and context was freed */
    return 0;
}
