/* \summary: the stapled OCSP responses of a server in the report: the
 * evidence of ocsp_staple_revoked and ocsp_staple_invalid (the leaf, what
 * its staple says, the dates that decided it) and the terminal report's
 * line of its judged staples (docs/findings.md, docs/report.md). */
#include <string.h>
#include <time.h>

#include "agg_int.h"
#include "certcache.h"
#include "json.h"
#include "mem.h"
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

void
agg_ocsp_chain_note(struct agg_chain *c, const struct tls_facts *t, const struct diagnosis *dg)
{
    const struct ocsp_verdict *o = &dg->ocsp;
    bool unstapled = t->status_request && t->ocsp_stapled == TLS_OCSP_NONE;
    if (!unstapled && !o->present)
        return;
    if (c->ocsp == NULL) {
        if ((c->ocsp = mem_alloc(sizeof(*c->ocsp))) == NULL)
            return; /* memcap: counted there */
        c->ocsp->reason = -1;
    }
    struct agg_cocsp *x = c->ocsp;
    if (unstapled) {
        x->unstapled++;
        return;
    }
    if (!ocsp_judged(o) || o->problem >= OCSP_PB_COUNT) {
        x->unjudged++;
        x->unjudged_why = o->too_large ? "too_large" : o->error ? o->error : "not decoded";
        return;
    }
    x->problems[o->problem]++;
    if (o->problem == OCSP_PB_REVOKED || o->problem == OCSP_PB_REVOKED_UNVERIFIED)
        x->reason = o->reason;
    x->problem = o->problem;
    x->produced_at = o->produced_at;
    x->next_update = o->next_update;
    x->judged_s = dg->judged_at_us / 1000000;
}

void
agg_ocsp_free(struct agg_server *s)
{
    for (uint32_t i = 0; i < s->n_chains; i++)
        mem_free(s->chains[i].ocsp, sizeof(*s->chains[i].ocsp));
}

/* "6d 22h", "1h 5m", "4m 10s", "12s": a span of d seconds, its two
 * largest units */
static void
agg_ocsp_span(struct strbuf *b, int64_t d)
{
    uint64_t v = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    static const struct {
        uint64_t s;
        const char *u;
    } un[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
    for (unsigned i = 0; i < 4; i++) {
        if (v < un[i].s && i < 3)
            continue;
        str_add_uint(b, v / un[i].s);
        str_add(b, un[i].u, NULL);
        if (i < 3) {
            str_add(b, " ", NULL);
            str_add_uint(b, v % un[i].s / un[i + 1].s);
            str_add(b, un[i + 1].u, NULL);
        }
        return;
    }
}

/* The staples of a chain that were judged, whatever they said. */
static uint32_t
agg_cocsp_judged(const struct agg_cocsp *x)
{
    uint32_t judged = 0;
    for (unsigned pb = 0; pb < OCSP_PB_COUNT; pb++)
        judged += x->problems[pb];
    return judged;
}

/* No staple is worth saying where the server stapled in other sessions
 * whose client asked: one node, or one certificate, without its file. */
static bool
agg_cocsp_mixed(const struct agg_server *s, const struct agg_cocsp *x)
{
    return s->ocsp_stapled > 0 && s->ocsp_stapled < s->ocsp_asked && x->unstapled > 0;
}

/* "2 good, 1 invalid: stale, 1 not stapled (its client asked); last:
 * produced 1h 5m before its session, nextUpdate 6d 22h after" */
void
agg_ocsp_chain_line(const struct agg_server *s, const struct agg_chain *c, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    if (n)
        out[0] = '\0';
    const struct agg_cocsp *x = c->ocsp;
    if (x == NULL)
        return;
    uint32_t judged = agg_cocsp_judged(x);
    bool mixed = agg_cocsp_mixed(s, x);
    if (judged == 0 && x->unjudged == 0 && !mixed)
        return;
    /* good, revoked, unknown, then the problems that make it invalid */
    static const uint8_t order[] = {
        OCSP_PB_NONE,      OCSP_PB_REVOKED,      OCSP_PB_REVOKED_UNVERIFIED, OCSP_PB_CERT_UNKNOWN,
        OCSP_PB_MALFORMED, OCSP_PB_STATUS,       OCSP_PB_OTHER_CERT,         OCSP_PB_SIGNATURE,
        OCSP_PB_STALE,     OCSP_PB_NOT_YET_VALID};
    for (unsigned i = 0; i < sizeof(order); i++) {
        uint8_t pb = order[i];
        if (x->problems[pb] == 0)
            continue;
        str_add(&b, b.len ? ", " : "", NULL);
        str_add_uint(&b, x->problems[pb]);
        if (pb == OCSP_PB_NONE)
            str_add(&b, " good", NULL);
        else if (pb == OCSP_PB_REVOKED || pb == OCSP_PB_REVOKED_UNVERIFIED) {
            str_add(&b, " revoked", NULL);
            if (x->reason >= 0)
                str_add(&b, " (", ocsp_reason_str(x->reason), ")", NULL);
            if (pb == OCSP_PB_REVOKED_UNVERIFIED)
                str_add(&b, " unverified (its issuer not known)", NULL);
        } else if (pb == OCSP_PB_CERT_UNKNOWN)
            str_add(&b, " unknown", NULL);
        else
            str_add(&b, " invalid: ", ocsp_problem_str(pb), NULL);
    }
    if (x->unjudged) {
        str_add(&b, b.len ? ", " : "", NULL);
        str_add_uint(&b, x->unjudged);
        str_add(&b, " not judged (", x->unjudged_why, ")", NULL);
    }
    if (mixed) {
        str_add(&b, b.len ? ", " : "", NULL);
        str_add_uint(&b, x->unstapled);
        str_add(&b, " no staple (asked for)", NULL);
    }
    if (judged == 0 || x->produced_at == OCSP_NO_TIME)
        return;
    str_add(&b, "; last: produced ", NULL);
    agg_ocsp_span(&b, x->judged_s - x->produced_at);
    str_add(&b, x->produced_at <= x->judged_s ? " before its session, " : " after its session, ",
            NULL);
    if (x->next_update == OCSP_NO_TIME) {
        str_add(&b, "no nextUpdate", NULL);
        return;
    }
    str_add(&b, "nextUpdate ", NULL);
    agg_ocsp_span(&b, x->next_update - x->judged_s);
    str_add(&b, x->next_update >= x->judged_s ? " after" : " before", NULL);
}

/* A time of a staple (seconds), null when it has none. */
static void
agg_ocsp_time_json(struct json *j, const char *key, int64_t s)
{
    if (s == OCSP_NO_TIME)
        json_null(j, key);
    else
        json_ts(j, key, s * 1000000);
}

/* "ocsp_staples" of one chain in the server record: the facts of its
 * "ocsp" line in the terminal report (agg_ocsp_chain_line), each counted
 * whether the line would say it or not; absent when no session of the
 * chain asked for a staple (status_request, RFC 6066 §8) nor got one. */
void
agg_ocsp_chain_json(struct json *j, const struct agg_server *s, const struct agg_chain *c)
{
    const struct agg_cocsp *x = c->ocsp;
    if (x == NULL)
        return;
    uint32_t judged = agg_cocsp_judged(x);
    json_obj_begin(j, "ocsp_staples");
    json_uint(j, "sessions", judged);
    for (uint8_t pb = 0; pb < OCSP_PB_COUNT; pb++) /* the server's ocsp_staples keys */
        json_uint(j, pb == OCSP_PB_NONE ? "good" : ocsp_problem_str(pb), x->problems[pb]);
    json_str(j, "revocation_reason",
             x->reason >= 0 &&
                     (x->problems[OCSP_PB_REVOKED] || x->problems[OCSP_PB_REVOKED_UNVERIFIED])
                 ? ocsp_reason_str(x->reason)
                 : NULL);
    json_uint(j, "not_judged", x->unjudged);
    json_str(j, "not_judged_why", x->unjudged ? x->unjudged_why : NULL);
    json_uint(j, "not_stapled", x->unstapled);
    /* the terminal's "no staple (asked for)": the server stapled for others */
    json_bool(j, "stapled_for_others", agg_cocsp_mixed(s, x));
    if (judged == 0) {
        json_null(j, "last");
    } else {
        json_obj_begin(j, "last");
        json_str(j, "problem", x->problem == OCSP_PB_NONE ? "good" : ocsp_problem_str(x->problem));
        json_ts(j, "judged_at", x->judged_s * 1000000);
        agg_ocsp_time_json(j, "produced_at", x->produced_at);
        if (x->produced_at == OCSP_NO_TIME)
            json_null(j, "age_s");
        else
            json_int(j, "age_s", x->judged_s - x->produced_at);
        agg_ocsp_time_json(j, "next_update", x->next_update);
        json_obj_end(j);
    }
    json_obj_end(j);
}
