#!/bin/sh
# The signature memo (src/verify_sig.c) changes no verdict: every bundled
# capture (and ../shared/pcaps when present) gives the same NDJSON with it
# and with OpenSSL's own pass (SMTPTAP_SIGNATURE_MEMO=off), with the test
# roots trusted (chains verify, intermediates' signatures come from the
# memo) and with no root trusted (every chain fails). Usage:
# signature_memo.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
trusted="--no-system-ca --ca-file pcaps/certs/root.pem --ca-file pcaps/certs/other-root.pem
  --ca-file pcaps/diag/certs/root.pem --ca-file pcaps/diag/certs/other-root.pem"
for f in $(sh tests/tools/captures.sh all); do
  for roots in "$trusted" "--no-system-ca"; do
    # shellcheck disable=SC2086
    "$bin" -q --seed 1 -r "$f" $roots --json "$tmp/on.json" >/dev/null 2>&1
    on=$?
    # shellcheck disable=SC2086
    SMTPTAP_SIGNATURE_MEMO=off "$bin" -q --seed 1 -r "$f" $roots --json "$tmp/off.json" >/dev/null 2>&1
    off=$?
    if [ $on != $off ] || ! cmp -s "$tmp/on.json" "$tmp/off.json"; then
      echo "FAIL $f ($roots): exit $on/$off, output differs"
      diff "$tmp/off.json" "$tmp/on.json" | head -5
      fail=1
    fi
    n=$((n + 1))
  done
done
[ $n -ge 60 ] || { echo "FAIL: only $n runs"; fail=1; }
[ $fail = 0 ] && echo "ok: $n runs, the same output with and without the signature memo"
exit $fail
