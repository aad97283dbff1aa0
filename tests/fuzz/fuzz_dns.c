/* \summary: fuzz target for the DNS response parser: the input is one UDP
 * payload; every reported name must be NUL-terminated within its buffer and
 * every address length 4 or 16 (A/AAAA) or 0 (MX, TLSA); a TLSA record's
 * data is inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fz_in;
static size_t fz_size;

static void
fz_answer(void *user, const struct dns_answer *a)
{
    unsigned *n = user;
    (*n)++;
    if (memchr(a->owner, 0, sizeof(a->owner)) == NULL || a->owner[0] == '\0')
        abort();
    if (memchr(a->exchange, 0, sizeof(a->exchange)) == NULL)
        abort();
    if (a->type == DNS_TYPE_A && a->addr_len != 4)
        abort();
    if (a->type == DNS_TYPE_AAAA && a->addr_len != 16)
        abort();
    if (a->type == DNS_TYPE_MX && (a->addr_len != 0 || a->exchange[0] == '\0'))
        abort();
    if (a->type == DNS_TYPE_TLSA &&
        (a->addr_len != 0 || (a->tlsa_len > 0 && (a->tlsa_data < fz_in ||
                                                  a->tlsa_data + a->tlsa_len > fz_in + fz_size))))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned n = 0;
    fz_in = data;
    fz_size = size;
    int rc = dns_parse(data, size, fz_answer, &n);
    if (rc != 0 && rc != -1 && rc != -2)
        abort();
    return 0;
}
