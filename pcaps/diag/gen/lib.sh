# lib.sh — namespace / capture / Postfix helpers for the smtptap diagnosis captures.
# Sourced by make-all.sh. All namespaces are named st4-*; all state lives in /tmp/st4-*.
#
# Topology (built by topo_up):
#
#   client netns st4-cN (eth0) ─ br0 [st4-sw] ─┐        ┌── (eth0) st4-sN server netns
#     198.51.100.0/25  (gw .1)   ├─ out0 [st4-rt] in0 ──┤     192.0.2.0/24  (gw 192.0.2.1)
#     198.51.100.128/25 (gw .129)┘   bridge  router bridge└─    10.99.4.0/24  (gw 10.99.4.1, NAT backends)
#
#   The router st4-rt forwards between the bridges; VIP 203.0.113.25 lives on the
#   router's lo and is DNATed (iptables) where a capture needs NAT. tcpdump runs in the
#   router on out0 ("outside", the clients' side) unless said otherwise.

ST4_TMP=/tmp/st4-run
ST4_RT=st4-rt
ST4_SW=st4-sw
ST4_NS=()          # namespaces we created (for cleanup)
ST4_TCPDUMP_PID=
ST4_PF=()          # postfix config dirs we started: "NS:DIR"
ST4_PIDS=()        # other background processes we started (by pid)

log() { echo "[$(date +%T)] $*" >&2; }

# nsx NS CMD... : run in namespace NS with our own resolv.conf/hosts (private mount ns),
# so nothing ever queries the host's resolver.
nsx() {
  local ns=$1; shift
  ip netns exec "$ns" sh -c 'mount --bind '"$ST4_TMP"'/resolv.conf /etc/resolv.conf &&
      mount --bind '"$ST4_TMP"'/hosts /etc/hosts && exec "$@"' sh "$@"
}

ns_add() {
  ip netns add "$1" || return 1   # another run's namespace is not ours to delete
  ST4_NS+=("$1")
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

topo_up() {
  mkdir -p "$ST4_TMP"
  echo "nameserver 192.0.2.53" > "$ST4_TMP/resolv.conf"
  printf '127.0.0.1 localhost\n' > "$ST4_TMP/hosts"
  ns_add $ST4_RT
  ip netns exec $ST4_RT sysctl -qw net.ipv4.ip_forward=1
  # clients' switch: its own namespace, so the router's out0 is a plain veth (tcpdump on it
  # sees the packets before DNAT, whatever br_netfilter does on bridges)
  ns_add $ST4_SW
  ip -n $ST4_SW link add br0 type bridge
  ip -n $ST4_SW link set br0 up
  ip link add out0 netns $ST4_RT type veth peer name up0 netns $ST4_SW
  ip -n $ST4_SW link set up0 master br0
  ip -n $ST4_SW link set up0 up
  ip -n $ST4_RT link add in0 type bridge
  ip -n $ST4_RT addr add 198.51.100.1/25 dev out0
  ip -n $ST4_RT addr add 198.51.100.129/25 dev out0
  ip -n $ST4_RT addr add 192.0.2.1/24 dev in0
  ip -n $ST4_RT addr add 10.99.4.1/24 dev in0
  ip -n $ST4_RT addr add 203.0.113.25/32 dev lo
  ip -n $ST4_RT link set out0 up
  ip -n $ST4_RT link set in0 up
}

# host_add NS BRIDGE ADDR/PREFIX GW  — new namespace with eth0 attached to a router bridge
host_add() {
  local ns=$1 br=$2 addr=$3 gw=$4 port brns=$ST4_RT
  port="p${ns#st4-}"; port=${port:0:15}
  [ "$br" = out0 ] && { brns=$ST4_SW; br=br0; }
  ns_add "$ns"
  ip link add eth0 netns "$ns" type veth peer name "$port" netns $brns
  ip -n $brns link set "$port" master "$br"
  ip -n $brns link set "$port" up
  ip -n "$ns" addr add "$addr" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$gw"
}
client_add() { # NS IP  (subnet chosen from the address)
  local last=${2##*.}
  if [ "$last" -lt 128 ]; then host_add "$1" out0 "$2/25" 198.51.100.1
  else host_add "$1" out0 "$2/25" 198.51.100.129; fi
}
server_add() { # NS IP
  case $2 in
    10.99.4.*) host_add "$1" in0 "$2/24" 10.99.4.1 ;;
    *)         host_add "$1" in0 "$2/24" 192.0.2.1 ;;
  esac
}

# capture_start FILE [IFACE] [NS] — tcpdump -U, pid file in $ST4_TMP; the filter is
# $ST4_FILTER when set (465 for a capture of implicit TLS)
capture_start() {
  local f=$1 ifc=${2:-out0} ns=${3:-$ST4_RT}
  ip netns exec "$ns" tcpdump -i "$ifc" -U -s 0 -n -w "$f" \
      "${ST4_FILTER:-ip and (tcp port 25 or tcp port 587 or udp port 53)}" 2>"$ST4_TMP/tcpdump.log" &
  ST4_TCPDUMP_PID=$!
  echo $ST4_TCPDUMP_PID > "$ST4_TMP/tcpdump.pid"
  local i; for i in $(seq 1 50); do grep -q 'listening on' "$ST4_TMP/tcpdump.log" && break; sleep 0.1; done
  sleep 0.3
}
capture_stop() {
  [ -n "$ST4_TCPDUMP_PID" ] || return 0
  sleep 0.5
  kill -INT "$ST4_TCPDUMP_PID" 2>/dev/null || true
  local i; for i in $(seq 1 50); do kill -0 "$ST4_TCPDUMP_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$ST4_TCPDUMP_PID" 2>/dev/null || true
  ST4_TCPDUMP_PID=
  rm -f "$ST4_TMP/tcpdump.pid"
}

# pf_set N NS "key = value"... — instance N's main.cf edited in place (postconf -e: a second
# entry of a key makes every Postfix process log a warning through postlogd, which then blocks
# on its own full socket), and the instance stopped (SIGTERM to its master, by PID) and started
# again
pf_set() {
  local n=$1 ns=$2 d pid i; shift 2
  d=$(pf_dir "$n")
  postconf -c "$d/etc" -e "$@"
  pid=$(head -1 "$d/spool/pid/master.pid" | tr -d ' ')
  kill -TERM "$pid"
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  nsx "$ns" timeout 20 script -qc "postfix -c $d/etc start" /dev/null >>"$ST4_TMP/postfix.log" 2>&1
  sleep 1
}

# greeting NS IP — the first 4 bytes of an SMTP server's greeting (port 25)
greeting() {
  ip netns exec "$1" timeout 5 bash -c 'exec 3<>/dev/tcp/'"$2"'/25; head -c 4 <&3' 2>/dev/null
}

# pf_server N NS CHAINFILE ["key = value"...] — own Postfix instance in /tmp/st4-pf-N (the
# settings set with postconf -e, replacing the defaults below, never repeating a key)
pf_dir() { echo /tmp/st4-pf-$1; }
pf_server() {
  local n=$1 ns=$2 chain=$3; shift 3
  local d; d=$(pf_dir "$n")
  rm -rf "$d"; mkdir -p "$d/etc" "$d/spool" "$d/data"
  cp "$chain" "$d/etc/chain.pem"; chmod 600 "$d/etc/chain.pem"
  cat > "$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = ${PF_HOSTNAME:-mail.example.test}
mydomain = example.test
myorigin = \$mydomain
mydestination = example.test, \$myhostname
inet_interfaces = all
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
local_transport = discard:
default_transport = discard:
relay_transport = discard:
local_recipient_maps =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
biff = no
maillog_file_prefixes = /tmp/st4-pf-
maillog_file = $d/maillog
smtpd_banner = \$myhostname ESMTP
smtpd_tls_security_level = may
smtpd_tls_chain_files = $d/etc/chain.pem
smtpd_tls_loglevel = 1
smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1.3
smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1.3
smtpd_tls_session_cache_database =
smtpd_tls_received_header = yes
EOF
  # the extra lines through postconf -e, which replaces a key already there: a key written twice
  # makes every Postfix process warn ("overriding earlier entry") through postlogd, which then
  # blocks on its own full socket, and about every other start hangs (master alive, serving nothing)
  [ $# -eq 0 ] || postconf -c "$d/etc" -e "$@"
  cat > "$d/etc/master.cf" <<'EOF'
smtp      inet  n       -       n       -       -       smtpd
submission inet n       -       n       -       -       smtpd
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
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  chown -R postfix "$d/data"
  nsx "$ns" timeout 20 postfix -c "$d/etc" check >>"$ST4_TMP/postfix.log" 2>&1 || true
  nsx "$ns" timeout 20 script -qc "postfix -c $d/etc start" /dev/null >>"$ST4_TMP/postfix.log" 2>&1
  ST4_PF+=("$ns:$d")
  wait_port "$ns" 25
}
pf_reload() { # NS N — what "postfix reload" does: SIGHUP to our master (by PID)
  local pid; pid=$(head -1 "$(pf_dir "$2")/spool/pid/master.pid" | tr -d ' ')
  kill -HUP "$pid"; }
pf_stop_all() {
  local e ns d pid i
  for e in "${ST4_PF[@]}"; do
    ns=${e%%:*}; d=${e#*:}
    pid=$(head -1 "$d/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
    # stop our master by its PID (SIGTERM makes master stop its children)
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
  done
  ST4_PF=()
}

wait_port() { # NS PORT
  local i; for i in $(seq 1 100); do
    ip netns exec "$1" ss -ltn 2>/dev/null | grep -q ":$2 " && return 0; sleep 0.1; done
  log "port $2 not listening in $1"; return 1
}

bg_start() { # NS CMD... — background process inside NS, remembered by its pid
  local ns=$1; shift          # (ip -> sh -> CMD all exec, so $! is CMD's pid)
  ip netns exec "$ns" sh -c 'mount --bind '"$ST4_TMP"'/resolv.conf /etc/resolv.conf &&
      mount --bind '"$ST4_TMP"'/hosts /etc/hosts && exec "$@"' sh "$@" &
  ST4_PIDS+=($!)
}

# --- clients (all bounded by timeout) ---
# ossl NS IP [s_client args...]  — EHLO + QUIT through STARTTLS
ossl() {
  local ns=$1 ip=$2; shift 2
  { printf 'EHLO client.example.test\n'; sleep 0.5; printf 'QUIT\n'; } | \
    timeout 15 ip netns exec "$ns" openssl s_client -starttls smtp -connect "$ip:${PORT:-25}" \
      -name client.example.test -ign_eof -crlf "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
swk() { # NS IP [swaks args...] — a full message through STARTTLS
  local ns=$1 ip=$2; shift 2
  timeout 20 ip netns exec "$ns" swaks --server "$ip" --port "${PORT:-25}" --ehlo "client-${ns#st4-}.example.test" \
     --from sender@client.example.test --to postmaster@example.test --h-Subject "smtptap diag test" \
     --body "test message" "$@" >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}
gtls() { # NS IP [gnutls-cli args...]
  local ns=$1 ip=$2; shift 2
  { sleep 0.5; printf 'EHLO client.example.test\r\n'; sleep 0.5; printf 'QUIT\r\n'; } | \
    timeout 15 ip netns exec "$ns" gnutls-cli --starttls-proto=smtp --port "${PORT:-25}" "$@" "$ip" \
      >>"$ST4_TMP/clients.log" 2>&1 || true
  sleep 0.3
}

# ca_db_begin DIR SERIAL: a fresh directory for `openssl ca` (DIR, made the current directory;
# the database in DIR/db, its first serial SERIAL) and the [ca] sections of DIR/ca.cnf; the caller
# appends its [policy_any] and extension sections (cat >> ca.cnf).
ca_db_begin() {
  rm -rf "$1"; mkdir -p "$1/db"; cd "$1" || exit 1
  : > db/index.txt; echo "$2" > db/serial
  cat > ca.cnf <<'CNF'
[ca]
default_ca = CA_default
[CA_default]
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
CNF
}

# ca_dir_db DIR FIRST: a database for `openssl ca` of its own for one CA of a PKI in the current
# directory (pki.sh, three-tier.sh): DIR/ca.cnf (its certificate and key DIR/ca.pem and DIR/ca.key,
# sha256, any subject with a CN), DIR/index.txt, the serials from FIRST, the certificates it issues
# kept in DIR/new.
ca_dir_db() {
  mkdir -p "$1/new"; : > "$1/index.txt"; echo "$2" > "$1/serial"
  cat > "$1/ca.cnf" <<CNF
[ca]
default_ca = CA_default
[CA_default]
dir = $PWD/$1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
CNF
}

# standalone_begin: how a generator of a single capture starts: our namespaces and processes
# cleaned up on exit (also after an interrupt), a fresh state directory, the topology.
standalone_begin() {
  trap 'cleanup_all' EXIT
  trap 'exit 130' INT TERM
  cleanup_all
  rm -rf "$ST4_TMP"
  topo_up
}

cleanup_all() {
  set +e
  capture_stop
  pf_stop_all
  local p i
  for p in "${ST4_PIDS[@]}"; do
    kill "$p" 2>/dev/null
    for i in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  ST4_PIDS=()
  local ns
  for ns in "${ST4_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  ST4_NS=()
}

# --- the generators' own PKIs (RFC 5280 extensions) ---
# ext_root SECTION [LINE...], ext_ca SECTION PATHLEN [LINE...], ext_leaf SECTION KEYUSAGE
# [LINE...]: an extension section (for ext.cnf or a ca.cnf) as the generators write them: a root
# (CA, keyCertSign and cRLSign, a subject key identifier), an intermediate of that with a
# pathLenConstraint (RFC 5280 §4.2.1.9) and an authority key identifier, a server's leaf (not a
# CA, key usage KEYUSAGE, extended key usage serverAuth, both key identifiers); each LINE added
# at the section's end (subjectAltName, where CRLs and issuers are published, ...).
ext_root() {
  printf '[%s]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n' "$1"
  printf 'subjectKeyIdentifier = hash\n'
  shift; [ $# -eq 0 ] || printf '%s\n' "$@"
}
ext_ca() {
  printf '[%s]\nbasicConstraints = critical,CA:TRUE,pathlen:%s\n' "$1" "$2"
  printf 'keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n'
  printf 'authorityKeyIdentifier = keyid:always\n'
  shift 2; [ $# -eq 0 ] || printf '%s\n' "$@"
}
ext_leaf() {
  printf '[%s]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,%s\n' "$1" "$2"
  printf 'extendedKeyUsage = serverAuth\nsubjectKeyIdentifier = hash\n'
  printf 'authorityKeyIdentifier = keyid:always\n'
  shift 2; [ $# -eq 0 ] || printf '%s\n' "$@"
}

# rsa_key NAME: a 2048-bit RSA key in NAME.key
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null; }

# ca_issue CONFIG NAME SUBJ EXT FROM TO [ISSUER]: NAME.key (rsa_key), NAME.csr for the subject
# SUBJ and NAME.pem made by `openssl ca -config CONFIG` (the database CONFIG names), with the
# extension section EXT (from the file $CA_EXTFILE when set, else from CONFIG) and fixed dates
# FROM..TO (YYYYMMDDHHMMSSZ), issued by ISSUER (ISSUER.pem and ISSUER.key) or, without ISSUER,
# self-signed.
ca_issue() {
  local cnf=$1 name=$2 subj=$3 ext=$4 from=$5 to=$6 by
  if [ -n "${7:-}" ]; then by=(-cert "$7.pem" -keyfile "$7.key"); else by=(-selfsign -keyfile "$name.key"); fi
  rsa_key "$name"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
  openssl ca -batch -notext -config "$cnf" "${by[@]}" -in "$name.csr" \
    ${CA_EXTFILE:+-extfile "$CA_EXTFILE"} -extensions "$ext" -startdate "$from" -enddate "$to" \
    -out "$name.pem" 2>/dev/null
}

# The P-256 two-tier PKI of the DANE and resumption generators (dane.sh, dane-anchor.sh,
# resumption.sh, resumption13-postfix.sh), in the current directory: ext.cnf, root.key/root.pem
# "smtptap NAME Root CA" (serial 1), int.key/int.pem "smtptap NAME Intermediate CA" (serial 2).
ec_pki_begin() { # NAME
  { ext_ca v3_int 0; ext_leaf v3_leaf digitalSignature 'subjectAltName = DNS:${ENV::SAN}'; } > ext.cnf
  local k
  for k in root int; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key 2>/dev/null
  done
  openssl req -new -x509 -key root.key -subj "/O=smtptap test/CN=smtptap $1 Root CA" \
    -days 5000 -set_serial 1 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
  openssl req -new -key int.key -subj "/O=smtptap test/CN=smtptap $1 Intermediate CA" -out int.csr
  SAN=unused openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 -days 3000 \
    -extfile ext.cnf -extensions v3_int -out int.pem 2>/dev/null
}
# A leaf of ec_pki_begin's intermediate: KEY.key, KEY.pem for CN and DNS NAME.
ec_pki_leaf() { # KEY NAME SERIAL
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $1.key 2>/dev/null
  openssl req -new -key $1.key -subj "/CN=$2" -out $1.csr
  SAN=$2 openssl x509 -req -in $1.csr -CA int.pem -CAkey int.key \
    -set_serial $3 -days 700 -extfile ext.cnf -extensions v3_leaf -out $1.pem 2>/dev/null
  openssl verify -CAfile root.pem -untrusted int.pem $1.pem >&2
}
