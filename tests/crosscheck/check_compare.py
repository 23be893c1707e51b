"""check_compare.py - `modelgate compare` and `evaluate --confidence` against
scikit-learn, scipy and an independent numpy re-implementation of the paired
Poisson bootstrap (its weights are a documented pure function of seed,
replicate and row, so the replicates can be rebuilt here exactly).
Usage: check_compare.py <path-to-modelgate-binary>
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from scipy import stats
from sklearn import metrics as skm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from poisson_reference import (  # noqa: E402
    bootstrap_p, percentile_interval, poisson_count, replicate_key)

warnings.simplefilter("ignore")
MG = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp()
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def close(got, want, rel=1e-9, abs_=1e-12):
    return got is not None and abs(got - want) <= max(abs_, rel * abs(want))


def run(args, expect=0):
    p = subprocess.run([MG] + args, cwd=work, capture_output=True, text=True)
    check(p.returncode == expect, "%s: exit %d (%s)" % (" ".join(args), p.returncode,
                                                        p.stderr.strip()[-300:]))
    return p


# ---- the bootstrap weights, rebuilt from their definition -------------------
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
CDF = [0x5E2D58D8, 0xBC5AB1B1, 0xEB715E1D, 0xFB239797, 0xFF1025F5, 0xFFD90F3B, 0xFFFA8B71,
       0xFFFF540C, 0xFFFFED1F, 0xFFFFFE21, 0xFFFFFFD4, 0xFFFFFFFC]


def mix64(z):
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = z ^ (z >> np.uint64(30))
        z = z * np.uint64(0xBF58476D1CE4E5B9)
        z = z ^ (z >> np.uint64(27))
        z = z * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def weights(seed, rep, n):
    key = int(mix64(int(mix64(seed)) ^ (((rep + 1) * GOLDEN) & M64)))
    j = np.arange(n, dtype=np.uint64) >> np.uint64(1)
    with np.errstate(over="ignore"):
        h = mix64(np.uint64(key) + (j + np.uint64(1)) * np.uint64(GOLDEN))
    u = np.where(np.arange(n) % 2 == 1, h >> np.uint64(32), h & np.uint64(0xFFFFFFFF))
    return sum((u >= np.uint64(c)).astype(np.int64) for c in CDF).astype(float)


# evaluate --confidence on a binary model without sample weights draws one
# Poisson(n) per (score, label) bucket of n rows (docs/statistics.md): buckets
# in descending score order, negatives before positives at each score, from
# the replicate's stream (poisson_reference.py).
def score_buckets(y, s):
    """(label, score, rows) per bucket in the order the draws are made."""
    out = []
    for score in sorted(set(s.tolist()), reverse=True):
        for label in (0, 1):
            cnt = int(((s == score) & (y == label)).sum())
            if cnt:
                out.append((label, score, cnt))
    return out


def bucket_weights(seed, rep, buckets):
    state = replicate_key(seed, rep)
    w = []
    for _, _, cnt in buckets:
        state, k = poisson_count(state, cnt)
        w.append(float(k))
    return np.array(w)


# ---- DeLong, O(n^2) ----------------------------------------------------------
def delong(y, s1, s2):
    pos, neg = y == 1, y == 0
    comps = []
    for s in (s1, s2):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        comps.append((psi.mean(axis=1), psi.mean(axis=0), psi.mean()))
    s10 = np.cov(np.vstack([comps[0][0], comps[1][0]]))
    s01 = np.cov(np.vstack([comps[0][1], comps[1][1]]))
    return comps[0][2], comps[1][2], s10 / pos.sum() + s01 / neg.sum()


def wilson(x, n, level):
    z = stats.norm.ppf(1 - (1 - level) / 2)
    p = x / n
    centre = (x + z * z / 2) / (n + z * z)
    half = z * math.sqrt(n * p * (1 - p) + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def newcombe(a, b, c, d, level):
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n, level)
    l2, u2 = wilson(a + c, n, level)
    den = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(den) if den > 0 else 0.0
    lo = (p1 - p2) - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    hi = (p1 - p2) + math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return lo, hi


# ---- binary ------------------------------------------------------------------------
rng = np.random.default_rng(31)
n = 1500
y = (rng.uniform(size=n) < 0.35).astype(int)
z = rng.normal(size=n)
sign = 2 * y - 1
s_new = np.round(1 / (1 + np.exp(-(z + 1.1 * sign))), 3)  # rounding makes ties
s_base = np.round(1 / (1 + np.exp(-(0.7 * z + 0.7 * rng.normal(size=n) + 0.95 * sign))), 3)
s_new[:3] = [0.0, 1.0, 0.5]
with open(os.path.join(work, "binary.csv"), "w") as f:
    f.write("label,new,base\n")
    for row in zip(y, s_new, s_base):
        f.write("%d,%r,%r\n" % row)

level, seed, reps = 0.9, 12, 100
run(["compare", "--new", "column:new", "--baseline", "column:base", "--test-data", "binary.csv",
     "--confidence", "0.9", "--seed", str(seed), "--bootstrap", str(reps), "--output", "b.json"])
doc = json.load(open(os.path.join(work, "b.json")))


def binary_metrics(y, s, w=None):
    pred = (s > 0.5).astype(int)
    eps = np.finfo(float).eps
    return {
        "accuracy": skm.accuracy_score(y, pred, sample_weight=w),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred, sample_weight=w),
        "precision": skm.precision_score(y, pred, sample_weight=w),
        "recall": skm.recall_score(y, pred, sample_weight=w),
        "f1": skm.f1_score(y, pred, sample_weight=w),
        "specificity": skm.recall_score(y, pred, pos_label=0, sample_weight=w),
        "roc_auc": skm.roc_auc_score(y, s, sample_weight=w),
        "pr_auc": skm.average_precision_score(y, s, sample_weight=w),
        "log_loss": skm.log_loss(y, np.clip(s, eps, 1 - eps), sample_weight=w),
        "brier": skm.brier_score_loss(y, s, sample_weight=w),
        "mcc": skm.matthews_corrcoef(y, pred, sample_weight=w),
    }


want_new, want_base = binary_metrics(y, s_new), binary_metrics(y, s_base)
for name in want_new:
    check(close(doc["new"][name], want_new[name]), "new %s %r vs %r" % (name, doc["new"][name],
                                                                        want_new[name]))
    check(close(doc["baseline"][name], want_base[name]), "baseline %s" % name)
    check(close(doc["deltas"][name]["value"], want_new[name] - want_base[name], 1e-9, 1e-12),
          "delta %s" % name)
check(close(doc["accuracy_improvement"], want_new["accuracy"] - want_base["accuracy"]),
      "accuracy_improvement")

# Holm over every tested metric
names = [k for k in doc["deltas"] if doc["deltas"][k]["p_value"] is not None]
ps = [doc["deltas"][k]["p_value"] for k in names]
order = sorted(range(len(ps)), key=lambda i: ps[i])
running, holm = 0.0, {}
for rank, i in enumerate(order):
    running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
    holm[names[i]] = running
for k in names:
    check(close(doc["deltas"][k]["p_value_holm"], holm[k]), "holm %s" % k)

# McNemar and Newcombe
cn, cb = (s_new > 0.5) == y, (s_base > 0.5) == y
a, b, c, d = (cn & cb).sum(), (cn & ~cb).sum(), (~cn & cb).sum(), (~cn & ~cb).sum()
acc = doc["deltas"]["accuracy"]
if b + c < 50:
    want_p, want_test = stats.binomtest(b, b + c, 0.5).pvalue, "mcnemar_exact"
else:
    want_p = stats.chi2.sf(max(0, abs(b - c) - 1) ** 2 / (b + c), 1)
    want_test = "mcnemar_chi2"
check(acc["test"] == want_test and close(acc["p_value"], want_p), "mcnemar %r vs %r" % (acc, want_p))
lo, hi = newcombe(a, b, c, d, level)
check(close(acc["ci_low"], lo) and close(acc["ci_high"], hi), "newcombe %r vs %r" % (acc, (lo, hi)))

# DeLong
a1, a2, cov = delong(y, s_new, s_base)
se = math.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
zq = stats.norm.ppf(1 - (1 - level) / 2)
auc = doc["deltas"]["roc_auc"]
check(auc["test"] == "delong" and close(auc["p_value"], 2 * stats.norm.sf(abs(a1 - a2) / se)),
      "delong p %r" % auc)
check(close(auc["ci_low"], a1 - a2 - zq * se) and close(auc["ci_high"], a1 - a2 + zq * se),
      "delong interval %r" % auc)

# the paired bootstrap, replicate by replicate
boot = {k: [] for k in want_new}
for r in range(reps):
    w = weights(seed, r, n)
    mn, mb = binary_metrics(y, s_new, w), binary_metrics(y, s_base, w)
    for k in boot:
        boot[k].append(mn[k] - mb[k])
for k in ["balanced_accuracy", "precision", "recall", "f1", "specificity", "pr_auc", "log_loss",
          "brier", "mcc"]:
    dk = doc["deltas"][k]
    lo, hi = percentile_interval(boot[k], level)
    check(dk["test"] == "paired_bootstrap", "%s test %s" % (k, dk["test"]))
    check(close(dk["ci_low"], lo, 1e-8, 1e-12) and close(dk["ci_high"], hi, 1e-8, 1e-12),
          "bootstrap %s interval [%r, %r] vs numpy [%r, %r]" % (k, dk["ci_low"], dk["ci_high"],
                                                               lo, hi))
    check(close(dk["p_value"], bootstrap_p(boot[k])), "bootstrap %s p %r vs %r"
          % (k, dk["p_value"], bootstrap_p(boot[k])))

# evaluate --confidence: DeLong for roc_auc, bootstrap percentile for the rest,
# the bootstrap drawn per (score, label) bucket
run(["evaluate", "--model", "column:new", "--test-data", "binary.csv", "--confidence", "0.9",
     "--seed", str(seed), "--bootstrap", str(reps), "--output", "m.json"])
mdoc = json.load(open(os.path.join(work, "m.json")))
ci = mdoc["ci"]
check(ci["roc_auc"]["method"] == "delong" and close(ci["roc_auc"]["low"], a1 - zq * math.sqrt(cov[0, 0]))
      and close(ci["roc_auc"]["high"], a1 + zq * math.sqrt(cov[0, 0])), "evaluate roc_auc ci %r"
      % ci["roc_auc"])


def check_bucket_intervals(ci, scores, what):
    single = {k: [] for k in want_new}
    bk = score_buckets(y, scores)
    yb = np.array([b[0] for b in bk])
    sb = np.array([b[1] for b in bk])
    single["ece"], single["mce"] = [], []
    # calibration_curve's uniform bins: the number of inner edges below the score
    binof = np.searchsorted(np.linspace(0, 1, 11)[1:-1], sb, side="left")
    for r in range(reps):
        wb = bucket_weights(seed, r, bk)
        m = binary_metrics(yb, sb, wb)
        for k in want_new:
            single[k].append(m[k])
        tw = np.bincount(binof, weights=wb, minlength=10)
        gap = np.abs(np.bincount(binof, weights=wb * yb, minlength=10)
                     - np.bincount(binof, weights=wb * sb, minlength=10))[tw > 0] / tw[tw > 0]
        single["ece"].append((tw[tw > 0] / tw.sum() * gap).sum())
        single["mce"].append(gap.max())
    for k in ["balanced_accuracy", "f1", "pr_auc", "log_loss", "brier", "mcc", "ece", "mce"]:
        lo, hi = percentile_interval(single[k], level)
        check(ci[k]["method"] == "bootstrap_percentile" and close(ci[k]["low"], lo, 1e-8)
              and close(ci[k]["high"], hi, 1e-8),
              "evaluate (%s) %s ci %r vs [%r, %r]" % (what, k, ci[k], lo, hi))
    return bk


bk = check_bucket_intervals(ci, s_new, "scores to 3 digits")
check(sum(c for _, _, c in bk) == n and any(1 < c < 10 for _, _, c in bk), "buckets of 2-9 rows")
check(ci["accuracy"]["method"] == "wilson", "accuracy keeps its Wilson interval")

# Scores to 2 digits: buckets of 10 rows and more, drawn by PTRS.
s_coarse = np.round(s_new, 2)
with open(os.path.join(work, "coarse.csv"), "w") as f:
    f.write("label,new\n")
    for row in zip(y, s_coarse):
        f.write("%d,%r\n" % row)
run(["evaluate", "--model", "column:new", "--test-data", "coarse.csv", "--confidence", "0.9",
     "--seed", str(seed), "--bootstrap", str(reps), "--output", "mc.json"])
bk = check_bucket_intervals(json.load(open(os.path.join(work, "mc.json")))["ci"], s_coarse,
                            "scores to 2 digits")
check(any(c >= 10 for _, _, c in bk), "buckets of 10 rows or more")

# ---- weighted binary: every delta by the bootstrap, sample weights times Poisson ----
wcol = np.round(rng.uniform(0.5, 2.0, size=n), 2)
with open(os.path.join(work, "weighted.csv"), "w") as f:
    f.write("label,new,base,w\n")
    for row in zip(y, s_new, s_base, wcol):
        f.write("%d,%r,%r,%r\n" % row)
run(["compare", "--new", "column:new", "--baseline", "column:base", "--test-data", "weighted.csv",
     "--weight", "w", "--seed", "5", "--bootstrap", "100", "--output", "w.json"])
wdoc = json.load(open(os.path.join(work, "w.json")))
wb = {k: [] for k in want_new}
for r in range(100):
    w = weights(5, r, n) * wcol
    mn, mb = binary_metrics(y, s_new, w), binary_metrics(y, s_base, w)
    for k in wb:
        wb[k].append(mn[k] - mb[k])
for k in ["accuracy", "roc_auc", "f1", "log_loss"]:
    dk = wdoc["deltas"][k]
    lo, hi = percentile_interval(wb[k], 0.95)
    check(dk["test"] == "paired_bootstrap" and close(dk["ci_low"], lo, 1e-8)
          and close(dk["ci_high"], hi, 1e-8), "weighted %s %r vs [%r, %r]" % (k, dk, lo, hi))

# ---- regression: the generic path (a full evaluation per replicate) ----------------
yr = rng.normal(10, 3, size=400)
p1 = yr + rng.normal(0, 1.0, size=400)
p2 = yr + rng.normal(0.3, 1.2, size=400)
with open(os.path.join(work, "reg.csv"), "w") as f:
    f.write("target,p1,p2\n")
    for row in zip(yr, p1, p2):
        f.write("%r,%r,%r\n" % row)
run(["compare", "--new", "column:p1", "--baseline", "column:p2", "--test-data", "reg.csv",
     "--label", "target", "--task", "regression", "--seed", "9", "--bootstrap", "100",
     "--min-change", "rmse=0", "--output", "r.json"])
rdoc = json.load(open(os.path.join(work, "r.json")))
check(rdoc["accuracy_improvement"] is None, "regression accuracy_improvement is null")


def reg_metrics(y, p, w=None):
    return {"mae": skm.mean_absolute_error(y, p, sample_weight=w),
            "rmse": math.sqrt(skm.mean_squared_error(y, p, sample_weight=w)),
            "r2": skm.r2_score(y, p, sample_weight=w)}


rb = {k: [] for k in ["mae", "rmse", "r2"]}
for r in range(100):
    w = weights(9, r, 400)
    mn, mb = reg_metrics(yr, p1, w), reg_metrics(yr, p2, w)
    for k in rb:
        rb[k].append(mn[k] - mb[k])
full1, full2 = reg_metrics(yr, p1), reg_metrics(yr, p2)
for k in rb:
    dk = rdoc["deltas"][k]
    lo, hi = percentile_interval(rb[k], 0.95)
    check(close(dk["value"], full1[k] - full2[k]) and close(dk["ci_low"], lo, 1e-8)
          and close(dk["ci_high"], hi, 1e-8), "regression %s %r vs [%r, %r]" % (k, dk, lo, hi))
check(rdoc["deltas"]["rmse"]["direction"] == "lower_is_better", "rmse direction")
gate = rdoc["gates"][0]
check(gate["verdict"] == "pass" and close(gate["value"], full2["rmse"] - full1["rmse"]),
      "rmse gate improvement = baseline - new: %r" % gate)

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("check_compare: all passed")
