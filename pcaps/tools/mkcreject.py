#!/usr/bin/env python3
"""Derives pcaps/variants/client-rejects-merged.pcap: one server, 192.0.2.25:25,
whose certificates clients reject with several alert codes, three different
certificates among them. From three bundled recordings (Ethernet/IPv4), in
time order (their own time stamps, which already follow each other):

  pcaps/smtp-client-alert.pcap     all of it, 203.0.113.25 rewritten to
      192.0.2.25 (CN=mail.example.test: unknown_ca 48 from .10, twice;
      bad_certificate 42 from .20 and .30)
  pcaps/diag/client-alert-46.pcap  all of it, unchanged (CN=EXCH01:
      bad_certificate 42 from .10 and .140, unknown_ca 48 from .11)
  pcaps/diag/submission-alert-46.pcap  its first connection only
      (198.51.100.10 port 39036), server port 587 rewritten to 25
      (CN=EXCH02: certificate_unknown 46 from .10)

Only addresses and ports change (IPv4 and TCP checksums recomputed);
payloads, times and sequence numbers are the recordings'. The client ports
differ across the three, so no connection meets another's. Deterministic;
plain Python (struct). Run from the repo root: python3 pcaps/tools/mkcreject.py
"""
import struct

from pcaplib import csum
import sys

OUT = "pcaps/variants/client-rejects-merged.pcap"


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(path + ": not Ethernet")
    off, recs = 24, []
    while off + 16 <= len(data):
        hdr = data[off:off + 16]
        ts, tf, incl, orig = struct.unpack(end + "IIII", hdr)
        recs.append((ts, tf, orig, bytearray(data[off + 16:off + 16 + incl])))
        off += 16 + incl
    return recs



def ip4(s):
    return bytes(int(x) for x in s.split("."))


def rewrite(fr, src_ip=None, dst_ip=None, from_port=None, to_port=None):
    """Rewrites one Ethernet/IPv4/TCP frame in place: an address (src_ip ->
    dst_ip, either direction) and a port (from_port -> to_port)."""
    if struct.unpack("!H", fr[12:14])[0] != 0x0800:
        sys.exit("not IPv4")
    o = 14
    ihl = (fr[o] & 15) * 4
    if fr[o + 9] != 6:
        sys.exit("not TCP")
    if src_ip:
        for at in (o + 12, o + 16):
            if fr[at:at + 4] == ip4(src_ip):
                fr[at:at + 4] = ip4(dst_ip)
    t = o + ihl
    if from_port:
        for at in (t, t + 2):
            if struct.unpack("!H", fr[at:at + 2])[0] == from_port:
                fr[at:at + 2] = struct.pack("!H", to_port)
    tot = struct.unpack("!H", fr[o + 2:o + 4])[0]
    fr[o + 10:o + 12] = b"\0\0"
    fr[o + 10:o + 12] = struct.pack("!H", csum(bytes(fr[o:o + ihl])))
    seg = bytes(fr[t:o + tot])
    if len(seg) < 20 or len(fr) < o + tot:
        sys.exit("frame cut: checksum cannot be recomputed")
    pseudo = bytes(fr[o + 12:o + 20]) + struct.pack("!BBH", 0, 6, len(seg))
    seg = seg[:16] + b"\0\0" + seg[18:]
    fr[t + 16:t + 18] = struct.pack("!H", csum(pseudo + seg))


def ports(fr):
    o = 14
    t = o + (fr[o] & 15) * 4
    return struct.unpack("!HH", fr[t:t + 4])


out = []
for r in read("pcaps/smtp-client-alert.pcap"):
    rewrite(r[3], src_ip="203.0.113.25", dst_ip="192.0.2.25")
    out.append(r)
out += read("pcaps/diag/client-alert-46.pcap")
for r in read("pcaps/diag/submission-alert-46.pcap"):
    if 39036 in ports(r[3]):
        rewrite(r[3], from_port=587, to_port=25)
        out.append(r)
if any(b[:2] < a[:2] for a, b in zip(out, out[1:])):
    sys.exit("time stamps not in order")
with open(OUT, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for ts, tf, orig, fr in out:
        f.write(struct.pack("<IIII", ts, tf, len(fr), orig) + fr)
print(f"{OUT}: {len(out)} packets")
