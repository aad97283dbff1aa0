#!/bin/sh
# The verification shortcuts change no verdict: every bundled capture (and
# ../shared/pcaps when present) gives the same NDJSON with them and without
# each one: the signature memo (src/verify_sig.c; SMTPTAP_SIGNATURE_MEMO=off
# runs OpenSSL's own pass) and the early verification of a server chain while
# its session is in progress (diagnose_prewarm; SMTPTAP_EARLY_VERIFY=off
# verifies when the session ends). With the test roots trusted (chains
# verify, intermediates' signatures come from the memo), with no root trusted
# (every chain fails) and at a later date (expired leaves). Only the stats
# record's memory_peak may differ: with the early verification, which frees a
# new leaf's decoded object sooner, and with the signature pass, which keeps
# each issuer key's verification context (src/x509_sigcheck.c). Usage:
# verify_shortcuts.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
live=0 # runs where SMTPTAP_EARLY_VERIFY=off moved memory_peak: the switch is read
trusted="--no-system-ca --ca-file pcaps/certs/root.pem --ca-file pcaps/certs/other-root.pem
  --ca-file pcaps/diag/certs/root.pem --ca-file pcaps/diag/certs/other-root.pem"

# same FILE OPTIONS VAR: the run with VAR=off must give the output of the
# default run ($tmp/on.json, exit $on).
same() {
  # shellcheck disable=SC2086
  env "$3=off" "$bin" -q --seed 1 -r "$1" $2 --json "$tmp/off.json" >/dev/null 2>&1
  off=$?
  a=$tmp/on.json b=$tmp/off.json
  [ "$3" = SMTPTAP_EARLY_VERIFY ] && ! cmp -s "$a" "$b" && live=$((live + 1))
  if [ "$3" = SMTPTAP_EARLY_VERIFY ] || [ "$3" = SMTPTAP_SIGNATURE_MEMO ]; then
    sed 's/"memory_peak":[0-9]*//' "$a" >"$tmp/a.json"
    sed 's/"memory_peak":[0-9]*//' "$b" >"$tmp/b.json"
    a=$tmp/a.json b=$tmp/b.json
  fi
  if [ $on != $off ] || ! cmp -s "$a" "$b"; then
    echo "FAIL $1 ($2) $3=off: exit $on/$off, output differs"
    diff "$b" "$a" | head -5
    fail=1
  fi
  n=$((n + 1))
}

for f in $(sh tests/tools/captures.sh all); do
  for opts in "$trusted" "--no-system-ca" "$trusted --at 2031-06-01"; do
    # shellcheck disable=SC2086
    "$bin" -q --seed 1 -r "$f" $opts --json "$tmp/on.json" >/dev/null 2>&1
    on=$?
    same "$f" "$opts" SMTPTAP_SIGNATURE_MEMO
    same "$f" "$opts" SMTPTAP_EARLY_VERIFY
  done
done
[ $n -ge 240 ] || { echo "FAIL: only $n comparisons"; fail=1; }
[ $live -gt 0 ] || { echo "FAIL: SMTPTAP_EARLY_VERIFY=off changed nothing, not even memory_peak"; fail=1; }
[ $fail = 0 ] && echo "ok: $n comparisons, the same output with and without each shortcut"
exit $fail
