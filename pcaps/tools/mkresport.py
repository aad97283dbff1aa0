#!/usr/bin/env python3
"""A session made on port 25 and resumed on port 587 (plain Python, struct;
deterministic). Writes pcaps/variants/resumption-587.pcap from
pcaps/diag/resumption.pcap (one Postfix server, 192.0.2.25; each client a
full handshake, then a second connection resuming it): the second
connections of 198.51.100.10 (TLS 1.2, session ID, client port 47956) and
of 198.51.100.12 (TLS 1.3, a ticket as PSK identity, 37158) are moved to
the server's port 587, as when Postfix's smtpd services on 25 and 587 share
one session cache and ticket keys (tlsmgr(8)) and a client resumes on 587
a session it made on 25. Only the server port changes (and the TCP
checksum, recomputed); payloads, sequence numbers and time stamps are the
recording's. The key log pcaps/diag/resumption.keylog applies unchanged.

It writes pcaps/variants/resumption-587-sni.pcap too: the same, with the
SNI of both ClientHellos on 587 changed from mail.example.test to
subm.example.test (as many bytes: no length, sequence number or record
changes; the TLS 1.3 session, decrypted with the key log by its client
random, still links to the chain of 25), as when the submission clients
ask for another name than the MX clients on 25: the certificate
(DNS:mail.example.test alone) is not for it.

Rerun from the repo root: python3 pcaps/tools/mkresport.py
"""
import struct

from pcaplib import csum

SRC = "pcaps/diag/resumption.pcap"
OUT = "pcaps/variants/resumption-587.pcap"
MOVE = {47956, 37158}  # client ports whose connection goes to 587

SNI_FROM, SNI_TO = b"mail.example.test", b"subm.example.test"


def build(out_path, sni):
    """The variant, with the 587 ClientHellos' SNI replaced when sni."""
    d = open(SRC, "rb").read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", d[:24])
    assert magic == 0xA1B2C3D4 and linktype == 1, SRC  # microseconds, Ethernet
    out, o, moved, renamed = [d[:24]], 24, 0, 0
    while o < len(d):
        rec = d[o : o + 16]
        caplen = struct.unpack("<IIII", rec)[2]
        b = bytearray(d[o + 16 : o + 16 + caplen])
        o += 16 + caplen
        assert struct.unpack(">H", b[12:14])[0] == 0x0800 and b[23] == 6  # IPv4, TCP
        ihl = (b[14] & 0x0F) * 4
        t = 14 + ihl
        sport, dport = struct.unpack(">HH", b[t : t + 4])
        if (dport == 25 and sport in MOVE) or (sport == 25 and dport in MOVE):
            if dport == 25:
                b[t + 2 : t + 4] = struct.pack(">H", 587)
            else:
                b[t : t + 2] = struct.pack(">H", 587)
            tot = struct.unpack(">H", b[16:18])[0]
            pay = t + (b[t + 12] >> 4) * 4
            # a ClientHello record (RFC 8446 §5.1 type 22, §4 type 1): its
            # server_name's host name, the one place the name is in it
            if sni and dport == 25 and b[pay : pay + 1] == b"\x16" and b[pay + 5] == 1:
                at = b.find(SNI_FROM, pay)
                assert at > 0 and b.find(SNI_FROM, at + 1) < 0
                b[at : at + len(SNI_FROM)] = SNI_TO
                renamed += 1
            seg = bytes(b[t : 14 + tot])
            assert len(seg) == tot - ihl  # whole frames: the checksum covers all
            b[t + 16 : t + 18] = b"\0\0"
            pseudo = bytes(b[26:34]) + struct.pack(">BBH", 0, 6, len(seg))
            b[t + 16 : t + 18] = struct.pack(">H", csum(pseudo + bytes(b[t : 14 + tot])))
            moved += 1
        out.append(rec + bytes(b))
    assert moved == 50, moved
    assert renamed == (2 if sni else 0), renamed
    open(out_path, "wb").write(b"".join(out))


build(OUT, False)
build("pcaps/variants/resumption-587-sni.pcap", True)
