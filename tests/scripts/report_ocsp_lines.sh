#!/bin/sh
# The terminal report's per-certificate lines that no golden pins (the
# goldens are the NDJSON): a served certificate's "ocsp" line (what its
# stapled OCSP responses said, and the ages of the last one at its
# session's time; "no staple" only where the server stapled in other
# sessions whose client asked), and a NAME block's SNI values per
# certificate (docs/report.md).
# Usage: report_ocsp_lines.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export SSL_CERT_FILE=/dev/null # no machine's bundle in a --no-system-ca report
run() { # NAME OPTIONS: the report of OPTIONS in $tmp/NAME.txt
  # shellcheck disable=SC2086
  TZ=UTC "$bin" --no-progress --color never $2 >"$tmp/$1.txt" 2>&1
}
has() { # NAME LINE: the report holds LINE as a whole line
  if grep -qxF -- "$2" "$tmp/$1.txt"; then
    echo "ok   $1: $2"
  else
    echo "FAIL $1: no line: $2"
    fail=1
  fi
}
count() { # NAME PATTERN N: N lines match the extended regular expression PATTERN
  n=$(grep -cE -- "$2" "$tmp/$1.txt")
  if [ "$n" -eq "$3" ]; then
    echo "ok   $1: $3 lines /$2/"
  else
    echo "FAIL $1: $n lines /$2/, not $3"
    fail=1
  fi
}
# one staple each: good, revoked (its reason), stale, another certificate's (pcaps/diag/README.md)
run staples "-r pcaps/diag/ocsp-staples.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-staples-root.pem"
has staples "    ocsp       1 good; last: produced 1s before its session, nextUpdate 3649d 23h after"
has staples "    ocsp       1 revoked (keyCompromise); last: produced 2s before its session, nextUpdate 3649d 23h after"
has staples "    ocsp       1 invalid: stale; last: produced 3s before its session, nextUpdate 327d 0h before"
has staples "    ocsp       1 invalid: other_certificate; last: produced 3s before its session, no nextUpdate"
# a staple past tls.ocsp_max: stapled, not judged
run cap "-r pcaps/diag/ocsp-staples.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-staples-root.pem --cap tls.ocsp_max=1340"
count cap '^    ocsp       1 not judged \(too_large\)$' 3
has cap "    ocsp       1 invalid: stale; last: produced 3s before its session, nextUpdate 327d 0h before"
# 192.0.2.25 staples, 192.0.2.26 never does: no "no staple" line for it (nothing mixed); with
# the key log, the TLS 1.3 session's staple too
run stapling "-r pcaps/diag/ocsp-stapling.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-root.pem"
has stapling "    ocsp       1 good; last: produced 1s before its session, nextUpdate 3649d 23h after"
count stapling '^    ocsp ' 1
run keylog "-r pcaps/diag/ocsp-stapling.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-root.pem --keylog pcaps/diag/ocsp-stapling.keylog"
has keylog "    ocsp       2 good; last: produced 2s before its session, nextUpdate 3649d 23h after"
count keylog '^    ocsp ' 1
# stapled in some sessions whose client asked, not in others: the renewed certificate without
# its response (its session whose client did not ask not counted), the first session before
# the response was there
run mixed "-r pcaps/diag/ocsp-mixed.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-mixed-root.pem"
has mixed "    ocsp       2 good; last: produced 2s before its session, nextUpdate 6d 23h after"
has mixed "    ocsp       2 no staple (asked for)"
has mixed "    ocsp       2 good, 1 no staple (asked for); last: produced 8s before its session, nextUpdate 6d 23h after"
# a name served by two nodes, each choosing its certificate by SNI: the values on each line
run pool "-r pcaps/variants/sni-pool.pcap --no-system-ca --ca-file pcaps/diag/certs/sni-default-root.pem --expect mail.example.test"
has pool "  CN=SERVER1 (SHA-1 FD98593B, until 2031-01-01), UntrustedRoot, SubjectMismatch, 6 sessions, at 192.0.2.25:25 192.0.2.26:25; sni none sent (6)"
has pool "  CN=mail.example.test (SHA-1 2B79D9D3, until 2028-01-01), Valid, 8 sessions, at 192.0.2.25:25 192.0.2.26:25; sni mail.example.test (8)"
exit $fail
