/* \summary: what a capture input is, from its first bytes: a pcap or pcapng
 * file libpcap could read, a compressed file (the command that decompresses
 * it), or something else. */
#ifndef SMTPTAP_CAPMAGIC_H
#define SMTPTAP_CAPMAGIC_H

#include <stddef.h>

/* Why an input whose first n bytes are m cannot be a capture, or NULL when
 * they begin a form libpcap 1.10 reads (or are too few to tell: the reader
 * then says it is cut short). The words are a whole reason for a message
 * "FILE: <why>", e.g. "xz-compressed: decompress it first (xzcat FILE |
 * smtptap -r -)". */
const char *capmagic_why(const unsigned char *m, size_t n);

#endif
