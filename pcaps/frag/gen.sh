#!/bin/bash
# Records pcaps/frag/ipv4-fragments.pcap: real OpenSSL and Python (smtpd.py)
# talking SMTP with STARTTLS across a router whose link to the client has an
# MTU of 576, the server sending without DF (net.ipv4.ip_no_pmtu_disc=1 in its
# namespace), so that the router fragments the server's 1500-byte packets
# (RFC 791 §2.3, §3.2) and tcpdump on that link records the fragments, as a
# capture point behind a small-MTU link (a tunnel, a VPN) sees them.
#
#   client ns 198.51.100.10 eth0 (MTU 1500) -- r-cli (MTU 576) router ns r-srv -- eth0 203.0.113.25 server ns
#
# Needs root, iproute2, tcpdump, openssl, python3 (ethtool optional: turns off
# segmentation offloads so packets are <= MTU as on a wire). Everything runs
# in namespaces made here (sfrag-*), which are removed on exit; only the PIDs
# started here are ended. Usage: sudo pcaps/frag/gen.sh [OUT.pcap]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/ipv4-fragments.pcap}
P=sfrag-
CLI=${P}cli RTR=${P}rtr SRV=${P}srv
WORK=$(mktemp -d /tmp/sfrag.XXXXXX)
PIDS=()

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for ns in "$CLI" "$RTR" "$SRV"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
nooffload() { nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true; }

# --- a throwaway PKI: root -> intermediate -> mail.example.test ----------
cd "$WORK"
cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:mail.example.test, DNS:example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650 \
    -subj "/O=smtptap test/CN=smtptap Fragments Root CA" -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout int.key -out int.csr \
    -subj "/O=smtptap test/CN=smtptap Fragments Intermediate CA" 2>/dev/null
openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 0x0200 -days 3000 \
    -extfile ext.cnf -extensions ca -out int.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr \
    -subj "/O=Example Mail/CN=mail.example.test" 2>/dev/null
openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -set_serial 0x2001 -days 800 \
    -extfile ext.cnf -extensions leaf -out leaf.pem 2>/dev/null
cat leaf.pem int.pem > chain.pem
mkdir -p "$HERE/certs"
cp root.pem "$HERE/certs/root.pem"
cp int.pem "$HERE/certs/intermediate.pem"
cp leaf.pem "$HERE/certs/leaf.pem"

# --- namespaces --------------------------------------------------------
for ns in "$CLI" "$RTR" "$SRV"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    nsx "$ns" ip link set lo up
done
nsx "$RTR" sysctl -qw net.ipv4.ip_forward=1
nsx "$SRV" sysctl -qw net.ipv4.ip_no_pmtu_disc=1 # no DF: the router may fragment
ip link add sfrag-a netns "$CLI" type veth peer name sfrag-b netns "$RTR"
ip link add sfrag-c netns "$RTR" type veth peer name sfrag-d netns "$SRV"
nsx "$CLI" ip link set sfrag-a name eth0
nsx "$RTR" ip link set sfrag-b name r-cli
nsx "$RTR" ip link set sfrag-c name r-srv
nsx "$SRV" ip link set sfrag-d name eth0
nsx "$RTR" ip link set r-cli mtu 576 # RFC 791 §3.1: every host takes 576
nsx "$CLI" ip addr add 198.51.100.10/24 dev eth0
nsx "$RTR" ip addr add 198.51.100.1/24 dev r-cli
nsx "$RTR" ip addr add 203.0.113.1/24 dev r-srv
nsx "$SRV" ip addr add 203.0.113.25/24 dev eth0
for x in "$CLI eth0" "$RTR r-cli" "$RTR r-srv" "$SRV eth0"; do
    set -- $x
    nsx "$1" ip link set "$2" up
    nooffload "$1" "$2"
done
nsx "$CLI" ip route add default via 198.51.100.1
nsx "$SRV" ip route add default via 203.0.113.1

# --- server, capture, clients -------------------------------------------
nsx "$SRV" python3 "$HERE/smtpd.py" 203.0.113.25 25 chain.pem leaf.key 2 > smtpd.out 2>&1 &
SMTPD=$!
PIDS+=($SMTPD)
nsx "$RTR" tcpdump -n -i r-cli -s 0 -U -w "$WORK/cap.pcap" tcp > tcpdump.out 2>&1 &
TCPDUMP=$!
PIDS+=($TCPDUMP)
for _ in $(seq 1 50); do
    grep -q listening smtpd.out 2>/dev/null && grep -q 'listening on' tcpdump.out 2>/dev/null && break
    sleep 0.1
done
session() { # extra s_client options...
    { sleep 2; echo QUIT; sleep 2; } |
        timeout 30 ip netns exec "$CLI" openssl s_client -connect 203.0.113.25:25 -starttls smtp \
            -tls1_2 -servername mail.example.test -CAfile root.pem -verify_return_error \
            -verify_hostname mail.example.test -crlf -quiet "$@" > "client$#.out" 2>&1 || true
}
session
session -cipher ECDHE-RSA-AES128-GCM-SHA256
sleep 1
kill -TERM "$TCPDUMP" # background jobs ignore SIGINT
wait "$TCPDUMP" || true # 143: ended by SIGTERM
wait "$SMTPD" || true   # it ends after its 2 connections (every wait in it has a timeout)
PIDS=()                 # both reaped: cleanup must not signal their PIDs again
cp "$WORK/cap.pcap" "$OUT"
echo "wrote $OUT:"
echo "$(tcpdump -n -v -r "$OUT" 2>/dev/null | grep -c 'flags \[+\]\|offset [1-9]') fragments"
cat smtpd.out
