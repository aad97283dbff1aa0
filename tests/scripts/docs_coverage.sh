#!/bin/sh
# shellcheck disable=SC2016 # backquotes in the patterns are Markdown's
# The user documentation stays true, checked mechanically so that drift fails:
#  - every option src/cli.c accepts is in --help, the man page and README.md,
#    and every option those name is one the parser accepts;
#  - every cap of --help-caps is in README's caps table with its default, and
#    named in the man page;
#  - every key the goldens hold, and every key the code writes, is in
#    docs/schema*.md; every key of their tables is one the code writes; the
#    values of the enumerated fields the goldens hold are documented, and
#    status, handshake, certificates and ended list what the code gives;
#  - every finding kind of the code is in docs/findings.md with the
#    severities the code gives it (and each golden finding's severity is one
#    of them); every kind findings.md lists is one the code makes; every
#    diagnosis flag of the goldens is documented;
#  - every anomaly name the code records is in docs/schema.md, and every
#    name listed there is one the code records;
#  - docs/ARCHITECTURE.md's file map names every C file of src/ and
#    dissectors/, and only files that exist.
# jq is required (scripts/deps.sh test). Usage: docs_coverage.sh SMTPTAP
set -u
bin=$1
command -v jq >/dev/null 2>&1 || { echo "jq is required (sh scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
  echo "FAIL $*"
  fail=1
}

# ---- options ----
"$bin" --help >"$tmp/help" 2>&1 || bad "--help: exit $?"
# the man page as text: \- is -, font changes dropped
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em/--/g' docs/smtptap.1 >"$tmp/man"
sed -n '/cli_long\[\] = {/,/^};/p' src/cli.c | grep -o '{"[a-z-]*"' | tr -d '{"' >"$tmp/long"
shorts=$(grep -o 'getopt_long(argc, argv, "[^"]*"' src/cli.c | sed 's/.*"\(.*\)"/\1/' | tr -d ':')
if [ "$(wc -l <"$tmp/long")" -lt 20 ] || [ -z "$shorts" ]; then
  bad "cannot read the options of src/cli.c"
fi
for where in help man README.md; do
  f=$tmp/$where
  [ "$where" = README.md ] && f=README.md
  while read -r o; do
    grep -Eq -- "--$o([^a-z-]|\$)" "$f" || bad "option --$o is not in $where"
  done <"$tmp/long"
  for s in $(echo "$shorts" | sed 's/./& /g'); do
    grep -Eq -- "(^|[^a-zA-Z0-9-])-$s([^a-zA-Z0-9]|\$)" "$f" || grep -q -- "-[A-Za-z]*${s}[A-Za-z]*\]" "$f" ||
      bad "option -$s is not in $where"
  done
done
# the other way: every --option named in --help, in the man page's option
# entries, and in README's option table is one the parser accepts
{
  grep -oE -- '--[a-z][a-z-]+' "$tmp/help"
  grep -A1 '^\.TP' "$tmp/man" | grep -E '^\.B' | grep -oE -- '--[a-z][a-z-]+'
  grep -E '^\| `-' README.md | cut -d'|' -f2 | grep -oE -- '--[a-z][a-z-]+'
} | sort -u | sed 's/^--//' >"$tmp/named"
while read -r o; do
  grep -qx -- "$o" "$tmp/long" || bad "--$o is documented but src/cli.c does not accept it"
done <"$tmp/named"

# ---- caps ----
"$bin" --help-caps | sed -n 's/^  \([a-z0-9_.]*\)=\([0-9]*\) .*/\1 \2/p' >"$tmp/caps"
[ "$(wc -l <"$tmp/caps")" -ge 20 ] || bad "--help-caps lists $(wc -l <"$tmp/caps") caps"
# README's caps table: | `name` | default | ... |, defaults with K/M/G suffixes
sed -n '/^### Caps/,/^## /p' README.md | sed -n 's/^| `\([a-z0-9_.]*\)` | \([0-9]*[KMG]*\) |.*/\1 \2/p' |
  awk '{ v = $2; m = 1
         if (v ~ /K$/) m = 1024; else if (v ~ /M$/) m = 1048576; else if (v ~ /G$/) m = 1073741824
         sub(/[KMG]$/, "", v); printf "%s %.0f\n", $1, v * m }' >"$tmp/readme-caps"
while read -r name val; do
  doc=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/readme-caps")
  [ "$doc" = "$val" ] || bad "cap $name: default $val, README's caps table says '${doc:-nothing}'"
  grep -q -- "$name" "$tmp/man" || bad "cap $name is not in the man page"
done <"$tmp/caps"
while read -r name val; do
  grep -q "^$name " "$tmp/caps" || bad "README's caps table has $name, which --help-caps does not list"
done <"$tmp/readme-caps"

# ---- schema: keys ----
cat docs/schema.md docs/schema-server.md >"$tmp/schema"
cat tests/golden/expected/*.ndjson >"$tmp/goldens"
documented() { grep -qF "\`$1\`" "$2"; }
# object keys of every record (the maps tls_versions and verdict_sessions,
# whose keys are values, apart)
jq -r 'if .event == "server" or .event == "name" then del(.tls_versions, .certificates[].verdict_sessions)
       else . end | [paths | .[] | strings] | .[]' "$tmp/goldens" | sort -u >"$tmp/golden-keys"
while read -r k; do
  documented "$k" "$tmp/schema" || bad "key $k (in a golden) is not in docs/schema*.md"
done <"$tmp/golden-keys"
# keys the code writes, goldens or not (live capture's run record, snapshots)
grep -ohE 'json_[a-z0-9_]+\([a-z_>.-]+, "[a-zA-Z_0-9.]+"' src/*.c | sed -E 's/.*"(.*)"/\1/' |
  grep -vx true | sort -u >"$tmp/code-keys"
[ "$(wc -l <"$tmp/code-keys")" -ge 150 ] || bad "cannot read the keys src/*.c writes"
while read -r k; do
  documented "$k" "$tmp/schema" || bad "key $k (written by src/) is not in docs/schema*.md"
done <"$tmp/code-keys"
# every key of a schema table's first column is in a golden or is a string
# of src/ (keys written through a helper: "crl_urls", "sni" ...)
grep -ohE '"[a-z][a-z0-9_]*"' src/*.c | tr -d '"' | sort -u >"$tmp/code-strings"
grep -hE '^\| `' docs/schema.md docs/schema-server.md | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' |
  sort -u | while read -r k; do
  grep -qxF "$k" "$tmp/golden-keys" || grep -qxF "$k" "$tmp/code-strings" ||
    echo "FAIL key $k is in docs/schema*.md but src/ never writes it"
done >"$tmp/stale"
[ -s "$tmp/stale" ] && { cat "$tmp/stale"; fail=1; }

# ---- schema: values of enumerated fields ----
jq -r '
  (select(.event == "session" or .event == "flow") | .status, .ended, .client_by, (.anomalies[]?.name)),
  (select(.event == "session") | .tls // {} | .version, .client_version, .handshake, .certificates,
     .client_certificates),
  (select(.event == "session") | .smtp.dialog[]?.command | select(. == "EOM" or . == "OTHER")),
  (select(.event == "session") | .diagnosis | .exchange_statuses[]?, .checked_name_source,
     .handshake_capped, .missing_issuer.root_evidence?, .client_chain_verdict.exchange_status?,
     .client_chain_verdict.missing_issuer.root_evidence?),
  (select(.event == "server" or .event == "name") | .certificates[]? | .verdict, .verdicts[]?,
     (.verdict_sessions // {} | keys[])),
  (select(.event == "server") | (.tls_versions | keys[]), .name_sources[]?.from[]?,
     .client_certificates[]?.verdict),
  (select(.event == "name") | .source),
  (select(.event == "finding") | .severity)
  | strings' "$tmp/goldens" | sort -u >"$tmp/values"
while read -r v; do
  documented "$v" "$tmp/schema" || bad "value $v (in a golden) is not in docs/schema*.md"
done <"$tmp/values"

# enumerations: the values a row of docs/schema.md lists (before
# "(**contract**)") are those the function returns (both: no more, no less;
# code: the function's at least)
enum_check() { # ROWKEY FUNCTION FILE both|code
  sed -n "/^$2(/,/^}/p" "$3" | grep 'return\|engine_end(' | grep -o '"[a-z_0-9]*"' | tr -d '"' |
    sort -u >"$tmp/enum-code"
  grep -E "^\| \`$1\` " docs/schema.md | cut -d'|' -f4 | sed 's/(\*\*contract\*\*).*//' |
    grep -o '`[a-z_0-9]*`' | tr -d '`' | sort -u >"$tmp/enum-doc"
  [ -s "$tmp/enum-code" ] || { bad "cannot read the values of $2 in $3"; return; }
  if [ "$4" = both ]; then
    cmp -s "$tmp/enum-code" "$tmp/enum-doc" || bad "$1: $2 ($3) gives" \
      "$(tr '\n' ' ' <"$tmp/enum-code")but docs/schema.md lists $(tr '\n' ' ' <"$tmp/enum-doc")"
  else
    while read -r v; do
      grep -qx "$v" "$tmp/enum-doc" || bad "$1: $2 ($3) gives $v, which docs/schema.md does not list"
    done <"$tmp/enum-code"
  fi
}
enum_check status engine_status src/engine_record.c both
enum_check handshake rs_outcome src/report_session.c both
enum_check certificates rs_visibility src/report_session.c code
# the ends: every engine_end() of src/engine.c
grep -o 'engine_end([a-z]*, "[a-z_]*"' src/engine.c | grep -o '"[a-z_]*"' | tr -d '"' | sort -u >"$tmp/ends"
grep -E '^\| `ended` ' docs/schema.md | cut -d'|' -f4 | grep -o '`[a-z_]*`' | tr -d '`' | sort -u >"$tmp/ends-doc"
cmp -s "$tmp/ends" "$tmp/ends-doc" || bad "ended: src/engine.c ends flows as $(tr '\n' ' ' <"$tmp/ends")but" \
  "docs/schema.md lists $(tr '\n' ' ' <"$tmp/ends-doc")"

# ---- findings ----
# kinds and severities in the code: the per-flag table and each call
{
  sed -n 's/.*\[AF_[A-Z_]*\] = {"\([a-z_]*\)", SEV_\([A-Z]*\)}.*/\1 \2/p' src/agg_findings.c
  grep -h 'agg_new_finding(si, "' src/*.c |
    sed 's/.*agg_new_finding(si, "\([a-z_]*\)", \(.*\)/\1 \2/' |
    awk '{ k = $1; $1 = ""; n = split($0, w, /[^A-Z_]+/)
           for (i = 1; i <= n; i++) if (w[i] ~ /^SEV_/) print k, substr(w[i], 5) }'
  # starttls_not_used is high on the submission port (agg_flag_findings)
  grep -q 'AF_STARTTLS_NOT_USED && s->ep.port == 587' src/agg_findings*.c && echo "starttls_not_used HIGH"
  # self_signed is low when its peers used X-ANONYMOUSTLS only (agg_all_anontls)
  grep -q 'AF_SELF_SIGNED && agg_all_anontls' src/agg_findings*.c && echo "self_signed LOW"
  # untrusted_root is low to a root public then, judged against the system bundle (agg_retired.c)
  grep -q 'AF_UNTRUSTED_ROOT && agg_retired_then' src/agg_findings*.c && echo "untrusted_root LOW"
  # weak_signature is low for SHA-1 certificates accepted at the sessions' time (agg_retired.c)
  grep -q 'AF_WEAK_SIGNATURE && fs->sig_then == fs->sessions' src/agg_findings*.c && echo "weak_signature LOW"
  # client_quit_after_handshake is medium when every chain it met verifies (quit_ok)
  grep -q 'AF_CLIENT_QUIT && fs->cert_ok == fs->sessions' src/agg_findings*.c &&
    echo "client_quit_after_handshake MEDIUM"
  # client_closed_after_handshake is low when a peer never went further over TLS (agg_closed.c)
  grep -q 'AF_CLIENT_CLOSED ? agg_closed_severity(s, fs)' src/agg_findings_flags.c &&
    grep -q 'return SEV_LOW;' src/agg_closed.c && echo "client_closed_after_handshake LOW"
  # server_refused_after_handshake is high when the client's certificate explains it (agg_refused.c)
  grep -q 'AF_SERVER_REFUSED ? agg_refused_severity(fs)' src/agg_findings_flags.c &&
    grep -q '? SEV_HIGH : SEV_MEDIUM' src/agg_refused.c && echo "server_refused_after_handshake HIGH"
} | tr '[:upper:]' '[:lower:]' | sort -u >"$tmp/code-sev"
cut -d' ' -f1 "$tmp/code-sev" | sort -u >"$tmp/code-kinds"
[ "$(wc -l <"$tmp/code-kinds")" -ge 30 ] || bad "cannot read the finding kinds of src/"
# findings.md: "| `kind` ... | severities | ..." rows, and the per-flag
# severity table "| severity | `kind`, `kind` ... |"
awk -F'|' '/^\| `[a-z_]*`/ { k = $2; sub(/^ *`/, "", k); sub(/`.*/, "", k)
             n = split($3, w, /[^a-z]+/); for (i = 1; i <= n; i++)
               if (w[i] ~ /^(critical|high|medium|low|info)$/) print k, w[i] }
           /^\| \*\*(critical|high|medium|low|info)\*\*/ { s = $2; gsub(/[ *]/, "", s)
             n = split($3, w, /`/); for (i = 2; i <= n; i += 2) if (w[i] ~ /^[a-z_]+$/) print w[i], s }' docs/findings.md |
  sort -u >"$tmp/doc-sev"
while read -r k s; do
  grep -qx "$k $s" "$tmp/doc-sev" || bad "finding $k can be $s (src/), which docs/findings.md does not say"
done <"$tmp/code-sev"
while read -r k s; do
  grep -qx "$k" "$tmp/code-kinds" || bad "docs/findings.md lists the finding $k, which src/ never makes"
  grep -qx "$k $s" "$tmp/code-sev" || bad "docs/findings.md gives $k the severity $s, which src/ never does"
done <"$tmp/doc-sev"
jq -r 'select(.event == "finding") | "\(.kind) \(.severity)"' "$tmp/goldens" | sort -u |
  while read -r k s; do
    grep -qx "$k $s" "$tmp/doc-sev" || echo "FAIL a golden has finding $k at $s, not in docs/findings.md"
  done >"$tmp/golden-sev"
[ -s "$tmp/golden-sev" ] && { cat "$tmp/golden-sev"; fail=1; }
# diagnosis flags: in findings.md's flag table or the schema's diagnosis part
jq -r 'select(.event == "session") | .diagnosis | to_entries[] | select(.value | type == "boolean") | .key' \
  "$tmp/goldens" | sort -u | while read -r k; do
  documented "$k" docs/findings.md || documented "$k" docs/schema.md ||
    echo "FAIL diagnosis.$k is in neither docs/findings.md nor docs/schema.md"
done >"$tmp/flags"
[ -s "$tmp/flags" ] && { cat "$tmp/flags"; fail=1; }

# ---- anomalies ----
# names the code records: the dotted names in src/ and dissectors/, less the
# cursor's field labels (rd_*), includes, comments, the caps' own names and
# src/engine_record.c, which only looks names up
grep -rhE '"(tcp|flow|smtp|tls|x509|reasm|stream|dissector)\.[a-z_]+"' src dissectors \
  --exclude=engine_record.c | grep -v 'rd_[a-z0-9_]*(' | grep -vE '#include|^ *(/?\*|//)' |
  grep -oE '"(tcp|flow|smtp|tls|x509|reasm|stream|dissector)\.[a-z_]+"' | tr -d '"' | sort -u |
  grep -vxFf "$(cut -d' ' -f1 "$tmp/caps" | grep -vx reasm.depth >"$tmp/capnames" && echo "$tmp/capnames")" \
    >"$tmp/code-anoms"
[ "$(wc -l <"$tmp/code-anoms")" -ge 40 ] || bad "cannot read the anomaly names of src/"
grep -E '^\| `anomalies` ' docs/schema.md | grep -oE '`((tcp|flow|smtp|tls|x509|reasm|stream|dissector)\.[a-z_]+|memcap)`' |
  tr -d '`' | sort -u >"$tmp/doc-anoms"
while read -r a; do
  grep -qx "$a" "$tmp/doc-anoms" || bad "anomaly $a (src/) is not in docs/schema.md's anomalies row"
done <"$tmp/code-anoms"
while read -r a; do
  [ "$a" = memcap ] && continue
  grep -qx "$a" "$tmp/code-anoms" || bad "docs/schema.md lists the anomaly $a, which src/ never records"
done <"$tmp/doc-anoms"
grep -q 'fctx_event(ctx, "memcap"' src/fctx.c || bad "the anomaly memcap is no longer recorded"
# the names src/engine_record.c looks up (a capped or malformed status) are
# ones the code records: a dead name there hides a renamed one
grep -oE '"(tcp|flow|smtp|tls|x509|reasm|stream|dissector)\.[a-z_]+"' src/engine_record.c | tr -d '"' |
  sort -u >"$tmp/looked-up"
[ -s "$tmp/looked-up" ] || bad "cannot read the anomaly names of src/engine_record.c"
while read -r a; do
  grep -qx "$a" "$tmp/code-anoms" || bad "src/engine_record.c looks up the anomaly $a, which src/ never records"
done <"$tmp/looked-up"

# ---- file map ----
# docs/ARCHITECTURE.md's file map lists every C file, and only files that exist
for f in src/*.c dissectors/*.c; do
  grep -qF -- "- \`$f\`: " docs/ARCHITECTURE.md || bad "docs/ARCHITECTURE.md's file map lacks $f"
done
sed -n 's/^- `\([a-z]*\/[a-z0-9_]*\.c\)`: .*/\1/p' docs/ARCHITECTURE.md | while read -r f; do
  [ -f "$f" ] || echo "$f"
done >"$tmp/gone"
while read -r f; do bad "docs/ARCHITECTURE.md's file map names $f, which does not exist"; done <"$tmp/gone"

[ $fail = 0 ] && echo "ok: options, caps, schema keys and values, findings, anomalies and the file map are documented"
exit $fail
