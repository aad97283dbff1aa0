#!/usr/bin/env python3
"""A smtptap -w style file with two separate runs of frames cut after
capture around a real packet loss (pcaps/variants/README.md). Plain Python
(struct), no scapy; deterministic. Run from the repo root:
python3 pcaps/tools/mkcutsplit.py

tls12-chain-cut-split.pcap
    tls12-chain-cut-hole.pcap's edits of smtp-starttls-tls12-chain.pcap
    (frame 13, the Certificate's end, dropped: a hole no frame covers; the
    first session's application data, frames 17-28 and 30, cut after
    capture to 10 bytes of TCP payload) and, before the handshake, the
    server's 220 greeting (frame 4, 50 bytes of TCP payload) cut after
    capture to 10 bytes too. The server's frames cut after capture then lie
    on both sides of the hole: one span from the greeting to the
    application data would cover the lost bytes, which are the wire's.
"""
import struct

from mkcutafter import write
from pcaplib import read_pcap

DROP = 13
CUT = [4] + list(range(17, 29)) + [30]
HDR = 14 + 20 + 32  # Ethernet, IPv4, TCP with timestamps
KEEP = HDR + 10


def main():
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls12-chain.pcap")
    assert struct.unpack("<I", hdr[16:20])[0] > KEEP
    for frame in CUT:
        sec, usec, data, orig = recs[frame - 1]
        assert len(data) == orig > KEEP, "a whole frame, longer than the cut"
        assert data[12:14] == b"\x08\x00" and data[14] == 0x45 and (data[46] >> 4) * 4 == 32
        recs[frame - 1] = [sec, usec, data[:KEEP], orig]
    del recs[DROP - 1]
    write(hdr, recs, "pcaps/variants/tls12-chain-cut-split.pcap")


if __name__ == "__main__":
    main()
