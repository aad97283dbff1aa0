#!/bin/bash
# make-all.sh — record the smtptap diagnosis captures from real software in netns.
#   usage: make-all.sh [capture ...]     (default: all; names as in the cap_* functions,
#                                          e.g. "make-all.sh expired_leaf nat_peer_dependent")
# Needs root, iproute2, tcpdump, postfix, swaks, openssl, gnutls-bin, dnsmasq, iptables, python3.
# Everything runs in namespaces st4-*, state in /tmp/st4-*; cleaned up on exit (trap).
set -uo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
DIAG=$(dirname "$GEN")
PKI=/tmp/st4-pki
source "$GEN/lib.sh"

VIP=203.0.113.25
CA=$PKI/root.pem

ensure_pki() {
  if [ ! -f "$PKI/root.pem" ]; then bash "$GEN/pki.sh" "$PKI" >/dev/null; fi
  mkdir -p "$DIAG/certs"
  cp "$PKI/root.pem" "$DIAG/certs/root.pem"
  cp "$PKI/intermediate.pem" "$DIAG/certs/intermediate.pem"
  cp "$PKI/constrained-intermediate.pem" "$DIAG/certs/constrained-intermediate.pem"
  cp "$PKI/other-root.pem" "$DIAG/certs/other-root.pem"
  cp "$PKI/other-intermediate.pem" "$DIAG/certs/other-intermediate.pem"
  local c; for c in mail expired oldpool noint other forbidden renew-old renew-new mx1wrong mx2 weak \
                   server1 exch01 client-other client-ok; do
    cp "$PKI/$c.crt" "$DIAG/certs/leaf-$c.pem"; done
}

# begin NAME: fresh topology; end NAME: stop capture, copy, clean
begin() { CUR=$1; log "=== $CUR"; cleanup_all; rm -rf "$ST4_TMP"; topo_up; }
end() {
  capture_stop
  cp "$ST4_TMP/cap.pcap" "$DIAG/$CUR.pcap"
  log "$CUR.pcap: $(stat -c %s "$DIAG/$CUR.pcap") bytes"
  mkdir -p "$ST4_TMP.logs"; cat /tmp/st4-pf-*/maillog > "$ST4_TMP.logs/$CUR.maillog" 2>/dev/null
  cp "$ST4_TMP/clients.log" "$ST4_TMP.logs/$CUR.clients.log" 2>/dev/null
  cleanup_all
  rm -rf /tmp/st4-pf-*
}
cap() { capture_start "$ST4_TMP/cap.pcap" "$@"; }

# a. expired leaf: accepted by swaks/openssl (no verification), rejected by openssl -verify_return_error (alert 45)
cap_expired_leaf() {
  begin expired-leaf
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  PF_HOSTNAME=mail-expired.example.test pf_server 1 st4-s1 $PKI/expired.chain.pem
  cap
  swk  st4-c1 192.0.2.25 --tls --tls-sni mail-expired.example.test
  ossl st4-c1 192.0.2.25 -servername mail-expired.example.test
  ossl st4-c2 192.0.2.25 -servername mail-expired.example.test -CAfile $CA -verify_return_error
  end
}

# b. Office 365 hybrid case 3: self-signed CN=SERVER1 while the client asks for hybrid.example.test
cap_self_signed_name() {
  begin self-signed-name
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  PF_HOSTNAME=SERVER1.corp.example.test pf_server 1 st4-s1 $PKI/server1.chain.pem
  cap
  ossl st4-c1 192.0.2.25 -servername hybrid.example.test
  swk  st4-c1 192.0.2.25 --tls --tls-sni hybrid.example.test --to user@example.test
  ossl st4-c2 192.0.2.25 -servername hybrid.example.test -CAfile $CA -verify_hostname hybrid.example.test -verify_return_error
  end
}

# c. server sends only its leaf; leaf issued by the intermediate
cap_missing_intermediate() {
  begin missing-intermediate
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  PF_HOSTNAME=mail-noint.example.test pf_server 1 st4-s1 $PKI/noint.chain.pem
  cap
  swk  st4-c1 192.0.2.25 --tls --tls-sni mail-noint.example.test
  ossl st4-c2 192.0.2.25 -servername mail-noint.example.test -CAfile $CA -verify_return_error
  end
}

# d. case 1: smart host on 587, full chain to "Other Root CA" (not in the trust store root.pem)
cap_untrusted_root() {
  begin untrusted-root
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  PF_HOSTNAME=mail.other.example.test pf_server 1 st4-s1 $PKI/other.chain.pem
  cap
  PORT=587 swk  st4-c1 192.0.2.25 --tls --tls-sni mail.other.example.test
  PORT=587 ossl st4-c2 192.0.2.25 -servername mail.other.example.test -CAfile $CA -verify_return_error
  PORT=587 swk  st4-c1 192.0.2.25 --tls --tls-sni mail.other.example.test --tls-verify --tls-ca-path $CA
  end
}

# e. constrained intermediate (permitted .allowed.example.test) issued mail.forbidden.example.test
cap_name_constraint() {
  begin name-constraint
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  PF_HOSTNAME=mail.forbidden.example.test pf_server 1 st4-s1 $PKI/forbidden.chain.pem
  cap
  swk  st4-c1 192.0.2.25 --tls --tls-sni mail.forbidden.example.test
  ossl st4-c2 192.0.2.25 -servername mail.forbidden.example.test -CAfile $CA -verify_return_error
  end
}

# f. NAT router: backend chosen by client subnet; one public address, two certificates
cap_nat_peer_dependent() {
  begin nat-peer-dependent
  server_add st4-sa 10.99.4.11
  server_add st4-sb 10.99.4.12
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  client_add st4-c3 198.51.100.140
  client_add st4-c4 198.51.100.141
  ip netns exec $ST4_RT iptables -t nat -A PREROUTING -d $VIP -p tcp --dport 25 -s 198.51.100.0/25 -j DNAT --to-destination 10.99.4.11:25
  ip netns exec $ST4_RT iptables -t nat -A PREROUTING -d $VIP -p tcp --dport 25 -s 198.51.100.128/25 -j DNAT --to-destination 10.99.4.12:25
  PF_HOSTNAME=mail.example.test pf_server 1 st4-sa $PKI/mail.chain.pem
  PF_HOSTNAME=SERVER1.corp.example.test pf_server 2 st4-sb $PKI/server1.chain.pem
  cap
  local r c
  for r in 1 2; do
    for c in st4-c1 st4-c3 st4-c2 st4-c4; do
      if [ $r = 1 ]; then swk "$c" $VIP --tls --tls-sni mail.example.test
      else ossl "$c" $VIP -servername mail.example.test; fi
    done
  done
  end
}

# g. case 2: round-robin pool behind one VIP, node 3 still has the old, expired certificate
cap_pool_mixed() {
  begin pool-mixed
  server_add st4-s1 10.99.4.21
  server_add st4-s2 10.99.4.22
  server_add st4-s3 10.99.4.23
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.140
  local R="ip netns exec $ST4_RT iptables -t nat -A PREROUTING -d $VIP -p tcp --dport 25"
  $R -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 10.99.4.21:25
  $R -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.99.4.22:25
  $R -j DNAT --to-destination 10.99.4.23:25
  pf_server 1 st4-s1 $PKI/mail.chain.pem
  pf_server 2 st4-s2 $PKI/mail.chain.pem
  pf_server 3 st4-s3 $PKI/oldpool.chain.pem
  cap
  local i
  for i in 1 2 3 4; do
    swk st4-c1 $VIP --tls --tls-sni mail.example.test
    ossl st4-c2 $VIP -servername mail.example.test
  done
  end
}

# h. certificate replaced half-way (postfix reload): same subject+issuer, new serial/fingerprint
cap_cert_renewed() {
  begin cert-renewed
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.140
  PF_HOSTNAME=mail-renew.example.test pf_server 1 st4-s1 $PKI/renew-old.chain.pem
  cap
  swk  st4-c1 192.0.2.25 --tls --tls-sni mail-renew.example.test
  ossl st4-c2 192.0.2.25 -servername mail-renew.example.test -CAfile $CA
  swk  st4-c1 192.0.2.25 --tls --tls-sni mail-renew.example.test
  sleep 2
  cp $PKI/renew-new.chain.pem /tmp/st4-pf-1/etc/chain.pem
  pf_reload st4-s1 1
  sleep 2
  swk  st4-c1 192.0.2.25 --tls --tls-sni mail-renew.example.test
  ossl st4-c2 192.0.2.25 -servername mail-renew.example.test -CAfile $CA
  swk  st4-c1 192.0.2.25 --tls --tls-sni mail-renew.example.test
  end
}

# i. Postfix relay client: MX/A lookups (dnsmasq) then STARTTLS; mx1's cert lacks mx1.example.test,
#    mx2's cert covers mx2.example.test
cap_dns_mx() {
  begin dns-mx
  server_add st4-dns 192.0.2.53
  server_add st4-s1 192.0.2.31
  server_add st4-s2 192.0.2.32
  client_add st4-c1 198.51.100.10
  bg_start st4-dns dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --bind-interfaces \
      --listen-address=192.0.2.53 --except-interface=lo --pid-file=$ST4_TMP/dnsmasq.pid \
      --mx-host=example.test,mx1.example.test,10 --host-record=mx1.example.test,192.0.2.31 \
      --mx-host=sub.example.test,mx2.example.test,10 --host-record=mx2.example.test,192.0.2.32 \
      --log-queries --log-facility=$ST4_TMP/dnsmasq.log
  wait_port st4-dns 53
  PF_HOSTNAME=mail.example.test pf_server 1 st4-s1 $PKI/mx1wrong.chain.pem
  PF_HOSTNAME=mx2.example.test pf_server 2 st4-s2 $PKI/mx2.chain.pem \
      "mydestination = sub.example.test, \$myhostname"
  # the relay client: Postfix on 127.0.0.1 in st4-c1, delivering by MX with verify-level TLS
  PF_HOSTNAME=relay.client.example.test pf_server 3 st4-c1 $PKI/mail.chain.pem \
      "inet_interfaces = loopback-only" "mydestination =" \
      "default_transport = smtp" "relay_transport = smtp" "local_transport = error:local" \
      "smtp_dns_support_level = enabled" "smtp_tls_security_level = verify" \
      "smtp_tls_CAfile = $CA" "smtp_tls_servername = hostname" "smtp_tls_loglevel = 1" \
      "smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1.3" "smtp_tls_session_cache_database =" \
      "smtp_tls_verify_cert_match = hostname" "maillog_file ="
  cap
  timeout 20 ip netns exec st4-c1 swaks --server 127.0.0.1 --from sender@client.example.test \
      --to user@example.test --h-Subject "via MX mx1" >>"$ST4_TMP/clients.log" 2>&1
  sleep 8
  timeout 20 ip netns exec st4-c1 swaks --server 127.0.0.1 --from sender@client.example.test \
      --to user@sub.example.test --h-Subject "via MX mx2" >>"$ST4_TMP/clients.log" 2>&1
  sleep 8
  end
}
wait_log() { local i; for i in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done; log "no '$2' in $1"; }

# j. case 5: client aborts on a certificate it does not trust (default self-signed EXCH01 instead of the
#    real certificate); record the alerts real clients send
cap_client_alert_46() {
  begin client-alert-46
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  client_add st4-c3 198.51.100.140
  PF_HOSTNAME=EXCH01.corp.example.test pf_server 1 st4-s1 $PKI/exch01.chain.pem
  cap
  # gnutls-cli with a CA file that lacks the (self-signed) issuer
  gtls st4-c1 192.0.2.25 --x509cafile=$CA --sni-hostname=mail.example.test
  # openssl s_client rejecting the self-signed certificate
  ossl st4-c2 192.0.2.25 -servername mail.example.test -CAfile $CA -verify_return_error
  # openssl s_client that trusts the certificate but expects another name -> certificate_unknown (46)
  ossl st4-c3 192.0.2.25 -servername mail.example.test -CAfile $PKI/exch01.crt \
       -verify_hostname mail.example.test -verify_return_error
  end
}

# k. mutual TLS: server asks for a client certificate and rejects it
cap_mutual_tls_rejected() {
  begin mutual-tls-rejected
  server_add st4-s1 192.0.2.25
  server_add st4-s2 192.0.2.26
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  # Postfix: ask + require a client certificate issued under root.pem; rejection is an SMTP 421 inside TLS
  pf_server 1 st4-s1 $PKI/mail.chain.pem "smtpd_tls_security_level = encrypt" \
      "smtpd_tls_ask_ccert = yes" "smtpd_tls_req_ccert = yes" "smtpd_tls_CAfile = $PKI/root+int.pem"
  # OpenSSL-based STARTTLS server (Python ssl, CERT_REQUIRED): rejects with a TLS fatal alert
  bg_start st4-s2 python3 "$GEN/mtls-smtpd.py" --listen 192.0.2.26 --port 25 \
      --chain "$PKI/mail.crt" --ichain "$PKI/intermediate.pem" --key "$PKI/mail.key" \
      --cafile "$PKI/root+int.pem" --max-conns 4 --timeout 60
  wait_port st4-s2 25
  cap
  ossl st4-c1 192.0.2.25 -servername mail.example.test -CAfile $CA \
       -cert $PKI/client-other.crt -key $PKI/client-other.key -cert_chain $PKI/other-intermediate.pem
  ossl st4-c2 192.0.2.25 -servername mail.example.test -CAfile $CA \
       -cert $PKI/client-ok.crt -key $PKI/client-ok.key -cert_chain $PKI/intermediate.pem
  ossl st4-c1 192.0.2.26 -servername mail.example.test -CAfile $CA \
       -cert $PKI/client-other.crt -key $PKI/client-other.key -cert_chain $PKI/other-intermediate.pem
  ossl st4-c2 192.0.2.26 -servername mail.example.test -CAfile $CA
  ossl st4-c2 192.0.2.26 -servername mail.example.test -CAfile $CA \
       -cert $PKI/client-ok.crt -key $PKI/client-ok.key -cert_chain $PKI/intermediate.pem
  end
}

# l. RSA-1024 leaf with SHA-1 signature
cap_weak_key() {
  begin weak-key
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  printf 'openssl_conf = oc\n[oc]\nssl_conf = sc\n[sc]\nsystem_default = sd\n[sd]\nCipherString = DEFAULT:@SECLEVEL=0\n' > $ST4_TMP/seclevel0.cnf
  PF_HOSTNAME=weak.example.test pf_server 1 st4-s1 $PKI/weak.chain.pem \
      "tls_config_file = $ST4_TMP/seclevel0.cnf" "tls_medium_cipherlist = DEFAULT:@SECLEVEL=0"
  cap
  ossl st4-c1 192.0.2.25 -servername weak.example.test -CAfile $CA -cipher 'DEFAULT:@SECLEVEL=0'
  swk  st4-c1 192.0.2.25 --tls --tls-sni weak.example.test --tls-cipher 'DEFAULT:@SECLEVEL=0'
  ossl st4-c2 192.0.2.25 -servername weak.example.test -CAfile $CA -cipher 'DEFAULT:@SECLEVEL=2' -verify_return_error
  end
}

# m. one server address: STARTTLS offered to 198.51.100.0/25, hidden from 198.51.100.128/25
cap_starttls_inconsistent() {
  begin starttls-inconsistent
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.140
  client_add st4-c3 198.51.100.141
  printf '198.51.100.128/25 starttls\n' > $ST4_TMP/discard.cidr
  pf_server 1 st4-s1 $PKI/mail.chain.pem "smtpd_discard_ehlo_keyword_address_maps = cidr:$ST4_TMP/discard.cidr"
  cap
  swk st4-c1 192.0.2.25 --tls --tls-sni mail.example.test
  swk st4-c2 192.0.2.25 --tls-optional
  swk st4-c1 192.0.2.25 --tls --tls-sni mail.example.test
  swk st4-c3 192.0.2.25 --tls-optional
  swk st4-c3 192.0.2.25 --tls --tls-sni mail.example.test
  end
}

# n. one name, three addresses (DNS round robin / MX with several A records):
# 192.0.2.43 still has the expired certificate. Per address each is
# consistent; only grouping by the name the clients asked for shows the mix.
cap_name_pool() {
  begin name-pool
  server_add st4-s1 192.0.2.41
  server_add st4-s2 192.0.2.42
  server_add st4-s3 192.0.2.43
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.140
  pf_server 1 st4-s1 $PKI/mail.chain.pem
  pf_server 2 st4-s2 $PKI/mail.chain.pem
  pf_server 3 st4-s3 $PKI/oldpool.chain.pem
  cap
  local ip
  for ip in 192.0.2.41 192.0.2.42 192.0.2.43; do
    swk st4-c1 $ip --tls --tls-sni mail.example.test
    ossl st4-c2 $ip -servername mail.example.test
  done
  end
}

# o. TLS 1.3 with a key log (SSLKEYLOGFILE format, written by openssl
# s_client -keylogfile): one client accepts the certificate, one does not
# trust its root and aborts with an alert that TLS 1.3 encrypts. With
# --keylog smtptap decrypts the handshakes: the chains and the alert's code.
cap_tls13_keylog() {
  begin tls13-keylog
  server_add st4-s1 192.0.2.25
  client_add st4-c1 198.51.100.10
  client_add st4-c2 198.51.100.11
  pf_server 1 st4-s1 $PKI/mail.chain.pem "smtpd_tls_protocols = !SSLv2, !SSLv3" \
    "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3"
  local kl=$DIAG/tls13-keylog.keylog
  rm -f "$kl"
  cap
  ossl st4-c1 192.0.2.25 -tls1_3 -servername mail.example.test -CAfile $CA -keylogfile "$kl"
  ossl st4-c2 192.0.2.25 -tls1_3 -servername mail.example.test -CAfile $PKI/other-root.pem \
    -verify_return_error -keylogfile "$kl"
  end
}

ALL="expired_leaf self_signed_name missing_intermediate untrusted_root name_constraint nat_peer_dependent
     pool_mixed cert_renewed dns_mx client_alert_46 mutual_tls_rejected weak_key starttls_inconsistent
     name_pool tls13_keylog"

trap 'cleanup_all; rm -rf /tmp/st4-pf-*' EXIT
trap 'exit 130' INT TERM
ensure_pki
for c in ${@:-$ALL}; do "cap_$c"; done
