#!/bin/bash
# sslv2-hello.sh — record pcaps/diag/sslv2-hello.pcap: a Java client (JSSE, OpenJDK 17,
# Sslv2HelloClient.java) whose ClientHello after STARTTLS is in the SSL 2.0 form (RFC 5246
# Appendix E.2), as Java 6 and 7 sent it, against two STARTTLS servers on Python's ssl
# (OpenSSL 3, mtls-smtpd.py --no-client-cert): one that still accepts the old ciphers
# (--tls10: security level 0) negotiates TLS 1.2; one with Python's default ciphers finds
# none in common (that form carries no extensions: no signature algorithms, no groups) and
# sends a fatal handshake_failure alert.
#   usage: sslv2-hello.sh        (needs root, iproute2, tcpdump, python3, javac and java)
# Its own PKI (pki.sh into /tmp/st4-sslv2-pki): the root is copied to
# pcaps/diag/certs/sslv2-hello-root.pem; the shared diagnosis PKI is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-sslv2-pki
source "$GEN/lib.sh"

[ -f "$PKI/root.pem" ] || bash "$GEN/pki.sh" "$PKI" >/dev/null
cp "$PKI/root.pem" "$DIAG/certs/sslv2-hello-root.pem"
standalone_begin
mkdir -p "$ST4_TMP/java"
javac -d "$ST4_TMP/java" "$GEN/Sslv2HelloClient.java" || exit 1
server_add st4-s1 192.0.2.25
server_add st4-s2 192.0.2.26
client_add st4-c1 198.51.100.10
for s in "st4-s1 192.0.2.25 --tls10" "st4-s2 192.0.2.26"; do
  set -- $s
  bg_start "$1" python3 "$GEN/mtls-smtpd.py" --listen "$2" --port 25 --no-client-cert ${3:-} \
    --chain "$PKI/mail.crt" --ichain "$PKI/intermediate.pem" --key "$PKI/mail.key" \
    --cafile "$PKI/root.pem" --max-conns 1 --timeout 60
  wait_port "$1" 25
done
capture_start "$ST4_TMP/cap.pcap"
for ip in 192.0.2.25 192.0.2.26; do
  timeout 30 ip netns exec st4-c1 java -cp "$ST4_TMP/java" Sslv2HelloClient "$ip" 25 \
    >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
done
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/sslv2-hello.pcap"
log "sslv2-hello.pcap: $(stat -c %s "$DIAG/sslv2-hello.pcap") bytes"
grep -E 'TLS ok|TLS failed' "$ST4_TMP/clients.log" >&2
