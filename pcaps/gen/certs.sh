#!/bin/bash
# smtptap test PKI, made with the openssl CLI only.
#
#   certs.sh OUTDIR [PUBDIR]
#
# OUTDIR (a temp dir) receives keys and certificates; PUBDIR (default:
# pcaps/certs next to this script) receives the PUBLIC certificates only.
# Validity periods and serial numbers are fixed, so re-runs give the same
# names/dates/serials (keys, and so fingerprints, are new on every run).
#
#   root.pem          CN=smtptap Test Root CA            2026-01-01 .. 2036-01-01
#   intermediate.pem  CN=smtptap Test Intermediate CA    2026-01-01 .. 2031-01-01
#   server.pem        CN=mail.example.test (SAN mail.example.test, example.test,
#                     smtp.example.test), issued by the intermediate
#                     2026-06-01 .. 2027-06-01, serial 0x1001
#   server-chain.pem  server.pem + intermediate.pem  (what the servers send)
#   selfsigned.pem    CN=SERVER1, SAN SERVER1, SERVER1.corp.example.test,
#                     self-signed, 2026-01-01 .. 2031-01-01, serial 0x5e1f
#   server-old.pem    same subject and issuer as server.pem, serial 0x0fff,
#                     2025-06-01 .. 2026-06-01 (EXPIRED at capture time)
#   client.pem        CN=relay.client.test (clientAuth) by the intermediate
#                     2026-06-01 .. 2027-06-01, serial 0x2001
#   other-root.pem    CN=smtptap Other Root CA (unrelated trust anchor, used
#                     as a wrong client trust store)
set -euo pipefail
OUT=${1:?usage: certs.sh OUTDIR [PUBDIR]}
HERE=$(cd "$(dirname "$0")" && pwd)
PUB=${2:-$HERE/../certs}
mkdir -p "$OUT" "$PUB"
cd "$OUT"

cat > ca.cnf <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir            = .
database       = ./index.txt
new_certs_dir  = ./newcerts
serial         = ./serial
default_md     = sha256
policy         = policy_any
unique_subject = no
copy_extensions = none
email_in_dn    = no
preserve       = yes
name_opt       = ca_default
cert_opt       = ca_default
[ policy_any ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_root ]
basicConstraints       = critical, CA:true
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
[ v3_int ]
basicConstraints       = critical, CA:true, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:mail.example.test, DNS:example.test, DNS:smtp.example.test
[ v3_selfsigned ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:SERVER1, DNS:SERVER1.corp.example.test
[ v3_client ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:relay.client.test
EOF
rm -rf newcerts index.txt* ; mkdir newcerts ; : > index.txt

# mk NAME SUBJ EXT SERIAL START END SIGNER_CERT SIGNER_KEY (SIGNER "self" = self-signed)
mk() {
    local name=$1 subj=$2 ext=$3 serial=$4 start=$5 end=$6 scert=$7 skey=$8
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null
    openssl req -new -config ca.cnf -key "$name.key" -subj "$subj" -out "$name.csr"
    echo "$serial" > serial
    if [ "$scert" = self ]; then
        openssl ca -batch -config ca.cnf -selfsign -keyfile "$name.key" -in "$name.csr" \
            -extensions "$ext" -startdate "$start" -enddate "$end" -notext -out "$name.pem" 2>/dev/null
    else
        openssl ca -batch -config ca.cnf -cert "$scert" -keyfile "$skey" -in "$name.csr" \
            -extensions "$ext" -startdate "$start" -enddate "$end" -notext -out "$name.pem" 2>/dev/null
    fi
}

mk root         "/O=smtptap test/CN=smtptap Test Root CA"          v3_root       01   20260101000000Z 20360101000000Z self     ""
mk intermediate "/O=smtptap test/CN=smtptap Test Intermediate CA"  v3_int        0100 20260101000000Z 20310101000000Z root.pem root.key
mk server       "/O=Example Mail/CN=mail.example.test"             v3_server     1001 20260601000000Z 20270601000000Z intermediate.pem intermediate.key
mk server-old   "/O=Example Mail/CN=mail.example.test"             v3_server     0FFF 20250601000000Z 20260601000000Z intermediate.pem intermediate.key
mk client       "/O=Client Relay/CN=relay.client.test"             v3_client     2001 20260601000000Z 20270601000000Z intermediate.pem intermediate.key
mk selfsigned   "/CN=SERVER1"                                      v3_selfsigned 5E1F 20260101000000Z 20310101000000Z self     ""
mk other-root   "/O=smtptap test/CN=smtptap Other Root CA"         v3_root       02   20260101000000Z 20360101000000Z self     ""

cat server.pem intermediate.pem > server-chain.pem
cat server.key server.pem intermediate.pem > server-keychain.pem   # for postfix smtpd_tls_chain_files
cat selfsigned.key selfsigned.pem > selfsigned-keychain.pem
cat server-old.key server-old.pem intermediate.pem > server-old-keychain.pem
cat server.key server.pem > server-leafonly-keychain.pem
cat client.key client.pem intermediate.pem > client-keychain.pem
chmod 600 ./*.key ./*keychain.pem

openssl verify -CAfile root.pem -untrusted intermediate.pem server.pem client.pem >/dev/null

for f in root intermediate server server-old selfsigned client other-root; do
    cp "$f.pem" "$PUB/$f.pem"
done
cat server.pem intermediate.pem > "$PUB/server-chain.pem"
# fingerprints for the tests' expectations
( cd "$PUB" && for f in root intermediate server server-old selfsigned client other-root; do
    printf '%s.pem\n' "$f"
    openssl x509 -in "$f.pem" -noout -subject -issuer -serial -startdate -enddate -fingerprint -sha1
    openssl x509 -in "$f.pem" -noout -fingerprint -sha256
    echo
  done ) > "$PUB/FINGERPRINTS.txt"
echo "PKI ready in $OUT (public certs in $PUB)"
