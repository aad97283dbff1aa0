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
    the client's side is not captured for that. Its server's greeting
    acknowledges the same client byte as its ChangeCipherSpec (both ack
    752393509): the client sent nothing between, so not its ChangeCipherSpec
    and Finished, which a resumed handshake's server waits for before it
    sends data (RFC 5246 §7.3, §7.4.9): full, certificates sent before the
    capture, as in both files above.

smtps-465-from-ccs-server-resumed.pcap
    smtps-465-from-ccs-server-only.pcap with the acknowledgment number of
    every packet after the first (the one of the ChangeCipherSpec and
    Finished) moved on by 51 bytes, the client's ChangeCipherSpec record
    (6 bytes) and a Finished record as long as the server's (45): what the
    server of a resumed handshake acknowledges when it greets, having had
    the client's ChangeCipherSpec and Finished (RFC 5246 §7.3). The TCP
    checksums are made anew. No bundled capture holds a resumed session on
    465 (pcaps/diag/resumption.pcap's are STARTTLS on 25): the server's
    bytes are a full handshake's, and only its ACKs say resumed.

resumption-after-sh-server-only.pcap
    resumption-after-sh.pcap's session 2 (client port 47956, TLS 1.2
    resumed by session ID after STARTTLS on port 25, picked up after the
    ServerHello) with the server's packets alone: its ChangeCipherSpec and
    Finished ack the ClientHello's end, its reply to EHLO 106 bytes more
    (the client's ChangeCipherSpec and Finished, 51, and its EHLO, 55).
    With STARTTLS the client speaks first, and a full handshake's EHLO
    alone could move the ACK as far: whether certificates were sent
    cannot be told.
"""
import socket
import struct

from pcaplib import csum

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


def ack_moved(recs, by):
    """Every packet but the first with its TCP acknowledgment number moved
    on by `by`, its TCP checksum made anew (over the pseudo-header)."""
    out = [recs[0]]
    for sec, usec, frame, orig in recs[1:]:
        b = bytearray(frame)
        ihl = (b[14] & 0x0F) * 4
        t = 14 + ihl
        tot = struct.unpack(">H", b[16:18])[0]
        assert b[t + 13] & 0x10, "ACK flag"
        ack = struct.unpack(">I", b[t + 8:t + 12])[0]
        b[t + 8:t + 12] = struct.pack(">I", (ack + by) & 0xFFFFFFFF)
        b[t + 16:t + 18] = b"\0\0"
        seg = bytes(b[t:14 + tot])
        pseudo = bytes(b[26:34]) + struct.pack(">BBH", 0, 6, len(seg))
        b[t + 16:t + 18] = struct.pack(">H", csum(pseudo + seg))
        out.append([sec, usec, bytes(b), orig])
    return out


def one_server_side(recs, server, port):
    """The packets server sent to the client port `port`."""
    kept = []
    for r in recs:
        frame = r[2]
        assert frame[12:14] == b"\x08\x00", "Ethernet, IPv4"
        tcp = 14 + (frame[14] & 0x0F) * 4
        dport = struct.unpack(">H", frame[tcp + 2:tcp + 4])[0]
        if socket.inet_ntoa(frame[26:30]) == server and dport == port:
            kept.append(r)
    assert kept
    return kept


def main():
    hdr, recs = read_pcap("pcaps/variants/smtps-465-from-ccs.pcap")
    for name, fin in (("server-only", False), ("server-fin", True)):
        kept = server_only(recs, fin)
        path = f"pcaps/variants/smtps-465-from-ccs-{name}.pcap"
        write_pcap(path, hdr, kept)
        print(f"{path}: {len(kept)} of {len(recs)} packets")
    # the client's ChangeCipherSpec record (5 + 1) and Finished (5 + 40)
    kept = ack_moved(server_only(recs, False), 6 + 45)
    path = "pcaps/variants/smtps-465-from-ccs-server-resumed.pcap"
    write_pcap(path, hdr, kept)
    print(f"{path}: {len(kept)} packets, ACKs moved on by 51")
    hdr, recs = read_pcap("pcaps/variants/resumption-after-sh.pcap")
    kept = one_server_side(recs, "192.0.2.25", 47956)
    path = "pcaps/variants/resumption-after-sh-server-only.pcap"
    write_pcap(path, hdr, kept)
    print(f"{path}: {len(kept)} of {len(recs)} packets")


if __name__ == "__main__":
    main()
