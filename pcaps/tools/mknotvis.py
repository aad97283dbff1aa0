#!/usr/bin/env python3
"""Variants for certificates_not_visible (pcaps/variants/README.md, "Cut at a
record boundary"): captures that end, or begin, right after a server's
ServerHello, where the ServerHello shares a TCP segment with what follows it.
Plain Python (struct), no scapy; deterministic. Run from the repo root:
python3 pcaps/tools/mknotvis.py

tls12-chain-end-after-sh.pcap
    smtp-starttls-tls12-chain.pcap, its first session up to packet 12 (the
    server's ServerHello and the start of its Certificate, in one segment)
    with that segment cut right after the ServerHello record: the capture
    ends after the server's ServerHello, before its Certificate.
resumption-after-sh.pcap
    pcaps/diag/resumption.pcap with each resumed session (its ServerHello
    segment holding the ServerHello and what follows it, no Certificate)
    picked up right after its ServerHello: that session's packets before
    the segment dropped, and the segment's ServerHello record cut from its
    front (sequence number moved by its length); the last of them (the
    Postfix client's, port 42496, the capture's last session) also ends
    there, as a capture stopped before the client answered. The full
    handshakes are kept whole.
resumption-from-sh.pcap
    the same, each resumed session picked up at its ServerHello segment,
    kept whole (the ServerHello in the capture, the ClientHello not), the
    last one not cut short.

tls12-chain-skew-ccs.pcap
    smtp-starttls-tls12-chain.pcap's first session (a full handshake)
    picked up at the client's ClientKeyExchange, ChangeCipherSpec and
    Finished segment (packet 15), the ClientKeyExchange record cut from its
    front, and that segment swapped with the server's NewSessionTicket,
    ChangeCipherSpec and Finished one (packet 16), each keeping the other's
    time stamp: two taps whose clocks disagree, the server's stamped before
    the client's it acknowledges (its ACK covers the client's Finished).
    Capture order shows the server's ChangeCipherSpec first, as a resumed
    handshake's; TCP's says the client's came first.

A segment's payload is cut at a TLS record boundary; the IP total length,
IP header checksum, TCP sequence number and checksum, and the pcap record's
lengths are fixed. Assumptions (asserted): little-endian pcap, Ethernet,
IPv4, TCP.
"""
import struct

from pcaplib import csum
import sys


def read_pcap(path):
    raw = open(path, "rb").read()
    assert struct.unpack("<I", raw[:4])[0] == 0xA1B2C3D4, "little-endian pcap expected"
    assert struct.unpack("<I", raw[20:24])[0] == 1, "Ethernet expected"
    recs, off = [], 24
    while off + 16 <= len(raw):
        incl = struct.unpack("<I", raw[off + 8:off + 12])[0]
        recs.append(bytearray(raw[off:off + 16 + incl]))
        off += 16 + incl
    return raw[:24], recs


def tcp_of(rec):
    """(ip offset, tcp offset, payload offset, end) in rec, or None."""
    ip = 16 + 14
    if struct.unpack(">H", rec[28:30])[0] != 0x0800 or rec[ip + 9] != 6:
        return None
    ihl = (rec[ip] & 15) * 4
    tcp = ip + ihl
    end = ip + struct.unpack(">H", rec[ip + 2:ip + 4])[0]
    return ip, tcp, tcp + (rec[tcp + 12] >> 4) * 4, end


def ports(rec):
    t = tcp_of(rec)
    return struct.unpack(">HH", rec[t[1]:t[1] + 4]) if t else None


def payload(rec):
    t = tcp_of(rec)
    return bytes(rec[t[2]:t[3]]) if t else b""



def cut_payload(rec, start, stop):
    """rec with its TCP payload replaced by payload[start:stop]; the
    sequence number moves by start."""
    ip, tcp, pay, end = tcp_of(rec)
    data = rec[pay:end][start:stop]
    out = bytearray(rec[:pay]) + data + rec[end:]  # Ethernet padding, if any, kept
    seq = struct.unpack(">I", out[tcp + 4:tcp + 8])[0]
    out[tcp + 4:tcp + 8] = struct.pack(">I", (seq + start) & 0xFFFFFFFF)
    tot = pay - ip + len(data)
    out[ip + 2:ip + 4] = struct.pack(">H", tot)
    out[ip + 10:ip + 12] = b"\0\0"
    out[ip + 10:ip + 12] = struct.pack(">H", csum(bytes(out[ip:tcp])))
    out[tcp + 16:tcp + 18] = b"\0\0"
    seg = bytes(out[tcp:ip + tot])
    ph = bytes(out[ip + 12:ip + 20]) + struct.pack(">BBH", 0, 6, len(seg))
    out[tcp + 16:tcp + 18] = struct.pack(">H", csum(ph + seg))
    caplen = len(out) - 16
    out[8:16] = struct.pack("<II", caplen, caplen)
    return out


def first_record(p):
    """Length of the TLS record p begins with, asserted a ServerHello's."""
    assert p[0] == 22 and p[1] == 3 and p[5] == 2, "no ServerHello record first"
    return 5 + struct.unpack(">H", p[3:5])[0]


def sh_extensions(p):
    """The extension types of the ServerHello record p begins with (RFC
    8446 §4.1.3: version, random, session id, cipher, compression, then
    the extensions)."""
    at = 9 + 2 + 32
    at += 1 + p[at] + 2 + 1
    end = at + 2 + struct.unpack(">H", p[at:at + 2])[0]
    at += 2
    types = []
    while at + 4 <= end:
        t, n = struct.unpack(">HH", p[at:at + 4])
        types.append(t)
        at += 4 + n
    return types


def abbreviated(p, n):
    """Whether the ServerHello record (n bytes at the start of p) begins a
    resumed handshake: TLS 1.3 with pre_shared_key (41) accepted (RFC 8446
    §4.2.11), or TLS 1.2 with its ChangeCipherSpec right after the
    ServerHello, no Certificate (RFC 5246 §7.3, the abbreviated handshake)."""
    exts = sh_extensions(p)
    if 43 in exts:  # supported_versions: TLS 1.3
        return 41 in exts
    return n < len(p) and p[n] == 20


def end_after_sh():
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls12-chain.pcap")
    client = ports(recs[0])[0]  # the first session's client port
    out = []
    for i, r in enumerate(recs):
        if ports(r) is None or client not in ports(r):
            continue
        p = payload(r)
        if ports(r)[0] == 25 and len(p) > 5 and p[0] == 22 and p[5] == 2:
            n = first_record(p)
            assert n < len(p) and p[n] == 22 and p[n + 5] == 11, "no Certificate after it"
            out.append(cut_payload(r, 0, n))
            break
        out.append(r)
    else:
        sys.exit("no ServerHello in the first session")
    write("pcaps/variants/tls12-chain-end-after-sh.pcap", hdr, out)


def resumed_after_sh(after=True):
    hdr, recs = read_pcap("pcaps/diag/resumption.pcap")
    # each session's server ServerHello segment, and whether a Certificate follows
    sh = {}
    for i, r in enumerate(recs):
        pt = ports(r)
        if pt is None or pt[0] != 25 or pt[1] in sh:
            continue
        p = payload(r)
        if len(p) > 5 and p[0] == 22 and p[5] == 2:
            n = first_record(p)
            sh[pt[1]] = (i, n) if abbreviated(p, n) else None
    resumed = {c: v for c, v in sh.items() if v is not None}
    assert len(resumed) == 4, "four resumed sessions expected"
    last = max(resumed, key=lambda c: resumed[c][0])
    out = []
    for i, r in enumerate(recs):
        pt = ports(r)
        c = None if pt is None else (pt[1] if pt[0] == 25 else pt[0])
        if c in resumed:
            at, n = resumed[c]
            if i < at or (after and c == last and i > at):
                continue
            if i == at and after:
                r = cut_payload(r, n, None)
        out.append(r)
    write("pcaps/variants/resumption-%s-sh.pcap" % ("after" if after else "from"), hdr, out)


def skewed_ccs():
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls12-chain.pcap")
    client = ports(recs[0])[0]
    out, kept = [], []
    for i, r in enumerate(recs):
        if ports(r) is not None and client in ports(r):
            if i < 14:
                continue  # before the client's ClientKeyExchange segment
            if i == 14:
                p = payload(r)
                assert p[0] == 22 and p[5] == 16, "no ClientKeyExchange first"
                n = 5 + struct.unpack(">H", p[3:5])[0]
                assert p[n] == 20, "no ChangeCipherSpec after it"
                r = cut_payload(r, n, None)
            kept.append(len(out))
        out.append(r)
    a, b = kept[0], kept[1]
    assert ports(out[b])[0] == 25 and payload(out[b])[0] == 22, "server's NST segment next"
    ta, tb = bytes(out[a][:8]), bytes(out[b][:8])
    out[a], out[b] = out[b], out[a]
    out[a][:8], out[b][:8] = ta, tb
    write("pcaps/variants/tls12-chain-skew-ccs.pcap", hdr, out)


def write(path, hdr, recs):
    with open(path, "wb") as f:
        f.write(hdr)
        for r in recs:
            f.write(r)
    print(f"{path}: {len(recs)} packets")


if __name__ == "__main__":
    end_after_sh()
    resumed_after_sh()
    resumed_after_sh(after=False)
    skewed_ccs()
