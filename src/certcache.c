/* \summary: certificate cache (placeholder until the real one lands). */
#include "certcache.h"

void
certcache_init(uint32_t max_entries)
{
    (void)max_entries;
}

void
certcache_free(void)
{
}

uint32_t
certcache_add(const uint8_t *der, size_t len)
{
    (void)der;
    (void)len;
    return 0;
}

const struct cert_entry *
certcache_get(uint32_t id)
{
    (void)id;
    return NULL;
}

uint32_t
certcache_count(void)
{
    return 0;
}
