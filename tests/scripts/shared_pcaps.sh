#!/bin/sh
# Real third-party captures (../shared/pcaps, see its MANIFEST.md): smtptap
# must read every one without a crash or sanitizer report, write valid NDJSON
# ending in a stats record, and find the facts the manifest lists (taken with
# tshark by the capture set's authors). Skips (77) when ../shared is absent or
# jq is missing.
# Usage: shared_pcaps.sh SMTPTAP
set -u
bin=$1
dir=../shared/pcaps
[ -d "$dir" ] || { echo "$dir absent: skipped"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "jq not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

bad() {
  echo "FAIL $1: $2"
  fail=$((fail + 1))
}

# check FILE JQ-EXPRESSION DESCRIPTION: the expression over all records
# (slurped) must be true.
check() {
  out="$tmp/$(basename "$1").json"
  if [ "$(jq -s "$2" "$out" 2>/dev/null)" != "true" ]; then
    bad "$1" "$3"
  fi
}

# Most of these captures are HTTPS: --tls-ports 443 has smtptap dissect it
# (by default TLS on 443 is HTTPS, not mail, and left out: checked below),
# so that its TLS dissector meets other implementations' handshakes.
for f in $(sh tests/tools/captures.sh shared); do
  n=$((n + 1))
  b=$(basename "$f")
  out="$tmp/$b.json"
  "$bin" -q --seed 1 --tls-ports 443 -r "$f" --json "$out" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 0 ]; then
    bad "$b" "exit $rc: $(head -c 300 "$tmp/err")"
    continue
  fi
  if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err"; then
    bad "$b" "sanitizer: $(head -c 300 "$tmp/err")"
    continue
  fi
  jq -e . "$out" >/dev/null 2>&1 || { bad "$b" "output is not valid NDJSON"; continue; }
  check "$b" '(.[-1].event == "stats") and (.[-1].packets > 0)' "no stats record at the end"
done

# SMTP STARTTLS into TLS (manifest column "SMTP STARTTLS" = 1).
starttls='[.[] | select(.event=="session" and .smtp.starttls_command and .smtp.tls_started)]'
check zeek__smtp-starttls.pcap "($starttls | length) == 1 and ($starttls[0].tls.version == \"TLSv1.2\") and ($starttls[0].tls.certificates == \"visible\")" "STARTTLS into TLS 1.2 with a visible chain"
check arkime__smtp-starttls.pcap "($starttls | length) == 1 and ($starttls[0].tls.version == \"TLSv1.0\")" "STARTTLS into TLS 1.0"
check wsnotes__smtp-ssl.pcapng "($starttls | length) == 1 and ($starttls[0].tls.version == \"TLSv1.2\")" "STARTTLS into TLS 1.2 (pcapng)"
# Its SYN-ACK is stamped 2063 among packets of 2015: one connection still,
# dated 2015, the packet counted as a time stamp outlier (src/engine_clock.c), and
# the capture's span (stats first_packet, last_packet) is 2015's.
check wsnotes__smtp-ssl.pcapng '([.[] | select(.event=="session")] | length == 1 and (.[0].ts | startswith("2015-")) and (.[0].ts_end | startswith("2015-"))) and (.[-1].flows == 1 and .[-1].timestamp_outliers == 1 and (.[-1].last_packet | startswith("2015-")))' "one connection dated 2015 despite a SYN-ACK stamped 2063"
check suricata__smtp-startssl.pcap "($starttls | length) == 1 and ($starttls[0].tls.version == \"TLSv1.3\") and ($starttls[0].tls.certificates == \"encrypted\") and ($starttls[0].diagnosis.certificates_not_visible)" "STARTTLS into TLS 1.3: certificates encrypted, never 'none'"
# Where each certificate of Google's chain says its revocation is checked
# and its issuer fetched (CRL Distribution Points, Authority Information
# Access), as tshark -V shows them; the client did not ask for OCSP
# stapling, and none came (no CertificateStatus).
urls='[["http://pki.google.com/GIAG2.crl"],["http://clients1.google.com/ocsp"],["http://pki.google.com/GIAG2.crt"]],
  [["http://crl.geotrust.com/crls/gtglobal.crl"],["http://gtglobal-ocsp.geotrust.com"],[]],
  [["http://crl.geotrust.com/crls/secureca.crl"],[],[]]'
check zeek__smtp-starttls.pcap "($starttls[0].tls) as \$t | (\$t.server_chain | map([.crl_urls, .ocsp_urls, .ca_issuers_urls])) == [$urls] and \$t.status_request == false and \$t.ocsp_stapled == false" "CRL, OCSP and caIssuers URLs of the chain; no OCSP staple"
# Google's 2014 chain ends at GeoTrust Global CA cross-signed by Equifax
# Secure Certificate Authority, a root no current CA bundle holds (expired
# 2018): an untrusted root, known by name as a retired public root, not a
# missing intermediate.
check zeek__smtp-starttls.pcap '([.[] | select(.event=="session")][0].diagnosis.missing_issuer == {"subject":"OU=Equifax Secure Certificate Authority,O=Equifax,C=US","root_evidence":"retired_public_root"}) and ([.[] | select(.event=="finding" and .kind=="untrusted_root")] | length == 1) and ([.[] | select(.event=="finding" and .kind=="missing_intermediate")] | length == 0)' "Equifax root retired: untrusted_root, not missing_intermediate"
# Clients that asked for OCSP stapling (status_request) from servers that
# sent none (tshark: no CertificateStatus, handshake type 22).
check ndpi__http_ipv6.pcap '[.[] | select(.event=="session" and .tls.certificates == "visible") | .tls] | length == 6 and all(.status_request and .ocsp_stapled == false)' "status_request asked, no OCSP staple"
# Plain SMTP without TLS.
check ndpi__smtp.pcap '[.[] | select(.event=="session" and .smtp.seen)] | length >= 1 and all(.smtp.starttls_command == false)' "plain SMTP session"
# STARTTLS offered and never sent, mail in plaintext (tshark: "250-STARTTLS" in the EHLO reply,
# no STARTTLS command): opportunistic TLS unused (RFC 3207), medium, no downgrade.
# zeek__smtp's peer sent AUTH LOGIN in plaintext: a mail client on port 25, high
for b in zeek__smtp.pcap:high chrissanders__mail_receiver_server_3.pcapng:medium; do
  check "${b%:*}" '([.[] | select(.event=="finding" and .kind=="plaintext_fallback")] | length == 0) and ([.[] | select(.event=="finding" and .kind=="starttls_not_used" and .severity=="'"${b#*:}"'")] | length == 1)' "STARTTLS offered, not used: starttls_not_used (${b#*:}), no plaintext_fallback"
done
check zeek__smtp.pcap '[.[] | select(.event=="finding" and .kind=="starttls_not_used") | .summary | contains("mail clients or scripts submitting on an MTA port")] == [true]' "AUTH in plaintext on 25: the mail-client advice"
# Other protocols' STARTTLS are not SMTP.
for b in zeek__imap-starttls.pcap ndpi__pop3_stls.pcap ndpi__ftp-start-tls.pcap zeek__xmpp-starttls.pcap; do
  check "$b" '[.[] | select(.event=="session" and .smtp.seen)] | length == 0' "not SMTP, yet reported as SMTP"
done
# Alerts in clear (manifest column "alerts": f40 = fatal handshake_failure ...).
check zeek__tls-1.2-handshake-failure.pcap '[.[] | select(.event=="session") | .tls.alerts[]? | select(.level==2 and .code==40 and .name=="handshake_failure")] | length >= 1' "fatal alert 40"
check ndpi__tls_alert.pcap '[.[] | select(.event=="session") | .tls.alerts[]? | select(.level==2 and .code==70)] | length >= 1' "fatal alert 70"
check suricata__tls-extra-alert.pcap '[.[] | select(.event=="session") | .tls.alerts[]? | select(.level==2 and .code==40)] | length >= 1' "fatal alert 40"
# A client certificate, and an expired certificate judged at capture time.
check zeek__client-certificate.pcap '[.[] | select(.event=="session" and (.tls.client_chain | length) >= 1)] | length >= 1' "client certificate chain"
# the text report counts the session records, as the stats record does (an
# FTP flow with AUTH TLS is dissected but is no SMTP/TLS session)
if [ -f "$dir/ndpi__ftp-start-tls.pcap" ] &&
  ! "$bin" --no-progress -r "$dir/ndpi__ftp-start-tls.pcap" 2>/dev/null | grep -q " 0 SMTP/TLS sessions"; then
  bad ndpi__ftp-start-tls.pcap "the text report counts a session the records do not have"
fi
# Without --tls-ports 443, TLS on 443 (HTTPS) is no mail: not reported, counted
if [ -f "$dir/zeek__smtp.pcap" ]; then
  "$bin" -q --seed 1 -r "$dir/zeek__smtp.pcap" --json "$tmp/default.json" 2>/dev/null
  jq -e -s '([.[] | select(.event == "session" and .server.port == 443)] | length == 0)
    and ([.[] | select(.event == "session" and .server.port == 25)] | length == 2)
    and ([.[] | select(.event == "server" and .server.port == 443)] | length == 0)
    and (.[-1].tls_other_protocol == 1)' "$tmp/default.json" >/dev/null ||
    bad zeek__smtp.pcap "HTTPS on 443 reported as mail, or its count missing"
fi
# a warning alert is aggregated as one, without the meaning of a fatal one
check ndpi__http_ipv6.pcap '[.[] | select(.event=="server") | .alerts[] | select(.code==112 and .level==1 and .meaning==null)] | length >= 1' "warning alert 112 kept apart"
# the time a certificate is judged at is when it was presented: the SYN-ACK's
# time stamp (2063) in this 2015 capture does not make it expired
check wsnotes__smtp-ssl.pcapng '[.[] | select(.event=="session" and .tls.certificates=="visible") | (.diagnosis.expired == false and (.diagnosis.judged_at | startswith("2015-")))] | (length >= 1 and all)' "judged at the Certificate's time"
# RFC 2253 form, escaped once, as openssl x509 -nameopt RFC2253 prints it
check ndpi__http_ipv6.pcap '[.[] | select(.event=="session") | .tls.server_chain[]? | select(.subject | contains("O=Facebook\\, Inc."))] | length >= 1' "subject escaped once"
check zeek__tls-expired-cert.pcap '[.[] | select(.event=="session" and .diagnosis.expired)] | length >= 1' "expired certificate"
# a 2014 capture's chain up to AddTrust External CA Root (expired 2020): a
# public root then, not "no longer held" with 2020's cross-sign advice
check zeek__tls-expired-cert.pcap '[.[] | select(.event=="finding" and .kind=="untrusted_root") | .summary | select(contains("AddTrust External CA Root")) | (contains("a public root at the sessions'"'"' time") and (contains("cross-signed") | not))] | (length == 1 and all)' "a root public at the capture's time"
# Apple's 2015 chain up to GeoTrust Global CA, removed from the CA bundles
# with Symantec's roots in 2021 (the entry's date, not its note's words): a
# public root then, low, like the others
check zeek__smtp.pcap '[.[] | select(.event=="finding" and .kind=="untrusted_root") | (.severity == "low" and (.summary | contains("CN=GeoTrust Global CA")) and (.summary | contains("a public root at the sessions'"'"' time")))] == [true]' "GeoTrust Global CA in 2015: a public root then, low"
# the same AddTrust root sent by the server (2013): one judgement whether
# sent or not, a public root at the session's time, low, not "the trust
# store does not contain" high
check zeek__tls1.2.pcap '[.[] | select(.event=="finding" and .kind=="untrusted_root") | (.severity == "low" and (.summary | contains("AddTrust External CA Root,OU=AddTrust External TTP Network,O=AddTrust AB,C=SE, sent by the server: the CA bundles have dropped it since")))] == [true]' "AddTrust root sent in 2013: a public root then, low"
# SHA-1 leaves of 2013 and 2014, issued before the CA/B Forum's sunset
# (2016-01-01) and judged before the browsers' distrust (2017): accepted
# then, weak_signature low and saying so, the digest named (not "MD5 or SHA-1")
for b in zeek__tls1.2.pcap arkime__openssl-tls1_2.pcap; do
  check "$b" '[.[] | select(.event=="finding" and .kind=="weak_signature") | (.severity == "low" and (.summary | contains("signed with SHA-1, which clients accepted at the sessions'"'"' time")) and (.summary | contains("MD5") | not))] | (length >= 1 and all)' "SHA-1 leaf before 2017: weak_signature low, accepted then"
done
# the 2014 Equifax chain judged against today's system bundle: likely
# trusted then, low; against a store of the user's own (--no-system-ca
# --ca-file), exactly what they chose: a verifier with it fails, high
check zeek__smtp-starttls.pcap '[.[] | select(.event=="finding" and .kind=="untrusted_root") | (.severity == "low" and (.summary | contains("likely trusted by clients then")))] == [true]' "retired root, system store: low, likely trusted then"
if [ -f "$dir/zeek__smtp-starttls.pcap" ]; then
  "$bin" -q --seed 1 --no-system-ca --ca-file pcaps/certs/root.pem -r "$dir/zeek__smtp-starttls.pcap" \
    --json "$tmp/own-store.json" 2>/dev/null
  jq -e -s '[.[] | select(.event=="finding" and .kind=="untrusted_root") | (.severity == "high"
    and (.summary | contains("a verifier with that store fails on this chain"))
    and (.summary | contains("likely trusted") | not))] == [true]' "$tmp/own-store.json" >/dev/null ||
    bad zeek__smtp-starttls.pcap "retired root, own store (--no-system-ca --ca-file): not high, or no 'a verifier with that store fails'"
fi
# a certificate expiring about a day after the capture: the time left, and high
check zeek__tls-expired-cert.pcap '[.[] | select(.event=="finding" and .kind=="expiring_certificate") | (.severity == "high" and (.summary | contains("which expires on 2014-03-14T23:59:59Z: 1 day left at the end of the capture; renew it now")))] == [true]' "expiring in a day: not high, or the time left not said"
# a name asked for (SNI) that the certificate's subjectAltName holds is the
# certificate's, not "only asked for" (RFC 6125 section 6.4.4: the SAN, not the CN)
check ndpi__http_ipv6.pcap '[.[] | select(.event=="server") | .name_sources[] | select(.name=="s-static.ak.facebook.com") | .from] == [["sni","certificate"]]' "SNI name in the SAN: not the certificate's"
if [ -f "$dir/ndpi__http_ipv6.pcap" ] &&
  "$bin" --no-progress --tls-ports 443 -r "$dir/ndpi__http_ipv6.pcap" 2>/dev/null | grep -q "only asked for (SNI): s-static.ak.facebook.com"; then
  bad ndpi__http_ipv6.pcap "a name of the certificate's SAN listed as only asked for (SNI)"
fi
# no SMTP or mail TLS at all: not "No findings."; HTTPS left out: the option that includes it
# report_has FILE "OPTIONS" LINE: the terminal report holds LINE whole
report_has() {
  [ -f "$dir/$1" ] || return 0
  # shellcheck disable=SC2086
  "$bin" --no-progress --color never $2 -r "$dir/$1" >"$tmp/$1.txt" 2>/dev/null
  grep -qxF -- "$3" "$tmp/$1.txt" || bad "$1" "no line: $3"
  ! grep -qx "No findings." "$tmp/$1.txt" || bad "$1" "\"No findings.\" without a mail session"
}
report_has zeek__missing-intermediate.pcap "" "No SMTP or mail TLS seen: nothing to judge."
report_has zeek__missing-intermediate.pcap "" "3 TLS connections of other protocols (HTTPS and the like) left out, on port 443: --tls-ports 443 includes them."
for b in zeek__imap-starttls.pcap ndpi__pop3_stls.pcap zeek__xmpp-starttls.pcap; do
  report_has "$b" "" "No SMTP or mail TLS seen: nothing to judge."
  if [ -f "$dir/$b" ] && grep -q -- "--tls-ports" "$tmp/$b.txt"; then
    bad "$b" "advice about --tls-ports without TLS left out"
  fi
done
# 128.32.169.140 sends its leaf alone; 72.167.102.91 sends the leaf of
# another site with the Starfield G2 intermediate that issued it, and its
# chain verifies: the missing issuer's certificate was in the capture, so
# missing_intermediate names its sender and certificate (SHA-1 7EDC376D),
# says the server must send it, and drops the either/or (src/agg_issuer.c)
mi='[.[] | select(.event=="finding" and .kind=="missing_intermediate" and .server.ip=="128.32.169.140")]'
check zeek__missing-intermediate.pcap "($mi | length) == 1 and ($mi[0].issuer_seen | .sent_by == \"72.167.102.91:443\" and .sent_as == \"server\" and .sha1 == \"7edc376dcfd45e6ddf082c160df6ac21835b95d4\" and .self_signed == false and .trusted_root == true) and ($mi[0].summary | contains(\"whose certificate was sent by 72.167.102.91:443 in this capture (SHA-1 7EDC376D, until 2031-05-03)\") and contains(\"add it to the chain this server sends\") and (contains(\"either the server\") | not))" "missing_intermediate on 128.32.169.140:443 names the G2 intermediate 72.167.102.91:443 sent"
check zeek__missing-intermediate.pcap '[.[] | select(.event=="server" and .server.ip=="72.167.102.91") | .certificates[] | .verdict] == ["Valid"] and ([.[] | select(.event=="finding" and .server.ip=="72.167.102.91" and .kind=="missing_intermediate")] | length == 0)' "72.167.102.91:443's chain valid"

echo "$n captures read; $fail failures"
[ "$fail" -eq 0 ]
