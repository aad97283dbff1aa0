#!/usr/bin/env python3
"""Sessions of one peer that overlap, from a recorded capture (plain Python,
struct; deterministic). Writes pcaps/variants/starttls-unused-overlap.pcap
from pcaps/diag/starttls-unused.pcap (Postfix, STARTTLS offered; in order:
198.51.100.10 mail over TLS, client port 58210; 198.51.100.11 mail in
plaintext, 37554; a probe; 198.51.100.10 mail in plaintext, 58222;
198.51.100.11 mail over TLS, 35528).

Two connections are made to last: after its first packets (handshake,
greeting, the client's ACK) the rest of .10's TLS session is delayed to
0.5 s after .10's plaintext session ended, and the rest of .11's plaintext
session to 0.5 s after .11's TLS session ended (a client that waits before
its EHLO). Each peer's first session still begins first, but now ends last,
so its record comes after the other's. Payloads, sequence numbers and each
connection's packet order are the recording's; only time stamps change, and
the file is in time order.

Rerun from the repo root: python3 pcaps/tools/mkoverlap.py
"""
import struct

SRC = "pcaps/diag/starttls-unused.pcap"
OUT = "pcaps/variants/starttls-unused-overlap.pcap"
KEEP = 5  # SYN, SYN-ACK, ACK, 220 greeting, its ACK
# (the connection made to last, the one of the same peer it is to outlast)
LAST = [(58210, 58222), (37554, 35528)]


def read(path):
    d = open(path, "rb").read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", d[:24])
    assert magic == 0xA1B2C3D4 and linktype == 1, path  # microseconds, Ethernet
    out, o = [], 24
    while o < len(d):
        sec, usec, caplen, length = struct.unpack("<IIII", d[o : o + 16])
        out.append([sec * 1000000 + usec, length, d[o + 16 : o + 16 + caplen]])
        o += 16 + caplen
    return d[:24], out


def client_port(b):
    """The client port of an Ethernet/IPv4/TCP frame to or from port 25."""
    ihl = (b[14] & 0x0F) * 4
    sport, dport = struct.unpack(">HH", b[14 + ihl : 18 + ihl])
    return sport if dport == 25 else dport


hdr, pkts = read(SRC)
conn = {}
for p in pkts:
    conn.setdefault(client_port(p[2]), []).append(p)
for longer, shorter in LAST:
    tail = conn[longer][KEEP:]
    shift = conn[shorter][-1][0] + 500000 - tail[0][0]
    for p in tail:
        p[0] += shift
    assert conn[longer][0][0] < conn[shorter][0][0] < conn[shorter][-1][0] < tail[0][0]
merged = sorted(pkts, key=lambda p: p[0])  # stable: each connection keeps its order
with open(OUT, "wb") as f:
    f.write(hdr)
    for ts, length, b in merged:
        f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(b), length) + b)
