#!/bin/sh
# Live capture (-i), end to end: smtptap listens on one end of a veth pair in
# a network namespace of its own while tests/tools/pcapinject sends bundled
# captures out of the other end. Checks that
#   - the capture starts with tcpdump's "listening on" line and the filter applies;
#   - each session's record reaches the --json file within seconds, while the
#     capture runs (records are written out once a second, not 64 KiB at a time);
#   - a connection left open on a quiet link ends by flow.timeout without any
#     further packet (idle flows are expired on the wall clock);
#   - --report-interval writes the report so far while capturing (records
#     marked "snapshot", and under its heading in the terminal report);
#   - SIGHUP reopens the --json file (log rotation);
#   - the -w file is written out while capturing;
#   - SIGINT ends the run with exit 0, the report and the stats record;
#   - the --json file (appended to) begins with this run's run record;
#   - each session says what the same capture read from the file says.
# Needs root and ip(8) (CI runs as root); skips (77) where namespaces cannot
# be made. Every loop is bounded; only the processes started here are ended.
# Usage: live_capture.sh SMTPTAP   (PCAPINJECT: the helper, set by ctest)
set -u
bin=$1
. tests/tools/live_lib.sh
live_setup stl

fail=0
at=2026-11-01T00:00:00Z
opts="--seed 1 --at $at --no-system-ca --ca-file pcaps/certs/root.pem"
full="pcaps/smtp-starttls-tls12-chain.pcap pcaps/smtp-client-alert.pcap pcaps/smtp-ipv6.pcap"
part=pcaps/smtp-submission-587.pcap # its first 10 frames only: a connection left open

# The same captures read from the files: what each session must say live.
rargs=""
for f in $full; do rargs="$rargs -r $f"; done
# shellcheck disable=SC2086
"$bin" -q $opts $rargs --json "$tmp/ref.json" tcp || { echo "FAIL: offline run"; exit 1; }

# shellcheck disable=SC2086
ip netns exec "$cap" "$bin" -i "vc$$" $opts --no-progress --cap flow.timeout=2 \
  --report-interval 1 --json "$tmp/live.json" -w "$tmp/live.pcap" tcp >"$tmp/report.txt" \
  2>"$tmp/err.txt" &
pid=$!
live_wait_listening "$tmp/err.txt"
if grep -q "listening on vc$$, link-type EN10MB (Ethernet), snapshot length 262144 bytes" \
  "$tmp/err.txt"; then
  echo "ok   listening line"
else
  echo "FAIL: no listening line"
  sed 's/^/  stderr: /' "$tmp/err.txt"
  exit 1
fi

# A live run appends: its records begin with a run record (its interface,
# filter, pid), so that runs appended to one file are told apart; a file
# run has none.
if [ "$(head -n 1 "$tmp/live.json" | jq -r --arg i "vc$$" --argjson p "$pid" \
  'select(.event == "run" and .interface == $i and .filter == "tcp" and .pid == $p
    and (.started | test("^20[0-9-]+T[0-9:.]+Z$"))) | "yes"')" = yes ] &&
  ! grep -q '"event":"run"' "$tmp/ref.json"; then
  echo "ok   the run record heads the live --json file"
else
  echo "FAIL: no run record at the head of the live --json file (or one in a file run's)"
  head -n 1 "$tmp/live.json" | sed 's/^/  /'
  fail=1
fi

sent=0
for f in $full; do
  n=$(ip netns exec "$tx" "$inject" "vt$$" "$f" 2000) || { echo "FAIL: inject $f"; exit 1; }
  sent=$((sent + n))
done
n=$(ip netns exec "$tx" "$inject" "vt$$" "$part" 2000 10) || { echo "FAIL: inject $part"; exit 1; }
sent=$((sent + n))
want=$(($(grep -c '"event":"session"' "$tmp/ref.json") + 1))

# Every session's record, the open one's included, while smtptap still runs.
i=0
got=0
while [ $i -lt 150 ]; do
  got=$(grep -c '"event":"session"' "$tmp/live.json" 2>/dev/null)
  [ "${got:-0}" -ge "$want" ] && break
  sleep 0.1
  i=$((i + 1))
done
if [ "${got:-0}" -ge "$want" ] && kill -0 "$pid" 2>/dev/null; then
  echo "ok   $got session records written while capturing (after $((i / 10)).$((i % 10)) s)"
else
  echo "FAIL: $got of $want session records in the --json file after 15 s of capture"
  fail=1
fi
# -w: the evidence file is written out while the capture runs (once a
# second), so that it can be read before the capture ends: stdio alone
# writes it 4096 bytes at a time (frames are smaller), a flush at any size
wsize=$(wc -c <"$tmp/live.pcap" 2>/dev/null || echo 0)
if [ "$wsize" -gt 1000 ] && [ $((wsize % 4096)) -ne 0 ] && kill -0 "$pid" 2>/dev/null; then
  echo "ok   the -w file is written while capturing ($(wc -c <"$tmp/live.pcap") bytes)"
else
  echo "FAIL: the -w file holds $(wc -c <"$tmp/live.pcap" 2>/dev/null) bytes while capturing"
  fail=1
fi
jq -e -s '[.[] | select(.event == "session" and .ended == "timeout" and .server.port == 587)]
  | length == 1' "$tmp/live.json" >/dev/null &&
  echo "ok   the connection left open ended by timeout on a quiet link" ||
  { echo "FAIL: no timeout record for the open 587 connection"; fail=1; }

# The report so far, once a second: one of all the sessions, while capturing.
i=0
while [ $i -lt 50 ]; do
  jq -e -s --argjson n "$want" '[.[] | select(.snapshot == true and .event == "stats"
    and .sessions == $n)] | length > 0' "$tmp/live.json" >/dev/null 2>&1 && break
  sleep 0.1
  i=$((i + 1))
done
if [ $i -lt 50 ] && kill -0 "$pid" 2>/dev/null &&
  jq -e -s '[.[] | select(.snapshot == true and .event == "server")] | length > 0' \
    "$tmp/live.json" >/dev/null && grep -q "^=== report so far: " "$tmp/report.txt"; then
  echo "ok   --report-interval: the report so far while capturing"
else
  echo "FAIL: --report-interval 1: no report so far of the $want sessions within 5 s"
  fail=1
fi

# Log rotation: the file is moved away, SIGHUP makes smtptap open its path
# again; what comes next (here the end-of-run records) goes to the new file.
mv "$tmp/live.json" "$tmp/live.1.json"
kill -HUP "$pid"
i=0
while [ $i -lt 50 ] && ! grep -q "reopened" "$tmp/err.txt"; do
  sleep 0.1
  i=$((i + 1))
done
if [ -f "$tmp/live.json" ] && kill -0 "$pid" 2>/dev/null; then
  echo "ok   SIGHUP: --json reopened"
else
  echo "FAIL: SIGHUP did not reopen --json (or ended the run)"
  fail=1
fi

kill -INT "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" -eq 0 ] && echo "ok   SIGINT: exit 0" || { echo "FAIL: SIGINT: exit $rc"; fail=1; }
grep -q "Sanitizer" "$tmp/err.txt" && { echo "FAIL: sanitizer report"; fail=1; }
jq -e -s '[.[] | select(.event == "stats" and .snapshot != true)] | length == 1' "$tmp/live.json" \
  >/dev/null || { echo "FAIL: no final stats record in the reopened file"; fail=1; }
cat "$tmp/live.1.json" "$tmp/live.json" >"$tmp/all.json"
mv "$tmp/all.json" "$tmp/live.json" # the run's whole output, for the checks below
jq -e -s --argjson n "$sent" '[.[] | select(.event == "stats" and .snapshot != true)][0]
  | .packets == $n and .drops == 0' "$tmp/live.json" >/dev/null &&
  echo "ok   stats record: $sent packets, none dropped" ||
  { echo "FAIL: stats record (want $sent packets, 0 drops)"; jq -c 'select(.event == "stats" and .snapshot != true)' \
    "$tmp/live.json"; fail=1; }
grep -q "^SERVER 203.0.113.25:25" "$tmp/report.txt" && echo "ok   report printed" ||
  { echo "FAIL: no report on stdout"; fail=1; }

# --json - into a reader that goes away: at its next records the capture
# stops by itself, says why and exits 3, as tcpdump -w - does (it had
# captured on, writing nowhere).
mkfifo "$tmp/pipe"
head -c 100 <"$tmp/pipe" >/dev/null &
reader=$!
ip netns exec "$cap" "$bin" -i "vc$$" -q --no-progress --json - tcp >"$tmp/pipe" 2>"$tmp/err2.txt" &
pid=$!
live_wait_listening "$tmp/err2.txt"
ip netns exec "$tx" "$inject" "vt$$" pcaps/smtp-starttls-tls12-chain.pcap 2000 >/dev/null
wait "$reader"
# the next records find the pipe closed
ip netns exec "$tx" "$inject" "vt$$" pcaps/smtp-client-alert.pcap 2000 >/dev/null
i=0
while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
  sleep 0.1
  i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null; then
  echo "FAIL: still capturing 10 s after the --json reader went away"
  fail=1
else
  wait "$pid"
  rc=$?
  pid=""
  if [ "$rc" -eq 3 ] && grep -q "write error (Broken pipe): stopping" "$tmp/err2.txt"; then
    echo "ok   --json reader gone: stopped, exit 3"
  else
    echo "FAIL: --json reader gone: exit $rc"
    sed 's/^/  stderr: /' "$tmp/err2.txt"
    fail=1
  fi
fi

# Each session as the file run saw it (times and ids aside).
view='select(.event == "session") | {client, server, ended, status, anomalies,
  smtp: (.smtp | del(.dialog)), dialog: [.smtp.dialog[]?],
  tls: (.tls | if . == null then null else {version, cipher, handshake, sni, certificates,
    chain: [.server_chain[].sha256], client_chain: [.client_chain[].sha256],
    alerts: [.alerts[] | del(.ts)], ja3, ja3s} end),
  diagnosis: (.diagnosis | del(.judged_at))}'
jq -S -c "$view" "$tmp/ref.json" | sort >"$tmp/ref.view"
jq -S -c "select(.server.port != 587) | $view" "$tmp/live.json" | sort >"$tmp/live.view"
if [ -s "$tmp/ref.view" ] && diff "$tmp/ref.view" "$tmp/live.view" >"$tmp/diff"; then
  echo "ok   $(wc -l <"$tmp/ref.view") sessions as in the file run"
else
  echo "FAIL: live sessions differ from the file run"
  head -20 "$tmp/diff"
  fail=1
fi
exit $fail
