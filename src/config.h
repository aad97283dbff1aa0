/* \summary: run-time configuration: options and every named cap.
 *
 * One struct, filled by main.c from the command line and read-only afterwards.
 * Every cap has a name (the key accepted by --cap NAME=VALUE), a default here,
 * and a line in the README and the man page.
 */
#ifndef SMTPTAP_CONFIG_H
#define SMTPTAP_CONFIG_H

/* The smallest memcap accepted: below it a run fails or crashed (OpenSSL's
 * start-up refused an allocation; at 8M the capture reader's buffers did
 * not fit next to the flow table and the trust store). */
#define CONFIG_MEMCAP_MIN (16ull << 20)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_PORTS  64
#define CONFIG_MAX_INPUTS 64
#define CONFIG_MAX_CA     16
#define CONFIG_MAX_EXPECT 64

struct config {
    /* inputs */
    const char *inputs[CONFIG_MAX_INPUTS]; /* -r FILE (repeatable, "-" = stdin) */
    unsigned n_inputs;
    const char *iface;    /* -i IFACE */
    const char *bpf;      /* trailing expression */
    int snaplen;          /* -s, default 262144 */
    int buffer_kib;       /* -B, capture buffer in KiB as tcpdump's (0 = libpcap default) */
    bool promisc;         /* default true; -p turns it off */
    bool libpcap_reader;  /* --libpcap-reader: files through libpcap, not capfile.c */
    uint64_t max_packets; /* -c, 0 = unlimited */
    /* ports */
    uint16_t mail_ports[CONFIG_MAX_PORTS]; /* 25, 587, 465 + --ports */
    unsigned n_mail_ports;
    uint16_t tls_ports[CONFIG_MAX_PORTS]; /* implicit TLS: 465 (+ --tls-ports) */
    unsigned n_tls_ports;
    /* outputs */
    const char *json_path;      /* --json PATH, "-" = stdout */
    const char *tlsrpt_path;    /* --tlsrpt PATH: an RFC 8460 report, "-" = stdout */
    const char *certs_dir;      /* --certs DIR */
    const char *write_path;     /* -w FILE: the mail flows' frames (evidence.h) */
    bool quiet;                 /* -q: no terminal report */
    bool progress;              /* progress on stderr (only on a tty) */
    unsigned report_interval_s; /* --report-interval: live, the report so far every N s */
    int color;                  /* -1 auto, 0 never, 1 always */
    /* verdicts (issue 4) */
    const char *ca_files[CONFIG_MAX_CA];
    unsigned n_ca_files;
    const char *keylogs[CONFIG_MAX_CA]; /* --keylog */
    unsigned n_keylogs;
    const char *tlsa_files[CONFIG_MAX_CA]; /* --tlsa */
    unsigned n_tlsa_files;
    const char *ca_paths[CONFIG_MAX_CA];
    unsigned n_ca_paths;
    bool no_system_ca;                     /* --no-system-ca */
    int64_t at_us;                         /* --at: 0 = capture time, else fixed time */
    int expiry_warn_days;                  /* --expiry-warn, default 30 */
    const char *expect[CONFIG_MAX_EXPECT]; /* --expect NAME or ADDRESS=NAME */
    unsigned n_expect;
    int fail_on;      /* --fail-on severity, -1 = never */
    bool use_ndpi;    /* nDPI classification (if built in) */
    bool ignore_vlan; /* VLAN tags are no part of a connection's identity (--ignore-vlan) */
    /* caps (all settable with --cap NAME=VALUE) */
    uint32_t flow_max;           /* flow.max: flows tracked at once */
    uint32_t flow_timeout;       /* flow.timeout: idle seconds (packet time) */
    uint32_t flow_timeout_emerg; /* flow.timeout_emergency: idle seconds when full */
    uint64_t memcap;             /* memcap: bytes for all accounted memory */
    uint32_t reasm_depth;        /* reasm.depth: bytes per direction dissected */
    uint32_t reasm_ooo_max;      /* reasm.ooo_max: out-of-order bytes per direction */
    uint32_t reasm_buf_max;      /* reasm.buf_max: unconsumed bytes a dissector may hold */
    uint32_t reasm_hole_wait;    /* reasm.hole_wait: sender's packets an acknowledged hole waits */
    uint32_t defrag_max;         /* defrag.max: IP datagrams in reassembly at once */
    uint32_t defrag_mem_max;     /* defrag.mem_max: bytes those datagrams hold */
    uint32_t defrag_timeout;     /* defrag.timeout: seconds of packet time per datagram */
    uint32_t flow_mem_max;       /* flow.mem_max: dissector memory per flow */
    uint32_t smtp_line_max;      /* smtp.line_max */
    uint32_t smtp_pending_max;   /* smtp.pending_cmds */
    uint32_t tls_hs_msg_max;     /* tls.hs_msg_max */
    uint32_t tls_records_max;    /* tls.records_max: records per direction before giving up */
    uint32_t tls_resume_max;     /* tls.resume_max: resumable sessions remembered (resume.c) */
    uint32_t tls_ocsp_max;       /* tls.ocsp_max: bytes of a stapled OCSP response kept */
    uint32_t ocsp_cache_max;     /* ocsp.cache_max: OCSP responses whose judgement is kept */
    uint32_t x509_cert_max;      /* x509.cert_max: bytes per certificate */
    uint32_t x509_chain_max;     /* x509.chain_max: certificates per chain */
    uint32_t cert_cache_max;     /* certcache.max: distinct certificates kept */
    uint32_t report_servers_max; /* report.servers_max */
    uint32_t report_peers_max;   /* report.peers_max: peers itemised per server */
    uint32_t hash_seed;          /* --seed (0 = random); tests fix it */
};

/* Fills defaults. */
void config_defaults(struct config *c);

/* Sets cap NAME to VALUE ("flow.max=1000"); returns 0, or -1 with a message
 * in err (size errlen) for an unknown name or bad value. */
int config_set_cap(struct config *c, const char *assignment, char *err, size_t errlen);

/* Lists the caps with their values on f (for --help-caps). */
struct config_cap_desc {
    const char *name;
    const char *help;
};
extern const struct config_cap_desc config_caps[];

bool config_is_mail_port(const struct config *c, uint16_t port);
bool config_is_tls_port(const struct config *c, uint16_t port);
/* A port of another protocol over implicit TLS (443, 993...): TLS there
 * is not mail unless --tls-ports names it (engine.c). */
bool config_other_tls_port(uint16_t port);

/* True when the environment variable name is set to "off": the switches
 * that turn a shortcut off (SMTPTAP_SIGNATURE_MEMO, SMTPTAP_EARLY_VERIFY;
 * README "Environment"). */
bool config_env_off(const char *name);

#endif /* SMTPTAP_CONFIG_H */
