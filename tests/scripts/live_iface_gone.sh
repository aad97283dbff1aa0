#!/bin/sh
# Live capture (-i) whose interface goes away mid-capture (a veth deleted,
# a USB or VPN interface unplugged): smtptap must say so, write the report
# and the --json records of everything it had seen, and exit 3; the report
# and the stats record name the failure, so that a --json log read later
# does not pass for a capture stopped by hand. Checks that
#   - stderr says "capture failed after N packets: <libpcap's reason>";
#   - the exit status is 3 (an input error, docs/smtptap.1 EXIT STATUS);
#   - the sessions seen are all in the --json file, the connection left open
#     among them (ended "capture_end"), and the -w file holds every frame;
#   - the stats record has the packets and "capture_error"; the terminal
#     report opens with CAPTURE FAILED;
#   - an interface that only goes down (and up again) does not end the
#     capture (as tcpdump): packets after it are counted, SIGINT exits 0.
# Needs root and ip(8) (CI runs as root); skips (77) where namespaces cannot
# be made. Every loop is bounded; only the processes started here are ended.
# Usage: live_iface_gone.sh SMTPTAP   (PCAPINJECT: the helper, set by ctest)
set -u
bin=$1
. tests/tools/live_lib.sh
live_setup stg

fail=0
opts="--seed 1 --at 2026-11-01T00:00:00Z --no-system-ca --ca-file pcaps/certs/root.pem"
# start LOGNAME: smtptap on vc$$, waits for its "listening on" line
start() {
  # shellcheck disable=SC2086
  ip netns exec "$cap" "$bin" -i "vc$$" $opts --no-progress --json "$tmp/$1.json" \
    -w "$tmp/$1.pcap" tcp >"$tmp/$1.txt" 2>"$tmp/$1.err" &
  pid=$!
  live_wait_listening "$tmp/$1.err"
  grep -q "listening on" "$tmp/$1.err" || { echo "FAIL: no listening line"; cat "$tmp/$1.err"; exit 1; }
}
# waitgone SECONDS: 0 once smtptap has ended, within SECONDS
waitgone() {
  i=0
  while [ $i -lt $(($1 * 10)) ] && kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
  done
  ! kill -0 "$pid" 2>/dev/null
}

# 1. The interface deleted: three whole sessions and one left open, then gone.
start gone
sent=$(ip netns exec "$tx" "$inject" "vt$$" pcaps/smtp-starttls-tls12-chain.pcap 2000) ||
  { echo "FAIL: inject"; exit 1; }
n=$(ip netns exec "$tx" "$inject" "vt$$" pcaps/smtp-submission-587.pcap 2000 10) ||
  { echo "FAIL: inject"; exit 1; }
sent=$((sent + n))
# every frame taken before the interface goes (the stats line counts them)
i=0
while [ $i -lt 50 ]; do
  kill -USR1 "$pid"
  sleep 0.1
  jq -e -s --argjson n "$sent" '[.[] | select(.event == "stats" and .packets == $n)] | length > 0' \
    "$tmp/gone.json" >/dev/null 2>&1 && break
  i=$((i + 1))
done
ip -n "$tx" link del "vt$$"
if waitgone 10; then
  wait "$pid"
  rc=$?
  pid=""
  [ "$rc" -eq 3 ] && echo "ok   interface gone: exit 3" || { echo "FAIL: interface gone: exit $rc"; fail=1; }
  if grep -q "^smtptap: vc$$: capture failed after $sent packets: ." "$tmp/gone.err"; then
    echo "ok   interface gone: $(grep 'capture failed' "$tmp/gone.err")"
  else
    echo "FAIL: no 'capture failed after $sent packets' message"
    sed 's/^/  stderr: /' "$tmp/gone.err"
    fail=1
  fi
else
  echo "FAIL: still capturing 10 s after the interface was deleted"
  fail=1
fi
grep -q "Sanitizer" "$tmp/gone.err" && { echo "FAIL: sanitizer report"; fail=1; }
# what had been seen: the file run's three sessions and the open one
if jq -e -s '[.[] | select(.event == "session" and .server.port == 25 and (.tls.server_chain | length) == 2)]
    | length == 3' "$tmp/gone.json" >/dev/null &&
  jq -e -s '[.[] | select(.event == "session" and .server.port == 587 and .ended == "capture_end")]
    | length == 1' "$tmp/gone.json" >/dev/null; then
  echo "ok   interface gone: the 4 sessions seen are in --json"
else
  echo "FAIL: interface gone: sessions missing from --json"
  jq -c 'select(.event == "session") | {ended, port: .server.port}' "$tmp/gone.json"
  fail=1
fi
if jq -e -s --argjson n "$sent" '[.[] | select(.event == "stats" and .snapshot != true)]
    | length == 1 and .[0].packets == $n and (.[0].capture_error | test("capture failed after"))' \
  "$tmp/gone.json" >/dev/null; then
  echo "ok   interface gone: stats record with capture_error"
else
  echo "FAIL: interface gone: the final stats record lacks the packets or capture_error"
  jq -c 'select(.event == "stats" and .snapshot != true)' "$tmp/gone.json"
  fail=1
fi
grep -q "^CAPTURE FAILED: vc$$: capture failed after $sent packets: " "$tmp/gone.txt" &&
  grep -q "^SERVER 203.0.113.25:25" "$tmp/gone.txt" &&
  echo "ok   interface gone: the report, opening with CAPTURE FAILED" ||
  { echo "FAIL: interface gone: no report or no CAPTURE FAILED line"; head -5 "$tmp/gone.txt"; fail=1; }
frames=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); o = 24; n = 0
while o + 16 <= len(d):
    n += 1; o += 16 + struct.unpack("<I", d[o + 8:o + 12])[0]
print(n)' "$tmp/gone.pcap" 2>/dev/null)
[ "${frames:-0}" -eq "$sent" ] && echo "ok   interface gone: -w holds the $sent frames" ||
  { echo "FAIL: interface gone: -w holds ${frames:-?} of $sent frames"; fail=1; }

# 2. The interface down and up again: the capture goes on.
veth_up
start down
n1=$(ip netns exec "$tx" "$inject" "vt$$" pcaps/smtp-starttls-tls12-chain.pcap 2000) ||
  { echo "FAIL: inject"; exit 1; }
sleep 0.3
ip -n "$cap" link set "vc$$" down
sleep 1
if kill -0 "$pid" 2>/dev/null; then
  echo "ok   interface down: still capturing"
else
  echo "FAIL: interface down ended the capture"
  sed 's/^/  stderr: /' "$tmp/down.err"
  fail=1
fi
ip -n "$cap" link set "vc$$" up
sleep 0.3
n2=$(ip netns exec "$tx" "$inject" "vt$$" pcaps/smtp-client-alert.pcap 2000) ||
  { echo "FAIL: inject"; exit 1; }
sleep 1.5
kill -INT "$pid" 2>/dev/null
waitgone 10
wait "$pid"
rc=$?
pid=""
if [ "$rc" -eq 0 ] && jq -e -s --argjson n $((n1 + n2)) '[.[] | select(.event == "stats")]
    | length == 1 and .[0].packets == $n and (.[0] | has("capture_error") | not)' \
  "$tmp/down.json" >/dev/null && ! grep -q "CAPTURE FAILED" "$tmp/down.txt"; then
  echo "ok   interface down and up: $((n1 + n2)) packets, SIGINT exit 0"
else
  echo "FAIL: interface down and up: exit $rc"
  jq -c 'select(.event == "stats")' "$tmp/down.json"
  fail=1
fi
exit $fail
