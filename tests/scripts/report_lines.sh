#!/bin/sh
# Lines of the terminal report that no golden pins (the goldens are the
# NDJSON): each capture's report must hold each expected line exactly.
# Usage: report_lines.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# expect NAME "OPTIONS" LINE: the report of OPTIONS holds LINE as a whole line
expect() {
  # shellcheck disable=SC2086
  TZ=UTC "$bin" --no-progress --color never $2 >"$tmp/$1.txt" 2>&1
  if grep -qxF -- "$3" "$tmp/$1.txt"; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: no line: $3"
    fail=1
  fi
}
# DANE (RFC 7672): each server's TLSA RRset and what its sessions did against it
dane="-r pcaps/diag/dane.pcap --no-system-ca --ca-file pcaps/diag/certs/dane-root.pem"
expect dane "$dane" "  DANE       _25._tcp.mx1.example.test: 1 record, from DNS, DNSSEC-validated (AD bit): 1 session matched (DANE-EE)"
expect dane "$dane" "  DANE       _25._tcp.mx2.example.test: 1 record, from DNS, DNSSEC-validated (AD bit): 1 session matched none: DANE senders defer their mail"
expect dane "$dane" "  DANE       _25._tcp.mx3.example.test: 1 record, from DNS, DNSSEC-validated (AD bit): 1 session matched (DANE-TA)"
ta="-r pcaps/diag/dns-mx.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem --tlsa tests/data/tlsa/dane-ta.tlsa"
expect dane-ta "$ta" "  DANE       _25._tcp.mx1.example.test: 1 record, from --tlsa: 1 session matched none (the leaf does not name the server): DANE senders defer their mail"
noad="-r pcaps/variants/dns-mx-tlsa.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem"
expect dns-tlsa "$noad" "  DANE       _25._tcp.mx2.example.test: 1 record, from DNS, not known to be validated (no AD bit): 1 session matched none: DANE senders defer their mail"
pkix="-r pcaps/diag/dns-mx.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem --tlsa tests/data/tlsa/pkix-only.tlsa"
expect pkix "$pkix" "  DANE       _25._tcp.mx2.example.test: 2 records (0 usable), from --tlsa: 1 session with no record an SMTP client can use"
# no TLSA record known: no DANE line at all
if TZ=UTC "$bin" --no-progress -r pcaps/diag/dns-mx.pcap 2>&1 | grep -q '^  DANE '; then
  echo "FAIL dns-mx: a DANE line without TLSA records"
  fail=1
fi
# tunnels: what was taken off, and the ids in the connection key (docs/report.md)
expect tunnel "-r pcaps/tunnel/vxlan-starttls.pcap" "tunnels: 31 VXLAN packets decapsulated (the VNI in the connection key; --ignore-vlan leaves it out)"
expect tunnel-ign "-r pcaps/tunnel/tls12-chain-erspan3.pcap --ignore-vlan" "tunnels: 84 GRE, 84 ERSPAN III layers taken off (the GRE key or ERSPAN session left out of the connection key: --ignore-vlan)"
# implicit TLS and STARTTLS on one port: each kind on its own rows, so that each adds up
mix="-r pcaps/variants/mixed-2526.pcap --no-system-ca --ports 2526"
expect mix2526 "$mix" "  STARTTLS   198.51.100.10: offered 1 tls 1"
expect mix2526 "$mix" "             198.51.100.30: offered 1 tls 1 failed 1"
expect mix2526 "$mix" "  implicit TLS 198.51.100.10: tls 1"
expect mix2526 "$mix" "               198.51.100.20: tls 1"
# TLS resumption: resumed sessions counted under the chain they resumed
res="-r pcaps/diag/resumption.pcap --no-system-ca --ca-file pcaps/diag/certs/resumption-root.pem"
TZ=UTC "$bin" --no-progress --color never $res >"$tmp/res.txt" 2>&1
if grep -q '^  certificate 1 of 1: Valid, 3 sessions (+3 resumed), ' "$tmp/res.txt"; then
  echo "ok   resumption: 3 sessions (+3 resumed)"
else
  echo "FAIL resumption: no '3 sessions (+3 resumed)'"
  fail=1
fi
# a session made on 25 resumed on 587 asking for another name (SNI subm.example.test): 587's
# verdict is 25's chain with the name check redone on 587's names
expect res587-sni "-r pcaps/variants/resumption-587-sni.pcap --no-system-ca --ca-file pcaps/diag/certs/resumption-root.pem --keylog pcaps/diag/resumption.keylog" "  certificate 1 of 1: SubjectMismatch (chain verified on 192.0.2.25:25, names asked here), not sent here: 2 sessions resumed from 192.0.2.25:25, 2026-11-30 09:37:01 .. 2026-11-30 09:37:07"
# resumed sessions linked to no chain, beside the chains: Postfix's TLS 1.3 resumption (no key
# log; a key log without the full handshake's secrets), and TLS 1.2 resumptions picked up at
# their ServerHello whose ticket (in the ClientHello) is not in the capture
r13="-r pcaps/diag/resumption13-postfix.pcap --no-system-ca --ca-file pcaps/diag/certs/resumption13-postfix-root.pem"
expect res13 "$r13" "  certificate not linked: +1 resumed TLS 1.3 session (peer 198.51.100.13): its chain is the one of the handshake it resumed, not linkable without a key log (--keylog with SERVER_TRAFFIC_SECRET_0)"
expect res13-keylog "$r13 --keylog pcaps/diag/resumption.keylog" "  certificate not linked: +1 resumed TLS 1.3 session (peer 198.51.100.13): its chain is the one of the handshake it resumed, not linked: the key log given (--keylog) has no SERVER_TRAFFIC_SECRET_0 of that handshake, or it is not in this capture"
expect res12-after-sh "-r pcaps/variants/resumption-after-sh.pcap" "  certificate not linked: +2 resumed TLS 1.0-1.2 sessions (peers 198.51.100.10, 198.51.100.11): their chains are those of the handshakes they resumed, not linked by a session ID or ticket seen in this capture (those handshakes before it, or the resumptions' ClientHellos missing)"
# linked with the key log: no such line
if TZ=UTC "$bin" --no-progress -r pcaps/diag/resumption.pcap --keylog pcaps/diag/resumption.keylog 2>&1 | grep -q '^  certificate not linked'; then
  echo "FAIL resumption-keylog: a 'certificate not linked' line with every resumption linked"
  fail=1
fi
# --keylog: a line per key log in the statistics, what it matched of the capture's TLS 1.3
# handshakes (a key log of another capture: none)
kl="-r pcaps/smtp-starttls-tls13.pcap --no-system-ca --ca-file pcaps/certs/root.pem --keylog"
expect keylog-other "$kl pcaps/diag/tls13-keylog.keylog" "key log pcaps/diag/tls13-keylog.keylog: none of its 2 TLS 1.3 client randoms matched any of the 3 TLS 1.3 handshakes in the capture: wrong file (a key log of another capture, or of other hosts)?"
expect keylog-match "$kl pcaps/smtp-starttls-tls13.keylog" "key log pcaps/smtp-starttls-tls13.keylog: 2 of its 2 TLS 1.3 client randoms matched 2 of the 3 TLS 1.3 handshakes in the capture"
expect keylog-mid "-r pcaps/variants/tls13-from-serverhello.pcap --keylog pcaps/smtp-starttls-tls13.keylog" "key log pcaps/smtp-starttls-tls13.keylog: 1 of its 2 TLS 1.3 client randoms matched the one TLS 1.3 handshake in the capture"
expect keylog-two "$kl pcaps/diag/tls13-keylog.keylog --keylog pcaps/smtp-starttls-tls13.keylog" "TLS 1.3 handshakes decrypted with the key logs: 2 of 3"
# a key log that matched and did not decrypt says why, not "the others' secrets did not"
# (pcaps/variants/README.md): without the server's handshake secret, another connection's
# secrets, the server's flight cut by the snapshot length (which no key log mends)
expect keylog-noshs "$kl pcaps/variants/tls13-keylog-noshs.keylog" "key log pcaps/variants/tls13-keylog-noshs.keylog: 2 of its 2 TLS 1.3 client randoms matched 2 of the 3 TLS 1.3 handshakes in the capture; 0 decrypted: 2 without SERVER_HANDSHAKE_TRAFFIC_SECRET in the key log, which the server's Certificate needs (tls.keylog_no_server_secret)"
expect keylog-swapped "$kl pcaps/variants/tls13-keylog-swapped.keylog" "key log pcaps/variants/tls13-keylog-swapped.keylog: 2 of its 2 TLS 1.3 client randoms matched 2 of the 3 TLS 1.3 handshakes in the capture; 0 decrypted: 2 whose secrets in the key log did not decrypt them (tls.keylog_mismatch)"
expect keylog-snap300 "-r pcaps/variants/tls13-snap300.pcap --keylog pcaps/smtp-starttls-tls13.keylog" "key log pcaps/smtp-starttls-tls13.keylog: 2 of its 2 TLS 1.3 client randoms matched 2 of the 3 TLS 1.3 handshakes in the capture; 0 decrypted: 2 cut by the capture before the server's certificates (tls.gap: a snapshot length, or bytes lost; capture whole packets, -s 0)"
# a capture filter on ports kept the first fragment of each datagram only: said first, and
# certificates_not_visible names that cause (docs/report.md)
pf="-r pcaps/frag/ipv4-port-filter.pcap --no-system-ca --ca-file pcaps/frag/certs/root.pem"
expect frag-port "$pf" "IP FRAGMENTS INCOMPLETE: 4 fragmented IP datagrams lacked fragments: the bytes they carried (TLS records, certificates) are missing; a capture filter on ports drops every fragment but the first: capture with 'port 25 or (ip[6:2] & 0x1fff != 0)' (IPv6: 'or ip6[6] == 44'), or by host"
if ! grep -q "^  low      certificates_not_visible .*which a capture filter on ports drops: capture with 'port 25 or (ip\[6:2\] & 0x1fff != 0)'" "$tmp/frag-port.txt"; then
  echo "FAIL frag-port: certificates_not_visible does not name the port filter"
  fail=1
fi
if TZ=UTC "$bin" --no-progress -r pcaps/frag/ipv4-fragments.pcap 2>&1 | grep -q '^IP FRAGMENTS'; then
  echo "FAIL frag-ipv4: IP FRAGMENTS INCOMPLETE with every datagram whole"
  fail=1
fi
# one of each: the statistics line says "1 flow, 1 SMTP/TLS session", not "1 flows"
one="-r pcaps/variants/smtps-465-tail.pcap"
expect one-flow "$one" "9 packets, 1 flow, 1 SMTP/TLS session, 0 distinct certificates; 0 truncated frames, 0 decode errors, 0 evictions, 0 cap hits, 0 drops"
# the distinct certificates count the intermediates sent too: how many of them are leaves
# (a server's "certificate 1 of 1" counts its leaves), here a leaf and its intermediate
expect leaves "-r pcaps/smtp-submission-587.pcap --no-system-ca --ca-file pcaps/certs/root.pem" "109 packets, 4 flows, 4 SMTP/TLS sessions, 2 distinct certificates (1 leaf); 0 truncated frames, 0 decode errors, 0 evictions, 0 cap hits, 0 drops"
# peers listed by address everywhere: the STARTTLS rows and a certificate's peers as the
# findings and alert lines (first sessions came from .10, .140, .11, .141)
nat="-r pcaps/diag/nat-peer-dependent.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem"
TZ=UTC "$bin" --no-progress --color never $nat >"$tmp/nat.txt" 2>&1
if grep -A3 '^  STARTTLS ' "$tmp/nat.txt" | sed 's/:.*//; s/.* //' | tr '\n' ' ' |
  grep -qx '198.51.100.10 198.51.100.11 198.51.100.140 198.51.100.141 '; then
  echo "ok   nat-peers: STARTTLS rows by address"
else
  echo "FAIL nat-peers: STARTTLS rows not by address"
  fail=1
fi
ur="-r pcaps/diag/untrusted-root.pcap --no-system-ca --ca-file pcaps/diag/certs/root.pem"
expect alert-peers "$ur" "  alert from client fatal unknown_ca (48) after ServerHelloDone x2 (198.51.100.10, 198.51.100.11): the client rejected the server certificate CN=mail.other.example.test with unknown_ca (48)"
# certificates_not_visible: each reason on its own line with its example session (the
# summary quoted the first session's evidence alone); one reason: its example only
nv="-r pcaps/smtp-starttls-tls13.pcap --no-system-ca --ca-file pcaps/certs/root.pem"
expect nv-reasons "$nv -c 73" "      - TLS 1.3 encrypted them (2 sessions, e.g. session 1): TLS 1.3 encrypts them: a key log (--keylog) shows them"
expect nv-reasons "$nv -c 73" "      - the capture ended before the server answered (1 session, e.g. session 3): the capture ended during the handshake, before the server's Certificate (the end of the file, -c COUNT, or the capture stopped): capture for longer"
expect nv-one "$nv" "      - TLS 1.3 encrypted them (3 sessions, e.g. session 1)"
# one direction captured (docs/report.md): said before the findings and on the peers' rows;
# with the server's side alone STARTTLS is followed (its 220, then a TLS record)
ow="-r pcaps/smtp-starttls-tls12-chain.pcap --no-system-ca --ca-file pcaps/certs/root.pem"
expect ow-server "$ow tcp src port 25" "ONE DIRECTION CAPTURED: 3 sessions hold the server's direction only: what the client sent (its commands, SNI, ClientHello, client certificate and alerts) is unknown, the server's replies, certificates and alerts are read (STARTTLS from its 220 and the TLS record after it); capture both directions"
expect ow-server "$ow tcp src port 25" "  STARTTLS   198.51.100.10: offered 1 tls 1 (client direction not captured in 1)"
expect ow-server "$ow tcp src port 25" "  certificate 1 of 1: Valid, 3 sessions, 2026-11-24 06:26:13 .. 2026-11-24 06:26:17"
expect ow-client "$ow tcp dst port 25" "ONE DIRECTION CAPTURED: 3 sessions hold the client's direction only: the server's (its replies, certificates and alerts) is missing and nothing of it is judged; capture both directions"
expect ow-client "$ow tcp dst port 25" "  STARTTLS   198.51.100.10: server direction missing (1 session): capture both directions"
# with the client's side alone no finding can be made: not "No findings." (nothing was judged);
# "No findings." stands when one session held the server's side (mixed), or both were captured
nofind="No findings can be made: the server's direction of these sessions was not captured (its replies, certificates and alerts)"
expect ow-client "$ow tcp dst port 25" "$nofind"
if grep -qxF "No findings." "$tmp/ow-client.txt"; then
  echo "FAIL ow-client: \"No findings.\" with the client's direction alone"
  fail=1
fi
expect ow-server "$ow tcp src port 25" "No findings."
expect ow-mixed "$ow tcp dst port 25 or host 198.51.100.10" "No findings."
expect ow-both "$ow" "No findings."
if grep -qF "No findings can be made" "$tmp/ow-mixed.txt" "$tmp/ow-both.txt" "$tmp/ow-server.txt"; then
  echo "FAIL ow: \"No findings can be made\" where a server's side was captured"
  fail=1
fi
# both directions: no such line
# shellcheck disable=SC2086
if TZ=UTC "$bin" --no-progress $ow 2>&1 | grep -q 'ONE DIRECTION\|direction not captured\|direction missing'; then
  echo "FAIL ow-both: a one-direction line for a capture of both directions"
  fail=1
fi
exit $fail
