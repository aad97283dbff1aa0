#!/bin/bash
# privacy-auth-587.sh — record pcaps/diag/privacy-auth-587.pcap: credentials and message content
# in plaintext on port 587, for tests/scripts/privacy_not_written.sh (nothing of them may be
# written by any output of smtptap). A real Postfix (3.7, Debian) with Cyrus SASL (a sasldb of
# its own: PLAIN, LOGIN, CRAM-MD5; smtpd_tls_auth_only = no; STARTTLS offered, never used) on
# 192.0.2.25:587, client 198.51.100.140:
#   swaks --auth PLAIN --pipeline   a message by DATA (Subject, From display name, body lines
#                                   "QUIT", "STARTTLS", "AUTH PLAIN <base64>", a stuffed dot)
#   swaks --auth LOGIN              user and password on the two lines after the 334s
#   swaks --auth CRAM-MD5           the response to the challenge
#   gen/privacy-client.py           AUTH LOGIN cancelled ("*"), AUTH PLAIN "=", AUTH XOAUTH2
#                                   with a bearer token, AUTH LOGIN with an initial response,
#                                   XCLIENT LOGIN=...; then AUTH PLAIN pipelined before MAIL,
#                                   RCPT and two BDAT chunks holding QUIT / STARTTLS / AUTH lines
# Test account: carol@example.test / Priv24-secret-pw; bearer token ya29.Priv24BearerToken.
# Namespaces r24-priv-s and r24-priv-c (a veth pair), deleted at the end.
#   usage: flock /tmp/s24/netns.lock bash pcaps/diag/gen/privacy-auth-587.sh
# With PORT=25 the same Postfix listens on the MTA port instead and only the swaks PLAIN and
# LOGIN messages are sent, into pcaps/diag/auth-port25.pcap: mail clients submitting with AUTH
# on port 25, STARTTLS offered and never tried (starttls_not_used from peers that sent AUTH).
#   needs root, iproute2, tcpdump, postfix, sasl2-bin, libsasl2-modules, swaks
#   (apt-get install -y swaks if missing), openssl, python3
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PORT=${PORT:-587}
OUT=privacy-auth-587.pcap SERVICE=submission
[ "$PORT" = 25 ] && OUT=auth-port25.pcap SERVICE=smtp
T=/tmp/r24-priv-run
D=$T/pf
USER_NAME=carol@example.test
USER_PASS=Priv24-secret-pw
BEARER=ya29.Priv24BearerToken
S=r24-priv-s
C=r24-priv-c
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
command -v swaks >/dev/null || apt-get install -y swaks >/dev/null

rm -rf "$T"; mkdir -p "$T" "$D/etc/sasl" "$D/spool" "$D/data"
ip netns add $S || exit 1
ip netns add $C || exit 1
ip link add eth0 netns $S type veth peer name eth0 netns $C
ip -n $S addr add 192.0.2.25/24 dev eth0
ip -n $C addr add 198.51.100.140/24 dev eth0
for n in $S $C; do ip -n $n link set lo up; ip -n $n link set eth0 up; done
ip -n $S route add 198.51.100.0/24 dev eth0
ip -n $C route add 192.0.2.0/24 dev eth0
# the same self-signed certificate every run would not be needed: STARTTLS is only offered
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj /CN=mail.example.test -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
cat "$T/key.pem" "$T/cert.pem" > "$D/etc/chain.pem"; chmod 600 "$D/etc/chain.pem"
printf '%s' "$USER_PASS" | saslpasswd2 -p -c -f "$T/sasldb2" -u example.test "${USER_NAME%@*}"
chown postfix "$T/sasldb2"
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN CRAM-MD5\nsasldb_path: %s\n' \
  "$T/sasldb2" > "$D/etc/sasl/smtpd.conf"
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
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
default_transport = discard:
local_transport = discard:
relay_transport = discard:
local_recipient_maps =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
maillog_file_prefixes = /tmp/r24-priv-
maillog_file = $D/maillog
smtpd_banner = \$myhostname ESMTP
smtpd_tls_security_level = may
smtpd_tls_chain_files = $D/etc/chain.pem
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_tls_auth_only = no
EOF
cat > "$D/etc/master.cf" <<EOF
$SERVICE inet n       -       n       -       -       smtpd
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

body=$(printf 'Priv24-body-line one\nQUIT\nSTARTTLS\nAUTH PLAIN %s\n.dot-stuffed Priv24-body-line\n' \
  "$(printf '\000%s\000%s' "$USER_NAME" "$USER_PASS" | base64)")
sw() { # AUTH-TYPE [swaks args...]
  local a=$1; shift
  timeout 20 ip netns exec $C swaks --server 192.0.2.25 --port "$PORT" --ehlo laptop.example.test \
    --from "$USER_NAME" --to friend@example.net --h-From "\"Priv24 Display Name\" <$USER_NAME>" \
    --h-Subject "Priv24 Subject Marker $a" --body "$body" --auth "$a" --auth-user "$USER_NAME" \
    --auth-password "$USER_PASS" "$@" >>"$T/clients.log" 2>&1
  sleep 0.3
}
sw PLAIN --pipeline
sw LOGIN
if [ "$PORT" != 25 ]; then
  sw CRAM-MD5
  timeout 30 ip netns exec $C python3 "$GEN/privacy-client.py" 192.0.2.25 587 "$USER_NAME" \
    "$USER_PASS" "$BEARER" 2>>"$T/clients.log"
fi
sleep 1.5 # tcpdump reads the last packets late: a shorter wait lost a whole connection
kill -INT $TCPDUMP; wait $TCPDUMP; TCPDUMP=
cp "$T/cap.pcap" "$DIAG/$OUT"
log "$OUT: $(stat -c %s "$DIAG/$OUT") bytes"
grep -E '^ *<- *(235|535|50[0-9]|554|250 2.0.0 Ok: queued)|^S: (235|5)' "$T/clients.log" >&2
