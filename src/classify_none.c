/* \summary: classification when built without nDPI (-DWITH_NDPI=OFF). */
#include "classify.h"

#include <stddef.h>

int
classify_init(void)
{
    return -1;
}

void
classify_fini(void)
{
}

bool
classify_available(void)
{
    return false;
}

bool
classify_packet(struct classify_flow **cf, const uint8_t *ip, uint32_t ip_len, const struct pkt *p)
{
    (void)cf;
    (void)ip;
    (void)ip_len;
    (void)p;
    return true;
}

void
classify_confirm_smtp(struct classify_flow **cf, bool implicit_tls)
{
    (void)cf;
    (void)implicit_tls;
}

void
classify_settle_smtp(struct classify_flow *cf, bool implicit_tls)
{
    (void)cf;
    (void)implicit_tls;
}

const char *
classify_app(const struct classify_flow *cf)
{
    (void)cf;
    return NULL;
}

const char *
classify_owner(const struct ipaddr *a)
{
    (void)a;
    return NULL;
}

void
classify_flow_free(struct classify_flow *cf)
{
    (void)cf;
}

const char *
classify_version(void)
{
    return "no flow classifier (built without nDPI)";
}
