#!/usr/bin/env python3
"""Sessions of pcaps/diag/sni-default.pcap (Postfix 3.7 on 192.0.2.25: the
self-signed default CN=SERVER1 for clients without SNI, mail.example.test
for SNI mail.example.test) put in another order in time (plain Python,
struct; deterministic). Only packet times change; payloads, addresses,
ports and sequence numbers are the recording's.

pcaps/variants/sni-order.pcap: the three sessions without SNI first, then
the four with SNI, one after the other (each session's packets keep their
spacing; 1 s between sessions): every session of SERVER1 ends before the
first of mail.example.test, as a renewal would look, but each certificate
goes with its own SNI value (clients .10 and .140 sent both).

pcaps/variants/sni-renewal.pcap: sni-default.pcap as recorded, then the
four TLS 1.2 connections (two full handshakes, two resuming them by session
ID; SNI mail.example.test) of pcaps/diag/resumption.pcap, whose Postfix on
the same 192.0.2.25 has another certificate for mail.example.test (its
own PKI), 1 s after: a renewal within the SNI value mail.example.test,
while clients without SNI keep SERVER1.

Rerun from the repo root: python3 pcaps/tools/mksniorder.py
"""
import struct

from pcaplib import read_pcap, write_pcap

SNI_DEFAULT = "pcaps/diag/sni-default.pcap"
RESUMPTION = "pcaps/diag/resumption.pcap"
NO_SNI = [37904, 46972, 37906]  # client ports of sni-default's sessions without SNI
WITH_SNI = [38060, 46970, 38074, 37920]
RENEWED = {47954, 47956, 49228, 49232}  # resumption.pcap's TLS 1.2 connections


def client_port(frame):
    """The client port of an IPv4 TCP frame to or from port 25."""
    assert struct.unpack(">H", frame[12:14])[0] == 0x0800 and frame[23] == 6
    t = 14 + (frame[14] & 0x0F) * 4
    sport, dport = struct.unpack(">HH", frame[t : t + 4])
    assert 25 in (sport, dport)
    return dport if sport == 25 else sport


def us(rec):
    return rec[0] * 1000000 + rec[1]


def sessions(recs):
    """{client port: [records]} in capture order."""
    out = {}
    for r in recs:
        out.setdefault(client_port(r[2]), []).append(r)
    return out


def shifted(recs, start):
    """recs moved in time so that the first begins at start (us)."""
    d = start - us(recs[0])
    return [[(us(r) + d) // 1000000, (us(r) + d) % 1000000, r[2], r[3]] for r in recs]


def main():
    hdr, recs = read_pcap(SNI_DEFAULT)
    by = sessions(recs)
    assert sorted(by) == sorted(NO_SNI + WITH_SNI), sorted(by)
    out, at = [], us(recs[0])
    for port in NO_SNI + WITH_SNI:
        s = shifted(by[port], at)
        out += s
        at = us(s[-1]) + 1000000
    write_pcap("pcaps/variants/sni-order.pcap", hdr, out)

    _, rrecs = read_pcap(RESUMPTION)
    later = [r for r in rrecs if client_port(r[2]) in RENEWED]
    out = recs + shifted(later, us(recs[-1]) + 1000000)
    write_pcap("pcaps/variants/sni-renewal.pcap", hdr, out)


main()
