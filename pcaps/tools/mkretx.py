#!/usr/bin/env python3
"""A server that retransmits handshake bytes with other bytes than it sent
first (a broken stack, or an attempt to put bytes in the evidence that the
client never took: the first copy wins, RFC 9293 §3.10.7.4, as smtptap's
reassembler takes it), for -w (src/engine_evidence.c). Plain Python
(struct), deterministic; checksums computed anew. Run from the repo root:
python3 pcaps/tools/mkretx.py

From pcaps/smtp-starttls-tls12-chain.pcap, the first session (client port
60860) only changed:

  pcaps/variants/tls12-chain-retx-differs.pcap
      after frame 12 (the ServerHello and the Certificate's start), an
      exact copy of it 1 us later; after frame 13 (the Certificate's rest,
      ServerKeyExchange, ServerHelloDone), a copy of it 1 us later whose 6
      bytes at 100 are "SECRET" (inside the certificate). The exact copy is
      written whole, as before; the other is not (cut, and counted in the
      stats' evidence retransmission_differs): before, it was written
"""
import struct

from mkhole import SRC, OUT, PORT, build, parts, read_pcap, write


def main():
    hdr, recs = read_pcap(SRC)
    out, done = [], set()
    for sec, usec, fr, orig in recs:
        out.append([sec, usec, fr, orig])
        eth, iph, tcph, pay = parts(fr)
        sport, dport = struct.unpack("!HH", tcph[:4])
        if sport != 25 or dport != PORT or len(pay) == 0:
            continue
        seq = struct.unpack("!I", tcph[4:8])[0]
        if "sh" not in done and pay[:1] == b"\x16" and pay[5:6] == b"\x02":
            out.append([sec, usec + 1, fr, orig])  # the ServerHello's, exact
            done.add("sh")
        elif "sh" in done and "crt" not in done:  # the Certificate's rest
            assert pay[:1] != b"\x16" and len(pay) > 106
            bad = pay[:100] + b"SECRET" + pay[106:]
            dup = build(eth, iph, tcph, bad, seq)
            out.append([sec, usec + 1, dup, len(dup)])
            done.add("crt")
    assert done == {"sh", "crt"}
    for a, b in zip(out, out[1:]):
        assert (a[0], a[1]) <= (b[0], b[1]), "time stamps stay in order"
    write("tls12-chain-retx-differs.pcap", hdr, out)


if __name__ == "__main__":
    main()
