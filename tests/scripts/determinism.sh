#!/bin/sh
# Output is deterministic (README): the same captures and options give the
# same bytes whatever the flow-hash seed, including when the flow table is
# so small that flows are evicted (ordering then depends on the LRU, never
# on the hash). Usage: determinism.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# The three captures shifted onto one start time and merged, so their
# sessions overlap and a 2-flow table must evict.
command -v mergecap >/dev/null 2>&1 && command -v editcap >/dev/null 2>&1 && command -v capinfos >/dev/null 2>&1 ||
  { echo "mergecap/editcap/capinfos missing (sh scripts/deps.sh test installs tshark)"; exit 1; }
i=0
for f in pcaps/diag/pool-mixed.pcap pcaps/diag/nat-peer-dependent.pcap pcaps/diag/name-pool.pcap; do
  start=$(capinfos -a -S -T -r "$f" | cut -f2 | cut -d. -f1)
  editcap -F pcap -t "$((1795500000 - start))" "$f" "$tmp/s$i.pcap" >/dev/null
  i=$((i + 1))
done
mergecap -F pcap -w "$tmp/merged.pcap" "$tmp"/s*.pcap
caps="-r $tmp/merged.pcap"
for opts in "" "--cap flow.max=2"; do
  for seed in 1 7 4242; do
    # shellcheck disable=SC2086
    TZ=UTC "$bin" -q --seed $seed $opts $caps --no-system-ca --ca-file pcaps/diag/certs/root.pem \
      --json "$tmp/$seed.json" 2>/dev/null
  done
  # shellcheck disable=SC2086
  TZ=UTC "$bin" -q $opts $caps --no-system-ca --ca-file pcaps/diag/certs/root.pem \
    --json "$tmp/random.json" 2>/dev/null
  for other in 7 4242 random; do
    if ! cmp -s "$tmp/1.json" "$tmp/$other.json"; then
      echo "FAIL options '$opts': seed 1 and seed $other differ"
      diff "$tmp/1.json" "$tmp/$other.json" | head -5
      fail=1
    fi
  done
  [ -s "$tmp/1.json" ] || { echo "FAIL options '$opts': no output"; fail=1; }
done
grep -q '"ended":"evicted"' "$tmp/1.json" || { echo "FAIL: --cap flow.max=2 evicted nothing"; fail=1; }
[ $fail = 0 ] && echo "ok: identical output for every seed"
exit $fail
