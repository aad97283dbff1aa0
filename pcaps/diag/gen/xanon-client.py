#!/usr/bin/env python3
"""SMTP client for x-anonymoustls.pcap: EHLO, then X-ANONYMOUSTLS (Exchange's own verb for
STARTTLS between its servers) when the EHLO reply offers it; on 220 a TLS handshake, EHLO again
and QUIT over TLS; on a refusal QUIT in plaintext. No mail, never AUTH.
The TLS stack is Python's ssl (OpenSSL 3; --tls 1.2 or 1.3, --keylog for the secrets) or, with
--gnutls, gnutls-cli 3.7 in its --starttls mode: this script speaks SMTP through its standard
input and output in plaintext and sends it SIGALRM after the 220, which starts its handshake.
Every wait is bounded (--timeout seconds in all)."""
import argparse, os, select, signal, socket, ssl, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--connect", required=True)
ap.add_argument("--port", type=int, default=25)
ap.add_argument("--ehlo", required=True)
ap.add_argument("--sni", required=True)
ap.add_argument("--cafile", required=True)
ap.add_argument("--tls", choices=["1.2", "1.3"], default="1.2")
ap.add_argument("--keylog", default=None)
ap.add_argument("--gnutls", default=None, help="gnutls-cli priority string: use gnutls-cli")
ap.add_argument("--timeout", type=float, default=20)
a = ap.parse_args()
deadline = time.time() + a.timeout


def log(*x):
    print(time.strftime("%T"), a.connect, *x, file=sys.stderr, flush=True)


def left():
    t = deadline - time.time()
    if t <= 0:
        raise TimeoutError("client deadline")
    return t


class Sock:
    """Line reader over a socket (plain or TLS)."""

    def __init__(self, s):
        self.s, self.buf = s, b""

    def send(self, line):
        self.s.sendall(line.encode() + b"\r\n")

    def reply(self):
        """A whole reply: (code, [lines])."""
        lines = []
        while True:
            while b"\n" not in self.buf:
                self.s.settimeout(left())
                d = self.s.recv(4096)
                if not d:
                    raise EOFError("server closed")
                self.buf += d
            l, self.buf = self.buf.split(b"\n", 1)
            l = l.rstrip(b"\r").decode("latin-1")
            lines.append(l[4:])
            if len(l) < 4 or l[3] != "-":
                return int(l[:3]), lines


def python_session():
    raw = socket.create_connection((a.connect, a.port), timeout=left())
    c = Sock(raw)
    c.reply()
    c.send(f"EHLO {a.ehlo}")
    code, caps = c.reply()
    if "X-ANONYMOUSTLS" not in [k.split(" ")[0].upper() for k in caps[1:]]:
        log("X-ANONYMOUSTLS not offered")
    c.send("X-ANONYMOUSTLS")
    code, text = c.reply()
    log("X-ANONYMOUSTLS ->", code, text[0])
    if code == 220:
        ctx = ssl.create_default_context(cafile=a.cafile)
        v = ssl.TLSVersion.TLSv1_2 if a.tls == "1.2" else ssl.TLSVersion.TLSv1_3
        ctx.minimum_version = ctx.maximum_version = v
        if a.keylog:
            ctx.keylog_filename = a.keylog
        raw.settimeout(left())
        t = ctx.wrap_socket(raw, server_hostname=a.sni)
        log("TLS ok:", t.version(), t.cipher()[0], "peer", dict(x[0] for x in t.getpeercert()["subject"]))
        c = Sock(t)
        c.send(f"EHLO {a.ehlo}")
        c.reply()
        c.send("QUIT")
        c.reply()
        t.settimeout(left())
        try:
            t.unwrap()
        except (ssl.SSLError, OSError):
            pass
    else:
        c.send("QUIT")
        c.reply()
    raw.close()


def gnutls_session():
    cmd = ["gnutls-cli", "--starttls", "--port", str(a.port), "--x509cafile", a.cafile,
           "--sni-hostname", a.sni, "--verify-hostname", a.sni, "--priority", a.gnutls, a.connect]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    buf = [b""]

    def wait_for(*prefixes):
        """Reads gnutls-cli's output (the server's lines and its own) up to a line that
        starts with one of prefixes; returns that line."""
        while True:
            while b"\n" not in buf[0]:
                r, _, _ = select.select([p.stdout], [], [], left())
                if not r:
                    continue
                d = os.read(p.stdout.fileno(), 4096)
                if not d:
                    raise EOFError("gnutls-cli ended")
                buf[0] += d
            l, buf[0] = buf[0].split(b"\n", 1)
            l = l.rstrip(b"\r").decode("latin-1")
            if l.startswith(("- Handshake", "- Description", "- Status", "*** ")):
                log("gnutls-cli:", l)
            if l.startswith(prefixes):
                return l

    def send(line):
        p.stdin.write(line.encode() + b"\r\n")
        p.stdin.flush()

    try:
        wait_for("220 ")
        send(f"EHLO {a.ehlo}")
        wait_for("250 ")
        send("X-ANONYMOUSTLS")
        l = wait_for("220 ", "4", "5")
        log("X-ANONYMOUSTLS ->", l)
        if l.startswith("220 "):
            p.send_signal(signal.SIGALRM)
            # in --starttls mode it prints no "Handshake was completed": its session
            # description comes once the handshake is done
            l = wait_for("- Description:", "*** Handshake has failed", "*** Fatal")
            if not l.startswith("- Description:"):
                raise EOFError("gnutls-cli: " + l)
            send(f"EHLO {a.ehlo}")
            wait_for("250 ")
        send("QUIT")
        wait_for("221 ")
        p.stdin.close()
        p.wait(timeout=left())
    finally:
        if p.poll() is None:  # our own child, by its PID
            p.terminate()
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


try:
    gnutls_session() if a.gnutls else python_session()
except (OSError, EOFError, ssl.SSLError, TimeoutError, subprocess.TimeoutExpired) as e:
    log("error:", e)
    sys.exit(1)
