/* \summary: the stapled OCSP responses of a server in the report: the
 * evidence of ocsp_staple_revoked and ocsp_staple_invalid (the leaf, what
 * its staple says, the dates that decided it) and the terminal report's
 * line of its judged staples (docs/findings.md, docs/report.md). */
#include <string.h>
#include <time.h>

#include "agg_int.h"
#include "certcache.h"
#include "strcopy.h"

/* "2026-01-08T00:00:00Z"; "(none)" for OCSP_NO_TIME. */
static void
agg_ocsp_time(struct strbuf *b, int64_t s)
{
    struct tm tm;
    time_t t = (time_t)s;
    if (s == OCSP_NO_TIME || !gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 ||
        tm.tm_year + 1900 > 9999) {
        str_add(b, "(none)", NULL);
        return;
    }
    char iso[STR_TM_ISO_LEN + 2];
    str_tm_iso(iso, &tm);
    iso[STR_TM_ISO_LEN] = 'Z';
    iso[STR_TM_ISO_LEN + 1] = '\0';
    str_add(b, iso, NULL);
}

void
agg_ocsp_evidence(struct strbuf *b, const struct diagnosis *dg, const struct tls_facts *t)
{
    const struct ocsp_verdict *o = &dg->ocsp;
    const struct cert_entry *leaf = t->n_server_chain ? certcache_get(t->server_chain[0]) : NULL;
    str_add(b, leaf && !leaf->info.parse_error ? leaf->info.subject : "(leaf not decoded)", NULL);
    str_add(b, ": its stapled OCSP response ", ocsp_problem_text(o->problem), NULL);
    switch (o->problem) {
    case OCSP_PB_REVOKED:
    case OCSP_PB_REVOKED_UNVERIFIED:
        str_add(b, ": revoked at ", NULL);
        agg_ocsp_time(b, o->revocation_time);
        if (o->reason >= 0)
            str_add(b, " (", ocsp_reason_str(o->reason), ")", NULL);
        break;
    case OCSP_PB_MALFORMED:
        str_add(b, ": ", o->error, NULL);
        break;
    case OCSP_PB_STATUS:
        str_add(b, ": responseStatus ", ocsp_status_str(o->status), NULL);
        break;
    case OCSP_PB_OTHER_CERT:
        str_add(b, ": ", NULL);
        str_add_uint(b, o->responses);
        str_add(b, o->responses == 1 ? " response" : " responses", NULL);
        if (o->matches_leaf < 0)
            str_add(b, ", none of the leaf's serial number (its issuer not known)", NULL);
        break;
    case OCSP_PB_SIGNATURE:
        str_add(b, ": signature ", ocsp_signature_str(o->signature), NULL);
        if (o->signature == OCSP_SIG_RESPONDER_NO_EKU)
            str_add(b, " (the responder's certificate lacks id-kp-OCSPSigning)", NULL);
        else if (o->signature == OCSP_SIG_RESPONDER_NOT_VALID)
            str_add(b, " (the responder's certificate was not valid at producedAt)", NULL);
        break;
    case OCSP_PB_STALE:
        str_add(b, ": nextUpdate ", NULL);
        agg_ocsp_time(b, o->next_update);
        break;
    case OCSP_PB_NOT_YET_VALID:
        str_add(b, ": thisUpdate ", NULL);
        agg_ocsp_time(b, o->this_update);
        break;
    default:
        break;
    }
    if (o->problem == OCSP_PB_STALE || o->problem == OCSP_PB_NOT_YET_VALID) {
        str_add(b, ", judged at ", NULL);
        agg_ocsp_time(b, dg->judged_at_us / 1000000);
    }
    if (o->responder[0] && o->problem != OCSP_PB_MALFORMED && o->problem != OCSP_PB_STATUS)
        str_add(b, "; responder ", o->responder, NULL);
}

void
agg_ocsp_line(const struct agg_server *s, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    if (n)
        out[0] = '\0';
    if (s->ocsp_judged == 0)
        return;
    /* good first, then each problem in its order */
    for (unsigned pb = 0; pb < OCSP_PB_COUNT; pb++) {
        if (s->ocsp_problems[pb] == 0)
            continue;
        if (b.len)
            str_add(&b, ", ", NULL);
        str_add_uint(&b, s->ocsp_problems[pb]);
        str_add(&b, " ", pb == OCSP_PB_NONE ? "good" : ocsp_problem_str((uint8_t)pb), NULL);
    }
}
