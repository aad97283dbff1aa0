#!/bin/sh
# A server seen by more peers than report.peers_max (64) itemises: an MX and
# the world. pcaps/tools/mkpeers.py replays the first session of
# pcaps/smtp-starttls-tls12-chain.pcap (swaks --tls to Postfix, TLS 1.2, leaf
# + intermediate signed by pcaps/certs/root.pem) from 2000 addresses
# (198.18.0.1 .. 198.18.7.208), made here, not committed (13 MB).
#  1. with the root: the server line counts every distinct peer ("from 2000
#     peers", it said "from 64 peers"), the line below it the 1936 past the
#     cap and their sessions; the certificate's peers line the sessions of
#     those not listed; the server record's peers_dropped counts peers (it
#     counted sessions) and peer_sessions_dropped their sessions, as the
#     stats record's peer_sessions_dropped.
#  2. the same replayed twice per address, report.peers_max 10 (--cap): 2000
#     peers in 4000 sessions, 1990 not itemised in 3980 sessions.
#  3. without the root (--no-system-ca alone: missing_intermediate on every
#     session): the finding lists 32 peers and counts the 1968 sessions of
#     the others in peers_not_listed (it counted the 32 of peers 33-64 and
#     left out those past report.peers_max).
#  4. a renewal seen by 100 peers (pcaps/smtp-cert-renewal.pcap's swaks
#     sessions 1 and 3, the expired certificate then the renewed one, each
#     from every peer), report.peers_max 10: certificate_changed and
#     expired_certificate_served, built from (peer, certificate) pairs, say
#     the sessions of the 90 peers past the cap as the flags' findings do
#     (they left them out: 10 peers, no peers_not_listed); and as pool
#     (sessions 1, 3, 1: mixed_pool) with 40 peers, all itemised: the 8 past
#     the 32 listed counted each once.
# Usage: peers_many.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not installed (scripts/deps.sh test)"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing (sh scripts/deps.sh test)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # NAME WANT GOT
  if [ "$2" = "$3" ]; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: want $2, got $3"
    fail=1
  fi
}
# run NAME PCAP OPTIONS: the report in NAME.txt, the NDJSON in NAME.json
run() {
  # shellcheck disable=SC2086
  TZ=UTC "$bin" --no-progress --color never --no-system-ca -r "$2" --json "$tmp/$1.json" $3 \
    >"$tmp/$1.txt" 2>"$tmp/$1.err" || { echo "FAIL $1: exit $?"; cat "$tmp/$1.err"; fail=1; }
}
server() { # NAME: the server record's peer counts
  jq -c 'select(.event == "server") | [(.peers | length), .peers_dropped,
      .peer_sessions_dropped, .peers_dropped_at_least]' "$tmp/$1.json"
}

python3 pcaps/tools/mkpeers.py "$tmp/one.pcap" 2000 || exit 1
run ca "$tmp/one.pcap" "--ca-file pcaps/certs/root.pem"
check "server line" "  2000 sessions (2000 TLS: TLSv1.2 2000) from 2000 peers, " \
  "$(grep -o '^  2000 sessions.* peers, ' "$tmp/ca.txt")"
check "not itemised" "  (1936 further peers, in 1936 sessions, not itemised: report.peers_max 64)" \
  "$(grep 'not itemised' "$tmp/ca.txt")"
check "certificate peers" "198.18.0.64 (1), and 1936 sessions of peers not listed" \
  "$(grep '^    peers ' "$tmp/ca.txt" | grep -o '198.18.0.64 .*')"
check "STARTTLS rows" 64 "$(grep -c ': offered 1 tls 1$' "$tmp/ca.txt")"
check "no findings" "No findings." "$(head -1 "$tmp/ca.txt")"
check "server record" "[64,1936,1936,null]" "$(server ca)"
check "stats" 1936 "$(jq 'select(.event == "stats") | .peer_sessions_dropped' "$tmp/ca.json")"

python3 pcaps/tools/mkpeers.py "$tmp/two.pcap" 2000 2 || exit 1
run two "$tmp/two.pcap" "--ca-file pcaps/certs/root.pem --cap report.peers_max=10"
check "twice: server line" "from 2000 peers" "$(grep -o 'from [0-9]* peers' "$tmp/two.txt")"
check "twice: not itemised" \
  "  (1990 further peers, in 3980 sessions, not itemised: report.peers_max 10)" \
  "$(grep 'not itemised' "$tmp/two.txt")"
check "twice: server record" "[10,1990,3980,null]" "$(server two)"
check "twice: listed rows" "[2,2,2,2,2,2,2,2,2,2]" \
  "$(jq -c 'select(.event == "server") | [.peers[].sessions]' "$tmp/two.json")"

run noca "$tmp/one.pcap" ""
check "finding" '["missing_intermediate",2000,32,1968]' \
  "$(jq -c 'select(.event == "finding") | [.kind, .session_count, (.peers | length),
      .peers_not_listed]' "$tmp/noca.json")"
check "finding summary" \
  "198.18.0.6 and 26 more, and 32 peers not listed, and 1936 sessions of peers past report.peers_max;" \
  "$(grep -o '198.18.0.6 and 26 more, and [^;]*;' "$tmp/noca.txt")"
python3 pcaps/tools/mkpeers.py "$tmp/ren.pcap" 100 1 pcaps/smtp-cert-renewal.pcap 1 3 || exit 1
run ren "$tmp/ren.pcap" "--ca-file pcaps/certs/root.pem --cap report.peers_max=10"
findings() { # NAME: [kind, sessions, peers listed, peers_not_listed] of each
  jq -c 'select(.event == "finding") | [.kind, .session_count, (.peers | length),
      .peers_not_listed]' "$tmp/$1.json" | tr '\n' ' '
}
check "renewal: findings" \
  '["expired_certificate_served",100,10,90] ["expired",100,10,90] ["certificate_changed",200,10,180] ' \
  "$(findings ren)"
check "renewal: certificate_changed summary" \
  "198.18.0.6 and 4 more, and 180 sessions of peers past report.peers_max)" \
  "$(grep certificate_changed "$tmp/ren.txt" | grep -o '198.18.0.6 and 4 more, and [^)]*)')"
check "renewal: expired_certificate_served summary" \
  "198.18.0.6 and 4 more, and 90 sessions of peers past report.peers_max;" \
  "$(grep 'expired_certificate_served ' "$tmp/ren.txt" | grep -o '198.18.0.6 and 4 more, and [^;]*;')"

python3 pcaps/tools/mkpeers.py "$tmp/pool.pcap" 40 1 pcaps/smtp-cert-renewal.pcap 1 3 1 || exit 1
run pool "$tmp/pool.pcap" "--ca-file pcaps/certs/root.pem"
check "pool: findings" \
  '["expired_certificate_served",80,32,8] ["expired",80,32,8] ["mixed_pool",120,32,8] ' \
  "$(findings pool)"
check "pool: mixed_pool summary" "198.18.0.6 and 26 more, and 8 peers not listed)" \
  "$(grep mixed_pool "$tmp/pool.txt" | grep -o '198.18.0.6 and 26 more, and [^)]*)')"
exit $fail
