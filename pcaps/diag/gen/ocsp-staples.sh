#!/bin/bash
# ocsp-staples.sh — record pcaps/diag/ocsp-staples.pcap: what the stapled OCSP responses say.
# Four implicit-TLS servers on port 465 (RFC 8314), openssl s_server -status_file, each with a
# leaf of its own PKI (root in pcaps/diag/certs/ocsp-staples-root.pem) and the intermediate:
#   192.0.2.25  mail.example.test, a "good" response by the delegated responder (id-kp-OCSPSigning)
#   192.0.2.26  revoked.example.test, revoked in the CA's index (keyCompromise): the response
#               says "revoked", signed by the intermediate itself
#   192.0.2.27  stale.example.test, a "good" response whose nextUpdate is long past (thisUpdate
#               2026-01-01, nextUpdate 2026-01-08): made with python3-cryptography's
#               OCSPResponseBuilder, as `openssl ocsp` dates its responses now
#   192.0.2.28  renewed.example.test (the renewed certificate), stapling the response of the old
#               one (mail.example.test's): a staple for another certificate
# Clients: openssl s_client -tls1_2 -status (each asks for and prints the staple).
#   usage: ocsp-staples.sh      (needs root, iproute2, tcpdump, openssl, python3-cryptography;
#   run under flock /tmp/s25/netns.lock; namespaces r25-ocsp-*)
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r25-ocsp-pki
source "$GEN/lib.sh"
ST4_TMP=/tmp/r25-ocsp-run
ST4_RT=r25-ocsp-rt
ST4_SW=r25-ocsp-sw

pki() {
  export LEAF_NAME=unused # the leaf section's subjectAltName (a value when another is issued)
  ca_db_begin "$PKI" 1000
  {
    printf '[policy_any]\norganizationName = optional\ncommonName = supplied\n'
    ext_root v3_root
    ext_ca v3_int 0
    ext_leaf v3_leaf digitalSignature,keyEncipherment "subjectAltName = DNS:\${ENV::LEAF_NAME}" \
      "authorityInfoAccess = OCSP;URI:http://ocsp.example.test/"
    printf '[v3_ocsp]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n'
    printf 'extendedKeyUsage = OCSPSigning\n'
  } >> ca.cnf
  ca_issue ca.cnf root "/O=smtptap test/CN=smtptap OCSP Staples Root CA" v3_root \
    20200101000000Z 20400101000000Z
  ca_issue ca.cnf int "/O=smtptap test/CN=smtptap OCSP Staples Intermediate CA" v3_int \
    20200101000000Z 20350101000000Z root
  mkdir -p idb; : > idb/index.txt; echo 2000 > idb/serial
  sed -e 's#db/#idb/#' ca.cnf > ica.cnf
  local n
  for n in mail revoked stale renewed; do
    LEAF_NAME=$n.example.test ca_issue ica.cnf $n "/CN=$n.example.test" v3_leaf \
      20260101000000Z 20280101000000Z int
  done
  LEAF_NAME=ocsp.example.test ca_issue ica.cnf ocsp "/CN=smtptap OCSP Staples Responder" v3_ocsp \
    20260101000000Z 20280101000000Z int
  openssl ca -config ica.cnf -cert int.pem -keyfile int.key -revoke revoked.pem \
    -crl_reason keyCompromise 2>/dev/null
  # resp NAME SIGNER: NAME's response from the index, signed by SIGNER, valid ten years
  resp() {
    openssl ocsp -issuer int.pem -cert "$1.pem" -no_nonce -reqout "$1.req"
    openssl ocsp -index idb/index.txt -CA int.pem -rsigner "$2.pem" -rkey "$2.key" \
      -reqin "$1.req" -respout "$1.resp" -ndays 3650 >/dev/null
    openssl ocsp -respin "$1.resp" -issuer int.pem -VAfile "$2.pem" -CAfile root.pem \
      -cert "$1.pem" -no_nonce >&2
  }
  resp mail ocsp
  resp revoked int
  python3 - <<'PY'
import datetime
from cryptography import x509
from cryptography.x509 import ocsp
from cryptography.hazmat.primitives import hashes, serialization
ld = lambda n: x509.load_pem_x509_certificate(open(n + ".pem", "rb").read())
key = serialization.load_pem_private_key(open("ocsp.key", "rb").read(), None)
b = ocsp.OCSPResponseBuilder().add_response(
    cert=ld("stale"), issuer=ld("int"), algorithm=hashes.SHA1(),
    cert_status=ocsp.OCSPCertStatus.GOOD,
    this_update=datetime.datetime(2026, 1, 1), next_update=datetime.datetime(2026, 1, 8),
    revocation_time=None, revocation_reason=None)
b = b.responder_id(ocsp.OCSPResponderEncoding.HASH, ld("ocsp")).certificates([ld("ocsp")])
open("stale.resp", "wb").write(b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
PY
  openssl ocsp -respin stale.resp -resp_text -noverify | grep -E 'Update|Status' >&2
  cd - >/dev/null || exit 1
}

pki
cp "$PKI/root.pem" "$DIAG/certs/ocsp-staples-root.pem"
standalone_begin
server_add r25-ocsp-s1 192.0.2.25
server_add r25-ocsp-s2 192.0.2.26
server_add r25-ocsp-s3 192.0.2.27
server_add r25-ocsp-s4 192.0.2.28
client_add r25-ocsp-c1 198.51.100.10
# srv NS IP LEAF STAPLE
srv() {
  bg_start "$1" openssl s_server -accept "$2:465" -naccept 1 -quiet -cert "$PKI/$3.pem" \
    -key "$PKI/$3.key" -cert_chain "$PKI/int.pem" -status_file "$PKI/$4.resp"
}
srv r25-ocsp-s1 192.0.2.25 mail mail
srv r25-ocsp-s2 192.0.2.26 revoked revoked
srv r25-ocsp-s3 192.0.2.27 stale stale
srv r25-ocsp-s4 192.0.2.28 renewed mail
for s in 1 2 3 4; do wait_port r25-ocsp-s$s 465; done
sc() { # IP NAME — one TLS 1.2 handshake asking for a staple, a line, the end
  { sleep 0.5; printf 'QUIT\r\n'; sleep 0.3; } | \
    timeout 15 ip netns exec r25-ocsp-c1 openssl s_client -connect "$1:465" -servername "$2" \
      -CAfile "$PKI/root.pem" -tls1_2 -status >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
ST4_FILTER='ip and tcp port 465' capture_start "$ST4_TMP/cap.pcap"
sc 192.0.2.25 mail.example.test
sc 192.0.2.26 revoked.example.test
sc 192.0.2.27 stale.example.test
sc 192.0.2.28 renewed.example.test
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/ocsp-staples.pcap"
log "ocsp-staples.pcap: $(stat -c %s "$DIAG/ocsp-staples.pcap") bytes"
grep -E 'OCSP Response Status|Cert Status|Revocation Reason|Next Update|Serial Number' \
  "$ST4_TMP/clients.log" >&2
