/* \summary: a certificate's Exchange statuses counted per session (case 2:
 * expiry judged at each connection). A chain's `verdict` is its first
 * session's; a leaf that expired between two sessions, or a wildcard
 * certificate matched against several names, has others: counted here so
 * the report gives every status seen with its sessions, whatever order the
 * sessions came in. */
#include "agg_int.h"
#include "diagnose.h"
#include "json.h"
#include "strcopy.h"

void
agg_vcount_note(struct agg_vcount *v, const struct diagnosis *dg)
{
    if (!dg->verified)
        return;
    v->judged++;
    if (dg->exchange_statuses == 0)
        v->valid++;
    for (unsigned i = 0; i < XS_COUNT; i++)
        v->bit[i] += (dg->exchange_statuses >> i) & 1u;
}

bool
agg_vcount_mixed(const struct agg_vcount *v)
{
    if (v->valid != 0 && v->valid != v->judged)
        return true;
    for (unsigned i = 0; i < XS_COUNT; i++)
        if (v->bit[i] != 0 && v->bit[i] != v->judged)
            return true;
    return false;
}

/* "Valid in 1, DateInvalid in 1": every status seen, in a fixed order. */
void
agg_vcount_text(const struct agg_vcount *v, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    if (v->valid) {
        str_add(&b, "Valid in ", NULL);
        str_add_uint(&b, v->valid);
    }
    for (unsigned i = 0; i < XS_COUNT; i++) {
        if (!v->bit[i])
            continue;
        str_add(&b, b.len ? ", " : "", diagnose_status_word(1u << i), " in ", NULL);
        str_add_uint(&b, v->bit[i]);
    }
}

/* "verdict_sessions": {"Valid": 1, "DateInvalid": 1} */
void
agg_vcount_json(struct json *j, const struct agg_vcount *v)
{
    json_obj_begin(j, "verdict_sessions");
    if (v->valid)
        json_uint(j, "Valid", v->valid);
    for (unsigned i = 0; i < XS_COUNT; i++)
        if (v->bit[i])
            json_uint_k(j, diagnose_status_word(1u << i), strlen(diagnose_status_word(1u << i)),
                        v->bit[i]);
    json_obj_end(j);
}
