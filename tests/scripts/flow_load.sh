#!/bin/sh
# The load of a capture (src/engine_load.c): the stats record's
# flows_open_peak (connections open at once, closed ones left out) and its
# time, flows_dissected_peak, flows_dissection_refused; and the report's
# "flows:" line naming the cap to raise, only after evictions.
# pcaps/variants/starttls-unused-overlap.pcap: five SMTP sessions, SYNs at
# 02:03:49.995439, 50.908709, 51.509543, 52.114270, 52.787827; the first two
# end last (mkoverlap.py), so three are open at 51.509543 and never more
# (tcpdump's SYNs and FINs say so too).
# Usage: flow_load.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pcap=pcaps/variants/starttls-unused-overlap.pcap
# run NAME OPTIONS: report in NAME.txt, the stats record's load in NAME.load
run() {
  # shellcheck disable=SC2086
  TZ=UTC "$bin" --no-progress --color never --no-system-ca -r "$pcap" --json "$tmp/$1.json" $2 \
    >"$tmp/$1.txt" 2>&1
  jq -c 'select(.event == "stats") | [.flows, .evictions, .flows_open_peak, .flows_open_peak_at,
      .flows_dissected_peak, .flows_dissection_refused]' "$tmp/$1.json" >"$tmp/$1.load"
}
check() { # NAME WANT GOT
  if [ "$2" = "$3" ]; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: want $2, got $3"
    fail=1
  fi
}
run all ""
check "peaks" '[5,0,3,"2026-11-30T02:03:51.509543Z",3,0]' "$(cat "$tmp/all.load")"
check "no flows: line without evictions" 0 "$(grep -c '^flows:' "$tmp/all.txt")"
# flow.max 2: the third SYN evicts the least recently used open connection
run max2 "--cap flow.max=2"
check "peaks, flow.max 2" '[5,1,2,"2026-11-30T02:03:50.908709Z",2,0]' "$(cat "$tmp/max2.load")"
check "flows: line" "flows: 2 open at most (flow.max 2): 1 evicted, raise --cap flow.max" \
  "$(grep '^flows:' "$tmp/max2.txt")"
exit $fail
