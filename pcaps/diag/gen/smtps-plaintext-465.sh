#!/bin/bash
# smtps-plaintext-465.sh — record pcaps/diag/smtps-plaintext-465.pcap: a Postfix "smtps"
# service on port 465 declared without "-o smtpd_tls_wrappermode=yes", a common
# misconfiguration: smtpd then serves plain SMTP (220 greeting, EHLO, STARTTLS) on 465 instead
# of implicit TLS (RFC 8314 §3.3). Its clients:
#   198.51.100.10  swaks, no TLS: a message delivered in plaintext on 465
#   198.51.100.11  openssl s_client -starttls smtp -verify_return_error: STARTTLS on 465, the
#                  server's certificate is expired, the client refuses it (alert 45)
#   198.51.100.12  openssl s_client (implicit TLS, as a client set to "SSL/TLS" on 465 does):
#                  its ClientHello gets the plaintext greeting, the handshake fails
#   198.51.100.13  swaks --tls-on-connect (implicit TLS too): likewise
#   usage: smtps-plaintext-465.sh   (needs root, iproute2, tcpdump, postfix, swaks, openssl;
#                                    sh scripts/deps.sh captures installs them)
# Its own PKI (pki.sh into /tmp/r17-p465-pki): the root is copied to
# pcaps/diag/certs/smtps-plaintext-root.pem; the shared diagnosis PKI is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r17-p465-pki
source "$GEN/lib.sh"
# Namespaces r17-p465-*, state in /tmp/r17-p465-run and /tmp/r17-p465-pf-*: of its own, so
# that it never meets make-all.sh's st4-* ones.
ST4_TMP=/tmp/r17-p465-run
ST4_RT=r17-p465-rt
ST4_SW=r17-p465-sw
ST4_FILTER="ip and tcp port 465"
pf_dir() { echo "/tmp/r17-p465-pf-$1"; }

[ -f "$PKI/root.pem" ] || bash "$GEN/pki.sh" "$PKI" >/dev/null
cp "$PKI/root.pem" "$DIAG/certs/smtps-plaintext-root.pem"
trap 'cleanup_all; rm -rf "$(pf_dir s1)"' EXIT
trap 'exit 130' INT TERM
for ns in r17-p465-rt r17-p465-sw r17-p465-s1 r17-p465-c1 r17-p465-c2 r17-p465-c3 r17-p465-c4; do
  [ -e "/run/netns/$ns" ] && { log "namespace $ns exists: another run?"; exit 1; }
done
rm -rf "$ST4_TMP"
topo_up
server_add r17-p465-s1 192.0.2.25
client_add r17-p465-c1 198.51.100.10
client_add r17-p465-c2 198.51.100.11
client_add r17-p465-c3 198.51.100.12
client_add r17-p465-c4 198.51.100.13
# the expired leaf (mail-expired.example.test, ended 2025-01-01), so that the certificate
# seen after STARTTLS on 465 is judged, and refused by a verifying client
PF_HOSTNAME=mail-expired.example.test pf_server s1 r17-p465-s1 "$PKI/expired.chain.pem" \
  "maillog_file_prefixes = /tmp/r17-p465-pf-"
# The misconfiguration: smtps declared as in master.cf's commented example, without its
# "-o smtpd_tls_wrappermode=yes" line.
echo 'smtps     inet  n       -       n       -       -       smtpd' >>"$(pf_dir s1)/etc/master.cf"
pf_reload r17-p465-s1 s1
wait_port r17-p465-s1 465 || exit 1
capture_start "$ST4_TMP/cap.pcap"
PORT=465 swk r17-p465-c1 192.0.2.25 --ehlo client-c1.example.test # plaintext mail on 465
PORT=465 ossl r17-p465-c2 192.0.2.25 -servername mail-expired.example.test \
  -CAfile "$PKI/root.pem" -verify_return_error # STARTTLS on 465, certificate refused
# implicit TLS against the plaintext service
{ sleep 1; printf 'EHLO client.example.test\r\n'; sleep 0.5; } | \
  timeout 10 ip netns exec r17-p465-c3 openssl s_client -connect 192.0.2.25:465 \
    -servername mail-expired.example.test >>"$ST4_TMP/clients.log" 2>&1 || true
sleep 0.3
PORT=465 swk r17-p465-c4 192.0.2.25 --ehlo client-c4.example.test --tls-on-connect
# tcpdump gets packets in batches (libpcap's buffer timeout, up to 1 s): wait for the last ones
sleep 2
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/smtps-plaintext-465.pcap"
log "smtps-plaintext-465.pcap: $(stat -c %s "$DIAG/smtps-plaintext-465.pcap") bytes"
grep -E '^<-  250 2.0.0 Ok: queued|STARTTLS|=== Connected|wrong version|verify error|^<-  221|\*\*\*' \
  "$ST4_TMP/clients.log" >&2
