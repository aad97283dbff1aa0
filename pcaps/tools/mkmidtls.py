#!/usr/bin/env python3
"""Derives two captures picked up in the middle of a STARTTLS session from the
bundled pcaps/smtp-cert-renewal.pcap (Postfix, port 25, Ethernet/IPv4): the
packets before a cut point are dropped, nothing else is changed (payloads,
times and sequence numbers are the base's). Deterministic; plain Python
(struct), no scapy. Run from the repo root: python3 pcaps/tools/mkmidtls.py

  cert-renewal-from-220.pcap          starts at the server's first
      "220 2.0.0 Ready to start TLS" (the reply to STARTTLS): the client's
      ClientHello, the expired certificate and the client's alert 45 follow
  cert-renewal-from-serverhello.pcap  starts at the server's first packet
      that opens a TLS record (16 03 03: its ServerHello flight)
"""
import struct
import sys

BASE = "pcaps/smtp-cert-renewal.pcap"
OUT = "pcaps/variants/"


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    hdr, off, recs = data[:24], 24, []
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit("base is not Ethernet")
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    return hdr, recs


def tcp_payload(rec):
    fr = rec[16:]
    et, o = struct.unpack("!H", fr[12:14])[0], 14
    if et != 0x0800:
        return None, b""
    ihl = (fr[o] & 15) * 4
    if fr[o + 9] != 6:
        return None, b""
    t = fr[o + ihl:]
    doff = (t[12] >> 4) * 4
    return struct.unpack("!H", t[:2])[0], t[doff:]


def cut(hdr, recs, name, pred):
    i = next(k for k, r in enumerate(recs) if pred(*tcp_payload(r)))
    with open(OUT + name, "wb") as f:
        f.write(hdr + b"".join(recs[i:]))
    print(f"{name}: from packet {i + 1} of {len(recs)}")


hdr, recs = read(BASE)
cut(hdr, recs, "cert-renewal-from-220.pcap",
    lambda sport, pl: sport == 25 and pl.startswith(b"220 2.0.0"))
cut(hdr, recs, "cert-renewal-from-serverhello.pcap",
    lambda sport, pl: sport == 25 and pl[:3] == b"\x16\x03\x03")
