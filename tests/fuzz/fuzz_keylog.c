/* \summary: fuzz target for the key log parser (src/keylog.c): the input
 * is split into lines like a file read with fgets, each fed to
 * keylog_add_line, then a lookup by the first 32 bytes. Memory must be back
 * to zero once the key log is freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keylog.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mem_init(1u << 20);
    char line[512];
    size_t k = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n' || k == sizeof(line) - 1) {
            line[k] = '\0';
            if (keylog_add_line(line) < 0)
                break;
            k = 0;
            continue;
        }
        line[k++] = (char)data[i];
    }
    if (size >= 32) {
        const uint8_t *s;
        size_t n;
        if (keylog_find(data, data[0] % 3, &s, &n) && (n < 32 || n > 48))
            abort();
    }
    keylog_free();
    if (mem_in_use() != 0)
        abort();
    return 0;
}
