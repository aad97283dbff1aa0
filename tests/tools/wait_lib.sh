# \summary: the bounded waits the signal and output tests share
# (tests/scripts/output_wait.sh, signal_wait.sh, live_output_gone.sh): for a
# process to sleep in the kernel, to end, to be gone, for a line in a file.
# Every loop has a bound; only wait_end kills, and only the PID it is given.
# Kept in tests/tools (as live_lib.sh): every tests/scripts/*.sh is a test.
# Usage: . tests/tools/wait_lib.sh

# wait_alive PID: true while PID runs. An ended child is a zombie until the
# shell waits for it, which kill -0 still finds: its state says so.
wait_alive() {
  kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# wait_settle PID: waits (at most 5 s) until PID sleeps in the kernel
# (blocked in open, read, write or poll) for three looks in a row.
wait_settle() {
  wl_n=0
  wl_seen=0
  while [ $wl_n -lt 100 ] && [ $wl_seen -lt 3 ]; do
    wl_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ "$wl_st" = S ] && wl_seen=$((wl_seen + 1)) || wl_seen=0
    sleep 0.05
    wl_n=$((wl_n + 1))
  done
}

# wait_gone PID TENTHS: waits at most TENTHS tenths of a second while PID
# runs; true once it has ended (not waited for: the caller does that).
wait_gone() {
  wl_n=0
  while [ $wl_n -lt "$2" ] && wait_alive "$1"; do
    sleep 0.1
    wl_n=$((wl_n + 1))
  done
  ! wait_alive "$1"
}

# wait_end PID TENTHS: waits at most TENTHS tenths of a second for PID (a
# child of this shell) to end; rc is its exit status, or 124 when it still
# ran (then it is killed and waited for).
wait_end() {
  if wait_gone "$1" "$2"; then
    wait "$1"
    rc=$?
  else
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    rc=124
  fi
}

# wait_grep TENTHS PATTERN FILE: waits at most TENTHS tenths of a second for
# a line of FILE matching the grep(1) PATTERN; true once there is one.
wait_grep() {
  wl_n=0
  while [ $wl_n -lt "$1" ] && ! grep -q -- "$2" "$3" 2>/dev/null; do
    sleep 0.1
    wl_n=$((wl_n + 1))
  done
  grep -q -- "$2" "$3" 2>/dev/null
}
