#!/usr/bin/env python3
"""Writes a fuzz seed in the chunked transcript format of tests/fuzz/fz_chunks.h
from one TCP stream of a capture, using tshark's "follow,tcp,raw" output
(each server-side line is indented by a tab). With --after-starttls, starts
at the first chunk after the server's "220" reply to STARTTLS (for the TLS
target). Usage: mkcorpus-stream.py PCAP STREAM OUT [--after-starttls]"""
import subprocess
import sys

pcap, stream, out = sys.argv[1], sys.argv[2], sys.argv[3]
after = "--after-starttls" in sys.argv[4:]
txt = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw," + stream],
                     capture_output=True, text=True, check=True).stdout
chunks = []
for line in txt.splitlines():
    if not line or line.startswith(("=", "Follow", "Filter", "Node")):
        continue
    server = line.startswith("\t")
    try:
        data = bytes.fromhex(line.strip())
    except ValueError:
        continue
    chunks.append((1 if server else 0, data))
if after:
    for i, (d, b) in enumerate(chunks):
        if d == 0 and b.upper().startswith(b"STARTTLS"):
            j = i + 1
            while j < len(chunks) and not (chunks[j][0] == 1 and chunks[j][1].startswith(b"220")):
                j += 1
            chunks = chunks[j + 1:]
            break
with open(out, "wb") as f:
    for d, b in chunks[:64]:
        f.write(b"\1PKT" + bytes([d]) + b)
