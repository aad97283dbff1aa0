#!/bin/sh
# Issue 4's test contract, checked on the live output: every session
# diagnosis flag is true in at least one bundled capture and false in at
# least one other, and every finding kind of the contract fires on at least
# one capture (the kinds read from src/, the flags checked against every
# boolean of the records). Runs smtptap itself on every TESTLIST entry (the goldens then
# pin the exact output). jq is required (installed by scripts/deps.sh test).
# Usage: diagnosis_coverage.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "jq is required (sh scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
grep -vE '^(#|$)' tests/golden/TESTLIST | while read -r name pcap expected opts; do
  # shellcheck disable=SC2086
  TZ=UTC "$bin" -q --seed 1 $opts -r "$pcap" --json "$tmp/$name.ndjson" >/dev/null 2>&1
  rc=$?
  [ $rc -lt 64 ] || { echo "FAIL $name: exit $rc"; echo x >>"$tmp/failed"; }
done
[ -f "$tmp/failed" ] && exit 1
cat "$tmp"/*.ndjson >"$tmp/all"
fail=0
for flag in certificate_ok expired not_yet_valid self_signed name_mismatch missing_intermediate \
  untrusted_root name_constraint_violation weak_key weak_signature starttls_stripped \
  starttls_not_offered starttls_rejected plaintext_after_failed_starttls plaintext_delivery \
  auth_before_tls tls_handshake_failed client_rejected_certificate \
  server_rejected_client_certificate mutual_tls certificates_not_visible plaintext_refused \
  implicit_tls_not_served expiring_soon verified client_quit_after_handshake name_checked \
  manual_tls_probe client_closed_after_handshake server_closed_after_first_reply; do
  t=$(jq -c "select(.event==\"session\") | select(.diagnosis.$flag==true) | .id" "$tmp/all" | wc -l)
  f=$(jq -c "select(.event==\"session\") | select(.diagnosis.$flag==false) | .id" "$tmp/all" | wc -l)
  if [ "$t" -eq 0 ] || [ "$f" -eq 0 ]; then
    echo "FAIL diagnosis.$flag: true in $t sessions, false in $f"
    fail=1
  else
    echo "ok   diagnosis.$flag: true in $t sessions, false in $f"
  fi
done
# every boolean of the diagnosis is in the list above (a new flag gets covered too)
flags=$(sed -n '/^for flag in/,/; do$/p' "$0")
for k in $(jq -r 'select(.event=="session") | .diagnosis | to_entries[] |
    select(.value | type == "boolean") | .key' "$tmp/all" | sort -u); do
  echo "$flags" | grep -qw "$k" || { echo "FAIL diagnosis.$k is not in this test's list"; fail=1; }
done
# every finding kind the code makes (src/agg_findings.c's per-flag table and
# each agg_new_finding call) fires on at least one capture
kinds=$({
  sed -n 's/.*\[AF_[A-Z_]*\] = {"\([a-z_]*\)", SEV_.*/\1/p' src/agg_findings.c
  grep -ho 'agg_new_finding(si, "[a-z_]*"' src/*.c | sed 's/.*"\([a-z_]*\)"/\1/'
} | sort -u)
[ "$(echo "$kinds" | wc -l)" -ge 30 ] || { echo "FAIL cannot read the finding kinds of src/"; fail=1; }
for kind in $kinds; do
  n=$(jq -c "select(.event==\"finding\" and .kind==\"$kind\") | .kind" "$tmp/all" | wc -l)
  if [ "$n" -eq 0 ]; then
    echo "FAIL finding $kind never fires"
    fail=1
  else
    echo "ok   finding $kind: $n"
  fi
done
exit $fail
