#!/usr/bin/env python3
"""Two nodes of one server name, each choosing its certificate by SNI
(plain Python, struct; deterministic): pcaps/diag/sni-default.pcap (Postfix
3.7 on 192.0.2.25: the self-signed default CN=SERVER1 for clients without
SNI, mail.example.test for SNI mail.example.test) as recorded, then its
sessions again 10 s later with the server's address rewritten to
192.0.2.26 (IPv4 and TCP checksums made anew; payloads, ports and sequence
numbers the recording's): a second MX node configured as the first.

pcaps/variants/sni-pool.pcap: with --expect mail.example.test every session
is checked against that name, whose record and NAME block give each
certificate with the SNI values it was served under (none sent: SERVER1;
mail.example.test: mail.example.test), at both addresses.

Rerun from the repo root: python3 pcaps/tools/mksnipool.py
"""
import struct

from pcaplib import csum, read_pcap, write_pcap

SNI_DEFAULT = "pcaps/diag/sni-default.pcap"
OLD = bytes([192, 0, 2, 25])
NEW = bytes([192, 0, 2, 26])


def moved(frame):
    """frame (Ethernet, IPv4, TCP) with OLD as NEW, its checksums anew."""
    assert struct.unpack(">H", frame[12:14])[0] == 0x0800 and frame[23] == 6
    ihl = (frame[14] & 0x0F) * 4
    ip = bytearray(frame[14 : 14 + ihl])
    assert OLD in (ip[12:16], ip[16:20])
    for at in (12, 16):
        if ip[at : at + 4] == OLD:
            ip[at : at + 4] = NEW
    struct.pack_into(">H", ip, 10, 0)
    struct.pack_into(">H", ip, 10, csum(bytes(ip)))
    total = struct.unpack(">H", ip[2:4])[0]
    tcp = bytearray(frame[14 + ihl : 14 + total])
    struct.pack_into(">H", tcp, 16, 0)
    pseudo = bytes(ip[12:20]) + struct.pack(">BBH", 0, 6, len(tcp))
    struct.pack_into(">H", tcp, 16, csum(pseudo + bytes(tcp)))
    return frame[:14] + bytes(ip) + bytes(tcp) + frame[14 + total :]


def main():
    hdr, recs = read_pcap(SNI_DEFAULT)
    later = [[r[0] + 10, r[1], moved(r[2]), r[3]] for r in recs]
    assert later[0][0] > recs[-1][0]
    write_pcap("pcaps/variants/sni-pool.pcap", hdr, recs + later)


main()
