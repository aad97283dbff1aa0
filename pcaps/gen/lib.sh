# shellcheck shell=bash
# smtptap capture generator: network-namespace helpers.
#
# Topology (all addresses are RFC 5737 / RFC 3849 documentation ranges, only
# ever assigned inside the namespaces created here):
#
#   st3-c1 198.51.100.10  2001:db8:100::10 --+
#   st3-c2 198.51.100.20  2001:db8:100::20 --+-- br0 (st3-rtr) 198.51.100.1 / 2001:db8:100::1
#   st3-c3 198.51.100.30  2001:db8:100::30 --+
#                                                st3-rtr  r-srv 203.0.113.1 / 2001:db8:203::1
#                                                   |
#   st3-srv eth0 203.0.113.25 / 2001:db8:203::25 ---+
#
# Captures are taken in the router namespace (a "gateway view"): on r-srv
# (server side, default) or on br0 (client side, before NAT).
# Offloads (TSO/GSO/GRO) are disabled so that captured segments are <= MTU,
# as on a real wire.

ST3_PREFIX=${ST3_PREFIX:-st3-}
ST3_NS_SRV=${ST3_PREFIX}srv
ST3_NS_RTR=${ST3_PREFIX}rtr
ST3_CLIENTS=(${ST3_PREFIX}c1 ${ST3_PREFIX}c2 ${ST3_PREFIX}c3)
ST3_SRV4=203.0.113.25
ST3_SRV6=2001:db8:203::25
ST3_RUN=${ST3_RUN:-/tmp/st3-run}
ST3_PIDS=()          # PIDs of background processes we started

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

client_ip4() { echo "198.51.100.$(( ${1#${ST3_PREFIX}c} * 10 ))"; }
client_ip6() { echo "2001:db8:100::$(( ${1#${ST3_PREFIX}c} * 10 ))"; }

_nooffload() { # ns dev
    nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
}

topo_up() {
    topo_down
    log "creating namespaces"
    local ns
    for ns in "$ST3_NS_SRV" "$ST3_NS_RTR" "${ST3_CLIENTS[@]}"; do
        ip netns add "$ns"
        nsx "$ns" ip link set lo up
        nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
            net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    done
    nsx "$ST3_NS_RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    # router: bridge for the clients
    nsx "$ST3_NS_RTR" ip link add br0 type bridge
    nsx "$ST3_NS_RTR" ip addr add 198.51.100.1/24 dev br0
    nsx "$ST3_NS_RTR" ip addr add 2001:db8:100::1/64 dev br0 nodad
    nsx "$ST3_NS_RTR" ip link set br0 up
    # server link
    ip link add st3-rsrv netns "$ST3_NS_RTR" type veth peer name st3-srv0 netns "$ST3_NS_SRV"
    nsx "$ST3_NS_RTR" ip link set st3-rsrv name r-srv
    nsx "$ST3_NS_SRV" ip link set st3-srv0 name eth0
    nsx "$ST3_NS_RTR" ip addr add 203.0.113.1/24 dev r-srv
    nsx "$ST3_NS_RTR" ip addr add 2001:db8:203::1/64 dev r-srv nodad
    nsx "$ST3_NS_SRV" ip addr add $ST3_SRV4/24 dev eth0
    nsx "$ST3_NS_SRV" ip addr add $ST3_SRV6/64 dev eth0 nodad
    nsx "$ST3_NS_RTR" ip link set r-srv up
    nsx "$ST3_NS_SRV" ip link set eth0 up
    nsx "$ST3_NS_SRV" ip route add default via 203.0.113.1
    nsx "$ST3_NS_SRV" ip -6 route add default via 2001:db8:203::1
    _nooffload "$ST3_NS_RTR" r-srv; _nooffload "$ST3_NS_SRV" eth0
    # clients
    local i=0
    for ns in "${ST3_CLIENTS[@]}"; do
        i=$((i+1))
        ip link add st3-rc$i netns "$ST3_NS_RTR" type veth peer name st3-c${i}0 netns "$ns"
        nsx "$ST3_NS_RTR" ip link set st3-rc$i master br0 up
        nsx "$ns" ip link set st3-c${i}0 name eth0
        nsx "$ns" ip addr add "$(client_ip4 "$ns")/24" dev eth0
        nsx "$ns" ip addr add "$(client_ip6 "$ns")/64" dev eth0 nodad
        nsx "$ns" ip link set eth0 up
        nsx "$ns" ip route add default via 198.51.100.1
        nsx "$ns" ip -6 route add default via 2001:db8:100::1
        _nooffload "$ST3_NS_RTR" st3-rc$i; _nooffload "$ns" eth0
    done
    _nooffload "$ST3_NS_RTR" br0
    # the bridge needs a moment before forwarding (no ping on this host)
    sleep 1
}

topo_down() {
    local ns
    for ns in "$ST3_NS_SRV" "$ST3_NS_RTR" "${ST3_CLIENTS[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
}

# start a background process and remember its PID: bg_start NAME cmd...
bg_start() {
    local name=$1; shift
    "$@" >"$ST3_RUN/$name.out" 2>&1 &
    local pid=$!
    ST3_PIDS+=("$pid")
    echo "$pid" >"$ST3_RUN/$name.pid"
}

bg_stop() { # NAME
    local f="$ST3_RUN/$1.pid" pid t
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        for t in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$f"
}

bg_stop_all() {
    local pid
    for pid in "${ST3_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
    done
    sleep 0.3
    for pid in "${ST3_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    done
    ST3_PIDS=()
}

# capture_start FILE [IFACE[,IFACE...]] [FILTER...]  (tcpdump in the router namespace)
# Several interfaces: one tcpdump each, merged with mergecap at capture_stop.
ST3_CAP_FILE= ; ST3_CAP_IFS=()
capture_start() {
    local file=$1 ifaces=${2:-r-srv}; shift 2 || shift $#
    local filter=${*:-tcp} i t
    ST3_CAP_FILE=$file
    IFS=, read -r -a ST3_CAP_IFS <<<"$ifaces"
    rm -f "$file"
    for i in "${ST3_CAP_IFS[@]}"; do
        local w=$file; [ ${#ST3_CAP_IFS[@]} -gt 1 ] && w=$ST3_RUN/part-$i.pcap
        bg_start "tcpdump-$i" ip netns exec "$ST3_NS_RTR" tcpdump -n -i "$i" -s 0 -U --immediate-mode -w "$w" $filter
        for t in $(seq 1 50); do
            grep -q 'listening on' "$ST3_RUN/tcpdump-$i.out" 2>/dev/null && break
            sleep 0.1
        done
    done
    sleep 0.3
}

capture_stop() {
    local i parts=()
    sleep 1.5   # let the last packets reach tcpdump (TPACKET_V3 block timeout)
    for i in "${ST3_CAP_IFS[@]}"; do
        bg_stop "tcpdump-$i"
        log "tcpdump $i: $(grep -E 'packets captured' "$ST3_RUN/tcpdump-$i.out")"
        parts+=("$ST3_RUN/part-$i.pcap")
    done
    if [ ${#ST3_CAP_IFS[@]} -gt 1 ]; then
        mergecap -F pcap -w "$ST3_CAP_FILE" "${parts[@]}"
        rm -f "${parts[@]}"
    fi
}

# wait_port NS PORT [timeout_s]: wait until something listens on PORT in NS
wait_port() {
    local ns=$1 port=$2 tmo=${3:-10} t
    for t in $(seq 1 $((tmo*10))); do
        nsx "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
        sleep 0.1
    done
    die "nothing listening on port $port in $ns"
}

# ---------------------------------------------------------------- Postfix
# Own instances under /tmp/st3-postfix-NAME (config, queue, data, maillog),
# started with `postfix -c DIR start` inside the namespace; never touches
# /etc/postfix or the system instance.
PF_BASE=/tmp/st3-postfix

# pf_config NAME  -- reads extra main.cf lines on stdin; $PF_MASTER_EXTRA
# holds extra master.cf lines (e.g. extra listeners)
pf_config() {
    local name=$1 d=$PF_BASE-$1
    rm -rf "$d"; mkdir -p "$d/etc" "$d/queue" "$d/data"
    chown postfix "$d/data"
    cat > "$d/etc/main.cf" <<EOM
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $d/maillog
maillog_file_prefixes = $PF_BASE
myhostname = mail.example.test
mydomain = example.test
myorigin = \$myhostname
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128
relay_domains = example.test
relay_transport = discard:delivered by smtptap test server
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtputf8_enable = no
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
smtpd_tls_loglevel = 1
smtp_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_tls_session_cache_database =
smtp_tls_session_cache_database =
EOM
    cat >> "$d/etc/main.cf"
    cat > "$d/etc/master.cf" <<EOM
smtp      inet  n       -       n       -       -       smtpd
${PF_MASTER_EXTRA:-}
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOM
    PF_MASTER_EXTRA=
}

pf_start() { # NAME NS PORT
    local d=$PF_BASE-$1
    nsx "$2" postfix -c "$d/etc" start >"$d/start.log" 2>&1 || { cat "$d/start.log" >&2; die "postfix $1 failed"; }
    wait_port "$2" "${3:-25}"
}

pf_stop() { # NAME NS
    local d=$PF_BASE-$1 pid t
    [ -d "$d" ] || return 0
    pid=$(cat "$d/queue/pid/master.pid" 2>/dev/null | tr -d ' ')
    nsx "$2" postfix -c "$d/etc" stop >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
        for t in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
    fi
    return 0
}

# pf_wait_log NAME REGEX [timeout]: wait until the instance's maillog matches
pf_wait_log() {
    local f=$PF_BASE-$1/maillog tmo=${3:-20} t
    for t in $(seq 1 $((tmo*10))); do
        grep -qE "$2" "$f" 2>/dev/null && return 0
        sleep 0.1
    done
    log "WARNING: '$2' not seen in $f"; return 1
}

# ---------------------------------------------------------------- Exim
# Debian's exim4-daemon-light, unpacked with `apt-get download` + `dpkg -x`
# into /tmp/st3-exim (the exim4 package conflicts with postfix). The binary
# insists on the compile-time user "Debian-exim": we give it one through a
# private mount namespace (bind-mounted copies of /etc/passwd and /etc/group),
# so the host's user database is never modified.
EXIM_ROOT=/tmp/st3-exim
EXIM_UID=64900

exim_install() {
    [ -x $EXIM_ROOT/usr/sbin/exim4 ] && [ -e $EXIM_ROOT/usr/lib/x86_64-linux-gnu/libidn.so.12 ] && return 0
    local dl=/tmp/st3-exim-dl
    mkdir -p $dl $EXIM_ROOT
    ( cd $dl && timeout 120 apt-get download exim4-daemon-light exim4-base exim4-config libidn12 ) >/dev/null 2>&1 \
        || { log "exim download failed"; return 1; }
    local f; for f in $dl/*.deb; do dpkg -x "$f" $EXIM_ROOT; done
}

exim_version() { _exim_run true -bV 2>/dev/null | head -1; }

_exim_run() { # NS|true args...   (NS "true" = no namespace)
    local ns=$1; shift
    local etc=$ST3_RUN/exim-etc
    if [ ! -f $etc/passwd ]; then
        mkdir -p $etc; cp /etc/passwd /etc/group $etc/
        echo "Debian-exim:x:$EXIM_UID:$EXIM_UID:exim (smtptap test):/nonexistent:/usr/sbin/nologin" >> $etc/passwd
        echo "Debian-exim:x:$EXIM_UID:" >> $etc/group
    fi
    local pre=(); [ "$ns" != true ] && pre=(ip netns exec "$ns")
    exec "${pre[@]}" unshare -m sh -c 'mount --bind "$0/passwd" /etc/passwd && mount --bind "$0/group" /etc/group && shift && exec env LD_LIBRARY_PATH='$EXIM_ROOT'/usr/lib/x86_64-linux-gnu '$EXIM_ROOT'/usr/sbin/exim4 "$@"' "$etc" x "$@"
}

# exim_config NAME PORTS TLS(yes|no) AUTH_ADVERTISE_CONDITION
exim_config() {
    local name=$1 ports=$2 tls=$3 adv=$4 d=$ST3_RUN/exim-$1
    rm -rf "$d"; mkdir -p "$d/spool" "$d/log"; chown -R $EXIM_UID:$EXIM_UID "$d"
    local tlsconf="tls_advertise_hosts ="
    # Exim reads the key as the exim user: private copies
    cp "$PKI/server-chain.pem" "$PKI/server.key" "$d/"; chown $EXIM_UID "$d/server.key"
    [ "$tls" = yes ] && tlsconf="tls_advertise_hosts = *
tls_certificate = $d/server-chain.pem
tls_privatekey = $d/server.key
tls_on_connect_ports = 465"
    cat > "$d/exim.conf" <<EOC
# minimal Exim configuration for smtptap test captures
primary_hostname = mail.example.test
exim_path = $EXIM_ROOT/usr/sbin/exim4
keep_environment = LD_LIBRARY_PATH
spool_directory = $d/spool
log_file_path = $d/log/%slog
pid_file_path = $d/exim.pid
local_interfaces = <; 203.0.113.25 ; 2001:db8:203::25
daemon_smtp_ports = $ports
host_lookup =
rfc1413_hosts =
queue_only = true
smtp_banner = \$smtp_active_hostname ESMTP Exim \$version_number \$tod_full
log_selector = +tls_peerdn +tls_sni +tls_certificate_verified +smtp_protocol_error +incoming_port
domainlist local_domains = example.test
$tlsconf
acl_smtp_mail = acl_mail
acl_smtp_rcpt = acl_rcpt

begin acl
acl_mail:
  defer   message   = 451 5.7.3 STARTTLS is required to send mail
          condition = \${if and{{eq{\$received_port}{587}}{!def:tls_in_cipher}}}
  accept
acl_rcpt:
  accept  authenticated = *
  deny    message   = 530 5.7.1 Client was not authenticated
          condition = \${if eq{\$received_port}{587}}
  accept  domains   = +local_domains
  deny    message   = 550 5.7.1 Relay not permitted

begin routers
blackhole:
  driver = redirect
  data = :blackhole:

begin transports

begin authenticators
PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{alice}}{eq{\$auth3}{S3cretPassw0rd}}}}
  server_set_id = \$auth2
  server_advertise_condition = $adv
LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = \${if and {{eq{\$auth1}{alice}}{eq{\$auth2}{S3cretPassw0rd}}}}
  server_set_id = \$auth1
  server_advertise_condition = $adv
EOC
}

exim_start() { # NAME FIRSTPORT
    local d=$ST3_RUN/exim-$1
    bg_start "exim-$1" _exim_run "$ST3_NS_SRV" -C "$d/exim.conf" -bdf
    wait_port "$ST3_NS_SRV" "$2"
}
exim_stop() { bg_stop "exim-$1"; }
