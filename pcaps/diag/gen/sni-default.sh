#!/bin/bash
# sni-default.sh — record pcaps/diag/sni-default.pcap: a Postfix server that chooses its
# certificate by the client's SNI (tls_server_sni_maps), whose default certificate (the one a
# client that sends no SNI gets) is a self-signed CN=SERVER1; the right one, for the MX name
# mail.example.test, only under SNI. Postfix as a sender sends no SNI by default
# (smtp_tls_servername empty), Microsoft 365, Gmail and `openssl s_client` do: so one address
# gets both certificates when it runs two programs, which reads as a pool with mixed nodes
# unless the SNI of each session is compared.
#   192.0.2.25      Postfix 3.7 smtpd: smtpd_tls_chain_files = SERVER1 (self-signed),
#                   tls_server_sni_maps: mail.example.test -> mail.example.test + intermediate
#   198.51.100.10   Postfix smtp (default: no SNI), two mails; then openssl s_client
#                   -servername mail.example.test from the same address
#   198.51.100.11   Postfix smtp with smtp_tls_servername = hostname (relayhost
#                   [mail.example.test]: SNI mail.example.test), two mails
#   198.51.100.140  openssl s_client -servername mail.example.test, then -noservername
#   usage: flock /tmp/s25/netns.lock bash pcaps/diag/gen/sni-default.sh
#   (needs root, iproute2, tcpdump, openssl, postfix, swaks)
# Namespaces r25-sni-*; state in /tmp/r25-sni-run, Postfix instances in /tmp/st4-pf-r25sni*
# (lib.sh's maillog prefix), PKI in /tmp/r25-sni-pki (pki.sh: the root is copied to
# pcaps/diag/certs/sni-default-root.pem; the shared diagnosis PKI is not touched).
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r25-sni-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r25-sni-run
ST4_RT=r25-sni-rt
ST4_SW=r25-sni-sw
pf_dir() { echo /tmp/st4-pf-r25sni$1; }

[ -f "$PKI/root.pem" ] || bash "$GEN/pki.sh" "$PKI" >/dev/null
cp "$PKI/root.pem" "$DIAG/certs/sni-default-root.pem"
for ns in r25-sni-rt r25-sni-sw r25-sni-s1 r25-sni-c1 r25-sni-c2 r25-sni-c3; do
  [ -e "/run/netns/$ns" ] && { log "namespace $ns exists: another run?"; exit 1; }
done
trap 'cleanup_all; rm -rf "$(pf_dir 1)" "$(pf_dir 2)" "$(pf_dir 3)"' EXIT
trap 'exit 130' INT TERM
rm -rf "$ST4_TMP"
topo_up
# the MX name for the Postfix sender that sends it as SNI (smtp_tls_servername = hostname)
printf '127.0.0.1 localhost\n192.0.2.25 mail.example.test\n' >"$ST4_TMP/hosts"
server_add r25-sni-s1 192.0.2.25
client_add r25-sni-c1 198.51.100.10
client_add r25-sni-c2 198.51.100.11
client_add r25-sni-c3 198.51.100.140

# the server: SERVER1 by default, mail.example.test's chain under SNI (postmap -F: the map's
# values are the chain files' contents)
pf_server 1 r25-sni-s1 "$PKI/server1.chain.pem"
cp "$PKI/mail.chain.pem" "$(pf_dir 1)/etc/mail.chain.pem"
chmod 600 "$(pf_dir 1)/etc/mail.chain.pem"
echo "mail.example.test $(pf_dir 1)/etc/mail.chain.pem" >"$(pf_dir 1)/etc/sni"
postmap -F "hash:$(pf_dir 1)/etc/sni"
pf_set 1 r25-sni-s1 "tls_server_sni_maps = hash:$(pf_dir 1)/etc/sni"

# two Postfix senders relaying to mail.example.test: the default (no SNI), and with SNI
sender() { # N NS [key = value...]
  local n=$1 ns=$2; shift 2
  PF_HOSTNAME=client$n.example.net pf_server "$n" "$ns" "$PKI/mail.chain.pem"
  pf_set "$n" "$ns" "mydestination =" "myorigin = client$n.example.net" "default_transport = smtp" \
    "relay_transport = smtp" "relayhost = [mail.example.test]" "smtp_tls_security_level = may" \
    "smtp_tls_loglevel = 1" "smtp_tls_exclude_ciphers = aNULL" \
    "smtp_connection_cache_on_demand = no" "smtpd_tls_security_level = none" "$@"
}
sender 2 r25-sni-c1
sender 3 r25-sni-c2 "smtp_tls_servername = hostname"
[ "$(greeting r25-sni-c3 192.0.2.25)" = "220 " ] || { log "no greeting from 192.0.2.25"; exit 1; }
mail() { # N NS COUNT: one more mail through instance N, waited for until COUNT were sent
  timeout 20 ip netns exec "$2" swaks --server 127.0.0.1 --port 25 --ehlo localhost \
    --from "sender@client$1.example.net" --to postmaster@example.test \
    --h-Subject "smtptap sni $3" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
  local i; for i in $(seq 1 100); do
    [ "$(grep -c 'status=sent' "$(pf_dir "$1")/maillog" 2>/dev/null)" -ge "$3" ] && break
    sleep 0.2
  done
  sleep 0.5
}

capture_start "$ST4_TMP/cap.pcap"
mail 2 r25-sni-c1 1                                                # no SNI: SERVER1
mail 3 r25-sni-c2 1                                                # SNI: mail.example.test
ossl r25-sni-c3 192.0.2.25 -servername mail.example.test           # SNI
ossl r25-sni-c3 192.0.2.25 -noservername                           # no SNI, same address
mail 2 r25-sni-c1 2
mail 3 r25-sni-c2 2
ossl r25-sni-c1 192.0.2.25 -servername mail.example.test           # SNI from the Postfix host
capture_stop
cp "$ST4_TMP/cap.pcap" "${OUT:-$DIAG/sni-default.pcap}"
log "$(stat -c %s "${OUT:-$DIAG/sni-default.pcap}") bytes"
grep -hE "TLS connection established|status=" "$(pf_dir 2)/maillog" "$(pf_dir 3)/maillog" >&2
grep -E "^subject=|^Verification" "$ST4_TMP/clients.log" >&2
