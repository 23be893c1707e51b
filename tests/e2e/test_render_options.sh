#!/usr/bin/env bash
# test_render_options.sh - `modelgate report`'s options and inputs: --output
# naming one of the input files is refused (exit 2) and leaves it unchanged;
# --max-annotations 0 and an empty or malformed --marker are refused (the
# same marker rule as `modelgate comment`); only the files that gate.json's
# "outputs" lists are read (a stale latency.json left in the folder changes
# nothing) and a listed file that is missing is exit 2 naming it; GitHub
# annotations' file= is relative to $GITHUB_WORKSPACE, or left out when the
# policy lies outside it.
# Usage: test_render_options.sh <modelgate-binary>   (env: MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
PY=${MG_PYTHON:-/usr/bin/python3}
cp -r "$SRC/tests/data/results/example" "$work/r"

# --- the output is never one of the inputs ------------------------------------
for f in gate.json metrics.json fairness.json; do
  cp "$work/r/$f" "$work/before"
  "$MG" report --results "$work/r" --format markdown --output "$work/r/$f" 2>"$work/err"
  rc=$?
  [ $rc = 2 ] || fail "--output DIR/$f: exit $rc"
  grep -q "is the input .*$f" "$work/err" || fail "--output DIR/$f: message $(cat "$work/err")"
  cmp -s "$work/before" "$work/r/$f" || fail "--output DIR/$f replaced the input"
done
ln -s "$work/r/gate.json" "$work/link.json"
"$MG" report --results "$work/r" --format html --output "$work/link.json" 2>"$work/err"
[ $? = 2 ] || fail "--output through a symlink to gate.json not refused"

# --- --max-annotations and --marker ------------------------------------------
for n in 0 -1; do
  "$MG" report --results "$work/r" --format github --max-annotations "$n" >"$work/out" 2>"$work/err"
  [ $? = 2 ] && [ ! -s "$work/out" ] && grep -q "max-annotations $n: expected 1 to" "$work/err" || fail "--max-annotations $n: $(cat "$work/err")"
done
"$MG" report --results "$work/r" --format github --max-annotations 1 >"$work/out" || fail "--max-annotations 1"
[ "$(grep -c '^::error ' "$work/out")" = 1 ] || fail "--max-annotations 1: one error"
for m in '' 'x --> <script>' 'a:b' 'a/b' "$(printf 'x%.0s' $(seq 65))"; do
  "$MG" report --results "$work/r" --format markdown --marker "$m" >"$work/out" 2>"$work/err"
  [ $? = 2 ] && [ ! -s "$work/out" ] && grep -q "expected 1 to 64 characters" "$work/err" || fail "--marker '$m' not refused: $(cat "$work/err")"
  "$MG" comment --report "$work/out" --marker "$m" --dry-run >/dev/null 2>&1
  [ $? = 2 ] || fail "comment --marker '$m' accepted"
done
"$MG" report --results "$work/r" --format markdown --marker 'pr-42_v1.2' | head -1 | grep -qx '<!-- modelgate:pr-42_v1.2 -->' || fail "--marker pr-42_v1.2"

# --- only the files gate.json lists ---------------------------------------------
mkdir "$work/s" "$work/ref"
"$PY" - "$work/r/gate.json" "$work/s/gate.json" <<'PYEOF'
import json, sys
g = json.load(open(sys.argv[1]))
del g["outputs"]["latency"]
g["gates"] = [x for x in g["gates"] if x["kind"] != "latency"]
json.dump(g, open(sys.argv[2], "w"), indent=1)
PYEOF
for f in metrics.json fairness.json comparison.json; do cp "$work/r/$f" "$work/s/$f"; cp "$work/r/$f" "$work/ref/$f"; done
cp "$work/s/gate.json" "$work/ref/gate.json"
cp "$work/r/latency.json" "$work/s/latency.json"   # stale: not listed
for f in markdown html junit github model-card; do
  "$MG" report --results "$work/s" --format $f --output "$work/s.$f" || fail "stale: $f exit $?"
  "$MG" report --results "$work/ref" --format $f --output "$work/ref.$f" || fail "ref: $f exit $?"
  cmp -s "$work/s.$f" "$work/ref.$f" || fail "$f: a stale latency.json was rendered"
done
grep -q "Latency" "$work/s.markdown" && fail "the stale latency section is shown"
rm "$work/s/fairness.json"
"$MG" report --results "$work/s" --format markdown >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q "s/fairness.json: No such file" "$work/err" || fail "a listed file missing: $(cat "$work/err")"

# --- annotations' file= relative to $GITHUB_WORKSPACE ---------------------------
mkdir -p "$work/ann" "$work/ws/run"
"$PY" - "$work/ann/gate.json" <<'PYEOF'
import json, sys
def gate(name, source):
    return {"name": name, "kind": "metric", "metric": "accuracy", "op": ">=", "threshold": 0.9,
            "value": 0.5, "verdict": "fail", "reason": "low", "source": source}
json.dump({"verdict": "fail", "gates": [
    gate("under", "/abs/ws/sub/p.yml:3:5 gates.accuracy.min"),
    gate("outside", "/elsewhere/p.yml:4:5 gates.accuracy.min"),
    gate("dotdot", "/abs/ws/../ws2/p.yml:5:5 gates.accuracy.min"),
    gate("relative", "modelgate.yml:18:5 gates.accuracy.min")]}, open(sys.argv[1], "w"))
PYEOF
ann() { grep "title=modelgate%3A $1::" "$work/ann.out" | sed 's/,title=.*//; s/ title=.*//'; }
(cd "$work/ws/run" && GITHUB_WORKSPACE=/abs/ws "$MG" report --results "$work/ann" --format github >"$work/ann.out") || fail "annotations exit $?"
[ "$(ann under)" = "::error file=sub/p.yml,line=3,col=5" ] || fail "under the workspace: $(ann under)"
[ "$(ann outside)" = "::error" ] || fail "outside the workspace: $(ann outside)"
[ "$(ann dotdot)" = "::error" ] || fail "../ out of the workspace: $(ann dotdot)"
[ "$(ann relative)" = "::error" ] || fail "relative, cwd outside the workspace: $(ann relative)"
(cd "$work/ws/run" && GITHUB_WORKSPACE="$work/ws/" "$MG" report --results "$work/ann" --format github >"$work/ann.out") || fail "annotations exit $?"
[ "$(ann relative)" = "::error file=run/modelgate.yml,line=18,col=5" ] || fail "relative, cwd under the workspace: $(ann relative)"
[ "$(ann under)" = "::error" ] || fail "absolute outside this workspace: $(ann under)"
(cd "$work/ws/run" && env -u GITHUB_WORKSPACE "$MG" report --results "$work/ann" --format github >"$work/ann.out") || fail "annotations exit $?"
[ "$(ann relative)" = "::error file=modelgate.yml,line=18,col=5" ] || fail "no workspace, relative: $(ann relative)"
[ "$(ann under)" = "::error" ] || fail "no workspace, absolute: $(ann under)"

# --- numbers: 4 significant digits where the report prints them, reasons as
# gate.json wrote them -----------------------------------------------------------
mkdir -p "$work/num"
printf '%s\n' '{"verdict": "fail", "gates": [{"name": "roc_auc >= 0.6", "kind": "metric", "metric": "roc_auc", "op": ">=", "threshold": 0.6, "value": 0.5590684259338603, "verdict": "fail", "reason": "roc_auc 0.5590684259338603 is below the minimum 0.6"}]}' >"$work/num/gate.json"
"$MG" report --results "$work/num" --format github >"$work/num.gh" || fail "num github"
grep -qF ' = 0.5591 (threshold >= 0.6): roc_auc 0.5590684259338603 is below the minimum 0.6' "$work/num.gh" || fail "github: value short, reason as written: $(cat "$work/num.gh")"
"$MG" report --results "$work/num" --format junit >"$work/num.xml" || fail "num junit"
grep -qF 'roc_auc 0.5590684259338603 is below the minimum 0.6' "$work/num.xml" || fail "junit: the reason as written"
"$MG" report --results "$work/num" --format markdown >"$work/num.md" || fail "num markdown"
grep -qF '| roc\_auc | 0.5591 | ≥ 0.6 | ❌ fail |' "$work/num.md" || fail "markdown: the value cell has 4 digits"

[ "$failures" = 0 ] && echo "test_render_options: ok"
exit $((failures > 0))
