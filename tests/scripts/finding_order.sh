#!/bin/sh
# The findings' order and their cross-references, in the terminal report
# and the JSON alike (docs/findings.md "Order of the findings"):
# - within one severity the cause comes first: on the captures of cases 1
#   and 4 the report's first finding is untrusted_root / missing_intermediate,
#   client_rejected_certificate after it; starttls_stripped before
#   plaintext_fallback;
# - the terminal report lists the findings in the JSON's order;
# - client_quit_after_handshake points at its cause by kind, never by a
#   direction ("below"), and every kind it names is a finding of the same
#   server in that output (every golden that has one).
# Usage: finding_order.sh SMTPTAP
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export SSL_CERT_FILE=/dev/null
run() { # NAME PCAP CA: the report and the JSON of one capture
  TZ=UTC "$bin" --no-progress --color never --no-system-ca --ca-file "$3" -r "$2" \
    --json "$tmp/$1.json" >"$tmp/$1.txt" 2>/dev/null
}
# the kinds of the report's FINDINGS lines, in order ("(also ..." left out)
kinds_text() {
  sed -n '/^FINDINGS/,/^$/p' "$tmp/$1.txt" | awk '/^  [a-z]/ { print $2 }'
}
# the JSON's kinds in order, less those the report names on its "(also" line
kinds_json() {
  also=$(sed -n 's/^  (also \(.*\))$/\1/p' "$tmp/$1.txt" | grep -o '[a-z_]*: the same' | sed 's/: the same//')
  jq -r 'select(.event=="finding") | .kind' "$tmp/$1.json" | grep -vxF "${also:-@none@}"
}
first_is() { # NAME KIND
  got=$(kinds_text "$1" | head -n 1)
  if [ "$got" = "$2" ]; then echo "ok   $1: first finding $2"; else
    echo "FAIL $1: first finding is $got, not $2"; fail=1; fi
}
before() { # NAME A B: A is listed before B
  a=$(kinds_text "$1" | grep -nxF "$2" | head -n 1 | cut -d: -f1)
  b=$(kinds_text "$1" | grep -nxF "$3" | head -n 1 | cut -d: -f1)
  if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then echo "ok   $1: $2 before $3"; else
    echo "FAIL $1: $2 (line ${a:-none}) not before $3 (line ${b:-none})"; fail=1; fi
}
same_order() { # NAME
  if [ "$(kinds_text "$1")" = "$(kinds_json "$1")" ]; then echo "ok   $1: report in JSON order"; else
    echo "FAIL $1: the report's order differs from the JSON's"; fail=1; fi
}
run ur pcaps/diag/untrusted-root.pcap pcaps/diag/certs/root.pem
first_is ur untrusted_root
before ur untrusted_root client_rejected_certificate
same_order ur
run mi pcaps/diag/missing-intermediate.pcap pcaps/diag/certs/root.pem
first_is mi missing_intermediate
before mi missing_intermediate client_rejected_certificate
same_order mi
run st pcaps/smtp-stripped-starttls.pcap pcaps/certs/root.pem
first_is st starttls_stripped
before st starttls_stripped plaintext_fallback
same_order st
run dp pcaps/diag/dane-peers.pcap pcaps/diag/certs/dane-peers-root.pem
before dp missing_intermediate client_quit_after_handshake
same_order dp
run ss pcaps/diag/submission-alert-46.pcap pcaps/diag/certs/root.pem
before ss self_signed client_rejected_certificate
same_order ss
# a client certificate that does not verify (mutual TLS) is a finding of
# its own, before the server's rejection it causes: medium when the server
# accepted it (smtp-mutual-tls.pcap), high when it then rejected it
run mt pcaps/smtp-mutual-tls.pcap pcaps/certs/root.pem
first_is mt client_certificate_untrusted
same_order mt
check_line() { # NAME TEXT: a FINDINGS line holds TEXT
  if sed -n '/^FINDINGS/,/^$/p' "$tmp/$1.txt" | grep -qF -- "$2"; then echo "ok   $1: $2"; else
    echo "FAIL $1: no finding line with: $2"; fail=1; fi
}
check_line mt "medium   client_certificate_untrusted       203.0.113.25:25 was presented client certificates"
check_line mt "CN=relay.client.test,O=Client Relay (SHA-1 F61D8458, until 2027-06-01), 1 certificate sent, from 198.51.100.10 (1 session): PartialChain (unable to get local issuer certificate): its issuer CN=smtptap Test Intermediate CA,O=smtptap test is neither sent nor in the trust store: the client must send its intermediate (configure its full chain), or the server's trust store lacks that CA"
run mr pcaps/diag/mutual-tls-rejected.pcap pcaps/diag/certs/root.pem
first_is mr client_certificate_untrusted
check_line mr "high     client_certificate_untrusted       192.0.2.26:25 was presented client certificates (mutual TLS) whose chains do not verify for a TLS client against smtptap's trust store, and ended 1 session of them with a fatal alert (server_rejected_client_certificate)"
same_order mr
# client_quit_after_handshake in every golden: no direction, and each kind
# named is a finding of that server there
n=0
for g in tests/golden/expected/*.ndjson; do
  jq -c 'select(.event=="finding" and .kind=="client_quit_after_handshake")
         | {s: "\(.server.ip):\(.server.port)", t: .summary}' "$g" >"$tmp/q" 2>/dev/null || continue
  while IFS= read -r q; do
    n=$((n + 1))
    t=$(printf '%s' "$q" | jq -r .t)
    s=$(printf '%s' "$q" | jq -r .s)
    case $t in *" below"* | *" above"*)
      echo "FAIL $g: client_quit_after_handshake points by direction: $t"; fail=1 ;; esac
    named=$(printf '%s' "$t" | sed -n 's/.*(\(its finding\|their findings\): \([a-z_, ]*\)).*/\2/p' | tr -d ' ' | tr ',' ' ')
    for k in $named; do
      if [ "$(jq -s --arg k "$k" --arg s "$s" 'any(.[]; .event=="finding" and .kind==$k
             and "\(.server.ip):\(.server.port)"==$s)' "$g")" != true ]; then
        echo "FAIL $g: client_quit_after_handshake names $k, not a finding of $s"; fail=1
      fi
    done
  done <"$tmp/q"
done
[ "$n" -ge 10 ] || { echo "FAIL only $n client_quit_after_handshake findings in the goldens"; fail=1; }
echo "checked $n client_quit_after_handshake findings"
exit $fail
