#!/bin/sh
# The load of a capture (src/engine_load.c): the stats record's
# flows_open_peak (connections open at once, closed ones left out) and its
# time, flows_dissected_peak, flows_dissection_refused; and the report's
# "flows:" line naming the cap to raise, only after evictions.
# pcaps/variants/starttls-unused-overlap.pcap: five SMTP sessions, SYNs at
# 02:03:49.995439, 50.908709, 51.509543, 52.114270, 52.787827; the first two
# end last (mkoverlap.py), so three are open at 51.509543 and never more
# (tcpdump's SYNs and FINs say so too). Then two variants: a connection seen
# from its FIN (open until it ends), one seen only by a RST (never open).
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

# A connection picked up at its end (the capture starts at its FIN) is open
# until it ends; one whose first packet is a RST never is (it ends there).
# Variants of the capture above (pcaps/tools/pcaplib.py): 198.51.100.12:40976
# keeps only its two FINs (server 51.520206, client 51.520326), so three are
# open at 51.520206 (58210, 37554 and it), first reached then; or only its
# server FIN, made a RST: never open, the three first reached at 52.114270
# (58210, 37554, 58222's SYN), as counting the RST would make it 51.520206.
# Before, a FIN-first flow was never counted open, though it stays tracked
# until the peer's FIN (or flow.timeout): 52.114270 in both.
cat >"$tmp/cut.py" <<'PY'
import struct, sys
sys.path.insert(0, "pcaps/tools")
import pcaplib
src, out, mode = sys.argv[1:4]
hdr, recs = pcaplib.read_pcap(src)
keep = []
for r in recs:
    fr = r[2]
    ihl = (fr[14] & 15) * 4
    tcp = 14 + ihl
    ports = struct.unpack("!HH", fr[tcp:tcp + 4])
    if 40976 not in ports:
        keep.append(r)
        continue
    flags = fr[tcp + 13]
    if not flags & 1:  # before its FINs: not captured
        continue
    if mode == "rst":
        if ports[0] != 25:
            continue  # the client's FIN goes too
        b = bytearray(fr)
        b[tcp + 13] = 0x14  # RST|ACK
        struct.pack_into("!H", b, tcp + 16, 0)
        ip = bytes(b[14:14 + ihl])
        seg = bytes(b[tcp:14 + struct.unpack("!H", ip[2:4])[0]])
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(seg))
        struct.pack_into("!H", b, tcp + 16, pcaplib.csum(pseudo + seg))
        r = [r[0], r[1], bytes(b), r[3]]
    keep.append(r)
pcaplib.write_pcap(out, hdr, keep)
PY
for mode in fin rst; do
  python3 "$tmp/cut.py" "$pcap" "$tmp/$mode.pcap" $mode || { echo "FAIL: making the $mode variant"; exit 1; }
done
pcap_all=$pcap
pcap=$tmp/fin.pcap
run fin ""
check "a connection picked up at its FIN is open until it ends" \
  '[3,"2026-11-30T02:03:51.520206Z"]' "$(jq -c '.[2:4]' "$tmp/fin.load")"
pcap=$tmp/rst.pcap
run rst ""
check "a connection seen only by its RST is never open" \
  '[3,"2026-11-30T02:03:52.114270Z"]' "$(jq -c '.[2:4]' "$tmp/rst.load")"
pcap=$pcap_all
exit $fail
