#!/bin/sh
# Standard output (and error) a terminal that takes nothing: paused with
# XOFF (Ctrl-S), or whose reader (the terminal emulator) reads nothing. The
# first SIGTERM ends smtptap within 2 s with exit 3 (an output not written
# in full, README "Exit status"), as for a pipe (output_wait.sh). Before,
# stdout and stderr were the terminal's blocking descriptors, shared with
# the shell: a write(2) that had begun blocked in the kernel (SA_RESTART
# restarts it), and the wait after a short write counted only signals from
# its own start; a message on stderr to the paused terminal blocked the
# same way: only a second signal ended smtptap (by the signal, no exit 3).
# Now each is opened anew, non-blocking, as smtptap's own description
# (src/fdwait.h fdwait_own) and waits in poll(2). Cases, on a pty (python3):
#   - the terminal report on a paused terminal, stderr a file: "standard
#     output: write error (SIGINT/SIGTERM while waiting ...)", exit 3;
#   - stdout and stderr both on the paused terminal: exit 3 (the report and
#     the message are lost: nothing can be written there);
#   - stderr alone on the paused terminal, the report to a file: the
#     warning of a damaged first capture lost, exit 3 all the same (before:
#     exit 0, the lost message not counted as an output not written);
#   - --json - (about 200 KB) onto a terminal whose reader reads nothing
#     (the pty's buffer fills in the middle of a write), stderr a file:
#     "--json -: write error (SIGINT/SIGTERM ...)", exit 3.
# Every wait is bounded (the helper kills smtptap 3 s after the signal).
# Usage: terminal_pause.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"
ins="-r pcaps/diag/pool-mixed.pcap -r pcaps/diag/nat-peer-dependent.pcap -r pcaps/diag/mutual-tls-rejected.pcap -r pcaps/diag/name-pool.pcap -r pcaps/diag/three-tier.pcap"
cat >"$tmp/pty.py" <<'PY'
import os, select, signal, subprocess, sys, time
how, errpath = sys.argv[1:3]
cmd = sys.argv[3:]
m, s = os.openpty()  # the slave's termios: IXON on (ptys' default)
if how != "full":
    os.write(m, b"\x13")  # XOFF, typed at the terminal: its output stops
    p = select.poll()
    p.register(s, select.POLLOUT)
    for _ in range(50):  # the line discipline takes it in a work queue
        if not p.poll(0):
            break
        time.sleep(0.05)
    if p.poll(0):
        print("not-paused")
        sys.exit(0)
err = s if how in ("both", "erronly") else open(errpath, "wb")
out = open(errpath, "wb") if how == "erronly" else s
proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
os.close(s)
# blocked: in write(2) or poll(2) (/proc/PID/syscall; else: sleeping),
# three looks in a row, at most 20 s (a sanitized run reads its captures)
calls = {"x86_64": ("1", "7", "271"), "aarch64": ("64", "73")}.get(os.uname().machine, ())
seen = 0
for _ in range(400):
    if proc.poll() is not None:
        break
    try:
        sc = open("/proc/%d/syscall" % proc.pid).read().split()[0]
        blocked = sc in calls
    except (OSError, IndexError):
        st = open("/proc/%d/stat" % proc.pid).read().rsplit(")", 1)[1].split()[0]
        blocked = st == "S"
    seen = seen + 1 if blocked else 0
    if seen >= 3:
        break
    time.sleep(0.05)
if proc.poll() is not None:
    print("ended-early-%d" % proc.returncode)
    sys.exit(0)
proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(timeout=3)
except subprocess.TimeoutExpired:
    proc.kill()
    proc.wait()
    rc = 124
os.close(m)
print(rc)
PY
gave_up="SIGINT/SIGTERM while waiting for a reader: not written in full"

# run WHAT HOW WANT_MESSAGE ARGS...: exit 3 within 3 s of SIGTERM, the message on stderr
run() {
  what=$1
  how=$2
  msg=$3
  shift 3
  rm -f "$tmp/err"
  : >"$tmp/err"
  rc=$(python3 "$tmp/pty.py" "$how" "$tmp/err" "$bin" "$@")
  bad=""
  case $rc in
  3) ;;
  124) bad="still running 3 s after SIGTERM (killed)" ;;
  not-paused) bad="the pty did not stop its output at XOFF: nothing tested" ;;
  *) bad="exit $rc, want 3" ;;
  esac
  [ -z "$bad" ] && [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err" && bad="no '$msg' on stderr"
  [ -z "$bad" ] && grep -q Sanitizer "$tmp/err" && bad="sanitizer report"
  if [ -n "$bad" ]; then
    echo "FAIL $what: $bad"
    sed 's/^/  err: /' "$tmp/err" | head -5
    fail=1
  else
    echo "ok   $what: exit 3 at the first SIGTERM${msg:+, said}"
  fi
}

# shellcheck disable=SC2086
run "the report on a terminal paused with XOFF" paused \
  "smtptap: standard output: write error ($gave_up)" $ca $ins
# shellcheck disable=SC2086
run "the report and stderr on a terminal paused with XOFF" both "" $ca $ins
head -c 3000 pcaps/diag/three-tier.pcap >"$tmp/cut.pcap" # a damaged capture: a warning
# shellcheck disable=SC2086
run "stderr alone on a terminal paused with XOFF (a warning lost)" erronly "" \
  $ca -r "$tmp/cut.pcap" $ins
# shellcheck disable=SC2086
run "--json - onto a terminal whose reader reads nothing" full \
  "smtptap: --json -: write error ($gave_up)" -q $ca $ins --json -
exit $fail
