#!/usr/bin/env python3
"""Control characters in the strings a peer sends (plain Python, struct;
deterministic), for tests/scripts/terminal_text.sh: the terminal report
and stderr must never carry a peer's bytes that drive a terminal.

pcaps/variants/ctrl-chars.pcap: pcaps/smtp-starttls-tls12-chain.pcap with
every "mail.example.test" in a TCP payload but the server's certificate
record (the 220 greeting, the EHLO reply, the ClientHello's SNI)
replaced by b"m\\x1b]0;pw\\x07\\x7f\\x9b31m\\x1b[0m" (an OSC that retitles
the window ended by BEL, DEL, an 8-bit CSI, an SGR colour), and every
"client10.example.net" (an EHLO name) by b"c\\x1b[2J\\x1b[Hxx.e\\x00t\\x1bc.net"
(clear the screen, cursor home, NUL, RIS), and in the certificate record
the leaf's subject O "Example Mail" by b"Ex\\x1b[31m\\x1b]2;X": the same
lengths, so no TCP sequence number, TLS or DER length moves. The leaf's
signature no longer matches (its issuer's check fails: reported as such);
TCP checksums are made anew.

Rerun from the repo root: python3 pcaps/tools/mkctrl.py
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import csum, read_pcap, write_pcap  # noqa: E402

SRC = "pcaps/smtp-starttls-tls12-chain.pcap"
DST = "pcaps/variants/ctrl-chars.pcap"
SUBST = [
    (b"mail.example.test", b"m\x1b]0;pw\x07\x7f\x9b31m\x1b[0m"),
    (b"client10.example.net", b"c\x1b[2J\x1b[Hxx.e\x00t\x1bc.net"),
]
# the leaf's subject O (a UTF8String: OpenSSL takes any ASCII in it; a
# PrintableString or IA5String with these bytes is refused as bad DER)
CERT_O, CERT_O_NEW = b"Example Mail", b"Ex\x1b[31m\x1b]2;X"


def main():
    for a, b in SUBST:
        assert len(a) == len(b), (a, b)
    assert len(CERT_O) == len(CERT_O_NEW)
    head, recs = read_pcap(SRC)
    done = {a: 0 for a, _ in SUBST + [(CERT_O, CERT_O_NEW)]}
    for r in recs:
        f = bytearray(r[2])
        if f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 15) * 4
        t = 14 + ihl
        tot = struct.unpack(">H", f[16:18])[0]
        doff = (f[t + 12] >> 4) * 4
        payload = bytes(f[t + doff:14 + tot])
        new = payload
        for a, b in SUBST if CERT_O not in payload else [(CERT_O, CERT_O_NEW)]:
            done[a] += new.count(a)
            new = new.replace(a, b)
        if new == payload:
            continue
        f[t + doff:14 + tot] = new
        f[t + 16:t + 18] = b"\0\0"
        pseudo = bytes(f[26:34]) + struct.pack(">BBH", 0, 6, tot - ihl)
        f[t + 16:t + 18] = struct.pack(">H", csum(pseudo + bytes(f[t:14 + tot])))
        r[2] = bytes(f)
    assert all(done.values()), done
    write_pcap(DST, head, recs)


if __name__ == "__main__":
    main()
