#!/bin/sh
# Captures that begin in the middle of a TLS handshake: each bundled capture
# below is cut at every packet boundary of each session's handshake
# (pcaps/tools/midcut.py), smtptap reads every cut, and
# tests/tools/midsweep_check.py checks its records against those of the
# whole capture: no crash, no finding or anomaly the kept part does not
# show, the chain whenever the whole Certificate message is kept, honest
# handshake / handshake_messages / certificates values, later sessions
# unchanged. Usage: midhandshake_sweep.sh SMTPTAP (from the source tree).
set -eu
bin=$1
command -v python3 >/dev/null 2>&1 || { echo "midhandshake_sweep: no python3, skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bases="pcaps/smtp-starttls-tls12-chain.pcap pcaps/smtp-starttls-tls13.pcap pcaps/smtps-465.pcap
pcaps/smtp-mutual-tls.pcap pcaps/smtp-client-alert.pcap"
python3 pcaps/tools/midcut.py sweep "$tmp" $bases
export SSL_CERT_FILE=/dev/null TZ=UTC
# one run (nDPI's start-up would take half its time; it labels no mail
# port's flow here): NAME.json, NAME.rc (exit status), NAME.err (stderr)
run() {
  f=$1
  keylog=
  case $f in *smtp-starttls-tls13*) keylog="--keylog pcaps/smtp-starttls-tls13.keylog" ;; esac
  rc=0
  "$bin" -q --seed 1 --no-ndpi --no-system-ca --ca-file pcaps/certs/root.pem $keylog \
    -r "$f" --json "${f%.pcap}.json" 2>"${f%.pcap}.err" || rc=$?
  echo $rc >"${f%.pcap}.rc"
}
for b in $bases; do
  cp "$b" "$tmp/full-$(basename "$b")"
done
# two at a time (the machine's CPU is shared)
ls "$tmp"/*.pcap | while read -r a && read -r b; do
  run "$a" & run "$b"; wait
done
# an odd count leaves one: run what has no result yet
for f in "$tmp"/*.pcap; do [ -f "${f%.pcap}.rc" ] || run "$f"; done
python3 tests/tools/midsweep_check.py "$tmp"
