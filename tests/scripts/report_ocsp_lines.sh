#!/bin/sh
# The terminal report's per-certificate lines that no golden pins (the
# goldens are the NDJSON): a served certificate's "ocsp" line (what its
# stapled OCSP responses said, and the ages of the last one at its
# session's time; "no staple" only where the server stapled in other
# sessions whose client asked), and a NAME block's SNI values per
# certificate (docs/report.md). And the same facts in the server record's
# certificates[].ocsp_staples (docs/schema-server.md), checked with jq.
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
# the revoked staple is the chain's verdict too (Windows' Revoked), the others' stay Valid
has staples "  certificate 1 of 1: Revoked, 1 session, 2026-12-01 00:10:12 .. 2026-12-01 00:10:12"
has staples "    chain      2 certificates sent; chain verified (OpenSSL: ok); revoked by its stapled OCSP response"
count staples '^  certificate 1 of 1: Valid, ' 3
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
# the server record's certificates[].ocsp_staples: the "ocsp" lines' facts, per leaf subject
jrun() { # NAME OPTIONS: the NDJSON of OPTIONS in $tmp/NAME.json
  # shellcheck disable=SC2086
  TZ=UTC "$bin" -q --json "$tmp/$1.json" $2 >/dev/null 2>&1
}
jhas() { # NAME JQ WANT: the jq filter JQ (-c, over the server records' certificates) gives WANT
  got=$(jq -c "select(.event==\"server\") | .certificates[] | $2" "$tmp/$1.json" | tr '\n' ' ')
  if [ "$got" = "$3 " ]; then
    echo "ok   $1 json: $2"
  else
    echo "FAIL $1 json: $2 gave: $got, not: $3"
    fail=1
  fi
}
oc='[.leaf.subject, (.ocsp_staples | if . == null then null else [.sessions, .good, .revoked, .stale, .other_certificate, .revocation_reason, .not_judged, .not_judged_why, .not_stapled, .stapled_for_others, (.last | if . == null then null else [.problem, .age_s, .produced_at, .next_update] end)] end)]'
jrun staples "-r pcaps/diag/ocsp-staples.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-staples-root.pem"
jhas staples "$oc" '["CN=mail.example.test",[1,1,0,0,0,null,0,null,0,false,["good",1,"2026-12-01T00:10:10.000000Z","2036-11-28T00:10:10.000000Z"]]] ["CN=revoked.example.test",[1,0,1,0,0,"keyCompromise",0,null,0,false,["revoked",2,"2026-12-01T00:10:10.000000Z","2036-11-28T00:10:10.000000Z"]]] ["CN=stale.example.test",[1,0,0,1,0,null,0,null,0,false,["stale",3,"2026-12-01T00:10:10.000000Z","2026-01-08T00:00:00.000000Z"]]] ["CN=renewed.example.test",[1,0,0,0,1,null,0,null,0,false,["other_certificate",3,"2026-12-01T00:10:10.000000Z",null]]]'
# the chains' verdicts and the sessions' statuses: Revoked for the revoked staple's, not Valid
jhas staples '[.leaf.subject, .verdict, .verdicts]' '["CN=mail.example.test","Valid",["Valid"]] ["CN=revoked.example.test","Revoked",["Revoked"]] ["CN=stale.example.test","Valid",["Valid"]] ["CN=renewed.example.test","Valid",["Valid"]]'
got=$(jq -c 'select(.event=="session") | [.server.ip, .diagnosis.certificate_ok, .diagnosis.exchange_status, .diagnosis.exchange_statuses]' "$tmp/staples.json" | tr '\n' ' ')
want='["192.0.2.25",true,"Valid",["Valid"]] ["192.0.2.26",false,"Revoked",["Revoked"]] ["192.0.2.27",true,"Valid",["Valid"]] ["192.0.2.28",true,"Valid",["Valid"]] '
if [ "$got" = "$want" ]; then
  echo "ok   staples json: sessions' certificate_ok and exchange_statuses"
else
  echo "FAIL staples json: sessions gave: $got, not: $want"
  fail=1
fi
jhas staples '.ocsp_staples.last.judged_at' '"2026-12-01T00:10:11.000000Z" "2026-12-01T00:10:12.000000Z" "2026-12-01T00:10:13.000000Z" "2026-12-01T00:10:13.000000Z"'
jrun cap "-r pcaps/diag/ocsp-staples.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-staples-root.pem --cap tls.ocsp_max=1340"
jhas cap '[.ocsp_staples.sessions, .ocsp_staples.not_judged, .ocsp_staples.not_judged_why]' '[0,1,"too_large"] [0,1,"too_large"] [1,0,null] [0,1,"too_large"]'
jrun stapling "-r pcaps/diag/ocsp-stapling.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-root.pem"
jhas stapling '[.ocsp_staples.good, .ocsp_staples.not_stapled, .ocsp_staples.stapled_for_others]' '[1,0,false] [0,1,false]'
jrun mixed "-r pcaps/diag/ocsp-mixed.pcap --no-system-ca --ca-file pcaps/diag/certs/ocsp-mixed-root.pem"
jhas mixed "$oc" '["CN=mail.example.test",[2,2,0,0,0,null,0,null,0,false,["good",2,"2026-12-01T05:40:41.000000Z","2026-12-08T05:40:41.000000Z"]]] ["CN=mail.example.test",[0,0,0,0,0,null,0,null,2,true,null]] ["CN=relay.example.test",[2,2,0,0,0,null,0,null,1,true,["good",8,"2026-12-01T05:40:41.000000Z","2026-12-08T05:40:41.000000Z"]]]'
# a server that no client asked a staple of: no ocsp_staples
jrun none "-r pcaps/smtp-starttls-tls12-chain.pcap --no-system-ca --ca-file pcaps/certs/root.pem"
jhas none 'has("ocsp_staples")' 'false'
# a name served by two nodes, each choosing its certificate by SNI: the values on each line
run pool "-r pcaps/variants/sni-pool.pcap --no-system-ca --ca-file pcaps/diag/certs/sni-default-root.pem --expect mail.example.test"
has pool "  CN=SERVER1 (SHA-1 FD98593B, until 2031-01-01), UntrustedRoot, SubjectMismatch, 6 sessions, at 192.0.2.25:25 192.0.2.26:25; sni none sent (6)"
has pool "  CN=mail.example.test (SHA-1 2B79D9D3, until 2028-01-01), Valid, 8 sessions, at 192.0.2.25:25 192.0.2.26:25; sni mail.example.test (8)"
exit $fail
