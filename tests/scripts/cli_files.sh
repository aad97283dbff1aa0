#!/bin/sh
# What the command line told wrong or not at all (a user-level review):
# an output over an input or over the other output, a -r file given twice,
# an --expect address never seen or NAME no host name, --tlsrpt to standard
# output and without a policy, --fail-on in upper case, a filter that
# matched nothing, and the exit-status words of --help, README and the man
# page. Usage: cli_files.sh SMTPTAP
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # run from other directories too
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run CODE DESCRIPTION ARGS...: runs smtptap, checks the exit code and that
# no sanitizer spoke; stdout in $tmp/out, stderr in $tmp/err.
run() {
  want=$1
  what=$2
  shift 2
  # bounded: a FIFO read that was not refused would wait for a writer;
  # standard input from $stdin when set (set it, run, and empty it again)
  timeout -k 2 20 "$bin" --no-progress --color never "$@" <"${stdin:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne "$want" ] || grep -q "Sanitizer" "$tmp/err"; then
    echo "FAIL $what: exit $rc, want $want"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   $what: exit $rc"
  fi
}
# said WHAT PATTERN [FILE]: FILE (stderr) holds PATTERN
said() {
  if grep -q -- "$2" "${3:-$tmp/err}"; then
    echo "ok   $1: said"
  else
    echo "FAIL $1: no '$2' in:"
    sed 's/^/  /' "${3:-$tmp/err}" | head -5
    fail=1
  fi
}
# intact WHAT FILE ORIGINAL: FILE still holds ORIGINAL's bytes
intact() {
  if cmp -s "$2" "$3"; then
    echo "ok   $1: left alone"
  else
    echo "FAIL $1: $2 was changed"
    fail=1
  fi
}

# 1. --json onto an input capture: refused (exit 3) before anything is opened,
# however the file is spelled (it wrote JSON over the capture, exit 0)
cp pcaps/smtp-plain.pcap "$tmp/p.pcap"
ln -s "$tmp/p.pcap" "$tmp/link.pcap"
run 3 "--json over the -r file" -r "$tmp/p.pcap" --json "$tmp/p.pcap"
said "--json over the -r file" "is also the --json file"
intact "--json over the -r file" "$tmp/p.pcap" pcaps/smtp-plain.pcap
(cd "$tmp" && "$bin" -q -r p.pcap --json ./p.pcap 2>err.txt)
rc=$?
[ $rc -eq 3 ] || { echo "FAIL --json ./p.pcap over -r p.pcap: exit $rc"; fail=1; }
intact "--json ./p.pcap over -r p.pcap" "$tmp/p.pcap" pcaps/smtp-plain.pcap
run 3 "--json over a symbolic link's target" -r "$tmp/link.pcap" --json "$tmp/p.pcap"
intact "--json over a symbolic link's target" "$tmp/p.pcap" pcaps/smtp-plain.pcap
run 3 "--json through a symbolic link" -r "$tmp/p.pcap" --json "$tmp/link.pcap"
intact "--json through a symbolic link" "$tmp/p.pcap" pcaps/smtp-plain.pcap
# the inputs that are not captures, read before --json is written: the same
printf 'CLIENT_HANDSHAKE_TRAFFIC_SECRET %064d %064d\n' 1 2 >"$tmp/k.log"
cp "$tmp/k.log" "$tmp/k.orig"
run 3 "--json over the --keylog file" -r pcaps/smtp-plain.pcap --keylog "$tmp/k.log" \
  --json "$tmp/k.log"
said "--json over the --keylog file" "^smtptap: --keylog .*k.log: is also the --json file"
intact "--json over the --keylog file" "$tmp/k.log" "$tmp/k.orig"
cp pcaps/diag/certs/root.pem "$tmp/ca.pem"
run 3 "-w over the --ca-file file" -r pcaps/smtp-plain.pcap --ca-file "$tmp/ca.pem" -w "$tmp/ca.pem"
intact "-w over the --ca-file file" "$tmp/ca.pem" pcaps/diag/certs/root.pem
cp tests/data/tlsa/dane-ta.tlsa "$tmp/t.tlsa"
run 3 "--json over the --tlsa file" -r pcaps/smtp-plain.pcap --tlsa "$tmp/t.tlsa" --json "$tmp/t.tlsa"
intact "--json over the --tlsa file" "$tmp/t.tlsa" tests/data/tlsa/dane-ta.tlsa
# standard output, by name or as -, and /dev/null are no files to clash
run 0 "--json /dev/stdout" -q -r pcaps/smtp-plain.pcap --json /dev/stdout
grep -q '"event":"stats"' "$tmp/out" || { echo "FAIL --json /dev/stdout: no records"; fail=1; }
run 0 "--json - and -w /dev/null" -q -r pcaps/smtp-plain.pcap --json - -w /dev/null
run 0 "--json /dev/null and -w /dev/null" -q -r pcaps/smtp-plain.pcap --json /dev/null -w /dev/null

# 2. --json and -w the same file: refused (each overwrote the other, exit 0),
# whether it exists yet or not, however spelled
run 3 "--json and -w the same new file" -r pcaps/smtp-plain.pcap --json "$tmp/j" -w "$tmp/j"
said "--json and -w the same new file" "are the same file"
[ -e "$tmp/j" ] && { echo "FAIL --json and -w the same new file: it was created"; fail=1; }
mkdir "$tmp/d"
run 3 "--json and -w the same file, spelled two ways" -r pcaps/smtp-plain.pcap \
  --json "$tmp/d/j" -w "$tmp/d/../d/./j"
printf 'keep\n' >"$tmp/keep"
run 3 "--json and -w the same existing file" -r pcaps/smtp-plain.pcap --json "$tmp/keep" \
  -w "$tmp/keep"
grep -qx keep "$tmp/keep" || { echo "FAIL --json and -w the same existing file: rewritten"; fail=1; }
# --tlsrpt is an output too: written at the end, it replaced the capture it
# was made from (or the --json records) with the report, exit 0
run 3 "--tlsrpt over the -r file" -r "$tmp/p.pcap" --tlsrpt "$tmp/p.pcap"
said "--tlsrpt over the -r file" "^smtptap: -r .*p.pcap: is also the --tlsrpt file (the report would be written over it)"
intact "--tlsrpt over the -r file" "$tmp/p.pcap" pcaps/smtp-plain.pcap
run 3 "--tlsrpt over the --keylog file" -r pcaps/smtp-plain.pcap --keylog "$tmp/k.log" \
  --tlsrpt "$tmp/k.log"
intact "--tlsrpt over the --keylog file" "$tmp/k.log" "$tmp/k.orig"
run 3 "--json and --tlsrpt the same file" -r pcaps/smtp-plain.pcap --json "$tmp/keep" \
  --tlsrpt "$tmp/keep"
said "--json and --tlsrpt the same file" "^smtptap: --json .*keep and --tlsrpt .*keep are the same file"
grep -qx keep "$tmp/keep" || { echo "FAIL --json and --tlsrpt the same file: rewritten"; fail=1; }
run 3 "-w and --tlsrpt the same new file" -r pcaps/smtp-plain.pcap -w "$tmp/j" --tlsrpt "$tmp/j"
[ -e "$tmp/j" ] && { echo "FAIL -w and --tlsrpt the same new file: it was created"; fail=1; }
run 0 "--tlsrpt /dev/null" -q -r pcaps/smtp-plain.pcap --tlsrpt /dev/null

# 5. the same file given twice with -r: read once, said (every session was
# counted twice)
run 0 "-r a.pcap -r ./a.pcap -r a symbolic link to it" -q -r "$tmp/p.pcap" -r "$tmp/../$(basename "$tmp")/p.pcap" \
  -r "$tmp/link.pcap" --json -
said "-r the same file twice" "warning: -r .*p.pcap: the same file as -r $tmp/p.pcap: read once"
said "-r a symbolic link to an -r file" "warning: -r $tmp/link.pcap: the same file as -r $tmp/p.pcap"
grep -q '"files_read":1,.*"packets":50,' "$tmp/out" ||
  { echo "FAIL -r the same file twice: not read once: $(grep stats "$tmp/out" | cut -c1-160)"; fail=1; }
run 0 "-r two different files" -q -r pcaps/smtp-plain.pcap -r pcaps/smtp-ipv6.pcap --json -
! grep -q "the same file" "$tmp/err" || { echo "FAIL two different files: said to be the same"; fail=1; }

# 5b. what can be read once: "-r -" twice, a FIFO twice (by two names, or as
# standard input and by name), and --json onto a FIFO that is an input: refused
# (exit 3) before anything is read (the second read got nothing, or blocked;
# --json onto the FIFO had smtptap read back its own JSON)
stdin=pcaps/smtp-plain.pcap
run 3 "-r - -r -" -q -r - -r -
stdin=
said "-r - -r -" "^smtptap: -r - given twice: standard input can be read once"
mkfifo "$tmp/fifo"
ln -s "$tmp/fifo" "$tmp/fifo-link"
run 3 "-r FIFO -r FIFO" -q -r "$tmp/fifo" -r "$tmp/fifo-link"
said "-r FIFO -r FIFO" "^smtptap: -r $tmp/fifo-link: the same FIFO as -r $tmp/fifo: a FIFO can be read once"
run 3 "--json onto a FIFO that is an input" -q -r "$tmp/fifo" --json "$tmp/fifo"
said "--json onto a FIFO that is an input" \
  "^smtptap: -r $tmp/fifo: is also the --json file (a FIFO: smtptap would read back what it writes)"
run 3 "-w onto a FIFO that is an input" -q -r "$tmp/fifo" -w "$tmp/fifo-link"
said "-w onto a FIFO that is an input" "is also the -w file (a FIFO"
# standard input as a FIFO named again: a writer opens it, so that the shell's
# redirection (which waits for one) goes on; smtptap refuses before reading
(exec 3>"$tmp/fifo"; sleep 2) &
writer=$!
stdin="$tmp/fifo"
run 3 "-r - (a FIFO) -r the FIFO" -q -r - -r "$tmp/fifo"
stdin=
wait "$writer"
said "-r - (a FIFO) -r the FIFO" "^smtptap: -r $tmp/fifo: the same FIFO as -r -: a FIFO can be read once"
# standard input redirected from a file: --json onto that file refused, the
# file given again by name read once
cp pcaps/smtp-plain.pcap "$tmp/s.pcap"
stdin="$tmp/s.pcap"
run 3 "-r - < FILE --json FILE" -q -r - --json "$tmp/s.pcap"
stdin=
said "-r - < FILE --json FILE" "^smtptap: -r - (standard input): is also the --json file"
intact "-r - < FILE --json FILE" "$tmp/s.pcap" pcaps/smtp-plain.pcap
stdin="$tmp/s.pcap"
run 0 "-r - < FILE -r FILE" -q -r - -r "$tmp/s.pcap" --json -
stdin=
said "-r - < FILE -r FILE" "warning: -r $tmp/s.pcap: the same file as -r -: read once"
grep -q '"files_read":1,.*"packets":50,' "$tmp/out" ||
  { echo "FAIL -r - < FILE -r FILE: not read once"; fail=1; }
# a FIFO output that no input reads, and two outputs on one FIFO: not refused
(cat "$tmp/fifo" >/dev/null) &
reader=$!
run 0 "--json onto a FIFO no input reads" -q -r pcaps/smtp-plain.pcap --json "$tmp/fifo"
wait "$reader"
stdin=pcaps/smtp-plain.pcap
run 0 "-r - once" -q -r - --json -
stdin=
grep -q '"packets":50,' "$tmp/out" || { echo "FAIL -r - once: not read"; fail=1; }

# 3. --expect ADDRESS=NAME with an address no SMTP/TLS server had: said at the
# end, the exit code unchanged (it was ignored without a word)
run 0 "--expect an address never seen" -q -r pcaps/diag/nat-peer-dependent.pcap \
  --expect 192.0.2.99=mail.example.test
said "--expect an address never seen" \
  "warning: --expect 192.0.2.99=mail.example.test: no SMTP or TLS server at 192.0.2.99 was seen"
run 0 "--expect an IPv6 address never seen" -q -r pcaps/diag/nat-peer-dependent.pcap \
  --expect '[2001:db8::0:1]=mx.example.test'
said "--expect an IPv6 address never seen" "no SMTP or TLS server at 2001:db8::1 was seen"
run 0 "--expect the server's address" -q -r pcaps/diag/nat-peer-dependent.pcap \
  --expect 203.0.113.25=mail.example.test --expect any.example.test
! grep -q "was seen" "$tmp/err" || { echo "FAIL --expect the server's address: warned"; fail=1; }

# an --expect NAME that is no host name: a usage error (--expect -q took -q as
# the name and checked certificates against it)
run 2 "--expect followed by an option" -r pcaps/smtp-plain.pcap --expect -q
said "--expect followed by an option" "its NAME is missing before this option"
run 2 "--expect a name with a space" -r pcaps/smtp-plain.pcap --expect 'bad name!'
said "--expect a name with a space" "NAME a host name"
run 2 "--expect ADDRESS= an empty label" -r pcaps/smtp-plain.pcap --expect 192.0.2.1=mx..example
for bad in 'mail..example.test' '*.' 'a.-b.test' 'b-.test' "$(printf 'a%.0s' $(seq 1 254))"; do
  run 2 "--expect a bad host name" -r pcaps/smtp-plain.pcap --expect "$bad"
done
run 0 "--expect a wildcard and a final dot" -q -r pcaps/smtp-plain.pcap \
  --expect '192.0.2.1=*.example.test.' --expect mx_1.example.test

# --tlsrpt: standard output when nothing else uses it (-q, --json to a file);
# a capture without a policy says why (it wrote "policies":[] without a word)
run 2 "--tlsrpt - with the report" -r pcaps/diag/untrusted-root.pcap --tlsrpt -
said "--tlsrpt - with the report" "standard output carries the report; give --tlsrpt a file, or add -q"
run 2 "--tlsrpt - with --json -" -q -r pcaps/diag/untrusted-root.pcap --json - --tlsrpt -
said "--tlsrpt - with --json -" "standard output carries --json"
run 0 "--tlsrpt - with -q" -q -r pcaps/diag/untrusted-root.pcap --tlsrpt - --json "$tmp/j"
grep -q '"policies":\[\]' "$tmp/out" || { echo "FAIL --tlsrpt -: no report on stdout"; fail=1; }
said "--tlsrpt on submission only" \
  "no policy to report: 3 sessions on submission or implicit TLS ports, which TLS-RPT"
run 0 "--tlsrpt on port 25" -q -r pcaps/smtp-starttls-tls12-chain.pcap --tlsrpt "$tmp/r.json"
! grep -q "no policy to report" "$tmp/err" || { echo "FAIL --tlsrpt on 25: no policy said"; fail=1; }
# sessions on port 25 that tried no TLS (STARTTLS offered, not used): not
# "no SMTP session on port 25"
run 0 "--tlsrpt on 25 without TLS" -q -r pcaps/diag/auth-port25.pcap --tlsrpt "$tmp/r.json"
said "--tlsrpt on 25 without TLS" "no policy to report: none of the 2 sessions on MTA ports tried TLS"
! grep -q "no SMTP session on port 25" "$tmp/err" || { echo "FAIL --tlsrpt on 25 without TLS: no session said"; fail=1; }
run 0 "--tlsrpt with -q, no --json" -q -r pcaps/diag/untrusted-root.pcap --tlsrpt -

# 4. --fail-on in any case (high or HIGH; HIGH was a usage error)
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"
for sev in HIGH High critical CRITICAL; do
  # shellcheck disable=SC2086
  run 1 "--fail-on $sev" -q $ca -r pcaps/diag/expired-leaf.pcap --fail-on $sev
done
run 2 "--fail-on a word that is no severity" -q -r pcaps/smtp-plain.pcap --fail-on HIGHEST

# 6. a filter that matched nothing: said in the report's summary line
run 0 "a filter that matched none" -r pcaps/smtp-plain.pcap port 26
said "a filter that matched none" \
  "^0 packets, .*; the filter 'port 26' matched none of the 50 packets read$" "$tmp/out"
run 0 "a filter that matched none (libpcap)" --libpcap-reader -r pcaps/smtp-plain.pcap port 26
said "a filter that matched none (libpcap)" "^0 packets, .*; no packet matched the filter 'port 26'$" "$tmp/out"
run 0 "a filter that matched some" -r pcaps/smtp-plain.pcap port 25
! grep -q "matched" "$tmp/out" || { echo "FAIL a filter that matched some: said none"; fail=1; }
head -c 24 pcaps/smtp-plain.pcap >"$tmp/hdr.pcap"
run 0 "a filter over an empty capture" -r "$tmp/hdr.pcap" port 26
! grep -q "matched" "$tmp/out" || { echo "FAIL a filter over an empty capture: said it matched none"; fail=1; }
# the same in the JSON stats record (it was in the terminal report only)
run 0 "a filter that matched none (JSON)" -q -r pcaps/smtp-plain.pcap --json - port 26
said "a filter that matched none (JSON)" \
  '"event":"stats".*"filter_matched_none":{"filter":"port 26","packets_read":50}' "$tmp/out"
run 0 "a filter that matched none (JSON, libpcap)" -q --libpcap-reader -r pcaps/smtp-plain.pcap \
  --json - port 26
said "a filter that matched none (JSON, libpcap)" \
  '"filter_matched_none":{"filter":"port 26","packets_read":null}' "$tmp/out"
for what in "port 25" ""; do
  # shellcheck disable=SC2086
  run 0 "a filter that matched some, or none given (JSON): '$what'" -q -r pcaps/smtp-plain.pcap \
    --json - $what
  ! grep -q "filter_matched_none" "$tmp/out" ||
    { echo "FAIL '$what': filter_matched_none in the stats"; fail=1; }
done
run 0 "a filter over an empty capture (JSON)" -q -r "$tmp/hdr.pcap" --json - port 26
! grep -q "filter_matched_none" "$tmp/out" || { echo "FAIL empty capture: filter_matched_none"; fail=1; }

# 7. the exit-status words: 3 wins over 1 said plainly ("...; before 1)"), the
# same in --help, README and the man page
run 0 "--help" --help
! grep -q "before 1" "$tmp/out" || { echo "FAIL --help: still 'before 1'"; fail=1; }
said "--help exit status" "findings exits 3, not 1" "$tmp/out"
said "README exit status" "findings exits .3., not .1." README.md
said "man page exit status" "findings exits 3, not 1" docs/smtptap.1
# --help said "no packet in a -r file" writes nothing, but a file with a header
# and no packet is an empty capture (the report and exit 0, as above)
! grep -q "no packet in a -r file" "$tmp/out" ||
  { echo "FAIL --help: a header-only file said to write nothing"; fail=1; }
said "--help empty capture" "header and no packet is an empty capture" "$tmp/out"
exit $fail
