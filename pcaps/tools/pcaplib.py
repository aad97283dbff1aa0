"""What the variant scripts share: the Internet checksum (RFC 1071) of the
IPv4 header and of TCP over its pseudo-header (RFC 793 §3.1), reading a
little-endian microsecond Ethernet pcap (the bundled captures' format) and
writing one back, and a UDP datagram made from another's headers."""

import struct


def csum(b):
    """RFC 1071 one's complement sum of b, complemented (b padded to even)."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_pcap(path):
    """(the 24-byte file header, [[sec, usec, frame bytes, orig len], ...])."""
    with open(path, "rb") as f:
        data = f.read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, path + ": little-endian microsecond pcap"
    assert struct.unpack("<I", data[20:24])[0] == 1, path + ": Ethernet"
    off, recs = 24, []
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        recs.append([sec, usec, data[off + 16:off + 16 + incl], orig])
        off += 16 + incl
    return data[:24], recs


def write_pcap(path, hdr, recs):
    """hdr (read_pcap's) and recs ([sec, usec, frame bytes, orig len], each
    record's caplen the frame's length) written to path."""
    with open(path, "wb") as f:
        f.write(hdr)
        for sec, usec, data, orig in recs:
            f.write(struct.pack("<IIII", sec, usec, len(data), orig) + data)


def udp_frame_with(template, payload):
    """template (Ethernet, IPv4 without options, UDP) carrying payload
    instead: the IPv4 total length and header checksum made anew, the UDP
    length too, its checksum 0 (none, RFC 768)."""
    eth, ip = template[:14], bytearray(template[14:34])
    udp = bytearray(template[34:42])
    struct.pack_into(">H", udp, 4, 8 + len(payload))
    struct.pack_into(">H", udp, 6, 0)
    struct.pack_into(">H", ip, 2, 20 + 8 + len(payload))
    struct.pack_into(">H", ip, 10, 0)
    struct.pack_into(">H", ip, 10, csum(bytes(ip)))
    return eth + bytes(ip) + bytes(udp) + payload
