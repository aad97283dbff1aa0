#!/bin/sh
# A peer's or a command line's bytes never drive the terminal: the report
# (stdout) and the messages (stderr) hold no control byte but newline and
# tab, no DEL, no C1 byte (0x80-0x9f), whatever the file names and the wire
# strings held (src/termtext.h: every such byte written as \xNN).
#  - file names holding ESC, BEL and a newline: missing, not a capture, an
#    empty FIFO after a good file (CAPTURE FAILED in the report), a key log,
#    -w and --json files that cannot be created, a filter that does not compile;
#  - pcaps/variants/ctrl-chars.pcap (pcaps/tools/mkctrl.py): an SNI, a
#    greeting host name, EHLO names and a certificate's subject holding
#    OSC, CSI (7- and 8-bit), BEL, DEL, NUL, RIS.
# Usage: terminal_text.sh SMTPTAP
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # run from other directories too
src=$(pwd)
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=$(printf 'a\033]0;pwned\007\033[2J\nx')

# clean WHAT FILE: FILE holds no byte 0x00-0x08, 0x0a-0x1f but \n, 0x7f or 0x80-0x9f
clean() {
  n=$(LC_ALL=C tr -d '\n\t\040-\176\240-\377' <"$2" | wc -c)
  if [ "$n" -eq 0 ]; then
    echo "ok   $1"
  else
    echo "FAIL $1: $n control byte(s):"
    LC_ALL=C grep -n -a "$(printf '[\001-\010\013-\037\177\200-\237]')" "$2" | od -c | head -5
    fail=1
  fi
}
# run WHAT WANT-EXIT ARGS...: both outputs clean, the exit code as wanted
run() {
  what=$1
  want=$2
  shift 2
  timeout -k 2 30 "$bin" --no-progress --color never "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne "$want" ] || grep -q Sanitizer "$tmp/err"; then
    echo "FAIL $what: exit $rc, want $want"
    fail=1
  fi
  clean "$what: stdout" "$tmp/out"
  clean "$what: stderr" "$tmp/err"
}

cd "$tmp" || exit 1
printf 'not a capture at all, not at all' >"$bad.pcap"
run "a missing file" 3 -r "$tmp/missing-$bad.pcap"
grep -q 'missing-a\\x1b\]0;pwned\\x07\\x1b\[2J\\x0ax.pcap' "$tmp/err" || {
  echo "FAIL a missing file: the name not escaped as \\xNN"
  fail=1
}
run "not a capture" 3 -r "$bad.pcap"
run "a key log" 3 -r "$src/pcaps/smtp-plain.pcap" --keylog "$tmp/kl-$bad"
run "-w into a missing directory" 3 -r "$src/pcaps/smtp-plain.pcap" -w "$tmp/no/$bad.pcap"
run "--json into a missing directory" 3 -r "$src/pcaps/smtp-plain.pcap" --json "$tmp/no/$bad.json"
run "--tlsrpt into a missing directory" 3 -r "$src/pcaps/smtp-plain.pcap" --tlsrpt "$tmp/no/$bad.json"
run "a bad filter" 3 -r "$src/pcaps/smtp-plain.pcap" "port $bad"
# an empty FIFO after a good file: the report opens with CAPTURE FAILED
mkfifo "$tmp/f-$bad" || exit 1
timeout 20 sh -c 'exec 3>"$1"' sh "$tmp/f-$bad" & # bounded: a writer that opens and closes
run "an empty FIFO after a good file" 3 -r "$src/pcaps/smtp-plain.pcap" -r "$tmp/f-$bad"
wait
grep -q '^CAPTURE FAILED: .*f-a\\x1b\]0;pwned' "$tmp/out" || {
  echo "FAIL an empty FIFO after a good file: no CAPTURE FAILED line naming it escaped"
  fail=1
}
# the wire's strings
cd "$src" || exit 1
run "control characters on the wire" 0 -r pcaps/variants/ctrl-chars.pcap
for s in 'only asked for (SNI): m\\x1b\]0;pw\\x07\\x7f\\x9b31m\\x1b\[0m' \
  'subject    CN=mail.example.test,O=Ex\\1B\[31m\\1B\]2\\;X'; do
  grep -q "$s" "$tmp/out" || {
    echo "FAIL control characters on the wire: no '$s' in the report"
    fail=1
  }
done
run "control characters on the wire, --json - (report on stderr)" 0 \
  -r pcaps/variants/ctrl-chars.pcap --json -
exit $fail
