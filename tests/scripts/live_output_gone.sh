#!/bin/sh
# Live capture (-i) whose --json reader goes away (EPIPE): the capture stops
# (exit 3, "write error (Broken pipe): stopping"), and the user's first
# SIGINT/SIGTERM after that is a first one, not the second that ends smtptap
# at once without its report (commit e0e6c71: the stop for the gone reader
# was taken for a signal). Made deterministic by a wait that is there after
# the reader has gone: --tlsrpt onto a FIFO no reader opens, written at the
# end. The first SIGTERM must end that wait (src/fdwait.h): "--tlsrpt ...:
# SIGINT/SIGTERM while waiting for a reader", the terminal report, exit 3;
# taken for a second one, smtptap would die by the signal (143), no report.
# The --json reader opens its FIFO and closes it before any session is
# sent, so the session record's write is certain to fail.
# Needs root and ip(8) (CI runs as root); skips (77) where namespaces cannot
# be made. Every loop is bounded; only the processes started here are ended.
# Usage: live_output_gone.sh SMTPTAP   (PCAPINJECT: the helper, set by ctest)
set -u
bin=$1
. tests/tools/live_lib.sh
. tests/tools/wait_lib.sh
live_setup sog

fail=0
opts="--seed 1 --at 2026-11-01T00:00:00Z --no-system-ca --ca-file pcaps/certs/root.pem"
mkfifo "$tmp/j" "$tmp/t"
# the --json reader: opens the FIFO (once smtptap opens it) and closes it
python3 -c 'import sys; open(sys.argv[1], "rb").close()' "$tmp/j" &
rd=$!
# shellcheck disable=SC2086
ip netns exec "$cap" "$bin" -i "vc$$" $opts --no-progress --json "$tmp/j" --tlsrpt "$tmp/t" \
  tcp >"$tmp/out" 2>"$tmp/err" &
pid=$!
live_wait_listening "$tmp/err"
grep -q "listening on" "$tmp/err" || { echo "FAIL: no listening line"; cat "$tmp/err"; exit 1; }
# the reader has come and gone
wait_gone "$rd" 50 || { echo "FAIL: the --json reader did not open its FIFO"; kill -KILL "$rd"; exit 1; }
wait "$rd"
ip netns exec "$tx" "$inject" "vt$$" pcaps/smtp-starttls-tls12-chain.pcap 2000 >/dev/null ||
  { echo "FAIL: inject"; exit 1; }
# the session's record is written within a second or two (the tick):
# EPIPE, the capture stops, and the end waits for --tlsrpt's reader
wait_grep 100 'write error (Broken pipe): stopping' "$tmp/err"
if grep -q "^smtptap: --json $tmp/j: write error (Broken pipe): stopping" "$tmp/err"; then
  echo "ok   the --json reader gone: said, the capture stops"
else
  echo "FAIL: no 'write error (Broken pipe): stopping' within 10 s"
  sed 's/^/  err: /' "$tmp/err"
  exit 1
fi
# the end of the run: the --json failure said again (report_finish), then
# --tlsrpt is opened; a signal before that would be a stop, not a give-up
wait_grep 50 "^smtptap: --json $tmp/j: write error (Broken pipe)\$" "$tmp/err"
# then smtptap sleeps (the --tlsrpt wait) three looks in a row (at most 5 s)
wait_settle "$pid"
kill -TERM "$pid"
wait_end "$pid" 20
pid=""
if [ "$rc" -eq 3 ] &&
  grep -q "^smtptap: --tlsrpt $tmp/t: SIGINT/SIGTERM while waiting for a reader" "$tmp/err" &&
  grep -q '^[0-9]* packets, ' "$tmp/out"; then
  echo "ok   the first SIGTERM after the reader went: a first one (exit 3, --tlsrpt given up, the report)"
else
  echo "FAIL: the first SIGTERM after the reader went: exit $rc (want 3; 143: taken for a second signal; 124: still waiting)"
  sed 's/^/  err: /' "$tmp/err"
  fail=1
fi
grep -q Sanitizer "$tmp/err" && { echo "FAIL: sanitizer report"; fail=1; }
exit $fail
