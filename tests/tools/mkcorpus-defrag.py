#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_defrag.c (its header gives the
op format) into tests/fuzz/corpus/defrag/. Run from the source tree."""
import os
import struct

D = "tests/fuzz/corpus/defrag"
V6, MORE, OTHER, CUT, UDP, ICMP = 4, 8, 16, 32, 64, 128


def op(flags, off, length, step=0, idhi=0, cut=0, idlo=0):
    return struct.pack("!BHHBBB", flags | idlo, off // 8, length, step, idhi, cut)


def write(name, caps, ops):
    with open(os.path.join(D, name), "wb") as f:
        f.write(bytes([caps]) + b"".join(ops))


os.makedirs(D, exist_ok=True)
big = 0xFF  # defrag.max 8, mem_max 128 KiB
write("v4_in_order", big, [op(MORE, 0, 512), op(MORE, 512, 512), op(0, 1024, 100)])
write("v4_reverse", big, [op(0, 1024, 100), op(MORE, 512, 512), op(MORE, 0, 512)])
write("v6_out_of_order", big, [op(V6 | MORE, 512, 512), op(V6, 1024, 33), op(V6 | MORE, 0, 512)])
write("duplicate", big, [op(MORE, 0, 512), op(MORE, 0, 512), op(MORE, 256, 128), op(0, 512, 64)])
write("overlap_contained", big, [op(MORE, 0, 512), op(MORE | OTHER, 256, 128), op(0, 512, 64)])
write("overlap_partial", big, [op(MORE, 0, 512), op(MORE, 256, 512), op(0, 768, 64), op(MORE, 0, 512)])
write("timeout", big, [op(MORE, 0, 512), op(MORE, 0, 512, step=250, idlo=1), op(0, 512, 64)])
write("cap_max", 0x00, [op(MORE, 0, 512, idlo=i) for i in range(4)] + [op(0, 512, 64, idlo=3)])
write("cap_mem", 0x08, [op(MORE, 0, 4096), op(MORE, 0, 512, idlo=1), op(0, 4096, 8)])
write("snaplen_cut", big, [op(MORE, 0, 512), op(CUT, 512, 200, cut=100)])
write("malformed", big, [op(MORE, 0, 0), op(MORE, 0, 500), op(0, 65528, 16),
                         op(0, 512, 64, idlo=1), op(0, 1024, 64, idlo=1), op(MORE, 0, 512, idlo=2),
                         op(0, 512, 64, idlo=2), op(MORE, 1024, 64, idlo=2)])
write("other_protocols", big, [op(MORE | UDP, 0, 512), op(UDP, 512, 8), op(MORE | ICMP, 0, 512),
                               op(ICMP, 512, 8)])

# Seeds of tests/fuzz/fuzz_decode.c that are fragments: byte 0 = 3 picks
# DLT_RAW with no snaplen cut, then the IP packet.
tcp = bytes.fromhex("0019 9c40 000003e8 00000001 5018 0100 0000 0000".replace(" ", "")) + bytes(range(40))
ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 48, 0x1234, 0x2000, 64, 6, 0,
                  bytes([203, 0, 113, 25]), bytes([198, 51, 100, 10])) + tcp[:48]
s6 = bytes.fromhex("20010db8020300000000000000000025")
d6 = bytes.fromhex("20010db8010000000000000000000010")
ip6 = (struct.pack("!IHBB", 0x60000000, 8 + 8 + 12, 0, 64) + s6 + d6 +
       bytes([44, 0, 1, 4, 0, 0, 0, 0]) +            # Hop-by-Hop, PadN
       struct.pack("!BBHI", 6, 0, 48 | 0, 0x01020304) +  # Fragment: offset 48, last
       tcp[48:60])
for name, pkt in (("raw-ip4-frag", ip4), ("raw-ip6-frag", ip6)):
    with open(os.path.join("tests/fuzz/corpus/decode", name), "wb") as f:
        f.write(b"\x03" + pkt)
