#!/bin/sh
# \summary: makes tests/data/certs/revurls.{der,pem}: a leaf that says where
# its revocation is checked and its issuer fetched, as a CA-issued one does
# (run once; the outputs are committed, tests never run it). Its own
# throwaway CA (key and certificate discarded): the fixture is read for its
# fields, never verified. Needs openssl >= 3.0.
#
#   revurls  CN=rev.example.com, SAN DNS:rev.example.com (ten years from when it was made)
#     crlDistributionPoints: two points, in this order:
#       http://crl.example.com/inter.crl, ldap://dc1.corp.example.com/CN=Test%20CA?certificateRevocationList?base
#       http://crl2.example.com/inter.crl
#     authorityInfoAccess (caIssuers first, to show kinds are told apart):
#       caIssuers http://pki.example.com/inter.crt
#       OCSP      http://ocsp.example.com/
set -eu
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/ext.cnf" <<'CNF'
[ v3_rev ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:rev.example.com
crlDistributionPoints = crldp1, crldp2
authorityInfoAccess = caIssuers;URI:http://pki.example.com/inter.crt, OCSP;URI:http://ocsp.example.com/
[ crldp1 ]
fullname = URI:http://crl.example.com/inter.crl, URI:ldap://dc1.corp.example.com/CN=Test%20CA?certificateRevocationList?base
[ crldp2 ]
fullname = URI:http://crl2.example.com/inter.crl
CNF
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -subj "/CN=smtptap Revocation Test CA" \
    -days 3650 -out "$T/ca.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/leaf.key" -subj "/CN=rev.example.com" \
    -out "$T/leaf.csr" 2>/dev/null
openssl x509 -req -in "$T/leaf.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -set_serial 0x2001 \
    -days 3653 -extfile "$T/ext.cnf" -extensions v3_rev -out revurls.pem 2>/dev/null
openssl x509 -in revurls.pem -outform DER -out revurls.der
openssl x509 -in revurls.pem -noout -ext crlDistributionPoints,authorityInfoAccess
