#!/bin/sh
# Golden test: runs smtptap on a capture and diffs its NDJSON with the
# expected file. Usage: run.sh SMTPTAP NAME (NAME is a line of TESTLIST:
# "name pcap expected [options...]"). Run from the source tree.
# To rewrite an expected file after a reviewed change: tests/tools/update-golden.sh NAME
set -eu
bin=$1
name=$2
line=$(grep -E "^$name[[:space:]]" tests/golden/TESTLIST | head -n 1)
[ -n "$line" ] || { echo "no TESTLIST entry $name" >&2; exit 1; }
set -- $line
shift
pcap=$1
expected=tests/golden/expected/$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# with --no-system-ca the system bundle's root names are still evidence
# (verify.c): left out, so that no machine's bundle changes a golden
case " $* " in *" --no-system-ca "*) export SSL_CERT_FILE=/dev/null ;; esac
TZ=UTC "$bin" -q --seed 1 "$@" -r "$pcap" --json "$out" || { rc=$?; [ $rc -lt 64 ] || { echo "smtptap failed: $rc" >&2; exit 1; }; }
if ! diff -u "$expected" "$out"; then
  echo "golden $name: output differs from $expected" >&2
  exit 1
fi
echo "golden $name: ok"
