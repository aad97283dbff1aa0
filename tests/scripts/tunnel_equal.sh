#!/bin/sh
# Tunnels (src/decode_tunnel.c): each capture of pcaps/tunnel/ (README there) is
# a capture smtptap reads bare, wrapped in VXLAN, Geneve (and with control packets), GRE, ERSPAN II/III, IP in
# IP, MPLS, PPPoE; its NDJSON must equal the bare capture's in every record, the
# stats record's but for the fields that say a tunnel was taken off (tunnels,
# bytes, memory_peak: a tunnelled connection notes its tunnel; for outer fragments
# their counts), and the sessions' `tunnel`, which is checked against tshark: per
# connection and tunnel id, its first frame's outermost IP addresses and innermost
# VNI, GRE key or ERSPAN session. Then -w on the kernel's VXLAN capture:
# the evidence file keeps the frames whole, outer headers included (read back, each
# frame is VXLAN and the session the same). Usage: tunnel_equal.sh SMTPTAP
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SSL_CERT_FILE=/dev/null
T=pcaps/tunnel

run() { # PCAP CAFILE OUT [options]
  p=$1 ca=$2 out=$3; shift 3
  TZ=UTC "$bin" -q --seed 1 --no-system-ca --ca-file "$ca" "$@" -r "$p" --json "$out" \
    >/dev/null 2>"$tmp/err"
  if grep -q Sanitizer "$tmp/err"; then echo "FAIL $p: sanitizer report"; fail=1; fi
}
# same TUNNELLED BARE CAFILE [jq paths to delete besides]: the reports compared
same() {
  w=$1 o=$2 ca=$3 extra=${4:-}
  run "$w" "$ca" "$tmp/w.json"
  run "$o" "$ca" "$tmp/o.json"
  filt="if .event == \"stats\" then del(.tunnels, .bytes, .memory_peak$extra) else del(.tunnel) end"
  jq -cS "$filt" "$tmp/w.json" >"$tmp/w.cmp"
  jq -cS "$filt" "$tmp/o.json" >"$tmp/o.cmp"
  n=$(jq -c 'select(.event == "stats") | .tunnels' "$tmp/w.json")
  s=$(jq -r 'select(.event == "stats") | .sessions' "$tmp/o.json")
  if [ "$n" = "null" ] || [ -z "$n" ] || [ "${s:-0}" -eq 0 ]; then
    echo "FAIL $w: no tunnel taken off ($n), or $o has no session"; fail=1
  elif ! cmp -s "$tmp/w.cmp" "$tmp/o.cmp"; then
    echo "FAIL $w: its report differs from $o's:"; diff "$tmp/o.cmp" "$tmp/w.cmp" | cut -c1-300 | head -6
    fail=1
  else
    echo "ok   $w = $o ($(wc -l <"$tmp/w.cmp") records; $s sessions; tunnels $n)"
  fi
}

# tunnel_of TUNNELLED CAFILE KIND IDFIELD ADDR [TSHARK OPTIONS]: each session's `tunnel` (kind, id,
# outer_src, outer_dst) against tshark's first TCP frame of each connection and id: the
# innermost IDFIELD (- : none named, id null) and the outermost ADDR.src/dst (- : none
# outside the tunnel, null); as many sessions as connections
tunnel_of() {
  w=$1 ca=$2 kind=$3 idf=$4 addr=$5 topts=${6:-}
  run "$w" "$ca" "$tmp/t.json"
  jq -r 'select(.event == "session") |
    "\(.tunnel.kind) \(.tunnel.id) \(.tunnel.outer_src) \(.tunnel.outer_dst)"' "$tmp/t.json" |
    sort >"$tmp/t.got"
  f="-e tcp.stream"
  [ "$idf" != - ] && f="$f -e $idf"
  [ "$addr" != - ] && f="$f -e $addr.src -e $addr.dst"
  # shellcheck disable=SC2086
  tshark -r "$w" $topts -Y 'tcp' -T fields -E occurrence=a -E separator=' ' $f 2>/dev/null |
    while read -r st a b c; do
      if [ "$idf" = - ]; then id=null src=$a dst=$b
      else id=$(($(echo "$a" | tr ',' '\n' | tail -1))) src=$b dst=$c; fi
      if [ "$addr" = - ]; then src=null dst=null
      else src=${src%%,*} dst=${dst%%,*}; fi
      echo "$st $id $kind $src $dst"
    done | awk '!seen[$1 " " $2]++ { print $3, $2, $4, $5 }' | sort >"$tmp/t.exp"
  if [ -s "$tmp/t.exp" ] && cmp -s "$tmp/t.got" "$tmp/t.exp"; then
    echo "ok   $w: tunnel $(head -1 "$tmp/t.exp") ($(wc -l <"$tmp/t.exp") sessions), as tshark"
  else
    echo "FAIL $w: session tunnel differs from tshark's:"; diff "$tmp/t.exp" "$tmp/t.got" | head -6
    fail=1
  fi
}

# labels_of TUNNELLED [TSHARK OPTIONS]: each session's tunnel.mpls_labels (outermost first) against tshark's
# mpls.label list of its connection's first frame (a stack per direction: the first packet's)
labels_of() {
  w=$1 topts=${2:-}
  run "$w" pcaps/certs/root.pem "$tmp/l.json"
  jq -r 'select(.event == "session") | .tunnel.mpls_labels | map(tostring) | join(",")' \
    "$tmp/l.json" | sort >"$tmp/l.got"
  # shellcheck disable=SC2086
  tshark -r "$w" $topts -Y tcp -T fields -E occurrence=a -e tcp.stream -e mpls.label 2>/dev/null |
    awk '!seen[$1]++ { print $2 }' | sort >"$tmp/l.exp"
  if [ -s "$tmp/l.exp" ] && cmp -s "$tmp/l.got" "$tmp/l.exp"; then
    echo "ok   $w: mpls_labels $(head -1 "$tmp/l.exp") ($(wc -l <"$tmp/l.exp") sessions), as tshark"
  else
    echo "FAIL $w: mpls_labels differ from tshark's:"; diff "$tmp/l.exp" "$tmp/l.got" | head -6
    fail=1
  fi
}

O=pcaps/smtp-starttls-tls12-chain.pcap
tunnel_of $T/tls12-chain-vxlan-gre.pcap pcaps/certs/root.pem vxlan vxlan.vni ip
tunnel_of $T/tls12-chain-gre-ip.pcap pcaps/certs/root.pem gre gre.key ip
tunnel_of $T/tls12-chain-gre-eth.pcap pcaps/certs/root.pem gre - ip
tunnel_of $T/tls12-chain-erspan2.pcap pcaps/certs/root.pem erspan_ii erspan.spanid ip
tunnel_of $T/tls12-chain-erspan3.pcap pcaps/certs/root.pem erspan_iii erspan.spanid ip
tunnel_of $T/tls12-chain-geneve.pcap pcaps/certs/root.pem geneve geneve.vni ip
tunnel_of $T/tls12-chain-ipip.pcap pcaps/certs/root.pem ipip - ip
tunnel_of $T/tls12-chain-mpls.pcap pcaps/certs/root.pem mpls - -
tunnel_of $T/tls12-chain-mpls-eth.pcap pcaps/certs/root.pem mpls - - '-d mpls.label==2000,pwethnocw'
tunnel_of $T/tls12-chain-mpls-ethcw.pcap pcaps/certs/root.pem mpls - - '-d mpls.label==2000,pwethcw'
tunnel_of $T/tls12-chain-mpls-lsp.pcap pcaps/certs/root.pem mpls - -
labels_of $T/tls12-chain-mpls.pcap
labels_of $T/tls12-chain-mpls-eth.pcap '-d mpls.label==2000,pwethnocw'
labels_of $T/tls12-chain-mpls-ethcw.pcap '-d mpls.label==2000,pwethcw'
labels_of $T/tls12-chain-mpls-lsp.pcap
tunnel_of $T/tls12-chain-pppoe.pcap pcaps/certs/root.pem pppoe - -
tunnel_of $T/tls12-chain-vxlan-split.pcap pcaps/certs/root.pem vxlan vxlan.vni ip
tunnel_of $T/tls12-chain-vxlan-innerfrag.pcap pcaps/certs/root.pem vxlan vxlan.vni ip
tunnel_of $T/tls12-chain-vxlan-nestfrag.pcap pcaps/certs/root.pem vxlan vxlan.vni ip
tunnel_of $T/tls12-chain-erspan2-frag.pcap pcaps/certs/root.pem erspan_ii erspan.spanid ip
tunnel_of $T/ipv6-6in4.pcap pcaps/certs/root.pem ipv6_in_ip - ip
tunnel_of $T/vxlan-starttls.pcap $T/certs/root.pem vxlan vxlan.vni ip
tunnel_of $T/vxlan-frag.pcap $T/certs/root.pem vxlan vxlan.vni ip
for k in vxlan-gre gre-ip gre-eth erspan2 erspan3 geneve ipip mpls mpls-eth mpls-ethcw mpls-lsp pppoe; do
  same $T/tls12-chain-$k.pcap $O pcaps/certs/root.pem
done
# Geneve control packets (O bit, RFC 8926 §3.4), each before a data frame with its payload
# replaced: not analysed (the report is the bare capture's), counted as tshark counts them
same $T/tls12-chain-geneve-oam.pcap $O pcaps/certs/root.pem ', .packets'
oam=$(jq -r 'select(.event == "stats") | .tunnels.oam' "$tmp/w.json")
ts=$(tshark -r $T/tls12-chain-geneve-oam.pcap -Y 'geneve.flags.oam == 1' 2>/dev/null | wc -l)
if [ "$ts" -gt 0 ] && [ "$oam" = "$ts" ]; then
  echo "ok   $T/tls12-chain-geneve-oam.pcap: $oam control packets counted (tunnels.oam), as tshark"
else
  echo "FAIL $T/tls12-chain-geneve-oam.pcap: tunnels.oam '$oam', tshark's O-bit frames $ts"; fail=1
fi
same $T/ipv6-6in4.pcap pcaps/smtp-ipv6.pcap pcaps/certs/root.pem
# An SRv6 header in the client's packets (no tunnel: docs/capture.md, IPv6 Routing headers): the
# server is the final destination, as tshark shows it; the report is the bare capture's
run $T/ipv6-srh.pcap pcaps/certs/root.pem "$tmp/w.json"
run pcaps/smtp-ipv6.pcap pcaps/certs/root.pem "$tmp/o.json"
filt='if .event == "stats" then del(.bytes, .memory_peak) else . end'
jq -cS "$filt" "$tmp/w.json" >"$tmp/w.cmp"
jq -cS "$filt" "$tmp/o.json" >"$tmp/o.cmp"
srv=$(jq -r 'select(.event == "session") | .server.ip' "$tmp/w.json" | sort -u)
tsrv=$(tshark -r $T/ipv6-srh.pcap -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields \
  -e ipv6.routing.srh.addr 2>/dev/null | sort -u)
if [ -n "$srv" ] && [ "$srv" = "$tsrv" ] && cmp -s "$tmp/w.cmp" "$tmp/o.cmp"; then
  echo "ok   $T/ipv6-srh.pcap = pcaps/smtp-ipv6.pcap; server $srv, tshark's Segment List[0]"
else
  echo "FAIL $T/ipv6-srh.pcap: server '$srv' (tshark '$tsrv'), or the report differs:"
  diff "$tmp/o.cmp" "$tmp/w.cmp" | cut -c1-300 | head -6
  fail=1
fi
same $T/tls12-chain-vxlan-innerfrag.pcap $O pcaps/certs/root.pem \
  ', .packets, .fragments, .fragment_datagrams'
# GRE (ERSPAN) in fragments: reassembled, then taken off
same $T/tls12-chain-erspan2-frag.pcap $O pcaps/certs/root.pem \
  ', .packets, .fragments, .fragment_datagrams'
# fragments in VXLAN inside outer datagrams themselves in fragments: both reassembled
same $T/tls12-chain-vxlan-nestfrag.pcap $O pcaps/certs/root.pem \
  ', .packets, .fragments, .fragment_datagrams'
same $T/vxlan-starttls.pcap $T/vxlan-inner.pcap $T/certs/root.pem
same $T/vxlan-frag.pcap $T/vxlan-inner.pcap $T/certs/root.pem \
  ', .packets, .fragments, .fragment_datagrams'

# -w: the frames as captured, VXLAN and all
run $T/vxlan-starttls.pcap $T/certs/root.pem "$tmp/a.json" -w "$tmp/ev.pcap"
run "$tmp/ev.pcap" $T/certs/root.pem "$tmp/b.json"
frames=$(jq -r 'select(.event == "stats") | .evidence.frames' "$tmp/a.json")
got=$(jq -r 'select(.event == "stats") | "\(.packets) \(.tunnels.vxlan)"' "$tmp/b.json")
c1=$(jq -r 'select(.event == "session") | .certs[0].sha256' "$tmp/a.json")
c2=$(jq -r 'select(.event == "session") | .certs[0].sha256' "$tmp/b.json")
if [ "${frames:-0}" -gt 0 ] && [ "$got" = "$frames $frames" ] && [ -n "$c1" ] && [ "$c1" = "$c2" ]; then
  echo "ok   -w on VXLAN: $frames frames written, each VXLAN read back; the same certificate"
else
  echo "FAIL -w on VXLAN: $frames frames written; read back: packets, vxlan '$got'; cert '$c1' '$c2'"
  fail=1
fi

# -w on a datagram reassembled from fragments INSIDE VXLAN: one frame, the last fragment's outer
# headers made to carry the whole datagram (src/evidence_outer.c: IPv4 total length and checksum,
# UDP length and checksum); Wireshark, checksums checked, finds nothing wrong, and the evidence
# file read back gives the same report
# wfrag CAPTURE WHAT
wfrag() {
  run "$1" pcaps/certs/root.pem "$tmp/a.json" -w "$tmp/ev.pcap"
  run "$tmp/ev.pcap" pcaps/certs/root.pem "$tmp/b.json"
  re=$(jq -r 'select(.event == "stats") | .evidence.reassembled' "$tmp/a.json")
  nw=$(jq -r 'select(.event == "stats") | .evidence.reassembled_not_written' "$tmp/a.json")
  # tls.after_handshake: the records after the handshake are never written (-w cuts
  # them), so the file read back cannot show them (src/engine_tcp.c engine_tcp_after_cut)
  jq -cS 'select(.event != "stats") | if .tls then del(.tls.after_handshake) else . end' \
    "$tmp/a.json" >"$tmp/a.cmp"
  jq -cS 'select(.event != "stats") | if .tls then del(.tls.after_handshake) else . end' \
    "$tmp/b.json" >"$tmp/b.cmp"
  bad=$(tshark -r "$tmp/ev.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
    -Y '_ws.malformed || _ws.expert.severity >= error' 2>/dev/null | wc -l)
  if [ "${re:-0}" -gt 0 ] && [ "$bad" -ne 0 ]; then
    echo "FAIL -w on $2: tshark flags $bad frames"; fail=1
  elif [ "${re:-0}" -gt 0 ] && [ "${nw:-0}" = 0 ] && cmp -s "$tmp/a.cmp" "$tmp/b.cmp"; then
    echo "ok   -w on $2: $re reassembled frames, tshark errors: $bad; the same report read back"
  else
    echo "FAIL -w on $2: $re reassembled, $nw not written; read back differs:"
    diff "$tmp/a.cmp" "$tmp/b.cmp" | cut -c1-200 | head -4; fail=1
  fi
}
wfrag $T/tls12-chain-vxlan-innerfrag.pcap "fragments in VXLAN"
# and on fragments in VXLAN inside outer datagrams in fragments: the tunnel's headers from the
# outer datagram reassembled, then the inner datagram, written as one frame
wfrag $T/tls12-chain-vxlan-nestfrag.pcap "fragments in VXLAN in fragments"
wfrag $T/tls12-chain-erspan2-frag.pcap "ERSPAN in fragments"
exit $fail
