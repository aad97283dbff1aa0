#!/usr/bin/python3
"""Derives pcaps/frag/ipv6-fragments.pcap from the recorded ipv4-fragments.pcap.

  python3 pcaps/frag/mkipv6.py [IN.pcap [OUT.pcap]]

Linux routers do not fragment IPv6 (RFC 8200 §5: only the source does) and
TCP sizes its segments to the path MTU, so real TCP over IPv6 is not
fragmented; this rewrites the recorded capture instead, frame for frame:
IPv4 (RFC 791) becomes IPv6 (RFC 8200 §3) with 198.51.100.x -> 2001:db8:100::x
and 203.0.113.x -> 2001:db8:203::x, hop limit = TTL, the TCP checksum
recomputed over the IPv6 pseudo-header (RFC 8200 §8.1). Each fragmented
datagram keeps its fragments' data boundaries, now behind a Fragment header
(§4.5, Identification = the IPv4 id), and is sent in reverse order (the
last fragment first), a 3-fragment datagram's middle fragment twice (an
exact duplicate, RFC 5722 errata 3089). Frames keep the original frames'
times (a duplicate 1 us after its datagram's last). Plain Python,
deterministic.
"""
import struct
import sys

HERE = sys.path[0]
src = sys.argv[1] if len(sys.argv) > 1 else HERE + "/ipv4-fragments.pcap"
dst = sys.argv[2] if len(sys.argv) > 2 else HERE + "/ipv6-fragments.pcap"


def v6(a4):
    net = {b"\xc6\x33\x64": 0x100, b"\xcb\x00\x71": 0x203}[a4[:3]]
    # 2001:db8:NET::X with X the last decimal octet written as hex digits (10 -> ::10)
    return struct.pack("!HHH", 0x2001, 0x0DB8, net) + b"\x00" * 8 + struct.pack("!H", int(str(a4[3]), 16))


def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp6(s6, d6, seg):
    seg = seg[:16] + b"\x00\x00" + seg[18:]
    pseudo = s6 + d6 + struct.pack("!I3xB", len(seg), 6)
    return seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]


def ip6(s6, d6, hlim, nxt, payload):
    return struct.pack("!IHBB", 0x60000000, len(payload), nxt, hlim) + s6 + d6 + payload


with open(src, "rb") as f:
    raw = f.read()
ghdr, pos, frames = raw[:24], 24, []
while pos + 16 <= len(raw):
    ts_s, ts_u, caplen, wirelen = struct.unpack("<IIII", raw[pos:pos + 16])
    frames.append(((ts_s, ts_u), raw[pos + 16:pos + 16 + caplen]))
    pos += 16 + caplen

out = []  # (time, frame) to write: eth header + IPv6 datagram
pending = {}  # IPv4 id -> [(time, offset, more, data)], fragments so far
for t, fr in frames:
    eth, ip = fr[:12], fr[14:]
    ihl = (ip[0] & 15) * 4
    tot, ident, fo, ttl, proto = struct.unpack("!HHHBB", ip[2:10])
    s6, d6 = v6(ip[12:16]), v6(ip[16:20])
    data = ip[ihl:tot]
    off, more = (fo & 0x1FFF) * 8, bool(fo & 0x2000)
    if off == 0 and not more:
        out.append((t, eth + b"\x86\xdd" + ip6(s6, d6, ttl, proto, tcp6(s6, d6, data))))
        continue
    frags = pending.setdefault(ident, [])
    frags.append((t, off, more, data))
    if more or sum(len(d) for _, _, _, d in frags) != off + len(data):
        continue  # not complete yet (the recorded fragments come in order)
    del pending[ident]
    seg = tcp6(s6, d6, b"".join(d for _, _, _, d in frags))
    pieces = []
    for _, o, m, d in frags:
        fh = struct.pack("!BBHI", proto, 0, o | int(m), ident)  # RFC 8200 §4.5
        pieces.append(eth + b"\x86\xdd" + ip6(s6, d6, ttl, 44, fh + seg[o:o + len(d)]))
    order = pieces[::-1]  # the last fragment first
    if len(pieces) == 3:
        order.insert(1, pieces[1])  # the middle one twice
    times = [t for t, _, _, _ in frags]
    s, u = times[-1]
    times.append((s, u + 1) if u < 999999 else (s + 1, 0))  # the duplicate's
    out.extend(zip(times, order))
assert not pending, "incomplete datagram in the recording"

with open(dst, "wb") as f:
    f.write(ghdr)
    for (s, u), fr in out:
        f.write(struct.pack("<IIII", s, u, len(fr), len(fr)) + fr)
print("wrote %s: %d frames" % (dst, len(out)))
