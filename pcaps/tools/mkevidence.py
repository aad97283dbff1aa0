#!/usr/bin/env python3
"""Connections that tried to make -w (src/evidence.h) write a credential or
message text, one per client port (plain Python, struct; deterministic).
Writes pcaps/variants/evidence-leaks.pcap. The dialogues are synthetic SMTP
(Ethernet/IPv4, 192.0.2.10 -> 198.51.100.20:25, checksums computed); the
ClientHello is the recorded one of pcaps/smtp-starttls-tls12-chain.pcap's
first session. Every byte that must never reach an evidence file holds the
text SECRET (or, in an AUTH PLAIN response, base64 that opens with
U0VDUkVU, "SECRET"): tests/scripts/evidence_write.sh greps for both.

  40001 STARTTLS answered 220, then the client goes on in clear: AUTH PLAIN
        and MAIL FROM (the flow was the TLS dissector's: written whole)
  40002 the server repeats the envelope in its replies (sendmail's "250
        2.1.0 <a@b>... Sender ok", Postfix's "550 5.1.1 <b@c>: Recipient
        address rejected")
  40003 the same with the client's MAIL segment lost: the server's reply
        acknowledges client bytes not seen
  40004 picked up midstream in a message body whose segment opens with the
        bytes of a ClientHello header (16 03 01 .. .. 01) (the flow was read
        as TLS: the whole message written)
  40005 SYN seen, the client's MAIL/RCPT/DATA segment lost, then a body
        segment that opens as a ClientHello
  40006 after STARTTLS and 220, the ClientHello, then a retransmission of
        its sequence range holding AUTH PLAIN in clear
  40007 the same with the plaintext segment after a hole (out of order)
  40008 after STARTTLS and 220, one segment: the ClientHello and then
        AUTH PLAIN in clear
  40009 "EHLO x<CR>AUTH PLAIN ...<CR><LF>": a bare CR, which some servers
        take for a line's end (SMTP smuggling)
  40010 every frame followed by 14 bytes past its IP datagram (Ethernet
        padding from a driver's memory, CVE-2003-0001)
  40011 picked up midstream in a message body whose segment opens with an
        application-data record header (17 03 03 00 18)
  40012 the client's MAIL segment lost, the server's ACK of it, the client's
        ACKs until the reassembler gives the hole up (reasm.hole_wait, 8),
        then the server's reply repeating the lost envelope
  40013 after STARTTLS and 220, the ClientHello, then, once it was parsed,
        AUTH PLAIN in clear in the next segment
  40014 the same, the next segment a ChangeCipherSpec record and then AUTH
        PLAIN in clear (bytes that open a record, then none)
  40015 the ClientHello in two segments, the second going on after the
        record's end with AUTH PLAIN in clear
  40016 (no leak: kept) the ClientHello in two segments, then the server's
        alert: both written whole, so the evidence shows the hello (its SNI)
  40017 the server's reply repeating the envelope comes ahead of the MAIL
        FROM it acknowledges (two taps merged out of order): held, then cut
  40018 the client's EHLO lost for good, then 40 segments ahead of the
        stream (MAIL FROM with a secret, NOOP) and a reply repeating one:
        the hold-back queue's bound per flow, nothing written whole
  40019 the 220 to STARTTLS, the ClientHello and AUTH PLAIN in clear all
        ahead of the STARTTLS: the 220 and the hello are written whole
        once the STARTTLS comes (held), the AUTH is not
  40020 after STARTTLS, a ClientHello and a ServerHello, the client goes on
        in clear (AUTH PLAIN) and the server answers in clear, repeating
        it: its bytes after the hello are no TLS record (the server's
        record framing), and acknowledge the AUTH: cut

Rerun from the repo root: python3 pcaps/tools/mkevidence.py
"""
import base64
import struct

from pcaplib import csum

SRC = "pcaps/smtp-starttls-tls12-chain.pcap"
OUT = "pcaps/variants/evidence-leaks.pcap"
CLI, SRV = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 20])
FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10



def frame(c2s, cp, seq, ack, flags, data=b""):
    src, dst = (CLI, SRV) if c2s else (SRV, CLI)
    sp, dp = (cp, 25) if c2s else (25, cp)
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                      65535, 0, 0)
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(data)) + tcp + data)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(data), 1, 0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + tcp + data


class Conn:
    def __init__(self, cp, syn=True):
        self.cp, self.cs, self.ss, self.fr = cp, 1000, 5000, []
        if syn:
            self.fr.append(frame(True, cp, self.cs, 0, SYN))
            self.cs += 1
            self.fr.append(frame(False, cp, self.ss, self.cs, SYN | ACK))
            self.ss += 1
            self.fr.append(frame(True, cp, self.cs, self.ss, ACK))

    def c(self, data, seq=None):
        self.fr.append(frame(True, self.cp, self.cs if seq is None else seq, self.ss, PSH | ACK,
                             data))
        if seq is None:
            self.cs += len(data)

    def s(self, data):
        self.fr.append(frame(False, self.cp, self.ss, self.cs, PSH | ACK, data))
        self.ss += len(data)

    def lose(self, data):  # client bytes sent, not in the capture
        self.cs += len(data)

    def fin(self):
        self.fr.append(frame(True, self.cp, self.cs, self.ss, FIN | ACK))
        self.cs += 1
        self.fr.append(frame(False, self.cp, self.ss, self.cs, FIN | ACK))
        self.ss += 1
        self.fr.append(frame(True, self.cp, self.cs, self.ss, ACK))
        return self.fr


def auth(tag):
    return b"AUTH PLAIN " + base64.b64encode(b"SECRET-" + tag + b"\0alice\0pass") + b"\r\n"


def client_hello():
    d = open(SRC, "rb").read()
    o = 24
    while o < len(d):
        cl = struct.unpack("<I", d[o + 8:o + 12])[0]
        f = d[o + 16:o + 16 + cl]
        o += 16 + cl
        t = 14 + (f[14] & 15) * 4
        pl = f[t + (f[t + 12] >> 4) * 4:]
        if pl[:1] == b"\x16" and pl[5:6] == b"\x01":
            return pl
    raise SystemExit("no ClientHello in " + SRC)


def greet(c, starttls=False):
    c.s(b"220 mx.example.test ESMTP\r\n")
    c.c(b"EHLO client.example.test\r\n")
    c.s(b"250-mx.example.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n")
    if starttls:
        c.c(b"STARTTLS\r\n")
        c.s(b"220 2.0.0 Ready to start TLS\r\n")


BODY = [b"Subject: SECRET-subject\r\n\r\n", b"EHLO SECRET-body-line\r\n", b"250 SECRET-body-reply\r\n",
        b"QUIT\r\n", b".\r\n"]
HELLO_HDR = b"\x16\x03\x01\x00\x30\x01"


def main():
    ch = client_hello()
    out = []

    c = Conn(40001)
    greet(c, True)
    c.c(auth(b"starttls-clear"))
    c.s(b"235 2.7.0 Authentication successful\r\n")
    c.c(b"MAIL FROM:<SECRET-starttls-clear@example.test>\r\n")
    c.s(b"250 2.1.0 Ok\r\n")
    out += c.fin()

    c = Conn(40002)
    greet(c)
    c.c(b"MAIL FROM:<SECRET-echo-from@example.test>\r\n")
    c.s(b"250 2.1.0 <SECRET-echo-from@example.test>... Sender ok\r\n")
    c.c(b"RCPT TO:<SECRET-echo-rcpt@example.test>\r\n")
    c.s(b"550 5.1.1 <SECRET-echo-rcpt@example.test>: Recipient address rejected\r\n")
    c.c(b"QUIT\r\n")
    c.s(b"221 2.0.0 Bye\r\n")
    out += c.fin()

    c = Conn(40003)
    greet(c)
    c.lose(b"MAIL FROM:<SECRET-lost-from@example.test>\r\n")
    c.s(b"250 2.1.0 <SECRET-lost-from@example.test>... Sender ok\r\n")
    out += c.fin()

    c = Conn(40004, syn=False)
    c.c(HELLO_HDR + b"SECRET-midstream-hello attachment text\r\n")
    for b in BODY:
        c.c(b)
    c.s(b"250 2.0.0 Ok: queued\r\n")
    out += c.fin()

    c = Conn(40005)
    greet(c)
    c.lose(b"MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n")
    c.s(b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
    c.c(HELLO_HDR + b"SECRET-hole-hello attachment text\r\n")
    for b in BODY:
        c.c(b)
    out += c.fin()

    c = Conn(40006)
    greet(c, True)
    q = c.cs
    c.c(ch)
    plain = auth(b"tls-retx")
    c.c(plain + b"x" * (len(ch) - len(plain)), seq=q)
    out += c.fin()

    c = Conn(40007)
    greet(c, True)
    c.c(ch)
    c.c(auth(b"tls-ahead"), seq=c.cs + 100)
    out += c.fin()

    c = Conn(40008)
    greet(c, True)
    c.c(ch + auth(b"hello-plus"))
    out += c.fin()

    c = Conn(40009)
    c.s(b"220 mx.example.test ESMTP\r\n")
    c.c(b"EHLO x\r" + auth(b"bare-cr"))
    c.s(b"250 mx.example.test\r\n")
    out += c.fin()

    c = Conn(40010)
    greet(c)
    c.c(b"QUIT\r\n")
    c.s(b"221 2.0.0 Bye\r\n")
    out += [f + b"SECRET-trailer" for f in c.fin()]

    c = Conn(40011, syn=False)
    c.c(b"\x17\x03\x03\x00\x18" + b"SECRET-appdata body text")
    for b in BODY:
        c.c(b)
    out += c.fin()

    c = Conn(40012)
    greet(c)
    c.lose(b"MAIL FROM:<SECRET-hole-skip@example.test>\r\n")
    c.fr.append(frame(False, c.cp, c.ss, c.cs, ACK))
    for _ in range(12):
        c.fr.append(frame(True, c.cp, c.cs, c.ss, ACK))
    c.s(b"250 2.1.0 <SECRET-hole-skip@example.test>... Sender ok\r\n")
    out += c.fin()

    c = Conn(40013)
    greet(c, True)
    c.c(ch)
    c.c(auth(b"after-hello"))
    out += c.fin()

    c = Conn(40014)
    greet(c, True)
    c.c(ch)
    c.c(b"\x14\x03\x03\x00\x01\x01" + auth(b"after-ccs"))
    out += c.fin()

    c = Conn(40015)
    greet(c, True)
    c.c(ch[:100])
    c.c(ch[100:] + auth(b"hello-tail"))
    out += c.fin()

    c = Conn(40016)
    greet(c, True)
    c.c(ch[:100])
    c.c(ch[100:])
    c.s(b"\x15\x03\x03\x00\x02\x02\x28")
    out += c.fin()

    # the hold-back queue (evidence.h): directions merged out of order
    c = Conn(40017)
    greet(c)
    mail = b"MAIL FROM:<SECRET-mail17@example.org>\r\n"
    seq = c.cs
    c.cs += len(mail)
    c.s(b"250 2.1.0 <SECRET-mail17@example.org>... Sender ok\r\n")
    c.c(mail, seq=seq)
    out += c.fin()

    c = Conn(40018)
    c.s(b"220 mx.example.test ESMTP\r\n")
    c.lose(b"EHLO client.example.test\r\n")
    for i in range(40):
        c.c(b"MAIL FROM:<SECRET-ahead%02d@example.org>\r\n" % i if i % 2 else b"NOOP\r\n")
    c.s(b"250 2.1.0 <SECRET-reply18@example.org>... Sender ok\r\n")
    out += c.fin()

    c = Conn(40019)
    greet(c)
    st = b"STARTTLS\r\n"
    seq = c.cs
    c.cs += len(st)
    c.s(b"220 2.0.0 Ready to start TLS\r\n")
    c.c(ch)
    c.c(auth(b"19"))
    c.c(st, seq=seq)
    out += c.fin()

    c = Conn(40020)
    greet(c, True)
    c.c(ch)
    sh = b"\x02\x00\x00\x26\x03\x03" + bytes(32) + b"\x00\xc0\x2f\x00"
    c.s(b"\x16\x03\x03" + struct.pack("!H", len(sh)) + sh)
    c.c(auth(b"20"))
    c.s(b"535 5.7.8 SECRET-echo20 Authentication failed\r\n")
    out += c.fin()

    with open(OUT, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(out):
            f.write(struct.pack("<IIII", 1767225600 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


main()
