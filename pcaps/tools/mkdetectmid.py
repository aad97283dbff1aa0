#!/usr/bin/env python3
"""Implicit TLS on a port that is no mail port, its connections' starts not
all captured (pcaps/variants/README.md): -w writes such a connection from
the packet that showed TLS (the anomaly evidence.starts_at_detection),
and says whether a TCP handshake came before it or none was captured.
Plain Python (struct), no scapy; deterministic. Run from the repo root:
python3 pcaps/tools/mkdetectmid.py

smtps-4650-no-syn.pcap
    smtps-465.pcap (two TLS sessions on 465: TLS 1.3 from 198.51.100.10,
    TLS 1.2 from 198.51.100.20) with the server's port 465 rewritten to
    4650 (TCP checksum recomputed, RFC 793 §3.1); the first connection's
    SYN and SYN-ACK dropped (picked up midstream at the client's ACK: no
    SYN in the capture), the second's SYN dropped (its SYN-ACK seen).
"""
import struct

from pcaplib import csum, read_pcap, write_pcap

OLD, NEW = 465, 4650
FIRST_CLIENT_PORT = 48750  # its SYN and SYN-ACK dropped; the other's SYN only


def main():
    hdr, recs = read_pcap("pcaps/smtps-465.pcap")
    kept, dropped = [], 0
    for sec, usec, frame, orig in recs:
        assert frame[12:14] == b"\x08\x00" and frame[23] == 6, "Ethernet, IPv4, TCP"
        ihl = (frame[14] & 0x0F) * 4
        t = 14 + ihl
        sport, dport = struct.unpack(">HH", frame[t:t + 4])
        flags = frame[t + 13]
        client_port = dport if sport == OLD else sport
        syn, ack = flags & 0x02, flags & 0x10
        if syn and (client_port == FIRST_CLIENT_PORT or not ack):
            dropped += 1
            continue
        b = bytearray(frame)
        if sport == OLD:
            struct.pack_into(">H", b, t, NEW)
        if dport == OLD:
            struct.pack_into(">H", b, t + 2, NEW)
        iplen = struct.unpack(">H", b[16:18])[0]
        seg = bytes(b[t:14 + iplen])
        pseudo = bytes(b[26:34]) + struct.pack(">BBH", 0, 6, len(seg))
        struct.pack_into(">H", b, t + 16, 0)
        seg = bytes(b[t:14 + iplen])
        struct.pack_into(">H", b, t + 16, csum(pseudo + seg))
        kept.append([sec, usec, bytes(b), orig])
    assert dropped == 3, dropped
    path = "pcaps/variants/smtps-4650-no-syn.pcap"
    write_pcap(path, hdr, kept)
    print(f"{path}: {len(kept)} of {len(recs)} packets")


if __name__ == "__main__":
    main()
