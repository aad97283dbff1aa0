/* \summary: the flow context (see fctx.h and dissectors/dissector.h).
 *
 * Buffering contract (Suricata's app-layer contract): a dissector returns how
 * many bytes it consumed and, with D_NEED, how many more it needs. The bytes
 * it did not consume are kept here (capped by reasm.buf_max) and presented
 * again, followed by the new bytes, once at least `needed` more have come.
 * The result is checked: consumed > len, or D_NEED without a positive need,
 * is a dissector bug and stops dissection of the flow with an event.
 */
#include "fctx.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "certcache.h"
#include "mem.h"
#include "resume.h"
#include "strcopy.h"

/* Header in front of every large fctx_alloc() block, so the flow can free
 * them one by one (handshake buffers grow) and all at its end. */
struct fctx_block {
    struct fctx_block *next, *prev;
    size_t size;
    /* 16-byte alignment for what follows */
    uint64_t pad;
};

/* Small allocations (strings, small dissector state: a dozen or two per
 * session) are carved from per-flow chunks, like a region allocator: one
 * malloc for many, next to each other in memory, and all freed at once with
 * the flow. Freeing one does nothing until then; fctx_setstr() reuses a
 * string's room in place when the new value fits, and grows it by doubling,
 * so what a flow leaves unused stays a fraction of what it holds. Chunks
 * grow from FCTX_CHUNK_FIRST to FCTX_CHUNK_MAX bytes. Per-flow allocation
 * and freeing was 6 % of the bench's dense capture (issue 5). */
#define FCTX_ARENA_MAX   512u /* larger requests get their own block */
#define FCTX_CHUNK_FIRST 512u
#define FCTX_CHUNK_MAX   4096u
struct fctx_chunk {
    struct fctx_chunk *next;
    uint32_t size; /* bytes after the header */
    uint32_t used;
};
#define FCTX_CHUNK_HDR    16u /* sizeof(struct fctx_chunk), keeping 16-byte alignment */
#define FCTX_SWITCHES_MAX 8u  /* dissector upgrades per flow (fctx_switch) */

struct fctx_pending {
    uint8_t *p;
    uint32_t len, cap;
    uint32_t want; /* deliver again once len >= want */
};

struct flow_ctx {
    const struct config *cfg;
    const struct dissector *dis;
    void *state;
    const struct dissector *upgrade_to;
    uint8_t switches; /* upgrades so far (fctx_switch) */
    enum fctx_status status;
    uint16_t server_port;
    struct ipaddr server_ip; /* fctx_set_origin */
    uint64_t flow_id;
    int64_t now_us;
    uint32_t pkt_seq, pkt_ack; /* fctx_packet */
    uint8_t pkt_dir;
    bool pkt_ack_ok;
    struct fctx_pending pend[2];
    struct fctx_block *blocks;
    struct fctx_chunk *chunks; /* the newest first, allocations carved from it */
    uint64_t mem;              /* fctx_alloc bytes + pending buffers */
    bool mem_capped;
    uint8_t n_anomalies;
    uint32_t anomalies_dropped;
    struct anomaly *anomalies; /* RECORD_ANOMALIES_MAX, allocated at the first event */
    struct session_facts facts;
};

void
fctx_event(struct flow_ctx *ctx, const char *name, const char *detail)
{
    for (unsigned i = 0; i < ctx->n_anomalies; i++) {
        struct anomaly *a = &ctx->anomalies[i];
        if (a->name == name || strcmp(a->name, name) == 0) {
            a->count++;
            return;
        }
    }
    if (ctx->n_anomalies >= RECORD_ANOMALIES_MAX) {
        ctx->anomalies_dropped++;
        return;
    }
    /* Most flows never have one: the array (~2 KiB) is made on demand. */
    if (ctx->anomalies == NULL &&
        (ctx->anomalies = mem_alloc(RECORD_ANOMALIES_MAX * sizeof(*ctx->anomalies))) == NULL) {
        ctx->anomalies_dropped++;
        return;
    }
    struct anomaly *a = &ctx->anomalies[ctx->n_anomalies++];
    a->name = name;
    a->count = 1;
    a->first_us = ctx->now_us;
    a->detail[0] = '\0';
    if (detail != NULL)
        str_copy(a->detail, sizeof(a->detail), detail);
}

static bool
fctx_charge(struct flow_ctx *ctx, size_t n)
{
    if (n > ctx->cfg->flow_mem_max || ctx->mem > ctx->cfg->flow_mem_max - n) {
        if (!ctx->mem_capped)
            fctx_event(ctx, "flow.mem_cap", "per-flow memory cap (flow.mem_max) reached");
        ctx->mem_capped = true;
        return false;
    }
    ctx->mem += n;
    return true;
}

/* n bytes from the flow's chunks (a new chunk when the newest is full). */
static void *
fctx_carve(struct flow_ctx *ctx, size_t n, bool zero)
{
    size_t need = n ? (n + 15) & ~(size_t)15 : 16;
    struct fctx_chunk *c = ctx->chunks;
    if (c == NULL || c->size - c->used < need) {
        size_t total = c ? (c->size + FCTX_CHUNK_HDR) * 2 : FCTX_CHUNK_FIRST;
        if (total > FCTX_CHUNK_MAX)
            total = FCTX_CHUNK_MAX;
        while (total - FCTX_CHUNK_HDR < need) /* need <= FCTX_ARENA_MAX < FCTX_CHUNK_MAX */
            total *= 2;
        if (!fctx_charge(ctx, total))
            return NULL;
        struct fctx_chunk *nc = mem_alloc_raw(total);
        if (nc == NULL) {
            ctx->mem -= total;
            fctx_event(ctx, "memcap", "global memory cap (memcap) reached");
            return NULL;
        }
        nc->next = c;
        nc->size = (uint32_t)(total - FCTX_CHUNK_HDR);
        nc->used = 0;
        ctx->chunks = c = nc;
    }
    void *p = (char *)c + FCTX_CHUNK_HDR + c->used;
    c->used += (uint32_t)need;
    if (zero)
        memset(p, 0, n);
    return p;
}

/* Whether p was carved from one of the flow's chunks. */
static bool
fctx_carved(const struct flow_ctx *ctx, const void *p)
{
    for (const struct fctx_chunk *c = ctx->chunks; c != NULL; c = c->next) {
        const char *d = (const char *)c + FCTX_CHUNK_HDR;
        if ((const char *)p >= d && (const char *)p < d + c->size)
            return true;
    }
    return false;
}

static void *
fctx_get(struct flow_ctx *ctx, size_t n, bool zero)
{
    if (n <= FCTX_ARENA_MAX)
        return fctx_carve(ctx, n, zero);
    size_t total = sizeof(struct fctx_block) + n;
    if (!fctx_charge(ctx, total))
        return NULL;
    struct fctx_block *b = zero ? mem_alloc(total) : mem_alloc_raw(total);
    if (b == NULL) {
        ctx->mem -= total;
        fctx_event(ctx, "memcap", "global memory cap (memcap) reached");
        return NULL;
    }
    b->size = total;
    b->prev = NULL;
    b->next = ctx->blocks;
    if (ctx->blocks)
        ctx->blocks->prev = b;
    ctx->blocks = b;
    return b + 1;
}

void *
fctx_alloc(struct flow_ctx *ctx, size_t n)
{
    return fctx_get(ctx, n, true);
}

void *
fctx_alloc_raw(struct flow_ctx *ctx, size_t n)
{
    return fctx_get(ctx, n, false);
}

void
fctx_free(struct flow_ctx *ctx, void *p, size_t n)
{
    (void)n;
    if (p == NULL || fctx_carved(ctx, p))
        return; /* carved: given back with the flow */
    struct fctx_block *b = (struct fctx_block *)p - 1;
    if (b->prev)
        b->prev->next = b->next;
    else
        ctx->blocks = b->next;
    if (b->next)
        b->next->prev = b->prev;
    ctx->mem -= b->size;
    mem_free(b, b->size);
}

bool
fctx_setstr(struct flow_ctx *ctx, struct fstr *s, const uint8_t *bytes, size_t len, size_t max)
{
    s->truncated = len > max;
    size_t n = len > max ? max : len;
    if (s->s == NULL || n + 1 > s->cap) {
        /* room for n bytes and a NUL, doubled when a string grows */
        size_t cap = s->s != NULL && 2 * (size_t)s->cap > n + 1 ? 2 * (size_t)s->cap : n + 1;
        if (cap > max + 1)
            cap = max + 1 > n + 1 ? max + 1 : n + 1;
        fctx_free(ctx, s->s, s->cap);
        s->s = NULL;
        s->len = s->cap = 0;
        if ((s->s = fctx_alloc_raw(ctx, cap)) == NULL)
            return false;
        s->cap = (uint32_t)cap;
    }
    if (n)
        memcpy(s->s, bytes, n);
    s->s[n] = '\0';
    s->len = (uint32_t)n;
    return true;
}

struct session_facts *
fctx_facts(struct flow_ctx *ctx)
{
    return &ctx->facts;
}

const struct session_facts *
fctx_facts_const(const struct flow_ctx *ctx)
{
    return &ctx->facts;
}

uint16_t
fctx_server_port(const struct flow_ctx *ctx)
{
    return ctx->server_port;
}

void
fctx_packet(struct flow_ctx *ctx, enum dir d, uint32_t seq, uint32_t ack, bool has_ack)
{
    ctx->pkt_dir = (uint8_t)d;
    ctx->pkt_seq = seq;
    ctx->pkt_ack = ack;
    ctx->pkt_ack_ok = has_ack;
}

bool
fctx_packet_tcp(const struct flow_ctx *ctx, enum dir *d, uint32_t *seq, uint32_t *ack)
{
    *d = (enum dir)ctx->pkt_dir;
    *seq = ctx->pkt_seq;
    *ack = ctx->pkt_ack;
    return ctx->pkt_ack_ok;
}

int64_t
fctx_now_us(const struct flow_ctx *ctx)
{
    return ctx->now_us;
}

const struct config *
fctx_config(const struct flow_ctx *ctx)
{
    return ctx->cfg;
}

void
fctx_upgrade(struct flow_ctx *ctx, const struct dissector *next)
{
    ctx->upgrade_to = next;
}

enum fctx_cert_rc
fctx_cert(struct flow_ctx *ctx, enum dir d, unsigned idx, const uint8_t *der, size_t len)
{
    struct tls_facts *t = &ctx->facts.tls;
    uint8_t *n = d == DIR_TO_CLIENT ? &t->n_server_chain : &t->n_client_chain;
    uint32_t *chain = d == DIR_TO_CLIENT ? t->server_chain : t->client_chain;
    bool *trunc = d == DIR_TO_CLIENT ? &t->server_chain_truncated : &t->client_chain_truncated;
    unsigned max =
        ctx->cfg->x509_chain_max < FACTS_CHAIN_MAX ? ctx->cfg->x509_chain_max : FACTS_CHAIN_MAX;
    (void)idx;
    if (*n >= max) {
        if (!*trunc)
            fctx_event(ctx, "x509.chain_cap", "more certificates than x509.chain_max");
        *trunc = true;
        return FCTX_CERT_PAST_CAP;
    }
    if (len > ctx->cfg->x509_cert_max) {
        fctx_event(ctx, "x509.cert_cap", "certificate larger than x509.cert_max");
        return FCTX_CERT_LOST;
    }
    uint32_t id = certcache_add(der, len);
    if (id == 0) {
        fctx_event(ctx, "x509.cache_full",
                   "certificate cache full (certcache.max) or out of memory");
        return FCTX_CERT_LOST;
    }
    const struct cert_entry *e = certcache_get(id);
    if (e != NULL && e->info.parse_error != NULL)
        fctx_event(ctx, "x509.parse_error", e->info.parse_error);
    if (*n == 0) /* the first of the message: the sender's own */
        certcache_mark_leaf(id);
    chain[(*n)++] = id;
    return FCTX_CERT_KEPT;
}

void
fctx_ocsp(struct flow_ctx *ctx, const uint8_t *der, size_t len)
{
    struct tls_facts *t = &ctx->facts.tls;
    bool too_large = len > ctx->cfg->tls_ocsp_max;
    if (t->ocsp != NULL) /* one a handshake; a second is not taken */
        return;
    if (too_large)
        fctx_event(ctx, "tls.ocsp_cap",
                   "stapled OCSP response larger than tls.ocsp_max (not judged)");
    struct tls_staple *st = fctx_alloc_raw(ctx, sizeof(*st) + (too_large ? 0 : len));
    if (st == NULL)
        return;
    st->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    st->too_large = too_large;
    if (!too_large)
        memcpy(st->der, der, len);
    t->ocsp = st;
}

void
fctx_set_origin(struct flow_ctx *ctx, const struct ipaddr *server, uint64_t flow_id)
{
    ctx->server_ip = *server;
    ctx->flow_id = flow_id;
}

static bool
fctx_resume_key(const struct flow_ctx *ctx, int kind, const uint8_t *key, size_t len,
                struct resume_key *k)
{
    if (len == 0 || len > RESUME_KEY_MAX)
        return false;
    memset(k, 0, sizeof(*k));
    k->ip = ctx->server_ip;
    k->kind = (uint8_t)kind;
    k->len = (uint8_t)len;
    memcpy(k->b, key, len);
    return true;
}

void
fctx_resume_offer(struct flow_ctx *ctx, int kind, const uint8_t *key, size_t len)
{
    const struct tls_facts *t = &ctx->facts.tls;
    struct resume_key k;
    struct resume_link l;
    if (!fctx_resume_key(ctx, kind, key, len, &k))
        return;
    memset(&l, 0, sizeof(l));
    if (t->certificates == TLS_CERTS_VISIBLE && t->n_server_chain > 0) {
        l.n = t->n_server_chain;
        memcpy(l.ids, t->server_chain, l.n * sizeof(uint32_t));
        l.from = ctx->flow_id;
        l.port = ctx->server_port;
    } else if (t->n_resumed_chain > 0) { /* a ticket renewed in an abbreviated handshake */
        l.n = t->n_resumed_chain;
        memcpy(l.ids, t->resumed_chain, l.n * sizeof(uint32_t));
        l.from = t->resumed_from;
        l.port = t->resumed_port; /* where the chain was presented */
    } else {
        return;
    }
    resume_put(&k, &l);
}

bool
fctx_resume_find(struct flow_ctx *ctx, int kind, const uint8_t *key, size_t len)
{
    struct tls_facts *t = &ctx->facts.tls;
    struct resume_key k;
    struct resume_link l;
    if (!fctx_resume_key(ctx, kind, key, len, &k) || !resume_get(&k, &l))
        return false;
    t->n_resumed_chain = l.n;
    memcpy(t->resumed_chain, l.ids, l.n * sizeof(uint32_t));
    t->resumed_from = l.from;
    t->resumed_port = l.port;
    t->resumed_by = (uint8_t)kind;
    return true;
}

/* Zeroes a new context but for the two arrays of its facts that are read
 * only up to their counts (zeroed here): the SMTP dialogue (768 bytes,
 * written whole by smtp_dialog_add) and the TLS alerts (384, tls_alert).
 * Zeroing all 2 KiB cost glibc's `rep stosb` per session, and touched their
 * cache lines for the few entries a session has (issue 5). */
#define FCTX_ZERO_RANGE(p, from, to) memset((char *)(p) + (from), 0, (size_t)((to) - (from)))
static void
fctx_clear(struct flow_ctx *ctx)
{
    const size_t dialog = offsetof(struct flow_ctx, facts.smtp.dialog),
                 dialog_end = dialog + sizeof(ctx->facts.smtp.dialog),
                 alerts = offsetof(struct flow_ctx, facts.tls.alerts),
                 alerts_end = alerts + sizeof(ctx->facts.tls.alerts);
    _Static_assert(offsetof(struct flow_ctx, facts.smtp.dialog) <
                       offsetof(struct flow_ctx, facts.tls.alerts),
                   "the dialogue before the alerts");
    FCTX_ZERO_RANGE(ctx, 0, dialog);
    FCTX_ZERO_RANGE(ctx, dialog_end, alerts);
    FCTX_ZERO_RANGE(ctx, alerts_end, sizeof(*ctx)); /* n_dialog, n_alerts: 0 */
}

struct flow_ctx *
fctx_new(const struct config *cfg, uint16_t server_port)
{
    struct flow_ctx *ctx = mem_alloc_raw(sizeof(*ctx));
    if (ctx == NULL)
        return NULL;
    fctx_clear(ctx);
    ctx->cfg = cfg;
    ctx->server_port = server_port;
    ctx->status = FCTX_STOPPED;
    ctx->facts.smtp.starttls_offered = -1;
    ctx->facts.smtp.starttls_reply_code = -1;
    ctx->facts.tls.last_hs[0] = ctx->facts.tls.last_hs[1] = -1;
    return ctx;
}

static void
fctx_drop_state(struct flow_ctx *ctx)
{
    if (ctx->dis != NULL && ctx->state != NULL && ctx->dis->state_free != NULL)
        ctx->dis->state_free(ctx, ctx->state);
    ctx->state = NULL;
}

static void
fctx_drop_pending(struct flow_ctx *ctx, enum dir d)
{
    struct fctx_pending *pb = &ctx->pend[d];
    if (pb->p != NULL) {
        mem_free(pb->p, pb->cap);
        ctx->mem -= pb->cap;
    }
    memset(pb, 0, sizeof(*pb));
}

void
fctx_destroy(struct flow_ctx *ctx)
{
    if (ctx == NULL)
        return;
    fctx_drop_state(ctx);
    fctx_drop_pending(ctx, DIR_TO_SERVER);
    fctx_drop_pending(ctx, DIR_TO_CLIENT);
    while (ctx->blocks != NULL)
        fctx_free(ctx, ctx->blocks + 1, 0);
    while (ctx->chunks != NULL) {
        struct fctx_chunk *c = ctx->chunks;
        ctx->chunks = c->next;
        ctx->mem -= c->size + FCTX_CHUNK_HDR;
        mem_free(c, c->size + FCTX_CHUNK_HDR);
    }
    mem_free(ctx->anomalies, RECORD_ANOMALIES_MAX * sizeof(*ctx->anomalies));
    mem_free(ctx, sizeof(*ctx));
}

void
fctx_attach(struct flow_ctx *ctx, const struct dissector *d)
{
    fctx_drop_state(ctx);
    ctx->dis = d;
    ctx->upgrade_to = NULL;
    ctx->status = FCTX_ACTIVE;
    if (d->state_new != NULL) {
        ctx->state = d->state_new(ctx);
        if (ctx->state == NULL) {
            fctx_event(ctx, "flow.no_memory", "dissector state could not be allocated");
            ctx->status = FCTX_STOPPED;
        }
    }
}

static void
fctx_stop(struct flow_ctx *ctx, enum fctx_status st)
{
    fctx_drop_state(ctx);
    fctx_drop_pending(ctx, DIR_TO_SERVER);
    fctx_drop_pending(ctx, DIR_TO_CLIENT);
    ctx->status = st;
}

/* Hands the flow to the dissector fctx_upgrade named. A real connection
 * switches a few times at most (SMTP to TLS at STARTTLS, RFC 3207 §4; on an
 * implicit-TLS port TLS to plaintext SMTP and back, RFC 8314 §3.3); crafted
 * bytes can make SMTP and TLS hand each other the flow at every record, each
 * time re-reading what the other side left pending: past FCTX_SWITCHES_MAX
 * the flow is read no further (flow.switch_loop). False when stopped. */
static bool
fctx_switch(struct flow_ctx *ctx)
{
    const struct dissector *next = ctx->upgrade_to;
    if (++ctx->switches > FCTX_SWITCHES_MAX) {
        fctx_event(ctx, "flow.switch_loop", "switched between SMTP and TLS more than 8 times");
        fctx_stop(ctx, FCTX_STOPPED);
        return false;
    }
    fctx_attach(ctx, next);
    return true;
}

/* Runs the dissector over buf[0..len). Returns bytes consumed; sets *want to
 * the total number of bytes (from the first unconsumed one) it needs before
 * the next call (0 = any). */
static uint32_t
fctx_run(struct flow_ctx *ctx, enum dir d, const uint8_t *buf, uint32_t len, uint32_t *want)
{
    uint32_t off = 0;
    unsigned rounds = 0;
    *want = 0;
    while (ctx->status == FCTX_ACTIVE && off < len) {
        if (++rounds > 1u << 20) { /* every round consumes or asks: bound regardless */
            fctx_event(ctx, "dissector.no_progress", ctx->dis->name);
            fctx_stop(ctx, FCTX_STOPPED);
            return len;
        }
        struct dres r = ctx->dis->data(ctx, ctx->state, d, buf + off, len - off);
        if (r.consumed > len - off || (r.st == D_NEED && r.needed == 0)) {
            fctx_event(ctx, "dissector.contract", ctx->dis->name);
            fctx_stop(ctx, FCTX_STOPPED);
            return len;
        }
        off += r.consumed;
        if (ctx->upgrade_to != NULL) {
            if (!fctx_switch(ctx))
                return len;
            if (r.st == D_ERROR || r.st == D_DONE)
                r.st = D_OK;
            continue;
        }
        switch (r.st) {
        case D_DONE:
            fctx_stop(ctx, FCTX_DONE);
            return len;
        case D_ERROR:
            fctx_event(ctx, "dissector.error", ctx->dis->name);
            fctx_stop(ctx, FCTX_STOPPED);
            return len;
        case D_NEED:
            *want = r.needed;
            return off;
        case D_OK:
            if (r.consumed == 0) { /* no progress without saying what it needs */
                *want = len - off + 1;
                return off;
            }
            break;
        }
    }
    return off;
}

static bool
fctx_pending_append(struct flow_ctx *ctx, enum dir d, const uint8_t *buf, uint32_t len)
{
    struct fctx_pending *pb = &ctx->pend[d];
    if (len == 0)
        return true;
    if (len > ctx->cfg->reasm_buf_max || pb->len > ctx->cfg->reasm_buf_max - len) {
        fctx_event(ctx, "stream.buffer_cap", "unconsumed bytes passed reasm.buf_max");
        return false;
    }
    if (pb->len + len > pb->cap) {
        uint32_t ncap = pb->cap ? pb->cap : 512;
        while (ncap < pb->len + len)
            ncap = ncap > UINT32_MAX / 2 ? pb->len + len : ncap * 2;
        if (ncap > ctx->cfg->reasm_buf_max)
            ncap = ctx->cfg->reasm_buf_max;
        if (!fctx_charge(ctx, ncap - pb->cap))
            return false;
        uint8_t *np = mem_realloc(pb->p, pb->cap, ncap);
        if (np == NULL) {
            ctx->mem -= ncap - pb->cap;
            fctx_event(ctx, "memcap", "global memory cap (memcap) reached");
            return false;
        }
        pb->p = np;
        pb->cap = ncap;
    }
    memcpy(pb->p + pb->len, buf, len);
    pb->len += len;
    return true;
}

/* Runs direction d's dissector over its pending bytes and then buf[0..len)
 * (buf NULL: the pending bytes alone), keeping what it leaves unread. */
static void
fctx_feed(struct flow_ctx *ctx, enum dir d, const uint8_t *buf, uint32_t len)
{
    struct fctx_pending *pb = &ctx->pend[d];
    uint32_t want = 0;
    if (pb->len == 0) {
        uint32_t used = fctx_run(ctx, d, buf, len, &want);
        if (ctx->status != FCTX_ACTIVE)
            return;
        if (!fctx_pending_append(ctx, d, buf + used, len - used)) {
            fctx_gap(ctx, d, len - used, ctx->now_us);
            return;
        }
        pb->want = want;
    } else {
        if (!fctx_pending_append(ctx, d, buf, len)) {
            fctx_gap(ctx, d, (uint64_t)pb->len + len, ctx->now_us);
            return;
        }
        if (pb->len < pb->want)
            return;
        uint32_t used = fctx_run(ctx, d, pb->p, pb->len, &want);
        if (ctx->status != FCTX_ACTIVE)
            return;
        memmove(pb->p, pb->p + used, pb->len - used);
        pb->len -= used;
        pb->want = want;
    }
}

/* Feeds direction d; after an upgrade, the bytes waiting in the other
 * direction belong to the new dissector, and may upgrade again: handed over
 * in a loop (it had been a recursion as deep as the upgrades), which
 * fctx_switch's cap ends. */
static enum fctx_status
fctx_deliver_dir(struct flow_ctx *ctx, enum dir d, const uint8_t *buf, uint32_t len)
{
    uint8_t before = ctx->switches; /* A to B and back to A is a hand-over too */
    fctx_feed(ctx, d, buf, len);
    while (ctx->status == FCTX_ACTIVE && ctx->switches != before) {
        d = (enum dir) !d;
        if (ctx->pend[d].len == 0)
            break;
        before = ctx->switches;
        ctx->pend[d].want = 0;
        fctx_feed(ctx, d, NULL, 0);
    }
    return ctx->status;
}

enum fctx_status
fctx_deliver(struct flow_ctx *ctx, enum dir d, const uint8_t *buf, uint32_t len, int64_t ts_us)
{
    ctx->now_us = ts_us;
    if (ctx->status != FCTX_ACTIVE || len == 0)
        return ctx->status;
    return fctx_deliver_dir(ctx, d, buf, len);
}

enum fctx_status
fctx_gap(struct flow_ctx *ctx, enum dir d, uint64_t missing, int64_t ts_us)
{
    ctx->now_us = ts_us;
    if (ctx->status != FCTX_ACTIVE)
        return ctx->status;
    struct fctx_pending *pb = &ctx->pend[d];
    pb->len = 0;
    pb->want = 0;
    if (ctx->dis->gap != NULL)
        ctx->dis->gap(ctx, ctx->state, d, missing);
    if (ctx->upgrade_to != NULL)
        fctx_switch(ctx);
    return ctx->status;
}

void
fctx_eof(struct flow_ctx *ctx, enum dir d, int64_t ts_us)
{
    ctx->now_us = ts_us;
    if (ctx->status != FCTX_ACTIVE)
        return;
    struct fctx_pending *pb = &ctx->pend[d];
    uint32_t left = pb->len;
    pb->len = 0;
    pb->want = 0;
    if (ctx->dis->eof != NULL)
        ctx->dis->eof(ctx, ctx->state, d, left);
}

enum fctx_status
fctx_status(const struct flow_ctx *ctx)
{
    return ctx->status;
}

const char *
fctx_dissector_name(const struct flow_ctx *ctx)
{
    return ctx->dis ? ctx->dis->name : NULL;
}

void
fctx_fill_record(const struct flow_ctx *ctx, struct flow_record *rec)
{
    rec->n_anomalies = ctx->n_anomalies;
    rec->anomalies_dropped = ctx->anomalies_dropped;
    if (ctx->anomalies != NULL)
        memcpy(rec->anomalies, ctx->anomalies, sizeof(rec->anomalies));
    rec->facts = &ctx->facts;
}

uint64_t
fctx_mem(const struct flow_ctx *ctx)
{
    return ctx->mem;
}
