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

CONN (0-based, by first SYN; default 0, the first) picks the connections of
SRC replayed, each in turn: every peer's copies of the first one given, then
every peer's of the next, each copy INTERVAL_US after the one before, so
that two connections that got two certificates (pcaps/smtp-cert-renewal.pcap
1 3: the expired one, then the renewed one, both swaks from 198.51.100.20)
make a renewal seen by every peer.

Usage (from the repo root):
    python3 pcaps/tools/mkpeers.py OUT.pcap PEERS [SESSIONS [SRC [CONN...]]]
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


def first_session(recs, conn=0):
    """The records of TCP connection conn (0: the first, by the SYNs without
    ACK), and its client (address, port): the side that sent that SYN."""
    syns = 0
    for r in recs:
        ihl, sport, dport = tcp_of(r[2])
        if r[2][14 + ihl + 13] & 0x12 == 0x02:  # SYN without ACK
            if syns == conn:
                client = (bytes(r[2][26:30]), sport)
                break
            syns += 1
    else:
        raise SystemExit("no SYN %d in the capture" % conn)
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
    if len(argv) < 3:
        raise SystemExit(__doc__)
    out_path, peers = argv[1], int(argv[2])
    sessions = int(argv[3]) if len(argv) > 3 else 1
    src = argv[4] if len(argv) > 4 else SRC
    if not 1 <= peers <= 100000 or not 1 <= sessions <= 100:
        raise SystemExit("PEERS 1..100000, SESSIONS 1..100")
    conns = [int(c) for c in argv[5:]] or [0]
    hdr, recs = read_pcap(src)
    out = []
    n = 0
    base = None  # the first connection's start: every copy timed from it
    for conn in conns:
        sess, client = first_session(recs, conn)
        start = sess[0][0] * 1000000 + sess[0][1]
        base = start if base is None else base
        for i in range(peers):
            addr = struct.pack(">I", BASE + i + 1)
            for k in range(sessions):
                port = client[1] + k
                for r in sess:
                    t = r[0] * 1000000 + r[1] - start + base + n * INTERVAL_US
                    out.append([t // 1000000, t % 1000000, moved(r[2], client, addr, port), r[3]])
                n += 1
    write_pcap(out_path, hdr, out)


main(sys.argv)
