#!/bin/bash
# dane-peers.sh — record pcaps/diag/dane-peers.pcap: DANE for SMTP (RFC 7672) with real
# software, one MX host serving two domains, two sending MTAs each looking up its own. Two
# Postfix relays, 198.51.100.10 and 198.51.100.11 (smtp_tls_security_level = dane,
# smtp_dns_support_level = dnssec; "options trust-ad"), each doing its own DNS lookups (MX, A,
# TLSA) at the DNS stub dns-tlsa-stub.py, 192.0.2.53 (every answer with the AD bit):
#   peer-a.example.test  MX 10 mx7.hosting.example.net
#   peer-b.example.test  MX 10 mx7.hosting.example.net   192.0.2.31
#   _25._tcp.mx7.hosting.example.net TLSA 2 0 0 = the intermediate CA's whole certificate
# The server at 192.0.2.31 (Postfix) sends its leaf only, naming peer-a.example.test alone.
# Relay .10 sends to postmaster@peer-a.example.test: the next-hop domain peer-a is a reference
# identifier (RFC 7672 section 3.2.2): "Verified", sent. Relay .11 sends to
# postmaster@peer-b.example.test: its reference identifiers are mx7.hosting.example.net and
# peer-b.example.test, which the leaf names neither: "hostname mismatch", deferred.
# The mails go in through each relay's own smtpd on its loopback (not captured).
# The MX records have a TTL of 3 s (the stub's other answers 300 s), and relay .11 delivers
# 5 s after relay .10's delivery began (the capture's first packets): a resolver keeps an MX
# answer at most its TTL (RFC 1035 section 3.2.1), so every MX answer .11 used is one the
# capture shows, and smtptap decides its name check under .11's own lookups (RFC 7672
# section 3.2.3: dane_tlsa_mismatch). The capture this script made before (both deliveries
# within 1 s, TTL 300 s: .11 may have used an MX answer cached before the capture) is kept as
# pcaps/diag/dane-peers-early.pcap (its root dane-peers-early-root.pem).
#   usage: dane-peers.sh  (needs root, iproute2, tcpdump, postfix, openssl, python3, swaks)
#   take the capture generators' lock: flock /tmp/s23/netns.lock bash pcaps/diag/gen/dane-peers.sh
# Namespaces r23-dane5-*; state in /tmp/r23-dane5-run, Postfix instances in
# /tmp/st4-pf-r23dane5* (lib.sh's maillog prefix), PKI in /tmp/r23-dane5-pki (made here: root,
# intermediate, a leaf for mx7, all P-256): the root is copied to
# pcaps/diag/certs/dane-peers-root.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r23-dane5-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r23-dane5-run
ST4_RT=r23-dane5-rt
ST4_SW=r23-dane5-sw
pf_dir() { echo /tmp/st4-pf-r23dane5$1; }

rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
ec_pki_begin "DANE Peers"
ec_pki_leaf mx7 peer-a.example.test 31
cat mx7.key mx7.pem > mx7.chain.pem # the leaf only: no intermediate sent
cd - >/dev/null || exit 1
# the data of a TLSA record of matching type 0 (RFC 6698 section 2.1.3): the whole DER
cert_hex() { openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n'; }
cp "$PKI/root.pem" "$DIAG/certs/dane-peers-root.pem"

standalone_begin
trap '' HUP
trap 'cleanup_all; rm -rf "$(pf_dir 7)" "$(pf_dir a)" "$(pf_dir b)"' EXIT
printf 'nameserver 192.0.2.53\noptions trust-ad\n' > "$ST4_TMP/resolv.conf"
cat > "$ST4_TMP/zone" <<ZONE
peer-a.example.test 3 MX 10 mx7.hosting.example.net
peer-b.example.test 3 MX 10 mx7.hosting.example.net
mx7.hosting.example.net A 192.0.2.31
_25._tcp.mx7.hosting.example.net TLSA 2 0 0 $(cert_hex "$PKI/int.pem")
ZONE
cat "$ST4_TMP/zone" >&2
server_add r23-dane5-dns 192.0.2.53
server_add r23-dane5-s7 192.0.2.31
client_add r23-dane5-ca 198.51.100.10
client_add r23-dane5-cb 198.51.100.11
bg_start r23-dane5-dns python3 "$GEN/dns-tlsa-stub.py" 192.0.2.53 "$ST4_TMP/zone"
PF_HOSTNAME=mx7.hosting.example.net pf_server 7 r23-dane5-s7 "$PKI/mx7.chain.pem" \
  "mydestination = peer-a.example.test, peer-b.example.test"
for c in a b; do
  PF_HOSTNAME=relay-$c.client.example.net pf_server $c r23-dane5-c$c "$PKI/mx7.chain.pem" \
    "inet_interfaces = loopback-only" "mydestination =" "myorigin = client.example.net" \
    "default_transport = smtp" "relay_transport = smtp" "local_transport = error:local" \
    "smtpd_tls_security_level = none" "smtp_dns_support_level = dnssec" \
    "smtp_tls_security_level = dane" "dnssec_probe =" "smtp_tls_loglevel = 1" \
    "smtp_tls_session_cache_database =" "smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1.3" \
    "smtp_connection_cache_on_demand = no"
  for a in 192.0.2.31 127.0.0.1; do
    [ "$(greeting r23-dane5-c$c $a)" = "220 " ] || { log "no greeting from $a"; exit 1; }
  done
done
capture_start "$ST4_TMP/cap.pcap"
for c in a b; do
  mlog="$(pf_dir $c)/maillog"
  n=$(grep -c 'status=' "$mlog" 2>/dev/null)
  timeout 20 ip netns exec r23-dane5-c$c swaks --server 127.0.0.1 --port 25 --ehlo localhost \
    --from sender@client.example.net --to "postmaster@peer-$c.example.test" \
    --h-Subject "smtptap peer-$c" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
  for i in $(seq 1 80); do
    [ "$(grep -c 'status=' "$mlog" 2>/dev/null)" -gt "${n:-0}" ] && break
    sleep 0.25
  done
  # relay b's delivery begins past the MX TTL (3 s) after the capture's first packets
  [ "$c" = a ] && sleep 5
  sleep 0.5
done
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/dane-peers.pcap"
log "dane-peers.pcap: $(stat -c %s "$DIAG/dane-peers.pcap") bytes"
for c in a b; do
  cp "$(pf_dir $c)/maillog" "$ST4_TMP.relay-$c.maillog"
  grep -E 'TLS connection|TLSA|certificate|status=|DANE|hostname' "$(pf_dir $c)/maillog" >&2
done
