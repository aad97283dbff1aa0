#!/usr/bin/env python3
"""A capture of the server's side alone (pcaps/variants/README.md): a tap on
one direction of a link, or a filter on the server's address as source,
records what the server sends and nothing of the client. Plain Python
(struct), no scapy; deterministic. Run from the repo root:
python3 pcaps/tools/mkserveronly.py

smtps-465-from-ccs-server-only.pcap
    smtps-465-from-ccs.pcap (a TLS 1.2 session on 465 picked up at the
    server's ChangeCipherSpec and encrypted Finished) with every packet
    the client sent (IPv4 source 198.51.100.20) dropped: the server's
    ChangeCipherSpec, Finished, application data, encrypted close_notify
    and FIN are left. In a resumed handshake (RFC 5246 §7.3) the server
    sends these too, the client's ChangeCipherSpec and Finished before its
    application data; with both sides captured (smtps-465-from-ccs.pcap)
    their absence says the handshake was full, with the server's alone
    it says nothing.

smtps-465-from-ccs-server-fin.pcap
    the same with one packet of the client's kept: its FIN (frame 13 of
    smtps-465-from-ccs.pcap, no payload), as a tap on one direction lets a
    stray packet of the other through. It carries no byte of the client's:
    the client's side is not captured for that, and whether certificates
    were sent still cannot be told.
"""
import socket

from pcaplib import read_pcap, write_pcap

CLIENT = "198.51.100.20"


TH_FIN = 0x01


def server_only(recs, keep_client_fin):
    kept = []
    for r in recs:
        frame = r[2]
        assert frame[12:14] == b"\x08\x00", "Ethernet, IPv4"
        ihl = (frame[14] & 0x0F) * 4
        tcp = 14 + ihl
        payload = len(frame) - tcp - (frame[tcp + 12] >> 4) * 4
        fin = frame[tcp + 13] & TH_FIN and payload == 0
        if socket.inet_ntoa(frame[26:30]) != CLIENT or (keep_client_fin and fin):
            kept.append(r)
    assert 0 < len(kept) < len(recs)
    return kept


def main():
    hdr, recs = read_pcap("pcaps/variants/smtps-465-from-ccs.pcap")
    for name, fin in (("server-only", False), ("server-fin", True)):
        kept = server_only(recs, fin)
        path = f"pcaps/variants/smtps-465-from-ccs-{name}.pcap"
        write_pcap(path, hdr, kept)
        print(f"{path}: {len(kept)} of {len(recs)} packets")


if __name__ == "__main__":
    main()
