/* \summary: OpenSSL's allocations charged to the memcap. Decoded
 * certificates, their keys and verification contexts grow with the traffic
 * (about 8 KiB per distinct certificate kept), so they go through mem.c like
 * everything else (CRYPTO_set_mem_functions, before OpenSSL allocates). */
#include "mem_openssl.h"

#include <openssl/crypto.h>
#include <stdint.h>

#include "mem.h"

#define MO_HDR 16 /* size header, keeps malloc's alignment */

static void *
mo_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    size_t *p = mem_alloc_raw(n + MO_HDR);
    if (p == NULL)
        return NULL;
    p[0] = n;
    return (uint8_t *)p + MO_HDR;
}

static void
mo_free(void *q, const char *file, int line)
{
    (void)file;
    (void)line;
    if (q == NULL)
        return;
    size_t *p = (size_t *)(void *)((uint8_t *)q - MO_HDR);
    mem_free(p, p[0] + MO_HDR);
}

static void *
mo_realloc(void *q, size_t n, const char *file, int line)
{
    if (q == NULL)
        return mo_malloc(n, file, line);
    if (n == 0) {
        mo_free(q, file, line);
        return NULL;
    }
    size_t *p = (size_t *)(void *)((uint8_t *)q - MO_HDR);
    size_t *np = mem_realloc(p, p[0] + MO_HDR, n + MO_HDR);
    if (np == NULL)
        return NULL;
    np[0] = n;
    return (uint8_t *)np + MO_HDR;
}

int
mem_openssl_hook(void)
{
    return CRYPTO_set_mem_functions(mo_malloc, mo_realloc, mo_free) == 1 ? 0 : -1;
}
