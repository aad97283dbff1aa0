#!/bin/sh
# Cross-check of the JA4 fingerprint (dissectors/ja4.c): for every committed
# capture (pcaps/**), and every capture in ../shared/pcaps/, each session's
# tls.ja4 equals the JA4 that an independent implementation (below, in
# Python, from FoxIO's specification) computes from the ClientHello fields
# tshark decodes of the same connection (its first ClientHello: after a
# HelloRetryRequest not the second one, as FoxIO's tool). Connections tshark
# does not decode as TLS (SMTP on ports it does not know) are not compared;
# at least 40 must be, and none may differ.
# Skips (77) when tshark, jq or python3 is not installed.
# Usage: ja4_crosscheck.sh SMTPTAP
set -u
bin=$1
for t in tshark jq python3; do
  command -v $t >/dev/null 2>&1 || { echo "$t not installed: skipped"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/ours"
: > "$tmp/fields"
for f in $(sh tests/tools/captures.sh all); do
  kl="${f%.*}.keylog"
  karg=""
  [ -f "$kl" ] && karg="--keylog $kl"
  oarg=$(cat "${f%.*}.opts" 2>/dev/null || true)
  tf=$(cat "${f%.*}.same" 2>/dev/null || echo "$f")
  # shellcheck disable=SC2086
  "$bin" -q --seed 1 --tls-ports 443 $karg $oarg -r "$f" --json "$tmp/out.json" >/dev/null 2>&1 || true
  jq -r --arg f "$f" 'select(.event=="session" and .tls != null and .tls.ja4 != null) |
         "\($f)|\(.client.ip).\(.client.port)|\(.server.ip).\(.server.port)|\(.tls.ja4)"' \
    "$tmp/out.json" >> "$tmp/ours"
  tshark -n -r "$tf" -o tls.desegment_ssl_records:TRUE -o tcp.desegment_tcp_streams:TRUE \
    -Y 'tls.handshake.type == 1' -T fields -E separator='|' -E aggregator=';' -E occurrence=a \
    -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
    -e tls.handshake.type -e tls.handshake.version -e tls.handshake.ciphersuite \
    -e tls.handshake.extension.type -e tls.handshake.extensions_alpn_str \
    -e tls.handshake.sig_hash_alg_len -e tls.handshake.sig_hash_alg \
    -e tls.handshake.extensions.supported_version 2>/dev/null |
    sed "s#^#$f|#" >> "$tmp/fields"
done
python3 - "$tmp/ours" "$tmp/fields" <<'PY'
import hashlib, sys

def grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)

def nums(s):
    return [int(x, 0) for x in s.split(';') if x != ''] if s else []

def h12(s):
    return hashlib.sha256(s.encode()).hexdigest()[:12] if s else '000000000000'

VERS = {0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2'}

def ja4(legacy, ciphers, exts, alpns, sigalgs, versions):
    ciphers = [c for c in ciphers if not grease(c)]
    exts = [e for e in exts if not grease(e)]
    vs = [v for v in versions if not grease(v)]
    ver = VERS.get(max(vs) if vs else legacy, '00')
    a = alpns[0] if alpns else ''
    if not a:
        al = '00'
    elif a[0].isascii() and a[0].isalnum() and a[-1].isascii() and a[-1].isalnum():
        al = a[0] + a[-1]
    else:
        hx = a.encode().hex()
        al = hx[0] + hx[-1]
    head = 't%s%s%02d%02d%s' % (ver, 'd' if 0 in exts else 'i', min(len(ciphers), 99),
                                min(len(exts), 99), al)
    b = h12(','.join('%04x' % c for c in sorted(ciphers)))
    sx = ','.join('%04x' % e for e in sorted(e for e in exts if e not in (0, 0x10)))
    sg = ','.join('%04x' % s for s in sigalgs if not grease(s))
    c = h12(sx + ('_' + sg if sx and sg else ''))
    return '%s_%s_%s' % (head, b, c)

ours = {}
for line in open(sys.argv[1]):
    f, cl, sv, v = line.rstrip('\n').split('|')
    ours[(f, cl, sv)] = v
theirs = {}
for line in open(sys.argv[2]):
    p = line.rstrip('\n').split('|')
    if len(p) != 15:
        continue
    f, s4, s6, sp, d4, d6, dp, types, vers, cs, ext, alpn, siglens, sigs, sv = p
    # one ClientHello per frame is compared: its fields are the frame's
    if types.split(';').count('1') != 1 or ';' in sp:
        continue
    cl = '%s.%s' % (s4 or s6, sp)
    srv = '%s.%s' % (d4 or d6, dp)
    legacy = nums(vers)[0] if nums(vers) else 0
    # tshark puts every list of signature algorithms in one field: those of
    # signature_algorithms (0x000d), and of signature_algorithms_cert (0x0032)
    # and delegated_credentials (0x0022); JA4 takes the first kind only
    # (FoxIO-LLC/ja4 issue 41). Each list's length, in extension order,
    # tells which values are whose.
    lens, vals, sig = nums(siglens), nums(sigs), []
    carriers = [e for e in nums(ext) if e in (0x000d, 0x0032, 0x0022)]
    if len(carriers) != len(lens):
        carriers = [e for e in carriers if e != 0x0022]
    if len(carriers) != len(lens) or sum(lens) // 2 != len(vals):
        print('SKIP %s %s: %d signature algorithm lists for extensions %s' % (f, cl, len(lens), carriers))
        continue
    at = 0
    for e, n in zip(carriers, lens):
        if e == 0x000d:
            sig = vals[at:at + n // 2]
        at += n // 2
    theirs.setdefault((f, cl, srv), ja4(legacy, nums(cs), nums(ext),
                                        alpn.split(';') if alpn else [], sig,
                                        nums(sv)))  # the first ClientHello of a connection
both = [k for k in ours if k in theirs]
bad = [k for k in both if ours[k] != theirs[k]]
for k in bad[:20]:
    print('DIFF %s %s -> %s: smtptap %s, tshark fields %s' % (k[0], k[1], k[2], ours[k], theirs[k]))
print('%d connections compared, %d differ (%d with a JA4 from smtptap only)' %
      (len(both), len(bad), len(ours) - len(both)))
sys.exit(1 if bad or len(both) < 40 else 0)
PY
