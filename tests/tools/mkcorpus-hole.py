#!/usr/bin/env python3
"""Writes the fuzz_tls seeds of a hole in the server's handshake (tests/fuzz/
fz_chunks.h format: control bit 1 is a gap of the chunk's length) from
tests/fuzz/corpus/tls/tls12-chain.bin, whose chunk 1 is the server's
ServerHello record (70 bytes) and the start of its Certificate record:
tls-hole-sh.bin loses the ServerHello's last 30 bytes (dissectors/
tls_resync.c reads the Certificate again), tls-hole-crt.bin 600 bytes inside
the Certificate (its chain lost, the ServerKeyExchange read again).
Usage, from the repo root: python3 tests/tools/mkcorpus-hole.py"""
SEP = b"\1PKT"
d = "tests/fuzz/corpus/tls/"
chunks = [(c[0], c[1:]) for c in open(d + "tls12-chain.bin", "rb").read().split(SEP)[1:]]
ctl, srv = chunks[1]
assert ctl == 1 and srv[0] == 0x16 and srv[5] == 2 and srv[3:5] == b"\x00\x41"


def write(name, cut_from, cut_len):
    out = list(chunks[:1])
    out.append((1, srv[:cut_from]))
    out.append((1 | 2, b"\0" * cut_len))  # a gap: its length is what counts
    out.append((1, srv[cut_from + cut_len:]))
    out.extend(chunks[2:])
    with open(d + name, "wb") as f:
        for c, b in out:
            f.write(SEP + bytes([c]) + b)


write("tls-hole-sh.bin", 40, 30)
write("tls-hole-crt.bin", 300, 600)
