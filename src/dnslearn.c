/* \summary: names learned from DNS answers in the capture (see dnslearn.h).
 * Linear tables: DNS answers for mail servers are few, and a cap bounds them. */
#include "dnslearn.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"

struct dl_addr {
    char name[DNSLEARN_NAME_MAX];
    struct ipaddr addr;
};

struct dl_mx {
    char domain[DNSLEARN_NAME_MAX];
    char host[DNSLEARN_NAME_MAX];
};

static struct {
    struct dl_addr *addrs;
    struct dl_mx *mxs;
    uint32_t n_addrs, n_mxs, max;
    uint64_t dropped;
} dl;

void
dnslearn_init(uint32_t max_entries)
{
    memset(&dl, 0, sizeof(dl));
    dl.max = max_entries ? max_entries : 1;
}

void
dnslearn_fini(void)
{
    mem_free(dl.addrs, (size_t)dl.max * sizeof(*dl.addrs));
    mem_free(dl.mxs, (size_t)dl.max * sizeof(*dl.mxs));
    memset(&dl, 0, sizeof(dl));
}

/* Copies a name without its trailing dot (RFC 1034 §3.1 absolute form). */
static void
dl_copy(char *dst, const char *src)
{
    size_t n = strnlen(src, DNSLEARN_NAME_MAX - 1);
    memcpy(dst, src, n);
    if (n > 0 && dst[n - 1] == '.')
        n--;
    dst[n] = '\0';
}

static bool
dl_same(const char *a, const char *b)
{
    char x[DNSLEARN_NAME_MAX], y[DNSLEARN_NAME_MAX];
    dl_copy(x, a);
    dl_copy(y, b);
    return strcasecmp(x, y) == 0;
}

static bool
dl_same_ip(const struct ipaddr *a, const struct ipaddr *b)
{
    return a->family == b->family && memcmp(a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

void
dnslearn_mx(const char *domain, const char *mx_host, int64_t ts_us)
{
    (void)ts_us;
    for (uint32_t i = 0; i < dl.n_mxs; i++)
        if (dl_same(dl.mxs[i].host, mx_host) && dl_same(dl.mxs[i].domain, domain))
            return;
    if (!dl.mxs && !(dl.mxs = mem_alloc((size_t)dl.max * sizeof(*dl.mxs)))) {
        dl.dropped++;
        return;
    }
    if (dl.n_mxs >= dl.max) {
        dl.dropped++;
        return;
    }
    dl_copy(dl.mxs[dl.n_mxs].domain, domain);
    dl_copy(dl.mxs[dl.n_mxs].host, mx_host);
    dl.n_mxs++;
}

void
dnslearn_addr(const char *name, const struct ipaddr *addr, int64_t ts_us)
{
    (void)ts_us;
    for (uint32_t i = 0; i < dl.n_addrs; i++)
        if (dl_same_ip(&dl.addrs[i].addr, addr) && dl_same(dl.addrs[i].name, name))
            return;
    if (!dl.addrs && !(dl.addrs = mem_alloc((size_t)dl.max * sizeof(*dl.addrs)))) {
        dl.dropped++;
        return;
    }
    if (dl.n_addrs >= dl.max) {
        dl.dropped++;
        return;
    }
    dl_copy(dl.addrs[dl.n_addrs].name, name);
    dl.addrs[dl.n_addrs].addr = *addr;
    dl.n_addrs++;
}

const char *
dnslearn_mx_domain(const char *mx_host)
{
    for (uint32_t i = 0; i < dl.n_mxs; i++)
        if (dl_same(dl.mxs[i].host, mx_host))
            return dl.mxs[i].domain;
    return NULL;
}

unsigned
dnslearn_names(const struct ipaddr *server, struct expected_name *out, unsigned max)
{
    unsigned n = 0;
    /* Two passes: names that are MX hosts first, then plain A/AAAA names. */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < dl.n_addrs && n < max; i++) {
            if (!dl_same_ip(&dl.addrs[i].addr, server))
                continue;
            bool is_mx = dnslearn_mx_domain(dl.addrs[i].name) != NULL;
            if (is_mx != (pass == 0))
                continue;
            out[n].name = dl.addrs[i].name;
            out[n].source = is_mx ? NAME_SRC_DNS_MX : NAME_SRC_DNS_A;
            n++;
        }
    return n;
}

uint64_t
dnslearn_dropped(void)
{
    return dl.dropped;
}
