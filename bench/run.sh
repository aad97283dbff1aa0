#!/bin/sh
# \summary: the benchmark runner (issue 5). Generates captures from the real
# sessions in pcaps/ (bench/gen.c), then times, as whole processes, the bare
# libpcap read loop (bench/readloop.c), smtptap, ndpiReader and tshark on
# each, and prints user+sys CPU medians and ratios to the read loop. Ratios
# are what to compare: machines are shared and noisy.
#
# Usage: bench/run.sh [--smoke] [--callgrind] [--no-peers]
#   --smoke      tiny captures, one run, no peers (the harness test in make test)
#   --callgrind  also count instructions per packet of smtptap on a small slice,
#                and per added session on slices of 1 000, 2 000, 4 000 sessions
#   --no-peers   skip ndpiReader and tshark
# Environment: RUNS (default 3), SMTPTAP (binary, default build/smtptap),
#   MIX_N DENSE_N DISTINCT_N OPEN_K (sizes), TSHARK_MAX_MB (tshark is run on
#   captures up to this size, default 600), OUT (default bench/out).
set -eu
cd "$(dirname "$0")/.."
smoke=0 cg=0 peers=1
for a in "$@"; do
  case $a in
    --smoke) smoke=1 peers=0 ;;
    --callgrind) cg=1 ;;
    --no-peers) peers=0 ;;
    *) echo "usage: bench/run.sh [--smoke] [--callgrind] [--no-peers]" >&2; exit 2 ;;
  esac
done
out=${OUT:-bench/out}
mkdir -p "$out"
runs=${RUNS:-3}
if [ $smoke = 1 ]; then
  runs=1 MIX_N=${MIX_N:-20} DENSE_N=${DENSE_N:-200} DISTINCT_N=${DISTINCT_N:-200} OPEN_K=${OPEN_K:-300}
fi
# The sizes of issue 5's table: mix ~2 GB / 1.7 M packets; 69 k sessions;
# 1 M connections open at once.
MIX_N=${MIX_N:-5000} DENSE_N=${DENSE_N:-69000} DISTINCT_N=${DISTINCT_N:-69000} OPEN_K=${OPEN_K:-1000000}
tshark_max=${TSHARK_MAX_MB:-600}

smtptap=${SMTPTAP:-}
if [ -z "$smtptap" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=OFF >/dev/null
  cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  smtptap=build/smtptap
fi
cc=${CC:-cc}
pcap_libs=$(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
$cc -O2 -Wall -Wextra -o "$out/gen" bench/gen.c $pcap_libs
$cc -O2 -Wall -Wextra -o "$out/readloop" bench/readloop.c $pcap_libs
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

# shellcheck disable=SC2046
srcs=$(ls pcaps/*.pcap pcaps/diag/*.pcap)
gen() { # name mode args...
  name=$1
  shift
  if [ ! -s "$out/$name.pcap" ] || [ "${REGEN:-0}" = 1 ] || [ $smoke = 1 ]; then
    # shellcheck disable=SC2086
    "$out/gen" "$@" -o "$out/$name.pcap" $srcs 2>"$out/$name.gen"
  fi
}
# Captures are kept in $out between runs, named by kind and size.
gen "mix-$MIX_N" -m mix -n "$MIX_N" -k 2000 -p 1
gen "dense-$DENSE_N" -m dense -n "$DENSE_N" -k 1000 -d 1000
gen "distinct-$DISTINCT_N" -m distinct -n "$DISTINCT_N" -k 1000
gen "open-$OPEN_K" -m open -n "$OPEN_K" -k "$OPEN_K"

# once TAG CMD...: runs CMD once, appending "user+sys maxrss" to $out/$TAG.times.
once() {
  tag=$1
  shift
  if ! /usr/bin/time -f "%U %S %M" -o "$out/$tag.t" "$@" >/dev/null 2>"$out/$tag.err"; then
    echo "bench: $tag failed:" >&2
    tail -3 "$out/$tag.err" >&2
    return 1
  fi
  awk '{printf "%.3f %d\n", $1 + $2, $3}' "$out/$tag.t" | tail -n 1 >>"$out/$tag.times"
}
# median TAG: median CPU seconds over the runs and the RSS of that run.
median() {
  [ -s "$out/$1.times" ] || return 0
  sort -n "$out/$1.times" | awk '{c[NR]=$1; r[NR]=$2} END {m=int((NR+1)/2); print c[m], r[m]}' \
    >"$out/$1.median"
}

printf '%-9s %8s %9s %9s | %-16s %-16s %-16s %-16s\n' capture MB packets sessions \
  "readloop" "smtptap" "ndpiReader" "tshark"
for c in mix dense distinct open; do
  case $c in
    mix) f=$out/mix-$MIX_N.pcap ;;
    dense) f=$out/dense-$DENSE_N.pcap ;;
    distinct) f=$out/distinct-$DISTINCT_N.pcap ;;
    open) f=$out/open-$OPEN_K.pcap ;;
  esac
  mb=$(($(wc -c <"$f") / 1048576))
  pk=$("$out/readloop" "$f" | awk '{print $1}')
  # The tools take turns, run after run, so that a noisy stretch of the
  # machine falls on all of them rather than on one tool's runs.
  for t in readloop smtptap norecord trusted ndpi tshark; do rm -f "$out/$c.$t.times" "$out/$c.$t.median"; done
  use_ndpi=0 use_tshark=0
  if [ $peers = 1 ] && command -v ndpiReader >/dev/null 2>&1; then use_ndpi=1; fi
  if [ $peers = 1 ] && command -v tshark >/dev/null 2>&1 && [ "$mb" -le "$tshark_max" ]; then
    use_tshark=1
  fi
  i=0
  while [ $i -lt "$runs" ]; do
    once "$c.readloop" "$out/readloop" "$f"
    # A new file each run, as a user's first run writes it: truncating the
    # previous run's hundreds of MB was charged to smtptap (1.4 % of dense).
    rm -f "$out/$c.ndjson"
    once "$c.smtptap" "$smtptap" -q --no-progress -r "$f" --json "$out/$c.ndjson"
    if [ $c = dense ]; then
      # The same analysis without --json: what the session records (issue
      # 3's contract, ~4.6 KB each) cost on top of it, measured in the run.
      once "$c.norecord" "$smtptap" -q --no-progress -r "$f"
    fi
    if [ $c = distinct ]; then
      # The chains end in the test roots, which the system bundle lacks: one
      # signature is checked per chain. Trusting them, as a gateway trusts
      # public roots, OpenSSL checks the intermediate's signature too.
      rm -f "$out/$c.trusted.ndjson"
      once "$c.trusted" "$smtptap" -q --no-progress -r "$f" --ca-file pcaps/certs/root.pem \
        --ca-file pcaps/diag/certs/root.pem --json "$out/$c.trusted.ndjson"
    fi
    if [ $use_ndpi = 1 ]; then once "$c.ndpi" ndpiReader -q -i "$f" || true; fi
    if [ $use_tshark = 1 ]; then
      # Certificate fields only; STARTTLS is followed by tshark's SMTP dissector.
      once "$c.tshark" tshark -r "$f" -n -d tcp.port==2525,smtp -Y tls.handshake.certificate \
        -T fields -e x509sat.printableString -e x509af.serialNumber || true
    fi
    i=$((i + 1))
  done
  for t in readloop smtptap norecord trusted ndpi tshark; do median "$c.$t"; done
  sess=$(grep -c '"event":"session"' "$out/$c.ndjson" || true)
  base=$(awk '{print $1}' "$out/$c.readloop.median")
  cell() { # tag -> "cpu s (ratio x)"
    if [ -s "$out/$1.median" ]; then
      awk -v b="$base" '{if (b > 0) printf "%.2fs %5.1fx", $1, $1 / b; else printf "%.2fs     -", $1}' "$out/$1.median"
    else
      printf 'n/a'
    fi
  }
  printf '%-9s %8s %9s %9s | %-16s %-16s %-16s %-16s\n' "$c" "$mb" "$pk" "$sess" \
    "$(cell "$c.readloop")" "$(cell "$c.smtptap")" "$(cell "$c.ndpi")" "$(cell "$c.tshark")"
  printf '%-9s %8s %9s %9s | peak RSS KB: smtptap %s%s\n' "" "" "" "" \
    "$(awk '{print $2}' "$out/$c.smtptap.median")" \
    "$([ -s "$out/$c.ndpi.median" ] && awk '{print ", ndpiReader " $2}' "$out/$c.ndpi.median")"
  grep '"event":"stats"' "$out/$c.ndjson" | tr ',' '\n' |
    grep -E '"(evictions|certificates_distinct|cap_hits|memory_peak)"' | tr '\n' ' ' |
    sed 's/^/            stats: /'
  echo
  if [ -s "$out/$c.norecord.median" ]; then
    awk -v u="$(awk '{print $1}' "$out/$c.smtptap.median")" -v b="$base" \
      -v mb="$(($(wc -c <"$out/$c.ndjson") / 1048576))" \
      '{printf "%-9s %8s %9s %9s | without --json (no session records): smtptap %.2fs", "", "", "", "", $1;
        if (b > 0) printf ", %.1f x the read loop; the %d MB of NDJSON cost %.1f x the read loop", $1 / b, mb, (u - $1) / b;
        printf "\n"}' \
      "$out/$c.norecord.median"
  fi
  if [ -s "$out/$c.trusted.median" ]; then
    awk -v u="$(awk '{print $1}' "$out/$c.smtptap.median")" -v n="$sess" \
      '{printf "%-9s %8s %9s %9s | test roots trusted (--ca-file): smtptap %.2fs, %.0f handshakes/s, %.2f x the run above\n", "", "", "", "", $1, ($1 > 0 ? n / $1 : 0), (u > 0 ? $1 / u : 0)}' \
      "$out/$c.trusted.median"
  fi
done

# Scaling (issue 5: cost grows linearly with capture size, RSS does not
# grow with it): smtptap alone on dense captures of half, once and twice
# DENSE_N sessions (same servers and certificates, more sessions) and on
# open captures of a fifth, half and all of OPEN_K connections, the sizes
# taking turns. Per handshake (per packet for open) the CPU should stay
# level, and the peak RSS should stop growing once the per-server caps
# (report.peers_max) or the memcap are reached.
scale_d="$((DENSE_N / 2)) $DENSE_N $((DENSE_N * 2))"
scale_o="$((OPEN_K / 5)) $((OPEN_K / 2)) $OPEN_K"
for n in $scale_d; do gen "dense-$n" -m dense -n "$n" -k 1000 -d 1000; done
for n in $scale_o; do gen "open-$n" -m open -n "$n" -k "$n"; done
for n in $scale_d; do rm -f "$out/scale.dense-$n.times"; done
for n in $scale_o; do rm -f "$out/scale.open-$n.times"; done
i=0
while [ $i -lt "$runs" ]; do
  for f in $(for n in $scale_d; do echo "dense-$n"; done) $(for n in $scale_o; do echo "open-$n"; done); do
    rm -f "$out/scale.ndjson"
    once "scale.$f" "$smtptap" -q --no-progress -r "$out/$f.pcap" --json "$out/scale.ndjson"
  done
  i=$((i + 1))
done
echo "scaling (smtptap, medians of $runs):"
for f in $(for n in $scale_d; do echo "dense-$n"; done) $(for n in $scale_o; do echo "open-$n"; done); do
  median "scale.$f"
  case $f in
    dense-*) unit=handshake units=${f#dense-} ;;
    *) unit=packet units=$("$out/readloop" "$out/$f.pcap" | awk '{print $1}') ;;
  esac
  echo "$units" >"$out/scale.$f.units" # read once: the open captures are gigabytes
  awk -v f="$f" -v u="$unit" -v n="$units" \
    '{printf "  %-14s %8.2fs %8.2f us per %s, peak RSS %d MB\n", f, $1, $1 * 1e6 / n, u, $2 / 1024}' \
    "$out/scale.$f.median"
done
# Linear means each added session (packet) costs the same whatever the size:
# the cost per unit added from the first size to the second, and from the
# second to the third (start-up excluded), and their ratio (near 1: linear).
marginal() { # kind unit size1 size2 size3 units1 units2 units3
  cat "$out/scale.$1-$3.median" "$out/scale.$1-$4.median" "$out/scale.$1-$5.median" |
    awk -v k="$1" -v u="$2" -v a="$6" -v b="$7" -v c="$8" '{t[NR] = $1}
      END {m1 = (t[2] - t[1]) / (b - a); m2 = (t[3] - t[2]) / (c - b);
           if (m1 > 0) printf "  %s: each added %s %.2f us, then %.2f us (%.2f x)\n", k, u, m1 * 1e6, m2 * 1e6, m2 / m1;
           else printf "  %s: too small to measure the cost per added %s\n", k, u}'
}
pk_of() { cat "$out/scale.$1.units"; }
set -- $scale_o
marginal dense handshake $scale_d $scale_d
marginal open packet "$@" "$(pk_of "open-$1")" "$(pk_of "open-$2")" "$(pk_of "open-$3")"
rm -f "$out/scale.ndjson"

if [ $cg = 1 ]; then
  command -v valgrind >/dev/null 2>&1 || { echo "bench: valgrind is missing" >&2; exit 1; }
  "$out/gen" -m dense -n 2000 -k 200 -d 100 -o "$out/slice.pcap" $srcs 2>/dev/null
  pk=$("$out/readloop" "$out/slice.pcap" | awk '{print $1}')
  for t in readloop smtptap; do
    if [ $t = readloop ]; then set -- "$out/readloop" "$out/slice.pcap"; else
      set -- "$smtptap" -q --no-progress -r "$out/slice.pcap" --json /dev/null; fi
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$t" "$@" >/dev/null 2>"$out/cg.$t.log"
    ir=$(grep -o 'refs: *[0-9,]*' "$out/cg.$t.log" | tr -dc 0-9)
    echo "callgrind $t: $ir instructions, $((ir / pk)) per packet ($pk packets, 2000 sessions)"
  done
  echo "profile: callgrind_annotate $out/cg.smtptap | head -40"
  # Linearity in instructions, which the machine's speed does not move:
  # slices of 1 000, 2 000 and 4 000 sessions (the same servers and
  # certificates); the instructions each added session costs should not grow.
  prev_n=0 prev_ir=0 prev_m=0
  for n in 1000 2000 4000; do
    "$out/gen" -m dense -n "$n" -k 200 -d 100 -o "$out/slice-$n.pcap" $srcs 2>/dev/null
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$smtptap" -q --no-progress \
      -r "$out/slice-$n.pcap" --json /dev/null >/dev/null 2>"$out/cg.scale.log"
    ir=$(grep -o 'refs: *[0-9,]*' "$out/cg.scale.log" | tr -dc 0-9)
    if [ $prev_n -gt 0 ]; then
      m=$(((ir - prev_ir) / (n - prev_n)))
      if [ $prev_m -gt 0 ]; then
        echo "callgrind scaling: $n sessions $ir instructions; each added session $m ($(awk -v a="$m" -v b="$prev_m" 'BEGIN {printf "%.2f", a / b}') x the previous step's $prev_m)"
      else
        echo "callgrind scaling: $n sessions $ir instructions; each added session $m"
      fi
      prev_m=$m
    else
      echo "callgrind scaling: $n sessions $ir instructions"
    fi
    prev_n=$n prev_ir=$ir
    rm -f "$out/slice-$n.pcap"
  done
fi
