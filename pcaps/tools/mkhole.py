#!/usr/bin/env python3
"""Server segments lost in a TLS handshake (a tap that dropped them, never
retransmitted in the capture), for -w's server record framing after a hole
(src/engine_evidence.c). Plain Python (struct), deterministic; IPv4 and TCP
checksums computed anew for a segment split. Run from the repo root:
python3 pcaps/tools/mkhole.py

From pcaps/smtp-starttls-tls12-chain.pcap (three STARTTLS sessions, TLS
1.2; the server's flight: frame 12, its ServerHello record (70 bytes) and
the Certificate's first 1378; frame 13, the Certificate's rest,
ServerKeyExchange and ServerHelloDone), the first session (client port
60860) only changed, frame 12 split in segments, one of them dropped:

  pcaps/variants/tls12-chain-hole-sh.pcap
      [the ServerHello's first 40 bytes] [its other 30: dropped] [the
      Certificate's first 1378 bytes]: a hole before the Certificate, the
      server's record framing started at the ServerHello; the Certificate
      record then opens a segment and goes on in the next, and is whole
  pcaps/variants/tls12-chain-hole-crt.pcap
      [the ServerHello] [the Certificate's first 1378 bytes: dropped]: a
      hole in the middle of the Certificate (its header and first bytes
      lost); what follows it (ServerKeyExchange, ServerHelloDone in frame
      13, then NewSessionTicket, ChangeCipherSpec, Finished) is records
      again
  pcaps/variants/tls12-chain-hole-mid.pcap
      [the ServerHello's first 40 bytes] [its next 20: dropped] [its last
      10 bytes, then the Certificate's first 1378]: a hole inside the
      ServerHello; the segment after it holds the ServerHello's tail, then
      the Certificate record, which starts inside the segment and goes on in
      the next (frame 13 shows the ServerKeyExchange header after it)
"""
import struct

from pcaplib import csum, read_pcap

SRC = "pcaps/smtp-starttls-tls12-chain.pcap"
OUT = "pcaps/variants/"
PORT = 60860


def parts(fr):
    ip = fr[14:]
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack("!H", ip[2:4])[0]
    t = ip[ihl:tot]
    doff = (t[12] >> 4) * 4
    return fr[:14], ip[:ihl], t[:doff], t[doff:]


def build(eth, iph, tcph, pay, seq):
    iph, tcph = bytearray(iph), bytearray(tcph)
    struct.pack_into("!H", iph, 2, len(iph) + len(tcph) + len(pay))
    struct.pack_into("!H", iph, 10, 0)
    struct.pack_into("!H", iph, 10, csum(bytes(iph)))
    struct.pack_into("!I", tcph, 4, seq)
    struct.pack_into("!H", tcph, 16, 0)
    seg = bytes(tcph) + pay
    pseudo = bytes(iph[12:20]) + struct.pack("!BBH", 0, 6, len(seg))
    struct.pack_into("!H", tcph, 16, csum(pseudo + seg))
    return eth + bytes(iph) + bytes(tcph) + pay


def server_hello_frame(recs):
    """The index of the first session's frame that opens with its ServerHello."""
    for i, (_, _, fr, _) in enumerate(recs):
        _, _, tcph, pay = parts(fr)
        sport, dport = struct.unpack("!HH", tcph[:4])
        if sport == 25 and dport == PORT and pay[:1] == b"\x16" and pay[5:6] == b"\x02":
            return i
    raise SystemExit("no ServerHello")


def write(name, hdr, recs):
    out = bytearray(hdr)
    for sec, usec, fr, orig in recs:
        out += struct.pack("<IIII", sec, usec, len(fr), orig) + fr
    with open(OUT + name, "wb") as f:
        f.write(out)


def main():
    hdr, recs = read_pcap(SRC)
    i = server_hello_frame(recs)
    sec, usec, fr, orig = recs[i]
    assert orig == len(fr)
    eth, iph, tcph, pay = parts(fr)
    seq = struct.unpack("!I", tcph[4:8])[0]
    shlen = 5 + struct.unpack("!H", pay[3:5])[0]
    assert pay[shlen] == 22 and pay[shlen + 5] == 11, "a Certificate after the ServerHello"
    head = build(eth, iph, tcph, pay[:40], seq)
    crt = build(eth, iph, tcph, pay[shlen:], seq + shlen)
    sh = build(eth, iph, tcph, pay[:shlen], seq)
    before, after = recs[:i], recs[i + 1:]
    write("tls12-chain-hole-sh.pcap", hdr,
          before + [[sec, usec, head, len(head)], [sec, usec, crt, len(crt)]] + after)
    write("tls12-chain-hole-crt.pcap", hdr, before + [[sec, usec, sh, len(sh)]] + after)
    tail = build(eth, iph, tcph, pay[60:], seq + 60)
    write("tls12-chain-hole-mid.pcap", hdr,
          before + [[sec, usec, head, len(head)], [sec, usec, tail, len(tail)]] + after)

if __name__ == "__main__":
    main()
