#!/usr/bin/env python3
"""No SNI in a recorded capture (plain Python, struct; deterministic).
Writes pcaps/variants/dns-mx-nosni.pcap from pcaps/diag/dns-mx.pcap
(Postfix relay client: MX and A lookups through dnsmasq, then STARTTLS to
mx1 and mx2, SNI mx1.example.test and mx2.example.test): as a Postfix
without smtp_tls_servername sends none. In each ClientHello the
server_name extension's type (0, RFC 6066 section 3) becomes the GREASE
value 0x1a1a (RFC 8701 section 2: a type a server ignores), its length and
body kept: no byte is added or removed, so every TCP sequence number stays
the recording's; the TCP checksum of those two frames is made anew. The
name a verifying client would check is then the MX host the capture's DNS
answers resolved to the server's address (diagnosis.checked_name_source
dns_mx): mx1.example.test, which mx1's leaf (mail.example.test) does not
cover, and mx2.example.test, which mx2's does.

Rerun from the repo root: python3 pcaps/tools/mknosni.py
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import csum, read_pcap, write_pcap  # noqa: E402

SRC = "pcaps/diag/dns-mx.pcap"
OUT = "pcaps/variants/dns-mx-nosni.pcap"
GREASE = 0x1A1A


def sni_offset(p):
    """The offset in TCP payload p of the server_name extension's type, when
    p begins with a TLS record holding a whole ClientHello; else None."""
    if len(p) < 9 or p[0] != 0x16 or p[5] != 1:
        return None
    off = 5 + 4 + 2 + 32  # record and handshake headers, version, random
    off += 1 + p[off]  # session_id
    off += 2 + struct.unpack(">H", p[off:off + 2])[0]  # cipher_suites
    off += 1 + p[off]  # compression_methods
    end = off + 2 + struct.unpack(">H", p[off:off + 2])[0]
    off += 2
    while off + 4 <= end:
        etype, elen = struct.unpack(">HH", p[off:off + 4])
        if etype == 0:
            return off
        off += 4 + elen
    return None


def main():
    hdr, recs = read_pcap(SRC)
    done = 0
    for rec in recs:
        f = bytearray(rec[2])
        if f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 0x0F) * 4
        total = struct.unpack(">H", f[16:18])[0]
        t = 14 + ihl
        if struct.unpack(">H", f[t + 2:t + 4])[0] != 25:
            continue
        data = t + (f[t + 12] >> 4) * 4
        at = sni_offset(bytes(f[data:14 + total]))
        if at is None:
            continue
        struct.pack_into(">H", f, data + at, GREASE)
        struct.pack_into(">H", f, t + 16, 0)
        pseudo = bytes(f[26:34]) + struct.pack(">BBH", 0, 6, total - ihl)
        struct.pack_into(">H", f, t + 16, csum(pseudo + bytes(f[t:14 + total])))
        rec[2] = bytes(f)
        done += 1
    assert done == 2, done
    write_pcap(OUT, hdr, recs)


if __name__ == "__main__":
    main()
