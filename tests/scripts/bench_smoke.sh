#!/bin/sh
# The benchmark harness must not rot (issue 5): bench/run.sh --smoke builds
# the generator and the read loop, generates tiny captures of every kind from
# pcaps/, runs the read loop and smtptap on each and prints the table and the
# scaling runs. Checks that every kind produced sessions and a stats record
# and that the scaling lines are there. No timing is judged.
# Usage: bench_smoke.sh SMTPTAP
set -u
bin=$1
command -v cc >/dev/null 2>&1 || { echo "no C compiler: skipped"; exit 77; }
command -v /usr/bin/time >/dev/null 2>&1 || { echo "/usr/bin/time missing (sh scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! SMTPTAP=$bin OUT=$tmp sh bench/run.sh --smoke >"$tmp/table" 2>&1; then
  cat "$tmp/table"
  exit 1
fi
cat "$tmp/table"
fail=0
for kind in mix dense distinct open; do
  n=$(awk -v k="$kind" '$1 == k {print $4}' "$tmp/table")
  if [ -z "$n" ] || [ "$n" -le 0 ]; then
    echo "FAIL $kind: no sessions in the table"
    fail=1
  fi
  grep -q '"event":"stats"' "$tmp/$kind.ndjson" || { echo "FAIL $kind: no stats record"; fail=1; }
done
# The scaling runs: three dense sizes and three open sizes, each with a time
# and a peak RSS, and the cost per added unit (or why it is not shown).
for f in dense-100 dense-200 dense-400 open-60 open-150 open-300; do
  grep -Eq "^  $f +[0-9.]+s +[0-9.]+ us per (handshake|packet), peak RSS [0-9]+ MB$" "$tmp/table" ||
    { echo "FAIL scaling: no line for $f"; fail=1; }
done
for k in dense open; do
  grep -Eq "^  $k: (each added|too small)" "$tmp/table" || { echo "FAIL scaling: no $k summary"; fail=1; }
done
# dense is also run without --json: what the session records cost.
grep -Eq "without --json \(no session records\): smtptap [0-9.]+s" "$tmp/table" ||
  { echo "FAIL dense: no run without --json"; fail=1; }
# distinct is also run with the test roots trusted (two signatures per chain).
grep -Eq "test roots trusted \(--ca-file\): smtptap [0-9.]+s, [0-9]+ handshakes/s" "$tmp/table" ||
  { echo "FAIL distinct: no run with the test roots trusted"; fail=1; }
# (UntrustedRoot: an untrusted root; PartialChain: an issuer not sent that
# the trust store lacks, which is the test roots when the chain leaves them out.)
u=$(grep -Ec '"exchange_status":"(UntrustedRoot|PartialChain)"' "$tmp/distinct.ndjson")
t=$(grep -Ec '"exchange_status":"(UntrustedRoot|PartialChain)"' "$tmp/distinct.trusted.ndjson" 2>/dev/null)
if [ ! -s "$tmp/distinct.trusted.ndjson" ] || [ "${t:-0}" -ge "${u:-0}" ]; then
  echo "FAIL distinct: trusting the test roots left ${t:-?} of ${u:-0} UntrustedRoot or PartialChain chains"
  fail=1
fi
# Distinct leaves must really be distinct certificates.
d=$(grep '"event":"stats"' "$tmp/distinct.ndjson" | sed 's/.*"certificates_distinct":\([0-9]*\).*/\1/')
[ "${d:-0}" -ge 200 ] || { echo "FAIL distinct: only ${d:-0} distinct certificates for 200 sessions"; fail=1; }
exit $fail
