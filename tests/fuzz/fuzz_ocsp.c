/* \summary: fuzz target for stapled OCSP responses (src/ocsp.c): the input
 * judged as the staple of a real chain (tests/data/ocsp/mail-chain.pem,
 * the leaf and intermediate of pcaps/diag/ocsp-staples.pcap, so the seeds,
 * that capture's staples, reach the CertID match and the signature), of
 * the leaf alone (matched by serial) and of no chain (not judged: no
 * leaf); twice, the second
 * from the memo; each verdict's names and the findings' evidence made.
 * Memory must be back to zero at the end. */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "mem.h"
#include "ocsp.h"
#include "strcopy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The certificates of the PEM file into the cache; how many. */
static unsigned
fuzz_ocsp_chain(uint32_t *ids, unsigned max)
{
    FILE *f = fopen(SRCDIR "/tests/data/ocsp/mail-chain.pem", "r");
    unsigned n = 0;
    X509 *x;
    while (f && n < max && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        if (len > 0 && (ids[n] = certcache_add(der, (size_t)len)) != 0)
            n++;
        OPENSSL_free(der);
        X509_free(x);
    }
    if (f)
        fclose(f);
    return n;
}

static void
fuzz_ocsp_names(const struct ocsp_verdict *v, const struct tls_facts *t)
{
    char ev[AGG_EVIDENCE_LEN];
    struct strbuf b = str_buf(ev, sizeof(ev));
    struct diagnosis *dg = calloc(1, sizeof(*dg));
    if (dg == NULL)
        return;
    dg->ocsp = *v;
    agg_ocsp_evidence(&b, dg, t);
    free(dg);
    if (strlen(ev) >= sizeof(ev) || v->problem >= OCSP_PB_COUNT)
        abort();
    (void)ocsp_status_str(v->status);
    (void)ocsp_cert_status_str(v->cert_status);
    (void)ocsp_reason_str(v->reason);
    (void)ocsp_signature_str(v->signature);
    if (v->problem != OCSP_PB_NONE && ocsp_problem_str(v->problem) == NULL)
        abort();
    if (memchr(v->responder, '\0', sizeof(v->responder)) == NULL)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mem_init(256u << 20);
    certcache_init(8);
    if (ocsp_init(4) != 0)
        abort();
    uint32_t ids[2];
    unsigned n = fuzz_ocsp_chain(ids, 2);
    static struct tls_facts t;
    memset(&t, 0, sizeof(t));
    t.n_server_chain = (uint8_t)n;
    memcpy(t.server_chain, ids, n * sizeof(ids[0]));
    /* the input's own copy, so that a read past it is caught */
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, data, size);
    for (unsigned round = 0; round < 2; round++)
        for (unsigned k = 0; k <= n; k++) {
            struct ocsp_verdict v;
            ocsp_judge(copy, size, ids, n - k, 1796000000 + round * 86400 * 4000, &v);
            /* an error is "malformed", or (no leaf, the memcap) not judged: no problem */
            if (!v.present || v.length != size ||
                (v.error != NULL && ocsp_judged(&v) && v.problem != OCSP_PB_MALFORMED) ||
                (!ocsp_judged(&v) && v.problem != OCSP_PB_NONE))
                abort();
            t.n_server_chain = (uint8_t)(n - k);
            fuzz_ocsp_names(&v, &t);
        }
    free(copy);
    ocsp_fini();
    certcache_free();
    if (mem_in_use() != 0)
        abort();
    return 0;
}
