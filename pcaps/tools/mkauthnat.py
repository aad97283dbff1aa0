#!/usr/bin/env python3
"""A mail client and an MTA behind one NAT address (plain Python, struct;
deterministic): pcaps/diag/auth-port25.pcap (Postfix 3.7 with Cyrus SASL
on 192.0.2.25:25; client 198.51.100.140 sends AUTH PLAIN and AUTH LOGIN
messages in plaintext, STARTTLS offered and not tried), then, 1 s after
its last packet, the session of pcaps/diag/starttls-unused.pcap whose
client 198.51.100.11 (swaks without --tls, no AUTH) sends a message in
plaintext to its Postfix on the same 192.0.2.25:25, its client address
rewritten to 198.51.100.140 (IPv4 header and TCP checksums made anew;
ports, sequence numbers and payloads as recorded).

pcaps/variants/auth-nat-25.pcap: starttls_not_used twice, high with the
mail-client advice for the two AUTH sessions, medium with the MTA advice
for the one without AUTH, from the same address.

Rerun from the repo root: python3 pcaps/tools/mkauthnat.py
"""
import struct

from pcaplib import csum, read_pcap, write_pcap

AUTH = "pcaps/diag/auth-port25.pcap"
UNUSED = "pcaps/diag/starttls-unused.pcap"
MTA_PORT = 37554  # starttls-unused's session of 198.51.100.11 without STARTTLS
OLD = bytes([198, 51, 100, 11])
NEW = bytes([198, 51, 100, 140])


def us(rec):
    return rec[0] * 1000000 + rec[1]


def ports(frame):
    """(source, destination) ports of an IPv4 TCP frame."""
    assert struct.unpack(">H", frame[12:14])[0] == 0x0800 and frame[23] == 6
    t = 14 + (frame[14] & 0x0F) * 4
    return struct.unpack(">HH", frame[t : t + 4])


def readdressed(frame):
    """frame with OLD replaced by NEW as its source or destination."""
    f = bytearray(frame)
    ihl = (f[14] & 0x0F) * 4
    for off in (26, 30):
        if f[off : off + 4] == OLD:
            f[off : off + 4] = NEW
    struct.pack_into(">H", f, 24, 0)
    struct.pack_into(">H", f, 24, csum(bytes(f[14 : 14 + ihl])))
    total = struct.unpack(">H", f[16:18])[0]
    tcp = 14 + ihl
    struct.pack_into(">H", f, tcp + 16, 0)
    pseudo = bytes(f[26:34]) + struct.pack(">BBH", 0, 6, total - ihl)
    struct.pack_into(">H", f, tcp + 16, csum(pseudo + bytes(f[tcp : 14 + total])))
    return bytes(f)


def main():
    hdr, recs = read_pcap(AUTH)
    _, urecs = read_pcap(UNUSED)
    mta = [r for r in urecs if MTA_PORT in ports(r[2])]
    assert mta and all(OLD in (r[2][26:30], r[2][30:34]) for r in mta)
    d = us(recs[-1]) + 1000000 - us(mta[0])
    out = list(recs)
    for r in mta:
        t = us(r) + d
        out.append([t // 1000000, t % 1000000, readdressed(r[2]), r[3]])
    write_pcap("pcaps/variants/auth-nat-25.pcap", hdr, out)


main()
