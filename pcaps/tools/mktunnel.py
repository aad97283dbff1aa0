#!/usr/bin/env python3
"""pcaps/tunnel/: a bundled capture's frames wrapped in each encapsulation
smtptap takes off (src/decode_tunnel.c), and the kernel-made VXLAN capture
(pcaps/tunnel/gen/vxlan.sh) taken off again and with its outer datagrams
fragmented. Every frame keeps its time stamp; nothing else of the inner
frames changes. Run from the repository's top: python3 pcaps/tools/mktunnel.py

Outer headers: Ethernet 02:00:00:00:00:01 -> :02, IPv4 10.255.0.1 ->
10.255.0.2 (from the client's side; the reverse for the server's frames,
as a tunnel endpoint on each side would send them), TTL 64, header
checksum computed (RFC 791 §3.1), UDP checksum 0 (RFC 768; RFC 7348 §5
allows it for VXLAN over IPv4).
  gre-ip         GRE (RFC 2784) with a key (RFC 2890 §2.1), 0x0800: the IPv4 packet
  gre-eth        GRE 0x6558 Transparent Ethernet Bridging: the Ethernet frame
  erspan2        GRE with a sequence number, 0x88be, ERSPAN type II (session 100)
  erspan2-frag   erspan2, each outer IPv4 datagram over 600 bytes sent as two fragments (GRE
                 in fragments, as a router on a 1500-byte path sends a mirrored full-size frame)
  erspan3        GRE with a sequence number, 0x22eb, ERSPAN type III (session 200, FT 0)
  geneve         UDP 6081, Geneve (RFC 8926) with one option, protocol 0x0800: the IPv4 packet
                 (as AWS Gateway Load Balancer sends it)
  geneve-oam     geneve, and before each frame with TCP payload a Geneve control packet (O bit,
                 RFC 8926 §3.4) carrying the same IPv4 packet with every payload byte 'X': what
                 an endpoint must not forward, which would replace the session's bytes if read
  ipip           IPv4 protocol 4 (RFC 2003): the IPv4 packet
  6in4           IPv4 protocol 41 (RFC 4213): smtp-ipv6.pcap's IPv6 packets
  mpls           Ethertype 0x8847, two labels (RFC 3032): the IPv4 packet
  mpls-eth       the same labels, then the Ethernet frame without a control word (an
                 Ethernet pseudowire, RFC 4448 §4.4): destination addresses 1e:.. and 66:..
  mpls-ethcw     the same labels, the control word (RFC 4385 §3, sequence numbers from 1),
                 then the Ethernet frame
  mpls-lsp       Ethertype 0x8847, a label stack per direction, as an L3VPN's unidirectional
                 LSPs carry it: the client's frames 16001 (transport), 7 (entropy label
                 indicator, RFC 6790), 0x5a5a5 (entropy), 24001 (VPN, bottom); the server's
                 16002, 24002; then the IPv4 packet
  pppoe          Ethertype 0x8864, PPPoE session 0x0042 (RFC 2516), PPP 0x0021: the IPv4 packet
  vxlan-gre      GRE 0x0800 carrying IPv4/UDP 4789/VXLAN VNI 7/the Ethernet frame: two layers
  vxlan-innerfrag  UDP 4789, VXLAN VNI 4242, the UDP checksum computed (RFC 768): each INNER
                 IPv4 datagram over 600 bytes sent as two fragments, each in its own VXLAN datagram
  vxlan-nestfrag vxlan-innerfrag's datagrams, each outer IPv4 datagram over 400 bytes then sent
                 as two fragments: fragments inside a datagram itself reassembled from fragments
  vxlan-split    UDP 4789, VXLAN: the client's frames VNI 101, the server's VNI 102 (one
                 mirror session per direction, as AWS Traffic Mirroring with two sources)
  srh            (ipv6-srh.pcap) smtp-ipv6.pcap with an SRv6 Segment Routing Header (RFC 8754)
                 in the client's packets: Destination Address the waypoint 2001:db8:ffff::1,
                 Segments Left 1, Segment List[0] the server (the final destination, which
                 TCP's checksum covers, RFC 8200 §8.1); the server's replies unchanged
From pcaps/tunnel/vxlan-starttls.pcap:
  vxlan-inner    the inner Ethernet frames alone (the capture without its tunnel)
  vxlan-frag     each outer IPv4 datagram over 600 bytes sent as two fragments (RFC 791 §3.2)
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import csum, read_pcap, write_pcap  # noqa: E402

MAC_A, MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
IP_A, IP_B = bytes([10, 255, 0, 1]), bytes([10, 255, 0, 2])
WAYPOINT = bytes.fromhex("20010db8ffff00000000000000000001")
ip_id = [0]
gre_seq = [0]


def ipv4(proto, payload, fwd, ident=None, frag=0):
    if ident is None:
        ip_id[0] = (ip_id[0] + 1) & 0xFFFF
        ident = ip_id[0]
    src, dst = (IP_A, IP_B) if fwd else (IP_B, IP_A)
    h = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto,
                              0, src, dst))
    struct.pack_into(">H", h, 10, csum(bytes(h)))
    return bytes(h) + payload


def eth(etype, payload, fwd):
    return (MAC_B + MAC_A if fwd else MAC_A + MAC_B) + struct.pack(">H", etype) + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def udp_csum(src, dst, seg):
    """seg (a UDP datagram, checksum 0) with its checksum over the IPv4 pseudo-header."""
    c = csum(src + dst + struct.pack(">BBH", 0, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack(">H", c) + seg[8:]


def vxlan(frame, fwd, vni, checksum=False):
    """The Ethernet frame in IPv4 / UDP 4789 / VXLAN (RFC 7348 §5: flags I)."""
    seg = udp(51000 if fwd else 51001, 4789, struct.pack(">II", 0x08000000, vni << 8) + frame)
    if checksum:
        seg = udp_csum(*((IP_A, IP_B) if fwd else (IP_B, IP_A)), seg)
    return eth(0x0800, ipv4(17, seg, fwd), fwd)


def inner_ip(frame):
    """The IP packet of an Ethernet frame, without the frame's padding."""
    etype = struct.unpack(">H", frame[12:14])[0]
    if etype == 0x0800:
        return frame[14:14 + struct.unpack(">H", frame[16:18])[0]]
    assert etype == 0x86DD
    return frame[14:14 + 40 + struct.unpack(">H", frame[18:20])[0]]


def gre(flags, ptype, payload, key=None):
    h = struct.pack(">HH", flags, ptype)
    if flags & 0x2000:
        h += struct.pack(">I", key)
    if flags & 0x1000:
        gre_seq[0] += 1
        h += struct.pack(">I", gre_seq[0])
    return h + payload


def wrap(kind, frame, fwd):
    sport = 51000 if fwd else 51001
    if kind == "gre-ip":
        return eth(0x0800, ipv4(47, gre(0x2000, 0x0800, inner_ip(frame), key=7), fwd), fwd)
    if kind == "gre-eth":
        return eth(0x0800, ipv4(47, gre(0, 0x6558, frame), fwd), fwd)
    if kind == "erspan2":
        # Ver 1, VLAN 0, COS 0, En 0, T 0, Session 100 | Reserved 0, Index 0
        hdr = struct.pack(">HHI", 0x1000, 100, 0)
        return eth(0x0800, ipv4(47, gre(0x1000, 0x88BE, hdr + frame), fwd), fwd)
    if kind == "erspan3":
        # Ver 2, VLAN 0, COS 0, BSO 0, T 0, Session 200 | Timestamp | SGT 0, P 0, FT 0, HwID 1,
        # D 0, Gra 3 (IEEE 1588), O 0
        hdr = struct.pack(">HHIHH", 0x2000, 200, 0x01020304, 0, (1 << 4) | (3 << 1))
        return eth(0x0800, ipv4(47, gre(0x1000, 0x22EB, hdr + frame), fwd), fwd)
    if kind == "geneve":
        # Ver 0, Opt Len 3 (12 bytes), O 0, C 0, Protocol 0x0800, VNI 0x123456; one option:
        # class 0x0108 (Amazon), type 1, length 2 (8 bytes of data)
        opt = struct.pack(">HBB", 0x0108, 1, 2) + bytes(range(8))
        hdr = struct.pack(">BBH", 3, 0, 0x0800) + bytes([0x12, 0x34, 0x56, 0]) + opt
        return eth(0x0800, ipv4(17, udp(sport, 6081, hdr + inner_ip(frame)), fwd), fwd)
    if kind == "geneve-oam":
        data = wrap("geneve", frame, fwd)
        ip = inner_ip(frame)
        tcp_at = (ip[0] & 0x0F) * 4
        pay_at = tcp_at + (ip[tcp_at + 12] >> 4) * 4
        if pay_at == len(ip):
            return data
        # the same frame, O set (byte 1 of the Geneve header), its TCP payload 'X'
        oam = bytearray(data)
        gen = 14 + 20 + 8
        oam[gen + 1] |= 0x80
        inner = gen + 8 + 12
        for k in range(inner + pay_at, inner + len(ip)):
            oam[k] = ord("X")
        return [bytes(oam), data]
    if kind == "ipip":
        return eth(0x0800, ipv4(4, inner_ip(frame), fwd), fwd)
    if kind == "6in4":
        return eth(0x0800, ipv4(41, inner_ip(frame), fwd), fwd)
    if kind == "mpls":
        labels = struct.pack(">II", (1000 << 12) | 64, (2000 << 12) | 0x100 | 64)
        return eth(0x8847, labels + inner_ip(frame), fwd)
    if kind == "mpls-eth":
        labels = struct.pack(">II", (1000 << 12) | 64, (2000 << 12) | 0x100 | 64)
        return eth(0x8847, labels + frame, fwd)
    if kind == "mpls-ethcw":
        labels = struct.pack(">II", (1000 << 12) | 64, (2000 << 12) | 0x100 | 64)
        gre_seq[0] += 1
        return eth(0x8847, labels + struct.pack(">I", gre_seq[0] & 0xFFFF) + frame, fwd)
    if kind == "mpls-lsp":
        stack = [16001, 7, 0x5A5A5, 24001] if fwd else [16002, 24002]
        labels = b"".join(struct.pack(">I", (lab << 12) | (0x100 if k == len(stack) - 1 else 0) | 64)
                          for k, lab in enumerate(stack))
        return eth(0x8847, labels + inner_ip(frame), fwd)
    if kind == "srh":
        if not fwd:
            return frame
        ip = inner_ip(frame)
        assert ip[0] >> 4 == 6
        # Next Header, Hdr Ext Len 2, Routing Type 4, Segments Left 1, Last Entry 0, Flags 0,
        # Tag 0, Segment List[0]: the final destination
        srh = struct.pack(">BBBBBBH", ip[6], 2, 4, 1, 0, 0, 0) + ip[24:40]
        plen = struct.unpack(">H", ip[4:6])[0] + len(srh)
        hdr = ip[:4] + struct.pack(">HBB", plen, 43, ip[7]) + ip[8:24] + WAYPOINT
        return frame[:14] + hdr + srh + ip[40:]
    if kind == "pppoe":
        ip = inner_ip(frame)
        return eth(0x8864, struct.pack(">BBHHH", 0x11, 0, 0x0042, 2 + len(ip), 0x0021) + ip, fwd)
    if kind == "vxlan-innerfrag":
        return [vxlan(f, fwd, 4242, checksum=True) for f in fragment(frame)]
    if kind == "erspan2-frag":
        return fragment(wrap("erspan2", frame, fwd))
    if kind == "vxlan-nestfrag":
        return [o for f in fragment(frame) for o in fragment(vxlan(f, fwd, 4242, checksum=True), 400)]
    if kind == "vxlan-split":
        return vxlan(frame, fwd, 101 if fwd else 102)
    if kind == "vxlan-gre":
        vx = udp(sport, 4789, struct.pack(">II", 0x08000000, 7 << 8) + frame)
        return eth(0x0800, ipv4(47, gre(0, 0x0800, ipv4(17, vx, fwd)), fwd), fwd)
    raise ValueError(kind)


def client_side(frame):
    """The frame goes from the client (its TCP destination port is the server's, 25)."""
    ip = inner_ip(frame)
    off = 20 if ip[0] >> 4 == 4 else 40
    return struct.unpack(">H", ip[off + 2:off + 4])[0] in (25, 587, 465)


def strip_vxlan(frame):
    ihl = (frame[14] & 0x0F) * 4
    assert frame[14 + 9] == 17 and struct.unpack(">H", frame[14 + ihl + 2:14 + ihl + 4])[0] == 4789
    return frame[14 + ihl + 8 + 8:]


def fragment(frame, limit=600):
    """The frame's outer IPv4 datagram in two fragments when longer than limit."""
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    tot = struct.unpack(">H", ip[2:4])[0]
    if tot <= limit:
        return [frame]
    ident = struct.unpack(">H", ip[4:6])[0]
    data = ip[ihl:tot]
    cut = (limit - ihl) // 8 * 8
    out = []
    for off, part, more in ((0, data[:cut], 0x2000), (cut, data[cut:], 0)):
        h = bytearray(ip[:ihl])
        struct.pack_into(">H", h, 2, ihl + len(part))
        struct.pack_into(">H", h, 6, more | (off // 8))
        struct.pack_into(">H", h, 10, 0)
        struct.pack_into(">H", h, 10, csum(bytes(h)))
        out.append(frame[:14] + bytes(h) + part)
    return out


def main():
    out = "pcaps/tunnel"
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls12-chain.pcap")
    _, recs6 = read_pcap("pcaps/smtp-ipv6.pcap")
    for kind in ("gre-ip", "gre-eth", "erspan2", "erspan3", "geneve", "ipip", "6in4", "mpls",
                 "pppoe", "vxlan-gre", "vxlan-innerfrag", "vxlan-split", "mpls-eth", "mpls-ethcw",
                 "geneve-oam", "vxlan-nestfrag", "erspan2-frag", "mpls-lsp", "srh"):
        src = recs6 if kind in ("6in4", "srh") else recs
        ip_id[0] = 0
        gre_seq[0] = 0
        new = []
        for sec, usec, frame, orig in src:
            assert len(frame) == orig
            w = wrap(kind, frame, client_side(frame))
            for part in w if isinstance(w, list) else [w]:
                new.append([sec, usec, part, len(part)])
        names = {"6in4": "ipv6-6in4", "srh": "ipv6-srh"}
        write_pcap("%s/%s.pcap" % (out, names.get(kind, "tls12-chain-" + kind)), hdr, new)
    vhdr, vrecs = read_pcap("pcaps/tunnel/vxlan-starttls.pcap")
    write_pcap(out + "/vxlan-inner.pcap", vhdr,
               [[s, u, strip_vxlan(f), len(strip_vxlan(f))] for s, u, f, o in vrecs])
    frag = []
    for s, u, f, o in vrecs:
        for part in fragment(f):
            frag.append([s, u, part, len(part)])
    write_pcap(out + "/vxlan-frag.pcap", vhdr, frag)


if __name__ == "__main__":
    main()
