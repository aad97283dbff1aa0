#!/bin/bash
# strip-server-side.sh — record pcaps/diag/strip-server-side.pcap: STARTTLS stripped by a model
# of Cisco ASA/FTD "inspect esmtp" (pcaps/gen/strip-proxy.py --transparent in the router, behind
# an iptables REDIRECT), captured on the SERVER's side of it (the router's in0), where admins
# usually capture. The server's EHLO reply offers STARTTLS in clear here (the clients get
# "250-XXXXXXXA"); a client that sends STARTTLS all the same has it arrive as "XXXXXXXX", which
# Postfix answers 500 5.5.2. The proxy connects from the clients' own addresses (IP_TRANSPARENT
# and a policy route for the server's replies), as the ASA does.
#   1. 198.51.100.10 Python smtplib (privacy-like client, below): EHLO, STARTTLS without looking
#      at the capabilities, 500, then a message in plaintext (starttls_stripped, plaintext_fallback)
#   2. 198.51.100.10 openssl s_client -starttls smtp: 500, its ClientHello sent all the same, 221
#   3. 198.51.100.10 swaks --tls-optional: sees no STARTTLS, a message in plaintext (fallback: its
#      STARTTLS was masked before)
#   4. 198.51.100.11 swaks --tls-optional: the same, its peer never seen masked (starttls_not_used)
#   usage: strip-server-side.sh   (needs root, iproute2, iptables, tcpdump, postfix, swaks,
#          openssl, python3)
# Its own PKI (pki.sh into /tmp/r26-strip-pki), its root copied to
# pcaps/diag/certs/strip-server-side-root.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r26-strip-pki
source "$GEN/lib.sh"
# namespaces r26-strip-*, state in /tmp/r26-strip-run and /tmp/st4-pf-r26strip
ST4_TMP=/tmp/r26-strip-run
ST4_RT=r26-strip-rt
ST4_SW=r26-strip-sw
RT=$ST4_RT

[ -f "$PKI/root.pem" ] || bash "$GEN/pki.sh" "$PKI" >/dev/null
cp "$PKI/root.pem" "$DIAG/certs/strip-server-side-root.pem"
trap 'cleanup_all; rm -rf "$(pf_dir r26strip)"' EXIT
trap 'exit 130' INT TERM
for ns in $RT $ST4_SW r26-strip-s1 r26-strip-c1 r26-strip-c2; do
  [ -e "/run/netns/$ns" ] && { log "namespace $ns exists: another run?"; exit 1; }
done
rm -rf "$ST4_TMP"
topo_up
server_add r26-strip-s1 192.0.2.25
client_add r26-strip-c1 198.51.100.10
client_add r26-strip-c2 198.51.100.11
pf_server r26strip r26-strip-s1 "$PKI/mail.chain.pem"
# the middlebox: the clients' connections to the server redirected to the proxy, which
# connects on from their addresses; the server's replies to those delivered to it locally
ip netns exec $RT iptables -t nat -A PREROUTING -i out0 -p tcp -d 192.0.2.25 --dport 25 \
  -j REDIRECT --to-ports 10025 || exit 1
ip netns exec $RT iptables -t mangle -A PREROUTING -i in0 -p tcp --sport 25 -m socket \
  --transparent -j MARK --set-mark 1 || exit 1
ip -n $RT rule add fwmark 1 lookup 100
ip -n $RT route add local 0.0.0.0/0 dev lo table 100
bg_start $RT python3 "$GEN/../../gen/strip-proxy.py" 10025 192.0.2.25 25 --transparent
wait_port $RT 10025 || exit 1
capture_start "$ST4_TMP/cap.pcap" in0
# 1: STARTTLS sent whatever the capabilities say; on its refusal, the message in plaintext
timeout 20 ip netns exec r26-strip-c1 python3 - >>"$ST4_TMP/clients.log" 2>&1 <<'PY'
import smtplib
s = smtplib.SMTP("192.0.2.25", 25, local_hostname="client-c1.example.test", timeout=15)
s.ehlo()
print("STARTTLS ->", s.docmd("STARTTLS"))
s.sendmail("sender@client.example.test", ["postmaster@example.test"],
           "Subject: smtptap diag test\r\n\r\ntest message\r\n")
s.quit()
PY
sleep 0.3
ossl r26-strip-c1 192.0.2.25 -servername mail.example.test
swk r26-strip-c1 192.0.2.25 --ehlo client-c1.example.test --tls-optional
swk r26-strip-c2 192.0.2.25 --ehlo client-c2.example.test --tls-optional
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/strip-server-side.pcap"
log "strip-server-side.pcap: $(stat -c %s "$DIAG/strip-server-side.pcap") bytes"
grep -E 'STARTTLS ->|^<-  250 2.0.0 Ok: queued|STARTTLS|=== Connected|^<-  221' \
  "$ST4_TMP/clients.log" >&2
