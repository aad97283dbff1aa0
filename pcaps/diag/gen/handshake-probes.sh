#!/bin/bash
# handshake-probes.sh — record pcaps/diag/handshake-probes.pcap (+ .keylog): the monitoring
# probes and admins' check tools that complete the STARTTLS handshake and then end the session
# without any mail: what a gateway sees every few minutes from Nagios/Icinga, swaks and openssl.
# Sessions, in order (server 192.0.2.25, Postfix 3.7.11, TLS 1.2 and 1.3, a chain that verifies
# against certs/handshake-probes-root.pem):
#   1 198.51.100.10 swaks --tls --quit-after TLS --tls-protocol tlsv1_2 (host "monitor")
#   2 198.51.100.10 swaks --tls --quit-after TLS                      (TLS 1.3)
#   3 198.51.100.11 openssl s_client -starttls smtp -tls1_2 </dev/null
#   4 198.51.100.11 openssl s_client -starttls smtp -tls1_3 -keylogfile </dev/null (key log:
#                   the certificate is visible with --keylog)
#   5 198.51.100.12 posttls-finger -c -l may "[192.0.2.25]"
#   6 198.51.100.13 check_smtp -H 192.0.2.25 -S -D 30,14 (monitoring-plugins: certificate check)
#   7 198.51.100.13 check_smtp -H 192.0.2.25 -S          (STARTTLS, EHLO again, QUIT)
#   8 198.51.100.14 openssl s_client -tls1_2 -CAfile (another root) -verify_return_error: a real
#                   refusal, fatal alert unknown_ca (48) after the server's Certificate
#   usage: flock /tmp/s32/netns.lock bash pcaps/diag/gen/handshake-probes.sh  (root, iproute2,
#   tcpdump, openssl, swaks, postfix (posttls-finger), monitoring-plugins-basic (check_smtp))
# swaks is installed from Debian when missing (the tool admins use). Namespaces r32-close-*;
# state in /tmp/r32-close-run, Postfix in /tmp/st4-pf-r32close1, PKI in /tmp/r32-close-pki.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r32-close-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r32-close-run
ST4_RT=r32-close-rt
ST4_SW=r32-close-sw
pf_dir() { echo /tmp/st4-pf-r32close$1; }
SRV=192.0.2.25
CHECK_SMTP=/usr/lib/nagios/plugins/check_smtp
command -v swaks >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends swaks libnet-ssleay-perl
# nst NS CMD...: CMD in NS with nsx's resolv.conf and hosts, bounded by 20 s
nst() {
  local ns=$1; shift
  ip netns exec "$ns" sh -c 'mount --bind '"$ST4_TMP"'/resolv.conf /etc/resolv.conf &&
      mount --bind '"$ST4_TMP"'/hosts /etc/hosts && exec timeout 20 "$@"' sh "$@"
}
# named NS HOST CMD...: CMD in NS on a host named HOST (its own UTS namespace: swaks and
# check_smtp EHLO with the local host's name)
named() {
  local ns=$1 host=$2; shift 2
  nst "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$host" "$@" \
    >>"$ST4_TMP/clients.log" 2>&1
  sleep 1
}

rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
ec_pki_begin "Probes"
ec_pki_leaf mail mail.example.test 3
cat mail.key mail.pem int.pem > chain.pem
mkdir other && (cd other && ec_pki_begin "Other")
cd - >/dev/null || exit 1
cp "$PKI/root.pem" "$DIAG/certs/handshake-probes-root.pem"

standalone_begin
printf '%s mail.example.test\n198.51.100.10 monitor.example.net monitor\n' "$SRV" >> "$ST4_TMP/hosts"
printf '198.51.100.13 nagios.example.net nagios\n' >> "$ST4_TMP/hosts"
server_add r32-close-s1 $SRV
client_add r32-close-c1 198.51.100.10
client_add r32-close-c2 198.51.100.11
client_add r32-close-c3 198.51.100.12
client_add r32-close-c4 198.51.100.13
client_add r32-close-c5 198.51.100.14
pf_server 1 r32-close-s1 "$PKI/chain.pem"
pf_set 1 r32-close-s1 "smtpd_tls_protocols = !SSLv2, !SSLv3" \
  "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3"
[ "$(greeting r32-close-c1 $SRV)" = "220 " ] || { log "no greeting from $SRV"; exit 1; }
# posttls-finger reads main.cf for its EHLO name (myhostname): a config of its own
mkdir -p "$ST4_TMP/ptf"
printf 'myhostname = checker.example.net\ncompatibility_level = 3.6\n' > "$ST4_TMP/ptf/main.cf"
rm -f "$ST4_TMP/keylog"
capture_start "$ST4_TMP/cap.pcap"

log "swaks --quit-after TLS, TLS 1.2"
named r32-close-c1 monitor swaks --server mail.example.test --port 25 --tls --quit-after TLS \
  --tls-protocol tlsv1_2
log "swaks --quit-after TLS, TLS 1.3"
named r32-close-c1 monitor swaks --server mail.example.test --port 25 --tls --quit-after TLS
log "s_client </dev/null, TLS 1.2"
nst r32-close-c2 openssl s_client -starttls smtp -connect $SRV:25 -tls1_2 </dev/null \
  >>"$ST4_TMP/clients.log" 2>&1; sleep 1
log "s_client </dev/null, TLS 1.3 (key log)"
nst r32-close-c2 openssl s_client -starttls smtp -connect $SRV:25 -tls1_3 \
  -keylogfile "$ST4_TMP/keylog" </dev/null >>"$ST4_TMP/clients.log" 2>&1; sleep 1
log "posttls-finger"
MAIL_CONFIG=$ST4_TMP/ptf nst r32-close-c3 posttls-finger -c -l may "[$SRV]:25" \
  >>"$ST4_TMP/clients.log" 2>&1; sleep 1
log "check_smtp -S -D 30,14"
named r32-close-c4 nagios $CHECK_SMTP -H $SRV -S -D 30,14
log "check_smtp -S"
named r32-close-c4 nagios $CHECK_SMTP -H $SRV -S
log "s_client refusing (unknown_ca)"
nst r32-close-c5 openssl s_client -starttls smtp -connect $SRV:25 -tls1_2 \
  -CAfile "$PKI/other/root.pem" -verify_return_error </dev/null >>"$ST4_TMP/clients.log" 2>&1
sleep 1
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/handshake-probes.pcap}"
cp "$ST4_TMP/keylog" "${OUT_KEYLOG:-$DIAG/handshake-probes.keylog}"
log "$(stat -c %s "${OUT:-$DIAG/handshake-probes.pcap}") bytes"
cat "$ST4_TMP/clients.log" >&2
