/* \summary: the floor: a bare libpcap read loop that touches every packet's
 * bytes and does nothing else. smtptap's CPU time is reported as a ratio of
 * this program's on the same capture, in the same run. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: readloop FILE\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (p == NULL) {
        fprintf(stderr, "readloop: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t n = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        n++;
        bytes += h->caplen;
        /* read the first bytes as a decoder would (Ethernet + IP + TCP headers) */
        for (unsigned i = 0; i < h->caplen && i < 54; i++)
            sum += data[i];
    }
    pcap_close(p);
    printf("%llu packets %llu bytes checksum %llu\n", (unsigned long long)n,
           (unsigned long long)bytes, (unsigned long long)sum);
    return rc == -1 ? 1 : 0;
}
