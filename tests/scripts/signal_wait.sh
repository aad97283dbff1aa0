#!/bin/sh
# SIGINT and SIGTERM end smtptap within 2 s while it waits for input that
# does not come, with the outcome of a stopped run (smtptap(1) SIGNALS,
# docs/options.md "Stopping"): the report and --json stats record of what
# was read, exit 0. Before, the handler (SA_RESTART, for slow --json
# readers) only set a flag: open(2) of a FIFO no writer opens and read(2)
# of a pipe whose writer sends nothing were restarted, and `timeout` had to
# kill smtptap. Cases:
#   - -r FIFO, no writer ever (SIGTERM, SIGINT; --libpcap-reader too);
#   - -r FIFO whose writer sent a whole capture and keeps it open: its
#     packets are in the report;
#   - -r FIFO whose writer sent only the pcap file header, or stopped in the
#     middle of a record; each also with --libpcap-reader (a wait inside
#     libpcap's fread, which only a second signal ended before);
#   - -r - from a pipe whose writer sends nothing;
#   - a second signal while the first one's report cannot be written
#     (--json onto a FIFO no reader opens) ends it by the signal (143);
#     with no second signal, that wait is given up 1 s on (exit 3,
#     FDWAIT_STOP_OPEN_MS; a reader that opened and stalls: 60 s);
#   - -r FIFO of a form only libpcap reads (pcap magic a1b2cd34): refused at
#     once (exit 3), as -r - is; before, capfile.c's look at its first bytes
#     closed the FIFO and libpcap's reopening waited for a writer for good.
# Every wait is bounded: a regression fails here, it does not hang CI.
# Usage: signal_wait.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
pid=""
writer=""
cleanup() {
  for p in $pid $writer; do
    kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
. tests/tools/wait_lib.sh
fail=0
pcap=pcaps/diag/client-alert-46.pcap
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"
want_pk=$("$bin" -q $ca -r "$pcap" --json - 2>/dev/null | jq -r 'select(.event=="stats") | .packets')
# half: the first HALF_PK records whole and 10 bytes of the next one (pcap:
# a 24-byte file header, 16-byte record headers, incl_len at offset 8)
half_pk=20
half_bytes=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); o = 24
for _ in range(int(sys.argv[2])):
    o += 16 + struct.unpack("<I", d[o + 8:o + 12])[0]
print(o + 10)' "$pcap" "$half_pk")

# ends PID within 2 s of SIG? sets rc (124: still running, then killed)
stop_within() {
  kill "-$1" "$pid"
  wait_end "$pid" 20
  pid=""
}

# check WHAT RC PACKETS UNREAD: exit 0, the report's count line, the stats record
check() {
  what=$1
  if [ "$2" -eq 124 ]; then
    echo "FAIL $what: still running 2 s after the signal"
    fail=1
    return
  fi
  if [ "$2" -ne 0 ]; then
    echo "FAIL $what: exit $2, want 0 (a stopped run): $(head -3 "$tmp/err")"
    fail=1
    return
  fi
  if ! grep -q "^$3 packets, " "$tmp/out"; then
    echo "FAIL $what: no '$3 packets' count line in the report"
    sed 's/^/  out: /' "$tmp/out" | tail -3
    fail=1
    return
  fi
  got=$(jq -r 'select(.event=="stats") | "\(.packets) \(.files_unread // 0)"' "$tmp/j.ndjson" 2>/dev/null)
  if [ "$got" != "$3 $4" ]; then
    echo "FAIL $what: stats record packets/files_unread '$got', want '$3 $4'"
    fail=1
    return
  fi
  if grep -q Sanitizer "$tmp/err"; then
    echo "FAIL $what: sanitizer report"
    fail=1
    return
  fi
  echo "ok   $what: exit 0, $3 packets"
}

# a FIFO no writer opens
for sig in TERM INT; do
  for rd in "" --libpcap-reader; do
    rm -f "$tmp/f" && mkfifo "$tmp/f"
    # shellcheck disable=SC2086
    "$bin" $ca $rd -r "$tmp/f" --json "$tmp/j.ndjson" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    wait_settle "$pid"
    stop_within "$sig"
    check "SIG$sig, -r FIFO with no writer${rd:+ ($rd)}" "$rc" 0 1
  done
done

# a FIFO whose writer sent a capture (or only its header, or half of it)
# and keeps it open; --libpcap-reader: a wait inside libpcap's fread(3),
# which each refill of stdio's buffer waits in poll(2) before (fdwait.h)
for part in whole header half; do
 for rd in "" --libpcap-reader; do
  rm -f "$tmp/f" && mkfifo "$tmp/f"
  if [ $part = whole ]; then
    cp "$pcap" "$tmp/send"
    npk=$want_pk
  elif [ $part = half ]; then # cut in the middle of a record: the records before it
    head -c "$half_bytes" "$pcap" >"$tmp/send"
    npk=$half_pk
  else
    head -c 24 "$pcap" >"$tmp/send"
    npk=0
  fi
  (
    cat "$tmp/send"
    exec sleep 30
  ) >"$tmp/f" &
  writer=$!
  # shellcheck disable=SC2086
  "$bin" $ca $rd -r "$tmp/f" --json "$tmp/j.ndjson" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  wait_settle "$pid"
  stop_within INT
  check "SIGINT, -r FIFO whose writer sent the $part capture, then nothing${rd:+ ($rd)}" "$rc" "$npk" 0
  kill -KILL "$writer" 2>/dev/null && wait "$writer" 2>/dev/null
  writer=""
 done
done

# -r -: standard input a pipe whose writer sends nothing
rm -f "$tmp/f" && mkfifo "$tmp/f"
exec sleep 30 >"$tmp/f" &
writer=$!
# shellcheck disable=SC2086
"$bin" $ca -r - --json "$tmp/j.ndjson" <"$tmp/f" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_settle "$pid"
stop_within TERM
check "SIGTERM, -r - from a pipe whose writer sends nothing" "$rc" 0 1
kill -KILL "$writer" 2>/dev/null && wait "$writer" 2>/dev/null
writer=""

# a second signal: the first one's report waits on --json, a FIFO no reader
# opens; the second ends smtptap at once, by the signal's default action
rm -f "$tmp/f" "$tmp/o" && mkfifo "$tmp/f" "$tmp/o"
# shellcheck disable=SC2086
"$bin" $ca -r "$tmp/f" --json "$tmp/o" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_settle "$pid"
kill -TERM "$pid"
sleep 0.3
stop_within TERM
if [ "$rc" -eq 143 ]; then
  echo "ok   a second SIGTERM while the report waits for --json's reader: exit 143 (by the signal)"
else
  echo "FAIL a second SIGTERM while the report waits: exit $rc, want 143 (killed by SIGTERM)"
  fail=1
fi
# one signal only, the same waits: a stop already pending when the report's
# wait for --json's reader begins (the signal came while smtptap read) ends
# it once no reader has come for FDWAIT_STOP_OPEN_MS (1 s): given up as at a
# signal during the wait, exit 3, said on stderr, the report printed.
# Before, it waited for a second signal.
rm -f "$tmp/f" "$tmp/o" && mkfifo "$tmp/f" "$tmp/o"
# shellcheck disable=SC2086
"$bin" $ca -r "$tmp/f" --json "$tmp/o" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_settle "$pid"
kill -INT "$pid"
wait_end "$pid" 50 # 124: still waiting 5 s later
pid=""
if [ "$rc" -eq 3 ] &&
  grep -qF -- "--json $tmp/o: SIGINT/SIGTERM while waiting for a reader: not written in full" "$tmp/err" &&
  grep -q '^0 packets, ' "$tmp/out"; then
  echo "ok   one SIGINT, then the report waits for --json's reader: given up, exit 3, the report printed"
else
  echo "FAIL one SIGINT, then the report waits for --json's reader: exit $rc, want 3 (124: waited for a second signal): $(head -2 "$tmp/err")"
  fail=1
fi
# a FIFO whose capture capfile.c leaves to libpcap: its first bytes were
# taken, it cannot be read again: refused as -r - is, not waited on again
rm -f "$tmp/f" && mkfifo "$tmp/f"
python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); sys.stdout.buffer.write(struct.pack("<I",0xa1b2cd34)+d[4:])' \
  pcaps/tunnel/vxlan-starttls.pcap >"$tmp/kuz.pcap"
cat "$tmp/kuz.pcap" >"$tmp/f" &
writer=$!
# shellcheck disable=SC2086
"$bin" $ca -r "$tmp/f" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_end "$pid" 30 # 124: still waiting 3 s later
pid=""
if [ "$rc" -eq 3 ] && grep -q 'unknown file format.*write it to a file' "$tmp/err"; then
  echo "ok   -r FIFO of a form only libpcap reads: refused at once, exit 3"
else
  echo "FAIL -r FIFO of a form only libpcap reads: exit $rc, want 3 at once: $(head -2 "$tmp/err")"
  fail=1
fi
kill -KILL "$writer" 2>/dev/null && wait "$writer" 2>/dev/null
writer=""
exit $fail
