#!/bin/bash
# three-tier.sh — record pcaps/diag/three-tier.pcap: a three-tier PKI (root -> policy CA ->
# issuing CA -> leaves), as many enterprise and lab PKIs are, and two Postfix servers that
# send different parts of it. 192.0.2.25 (mail.example.test) sends its leaf and the issuing CA
# but omits the policy CA in the middle; 192.0.2.26 (relay.example.test) sends its leaf, the
# issuing CA and the policy CA, and omits the root, as RFC 5246 §7.4.2 and RFC 8446 §4.4.2
# allow. From the wire alone, the first chain's missing issuer (the policy CA) and the second's
# (the root) look alike: "unable to get local issuer certificate" above the top certificate
# sent. The clients: swaks (no verification) and openssl s_client with the root as its only
# trust anchor and -verify_return_error (it refuses the first chain with unknown_ca (48),
# accepts the second).
#   usage: three-tier.sh        (needs root, iproute2, tcpdump, openssl, postfix, swaks)
# Its own PKI in /tmp/st4-3tier-pki (made here, keys random): the public certificates are
# copied to pcaps/diag/certs/three-tier-*.pem and leaf-three-tier-*.pem, with a second
# "smtptap Lab Root CA" of another key (three-tier-old-root.pem: the root before a re-key),
# so that a trust store holding only the old root can be tried on the same capture.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-3tier-pki
source "$GEN/lib.sh"

pki() {
  rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
  {
    ext_root v3_root
    ext_ca v3_policy 1 "authorityInfoAccess = caIssuers;URI:http://pki.example.test/lab-root.crt"
    ext_ca v3_issuing 0 "authorityInfoAccess = caIssuers;URI:http://pki.example.test/lab-policy.crt"
    ext_leaf v3_leaf digitalSignature,keyEncipherment 'subjectAltName = $ENV::SAN' \
      "authorityInfoAccess = caIssuers;URI:http://pki.example.test/lab-issuing.crt"
  } > ext.cnf
  export SAN=DNS:unused
  local CA_EXTFILE=ext.cnf # ca_issue's extensions
  # root DIR FROM TO — self-signed
  root() {
    ca_dir_db "$1" 1000
    ca_issue "$1/ca.cnf" "$1/ca" "/O=smtptap test/CN=smtptap Lab Root CA" v3_root "$2" "$3"
  }
  root root 20200101000000Z 20400101000000Z
  root oldroot 20160101000000Z 20360101000000Z # the same name, another key
  ca_dir_db policy 2000
  ca_issue root/ca.cnf policy/ca "/O=smtptap test/CN=smtptap Lab Policy CA" v3_policy \
    20200101000000Z 20350101000000Z root/ca
  ca_dir_db issuing 3000
  ca_issue policy/ca.cnf issuing/ca "/O=smtptap test/CN=smtptap Lab Issuing CA" v3_issuing \
    20200101000000Z 20350101000000Z policy/ca
  SAN=DNS:mail.example.test ca_issue issuing/ca.cnf mail "/CN=mail.example.test" v3_leaf \
    20260101000000Z 20280101000000Z issuing/ca
  SAN=DNS:relay.example.test ca_issue issuing/ca.cnf relay "/CN=relay.example.test" v3_leaf \
    20260101000000Z 20280101000000Z issuing/ca
  # Postfix chain files (key, leaf, then the CAs sent)
  cat mail.key mail.pem issuing/ca.pem > mail.chain.pem                  # policy CA omitted
  cat relay.key relay.pem issuing/ca.pem policy/ca.pem > relay.chain.pem # root omitted
  openssl verify -CAfile root/ca.pem -untrusted issuing/ca.pem -untrusted policy/ca.pem \
    mail.pem relay.pem >&2
  cd - >/dev/null || exit 1
}

# the st4-* names are every generator's: never two at once
if ip netns list | grep -q '^st4-'; then
  log "st4-* namespaces exist: another generator is running; try again when it is done"
  exit 1
fi
pki
cp "$PKI/root/ca.pem" "$DIAG/certs/three-tier-root.pem"
cp "$PKI/oldroot/ca.pem" "$DIAG/certs/three-tier-old-root.pem"
cp "$PKI/policy/ca.pem" "$DIAG/certs/three-tier-policy-ca.pem"
cp "$PKI/issuing/ca.pem" "$DIAG/certs/three-tier-issuing-ca.pem"
cp "$PKI/mail.pem" "$DIAG/certs/leaf-three-tier-mail.pem"
cp "$PKI/relay.pem" "$DIAG/certs/leaf-three-tier-relay.pem"
standalone_begin
server_add st4-s1 192.0.2.25
server_add st4-s2 192.0.2.26
client_add st4-c1 198.51.100.10
client_add st4-c2 198.51.100.11
PF_HOSTNAME=mail.example.test pf_server 1 st4-s1 "$PKI/mail.chain.pem"
PF_HOSTNAME=relay.example.test pf_server 2 st4-s2 "$PKI/relay.chain.pem"
CA=$PKI/root/ca.pem
capture_start "$ST4_TMP/cap.pcap"
swk  st4-c1 192.0.2.25 --tls --tls-sni mail.example.test
ossl st4-c2 192.0.2.25 -servername mail.example.test -CAfile "$CA" -verify_return_error
ossl st4-c1 192.0.2.26 -servername relay.example.test -CAfile "$CA" -verify_return_error
swk  st4-c2 192.0.2.26 --tls --tls-sni relay.example.test
sleep 1 # the last connection's packets reach the capture
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/three-tier.pcap"
log "three-tier.pcap: $(stat -c %s "$DIAG/three-tier.pcap") bytes"
grep -E 'Verify return|verify error|alert' "$ST4_TMP/clients.log" >&2
