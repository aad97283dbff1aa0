#!/bin/sh
# README.md stays true: every example block that starts with "$ smtptap ..."
# is run again and its output must begin with the lines the README shows
# (a block may show only the first lines of a long report); one whose
# command pipes the report through a filter (grep, jq) shows all that the
# filter passes, so its output must be those lines exactly (trailing empty
# lines aside: a block cannot show them), or a line the filter newly
# passes would go unseen below the ones shown; the report
# under "A real report: make run" must be exactly what make run prints, the
# Usage synopsis is --help's, and every JSON example (README.md, docs/*.md)
# is part of a golden record.
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
  case $cmd in
  *"|"*) # all of the filter's output, its trailing empty lines left out
    awk '/./ { for (; e > 0; e--) print ""; print; next } { e++ }' "$tmp/out.$i" >"$tmp/got.$i" ;;
  *) head -n "$want" "$tmp/out.$i" >"$tmp/got.$i" ;;
  esac
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
# The synopsis under "## Usage" is the one --help prints.
awk '/^## Usage/ { s = 1 } s && /^```/ { if (b) exit; b = 1; next } b { print }' README.md |
  sed 's/^ *//' >"$tmp/usage.exp"
"$bin" --help | sed -n '1,/^$/p' | sed -e '/^$/d' -e 's/^Usage: //' -e 's/^ *//' >"$tmp/usage.got"
if ! cmp -s "$tmp/usage.exp" "$tmp/usage.got"; then
  echo "FAIL README's Usage synopsis differs from smtptap --help"
  diff "$tmp/usage.exp" "$tmp/usage.got"
  fail=1
fi
# JSON examples (```json blocks of README.md and docs/*.md, abridged or not):
# each object is part of a record of the goldens, value for value (an array
# whole), so an example shows keys where the records have them.
if command -v jq >/dev/null 2>&1; then
  cat tests/golden/expected/*.ndjson >"$tmp/goldens"
  for f in README.md docs/*.md; do
    awk '/^```json/ { b = 1; next } /^```/ { b = 0 } b' "$f" >"$tmp/json.exp"
    [ -s "$tmp/json.exp" ] || continue
    if ! jq -c . "$tmp/json.exp" >"$tmp/json.objs" 2>"$tmp/json.err"; then
      echo "FAIL $f: a JSON example does not parse: $(head -1 "$tmp/json.err")"
      fail=1
      continue
    fi
    while read -r ex; do
      found=$(jq -n --argjson ex "$ex" --slurpfile g "$tmp/goldens" '
        def sub($a; $b): if ($a | type) == "object"
          then ($b | type) == "object" and all($a | keys[]; . as $k | ($b | has($k)) and sub($a[$k]; $b[$k]))
          else $a == $b end;
        any($g[]; sub($ex; .))')
      if [ "$found" != true ]; then
        echo "FAIL $f: this JSON example is in no golden record: $(echo "$ex" | cut -c1-160)"
        fail=1
      fi
      n=$((n + 1))
    done <"$tmp/json.objs"
  done
else
  echo "jq is missing: JSON examples not checked"
fi
[ $fail = 0 ] && echo "ok: $n README examples, JSON examples and the make run report are current"
exit $fail
