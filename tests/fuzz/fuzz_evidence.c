/* \summary: fuzz target for the line checks of -w (src/evidence.c): any
 * bytes, as a server's and as a client's segment. Besides the sanitizers'
 * checks, an oracle: a segment said writable ends a line, and no line of it
 * is a 334 challenge (server) or a command outside the greeting, STARTTLS
 * and housekeeping ones (client), by an independent reading of the lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The length of line i's verb (to a space, CR or the line's end). */
static size_t
fz_verb(const uint8_t *l, size_t len)
{
    size_t w = 0;
    while (w < len && l[w] != ' ' && l[w] != '\r')
        w++;
    return w;
}

static void
fz_oracle(const uint8_t *d, size_t n, bool server)
{
    static const char *const ok[] = {"EHLO",           "HELO", "LHLO", "STARTTLS",
                                     "X-ANONYMOUSTLS", "RSET", "NOOP", "QUIT"};
    if (n == 0 || d[n - 1] != '\n')
        abort(); /* a line cut by the segment's end */
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '\n')
            continue;
        const uint8_t *l = d + start;
        size_t len = i - start;
        if (server) {
            if (len < 3 || memcmp(l, "334", 3) == 0)
                abort();
        } else {
            size_t w = fz_verb(l, len), k;
            for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
                if (strlen(ok[k]) == w && strncasecmp((const char *)l, ok[k], w) == 0)
                    break;
            if (k == sizeof(ok) / sizeof(ok[0]))
                abort();
        }
        start = i + 1;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > UINT32_MAX)
        return 0;
    /* a copy of exactly size bytes: a read past it is ASan's to see */
    uint8_t *b = malloc(size ? size : 1);
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    if (evidence_server_lines_ok(b, (uint32_t)size))
        fz_oracle(b, size, true);
    if (evidence_client_lines_ok(b, (uint32_t)size))
        fz_oracle(b, size, false);
    free(b);
    return 0;
}
