#!/bin/sh
# Prints the captures the script tests run on, one path per line, sorted:
#   captures.sh bundled   every capture under pcaps/ (pcap, pcapng)
#   captures.sh shared    every capture under ../shared/pcaps (none when absent)
#   captures.sh all       both
# One list, so that no test forgets a directory or an extension. Run from the
# source tree.
set -u
list() {
  [ -d "$1" ] || return 0
  find "$1" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | LC_ALL=C sort
}
case "${1:-all}" in
bundled) list pcaps ;;
shared) list ../shared/pcaps ;;
all)
  list pcaps
  list ../shared/pcaps
  ;;
*)
  echo "usage: captures.sh bundled|shared|all" >&2
  exit 2
  ;;
esac
