#!/usr/bin/env python3
"""CNAMEd MX hosts in a recorded capture (plain Python, struct; deterministic).
Both variants start from pcaps/diag/dane-anchor.pcap (Postfix's DANE client
through a DNSSEC-validating resolver: mx4; mx5, a CNAME of
mx5.hosting.example.net whose leaf names only mx5.example.test; mx6, a CNAME
of mx6.hosting.example.net whose leaf names the next-hop domain
dane-hop.example.test). Every frame not named below is the recording's.

pcaps/variants/dane-cname-pool.pcap: a pool. After the capture's first DNS
response, two responses of the same resolver to the same client, AD bit set
(DNSSEC-validated, RFC 7672 section 2.2):
  other.example.test MX 10 mxo.example.test
  mxo.example.test CNAME mx6.hosting.example.net; mx6.hosting.example.net A 192.0.2.30
so mx6.hosting.example.net has two aliases, mxo.example.test (first) and
mx6.example.test, MX hosts of other.example.test and dane-hop.example.test.
The leaf of 192.0.2.30 names dane-hop.example.test: a DANE sender for
dane-hop.example.test verifies it (Postfix did, in the recording).

pcaps/variants/dane-cname-insecure.pcap: mx5's CNAME not validated. The AD
bit of the response to "mx5.example.test A" (mx5.example.test CNAME
mx5.hosting.example.net, its A) cleared, and after the response to
"_25._tcp.mx5.hosting.example.net TLSA" another response of the resolver,
AD bit set, giving _25._tcp.mx5.example.test the same record (2 1 0, the
intermediate's key). RFC 7672 section 2.2.2: an insecure expansion leaves
the original name the TLSA base domain: _25._tcp.mx5.example.test, whose
leaf names mx5.example.test.

pcaps/variants/dane-cname-skipped.pcap: as dane-cname-insecure.pcap without
the added TLSA response: the only RRset is at the unvalidated expansion,
_25._tcp.mx5.hosting.example.net, which a DANE sender does not look up
(RFC 7672 section 2.2.2): DANE is not checked for mx5, and smtptap says so.

pcaps/variants/dane-mx-hoster.pcap: a hosting provider's MX host serving
two domains. After the capture's first DNS response, two responses of the
same resolver to the same client, AD bit set:
  other.example.test MX 10 mx6.hosting.example.net
  dane-hop.example.test MX 10 mx6.hosting.example.net
so mx6.hosting.example.net (the SNI of the session to 192.0.2.30, whose
TLSA RRset _25._tcp.mx6.hosting.example.net the recording has) is the MX
host of other.example.test first and of dane-hop.example.test second. Its
leaf names dane-hop.example.test, a next-hop domain (RFC 7672 section
3.2.2): a DANE sender for dane-hop.example.test verifies it.

pcaps/variants/dane-mx-hoster-9.pcap and dane-mx-hoster-33.pcap: the same
with 8 (or 32) customer domains c00.customers.example.test, ... first, and
dane-hop.example.test the 9th (or the 33rd) domain of mx6: smtptap keeps 32
domains per MX host as next-hop domains (DNSLEARN_MX_DOMAINS), so the 9th
is checked (match), and past the 32nd the name check is not decided
(failure name_undecided, no dane_tlsa_mismatch).

Frames added copy the template response's Ethernet, IP and UDP headers
(lengths and the IPv4 checksum made anew, UDP checksum 0: none, RFC 768),
its time stamp plus 1 and 2 microseconds; the edited frame's UDP checksum
is 0 too.

Rerun from the repo root: python3 pcaps/tools/mkcname.py
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import read_pcap, udp_frame_with  # noqa: E402

SRC = "pcaps/diag/dane-anchor.pcap"
POOL = "pcaps/variants/dane-cname-pool.pcap"
INSECURE = "pcaps/variants/dane-cname-insecure.pcap"
HOSTER = "pcaps/variants/dane-mx-hoster.pcap"
SKIPPED = "pcaps/variants/dane-cname-skipped.pcap"
HOSTER9 = "pcaps/variants/dane-mx-hoster-9.pcap"
HOSTER33 = "pcaps/variants/dane-mx-hoster-33.pcap"

T_A, T_MX, T_CNAME, T_TLSA = 1, 15, 5, 52


def name(n):
    return b"".join(bytes([len(x)]) + x.encode() for x in n.split(".")) + b"\0"


def rr(owner, rtype, rdata):
    return name(owner) + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata


def response(qid, qname, qtype, answers, ad):
    flags = 0x8180 | (0x0020 if ad else 0)  # QR RD RA (+ AD)
    q = name(qname) + struct.pack(">HH", qtype, 1)
    return struct.pack(">HHHHHH", qid, flags, 1, len(answers), 0, 0) + q + b"".join(answers)


def dns_response(f):
    """The DNS payload of an IPv4 UDP response from port 53, or None."""
    if len(f) > 54 and f[12:14] == b"\x08\x00" and f[23] == 17 and \
            struct.unpack(">H", f[34:36])[0] == 53:
        assert f[14] == 0x45  # IPv4 without options
        return f[42:]
    return None


def question(p):
    """The first question's name, as text."""
    off, labels = 12, []
    while p[off]:
        labels.append(p[off + 1:off + 1 + p[off]].decode())
        off += 1 + p[off]
    return ".".join(labels), off + 1


def tlsa_rdata(p):
    """The RDATA of the first answer (a TLSA answer whose owner is a pointer
    to the question, as the resolver wrote it)."""
    _, off = question(p)
    off += 4
    assert p[off] & 0xC0 == 0xC0
    rtype, _, _, rdlen = struct.unpack(">HHIH", p[off + 2:off + 12])
    assert rtype == T_TLSA
    return p[off + 12:off + 12 + rdlen]


def write(path, head, recs):
    with open(path, "wb") as o:
        o.write(head)
        for sec, usec, f in recs:
            sec, usec = sec + usec // 1000000, usec % 1000000
            o.write(struct.pack("<IIII", sec, usec, len(f), len(f)) + f)


def pool(head, recs):
    out, done = [], False
    for sec, usec, f, _ in recs:
        out.append((sec, usec, f))
        if not done and dns_response(f) is not None:
            mx = response(0x5201, "other.example.test", T_MX,
                          [rr("other.example.test", T_MX, struct.pack(">H", 10) + name("mxo.example.test"))], True)
            cn = response(0x5202, "mxo.example.test", T_A,
                          [rr("mxo.example.test", T_CNAME, name("mx6.hosting.example.net")),
                           rr("mx6.hosting.example.net", T_A, bytes([192, 0, 2, 30]))], True)
            out.append((sec, usec + 1, udp_frame_with(f, mx)))
            out.append((sec, usec + 2, udp_frame_with(f, cn)))
            done = True
    assert done
    write(POOL, head, out)


def hoster(head, recs, path=HOSTER, doms=("other.example.test", "dane-hop.example.test")):
    out, done = [], False
    for sec, usec, f, _ in recs:
        out.append((sec, usec, f))
        if not done and dns_response(f) is not None:
            for k, dom in enumerate(doms):
                mx = response(0x5204 + k, dom, T_MX,
                              [rr(dom, T_MX, struct.pack(">H", 10) + name("mx6.hosting.example.net"))], True)
                out.append((sec, usec + 1 + k, udp_frame_with(f, mx)))
            done = True
    assert done
    write(path, head, out)


def customers(n):
    """n customer domains of mx6.hosting.example.net, then the leaf's"""
    return ["c%02d.customers.example.test" % k for k in range(n)] + ["dane-hop.example.test"]


def insecure(head, recs, path=INSECURE, add_own=True):
    out, cleared, added = [], False, not add_own
    for sec, usec, f, _ in recs:
        p = dns_response(f)
        qn = question(p)[0] if p is not None else None
        if qn == "mx5.example.test":
            assert p[3] & 0x20  # AD set in the recording
            g = bytearray(f)
            g[45] &= ~0x20 & 0xFF  # the AD bit (DNS header byte 3)
            struct.pack_into(">H", g, 40, 0)  # UDP checksum: none
            f, cleared = bytes(g), True
        out.append((sec, usec, f))
        if add_own and qn == "_25._tcp.mx5.hosting.example.net":
            t = response(0x5203, "_25._tcp.mx5.example.test", T_TLSA,
                         [rr("_25._tcp.mx5.example.test", T_TLSA, tlsa_rdata(p))], True)
            out.append((sec, usec + 1, udp_frame_with(f, t)))
            added = True
    assert cleared and added
    write(path, head, out)


def main():
    head, recs = read_pcap(SRC)
    pool(head, recs)
    insecure(head, recs)
    insecure(head, recs, SKIPPED, add_own=False)
    hoster(head, recs)
    hoster(head, recs, HOSTER9, customers(8))
    hoster(head, recs, HOSTER33, customers(32))


if __name__ == "__main__":
    main()
