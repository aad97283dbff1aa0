#!/bin/sh
# Rewrites the expected NDJSON of golden tests (all, or the NAMEs given) from
# the current build. Review the diff before committing it.
set -eu
bin=${SMTPTAP:-build-test/smtptap}
names=${*:-$(grep -vE '^(#|$)' tests/golden/TESTLIST | awk '{print $1}')}
for name in $names; do
  line=$(grep -E "^$name[[:space:]]" tests/golden/TESTLIST | head -n 1)
  set -- $line
  shift
  pcap=$1; expected=tests/golden/expected/$2; shift 2
  rc=0
  # as tests/golden/run.sh: no machine's bundle in a --no-system-ca golden
  case " $* " in *" --no-system-ca "*) export SSL_CERT_FILE=/dev/null ;; *) unset SSL_CERT_FILE ;; esac
  TZ=UTC "$bin" -q --seed 1 "$@" -r "$pcap" --json "$expected" || rc=$?
  # 1 is --fail-on's; anything else (a sanitizer's abort, a refused input)
  # leaves no golden worth keeping
  if [ "$rc" -gt 1 ] || [ ! -s "$expected" ]; then
    echo "update-golden: $name: smtptap exited $rc, or wrote nothing" >&2
    exit 1
  fi
  echo "updated $expected"
done
