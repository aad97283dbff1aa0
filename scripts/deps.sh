#!/bin/sh
# Installs the Debian 12 packages smtptap needs to build (and, with "test", to
# run its whole suite; with "captures", to record the test captures again;
# with "bench", to run the benchmark). As root it runs apt-get; otherwise it prints the exact
# command and fails, so that nothing is half-set-up.
set -eu
want="build-essential cmake pkg-config libpcap-dev libssl-dev libndpi-dev"
# (the scripts' tools too: openssl(1) makes a DER file in exit_codes.sh, python3 cuts the captures
# of midhandshake_sweep.sh, groff renders the man page in man_page.sh; a minimal Debian 12 lacks them)
if [ "${1:-}" = "test" ]; then
  want="$want libcmocka-dev jq tshark xxd iproute2 clang clang-format libclang-rt-14-dev time openssl python3 groff-base"
fi
# the software that records the test captures (pcaps/gen, pcaps/diag/gen);
# Exim's .debs are unpacked by pcaps/gen itself, not installed
if [ "${1:-}" = "captures" ]; then
  want="$want tcpdump iproute2 iptables dnsmasq openssl postfix swaks libnet-ssleay-perl
    sasl2-bin libsasl2-modules gnutls-bin python3 openjdk-17-jdk-headless"
fi
if [ "${1:-}" = "bench" ]; then
  want="$want libndpi-bin tshark valgrind tcpdump time"
fi
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
  echo "smtptap: missing packages:$missing" >&2
  echo "run as root:  apt-get update && DEBIAN_FRONTEND=noninteractive $cmd" >&2
  exit 1
fi
echo "smtptap: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
