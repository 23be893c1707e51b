#!/usr/bin/env bash
# The tutorial's own gate steps (tests/data/tutorial/: its `jq .accuracy` +
# `bc` accuracy check, its `jq .p99_ms` + `bc` latency check, its
# `results['demographic_parity'][attr]['ratio']` Python check and its
# `jq .accuracy_improvement` + `bc` regression check, kept as the tutorial
# writes them) run unchanged on the files ONE `modelgate gate` run writes
# (metrics.json, latency.json, fairness.json, comparison.json), with a policy
# whose bounds are the tutorial's (accuracy >= 0.85, p99 <= 100 ms,
# demographic parity ratio in [0.8, 1.25], accuracy change >= -0.01).
# For every configuration, each step must exit 0 where gate.json says its
# gates passed and 1 (with the tutorial's ::error:: line) where they failed;
# and the configurations must make every step both pass and fail somewhere,
# so that agreement is not agreement on one answer.
# Usage: test_gate_tutorial_steps.sh <modelgate-binary>   (env: MG_SOURCE_DIR)
set -u
mg=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=${MG_SOURCE_DIR:?}
steps=$src/tests/data/tutorial
for tool in jq bc; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

# The workspace: the bundled example's test data and model.
mkdir -p "$tmp/ws/data" "$tmp/ws/models"
cp "$src/examples/data/test.csv" "$tmp/ws/data/"
cp "$src/examples/models/model.json" "$tmp/ws/models/"
# The tutorial's four bounds as one policy; the baseline is the model itself.
cat >"$tmp/ws/modelgate.yml" <<'EOF'
version: 1
task: binary
data:
  test: data/test.csv
  label: label
  ignore: [score]
model: models/model.json
baseline: models/model.json
decision_threshold: 0.5
seed: 42
gates:
  accuracy: {min: 0.85}
  latency:
    samples: 200
    p99_ms: {max: 100}
  fairness:
    protected_attributes: [gender]
    demographic_parity_ratio: {min: 0.8, max: 1.25}
  regression:
    accuracy: {min_change: -0.01}
on_inconclusive: fail
EOF

# verdict_of DIR KIND: pass when every gate of KIND in DIR/gate.json passed,
# fail when one failed, inconclusive when one was and none failed.
verdict_of() {
  jq -r --arg k "$2" '[.gates[] | select(.kind == $k) | .verdict] |
    if length == 0 then "none" elif all(. == "pass") then "pass"
    elif any(. == "fail") then "fail" elif any(. == "inconclusive") then "inconclusive"
    else "other" end' "$1/gate.json"
}

declare -A seen
# run NAME EXPECTED-EXIT EXPECTED(accuracy latency fairness regression) GATE-ARGS...
run() {
  local name=$1 want_exit=$2 want=$3; shift 3
  local dir=$tmp/ws/$name
  (cd "$tmp/ws" && "$mg" gate --policy modelgate.yml --outputs "$name" --quiet "$@" 2>"$tmp/$name.stderr")
  local code=$?
  [ "$code" = "$want_exit" ] || { bad "$name: gate exit $code, expected $want_exit"; cat "$tmp/$name.stderr"; return; }
  local got="" kind script file line
  for kind in metric latency fairness regression; do
    case $kind in
      metric) script=check_accuracy.sh file=metrics.json line='^::(error|notice)::Accuracy ' ;;
      latency) script=check_latency.sh file=latency.json line='^::(error|notice)::P99 latency ' ;;
      fairness) script=check_fairness.py file=fairness.json line='^::(error|notice)::(Demographic parity violation|All fairness checks passed)' ;;
      regression) script=check_regression.sh file=comparison.json line='^(::error::Model regression detected: |$)' ;;
    esac
    [ -f "$dir/$file" ] || { bad "$name: gate wrote no $file"; continue; }
    local v
    v=$(verdict_of "$dir" "$kind")
    got="$got $v"
    local out=$tmp/$name.$kind.out code2
    if [ "$kind" = fairness ]; then
      (cd "$dir" && /usr/bin/python3 "$steps/$script" >"$out" 2>&1)
    else
      (cd "$dir" && GITHUB_OUTPUT=$tmp/$name.$kind.github_output bash "$steps/$script" >"$out" 2>&1)
    fi
    code2=$?
    case $v in pass) want2=0 ;; fail) want2=1 ;; *) want2="?" ;; esac
    # An undefined value (a 0/0 ratio) is null in the files and inconclusive
    # in gate.json; the tutorial's step has no such verdict: it must not pass.
    if [ "$v" = inconclusive ]; then
      if [ "$code2" = 0 ] || grep -q '^::notice::' "$out"; then
        bad "$name: the tutorial's $script passes on $file where gate.json's $kind verdict is inconclusive"
      fi
      echo "$name: $kind $v, $script exit $code2: $(tail -n 1 "$out")"
      got="$got"
      continue
    fi
    if [ "$code2" != "$want2" ]; then
      bad "$name: the tutorial's $script exits $code2 on $file, gate.json's $kind verdict is $v"
      cat "$out"
    fi
    if [ "$kind" = regression ] && [ "$v" = pass ]; then
      [ -s "$out" ] && bad "$name: $script printed $(cat "$out")"
    else
      grep -Eq "$line" "$out" || { bad "$name: $script printed no line matching '$line'"; cat "$out"; }
    fi
    [ "$v" = fail ] && ! grep -q '^::error::' "$out" && bad "$name: $script failed without its ::error:: line"
    seen[$kind.$code2]=1
    echo "$name: $kind $v, $script exit $code2: $(tail -n 1 "$out")"
  done
  [ "$got" = " $want" ] || bad "$name: verdicts$got, expected $want"
}

# 1. Everything passes: accuracy 0.8645 (xgboost's Booster.predict cut at 0.5
# and scikit-learn's accuracy_score give 0.8645 too), p99 of the in-process
# model far below 100 ms, demographic parity ratio by gender 0.9107, no
# change against itself.
run pass 0 "pass pass pass pass"
grep -qx 'accuracy=0.8645' "$tmp/pass.metric.github_output" ||
  bad "pass: the tutorial's step read accuracy $(cat "$tmp/pass.metric.github_output"), expected 0.8645"
grep -qx 'improvement=0' "$tmp/pass.regression.github_output" ||
  bad "pass: the tutorial's step read $(cat "$tmp/pass.regression.github_output"), expected improvement=0"
# 2. A cut-off of 0.95 approves few applicants: accuracy drops below 0.85
# (the baseline is cut at 0.95 as well, so no regression); age groups are
# compared too, and their demographic parity ratio is out of the band.
run acc-fair-fail 1 "fail pass fail pass" --set decision_threshold=0.95 \
  --set 'gates.fairness.protected_attributes=[gender, age_group]'
# 3. A model that sleeps 150 ms in every call and answers 0.5 for every row:
# every latency sample exceeds 100 ms whatever the machine does; giving
# everyone the same answer is far less accurate than the baseline, and its
# demographic parity ratio is 0/0 by gender: null in fairness.json and an
# inconclusive gate, on which the tutorial's Python step stops with a
# TypeError (comparing None): it does not pass, which is what matters.
# (The model takes every column but the label and gender, so age_group, a
# text column, is left out to let it be timed on rows of numbers.)
run slow-fail 1 "fail fail inconclusive fail" --set 'data.ignore=[score, age_group]' \
  --model "cmd:/usr/bin/python3 $src/tests/data/runners/fixed_delay.py 0.15" \
  --set gates.latency.samples=3 --set gates.latency.warmup=0

for kind in metric latency fairness regression; do
  [ -n "${seen[$kind.0]:-}" ] && [ -n "${seen[$kind.1]:-}" ] ||
    bad "the $kind step did not both pass and fail across the configurations"
done
[ "$fail" = 0 ] && echo "all tutorial steps agree with the gate's verdicts"
exit "$fail"
