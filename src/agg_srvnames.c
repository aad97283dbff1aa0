/* \summary: a server's names (the server record's names and name_sources,
 * the terminal report's "names: ...; only asked for (SNI): ..."): the host
 * its greeting named, the names its peers asked for (SNI), and the names of
 * the certificates it presented, each with where it was seen. A
 * certificate's names are those a client checks (names.c): its
 * subjectAltName dNSNames, its subject CN only when it has no dNSName and
 * no iPAddress SAN (RFC 6125 §6.4.4). A name greeted or asked for counts as
 * a certificate's too when one of those covers it, a wildcard included
 * (§6.4.3): a name with SNI alone is then one no certificate of the server
 * showed, whatever order the sessions came in. Greetings and SNI keep
 * AGG_NAMES_MAX names, certificates AGG_CNAMES_MAX more, so that a
 * certificate with many names does not crowd out the names asked for. */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "names.h"

/* Does the leaf name `name` as a client checks a DNS name against it: one
 * of its dNSName SANs covers it, or (none, and no iPAddress SAN) its CN
 * does (names_check's rule, on the escaped strings x509.c keeps)? */
static bool
agg_leaf_covers(const struct x509_info *x, const char *name)
{
    bool dns_or_ip = false;
    for (unsigned i = 0; i < x->n_san; i++) {
        if (x->san[i].type != 'D' && x->san[i].type != 'I')
            continue;
        dns_or_ip = true;
        if (x->san[i].type == 'D' &&
            names_dns_match(x->san[i].value, strlen(x->san[i].value), name))
            return true;
    }
    return !dns_or_ip && x->subject_cn && x->subject_cn[0] &&
           names_dns_match(x->subject_cn, strlen(x->subject_cn), name);
}

static const struct x509_info *
agg_chain_leaf(const struct agg_chain *c)
{
    const struct cert_entry *e = c->n ? certcache_get(c->ids[0]) : NULL;
    return e && !e->info.parse_error ? &e->info : NULL;
}

void
agg_add_name(struct agg_server *s, const uint8_t *p, size_t n, uint8_t src)
{
    if (!p || n == 0 || n > 255 || memchr(p, '\0', n))
        return;
    for (unsigned i = 0; i < s->n_names; i++)
        if (s->name_len[i] == n && memcmp(s->names[i], p, n) == 0) {
            s->name_src[i] |= src;
            return;
        }
    bool cert = src == AGG_NAME_CERT;
    unsigned kept = cert ? s->n_cnames : (unsigned)(s->n_names - s->n_cnames);
    if (kept >= (cert ? AGG_CNAMES_MAX : AGG_NAMES_MAX))
        return;
    char *c = malloc(n + 1);
    if (!c)
        return;
    memcpy(c, p, n);
    c[n] = '\0';
    /* greeted or asked for: a certificate presented before may cover it */
    for (uint32_t k = 0; !cert && k < s->n_chains; k++) {
        const struct x509_info *x = s->chains[k].sessions ? agg_chain_leaf(&s->chains[k]) : NULL;
        if (x && agg_leaf_covers(x, c)) {
            src |= AGG_NAME_CERT;
            break;
        }
    }
    s->name_len[s->n_names] = (uint8_t)n;
    s->name_src[s->n_names] = src;
    s->names[s->n_names++] = c;
    s->n_cnames += cert;
}

void
agg_cert_names(struct agg_server *s, const struct agg_chain *c)
{
    const struct x509_info *x = agg_chain_leaf(c);
    if (!x)
        return;
    bool dns_or_ip = false;
    for (unsigned i = 0; i < x->n_san; i++) {
        dns_or_ip |= x->san[i].type == 'D' || x->san[i].type == 'I';
        if (x->san[i].type == 'D')
            agg_add_name(s, (const uint8_t *)x->san[i].value, strlen(x->san[i].value),
                         AGG_NAME_CERT);
    }
    if (!dns_or_ip && x->subject_cn)
        agg_add_name(s, (const uint8_t *)x->subject_cn, strlen(x->subject_cn), AGG_NAME_CERT);
    /* the names greeted or asked for that it covers (a wildcard) */
    for (unsigned i = 0; i < s->n_names; i++)
        if (!(s->name_src[i] & AGG_NAME_CERT) && agg_leaf_covers(x, s->names[i]))
            s->name_src[i] |= AGG_NAME_CERT;
}
