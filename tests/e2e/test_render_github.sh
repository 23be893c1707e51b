#!/usr/bin/env bash
# test_render_github.sh - `modelgate report --format github`: the workflow
# commands parsed back by the runner's rules (tests/e2e/helpers/
# render_check.py: ::name key=value,...::message, %-escapes undone) give one
# annotation per gate of the right kind (error, warning, notice), worst first,
# with the gate's name, reason and policy place intact, however hostile the
# data (no data line becomes a command); at most --max-annotations of each
# kind and a notice counting the rest; and --github-output's lines, parsed by
# the runner's file-command rules (name=value, name<<DELIMITER), give back
# the verdict, the gated values and the paths, equal to the JSON files.
# Usage: test_render_github.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
SRC=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
example=$SRC/tests/data/results/example

# checks DIR/gate.json against the annotations in FILE (MAX per kind)
check() {
  "$PY" - "$1" "$2" "$3" "$SRC/tests/e2e/helpers" <<'PYEOF'
import sys, json, re
sys.path.insert(0, sys.argv[4])
from render_check import gh_parse
gate = json.loads(open(sys.argv[1] + "/gate.json", "rb").read().decode("utf-8", "replace"))
text = open(sys.argv[2], "rb").read().decode("utf-8")
limit = int(sys.argv[3])
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
def clean(s):  # what an annotation can hold of a data string
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]", "", s.replace("\t", " "))
lines = text.split("\n")
want(lines[-1] == "" and all(l.startswith("::") for l in lines[:-1]), "every line is a command")
cmds = gh_parse(text)
fails_inc = gate.get("on_inconclusive", "fail") == "fail"
def kind(v):
    return {"fail": "error", "inconclusive": "error" if fails_inc else "warning"}.get(v, "notice")
rank = {"fail": 0, "inconclusive": 1, "skipped": 2, "pass": 3}
order = sorted(range(len(gate["gates"])), key=lambda i: (rank[gate["gates"][i]["verdict"]], i))
expect, left = [], {"error": 0, "warning": 0, "notice": 0}
for i in order:
    g = gate["gates"][i]
    k = kind(g["verdict"])
    if sum(1 for e in expect if e[0] == k) < limit:
        expect.append((k, g))
    else:
        left[k] += 1
extra = cmds[len(expect):]
want(len(cmds) == len(expect) + (1 if sum(left.values()) else 0), "%d commands for %d gates" % (len(cmds), len(expect)))
for (name, props, msg), (k, g) in zip(cmds, expect):
    want(name == k, "kind %s != %s for %r" % (name, k, g["name"]))
    want(props.get("title") == "modelgate: " + clean(g["name"]), "title %r" % props.get("title"))
    want(msg.startswith(g["verdict"] + ": " + clean(g["name"]) + " = "), "message %r" % msg)
    if g.get("reason"):
        want(clean(g["reason"]) in msg, "reason in %r" % msg)
    m = re.match(r"(.+):(\d+):(\d+) ", g.get("source") or "")
    if m:
        want(props.get("file") == m.group(1) and props.get("line") == m.group(2) and props.get("col") == m.group(3), "place %r" % props)
if sum(left.values()):
    name, props, msg = cmds[-1]
    want(name == "notice" and msg.startswith("%d error, %d warning and %d notice annotations were left out" % (left["error"], left["warning"], left["notice"])), "left-out notice %r" % msg)
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF
}

"$MG" report --results "$example" --format github --output "$work/ex.txt" || fail "example exited $?"
check "$example" "$work/ex.txt" 10 || fail "example annotations"
head -1 "$work/ex.txt" | grep -q '^::error file=modelgate.yml,line=18,col=5,title=modelgate%3A demographic_parity_ratio(age_group) >= 0.8::fail: ' || fail "the failed gate first"

"$PY" "$SRC/tests/e2e/helpers/render_fixtures.py" hostile "$work/h" "$MG" || fail "hostile fixture"
"$MG" report --results "$work/h" --format github --output "$work/h.txt" || fail "hostile exited $?"
check "$work/h" "$work/h.txt" 10 || fail "hostile annotations"
grep -q '%0A::error::injected %250A' "$work/h.txt" || fail "a newline in a reason is %0A, a % is %25"

# many gates: at most N of each kind, worst first, and a notice for the rest
"$PY" - "$work/many" <<'PYEOF'
import json, os, sys
os.makedirs(sys.argv[1])
gates = []
for i in range(58):
    v = "fail" if i % 2 == 0 and i < 50 else ("inconclusive" if i in (3, 7, 11) else "pass")
    gates.append({"name": "gate %d" % i, "kind": "metric", "metric": "m%d" % i, "op": ">=",
                  "threshold": 0.5, "value": i / 100, "ci": None, "verdict": v,
                  "reason": "reason %d" % i, "source": "p.yml:%d:1 gates.m%d" % (i + 1, i)})
json.dump({"verdict": "fail", "on_inconclusive": "warn", "gates": gates}, open(sys.argv[1] + "/gate.json", "w"))
PYEOF
"$MG" report --results "$work/many" --format github --max-annotations 10 --output "$work/many.txt" || fail "many exited"
check "$work/many" "$work/many.txt" 10 || fail "many: limits"
[ "$(grep -c '^::error ' "$work/many.txt")" = 10 ] || fail "many: 10 errors"
tail -1 "$work/many.txt" | grep -q '^::notice title=modelgate::15 error, 0 warning and 20 notice annotations were left out' || fail "many: the left-out notice: $(tail -1 "$work/many.txt")"
"$MG" report --results "$work/many" --format github --max-annotations 2 --output "$work/many2.txt" || fail "many2 exited"
check "$work/many" "$work/many2.txt" 2 || fail "many: --max-annotations 2"

# $GITHUB_OUTPUT: appended, parsed by the runner's rules; a path with a
# newline needs the delimiter form
res="$work/results
dir"
cp -r "$example" "$res"
printf 'earlier=1\n' >"$work/gh_output"
"$MG" report --results "$res" --format markdown --output "$work/report.md" \
  --github-output "$work/gh_output" || fail "outputs exited $?"
"$PY" - "$res" "$work/gh_output" "$work/report.md" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "outputs"
import sys, json
sys.path.insert(0, sys.argv[4])
from render_check import gh_outputs
d = sys.argv[1]
out = gh_outputs(open(sys.argv[2], encoding="utf-8").read())
metrics = json.load(open(d + "/metrics.json"))
lat = json.load(open(d + "/latency.json"))
gate = json.load(open(d + "/gate.json"))
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
want(out.get("earlier") == "1", "appended, earlier lines kept")
want(out.get("verdict") == gate["verdict"], "verdict")
want(float(out["accuracy"]) == metrics["accuracy"], "accuracy %r" % out.get("accuracy"))
want(float(out["p99_ms"]) == lat["p99_ms"], "p99_ms")
want(float(out["roc_auc"]) == metrics["roc_auc"], "roc_auc")
fair = {g["attribute"]: g["value"] for g in gate["gates"] if g["kind"] == "fairness"}
want(float(out["demographic_parity_ratio_gender"]) == fair["gender"], "dp gender")
want(float(out["demographic_parity_ratio_age_group"]) == fair["age_group"], "dp age_group")
want("accuracy_region_EU" not in out, "a slice gate has no output (gate.json lists its slices) %r" % out.get("accuracy_region_EU"))
want(out.get("gate_json") == d + "/gate.json", "gate_json %r" % out.get("gate_json"))
want(out.get("report") == sys.argv[3], "report")
raw = open(sys.argv[2], encoding="utf-8").read()
want("gate_json<<ghadelimiter_" in raw, "the delimiter form for a value with a newline")
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

[ "$failures" = 0 ] && echo "test_render_github: ok"
exit $((failures > 0))
