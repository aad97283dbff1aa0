#!/bin/sh
# shellcheck disable=SC2086 # $ca and the options are split into their words on purpose
# TLS-RPT's vocabulary (RFC 8460 §4.3, docs/findings.md "TLS-RPT result types"):
# each result type smtptap maps, on a bundled capture, in the finding record,
# the session's diagnosis and the terminal report's finding line; none on
# submission (587); and --tlsrpt FILE's report, its shape checked against
# RFC 8460 §4.4 (field names and JSON types) and its counts.
# jq is required. Usage: tlsrpt.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "jq is required (sh scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ca="--no-system-ca --ca-file pcaps/diag/certs/root.pem"
# expect NAME CAPTURE "OPTIONS" KIND TYPE [STYPE]: the finding KIND has tlsrpt
# TYPE ("-": none), some session's diagnosis STYPE (TYPE when not given: a
# session's is the first check a sender fails, trust before the name), and
# the report's line says it
expect() {
  # shellcheck disable=SC2086
  TZ=UTC "$bin" --no-progress --color never -r "$2" $3 --json "$tmp/$1.json" >"$tmp/$1.txt" 2>&1
  got=$(jq -r --arg k "$4" 'select(.event == "finding" and .kind == $k) | .tlsrpt // "-"' "$tmp/$1.json" | sort -u)
  if [ "$got" = "$5" ]; then
    echo "ok   $1: $4 -> $5"
  else
    echo "FAIL $1: finding $4 has tlsrpt '$got', want '$5'"
    fail=1
  fi
  [ "$5" = - ] && return
  st=${6:-$5}
  if ! jq -se --arg t "$st" 'any(.[]; .event == "session" and .diagnosis.tlsrpt == $t)' "$tmp/$1.json" >/dev/null; then
    echo "FAIL $1: no session whose diagnosis.tlsrpt is $st"
    fail=1
  fi
  if ! grep -qE "^  [a-z]+ +$4 +\[TLS-RPT: $5\] " "$tmp/$1.txt"; then
    echo "FAIL $1: no report line '$4 [TLS-RPT: $5]'"
    fail=1
  fi
}
# the types Postfix 3.10 reports for the same verification errors (src/tls/tls_verify.c
# tls_log_verify_error, smtp/smtp_proto.c; docs/tlsrpt.md): an issuer not found, a
# self-signed certificate: validation-failure; a name constraint, a DANE mismatch:
# certificate-not-trusted; all TLSA records unusable: tlsa-invalid
expect expired pcaps/diag/expired-leaf.pcap "$ca" expired_certificate_served certificate-expired
expect expired-alert pcaps/diag/expired-leaf.pcap "$ca" client_rejected_certificate certificate-expired
expect noint pcaps/diag/missing-intermediate.pcap "$ca" missing_intermediate validation-failure
expect noint-alert pcaps/diag/missing-intermediate.pcap "$ca" client_rejected_certificate validation-failure
expect selfsigned pcaps/diag/self-signed-name.pcap "$ca" self_signed validation-failure
expect mismatch-ss pcaps/diag/self-signed-name.pcap "$ca" name_mismatch certificate-host-mismatch validation-failure
expect mismatch pcaps/diag/dns-mx.pcap "$ca" name_mismatch certificate-host-mismatch
expect constraint pcaps/diag/name-constraint.pcap "$ca" name_constraint_violation certificate-not-trusted
expect alert46 pcaps/diag/client-alert-46.pcap "$ca" client_rejected_certificate validation-failure
# a session both expired and for another name: OpenSSL checks the name (check_id) before
# validity, and Postfix keeps the first error at the leaf: the name's type
expect name-first pcaps/diag/client-alert-46.pcap "$ca --ca-file pcaps/diag/certs/leaf-exch01.pem --at 2032-01-01" \
  name_mismatch certificate-host-mismatch
expect nocert pcaps/smtp-server-no-cert.pcap "--no-system-ca --ca-file pcaps/certs/root.pem" tls_handshake_failed validation-failure
expect mtls pcaps/diag/mutual-tls-rejected.pcap "$ca" server_rejected_client_certificate validation-failure
expect dane pcaps/diag/dane.pcap "--no-system-ca --ca-file pcaps/diag/certs/dane-root.pem" dane_tlsa_mismatch certificate-not-trusted
expect unusable pcaps/diag/dns-mx.pcap "$ca --tlsa tests/data/tlsa/pkix-only.tlsa" dane_tlsa_unusable tlsa-invalid
expect stripped pcaps/smtp-stripped-starttls.pcap "$ca" starttls_stripped starttls-not-supported
# a server's refusal (454); the 500 the stripping middlebox gave in smtp-stripped-starttls is
# starttls_stripped's (its session's type the same, starttls-not-supported)
expect refused pcaps/smtp-starttls-rejected-454.pcap "$ca" starttls_rejected starttls-not-supported
expect notoffered pcaps/smtp-starttls-not-offered.pcap "$ca" starttls_not_offered starttls-not-supported
# no TLS-RPT word: a failure that follows another (plaintext), submission (587)
expect fallback pcaps/smtp-stripped-starttls.pcap "$ca" plaintext_fallback -
expect submission pcaps/diag/untrusted-root.pcap "$ca" untrusted_root -
# MTA to MTA only: STARTTLS smtptap found by itself on 2525 is none until --ports names the
# port; implicit TLS (a mail client's) none on any port, --ports 4650 too
expect port2525 pcaps/smtp-nonstandard-port.pcap "" missing_intermediate -
expect port2525-ports pcaps/smtp-nonstandard-port.pcap "--ports 2525" missing_intermediate validation-failure
expect implicit4650 pcaps/variants/smtps-4650-no-syn.pcap "" missing_intermediate -
expect implicit4650-ports pcaps/variants/smtps-4650-no-syn.pcap "--ports 4650" missing_intermediate -
if jq -se 'any(.[]; .event == "session" and .diagnosis.tlsrpt != null)' "$tmp/implicit4650-ports.json" >/dev/null; then
  echo "FAIL implicit4650-ports: a session in implicit TLS has a diagnosis.tlsrpt"
  fail=1
fi
# implicit TLS and STARTTLS on one --ports port (pcaps/variants/mixed-2526.pcap): decided per
# session, so the STARTTLS sessions' findings keep their types, the implicit TLS one's has none
mix="pcaps/variants/mixed-2526.pcap"
expect mix-implicit "$mix" "--no-system-ca --ports 2526" missing_intermediate -
expect mix-selfsigned "$mix" "--no-system-ca --ports 2526" self_signed validation-failure
expect mix-mismatch "$mix" "--no-system-ca --ports 2526" name_mismatch certificate-host-mismatch validation-failure
expect mix-quit "$mix" "--no-system-ca --ports 2526" client_quit_after_handshake validation-failure
if jq -se 'any(.[]; .event == "session" and .smtp.implicit_tls and .diagnosis.tlsrpt != null)' \
  "$tmp/mix-implicit.json" >/dev/null; then
  echo "FAIL mix-implicit: a session in implicit TLS has a diagnosis.tlsrpt"
  fail=1
fi

# a person's probes (openssl s_client, gnutls-cli, told by their EHLO name) that end as a
# refusal does: manual_tls_probe, no TLS-RPT type; swaks's probe and the Postfix refusal beside
# them (a lone QUIT after a chain that verifies here, or that TLS 1.3 hid: no problem seen) are
# client_closed_after_handshake, no TLS-RPT type either
probe="--no-system-ca --ca-file pcaps/diag/certs/manual-probe-root.pem"
expect probe pcaps/diag/manual-probe.pcap "$probe" manual_tls_probe -
expect probe-closed pcaps/diag/manual-probe.pcap "$probe" client_closed_after_handshake -
if jq -se 'any(.[]; .event == "session" and (.diagnosis.manual_tls_probe or
    .diagnosis.client_closed_after_handshake) and .diagnosis.tlsrpt != null)' \
  "$tmp/probe.json" >/dev/null; then
  echo "FAIL probe: a manual_tls_probe or client_closed_after_handshake session has a diagnosis.tlsrpt"
  fail=1
fi
# monitoring probes and checks (swaks --quit-after TLS, s_client </dev/null): no TLS-RPT type;
# the s_client refusing with unknown_ca (48) beside them stays validation-failure
hp="--no-system-ca --ca-file pcaps/diag/certs/handshake-probes-root.pem"
expect hprobe pcaps/diag/handshake-probes.pcap "$hp" client_closed_after_handshake -
expect hprobe-alert pcaps/diag/handshake-probes.pcap "$hp" client_rejected_certificate validation-failure

# --tlsrpt: RFC 8460 §4.4's fields and types
rpt() { # NAME CAPTURE OPTIONS... (stderr in NAME.err)
  n=$1 c=$2
  shift 2
  TZ=UTC "$bin" --no-progress -q -r "$c" "$@" --tlsrpt "$tmp/$n.rpt" 2>"$tmp/$n.err" || { echo "FAIL $n: exit $?"; fail=1; }
}
shape='
  def str: type == "string";
  def int: type == "number" and . == floor and . >= 0;
  (.["organization-name"] | str) and (.["contact-info"] | str) and (.["report-id"] | str)
  and (.["date-range"] | (.["start-datetime"] | str and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))
                         and (.["end-datetime"] | str and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")))
  and (.policies | type == "array")
  and all(.policies[];
    (.policy | (.["policy-type"] | IN("tlsa", "sts", "no-policy-found"))
      and (.["policy-domain"] | str)
      and ((.["policy-string"] // []) | type == "array" and all(.[]; str))
      and ((.["mx-host"] // []) | type == "array" and all(.[]; str)))
    and (.summary | (.["total-successful-session-count"] | int) and (.["total-failure-session-count"] | int))
    and (.["failure-details"] | type == "array")
    and ([.["failure-details"][]["failed-session-count"]] | add // 0) == .summary["total-failure-session-count"]
    and all(.["failure-details"][];
      (.["result-type"] | IN("starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
         "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid", "dane-required",
         "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"))
      and (.["sending-mta-ip"] | str) and (.["receiving-ip"] | str) and (.["failed-session-count"] | int)
      and ((.["receiving-mx-hostname"] // "") | str)
      and ((.["failure-reason-code"] // "") | str)))
  and ([paths | .[] | strings] - ["organization-name", "date-range", "start-datetime", "end-datetime",
       "contact-info", "report-id", "policies", "policy", "policy-type", "policy-string", "policy-domain",
       "mx-host", "summary", "total-successful-session-count", "total-failure-session-count",
       "failure-details", "result-type", "sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo",
       "receiving-ip", "failed-session-count", "failure-reason-code"] | length == 0)'
check() { # NAME JQ-EXPR WHAT
  if jq -e "$2" "$tmp/$1.rpt" >/dev/null 2>&1; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: $3"
    jq -c . "$tmp/$1.rpt" 2>&1 | head -c 2000
    echo
    fail=1
  fi
}
rpt r-dane pcaps/diag/dane.pcap --no-system-ca --ca-file pcaps/diag/certs/dane-root.pem
check r-dane "$shape" "RFC 8460 section 4.4 shape"
check r-dane '[.policies[] | select(.policy["policy-type"] == "tlsa")] | length == 3' "3 tlsa policies"
check r-dane '.policies[] | select(.policy["policy-domain"] == "dane-stale.example.test") |
  .summary["total-failure-session-count"] == 1
  and .["failure-details"][0]["result-type"] == "certificate-not-trusted"
  and .["failure-details"][0]["failure-reason-code"] ==
    "dane_tlsa_mismatch: the chain matched none of the usable TLSA records (smtptap diagnosis.dane)"
  and .policy["mx-host"] == ["mx2.example.test"]' "dane-stale.example.test: 1 certificate-not-trusted (DANE) on mx2"
# receiving-mx-helo (RFC 8460 section 4.4): the greeting's host name, on every row here
check r-dane '[.policies[]["failure-details"][]["receiving-mx-helo"]] == ["mx2.example.test"]' \
  "receiving-mx-helo: the greeting's host name"
rpt r-unusable pcaps/diag/dns-mx.pcap $ca --tlsa tests/data/tlsa/pkix-only.tlsa
check r-unusable "$shape" "RFC 8460 section 4.4 shape"
check r-unusable '[.policies[]["failure-details"][] | select(.["result-type"] == "tlsa-invalid")] | length == 1
  and (.[0]["failure-reason-code"] | startswith("dane_tlsa_unusable: none of the TLSA records is usable"))' \
  "all TLSA records unusable: tlsa-invalid"
check r-dane '.["date-range"] == {"start-datetime": "2026-11-30T10:27:41Z", "end-datetime": "2026-11-30T10:27:44Z"}' \
  "date-range: the capture's first and last packets"
rpt r-expired pcaps/diag/expired-leaf.pcap $ca
check r-expired "$shape" "RFC 8460 section 4.4 shape"
check r-expired '[.policies[].policy["policy-type"]] == ["no-policy-found"] and
  .policies[0].summary["total-failure-session-count"] == 3 and
  ([.policies[0]["failure-details"][]["result-type"]] | unique) == ["certificate-expired"]' \
  "no-policy-found, 3 certificate-expired sessions"
rpt r-stripped pcaps/smtp-stripped-starttls.pcap $ca
check r-stripped "$shape" "RFC 8460 section 4.4 shape"
check r-stripped '([.policies[]["failure-details"][]["result-type"]] | unique) == ["starttls-not-supported"]' \
  "starttls-not-supported"
# the probes: no failure; the chains they met verify (TLS 1.2: s_client sessions 1, 3 and 5 on
# the address's policy, gnutls-cli's session 8 on mail.example.test's, Postfix's session 10);
# swaks's lone QUIT over TLS 1.3 (chain not visible) is no failure either
rpt r-probe pcaps/diag/manual-probe.pcap $probe
check r-probe "$shape" "RFC 8460 section 4.4 shape"
check r-probe '[.policies[].summary["total-failure-session-count"]] | add == 0' "no failure"
check r-probe '[.policies[].summary["total-successful-session-count"]] | add == 5' "5 successes"
# submission alone: no policy at all
rpt r-587 pcaps/diag/untrusted-root.pcap $ca
check r-587 "$shape and .policies == []" "submission (587): no policy"
# deterministic: the same capture, the same report (its report-id included)
rpt r-dane2 pcaps/diag/dane.pcap --no-system-ca --ca-file pcaps/diag/certs/dane-root.pem
if cmp -s "$tmp/r-dane.rpt" "$tmp/r-dane2.rpt"; then
  echo "ok   r-dane: the same report twice"
else
  echo "FAIL r-dane: two runs wrote different reports"
  fail=1
fi
# one policy for one server's name: a session whose chain was not checked (TLS 1.3
# without its key log, a TLS 1.3 client's alert) is filed under its SNI, sent in clear;
# counted in neither when the capture does not show its outcome (TLS 1.3 completed, a
# resumption), and stderr says how many
err() { # NAME TEXT WHAT: stderr of rpt NAME holds TEXT
  if grep -qF -- "$2" "$tmp/$1.err"; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: $3: stderr lacks '$2'"
    cat "$tmp/$1.err"
    fail=1
  fi
}
rpt r-v6 pcaps/smtp-ipv6.pcap
check r-v6 "$shape" "RFC 8460 section 4.4 shape"
check r-v6 '[.policies[] | [.policy["policy-domain"], .summary["total-successful-session-count"],
  .summary["total-failure-session-count"]]] == [["mail.example.test", 0, 1]]' \
  "one policy (the SNI): the TLS 1.2 failure; the TLS 1.3 session in neither"
err r-v6 "1 TLS session whose server certificates the capture does not show counts in neither success nor failure (1 TLS 1.3 handshake without a key log" \
  "stderr: 1 TLS 1.3 session in neither"
rpt r-alert pcaps/smtp-client-alert.pcap
check r-alert '[.policies[] | [.policy["policy-domain"], .summary["total-successful-session-count"],
  .summary["total-failure-session-count"]]] == [["mail.example.test", 0, 4]]' \
  "one policy: the TLS 1.3 client's alert filed with the TLS 1.2 failures"
rpt r-resume pcaps/diag/resumption.pcap
check r-resume '[.policies[] | [.policy["policy-domain"], .summary["total-successful-session-count"],
  .summary["total-failure-session-count"]]] == [["mail.example.test", 0, 2], ["192.0.2.25", 0, 1]]' \
  "resumptions of a failing chain: no success (the full handshakes fail); no SNI: the address"
err r-resume "5 TLS sessions whose server certificates the capture does not show count in neither" \
  "stderr: 3 resumptions and 2 TLS 1.3 sessions in neither"
rpt r-13 pcaps/smtp-starttls-tls13.pcap
check r-13 '.policies == []' "TLS 1.3 without its key log: no outcome shown, no policy"
err r-13 "(3 TLS 1.3 handshakes without a key log: --keylog FILE)" "stderr: 3 TLS 1.3 handshakes"
rpt r-13k pcaps/smtp-starttls-tls13.pcap --keylog pcaps/smtp-starttls-tls13.keylog
check r-13k '[.policies[] | [.policy["policy-domain"], .summary["total-successful-session-count"],
  .summary["total-failure-session-count"]]] == [["mail.example.test", 0, 2]]' \
  "--keylog: the decrypted chains counted under the same SNI policy"
# scope: 2525 found without --ports is in no policy, and stderr says how to put it in
rpt r-2525 pcaps/smtp-nonstandard-port.pcap
check r-2525 '.policies == []' "STARTTLS on 2525 without --ports: no policy"
err r-2525 "2 sessions on port 2525, found without --ports, in no policy: --ports 2525" "stderr: --ports 2525"
rpt r-2525p pcaps/smtp-nonstandard-port.pcap --ports 2525
check r-2525p '[.policies[] | [.policy["policy-domain"], .summary["total-failure-session-count"]]] ==
  [["mail.example.test", 2]]' "--ports 2525: its sessions reported"
rpt r-4650 pcaps/variants/smtps-4650-no-syn.pcap --ports 4650
check r-4650 '[.policies[]["failure-details"][]] == []' "implicit TLS on 4650 (--ports 4650): no failure"

# Exchange's X-ANONYMOUSTLS (anonymous TLS between Exchange servers) is not
# STARTTLS to an MX under a policy (RFC 8460 section 3): its sessions are in
# no policy, stderr says so once (not "no policy to report"), and neither
# their findings nor their sessions' diagnoses carry a result type
rpt r-xanon pcaps/diag/x-anonymoustls.pcap $ca
check r-xanon "$shape and .policies == []" "X-ANONYMOUSTLS only: no policy"
err r-xanon "all 4 sessions upgraded by X-ANONYMOUSTLS, Exchange's anonymous TLS between its own servers" \
  "stderr: every session X-ANONYMOUSTLS"
if [ "$(grep -c 'X-ANONYMOUSTLS' "$tmp/r-xanon.err")" != 1 ] || grep -q 'no policy' "$tmp/r-xanon.err"; then
  echo "FAIL r-xanon: stderr says it other than once, or says 'no policy'"
  fail=1
fi
expect xanon-ss pcaps/diag/x-anonymoustls.pcap "$ca" self_signed -
expect xanon-454 pcaps/diag/x-anonymoustls.pcap "$ca" starttls_rejected -
if ! jq -se '[.[] | select(.event == "session") | .diagnosis.tlsrpt] | length == 4 and all(. == null)' \
  "$tmp/xanon-ss.json" >/dev/null; then
  echo "FAIL xanon: an X-ANONYMOUSTLS session's diagnosis has a TLS-RPT type"
  fail=1
fi
# every kind's type dropped for them, not the flags' alone: the certificate expired (--at:
# expired_certificate_served, made from the chain's sessions) and DANE (dane_tlsa_mismatch,
# dane_tlsa_unusable, from TLSA records for the SNI SERVER1.example.org) had kept theirs
zero=0000000000000000000000000000000000000000000000000000000000000000
printf '_25._tcp.SERVER1.example.org. IN TLSA 3 1 1 %s\n' "$zero" >"$tmp/xanon-m.tlsa"
printf '_25._tcp.SERVER1.example.org. IN TLSA 1 1 1 %s\n' "$zero" >"$tmp/xanon-u.tlsa"
expect xanon-exp pcaps/diag/x-anonymoustls.pcap "$ca --at 2032-01-01" expired_certificate_served -
expect xanon-dane pcaps/diag/x-anonymoustls.pcap "$ca --tlsa $tmp/xanon-m.tlsa" dane_tlsa_mismatch -
expect xanon-unusable pcaps/diag/x-anonymoustls.pcap "$ca --tlsa $tmp/xanon-u.tlsa" dane_tlsa_unusable -
for n in xanon-ss xanon-exp xanon-dane xanon-unusable; do
  if jq -se 'any(.[]; .event == "finding" and .tlsrpt != null)' "$tmp/$n.json" >/dev/null ||
    grep -q 'TLS-RPT' "$tmp/$n.txt"; then
    echo "FAIL $n: a finding of X-ANONYMOUSTLS sessions has a TLS-RPT type"
    fail=1
  else
    echo "ok   $n: no finding with a TLS-RPT type"
  fi
done
# one such session alone: "the only session", not "all 1 session" (the refused one, to
# 192.0.2.26, cut out of the capture with pcaps/tools/pcaplib.py)
if command -v python3 >/dev/null 2>&1; then
  python3 -c '
import sys
sys.path.insert(0, "pcaps/tools")
from pcaplib import read_pcap, write_pcap
hdr, recs = read_pcap("pcaps/diag/x-anonymoustls.pcap")
ip = bytes([192, 0, 2, 26])
write_pcap(sys.argv[1], hdr, [r for r in recs if ip in (r[2][26:30], r[2][30:34])])
' "$tmp/xanon1.pcap"
  rpt r-xanon1 "$tmp/xanon1.pcap" $ca
  err r-xanon1 "--tlsrpt $tmp/r-xanon1.rpt: the only session upgraded by X-ANONYMOUSTLS, " \
    "stderr: one X-ANONYMOUSTLS session, said in the singular"
fi
# a capture without it: nothing said of it, its policies as before
if grep -q 'X-ANONYMOUSTLS' "$tmp/r-dane.err"; then
  echo "FAIL r-dane: stderr speaks of X-ANONYMOUSTLS"
  fail=1
fi

# -: refused (the report and --json use standard output)
if "$bin" -r pcaps/diag/dane.pcap --tlsrpt - >/dev/null 2>&1; then
  echo "FAIL --tlsrpt - accepted"
  fail=1
fi
exit $fail
