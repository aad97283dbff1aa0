#!/bin/bash
# ocsp-mixed.sh — record pcaps/diag/ocsp-mixed.pcap: servers that staple OCSP in some sessions
# whose client asked for it and not in others. Two implicit-TLS addresses on port 465
# (RFC 8314), openssl s_server, leaves of their own PKI (root in
# pcaps/diag/certs/ocsp-mixed-root.pem) and the intermediate; every client asks for a staple
# (openssl s_client -tls1_2 -status) unless said otherwise:
#   192.0.2.25  mail.example.test: the old leaf with a "good" response (-status_file), 2
#               sessions; then the renewed leaf (same name, new key) without any, as a server
#               reloaded with a new certificate whose response nobody made: 2 sessions, and 1
#               whose client did not ask
#   192.0.2.26  relay.example.test: no staple in the first session (as nginx's ssl_stapling
#               right after a reload, before it has fetched a response), then the same leaf
#               with its "good" response: 2 sessions
#   usage: ocsp-mixed.sh      (needs root, iproute2, tcpdump, openssl; run under
#   flock /tmp/s27/netns.lock; namespaces r27-names-*)
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r27-names-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r27-names-run
ST4_RT=r27-names-rt
ST4_SW=r27-names-sw

pki() {
  export LEAF_NAME=unused # the leaf section's subjectAltName (a value when another is issued)
  ca_db_begin "$PKI" 1000
  {
    printf '[policy_any]\norganizationName = optional\ncommonName = supplied\n'
    ext_root v3_root
    ext_ca v3_int 0
    ext_leaf v3_leaf digitalSignature,keyEncipherment "subjectAltName = DNS:\${ENV::LEAF_NAME}" \
      "authorityInfoAccess = OCSP;URI:http://ocsp.example.test/"
  } >> ca.cnf
  ca_issue ca.cnf root "/O=smtptap test/CN=smtptap OCSP Mixed Root CA" v3_root \
    20200101000000Z 20400101000000Z
  ca_issue ca.cnf int "/O=smtptap test/CN=smtptap OCSP Mixed Intermediate CA" v3_int \
    20200101000000Z 20350101000000Z root
  mkdir -p idb; : > idb/index.txt; echo 2000 > idb/serial
  sed -e 's#db/#idb/#' ca.cnf > ica.cnf
  LEAF_NAME=mail.example.test ca_issue ica.cnf old "/CN=mail.example.test" v3_leaf \
    20260101000000Z 20280101000000Z int
  LEAF_NAME=mail.example.test ca_issue ica.cnf new "/CN=mail.example.test" v3_leaf \
    20261101000000Z 20281101000000Z int
  LEAF_NAME=relay.example.test ca_issue ica.cnf relay "/CN=relay.example.test" v3_leaf \
    20260101000000Z 20280101000000Z int
  # resp NAME: NAME's "good" response from the index, signed by the intermediate, 7 days
  resp() {
    openssl ocsp -issuer int.pem -cert "$1.pem" -no_nonce -reqout "$1.req"
    openssl ocsp -index idb/index.txt -CA int.pem -rsigner int.pem -rkey int.key \
      -reqin "$1.req" -respout "$1.resp" -ndays 7 >/dev/null
    openssl ocsp -respin "$1.resp" -issuer int.pem -CAfile root.pem -cert "$1.pem" \
      -no_nonce >&2
  }
  resp old
  resp relay
  cd - >/dev/null || exit 1
}

pki
cp "$PKI/root.pem" "$DIAG/certs/ocsp-mixed-root.pem"
standalone_begin
server_add r27-names-s1 192.0.2.25
server_add r27-names-s2 192.0.2.26
client_add r27-names-c1 198.51.100.10
client_add r27-names-c2 198.51.100.11
# srv NS IP N LEAF [s_server args...]: N connections, then it exits
srv() {
  local ns=$1 ip=$2 n=$3 leaf=$4; shift 4
  bg_start "$ns" openssl s_server -accept "$ip:465" -naccept "$n" -quiet -cert "$PKI/$leaf.pem" \
    -key "$PKI/$leaf.key" -cert_chain "$PKI/int.pem" "$@"
  wait_port "$ns" 465
}
# gone NS: the server of NS has served its connections and closed its port
gone() {
  local i; for i in $(seq 1 50); do
    ip netns exec "$1" ss -ltn 2>/dev/null | grep -q ":465 " || return 0; sleep 0.1; done
  log "465 still listening in $1"; return 1
}
# sc NS IP NAME [s_client args...] — one TLS 1.2 handshake, a line, the end
sc() {
  local ns=$1 ip=$2 name=$3; shift 3
  { sleep 0.5; printf 'QUIT\r\n'; sleep 0.3; } | \
    timeout 15 ip netns exec "$ns" openssl s_client -connect "$ip:465" -servername "$name" \
      -CAfile "$PKI/root.pem" -tls1_2 "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
ST4_FILTER='ip and tcp port 465' capture_start "$ST4_TMP/cap.pcap"
srv r27-names-s1 192.0.2.25 2 old -status_file "$PKI/old.resp"
srv r27-names-s2 192.0.2.26 1 relay
sc r27-names-c1 192.0.2.25 mail.example.test -status
sc r27-names-c2 192.0.2.25 mail.example.test -status
sc r27-names-c1 192.0.2.26 relay.example.test -status
gone r27-names-s1
gone r27-names-s2
srv r27-names-s1 192.0.2.25 3 new
srv r27-names-s2 192.0.2.26 2 relay -status_file "$PKI/relay.resp"
sc r27-names-c1 192.0.2.25 mail.example.test -status
sc r27-names-c2 192.0.2.25 mail.example.test -status
sc r27-names-c2 192.0.2.25 mail.example.test
sc r27-names-c1 192.0.2.26 relay.example.test -status
sc r27-names-c2 192.0.2.26 relay.example.test -status
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/ocsp-mixed.pcap"
log "ocsp-mixed.pcap: $(stat -c %s "$DIAG/ocsp-mixed.pcap") bytes"
grep -E 'OCSP response|OCSP Response Status|Cert Status|Verify return' "$ST4_TMP/clients.log" >&2
