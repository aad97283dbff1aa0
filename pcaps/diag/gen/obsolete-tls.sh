#!/bin/bash
# obsolete-tls.sh — record pcaps/diag/obsolete-tls.pcap: one STARTTLS server (Python's ssl
# on OpenSSL 3, mtls-smtpd.py --no-client-cert --tls10) that still accepts TLS 1.0 and 1.1,
# and three openssl s_client clients: TLS 1.0, TLS 1.1 (both need OpenSSL's security level
# 0) and the default (TLS 1.2). RFC 8996 deprecates TLS 1.0 and 1.1; Microsoft 365 and
# Gmail refuse them, so such a server loses their mail.
#   usage: obsolete-tls.sh        (needs root, iproute2, tcpdump, openssl, python3)
# Its own PKI (pki.sh into /tmp/st4-oldtls-pki): the root is copied to
# pcaps/diag/certs/obsolete-tls-root.pem; the shared diagnosis PKI is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-oldtls-pki
source "$GEN/lib.sh"

[ -f "$PKI/root.pem" ] || bash "$GEN/pki.sh" "$PKI" >/dev/null
cp "$PKI/root.pem" "$DIAG/certs/obsolete-tls-root.pem"
standalone_begin
server_add st4-s1 192.0.2.25
client_add st4-c1 198.51.100.10
client_add st4-c2 198.51.100.11
client_add st4-c3 198.51.100.12
bg_start st4-s1 python3 "$GEN/mtls-smtpd.py" --listen 192.0.2.25 --port 25 --no-client-cert --tls10 \
  --chain "$PKI/mail.crt" --ichain "$PKI/intermediate.pem" --key "$PKI/mail.key" \
  --cafile "$PKI/root.pem" --max-conns 3 --timeout 60
wait_port st4-s1 25
capture_start "$ST4_TMP/cap.pcap"
ossl st4-c1 192.0.2.25 -servername mail.example.test -CAfile "$PKI/root.pem" -tls1 \
  -cipher 'DEFAULT:@SECLEVEL=0'
ossl st4-c2 192.0.2.25 -servername mail.example.test -CAfile "$PKI/root.pem" -tls1_1 \
  -cipher 'DEFAULT:@SECLEVEL=0'
ossl st4-c3 192.0.2.25 -servername mail.example.test -CAfile "$PKI/root.pem"
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/obsolete-tls.pcap"
log "obsolete-tls.pcap: $(stat -c %s "$DIAG/obsolete-tls.pcap") bytes"
cat "$ST4_TMP/clients.log" | grep -E 'Protocol|Verify return' >&2
