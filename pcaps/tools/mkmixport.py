#!/usr/bin/env python3
"""Implicit TLS and STARTTLS on one port (plain Python, pcaplib;
deterministic). Writes pcaps/variants/mixed-2526.pcap: the sessions of
pcaps/smtps-465.pcap (implicit TLS, RFC 8314 §3.3: a chain without its
intermediate, and a session picked up with no handshake) then those of
pcaps/smtp-self-signed.pcap (STARTTLS on 25, a self-signed certificate for
another name that its client refused by QUIT), the server's port of both
moved to 2526, as on a server that serves both on one non-standard port
(Exim's tls_on_connect_ports taking a port that also offers STARTTLS). One
server, 203.0.113.25; the client ports differ and the recordings follow one
another in time (a minute apart), so no connection mixes. Only the server
port changes (and the TCP checksum, recomputed); payloads, sequence numbers
and time stamps are the recordings'. Read with --ports 2526: TLS-RPT types
are decided per session (findings of the STARTTLS sessions keep theirs,
the implicit TLS ones get none).

Rerun from the repo root: python3 pcaps/tools/mkmixport.py
"""
import struct

from pcaplib import csum, read_pcap, write_pcap

SRCS = [("pcaps/smtps-465.pcap", 465), ("pcaps/smtp-self-signed.pcap", 25)]
OUT = "pcaps/variants/mixed-2526.pcap"
PORT = 2526


def moved(frame, port):
    """frame (Ethernet, IPv4, TCP, whole) with the server port port made PORT."""
    b = bytearray(frame)
    assert struct.unpack(">H", b[12:14])[0] == 0x0800 and b[23] == 6  # IPv4, TCP
    ihl = (b[14] & 0x0F) * 4
    t = 14 + ihl
    sport, dport = struct.unpack(">HH", b[t : t + 4])
    assert port in (sport, dport)
    if dport == port:
        b[t + 2 : t + 4] = struct.pack(">H", PORT)
    else:
        b[t : t + 2] = struct.pack(">H", PORT)
    tot = struct.unpack(">H", b[16:18])[0]
    assert len(b) >= 14 + tot  # whole frames: the checksum covers all
    b[t + 16 : t + 18] = b"\0\0"
    seg = bytes(b[t : 14 + tot])
    pseudo = bytes(b[26:34]) + struct.pack(">BBH", 0, 6, len(seg))
    b[t + 16 : t + 18] = struct.pack(">H", csum(pseudo + seg))
    return bytes(b)


hdr, out, last = None, [], (0, 0)
for path, port in SRCS:
    h, recs = read_pcap(path)
    hdr = hdr or h
    for sec, usec, data, orig in recs:
        assert (sec, usec) >= last, path  # the recordings follow one another
        last = (sec, usec)
        out.append([sec, usec, moved(data, port), orig])
write_pcap(OUT, hdr, out)
