#!/bin/sh
# What smtptap says on stderr about damaged input, read as a tcpdump user
# reads it: counts in the words English uses ("after 1 packet", not
# "after 1 packets").
# Usage: cli_messages.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# said WHAT TEXT FILE / unsaid WHAT TEXT FILE
said() {
  if grep -q -- "$2" "$3"; then echo "ok   $1"; else
    echo "FAIL $1: no '$2' in:"; sed 's/^/  /' "$3" | head -5; fail=1
  fi
}
unsaid() {
  if grep -q -- "$2" "$3"; then
    echo "FAIL $1: '$2' in:"; sed 's/^/  /' "$3" | head -5; fail=1
  else echo "ok   $1"; fi
}

# one whole record after the 24-byte header, then a record header whose
# length no snaplen allows: damaged after the first packet (exit 0, as README)
f=pcaps/smtp-plain.pcap # little-endian, as od reads it on the hosts we build on
incl=$(od -An -tu4 -j32 -N4 "$f" | tr -d ' ')
head -c $((24 + 16 + incl)) "$f" >"$tmp/one.pcap"
printf '\0\0\0\0\0\0\0\0\377\377\377\177\377\377\377\177' >>"$tmp/one.pcap"
"$bin" -q -r "$tmp/one.pcap" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL damaged after 1 packet: exit $rc, not 0"; fail=1; }
said "damaged after one packet: singular" "damaged capture file after 1 packet:" "$tmp/err"
"$bin" -q --libpcap-reader -r "$tmp/one.pcap" 2>"$tmp/err"
said "damaged after one packet (libpcap reader): singular" "capture file after 1 packet:" "$tmp/err"
unsaid "no '1 packets'" "after 1 packets" "$tmp/err"

# -i N: tcpdump takes the number -D prints for an interface (tcpdump(1), -i);
# smtptap said "1: cannot open interface: no such device (smtptap -D lists the
# interfaces)", its own -D's number refused. Checked up to the filter, which is
# compiled after the interface was found (no capture, no root needed).
"$bin" -D >"$tmp/list" 2>/dev/null
first=$(sed -n 's/^\([0-9][0-9]*\)\.\([^ ]*\).*/\1 \2/p' "$tmp/list" | head -1)
if [ -n "$first" ]; then
  num=${first%% *}
  "$bin" -i "$num" 'port 25 and' >/dev/null 2>"$tmp/err"
  unsaid "-i $num (${first#* }, as -D numbers it): found" "no such device" "$tmp/err"
  said "-i $num: then its filter checked" "bad filter 'port 25 and'" "$tmp/err"
  "$bin" -i 99999 >/dev/null 2>"$tmp/err"
  said "-i 99999 (no such number): no such device" "99999: cannot open interface: no such device" "$tmp/err"
else
  echo "skip -i N: -D lists no interface here"
fi

# -r - with standard input a terminal (no pipe: a user who left it out) is
# refused at once; before, smtptap sat waiting for a capture to be typed
if command -v script >/dev/null 2>&1; then
  script -qec "$bin -q -r -" /dev/null </dev/null >"$tmp/tty.out" 2>&1
  rc=$?
  said "-r - on a terminal: refused, the way to pipe said" \
    "standard input is a terminal: pipe a capture into it" "$tmp/tty.out"
  [ "$rc" -eq 3 ] || { echo "FAIL -r - on a terminal: exit $rc, want 3"; fail=1; }
  unsaid "-r - on a terminal: not read as empty input" "standard input was empty" "$tmp/tty.out"
else
  echo "skip -r - on a terminal: script(1) not installed"
fi

# --help says how a live capture ends (a tcpdump user looks for it under -i),
# and every line of it fits an 80-column terminal
# (--help-caps too: its longer texts ran to 230 columns)
"$bin" --help >"$tmp/help" 2>&1
said "--help: how -i ends" "Ctrl-C (SIGINT) or SIGTERM ends it with the report" "$tmp/help"
"$bin" --help-caps >"$tmp/help-caps" 2>&1
said "--help-caps: a wrapped text goes on under its first line" \
  "^                             session to the chain it was given" "$tmp/help-caps"
for h in help help-caps; do
  if awk 'length($0) > 80 { bad = 1 } END { exit !bad }' "$tmp/$h"; then
    echo "FAIL --$h: a line wider than 80 columns"
    fail=1
  else
    echo "ok   --$h: every line within 80 columns"
  fi
done
# an output option given twice: the last is written, as tcpdump -w does,
# and said (the first file's absence was silent)
"$bin" -q -r pcaps/smtp-plain.pcap --json "$tmp/a.json" --json "$tmp/b.json" 2>"$tmp/err"
said "--json twice: said" "smtptap: --json given twice: writing $tmp/b.json, not $tmp/a.json" "$tmp/err"
[ -s "$tmp/b.json" ] && [ ! -e "$tmp/a.json" ] || { echo "FAIL --json twice: not the last written"; fail=1; }
"$bin" -q -r pcaps/smtp-plain.pcap --json "$tmp/b.json" --json "$tmp/b.json" 2>"$tmp/err"
unsaid "--json twice, the same file: not said" "given twice" "$tmp/err"
exit $fail
