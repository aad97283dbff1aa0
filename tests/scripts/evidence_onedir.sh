#!/bin/sh
# -w FILE on a capture of the server's side alone (a tap or span port that
# sees one direction; here a filter on the server's port or address as
# source), src/evidence_oneway.c and engine_evidence_server.c:
#  1. read back, the evidence file shows what the original shows: per session
#     the direction missing, STARTTLS offered and followed from the server's
#     220, the TLS version, the certificates and the server's chain, its
#     alerts; and the same findings. (Not the handshake's `complete`: with the
#     client's side missing, the original infers it from the server's
#     application data after its Finished, which -w cuts.) Without the
#     server's EHLO reply, its 220 and its TLS records written, the evidence
#     showed no certificate at all;
#  2. the server's TLS 1.3 application data after its flight (its replies
#     after the client's Finished, encrypted: they acknowledge client bytes
#     past the flight's) is cut, as with both sides captured;
#  3. nothing the client sent is in the file, nor any reply after the 220;
#  4. the terminal report's STARTTLS row of a server-only capture: a session
#     with no TLS and no mail read, whose client direction was not captured,
#     is mail-unknown (what the client sent cannot be read), not no-mail
#     (pcaps/variants/evidence-leaks.pcap, its server's side: one such
#     session; it read "no-mail 1"); each session in one count.
# Usage: evidence_onedir.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "skip: jq not installed"; exit 77; }
command -v tshark >/dev/null 2>&1 || { echo "skip: tshark not installed"; exit 77; }
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

proj='select(.event=="session") | [.client.ip, .client.port, .server.ip, .server.port,
  .direction_missing, .smtp.starttls_offered, .smtp.starttls_reply_code, .smtp.tls_started,
  .tls.version, .tls.certificates, [.tls.server_chain[]?.sha256],
  [.tls.alerts[]? | {from, code, after, encrypted}]]'
fproj='select(.event=="finding") | [.kind, .severity, .summary]'

# run NAME PCAP CA FILTER [encrypted]: the server's side alone, and its
# evidence read back (encrypted: TLS 1.3, its chain not seen without a key log)
run() {
  name=$1 pcap=$2 ca=$3 filter=$4 enc=${5:-}
  "$bin" -q --no-system-ca --ca-file "$ca" -r "$pcap" -w "$tmp/$name.pcap" \
    --json "$tmp/$name.a.json" "$filter" || { echo "FAIL $name: exit $? with -w"; fail=1; }
  "$bin" -q --no-system-ca --ca-file "$ca" -r "$tmp/$name.pcap" --json "$tmp/$name.b.json" ||
    { echo "FAIL $name: exit $? reading its evidence file"; fail=1; }
  for x in a b; do
    jq -c "$proj" "$tmp/$name.$x.json" | sort >"$tmp/$name.$x"
    jq -c "$fproj" "$tmp/$name.$x.json" >"$tmp/$name.$x.f"
  done
  if ! jq -e -s '[.[] | select(.event=="session")] | length > 0 and
      all(.direction_missing == "client")' "$tmp/$name.a.json" >/dev/null; then
    echo "FAIL $name: not a capture of the server's side alone"
    fail=1
  fi
  if [ -z "$enc" ] && ! jq -e -s '[.[] | select(.event=="session") |
      select((.tls.server_chain | length) > 0)] | length > 0' "$tmp/$name.a.json" >/dev/null; then
    echo "FAIL $name: the original shows no chain (this proves nothing)"
    fail=1
  fi
  if ! cmp -s "$tmp/$name.a" "$tmp/$name.b"; then
    echo "FAIL $name: its evidence file read back shows other sessions"
    diff "$tmp/$name.a" "$tmp/$name.b" | head -6
    fail=1
  fi
  if ! cmp -s "$tmp/$name.a.f" "$tmp/$name.b.f"; then
    echo "FAIL $name: its evidence file read back shows other findings"
    diff "$tmp/$name.a.f" "$tmp/$name.b.f" | head -6
    fail=1
  fi
  # 3. of the dialogue in clear, the greeting, the EHLO reply and the 220 only
  codes=$(tshark -r "$tmp/$name.pcap" -Y 'tcp.len > 0 and frame.len == frame.cap_len' -T fields \
    -e tcp.payload 2>/dev/null | cut -c1-6 | grep '^3[2-5]3[0-9]3[0-9]' | sort -u | tr '\n' ' ')
  if [ "$codes" != "323230 323530 " ]; then # "220", "250"
    echo "FAIL $name: replies in clear in the evidence file: $codes"
    fail=1
  fi
}

run tls12 pcaps/smtp-starttls-tls12-chain.pcap pcaps/certs/root.pem 'tcp src port 25'
run exim pcaps/smtp-exim-starttls.pcap pcaps/certs/root.pem 'tcp src port 25'
run tls13 pcaps/smtp-starttls-tls13.pcap pcaps/certs/root.pem 'tcp src port 25' encrypted
run selfsigned pcaps/smtp-self-signed.pcap pcaps/certs/root.pem 'tcp src port 25'
run nat pcaps/diag/nat-peer-dependent.pcap pcaps/diag/certs/root.pem 'src host 203.0.113.25'

# 2. TLS 1.3: per connection, no server frame with payload written whole that
# acknowledges more than the one of its first TLS record (the ServerHello)
tshark -r "$tmp/tls13.pcap" -T fields -e tcp.stream -e tcp.len -e tcp.ack -e frame.len \
  -e frame.cap_len -e tcp.payload 2>/dev/null >"$tmp/tls13.frames"
if ! awk -F'\t' '$6 ~ /^16/ && !($1 in hello) { hello[$1] = $3 }
    $2 > 0 && $4 == $5 && ($1 in hello) && $3 + 0 > hello[$1] + 0 { bad++ }
    $2 > 0 && $4 > $5 { cut++ }
    END { n = 0; for (s in hello) n++; exit !(bad == 0 && cut > 0 && n == 3) }' \
  "$tmp/tls13.frames"; then
  echo "FAIL tls13: the server's application data after its flight written whole"
  fail=1
fi

# 4. no-mail only where the client's side was captured
TZ=UTC "$bin" --no-progress --color never --no-system-ca -r pcaps/variants/evidence-leaks.pcap \
  'tcp src port 25' >"$tmp/leaks.txt" 2>/dev/null
row=$(grep '^  STARTTLS ' "$tmp/leaks.txt")
want="  STARTTLS   192.0.2.10: offered 16 tls 1 commands-cut 17 mail-unknown 1 (client direction not captured in 19)"
if [ "$row" != "$want" ]; then
  echo "FAIL server-only row: want '$want', got '$row'"
  fail=1
fi

[ "$fail" -eq 0 ] && echo "ok: evidence of the server's side alone"
exit "$fail"
