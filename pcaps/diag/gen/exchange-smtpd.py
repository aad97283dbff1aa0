#!/usr/bin/env python3
"""A small SMTP server on Python's ssl module (OpenSSL 3) that speaks as the receive connector
of Exchange 2016/2019 speaks to another Exchange server: its greeting ("220 HOST Microsoft ESMTP
MAIL Service ready at DATE"), its EHLO reply with STARTTLS and X-ANONYMOUSTLS, X-EXPS and AUTH
(as captured from Exchange servers), and X-ANONYMOUSTLS (or STARTTLS) answered "220 2.0.0 SMTP
server ready", after which a TLS handshake follows as after STARTTLS (RFC 3207). After TLS its
EHLO reply offers neither again and adds the Exchange-only keywords of inter-server mail
(XEXCH50, XRDST, XSHADOWREQUEST). No mail is taken: MAIL, AUTH and the rest get a refusal.
With --refuse-tls it still offers both, and answers either with 454 (a server that cannot
start TLS, say its certificate's key is unreadable); the client goes on in plaintext.
Serves at most --max-conns connections, one at a time, and exits after --timeout seconds.
Used by x-anonymoustls.sh for x-anonymoustls.pcap."""
import argparse, socket, ssl, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--listen", required=True)
ap.add_argument("--port", type=int, default=25)
ap.add_argument("--host", default="SERVER1.example.org")
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--refuse-tls", action="store_true")
ap.add_argument("--max-conns", type=int, default=4)
ap.add_argument("--timeout", type=float, default=60)
a = ap.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(a.cert, a.key)
ctx.verify_mode = ssl.CERT_NONE

# The EHLO reply of an Exchange 2016/2019 front end before TLS (the keywords and their order
# as Exchange sends them), and after it.
EHLO_PLAIN = ["SIZE 37748736", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS",
              "X-ANONYMOUSTLS", "AUTH NTLM", "X-EXPS GSSAPI NTLM", "8BITMIME", "BINARYMIME",
              "CHUNKING", "XRDST"]
EHLO_TLS = ["SIZE 37748736", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "AUTH GSSAPI NTLM",
            "X-EXPS GSSAPI NTLM", "8BITMIME", "BINARYMIME", "CHUNKING", "XEXCH50", "XRDST",
            "XSHADOWREQUEST"]


def log(*x):
    print(time.strftime("%T"), *x, file=sys.stderr, flush=True)


def readline(s, buf):
    while b"\n" not in buf[0]:
        d = s.recv(4096)
        if not d:
            return None
        buf[0] += d
        if len(buf[0]) > 4096:
            return None
    line, buf[0] = buf[0].split(b"\n", 1)
    return line.rstrip(b"\r").decode("latin-1")


def reply(s, code, lines):
    out = b""
    for i, l in enumerate(lines):
        sep = " " if i == len(lines) - 1 else "-"
        out += f"{code}{sep}{l}\r\n".encode()
    s.sendall(out)


def serve(conn, peer):
    s, buf, tls = conn, [b""], False
    now = time.strftime("%a, %-d %b %Y %H:%M:%S +0000", time.gmtime())
    reply(s, 220, [f"{a.host} Microsoft ESMTP MAIL Service ready at {now}"])
    while True:
        line = readline(s, buf)
        if line is None:
            return s, tls
        verb = line.split(" ")[0].upper()
        if verb == "EHLO":
            hello = f"{a.host} Hello [{peer[0]}]"
            reply(s, 250, [hello] + (EHLO_TLS if tls else EHLO_PLAIN))
        elif verb == "HELO":
            reply(s, 250, [f"{a.host} Hello [{peer[0]}]"])
        elif verb in ("X-ANONYMOUSTLS", "STARTTLS") and not tls:
            if a.refuse_tls:
                reply(s, 454, ["4.7.0 TLS not available due to local problem"])
                log(peer, verb, "refused")
                continue
            reply(s, 220, ["2.0.0 SMTP server ready"])
            try:
                s = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log(peer, verb, "TLS handshake failed:", e)
                return s, False
            tls, buf = True, [b""]
            log(peer, verb, "TLS ok:", s.version(), s.cipher()[0])
        elif verb == "QUIT":
            reply(s, 221, ["2.0.0 Service closing transmission channel"])
            return s, tls
        elif verb == "NOOP":
            reply(s, 250, ["2.0.0 OK"])
        elif verb in ("MAIL", "RCPT", "DATA", "BDAT", "AUTH", "X-EXPS"):
            reply(s, 530, ["5.7.1 Client was not authenticated"])
        else:
            reply(s, 500, ["5.3.3 Unrecognized command 'unknown'"])


srv = socket.create_server((a.listen, a.port))
deadline = time.time() + a.timeout
for _ in range(a.max_conns):
    left = deadline - time.time()
    if left <= 0:
        break
    srv.settimeout(left)
    try:
        conn, peer = srv.accept()
    except socket.timeout:
        break
    conn.settimeout(10)
    s, tls = conn, False
    try:
        s, tls = serve(conn, peer)
    except (OSError, ssl.SSLError) as e:
        log(peer, "error:", e)
    finally:
        try:
            if tls:
                s.unwrap()
        except Exception:
            pass
        conn.close()
srv.close()
