/* \summary: a flow's record (src/engine_record.c): what the engine kept of
 * a flow (addresses, counters, TCP anomalies) and what its dissector found,
 * with the status docs/schema.md defines.
 */
#include "engine_record.h"

#include <stddef.h>
#include <string.h>

#include "classify.h"
#include "fctx.h"
#include "mem.h"

static bool
engine_is_cap_anomaly(const char *name)
{
    /* every cap docs/schema.md lists (a session with one is "capped") */
    static const char *const caps[] = {"reasm.depth",       "reasm.ooo_cap",   "flow.mem_cap",
                                       "stream.buffer_cap", "memcap",          "x509.chain_cap",
                                       "x509.cert_cap",     "x509.cache_full", "flow.no_memory",
                                       "smtp.pending_cap",  "tls.hs_msg_cap",  "tls.records_cap"};
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        if (strcmp(name, caps[i]) == 0)
            return true;
    return false;
}

static bool
engine_has_anomaly(const struct flow_record *rec, const char *name)
{
    for (unsigned i = 0; i < rec->n_anomalies; i++)
        if (strcmp(rec->anomalies[i].name, name) == 0)
            return true;
    return false;
}

static const char *
engine_status(const struct flow *f, const struct flow_record *rec, const char *ended)
{
    bool capped = false;
    for (unsigned i = 0; i < rec->n_anomalies; i++)
        if (engine_is_cap_anomaly(rec->anomalies[i].name))
            capped = true;
    if (strcmp(ended, "evicted") == 0)
        return "evicted";
    if (capped)
        return "capped";
    /* frames cut at the snapshot length whose bytes a whole copy replaced
     * (reasm.c) left nothing missing: only a gap says bytes are lost */
    if (rec->gaps[0] + rec->gaps[1] > 0)
        return rec->truncated_pkts > 0 ? "truncated_capture" : "gap";
    if (f->ctx != NULL && (engine_has_anomaly(rec, "dissector.error") ||
                           engine_has_anomaly(rec, "dissector.contract")))
        return "malformed";
    /* the peers' bytes, not the capture, were damaged: a Certificate whose
     * lengths do not add up, an alert or record of a wrong shape (RFC 5246
     * §6.2.1, §7.2; RFC 8446 §5.1) */
    static const char *const damaged[] = {"tls.malformed_message", "tls.malformed_alert",
                                          "tls.malformed_record", "tls.empty_certificate"};
    for (unsigned i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++)
        if (engine_has_anomaly(rec, damaged[i]))
            return "malformed";
    if (f->ctx == NULL)
        return "not_smtp";
    return "complete";
}

void
engine_record_tunnel(struct flow *f, const struct pkt *p)
{
    struct record_tunnel *t = mem_alloc(sizeof(*t));
    if (t == NULL) {
        flow_anomaly(f, "flow.no_memory", "the tunnel it came through could not be noted",
                     p->ts_us);
        return;
    }
    t->depth = p->tun_depth;
    t->has_id = p->tun_kind != 0;
    t->kind = p->tun_kind != 0 ? p->tun_kind : p->tun_inner;
    t->id = p->tun_id;
    t->src = p->tun_src;
    t->dst = p->tun_dst;
    t->mpls = p->mpls;
    f->tunnel = t;
}

bool
engine_record_fill(const struct flow *f, const char *ended, bool classify_on,
                   struct flow_record *rec)
{
    unsigned c = f->client_side, s = !c;
    memset(rec, 0, offsetof(struct flow_record, anomalies)); /* the slots as they are filled */
    rec->id = f->id;
    rec->ts_us = f->first_us;
    rec->chain_us = f->chain_us;
    rec->ts_end_us = f->last_us;
    rec->client.ip = f->key.ip[c];
    rec->client.port = f->key.port[c];
    rec->server.ip = f->key.ip[s];
    rec->server.port = f->key.port[s];
    rec->vlan[0] = f->key.vlan[0];
    rec->vlan[1] = f->key.vlan[1];
    rec->n_vlan = f->key.n_vlan;
    rec->tun_kind = f->key.tun_kind;
    rec->tun_id = f->key.tun_id;
    if (f->tunnel != NULL)
        rec->tunnel = *f->tunnel;
    rec->client_by = f->client_by != NULL ? f->client_by : "first_speaker";
    rec->syn_seen[0] = f->syn_seen[c];
    rec->syn_seen[1] = f->syn_seen[s];
    rec->midstream = f->midstream;
    rec->pkts[0] = f->pkts[c];
    rec->pkts[1] = f->pkts[s];
    rec->bytes[0] = f->bytes[c];
    rec->bytes[1] = f->bytes[s];
    rec->gaps[0] = f->rd[c].gaps;
    rec->gaps[1] = f->rd[s].gaps;
    rec->gap_bytes[0] = f->rd[c].gap_bytes;
    rec->gap_bytes[1] = f->rd[s].gap_bytes;
    rec->truncated_pkts = f->truncated_pkts;
    rec->certs_gap = f->certs_gap;
    rec->ended = ended;
    if (f->first_close & 3u) {
        bool client = (unsigned)(f->first_close & 3u) - 1 == c;
        bool rst = (f->first_close & FLOW_CLOSE_RST) != 0;
        rec->first_close =
            client ? (rst ? "client_rst" : "client_fin") : (rst ? "server_rst" : "server_fin");
    }
    rec->mail_port = f->mail_port;
    rec->vlan_split = f->vlan_split;
    if (classify_on) {
        if (f->ctx != NULL) {
            const struct smtp_facts *sm = &fctx_facts_const(f->ctx)->smtp;
            classify_settle_smtp(f->cf, sm->implicit_tls && !sm->client_tls_to_plaintext);
        }
        rec->app = classify_app(f->cf);
        rec->owner = classify_owner(&rec->server.ip);
    }
    if (f->ctx != NULL) {
        fctx_fill_record(f->ctx, rec);
        const char *n = fctx_dissector_name(f->ctx);
        rec->dissector = n != NULL ? n : f->first_dissector;
    }
    for (unsigned i = 0; i < f->n_anomalies; i++) {
        if (rec->n_anomalies >= RECORD_ANOMALIES_MAX) {
            /* by event, as the dissector's and the flow's own (schema.md) */
            rec->anomalies_dropped += f->anomalies[i].count;
            continue;
        }
        struct anomaly *a = &rec->anomalies[rec->n_anomalies++];
        a->name = f->anomalies[i].name;
        a->count = f->anomalies[i].count;
        a->first_us = f->anomalies[i].first_us;
        a->detail[0] = '\0';
        if (f->anomalies[i].detail != NULL) {
            size_t n = strlen(f->anomalies[i].detail);
            if (n >= sizeof(a->detail))
                n = sizeof(a->detail) - 1;
            memcpy(a->detail, f->anomalies[i].detail, n);
            a->detail[n] = '\0';
        }
    }
    rec->anomalies_dropped += f->anomalies_dropped;
    rec->status = engine_status(f, rec, ended);
    return strcmp(rec->status, "capped") == 0 || engine_has_anomaly(rec, "tls.ocsp_cap");
}
