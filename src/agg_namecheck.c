/* \summary: sessions whose server name was not checked. The name checked
 * against the leaf (RFC 6125) is --expect's, else the SNI, else one a DNS
 * answer in the capture gave the server's address (diagnose_pick_name);
 * many MTAs send no SNI (Postfix unless smtp_tls_servername is set), and
 * with no DNS in the capture and no --expect there is no name at all. The
 * chain may then verify ("Valid") though nothing says the name matched:
 * counted per server and per chain (diagnosis.name_check DG_NAME_NO_NAME),
 * said in the server record (name_not_checked) and under the certificate's
 * verdict in the terminal report. */
#include "agg_int.h"
#include "diagnose.h"
#include "strcopy.h"

void
agg_nc_note(struct agg_server *s, uint32_t c, const struct diagnosis *dg)
{
    if (dg->name_check != DG_NAME_NO_NAME)
        return;
    s->name_unchecked++;
    if (c != UINT32_MAX)
        s->chains[c].name_unchecked++;
}

/* "name not checked in 3 of 4 sessions: no SNI seen, no --expect, no DNS answer
 * for this address in the capture; give --expect NAME (or ADDRESS=NAME)" */
void
agg_nc_line(const struct agg_chain *ch, char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    if (ch->name_unchecked == 0)
        return;
    uint64_t all = ch->sessions + ch->resumed;
    str_add(&b, "name not checked in ", NULL);
    str_add_uint(&b, ch->name_unchecked);
    str_add(&b, " of ", NULL);
    str_add_uint(&b, all);
    str_add(&b, all == 1 ? " session" : " sessions",
            ": no SNI seen, no --expect, no DNS answer for this address in the capture; "
            "give --expect NAME (or ADDRESS=NAME)",
            NULL);
}
