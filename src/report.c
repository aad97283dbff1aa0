/* \summary: the report's driver: per flow, the diagnosis and the session
 * record; DNS answers to the name learner; at the end the server and finding
 * records, the stats record and the terminal report. */
#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agg_int.h"
#include "aggregate.h"
#include "certcache.h"
#include "diagnose.h"
#include "fdwait.h"
#include "dnslearn.h"
#include "tlsa.h"
#include "json.h"
#include "keylog.h"
#include "mem.h"
#include "report_cert.h"
#include "report_session.h"
#include "tlsrpt.h"
#include "truststore.h"
#include "termtext.h"

#define REPORT_EXPECTED_MAX 8

static struct {
    const struct config *cfg;
    FILE *out;       /* NDJSON destination, NULL without --json */
    bool out_owned;  /* fclose at the end */
    bool out_stdout; /* --json -: the terminal report goes to stderr */
    struct json j;
    uint64_t sessions, flows_written, cert_write_errors;
    uint64_t tls13, tls13_decrypted;         /* run_stats tls13_handshakes, tls13_decrypted */
    uint64_t tls13_kl[TLS_KL_DECRYPTED + 1]; /* by enum tls_keylog */
    bool cert_error_said;
    bool write_failed; /* an output could not be written in full (report_write_failed) */
    bool broken_pipe;  /* the --json reader went away (report_output_gone) */
    bool error_said;   /* a --json write error was said during the run */
    bool stdout_error_said;
    FILE *term; /* the terminal report's stdout (report_term), NULL until the first */
} rp;

/* Standard output for the terminal report through fdwait.h, as --json -:
 * a descriptor its parent left non-blocking (O_NONBLOCK, shared with a
 * terminal's stdin) is waited on at EAGAIN, not cut at the pipe's 64 KiB,
 * and a SIGINT/SIGTERM ends a wait for its reader (a terminal paused with
 * XOFF too: fdwait_own). stdio's stdout if that cannot be made. */
static FILE *
report_term(void)
{
    if (rp.term == NULL) {
        rp.term = fdwait_open_output("-", false);
        if (rp.term == NULL)
            rp.term = stdout;
    }
    return rp.term;
}

/* The aggregation and DNS learning are run-long tables: what a call added
 * to the memory in use since `before` is charged to them (mem.h). */
static void
report_tables_grew(uint64_t before)
{
    mem_tables_charge((int64_t)(mem_in_use() - before));
}

/* A live capture appends to its --json file: each run begins with a run
 * record, so that its session ids (from 1 again) are told apart from an
 * earlier run's. A file run writes its file afresh and has none (and its
 * output stays the same from run to run). */
static void
report_run_record(const struct config *cfg)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    json_obj_begin(&rp.j, NULL);
    json_str(&rp.j, "event", "run");
    json_ts(&rp.j, "started", (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000);
    json_str(&rp.j, "interface", cfg->iface);
    json_str(&rp.j, "filter", cfg->bpf);
    json_str(&rp.j, "version", SMTPTAP_VERSION);
    json_int(&rp.j, "pid", (int64_t)getpid());
    json_obj_end(&rp.j);
    json_record_end(&rp.j);
    (void)json_flush(&rp.j); /* a failure is kept in rp.j and said as any write error */
}

int
report_open(const struct config *cfg)
{
    memset(&rp, 0, sizeof(rp));
    rp.cfg = cfg;
    /* checked before --json is opened (and emptied) */
    const char *why = NULL;
    struct stat sb;
    if (cfg->certs_dir && (stat(cfg->certs_dir, &sb) != 0 || access(cfg->certs_dir, W_OK) != 0))
        why = strerror(errno);
    else if (cfg->certs_dir && !S_ISDIR(sb.st_mode))
        why = "not a directory";
    if (why != NULL) {
        term_msg(stderr, "smtptap: --certs %s: %s\n", cfg->certs_dir, why);
        return -1;
    }
    if (cfg->json_path) {
        /* through fdwait.h: a SIGINT/SIGTERM ends a wait for its reader */
        rp.out_stdout = strcmp(cfg->json_path, "-") == 0;
        /* a live capture's records to a file are a log: appended to, so
         * that a restart keeps what an earlier run wrote (and a rotation
         * tool's truncation leaves no hole); a file run's are its own */
        rp.out = fdwait_open_output(cfg->json_path, !rp.out_stdout && cfg->iface != NULL);
        if (!rp.out) {
            int e = errno;
            term_msg(stderr, "smtptap: --json %s: %s\n", cfg->json_path, fdwait_strerror(e));
            if (e != FDWAIT_GAVE_UP)
                return -1;
            /* no reader came before the signal: the run goes on to its
             * report without --json, and exits 3 */
            rp.write_failed = true;
        }
        rp.out_owned = rp.out != NULL;
    }
    json_init(&rp.j, rp.out);
    if (cfg->iface != NULL)
        report_run_record(cfg);
    report_cert_cache_free(); /* ids of an earlier run mean other certificates */
    dnslearn_init(cfg->report_servers_max ? cfg->report_servers_max : 1024);
    agg_init(cfg);
    if (cfg->tlsrpt_path) /* its tables (~0.4 MB) stay untouched without it */
        tlsrpt_reset();
    return 0;
}

/* --certs DIR: each distinct certificate once, as DIR/SHA256.pem. */
static void
report_write_certs(const uint32_t *ids, unsigned n)
{
    for (unsigned i = 0; i < n && i < FACTS_CHAIN_MAX; i++) {
        char err[256];
        if (ids[i] == 0)
            continue;
        if (certcache_write_pem(rp.cfg->certs_dir, ids[i], err, sizeof(err)) != 0) {
            rp.cert_write_errors++;
            if (!rp.cert_error_said)
                term_msg(stderr, "smtptap: --certs: %s\n", err);
            rp.cert_error_said = true;
        }
    }
}

void
report_flow(const struct flow_record *rec)
{
    const struct session_facts *f = rec->facts;
    if (!f || (!f->smtp.seen && !f->tls.seen)) {
        if (rec->mail_port) {
            if (rp.out)
                report_flow_json(&rp.j, rec);
            rp.flows_written++;
        }
        return;
    }
    rp.sessions++;
    if (f->tls.version == 0x0304) { /* what a key log can match (keylog_file_stats) */
        rp.tls13++;
        rp.tls13_decrypted += f->tls.decrypted;
        if (f->tls.keylog <= TLS_KL_DECRYPTED)
            rp.tls13_kl[f->tls.keylog]++;
    }
    agg_prefetch(&rec->server); /* fetched while the session is diagnosed */
    struct expected_name names[REPORT_EXPECTED_MAX];
    unsigned n = dnslearn_names(&rec->server.ip, names, REPORT_EXPECTED_MAX);
    struct diagnosis dg;
    diagnose_session(rec, names, n, &dg);
    dg.tlsrpt = tlsrpt_session(rp.cfg, rec, &dg, NULL); /* RFC 8460 §4.3's word for it */
    if (rp.cfg->tlsrpt_path)
        tlsrpt_note(rp.cfg, rec, &dg, names, n);
    if (rp.out) /* nothing to format without --json */
        report_session_json(&rp.j, rec, &dg);
    uint64_t before = mem_in_use();
    agg_session(rec, &dg);
    report_tables_grew(before);
    if (rp.cfg->certs_dir) {
        report_write_certs(f->tls.server_chain, f->tls.n_server_chain);
        report_write_certs(f->tls.client_chain, f->tls.n_client_chain);
    }
    certcache_session_done(f->tls.server_chain, f->tls.n_server_chain);
    certcache_session_done(f->tls.client_chain, f->tls.n_client_chain);
}

void
report_dns_addr(const char *name, const struct ipaddr *addr, const struct ipaddr *resolver_client,
                int64_t ts_us)
{
    (void)resolver_client;
    uint64_t before = mem_in_use();
    dnslearn_addr(name, addr, ts_us);
    report_tables_grew(before);
}

void
report_dns_mx(const char *domain, const char *mx_host, const struct ipaddr *resolver_client,
              uint32_t ttl, int64_t ts_us)
{
    uint64_t before = mem_in_use();
    dnslearn_mx_to(domain, mx_host, resolver_client, ttl, ts_us);
    report_tables_grew(before);
}

void
report_dns_cname(const char *alias, const char *target, bool ad, int64_t ts_us)
{
    uint64_t before = mem_in_use();
    dnslearn_cname(alias, target, ad, ts_us);
    report_tables_grew(before);
}

void
report_dns_tlsa(const char *owner, uint8_t usage, uint8_t selector, uint8_t mtype,
                const uint8_t *data, size_t len, bool ad)
{
    uint64_t before = mem_in_use();
    (void)tlsa_add(owner, usage, selector, mtype, data, len, ad, TLSA_SRC_DNS);
    report_tables_grew(before);
}

/* The stats record's "keylog": each --keylog file's TLS 1.3 client randoms
 * and how many a handshake of the capture looked up, against the capture's
 * TLS 1.3 handshakes and those decrypted: a key log of another capture
 * matches none. */
static void
report_keylog_json(struct json *j)
{
    json_obj_begin(j, "keylog");
    json_arr_begin(j, "files");
    for (unsigned i = 0; i < rp.cfg->n_keylogs; i++) {
        uint32_t randoms, matched;
        keylog_file_stats(i, &randoms, &matched);
        json_obj_begin(j, NULL);
        json_str(j, "file", rp.cfg->keylogs[i]);
        json_uint(j, "client_randoms", randoms);
        json_uint(j, "client_randoms_matched", matched);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_uint(j, "tls13_handshakes", rp.tls13);
    json_uint(j, "tls13_handshakes_decrypted", rp.tls13_decrypted);
    /* the others a key log had: why they were not (tls.decrypted false) */
    json_uint(j, "tls13_handshakes_no_server_secret", rp.tls13_kl[TLS_KL_NO_SERVER_SECRET]);
    json_uint(j, "tls13_handshakes_secret_mismatch", rp.tls13_kl[TLS_KL_MISMATCH]);
    json_uint(j, "tls13_handshakes_cut", rp.tls13_kl[TLS_KL_CUT] + rp.tls13_kl[TLS_KL_PARTIAL]);
    json_obj_end(j);
}

void
report_port_note(struct report_ports *p, uint16_t port)
{
    unsigned i = 0;
    while (i < p->n && p->port[i] < port)
        i++;
    if (i < p->n && p->port[i] == port)
        return;
    if (p->n == REPORT_PORTS_MAX) { /* the lowest kept: the same whatever the order */
        p->more = true;
        if (i == p->n)
            return;
        p->n--;
    }
    memmove(&p->port[i + 1], &p->port[i], (p->n - i) * sizeof(p->port[0]));
    p->port[i] = port;
    p->n++;
}

bool
report_filter_none(const struct config *cfg, const struct run_stats *st)
{
    return cfg && cfg->bpf && !cfg->iface && st->packets == 0 &&
           (st->records_uncounted || st->records_read > 0);
}

/* The stats record's "tunnels": layers taken off per kind and the tunnel
 * headers' outcomes; only when a frame had a tunnel header. */
static void
report_tunnels_json(struct json *j, const struct run_stats *s)
{
    uint64_t any = s->tun_truncated | s->tun_malformed | s->tun_too_deep | s->tun_oam;
    for (unsigned k = 1; k < DECODE_TUN_KINDS; k++)
        any |= s->tunnels[k];
    if (any == 0)
        return;
    json_obj_begin(j, "tunnels");
    for (unsigned k = 1; k < DECODE_TUN_KINDS; k++) /* vxlan, geneve, gre, ... */
        json_uint(j, decode_tun_name(k), s->tunnels[k]);
    json_uint(j, "truncated", s->tun_truncated);
    json_uint(j, "malformed", s->tun_malformed);
    json_uint(j, "too_deep", s->tun_too_deep);
    json_uint(j, "oam", s->tun_oam);
    json_obj_end(j);
}

static void
report_stats_json(struct json *j, const struct run_stats *s)
{
    json_obj_begin(j, NULL);
    json_str(j, "event", "stats");
    if (agg.snapshot)
        json_bool(j, "snapshot", true);
    if (s->first_us)
        json_ts(j, "first_packet", s->first_us);
    else
        json_null(j, "first_packet");
    if (s->last_us)
        json_ts(j, "last_packet", s->last_us);
    else
        json_null(j, "last_packet");
    json_uint(j, "files_read", s->files_read);
    json_uint(j, "files_damaged", s->files_damaged);
    if (s->files_unread) /* only when some -r input was not read */
        json_uint(j, "files_unread", s->files_unread);
    if (s->files_damaged && s->damaged) { /* where each was cut: what came after is unknown */
        json_arr_begin(j, "damaged_files");
        unsigned n =
            s->files_damaged < CAPTURE_DAMAGED_MAX ? s->files_damaged : CAPTURE_DAMAGED_MAX;
        for (unsigned i = 0; i < n; i++) {
            const struct capture_damage *d = &s->damaged[i];
            json_obj_begin(j, NULL);
            json_str(j, "file", d->file);
            json_str(j, "damage", d->truncated ? "truncated" : "malformed");
            json_uint(j, "packets", d->packets);
            if (d->last_ts_us)
                json_ts(j, "last_packet", d->last_ts_us);
            else
                json_null(j, "last_packet");
            if (d->offset >= 0)
                json_uint(j, "offset", (uint64_t)d->offset);
            else
                json_null(j, "offset");
            json_str(j, "error", d->error);
            json_obj_end(j);
        }
        json_arr_end(j);
    }
    json_uint(j, "packets", s->packets);
    json_uint(j, "bytes", s->bytes);
    json_uint(j, "drops", s->drops);
    json_uint(j, "ifdrops", s->ifdrops);
    json_uint(j, "truncated_frames", s->truncated_frames);
    json_uint(j, "truncated_after_capture", s->truncated_after_capture);
    json_uint(j, "decode_errors", s->decode_errors);
    json_uint(j, "fragments", s->fragments);
    json_uint(j, "fragment_datagrams", s->frag_datagrams);
    json_uint(j, "fragment_datagrams_incomplete", s->frag_incomplete);
    json_uint(j, "fragment_datagrams_dropped", s->frag_dropped);
    json_uint(j, "fragments_duplicate", s->frag_duplicates);
    json_uint(j, "fragments_overlapping", s->frag_overlaps);
    json_uint(j, "fragments_malformed", s->frag_malformed);
    json_uint(j, "not_ip", s->not_ip);
    json_uint(j, "other_proto", s->other_proto);
    json_uint(j, "unsupported_link_frames", s->unsupported_link_frames);
    report_tunnels_json(j, s);
    json_uint(j, "flows", s->flows);
    json_uint(j, "mail_flows", s->mail_flows);
    json_uint(j, "sessions", rp.sessions);
    json_uint(j, "evictions", s->evictions);
    json_uint(j, "timeouts", s->timeouts);
    json_uint(j, "untracked_packets", s->untracked_packets);
    json_uint(j, "flows_open_peak", s->flows_open_peak); /* the load (engine_load.h) */
    if (s->flows_open_peak)
        json_ts(j, "flows_open_peak_at", s->flows_open_peak_us);
    else
        json_null(j, "flows_open_peak_at");
    json_uint(j, "flows_dissected_peak", s->flows_dissected_peak);
    json_uint(j, "flows_dissection_refused", s->flows_dissection_refused);
    json_uint(j, "tls_other_protocol", s->tls_other);
    json_uint(j, "timestamp_outliers", s->ts_outliers);
    json_uint(j, "vlan_split_connections", s->vlan_split);
    if (report_filter_none(rp.cfg, s)) { /* as the report's last count line says it */
        json_obj_begin(j, "filter_matched_none");
        json_str(j, "filter", rp.cfg->bpf);
        if (s->records_uncounted)
            json_null(j, "packets_read"); /* --libpcap-reader: not seen */
        else
            json_uint(j, "packets_read", s->records_read);
        json_obj_end(j);
    }
    if (s->ev_on) { /* -w only */
        json_obj_begin(j, "evidence");
        json_str(j, "file", rp.cfg->write_path);
        json_uint(j, "frames", s->ev_frames);
        json_uint(j, "payload_cut", s->ev_cut);
        json_uint(j, "reassembled", s->ev_reassembled);
        json_uint(j, "other_link_not_written", s->ev_other_link);
        json_uint(j, "reassembled_not_written", s->ev_reassembled_not_written);
        json_uint(j, "held", s->ev_held);
        json_uint(j, "held_given_up", s->ev_held_cut);
        json_uint(j, "retransmission_differs", s->ev_retx_differs);
        json_uint(j, "from_detection", s->ev_from_detection);
        json_obj_end(j);
    }
    if (rp.cfg->n_keylogs) /* --keylog only: did it match this capture? */
        report_keylog_json(j);
    json_uint(j, "certificates", s->certificates);
    json_uint(j, "certificates_distinct", s->certificates_distinct);
    json_uint(j, "certificate_parse_errors", s->certificate_parse_errors);
    json_uint(j, "certificate_write_errors", rp.cert_write_errors);
    json_uint(j, "dns_names_dropped", dnslearn_dropped() + tlsa_dropped());
    json_uint(j, "server_sessions_dropped", s->server_sessions_dropped);
    json_uint(j, "names_dropped", s->names_dropped);
    json_uint(j, "peer_certificates_dropped", s->peer_certificates_dropped);
    json_uint(j, "peer_sessions_dropped", s->peer_sessions_dropped);
    json_uint(j, "cap_hits", s->cap_hits); /* these drops included (main.c) */
    json_uint(j, "memory_peak", s->memory_peak);
    if (s->capture_error != NULL) /* stopped on an error, after packets were read */
        json_str(j, "capture_error", s->capture_error);
    if (truststore_known())
        json_uint(j, "trust_store_certificates", truststore_count());
    else
        json_null(j, "trust_store_certificates");
    json_obj_end(j);
    json_record_end(j);
}

void
report_tick(void)
{
    if (rp.out == NULL)
        return;
    /* also when nothing is buffered here: json_record_end hands 64 KiB at a
     * time to stdio, which may still hold the end of a record */
    (void)json_flush(&rp.j);
    int e = rp.j.err;                   /* the first failure's, wherever it happened */
    if (rp.j.error && !rp.error_said) { /* said once now, and again at the end */
        rp.error_said = true;
        term_msg(stderr, "smtptap: --json %s: write error (%s)%s\n", rp.cfg->json_path,
                 fdwait_strerror(e), e == EPIPE ? ": stopping" : "");
        rp.broken_pipe = e == EPIPE;
    }
}

/* The terminal report (unless -q): on stdout, or on stderr when the NDJSON
 * goes to stdout. A snapshot's is headed by what it covers. */
static void
report_text(const struct run_stats *stats)
{
    if (rp.cfg->quiet)
        return;
    bool to_err = rp.out_stdout;
    FILE *tf = to_err ? term_err() : report_term();
    bool color =
        rp.cfg->color == 1 || (rp.cfg->color < 0 && isatty(to_err ? STDERR_FILENO : STDOUT_FILENO));
    if (agg.snapshot) {
        char t[40] = "-";
        if (stats->last_us)
            agg_ts_short(stats->last_us, t, sizeof(t));
        fprintf(tf,
                "=== report so far: the %" PRIu64 " session%s ended up to %s UTC; connections "
                "still open are not in it ===\n",
                rp.sessions, rp.sessions == 1 ? "" : "s", t);
    }
    /* the sessions counted are the session records (the stats record's
     * "sessions"), not the flows handed to a dissector */
    struct run_stats ts = *stats;
    ts.sessions = rp.sessions;
    ts.tls13_handshakes = rp.tls13;
    ts.tls13_decrypted = rp.tls13_decrypted;
    ts.tls13_no_server_secret = rp.tls13_kl[TLS_KL_NO_SERVER_SECRET];
    ts.tls13_mismatch = rp.tls13_kl[TLS_KL_MISMATCH];
    ts.tls13_cut = rp.tls13_kl[TLS_KL_CUT] + rp.tls13_kl[TLS_KL_PARTIAL];
    agg_write_text(tf, &ts, color);
    if (agg.snapshot)
        fprintf(tf, "=== end of the report so far ===\n");
    int flushed = fflush(tf), e = errno; /* the cause when the flush failed (ENOSPC, EIO) */
    if (flushed != 0 || ferror(tf)) {
        if (!to_err && !rp.stdout_error_said)
            term_msg(stderr, "smtptap: standard output: write error%s%s%s\n", flushed ? " (" : "",
                     flushed ? fdwait_strerror(e) : "", flushed ? ")" : "");
        rp.stdout_error_said = !to_err;
        rp.write_failed = true;
    }
}

/* What the findings need of the run's counts: the defragmenter's drops. */
static void
report_agg_stats(const struct run_stats *st)
{
    uint64_t caps = st->frag_cap_max + st->frag_cap_mem;
    agg_frag_drops(st->frag_cap_max, st->frag_cap_mem,
                   st->frag_dropped > caps ? st->frag_dropped - caps : 0);
    agg_frag_incomplete(st->frag_incomplete);
}

void
report_snapshot(const struct run_stats *stats)
{
    report_agg_stats(stats);
    if (!agg_snapshot_begin()) {
        term_msg(stderr, "smtptap: report so far: no memory left under the memcap; skipped\n");
        return;
    }
    if (rp.out) {
        agg_write_json(&rp.j);
        report_stats_json(&rp.j, stats);
    }
    report_text(stats);
    agg_snapshot_end();
    report_tick(); /* the records out now, and a write error said */
}

/* --expect ADDRESS=NAME whose ADDRESS no SMTP or TLS session went to: said
 * on stderr at the end, for a typo in the address would leave the name
 * unchecked without a word. The address is in inet_ntop's form (cli.c). */
static void
report_expect_unseen(void)
{
    for (unsigned i = 0; i < rp.cfg->n_expect; i++) {
        const char *e = rp.cfg->expect[i], *eq = strchr(e, '=');
        char addr[64];
        struct ipaddr ip;
        memset(&ip, 0, sizeof(ip));
        if (eq == NULL || (size_t)(eq - e) >= sizeof(addr))
            continue;
        memcpy(addr, e, (size_t)(eq - e));
        addr[eq - e] = '\0';
        ip.family = strchr(addr, ':') != NULL ? 6 : 4;
        if (inet_pton(ip.family == 6 ? AF_INET6 : AF_INET, addr, ip.a) != 1 || agg_server_seen(&ip))
            continue;
        term_msg(stderr,
                 "smtptap: warning: --expect %s: no SMTP or TLS server at %s was seen in the "
                 "capture, so %s was checked nowhere (is the address right?)\n",
                 e, addr, eq + 1);
    }
}

int
report_finish(const struct run_stats *stats)
{
    report_agg_stats(stats);
    agg_finish();
    if (rp.out)
        agg_write_json(&rp.j);
    report_stats_json(&rp.j, stats);
    int rc = json_flush(&rp.j);
    if (rc != 0)
        term_msg(stderr, "smtptap: --json %s: write error (%s)\n", rp.cfg->json_path,
                 fdwait_strerror(rp.j.err));
    rp.write_failed = rp.write_failed || rc != 0 || rp.cert_write_errors > 0;
    if (rp.cfg->tlsrpt_path &&
        tlsrpt_write(rp.cfg->tlsrpt_path, stats->first_us, stats->last_us) != 0)
        rp.write_failed = true;
    report_text(stats);
    if (rp.term != NULL && rp.term != stdout && fclose(rp.term) != 0 && !rp.stdout_error_said) {
        term_msg(stderr, "smtptap: standard output: %s\n", strerror(errno));
        rp.write_failed = true;
    }
    rp.term = NULL;
    if (rp.out_owned && fclose(rp.out) != 0 && !rp.j.error) { /* said above */
        term_msg(stderr, "smtptap: --json %s: %s\n", rp.cfg->json_path, strerror(errno));
        rp.write_failed = true;
    }
    json_free(&rp.j);
    report_cert_cache_free();
    int worst = agg_max_severity();
    report_expect_unseen();
    agg_fini();
    dnslearn_fini();
    return worst;
}

void
report_reopen(void)
{
    if (!rp.out_owned || rp.out == NULL || rp.out_stdout)
        return;
    report_tick();
    FILE *f = fdwait_fopen_write(rp.cfg->json_path, true);
    if (f == NULL) { /* keep writing where it went until now */
        term_msg(stderr, "smtptap: --json %s: cannot reopen: %s\n", rp.cfg->json_path,
                 fdwait_strerror(errno));
        return;
    }
    if (fclose(rp.out) != 0)
        json_failed(&rp.j); /* the errno of the failed close, said as the others are */
    rp.out = f;
    rp.j.f = f;
    term_msg(stderr, "smtptap: --json %s: reopened\n", rp.cfg->json_path);
}

bool
report_output_gone(void)
{
    return rp.broken_pipe;
}

bool
report_write_failed(void)
{
    return rp.write_failed;
}
