/* \summary: fuzz target for the bundle roots reader (src/bundleroots.c):
 * the PEM lines of a CA bundle, and the DER certificates in them. An input
 * whose first byte is odd is taken as the DER of one certificate, which the
 * target wraps in a PEM block (so the fuzzer reaches the DER reader without
 * having to write base64); otherwise as the bundle's text. What is kept
 * stays within its bound, and is forgotten on reset. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundleroots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_DER_MAX 16384

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char text[64 + FZ_DER_MAX / 3 * 4 + 8 + FZ_DER_MAX / 64 + 64];
    const char *in = (const char *)data;
    size_t n = size;
    if (size > 0 && (data[0] & 1) && size - 1 <= FZ_DER_MAX) {
        static unsigned char b64[FZ_DER_MAX / 3 * 4 + 8];
        int k = EVP_EncodeBlock(b64, data + 1, (int)(size - 1));
        size_t t = (size_t)snprintf(text, sizeof(text), "-----BEGIN CERTIFICATE-----\n");
        for (int i = 0; i < k; i += 64) { /* 64 characters a line, as RFC 7468 §2 */
            int m = k - i < 64 ? k - i : 64;
            memcpy(text + t, b64 + i, (size_t)m);
            t += (size_t)m;
            text[t++] = '\n';
        }
        t += (size_t)snprintf(text + t, sizeof(text) - t, "-----END CERTIFICATE-----\n");
        in = text;
        n = t;
    }
    if (n == 0)
        return 0;
    FILE *f = fmemopen((void *)in, n, "r");
    if (f == NULL)
        return 0;
    bundleroots_read(f);
    fclose(f);
    if (bundleroots_count() > 1024)
        abort();
    bundleroots_reset();
    if (bundleroots_count() != 0)
        abort();
    return 0;
}
