#!/bin/sh
# -r - whose standard input the parent left non-blocking (O_NONBLOCK belongs
# to the open pipe, shared with the parent: a shell's or a supervisor's
# choice smtptap inherits): a read that finds the pipe empty fails with
# EAGAIN, which is not an error but a wait for the writer's next bytes.
# smtptap's own reader polls before each read; --libpcap-reader's fread(3)
# read on and took EAGAIN for a damaged file (11 of 47 packets, the rest
# lost, the writer's next write EPIPE); now each refill of stdio's buffer
# waits in poll(2) first (src/fdwait.c fdwait_fdopen_read). The writer sends
# the capture in five pieces 0.2 s apart, so that the reader finds the pipe
# empty between them. Both readers must read every packet, exit 0, say
# nothing. Bounded: the helper kills smtptap after 30 s.
# Usage: stdin_nonblock.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pcap=pcaps/diag/client-alert-46.pcap
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"
# shellcheck disable=SC2086
want=$("$bin" -q $ca -r "$pcap" --json - 2>/dev/null | jq -r 'select(.event=="stats") | .packets')
cat >"$tmp/nb.py" <<'PY'
import fcntl, os, subprocess, sys, time
binp, pcap, out, err = sys.argv[1:5]
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK)
with open(err, "wb") as ef:
    p = subprocess.Popen([binp, "-q", "-r", "-", "--json", out] + sys.argv[5:], stdin=r, stderr=ef)
os.close(r)
data = open(pcap, "rb").read()
step = (len(data) + 4) // 5
try:
    for k in range(0, len(data), step):
        os.write(w, data[k:k + step])
        time.sleep(0.2)
except BrokenPipeError:
    pass  # smtptap stopped reading: its exit and stats say how
os.close(w)
try:
    rc = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    rc = 124
print(rc)
PY
for rd in "" --libpcap-reader; do
  rm -f "$tmp/j.json"
  # shellcheck disable=SC2086
  rc=$(python3 "$tmp/nb.py" "$bin" "$pcap" "$tmp/j.json" "$tmp/err" $ca $rd)
  got=$(jq -r 'select(.event=="stats") | .packets' "$tmp/j.json" 2>/dev/null)
  if [ "$rc" = 0 ] && [ "$got" = "$want" ] && [ ! -s "$tmp/err" ]; then
    echo "ok   -r - non-blocking, read in pieces${rd:+ ($rd)}: exit 0, $got packets"
  else
    echo "FAIL -r - non-blocking, read in pieces${rd:+ ($rd)}: exit $rc, ${got:-no} packets of $want"
    sed 's/^/  err: /' "$tmp/err" | head -3
    fail=1
  fi
done
exit $fail
