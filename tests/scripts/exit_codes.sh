#!/bin/sh
# Exit codes scripts rely on (smtptap --help, smtptap(1)): 0 ok, 1 a finding
# at or above --fail-on, 2 usage error, 3 input error; and no sanitizer
# report or crash on any of these paths. Usage: exit_codes.sh SMTPTAP
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"

# expect CODE DESCRIPTION ARGS...: runs smtptap quietly, checks the exit code.
expect() {
  want=$1
  what=$2
  shift 2
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $what: exit $rc, want $want"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   $what: exit $rc"
  fi
  if grep -q "Sanitizer" "$tmp/err"; then
    echo "FAIL $what: sanitizer report"
    fail=1
  fi
}

# shellcheck disable=SC2086
expect 1 "expired leaf, --fail-on high" -q $ca -r pcaps/diag/expired-leaf.pcap --fail-on high
# shellcheck disable=SC2086
expect 1 "expired leaf, --fail-on critical (expired_certificate_served)" -q $ca \
  -r pcaps/diag/expired-leaf.pcap --fail-on critical
# shellcheck disable=SC2086
expect 0 "expired leaf, no --fail-on" -q $ca -r pcaps/diag/expired-leaf.pcap
# shellcheck disable=SC2086
expect 0 "renewed certificate, --fail-on high (only medium and low)" -q $ca \
  -r pcaps/diag/cert-renewed.pcap --fail-on high
expect 1 "expiring within 365 days, --fail-on medium" -q --no-system-ca \
  --ca-file pcaps/certs/root.pem -r pcaps/smtp-starttls-tls12-chain.pcap --expiry-warn 365 \
  --fail-on medium
expect 0 "clean chain, --fail-on high" -q --no-system-ca --ca-file pcaps/certs/root.pem \
  -r pcaps/smtp-starttls-tls12-chain.pcap --fail-on high
expect 2 "unknown option" --no-such-option
grep -q "option --no-such-option: unknown" "$tmp/err" || { echo "FAIL unknown option: message"; fail=1; }
expect 2 "a filter but nothing to read (the filter's memory freed)" 'port 25'
expect 2 "--report-interval without -i" -r pcaps/smtp-plain.pcap --report-interval 5
expect 2 "missing argument" -q -r
grep -q "option -r needs an argument" "$tmp/err" || { echo "FAIL missing argument: message"; fail=1; }
expect 2 "argument to an option that takes none" --quiet=1 -r pcaps/smtp-plain.pcap
grep -q "takes no argument" "$tmp/err" || { echo "FAIL --quiet=1: message"; fail=1; }
expect 2 "bad --fail-on value" -r pcaps/smtp-plain.pcap --fail-on severe
expect 2 "no input" -q
# --at takes what --help and smtptap(1) say: a date, a UTC time, seconds
# since the epoch; its message names each (it left the seconds out)
for at in now 2026-01-31 2026-01-31T12:00:00 2026-01-31T12:00:00Z 1767225600; do
  expect 0 "--at $at" -q -r pcaps/smtp-plain.pcap --at "$at"
done
expect 2 "--at 2026-02-31 (no such day)" -q -r pcaps/smtp-plain.pcap --at 2026-02-31
grep -q "seconds since the epoch" "$tmp/err" || { echo "FAIL --at: the message does not give every form"; fail=1; }
expect 3 "missing capture file" -q -r "$tmp/does-not-exist.pcap"
printf 'not a capture at all\n' >"$tmp/junk.pcap"
expect 3 "not a capture" -q -r "$tmp/junk.pcap"
expect 3 "unreadable --ca-file" -q --ca-file "$tmp/none.pem" -r pcaps/smtp-plain.pcap
# what the admin can act on: the path's own error (it said "no certificate
# could be loaded from it" for a typo), a directory, a DER .cer (Windows'
# export form) with the command that converts it
grep -q "none.pem: No such file or directory" "$tmp/err" || { echo "FAIL --ca-file: a missing file is not said so"; fail=1; }
expect 3 "--ca-file on a directory" -q --ca-file pcaps -r pcaps/smtp-plain.pcap
grep -q "is a directory (a hashed CA directory is --ca-path)" "$tmp/err" || { echo "FAIL --ca-file on a directory: message"; fail=1; }
openssl x509 -in pcaps/certs/root.pem -outform DER -out "$tmp/root.cer"
expect 3 "--ca-file in DER" -q --ca-file "$tmp/root.cer" -r pcaps/smtp-plain.pcap
grep -q "looks like DER.*openssl x509 -inform DER" "$tmp/err" || { echo "FAIL --ca-file in DER: message"; fail=1; }
expect 3 "missing --ca-path" -q --ca-path "$tmp/no-such-dir" -r pcaps/smtp-plain.pcap
expect 3 "--ca-path on a file" -q --ca-path README.md -r pcaps/smtp-plain.pcap
expect 3 "unreadable --keylog" -q --keylog "$tmp/none.keys" -r pcaps/smtp-plain.pcap
printf 'CLIENT_RANDOM 00 11\n# nothing usable\n' >"$tmp/bad.keys"
expect 3 "--keylog without a valid line" -q --keylog "$tmp/bad.keys" -r pcaps/smtp-plain.pcap
grep -q "bad.keys: not a key log" "$tmp/err" || { echo "FAIL --keylog without a valid line: message"; fail=1; }
# a TLS 1.2 key log (CLIENT_RANDOM lines only) is a key log: a warning on
# stderr, and the run goes on (it exited 3: a TLS 1.2 handshake's
# certificates are in clear, nothing is lost); with the TLS 1.3 key log
# after it, that one's secrets are used
printf 'CLIENT_RANDOM %064d %096d\n# a comment\nCLIENT_RANDOM %064d %096d\n' 1 2 3 4 >"$tmp/tls12.keys"
expect 0 "--keylog of TLS 1.2 only" -q --keylog "$tmp/tls12.keys" -r pcaps/smtp-plain.pcap
grep -q "^smtptap: warning: --keylog .*tls12.keys: a TLS 1.2 key log (2 CLIENT_RANDOM lines, no TLS 1.3 handshake secret)" "$tmp/err" || { echo "FAIL --keylog of TLS 1.2 only: message"; fail=1; }
expect 1 "--keylog of TLS 1.2 only, --fail-on" -q --fail-on high --keylog "$tmp/tls12.keys" -r pcaps/smtp-client-alert.pcap
grep -q "warning: --keylog" "$tmp/err" || { echo "FAIL --keylog of TLS 1.2 only, --fail-on: no warning"; fail=1; }
expect 0 "--keylog of TLS 1.2, then TLS 1.3" -q --json "$tmp/kl.json" --keylog "$tmp/tls12.keys" --keylog pcaps/smtp-starttls-tls13.keylog -r pcaps/smtp-starttls-tls13.pcap
grep -q '"decrypted":true' "$tmp/kl.json" || { echo "FAIL --keylog of TLS 1.2, then TLS 1.3: nothing decrypted"; fail=1; }
# a key log the caps cannot hold whole (65 536 connections fit a 16 MiB
# memcap, 70 000 lines): a warning naming the cap and the line reached, the
# run goes on with what was kept (it exited 3, "not a key log", when the cap
# was already full). Its client randoms share their first four bytes, as
# those of clients that still send gmt_unix_time (RFC 5246 §7.4.1.2): they
# all hashed to one bucket, and loading took minutes (bounded here by
# timeout: a hang fails, no time is measured)
awk 'BEGIN { for (i = 0; i < 70000; i++) printf "CLIENT_HANDSHAKE_TRAFFIC_SECRET 5f5e1000%056x %064x\n", i, i + 1 }' >"$tmp/big.keys"
if timeout -k 5 120 "$bin" -q --no-ndpi --cap memcap=16M --keylog "$tmp/big.keys" -r pcaps/smtp-plain.pcap >"$tmp/out" 2>"$tmp/err"; then
  if grep -q "^smtptap: warning: --keylog .*big.keys: read up to line 65537 only: a cap was reached (.*65536 kept)" "$tmp/err"; then
    echo "ok   --keylog over the caps: exit 0, the cap said"
  else
    echo "FAIL --keylog over the caps: message"
    sed 's/^/  stderr: /' "$tmp/err" | head -3
    fail=1
  fi
else
  echo "FAIL --keylog over the caps: exit $? (124: no end within 120 s)"
  fail=1
fi
expect 3 "unreadable --tlsa" -q --tlsa "$tmp/none.tlsa" -r pcaps/smtp-plain.pcap
printf '; TLSA\n_25._tcp.mx.example.com. IN TLSA 3 1 1 00\n' >"$tmp/bad.tlsa"
expect 3 "--tlsa with a bad line" -q --tlsa "$tmp/bad.tlsa" -r pcaps/smtp-plain.pcap
if ! "$bin" -q --tlsa "$tmp/bad.tlsa" -r pcaps/smtp-plain.pcap 2>&1 | grep -q 'bad.tlsa:2: '; then
  echo "FAIL --tlsa with a bad line: no FILE:LINE in the message"
  fail=1
fi
expect 3 "bad BPF filter" -q -r pcaps/smtp-plain.pcap "port 25 and and"
# A capture cut in the middle of a packet: read what is there, say so, exit 0.
head -c 9000 pcaps/smtp-starttls-tls12-chain.pcap >"$tmp/cut.pcap"
expect 0 "truncated capture" -q -r "$tmp/cut.pcap" --json "$tmp/cut.json"
if ! grep -q '"files_damaged":1' "$tmp/cut.json"; then
  echo "FAIL truncated capture: stats.files_damaged is not 1"
  fail=1
fi
# Cut in a handshake (the second session's, before the server's Certificate):
# the finding blames the damaged file, not a capture that stopped too soon.
half=$(($(wc -c <pcaps/smtp-starttls-tls12-chain.pcap) / 2))
head -c "$half" pcaps/smtp-starttls-tls12-chain.pcap >"$tmp/half.pcap"
expect 0 "capture cut in a handshake" -q -r "$tmp/half.pcap" --json "$tmp/half.json"
if ! grep '"kind":"certificates_not_visible"' "$tmp/half.json" |
  grep -q 'a capture file cut short: damaged, as stderr and files_damaged say'; then
  echo "FAIL capture cut in a handshake: certificates_not_visible does not name the damaged file"
  fail=1
fi
# Below the smallest memcap a run can work in: a usage error, with the
# minimum in the message (1 and 1K crashed in OpenSSL's start-up, 8M ran out
# of memory reading the capture in a release build).
for m in 8M 64K 1K 1; do
  expect 2 "memcap $m (below the minimum)" -q --cap memcap=$m -r pcaps/smtp-plain.pcap
  if ! grep -q "at least 16M" "$tmp/err"; then
    echo "FAIL memcap $m: the message does not give the minimum"
    fail=1
  fi
done
expect 0 "memcap 16M" -q --cap memcap=16M -r pcaps/smtp-starttls-tls12-chain.pcap --json "$tmp/small.json"
if ! grep -q '"event":"stats"' "$tmp/small.json"; then
  echo "FAIL memcap 16M: no stats record"
  fail=1
fi
# Outputs that cannot be written in full: exit 3 with a message (they
# exited 0).
expect 3 "--json to a full device" -q -r pcaps/smtp-plain.pcap --json /dev/full
if [ -w /dev/full ]; then
  # each message says why (errno ENOSPC), once
  "$bin" -q -r pcaps/smtp-plain.pcap --json /dev/full 2>"$tmp/err"
  if [ "$(grep -c -- '--json /dev/full: write error (No space left on device)' "$tmp/err")" != 1 ]; then
    echo "FAIL --json to a full device: the message"
    sed 's/^/  stderr: /' "$tmp/err"
    fail=1
  fi
  "$bin" -r pcaps/smtp-plain.pcap >/dev/full 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 3 ] || ! grep -qx "smtptap: standard output: write error (No space left on device)" "$tmp/err"; then
    echo "FAIL report to a full standard output: exit $rc"
    fail=1
  else
    echo "ok   report to a full standard output: exit 3"
  fi
fi
# --certs that is not a directory: refused before --json is opened.
printf 'keep\n' >"$tmp/keep.json"
expect 3 "--certs on a file" -q -r pcaps/smtp-plain.pcap --certs README.md --json "$tmp/keep.json"
if ! grep -qx keep "$tmp/keep.json"; then
  echo "FAIL --certs on a file: --json was emptied"
  fail=1
fi
# Inputs that can be told bad before anything is written: the --json file is
# left alone and no report is printed.
: >"$tmp/empty.pcap"
gzip -c pcaps/smtp-plain.pcap >"$tmp/plain.pcap.gz"
for what in "missing file:-r $tmp/none.pcap" "directory:-r $tmp" "empty file:-r $tmp/empty.pcap" \
  "gzip-compressed file:-r $tmp/plain.pcap.gz" "text file:-r $tmp/junk.pcap" \
  "text file after a good one:-r pcaps/smtp-plain.pcap -r $tmp/junk.pcap" \
  "missing interface:-i smtptap-none0" \
  "bad filter:-r pcaps/smtp-plain.pcap port 25 and and"; do
  printf 'keep\n' >"$tmp/keep.json"
  # shellcheck disable=SC2086
  expect 3 "${what%%:*} before any output" --json "$tmp/keep.json" ${what#*:}
  if ! grep -qx keep "$tmp/keep.json" || [ -s "$tmp/out" ]; then
    echo "FAIL ${what%%:*}: --json rewritten or a report printed"
    fail=1
  fi
done
# Files with not one packet to read, told before anything is written as
# well: a header cut short (1 and 23 bytes), a first record cut (6 bytes of
# its header) or damaged (caplen 0x7FFFFFFF; tcpdump exits 1 on both),
# /dev/null, such a file after a good one, and a pcapng file whose second
# interface has another link type under --libpcap-reader (libpcap 1.10
# refuses it before any packet). They printed "No findings.", rewrote --json
# and, with a valid header, exited 0.
# le32 N: N as 4 bytes, little-endian.
le32() {
  # shellcheck disable=SC2059
  printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
    $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
# pcap header: LINKTYPE_ETHERNET, snaplen 262144
pcap_header() { le32 2712847316; le32 262146; le32 0; le32 0; le32 262144; le32 1; }
pcap_header >"$tmp/hdr.pcap"
head -c 1 "$tmp/hdr.pcap" >"$tmp/h1.pcap"
head -c 23 "$tmp/hdr.pcap" >"$tmp/h23.pcap"
{ pcap_header; le32 1; printf '\000\000'; } >"$tmp/cut-first.pcap"
{ pcap_header; le32 1; le32 0; le32 2147483647; le32 2147483647; } >"$tmp/big-first.pcap"
# pcapng (draft-ietf-opsawg-pcapng §4): SHB; IDB 0 Ethernet; IDB 1 link type
# 147 (USER0, which smtptap does not decode); an EPB on interface 0 (an ARP
# frame's Ethernet header) and two on interface 1 (8 bytes each)
{
  le32 168627466; le32 28; le32 439041101; le32 1; le32 4294967295; le32 4294967295; le32 28
  le32 1; le32 20; le32 1; le32 262144; le32 20
  le32 1; le32 20; le32 147; le32 262144; le32 20
  le32 6; le32 48; le32 0; le32 0; le32 1000000; le32 14; le32 14
  printf '\002\000\000\000\000\001\002\000\000\000\000\002\010\006\000\000'; le32 48
  for t in 2000000 3000000; do
    le32 6; le32 40; le32 1; le32 0; le32 "$t"; le32 8; le32 8; le32 0; le32 0; le32 40
  done
} >"$tmp/user0.pcapng"
for what in "1-byte file:-r $tmp/h1.pcap" "23-byte file:-r $tmp/h23.pcap" \
  "first record cut:-r $tmp/cut-first.pcap" "first record damaged:-r $tmp/big-first.pcap" \
  "libpcap, first record damaged:--libpcap-reader -r $tmp/big-first.pcap" \
  "/dev/null:-r /dev/null" "first record cut, after a good file:-r pcaps/smtp-plain.pcap -r $tmp/cut-first.pcap" \
  "libpcap, interfaces of two link types:--libpcap-reader --fail-on info -r $tmp/user0.pcapng"; do
  printf 'keep\n' >"$tmp/keep.json"
  # shellcheck disable=SC2086
  expect 3 "${what%%:*} before any output" --json "$tmp/keep.json" ${what#*:}
  if ! grep -qx keep "$tmp/keep.json" || [ -s "$tmp/out" ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
    echo "FAIL ${what%%:*}: --json rewritten, a report printed, or not one line on stderr"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  fi
done
grep -q "leave out --libpcap-reader" "$tmp/err" || { echo "FAIL libpcap, two link types: no way out said"; fail=1; }
# the same on standard input, told when it is read
printf 'keep\n' >"$tmp/keep.json"
"$bin" -r - --json "$tmp/keep.json" <"$tmp/big-first.pcap" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 3 ] || ! grep -qx keep "$tmp/keep.json" || [ -s "$tmp/out" ] ||
  ! grep -q "cannot read a single packet" "$tmp/err"; then
  echo "FAIL first record damaged, on standard input: exit $rc, or output written"
  fail=1
else
  echo "ok   first record damaged, on standard input: exit 3, nothing written"
fi
# Empty standard input: said plainly (libpcap's words were "truncated dump
# file ... only got 0"), exit 3, nothing written, with either reader.
for rd in "" --libpcap-reader; do
  printf 'keep\n' >"$tmp/keep.json"
  # shellcheck disable=SC2086
  "$bin" $rd -r - --json "$tmp/keep.json" </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 3 ] || ! grep -qx keep "$tmp/keep.json" || [ -s "$tmp/out" ] ||
    ! grep -q "^smtptap: -: standard input was empty" "$tmp/err" || grep -q "truncated" "$tmp/err"; then
    echo "FAIL empty standard input${rd:+ ($rd)}: exit $rc, or output written, or not said"
    sed 's/^/  stderr: /' "$tmp/err" | head -3
    fail=1
  else
    echo "ok   empty standard input${rd:+ ($rd)}: exit 3, said so"
  fi
done
# Standard input that fails after a good file (read only as it comes):
# exit 3 after the report and --json of what was read, the report opening
# with CAPTURE FAILED and the stats record's capture_error the same message
# as stderr's; a later file damaged after its first packet is no such failure
# (files_damaged, exit 0, neither line).
{ cat pcaps/smtp-plain.pcap; printf '\001\000\000\000\000\000\000\000\100\000\000\000'; } \
  >"$tmp/plain-cut.pcap"
for what in "empty:/dev/null" "first record cut:$tmp/cut-first.pcap"; do
  "$bin" --no-progress -r pcaps/smtp-plain.pcap -r - --json "$tmp/sf.json" <"${what#*:}" \
    >"$tmp/out" 2>"$tmp/err"
  rc=$?
  msg=$(sed -n 's/^smtptap: //p' "$tmp/err" | head -1)
  if [ "$rc" -eq 3 ] && [ -n "$msg" ] && [ "$(head -1 "$tmp/out")" = "CAPTURE FAILED: $msg: the capture stopped there; this report holds what was captured before" ] &&
    jq -e -s --arg m "$msg" '[.[] | select(.event == "stats")] | length == 1 and .[0].capture_error == $m' \
      "$tmp/sf.json" >/dev/null &&
    [ "$(jq -s '[.[] | select(.event == "session")] | length' "$tmp/sf.json")" -gt 0 ]; then
    echo "ok   standard input ${what%%:*} after a good file: exit 3, CAPTURE FAILED, capture_error"
  else
    echo "FAIL standard input ${what%%:*} after a good file: exit $rc, or no CAPTURE FAILED / capture_error"
    sed 's/^/  stderr: /' "$tmp/err" | head -3
    head -2 "$tmp/out" | sed 's/^/  stdout: /'
    fail=1
  fi
done
"$bin" --no-progress -r pcaps/smtp-plain.pcap -r - --json "$tmp/sf.json" <"$tmp/plain-cut.pcap" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && ! grep -q "CAPTURE FAILED" "$tmp/out" && grep -q "truncated capture file after" "$tmp/err" &&
  jq -e -s '[.[] | select(.event == "stats")] | length == 1 and .[0].files_damaged == 1
    and (.[0] | has("capture_error") | not)' "$tmp/sf.json" >/dev/null; then
  echo "ok   a later file cut after its first packets: damaged, exit 0, no capture_error"
else
  echo "FAIL a later file cut after its first packets: exit $rc, or read as a failed capture"
  sed 's/^/  stderr: /' "$tmp/err" | head -3
  fail=1
fi
# What the stats record counts of the -r inputs: an input that fails before
# its first packet is not read (whether not a capture, failing when opened,
# or cut in its first record: the two were counted apart, files_read 1 and 2), nor
# the inputs after it (files_unread); an input damaged later is read, and
# so are those after it; -c stops reading with files left unread (exit 0).
for what in "empty:/dev/null:3:1:2:0" "first record cut:$tmp/cut-first.pcap:3:1:2:0" \
  "not a capture:pcaps/README.md:3:1:2:0" "cut after its first packets:$tmp/plain-cut.pcap:0:3:0:1"; do
  IFS=: read -r name in want nread nunread ndamaged <<EOF2
$what
EOF2
  "$bin" --no-progress -r pcaps/smtp-plain.pcap -r - -r pcaps/smtps-465.pcap --json "$tmp/fc.json" \
    <"$in" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq "$want" ] && jq -e -s --argjson r "$nread" --argjson u "$nunread" --argjson d "$ndamaged" \
    '[.[] | select(.event == "stats")] | length == 1 and .[0].files_read == $r
      and (.[0].files_unread // 0) == $u and .[0].files_damaged == $d' "$tmp/fc.json" >/dev/null &&
    { [ "$nunread" -eq 0 ] && ! grep -q "files* not read" "$tmp/out" || grep -q "; $nunread of the -r files not read" "$tmp/out"; }; then
    echo "ok   -r good -r - ($name) -r good2: exit $rc, files_read $nread, files_unread $nunread"
  else
    echo "FAIL -r good -r - ($name) -r good2: exit $rc (want $want), or files_read/files_unread/files_damaged not $nread/$nunread/$ndamaged:"
    jq -c 'select(.event == "stats") | {files_read, files_unread, files_damaged}' "$tmp/fc.json" 2>&1 | sed 's/^/  /'
    fail=1
  fi
done
"$bin" --no-progress -c 3 -r pcaps/smtp-plain.pcap -r pcaps/smtps-465.pcap --json "$tmp/fc.json" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "; 1 of the -r files not read" "$tmp/out" &&
  jq -e -s '[.[] | select(.event == "stats")] | .[0].files_read == 1 and .[0].files_unread == 1' \
    "$tmp/fc.json" >/dev/null; then
  echo "ok   -c 3 over two files: exit 0, files_read 1, files_unread 1"
else
  echo "FAIL -c 3 over two files: exit $rc, or files_read/files_unread not 1/1"
  fail=1
fi
# A record the filter does not pass, then a cut one: the file was read, and
# is damaged, with either reader (libpcap's, which does not show the records
# its filter passes over, had refused it as unreadable, and the files after it).
{ pcap_header; le32 1000; le32 0; le32 14; le32 14
  printf '\002\000\000\000\000\001\002\000\000\000\000\002\010\006'
  le32 1001; printf '\000\000'; } >"$tmp/arp-then-cut.pcap"
for rd in "" --libpcap-reader; do
  # shellcheck disable=SC2086
  expect 0 "filtered record, then a cut one${rd:+ ($rd)}" -q $rd -r "$tmp/arp-then-cut.pcap" \
    -r pcaps/smtp-plain.pcap --json "$tmp/atc.json" tcp
  grep -q '"files_read":2,"files_damaged":1,' "$tmp/atc.json" ||
    { echo "FAIL filtered record, then a cut one${rd:+ ($rd)}: not read as damaged"; fail=1; }
done
# A header and no record: an empty capture, read (as tcpdump: exit 0).
expect 0 "a header alone (an empty capture)" -q -r "$tmp/hdr.pcap" --json "$tmp/hdr.json"
grep -q '"packets":0' "$tmp/hdr.json" || { echo "FAIL a header alone: no stats record"; fail=1; }
# smtptap's reader: the interface of link type 147 said once on stderr and
# its frames counted (they were dropped silently).
expect 0 "interfaces of two link types" -q -r "$tmp/user0.pcapng" --json "$tmp/user0.json"
if ! grep -q '"packets":3,' "$tmp/user0.json" || ! grep -q '"not_ip":1,' "$tmp/user0.json" ||
  ! grep -q '"unsupported_link_frames":2,' "$tmp/user0.json" ||
  [ "$(grep -c "interface 1 has link type DLT_.*(147" "$tmp/err")" -ne 1 ]; then
  echo "FAIL interfaces of two link types: not counted, or not said once"
  sed 's/^/  stderr: /' "$tmp/err" | head -5
  fail=1
fi
# Files after -r FILE are the filter, as in tcpdump: the message says how to
# read several.
expect 3 "-r a.pcap b.pcap" -q -r pcaps/smtp-plain.pcap pcaps/smtp-ipv6.pcap
grep -q "'pcaps/smtp-ipv6.pcap' is a file: to read several files, give -r before each one" \
  "$tmp/err" || { echo "FAIL -r a.pcap b.pcap: no hint"; fail=1; }
# A live capture without the permission: refused before anything is written
# (it printed a report and appended a stats record to --json). Needs root to
# run as nobody.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
  mkdir "$tmp/nobody"
  chmod 711 "$tmp"
  chmod 777 "$tmp/nobody"
  printf 'keep\n' >"$tmp/nobody/keep.json"
  chmod 666 "$tmp/nobody/keep.json"
  runuser -u nobody -- "$bin" -i lo --json "$tmp/nobody/keep.json" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 3 ] || ! grep -qx keep "$tmp/nobody/keep.json" || [ -s "$tmp/out" ] ||
    ! grep -q "permission denied" "$tmp/err"; then
    echo "FAIL live capture without permission: exit $rc, or output written"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   live capture without permission: exit 3, nothing written"
  fi
fi
# --json -: standard output is NDJSON only, the report goes to stderr.
expect 0 "--json - with the report" -r pcaps/smtp-plain.pcap --json -
if grep -qv '^{' "$tmp/out" || ! grep -q '"event":"stats"' "$tmp/out" || ! grep -q "^SERVER" "$tmp/err"; then
  echo "FAIL --json -: the report is not on stderr alone"
  fail=1
fi
# A FIFO as -r FILE: read once, by the run (a check that opened it first
# had made its writer fail and the run wait for ever).
if mkfifo "$tmp/fifo" 2>/dev/null; then
  cat pcaps/smtp-plain.pcap >"$tmp/fifo" &
  wp=$!
  timeout 30 "$bin" -q -r "$tmp/fifo" --json "$tmp/fifo.json" 2>"$tmp/err"
  rc=$?
  kill "$wp" 2>/dev/null
  wait "$wp" 2>/dev/null
  if [ "$rc" -ne 0 ] || ! grep -q '"event":"session"' "$tmp/fifo.json"; then
    echo "FAIL -r FIFO: exit $rc"
    fail=1
  else
    echo "ok   -r FIFO: exit 0"
  fi
fi
# -V names the libraries as tcpdump --version does; -D lists interfaces
# (lo always, as tcpdump -D numbers them)
expect 0 "-V" -V
if grep -q '^libpcap version ' "$tmp/out" && grep -q '^OpenSSL 3' "$tmp/out"; then
  echo "ok   -V names libpcap and OpenSSL"
else
  echo "FAIL -V: $(tr '\n' ' ' <"$tmp/out")"
  fail=1
fi
expect 0 "-D" -D
if grep -Eq '^[0-9]+\.lo( |$)' "$tmp/out"; then
  echo "ok   -D lists lo"
else
  echo "FAIL -D: no numbered lo in: $(tr '\n' ' ' <"$tmp/out")"
  fail=1
fi
exit $fail
