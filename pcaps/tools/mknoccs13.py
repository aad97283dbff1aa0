#!/usr/bin/env python3
"""A TLS 1.3 handshake without the middlebox-compatibility ChangeCipherSpec
(RFC 8446 Appendix D.4: optional; stacks that leave it out send none),
picked up right after its ServerHello (pcaps/variants/README.md). Plain
Python (struct), no scapy; deterministic. Run from the repo root:
python3 pcaps/tools/mknoccs13.py

tls13-noccs-after-sh.pcap
    smtp-starttls-tls13.pcap with its first session (client port 51756)
    picked up right after the server's ServerHello: the session's packets
    before the server's ServerHello segment dropped, that segment's
    ServerHello and ChangeCipherSpec records cut from its front, and the
    client's ChangeCipherSpec record cut from the front of its Finished
    segment (each cut moves the segment's sequence number by its length;
    the peer's acknowledgements, which count the bytes sent, are kept: the
    later segments' numbers are the base's). What the capture shows of the
    session is then only records of type 23 (application_data): the
    server's encrypted flight (EncryptedExtensions, Certificate,
    CertificateVerify, Finished), the client's Finished, then SMTP. The
    other sessions are kept whole.

Helpers from mknotvis.py (reading the pcap, cutting a payload at a record
boundary and fixing the IP and TCP lengths and checksums). Assumptions
(asserted): little-endian pcap, Ethernet, IPv4, TCP.
"""
import struct

from mknotvis import cut_payload, payload, ports, read_pcap, write

CLIENT = 51756


def records(p):
    """[(type, length of the whole record)] of the records p begins with."""
    out, at = [], 0
    while at + 5 <= len(p):
        n = 5 + struct.unpack(">H", p[at + 3:at + 5])[0]
        out.append((p[at], n))
        at += n
    return out


def main():
    hdr, recs = read_pcap("pcaps/smtp-starttls-tls13.pcap")
    out, picked, client_ccs = [], False, False
    for r in recs:
        pt = ports(r)
        if pt is None or CLIENT not in pt:
            out.append(r)
            continue
        p = payload(r)
        if not picked:
            if pt[0] == 25 and len(p) > 5 and p[0] == 22 and p[5] == 2:
                rs = records(p)
                assert rs[0][0] == 22 and rs[1] == (20, 6), "ServerHello, then CCS expected"
                out.append(cut_payload(r, rs[0][1] + rs[1][1], None))
                picked = True
            continue  # before the ServerHello: dropped
        if pt[1] == 25 and not client_ccs and len(p) > 0:
            rs = records(p)
            assert rs[0] == (20, 6) and rs[1][0] == 23, "client CCS, then Finished expected"
            out.append(cut_payload(r, 6, None))
            client_ccs = True
            continue
        out.append(r)
    assert picked and client_ccs
    write("pcaps/variants/tls13-noccs-after-sh.pcap", hdr, out)


if __name__ == "__main__":
    main()
