#!/bin/bash
# dane-anchor.sh — record pcaps/diag/dane-anchor.pcap: DANE for SMTP (RFC 7672) with real
# software, the two cases dane.sh leaves out. A Postfix relay, 198.51.100.10
# (smtp_tls_security_level = dane, smtp_dns_support_level = dnssec; "options trust-ad"), sends
# one mail to each of three domains, looking up MX, A (and CNAME) and TLSA from the DNS stub
# dns-tlsa-stub.py at 192.0.2.53 (every answer with the AD bit), and delivers over STARTTLS
# (TLS 1.2) to a Postfix server that sends its leaf only, not the intermediate CA:
#   dane-anchor.example.test MX mx4.example.test 192.0.2.28: TLSA 2 0 0 = the intermediate CA's
#                           whole certificate (RFC 6698 section 2.1.3; RFC 7671 section 5.2.2:
#                           a full trust anchor the server need not send)
#   dane-cname.example.test  MX mx5.example.test, a CNAME of mx5.hosting.example.net
#                           192.0.2.29 (RFC 7672 section 2.2.2: the TLSA base domain is the
#                           expanded name, the expansion validated): TLSA
#                           _25._tcp.mx5.hosting.example.net 2 1 0 = the intermediate's whole
#                           key; the leaf names only mx5.example.test, the name before the
#                           expansion, which Postfix 3.7 does not accept ("hostname
#                           mismatch", deferred)
#   dane-hop.example.test    MX mx6.example.test, a CNAME of mx6.hosting.example.net
#                           192.0.2.30: TLSA _25._tcp.mx6.hosting.example.net 2 0 0 = the
#                           intermediate's certificate; the leaf names dane-hop.example.test,
#                           the next-hop domain (section 3.2.2), whose MX host is known only
#                           through the CNAME: "Verified"
# The mails go in through the relay's own smtpd on its loopback (not captured).
#   usage: dane-anchor.sh  (needs root, iproute2, tcpdump, postfix, openssl, python3, swaks)
#   take the capture generators' lock: flock /tmp/s20/netns.lock bash pcaps/diag/gen/dane-anchor.sh
# Namespaces r20-daneta-*; state in /tmp/r20-daneta-run, Postfix instances in
# /tmp/st4-pf-r20daneta* (lib.sh's maillog prefix), PKI in /tmp/r20-daneta-pki (made here: root,
# intermediate, leaves for mx4, mx5 and mx6, all P-256): the root is copied to
# pcaps/diag/certs/dane-anchor-root.pem, the intermediate to dane-anchor-int.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r20-daneta-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r20-daneta-run
ST4_RT=r20-daneta-rt
ST4_SW=r20-daneta-sw
pf_dir() { echo /tmp/st4-pf-r20daneta$1; }
RELAY_LOG=$(pf_dir r)/maillog

pki() {
  rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
  ec_pki_begin "DANE Anchor"
  local k s=20 san
  for k in mx4 mx5 mx6; do
    s=$((s + 1))
    san=$k.example.test; [ $k = mx6 ] && san=dane-hop.example.test
    ec_pki_leaf $k $san $s
    cat $k.key $k.pem > $k.chain.pem # the leaf only: no intermediate sent
  done
  cd - >/dev/null || exit 1
}
# the data of TLSA records of matching type 0 (RFC 6698 section 2.1.3): the whole DER
cert_hex() { openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n'; }
spki_hex() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
  od -An -v -tx1 | tr -d ' \n'; }

pki
cp "$PKI/root.pem" "$DIAG/certs/dane-anchor-root.pem"
cp "$PKI/int.pem" "$DIAG/certs/dane-anchor-int.pem"
standalone_begin
trap '' HUP
trap 'cleanup_all; rm -rf "$(pf_dir 4)" "$(pf_dir 5)" "$(pf_dir 6)" "$(pf_dir r)"' EXIT
printf 'nameserver 192.0.2.53\noptions trust-ad\n' > "$ST4_TMP/resolv.conf"
cat > "$ST4_TMP/zone" <<ZONE
dane-anchor.example.test MX 10 mx4.example.test
dane-cname.example.test MX 10 mx5.example.test
dane-hop.example.test MX 10 mx6.example.test
mx4.example.test A 192.0.2.28
mx5.example.test CNAME mx5.hosting.example.net
mx5.hosting.example.net A 192.0.2.29
mx6.example.test CNAME mx6.hosting.example.net
mx6.hosting.example.net A 192.0.2.30
_25._tcp.mx4.example.test TLSA 2 0 0 $(cert_hex "$PKI/int.pem")
_25._tcp.mx5.hosting.example.net TLSA 2 1 0 $(spki_hex "$PKI/int.pem")
_25._tcp.mx6.hosting.example.net TLSA 2 0 0 $(cert_hex "$PKI/int.pem")
ZONE
cat "$ST4_TMP/zone" >&2
server_add r20-daneta-dns 192.0.2.53
server_add r20-daneta-s4 192.0.2.28
server_add r20-daneta-s5 192.0.2.29
server_add r20-daneta-s6 192.0.2.30
client_add r20-daneta-c1 198.51.100.10
bg_start r20-daneta-dns python3 "$GEN/dns-tlsa-stub.py" 192.0.2.53 "$ST4_TMP/zone"
doms="dane-anchor.example.test, dane-cname.example.test, dane-hop.example.test"
PF_HOSTNAME=mx4.example.test pf_server 4 r20-daneta-s4 "$PKI/mx4.chain.pem" "mydestination = $doms"
PF_HOSTNAME=mx5.example.test pf_server 5 r20-daneta-s5 "$PKI/mx5.chain.pem" "mydestination = $doms"
PF_HOSTNAME=mx6.example.test pf_server 6 r20-daneta-s6 "$PKI/mx6.chain.pem" "mydestination = $doms"
PF_HOSTNAME=relay.client.example.net pf_server r r20-daneta-c1 "$PKI/mx4.chain.pem" \
  "inet_interfaces = loopback-only" "mydestination =" "myorigin = client.example.net" \
  "default_transport = smtp" "relay_transport = smtp" "local_transport = error:local" \
  "smtpd_tls_security_level = none" "smtp_dns_support_level = dnssec" \
  "smtp_tls_security_level = dane" "dnssec_probe =" "smtp_tls_loglevel = 1" \
  "smtp_tls_session_cache_database =" "smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1.3" \
  "smtp_connection_cache_on_demand = no"
for a in 192.0.2.28 192.0.2.29 192.0.2.30 127.0.0.1; do
  [ "$(greeting r20-daneta-c1 $a)" = "220 " ] || { log "no greeting from $a"; exit 1; }
done
capture_start "$ST4_TMP/cap.pcap"
for dom in dane-anchor dane-cname dane-hop; do
  n=$(grep -c 'status=' "$RELAY_LOG" 2>/dev/null)
  timeout 20 ip netns exec r20-daneta-c1 swaks --server 127.0.0.1 --port 25 --ehlo localhost \
    --from sender@client.example.net --to "postmaster@$dom.example.test" \
    --h-Subject "smtptap $dom" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
  for i in $(seq 1 80); do
    [ "$(grep -c 'status=' "$RELAY_LOG" 2>/dev/null)" -gt "${n:-0}" ] && break
    sleep 0.25
  done
  sleep 0.5
done
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/dane-anchor.pcap"
log "dane-anchor.pcap: $(stat -c %s "$DIAG/dane-anchor.pcap") bytes"
cp "$RELAY_LOG" "$ST4_TMP.relay.maillog"
grep -E 'TLS connection|TLSA|certificate|status=|DANE' "$RELAY_LOG" >&2
