#!/bin/bash
# dane.sh — record pcaps/diag/dane.pcap: DANE for SMTP (RFC 7672) with real software. A Postfix
# relay, 198.51.100.10 (smtp_tls_security_level = dane, smtp_dns_support_level = dnssec; glibc
# passes the AD bit on with "options trust-ad" in resolv.conf), sends one mail to each of three
# domains. It looks up each domain's MX, the MX host's A and its TLSA RRset
# _25._tcp.mxN.example.test from a DNS stub, 192.0.2.53 (dns-tlsa-stub.py: fixed records, every
# answer with the AD bit, as from a validating resolver), and delivers over STARTTLS (TLS 1.2,
# so that the certificates are in clear) to a Postfix server:
#   dane-ee.example.test    MX mx1.example.test 192.0.2.25: TLSA 3 1 1 = SHA-256 of the key of
#                           the leaf it serves: "Verified TLS connection established", sent
#   dane-stale.example.test MX mx2.example.test 192.0.2.26: its key renewed (a new key, a new
#                           leaf from the same CA), TLSA 3 1 1 still the old key's:
#                           "no matching DANE TLSA records", status=deferred
#   dane-ta.example.test    MX mx3.example.test 192.0.2.27: TLSA 2 1 1 = SHA-256 of the key of
#                           the intermediate CA it sends after its leaf: "Verified", sent
# The mails go in through the relay's own smtpd on its loopback (not captured).
#   usage: dane.sh      (needs root, iproute2, tcpdump, postfix, openssl, python3, swaks)
#   take the capture generators' lock: flock /tmp/s19/netns.lock bash pcaps/diag/gen/dane.sh
# Namespaces r19-dcap-*; state in /tmp/r19-dcap-run, Postfix instances in /tmp/st4-pf-r19dcap*
# (lib.sh's maillog prefix), PKI in /tmp/r19-dcap-pki (made here; root, intermediate, leaves for
# mx1, mx2 old and new, mx3, all P-256): the root is copied to pcaps/diag/certs/dane-root.pem.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r19-dcap-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r19-dcap-run
ST4_RT=r19-dcap-rt
ST4_SW=r19-dcap-sw
pf_dir() { echo /tmp/st4-pf-r19dcap$1; }
RELAY_LOG=$(pf_dir r)/maillog

pki() {
  rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
  ec_pki_begin DANE
  local k s=10
  for k in mx1 mx2-old mx2-new mx3; do
    s=$((s + 1))
    ec_pki_leaf $k ${k%-*}.example.test $s
    cat $k.key $k.pem int.pem > $k.chain.pem
  done
  cd - >/dev/null || exit 1
}
# spki_sha256 CERT — the data of a TLSA record with selector 1, matching type 1 (RFC 6698 §2.1)
spki_sha256() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
  sha256sum | cut -c1-64; }

pki
cp "$PKI/root.pem" "$DIAG/certs/dane-root.pem"
standalone_begin
trap '' HUP # an earlier version saw a SIGHUP reach this shell while Postfix started (script -qc)
trap 'cleanup_all; rm -rf "$(pf_dir 1)" "$(pf_dir 2)" "$(pf_dir 3)" "$(pf_dir r)"' EXIT
printf 'nameserver 192.0.2.53\noptions trust-ad\n' > "$ST4_TMP/resolv.conf"
cat > "$ST4_TMP/zone" <<ZONE
dane-ee.example.test MX 10 mx1.example.test
dane-stale.example.test MX 10 mx2.example.test
dane-ta.example.test MX 10 mx3.example.test
mx1.example.test A 192.0.2.25
mx2.example.test A 192.0.2.26
mx3.example.test A 192.0.2.27
_25._tcp.mx1.example.test TLSA 3 1 1 $(spki_sha256 "$PKI/mx1.pem")
_25._tcp.mx2.example.test TLSA 3 1 1 $(spki_sha256 "$PKI/mx2-old.pem")
_25._tcp.mx3.example.test TLSA 2 1 1 $(spki_sha256 "$PKI/int.pem")
ZONE
cat "$ST4_TMP/zone" >&2
server_add r19-dcap-dns 192.0.2.53
server_add r19-dcap-s1 192.0.2.25
server_add r19-dcap-s2 192.0.2.26
server_add r19-dcap-s3 192.0.2.27
client_add r19-dcap-c1 198.51.100.10
bg_start r19-dcap-dns python3 "$GEN/dns-tlsa-stub.py" 192.0.2.53 "$ST4_TMP/zone"
doms="dane-ee.example.test, dane-stale.example.test, dane-ta.example.test"
PF_HOSTNAME=mx1.example.test pf_server 1 r19-dcap-s1 "$PKI/mx1.chain.pem" "mydestination = $doms"
PF_HOSTNAME=mx2.example.test pf_server 2 r19-dcap-s2 "$PKI/mx2-new.chain.pem" "mydestination = $doms"
PF_HOSTNAME=mx3.example.test pf_server 3 r19-dcap-s3 "$PKI/mx3.chain.pem" "mydestination = $doms"
# the relay: everything by smtp, DANE, its TLSA lookups trusted for their AD bit (no probe of
# the root zone), TLS 1.2 at most, a new connection per mail, its smtpd on the loopback only
PF_HOSTNAME=relay.client.example.net pf_server r r19-dcap-c1 "$PKI/mx1.chain.pem" \
  "inet_interfaces = loopback-only" "mydestination =" "myorigin = client.example.net" \
  "default_transport = smtp" "relay_transport = smtp" "local_transport = error:local" \
  "smtpd_tls_security_level = none" "smtp_dns_support_level = dnssec" \
  "smtp_tls_security_level = dane" "dnssec_probe =" "smtp_tls_loglevel = 1" \
  "smtp_tls_session_cache_database =" "smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1.3" \
  "smtp_connection_cache_on_demand = no"
for a in 192.0.2.25 192.0.2.26 192.0.2.27; do
  [ "$(greeting r19-dcap-c1 $a)" = "220 " ] || { log "no greeting from $a"; exit 1; }
done
[ "$(greeting r19-dcap-c1 127.0.0.1)" = "220 " ] || { log "no greeting from the relay"; exit 1; }
capture_start "$ST4_TMP/cap.pcap"
for dom in dane-ee dane-stale dane-ta; do
  n=$(grep -c 'status=' "$RELAY_LOG" 2>/dev/null)
  timeout 20 ip netns exec r19-dcap-c1 swaks --server 127.0.0.1 --port 25 --ehlo localhost \
    --from sender@client.example.net --to "postmaster@$dom.example.test" \
    --h-Subject "smtptap $dom" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
  for i in $(seq 1 80); do
    [ "$(grep -c 'status=' "$RELAY_LOG" 2>/dev/null)" -gt "${n:-0}" ] && break
    sleep 0.25
  done
  sleep 0.5
done
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/dane.pcap"
log "dane.pcap: $(stat -c %s "$DIAG/dane.pcap") bytes"
cp "$RELAY_LOG" "$ST4_TMP.relay.maillog"
grep -E 'TLS connection|TLSA|certificate|status=' "$RELAY_LOG" >&2
