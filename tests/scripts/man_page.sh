#!/bin/sh
# docs/smtptap.1 must render as written: troff reads a source line that begins
# with a dot or an apostrophe as a request, so a sentence wrapped onto such a
# line (a quoted filter, 'port 26') vanished from the page without a word.
# groff -ww names every such line (groff(1): -w all). Skips (77) without groff.
# Usage: man_page.sh SMTPTAP (unused: the page is checked, not the binary)
set -u
page=docs/smtptap.1
command -v groff >/dev/null 2>&1 || { echo "groff not installed: skipped"; exit 77; }
out=$(groff -man -ww -z "$page" 2>&1)
if [ -n "$out" ]; then
  echo "FAIL $page: groff warns (the text of these lines is lost or misrendered):"
  echo "$out"
  exit 1
fi
# the sentence the apostrophe line lost, as a reader sees it
text=$(groff -man -Tutf8 -P -cbou "$page" 2>/dev/null | tr -s ' \n' '  ')
case $text in
*"no packet matched the filter 'port 26'"*) ;;
*) echo "FAIL $page: the --libpcap-reader filter message is not on the rendered page"; exit 1 ;;
esac
echo "ok: $page renders without warnings"
