#!/bin/sh
# Derives from pcaps/smtp-starttls-tls13.pcap and its key log what no key
# log mends, or a key log that does not:
# - tls13-snap300.pcap: every frame cut to 300 bytes (editcap -s 300, the
#   header's snapshot length 300): the server's encrypted flight loses the
#   Certificate record; the key log decrypts its EncryptedExtensions alone
#   (goldens v-tls13-snap300, v-tls13-snap300-keylog);
# and two key logs of pcaps/smtp-starttls-tls13.pcap that have its
# connections and do not decrypt them, from pcaps/smtp-starttls-tls13.keylog
# (the secrets of its second and third sessions):
# - tls13-keylog-noshs.keylog: without the SERVER_HANDSHAKE_TRAFFIC_SECRET
#   lines (a key log written in part): the client's records decrypt, the
#   server's Certificate cannot (golden v-tls13-keylog-noshs);
# - tls13-keylog-swapped.keylog: each client random given the other
#   connection's handshake traffic secrets (right randoms, wrong secrets:
#   tls.keylog_mismatch; golden v-tls13-keylog-swapped).
# Deterministic: lines in the base's order. Needs: awk, grep, editcap
# (wireshark-common).
# Usage (from the repo root): sh pcaps/tools/mktls13-keylog-variants.sh
set -eu
cd "$(dirname "$0")/../.."
in=pcaps/smtp-starttls-tls13.keylog
out=pcaps/variants
editcap -F pcap -s 300 pcaps/smtp-starttls-tls13.pcap "$out/tls13-snap300.pcap"
grep -v '^SERVER_HANDSHAKE_TRAFFIC_SECRET ' "$in" >"$out/tls13-keylog-noshs.keylog"
awk 'NR == FNR { if ($1 ~ /HANDSHAKE_TRAFFIC_SECRET$/) { if (!($2 in seen)) { seen[$2] = 1; r[n++] = $2 } s[$1 " " $2] = $3 } next }
     $1 ~ /HANDSHAKE_TRAFFIC_SECRET$/ {
         for (i = 0; i < n; i++) if (r[i] == $2) break
         o = r[(i + 1) % n]
         print $1, $2, s[$1 " " o]; next }
     { print }' "$in" "$in" >"$out/tls13-keylog-swapped.keylog"
