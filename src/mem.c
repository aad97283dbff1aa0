/* \summary: central memory accounting (see mem.h). */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mem_cap_bytes = UINT64_MAX;
static uint64_t mem_used;
static uint64_t mem_high;
static uint64_t mem_hits;
static uint64_t mem_fail_k;

void
mem_init(uint64_t memcap)
{
    mem_cap_bytes = memcap ? memcap : UINT64_MAX;
    mem_used = 0;
    mem_high = 0;
    mem_hits = 0;
    mem_fail_k = 0;
}

/* What an allocation of n bytes really takes from the heap: glibc malloc
 * adds an 8-byte header and rounds to 16, with a 32-byte minimum. Charging
 * this keeps the process's RSS close to the memcap with many small objects. */
static size_t
mem_cost(size_t n)
{
    size_t c = (n + 8 + 15) & ~(size_t)15;
    return c < 32 ? 32 : c;
}

static int
mem_charge(size_t n)
{
    if (mem_fail_k > 0 && --mem_fail_k == 0) {
        mem_hits++;
        return -1;
    }
    if (n > mem_cap_bytes - mem_used || mem_used > mem_cap_bytes) {
        mem_hits++;
        return -1;
    }
    mem_used += n;
    if (mem_used > mem_high)
        mem_high = mem_used;
    return 0;
}

void *
mem_alloc(size_t n)
{
    if (mem_charge(mem_cost(n)) != 0)
        return NULL;
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) {
        mem_used -= mem_cost(n);
        mem_hits++;
    }
    return p;
}

void *
mem_alloc_raw(size_t n)
{
    if (mem_charge(mem_cost(n)) != 0)
        return NULL;
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        mem_used -= mem_cost(n);
        mem_hits++;
    }
    return p;
}

void *
mem_realloc(void *p, size_t old_n, size_t new_n)
{
    size_t oc = p ? mem_cost(old_n) : 0, nc = mem_cost(new_n);
    if (nc > oc && mem_charge(nc - oc) != 0)
        return NULL;
    void *q = realloc(p, new_n ? new_n : 1);
    if (q == NULL) {
        if (nc > oc)
            mem_used -= nc - oc;
        mem_hits++;
        return NULL;
    }
    if (nc < oc)
        mem_used = oc - nc <= mem_used ? mem_used - (oc - nc) : 0;
    return q;
}

void
mem_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    free(p);
    size_t c = mem_cost(n);
    mem_used = c <= mem_used ? mem_used - c : 0;
}

uint64_t
mem_in_use(void)
{
    return mem_used;
}

uint64_t
mem_peak(void)
{
    return mem_high;
}

uint64_t
mem_cap_hits(void)
{
    return mem_hits;
}

uint64_t
mem_cap(void)
{
    return mem_cap_bytes;
}

void
mem_fail_after(uint64_t k)
{
    mem_fail_k = k;
}
