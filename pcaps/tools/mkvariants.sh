#!/bin/sh
# Derives variant captures (issue: link types, VLAN, snaplen, ordering, midstream,
# IPv6) from the committed base captures in pcaps/. Deterministic: no random
# input, so rerunning produces identical files. Writes pcaps/variants/*.
# Needs: editcap (wireshark-common), /usr/bin/python3 with scapy (python3-scapy).
# Usage (from the repo root): sh pcaps/tools/mkvariants.sh
set -eu
cd "$(dirname "$0")/../.."
base=pcaps/smtp-starttls-tls12-chain.pcap   # STARTTLS + TLS 1.2 + chain, Ethernet, IPv4
base6=pcaps/smtp-ipv6.pcap                    # recorded over IPv6
out=pcaps/variants
py=/usr/bin/python3
command -v editcap >/dev/null || { echo "editcap not installed" >&2; exit 1; }
$py -c 'import scapy' 2>/dev/null || { echo "python3-scapy not installed" >&2; exit 1; }
[ -f "$base" ] || { echo "missing base capture $base" >&2; exit 1; }
mkdir -p "$out"

# pcapng: same packets, pcapng container (SHB/IDB/EPB).
editcap -F pcapng "$base" "$out/tls12-chain.pcapng"
# snaplen 96: every frame cut to 96 bytes (caplen < len): headers kept, payload cut.
editcap -F pcap -s 96 "$base" "$out/tls12-chain-snap96.pcap"
# Capture started mid-connection: the first 5 packets (handshake, banner) dropped.
editcap -F pcap "$base" "$out/tls12-chain-midstream.pcap" 1-5

# Link-layer, VLAN, ordering and IPv6 rewrites with scapy.
$py - "$base" "$out" <<'PYEOF'
import sys
from scapy.all import rdpcap, wrpcap, Ether, Dot1Q, Dot1AD, IP, IPv6, TCP, Raw
from scapy.layers.l2 import CookedLinux, CookedLinuxV2
base, out = sys.argv[1], sys.argv[2]
pkts = rdpcap(base)

def keep_time(new, old):
    new.time = old.time
    return new

def retag(p, tags):
    e = p[Ether]
    inner = e.payload.copy()
    hdr = Ether(src=e.src, dst=e.dst, type=tags[0][0])
    layers = []
    for i, (tpid, vid) in enumerate(tags):
        nxt = tags[i + 1][0] if i + 1 < len(tags) else e.type
        cls = Dot1AD if tpid == 0x88a8 else Dot1Q
        layers.append(cls(vlan=vid, type=nxt))
    f = hdr
    for l in layers:
        f = f / l
    return keep_time(f / inner, p)

# 802.1Q: one C-tag, VID 100
wrpcap(f"{out}/tls12-chain-vlan.pcap", [retag(p, [(0x8100, 100)]) for p in pkts])
# QinQ: 802.1ad S-tag VID 300 outside, 802.1Q C-tag VID 200 inside
wrpcap(f"{out}/tls12-chain-qinq.pcap", [retag(p, [(0x88a8, 300), (0x8100, 200)]) for p in pkts])

# Linux cooked captures: SLL (DLT 113) and SLL2 (DLT 276), as tcpdump -i any writes them
def sll(p):
    e = p[Ether]
    return keep_time(CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6,
                                 src=bytes.fromhex(e.src.replace(':', '')) + b'\0\0',
                                 proto=e.type) / e.payload.copy(), p)
def sll2(p):
    e = p[Ether]
    return keep_time(CookedLinuxV2(proto=e.type, ifindex=2, lladdrtype=1, pkttype=0,
                                   lladdrlen=6,
                                   src=bytes.fromhex(e.src.replace(':', '')) + b'\0\0')
                     / e.payload.copy(), p)
wrpcap(f"{out}/tls12-chain-sll.pcap", [sll(p) for p in pkts], linktype=113)
wrpcap(f"{out}/tls12-chain-sll2.pcap", [sll2(p) for p in pkts], linktype=276)

# Reordered and duplicated segments: in every run of 3 data-carrying segments
# the first and third are swapped (timestamps kept in file order), and every
# 4th data segment is written twice (a retransmission).
data_idx = [i for i, p in enumerate(pkts) if TCP in p and len(p[TCP].payload) > 0]
order = list(range(len(pkts)))
for k in range(0, len(data_idx) - 2, 3):
    a, c = data_idx[k], data_idx[k + 2]
    order[a], order[c] = order[c], order[a]
res = []
times = [p.time for p in pkts]
for pos, i in enumerate(order):
    q = pkts[i].copy()
    q.time = times[pos]
    res.append(q)
    if i in data_idx and data_idx.index(i) % 4 == 3:
        d = pkts[i].copy()
        d.time = times[pos] + 0.0001
        res.append(d)
wrpcap(f"{out}/tls12-chain-reorder-dup.pcap", res)

# IPv4 -> IPv6 rewrite (192.0.2.x -> 2001:db8::x, 198.51.100.x -> 2001:db8:1::x), VLAN 42
def v6addr(a):
    o = a.split('.')
    pre = {'192.0.2': '2001:db8::', '198.51.100': '2001:db8:1::', '203.0.113': '2001:db8:2::'}
    return pre.get('.'.join(o[:3]), '2001:db8:ff::') + format(int(o[3]), 'x')
def to6(p):
    e, ip = p[Ether], p[IP]
    l4 = ip.payload.copy()
    if TCP in l4:
        del l4[TCP].chksum
    f = Ether(src=e.src, dst=e.dst) / Dot1Q(vlan=42) / IPv6(src=v6addr(ip.src), dst=v6addr(ip.dst), hlim=ip.ttl) / l4
    return keep_time(f, p)
wrpcap(f"{out}/tls12-chain-ipv6-vlan.pcap", [to6(p) for p in pkts if IP in p])
PYEOF

# IPv6 base (recorded over IPv6) in a Linux SLL2 file via the same rewrite idea:
# kept as recorded, only re-encapsulated.
$py - "$base6" "$out" <<'PYEOF'
import sys
from scapy.all import rdpcap, wrpcap, Ether
from scapy.layers.l2 import CookedLinuxV2
pkts = rdpcap(sys.argv[1])
res = []
for p in pkts:
    e = p[Ether]
    f = CookedLinuxV2(proto=e.type, ifindex=3, lladdrtype=1, pkttype=4, lladdrlen=6,
                      src=bytes.fromhex(e.src.replace(':', '')) + b'\0\0') / e.payload.copy()
    f.time = p.time
    res.append(f)
wrpcap(f"{sys.argv[2]}/ipv6-sll2.pcap", res, linktype=276)
PYEOF
# One direction tagged: a span port that tags the client's frames (VID 100)
# and not the server's. Plain bytes, no scapy: an 802.1Q tag inserted after
# the MAC addresses of frames to port 25.
$py - "$base" "$out/tls12-chain-vlan-oneway.pcap" <<'PYEOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
assert data[:4] == bytes.fromhex('d4c3b2a1')  # little-endian pcap, microseconds
out, off = [data[:24]], 24
while off + 16 <= len(data):
    ts, tu, incl, orig = struct.unpack('<IIII', data[off:off + 16])
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    to_server = frame[12:14] == b'\x08\x00' and struct.unpack('>H', frame[36:38])[0] == 25
    if to_server:
        frame = frame[:12] + b'\x81\x00\x00\x64' + frame[12:]
        incl, orig = incl + 4, orig + 4
    out.append(struct.pack('<IIII', ts, tu, incl, orig) + frame)
open(sys.argv[2], 'wb').write(b''.join(out))
PYEOF
ls -l "$out"
# Two orders of a span port, plain bytes, records (not their time stamps)
# moved: (a) ack-first: frames 13 and 14 swapped, so the client's ACK 2430
# comes just before the server segment 1683+747 it acknowledges (the two
# directions through different paths); (b) trunc-retx: frame 12 (server
# 235+1448, ServerHello and the Certificate's start) first cut to 200 bytes
# (snaplen), then whole, at the same time stamp (a retransmission).
$py - "$base" "$out" <<'PYEOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
assert data[:4] == bytes.fromhex('d4c3b2a1')  # little-endian pcap, microseconds
recs, off = [], 24
while off + 16 <= len(data):
    ts, tu, incl, orig = struct.unpack('<IIII', data[off:off + 16])
    recs.append([(ts, tu), data[off + 16:off + 16 + incl], orig])
    off += 16 + incl
def write(name, rs):
    body = b''.join(struct.pack('<IIII', t[0], t[1], len(f), o) + f for t, f, o in rs)
    open(f"{sys.argv[2]}/{name}", 'wb').write(data[:24] + body)
a = [list(r) for r in recs]
a[12][1:], a[13][1:] = recs[13][1:], recs[12][1:]  # frames 13 and 14 (1-based)
write('tls12-chain-ack-first.pcap', a)
t = [list(r) for r in recs]
t[11:11] = [[recs[11][0], recs[11][1][:200], recs[11][2]]]
write('tls12-chain-trunc-retx.pcap', t)
PYEOF
