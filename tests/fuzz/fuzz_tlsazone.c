/* \summary: fuzz target for the --tlsa FILE line parser (src/tlsa_zone.c,
 * tlsa_parse_line): the input is split into lines as tlsa_load reads them;
 * each record parsed must stay within its outputs (an owner shorter than
 * TLSA_NAME_MAX, data of 1..TLSA_FILE_DATA_MAX octets, a digest of its
 * matching type's length) and, written back in presentation form (RFC 6698
 * §2.2), must parse to the same record; a refused line must say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_line(const char *line)
{
    static char owner[TLSA_NAME_MAX], owner2[TLSA_NAME_MAX];
    static uint8_t d[TLSA_FILE_DATA_MAX], d2[TLSA_FILE_DATA_MAX];
    static char again[TLSA_NAME_MAX + 2 * TLSA_FILE_DATA_MAX + 64];
    uint8_t u, s, m, u2, s2, m2;
    size_t n = 0, n2 = 0;
    const char *why = NULL;
    int r = tlsa_parse_line(line, owner, &u, &s, &m, d, &n, &why);
    if (r < 0 && (why == NULL || why[0] == '\0'))
        abort();
    if (r <= 0)
        return;
    size_t on = strnlen(owner, sizeof(owner));
    if (on == 0 || on >= sizeof(owner) || n == 0 || n > sizeof(d) || (m == 1 && n != 32) ||
        (m == 2 && n != 64))
        abort();
    int k = snprintf(again, sizeof(again), "%s IN TLSA %u %u %u ", owner, u, s, m);
    if (k < 0 || (size_t)k + 2 * n >= sizeof(again))
        abort();
    for (size_t i = 0; i < n; i++)
        snprintf(again + k + 2 * i, 3, "%02x", d[i]);
    if (tlsa_parse_line(again, owner2, &u2, &s2, &m2, d2, &n2, &why) != 1 ||
        strcmp(owner, owner2) != 0 || u != u2 || s != s2 || m != m2 || n != n2 ||
        memcmp(d, d2, n) != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char line[TLSA_FILE_DATA_MAX * 2 + 1024];
    size_t k = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n' || k == sizeof(line) - 1) {
            line[k] = '\0';
            fz_line(line);
            k = 0;
            continue;
        }
        line[k++] = data[i] == '\0' ? ' ' : (char)data[i];
    }
    return 0;
}
