#!/usr/bin/env bash
# The tutorial's shell gate steps (jq + bc, kept verbatim in tests/data/tutorial/)
# run unchanged against modelgate's metrics.json, latency.json and
# comparison.json: each step must pass where modelgate's gate passes and fail
# (exit 1, with the tutorial's ::error:: line) where it fails.
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
steps=$src/tests/data/tutorial
data=$src/examples/data/test.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

step() { # name, step script, expected exit, expected line (regex)
  local name=$1 script=$2 want=$3 line=$4 dir=$tmp/$1
  (cd "$dir" && GITHUB_OUTPUT=$dir/github_output bash "$steps/$script" >stdout 2>&1)
  local code=$?
  if [ "$code" != "$want" ]; then
    echo "FAIL $name: $script exit $code, expected $want"; cat "$dir/stdout"; fail=1
  fi
  if [ -z "$line" ]; then
    [ -s "$dir/stdout" ] && { echo "FAIL $name: printed $(cat "$dir/stdout")"; fail=1; }
  else
    grep -Eq "$line" "$dir/stdout" || { echo "FAIL $name: no line matching '$line'"; cat "$dir/stdout"; fail=1; }
  fi
  echo "$name: $(tail -n 1 "$dir/stdout")"
}

run() { # name, then the modelgate command line (output into the case folder)
  local name=$1; shift
  mkdir -p "$tmp/$name"
  (cd "$tmp/$name" && "$mg" "$@" 2>stderr)
}

# Accuracy: the reference scores pass 0.85 at the default cut-off and fail it
# when almost nothing is predicted positive.
run acc-pass evaluate --model column:score --test-data "$data" --output metrics.json
step acc-pass check_accuracy.sh 0 '^::notice::Accuracy 0\.[0-9]+ meets threshold 0.85$'
grep -q '^accuracy=0\.' "$tmp/acc-pass/github_output" || { echo "FAIL acc-pass: GITHUB_OUTPUT"; fail=1; }
run acc-fail evaluate --model column:score --test-data "$data" --decision-threshold 0.999 --output metrics.json
step acc-fail check_accuracy.sh 1 '^::error::Accuracy 0\.[0-9]+ below threshold 0.85$'

# Latency: the bundled XGBoost model in process is far below 100 ms; a runner
# that sleeps 150 ms in every call cannot be below it, whatever the machine does.
run lat-pass benchmark --model "$src/examples/models/model.json" --test-data "$data" \
  --ignore score,gender,age_group --samples 200 --output latency.json
step lat-pass check_latency.sh 0 '^::notice::P99 latency [0-9.e-]+ms within threshold$'
run lat-fail benchmark --model "cmd:/usr/bin/python3 $src/tests/data/runners/fixed_delay.py 0.15" \
  --test-data "$data" --ignore score,gender,age_group --samples 12 --warmup 1 --output latency.json
step lat-fail check_latency.sh 1 '^::error::P99 latency [0-9.]+ms exceeds 100ms$'

# Regression: a model compared with itself does not regress; the reversed
# scores do.
run reg-pass compare --new column:score --baseline column:score --test-data "$data" --output comparison.json
step reg-pass check_regression.sh 0 ''
grep -qx 'improvement=0' "$tmp/reg-pass/github_output" || { echo "FAIL reg-pass: GITHUB_OUTPUT"; fail=1; }
awk -F, -v OFS=, 'NR == 1 { print $0, "reversed"; next } { print $0, 1 - $NF }' "$data" >"$tmp/reversed.csv"
run reg-fail compare --new column:reversed --baseline column:score --test-data "$tmp/reversed.csv" \
  --ignore score,reversed --output comparison.json
step reg-fail check_regression.sh 1 '^::error::Model regression detected: -0\.[0-9]+$'
exit $fail
