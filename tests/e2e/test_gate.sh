#!/usr/bin/env bash
# test_gate.sh - `modelgate gate` end to end: generated data built so that
# each kind of gate passes, fails and comes out inconclusive; the exit code
# and gate.json agree with the expected verdicts; on_inconclusive each way;
# --set and flag overrides; the gate's metrics, fairness and comparison equal
# the separate commands' on the same inputs (one pass changes nothing); the
# bundled example with a registry baseline; GitHub outputs; bad policies.
# Expected values are hand-computed from the generated counts.
# Usage: test_gate.sh <modelgate-binary>   (env: MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=${MG_SOURCE_DIR:?}
command -v jq >/dev/null || { echo "SKIP: jq is not installed (scripts/install-deps.sh)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY
export MODELGATE_REGISTRY=$work/reg

# 200 rows: label, score (160 right at 0.5: accuracy exactly 0.8), base (a
# baseline 150 right: 0.75), group (A: 100 rows, 60 predicted positive; B:
# 100 rows, 30 predicted positive: demographic parity ratio exactly 0.5).
awk 'BEGIN {
  print "label,score,base,group";
  for (i = 0; i < 200; i++) {
    g = i < 100 ? "A" : "B"; k = i % 100;
    # predicted positive: A rows 0..59, B rows 0..29
    pos = (g == "A") ? (k < 60) : (k < 30);
    # wrong on 40 rows: i % 5 == 0
    wrong = (i % 5 == 0);
    label = wrong ? 1 - pos : pos;
    score = pos ? 0.9 : 0.1;
    # the baseline: wrong on 50 rows (i % 4 == 0)
    bwrong = (i % 4 == 0);
    bpos = bwrong ? 1 - label : label;
    printf "%d,%s,%s,%s\n", label, score, bpos ? 0.8 : 0.2, g;
  }
}' >data.csv

policy() { # policy FILE EXTRA-YAML...: a policy on data.csv with the gates given
  local f=$1; shift
  {
    echo "version: 1"
    echo "data:"
    echo "  test: data.csv"
    echo "  label: label"
    echo "model: column:score"
    printf '%s\n' "$@"
  } >"$f"
}

run_gate() { # run_gate NAME EXPECTED-EXIT ARGS...
  local name=$1 want=$2; shift 2
  "$MG" gate "$@" --quiet >"$name.out" 2>"$name.err"
  local code=$?
  [ "$code" = "$want" ] || fail "$name: exit $code, expected $want: $(tail -2 "$name.err")"
}

# ---- metric gates: pass, fail, inconclusive -------------------------------
policy pass.yml "gates:" "  accuracy: {min: 0.75}" "outputs: {dir: out-pass}"
run_gate pass 0 --policy pass.yml
[ "$(jq -r .verdict out-pass/gate.json)" = pass ] || fail "pass: gate.json verdict"
[ "$(jq .gates[0].value out-pass/gate.json)" = 0.8 ] || fail "pass: accuracy value $(jq .gates[0].value out-pass/gate.json)"
[ "$(jq -r .gates[0].source out-pass/gate.json)" = "pass.yml:7:14: gates.accuracy.min" ] ||
  fail "pass: source $(jq -r .gates[0].source out-pass/gate.json)"
for f in metrics.json gate.json report.md report.html junit.xml; do
  [ -s "out-pass/$f" ] || fail "pass: $f not written"
done
for f in fairness.json latency.json comparison.json; do
  [ ! -e "out-pass/$f" ] || fail "pass: $f written without its gates"
done
[ "$(jq .accuracy out-pass/metrics.json)" = 0.8 ] || fail "pass: metrics.json accuracy"

policy failing.yml "gates:" "  accuracy: {min: 0.85}" "outputs: {dir: out-fail}"
run_gate fail 1 --policy failing.yml
[ "$(jq -r .verdict out-fail/gate.json)" = fail ] || fail "fail: gate.json verdict"
[ "$(jq .exit_code out-fail/gate.json)" = 1 ] || fail "fail: gate.json exit_code"
tail -1 fail.err | grep -q "FAIL" || fail "fail: last stderr line: $(tail -1 fail.err)"
grep -q "gate failed: accuracy >= 0.85" fail.err || fail "fail: no failure line"

# Wilson 95% interval of 160/200 is [0.7391, 0.8495]: 0.79 lies inside it.
policy inc.yml "gates:" "  accuracy: {min: 0.79, confidence: 0.95}" "outputs: {dir: out-inc}"
run_gate inc 3 --policy inc.yml
[ "$(jq -r .verdict out-inc/gate.json)" = inconclusive ] || fail "inc: verdict"
[ "$(jq -r .gates[0].decided_on out-inc/gate.json)" = interval ] || fail "inc: decided_on"
awk -v lo="$(jq .gates[0].ci.low out-inc/gate.json)" -v hi="$(jq .gates[0].ci.high out-inc/gate.json)" \
  'BEGIN { exit !(lo > 0.7390 && lo < 0.7392 && hi > 0.8495 && hi < 0.8496) }' ||
  fail "inc: Wilson interval $(jq -c .gates[0].ci out-inc/gate.json)"
run_gate inc-warn 0 --policy inc.yml --on-inconclusive warn --outputs out-inc-warn
[ "$(jq -r .verdict out-inc-warn/gate.json)" = pass ] || fail "inc-warn: verdict"
[ "$(jq -r .gates[0].verdict out-inc-warn/gate.json)" = inconclusive ] || fail "inc-warn: gate verdict"
grep -q "warning: accuracy >= 0.79 is inconclusive" inc-warn.err || fail "inc-warn: no warning"
run_gate inc-pass 0 --policy inc.yml --set on_inconclusive=pass --outputs out-inc-pass
[ "$(jq -r .on_inconclusive out-inc-pass/gate.json)" = pass ] || fail "inc-pass: on_inconclusive"
# A gate wholly cleared by the interval passes with confidence.
run_gate inc-clear 0 --policy inc.yml --set gates.accuracy.min=0.7 --outputs out-inc-clear
# --set over the file: a stricter minimum fails.
run_gate set-fail 1 --policy pass.yml --set gates.accuracy.min=0.9 --outputs out-set
[ "$(jq .gates[0].threshold out-set/gate.json)" = 0.9 ] || fail "set: threshold"
[ "$(jq -r .gates[0].source out-set/gate.json)" = "--set gates.accuracy.min" ] ||
  fail "set: source $(jq -r .gates[0].source out-set/gate.json)"
# A flag over the file: the baseline's column as the model (0.75 >= 0.75).
run_gate flag-model 0 --policy pass.yml --model column:base --outputs out-flag
[ "$(jq .gates[0].value out-flag/gate.json)" = 0.75 ] || fail "flag: accuracy of column:base"

# ---- fairness: ratio 0.5 fails 0.8, passes 0.4 -----------------------------
policy fair.yml "gates:" "  fairness:" "    protected_attributes: [group]" \
  "    min_group_size: 30" "    demographic_parity_ratio: {min: 0.8}" "outputs: {dir: out-fair}"
run_gate fair 1 --policy fair.yml
[ "$(jq -r '.gates[0].attribute' out-fair/gate.json)" = group ] || fail "fair: attribute"
[ "$(jq '.gates[0].value' out-fair/gate.json)" = 0.5 ] || fail "fair: ratio $(jq .gates[0].value out-fair/gate.json)"
[ "$(jq '.demographic_parity.group.ratio' out-fair/fairness.json)" = 0.5 ] || fail "fair: fairness.json ratio"
run_gate fair-pass 0 --policy fair.yml --set gates.fairness.demographic_parity_ratio.min=0.4 --outputs out-fair2
# The tutorial's band shorthand decides the same ratio.
policy band.yml "gates:" "  fairness:" "    protected_attributes: [group]" "    threshold: 0.8" \
  "outputs: {dir: out-band}"
run_gate band 1 --policy band.yml
# One pass changes nothing: the fairness command gives the same numbers.
"$MG" fairness --model column:score --test-data data.csv --protected-attributes group \
  --threshold 0.8 --quiet --output fair-cmd.json 2>/dev/null
[ "$(jq -S .demographic_parity out-band/fairness.json)" = "$(jq -S .demographic_parity fair-cmd.json)" ] ||
  fail "band: fairness.json differs from the fairness command's"

# ---- regression against a baseline column ----------------------------------
# new 0.8 vs baseline 0.75: change +0.05.
policy reg.yml "baseline: column:base" "gates:" "  regression:" "    accuracy: {min_change: -0.01}" \
  "outputs: {dir: out-reg}"
run_gate reg 0 --policy reg.yml
[ "$(jq '.gates[0].value | . * 1000 | round' out-reg/gate.json)" = 50 ] || fail "reg: change $(jq .gates[0].value out-reg/gate.json)"
[ "$(jq .accuracy_improvement out-reg/comparison.json | cut -c1-6)" = 0.0500 ] || fail "reg: accuracy_improvement"
run_gate reg-fail 1 --policy reg.yml --set gates.regression.accuracy.min_change=0.1 --outputs out-reg2
# Each rule says how it was decided: one on its interval, one on the point.
run_gate reg-mixed 0 --policy reg.yml --outputs out-reg3 \
  --set 'gates.regression.accuracy={min_change: -0.5, confidence: 0.95}' \
  --set 'gates.regression.f1={min_change: -0.5}'
[ "$(jq -c '[.gates[] | [.metric, .decided_on]]' out-reg3/comparison.json)" = '[["accuracy","interval"],["f1","point"]]' ] ||
  fail "reg-mixed: decided_on per rule: $(jq -c '[.gates[] | [.metric, .decided_on]]' out-reg3/comparison.json)"
"$MG" compare --new column:score --baseline column:base --test-data data.csv --label label \
  --bootstrap 1000 --quiet --output cmp.json 2>/dev/null
[ "$(jq -S .deltas out-reg/comparison.json)" = "$(jq -S .deltas cmp.json)" ] ||
  fail "reg: comparison deltas differ from the compare command's"
# No baseline: an error, unless the policy allows a first model.
policy nobase.yml "baseline: registry:nothing@production" "gates:" "  regression:" \
  "    accuracy: {min_change: -0.01}" "outputs: {dir: out-nobase}"
run_gate nobase 2 --policy nobase.yml
grep -q "nobase.yml:6:1: baseline" nobase.err || fail "nobase: place not named: $(tail -1 nobase.err)"
run_gate nobase-ok 0 --policy nobase.yml --set allow_missing_baseline=true
[ "$(jq -r .gates[0].verdict out-nobase/gate.json)" = skipped ] || fail "nobase-ok: regression not skipped"
[ "$(jq .skipped out-nobase/comparison.json)" = true ] || fail "nobase-ok: comparison.json not skipped"

# ---- slices: each group is right on 80 of its 100 rows ----------------------
policy slices.yml "gates:" "  accuracy: {min: 0.5}" "slices:" "  by: [group]" "  gates:" \
  "    accuracy: {min: 0.75}" "outputs: {dir: out-slices}"
run_gate slices 0 --policy slices.yml
[ "$(jq -c '[.gates[] | select(.kind == "slice") | [.name, .value, .attribute, .verdict]]' out-slices/gate.json)" = \
  '[["accuracy >= 0.75 on group=A",0.8,"group","pass"],["accuracy >= 0.75 on group=B",0.8,"group","pass"]]' ] ||
  fail "slices: $(jq -c '[.gates[] | select(.kind == "slice")]' out-slices/gate.json)"
run_gate slices-fail 1 --policy slices.yml --set slices.gates.accuracy.min=0.85 --outputs out-slices2
# Wilson 95% interval of 80/100 is [0.7112, 0.8666]: 0.78 is inside it.
run_gate slices-inc 3 --policy slices.yml --set 'slices.gates.accuracy={min: 0.78, confidence: 0.95}' \
  --outputs out-slices3
[ "$(jq -r '[.gates[] | select(.kind == "slice") | .verdict] | unique | join(",")' out-slices3/gate.json)" = inconclusive ] ||
  fail "slices-inc: verdicts"
"$MG" evaluate --model column:score --test-data data.csv --slice-by group --quiet --output eval-sl.json 2>/dev/null
[ "$(jq -S .slices out-slices/metrics.json)" = "$(jq -S .slices eval-sl.json)" ] ||
  fail "slices: metrics.json's slices differ from evaluate --slice-by's"

# ---- metrics equal the evaluate command's ----------------------------------
"$MG" evaluate --model column:score --test-data data.csv --quiet --output eval.json 2>/dev/null
[ "$(jq -S 'del(.provenance, .gates, .verdict)' out-pass/metrics.json)" = \
  "$(jq -S 'del(.provenance, .gates, .verdict)' eval.json)" ] || fail "metrics.json differs from evaluate's"

# ---- bad policies: exit 2 naming file:line:column --------------------------
policy typo.yml "gates:" "  acuracy: {min: 0.8}"
run_gate typo 2 --policy typo.yml
grep -q "typo.yml:7:3" typo.err || fail "typo: no place: $(cat typo.err)"
grep -q "accuracy" typo.err || fail "typo: no suggestion: $(cat typo.err)"
printf 'version: 1\nmodel: column:score\n' >nodata.yml
run_gate nodata 2 --policy nodata.yml
grep -q "data" nodata.err || fail "nodata: $(cat nodata.err)"
run_gate missing 2 --policy does-not-exist.yml
policy badcol.yml "data:" "  label: nope" "gates:" "  accuracy: {min: 0.8}"
run_gate badcol 2 --policy badcol.yml
# A misspelt ignored column is refused, as --ignore's is.
cp "$SRC/examples/models/model.json" xgb.json
printf 'version: 1\ndata:\n  test: %s\n  ignore: [scor]\nmodel: xgb.json\n' "$SRC/examples/data/test.csv" >ign.yml
run_gate ign 2 --policy ign.yml
grep -q "ign.yml:4:3: data.ignore: no column 'scor'" ign.err || fail "ign: $(cat ign.err)"
# A failed run leaves no half-written result.
[ ! -e modelgate-results/gate.json ] || fail "badcol: gate.json written by a failed run"

# A marker ID is 1 to 64 of A-Z a-z 0-9 . _ - (as comment --marker takes), from
# the flag or from outputs.id; no result is written then.
run_gate marker-empty 2 --policy pass.yml --outputs out-marker --marker ''
grep -q "expected 1 to 64 characters" marker-empty.err || fail "marker-empty: $(cat marker-empty.err)"
run_gate marker-colon 2 --policy pass.yml --outputs out-marker --marker 'a:b'
policy badid.yml "gates:" "  accuracy: {min: 0.5}" "outputs:" "  id: 'x -->'"
run_gate badid 2 --policy badid.yml --outputs out-marker
grep -q "badid.yml:.*outputs.id 'x -->'" badid.err || fail "badid: $(cat badid.err)"
[ ! -e out-marker/gate.json ] || fail "a refused marker left results"

# ---- signatures: a signed run signs every file; an unsigned run in the same
# folder leaves no earlier signature beside its files
if command -v openssl >/dev/null; then
  openssl genpkey -algorithm ed25519 -out sign.pem 2>/dev/null
  run_gate signed 0 --policy pass.yml --outputs out-signed --sign-key sign.pem
  for f in metrics.json gate.json report.md report.html junit.xml; do
    [ -s "out-signed/$f.sig" ] || fail "signed: no $f.sig"
  done
  openssl pkey -in sign.pem -pubout -out sign.pub 2>/dev/null
  openssl pkeyutl -verify -pubin -inkey sign.pub -rawin -in out-signed/gate.json \
    -sigfile out-signed/gate.json.sig >/dev/null 2>&1 || fail "signed: gate.json.sig does not verify"
  run_gate unsigned 0 --policy pass.yml --outputs out-signed
  [ ! -e out-signed/gate.json.sig ] || fail "unsigned: an earlier run's gate.json.sig left"
fi

# ---- GitHub Actions outputs -------------------------------------------------
export GITHUB_ACTIONS=true GITHUB_OUTPUT=$work/gh-out GITHUB_STEP_SUMMARY=$work/gh-summary
: >"$GITHUB_OUTPUT"; : >"$GITHUB_STEP_SUMMARY"
run_gate gh 1 --policy failing.yml --outputs out-gh --marker credit
grep -q '^verdict=fail$' gh-out || fail "gh: GITHUB_OUTPUT verdict: $(cat gh-out)"
grep -q '^accuracy=0.8$' gh-out || fail "gh: GITHUB_OUTPUT accuracy"
grep -q '<!-- modelgate:credit -->' gh-summary || fail "gh: step summary without the marker"
grep -q '^::error' gh.out || fail "gh: no ::error annotation on stdout"
grep -q '^::error file=failing.yml,line=7,col=14' gh.out ||
  fail "gh: the failed gate's annotation does not point at the policy: $(grep '^::error' gh.out | head -1)"
grep -q '^accuracy_' gh-out && fail "gh: an output named after a gate on accuracy besides accuracy itself"
# The report made again from the files is the same, marker included.
"$MG" report --results out-gh --format markdown --output again.md 2>/dev/null
cmp -s again.md out-gh/report.md || fail "gh: report --results gives another report.md"
unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY

# ---- the bundled example, with a registry baseline --------------------------
ex=$SRC/examples
if [ -f "$ex/modelgate.yml" ]; then
  # Latency is not what this test checks: a generous bound keeps a busy
  # machine from deciding the verdict.
  lat=(--set gates.latency.p99_ms.max=60000 --set gates.latency.p50_ms.max=60000 --set gates.latency.samples=50)
  run_gate ex1 0 --policy "$ex/modelgate.yml" --outputs ex1 "${lat[@]}"
  [ "$(jq -r '.gates[] | select(.kind == "regression") | .verdict' ex1/gate.json | sort -u)" = skipped ] ||
    fail "example: regression gates not skipped without a baseline"
  [ "$(jq -r .provenance.policy_sha256 ex1/gate.json)" = "$(sha256sum "$ex/modelgate.yml" | cut -c1-64)" ] ||
    fail "example: policy_sha256"
  [ "$(jq -r .provenance.model_sha256 ex1/gate.json)" = "$(sha256sum "$ex/models/model.json" | cut -c1-64)" ] ||
    fail "example: model_sha256"
  [ -s ex1/latency.json ] && [ -s ex1/fairness.json ] || fail "example: latency or fairness missing"
  "$MG" registry push credit "$ex/models/model.json" >/dev/null 2>&1 || fail "example: push"
  # Pushed but not promoted: "no baseline" when allowed (the example allows
  # it), exit 2 when not, and a stage no model uses is a typo either way.
  run_gate ex-unpromoted 0 --policy "$ex/modelgate.yml" --outputs ex-unp "${lat[@]}"
  grep -q "registry:credit@production holds no version yet (pushed, never promoted)" ex-unp/gate.json ||
    fail "unpromoted: no note saying the stage holds no version"
  [ "$(jq -r '.gates[] | select(.kind == "regression") | .verdict' ex-unp/gate.json | sort -u)" = skipped ] ||
    fail "unpromoted: regression gates not skipped"
  run_gate ex-unpromoted-strict 2 --policy "$ex/modelgate.yml" --outputs ex-unp2 "${lat[@]}" \
    --set allow_missing_baseline=false
  grep -q "the stage holds no version (none promoted)" ex-unpromoted-strict.err ||
    fail "unpromoted-strict: $(tail -1 ex-unpromoted-strict.err)"
  run_gate ex-typo 2 --policy "$ex/modelgate.yml" --outputs ex-typo "${lat[@]}" \
    --set baseline=registry:credit@prodution
  grep -q "stage 'prodution' of model 'credit' holds no version, and no model has that stage (a misspelt stage?" ex-typo.err ||
    fail "typo stage: $(tail -1 ex-typo.err)"
  # A model name close to one the registry holds is a misspelling (exit 2
  # even when a missing baseline is allowed); a name like none is a first
  # model, and the note names what the registry holds.
  run_gate ex-typo-name 2 --policy "$ex/modelgate.yml" --outputs ex-typo2 "${lat[@]}" \
    --set baseline=registry:Credit@production
  grep -q "the registry holds no model 'Credit'; did you mean 'credit'?" ex-typo-name.err ||
    fail "typo model name: $(tail -1 ex-typo-name.err)"
  run_gate ex-new-name 0 --policy "$ex/modelgate.yml" --outputs ex-new "${lat[@]}" \
    --set baseline=registry:fraud@production
  grep -q "the registry holds no model registry:fraud@production names (a first model? it holds credit)" ex-new/gate.json ||
    fail "new model name: $(jq -c .notes ex-new/gate.json)"
  "$MG" registry promote credit v1 --stage production --evidence ex1/gate.json >/dev/null 2>ex-promote.err ||
    fail "example: promote on gate.json: $(cat ex-promote.err)"
  run_gate ex2 0 --policy "$ex/modelgate.yml" --outputs ex2 "${lat[@]}"
  [ "$(jq -r .provenance.baseline_version ex2/gate.json)" = v1 ] || fail "example: baseline_version"
  [ "$(jq -r '.gates[] | select(.kind == "regression") | .verdict' ex2/gate.json | sort -u)" = pass ] ||
    fail "example: the same model against itself does not pass the regression gates"
  [ "$(jq .accuracy_improvement ex2/comparison.json)" = 0 ] || fail "example: improvement over itself"
else
  fail "examples/modelgate.yml is missing"
fi

[ $failures = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
