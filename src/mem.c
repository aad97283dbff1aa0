/* \summary: central memory accounting (see mem.h).
 *
 * Two limits. The accounted bytes (what each allocation costs glibc) stay
 * under the memcap. And the heap itself may not grow past the memcap plus
 * cap / MEM_HEAP_SLACK_DIV: once the cap has been reached and flows are evicted, freed
 * chunks do not always fit the next allocations, and glibc's main arena grew
 * to 1.35 x the accounted bytes on the bench's "open" capture (1 M
 * connections). An allocation that would extend the heap past that point is
 * undone and refused like one over the cap, so RSS stays within the memcap +
 * 10 % (issue 5). Large blocks are mmap()ed by glibc, outside the arena; they
 * are exact and counted against the same limit. The heap check reads the
 * program break (sbrk(0), no system call); under sanitizers, whose allocators
 * do not use brk, only the accounted limit applies.
 *
 * Blocks up to 16 KiB are kept, when freed, in per-size lists for the next
 * allocation of their size (a flow's context, dissector state, strings and
 * handshake buffers: a few dozen per session), like glibc's tcache, which
 * keeps only 7 per size and which calloc() does not use: glibc's bins cost
 * more (issue 5). Up to 1 KiB a list holds the blocks of one glibc chunk
 * size (16-byte steps: what malloc would have used anyway, so no byte more
 * is charged); from 1 to 16 KiB sizes are rounded up to a multiple of 512
 * bytes. A small list keeps 32 KiB of blocks (32 to 256 of them; OpenSSL
 * frees the ~150 small objects of a decoded certificate at once), a large
 * one MEM_LARGE_DEPTH blocks: at most ~6 MiB in all. A kept block is not
 * accounted (it is free memory, as in malloc's own lists); its list is
 * the one of the size it was allocated at, which follows from what
 * mem_free() is told (calling malloc_usable_size() for it cost 1.5 % of the
 * bench's dense capture). */
#include "mem.h"

#include <assert.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MEM_HEAP_SLACK_DIV 32           /* heap may pass the cap by cap / 32 (3 %) */
#define MEM_MMAP_MIN       (256u << 10) /* glibc mmap()s blocks from this size */
#define MEM_SMALL_MAX      1024u        /* requests up to this: one list per chunk size */
#define MEM_SMALL_CLASSES  64           /* chunks of 32, 48 .. 1040 bytes */
#define MEM_CACHE_MAX      16384u       /* larger requests are not kept */
#define MEM_CACHE_STEP     512u         /* above MEM_SMALL_MAX */
#define MEM_CACHE_CLASSES  (MEM_SMALL_CLASSES + (MEM_CACHE_MAX - MEM_SMALL_MAX) / MEM_CACHE_STEP)
#define MEM_SMALL_BYTES    32768u /* bytes kept per list up to MEM_SMALL_MAX ... */
#define MEM_SMALL_DEPTH    32     /* ... but at least this many blocks */
#define MEM_DEPTH_MAX      256    /* and at most this many */
#define MEM_LARGE_DEPTH    16     /* blocks kept per list above MEM_SMALL_MAX */

static void *mem_cache[MEM_CACHE_CLASSES][MEM_DEPTH_MAX];
static unsigned mem_cache_n[MEM_CACHE_CLASSES];

static uint64_t mem_cap_bytes = UINT64_MAX;
static uint64_t mem_used;
static uint64_t mem_high;
static uint64_t mem_hits;
static uint64_t mem_fail_k;
static uintptr_t mem_brk0;     /* program break at mem_init */
static uintptr_t mem_brk_ok;   /* highest program break seen while the heap was within its limit */
static uint64_t mem_mapped;    /* accounted bytes of mmap()ed blocks */
static uint64_t mem_heap_high; /* highest heap + mapped seen */
static uint64_t mem_tables_used; /* bytes the run-long tables keep (mem_tables_charge) */

/* The list for a request of n bytes, or -1 (too large to keep). */
static int
mem_class_for(size_t n)
{
    if (n <= MEM_SMALL_MAX) {
        size_t chunk = (n + 8 + 15) & ~(size_t)15; /* glibc: 8-byte header, 16-byte steps */
        return chunk < 32 ? 0 : (int)((chunk - 32) / 16);
    }
    if (n > MEM_CACHE_MAX)
        return -1;
    return MEM_SMALL_CLASSES + (int)((n - MEM_SMALL_MAX - 1) / MEM_CACHE_STEP);
}

/* What malloc is asked for the blocks of list c: the largest request of
 * that list, so that a block fits every request given it. */
static size_t
mem_class_size(int c)
{
    if (c < MEM_SMALL_CLASSES)
        return 32 + (size_t)c * 16 - 8;
    return MEM_SMALL_MAX + (size_t)(c - MEM_SMALL_CLASSES + 1) * MEM_CACHE_STEP;
}

/* How many blocks list c keeps: MEM_SMALL_BYTES' worth of small blocks
 * (OpenSSL frees a decoded certificate's 150-odd objects of a few sizes at
 * once), MEM_LARGE_DEPTH large ones. Filled by mem_init. */
static uint16_t mem_depth[MEM_CACHE_CLASSES];

static void
mem_depth_init(void)
{
    for (int c = 0; c < (int)MEM_CACHE_CLASSES; c++) {
        size_t d = MEM_SMALL_BYTES / mem_class_size(c);
        d = d < MEM_SMALL_DEPTH ? MEM_SMALL_DEPTH : d > MEM_DEPTH_MAX ? MEM_DEPTH_MAX : d;
        mem_depth[c] = (uint16_t)(c < MEM_SMALL_CLASSES ? d : MEM_LARGE_DEPTH);
    }
}

/* What malloc is asked for n bytes of list c (mem_class_for(n)): listed
 * sizes are rounded up. */
static size_t
mem_list_size(int c, size_t n)
{
    return c < 0 ? n : mem_class_size(c);
}

static size_t
mem_real_size(size_t n)
{
    return mem_list_size(mem_class_for(n), n);
}

/* Keeps a freed block of list c (mem_class_for of its requested size) for
 * reuse when the list has room; returns false (the caller frees it)
 * otherwise. Every block of a listed size was allocated at its list's size
 * (mem_get), so the list follows from the requested size alone. */
static bool
mem_cache_put(void *p, int c)
{
    if (c < 0 || mem_cache_n[c] >= mem_depth[c])
        return false;
    /* a block freed with another size than it was allocated for would be
     * handed out too small: caught here in debug builds */
    assert(malloc_usable_size(p) >= mem_class_size(c));
    mem_cache[c][mem_cache_n[c]++] = p;
    return true;
}

static void *
mem_cache_get(int c)
{
    if (c < 0 || mem_cache_n[c] == 0)
        return NULL;
    return mem_cache[c][--mem_cache_n[c]];
}

static void
mem_cache_flush(void)
{
    for (unsigned c = 0; c < MEM_CACHE_CLASSES; c++)
        while (mem_cache_n[c] > 0)
            free(mem_cache[c][--mem_cache_n[c]]);
}

void
mem_init(uint64_t memcap)
{
    mem_cache_flush();
    mem_depth_init();
    mem_cap_bytes = memcap ? memcap : UINT64_MAX;
    mem_used = 0;
    mem_high = 0;
    mem_hits = 0;
    mem_fail_k = 0;
    mem_mapped = 0;
    mem_heap_high = 0;
    /* A fixed threshold: glibc otherwise raises it as mmap()ed blocks are
     * freed, moving big blocks into the arena. */
    mallopt(M_MMAP_THRESHOLD, MEM_MMAP_MIN);
    mem_brk0 = mem_brk_ok = (uintptr_t)sbrk(0);
    mem_tables_used = 0;
}

/* After a successful malloc of n bytes at p: 0 if the heap stayed within
 * the cap plus slack, or the block lies wholly below the highest end the
 * heap had while within it (memory the heap was allowed, reused: refusing
 * it would refuse every new flow once long-lived blocks sit at the heap's
 * top, however little is in use); else -1 (the caller frees and refuses).
 * A block past that end is refused even when the heap did not grow for it:
 * glibc keeps free room above a trimmed top, and taking it would let the
 * heap creep past the limit one refusal at a time. p NULL: refuse whenever
 * the heap is past the limit (realloc). */
static int
mem_heap_check(size_t n, const void *p)
{
    if (mem_cap_bytes == UINT64_MAX)
        return 0;
    if (n >= MEM_MMAP_MIN)
        return 0; /* mmap()ed: outside the arena, counted in mem_mapped */
    uintptr_t brk_now = (uintptr_t)sbrk(0);
    uint64_t heap = brk_now > mem_brk0 ? (uint64_t)(brk_now - mem_brk0) : 0;
    heap += mem_mapped;
    if (heap <= mem_cap_bytes + mem_cap_bytes / MEM_HEAP_SLACK_DIV) {
        if (brk_now > mem_brk_ok)
            mem_brk_ok = brk_now;
        if (heap > mem_heap_high)
            mem_heap_high = heap;
        return 0;
    }
    /* past the limit (free room glibc keeps above a trimmed top counts):
     * only a block within the heap as it was allowed to be */
    return p != NULL && (uintptr_t)p + n <= mem_brk_ok ? 0 : -1;
}

static void
mem_mapped_add(size_t n, int sign)
{
    if (n < MEM_MMAP_MIN)
        return;
    size_t c = (n + 4095) & ~(size_t)4095;
    if (sign > 0)
        mem_mapped += c;
    else
        mem_mapped = c <= mem_mapped ? mem_mapped - c : 0;
}

/* What an allocation of n bytes really takes from the heap: glibc malloc
 * adds an 8-byte header and rounds to 16, with a 32-byte minimum. Charging
 * this keeps the process's RSS close to the memcap with many small objects. */
static size_t
mem_cost_real(size_t rs)
{
    size_t c = (rs + 8 + 15) & ~(size_t)15;
    return c < 32 ? 32 : c;
}

static size_t
mem_cost(size_t n)
{
    return mem_cost_real(mem_real_size(n));
}

/* Adds n accounted bytes, keeping the peak. */
static void
mem_account(size_t n)
{
    mem_used += n;
    if (mem_used > mem_high)
        mem_high = mem_used;
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
    mem_account(n);
    return 0;
}

/* Charges, allocates (zeroed or not), and undoes both when malloc fails or
 * the heap grew past its limit. */
static void *
mem_get(size_t n, int zero)
{
    int c = mem_class_for(n); /* the list, the size asked of malloc and the cost, once */
    size_t rs = mem_list_size(c, n), cost = mem_cost_real(rs);
    if (mem_charge(cost) != 0)
        return NULL;
    void *p = mem_cache_get(c);
    if (p != NULL) {
        if (zero)
            memset(p, 0, n);
        return p;
    }
    p = zero ? calloc(1, rs) : malloc(rs);
    if (p != NULL && mem_heap_check(n, p) != 0) {
        free(p); /* glibc gives the top of the heap back */
        p = NULL;
    }
    if (p == NULL) {
        mem_used -= cost;
        mem_hits++;
        return NULL;
    }
    mem_mapped_add(n, 1);
    return p;
}

void *
mem_alloc(size_t n)
{
    return mem_get(n, 1);
}

void *
mem_alloc_raw(size_t n)
{
    return mem_get(n, 0);
}

void *
mem_alloc_nofail(size_t n)
{
    void *p = malloc(mem_real_size(n));
    if (p == NULL) {
        mem_hits++;
        return NULL;
    }
    mem_account(mem_cost(n));
    mem_mapped_add(n, 1);
    return p;
}

void *
mem_realloc(void *p, size_t old_n, size_t new_n)
{
    if (mem_class_for(new_n) >= 0 || (p != NULL && mem_class_for(old_n) >= 0)) {
        /* listed sizes: a new block of the list's size, then the copy */
        void *q = mem_get(new_n, 0);
        if (q == NULL)
            return NULL;
        if (p != NULL) {
            memcpy(q, p, old_n < new_n ? old_n : new_n);
            mem_free(p, old_n);
        }
        return q;
    }
    size_t oc = p ? mem_cost(old_n) : 0, nc = mem_cost(new_n);
    if (nc > oc && mem_charge(nc - oc) != 0)
        return NULL;
    /* realloc cannot be undone with p intact: refuse growth while the heap
     * is already past its limit instead (it overshoots by one block at most). */
    if (nc > oc && new_n < MEM_MMAP_MIN && mem_heap_check(0, NULL) != 0) {
        mem_used -= nc - oc;
        mem_hits++;
        return NULL;
    }
    void *q = realloc(p, new_n ? new_n : 1);
    if (q == NULL) {
        if (nc > oc)
            mem_used -= nc - oc;
        mem_hits++;
        return NULL;
    }
    if (nc < oc)
        mem_used = oc - nc <= mem_used ? mem_used - (oc - nc) : 0;
    if (p)
        mem_mapped_add(old_n, -1);
    mem_mapped_add(new_n, 1);
    return q;
}

bool
mem_grow(void **arr, uint32_t n, uint32_t *cap, size_t sz, uint32_t first, uint32_t max)
{
    if (n < *cap)
        return true;
    if (*cap >= max)
        return false;
    uint32_t nc = *cap ? (*cap > max / 2 ? max : *cap * 2) : (first < max ? first : max);
    void *na = mem_realloc(*arr, (size_t)*cap * sz, (size_t)nc * sz);
    if (na == NULL)
        return false;
    *arr = na;
    *cap = nc;
    return true;
}

void
mem_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    int l = mem_class_for(n);
    if (!mem_cache_put(p, l))
        free(p);
    mem_mapped_add(n, -1);
    size_t c = mem_cost_real(mem_list_size(l, n));
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

bool
mem_near_cap(void)
{
    return mem_cap_bytes != UINT64_MAX && mem_used > mem_cap_bytes - mem_cap_bytes / 8;
}

void
mem_tables_charge(int64_t bytes)
{
    if (bytes < 0 && (uint64_t)-bytes > mem_tables_used)
        mem_tables_used = 0;
    else
        mem_tables_used += (uint64_t)bytes;
}

uint64_t
mem_tables(void)
{
    return mem_tables_used;
}

bool
mem_run_tables_full(void)
{
    return mem_cap_bytes != UINT64_MAX && mem_tables_used > mem_cap_bytes - mem_cap_bytes / 4;
}

uint64_t
mem_heap_peak(void)
{
    return mem_heap_high;
}
