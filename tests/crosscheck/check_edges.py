"""check_edges.py - numbers at the edges of a double, against scikit-learn.

- A prediction of 1e200 (tests/data/edges/reg_1e200.csv): RMSE, MAE and
  max_error stay finite and equal the exact values (computed here with
  Python's fractions); MSE and R², which truly exceed a double, are null with
  a reason in null_reasons; a gate on them is inconclusive (exit 3), never a
  pass; a gate on the finite RMSE passes or fails on its value.
- Regression values of 1e150 and 1e160 (squares near or past 1e308): every
  metric equals scikit-learn's on the unscaled data times the scale.
- Weights all tiny (x 1e-200) or all huge (x 1e300): every binary,
  multiclass and regression metric equals scikit-learn's with the unscaled
  weights (scikit-learn's answer does not change when every weight is
  multiplied by a constant); the weighted totals are reported in the data's
  units; "all weights are zero" is said only when they are.
- compare: an undefined change is inconclusive (exit 3), never a failure.
Usage: check_edges.py <path-to-modelgate-binary>
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings
from fractions import Fraction

import numpy as np
from sklearn import metrics as skm

warnings.simplefilter("ignore")
MG = os.path.abspath(sys.argv[1])
SRC = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
work = tempfile.mkdtemp()
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def close(got, want, rel=1e-9):
    return got is not None and want is not None and abs(got - want) <= rel * abs(want) + 1e-300


def run(args, expect):
    p = subprocess.run([MG] + args, cwd=work, capture_output=True, text=True)
    check(expect is None or p.returncode == expect, "%s: exit %d, expected %s (%s)" % (
        " ".join(args), p.returncode, expect, p.stderr.strip()[-300:]))
    return p


def evaluate(path, *extra, expect=0):
    p = run(["evaluate", "--model", "column:score", "--test-data", path, "--output", "-"]
            + list(extra), expect)
    try:
        return json.loads(p.stdout), p.stderr
    except ValueError:
        check(False, "evaluate %s: stdout is not JSON" % path)
        return {}, p.stderr


def write_csv(name, header, rows):
    path = os.path.join(work, name)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])
    return path


# ---- one prediction of 1e200 ------------------------------------------------
reg = os.path.join(SRC, "tests", "data", "edges", "reg_1e200.csv")
ys = [Fraction("0.5"), Fraction("1.5"), Fraction("2.5")]
ps = [Fraction(10) ** 200, Fraction(2), Fraction(3)]
errs = [p - y for p, y in zip(ps, ys)]
mse_exact = sum(e * e for e in errs) / 3
want_rmse = math.sqrt(float(mse_exact / Fraction(10) ** 400)) * 1e200
want_mae = float(sum(abs(e) for e in errs) / 3)
m, _ = evaluate(reg, "--task", "regression")
check(close(m.get("rmse"), want_rmse, 1e-12), "1e200: rmse %r, expected %r" % (m.get("rmse"), want_rmse))
check(close(m.get("mae"), want_mae, 1e-12), "1e200: mae %r, expected %r" % (m.get("mae"), want_mae))
check(m.get("max_error") == 1e200, "1e200: max_error %r" % m.get("max_error"))
check(m.get("median_absolute_error") == 0.5, "1e200: median_absolute_error %r" % m.get("median_absolute_error"))
for k in ("mse", "r2"):
    check(m.get(k, 0) is None, "1e200: %s should be null (it exceeds a double), got %r" % (k, m.get(k)))
    check("largest double" in m.get("null_reasons", {}).get(k, ""),
          "1e200: %s has no overflow reason: %r" % (k, m.get("null_reasons")))
for gate, code in ((["--max", "mse=0.5"], 3), (["--min", "r2=0.9"], 3), (["--max", "mse=1e308"], 3),
                   (["--max", "rmse=0.5"], 1), (["--max", "rmse=1e300"], 0),
                   (["--max", "mse=0.5", "--max", "rmse=1e300"], 3),
                   (["--max", "mse=0.5", "--max", "rmse=0.5"], 1)):
    _, err = evaluate(reg, "--task", "regression", *gate, expect=code)
    if code == 3:
        check("inconclusive" in err, "1e200 %s: stderr does not say inconclusive: %r" % (gate, err))
run(["evaluate", "--model", "column:score", "--test-data", reg, "--task", "regression",
     "--max", "mse=nan", "--output", "-"], 2)

# The bootstrap intervals (evaluate --confidence) use the same scaled sums:
# with one prediction of 1e200 among 60 rows, every replicate's RMSE is finite
# (the interval is defined, holds the point estimate and cannot exceed the
# largest error), MSE's interval is null with the overflow reason.
rng0 = np.random.default_rng(3)
yb0 = rng0.uniform(0, 1, 60)
pb0 = yb0 + rng0.uniform(0, 0.1, 60)
pb0[5] = 1e200
path = write_csv("boot_1e200.csv", ["label", "score"], zip(yb0, pb0))
m, _ = evaluate(path, "--task", "regression", "--confidence", "0.9", "--bootstrap", "200")
ci = m.get("ci", {}).get("rmse", {})
check(ci.get("low") is not None and ci.get("high") is not None
      and ci["low"] <= m.get("rmse", -1) <= ci["high"] <= 1e200,
      "bootstrap 1e200: rmse %r with interval %r" % (m.get("rmse"), ci))
check(m.get("ci", {}).get("mse", {}).get("low", 0) is None
      and "largest double" in m.get("ci", {}).get("mse", {}).get("null_reason", ""),
      "bootstrap 1e200: mse interval %r" % m.get("ci", {}).get("mse"))

# ---- regression values near the top of the double range -------------------
rng = np.random.default_rng(7)
n = 400
y0 = rng.normal(0, 1, n)
p0 = y0 + rng.normal(0, 0.3, n)
w0 = rng.uniform(0.1, 2.0, n)
for scale in (1e150, 1e160, 1e-160):
    path = write_csv("reg_%g.csv" % scale, ["label", "score", "w"],
                     zip(y0 * scale, p0 * scale, w0))
    for weighted in (False, True):
        sw = w0 if weighted else None
        m, _ = evaluate(path, "--task", "regression", *(["--weight", "w"] if weighted else []))
        yy, pp = y0 * scale, p0 * scale
        mse0 = skm.mean_squared_error(yy / scale, pp / scale, sample_weight=sw)
        ref = {
            "mae": skm.mean_absolute_error(yy, pp, sample_weight=sw),
            "rmse": math.sqrt(mse0) * scale,
            "mse": mse0 * scale * scale,
            "r2": skm.r2_score(yy / scale, pp / scale, sample_weight=sw),
            "max_error": skm.max_error(yy, pp),
            "median_absolute_error": skm.median_absolute_error(yy, pp, sample_weight=sw),
            "mape": skm.mean_absolute_percentage_error(yy, pp, sample_weight=sw),
        }
        for k, want in ref.items():
            if math.isfinite(want) and want != 0 and abs(want) > 1e-300:
                check(close(m.get(k), want), "regression x%g weighted=%s: %s %r, scikit-learn %r"
                      % (scale, weighted, k, m.get(k), want))
            elif not math.isfinite(want):
                check(m.get(k, 0) is None and k in m.get("null_reasons", {}),
                      "regression x%g: %s overflows, expected null with a reason, got %r"
                      % (scale, k, m.get(k)))

# ---- weights all tiny or all huge --------------------------------------------
rows = list(csv.DictReader(open(os.path.join(SRC, "examples", "data", "test.csv"))))
yb = np.array([int(r["label"]) for r in rows])
sb = np.array([float(r["score"]) for r in rows])
wb = rng.uniform(0.05, 3.0, len(rows))
pred = (sb > 0.5).astype(int)
bref = {
    "accuracy": skm.accuracy_score(yb, pred, sample_weight=wb),
    "balanced_accuracy": skm.balanced_accuracy_score(yb, pred, sample_weight=wb),
    "precision": skm.precision_score(yb, pred, sample_weight=wb),
    "recall": skm.recall_score(yb, pred, sample_weight=wb),
    "f1": skm.f1_score(yb, pred, sample_weight=wb),
    "mcc": skm.matthews_corrcoef(yb, pred, sample_weight=wb),
    "roc_auc": skm.roc_auc_score(yb, sb, sample_weight=wb),
    "pr_auc": skm.average_precision_score(yb, sb, sample_weight=wb),
    "log_loss": skm.log_loss(yb, sb, sample_weight=wb),
    "brier": skm.brier_score_loss(yb, sb, sample_weight=wb),
}
cm = skm.confusion_matrix(yb, pred, sample_weight=wb)
for c in (1.0, 1e-200, 1e300, 1e-310):
    ws = wb * c
    path = write_csv("bin_w%g.csv" % c, ["label", "score", "w"], zip(yb, sb, ws))
    m, _ = evaluate(path, "--task", "binary", "--weight", "w")
    for k, want in bref.items():
        check(close(m.get(k), want), "binary weights x%g: %s %r, scikit-learn %r (weights x1)"
              % (c, k, m.get(k), want))
    check(not m.get("null_reasons"), "binary weights x%g: null values %r" % (c, m.get("null_reasons")))
    # Weighted totals stay in the data's units (subnormal weights lose digits).
    rel = 1e-9 if c >= 1e-300 else 1e-3
    check(close(m.get("weight_sum"), float(np.sum(ws)), rel),
          "binary weights x%g: weight_sum %r, expected %r" % (c, m.get("weight_sum"), np.sum(ws)))
    cmj = m.get("confusion_matrix", {})
    check(close(cmj.get("tp"), cm[1, 1] * c, rel) and close(cmj.get("tn"), cm[0, 0] * c, rel),
          "binary weights x%g: confusion %r, expected tp %r tn %r" % (c, cmj, cm[1, 1] * c, cm[0, 0] * c))
    # Intervals exist and agree with the unscaled run's.
    if c == 1.0:
        ci_one = m.get("ci", {})
    else:
        for k, v in ci_one.items():
            got = m.get("ci", {}).get(k, {})
            check(close(got.get("low"), v.get("low"), 1e-9) and close(got.get("high"), v.get("high"), 1e-9),
                  "binary weights x%g: ci %s %r, expected %r" % (c, k, got, v))

# Multiclass from three classes of the same rows (predicted class columns).
k3 = np.digitize(sb, [0.3, 0.7])
t3 = np.where(yb == 1, np.minimum(k3 + (sb > 0.9), 2), np.maximum(k3 - 1, 0))
mref = {
    "accuracy": skm.accuracy_score(t3, k3, sample_weight=wb),
    "balanced_accuracy": skm.balanced_accuracy_score(t3, k3, sample_weight=wb),
    "f1_macro": skm.f1_score(t3, k3, average="macro", sample_weight=wb),
    "f1_weighted": skm.f1_score(t3, k3, average="weighted", sample_weight=wb),
}
for c in (1e-200, 1e300):
    path = write_csv("mc_w%g.csv" % c, ["label", "score", "w"], zip(t3, k3, wb * c))
    m, _ = evaluate(path, "--task", "multiclass", "--weight", "w")
    for k, want in mref.items():
        check(close(m.get(k), want), "multiclass weights x%g: %s %r, scikit-learn %r"
              % (c, k, m.get(k), want))

# fairness with tiny and huge weights: the same rates as with the unscaled
# weights (the weighted selection rate of each group, computed here), and each
# group's weight in the data's units.
grp = np.array([r["gender"] for r in rows])
fair = {}
for c in (1.0, 1e-200, 1e300):
    path = write_csv("fair_w%g.csv" % c, ["label", "score", "gender", "w"], zip(yb, sb, grp, wb * c))
    p = run(["fairness", "--model", "column:score", "--test-data", path, "--protected-attributes",
             "gender", "--weight", "w", "--output", "-"], None)
    check(p.returncode in (0, 1), "fairness weights x%g: exit %d (%s)" % (c, p.returncode, p.stderr[-300:]))
    try:
        fair[c] = json.loads(p.stdout)
    except ValueError:
        check(False, "fairness weights x%g: no JSON" % c)
        continue
    groups = fair[c]["demographic_parity"]["gender"]["groups"]
    for v in groups:
        g = v["value"]
        sel = grp == g
        want = float(np.sum(wb[sel] * pred[sel]) / np.sum(wb[sel]))
        check(close(v.get("selection_rate"), want), "fairness weights x%g: %s selection_rate %r, expected %r"
              % (c, g, v.get("selection_rate"), want))
        check(close(v.get("weight"), float(np.sum(wb[sel] * c)), 1e-9),
              "fairness weights x%g: %s weight %r, expected %r" % (c, g, v.get("weight"), np.sum(wb[sel] * c)))
    if c != 1.0 and 1.0 in fair:
        for key in ("ratio", "difference"):
            a = fair[1.0]["demographic_parity"]["gender"][key]
            b = fair[c]["demographic_parity"]["gender"][key]
            check(close(b, a), "fairness weights x%g: %s %r, unscaled %r" % (c, key, b, a))
        check(fair[c].get("verdict") == fair[1.0].get("verdict"), "fairness weights x%g: verdict" % c)

# All weights zero is said only when they are.
path = write_csv("zero_w.csv", ["label", "score", "w"], [(1, 0.9, 0.0), (0, 0.1, 0.0)])
p = run(["evaluate", "--model", "column:score", "--test-data", path, "--weight", "w",
         "--task", "binary", "--output", "-"], 2)
check("zero" in p.stderr, "zero weights: %r" % p.stderr)

# ---- compare: an undefined change is inconclusive, not a failure ----------------
path = write_csv("cmp.csv", ["label", "a", "b"],
                 [(0.5, 1e200, 1e200), (1.5, 2, 1), (2.5, 3, 2), (3.5, 3, 3)])
for rule, code in (("mse=0", 3), ("r2=-1", 3), ("rmse=0", 0), ("mae=0", 0)):
    p = run(["compare", "--new", "column:a", "--baseline", "column:b", "--test-data", path,
             "--task", "regression", "--min-change", rule, "--output", "-"], code)
    if code == 3:
        check("inconclusive" in p.stderr and "fail" not in p.stderr,
              "compare %s: stderr %r" % (rule, p.stderr))
p = run(["compare", "--new", "column:a", "--baseline", "column:b", "--test-data", path,
         "--task", "regression", "--min-relative-change", "mse=0", "--output", "-"], 3)

if failures:
    print("%d checks failed" % len(failures))
    sys.exit(1)
print("edges: every check passed")
