#!/bin/sh
# smtptap's own capture file reader (src/capfile.c) and libpcap's
# (--libpcap-reader) give the same report: every bundled capture, the
# captures of ../shared/pcaps when that directory exists, a capture on
# standard input and the captures cut at several offsets (same frames, same
# damage reported). Only memory_peak may differ (the reader's buffer), and
# a damaged file's offset (damaged_files: libpcap's reader, reading through
# stdio, gives none: null). This
# also compares main.c's look-ahead pipeline (frames of mapped files: flow
# lookups fetched two packets ahead, engine_ahead()) with packets handed to
# the engine one at a time (libpcap's frames).
# Usage: reader_crosscheck.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

# run OUT ARGS...: NDJSON without memory_peak, and the stderr lines
run() {
  out=$1
  shift
  TZ=UTC "$bin" -q --no-system-ca --ca-file pcaps/certs/root.pem --json - "$@" 2>"$out.err" |
    sed -e 's/,"memory_peak":[0-9]*//' -e 's/"offset":[0-9]*,"error"/"offset":null,"error"/g' >"$out"
  echo "rc=$?" >>"$out"
}

check() {
  label=$1
  shift
  run "$tmp/own" "$@"
  run "$tmp/lib" --libpcap-reader "$@"
  n=$((n + 1))
  if ! cmp -s "$tmp/own" "$tmp/lib" || ! cmp -s "$tmp/own.err" "$tmp/lib.err"; then
    echo "FAIL $label: the two readers disagree"
    diff "$tmp/own" "$tmp/lib" | cut -c1-200 | head -6
    diff "$tmp/own.err" "$tmp/lib.err" | head -6
    fail=1
  fi
}

for f in $(sh tests/tools/captures.sh all); do
  check "$f" -r "$f"
done
# several files as one timeline, with a filter
check "two files, filter" -r pcaps/smtp-plain.pcap -r pcaps/variants/tls12-chain.pcapng 'tcp port 25'

# cut files: pcap and pcapng, inside a record header, inside data, at a boundary
for f in pcaps/smtp-starttls-tls12-chain.pcap pcaps/variants/tls12-chain.pcapng; do
  size=$(wc -c <"$f")
  for cut in 30 100 1000 4321 $((size / 2)) $((size - 7)); do
    head -c "$cut" "$f" >"$tmp/cut"
    check "$f cut at $cut" -r "$tmp/cut"
  done
done

# standard input
run "$tmp/stdin" -r - <pcaps/smtp-starttls-tls12-chain.pcap
run "$tmp/file" -r pcaps/smtp-starttls-tls12-chain.pcap
if ! cmp -s "$tmp/stdin" "$tmp/file"; then
  echo "FAIL stdin and file differ"
  fail=1
fi
grep -q '"sessions":1' "$tmp/stdin" || { echo "FAIL stdin: no session"; fail=1; }

[ "$fail" = 0 ] && echo "ok: $n runs, both readers agree"
exit "$fail"
