#!/usr/bin/env python3
"""Model of a STARTTLS-stripping middlebox (Cisco ASA/PIX "inspect esmtp").

    strip-proxy.py LISTEN_PORT SERVER_ADDR SERVER_PORT [--transparent]

Runs in the router namespace behind an iptables REDIRECT, so clients believe
they talk to the real server. Like the ASA's ESMTP inspection it
  * masks the STARTTLS extension in the server's EHLO reply with X's
    ("250-STARTTLS" -> "250-XXXXXXXA": same length, the last letter kept),
  * masks a STARTTLS command sent by the client ("XXXXXXXX"), which the server
    then rejects as unknown.
Everything else is relayed unchanged. Test use only; bounded by a timeout.
With --transparent it connects to the server from the client's own address
(IP_TRANSPARENT; the router needs a policy route that delivers the server's
replies to it locally, pcaps/diag/gen/strip-server-side.sh), as the ASA does:
a capture on the server's side then shows the clients' addresses.
"""
import re
import socket
import sys
import threading

LISTEN_PORT, SERVER, SERVER_PORT = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
TRANSPARENT = "--transparent" in sys.argv[4:]
IP_TRANSPARENT = 19  # linux/in.h
IDLE = 30  # seconds


def pump(src, dst, rewrite):
    buf = b""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            buf += data
            # only whole lines are rewritten, so split replies are handled
            cut = buf.rfind(b"\n") + 1
            out, buf = buf[:cut], buf[cut:]
            if out:
                dst.sendall(rewrite(out))
        if buf:
            dst.sendall(rewrite(buf))
    except OSError:
        pass
    finally:
        for s in (dst, src):
            try:
                s.shutdown(socket.SHUT_WR if s is dst else socket.SHUT_RD)
            except OSError:
                pass


def from_server(b):
    return re.sub(rb"(?im)^(250[ -])STARTTLS", rb"\1XXXXXXXA", b)


def from_client(b):
    return re.sub(rb"(?im)^STARTTLS", b"XXXXXXXX", b)


def handle(c):
    c.settimeout(IDLE)
    if TRANSPARENT:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
        s.bind((c.getpeername()[0], 0))
        s.settimeout(IDLE)
        s.connect((SERVER, SERVER_PORT))
    else:
        s = socket.create_connection((SERVER, SERVER_PORT), timeout=IDLE)
    t1 = threading.Thread(target=pump, args=(s, c, from_server), daemon=True)
    t2 = threading.Thread(target=pump, args=(c, s, from_client), daemon=True)
    t1.start(); t2.start(); t1.join(IDLE * 2); t2.join(IDLE * 2)
    c.close(); s.close()


def main():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", LISTEN_PORT))
    ls.listen(8)
    ls.settimeout(300)  # exits by itself if unused
    while True:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            return
        threading.Thread(target=handle, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
