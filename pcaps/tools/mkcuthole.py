#!/usr/bin/env python3
"""A smtptap -w style file whose certificates a real packet loss hid
(pcaps/variants/README.md). Plain Python (struct), no scapy;
deterministic. Run from the repo root: python3 pcaps/tools/mkcuthole.py

tls12-chain-cut-hole.pcap
    smtp-starttls-tls12-chain.pcap (snapshot length 262144) with frame 13
    (the server's Certificate end, ServerKeyExchange, ServerHelloDone: 747
    bytes of TCP payload) dropped, a hole no frame covers, as a capture
    that lost the packet; and, as smtptap -w cuts them, the first
    session's application data after the handshake (frames 17-28 and 30,
    both directions) cut to their first 10 bytes of TCP payload, their
    original lengths kept, the file's snapshot length unchanged (cut after
    capture). The file the frames were cut from lacks frame 13 too.
"""
import struct

from mkcutafter import write
from pcaplib import read_pcap

DROP = 13
CUT = list(range(17, 29)) + [30]
HDR = 14 + 20 + 32  # Ethernet, IPv4, TCP with timestamps
KEEP = HDR + 10


def make(cut, out):
    """The recording with frames cut (numbers from 1) to KEEP bytes after
    capture and frame DROP lost, written to out."""
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls12-chain.pcap")
    assert struct.unpack("<I", hdr[16:20])[0] > KEEP
    for frame in cut:
        sec, usec, data, orig = recs[frame - 1]
        assert len(data) == orig > KEEP, "a whole frame, longer than the cut"
        assert data[12:14] == b"\x08\x00" and data[14] == 0x45 and (data[46] >> 4) * 4 == 32
        recs[frame - 1] = [sec, usec, data[:KEEP], orig]
    del recs[DROP - 1]
    write(hdr, recs, out)


def main():
    make(CUT, "pcaps/variants/tls12-chain-cut-hole.pcap")


if __name__ == "__main__":
    main()
