#!/usr/bin/env bash
# test_report_html.sh - report.html in a real browser: renders a results
# folder (tests/browser/make_results.py: modelgate's own JSON files with
# hostile group names, plus the curve keys made with scikit-learn), opens the
# file in Debian's chromium with JavaScript on (tests/browser/check_html.mjs,
# puppeteer-core pinned by tests/browser/package-lock.json) and checks: no
# request but the file itself, no console message, no injected element, the
# charts' data attributes equal the JSON's numbers. Saves a screenshot to
# BUILD/artifacts/report-html.png. Also checks the renderer's refusals.
# Usage: test_report_html.sh <modelgate-binary>
#   (env: MG_PYTHON, MG_SOURCE_DIR, MG_REPORT_HTML = the report_html driver)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
SRC=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RENDER=${MG_REPORT_HTML:-$(dirname "$MG")/tests/report_html}
CHROMIUM=${MG_CHROMIUM:-/usr/bin/chromium}
ARTIFACTS=$(dirname "$MG")/artifacts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

[ -x "$RENDER" ] || { echo "FAIL: the report_html driver is not built ($RENDER)"; exit 1; }
[ -x "$CHROMIUM" ] || { echo "FAIL: $CHROMIUM is missing (scripts/install-deps.sh installs chromium)"; exit 1; }
"$SRC/scripts/npm-ci.sh" "$SRC/tests/browser" || { echo "FAIL: npm ci of tests/browser"; exit 1; }

"$PY" "$SRC/tests/browser/make_results.py" "$MG" "$SRC" "$work/results" ||
    { echo "FAIL: make_results.py"; exit 1; }
"$RENDER" "$work/results" "$work/report.html" || { echo "FAIL: rendering report.html"; exit 1; }

# The bytes themselves: valid UTF-8, no URL, no script element, no raw markup
# from the group names.
"$PY" - "$work/report.html" "$work/results" <<'PYEOF' || fail "static checks of report.html"
import html, json, re, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # raises on invalid UTF-8
text = raw.decode()
assert not re.search(r"https?:", text, re.I), "a URL in report.html"
assert not re.search(r"<script|<img|<link|<iframe|<object|<embed", text, re.I), "an element that loads"
assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in text
assert "a&quot;b&amp;c&#39;&lt;img src=x onerror=alert(1)&gt;" in text
assert "<em class=\"missing\">missing</em>" in text
# an undefined number is shown with the reason the JSON gives for it
lat = json.load(open(sys.argv[2] + "/latency.json"))
for k, v in lat.items():
    if k.endswith("_ms") and v is None and k + "_reason" in lat:
        assert html.escape(lat[k + "_reason"]).replace("&#x27;", "&#39;") in text, k
PYEOF

mkdir -p "$ARTIFACTS"
shot="$ARTIFACTS/report-html.png"
rm -f "$shot"
if node "$SRC/tests/browser/check_html.mjs" "$CHROMIUM" "$work/results" "$work/report.html" "$shot"; then
    [ -s "$shot" ] || fail "no screenshot at $shot"
    echo "screenshot: $shot"
else
    fail "check_html.mjs"
fi

# A file without curve keys: the charts are left out with a note, not drawn empty.
mkdir -p "$work/bare"
cp "$work/results/gate.json" "$work/bare/"
jq 'del(.curves, .calibration, .score_histogram)' "$work/results/metrics.json" > "$work/bare/metrics.json"
jq 'del(.histogram)' "$work/results/latency.json" > "$work/bare/latency.json"
"$RENDER" "$work/bare" "$work/bare.html" || fail "rendering without curve keys"
for want in 'ROC curve: not drawn' 'Precision-recall curve: not drawn' 'Calibration: not drawn' \
    'Latency histogram: not drawn'; do
    grep -q "$want" "$work/bare.html" || fail "no note '$want' without the key"
done
grep -q '<svg' "$work/bare.html" && fail "a chart drawn without its key"

# Refusals: no gate.json, a file that is not JSON (file, line, column), a
# gate.json whose gates are not an array. Exit 2 with one line, no output file.
mkdir -p "$work/empty" "$work/badjson" "$work/badgates"
"$RENDER" "$work/empty" "$work/out.html" 2> "$work/err" && fail "no gate.json accepted"
grep -q '^report_html: gate.json: missing' "$work/err" || fail "no gate.json: $(cat "$work/err")"
cp "$work/results/gate.json" "$work/badjson/"
printf '{"accuracy": 0.9,\n  "n": }\n' > "$work/badjson/metrics.json"
"$RENDER" "$work/badjson" "$work/out.html" 2> "$work/err" && fail "bad metrics.json accepted"
grep -q '^report_html: metrics.json:2:8: not JSON' "$work/err" || fail "bad JSON: $(cat "$work/err")"
echo '{"verdict": "pass", "gates": {}}' > "$work/badgates/gate.json"
"$RENDER" "$work/badgates" "$work/out.html" 2> "$work/err" && fail "gates as an object accepted"
grep -q '"gates" is not an array' "$work/err" || fail "bad gates: $(cat "$work/err")"
[ -e "$work/out.html" ] && fail "an output file written on error"

if [ "$failures" -eq 0 ]; then
    echo "test_report_html: all passed"
    exit 0
fi
echo "test_report_html: $failures failed"
exit 1
