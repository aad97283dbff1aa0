#!/bin/sh
# The terminal report on a standard output its parent left non-blocking
# (O_NONBLOCK belongs to the open pipe or terminal, shared with the parent
# and, on a terminal, with standard input): a write that finds the pipe full
# fails with EAGAIN, which is a wait for the reader, not an error. Before,
# stdio's stdout took EAGAIN for a write error: the report was cut at the
# pipe's 64 KiB, "standard output: write error (Resource temporarily
# unavailable)", exit 3. Now it goes through src/fdwait.c as --json - does.
# The reader here starts reading 1 s late, so that the pipe fills; the
# report (every capture of pcaps/diag, about 90 KiB) must be the one a
# blocking standard output gets, exit 0, nothing on stderr. Bounded: the
# helper kills smtptap after 30 s.
# Usage: stdout_nonblock.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/nb.py" <<'PY'
import fcntl, glob, os, subprocess, sys, time
binp, out, err = sys.argv[1:4]
args = [binp, "--no-system-ca", "--color", "never"]
for f in sorted(glob.glob("pcaps/diag/*.pcap")):
    args += ["-r", f]
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
with open(err, "wb") as ef:
    p = subprocess.Popen(args, stdout=w, stderr=ef)
os.close(w)
time.sleep(1)
got = b""
deadline = time.time() + 30
while time.time() < deadline:
    b = os.read(r, 65536)
    if not b:
        break
    got += b
open(out, "wb").write(got)
try:
    rc = p.wait(timeout=max(1, deadline - time.time()))
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    rc = 124
print(rc)
PY
set -- "$bin" --no-system-ca --color never
for f in pcaps/diag/*.pcap; do
  set -- "$@" -r "$f"
done
"$@" >"$tmp/want" 2>/dev/null
rc=$(python3 "$tmp/nb.py" "$bin" "$tmp/got" "$tmp/err")
want=$(wc -c <"$tmp/want")
got=$(wc -c <"$tmp/got")
if [ "$want" -le 65536 ]; then
  echo "FAIL: the report ($want bytes) does not fill a pipe: nothing tested"
  exit 1
fi
if [ "$rc" = 0 ] && cmp -s "$tmp/want" "$tmp/got" && [ ! -s "$tmp/err" ]; then
  echo "ok   terminal report on a non-blocking standard output: exit 0, all $got bytes"
  exit 0
fi
echo "FAIL terminal report on a non-blocking standard output: exit $rc, $got of $want bytes"
sed 's/^/  err: /' "$tmp/err" | head -3
exit 1
