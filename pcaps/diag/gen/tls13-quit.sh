#!/bin/bash
# tls13-quit.sh — record pcaps/diag/tls13-quit.pcap: Postfix's smtp client at
# smtp_tls_security_level = secure refusing a server's certificate over TLS 1.3 without an
# alert: the handshake completes (its Finished), Postfix finds the chain not verified, sends
# QUIT inside TLS (one application_data record, 6 + 17 bytes) and close_notify (19 bytes, also
# application_data: RFC 8446 §5.2 hides the type) and closes; the mail is deferred ("Server
# certificate not verified"). smtptap: client_quit_after_handshake (golden d-tls13-quit).
#   192.0.2.25     Postfix smtpd, mail.example.test (leaf + intermediate of a PKI made here),
#                  TLS 1.2 and 1.3
#   198.51.100.13  Postfix as the sending MTA: relayhost [192.0.2.25], level secure, no trust
#                  anchor for that PKI (no smtp_tls_CAfile): the chain is not verified
#   usage: flock /tmp/s26/netns.lock bash pcaps/diag/gen/tls13-quit.sh  (root, iproute2,
#   tcpdump, openssl, postfix, swaks)
# Namespaces r26-quit-*; state in /tmp/r26-quit-run, Postfix instances in /tmp/st4-pf-r26quit*
# (lib.sh's maillog prefix), PKI in /tmp/r26-quit-pki (ec_pki_begin/ec_pki_leaf); the root is
# copied to pcaps/diag/certs/tls13-quit-root.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r26-quit-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r26-quit-run
ST4_RT=r26-quit-rt
ST4_SW=r26-quit-sw
pf_dir() { echo /tmp/st4-pf-r26quit$1; }

rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
ec_pki_begin "Quit13"
ec_pki_leaf mail mail.example.test 3
cat mail.key mail.pem int.pem > chain.pem
cd - >/dev/null || exit 1
cp "$PKI/root.pem" "$DIAG/certs/tls13-quit-root.pem"

standalone_begin
server_add r26-quit-s1 192.0.2.25
client_add r26-quit-c1 198.51.100.13
pf_server 1 r26-quit-s1 "$PKI/chain.pem"
pf_set 1 r26-quit-s1 "smtpd_tls_protocols = !SSLv2, !SSLv3" \
  "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3"
PF_HOSTNAME=client.example.net pf_server 2 r26-quit-c1 "$PKI/chain.pem"
pf_set 2 r26-quit-c1 "mydestination =" "myorigin = client.example.net" "default_transport = smtp" \
  "relay_transport = smtp" "relayhost = [192.0.2.25]" "smtp_tls_security_level = secure" \
  "smtp_tls_loglevel = 1" "smtp_tls_protocols = !SSLv2, !SSLv3" \
  "smtp_tls_mandatory_protocols = !SSLv2, !SSLv3" "smtp_connection_cache_on_demand = no" \
  "smtpd_tls_security_level = none"
[ "$(greeting r26-quit-c1 192.0.2.25)" = "220 " ] || { log "no greeting from 192.0.2.25"; exit 1; }
[ "$(greeting r26-quit-c1 127.0.0.1)" = "220 " ] || { log "no greeting from the client MTA"; exit 1; }
capture_start "$ST4_TMP/cap.pcap"
timeout 20 ip netns exec r26-quit-c1 swaks --server 127.0.0.1 --port 25 --ehlo localhost \
  --from sender@client.example.net --to postmaster@example.test \
  --h-Subject "smtptap tls13-quit" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
for i in $(seq 1 100); do
  grep -q 'status=deferred' "$(pf_dir 2)/maillog" 2>/dev/null && break
  sleep 0.2
done
sleep 1
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/tls13-quit.pcap}"
log "$(stat -c %s "${OUT:-$DIAG/tls13-quit.pcap}") bytes"
grep -E "TLS connection established|certificate|status=" "$(pf_dir 2)/maillog" >&2
