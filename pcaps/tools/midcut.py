#!/usr/bin/env python3
"""Cuts bundled captures at every packet boundary of their TLS handshakes, as
a capture started late sees them (a span port switched on during a session,
a ring buffer's first file): the packets before the cut are dropped, nothing
else changes (payloads, times, sequence numbers are the base's). Plain
Python (struct), no scapy; deterministic. Run from the repo root.

  midcut.py sweep OUTDIR BASE.pcap...
      For each mail session of each base (a client port talking to 25, 465
      or 587), one capture per cut point from the packet of the client's
      STARTTLS (the session's first packet on 465) to
      the packet that carries the client's first application data (or the
      session's last packet when it has none): OUTDIR/<base>-<packet>.pcap,
      <packet> the 1-based number of its first packet in the base. Earlier
      sessions are gone, later ones whole. OUTDIR/manifest.json says, for
      each cut, what of the session's TLS the kept part holds: which
      handshake messages, alerts and records are whole in it, and whether
      the server's and the client's Certificate messages are (what
      tests/tools/midsweep_check.py checks smtptap's record against).

  midcut.py variants
      Writes the cuts kept under pcaps/variants/ (see its README).

Assumptions (asserted): Ethernet/IPv4, every session opened by a SYN in the
base, no byte sent twice with different content. STARTTLS sessions switch
to TLS after the client's "STARTTLS" line and after the server's "220 "
reply line that follows its banner; 465 is TLS from the first byte.
"""
import json
import os
import struct
import sys

MAIL_PORTS = (25, 465, 587)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(f"{path}: not Ethernet")
    off, recs = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    return data[:24], recs


def parse_tcp(rec):
    """(src, sport, dst, dport, seq, flags, payload) or None."""
    fr = rec[16:]
    if len(fr) < 34 or struct.unpack("!H", fr[12:14])[0] != 0x0800:
        return None
    ip = fr[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6:
        return None
    tot = struct.unpack("!H", ip[2:4])[0]
    t = ip[ihl:tot]
    doff = (t[12] >> 4) * 4
    sport, dport, seq = struct.unpack("!HHI", t[:8])
    return (ip[12:16], sport, ip[16:20], dport, seq, t[13], bytes(t[doff:]))


class Stream:
    """One direction's bytes by offset from the SYN, with the last packet
    that carried each byte (a byte is in a cut iff that packet is kept)."""

    def __init__(self):
        self.isn = None
        self.data = bytearray()
        self.last = []  # packet index of the last copy of each byte

    def add(self, i, seq, flags, payload):
        if flags & 2:  # SYN
            self.isn = seq
            return
        if not payload:
            return
        assert self.isn is not None, "session without its SYN"
        off = (seq - self.isn - 1) & 0xFFFFFFFF
        end = off + len(payload)
        if end > len(self.data):
            self.data.extend(b"\0" * (end - len(self.data)))
            self.last.extend([-1] * (end - len(self.last)))
        for k in range(len(payload)):
            if self.last[off + k] >= 0:
                assert self.data[off + k] == payload[k], "different copies"
            self.data[off + k] = payload[k]
            self.last[off + k] = i

    def first_packet(self, a, b):
        """The earliest packet a cut may start at and keep bytes [a, b)."""
        return min(self.last[a:b])


def tls_start(st, port, client):
    if port == 465:
        return 0
    d = bytes(st.data)
    if client:
        k = d.upper().find(b"STARTTLS\r\n")
        assert k >= 0, "no STARTTLS"
        return k + 10
    lines, off = 0, 0
    while True:
        e = d.index(b"\r\n", off) + 2
        if d[off:off + 4] == b"220 ":
            lines += 1
            if lines == 2:
                assert d[e] == 0x16, "no TLS after the 220 to STARTTLS"
                return e
        off = e


def server_hello_13(body):
    """True when a ServerHello body selects TLS 1.3 (RFC 8446 §4.2.1)."""
    p = 2 + 32
    p += 1 + body[p]
    p += 3
    if p + 2 > len(body):
        return False
    end = p + 2 + struct.unpack("!H", body[p:p + 2])[0]
    p += 2
    while p + 4 <= end:
        typ, n = struct.unpack("!HH", body[p:p + 4])
        if typ == 43 and n == 2 and body[p + 4:p + 6] == b"\x03\x04":
            return True
        p += 4 + n
    return False


def tls_events(st, start, client, tls13_box):
    """The direction's TLS records and clear handshake messages, each as
    (kind, name, first byte, end byte) in stream offsets."""
    ev, hs, hs_first = [], bytearray(), None
    d, off, ccs = st.data, start, False
    while off + 5 <= len(d):
        typ, ln = d[off], struct.unpack("!H", d[off + 3:off + 5])[0]
        body = off + 5
        if body + ln > len(d) or st.last[off] < 0:
            break
        ev.append(("record", typ, off, body + ln))
        if typ == 20:
            ccs = True
        elif typ == 22 and not (ccs and not tls13_box[0]):
            # clear handshake bytes: messages may span records
            if not hs:
                hs_first = body
            hs += d[body:body + ln]
            while len(hs) >= 4:
                mlen = int.from_bytes(hs[1:4], "big")
                if len(hs) < 4 + mlen:
                    break
                mtype = hs[0]
                if mtype == 2 and not client:
                    tls13_box[0] = server_hello_13(bytes(hs[4:4 + mlen]))
                # the message's last byte is in this record: where it ends
                ev.append(("hs", mtype, hs_first, body + ln - (len(hs) - 4 - mlen)))
                del hs[:4 + mlen]
                hs_first = body + ln - len(hs)
        elif typ == 21:
            ev.append(("alert", ccs or tls13_box[0], off, body + ln))
        off = body + ln
    return ev


def sessions(recs):
    out = {}
    for i, rec in enumerate(recs):
        t = parse_tcp(rec)
        if t is None:
            continue
        src, sport, dst, dport, seq, flags, pl = t
        if dport in MAIL_PORTS:
            key, client = (src, sport, dst, dport), True
        elif sport in MAIL_PORTS:
            key, client = (dst, dport, src, sport), False
        else:
            continue
        s = out.get(key)
        if s is None or (flags & 2 and not flags & 16 and s["closed"]):
            s = out[key] = {"key": key, "pkts": [], "closed": False,
                            "dir": [Stream(), Stream()]}
        s["pkts"].append(i)
        s["dir"][0 if client else 1].add(i, seq, flags, pl)
        if flags & 5:  # FIN or RST
            s["closed"] = True
    return sorted(out.values(), key=lambda s: s["pkts"][0])


def analyse(s):
    port = s["key"][3]
    cl, sv = s["dir"]
    box = [False]
    sev = tls_events(sv, tls_start(sv, port, False), False, box)
    cev = tls_events(cl, tls_start(cl, port, True), True, box)
    items = []
    for who, evs, stv in (("C", cev, cl), ("S", sev, sv)):
        for kind, what, a, b in evs:
            items.append({"from": who, "kind": kind, "what": what,
                          "first": stv.first_packet(a, b) + 1})
    # the end of the sweep: the client's first application data (in TLS
    # 1.3 its first type-23 record is its Finished)
    appdata = [e for e in items if e["from"] == "C" and e["kind"] == "record" and e["what"] == 23]
    k = 1 if box[0] else 0
    last = appdata[k]["first"] - 1 if len(appdata) > k else s["pkts"][-1]
    # the start: the packet of the client's STARTTLS (its TLS comes after
    # it), or the session's first on 465
    start = s["pkts"][0]
    if port != 465:
        at = tls_start(cl, port, True) - 1
        start = cl.last[at]
    return items, box[0], start, last


def write(hdr, recs, path, first):
    with open(path, "wb") as f:
        f.write(hdr + b"".join(recs[first:]))


def sweep(outdir, bases):
    manifest = []
    for base in bases:
        hdr, recs = read_pcap(base)
        name = os.path.splitext(os.path.basename(base))[0]
        for s in sessions(recs):
            items, tls13, start, last = analyse(s)
            for cut in [p for p in s["pkts"] if start <= p <= last]:
                fn = f"{name}-{cut + 1:03d}.pcap"
                write(hdr, recs, os.path.join(outdir, fn), cut)
                kept = [dict(e, kept=e["first"] > cut) for e in items]
                manifest.append({
                    "file": fn, "base": base, "cut": cut + 1,
                    "client_port": s["key"][1], "server_port": s["key"][3],
                    "session_first": s["pkts"][0] + 1, "tls13": tls13,
                    "items": kept,
                })
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=0)
    print(f"{len(manifest)} cuts in {outdir}")


# The cuts kept as variants: (base, file, packet number of the first kept
# packet in the base, what it shows).
VARIANTS = [
    ("pcaps/smtp-starttls-tls12-chain.pcap", "tls12-chain-mid-crt.pcap", 13,
     "the rest of the server's Certificate first, then the client's Finished"),
    ("pcaps/smtp-starttls-tls12-chain.pcap", "tls12-chain-from-nst.pcap", 16,
     "the server's NewSessionTicket, CCS and encrypted Finished first"),
    ("pcaps/smtp-mutual-tls.pcap", "mutual-tls-mid-client-crt.pcap", 47,
     "the rest of the client's Certificate flight first"),
    ("pcaps/smtp-starttls-tls13.pcap", "tls13-from-serverhello.pcap", 74,
     "TLS 1.3 from the server's ServerHello: no ClientHello, no random for the key log"),
]


def variants():
    for base, fn, first, _ in VARIANTS:
        hdr, recs = read_pcap(base)
        write(hdr, recs, "pcaps/variants/" + fn, first - 1)
        print(f"{fn}: {base} from packet {first} of {len(recs)}")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "sweep":
        sweep(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 2 and sys.argv[1] == "variants":
        variants()
    else:
        sys.exit(__doc__)
