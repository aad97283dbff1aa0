#!/bin/sh
# checktunnel.sh — checks pcaps/tunnel/ with tshark (Wireshark's own dissectors): no frame
# malformed, and the inner packets' fields, frame by frame (the TCP segments and what
# tshark reads of TLS and X.509 in them, with each frame's time), equal to those of the
# capture that was wrapped (pcaps/tools/mktunnel.py), or of the VXLAN capture's inner frames.
# Prints each file's protocol chain; exits 1 on a difference.   usage: sh pcaps/tools/checktunnel.sh
# TSHARK_OPTS: options for the tunnelled file only (Decode As where Wireshark 4.0 does not guess:
# an Ethernet pseudowire after MPLS, which smtptap tells by its first bytes).
set -u
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rc=0
fields() { # FILE ADDRFIELDS...: tshark's fields of its TCP frames: addresses and ports, the
  f=$1 opts=${opts:-}; shift # last occurrence (the innermost); TLS and X.509, every occurrence
  a=""; for x in "$@" tcp.stream tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.len tcp.flags \
      frame.time_epoch; do a="$a -e $x"; done
  # shellcheck disable=SC2086
  tshark -r "$f" $opts -Y tcp -T fields -E occurrence=l $a 2>/dev/null >"$tmp/f1"
  # shellcheck disable=SC2086
  tshark -r "$f" $opts -Y tcp -T fields -E occurrence=a -e tls.record.content_type -e tls.handshake.type \
    -e x509af.serialNumber -e x509ce.dNSName -e x509sat.uTF8String -e x509sat.printableString \
    2>/dev/null >"$tmp/f2"
  [ -s "$tmp/f1" ] && paste "$tmp/f1" "$tmp/f2"
}
check() { # WRAPPED ORIGINAL ADDR...
  w=$1 o=$2; shift 2
  # shellcheck disable=SC2086
  bad=$(tshark -r "$w" ${TSHARK_OPTS:-} -Y '_ws.malformed || _ws.expert.severity >= error' \
    2>/dev/null | wc -l)
  opts=${TSHARK_OPTS:-} fields "$w" "$@" >"$tmp/w"; opts='' fields "$o" "$@" >"$tmp/o"
  # shellcheck disable=SC2086
  chain=$(tshark -r "$w" ${TSHARK_OPTS:-} -Y 'tcp.len > 0' -T fields -e frame.protocols 2>/dev/null | sort | uniq -c |
          sort -rn | head -1 | awk '{print $2}')
  if [ "$bad" -ne 0 ] || ! cmp -s "$tmp/w" "$tmp/o" || [ ! -s "$tmp/o" ]; then
    echo "FAIL $w: $bad malformed; fields differ from $o:"; diff "$tmp/o" "$tmp/w" | head -5; rc=1
  else
    echo "ok   $w ($(wc -l <"$tmp/w") TCP frames as in $o) $chain"
  fi
}
# check_sel FILTER WRAPPED ORIGINAL ADDR...: the frames of WRAPPED tshark's FILTER selects, checked
# as one file; and what it leaves out, counted (Geneve's control packets, O bit: none analysed)
check_sel() {
  filter=$1 w=$2; shift 2
  tshark -r "$w" -Y "$filter" -w "$tmp/sel.pcap" 2>/dev/null
  left=$(tshark -r "$w" -Y "!($filter)" 2>/dev/null | wc -l)
  echo "     $w: $left frames not ($filter)"
  check "$tmp/sel.pcap" "$@"
}
T=pcaps/tunnel O=pcaps/smtp-starttls-tls12-chain.pcap
for k in gre-ip gre-eth erspan2 erspan3 geneve ipip mpls mpls-lsp pppoe vxlan-gre vxlan-split vxlan-nestfrag \
  erspan2-frag; do
  check $T/tls12-chain-$k.pcap $O ip.src ip.dst
done
TSHARK_OPTS='-d mpls.label==2000,pwethnocw' check $T/tls12-chain-mpls-eth.pcap $O ip.src ip.dst
TSHARK_OPTS='-d mpls.label==2000,pwethcw' check $T/tls12-chain-mpls-ethcw.pcap $O ip.src ip.dst
check_sel 'geneve.flags.oam == 0' $T/tls12-chain-geneve-oam.pcap $O ip.src ip.dst
check $T/ipv6-6in4.pcap pcaps/smtp-ipv6.pcap ipv6.src ipv6.dst
check $T/vxlan-starttls.pcap $T/vxlan-inner.pcap ip.src ip.dst
check $T/vxlan-frag.pcap $T/vxlan-inner.pcap ip.src ip.dst
exit $rc
