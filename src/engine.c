/* \summary: the engine (see engine.h): flow tracking, client choice,
 * reassembly, the dispatcher and flow records.
 *
 * Per TCP packet (RFC 9293 §3.10.7 event processing, simplified for a
 * passive observer):
 *   lookup/create flow -> counters -> [bypass: done]
 *   SYN: ISN (§3.4) | ACK: loss beyond a hole in the peer's stream
 *   payload: dispatcher (first payload of either side) -> reassembly -> fctx
 *   FIN: end of a direction once every byte before it is in (§3.6)
 *   RST: the flow ends, if within the window (§3.10.7.4, RFC 5961 §3.2)
 *   SYN of a new connection on an open flow's tuple: that flow ends
 *   ("reuse", engine_tcp_reused), a new one starts
 *
 * Client side: the SYN (SYN without ACK; a SYN-ACK names the server), else
 * the configured mail port, else whoever sends payload first.
 */
#include "engine.h"

#include <assert.h>
#include <string.h>

#include "classify.h"
#include "engine_clock.h"
#include "engine_load.h"
#include "engine_record.h"
#include "engine_tcp.h"
#include "engine_vsplit.h"
#include "fctx.h"
#include "flow.h"
#include "mem.h"
#include "smtp_words.h"

#define ENGINE_US            1000000ll
#define ENGINE_EXPIRE_PERIOD ENGINE_US /* expiry scan once per second of packet time */

static struct {
    const struct config *cfg;
    bool ready;
    bool classify_on;
    struct flow_table tab;
    struct reasm_limits lim;
    int64_t next_expire_us;
    struct eclock clock; /* the time packets are taken at (engine_clock.h) */
    uint64_t flows, mail_flows, sessions, evictions, timeouts, cap_hits, untracked;
    uint64_t tls_other;                  /* TLS of another protocol on another port: not reported */
    struct report_ports tls_other_ports; /* their server ports, the first few */
    struct eload load;                   /* open and dissected at once (engine_load.h) */
} eng;

/* Moves f to disposition d, counting the flows being dissected. */
static void
engine_set_disp(struct flow *f, enum flow_disp d)
{
    eload_disp(&eng.load, f, d);
}

static void (*engine_sink_fn)(void *, const struct flow_record *);
static void *engine_sink_user;
static void (*engine_udp_fn)(void *, const struct pkt *);
static void *engine_udp_user;
static void (*engine_chain_fn)(void *, const struct session_facts *, int64_t);
static void *engine_chain_user;
static const struct dissector *engine_smtp, *engine_tls;

void
engine_set_sink(void (*on_flow)(void *user, const struct flow_record *rec), void *user)
{
    engine_sink_fn = on_flow;
    engine_sink_user = user;
}

void
engine_set_udp_hook(void (*fn)(void *user, const struct pkt *p), void *user)
{
    engine_udp_fn = fn;
    engine_udp_user = user;
}

void
engine_set_chain_hook(void (*fn)(void *user, const struct session_facts *facts, int64_t at_us),
                      void *user)
{
    engine_chain_fn = fn;
    engine_chain_user = user;
}

void
engine_set_dissectors(const struct dissector *smtp, const struct dissector *tls)
{
    engine_smtp = smtp;
    engine_tls = tls;
}

int
engine_init(const struct config *cfg)
{
    memset(&eng, 0, sizeof(eng));
    eng.cfg = cfg;
    eclock_init(&eng.clock, cfg->flow_timeout);
    eng.lim.ooo_max = cfg->reasm_ooo_max;
    eng.lim.depth = cfg->reasm_depth;
    eng.lim.hole_pkts = cfg->reasm_hole_wait;
    eng.classify_on = cfg->use_ndpi && classify_available();
    flow_set_ignore_vlan(cfg->ignore_vlan);
    engine_vsplit_init(cfg->ignore_vlan);
    if (flow_table_init(&eng.tab, cfg->flow_max, cfg->hash_seed) != 0)
        return -1;
    eng.ready = true;
    return 0;
}

/* ---- flow-local anomalies ---- */

static void
engine_flow_event(struct flow *f, const char *name, const char *detail, int64_t ts)
{
    if (strncmp(name, "reasm.", 6) == 0 || strcmp(name, "memcap") == 0)
        eng.cap_hits++;
    flow_anomaly(f, name, detail, ts);
}

/* ---- reassembly sink: one per direction, on the stack of each packet ---- */

struct engine_rs {
    struct flow *f;
    enum dir d;
    int64_t ts;
};

static void
engine_rs_data(void *user, const uint8_t *buf, uint32_t len)
{
    struct engine_rs *x = user;
    struct flow *f = x->f;
    if (f->ctx == NULL || fctx_status(f->ctx) != FCTX_ACTIVE)
        return;
    fctx_deliver(f->ctx, x->d, buf, len, x->ts);
    if (x->d == DIR_TO_CLIENT && !f->chain_seen) {
        /* The chain is judged at the time it was presented: this packet's
         * (a session's first packet may carry a wrong time stamp). */
        const struct session_facts *facts = fctx_facts_const(f->ctx);
        if (facts->tls.certificates == TLS_CERTS_VISIBLE && facts->tls.n_server_chain > 0) {
            f->chain_seen = true;
            f->chain_us = x->ts;
            if (engine_chain_fn != NULL)
                engine_chain_fn(engine_chain_user, facts, x->ts);
        }
    }
}

static void
engine_rs_gap(void *user, uint64_t missing)
{
    struct engine_rs *x = user;
    if (x->f->ctx != NULL && fctx_status(x->f->ctx) == FCTX_ACTIVE) {
        const struct tls_facts *t = &fctx_facts_const(x->f->ctx)->tls;
        bool hs = t->handshake == TLS_HS_NONE || t->handshake == TLS_HS_INCOMPLETE;
        fctx_gap(x->f->ctx, x->d, missing, x->ts);
        if (x->d == DIR_TO_CLIENT && hs && t->certificates == TLS_CERTS_GAP)
            engine_tcp_gap(x->f, missing);
    }
}

static void
engine_rs_event(void *user, const char *name, const char *detail)
{
    struct engine_rs *x = user;
    engine_flow_event(x->f, name, detail, x->ts);
}

static enum dir
engine_dir(const struct flow *f, unsigned side)
{
    return side == f->client_side ? DIR_TO_SERVER : DIR_TO_CLIENT;
}

static void
engine_rs_init(struct engine_rs *x, struct reasm_sink *s, struct flow *f, unsigned side, int64_t ts)
{
    x->f = f;
    x->d = engine_dir(f, side);
    x->ts = ts;
    s->data = engine_rs_data;
    s->gap = engine_rs_gap;
    s->event = engine_rs_event;
    s->user = x;
}

/* Releases what a flow holds besides the flow itself. */
static void
engine_release(struct flow *f)
{
    reasm_free(&f->rd[0]);
    reasm_free(&f->rd[1]);
    if (f->ctx != NULL) {
        fctx_destroy(f->ctx);
        f->ctx = NULL;
    }
    if (f->cf != NULL) {
        classify_flow_free(f->cf);
        f->cf = NULL;
    }
    f->cf_done = true;
    engine_set_disp(f, FLOW_BYPASS);
}

/* Delivers the segments of either direction that waited for the other's
 * bytes (reasm_answer) as far as they now can go; s and ps are the sinks of
 * side and of the other side. */
static void
engine_unhold_some(struct flow *f, unsigned side, const struct reasm_sink *s,
                   const struct reasm_sink *ps)
{
    struct reasm_dir *rd = &f->rd[side], *peer = &f->rd[!side];
    /* each round delivers a waiting segment or ends */
    for (unsigned guard = 0; guard < 1u << 16; guard++) {
        if (reasm_unhold(peer, &eng.lim, ps, rd) || reasm_unhold(rd, &eng.lim, s, peer))
            continue;
        if (!reasm_waiting(rd) || !reasm_waiting(peer))
            break;
        reasm_release(rd, &eng.lim, s); /* each waits for the other: this side's first */
    }
}

/* engine_unhold_some when either direction holds a segment (a waiting one
 * is one of them): most packets of a flow find both empty, and cost the
 * two loads here, not the calls (issue 5). */
static inline void
engine_unhold(struct flow *f, unsigned side, const struct reasm_sink *s,
              const struct reasm_sink *ps)
{
    if (f->rd[0].ooo != NULL || f->rd[1].ooo != NULL)
        engine_unhold_some(f, side, s, ps);
}

/* Ends f: remaining holes become gaps, both directions see their end, the
 * record goes to the sink. A flow ended by FIN or RST stays as a tombstone
 * (it absorbs the last ACKs until it times out); any other end removes it. */
static void
engine_end(struct flow *f, const char *ended)
{
    bool keep = strcmp(ended, "fin") == 0 || strcmp(ended, "rst") == 0;
    if (f->reported) {
        if (!keep)
            flow_remove(&eng.tab, f);
        return;
    }
    int64_t ts = f->last_us;
    if (f->ctx != NULL && f->disp == FLOW_DISSECT) {
        unsigned order[2] = {f->client_side, !f->client_side};
        struct engine_rs x[2];
        struct reasm_sink s[2];
        for (unsigned i = 0; i < 2; i++) {
            engine_rs_init(&x[i], &s[i], f, order[i], ts);
            reasm_giveup(&f->rd[order[i]], &eng.lim, &s[i]);
        }
        engine_unhold(f, order[0], &s[0], &s[1]); /* in the order the receivers saw them */
        for (unsigned i = 0; i < 2; i++)
            reasm_flush(&f->rd[order[i]], &eng.lim, &s[i]);
        for (unsigned i = 0; i < 2; i++) {
            if (!f->eof_sent[order[i]]) {
                f->eof_sent[order[i]] = true;
                fctx_eof(f->ctx, engine_dir(f, order[i]), ts);
            }
        }
    }
    eng.flows++;
    if (f->mail_port)
        eng.mail_flows++;
    if (f->ctx != NULL && fctx_facts(f->ctx)->other_protocol) {
        eng.tls_other++; /* HTTPS and the like (the TLS dissector's ALPN rule) */
        report_port_note(&eng.tls_other_ports, f->key.port[!f->client_side]);
    } else if (f->mail_port || f->ctx != NULL) {
        struct flow_record rec;
        if (engine_record_fill(f, ended, eng.classify_on, &rec))
            eng.cap_hits++;
        if (engine_sink_fn != NULL)
            engine_sink_fn(engine_sink_user, &rec);
    }
    engine_release(f);
    f->reported = true;
    eload_close(&eng.load, f);
    if (!keep)
        flow_remove(&eng.tab, f);
}

#define ENGINE_EXPIRE_FUTURE_MAX 1024 /* flows from the future moved per scan */

/* Ends every flow idle for at least secs seconds at now, oldest first. */
static void
engine_expire(int64_t now, uint32_t secs, bool count)
{
    int64_t idle = (int64_t)secs * ENGINE_US;
    for (unsigned guard = 0; guard < UINT32_MAX; guard++) {
        struct flow *f = flow_oldest(&eng.tab);
        if (f != NULL && f->idle_us > now + idle && guard < ENGINE_EXPIRE_FUTURE_MAX) {
            /* touched at a time far ahead of now (a packet stamped in the
             * future, or the clock stepped back): it would hold up every
             * flow behind it in the list; its idleness counts from now (its
             * record's ts_end stays the latest time seen) */
            flow_touch(&eng.tab, f, now);
            continue;
        }
        if (f == NULL || now - f->idle_us < idle)
            break;
        if (!f->reported && count)
            eng.timeouts++;
        engine_end(f, "timeout");
    }
}

/* How far from the oldest end of the LRU list eviction looks for a closed
 * flow (a tombstone) to drop before it drops a flow in progress. */
#define ENGINE_EVICT_SCAN 64

/* The flow to evict: the least recently used tombstone among the
 * ENGINE_EVICT_SCAN oldest flows, else the least recently used flow. A
 * tombstone only absorbs a closed connection's last packets; a flow in
 * progress would lose its handshake (a burst of short sessions fills the
 * table with tombstones faster than they time out). */
static struct flow *
engine_evict_pick(void)
{
    struct flow *oldest = flow_oldest(&eng.tab), *f = oldest;
    for (unsigned i = 0; f != NULL && i < ENGINE_EVICT_SCAN; i++, f = f->lru_next)
        if (f->reported)
            return f;
    return oldest;
}

/* Makes room for one more flow: timeouts, emergency timeouts, then (when
 * may_evict) a tombstone or the least recently used flow (engine_evict_pick).
 * Returns false when still full. */
static bool
engine_make_room(int64_t now, bool may_evict)
{
    if (eng.tab.count < eng.tab.max)
        return true;
    engine_expire(now, eng.cfg->flow_timeout, true);
    if (eng.tab.count < eng.tab.max)
        return true;
    if (eng.cfg->flow_timeout_emerg > 0)
        engine_expire(now, eng.cfg->flow_timeout_emerg, true);
    if (eng.tab.count < eng.tab.max)
        return true;
    if (!may_evict)
        return false;
    for (unsigned guard = 0; eng.tab.count >= eng.tab.max && guard < UINT32_MAX; guard++) {
        struct flow *f = engine_evict_pick();
        if (f == NULL)
            break;
        if (!f->reported) {
            eng.evictions++;
            eng.cap_hits++;
        }
        engine_end(f, "evicted");
    }
    return eng.tab.count < eng.tab.max;
}

/* ---- the dispatcher ---- */

static bool
engine_starts_ci(const uint8_t *p, uint32_t len, const char *word)
{
    size_t n = strlen(word);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (uint8_t)(c - 'a' + 'A');
        if (c != (uint8_t)word[i])
            return false;
    }
    return true;
}

/* A TLS record header: handshake (22), version 3.0-3.4 (RFC 8446 §5.1). */
static bool
engine_looks_tls(const uint8_t *p, uint32_t len)
{
    return len >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04;
}

/* smtptap's own dissector has recognised SMTP: a greeting or a command, or
 * TLS records on an implicit-TLS port (TLS elsewhere may be anything). */
static bool
engine_smtp_recognised(const struct flow *f)
{
    if (f->ctx == NULL)
        return false;
    const struct session_facts *sf = fctx_facts_const(f->ctx);
    if (sf->smtp.seen)
        return true;
    return sf->smtp.implicit_tls && sf->tls.seen &&
           config_is_tls_port(eng.cfg, f->key.port[!f->client_side]);
}

/* True when the first payload is known to be where the connection's data
 * starts: its SYN or SYN-ACK was seen (a SYN-ACK gives both initial
 * sequence numbers, RFC 9293 §3.4), so the dissectors may trust where the
 * dialogue begins. A flow picked up later is midstream for them too. */
static bool
engine_start_known(const struct flow *f)
{
    return !f->midstream || f->syn_seen[0] || f->syn_seen[1];
}

/* Decides on the first payload of either side (bounded: no waiting). */
static void
engine_dispatch(struct flow *f, unsigned side, const struct pkt *p)
{
    uint16_t server_port = f->key.port[!f->client_side];
    bool from_client = side == f->client_side;
    const uint8_t *pl = p->payload;
    uint32_t n = p->payload != NULL ? p->payload_caplen : 0;
    const struct dissector *d = NULL;
    bool implicit = false, plain_tls_port = false;
    if (config_is_tls_port(eng.cfg, server_port) && smtp_opens(pl, n, from_client)) {
        /* RFC 8314 §3.3: TLS from the first byte on 465. A server that greets
         * in plaintext there (Postfix's smtps without its wrapper mode) serves
         * SMTP, STARTTLS perhaps: its flow is SMTP's, and said. */
        d = engine_smtp;
        plain_tls_port = true;
    } else if (config_is_tls_port(eng.cfg, server_port) ||
               (from_client && engine_looks_tls(pl, n))) {
        d = engine_tls;
        /* TLS from the first byte: on 465 (--tls-ports), or a TLS first flight
         * of a connection seen from its start. A mail port's connection picked
         * up midstream in TLS had its STARTTLS before the capture. */
        implicit =
            config_is_tls_port(eng.cfg, server_port) || !f->mail_port || engine_start_known(f);
        if (!f->mail_port && !config_is_tls_port(eng.cfg, server_port) &&
            config_other_tls_port(server_port)) {
            d = NULL; /* HTTPS and the like: not mail (--tls-ports takes a port back) */
            eng.tls_other++;
            report_port_note(&eng.tls_other_ports, server_port);
        }
    } else if (f->mail_port) {
        d = engine_smtp;
    } else if (engine_start_known(f) && ((!from_client && engine_starts_ci(pl, n, "220")) ||
                                         (from_client && (engine_starts_ci(pl, n, "EHLO") ||
                                                          engine_starts_ci(pl, n, "HELO"))))) {
        /* SMTP on another port: a server that speaks first with 220 or a
         * client that greets (RFC 5321 §3.1), at the start of a connection
         * seen from its SYN only. Picked up midstream, the first words seen
         * may be a message body's ("220 volts..."), and who spoke first
         * says nothing about roles. */
        d = engine_smtp;
    }
    engine_set_disp(f, FLOW_BYPASS);
    if (d == NULL)
        return;
    if (eload_reserved(&eng.load)) {
        /* Admission control: memory is kept for the flows already being
         * dissected, so that they finish their handshakes rather than every
         * flow losing segments to the cap (many connections open at once).
         * The event counts the cap hit. */
        eng.load.refused++;
        engine_flow_event(f, "memcap",
                          "not dissected: memory near the memcap (flows in progress, certificates, "
                          "servers); raise --cap memcap",
                          p->ts_us);
        return;
    }
    f->ctx = fctx_new(eng.cfg, server_port);
    if (f->ctx == NULL) {
        eng.load.refused++;
        engine_flow_event(f, "memcap", "flow context could not be allocated", p->ts_us);
        return;
    }
    fctx_set_origin(f->ctx, &f->key.ip[!f->client_side], f->id);
    fctx_facts(f->ctx)->midstream = !engine_start_known(f);
    fctx_attach(f->ctx, d);
    if (implicit)
        fctx_facts(f->ctx)->smtp.implicit_tls = true;
    else if (d == engine_tls) /* midstream in TLS on a mail port: STARTTLS before the capture */
        fctx_facts(f->ctx)->smtp.tls_started = true;
    fctx_facts(f->ctx)->smtp.plaintext_on_tls_port = plain_tls_port;
    f->first_dissector = d->name;
    engine_set_disp(f, fctx_status(f->ctx) == FCTX_ACTIVE ? FLOW_DISSECT : FLOW_BYPASS);
    eng.sessions++;
}

/* ---- per packet ---- */

static struct flow *
engine_new_flow(const struct flow_key *k, uint32_t hash, unsigned side, const struct pkt *p)
{
    /* Only a connection's first packet (SYN) may evict a tracked flow. A
     * packet from the middle of an untracked connection does not: with more
     * connections open than flow.max, evicting for those would thrash the
     * table (every packet evicting the flow the next packet needs). */
    bool syn_only = (p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN;
    if (!engine_make_room(p->ts_us, syn_only)) {
        eng.untracked++;
        eng.cap_hits++;
        return NULL;
    }
    struct flow *f = flow_insert(&eng.tab, k, hash, p->ts_us);
    if (f == NULL && syn_only) {
        /* memory refused: a new connection takes the place of a closed
         * one's tombstone, or of the least recently used flow (reported as
         * evicted), as when the table is full */
        struct flow *old = engine_evict_pick();
        if (old != NULL) {
            if (!old->reported) {
                eng.evictions++;
                eng.load.evicted_for_memory++;
                eng.cap_hits++;
            }
            engine_end(old, "evicted");
            f = flow_insert(&eng.tab, k, hash, p->ts_us);
        }
    }
    if (f == NULL) { /* counted like a full table's: its packets are untracked */
        eng.untracked++;
        eng.cap_hits++;
        return NULL;
    }
    eload_open(&eng.load, f, p->tcp_flags, p->ts_us);
    if (p->tun_depth != 0) /* which tunnel: once a flow, from its first packet */
        engine_record_tunnel(f, p);
    f->mail_port =
        config_is_mail_port(eng.cfg, k->port[0]) || config_is_mail_port(eng.cfg, k->port[1]);
    bool syn = (p->tcp_flags & TH_SYN) != 0, ack = (p->tcp_flags & TH_ACK) != 0;
    reasm_init(&f->rd[0]);
    reasm_init(&f->rd[1]);
    f->client_known = true;
    if (syn && !ack) {
        f->client_side = (uint8_t)side;
        f->client_by = "syn";
    } else if (syn) { /* SYN-ACK: the sender is the server */
        f->client_side = (uint8_t)!side;
        f->client_by = "syn";
    } else if (f->mail_port) {
        bool dst_mail = config_is_mail_port(eng.cfg, p->dport);
        f->client_side = (uint8_t)(dst_mail ? side : !side);
        f->client_by = "port";
    } else {
        f->client_side = (uint8_t)side; /* provisional until payload */
        f->client_known = false;
    }
    if (!syn) {
        f->midstream = true;
        engine_flow_event(f, "tcp.midstream", "connection picked up without a handshake", p->ts_us);
    }
    if (f->cf_done == false && !eng.classify_on)
        f->cf_done = true;
    return f;
}

/* Reassembly work for a flow that is not (yet) bypassed. */
static void
engine_tcp(struct flow *f, unsigned side, const struct pkt *p)
{
    uint8_t fl = p->tcp_flags;
    uint32_t seq = p->seq;
    uint32_t wire = p->payload_wirelen < p->payload_caplen ? p->payload_caplen : p->payload_wirelen;
    struct reasm_dir *rd = &f->rd[side], *peer = &f->rd[!side];
    struct engine_rs x, px;
    struct reasm_sink s, ps;
    engine_rs_init(&x, &s, f, side, p->ts_us);
    engine_rs_init(&px, &ps, f, !side, p->ts_us);
    if (f->ctx != NULL) /* the order the peers saw (tls_pickup.c) */
        fctx_packet(f->ctx, engine_dir(f, side), seq + ((fl & TH_SYN) != 0), p->ack,
                    (fl & (TH_ACK | TH_RST)) == TH_ACK);

    bool ignored = false; /* a SYN with another ISN after data: its data and FIN too */
    if (fl & TH_SYN) {
        f->syn_seen[side] = true;
        ignored = !reasm_syn(rd, seq, &s);
        if (!ignored)
            engine_tcp_wscale(rd, peer, p->wscale);
        seq++; /* the SYN occupies one sequence number (RFC 9293 §3.4) */
        if (fl & TH_ACK)
            reasm_syn_acked(peer, p->ack); /* ack = client ISN + 1 */
    }
    if ((fl & TH_ACK) && !(fl & TH_RST)) {
        /* The window this side advertises bounds the peer's data: never
         * scaled on a SYN (RFC 7323 §2.2), the largest shift (14) until both
         * SYNs said which. */
        unsigned shift = (fl & TH_SYN) ? 0 : rd->wshift_known ? rd->wshift : 14;
        reasm_window(peer, (uint32_t)p->window << shift);
        if (f->disp != FLOW_BYPASS) { /* undecided: this segment's data may be dissected */
            reasm_ack(peer, &eng.lim, &ps, p->ack);
            reasm_answer(rd, peer, p->ack); /* bytes not seen yet: its data waits for them */
        }
    }
    if (wire > 0 && (fl & TH_RST)) {
        /* A RST may carry text saying why (RFC 9293 §3.5.3, RFC 1122
         * §4.2.2.12): not stream data. */
        engine_flow_event(f, "tcp.data_on_rst", "payload of a RST: not stream data", p->ts_us);
        wire = 0;
    }
    if (wire > 0) {
        if (!f->client_known) {
            /* The first speaker is the client, except that an SMTP server
             * speaks first with its 220 greeting (RFC 5321 §3.1). */
            bool greeting =
                p->payload != NULL && engine_starts_ci(p->payload, p->payload_caplen, "220");
            f->client_side = (uint8_t)(greeting ? !side : side);
            f->client_by = "first_speaker";
            f->client_known = true;
            engine_rs_init(&x, &s, f, side, p->ts_us);
            engine_rs_init(&px, &ps, f, !side, p->ts_us);
        }
        if (f->disp == FLOW_UNDECIDED) {
            engine_dispatch(f, side, p);
            engine_vsplit_check(&eng.tab, f, side, p->ts_us); /* one way so far: VLAN split? */
        }
        if (f->ctx != NULL) /* made by engine_dispatch, or its client side just told */
            fctx_packet(f->ctx, engine_dir(f, side), seq, p->ack,
                        (fl & (TH_ACK | TH_RST)) == TH_ACK);
        if (f->disp == FLOW_DISSECT && !ignored && engine_tcp_after_cut(f, p)) {
            reasm_free(&f->rd[0]); /* records after the handshake cut (-w): bypass */
            reasm_free(&f->rd[1]);
            engine_set_disp(f, FLOW_BYPASS);
            return;
        }
        if (f->disp == FLOW_DISSECT && !ignored) {
            if (side != f->client_side)
                engine_tcp_cut(f, seq, p->payload_caplen, wire, p->cut_after);
            reasm_data(rd, &eng.lim, &s, seq, p->payload, p->payload_caplen, wire);
        }
    }
    if ((fl & TH_FIN) && f->disp != FLOW_BYPASS && !ignored)
        (void)reasm_fin(rd, seq, seq + wire, &s);
    if (f->disp == FLOW_BYPASS)
        return;
    reasm_packet(rd, &eng.lim, &s); /* a hole its peer acknowledged may be given up */
    if (f->disp != FLOW_DISSECT)
        return;
    engine_unhold(f, side, &s, &ps);
    for (unsigned i = 0; i < 2; i++) {
        unsigned sd = i == 0 ? f->client_side : !f->client_side;
        if (!f->eof_sent[sd] && reasm_closed(&f->rd[sd]) && fctx_status(f->ctx) == FCTX_ACTIVE) {
            f->eof_sent[sd] = true;
            fctx_eof(f->ctx, engine_dir(f, sd), p->ts_us);
        }
    }
    if (fctx_status(f->ctx) != FCTX_ACTIVE) { /* done or stopped: bypass from now on */
        reasm_free(&f->rd[0]);
        reasm_free(&f->rd[1]);
        engine_set_disp(f, FLOW_BYPASS);
    }
}

void
engine_ahead(const struct pkt *p, struct engine_ahead *a)
{
    a->valid = eng.ready && p->ip_proto == 6;
    if (!a->valid)
        return;
    flow_key_from_pkt(p, &a->k, &a->side);
    a->hash = flow_hash(&eng.tab, &a->k);
    flow_prefetch_bucket(&eng.tab, a->hash);
}

void
engine_ahead_flow(const struct engine_ahead *a)
{
    if (a->valid)
        flow_prefetch_chain(&eng.tab, a->hash);
}

struct flow *
engine_flow_peek(const struct pkt *p, unsigned *side)
{
    if (!eng.ready || p->ip_proto != 6)
        return NULL;
    struct flow_key k;
    uint8_t sd;
    flow_key_from_pkt(p, &k, &sd);
    *side = sd;
    return flow_lookup(&eng.tab, &k, flow_hash(&eng.tab, &k));
}

void
engine_packet(const struct pkt *p)
{
    engine_packet_ahead(p, NULL);
}

/* True when the once-a-second expiry scan is due at now: a second after
 * the last one, or at once when time went back (the last scan's time came
 * from a packet stamped in the future, or the clock was stepped back). */
static bool
engine_expire_due(int64_t now)
{
    return now >= eng.next_expire_us || eng.next_expire_us - now > 2 * ENGINE_EXPIRE_PERIOD;
}

void
engine_tick(int64_t now_us)
{
    if (!eng.ready)
        return;
    if (eng.clock.held)
        eclock_settle(&eng.clock, &eng.tab, now_us); /* live: the wall clock settles it */
    if (now_us > eng.clock.clock_us)
        eng.clock.clock_us = now_us;
    if (!engine_expire_due(now_us))
        return;
    engine_expire(now_us, eng.cfg->flow_timeout, true);
    eng.next_expire_us = now_us + ENGINE_EXPIRE_PERIOD;
}

void
engine_packet_ahead(const struct pkt *p, const struct engine_ahead *a)
{
    if (!eng.ready)
        return;
    if (p->ip_proto == 17) {
        if ((p->sport == 53 || p->dport == 53) && engine_udp_fn != NULL)
            engine_udp_fn(engine_udp_user, p);
        return;
    }
    if (p->ip_proto != 6)
        return;
    int64_t now = p->ts_us;
    struct pkt held;
    if (engine_expire_due(now)) {
        /* a packet stamped a jump away from the clock is taken at the
         * clock's time until the next packet settles it (engine_clock.h) */
        now = eclock_take(&eng.clock, &eng.tab, now);
        if (now != p->ts_us) {
            eng.next_expire_us = INT64_MIN; /* the next packet settles the jump */
            held = *p;
            held.ts_us = now;
            p = &held;
        } else {
            engine_expire(now, eng.cfg->flow_timeout, true);
            eng.next_expire_us = now + ENGINE_EXPIRE_PERIOD;
        }
    }
    eclock_span(&eng.clock, now); /* a held packet's is the clock's, an outlier's never its own */
    struct flow_key kbuf;
    const struct flow_key *kp = &kbuf;
    uint8_t side;
    uint32_t h;
    if (a != NULL && a->valid) {
        kp = &a->k;
        side = a->side;
        h = a->hash;
    } else {
        flow_key_from_pkt(p, &kbuf, &side);
        h = flow_hash(&eng.tab, &kbuf);
    }
    struct flow *f = flow_lookup(&eng.tab, kp, h);
    bool syn_only = (p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN;
    if (f != NULL && now - f->idle_us >= (int64_t)eng.cfg->flow_timeout * ENGINE_US) {
        if (!f->reported)
            eng.timeouts++;
        engine_end(f, "timeout");
        f = NULL;
    } else if (f != NULL && f->reported && syn_only) {
        engine_end(f, "timeout"); /* a new connection reuses the tuple of a closed one */
        f = NULL;
    } else if (f != NULL && !f->reported && engine_tcp_reused(f, side, p)) {
        engine_end(f, "reuse"); /* a new connection; the old one's end was not seen */
        f = NULL;
    }
    bool created = f == NULL;
    if (f == NULL) {
        f = engine_new_flow(kp, h, side, p);
        if (f == NULL)
            return;
    }
    eclock_flow(&eng.clock, kp, h, created);
    flow_touch(&eng.tab, f, now);
    if (f->reported)
        return; /* tombstone of a closed flow: last ACKs, FIN retransmissions */

    f->pkts[side]++;
    f->bytes[side] += p->payload_wirelen;
    if (p->payload_wirelen > p->payload_caplen)
        f->truncated_pkts++;
    if (p->tcp_flags & TH_SYN)
        f->syn_seen[side] = true;
    if (f->disp != FLOW_BYPASS)
        engine_tcp(f, side, p);
    /* a RST's sequence space, kept while dissected only (engine_tcp.h) */
    bool dissected = f->disp == FLOW_DISSECT;
    if (dissected && !(p->tcp_flags & TH_RST))
        engine_tcp_seen(f, side, p);
    /* After the dissectors: a packet that lets them recognise SMTP (the
     * greeting) need not go through nDPI as well. */
    if (!f->cf_done) {
        if (p->l3_in == NULL || (f->disp == FLOW_BYPASS && f->ctx == NULL)) {
            /* Not mail, or a mail flow that got no dissector (memcap): nDPI
             * would label nothing anyone reads. Such flows then cost one
             * lookup per packet. */
            classify_flow_free(f->cf);
            f->cf = NULL;
            f->cf_done = true;
        } else if (engine_smtp_recognised(f)) {
            classify_confirm_smtp(&f->cf, fctx_facts_const(f->ctx)->smtp.implicit_tls);
            f->cf_done = true;
        } else if (f->cf == NULL && p->payload_caplen == 0) {
            /* Before the first payload: that payload decides whether the
             * flow is dissected, and for a mail flow (the greeting) lets the
             * dissector recognise SMTP, so that nDPI is never needed. nDPI
             * starts at the first payload it has to see, not at the TCP
             * handshake (it follows flows picked up midstream as well): its
             * flow set-up and the three handshake packets were ~10 % of a
             * run of STARTTLS sessions, 4 % after the flow's dispatch was
             * made to wait for the first payload. */
        } else {
            f->cf_done = classify_packet(&f->cf, p->l3_in, p->l3_in_caplen, p);
        }
    }

    if (p->tcp_flags & TH_RST) {
        if (!dissected || reasm_rst_ok(&f->rd[side], p->seq)) {
            if (f->first_close == 0)
                f->first_close = (uint8_t)((side + 1) | FLOW_CLOSE_RST);
            engine_end(f, "rst");
            return;
        }
        engine_flow_event(f, "tcp.out_of_window", "RST outside the window: ignored (RFC 5961 §3.2)",
                          p->ts_us);
    }
    if (p->tcp_flags & TH_FIN) {
        f->fin_flag[side] = true;
        if (f->first_close == 0)
            f->first_close = (uint8_t)(side + 1);
    }
    if (f->fin_flag[0] && f->fin_flag[1] &&
        (f->disp != FLOW_DISSECT || (reasm_closed(&f->rd[0]) && reasm_closed(&f->rd[1]))))
        engine_end(f, "fin");
}

void
engine_finish(void)
{
    if (!eng.ready)
        return;
    if (eng.clock.held) /* the last packet's jump: nothing says it was wrong, */
        eclock_confirm(&eng.clock, &eng.tab); /* nor that the flows before it went idle */
    for (unsigned guard = 0; guard < UINT32_MAX; guard++) {
        struct flow *f = flow_first(&eng.tab);
        if (f == NULL)
            break;
        engine_end(f, "capture_end");
    }
    assert(eng.load.open == 0 && eng.load.dissecting == 0); /* every end was counted */
}

void
engine_stats(struct run_stats *out)
{
    out->flows = eng.flows;
    out->mail_flows = eng.mail_flows;
    out->sessions = eng.sessions;
    out->evictions = eng.evictions;
    out->timeouts = eng.timeouts;
    out->untracked_packets = eng.untracked;
    out->tls_other = eng.tls_other;
    out->tls_other_ports = eng.tls_other_ports;
    out->ts_outliers = eng.clock.outliers;
    out->vlan_split = engine_vsplit_pairs();
    out->first_us = eng.clock.span_lo;
    out->last_us = eng.clock.span_hi;
    out->memory_peak = mem_peak();
    out->cap_hits = eng.cap_hits + mem_cap_hits();
    eload_stats(&eng.load, eng.tab.max, out);
}

int64_t
engine_first_us(void)
{
    return eng.clock.span_lo;
}

void
engine_fini(void)
{
    if (!eng.ready)
        return;
    for (struct flow *f = flow_first(&eng.tab); f != NULL; f = f->all_next)
        engine_release(f);
    flow_table_fini(&eng.tab);
    eng.ready = false;
}
