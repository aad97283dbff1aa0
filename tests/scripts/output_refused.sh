#!/bin/sh
# An output that cannot be opened (--json, -w, --tlsrpt in a directory that
# does not exist, a directory, --certs that is no directory) is refused
# before any output is opened: exit 3, one line on stderr naming the option,
# no report, and the other outputs' files left as they were. Before, -w was
# opened (emptied) first and the run refused at --json or --certs after it,
# leaving an empty evidence file and, under ASan, a leak; --tlsrpt's failure
# came only after the whole run had been written. src/paths.c.
# Usage: output_refused.sh SMTPTAP
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dir"
: >"$tmp/plain-file"
in=pcaps/smtp-plain.pcap

# refused WHAT WANT-IN-STDERR ARGS...
refused() {
  what=$1
  want=$2
  shift 2
  printf 'keep\n' >"$tmp/ev.pcap"
  printf 'keep\n' >"$tmp/keep.json"
  printf 'keep\n' >"$tmp/keep-rpt.json"
  "$bin" -r "$in" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 3 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err" ||
    [ -s "$tmp/out" ] || ! grep -qx keep "$tmp/ev.pcap" || ! grep -qx keep "$tmp/keep.json" ||
    ! grep -qx keep "$tmp/keep-rpt.json"; then
    echo "FAIL $what: exit $rc (want 3), stderr not the one line '$want', a report, or a file changed"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   $what: $(cat "$tmp/err")"
  fi
}

refused "--json in a missing directory, after -w" "--json $tmp/none/j.json: No such file or directory" \
  -w "$tmp/ev.pcap" --json "$tmp/none/j.json"
refused "--json a directory, after -w" "--json $tmp/dir: Is a directory" \
  -w "$tmp/ev.pcap" --json "$tmp/dir"
refused "--json under a file, after -w" "--json $tmp/plain-file/j.json: Not a directory" \
  -w "$tmp/ev.pcap" --json "$tmp/plain-file/j.json"
refused "--certs missing, after -w and --json" "--certs $tmp/none: No such file or directory" \
  -w "$tmp/ev.pcap" --json "$tmp/keep.json" --certs "$tmp/none"
refused "--certs a file" "--certs $tmp/plain-file: not a directory" \
  -w "$tmp/ev.pcap" --certs "$tmp/plain-file"
refused "--tlsrpt in a missing directory" "--tlsrpt $tmp/none/r.json: No such file or directory" \
  -w "$tmp/ev.pcap" --json "$tmp/keep.json" --tlsrpt "$tmp/none/r.json"
refused "-w in a missing directory" "-w $tmp/none/ev.pcap: No such file or directory" \
  --json "$tmp/keep.json" --tlsrpt "$tmp/keep-rpt.json" -w "$tmp/none/ev.pcap"

# what can be written still is, standard output and /dev/null included
"$bin" -q -r "$in" -w "$tmp/new.pcap" --json "$tmp/new.json" --tlsrpt /dev/null --certs "$tmp/dir" \
  2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$tmp/new.pcap" ] || [ ! -s "$tmp/new.json" ]; then
  echo "FAIL writable outputs: exit $rc, or a file not written"
  sed 's/^/  stderr: /' "$tmp/err" | head -5
  fail=1
else
  echo "ok   writable outputs written"
fi
"$bin" -r "$in" --json - >"$tmp/stdout.json" 2>/dev/null || { echo "FAIL --json -"; fail=1; }
grep -q '"event":"stats"' "$tmp/stdout.json" || { echo "FAIL --json -: no stats record"; fail=1; }
exit $fail
