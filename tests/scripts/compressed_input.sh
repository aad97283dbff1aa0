#!/bin/sh
# A compressed capture (.pcap.gz, .xz, .zst, .bz2, .lz4), as a -r file or
# piped into -r -, is refused with exit 3, one line on stderr that names the
# command that decompresses it, no report and the --json file left alone;
# standard input that is no capture at all says so (it said "write it to a
# file, or use --libpcap-reader", which reads neither). The same capture
# decompressed through a pipe is read. So with --libpcap-reader on standard
# input or a FIFO (it said libpcap's "unknown file format"): capture.c looks
# at the first bytes before libpcap reads them again. src/capmagic.c.
# Usage: compressed_input.sh SMTPTAP
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=pcaps/smtp-plain.pcap

# check WHAT WANT-IN-STDERR ARGS... (stdin from $tmp/in)
check() {
  what=$1
  want=$2
  shift 2
  printf 'keep\n' >"$tmp/keep.json"
  "$bin" "$@" --json "$tmp/keep.json" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 3 ] || ! grep -qF -- "$want" "$tmp/err" || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
    [ -s "$tmp/out" ] || ! grep -qx keep "$tmp/keep.json" || grep -q Sanitizer "$tmp/err"; then
    echo "FAIL $what: exit $rc (want 3), or not the one line '$want', or output written"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   $what: $(cat "$tmp/err")"
  fi
}

: >"$tmp/in"
gzip -c "$src" >"$tmp/p.pcap.gz"
python3 -c 'import sys,lzma; sys.stdout.buffer.write(lzma.compress(open(sys.argv[1],"rb").read()))' \
  "$src" >"$tmp/p.pcap.xz" || { echo "FAIL: python3 lzma"; exit 1; }
python3 -c 'import sys,bz2; sys.stdout.buffer.write(bz2.compress(open(sys.argv[1],"rb").read()))' \
  "$src" >"$tmp/p.pcap.bz2" || { echo "FAIL: python3 bz2"; exit 1; }
# zstd (RFC 8878 §3.1.1) and lz4 frames: the tool's output where it is
# installed, else a frame header as the tool writes it
if command -v zstd >/dev/null 2>&1; then
  zstd -q -c "$src" >"$tmp/p.pcap.zst"
else
  printf '\050\265\057\375\044\000\000\000' >"$tmp/p.pcap.zst"
fi
if command -v lz4 >/dev/null 2>&1; then
  lz4 -q -c "$src" >"$tmp/p.pcap.lz4"
else
  printf '\004\042\115\030\144\100\247\000' >"$tmp/p.pcap.lz4"
fi
printf 'From: someone\nthis is mail, not a capture\n' >"$tmp/text.pcap"

for z in gz:zcat xz:xzcat bz2:bzcat zst:zstdcat lz4:lz4cat; do
  ext=${z%%:*}
  cmd=${z#*:}
  : >"$tmp/in"
  check "-r p.pcap.$ext" "decompress it first ($cmd FILE | smtptap -r -)" -r "$tmp/p.pcap.$ext"
  check "-r p.pcap.$ext after a good file" "$cmd FILE" -r "$src" -r "$tmp/p.pcap.$ext"
  cp "$tmp/p.pcap.$ext" "$tmp/in"
  check "p.pcap.$ext piped into -r -" "-: cannot read capture: " -r -
  grep -qF "($cmd FILE | smtptap -r -)" "$tmp/err" || { echo "FAIL p.pcap.$ext on stdin: no $cmd"; fail=1; }
  # libpcap's reader said "unknown file format": the same words now
  check "p.pcap.$ext piped into --libpcap-reader -r -" "-: cannot read capture: " \
    --libpcap-reader -r -
  grep -qF "compressed: decompress it first ($cmd FILE | smtptap -r -)" "$tmp/err" ||
    { echo "FAIL p.pcap.$ext on stdin, --libpcap-reader: no $cmd"; fail=1; }
done
cp "$tmp/text.pcap" "$tmp/in"
check "a text file piped into -r -" "-: cannot read capture: not a pcap or pcapng capture (unknown file format)" -r -
check "a text file piped into --libpcap-reader -r -" \
  "-: cannot read capture: not a pcap or pcapng capture (unknown file format)" --libpcap-reader -r -
# a FIFO is read as standard input is: its first bytes looked at too
mkfifo "$tmp/fifo"
cat "$tmp/p.pcap.gz" >"$tmp/fifo" &
writer=$!
: >"$tmp/in"
check "p.pcap.gz from a FIFO, --libpcap-reader" "fifo: cannot read capture: gzip-compressed" \
  --libpcap-reader -r "$tmp/fifo"
wait "$writer" 2>/dev/null
: >"$tmp/in"
check "-r text.pcap" "text.pcap: not a pcap or pcapng capture (unknown file format)" -r "$tmp/text.pcap"

# the way out the message gives works, with either reader (libpcap's gets
# back the bytes looked at: the same sessions)
for r in "" --libpcap-reader; do
  gzip -dc "$tmp/p.pcap.gz" | "$bin" $r -q -r - --json "$tmp/ok$r.json" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 0 ] || [ "$(grep -c '"event":"session"' "$tmp/ok$r.json")" -lt 1 ]; then
    echo "FAIL zcat FILE | smtptap $r -r -: exit $rc, or no session read"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   zcat FILE | smtptap $r -r -: read"
  fi
done
# the same records (memory_peak aside: the reader's buffer)
for r in "" --libpcap-reader; do
  sed 's/,"memory_peak":[0-9]*//' "$tmp/ok$r.json" >"$tmp/ok$r.cmp"
done
if ! cmp -s "$tmp/ok.cmp" "$tmp/ok--libpcap-reader.cmp"; then
  echo "FAIL zcat FILE | smtptap --libpcap-reader -r -: not the records of smtptap's reader"
  fail=1
fi
exit $fail
