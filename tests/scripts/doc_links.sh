#!/bin/sh
# The user documentation stays navigable: every relative link of README.md,
# docs/*.md and the captures' and bench's READMEs names a file that exists,
# and its #anchor a heading of that file (GitHub's slugs), so moving a section
# to docs/ cannot leave a dead link behind; and README's option and cap
# tables stay a line or two per row (the whole story is in docs/options.md
# and docs/evidence.md, linked from the row).
# Usage: doc_links.sh SMTPTAP (the binary is not used)
set -u
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing (sh scripts/deps.sh test)"; exit 77; }
fail=0
# shellcheck disable=SC2046
python3 tests/tools/md_links.py README.md docs/*.md $(ls pcaps/README.md pcaps/*/README.md bench/README.md bench/HISTORY.md 2>/dev/null) ||
  fail=1
# a table row of README's Usage (options, exit status, caps) of more than
# 260 characters is a paragraph: it belongs in docs/options.md
awk '/^## Usage/ { u = 1; next } /^## / { u = 0 } u && /^\| `/ && length($0) > 260 {
       printf "FAIL README.md:%d: a %d-character table row (a line or two, the rest in docs/options.md): %s\n",
         NR, length($0), substr($0, 1, 60); bad = 1 }
     END { exit bad }' README.md || fail=1
[ $fail = 0 ] && echo "ok: documentation links, anchors and README's table rows"
exit $fail
