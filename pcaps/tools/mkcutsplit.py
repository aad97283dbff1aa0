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
from mkcuthole import CUT as HOLE_CUT
from mkcuthole import make

# the frames mkcuthole.py cuts, and the server's 220 greeting (frame 4)
CUT = [4] + HOLE_CUT


def main():
    make(CUT, "pcaps/variants/tls12-chain-cut-split.pcap")


if __name__ == "__main__":
    main()
