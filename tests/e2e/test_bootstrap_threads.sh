#!/usr/bin/env bash
# test_bootstrap_threads.sh - every bootstrap path gives the same intervals
# and p-values on 1, 2 and 3 threads and from run to run with the same seed
# (each replicate draws from its own stream keyed by seed and replicate
# index), and a different seed moves them (so the comparison can fail):
# evaluate (the per-bucket walk, and the per-row path with sample weights),
# fairness (the per-cell draws), compare below 100,000 rows (per-row paired)
# and from 100,000 rows (joint cells; check_compare_large.py checks the values).
# Usage: test_bootstrap_threads.sh <modelgate-binary>   (env: MG_PYTHON)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$PY" - "$work" <<'PYEOF'
import sys
import numpy as np
rng = np.random.default_rng(8)
for name, n in (("small.csv", 3000), ("large.csv", 100000)):
    y = (rng.uniform(size=n) < 0.4).astype(int)
    z = rng.normal(size=n)
    new = np.round(1 / (1 + np.exp(-(z + 1.0 * (2 * y - 1)))), 3)
    base = np.round(1 / (1 + np.exp(-(0.8 * z + 0.6 * rng.normal(size=n) + 0.9 * (2 * y - 1)))), 3)
    group = rng.choice(["a", "b", "c"], size=n)
    w = np.round(rng.uniform(0.5, 2, size=n), 2)
    with open(sys.argv[1] + "/" + name, "w") as f:
        f.write("label,new,base,group,w\n")
        f.writelines("%d,%r,%r,%s,%r\n" % r for r in zip(y, new, base, group, w))
PYEOF

# the statistics of a result file, without its provenance (times, paths)
stats_of() { jq -S 'del(.provenance, .timing, .created_at, .generated_at, .duration_ms)' "$1"; }

# runs modelgate in $work; exit 0, or 3 for an inconclusive gate, is a run
mg() {
  (cd "$work" && "$MG" "$@" --quiet 2>>"$work/stderr")
  local rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "exit $rc: $*"
  echo "$rc" >>"$work/rc"
}

same_on_threads() { # name, output file, modelgate arguments...
  local name=$1 out=$2
  shift 2
  : >"$work/rc"
  for t in 1 2 3; do
    mg "$@" --seed 7 --threads "$t" --output "$out.$t.json"
  done
  cp "$work/$out.2.json" "$work/$out.first.json"
  mg "$@" --seed 7 --threads 2 --output "$out.2.json"
  [ "$(sort -u "$work/rc" | wc -l)" = 1 ] || fail "$name: the exit code depends on the threads"
  for t in first 2 3; do
    [ "$(stats_of "$work/$out.1.json")" = "$(stats_of "$work/$out.$t.json")" ] ||
      fail "$name: --threads 1 and run $t differ"
  done
  mg "$@" --seed 8 --threads 2 --output "$out.seed8.json"
  [ "$(stats_of "$work/$out.1.json")" != "$(stats_of "$work/$out.seed8.json")" ] ||
    fail "$name: another seed gives the same intervals"
}

same_on_threads "evaluate (buckets)" ev evaluate --model column:new --label label --test-data small.csv \
  --confidence 0.95 --bootstrap 200 --ignore base,group,w
same_on_threads "evaluate (weighted rows)" evw evaluate --model column:new --label label --test-data small.csv \
  --confidence 0.95 --bootstrap 200 --weight w --ignore base,group
same_on_threads "fairness" fa fairness --model column:new --label label --test-data small.csv \
  --protected-attributes group --confidence 0.95 --bootstrap 200 --ignore base,w
same_on_threads "compare (rows)" cs compare --new column:new --baseline column:base --label label \
  --test-data small.csv --confidence 0.95 --bootstrap 200 --ignore group,w
same_on_threads "compare (cells)" cl compare --new column:new --baseline column:base --label label \
  --test-data large.csv --confidence 0.95 --bootstrap 200 --ignore group,w
[ "$(jq -r '.deltas.f1.test' "$work/cl.1.json")" = paired_bootstrap ] || fail "large compare: f1 test"
[ "$(jq -r '.deltas.log_loss.test' "$work/cl.1.json")" = paired_z ] || fail "large compare: log_loss test"
[ "$(jq -r '.deltas.log_loss.test' "$work/cs.1.json")" = paired_bootstrap ] || fail "small compare: log_loss test"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "test_bootstrap_threads: all passed"
