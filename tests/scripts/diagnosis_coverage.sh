#!/bin/sh
# Issue 4's test contract, checked on the live output: every session
# diagnosis flag is true in at least one bundled capture and false in at
# least one other, and every finding kind of the contract fires on at least
# one capture. Runs smtptap itself on every TESTLIST entry (the goldens then
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
  server_rejected_client_certificate mutual_tls certificates_not_visible plaintext_refused; do
  t=$(jq -c "select(.event==\"session\") | select(.diagnosis.$flag==true) | .id" "$tmp/all" | wc -l)
  f=$(jq -c "select(.event==\"session\") | select(.diagnosis.$flag==false) | .id" "$tmp/all" | wc -l)
  if [ "$t" -eq 0 ] || [ "$f" -eq 0 ]; then
    echo "FAIL diagnosis.$flag: true in $t sessions, false in $f"
    fail=1
  else
    echo "ok   diagnosis.$flag: true in $t sessions, false in $f"
  fi
done
for kind in peer_dependent_certificate mixed_pool certificate_changed expired_certificate_served \
  expiring_certificate starttls_inconsistent plaintext_fallback anonymous_tls \
  obsolete_tls_version vlan_split starttls_not_used; do
  n=$(jq -c "select(.event==\"finding\" and .kind==\"$kind\") | .kind" "$tmp/all" | wc -l)
  if [ "$n" -eq 0 ]; then
    echo "FAIL finding $kind never fires"
    fail=1
  else
    echo "ok   finding $kind: $n"
  fi
done
exit $fail
