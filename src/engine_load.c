/* \summary: the engine's load (see engine_load.h): connections open and
 * flows dissected at once, their peaks. */
#include "engine_load.h"

#include "mem.h"
#include "pkt.h"

void
eload_open(struct eload *l, struct flow *f, uint8_t flags, int64_t ts_us)
{
    /* a RST ends the flow it created at once (engine_end "rst": nothing is
     * dissected yet, so no window to check it against); a FIN does not: the
     * flow stays tracked, its peer's data and FIN to come, until a FIN from
     * each side, the timeout or the capture's end */
    if (flags & TH_RST)
        return;
    f->load_open = true;
    if (++l->open > l->open_peak) {
        l->open_peak = l->open;
        l->open_peak_us = ts_us;
    }
}

void
eload_close(struct eload *l, struct flow *f)
{
    if (!f->load_open)
        return;
    f->load_open = false;
    if (l->open > 0)
        l->open--;
}

void
eload_disp(struct eload *l, struct flow *f, enum flow_disp d)
{
    if (f->disp == FLOW_DISSECT && d != FLOW_DISSECT && l->dissecting > 0) {
        l->dissecting--;
    } else if (f->disp != FLOW_DISSECT && d == FLOW_DISSECT) {
        if (++l->dissecting > l->dissecting_peak)
            l->dissecting_peak = l->dissecting;
    }
    f->disp = d;
}

bool
eload_reserved(const struct eload *l)
{
    uint64_t cap = mem_cap();
    return cap != UINT64_MAX && (l->dissecting >= cap / ENGINE_DISSECT_BUDGET || mem_near_cap());
}

void
eload_stats(const struct eload *l, uint32_t flow_max, struct run_stats *out)
{
    uint64_t cap = mem_cap();
    out->flows_open_peak = l->open_peak;
    out->flows_open_peak_us = l->open_peak_us;
    out->flows_dissected_peak = l->dissecting_peak;
    out->flows_dissection_refused = l->refused;
    out->evictions_for_memory = l->evicted_for_memory;
    out->flow_max = flow_max;
    out->flows_dissected_max = cap == UINT64_MAX ? 0 : cap / ENGINE_DISSECT_BUDGET;
    out->flows_open_now = l->open;
    out->flows_dissected_now = l->dissecting;
}
