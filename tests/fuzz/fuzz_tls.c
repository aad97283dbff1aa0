/* \summary: fuzz target for the TLS dissector (record layer, handshake
 * reassembly, hellos, certificates, alerts, JA3) through the real flow
 * context, as implicit TLS on port 465, with a chunked transcript
 * (fz_chunks.h). Small caps (4 KiB handshake messages, 64 records) make the
 * cap paths reachable. Every certificate id in the facts must resolve in the
 * cache, and memory must be back to zero after the flow is freed. The key
 * logs of the bundled TLS 1.3 captures are loaded, so the seeds made from
 * those captures reach the handshake decryption (tls_dec.c) and, for
 * ocsp-stapling's, the status_request of a TLS 1.3 CertificateEntry; for
 * resumption's, the NewSessionTickets after the server's Finished
 * (tls_tickets13.c) into the resumption table (resume.c), and the PSK
 * identities of a resuming ClientHello. */
#include <stdint.h>
#include <stdlib.h>

#include "certcache.h"
#include "config.h"
#include "fctx.h"
#include "fz_chunks.h"
#include "keylog.h"
#include "mem.h"
#include "resume.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct config cfg;
    static bool keys_loaded;
    if (!keys_loaded) { /* before mem_init: kept for the whole run, not per input */
        char err[256];
        keylog_load(SRCDIR "/pcaps/smtp-starttls-tls13.keylog", err, sizeof(err));
        keylog_load(SRCDIR "/pcaps/diag/tls13-keylog.keylog", err, sizeof(err));
        keylog_load(SRCDIR "/pcaps/diag/ocsp-stapling.keylog", err, sizeof(err));
        keylog_load(SRCDIR "/pcaps/diag/resumption.keylog", err, sizeof(err));
        keys_loaded = true;
    }
    config_defaults(&cfg);
    cfg.tls_hs_msg_max = 4096;
    cfg.tls_records_max = 64;
    mem_init(cfg.memcap);
    certcache_init(16);
    resume_init(16, 1);

    struct flow_ctx *ctx = fctx_new(&cfg, 465);
    if (ctx == NULL) {
        certcache_free();
        return 0;
    }
    fctx_attach(ctx, &tls_dissector);
    fz_run_chunks(ctx, data, size);
    const struct tls_facts *t = &fctx_facts_const(ctx)->tls;
    for (unsigned i = 0; i < t->n_server_chain; i++)
        if (t->server_chain[i] && certcache_get(t->server_chain[i]) == NULL)
            abort();
    for (unsigned i = 0; i < t->n_client_chain; i++)
        if (t->client_chain[i] && certcache_get(t->client_chain[i]) == NULL)
            abort();
    fctx_destroy(ctx);
    resume_free();
    certcache_free();
    if (mem_in_use() != 0)
        abort();
    return 0;
}
