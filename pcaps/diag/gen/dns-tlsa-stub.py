#!/usr/bin/env python3
"""dns-tlsa-stub.py ADDR ZONEFILE — a tiny authoritative-looking DNS server for the smtptap
DANE captures (pcaps/diag/gen/dane.sh): answers A, MX and TLSA queries from fixed records
with the AD bit set (as a validating resolver does for a signed zone, RFC 4035 section 3.2.3),
NODATA for other types of a known name, NXDOMAIN otherwise. A name with a CNAME is answered
with the CNAME, then the target's records of the type asked (RFC 1034 section 3.6.2, as a
recursive resolver answers; dane-anchor.sh). ZONEFILE lines:
    NAME A 192.0.2.25 | NAME MX 10 HOST | NAME TLSA 3 1 1 HEX | NAME CNAME TARGET
each optionally with a TTL after NAME (NAME 3 MX 10 HOST; RFC 1035 section 5.1), else 300 s.
Standard library only; every query is answered once, on UDP."""
import socket
import struct
import sys

TYPES = {"A": 1, "CNAME": 5, "MX": 15, "TLSA": 52, "AAAA": 28, "OPT": 41}


def wire_name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def read_zone(path):
    rrs = {}
    for line in open(path):
        f = line.split()
        if not f or f[0].startswith(";"):
            continue
        ttl = 300
        if f[1].isdigit():  # NAME TTL TYPE ...
            ttl = int(f[1])
            f = f[:1] + f[2:]
        name, t = f[0].rstrip(".").lower(), f[1].upper()
        if t == "A":
            rd = socket.inet_aton(f[2])
        elif t == "MX":
            rd = struct.pack(">H", int(f[2])) + wire_name(f[3])
        elif t == "CNAME":
            rd = wire_name(f[2])
        elif t == "TLSA":
            rd = bytes([int(f[2]), int(f[3]), int(f[4])]) + bytes.fromhex("".join(f[5:]))
        else:
            continue
        rrs.setdefault((name, TYPES[t]), []).append((rd, ttl))
    return rrs


def _labels(wire):
    out, off = [], 0
    while wire[off]:
        out.append(wire[off + 1:off + 1 + wire[off]].decode().lower())
        off += 1 + wire[off]
    return out


def qname(msg, off):
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels).lower(), off + 1


def answer(msg, rrs):
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    name, off = qname(msg, 12)
    qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
    question = msg[12:off + 4]
    has_opt = struct.unpack(">H", msg[10:12])[0] > 0
    known = any(k[0] == name for k in rrs)
    # (owner wire name, type, rdata): the CNAME chain first (at most 8 links), then the records
    ans, owner, at = [], b"\xc0\x0c", name
    for _ in range(8):
        cn = rrs.get((at, 5))
        if not cn or qtype == 5:
            break
        ans.append((owner, 5, cn[0][0], cn[0][1]))
        at = ".".join(p for p in _labels(cn[0][0]))
        owner = cn[0][0]
    ans += [(owner, qtype, rd, ttl) for rd, ttl in rrs.get((at, qtype), [])]
    rcode = 0 if known else 3
    # QR AA RD RA AD; RD copied from the query
    out_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | 0x0020 | rcode
    body = b""
    for own, t, rd, ttl in ans:
        body += own + struct.pack(">HHIH", t, 1, ttl, len(rd)) + rd
    extra = b""
    if has_opt:  # EDNS0 (RFC 6891) with DO set (RFC 3225), as the query had it
        extra = b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000, 0)
    head = struct.pack(">HHHHHH", qid, out_flags, 1, len(ans), 0, 1 if has_opt else 0)
    return head + question + body + extra


def main():
    addr, zone = sys.argv[1], sys.argv[2]
    rrs = read_zone(zone)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    for _ in range(10000):  # bounded: a capture asks a handful
        msg, peer = s.recvfrom(4096)
        try:
            s.sendto(answer(msg, rrs), peer)
        except (IndexError, struct.error, UnicodeDecodeError):
            continue


if __name__ == "__main__":
    main()
