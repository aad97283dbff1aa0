#!/bin/sh
# Exit codes scripts rely on (smtptap --help, smtptap(1)): 0 ok, 1 a finding
# at or above --fail-on, 2 usage error, 3 input error; and no sanitizer
# report or crash on any of these paths. Usage: exit_codes.sh SMTPTAP
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"

# expect CODE DESCRIPTION ARGS...: runs smtptap quietly, checks the exit code.
expect() {
  want=$1
  what=$2
  shift 2
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $what: exit $rc, want $want"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   $what: exit $rc"
  fi
  if grep -q "Sanitizer" "$tmp/err"; then
    echo "FAIL $what: sanitizer report"
    fail=1
  fi
}

# shellcheck disable=SC2086
expect 1 "expired leaf, --fail-on high" -q $ca -r pcaps/diag/expired-leaf.pcap --fail-on high
# shellcheck disable=SC2086
expect 1 "expired leaf, --fail-on critical (expired_certificate_served)" -q $ca \
  -r pcaps/diag/expired-leaf.pcap --fail-on critical
# shellcheck disable=SC2086
expect 0 "expired leaf, no --fail-on" -q $ca -r pcaps/diag/expired-leaf.pcap
# shellcheck disable=SC2086
expect 0 "renewed certificate, --fail-on high (only medium and low)" -q $ca \
  -r pcaps/diag/cert-renewed.pcap --fail-on high
expect 1 "expiring within 365 days, --fail-on medium" -q --no-system-ca \
  --ca-file pcaps/certs/root.pem -r pcaps/smtp-starttls-tls12-chain.pcap --expiry-warn 365 \
  --fail-on medium
expect 0 "clean chain, --fail-on high" -q --no-system-ca --ca-file pcaps/certs/root.pem \
  -r pcaps/smtp-starttls-tls12-chain.pcap --fail-on high
expect 2 "unknown option" --no-such-option
grep -q "option --no-such-option: unknown" "$tmp/err" || { echo "FAIL unknown option: message"; fail=1; }
expect 2 "a filter but nothing to read (the filter's memory freed)" 'port 25'
expect 2 "--report-interval without -i" -r pcaps/smtp-plain.pcap --report-interval 5
expect 2 "missing argument" -q -r
grep -q "option -r needs an argument" "$tmp/err" || { echo "FAIL missing argument: message"; fail=1; }
expect 2 "argument to an option that takes none" --quiet=1 -r pcaps/smtp-plain.pcap
grep -q "takes no argument" "$tmp/err" || { echo "FAIL --quiet=1: message"; fail=1; }
expect 2 "bad --fail-on value" -r pcaps/smtp-plain.pcap --fail-on severe
expect 2 "no input" -q
expect 3 "missing capture file" -q -r "$tmp/does-not-exist.pcap"
printf 'not a capture at all\n' >"$tmp/junk.pcap"
expect 3 "not a capture" -q -r "$tmp/junk.pcap"
expect 3 "unreadable --ca-file" -q --ca-file "$tmp/none.pem" -r pcaps/smtp-plain.pcap
expect 3 "missing --ca-path" -q --ca-path "$tmp/no-such-dir" -r pcaps/smtp-plain.pcap
expect 3 "--ca-path on a file" -q --ca-path README.md -r pcaps/smtp-plain.pcap
expect 3 "unreadable --keylog" -q --keylog "$tmp/none.keys" -r pcaps/smtp-plain.pcap
printf 'CLIENT_RANDOM 00 11\n# nothing usable\n' >"$tmp/bad.keys"
expect 3 "--keylog without TLS 1.3 secrets" -q --keylog "$tmp/bad.keys" -r pcaps/smtp-plain.pcap
expect 3 "bad BPF filter" -q -r pcaps/smtp-plain.pcap "port 25 and and"
# A capture cut in the middle of a packet: read what is there, say so, exit 0.
head -c 9000 pcaps/smtp-starttls-tls12-chain.pcap >"$tmp/cut.pcap"
expect 0 "truncated capture" -q -r "$tmp/cut.pcap" --json "$tmp/cut.json"
if ! grep -q '"files_damaged":1' "$tmp/cut.json"; then
  echo "FAIL truncated capture: stats.files_damaged is not 1"
  fail=1
fi
# Below the smallest memcap a run can work in: a usage error, with the
# minimum in the message (1 and 1K crashed in OpenSSL's start-up, 8M ran out
# of memory reading the capture in a release build).
for m in 8M 64K 1K 1; do
  expect 2 "memcap $m (below the minimum)" -q --cap memcap=$m -r pcaps/smtp-plain.pcap
  if ! grep -q "at least 16M" "$tmp/err"; then
    echo "FAIL memcap $m: the message does not give the minimum"
    fail=1
  fi
done
expect 0 "memcap 16M" -q --cap memcap=16M -r pcaps/smtp-starttls-tls12-chain.pcap --json "$tmp/small.json"
if ! grep -q '"event":"stats"' "$tmp/small.json"; then
  echo "FAIL memcap 16M: no stats record"
  fail=1
fi
# Outputs that cannot be written in full: exit 3 with a message (they
# exited 0).
expect 3 "--json to a full device" -q -r pcaps/smtp-plain.pcap --json /dev/full
if [ -w /dev/full ]; then
  "$bin" -r pcaps/smtp-plain.pcap >/dev/full 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 3 ] || ! grep -q "standard output: write error" "$tmp/err"; then
    echo "FAIL report to a full standard output: exit $rc"
    fail=1
  else
    echo "ok   report to a full standard output: exit 3"
  fi
fi
# --certs that is not a directory: refused before --json is opened.
printf 'keep\n' >"$tmp/keep.json"
expect 3 "--certs on a file" -q -r pcaps/smtp-plain.pcap --certs README.md --json "$tmp/keep.json"
if ! grep -qx keep "$tmp/keep.json"; then
  echo "FAIL --certs on a file: --json was emptied"
  fail=1
fi
# Inputs that can be told bad before anything is written: the --json file is
# left alone and no report is printed.
: >"$tmp/empty.pcap"
gzip -c pcaps/smtp-plain.pcap >"$tmp/plain.pcap.gz"
for what in "missing file:-r $tmp/none.pcap" "directory:-r $tmp" "empty file:-r $tmp/empty.pcap" \
  "gzip-compressed file:-r $tmp/plain.pcap.gz" "text file:-r $tmp/junk.pcap" \
  "text file after a good one:-r pcaps/smtp-plain.pcap -r $tmp/junk.pcap" \
  "missing interface:-i smtptap-none0" \
  "bad filter:-r pcaps/smtp-plain.pcap port 25 and and"; do
  printf 'keep\n' >"$tmp/keep.json"
  # shellcheck disable=SC2086
  expect 3 "${what%%:*} before any output" --json "$tmp/keep.json" ${what#*:}
  if ! grep -qx keep "$tmp/keep.json" || [ -s "$tmp/out" ]; then
    echo "FAIL ${what%%:*}: --json rewritten or a report printed"
    fail=1
  fi
done
# --json -: standard output is NDJSON only, the report goes to stderr.
expect 0 "--json - with the report" -r pcaps/smtp-plain.pcap --json -
if grep -qv '^{' "$tmp/out" || ! grep -q '"event":"stats"' "$tmp/out" || ! grep -q "^SERVER" "$tmp/err"; then
  echo "FAIL --json -: the report is not on stderr alone"
  fail=1
fi
# A FIFO as -r FILE: read once, by the run (a check that opened it first
# had made its writer fail and the run wait for ever).
if mkfifo "$tmp/fifo" 2>/dev/null; then
  cat pcaps/smtp-plain.pcap >"$tmp/fifo" &
  wp=$!
  timeout 30 "$bin" -q -r "$tmp/fifo" --json "$tmp/fifo.json" 2>"$tmp/err"
  rc=$?
  kill "$wp" 2>/dev/null
  wait "$wp" 2>/dev/null
  if [ "$rc" -ne 0 ] || ! grep -q '"event":"session"' "$tmp/fifo.json"; then
    echo "FAIL -r FIFO: exit $rc"
    fail=1
  else
    echo "ok   -r FIFO: exit 0"
  fi
fi
exit $fail
