#!/bin/sh
# \summary: regenerates the X.509 test fixtures in tests/data/certs/ with the
# openssl CLI (run once; the outputs are committed, tests never run it).
# Fixed validity dates (openssl ca -startdate/-enddate) keep tests
# deterministic. Needs openssl >= 3.0 and python3 (NUL-byte DER edit only).
#
#   root        CN=smtptap Test Root CA (self-signed, 2020..2040)
#   inter       CN=smtptap Test Intermediate CA (by root, 2020..2039)
#   leaf        mail.example.com, smtp.example.com (by inter, 2024-01-01..2034-01-01)
#   expired     old.example.com (2020-01-01..2021-01-01)
#   notyet      future.example.com (2035-01-01..2036-01-01)
#   wildcard    *.example.com, EC P-256 key
#   selfsigned  CN=SERVER1, SAN SERVER1, SERVER1.domain.com (self-signed)
#   ipsan       IP 192.0.2.25, IP 2001:db8::25, DNS mx.example.net
#   idna        xn--bcher-kva.example.com, *.xn--caf-dma.example.com
#   nulname     CN "bad.example.com\0.evil.org", SAN DNS "ok.example.com\0.evil.org"
#               (DER edit + re-signed by inter)
#   ncinter     intermediate by root with nameConstraints permitted DNS:.example.com
#   ncbad       www.evil.org by ncinter (violates); ncgood good.example.com by ncinter
#   weakkey     weak.example.com, RSA-1024 key
#   sha1        sha1.example.com, sha1WithRSAEncryption
#   oroot/ointer/oleaf  a second hierarchy ("Other Root") that is never trusted
#   cnonly      CN=cnonly.example.com, no SAN at all
#   (revurls, with CRL Distribution Points and Authority Information Access,
#   comes from make-revocation.sh)
set -eu
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat >"$T/ca.cnf" <<'CNF'
[ ca ]
default_ca = CA_default
[ CA_default ]
database = $ENV::T/index.txt
new_certs_dir = $ENV::T
serial = $ENV::T/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_nc ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:.example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::SAN
[ v3_cnonly ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
CNF
export T
export SAN="DNS:unused"
: >"$T/index.txt"
echo 1000 >"$T/serial"

key() { # name [rsa bits | ec]
    if [ "${2:-2048}" = ec ]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$1.key" 2>/dev/null
    else
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2:-2048}" -out "$T/$1.key" 2>/dev/null
    fi
}
# sign name subj issuer ext start end [md]
sign() {
    openssl req -new -key "$T/$1.key" -subj "$2" -out "$T/$1.csr" 2>/dev/null
    if [ "$3" = self ]; then
        openssl ca -batch -config "$T/ca.cnf" -selfsign -keyfile "$T/$1.key" -in "$T/$1.csr" \
            -extensions "$4" -startdate "$5" -enddate "$6" -md "${7:-sha256}" -notext \
            -out "$T/$1.pem" 2>/dev/null
    else
        openssl ca -batch -config "$T/ca.cnf" -cert "$3.pem" -keyfile "$T/$3.key" -in "$T/$1.csr" \
            -extensions "$4" -startdate "$5" -enddate "$6" -md "${7:-sha256}" -notext \
            -out "$T/$1.pem" 2>/dev/null
    fi
    openssl x509 -in "$T/$1.pem" -out "$1.pem"
    openssl x509 -in "$T/$1.pem" -outform DER -out "$1.der"
}

key root; sign root "/C=DE/O=smtptap Tests/CN=smtptap Test Root CA" self v3_root 20200101000000Z 20400101000000Z
cp "$T/root.key" root.key
key inter; sign inter "/C=DE/O=smtptap Tests/CN=smtptap Test Intermediate CA" root v3_inter 20200101000000Z 20390101000000Z
cp "$T/inter.key" inter.key
S="DNS:mail.example.com,DNS:smtp.example.com"; SAN=$S key leaf
SAN=$S sign leaf "/C=DE/O=Example Mail/CN=mail.example.com" inter v3_leaf 20240101000000Z 20340101000000Z
key expired; SAN="DNS:old.example.com" sign expired "/CN=old.example.com" inter v3_leaf 20200101000000Z 20210101000000Z
key notyet; SAN="DNS:future.example.com" sign notyet "/CN=future.example.com" inter v3_leaf 20350101000000Z 20360101000000Z
key wildcard ec; SAN="DNS:*.example.com" sign wildcard "/CN=*.example.com" inter v3_leaf 20240101000000Z 20340101000000Z
key selfsigned; SAN="DNS:SERVER1,DNS:SERVER1.domain.com" sign selfsigned "/CN=SERVER1" self v3_leaf 20240101000000Z 20340101000000Z
key ipsan; SAN="IP:192.0.2.25,IP:2001:db8::25,DNS:mx.example.net,email:postmaster@example.net,URI:https://example.net/" \
    sign ipsan "/CN=192.0.2.25" inter v3_leaf 20240101000000Z 20340101000000Z
key idna; SAN="DNS:xn--bcher-kva.example.com,DNS:*.xn--caf-dma.example.com" \
    sign idna "/CN=xn--bcher-kva.example.com" inter v3_leaf 20240101000000Z 20340101000000Z
key ncinter; sign ncinter "/C=DE/O=smtptap Tests/CN=smtptap Constrained CA" root v3_nc 20200101000000Z 20390101000000Z
cp "$T/ncinter.key" ncinter.key 2>/dev/null || true
key ncbad; SAN="DNS:www.evil.org" sign ncbad "/CN=www.evil.org" ncinter v3_leaf 20240101000000Z 20340101000000Z
key ncgood; SAN="DNS:good.example.com" sign ncgood "/CN=good.example.com" ncinter v3_leaf 20240101000000Z 20340101000000Z
key weakkey 1024; SAN="DNS:weak.example.com" sign weakkey "/CN=weak.example.com" inter v3_leaf 20240101000000Z 20340101000000Z
key sha1; SAN="DNS:sha1.example.com" sign sha1 "/CN=sha1.example.com" inter v3_leaf 20240101000000Z 20340101000000Z sha1
key cnonly; sign cnonly "/CN=cnonly.example.com" inter v3_cnonly 20240101000000Z 20340101000000Z
key oroot; sign oroot "/C=US/O=Other/CN=Other Root" self v3_root 20200101000000Z 20400101000000Z
key ointer; sign ointer "/C=US/O=Other/CN=Other Intermediate" oroot v3_inter 20200101000000Z 20390101000000Z
key oleaf; SAN="DNS:relay.example.org" sign oleaf "/CN=relay.example.org" ointer v3_leaf 20240101000000Z 20340101000000Z
rm -f ncinter.key

# NUL bytes: issue with placeholders '#', then replace them by 0x00 in the TBS
# and re-sign with the intermediate key (the signature stays valid).
key nulname; SAN="DNS:ok.example.com#.evil.org" sign nulname "/CN=bad.example.com#.evil.org" inter v3_leaf 20240101000000Z 20340101000000Z
python3 - "$T" <<'PY'
import subprocess, sys
t = sys.argv[1]
der = open("nulname.der", "rb").read()
def hdr(b, i):  # returns (tag end, content start, content len)
    l = b[i + 1]
    if l < 0x80:
        return i + 2, l
    n = l & 0x7f
    return i + 2 + n, int.from_bytes(b[i + 2:i + 2 + n], "big")
def enc(tag, content):
    n = len(content)
    if n < 0x80:
        l = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        l = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + l + content
s, n = hdr(der, 0)
ts, tn = hdr(der, s)
tbs = der[s:ts + tn]
rest = der[ts + tn:s + n]          # AlgorithmIdentifier + BIT STRING
a, an = hdr(rest, 0)
alg = rest[:a + an]
tbs = tbs.replace(b"example.com#.evil", b"example.com\x00.evil")
open(t + "/tbs.der", "wb").write(tbs)
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", t + "/inter.key", t + "/tbs.der"],
                     check=True, capture_output=True).stdout
out = enc(0x30, tbs + alg + enc(0x03, b"\x00" + sig))
open("nulname.der", "wb").write(out)
PY
openssl x509 -inform DER -in nulname.der -out nulname.pem
rm -f root.key inter.key

# Trust bundles for the tests.
cat root.pem >trust-root.pem
# Garbage and trailing bytes.
printf 'this is not DER at all' >garbage.der
cat leaf.der >trailing.der && printf '\0\0' >>trailing.der
head -c 200 leaf.der >truncated.der
openssl verify -CAfile root.pem -untrusted inter.pem -attime 1748736000 leaf.pem nulname.pem
