#!/bin/bash
# Live soak (manual, not in ctest): smtptap -i for DUR seconds (default 480)
# on a gateway's server-side interface while real software makes mail
# traffic, as docs/smtptap.1 -i describes its live use. Postfix (three
# listeners: a trusted chain, a self-signed certificate, no STARTTLS) in
# r23-live6-srv; clients in r23-live6-c1..c4 (pcaps/gen/lib.sh's topology):
#   c1 swaks --tls --tls-verify to .25 (trusted chain, mail delivered);
#   c2 openssl s_client to .26: unknown_ca alert (self-signed);
#   c3 swaks plaintext to .27 (STARTTLS not offered) and to .25 (not used);
#   c4 openssl s_client to .25, then idle 45 s (> flow.timeout=30).
# The ASan build (build-test) and a Release build (build) capture at once,
# with --report-interval 60 and SIGUSR1 at 120/240/360 s; VmRSS every 10 s
# to $R/rss.txt (t, ASan KiB, Release KiB, Release RssAnon KiB, sessions);
# then SIGINT (or, GONE=1, the interface deleted under traffic: exit 3).
# TLS12=1 makes c1 and c2 use TLS 1.2, so that certificates are visible.
# Needs root, postfix, swaks, openssl; run it alone:
#   flock /tmp/s23/netns.lock tests/tools/live-soak.sh
# Compare $R/counts/* (client outcomes) with the session records in
# $R/asan.json and $R/rel.json. Every loop is bounded by `timeout DUR`.
set -u
WT=$(cd "$(dirname "$0")/../.." && pwd)
R=${R:-/tmp/r23-live6}
DUR=${DUR:-480}
export ST3_PREFIX=r23-live6- ST3_RUN=$R/run
mkdir -p $ST3_RUN; rm -f $R/asan.json $R/rel.json; TLSP=; S12=; [ "${TLS12:-0}" = 1 ] && TLSP="--tls-protocol tlsv1_2" && S12=-tls1_2
source $WT/pcaps/gen/lib.sh
PF_BASE=$R/postfix
PKI=$R/pki
[ -f $PKI/server-keychain.pem ] || bash $WT/pcaps/gen/certs.sh $PKI $R/pub >/dev/null
chmod 644 $PKI/*.pem; chmod 755 $PKI
trap 'bg_stop_all; pf_stop main $ST3_NS_SRV; topo_down' EXIT
topo_up
nsx $ST3_NS_SRV ip addr add 203.0.113.26/24 dev eth0
nsx $ST3_NS_SRV ip addr add 203.0.113.27/24 dev eth0
PF_MASTER_EXTRA="203.0.113.26:smtp inet n - n - - smtpd -o smtpd_tls_chain_files=$PKI/selfsigned-keychain.pem
203.0.113.27:smtp inet n - n - - smtpd -o smtpd_tls_security_level=none"
pf_config main <<EOM
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/server-keychain.pem
inet_interfaces = 203.0.113.25, 203.0.113.26, 203.0.113.27
smtpd_client_connection_rate_limit = 0
smtpd_client_connection_count_limit = 0
EOM
sed -i 's/^smtp      inet.*/203.0.113.25:smtp inet n - n - - smtpd/' $PF_BASE-main/etc/master.cf
pf_start main $ST3_NS_SRV 25
sleep 1
RTR=$ST3_NS_RTR
# smtptap: ASan and Release, both on r-srv
ASAN_OPTIONS=detect_leaks=1 bg_start tap-asan ip netns exec $RTR $WT/build-test/smtptap -i r-srv \
  --no-system-ca --ca-file $PKI/root.pem --cap flow.timeout=30 --report-interval 60 --json $R/asan.json tcp
bg_start tap-rel ip netns exec $RTR $WT/build/smtptap -i r-srv \
  --no-system-ca --ca-file $PKI/root.pem --cap flow.timeout=30 --report-interval 60 --json $R/rel.json tcp
sleep 3
# ip netns exec execs smtptap: the PIDs are smtptap's
ASAN_PID=$(cat $ST3_RUN/tap-asan.pid); REL_PID=$(cat $ST3_RUN/tap-rel.pid)
echo "asan=$ASAN_PID rel=$REL_PID" > $R/pids
C=$ST3_RUN/counts; mkdir -p $C; rm -f "$C"/*
# client loops, bounded by count and timeout
c1() { # valid chain, STARTTLS, mail delivered
  local i; for i in $(seq 1 100000); do
    timeout 20 ip netns exec r23-live6-c1 swaks -s 203.0.113.25 -t u$i@example.test -f a@client.test --tls $TLSP \
      --tls-verify --tls-ca-path $PKI/root.pem --ehlo c1.client.test >/dev/null 2>&1 && echo ok >>$C/c1 || echo fail >>$C/c1
    sleep 0.5; done; }
c2() { # self-signed: client refuses with an alert
  local i; for i in $(seq 1 100000); do
    echo QUIT | timeout 20 ip netns exec r23-live6-c2 openssl s_client $S12 -starttls smtp -connect 203.0.113.26:25 \
      -CAfile $PKI/root.pem -verify_return_error -servername mail.example.test >/dev/null 2>&1 && echo ok >>$C/c2 || echo fail >>$C/c2
    sleep 1; done; }
c3() { # plaintext: no STARTTLS offered (.27), and offered but not used (.25)
  local i; for i in $(seq 1 100000); do
    timeout 20 ip netns exec r23-live6-c3 swaks -s 203.0.113.27 -t p$i@example.test -f a@client.test --ehlo c3.client.test >/dev/null 2>&1 && echo ok >>$C/c3a || echo fail >>$C/c3a
    timeout 20 ip netns exec r23-live6-c3 swaks -s 203.0.113.25 -t q$i@example.test -f a@client.test --ehlo c3.client.test >/dev/null 2>&1 && echo ok >>$C/c3b || echo fail >>$C/c3b
    sleep 1; done; }
c4() { # idle connections: STARTTLS done, then silent 45 s (> flow.timeout 30), then killed
  local i; for i in $(seq 1 100000); do
    ( sleep 45 ) | timeout 45 ip netns exec r23-live6-c1 openssl s_client -starttls smtp -connect 203.0.113.25:25 \
      -CAfile $PKI/root.pem -servername mail.example.test >/dev/null 2>&1; echo done >>$C/c4
    done; }
timeout $DUR bash -c "$(declare -f c1); C=$C PKI=$PKI TLSP=\"$TLSP\" S12=$S12; c1" &
L1=$!
timeout $DUR bash -c "$(declare -f c2); C=$C PKI=$PKI TLSP=\"$TLSP\" S12=$S12; c2" &
L2=$!
timeout $DUR bash -c "$(declare -f c3); C=$C PKI=$PKI TLSP=\"$TLSP\" S12=$S12; c3" &
L3=$!
timeout $DUR bash -c "$(declare -f c4); C=$C PKI=$PKI TLSP=\"$TLSP\" S12=$S12; c4" &
L4=$!
echo "loops $L1 $L2 $L3 $L4" >> $R/pids
# RSS every 10 s, SIGUSR1 a few times
t=0; : > $R/rss.txt
while [ $t -lt $(( ${GONE:-0} == 1 ? DUR - 20 : DUR + 40 )) ]; do
  printf '%s %s %s %s %s\n' $t "$(grep VmRSS /proc/$ASAN_PID/status | awk '{print $2}')" \
    "$(grep VmRSS /proc/$REL_PID/status | awk '{print $2}')" "$(grep RssAnon /proc/$REL_PID/status | awk '{print $2}')" \
    "$(grep -c "\"event\":\"session\"" $R/asan.json 2>/dev/null)" >> $R/rss.txt
  case $t in 120|240|360) kill -USR1 $ASAN_PID $REL_PID;; esac
  sleep 10; t=$((t+10))
done
if [ "${GONE:-0}" = 1 ]; then
  kill -INT $REL_PID; sleep 2
  ip -n $RTR link del r-srv   # traffic still running: the ASan one ends, exit 3
  wait $L1 $L2 $L3 $L4
else
  wait $L1 $L2 $L3 $L4
  kill -INT $ASAN_PID $REL_PID   # after the loops ended and 40 s quiet
fi
wait $ASAN_PID; echo "asan rc=$?" >> $R/pids
wait $REL_PID; echo "rel rc=$?" >> $R/pids
ST3_PIDS=()
cp $PF_BASE-main/maillog $R/maillog
