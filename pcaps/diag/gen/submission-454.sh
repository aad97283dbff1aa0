#!/bin/bash
# submission-454.sh — record pcaps/diag/submission-454.pcap: a mail client on the submission
# port whose STARTTLS the server refuses (454: its TLS is broken), and which then sends its
# message in plaintext. A real Postfix (3.7, Debian) on 192.0.2.25:587 (the submission service,
# smtpd_tls_security_level = may) whose smtpd_tls_chain_files holds a key that is not its
# certificate's: Postfix's TLS set-up fails, it still offers STARTTLS and answers it
# "454 4.7.0 TLS not available due to local problem". Client 198.51.100.140:
#   swaks --tls-optional   STARTTLS -> 454, then MAIL/RCPT/DATA in plaintext, the message sent
# Namespaces r27-diag-s and r27-diag-c (a veth pair), deleted at the end.
#   usage: flock /tmp/s27/netns.lock bash pcaps/diag/gen/submission-454.sh
#   needs root, iproute2, tcpdump, postfix, swaks, openssl
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PORT=587
OUT=submission-454.pcap
T=/tmp/r27-diag-run
D=$T/pf
S=r27-diag-s
C=r27-diag-c
TCPDUMP=

log() { echo "[$(date +%T)] $*" >&2; }
cleanup() {
  local pid i
  pid=$(head -1 "$D/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "$TCPDUMP" ] && kill -INT "$TCPDUMP" 2>/dev/null
  ip netns del $C 2>/dev/null
  ip netns del $S 2>/dev/null
}
trap cleanup EXIT

rm -rf "$T"; mkdir -p "$T" "$D/etc" "$D/spool" "$D/data"
ip netns add $S || exit 1
ip netns add $C || exit 1
ip link add eth0 netns $S type veth peer name eth0 netns $C
ip -n $S addr add 192.0.2.25/24 dev eth0
ip -n $C addr add 198.51.100.140/24 dev eth0
for n in $S $C; do ip -n $n link set lo up; ip -n $n link set eth0 up; done
ip -n $S route add 198.51.100.0/24 dev eth0
ip -n $C route add 192.0.2.0/24 dev eth0
# a certificate and a key that is not its own: Postfix's TLS set-up fails
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj /CN=mail.example.test -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out "$T/other.pem" 2>/dev/null
cat "$T/other.pem" "$T/cert.pem" > "$D/etc/chain.pem"; chmod 600 "$D/etc/chain.pem"
cat > "$D/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $D/spool
data_directory = $D/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.example.test
mydomain = example.test
inet_interfaces = all
inet_protocols = ipv4
mynetworks = 127.0.0.0/8, 198.51.100.0/24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
default_transport = discard:
local_transport = discard:
relay_transport = discard:
local_recipient_maps =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
maillog_file_prefixes = /tmp/r27-diag-
maillog_file = $D/maillog
smtpd_banner = \$myhostname ESMTP
smtpd_tls_security_level = may
smtpd_tls_chain_files = $D/etc/chain.pem
EOF
cat > "$D/etc/master.cf" <<EOF
submission inet n     -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
chown -R postfix "$D/data"
ip netns exec $S timeout 20 script -qc "postfix -c $D/etc start" /dev/null >"$T/postfix.log" 2>&1
for i in $(seq 1 100); do ip netns exec $S ss -ltn | grep -q ":$PORT " && break; sleep 0.1; done

ip netns exec $C tcpdump -i eth0 -U -s 0 -n -w "$T/cap.pcap" "tcp port $PORT" 2>"$T/tcpdump.log" &
TCPDUMP=$!
for i in $(seq 1 50); do grep -q 'listening on' "$T/tcpdump.log" && break; sleep 0.1; done
sleep 0.3
timeout 20 ip netns exec $C swaks --server 192.0.2.25 --port "$PORT" --ehlo laptop.example.test \
  --from carol@example.test --to friend@example.net --tls-optional >>"$T/clients.log" 2>&1
sleep 1.5 # tcpdump reads the last packets late
kill -INT $TCPDUMP; wait $TCPDUMP; TCPDUMP=
cp "$T/cap.pcap" "$DIAG/$OUT"
log "$OUT: $(stat -c %s "$DIAG/$OUT") bytes"
grep -E '^ *<- *(454|250 2.0.0 Ok: queued)' "$T/clients.log" >&2
