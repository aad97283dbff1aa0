/* \summary: TEMPORARY stand-in for dissectors/tls.c (RFC 8446 records) so the
 * SMTP work links before the TLS dissector lands; delete when tls.c exists. */
#include "dissector.h"

static struct dres
tls_placeholder_data(struct flow_ctx *ctx, void *st, enum dir d, const uint8_t *buf, uint32_t len)
{
    (void)ctx;
    (void)st;
    (void)d;
    (void)buf;
    (void)len;
    return dres_make(D_DONE, 0, 0);
}

const struct dissector tls_dissector = {"tls", NULL, NULL, tls_placeholder_data, NULL, NULL};
