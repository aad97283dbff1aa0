#!/bin/sh
# README.md stays true: every example block that starts with "$ smtptap ..."
# is run again and its output must begin with the lines the README shows
# (a block may show only the first lines of a long report), and the report
# under "A real report: make run" must be exactly what make run prints.
# Usage: readme_examples.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Split the README into cmd.N / exp.N files, one per "$ smtptap" block.
awk -v dir="$tmp" '
  /^```/ { if (inblock) { inblock = 0; next } else { opening = 1; next } }
  opening && /^\$ smtptap / { n++; inblock = 1; opening = 0; sub(/^\$ /, ""); print > (dir "/cmd." n); printf "" > (dir "/exp." n); next }
  { opening = 0 }
  inblock { print >> (dir "/exp." n) }
' README.md
smtptap() { TZ=UTC "$bin" "$@"; }
fail=0
n=0
for c in "$tmp"/cmd.*; do
  i=${c##*.}
  cmd=$(cat "$c")
  want=$(wc -l <"$tmp/exp.$i")
  eval "$cmd" >"$tmp/out.$i" 2>/dev/null
  head -n "$want" "$tmp/out.$i" >"$tmp/got.$i"
  if ! cmp -s "$tmp/exp.$i" "$tmp/got.$i"; then
    echo "FAIL README example: $cmd"
    diff "$tmp/exp.$i" "$tmp/got.$i" | head -10
    fail=1
  fi
  n=$((n + 1))
done
[ $n -ge 5 ] || { echo "FAIL: only $n README examples found"; fail=1; }
# The make run report: the block after the "A real report" heading.
awk '/^### A real report: `make run`/ { s = 1 } s && /^```/ { if (b) exit; b = 1; next } b { print }' \
  README.md >"$tmp/makerun.exp"
run_args=$(sed -n 's/^RUN_ARGS *?= *//p' Makefile)
capture=$(sed -n 's/^CAPTURE *?= *//p' Makefile)
# shellcheck disable=SC2086
TZ=UTC "$bin" $run_args -r "$capture" >"$tmp/makerun.got" 2>/dev/null
if ! cmp -s "$tmp/makerun.exp" "$tmp/makerun.got"; then
  echo "FAIL README make run report differs from: smtptap $run_args -r $capture"
  diff "$tmp/makerun.exp" "$tmp/makerun.got" | head -10
  fail=1
fi
[ $fail = 0 ] && echo "ok: $n README examples and the make run report are current"
exit $fail
