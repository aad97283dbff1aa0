#!/bin/bash
# manual-probe.sh — record pcaps/diag/manual-probe.pcap: a person testing a mail server by hand
# with the usual command-line tools, each ending right after the TLS handshake (QUIT alone, or
# nothing), beside one Postfix MTA that refuses the certificate the same way (QUIT inside TLS,
# close_notify, no alert: client_quit_after_handshake). What tells them apart on the wire is the
# EHLO name each tool sends before STARTTLS:
#   openssl s_client -starttls smtp: "EHLO mail.example.com" unless -name is given (OpenSSL
#     apps/s_client.c, PROTO_SMTP: BIO_printf(fbio, "EHLO %s\r\n", ehlo), ehlo defaulting to
#     "mail.example.com"; openssl-s_client(1), -name);
#   gnutls-cli --starttls-proto=smtp: "EHLO HOST", HOST as given on its command line, the
#     server's own name or address (GnuTLS src/socket.c, socket_starttls: "EHLO %s\r\n",
#     socket->hostname);
#   swaks: the local host's name (swaks get_hostname): nothing that tells it from an MTA.
# Sessions, in order (server 192.0.2.25, Postfix 3.7.11, TLS 1.2 and 1.3):
#   1 198.51.100.10 printf 'QUIT\r\n' | s_client -tls1_2       ("Q" is s_client's command letter:
#                   it ends the session, close_notify, no QUIT sent)
#   2 198.51.100.10 the same, -tls1_3
#   3 198.51.100.10 printf 'QUIT\r\n' | s_client -quiet -tls1_2 (-quiet: no command letters, QUIT
#                   sent; the server answers 221 and closes)
#   4 198.51.100.10 the same, -tls1_3
#   5 198.51.100.10 s_client -tls1_2 </dev/null                (stdin closed: close_notify only)
#   6 198.51.100.10 the same, -tls1_3
#   7 198.51.100.11 printf 'QUIT\r\n' | gnutls-cli --starttls-proto=smtp --insecure 192.0.2.25
#   8 198.51.100.11 the same with the name mail.example.test (SNI and EHLO that name), TLS 1.2
#   9 198.51.100.12 swaks --tls --quit-after TLS
#  10 198.51.100.13 Postfix at smtp_tls_security_level = secure, no trust anchor for this PKI,
#                   TLS 1.2: "Server certificate not verified", QUIT + close_notify, mail deferred
#   usage: flock /tmp/s30/netns.lock bash pcaps/diag/gen/manual-probe.sh  (root, iproute2,
#   tcpdump, openssl, gnutls-bin, swaks, postfix)
# Namespaces r30-probe-*; state in /tmp/r30-probe-run, Postfix instances in
# /tmp/st4-pf-r30probe* (lib.sh's maillog prefix), PKI in /tmp/r30-probe-pki
# (ec_pki_begin/ec_pki_leaf); the root is copied to pcaps/diag/certs/manual-probe-root.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r30-probe-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r30-probe-run
ST4_RT=r30-probe-rt
ST4_SW=r30-probe-sw
pf_dir() { echo /tmp/st4-pf-r30probe$1; }
SRV=192.0.2.25
# nst NS CMD...: CMD in NS with nsx's resolv.conf and hosts, bounded by 15 s
nst() {
  local ns=$1; shift
  ip netns exec "$ns" sh -c 'mount --bind '"$ST4_TMP"'/resolv.conf /etc/resolv.conf &&
      mount --bind '"$ST4_TMP"'/hosts /etc/hosts && exec timeout 15 "$@"' sh "$@"
}

rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
ec_pki_begin "Probe"
ec_pki_leaf mail mail.example.test 3
cat mail.key mail.pem int.pem > chain.pem
cd - >/dev/null || exit 1
cp "$PKI/root.pem" "$DIAG/certs/manual-probe-root.pem"

standalone_begin
# the server's name for gnutls-cli; the swaks host's own name (swaks's default EHLO is the
# local host's name, looked up: a name of the test's own rather than this machine's)
printf '%s mail.example.test\n198.51.100.12 admin-laptop.example.test admin-laptop\n' "$SRV" \
  >> "$ST4_TMP/hosts"
server_add r30-probe-s1 $SRV
client_add r30-probe-c1 198.51.100.10
client_add r30-probe-c2 198.51.100.11
client_add r30-probe-c3 198.51.100.12
client_add r30-probe-c4 198.51.100.13
pf_server 1 r30-probe-s1 "$PKI/chain.pem"
pf_set 1 r30-probe-s1 "smtpd_tls_protocols = !SSLv2, !SSLv3" \
  "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3"
PF_HOSTNAME=relay.client.example.net pf_server 2 r30-probe-c4 "$PKI/chain.pem"
pf_set 2 r30-probe-c4 "mydestination =" "myorigin = client.example.net" "default_transport = smtp" \
  "relay_transport = smtp" "relayhost = [$SRV]" "smtp_tls_security_level = secure" \
  "smtp_tls_loglevel = 1" "smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1.3" \
  "smtp_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1.3" "smtp_connection_cache_on_demand = no" \
  "smtpd_tls_security_level = none"
[ "$(greeting r30-probe-c1 $SRV)" = "220 " ] || { log "no greeting from $SRV"; exit 1; }
[ "$(greeting r30-probe-c4 127.0.0.1)" = "220 " ] || { log "no greeting from the client MTA"; exit 1; }
capture_start "$ST4_TMP/cap.pcap"

# s_client NS STDIN-MODE [args...]: quit = printf 'QUIT\r\n' on stdin, closed = </dev/null
s_client() {
  local ns=$1 mode=$2; shift 2
  log "s_client $mode $*"
  if [ "$mode" = quit ]; then
    printf 'QUIT\r\n' | nst "$ns" openssl s_client -starttls smtp \
      -connect "$SRV:25" "$@" >>"$ST4_TMP/clients.log" 2>&1
  else
    nst "$ns" openssl s_client -starttls smtp -connect "$SRV:25" "$@" \
      </dev/null >>"$ST4_TMP/clients.log" 2>&1
  fi
  sleep 1
}
s_client r30-probe-c1 quit -tls1_2
s_client r30-probe-c1 quit -tls1_3
s_client r30-probe-c1 quit -quiet -tls1_2
s_client r30-probe-c1 quit -quiet -tls1_3
s_client r30-probe-c1 closed -tls1_2
s_client r30-probe-c1 closed -tls1_3
log "gnutls-cli $SRV"
printf 'QUIT\r\n' | nst r30-probe-c2 gnutls-cli --starttls-proto=smtp --port 25 \
  --insecure $SRV >>"$ST4_TMP/clients.log" 2>&1
sleep 1
log "gnutls-cli mail.example.test, TLS 1.2"
printf 'QUIT\r\n' | nst r30-probe-c2 gnutls-cli --starttls-proto=smtp --port 25 \
  --insecure --priority NORMAL:-VERS-TLS1.3 mail.example.test >>"$ST4_TMP/clients.log" 2>&1
sleep 1
log "swaks --tls --quit-after TLS"
nst r30-probe-c3 unshare --uts sh -c 'hostname admin-laptop && exec "$@"' sh \
  swaks --server $SRV --port 25 --tls --quit-after TLS \
  >>"$ST4_TMP/clients.log" 2>&1
sleep 1
log "Postfix (secure) refusing the certificate"
timeout 20 ip netns exec r30-probe-c4 swaks --server 127.0.0.1 --port 25 --ehlo localhost \
  --from sender@client.example.net --to postmaster@example.test \
  --h-Subject "smtptap manual-probe" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
for i in $(seq 1 100); do
  grep -q 'status=deferred' "$(pf_dir 2)/maillog" 2>/dev/null && break
  sleep 0.2
done
sleep 1
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/manual-probe.pcap}"
log "$(stat -c %s "${OUT:-$DIAG/manual-probe.pcap}") bytes"
grep -E "TLS connection established|certificate|status=" "$(pf_dir 2)/maillog" >&2
