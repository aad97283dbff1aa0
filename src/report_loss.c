/* \summary: the terminal report's first lines (split from report_text.c):
 * what the capture itself lost, before the findings, since a report can
 * only speak of what was captured: CAPTURE FAILED, CAPTURE FILE CUT or
 * DAMAGED (a -r file read up to a cut or damaged record), CAPTURE LOST
 * PACKETS, CAPTURE CUT PACKETS, IP FRAGMENTS INCOMPLETE, FRAMES CUT AFTER
 * CAPTURE. */
#include <inttypes.h>
#include <stdio.h>

#include "agg_int.h"
#include "report.h"
#include "termtext.h"

/* A -r file cut short or damaged after its first packet: read up to
 * there (exit 0, as documented), but what it held after that point is
 * unknown, and the sessions open there lost their end (a client's alert,
 * its QUIT): said first, with the file, the byte and the time of the cut,
 * not only in the last line's count. */
static void
rt_damaged_files(FILE *f, const struct run_stats *st)
{
    if (!st->files_damaged || !st->damaged)
        return;
    unsigned n = st->files_damaged < CAPTURE_DAMAGED_MAX ? st->files_damaged : CAPTURE_DAMAGED_MAX;
    for (unsigned i = 0; i < n; i++) {
        const struct capture_damage *d = &st->damaged[i];
        char at[48] = "", when[40] = "";
        if (d->offset >= 0)
            snprintf(at, sizeof(at), " at byte %lld", (long long)d->offset);
        if (d->last_ts_us) {
            char t[32];
            agg_ts_short(d->last_ts_us, t, sizeof(t));
            snprintf(when, sizeof(when), " (the last at %s)", t);
        }
        term_msg(f,
                 "CAPTURE FILE %s: %s %s%s, after %llu packet%s%s: what came after that point "
                 "is not in this report, so the findings of the sessions open then, and of any "
                 "later, are unknown (%s)\n",
                 d->truncated ? "CUT" : "DAMAGED", d->file,
                 d->truncated ? "ends inside a record" : "is malformed", at,
                 (unsigned long long)d->packets, d->packets == 1 ? "" : "s", when, d->error);
    }
    if (st->files_damaged > n)
        fprintf(f, "CAPTURE FILES DAMAGED: %u more (stderr names them)\n", st->files_damaged - n);
    fputc('\n', f);
}

/* What the capture itself lost, before the findings: a report of a capture
 * that dropped most packets, or cut them at a short snapshot length, may
 * say "No findings." of sessions it never saw whole (Zeek's capture_loss,
 * tcpdump's "packets dropped by kernel"). */
void
report_capture_loss(FILE *f, const struct run_stats *st)
{
    /* a live capture whose interface went away (libpcap: "The interface
     * disappeared"), or an input unreadable midway: what was seen stands,
     * what came after is not in the report */
    if (st->capture_error != NULL) { /* a file name or libpcap's words: escaped */
        term_msg(f,
                 "CAPTURE FAILED: %s: the capture stopped there; this report holds what was "
                 "captured before\n",
                 st->capture_error);
        fputc('\n', f);
    }
    rt_damaged_files(f, st);
    uint64_t lost = st->drops + st->ifdrops;
    if (lost) {
        uint64_t all = st->packets + lost;
        unsigned pm = (unsigned)(lost * 1000 / all); /* per mille, rounded down */
        fprintf(f,
                "CAPTURE LOST PACKETS: %" PRIu64 " of %" PRIu64 " (%u.%u %%) dropped (%" PRIu64
                " by the kernel, %" PRIu64
                " by the interface): sessions and certificates are missing from this report; "
                "capture with a larger buffer (-B), a narrower filter (tcp port 25 or tcp port "
                "587 or tcp port 465), or on a less busy host\n\n",
                lost, all, pm / 10, pm % 10, st->drops, st->ifdrops);
    }
    /* frames shorter than their file's snapshot length were cut after
     * capture (smtptap -w, editcap): -s 0 would not bring their bytes back */
    uint64_t after = st->truncated_after_capture;
    uint64_t snap = st->truncated_frames > after ? st->truncated_frames - after : 0;
    if (snap)
        fprintf(f,
                "CAPTURE CUT PACKETS: %" PRIu64 " frame%s cut at the capture's snapshot length: "
                "the bytes past it (SMTP replies, TLS handshakes, certificates) are missing; "
                "capture whole packets (-s 0)\n\n",
                snap, snap == 1 ? " was" : "s were");
    /* IP datagrams whose first fragment came and the others never did: a
     * capture filter on ports matches the first fragment only (the later
     * ones carry no TCP header, RFC 791), so their TLS records never
     * complete (agg_notvisible.c names this cause too) */
    if (st->frag_incomplete)
        fprintf(f,
                "IP FRAGMENTS INCOMPLETE: %" PRIu64 " fragmented IP datagram%s lacked fragments: "
                "the bytes they carried (TLS records, certificates) are missing; a capture "
                "filter on ports drops every fragment but the first: capture with 'port 25 or "
                "(ip[6:2] & 0x1fff != 0)' (IPv6: 'or ip6[6] == 44'), or by host\n\n",
                st->frag_incomplete, st->frag_incomplete == 1 ? "" : "s");
    if (after)
        fprintf(f,
                "FRAMES CUT AFTER CAPTURE: %" PRIu64 " frame%s cut after capture, below the "
                "file's snapshot length (by smtptap -w or editcap): their removed bytes cannot "
                "be analysed; that is expected for an evidence file, whose mail and application "
                "data smtptap -w removes on purpose\n\n",
                after, after == 1 ? " was" : "s were");
}
