#!/bin/bash
# x-anonymoustls.sh — record pcaps/diag/x-anonymoustls.pcap (and x-anonymoustls.keylog):
# Exchange's X-ANONYMOUSTLS, the verb Exchange servers use between themselves instead of
# STARTTLS (the EHLO keyword, then the command; "220 2.0.0 SMTP server ready"; then a TLS
# handshake as after STARTTLS). Exchange itself cannot run here: the servers are
# exchange-smtpd.py (Python's ssl = OpenSSL 3), which speaks as an Exchange 2016/2019 receive
# connector does (greeting, EHLO reply with STARTTLS, X-ANONYMOUSTLS, AUTH NTLM and X-EXPS
# GSSAPI NTLM, the replies' texts) and presents a certificate made as Exchange makes its
# default one at setup: self-signed, CN=SERVER1, SAN SERVER1 and SERVER1.example.org, RSA 2048,
# sha256WithRSA, five years, a 16-byte serial. 192.0.2.25 takes X-ANONYMOUSTLS; 192.0.2.26
# offers it and answers 454 (it cannot start TLS). Clients (xanon-client.py): EHLO,
# X-ANONYMOUSTLS, the handshake, EHLO again and QUIT over TLS; no mail, never AUTH:
#   1. 198.51.100.10 Python ssl (OpenSSL 3), TLS 1.2            -> .25 (certificate in clear)
#   2. 198.51.100.11 gnutls-cli --starttls, TLS 1.2 (SIGALRM after the 220) -> .25
#   3. 198.51.100.10 Python ssl, TLS 1.3, key log in x-anonymoustls.keylog -> .25
#   4. 198.51.100.11 Python ssl -> .26: X-ANONYMOUSTLS refused with 454, QUIT in plaintext
# Every client sends SNI SERVER1.example.org and verifies the certificate against itself.
#   usage: x-anonymoustls.sh      (needs root, iproute2, tcpdump, python3, openssl, gnutls-cli)
# Its own certificate in /tmp/st4-xanon-pki (made here, key included; the key stays there): the
# certificate is copied to pcaps/diag/certs/x-anonymoustls-server1.pem; the shared diagnosis PKI
# is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-xanon-pki
source "$GEN/lib.sh"

pki() {
  # Exchange's self-signed certificates have a random 16-byte serial: a fixed one here
  ca_db_begin "$PKI" 1E6B43A35D9C0F8A4B72C6E19D3F5A07
  cat >> ca.cnf <<'CNF'
[policy_any]
commonName = supplied
[v3_exchange]
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:SERVER1,DNS:SERVER1.example.org
CNF
  ca_issue ca.cnf server1 "/CN=SERVER1" v3_exchange 20260115000000Z 20310115000000Z
  cd - >/dev/null || exit 1
}

pki
cp "$PKI/server1.pem" "$DIAG/certs/x-anonymoustls-server1.pem"
standalone_begin
server_add st4-s1 192.0.2.25
server_add st4-s2 192.0.2.26
client_add st4-c1 198.51.100.10
client_add st4-c2 198.51.100.11
bg_start st4-s1 python3 "$GEN/exchange-smtpd.py" --listen 192.0.2.25 --cert "$PKI/server1.pem" \
  --key "$PKI/server1.key" --max-conns 3 --timeout 60
bg_start st4-s2 python3 "$GEN/exchange-smtpd.py" --listen 192.0.2.26 --cert "$PKI/server1.pem" \
  --key "$PKI/server1.key" --refuse-tls --max-conns 1 --timeout 60
wait_port st4-s1 25
wait_port st4-s2 25
kl=$DIAG/x-anonymoustls.keylog
rm -f "$kl"
# xc NS IP EHLO-NAME [xanon-client.py args...] — one bounded client session
xc() {
  local ns=$1 ip=$2 name=$3; shift 3
  timeout 30 ip netns exec "$ns" python3 "$GEN/xanon-client.py" --connect "$ip" --ehlo "$name" \
    --sni SERVER1.example.org --cafile "$PKI/server1.pem" "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
capture_start "$ST4_TMP/cap.pcap"
xc st4-c1 192.0.2.25 SERVER2.example.org --tls 1.2
xc st4-c2 192.0.2.25 SERVER3.example.org --gnutls NORMAL:-VERS-TLS1.3
xc st4-c1 192.0.2.25 SERVER2.example.org --tls 1.3 --keylog "$kl"
xc st4-c2 192.0.2.26 SERVER3.example.org --tls 1.2
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/x-anonymoustls.pcap"
log "x-anonymoustls.pcap: $(stat -c %s "$DIAG/x-anonymoustls.pcap") bytes"
cat "$ST4_TMP/clients.log" >&2
