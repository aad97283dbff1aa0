#!/bin/sh
# Cross-check (issue 3): for every committed capture (pcaps/**) and every
# capture in ../shared/pcaps/, the SHA-256 chain of each TLS connection that
# smtptap reports equals what tshark extracts from the same capture, in both
# directions (server chains and client chains), and no connection is missing
# on either side; and the connections whose server stapled an OCSP response
# (tls.ocsp_stapled; tshark: an OCSP response in a CertificateStatus or in a
# TLS 1.3 CertificateEntry). A capture with a key log beside it (X.keylog for
# X.pcap) is read by both with that key log, so TLS 1.3 certificates are
# compared too; X.opts holds options for smtptap, X.tshark for tshark; X.same
# names the capture tshark reads instead, one with the same bytes in another
# order that tshark cannot reassemble (tls12-chain-reorder-dup: its segments
# swapped across the two directions).
# Skips (77) when tshark or jq is not installed.
# Usage: tshark_crosscheck.sh SMTPTAP
set -u
bin=$1
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "jq not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for f in $(sh tests/tools/captures.sh all); do
  # Ports smtptap saw SMTP on: decode those as SMTP in tshark too, so that it follows STARTTLS.
  kl="${f%.*}.keylog"
  karg="" targ=""
  if [ -f "$kl" ]; then
    karg="--keylog $kl"
    targ="-o tls.keylog_file:$kl"
  fi
  # a capture that needs an option to read as tshark reads it names it in
  # FILE.opts (tshark's conversations leave VLAN tags out: --ignore-vlan)
  oarg=$(cat "${f%.*}.opts" 2>/dev/null || true)
  # and one that tshark reads only with its own options names them in FILE.tshark
  # (its SMTP does not follow Exchange's X-ANONYMOUSTLS: -d tcp.port==25,tls)
  toarg=$(cat "${f%.*}.tshark" 2>/dev/null || true)
  tf=$(cat "${f%.*}.same" 2>/dev/null || echo "$f")
  # shellcheck disable=SC2086
  # --tls-ports 443: the shared captures' HTTPS is compared too (by default
  # smtptap leaves TLS on 443 out as no mail)
  "$bin" -q --seed 1 --tls-ports 443 $karg $oarg -r "$f" --json "$tmp/out.json" >/dev/null \
    2>"$tmp/err" || true
  ports=$(jq -r 'select(.event=="session") | .server.port' "$tmp/out.json" | sort -un)
  # tshark decodes a port one way: implicit TLS on another port as tls, STARTTLS as
  # smtp; a port smtptap saw both on (pcaps/variants/mixed-2526.pcap) is read a second
  # time as tls (dargs2) and the two readings' certificates are put together
  dargs="$toarg"
  dargs2=""
  for p in $ports; do
    # a port FILE.tshark decodes already (implicit TLS on another port: its -d would lose
    # to a later one)
    case " $toarg " in *" tcp.port==$p,"*) continue ;; esac
    case $p in 25|587|465|443) continue ;; esac
    kinds=$(jq -r --argjson p "$p" 'select(.event=="session" and .server.port == $p) |
             if .smtp.implicit_tls == true then "tls" else "smtp" end' "$tmp/out.json" | sort -u | tr '\n' ' ')
    case $kinds in
      "tls ") dargs="$dargs -d tcp.port==$p,tls" ;;
      "smtp tls ") dargs="$dargs -d tcp.port==$p,smtp" dargs2="$dargs2 -d tcp.port==$p,tls" ;;
      *) dargs="$dargs -d tcp.port==$p,smtp" ;;
    esac
  done
  # ours: "client|server|dir|sha256,sha256" per connection and direction
  jq -r 'select(.event=="session" and .tls != null) |
         (.client.ip + "." + (.client.port|tostring)) as $c |
         (.server.ip + "." + (.server.port|tostring)) as $s |
         ( (if (.tls.server_chain|length) > 0 then "\($c)|\($s)|server|" + (.tls.server_chain|map(.sha256)|join(",")) else empty end),
           (if (.tls.client_chain|length) > 0 then "\($c)|\($s)|client|" + (.tls.client_chain|map(.sha256)|join(",")) else empty end),
           (if .tls.ocsp_stapled == true then "\($c)|\($s)|ocsp" else empty end) )' \
    "$tmp/out.json" | sort > "$tmp/ours"
  # Certificate messages whose lengths do not add up (certificates
  # "malformed": a list length that leaves the intermediate out, an entry
  # past the list) are read by tshark as far as it can, and deliberately
  # not by smtptap (no chain judged from a part): those connections and
  # directions are left out of tshark's side, as "client|server|dir|"
  jq -r 'select(.event=="session" and .tls != null) |
         (.client.ip + "." + (.client.port|tostring)) as $c |
         (.server.ip + "." + (.server.port|tostring)) as $s |
         ( (if .tls.certificates == "malformed" then "\($c)|\($s)|server|" else empty end),
           (if .tls.client_certificates == "malformed" then "\($c)|\($s)|client|" else empty end) )' \
    "$tmp/out.json" > "$tmp/malformed"
  # Connections of other protocols that upgrade to TLS (IMAP, POP3, FTP,
  # XMPP STARTTLS) are out of smtptap's scope: leave them out of tshark's side
  # (smtptap must not report them either, or the diff shows it).
  # shellcheck disable=SC2086
  tshark -n -r "$tf" $dargs -Y 'imap || pop || ftp || xmpp' -T fields -e tcp.stream 2>/dev/null |
    sort -u > "$tmp/other"
  # tshark: one line per Certificate message; the sender decides the direction.
  : > "$tmp/ts.raw"
  for da in "$dargs" ${dargs2:+"$dargs2"}; do
    # shellcheck disable=SC2086
    tshark -n -r "$tf" $da $targ -o tls.desegment_ssl_records:TRUE -o tcp.desegment_tcp_streams:TRUE \
      -Y 'tls.handshake.type == 11' -T fields -E separator='|' -e tcp.stream \
      -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
      -e _ws.col.Source -e _ws.col.Destination \
      -e tls.handshake.certificate 2>/dev/null >> "$tmp/ts.raw"
  done
  : > "$tmp/theirs.all"
  while IFS='|' read -r stream s4 s6 sp d4 d6 dp cs cd certs; do
    [ -n "$certs" ] || continue
    grep -qx "$stream" "$tmp/other" && continue
    src="${s4:-$s6}.$sp"
    dst="${d4:-$d6}.$dp"
    # in a tunnel (pcaps/tunnel) ip.src lists every layer's: the columns
    # name the innermost packet's addresses, the ones smtptap reports
    case "$s4$s6" in *,*|?*.*:*|*:*.?*) src="$cs.$sp" dst="$cd.$dp" ;; esac
    chain=""
    for hex in $(echo "$certs" | tr ',' ' '); do
      h=$(printf '%s' "$hex" | xxd -r -p | sha256sum | cut -c1-64)
      chain="${chain:+$chain,}$h"
    done
    # The server sends its Certificate to the client; tell the two apart by
    # which end smtptap calls the server, else by the lower (well-known) port.
    if grep -q "^$dst|$src|" "$tmp/ours"; then
      echo "$dst|$src|server|$chain"
    elif grep -q "^$src|$dst|" "$tmp/ours"; then
      echo "$src|$dst|client|$chain"
    elif [ "$sp" -lt "$dp" ]; then
      echo "$dst|$src|server|$chain"
    else
      echo "$src|$dst|client|$chain"
    fi >> "$tmp/theirs.all"
  done < "$tmp/ts.raw"
  touch "$tmp/theirs.all"
  while IFS= read -r line; do
    grep -qxF "${line%|*}|" "$tmp/malformed" || echo "$line"
  done < "$tmp/theirs.all" > "$tmp/theirs"
  rm -f "$tmp/theirs.all"
  # the OCSP responses a server stapled, one line per connection (the
  # sender is the server)
  for da in "$dargs" ${dargs2:+"$dargs2"}; do
    # shellcheck disable=SC2086
    tshark -n -r "$tf" $da $targ -Y 'tls.handshake.ocsp_response_len > 0' -T fields -E separator='|' \
      -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport 2>/dev/null
  done |
    while IFS='|' read -r stream s4 s6 sp d4 d6 dp; do
      grep -qx "$stream" "$tmp/other" || echo "${d4:-$d6}.$dp|${s4:-$s6}.$sp|ocsp"
    done >> "$tmp/theirs"
  sort -u "$tmp/theirs" -o "$tmp/theirs"
  sort -u "$tmp/ours" -o "$tmp/ours"
  if diff "$tmp/theirs" "$tmp/ours" > "$tmp/diff"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "MISMATCH $f (< tshark, > smtptap):"
    cat "$tmp/diff"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
