#!/bin/sh
# -w FILE (src/evidence.h), on every bundled capture of pcaps/ and pcaps/diag/:
#  1. nothing a client sends from AUTH or MAIL on reaches the file: no envelope
#     (MAIL FROM, RCPT TO), no message text (Subject:, From:), no AUTH PLAIN
#     credential of pcaps/diag/submission-alert-46.pcap, no 334 challenge;
#     the originals do hold them (else this proves nothing);
#  2. the file is evidence: smtptap reading it back sees, per session, the same
#     STARTTLS outcome, TLS version, SNI, handshake, certificates and chains
#     (server and client) and alerts as in the original; SMTP on a port that is
#     no mail port is written from the packet that showed SMTP (its SYN goes
#     by first), so pcaps/smtp-nonstandard-port.pcap is compared with
#     --ports 2525 and must differ without it (its connection is then picked up
#     without a handshake), which its sessions' anomaly evidence.starts_at_detection
#     and the stats' evidence.from_detection say, its detail whether the SYN was seen
#     (pcaps/variants/smtps-4650-no-syn.pcap: a SYN-ACK alone, or picked up midstream);
#  3. the stats record says what was written, whichever reader reads the file; -w - and -w over an input are
#     refused (2, and 3 with the input untouched), an unwritable -w is 3, a full disk says so;
#  4. pcaps/variants/evidence-leaks.pcap's connections, each made to leak, leak nothing
#     (a command in clear after the ClientHello among them: the client's TLS record framing);
#     its ClientHello in two segments is written whole; 40017-40020 are for the hold-back
#     queue (a reply ahead of the MAIL it repeats, a lost EHLO and 40 segments after it, a 220,
#     ClientHello and AUTH ahead of their STARTTLS, a server in clear after its hello);
#  5. a reordered capture (pcaps/variants/tls12-chain-reorder-dup.pcap): the STARTTLS that
#     came after the ClientHello, which came ahead of it, is written;
#  6. IP fragments (pcaps/frag/): each datagram written as one frame, reassembled, so the
#     evidence shows the chains they carried (in the loop of 2).
#  7. the hold-back queue (pcaps/tools/mktwotap.py: two taps merged out of order): the
#     220 to STARTTLS that came before the STARTTLS, and the ClientHello that came before
#     both, are written, and the evidence shows the same sessions as the original; the
#     frames are written in capture order, time stamps as captured; a STARTTLS lost for
#     good keeps what waited for it cut; the queue's bounds (evidence-leaks.pcap 40018)
#     cut what they give up on.
#  8. the server's segments out of order (tls12-chain-reorder-dup.pcap, and the twotap
#     captures): the Certificate's rest that came before its ServerHello is held and
#     written, so the evidence shows each chain whole (as the original does, for the
#     connections whose SYN was seen); the server's application_data records (TLS 1.2:
#     none is a handshake's) are never written, those that came before the server's
#     Finished neither.
#  9. an evidence file read back tells its frames cut on purpose (shorter than the file's
#     snapshot length) as cut after capture (and a session whose mail it cut as
#     commands-cut, not no-mail), not as cut by the snaplen with the advice
#     "capture whole packets (-s 0)" (which it gave); a capture cut at its snaplen
#     (tls12-chain-snap96.pcap) keeps that advice.
# 12. connections picked up midstream: their server's TLS handshake is written, nothing
#     of their client's.
# Usage: evidence_write.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "skip: jq not installed"; exit 77; }
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

proj='select(.event=="session") | [.client.ip, .client.port, .server.ip, .server.port,
  .smtp.starttls_offered, .smtp.starttls_command, .smtp.starttls_reply_code, .smtp.tls_started,
  .tls.version, .tls.sni, .tls.handshake, .tls.certificates, [.tls.server_chain[]?.sha256],
  [.tls.client_chain[]?.sha256], [.tls.alerts[]? | {from, code, after, encrypted}]]'

# run NAME PCAP [OPTIONS]: original and evidence read back, projected
run() {
  name=$1 pcap=$2
  shift 2
  kl=
  [ -f "${pcap%.pcap}.keylog" ] && kl="--keylog ${pcap%.pcap}.keylog"
  # shellcheck disable=SC2086
  "$bin" -q --no-system-ca $kl "$@" -r "$pcap" -w "$tmp/$name.pcap" --json "$tmp/$name.a.json" ||
    { echo "FAIL $pcap: exit $? with -w"; fail=1; }
  # shellcheck disable=SC2086
  "$bin" -q --no-system-ca $kl "$@" -r "$tmp/$name.pcap" --json "$tmp/$name.b.json" ||
    { echo "FAIL $pcap: exit $? reading its evidence file"; fail=1; }
  jq -c "$proj" "$tmp/$name.a.json" | sort >"$tmp/$name.a"
  jq -c "$proj" "$tmp/$name.b.json" | sort >"$tmp/$name.b"
}

n=0
for pcap in pcaps/*.pcap pcaps/diag/*.pcap pcaps/frag/*.pcap; do
  name=$(echo "$pcap" | tr / _)
  case $pcap in *smtp-nonstandard-port.pcap) continue ;; esac
  run "$name" "$pcap"
  if ! cmp -s "$tmp/$name.a" "$tmp/$name.b"; then
    echo "FAIL $pcap: its evidence file does not show the same TLS sessions"
    diff "$tmp/$name.a" "$tmp/$name.b" | head -6
    fail=1
  fi
  if ! grep -q '"evidence":{"file":' "$tmp/$name.a.json"; then
    echo "FAIL $pcap: no evidence object in the stats record"
    fail=1
  fi
  n=$((n + 1))
done
run ns pcaps/smtp-nonstandard-port.pcap --ports 2525
cmp -s "$tmp/ns.a" "$tmp/ns.b" || { echo "FAIL nonstandard port with --ports 2525"; fail=1; }
[ -s "$tmp/ns.a" ] || { echo "FAIL nonstandard port: no session"; fail=1; }
run ns2 pcaps/smtp-nonstandard-port.pcap
cmp -s "$tmp/ns2.a" "$tmp/ns2.b" && { echo "FAIL nonstandard port: the SYN was written?"; fail=1; }
# which is said: each session's anomaly, the stats' count; with --ports neither
jq -e -s '[.[] | select(.event=="session")] | length == 2 and
  all(.anomalies | any(.name == "evidence.starts_at_detection"))' "$tmp/ns2.a.json" >/dev/null &&
  jq -e 'select(.event=="stats") | .evidence.from_detection == 2' "$tmp/ns2.a.json" >/dev/null ||
  { echo "FAIL nonstandard port: evidence.starts_at_detection or from_detection not said"; fail=1; }
jq -e -s '([.[] | select(.event=="session") | .anomalies[] | select(.name == "evidence.starts_at_detection")]
  | length == 0) and ([.[] | select(.event=="stats")][0].evidence.from_detection == 0)' "$tmp/ns.a.json" \
  >/dev/null || { echo "FAIL nonstandard port with --ports: said to start at detection"; fail=1; }
# its detail says what came before: the SYN (not kept, --ports), the SYN-ACK alone, or no
# handshake at all (pcaps/variants/smtps-4650-no-syn.pcap: TLS on 4650, one connection
# picked up midstream, the other's SYN not captured); never a SYN the capture lacks
det='select(.event=="session") | [.client.port, (.anomalies[] |
  select(.name == "evidence.starts_at_detection") | .detail)] | @tsv'
jq -r "$det" "$tmp/ns2.a.json" | grep -q "its SYN, TCP handshake not kept (--ports)" ||
  { echo "FAIL nonstandard port: its SYN not said"; fail=1; }
"$bin" -q --no-system-ca -r pcaps/variants/smtps-4650-no-syn.pcap -w "$tmp/nosyn.pcap" \
  --json "$tmp/nosyn.json" || { echo "FAIL smtps-4650-no-syn: exit $?"; fail=1; }
jq -r "$det" "$tmp/nosyn.json" | sort >"$tmp/nosyn.det"
printf '%s\t%s\n' 35094 "-w: written from the packet that showed SMTP or TLS; SYN-ACK not kept (--ports), no SYN seen" \
  48750 "-w: written from the packet that showed SMTP or TLS; no SYN captured (picked up midstream)" |
  cmp -s - "$tmp/nosyn.det" ||
  { echo "FAIL smtps-4650-no-syn: the details do not say which start was captured"; cat "$tmp/nosyn.det"; fail=1; }

# 1. nothing of the mail or its credentials
b64=$(printf '\000alice@example.test\000%s' Sub587-test-pass | base64)
for s in "MAIL FROM" "RCPT TO" "Subject:" "From:" "$b64" "334 "; do
  # shellcheck disable=SC2046
  if ! cat pcaps/*.pcap pcaps/diag/*.pcap | grep -aqF -- "$s"; then
    echo "FAIL the bundled captures do not hold '$s' (the check proves nothing)"
    fail=1
  fi
  for f in "$tmp"/*.pcap; do
    if grep -aqF -- "$s" "$f"; then
      echo "FAIL '$s' written to the evidence file of $(basename "$f")"
      fail=1
    fi
  done
done
# pcaps/variants/evidence-leaks.pcap (pcaps/tools/mkevidence.py): connections
# made to leak (STARTTLS then AUTH in clear, replies repeating the envelope,
# bodies picked up midstream that open like a ClientHello, retransmissions
# with other bytes, a bare CR, bytes past the IP datagram): every secret in
# them holds SECRET, or U0VDUkVU in base64
v=pcaps/variants/evidence-leaks.pcap
"$bin" -q -r $v -w "$tmp/leaks.pcap" --json "$tmp/leaks.json" || { echo "FAIL $v: exit $?"; fail=1; }
for s in SECRET U0VDUkVU; do
  grep -aqF $s $v || { echo "FAIL $v does not hold $s (the check proves nothing)"; fail=1; }
  if grep -aqF $s "$tmp/leaks.pcap"; then
    echo "FAIL written from $v: $(grep -aoE "$s[A-Za-z0-9+/=-]*" "$tmp/leaks.pcap" | sort -u | tr '\n' ' ')"
    fail=1
  fi
done
jq -e 'select(.event=="stats") | .evidence | .frames > 100' "$tmp/leaks.json" >/dev/null ||
  { echo "FAIL $v: its frames were not written"; fail=1; }
# 40016: a ClientHello in two segments, the second inside its record: whole
"$bin" -q -r "$tmp/leaks.pcap" --json - |
  jq -e -s 'any(.[]; .event=="session" and .client.port==40016 and .tls.sni=="mail.example.test")' \
    >/dev/null || { echo "FAIL $v: the ClientHello in two segments was not written whole"; fail=1; }

# 5. reordered: STARTTLS (in order once the EHLO came) is written although the
# ClientHello after it came first (held ahead, then joined), and so is the client's
# next flight
v=pcaps/variants/tls12-chain-reorder-dup.pcap
"$bin" -q -r $v -w "$tmp/reorder.pcap" || { echo "FAIL $v: exit $?"; fail=1; }
"$bin" -q -r "$tmp/reorder.pcap" --json - |
  jq -e -s '[.[] | select(.event=="session")] | length == 2 and all(.smtp.starttls_command)' \
    >/dev/null || { echo "FAIL $v: STARTTLS not written after a reordered ClientHello"; fail=1; }

# 7. the hold-back queue
for t in twotap twotap-hello-first twotap-lost; do
  v=pcaps/variants/tls12-chain-$t.pcap
  run "$t" "$v"
  jq -e 'select(.event=="stats") | .evidence.held > 0' "$tmp/$t.a.json" >/dev/null ||
    { echo "FAIL $v: nothing held"; fail=1; }
  # every frame written (in capture order, time stamps as captured: below)
  n1=$(jq 'select(.event=="stats") | .packets' "$tmp/$t.a.json")
  n2=$(jq 'select(.event=="stats") | .packets' "$tmp/$t.b.json")
  [ "$n1" = "$n2" ] || { echo "FAIL $v: $n1 frames, $n2 written"; fail=1; }
done
jq -e -s '[.[] | select(.event=="session")] | length == 3 and
  all(.smtp.starttls_reply_code == 220 and .tls.sni == "mail.example.test" and
      .tls.handshake == "complete" and (.tls.certificates | length) == 7)' "$tmp/twotap.b.json" \
  >/dev/null || { echo "FAIL twotap: the 220, a ClientHello or a certificate not written"; fail=1; }
cmp -s "$tmp/twotap.a" "$tmp/twotap.b" ||
  { echo "FAIL twotap: its evidence does not show the same TLS sessions"; fail=1; }
jq -e -s '[.[] | select(.event=="session")] | length == 3 and
  all(.smtp.starttls_command and .smtp.starttls_reply_code == 220 and .tls.sni == "mail.example.test")' \
  "$tmp/twotap-hello-first.b.json" >/dev/null ||
  { echo "FAIL twotap-hello-first: a ClientHello ahead of its STARTTLS not written"; fail=1; }
jq -e -s 'any(.[]; .event=="session" and .client.port==60860 and .smtp.starttls_reply_code == null
  and .tls.sni == null)' "$tmp/twotap-lost.b.json" >/dev/null ||
  { echo "FAIL twotap-lost: what waited for a lost STARTTLS was written"; fail=1; }
if command -v python3 >/dev/null 2>&1; then
  python3 - "$tmp"/twotap*.pcap "$tmp/leaks.pcap" <<'PYEOF' || { echo "FAIL time stamps out of order"; fail=1; }
import struct, sys
for p in sys.argv[1:]:
    d = open(p, "rb").read()
    o, last = 24, -1
    while o + 16 <= len(d):
        s, u, cl = struct.unpack("<III", d[o:o + 12])
        t = s * 1000000 + u
        if t < last:
            sys.exit(p + ": a time stamp goes back")
        last, o = t, o + 16 + cl
PYEOF
fi
"$bin" -q -r "$tmp/leaks.pcap" --json - |
  jq -e -s 'any(.[]; .event=="session" and .client.port==40019 and .smtp.starttls_reply_code==220
    and .tls.sni=="mail.example.test")' >/dev/null ||
  { echo "FAIL $v: 40019's 220 and ClientHello, ahead of the STARTTLS, not written"; fail=1; }
jq -e 'select(.event=="stats") | .evidence.held > 0 and .evidence.held_given_up > 0' \
  "$tmp/leaks.json" >/dev/null || { echo "FAIL evidence-leaks: the queue's bound not reached"; fail=1; }

# 8. the server's segments out of order
run reorder-dup pcaps/variants/tls12-chain-reorder-dup.pcap
for port in 60860 51450; do
  want=$(jq -c "select(.event==\"session\" and .client.port==$port) | [.tls.server_chain[]?.sha256]" \
    "$tmp/reorder-dup.a.json")
  got=$(jq -c "select(.event==\"session\" and .client.port==$port and .tls.handshake==\"complete\"
    and .tls.certificates==\"visible\") | [.tls.server_chain[]?.sha256]" "$tmp/reorder-dup.b.json")
  { [ -n "$want" ] && [ "$want" != "[]" ] && [ "$want" = "$got" ]; } ||
    { echo "FAIL reorder-dup $port: the server's chain not written whole ($got, not $want)"; fail=1; }
done
if command -v python3 >/dev/null 2>&1; then
  # the server's TLS records in the file: followed from its ServerHello over the bytes
  # written (each once), and at the start of any other segment written whole
  python3 - "$tmp/reorder-dup.pcap" "$tmp"/twotap*.pcap <<'PYEOF' || fail=1
import struct, sys
bad = 0
for path in sys.argv[1:]:
    d = open(path, "rb").read()
    e = "<" if d[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    segs = {}  # (server, client port) -> {seq: payload written whole}
    o = 24
    while o + 16 <= len(d):
        cl, wl = struct.unpack(e + "II", d[o + 8:o + 16])
        fr, o = d[o + 16:o + 16 + cl], o + 16 + cl
        ip = fr[14:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        tot, ihl = struct.unpack(">H", ip[2:4])[0], (ip[0] & 15) * 4
        tcp = ip[ihl:]
        sp, dp, seq = struct.unpack(">HHI", tcp[:8])
        pay = tcp[(tcp[12] >> 4) * 4:tot - ihl]
        if sp == 25 and pay and len(pay) == tot - ihl - (tcp[12] >> 4) * 4:
            segs.setdefault(dp, {})[seq] = pay
    for port, by in segs.items():
        hello = [s for s, p in by.items() if p[:1] == b"\x16" and p[5:6] == b"\x02"]
        covered, types = set(), []
        if hello:
            at, buf = hello[0], b""
            while at in by:  # the bytes written, in order from the ServerHello
                covered.add(at)
                buf, at = buf + by[at], (at + len(by[at])) & 0xffffffff
            i = 0
            while i + 5 <= len(buf):
                types.append(buf[i])
                i += 5 + (buf[i + 3] << 8 | buf[i + 4])
        types += [p[0] for s, p in by.items() if s not in covered and p[:2] == b"\x17\x03"]
        if 23 in types:
            print("FAIL %s: %d application_data record(s) of the server's (port %d) written"
                  % (path.rsplit("/", 1)[-1], types.count(23), port))
            bad = 1
sys.exit(bad)
PYEOF
fi

# 9. a hole in the server's stream after its framing started
#    (pcaps/tools/mkhole.py): the framing is found again at a record boundary
#    (a header followed by another, or by the segment's end), so the records
#    after the hole are written: the Certificate that opens a segment after a
#    hole before it (held until the next segment shows its end), the records
#    after a hole in it (the segment that holds its rest is cut); no
#    application_data record of the server's, and nothing else cut is written;
#    a Certificate that starts inside the segment after the hole, after the rest of
#    the ServerHello the hole cut (tls12-chain-hole-mid.pcap), is written too: that
#    segment held, then written whole once the next shows the header after it
if command -v python3 >/dev/null 2>&1; then
  for h in sh crt mid; do
    v=pcaps/variants/tls12-chain-hole-$h.pcap
    "$bin" -q -r $v -w "$tmp/hole-$h.pcap" --json "$tmp/hole-$h.json" || { echo "FAIL $v: exit $?"; fail=1; }
  done
  python3 - "$tmp" <<'PYEOF' || fail=1
import struct, sys
def frames(path):
    """(first payload byte, the 6th, payload length, written whole) of the server's data frames"""
    d = open(path, "rb").read()
    out, o = [], 24
    while o + 16 <= len(d):
        cl, wl = struct.unpack("<II", d[o + 8:o + 16])
        fr, o = d[o + 16:o + 16 + cl], o + 16 + cl
        ip = fr[14:]
        ihl, tot = (ip[0] & 15) * 4, struct.unpack(">H", ip[2:4])[0]
        tcp = ip[ihl:]
        sp, dp = struct.unpack(">HH", tcp[:4])
        plen = tot - ihl - (tcp[12] >> 4) * 4
        pay = tcp[(tcp[12] >> 4) * 4:]
        if sp == 25 and dp == 60860 and plen > 0:
            out.append((pay[:1].hex(), pay[5:6].hex(), plen, "W" if len(pay) >= plen else "C"))
    return out
want = {
    # the 220s and 250s; the ServerHello's head (its record's rest lost); the
    # Certificate (held, then written), frame 13 (its rest, SKE, SHD); the
    # NewSessionTicket flight; application data cut
    "sh": "50W 154W 30W 40W 1378W 747W 242W 169C 43C 43C 66C 66C 44C 31C",
    # the ServerHello; the segment after the hole (the Certificate's rest,
    # then SKE and SHD: found again at the SKE) cut; the NewSessionTicket,
    # ChangeCipherSpec and Finished written
    "crt": "50W 154W 30W 70W 747C 242W 169C 43C 43C 66C 66C 44C 31C",
    # the ServerHello's head; the segment after the hole (its tail, then the
    # Certificate from inside it: held, then written), frame 13 written
    "mid": "50W 154W 30W 40W 1388W 747W 242W 169C 43C 43C 66C 66C 44C 31C",
}
bad = 0
for h, w in want.items():
    got = " ".join("%d%s" % (n, k) for a, b, n, k in frames("%s/hole-%s.pcap" % (sys.argv[1], h)))
    if got != w:
        print("FAIL hole-%s: the server's frames written %s, not %s" % (h, got, w))
        bad = 1
sys.exit(bad)
PYEOF
fi

# 10. a TLS 1.3 server flight held (pcaps/variants/tls13-twotap.pcap, two taps, the
#     ServerHello and its encrypted flight of 44808 ahead of the STARTTLS and the
#     ClientHello): written when the client's bytes come, as in order (application_data
#     records as a TLS 1.3 flight: they carry the encrypted certificates, which the key
#     log shows), in capture order
run tls13-twotap pcaps/variants/tls13-twotap.pcap
jq -e 'select(.event=="stats") | .evidence.held > 0' "$tmp/tls13-twotap.a.json" >/dev/null ||
  { echo "FAIL tls13-twotap: nothing held"; fail=1; }
cmp -s "$tmp/tls13-twotap.a" "$tmp/tls13-twotap.b" ||
  { echo "FAIL tls13-twotap: its evidence does not show the same TLS sessions"; fail=1; }
jq -e -s 'any(.[]; .event=="session" and .client.port==44808 and .tls.certificates=="visible"
  and (.tls.server_chain | length) == 2)' "$tmp/tls13-twotap.b.json" >/dev/null ||
  { echo "FAIL tls13-twotap: the held TLS 1.3 flight of 44808 not written"; fail=1; }
# in capture order: every frame, time stamps as captured
if command -v python3 >/dev/null 2>&1; then
  python3 - pcaps/variants/tls13-twotap.pcap "$tmp/tls13-twotap.pcap" <<'PYEOF' ||
import struct, sys
def stamps(p):
    d, o, out = open(p, "rb").read(), 24, []
    while o + 16 <= len(d):
        s, u, cl = struct.unpack("<III", d[o:o + 12])
        out.append(s * 1000000 + u)
        o += 16 + cl
    return out
sys.exit(stamps(sys.argv[1]) != stamps(sys.argv[2]))
PYEOF
    { echo "FAIL tls13-twotap: not every frame written in capture order"; fail=1; }
fi

# 11. a server's retransmission whose bytes differ from the first copy
#     (pcaps/variants/tls12-chain-retx-differs.pcap, pcaps/tools/mkretx.py): cut and
#     counted, its SECRET not written; an exact copy still written whole
v=pcaps/variants/tls12-chain-retx-differs.pcap
run retx-differs $v
grep -aqF SECRET $v || { echo "FAIL $v does not hold SECRET (the check proves nothing)"; fail=1; }
grep -aqF SECRET "$tmp/retx-differs.pcap" && { echo "FAIL $v: a retransmission's other bytes written"; fail=1; }
jq -e 'select(.event=="stats") | .evidence.retransmission_differs == 1' "$tmp/retx-differs.a.json" \
  >/dev/null || { echo "FAIL $v: retransmission_differs is not 1"; fail=1; }
cmp -s "$tmp/retx-differs.a" "$tmp/retx-differs.b" ||
  { echo "FAIL $v: its evidence does not show the same TLS sessions"; fail=1; }
if command -v python3 >/dev/null 2>&1; then
  python3 - "$tmp/retx-differs.pcap" <<'PYEOF' || { echo "FAIL $v: the exact copy not written whole"; fail=1; }
import struct, sys
d, o, n = open(sys.argv[1], "rb").read(), 24, 0
while o + 16 <= len(d):
    cl, wl = struct.unpack("<II", d[o + 8:o + 16])
    fr, o = d[o + 16:o + 16 + cl], o + 16 + cl
    at = 34 + (fr[46] >> 4) * 4  # Ethernet, IPv4 without options, TCP
    n += cl == wl and fr[at:at + 1] == b"\x16" and fr[at + 5:at + 6] == b"\x02" and \
        struct.unpack(">H", fr[36:38])[0] == 60860
sys.exit(n != 2)  # the ServerHello's segment and its copy
PYEOF
fi

# 12. connections picked up midstream (no SYN seen): the server's TLS handshake smtptap
#     read is written (from a ServerHello, a Certificate or an alert that starts its
#     segment, then its framing), so the evidence shows the same version, certificates,
#     chain and server alerts for them; none of their client bytes, and no server bytes
#     that are no TLS record, reach the file (before, every payload of theirs was cut)
mproj='select(.event=="session" and .midstream) | [.client.port, .tls.version,
  .tls.certificates, [.tls.server_chain[]?.sha256], [.tls.alerts[]? | select(.from=="server") | .code]]'
for v in tls12-chain-midstream cert-renewal-from-serverhello tls13-from-serverhello resumption-from-sh; do
  "$bin" -q --no-system-ca -r pcaps/variants/$v.pcap -w "$tmp/mid-$v.pcap" --json "$tmp/mid-$v.a.json" &&
    "$bin" -q --no-system-ca -r "$tmp/mid-$v.pcap" --json "$tmp/mid-$v.b.json" ||
    { echo "FAIL $v: exit $?"; fail=1; }
  a=$(jq -c "$mproj" "$tmp/mid-$v.a.json" | sort)
  b=$(jq -c "$mproj" "$tmp/mid-$v.b.json" | sort)
  { [ -n "$a" ] && [ "$a" = "$b" ]; } ||
    { echo "FAIL $v: the midstream sessions' evidence shows $b, not $a"; fail=1; }
  ports=$(jq -r 'select(.event=="session" and .midstream) | .client.port' "$tmp/mid-$v.a.json" | tr '\n' ' ')
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/mid-$v.pcap" $ports <<'PYEOF' || { echo "FAIL $v: a midstream session's client bytes, or server bytes in clear, written"; fail=1; }
import struct, sys
ports = {int(x) for x in sys.argv[2:]}
d = open(sys.argv[1], "rb").read()
o, bad, runs = 24, 0, {}  # server (port) -> {seq: payload written whole}
while o + 16 <= len(d):
    cl, wl = struct.unpack("<II", d[o + 8:o + 16])
    fr, o = d[o + 16:o + 16 + cl], o + 16 + cl
    ip = fr[14:]
    if ip[0] >> 4 != 4 or ip[9] != 6:
        continue
    ihl = (ip[0] & 15) * 4
    tcp = ip[ihl:]
    sp, dp = struct.unpack(">HH", tcp[:4])
    pay = tcp[(tcp[12] >> 4) * 4:]
    if pay and sp in ports:
        bad = 1  # a client's bytes
    elif pay and dp in ports:
        runs.setdefault(dp, {})[struct.unpack(">I", tcp[4:8])[0]] = pay
# the server's bytes written: runs of contiguous segments, each TLS records from its start
for segs in runs.values():
    seqs, at = sorted(segs), None
    for k, q in enumerate(seqs):
        if k == 0 or q != seqs[k - 1] + len(segs[seqs[k - 1]]):
            at = 0  # a run's start: a record header
        b = segs[q]
        while at is not None and at < len(b):
            if b[at] not in (20, 21, 22, 23) or (at + 1 < len(b) and b[at + 1] != 3):
                bad = 1
                break
            if at + 5 > len(b):
                at = None  # a header cut by the segment: the run not followed further
                break
            at += 5 + struct.unpack(">H", b[at + 3:at + 5])[0]
        at = at - len(b) if at is not None else None
sys.exit(bad or not runs)
PYEOF
  fi
done

# 6. fragments: 4 datagrams of ipv4-fragments.pcap written, reassembled
jq -e 'select(.event=="stats") | .evidence.reassembled == 4' \
  "$tmp/pcaps_frag_ipv4-fragments.pcap.a.json" >/dev/null ||
  { echo "FAIL ipv4-fragments: not 4 datagrams reassembled in the evidence"; fail=1; }

# the frames stay: with their payload cut, not dropped
jq -e 'select(.event=="stats") | .evidence | .frames > 40 and .payload_cut > 10' \
  "$tmp/pcaps_smtp-plain.pcap.a.json" >/dev/null ||
  { echo "FAIL smtp-plain: frames or payload_cut not counted"; fail=1; }

# the same frames, whichever reader (smtptap's keeps a few frames in flight,
# libpcap's hands them one at a time)
"$bin" -q --libpcap-reader -r pcaps/smtp-plain.pcap -w "$tmp/lp.pcap" &&
  "$bin" -q -r pcaps/smtp-plain.pcap -w "$tmp/own.pcap" && cmp -s "$tmp/lp.pcap" "$tmp/own.pcap" ||
  { echo "FAIL --libpcap-reader writes other frames"; fail=1; }

# 3. refusals
"$bin" -q -r pcaps/smtp-plain.pcap -w - >/dev/null 2>"$tmp/err"
[ $? = 2 ] || { echo "FAIL -w - not refused with 2"; fail=1; }
cp pcaps/smtp-plain.pcap "$tmp/in.pcap"
"$bin" -q -r "$tmp/in.pcap" -w "$tmp/in.pcap" 2>"$tmp/err"
rc=$?
{ [ $rc = 3 ] && cmp -s pcaps/smtp-plain.pcap "$tmp/in.pcap" && grep -q "also the -w file" "$tmp/err"; } ||
  { echo "FAIL -w over the input: exit $rc, $(cat "$tmp/err")"; fail=1; }
"$bin" -q -r pcaps/smtp-plain.pcap -w "$tmp/no/such/dir.pcap" 2>"$tmp/err"
rc=$?
{ [ $rc = 3 ] && grep -q "No such file" "$tmp/err"; } ||
  { echo "FAIL unwritable -w: exit $rc, $(cat "$tmp/err")"; fail=1; }

if [ -w /dev/full ]; then # a write that fails says why
  "$bin" -q -r pcaps/smtp-plain.pcap -w /dev/full 2>"$tmp/err"
  rc=$?
  { [ $rc = 3 ] && grep -q "No space left" "$tmp/err"; } ||
    { echo "FAIL -w /dev/full: exit $rc, $(cat "$tmp/err")"; fail=1; }
fi

# 9. frames cut after capture (by -w) against frames cut at the snapshot length
"$bin" -q --no-system-ca -r pcaps/diag/submission-alert-46.pcap -w "$tmp/cut.pcap"
"$bin" --no-progress --color never --no-system-ca -r "$tmp/cut.pcap" --json "$tmp/cut.json" >"$tmp/cut.txt" 2>&1
{ grep -q '^FRAMES CUT AFTER CAPTURE: [0-9]* frames were cut after capture, below the file.s snapshot length (by smtptap -w or editcap): their removed bytes cannot be analysed; that is expected for an evidence file' "$tmp/cut.txt" &&
  ! grep -q -e 'CAPTURE CUT PACKETS' -e '-s 0' "$tmp/cut.txt" &&
  grep -q ' truncated frames ([0-9]* cut after capture), ' "$tmp/cut.txt" &&
  jq -e 'select(.event=="stats") | .truncated_frames > 0 and .truncated_after_capture == .truncated_frames' "$tmp/cut.json" >/dev/null; } ||
  { echo "FAIL evidence read back: its cut frames not told as cut after capture:"; head -3 "$tmp/cut.txt"; fail=1; }
# ... and the session whose AUTH and MAIL -w removed is commands-cut, not
# no-mail (the original's PLAINTEXT-MAIL: what was cut is unknown, not none)
{ grep -q '198.51.100.140: offered 1 commands-cut 1$' "$tmp/cut.txt" &&
  ! grep -q 'no-mail' "$tmp/cut.txt" &&
  jq -e -s 'any(.[]; .event=="session" and .client.ip=="198.51.100.140" and .smtp.commands_cut)' "$tmp/cut.json" >/dev/null; } ||
  { echo "FAIL evidence read back: the session whose mail -w cut is not commands-cut:"; grep -A3 STARTTLS "$tmp/cut.txt"; fail=1; }
"$bin" --no-progress --color never --no-system-ca -r pcaps/variants/tls12-chain-snap96.pcap --json "$tmp/snap.json" >"$tmp/snap.txt" 2>&1
{ grep -q '^CAPTURE CUT PACKETS: 48 frames were cut at the capture.s snapshot length: .*capture whole packets (-s 0)$' "$tmp/snap.txt" &&
  ! grep -q 'CUT AFTER CAPTURE' "$tmp/snap.txt" &&
  jq -e 'select(.event=="stats") | .truncated_frames == 48 and .truncated_after_capture == 0' "$tmp/snap.json" >/dev/null; } ||
  { echo "FAIL snaplen-cut capture: not told as cut at the snapshot length:"; head -3 "$tmp/snap.txt"; fail=1; }

[ $fail = 0 ] && echo "ok: $n captures: evidence files show the same TLS sessions, no mail or credential in them"
exit $fail
