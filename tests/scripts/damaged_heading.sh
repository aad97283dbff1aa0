#!/bin/sh
# A -r file cut mid-record or damaged after its first packet is read up to
# there (exit 0), and the report says so at its top, not only in the last
# line's count: "CAPTURE FILE CUT: FILE ends inside a record at byte N,
# after K packets (the last at T): ... findings ... unknown", and the stats
# record's damaged_files gives the file, the kind of damage, the packets
# read, the last packet's time and the byte offset (null with libpcap's
# reader, which reads through stdio). The copies are made here, at test
# time, from pcaps/diag/untrusted-root.pcap (case 1): cut at 9000 bytes, its
# client_rejected_certificate (the sessions after the cut) is gone, and the
# heading says why. A whole file has neither.
# Usage: damaged_heading.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export SSL_CERT_FILE=/dev/null
src=pcaps/diag/untrusted-root.pcap
opts="--no-progress --color never --no-system-ca --ca-file pcaps/diag/certs/root.pem"
run() { # NAME FILE [OPTIONS]: the report, the JSON, the exit status
  f=$2
  n=$1
  shift 2
  # shellcheck disable=SC2086
  TZ=UTC "$bin" $opts "$@" -r "$f" --json "$tmp/$n.json" >"$tmp/$n.txt" 2>"$tmp/$n.err"
  echo $? >"$tmp/$n.rc"
}
check() { # WHAT CONDITION...
  what=$1
  shift
  if "$@"; then echo "ok   $what"; else
    echo "FAIL $what"
    fail=1
  fi
}
head -c 9000 "$src" >"$tmp/cut.pcap"
size=$(wc -c <"$src")
# the cut record starts where the last whole one ended: parse the records
off=$(python3 - "$tmp/cut.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
o = 24
while o + 16 <= len(d):
    cl = struct.unpack('<I', d[o + 8:o + 12])[0]
    if o + 16 + cl > len(d):
        break
    o += 16 + cl
print(o)
EOF
)
run cut "$tmp/cut.pcap"
head1=$(head -n 1 "$tmp/cut.txt")
want="CAPTURE FILE CUT: $tmp/cut.pcap ends inside a record at byte $off, after 39 packets (the last at 2026-11-24 06:57:03): what came after that point is not in this report, so the findings of the sessions open then, and of any later, are unknown (truncated dump file; tried to read 395 captured bytes, only got 341)"
check "cut file: exit 0" [ "$(cat "$tmp/cut.rc")" = 0 ]
check "cut file: the report's first line is the heading" [ "$head1" = "$want" ]
[ "$head1" = "$want" ] || printf 'got:  %s\nwant: %s\n' "$head1" "$want"
check "cut file: the heading comes before the findings" \
  [ "$(grep -n '^FINDINGS' "$tmp/cut.txt" | cut -d: -f1)" -gt 1 ]
got=$(jq -c 'select(.event=="stats") | .damaged_files' "$tmp/cut.json")
wantj="[{\"file\":\"$tmp/cut.pcap\",\"damage\":\"truncated\",\"packets\":39,\"last_packet\":\"2026-11-24T06:57:03.229417Z\",\"offset\":$off,\"error\":\"truncated dump file; tried to read 395 captured bytes, only got 341\"}]"
check "cut file: stats.damaged_files" [ "$got" = "$wantj" ]
[ "$got" = "$wantj" ] || printf 'got:  %s\nwant: %s\n' "$got" "$wantj"
check "cut file: the lost sessions' client_rejected_certificate is gone" \
  [ "$(jq -s 'map(select(.event=="finding" and .kind=="client_rejected_certificate")) | length' "$tmp/cut.json")" = 0 ]
# libpcap's reader: the same heading, no byte offset
run lp "$tmp/cut.pcap" --libpcap-reader
check "libpcap reader: heading without an offset" \
  grep -qxF "CAPTURE FILE CUT: $tmp/cut.pcap ends inside a record, after 39 packets (the last at 2026-11-24 06:57:03): what came after that point is not in this report, so the findings of the sessions open then, and of any later, are unknown (truncated dump file; tried to read 395 captured bytes, only got 341)" "$tmp/lp.txt"
check "libpcap reader: offset null" \
  [ "$(jq -c 'select(.event=="stats") | .damaged_files[0].offset' "$tmp/lp.json")" = null ]
# a record damaged in the middle (caplen 0x7FFFFFFF): DAMAGED, malformed
python3 - "$src" "$tmp/bad.pcap" "$off" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
o = int(sys.argv[3])
d[o + 8:o + 12] = (0x7FFFFFFF).to_bytes(4, 'little')
open(sys.argv[2], 'wb').write(d)
EOF
run bad "$tmp/bad.pcap"
check "damaged record: heading" grep -q "^CAPTURE FILE DAMAGED: $tmp/bad.pcap is malformed at byte $off, after 39 packets (the last at 2026-11-24 06:57:03): " "$tmp/bad.txt"
check "damaged record: damaged_files says malformed" \
  [ "$(jq -r 'select(.event=="stats") | .damaged_files[0].damage' "$tmp/bad.json")" = malformed ]
# the whole file: no heading, no damaged_files, the rejection there
run whole "$src"
check "whole file: no heading" [ "$(grep -c '^CAPTURE FILE' "$tmp/whole.txt")" = 0 ]
check "whole file: no damaged_files" \
  [ "$(jq -c 'select(.event=="stats") | has("damaged_files")' "$tmp/whole.json")" = false ]
check "whole file ($size bytes): client_rejected_certificate present" \
  [ "$(jq -s 'map(select(.event=="finding" and .kind=="client_rejected_certificate")) | length' "$tmp/whole.json")" = 1 ]
exit $fail
