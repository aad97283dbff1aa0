/* \summary: smtptap entry point: options, signals, the capture loop, and
 * the end-of-run report. The pipeline: capture -> decode -> engine (flows,
 * reassembly, dissectors) -> report. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aggregate.h"
#include "capmagic.h"
#include "capture.h"
#include "certcache.h"
#include "classify.h"
#include "cli.h"
#include "config.h"
#include "decode.h"
#include "defrag.h"
#include "diagnose.h"
#include "dns.h"
#include "engine.h"
#include "engine_evidence.h"
#include "evidence.h"
#include "fdwait.h"
#include "keylog.h"
#include "tlsa.h"
#include "dane.h"
#include "mem.h"
#include "mem_openssl.h"
#include "ocsp.h"
#include "paths.h"
#include "report.h"
#include "resume.h"
#include "termtext.h"

static volatile int main_stop;
static volatile sig_atomic_t main_signals; /* SIGINT/SIGTERM received (main_on_signal) */
static volatile sig_atomic_t main_hup;     /* SIGHUP: reopen --json (live) */
static volatile sig_atomic_t main_usr1;    /* SIGUSR1: the report so far */

/* Decoded packets waiting for the engine (frames of a mapped file): see
 * engine_ahead() for why, main_on_frame() for the order. A stage's memory
 * fetch gets MAIN_STAGE packets' worth of time to arrive. */
#define MAIN_STAGE 2
#define MAIN_AHEAD (2 * MAIN_STAGE)
_Static_assert(MAIN_AHEAD <= CAPTURE_FRAMES_STAY, "frames stay valid long enough");
struct main_slot {
    struct pkt p;
    struct engine_ahead a;
    bool ok;                 /* decoded: goes to the engine */
    struct defrag_out dgram; /* a reassembled datagram p borrows, until processed */
};

struct main_run {
    const struct config *cfg;
    struct main_slot ring[MAIN_AHEAD + 1];
    struct capture_frame ev_fr[MAIN_AHEAD + 1]; /* -w: each slot's frame, written once processed */
    unsigned ring_head, ring_n;
    struct decode_stats dstats;
    uint64_t cut_after;   /* of dstats.snaplen_cut: frames cut below their file's snaplen */
    struct defrag defrag; /* IP fragment reassembly */
    uint64_t frames;
    int64_t first_us, last_us;
    bool progress;
    struct timespec last_progress;
    const struct capture_stats *cstats;
    int64_t next_report_us; /* --report-interval: the next snapshot, wall clock */
    bool started;           /* the report and --json are open (main_on_start) */
    bool evidence;          /* -w: frames are written (evidence.h) */
    bool ev_gave_up;        /* -w: a FIFO no reader opened before SIGINT/SIGTERM */
};

/* Messages through fdwait.h as the outputs (line-buffered: fdwait_stderr):
 * standard error a pipe or terminal gets a non-blocking description of its
 * own (fdwait_own), so that a message to a terminal paused with XOFF, or to
 * a pipe whose reader takes nothing, waits in poll(2), which a SIGINT or
 * SIGTERM ends: the message is lost, smtptap ends with its exit status.
 * It is term_msg()'s stream (term_set_err), not stdio's stderr, which ISO
 * C does not let a program replace; stdio's stderr (blocking: only a second
 * signal ends such a wait) if it cannot be made. */
static FILE *main_err; /* our own, closed at exit */

static void
main_stderr_close(void)
{
    term_set_err(NULL);
    fclose(main_err);
}

static void
main_stderr(void)
{
    FILE *f = fdwait_stderr();
    if (f != NULL && atexit(main_stderr_close) == 0) {
        main_err = f;
        term_set_err(f);
    } else if (f != NULL) {
        fclose(f);
    }
}

/* SIGINT/SIGTERM: the first stops the run (the report of what was read is
 * written); a second one, while that report is still being written (an
 * output whose reader stalls), ends smtptap at once by the signal's default
 * action, with no more output: as a second Ctrl-C is meant. */
static void
main_on_signal(int sig)
{
    if (sig == SIGHUP) {
        main_hup = 1;
    } else if (sig == SIGUSR1) {
        main_usr1 = 1;
    } else if (main_signals) { /* a second signal; a stop for another reason
                                * (--json's reader gone) is not one */
        signal(sig, SIG_DFL);
        raise(sig);
    } else {
        main_signals = 1;
        main_stop = 1;
    }
}

static void
main_progress(struct main_run *run, bool final)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!final && now.tv_sec - run->last_progress.tv_sec < 1)
        return;
    run->last_progress = now;
    struct run_stats st;
    memset(&st, 0, sizeof(st));
    engine_stats(&st);
    /* the words of the report's last line: sessions begun so far (flows are
     * counted only as they end, so a count of them lagged behind) */
    fprintf(term_err(), "\rsmtptap: %llu packets, %llu SMTP/TLS sessions%s",
            (unsigned long long)run->frames, (unsigned long long)st.sessions, final ? "\n" : "   ");
    fflush(term_err()); /* no '\n': written now all the same (line-buffered) */
}

/* The run's statistics so far (the stats record, the report's last line). */
static void
main_stats(const struct main_run *run, struct run_stats *st)
{
    const struct capture_stats *cs = run->cstats;
    memset(st, 0, sizeof(*st));
    engine_stats(st);
    st->packets = cs->frames;
    st->bytes = cs->bytes;
    st->drops = cs->ps_drop;
    st->ifdrops = cs->ps_ifdrop;
    st->truncated_frames = run->dstats.snaplen_cut;
    st->truncated_after_capture = run->cut_after;
    st->decode_errors = run->dstats.malformed + run->dstats.truncated;
    st->fragments = run->dstats.fragments;
    struct defrag_stats fs;
    defrag_stats(&run->defrag, &fs);
    st->frag_datagrams = fs.datagrams;
    st->frag_incomplete = fs.incomplete;
    st->frag_dropped = fs.dropped;
    st->frag_cap_max = fs.cap_hits - fs.mem_max_hits;
    st->frag_cap_mem = fs.mem_max_hits;
    st->frag_duplicates = fs.duplicates;
    st->frag_overlaps = fs.overlaps;
    st->frag_malformed = fs.malformed;
    st->not_ip = run->dstats.not_ip;
    st->other_proto = run->dstats.other_proto;
    st->unsupported_link_frames = run->dstats.unsupported_link;
    for (unsigned k = 0; k < DECODE_TUN_KINDS; k++)
        st->tunnels[k] = run->dstats.tun[k];
    st->tun_truncated = run->dstats.tun_truncated;
    st->tun_malformed = run->dstats.tun_malformed;
    st->tun_too_deep = run->dstats.tun_too_deep;
    st->tun_oam = run->dstats.tun_oam;
    st->certificates_distinct = certcache_count();
    st->certificates_leaves = certcache_leaves();
    st->certificates = certcache_sightings();
    st->certificate_parse_errors = certcache_parse_errors();
    st->files_read = cs->files_read;
    st->files_damaged = cs->files_damaged;
    st->damaged = cs->files_damaged ? cs->damaged : NULL;
    st->files_unread = cs->files_unread;
    st->records_read = cs->records;
    st->records_uncounted = cs->records_uncounted;
    /* the span: the engine's TCP packets (no outlier's stamp), and the
     * frames that are not TCP */
    if (run->first_us != 0 && (st->first_us == 0 || run->first_us < st->first_us))
        st->first_us = run->first_us;
    if (run->last_us > st->last_us)
        st->last_us = run->last_us;
    /* the aggregation's drops, read once for the stats record's own
     * fields and its cap_hits: engine_stats counted the memcap's hits,
     * the aggregation's drops are cap hits too */
    struct agg_drops ad;
    agg_dropped(&ad);
    st->server_sessions_dropped = ad.servers;
    st->names_dropped = ad.names;
    st->peer_certificates_dropped = ad.uses;
    st->peer_sessions_dropped = ad.peers;
    st->cap_hits += ad.servers + ad.names + ad.uses + ad.peers + fs.cap_hits;
}

/* SIGUSR1 or --report-interval: the report of the sessions ended so far. */
static void
main_snapshot(struct main_run *run)
{
    main_usr1 = 0;
    struct run_stats st;
    main_stats(run, &st);
    report_snapshot(&st);
}

/* Hands the oldest waiting packet to the engine; with `ev` (-w, a constant
 * in each of main_on_frame's two forms), its frame to the evidence file. */
static inline __attribute__((always_inline)) void
main_ring_pop_ev(struct main_run *run, bool ev)
{
    struct main_slot *s = &run->ring[run->ring_head];
    if (s->ok && !ev) {
        engine_packet_ahead(&s->p, &s->a);
    } else if (s->ok) {
        enum evidence_verdict v = engine_evidence_before(&s->p);
        engine_packet_ahead(&s->p, &s->a);
        evidence_frame(&run->ev_fr[run->ring_head], &s->p, &s->dgram,
                       engine_evidence_after(&s->p, v));
    }
    if (s->dgram.block != NULL) /* a reassembled datagram: rare */
        defrag_release(&s->dgram);
    run->ring_head = (run->ring_head + 1) % (MAIN_AHEAD + 1);
    run->ring_n--;
}

static void
main_ring_pop(struct main_run *run)
{
    main_ring_pop_ev(run, run->evidence);
}

static void
main_ring_drain(struct main_run *run)
{
    for (unsigned guard = 0; run->ring_n > 0 && guard <= MAIN_AHEAD; guard++)
        main_ring_pop(run);
}

/* A fragment fr in a tunnel inside the datagram dgram (reassembled from
 * the frame's fragments): reassembled too, and p, when it completes its
 * datagram, is that one, behind the tunnel's headers of dgram for -w
 * (p->l3; their offsets added to dgram's outer headers). One level: a
 * fragment inside that datagram is counted, not reassembled (there is no
 * third IP header in a frame but through tunnels in tunnels, and a tunnel
 * endpoint reassembles what it decapsulates before sending it on). */
static bool
main_inner_frag(struct main_run *run, struct pkt *p, const struct decode_frag *fr,
                struct defrag_out *dgram)
{
    uint32_t off[DECODE_OUTER_MAX];
    uint8_t n = fr->n_outer < DECODE_OUTER_MAX ? fr->n_outer : DECODE_OUTER_MAX;
    for (unsigned i = 0; i < n; i++)
        off[i] = dgram->link_len + (uint32_t)(fr->outer[i] - dgram->ip);
    uint32_t at;
    if (!defrag_add_inner(&run->defrag, p, fr, dgram, &at))
        return false;
    if (dgram->n_outer + fr->n_outer > DECODE_OUTER_MAX) {
        dgram->n_outer = DECODE_OUTER_MAX + 1; /* not all known: -w does not write it */
    } else {
        for (unsigned i = 0; i < n; i++) {
            dgram->outer_kind[dgram->n_outer] = fr->outer_kind[i];
            dgram->outer_off[dgram->n_outer++] = off[i];
        }
    }
    if (decode_datagram(dgram->ip + at, dgram->caplen - at, dgram->wirelen - at, p, p,
                        &run->dstats) != DECODE_OK) {
        defrag_release(dgram);
        return false;
    }
    p->l3 = dgram->ip; /* -w: the tunnel's headers, then the datagram */
    p->l3_caplen = dgram->caplen;
    p->caplen = dgram->caplen;
    p->wirelen = dgram->wirelen;
    return true;
}

/* Decodes a frame into p; a fragment goes to the reassembler, and when it
 * completes a datagram, p is that datagram, which borrows *dgram (released by
 * the caller once the engine has had p). Returns true when p goes to the
 * engine. */
static bool
main_decode(struct main_run *run, const struct capture_frame *f, struct pkt *p,
            struct defrag_out *dgram)
{
    struct decode_frag fr;
    dgram->block = NULL; /* nothing borrowed (defrag_add fills the rest) */
    uint64_t cut = run->dstats.snaplen_cut;
    enum decode_result r =
        decode_frame_frag(f->dlt, f->data, f->caplen, f->wirelen, f->ts_us, p, &run->dstats, &fr);
    /* a payload cut short where the snapshot length did not reach: cut
     * after capture (smtptap -w removes application data, editcap -s), its
     * bytes gone on purpose, which -s 0 would not bring back */
    p->cut_after = run->dstats.snaplen_cut > cut && f->snaplen != 0 && f->caplen < f->snaplen;
    run->cut_after += p->cut_after;
    if (r == DECODE_OK)
        return true;
    if (r != DECODE_FRAGMENT || !defrag_add(&run->defrag, p, &fr, dgram))
        return false;
    dgram->link_len = (uint32_t)(fr.hdr - f->data);
    dgram->n_outer = fr.n_outer;
    for (unsigned i = 0; i < fr.n_outer && i < DECODE_OUTER_MAX; i++) {
        dgram->outer_kind[i] = fr.outer_kind[i];
        dgram->outer_off[i] = (uint32_t)(fr.outer[i] - f->data);
    }
    enum decode_result r2 =
        decode_datagram_frag(dgram->ip, dgram->caplen, dgram->wirelen, p, p, &run->dstats, &fr);
    if (r2 == DECODE_OK)
        return true;
    if (r2 == DECODE_FRAGMENT)
        return main_inner_frag(run, p, &fr, dgram);
    defrag_release(dgram);
    return false;
}

/* Widens the span of frame times (stats first_packet, last_packet) with a
 * frame that is not a TCP packet; the engine keeps the TCP packets' span,
 * whose stamps it may find wrong (engine_clock.h: timestamp outliers). */
static inline void
main_span(struct main_run *run, const struct capture_frame *f, const struct pkt *p)
{
    if (p != NULL && p->ip_proto == 6)
        return;
    if (run->first_us == 0 || f->ts_us < run->first_us)
        run->first_us = f->ts_us;
    if (f->ts_us > run->last_us)
        run->last_us = f->ts_us;
}

/* Frames whose data stays valid (capture_frame.stays) go through a short
 * pipeline, in capture order: packet i+4 is decoded and its flow bucket
 * fetched, packet i+2's flow is fetched, packet i is processed. Other frames
 * are processed at once. f == NULL: the frames' data goes, drain. `ev`: -w,
 * a constant in each of the two callbacks below, so that a run without -w
 * does no work for it. */
static inline __attribute__((always_inline)) int
main_frame(void *user, const struct capture_frame *f, bool ev)
{
    struct main_run *run = user;
    if (f == NULL) {
        main_ring_drain(run);
        return 0;
    }
    run->frames++;
    if (!f->stays) {
        struct pkt p;
        struct defrag_out dgram;
        main_ring_drain(run);
        bool ok = main_decode(run, f, &p, &dgram);
        main_span(run, f, ok ? &p : NULL);
        if (ok && !ev) {
            engine_packet(&p);
        } else if (ok) {
            enum evidence_verdict v = engine_evidence_before(&p);
            engine_packet(&p);
            evidence_frame(f, &p, &dgram, engine_evidence_after(&p, v));
        }
        if (dgram.block != NULL)
            defrag_release(&dgram);
    } else {
        struct main_slot *s = &run->ring[(run->ring_head + run->ring_n) % (MAIN_AHEAD + 1)];
        s->ok = main_decode(run, f, &s->p, &s->dgram);
        if (ev)
            run->ev_fr[(run->ring_head + run->ring_n) % (MAIN_AHEAD + 1)] = *f;
        main_span(run, f, s->ok ? &s->p : NULL);
        s->a.valid = false;
        if (s->ok)
            engine_ahead(&s->p, &s->a);
        if (run->ring_n >= MAIN_STAGE) {
            const struct main_slot *mid =
                &run->ring[(run->ring_head + run->ring_n - MAIN_STAGE) % (MAIN_AHEAD + 1)];
            if (mid->ok)
                engine_ahead_flow(&mid->a);
        }
        if (run->ring_n == MAIN_AHEAD)
            main_ring_pop_ev(run, ev);
        run->ring_n++;
    }
    if (run->progress && (run->frames & 0x3fff) == 0)
        main_progress(run, false);
    if (__builtin_expect(main_usr1, 0) && run->cfg->iface == NULL) /* live: at the tick */
        main_snapshot(run);
    return main_stop;
}

static int
main_on_frame(void *user, const struct capture_frame *f)
{
    return main_frame(user, f, false);
}

static int
main_on_frame_ev(void *user, const struct capture_frame *f)
{
    return main_frame(user, f, true);
}

/* Live capture, once a second: flows idle for flow.timeout end (a quiet link
 * would otherwise hold their records until the next packet) and the records
 * made so far are written out. */
static void
main_on_tick(void *user, int64_t now_us)
{
    struct main_run *run = user;
    main_ring_drain(run);
    engine_tick(now_us);
    defrag_expire(&run->defrag, now_us);
    if (run->evidence) {
        evidence_hold_expire(now_us);
        evidence_flush();
    }
    if (main_hup) {
        main_hup = 0;
        report_reopen();
    }
    bool due = false;
    if (run->cfg->report_interval_s) {
        int64_t every = (int64_t)run->cfg->report_interval_s * 1000000;
        /* the first tick sets the schedule; a clock stepped back resets it */
        due = run->next_report_us && now_us >= run->next_report_us;
        if (run->next_report_us == 0 || due || now_us < run->next_report_us - every)
            run->next_report_us = now_us + every;
    }
    if (main_usr1 || due)
        main_snapshot(run);
    report_tick();
    if (report_output_gone())
        main_stop = 1;
}

struct main_dns_ctx {
    const struct pkt *p;
};

static void
main_on_dns_answer(void *user, const struct dns_answer *a)
{
    struct main_dns_ctx *d = user;
    if (a->type == DNS_TYPE_MX) {
        report_dns_mx(a->owner, a->exchange, &d->p->dst, a->ttl, d->p->ts_us);
    } else if (a->type == DNS_TYPE_CNAME) {
        report_dns_cname(a->owner, a->exchange, a->ad, d->p->ts_us);
    } else if ((a->type == DNS_TYPE_A && a->addr_len == 4) ||
               (a->type == DNS_TYPE_AAAA && a->addr_len == 16)) {
        struct ipaddr ip;
        memset(&ip, 0, sizeof(ip));
        ip.family = a->addr_len == 4 ? 4 : 6;
        memcpy(ip.a, a->addr, a->addr_len);
        report_dns_addr(a->owner, &ip, &d->p->dst, d->p->ts_us);
    } else if (a->type == DNS_TYPE_TLSA) {
        report_dns_tlsa(a->owner, a->tlsa_usage, a->tlsa_selector, a->tlsa_mtype, a->tlsa_data,
                        a->tlsa_len, a->ad);
    }
}

static void
main_on_udp(void *user, const struct pkt *p)
{
    (void)user;
    if (p->sport != 53 || p->payload_caplen == 0)
        return;
    struct main_dns_ctx d = {p};
    (void)dns_parse(p->payload, p->payload_caplen, main_on_dns_answer, &d);
}

static void
main_on_flow(void *user, const struct flow_record *rec)
{
    (void)user;
    report_flow(rec);
}

static void
main_on_chain(void *user, const struct session_facts *facts, int64_t chain_us)
{
    (void)user;
    diagnose_prewarm(facts, chain_us);
}

static void
main_help_caps(const struct config *cfg)
{
    struct config dflt;
    config_defaults(&dflt);
    (void)cfg;
    printf("Caps (set with --cap NAME=VALUE; K, M, G suffixes accepted):\n");
    char line[64];
    uint64_t vals[] = {dflt.flow_max,
                       dflt.flow_timeout,
                       dflt.flow_timeout_emerg,
                       dflt.flow_mem_max,
                       dflt.memcap,
                       dflt.reasm_depth,
                       dflt.reasm_ooo_max,
                       dflt.reasm_buf_max,
                       dflt.reasm_hole_wait,
                       dflt.defrag_max,
                       dflt.defrag_mem_max,
                       dflt.defrag_timeout,
                       dflt.smtp_line_max,
                       dflt.smtp_pending_max,
                       dflt.tls_hs_msg_max,
                       dflt.tls_records_max,
                       dflt.tls_resume_max,
                       dflt.tls_ocsp_max,
                       dflt.ocsp_cache_max,
                       dflt.x509_cert_max,
                       dflt.x509_chain_max,
                       dflt.cert_cache_max,
                       dflt.report_servers_max,
                       dflt.report_peers_max};
    for (unsigned i = 0; config_caps[i].name != NULL && i < sizeof(vals) / sizeof(vals[0]); i++) {
        snprintf(line, sizeof(line), "%s=%llu", config_caps[i].name, (unsigned long long)vals[i]);
        printf("  %-26s ", line);
        /* the text wrapped at word ends to 80 columns, under its first line */
        const char *t = config_caps[i].help;
        while (strlen(t) > 80 - 29) {
            int cut = 80 - 29;
            while (cut > 0 && t[cut] != ' ')
                cut--;
            if (cut == 0)
                break; /* one word longer than the column: as it is */
            printf("%.*s\n%29s", cut, t, "");
            t += cut + 1;
        }
        printf("%s\n", t);
    }
}

/* Releases what main set up before the run: the classifier, the key log,
 * the diagnosis (verification) and the certificate cache (each call is a
 * no-op for a part not set up), and the filter string. */
static void
main_release(struct config *cfg)
{
    classify_fini();
    keylog_free();
    tlsa_fini();
    dane_fini();
    diagnose_fini();
    ocsp_fini();
    certcache_free();
    resume_free();
    free((char *)cfg->bpf);
    cfg->bpf = NULL;
}

/* Why the regular file at path cannot be a capture, from its first bytes, or
 * NULL (capmagic.c): a compressed file gets the way out. Anything else would
 * only fail once the report and --json had been started. */
static const char *
main_not_capture(const char *path)
{
    unsigned char m[8];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL; /* the reader says why */
    size_t n = fread(m, 1, sizeof(m), f);
    fclose(f);
    return capmagic_why(m, n);
}

/* A filter that does not compile and has a word naming a file: the words
 * after `-r FILE` are the filter, as in tcpdump (`-r a.pcap b.pcap`). Adds
 * the way to read several files to the message in err. */
static void
main_filter_hint(const char *expr, char *err, size_t errlen)
{
    char word[256];
    for (const char *p = expr; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, " ");
        struct stat sb;
        if (n > 0 && n < sizeof(word)) {
            memcpy(word, p, n);
            word[n] = '\0';
            if (stat(word, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
                size_t used = strlen(err);
                snprintf(err + used, errlen - used,
                         "; '%s' is a file: to read several files, give -r before each one", word);
                return;
            }
        }
        p += n;
        p += strspn(p, " ");
    }
}

/* What can be told before anything is written (the report, --json): each
 * -r FILE exists, is readable, is not a directory, empty or of another
 * format, and the filter compiles; then each regular file is opened as the
 * run will open it (capture_check_file: a header cut short, an unknown link
 * type, a first record already cut or damaged, the filter for its link type).
 * A run refused here leaves an existing --json file alone. */
static int
main_check_inputs(const struct config *cfg, char *err, size_t errlen)
{
    for (unsigned i = 0; i < cfg->n_inputs; i++) {
        const char *path = cfg->inputs[i];
        if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO)) { /* it would wait for typing */
            snprintf(err, errlen,
                     "-r -: standard input is a terminal: pipe a capture into it "
                     "(zcat p.pcap.gz | smtptap -r -)");
            return -1;
        }
        if (strcmp(path, "-") == 0)
            continue;
        const char *why = NULL;
        struct stat sb;
        if (stat(path, &sb) != 0 || access(path, R_OK) != 0)
            why = strerror(errno);
        else if (S_ISDIR(sb.st_mode))
            why = "is a directory";
        else if (S_ISREG(sb.st_mode) && sb.st_size == 0)
            why = "empty file";
        else if (S_ISREG(sb.st_mode))
            why = main_not_capture(path);
        /* only regular files are opened here: a FIFO's writer would see its
         * reader go; an output over an input was refused first (paths.h) */
        if (why != NULL) {
            snprintf(err, errlen, "%s: %s", path, why);
            return -1;
        }
    }
    if (cfg->iface != NULL && capture_check_iface(cfg->iface, err, (unsigned)errlen) != 0)
        return -1;
    if (capture_check_filter(cfg->bpf, DECODE_DLT_EN10MB, err, (unsigned)errlen) != 0) {
        main_filter_hint(cfg->bpf, err, errlen);
        return -1;
    }
    for (unsigned i = 0; i < cfg->n_inputs; i++) {
        struct stat sb;
        const char *path = cfg->inputs[i];
        if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
            capture_check_file(cfg, path, err, (unsigned)errlen) != 0)
            return -1;
    }
    return 0;
}

/* capture_run's start: the first input can be read (or the live capture
 * runs), so the outputs are opened now. A run that reads nothing writes
 * nothing: no report, an existing --json file left alone. */
static int
main_on_start(void *user)
{
    struct main_run *run = user;
    if (run->cfg->write_path != NULL) { /* first: a -w refused leaves --json alone */
        char err[512];
        int erc = evidence_open(run->cfg->write_path, err, sizeof(err));
        if (erc != 0)
            term_msg(stderr, "smtptap: %s\n", err);
        if (erc < 0)
            return -1;
        run->evidence = erc == 0;
        run->ev_gave_up = erc > 0; /* the report goes on, exit 3 */
    }
    if (report_open(run->cfg) != 0) {
        if (run->evidence) { /* opened above: closed, not left to the exit */
            char err[512];
            (void)evidence_close(err, sizeof(err));
            run->evidence = false;
        }
        return -1;
    }
    run->started = true;
    return 0;
}

int
main(int argc, char **argv)
{
    struct config cfg;
    config_defaults(&cfg);
    switch (cli_parse(argc, argv, &cfg)) {
    case CLI_HELP:
        cli_usage(stdout);
        return EXIT_OK;
    case CLI_VERSION: /* as tcpdump --version: the libraries too */
        printf("smtptap %s\n%s\n%s\n%s\n", SMTPTAP_VERSION, capture_lib_version(),
               OpenSSL_version(OPENSSL_VERSION), classify_version());
        return EXIT_OK;
    case CLI_LIST_IFACES: {
        char err[512];
        if (capture_list_ifaces(stdout, err, sizeof(err)) != 0) {
            term_msg(stderr, "smtptap: %s\n", err);
            return EXIT_INPUT;
        }
        return EXIT_OK;
    }
    case CLI_HELP_CAPS:
        main_help_caps(&cfg);
        return EXIT_OK;
    case CLI_ERROR:
        free((char *)cfg.bpf); /* a filter given with a wrong option */
        return EXIT_USAGE;
    case CLI_RUN:
        break;
    }

    char err[512];
    /* the same file twice: before anything is read or opened */
    if (paths_dedup_inputs(&cfg, err, sizeof(err)) != 0 ||
        paths_check_outputs(&cfg, err, sizeof(err)) != 0 ||
        paths_check_writable(&cfg, err, sizeof(err)) != 0) {
        term_msg(stderr, "smtptap: %s\n", err);
        free((char *)cfg.bpf);
        return EXIT_INPUT;
    }
    mem_init(cfg.memcap);
    mem_openssl_hook(); /* OpenSSL's memory counts against the memcap too */
    if (certcache_init(cfg.cert_cache_max) != 0) {
        term_msg(stderr, "smtptap: OpenSSL cannot fetch SHA-256 and SHA-1\n");
        free((char *)cfg.bpf);
        return EXIT_INTERNAL;
    }
    (void)resume_init(cfg.tls_resume_max, cfg.hash_seed);
    (void)ocsp_init(cfg.ocsp_cache_max); /* without its memo every staple is decoded */
    if (diagnose_init(&cfg, err, sizeof(err)) != 0) {
        term_msg(stderr, "smtptap: %s\n", err);
        certcache_free();
        free((char *)cfg.bpf);
        return EXIT_INPUT;
    }
    for (unsigned i = 0; i < cfg.n_keylogs; i++) {
        int kl = keylog_load(cfg.keylogs[i], err, sizeof(err));
        if (kl >
            0) { /* a TLS 1.2 key log, or one a cap cut: said, not an error (not silenced by -q) */
            term_msg(stderr, "smtptap: warning: %s\n", err);
        } else if (kl < 0) {
            term_msg(stderr, "smtptap: %s\n", err);
            main_release(&cfg);
            return EXIT_INPUT;
        }
    }
    /* TLSA records (DANE): learned from DNS answers and --tlsa files, as
     * many as report.servers_max (the names learned from DNS have that cap) */
    tlsa_init(cfg.report_servers_max ? cfg.report_servers_max : 1024);
    for (unsigned i = 0; i < cfg.n_tlsa_files; i++)
        if (tlsa_load(cfg.tlsa_files[i], err, sizeof(err)) != 0) {
            term_msg(stderr, "smtptap: %s\n", err);
            main_release(&cfg);
            return EXIT_INPUT;
        }
    if (cfg.use_ndpi) {
        uint64_t before = mem_in_use();
        cfg.use_ndpi = classify_init() == 0;
        /* nDPI's tables are a fixed cost; with a memcap too small for them
         * they would leave nothing for the traffic. */
        if (cfg.use_ndpi && mem_in_use() - before > cfg.memcap / 2) {
            term_msg(stderr,
                     "smtptap: memcap %llu is too small for nDPI's tables (%llu bytes): "
                     "running without nDPI (no app and owner labels)\n",
                     (unsigned long long)cfg.memcap, (unsigned long long)(mem_in_use() - before));
            classify_fini();
            cfg.use_ndpi = false;
        }
    }
    cfg.iface = capture_iface_by_number(cfg.iface); /* -i 1, as tcpdump -D numbers them */
    if (main_check_inputs(&cfg, err, sizeof(err)) != 0) {
        term_msg(stderr, "smtptap: %s\n", err);
        main_release(&cfg);
        return EXIT_INPUT;
    }
    if (engine_init(&cfg) != 0) {
        term_msg(stderr, "smtptap: cannot set up the flow table (flow.max=%u)\n", cfg.flow_max);
        return EXIT_INTERNAL;
    }
    engine_set_dissectors(&smtp_dissector, &tls_dissector);
    engine_set_sink(main_on_flow, NULL);
    if (!config_env_off("SMTPTAP_EARLY_VERIFY"))
        engine_set_chain_hook(main_on_chain, NULL);
    engine_set_udp_hook(main_on_udp, NULL);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = main_on_signal;
    /* A write blocked on a slow --json reader goes on after a signal (else
     * EINTR: records lost, one cut). The live wait, and the wait for a
     * FIFO's writer or a pipe's next bytes (fdwait.h), is poll(2), which a
     * signal ends whatever SA_RESTART says (signal(7)), so `stop` is seen. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (cfg.iface != NULL) /* live: log rotation (as Suricata); a file run ends as before */
        sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fdwait_set_signals(&main_signals); /* a signal ends a wait for an output's reader */
    main_stderr();

    struct capture_stats cstats;
    memset(&cstats, 0, sizeof(cstats));
    struct main_run run;
    memset(&run, 0, sizeof(run));
    run.cfg = &cfg;
    run.cstats = &cstats;
    struct defrag_caps dcaps = {cfg.defrag_max, cfg.defrag_mem_max, cfg.defrag_timeout,
                                cfg.ignore_vlan, cfg.hash_seed};
    defrag_init(&run.defrag, &dcaps);
    run.progress = cfg.progress && cfg.iface == NULL && isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &run.last_progress);

    capture_set_tick(main_on_tick, &run);
    capture_set_start(main_on_start, &run);
    int rc = capture_run(&cfg, cfg.write_path != NULL ? main_on_frame_ev : main_on_frame, &run,
                         &cstats, &main_stop, err, sizeof(err));
    main_ring_drain(&run); /* capture_run drains at each input's end; this is a guard */
    if (rc != 0 && err[0] != '\0')
        term_msg(stderr, "smtptap: %s\n", err);
    char cap_err[sizeof(err)]; /* err is used again below */
    snprintf(cap_err, sizeof(cap_err), "%s", rc != 0 ? err : "");
    /* read to the end with no frame (an empty capture, or stopped first):
     * the report says so; failed before the first frame: nothing written */
    if (!run.started && (rc != 0 || main_on_start(&run) != 0)) {
        defrag_free(&run.defrag);
        engine_fini();
        main_release(&cfg);
        return EXIT_INPUT;
    }
    if (run.progress)
        main_progress(&run, true);
    int exit_code = rc != 0 ? EXIT_INPUT : EXIT_OK;

    /* before the open flows end: a handshake cut by a damaged file's end
     * says so (agg_notvisible.c) */
    agg_files_damaged(run.cstats ? run.cstats->files_damaged : 0);
    engine_finish();
    defrag_finish(&run.defrag); /* datagrams still incomplete are counted */
    struct run_stats st;
    main_stats(&run, &st);
    if (cap_err[0] != '\0')
        st.capture_error = cap_err;
    bool ev_failed = run.evidence && evidence_close(err, sizeof(err)) != 0;
    if (ev_failed)
        term_msg(stderr, "smtptap: %s\n", err);
    ev_failed = ev_failed || run.ev_gave_up;
    if (run.evidence) {
        struct evidence_stats es;
        evidence_stats(&es);
        st.ev_on = true;
        st.ev_frames = es.frames;
        st.ev_cut = es.cut;
        st.ev_reassembled = es.reassembled;
        st.ev_other_link = es.other_link;
        st.ev_reassembled_not_written = es.reassembled_not_written;
        st.ev_held = es.held;
        st.ev_held_cut = es.held_cut;
        st.ev_retx_differs = es.retx_differs;
        st.ev_from_detection = es.from_detection;
    }
    int worst = report_finish(&st);
    /* stderr's own stream (main_stderr) in error: a message not written in
     * full (a terminal paused with XOFF, a wait given up at a signal; its
     * reader gone), as an output not written in full */
    bool err_failed = main_err != NULL && ferror(main_err);
    if (exit_code == EXIT_OK && (report_write_failed() || ev_failed || err_failed))
        exit_code = EXIT_INPUT; /* "an output file could not be written" */
    if (exit_code == EXIT_OK && cfg.fail_on > 0 && worst >= cfg.fail_on)
        exit_code = EXIT_FINDINGS;

    defrag_free(&run.defrag);
    engine_fini();
    main_release(&cfg);
    return exit_code;
}
