#!/usr/bin/env python3
"""A capture of two taps, one per direction, merged by time stamp (a span
port fed by two taps, mergecap of two one-way captures), whose clocks
disagree: the client's direction is stamped LAG microseconds late, so that
in the merged file a server's reply comes ahead of the client's command it
answers (the 220 to STARTTLS before the STARTTLS, the 250 to EHLO before the
EHLO). Within a direction the order is the base's. Plain Python (struct), no
scapy; deterministic. Run from the repo root: python3 pcaps/tools/mktwotap.py

Writes, from pcaps/smtp-starttls-tls12-chain.pcap (Ethernet/IPv4, three
STARTTLS sessions, client ports 60860, 47826 and 51450):

  pcaps/variants/tls12-chain-twotap.pcap
      the client's direction 1000 us late: each session's EHLO and STARTTLS
      come after the server's replies to them; nothing is missing
  pcaps/variants/tls12-chain-twotap-lost.pcap
      the same, and the first session's STARTTLS segment is not in the
      capture (a tap that dropped it): the 220 to it and the ClientHello
      wait for bytes that never come
  pcaps/variants/tls12-chain-twotap-hello-first.pcap
      the first session's STARTTLS segment also 20 ms late (a frame that
      took another path): the ClientHello comes before the STARTTLS it
      follows, the 220 before both

And from pcaps/smtp-starttls-tls13.pcap (three STARTTLS sessions, TLS
1.3, client ports 51756, 45824 and 44808; its key log beside it):

  pcaps/variants/tls13-twotap.pcap
      the client's direction 1000 us late, the third session's (44808)
      2000 us (LAG13): there the server's ServerHello and its encrypted
      flight (application_data records: EncryptedExtensions to Finished,
      the certificates in them) come before the STARTTLS and the
      ClientHello they answer (1.1 ms after the ClientHello in the base),
      and are held; in the others the ServerHello before the ClientHello
      (the first) or after it. Its key log is the base's, copied beside it
  pcaps/variants/tls13-twotap.keylog

Time stamps are rewritten (the client's plus LAG), so each file's stamps
never decrease, as a merge of two captures writes them.
"""
import struct

SRC = "pcaps/smtp-starttls-tls12-chain.pcap"
OUT = "pcaps/variants/"
LAG = 1000  # microseconds the client's tap stamps late
CLIENT_PORTS = (60860, 47826, 51450)
SRC13 = "pcaps/smtp-starttls-tls13.pcap"
CLIENT_PORTS13 = (51756, 45824, 44808)
LAG13 = {51756: LAG, 45824: LAG, 44808: 2000}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, "little-endian microsecond pcap"
    assert struct.unpack("<I", data[20:24])[0] == 1, "Ethernet"
    off, recs = 24, []
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        recs.append([sec * 1000000 + usec, data[off + 16:off + 16 + incl], orig])
        off += 16 + incl
    return data[:24], recs


def tcp(fr):
    """(sport, payload length, seq) of an Ethernet/IPv4/TCP frame."""
    assert struct.unpack("!H", fr[12:14])[0] == 0x0800
    ip = fr[14:]
    ihl = (ip[0] & 15) * 4
    assert ip[9] == 6
    t = ip[ihl:]
    doff = (t[12] >> 4) * 4
    plen = struct.unpack("!H", ip[2:4])[0] - ihl - doff
    return struct.unpack("!H", t[0:2])[0], plen, t[doff:doff + plen]


def write(name, hdr, recs):
    out = bytearray(hdr)
    for ts, fr, orig in recs:
        out += struct.pack("<IIII", ts // 1000000, ts % 1000000, len(fr), orig) + fr
    with open(OUT + name, "wb") as f:
        f.write(out)


def merged(recs, drop=None, late=None, late_us=0, ports=CLIENT_PORTS, lag=LAG):
    """Client frames LAG late; `drop`: a payload not written; `late`: a
    payload (client's) late_us later still. Sorted by time, stable."""
    out = []
    for i, (ts, fr, orig) in enumerate(recs):
        sport, plen, pay = tcp(fr)
        if sport in ports:
            ts += lag[sport] if isinstance(lag, dict) else lag
            if drop is not None and pay == drop[1] and sport == drop[0]:
                continue
            if late is not None and pay == late[1] and sport == late[0]:
                ts += late_us
        out.append((ts, i, fr, orig))
    out.sort(key=lambda r: (r[0], r[1]))
    return [[ts, fr, orig] for ts, _, fr, orig in out]


def main():
    hdr, recs = read_pcap(SRC)
    starttls = (CLIENT_PORTS[0], b"STARTTLS\r\n")
    assert sum(1 for r in recs if tcp(r[1])[2] == starttls[1]) == 3
    write("tls12-chain-twotap.pcap", hdr, merged(recs))
    write("tls12-chain-twotap-lost.pcap", hdr, merged(recs, drop=starttls))
    write("tls12-chain-twotap-hello-first.pcap", hdr, merged(recs, late=starttls, late_us=20000))
    hdr, recs = read_pcap(SRC13)
    write("tls13-twotap.pcap", hdr, merged(recs, ports=CLIENT_PORTS13, lag=LAG13))
    with open(SRC13.replace(".pcap", ".keylog"), "rb") as f:  # its key log, beside it
        keylog = f.read()
    with open(OUT + "tls13-twotap.keylog", "wb") as f:
        f.write(keylog)


if __name__ == "__main__":
    main()
