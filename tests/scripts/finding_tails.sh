#!/bin/sh
# Every finding's sentence names its sessions and peers the same way, "(N
# sessions, peers A, B)" (README "Reading the report"), with the finding's
# own session_count and peers (sorted by address), once:
# - the terminal report of captures holding every kind that once lacked it
#   (certificate_changed, expired_certificate_served, expiring_certificate,
#   mixed_pool of a server and of a name, peer_dependent_certificate,
#   plaintext_fallback, sni_dependent_certificate, starttls_inconsistent)
#   and others: each FINDINGS line holds the tail, none "((";
# - the JSON of the same runs and of every golden (tests/golden/expected,
#   which the golden tests hold the binary to): each summary holds the tail
#   made of its session_count and its first peers, and peers are sorted;
# - plaintext_fallback's and starttls_inconsistent's summaries in the goldens:
#   their advice or causes and the tail make one sentence, not two
#   parenthesised groups.
# Usage: finding_tails.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "jq not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export SSL_CERT_FILE=/dev/null
# the tail a finding's summary must hold, from its JSON record; then its
# peers' order (IPv4 by number, IPv6 after, as agg_cmp_peer has them)
tails='select(.event=="finding")
  | (if .session_count == 1 then "1 session" else "\(.session_count) sessions" end) as $n
  | (if (.peers | length) > 0 then .peers[0:6] | join(", ") else "not listed" end) as $p
  | "(\($n), peers \($p)" as $t
  | (.peers | map(if test(":") then [1e9] else split(".") | map(tonumber) end)) as $k
  | if (.summary | contains($t) | not) then "no tail \($t): \(.kind): \(.summary)"
    elif $k != ($k | sort) then "peers not sorted: \(.kind): \(.peers | join(" "))"
    else empty end'
check_json() { # LABEL FILE
  out=$(jq -r "$tails" "$2")
  if [ -n "$out" ]; then
    echo "FAIL $1: $out"
    fail=1
  fi
}
for name in cert-renewal d-expired-leaf d-expired-now d-expiring d-inconsistent d-name-pool \
  d-name-pool-vip d-pool d-nat d-sni-default d-sni-renewal stripped d-starttls-unused \
  d-alert-46 missing-inter mutual-tls d-dane; do
  line=$(grep -E "^$name[[:space:]]" tests/golden/TESTLIST | head -n 1)
  [ -n "$line" ] || { echo "FAIL $name: no TESTLIST line"; fail=1; continue; }
  # shellcheck disable=SC2086
  set -- $line
  pcap=$2
  shift 3
  TZ=UTC "$bin" --no-progress --color never --seed 1 "$@" -r "$pcap" --json "$tmp/$name.json" \
    >"$tmp/$name.txt" 2>/dev/null
  sed -n '/^FINDINGS/,/^$/p' "$tmp/$name.txt" | grep -E '^  (critical|high|medium|low|info) ' \
    >"$tmp/$name.lines"
  [ -s "$tmp/$name.lines" ] || { echo "FAIL $name: no finding lines"; fail=1; }
  bad=$(grep -vE '\([0-9]+ sessions?, peers ' "$tmp/$name.lines")
  if [ -n "$bad" ]; then
    echo "FAIL $name: finding lines without '(N sessions, peers ...':"
    echo "$bad"
    fail=1
  elif grep -qF '((' "$tmp/$name.lines"; then
    echo "FAIL $name: doubled parentheses:"
    grep -F '((' "$tmp/$name.lines"
    fail=1
  else
    echo "ok   $name: $(wc -l <"$tmp/$name.lines") finding lines, each with its tail"
  fi
  check_json "$name" "$tmp/$name.json"
done
n=0
for g in tests/golden/expected/*.ndjson; do
  check_json "golden $(basename "$g")" "$g"
  n=$((n + 1))
done
echo "checked the findings of $n goldens"
# plaintext_fallback's advice and starttls_inconsistent's causes end their sentence without a
# parenthesis of their own: the tail is the one group there ("... by MTA-STS, DANE or a TLS
# policy (2 sessions, peers ...)", "...: a policy by source address, or a middlebox on their
# path (3 sessions, ..."), not two side by side ("(MTA-STS, DANE or a TLS policy) (2 sessions,
# ..."); their goldens (stripped, d-strip-server, v-strip-early, d-submission-454,
# d-inconsistent ...) hold every advice. starttls_inconsistent's has no other parenthesis
# at all (its causes once were one, before "; of these, ... sent mail in plaintext").
for kind in plaintext_fallback starttls_inconsistent; do
  pf=$(cat tests/golden/expected/*.ndjson | jq -r --arg k "$kind" 'select(.event == "finding" and
    .kind == $k) | .summary' | sort -u)
  if [ "$kind" = starttls_inconsistent ]; then
    two=$(printf '%s\n' "$pf" | grep -E '\(.*\([0-9]+ sessions?, peers ')
  else
    two=$(printf '%s\n' "$pf" | grep -E '\) \([0-9]+ sessions?, peers ')
  fi
  if [ -z "$pf" ]; then
    echo "FAIL: no $kind in the goldens"
    fail=1
  elif [ -n "$two" ]; then
    echo "FAIL $kind: two parenthesised groups:"
    printf '%s\n' "$two"
    fail=1
  else
    echo "ok   $kind: $(printf '%s\n' "$pf" | wc -l) summaries, one group at the end"
  fi
done
exit $fail
