#!/usr/bin/python3
"""Tiny SMTP server offering STARTTLS (RFC 3207), for pcaps/frag/gen.sh.

  smtpd.py ADDR PORT CHAIN.pem KEY.pem CONNECTIONS

Serves CONNECTIONS connections one after the other, then exits; every wait
is bounded by a socket timeout. After STARTTLS it answers EHLO with 250 and
QUIT with 221 inside TLS; anything else gets 250. TLS 1.2 at most, so that
the certificates travel in clear.
"""
import socket
import ssl
import sys

addr, port, chain, key, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(chain, key)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(4)
srv.settimeout(60)
print("listening", flush=True)


def lines(f, limit=64):
    for _ in range(limit):
        line = f.readline(1024)
        if not line:
            return
        yield line.strip().upper()


for _ in range(count):
    c, _ = srv.accept()
    c.settimeout(20)
    f = c.makefile("rb")
    c.sendall(b"220 mail.example.test ESMTP smtpd.py\r\n")
    for cmd in lines(f):
        if cmd.startswith(b"EHLO"):
            c.sendall(b"250-mail.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        elif cmd == b"STARTTLS":
            c.sendall(b"220 2.0.0 Ready to start TLS\r\n")
            try:
                t = ctx.wrap_socket(c, server_side=True)
                tf = t.makefile("rb")
                for tcmd in lines(tf):
                    if tcmd.startswith(b"QUIT"):
                        t.sendall(b"221 2.0.0 Bye\r\n")
                        break
                    t.sendall(b"250 2.0.0 Ok\r\n")
                tf.close()  # the file objects hold the socket open: no FIN without this
                t.close()
            except (ssl.SSLError, OSError) as e:
                print("tls:", e, flush=True)
            break
        elif cmd.startswith(b"QUIT"):
            c.sendall(b"221 2.0.0 Bye\r\n")
            break
        else:
            c.sendall(b"250 2.0.0 Ok\r\n")
    try:
        f.close()
        c.close()
    except OSError:
        pass
srv.close()
