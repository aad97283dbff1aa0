/* \summary: test helpers: fixture certificates into the certificate cache,
 * and the session facts of a server chain sent in clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certcache.h"
#include "tu_certs.h"
#include "tu_file.h"

uint32_t
tu_cert_add(const char *path)
{
    size_t n;
    uint8_t *der = tu_read_file(path, &n);
    uint32_t id = certcache_add(der, n);
    free(der);
    assert_true(id > 0);
    return id;
}

void
tu_chain_facts(struct session_facts *facts, const uint32_t *ids, unsigned n, uint8_t *sni)
{
    memset(facts, 0, sizeof(*facts));
    facts->tls.seen = true;
    facts->tls.certificates = TLS_CERTS_VISIBLE;
    for (unsigned i = 0; i < n && i < FACTS_CHAIN_MAX; i++)
        facts->tls.server_chain[facts->tls.n_server_chain++] = ids[i];
    if (sni != NULL) {
        facts->tls.sni.s = sni;
        facts->tls.sni.len = (uint32_t)strlen((const char *)sni);
    }
}
