#!/bin/bash
# vxlan.sh — record pcaps/tunnel/vxlan-starttls.pcap: one STARTTLS session (openssl s_client
# -starttls smtp to a STARTTLS server on Python's ssl module, pcaps/diag/gen/mtls-smtpd.py
# --no-client-cert, TLS 1.2 with a chain in clear) between two namespaces whose link is a
# Linux kernel VXLAN device (VNI 4242, UDP 4789, RFC 7348) over a veth underlay; tcpdump
# runs on the UNDERLAY veth, so every frame in the file is the kernel's own VXLAN
# encapsulation (outer Ethernet/IPv4/UDP/VXLAN, inner Ethernet/IPv4/TCP), as an AWS VPC
# Traffic Mirroring or Azure vTAP target receives mirrored traffic.
#   usage: flock /tmp/s24/netns.lock bash pcaps/tunnel/gen/vxlan.sh
#   needs: root, iproute2 (ip link ... type vxlan), tcpdump, openssl, python3
# Namespaces r24-tunnel-c (client, overlay 192.0.2.10, underlay 198.51.100.1) and
# r24-tunnel-s (server, overlay 192.0.2.25, underlay 198.51.100.2), deleted at the end.
# Its own PKI (pcaps/diag/gen/pki.sh into /tmp/r24-tunnel-pki): the root is copied to
# pcaps/tunnel/certs/root.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
TUN=$(dirname "$GEN")
DIAGGEN=$(cd "$TUN/../diag/gen" && pwd)
PKI=/tmp/r24-tunnel-pki
TMP=/tmp/r24-tunnel-run
C=r24-tunnel-c
S=r24-tunnel-s
PIDS=()
log() { echo "[$(date +%T)] $*" >&2; }
cleanup() {
  set +e
  local p i
  for p in "${PIDS[@]}"; do
    kill -INT "$p" 2>/dev/null
    for i in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  ip netns del $C 2>/dev/null
  ip netns del $S 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$PKI/root.pem" ] || bash "$DIAGGEN/pki.sh" "$PKI" >/dev/null
cp "$PKI/root.pem" "$TUN/certs/root.pem"
rm -rf "$TMP"; mkdir -p "$TMP"

ip netns add $C || exit 1
ip netns add $S || exit 1
for ns in $C $S; do
  ip -n $ns link set lo up
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# underlay: a veth pair
ip link add under0 netns $C type veth peer name under0 netns $S
ip -n $C addr add 198.51.100.1/24 dev under0
ip -n $S addr add 198.51.100.2/24 dev under0
ip -n $C link set under0 up
ip -n $S link set under0 up
# overlay: VXLAN VNI 4242 to the other end, UDP destination port 4789 (IANA)
ip -n $C link add vx0 type vxlan id 4242 local 198.51.100.1 remote 198.51.100.2 dstport 4789 dev under0
ip -n $S link add vx0 type vxlan id 4242 local 198.51.100.2 remote 198.51.100.1 dstport 4789 dev under0
ip -n $C addr add 192.0.2.10/24 dev vx0
ip -n $S addr add 192.0.2.25/24 dev vx0
ip -n $C link set vx0 up
ip -n $S link set vx0 up
ip netns exec $C ethtool -K vx0 tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec $S ethtool -K vx0 tso off gso off gro off >/dev/null 2>&1 || true

ip netns exec $S python3 "$DIAGGEN/mtls-smtpd.py" --listen 192.0.2.25 --port 25 --no-client-cert \
  --chain "$PKI/mail.crt" --ichain "$PKI/intermediate.pem" --key "$PKI/mail.key" \
  --cafile "$PKI/root.pem" --max-conns 1 --timeout 30 2>"$TMP/server.log" &
PIDS+=($!)
for i in $(seq 1 100); do ip netns exec $S ss -ltn | grep -q ':25 ' && break; sleep 0.1; done

ip netns exec $C tcpdump -i under0 -U -s 0 -n -w "$TMP/cap.pcap" 'udp port 4789' 2>"$TMP/tcpdump.log" &
TD=$!
PIDS+=($TD)
for i in $(seq 1 50); do grep -q 'listening on' "$TMP/tcpdump.log" && break; sleep 0.1; done
sleep 0.3
# ARP over the overlay first, so that the capture starts with the TCP handshake
ip netns exec $C ping -c 1 -W 2 192.0.2.25 >/dev/null 2>&1 || true
{ printf 'EHLO client.example.test\n'; sleep 0.5; printf 'QUIT\n'; } |
  timeout 15 ip netns exec $C openssl s_client -starttls smtp -connect 192.0.2.25:25 \
    -name client.example.test -servername mail.example.test -CAfile "$PKI/root.pem" \
    -ign_eof -crlf >"$TMP/client.log" 2>&1 || true
sleep 0.8
kill -INT $TD 2>/dev/null
for i in $(seq 1 50); do kill -0 $TD 2>/dev/null || break; sleep 0.1; done
cp "$TMP/cap.pcap" "$TUN/vxlan-starttls.pcap"
log "vxlan-starttls.pcap: $(stat -c %s "$TUN/vxlan-starttls.pcap") bytes"
grep -E 'Protocol|Verify return' "$TMP/client.log" >&2
