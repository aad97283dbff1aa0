#!/bin/sh
# The progress line (--no-progress): on standard error only when it is a
# terminal (script(1) gives the run a pseudo-terminal), in the words of the
# report's last line (packets, SMTP/TLS sessions: it said "N flows, M
# dissected", flows counted only as they ended, fewer than the sessions), its
# last one ended by a newline with the run's totals; none when standard error
# is a pipe or a file, none with --no-progress.
# Usage: progress_tty.sh SMTPTAP
set -u
bin=$1
command -v script >/dev/null 2>&1 || { echo "SKIP: script(1) not installed (util-linux)"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in="-r pcaps/smtp-starttls-tls12-chain.pcap -r pcaps/smtp-client-alert.pcap -r pcaps/smtp-ipv6.pcap"

# shellcheck disable=SC2086
"$bin" -q $in --json "$tmp/ref.json" 2>"$tmp/pipe.err" || { echo "FAIL: run, stderr a file"; exit 1; }
packets=$(jq -r 'select(.event == "stats") | .packets' "$tmp/ref.json")
sessions=$(grep -c '"event":"session"' "$tmp/ref.json")
if [ -s "$tmp/pipe.err" ]; then
  echo "FAIL: a progress line with standard error a file"
  sed 's/^/  stderr: /' "$tmp/pipe.err" | head -3
  fail=1
else
  echo "ok   no progress line with standard error a file"
fi
# shellcheck disable=SC2086
"$bin" -q $in 2>&1 | cat >"$tmp/pipe2.err"
if [ -s "$tmp/pipe2.err" ]; then
  echo "FAIL: a progress line with standard error a pipe"
  fail=1
else
  echo "ok   no progress line with standard error a pipe"
fi

# standard error (and output) on a pseudo-terminal; script(1) copies it to a file
script -qec "$bin -q $in" /dev/null >"$tmp/tty.out" 2>&1 </dev/null
rc=$?
last=$(tr '\r' '\n' <"$tmp/tty.out" | grep 'smtptap: ' | tail -n 1 | tr -d '\r')
want="smtptap: $packets packets, $sessions SMTP/TLS sessions"
if [ "$rc" -ne 0 ] || [ "$last" != "$want" ]; then
  echo "FAIL: on a terminal: exit $rc, last progress line '$last', want '$want'"
  od -c "$tmp/tty.out" | head -5
  fail=1
else
  echo "ok   on a terminal: '$last'"
fi
if grep -q 'dissected' "$tmp/tty.out"; then
  echo "FAIL: the progress line's old words"
  fail=1
fi
script -qec "$bin -q --no-progress $in" /dev/null >"$tmp/tty2.out" 2>&1 </dev/null
if grep -q 'smtptap: ' "$tmp/tty2.out"; then
  echo "FAIL: --no-progress on a terminal: a progress line"
  fail=1
else
  echo "ok   --no-progress on a terminal: none"
fi
exit $fail
