#!/bin/bash
# ehlo-reply-close.sh — record pcaps/diag/ehlo-reply-close.pcap: Postfix ending TLS sessions
# right after its reply to the client's first command without refusing anything, the shapes
# server_closed_after_first_reply must not take for a refusal (its 421):
#   - the client sends EHLO over TLS, gets the 250, then stays silent past smtpd_timeout (5s):
#     Postfix sends "421 4.4.2 mail.example.test Error: timeout exceeded", close_notify, FIN
#     (first_reply server_ehlo_reply in TLS 1.2, server_after_idle in TLS 1.3)
#   - the client pipelines EHLO and QUIT in one record (printf 'EHLO ...\nQUIT\n' fed at once to
#     openssl s_client -starttls smtp): the 250 and the 221 in one record, then the close
#     (server_ehlo_reply)
#   - swaks --quit-after TLS: a lone QUIT, its 221 (client_closed_after_handshake, as in
#     handshake-probes.pcap); swaks --pipeline: a mail's envelope, the session goes on
#   192.0.2.25     Postfix 3.7 smtpd, mail.example.test, smtpd_timeout = 5s, TLS 1.2 and 1.3
#   198.51.100.10  openssl s_client, silent after the EHLO: (1) -tls1_2, (2) -tls1_3
#   198.51.100.11  openssl s_client, EHLO + QUIT in one write: (3) -tls1_2, (4) -tls1_3;
#                  (5) swaks --tls --pipeline --quit-after RCPT; (6) swaks --tls --quit-after TLS
# pki.sh's PKI made anew: its root in certs/ehlo-reply-close-root.pem.
#   usage: bash pcaps/diag/gen/ehlo-reply-close.sh  (root, iproute2, tcpdump, openssl, postfix,
#   swaks)
# Namespaces r33e-*; state in /tmp/r33e-erc-run, Postfix in /tmp/st4-pf-r33erc1 (lib.sh's
# maillog prefix), PKI in /tmp/r33e-erc-pki (pki.sh).
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r33e-erc-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r33e-erc-run
ST4_RT=r33e-erc-rt
ST4_SW=r33e-erc-sw
pf_dir() { echo /tmp/st4-pf-r33erc$1; }

rm -rf "$PKI"
bash "$GEN/pki.sh" "$PKI" >/dev/null || exit 1
cp "$PKI/root.pem" "$DIAG/certs/ehlo-reply-close-root.pem"

standalone_begin
server_add r33e-erc-s1 192.0.2.25
client_add r33e-erc-c1 198.51.100.10
client_add r33e-erc-c2 198.51.100.11
pf_server 1 r33e-erc-s1 "$PKI/mail.chain.pem" "smtpd_timeout = 5s" \
  "smtpd_tls_protocols = !SSLv2, !SSLv3" "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3"
[ "$(greeting r33e-erc-c1 192.0.2.25)" = "220 " ] || { log "no greeting from 192.0.2.25"; exit 1; }

# sc NS VERSION INPUT-SCRIPT: openssl s_client fed by the script (bounded by timeout)
sc() {
  local ns=$1 v=$2 feed=$3
  bash -c "$feed" |
    timeout 15 ip netns exec "$ns" openssl s_client -starttls smtp -connect 192.0.2.25:25 \
      -name client.example.test -CAfile "$PKI/root.pem" -crlf -quiet "$v" \
      >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
STALL="sleep 0.5; printf 'EHLO client.example.test\n'; sleep 8"
PIPE="sleep 0.5; printf 'EHLO client.example.test\nQUIT\n'; sleep 2"
sw() { # [swaks args]
  timeout 20 ip netns exec r33e-erc-c2 swaks --server 192.0.2.25 --port 25 \
    --ehlo client-c2.example.test --from sender@client.example.test \
    --to postmaster@example.test --tls "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}

capture_start "$ST4_TMP/cap.pcap"
sc r33e-erc-c1 -tls1_2 "$STALL"         # 1
sc r33e-erc-c1 -tls1_3 "$STALL"         # 2
sc r33e-erc-c2 -tls1_2 "$PIPE"          # 3
sc r33e-erc-c2 -tls1_3 "$PIPE"          # 4
sw --pipeline --quit-after RCPT         # 5
sw --quit-after TLS                     # 6
sleep 1
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/ehlo-reply-close.pcap}"
log "$(stat -c %s "${OUT:-$DIAG/ehlo-reply-close.pcap}") bytes"
grep -E "TLS connection established|timeout|disconnect" "$(pf_dir 1)/maillog" >&2
