#!/usr/bin/env bash
# test_calibration_fit_threads.sh - the calibration slope and intercept of a
# large test set (more than 2^20 rows: the fit starts from a sample's fit and
# takes its sums over fixed blocks on --threads threads; over the distinct
# scores for `score`, rounded to 4 digits, and over the rows for `fine`,
# whose scores nearly all differ) equal
# scikit-learn's LogisticRegression(penalty=None) of the label on
# logit(score) (its newton-cholesky solver) within 1e-9, without and with
# sample weights, and the whole metrics.json is the same on 1, 2 and 3
# threads and from run to run.
# Usage: test_calibration_fit_threads.sh <modelgate-binary>   (env: MG_PYTHON)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1,100,000 rows; the scores are over-confident (slope about 0.6) and
# shifted (intercept about 0.3), rounded to 4 digits so that many repeat
"$PY" - "$work" <<'PYEOF' || fail "generating the data"
import sys
import numpy as np
rng = np.random.default_rng(11)
n = 1100000
z = rng.normal(size=n)
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.3 + z)))).astype(int)
fine = 1 / (1 + np.exp(-1.6 * z))
s = np.round(fine, 4)
w = np.round(rng.uniform(0.5, 2, size=n), 2)
with open(sys.argv[1] + "/big.csv", "w") as f:
    f.write("label,score,w,fine\n")
    f.writelines("%d,%r,%r,%r\n" % r for r in zip(y, s, w, fine))
PYEOF

stats_of() { jq -S 'del(.provenance, .timing, .created_at, .generated_at, .duration_ms)' "$1"; }

run() { # output name, extra arguments...
  local out=$1
  shift
  (cd "$work" && "$MG" evaluate --model column:score --label label --test-data big.csv --quiet \
    --output "$out" "$@" 2>>"$work/stderr") || fail "exit $?: evaluate $*"
}

for t in 1 2 3; do
  run "u.$t.json" --ignore w,fine --threads "$t"
  run "w.$t.json" --weight w --ignore fine --threads "$t"
  (cd "$work" && "$MG" evaluate --model column:fine --label label --test-data big.csv --quiet \
    --ignore score,w --threads "$t" --output "f.$t.json" 2>>"$work/stderr") || fail "exit $?: fine"
done
run u.again.json --ignore w,fine --threads 2
for v in u w f; do
  for t in 2 3; do
    [ "$(stats_of "$work/$v.1.json")" = "$(stats_of "$work/$v.$t.json")" ] ||
      fail "$v: --threads 1 and --threads $t give different metrics.json"
  done
done
[ "$(stats_of "$work/u.1.json")" = "$(stats_of "$work/u.again.json")" ] ||
  fail "two runs with --threads 2 differ"

"$PY" - "$work" <<'PYEOF' || fail "the slope and intercept differ from scikit-learn's"
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
d = np.loadtxt(sys.argv[1] + "/big.csv", delimiter=",", skiprows=1)
y, w = d[:, 0], d[:, 2]
bad = 0
for name, col, sw in (("u", 1, None), ("w", 1, w), ("f", 3, None)):
    p = np.clip(d[:, col], 1e-15, 1 - 1e-15)
    x = (np.log(p) - np.log1p(-p)).reshape(-1, 1)
    lr = LogisticRegression(penalty=None, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(x, y, sample_weight=sw)
    cal = json.load(open(sys.argv[1] + "/%s.1.json" % name))["calibration"]
    slope, intercept = lr.coef_[0][0], lr.intercept_[0]
    print(name, cal["slope"], cal["intercept"], slope, intercept)
    if abs(cal["slope"] - slope) > 1e-9 or abs(cal["intercept"] - intercept) > 1e-9:
        print("FAIL: %s: slope/intercept %r %r, LogisticRegression %r %r"
              % (name, cal["slope"], cal["intercept"], slope, intercept))
        bad += 1
    if not (0.5 < cal["slope"] < 0.7 and 0.2 < cal["intercept"] < 0.4):
        print("FAIL: %s: slope %r intercept %r are not near 0.6 and 0.3" % (name, cal["slope"], cal["intercept"]))
        bad += 1
sys.exit(1 if bad else 0)
PYEOF

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "test_calibration_fit_threads: all passed"
