#!/bin/bash
# pki.sh — openssl CLI PKI for the smtptap diagnosis captures.
#
#   smtptap Diag Root CA ─┬─ smtptap Diag Intermediate CA ── leaves (mail.example.test, ...)
#                         └─ smtptap Diag Constrained CA (nameConstraints permitted;DNS:.allowed.example.test)
#   Other Root CA ── Other Intermediate CA ── mail.other.example.test      (untrusted-root case)
#   self-signed: SERVER1 (SAN SERVER1, SERVER1.corp.example.test), EXCH01
#
# Usage: pki.sh OUTDIR      (work files + keys go to OUTDIR; public CA certs are copied
#                           to pcaps/diag/certs/ by make-all.sh)
# Dates are explicit (openssl ca -startdate/-enddate) so that, judged at capture time
# (late 2026), "expired" leaves ended 2025-01-01 and "valid" ones span 2026-01-01..2028-01-01.
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/lib.sh" # ext_root, ext_ca, ca_dir_db
OUT=${1:?usage: pki.sh OUTDIR}
mkdir -p "$OUT"; cd "$OUT"

VALID_FROM=20260101000000Z
VALID_TO=20280101000000Z
CA_FROM=20200101000000Z
CA_TO=20400101000000Z

{
  ext_root v3_ca "authorityKeyIdentifier = keyid:always"
  ext_ca v3_int 0
  ext_ca v3_int_nc 0 "nameConstraints = critical,permitted;DNS:.allowed.example.test"
  cat <<'EOF'
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $ENV::SAN
[v3_selfsigned]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = $ENV::SAN
EOF
} > ext.cnf
export SAN=DNS:unused

# each CA's database (lib.sh), serials from 1000
mkca_db() { ca_dir_db "$1" 1000; }

# sign CA_DIR CSR OUT EXT FROM TO [md]
sign() {
  local md=${7:-sha256}
  openssl ca -batch -notext -config "$1/ca.cnf" -in "$2" -out "$3" -extfile ext.cnf \
      -extensions "$4" -startdate "$5" -enddate "$6" -md "$md" 2>/dev/null
}

# key NAME [bits]
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${2:-2048} -out "$1.key" 2>/dev/null; }
csr() { openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"; }

# --- roots (self-signed through openssl ca -selfsign, fixed dates) ---
mkroot() { # dir subj
  mkca_db "$1"; key "$1/ca" 2048; csr "$1/ca" "$2"
  openssl ca -batch -notext -selfsign -config "$1/ca.cnf" -keyfile "$1/ca.key" \
     -in "$1/ca.csr" -out "$1/ca.pem" -extfile ext.cnf -extensions v3_ca \
     -startdate $CA_FROM -enddate $CA_TO 2>/dev/null
}
mkint() { # dir subj parentdir ext
  mkca_db "$1"; key "$1/ca" 2048; csr "$1/ca" "$2"
  sign "$3" "$1/ca.csr" "$1/ca.pem" "$4" $CA_FROM 20350101000000Z
}
mkroot root  "/O=smtptap test/CN=smtptap Diag Root CA"
mkint  int   "/O=smtptap test/CN=smtptap Diag Intermediate CA" root v3_int
mkint  intnc "/O=smtptap test/CN=smtptap Diag Constrained CA" root v3_int_nc
mkroot oroot "/O=Other Org/CN=Other Root CA"
mkint  oint  "/O=Other Org/CN=Other Intermediate CA" oroot v3_int

# leaf NAME CA_DIR CN SAN FROM TO [bits] [md]
leaf() {
  key "$1" "${7:-2048}"; csr "$1" "/CN=$3"
  SAN="$4" sign "$2" "$1.csr" "$1.crt" v3_leaf "$5" "$6" "${8:-sha256}"
}
selfsigned() { # NAME CN SAN FROM TO
  key "$1"; csr "$1" "/CN=$2"
  mkca_db "ss-$1"; cp "$1.key" "ss-$1/ca.key"
  SAN="$3" openssl ca -batch -notext -selfsign -config "ss-$1/ca.cnf" -keyfile "$1.key" \
     -in "$1.csr" -out "$1.crt" -extfile ext.cnf -extensions v3_selfsigned \
     -startdate "$4" -enddate "$5" 2>/dev/null
}

leaf mail      int "mail.example.test"   "DNS:mail.example.test,DNS:smtp.example.test" $VALID_FROM $VALID_TO
leaf expired   int "mail-expired.example.test" "DNS:mail-expired.example.test" 20240101000000Z 20250101000000Z
leaf oldpool   int "mail.example.test"   "DNS:mail.example.test,DNS:smtp.example.test" 20240101000000Z 20250101000000Z
leaf noint     int "mail-noint.example.test" "DNS:mail-noint.example.test" $VALID_FROM $VALID_TO
leaf other     oint "mail.other.example.test" "DNS:mail.other.example.test" $VALID_FROM $VALID_TO
leaf forbidden intnc "mail.forbidden.example.test" "DNS:mail.forbidden.example.test" $VALID_FROM $VALID_TO
# renewal pair: same subject + issuer, told apart by serial/fingerprint; old one expires soon
leaf renew-old int "mail-renew.example.test" "DNS:mail-renew.example.test" 20251210000000Z 20261210000000Z
leaf renew-new int "mail-renew.example.test" "DNS:mail-renew.example.test" 20261120000000Z 20271120000000Z
# DNS/MX case: server 1 cert does not cover mx1.example.test, server 2 cert covers mx2.example.test
leaf mx1wrong  int "mail.example.test"   "DNS:mail.example.test" $VALID_FROM $VALID_TO
leaf mx2       int "mx2.example.test"    "DNS:mx2.example.test" $VALID_FROM $VALID_TO
# weak: RSA-1024, SHA-1 signature
leaf weak      int "weak.example.test"   "DNS:weak.example.test" $VALID_FROM $VALID_TO 1024 sha1
# client certificate for mutual TLS (issued by the untrusted Other hierarchy, so the server rejects it)
leaf client-other oint "client.other.example.test" "DNS:client.other.example.test" $VALID_FROM $VALID_TO
leaf client-ok     int "client.example.test" "DNS:client.example.test" $VALID_FROM $VALID_TO

selfsigned server1 "SERVER1" "DNS:SERVER1,DNS:SERVER1.corp.example.test" 20260101000000Z 20310101000000Z
selfsigned exch01  "EXCH01"  "DNS:EXCH01,DNS:EXCH01.corp.example.test"   20260101000000Z 20310101000000Z

# public CA certs
cp root/ca.pem root.pem; cp int/ca.pem intermediate.pem; cp intnc/ca.pem constrained-intermediate.pem
cp oroot/ca.pem other-root.pem; cp oint/ca.pem other-intermediate.pem

# Postfix chain files (key first, then leaf, then chain) — smtpd_tls_chain_files
chain() { cat "$@"; }
chain mail.key      mail.crt      int/ca.pem            > mail.chain.pem
chain expired.key   expired.crt   int/ca.pem            > expired.chain.pem
chain oldpool.key   oldpool.crt   int/ca.pem            > oldpool.chain.pem
chain noint.key     noint.crt                           > noint.chain.pem      # intermediate missing!
chain other.key     other.crt     oint/ca.pem oroot/ca.pem > other.chain.pem
chain forbidden.key forbidden.crt intnc/ca.pem          > forbidden.chain.pem
chain renew-old.key renew-old.crt int/ca.pem            > renew-old.chain.pem
chain renew-new.key renew-new.crt int/ca.pem            > renew-new.chain.pem
chain mx1wrong.key  mx1wrong.crt  int/ca.pem            > mx1wrong.chain.pem
chain mx2.key       mx2.crt       int/ca.pem            > mx2.chain.pem
chain weak.key      weak.crt      int/ca.pem            > weak.chain.pem
chain server1.key   server1.crt                         > server1.chain.pem
chain exch01.key    exch01.crt                          > exch01.chain.pem
cat root.pem intermediate.pem > root+int.pem
echo "PKI ready in $PWD"
