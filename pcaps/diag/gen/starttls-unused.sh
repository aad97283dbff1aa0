#!/bin/bash
# starttls-unused.sh — record pcaps/diag/starttls-unused.pcap: one Postfix server that offers
# STARTTLS to everyone (smtpd_tls_security_level = may) and swaks clients that use it or not.
# RFC 3207 TLS is opportunistic: a sender that never uses it (here 198.51.100.11 at first) is
# no downgrade (starttls_not_used), while a peer that had used TLS with the server and then
# sends in plaintext (198.51.100.10's second message) is one (plaintext_fallback); a probe
# that stops after EHLO (198.51.100.12) sends no mail at all.
#   usage: starttls-unused.sh      (needs root, iproute2, tcpdump, postfix, swaks, openssl)
# Its own PKI (pki.sh into /tmp/st4-unused-pki): the root is copied to
# pcaps/diag/certs/starttls-unused-root.pem; the shared diagnosis PKI is not touched.
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-unused-pki
source "$GEN/lib.sh"
# Namespaces stu-*, state in /tmp/stu-run and /tmp/st4-pf-u1: of its own, so that it can run
# while make-all.sh or another generator uses the st4-* ones.
ST4_TMP=/tmp/stu-run
ST4_RT=stu-rt
ST4_SW=stu-sw

[ -f "$PKI/root.pem" ] || bash "$GEN/pki.sh" "$PKI" >/dev/null
cp "$PKI/root.pem" "$DIAG/certs/starttls-unused-root.pem"
trap 'cleanup_all; rm -rf "$(pf_dir u1)"' EXIT
trap 'exit 130' INT TERM
for ns in stu-rt stu-sw stu-s1 stu-c1 stu-c2 stu-c3; do
  [ -e "/run/netns/$ns" ] && { log "namespace $ns exists: another run?"; exit 1; }
done
rm -rf "$ST4_TMP"
topo_up
server_add stu-s1 192.0.2.25
client_add stu-c1 198.51.100.10
client_add stu-c2 198.51.100.11
client_add stu-c3 198.51.100.12
pf_server u1 stu-s1 "$PKI/mail.chain.pem"
capture_start "$ST4_TMP/cap.pcap"
swk stu-c1 192.0.2.25 --ehlo client-c1.example.test --tls --tls-sni mail.example.test # TLS
swk stu-c2 192.0.2.25 --ehlo client-c2.example.test # offered, not used: no TLS before
swk stu-c3 192.0.2.25 --ehlo probe.example.test --quit-after HELO # a probe: EHLO, QUIT
swk stu-c1 192.0.2.25 --ehlo client-c1.example.test # offered, not used: TLS before
swk stu-c2 192.0.2.25 --ehlo client-c2.example.test --tls --tls-sni mail.example.test # TLS after
capture_stop
cp "$ST4_TMP/cap.pcap" "$DIAG/starttls-unused.pcap"
log "starttls-unused.pcap: $(stat -c %s "$DIAG/starttls-unused.pcap") bytes"
grep -E '^<-  250 2.0.0 Ok: queued|STARTTLS|=== Connected|^<-  221' "$ST4_TMP/clients.log" >&2
