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
    if (mem_charge(n) != 0)
        return NULL;
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) {
        mem_used -= n;
        mem_hits++;
    }
    return p;
}

void *
mem_realloc(void *p, size_t old_n, size_t new_n)
{
    if (new_n > old_n && mem_charge(new_n - old_n) != 0)
        return NULL;
    void *q = realloc(p, new_n ? new_n : 1);
    if (q == NULL) {
        if (new_n > old_n)
            mem_used -= new_n - old_n;
        mem_hits++;
        return NULL;
    }
    if (new_n < old_n)
        mem_used -= old_n - new_n;
    return q;
}

void
mem_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    free(p);
    mem_used = n <= mem_used ? mem_used - n : 0;
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
