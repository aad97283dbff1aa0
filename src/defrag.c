/* \summary: IP fragment reassembly (see defrag.h for the policy).
 *
 * Fragments (RFC 791 §3.1, §3.2; RFC 8200 §4.5):
 *   IPv4: | ver/IHL | tos | total length | id 16 | flags 3b (0, DF, MF) offset 13b | ... |
 *   IPv6: | fixed header 40 | per-fragment extension headers | Fragment header:
 *         | next | rsvd | offset 13b rsvd 2b M 1b | id 32 | fragmentable part |
 * The offset counts 8-byte units; every fragment but the last carries a
 * multiple of 8 bytes. A datagram in progress keeps its data at its offset in
 * one buffer (grown in powers of two up to 64 KiB) behind DEFRAG_HDR_ROOM bytes,
 * and one bit per 8-byte block received (RFC 815 keeps a hole list; a bitmap of
 * the 8192 blocks a datagram can have needs no allocation per hole and makes
 * the overlap test of RFC 5722 a count of bits). On completion the header of
 * the offset-zero fragment is written in front of the data (IPv4: its options
 * included, total length set, MF and offset cleared; IPv6: the fixed header with
 * the Payload Length and the Fragment header's Next Header, the per-fragment
 * extension headers left out) and the buffer is handed to the caller.
 *
 * Datagrams are found by a seeded hash (chains) and kept in a list ordered by
 * arrival of their first fragment: timeouts and evictions take its head.
 */
#include "defrag.h"

#include <string.h>

#include "cursor.h"
#include "inetsum.h"
#include "mem.h"
#include "nhash.h"

#define DEFRAG_HDR_ROOM     60     /* the longest IPv4 header (IHL 15); IPv6 uses 40 of it */
#define DEFRAG_DATAGRAM_MAX 65535u /* RFC 791 §3.1 Total Length, RFC 8200 §4.5 Payload Length */
#define DEFRAG_BLOCKS       8192   /* 8-byte blocks of the largest datagram */
#define DEFRAG_BUF_MIN      1024   /* data bytes of a datagram's first buffer */
#define DEFRAG_PROTO_TCP    6
#define DEFRAG_PROTO_UDP    17 /* VXLAN and Geneve too */
#define DEFRAG_PROTO_IPIP   4  /* tunnels decode_tunnel.c takes off (RFC 2003) */
#define DEFRAG_PROTO_IPV6   41 /* RFC 4213 */
#define DEFRAG_PROTO_GRE    47 /* RFC 2784: GRE, ERSPAN */

struct defrag_key {
    uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes, the rest zero */
    uint32_t id;
    uint16_t vlan[2];
    uint8_t family, proto, n_vlan, tun_kind; /* tun_*: pkt.tun_kind, tun_id (a tunnel's network) */
    uint32_t tun_id;
};
_Static_assert(sizeof(struct defrag_key) == 48, "the key hashes as six 64-bit words");

struct defrag_dgram {
    struct defrag_key k;
    uint32_t hash;
    struct defrag_dgram *hnext;         /* hash chain */
    struct defrag_dgram *older, *newer; /* arrival list */
    int64_t first_us;                   /* the first fragment's time */
    uint8_t *buf;                       /* DEFRAG_HDR_ROOM bytes, then the data; NULL if dead */
    uint32_t buf_n;                     /* bytes of buf */
    uint32_t held;                      /* data bytes received (no byte twice) */
    uint32_t end_max;                   /* highest end of the data received */
    uint32_t total;                     /* the data's length, once the last fragment came */
    uint32_t cut_at;                    /* first data byte the capture lacks, UINT32_MAX: none */
    uint8_t hdr[DEFRAG_HDR_ROOM];       /* the offset-zero fragment's IP header */
    uint8_t hdr_len;                    /* its length, 0 until it came */
    bool has_last;                      /* the fragment without MF/M came: total is known */
    bool dead;                          /* discarded: its later fragments are dropped */
    uint8_t map[DEFRAG_BLOCKS / 8];     /* one bit per 8-byte block received */
};

/* ---- table ----------------------------------------------------------- */

/* The flow table's seeded hash (nhash.h) over the key's six words (Suricata
 * CVE-2024-47187: an unseeded hash can be flooded into one chain). */
static uint32_t
defrag_hash(const struct defrag *d, const struct defrag_key *k)
{
    uint64_t w[6];
    memcpy(w, k, sizeof(w));
    uint64_t h = 0;
    for (unsigned i = 0; i < 6; i++)
        h += nhash_term(w[i], d->hkey + 2 * i);
    return nhash_fold(h, d->seed);
}

static struct defrag_dgram *
defrag_find(const struct defrag *d, const struct defrag_key *k, uint32_t hash)
{
    if (d->bucket == NULL)
        return NULL;
    struct defrag_dgram *g = d->bucket[hash & (d->nbucket - 1)];
    for (; g != NULL; g = g->hnext)
        if (g->hash == hash && memcmp(&g->k, k, sizeof(*k)) == 0)
            return g;
    return NULL;
}

static void
defrag_free_buf(struct defrag *d, struct defrag_dgram *g)
{
    if (g->buf != NULL) {
        mem_free(g->buf, g->buf_n);
        d->held_bytes -= g->buf_n;
        g->buf = NULL;
        g->buf_n = 0;
    }
}

/* Takes g out of the table and frees it (its buffer too, unless handed on). */
static void
defrag_remove(struct defrag *d, struct defrag_dgram *g)
{
    struct defrag_dgram **pp = &d->bucket[g->hash & (d->nbucket - 1)];
    while (*pp != g)
        pp = &(*pp)->hnext;
    *pp = g->hnext;
    if (g->older != NULL)
        g->older->newer = g->newer;
    else
        d->oldest = g->newer;
    if (g->newer != NULL)
        g->newer->older = g->older;
    else
        d->newest = g->older;
    defrag_free_buf(d, g);
    d->held_bytes -= sizeof(*g);
    d->n--;
    mem_free(g, sizeof(*g));
}

/* Discards g's data; it stays, dead, to drop its later fragments (RFC 5722 §4:
 * "including those not yet received") until its timeout. */
static void
defrag_kill(struct defrag *d, struct defrag_dgram *g)
{
    defrag_free_buf(d, g);
    g->dead = true;
}

/* A datagram dropped at defrag.mem_max (mem) or defrag.max: counted by cap,
 * so that a report can name the one to raise. */
static void
defrag_cap_drop(struct defrag *d, bool mem)
{
    d->st.dropped++;
    d->st.cap_hits++;
    d->st.mem_max_hits += mem;
}

/* Makes room by abandoning the oldest datagram other than keep, for
 * defrag.mem_max (mem) or defrag.max; false when there is none. A live one
 * is counted as dropped at that cap. */
static bool
defrag_evict(struct defrag *d, const struct defrag_dgram *keep, bool mem)
{
    struct defrag_dgram *g = d->oldest;
    if (g == keep)
        g = g->newer;
    if (g == NULL)
        return false;
    if (!g->dead)
        defrag_cap_drop(d, mem);
    defrag_remove(d, g);
    return true;
}

/* True when `more` bytes fit under defrag.mem_max, others giving way. */
static bool
defrag_room(struct defrag *d, const struct defrag_dgram *keep, uint64_t more)
{
    for (uint32_t guard = d->n + 1; guard > 0; guard--) {
        if (d->held_bytes + more <= d->caps.mem_max)
            return true;
        if (!defrag_evict(d, keep, true))
            break;
    }
    return d->held_bytes + more <= d->caps.mem_max;
}

static struct defrag_dgram *
defrag_make(struct defrag *d, const struct defrag_key *k, uint32_t hash, int64_t ts_us)
{
    if (d->bucket == NULL) {
        /* the first fragment of the run: the table (up to 64 K chains) */
        uint32_t nb = 16;
        while (nb < d->caps.max && nb < 65536)
            nb <<= 1;
        d->bucket = mem_alloc((size_t)nb * sizeof(*d->bucket));
        if (d->bucket == NULL) {
            d->st.dropped++; /* the memcap: mem.c counts the hit */
            return NULL;
        }
        d->nbucket = nb;
    }
    for (uint32_t guard = d->n + 1; d->n >= d->caps.max && guard > 0; guard--)
        if (!defrag_evict(d, NULL, false))
            break;
    if (d->n >= d->caps.max || !defrag_room(d, NULL, sizeof(struct defrag_dgram))) {
        defrag_cap_drop(d, d->n < d->caps.max);
        return NULL;
    }
    struct defrag_dgram *g = mem_alloc(sizeof(*g));
    if (g == NULL) {
        d->st.dropped++; /* the memcap: mem.c counts the hit */
        return NULL;
    }
    g->k = *k;
    g->hash = hash;
    g->first_us = ts_us;
    g->cut_at = UINT32_MAX;
    g->hnext = d->bucket[hash & (d->nbucket - 1)];
    d->bucket[hash & (d->nbucket - 1)] = g;
    g->older = d->newest;
    if (d->newest != NULL)
        d->newest->newer = g;
    else
        d->oldest = g;
    d->newest = g;
    d->n++;
    d->held_bytes += sizeof(*g);
    return g;
}

/* ---- blocks ---------------------------------------------------------- */

static uint32_t
defrag_blocks_held(const struct defrag_dgram *g, uint32_t b0, uint32_t b1)
{
    uint32_t n = 0;
    for (uint32_t b = b0; b < b1; b++)
        n += (g->map[b >> 3] >> (b & 7)) & 1u;
    return n;
}

static void
defrag_blocks_set(struct defrag_dgram *g, uint32_t b0, uint32_t b1)
{
    for (uint32_t b = b0; b < b1; b++)
        g->map[b >> 3] |= (uint8_t)(1u << (b & 7));
}

/* Grows g's buffer to hold data up to `end`; false (g discarded) at a cap. */
static bool
defrag_grow(struct defrag *d, struct defrag_dgram *g, uint32_t end)
{
    if (g->buf != NULL && DEFRAG_HDR_ROOM + end <= g->buf_n)
        return true;
    uint32_t cap = DEFRAG_BUF_MIN;
    while (cap < end)
        cap <<= 1; /* end <= 65535: at most 64 KiB */
    uint32_t n = DEFRAG_HDR_ROOM + cap;
    if (!defrag_room(d, g, n - g->buf_n)) {
        defrag_cap_drop(d, true);
        defrag_kill(d, g);
        return false;
    }
    uint8_t *nb = g->buf == NULL ? mem_alloc(n) : mem_realloc(g->buf, g->buf_n, n);
    if (nb == NULL) {
        d->st.dropped++; /* the memcap: mem.c counts the hit */
        defrag_kill(d, g);
        return false;
    }
    d->held_bytes += n - g->buf_n;
    g->buf = nb;
    g->buf_n = n;
    return true;
}

/* ---- completion ------------------------------------------------------ */

/* g is complete: writes its header in front of the data, hands the buffer to
 * out and removes g. False (g removed, counted malformed) when the header
 * and data would pass 65535 bytes. */
static bool
defrag_deliver(struct defrag *d, struct defrag_dgram *g, struct defrag_out *out)
{
    uint32_t hl = g->hdr_len;
    if (hl + (uint64_t)g->total > DEFRAG_DATAGRAM_MAX + (g->k.family == 6 ? 40u : 0u)) {
        d->st.malformed++; /* RFC 791 §3.1: the total length is 16 bits */
        defrag_remove(d, g);
        return false;
    }
    uint8_t *h = g->buf + DEFRAG_HDR_ROOM - hl;
    memcpy(h, g->hdr, hl);
    if (g->k.family == 4) {
        uint32_t tot = hl + g->total;
        h[2] = (uint8_t)(tot >> 8);
        h[3] = (uint8_t)tot;
        h[6] = 0; /* flags (MF) and offset: a whole datagram now */
        h[7] = 0;
        h[10] = 0;
        h[11] = 0;
        uint16_t c = (uint16_t)~inetsum_add(0, h, hl); /* RFC 791 §3.1 */
        h[10] = (uint8_t)(c >> 8);
        h[11] = (uint8_t)c;
    } else {
        h[4] = (uint8_t)(g->total >> 8); /* Payload Length (RFC 8200 §3) */
        h[5] = (uint8_t)g->total;
        h[6] = g->k.proto; /* the offset-zero Fragment header's Next Header (§4.5) */
        /* the unfragmentable part is not kept: its Routing header's final
         * destination and Home Address option's source (decode.c) would be
         * lost, so the header gets the fragments' keyed addresses, those
         * their unfragmented packets are keyed by (RFC 8200 §8.1) */
        memcpy(h + 8, g->k.src, 16);
        memcpy(h + 24, g->k.dst, 16);
    }
    out->ip = h;
    out->wirelen = hl + g->total;
    out->caplen = hl + (g->cut_at < g->total ? g->cut_at : g->total);
    out->block = g->buf;
    out->blocklen = g->buf_n;
    d->held_bytes -= g->buf_n; /* the caller's now (still in mem.c's count) */
    g->buf = NULL;
    g->buf_n = 0;
    defrag_remove(d, g);
    d->st.datagrams++;
    return true;
}

/* ---- API ------------------------------------------------------------- */

void
defrag_init(struct defrag *d, const struct defrag_caps *caps)
{
    memset(d, 0, sizeof(*d));
    d->caps = *caps;
    if (d->caps.max == 0)
        d->caps.max = 1;
    d->seed = caps->seed ? caps->seed : nhash_random_seed();
    nhash_keys(d->seed, d->hkey, 12);
}

void
defrag_expire(struct defrag *d, int64_t now_us)
{
    if (d == NULL)
        return;
    int64_t limit = (int64_t)d->caps.timeout_s * 1000000;
    for (uint32_t guard = d->n; guard > 0 && d->oldest != NULL; guard--) {
        struct defrag_dgram *g = d->oldest;
        int64_t age = now_us - g->first_us;
        if (age <= limit && age >= -limit)
            break; /* (a later file of the timeline may start earlier: a jump back ages too) */
        if (!g->dead)
            d->st.incomplete++;
        defrag_remove(d, g);
    }
}

/* The fragment f wholly within bytes g holds: a duplicate when its captured
 * bytes equal them, else an overlap; dropped either way (the first copy stays). */
static void
defrag_contained(struct defrag *d, const struct defrag_dgram *g, const struct decode_frag *f)
{
    uint32_t n = f->data_caplen;
    if (g->cut_at < f->offset)
        n = 0;
    else if (g->cut_at - f->offset < n)
        n = g->cut_at - f->offset;
    if (n > 0 && (g->buf == NULL || memcmp(g->buf + DEFRAG_HDR_ROOM + f->offset, f->data, n) != 0))
        d->st.overlaps++;
    else
        d->st.duplicates++;
}

bool
defrag_add(struct defrag *d, const struct pkt *p, const struct decode_frag *f,
           struct defrag_out *out)
{
    memset(out, 0, sizeof(*out));
    if (d == NULL)
        return false;
    defrag_expire(d, p->ts_us);
    if (f->proto != DEFRAG_PROTO_TCP && f->proto != DEFRAG_PROTO_UDP &&
        f->proto != DEFRAG_PROTO_GRE && f->proto != DEFRAG_PROTO_IPIP &&
        f->proto != DEFRAG_PROTO_IPV6)
        return false; /* not ours to reassemble: counted as a fragment only */
    uint32_t off = f->offset, len = f->data_wirelen;
    uint32_t before = f->family == 4 ? f->hdr_len : f->unfrag_len;
    if (len == 0 || (f->more && len % 8 != 0) ||
        (uint64_t)off + len + before > DEFRAG_DATAGRAM_MAX || f->data_caplen > len) {
        d->st.malformed++;
        return false;
    }
    uint32_t end = off + len;

    struct defrag_key k;
    memset(&k, 0, sizeof(k));
    k.family = f->family;
    k.proto = f->proto;
    k.id = f->id;
    memcpy(k.src, p->src.a, f->family == 4 ? 4 : 16);
    memcpy(k.dst, p->dst.a, f->family == 4 ? 4 : 16);
    if (!d->caps.ignore_vlan) {
        k.n_vlan = p->n_vlan;
        k.vlan[0] = p->vlan[0];
        k.vlan[1] = p->vlan[1];
        k.tun_kind = p->tun_kind;
        k.tun_id = p->tun_id;
    }
    uint32_t hash = defrag_hash(d, &k);
    struct defrag_dgram *g = defrag_find(d, &k, hash);
    if (g == NULL && (g = defrag_make(d, &k, hash, p->ts_us)) == NULL)
        return false;
    if (g->dead)
        return false;

    /* The end of the datagram (RFC 791 §3.2, RFC 8200 §4.5): one last
     * fragment, at or past every byte held, and nothing beyond it. */
    if (!f->more) {
        if ((g->has_last && end != g->total) || end < g->end_max) {
            d->st.malformed++;
            defrag_kill(d, g);
            return false;
        }
        g->has_last = true;
        g->total = end;
    } else if (g->has_last && end > g->total) {
        d->st.malformed++;
        defrag_kill(d, g);
        return false;
    }

    /* Overlaps (RFC 5722 §4, errata 3089) */
    uint32_t b0 = off / 8, b1 = (end + 7) / 8;
    uint32_t held = defrag_blocks_held(g, b0, b1);
    if (held == b1 - b0) {
        defrag_contained(d, g, f);
        return false;
    }
    if (held != 0) {
        d->st.overlaps++;
        defrag_kill(d, g);
        return false;
    }

    if (!defrag_grow(d, g, end))
        return false;
    if (f->data_caplen > 0)
        memcpy(g->buf + DEFRAG_HDR_ROOM + off, f->data, f->data_caplen);
    if (f->data_caplen < len && off + f->data_caplen < g->cut_at)
        g->cut_at = off + f->data_caplen; /* the capture cut this fragment */
    defrag_blocks_set(g, b0, b1);
    g->held += len;
    if (end > g->end_max)
        g->end_max = end;
    if (off == 0) {
        uint32_t hl = f->hdr_len <= DEFRAG_HDR_ROOM ? f->hdr_len : DEFRAG_HDR_ROOM;
        memcpy(g->hdr, f->hdr, hl);
        g->hdr_len = (uint8_t)hl;
    }
    if (g->has_last && g->held == g->total && g->hdr_len > 0)
        return defrag_deliver(d, g, out);
    return false;
}

static void
defrag_block_free(void *block, uint32_t len)
{
    if (block == NULL)
        return;
#ifndef NDEBUG
    /* debug builds: a packet still borrowing the datagram (main.c's
     * look-ahead slots hold it until the engine had it) reads garbage */
    memset(block, 0xa5, len);
#endif
    mem_free(block, len);
}

void
defrag_release(struct defrag_out *out)
{
    defrag_block_free(out->block, out->blocklen);
    memset(out, 0, sizeof(*out));
}

bool
defrag_add_inner(struct defrag *d, const struct pkt *p, const struct decode_frag *f,
                 struct defrag_out *out, uint32_t *inner_at)
{
    struct defrag_out in = {0};
    if (out->block == NULL || f->hdr < out->ip || f->hdr > out->ip + out->caplen ||
        !defrag_add(d, p, f, &in)) {
        defrag_release(out);
        return false;
    }
    uint32_t pre = (uint32_t)(f->hdr - out->ip); /* the tunnel's headers */
    uint32_t n = pre + in.caplen;
    uint8_t *b = mem_alloc_raw(n > 0 ? n : 1);
    if (b == NULL) {
        d->st.dropped++;
        defrag_release(&in);
        defrag_release(out);
        return false;
    }
    memcpy(b, out->ip, pre);
    memcpy(b + pre, in.ip, in.caplen);
    defrag_block_free(out->block, out->blocklen);
    out->block = b;
    out->blocklen = n > 0 ? n : 1;
    out->ip = b;
    out->caplen = n;
    out->wirelen = pre + in.wirelen;
    out->inner_at = pre;
    *inner_at = pre;
    defrag_release(&in);
    return true;
}

void
defrag_finish(struct defrag *d)
{
    if (d == NULL)
        return;
    for (uint32_t guard = d->n; guard > 0 && d->oldest != NULL; guard--) {
        if (!d->oldest->dead)
            d->st.incomplete++;
        defrag_remove(d, d->oldest);
    }
}

void
defrag_free(struct defrag *d)
{
    if (d == NULL)
        return;
    for (uint32_t guard = d->n; guard > 0 && d->oldest != NULL; guard--)
        defrag_remove(d, d->oldest);
    if (d->bucket != NULL)
        mem_free(d->bucket, (size_t)d->nbucket * sizeof(*d->bucket));
    d->bucket = NULL;
    d->nbucket = 0;
}

void
defrag_stats(const struct defrag *d, struct defrag_stats *out)
{
    if (d == NULL)
        memset(out, 0, sizeof(*out));
    else
        *out = d->st;
}

uint32_t
defrag_in_progress(const struct defrag *d)
{
    return d == NULL ? 0 : d->n;
}

uint64_t
defrag_bytes_held(const struct defrag *d)
{
    return d == NULL ? 0 : d->held_bytes;
}
