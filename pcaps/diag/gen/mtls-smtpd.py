#!/usr/bin/env python3
"""Minimal STARTTLS SMTP server on Python's ssl module (OpenSSL 3) that REQUIRES a client
certificate (CERT_REQUIRED, TLS <= 1.2), so OpenSSL itself sends the fatal alert when the
client's certificate does not verify. Used for mutual-tls-rejected.pcap because Postfix
never sends a TLS alert for an untrusted client certificate (it answers 421 inside TLS).
With --no-client-cert --tls10 it asks for no certificate and also accepts TLS 1.0 and 1.1
(OpenSSL 3 security level 0, which those versions need): obsolete-tls.pcap.
Serves at most --max-conns connections and exits after --timeout seconds."""
import argparse, socket, ssl, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--listen", required=True)
ap.add_argument("--port", type=int, default=25)
ap.add_argument("--chain", required=True)
ap.add_argument("--ichain", default=None)
ap.add_argument("--key", required=True)
ap.add_argument("--cafile", required=True)
ap.add_argument("--max-conns", type=int, default=4)
ap.add_argument("--timeout", type=float, default=60)
ap.add_argument("--no-client-cert", action="store_true")
ap.add_argument("--tls10", action="store_true")
a = ap.parse_args()

chain = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)
chain.write(open(a.chain).read() + (open(a.ichain).read() if a.ichain else ""))
chain.close()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(chain.name, a.key)
ctx.load_verify_locations(a.cafile)
ctx.verify_mode = ssl.CERT_NONE if a.no_client_cert else ssl.CERT_REQUIRED
if a.tls10:
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")

def log(*x):
    print(time.strftime("%T"), *x, file=sys.stderr, flush=True)

def readline(s, buf):
    while b"\n" not in buf[0]:
        d = s.recv(4096)
        if not d:
            return None
        buf[0] += d
    line, buf[0] = buf[0].split(b"\n", 1)
    return line.rstrip(b"\r").decode("latin-1")

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
    s, buf, tls = conn, [b""], False
    try:
        s.sendall(b"220 mtls.example.test ESMTP smtptap-mtls\r\n")
        while True:
            line = readline(s, buf)
            if line is None:
                break
            cmd = line.split(" ")[0].upper()
            if cmd in ("EHLO", "HELO"):
                ext = b"" if tls else b"250-STARTTLS\r\n"
                s.sendall(b"250-mtls.example.test\r\n" + ext + b"250 8BITMIME\r\n")
            elif cmd == "STARTTLS" and not tls:
                s.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                try:
                    s = ctx.wrap_socket(conn, server_side=True)
                except ssl.SSLError as e:
                    log(peer, "TLS handshake failed:", e)
                    break
                tls, buf = True, [b""]
                log(peer, "TLS ok:", s.version(), "client cert:", (s.getpeercert() or {}).get("subject"))
            elif cmd == "QUIT":
                s.sendall(b"221 2.0.0 Bye\r\n")
                break
            else:
                s.sendall(b"250 2.0.0 Ok\r\n")
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
