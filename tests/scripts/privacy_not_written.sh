#!/bin/sh
# No credential and no message content is written by any output of smtptap:
# pcaps/diag/privacy-auth-587.pcap (gen/privacy-auth-587.sh: a real Postfix
# with Cyrus SASL, swaks and gen/privacy-client.py) holds in plaintext AUTH
# PLAIN, AUTH LOGIN's two lines after the 334s, CRAM-MD5's response, AUTH
# LOGIN cancelled with "*", AUTH PLAIN "=", AUTH XOAUTH2 with a bearer token,
# XCLIENT LOGIN=, AUTH PLAIN pipelined before MAIL, RCPT and two BDAT chunks
# (RFC 2920, RFC 3030), and messages (DATA, BDAT) whose Subject, From display
# name and body lines are markers, some body lines being commands (QUIT,
# STARTTLS, AUTH PLAIN). Checked, for the markers, every base64 token the
# client or server sent in the SASL exchanges (whole, first and last 12
# characters: 9 bytes each), and the password's own base64:
#   --json FILE, the terminal report and stderr (also with --color always);
#   --json - (the report then on stderr);
#   the -w evidence file's bytes (docs/evidence.md: AUTH, the envelope and
#   message text cut after the TCP header), and smtptap's report on it;
#   --certs DIR (nothing in it: no TLS);
# and that the body's and chunks' lines were read as content, never as
# commands: each session's dialog holds only the commands the client sent.
# Usage: privacy_not_written.sh SMTPTAP
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcap=pcaps/diag/privacy-auth-587.pcap
pass=Priv24-secret-pw
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }

# What must not be written: the markers, then the base64 tokens of the
# capture's lines (AUTH's initial responses, SASL lines, 334 challenges).
{
  printf '%s\n' "$pass" "$(printf '%s' "$pass" | base64)" ya29.Priv24BearerToken \
    "Priv24 Subject Marker" "Priv24 Display Name" Priv24-body-line priv24xclientlogin
  # every 12-character piece (9 bytes once decoded) of each base64 token of
  # a line "AUTH MECH TOKEN", "334 TOKEN" or TOKEN alone (strings may put
  # up to 2 bytes of the TCP header before a segment's first line)
  strings -n 12 "$pcap" | grep -oE '(AUTH [A-Z0-9-]+ |334 |^[^ ]{0,2})[A-Za-z0-9+/]{12,}={0,2}$' |
    sed 's/.* //' | sort -u | while read -r t; do
      i=1
      while [ $i -le $((${#t} - 11)) ]; do
        echo "$t" | cut -c$i-$((i + 11))
        i=$((i + 1))
      done
    done
} | sort -u >"$tmp/secrets"
# The capture does hold them (else this test proves nothing): the markers,
# the XOAUTH2 response, 3 AUTH PLAIN, the LOGIN lines, CRAM-MD5's.
n=$(wc -l <"$tmp/secrets")
for s in "$pass" ya29.Priv24BearerToken "Priv24 Subject Marker" "Priv24 Display Name" \
  Priv24-body-line priv24xclientlogin "$(printf '%s' "$pass" | base64)"; do
  if [ "$s" != "$pass" ] && [ "$s" != ya29.Priv24BearerToken ] && ! grep -aqF -- "$s" "$pcap"; then
    echo "FAIL $pcap does not hold '$s'"
    exit 1
  fi
done
if [ "$n" -lt 150 ]; then
  echo "FAIL only $n strings to look for: the capture's base64 tokens were not found"
  exit 1
fi

opts="--no-system-ca --seed 1"
mkdir "$tmp/certs"
# shellcheck disable=SC2086
"$bin" $opts -r "$pcap" --json "$tmp/out.ndjson" -w "$tmp/ev.pcap" --certs "$tmp/certs" \
  >"$tmp/report.txt" 2>"$tmp/stderr.txt"
# shellcheck disable=SC2086
"$bin" $opts --color always -r "$pcap" --json - >"$tmp/stdout.ndjson" 2>"$tmp/stderr2.txt"
# shellcheck disable=SC2086
"$bin" $opts -r "$tmp/ev.pcap" --json "$tmp/ev.ndjson" >"$tmp/ev-report.txt" 2>"$tmp/ev-stderr.txt"

if [ "$(jq -c 'select(.event == "session") | [.smtp.auth_before_tls, .smtp.auth_mechanism]' \
  "$tmp/out.ndjson" | tr '\n' ' ')" != \
  '[true,"PLAIN"] [true,"LOGIN"] [true,"CRAM-MD5"] [true,"LOGIN"] [true,"PLAIN"] ' ]; then
  echo "FAIL the five sessions' AUTH before TLS (PLAIN, LOGIN, CRAM-MD5, LOGIN, PLAIN) not seen"
  fail=1
fi
# Content is no command: the dialogs are the client's commands, nothing from a body or a chunk.
want='EHLO AUTH MAIL RCPT DATA EOM QUIT
EHLO AUTH MAIL RCPT DATA EOM QUIT
EHLO AUTH MAIL RCPT DATA EOM QUIT
EHLO AUTH AUTH AUTH AUTH XCLIENT QUIT
EHLO AUTH MAIL RCPT BDAT BDAT QUIT'
got=$(jq -r 'select(.event == "session") | [.smtp.dialog[].command] | join(" ")' "$tmp/out.ndjson")
if [ "$got" != "$want" ]; then
  echo "FAIL the dialogs are not the commands sent:"
  echo "$got" | sed 's/^/  /'
  fail=1
fi
# Nothing found in a body, a chunk or a cancelled AUTH ("*" answered 501
# 5.7.0: no refusal for want of TLS): the findings of plaintext AUTH and mail.
got=$(jq -r 'select(.event == "finding") | .kind' "$tmp/out.ndjson" | tr '\n' ' ')
if [ "$got" != "starttls_not_used auth_before_tls plaintext_delivery " ]; then
  echo "FAIL findings: $got (starttls_not_used auth_before_tls plaintext_delivery expected)"
  fail=1
fi
if ! grep -q '^evidence: 113 frames .*, 58 with the payload cut' "$tmp/report.txt"; then
  echo "FAIL the evidence file was not written as expected:"
  grep '^evidence' "$tmp/report.txt" | sed 's/^/  /'
  fail=1
fi
[ -z "$(ls -A "$tmp/certs" 2>/dev/null)" ] || { echo "FAIL --certs wrote files (no TLS here)"; fail=1; }

for f in out.ndjson report.txt stderr.txt stdout.ndjson stderr2.txt ev.pcap ev.ndjson \
  ev-report.txt ev-stderr.txt; do
  if grep -aoF -f "$tmp/secrets" "$tmp/$f" >"$tmp/hits"; then
    sort -u "$tmp/hits" | head -5 | sed "s/^/FAIL written to $f: /"
    fail=1
  fi
done
[ $fail = 0 ] && echo "ok: none of $n credential and content strings of $pcap is written"
exit $fail
