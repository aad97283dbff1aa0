# \summary: what the live-capture tests (tests/scripts/live_*.sh) share,
# sourced from the source directory: the checks that skip where the test
# cannot run, a temporary directory ($tmp), two network namespaces ($cap,
# where smtptap listens on vc$$, and $tx, where vt$$ sends) joined by a veth
# pair, and the cleanup that ends smtptap ($pid) and removes them on exit,
# also when a signal (ctest stopped, ^C) ends the test: sh runs no EXIT trap
# when a signal ends it, which left smtptap and both namespaces.
# Usage: bin=$1; . tests/tools/live_lib.sh; live_setup PREFIX

live_setup() {
  inject=${PCAPINJECT:-}
  [ -n "$inject" ] && [ -x "$inject" ] || { echo "SKIP: PCAPINJECT not set (run through ctest)"; exit 77; }
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
  command -v ip >/dev/null 2>&1 || { echo "SKIP: ip(8) not installed"; exit 77; }
  command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
  tmp=$(mktemp -d)
  cap=$1-cap-$$
  tx=$1-tx-$$
  pid=""
  trap live_cleanup EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! ip netns add "$cap" 2>"$tmp/ns.err"; then
    echo "SKIP: cannot create a network namespace: $(cat "$tmp/ns.err")"
    exit 77
  fi
  ip netns add "$tx" || { echo "FAIL: cannot create a second namespace"; exit 1; }
  veth_up
}

# The veth pair vt$$ ($tx) - vc$$ ($cap), both up.
veth_up() {
  ip link add "vt$$" netns "$tx" type veth peer name "vc$$" netns "$cap" &&
    ip -n "$tx" link set "vt$$" up && ip -n "$cap" link set "vc$$" up ||
    { echo "FAIL: cannot set up the veth pair"; exit 1; }
}

# Waits (at most 30 s, while smtptap $pid runs) for the "listening on" line
# libpcap's capture start puts in FILE, smtptap's stderr.
live_wait_listening() {
  i=0
  while [ $i -lt 300 ] && ! grep -q "listening on" "$1"; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
  done
}

live_cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  ip netns del "$cap" 2>/dev/null
  ip netns del "$tx" 2>/dev/null
  rm -rf "$tmp"
}
