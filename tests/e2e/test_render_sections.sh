#!/usr/bin/env bash
# test_render_sections.sh - what report.md and report.html show from
# metrics.json's calibration, operating_points, per_class (multiclass) and
# slices, read back from the rendered pages (markdown-it, Python's HTML
# parser) and compared with the JSON: the ECE/MCE line, one row per
# operating point and per class, per slicing the worst slices (ranked here by
# Python) with their n, value and interval; these sections are cut first
# under --max-markdown. And the regression rows: the gates table names the
# rule ("roc_auc relative change (improvement)") and the comparison says
# that its delta is new - baseline while the gates use the improvement.
# Usage: test_render_sections.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
SRC=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$SRC/scripts/npm-ci.sh" "$SRC/tests/render" || { echo "FAIL: npm ci tests/render"; exit 1; }
render() { node "$SRC/tests/render/render.js"; }
example=$SRC/tests/data/results/example

# --- binary: calibration, operating points, slices; a regression gate ------------
mkdir -p "$work/b"
"$MG" evaluate --model column:score --test-data "$SRC/tests/data/parquet/matrix/test.csv" \
  --slice-by age_group,gender --slice-cross gender,age_group --operating-point precision=0.8 \
  --operating-point fpr=0.1 --quiet --output "$work/b/metrics.json" 2>/dev/null
[ -s "$work/b/metrics.json" ] || fail "evaluate wrote no metrics.json"
cp "$example/comparison.json" "$work/b/comparison.json"
"$PY" - "$example/gate.json" "$work/b/gate.json" <<'PYEOF'
import json, sys
g = json.load(open(sys.argv[1]))
g["outputs"] = {"metrics": "metrics.json", "comparison": "comparison.json"}
g["gates"] = [x for x in g["gates"] if x["kind"] in ("metric",)] + [
    {"name": "roc_auc relative_change >= -0.005", "kind": "regression", "metric": "roc_auc",
     "attribute": None, "op": ">=", "threshold": -0.005, "value": 0.001, "ci": None,
     "verdict": "pass", "reason": "ok", "source": "modelgate.yml:30:5 regression.roc_auc"},
    {"name": "log_loss change >= -0.01", "kind": "regression", "metric": "log_loss",
     "attribute": None, "op": ">=", "threshold": -0.01, "value": -0.1482, "ci": None,
     "verdict": "fail", "reason": "worse", "source": "modelgate.yml:31:5 regression.log_loss"}]
json.dump(g, open(sys.argv[2], "w"))
PYEOF
"$MG" report --results "$work/b" --format markdown --output "$work/b.md" || fail "markdown exit $?"
"$MG" report --results "$work/b" --format html --output "$work/b.html" || fail "html exit $?"
render <"$work/b.md" >"$work/b.md.html" || fail "markdown-it"
"$PY" - "$work/b" "$work/b.md" "$work/b.md.html" "$work/b.html" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "binary sections"
import json, math, sys
sys.path.insert(0, sys.argv[5])
from render_check import parse_html, report_number as num
m = json.load(open(sys.argv[1] + "/metrics.json"))
md = open(sys.argv[2], encoding="utf-8").read()
tags, comments, tables, text = parse_html(open(sys.argv[3], encoding="utf-8").read())
htags, hcomments, htables, htext = parse_html(open(sys.argv[4], encoding="utf-8").read())
bad = []
def check(c, what):
    if not c: bad.append(what)
def head(t): return [c["text"] for c in t[0]]
cal = m["calibration"]
check("Calibration (10 uniform bins): expected calibration error (ECE) %s, maximum calibration error (MCE) %s." % (num(cal["ece"]), num(cal["mce"])) in text, "md ECE/MCE line")
# operating points
ops = [t for t in tables if head(t)[0] == "Operating point"]
check(len(ops) == 1 and len(ops[0]) - 1 == len(m["operating_points"]), "md operating points rows")
for r, (k, p) in zip(ops[0][1:] if ops else [], m["operating_points"].items()):
    cells = [c["text"] for c in r]
    want = "%s [%s, %s]" % (num(p["value"]), num(p["ci"]["low"]), num(p["ci"]["high"]))
    check(cells[0] == k and cells[1] == want and cells[2] == num(p["threshold"]) and cells[5] == num(p["fpr"]), "md operating point %s: %r" % (k, cells))
# slices: the 5 worst by accuracy per slicing, ranked independently
sl = [t for t in tables if head(t)[0] == "Slice"]
check(len(sl) == len(m["slices"]), "md one slice table per slicing: %d" % len(sl))
def label(v):
    parts = v if isinstance(v, list) else [v]
    return " \u00d7 ".join("missing" if p is None else str(p) for p in parts)
for t, (name, s) in zip(sl, m["slices"].items()):
    ranked = sorted(s["slices"], key=lambda x: (x["metrics"]["accuracy"] is None, x["metrics"]["accuracy"] or 0))
    want = ranked[:5]
    check(len(t) - 1 == len(want), "md %s: %d rows" % (name, len(t) - 1))
    check(head(t)[2] == "accuracy [CI]", "md slices header")
    for r, x in zip(t[1:], want):
        cells = [c["text"] for c in r]
        ci = x["ci"]["accuracy"]
        check(cells[0] == label(x["value"]) and cells[1] == num(x["n"]) and
              cells[2] == "%s [%s, %s]" % (num(x["metrics"]["accuracy"]), num(ci["low"]), num(ci["high"])),
              "md slice %s %r: %r" % (name, x["value"], cells))
    if len(s["slices"]) > 5:
        check("\u2026 %d more slices in metrics.json" % (len(s["slices"]) - 5) in text, "md more-slices line for " + name)
check(md.count("<details>") == md.count("</details>"), "md details balanced")
# html: every scored slice, worst first; ECE; operating points
hs = [t for t in htables if head(t)[:2] == ["Slice", "n"]]
check(len(hs) == len(m["slices"]), "html slice tables")
for t, (name, s) in zip(hs, m["slices"].items()):
    ranked = sorted(s["slices"], key=lambda x: x["metrics"]["accuracy"])
    check([r[0]["text"] for r in t[1:]] == [label(x["value"]) for x in ranked], "html %s order" % name)
check("expected calibration error (ECE) %s" % num(cal["ece"]) in htext, "html ECE")
hops = [t for t in htables if head(t)[0] == "Operating point"]
check(len(hops) == 1 and len(hops[0]) - 1 == len(m["operating_points"]), "html operating points")
# regression rows and the delta's sign
gt = tables[0]
labels = [r[0]["text"] for r in gt[1:]]
check("roc_auc relative change (improvement)" in labels and "log_loss change (improvement)" in labels, "md regression labels %r" % labels)
check("Delta = new \u2212 baseline. The regression gates use the improvement: the delta, with its sign flipped where lower is better (log_loss, brier)." in text, "md delta note")
check("roc_auc relative change (improvement)" in htext and "Difference = new \u2212 baseline" in htext and "(log_loss, brier)" in htext, "html regression label and delta note")
check(any(c["text"] == "Difference (new \u2212 baseline)" for t in htables for c in t[0]), "html delta header")
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

# the extras fold first: at a cap where the comparison still fits they are cut
"$MG" report --results "$work/b" --format markdown --max-markdown 2500 --output "$work/cap.md" || fail "cap exit"
[ "$(wc -c <"$work/cap.md")" -le 2500 ] || fail "cap: size"
grep -q '^… the slices section is not shown; see metrics.json$' "$work/cap.md" || fail "cap: slices cut first"
grep -q '^| Metric | New | Baseline | Delta \[CI\] | p-value | Test |$' "$work/cap.md" || fail "cap: the comparison stays while extras are cut"

# --- multiclass: per class -----------------------------------------------------------
mkdir -p "$work/mc"
"$MG" evaluate --model column:pred --test-data "$SRC/tests/e2e/cases/evaluate-multiclass-small/test.csv" --quiet --output "$work/mc/metrics.json" 2>/dev/null
printf '%s\n' '{"verdict": "pass", "gates": [], "outputs": {"metrics": "metrics.json"}}' >"$work/mc/gate.json"
"$MG" report --results "$work/mc" --format markdown --output "$work/mc.md" || fail "mc markdown"
"$MG" report --results "$work/mc" --format html --output "$work/mc.html" || fail "mc html"
render <"$work/mc.md" >"$work/mc.md.html" || fail "markdown-it mc"
"$PY" - "$work/mc/metrics.json" "$work/mc.md.html" "$work/mc.html" "$SRC/tests/e2e/helpers" "$SRC/tests/e2e/cases/evaluate-multiclass-small/test.csv" <<'PYEOF' || fail "per class"
import csv, json, sys
sys.path.insert(0, sys.argv[4])
from render_check import parse_html, report_number as num
from sklearn.metrics import precision_recall_fscore_support
rows = list(csv.DictReader(open(sys.argv[5])))
y, p = [r["label"] for r in rows], [r["pred"] for r in rows]
labels = sorted(set(y) | set(p))
P, R, F, S = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
ref = {l: (P[i], R[i], F[i], S[i]) for i, l in enumerate(labels)}
bad = []
for path in (sys.argv[2], sys.argv[3]):
    tags, comments, tables, text = parse_html(open(path, encoding="utf-8").read())
    t = [t for t in tables if t[0][0]["text"] == "Class"]
    if len(t) != 1:
        bad.append("%s: one per-class table" % path); continue
    got = {r[0]["text"]: [c["text"] for c in r[1:]] for r in t[0][1:]}
    if set(got) != set(labels):
        bad.append("%s: classes %r" % (path, sorted(got)))
    for l, (pp, rr, ff, ss) in ref.items():
        if got.get(l, [None])[:4] != [num(pp), num(rr), num(ff), num(ss)]:
            bad.append("%s: class %s %r != %r" % (path, l, got.get(l), [num(pp), num(rr), num(ff), num(ss)]))
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

[ "$failures" = 0 ] && echo "test_render_sections: ok"
exit $((failures > 0))
