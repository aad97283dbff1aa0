#!/bin/bash
# resumption.sh — record pcaps/diag/resumption.pcap (and resumption.keylog): TLS session
# resumption after STARTTLS, each abbreviated handshake after the full handshake it resumes.
# One Postfix server, 192.0.2.25 (mail.example.test, chain leaf + "smtptap Resumption
# Intermediate CA" of the capture's own PKI), TLS 1.2 and 1.3, with a server-side session cache
# (smtpd_tls_session_cache_database: session IDs, RFC 5246 §7.4.1.2) and its default session
# tickets (RFC 5077, TLS 1.3 PSK). Clients: openssl s_client -starttls smtp, each pair a full
# handshake writing its session (-sess_out) and a second connection resuming it (-sess_in):
#   198.51.100.10: TLS 1.2 with -no_ticket (session ID resumption)
#   198.51.100.11: TLS 1.2 with a ticket (RFC 5077 §3.1-3.4)
#   198.51.100.12: TLS 1.3 (PSK from a NewSessionTicket, RFC 8446 §2.2), key log written
# and a Postfix client, 198.51.100.13, smtp_tls_session_cache_database, TLS 1.2 (so that its
# ticket is in clear) and no anonymous cipher suites (at security level "may" Postfix offers
# them first, and a Postfix server takes them: no certificate at all), sending two mails one
# after the other (no connection cache), so the second connection resumes the first's session.
#   usage: resumption.sh      (needs root, iproute2, tcpdump, openssl, postfix, swaks)
#   take the capture generators' lock: flock /tmp/s19/netns.lock pcaps/diag/gen/resumption.sh
# Namespaces r19-res-*; state in /tmp/r19-res-run, PKI in /tmp/r19-res-pki (made here): the
# root is copied to pcaps/diag/certs/resumption-root.pem; the shared diagnosis PKI is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/r19-res-pki
source "$GEN/lib.sh"
# our own names (lib.sh's defaults are st4-*)
ST4_TMP=/tmp/r19-res-run
ST4_RT=r19-res-rt
ST4_SW=r19-res-sw
# lib.sh's prefix (its main.cf allows log files under /tmp/st4-pf- only)
pf_dir() { echo /tmp/st4-pf-r19res$1; }

pki() {
  rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI" || exit 1
  ec_pki_begin Resumption
  ec_pki_leaf mail mail.example.test 3
  cat mail.key mail.pem int.pem > chain.pem
  cd - >/dev/null || exit 1
}

pki
cp "$PKI/root.pem" "$DIAG/certs/resumption-root.pem"
standalone_begin
server_add r19-res-s1 192.0.2.25
client_add r19-res-c1 198.51.100.10
client_add r19-res-c2 198.51.100.11
client_add r19-res-c3 198.51.100.12
client_add r19-res-c4 198.51.100.13
# the server: TLS 1.3 allowed (lib.sh caps it at 1.2), a session cache
pf_server 1 r19-res-s1 "$PKI/chain.pem"
pf_set 1 r19-res-s1 "smtpd_tls_protocols = !SSLv2, !SSLv3" \
  "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3" \
  "smtpd_tls_session_cache_database = btree:$(pf_dir 1)/data/smtpd_scache"
# the sending MTA: relays everything to 192.0.2.25, caches its TLS sessions, TLS 1.2 only,
# one connection per mail (no connection cache, so the second mail opens a new connection)
PF_HOSTNAME=client.example.net pf_server 2 r19-res-c4 "$PKI/chain.pem"
pf_set 2 r19-res-c4 "mydestination =" "myorigin = client.example.net" "default_transport = smtp" \
  "relay_transport = smtp" "relayhost = [192.0.2.25]" "smtp_tls_security_level = may" \
  "smtp_tls_loglevel = 2" "smtp_tls_exclude_ciphers = aNULL" \
  "smtp_tls_session_cache_database = btree:$(pf_dir 2)/data/smtp_scache" \
  "smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1.3" "smtp_connection_cache_on_demand = no" \
  "smtpd_tls_security_level = none"
[ "$(greeting r19-res-c1 192.0.2.25)" = "220 " ] || { log "no greeting from 192.0.2.25"; exit 1; }
[ "$(greeting r19-res-c4 127.0.0.1)" = "220 " ] || { log "no greeting from the client MTA"; exit 1; }
kl=$DIAG/resumption.keylog
rm -f "$kl"
# rs NS SESSFILE [s_client args...] — EHLO, QUIT through STARTTLS; the session written to
# SESSFILE when it does not exist yet, else read from it (resumed)
rs() {
  local ns=$1 sf=$2; shift 2
  local io=(-sess_out "$sf")
  [ -s "$sf" ] && io=(-sess_in "$sf")
  { printf 'EHLO client.example.test\n'; sleep 0.8; printf 'QUIT\n'; sleep 0.3; } | \
    timeout 15 ip netns exec "$ns" openssl s_client -starttls smtp -connect 192.0.2.25:25 \
      -name client.example.test -servername mail.example.test -CAfile "$PKI/root.pem" \
      -ign_eof -crlf "${io[@]}" "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
# mail N — the Nth message, handed to the Postfix client on its loopback (not captured), and
# a wait for its delivery
mail() {
  timeout 20 ip netns exec r19-res-c4 swaks --server 127.0.0.1 --port 25 --ehlo localhost \
    --from sender@client.example.net --to postmaster@example.test \
    --h-Subject "smtptap resumption $1" --body "test message" >>"$ST4_TMP/clients.log" 2>&1 || true
  local i; for i in $(seq 1 100); do
    [ "$(grep -c 'status=sent' "$(pf_dir 2)/maillog" 2>/dev/null)" -ge "$1" ] && break
    sleep 0.2
  done
  sleep 0.5
}
rm -f "$ST4_TMP"/sess-*
capture_start "$ST4_TMP/cap.pcap"
rs r19-res-c1 "$ST4_TMP/sess-sid" -tls1_2 -no_ticket
rs r19-res-c1 "$ST4_TMP/sess-sid" -tls1_2 -no_ticket
rs r19-res-c2 "$ST4_TMP/sess-ticket" -tls1_2
rs r19-res-c2 "$ST4_TMP/sess-ticket" -tls1_2
rs r19-res-c3 "$ST4_TMP/sess-psk" -tls1_3 -keylogfile "$kl"
rs r19-res-c3 "$ST4_TMP/sess-psk" -tls1_3 -keylogfile "$kl"
mail 1
mail 2
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/resumption.pcap"
log "resumption.pcap: $(stat -c %s "$DIAG/resumption.pcap") bytes"
grep -E 'Reused|^New,|Protocol *:' "$ST4_TMP/clients.log" >&2
grep -E "TLS connection established|Reusing old session|save session|status=" "$(pf_dir 2)/maillog" >&2
