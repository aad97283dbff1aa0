#!/bin/sh
# A signal that comes while smtptap is blocked writing --json to a slow
# reader (a pipe whose buffer is full) interrupts nothing: the handlers are
# installed with SA_RESTART, so the write goes on. Without it, write(2)
# failed with EINTR: "--json -: write error (Interrupted system call)",
# exit 3, records lost and one cut in the middle.
# The run reads 12 copies of one capture (> 64 KiB of NDJSON, more than a
# pipe holds); its reader waits until smtptap is blocked in write(2)
# (/proc/PID/syscall), SIGUSR1 (the report so far) is sent three times, then
# the reader reads. Skips (77) where /proc does not show the system call.
# Since outputs wait for room in poll(2) before each write (src/fdwait.c:
# SIGINT/SIGTERM end that wait), blocked means in write(2) or in poll(2);
# SIGUSR1 ends a poll(2) with EINTR, which must go on waiting, not fail.
# Usage: signal_write.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
case $(uname -m) in
x86_64) write_nr=1 poll_nr="7 271" ;;   # write; poll, ppoll
aarch64) write_nr=64 poll_nr=73 ;;    # write; ppoll
*) echo "SKIP: write(2)'s number on $(uname -m) not known"; exit 77 ;;
esac
tmp=$(mktemp -d)
pid=""
reader=""
cleanup() {
  for p in $pid $reader; do
    kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
pcap=pcaps/diag/client-alert-46.pcap
set -- -q --no-progress --no-system-ca --ca-file pcaps/diag/certs/root.pem
# twelve copies: smtptap reads a file named twice once (its sessions would
# count twice), and the one file's 21 kB of NDJSON never fills the pipe
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
  cp "$pcap" "$tmp/c$i.pcap"
  set -- "$@" -r "$tmp/c$i.pcap"
done
mkfifo "$tmp/fifo"
# the reader: opens the FIFO at once, reads only once told to
(
  exec <"$tmp/fifo"
  n=0
  while [ ! -f "$tmp/go" ] && [ $n -lt 300 ]; do
    sleep 0.1
    n=$((n + 1))
  done
  cat >"$tmp/out.ndjson"
) &
reader=$!
"$bin" "$@" --json - >"$tmp/fifo" 2>"$tmp/err" &
pid=$!
blocked=0
n=0
while [ $n -lt 100 ]; do
  s=$(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null) || break
  for nr in $write_nr $poll_nr; do
    [ "$s" = "$nr" ] && blocked=1
  done
  [ $blocked -eq 1 ] && break
  sleep 0.1
  n=$((n + 1))
done
if [ $blocked -eq 0 ]; then
  touch "$tmp/go"
  if [ -r /proc/self/syscall ] && ! kill -0 "$pid" 2>/dev/null; then
    # /proc shows system calls here, and smtptap ended without blocking:
    # its output no longer fills a pipe, and the test tests nothing
    echo "FAIL: smtptap ended without blocking in write(2) or poll(2): fewer than 64 KiB of NDJSON?"
    exit 1
  fi
  echo "SKIP: smtptap was not seen blocked in write(2) or poll(2) (/proc/$pid/syscall)"
  exit 77
fi
for i in 1 2 3; do
  kill -USR1 "$pid"
  sleep 0.2
done
touch "$tmp/go"
wait "$pid"
rc=$?
pid=""
wait "$reader"
reader=""
fail=0
if [ $rc -ne 0 ]; then
  echo "FAIL: exit $rc (expected 0): $(cat "$tmp/err")"
  fail=1
fi
if grep -q 'write error' "$tmp/err"; then
  echo "FAIL: $(cat "$tmp/err")"
  fail=1
fi
if ! jq -c . "$tmp/out.ndjson" >/dev/null 2>&1; then
  echo "FAIL: the NDJSON does not parse (a record cut by the signal?)"
  fail=1
fi
# every session of the 12 reads, ids 1..36, and the final stats record
sessions=$(jq -s '[.[] | select(.event=="session")] | length' "$tmp/out.ndjson" 2>/dev/null)
want=$((12 * $("$bin" --no-system-ca -r "$pcap" --json - 2>/dev/null | jq -s '[.[] | select(.event=="session")] | length')))
if [ "$sessions" != "$want" ]; then
  echo "FAIL: $sessions session records, expected $want"
  fail=1
fi
if [ "$(jq -s '[.[] | select(.event=="stats" and (.snapshot|not))] | length' "$tmp/out.ndjson" 2>/dev/null)" != 1 ]; then
  echo "FAIL: no final stats record"
  fail=1
fi
[ $fail -eq 0 ] && echo "ok: three signals during a blocked write: $sessions sessions, NDJSON whole, exit 0"
exit $fail
