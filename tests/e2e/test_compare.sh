#!/usr/bin/env bash
# test_compare.sh - `modelgate compare` end to end: the tutorial's regression
# step run unchanged against our comparison.json (once passing, once failing),
# every exit code reached by a real run, and the missing-baseline rules.
# Usage: test_compare.sh <modelgate-binary>   (env: MG_PYTHON)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Test data: label plus three score columns. "better" beats "base" by about
# three points of accuracy; "worse" loses about three; "close" has the same
# accuracy, differing from "base" on twelve rows only.
"$PY" - "$work" <<'PYEOF'
import sys
import numpy as np
rng = np.random.default_rng(5)
n = 3000
y = (rng.uniform(size=n) < 0.45).astype(int)
z = rng.normal(size=n)
sign = 2 * y - 1
sig = lambda x: 1 / (1 + np.exp(-x))
base = sig(z + 0.9 * sign)
better = sig(0.8 * z + 0.6 * rng.normal(size=n) + 1.25 * sign)
worse = sig(0.8 * z + 0.6 * rng.normal(size=n) + 0.7 * sign)
# flip 6 rows the baseline gets right and 6 it gets wrong: same accuracy
close = base.copy()
right = np.flatnonzero((base > 0.5) == y)
wrong = np.flatnonzero((base > 0.5) != y)
flip = np.concatenate([rng.choice(right, 6, replace=False), rng.choice(wrong, 6, replace=False)])
close[flip] = 1 - close[flip]
with open(sys.argv[1] + "/test.csv", "w") as f:
    f.write("label,base,better,worse,close\n")
    for row in zip(y, base, better, worse, close):
        f.write("%d,%r,%r,%r,%r\n" % row)
PYEOF

# The tutorial's two steps (compare, then check for regression), verbatim but
# for the command that writes comparison.json. GitHub's runner substitutes
# ${{ steps.compare.outputs.improvement }} from $GITHUB_OUTPUT; so does this.
tutorial_regression_step() { # $1 = new score column
  local dir=$work/tutorial-$1
  mkdir -p "$dir" && cd "$dir" || return 99
  export GITHUB_OUTPUT=$dir/github_output
  : >"$GITHUB_OUTPUT"
  "$MG" compare \
    --new column:$1 \
    --baseline column:base \
    --test-data ../test.csv \
    --output comparison.json 2>/dev/null || return 98

  IMPROVEMENT=$(jq .accuracy_improvement comparison.json)
  echo "improvement=$IMPROVEMENT" >> $GITHUB_OUTPUT

  local improvement
  improvement=$(sed -n 's/^improvement=//p' "$GITHUB_OUTPUT")
  local check='
        IMPROVEMENT=${{ steps.compare.outputs.improvement }}
        MIN_IMPROVEMENT=-0.01  # Allow 1% degradation max

        if (( $(echo "$IMPROVEMENT < $MIN_IMPROVEMENT" | bc -l) )); then
          echo "::error::Model regression detected: ${IMPROVEMENT}"
          exit 1
        fi
'
  bash -c "${check//'${{ steps.compare.outputs.improvement }}'/$improvement}"
}

out=$(tutorial_regression_step better)
code=$?
[ $code = 0 ] || fail "tutorial step with a better model: exit $code ($out)"
out=$(tutorial_regression_step worse)
code=$?
[ $code = 1 ] || fail "tutorial step with a worse model: exit $code, expected 1"
case $out in
  "::error::Model regression detected: -0."*) ;;
  *) fail "tutorial step with a worse model printed '$out'" ;;
esac

# Exit codes of real runs.
cd "$work" || exit 1
run() { # expected-exit args...
  local want=$1
  shift
  "$MG" compare --test-data test.csv "$@" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  if [ "$got" != "$want" ]; then
    fail "compare $*: exit $got, expected $want"
    tail -n 3 "$work/stderr"
  fi
}
run 0 --baseline column:base --new column:better --min-change accuracy=-0.01 --output pass.json
run 1 --baseline column:base --new column:worse --min-change accuracy=-0.01 --output fail.json
run 0 --baseline column:base --new column:better --min-change accuracy=0 --confidence 0.95 --output ni-pass.json
run 1 --baseline column:base --new column:worse --min-change accuracy=-0.005 --confidence 0.95 --output ni-fail.json
# a few flipped rows: the interval straddles a margin of 0 -> inconclusive
run 3 --baseline column:base --new column:close --min-change accuracy=0 --confidence 0.95 --output ni-close.json
case $(tail -n 1 "$work/stderr") in
  "modelgate compare: gate inconclusive: accuracy change 0: the 95% interval ["*"] straddles 0"*) ;;
  *)
    fail "inconclusive run's last stderr line: $(tail -n 1 "$work/stderr")" ;;
esac
# lower is better for log loss: the worse model's log loss rises
run 1 --baseline column:base --new column:worse --min-change log_loss=-0.001 --output ll.json
run 0 --baseline column:base --new column:better --min-relative-change roc_auc=-0.005 --min-change brier=0 --output rel.json
# verdicts and gates recorded in the file
[ "$(jq -r '.verdict' ni-close.json)" = inconclusive ] || fail "ni-close.json verdict"
[ "$(jq -r '.gates[0].verdict + " " + .gates[0].decided_on' ni-fail.json)" = "fail interval" ] ||
  fail "ni-fail.json gate: $(jq -c '.gates[0]' ni-fail.json)"
[ "$(jq -r '.deltas.log_loss.direction' ll.json)" = lower_is_better ] || fail "log_loss direction"
[ "$(jq -r '.deltas.accuracy.test' pass.json)" = mcnemar_chi2 ] || fail "accuracy test name"
[ "$(jq -r '.deltas.accuracy.test' ni-close.json)" = mcnemar_exact ] || fail "exact McNemar below 50"
[ "$(jq -r '.deltas.roc_auc.test' pass.json)" = delong ] || fail "roc_auc test name"
# Without --confidence (or --bootstrap) no bootstrap runs: f1 has no test, and says why.
[ "$(jq -r '.deltas.f1.test' pass.json)" = null ] || fail "f1 tested without a bootstrap"
[ "$(jq -r '.deltas.f1.null_reason' pass.json)" = "no paired bootstrap was run for this comparison" ] ||
  fail "f1 reason: $(jq -c '.deltas.f1' pass.json)"
run 0 --baseline column:base --new column:better --bootstrap 200 --output boot.json
[ "$(jq -r '.deltas.f1.test' boot.json)" = paired_bootstrap ] || fail "f1 test name with --bootstrap"
[ "$(jq -r '.deltas.accuracy.p_value' boot.json)" = "$(jq -r '.deltas.accuracy.p_value' pass.json)" ] ||
  fail "McNemar's p-value depends on whether a bootstrap ran"

# A real model (the bundled XGBoost example) against the scores in the data.
if [ -n "${MG_SOURCE_DIR:-}" ]; then
  ex=$MG_SOURCE_DIR/examples
  "$MG" compare --new "$ex/models/model.json" --baseline column:score --test-data "$ex/data/test.csv" \
    --min-change accuracy=-0.02 --output real.json 2>"$work/stderr"
  code=$?
  [ $code = 0 ] || fail "xgboost model vs column:score: exit $code ($(tail -n 1 "$work/stderr"))"
  [ "$(jq -r '.deltas.accuracy.test + " " + .new.task' real.json)" = "mcnemar_chi2 binary" ] ||
    fail "xgboost comparison: $(jq -c '.deltas.accuracy' real.json)"
fi

# Same seed, same file, on any number of threads; another seed changes it.
"$MG" compare --test-data test.csv --baseline column:base --new column:better --seed 7 --threads 1 --output s1.json 2>/dev/null
"$MG" compare --test-data test.csv --baseline column:base --new column:better --seed 7 --threads 2 --output s2.json 2>/dev/null
"$MG" compare --test-data test.csv --baseline column:base --new column:better --seed 8 --output s3.json 2>/dev/null
cmp -s s1.json s2.json || fail "the thread count changed comparison.json"
cmp -s s1.json s3.json && fail "the seed does not change the bootstrap"

# Missing baseline: exit 2 with one clear line, or skipped with --allow-no-baseline.
run 2 --new column:better --baseline models/baseline/model.pkl --output none.json
[ "$(tail -n 1 "$work/stderr")" = "modelgate compare: baseline model 'models/baseline/model.pkl' does not exist (a first model may pass with --allow-no-baseline)" ] ||
  fail "missing baseline message: $(tail -n 1 "$work/stderr")"
[ -e none.json ] && fail "a failed run left none.json"
run 0 --new column:better --baseline models/baseline/model.pkl --allow-no-baseline --output skip.json
[ "$(jq -c '[.accuracy_improvement, .skipped, .verdict]' skip.json)" = '[null,true,"pass"]' ] ||
  fail "skipped comparison: $(cat skip.json)"

# Bad rules are usage errors.
run 2 --baseline column:base --new column:better --min-change accuracy --output bad.json
run 2 --baseline column:base --new column:better --min-change rmse=0.1 --output bad.json
[ "$(tail -n 1 "$work/stderr")" = "modelgate compare: --min-change: 'rmse' is not a binary metric (one of: accuracy, balanced_accuracy, precision, recall, f1, specificity, mcc, roc_auc, pr_auc, log_loss, brier)" ] ||
  fail "unknown metric message: $(tail -n 1 "$work/stderr")"
run 2 --baseline column:base --new column:better --confidence 1.5 --output bad.json
run 2 --baseline column:base --new column:nosuch --output bad.json

if [ $failures -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "test_compare: all passed"
