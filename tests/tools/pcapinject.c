/* \summary: test helper: sends the frames of a capture file out of an
 * interface (pcap_inject), so that a live capture on the other end of a veth
 * pair sees real traffic. Used by tests/scripts/live_capture.sh, inside
 * network namespaces the script creates; never on a real interface.
 *
 *   pcapinject IFACE FILE [GAP_US] [MAX_FRAMES]
 *
 * GAP_US (default 1000) is the pause between frames, so that the receiver's
 * buffer never drops any; MAX_FRAMES (default: all, at most 100 000) stops
 * early, which leaves a connection open. Exit 0 when every frame was sent. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PCAPINJECT_FRAMES_MAX 100000L

static long
pcapinject_num(const char *s, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > max) {
        fprintf(stderr, "pcapinject: bad number '%s' (0 to %ld)\n", s, max);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: pcapinject IFACE FILE [GAP_US] [MAX_FRAMES]\n");
        return 2;
    }
    long gap = argc > 3 ? pcapinject_num(argv[3], 1000000) : 1000;
    long max = argc > 4 ? pcapinject_num(argv[4], PCAPINJECT_FRAMES_MAX) : PCAPINJECT_FRAMES_MAX;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(argv[2], err);
    if (in == NULL) {
        fprintf(stderr, "pcapinject: %s\n", err);
        return 1;
    }
    pcap_t *out = pcap_open_live(argv[1], 65535, 0, 100, err);
    if (out == NULL) {
        fprintf(stderr, "pcapinject: %s\n", err);
        pcap_close(in);
        return 1;
    }
    int rc = 0;
    long sent = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    struct timespec pause = {gap / 1000000, (gap % 1000000) * 1000};
    while (sent < max && pcap_next_ex(in, &h, &data) == 1) {
        if (pcap_inject(out, data, h->caplen) != (int)h->caplen) {
            fprintf(stderr, "pcapinject: frame %ld: %s\n", sent + 1, pcap_geterr(out));
            rc = 1;
            break;
        }
        sent++;
        if (gap > 0)
            nanosleep(&pause, NULL);
    }
    printf("%ld\n", sent);
    pcap_close(out);
    pcap_close(in);
    return rc;
}
