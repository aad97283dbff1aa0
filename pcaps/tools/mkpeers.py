#!/usr/bin/env python3
"""One recorded STARTTLS session replayed from many client addresses (plain
Python, struct; deterministic): a server seen by more peers than
report.peers_max (64) lists, as an MX sees the world. Made at test time
(tests/scripts/peers_many.sh), not committed: 2000 peers make ~6 MB.

The first TCP connection of SRC (default pcaps/smtp-starttls-tls12-chain.pcap:
198.51.100.10, swaks --tls to Postfix on 203.0.113.25:25, TLS 1.2, leaf +
intermediate signed by pcaps/certs/root.pem) is written PEERS x SESSIONS
times, one copy after another (each INTERVAL_US after the previous one's
start, the recording's 0.21 s fitting in it): copy k of peer i from
198.18.0.0 + i + 1 (RFC 2544 benchmarking range 198.18.0.0/15: 198.18.0.1,
198.18.0.2, ... 198.18.7.208 for 2000), its client port the recording's + k
(a connection of its own); IPv4 header and TCP checksums made anew;
payloads, sequence numbers and the server side as recorded.

Usage (from the repo root):
    python3 pcaps/tools/mkpeers.py OUT.pcap PEERS [SESSIONS [SRC]]
"""
import struct
import sys

from pcaplib import csum, read_pcap, write_pcap

SRC = "pcaps/smtp-starttls-tls12-chain.pcap"
BASE = (198 << 24) | (18 << 16)  # 198.18.0.0/15 (RFC 2544)
INTERVAL_US = 500000


def tcp_of(frame):
    """(IPv4 header length, source port, destination port) of an Ethernet
    IPv4 TCP frame."""
    assert struct.unpack(">H", frame[12:14])[0] == 0x0800 and frame[23] == 6
    ihl = (frame[14] & 0x0F) * 4
    sport, dport = struct.unpack(">HH", frame[14 + ihl : 18 + ihl])
    return ihl, sport, dport


def first_session(recs):
    """The records of the first TCP connection (by its first frame's ports),
    and its client (address, port): the side that sent the first SYN."""
    for r in recs:
        ihl, sport, dport = tcp_of(r[2])
        if r[2][14 + ihl + 13] & 0x12 == 0x02:  # SYN without ACK
            client = (bytes(r[2][26:30]), sport)
            break
    else:
        raise SystemExit("no SYN in the capture")
    out = []
    for r in recs:
        ihl, sport, dport = tcp_of(r[2])
        src, dst = bytes(r[2][26:30]), bytes(r[2][30:34])
        if (src, sport) == client or (dst, dport) == client:
            out.append(r)
    return out, client


def moved(frame, client, addr, port):
    """frame with the client's (address, port) as (addr, port), its IPv4
    header and TCP checksums made anew."""
    f = bytearray(frame)
    ihl, sport, dport = tcp_of(frame)
    tcp = 14 + ihl
    if (bytes(f[26:30]), sport) == client:
        f[26:30] = addr
        struct.pack_into(">H", f, tcp, port)
    else:
        f[30:34] = addr
        struct.pack_into(">H", f, tcp + 2, port)
    struct.pack_into(">H", f, 24, 0)
    struct.pack_into(">H", f, 24, csum(bytes(f[14:tcp])))
    total = struct.unpack(">H", f[16:18])[0]
    struct.pack_into(">H", f, tcp + 16, 0)
    pseudo = bytes(f[26:34]) + struct.pack(">BBH", 0, 6, total - ihl)
    struct.pack_into(">H", f, tcp + 16, csum(pseudo + bytes(f[tcp : 14 + total])))
    return bytes(f)


def main(argv):
    if len(argv) < 3 or len(argv) > 5:
        raise SystemExit(__doc__)
    out_path, peers = argv[1], int(argv[2])
    sessions = int(argv[3]) if len(argv) > 3 else 1
    src = argv[4] if len(argv) > 4 else SRC
    if not 1 <= peers <= 100000 or not 1 <= sessions <= 100:
        raise SystemExit("PEERS 1..100000, SESSIONS 1..100")
    hdr, recs = read_pcap(src)
    sess, client = first_session(recs)
    out = []
    n = 0
    for i in range(peers):
        addr = struct.pack(">I", BASE + i + 1)
        for k in range(sessions):
            port = client[1] + k
            for r in sess:
                t = r[0] * 1000000 + r[1] + n * INTERVAL_US
                out.append([t // 1000000, t % 1000000, moved(r[2], client, addr, port), r[3]])
            n += 1
    write_pcap(out_path, hdr, out)


main(sys.argv)
