#!/usr/bin/env python3
"""TLSA answers in a recorded capture (plain Python, struct; deterministic).
Writes pcaps/variants/dns-mx-tlsa.pcap from pcaps/diag/dns-mx.pcap (Postfix
relay client: MX and A lookups through dnsmasq, then STARTTLS to mx1 and
mx2). dnsmasq answered no TLSA query; this adds, after the capture's first
DNS response, two responses of the same resolver to the same client, as a
DANE sender's TLSA lookups would be answered (RFC 6698 section 2.1 RDATA):

  _25._tcp.mx1.example.test TLSA 3 1 1 <SHA-256 of leaf-mx1wrong.pem's
      SubjectPublicKeyInfo>, with the AD bit set (DNSSEC-validated): the key
      mx1 serves, so DANE-EE matches although its name does not;
  _25._tcp.mx2.example.test TLSA 3 1 1 <a stale digest>, without the AD bit:
      a key mx2 no longer has, in an answer not known to be validated.

Each copies the first response's Ethernet, IP and UDP headers (lengths and
the IPv4 checksum made anew, UDP checksum 0: none, RFC 768), its time stamp
plus 1 and 2 microseconds. Every other frame is the recording's.

Rerun from the repo root: python3 pcaps/tools/mktlsa.py
"""
import struct

from pcaplib import udp_frame_with

SRC = "pcaps/diag/dns-mx.pcap"
OUT = "pcaps/variants/dns-mx-tlsa.pcap"
MX1 = "e3ade9479aeb93bf539023942387c8c531544899e8bdb76218c1391d3fe3b9d8"
STALE = "00" * 31 + "01"


def name(n):
    return b"".join(bytes([len(x)]) + x.encode() for x in n.split(".")) + b"\0"


def tlsa_response(qid, owner, hexdata, ad):
    flags = 0x8180 | (0x0020 if ad else 0)  # QR RD RA (+ AD)
    rdata = bytes([3, 1, 1]) + bytes.fromhex(hexdata)
    q = name(owner) + struct.pack(">HH", 52, 1)
    a = b"\xc0\x0c" + struct.pack(">HHIH", 52, 1, 300, len(rdata)) + rdata
    return struct.pack(">HHHHHH", qid, flags, 1, 1, 0, 0) + q + a


def main():
    d = open(SRC, "rb").read()
    head, off, frames = d[:24], 24, []
    assert struct.unpack("<I", d[:4])[0] == 0xA1B2C3D4 and struct.unpack("<I", d[20:24])[0] == 1
    while off < len(d):
        ts, us, cap, orig = struct.unpack("<IIII", d[off:off + 16])
        frames.append((ts, us, d[off + 16:off + 16 + cap]))
        off += 16 + cap
    out = []
    done = False
    for ts, us, f in frames:
        out.append((ts, us, f))
        is_dns_resp = len(f) > 42 and f[12:14] == b"\x08\x00" and f[23] == 17 and \
            struct.unpack(">H", f[34:36])[0] == 53
        if is_dns_resp and not done:
            assert f[14] == 0x45  # IPv4 without options
            out.append((ts, us + 1, udp_frame_with(f, tlsa_response(0x5101, "_25._tcp.mx1.example.test", MX1, True))))
            out.append((ts, us + 2, udp_frame_with(f, tlsa_response(0x5102, "_25._tcp.mx2.example.test", STALE, False))))
            done = True
    assert done
    with open(OUT, "wb") as o:
        o.write(head)
        for ts, us, f in out:
            ts, us = ts + us // 1000000, us % 1000000
            o.write(struct.pack("<IIII", ts, us, len(f), len(f)) + f)


if __name__ == "__main__":
    main()
