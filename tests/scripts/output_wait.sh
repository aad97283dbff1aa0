#!/bin/sh
# SIGINT and SIGTERM end a wait for an output's reader (src/fdwait.h), with
# the outcome of an output that could not be written: stderr says which and
# why, the terminal report is still printed, exit 3 (README "Exit status").
# Before, open(2) of a FIFO no reader opens, and write(2) to one whose reader
# takes nothing, were restarted (SA_RESTART) and only a second signal ended
# smtptap, killed with no report. Cases:
#   - --json FIFO no reader opens (SIGTERM);
#   - -w FIFO and --json FIFO, neither opened: one SIGINT gives up both;
#   - --tlsrpt FIFO no reader opens, at the end of a run read in full: the
#     report and the --json file hold every packet;
#   - --json FIFO whose reader opened it and reads nothing (more than a pipe
#     holds is written): "write error", the report of every packet;
#   - the reader of --json - goes away mid-run (EPIPE; the output is larger
#     than a pipe holds plus what the reader took, so a write after it has
#     gone is certain): "write error (Broken pipe)", the report on stderr,
#     exit 3, no signal needed;
#   - FIFOs whose readers read everything: --json and -w the same bytes as
#     regular files get, exit 0.
# Every wait is bounded; only the processes started here are ended.
# Usage: output_wait.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
pid=""
reader=""
cleanup() {
  for p in $pid $reader; do
    kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
. tests/tools/wait_lib.sh
fail=0
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"
ins="-r pcaps/diag/pool-mixed.pcap -r pcaps/diag/nat-peer-dependent.pcap -r pcaps/diag/mutual-tls-rejected.pcap"
# shellcheck disable=SC2086
"$bin" -q $ca $ins --json "$tmp/ref.json" -w "$tmp/ref.pcap" 2>/dev/null ||
  { echo "FAIL: the reference run"; exit 1; }
want_pk=$(jq -r 'select(.event=="stats") | .packets' "$tmp/ref.json")
size=$(wc -c <"$tmp/ref.json")
[ "$size" -gt 70000 ] || { echo "FAIL: the --json output ($size bytes) must exceed a pipe's 64 KiB"; exit 1; }

# ended_within TENTHS: rc is smtptap's exit status, or 124 (then killed)
ended_within() {
  wait_end "$pid" "$1"
  pid=""
}

# check WHAT RC REPORTFILE PACKETS MESSAGE...: exit 3, each message on
# stderr, the report's count line (PACKETS, or any with "-")
check() {
  what=$1
  got_rc=$2
  rep=$3
  pk=$4
  shift 4
  bad=""
  [ "$got_rc" -eq 124 ] && bad="still running 2 s after the signal"
  [ -z "$bad" ] && [ "$got_rc" -ne 3 ] && bad="exit $got_rc, want 3"
  for m in "$@"; do
    [ -z "$bad" ] && ! grep -qF -- "$m" "$tmp/err" && bad="no '$m' on stderr"
  done
  if [ -z "$bad" ]; then
    if [ "$pk" = - ]; then
      grep -q '^[0-9]* packets\{0,1\}, ' "$rep" || bad="no report (count line)"
    else
      grep -q "^$pk packets, " "$rep" || bad="no report with '$pk packets'"
    fi
  fi
  [ -z "$bad" ] && grep -q Sanitizer "$tmp/err" && bad="sanitizer report"
  if [ -n "$bad" ]; then
    echo "FAIL $what: $bad"
    sed 's/^/  err: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   $what: exit 3, said, the report printed"
  fi
}

gave_up="SIGINT/SIGTERM while waiting for a reader: not written in full"

# --json onto a FIFO no reader opens
rm -f "$tmp/j" && mkfifo "$tmp/j"
# shellcheck disable=SC2086
"$bin" $ca $ins --json "$tmp/j" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_settle "$pid"
kill -TERM "$pid"
ended_within 20
check "SIGTERM, --json FIFO no reader opens" "$rc" "$tmp/out" - "--json $tmp/j: $gave_up"

# -w and --json onto FIFOs no reader opens: the first given up, the second at once
rm -f "$tmp/j" "$tmp/w" && mkfifo "$tmp/j" "$tmp/w"
# shellcheck disable=SC2086
"$bin" $ca $ins -w "$tmp/w" --json "$tmp/j" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_settle "$pid"
kill -INT "$pid"
ended_within 20
check "SIGINT, -w and --json FIFOs no reader opens" "$rc" "$tmp/out" - \
  "-w $tmp/w: $gave_up" "--json $tmp/j: $gave_up"

# --tlsrpt onto a FIFO no reader opens: written after the whole run
rm -f "$tmp/t" "$tmp/j.json" && mkfifo "$tmp/t"
# shellcheck disable=SC2086
"$bin" $ca $ins --json "$tmp/j.json" --tlsrpt "$tmp/t" >"$tmp/out" 2>"$tmp/err" &
pid=$!
# the --json stats record is written before the TLS-RPT report
wait_grep 100 '"event":"stats"' "$tmp/j.json"
wait_settle "$pid"
kill -INT "$pid"
ended_within 20
check "SIGINT, --tlsrpt FIFO no reader opens" "$rc" "$tmp/out" "$want_pk" \
  "--tlsrpt $tmp/t: $gave_up"
jq -e -s --argjson n "$want_pk" '[.[] | select(.event == "stats" and .packets == $n)] | length == 1' \
  "$tmp/j.json" >/dev/null 2>&1 && echo "ok   --tlsrpt given up: the --json file is whole" ||
  { echo "FAIL --tlsrpt given up: the --json file lacks its stats record"; fail=1; }

# --json onto a FIFO whose reader reads nothing
rm -f "$tmp/j" && mkfifo "$tmp/j"
sleep 30 <"$tmp/j" &
reader=$!
# shellcheck disable=SC2086
"$bin" $ca $ins --json "$tmp/j" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_settle "$pid"
kill -TERM "$pid"
ended_within 20
check "SIGTERM, --json FIFO whose reader reads nothing" "$rc" "$tmp/out" "$want_pk" \
  "--json $tmp/j: write error ($gave_up)"
kill -KILL "$reader" 2>/dev/null && wait "$reader" 2>/dev/null
reader=""

# the reader of --json - goes away mid-run (EPIPE): no signal
rm -f "$tmp/p" && mkfifo "$tmp/p"
head -c 100 <"$tmp/p" >/dev/null &
reader=$!
# shellcheck disable=SC2086
"$bin" $ca $ins --json - >"$tmp/p" 2>"$tmp/err" &
pid=$!
ended_within 100
check "--json -: its reader gone mid-run (EPIPE)" "$rc" "$tmp/err" "$want_pk" \
  "--json -: write error (Broken pipe)"
wait "$reader" 2>/dev/null
reader=""

# FIFOs whose readers read everything: the same bytes as regular files get
rm -f "$tmp/j" "$tmp/w" && mkfifo "$tmp/j" "$tmp/w"
cat "$tmp/j" >"$tmp/j.got" &
reader=$!
cat "$tmp/w" >"$tmp/w.got" &
r2=$!
# shellcheck disable=SC2086
"$bin" -q $ca $ins --json "$tmp/j" -w "$tmp/w" 2>"$tmp/err" &
pid=$!
ended_within 100
wait "$reader" "$r2" 2>/dev/null
reader=""
# the stats record names the -w file
nofile='if .evidence then del(.evidence.file) else . end'
jq -c "$nofile" "$tmp/ref.json" >"$tmp/ref.cmp" 2>/dev/null
jq -c "$nofile" "$tmp/j.got" >"$tmp/got.cmp" 2>/dev/null
if [ "$rc" -eq 0 ] && [ -s "$tmp/ref.cmp" ] && cmp -s "$tmp/ref.cmp" "$tmp/got.cmp" &&
  cmp -s "$tmp/ref.pcap" "$tmp/w.got"; then
  echo "ok   --json and -w FIFOs read in full: exit 0, the bytes of the regular files"
else
  echo "FAIL --json and -w FIFOs read in full: exit $rc, or bytes differ from the regular files"
  fail=1
fi
exit $fail
