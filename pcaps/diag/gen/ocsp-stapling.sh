#!/bin/bash
# ocsp-stapling.sh — record pcaps/diag/ocsp-stapling.pcap (and ocsp-stapling.keylog): where
# a chain says its revocation is checked, and whether the server staples OCSP. Two implicit-TLS
# servers on port 465 (RFC 8314), openssl s_server with a chain whose leaf names CRL distribution
# points (HTTP, and LDAP in the form AD CS writes) and an OCSP responder, and whose intermediate
# names its own CRL and where its issuer is published (caIssuers): 192.0.2.25 staples an OCSP
# response made by `openssl ocsp` for the leaf (-status_file), 192.0.2.26 staples none. Clients,
# openssl s_client: TLS 1.2 asking for a staple (-status) and not asking, TLS 1.3 asking (its
# key log in ocsp-stapling.keylog: the staple is inside the encrypted Certificate).
#   usage: ocsp-stapling.sh      (needs root, iproute2, tcpdump, openssl)
# Its own PKI in /tmp/st4-ocsp-pki (made here): the root is copied to
# pcaps/diag/certs/ocsp-root.pem; the shared diagnosis PKI is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-ocsp-pki
source "$GEN/lib.sh"

pki() {
  ca_db_begin "$PKI" 1000
  {
    printf '[policy_any]\norganizationName = optional\ncommonName = supplied\n'
    ext_root v3_root
    ext_ca v3_int 0 "crlDistributionPoints = URI:http://crl.example.test/ocsp-root.crl" \
      "authorityInfoAccess = caIssuers;URI:http://pki.example.test/ocsp-root.crt"
    ext_leaf v3_leaf digitalSignature,keyEncipherment "subjectAltName = DNS:mail.example.test" \
      "crlDistributionPoints = leaf_cdp" \
      "authorityInfoAccess = OCSP;URI:http://ocsp.example.test/, caIssuers;URI:http://pki.example.test/ocsp-intermediate.crt"
    cat <<'CNF'
[leaf_cdp]
fullname = @leaf_cdp_names
[leaf_cdp_names]
URI.1 = http://crl.example.test/ocsp-intermediate.crl
URI.2 = ldap:///CN=smtptap%20OCSP%20Intermediate%20CA,CN=DC1,CN=CDP,CN=Public%20Key%20Services,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test?certificateRevocationList?base?objectClass=cRLDistributionPoint
[v3_ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
CNF
  } >> ca.cnf
  ca_issue ca.cnf root "/O=smtptap test/CN=smtptap OCSP Root CA" v3_root \
    20200101000000Z 20400101000000Z
  ca_issue ca.cnf int "/O=smtptap test/CN=smtptap OCSP Intermediate CA" v3_int \
    20200101000000Z 20350101000000Z root
  # the leaf and the OCSP responder's certificate, issued by the intermediate (its own
  # database, which `openssl ocsp -index` reads)
  mkdir -p idb; : > idb/index.txt; echo 2000 > idb/serial
  sed -e 's#db/#idb/#' ca.cnf > ica.cnf
  ca_issue ica.cnf mail "/CN=mail.example.test" v3_leaf 20260101000000Z 20280101000000Z int
  ca_issue ica.cnf ocsp "/CN=smtptap OCSP Responder" v3_ocsp 20260101000000Z 20280101000000Z int
  # the response the server staples: "good" for the leaf, valid ten years
  openssl ocsp -issuer int.pem -cert mail.pem -no_nonce -reqout req.der
  openssl ocsp -index idb/index.txt -CA int.pem -rsigner ocsp.pem -rkey ocsp.key -reqin req.der \
    -respout resp.der -ndays 3650 >/dev/null
  openssl ocsp -respin resp.der -issuer int.pem -VAfile ocsp.pem -CAfile root.pem -cert mail.pem \
    -no_nonce >&2
  cd - >/dev/null || exit 1
}

pki
cp "$PKI/root.pem" "$DIAG/certs/ocsp-root.pem"
standalone_begin
server_add st4-s1 192.0.2.25
server_add st4-s2 192.0.2.26
client_add st4-c1 198.51.100.10
client_add st4-c2 198.51.100.11
bg_start st4-s1 openssl s_server -accept 192.0.2.25:465 -naccept 3 -quiet -cert "$PKI/mail.pem" \
  -key "$PKI/mail.key" -cert_chain "$PKI/int.pem" -status_file "$PKI/resp.der"
bg_start st4-s2 openssl s_server -accept 192.0.2.26:465 -naccept 2 -quiet -cert "$PKI/mail.pem" \
  -key "$PKI/mail.key" -cert_chain "$PKI/int.pem"
wait_port st4-s1 465
wait_port st4-s2 465
kl=$DIAG/ocsp-stapling.keylog
rm -f "$kl"
# sc NS IP [s_client args...] — one handshake, then a line and the end of the connection
sc() {
  local ns=$1 ip=$2; shift 2
  { sleep 0.5; printf 'QUIT\r\n'; sleep 0.3; } | \
    timeout 15 ip netns exec "$ns" openssl s_client -connect "$ip:465" -servername mail.example.test \
      -CAfile "$PKI/root.pem" "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
ST4_FILTER='ip and tcp port 465' capture_start "$ST4_TMP/cap.pcap"
sc st4-c1 192.0.2.25 -tls1_2 -status
sc st4-c1 192.0.2.25 -tls1_2
sc st4-c2 192.0.2.25 -tls1_3 -status -keylogfile "$kl"
sc st4-c2 192.0.2.26 -tls1_2 -status
sc st4-c1 192.0.2.26 -tls1_3 -status -keylogfile "$kl"
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/ocsp-stapling.pcap"
log "ocsp-stapling.pcap: $(stat -c %s "$DIAG/ocsp-stapling.pcap") bytes"
grep -E 'OCSP response|OCSP Response Status|Cert Status|Protocol *:|Verify return' "$ST4_TMP/clients.log" >&2
