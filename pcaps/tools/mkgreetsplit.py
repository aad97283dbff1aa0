#!/usr/bin/env python3
"""Implicit-TLS clients against plaintext SMTP whose 220 greeting came in two
TCP segments (pcaps/variants/README.md). Plain Python (struct), no scapy;
deterministic. Run from the repo root: python3 pcaps/tools/mkgreetsplit.py

From pcaps/diag/smtps-plaintext-465.pcap (Postfix's smtps on 465 without
its wrapper mode), its two implicit-TLS sessions, frames 39-60:
198.51.100.12 (openssl s_client: its ClientHello, frame 42, before the
greeting) and 198.51.100.13 (swaks --tls-on-connect: the greeting, frame
54, before its ClientHello, frame 56). In each, the server's greeting
"220 mail-expired.example.test ESMTP" CRLF (37 bytes) is split after its
first 13 bytes ("220 mail-expi") into two segments, as a server that
writes its banner in two writes (or a middlebox that resegments) sends it:

  .12  ClientHello, then "220 mail-expi", then "red.example.test ESMTP" CRLF
  .13  "220 mail-expi", the client's ACK of it and its ClientHello (both
       acknowledging 13 bytes), then the greeting's rest, then the 500s

Sequence numbers follow the bytes (the second half's is the first's plus
13), IPv4 lengths and header checksums and TCP checksums are made anew;
payloads, other numbers and time stamps are the recording's (the moved
second half 12 microseconds after the frame before it).

greet-split-465.pcap  as above, on port 465 (plaintext_on_tls_port)
greet-split-25.pcap   the same with the server's port 465 changed to 25:
                      a client set for implicit TLS (465) pointed at a
                      STARTTLS port, whose server greets in plaintext
greet-25.pcap         frames 39-60 unchanged but for the port (465 to 25):
                      the greeting whole, the comparison for the above
"""
import struct

from pcaplib import csum, read_pcap, write_pcap

SRC = "pcaps/diag/smtps-plaintext-465.pcap"
FIRST, LAST = 39, 60
CUT = 13  # "220 mail-expi"


def fix(b):
    """IPv4 total length and header checksum, TCP checksum of frame b."""
    ihl = (b[14] & 0x0F) * 4
    t = 14 + ihl
    struct.pack_into(">H", b, 16, len(b) - 14)
    struct.pack_into(">H", b, 24, 0)
    struct.pack_into(">H", b, 24, csum(bytes(b[14:t])))
    seg = bytes(b[t:])
    b[t + 16 : t + 18] = b"\0\0"
    pseudo = bytes(b[26:34]) + struct.pack(">BBH", 0, 6, len(seg))
    struct.pack_into(">H", b, t + 16, csum(pseudo + bytes(b[t:])))
    return b


def tcp(b):
    """(TCP header offset, payload offset) of frame b (IPv4, no VLAN)."""
    assert b[12:14] == b"\x08\x00" and b[23] == 6
    t = 14 + (b[14] & 0x0F) * 4
    return t, t + (b[t + 12] >> 4) * 4


def split(rec):
    """rec's frame as two: its first CUT payload bytes, and the rest."""
    sec, usec, data, orig = rec
    assert len(data) == orig
    t, p = tcp(data)
    pay = data[p:]
    assert pay.startswith(b"220 mail-expired.example.test ESMTP\r\n"), pay
    seq = struct.unpack(">I", data[t + 4 : t + 8])[0]
    a = fix(bytearray(data[:p] + pay[:CUT]))
    b = bytearray(data[:p] + pay[CUT:])
    struct.pack_into(">I", b, t + 4, (seq + CUT) & 0xFFFFFFFF)
    b = fix(b)
    return [sec, usec, bytes(a), len(a)], [sec, usec, bytes(b), len(b)]


def set_ack(rec, delta):
    """rec with its TCP acknowledgment number moved by delta."""
    data = bytearray(rec[2])
    t, _ = tcp(data)
    ack = struct.unpack(">I", data[t + 8 : t + 12])[0]
    struct.pack_into(">I", data, t + 8, (ack + delta) & 0xFFFFFFFF)
    return [rec[0], rec[1], bytes(fix(data)), len(data)]


def after(rec, prev):
    """rec timed 12 microseconds after prev."""
    us = prev[0] * 1000000 + prev[1] + 12
    return [us // 1000000, us % 1000000, rec[2], rec[3]]


def to_port(rec, old, new):
    """rec with the server's port old changed to new."""
    data = bytearray(rec[2])
    t, _ = tcp(data)
    sport, dport = struct.unpack(">HH", data[t : t + 4])
    assert old in (sport, dport)
    if sport == old:
        struct.pack_into(">H", data, t, new)
    else:
        struct.pack_into(">H", data, t + 2, new)
    return [rec[0], rec[1], bytes(fix(data)), len(data)]


def frames():
    hdr, recs = read_pcap(SRC)
    f = {n: recs[n - 1] for n in range(FIRST, LAST + 1)}
    out = []
    # .12: its ClientHello (42) before the greeting (44)
    out += [f[n] for n in range(39, 44)]
    a, b = split(f[44])
    out += [a, after(b, a)]
    out += [f[n] for n in range(45, 54)]
    # .13: the greeting (54) before its ClientHello (56); the rest after it
    a, b = split(f[54])
    hello = set_ack(f[56], -(37 - CUT))
    out += [a, set_ack(f[55], -(37 - CUT)), hello, after(b, hello)]
    out += [f[n] for n in range(57, 61)]
    return hdr, out


def main():
    hdr, out = frames()
    write_pcap("pcaps/variants/greet-split-465.pcap", hdr, out)
    write_pcap("pcaps/variants/greet-split-25.pcap", hdr, [to_port(r, 465, 25) for r in out])
    _, recs = read_pcap(SRC)
    whole = [to_port(r, 465, 25) for r in recs[FIRST - 1 : LAST]]
    write_pcap("pcaps/variants/greet-25.pcap", hdr, whole)


if __name__ == "__main__":
    main()
