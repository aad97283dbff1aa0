/* \summary: what a capture input is, from its first bytes (see capmagic.h).
 *
 * Captures: pcap, draft-ietf-opsawg-pcap §4 (a1b2c3d4, a1b23c4d for
 * nanoseconds; a1b2cd34, the modified form libpcap also reads), in either
 * byte order; pcapng, draft-ietf-opsawg-pcapng §4.1 (the Section Header
 * Block's type 0a0d0d0a). Compressed files (rotated captures are often kept
 * compressed; Wireshark reads gzip, zstd and lz4, libpcap none): gzip, RFC
 * 1952 §2.3.1 (1f 8b); xz, the .xz file format §2.1.1.1 (fd 37 7a 58 5a 00);
 * zstd, RFC 8878 §3.1.1 (28 b5 2f fd); bzip2 ("BZh" and the block size
 * digit); lz4 frame format (04 22 4d 18). */
#include "capmagic.h"

#include <stdint.h>
#include <string.h>

static const struct {
    const char *magic;
    size_t len;
    const char *why;
} capmagic_packed[] = {
    {"\x1f\x8b", 2, "gzip-compressed: decompress it first (zcat FILE | smtptap -r -)"},
    {"\xfd"
     "7zXZ\0",
     6, "xz-compressed: decompress it first (xzcat FILE | smtptap -r -)"},
    {"\x28\xb5\x2f\xfd", 4, "zstd-compressed: decompress it first (zstdcat FILE | smtptap -r -)"},
    {"\x04\x22\x4d\x18", 4, "lz4-compressed: decompress it first (lz4cat FILE | smtptap -r -)"},
    {"BZh", 3, "bzip2-compressed: decompress it first (bzcat FILE | smtptap -r -)"},
};

const char *
capmagic_why(const unsigned char *m, size_t n)
{
    for (size_t i = 0; i < sizeof(capmagic_packed) / sizeof(capmagic_packed[0]); i++)
        if (n >= capmagic_packed[i].len &&
            memcmp(m, capmagic_packed[i].magic, capmagic_packed[i].len) == 0)
            return capmagic_packed[i].why;
    if (n < 4)
        return NULL; /* too short: the reader's "truncated" message */
    uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    uint32_t le = (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 | (uint32_t)m[1] << 8 | m[0];
    static const uint32_t magics[] = {0xA1B2C3D4u, 0xA1B23C4Du, 0xA1B2CD34u, 0x0A0D0D0Au};
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if (be == magics[i] || le == magics[i])
            return NULL;
    return "not a pcap or pcapng capture (unknown file format)";
}
