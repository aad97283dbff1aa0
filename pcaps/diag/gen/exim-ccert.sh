#!/bin/bash
# exim-ccert.sh — record pcaps/diag/exim-ccert.pcap: Exim 4.96 (Debian exim4-daemon-light, GnuTLS)
# requiring client certificates (tls_verify_hosts = *, tls_verify_certificates = the PKI's root
# and intermediate). Unlike Postfix's smtpd_tls_req_ccert (a 421 after the handshake,
# ccert-refused.pcap), Exim refuses with a TLS alert: in the handshake for an empty Certificate
# over TLS 1.2 (decode_error 50: "No certificate was found"), otherwise right after it, encrypted,
# before reading any command (bad_certificate 42 for an untrusted chain, "certificate
# verification failed"; certificate_required 116 over TLS 1.3 without one). smtptap:
# server_rejected_client_certificate for 1-4 (first_reply server_alert_first for 2-4), not
# client_closed_after_handshake (golden d-exim-ccert).
#   192.0.2.26     Exim 4.96, mail.example.test, TLS 1.2 and 1.3
#   198.51.100.20  openssl s_client: (1) -tls1_2 and (2) -tls1_3 without a certificate;
#                  (3) -tls1_2 and (4) -tls1_3 with client.other.example.test (Other
#                  Intermediate CA, not trusted); (5) -tls1_3 with client.example.test (trusted):
#                  EHLO, QUIT; (6) -tls1_3 without a certificate, its EHLO sent at once (before
#                  the alert comes)
# Exim's .debs are unpacked (apt-get download, dpkg -x) into /tmp/r33e-exim, not installed (exim4
# conflicts with postfix); the compile-time user Debian-exim is given to it through a private
# mount namespace (copies of /etc/passwd and /etc/group bind-mounted), as pcaps/gen/lib.sh does.
#   usage: bash pcaps/diag/gen/exim-ccert.sh  (root, iproute2, tcpdump, openssl, apt-get)
# Namespaces r33e-xc-*; state in /tmp/r33e-xc-run, PKI in /tmp/r33e-xc-pki (pki.sh: its root in
# certs/exim-ccert-root.pem).
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r33e-xc-pki
EXIM_ROOT=/tmp/r33e-exim
source "$GEN/lib.sh"
ST4_TMP=/tmp/r33e-xc-run
ST4_RT=r33e-xc-rt
ST4_SW=r33e-xc-sw
XUID=64900

if [ ! -x $EXIM_ROOT/usr/sbin/exim4 ]; then
  mkdir -p /tmp/r33e-exim-dl $EXIM_ROOT
  (cd /tmp/r33e-exim-dl && timeout 120 apt-get download exim4-daemon-light exim4-base \
    exim4-config libidn12) >/dev/null 2>&1 || { log "exim download failed"; exit 1; }
  for f in /tmp/r33e-exim-dl/*.deb; do dpkg -x "$f" $EXIM_ROOT; done
fi
rm -rf "$PKI"
bash "$GEN/pki.sh" "$PKI" >/dev/null || exit 1
cp "$PKI/root.pem" "$DIAG/certs/exim-ccert-root.pem"

standalone_begin
server_add r33e-xc-s1 192.0.2.26
client_add r33e-xc-c1 198.51.100.20
D=$ST4_TMP/exim
mkdir -p $D/spool $D/log $D/etc
cp /etc/passwd /etc/group $D/etc/
echo "Debian-exim:x:$XUID:$XUID:exim (smtptap test):/nonexistent:/usr/sbin/nologin" >> $D/etc/passwd
echo "Debian-exim:x:$XUID:" >> $D/etc/group
cp "$PKI/mail.chain.pem" "$PKI/mail.key" $D/
cat "$PKI/root.pem" "$PKI/intermediate.pem" > $D/ca.pem
chown -R $XUID:$XUID $D
cat > $D/exim.conf <<EOC
primary_hostname = mail.example.test
exim_path = $EXIM_ROOT/usr/sbin/exim4
keep_environment = LD_LIBRARY_PATH
spool_directory = $D/spool
log_file_path = $D/log/%slog
pid_file_path = $D/exim.pid
local_interfaces = 192.0.2.26
daemon_smtp_ports = 25
host_lookup =
rfc1413_hosts =
queue_only = true
log_selector = +tls_peerdn +tls_certificate_verified +smtp_protocol_error +smtp_connection
tls_advertise_hosts = *
tls_certificate = $D/mail.chain.pem
tls_privatekey = $D/mail.key
tls_verify_hosts = *
tls_verify_certificates = $D/ca.pem
begin acl
begin routers
blackhole:
  driver = redirect
  data = :blackhole:
begin transports
EOC
ip netns exec r33e-xc-s1 unshare -m sh -c "mount --bind $D/etc/passwd /etc/passwd &&
  mount --bind $D/etc/group /etc/group &&
  exec env LD_LIBRARY_PATH=$EXIM_ROOT/usr/lib/x86_64-linux-gnu $EXIM_ROOT/usr/sbin/exim4 \
  -C $D/exim.conf -bdf" >$ST4_TMP/exim.out 2>&1 &
ST4_PIDS+=($!)
wait_port r33e-xc-s1 25 || { cat $ST4_TMP/exim.out >&2; exit 1; }

sc() { # VERSION [s_client args]: EHLO (after $PAUSE s, 0.5 unless set), a pause, QUIT
  local v=$1; shift
  { sleep "${PAUSE:-0.5}"; printf 'EHLO client.example.test\n'; sleep 0.8; printf 'QUIT\n'; sleep 0.3; } |
    timeout 15 ip netns exec r33e-xc-c1 openssl s_client -starttls smtp -connect 192.0.2.26:25 \
      -name client.example.test -CAfile "$PKI/root.pem" -crlf -quiet -ign_eof "$v" "$@" \
      >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
OTHER=(-cert "$PKI/client-other.crt" -key "$PKI/client-other.key" -cert_chain "$PKI/other-intermediate.pem")
OK=(-cert "$PKI/client-ok.crt" -key "$PKI/client-ok.key" -cert_chain "$PKI/intermediate.pem")

capture_start "$ST4_TMP/cap.pcap"
sc -tls1_2                # 1
sc -tls1_3                # 2
sc -tls1_2 "${OTHER[@]}"  # 3
sc -tls1_3 "${OTHER[@]}"  # 4
sc -tls1_3 "${OK[@]}"     # 5
PAUSE=0 sc -tls1_3        # 6
sleep 1
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/exim-ccert.pcap}"
log "$(stat -c %s "${OUT:-$DIAG/exim-ccert.pcap}") bytes"
grep -E "TLS error|closed by" $D/log/mainlog >&2
grep -E "alert" "$ST4_TMP/clients.log" >&2
