#!/usr/bin/env python3
"""pcaps/diag/strip-server-side.pcap with a peer's plaintext session moved
before its masked ones (plain Python, struct; deterministic). Only packet
times change; payloads, addresses, ports and sequence numbers are the
recording's.

pcaps/variants/strip-server-early.pcap: 198.51.100.10's swaks
--tls-optional session (client port 38193: STARTTLS offered in clear at
the capture point, hidden from swaks by the middlebox as XXXXXXXA, not
tried, a message in plaintext), recorded third, moved to end 1 s before
the first packet of its smtplib session (49181, STARTTLS arriving masked
as XXXXXXXX, 500, a message in plaintext); then the recording as it was.
The peer's plaintext session comes before any sign of the middlebox: a
capture that stopped there would call it starttls_not_used; with the
masked command later, the same peer and the same server, it was probably
stripped too (plaintext_fallback).

Rerun from the repo root: python3 pcaps/tools/mkstripearly.py
"""
import struct

from pcaplib import read_pcap, write_pcap

STRIP = "pcaps/diag/strip-server-side.pcap"
EARLY = 38193  # 198.51.100.10's swaks --tls-optional session
FIRST = 49181  # its first session as recorded (smtplib, STARTTLS masked)


def client_port(frame):
    """The client port of an IPv4 TCP frame to or from port 25."""
    assert struct.unpack(">H", frame[12:14])[0] == 0x0800 and frame[23] == 6
    t = 14 + (frame[14] & 0x0F) * 4
    sport, dport = struct.unpack(">HH", frame[t : t + 4])
    assert 25 in (sport, dport)
    return dport if sport == 25 else sport


def us(rec):
    return rec[0] * 1000000 + rec[1]


def main():
    hdr, recs = read_pcap(STRIP)
    early = [r for r in recs if client_port(r[2]) == EARLY]
    rest = [r for r in recs if client_port(r[2]) != EARLY]
    assert early and client_port(rest[0][2]) == FIRST
    d = us(rest[0]) - 1000000 - us(early[-1])
    moved = [[(us(r) + d) // 1000000, (us(r) + d) % 1000000, r[2], r[3]] for r in early]
    write_pcap("pcaps/variants/strip-server-early.pcap", hdr, moved + rest)


main()
