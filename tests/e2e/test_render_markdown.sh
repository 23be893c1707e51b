#!/usr/bin/env bash
# test_render_markdown.sh - `modelgate report --format markdown` (report.md,
# the pull-request comment) rendered by a CommonMark + GFM renderer
# (markdown-it, pinned in tests/render/package-lock.json): the gates table
# has one row per gate with the status of gate.json, the values and intervals
# of gate.json, the fairness tables one row per group (a missing value in
# italics), the marker comment first; data cannot inject HTML or mentions;
# 5,000 groups are cut under GitHub's limit with a line that says so; and the
# command's errors name the file and place.
# Usage: test_render_markdown.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
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

# --- the example results folder -------------------------------------------
"$MG" report --results "$example" --format markdown --output "$work/ex.md" || fail "report exited $?"
render <"$work/ex.md" >"$work/ex.html" || fail "markdown-it failed"
"$PY" - "$example" "$work/ex.md" "$work/ex.html" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "example report"
import json, sys
sys.path.insert(0, sys.argv[4])
from render_check import parse_html, report_number as num
d = sys.argv[1]
gate = json.load(open(d + "/gate.json"))
lat = json.load(open(d + "/latency.json"))
cmp_ = json.load(open(d + "/comparison.json"))
fair = json.load(open(d + "/fairness.json"))
md = open(sys.argv[2], encoding="utf-8").read()
tags, comments, tables, text = parse_html(open(sys.argv[3], encoding="utf-8").read())
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
EMOJI = {"pass": "\u2705", "fail": "\u274c", "inconclusive": "\u26a0\ufe0f", "skipped": "\u23ed\ufe0f"}
check(md.split("\n")[0] == "<!-- modelgate:gate -->", "marker is not the first line")
check([c.strip() for c in comments].count("modelgate:gate") == 1, "marker comment not rendered once")
check("script" not in tags, "a <script> element")
check("fail" in md.split("\n")[1] and EMOJI["fail"] in md.split("\n")[1], "title has no verdict")
# gates table
gt = tables[0]
check([c["text"] for c in gt[0]] == ["Metric", "Value", "Threshold", "Status"], "gates header")
rows = gt[1:]
check(len(rows) == len(gate["gates"]), "gates rows %d != %d" % (len(rows), len(gate["gates"])))
for r, g in zip(rows, gate["gates"]):
    cells = [c["text"] for c in r]
    check(cells[3] == EMOJI[g["verdict"]] + " " + g["verdict"], "status of %s: %r" % (g["name"], cells[3]))
    want = num(g["value"])
    if g["ci"]:
        want += " [%s, %s]" % (num(g["ci"]["low"]), num(g["ci"]["high"]))
    check(cells[1] == want, "value of %s: %r != %r" % (g["name"], cells[1], want))
    check(cells[2] == {">=": "\u2265", "<=": "\u2264"}[g["op"]] + " " + num(g["threshold"]), "threshold of " + g["name"])
check(sum(1 for r in rows if r[3]["text"].endswith(" pass")) == 5, "5 passes")
# latency
lt = [t for t in tables if [c["text"] for c in t[0]][:3] == ["p50", "p95", "p99"]]
check(len(lt) == 1, "one latency table")
if lt:
    cells = [c["text"] for c in lt[0][1]]
    check(cells[2] == num(lat["p99_ms"]) + " ms", "p99 cell %r" % cells[2])
    check(cells[4] == num(lat["p99_upper_bound_ms"]) + " ms", "p99 upper bound cell")
    check(cells[5] == ("yes" if lat["stable"] else "no"), "stable cell")
# comparison
ct = [t for t in tables if t[0][0]["text"] == "Metric" and len(t[0]) == 6]
check(len(ct) == 1, "one comparison table")
if ct:
    check(len(ct[0]) - 1 == len(cmp_["deltas"]), "comparison rows")
    acc = [r for r in ct[0][1:] if r[0]["text"] == "accuracy"][0]
    dl = cmp_["deltas"]["accuracy"]
    check(acc[3]["text"] == "%s [%s, %s]" % (num(dl["value"]), num(dl["ci_low"]), num(dl["ci_high"])), "accuracy delta %r" % acc[3]["text"])
    check(acc[4]["text"] == num(dl["p_value"]) and acc[5]["text"] == dl["test"], "p-value/test")
    check(acc[1]["text"] == num(cmp_["new"]["accuracy"]) and acc[2]["text"] == num(cmp_["baseline"]["accuracy"]), "new/baseline")
# fairness: one group table per attribute, one row per group
gts = [t for t in tables if [c["text"] for c in t[0]] == ["Group", "n", "Selection rate", "TPR", "FPR"]]
dp = fair["demographic_parity"]
check(len(gts) == len(dp), "group tables %d != %d" % (len(gts), len(dp)))
for t, (attr, e) in zip(gts, dp.items()):
    check(len(t) - 1 == len(e["groups"]), "rows of %s" % attr)
    for r, g in zip(t[1:], e["groups"]):
        v = g["value"]
        parts = v if isinstance(v, list) else [v]
        label = " \u00d7 ".join("missing" if p is None else p for p in parts)
        check(r[0]["text"] == label, "group %r shown %r" % (v, r[0]["text"]))
        check(r[0]["em"] == any(p is None for p in parts), "italics of %r" % (v,))
        check(r[1]["text"] == num(g["n"]) and r[2]["text"] == num(g["selection_rate"]), "n/rate of %r" % (v,))
check(any(r[0]["em"] and r[0]["text"] == "missing" for t in gts for r in t[1:]), "a missing group in italics")
check("not shown" not in md, "nothing is cut")
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

# --- the marker ---------------------------------------------------------
"$MG" report --results "$example" --format markdown --marker pr-42 | head -1 | grep -qx '<!-- modelgate:pr-42 -->' || fail "--marker pr-42"
"$MG" report --results "$example" --format markdown --marker 'x --> <script>' >/dev/null 2>&1
[ $? = 2 ] || fail "a marker that could end the comment is refused"

# --- hostile data -----------------------------------------------------------
"$PY" "$SRC/tests/e2e/helpers/render_fixtures.py" hostile "$work/h" "$MG" || fail "hostile fixture"
"$MG" report --results "$work/h" --format markdown --output "$work/h.md" || fail "hostile report exited $?"
render <"$work/h.md" >"$work/h.html" || fail "markdown-it failed on the hostile report"
"$PY" - "$work/h" "$work/h.md" "$work/h.html" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "hostile report"
import json, sys
sys.path.insert(0, sys.argv[4])
from render_check import parse_html
from render_fixtures import HOSTILE_GROUPS, HOSTILE_ATTR, sanitize
gate = json.loads(open(sys.argv[1] + "/gate.json", "rb").read().decode("utf-8", "replace"))
raw = open(sys.argv[2], "rb").read()
md = raw.decode("utf-8")  # strict: the report is valid UTF-8
tags, comments, tables, text = parse_html(open(sys.argv[3], encoding="utf-8").read())
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
for t in ("script", "b", "i", "del", "s", "strong", "em", "img"):
    check(t not in tags or t == "strong", "data made a <%s> element" % t)
check(tags.count("strong") == sum(1 for g in gate["gates"] if g["verdict"] != "pass") + 1,
      "<strong> only for the title and the names of gates that did not pass")
check(tags.count("code") == 1, "<code> only for on_inconclusive's value")
check("`code` **bold** _it_ [x](http://e.com) <b>b</b> &amp; ~~s~~ #1 $x$" in text,
      "markup in data shown as text")
check("<script>alert(1)</script>" in text, "the script text is shown as text")
check("@user" not in text and "@org" not in text, "a mention survived")
check("@\u200buser" in text, "the @ is shown")
check("\ufffd" in text, "invalid UTF-8 shown as U+FFFD")
check("<i>@\u200borg</i>" in text, "the attribute's markup shown as text")
gt = tables[0]
check(len(gt) - 1 == len(gate["gates"]) and all(len(r) == 4 for r in gt), "gates table shape")
for r, g in zip(gt[1:], gate["gates"]):
    check(r[3]["text"].endswith(" " + g["verdict"]), "status of %r" % g["name"])
groups = [t for t in tables if t[0][0]["text"] == "Group"]
check(len(groups) == 1, "one group table")
rows = groups[0][1:]
check(len(rows) == len(HOSTILE_GROUPS) and all(len(r) == 5 for r in rows), "group table shape")
want = sorted(sanitize(g).replace("\r", " ").replace("\n", " ") for g in HOSTILE_GROUPS)
got = sorted(r[0]["text"].replace("@\u200b", "@") for r in rows)
check(got == want, "group labels\n  got  %r\n  want %r" % (got, want))
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

# --- injection through names: no heading, image or link from data -------------
# A protected column's name with line breaks and Markdown lands in a
# <details><summary> title (raw HTML), in table cells and in reasons; URLs and
# domains in data must not become links (GFM autolinks) either.
mkdir -p "$work/inj"
"$PY" - "$example" "$work/inj" <<'PYEOF' || fail "injection fixture"
import json, sys
src, dst = sys.argv[1], sys.argv[2]
BAD = "x\n\n# Injected ![px](http://evil.example/p.png) [click](http://evil) www.evil.example evil.example <b>b</b>"
fair = json.load(open(src + "/fairness.json"))
for m in ("demographic_parity", "equalized_odds", "equal_opportunity"):
    if m in fair:
        fair[m] = {(BAD if i == 0 else k): v for i, (k, v) in enumerate(fair[m].items())}
        for v in fair[m].values():
            v.pop("attributes", None)
json.dump(fair, open(dst + "/fairness.json", "w"))
gate = json.load(open(src + "/gate.json"))
for g in gate["gates"]:
    if g["kind"] == "fairness":
        g["attribute"] = BAD
        g["name"] = "ratio(" + BAD + ") >= 0.8"
        g["reason"] = BAD
        g["verdict"] = "fail"
gate["provenance"]["model"] = BAD
gate["provenance"]["baseline"] = BAD
json.dump(gate, open(dst + "/gate.json", "w"))
for f in ("metrics.json", "latency.json", "comparison.json"):
    open(dst + "/" + f, "w").write(open(src + "/" + f).read())
PYEOF
"$MG" report --results "$work/inj" --format markdown --output "$work/inj.md" || fail "injection report exited $?"
render <"$work/inj.md" >"$work/inj.html" || fail "markdown-it failed on the injection report"
"$PY" - "$work/inj.md" "$work/inj.html" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "injection"
import sys
sys.path.insert(0, sys.argv[3])
from render_check import parse_html
md = open(sys.argv[1], encoding="utf-8").read()
tags, comments, tables, text = parse_html(open(sys.argv[2], encoding="utf-8").read())
bad = []
for t in ("img", "a", "h1", "b"):
    if t in tags:
        bad.append("data made a <%s> element" % t)
if tags.count("h2") != 1 or tags.count("h3") != 3:
    bad.append("headings: only the report's own (h2 %d, h3 %d)" % (tags.count("h2"), tags.count("h3")))
if "# Injected ![px](http://evil.example/p.png) [click](http://evil)" not in text:
    bad.append("the name is shown as text")
if md.count("<details>") != md.count("</details>"):
    bad.append("unbalanced <details>")
for line in md.split("\n"):
    if line.startswith("<details><summary>") and not line.endswith("</summary>"):
        bad.append("a summary over more than one line: %r" % line)
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

# --- 5,000 groups: cut under GitHub's 65,536-character limit ------------------
"$PY" "$SRC/tests/e2e/helpers/render_fixtures.py" big "$work/big" 5000 || fail "big fixture"
"$MG" report --results "$work/big" --format markdown --output "$work/big.md" || fail "big report exited $?"
render <"$work/big.md" >"$work/big.html" || fail "markdown-it failed on the big report"
"$PY" - "$work/big.md" "$work/big.html" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "5,000 groups"
import sys
sys.path.insert(0, sys.argv[3])
from render_check import parse_html
raw = open(sys.argv[1], "rb").read()
md = raw.decode("utf-8")
tags, comments, tables, text = parse_html(open(sys.argv[2], encoding="utf-8").read())
bad = []
if not len(raw) < 65536: bad.append("size %d" % len(raw))
if not len(md) <= 65000: bad.append("characters %d" % len(md))
notes = [l for l in md.split("\n") if "not shown" in l]
if notes != ["\u2026 5000 groups not shown; see fairness.json"]:
    bad.append("note %r" % notes)
groups = [t for t in tables if t[0][0]["text"] == "Group"]
if len(groups) != 1 or len(groups[0]) != 3: bad.append("the small attribute's table (2 groups) stays")
if len(tables[0]) != 3: bad.append("the gates table stays")
if md.split("\n")[0] != "<!-- modelgate:gate -->": bad.append("marker")
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF
# a smaller cap cuts whole sections of the example too, and says which
"$MG" report --results "$example" --format markdown --max-markdown 3000 --output "$work/cap.md" || fail "cap exited"
size=$(wc -c <"$work/cap.md")
[ "$size" -le 3000 ] || fail "--max-markdown 3000 gave $size bytes"
grep -q '^… 19 groups not shown; see fairness.json$' "$work/cap.md" || fail "cap: groups note"
grep -q '^… the .* section is not shown; see ' "$work/cap.md" || fail "cap: section note"
grep -q '^| accuracy | 0.8645 \[0.8488, 0.8788\] | ≥ 0.85 | ✅ pass |$' "$work/cap.md" || fail "cap: gates table kept"

# the floor: the marker, the title and the gates table (or the line saying how
# many rows were cut) always stay, every <details> is closed; a cap below the
# minimum (1024) is refused naming it
for cap in 1024 1100 1500 2000; do
  "$MG" report --results "$example" --format markdown --max-markdown $cap --output "$work/cap.md" || fail "cap $cap exited $?"
  [ "$(wc -c <"$work/cap.md")" -le $cap ] || fail "cap $cap: over"
  [ "$(head -1 "$work/cap.md")" = '<!-- modelgate:gate -->' ] || fail "cap $cap: marker"
  grep -q '^## ❌ modelgate: \*\*fail\*\*$' "$work/cap.md" || fail "cap $cap: title"
  grep -q '^8 gates: 5 passed, 1 failed' "$work/cap.md" || fail "cap $cap: counts"
  grep -q '^| demographic\\_parity\\_ratio (age\\_group) | 0.6015 | ≥ 0.8 | ❌ fail |$' "$work/cap.md" || fail "cap $cap: the failed gate's row"
  [ "$(grep -c '<details>' "$work/cap.md")" = "$(grep -c '</details>' "$work/cap.md")" ] || fail "cap $cap: a <details> left open"
  if ! grep -q '^| accuracy on region=EU' "$work/cap.md"; then
    grep -q '^… [0-9]* of 8 gates not shown; see gate.json$' "$work/cap.md" || fail "cap $cap: rows cut without a note"
  fi
done
for cap in 1023 200 10 0; do
  "$MG" report --results "$example" --format markdown --max-markdown $cap >"$work/out" 2>"$work/err"
  [ $? = 2 ] && [ ! -s "$work/out" ] && grep -q "max-markdown $cap: expected at least 1024 bytes" "$work/err" || fail "cap $cap not refused: $(cat "$work/err")"
done

# --- errors name the file and place -------------------------------------------
mkdir -p "$work/bad" "$work/empty"
"$MG" report --results "$work/empty" --format markdown >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q "empty/gate.json: No such file" "$work/err" || fail "missing gate.json: $(cat "$work/err")"
printf '{"verdict": "pass",\n "gates": [1,]}\n' >"$work/bad/gate.json"
"$MG" report --results "$work/bad" --format markdown >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q "bad/gate.json:2:" "$work/err" || fail "malformed gate.json: $(cat "$work/err")"
printf '{"verdict": "pass", "gates": [{"name": "a", "verdict": "maybe"}]}\n' >"$work/bad/gate.json"
"$MG" report --results "$work/bad" --format junit >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q 'gate.json: gates\[0\].verdict: expected pass, fail, inconclusive or skipped' "$work/err" || fail "bad verdict: $(cat "$work/err")"
printf '{"verdict": "pass", "gates": []}\n' >"$work/bad/gate.json"
printf '[1, 2' >"$work/bad/metrics.json"
"$MG" report --results "$work/bad" --format model-card >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q "bad/metrics.json:1:" "$work/err" || fail "malformed metrics.json: $(cat "$work/err")"
"$MG" report --results "$work/bad" --format pdf >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q "unknown format 'pdf'" "$work/err" || fail "unknown format: $(cat "$work/err")"
rm "$work/bad/metrics.json"
"$MG" report --results "$work/bad" --format markdown --output "$work/nodir/r.md" 2>"$work/err"
[ $? = 2 ] || fail "unwritable output"

[ "$failures" = 0 ] && echo "test_render_markdown: ok"
exit $((failures > 0))
