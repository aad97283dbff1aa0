/* \summary: benchmark capture generator. Replicates real SMTP sessions (the
 * complete TCP flows on mail ports of the given captures, made by Postfix,
 * Exim, OpenSSL and GnuTLS in namespaces) with new client and server
 * addresses, ports and initial sequence numbers, many of them open at once
 * and interleaved, and writes one pcap.
 *
 * Modes:
 *   dense     SMTP sessions only; leaf certificates drawn from -d variants
 *   distinct  SMTP sessions only; every leaf certificate distinct
 *   mix       gateway mix: -p percent of the bytes are SMTP sessions, the rest
 *             bulk TCP flows (port 443, random payload) that a mail analyzer
 *             must skip cheaply
 *   open      -k sessions all open at once: packet i of every session before
 *             packet i+1 of any (round robin)
 *
 * A leaf variant is the same certificate with the last 4 bytes of its
 * signature replaced by the variant number: the same length and structure, a
 * distinct DER (so a cache keyed by the bytes cannot hide the parse), an
 * invalid signature (verification still runs in full).
 *
 * Usage: gen -m MODE -n SESSIONS [-k OPEN] [-d VARIANTS] [-p PERCENT]
 *            [-s SEED] -o OUT.pcap SRC.pcap... */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GEN_MAX_TEMPLATES 256
#define GEN_MAX_PKTS      512
#define GEN_ETH           14

struct gen_pkt {
    uint8_t *data; /* Ethernet frame */
    uint32_t len;
    int64_t rel_us; /* since the flow's first packet */
    bool to_server;
};

struct gen_tmpl {
    struct gen_pkt pkts[GEN_MAX_PKTS];
    unsigned n;
    uint32_t cli, srv; /* IPv4, network order */
    uint16_t cport, sport;
    int leaf_pkt;      /* packet holding the leaf signature's last 4 bytes, -1 none */
    uint32_t leaf_off; /* offset of those bytes in the frame */
    bool leaf_split;   /* the 4 bytes straddle two packets */
    uint64_t bytes;
};

static struct gen_tmpl *tmpl[GEN_MAX_TEMPLATES];
static unsigned n_tmpl;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
gen_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint16_t
gen_csum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Recomputes the IPv4 header and TCP checksums of an Ethernet/IPv4/TCP frame. */
static void
gen_fix_checksums(uint8_t *f, uint32_t len)
{
    uint8_t *ip = f + GEN_ETH;
    unsigned ihl = (ip[0] & 15u) * 4;
    unsigned tot = (unsigned)(ip[2] << 8 | ip[3]);
    if (GEN_ETH + tot > len || tot < ihl + 20)
        return;
    ip[10] = ip[11] = 0;
    uint16_t c = gen_csum(ip, ihl, 0);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    uint8_t *tcp = ip + ihl;
    unsigned tl = tot - ihl;
    tcp[16] = tcp[17] = 0;
    uint32_t ph = 0;
    ph += (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]);
    ph += (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]);
    ph += 6 + tl;
    c = gen_csum(tcp, tl, ph);
    tcp[16] = (uint8_t)(c >> 8);
    tcp[17] = (uint8_t)c;
}

static bool
gen_is_mail_port(uint16_t p)
{
    return p == 25 || p == 587 || p == 465 || p == 2525;
}

/* Finds the leaf certificate in the server's bytes: a Certificate handshake
 * message (type 11, RFC 5246 §7.4.2) whose three nested lengths agree, the
 * first certificate a DER SEQUENCE. Records where its last 4 bytes are. */
static void
gen_find_leaf(struct gen_tmpl *t)
{
    uint8_t *stream = NULL;
    size_t n = 0;
    uint32_t *map_pkt = NULL, *map_off = NULL;
    for (unsigned i = 0; i < t->n; i++) {
        const struct gen_pkt *p = &t->pkts[i];
        if (p->to_server)
            continue;
        const uint8_t *ip = p->data + GEN_ETH;
        unsigned ihl = (ip[0] & 15u) * 4, tot = (unsigned)(ip[2] << 8 | ip[3]);
        unsigned thl = (ip[ihl + 12] >> 4) * 4u;
        if (tot < ihl + thl || GEN_ETH + tot > p->len)
            continue;
        unsigned pl = tot - ihl - thl, at = GEN_ETH + ihl + thl;
        if (pl == 0) /* an ACK: realloc(p, 0) would free the stream and return NULL */
            continue;
        stream = realloc(stream, n + pl);
        map_pkt = realloc(map_pkt, (n + pl) * sizeof(*map_pkt));
        map_off = realloc(map_off, (n + pl) * sizeof(*map_off));
        if (!stream || !map_pkt || !map_off)
            abort();
        for (unsigned k = 0; k < pl; k++) {
            stream[n + k] = p->data[at + k];
            map_pkt[n + k] = i;
            map_off[n + k] = at + k;
        }
        n += pl;
    }
    t->leaf_pkt = -1;
    for (size_t i = 0; i + 12 < n; i++) {
        const uint8_t *s = stream + i;
        if (s[0] != 11)
            continue;
        size_t l1 = (size_t)s[1] << 16 | (size_t)s[2] << 8 | s[3];
        size_t l2 = (size_t)s[4] << 16 | (size_t)s[5] << 8 | s[6];
        size_t l3 = (size_t)s[7] << 16 | (size_t)s[8] << 8 | s[9];
        if (l1 != l2 + 3 || l3 + 3 > l2 || l3 < 64 || s[10] != 0x30 || i + 10 + l3 > n)
            continue;
        size_t end = i + 10 + l3; /* one past the leaf's last byte */
        t->leaf_pkt = (int)map_pkt[end - 4];
        t->leaf_off = map_off[end - 4];
        t->leaf_split = map_pkt[end - 1] != map_pkt[end - 4];
        break;
    }
    free(stream);
    free(map_pkt);
    free(map_off);
}

/* Reads a capture and keeps its complete IPv4 TCP flows on mail ports. */
static int
gen_load(const char *path)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc) {
        fprintf(stderr, "gen: %s\n", err);
        return -1;
    }
    if (pcap_datalink(pc) != DLT_EN10MB) {
        pcap_close(pc);
        return 0;
    }
    struct gen_tmpl *open_t[64];
    unsigned n_open = 0;
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        if (h->caplen != h->len || h->caplen < GEN_ETH + 40 || d[12] != 0x08 || d[13] != 0 ||
            (d[GEN_ETH] >> 4) != 4 || d[GEN_ETH + 9] != 6)
            continue;
        const uint8_t *ip = d + GEN_ETH;
        unsigned ihl = (ip[0] & 15u) * 4;
        uint32_t src, dst;
        memcpy(&src, ip + 12, 4);
        memcpy(&dst, ip + 16, 4);
        uint16_t sp = (uint16_t)(ip[ihl] << 8 | ip[ihl + 1]);
        uint16_t dp = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
        uint8_t flags = ip[ihl + 13];
        struct gen_tmpl *t = NULL;
        bool to_server = false;
        for (unsigned i = 0; i < n_open; i++) {
            struct gen_tmpl *o = open_t[i];
            if (o->cli == src && o->srv == dst && o->cport == sp && o->sport == dp)
                t = o, to_server = true;
            else if (o->cli == dst && o->srv == src && o->cport == dp && o->sport == sp)
                t = o, to_server = false;
        }
        if (!t) {
            /* A new flow only from a SYN to a mail port. */
            if ((flags & 0x12) != 0x02 || !gen_is_mail_port(dp) || n_open == 64 ||
                n_tmpl + n_open >= GEN_MAX_TEMPLATES)
                continue;
            t = calloc(1, sizeof(*t));
            if (!t)
                abort();
            t->cli = src, t->srv = dst, t->cport = sp, t->sport = dp;
            open_t[n_open++] = t;
            to_server = true;
        }
        if (t->n == GEN_MAX_PKTS)
            continue;
        struct gen_pkt *p = &t->pkts[t->n++];
        p->data = malloc(h->caplen);
        if (!p->data)
            abort();
        memcpy(p->data, d, h->caplen);
        p->len = h->caplen;
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        p->rel_us = t->n == 1 ? ts : ts - t->pkts[0].rel_us;
        p->to_server = to_server;
        t->bytes += h->caplen;
    }
    pcap_close(pc);
    for (unsigned i = 0; i < n_open; i++) {
        struct gen_tmpl *t = open_t[i];
        t->pkts[0].rel_us = 0;
        gen_find_leaf(t);
        tmpl[n_tmpl++] = t;
    }
    return 0;
}

/* One replicated session (or bulk flow) being written. */
struct gen_sess {
    int64_t next_us; /* time of its next packet */
    uint32_t idx;    /* session number */
    uint16_t t;      /* template, or UINT16_MAX for a bulk flow */
    uint16_t pos;    /* next packet */
    uint32_t dc, ds; /* sequence number deltas, client and server */
    int64_t start_us;
    uint32_t variant;
    uint16_t bulk_n; /* bulk: packets in total */
};

struct gen_cfg {
    const char *mode;
    uint64_t sessions, open, variants;
    double mail_percent;
    bool round_robin;
};

static pcap_dumper_t *out;
static uint8_t frame[65600]; /* veth captures hold GRO frames over 1500 bytes */

static void
gen_write(const uint8_t *f, uint32_t len, int64_t ts)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = ts / 1000000;
    h.ts.tv_usec = ts % 1000000;
    h.caplen = h.len = len;
    pcap_dump((u_char *)out, &h, f);
}

static void
gen_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t
gen_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Addresses of session i: clients in 10/8, servers in 172.16/12 (256 of
 * them); the ephemeral port walks 1024..65535. */
static void
gen_addrs(uint32_t i, uint32_t *cli, uint32_t *srv, uint16_t *cport)
{
    *cli = htonl(0x0a000000u | ((i / 60000u) << 8 & 0xffff00u) | (i % 250u + 2u));
    *srv = htonl(0xac100000u | (i % 256u));
    *cport = (uint16_t)(1024u + (i * 7919u) % 64000u);
}

/* Writes the next packet of a replicated SMTP session; false when done. */
static bool
gen_emit_smtp(struct gen_sess *s)
{
    const struct gen_tmpl *t = tmpl[s->t];
    const struct gen_pkt *p = &t->pkts[s->pos];
    memcpy(frame, p->data, p->len);
    uint8_t *ip = frame + GEN_ETH;
    unsigned ihl = (ip[0] & 15u) * 4;
    uint8_t *tcp = ip + ihl;
    uint32_t cli, srv;
    uint16_t cport;
    gen_addrs(s->idx, &cli, &srv, &cport);
    if (p->to_server) {
        memcpy(ip + 12, &cli, 4);
        memcpy(ip + 16, &srv, 4);
        tcp[0] = (uint8_t)(cport >> 8);
        tcp[1] = (uint8_t)cport;
        gen_put32(tcp + 4, gen_get32(tcp + 4) + s->dc);
        if (tcp[13] & 0x10)
            gen_put32(tcp + 8, gen_get32(tcp + 8) + s->ds);
    } else {
        memcpy(ip + 12, &srv, 4);
        memcpy(ip + 16, &cli, 4);
        tcp[2] = (uint8_t)(cport >> 8);
        tcp[3] = (uint8_t)cport;
        gen_put32(tcp + 4, gen_get32(tcp + 4) + s->ds);
        if (tcp[13] & 0x10)
            gen_put32(tcp + 8, gen_get32(tcp + 8) + s->dc);
    }
    if ((int)s->pos == t->leaf_pkt && !t->leaf_split && s->variant)
        gen_put32(frame + t->leaf_off, s->variant);
    gen_fix_checksums(frame, p->len);
    gen_write(frame, p->len, s->next_us);
    s->pos++;
    return s->pos < t->n;
}

/* A bulk TCP flow on port 443: handshake, a request, server segments of
 * 1448 random bytes, FIN. */
static bool
gen_emit_bulk(struct gen_sess *s)
{
    static const uint8_t eth[GEN_ETH] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0};
    uint32_t cli, srv;
    uint16_t cport;
    gen_addrs(s->idx, &cli, &srv, &cport);
    srv = htonl(0xc0a80000u | (s->idx % 4096u)); /* 192.168/16 */
    unsigned k = s->pos, last = s->bulk_n - 1;
    bool to_server = k == 0 || k == 2 || k == 3 || k == last;
    unsigned pl = k == 3 ? 300 : (k >= 4 && k < last ? 1448 : 0);
    uint8_t flags = k == 0 ? 0x02 : k == 1 ? 0x12 : k == last ? 0x11 : (pl ? 0x18 : 0x10);
    uint32_t cseq = s->dc + 1 + (k > 3 ? 300 : 0), sseq = s->ds + 1 + (k > 4 ? (k - 4) * 1448 : 0);
    memcpy(frame, eth, GEN_ETH);
    uint8_t *ip = frame + GEN_ETH, *tcp = ip + 20;
    memset(ip, 0, 40);
    ip[0] = 0x45;
    unsigned tot = 40 + pl;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, to_server ? &cli : &srv, 4);
    memcpy(ip + 16, to_server ? &srv : &cli, 4);
    uint16_t a = to_server ? cport : 443, b = to_server ? 443 : cport;
    tcp[0] = (uint8_t)(a >> 8), tcp[1] = (uint8_t)a, tcp[2] = (uint8_t)(b >> 8),
    tcp[3] = (uint8_t)b;
    gen_put32(tcp + 4, to_server ? (k == 0 ? s->dc : cseq) : (k == 1 ? s->ds : sseq));
    if (k != 0)
        gen_put32(tcp + 8, to_server ? sseq : cseq);
    tcp[12] = 0x50;
    tcp[13] = flags;
    tcp[14] = 0xff;
    for (unsigned i = 0; i < pl; i += 8) {
        uint64_t r = gen_rand();
        memcpy(tcp + 20 + i, &r, pl - i < 8 ? pl - i : 8);
    }
    gen_fix_checksums(frame, GEN_ETH + tot);
    gen_write(frame, GEN_ETH + tot, s->next_us);
    s->pos++;
    return s->pos < s->bulk_n;
}

/* Min-heap of open sessions by next packet time. */
static struct gen_sess *heap;
static size_t n_heap;

static bool
gen_less(size_t a, size_t b)
{
    return heap[a].next_us < heap[b].next_us ||
           (heap[a].next_us == heap[b].next_us && heap[a].idx < heap[b].idx);
}

static void
gen_swap(size_t a, size_t b)
{
    struct gen_sess t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
}

static void
gen_push(const struct gen_sess *s)
{
    size_t i = n_heap++;
    heap[i] = *s;
    while (i > 0 && gen_less(i, (i - 1) / 2)) {
        gen_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void
gen_sift(size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n_heap && gen_less(l, m))
            m = l;
        if (r < n_heap && gen_less(r, m))
            m = r;
        if (m == i)
            return;
        gen_swap(i, m);
        i = m;
    }
}

static unsigned *usable;
static unsigned n_usable;

static void
gen_start(struct gen_sess *s, uint32_t idx, int64_t t0, const struct gen_cfg *c, bool bulk)
{
    memset(s, 0, sizeof(*s));
    s->idx = idx;
    s->dc = (uint32_t)gen_rand();
    s->ds = (uint32_t)gen_rand();
    s->start_us = s->next_us = t0;
    if (bulk) {
        s->t = UINT16_MAX;
        s->bulk_n = 64 + (uint16_t)(gen_rand() % 128);
        return;
    }
    s->t = (uint16_t)usable[idx % n_usable];
    if (!strcmp(c->mode, "distinct")) {
        s->variant = idx + 1;
    } else if (c->variants) {
        /* Variant v always rides on the same template: v distinct leaves. */
        uint64_t v = idx % c->variants;
        s->t = (uint16_t)usable[v % n_usable];
        s->variant = (uint32_t)v + 1;
    }
}

/* Time of a session's next packet: the template's own spacing (capped at
 * 50 ms, so the capture is dense), or strict round robin. */
static int64_t
gen_next_time(const struct gen_sess *s, int64_t now, const struct gen_cfg *c)
{
    if (c->round_robin)
        return now + (int64_t)c->open;
    if (s->t == UINT16_MAX)
        return now + 20 + (int64_t)(gen_rand() % 200);
    const struct gen_tmpl *t = tmpl[s->t];
    int64_t gap = t->pkts[s->pos].rel_us - t->pkts[s->pos - 1].rel_us;
    if (gap > 50000)
        gap = 50000;
    return now + (gap > 0 ? gap : 1);
}

int
main(int argc, char **argv)
{
    struct gen_cfg c = {"dense", 10000, 1000, 1000, 1.0, false};
    const char *outp = NULL;
    int o;
    while ((o = getopt(argc, argv, "m:n:k:d:p:s:o:")) != -1) {
        switch (o) {
        case 'm':
            c.mode = optarg;
            break;
        case 'n':
            c.sessions = strtoull(optarg, NULL, 10);
            break;
        case 'k':
            c.open = strtoull(optarg, NULL, 10);
            break;
        case 'd':
            c.variants = strtoull(optarg, NULL, 10);
            break;
        case 'p':
            c.mail_percent = strtod(optarg, NULL);
            break;
        case 's':
            rng = strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ull | 1;
            break;
        case 'o':
            outp = optarg;
            break;
        default:
            return 2;
        }
    }
    if (!outp || optind >= argc || c.open == 0 || c.sessions == 0 ||
        (strcmp(c.mode, "dense") && strcmp(c.mode, "distinct") && strcmp(c.mode, "mix") &&
         strcmp(c.mode, "open"))) {
        fprintf(stderr, "usage: gen -m dense|distinct|mix|open -n SESSIONS [-k OPEN] "
                        "[-d VARIANTS] [-p MAIL%%] [-s SEED] -o OUT.pcap SRC.pcap...\n");
        return 2;
    }
    for (int i = optind; i < argc; i++)
        if (gen_load(argv[i]) != 0)
            return 1;
    usable = calloc(n_tmpl + 1, sizeof(*usable));
    bool need_leaf = !strcmp(c.mode, "dense") || !strcmp(c.mode, "distinct");
    for (unsigned i = 0; i < n_tmpl; i++)
        if (tmpl[i]->n >= 6 && (!need_leaf || (tmpl[i]->leaf_pkt >= 0 && !tmpl[i]->leaf_split)))
            usable[n_usable++] = i;
    if (n_usable == 0) {
        fprintf(stderr, "gen: no usable SMTP session in the sources\n");
        return 1;
    }
    if (!strcmp(c.mode, "open"))
        c.round_robin = true, c.variants = 0;
    if (!strcmp(c.mode, "mix"))
        c.variants = 0;
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    out = pcap_dump_open(dead, outp);
    if (!out) {
        fprintf(stderr, "gen: %s: %s\n", outp, pcap_geterr(dead));
        return 1;
    }
    /* mix: one bulk flow (~128 x 1.5 KB) per so many SMTP sessions that the
     * SMTP share of the bytes is about mail_percent. */
    double mail_avg = 0;
    for (unsigned i = 0; i < n_usable; i++)
        mail_avg += (double)tmpl[usable[i]]->bytes;
    mail_avg /= n_usable;
    double bulk_per_mail =
        !strcmp(c.mode, "mix") ? mail_avg * (100.0 / c.mail_percent - 1.0) / (128.0 * 1502) : 0;
    heap = calloc(c.open + 1, sizeof(*heap));
    if (!heap)
        abort();
    int64_t now = 1795000000000000; /* 2026-11-17 */
    uint64_t started = 0, bulk_started = 0, packets = 0;
    double bulk_due = 0;
    while (started < c.sessions && n_heap < c.open) {
        struct gen_sess s;
        gen_start(&s, (uint32_t)started++, now + (int64_t)n_heap, &c, false);
        gen_push(&s);
    }
    while (n_heap > 0) {
        struct gen_sess *s = &heap[0];
        now = s->next_us;
        bool more = s->t == UINT16_MAX ? gen_emit_bulk(s) : gen_emit_smtp(s);
        packets++;
        if (more) {
            s->next_us = gen_next_time(s, now, &c);
            gen_sift(0);
            continue;
        }
        bool was_mail = s->t != UINT16_MAX;
        heap[0] = heap[--n_heap];
        gen_sift(0);
        if (was_mail)
            bulk_due += bulk_per_mail;
        struct gen_sess ns;
        if (bulk_due >= 1.0) {
            bulk_due -= 1.0;
            gen_start(&ns, (uint32_t)(bulk_started++ + 1000000000u), now + 1, &c, true);
            gen_push(&ns);
        } else if (started < c.sessions) {
            gen_start(&ns, (uint32_t)started++, now + 1, &c, false);
            gen_push(&ns);
        }
    }
    pcap_dump_close(out);
    pcap_close(dead);
    fprintf(stderr,
            "gen: %s: %llu SMTP sessions from %u templates, %llu bulk flows, %llu packets\n", outp,
            (unsigned long long)started, n_usable, (unsigned long long)bulk_started,
            (unsigned long long)packets);
    return 0;
}
