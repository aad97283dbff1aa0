/* \summary: command-line parsing (see cli.h). The short options are
 * tcpdump's where they mean the same thing (-r -i -s -B -p -c -q), and a
 * trailing expression is a BPF filter, as in tcpdump. */
#include "cli.h"
#include "termtext.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum {
    OPT_JSON = 256,
    OPT_CERTS,
    OPT_PORTS,
    OPT_TLS_PORTS,
    OPT_CAP,
    OPT_HELP_CAPS,
    OPT_SEED,
    OPT_COLOR,
    OPT_NO_PROGRESS,
    OPT_CA_FILE,
    OPT_KEYLOG,
    OPT_TLSA,
    OPT_CA_PATH,
    OPT_NO_SYSTEM_CA,
    OPT_AT,
    OPT_EXPIRY_WARN,
    OPT_EXPECT,
    OPT_FAIL_ON,
    OPT_NO_NDPI,
    OPT_IGNORE_VLAN,
    OPT_LIBPCAP_READER,
    OPT_REPORT_INTERVAL,
    OPT_TLSRPT,
};

static const struct option cli_long[] = {
    {"read", required_argument, NULL, 'r'},
    {"interface", required_argument, NULL, 'i'},
    {"snaplen", required_argument, NULL, 's'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"count", required_argument, NULL, 'c'},
    {"quiet", no_argument, NULL, 'q'},
    {"json", required_argument, NULL, OPT_JSON},
    {"certs", required_argument, NULL, OPT_CERTS},
    {"tlsrpt", required_argument, NULL, OPT_TLSRPT},
    {"write", required_argument, NULL, 'w'},
    {"ports", required_argument, NULL, OPT_PORTS},
    {"tls-ports", required_argument, NULL, OPT_TLS_PORTS},
    {"cap", required_argument, NULL, OPT_CAP},
    {"help-caps", no_argument, NULL, OPT_HELP_CAPS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"color", required_argument, NULL, OPT_COLOR},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"tlsa", required_argument, NULL, OPT_TLSA},
    {"ca-path", required_argument, NULL, OPT_CA_PATH},
    {"no-system-ca", no_argument, NULL, OPT_NO_SYSTEM_CA},
    {"at", required_argument, NULL, OPT_AT},
    {"expiry-warn", required_argument, NULL, OPT_EXPIRY_WARN},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"no-ndpi", no_argument, NULL, OPT_NO_NDPI},
    {"ignore-vlan", no_argument, NULL, OPT_IGNORE_VLAN},
    {"libpcap-reader", no_argument, NULL, OPT_LIBPCAP_READER},
    {"report-interval", required_argument, NULL, OPT_REPORT_INTERVAL},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"list-interfaces", no_argument, NULL, 'D'},
    {NULL, 0, NULL, 0},
};

void
cli_usage(FILE *f)
{
    fputs("Usage: smtptap [-DnpqhV] [-r file]... [-i interface] [-s snaplen] [-B kib]\n"
          "               [-c count] [-w file] [--json path] [--certs dir] [options]\n"
          "               [expression]\n"
          "\n"
          "Reads SMTP traffic (ports 25, 587, 465 and SMTP found on any port), follows\n"
          "STARTTLS into TLS and reports which certificate each server presented to which\n"
          "peer, every TLS alert, and what is wrong.\n"
          "\n"
          "Input (as tcpdump):\n"
          "  -r, --read FILE    read a pcap or pcapng file; repeat -r for several (one\n"
          "                     timeline, in the order given); - reads standard input\n"
          "  -i, --interface IFACE  capture live from IFACE (or the Nth interface of -D);\n"
          "                     Ctrl-C (SIGINT) or SIGTERM ends it with the report\n"
          "  -s, --snaplen N    bytes to capture per packet, live (0 or default: 262144)\n"
          "  -B, --buffer-size KIB  capture buffer size in KiB, as tcpdump (live)\n"
          "  -p, --no-promiscuous-mode  do not put the interface into promiscuous mode\n"
          "  -c, --count COUNT  stop after COUNT packets\n"
          "  -n                 accepted, as tcpdump's: smtptap resolves no names\n"
          "  -D, --list-interfaces  list the interfaces to capture on, as tcpdump -D\n"
          "  --libpcap-reader   read files with libpcap instead of smtptap's faster reader\n"
          "  expression         BPF filter, as in tcpdump ('host 192.0.2.1 and port 25')\n"
          "\n"
          "Output:\n"
          "  --json PATH        NDJSON records (session, flow, server, name, finding,\n"
          "                     stats); - = stdout (the report then goes to stderr)\n"
          "  --certs DIR        write every distinct certificate as DIR/<sha256>.pem\n"
          "  --tlsrpt FILE      an SMTP TLS Reporting (RFC 8460) JSON report of the\n"
          "                     sessions seen on the wire (not a sender's report);\n"
          "                     - = stdout, with -q\n"
          "  -w, --write FILE   write the mail flows' packets to FILE (pcap) as evidence:\n"
          "                     TLS handshakes whole, EHLO/STARTTLS and the replies\n"
          "                     before the envelope; AUTH, commands from MAIL on and\n"
          "                     their replies, message text and data after the\n"
          "                     handshake cut after the TCP header\n"
          "  -q, --quiet        no terminal report\n"
          "  --color WHEN       auto (default), always or never\n"
          "  --no-progress      no progress line on stderr (shown only for files read\n"
          "                     with stderr on a terminal)\n"
          "  --report-interval SECONDS  live: the report so far every SECONDS (the\n"
          "                     terminal report, and server, name, finding and stats\n"
          "                     records marked \"snapshot\"); SIGUSR1 asks for one at once\n"
          "\n"
          "Protocol:\n"
          "  --ports LIST       more SMTP ports, comma-separated (25, 587 and 465 always)\n"
          "  --tls-ports LIST   more implicit-TLS ports (465 always); TLS on 443 and other\n"
          "                     protocols' ports, or whose ALPN names neither smtp nor\n"
          "                     submission (browsers'), is left out unless its port is\n"
          "                     given here\n"
          "  --no-ndpi          do not use nDPI to classify flows on other ports\n"
          "  --ignore-vlan      VLAN tags are no part of a connection (a span port that\n"
          "                     tags one direction only, or tags it differently)\n"
          "  --keylog FILE      TLS key log (SSLKEYLOGFILE format): decrypt TLS 1.3\n"
          "                     handshakes to see their certificates and alerts; repeatable\n"
          "\n"
          "Verdicts:\n"
          "  --ca-file FILE     trust the CA certificates in FILE (PEM); repeatable\n"
          "  --ca-path DIR      trust the hashed CA directory DIR; repeatable\n"
          "  --no-system-ca     do not trust the system CA bundle\n"
          "  --at WHEN          judge validity at WHEN (now, 2026-01-31,\n"
          "                     2026-01-31T12:00:00Z, or seconds since the epoch) instead\n"
          "                     of at each session's capture time\n"
          "  --expiry-warn DAYS warn about certificates expiring within DAYS of the\n"
          "                     capture's end, or of --at (default 30)\n"
          "  --expect NAME      the name clients expect the server to present;\n"
          "  --expect ADDR=NAME ... for server ADDR only; repeatable\n"
          "  --tlsa FILE        TLSA records (DANE, RFC 7672) as zone-file lines\n"
          "                     \"_25._tcp.mx.example.com. [TTL] [IN] TLSA 3 1 1 HEX\",\n"
          "                     for when the capture lacks the DNS answers; repeatable\n"
          "  --fail-on SEV      exit 1 when a finding of severity SEV or worse exists\n"
          "                     (critical, high, medium, low, info; any case)\n"
          "\n"
          "Limits:\n"
          "  --cap NAME=VALUE   set a cap (flow.max, memcap, smtp.line_max, ...; K/M/G\n"
          "                     suffixes)\n"
          "  --help-caps        list the caps and their defaults\n"
          "  --seed N           fixed flow-hash seed (tests); default random\n"
          "\n"
          "  -h, --help         this help\n"
          "  -V, --version      version, with libpcap's, OpenSSL's and nDPI's\n"
          "\n"
          "Exit status: 0 ok, 1 findings at or above --fail-on, 2 usage error,\n"
          "3 input or output error (unreadable capture, bad filter, bad trust store or key\n"
          "log, output not opened or not written in full), 4 internal error. A run with\n"
          "both an input or output error and such findings exits 3, not 1.\n"
          "A run that can read nothing (a -r file missing, not a capture, or cut before\n"
          "its first packet; no permission) writes nothing: no report, an existing --json\n"
          "file left alone. A file with a header and no packet is an empty capture: its\n"
          "report, exit 0.\n"
          "\n"
          "Examples:\n"
          "  smtptap -r gateway.pcap\n"
          "  smtptap -r mx.pcapng --json - --ca-file corp-root.pem 'port 25'\n"
          "  smtptap -i eth1 -q --json /var/log/smtptap.json --fail-on high\n",
          f);
}

/* An output option given twice: the last is used, as getopt programs do
 * (tcpdump -w), said on stderr so that the first file's absence is no
 * surprise. */
static void
cli_again(const char *opt, const char *was, const char *now)
{
    if (was != NULL && strcmp(was, now) != 0)
        term_msg(stderr, "smtptap: %s given twice: writing %s, not %s\n", opt, now, was);
}

static int
cli_port_list(const char *s, uint16_t *ports, unsigned *n, const char *opt)
{
    size_t len = strlen(s);
    if (len == 0 || s[0] == ',' || s[len - 1] == ',' || strstr(s, ",,") != NULL) {
        term_msg(stderr, "smtptap: %s: '%s': an empty port in the list\n", opt, s);
        return -1; /* strtok_r would skip it: "25,,26" read as two ports */
    }
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        errno = 0;
        long v = strtol(tok, &end, 10);
        if (errno || *end != '\0' || v < 1 || v > 65535) {
            term_msg(stderr, "smtptap: %s: '%s' is not a port number\n", opt, tok);
            rc = -1;
            break;
        }
        bool dup = false;
        for (unsigned i = 0; i < *n; i++)
            dup |= ports[i] == (uint16_t)v;
        if (dup)
            continue;
        if (*n >= CONFIG_MAX_PORTS) {
            term_msg(stderr, "smtptap: %s: at most %d ports\n", opt, CONFIG_MAX_PORTS);
            rc = -1;
            break;
        }
        ports[(*n)++] = (uint16_t)v;
    }
    free(copy);
    return rc;
}

static int
cli_uint(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || end == s || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int
cli_parse_time(const char *s, int64_t now_us, int64_t *us)
{
    if (strcmp(s, "now") == 0) {
        *us = now_us;
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL) {
        memset(&tm, 0, sizeof(tm));
        end = strptime(s, "%Y-%m-%d", &tm);
    }
    if (end != NULL && (*end == '\0' || strcmp(end, "Z") == 0)) {
        struct tm asked = tm;
        time_t t = timegm(&tm);
        /* timegm makes 2026-02-31 into March 3: such a date is refused */
        if (t == (time_t)-1 || tm.tm_mday != asked.tm_mday || tm.tm_mon != asked.tm_mon ||
            tm.tm_hour != asked.tm_hour || tm.tm_min != asked.tm_min || tm.tm_sec != asked.tm_sec)
            return -1;
        *us = (int64_t)t * 1000000;
        return 0;
    }
    long v;
    if (cli_uint(s, 0, 253402300799L, &v) == 0) {
        *us = (int64_t)v * 1000000;
        return 0;
    }
    return -1;
}

int
cli_parse_severity(const char *s)
{
    static const char *names[] = {"info", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, names[i]) == 0) /* in any case: high, HIGH */
            return i + 1;
    return -1;
}

/* --expect NAME or ADDRESS=NAME: ADDRESS (IPv4, IPv6, or IPv6 in brackets)
 * is written in the form the records use (inet_ntop), so that any spelling
 * of it matches, in kept[slot]. Returns the argument to keep, or NULL when
 * it is not one. */
/* A host name as a certificate names one (RFC 1123 §2.1 labels: letters,
 * digits, '-', '_' as seen in the wild; RFC 6125 §6.4.3 a leading "*." for a
 * wildcard), at most 253 characters, an optional final dot. */
static bool
cli_host_name(const char *n)
{
    size_t len = strlen(n);
    if (len > 0 && n[len - 1] == '.')
        len--; /* the root's dot */
    if (len == 0 || len > 253)
        return false;
    if (len > 2 && n[0] == '*' && n[1] == '.') {
        n += 2;
        len -= 2;
    }
    size_t label = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || n[i] == '.') { /* a label ends: not empty, no '-' at either end */
            if (label == 0 || n[i - 1] == '-')
                return false;
            label = 0;
        } else if (isalnum((unsigned char)n[i]) || n[i] == '_' || (n[i] == '-' && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

static const char *
cli_expect(const char *arg, unsigned slot)
{
    static char kept[CONFIG_MAX_EXPECT][INET6_ADDRSTRLEN + 256];
    const char *eq = strchr(arg, '=');
    if (!cli_host_name(eq != NULL ? eq + 1 : arg))
        return NULL;
    if (eq == NULL)
        return arg; /* a name for every server */
    char addr[INET6_ADDRSTRLEN + 2];
    size_t an = (size_t)(eq - arg);
    if (an >= 2 && arg[0] == '[' && arg[an - 1] == ']') {
        arg++;
        an -= 2;
    }
    if (an == 0 || an >= sizeof(addr) || strlen(eq + 1) >= 255 || slot >= CONFIG_MAX_EXPECT)
        return NULL;
    memcpy(addr, arg, an);
    addr[an] = '\0';
    unsigned char bin[16];
    char canon[INET6_ADDRSTRLEN];
    int af = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
    if (inet_pton(af, addr, bin) != 1 || inet_ntop(af, bin, canon, sizeof(canon)) == NULL)
        return NULL;
    snprintf(kept[slot], sizeof(kept[slot]), "%s=%s", canon, eq + 1);
    return kept[slot];
}

enum cli_action
cli_parse(int argc, char **argv, struct config *cfg)
{
    int c;
    long v;
    char err[256];
    opterr = 0;
#if defined(__GLIBC__)
    optind = 0; /* glibc: a full restart, permutation state included (tests parse again) */
#else
    optind = 1;
#endif
    while ((c = getopt_long(argc, argv, ":r:i:s:B:pc:w:qhVnD", cli_long, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (cfg->n_inputs >= CONFIG_MAX_INPUTS) {
                term_msg(stderr, "smtptap: at most %d -r files\n", CONFIG_MAX_INPUTS);
                return CLI_ERROR;
            }
            cfg->inputs[cfg->n_inputs++] = optarg;
            break;
        case 'i':
            cfg->iface = optarg;
            break;
        case 's':
            if (cli_uint(optarg, 0, 262144, &v) != 0) {
                term_msg(stderr, "smtptap: -s: snaplen must be 0..262144\n");
                return CLI_ERROR;
            }
            cfg->snaplen = v == 0 ? 262144 : (int)v;
            break;
        case 'B':
            /* KiB, as tcpdump's -B; libpcap takes the bytes as an int */
            if (cli_uint(optarg, 1, INT_MAX / 1024, &v) != 0) {
                term_msg(stderr,
                         "smtptap: -B: buffer size must be 1..%d KiB (as tcpdump's -B; "
                         "-B 65536 is 64 MiB)\n",
                         INT_MAX / 1024);
                return CLI_ERROR;
            }
            cfg->buffer_kib = (int)v;
            break;
        case 'p':
            cfg->promisc = false;
            break;
        case 'n': /* tcpdump's "no name resolution" (-n, -nn): smtptap resolves none */
            break;
        case 'c':
            if (cli_uint(optarg, 1, __LONG_MAX__, &v) != 0) {
                term_msg(stderr, "smtptap: -c: count must be a positive number\n");
                return CLI_ERROR;
            }
            cfg->max_packets = (uint64_t)v;
            break;
        case 'q':
            cfg->quiet = true;
            break;
        case OPT_JSON:
            cli_again("--json", cfg->json_path, optarg);
            cfg->json_path = optarg;
            break;
        case OPT_CERTS:
            cli_again("--certs", cfg->certs_dir, optarg);
            cfg->certs_dir = optarg;
            break;
        case OPT_TLSRPT: /* "-": checked below, once -q and --json are known */
            cli_again("--tlsrpt", cfg->tlsrpt_path, optarg);
            cfg->tlsrpt_path = optarg;
            break;
        case 'w':
            if (strcmp(optarg, "-") == 0) {
                term_msg(stderr, "smtptap: -w: give a file (the report and --json use standard "
                                 "output)\n");
                return CLI_ERROR;
            }
            cli_again("-w", cfg->write_path, optarg);
            cfg->write_path = optarg;
            break;
        case OPT_PORTS:
            if (cli_port_list(optarg, cfg->mail_ports, &cfg->n_mail_ports, "--ports") != 0)
                return CLI_ERROR;
            break;
        case OPT_TLS_PORTS:
            if (cli_port_list(optarg, cfg->tls_ports, &cfg->n_tls_ports, "--tls-ports") != 0)
                return CLI_ERROR;
            /* an implicit-TLS port is a mail port too */
            if (cli_port_list(optarg, cfg->mail_ports, &cfg->n_mail_ports, "--tls-ports") != 0)
                return CLI_ERROR;
            break;
        case OPT_CAP:
            if (config_set_cap(cfg, optarg, err, sizeof(err)) != 0) {
                term_msg(stderr, "smtptap: --cap: %s\n", err);
                return CLI_ERROR;
            }
            break;
        case OPT_HELP_CAPS:
            return CLI_HELP_CAPS;
        case OPT_SEED:
            if (cli_uint(optarg, 1, 0xffffffffL, &v) != 0) {
                term_msg(stderr, "smtptap: --seed: expected 1..4294967295\n");
                return CLI_ERROR;
            }
            cfg->hash_seed = (uint32_t)v;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                cfg->color = -1;
            else if (strcmp(optarg, "always") == 0)
                cfg->color = 1;
            else if (strcmp(optarg, "never") == 0)
                cfg->color = 0;
            else {
                term_msg(stderr, "smtptap: --color: expected auto, always or never\n");
                return CLI_ERROR;
            }
            break;
        case OPT_NO_PROGRESS:
            cfg->progress = false;
            break;
        case OPT_CA_FILE:
            if (cfg->n_ca_files >= CONFIG_MAX_CA) {
                term_msg(stderr, "smtptap: at most %d --ca-file\n", CONFIG_MAX_CA);
                return CLI_ERROR;
            }
            cfg->ca_files[cfg->n_ca_files++] = optarg;
            break;
        case OPT_KEYLOG:
            if (cfg->n_keylogs >= CONFIG_MAX_CA) {
                term_msg(stderr, "smtptap: at most %d --keylog\n", CONFIG_MAX_CA);
                return CLI_ERROR;
            }
            cfg->keylogs[cfg->n_keylogs++] = optarg;
            break;
        case OPT_TLSA:
            if (cfg->n_tlsa_files >= CONFIG_MAX_CA) {
                term_msg(stderr, "smtptap: at most %d --tlsa\n", CONFIG_MAX_CA);
                return CLI_ERROR;
            }
            cfg->tlsa_files[cfg->n_tlsa_files++] = optarg;
            break;
        case OPT_CA_PATH:
            if (cfg->n_ca_paths >= CONFIG_MAX_CA) {
                term_msg(stderr, "smtptap: at most %d --ca-path\n", CONFIG_MAX_CA);
                return CLI_ERROR;
            }
            cfg->ca_paths[cfg->n_ca_paths++] = optarg;
            break;
        case OPT_NO_SYSTEM_CA:
            cfg->no_system_ca = true;
            break;
        case OPT_AT: {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            if (cli_parse_time(optarg, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000,
                               &cfg->at_us) != 0) {
                term_msg(stderr, "smtptap: --at: expected now, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[Z] "
                                 "(UTC) or seconds since the epoch\n");
                return CLI_ERROR;
            }
            break;
        }
        case OPT_REPORT_INTERVAL:
            if (cli_uint(optarg, 1, 31 * 86400L, &v) != 0) {
                term_msg(stderr, "smtptap: --report-interval: expected seconds 1..2678400\n");
                return CLI_ERROR;
            }
            cfg->report_interval_s = (unsigned)v;
            break;
        case OPT_EXPIRY_WARN:
            if (cli_uint(optarg, 0, 36500, &v) != 0) {
                term_msg(stderr, "smtptap: --expiry-warn: expected days 0..36500\n");
                return CLI_ERROR;
            }
            cfg->expiry_warn_days = (int)v;
            break;
        case OPT_EXPECT: {
            const char *e =
                cfg->n_expect < CONFIG_MAX_EXPECT ? cli_expect(optarg, cfg->n_expect) : NULL;
            if (e == NULL) {
                term_msg(stderr,
                         "smtptap: --expect %s: expected NAME or ADDRESS=NAME, NAME a host name "
                         "(mx.example.org, *.example.org), ADDRESS an IPv4 or IPv6 address (at "
                         "most %d)%s\n",
                         optarg, CONFIG_MAX_EXPECT,
                         optarg[0] == '-' ? "; its NAME is missing before this option" : "");
                return CLI_ERROR;
            }
            cfg->expect[cfg->n_expect++] = e;
            break;
        }
        case OPT_FAIL_ON:
            cfg->fail_on = cli_parse_severity(optarg);
            if (cfg->fail_on < 0) {
                term_msg(stderr, "smtptap: --fail-on: expected critical, high, medium, low or "
                                 "info\n");
                return CLI_ERROR;
            }
            break;
        case OPT_NO_NDPI:
            cfg->use_ndpi = false;
            break;
        case OPT_IGNORE_VLAN:
            cfg->ignore_vlan = true;
            break;
        case OPT_LIBPCAP_READER:
            cfg->libpcap_reader = true;
            break;
        case 'h':
            return CLI_HELP;
        case 'V':
            return CLI_VERSION;
        case 'D': /* as tcpdump -D */
            return CLI_LIST_IFACES;
        case ':': /* the leading ':' of the option string: a missing argument */
            if (optopt > 0 && optopt < 256 && strncmp(argv[optind - 1], "--", 2) != 0)
                term_msg(stderr, "smtptap: option -%c needs an argument\n", optopt);
            else
                term_msg(stderr, "smtptap: option %s needs an argument\n", argv[optind - 1]);
            term_msg(stderr, "Try 'smtptap --help'.\n");
            return CLI_ERROR;
        case '?':
        default: {
            const char *a = argv[optind - 1];
            if (strncmp(a, "--", 2) == 0 && (optopt == 0 || strchr(a, '=') != NULL))
                term_msg(stderr, "smtptap: option %s: unknown, ambiguous, or takes no argument\n",
                         a);
            else
                term_msg(stderr, "smtptap: unknown option -%c\n", optopt > 0 ? optopt : '?');
            term_msg(stderr, "Try 'smtptap --help'.\n");
            return CLI_ERROR;
        }
        }
    }
    /* The words that are not options form the BPF expression, as in tcpdump
     * (GNU getopt moves them last: options may follow the expression). */
    if (optind < argc) {
        size_t len = 0;
        for (int i = optind; i < argc; i++)
            len += strlen(argv[i]) + 1;
        char *expr = malloc(len);
        if (expr == NULL)
            return CLI_ERROR;
        expr[0] = '\0';
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                strcat(expr, " ");
            strcat(expr, argv[i]);
        }
        cfg->bpf = expr; /* lives for the whole run */
    }
    if (cfg->n_inputs == 0 && cfg->iface == NULL) {
        fprintf(stderr, "smtptap: nothing to read: give -r FILE or -i INTERFACE\n"
                        "Try 'smtptap --help'.\n");
        return CLI_ERROR;
    }
    bool json_out = cfg->json_path && strcmp(cfg->json_path, "-") == 0;
    if (cfg->tlsrpt_path && strcmp(cfg->tlsrpt_path, "-") == 0 && (!cfg->quiet || json_out)) {
        term_msg(stderr,
                 "smtptap: --tlsrpt -: standard output carries %s; give --tlsrpt a file%s\n",
                 !cfg->quiet && json_out ? "the report and --json"
                 : json_out              ? "--json"
                                         : "the report",
                 json_out ? "" : ", or add -q");
        return CLI_ERROR;
    }
    if (cfg->n_inputs > 0 && cfg->iface != NULL) {
        term_msg(stderr, "smtptap: -r and -i cannot be combined\n");
        return CLI_ERROR;
    }
    if (cfg->report_interval_s && cfg->iface == NULL) {
        term_msg(stderr, "smtptap: --report-interval is for live capture (-i); for a file, "
                         "send SIGUSR1 for the report so far\n");
        return CLI_ERROR;
    }
    return CLI_RUN;
}
