/* \summary: X.509 extraction (placeholder until the real one lands). */
#include "x509.h"

#include <string.h>

int
x509_extract(const uint8_t *der, size_t len, struct x509_info *out)
{
    (void)der;
    (void)len;
    memset(out, 0, sizeof(*out));
    out->parse_error = "not implemented";
    return -1;
}

void
x509_info_free(struct x509_info *info)
{
    (void)info;
}
