#!/usr/bin/env python3
"""DNS answers after a session whose DANE verdict names them
(pcaps/variants/README.md): a server's dane object keeps its sessions'
next-hop domains to the run's end, and later MX answers filled dnslearn's
table past the sizes it was allocated at. Plain Python (struct), no scapy;
deterministic. Run from the repo root: python3 pcaps/tools/mkdnsgrow.py

dane-peers-dns-grow.pcap
    pcaps/diag/dane-peers.pcap (two MTAs, 198.51.100.10 and .11, each
    looking up its own domain of MX host mx7.hosting.example.net; .11's
    leaf fails the DANE-TA name check) with 20 MX answers before it (at its
    first packet's time) and 200 after it (1 s after its last packet):
    "dN.grow.test MX 10 mxN.grow.test", each a DNS response (RFC 1035
    §4.1) in a copy of the capture's first response's frame (to
    198.51.100.10), the IPv4 and UDP lengths made anew, the UDP checksum 0.
"""
import struct

from pcaplib import read_pcap, udp_frame_with, write_pcap

BEFORE, AFTER = 20, 200


def dns_name(n):
    """A name in DNS wire form (RFC 1035 §3.1), no compression."""
    return b"".join(bytes([len(label)]) + label.encode() for label in n.split(".")) + b"\0"


def mx_answer(template, k):
    """The response "dK.grow.test MX 10 mxK.grow.test" in template's headers."""
    q = dns_name("d%d.grow.test" % k)
    msg = struct.pack("!HHHHHH", 0x1000 + k, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 15, 1)
    rdata = struct.pack("!H", 10) + dns_name("mx%d.grow.test" % k)
    msg += b"\xc0\x0c" + struct.pack("!HHIH", 15, 1, 300, len(rdata)) + rdata
    return udp_frame_with(template, msg)


def main():
    hdr, recs = read_pcap("pcaps/diag/dane-peers.pcap")
    template = next(r[2] for r in recs if r[2][23] == 17 and r[2][34:36] == b"\x00\x35")
    out = []
    for k in range(BEFORE):
        fr = mx_answer(template, k)
        out.append([recs[0][0], recs[0][1], fr, len(fr)])
    out += recs
    for k in range(BEFORE, BEFORE + AFTER):
        fr = mx_answer(template, k)
        out.append([recs[-1][0] + 1, k, fr, len(fr)])
    path = "pcaps/variants/dane-peers-dns-grow.pcap"
    write_pcap(path, hdr, out)
    print(f"{path}: {len(out)} packets")


if __name__ == "__main__":
    main()
