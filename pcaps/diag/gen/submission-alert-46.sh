#!/bin/bash
# submission-alert-46.sh — record pcaps/diag/submission-alert-46.pcap (case 5): a submission
# server on port 587 (Postfix's submission service, RFC 6409) that presents a default-style
# self-signed certificate (CN=EXCH02, SAN EXCH02, EXCH02.corp.example.test, as Exchange makes
# for itself) where clients expect mail.example.test, and three clients:
#   198.51.100.10  gen/SubmissionClient.java (OpenJDK 17's JSSE) trusting what the JDK trusts:
#                  EHLO, STARTTLS, handshake; PKIX path building fails and JSSE sends the fatal
#                  alert certificate_unknown (46) — SChannel's "fatal alert ... code is 46"
#   198.51.100.11  the same client trusting exactly that certificate (the user accepted the
#                  prompt): handshake, EHLO, AUTH PLAIN of the test account, one message (all
#                  inside TLS)
#   198.51.100.140 swaks without TLS: AUTH PLAIN before any STARTTLS (smtpd_tls_auth_only = no),
#                  then one message, all in plaintext
# Test account (Cyrus SASL sasldb of this capture only): alice@example.test / Sub587-test-pass.
#   usage: submission-alert-46.sh   (needs root, iproute2, tcpdump, postfix, sasl2-bin, swaks,
#                                    openssl, javac and java)
# Its own certificate (made here, in /tmp/st4-sub46-pki): copied to
# pcaps/diag/certs/submission-exch02.pem; the shared diagnosis PKI is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-sub46-pki
USER_NAME=alice@example.test
USER_PASS=Sub587-test-pass
source "$GEN/lib.sh"

# the self-signed certificate, fixed dates (valid five years, as Exchange's own)
pki() {
  ca_db_begin "$PKI" 1000
  cat >> ca.cnf <<'CNF'
[policy_any]
commonName = supplied
[v3_selfsigned]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:EXCH02,DNS:EXCH02.corp.example.test
CNF
  ca_issue ca.cnf exch02 "/CN=EXCH02" v3_selfsigned 20260101000000Z 20310101000000Z
  cat exch02.key exch02.pem > exch02.chain.pem
  cd - >/dev/null || exit 1
}

pki
cp "$PKI/exch02.pem" "$DIAG/certs/submission-exch02.pem"
standalone_begin
mkdir -p "$ST4_TMP/java" "$ST4_TMP/sasl"
javac -d "$ST4_TMP/java" "$GEN/SubmissionClient.java" || exit 1
# the test account in a sasldb of its own (Cyrus SASL), readable by Postfix's smtpd
printf '%s' "$USER_PASS" | saslpasswd2 -p -c -f "$ST4_TMP/sasl/sasldb2" -u example.test "${USER_NAME%@*}"
chown postfix "$ST4_TMP/sasl/sasldb2"
server_add st4-s1 192.0.2.25
client_add st4-c1 198.51.100.10
client_add st4-c2 198.51.100.11
client_add st4-c3 198.51.100.140
PF_HOSTNAME=EXCH02.corp.example.test pf_server 1 st4-s1 "$PKI/exch02.chain.pem" \
  "smtpd_sasl_auth_enable = yes" "smtpd_sasl_type = cyrus" "smtpd_sasl_path = smtpd" \
  "smtpd_tls_auth_only = no" \
  "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"
wait_port st4-s1 587
# Cyrus SASL's smtpd.conf: PLAIN and LOGIN against that sasldb. Debian's Postfix reads it from
# $config_directory/sasl (it ignores cyrus_sasl_config_path); smtpd reads it when it starts, at
# the first connection
mkdir -p "$(pf_dir 1)/etc/sasl"
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' \
  "$ST4_TMP/sasl/sasldb2" > "$(pf_dir 1)/etc/sasl/smtpd.conf"
jc() { # NS [SubmissionClient args after HOST PORT SNI]
  local ns=$1; shift
  timeout 30 ip netns exec "$ns" java -cp "$ST4_TMP/java" SubmissionClient 192.0.2.25 587 \
    mail.example.test "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
ST4_FILTER='ip and tcp port 587' capture_start "$ST4_TMP/cap.pcap"
jc st4-c1
jc st4-c2 --trust "$PKI/exch02.pem" --auth "$USER_NAME" "$USER_PASS"
timeout 20 ip netns exec st4-c3 swaks --server 192.0.2.25 --port 587 --ehlo laptop.example.test \
  --from "$USER_NAME" --to friend@example.net --h-Subject "smtptap submission test" \
  --body "sent in plaintext after AUTH" --auth PLAIN --auth-user "$USER_NAME" \
  --auth-password "$USER_PASS" >>"$ST4_TMP/clients.log" 2>&1 || true
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/submission-alert-46.pcap"
log "submission-alert-46.pcap: $(stat -c %s "$DIAG/submission-alert-46.pcap") bytes"
grep -E 'TLS ok|TLS failed|^S: 235|^ *<- *235|sasl|Authentication' "$ST4_TMP/clients.log" >&2
grep -E "sasl|TLS|warning|fatal" "$(pf_dir 1)/maillog" | grep -v overriding >&2
