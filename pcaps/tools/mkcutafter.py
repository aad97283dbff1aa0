#!/usr/bin/env python3
"""A capture whose frames were cut after capture (pcaps/variants/README.md):
smtptap -w or editcap leave frames shorter than the file's snapshot length,
which the snaplen did not do (the stats' truncated_after_capture). Plain
Python (struct), no scapy; deterministic. Run from the repo root:
python3 pcaps/tools/mkcutafter.py

tls12-chain-cut-after.pcap
    smtp-starttls-tls12-chain.pcap (snapshot length 262144) with frame 12
    (the server's ServerHello and the start of its Certificate, 1448 bytes
    of TCP payload) cut to its first 200 bytes: its record's caplen 200,
    its original length kept, the file's snapshot length unchanged. The
    rest of the Certificate is in the capture, its start not.
tls12-chain-cut-both.pcap
    the same base with the file's snapshot length set to 1000 and every
    frame longer cut to 1000 bytes (as a capture with -s 1000 cuts: frame
    12 among them), frame 13 (the Certificate's end, 813 bytes) cut to 200
    (below it: after capture).
"""
import struct

from pcaplib import read_pcap, write_pcap

FRAME, KEEP = 12, 200


def cut(recs, frame, keep):
    """Frame (1-based) cut to its first keep bytes, its original length kept."""
    sec, usec, data, orig = recs[frame - 1]
    assert len(data) == orig > keep, "a whole frame, longer than the cut"
    recs[frame - 1] = [sec, usec, data[:keep], orig]


def main():
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls12-chain.pcap")
    assert struct.unpack("<I", hdr[16:20])[0] > KEEP
    cut(recs, FRAME, KEEP)
    write(hdr, recs, "pcaps/variants/tls12-chain-cut-after.pcap")
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls12-chain.pcap")
    hdr = hdr[:16] + struct.pack("<I", 1000) + hdr[20:]
    for i, r in enumerate(recs):  # as a capture with -s 1000 cuts
        if len(r[2]) > 1000:
            cut(recs, i + 1, 1000)
    cut(recs, FRAME + 1, KEEP)
    write(hdr, recs, "pcaps/variants/tls12-chain-cut-both.pcap")


def write(hdr, recs, path):
    write_pcap(path, hdr, recs)
    print(f"{path}: {len(recs)} packets")


if __name__ == "__main__":
    main()
