#!/usr/bin/env python3
"""Check relative Markdown links (files and #anchors, GitHub slug rules) of the given .md files (tests/scripts/doc_links.sh)."""
import os, re, sys

def slugs(path):
    out, seen, fence = set(), {}, False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
            continue
        if fence: continue
        m = re.match(r'^(#{1,6})\s+(.*?)\s*#*\s*$', line)
        if not m: continue
        t = m.group(2).lower()
        t = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', t)  # link text only
        t = re.sub(r'[^\w\- ]', '', t).replace(' ', '-')
        n = seen.get(t, 0); seen[t] = n + 1
        out.add(t if n == 0 else f'{t}-{n}')
    return out

bad = 0; count = 0
for f in sys.argv[1:]:
    text = open(f, encoding='utf-8').read()
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    text = re.sub(r'`[^`\n]*`', '', text)
    for m in re.finditer(r'\]\(([^)\s]+)\)', text):
        target = m.group(1)
        if re.match(r'^[a-z]+:', target): continue
        count += 1
        p, _, anchor = target.partition('#')
        dest = os.path.normpath(os.path.join(os.path.dirname(f), p)) if p else f
        if not os.path.exists(dest):
            print(f'{f}: missing file {target}'); bad += 1; continue
        if anchor and dest.endswith('.md') and anchor not in slugs(dest):
            print(f'{f}: missing anchor {target}'); bad += 1
print(f'{count} relative links checked, {bad} broken')
sys.exit(1 if bad else 0)
