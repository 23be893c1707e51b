#!/usr/bin/env bash
# The gating commands' own result files are promotion evidence: evaluate's
# metrics.json (its --min gates and verdict) and compare's comparison.json
# (which names the candidate as new_model_sha256); a failing one is refused.
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export MODELGATE_REGISTRY=$tmp/registry
fail=0
model=$src/examples/models/model.json
data=$src/examples/data/test.csv
"$mg" registry push credit "$model" >/dev/null 2>&1 || { echo "FAIL: push"; exit 1; }

"$mg" evaluate --model "$model" --test-data "$data" --ignore score --min accuracy=0.8 --quiet \
  --output pass.json 2>/dev/null || { echo "FAIL: evaluate should pass"; fail=1; }
"$mg" registry promote credit v1 --stage production --evidence pass.json 2>err ||
  { echo "FAIL: metrics.json with a passing gate refused: $(tail -n 1 err)"; fail=1; }

"$mg" evaluate --model "$model" --test-data "$data" --ignore score --min accuracy=0.99 --quiet \
  --output failed.json 2>/dev/null
"$mg" registry promote credit v1 --stage staging --evidence failed.json 2>err
[ $? = 2 ] && grep -q 'verdict is "fail", not "pass"' err ||
  { echo "FAIL: a failing metrics.json: $(tail -n 1 err)"; fail=1; }

"$mg" compare --new "$model" --baseline column:score --test-data "$data" --ignore score \
  --min-change accuracy=-0.05 --quiet --output comparison.json 2>/dev/null ||
  { echo "FAIL: compare should pass"; fail=1; }
"$mg" registry promote credit v1 --stage staging --evidence comparison.json 2>err ||
  { echo "FAIL: comparison.json refused: $(tail -n 1 err)"; fail=1; }
# latency.json names its model and data too (a bound no machine misses).
"$mg" benchmark --model "$model" --test-data "$data" --ignore score,gender,age_group --samples 20 \
  --max-p99 100000 --quiet --output latency.json 2>/dev/null || { echo "FAIL: benchmark"; fail=1; }
[ "$(jq -r .provenance.model_sha256 latency.json)" = "$(sha256sum "$model" | cut -c1-64)" ] &&
  [ "$(jq -r .provenance.data_sha256 latency.json)" = "$(sha256sum "$data" | cut -c1-64)" ] ||
  { echo "FAIL: latency.json provenance: $(jq -c .provenance latency.json)"; fail=1; }
"$mg" registry promote credit v1 --stage canary --evidence latency.json 2>err ||
  { echo "FAIL: latency.json refused: $(tail -n 1 err)"; fail=1; }
"$mg" registry history credit 2>/dev/null | grep -c promote | grep -qx 3 ||
  { echo "FAIL: three promote events expected"; fail=1; }
[ $fail = 0 ] && echo "6 passed, 0 failed"
exit $fail
