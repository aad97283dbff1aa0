#!/bin/sh
# Credentials are never written: pcaps/diag/submission-alert-46.pcap holds, in
# plaintext, "AUTH PLAIN <base64 of \0user\0password>" of its test account
# (pcaps/diag/README.md); smtptap must see that AUTH (auth_before_tls, mechanism
# PLAIN) and write neither the base64 string, nor any part of it long enough to
# decode, nor the password, in its NDJSON, terminal report or stderr.
# Usage: auth_not_written.sh SMTPTAP
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcap=pcaps/diag/submission-alert-46.pcap
pass=Sub587-test-pass
b64=$(printf '\000alice@example.test\000%s' "$pass" | base64)

# The capture does hold them in clear (else this test proves nothing).
if ! grep -aq "AUTH PLAIN $b64" "$pcap"; then
  echo "FAIL $pcap does not hold AUTH PLAIN $b64"
  exit 1
fi

"$bin" --no-system-ca --ca-file pcaps/diag/certs/root.pem -r "$pcap" \
  --json "$tmp/out.ndjson" >"$tmp/report.txt" 2>"$tmp/stderr.txt"
"$bin" --no-system-ca -r "$pcap" --json - >"$tmp/stdout.ndjson" 2>"$tmp/stderr2.txt"

if ! grep -q '"auth_before_tls":true,"auth_mechanism":"PLAIN"' "$tmp/out.ndjson"; then
  echo "FAIL the AUTH before TLS was not seen (auth_before_tls, auth_mechanism PLAIN)"
  fail=1
fi
# the base64 string whole, its first and last 12 characters (9 bytes each), the
# password, the password's own base64 (AUTH LOGIN's form)
for s in "$b64" "$(echo "$b64" | cut -c1-12)" "$(echo "$b64" | sed 's/.*\(.\{12\}\)$/\1/')" \
  "$pass" "$(printf '%s' "$pass" | base64)"; do
  for f in out.ndjson report.txt stderr.txt stdout.ndjson stderr2.txt; do
    if grep -aqF -- "$s" "$tmp/$f"; then
      echo "FAIL '$s' written to $f"
      fail=1
    fi
  done
done
[ $fail = 0 ] && echo "ok: the AUTH PLAIN of $pcap is seen and no credential is written"
exit $fail
