#!/bin/bash
# ccert-refused.sh — record pcaps/diag/ccert-refused.pcap (+ ccert-refused.keylog): Postfix with
# smtpd_tls_req_ccert = yes refusing clients inside TLS right after the handshake. The handshake
# completes (Postfix asks for a certificate, CertificateRequest, and lets the handshake finish
# whatever the client sends); the client's EHLO is then answered with one encrypted record,
# "421 4.7.1 <host>: Client certificate not trusted" (or "... not provided"), and Postfix sends
# close_notify and closes: no TLS alert. smtptap: server_closed_after_first_reply, the finding
# server_refused_after_handshake (golden d-ccert-refused).
#   192.0.2.25     Postfix 3.7 smtpd, mail.example.test, smtpd_tls_security_level = encrypt,
#                  smtpd_tls_ask_ccert = yes, smtpd_tls_req_ccert = yes, smtpd_tls_CAfile =
#                  root + intermediate of pki.sh's PKI (the set of mutual-tls-rejected.pcap,
#                  made anew here: its root in certs/ccert-refused-root.pem), TLS 1.2 and 1.3
#   198.51.100.10  openssl s_client with client.other.example.test (Other Intermediate CA, not
#                  trusted by the server): (1) -tls1_2, (4) -tls1_3
#   198.51.100.11  no client certificate: (2) openssl s_client -tls1_2, (5) -tls1_3,
#                  (7) swaks --tls (TLS 1.3)
#   198.51.100.12  client.example.test (trusted), a whole mail by swaks --tls: (3) TLS 1.2,
#                  (6) TLS 1.3; and (8) openssl s_client -tls1_3 with it: EHLO, QUIT
# The s_client sessions write the key log (-keylogfile): the TLS 1.3 ones decrypt with it.
#   usage: bash pcaps/diag/gen/ccert-refused.sh  (root, iproute2, tcpdump, openssl, postfix,
#   swaks)
# Namespaces r33-ccert-*; state in /tmp/r33-ccert-run, Postfix in /tmp/st4-pf-r33ccert1
# (lib.sh's maillog prefix), PKI in /tmp/r33-ccert-pki (pki.sh).
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r33-ccert-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r33-ccert-run
ST4_RT=r33-ccert-rt
ST4_SW=r33-ccert-sw
pf_dir() { echo /tmp/st4-pf-r33ccert$1; }
KEYLOG=$ST4_TMP/keylog

rm -rf "$PKI"
bash "$GEN/pki.sh" "$PKI" >/dev/null || exit 1
cat "$PKI/root.pem" "$PKI/intermediate.pem" > "$PKI/root+int.pem"
cp "$PKI/root.pem" "$DIAG/certs/ccert-refused-root.pem"

standalone_begin
server_add r33-ccert-s1 192.0.2.25
client_add r33-ccert-c1 198.51.100.10
client_add r33-ccert-c2 198.51.100.11
client_add r33-ccert-c3 198.51.100.12
pf_server 1 r33-ccert-s1 "$PKI/mail.chain.pem" "smtpd_tls_security_level = encrypt" \
  "smtpd_tls_ask_ccert = yes" "smtpd_tls_req_ccert = yes" "smtpd_tls_CAfile = $PKI/root+int.pem" \
  "smtpd_tls_protocols = !SSLv2, !SSLv3" "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3"
[ "$(greeting r33-ccert-c1 192.0.2.25)" = "220 " ] || { log "no greeting from 192.0.2.25"; exit 1; }

# s_client NS VERSION [args]: EHLO, a pause for the answer, QUIT (the 421 ends it first)
sc() {
  local ns=$1 v=$2; shift 2
  { sleep 0.5; printf 'EHLO client.example.test\n'; sleep 0.8; printf 'QUIT\n'; sleep 0.3; } |
    timeout 15 ip netns exec "$ns" openssl s_client -starttls smtp -connect 192.0.2.25:25 \
      -name client.example.test -servername mail.example.test -CAfile "$PKI/root.pem" \
      -crlf -quiet -ign_eof -keylogfile "$KEYLOG" "$v" "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
sw() { # NS [swaks args]: a whole mail through STARTTLS
  local ns=$1; shift
  timeout 20 ip netns exec "$ns" swaks --server 192.0.2.25 --port 25 \
    --ehlo "client-${ns#r33-ccert-}.example.test" --from sender@client.example.test \
    --to postmaster@example.test --h-Subject "smtptap ccert-refused" --body "test message" \
    --tls "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
OTHER=(-cert "$PKI/client-other.crt" -key "$PKI/client-other.key" -cert_chain "$PKI/other-intermediate.pem")
OK=(-cert "$PKI/client-ok.crt" -key "$PKI/client-ok.key" -cert_chain "$PKI/intermediate.pem")

capture_start "$ST4_TMP/cap.pcap"
sc r33-ccert-c1 -tls1_2 "${OTHER[@]}"                                          # 1
sc r33-ccert-c2 -tls1_2                                                        # 2
sw r33-ccert-c3 --tls-protocol tlsv1_2 --tls-cert "$PKI/client-ok.crt" --tls-key "$PKI/client-ok.key" # 3
sc r33-ccert-c1 -tls1_3 "${OTHER[@]}"                                          # 4
sc r33-ccert-c2 -tls1_3                                                        # 5
sw r33-ccert-c3 --tls-cert "$PKI/client-ok.crt" --tls-key "$PKI/client-ok.key" # 6
sw r33-ccert-c2                                                                # 7
sc r33-ccert-c3 -tls1_3 "${OK[@]}"                                             # 8
sleep 1
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/ccert-refused.pcap}"
cp "$KEYLOG" "${OUT_KEYLOG:-$DIAG/ccert-refused.keylog}"
log "$(stat -c %s "${OUT:-$DIAG/ccert-refused.pcap}") bytes"
grep -E "TLS connection established|certificate|421|status=|disconnect" "$(pf_dir 1)/maillog" >&2
