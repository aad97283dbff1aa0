/* \summary: the order of the findings (JSON and terminal report alike): worst
 * severity first, then by server, then within one severity cause before
 * symptom, by an explicit rank per kind (docs/findings.md "Order of the
 * findings"), then by kind name, the server name of a name finding, and the
 * order they were made in: deterministic, whatever qsort does with ties. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "mem.h"

/* Cause first: what the capture hid, then what took TLS away (stripping,
 * STARTTLS not offered or refused), then the certificate's own problems
 * (validity, trust, name, DANE, revocation, strength), then what several
 * sessions show about the certificates (pools, renewals), then what the
 * peers did about it (alerts, rejections, a QUIT after the handshake,
 * failed handshakes), then the plaintext that followed, then information.
 * A kind not listed comes after all of these, by name. */
static const char *const agg_order_kinds[] = {
    /* the capture: nothing of those connections can be judged */
    "vlan_split",
    /* TLS taken away, or never offered */
    "starttls_stripped",
    "starttls_not_offered",
    "starttls_rejected",
    "implicit_tls_not_served",
    "starttls_inconsistent",
    /* the certificate: validity */
    "expired_certificate_served",
    "expired",
    "not_yet_valid",
    /* the chain and the trust store */
    "untrusted_root",
    "missing_intermediate",
    "self_signed",
    "name_constraint_violation",
    /* the name */
    "name_mismatch",
    /* DANE, revocation */
    "dane_tlsa_mismatch",
    "dane_tlsa_unusable",
    "ocsp_staple_revoked",
    "ocsp_staple_invalid",
    /* strength */
    "weak_key",
    "weak_signature",
    "obsolete_tls_version",
    "anonymous_tls",
    /* the client's certificate (mutual TLS): the cause of the server's rejection */
    "client_certificate_untrusted",
    /* several sessions: which peers got which certificate, and when */
    "mixed_pool",
    "peer_dependent_certificate",
    "sni_dependent_certificate",
    "expiring_certificate",
    "certificate_changed",
    /* what the capture or smtptap's caps left unseen */
    "handshake_capped",
    "certificates_not_visible",
    /* the peers' answer: symptoms of the causes above */
    "client_rejected_certificate",
    "client_quit_after_handshake",
    "server_rejected_client_certificate",
    "server_refused_after_handshake",
    "tls_handshake_failed",
    /* the plaintext that followed */
    "plaintext_fallback",
    "plaintext_after_failed_starttls",
    "plaintext_refused",
    "starttls_not_used",
    "auth_before_tls",
    "plaintext_delivery",
    /* information */
    "mutual_tls",
    "manual_tls_probe",
    "client_closed_after_handshake",
};
#define AGG_ORDER_N (sizeof(agg_order_kinds) / sizeof(agg_order_kinds[0]))

unsigned
agg_kind_rank(const char *kind)
{
    for (unsigned i = 0; i < AGG_ORDER_N; i++)
        if (strcmp(agg_order_kinds[i], kind) == 0)
            return i;
    return (unsigned)AGG_ORDER_N;
}

int
agg_cmp_finding(const void *a, const void *b)
{
    const struct agg_finding *x = a, *y = b;
    if (x->severity != y->severity)
        return y->severity - x->severity;
    if (x->server != y->server)
        return x->server < y->server ? -1 : 1;
    if (x->rank != y->rank) /* agg_kind_rank, at agg_new_finding */
        return x->rank < y->rank ? -1 : 1;
    int c = strcmp(x->kind, y->kind);
    if (c)
        return c;
    if ((x->name == NULL) != (y->name == NULL))
        return x->name == NULL ? -1 : 1;
    if (x->name && (c = strcmp(x->name, y->name)) != 0)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
agg_cmp_finding_p(const void *a, const void *b)
{
    return agg_cmp_finding(*(const struct agg_finding *const *)a,
                           *(const struct agg_finding *const *)b);
}

/* One finding moved: the members before the texts, and of each text the
 * bytes up to its terminator (read no further: agg_new_finding). */
static void
agg_finding_move(struct agg_finding *dst, const struct agg_finding *src)
{
    memcpy(dst, src, offsetof(struct agg_finding, summary));
    memcpy(dst->summary, src->summary, strlen(src->summary) + 1);
    memcpy(dst->evidence, src->evidence, strlen(src->evidence) + 1);
}

void
agg_sort_findings(void)
{
    uint32_t n = agg.n_findings;
    struct agg_finding *base = agg.findings;
    if (n < 2)
        return;
    /* qsort of the ~2.3 KiB findings moved whole elements, their texts'
     * bytes past the terminator too, never written before (agg_new_finding):
     * cold memory, a third of a dense slice's last-level misses. The
     * pointers are sorted instead, and each finding moved once along its
     * permutation's cycle. */
    struct agg_finding **p = mem_alloc((size_t)n * sizeof(*p));
    if (p == NULL) {
        qsort(base, n, sizeof(*base), agg_cmp_finding);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        p[i] = &base[i];
    qsort(p, n, sizeof(*p), agg_cmp_finding_p);
    struct agg_finding tmp;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = (uint32_t)(p[i] - base), j = i;
        if (s == i)
            continue;
        agg_finding_move(&tmp, &base[i]);
        while (s != i) { /* position j takes the finding sorted there, from s */
            agg_finding_move(&base[j], &base[s]);
            p[j] = &base[j];
            j = s;
            s = (uint32_t)(p[j] - base);
        }
        agg_finding_move(&base[j], &tmp);
        p[j] = &base[j];
    }
    mem_free(p, (size_t)n * sizeof(*p));
}
