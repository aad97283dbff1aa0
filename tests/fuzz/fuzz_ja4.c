/* \summary: fuzz target for the JA4 fingerprint (dissectors/ja4.c): the
 * input is a ClientHello body. The result is either "" (refused: cut,
 * malformed, over the limits) or exactly JA4_LEN characters of the form
 * "t" + version + d/i + four digits + two characters "_" 12 hex "_" 12 hex. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ja4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_hex12(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[JA4_LEN + 1];
    bool ok = ja4_compute(data, size, out);
    if (!ok) {
        if (out[0] != '\0')
            abort();
        return 0;
    }
    if (strlen(out) != JA4_LEN || out[0] != 't' || (out[3] != 'd' && out[3] != 'i') ||
        out[10] != '_' || out[23] != '_' || !fz_hex12(out + 11) || !fz_hex12(out + 24))
        abort();
    for (int i = 4; i < 8; i++)
        if (out[i] < '0' || out[i] > '9')
            abort();
    return 0;
}
