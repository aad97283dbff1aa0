#!/bin/sh
# The stapled OCSP responses of every bundled capture that has some, read by
# smtptap (tls.ocsp) and by tshark's OCSP dissector (the CertificateStatus
# message, or a TLS 1.3 CertificateEntry with the key log beside the
# capture): per connection, responseStatus, and for a response smtptap found
# to be the leaf's (matches_leaf) its certStatus, thisUpdate, nextUpdate,
# revocation reason and the serial number its CertID names (the leaf's); for
# one it found to be another certificate's (a staple left from before a
# renewal), a serial number that is not the leaf's. Skips (77) without
# tshark or jq.
# Usage: ocsp_tshark.sh SMTPTAP
set -u
bin=$1
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "jq not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# "Dec  1, 2026 00:10:10.000000000 UTC" -> 2026-12-01T00:10:10Z
iso() { [ -n "$1" ] && date -u -d "$(echo "$1" | sed 's/,//; s/\.[0-9]* / /')" +%Y-%m-%dT%H:%M:%SZ; }
fail=0 n=0
for f in pcaps/diag/ocsp-staples.pcap pcaps/diag/ocsp-stapling.pcap pcaps/diag/ocsp-mixed.pcap; do
  kl="${f%.*}.keylog" karg="" targ=""
  [ -f "$kl" ] && { karg="--keylog $kl"; targ="-o tls.keylog_file:$kl"; }
  # shellcheck disable=SC2086
  TZ=UTC "$bin" -q --seed 1 --no-system-ca $karg -r "$f" --json "$tmp/out.json" >/dev/null 2>&1
  # ours: client.port|status|matches|cert_status|this|next|reason|leaf serial (hex)
  jq -r 'select(.event=="session" and .tls.ocsp != null) |
    [.client.port, .tls.ocsp.status, (.tls.ocsp.matches_leaf|tostring),
     (.tls.ocsp.cert_status // "-"), ((.tls.ocsp.this_update // "-") | sub("\\.0+Z$"; "Z")),
     ((.tls.ocsp.next_update // "-") | sub("\\.0+Z$"; "Z")), (.tls.ocsp.revocation_reason // "-"),
     (.tls.server_chain[0].serial | ascii_downcase)] | join("|")' "$tmp/out.json" | sort > "$tmp/ours"
  # shellcheck disable=SC2086
  tshark -n -r "$f" $targ -Y 'ocsp.responseStatus' -T fields -E separator='|' -E occurrence=f \
    -e tcp.dstport -e ocsp.responseStatus -e ocsp.certStatus -e ocsp.thisUpdate -e ocsp.nextUpdate \
    -e ocsp.revocationReason -e ocsp.serialNumber 2>/dev/null > "$tmp/theirs"
  while IFS='|' read -r port st match cs this next reason serial; do
    n=$((n + 1))
    line=$(grep "^$port|" "$tmp/theirs")
    [ -n "$line" ] || { echo "FAIL $f port $port: tshark saw no OCSP response"; fail=1; continue; }
    IFS='|' read -r _ tst tcs tthis tnext treason tserial <<EOT
$line
EOT
    tserial=$(echo "$tserial" | tr -d ":" | sed "s/^0*//" | tr A-F a-f) # hex, as tshark shows it
    case $tst in 0) tst=successful ;; esac
    [ "$st" = "$tst" ] || { echo "FAIL $f port $port: status $st, tshark $tst"; fail=1; }
    if [ "$match" = true ]; then
      case $tcs in 0) tcs=good ;; 1) tcs=revoked ;; 2) tcs=unknown ;; esac
      got="$tcs|$(iso "$tthis")|$(iso "$tnext")|$serial"
      want="$cs|$this|$next|$serial"
      [ "$tserial" = "$serial" ] || got="$got (serial $tserial)"
      [ "$got" = "$want" ] || { echo "FAIL $f port $port: smtptap $want, tshark $got"; fail=1; }
      case $treason in 1) treason=keyCompromise ;; "") treason=- ;; esac
      [ "$reason" = "$treason" ] || { echo "FAIL $f port $port: reason $reason, tshark $treason"; fail=1; }
    elif [ "$match" = false ]; then
      [ "$tserial" != "$serial" ] ||
        { echo "FAIL $f port $port: another certificate's, yet tshark names the leaf's serial"; fail=1; }
    fi
  done < "$tmp/ours"
done
[ "$n" -ge 10 ] || { echo "FAIL only $n staples compared"; fail=1; }
[ "$fail" -eq 0 ] && echo "ok: $n stapled OCSP responses agree with tshark"
exit "$fail"
