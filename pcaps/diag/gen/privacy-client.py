#!/usr/bin/env python3
"""SMTP client sessions for privacy-auth-587.pcap (gen/privacy-auth-587.sh) that swaks cannot
send: AUTH cancelled with "*" (RFC 4954 §4), AUTH PLAIN "=" (an empty initial response),
AUTH XOAUTH2 with a bearer token as its initial response, XCLIENT with a LOGIN attribute,
AUTH PLAIN pipelined in the middle of MAIL, RCPT and BDAT (RFC 2920), and BDAT chunks (RFC
3030) whose bytes hold "\r\nQUIT\r\n", "STARTTLS" and "AUTH PLAIN" lines, all in plaintext.
Plain sockets, each exchange logged to stderr.
  usage: privacy-client.py HOST PORT USER PASSWORD BEARER"""
import base64, socket, sys, time

host, port, user, pw, bearer = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]


def b64(s):
    return base64.b64encode(s.encode()).decode()


class Conn:
    def __init__(self):
        self.s = socket.create_connection((host, port), timeout=10)
        self.buf = b""
        self.reply()

    def reply(self):
        """One whole reply (all its lines), returned as text."""
        lines = []
        while True:
            while b"\n" not in self.buf:
                d = self.s.recv(4096)
                if not d:
                    return "\n".join(lines)
                self.buf += d
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.decode(errors="replace").rstrip("\r")
            lines.append(line)
            print("S: " + line, file=sys.stderr)
            if len(line) < 4 or line[3] != "-":
                return "\n".join(lines)

    def send(self, data, replies=1):
        print("C: " + repr(data), file=sys.stderr)
        self.s.sendall(data.encode() if isinstance(data, str) else data)
        return [self.reply() for _ in range(replies)]

    def close(self):
        self.send("QUIT\r\n")
        self.s.close()
        time.sleep(0.3)


# 1: AUTH LOGIN cancelled with "*", AUTH PLAIN "=", AUTH XOAUTH2 with a bearer token, then
# AUTH LOGIN with the user as initial response and the password after the 334
c = Conn()
c.send("EHLO cancel.example.test\r\n")
c.send("AUTH LOGIN\r\n")
c.send("*\r\n")
c.send("AUTH PLAIN =\r\n")
xo = b64("user=%s\x01auth=Bearer %s\x01\x01" % (user, bearer))
r = c.send("AUTH XOAUTH2 %s\r\n" % xo)
if r[0].startswith("334"):
    c.send("\r\n")
c.send("AUTH LOGIN %s\r\n" % b64(user))
c.send(b64(pw) + "\r\n")
c.send("XCLIENT LOGIN=priv24xclientlogin NAME=client.example.test\r\n")
c.close()

# 2: AUTH PLAIN pipelined between EHLO's answer and MAIL, RCPT, BDAT (RFC 2920), two BDAT
# chunks whose bytes are lines of commands (RFC 3030 §2: a chunk is octets, never commands)
c = Conn()
c.send("EHLO pipe.example.test\r\n")
chunk1 = ("From: \"Priv24 Display Name\" <%s>\r\nTo: <friend@example.net>\r\n"
          "Subject: Priv24 Subject Marker bdat\r\n\r\nPriv24-body-line bdat one\r\nQUIT\r\n"
          "STARTTLS\r\nAUTH PLAIN %s\r\n" % (user, b64("\0%s\0%s" % (user, pw))))
chunk2 = "Priv24-body-line bdat two\r\n.\r\nQUIT\r\n"
c.send("AUTH PLAIN %s\r\nMAIL FROM:<%s>\r\nRCPT TO:<friend@example.net>\r\n"
       "BDAT %d\r\n%sBDAT %d LAST\r\n%s" % (b64("\0%s\0%s" % (user, pw)), user, len(chunk1),
                                            chunk1, len(chunk2), chunk2), replies=5)
c.close()
