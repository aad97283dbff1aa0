#!/bin/sh
# The report so far (SIGUSR1) while a capture is read from a pipe: smtptap
# reads one capture (A) from a FIFO and waits for more; SIGUSR1 then asks for
# the report so far, and a second capture's packets (B) follow. Checks that
#   - the snapshot comes at once (at the next packet), under its heading in
#     the terminal report, and as server, name, finding and stats records
#     marked "snapshot": true;
#   - it says what a run on A alone says at its end (servers, names and
#     findings: the sessions ended so far);
#   - the run's final records are those of a run on A+B without any signal:
#     a snapshot disturbs nothing (the stats record's memory_peak aside).
# Waiting for smtptap to have read A is deterministic: A fits in the pipe's
# buffer; smtptap has read it all once its read(2) count (/proc/PID/io) has
# grown by A's size and it is blocked reading standard input again
# (/proc/PID/syscall). Skips (77) where /proc does not show these. SIGUSR1
# is sent only then, long after its handler is installed (before any input
# is opened); the files compared are read after smtptap has ended. Every
# wait is bounded: the writes into the FIFO (timeout 30 s each) and the wait
# for smtptap's end after its input ends (60 s), which was not.
# Usage: snapshot.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
# A: two servers, the later one first in sorted order (a snapshot sorts
# the servers: in place, that would mix up B's sessions); B: a third capture
# to A's first server. A fits in a pipe's buffer (64 KiB).
a1=pcaps/diag/nat-peer-dependent.pcap
a2=pcaps/diag/expired-leaf.pcap
b=pcaps/diag/pool-mixed.pcap
opts="--seed 1 --at 2026-11-01T00:00:00Z --no-system-ca --ca-file pcaps/diag/certs/root.pem"

tmp=$(mktemp -d)
pid=""
a=$tmp/a.pcap
cleanup() {
  exec 3>&- 2>/dev/null
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
. tests/tools/wait_lib.sh

# Captures joined: the records of each after the first's (all little-endian
# pcap with microseconds, Ethernet).
{ cat "$a1"; tail -c +25 "$a2"; } >"$a"
{ cat "$a"; tail -c +25 "$b"; } >"$tmp/ab.pcap"
# shellcheck disable=SC2086
"$bin" -q $opts -r "$tmp/ab.pcap" --json "$tmp/ref.json" || { echo "FAIL: run on A+B"; exit 1; }
# shellcheck disable=SC2086
"$bin" -q $opts -r "$a" --json "$tmp/a.json" || { echo "FAIL: run on A"; exit 1; }

# blocked in read(2) on fd 0 (x86-64: 0, arm64: 63), or waiting for
# standard input (its own descriptor: src/fdwait.h fdwait_own) to be
# readable in poll(2) of one fd, 100 ms at a time (src/fdwait.c; x86-64
# poll 7, ppoll 271; arm64 ppoll 73)
reading_stdin() {
  case "$(cat "/proc/$1/syscall" 2>/dev/null)" in
  "0 0x0 "* | "63 0x0 "* | "7 "*" 0x1 0x64 "* | "271 "*" 0x1 "* | "73 "*" 0x1 "*) return 0 ;;
  esac
  return 1
}
rchar() { sed -n 's/^rchar: //p' "/proc/$1/io" 2>/dev/null; }

mkfifo "$tmp/in"
# shellcheck disable=SC2086
"$bin" $opts --color never -r - --json "$tmp/snap.json" <"$tmp/in" >"$tmp/report.txt" \
  2>"$tmp/err.txt" &
pid=$!
exec 3>"$tmp/in"
# an exited smtptap is a zombie until waited for, which kill -0 still
# finds: its state (/proc/PID/stat, third field) says so
state() { sed 's/^.*) \([A-Za-z]\).*/\1/' "/proc/$1/stat" 2>/dev/null; }
i=0
while [ $i -lt 600 ] && ! reading_stdin "$pid"; do
  st=$(state "$pid")
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] || break
  sleep 0.1
  i=$((i + 1))
done
if ! reading_stdin "$pid"; then
  st=$(state "$pid")
  if [ "$st" = Z ] || [ -z "$st" ]; then
    # (a zombie's syscall file is unreadable: not a reason to skip)
    echo "FAIL: smtptap ended before it read standard input"
    sed 's/^/  stderr: /' "$tmp/err.txt"
    exit 1
  fi
  if [ -r "/proc/$pid/syscall" ] && cat "/proc/$pid/syscall" >/dev/null 2>&1; then
    # what it did instead, for the next look at a failure
    echo "FAIL: smtptap never waited on standard input (60 s; state $st, syscall" \
      "$(cut -d' ' -f1-4 "/proc/$pid/syscall" 2>&1), wchan $(cat "/proc/$pid/wchan" 2>/dev/null))"
    sed 's/^/  stderr: /' "$tmp/err.txt"
    exit 1
  fi
  echo "SKIP: /proc/PID/syscall not readable here"
  exit 77
fi
r0=$(rchar "$pid")
size=$(wc -c <"$a")
timeout 30 cat "$a" >&3 || { echo "FAIL: A not written into the FIFO within 30 s"; exit 1; }
i=0
while [ $i -lt 300 ]; do
  r=$(rchar "$pid")
  [ "${r:-0}" -ge $((r0 + size)) ] && reading_stdin "$pid" && break
  sleep 0.1
  i=$((i + 1))
done
[ $i -lt 300 ] || { echo "FAIL: smtptap did not read A within 30 s"; exit 1; }
kill -USR1 "$pid"
sleep 0.2
kill -0 "$pid" 2>/dev/null || { echo "FAIL: SIGUSR1 ended the run"; exit 1; }
timeout 30 tail -c +25 "$b" >&3 || { echo "FAIL: B not written into the FIFO within 30 s"; exit 1; }
exec 3>&-
wait_end "$pid" 600 # rc: 124 when still running 60 s after its input ended
pid=""
fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc (124: did not end)"; sed 's/^/  stderr: /' "$tmp/err.txt"; fail=1; }
grep -q "Sanitizer" "$tmp/err.txt" && { echo "FAIL: sanitizer report"; fail=1; }

na=$(grep -c '"event":"session"' "$tmp/a.json")
if [ "$(grep -c '^=== report so far: the '"$na"' sessions\{0,1\} ended up to ' "$tmp/report.txt")" = 1 ] &&
  [ "$(grep -c '^=== end of the report so far ===$' "$tmp/report.txt")" = 1 ]; then
  echo "ok   one report so far in the terminal report, of A's $na sessions"
else
  echo "FAIL: no (or more than one) report so far of $na sessions"
  grep '^===' "$tmp/report.txt"
  fail=1
fi

# The snapshot's records against A's final ones.
kept='select(.event == "server" or .event == "name" or .event == "finding")'
jq -S -c "select(.snapshot == true) | $kept | del(.snapshot)" "$tmp/snap.json" >"$tmp/snap.view"
jq -S -c "$kept" "$tmp/a.json" >"$tmp/a.view"
if [ -s "$tmp/a.view" ] && diff "$tmp/a.view" "$tmp/snap.view" >"$tmp/diff"; then
  echo "ok   the snapshot's $(wc -l <"$tmp/a.view") server, name and finding records are A's"
else
  echo "FAIL: the snapshot differs from the report on A alone"
  head -20 "$tmp/diff"
  fail=1
fi
# the peaks so far: A's (B not read yet)
peak=$(jq -c 'select(.event == "stats") | [.flows_open_peak, .flows_open_peak_at, .flows_dissected_peak]' "$tmp/a.json")
if jq -e -s --argjson n "$na" --argjson p "$peak" '[.[] | select(.event == "stats" and .snapshot == true)]
  | length == 1 and .[0].sessions == $n
  and [.[0].flows_open_peak, .[0].flows_open_peak_at, .[0].flows_dissected_peak] == $p' \
  "$tmp/snap.json" >/dev/null; then
  echo "ok   one snapshot stats record ($na sessions, peaks so far $peak)"
else
  echo "FAIL: the snapshot's stats record"
  fail=1
fi

# Everything else is what the run without a snapshot wrote.
jq -S -c 'select(.snapshot != true) | if .event == "stats" then del(.memory_peak) else . end' \
  "$tmp/snap.json" >"$tmp/final.view"
jq -S -c 'if .event == "stats" then del(.memory_peak) else . end' "$tmp/ref.json" >"$tmp/ref.view"
if diff "$tmp/ref.view" "$tmp/final.view" >"$tmp/diff"; then
  echo "ok   the final $(wc -l <"$tmp/ref.view") records are those of a run without the signal"
else
  echo "FAIL: the snapshot changed the final records"
  head -20 "$tmp/diff"
  fail=1
fi
exit $fail
