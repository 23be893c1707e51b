#!/usr/bin/env bash
# test_render_escaping.sh - every report format of one hostile results folder
# (tests/e2e/helpers/render_fixtures.py: group values, attribute and gate
# names with %, newlines, |, <script>alert(1)</script>, ::, backticks, quotes,
# @mentions and invalid UTF-8, some as raw bytes in gate.json): each is
# written (exit 0), is valid UTF-8, and holds no markup or command made from
# the data: report.html parsed by an HTML parser has no <script> element and
# shows the text; junit.xml parses as XML; the model card parses as JSON; the
# GitHub commands are one per line; report.md rendered by markdown-it has no
# <script>. (Each format's own test checks its details on the same folder.)
# Usage: test_render_escaping.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
SRC=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$SRC/scripts/npm-ci.sh" "$SRC/tests/render" || { echo "FAIL: npm ci tests/render"; exit 1; }
"$PY" "$SRC/tests/e2e/helpers/render_fixtures.py" hostile "$work/h" "$MG" || fail "hostile fixture"
grep -q $'\xff' "$work/h/gate.json" || fail "the fixture's gate.json has raw invalid UTF-8"
for f in markdown html junit github model-card; do
  "$MG" report --results "$work/h" --format $f --output "$work/out.$f" 2>"$work/err" || fail "$f exited $?: $(cat "$work/err")"
done
node "$SRC/tests/render/render.js" <"$work/out.markdown" >"$work/md.html" || fail "markdown-it"
"$PY" - "$work" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "formats"
import sys, json, xml.etree.ElementTree as ET
sys.path.insert(0, sys.argv[2])
from render_check import parse_html, gh_parse
w = sys.argv[1]
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
texts = {}
for f in ("markdown", "html", "junit", "github", "model-card"):
    try:
        texts[f] = open(w + "/out." + f, "rb").read().decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("%s is not UTF-8: %s" % (f, e))
for name in ("html", "md.html"):
    path = w + "/" + (name if name == "md.html" else "out.html")
    tags, comments, tables, text = parse_html(open(path, encoding="utf-8").read())
    want("script" not in tags and "i" not in tags and "b" not in tags, "%s: markup from data: %r" % (name, sorted(set(tags))))
    want("<script>alert(1)</script>" in text, "%s: the text is shown" % name)
    want("\ufffd" in text, "%s: U+FFFD shown" % name)
want("<script>" not in texts.get("html", "") and "<script>" not in texts.get("junit", ""), "a raw <script>")
ET.fromstring(texts.get("junit", "").encode())
card = json.loads(texts.get("model-card", "{}"))
want(card.get("schema_version") == "0.0.2", "model card")
gh = texts.get("github", "")
want(len(gh_parse(gh)) == gh.count("\n"), "one command per line")
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

[ "$failures" = 0 ] && echo "test_render_escaping: ok"
exit $((failures > 0))
