/* \summary: configuration defaults and the named caps (see config.h). */
#include "config.h"

#include "reasm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct config_cap_desc config_caps[] = {
    {"flow.max", "flows tracked at once (then timeout-first, then LRU eviction)"},
    {"flow.timeout", "seconds of packet time a flow may stay idle"},
    {"flow.timeout_emergency", "idle seconds used to free room when the flow table is full"},
    {"flow.mem_max", "bytes of dissector memory per flow"},
    {"memcap", "bytes of accounted memory for everything (flows, buffers, certificates)"},
    {"reasm.depth", "bytes per direction handed to dissectors"},
    {"reasm.ooo_max", "out-of-order bytes buffered per direction"},
    {"reasm.buf_max", "unconsumed bytes a dissector may leave buffered per direction"},
    {"reasm.hole_wait", "packets of its sender a hole waits once the peer acknowledged past it"},
    {"defrag.max", "IP datagrams in reassembly from fragments at once (then the oldest goes)"},
    {"defrag.mem_max", "bytes held by IP datagrams in reassembly (then the oldest goes)"},
    {"defrag.timeout", "seconds of packet time an IP datagram may take to complete (RFC 8200)"},
    {"smtp.line_max", "bytes in one SMTP command or reply line"},
    {"smtp.pending_cmds", "pipelined SMTP commands awaiting a reply"},
    {"tls.hs_msg_max", "bytes of one TLS handshake message"},
    {"tls.records_max", "TLS records per direction before dissection stops"},
    {"tls.resume_max",
     "resumable TLS sessions remembered (session IDs, tickets; TLS 1.3's with --keylog) to link a "
     "resumed session to the chain it was given, by server address (then the oldest goes)"},
    {"tls.ocsp_max", "bytes of one stapled OCSP response judged (a larger one is counted, "
                     "not judged)"},
    {"ocsp.cache_max", "stapled OCSP responses whose judgement is remembered"},
    {"x509.cert_max", "bytes of one certificate"},
    {"x509.chain_max", "certificates kept per chain"},
    {"certcache.max", "distinct certificates kept"},
    {"report.servers_max", "servers aggregated in the report"},
    {"report.peers_max", "client addresses itemised per server (its peer rows, the peers its "
                         "certificates and findings name); further ones are counted, not listed"},
    {NULL, NULL},
};

void
config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    c->snaplen = 262144;
    c->promisc = true;
    c->mail_ports[0] = 25;
    c->mail_ports[1] = 587;
    c->mail_ports[2] = 465;
    c->n_mail_ports = 3;
    c->tls_ports[0] = 465;
    c->n_tls_ports = 1;
    c->color = -1;
    c->progress = true;
    c->expiry_warn_days = 30;
    c->fail_on = -1;
    c->use_ndpi = true;
    c->flow_max = 65536;
    c->flow_timeout = 600;
    c->flow_timeout_emerg = 30;
    c->memcap = 256ull << 20;
    c->reasm_depth = 1u << 20;
    c->reasm_ooo_max = 64u << 10;
    c->reasm_buf_max = 256u << 10;
    c->reasm_hole_wait = REASM_HOLE_PKTS;
    c->defrag_max = 1024;
    c->defrag_mem_max = 8u << 20;
    c->defrag_timeout = 60; /* RFC 8200 §4.5; Suricata's default too */
    c->flow_mem_max = 512u << 10;
    c->smtp_line_max = 4096;
    c->smtp_pending_max = 128;
    c->tls_hs_msg_max = 256u << 10;
    c->tls_records_max = 4096;
    c->tls_ocsp_max = 16u << 10;
    c->ocsp_cache_max = 1024;
    c->x509_cert_max = 64u << 10;
    c->x509_chain_max = 10;
    c->cert_cache_max = 100000;
    c->tls_resume_max = 16384;
    c->report_servers_max = 100000;
    c->report_peers_max = 64;
}

static int
config_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '\0')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024 * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1024ull * 1024 * 1024, end++;
    if (*end != '\0' || v > UINT64_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

int
config_set_cap(struct config *c, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    if (eq == NULL) {
        snprintf(err, errlen, "cap '%s': expected NAME=VALUE", assignment);
        return -1;
    }
    size_t nlen = (size_t)(eq - assignment);
    uint64_t v;
    if (config_parse_u64(eq + 1, &v) != 0 || v == 0) {
        snprintf(err, errlen, "cap '%.*s': '%s' is not a positive number", (int)nlen, assignment,
                 eq + 1);
        return -1;
    }
    struct {
        const char *name;
        uint32_t *p32;
        uint64_t *p64;
    } map[] = {
        {"flow.max", &c->flow_max, NULL},
        {"flow.timeout", &c->flow_timeout, NULL},
        {"flow.timeout_emergency", &c->flow_timeout_emerg, NULL},
        {"flow.mem_max", &c->flow_mem_max, NULL},
        {"memcap", NULL, &c->memcap},
        {"reasm.depth", &c->reasm_depth, NULL},
        {"reasm.ooo_max", &c->reasm_ooo_max, NULL},
        {"reasm.buf_max", &c->reasm_buf_max, NULL},
        {"reasm.hole_wait", &c->reasm_hole_wait, NULL},
        {"defrag.max", &c->defrag_max, NULL},
        {"defrag.mem_max", &c->defrag_mem_max, NULL},
        {"defrag.timeout", &c->defrag_timeout, NULL},
        {"smtp.line_max", &c->smtp_line_max, NULL},
        {"smtp.pending_cmds", &c->smtp_pending_max, NULL},
        {"tls.hs_msg_max", &c->tls_hs_msg_max, NULL},
        {"tls.records_max", &c->tls_records_max, NULL},
        {"tls.resume_max", &c->tls_resume_max, NULL},
        {"tls.ocsp_max", &c->tls_ocsp_max, NULL},
        {"ocsp.cache_max", &c->ocsp_cache_max, NULL},
        {"x509.cert_max", &c->x509_cert_max, NULL},
        {"x509.chain_max", &c->x509_chain_max, NULL},
        {"certcache.max", &c->cert_cache_max, NULL},
        {"report.servers_max", &c->report_servers_max, NULL},
        {"report.peers_max", &c->report_peers_max, NULL},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strlen(map[i].name) != nlen || strncmp(map[i].name, assignment, nlen) != 0)
            continue;
        if (map[i].p64 == &c->memcap && v < CONFIG_MEMCAP_MIN) {
            /* below it the run could only fail (an allocation OpenSSL
             * needs at start-up was refused: it crashed) */
            snprintf(err, errlen, "cap memcap: at least %lluM", CONFIG_MEMCAP_MIN >> 20);
            return -1;
        }
        if (map[i].p64 != NULL) {
            *map[i].p64 = v;
        } else {
            if (v > UINT32_MAX) {
                snprintf(err, errlen, "cap '%s': value too large", map[i].name);
                return -1;
            }
            *map[i].p32 = (uint32_t)v;
        }
        return 0;
    }
    snprintf(err, errlen, "unknown cap '%.*s' (see --help-caps)", (int)nlen, assignment);
    return -1;
}

bool
config_is_mail_port(const struct config *c, uint16_t port)
{
    for (unsigned i = 0; i < c->n_mail_ports; i++)
        if (c->mail_ports[i] == port)
            return true;
    return false;
}

bool
config_is_tls_port(const struct config *c, uint16_t port)
{
    for (unsigned i = 0; i < c->n_tls_ports; i++)
        if (c->tls_ports[i] == port)
            return true;
    return false;
}

/* Ports of other protocols over implicit TLS (IANA service names): TLS
 * found there by its first bytes is not mail. https 443, 8443; imaps 993,
 * pop3s 995; ldaps 636; domain-s 853 (RFC 7858); ftps 989, 990; sips 5061;
 * ircs 6697; amqps 5671; secure-mqtt 8883; Apple push 5223. */
bool
config_other_tls_port(uint16_t port)
{
    static const uint16_t other[] = {443,  636,  853,  989,  990,  993, 995,
                                     5061, 5223, 5671, 6697, 8443, 8883};
    for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        if (other[i] == port)
            return true;
    return false;
}

bool
config_env_off(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && strcmp(v, "off") == 0;
}
