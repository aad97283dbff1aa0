#!/bin/sh
# Derives the TLS damage variants (pcaps/variants/README.md, second table)
# from committed base captures: a session picked up late (editcap cuts of
# smtps-465.pcap), and Certificate messages whose lengths lie (byte edits
# of the first session of smtp-starttls-tls12-chain.pcap, TCP checksums
# recomputed). Deterministic. Needs editcap and python3 (no scapy).
# Usage (from the repo root): sh pcaps/tools/mktlsdamage.sh
set -eu
cd "$(dirname "$0")/../.."
out=pcaps/variants
command -v editcap >/dev/null || { echo "editcap not installed" >&2; exit 1; }
mkdir -p "$out"
# The end of an established TLS 1.2 session on 465: application data, then
# both sides' encrypted close_notify (31-byte alert records).
editcap -F pcap -r pcaps/smtps-465.pcap "$out/smtps-465-tail.pcap" 46-54
# From the server's ChangeCipherSpec and encrypted Finished on.
editcap -F pcap -r pcaps/smtps-465.pcap "$out/smtps-465-from-ccs.pcap" 40-54

python3 - pcaps/smtp-starttls-tls12-chain.pcap "$out" <<'PYEOF'
import struct, sys
base, out = sys.argv[1], sys.argv[2]
raw = bytearray(open(base, 'rb').read())
assert struct.unpack('<I', raw[:4])[0] == 0xa1b2c3d4, 'little-endian pcap expected'
# packets: (offset of the frame data, caplen); Ethernet / IPv4 / TCP
pkts, off = [], 24
while off < len(raw):
    _, _, caplen, _ = struct.unpack('<IIII', raw[off:off + 16])
    pkts.append((off + 16, caplen))
    off += 16 + caplen

def tcp_of(fo):
    ip = fo + 14
    ihl = (raw[ip] & 15) * 4
    tcp = ip + ihl
    tlen = struct.unpack('>H', raw[ip + 2:ip + 4])[0]
    doff = (raw[tcp + 12] >> 4) * 4
    return ip, tcp, tcp + doff, ip + tlen

# the server's stream of the first connection (from port 25, first SYN-ACK's ports)
first = None
stream, where = bytearray(), []   # stream byte i lives at raw offset where[i]
seen = set()
for fo, cl in pkts:
    ip, tcp, pay, end = tcp_of(fo)
    sport, dport = struct.unpack('>HH', raw[tcp:tcp + 4])
    if sport != 25:
        continue
    if first is None:
        first = dport
    if dport != first or pay >= end:
        continue
    seq = struct.unpack('>I', raw[tcp + 4:tcp + 8])[0]
    if seq in seen:
        continue
    seen.add(seq)
    stream += raw[pay:end]
    where += range(pay, end)

def checksum(fo):
    ip, tcp, pay, end = tcp_of(fo)
    raw[tcp + 16:tcp + 18] = b'\0\0'
    seg = bytes(raw[tcp:end])
    ph = bytes(raw[ip + 12:ip + 20]) + struct.pack('>BBH', 0, 6, len(seg))
    data = ph + seg + (b'\0' if len(seg) % 2 else b'')
    s = sum(struct.unpack('>%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    raw[tcp + 16:tcp + 18] = struct.pack('>H', ~s & 0xffff)

# the Certificate message: type 11, then its length, then the list's (3 less)
for i in range(len(stream) - 7):
    if stream[i] == 11:
        ml = int.from_bytes(stream[i + 1:i + 4], 'big')
        ll = int.from_bytes(stream[i + 4:i + 7], 'big')
        if ml == ll + 3 and ll > 1000:
            crt = i
            break
else:
    raise SystemExit('no Certificate message in the first session')
mlen = int.from_bytes(stream[crt + 1:crt + 4], 'big')
leaf = int.from_bytes(stream[crt + 7:crt + 10], 'big')
inter_at = crt + 10 + leaf
inter = int.from_bytes(stream[inter_at:inter_at + 3], 'big')
# the messages after it in the flight (ServerKeyExchange, ServerHelloDone)
# (their own records' headers are not handshake bytes: skipped)
after = 0
i = crt + 4 + mlen
while True:
    if stream[i] == 22 and stream[i + 1] == 3:
        i += 5
    if stream[i] not in (12, 14):
        break
    n = 4 + int.from_bytes(stream[i + 1:i + 4], 'big')
    after += n
    i += n
assert after > 0, 'no ServerKeyExchange or ServerHelloDone after the Certificate'

def variant(name, edits):
    global raw
    keep = bytes(raw)
    touched = set()
    for at, value in edits:  # (stream offset, 3-byte value)
        for k, b in enumerate(value.to_bytes(3, 'big')):
            raw[where[at + k]] = b
            touched.add(max(fo for fo, _ in pkts if fo <= where[at + k]))
    for fo in touched:
        checksum(fo)
    open('%s/%s' % (out, name), 'wb').write(raw)
    raw = bytearray(keep)

# certificate_list length covering the leaf only: the intermediate left
# after the list
variant('tls12-chain-crt-list-short.pcap', [(crt + 4, 3 + leaf)])
# the intermediate's length 100 bytes past the list
variant('tls12-chain-crt-entry-long.pcap', [(inter_at, inter + 100)])
# the Certificate's handshake length swallowing ServerKeyExchange and
# ServerHelloDone
variant('tls12-chain-crt-swallow.pcap', [(crt + 1, mlen + after)])
PYEOF
echo "wrote $out/smtps-465-tail.pcap smtps-465-from-ccs.pcap tls12-chain-crt-{list-short,entry-long,swallow}.pcap"
