#!/usr/bin/env bash
# `make demo`: the main job on the bundled credit-scoring example. One
# `modelgate gate` run of examples/modelgate.yml (accuracy, ROC AUC on its
# interval, latency, fairness by gender and age group, regression against the
# production model of a registry) for a first model, which has no baseline
# yet; its gate.json promotes it to production in the registry; a second run
# then gates the same model against that baseline. The tutorial's own
# `jq | bc` check still reads the metrics.json the gate wrote.
# Usage: examples/demo.sh path/to/modelgate
set -euo pipefail
mg=$(cd "$(dirname "${1:-build/modelgate}")" && pwd)/$(basename "${1:-build/modelgate}")
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export MODELGATE_REGISTRY=$out/registry
cd "$here/.."   # paths in the results read as from the repository's root

verdict() { case $1 in 0) echo pass ;; 1) echo FAIL ;; 3) echo inconclusive ;; *) echo "error (exit $1)" ;; esac; }

echo "== modelgate gate --policy examples/modelgate.yml (a first model: the registry has no production model yet)"
set +e
"$mg" gate --policy examples/modelgate.yml --outputs "$out/first"
code=$?
set -e
echo "== verdict: $(verdict $code) (exit $code)"
if [ ! -f "$out/first/gate.json" ]; then
  echo "demo: gate wrote no gate.json (exit $code)" >&2
  exit 1
fi

echo
echo "== modelgate registry: push the model, promote it to production on the gate's evidence"
"$mg" registry push credit examples/models/model.json --meta trained-by=examples/train_model.py
"$mg" registry promote credit v1 --stage production --evidence "$out/first/gate.json" ||
  echo "   (not promoted: the gate did not pass)"

echo
echo "== modelgate gate again: the same model against registry:credit@production"
set +e
"$mg" gate --policy examples/modelgate.yml --outputs "$out/second"
code=$?
set -e
echo "== verdict: $(verdict $code) (exit $code)"

echo
echo "== the tutorial's check, unchanged, on the metrics.json the gate wrote:"
ACCURACY=$(jq .accuracy "$out/second/metrics.json")
THRESHOLD=0.85
if (( $(echo "$ACCURACY < $THRESHOLD" | bc -l) )); then
  echo "::error::Accuracy $ACCURACY below threshold $THRESHOLD"
  exit 1
fi
echo "::notice::Accuracy $ACCURACY meets threshold $THRESHOLD"

keep=${MODELGATE_DEMO_KEEP:-$(cd "$here/.." && pwd)/build/demo}
rm -rf "$keep"
mkdir -p "$keep"
cp "$out/second/"* "$keep/"
echo
echo "== the results and reports are in $keep: gate.json, report.md (the pull-request comment),"
echo "   report.html (open it in a browser), junit.xml, metrics.json, fairness.json, latency.json,"
echo "   comparison.json"
