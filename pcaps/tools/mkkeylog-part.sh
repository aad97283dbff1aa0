#!/bin/sh
# Derives pcaps/variants/tls13-keylog-first.keylog: the key log of
# pcaps/diag/tls13-keylog.pcap (pcaps/diag/tls13-keylog.keylog) with the
# secrets of its first client random alone (the first session, 198.51.100.10),
# so that its chain is decrypted and the second session's, which the client
# rejected with an alert, stays encrypted: client_rejected_certificate's
# inferred_certificates (golden v-tls13-inferred). Deterministic: the header
# line and the lines of the first CLIENT_RANDOM-indexed label, in order.
# Needs: awk, grep. Usage (from the repo root): sh pcaps/tools/mkkeylog-part.sh
set -eu
cd "$(dirname "$0")/../.."
in=pcaps/diag/tls13-keylog.keylog
out=pcaps/variants/tls13-keylog-first.keylog
first=$(awk 'NF == 3 && $1 !~ /^#/ { print $2; exit }' "$in")
[ -n "$first" ] || { echo "no client random in $in" >&2; exit 1; }
grep -e '^#' -e " $first " "$in" >"$out"
