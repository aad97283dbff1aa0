/* \summary: the terminal report's note on sessions of which the capture
 * holds one direction only (record.h flow_record_missing_dir), before its
 * findings. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "agg_int.h"

/* Sessions of which the capture holds one direction only (record.h
 * flow_record_missing_dir): a tap or span port that sees one direction,
 * asymmetric routing, or a filter on one address as source. What the
 * missing side sent is unknown, and the report says so before its
 * findings, as it does a capture's lost packets. */
void
agg_one_direction_text(FILE *f)
{
    uint64_t cl = agg.one_way[0], sv = agg.one_way[1];
    if (cl)
        fprintf(f,
                "ONE DIRECTION CAPTURED: %" PRIu64 " session%s hold%s the server's direction "
                "only: what the client sent (its commands, SNI, ClientHello, client certificate "
                "and alerts) is unknown, the server's replies, certificates and alerts are read "
                "(STARTTLS from its 220 and the TLS record after it); capture both "
                "directions\n\n",
                cl, cl == 1 ? "" : "s", cl == 1 ? "s" : "");
    if (sv)
        fprintf(f,
                "ONE DIRECTION CAPTURED: %" PRIu64 " session%s hold%s the client's direction "
                "only: the server's (its replies, certificates and alerts) is missing and nothing "
                "of it is judged; capture both directions\n\n",
                sv, sv == 1 ? "" : "s", sv == 1 ? "s" : "");
}

/* Every session aggregated held the client's direction only: the server's
 * replies, certificates and alerts, on which every finding rests, were not
 * captured, so "No findings." would say more than the capture can. Not when
 * one session held the server's side (its findings, or none, stand). */
bool
agg_one_direction_client_only(void)
{
    uint64_t sessions = 0;
    for (uint32_t i = 0; i < agg.n_servers; i++)
        sessions += agg.servers[i]->sessions;
    return agg.one_way[1] > 0 && agg.one_way[1] >= sessions;
}
