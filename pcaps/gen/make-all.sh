#!/bin/bash
# Regenerate smtptap's test captures from real software in network namespaces.
#
#   sudo pcaps/gen/make-all.sh            # all captures
#   sudo pcaps/gen/make-all.sh tls13 ipv6 # only some (function names without cap_)
#
# Needs: root, iproute2, tcpdump, ethtool, iptables, postfix (installed, the
# system instance is not used), swaks, openssl, gnutls-bin, python3, and
# apt access for the Exim .debs (unpacked into /tmp, not installed).
# All traffic stays inside the st3-* namespaces (see lib.sh); everything is
# cleaned up on exit.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "$HERE/.." && pwd)
ST3_RUN=/tmp/st3-run
source "$HERE/lib.sh"
PKI=$ST3_RUN/pki
PASS=S3cretPassw0rd

cleanup() {
    set +e
    local n
    for n in srv relay; do pf_stop $n "$ST3_NS_SRV"; pf_stop $n "${ST3_CLIENTS[2]}"; done
    bg_stop_all
    nsx "$ST3_NS_RTR" iptables -t nat -F 2>/dev/null
    topo_down
    # keep the client/server logs for inspection, drop keys and spools
    rm -rf /tmp/st3-logs; mkdir -p /tmp/st3-logs
    cp "$ST3_RUN"/*.log "$ST3_RUN"/*.out /tmp/st3-logs/ 2>/dev/null
    for n in "$PF_BASE"-*; do [ -f "$n/maillog" ] && cp "$n/maillog" "/tmp/st3-logs/maillog-${n##*-}"; done
    for n in "$ST3_RUN"/exim-*/log/mainlog; do [ -f "$n" ] && cp "$n" "/tmp/st3-logs/exim-$(basename "$(dirname "$(dirname "$n")")")-mainlog"; done
    rm -rf "$PF_BASE"-* "$ST3_RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "run as root"
rm -rf "$ST3_RUN"; mkdir -p "$ST3_RUN"
"$HERE/certs.sh" "$PKI" "$OUT/certs" >/dev/null || die "PKI"
topo_up

C1=${ST3_CLIENTS[0]}; C2=${ST3_CLIENTS[1]}; C3=${ST3_CLIENTS[2]}
S4=$ST3_SRV4; S6=$ST3_SRV6

# ------------------------------------------------------------ client helpers
# swaks_c NS LOGNAME swaks-args...   (a message from alice@example.net to bob@example.test)
swaks_c() {
    local ns=$1 name=$2; shift 2
    nsx "$ns" timeout 20 swaks --ehlo "client$(client_ip4 "$ns" | cut -d. -f4).example.net" \
        --from alice@example.net --to bob@example.test \
        --header "Subject: smtptap test $name" --body "smtptap test message ($name)" \
        "$@" >"$ST3_RUN/swaks-$name.log" 2>&1
    log "swaks $name rc=$? ($(grep -cE '^<~|^<-|^<\*\*' "$ST3_RUN/swaks-$name.log") server lines)"
}

# ossl_c NS LOGNAME s_client-args...  (sends EHLO again after TLS, then QUIT)
ossl_c() {
    local ns=$1 name=$2; shift 2
    { sleep 1.2; printf 'EHLO client.example.net\r\n'; sleep 0.3; printf 'QUIT\r\n'; sleep 1; } |
        nsx "$ns" timeout 15 openssl s_client -crlf -ign_eof "$@" >"$ST3_RUN/ossl-$name.log" 2>&1
    log "openssl s_client $name rc=$? $(grep -m1 -E 'Verify return code|verify error' "$ST3_RUN/ossl-$name.log")"
}

# gnutls_c NS LOGNAME gnutls-cli-args...
gnutls_c() {
    local ns=$1 name=$2; shift 2
    { sleep 1.2; printf 'EHLO client.example.net\r\n'; sleep 0.3; printf 'QUIT\r\n'; sleep 1; } |
        nsx "$ns" timeout 15 gnutls-cli --crlf "$@" >"$ST3_RUN/gnutls-$name.log" 2>&1
    log "gnutls-cli $name rc=$? $(grep -m1 -iE 'status:|error' "$ST3_RUN/gnutls-$name.log")"
}

# Postfix as an MTA client in client namespace 3: listens on 127.0.0.1:25 in
# that namespace (not captured) and relays everything to [server]:port.
# relay_start SECURITY_LEVEL [PORT] [extra main.cf lines on stdin]
relay_start() {
    local level=$1 port=${2:-25} d=$PF_BASE-relay
    local extra; extra=$(cat)
    pf_config relay <<EOM
myhostname = relay.client.test
smtp_helo_name = relay.client.test
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
relay_domains =
relayhost = [$S4]:$port
smtp_tls_security_level = $level
smtp_tls_CAfile = $PKI/root.pem
smtp_tls_servername = mail.example.test
smtp_tls_policy_maps = texthash:$d/etc/tls_policy
$extra
EOM
    if [ "$level" = secure ] || [ "$level" = verify ]; then
        echo "[$S4]:$port $level match=mail.example.test" > "$d/etc/tls_policy"
    else
        : > "$d/etc/tls_policy"
    fi
    pf_start relay "$C3" 25
}
# relay_send NAME: submit one message to the relay and wait for its outcome
relay_send() {
    local name=$1
    nsx "$C3" timeout 20 swaks --server 127.0.0.1 --ehlo localhost --from carol@client.test \
        --to bob@example.test --header "Subject: smtptap relay test $name" \
        --body "relayed by Postfix ($name)" >"$ST3_RUN/relay-submit-$name.log" 2>&1
    pf_wait_log relay 'status=(sent|deferred|bounced)' 20
    log "relay $name: $(grep -oE 'status=[a-z]+ .*' $PF_BASE-relay/maillog | tail -1 | cut -c1-150)"
}
relay_stop() { pf_stop relay "$C3"; }

# Postfix server in the server namespace; main.cf lines on stdin
srv_start() { # PORT
    local port=${1:-25} extra; extra=$(cat)
    pf_config srv <<EOM
inet_interfaces = $S4, [$S6]
$extra
EOM
    pf_start srv "$ST3_NS_SRV" "$port"
}
srv_stop() { pf_stop srv "$ST3_NS_SRV"; }

TLS12_ONLY="smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2, <=TLSv1.2"

finish() { # FILE EXPECTED_TCP_SESSIONS
    local f=$1 want=${2:-1} n
    chown --reference="$OUT" "$f" 2>/dev/null
    n=$(tshark -r "$f" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' 2>/dev/null | wc -l)
    log "$(basename "$f"): $(stat -c %s "$f") bytes, $(tcpdump -nr "$f" 2>/dev/null | wc -l) packets, $n/$want sessions"
    [ "$n" -ge "$want" ]
}

# ------------------------------------------------------------ captures
# a. bundled showcase: Postfix, port 25, STARTTLS, TLS 1.2, leaf + intermediate
cap_tls12_chain() {
    local f=$OUT/smtp-starttls-tls12-chain.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
$TLS12_ONLY
EOM
    relay_start secure </dev/null
    capture_start "$f" r-srv
    swaks_c "$C1" tls12-swaks --server $S4 --tls --tls-sni mail.example.test \
        --tls-verify --tls-ca-path "$PKI/root.pem"
    sleep 0.5
    ossl_c "$C2" tls12-ossl -starttls smtp -name client20.example.net -connect $S4:25 \
        -servername mail.example.test -CAfile "$PKI/root.pem" -verify_return_error -verify_hostname mail.example.test
    sleep 0.5
    relay_send tls12
    capture_stop
    relay_stop; srv_stop
    finish "$f" 3 || return 1
}

# b. TLS 1.3 (certificates encrypted); key log for the gnutls and openssl sessions
cap_tls13() {
    local f=$OUT/smtp-starttls-tls13.pcap kl=$OUT/smtp-starttls-tls13.keylog
    rm -f "$kl"
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
EOM
    capture_start "$f" r-srv
    swaks_c "$C1" tls13-swaks --server $S4 --tls --tls-sni mail.example.test
    sleep 0.5
    SSLKEYLOGFILE=$kl gnutls_c "$C2" tls13-gnutls --starttls-proto=smtp --port 25 \
        --x509cafile "$PKI/root.pem" --sni-hostname mail.example.test --verify-hostname mail.example.test $S4
    sleep 0.5
    ossl_c "$C3" tls13-ossl -starttls smtp -name client30.example.net -connect $S4:25 -tls1_3 \
        -servername mail.example.test -CAfile "$PKI/root.pem" -keylogfile "$kl"
    capture_stop
    srv_stop
    finish "$f" 3 || return 1
}

# c1. submission on 587 (Exim): STARTTLS then AUTH; plus refusals before TLS / without AUTH
cap_submission_587() {
    local f=$OUT/smtp-submission-587.pcap
    exim_config sub "587 : 465" yes '${if def:tls_in_cipher}'
    exim_start sub 587
    capture_start "$f" r-srv "tcp port 587"
    swaks_c "$C1" sub-plain --server $S4 --port 587 --tls --tls-protocol tlsv1_2 --tls-sni mail.example.test \
        --auth PLAIN --auth-user alice --auth-password "$PASS"
    sleep 0.5
    swaks_c "$C2" sub-login --server $S4 --port 587 --tls --tls-sni mail.example.test \
        --auth LOGIN --auth-user alice --auth-password "$PASS"
    sleep 0.5
    swaks_c "$C3" sub-notls --server $S4 --port 587      # 451 5.7.3 STARTTLS is required
    sleep 0.5
    swaks_c "$C3" sub-noauth --server $S4 --port 587 --tls --tls-protocol tlsv1_2   # 530 5.7.1 not authenticated
    capture_stop
    finish "$f" 4 || log "WARNING: $f incomplete"
    # c2. implicit TLS on 465 (same Exim daemon)
    f=$OUT/smtps-465.pcap
    capture_start "$f" r-srv "tcp port 465"
    swaks_c "$C1" smtps-swaks --server $S4 --port 465 --tls-on-connect --tls-sni mail.example.test \
        --auth PLAIN --auth-user alice --auth-password "$PASS"
    sleep 0.5
    ossl_c "$C2" smtps-ossl -connect $S4:465 -tls1_2 -servername mail.example.test -CAfile "$PKI/root.pem"
    capture_stop
    exim_stop sub
    finish "$f" 2 || return 1
}

# d. SMTP with STARTTLS on port 2525 (Postfix)
cap_nonstandard_port() {
    local f=$OUT/smtp-nonstandard-port.pcap
    PF_MASTER_EXTRA="2525      inet  n       -       n       -       -       smtpd"
    srv_start 2525 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
EOM
    capture_start "$f" r-srv "tcp port 2525"
    swaks_c "$C1" port2525-swaks --server $S4 --port 2525 --tls --tls-protocol tlsv1_2 --tls-sni mail.example.test
    sleep 0.5
    gnutls_c "$C2" port2525-gnutls --starttls-proto=smtp --port 2525 --x509cafile "$PKI/root.pem" \
        --priority NORMAL:-VERS-TLS1.3 --sni-hostname mail.example.test --verify-hostname mail.example.test $S4
    capture_stop
    srv_stop
    finish "$f" 2 || return 1
}

# e. self-signed server certificate (CN=SERVER1)
cap_self_signed() {
    local f=$OUT/smtp-self-signed.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/selfsigned-keychain.pem
$TLS12_ONLY
EOM
    relay_start secure </dev/null
    capture_start "$f" r-srv
    swaks_c "$C1" selfsigned-swaks --server $S4 --tls --tls-sni hybrid.example.test
    sleep 0.5
    ossl_c "$C2" selfsigned-ossl -starttls smtp -name client20.example.net -connect $S4:25 \
        -servername hybrid.example.test -CAfile "$PKI/root.pem"
    sleep 0.5
    relay_send selfsigned      # Postfix "secure": handshake completes, then the client gives up (deferred)
    capture_stop
    relay_stop; srv_stop
    finish "$f" 3 || return 1
}

# f. 454 reply to STARTTLS, then plaintext mail. Exim whose private key is not
# readable by the exim user (a classic Debian misconfiguration): Exim offers
# STARTTLS, then answers "454 TLS currently unavailable".
cap_starttls_rejected_454() {
    local f=$OUT/smtp-starttls-rejected-454.pcap
    exim_config k454 "25" yes '${if def:tls_in_cipher}'
    chown root "$ST3_RUN/exim-k454/server.key"; chmod 600 "$ST3_RUN/exim-k454/server.key"
    exim_start k454 25
    relay_start may </dev/null
    capture_start "$f" r-srv
    swaks_c "$C1" 454-swaks --server $S4 --tls-optional
    sleep 0.5
    relay_send 454
    capture_stop
    relay_stop; exim_stop k454
    finish "$f" 2 || return 1
}

# f2. Postfix whose certificate/key file is missing: STARTTLS is offered and
# accepted (220), then the server aborts the handshake with a fatal alert; a
# Postfix client at level "may" then gets an anonymous (aNULL) TLS session:
# TLS 1.2 without any server certificate.
cap_postfix_no_cert() {
    local f=$OUT/smtp-server-no-cert.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $ST3_RUN/missing-keychain.pem
EOM
    relay_start may </dev/null
    capture_start "$f" r-srv
    swaks_c "$C1" nocert-swaks --server $S4 --tls-optional
    sleep 0.5
    relay_send nocert
    capture_stop
    relay_stop; srv_stop
    finish "$f" 2 || return 1
}

# g. clients that abort the handshake with a fatal alert after the certificate
cap_client_alert() {
    local f=$OUT/smtp-client-alert.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
EOM
    capture_start "$f" r-srv
    # wrong trust store (other root): unknown_ca, TLS 1.2 (alert in clear)
    ossl_c "$C1" alert-ossl-ca -starttls smtp -name client10.example.net -connect $S4:25 -tls1_2 \
        -servername mail.example.test -CAfile "$PKI/other-root.pem" -verify_return_error
    sleep 0.5
    # right trust store, wrong expected name
    ossl_c "$C2" alert-ossl-name -starttls smtp -name client20.example.net -connect $S4:25 -tls1_2 \
        -servername mail.example.test -CAfile "$PKI/root.pem" -verify_hostname other.example.test -verify_return_error
    sleep 0.5
    # gnutls-cli with a wrong CA file, TLS 1.2
    gnutls_c "$C3" alert-gnutls --starttls-proto=smtp --port 25 --x509cafile "$PKI/other-root.pem" \
        --priority NORMAL:-VERS-TLS1.3 --sni-hostname mail.example.test $S4
    sleep 0.5
    # same as the first, TLS 1.3: the alert is encrypted
    ossl_c "$C1" alert-ossl-tls13 -starttls smtp -name client10.example.net -connect $S4:25 -tls1_3 \
        -servername mail.example.test -CAfile "$PKI/other-root.pem" -verify_return_error
    capture_stop
    srv_stop
    finish "$f" 4 || return 1
}

# h. mutual TLS: server asks for a client certificate
cap_mutual_tls() {
    local f=$OUT/smtp-mutual-tls.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
smtpd_tls_ask_ccert = yes
smtpd_tls_CAfile = $PKI/root.pem
$TLS12_ONLY
EOM
    relay_start secure <<EOM
smtp_tls_chain_files = $PKI/client-keychain.pem
EOM
    capture_start "$f" r-srv
    swaks_c "$C1" mtls-swaks --server $S4 --tls --tls-sni mail.example.test \
        --tls-cert "$PKI/client.pem" --tls-key "$PKI/client.key"
    sleep 0.5
    relay_send mtls
    sleep 0.5
    swaks_c "$C2" mtls-nocert --server $S4 --tls --tls-sni mail.example.test   # asked, sends no certificate
    capture_stop
    relay_stop; srv_stop
    finish "$f" 3 || return 1
}

# i. IPv6
cap_ipv6() {
    local f=$OUT/smtp-ipv6.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
EOM
    capture_start "$f" r-srv
    swaks_c "$C1" ipv6-swaks --server "$S6" -6 --tls --tls-protocol tlsv1_2 --tls-sni mail.example.test
    sleep 0.5
    ossl_c "$C2" ipv6-ossl -starttls smtp -name client20.example.net -connect "[$S6]:25" \
        -servername mail.example.test -CAfile "$PKI/root.pem"
    capture_stop
    srv_stop
    finish "$f" 2 || return 1
}

# j1. STARTTLS stripped by a middlebox (model of Cisco ASA ESMTP inspection)
cap_stripped_starttls() {
    local f=$OUT/smtp-stripped-starttls.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
EOM
    relay_start may </dev/null
    nsx "$ST3_NS_RTR" iptables -t nat -A PREROUTING -i br0 -p tcp -d $S4 --dport 25 -j REDIRECT --to-ports 10025
    bg_start strip-proxy ip netns exec "$ST3_NS_RTR" python3 "$HERE/strip-proxy.py" 10025 $S4 25
    wait_port "$ST3_NS_RTR" 10025
    capture_start "$f" st3-rc1,st3-rc2,st3-rc3 "tcp port 25"
    swaks_c "$C1" strip-swaks --server $S4 --tls-optional
    sleep 0.5
    relay_send strip
    sleep 0.5
    swaks_c "$C2" strip-swaks-required --server $S4 --tls       # gives up: STARTTLS not advertised
    sleep 0.5
    # openssl sends STARTTLS anyway; the middlebox masks the command, the server rejects it
    ossl_c "$C1" strip-ossl -starttls smtp -name client10.example.net -connect $S4:25 -servername mail.example.test
    capture_stop
    bg_stop strip-proxy
    nsx "$ST3_NS_RTR" iptables -t nat -F
    relay_stop; srv_stop
    finish "$f" 4 || return 1
}

# j2. STARTTLS not offered by the server (Postfix smtpd_discard_ehlo_keywords)
cap_starttls_not_offered() {
    local f=$OUT/smtp-starttls-not-offered.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
smtpd_discard_ehlo_keywords = starttls
EOM
    relay_start may </dev/null
    capture_start "$f" r-srv
    swaks_c "$C1" nooffer-swaks --server $S4 --tls-optional
    sleep 0.5
    relay_send nooffer
    sleep 0.5
    swaks_c "$C2" nooffer-required --server $S4 --tls
    capture_stop
    relay_stop; srv_stop
    finish "$f" 3 || return 1
}

# k. no TLS at all; AUTH PLAIN and AUTH LOGIN in clear (Exim)
cap_plain() {
    local f=$OUT/smtp-plain.pcap
    exim_config plain "25" no 'true'
    exim_start plain 25
    capture_start "$f" r-srv
    swaks_c "$C1" plain-authplain --server $S4 --auth PLAIN --auth-user alice --auth-password "$PASS"
    sleep 0.5
    swaks_c "$C2" plain-authlogin --server $S4 --auth LOGIN --auth-user alice --auth-password "$PASS"
    capture_stop
    exim_stop plain
    finish "$f" 2 || return 1
}

# l. Exim server with STARTTLS on port 25 (GnuTLS)
cap_exim_starttls() {
    local f=$OUT/smtp-exim-starttls.pcap
    exim_config mx "25" yes '${if def:tls_in_cipher}'
    exim_start mx 25
    relay_start secure </dev/null
    capture_start "$f" r-srv
    swaks_c "$C1" exim-swaks --server $S4 --tls --tls-protocol tlsv1_2 --tls-sni mail.example.test
    sleep 0.5
    ossl_c "$C2" exim-ossl -starttls smtp -name client20.example.net -connect $S4:25 -tls1_2 \
        -servername mail.example.test -CAfile "$PKI/root.pem"
    sleep 0.5
    relay_send exim
    capture_stop
    relay_stop; exim_stop mx
    finish "$f" 3 || return 1
}

# m. certificate renewal seen on the wire: the server first presents an EXPIRED
# certificate (server-old.pem), is then reloaded with the renewed one
# (server.pem: same subject and issuer, other serial/key).
cap_cert_renewal() {
    local f=$OUT/smtp-cert-renewal.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-old-keychain.pem
$TLS12_ONLY
EOM
    capture_start "$f" r-srv
    ossl_c "$C1" renew-old -starttls smtp -name client10.example.net -connect $S4:25 \
        -servername mail.example.test -CAfile "$PKI/root.pem" -verify_return_error
    sleep 0.5
    swaks_c "$C2" renew-old-swaks --server $S4 --tls --tls-sni mail.example.test
    sleep 1
    postconf -c $PF_BASE-srv/etc -e "smtpd_tls_chain_files = $PKI/server-keychain.pem"
    nsx "$ST3_NS_SRV" postfix -c $PF_BASE-srv/etc reload >/dev/null 2>&1
    sleep 2
    ossl_c "$C1" renew-new -starttls smtp -name client10.example.net -connect $S4:25 \
        -servername mail.example.test -CAfile "$PKI/root.pem" -verify_return_error
    sleep 0.5
    swaks_c "$C2" renew-new-swaks --server $S4 --tls --tls-sni mail.example.test
    capture_stop
    srv_stop
    finish "$f" 4 || return 1
}

# n. server that does not send its intermediate certificate (leaf only)
cap_missing_intermediate() {
    local f=$OUT/smtp-missing-intermediate.pcap
    srv_start 25 <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-leafonly-keychain.pem
$TLS12_ONLY
EOM
    relay_start secure </dev/null
    capture_start "$f" r-srv
    ossl_c "$C1" noint-ossl -starttls smtp -name client10.example.net -connect $S4:25 \
        -servername mail.example.test -CAfile "$PKI/root.pem" -verify_return_error
    sleep 0.5
    relay_send noint          # Postfix "secure": untrusted issuer -> deferred
    sleep 0.5
    swaks_c "$C2" noint-swaks --server $S4 --tls --tls-sni mail.example.test   # opportunistic: mail goes through
    capture_stop
    relay_stop; srv_stop
    finish "$f" 3 || return 1
}

ALL="tls12_chain tls13 submission_587 nonstandard_port self_signed starttls_rejected_454
     client_alert mutual_tls ipv6 stripped_starttls starttls_not_offered plain exim_starttls
     postfix_no_cert cert_renewal missing_intermediate"
exim_install || log "Exim not available: Exim captures will fail"
for c in ${*:-$ALL}; do
    log "=== $c"
    "cap_$c" || { log "capture $c incomplete, retrying once"; sleep 1; "cap_$c"; } || log "capture $c FAILED"
done
log "done"
