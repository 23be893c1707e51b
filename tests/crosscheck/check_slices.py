"""evaluate --slice-by / --slice-cross / --operating-point and the slice gates
against pandas and scikit-learn:

- every scored slice's metrics equal scikit-learn's on the slice's rows
  (pandas groupby, nulls as a group) to 1e-9, unweighted and weighted;
- quantile buckets have pandas.qcut's edges (duplicates='drop') and its
  membership (right-closed, the first closed below), for float and integer
  columns, also with more slicings than one sort's packed codes hold;
- crossed slices equal groupby over both columns; slices below
  --min-slice-size are listed under too_small without metrics;
- Wilson intervals per slice from the formula, DeLong's per slice from a
  midrank implementation written here;
- operating points equal the best point of precision_recall_curve /
  roc_curve meeting the constraint, with its threshold;
- slice gates pass, fail and come out inconclusive (exit 0, 1, 3) on data
  built to do each; with --confidence the failures follow Holm's step-down
  correction computed by hand here.

Usage: check_slices.py path/to/modelgate   (run with Debian's /usr/bin/python3)
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score,
                             brier_score_loss, f1_score, log_loss, matthews_corrcoef,
                             precision_recall_curve, precision_score, recall_score, roc_auc_score,
                             roc_curve)

MG = sys.argv[1]
failures, cases = [], 0
TMP = tempfile.mkdtemp(prefix="check_slices.")


def check(ok, msg):
    global cases
    cases += 1
    if not ok:
        failures.append(msg)


def near(a, b, tol=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


def run(csv, *extra):
    p = subprocess.run([MG, "evaluate", "--model", "column:score", "--test-data", csv, "--quiet",
                        "--output", "-", *extra], capture_output=True, text=True)
    return p.returncode, p.stderr, (json.loads(p.stdout) if p.stdout.strip() else None)


# ---- data: ties in the scores, a string column with nulls, a numeric column,
# an integer column with few values, weights
rng = np.random.default_rng(7)
n = 3000
region = rng.choice(["north", "south", "east", "west", "tiny"], size=n, p=[0.3, 0.3, 0.2, 0.19, 0.01])
region = region.astype(object)
region[rng.random(n) < 0.03] = None
age = rng.normal(45, 12, size=n).round(3)
tier = rng.integers(1, 4, size=n)
y = rng.integers(0, 2, size=n)
score = np.clip(0.5 + (y - 0.5) * rng.uniform(0, 0.8, size=n) + rng.normal(0, 0.25, size=n), 0, 1)
score = np.round(score, 2)  # many ties
w = rng.uniform(0.2, 3.0, size=n).round(4)
df = pd.DataFrame({"label": y, "score": score, "region": region, "age": age, "tier": tier, "w": w})
CSV = os.path.join(TMP, "slices.csv")
df.to_csv(CSV, index=False)


def sk_metrics(d, weighted):
    yy, pp = d["label"].to_numpy(), d["score"].to_numpy()
    sw = d["w"].to_numpy() if weighted else None
    pred = (pp > 0.5).astype(int)
    out = {"accuracy": accuracy_score(yy, pred, sample_weight=sw),
           "log_loss": log_loss(yy, pp, sample_weight=sw, labels=[0, 1]),
           "brier": brier_score_loss(yy, pp, sample_weight=sw)}
    out["precision"] = precision_score(yy, pred, sample_weight=sw, zero_division=0) if pred.sum() else None
    out["recall"] = recall_score(yy, pred, sample_weight=sw) if yy.sum() else None
    if 0 < yy.sum() < len(yy):
        out["roc_auc"] = roc_auc_score(yy, pp, sample_weight=sw)
        out["balanced_accuracy"] = balanced_accuracy_score(yy, pred, sample_weight=sw)
        if 0 < pred.sum() < len(pred):
            out["mcc"] = matthews_corrcoef(yy, pred, sample_weight=sw)
    else:
        out["roc_auc"] = None
    out["pr_auc"] = average_precision_score(yy, pp, sample_weight=sw) if yy.sum() else None
    if yy.sum() or pred.sum():
        out["f1"] = f1_score(yy, pred, sample_weight=sw, zero_division=0)
    return out


def wilson(k, m, level=0.95):
    z = norm.ppf(1 - (1 - level) / 2)
    p = k / m
    c = (p + z * z / (2 * m)) / (1 + z * z / m)
    h = z / (1 + z * z / m) * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    return c - h, c + h


def delong(yy, pp, level=0.95):
    """DeLong's AUC variance from midranks (Sun & Xu 2014), written afresh."""
    pos, neg = pp[yy == 1], pp[yy == 0]
    m, k = len(pos), len(neg)
    v10 = np.array([((neg < s).sum() + 0.5 * (neg == s).sum()) / k for s in pos])
    v01 = np.array([((pos > s).sum() + 0.5 * (pos == s).sum()) / m for s in neg])
    auc = v10.mean()
    var = v10.var(ddof=1) / m + v01.var(ddof=1) / k
    z = norm.ppf(1 - (1 - level) / 2)
    return max(0.0, auc - z * math.sqrt(var)), min(1.0, auc + z * math.sqrt(var))


def value_key(v):
    return json.dumps(v, sort_keys=True)


def compare_slicing(name, got, groups, weighted, min_size=30):
    """groups: list of (json value, dataframe)."""
    scored = {value_key(s["value"]): s for s in got["slices"]}
    small = {value_key(s["value"]): s for s in got["too_small"]}
    check(len(scored) + len(small) == len(groups),
          "%s: %d scored + %d small slices, pandas has %d groups" % (name, len(scored), len(small), len(groups)))
    for value, d in groups:
        key = value_key(value)
        if len(d) < min_size:
            s = small.get(key)
            check(s is not None and s["n"] == len(d) and "metrics" not in s,
                  "%s=%s: expected under too_small with n=%d, got %r" % (name, key, len(d), s))
            continue
        s = scored.get(key)
        if s is None:
            check(False, "%s=%s: no scored slice (have %s)" % (name, key, list(scored)[:8]))
            continue
        check(s["n"] == len(d), "%s=%s: n %d, pandas %d" % (name, key, s["n"], len(d)))
        want = sk_metrics(d, weighted)
        for metric, ref in want.items():
            got_v = s["metrics"].get(metric)
            check(near(got_v, ref), "%s=%s%s: %s %r, scikit-learn %r" % (
                name, key, " weighted" if weighted else "", metric, got_v, ref))
        if not weighted:
            yy, pred = d["label"].to_numpy(), (d["score"].to_numpy() > 0.5)
            lo, hi = wilson((yy == pred).sum(), len(yy))
            ci = s["ci"]["accuracy"]
            check(near(ci["low"], lo) and near(ci["high"], hi) and ci["method"] == "wilson",
                  "%s=%s: accuracy ci %r, Wilson [%r, %r]" % (name, key, ci, lo, hi))
            if 2 <= yy.sum() <= len(yy) - 2:
                lo, hi = delong(yy, d["score"].to_numpy())
                ci = s["ci"]["roc_auc"]
                check(near(ci["low"], lo) and near(ci["high"], hi) and ci["method"] == "delong",
                      "%s=%s: roc_auc ci %r, DeLong [%r, %r]" % (name, key, ci, lo, hi))
        else:
            check(s["ci"]["roc_auc"]["low"] is None and "weights" in s["ci"]["roc_auc"]["null_reason"],
                  "%s=%s weighted: roc_auc ci should be null (DeLong has no weights)" % (name, key))


def region_groups(frame):
    out = []
    for v, d in frame.groupby("region", dropna=False, sort=False):
        out.append((None if (isinstance(v, float) and math.isnan(v)) else v, d))
    return out


edges_q = None
for weighted in (False, True):
    extra = ["--weight", "w"] if weighted else []
    code, err, m = run(CSV, "--slice-by", "region,age,tier", "--slice-cross", "region,tier", *extra)
    check(code == 0 and m is not None, "slice run%s: exit %d %s" % (" weighted" if weighted else "", code, err[-300:]))
    if m is None:
        continue
    sl = m["slices"]
    check(list(sl) == ["region", "age", "tier", "region\u00d7tier"], "slicing keys %r" % list(sl))
    check(sl["region"]["method"] == "values" and sl["age"]["method"] == "quantile"
          and sl["tier"]["method"] == "values" and sl["region\u00d7tier"]["method"] == "crossed",
          "methods %r" % [v["method"] for v in sl.values()])
    compare_slicing("region", sl["region"], region_groups(df), weighted)
    compare_slicing("tier", sl["tier"], [(int(v), d) for v, d in df.groupby("tier")], weighted)
    # quantile buckets: pandas.qcut's edges and membership
    cats, edges_q = pd.qcut(df["age"], 10, retbins=True, duplicates="drop")
    got_edges = [s["value"]["low"] for s in sl["age"]["slices"]] + [sl["age"]["slices"][-1]["value"]["high"]]
    check(len(got_edges) == len(edges_q) and all(near(a, b, 1e-12) for a, b in zip(got_edges, edges_q)),
          "age edges %r, qcut %r" % (got_edges, list(edges_q)))
    groups = []
    codes = cats.cat.codes.to_numpy()
    for k in range(len(edges_q) - 1):
        groups.append(({"low": edges_q[k], "high": edges_q[k + 1]}, df[codes == k]))
    # compare by position (edges are floats)
    got_sl = sl["age"]
    for k, (value, d) in enumerate(groups):
        s = got_sl["slices"][k]
        check(s["n"] == len(d), "age bucket %d: n %d, qcut %d" % (k, s["n"], len(d)))
        want = sk_metrics(d, weighted)
        for metric, ref in want.items():
            check(near(s["metrics"].get(metric), ref), "age bucket %d: %s %r, scikit-learn %r" % (
                k, metric, s["metrics"].get(metric), ref))
    # crossed
    cross = []
    for (r, t), d in df.groupby(["region", "tier"], dropna=False, sort=False):
        r = None if (isinstance(r, float) and math.isnan(r)) else r
        cross.append(([r, int(t)], d))
    compare_slicing("region\u00d7tier", sl["region\u00d7tier"], cross, weighted)
    # differences from overall
    s0 = sl["region"]["slices"][0]
    check(near(s0["difference_from_overall"]["accuracy"], s0["metrics"]["accuracy"] - m["accuracy"]),
          "difference_from_overall %r" % s0["difference_from_overall"])

# ---- min slice size and given edges
code, err, m = run(CSV, "--slice-by", "region,age", "--min-slice-size", "400",
                   "--slice-edges", "age=30,45,60")
if m is not None:
    compare_slicing("region (min 400)", m["slices"]["region"], region_groups(df), False, min_size=400)
    got = [s["value"] for s in m["slices"]["age"]["slices"] + m["slices"]["age"]["too_small"]]
    ref = pd.cut(df["age"], [-np.inf, 30, 45, 60, np.inf], right=True).value_counts(sort=False)
    got_n = {(v["low"], v["high"]): s["n"] for v, s in zip(got, m["slices"]["age"]["slices"] + m["slices"]["age"]["too_small"])}
    want_n = {(None if k.left == -np.inf else k.left, None if k.right == np.inf else k.right): int(c)
              for k, c in ref.items() if c > 0}
    check(m["slices"]["age"]["method"] == "edges" and got_n == want_n,
          "edges: %r, pd.cut %r" % (got_n, want_n))
else:
    check(False, "min-slice-size run: exit %d %s" % (code, err[-300:]))

# ---- integer columns (their codes come from a lookup table of the values),
# a float column's buckets found without branches, and more slicings than the
# packed codes of the one sort hold (53 bits): the rows' codes are then
# gathered by row, and the same slices must come out of either way.
years = rng.integers(1990, 2050, size=n)  # 60 values
extra_cols = {"f%d" % i: rng.uniform(-1, 1, size=n).round(6) for i in range(6)}
df2 = df.assign(years=years, **extra_cols)
CSV2 = os.path.join(TMP, "slices2.csv")
df2.to_csv(CSV2, index=False)
code, err, m = run(CSV2, "--slice-by", "years,f0", "--slice-bins", "8")
check(code == 0 and m is not None, "integer slicing: exit %d %s" % (code, err[-300:]))
if m is not None:
    for col in ("years", "f0"):
        got_sl = m["slices"][col]
        cats, edges = pd.qcut(df2[col], 8, retbins=True, duplicates="drop")
        codes = cats.cat.codes.to_numpy()
        check(got_sl["method"] == "quantile" and len(got_sl["slices"]) == len(edges) - 1,
              "%s: %s, %d buckets, qcut %d" % (col, got_sl["method"], len(got_sl["slices"]),
                                                len(edges) - 1))
        for k in range(min(len(edges) - 1, len(got_sl["slices"]))):
            s, d = got_sl["slices"][k], df2[codes == k]
            check(near(s["value"]["low"], edges[k], 1e-12) and near(s["value"]["high"], edges[k + 1], 1e-12)
                  and s["n"] == len(d), "%s bucket %d: %r n %d, qcut (%r, %r] n %d" % (
                      col, k, s["value"], s["n"], edges[k], edges[k + 1], len(d)))
            for metric, ref in sk_metrics(d, False).items():
                check(near(s["metrics"].get(metric), ref), "%s bucket %d: %s %r, scikit-learn %r" % (
                    col, k, metric, s["metrics"].get(metric), ref))
# six slicings of 300 buckets (9 bits each) and one of 60 values: 60 bits
code, err, m = run(CSV2, "--slice-by", "years,f0,f1,f2,f3,f4,f5", "--slice-bins", "300",
                   "--min-slice-size", "5")
check(code == 0 and m is not None, "many slicings: exit %d %s" % (code, err[-300:]))
if m is not None:
    check(m["slices"]["years"]["method"] == "values", "years: %s" % m["slices"]["years"]["method"])
    compare_slicing("years (7 slicings)", m["slices"]["years"],
                    [(int(v), d) for v, d in df2.groupby("years")], False, min_size=5)
    cats, edges = pd.qcut(df2["f5"], 300, retbins=True, duplicates="drop")
    codes = cats.cat.codes.to_numpy()
    got_sl = m["slices"]["f5"]
    check(len(got_sl["slices"]) + len(got_sl["too_small"]) == len(edges) - 1,
          "f5: %d buckets, qcut %d" % (len(got_sl["slices"]) + len(got_sl["too_small"]), len(edges) - 1))
    for k, s in enumerate(got_sl["slices"][:40]):
        d = df2[codes == k]
        check(s["n"] == len(d), "f5 bucket %d: n %d, qcut %d" % (k, s["n"], len(d)))
        for metric, ref in sk_metrics(d, False).items():
            check(near(s["metrics"].get(metric), ref), "f5 bucket %d: %s %r, scikit-learn %r" % (
                k, metric, s["metrics"].get(metric), ref))

# ---- operating points against precision_recall_curve / roc_curve
def best_op(kind, target, weighted):
    sw = df["w"].to_numpy() if weighted else None
    yy, pp = df["label"].to_numpy(), df["score"].to_numpy()
    if kind == "fpr":
        fpr, tpr, thr = roc_curve(yy, pp, sample_weight=sw, drop_intermediate=False)
        ok = [(tpr[i], -thr[i], thr[i]) for i in range(1, len(thr)) if fpr[i] <= target]
        return (None, None) if not ok else (max(ok)[0], max(ok)[2])
    prec, rec, thr = precision_recall_curve(yy, pp, sample_weight=sw)
    pts = list(zip(prec[:-1], rec[:-1], thr))
    if kind == "precision":
        ok = [(r, t) for p, r, t in pts if p >= target]
    else:
        ok = [(p, t) for p, r, t in pts if r >= target]
    if not ok:
        return None, None
    best = max(v for v, t in ok)
    return best, max(t for v, t in ok if v == best)


for weighted in (False, True):
    extra = ["--weight", "w"] if weighted else []
    specs = ["precision=0.8", "precision=0.95", "recall=0.9", "recall=0.5", "fpr=0.05", "fpr=0.2",
             "recall=1", "precision=0", "fpr=1"]
    args = []
    for sp in specs:
        args += ["--operating-point", sp]
    code, err, m = run(CSV, *args, *extra)
    if m is None:
        check(False, "operating points: exit %d %s" % (code, err[-300:]))
        continue
    ops = m["operating_points"]
    for sp in specs:
        kind, target = sp.split("=")
        name = {"precision": "recall_at_precision_", "recall": "precision_at_recall_", "fpr": "tpr_at_fpr_"}[kind] + target
        v, t = best_op(kind, float(target), weighted)
        o = ops.get(name, {})
        check(near(o.get("value"), v) and near(o.get("threshold"), t),
              "%s%s: value %r threshold %r, scikit-learn %r at %r" % (
                  name, " weighted" if weighted else "", o.get("value"), o.get("threshold"), v, t))
        # rates are proportions: never above 1, inside their own interval
        for rate in ("precision", "recall", "fpr"):
            check(o.get(rate) is None or 0 <= o[rate] <= 1,
                  "%s%s: %s %r outside [0, 1]" % (name, " weighted" if weighted else "", rate, o.get(rate)))
        if o.get("value") is not None and o.get("ci"):
            check(o["ci"]["low"] <= o["value"] <= o["ci"]["high"],
                  "%s%s: value %r outside its interval %r" % (name, " weighted" if weighted else "", o["value"], o["ci"]))
        if not weighted and v is not None:
            yy, pp = df["label"].to_numpy(), df["score"].to_numpy()
            tp = ((pp >= t) & (yy == 1)).sum()
            den = ((pp >= t).sum() if kind == "recall" else (yy == 1).sum())
            lo, hi = wilson(tp, den)
            check(near(o["ci"]["low"], lo) and near(o["ci"]["high"], hi),
                  "%s: ci %r, Wilson [%r, %r]" % (name, o.get("ci"), lo, hi))

# gate on an operating point by name
v, _ = best_op("precision", 0.8, False)
code, err, m = run(CSV, "--min", "recall_at_precision_0.8=%r" % (v - 0.01))
check(code == 0, "--min recall_at_precision_0.8 below the value: exit %d %s" % (code, err[-200:]))
code, err, m = run(CSV, "--min", "recall_at_precision_0.8=%r" % (v + 0.01))
check(code == 1 and m["gates"][0]["metric"] == "recall_at_precision_0.8",
      "--min recall_at_precision_0.8 above the value: exit %d %s" % (code, err[-200:]))

# ---- slice gates on data built for each verdict
def gate_data(path, groups):
    """groups: (name, rows, accuracy): rows whose prediction is right with that share."""
    rows = []
    for g, k, acc in groups:
        right = int(round(k * acc))
        for i in range(k):
            lab = i % 2
            ok = i < right
            p = (0.9 if lab else 0.1) if ok else (0.1 if lab else 0.9)
            rows.append((lab, p, g))
    pd.DataFrame(rows, columns=["label", "score", "g"]).to_csv(path, index=False)


G = os.path.join(TMP, "gates.csv")
gate_data(G, [("a", 500, 0.95), ("b", 500, 0.93), ("c", 500, 0.60), ("d", 40, 0.80), ("e", 10, 0.5)])
code, err, m = run(G, "--slice-by", "g", "--slice-min", "accuracy=0.5")
check(code == 0 and all(x["verdict"] == "pass" for x in m["gates"]) and len(m["gates"]) == 4,
      "slice-min accuracy=0.5: exit %d gates %r" % (code, m and m["gates"]))
check("not gated" in err and "too_small" in err, "the slice below min size is said: %r" % err[-300:])
code, err, m = run(G, "--slice-by", "g", "--slice-min", "accuracy=0.8")
fails = [x["name"] for x in m["gates"] if x["verdict"] == "fail"]
check(code == 1 and fails == ["accuracy >= 0.8 on g=c"], "slice-min 0.8 on points: exit %d fails %r" % (code, fails))
# with --confidence: c fails (clearly below), d (40 rows at 0.8) is inconclusive
code, err, m = run(G, "--slice-by", "g", "--slice-min", "accuracy=0.8", "--confidence", "0.95")
verdicts = {x["name"].split("=")[-1]: x["verdict"] for x in m["gates"]}
check(code == 1 and verdicts == {"a": "pass", "b": "pass", "c": "fail", "d": "inconclusive"},
      "slice-min 0.8 at 0.95: exit %d %r" % (code, verdicts))
G3 = os.path.join(TMP, "gates3.csv")
gate_data(G3, [("a", 500, 0.95), ("b", 500, 0.93), ("d", 40, 0.80)])
code, err, m = run(G3, "--slice-by", "g", "--slice-min", "accuracy=0.75", "--confidence", "0.95")
verdicts = {x["name"].split("=")[-1]: x["verdict"] for x in m["gates"]}
check(code == 3 and verdicts == {"a": "pass", "b": "pass", "d": "inconclusive"},
      "slice-min 0.75 at 0.95 (d too small to decide): exit %d %r" % (code, verdicts))
code, err, m = run(G3, "--slice-by", "g", "--slice-min", "accuracy=0.75")
check(code == 0, "slice-min 0.75 on points: exit %d" % code)
# max gap: the slices more than 0.1 below overall fail, on the points
code, err, m = run(G, "--slice-by", "g", "--slice-max-gap", "accuracy=0.1")
fails = sorted(x["name"].split("=")[-1] for x in m["gates"] if x["verdict"] == "fail")
overall = m["accuracy"]
want = sorted(g for g, a in (("a", 0.95), ("b", 0.93), ("c", 0.6), ("d", 0.8)) if a < overall - 0.1)
check(code == 1 and fails == want and want == ["c"], "slice-max-gap 0.1: exit %d fails %r want %r" % (code, fails, want))
g0 = m["gates"][0]
check(near(g0["threshold"], overall - 0.1) and g0["op"] == ">=", "slice-max-gap bound %r" % g0)
# a loss: --slice-max log_loss and its gap point the other way
code, err, m = run(G, "--slice-by", "g", "--slice-max-gap", "log_loss=0.2")
g0 = m["gates"][0]
check(g0["op"] == "<=" and near(g0["threshold"], m["log_loss"] + 0.2) and code == 1,
      "slice-max-gap on log_loss: exit %d %r" % (code, g0))

# ---- Holm: many slices near the bound; the failures are those Holm's step-down
# rejects, computed here from the score test of each slice
H = os.path.join(TMP, "holm.csv")
spec = [("s%02d" % i, 200, acc) for i, acc in enumerate([0.70, 0.72, 0.74, 0.75, 0.76, 0.78, 0.8, 0.82, 0.85, 0.9])]
gate_data(H, spec)
bound, level = 0.8, 0.95
alpha = (1 - level) / 2
code, err, m = run(H, "--slice-by", "g", "--slice-min", "accuracy=%r" % bound, "--confidence", repr(level))
pvals = []
for g, k, acc in spec:
    p = round(k * acc) / k
    z = (p - bound) / math.sqrt(bound * (1 - bound) / k)
    pvals.append((norm.cdf(z), g, norm.cdf(-z)))
order = sorted(range(len(pvals)), key=lambda i: pvals[i][0])
mm = len(pvals)
rejected, running = set(), 0.0
for rank, i in enumerate(order):
    running = max(running, min(1.0, (mm - rank) * pvals[i][0]))  # Holm-adjusted p
    if running <= alpha:
        rejected.add(pvals[i][1])
expect = {}
for p_miss, g, p_meet in pvals:
    expect[g] = "pass" if p_meet <= alpha else "fail" if g in rejected else "inconclusive"
verdicts = {x["name"].split("=")[-1]: x["verdict"] for x in m["gates"]}
unadjusted = {g for p_miss, g, _ in pvals if p_miss <= alpha}
check(verdicts == expect, "Holm: verdicts %r, hand %r" % (verdicts, expect))
check(len(unadjusted) > len(rejected), "Holm test data: the correction must change a verdict (%r vs %r)" % (unadjusted, rejected))
want_code = 1 if rejected else 3 if "inconclusive" in expect.values() else 0
check(code == want_code, "Holm: exit %d, expected %d" % (code, want_code))

# ---- multiclass (weighted) and regression slices through the task's metrics
from sklearn.metrics import f1_score as _f1, mean_absolute_error, mean_squared_error, r2_score
mc = pd.DataFrame({"label": rng.choice(["x", "y", "z"], 600), "g": rng.choice(["a", "b", "c"], 600),
                   "w": rng.uniform(0.5, 2, 600).round(3)})
P = rng.dirichlet([1, 1, 1], 600)
mc["x"], mc["y"], mc["z"] = P[:, 0], P[:, 1], P[:, 2]
MC = os.path.join(TMP, "mc.csv")
mc.to_csv(MC, index=False)
p = subprocess.run([MG, "evaluate", "--model", "columns:x,y,z", "--test-data", MC, "--weight", "w",
                    "--slice-by", "g", "--quiet", "--output", "-"], capture_output=True, text=True)
m = json.loads(p.stdout) if p.returncode == 0 else None
check(m is not None, "multiclass slices: exit %d %s" % (p.returncode, p.stderr[-200:]))
for s in (m or {}).get("slices", {}).get("g", {}).get("slices", []):
    d = mc[mc.g == s["value"]]
    Pd = d[["x", "y", "z"]].to_numpy()
    pred = np.array(["x", "y", "z"])[Pd.argmax(1)]
    for metric, ref in (("accuracy", accuracy_score(d.label, pred, sample_weight=d.w)),
                        ("log_loss", log_loss(d.label, Pd, labels=["x", "y", "z"], sample_weight=d.w)),
                        ("f1_macro", _f1(d.label, pred, average="macro", sample_weight=d.w))):
        check(near(s["metrics"][metric], ref), "multiclass g=%s: %s %r, scikit-learn %r" % (
            s["value"], metric, s["metrics"][metric], ref))
rg = pd.DataFrame({"label": rng.normal(size=500), "g": rng.choice(["a", "b"], 500)})
rg["pred"] = rg["label"] + rng.normal(size=500) * 0.3
RG = os.path.join(TMP, "rg.csv")
rg.to_csv(RG, index=False)
p = subprocess.run([MG, "evaluate", "--model", "column:pred", "--test-data", RG, "--task", "regression",
                    "--slice-by", "g", "--quiet", "--output", "-"], capture_output=True, text=True)
m = json.loads(p.stdout) if p.returncode == 0 else None
check(m is not None, "regression slices: exit %d %s" % (p.returncode, p.stderr[-200:]))
for s in (m or {}).get("slices", {}).get("g", {}).get("slices", []):
    d = rg[rg.g == s["value"]]
    for metric, ref in (("mae", mean_absolute_error(d.label, d.pred)),
                        ("rmse", math.sqrt(mean_squared_error(d.label, d.pred))),
                        ("r2", r2_score(d.label, d.pred))):
        check(near(s["metrics"][metric], ref), "regression g=%s: %s %r, scikit-learn %r" % (
            s["value"], metric, s["metrics"][metric], ref))

shutil.rmtree(TMP, ignore_errors=True)
print("\n".join("FAIL " + f for f in failures))
print("%d passed, %d failed" % (cases - len(failures), len(failures)))
sys.exit(1 if failures else 0)
