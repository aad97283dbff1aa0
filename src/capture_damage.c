/* \summary: a -r input damaged after its first packet (split from
 * capture.c): the stderr line, and the note the report's CAPTURE FILE CUT /
 * DAMAGED heading and the stats record's damaged_files are made from. */
#include <stdio.h>

#include "capture.h"
#include "termtext.h"

void
capture_damage_note(struct capture_stats *st, const char *name, uint64_t packets, int64_t offset,
                    bool truncated, const char *msg, const char *hint)
{
    term_msg(stderr, "smtptap: %s: %s capture file after %llu packet%s: %s%s\n", name,
             truncated ? "truncated" : "damaged", (unsigned long long)packets,
             packets == 1 ? "" : "s", msg, hint);
    unsigned k = st->files_damaged; /* counted by capture_run after this */
    if (k >= CAPTURE_DAMAGED_MAX)
        return;
    struct capture_damage *d = &st->damaged[k];
    snprintf(d->file, sizeof(d->file), "%s", name);
    d->packets = packets;
    d->last_ts_us = packets ? st->last_ts_us : 0; /* this file's last packet */
    d->offset = offset;
    d->truncated = truncated;
    snprintf(d->error, sizeof(d->error), "%s", msg);
}
