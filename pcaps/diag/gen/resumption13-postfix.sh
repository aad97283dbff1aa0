#!/bin/bash
# resumption13-postfix.sh — record pcaps/diag/resumption13-postfix.pcap: Postfix's own smtp
# client resuming its TLS 1.3 session with a Postfix smtpd (RFC 8446 §2.2: a PSK from the
# server's NewSessionTicket, sent encrypted), as two deliveries to the same next hop do with
# smtp_tls_session_cache_database; no key log (Postfix writes none), so the ticket cannot be
# read and the resumption not linked to the full handshake by its ticket.
#   192.0.2.25     Postfix smtpd, mail.example.test (leaf + intermediate of a PKI made here),
#                  TLS 1.2 and 1.3, its default session tickets
#   198.51.100.13  Postfix as the sending MTA: relayhost [192.0.2.25], smtp_tls_security_level
#                  may, no anonymous suites, a TLS session cache, no connection cache (each
#                  mail a new connection), two mails one after the other
#   usage: resumption13-postfix.sh  (needs root, iproute2, tcpdump, openssl, postfix, swaks)
#   take the capture generators' lock: flock /tmp/s21/netns.lock bash pcaps/diag/gen/resumption13-postfix.sh
# Namespaces r21-misc2-*; state in /tmp/r21-misc2-run, Postfix instances in /tmp/st4-pf-r21misc2*
# (lib.sh's maillog prefix), PKI in /tmp/r21-misc2-pki (made here, ec_pki_begin/ec_pki_leaf:
# P-256 root, intermediate, leaf): the root is copied to pcaps/diag/certs/resumption13-postfix-root.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r21-misc2-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r21-misc2-run
ST4_RT=r21-misc2-rt
ST4_SW=r21-misc2-sw
# lib.sh's prefix (its main.cf allows log files under /tmp/st4-pf- only)
pf_dir() { echo /tmp/st4-pf-r21misc2$1; }

rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
ec_pki_begin "Resumption13"
ec_pki_leaf mail mail.example.test 3
cat mail.key mail.pem int.pem > chain.pem
cd - >/dev/null || exit 1
cp "$PKI/root.pem" "$DIAG/certs/resumption13-postfix-root.pem"

standalone_begin
server_add r21-misc2-s1 192.0.2.25
client_add r21-misc2-c1 198.51.100.13
pf_server 1 r21-misc2-s1 "$PKI/chain.pem"
pf_set 1 r21-misc2-s1 "smtpd_tls_protocols = !SSLv2, !SSLv3" \
  "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3"
PF_HOSTNAME=client.example.net pf_server 2 r21-misc2-c1 "$PKI/chain.pem"
pf_set 2 r21-misc2-c1 "mydestination =" "myorigin = client.example.net" "default_transport = smtp" \
  "relay_transport = smtp" "relayhost = [192.0.2.25]" "smtp_tls_security_level = may" \
  "smtp_tls_loglevel = 2" "smtp_tls_exclude_ciphers = aNULL" \
  "smtp_tls_session_cache_database = btree:$(pf_dir 2)/data/smtp_scache" \
  "smtp_tls_protocols = !SSLv2, !SSLv3" "smtp_connection_cache_on_demand = no" \
  "smtpd_tls_security_level = none"
[ "$(greeting r21-misc2-c1 192.0.2.25)" = "220 " ] || { log "no greeting from 192.0.2.25"; exit 1; }
[ "$(greeting r21-misc2-c1 127.0.0.1)" = "220 " ] || { log "no greeting from the client MTA"; exit 1; }
mail() {
  timeout 20 ip netns exec r21-misc2-c1 swaks --server 127.0.0.1 --port 25 --ehlo localhost \
    --from sender@client.example.net --to postmaster@example.test \
    --h-Subject "smtptap resumption13 $1" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
  local i; for i in $(seq 1 100); do
    [ "$(grep -c 'status=sent' "$(pf_dir 2)/maillog" 2>/dev/null)" -ge "$1" ] && break
    sleep 0.2
  done
  sleep 0.5
}
capture_start "$ST4_TMP/cap.pcap"
mail 1
mail 2
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/resumption13-postfix.pcap}"
log "$(stat -c %s "${OUT:-$DIAG/resumption13-postfix.pcap}") bytes"
grep -E "TLS connection established|Reusing old session|save session|session cache|status=" \
  "$(pf_dir 2)/maillog" >&2
