/* \summary: central memory accounting. Every allocation that grows with the
 * traffic goes through here, is charged against a global cap (memcap) before
 * it is made, and is counted for the stats record. */
#ifndef SMTPTAP_MEM_H
#define SMTPTAP_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void mem_init(uint64_t memcap);

/* Zeroed allocation of n bytes, or NULL when it would pass the cap (counted
 * in mem_cap_hits) or malloc fails. */
void *mem_alloc(size_t n);
/* The same without zeroing (for callers that initialise everything, such as
 * OpenSSL's allocator hook). */
void *mem_alloc_raw(size_t n);
/* For a library that cannot survive a failed allocation (nDPI crashes on
 * one): charged like any other (freed with mem_free) but never refused at the
 * cap; NULL only when malloc itself fails. Callers bound what they ask for. */
void *mem_alloc_nofail(size_t n);
/* Resizes p from old_n to new_n bytes (new bytes are not zeroed); NULL on
 * failure, p untouched. */
void *mem_realloc(void *p, size_t old_n, size_t new_n);
/* Grows the array *arr (*cap elements of size sz, n of them used) to hold
 * one more: doubling from first, at most max. True when there is room;
 * false at max or when memory is refused (*arr and *cap unchanged). */
bool mem_grow(void **arr, uint32_t n, uint32_t *cap, size_t sz, uint32_t first, uint32_t max);
void mem_free(void *p, size_t n);

uint64_t mem_in_use(void);
uint64_t mem_peak(void);
uint64_t mem_cap_hits(void);
uint64_t mem_cap(void);
/* True when accounted memory is within an eighth of the memcap: callers
 * stop taking on new work there (flows to dissect, flows to classify). */
bool mem_near_cap(void);

/* The tables kept for the whole run (distinct certificates, servers, names,
 * DNS answers) charge what they keep here (bytes; negative: released).
 * Past three quarters of the memcap they take no new entries, each counting what it
 * refused, so that they never take the room the flows being dissected need
 * (a long live capture would otherwise stop dissecting once they had
 * filled the cap). Their own bytes, not all memory in use: flows, nDPI's
 * tables and the trust store do not count. */
void mem_tables_charge(int64_t bytes);
uint64_t mem_tables(void);
bool mem_run_tables_full(void);
/* Highest size seen of glibc's heap (main arena plus mmap()ed blocks) while
 * a memcap is set; 0 under allocators that do not use brk (sanitizers). */
uint64_t mem_heap_peak(void);

/* Test hook: make the k-th allocation from now fail (0 = off). */
void mem_fail_after(uint64_t k);

#endif /* SMTPTAP_MEM_H */
