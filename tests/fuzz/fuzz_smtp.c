/* \summary: fuzz target for the SMTP dissector, driven through the real flow
 * context with a chunked transcript (fz_chunks.h). Small caps (line 512, 8
 * pending commands) make the cap paths reachable; after STARTTLS the TLS
 * dissector takes over, as in a real flow. Memory must be back to zero after
 * the flow is freed. */
#include <stdint.h>
#include <stdlib.h>

#include "certcache.h"
#include "config.h"
#include "fctx.h"
#include "fz_chunks.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct config cfg;
    config_defaults(&cfg);
    cfg.smtp_line_max = 512;
    cfg.smtp_pending_max = 8;
    mem_init(cfg.memcap);
    certcache_init(16);

    struct flow_ctx *ctx = fctx_new(&cfg, 25);
    if (ctx == NULL) {
        certcache_free();
        return 0;
    }
    fctx_attach(ctx, &smtp_dissector);
    fz_run_chunks(ctx, data, size);
    fctx_destroy(ctx);
    certcache_free();
    if (mem_in_use() != 0)
        abort(); /* a leak in the flow accounting */
    return 0;
}
