#!/bin/sh
# Lines of the terminal report that no golden pins (the goldens are the
# NDJSON): each capture's report must hold each expected line exactly.
# Usage: report_lines.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# expect NAME "OPTIONS" LINE: the report of OPTIONS holds LINE as a whole line
expect() {
  # shellcheck disable=SC2086
  TZ=UTC "$bin" --no-progress --color never $2 >"$tmp/$1.txt" 2>&1
  if grep -qxF -- "$3" "$tmp/$1.txt"; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: no line: $3"
    fail=1
  fi
}
# DANE (RFC 7672): each server's TLSA RRset and what its sessions did against it
dane="-r pcaps/diag/dane.pcap --no-system-ca --ca-file pcaps/diag/certs/dane-root.pem"
expect dane "$dane" "  DANE       _25._tcp.mx1.example.test: 1 record, from DNS, DNSSEC-validated (AD bit): 1 session matched (DANE-EE)"
expect dane "$dane" "  DANE       _25._tcp.mx2.example.test: 1 record, from DNS, DNSSEC-validated (AD bit): 1 session matched none: DANE senders defer their mail"
expect dane "$dane" "  DANE       _25._tcp.mx3.example.test: 1 record, from DNS, DNSSEC-validated (AD bit): 1 session matched (DANE-TA)"
ta="-r pcaps/diag/dns-mx.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem --tlsa tests/data/tlsa/dane-ta.tlsa"
expect dane-ta "$ta" "  DANE       _25._tcp.mx1.example.test: 1 record, from --tlsa: 1 session matched none (the leaf does not name the server): DANE senders defer their mail"
noad="-r pcaps/variants/dns-mx-tlsa.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem"
expect dns-tlsa "$noad" "  DANE       _25._tcp.mx2.example.test: 1 record, from DNS, not known to be validated (no AD bit): 1 session matched none: DANE senders defer their mail"
pkix="-r pcaps/diag/dns-mx.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem --tlsa tests/data/tlsa/pkix-only.tlsa"
expect pkix "$pkix" "  DANE       _25._tcp.mx2.example.test: 2 records (0 usable), from --tlsa: 1 session with no record an SMTP client can use"
# no TLSA record known: no DANE line at all
if TZ=UTC "$bin" --no-progress -r pcaps/diag/dns-mx.pcap 2>&1 | grep -q '^  DANE '; then
  echo "FAIL dns-mx: a DANE line without TLSA records"
  fail=1
fi
# TLS resumption: resumed sessions counted under the chain they resumed
res="-r pcaps/diag/resumption.pcap --no-system-ca --ca-file pcaps/diag/certs/resumption-root.pem"
TZ=UTC "$bin" --no-progress --color never $res >"$tmp/res.txt" 2>&1
if grep -q '^  certificate 1 of 1: Valid, 3 sessions (+3 resumed), ' "$tmp/res.txt"; then
  echo "ok   resumption: 3 sessions (+3 resumed)"
else
  echo "FAIL resumption: no '3 sessions (+3 resumed)'"
  fail=1
fi
exit $fail
